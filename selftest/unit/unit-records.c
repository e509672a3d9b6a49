/* unit-records - names, records, index keys and the delta format. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cache/read/delta.h"
#include "cache/read/names.h"
#include "cache/read/record.h"
#include "cache/read/reserved.h"
#include "selftest/unit/unit.h"

static void names(void)
{
        char key[VIRTNAME_NAME_MAX + 1], long_name[300];
        uint8_t mac[6], addr[16], uuid[16];
        const char *suffix;
        size_t base;
        int family;

        CHECK(virtname_name_normalise("Web-VM.", key) == 6 && strcmp(key, "web-vm") == 0);
        CHECK(virtname_name_normalise(".", key) == 1);          /* the root: one dot stays */
        CHECK(virtname_name_normalise("", key) == -EINVAL);
        CHECK(virtname_name_normalise("a/b", key) == -EINVAL);
        CHECK(virtname_name_normalise("a\tb", key) == -EINVAL);
        memset(long_name, 'a', sizeof(long_name));
        long_name[VIRTNAME_NAME_MAX] = '\0';
        CHECK(virtname_name_normalise(long_name, key) == VIRTNAME_NAME_MAX);
        long_name[VIRTNAME_NAME_MAX] = 'a';
        long_name[VIRTNAME_NAME_MAX + 1] = '\0';
        CHECK(virtname_name_normalise(long_name, key) == -EINVAL);

        CHECK(virtname_hostname_valid("web-1.lab_x.test"));
        CHECK(!virtname_hostname_valid("web..test"));
        CHECK(!virtname_hostname_valid(".web"));
        CHECK(!virtname_hostname_valid("web."));
        CHECK(!virtname_hostname_valid("we b"));
        CHECK(!virtname_hostname_valid("wéb"));
        memset(long_name, 'a', 64);
        long_name[64] = '\0';
        CHECK(!virtname_hostname_valid(long_name));             /* a 64-byte label */
        long_name[63] = '\0';
        CHECK(virtname_hostname_valid(long_name));

        CHECK(virtname_name_split("web.lab.test", &base, &suffix) && base == 3 &&
              strcmp(suffix, "lab.test") == 0);
        CHECK(!virtname_name_split("web", &base, &suffix));
        CHECK(!virtname_name_split("web.", &base, &suffix));

        CHECK(virtname_mac_parse("52:54:00:AB:cd:EF", mac) && mac[3] == 0xab && mac[5] == 0xef);
        CHECK(virtname_mac_parse("52-54-00-ab-cd-ef", mac));
        CHECK(!virtname_mac_parse("52:54:00:ab:cd", mac));
        CHECK(!virtname_mac_parse("52:54:00:ab:cd:ef:01", mac));
        CHECK(!virtname_mac_parse("52:54:00:ab:cd:eg", mac));

        CHECK(virtname_addr_parse("198.18.0.1", &family, addr) && family == AF_INET && addr[3] == 1 &&
              addr[4] == 0);
        CHECK(virtname_addr_parse("2001:db8::1", &family, addr) && family == AF_INET6 && addr[15] == 1);
        CHECK(!virtname_addr_parse("198.18.0.256", &family, addr));
        CHECK(!virtname_addr_parse("198.18.0.0/24", &family, addr));

        CHECK(virtname_uuid_parse("6A5E1C0E-2B7A-4C55-9D1A-0C7F4B2E3D11", uuid) && uuid[0] == 0x6a);
        CHECK(virtname_uuid_parse("6a5e1c0e2b7a4c559d1a0c7f4b2e3d11", uuid));
        CHECK(!virtname_uuid_parse("6a5e1c0e2b7a4c559d1a0c7f4b2e3d1", uuid));
        CHECK(!virtname_uuid_parse("6a5e1c0e2b7a4c559d1a0c7f4b2e3d1122", uuid));

        CHECK(virtname_name_reserved_fixed("localhost"));
        CHECK(virtname_name_reserved_fixed("foo.localhost"));
        CHECK(virtname_name_reserved_fixed("localhost.localdomain"));
        CHECK(virtname_name_reserved_fixed("ip6-loopback"));
        CHECK(virtname_name_reserved_fixed("_gateway"));
        CHECK(virtname_name_reserved_fixed("wpad"));
        CHECK(!virtname_name_reserved_fixed("localhostx"));
        CHECK(virtname_name_reserved_fixed("foo.localhost.localdomain"));
        CHECK(virtname_name_reserved_fixed("localhost4") && virtname_name_reserved_fixed("localhost6"));
        CHECK(virtname_name_reserved_fixed("localhost6.localdomain6"));
        CHECK(virtname_name_reserved_fixed("127") && virtname_name_reserved_fixed("10.0.0.1"));
        CHECK(!virtname_name_reserved_fixed("1web") && !virtname_name_reserved_fixed("web1"));
        CHECK(!virtname_name_reserved_fixed("web-vm"));
        CHECK(virtname_hostname_reserved("localhost.evil.test"));       /* its first label */
        CHECK(virtname_hostname_reserved("bad name"));                  /* not a name at all */
}

