/*
 * agent_setup.c — everything around loading that is not the lifecycle
 * itself: the checks that turn a cryptic EPERM into a clear sentence (not
 * root, no BTF, a program type the kernel refuses), which programs to load,
 * pinning for restarts, the "drops" line, and --dry-run.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "agent_int.h"
#include "event.h"
#include "jsonw.h"
#include "sensors.h"
#include "skel.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"
#define BPF_FS_MAGIC_ 0xcafe4a11 /* include/uapi/linux/magic.h: BPF_FS_MAGIC */
#define CAP_PERFMON_ 38
#define CAP_BPF_ 39
#define PIN_PATH_MAX 4096

/* Credentials, K8s secrets, SSH and sudo config: what Falco's default rules
 * watch.  All at least 8 bytes, so the quick filter looks at 8 (file.c). */
static const char *const default_watch[] = {
    "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/pam.d/", "/etc/ssh/",
    "/root/.ssh/", "/etc/kubernetes/", "/var/run/secrets/", "/run/secrets/",
    "/var/lib/kubelet/pki/", NULL,
};

const char *const *agent_default_watch(void)
{
    return default_watch;
}

void agent_config_defaults(agent_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->types = 0; /* all */
    for (size_t i = 0; default_watch[i]; i++)
        cfg->watch[cfg->nwatch++] = default_watch[i];
    cfg->udp_ports[cfg->nudp++] = 53; /* DNS */
    cfg->ringbuf_bytes = RP_RINGBUF_DEFAULT;
    cfg->poll_ms = AGENT_POLL_MS_DEFAULT;
}

/* ---- preflight ------------------------------------------------------------------ */

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
    return d[cap / 32].effective & (1u << (cap % 32));
}

static rp_status check_privileges(rp_error *err)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{0}};

    if (syscall(SYS_capget, &hdr, d) != 0)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "capget: %s", strerror(errno));
    if ((has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, CAP_BPF_) && has_cap(d, CAP_PERFMON_))) &&
        has_cap(d, CAP_DAC_READ_SEARCH))
        return RP_OK;
    return rp_error_set(err, RP_ERR_IO, (rp_loc){0},
                        "needs root: loading the BPF sensors takes CAP_BPF and CAP_PERFMON (or "
                        "CAP_SYS_ADMIN) and resolving cgroups CAP_DAC_READ_SEARCH; running as "
                        "uid %u without them",
                        (unsigned)geteuid());
}

static rp_status check_btf(const char *path, rp_error *err)
{
    if (access(path, R_OK) == 0)
        return RP_OK;
    return rp_error_set(err, RP_ERR_IO, (rp_loc){0},
                        "kernel BTF not found at %s (%s): the sensors are CO-RE programs and "
                        "need a kernel built with CONFIG_DEBUG_INFO_BTF=y, or --btf FILE",
                        path, strerror(errno));
}

rp_status agent_preflight(const agent_config *cfg, rp_error *err)
{
    rp_status rc = check_privileges(err);
    if (rc == RP_OK)
        rc = check_btf(cfg->btf_path ? cfg->btf_path : DEFAULT_BTF, err);
    return rc;
}

/* ---- programs -------------------------------------------------------------------- */

void agent_select_programs(struct rampart_bpf *s, const agent_config *cfg)
{
    uint64_t t = cfg->types ? cfg->types : AGENT_TYPES_ALL;
    bool sys = t & AGENT_SYSCALL_TYPES;

    bpf_program__set_autoload(s->progs.rp_exec, t & RP_TYPE_BIT(RP_EV_EXEC));
    bpf_program__set_autoload(s->progs.rp_fork, t & RP_TYPE_BIT(RP_EV_FORK));
    bpf_program__set_autoload(s->progs.rp_exit, t & RP_TYPE_BIT(RP_EV_EXIT));
    /* sys_enter serves the network and privilege sensors only. */
    bpf_program__set_autoload(s->progs.rp_sys_enter, t & AGENT_SYSCALL_TYPES & ~AGENT_FILE_TYPES);
    bpf_program__set_autoload(s->progs.rp_sys_exit, sys);
    bpf_program__set_autoload(s->progs.rp_exec_lsm, cfg->lsm);
}

static const char *errno_name(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

rp_status agent_maps_error(const char *pin_dir, int errnum, rp_error *err)
{
    if (pin_dir)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0},
                            "create maps: %s (errno %d, %s): maps pinned under %s may not match "
                            "this configuration (another --ringbuf-size?); remove them with "
                            "--unpin",
                            strerror(errnum), errnum, errno_name(errnum), pin_dir);
    return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "create maps: %s (errno %d, %s)",
                        strerror(errnum), errnum, errno_name(errnum));
}

