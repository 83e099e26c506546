/*
 * network.c — the network sensor's user-space half: the watched UDP ports
 * map, and the "network" section of connect/accept/listen/bind/send events
 * (the kernel half is bpf/network.bpf.c).
 *
 * The tuple is written from the calling process's side: saddr/sport are its
 * socket's address, daddr/dport the peer's (for accept, the client).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "agent_int.h"
#include "jsonw.h"
#include "sensors.h"
#include "skel.h"

rp_status agent_net_setup(struct rampart_bpf *skel, const uint16_t *ports, size_t n, rp_error *err)
{
    int fd = bpf_map__fd(skel->maps.rp_udp_ports);
    uint8_t on = 1;

    if (n > RP_UDP_PORTS_MAX)
        return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){0}, "more than %d UDP ports",
                            RP_UDP_PORTS_MAX);
    if (agent_map_clear(fd, sizeof(uint16_t), "rp_udp_ports", err) != RP_OK)
        return err->code;
    for (size_t i = 0; i < n; i++) {
        uint16_t port = ports[i];
        if (bpf_map_update_elem(fd, &port, &on, BPF_ANY))
            return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "rp_udp_ports: %s", strerror(errno));
    }
    return RP_OK;
}

static void addr_json(rp_buf *b, const char *key, uint16_t family, const uint8_t *addr)
{
    char text[INET6_ADDRSTRLEN];

    if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, text, sizeof(text)))
        text[0] = 0;
    jw_str(b, key, text);
}

static const char *proto_name(uint16_t proto)
{
    switch (proto) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    case IPPROTO_SCTP: return "sctp";
    default: return NULL;
    }
}

void agent_net_json(rp_buf *b, const struct rp_net_event *e)
{
    const char *proto = proto_name(e->proto);

    jw_obj(b, "network");
    jw_str(b, "syscall", agent_syscall_name(e->syscall));
    if (proto)
        jw_str(b, "proto", proto);
    else
        jw_u64(b, "proto", e->proto);
    jw_str(b, "family", e->family == AF_INET6 ? "ipv6" : "ipv4");
    addr_json(b, "saddr", e->family, e->saddr);
    jw_u64(b, "sport", e->sport);
    addr_json(b, "daddr", e->family, e->daddr);
    jw_u64(b, "dport", e->dport);
    jw_i64(b, "fd", e->fd);
    jw_i64(b, "result", e->result);
    jw_end(b);
}
