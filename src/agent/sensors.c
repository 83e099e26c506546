/*
 * sensors.c — the sensor table, event type names and syscall names.
 *
 * The syscall numbers the BPF dispatcher switches on (bpf/syscalls.h) are
 * checked here against the C library's, so the two sides cannot disagree.
 */
#include "sensors.h"

#include <string.h>
#include <sys/syscall.h>

#include "bpf/syscalls.h"

#define CHECK_NR(name) _Static_assert(RP_NR_##name == SYS_##name, "syscall number of " #name)
CHECK_NR(open); CHECK_NR(creat); CHECK_NR(rename); CHECK_NR(unlink); CHECK_NR(chmod);
CHECK_NR(fchmod); CHECK_NR(openat); CHECK_NR(unlinkat); CHECK_NR(renameat); CHECK_NR(fchmodat);
CHECK_NR(renameat2); CHECK_NR(openat2);
CHECK_NR(connect); CHECK_NR(accept); CHECK_NR(sendto); CHECK_NR(sendmsg); CHECK_NR(bind);
CHECK_NR(listen); CHECK_NR(accept4); CHECK_NR(sendmmsg);
CHECK_NR(ptrace); CHECK_NR(setuid); CHECK_NR(setgid); CHECK_NR(setreuid); CHECK_NR(setregid);
CHECK_NR(setresuid); CHECK_NR(setresgid); CHECK_NR(setfsuid); CHECK_NR(setfsgid);
CHECK_NR(capset); CHECK_NR(mount); CHECK_NR(umount2); CHECK_NR(init_module);
CHECK_NR(unshare); CHECK_NR(setns); CHECK_NR(finit_module); CHECK_NR(memfd_create); CHECK_NR(bpf);
#ifdef SYS_fchmodat2
CHECK_NR(fchmodat2);
#endif

_Static_assert(sizeof(struct rp_event_hdr) == 72, "rp_event_hdr layout");
_Static_assert(sizeof(struct rp_exec_event) == 2200, "rp_exec_event layout");
_Static_assert(sizeof(struct rp_net_event) == 128, "rp_net_event layout");
_Static_assert(sizeof(struct rp_file_event) == 616, "rp_file_event layout");
_Static_assert(sizeof(struct rp_priv_event) == 704, "rp_priv_event layout");
_Static_assert(__builtin_offsetof(struct rp_file_event, path) ==
                   __builtin_offsetof(struct rp_file_event, path_bits) + 4,
               "path_bits and path form an LPM key");

#define T(x) RP_TYPE_BIT(RP_EV_##x)

_Static_assert((T(OPEN) | T(UNLINK) | T(RENAME) | T(CHMOD)) == AGENT_FILE_TYPES, "file types");

static const agent_sensor_info sensors[] = {
    {"process", T(EXEC) | T(FORK) | T(EXIT), "rp_exec rp_fork rp_exit",
     "tp_btf/sched_process_exec tp_btf/sched_process_fork tp_btf/sched_process_exit", ""},
    {"network", T(CONNECT) | T(ACCEPT) | T(LISTEN) | T(BIND) | T(SEND),
     "rp_sys_enter rp_sys_exit", "tp_btf/sys_enter tp_btf/sys_exit",
     "connect accept accept4 listen bind sendto sendmsg sendmmsg"},
    {"file", T(OPEN) | T(UNLINK) | T(RENAME) | T(CHMOD), "rp_sys_exit", "tp_btf/sys_exit",
     "open creat openat openat2 unlink unlinkat rename renameat renameat2 chmod fchmod "
     "fchmodat fchmodat2"},
    {"priv",
     T(SETUID) | T(SETGID) | T(CAPSET) | T(PTRACE) | T(MOUNT) | T(MODULE) | T(BPF) | T(UNSHARE) |
         T(SETNS) | T(MEMFD),
     "rp_sys_enter rp_sys_exit", "tp_btf/sys_enter tp_btf/sys_exit",
     "setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid capset ptrace "
     "mount umount2 init_module finit_module bpf unshare setns memfd_create"},
};

const agent_sensor_info *agent_sensor_at(size_t i)
{
    return i < RP_ARRAY_LEN(sensors) ? &sensors[i] : NULL;
}

