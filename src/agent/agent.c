/*
 * agent.c — the agent's lifecycle: open → configure (rodata, ring buffer
 * size, pins) → load → fill filters → attach → poll → close.
 *
 * Transport: one ring buffer.  The kernel side submits with
 * BPF_RB_NO_WAKEUP until the backlog passes wake_bytes, so user space is
 * woken per batch, not per event (DESIGN.md: 12-19 us per exec for a
 * wake-up each, 2-3 us batched); agent_poll waits for such a wake-up or its
 * timeout and then drains whatever is there.  The kernel never waits for
 * us: a full buffer is a drop, counted per CPU, and every rise of that
 * count becomes a "drops" line in the output, so no loss is silent.
 *
 * Invariants: every resource an agent holds is released by agent_close, in
 * reverse order, also when agent_open fails half-way.  No globals: libbpf's
 * print hook is process-wide, so one of two fixed callbacks is installed.
 */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_int.h"
#include "event.h"
#include "sensors.h"
#include "skel.h"

#define AGENT_LINKS_MAX 8
#define AGENT_STRINGS_BYTES (1u << 20) /* copies of the config's strings */

struct agent {
    agent_config cfg; /* strings point into strs */
    rp_arena *strs;
    struct rampart_bpf *skel;
    struct bpf_link *links[AGENT_LINKS_MAX];
    size_t nlinks;
    struct ring_buffer *rb;
    agent_sink sink;
    void *sink_ctx;
    agent_enrich en;
    rp_buf line;
    agent_stats st;
    uint64_t reported_lost; /* drops + inflight_full already announced */
    struct timespec pods_mtime;
    int ncpus;
    uint64_t *percpu; /* ncpus values, scratch for per-CPU reads */
};

/* ---- config ------------------------------------------------------------------ */

static const char *copy_str(rp_arena *a, const char *s)
{
    return s ? rp_arena_strndup(a, s, strlen(s)) : NULL;
}

static rp_status copy_config(agent *a, const agent_config *cfg, rp_error *err)
{
    a->strs = rp_arena_new(AGENT_STRINGS_BYTES);
    if (!a->strs)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    a->cfg = *cfg;
    for (size_t i = 0; i < cfg->nwatch; i++)
        a->cfg.watch[i] = copy_str(a->strs, cfg->watch[i]);
    a->cfg.pin_dir = copy_str(a->strs, cfg->pin_dir);
    a->cfg.btf_path = copy_str(a->strs, cfg->btf_path);
    a->cfg.cgroup_root = copy_str(a->strs, cfg->cgroup_root);
    a->cfg.pods_path = copy_str(a->strs, cfg->pods_path);
    a->cfg.node_name = copy_str(a->strs, cfg->node_name);
    if (!a->cfg.types)
        a->cfg.types = AGENT_TYPES_ALL;
    if (rp_arena_failed(a->strs))
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "configuration too large");
    return RP_OK;
}

/* ---- libbpf messages -------------------------------------------------------- */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level, (void)fmt, (void)ap;
    return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    fputs("libbpf: ", stderr);
    return vfprintf(stderr, fmt, ap);
}

/* ---- open: configure, load, set up, attach ------------------------------------ */

static rp_status skel_open(agent *a, rp_error *err)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = a->cfg.btf_path);

    libbpf_set_print(a->cfg.verbose ? libbpf_verbose : libbpf_quiet);
    a->skel = rampart_bpf__open_opts(&opts);
    if (!a->skel)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "open BPF object: %s", strerror(errno));
    return RP_OK;
}

/* Config that must be in place before load: rodata, sizes, programs. */
static rp_status configure(agent *a, struct rampart_bpf *s, rp_error *err)
{
    uint32_t wake = a->cfg.wake_bytes ? a->cfg.wake_bytes : a->cfg.ringbuf_bytes / 8;
    int rc;

    s->rodata->rp_cfg_types = a->cfg.types;
    s->rodata->rp_cfg_self_tgid = (uint32_t)getpid();
    s->rodata->rp_cfg_wake_bytes = wake;
    rc = bpf_map__set_max_entries(s->maps.rp_events, a->cfg.ringbuf_bytes);
    if (rc)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "ring buffer size %u: %s",
                            a->cfg.ringbuf_bytes, strerror(-rc));
    agent_select_programs(s, &a->cfg);
    return RP_OK;
}

/* Loads a fresh copy of the object with only program `only` (NULL: none),
 * unpinned; returns 0 or -errno.  For diagnosis only. */
static int try_load(agent *a, const char *only)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = a->cfg.btf_path);
    struct rampart_bpf *s = rampart_bpf__open_opts(&opts);
    struct bpf_program *p;
    rp_error ignored = {0};
    int rc = -errno;

    if (!s)
        return rc;
    configure(a, s, &ignored);
    bpf_object__for_each_program(p, s->obj)
        bpf_program__set_autoload(p, only && strcmp(bpf_program__name(p), only) == 0);
    rc = rampart_bpf__load(s);
    rampart_bpf__destroy(s);
    return rc;
}

