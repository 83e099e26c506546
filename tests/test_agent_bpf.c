/*
 * test_agent_bpf.c — the agent for real, as root: the BPF sensors loaded
 * and attached, processes started inside a stand-in container (a cgroup v2
 * laid out as the kubelet does, with its own network namespace; see
 * agent/harness.h), and the exact events the agent emits asserted field by
 * field: exec with argv, fork/exit, a TCP connect/accept with the right
 * tuple, UDP sends to a watched port only, opens of watched files and none
 * for an unwatched one, setuid, ptrace, mount, memfd exec, attribution to
 * the container and pod.  Then drop accounting with a ring buffer too small
 * for a burst, and the `rampart agent` command: --dry-run, the clear errors
 * (not root, no BTF, LSM refused), SIGTERM, and pins that outlive a restart.
 *
 * Everything created is removed by the harness, also on failure; the make
 * target's wrapper (tests/agent/run_bpf_tests.sh) sweeps again by name.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "agent/harness.h"
#include "agent/json_query.h"
#include "agent/agent.h"
#include "agent/bpf/events.h"
#include "t.h"

#define WAIT_MS 5000 /* an event not there after this is missing */
#define BURST 3000   /* opens in the drop test */

extern char **environ;

/* ---- collecting the agent's lines -------------------------------------------- */

static struct {
    rego_value *ev;
    size_t n, cap;
    rp_arena *keep, *scratch;
    pid_t pids[MAX_KIDS * 4]; /* every pid the tests started, for the filter */
    size_t npids;
    unsigned long long leaf_id;
    uint64_t seen;
} col;

static void remember(pid_t pid)
{
    if (col.npids < RP_ARRAY_LEN(col.pids))
        col.pids[col.npids++] = pid;
}

static bool ours(long long pid)
{
    for (size_t i = 0; i < col.npids; i++)
        if (col.pids[i] == pid)
            return true;
    return false;
}

/* Keeps the events of our processes (the agent sees the whole machine). */
static void collect(void *ctx, const char *line, size_t len)
{
    rego_value v;
    char *copy = strndup(line, len);
    (void)ctx;

    col.seen++;
    rp_arena_reset(col.scratch);
    if (!copy || !jq_parse(col.scratch, copy, &v)) {
        fprintf(stderr, "agent wrote a line that is not JSON: %s\n", copy ? copy : "");
        t_failed++;
        free(copy);
        return;
    }
    bool keep = ours(jq_int(v, "process.pid", -1)) || ours(jq_int(v, "process.ppid", -1)) ||
                (unsigned long long)jq_int(v, "container.cgroup_id", 0) == col.leaf_id ||
                strcmp(jq_str(v, "type") ? jq_str(v, "type") : "", "drops") == 0;
    if (keep && col.n < col.cap && jq_parse(col.keep, copy, &v))
        col.ev[col.n++] = v;
    free(copy);
}

/* The first kept event of type from pid (pid 0: any), UNDEF when none. */
static rego_value find_event(const char *type, long long pid, size_t from)
{
    for (size_t i = from; i < col.n; i++) {
        const char *t = jq_str(col.ev[i], "type");
        if (t && strcmp(t, type) == 0 && (pid == 0 || jq_int(col.ev[i], "process.pid", -1) == pid))
            return col.ev[i];
    }
    return rego_undef();
}

static size_t count_events(const char *type, long long pid)
{
    size_t n = 0;
    for (size_t i = 0; i < col.n; i++) {
        const char *t = jq_str(col.ev[i], "type");
        n += t && strcmp(t, type) == 0 && jq_int(col.ev[i], "process.pid", -1) == pid;
    }
    return n;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Polls the agent until find_event matches or WAIT_MS pass. */
static rego_value wait_event(agent *a, const char *type, long long pid)
{
    long long end = now_ms() + WAIT_MS;
    rp_error err = {0};

    for (;;) {
        rego_value v = find_event(type, pid, 0);
        if (!rego_is_undef(v) || now_ms() > end) {
            T_CHECKM(!rego_is_undef(v), "no %s event from pid %lld", type, pid);
            return v;
        }
        if (agent_poll(a, 20, NULL, &err) != RP_OK) {
            T_CHECKM(0, "agent_poll: %s", err.msg);
            return rego_undef();
        }
    }
}

/* Drains what is already in the ring buffer. */
static void drain(agent *a)
{
    rp_error err = {0};
    size_t n = 1;
    while (n > 0 && agent_poll(a, 50, &n, &err) == RP_OK)
        ;
}

static pid_t run_child(bool cgroup, bool netns, child_fn fn, void *arg)
{
    pid_t pid = spawn(cgroup, netns, fn, arg);
    remember(pid);
    return pid;
}

/* ---- children: what the stand-in container does ----------------------------- */

static int do_exec_echo(void *arg)
{
    char *argv[] = {"/bin/echo", arg, "two words", NULL};
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execv(argv[0], argv);
    return 127;
}

static int do_exec_true(void *arg)
{
    char *argv[] = {"true", arg, NULL};
    execv("/bin/true", argv);
    return 127;
}

typedef struct {
    int pipe_fd;
    unsigned short port;
    int family; /* AF_INET or AF_INET6, on loopback */
} net_arg;

/* Loopback in the given family with a port. */
static socklen_t loopback(int family, unsigned short port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (void *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        s6->sin6_addr = in6addr_loopback;
        return sizeof(*s6);
    }
    struct sockaddr_in *s4 = (void *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*s4);
}

static unsigned short port_of(const struct sockaddr_storage *ss)
{
    return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
                                           : ((const struct sockaddr_in *)ss)->sin_port);
}

