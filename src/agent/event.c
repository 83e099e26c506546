/*
 * event.c — raw event → JSON line, enriched with process, container and pod.
 *
 * Every event is checked against its type's size before a field is read:
 * the ring buffer is written by our programs, but a mismatch between a
 * pinned old program and a new agent must not become an out-of-bounds read.
 * Pod lookups are memoised per cgroup (in the cgroup cache entry), keyed by
 * the pod cache's generation, so a burst from one container costs one
 * lookup.
 */
#include "event.h"

#include <linux/types.h>
#include <string.h>
#include <time.h>

#include "bpf/events.h"
#include "jsonw.h"
#include "sensors.h"

int64_t agent_boot_to_epoch_ns(void)
{
    struct timespec rt, bt;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000 + (rt.tv_nsec - bt.tv_nsec);
}

static size_t min_size(uint32_t type)
{
    switch ((enum rp_event_type)type) {
    case RP_EV_EXEC: return __builtin_offsetof(struct rp_exec_event, args);
    case RP_EV_FORK: return sizeof(struct rp_fork_event);
    case RP_EV_EXIT: return sizeof(struct rp_exit_event);
    case RP_EV_CONNECT: case RP_EV_ACCEPT: case RP_EV_LISTEN: case RP_EV_BIND: case RP_EV_SEND:
        return sizeof(struct rp_net_event);
    case RP_EV_OPEN: case RP_EV_UNLINK: case RP_EV_RENAME: case RP_EV_CHMOD:
        return sizeof(struct rp_file_event);
    case RP_EV_SETUID: case RP_EV_SETGID: case RP_EV_CAPSET: case RP_EV_PTRACE:
    case RP_EV_MOUNT: case RP_EV_MODULE: case RP_EV_BPF: case RP_EV_UNSHARE:
    case RP_EV_SETNS: case RP_EV_MEMFD:
        return sizeof(struct rp_priv_event);
    case RP_EV_NONE: case RP_EV_TYPE_COUNT:
        return 0;
    }
    return 0;
}

/* Teaches the process cache what exec and fork show. */
static void observe(const agent_enrich *en, const struct rp_event_hdr *h, size_t size)
{
    char comm[RP_COMM_LEN + 1], cmdline[AGENT_CMDLINE_MAX];

    if (!en->procs)
        return;
    if (h->type == RP_EV_EXEC) {
        const struct rp_exec_event *e = (const void *)h;
        size_t n = e->args_len <= size - __builtin_offsetof(struct rp_exec_event, args)
                       ? e->args_len
                       : 0;
        char exe[RP_PATH_MAX + 1];
        memcpy(comm, h->comm, RP_COMM_LEN);
        comm[RP_COMM_LEN] = 0;
        memcpy(exe, e->exe, RP_PATH_MAX);
        exe[RP_PATH_MAX] = 0;
        agent_args_to_cmdline(e->args, n, cmdline, sizeof(cmdline));
        agent_procs_exec(en->procs, h->tgid, h->start_ns, comm, exe, cmdline);
    } else if (h->type == RP_EV_FORK) {
        agent_procs_fork(en->procs, h->tgid, h->start_ns, h->ppid);
    }
}

static void process_json(rp_buf *b, const agent_enrich *en, const struct rp_event_hdr *h,
                         size_t size)
{
    jw_obj(b, "process");
    jw_u64(b, "pid", h->tgid);
    jw_u64(b, "tid", h->tid);
    jw_u64(b, "ppid", h->ppid);
    jw_strn(b, "name", h->comm, sizeof(h->comm));
    jw_u64(b, "uid", h->uid);
    jw_u64(b, "gid", h->gid);
    jw_u64(b, "euid", h->euid);
    jw_u64(b, "start_time_ns", h->start_ns + (uint64_t)en->boot_to_epoch_ns);
    if (h->type == RP_EV_EXEC) {
        agent_exec_process_json(b, (const struct rp_exec_event *)h, size);
    } else {
        const agent_proc *p = en->procs ? agent_procs_get(en->procs, h->tgid, h->start_ns) : NULL;
        jw_str_or_null(b, "exe", p ? p->exe : NULL);
        jw_str_or_null(b, "cmdline", p ? p->cmdline : NULL);
    }
    jw_end(b);
}

static void parent_json(rp_buf *b, const agent_enrich *en, const struct rp_event_hdr *h)
{
    jw_obj(b, "parent");
    jw_u64(b, "pid", h->ppid);
    if (h->type == RP_EV_EXEC) {
        const struct rp_exec_event *e = (const void *)h;
        jw_strn(b, "name", e->parent_comm, sizeof(e->parent_comm));
        jw_strn(b, "exe", e->parent_exe, sizeof(e->parent_exe));
        jw_u64(b, "start_time_ns", e->parent_start_ns + (uint64_t)en->boot_to_epoch_ns);
    } else {
        const agent_proc *p = en->procs ? agent_procs_get(en->procs, h->ppid, 0) : NULL;
        jw_str_or_null(b, "name", p && p->name[0] ? p->name : NULL);
        jw_str_or_null(b, "exe", p ? p->exe : NULL);
    }
    jw_end(b);
}

