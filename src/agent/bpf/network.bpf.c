// SPDX-License-Identifier: GPL-2.0
/*
 * network.bpf.c — the network sensor: connect, accept/accept4, listen, bind
 * on IPv4/IPv6 sockets, and UDP sendto/sendmsg/sendmmsg to watched
 * destination ports (DNS by default).
 *
 * The tuple is always (local, remote) from the calling process's side:
 * saddr/sport are this socket's address, daddr/dport the peer's.  What the
 * syscall's arguments tell is read at sys_enter (user memory is only ours
 * then); what the kernel decides (the local port a connect picked, the peer
 * of an accepted socket, the result) is read from the socket at sys_exit.
 * Unix sockets are skipped here: they carry no network tuple.
 */
#include "common.bpf.h"
#include "sensors.bpf.h"

/* Threads blocked in accept/connect at once: thread-per-connection servers
 * can park thousands; overflow is counted as RP_STAT_INFLIGHT_FULL. */
#define RP_NET_INFLIGHT_MAX 8192

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, RP_NET_INFLIGHT_MAX);
    __type(key, __u64); /* pid_tgid */
    __type(value, struct rp_net_event);
} rp_net_inflight SEC(".maps");

/* UDP destination ports whose sends are reported (filled by user space). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, RP_UDP_PORTS_MAX);
    __type(key, __u16); /* host order */
    __type(value, __u8);
} rp_udp_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct rp_net_event);
} rp_net_scratch SEC(".maps");

__s64 rp_net_pending; /* entries in rp_net_inflight */

#define RP_IPPROTO_UDP 17

static __always_inline struct sock *rp_fd_sock(long fd)
{
    struct file *f = rp_fd_file(fd);
    struct socket *sock;
    umode_t mode;

    if (!f)
        return NULL;
    mode = BPF_CORE_READ(f, f_inode, i_mode);
    if ((mode & RP_S_IFMT) != RP_S_IFSOCK)
        return NULL;
    sock = BPF_CORE_READ(f, private_data);
    return BPF_CORE_READ(sock, sk);
}

static __always_inline bool rp_inet(__u16 family)
{
    return family == RP_AF_INET || family == RP_AF_INET6;
}

/* Fills family, proto and the local (and, when remote, the peer) address
 * from a socket. */