static int do_listen(void *arg)
{
    net_arg *na = arg;
    struct sockaddr_storage ss;
    socklen_t len = loopback(na->family, 0, &ss);
    int s = socket(na->family, SOCK_STREAM, 0), c;
    char b;

    if (s < 0 || bind(s, (void *)&ss, len) || getsockname(s, (void *)&ss, &len) || listen(s, 4))
        return 1;
    unsigned short port = port_of(&ss);
    if (write(na->pipe_fd, &port, sizeof(port)) != sizeof(port))
        return 2;
    c = accept(s, NULL, NULL);
    if (c < 0 || read(c, &b, 1) != 1)
        return 3;
    return 0;
}

static int do_connect(void *arg)
{
    net_arg *na = arg;
    struct sockaddr_storage ss;
    socklen_t len = loopback(na->family, na->port, &ss);
    int s = socket(na->family, SOCK_STREAM, 0);

    if (s < 0 || connect(s, (void *)&ss, len) || getsockname(s, (void *)&ss, &len))
        return 1;
    unsigned short local = port_of(&ss);
    if (write(na->pipe_fd, &local, sizeof(local)) != sizeof(local) || write(s, "x", 1) != 1)
        return 2;
    close(s);
    return 0;
}

static int do_udp(void *arg)
{
    struct sockaddr_in dns = {.sin_family = AF_INET, .sin_port = htons(53),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in other = dns;
    int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);
    (void)arg;

    other.sin_port = htons(5353);
    if (s < 0 || c < 0)
        return 1;
    if (sendto(s, "q", 1, 0, (void *)&other, sizeof(other)) != 1) /* unwatched port */
        return 2;
    if (sendto(s, "q", 1, 0, (void *)&dns, sizeof(dns)) != 1)
        return 3;
    /* a connected socket, as glibc's resolver uses: the peer comes from the socket */
    if (connect(c, (void *)&dns, sizeof(dns)) || send(c, "q", 1, 0) != 1)
        return 4;
    return 0;
}

static int do_files(void *arg)
{
    const char *tmp = arg;
    char path[512], rel[512];
    struct open_how how = {.flags = O_RDONLY};
    int fd, dfd;

    snprintf(path, sizeof(path), "%s/other/file", tmp);
    if ((fd = open(path, O_RDONLY)) < 0) /* unwatched: no event */
        return 1;
    close(fd);
    snprintf(path, sizeof(path), "%s/watched/secret", tmp);
    if ((fd = open(path, O_RDONLY)) < 0)
        return 2;
    close(fd);
    snprintf(path, sizeof(path), "%s/watched", tmp);
    if (chdir(path) || (fd = open("rel", O_CREAT | O_WRONLY, 0600)) < 0) /* relative name */
        return 3;
    close(fd);
    if ((dfd = open(tmp, O_DIRECTORY | O_RDONLY)) < 0 ||
        (fd = openat(dfd, "watched/viafd", O_CREAT | O_RDWR, 0600)) < 0) /* via a dirfd */
        return 4;
    close(fd);
    snprintf(path, sizeof(path), "%s/watched/secret", tmp);
    if ((fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how))) < 0)
        return 5;
    close(fd);
    snprintf(path, sizeof(path), "%s/watched/missing", tmp);
    if (open(path, O_RDONLY) >= 0 || errno != ENOENT) /* failed: reported with its errno */
        return 7;
    if ((fd = openat(dfd, "watched/viafd", O_RDONLY)) < 0 || fchmod(fd, 0600)) /* path of an fd */
        return 8;
    close(fd);
    if (renameat(dfd, "watched/viafd", dfd, "watched/viafd2")) /* both names via a dirfd */
        return 9;
    close(dfd);
    snprintf(path, sizeof(path), "%s/watched/rel", tmp);
    snprintf(rel, sizeof(rel), "%s/watched/renamed", tmp);
    if (rename(path, rel) || chmod(rel, 0640) || unlink(rel))
        return 6;
    return 0;
}

static int do_setuid(void *arg)
{
    (void)arg;
    if (setuid(65534))
        return 1;
    return setuid(0) == -1 && errno == EPERM ? 0 : 2; /* refused: reported too */
}

static int do_ptrace(void *arg)
{
    int *pipe_fd = arg, st;
    pid_t victim = fork();

    if (victim == 0) {
        for (;;)
            pause();
    }
    if (victim < 0 || write(*pipe_fd, &victim, sizeof(victim)) != sizeof(victim))
        return 1;
    if (ptrace(PTRACE_ATTACH, victim, NULL, NULL) || waitpid(victim, &st, 0) != victim)
        return 2;
    ptrace(PTRACE_DETACH, victim, NULL, NULL);
    kill(victim, SIGKILL);
    waitpid(victim, &st, 0);
    return 0;
}

