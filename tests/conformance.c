/*
 * conformance.c — runs OPA's conformance cases (../shared/conformance/opa:
 * given/ in Rego v0, given-v1/ in Rego v1) against the engine.
 *
 * Each case compiles its modules (named test-N.rego, as OPA's runner does),
 * evaluates its query with its data and input, and compares the result set
 * (or the error) as OPA's runner does.  Every failing case is printed with
 * its note and reason, then a per-directory table and the closing line
 * "N passed, N failed".
 *
 * The list of cases known to fail lives in tests/conformance-known-failures.txt
 * ("<suite>/<note>" per line, # comments).  The run fails on a failure that
 * is not listed (a regression) and on a listed case that now passes (so the
 * list only shrinks).
 *
 * usage: conformance [--suite given|given-v1] [--dir NAME] [--verbose]
 *                    [--known FILE] [--write-known FILE] [--root DIR]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <time.h>

#include "rego/builtin.h"
#include "rego/engine.h"
#include "rego/limits.h"
#include "rego/yaml.h"

/* test.sleep(duration): the builtin OPA's own runner registers for the
 * "time caching" case; only this program links it (group `test`).  Accepts
 * "<n>ms" / "<n>s", bounded to one second. */
static rp_status bi_test_sleep(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    char *end;
    double v = strtod(s, &end);
    double ms = !strcmp(end, "ms") ? v : !strcmp(end, "s") ? v * 1000 : -1;
    if (ms < 0 || ms > 1000)
        return rego_bi_errorf(ctx, "invalid duration %s", s);
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
    nanosleep(&ts, NULL);
    *out = rego_null();
    return RP_OK;
}

const rego_builtin rego_builtins_test[] = {
    {"test.sleep", NULL, "(string) => null", 1, 0, bi_test_sleep},
    {0},
};

typedef struct {
    char name[64];
    int passed, failed;
} dirstat;

typedef struct {
    const char *root;
    const char *only_suite;
    const char *only_dir;
    bool verbose;
    const char *known_path;
    const char *write_known;
    /* known failures */
    char **known;
    size_t nknown;
    bool *known_seen;
    /* run state */
    dirstat dirs[256];
    size_t ndirs;
    int passed, failed, regressions, fixed;
    FILE *write_f;
} runner;

/* ---- small helpers --------------------------------------------------------------- */

static rego_value get(rego_value obj, const char *key)
{
    rego_value v = rego_undef();
    if (obj.kind == REGO_OBJECT)
        rego_object_get_str(obj, key, strlen(key), rego_hash_str(key, strlen(key)), &v);
    return v;
}

/* Notes are not unique in OPA's suite: every matching line counts as seen. */
static bool known_failure(runner *r, const char *id)
{
    bool found = false;
    for (size_t i = 0; i < r->nknown; i++)
        if (!strcmp(r->known[i], id)) {
            r->known_seen[i] = true;
            found = true;
        }
    return found;
}

