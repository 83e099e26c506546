/*
 * sensors.h — the sensors as user space sees them: names of event types and
 * syscalls, what each sensor attaches (for --dry-run), the map setup each
 * needs after load, and the JSON section each writes.
 *
 * One sensor = src/agent/bpf/<sensor>.bpf.c (kernel side) plus
 * src/agent/<sensor>.c (this side): process, network, file, priv.
 */
#ifndef RAMPART_AGENT_SENSORS_H
#define RAMPART_AGENT_SENSORS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/rp.h"
#include "bpf/events.h"

struct rampart_bpf; /* the generated skeleton (build/agent/rampart.skel.h) */

typedef struct {
    const char *name;     /* "process", "network", "file", "priv" */
    uint64_t types;       /* RP_TYPE_BIT() of the events it produces */
    const char *programs; /* BPF programs it needs, space-separated */
    const char *hooks;    /* where they attach */
    const char *syscalls; /* syscalls it decodes ("" for none) */
} agent_sensor_info;

/* The sensors, in a fixed order; the table is constant. */
const agent_sensor_info *agent_sensor_at(size_t i);
size_t agent_sensor_count(void);

/* "exec", "connect", ... ("" for RP_EV_NONE or out of range). */
const char *agent_event_type_name(uint32_t type);
/* A --filter word: an event type or a sensor name ("network"), or "all". */
bool agent_event_type_parse(const char *word, size_t n, uint64_t *bits);
#define AGENT_TYPES_ALL (((uint64_t)1 << RP_EV_TYPE_COUNT) - 2) /* every type but NONE */
#define AGENT_SYSCALL_TYPES (AGENT_TYPES_ALL & ~(RP_TYPE_BIT(RP_EV_EXEC) | \
                             RP_TYPE_BIT(RP_EV_FORK) | RP_TYPE_BIT(RP_EV_EXIT)))
/* The file sensor's types: it works at sys_exit alone (bpf/file.bpf.c). */
#define AGENT_FILE_TYPES (RP_TYPE_BIT(RP_EV_OPEN) | RP_TYPE_BIT(RP_EV_UNLINK) | \
                          RP_TYPE_BIT(RP_EV_RENAME) | RP_TYPE_BIT(RP_EV_CHMOD))

/* The name of a syscall the sensors decode ("openat"), or "unknown". */
const char *agent_syscall_name(uint32_t nr);

/* ---- per-sensor setup (after the skeleton is loaded) ---------------------- */

/* file.c: fills the watched-prefix trie and the quick filter.  Prefixes must
 * be absolute and at most RP_WATCH_KEY_MAX bytes. */
rp_status agent_file_setup(struct rampart_bpf *skel, const char *const *prefixes, size_t n,
                           rp_error *err);
/* Checks prefixes without a skeleton (for flag parsing and --dry-run). */
rp_status agent_file_check_prefixes(const char *const *prefixes, size_t n, rp_error *err);
/* How many leading bytes the quick filter hashes for these prefixes. */
uint32_t agent_file_quick_len(const char *const *prefixes, size_t n);
/* The quick filter's bit for a prefix's first k bytes, as the kernel computes it. */
uint32_t agent_file_bloom_bit(const char *prefix, uint32_t k);

/* network.c: the UDP destination ports whose sends are reported. */
rp_status agent_net_setup(struct rampart_bpf *skel, const uint16_t *ports, size_t n, rp_error *err);

/* ---- per-sensor JSON -------------------------------------------------------
 * Each writes its fields into an object the caller has opened, or a whole
 * "<section>":{...} member. */

/* process.c: the exec-only fields of "process" (exe, args, cwd, ...). */
void agent_exec_process_json(rp_buf *b, const struct rp_exec_event *e, size_t size);
/* process.c: "exit":{"code","signal","core_dumped"} */
void agent_exit_json(rp_buf *b, const struct rp_exit_event *e);
/* network.c: "network":{...} */
void agent_net_json(rp_buf *b, const struct rp_net_event *e);
/* file.c: "file":{...} */
void agent_file_json(rp_buf *b, const struct rp_file_event *e);
/* priv.c: "priv":{...} */
void agent_priv_json(rp_buf *b, const struct rp_priv_event *e);

#endif
