// SPDX-License-Identifier: GPL-2.0
/*
 * file.bpf.c — the file sensor: open/openat/openat2/creat, unlink(at),
 * rename(at,at2) and chmod/fchmod(at,at2) on watched path prefixes.
 *
 * Everything happens at sys_exit, once the result is known: x86_64
 * syscalls leave their argument registers as the caller set them, and the
 * path's user page is still in the TLB because the kernel has just read it
 * (at sys_enter the same read costs a TLB refill on this kernel).  No state
 * crosses from enter to exit, so there is no in-flight map to fill or lose.
 *
 * Filtering happens here, in two steps, so only opens a rule can match cross
 * to user space:
 *   1. a quick filter: the first bytes of an absolute path (as many as the
 *      shortest prefix has, up to 8), hashed into a 4096-bit bloom filter
 *      that user space fills from the prefixes.  An unwatched absolute path
 *      costs one 8-byte user read and one bit test (common.bpf.h; run inline
 *      by the dispatcher for the open family).
 *   2. the exact test: the absolute path (relative names are joined with the
 *      cwd or the dirfd's path) looked up in an LPM trie of prefixes.
 * Paths are matched as the process names them: symlinks and ".." are not
 * resolved (docs/agent.md: limitations).
 */
#include "common.bpf.h"
#include "sensors.bpf.h"

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, RP_WATCH_MAX);
    __type(key, struct rp_watch_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
} rp_file_watch SEC(".maps");

struct rp_file_scratch {
    struct rp_file_event ev;
    struct rp_path_scratch ps;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct rp_file_scratch);
} rp_file_scratch SEC(".maps");

/* Written by user space through the skeleton's .bss (see common.bpf.h). */
__u32 rp_watch_quick_len;
__u64 rp_watch_bloom[RP_WATCH_BLOOM_WORDS];

/* The directory a relative name is resolved against. */
static __always_inline int rp_dir_path(struct rp_path_scratch *ps, long dfd, char *out)
{
    struct dentry *d;
    struct vfsmount *m;

    if (dfd == RP_AT_FDCWD) {
        struct task_struct *task = bpf_get_current_task_btf();
        d = BPF_CORE_READ(task, fs, pwd.dentry);
        m = BPF_CORE_READ(task, fs, pwd.mnt);
    } else {
        struct file *f = rp_fd_file(dfd);
        if (!f)
            return -1;
        d = BPF_CORE_READ(f, f_path.dentry);
        m = BPF_CORE_READ(f, f_path.mnt);
    }
    return rp_path_of(ps, d, m, out);
}

/* Reads the name at upath into out as an absolute path and returns the LPM
 * key length in bits, or -1 when unreadable. */
static __noinline int rp_file_path(struct rp_path_scratch *ps, long dfd, const char *upath, char *out)
{
    long n = bpf_probe_read_user_str(out, RP_PATH_MAX, upath);
    __u32 len;

    if (n <= 0)
        return -1;
    len = n - 1;
    if (out[0] != '/') {
        int dl = rp_dir_path(ps, dfd, out);
        __u64 off = dl < 0 ? RP_PATH_MAX - 1 : (__u64)dl;
        /* ps->buf still holds the directory; append "/name" ("/" alone
         * already ends in one). */
        if (off != 1)
            off++;
        if (off > RP_PATH_MAX - 1)
            off = RP_PATH_MAX - 1;
        /* Keep the masks: clang drops them as redundant, the verifier needs them. */
        barrier_var(off);
        ps->buf[(off - 1) & (RP_PATH_MAX - 1)] = '/';
        n = bpf_probe_read_user_str(&ps->buf[off & (RP_PATH_MAX - 1)], RP_PATH_MAX, upath);
        ps->buf[RP_PATH_MAX - 1] = 0;
        bpf_probe_read_kernel(out, RP_PATH_MAX, ps->buf);
        len = off + (n > 0 ? n - 1 : 0);
        if (len > RP_PATH_MAX - 1)
            len = RP_PATH_MAX - 1;
    }
    if (len > RP_WATCH_KEY_MAX)
        len = RP_WATCH_KEY_MAX;
    return len * 8;
}

/* An fd's path (fchmod). */
static __noinline int rp_file_fd_path(struct rp_path_scratch *ps, long fd, char *out)
{
    struct file *f = rp_fd_file(fd);
    int len;

    if (!f)
        return -1;
    len = rp_path_of(ps, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), out);
    if (len < 0)
        len = RP_PATH_MAX - 1;
    if (len > RP_WATCH_KEY_MAX)
        len = RP_WATCH_KEY_MAX;
    return len * 8;
}

static __always_inline bool rp_watched(__u32 *key_bits, int bits)
{
    if (bits < 0)
        return false;
    *key_bits = bits;
    return bpf_map_lookup_elem(&rp_file_watch, key_bits) != NULL;
}

