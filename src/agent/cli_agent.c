/*
 * cli_agent.c — `rampart agent`: flags → agent_config, then load, attach and
 * stream one JSON line per event until SIGINT/SIGTERM (or --duration).
 *
 * Global state: stop_requested, the signal flag (set by the handler, read by
 * the poll loop; sig_atomic_t).  Nothing else.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli/commands.h"
#include "agent.h"
#include "sensors.h"

#define PODS_RELOAD_NS 1000000000ll /* check the pod file's mtime once a second */
#define OUTPUT_BUFFER (1u << 20)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const char usage_text[] =
    "usage: rampart agent [options]\n"
    "\n"
    "Loads the eBPF sensors (process, network, file, priv) and writes one JSON line\n"
    "per event, attributed to its container and pod.  Runs until SIGINT/SIGTERM.\n"
    "Field names: docs/agent.md.\n"
    "\n"
    "  -o, --output FILE      write events to FILE (appended; default stdout)\n"
    "  -f, --filter LIST      event types or sensors to report, comma-separated\n"
    "                         (exec,fork,exit,connect,accept,listen,bind,send,open,\n"
    "                         unlink,rename,chmod,setuid,setgid,capset,ptrace,mount,\n"
    "                         module,bpf,unshare,setns,memfd_create; process,network,\n"
    "                         file,priv; all).  Filtered in the kernel.\n"
    "      --watch PREFIX     watched path prefix for file events (repeatable; replaces\n"
    "                         the defaults: /etc/shadow, /etc/sudoers, /root/.ssh/, ...)\n"
    "      --udp-port PORT    report UDP sends to PORT (repeatable; default 53)\n"
    "      --pods FILE        PodList JSON (kubectl get pods -o json) for pod\n"
    "                         attribution; reloaded when the file changes\n"
    "      --node NAME        only pods with spec.nodeName NAME\n"
    "      --ringbuf-size N   ring buffer bytes, a power of two (K/M suffix; default 4M)\n"
    "      --wake-bytes N     wake the agent once N bytes wait (default ringbuf/8)\n"
    "      --poll-ms N        drain the ring buffer at least every N ms (default 50)\n"
    "      --pin-dir DIR      pin maps and links under DIR (on bpffs, e.g.\n"
    "                         /sys/fs/bpf/rampart) so they outlive a restart\n"
    "      --unpin            remove the pins under --pin-dir (detaching) and exit\n"
    "      --cgroup-root DIR  the cgroup2 mount (default: from /proc/self/mountinfo)\n"
    "      --btf FILE         kernel BTF (default /sys/kernel/btf/vmlinux)\n"
    "      --lsm              also load the BPF LSM exec hook (kernels that allow it)\n"
    "      --duration SEC     stop after SEC seconds\n"
    "      --stats            print the counters to stderr (JSON) at exit\n"
    "      --dry-run          list programs, hooks, maps and sizes; load nothing\n"
    "  -v, --verbose          libbpf messages, including verifier logs\n"
    "  -h, --help             this text\n";

enum {
    OPT_WATCH = 256, OPT_UDP, OPT_PODS, OPT_NODE, OPT_RINGBUF, OPT_WAKE, OPT_POLL,
    OPT_PIN, OPT_UNPIN, OPT_CGROOT, OPT_BTF, OPT_LSM, OPT_DURATION, OPT_STATS, OPT_DRY,
};

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},   {"filter", required_argument, NULL, 'f'},
    {"watch", required_argument, NULL, OPT_WATCH}, {"udp-port", required_argument, NULL, OPT_UDP},
    {"pods", required_argument, NULL, OPT_PODS}, {"node", required_argument, NULL, OPT_NODE},
    {"ringbuf-size", required_argument, NULL, OPT_RINGBUF},
    {"wake-bytes", required_argument, NULL, OPT_WAKE},
    {"poll-ms", required_argument, NULL, OPT_POLL}, {"pin-dir", required_argument, NULL, OPT_PIN},
    {"unpin", no_argument, NULL, OPT_UNPIN},
    {"cgroup-root", required_argument, NULL, OPT_CGROOT},
    {"btf", required_argument, NULL, OPT_BTF},  {"lsm", no_argument, NULL, OPT_LSM},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"stats", no_argument, NULL, OPT_STATS},    {"dry-run", no_argument, NULL, OPT_DRY},
    {"verbose", no_argument, NULL, 'v'},        {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct {
    agent_config cfg;
    const char *output;
    double duration;
    bool unpin, dry_run, stats, watch_given, udp_given;
} cli_opts;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("rampart agent: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nRun 'rampart agent --help' for the options.\n", stderr);
    return 2;
}

