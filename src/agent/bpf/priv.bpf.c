// SPDX-License-Identifier: GPL-2.0
/*
 * priv.bpf.c — the privilege sensor: set*uid/set*gid, capset, ptrace,
 * mount/umount2, init_module/finit_module, bpf() loads and attaches,
 * unshare/setns and memfd_create.  (Exec from a memfd is flagged on the exec
 * event by the process sensor.)
 *
 * These calls are rare on a healthy node, so every one is reported, with the
 * result: a failed setuid(0) matters as much as a successful one.  The
 * arguments are decoded in the kernel only as far as user memory must be
 * read now (strings, capset data, bpf_attr); the meaning of args[] per
 * syscall is documented in events.h.
 */
#include "common.bpf.h"
#include "sensors.bpf.h"

/* Threads inside one of these syscalls at once; they do not block long. */
#define RP_PRIV_INFLIGHT_MAX 1024

/* bpf() commands worth reporting: the ones that load or attach something. */
#define RP_BPF_MAP_CREATE 0
#define RP_BPF_PROG_LOAD 5
#define RP_BPF_OBJ_PIN 6
#define RP_BPF_PROG_ATTACH 8
#define RP_BPF_RAW_TRACEPOINT_OPEN 17
#define RP_BPF_BTF_LOAD 18
#define RP_BPF_LINK_CREATE 28
/* Offsets in union bpf_attr (stable ABI). */
#define RP_BPF_ATTR_PROG_NAME 48
#define RP_BPF_ATTR_MAP_NAME 28
#define RP_BPF_OBJ_NAME_LEN 16

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, RP_PRIV_INFLIGHT_MAX);
    __type(key, __u64); /* pid_tgid */
    __type(value, struct rp_priv_event);
} rp_priv_inflight SEC(".maps");

struct rp_priv_scratch {
    struct rp_priv_event ev;
    struct rp_path_scratch ps;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct rp_priv_scratch);
} rp_priv_scratch SEC(".maps");

__s64 rp_priv_pending; /* entries in rp_priv_inflight */

static __always_inline enum rp_event_type rp_priv_type(long id)
{
    switch (id) {
    case RP_NR_setuid: case RP_NR_setreuid: case RP_NR_setresuid: case RP_NR_setfsuid:
        return RP_EV_SETUID;
    case RP_NR_setgid: case RP_NR_setregid: case RP_NR_setresgid: case RP_NR_setfsgid:
        return RP_EV_SETGID;
    case RP_NR_capset: return RP_EV_CAPSET;
    case RP_NR_ptrace: return RP_EV_PTRACE;
    case RP_NR_mount: case RP_NR_umount2: return RP_EV_MOUNT;
    case RP_NR_init_module: case RP_NR_finit_module: return RP_EV_MODULE;
    case RP_NR_bpf: return RP_EV_BPF;
    case RP_NR_unshare: return RP_EV_UNSHARE;
    case RP_NR_setns: return RP_EV_SETNS;
    case RP_NR_memfd_create: return RP_EV_MEMFD;
    default: return RP_EV_NONE;
    }
}

static __always_inline void rp_fd_path(struct rp_path_scratch *ps, long fd, char *out)
{
    struct file *f = rp_fd_file(fd);

    if (f)
        rp_path_of(ps, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), out);
}

/* capset(hdr, data): version and pid, then three u32 sets per 32 bits. */
static __always_inline void rp_capset_args(struct rp_priv_event *e, __u64 uhdr, __u64 udata)
{
    __u32 h[2] = {0, 0};
    __u32 d[6] = {0, 0, 0, 0, 0, 0}; /* effective, permitted, inheritable x2 */

    bpf_probe_read_user(h, sizeof(h), (void *)uhdr);
    bpf_probe_read_user(d, sizeof(d), (void *)udata);
    e->args[0] = h[1];
    e->args[1] = d[0] | (__u64)d[3] << 32;
    e->args[2] = d[1] | (__u64)d[4] << 32;
    e->args[3] = d[2] | (__u64)d[5] << 32;
}

