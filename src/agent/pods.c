/*
 * pods.c — the pod cache (see pods.h).
 *
 * Invariants: pods[0..n) are distinct by uid; each pod_entry owns one arena
 * holding the pod's strings and its container table, so replacing a pod is
 * one arena free.  Lookups are linear: a node runs at most a few hundred
 * containers, and callers cache results per cgroup keyed on the generation.
 */
#include "pods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rego/json.h"

#define PODLIST_ARENA_BYTES (256u << 20) /* a parsed PodList; a big node's is a few MiB */

typedef struct {
    rp_arena *a;
    agent_pod pod;
    agent_pod_container *ctrs;
    size_t nctrs;
} pod_entry;

struct agent_pods {
    pod_entry *pods; /* AGENT_PODS_MAX */
    size_t n;
    uint64_t gen;
};

agent_pods *agent_pods_new(void)
{
    agent_pods *p = calloc(1, sizeof(*p));
    if (p && !(p->pods = calloc(AGENT_PODS_MAX, sizeof(*p->pods)))) {
        free(p);
        return NULL;
    }
    return p;
}

static void entries_free(pod_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rp_arena_free(e[i].a);
}

void agent_pods_free(agent_pods *p)
{
    if (!p)
        return;
    entries_free(p->pods, p->n);
    free(p->pods);
    free(p);
}

/* ---- reading Pod objects ----------------------------------------------------- */

static bool get(rego_value obj, const char *key, rego_value *out)
{
    size_t n = strlen(key);
    return obj.kind == REGO_OBJECT && rego_object_get_str(obj, key, n, rego_hash_str(key, n), out);
}

/* obj.key as a string copied into a, or "" (never NULL unless out of memory). */
static const char *get_str(rp_arena *a, rego_value obj, const char *key)
{
    rego_value v;
    if (!get(obj, key, &v) || v.kind != REGO_STRING)
        return rp_arena_strndup(a, "", 0);
    return rp_arena_strndup(a, v.u.s, v.n);
}

static const char *labels_json(rp_arena *a, rego_value meta)
{
    rego_value labels;
    rp_buf b;
    const char *s;

    if (!get(meta, "labels", &labels) || labels.kind != REGO_OBJECT)
        return rp_arena_strndup(a, "{}", 2);
    rp_buf_init(&b);
    rego_value_write(&b, labels, REGO_FMT_JSON);
    s = b.failed ? NULL : rp_arena_strndup(a, b.data, b.len);
    rp_buf_free(&b);
    return s;
}

/* "containerd://<id>" → runtime "containerd", id "<id>". */
static bool split_container_id(rp_arena *a, rego_value v, agent_pod_container *c)
{
    const char *sep;

    if (v.kind != REGO_STRING || !(sep = strstr(v.u.s, "://")))
        return false;
    c->runtime = rp_arena_strndup(a, v.u.s, (size_t)(sep - v.u.s));
    c->id = rp_arena_strndup(a, sep + 3, v.n - (size_t)(sep + 3 - v.u.s));
    return c->runtime && c->id;
}

/* Appends the containers of one status list (containerStatuses, ...). */
static void add_statuses(pod_entry *e, rego_value status, const char *key)
{
    rego_value list, cid;

    if (!get(status, key, &list) || list.kind != REGO_ARRAY)
        return;
    for (size_t i = 0; i < list.n && e->nctrs < AGENT_POD_CONTAINERS_MAX; i++) {
        rego_value cs = list.u.items[i];
        agent_pod_container *c = &e->ctrs[e->nctrs];
        /* Containers not started yet have no containerID: nothing to match. */
        if (!get(cs, "containerID", &cid) || !split_container_id(e->a, cid, c))
            continue;
        c->pod = &e->pod;
        c->name = get_str(e->a, cs, "name");
        c->image = get_str(e->a, cs, "image");
        e->nctrs++;
    }
}

static rp_status pod_build(rego_value pod, pod_entry *e, rp_error *err)
{
    rp_loc loc = {0};
    rego_value meta, status;

    if (!get(pod, "metadata", &meta) || meta.kind != REGO_OBJECT)
        return rp_error_set(err, RP_ERR_TYPE, loc, "pod without metadata");
    e->a = rp_arena_new(AGENT_POD_ARENA_BYTES);
    if (!e->a)
        return rp_error_set(err, RP_ERR_NOMEM, loc, "out of memory");
    e->pod.namespace_ = get_str(e->a, meta, "namespace");
    e->pod.name = get_str(e->a, meta, "name");
    e->pod.uid = get_str(e->a, meta, "uid");
    e->pod.labels_json = labels_json(e->a, meta);
    e->ctrs = rp_arena_array(e->a, AGENT_POD_CONTAINERS_MAX, sizeof(*e->ctrs));
    e->nctrs = 0;
    if (e->ctrs && get(pod, "status", &status)) {
        add_statuses(e, status, "initContainerStatuses");
        add_statuses(e, status, "containerStatuses");
        add_statuses(e, status, "ephemeralContainerStatuses");
    }
    if (rp_arena_failed(e->a)) {
        rp_arena_free(e->a);
        e->a = NULL;
        return rp_error_set(err, RP_ERR_NOMEM, loc, "pod too large for %u bytes",
                            (unsigned)AGENT_POD_ARENA_BYTES);
    }
    if (!e->pod.uid[0]) {
        /* The message quotes the arena's strings: write it before the free. */
        rp_error_set(err, RP_ERR_TYPE, loc, "pod %s/%s without metadata.uid", e->pod.namespace_,
                     e->pod.name);
        rp_arena_free(e->a);
        e->a = NULL;
        return RP_ERR_TYPE;
    }
    return RP_OK;
}