static int do_fork_exit(void *arg)
{
    int *pipe_fd = arg, st;
    pid_t kid = fork();

    if (kid == 0)
        _exit(7);
    if (kid < 0 || write(*pipe_fd, &kid, sizeof(kid)) != sizeof(kid))
        return 1;
    waitpid(kid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : 2;
}

static int do_memfd_exec(void *arg)
{
    char *argv[] = {"memfd-true", NULL};
    int src = open("/bin/true", O_RDONLY), fd = (int)syscall(SYS_memfd_create, "rp-test-memfd", 0);
    struct stat st;
    (void)arg;

    if (src < 0 || fd < 0 || fstat(src, &st) || sendfile(fd, src, NULL, (size_t)st.st_size) != st.st_size)
        return 1;
    fexecve(fd, argv, environ);
    return 127;
}

static int do_mount(void *arg)
{
    const char *target = arg;
    if (unshare(CLONE_NEWNS | CLONE_NEWUTS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
        return 1;
    if (mount("rp-test", target, "tmpfs", 0, NULL) || umount2(target, 0))
        return 2;
    return 0;
}

static int do_bpf_capset_module(void *arg)
{
    union bpf_attr attr;
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    (void)arg;

    memset(&attr, 0, sizeof(attr));
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    strcpy(attr.map_name, "rp_test_map");
    if (syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)) < 0)
        return 1;
    if (syscall(SYS_capget, &h, d) || syscall(SYS_capset, &h, d))
        return 2;
    syscall(SYS_finit_module, -1, "", 0); /* fails: no such fd (and no modules here) */
    return 0;
}

static int do_burst(void *arg)
{
    const char *path = arg;
    for (int i = 0; i < BURST; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return 1;
        close(fd);
    }
    return 0;
}

/* ---- the tests --------------------------------------------------------------- */

static void check_container(rego_value v)
{
    T_CHECK(jq_bool(v, "host") == 0);
    T_STREQ(jq_str(v, "container.id"), env.hex);
    T_STREQ(jq_str(v, "container.name"), "nginx");
    T_STREQ(jq_str(v, "container.image"), "nginx:1.25");
    T_STREQ(jq_str(v, "container.runtime"), "containerd");
    T_CHECK((unsigned long long)jq_int(v, "container.cgroup_id", 0) == col.leaf_id);
    T_STREQ(jq_str(v, "pod.namespace"), "shop");
    T_STREQ(jq_str(v, "pod.name"), "web-1");
    T_STREQ(jq_str(v, "pod.uid"), env.pod_uid);
    T_STREQ(jq_str(v, "pod.labels.app"), "web");
}

static void test_exec(agent *a)
{
    char marker[64], cwd[512], self[512], echo[512];
    pid_t pid;
    rego_value v;

    snprintf(marker, sizeof(marker), "marker-%d", (int)getpid());
    pid = run_child(true, false, do_exec_echo, marker);
    reap(pid);
    v = wait_event(a, "exec", pid);
    snprintf(echo, sizeof(echo), "[\"/bin/echo\",\"%s\",\"two words\"]", marker);
    T_STREQ(jq_show(v, "process.args"), echo);
    T_STREQ(jq_str(v, "process.filename"), "/bin/echo");
    T_STREQ(jq_str(v, "process.exe"), realpath("/bin/echo", echo) ? echo : "?");
    T_STREQ(jq_str(v, "process.name"), "echo");
    T_STREQ(jq_str(v, "process.cwd"), getcwd(cwd, sizeof(cwd)));
    T_CHECK(jq_int(v, "process.uid", -1) == 0 && jq_int(v, "process.euid", -1) == 0);
    T_CHECK(jq_bool(v, "process.args_truncated") == 0 && jq_int(v, "process.argc", 0) == 3);
    T_CHECK(jq_int(v, "process.ppid", 0) == getpid() && jq_int(v, "parent.pid", 0) == getpid());
    T_STREQ(jq_str(v, "parent.exe"), realpath("/proc/self/exe", self) ? self : "?");
    check_container(v);
    v = wait_event(a, "exit", pid);
    T_CHECK(jq_int(v, "exit.code", -1) == 0 && jq_int(v, "exit.signal", -1) == 0);
    check_container(v);
}

static void test_exec_host(agent *a)
{
    pid_t pid = run_child(false, false, do_exec_true, "host-marker");
    rego_value v;

    reap(pid);
    v = wait_event(a, "exec", pid);
    T_STREQ(jq_show(v, "process.args"), "[\"true\",\"host-marker\"]");
    T_CHECK(jq_bool(v, "host") == 1);
    T_STREQ(jq_str(v, "container.id"), "host");
    T_CHECK(jq_is_null(v, "pod"));
}

static void test_tcp(agent *a, int family)
{
    const char *lo = family == AF_INET6 ? "::1" : "127.0.0.1";
    int p1[2], p2[2];
    net_arg la = {.family = family}, ca = {.family = family};
    unsigned short port = 0, local = 0;
    pid_t lpid, cpid;
    rego_value v;

    if (pipe(p1) || pipe(p2)) {
        T_CHECKM(0, "pipe: %s", strerror(errno));
        return;
    }
    la.pipe_fd = p1[1];
    lpid = run_child(true, true, do_listen, &la);
    T_CHECK(read(p1[0], &port, sizeof(port)) == sizeof(port));
    ca.pipe_fd = p2[1];
    ca.port = port;
    cpid = run_child(true, true, do_connect, &ca);
    T_CHECK(read(p2[0], &local, sizeof(local)) == sizeof(local));
    T_CHECK(WEXITSTATUS(reap(cpid)) == 0 && WEXITSTATUS(reap(lpid)) == 0);

    v = wait_event(a, "connect", cpid);
    T_STREQ(jq_str(v, "network.syscall"), "connect");
    T_STREQ(jq_str(v, "network.proto"), "tcp");
    T_STREQ(jq_str(v, "network.family"), family == AF_INET6 ? "ipv6" : "ipv4");
    T_STREQ(jq_str(v, "network.daddr"), lo);
    T_CHECK(jq_int(v, "network.dport", 0) == port);
    T_STREQ(jq_str(v, "network.saddr"), lo);
    T_CHECK(jq_int(v, "network.sport", 0) == local);
    T_CHECK(jq_int(v, "network.result", -1) == 0);
    check_container(v);
    v = wait_event(a, "accept", lpid);
    T_STREQ(jq_str(v, "network.saddr"), lo);
    T_CHECK(jq_int(v, "network.sport", 0) == port);
    T_STREQ(jq_str(v, "network.daddr"), lo);
    T_CHECK(jq_int(v, "network.dport", 0) == local);
    T_CHECK(jq_int(v, "network.result", -1) >= 0);
    v = wait_event(a, "listen", lpid);
    T_CHECK(jq_int(v, "network.sport", 0) == port && jq_int(v, "network.result", -1) == 0);
    v = wait_event(a, "bind", lpid);
    T_STREQ(jq_str(v, "network.saddr"), lo);
    T_CHECK(jq_int(v, "network.result", -1) == 0);
    close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]);
}