/* A size with an optional K or M suffix. */
static bool parse_size(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    if (*end == 'K' || *end == 'k')
        v <<= 10, end++;
    else if (*end == 'M' || *end == 'm')
        v <<= 20, end++;
    if (*end || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_filter(const char *list, uint64_t *types)
{
    const char *p = list;

    *types = 0;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || !agent_event_type_parse(p, n, types))
            return false;
        p += n;
        if (*p == ',')
            p++;
    }
    return *types != 0;
}

static int add_watch(cli_opts *o, const char *prefix)
{
    if (!o->watch_given)
        o->cfg.nwatch = 0; /* the first --watch replaces the defaults */
    o->watch_given = true;
    if (o->cfg.nwatch >= AGENT_WATCH_MAX)
        return usage_error("too many --watch prefixes (%s)", prefix);
    o->cfg.watch[o->cfg.nwatch++] = prefix;
    return 0;
}

static int add_udp_port(cli_opts *o, const char *arg)
{
    uint64_t port;

    if (!o->udp_given)
        o->cfg.nudp = 0;
    o->udp_given = true;
    if (!parse_size(arg, 65535, &port) || port == 0)
        return usage_error("--udp-port: '%s' is not a port", arg);
    if (o->cfg.nudp >= AGENT_UDP_PORTS_MAX)
        return usage_error("too many --udp-port values (%s)", arg);
    o->cfg.udp_ports[o->cfg.nudp++] = (uint16_t)port;
    return 0;
}

static int set_ringbuf(cli_opts *o, const char *arg)
{
    uint64_t v;

    if (!parse_size(arg, RP_RINGBUF_MAX, &v) || v < RP_RINGBUF_MIN || (v & (v - 1)))
        return usage_error("--ringbuf-size: '%s' is not a power of two from 4K to 1024M", arg);
    o->cfg.ringbuf_bytes = (uint32_t)v;
    return 0;
}

static int parse_number_opt(const char *name, const char *arg, uint64_t max, uint32_t *out)
{
    uint64_t v;
    if (!parse_size(arg, max, &v))
        return usage_error("%s: bad value '%s'", name, arg);
    *out = (uint32_t)v;
    return 0;
}

/* One option; returns 0, or the exit code to stop with (-1: --help). */
static int apply_option(cli_opts *o, int c, const char *arg)
{
    switch (c) {
    case 'o': o->output = arg; return 0;
    case 'f':
        return parse_filter(arg, &o->cfg.types) ? 0 : usage_error("--filter: bad list '%s'", arg);
    case OPT_WATCH: return add_watch(o, arg);
    case OPT_UDP: return add_udp_port(o, arg);
    case OPT_PODS: o->cfg.pods_path = arg; return 0;
    case OPT_NODE: o->cfg.node_name = arg; return 0;
    case OPT_RINGBUF: return set_ringbuf(o, arg);
    case OPT_WAKE: return parse_number_opt("--wake-bytes", arg, RP_RINGBUF_MAX,
                                           &o->cfg.wake_bytes);
    case OPT_POLL: return parse_number_opt("--poll-ms", arg, 60000, &o->cfg.poll_ms);
    case OPT_PIN: o->cfg.pin_dir = arg; return 0;
    case OPT_UNPIN: o->unpin = true; return 0;
    case OPT_CGROOT: o->cfg.cgroup_root = arg; return 0;
    case OPT_BTF: o->cfg.btf_path = arg; return 0;
    case OPT_LSM: o->cfg.lsm = true; return 0;
    case OPT_DURATION: {
        char *end;
        o->duration = strtod(arg, &end);
        return *end || o->duration <= 0 ? usage_error("--duration: bad value '%s'", arg) : 0;
    }
    case OPT_STATS: o->stats = true; return 0;
    case OPT_DRY: o->dry_run = true; return 0;
    case 'v': o->cfg.verbose = true; return 0;
    case 'h': fputs(usage_text, stdout); return -1;
    default: return usage_error("unknown option");
    }
}