static bool on_node(rego_value pod, const char *node)
{
    rego_value spec, name;
    if (!node)
        return true;
    return get(pod, "spec", &spec) && get(spec, "nodeName", &name) && name.kind == REGO_STRING &&
           strcmp(name.u.s, node) == 0;
}

/* ---- the cache ------------------------------------------------------------------ */

static ptrdiff_t find_uid(const agent_pods *p, const char *uid)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->pods[i].pod.uid, uid) == 0)
            return (ptrdiff_t)i;
    return -1;
}

/* Container pointers point into the entry: after moving an entry, re-aim them. */
static void entry_fix(pod_entry *e)
{
    for (size_t i = 0; i < e->nctrs; i++)
        e->ctrs[i].pod = &e->pod;
}

rp_status agent_pods_put(agent_pods *p, rego_value pod, rp_error *err)
{
    pod_entry e = {0};
    rp_status rc = pod_build(pod, &e, err);
    ptrdiff_t at;

    if (rc != RP_OK)
        return rc;
    at = find_uid(p, e.pod.uid);
    if (at < 0 && p->n >= AGENT_PODS_MAX) {
        rp_arena_free(e.a);
        return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){0}, "more than %d pods", AGENT_PODS_MAX);
    }
    if (at >= 0)
        rp_arena_free(p->pods[at].a);
    else
        at = (ptrdiff_t)p->n++;
    p->pods[at] = e;
    entry_fix(&p->pods[at]);
    p->gen++;
    return RP_OK;
}

void agent_pods_delete(agent_pods *p, const char *uid)
{
    ptrdiff_t at = find_uid(p, uid);
    if (at < 0)
        return;
    rp_arena_free(p->pods[at].a);
    p->pods[at] = p->pods[--p->n];
    if ((size_t)at < p->n)
        entry_fix(&p->pods[at]);
    p->gen++;
}

/* The Pod objects of a parsed document: items[] of a list, or one Pod. */
static rp_status load_value(agent_pods *p, rego_value doc, const char *node, rp_error *err)
{
    agent_pods fresh = {.pods = calloc(AGENT_PODS_MAX, sizeof(pod_entry))};
    rego_value items;
    rp_status rc = RP_OK;

    if (!fresh.pods)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    if (!get(doc, "items", &items)) {
        items = rego_array_borrow(&doc, 1);
    } else if (items.kind != REGO_ARRAY) {
        rc = rp_error_set(err, RP_ERR_TYPE, (rp_loc){0}, "items is not an array");
    }
    for (size_t i = 0; rc == RP_OK && i < items.n; i++)
        if (on_node(items.u.items[i], node))
            rc = agent_pods_put(&fresh, items.u.items[i], err);
    if (rc != RP_OK) {
        entries_free(fresh.pods, fresh.n);
        free(fresh.pods);
        return rc;
    }
    entries_free(p->pods, p->n);
    free(p->pods);
    p->pods = fresh.pods;
    p->n = fresh.n;
    for (size_t i = 0; i < p->n; i++)
        entry_fix(&p->pods[i]);
    p->gen++;
    return RP_OK;
}

rp_status agent_pods_load_json(agent_pods *p, const char *json, size_t n, const char *node,
                               rp_error *err)
{
    rp_arena *a = rp_arena_new(PODLIST_ARENA_BYTES);
    rego_value doc;
    rp_status rc;

    if (!a)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    rc = rego_json_parse(a, json, n, "pods", &doc, err);
    if (rc == RP_OK)
        rc = load_value(p, doc, node, err);
    rp_arena_free(a);
    return rc;
}

rp_status agent_pods_load_file(agent_pods *p, const char *path, const char *node, rp_error *err)
{
    rp_arena *a = rp_arena_new(PODLIST_ARENA_BYTES);
    rego_value doc;
    rp_status rc;

    if (!a)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    rc = rego_json_parse_file(a, path, &doc, err);
    if (rc == RP_OK)
        rc = load_value(p, doc, node, err);
    rp_arena_free(a);
    return rc;
}

const agent_pod_container *agent_pods_container(const agent_pods *p, const char *container_id)
{
    if (!container_id[0])
        return NULL;
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < p->pods[i].nctrs; j++)
            if (strcmp(p->pods[i].ctrs[j].id, container_id) == 0)
                return &p->pods[i].ctrs[j];
    return NULL;
}

const agent_pod *agent_pods_by_uid(const agent_pods *p, const char *uid)
{
    ptrdiff_t at = uid[0] ? find_uid(p, uid) : -1;
    return at < 0 ? NULL : &p->pods[at].pod;
}

size_t agent_pods_count(const agent_pods *p)
{
    return p->n;
}

uint64_t agent_pods_generation(const agent_pods *p)
{
    return p->gen;
}