static void test_udp(agent *a)
{
    pid_t pid = run_child(true, true, do_udp, NULL);
    rego_value v;

    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "connect", pid); /* the connected socket's connect, UDP */
    T_STREQ(jq_str(v, "network.proto"), "udp");
    drain(a);
    T_CHECK(count_events("send", pid) == 2); /* not the one to port 5353 */
    for (size_t i = 0; i < col.n; i++) {
        v = col.ev[i];
        const char *t = jq_str(v, "type");
        if (jq_int(v, "process.pid", 0) != pid || !t || strcmp(t, "send"))
            continue;
        T_CHECK(jq_int(v, "network.dport", 0) == 53);
        T_STREQ(jq_str(v, "network.proto"), "udp");
        T_STREQ(jq_str(v, "network.daddr"), "127.0.0.1");
        T_CHECK(jq_int(v, "network.result", 0) == 1);
    }
}

/* The file event of pid whose file.path is path (UNDEF if none). */
static rego_value file_event(const char *type, pid_t pid, const char *path)
{
    for (size_t i = 0; i < col.n; i++) {
        rego_value v = col.ev[i];
        const char *t = jq_str(v, "type"), *p = jq_str(v, "file.path");
        if (t && p && !strcmp(t, type) && !strcmp(p, path) && jq_int(v, "process.pid", 0) == pid)
            return v;
    }
    return rego_undef();
}

static void test_files(agent *a)
{
    char w[512], path[600], path2[600];
    pid_t pid;
    rego_value v;

    snprintf(w, sizeof(w), "%s/watched", env.tmp);
    pid = run_child(true, false, do_files, env.tmp);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "unlink", pid); /* the last one */
    snprintf(path, sizeof(path), "%s/renamed", w);
    T_STREQ(jq_str(v, "file.path"), path);
    T_CHECK(jq_int(v, "file.result", -1) == 0);
    check_container(v);
    drain(a);

    snprintf(path, sizeof(path), "%s/secret", w);
    v = file_event("open", pid, path);
    T_CHECKM(!rego_is_undef(v), "open of %s", path);
    T_CHECK(jq_bool(v, "file.write") == 0 && jq_int(v, "file.result", -1) >= 0);
    T_CHECK(count_events("open", pid) == 6);
    snprintf(path, sizeof(path), "%s/missing", w);
    v = file_event("open", pid, path);
    T_CHECKM(jq_int(v, "file.result", 0) == -ENOENT, "failed open of %s", path);
    snprintf(path, sizeof(path), "%s/viafd", w);
    v = file_event("chmod", pid, path);
    T_CHECKM(jq_int(v, "file.mode", 0) == 0600 && !strcmp(jq_str(v, "file.syscall"), "fchmod"),
             "fchmod of %s", path);
    v = file_event("rename", pid, path);
    snprintf(path2, sizeof(path2), "%s/viafd2", w);
    T_CHECKM(jq_str(v, "file.new_path") && !strcmp(jq_str(v, "file.new_path"), path2),
             "renameat to %s", path2);
    snprintf(path, sizeof(path), "%s/rel", w); /* relative name made absolute */
    v = file_event("open", pid, path);
    T_CHECKM(!rego_is_undef(v), "open of %s", path);
    T_CHECK(jq_bool(v, "file.write") == 1);
    snprintf(path, sizeof(path), "%s/viafd", w);
    T_CHECKM(!rego_is_undef(file_event("open", pid, path)), "openat via dirfd of %s", path);
    bool openat2_seen = false;
    for (size_t i = 0; i < col.n; i++)
        openat2_seen |= jq_int(col.ev[i], "process.pid", 0) == pid &&
                        jq_str(col.ev[i], "file.syscall") &&
                        !strcmp(jq_str(col.ev[i], "file.syscall"), "openat2");
    T_CHECK(openat2_seen);
    snprintf(path, sizeof(path), "%s/rel", w);
    snprintf(path2, sizeof(path2), "%s/renamed", w);
    v = file_event("rename", pid, path);
    T_STREQ(jq_str(v, "file.new_path"), path2);
    v = file_event("chmod", pid, path2);
    T_CHECK(jq_int(v, "file.mode", 0) == 0640);
    /* nothing about the unwatched file */
    snprintf(path, sizeof(path), "%s/other/file", env.tmp);
    T_CHECK(rego_is_undef(file_event("open", pid, path)));
}

