# selftest/fuzz.mk - the fuzzers (selftest/fuzz/): damaged snapshots through
# the NSS module (snapfuzz), hostile lease-helper arguments and hook XML
# (hookfuzz), and a libFuzzer target for the snapshot parsers.
#
#   make fuzz                      a long run: FUZZ_SECONDS (default 600) in
#                                  all, a random seed (printed) unless FUZZ_SEED
#   make fuzz FUZZ_SECONDS=1800 FUZZ_SEED=42
#
# selftest/t-fuzz.sh is the bounded run of `make check` (fixed seeds, ~60 s).
FUZZ_TOOLS := snapfuzz hookfuzz
$(B)/selftest/snapfuzz: $(B)/obj/selftest/fuzz/snapfuzz.o $(B)/obj/selftest/fuzz/fuzz.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS)
$(B)/selftest/hookfuzz: $(B)/obj/selftest/fuzz/hookfuzz.o $(B)/obj/selftest/fuzz/fuzz.o $(B)/libvirtname.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LMDB_LIBS)
ALL += $(addprefix $(B)/selftest/,$(FUZZ_TOOLS))

# libFuzzer (clang, libclang-rt-14-dev): virtname_delta_parse(),
# virtname_base_check() and virtname_answers_eval() over arbitrary bytes,
# with ASan and UBSan.  Built only by `make fuzz`, into build-fuzz/.
FUZZ_CC ?= clang
FUZZ_B := build-fuzz
FUZZ_PARSE_SRCS := selftest/fuzz/parse-fuzz.c $(filter-out cache/read/paths.c cache/read/reader.c,$(READ_SRCS))
$(FUZZ_B)/parse-fuzz: $(FUZZ_PARSE_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 $(WARNINGS) -I. $(PKG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $^ $(LMDB_LIBS)

FUZZ_SECONDS ?= 600
FUZZ_SEED ?=
.PHONY: fuzz
fuzz: deps
	$(MAKE) build-all
	$(MAKE) SAN=1 B=build-asan build-all
	@if $(FUZZ_CC) --version >/dev/null 2>&1; then $(MAKE) $(FUZZ_B)/parse-fuzz; else \
	  echo "make fuzz: no $(FUZZ_CC): the libFuzzer target is left out" \
	       "(apt-get install clang libclang-rt-14-dev)"; fi
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) FUZZ_LIBFUZZER=$(FUZZ_B)/parse-fuzz \
	  T=$$(mktemp -d /tmp/vnc-fuzz.XXXXXX) bash selftest/t-fuzz.sh