/* A failed load unloads the whole object, so which part failed is found by
 * loading again: the maps alone, then one program at a time. */
static rp_status diagnose_load(agent *a, int errnum, rp_error *err)
{
    struct bpf_program *p;
    int rc = try_load(a, NULL);

    if (rc)
        return agent_maps_error(a->cfg.pin_dir, -rc, err);
    bpf_object__for_each_program(p, a->skel->obj) {
        if (!bpf_program__autoload(p))
            continue;
        rc = try_load(a, bpf_program__name(p));
        if (rc)
            return agent_prog_error(p, -rc, a->cfg.verbose, err);
    }
    /* Each part loads alone: the pins, or the parts together, failed. */
    return agent_maps_error(a->cfg.pin_dir, errnum, err);
}

static rp_status load(agent *a, rp_error *err)
{
    rp_status st = configure(a, a->skel, err);
    int rc;

    if (st == RP_OK && a->cfg.pin_dir)
        st = agent_pin_maps(a->skel, a->cfg.pin_dir, err);
    if (st != RP_OK)
        return st;
    rc = rampart_bpf__load(a->skel);
    return rc ? diagnose_load(a, -rc, err) : RP_OK;
}

static rp_status setup_maps(agent *a, rp_error *err)
{
    /* With no file type on, an empty watch list switches the sensor's hot
     * path off (the dispatcher reads no config there). */
    bool file_on = a->cfg.types & AGENT_FILE_TYPES;
    rp_status rc = agent_file_setup(a->skel, a->cfg.watch, file_on ? a->cfg.nwatch : 0, err);
    if (rc == RP_OK)
        rc = agent_net_setup(a->skel, a->cfg.udp_ports, a->cfg.nudp, err);
    return rc;
}

static rp_status attach(agent *a, rp_error *err)
{
    struct bpf_program *prog;

    bpf_object__for_each_program(prog, a->skel->obj) {
        struct bpf_link *link;
        if (!bpf_program__autoload(prog))
            continue;
        if (a->nlinks >= AGENT_LINKS_MAX)
            return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){0}, "more than %d programs",
                                AGENT_LINKS_MAX);
        link = bpf_program__attach(prog);
        if (!link)
            return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "attach %s (%s): %s",
                                bpf_program__name(prog), bpf_program__section_name(prog),
                                strerror(errno));
        a->links[a->nlinks++] = link;
        if (a->cfg.pin_dir) {
            rp_status rc = agent_pin_link(link, a->cfg.pin_dir, bpf_program__name(prog), err);
            if (rc != RP_OK)
                return rc;
        }
    }
    return RP_OK;
}

static int on_event(void *ctx, void *data, size_t size);

static rp_status open_caches(agent *a, rp_error *err)
{
    a->en.boot_to_epoch_ns = agent_boot_to_epoch_ns();
    a->en.cgroups = agent_cgroups_new(a->cfg.cgroup_root, err);
    if (!a->en.cgroups)
        return err->code;
    a->en.procs = agent_procs_new("/proc");
    a->en.pods = agent_pods_new();
    if (!a->en.procs || !a->en.pods)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    return a->cfg.pods_path ? agent_reload_pods(a, err) : RP_OK;
}

static rp_status open_ring(agent *a, rp_error *err)
{
    a->ncpus = libbpf_num_possible_cpus();
    if (a->ncpus <= 0 || a->ncpus > AGENT_CPUS_MAX)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "cannot count CPUs");
    a->percpu = calloc((size_t)a->ncpus, sizeof(uint64_t));
    if (!a->percpu)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    a->rb = ring_buffer__new(bpf_map__fd(a->skel->maps.rp_events), on_event, a, NULL);
    if (!a->rb)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "ring buffer: %s", strerror(errno));
    return RP_OK;
}

rp_status agent_open(const agent_config *cfg, agent_sink sink, void *ctx, agent **out,
                     rp_error *err)
{
    agent *a = calloc(1, sizeof(*a));
    rp_status rc;

    *out = NULL;
    if (!a)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    a->sink = sink;
    a->sink_ctx = ctx;
    rp_buf_init(&a->line);
    rc = copy_config(a, cfg, err);
    if (rc == RP_OK)
        rc = agent_preflight(&a->cfg, err);
    if (rc == RP_OK)
        rc = open_caches(a, err);
    if (rc == RP_OK)
        rc = skel_open(a, err);
    if (rc == RP_OK)
        rc = load(a, err);
    if (rc == RP_OK)
        rc = setup_maps(a, err);
    if (rc == RP_OK)
        rc = open_ring(a, err);
    if (rc == RP_OK)
        rc = attach(a, err);
    if (rc != RP_OK) {
        agent_close(a);
        return rc;
    }
    *out = a;
    return RP_OK;
}

