/*
 * pods.h — the pod cache: the pods of this node, so that a container id or a
 * pod uid found in a cgroup path becomes a pod (namespace, name, uid,
 * labels) and a container (name, image).
 *
 * The cache is fed with Kubernetes Pod objects in the API's own JSON format:
 * today from a PodList file (`kubectl get pods -o json`, `--pods FILE`), later
 * from the API client's list+watch, which calls agent_pods_put and
 * agent_pods_delete per watch event, so only the source changes.
 *
 * Ownership: the cache owns every pod (each pod's strings live in the pod's
 * own arena, freed when the pod is replaced or deleted).  Lookups return
 * borrowed pointers valid until the next put, delete or load; the
 * generation counter changes whenever they may have become invalid.
 */
#ifndef RAMPART_AGENT_PODS_H
#define RAMPART_AGENT_PODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/rp.h"
#include "../rego/value.h"

#define AGENT_PODS_MAX 4096               /* pods on a node (kubelet's default max is 110) */
#define AGENT_POD_CONTAINERS_MAX 64       /* containers of one pod, all kinds */
#define AGENT_POD_ARENA_BYTES (256 << 10) /* strings of one pod */

typedef struct {
    const char *namespace_;
    const char *name;
    const char *uid;
    const char *labels_json; /* the labels as a JSON object: {"app":"web"} */
} agent_pod;

typedef struct {
    const agent_pod *pod;
    const char *name;
    const char *image;
    const char *runtime; /* from status containerID: "containerd", "cri-o", "docker" */
    const char *id;      /* the container id without the runtime:// prefix */
} agent_pod_container;

typedef struct agent_pods agent_pods;

agent_pods *agent_pods_new(void);
void agent_pods_free(agent_pods *p);

/* Replaces the whole cache with the pods of a PodList (or any object with an
 * "items" array, or a single Pod).  When node is not NULL, pods whose
 * spec.nodeName differs are skipped.  On error the cache is unchanged. */
rp_status agent_pods_load_file(agent_pods *p, const char *path, const char *node, rp_error *err);
rp_status agent_pods_load_json(agent_pods *p, const char *json, size_t n, const char *node,
                               rp_error *err);

/* Adds or replaces (by metadata.uid) one Pod object. */
rp_status agent_pods_put(agent_pods *p, rego_value pod, rp_error *err);
/* Removes the pod with this uid, if present. */
void agent_pods_delete(agent_pods *p, const char *uid);

const agent_pod_container *agent_pods_container(const agent_pods *p, const char *container_id);
const agent_pod *agent_pods_by_uid(const agent_pods *p, const char *uid);
size_t agent_pods_count(const agent_pods *p);
uint64_t agent_pods_generation(const agent_pods *p);

#endif