static void test_priv(agent *a)
{
    int p[2];
    pid_t pid, victim = 0, kid = 0;
    rego_value v;
    char target[600];

    pid = run_child(true, false, do_setuid, NULL);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "setuid", pid);
    T_STREQ(jq_str(v, "priv.syscall"), "setuid");
    T_CHECK(jq_int(v, "priv.uid", 0) == 65534 && jq_int(v, "priv.result", -1) == 0);
    T_CHECK(jq_int(v, "process.uid", -1) == 0);
    check_container(v);
    drain(a);
    T_CHECK(count_events("setuid", pid) == 2);
    bool refused = false;
    for (size_t i = 0; i < col.n; i++)
        refused |= jq_int(col.ev[i], "process.pid", 0) == pid &&
                   jq_int(col.ev[i], "priv.uid", -1) == 0 &&
                   jq_int(col.ev[i], "priv.result", 0) == -EPERM;
    T_CHECK(refused);

    if (pipe(p))
        {
        T_CHECKM(0, "pipe: %s", strerror(errno));
        return;
    }
    pid = run_child(true, false, do_ptrace, &p[1]);
    T_CHECK(read(p[0], &victim, sizeof(victim)) == sizeof(victim));
    remember(victim);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "ptrace", pid);
    T_STREQ(jq_str(v, "priv.request_name"), "PTRACE_ATTACH");
    T_CHECK(jq_int(v, "priv.target_pid", 0) == victim && jq_int(v, "priv.result", -1) == 0);
    v = wait_event(a, "exit", victim);
    T_CHECK(jq_int(v, "exit.signal", 0) == SIGKILL);

    pid = run_child(true, false, do_fork_exit, &p[1]);
    T_CHECK(read(p[0], &kid, sizeof(kid)) == sizeof(kid));
    remember(kid);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "fork", kid);
    T_CHECK(jq_int(v, "parent.pid", 0) == pid && jq_int(v, "process.ppid", 0) == pid);
    check_container(v);
    v = wait_event(a, "exit", kid);
    T_CHECK(jq_int(v, "exit.code", -1) == 7);
    close(p[0]), close(p[1]);

    snprintf(target, sizeof(target), "%s/mnt", env.tmp);
    pid = run_child(true, false, do_mount, target);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "unshare", pid);
    T_STREQ(jq_show(v, "priv.namespaces"), "[\"mnt\",\"uts\"]");
    v = wait_event(a, "mount", pid);
    drain(a);
    bool tmpfs = false, umount = false;
    for (size_t i = 0; i < col.n; i++) {
        rego_value e = col.ev[i];
        const char *sys = jq_str(e, "priv.syscall"), *tgt = jq_str(e, "priv.target");
        if (jq_int(e, "process.pid", 0) != pid || !sys || !tgt || strcmp(tgt, target))
            continue;
        tmpfs |= !strcmp(sys, "mount") && jq_str(e, "priv.fstype") &&
                 !strcmp(jq_str(e, "priv.fstype"), "tmpfs") && jq_str(e, "priv.source") &&
                 !strcmp(jq_str(e, "priv.source"), "rp-test") && jq_int(e, "priv.result", -1) == 0;
        umount |= !strcmp(sys, "umount2") && jq_int(e, "priv.result", -1) == 0;
    }
    T_CHECK(tmpfs && umount);

    pid = run_child(true, false, do_bpf_capset_module, NULL);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "bpf", pid);
    T_STREQ(jq_str(v, "priv.cmd_name"), "BPF_MAP_CREATE");
    T_STREQ(jq_str(v, "priv.name"), "rp_test_map");
    T_CHECK(jq_int(v, "priv.result", -1) >= 0);
    v = wait_event(a, "capset", pid);
    T_CHECK(jq_int(v, "priv.result", -1) == 0 && jq_int(v, "priv.effective", 0) != 0);
    v = wait_event(a, "module", pid);
    T_STREQ(jq_str(v, "priv.syscall"), "finit_module");
    T_CHECK(jq_int(v, "priv.result", 0) < 0);
}

