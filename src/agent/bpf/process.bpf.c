// SPDX-License-Identifier: GPL-2.0
/*
 * process.bpf.c — the process sensor: exec, fork and exit, on the BTF
 * scheduler tracepoints (tp_btf/sched_process_*), which load on our kernels
 * where fentry, kprobes and LSM do not (DESIGN.md).
 *
 * At sched_process_exec the new image is mapped but has not run a user
 * instruction yet: argv is on the new stack, the credentials are the new
 * ones, and bprm->file is what will run (for a #! script, the interpreter;
 * the script's own path is bprm->filename).
 *
 * rp_exec_lsm is the LSM variant of the exec hook, for nodes whose kernel
 * allows BPF LSM (not ours: EPERM at load).  It is off unless --lsm asks for
 * it, and then a refusal is reported by name; the tracepoint above is the
 * path that works and is tested everywhere.
 */
#include "common.bpf.h"

struct rp_exec_scratch {
    struct rp_exec_event ev;
    struct rp_path_scratch ps;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct rp_exec_scratch);
} rp_exec_scratch SEC(".maps");

/* memfd_create names its file "memfd:<name>" (mm/memfd.c). */
static __always_inline bool rp_is_memfd(struct file *f)
{
    char name[8] = {};

    bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(f, f_path.dentry, d_name.name));
    return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
           name[4] == 'd' && name[5] == ':';
}

static __always_inline void rp_exec_paths(struct rp_exec_scratch *s, struct task_struct *task,
                                          struct linux_binprm *bprm)
{
    struct rp_exec_event *e = &s->ev;
    struct file *f = BPF_CORE_READ(bprm, file);
    struct file *pexe = BPF_CORE_READ(task, real_parent, mm, exe_file);

    bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
    if (rp_path_of(&s->ps, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), e->exe) < 0)
        e->flags |= RP_EXEC_EXE_TRUNCATED;
    if (rp_is_memfd(f))
        e->flags |= RP_EXEC_EXE_MEMFD;
    if (rp_path_of(&s->ps, BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt),
                      e->cwd) < 0)
        e->flags |= RP_EXEC_CWD_TRUNCATED;
    e->parent_exe[0] = 0;
    if (pexe) /* NULL for kernel threads (and a parent that is exiting) */
        rp_path_of(&s->ps, BPF_CORE_READ(pexe, f_path.dentry), BPF_CORE_READ(pexe, f_path.mnt),
                      e->parent_exe);
}

/* argv as the kernel laid it out on the new stack: NUL-separated strings. */
static __always_inline void rp_exec_args(struct rp_exec_event *e, struct task_struct *task,
                                         struct linux_binprm *bprm)
{
    unsigned long start = BPF_CORE_READ(task, mm, arg_start);
    unsigned long end = BPF_CORE_READ(task, mm, arg_end);
    __u64 len = end > start ? end - start : 0;

    e->argc = BPF_CORE_READ(bprm, argc);
    if (len > RP_ARGS_MAX) {
        len = RP_ARGS_MAX;
        e->flags |= RP_EXEC_ARGS_TRUNCATED;
    }
    if (len == 0 || bpf_probe_read_user(e->args, len, (void *)start)) {
        e->args_len = 0;
        return;
    }
    e->args[(len - 1) & (RP_ARGS_MAX - 1)] = 0; /* a cut argument still ends */
    e->args_len = len;
}

static __always_inline void rp_exec_creds(struct rp_exec_event *e, struct task_struct *task)
{
    const struct cred *cred = BPF_CORE_READ(task, cred);
    struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);

    e->egid = BPF_CORE_READ(cred, egid.val);
    /* kernel_cap_t is one u64 since 6.3 and two u32 before: 8 bytes either way. */
    bpf_probe_read_kernel(&e->cap_effective, sizeof(e->cap_effective), &cred->cap_effective);
    e->tty[0] = 0;
    if (tty)
        bpf_probe_read_kernel_str(e->tty, sizeof(e->tty), &tty->name);
    e->parent_start_ns = BPF_CORE_READ(task, real_parent, group_leader, start_boottime);
    bpf_probe_read_kernel(e->parent_comm, sizeof(e->parent_comm), &task->real_parent->comm);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(rp_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
    struct rp_exec_scratch *s;
    struct rp_exec_event *e;
    __u32 zero = 0;
    __u64 size;

    if (!rp_type_on(RP_EV_EXEC) || rp_is_self())
        return 0;
    s = bpf_map_lookup_elem(&rp_exec_scratch, &zero);
    if (!s)
        return 0;
    e = &s->ev;
    e->flags = 0;
    rp_exec_paths(s, task, bprm);
    rp_exec_args(e, task, bprm);
    rp_exec_creds(e, task);
    size = __builtin_offsetof(struct rp_exec_event, args) + e->args_len;
    if (size > sizeof(*e))
        size = sizeof(*e);
    rp_hdr_fill_current(&e->hdr, RP_EV_EXEC, size);
    rp_output(e, size);
    return 0;
}

static __always_inline __u64 rp_task_cgroup_id(struct task_struct *task)
{
    return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(rp_fork, struct task_struct *parent, struct task_struct *child)
{
    struct rp_fork_event *e;

    if (!rp_type_on(RP_EV_FORK) || rp_is_self())
        return 0;
    /* Threads share the process: only new processes are reported. */
    if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
        return 0;
    e = bpf_ringbuf_reserve(&rp_events, sizeof(*e), 0);
    if (!e) {
        rp_stat_inc(RP_STAT_DROPS);
        return 0;
    }
    rp_hdr_fill(&e->hdr, RP_EV_FORK, sizeof(*e), child, rp_task_cgroup_id(child));
    e->parent_tid = BPF_CORE_READ(parent, pid);
    e->pad = 0;
    bpf_ringbuf_submit(e, rp_wake_flag());
    rp_stat_inc(RP_STAT_EVENTS);
    return 0;
}

/* Only the first argument is read: the group_dead flag that 6.18 passes is
 * not there on older kernels, and signal->live says the same everywhere. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(rp_exit, struct task_struct *task)
{
    struct rp_exit_event *e;

    if (!rp_type_on(RP_EV_EXIT) || rp_is_self())
        return 0;
    if (BPF_CORE_READ(task, signal, live.counter) != 0)
        return 0; /* other threads of the process live on */
    e = bpf_ringbuf_reserve(&rp_events, sizeof(*e), 0);
    if (!e) {
        rp_stat_inc(RP_STAT_DROPS);
        return 0;
    }
    rp_hdr_fill_current(&e->hdr, RP_EV_EXIT, sizeof(*e));
    e->status = BPF_CORE_READ(task, exit_code);
    e->pad = 0;
    bpf_ringbuf_submit(e, rp_wake_flag());
    rp_stat_inc(RP_STAT_EVENTS);
    return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(rp_exec_lsm, struct linux_binprm *bprm, int ret)
{
    /* Placeholder for the in-kernel kill list on LSM-capable nodes: allows. */
    return ret;
}
