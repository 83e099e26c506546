/*
 * common.bpf.h — what every sensor program shares: the maps and config
 * defined once in core.bpf.c (declared extern here; the sensors are linked
 * into one object with `bpftool gen object`), the event header fill, the
 * ring-buffer output with drop accounting and batched wake-ups, and the
 * dentry-walking path writer.
 *
 * Per-CPU scratch buffers are never shared between two programs: each
 * program passes its own, so a program that nests or is preempted by
 * another cannot clobber a half-built event.
 */
#ifndef RAMPART_AGENT_BPF_COMMON_BPF_H
#define RAMPART_AGENT_BPF_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "syscalls.h"

#define RP_AT_FDCWD -100
#define RP_S_IFMT 00170000
#define RP_S_IFSOCK 0140000
#define RP_AF_INET 2
#define RP_AF_INET6 10

/* ---- maps and config defined in core.bpf.c ------------------------------ */
struct rp_events_map {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, RP_RINGBUF_DEFAULT); /* resized by --ringbuf-size */
};
extern struct rp_events_map rp_events SEC(".maps");

struct rp_stats_map {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, RP_STAT_COUNT);
    __type(key, __u32);
    __type(value, __u64);
};
extern struct rp_stats_map rp_stats SEC(".maps");

/* Set through skel->rodata before load, so the verifier prunes what is off. */
extern const volatile __u64 rp_cfg_types;      /* RP_TYPE_BIT() of enabled types */
extern const volatile __u32 rp_cfg_self_tgid;  /* the agent: never reported */
extern const volatile __u64 rp_cfg_wake_bytes; /* force a wake-up past this backlog */

/* The file sensor's quick filter, defined in file.bpf.c and filled by user
 * space.  The dispatcher runs it inline for the open family, the hottest
 * syscalls, so an unwatched path costs one 8-byte user read and a bit test.
 * It is also the sensor's on/off switch on that path (RP_WATCH_QUICK_NONE
 * when no file type is on), so the path reads no other map. */
extern __u32 rp_watch_quick_len; /* bytes hashed: the shortest prefix, <= 8; 0 = off;
                                   RP_WATCH_QUICK_NONE: nothing is watched */
extern __u64 rp_watch_bloom[RP_WATCH_BLOOM_WORDS];

/* Fibonacci hash of a path's first bytes to 12 bits; user space computes
 * the same (agent_file_bloom_bit). */
static __always_inline __u32 rp_quick_hash(__u64 word)
{
    return (__u32)((word * 0x9E3779B97F4A7C15ull) >> 52);
}

/* False only when the path at upath cannot start with a watched prefix:
 * its first rp_watch_quick_len bytes are not in the bloom filter.  Every
 * prefix is at least that long, so a path shorter than that (whose bytes
 * past the NUL are garbage) cannot match anyway. */
static __always_inline bool rp_file_quick_maybe(const char *upath)
{
    __u32 k = rp_watch_quick_len;
    __u64 word = 0;
    __u32 h;

    if (k == RP_WATCH_QUICK_NONE)
        return false;
    if (k == 0 || k > RP_WATCH_QUICK_MAX)
        return true;
    /* A failed read (a short string at a page end) or a relative path goes
     * the slow way, which resolves it. */
    if (bpf_probe_read_user(&word, sizeof(word), upath) || (word & 0xff) != '/')
        return true;
    if (k < RP_WATCH_QUICK_MAX)
        word &= (1ull << (k * 8)) - 1;
    h = rp_quick_hash(word);
    return (rp_watch_bloom[(h >> 6) & (RP_WATCH_BLOOM_WORDS - 1)] >> (h & 63)) & 1;
}

/* Scratch for the path writer: the output is built in buf, which is twice
 * RP_PATH_MAX so that a bounded offset plus a bounded copy always stays
 * inside it as far as the verifier can tell. */
struct rp_path_scratch {
    char buf[2 * RP_PATH_MAX];
    __u64 dents[RP_PATH_DEPTH]; /* name pointers, leaf first */
    /* The walk's counters live here, not on the stack: the verifier tracks
     * stack values exactly and would verify the walk once per possible
     * depth; loads from memory are unknown values, bounded by masks. */
    __u64 n;   /* dentries collected */
    __u64 off; /* bytes written to buf */
    __u64 cut; /* the path did not fit */
};

