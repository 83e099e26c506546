/*
 * events.h — the wire format between the BPF sensors and the agent.
 *
 * Included by both sides: by the BPF programs (after vmlinux.h, which defines
 * the __u* types) and by user space (after <linux/types.h>).  Every struct
 * here uses fixed-width types, explicit padding and no pointers, so clang's
 * BPF target and the host compiler lay them out identically; user space
 * checks the sizes with static asserts.
 *
 * Every event starts with struct rp_event_hdr, which carries what attribution
 * needs (cgroup id, process identity, credentials), so user space can route
 * and enrich any event without knowing its type.  Variable-length events
 * (exec) are sent only up to hdr.size bytes.
 */
#ifndef RAMPART_AGENT_BPF_EVENTS_H
#define RAMPART_AGENT_BPF_EVENTS_H

/* ---- limits (bytes unless said otherwise) ---------------------------------- */
#define RP_COMM_LEN 16      /* TASK_COMM_LEN */
#define RP_PATH_MAX 256     /* a path in an event; longer paths are cut (flagged) */
#define RP_PATH_DEPTH 32    /* components walked up from a dentry before giving up */
#define RP_ARGS_MAX 1024    /* argv bytes carried by an exec event (NUL-separated) */
#define RP_TTY_LEN 32       /* tty name ("pts3"); the kernel allows 64, real names are short */
#define RP_FSTYPE_LEN 64    /* mount fstype, BPF program name and the like */
#define RP_WATCH_KEY_MAX 128 /* longest watched path prefix (the LPM trie key size) */
#define RP_WATCH_MAX 256     /* watched prefixes */
#define RP_UDP_PORTS_MAX 64  /* watched UDP destination ports */
#define RP_WATCH_BLOOM_WORDS 64 /* 4096-bit quick filter over a path's first bytes */
#define RP_WATCH_QUICK_MAX 8    /* bytes of a path the quick filter hashes, at most */
#define RP_WATCH_QUICK_NONE 255 /* quick filter length meaning "nothing is watched" */

/* Ring buffer sizing: a power of two of pages.  4 MiB holds ~2,000 full exec
 * events or ~30,000 network events: 25 ms of the fastest stream we measured
 * (150,000 file events/s), while user space is woken at an eighth of it.
 * The agent maps the buffer twice (wrap-around), so its size counts double
 * in the agent's resident memory. */
#define RP_RINGBUF_DEFAULT (4u << 20)
#define RP_RINGBUF_MIN (4u << 10)
#define RP_RINGBUF_MAX (1u << 30)

enum rp_event_type {
    RP_EV_NONE = 0,
    /* process sensor */
    RP_EV_EXEC = 1,
    RP_EV_FORK = 2,
    RP_EV_EXIT = 3,
    /* network sensor */
    RP_EV_CONNECT = 4,
    RP_EV_ACCEPT = 5,
    RP_EV_LISTEN = 6,
    RP_EV_BIND = 7,
    RP_EV_SEND = 8, /* UDP sendto/sendmsg/sendmmsg to a watched port */
    /* file sensor (watched prefixes only) */
    RP_EV_OPEN = 9,
    RP_EV_UNLINK = 10,
    RP_EV_RENAME = 11,
    RP_EV_CHMOD = 12,
    /* privilege sensor */
    RP_EV_SETUID = 13,
    RP_EV_SETGID = 14,
    RP_EV_CAPSET = 15,
    RP_EV_PTRACE = 16,
    RP_EV_MOUNT = 17,
    RP_EV_MODULE = 18,
    RP_EV_BPF = 19,
    RP_EV_UNSHARE = 20,
    RP_EV_SETNS = 21,
    RP_EV_MEMFD = 22,
    RP_EV_TYPE_COUNT = 23,
};

#define RP_TYPE_BIT(t) (1ull << (t))

/* Per-CPU counters in rp_stats (index), summed and reported by user space. */
enum rp_stat {
    RP_STAT_EVENTS = 0,        /* events written to the ring buffer */
    RP_STAT_DROPS = 1,         /* ring buffer full: event lost */
    RP_STAT_INFLIGHT_FULL = 2, /* too many syscalls in flight: event lost */
    RP_STAT_COUNT = 3,
};

struct rp_event_hdr {
    __u16 type;      /* enum rp_event_type */
    __u16 flags;     /* reserved, 0 */
    __u32 size;      /* bytes of the whole event */
    __u64 ts_ns;     /* CLOCK_BOOTTIME when the event happened */
    __u64 cgroup_id; /* cgroup v2 id (the cgroup directory's inode) */
    __u64 start_ns;  /* process start, CLOCK_BOOTTIME: (tgid, start_ns) names a process */
    __u32 tgid;      /* process id as user space sees it */
    __u32 tid;       /* thread id */
    __u32 ppid;      /* real parent's tgid */
    __u32 uid;       /* real uid */
    __u32 gid;       /* real gid */
    __u32 euid;      /* effective uid */
    char comm[RP_COMM_LEN];
};

