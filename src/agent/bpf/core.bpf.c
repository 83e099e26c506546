// SPDX-License-Identifier: GPL-2.0
/*
 * core.bpf.c — the maps and config every sensor shares, and the one
 * sys_enter/sys_exit program pair that hands syscalls to the sensors.
 *
 * Why one dispatcher: every program attached to sys_enter or sys_exit runs
 * on every syscall of the machine, and an empty one already costs ~60-90 ns
 * here (DESIGN.md).  A program per sensor would pay that per sensor; one
 * switch on the syscall number pays it once and sends the few syscalls we
 * decode to the sensor's global function (verified on its own, so the
 * sensors stay independent for the verifier too).  User space attaches
 * sys_exit when any syscall sensor is on and sys_enter only for the network
 * and privilege sensors (the file sensor works at sys_exit alone).
 *
 * What a hook costs on a syscall that is not ours is mostly memory: on this
 * kernel (PTI without PCID) every syscall flushes the TLB, so the first read
 * of any map page costs a refill (~20-30 ns); the switch itself costs next
 * to nothing.  So the hot paths switch first and read one page at most.
 */
#include "common.bpf.h"
#include "sensors.bpf.h"

/* The one ring buffer all events go through (size set by user space). */
struct rp_events_map rp_events SEC(".maps");
/* Per-CPU counters (enum rp_stat): user space sums and exports them. */
struct rp_stats_map rp_stats SEC(".maps");

const volatile __u64 rp_cfg_types = 0;
const volatile __u32 rp_cfg_self_tgid = 0;
const volatile __u64 rp_cfg_wake_bytes = 1 << 20;

#define RP_NET_TYPES (RP_TYPE_BIT(RP_EV_CONNECT) | RP_TYPE_BIT(RP_EV_ACCEPT) | \
                      RP_TYPE_BIT(RP_EV_LISTEN) | RP_TYPE_BIT(RP_EV_BIND) |    \
                      RP_TYPE_BIT(RP_EV_SEND))

/* State of one dentry walk, shared with the bpf_loop callbacks below.  The
 * walks use bpf_loop so the verifier checks each step once instead of
 * unrolling RP_PATH_DEPTH iterations per caller. */
/* bpf_rdonly_cast gives a kernel address back its BTF type, so the walk
 * reads d_parent and friends with plain fault-safe loads instead of a
 * helper call each (the verifier turns the cast into a register move). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define RP_AS(type, addr) ((type *)bpf_rdonly_cast((void *)(addr), bpf_core_type_id_kernel(type)))

/* The walk's moving parts, passed to the bpf_loop callbacks: kernel
 * addresses as plain numbers, cast back where they are read. */
struct rp_walk {
    struct rp_path_scratch *s;
    __u64 dentry;
    __u64 mnt;
    __u64 root;
};

/* One step up from w->dentry towards the root of the task's mount
 * namespace, crossing mount points; collects names leaf first. */
static long rp_walk_up(__u32 i, void *ctx)
{
    struct rp_walk *w = ctx;
    struct rp_path_scratch *s = w->s;
    struct dentry *dentry = RP_AS(struct dentry, w->dentry);
    __u64 parent = (__u64)dentry->d_parent;
    __u64 n = s->n;

    if (w->dentry == w->root || w->dentry == parent) {
        struct mount *mnt = RP_AS(struct mount, w->mnt);
        __u64 up = (__u64)mnt->mnt_parent;
        /* A dentry that is its own parent without being the mount's root is
         * a pseudo file (memfd, pipe, socket: alloc_file_pseudo): its name
         * is all the path there is.  The namespace's root mount is its own
         * parent: the walk ends there. */
        if (w->dentry != w->root) {
            if (n < RP_PATH_DEPTH) {
                s->dents[n & (RP_PATH_DEPTH - 1)] = (__u64)dentry->d_name.name;
                s->n = n + 1;
            }
            s->cut = 0;
            return 1;
        }
        if (up == w->mnt) {
            s->cut = 0;
            return 1;
        }
        w->dentry = (__u64)mnt->mnt_mountpoint;
        w->mnt = up;
        w->root = (__u64)RP_AS(struct mount, up)->mnt.mnt_root;
        return 0;
    }
    if (n >= RP_PATH_DEPTH)
        return 1; /* cut stays set */
    /* The name, not the dentry: emitting then needs one string copy only. */
    s->dents[n & (RP_PATH_DEPTH - 1)] = (__u64)dentry->d_name.name;
    s->n = n + 1;
    w->dentry = parent;
    return 0;
}

/* Appends "/<name>" for the i-th component counted from the root. */
static long rp_walk_emit(__u32 i, void *ctx)
{
    struct rp_walk *w = ctx;
    struct rp_path_scratch *s = w->s;
    __u64 off = s->off, n = s->n;
    long len;

    if (i >= n)
        return 1;
    if (off >= RP_PATH_MAX - 1) {
        s->cut = 1;
        return 1;
    }
    s->buf[off & (RP_PATH_MAX - 1)] = '/';
    off++;
    len = bpf_probe_read_kernel_str(&s->buf[off & (RP_PATH_MAX - 1)], RP_PATH_MAX,
                                    (const void *)s->dents[(n - 1 - i) & (RP_PATH_DEPTH - 1)]);
    if (len > 1 && len <= RP_PATH_MAX)
        off += len - 1;
    s->off = off;
    return 0;
}

/* See common.bpf.h. */
__noinline int rp_path_write(struct rp_path_scratch *s, __u64 dentry, __u64 vfsmnt,
                             struct rp_path_buf *out)
{
    struct rp_walk w;
    __u64 off;

