// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c — empty programs on the agent's hooks: the cost of merely
 * being attached there, against which the agent's own cost is measured
 * (bench_agent.c).  Each returns at once.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter) { return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit) { return 0; }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_exec) { return 0; }

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_fork) { return 0; }

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit) { return 0; }

char LICENSE[] SEC("license") = "GPL";
