/*
 * procs.c — the process cache (see procs.h).
 *
 * Invariants: a linear-probing table of 2 * AGENT_PROCS_MAX slots keyed by
 * tgid (0 = empty: pid 0 is never a user process), deleted with backward
 * shifting so probes never cross holes; at AGENT_PROCS_MAX entries (exits
 * lost to drops) the table is emptied and refilled on demand.  A miss that
 * reads /proc stores its result even when empty, so a process that is gone
 * costs one failed read, not one per event.
 */
#include "procs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROC_SLOTS (2 * AGENT_PROCS_MAX) /* power of two */
#define PROC_ROOT_MAX 256

struct agent_procs {
    char proc_root[PROC_ROOT_MAX]; /* "" = never read /proc */
    size_t count;
    agent_proc *slots;
};

agent_procs *agent_procs_new(const char *proc_root)
{
    agent_procs *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->slots = calloc(PROC_SLOTS, sizeof(*p->slots));
    if (!p->slots) {
        free(p);
        return NULL;
    }
    snprintf(p->proc_root, sizeof(p->proc_root), "%s", proc_root ? proc_root : "");
    return p;
}

static void entry_clear(agent_proc *e)
{
    free(e->exe);
    free(e->cmdline);
    memset(e, 0, sizeof(*e));
}

static void procs_clear(agent_procs *p)
{
    for (size_t i = 0; i < PROC_SLOTS; i++)
        if (p->slots[i].tgid)
            entry_clear(&p->slots[i]);
    p->count = 0;
}

void agent_procs_free(agent_procs *p)
{
    if (!p)
        return;
    procs_clear(p);
    free(p->slots);
    free(p);
}

size_t agent_procs_count(const agent_procs *p)
{
    return p->count;
}

static size_t slot_of(uint32_t tgid)
{
    return (size_t)((tgid * 2654435761u) & (PROC_SLOTS - 1));
}

static agent_proc *find(agent_procs *p, uint32_t tgid)
{
    for (size_t i = slot_of(tgid); p->slots[i].tgid; i = (i + 1) & (PROC_SLOTS - 1))
        if (p->slots[i].tgid == tgid)
            return &p->slots[i];
    return NULL;
}

/* The slot for tgid, emptied (a new or replaced entry). */
static agent_proc *claim(agent_procs *p, uint32_t tgid)
{
    agent_proc *e = find(p, tgid);
    size_t i;

    if (e) {
        entry_clear(e);
        e->tgid = tgid;
        return e;
    }
    if (p->count >= AGENT_PROCS_MAX)
        procs_clear(p);
    for (i = slot_of(tgid); p->slots[i].tgid; i = (i + 1) & (PROC_SLOTS - 1))
        ;
    p->count++;
    p->slots[i].tgid = tgid;
    return &p->slots[i];
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void agent_procs_exec(agent_procs *p, uint32_t tgid, uint64_t start_ns, const char *name,
                      const char *exe, const char *cmdline)
{
    agent_proc *e = claim(p, tgid);
    e->start_ns = start_ns;
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->exe = dup_or_null(exe);
    e->cmdline = dup_or_null(cmdline);
}

void agent_procs_fork(agent_procs *p, uint32_t child, uint64_t child_start, uint32_t parent)
{
    const agent_proc *pe = find(p, parent);
    char name[AGENT_COMM_LEN];
    char *exe, *cmdline;
    agent_proc *e;

    if (!pe)
        return; /* nothing to inherit: a later lookup reads /proc */
    memcpy(name, pe->name, sizeof(name));
    exe = dup_or_null(pe->exe);
    cmdline = dup_or_null(pe->cmdline);
    e = claim(p, child); /* may move entries: pe is dead from here */
    memcpy(e->name, name, sizeof(name));
    e->start_ns = child_start;
    e->exe = exe;
    e->cmdline = cmdline;
}

size_t agent_args_to_cmdline(const char *args, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    if (cap == 0)
        return 0;
    while (n > 0 && args[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = args[i] ? args[i] : ' ';
    out[o] = 0;
    return o;
}

/* Reads exe and cmdline of a process that was running before the agent. */
static void read_proc(const agent_procs *p, agent_proc *e)
{
    char path[PROC_ROOT_MAX + 64], buf[AGENT_CMDLINE_MAX], line[AGENT_CMDLINE_MAX];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "%s/%u/comm", p->proc_root, e->tgid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, e->name, sizeof(e->name) - 1);
        close(fd);
        e->name[n > 0 ? n : 0] = 0;
        e->name[strcspn(e->name, "\n")] = 0;
    }
    snprintf(path, sizeof(path), "%s/%u/exe", p->proc_root, e->tgid);
    n = readlink(path, buf, sizeof(buf) - 1);
    if (n > 0) {
        buf[n] = 0;
        e->exe = strdup(buf);
    }
    snprintf(path, sizeof(path), "%s/%u/cmdline", p->proc_root, e->tgid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n > 0) {
        agent_args_to_cmdline(buf, (size_t)n, line, sizeof(line));
        e->cmdline = strdup(line);
    }
}

const agent_proc *agent_procs_get(agent_procs *p, uint32_t tgid, uint64_t start_ns)
{
    agent_proc *e = find(p, tgid);

    if (e && (start_ns == 0 || e->start_ns == 0 || e->start_ns == start_ns))
        return e;
    if (!p->proc_root[0])
        return NULL;
    e = claim(p, tgid);
    e->start_ns = start_ns;
    read_proc(p, e);
    return e;
}

void agent_procs_exit(agent_procs *p, uint32_t tgid)
{
    agent_proc *e = find(p, tgid);
    size_t hole, i;

    if (!e)
        return;
    entry_clear(e);
    p->count--;
    /* Backward-shift deletion: move later entries of the run into the hole
     * when their home slot does not lie cyclically in (hole, i]. */
    hole = (size_t)(e - p->slots);
    for (i = (hole + 1) & (PROC_SLOTS - 1); p->slots[i].tgid; i = (i + 1) & (PROC_SLOTS - 1)) {
        size_t home = slot_of(p->slots[i].tgid);
        bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
        if (stays)
            continue;
        p->slots[hole] = p->slots[i];
        memset(&p->slots[i], 0, sizeof(p->slots[i]));
        hole = i;
    }
}