    if (!s || !out || !dentry || !vfsmnt)
        return -1;
    w.s = s;
    w.dentry = dentry;
    w.mnt = vfsmnt - bpf_core_field_offset(struct mount, mnt);
    w.root = (__u64)RP_AS(struct vfsmount, vfsmnt)->mnt_root;
    s->n = 0;
    s->off = 0;
    s->cut = 1;
    /* RP_PATH_DEPTH names plus a few mount crossings. */
    bpf_loop(RP_PATH_DEPTH + 8, rp_walk_up, &w, 0);
    bpf_loop(RP_PATH_DEPTH, rp_walk_emit, &w, 0);
    off = s->off;
    if (off == 0)
        s->buf[0] = '/', off = 1;
    if (off > RP_PATH_MAX - 1) {
        off = RP_PATH_MAX - 1;
        s->cut = 1;
    }
    s->buf[off & (RP_PATH_MAX - 1)] = 0;
    bpf_probe_read_kernel(out->s, RP_PATH_MAX, s->buf);
    return s->cut ? -1 : (int)off;
}

/* The file sensor at sys_exit, where the kernel has just read the path
 * itself: its user page is still mapped in the TLB, so the quick filter's
 * 8-byte read costs a third of what it costs at sys_enter on a kernel that
 * flushes the TLB on every syscall (PTI without PCID, as here).  The hot
 * path: most opens are of unwatched absolute paths and end here, having
 * touched one page of .bss and no other map. */
static __always_inline int rp_exit_file(struct pt_regs *regs, long id, long ret)
{
    if ((id == RP_NR_openat || id == RP_NR_openat2) && !rp_file_quick_maybe((const char *)regs->si))
        return 0;
    if ((id == RP_NR_open || id == RP_NR_creat) && !rp_file_quick_maybe((const char *)regs->di))
        return 0;
    return rp_file_exit(id, ret);
}

static __always_inline int rp_enter_net(struct pt_regs *regs, long id)
{
    if (!(rp_cfg_types & RP_NET_TYPES) || rp_is_self())
        return 0;
    /* Normalised to (fd, sockaddr or msghdr pointer, length). */
    if (id == RP_NR_sendto)
        return rp_net_enter(id, regs->di, regs->r8, regs->r9);
    return rp_net_enter(id, regs->di, regs->si, regs->dx);
}

static __always_inline int rp_enter_priv(struct pt_regs *regs, long id)
{
    if (!(rp_cfg_types & RP_PRIV_TYPES) || rp_is_self())
        return 0;
    return rp_priv_enter(id, regs->di, regs->si, regs->dx, regs->r10);
}

/* The network and privilege sensors start at sys_enter: they keep what
 * was true before the call (the credentials a setuid replaces).  The file
 * sensor works at sys_exit only. */
SEC("tp_btf/sys_enter")
int BPF_PROG(rp_sys_enter, struct pt_regs *regs, long id)
{
    switch (id) {
    case RP_NR_connect: case RP_NR_accept: case RP_NR_accept4: case RP_NR_listen:
    case RP_NR_bind: case RP_NR_sendto: case RP_NR_sendmsg: case RP_NR_sendmmsg:
        return rp_enter_net(regs, id);
    case RP_NR_ptrace:
    case RP_NR_setuid: case RP_NR_setgid: case RP_NR_setreuid: case RP_NR_setregid:
    case RP_NR_setresuid: case RP_NR_setresgid: case RP_NR_setfsuid: case RP_NR_setfsgid:
    case RP_NR_capset: case RP_NR_mount: case RP_NR_umount2:
    case RP_NR_init_module: case RP_NR_finit_module: case RP_NR_bpf:
    case RP_NR_unshare: case RP_NR_setns: case RP_NR_memfd_create:
        return rp_enter_priv(regs, id);
    default:
        return 0;
    }
}

/* Switches on the syscall number first (a register on the kernel stack)
 * and reads a sensor's state only for that sensor's syscalls: any map read
 * costs a TLB refill on every syscall here, so close(), read() and the rest
 * leave without touching memory.  The rodata config is not read on this
 * path either: the pending counts and the quick filter say "off". */
SEC("tp_btf/sys_exit")
int BPF_PROG(rp_sys_exit, struct pt_regs *regs, long ret)
{
    long id = regs->orig_ax;

    switch (id) {
    case RP_NR_open: case RP_NR_creat: case RP_NR_openat: case RP_NR_openat2:
    case RP_NR_unlink: case RP_NR_unlinkat:
    case RP_NR_rename: case RP_NR_renameat: case RP_NR_renameat2:
    case RP_NR_chmod: case RP_NR_fchmod: case RP_NR_fchmodat: case RP_NR_fchmodat2:
        return rp_exit_file(regs, id, ret);
    case RP_NR_connect: case RP_NR_accept: case RP_NR_accept4: case RP_NR_listen:
    case RP_NR_bind: case RP_NR_sendto: case RP_NR_sendmsg: case RP_NR_sendmmsg:
        /* Nothing pending is the common case: no call, no lookup. */
        if (rp_net_pending <= 0)
            return 0;
        return rp_net_exit(id, ret);
    case RP_NR_ptrace:
    case RP_NR_setuid: case RP_NR_setgid: case RP_NR_setreuid: case RP_NR_setregid:
    case RP_NR_setresuid: case RP_NR_setresgid: case RP_NR_setfsuid: case RP_NR_setfsgid:
    case RP_NR_capset: case RP_NR_mount: case RP_NR_umount2:
    case RP_NR_init_module: case RP_NR_finit_module: case RP_NR_bpf:
    case RP_NR_unshare: case RP_NR_setns: case RP_NR_memfd_create:
        if (rp_priv_pending <= 0)
            return 0;
        return rp_priv_exit(id, ret);
    default:
        return 0;
    }
}

char LICENSE[] SEC("license") = "GPL";
