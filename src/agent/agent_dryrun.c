/*
 * agent_dryrun.c — `rampart agent --dry-run`: what the agent would attach,
 * read from the BPF object itself (opened, never loaded), so the listing
 * cannot drift from the build.  Needs no privileges.
 */
#include <errno.h>
#include <string.h>

#include "agent_int.h"
#include "sensors.h"
#include "skel.h"

static uint64_t map_bytes(const struct bpf_map *m, int ncpus)
{
    uint64_t entries = bpf_map__max_entries(m);
    uint64_t kv = (uint64_t)bpf_map__key_size(m) + bpf_map__value_size(m);

    switch (bpf_map__type(m)) {
    case BPF_MAP_TYPE_RINGBUF:
        return entries;
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
        return entries * bpf_map__value_size(m) * (uint64_t)(ncpus > 0 ? ncpus : 1);
    default:
        return entries * kv;
    }
}

static void list_programs(rp_buf *b, struct rampart_bpf *s)
{
    struct bpf_program *p;

    rp_buf_puts(b, "programs:\n");
    bpf_object__for_each_program(p, s->obj) {
        const char *name = bpf_program__name(p);
        rp_buf_printf(b, "  %-14s %-30s %-8s %s\n", name, bpf_program__section_name(p),
                      libbpf_bpf_prog_type_str(bpf_program__type(p)),
                      bpf_program__autoload(p) ? "attach"
                      : strcmp(name, "rp_exec_lsm") == 0 ? "off (--lsm loads it; refused "
                                                           "where BPF LSM is not allowed)"
                                                         : "off (no event type needs it)");
    }
}

static void list_maps(rp_buf *b, struct rampart_bpf *s, const agent_config *cfg)
{
    struct bpf_map *m;
    int ncpus = libbpf_num_possible_cpus();

    rp_buf_printf(b, "maps (%d possible CPUs):\n", ncpus);
    bpf_object__for_each_map(m, s->obj) {
        if (m == s->maps.rp_events)
            bpf_map__set_max_entries(m, cfg->ringbuf_bytes);
        rp_buf_printf(b, "  %-18s %-13s entries %-8u key %-4u value %-5u ~%llu KiB\n",
                      bpf_map__name(m), libbpf_bpf_map_type_str(bpf_map__type(m)),
                      bpf_map__max_entries(m), bpf_map__key_size(m), bpf_map__value_size(m),
                      (unsigned long long)(map_bytes(m, ncpus) + 1023) / 1024);
    }
}

static void list_sensors(rp_buf *b, const agent_config *cfg)
{
    uint64_t types = cfg->types ? cfg->types : AGENT_TYPES_ALL;

    rp_buf_puts(b, "sensors:\n");
    for (size_t i = 0; i < agent_sensor_count(); i++) {
        const agent_sensor_info *si = agent_sensor_at(i);
        rp_buf_printf(b, "  %-8s %s; events:", si->name,
                      (si->types & types) ? "on" : "off");
        for (uint32_t t = 1; t < RP_EV_TYPE_COUNT; t++)
            if (si->types & types & RP_TYPE_BIT(t))
                rp_buf_printf(b, " %s", agent_event_type_name(t));
        rp_buf_printf(b, "\n           programs: %s (%s)\n", si->programs, si->hooks);
        if (si->syscalls[0])
            rp_buf_printf(b, "           syscalls: %s\n", si->syscalls);
    }
}

static void list_config(rp_buf *b, const agent_config *cfg)
{
    rp_buf_printf(b, "watched path prefixes (%zu):", cfg->nwatch);
    for (size_t i = 0; i < cfg->nwatch; i++)
        rp_buf_printf(b, " %s", cfg->watch[i]);
    rp_buf_printf(b, "\nwatched UDP ports (%zu):", cfg->nudp);
    for (size_t i = 0; i < cfg->nudp; i++)
        rp_buf_printf(b, " %u", cfg->udp_ports[i]);
    rp_buf_printf(b, "\nring buffer: %u bytes, wake-up past %u bytes waiting, poll every %u ms\n",
                  cfg->ringbuf_bytes, cfg->wake_bytes ? cfg->wake_bytes : cfg->ringbuf_bytes / 8,
                  cfg->poll_ms);
    if (cfg->pin_dir)
        rp_buf_printf(b, "pins: %s/{%s} and %s/link_<program>\n", cfg->pin_dir,
                      "rp_events,rp_stats,rp_file_watch,rp_udp_ports", cfg->pin_dir);
    else
        rp_buf_puts(b, "pins: none (--pin-dir DIR keeps maps and links across restarts)\n");
}

rp_status agent_dry_run(const agent_config *cfg, rp_buf *out, rp_error *err)
{
    struct rampart_bpf *s = rampart_bpf__open();
    rp_status rc = agent_file_check_prefixes(cfg->watch, cfg->nwatch, err);

    if (!s)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "open BPF object: %s", strerror(errno));
    if (rc == RP_OK) {
        agent_select_programs(s, cfg);
        rp_buf_puts(out, "rampart agent --dry-run: nothing is loaded or attached\n");
        list_programs(out, s);
        list_maps(out, s, cfg);
        list_sensors(out, cfg);
        list_config(out, cfg);
    }
    rampart_bpf__destroy(s);
    return rc;
}