static __always_inline void rp_sock_tuple(struct sock *sk, struct rp_net_event *e, bool remote)
{
    if (!sk)
        return;
    e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
    e->proto = BPF_CORE_READ(sk, sk_protocol);
    e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
    if (e->family == RP_AF_INET) {
        BPF_CORE_READ_INTO((__u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
        if (remote)
            BPF_CORE_READ_INTO((__u32 *)e->daddr, sk, __sk_common.skc_daddr);
    } else if (e->family == RP_AF_INET6) {
        BPF_CORE_READ_INTO((struct in6_addr *)e->saddr, sk, __sk_common.skc_v6_rcv_saddr);
        if (remote)
            BPF_CORE_READ_INTO((struct in6_addr *)e->daddr, sk, __sk_common.skc_v6_daddr);
    }
    if (remote)
        e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/* Reads an AF_INET/AF_INET6 sockaddr from user memory into (addr, port);
 * returns its family, or 0 for anything else. */
static __always_inline __u16 rp_sockaddr(const void *uaddr, __u64 len, __u8 *addr, __u16 *port)
{
    struct {
        __u16 family;
        __u16 port; /* network order */
        __u32 v4;   /* sin6_flowinfo for AF_INET6 */
        __u8 rest[8];
    } sa = {};

    if (!uaddr || len < 16 || bpf_probe_read_user(&sa, sizeof(sa), uaddr))
        return 0;
    if (sa.family == RP_AF_INET) {
        __builtin_memcpy(addr, &sa.v4, 4);
    } else if (sa.family == RP_AF_INET6 && len >= 24) {
        bpf_probe_read_user(addr, 16, (const char *)uaddr + 8);
    } else {
        return 0;
    }
    *port = bpf_ntohs(sa.port);
    return sa.family;
}

/* The destination of a send: its address argument, or the connected peer. */
static __always_inline bool rp_send_dest(long id, __u64 arg, __u64 len, struct sock *sk,
                                         struct rp_net_event *e)
{
    const void *name = (const void *)arg;
    __u64 namelen = len;

    if (id != RP_NR_sendto) {
        /* sendmsg's msghdr, or the first of sendmmsg's (msg_hdr is first). */
        struct user_msghdr mh = {};
        if (bpf_probe_read_user(&mh, sizeof(mh), (const void *)arg))
            return false;
        name = mh.msg_name;
        namelen = mh.msg_namelen;
    }
    if (name)
        return rp_sockaddr(name, namelen, e->daddr, &e->dport) != 0;
    rp_sock_tuple(sk, e, true);
    return true;
}

static __always_inline enum rp_event_type rp_net_type(long id)
{
    switch (id) {
    case RP_NR_connect: return RP_EV_CONNECT;
    case RP_NR_accept: case RP_NR_accept4: return RP_EV_ACCEPT;
    case RP_NR_listen: return RP_EV_LISTEN;
    case RP_NR_bind: return RP_EV_BIND;
    case RP_NR_sendto: case RP_NR_sendmsg: case RP_NR_sendmmsg: return RP_EV_SEND;
    default: return RP_EV_NONE;
    }
}

/* Fills what sys_enter knows; false when the call is not reported. */
static __always_inline bool rp_net_begin(long id, enum rp_event_type type, __u64 addr,
                                         __u64 addrlen, struct sock *sk, struct rp_net_event *e)
{
    __u16 family, proto;

    if (!sk)
        return false;
    family = BPF_CORE_READ(sk, __sk_common.skc_family);
    proto = BPF_CORE_READ(sk, sk_protocol);
    if (!rp_inet(family))
        return false;
    e->family = family;
    e->proto = proto;
    switch (type) {
    case RP_EV_CONNECT:
        return rp_sockaddr((void *)addr, addrlen, e->daddr, &e->dport) != 0;
    case RP_EV_BIND:
        return rp_sockaddr((void *)addr, addrlen, e->saddr, &e->sport) != 0;
    case RP_EV_SEND: {
        __u16 port;
        if (proto != RP_IPPROTO_UDP || !rp_send_dest(id, addr, addrlen, sk, e))
            return false;
        port = e->dport;
        return bpf_map_lookup_elem(&rp_udp_ports, &port) != NULL;
    }
    case RP_EV_ACCEPT:
    case RP_EV_LISTEN:
        return true; /* the tuple is read at sys_exit */
    default:
        return false;
    }
}

__noinline int rp_net_enter(long id, __u64 fd, __u64 addr, __u64 addrlen)
{
    enum rp_event_type type = rp_net_type(id);
    struct rp_net_event *e;
    __u32 zero = 0;

    if (type == RP_EV_NONE || !rp_type_on(type))
        return 0;
    e = bpf_map_lookup_elem(&rp_net_scratch, &zero);
    if (!e)
        return 0;
    __builtin_memset(e->saddr, 0, sizeof(e->saddr));
    __builtin_memset(e->daddr, 0, sizeof(e->daddr));
    e->sport = e->dport = 0;
    e->syscall = id;
    e->fd = fd;
    e->result = 0;
    if (!rp_net_begin(id, type, addr, addrlen, rp_fd_sock(fd), e))
        return 0;
    rp_hdr_fill_current(&e->hdr, type, sizeof(*e));
    rp_inflight_put(&rp_net_inflight, bpf_get_current_pid_tgid(), e, &rp_net_pending);
    return 0;
}

__noinline int rp_net_exit(long id, long ret)
{
    struct rp_net_event *e;
    __u64 key;

    if (rp_net_pending <= 0)
        return 0;
    key = bpf_get_current_pid_tgid();
    e = bpf_map_lookup_elem(&rp_net_inflight, &key);
    if (!e)
        return 0;
    if (e->syscall != id)
        goto out;
    switch (e->hdr.type) {
    case RP_EV_ACCEPT:
        /* A failed accept (EAGAIN on a non-blocking listener) is noise. */
        if (ret < 0)
            goto out;
        rp_sock_tuple(rp_fd_sock(ret), e, true);
        break;
    case RP_EV_CONNECT:
    case RP_EV_LISTEN: {
        /* The local address the kernel chose; the peer came from the call. */
        __u16 dport = e->dport;
        rp_sock_tuple(rp_fd_sock(e->fd), e, false);
        e->dport = dport;
        break;
    }
    default:
        break;
    }
    e->result = ret;
    rp_output(e, sizeof(*e));
out:
    rp_inflight_del(&rp_net_inflight, key, &rp_net_pending);
    return 0;
}
