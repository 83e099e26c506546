# rampart — build, test, bench, fuzz.
#
#   make deps     install missing Debian packages (apt-get), then nothing else
#   make          build bin/rampart (plain) — `all`
#   make run      deps + build + evaluate the shipped admission policy on a sample review
#   make test     deps + unit tests + conformance, plain and under ASan+UBSan
#   make bench    benchmarks (never part of test)
#   make fuzz     run every libFuzzer harness for FUZZ_SECONDS each
#
# Layout: objects go to build/<variant>/ (variant "plain" or "san"); each part of
# the tree adds its sources and tests through mk/*.mk so parts stay independent.

SHELL := /bin/bash
.DEFAULT_GOAL := all

CC      ?= cc
CXX     ?= c++
CLANG   ?= clang
WARN     = -Wall -Wextra -Werror -Wshadow -Wvla -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wimplicit-fallthrough
CSTD     = -std=c11 -D_GNU_SOURCE
CXXSTD   = -std=c++17 -D_GNU_SOURCE
OPT_plain = -O2 -g
OPT_san   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
INCLUDES = -Iinclude -Isrc
# libcurl is not linked: http.send loads it on first use (src/rego/curl_dl.c).
LIBS     = -lyaml -lgmp -lre2 -lssl -lcrypto -lbpf -lelf -lz -lpthread -ldl -lm -lstdc++
# bin/rampart links these statically (only libc stays shared): loading a
# dozen shared objects and relocating them was most of the start-up time of
# a short `rampart eval` (15.2 -> 8.7 ms for --help, /bin/true 3.7 ms, in
# one hyperfine run).  Tests link dynamically: faster to build, same code.
STATIC_LIBS = -Wl,-Bstatic -lyaml -lgmp -lre2 -lssl -lcrypto -lbpf -lelf -lz -Wl,-Bdynamic \
              -static-libstdc++ -static-libgcc -lpthread -ldl -lm

# Debian packages the build, tests, benchmarks and demo need.
DEB_PKGS = gcc g++ make clang llvm libclang-rt-14-dev pkg-config \
           libyaml-dev libgmp-dev libre2-dev libssl-dev libcurl4-openssl-dev \
           libmicrohttpd-dev libbpf-dev bpftool libelf-dev zlib1g-dev \
           iproute2 tzdata ncat bpftrace hyperfine
# Needed as commands; any package providing them will do (kubectl may come
# from kubernetes-client or from another vendor's package).
DEB_CMDS = kubectl:kubernetes-client

# ---- sources: parts append to these in mk/*.mk ------------------------------
LIB_SRCS   :=   # C sources of librampart (engine and friends), no main()
LIB_CXX    :=   # C++ shims (RE2)
CLI_SRCS   :=   # sources of bin/rampart (contain main)
TESTS      :=   # test programs: tests/<name>.c -> build/<v>/tests/<name>
TEST_RUNS  :=   # extra test commands run by `make test` (targets)
BENCHES    :=
BENCH_BINS :=   # benchmark programs: `make test` builds them, `make bench` runs them
FUZZERS    :=   # fuzz/<name>.c harnesses (libFuzzer)
EXTRA_DEPS :=   # generated headers etc. objects depend on

# Defined before the parts are read: their rules use these in prerequisite
# lists, which make expands immediately.
LIB_plain = build/plain/librampart.a
LIB_san   = build/san/librampart.a
# The whole library is linked in: builtin groups register through a table of
# weak references (src/rego/builtins.c), which would not pull their objects
# out of an archive on their own.
WHOLE = -Wl,--whole-archive $(1) -Wl,--no-whole-archive

