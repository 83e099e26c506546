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

static rp_status load_module(rego_policy *p, rp_loader *l, const char *path, rp_error *err)
{
    char *src = NULL;
    size_t n = 0;
    rp_status st = rp_read_file(path, REGO_SOURCE_MAX_BYTES, &src, &n, err);
    if (st != RP_OK)
        return st;
    st = rego_policy_add_module(p, path, src, n, l->version, err);
    free(src);
    if (st == RP_OK)
        l->nmodules++;
    return st;
}

static rp_status load_data(rego_policy *p, rp_loader *l, const char *path, rego_value dpath,
                           rp_error *err)
{
    rego_value v;
    rp_status st = rp_load_document(rego_policy_arena(p), path, &v, err);
    if (st != RP_OK)
        return st;
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
        } else if (ends_with(names[i], ".json") || is_yaml(names[i])) {
            st = load_data(p, l, path, rel, err);
        }
        if (st != RP_OK && err->loc.file && !strcmp(err->loc.file, "data"))
            err->loc.file = NULL;
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
