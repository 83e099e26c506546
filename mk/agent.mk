# The eBPF node agent (`rampart agent`): BPF sensors, loader, attribution,
# event output.  See docs/agent.md.
#
# BPF build: vmlinux.h is dumped from this machine's kernel BTF, each
# src/agent/bpf/<sensor>.bpf.c is compiled with clang's BPF target (CO-RE),
# the sensors are linked into one object (`bpftool gen object`, so they share
# the ring buffer and config) and `bpftool gen skeleton` makes the header the
# loader includes.  Everything generated lives under build/agent/.

AGENT_GEN      := build/agent
AGENT_BPF_SRCS := $(wildcard src/agent/bpf/*.bpf.c)
AGENT_BPF_OBJS := $(patsubst src/agent/bpf/%.bpf.c,$(AGENT_GEN)/%.bpf.o,$(AGENT_BPF_SRCS))
AGENT_BPF_HDRS := $(wildcard src/agent/bpf/*.h)
AGENT_SKEL     := $(AGENT_GEN)/rampart.skel.h
AGENT_BTF      ?= /sys/kernel/btf/vmlinux
BPFTOOL        ?= bpftool
BPF_CFLAGS      = -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -Wno-unused-function \
                  -I$(AGENT_GEN) -Isrc/agent/bpf

$(AGENT_GEN)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(AGENT_BTF) format c > $@.tmp && mv $@.tmp $@

$(AGENT_GEN)/%.bpf.o: src/agent/bpf/%.bpf.c $(AGENT_BPF_HDRS) $(AGENT_GEN)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(AGENT_GEN)/rampart.bpf.o: $(AGENT_BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(AGENT_SKEL): $(AGENT_GEN)/rampart.bpf.o
	$(BPFTOOL) gen skeleton $< name rampart_bpf > $@.tmp && mv $@.tmp $@

.PHONY: agent-bpf
agent-bpf: $(AGENT_SKEL)

# ---- user space -----------------------------------------------------------------
# Library part (linked by tests) and the `rampart agent` command.
AGENT_LIB_SRCS := $(filter-out src/agent/cli_agent.c,$(wildcard src/agent/*.c))
LIB_SRCS += $(AGENT_LIB_SRCS)
CLI_SRCS += src/agent/cli_agent.c

# Objects that include the generated skeleton wait for it and find it in
# build/agent; the rest of the tree compiles without waiting for the BPF
# toolchain.
AGENT_SKEL_USERS := agent agent_setup agent_dryrun file network
AGENT_SKEL_OBJS  := $(foreach v,plain san,$(patsubst %,build/$(v)/src/agent/%.o,$(AGENT_SKEL_USERS)))
$(AGENT_SKEL_OBJS): | $(AGENT_SKEL)
$(AGENT_SKEL_OBJS): INCLUDES += -I$(AGENT_GEN)

# ---- tests --------------------------------------------------------------------------
# User-space parts (no privileges), plain and under ASan+UBSan.
TESTS += test_agent

# BPF for real, as root: a stand-in container, exact events, drops, the
# command's errors and pins.  Once per `make test` (VARIANT=plain): the BPF
# side is the same under ASan, and the user-space parts run above under ASan.
TEST_RUNS += agent-test-bpf
.PHONY: agent-test-bpf
agent-test-bpf: build/plain/tests/test_agent_bpf bin/rampart
	@if [ "$(VARIANT)" = plain ]; then \
	  echo "== build/plain/tests/test_agent_bpf (root, BPF)"; \
	  RAMPART=bin/rampart tests/agent/run_bpf_tests.sh build/plain/tests/test_agent_bpf; \
	fi

# ---- benchmarks (`make bench`) ------------------------------------------------------
# The agent against no agent, against empty programs on the same hooks (the
# floor) and against bpftrace, in one run; as root.  bench/agent/bench_agent.c.
AGENT_BENCH := build/plain/bench/agent/bench_agent
$(AGENT_GEN)/floor.bpf.o: bench/agent/floor.bpf.c $(AGENT_GEN)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(AGENT_GEN)/floor.skel.h: $(AGENT_GEN)/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name rp_floor > $@.tmp && mv $@.tmp $@
$(AGENT_BENCH): bench/agent/bench_agent.c $(AGENT_GEN)/floor.skel.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(OPT_plain) $(WARN) -I$(AGENT_GEN) -o $@ $< -lbpf -lelf -lz

BENCHES += agent-bench
BENCH_BINS += $(AGENT_BENCH)
.PHONY: agent-bench
agent-bench: $(AGENT_BENCH) bin/rampart
	RAMPART=bin/rampart $(AGENT_BENCH)
