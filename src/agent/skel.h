/*
 * skel.h — includes the generated BPF skeleton (build/agent/rampart.skel.h,
 * made by `bpftool gen skeleton` in mk/agent.mk) and the names the loader
 * uses for its programs and maps.  Only the loader files include it, and the
 * build makes them wait for the skeleton.
 */
#ifndef RAMPART_AGENT_SKEL_H
#define RAMPART_AGENT_SKEL_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rampart.skel.h"

/* Maps that outlive a restart when --pin-dir is given: the event stream,
 * the counters and the filters.  In-flight maps and scratch are per load. */
#define AGENT_PINNED_MAPS "rp_events", "rp_stats", "rp_file_watch", "rp_udp_ports"

#endif