size_t agent_sensor_count(void)
{
    return RP_ARRAY_LEN(sensors);
}

static const char *const type_names[RP_EV_TYPE_COUNT] = {
    [RP_EV_NONE] = "",          [RP_EV_EXEC] = "exec",       [RP_EV_FORK] = "fork",
    [RP_EV_EXIT] = "exit",      [RP_EV_CONNECT] = "connect", [RP_EV_ACCEPT] = "accept",
    [RP_EV_LISTEN] = "listen",  [RP_EV_BIND] = "bind",       [RP_EV_SEND] = "send",
    [RP_EV_OPEN] = "open",      [RP_EV_UNLINK] = "unlink",   [RP_EV_RENAME] = "rename",
    [RP_EV_CHMOD] = "chmod",    [RP_EV_SETUID] = "setuid",   [RP_EV_SETGID] = "setgid",
    [RP_EV_CAPSET] = "capset",  [RP_EV_PTRACE] = "ptrace",   [RP_EV_MOUNT] = "mount",
    [RP_EV_MODULE] = "module",  [RP_EV_BPF] = "bpf",         [RP_EV_UNSHARE] = "unshare",
    [RP_EV_SETNS] = "setns",    [RP_EV_MEMFD] = "memfd_create",
};

const char *agent_event_type_name(uint32_t type)
{
    return type < RP_EV_TYPE_COUNT && type_names[type] ? type_names[type] : "";
}

bool agent_event_type_parse(const char *word, size_t n, uint64_t *bits)
{
    if (n == 3 && memcmp(word, "all", 3) == 0) {
        *bits |= AGENT_TYPES_ALL;
        return true;
    }
    for (size_t i = 0; i < RP_ARRAY_LEN(sensors); i++) {
        if (strlen(sensors[i].name) == n && memcmp(word, sensors[i].name, n) == 0) {
            *bits |= sensors[i].types;
            return true;
        }
    }
    for (uint32_t t = 1; t < RP_EV_TYPE_COUNT; t++) {
        if (strlen(type_names[t]) == n && memcmp(word, type_names[t], n) == 0) {
            *bits |= RP_TYPE_BIT(t);
            return true;
        }
    }
    return false;
}

const char *agent_syscall_name(uint32_t nr)
{
    switch (nr) {
    case RP_NR_open: return "open";
    case RP_NR_creat: return "creat";
    case RP_NR_rename: return "rename";
    case RP_NR_unlink: return "unlink";
    case RP_NR_chmod: return "chmod";
    case RP_NR_fchmod: return "fchmod";
    case RP_NR_openat: return "openat";
    case RP_NR_unlinkat: return "unlinkat";
    case RP_NR_renameat: return "renameat";
    case RP_NR_fchmodat: return "fchmodat";
    case RP_NR_renameat2: return "renameat2";
    case RP_NR_openat2: return "openat2";
    case RP_NR_fchmodat2: return "fchmodat2";
    case RP_NR_connect: return "connect";
    case RP_NR_accept: return "accept";
    case RP_NR_sendto: return "sendto";
    case RP_NR_sendmsg: return "sendmsg";
    case RP_NR_bind: return "bind";
    case RP_NR_listen: return "listen";
    case RP_NR_accept4: return "accept4";
    case RP_NR_sendmmsg: return "sendmmsg";
    case RP_NR_ptrace: return "ptrace";
    case RP_NR_setuid: return "setuid";
    case RP_NR_setgid: return "setgid";
    case RP_NR_setreuid: return "setreuid";
    case RP_NR_setregid: return "setregid";
    case RP_NR_setresuid: return "setresuid";
    case RP_NR_setresgid: return "setresgid";
    case RP_NR_setfsuid: return "setfsuid";
    case RP_NR_setfsgid: return "setfsgid";
    case RP_NR_capset: return "capset";
    case RP_NR_mount: return "mount";
    case RP_NR_umount2: return "umount2";
    case RP_NR_init_module: return "init_module";
    case RP_NR_unshare: return "unshare";
    case RP_NR_setns: return "setns";
    case RP_NR_finit_module: return "finit_module";
    case RP_NR_memfd_create: return "memfd_create";
    case RP_NR_bpf: return "bpf";
    default: return "unknown";
    }
}