/* rp_exec_event.flags */
#define RP_EXEC_ARGS_TRUNCATED 0x1 /* argv longer than RP_ARGS_MAX */
#define RP_EXEC_EXE_MEMFD 0x2      /* the executed file is a memfd (fileless exec) */
#define RP_EXEC_EXE_TRUNCATED 0x4  /* exe path cut at RP_PATH_MAX/RP_PATH_DEPTH */
#define RP_EXEC_CWD_TRUNCATED 0x8

struct rp_exec_event {
    struct rp_event_hdr hdr;
    __u32 egid;
    __u32 flags;         /* RP_EXEC_* */
    __u64 cap_effective; /* kernel_cap_t bits */
    __u64 parent_start_ns;
    __u32 argc;     /* bprm->argc: may exceed what args holds */
    __u32 args_len; /* bytes used in args */
    char parent_comm[RP_COMM_LEN];
    char tty[RP_TTY_LEN];      /* "" when the process has no controlling tty */
    char filename[RP_PATH_MAX]; /* as passed to execve (a #! script's own path) */
    char exe[RP_PATH_MAX];     /* the file executed (for #! scripts, the interpreter) */
    char cwd[RP_PATH_MAX];
    char parent_exe[RP_PATH_MAX];
    char args[RP_ARGS_MAX]; /* last: sent up to args_len */
};

struct rp_fork_event {
    struct rp_event_hdr hdr; /* the child; hdr.ppid is the forking process */
    __u32 parent_tid;
    __u32 pad;
};

struct rp_exit_event {
    struct rp_event_hdr hdr;
    __u32 status; /* wait(2) status: code << 8 | core << 7 | signal */
    __u32 pad;
};

struct rp_net_event {
    struct rp_event_hdr hdr;
    __s64 result;  /* syscall return: 0, new fd (accept), bytes (send) or -errno */
    __u32 syscall; /* x86_64 syscall number */
    __s32 fd;      /* the socket (accept: the listening socket) */
    __u16 family;  /* AF_INET, AF_INET6 (others are not reported) */
    __u16 proto;   /* IPPROTO_TCP, IPPROTO_UDP, ... (0 when unknown) */
    __u16 sport;   /* local port, host order (0 when unknown) */
    __u16 dport;   /* remote port, host order */
    __u8 saddr[16]; /* local address: IPv4 in the first 4 bytes */
    __u8 daddr[16]; /* remote address */
};

struct rp_file_event {
    struct rp_event_hdr hdr;
    __s64 result;  /* fd or 0 on success, -errno on failure */
    __u32 syscall;
    __u32 flags;   /* open flags (O_...), or the AT_... and RENAME_... flags */
    __u32 mode;    /* open/creat/chmod mode */
    /* path_bits and path form an LPM trie key (prefix length in bits, then
     * bytes): keep them adjacent and in this order. */
    __u32 path_bits;
    char path[RP_PATH_MAX];  /* absolute: joined with the cwd or dirfd's path */
    __u32 path2_bits;
    char path2[RP_PATH_MAX]; /* rename: the new name */
    __u32 pad;
};

/* Meaning of rp_priv_event.args per syscall (the JSON writer decodes them):
 *   set*uid/set*gid: the ids as passed (-1 = unchanged)
 *   capset: args[0] target pid, [1] effective, [2] permitted, [3] inheritable
 *   ptrace: args[0] request, [1] target pid (in the caller's pid namespace)
 *   mount: args[0] flags; str0 source, str1 target, str2 fstype
 *   umount2: args[0] flags; str1 target
 *   init_module: args[0] image length; str1 params
 *   finit_module: args[0] fd, [1] flags; str0 module file, str1 params
 *   bpf: args[0] cmd, [1] prog/map type (PROG_LOAD/MAP_CREATE); str2 name
 *   unshare: args[0] flags;  setns: args[0] fd, [1] nstype; str0 ns file
 *   memfd_create: args[0] flags; str0 name */
struct rp_priv_event {
    struct rp_event_hdr hdr;
    __s64 result;
    __u32 syscall;
    __u32 pad;
    __u64 args[5];
    char str0[RP_PATH_MAX];
    char str1[RP_PATH_MAX];
    char str2[RP_FSTYPE_LEN];
};

/* LPM trie key for watched prefixes: prefix length in bits, then bytes. */
struct rp_watch_key {
    __u32 bits;
    char data[RP_WATCH_KEY_MAX];
};

#endif
