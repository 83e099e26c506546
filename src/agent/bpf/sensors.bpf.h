/*
 * sensors.bpf.h — the entry points the syscall dispatcher (core.bpf.c)
 * calls in the syscall sensors.  They are global BPF functions: verified on
 * their own and taking scalars only (a global function cannot take the
 * tracing context), so the dispatcher passes the syscall arguments it read
 * from pt_regs, or the sensor reads them from the task's saved registers.
 * Each returns 0.
 */
#ifndef RAMPART_AGENT_BPF_SENSORS_BPF_H
#define RAMPART_AGENT_BPF_SENSORS_BPF_H

#define RP_PRIV_TYPES (RP_TYPE_BIT(RP_EV_SETUID) | RP_TYPE_BIT(RP_EV_SETGID) |  \
                       RP_TYPE_BIT(RP_EV_CAPSET) | RP_TYPE_BIT(RP_EV_PTRACE) |  \
                       RP_TYPE_BIT(RP_EV_MOUNT) | RP_TYPE_BIT(RP_EV_MODULE) |   \
                       RP_TYPE_BIT(RP_EV_BPF) | RP_TYPE_BIT(RP_EV_UNSHARE) |    \
                       RP_TYPE_BIT(RP_EV_SETNS) | RP_TYPE_BIT(RP_EV_MEMFD))

/* file.bpf.c: at sys_exit only; reads the arguments itself. */
__noinline int rp_file_exit(long id, long ret);

/* network.bpf.c: (fd, sockaddr or msghdr pointer, address length). */
__noinline int rp_net_enter(long id, __u64 fd, __u64 addr, __u64 addrlen);
__noinline int rp_net_exit(long id, long ret);

/* priv.bpf.c: the syscall's first four arguments. */
__noinline int rp_priv_enter(long id, __u64 a0, __u64 a1, __u64 a2, __u64 a3);
__noinline int rp_priv_exit(long id, long ret);

/* Entries pending in each sensor's in-flight map (defined by the sensor). */
extern __s64 rp_net_pending;
extern __s64 rp_priv_pending;

/* In-flight syscalls (network, privilege): the event is built at sys_enter,
 * while what the call changes is still as it was (a setuid's credentials),
 * and sent at sys_exit with the result.  Each sensor keeps a
 * count of its entries so sys_exit can skip the hash lookup while nothing is
 * pending: the common case on the hot path. */
static __always_inline void rp_inflight_put(void *map, __u64 key, void *val, __s64 *pending)
{
    long err = bpf_map_update_elem(map, &key, val, BPF_NOEXIST);
    if (err == 0) {
        __sync_fetch_and_add(pending, 1);
        return;
    }
    /* An entry left by a syscall that never returned (the thread went away
     * in it) is simply replaced; a full map loses the event, counted. */
    if (bpf_map_update_elem(map, &key, val, BPF_EXIST))
        rp_stat_inc(RP_STAT_INFLIGHT_FULL);
}

static __always_inline void rp_inflight_del(void *map, __u64 key, __s64 *pending)
{
    if (bpf_map_delete_elem(map, &key) == 0)
        __sync_fetch_and_add(pending, -1);
}

#endif
