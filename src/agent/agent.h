/*
 * agent.h — the node agent's lifecycle: load and attach the BPF sensors,
 * drain the ring buffer into JSON lines, report drops, detach.
 *
 *   agent_config cfg;
 *   agent_config_defaults(&cfg);
 *   agent *a;
 *   if (agent_open(&cfg, sink, ctx, &a, &err) != RP_OK) ...   // load + attach
 *   while (!stop) agent_poll(a, cfg.poll_ms, &err);            // lines go to sink
 *   agent_close(a);                                            // detach (pins stay)
 *
 * Ownership: agent_open copies what it keeps from cfg (strings included);
 * the sink receives borrowed lines valid only during the call.  One thread
 * drives an agent.
 */
#ifndef RAMPART_AGENT_AGENT_H
#define RAMPART_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/rp.h"

#define AGENT_WATCH_MAX 256        /* --watch prefixes (RP_WATCH_MAX) */
#define AGENT_UDP_PORTS_MAX 64     /* --udp-port values (RP_UDP_PORTS_MAX) */
#define AGENT_POLL_MS_DEFAULT 50   /* latency of a quiet event; wake-ups cover bursts */
#define AGENT_CPUS_MAX 1024        /* per-CPU counters read back */

typedef struct {
    uint64_t types;                          /* RP_TYPE_BIT() set; 0 = all */
    const char *watch[AGENT_WATCH_MAX];      /* watched path prefixes */
    size_t nwatch;
    uint16_t udp_ports[AGENT_UDP_PORTS_MAX]; /* reported UDP destination ports */
    size_t nudp;
    uint32_t ringbuf_bytes;   /* power of two, >= 4096 */
    uint32_t wake_bytes;      /* backlog that wakes user space; 0 = ringbuf/8 */
    uint32_t poll_ms;
    const char *pin_dir;      /* NULL: nothing pinned */
    const char *btf_path;     /* NULL: /sys/kernel/btf/vmlinux */
    const char *cgroup_root;  /* NULL: found in /proc/self/mountinfo */
    const char *pods_path;    /* NULL: no pod attribution */
    const char *node_name;    /* NULL: every pod in the file */
    bool lsm;                 /* also load the BPF LSM exec hook */
    bool verbose;             /* libbpf's messages (verifier logs) to stderr */
} agent_config;

/* Defaults: every event type, the default watched prefixes, UDP port 53. */
void agent_config_defaults(agent_config *cfg);

typedef struct {
    uint64_t events;        /* written to the ring buffer (kernel count) */
    uint64_t drops;         /* lost: ring buffer full (kernel count) */
    uint64_t inflight_full; /* lost: too many syscalls in flight (kernel count) */
    uint64_t lines;         /* JSON lines handed to the sink */
    uint64_t malformed;     /* ring buffer records that were not a valid event */
} agent_stats;

/* One JSON line (no newline), borrowed for the duration of the call. */
typedef void (*agent_sink)(void *ctx, const char *line, size_t len);

typedef struct agent agent;

/* Loads and attaches everything cfg asks for.  Errors name what failed:
 * not root, no BTF, a program the kernel refuses (with its errno), a pin
 * directory that is not on bpffs. */
rp_status agent_open(const agent_config *cfg, agent_sink sink, void *ctx, agent **out,
                     rp_error *err);
/* Waits up to timeout_ms for a wake-up, then drains the ring buffer through
 * the sink; a rise in the drop counters is reported as a "drops" line.
 * *n (may be NULL) receives the number of lines written. */
rp_status agent_poll(agent *a, int timeout_ms, size_t *n, rp_error *err);
/* Reloads the pod file when it changed since the last load. */
rp_status agent_reload_pods(agent *a, rp_error *err);
/* Sums the kernel's per-CPU counters; per_cpu_drops (may be NULL) receives
 * up to cap per-CPU drop counts and *ncpu their number. */
rp_status agent_read_stats(agent *a, agent_stats *st, uint64_t *per_cpu_drops, size_t cap,
                           size_t *ncpu, rp_error *err);
/* Detaches (pinned links and maps stay pinned) and frees.  NULL is a no-op. */
void agent_close(agent *a);

/* What agent_open would attach, for --dry-run: programs, hooks, maps and
 * sizes, watched prefixes.  Loads nothing; needs no privileges. */
rp_status agent_dry_run(const agent_config *cfg, rp_buf *out, rp_error *err);

/* Removes the pins a previous run left under dir (links first, which
 * detaches the programs), then dir itself. */
rp_status agent_unpin(const char *dir, rp_error *err);

/* The default watched prefixes (NULL-terminated). */
const char *const *agent_default_watch(void);

#endif
