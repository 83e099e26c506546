/*
 * harness.h — the stand-in container for the agent's root tests, and the
 * cleanup that removes it however the test ends.
 *
 * A "container" here is what the agent can observe of one: a cgroup v2
 * directory laid out as the kubelet's cgroupfs driver does
 * (<base>/kubepods/besteffort/pod<uid>/<64-hex id>) and a network namespace
 * with only loopback.  Everything created is named rampart-test-<pid> and
 * recorded in env, and env_cleanup (atexit, and the fatal-signal handler)
 * kills the children, empties and removes the cgroups, deletes the netns,
 * unmounts the test bpffs and removes the temporary directory.
 */
#ifndef RAMPART_TESTS_AGENT_HARNESS_H
#define RAMPART_TESTS_AGENT_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup/unified"
#define MAX_KIDS 256
#define MAX_CG_DIRS 8

static struct {
    char tag[64];         /* rampart-test-<pid> */
    char tmp[256];        /* /tmp/<tag> */
    char cg_dirs[MAX_CG_DIRS][700]; /* created cgroups, outermost first */
    int ncg;
    char leaf[700];       /* the container's cgroup */
    char netns[64];
    bool netns_made;
    char bpffs[300];
    bool bpffs_mounted;
    pid_t kids[MAX_KIDS];
    int nkids;
    char hex[65];         /* the container id */
    char pod_uid[37];
} env;

static void env_track(pid_t pid)
{
    if (env.nkids < MAX_KIDS)
        env.kids[env.nkids++] = pid;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Moves whatever still runs in dir to the root cgroup, then removes dir. */
static void cg_remove(const char *dir)
{
    char path[800], line[32];
    FILE *f;

    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    if ((f = fopen(path, "r"))) {
        while (fgets(line, sizeof(line), f)) {
            int fd = open(CG_ROOT "/cgroup.procs", O_WRONLY);
            if (fd >= 0) {
                if (write(fd, line, strlen(line)) < 0) { /* gone already */ }
                close(fd);
            }
        }
        fclose(f);
    }
    rmdir(dir);
}

static void env_cleanup(void)
{
    for (int i = 0; i < env.nkids; i++)
        if (env.kids[i] > 0 && kill(env.kids[i], SIGKILL) == 0)
            waitpid(env.kids[i], NULL, 0);
    env.nkids = 0;
    for (int i = env.ncg - 1; i >= 0; i--)
        cg_remove(env.cg_dirs[i]);
    env.ncg = 0;
    if (env.netns_made) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", env.netns);
        if (system(cmd) != 0) { /* reported by the sweep in run_bpf_tests.sh */ }
        env.netns_made = false;
    }
    if (env.bpffs_mounted) {
        umount2(env.bpffs, MNT_DETACH);
        env.bpffs_mounted = false;
    }
    if (env.tmp[0] && strncmp(env.tmp, "/tmp/rampart-test-", 18) == 0) {
        nftw(env.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        env.tmp[0] = 0;
    }
}

static void on_fatal(int sig)
{
    env_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

static bool cg_make(const char *path)
{
    if (env.ncg >= MAX_CG_DIRS || (mkdir(path, 0755) && errno != EEXIST))
        return false;
    snprintf(env.cg_dirs[env.ncg++], sizeof(env.cg_dirs[0]), "%s", path);
    return true;
}

/* `ip netns add <netns>`, or bring up its loopback. */
static bool ip_netns(bool add)
{
    char cmd[256];
    if (add)
        snprintf(cmd, sizeof(cmd), "ip netns add %s", env.netns);
    else
        snprintf(cmd, sizeof(cmd), "ip -n %s link set lo up", env.netns);
    return system(cmd) == 0;
}

/* Builds the stand-in container; false (with a message) when it cannot. */
static bool env_setup(void)
{
    char path[512], base[300];
    unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);

    snprintf(env.tag, sizeof(env.tag), "rampart-test-%d", (int)getpid());
    snprintf(env.tmp, sizeof(env.tmp), "/tmp/%s", env.tag);
    atexit(env_cleanup);
    signal(SIGINT, on_fatal);
    signal(SIGTERM, on_fatal);
    signal(SIGSEGV, on_fatal);
    signal(SIGABRT, on_fatal);
    signal(SIGBUS, on_fatal);
    signal(SIGALRM, on_fatal); /* the watchdog */
    if (mkdir(env.tmp, 0755))
        return perror(env.tmp), false;
    for (int i = 0; i < 64; i++)
        env.hex[i] = "0123456789abcdef"[(seed = seed * 1103515245u + 12345u) >> 28];
    env.hex[64] = 0;
    snprintf(env.pod_uid, sizeof(env.pod_uid), "%08x-1b2c-4d5e-8f90-%012x", seed, (unsigned)getpid());
    snprintf(base, sizeof(base), CG_ROOT "/%s", env.tag);
    const char *parts[] = {"", "/kubepods", "/kubepods/besteffort", NULL};
    for (int i = 0; parts[i]; i++) {
        snprintf(path, sizeof(path), "%s%s", base, parts[i]);
        if (!cg_make(path))
            return perror(path), false;
    }
    snprintf(path, sizeof(path), "%s/kubepods/besteffort/pod%s", base, env.pod_uid);
    if (!cg_make(path))
        return perror(path), false;
    snprintf(env.leaf, sizeof(env.leaf), "%s/%s", path, env.hex);
    if (!cg_make(env.leaf))
        return perror(env.leaf), false;
    snprintf(env.netns, sizeof(env.netns), "%s", env.tag);
    if (!ip_netns(true))
        return fprintf(stderr, "ip netns add failed\n"), false;
    env.netns_made = true;
    if (!ip_netns(false))
        return fprintf(stderr, "ip link set lo up failed\n"), false;
    alarm(100); /* a hung test still cleans up */
    return true;
}

/* Moves the calling process into the container cgroup and/or netns. */
static bool env_enter(bool cgroup, bool netns)
{
    char path[800];
    int fd;

    if (cgroup) {
        snprintf(path, sizeof(path), "%s/cgroup.procs", env.leaf);
        fd = open(path, O_WRONLY);
        if (fd < 0 || write(fd, "0", 1) != 1)
            return false;
        close(fd);
    }
    if (netns) {
        snprintf(path, sizeof(path), "/run/netns/%s", env.netns);
        fd = open(path, O_RDONLY);
        if (fd < 0 || setns(fd, CLONE_NEWNET))
            return false;
        close(fd);
    }
    return true;
}

typedef int (*child_fn)(void *arg);

/* Runs fn in a child (inside the container when asked); returns its pid. */
static pid_t spawn(bool cgroup, bool netns, child_fn fn, void *arg)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* The parent's handlers clean up the environment: not a child's job. */
        int sigs[] = {SIGINT, SIGTERM, SIGSEGV, SIGABRT, SIGBUS, SIGALRM};
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
            signal(sigs[i], SIG_DFL);
        alarm(20);
        if (!env_enter(cgroup, netns))
            _exit(120);
        _exit(fn(arg));
    }
    if (pid > 0)
        env_track(pid);
    return pid;
}

/* The child's wait status (-1 on error). */
static int reap(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    for (int i = 0; i < env.nkids; i++)
        if (env.kids[i] == pid)
            env.kids[i] = 0;
    return st;
}

#endif