/* bpf(cmd, attr, size): false for commands that are not reported. */
static __always_inline bool rp_bpf_args(struct rp_priv_event *e, __u64 cmd, __u64 uattr, __u64 size)
{
    __u32 kind = 0;

    switch (cmd) {
    case RP_BPF_PROG_LOAD:
    case RP_BPF_MAP_CREATE:
        bpf_probe_read_user(&kind, sizeof(kind), (void *)uattr);
        e->args[1] = kind;
        if (size >= RP_BPF_ATTR_PROG_NAME + RP_BPF_OBJ_NAME_LEN)
            bpf_probe_read_user_str(e->str2, RP_BPF_OBJ_NAME_LEN,
                                    (char *)uattr + (cmd == RP_BPF_PROG_LOAD ? RP_BPF_ATTR_PROG_NAME
                                                                              : RP_BPF_ATTR_MAP_NAME));
        return true;
    case RP_BPF_OBJ_PIN:
    case RP_BPF_PROG_ATTACH:
    case RP_BPF_RAW_TRACEPOINT_OPEN:
    case RP_BPF_BTF_LOAD:
    case RP_BPF_LINK_CREATE:
        return true;
    default:
        return false;
    }
}

/* Decodes the arguments that live in user memory; false to skip the call. */
static __always_inline bool rp_priv_args(struct rp_priv_scratch *s, long id, __u64 a0, __u64 a1,
                                         __u64 a2, __u64 a3)
{
    struct rp_priv_event *e = &s->ev;

    e->args[0] = a0, e->args[1] = a1, e->args[2] = a2, e->args[3] = a3, e->args[4] = 0;
    switch (id) {
    case RP_NR_capset:
        rp_capset_args(e, a0, a1);
        return true;
    case RP_NR_mount:
        e->args[0] = a3;
        bpf_probe_read_user_str(e->str0, RP_PATH_MAX, (void *)a0);
        bpf_probe_read_user_str(e->str1, RP_PATH_MAX, (void *)a1);
        bpf_probe_read_user_str(e->str2, RP_FSTYPE_LEN, (void *)a2);
        return true;
    case RP_NR_umount2:
        e->args[0] = a1;
        bpf_probe_read_user_str(e->str1, RP_PATH_MAX, (void *)a0);
        return true;
    case RP_NR_init_module:
        e->args[0] = a1;
        bpf_probe_read_user_str(e->str1, RP_PATH_MAX, (void *)a2);
        return true;
    case RP_NR_finit_module:
        e->args[1] = a2;
        rp_fd_path(&s->ps, a0, e->str0);
        bpf_probe_read_user_str(e->str1, RP_PATH_MAX, (void *)a1);
        return true;
    case RP_NR_bpf:
        e->args[1] = 0;
        return rp_bpf_args(e, a0, a1, a2);
    case RP_NR_setns:
        rp_fd_path(&s->ps, a0, e->str0);
        return true;
    case RP_NR_memfd_create:
        e->args[0] = a1;
        bpf_probe_read_user_str(e->str0, RP_PATH_MAX, (void *)a0);
        return true;
    default:
        return true;
    }
}

__noinline int rp_priv_enter(long id, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
    enum rp_event_type type = rp_priv_type(id);
    struct rp_priv_scratch *s;
    __u32 zero = 0;

    if (type == RP_EV_NONE || !rp_type_on(type))
        return 0;
    s = bpf_map_lookup_elem(&rp_priv_scratch, &zero);
    if (!s)
        return 0;
    s->ev.str0[0] = s->ev.str1[0] = s->ev.str2[0] = 0;
    if (!rp_priv_args(s, id, a0, a1, a2, a3))
        return 0;
    rp_hdr_fill_current(&s->ev.hdr, type, sizeof(s->ev));
    s->ev.syscall = id;
    s->ev.pad = 0;
    s->ev.result = 0;
    rp_inflight_put(&rp_priv_inflight, bpf_get_current_pid_tgid(), &s->ev, &rp_priv_pending);
    return 0;
}

__noinline int rp_priv_exit(long id, long ret)
{
    struct rp_priv_event *e;
    __u64 key;

    if (rp_priv_pending <= 0)
        return 0;
    key = bpf_get_current_pid_tgid();
    e = bpf_map_lookup_elem(&rp_priv_inflight, &key);
    if (!e)
        return 0;
    if (e->syscall == id) {
        e->result = ret;
        rp_output(e, sizeof(*e));
    }
    rp_inflight_del(&rp_priv_inflight, key, &rp_priv_pending);
    return 0;
}
