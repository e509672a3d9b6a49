#!/usr/bin/env bash
# t-dns-config: dns.conf and TSIG key files as dns/config.c reads them,
# without a DNS server: every key file format (tsig-keygen, ddns-confgen's
# whole output, knot's keymgr -t, dig -y's one line), choosing a key by
# name, how guest names become DNS names (host and flat), the
# VIRT_NAME_CACHE_CONF override, and errors that name file and line.
# Runs the normal and, when built, the ASan/UBSan dns-push.
. "$(dirname "$0")/lib.sh"
S1=Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI=        # 32 bytes
S2=YmFyYmF6YmFyYmF6YmFyYmF6YmFyYmF6YmFyYmF6MTI=

C=$T/conf
mkdir -p "$C"
# tsig-keygen's form, with comments of all three kinds and two keys
cat >"$C/bind.key" <<EOF
# made by tsig-keygen
key "first-key" {
	algorithm hmac-sha256;   // the default
	secret "$S1";
};
/* a second key,
   over two lines */
key "hv1-key" { algorithm HMAC-SHA512; secret "$S2"; };
EOF
# ddns-confgen's whole output, advice and all
cat >"$C/ddns.key" <<EOF
# To activate this key, place the following in named.conf, and
# in a separate keyfile on the system or systems from which nsupdate
# will be run:
key "ddns-key.fleet.test" {
	algorithm hmac-sha256;
	secret "$S1";
};

# Then, in the "zone" definition statement for "fleet.test",
# place an "update-policy" statement like this one, adjusted as 
# needed for your preferred permissions:
update-policy {
	  grant ddns-key.fleet.test zonesub ANY;
};

# After the keyfile has been placed, the following command will
# execute nsupdate using this key:
nsupdate -k <keyfile>
EOF
# knot's keymgr -t, two keys in the list
cat >"$C/knot.key" <<EOF
# hmac-sha256:knot-a:$S1
key:
  - id: knot-a
    algorithm: hmac-sha256
    secret: $S1
  - id: knot-b
    algorithm: hmac-sha1
    secret: "$S2"
EOF
printf 'hmac-md5:one-line:%s\n' "$S1" >"$C/oneline.key"

run() {         # run DNS-PUSH ARGS...: output (stdout and stderr) of dns-push
        "$DP" --conf "$C" "$@" 2>&1
}
conf() {        # conf KEYFILE [more lines]
        { printf 'server = 198.18.8.1\nzone = Fleet.Test.\nkey-file = %s\nhost-label = HV1\n' "$1"; shift
          printf '%s\n' "$@"; } >"$C/dns.conf"
}
keyof() { run config | sed -n 's/.* key \([^ ]*\) (\([^)]*\)).*/\1 \2/p'; }

for DP in "$B/selftest/dns-push" "$BA/selftest/dns-push"; do
        [ -x "$DP" ] || { [ "$DP" = "$B/selftest/dns-push" ] && fail "$DP not built"; continue; }
        echo "== $DP"
        conf bind.key
        expect_eq "tsig-keygen file: first key" "first-key. hmac-sha256." "$(keyof)"
        conf bind.key "key-name = HV1-KEY"
        expect_eq "tsig-keygen file: key by name" "hv1-key. hmac-sha512." "$(keyof)"
        conf ddns.key
        expect_eq "ddns-confgen output" "ddns-key.fleet.test. hmac-sha256." "$(keyof)"
        conf knot.key
        expect_eq "keymgr -t: first" "knot-a. hmac-sha256." "$(keyof)"
        conf knot.key "key-name = knot-b"
        expect_eq "keymgr -t: by name" "knot-b. hmac-sha1." "$(keyof)"
        conf "$C/oneline.key"
        expect_eq "ALG:NAME:SECRET (absolute key-file)" "one-line. hmac-md5.sig-alg.reg.int." "$(keyof)"

        # defaults and the summary line
        conf bind.key "reverse-zone = 18.198.IN-ADDR.ARPA" "reverse-zone = 8.b.d.0.1.0.0.2.ip6.arpa."
        expect_eq "summary" "server 198.18.8.1#53 zone fleet.test. names host host-label hv1 owner hv1 key first-key. (hmac-sha256.) ttl 60 timeout 2000 ms
reverse-zone 18.198.in-addr.arpa.
reverse-zone 8.b.d.0.1.0.0.2.ip6.arpa.
reconcile-interval 600" "$(run config | grep -v '^id ')"
        conf bind.key "reverse-net = 198.18.31.0/24" "reverse-net = 2001:db8:31::/48" "reconcile-interval = 30"
        expect_eq "reverse-net, reconcile-interval" "reverse-net 198.18.31.0/24