static void test_memfd(agent *a)
{
    pid_t pid = run_child(true, false, do_memfd_exec, NULL);
    rego_value v;

    T_CHECK(WEXITSTATUS(reap(pid)) == 0);
    v = wait_event(a, "memfd_create", pid);
    T_STREQ(jq_str(v, "priv.name"), "rp-test-memfd");
    v = wait_event(a, "exec", pid);
    T_CHECK(jq_bool(v, "process.exe_from_memfd") == 1);
    T_CHECK(jq_str(v, "process.exe") && !strncmp(jq_str(v, "process.exe"), "/memfd:rp-test-memfd", 20));
    T_STREQ(jq_show(v, "process.args"), "[\"memfd-true\"]");
}

static void test_setns_seen(void)
{
    /* Children entering the netns called setns(2) from inside the container. */
    bool seen = false;
    for (size_t i = 0; i < col.n; i++) {
        const char *p = jq_str(col.ev[i], "priv.path"), *t = jq_str(col.ev[i], "type");
        seen |= t && !strcmp(t, "setns") && p && strstr(p, env.netns) &&
                !strcmp(jq_show(col.ev[i], "priv.namespaces"), "[\"net\"]");
    }
    T_CHECK(seen);
}

/* A ring buffer far too small for a burst: drops are counted and reported,
 * nothing hangs, and received + dropped accounts for every open. */
static void test_drops(void)
{
    agent_config cfg;
    agent *a = NULL;
    rp_error err = {0};
    char dir[400], path[500];
    agent_stats st;
    size_t before = col.n, got = 0;
    long long lost = 0;

    snprintf(dir, sizeof(dir), "%s/burst/", env.tmp);
    snprintf(path, sizeof(path), "%sf", dir);
    agent_config_defaults(&cfg);
    cfg.types = RP_TYPE_BIT(RP_EV_OPEN);
    cfg.watch[0] = dir;
    cfg.nwatch = 1;
    cfg.ringbuf_bytes = RP_RINGBUF_MIN;
    cfg.cgroup_root = CG_ROOT;
    if (agent_open(&cfg, collect, NULL, &a, &err) != RP_OK)
        {
        T_CHECKM(0, "agent_open: %s", err.msg);
        return;
    }
    pid_t pid = run_child(true, false, do_burst, path);
    T_CHECK(WEXITSTATUS(reap(pid)) == 0); /* the burst ran to the end: nothing blocked it */
    drain(a);
    T_CHECK(agent_read_stats(a, &st, NULL, 0, NULL, &err) == RP_OK);
    for (size_t i = before; i < col.n; i++) {
        const char *t = jq_str(col.ev[i], "type");
        if (t && !strcmp(t, "drops"))
            lost += jq_int(col.ev[i], "lost", 0);
        else if (t && !strcmp(t, "open") && jq_int(col.ev[i], "process.pid", 0) == pid)
            got++;
    }
    T_CHECKM(st.drops > 0 && got < BURST, "drops %llu, received %zu", (unsigned long long)st.drops,
             got);
    T_CHECKM(got + st.drops + st.inflight_full == BURST, "received %zu + dropped %llu != %d", got,
             (unsigned long long)(st.drops + st.inflight_full), BURST);
    T_CHECKM((unsigned long long)lost == st.drops + st.inflight_full,
             "drops lines say %lld lost, counters %llu", lost,
             (unsigned long long)(st.drops + st.inflight_full));
    agent_close(a);
}

/* ---- the command --------------------------------------------------------------- */

typedef struct {
    int status;
    char err[8192], out[16384];
} cmd_result;

/* Reads fd to EOF into buf (NUL-terminated, cut at cap - 1 bytes). */
static void read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t k;
    char sink[4096];

    while ((k = read(fd, n + 1 < cap ? buf + n : sink, n + 1 < cap ? cap - 1 - n : sizeof(sink))) > 0)
        if (n + 1 < cap)
            n += (size_t)k;
    buf[n] = 0;
}

/* Runs `rampart agent ARGS...` (as uid when uid >= 0) to completion. */
static void run_cmd(cmd_result *r, int uid, const char *const *args)
{
    const char *bin = getenv("RAMPART") ? getenv("RAMPART") : "bin/rampart";
    int po[2], pe[2];
    pid_t pid;

    memset(r, 0, sizeof(*r));
    r->status = -1;
    if (pipe(po) || pipe(pe))
        return;
    pid = fork();
    if (pid == 0) {
        char *argv[32] = {(char *)bin, "agent"};
        int n = 2;
        for (; args[n - 2] && n < 31; n++)
            argv[n] = (char *)args[n - 2];
        argv[n] = NULL;
        dup2(po[1], 1), dup2(pe[1], 2);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        if (uid >= 0 && (setgroups(0, NULL) || setgid((gid_t)uid) || setuid((uid_t)uid)))
            _exit(121);
        execv(bin, argv);
        _exit(127);
    }
    env_track(pid);
    close(po[1]), close(pe[1]);
    read_all(po[0], r->out, sizeof(r->out));
    read_all(pe[0], r->err, sizeof(r->err));
    r->status = reap(pid);
    close(po[0]), close(pe[0]);
}

