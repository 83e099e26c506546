/*
 * bench_agent.c — what `rampart agent` costs the machine it watches,
 * measured side by side in one run (`make bench`, as root):
 *
 *   exec    5,000 fork+exec of /bin/true: none, empty programs on the
 *           agent's hooks (the floor), the agent, the same two for the
 *           process hooks alone, and bpftrace doing the equivalent exec
 *           tracing (execsnoop.bt's probe); ratio to none, each block
 *           against the nothing-attached blocks around it, with a control
 *           row of none against none (target < 1.01 for the agent)
 *   open    1,000,000 open+close of an unwatched path: ns added per call by
 *           the agent next to the floor (target <= 1.3x the floor)
 *   rate    events per second the agent sustains with 0 drops, from a
 *           process opening a watched file as fast as it can (>= 100,000)
 *   rss     the agent's resident memory after RSS_SECONDS (60) of execs
 *           (target < 30 MiB)
 *
 * The machine is shared and noisy: configurations are interleaved in
 * rounds, each is reported as the median of its rounds, in CPU time (what
 * the workload pays, without waiting for a CPU) and wall time.  The
 * effects measured are a few percent, often below that noise, so (a) and
 * (b) also print the kernel's own accounting of the programs' run time
 * (BPF_ENABLE_STATS), which load does not blur.  The agent and
 * bpftrace are separate processes, as in production (an in-process agent
 * would filter out the benchmark's own syscalls as "self").
 *
 * Environment: RAMPART (default bin/rampart), BENCH_ROUNDS (10),
 * RSS_SECONDS (60), BENCH_ONLY (e.g. "open,rate": a subset).  tracefs is mounted for bpftrace if it is not, and
 * unmounted again.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor.skel.h"

#define EXECS 5000
#define OPENS 1000000
#define RATE_SECONDS 3
#define ROUNDS_MAX 32
#define TRACEFS "/sys/kernel/tracing"
#define BPFTRACE_EXEC                                                                              \
    "tracepoint:syscalls:sys_enter_execve { printf(\"%d %d %s \", pid, "                           \
    "curtask->real_parent->tgid, comm); join(args->argv); }"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

typedef struct {
    char dir[128];
    char unwatched[192], watched_dir[192], watched[192];
    const char *rampart;
    int rounds;
    int rss_seconds;
    bool mounted_tracefs;
} bench;

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU seconds used by this process and its waited-for children: what the
 * watched workload pays, without the time it waited for a CPU, which on a
 * shared machine swamps the effect measured. */
static double cpu_s(void)
{
    struct rusage c;
    getrusage(RUSAGE_CHILDREN, &c);
    return clock_s(CLOCK_PROCESS_CPUTIME_ID) + (double)c.ru_utime.tv_sec +
           (double)c.ru_utime.tv_usec / 1e6 + (double)c.ru_stime.tv_sec +
           (double)c.ru_stime.tv_usec / 1e6;
}

/* Wall and CPU cost of one measured block, per iteration. */
typedef struct {
    double wall, cpu;
} cost;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- workloads ------------------------------------------------------------------ */

/* Microseconds per fork+exec+wait of /bin/true. */
static cost exec_us(int n)
{
    char *argv[] = {"true", NULL};
    double t0 = now_s(), c0 = cpu_s();

    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            execv("/bin/true", argv);
            _exit(127);
        }
        waitpid(p, NULL, 0);
    }
    return (cost){(now_s() - t0) / n * 1e6, (cpu_s() - c0) / n * 1e6};
}

/* Nanoseconds per open+close of path. */
static cost open_ns(const char *path, int n)
{
    double t0 = now_s(), c0 = cpu_s();

    for (int i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0)
            close(fd);
    }
    return (cost){(now_s() - t0) / n * 1e9, (cpu_s() - c0) / n * 1e9};
}