static int parse_args(int argc, char **argv, cli_opts *o)
{
    int c, rc;

    memset(o, 0, sizeof(*o));
    agent_config_defaults(&o->cfg);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:f:vh", options, NULL)) != -1) {
        if (c == '?')
            return usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
        if ((rc = apply_option(o, c, optarg)) != 0)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (o->unpin && !o->cfg.pin_dir)
        return usage_error("--unpin needs --pin-dir");
    return 0;
}

static void write_line(void *ctx, const char *line, size_t len)
{
    FILE *f = ctx;
    fwrite(line, 1, len, f);
    fputc('\n', f);
}

static int fail(const rp_error *err)
{
    fprintf(stderr, "rampart agent: %s\n", err->msg);
    return 1;
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void print_stats(agent *a)
{
    agent_stats st;
    rp_error err = {0};

    if (agent_read_stats(a, &st, NULL, 0, NULL, &err) != RP_OK) {
        fail(&err);
        return;
    }
    fprintf(stderr,
            "{\"events\":%llu,\"drops\":%llu,\"inflight_full\":%llu,\"lines\":%llu,"
            "\"malformed\":%llu}\n",
            (unsigned long long)st.events, (unsigned long long)st.drops,
            (unsigned long long)st.inflight_full, (unsigned long long)st.lines,
            (unsigned long long)st.malformed);
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: the poll must return */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Polls until a signal, the duration or an output error. */
static int run_loop(agent *a, const cli_opts *o, FILE *out)
{
    int64_t start = now_ns(), last_reload = start;
    rp_error err = {0};

    while (!stop_requested) {
        if (agent_poll(a, (int)o->cfg.poll_ms, NULL, &err) != RP_OK)
            return fail(&err);
        if (fflush(out) || ferror(out)) {
            fprintf(stderr, "rampart agent: write events: %s\n", strerror(errno));
            return 1;
        }
        int64_t now = now_ns();
        if (o->cfg.pods_path && now - last_reload >= PODS_RELOAD_NS) {
            last_reload = now;
            if (agent_reload_pods(a, &err) != RP_OK) { /* keep the pods we have */
                fprintf(stderr, "rampart agent: pods: %s\n", err.msg);
                rp_error_clear(&err);
            }
        }
        if (o->duration > 0 && (double)(now - start) / 1e9 >= o->duration)
            break;
    }
    /* What was submitted before the signal is still delivered. */
    if (agent_poll(a, 0, NULL, &err) != RP_OK)
        return fail(&err);
    fflush(out);
    return 0;
}

static int run(const cli_opts *o)
{
    rp_error err = {0};
    FILE *out = stdout;
    agent *a = NULL;
    int rc;

    if (o->output && !(out = fopen(o->output, "ae"))) {
        fprintf(stderr, "rampart agent: %s: %s\n", o->output, strerror(errno));
        return 1;
    }
    /* Our own buffer: glibc ignores the size when setvbuf is given none and
     * uses st_blksize (4 KiB), a write() per few events. */
    static char out_buf[OUTPUT_BUFFER];
    setvbuf(out, out_buf, _IOFBF, sizeof(out_buf));
    install_signals();
    if (agent_open(&o->cfg, write_line, out, &a, &err) != RP_OK) {
        rc = fail(&err);
        goto out;
    }
    fprintf(stderr, "rampart agent: ready, writing events to %s\n", o->output ? o->output : "stdout");
    rc = run_loop(a, o, out);
    if (o->stats)
        print_stats(a);
out:
    agent_close(a);
    if (out != stdout)
        fclose(out);
    return rc;
}

static int dry_run(const cli_opts *o)
{
    rp_error err = {0};
    rp_buf b;
    int rc = 0;

    rp_buf_init(&b);
    if (agent_dry_run(&o->cfg, &b, &err) != RP_OK)
        rc = fail(&err);
    else
        fputs(rp_buf_cstr(&b), stdout);
    rp_buf_free(&b);
    return rc;
}

int cmd_agent(int argc, char **argv)
{
    cli_opts o;
    rp_error err = {0};
    int rc = parse_args(argc, argv, &o);

    if (rc)
        return rc < 0 ? 0 : rc;
    if (o.dry_run)
        return dry_run(&o);
    if (o.unpin)
        return agent_unpin(o.cfg.pin_dir, &err) == RP_OK ? 0 : fail(&err);
    return run(&o);
}
