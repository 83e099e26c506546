/*
 * containers.c — cgroup id → path → container id, runtime and pod uid.
 *
 * Invariants: the cache is an open-addressing table of twice
 * AGENT_CGROUP_CACHE_MAX slots keyed by cgroup id (0 marks an empty slot:
 * no cgroup has id 0); when it holds AGENT_CGROUP_CACHE_MAX entries it is
 * emptied and refilled on demand, which keeps memory bounded without an LRU.
 * A cgroup id never changes its path (kernfs ids are not reused), so entries
 * need no invalidation.
 */
#include "containers.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CGROUP_SLOTS (2 * AGENT_CGROUP_CACHE_MAX) /* power of two */
#define FILEID_KERNFS 0xfe /* file handle type of kernfs (cgroupfs) nodes */
#define ROOT_CGROUP_ID 1

struct agent_cgroups {
    char root[AGENT_CGROUP_PATH_MAX];
    size_t root_len;
    int root_fd;
    agent_cgroup_resolver resolve;
    void *resolve_ctx;
    size_t count;
    agent_cgroup_entry *slots; /* CGROUP_SLOTS */
};

const char *agent_runtime_name(agent_runtime rt)
{
    switch (rt) {
    case AGENT_RT_NONE: return "";
    case AGENT_RT_CONTAINERD: return "containerd";
    case AGENT_RT_CRIO: return "cri-o";
    case AGENT_RT_DOCKER: return "docker";
    case AGENT_RT_PODMAN: return "podman";
    case AGENT_RT_UNKNOWN: return "unknown";
    }
    return "";
}

/* ---- path parsing --------------------------------------------------------- */

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return false;
    return true;
}

static bool has_prefix(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && memcmp(s, pre, k) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* A UUID with '-' (cgroupfs) or '_' (systemd slices) as separator. */
static bool uuid_like(const char *s, size_t n, char sep)
{
    if (n != AGENT_POD_UID_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != sep : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* "<prefix><64 hex>.scope" for the systemd driver's scope names. */
static bool scope_id(const char *s, size_t n, const char *prefix, char *id)
{
    size_t k = strlen(prefix);
    if (!has_prefix(s, n, prefix) || !has_suffix(s, n, ".scope"))
        return false;
    s += k;
    n -= k + strlen(".scope");
    if (n != AGENT_CONTAINER_ID_LEN || !all_hex(s, n))
        return false;
    memcpy(id, s, n);
    id[n] = 0;
    return true;
}

static const struct {
    const char *prefix;
    agent_runtime rt;
} scope_prefixes[] = {
    {"cri-containerd-", AGENT_RT_CONTAINERD},
    {"crio-", AGENT_RT_CRIO},
    {"docker-", AGENT_RT_DOCKER},
    {"libpod-", AGENT_RT_PODMAN},
};

/* A container id in one path component; prev is the component above it. */
static bool component_container(const char *s, size_t n, const char *prev, size_t prev_n,
                                agent_cgroup_info *out)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(scope_prefixes); i++) {
        if (scope_id(s, n, scope_prefixes[i].prefix, out->id)) {
            out->runtime = scope_prefixes[i].rt;
            return true;
        }
    }
    if (n == AGENT_CONTAINER_ID_LEN && all_hex(s, n)) {
        /* cgroupfs driver: the runtime is not in the path, except Docker's. */
        memcpy(out->id, s, n);
        out->id[n] = 0;
        out->runtime = prev_n == 6 && memcmp(prev, "docker", 6) == 0 ? AGENT_RT_DOCKER
                                                                     : AGENT_RT_UNKNOWN;
        return true;
    }
    return false;
}

/* A pod uid in one path component: "pod<uid>" or "kubepods-...-pod<uid_>.slice". */
static bool component_pod(const char *s, size_t n, char *uid)
{
    const char *u = NULL;
    char sep = '-';

    if (has_prefix(s, n, "pod") && uuid_like(s + 3, n - 3, '-')) {
        u = s + 3;
    } else if (has_prefix(s, n, "kubepods-") && has_suffix(s, n, ".slice") &&
               n >= AGENT_POD_UID_LEN + 10) {
        const char *start = s + n - strlen(".slice") - AGENT_POD_UID_LEN;
        if (memcmp(start - 4, "-pod", 4) == 0 && uuid_like(start, AGENT_POD_UID_LEN, '_'))
            u = start, sep = '_';
    }
    if (!u)
        return false;
    for (size_t i = 0; i < AGENT_POD_UID_LEN; i++)
        uid[i] = u[i] == sep ? '-' : u[i];
    uid[AGENT_POD_UID_LEN] = 0;
    return true;
}

bool agent_cgroup_parse(const char *path, agent_cgroup_info *out)
{
    const char *prev = "", *p = path;
    size_t prev_n = 0;

    memset(out, 0, sizeof(*out));
    while (*p) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        if (n == 0)
            break;
        /* The innermost match wins: nested runtimes (kind, docker-in-docker)
         * put the real container below the outer one. */
        agent_cgroup_info c = *out;
        if (component_container(s, n, prev, prev_n, &c)) {
            memcpy(out->id, c.id, sizeof(out->id));
            out->runtime = c.runtime;
        }
        component_pod(s, n, out->pod_uid);
        prev = s;
        prev_n = n;
    }
    return out->id[0] || out->pod_uid[0];
}

