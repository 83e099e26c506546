/*
 * priv.c — the privilege sensor's user-space half: the "priv" section of
 * setuid/setgid/capset/ptrace/mount/module/bpf/unshare/setns/memfd_create
 * events, decoded from the raw arguments the kernel half (bpf/priv.bpf.c)
 * sends (their meaning per syscall is listed in bpf/events.h).
 */
#include <string.h>

#include "bpf/syscalls.h"
#include "jsonw.h"
#include "sensors.h"

typedef struct {
    uint64_t value;
    const char *name;
} named;

static const named ptrace_requests[] = {
    {0, "PTRACE_TRACEME"},     {1, "PTRACE_PEEKTEXT"},     {2, "PTRACE_PEEKDATA"},
    {3, "PTRACE_PEEKUSER"},    {4, "PTRACE_POKETEXT"},     {5, "PTRACE_POKEDATA"},
    {6, "PTRACE_POKEUSER"},    {7, "PTRACE_CONT"},         {8, "PTRACE_KILL"},
    {9, "PTRACE_SINGLESTEP"},  {12, "PTRACE_GETREGS"},     {13, "PTRACE_SETREGS"},
    {16, "PTRACE_ATTACH"},     {17, "PTRACE_DETACH"},      {24, "PTRACE_SYSCALL"},
    {0x4200, "PTRACE_SETOPTIONS"}, {0x4206, "PTRACE_SEIZE"}, {0x4207, "PTRACE_INTERRUPT"},
};

static const named bpf_cmds[] = {
    {0, "BPF_MAP_CREATE"}, {5, "BPF_PROG_LOAD"}, {6, "BPF_OBJ_PIN"}, {8, "BPF_PROG_ATTACH"},
    {17, "BPF_RAW_TRACEPOINT_OPEN"}, {18, "BPF_BTF_LOAD"}, {28, "BPF_LINK_CREATE"},
};

/* CLONE_NEW* flags of unshare(2) and setns(2). */
static const named namespaces[] = {
    {0x00000080, "time"}, {0x00020000, "mnt"},  {0x02000000, "cgroup"}, {0x04000000, "uts"},
    {0x08000000, "ipc"},  {0x10000000, "user"}, {0x20000000, "pid"},    {0x40000000, "net"},
};

static void name_json(rp_buf *b, const char *key, const named *t, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].value == v) {
            jw_str(b, key, t[i].name);
            return;
        }
    }
    jw_null(b, key);
}

static void ns_json(rp_buf *b, uint64_t flags)
{
    jw_key(b, "namespaces");
    rp_buf_putc(b, '[');
    for (size_t i = 0; i < RP_ARRAY_LEN(namespaces); i++) {
        if (flags & namespaces[i].value) {
            jw_sep(b);
            rego_json_write_string(b, namespaces[i].name, strlen(namespaces[i].name), false);
        }
    }
    rp_buf_putc(b, ']');
}

/* An id as passed to set*id(2): -1 means "unchanged". */
static void id_json(rp_buf *b, const char *key, uint64_t v)
{
    jw_i64(b, key, (int32_t)(uint32_t)v);
}

static void ids_json(rp_buf *b, const struct rp_priv_event *e, char kind)
{
    char r[] = "r?id", ef[] = "e?id", s[] = "s?id", fs[] = "fs?id", one[] = "?id";
    r[1] = ef[1] = s[1] = fs[2] = one[0] = kind;
    switch (e->syscall) {
    case RP_NR_setreuid: case RP_NR_setregid:
        id_json(b, r, e->args[0]);
        id_json(b, ef, e->args[1]);
        break;
    case RP_NR_setresuid: case RP_NR_setresgid:
        id_json(b, r, e->args[0]);
        id_json(b, ef, e->args[1]);
        id_json(b, s, e->args[2]);
        break;
    case RP_NR_setfsuid: case RP_NR_setfsgid:
        id_json(b, fs, e->args[0]);
        break;
    default:
        id_json(b, one, e->args[0]);
        break;
    }
}