static __always_inline bool rp_type_on(enum rp_event_type t)
{
    return rp_cfg_types & RP_TYPE_BIT(t);
}

static __always_inline void rp_stat_inc(enum rp_stat s)
{
    __u32 key = s;
    __u64 *v = bpf_map_lookup_elem(&rp_stats, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
}

/* The agent's own syscalls would otherwise feed back into its output. */
static __always_inline bool rp_is_self(void)
{
    return (bpf_get_current_pid_tgid() >> 32) == rp_cfg_self_tgid;
}

/* Wake user space only once enough data waits: a wake-up per event costs
 * 12-19 us per exec on this kernel against 2-3 us batched (DESIGN.md).  User
 * space also polls on a timer, so quiet periods are flushed too. */
static __always_inline __u64 rp_wake_flag(void)
{
    return bpf_ringbuf_query(&rp_events, BPF_RB_AVAIL_DATA) >= rp_cfg_wake_bytes
               ? BPF_RB_FORCE_WAKEUP
               : BPF_RB_NO_WAKEUP;
}

/* Copies an event into the ring buffer; a full buffer counts a drop and
 * never retries (the kernel side must not wait for user space). */
static __always_inline void rp_output(void *data, __u64 size)
{
    if (bpf_ringbuf_output(&rp_events, data, size, rp_wake_flag()))
        rp_stat_inc(RP_STAT_DROPS);
    else
        rp_stat_inc(RP_STAT_EVENTS);
}

/* Fills the common header from task (the current task, or a new child).
 * task is a trusted BTF pointer (a tp_btf argument or
 * bpf_get_current_task_btf()), so fields are read with plain loads, which
 * the verifier makes fault-safe: far cheaper than a helper call each. */
static __always_inline void rp_hdr_fill(struct rp_event_hdr *h, __u16 type, __u32 size,
                                        struct task_struct *task, __u64 cgroup_id)
{
    const struct cred *cred = task->cred;

    h->type = type;
    h->flags = 0;
    h->size = size;
    h->ts_ns = bpf_ktime_get_boot_ns();
    h->cgroup_id = cgroup_id;
    h->start_ns = task->group_leader->start_boottime;
    h->tgid = task->tgid;
    h->tid = task->pid;
    h->ppid = task->real_parent->tgid;
    h->uid = cred->uid.val;
    h->gid = cred->gid.val;
    h->euid = cred->euid.val;
    bpf_probe_read_kernel(h->comm, sizeof(h->comm), task->comm);
}

static __always_inline void rp_hdr_fill_current(struct rp_event_hdr *h, __u16 type, __u32 size)
{
    rp_hdr_fill(h, type, size, bpf_get_current_task_btf(), bpf_get_current_cgroup_id());
}

/* The struct file behind fd in the current task, or NULL. */
static __always_inline struct file *rp_fd_file(long fd)
{
    struct task_struct *task = bpf_get_current_task_btf();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *f = NULL;
    unsigned int max = BPF_CORE_READ(fdt, max_fds);

    if (fd < 0 || (unsigned long)fd >= max)
        return NULL;
    bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
    return f;
}

/* A path as the sensors carry it; a struct so that a global function can
 * take it (the verifier sizes global-function memory arguments by type). */
struct rp_path_buf {
    char s[RP_PATH_MAX];
};

/* Writes the absolute path of (dentry, vfsmnt), as seen in the task's mount
 * namespace, into *out and returns its length, or -1 when it was cut (out
 * then holds the first RP_PATH_MAX - 1 bytes of the deepest RP_PATH_DEPTH
 * components).  s->buf keeps the path for callers that append to it.
 * Defined once in core.bpf.c: a global function is verified once, where a
 * static one would be verified again at every call site. */
__noinline int rp_path_write(struct rp_path_scratch *s, __u64 dentry, __u64 vfsmnt,
                             struct rp_path_buf *out);

/* rp_path_write for a path field (char[RP_PATH_MAX]) of an event. */
static __always_inline int rp_path_of(struct rp_path_scratch *s, struct dentry *d,
                                      struct vfsmount *m, char *out)
{
    return rp_path_write(s, (__u64)d, (__u64)m, (struct rp_path_buf *)out);
}

#endif