rp_status agent_prog_error(const struct bpf_program *p, int errnum, bool verbose, rp_error *err)
{
    return rp_error_set(err, RP_ERR_IO, (rp_loc){0},
                        "the kernel refused program %s (%s, type %s): %s (errno %d, %s)%s",
                        bpf_program__name(p), bpf_program__section_name(p),
                        libbpf_bpf_prog_type_str(bpf_program__type(p)), strerror(errnum), errnum,
                        errno_name(errnum), verbose ? "" : "; --verbose prints the verifier log");
}

/* ---- pinning ---------------------------------------------------------------------- */

static rp_status check_bpffs(const char *dir, rp_error *err)
{
    struct statfs fs;

    if (mkdir(dir, 0700) && errno != EEXIST)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "pin directory %s: %s", dir,
                            strerror(errno));
    if (statfs(dir, &fs))
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "pin directory %s: %s", dir,
                            strerror(errno));
    if ((unsigned long)fs.f_type != BPF_FS_MAGIC_)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0},
                            "pin directory %s is not on a bpf filesystem (mount -t bpf bpf "
                            "/sys/fs/bpf first)",
                            dir);
    return RP_OK;
}

rp_status agent_pin_maps(struct rampart_bpf *s, const char *dir, rp_error *err)
{
    static const char *const names[] = {AGENT_PINNED_MAPS};
    char path[PIN_PATH_MAX];
    rp_status rc = check_bpffs(dir, err);

    for (size_t i = 0; rc == RP_OK && i < RP_ARRAY_LEN(names); i++) {
        struct bpf_map *m = bpf_object__find_map_by_name(s->obj, names[i]);
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (!m || bpf_map__set_pin_path(m, path))
            rc = rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "pin %s: %s", path, strerror(errno));
    }
    return rc;
}

rp_status agent_pin_link(struct bpf_link *link, const char *dir, const char *name, rp_error *err)
{
    char path[PIN_PATH_MAX];
    int rc;

    snprintf(path, sizeof(path), "%s/link_%s", dir, name);
    /* The old link (previous run) goes when its pin does: the new one is
     * already attached, so the hand-over loses nothing. */
    if (unlink(path) && errno != ENOENT)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "unpin %s: %s", path, strerror(errno));
    rc = bpf_link__pin(link, path);
    if (rc)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "pin %s: %s", path, strerror(-rc));
    return RP_OK;
}

rp_status agent_unpin(const char *dir, rp_error *err)
{
    static const char *const maps[] = {AGENT_PINNED_MAPS};
    char path[PIN_PATH_MAX];
    const char *progs[] = {"rp_exec", "rp_fork", "rp_exit", "rp_sys_enter", "rp_sys_exit",
                           "rp_exec_lsm"};

    for (size_t i = 0; i < RP_ARRAY_LEN(progs); i++) {
        snprintf(path, sizeof(path), "%s/link_%s", dir, progs[i]);
        if (unlink(path) && errno != ENOENT)
            return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "unpin %s: %s", path,
                                strerror(errno));
    }
    for (size_t i = 0; i < RP_ARRAY_LEN(maps); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, maps[i]);
        if (unlink(path) && errno != ENOENT)
            return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "unpin %s: %s", path,
                                strerror(errno));
    }
    if (rmdir(dir) && errno != ENOENT)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "remove %s: %s", dir, strerror(errno));
    return RP_OK;
}

rp_status agent_map_clear(int fd, size_t key_size, const char *name, rp_error *err)
{
    unsigned char key[256];

    if (key_size > sizeof(key))
        return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){0}, "%s: key too large", name);
    /* Restart from the first key each time: deleting breaks iteration. */
    while (bpf_map_get_next_key(fd, NULL, key) == 0)
        if (bpf_map_delete_elem(fd, key))
            return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "clear %s: %s", name,
                                strerror(errno));
    return RP_OK;
}

/* ---- the drops line ------------------------------------------------------------------ */

void agent_drops_json(rp_buf *b, uint64_t lost, const agent_stats *st, const uint64_t *per_cpu,
                      size_t ncpu, int64_t boot_to_epoch_ns)
{
    struct timespec now;

    clock_gettime(CLOCK_BOOTTIME, &now);
    b->len = 0;
    rp_buf_putc(b, '{');
    jw_u64(b, "time_ns",
           (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + (uint64_t)boot_to_epoch_ns);
    jw_str(b, "type", "drops");
    jw_u64(b, "lost", lost);
    jw_u64(b, "drops", st->drops);
    jw_u64(b, "inflight_full", st->inflight_full);
    jw_key(b, "per_cpu_drops");
    rp_buf_putc(b, '[');
    for (size_t i = 0; i < ncpu; i++) {
        jw_sep(b);
        jw_u64_raw(b, per_cpu[i]);
    }
    rp_buf_puts(b, "]}");
}