/* Decoded arguments of one file syscall. */
struct rp_file_args {
    enum rp_event_type type;
    long dfd, dfd2;
    const char *path, *path2; /* user pointers; path NULL for fchmod */
    long fd;                  /* fchmod */
    __u32 flags, mode;
};

static __always_inline bool rp_file_decode(long id, __u64 a0, __u64 a1, __u64 a2, __u64 a3,
                                           __u64 a4, struct rp_file_args *a)
{
    a->dfd = a->dfd2 = RP_AT_FDCWD;
    a->path2 = NULL;
    a->fd = -1;
    a->flags = a->mode = 0;
    switch (id) {
    case RP_NR_open:
        a->type = RP_EV_OPEN, a->path = (void *)a0, a->flags = a1, a->mode = a2;
        return true;
    case RP_NR_creat:
        a->type = RP_EV_OPEN, a->path = (void *)a0, a->flags = 01101, a->mode = a1; /* O_CREAT|O_WRONLY|O_TRUNC */
        return true;
    case RP_NR_openat:
        a->type = RP_EV_OPEN, a->dfd = (int)a0, a->path = (void *)a1, a->flags = a2, a->mode = a3;
        return true;
    case RP_NR_openat2: {
        __u64 how[2] = {0, 0}; /* struct open_how: flags, mode */
        bpf_probe_read_user(how, sizeof(how), (void *)a2);
        a->type = RP_EV_OPEN, a->dfd = (int)a0, a->path = (void *)a1, a->flags = how[0], a->mode = how[1];
        return true;
    }
    case RP_NR_unlink:
        a->type = RP_EV_UNLINK, a->path = (void *)a0;
        return true;
    case RP_NR_unlinkat:
        a->type = RP_EV_UNLINK, a->dfd = (int)a0, a->path = (void *)a1, a->flags = a2;
        return true;
    case RP_NR_rename:
        a->type = RP_EV_RENAME, a->path = (void *)a0, a->path2 = (void *)a1;
        return true;
    case RP_NR_renameat:
    case RP_NR_renameat2:
        a->type = RP_EV_RENAME, a->dfd = (int)a0, a->path = (void *)a1;
        a->dfd2 = (int)a2, a->path2 = (void *)a3;
        a->flags = id == RP_NR_renameat2 ? a4 : 0;
        return true;
    case RP_NR_chmod:
        a->type = RP_EV_CHMOD, a->path = (void *)a0, a->mode = a1;
        return true;
    case RP_NR_fchmod:
        a->type = RP_EV_CHMOD, a->path = NULL, a->fd = (int)a0, a->mode = a1;
        return true;
    case RP_NR_fchmodat:
    case RP_NR_fchmodat2:
        a->type = RP_EV_CHMOD, a->dfd = (int)a0, a->path = (void *)a1, a->mode = a2;
        a->flags = id == RP_NR_fchmodat2 ? a3 : 0;
        return true;
    default:
        return false;
    }
}

/* See sensors.bpf.h.  The arguments come from the registers the syscall
 * saved on entry (unchanged but for ax, which holds ret). */
__noinline int rp_file_exit(long id, long ret)
{
    struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
    struct rp_file_args a;
    struct rp_file_scratch *s;
    struct rp_file_event *e;
    __u32 zero = 0;
    bool hit;

    if (!regs || !rp_file_decode(id, regs->di, regs->si, regs->dx, regs->r10, regs->r8, &a) ||
        !rp_type_on(a.type))
        return 0;
    /* The open family passed the quick filter in the dispatcher already. */
    if (a.type != RP_EV_OPEN && a.path && !rp_file_quick_maybe(a.path) &&
        !(a.path2 && rp_file_quick_maybe(a.path2)))
        return 0;
    /* The agent's own calls: checked late, most calls never get here. */
    if (rp_is_self())
        return 0;
    s = bpf_map_lookup_elem(&rp_file_scratch, &zero);
    if (!s)
        return 0;
    e = &s->ev;
    e->path2[0] = 0;
    e->path2_bits = 0;
    if (a.path)
        hit = rp_watched(&e->path_bits, rp_file_path(&s->ps, a.dfd, a.path, e->path));
    else
        hit = rp_watched(&e->path_bits, rp_file_fd_path(&s->ps, a.fd, e->path));
    if (a.path2)
        hit |= rp_watched(&e->path2_bits, rp_file_path(&s->ps, a.dfd2, a.path2, e->path2));
    if (!hit)
        return 0;
    rp_hdr_fill_current(&e->hdr, a.type, sizeof(*e));
    e->result = ret;
    e->syscall = id;
    e->flags = a.flags;
    e->mode = a.mode;
    e->pad = 0;
    rp_output(e, sizeof(*e));
    return 0;
}