void agent_close(agent *a)
{
    if (!a)
        return;
    /* Links first: nothing new is produced while the rest goes away.  A
     * pinned link stays attached through its pin. */
    for (size_t i = a->nlinks; i > 0; i--)
        bpf_link__destroy(a->links[i - 1]);
    ring_buffer__free(a->rb);
    rampart_bpf__destroy(a->skel);
    agent_cgroups_free(a->en.cgroups);
    agent_procs_free(a->en.procs);
    agent_pods_free(a->en.pods);
    rp_buf_free(&a->line);
    free(a->percpu);
    rp_arena_free(a->strs);
    free(a);
}

/* ---- polling ----------------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
    agent *a = ctx;

    a->line.len = 0;
    if (!agent_event_json(&a->en, data, size, &a->line) || a->line.failed) {
        a->st.malformed++;
        a->line.failed = false;
        return 0;
    }
    a->sink(a->sink_ctx, a->line.data, a->line.len);
    a->st.lines++;
    return 0;
}

/* Sums one per-CPU counter; a->percpu keeps each CPU's value. */
static rp_status read_counter(agent *a, enum rp_stat which, uint64_t *sum, rp_error *err)
{
    uint32_t key = which;

    *sum = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.rp_stats), &key, a->percpu))
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "read rp_stats: %s", strerror(errno));
    for (int i = 0; i < a->ncpus; i++)
        *sum += a->percpu[i];
    return RP_OK;
}

rp_status agent_read_stats(agent *a, agent_stats *st, uint64_t *per_cpu_drops, size_t cap,
                           size_t *ncpu, rp_error *err)
{
    rp_status rc;

    *st = a->st;
    rc = read_counter(a, RP_STAT_EVENTS, &st->events, err);
    if (rc == RP_OK)
        rc = read_counter(a, RP_STAT_INFLIGHT_FULL, &st->inflight_full, err);
    if (rc == RP_OK)
        rc = read_counter(a, RP_STAT_DROPS, &st->drops, err); /* last: percpu holds drops */
    if (rc != RP_OK)
        return rc;
    if (ncpu)
        *ncpu = (size_t)a->ncpus < cap ? (size_t)a->ncpus : cap;
    for (size_t i = 0; per_cpu_drops && i < cap && i < (size_t)a->ncpus; i++)
        per_cpu_drops[i] = a->percpu[i];
    return RP_OK;
}

/* A "drops" line whenever the kernel lost events since the last one. */
static rp_status report_drops(agent *a, rp_error *err)
{
    agent_stats st;
    uint64_t lost;
    rp_status rc = agent_read_stats(a, &st, NULL, 0, NULL, err);

    if (rc != RP_OK)
        return rc;
    lost = st.drops + st.inflight_full;
    if (lost <= a->reported_lost)
        return RP_OK;
    agent_drops_json(&a->line, lost - a->reported_lost, &st, a->percpu, (size_t)a->ncpus,
                     a->en.boot_to_epoch_ns);
    a->sink(a->sink_ctx, a->line.data, a->line.len);
    a->st.lines++;
    a->reported_lost = lost;
    return RP_OK;
}

rp_status agent_poll(agent *a, int timeout_ms, size_t *n, rp_error *err)
{
    uint64_t before = a->st.lines;
    int rc = ring_buffer__poll(a->rb, timeout_ms);

    /* Submissions without a wake-up do not make epoll fire: always drain. */
    if (rc >= 0 || rc == -EINTR)
        rc = ring_buffer__consume(a->rb);
    if (rc < 0 && rc != -EINTR)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "ring buffer: %s", strerror(-rc));
    if (report_drops(a, err) != RP_OK)
        return err->code;
    if (n)
        *n = (size_t)(a->st.lines - before);
    return RP_OK;
}

rp_status agent_reload_pods(agent *a, rp_error *err)
{
    struct stat st;

    if (!a->cfg.pods_path)
        return RP_OK;
    if (stat(a->cfg.pods_path, &st))
        return rp_error_set(err, RP_ERR_IO, (rp_loc){a->cfg.pods_path, 0, 0}, "%s",
                            strerror(errno));
    if (st.st_mtim.tv_sec == a->pods_mtime.tv_sec && st.st_mtim.tv_nsec == a->pods_mtime.tv_nsec)
        return RP_OK;
    rp_status rc = agent_pods_load_file(a->en.pods, a->cfg.pods_path, a->cfg.node_name, err);
    if (rc == RP_OK)
        a->pods_mtime = st.st_mtim;
    return rc;
}
