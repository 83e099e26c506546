/*
 * containers.h — cgroup id → container: which container (and which pod) a
 * cgroup v2 id belongs to, from the cgroup's path.
 *
 * The kernel side reports bpf_get_current_cgroup_id(): the inode number of
 * the task's cgroup v2 directory.  User space turns that id back into a path
 * (open_by_handle_at on the cgroup2 mount), and the path into a container id,
 * runtime and pod uid, for the layouts container runtimes use:
 *   systemd driver:  .../kubepods-burstable-pod<uid_with_underscores>.slice/
 *                    cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
 *   cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>, /docker/<id>
 * Everything else (cgroup id 1, system.slice services, ...) is the host.
 *
 * Ownership: an agent_cgroups cache owns its entries; agent_cgroups_get
 * returns a borrowed entry valid until the next call on the cache.
 */
#ifndef RAMPART_AGENT_CONTAINERS_H
#define RAMPART_AGENT_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/rp.h"

#define AGENT_CONTAINER_ID_LEN 64 /* docker, containerd and CRI-O ids: 64 hex digits */
#define AGENT_POD_UID_LEN 36      /* a UUID with dashes */
#define AGENT_CGROUP_PATH_MAX 4096
#define AGENT_CGROUP_CACHE_MAX 16384 /* cgroups remembered; the table restarts when full */

typedef enum {
    AGENT_RT_NONE = 0, /* not a container */
    AGENT_RT_CONTAINERD,
    AGENT_RT_CRIO,
    AGENT_RT_DOCKER,
    AGENT_RT_PODMAN,
    AGENT_RT_UNKNOWN, /* a container id under a layout that does not name its runtime */
} agent_runtime;

typedef struct {
    agent_runtime runtime;
    char id[AGENT_CONTAINER_ID_LEN + 1];  /* "" when no container id was found */
    char pod_uid[AGENT_POD_UID_LEN + 1];  /* "" when not under a kubepods pod */
} agent_cgroup_info;

/* Parses a cgroup path (relative to the cgroup2 root, e.g. "/kubepods/..."):
 * fills *out and returns true when the path names a container or a pod. */
bool agent_cgroup_parse(const char *path, agent_cgroup_info *out);

/* "containerd", "cri-o", "docker", "podman", "unknown" ("" for NONE). */
const char *agent_runtime_name(agent_runtime rt);

typedef struct {
    uint64_t id;
    bool resolved;  /* the path is known (the cgroup still existed when asked) */
    bool host;      /* resolved and not a container or pod */
    char *path;     /* relative to the cgroup2 root; "" when not resolved */
    agent_cgroup_info info;
    /* The caller's per-cgroup memo (event.c keeps the pod lookup here, keyed
     * by the pod cache's generation); zeroed when the entry is made. */
    uint64_t memo_gen;
    const void *memo[2];
} agent_cgroup_entry;

/* Resolves a cgroup id to its path relative to the root (test hook). */
typedef bool (*agent_cgroup_resolver)(void *ctx, uint64_t id, char *path, size_t cap);

typedef struct agent_cgroups agent_cgroups;

/* root: the cgroup2 mount ("/sys/fs/cgroup/unified" in a hybrid layout);
 * NULL finds it in /proc/self/mountinfo.  NULL result: out of memory, or no
 * cgroup2 mount (err says which). */
agent_cgroups *agent_cgroups_new(const char *root, rp_error *err);
void agent_cgroups_set_resolver(agent_cgroups *c, agent_cgroup_resolver fn, void *ctx);
/* The entry for id, resolved on first sight; NULL only when out of memory. */
agent_cgroup_entry *agent_cgroups_get(agent_cgroups *c, uint64_t id);
const char *agent_cgroups_root(const agent_cgroups *c);
void agent_cgroups_free(agent_cgroups *c);

/* The cgroup2 mount point from a mountinfo file, into out. */
rp_status agent_cgroup2_mount(const char *mountinfo, char *out, size_t cap, rp_error *err);

#endif
