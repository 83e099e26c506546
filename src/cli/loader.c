/*
 * loader.c — policy and data loading for the CLI commands (see loader.h).
 * Directory walks are sorted so loading order, and therefore any merge
 * error, is deterministic.
 */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rego/ast.h"
#include "rego/json.h"
#include "rego/limits.h"
#include "rego/yaml.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_yaml(const char *path) { return ends_with(path, ".yaml") || ends_with(path, ".yml"); }

rp_status rp_load_document(rp_arena *a, const char *path, rego_value *out, rp_error *err)
{
    if (is_yaml(path))
        return rego_yaml_parse_file(a, path, REGO_YAML_K8S, false, out, err);
    return rego_json_parse_file(a, path, out, err);
}

/* ---- bundle roots ----------------------------------------------------------------- */

/* Whether the path segs[0..n) (strings) lies under one of the bundle's
 * roots: a root "a/b" covers a/b and everything below it, "" everything. */
static bool under_roots(const rp_loader *l, const rego_value *segs, uint32_t n)
{
    if (!l->bundle || l->roots.kind != REGO_ARRAY)
        return true;
    for (uint32_t r = 0; r < l->roots.n; r++) {
        rego_value root = l->roots.u.items[r];
        if (root.n == 0)
            return true;
        bool ok = true;
        uint32_t k = 0;
        for (size_t off = 0; ok && off <= root.n; k++) {
            const char *slash = memchr(root.u.s + off, '/', root.n - off);
            size_t e = slash ? (size_t)(slash - root.u.s) : root.n;
            ok = k < n && segs[k].kind == REGO_STRING && segs[k].n == e - off &&
                 memcmp(segs[k].u.s, root.u.s + off, e - off) == 0;
            off = e + 1;
        }
        if (ok)
            return true;
    }
    return false;
}

/* "a/b" for the segments, into b. */
static void put_path(rp_buf *b, const rego_value *segs, uint32_t n, char sep)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i || sep == '/')
            rp_buf_putc(b, sep);
        if (segs[i].kind == REGO_STRING)
            rp_buf_append(b, segs[i].u.s, segs[i].n);
        else
            rego_value_write(b, segs[i], REGO_FMT_JSON);
    }
}