/* ---- tracers ---------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int err_fd;
} tracer;

/* Waits until the child's stderr shows `word` (its "attached" message). */
static bool wait_word(int fd, const char *word, double timeout)
{
    char buf[4096];
    size_t n = 0;
    double end = now_s() + timeout;

    while (now_s() < end && n < sizeof(buf) - 1) {
        ssize_t k = read(fd, buf + n, sizeof(buf) - 1 - n);
        if (k <= 0)
            return false;
        n += (size_t)k;
        buf[n] = 0;
        if (strstr(buf, word))
            return true;
    }
    return false;
}

/* Waits until file `path` contains `word` (bpftrace -o writes its
 * "Attaching" line there). */
static bool wait_file_word(const char *path, const char *word, double timeout)
{
    char buf[4096];
    double end = now_s() + timeout;

    while (now_s() < end) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n > 0) {
            buf[n] = 0;
            if (strstr(buf, word))
                return true;
        }
        usleep(20 * 1000);
    }
    return false;
}

/* Starts argv with stdout to out; ready when `ready` shows on its stderr,
 * or in ready_file when that is given. */
static tracer start(char *const argv[], const char *out, const char *ready, const char *ready_file)
{
    tracer t = {-1, -1};
    int pe[2];

    if (pipe(pe))
        return t;
    t.pid = fork();
    if (t.pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
        dup2(fd, 1);
        dup2(pe[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pe[1]);
    t.err_fd = pe[0];
    if (t.pid < 0 || !(ready_file ? wait_file_word(ready_file, ready, 30)
                                  : wait_word(t.err_fd, ready, 30))) {
        /* Measuring on without it would report "none" as the tracer: stop. */
        fprintf(stderr, "bench: %s did not start; stopping\n", argv[0]);
        if (t.pid > 0)
            kill(t.pid, SIGKILL), waitpid(t.pid, NULL, 0);
        close(t.err_fd);
        t.pid = -1;
        interrupted = SIGABRT;
    }
    return t;
}

static void stop(tracer *t)
{
    if (t->pid <= 0)
        return;
    kill(t->pid, SIGTERM);
    waitpid(t->pid, NULL, 0);
    close(t->err_fd);
    t->pid = -1;
}

static tracer start_agent(const bench *b, const char *filter, const char *out)
{
    char watch[200];
    snprintf(watch, sizeof(watch), "%s", b->watched_dir);
    char *argv[] = {(char *)b->rampart, "agent", "--watch", watch, "-o", (char *)out,
                    filter ? "--filter" : NULL, (char *)filter, NULL};
    return start(argv, "/dev/null", "ready", NULL);
}

static tracer start_bpftrace(const char *out)
{
    char *argv[] = {"bpftrace", "-o", (char *)out, "-e", BPFTRACE_EXEC, NULL};
    unlink(out);
    return start(argv, "/dev/null", "Attaching", out);
}

/* Which of the agent's hooks the floor's empty programs go on. */
enum { FLOOR_SYSCALLS = 1, FLOOR_PROCESS = 2, FLOOR_ALL = 3 };

static struct rp_floor *attach_floor(int hooks)
{
    struct rp_floor *f = rp_floor__open_and_load();
    if (!f)
        return NULL;
    if (hooks & FLOOR_SYSCALLS) {
        f->links.floor_sys_enter = bpf_program__attach(f->progs.floor_sys_enter);
        f->links.floor_sys_exit = bpf_program__attach(f->progs.floor_sys_exit);
    }
    if (hooks & FLOOR_PROCESS) {
        f->links.floor_exec = bpf_program__attach(f->progs.floor_exec);
        f->links.floor_fork = bpf_program__attach(f->progs.floor_fork);
        f->links.floor_exit = bpf_program__attach(f->progs.floor_exit);
    }
    return f;
}

/* ---- the four measurements ------------------------------------------------------------ */

static struct rp_floor *floor_or_note(int hooks)
{
    struct rp_floor *f = attach_floor(hooks);
    if (!f)
        fprintf(stderr, "bench: the floor programs did not load\n");
    return f;
}

/* Median of each configuration's rounds, wall and CPU. */
static void medians(cost r[][ROUNDS_MAX], int ncfg, int rounds, cost *med)
{
    double w[ROUNDS_MAX], c[ROUNDS_MAX];
    for (int k = 0; k < ncfg; k++) {
        for (int i = 0; i < rounds; i++)
            w[i] = r[k][i].wall, c[i] = r[k][i].cpu;
        med[k].wall = median(w, rounds);
        med[k].cpu = median(c, rounds);
    }
}

/* Run time and runs of every loaded BPF program whose name starts with
 * prefix ("rp_": the agent's, "floor_": the floor's), from the kernel's
 * per-program statistics (on while stats_fd is open). */
typedef struct {
    double ns;
    double runs;
} prog_time;

static prog_time prog_time_of(const char *prefix)
{
    prog_time t = {0, 0};
    __u32 id = 0;

    while (bpf_prog_get_next_id(id, &id) == 0) {
        struct bpf_prog_info info;
        __u32 len = sizeof(info);
        int fd = bpf_prog_get_fd_by_id(id);
        if (fd < 0)
            continue;
        memset(&info, 0, sizeof(info));
        if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
            strncmp(info.name, prefix, strlen(prefix)) == 0) {
            t.ns += (double)info.run_time_ns;
            t.runs += (double)info.run_cnt;
        }
        close(fd);
    }
    return t;
}

static prog_time prog_time_since(const char *prefix, prog_time before)
{
    prog_time now = prog_time_of(prefix);
    return (prog_time){now.ns - before.ns, now.runs - before.runs};
}

/* One configuration's block of execs: attaches what cfg needs, measures,
 * detaches. */
enum { EX_NONE, EX_FLOOR, EX_AGENT, EX_FLOOR_PROC, EX_AGENT_PROC, EX_BPFTRACE, EX_NCFG };

static cost exec_block(const bench *b, int cfg, int n, const char *out)
{
    struct rp_floor *f = NULL;
    tracer t = {-1, -1};
    cost c;

    if (cfg == EX_FLOOR || cfg == EX_FLOOR_PROC)
        f = floor_or_note(cfg == EX_FLOOR ? FLOOR_ALL : FLOOR_PROCESS);
    else if (cfg == EX_AGENT || cfg == EX_AGENT_PROC)
        /* --filter process: the exec sensor alone, no syscall hook */
        t = start_agent(b, cfg == EX_AGENT ? NULL : "process", out);
    else if (cfg == EX_BPFTRACE)
        t = start_bpftrace(out);
    c = exec_us(n);
    if (f)
        rp_floor__destroy(f);
    stop(&t);
    return c;
}

static void bench_exec(const bench *b)
{
    static const char *const names[EX_NCFG] = {
        "none (control: vs its neighbours)", "floor (empty programs)", "rampart agent",
        "floor, process hooks only", "agent --filter process", "bpftrace (execsnoop.bt)"};
    /* Each configuration's block is bracketed by two blocks with nothing
     * attached, and compared with their mean: the machine's drift within a
     * round cancels.  The control row compares each inner "none" block with
     * its neighbours: what the measurement cannot tell from zero. */
    cost r[EX_NCFG][ROUNDS_MAX] = {{{0, 0}}}, med[EX_NCFG];
    double ratio[EX_NCFG][ROUNDS_MAX * EX_NCFG], rmed[EX_NCFG];
    int nratio[EX_NCFG] = {0};
    int per = EXECS / b->rounds;
    char out[256];

    snprintf(out, sizeof(out), "%s/exec.out", b->dir);
    for (int i = 0; i < b->rounds && !interrupted; i++) {
        cost none[EX_NCFG];
        none[0] = exec_us(per);
        r[EX_NONE][i] = none[0];
        for (int c = 1; c < EX_NCFG && !interrupted; c++) {
            r[c][i] = exec_block(b, c, per, out);
            none[c] = exec_us(per);
            ratio[c][nratio[c]++] = r[c][i].cpu / ((none[c - 1].cpu + none[c].cpu) / 2);
        }
        for (int c = 1; c + 1 < EX_NCFG; c++)
            ratio[EX_NONE][nratio[EX_NONE]++] =
                none[c].cpu / ((none[c - 1].cpu + none[c + 1].cpu) / 2);
    }
    if (interrupted)
        return; /* partial rounds would be misread */
    medians(r, EX_NCFG, b->rounds, med);
    for (int c = 0; c < EX_NCFG; c++)
        rmed[c] = median(ratio[c], nratio[c]);
    /* Where the agent's time goes, from the kernel's own accounting. */
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    tracer t = start_agent(b, NULL, out);
    prog_time pt = prog_time_of("rp_");
    exec_us(per);
    pt = prog_time_since("rp_", pt);
    stop(&t);
    if (stats >= 0)
        close(stats);
    printf("\n(a) exec: %d x fork+exec+wait of /bin/true per configuration, %d interleaved rounds\n"
           "    (CPU: this process and its children; ratio: median over rounds of the block's CPU\n"
           "    over the mean of the two blocks with nothing attached around it)\n",
           per * b->rounds, b->rounds);
    printf("    %-34s %12s %9s %12s\n", "", "CPU us/exec", "ratio", "wall us/exec");
    for (int c = 0; c < EX_NCFG; c++)
        printf("    %-34s %12.1f %9.4f %12.1f\n", names[c], med[c].cpu, rmed[c], med[c].wall);
    if (stats >= 0 && pt.runs > 0)
        printf("    kernel accounting: the agent's programs ran %.1f us per exec (all hooks, %.0f "
               "runs), %.2f%% of an exec's CPU\n",
               pt.ns / 1e3 / per, pt.runs / per, pt.ns / 1e3 / per / med[EX_NONE].cpu * 100);
    unlink(out);
}

static void bench_open(const bench *b)
{
    enum { NONE, FLOOR, AGENT, AGENT_NEAR, NCFG };
    static const char *const names[NCFG] = {
        "none", "floor: empty sys_enter + sys_exit", "agent, default watch list",
        "agent, watching a sibling dir"};
    cost r[NCFG][ROUNDS_MAX] = {{{0, 0}}}, med[NCFG];
    double ratio[ROUNDS_MAX], ratio_near[ROUNDS_MAX];
    int per = OPENS / b->rounds, rounds = b->rounds;
    char out[256];
    char *defaults[] = {(char *)b->rampart, "agent", "-o", out, NULL};

    snprintf(out, sizeof(out), "%s/open.out", b->dir);
    for (int i = 0; i < rounds && !interrupted; i++) {
        r[NONE][i] = open_ns(b->unwatched, per);
        struct rp_floor *f = floor_or_note(FLOOR_SYSCALLS);
        r[FLOOR][i] = open_ns(b->unwatched, per);
        rp_floor__destroy(f);
        /* The default prefixes (/etc/shadow, /root/.ssh/, ...): the path is
         * rejected by the quick filter after an 8-byte read. */
        tracer t = start(defaults, "/dev/null", "ready", NULL);
        r[AGENT][i] = open_ns(b->unwatched, per);
        stop(&t);
        /* Watching <dir>/watched/: the unwatched path shares its first
         * bytes, so every open takes the full check (string + LPM trie). */
        t = start_agent(b, NULL, out);
        r[AGENT_NEAR][i] = open_ns(b->unwatched, per);
        stop(&t);
        ratio[i] = (r[AGENT][i].cpu - r[NONE][i].cpu) / (r[FLOOR][i].cpu - r[NONE][i].cpu);
        ratio_near[i] = (r[AGENT_NEAR][i].cpu - r[NONE][i].cpu) / (r[FLOOR][i].cpu - r[NONE][i].cpu);
    }
    if (interrupted)
        return;
    medians(r, NCFG, rounds, med);
    /* Program time per call from the kernel's accounting, which a busy
     * machine blurs less than CPU time: the part of the cost that is ours to
     * cut.  Its own rounds, floor and agent interleaved (the machine drifts
     * by tens of percent over a minute), with stats on only here so that
     * the CPU times above are not inflated by them. */
    int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
    double acc_ratio[ROUNDS_MAX], acc_agent[ROUNDS_MAX], acc_floor[ROUNDS_MAX];
    double run_agent[ROUNDS_MAX], run_floor[ROUNDS_MAX];
    int acc_rounds = 0;
    for (int i = 0; stats >= 0 && i < rounds && !interrupted; i++) {
        struct rp_floor *f = floor_or_note(FLOOR_SYSCALLS);
        prog_time pf = prog_time_of("floor_");
        open_ns(b->unwatched, per);
        pf = prog_time_since("floor_", pf);
        rp_floor__destroy(f);
        tracer t = start(defaults, "/dev/null", "ready", NULL);
        prog_time pa = prog_time_of("rp_sys_");
        open_ns(b->unwatched, per);
        pa = prog_time_since("rp_sys_", pa);
        stop(&t);
        if (pf.runs <= 0 || pa.runs <= 0)
            break;
        acc_agent[acc_rounds] = pa.ns / per;
        acc_floor[acc_rounds] = pf.ns / per;
        acc_ratio[acc_rounds] = pa.ns / pf.ns;
        run_agent[acc_rounds] = pa.ns / pa.runs;
        run_floor[acc_rounds] = pf.ns / pf.runs;
        acc_rounds++;
    }
    if (stats >= 0)
        close(stats);
    printf("\n(b) open: %d x open+close of an unwatched path (%s) per configuration, %d rounds\n",
           per * rounds, b->unwatched, rounds);
    printf("    %-34s %10s %9s %10s\n", "", "CPU ns", "added", "wall ns");
    for (int c = 0; c < NCFG; c++)
        printf("    %-34s %10.0f %+9.0f %10.0f\n", names[c], med[c].cpu, med[c].cpu - med[NONE].cpu,
               med[c].wall);
    printf("    agent's added CPU / the floor's: %.2f default watch list, %.2f sibling of a watched "
           "dir\n    (medians of per-round ratios: %.2f, %.2f)\n",
           (med[AGENT].cpu - med[NONE].cpu) / (med[FLOOR].cpu - med[NONE].cpu),
           (med[AGENT_NEAR].cpu - med[NONE].cpu) / (med[FLOOR].cpu - med[NONE].cpu),
           median(ratio, rounds), median(ratio_near, rounds));
    if (acc_rounds > 0)
        printf("    kernel accounting, program time per open+close (medians of %d interleaved "
               "rounds):\n    agent %.0f ns, floor %.0f ns, ratio %.2f (per program run: agent "
               "%.1f ns, floor %.1f ns)\n",
               acc_rounds, median(acc_agent, acc_rounds), median(acc_floor, acc_rounds),
               median(acc_ratio, acc_rounds), median(run_agent, acc_rounds),
               median(run_floor, acc_rounds));
    unlink(out);
}

/* Drops reported by the agent: its --stats line on stderr. */
static long long read_drops(int fd)
{
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    const char *d;
    if (n <= 0)
        return -1;
    buf[n] = 0;
    d = strstr(buf, "\"drops\":");
    return d ? atoll(d + 8) : -1;
}

/* Opens the watched file for `seconds` (count 0) or `count` times, at most
 * `per_ms` per millisecond (0: as fast as possible); returns the opens. */
static long generate(const char *path, double seconds, long count, long per_ms)
{
    long n = 0;
    double t0 = now_s(), end = t0 + seconds;

    while (count ? n < count : now_s() < end) {
        for (int i = 0; i < 256; i++, n++) {
            int fd = open(path, O_RDONLY);
            if (fd >= 0)
                close(fd);
        }
        while (per_ms > 0 && n > (now_s() - t0) * 1000 * per_ms)
            ;
    }
    return n;
}

/* `procs` generator processes; returns the total number of opens. */
static long generate_in(int procs, const char *path, double seconds, long count, long per_ms)
{
    int p[2];
    long total = 0, n;
    pid_t kids[8];

    if (procs > 8 || pipe(p))
        return 0;
    for (int i = 0; i < procs; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            n = generate(path, seconds, count, per_ms);
            _exit(write(p[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
        }
    }
    close(p[1]);
    while (read(p[0], &n, sizeof(n)) == sizeof(n))
        total += n;
    close(p[0]);
    for (int i = 0; i < procs; i++) /* only these: the agent is a child too */
        if (kids[i] > 0)
            waitpid(kids[i], NULL, 0);
    return total;
}

/* CPU seconds a process has used (utime + stime from /proc/pid/stat). */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    unsigned long ut = 0, st = 0;
    int fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if ((fd = open(path, O_RDONLY)) < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* comm may hold spaces */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Lines in path beyond *off (counted incrementally). */
static long count_new_lines(const char *path, off_t *off)
{
    char buf[1 << 16];
    long n = 0;
    ssize_t k;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return 0;
    while ((k = pread(fd, buf, sizeof(buf), *off)) > 0) {
        for (ssize_t i = 0; i < k; i++)
            n += buf[i] == '\n';
        *off += k;
    }
    close(fd);
    return n;
}

/* Live: generators open a watched file flat out while the agent runs; the
 * rate is paced down until nothing drops.  The generators, not the agent,
 * bound this on a small machine, so the drain test below also measures the
 * agent alone: events queued while it is stopped, then drained. */
static void bench_rate_live(const bench *b, const char *out)
{
    long per_ms = 0;

    for (int attempt = 0; attempt < 5 && !interrupted; attempt++) {
        char *argv[] = {(char *)b->rampart, "agent", "--watch", (char *)b->watched_dir, "--filter",
                        "open", "-o", (char *)out, "--stats", NULL};
        tracer t = start(argv, "/dev/null", "ready", NULL);
        if (t.pid <= 0)
            return;
        double t0 = now_s();
        long made = generate_in(2, b->watched, RATE_SECONDS, 0, per_ms);
        double dt = now_s() - t0;
        kill(t.pid, SIGTERM);
        waitpid(t.pid, NULL, 0);
        long long drops = read_drops(t.err_fd);
        close(t.err_fd);
        off_t off = 0;
        long got = count_new_lines(out, &off);
        unlink(out);
        printf("    live, 2 generators %s: %ld opens in %.2f s, %ld events written, %lld dropped: "
               "%.0f events/s\n",
               per_ms ? "paced" : "flat out", made, dt, got, drops, (double)got / dt);
        if (drops == 0)
            break;
        per_ms = (long)((double)made / dt / 1000 / 2 * 0.7);
    }
}

static void bench_rate_drain(const bench *b, const char *out)
{
    enum { QUEUED = 200000 };
    char *argv[] = {(char *)b->rampart, "agent", "--watch", (char *)b->watched_dir, "--filter",
                    "open", "--ringbuf-size", "256M", "-o", (char *)out, "--stats", NULL};
    tracer t = start(argv, "/dev/null", "ready", NULL);
    off_t off = 0;
    long got = 0;

    if (t.pid <= 0)
        return;
    kill(t.pid, SIGSTOP); /* the kernel side keeps queueing */
    long made = generate_in(2, b->watched, 0, QUEUED / 2, 0);
    double cpu0 = proc_cpu_s(t.pid), t0 = now_s();
    kill(t.pid, SIGCONT);
    while (got < made && now_s() - t0 < 60 && !interrupted) {
        usleep(5000);
        got += count_new_lines(out, &off);
    }
    double dt = now_s() - t0, cpu = proc_cpu_s(t.pid) - cpu0;
    kill(t.pid, SIGTERM);
    waitpid(t.pid, NULL, 0);
    long long drops = read_drops(t.err_fd);
    close(t.err_fd);
    unlink(out);
    printf("    drain: %ld events queued while the agent was stopped, %ld written in %.2f s "
           "(%lld dropped):\n      %.0f events/s, %.1f us of agent CPU per event (%.0f events per "
           "CPU second)\n",
           made, got, dt, drops, (double)got / dt, cpu / (double)got * 1e6, (double)got / cpu);
}

static void bench_rate(const bench *b)
{
    char out[256];

    snprintf(out, sizeof(out), "%s/rate.out", b->dir);
    printf("\n(c) event rate: opens of a watched file (one JSON line each), %d s per live try\n",
           RATE_SECONDS);
    bench_rate_live(b, out);
    bench_rate_drain(b, out);
}

static long rss_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, field, strlen(field)))
            v = atol(line + strlen(field));
    fclose(f);
    return v;
}

static void bench_rss(const bench *b)
{
    tracer t = start_agent(b, NULL, "/dev/null");
    double end = now_s() + b->rss_seconds;
    long execs = 0;

    if (t.pid <= 0)
        return;
    printf("\n(d) agent memory after %d s of fork+exec of /bin/true (all sensors)\n",
           b->rss_seconds);
    printf("    at start: VmRSS %.1f MiB\n", rss_kib(t.pid, "VmRSS:") / 1024.0);
    while (now_s() < end && !interrupted) {
        exec_us(100);
        execs += 100;
    }
    printf("    after %ld execs: VmRSS %.1f MiB (anonymous %.1f, file and ring buffer mappings "
           "%.1f), VmHWM %.1f MiB\n",
           execs, rss_kib(t.pid, "VmRSS:") / 1024.0, rss_kib(t.pid, "RssAnon:") / 1024.0,
           rss_kib(t.pid, "RssFile:") / 1024.0, rss_kib(t.pid, "VmHWM:") / 1024.0);
    stop(&t);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static bool setup(bench *b)
{
    struct stat st;
    const char *env_rounds = getenv("BENCH_ROUNDS"), *env_rss = getenv("RSS_SECONDS");

    b->rampart = getenv("RAMPART") ? getenv("RAMPART") : "bin/rampart";
    b->rounds = env_rounds ? atoi(env_rounds) : 10;
    if (b->rounds < 1 || b->rounds > ROUNDS_MAX)
        b->rounds = 10;
    b->rss_seconds = env_rss ? atoi(env_rss) : 60;
    snprintf(b->dir, sizeof(b->dir), "/tmp/rampart-bench-%d", (int)getpid());
    snprintf(b->unwatched, sizeof(b->unwatched), "%s/unwatched", b->dir);
    snprintf(b->watched_dir, sizeof(b->watched_dir), "%s/watched/", b->dir);
    snprintf(b->watched, sizeof(b->watched), "%s/watched/file", b->dir);
    if (mkdir(b->dir, 0700) || mkdir(b->watched_dir, 0700))
        return false;
    close(open(b->unwatched, O_CREAT | O_WRONLY, 0600));
    close(open(b->watched, O_CREAT | O_WRONLY, 0600));
    /* bpftrace's tracepoints need tracefs; the agent does not. */
    if (stat(TRACEFS "/events", &st) != 0) {
        if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) == 0)
            b->mounted_tracefs = true;
        else
            fprintf(stderr, "bench: mount tracefs: %s (bpftrace rows will be 0)\n", strerror(errno));
    }
    return true;
}

