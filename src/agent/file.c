/*
 * file.c — the file sensor's user-space half: loading the watched path
 * prefixes into the kernel's filters, and the "file" section of
 * open/unlink/rename/chmod events (the kernel half is bpf/file.bpf.c).
 *
 * Two filters are filled from the same prefixes: the LPM trie that decides,
 * and a bloom filter over a path's first k bytes (k = the shortest prefix's
 * length, at most RP_WATCH_QUICK_MAX) that rejects most unwatched opens
 * after an 8-byte read, before the path is read as a string.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "agent_int.h"
#include "jsonw.h"
#include "sensors.h"
#include "skel.h"

uint32_t agent_file_quick_len(const char *const *prefixes, size_t n)
{
    size_t k = RP_WATCH_QUICK_MAX;
    if (n == 0) /* the kernel then rejects every path without reading it */
        return RP_WATCH_QUICK_NONE;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(prefixes[i]);
        if (len < k)
            k = len;
    }
    return (uint32_t)k;
}

uint32_t agent_file_bloom_bit(const char *prefix, uint32_t k)
{
    uint64_t word = 0;
    size_t len = strlen(prefix);
    /* Little-endian, as the BPF side reads the path's first 8 bytes. */
    memcpy(&word, prefix, len < k ? len : k);
    return (uint32_t)((word * 0x9E3779B97F4A7C15ull) >> 52);
}

rp_status agent_file_check_prefixes(const char *const *prefixes, size_t n, rp_error *err)
{
    if (n > RP_WATCH_MAX)
        return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){0}, "more than %d watched prefixes",
                            RP_WATCH_MAX);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(prefixes[i]);
        if (prefixes[i][0] != '/')
            return rp_error_set(err, RP_ERR_SYNTAX, (rp_loc){0},
                                "watched prefix '%s' is not an absolute path", prefixes[i]);
        if (len > RP_WATCH_KEY_MAX)
            return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){0},
                                "watched prefix '%.40s...' is longer than %d bytes", prefixes[i],
                                RP_WATCH_KEY_MAX);
    }
    return RP_OK;
}

rp_status agent_file_setup(struct rampart_bpf *skel, const char *const *prefixes, size_t n,
                           rp_error *err)
{
    int fd = bpf_map__fd(skel->maps.rp_file_watch);
    uint32_t k, one = 1;
    rp_status rc = agent_file_check_prefixes(prefixes, n, err);

    if (rc == RP_OK) /* a map reused from a pin still holds the last run's prefixes */
        rc = agent_map_clear(fd, sizeof(struct rp_watch_key), "rp_file_watch", err);
    if (rc != RP_OK)
        return rc;
    k = agent_file_quick_len(prefixes, n);
    /* Off while the filters change: the kernel side takes the slow path. */
    skel->bss->rp_watch_quick_len = 0;
    memset(skel->bss->rp_watch_bloom, 0, sizeof(skel->bss->rp_watch_bloom));
    for (size_t i = 0; i < n; i++) {
        struct rp_watch_key key = {0};
        size_t len = strlen(prefixes[i]);
        uint32_t bit = agent_file_bloom_bit(prefixes[i], k);
        memcpy(key.data, prefixes[i], len);
        key.bits = (uint32_t)len * 8;
        if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
            return rp_error_set(err, RP_ERR_IO, (rp_loc){0}, "rp_file_watch: %s", strerror(errno));
        skel->bss->rp_watch_bloom[bit >> 6] |= 1ull << (bit & 63);
    }
    __atomic_store_n(&skel->bss->rp_watch_quick_len, k, __ATOMIC_RELEASE);
    return RP_OK;
}

static bool open_writes(uint32_t flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

void agent_file_json(rp_buf *b, const struct rp_file_event *e)
{
    jw_obj(b, "file");
    jw_str(b, "syscall", agent_syscall_name(e->syscall));
    jw_strn(b, "path", e->path, sizeof(e->path));
    if (e->hdr.type == RP_EV_RENAME)
        jw_strn(b, "new_path", e->path2, sizeof(e->path2));
    jw_u64(b, "flags", e->flags);
    jw_u64(b, "mode", e->mode);
    if (e->hdr.type == RP_EV_OPEN)
        jw_bool(b, "write", open_writes(e->flags));
    jw_i64(b, "result", e->result);
    jw_end(b);
}