/* OPA's message for a path the manifest's roots do not cover. */
static rp_status roots_error(const rp_loader *l, const char *what, const rego_value *segs,
                             uint32_t n, const char *file, rp_error *err)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, l->roots, REGO_FMT_JSON);
    rp_buf_puts(&b, strcmp(what, "package") == 0 ? " do not permit 'package " : " do not permit data at path '");
    put_path(&b, segs, n, strcmp(what, "package") == 0 ? '.' : '/');
    rp_buf_putc(&b, '\'');
    rp_status st = rp_error_set(err, RP_ERR_IO, (rp_loc){file, 0, 0}, "bundle %s: manifest roots %s",
                                l->bundle_dir, rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

static rp_status load_module(rego_policy *p, rp_loader *l, const char *path, rp_error *err)
{
    char *src = NULL;
    size_t n = 0;
    rp_status st = rp_read_file(path, REGO_SOURCE_MAX_BYTES, &src, &n, err);
    if (st != RP_OK)
        return st;
    st = rego_policy_add_module(p, path, src, n, l->version, err);
    free(src);
    if (st != RP_OK)
        return st;
    l->nmodules++;
    size_t nmod, nrules;
    rego_policy_stats(p, &nmod, &nrules);
    const rego_module *m = rego_policy_module(p, nmod - 1);
    if (l->bundle && m && m->package && m->package->kind == REGO_TERM_REF) {
        /* package data.a.b: the path after data, a ground ref of strings */
        rego_value segs[64];
        uint32_t k = 0;
        for (uint32_t i = 1; i < m->package->n && k < 64; i++)
            if (m->package->u.c.items[i]->kind == REGO_TERM_VALUE)
                segs[k++] = m->package->u.c.items[i]->u.value;
        if (!under_roots(l, segs, k))
            return roots_error(l, "package", segs, k, path, err);
    }
    return RP_OK;
}

static rp_status load_data(rego_policy *p, rp_loader *l, const char *path, rego_value dpath,
                           rp_error *err)
{
    rego_value v;
    rp_status st = rp_load_document(rego_policy_arena(p), path, &v, err);
    if (st != RP_OK)
        return st;
    if (l->bundle && dpath.n && !under_roots(l, dpath.u.items, dpath.n))
        return roots_error(l, "data", dpath.u.items, dpath.n, path, err);
    if (l->bundle && !dpath.n && v.kind == REGO_OBJECT)
        for (uint32_t i = 0; i < v.n; i++) {
            rego_value key = rego_object_at(v, i).key;
            if (!under_roots(l, &key, 1))
                return roots_error(l, "data", &key, 1, path, err);
        }
    st = rego_policy_add_data_owned(p, dpath, v, err);
    if (st != RP_OK && !err->loc.file)
        err->loc.file = "data"; /* merge conflicts name the file below */
    if (st == RP_OK)
        l->ndata++;
    return st;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir; rel holds the data path of dir (an array of strings in the policy arena). */
static rp_status load_dir(rego_policy *p, rp_loader *l, const char *dir, rego_value rel, int depth,
                          rp_error *err)
{
    if (depth > 64)
        return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){dir, 0, 0}, "directory nesting too deep");
    DIR *d = opendir(dir);
    if (!d)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){dir, 0, 0}, "open: %s", strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    rp_status st = RP_OK;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof(char *));
            if (!nn) {
                st = rp_error_set(err, RP_ERR_NOMEM, (rp_loc){dir, 0, 0}, "out of memory");
                break;
            }
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (!names[n]) {
            st = rp_error_set(err, RP_ERR_NOMEM, (rp_loc){dir, 0, 0}, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (st == RP_OK)
        qsort(names, n, sizeof(char *), cmp_names);
    for (size_t i = 0; i < n && st == RP_OK; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        if (!path) {
            st = rp_error_set(err, RP_ERR_NOMEM, (rp_loc){dir, 0, 0}, "out of memory");
            break;
        }
        snprintf(path, plen, "%s/%s", dir, names[i]);
        struct stat sb;
        if (stat(path, &sb) != 0) {
            st = rp_error_set(err, RP_ERR_IO, (rp_loc){path, 0, 0}, "stat: %s", strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            rego_value sub;
            rego_value *keys = rego_array_alloc(rego_policy_arena(p), rel.n + 1, &sub);
            if (!keys) {
                st = rp_error_set(err, RP_ERR_NOMEM, (rp_loc){path, 0, 0}, "out of memory");
            } else {
                if (rel.n) /* the root's path is empty, its items NULL */
                    memcpy(keys, rel.u.items, rel.n * sizeof(rego_value));
                keys[rel.n] = rego_cstr(rego_policy_arena(p), names[i]);
                st = load_dir(p, l, path, sub, depth + 1, err);
            }
        } else if (ends_with(names[i], ".rego")) {
            st = load_module(p, l, path, err);
        } else if (l->bundle ? (!strcmp(names[i], "data.json") || !strcmp(names[i], "data.yaml") ||
                                !strcmp(names[i], "data.yml"))
                             : (ends_with(names[i], ".json") || is_yaml(names[i]))) {
            st = load_data(p, l, path, rel, err);
        }
        if (st != RP_OK && err->loc.file && !strcmp(err->loc.file, "data"))
            err->loc.file = NULL;
        /* errors name the file, and path is freed here: the policy keeps a copy */
        if (st != RP_OK && err->loc.file == path)
            err->loc.file = rp_arena_strndup(rego_policy_arena(p), path, strlen(path));
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

rp_status rp_load_path(rego_policy *p, rp_loader *l, const char *path, rp_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){path, 0, 0}, "stat %s: %s", path,
                            strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return load_dir(p, l, path, rego_empty_array(), 0, err);
    if (ends_with(path, ".rego"))
        return load_module(p, l, path, err);
    return load_data(p, l, path, rego_empty_array(), err);
}

/* The manifest's roots, each without leading or trailing '/'; [""] (all)
 * when there is no manifest or it names none. */
static rp_status read_roots(rego_policy *p, rp_loader *l, const char *dir, rp_error *err)
{
    rp_arena *a = rego_policy_arena(p);
    size_t plen = strlen(dir) + sizeof("/.manifest");
    char *path = rp_arena_alloc(a, plen);
    if (!path)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){dir, 0, 0}, "out of memory");
    snprintf(path, plen, "%s/.manifest", dir);
    rego_value all = rego_str_borrow("", 0);
    rego_value *one = rego_array_alloc(a, 1, &l->roots);
    if (!one)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){dir, 0, 0}, "out of memory");
    one[0] = all;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return RP_OK;
    rego_value m;
    rp_status st = rego_json_parse_file(a, path, &m, err);
    if (st != RP_OK)
        return st;
    rego_value roots;
    if (m.kind != REGO_OBJECT)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){path, 0, 0}, "manifest is not a JSON object");
    if (!rego_object_get(m, rego_str_borrow("roots", 5), &roots))
        return RP_OK;
    if (roots.kind != REGO_ARRAY)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){path, 0, 0}, "manifest roots must be an array of strings");
    rego_value *items = rego_array_alloc(a, roots.n, &l->roots);
    if (!items && roots.n)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){path, 0, 0}, "out of memory");
    for (uint32_t i = 0; i < roots.n; i++) {
        rego_value r = roots.u.items[i];
        if (r.kind != REGO_STRING)
            return rp_error_set(err, RP_ERR_IO, (rp_loc){path, 0, 0}, "manifest roots must be an array of strings");
        const char *s = r.u.s;
        size_t n = r.n;
        while (n && *s == '/')
            s++, n--;
        while (n && s[n - 1] == '/')
            n--;
        items[i] = rego_str_borrow(s, n);
    }
    return RP_OK;
}

rp_status rp_load_bundle(rego_policy *p, rp_loader *l, const char *dir, rp_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return rp_error_set(err, RP_ERR_IO, (rp_loc){dir, 0, 0}, "stat %s: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return rp_error_set(err, RP_ERR_IO, (rp_loc){dir, 0, 0},
                            "bundle %s: not a directory (bundle archives are not supported yet: "
                            "unpack it and pass the directory)",
                            dir);
    l->bundle = true;
    l->bundle_dir = dir;
    rp_status st = read_roots(p, l, dir, err);
    if (st == RP_OK)
        st = load_dir(p, l, dir, rego_empty_array(), 0, err);
    l->bundle = false;
    l->roots = rego_undef();
    return st;
}

int rp_run_big_stack(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t th;
    if (pthread_attr_init(&attr) != 0)
        return -1;
    /* 256 MiB of address space, committed only as deep evaluations touch it. */
    pthread_attr_setstacksize(&attr, 256u << 20);
    int rc = pthread_create(&th, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        fn(arg); /* fall back to the current thread */
        return 0;
    }
    pthread_join(th, NULL);
    return 0;
}