/* The names of a hosts file: after the address, before a '#' or a NUL,
 * any case, one trailing dot; lines over 1,023 bytes skipped; across the
 * reader's 64 KiB chunks. */
static void hosts_file(void)
{
        char path[] = "/tmp/unit-hosts.XXXXXX", *big = malloc(200000), across[32] = "";
        int fd = mkstemp(path);
        size_t n = 0;

        CHECK(fd >= 0 && big);
        n += (size_t)sprintf(big + n, "127.0.0.1 localhost\n# 1.2.3.4 commented\n1.2.3.5\tTabbed  Alias. other#cmt\r\n");
        n += (size_t)sprintf(big + n, "1.2.3.6 before%cafter\n1.2.3.7\n  \n", '\0');
        big[n++] = '1';
        memset(big + n, 'x', 1100);     /* an over-long line: skipped */
        n += 1100;
        n += (size_t)sprintf(big + n, " toolong\n");
        while (n < 70000) {             /* past the first chunk */
                if (n > 65530 && !across[0])    /* a line across the chunks */
                        snprintf(across, sizeof(across), "filler%zu", n);
                n += (size_t)sprintf(big + n, "10.0.%zu.%zu filler%zu\n", n / 256 % 256, n % 256, n);
        }
        n += (size_t)sprintf(big + n, "1.2.3.8 last-without-newline");
        CHECK(write(fd, big, n) == (ssize_t)n);
        close(fd);
        CHECK(virtname_hosts_file_names(path, "localhost"));
        CHECK(!virtname_hosts_file_names(path, "commented"));
        CHECK(virtname_hosts_file_names(path, "tabbed"));
        CHECK(virtname_hosts_file_names(path, "alias"));
        CHECK(virtname_hosts_file_names(path, "other"));
        CHECK(!virtname_hosts_file_names(path, "cmt"));
        CHECK(!virtname_hosts_file_names(path, "1.2.3.5"));     /* an address is no name */
        CHECK(virtname_hosts_file_names(path, "before"));
        CHECK(!virtname_hosts_file_names(path, "after"));
        CHECK(!virtname_hosts_file_names(path, "toolong"));
        CHECK(virtname_hosts_file_names(path, across));
        CHECK(virtname_hosts_file_names(path, "last-without-newline"));
        CHECK(!virtname_hosts_file_names("/nonexistent/hosts", "localhost"));
        unlink(path);
        free(big);
}

