/*
 * agent_int.h — internals shared by agent.c (lifecycle) and agent_setup.c
 * (checks, program selection, pinning, error reports, --dry-run).  Not part
 * of the agent's API.
 */
#ifndef RAMPART_AGENT_AGENT_INT_H
#define RAMPART_AGENT_AGENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

struct rampart_bpf;
struct bpf_link;

/* Clear errors before anything is loaded: privileges, kernel BTF. */
rp_status agent_preflight(const agent_config *cfg, rp_error *err);
/* Turns off autoload for programs whose events are all filtered out (and
 * for the LSM variant unless cfg->lsm). */
void agent_select_programs(struct rampart_bpf *skel, const agent_config *cfg);
/* Sets pin paths on the maps that outlive a restart; checks dir is bpffs. */
rp_status agent_pin_maps(struct rampart_bpf *skel, const char *dir, rp_error *err);
/* Pins link as dir/link_<name>, replacing a pin left by an earlier run. */
rp_status agent_pin_link(struct bpf_link *link, const char *dir, const char *name, rp_error *err);
struct bpf_program;
/* The error for a program the kernel refused: its name, hook, type, errno. */
rp_status agent_prog_error(const struct bpf_program *p, int errnum, bool verbose, rp_error *err);
/* The error for maps that could not be created (or reused from pin_dir). */
rp_status agent_maps_error(const char *pin_dir, int errnum, rp_error *err);
/* The "drops" line: lost events since the last one, totals, drops per CPU. */
void agent_drops_json(rp_buf *b, uint64_t lost, const agent_stats *st, const uint64_t *per_cpu,
                      size_t ncpu, int64_t boot_to_epoch_ns);
/* Empties a hash or LPM map (filters reused from a pin). */
rp_status agent_map_clear(int fd, size_t key_size, const char *name, rp_error *err);

#endif
