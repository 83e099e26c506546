/*
 * procs.h — the process cache: exe and command line per live process, so
 * that a connect or an open names the program that did it, as an exec does.
 *
 * Only exec events carry the exe path and argv (reading them costs the
 * kernel side a dentry walk and a user copy; doing that on every syscall
 * event would not be cheap).  The cache learns them from exec events,
 * copies them to children on fork, forgets them on exit, and for processes
 * that started before the agent reads /proc/<pid> once.
 *
 * A process is (tgid, start_ns): a recycled pid with another start time is a
 * different process.  Ownership: the cache owns its entries; lookups return
 * borrowed pointers valid until the next call that changes the cache.
 */
#ifndef RAMPART_AGENT_PROCS_H
#define RAMPART_AGENT_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_PROCS_MAX 32768     /* cached processes (pid_max's default) */
#define AGENT_CMDLINE_MAX 4096    /* bytes of a command line kept */

#define AGENT_COMM_LEN 16         /* TASK_COMM_LEN */

typedef struct {
    uint32_t tgid;
    uint64_t start_ns;
    char name[AGENT_COMM_LEN]; /* comm; "" when unknown */
    char *exe;     /* NULL when unknown */
    char *cmdline; /* argv joined by spaces; NULL when unknown */
} agent_proc;

typedef struct agent_procs agent_procs;

/* proc_root: "/proc" (tests point it elsewhere, or NULL to never read it). */
agent_procs *agent_procs_new(const char *proc_root);
void agent_procs_free(agent_procs *p);

/* Records what an exec showed (replaces an older entry for tgid). */
void agent_procs_exec(agent_procs *p, uint32_t tgid, uint64_t start_ns, const char *name,
                      const char *exe, const char *cmdline);
/* A new child starts with its parent's exe and command line. */
void agent_procs_fork(agent_procs *p, uint32_t child, uint64_t child_start, uint32_t parent);
/* The entry for (tgid, start_ns): a miss reads /proc/<tgid> once.  start_ns
 * 0 matches any start time.  NULL when nothing is known. */
const agent_proc *agent_procs_get(agent_procs *p, uint32_t tgid, uint64_t start_ns);
void agent_procs_exit(agent_procs *p, uint32_t tgid);
size_t agent_procs_count(const agent_procs *p);

/* Joins NUL-separated argv bytes with spaces into out (cap bytes, NUL
 * included); returns the length. */
size_t agent_args_to_cmdline(const char *args, size_t n, char *out, size_t cap);

#endif