static void records(void)
{
        struct virtname_iface ifaces[2] = { { { 0x52, 0x54, 0, 0, 0, 1 }, "net1", "clean-traffic", "vnet3" },
                                            { { 0x52, 0x54, 0, 0, 0, 2 }, NULL, NULL, NULL } };
        struct virtname_domain d = { "Web-VM", true, { 1, 2, 3 }, 7, VIRTNAME_STATE_RUNNING, 42, 99, 2, ifaces };
        struct virtname_lease l = { AF_INET, { 198, 18, 0, 10 }, VIRTNAME_LEASE_HAS_MAC, { 0x52, 0x54, 0, 0, 0, 1 },
                                    1234, 5678, 0, "web", "net1", "lab.test", "01:52:54",
                                    VIRTNAME_EV_PORT, 4321, 7, "vnet3" };
        struct virtname_domain_view dv;
        struct virtname_lease_view lv;
        struct virtname_iface_view f;
        char long_net[VIRTNAME_NETWORK_MAX + 1];
        uint8_t buf[1024], key[VIRTNAME_KEY_MAX], lkey[VIRTNAME_LEASE_KEY_MAX];
        char *huge;
        size_t n, pos = 0;

        n = virtname_domain_encode(&d, buf, sizeof(buf));
        CHECK(n > 0 && n <= sizeof(buf));
        CHECK(virtname_domain_decode(buf, n, &dv) == 0);
        CHECK(virtname_str_eq(dv.name, "Web-VM") && dv.id == 7 && dv.cid == 42 && dv.n_ifaces == 2);
        CHECK(virtname_domain_iface_next(&dv, &pos, &f) && virtname_str_eq(f.network, "net1") &&
              virtname_str_eq(f.filter, "clean-traffic") && virtname_str_eq(f.port, "vnet3"));
        CHECK(virtname_domain_iface_next(&dv, &pos, &f) && f.network.len == 0 && f.mac[5] == 2);
        CHECK(!virtname_domain_iface_next(&dv, &pos, &f));
        for (size_t cut = 0; cut < n; cut++)
                CHECK(virtname_domain_decode(buf, cut, &dv) == -EBADMSG);

        n = virtname_lease_encode(&l, buf, sizeof(buf));
        CHECK(virtname_lease_decode(buf, n, &lv) == 0 && lv.expiry == 1234 && lv.seen == 5678 &&
              virtname_str_eq(lv.hostname, "web") && virtname_str_eq(lv.suffix, "lab.test") &&
              lv.evidence == VIRTNAME_EV_PORT && lv.proved == 4321 && lv.proved_id == 7 &&
              virtname_str_eq(lv.port, "vnet3"));
        buf[0] = 9;                                             /* another record version */
        CHECK(virtname_lease_decode(buf, n, &lv) == -EBADMSG);
        CHECK(virtname_lease_encode(&l, NULL, 0) == n);         /* size first, like snprintf */
        huge = malloc(70000);
        memset(huge, 'a', 69999);
        huge[69999] = '\0';
        l.hostname = huge;
        CHECK(virtname_lease_encode(&l, buf, sizeof(buf)) == 0);      /* a string over 64 KiB */
        free(huge);

        n = virtname_lease_key(AF_INET, (uint8_t[16]){ 198, 18, 0, 10, 0xff }, virtname_str_of("net1"), lkey);
        CHECK(n == VIRTNAME_ADDR_KEY_LEN + 4 && lkey[0] == 4 && lkey[4] == 10 && lkey[5] == 0 &&
              memcmp(lkey + VIRTNAME_ADDR_KEY_LEN, "net1", 4) == 0);   /* IPv4: the rest zeroed */
        memset(long_net, 'n', sizeof(long_net));
        CHECK(virtname_lease_key(AF_INET, lkey, (struct virtname_str){ long_net, sizeof(long_net) }, key) == 0);
        CHECK(virtname_hostidx_key(virtname_str_of("web"), lkey, n, key) == 4 + n &&
              memcmp(key, "web\0", 4) == 0);
        CHECK(virtname_hostidx_key(virtname_str_of(""), lkey, n, key) == 0);
        CHECK(virtname_hostidx_key((struct virtname_str){ "a\0b", 3 }, lkey, n, key) == 0);
        n = virtname_owner_key(virtname_str_of("net1"), ifaces[0].mac, virtname_str_of("web-vm"), key);
        CHECK(n == 5 + 6 + 6 && virtname_iface_prefix(virtname_str_of("net1"), ifaces[0].mac, key) == 11);
}

static void delta(void)
{
        struct virtname_delta_rec recs[3] = {
                { VIRTNAME_DB_DOMAINS, false, { 3, (void *)"abc" }, { 2, (void *)"v1" } },
                { VIRTNAME_DB_DOMAINS, true, { 3, (void *)"abd" }, { 0, NULL } },
                { VIRTNAME_DB_LEASES, false, { 1, (void *)"a" }, { 0, (void *)"" } },
        }, r, swapped[2];
        struct virtname_delta d;
        uint8_t *buf;
        size_t len;

        CHECK(virtname_delta_encode(recs, 3, 5, 7, &buf, &len) == 0);
        CHECK(virtname_delta_parse(buf, len, &d) == 0 && d.count == 3 && d.base_generation == 5 &&
              d.generation == 7);
        virtname_delta_rec(&d, 1, &r);
        CHECK(r.tombstone && r.db == VIRTNAME_DB_DOMAINS && r.key.mv_size == 3);
        CHECK(virtname_delta_seek(&d, VIRTNAME_DB_DOMAINS, &(MDB_val){ 3, (void *)"abd" }) == 1);
        CHECK(virtname_delta_seek(&d, VIRTNAME_DB_DOMAINS, &(MDB_val){ 2, (void *)"ab" }) == 0);
        CHECK(virtname_delta_seek(&d, VIRTNAME_DB_IDS, &(MDB_val){ 1, (void *)"a" }) == 3);
        for (size_t i = 0; i < len; i++) {
                buf[i] ^= 0x01;
                CHECK(virtname_delta_parse(buf, len, &d) == -EBADMSG);   /* any bit flip */
                buf[i] ^= 0x01;
        }
        for (size_t cut = 0; cut < len; cut++)
                CHECK(virtname_delta_parse(buf, cut, &d) == -EBADMSG);
        free(buf);
        swapped[0] = recs[1];
        swapped[1] = recs[0];
        CHECK(virtname_delta_encode(swapped, 2, 1, 1, &buf, &len) == -EINVAL);
        CHECK(virtname_delta_encode(recs, 0, 1, 1, &buf, &len) == 0 && len == VIRTNAME_DELTA_HEADER);
        CHECK(virtname_delta_parse(buf, len, &d) == 0 && d.count == 0);
        free(buf);
}

int main(void)
{
        names();
        hosts_file();
        records();
        delta();
        return unit_done("unit-records");
}