include $(sort $(wildcard mk/*.mk))

# ---- derived ----------------------------------------------------------------
objs = $(patsubst %.c,build/$(1)/%.o,$(LIB_SRCS)) $(patsubst %.cc,build/$(1)/%.o,$(LIB_CXX))

.PHONY: all deps run test test-plain test-san bench fuzz fuzz-smoke clean conformance

all: bin/rampart

# The main job for a newcomer: install, build, and evaluate the shipped
# admission policy on a sample AdmissionReview, printing the decision.
run: deps
	@$(MAKE) --no-print-directory bin/rampart
	@echo "== rampart eval: policies/admission on policies/examples/pod-privileged.json"
	@bin/rampart eval -d policies/admission -i policies/examples/pod-privileged.json \
	  --format pretty 'data.kubernetes.admission.deny'

deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	for cp in $(DEB_CMDS); do command -v $${cp%%:*} >/dev/null 2>&1 || missing="$$missing $${cp#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y $$missing || { $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; }; \
	fi

build/%/.dir:
	@mkdir -p $(@D) && touch $@

# Objects for each variant.
build/plain/%.o: %.c | $(EXTRA_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(OPT_plain) $(WARN) $(INCLUDES) -MMD -MP -c $< -o $@
build/san/%.o: %.c | $(EXTRA_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(OPT_san) $(WARN) $(INCLUDES) -MMD -MP -c $< -o $@
build/plain/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CXXSTD) $(OPT_plain) -Wall -Wextra -Werror $(INCLUDES) -MMD -MP -c $< -o $@
build/san/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CXXSTD) $(OPT_san) -Wall -Wextra -Werror $(INCLUDES) -MMD -MP -c $< -o $@

$(LIB_plain): $(call objs,plain)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIB_san): $(call objs,san)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

bin/rampart: $(patsubst %.c,build/plain/%.o,$(CLI_SRCS)) $(LIB_plain)
	@mkdir -p $(@D)
	$(CXX) $(OPT_plain) -o $@ $(filter %.o,$^) $(call WHOLE,$(LIB_plain)) $(STATIC_LIBS)
build/san/rampart: $(patsubst %.c,build/san/%.o,$(CLI_SRCS)) $(LIB_san)
	$(CC) $(OPT_san) -o $@ $(filter %.o,$^) $(call WHOLE,$(LIB_san)) $(LIBS)

# Test programs: one .c each, linked against the library of the variant.
build/plain/tests/%: build/plain/tests/%.o $(LIB_plain)
	$(CC) $(OPT_plain) -o $@ $< $(call WHOLE,$(LIB_plain)) $(LIBS)
build/san/tests/%: build/san/tests/%.o $(LIB_san)
	$(CC) $(OPT_san) -o $@ $< $(call WHOLE,$(LIB_san)) $(LIBS)

TEST_BINS_plain = $(patsubst %,build/plain/tests/%,$(TESTS))
TEST_BINS_san   = $(patsubst %,build/san/tests/%,$(TESTS))

# Every test program prints "N passed, N failed" last and exits non-zero on failure.
test: deps
	@$(MAKE) --no-print-directory test-plain
	@$(MAKE) --no-print-directory test-san
	@echo "== all test suites passed (plain and ASan+UBSan) =="

test-plain: bin/rampart $(TEST_BINS_plain) $(BENCH_BINS)
	@set -e; for t in $(TEST_BINS_plain); do echo "== $$t"; RAMPART=bin/rampart $$t; done
	@$(if $(strip $(TEST_RUNS)),$(MAKE) --no-print-directory VARIANT=plain $(TEST_RUNS))

test-san: build/san/rampart $(TEST_BINS_san)
	@set -e; for t in $(TEST_BINS_san); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 RAMPART=build/san/rampart $$t; done
	@$(if $(strip $(TEST_RUNS)),$(MAKE) --no-print-directory VARIANT=san $(TEST_RUNS))

# Keep test objects (intermediates of the test programs) so rebuilds are
# incremental.  Only those: a blanket .SECONDARY would let a library archive
# newer than a newly added source skip compiling it.
.SECONDARY: $(patsubst %,build/plain/tests/%.o,$(TESTS)) $(patsubst %,build/san/tests/%.o,$(TESTS))

bench: all $(BENCHES)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
