/*
 * event.h — one kernel event → one JSON line, with the process, container
 * and pod it belongs to.
 *
 * The line's shape is the runtime policy input (DESIGN.md, package
 * rampart.runtime): {"time_ns","type","host","process","parent","container",
 * "pod", and one section per kind: "exit","network","file","priv"}.  Field
 * names are stable and documented in docs/agent.md.
 *
 * Ownership: agent_enrich borrows its caches; agent_event_json appends to a
 * caller-owned rp_buf and updates the process cache (exec, fork, exit).
 */
#ifndef RAMPART_AGENT_EVENT_H
#define RAMPART_AGENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/rp.h"
#include "containers.h"
#include "pods.h"
#include "procs.h"

typedef struct {
    agent_cgroups *cgroups;   /* NULL: no container attribution */
    agent_pods *pods;         /* NULL: no pod attribution */
    agent_procs *procs;       /* NULL: no exe/cmdline on non-exec events */
    int64_t boot_to_epoch_ns; /* CLOCK_BOOTTIME + this = nanoseconds since the epoch */
} agent_enrich;

/* Appends the JSON of one raw event (data[0..size), as read from the ring
 * buffer) to out, without a newline.  Returns false, writing nothing, when
 * the event is malformed (short, unknown type, size mismatch). */
bool agent_event_json(const agent_enrich *en, const void *data, size_t size, rp_buf *out);

/* CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns. */
int64_t agent_boot_to_epoch_ns(void);

#endif