static void load_known(runner *r)
{
    FILE *f = fopen(r->known_path, "r");
    if (!f)
        return;
    char line[1024];
    size_t cap = 0;
    while (fgets(line, sizeof(line), f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        if (!n || line[0] == '#')
            continue;
        if (r->nknown == cap) {
            cap = cap ? cap * 2 : 64;
            r->known = realloc(r->known, cap * sizeof(char *));
            r->known_seen = realloc(r->known_seen, cap * sizeof(bool));
        }
        r->known[r->nknown] = strdup(line);
        r->known_seen[r->nknown] = false;
        r->nknown++;
    }
    fclose(f);
}

static dirstat *dir_stat(runner *r, const char *suite, const char *dir)
{
    char name[64];
    snprintf(name, sizeof(name), "%s/%s", suite, dir);
    for (size_t i = 0; i < r->ndirs; i++)
        if (!strcmp(r->dirs[i].name, name))
            return &r->dirs[i];
    if (r->ndirs == 256)
        return &r->dirs[255];
    dirstat *d = &r->dirs[r->ndirs++];
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->passed = d->failed = 0;
    return d;
}

/* OPA turns results into JSON: sets become (sorted) arrays, non-string object
 * keys become their JSON text. */
static rego_value to_json(rp_arena *a, rego_value v, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return v;
    switch ((rego_kind)v.kind) {
    case REGO_ARRAY:
    case REGO_SET: {
        uint32_t n = v.kind == REGO_ARRAY ? v.n : v.u.set->n;
        rego_value out;
        rego_value *items = rego_array_alloc(a, n, &out);
        if (!items)
            return v;
        for (uint32_t i = 0; i < n; i++)
            items[i] = to_json(a, v.kind == REGO_ARRAY ? v.u.items[i] : rego_set_at(v, i), depth + 1);
        return out;
    }
    case REGO_OBJECT: {
        rego_objb b;
        rego_objb_init(&b, a);
        for (uint32_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            rego_value k = e.key;
            if (k.kind != REGO_STRING) {
                rp_buf kb;
                rp_buf_init(&kb);
                rego_value_write(&kb, to_json(a, k, depth + 1), REGO_FMT_JSON);
                k = rego_str(a, rp_buf_cstr(&kb), kb.len);
                rp_buf_free(&kb);
            }
            rego_objb_set(&b, k, to_json(a, e.val, depth + 1));
        }
        rego_value o = rego_objb_finish(&b);
        return o.kind ? o : v;
    }
    default:
        return v;
    }
}

static int cmp_q(const void *x, const void *y)
{
    return rego_compare(*(const rego_value *)x, *(const rego_value *)y);
}

static rego_value sorted_array(rp_arena *a, rego_value v)
{
    if (v.kind != REGO_ARRAY)
        return v;
    rego_value out;
    rego_value *items = rego_array_alloc(a, v.n, &out);
    if (!items)
        return v;
    memcpy(items, v.u.items, v.n * sizeof(rego_value));
    qsort(items, v.n, sizeof(rego_value), cmp_q);
    return out;
}

static void describe(rp_buf *b, rego_value v)
{
    rp_buf tmp;
    rp_buf_init(&tmp);
    rego_value_write(&tmp, v, REGO_FMT_JSON);
    if (tmp.len > 600) {
        rp_buf_append(b, tmp.data, 600);
        rp_buf_puts(b, "...");
    } else {
        rp_buf_append(b, tmp.data ? tmp.data : "", tmp.len);
    }
    rp_buf_free(&tmp);
}

/* OPA's error string: "file:row: code: message". */
static void opa_error_text(const rp_error *e, char *buf, size_t cap)
{
    const char *code = rp_errkind_name(e->kind);
    if (e->loc.file && e->loc.line)
        snprintf(buf, cap, "%s:%u: %s: %s", e->loc.file, e->loc.line, code, e->msg);
    else
        snprintf(buf, cap, "%s: %s", code, e->msg);
}

/* ---- one case --------------------------------------------------------------------- */

/* Returns true on pass; on failure writes the reason into why. */
static bool run_case(rego_value c, rego_version ver, rp_buf *why)
{
    rp_arena *a = rp_arena_new(REGO_EVAL_DEFAULT_BUDGET / 4);
    rego_policy *p = rego_policy_new();
    rego_query *q = NULL;
    rp_error err = {0};
    rp_status st = RP_OK;
    bool pass = false;
    rego_value want_code = get(c, "want_error_code"), want_err = get(c, "want_error");
    bool want_error = want_code.kind == REGO_STRING || want_err.kind == REGO_STRING;
    rego_value modules = get(c, "modules");
    char fname[32];
    for (uint32_t i = 0; modules.kind == REGO_ARRAY && i < modules.n && st == RP_OK; i++) {
        rego_value m = modules.u.items[i];
        snprintf(fname, sizeof(fname), "test-%u.rego", i);
        if (m.kind == REGO_STRING)
            st = rego_policy_add_module(p, fname, m.u.s, m.n, ver, &err);
    }
    rego_value data = get(c, "data");
    if (st == RP_OK && data.kind == REGO_OBJECT)
        st = rego_policy_add_data(p, rego_empty_array(), data, &err);
    if (st == RP_OK)
        st = rego_policy_compile(p, &err);
    rego_value query = get(c, "query");
    if (st == RP_OK && query.kind == REGO_STRING)
        st = rego_query_new(p, query.u.s, query.n, ver, &q, &err);
    rego_eval_opts opts = {0};
    opts.input = get(c, "input");
    opts.strict_builtin_errors = get(c, "strict_error").kind == REGO_BOOL && get(c, "strict_error").u.b;
    opts.max_steps = 50u * 1000 * 1000;
    rego_value input_term = get(c, "input_term");
    if (st == RP_OK && input_term.kind == REGO_STRING) {
        rego_term *t = NULL;
        st = rego_parse_term(a, input_term.u.s, input_term.n, "input_term", ver, &t, &err);
        if (st == RP_OK)
            st = rego_term_value(a, t, &opts.input, &err);
    }
    rego_result res = {0};
    if (st == RP_OK)
        st = rego_query_eval(q, a, &opts, &res, &err);

    if (want_error) {
        if (st == RP_OK) {
            rp_buf_puts(why, "expected an error, got ");
            rp_buf_printf(why, "%u result(s)", res.nrows);
            goto done;
        }
        char text[600];
        opa_error_text(&err, text, sizeof(text));
        if (want_code.kind == REGO_STRING && strcmp(rp_errkind_name(err.kind), want_code.u.s) != 0) {
            rp_buf_printf(why, "error code %s, want %s (%s)", rp_errkind_name(err.kind),
                          want_code.u.s, text);
            goto done;
        }
        if (want_err.kind == REGO_STRING && !strstr(text, want_err.u.s)) {
            rp_buf_printf(why, "error \"%s\" does not contain \"%s\"", text, want_err.u.s);
            goto done;
        }
        pass = true;
        goto done;
    }
    if (st != RP_OK) {
        char text[600];
        opa_error_text(&err, text, sizeof(text));
        rp_buf_printf(why, "unexpected error: %s", text);
        goto done;
    }
    rego_value want = get(c, "want_result");
    bool sort = get(c, "sort_bindings").kind == REGO_BOOL && get(c, "sort_bindings").u.b;
    rego_setb gotb, wantb;
    rego_setb_init(&gotb, a);
    rego_setb_init(&wantb, a);
    for (uint32_t row = 0; row < res.nrows; row++) {
        rego_objb ob;
        rego_objb_init(&ob, a);
        for (uint32_t v = 0; v < res.nvars; v++) {
            rego_value val = to_json(a, rego_result_var(&res, row, v), 0);
            if (sort)
                val = sorted_array(a, val);
            rego_objb_set(&ob, rego_cstr(a, res.var_names[v]), val);
        }
        rego_setb_add(&gotb, rego_objb_finish(&ob));
    }
    for (uint32_t i = 0; want.kind == REGO_ARRAY && i < want.n; i++) {
        rego_value w = want.u.items[i];
        if (sort && w.kind == REGO_OBJECT) {
            rego_objb ob;
            rego_objb_init(&ob, a);
            for (uint32_t k = 0; k < w.n; k++)
                rego_objb_set(&ob, rego_object_at(w, k).key, sorted_array(a, rego_object_at(w, k).val));
            w = rego_objb_finish(&ob);
        }
        rego_setb_add(&wantb, w);
    }
    rego_value got = rego_setb_finish(&gotb), wantset = rego_setb_finish(&wantb);
    if (rego_equal(got, wantset)) {
        pass = true;
    } else {
        rp_buf_puts(why, "got ");
        describe(why, got);
        rp_buf_puts(why, " want ");
        describe(why, wantset);
    }
done:
    rego_query_free(q);
    rego_policy_free(p);
    rp_arena_free(a);
    return pass;
}

/* ---- suites ----------------------------------------------------------------------- */

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static void run_file(runner *r, const char *suite, const char *dir, const char *path)
{
    rp_arena *a = rp_arena_new(0);
    rego_value doc;
    rp_error err = {0};
    if (rego_yaml_parse_file(a, path, REGO_YAML_CORE, false, &doc, &err) != RP_OK) {
        char text[512];
        rp_error_format(&err, text, sizeof(text));
        printf("FAIL %s/%s: cannot read: %s\n", suite, path, text);
        r->failed++;
        r->regressions++;
        rp_arena_free(a);
        return;
    }
    rego_version ver = strcmp(suite, "given-v1") == 0 ? REGO_V1 : REGO_V0;
    rego_value cases = get(doc, "cases");
    for (uint32_t i = 0; cases.kind == REGO_ARRAY && i < cases.n; i++) {
        rego_value c = cases.u.items[i];
        rego_value note = get(c, "note");
        char id[512];
        snprintf(id, sizeof(id), "%s/%s", suite, note.kind == REGO_STRING ? note.u.s : "?");
        rp_buf why;
        rp_buf_init(&why);
        bool pass = run_case(c, ver, &why);
        bool known = known_failure(r, id);
        dirstat *ds = dir_stat(r, suite, dir);
        if (pass) {
            r->passed++;
            ds->passed++;
            if (known) {
                r->fixed++;
                printf("FIXED %s (listed as failing: remove it from the list)\n", id);
            } else if (r->verbose) {
                printf("ok   %s\n", id);
            }
        } else {
            r->failed++;
            ds->failed++;
            if (!known)
                r->regressions++;
            printf("FAIL %s%s: %s\n", id, known ? " (known)" : "", rp_buf_cstr(&why));
            if (r->write_f)
                fprintf(r->write_f, "%s\n", id);
        }
        rp_buf_free(&why);
    }
    rp_arena_free(a);
}

static void run_suite(runner *r, const char *suite)
{
    char base[1024];
    snprintf(base, sizeof(base), "%s/%s", r->root, suite);
    DIR *d = opendir(base);
    if (!d) {
        printf("FAIL %s: cannot open %s\n", suite, base);
        r->failed++;
        r->regressions++;
        return;
    }
    char *dirs[512];
    size_t nd = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nd < 512)
        if (de->d_name[0] != '.')
            dirs[nd++] = strdup(de->d_name);
    closedir(d);
    qsort(dirs, nd, sizeof(char *), cmp_str);
    for (size_t i = 0; i < nd; i++) {
        if (r->only_dir && strcmp(r->only_dir, dirs[i]) != 0)
            continue;
        char dpath[1536];
        snprintf(dpath, sizeof(dpath), "%s/%s", base, dirs[i]);
        DIR *dd = opendir(dpath);
        if (!dd)
            continue;
        char *files[512];
        size_t nf = 0;
        while ((de = readdir(dd)) && nf < 512)
            if (strstr(de->d_name, ".yaml"))
                files[nf++] = strdup(de->d_name);
        closedir(dd);
        qsort(files, nf, sizeof(char *), cmp_str);
        for (size_t j = 0; j < nf; j++) {
            char fpath[2048];
            snprintf(fpath, sizeof(fpath), "%s/%s", dpath, files[j]);
            run_file(r, suite, dirs[i], fpath);
            free(files[j]);
        }
    }
    for (size_t i = 0; i < nd; i++)
        free(dirs[i]);
}