static void module_json(rp_buf *b, const struct rp_priv_event *e)
{
    if (e->syscall == RP_NR_finit_module) {
        jw_i64(b, "fd", (int32_t)e->args[0]);
        jw_strn(b, "path", e->str0, sizeof(e->str0));
        jw_u64(b, "flags", e->args[1]);
    } else {
        jw_u64(b, "length", e->args[0]);
    }
    jw_strn(b, "params", e->str1, sizeof(e->str1));
}

static void bpf_json(rp_buf *b, const struct rp_priv_event *e)
{
    jw_u64(b, "cmd", e->args[0]);
    name_json(b, "cmd_name", bpf_cmds, RP_ARRAY_LEN(bpf_cmds), e->args[0]);
    if (e->args[0] == 5 || e->args[0] == 0) { /* PROG_LOAD, MAP_CREATE */
        jw_u64(b, e->args[0] == 5 ? "prog_type" : "map_type", e->args[1]);
        jw_strn(b, "name", e->str2, sizeof(e->str2));
    }
}

static void fields_json(rp_buf *b, const struct rp_priv_event *e)
{
    switch ((enum rp_event_type)e->hdr.type) {
    case RP_EV_SETUID: ids_json(b, e, 'u'); break;
    case RP_EV_SETGID: ids_json(b, e, 'g'); break;
    case RP_EV_CAPSET:
        jw_u64(b, "pid", e->args[0]);
        jw_u64(b, "effective", e->args[1]);
        jw_u64(b, "permitted", e->args[2]);
        jw_u64(b, "inheritable", e->args[3]);
        break;
    case RP_EV_PTRACE:
        jw_u64(b, "request", e->args[0]);
        name_json(b, "request_name", ptrace_requests, RP_ARRAY_LEN(ptrace_requests), e->args[0]);
        jw_i64(b, "target_pid", (int32_t)e->args[1]);
        break;
    case RP_EV_MOUNT:
        if (e->syscall == RP_NR_mount) {
            jw_strn(b, "source", e->str0, sizeof(e->str0));
            jw_strn(b, "fstype", e->str2, sizeof(e->str2));
        }
        jw_strn(b, "target", e->str1, sizeof(e->str1));
        jw_u64(b, "flags", e->args[0]);
        break;
    case RP_EV_MODULE: module_json(b, e); break;
    case RP_EV_BPF: bpf_json(b, e); break;
    case RP_EV_UNSHARE:
        jw_u64(b, "flags", e->args[0]);
        ns_json(b, e->args[0]);
        break;
    case RP_EV_SETNS:
        jw_i64(b, "fd", (int32_t)e->args[0]);
        jw_strn(b, "path", e->str0, sizeof(e->str0));
        jw_u64(b, "nstype", e->args[1]);
        ns_json(b, e->args[1]);
        break;
    case RP_EV_MEMFD:
        jw_strn(b, "name", e->str0, sizeof(e->str0));
        jw_u64(b, "flags", e->args[0]);
        break;
    case RP_EV_NONE: case RP_EV_EXEC: case RP_EV_FORK: case RP_EV_EXIT:
    case RP_EV_CONNECT: case RP_EV_ACCEPT: case RP_EV_LISTEN: case RP_EV_BIND: case RP_EV_SEND:
    case RP_EV_OPEN: case RP_EV_UNLINK: case RP_EV_RENAME: case RP_EV_CHMOD:
    case RP_EV_TYPE_COUNT:
        break;
    }
}

void agent_priv_json(rp_buf *b, const struct rp_priv_event *e)
{
    jw_obj(b, "priv");
    jw_str(b, "syscall", agent_syscall_name(e->syscall));
    fields_json(b, e);
    jw_i64(b, "result", e->result);
    jw_end(b);
}