static void teardown(const bench *b)
{
    unlink(b->unwatched);
    unlink(b->watched);
    rmdir(b->watched_dir);
    rmdir(b->dir);
    if (b->mounted_tracefs)
        umount(TRACEFS);
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
    (void)l, (void)f, (void)ap;
    return 0;
}

int main(void)
{
    bench b = {0};
    double load[3] = {0};

    if (geteuid() != 0) {
        fprintf(stderr, "bench_agent: needs root (BPF)\n");
        return 1;
    }
    libbpf_set_print(quiet);
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows as it comes */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!setup(&b)) {
        fprintf(stderr, "bench_agent: setup failed: %s\n", strerror(errno));
        return 1;
    }
    getloadavg(load, 3);
    printf("== bench: rampart agent (%ld CPUs, load %.2f %.2f %.2f; shared machine, medians)\n",
           sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
    const char *only = getenv("BENCH_ONLY");
    if (!only || strstr(only, "exec"))
        bench_exec(&b);
    if (!only || strstr(only, "open"))
        bench_open(&b);
    if (!only || strstr(only, "rate"))
        bench_rate(&b);
    if ((!only || strstr(only, "rss")) && b.rss_seconds > 0)
        bench_rss(&b);
    teardown(&b);
    if (interrupted)
        fprintf(stderr, "bench_agent: interrupted by signal %d\n", (int)interrupted);
    return interrupted ? 1 : 0;
}