static const char *find_root(void)
{
    static const char *candidates[] = {"../shared/conformance/opa", "/work/shared/conformance/opa"};
    const char *env = getenv("RAMPART_CONFORMANCE_DIR");
    if (env)
        return env;
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        struct stat sb;
        if (stat(candidates[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            return candidates[i];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    runner r;
    memset(&r, 0, sizeof(r));
    r.known_path = "tests/conformance-known-failures.txt";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--suite") && i + 1 < argc)
            r.only_suite = argv[++i];
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            r.only_dir = argv[++i];
        else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
            r.verbose = true;
        else if (!strcmp(argv[i], "--known") && i + 1 < argc)
            r.known_path = argv[++i];
        else if (!strcmp(argv[i], "--write-known") && i + 1 < argc)
            r.write_known = argv[++i];
        else if (!strcmp(argv[i], "--root") && i + 1 < argc)
            r.root = argv[++i];
        else {
            printf("usage: conformance [--suite given|given-v1] [--dir NAME] [--verbose]\n"
                   "                   [--known FILE] [--write-known FILE] [--root DIR]\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (!r.root)
        r.root = find_root();
    if (!r.root) {
        printf("conformance data not found: set RAMPART_CONFORMANCE_DIR or provide ../shared\n"
               "0 passed, 1 failed\n");
        return 1;
    }
    load_known(&r);
    if (r.write_known)
        r.write_f = fopen(r.write_known, "w");
    const char *suites[] = {"given", "given-v1"};
    for (size_t i = 0; i < 2; i++)
        if (!r.only_suite || !strcmp(r.only_suite, suites[i]))
            run_suite(&r, suites[i]);
    if (r.write_f)
        fclose(r.write_f);
    /* Listed cases that were not run at all (renamed or removed) are stale. */
    size_t stale = 0;
    if (!r.only_dir && !r.only_suite)
        for (size_t i = 0; i < r.nknown; i++)
            if (!r.known_seen[i]) {
                printf("STALE %s (listed but no such case)\n", r.known[i]);
                stale++;
            }
    printf("\n%-40s %7s %7s\n", "directory", "passed", "failed");
    for (size_t i = 0; i < r.ndirs; i++)
        if (r.dirs[i].failed || r.verbose)
            printf("%-40s %7d %7d\n", r.dirs[i].name, r.dirs[i].passed, r.dirs[i].failed);
    int tp[2] = {0, 0}, tf[2] = {0, 0};
    for (size_t i = 0; i < r.ndirs; i++) {
        int s = strncmp(r.dirs[i].name, "given-v1/", 9) == 0;
        tp[s] += r.dirs[i].passed;
        tf[s] += r.dirs[i].failed;
    }
    printf("%-40s %7d %7d\n", "given (v0) total", tp[0], tf[0]);
    printf("%-40s %7d %7d\n", "given-v1 total", tp[1], tf[1]);
    if (r.regressions)
        printf("%d failing case(s) not in %s: regressions\n", r.regressions, r.known_path);
    if (r.fixed)
        printf("%d listed case(s) now pass: remove them from %s\n", r.fixed, r.known_path);
    printf("%d passed, %d failed\n", r.passed, r.failed);
    for (size_t i = 0; i < r.nknown; i++)
        free(r.known[i]);
    free(r.known);
    free(r.known_seen);
    return (r.regressions || r.fixed || stale) ? 1 : 0;
}