reverse-net 2001:db8:31::/48
reconcile-interval 30" "$(run config | grep '^reverse-net\|^reconcile')"
        # The machine's id in ownership records: from the machine-id and
        # the full host name (a UTS namespace of its own gives another one).
        idof() { unshare -u sh -c 'hostname "$0" && exec "$@"' "$1" "$DP" --conf "$C" config | sed -n 's/^id //p'; }
        a=$(idof node1.dc1) b=$(idof node1.dc2) c=$(idof node1.dc1)
        [[ $a =~ ^[0-9a-f]{16}$ ]] || fail "id: [$a]"
        [ "$a" != "$b" ] || fail "node1.dc1 and node1.dc2 have one id: $a"
        expect_eq "the same host name, the same id" "$a" "$c"
        grep -q "$a" /etc/machine-id && fail "the id shows the machine-id"
        pass "ids: node1.dc1 $a, node1.dc2 $b"

        # guest names: host scheme, flat scheme, bad names
        expect_eq "host scheme" "web-1.hv1.fleet.test." "$(run name Web-1)"
        expect_eq "trailing dot, dots inside" "a.b.hv1.fleet.test." "$(run name a.b.)"
        conf bind.key "names = flat" "owner = hv1.example_org"
        expect_eq "flat scheme" "web.fleet.test." "$(run name web)"
        for bad in "under_score" "-lead" "trail-" "sp ace" "a..b" "" "$(printf 'x%.0s' $(seq 64))"; do
                out=$(run name "$bad"); rc=$?
                [ $rc = 4 ] || fail "name [$bad]: exit $rc, $out"
                case $out in *"is not a host name"*) ;; *) fail "name [$bad]: $out" ;; esac
        done
        pass "bad guest names refused"
        long=$(printf 'a%.0s' $(seq 60)); long="$long.$long.$long.$long"
        out=$(run name "$long"); [ $? = 4 ] || fail "253+ name accepted: $out"
        pass "too long under the zone: $out"

        # VIRT_NAME_CACHE_CONF moves the directory; --conf wins over it
        out=$(VIRT_NAME_CACHE_CONF=$C "$DP" name web 2>&1)
        expect_eq "VIRT_NAME_CACHE_CONF" "web.fleet.test." "$out"
        out=$(VIRT_NAME_CACHE_CONF=$T/none "$DP" config 2>&1); rc=$?
        expect_eq "absent dns.conf: exit" 78 "$rc"
        expect_eq "absent dns.conf: message" "dns-push: $T/none/dns.conf: not present (DNS updates are off)" "$out"

        # errors name the file and the line
        bad() {         # bad EXPECTED-TEXT: dns.conf as it is now must be refused with that text
                local out
                out=$(run config); local rc=$?
                [ $rc = 78 ] || fail "accepted (exit $rc): $(cat "$C/dns.conf")"
                case $out in *"$1"*) pass "refused: ${out#dns-push: }" ;; *) fail "expected [$1], got [$out]" ;; esac
        }
        conf bind.key "port = 0";               bad "$C/dns.conf:5: port '0' is not 1-65535"
        conf bind.key "ttl = 1w";               bad "$C/dns.conf:5: ttl '1w' is not 0-604800 seconds"
        conf bind.key "timeout-ms = 0";         bad "$C/dns.conf:5: timeout-ms '0' is not 1-60000"
        conf bind.key "names = tree";           bad "$C/dns.conf:5: names 'tree': expected host or flat"
        conf bind.key; sed -i 's/^host-label = .*/host-label = a.b/' "$C/dns.conf"
                                                bad "$C/dns.conf:4: host-label 'a.b' is not one DNS label"
        conf bind.key "owner = a b";            bad "$C/dns.conf:5: owner 'a b': 1-63 of letters"
        conf bind.key "server";                 bad "$C/dns.conf:5: expected KEY = VALUE"
        conf bind.key "reverse-net = 198.18.31.0";      bad "$C/dns.conf:5: reverse-net '198.18.31.0': expected ADDRESS/PREFIX"
        conf bind.key "reverse-net = 198.18.31.0/33";   bad "$C/dns.conf:5: reverse-net '198.18.31.0/33': expected ADDRESS/PREFIX"
        conf bind.key "reconcile-interval = 0";         bad "$C/dns.conf:5: reconcile-interval '0' is not 1-604800 seconds"
        conf bind.key "ttl =";                  bad "$C/dns.conf:5: 'ttl' has no value"
        conf bind.key "key-name = nope";        bad "$C/bind.key: no key named 'nope'"
        conf missing.key;                       bad "$C/missing.key: No such file or directory"
        printf 'key "k" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n' "$S1" >"$C/open.key"
        conf open.key;                          bad "$C/open.key:1: key \"k\" is not closed with };"
        printf 'key "k" {\n\talgorithm hmac-sha256;\n};\n' >"$C/nosecret.key"
        conf nosecret.key;                      bad "$C/nosecret.key:1: key \"k\" lacks a secret"
        printf 'key "k" {\n\talgorithm hmac-sha256;\n\tsecret "not base64!";\n};\n' >"$C/b64.key"
        conf b64.key;                           bad "$C/b64.key:1: the secret of key 'k' is not base64"
        printf 'key:\n  - id: k\n    algorithm: hmac-sha256\n    secrett: %s\n' "$S1" >"$C/knotbad.key"
        conf knotbad.key;                       bad "$C/knotbad.key:4: unknown 'secrett' in a knot key"
        : >"$C/empty.key"
        conf empty.key;                         bad "$C/empty.key: no TSIG key found"
done
