# libFuzzer harnesses for every part of the tree.
#
#   make fuzz                          each harness in FUZZERS for FUZZ_SECONDS (600), in turn
#   make fuzz FUZZERS_ONLY="json yaml" only these (names, or fuzz_<name>)
#   make fuzz-smoke                    each for FUZZ_SMOKE_SECONDS (15); part of `make test`
#
# A part adds `FUZZERS += fuzz_<name>` for its harness fuzz/fuzz_<name>.c (an
# LLVMFuzzerTestOneInput over the library).  Each runs with its corpus in
# build/fuzz/corpus/<name>, seeded from fuzz/seeds/<name>/ and, when present,
# the dictionary fuzz/seeds/<name>.dict; crashes land in build/fuzz/artifacts/<name>/.
# Everything is built with clang into build/fuzz/: the library with
# -fsanitize=fuzzer-no-link,address,undefined, the harnesses with
# -fsanitize=fuzzer,address,undefined.  -Werror is left out there so that a
# clang-only warning in some part cannot stop every harness (the gcc builds
# keep it).

FUZZERS += fuzz_json fuzz_yaml

CLANGXX            ?= clang++
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_TIMEOUT       ?= 25      # seconds for one input before libFuzzer calls it a hang
FUZZ_SAN   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = $(CSTD) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(filter-out -Werror,$(WARN)) $(INCLUDES)
FUZZ_CXXFLAGS = $(CXXSTD) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wall -Wextra $(INCLUDES)

# Names, expanded late (in recipes) so that parts included after this file count.
fuzz_name       = $(patsubst fuzz_%,%,$(basename $(notdir $(1))))
FUZZ_NAMES      = $(sort $(foreach f,$(FUZZERS),$(call fuzz_name,$(f))))
FUZZ_RUN_NAMES  = $(if $(strip $(FUZZERS_ONLY)),$(filter $(foreach f,$(FUZZERS_ONLY),$(call fuzz_name,$(f))),$(FUZZ_NAMES)),$(FUZZ_NAMES))
FUZZ_PRESENT    = $(foreach n,$(FUZZ_RUN_NAMES),$(if $(wildcard fuzz/fuzz_$(n).c),$(n)))
FUZZ_MISSING    = $(filter-out $(FUZZ_PRESENT),$(FUZZ_RUN_NAMES))
FUZZ_LIB_OBJS   = $(patsubst %.c,build/fuzz/%.o,$(filter-out $(FUZZ_EXCLUDE_SRCS),$(LIB_SRCS))) \
                  $(patsubst %.cc,build/fuzz/%.o,$(filter-out $(FUZZ_EXCLUDE_SRCS),$(LIB_CXX)))

# Library sources left out of the fuzz build (make patterns): the node agent
# needs its generated BPF skeleton (mk/agent.mk) and holds no parser to fuzz.
# A part whose sources need flags or generated files of their own, and that
# no harness reaches, adds them here.
FUZZ_EXCLUDE_SRCS += src/agent/%

# LIB_SRCS is complete only once every mk/*.mk is read, and this file sorts
# before some of them: the library's prerequisites are expanded a second time,
# when make needs them.  (.SECONDEXPANSION re-expands later prerequisite
# lists too, which changes nothing for lists without '$$'.)
.SECONDEXPANSION:

build/fuzz/%.o: %.c | $$(EXTRA_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/%.o: %.cc
	@mkdir -p $(@D)
	$(CLANGXX) $(FUZZ_CXXFLAGS) -MMD -MP -c $< -o $@

build/fuzz/librampart.a: $$(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# clang++ links, so the C++ shims find their sanitizer runtime pieces.
# Whole archive, as for every other binary: builtin groups register through
# weak references that would not pull their objects in otherwise.
build/fuzz/fuzz_%: build/fuzz/fuzz/fuzz_%.o build/fuzz/librampart.a
	$(CLANGXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(call WHOLE,build/fuzz/librampart.a) $(LIBS)

# $(1): seconds per harness; $(2): "quiet" keeps libFuzzer's progress in a log
# and shows its final statistics (all of it when the harness fails).
define fuzz_run
	@$(if $(strip $(FUZZ_MISSING)),echo "fuzz: no source for: $(FUZZ_MISSING) (skipped)";) true
	@$(if $(strip $(FUZZ_PRESENT)),$(MAKE) --no-print-directory $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_PRESENT)))
	@set -e; for n in $(FUZZ_PRESENT); do \
	  mkdir -p build/fuzz/corpus/$$n build/fuzz/artifacts/$$n; \
	  seeds=; [ -d fuzz/seeds/$$n ] && seeds=fuzz/seeds/$$n; \
	  dict=; [ -f fuzz/seeds/$$n.dict ] && dict=-dict=fuzz/seeds/$$n.dict; \
	  echo "== fuzz $$n: $(1) s"; \
	  log=build/fuzz/$$n.log; \
	  if build/fuzz/fuzz_$$n -max_total_time=$(1) -timeout=$(strip $(FUZZ_TIMEOUT)) \
	       -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$n/ $$dict \
	       build/fuzz/corpus/$$n $$seeds $(if $(2),> $$log 2>&1); then \
	    true; $(if $(2),grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' $$log || true;) \
	  else \
	    $(if $(2),tail -n 60 $$log;) \
	    echo "== fuzz $$n FAILED: see build/fuzz/artifacts/$$n/"; exit 1; \
	  fi; \
	done
endef

fuzz:
	$(call fuzz_run,$(FUZZ_SECONDS))

# `make test` runs its TEST_RUNS once per variant; the fuzzers bring their own
# sanitizers, so they run only in the plain round.
fuzz-smoke:
	$(if $(filter san,$(VARIANT)),@echo "fuzz-smoke: runs in the plain round only",$(call fuzz_run,$(FUZZ_SMOKE_SECONDS),quiet))

TEST_RUNS += fuzz-smoke