/* ---- cgroup2 mount and id resolution --------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_mountinfo(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (s[i] == '\\' && i + 3 < n && isdigit((unsigned char)s[i + 1]) &&
            isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])) {
            out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
}

/* The mount point (5th field) of a mountinfo line whose fstype is cgroup2. */
static bool mountinfo_cgroup2(const char *line, char *out, size_t cap)
{
    const char *sep = strstr(line, " - ");
    const char *f = line;

    if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
        return false;
    for (int field = 0; field < 4; field++) {
        f = strchr(f, ' ');
        if (!f || f > sep)
            return false;
        f++;
    }
    const char *end = strchr(f, ' ');
    if (!end)
        return false;
    unescape_mountinfo(f, (size_t)(end - f), out, cap);
    return true;
}

rp_status agent_cgroup2_mount(const char *mountinfo, char *out, size_t cap, rp_error *err)
{
    rp_loc loc = {mountinfo, 0, 0};
    char line[8192];
    FILE *f = fopen(mountinfo, "re");

    if (!f)
        return rp_error_set(err, RP_ERR_IO, loc, "open: %s", strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        if (mountinfo_cgroup2(line, out, cap)) {
            fclose(f);
            return RP_OK;
        }
    }
    fclose(f);
    return rp_error_set(err, RP_ERR_IO, loc, "no cgroup2 filesystem is mounted");
}

/* The path of cgroup id under the root: open_by_handle_at with a kernfs
 * handle, then the fd's link in /proc. */
static bool resolve_by_handle(void *ctx, uint64_t id, char *path, size_t cap)
{
    agent_cgroups *c = ctx;
    union {
        struct file_handle fh;
        unsigned char bytes[sizeof(struct file_handle) + sizeof(uint64_t)];
    } h;
    char link[64], target[AGENT_CGROUP_PATH_MAX];
    ssize_t n;
    int fd;

    h.fh.handle_bytes = sizeof(uint64_t);
    h.fh.handle_type = FILEID_KERNFS;
    memcpy(h.fh.f_handle, &id, sizeof(id));
    fd = open_by_handle_at(c->root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false; /* ESTALE: the cgroup is gone */
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof(target) - 1);
    close(fd);
    if (n < 0 || (size_t)n < c->root_len || memcmp(target, c->root, c->root_len) != 0)
        return false;
    target[n] = 0;
    snprintf(path, cap, "%s", target[c->root_len] ? target + c->root_len : "/");
    return true;
}

agent_cgroups *agent_cgroups_new(const char *root, rp_error *err)
{
    agent_cgroups *c = calloc(1, sizeof(*c));
    rp_loc loc = {0};

    if (!c || !(c->slots = calloc(CGROUP_SLOTS, sizeof(*c->slots)))) {
        free(c);
        rp_error_set(err, RP_ERR_NOMEM, loc, "out of memory");
        return NULL;
    }
    c->root_fd = -1;
    if (root)
        snprintf(c->root, sizeof(c->root), "%s", root);
    else if (agent_cgroup2_mount("/proc/self/mountinfo", c->root, sizeof(c->root), err) != RP_OK)
        goto fail;
    c->root_len = strlen(c->root);
    while (c->root_len > 1 && c->root[c->root_len - 1] == '/')
        c->root[--c->root_len] = 0;
    c->root_fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->root_fd < 0) {
        rp_error_set(err, RP_ERR_IO, loc, "open cgroup2 root %s: %s", c->root, strerror(errno));
        goto fail;
    }
    c->resolve = resolve_by_handle;
    c->resolve_ctx = c;
    return c;
fail:
    agent_cgroups_free(c);
    return NULL;
}

void agent_cgroups_set_resolver(agent_cgroups *c, agent_cgroup_resolver fn, void *ctx)
{
    c->resolve = fn;
    c->resolve_ctx = ctx;
}

const char *agent_cgroups_root(const agent_cgroups *c)
{
    return c->root;
}

static void cgroups_clear(agent_cgroups *c)
{
    for (size_t i = 0; i < CGROUP_SLOTS; i++) {
        free(c->slots[i].path);
        memset(&c->slots[i], 0, sizeof(c->slots[i]));
    }
    c->count = 0;
}

static size_t slot_of(uint64_t id)
{
    /* Fibonacci hashing: cgroup ids are sequential inode numbers. */
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 49) & (CGROUP_SLOTS - 1);
}

static void entry_fill(agent_cgroups *c, agent_cgroup_entry *e, uint64_t id)
{
    char path[AGENT_CGROUP_PATH_MAX];

    e->id = id;
    if (id == ROOT_CGROUP_ID) {
        snprintf(path, sizeof(path), "/");
        e->resolved = true;
    } else {
        e->resolved = c->resolve(c->resolve_ctx, id, path, sizeof(path));
    }
    if (!e->resolved)
        path[0] = 0;
    e->path = strdup(path);
    e->host = e->resolved && !agent_cgroup_parse(path, &e->info);
    if (!e->resolved)
        memset(&e->info, 0, sizeof(e->info));
}

agent_cgroup_entry *agent_cgroups_get(agent_cgroups *c, uint64_t id)
{
    size_t i = slot_of(id);

    while (c->slots[i].id != 0) {
        if (c->slots[i].id == id)
            return &c->slots[i];
        i = (i + 1) & (CGROUP_SLOTS - 1);
    }
    if (c->count >= AGENT_CGROUP_CACHE_MAX) {
        cgroups_clear(c);
        i = slot_of(id);
    }
    entry_fill(c, &c->slots[i], id);
    if (!c->slots[i].path) {
        memset(&c->slots[i], 0, sizeof(c->slots[i]));
        return NULL;
    }
    c->count++;
    return &c->slots[i];
}

void agent_cgroups_free(agent_cgroups *c)
{
    if (!c)
        return;
    if (c->slots)
        cgroups_clear(c);
    free(c->slots);
    if (c->root_fd >= 0)
        close(c->root_fd);
    free(c);
}