/* The pod container (memo[0]) or, failing that, the pod (memo[1]) of a cgroup. */
static void pod_lookup(const agent_enrich *en, agent_cgroup_entry *cg,
                       const agent_pod_container **ctr, const agent_pod **pod)
{
    uint64_t gen = agent_pods_generation(en->pods) + 1; /* 0 = never looked up */

    if (cg->memo_gen != gen) {
        const agent_pod_container *c = agent_pods_container(en->pods, cg->info.id);
        cg->memo[0] = c;
        cg->memo[1] = c ? c->pod : agent_pods_by_uid(en->pods, cg->info.pod_uid);
        cg->memo_gen = gen;
    }
    *ctr = cg->memo[0];
    *pod = cg->memo[1];
}

static void container_json(rp_buf *b, const agent_cgroup_entry *cg, uint64_t cgroup_id,
                           const agent_pod_container *ctr)
{
    jw_obj(b, "container");
    if (cg && cg->host)
        jw_str(b, "id", "host");
    else
        jw_str(b, "id", cg ? cg->info.id : "");
    jw_str_or_null(b, "name", ctr ? ctr->name : NULL);
    jw_str_or_null(b, "image", ctr ? ctr->image : NULL);
    if (ctr)
        jw_str(b, "runtime", ctr->runtime);
    else if (cg && cg->info.runtime != AGENT_RT_NONE)
        jw_str(b, "runtime", agent_runtime_name(cg->info.runtime));
    else
        jw_null(b, "runtime");
    jw_u64(b, "cgroup_id", cgroup_id);
    jw_str_or_null(b, "cgroup", cg && cg->resolved ? cg->path : NULL);
    jw_end(b);
}

static void pod_json(rp_buf *b, const agent_pod *pod)
{
    if (!pod) {
        jw_null(b, "pod");
        return;
    }
    jw_obj(b, "pod");
    jw_str(b, "namespace", pod->namespace_);
    jw_str(b, "name", pod->name);
    jw_str(b, "uid", pod->uid);
    jw_key(b, "labels");
    rp_buf_puts(b, pod->labels_json);
    jw_end(b);
}

static void attribution_json(rp_buf *b, const agent_enrich *en, const struct rp_event_hdr *h)
{
    agent_cgroup_entry *cg = en->cgroups ? agent_cgroups_get(en->cgroups, h->cgroup_id) : NULL;
    const agent_pod_container *ctr = NULL;
    const agent_pod *pod = NULL;

    if (cg && en->pods && !cg->host)
        pod_lookup(en, cg, &ctr, &pod);
    container_json(b, cg, h->cgroup_id, ctr);
    pod_json(b, pod);
}

static void section_json(rp_buf *b, const struct rp_event_hdr *h)
{
    switch ((enum rp_event_type)h->type) {
    case RP_EV_EXIT:
        agent_exit_json(b, (const struct rp_exit_event *)h);
        break;
    case RP_EV_CONNECT: case RP_EV_ACCEPT: case RP_EV_LISTEN: case RP_EV_BIND: case RP_EV_SEND:
        agent_net_json(b, (const struct rp_net_event *)h);
        break;
    case RP_EV_OPEN: case RP_EV_UNLINK: case RP_EV_RENAME: case RP_EV_CHMOD:
        agent_file_json(b, (const struct rp_file_event *)h);
        break;
    case RP_EV_SETUID: case RP_EV_SETGID: case RP_EV_CAPSET: case RP_EV_PTRACE:
    case RP_EV_MOUNT: case RP_EV_MODULE: case RP_EV_BPF: case RP_EV_UNSHARE:
    case RP_EV_SETNS: case RP_EV_MEMFD:
        agent_priv_json(b, (const struct rp_priv_event *)h);
        break;
    case RP_EV_NONE: case RP_EV_EXEC: case RP_EV_FORK: case RP_EV_TYPE_COUNT:
        break;
    }
}

bool agent_event_json(const agent_enrich *en, const void *data, size_t size, rp_buf *out)
{
    const struct rp_event_hdr *h = data;
    size_t need;

    if (size < sizeof(*h) || h->type == RP_EV_NONE || h->type >= RP_EV_TYPE_COUNT)
        return false;
    need = min_size(h->type);
    if (size < need || h->size < need || h->size > size)
        return false;
    size = h->size;
    observe(en, h, size);
    rp_buf_putc(out, '{');
    jw_u64(out, "time_ns", h->ts_ns + (uint64_t)en->boot_to_epoch_ns);
    jw_str(out, "type", agent_event_type_name(h->type));
    {
        agent_cgroup_entry *cg = en->cgroups ? agent_cgroups_get(en->cgroups, h->cgroup_id) : NULL;
        jw_bool(out, "host", cg && cg->host);
    }
    process_json(out, en, h, size);
    parent_json(out, en, h);
    attribution_json(out, en, h);
    section_json(out, h);
    rp_buf_putc(out, '}');
    if (h->type == RP_EV_EXIT && en->procs)
        agent_procs_exit(en->procs, h->tgid);
    return true;
}