static void test_cli_errors(void)
{
    cmd_result r;

    run_cmd(&r, -1, (const char *[]){"--dry-run", NULL});
    T_CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    T_CHECK(strstr(r.out, "rp_sys_enter") && strstr(r.out, "tp_btf/sys_enter") &&
            strstr(r.out, "rp_events") && strstr(r.out, "ringbuf") && strstr(r.out, "rp_exec_lsm"));
    /* the file sensor works at sys_exit alone: sys_enter stays off */
    run_cmd(&r, -1, (const char *[]){"--dry-run", "--filter", "file", NULL});
    const char *enter = strstr(r.out, "rp_sys_enter "), *exit_ = strstr(r.out, "rp_sys_exit ");
    const char *off = enter ? strstr(enter, "off (") : NULL;
    const char *on = exit_ ? strstr(exit_, "attach") : NULL;
    T_CHECK(off && off < strchr(enter, '\n') && on && on < strchr(exit_, '\n'));
    run_cmd(&r, 65534, (const char *[]){"--duration", "1", NULL});
    T_CHECKM(WEXITSTATUS(r.status) == 1 && strstr(r.err, "needs root"), "not root: %s", r.err);
    run_cmd(&r, 65534, (const char *[]){"--dry-run", NULL}); /* dry-run needs no privileges */
    T_CHECKM(WEXITSTATUS(r.status) == 0, "dry-run as nobody: %s", r.err);
    run_cmd(&r, -1, (const char *[]){"--btf", "/nonexistent/vmlinux", "--duration", "1", NULL});
    T_CHECKM(WEXITSTATUS(r.status) == 1 &&
                 strstr(r.err, "kernel BTF not found at /nonexistent/vmlinux"),
             "no BTF: %s", r.err);
    run_cmd(&r, -1, (const char *[]){"--lsm", "--duration", "1", NULL});
    T_CHECKM(WEXITSTATUS(r.status) == 1 &&
                 strstr(r.err, "refused program rp_exec_lsm (lsm/bprm_check_security") &&
                 strstr(r.err, "EPERM"),
             "LSM refused: %s", r.err);
    run_cmd(&r, -1, (const char *[]){"--ringbuf-size", "1000", NULL});
    T_CHECK(WEXITSTATUS(r.status) == 2 && strstr(r.err, "power of two"));
    run_cmd(&r, -1, (const char *[]){"--filter", "exec,nonsense", NULL});
    T_CHECK(WEXITSTATUS(r.status) == 2 && strstr(r.err, "--filter"));
    run_cmd(&r, -1, (const char *[]){"--help", NULL});
    T_CHECK(WEXITSTATUS(r.status) == 0 && strstr(r.out, "--pin-dir"));
}

/* Starts `rampart agent ARGS` in the background and waits for "ready". */
static pid_t start_agent(const char *const *args, int *err_fd)
{
    const char *bin = getenv("RAMPART") ? getenv("RAMPART") : "bin/rampart";
    char buf[512];
    int pe[2];
    pid_t pid;
    ssize_t n = 0, k;

    if (pipe(pe))
        return -1;
    pid = fork();
    if (pid == 0) {
        char *argv[32] = {(char *)bin, "agent"};
        int i = 2;
        for (; args[i - 2] && i < 31; i++)
            argv[i] = (char *)args[i - 2];
        argv[i] = NULL;
        dup2(pe[1], 2);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execv(bin, argv);
        _exit(127);
    }
    env_track(pid);
    close(pe[1]);
    while (n < (ssize_t)sizeof(buf) - 1 && (k = read(pe[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0) {
        n += k;
        buf[n] = 0;
        if (strstr(buf, "ready"))
            break;
    }
    buf[n > 0 ? n : 0] = 0;
    T_CHECKM(strstr(buf, "ready") != NULL, "agent did not start: %s", buf);
    *err_fd = pe[0];
    return pid;
}

static bool file_has(const char *path, const char *needle)
{
    char *text = NULL;
    size_t len = 0;
    rp_error err = {0};
    bool found = rp_read_file(path, 64 << 20, &text, &len, &err) == RP_OK && strstr(text, needle);
    free(text);
    return found;
}

static void stop_agent(pid_t pid, int err_fd)
{
    long long t0 = now_ms();
    kill(pid, SIGTERM);
    int st = reap(pid);
    T_CHECKM(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent exit status %d", st);
    T_CHECK(now_ms() - t0 < 3000); /* SIGTERM is handled promptly */
    close(err_fd);
}

static void exec_marker(const char *marker)
{
    pid_t pid = run_child(false, false, do_exec_true, (void *)marker);
    reap(pid);
}

/* SIGTERM drains and exits 0; pinned links keep the programs producing into
 * the pinned ring buffer while no agent runs, and the next agent reads it. */
static void test_cli_run_and_pins(void)
{
    char out1[400], out2[400], pins[400], probe[500], m1[64], m2[64];
    int efd;
    pid_t pid;
    cmd_result r;
    struct stat st;

    snprintf(out1, sizeof(out1), "%s/run1.json", env.tmp);
    snprintf(out2, sizeof(out2), "%s/run2.json", env.tmp);
    snprintf(env.bpffs, sizeof(env.bpffs), "%s/bpffs", env.tmp);
    snprintf(pins, sizeof(pins), "%s/rampart", env.bpffs);
    snprintf(m1, sizeof(m1), "pin-marker-1-%d", (int)getpid());
    snprintf(m2, sizeof(m2), "pin-marker-2-%d", (int)getpid());
    if (mkdir(env.bpffs, 0700) || mount("bpf", env.bpffs, "bpf", 0, NULL))
        {
        T_CHECKM(0, "mount bpffs: %s", strerror(errno));
        return;
    }
    env.bpffs_mounted = true;

    pid = start_agent((const char *[]){"--filter", "exec", "-o", out1, "--pin-dir", pins, NULL}, &efd);
    exec_marker(m1);
    usleep(200 * 1000);
    stop_agent(pid, efd);
    T_CHECKM(file_has(out1, m1), "first run missed its exec");
    snprintf(probe, sizeof(probe), "%s/link_rp_exec", pins);
    T_CHECK(stat(probe, &st) == 0);
    snprintf(probe, sizeof(probe), "%s/rp_events", pins);
    T_CHECK(stat(probe, &st) == 0);

    exec_marker(m2); /* no agent running: the pinned program still records it */
    pid = start_agent((const char *[]){"--filter", "exec", "-o", out2, "--pin-dir", pins, NULL}, &efd);
    usleep(200 * 1000);
    stop_agent(pid, efd);
    T_CHECKM(file_has(out2, m2), "exec between two runs was lost");

    run_cmd(&r, -1, (const char *[]){"--pin-dir", pins, "--unpin", NULL});
    T_CHECK(WEXITSTATUS(r.status) == 0 && stat(pins, &st) != 0);
    /* a pin directory that is not bpffs is a clear error */
    run_cmd(&r, -1, (const char *[]){"--pin-dir", env.tmp, "--duration", "1", NULL});
    T_CHECKM(WEXITSTATUS(r.status) == 1 && strstr(r.err, "not on a bpf filesystem"), "%s", r.err);
}

/* ---- setup --------------------------------------------------------------------- */

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(text, f) >= 0;
    if (f)
        ok = fclose(f) == 0 && ok;
    return ok;
}

static bool make_tree(char *pods, size_t cap)
{
    char path[600], json[2048];
    const char *dirs[] = {"watched", "other", "burst", "mnt"};
    const char *files[] = {"watched/secret", "other/file", "burst/f"};
    struct stat st;

    for (size_t i = 0; i < RP_ARRAY_LEN(dirs); i++) {
        snprintf(path, sizeof(path), "%s/%s", env.tmp, dirs[i]);
        if (mkdir(path, 0755))
            return false;
    }
    for (size_t i = 0; i < RP_ARRAY_LEN(files); i++) {
        snprintf(path, sizeof(path), "%s/%s", env.tmp, files[i]);
        if (!write_file(path, "x"))
            return false;
    }
    snprintf(json, sizeof(json),
             "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"metadata\":"
             "{\"name\":\"web-1\",\"namespace\":\"shop\",\"uid\":\"%s\",\"labels\":{\"app\":\"web\"}},"
             "\"status\":{\"containerStatuses\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\","
             "\"containerID\":\"containerd://%s\"}]}}]}",
             env.pod_uid, env.hex);
    snprintf(pods, cap, "%s/pods.json", env.tmp);
    if (stat(env.leaf, &st))
        return false;
    col.leaf_id = (unsigned long long)st.st_ino;
    return write_file(pods, json);
}

static agent *open_agent(const char *pods, char *watch, size_t cap)
{
    agent_config cfg;
    agent *a = NULL;
    rp_error err = {0};

    agent_config_defaults(&cfg);
    snprintf(watch, cap, "%s/watched/", env.tmp);
    cfg.watch[0] = watch;
    cfg.nwatch = 1;
    cfg.pods_path = pods;
    cfg.cgroup_root = CG_ROOT;
    cfg.poll_ms = 20;
    if (agent_open(&cfg, collect, NULL, &a, &err) != RP_OK)
        T_CHECKM(0, "agent_open: %s", err.msg);
    return a;
}

int main(void)
{
    char pods[600], watch[400];
    agent *a;

    if (geteuid() != 0) {
        printf("test_agent_bpf: skipped, needs root (BPF, cgroups, netns)\n0 passed, 0 failed\n");
        return 0;
    }
    col.cap = 1 << 16;
    col.ev = calloc(col.cap, sizeof(*col.ev));
    col.keep = rp_arena_new(0);
    col.scratch = rp_arena_new(0);
    if (!col.ev || !col.keep || !col.scratch || !env_setup() || !make_tree(pods, sizeof(pods))) {
        T_CHECKM(0, "%s", "could not build the stand-in container");
        return T_DONE();
    }
    a = open_agent(pods, watch, sizeof(watch));
    if (a) {
        test_exec(a);
        test_exec_host(a);
        test_tcp(a, AF_INET);
        test_tcp(a, AF_INET6);
        test_udp(a);
        test_files(a);
        test_priv(a);
        test_memfd(a);
        test_setns_seen();
        agent_close(a);
    }
    test_drops();
    test_cli_errors();
    test_cli_run_and_pins();
    env_cleanup();
    free(col.ev);
    rp_arena_free(col.keep);
    rp_arena_free(col.scratch);
    return T_DONE();
}
