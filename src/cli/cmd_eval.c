/*
 * cmd_eval.c — `rampart eval`: evaluate a Rego query against policies, data
 * and an input document, with opa eval's flags and output shapes.
 *
 *   rampart eval [-d PATH]... [-i FILE] [--format json|pretty|raw|values|bindings]
 *                [--v0-compatible] [--strict-builtin-errors] [--fail|--fail-defined] QUERY
 *
 * JSON output is OPA's: {"result":[{"expressions":[{"value","text","location"}],
 * "bindings":{...}}]}, {} when undefined, {"errors":[{"message","code","location"}]}
 * on error (exit code 1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "loader.h"
#include "rego/json.h"
#include "rego/limits.h"
#include "rego/builtins/gotime.h"

typedef enum { FMT_JSON, FMT_PRETTY, FMT_RAW, FMT_VALUES, FMT_BINDINGS } out_format;

typedef struct {
    const char **data;
    size_t ndata;
    const char **bundles;
    size_t nbundles;
    const char *input;
    bool stdin_input;
    const char *query;
    out_format format;
    rego_version version;
    bool strict;
    bool fail, fail_defined;
    size_t budget;
    uint64_t max_steps;
    int64_t timeout_ns;     /* --timeout; 0 = none */
    const char *allow_http; /* comma-separated host patterns for http.send */
    /* results */
    int exit_code;
} eval_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rampart eval [flags] QUERY\n"
            "\n"
            "Evaluate a Rego query, like `opa eval`.\n"
            "\n"
            "flags:\n"
            "  -d, --data PATH             policy (.rego) or data (.json, .yaml) file or directory;\n"
            "                              repeatable; data files merge at their directory's path\n"
            "  -b, --bundle DIR            bundle directory: .rego files, and data.json/data.yaml at\n"
            "                              their directory's path, within the .manifest's roots;\n"
            "                              repeatable\n"
            "  -i, --input FILE            input document (JSON or YAML)\n"
            "  -I, --stdin-input           read the input document from stdin\n"
            "  -f, --format FORMAT         json (default), pretty, raw, values, bindings\n"
            "      --v0-compatible         parse policies and the query as Rego v0 (OPA 0.x syntax)\n"
            "      --strict-builtin-errors builtin errors fail the query instead of being undefined\n"
            "      --fail                  exit 1 when the result is undefined\n"
            "      --fail-defined          exit 1 when the result is defined\n"
            "      --max-memory BYTES      memory budget of the evaluation (default 2 GiB)\n"
            "      --max-steps N           evaluation step budget (default unlimited)\n"
            "      --timeout DURATION      evaluation time limit, as Go writes durations (500ms, 2s,\n"
            "                              1m30s); 0 (the default) is none\n"
            "      --allow-http HOSTS      let http.send reach these hosts (comma-separated:\n"
            "                              host, host:port, *.domain, or * for any); off otherwise\n"
            "  -h, --help                  show this help\n"
            "\n"
            "exit codes: 0 success, 1 error (or --fail/--fail-defined triggered), 2 usage\n");
}

/* A byte count: digits with an optional K, M or G (binary multiples; "Mi",
 * "MiB" and "MB" are read the same). */
static bool parse_size(const char *s, size_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (shift && *end == 'i')
        end++;
    if (shift && *end == 'B')
        end++;
    if (*end || v > (SIZE_MAX >> shift))
        return false;
    *out = (size_t)(v << shift);
    return true;
}

static int parse_args(int argc, char **argv, eval_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},
        {"bundle", required_argument, 0, 'b'},
        {"input", required_argument, 0, 'i'},
        {"stdin-input", no_argument, 0, 'I'},
        {"format", required_argument, 0, 'f'},
        {"v0-compatible", no_argument, 0, 1},
        {"v1-compatible", no_argument, 0, 2},
        {"strict-builtin-errors", no_argument, 0, 3},
        {"fail", no_argument, 0, 4},
        {"fail-defined", no_argument, 0, 5},
        {"max-memory", required_argument, 0, 6},
        {"max-steps", required_argument, 0, 7},
        {"allow-http", required_argument, 0, 8},
        {"timeout", required_argument, 0, 9},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    a->data = calloc((size_t)argc, sizeof(char *));
    a->bundles = calloc((size_t)argc, sizeof(char *));
    if (!a->data || !a->bundles)
        return 1;
    a->budget = REGO_EVAL_DEFAULT_BUDGET;
    a->version = REGO_V1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:b:i:If:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data[a->ndata++] = optarg; break;
        case 'b': a->bundles[a->nbundles++] = optarg; break;
        case 'i': a->input = optarg; break;
        case 'I': a->stdin_input = true; break;
        case 'f':
            if (!strcmp(optarg, "json")) a->format = FMT_JSON;
            else if (!strcmp(optarg, "pretty")) a->format = FMT_PRETTY;
            else if (!strcmp(optarg, "raw")) a->format = FMT_RAW;
            else if (!strcmp(optarg, "values")) a->format = FMT_VALUES;
            else if (!strcmp(optarg, "bindings")) a->format = FMT_BINDINGS;
            else {
                fprintf(stderr, "rampart eval: unknown format '%s' (json, pretty, raw, values, bindings)\n", optarg);
                return 2;
            }
            break;
        case 1: a->version = REGO_V0; break;
        case 2: a->version = REGO_V1; break;
        case 3: a->strict = true; break;
        case 4: a->fail = true; break;
        case 5: a->fail_defined = true; break;
        case 6:
            if (!parse_size(optarg, &a->budget)) {
                fprintf(stderr, "rampart eval: --max-memory: not a size: %s\n", optarg);
                return 2;
            }
            break;
        case 7: {
            char *end;
            errno = 0;
            a->max_steps = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "rampart eval: --max-steps: not a count: %s\n", optarg);
                return 2;
            }
            break;
        }
        case 8: a->allow_http = optarg; break;
        case 9: {
            rp_buf why;
            rp_buf_init(&why);
            bool ok = rego_go_parse_duration(optarg, strlen(optarg), &a->timeout_ns, &why);
            if (!ok || a->timeout_ns < 0)
                fprintf(stderr, "rampart eval: --timeout: %s\n",
                        ok ? "must not be negative" : rp_buf_cstr(&why));
            rp_buf_free(&why);
            if (!ok || a->timeout_ns < 0)
                return 2;
            break;
        }
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, optind >= argc ? "rampart eval: missing QUERY\n"
                                       : "rampart eval: one QUERY expected\n");
        usage(stderr);
        return 2;
    }
    if (a->fail && a->fail_defined) {
        fprintf(stderr, "rampart eval: --fail and --fail-defined are mutually exclusive\n");
        return 2;
    }
    a->query = argv[optind];
    return 0;
}

/* ---- output ---------------------------------------------------------------------- */

static void write_loc_json(rp_buf *b, rp_loc loc, bool with_file)
{
    rp_buf_puts(b, "{");
    if (with_file && loc.file) {
        rp_buf_puts(b, "\"file\":");
        rego_json_write_string(b, loc.file, strlen(loc.file), false);
        rp_buf_puts(b, ",");
    }
    rp_buf_printf(b, "\"row\":%u,\"col\":%u}", loc.line, loc.col);
}

/* Re-indents compact JSON the way Go's json.MarshalIndent does. */
static void write_pretty(FILE *f, const char *s, size_t n)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            fputc(c, f);
            if (c == '\\' && i + 1 < n)
                fputc(s[++i], f);
            else if (c == '"')
                in_str = false;
            continue;
        }
        switch (c) {
        case '"':
            in_str = true;
            fputc(c, f);
            break;
        case '{':
        case '[':
            if (i + 1 < n && (s[i + 1] == '}' || s[i + 1] == ']')) {
                fputc(c, f);
                fputc(s[++i], f);
                break;
            }
            fputc(c, f);
            depth++;
            fputc('\n', f);
            for (int k = 0; k < depth; k++)
                fputs("  ", f);
            break;
        case '}':
        case ']':
            depth--;
            fputc('\n', f);
            for (int k = 0; k < depth; k++)
                fputs("  ", f);
            fputc(c, f);
            break;
        case ',':
            fputc(c, f);
            fputc('\n', f);
            for (int k = 0; k < depth; k++)
                fputs("  ", f);
            break;
        case ':':
            fputs(": ", f);
            break;
        default:
            fputc(c, f);
        }
    }
    fputc('\n', f);
}

static void print_errors_json(const rp_error *err)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "{\"errors\":[{\"message\":");
    rego_json_write_string(&b, err->msg, strlen(err->msg), false);
    rp_buf_puts(&b, ",\"code\":");
    const char *code = rp_errkind_name(err->kind);
    rego_json_write_string(&b, code, strlen(code), false);
    if (err->loc.line) {
        rp_buf_puts(&b, ",\"location\":");
        write_loc_json(&b, err->loc, true);
    }
    rp_buf_puts(&b, "}]}");
    write_pretty(stdout, rp_buf_cstr(&b), b.len);
    rp_buf_free(&b);
}

/* As opa eval prints errors outside the JSON format (on stdout). */
static void print_error_text(const rp_error *err)
{
    char line[512];
    rp_error_format(err, line, sizeof(line));
    printf("1 error occurred: %s\n", line);
}

static void print_json(const rego_query *q, const rego_result *r)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_result_write_json(&b, q, r);
    write_pretty(stdout, rp_buf_cstr(&b), b.len);
    rp_buf_free(&b);
}

static void print_value_line(rego_value v, bool raw)
{
    rp_buf b;
    rp_buf_init(&b);
    if (raw && v.kind == REGO_STRING)
        rp_buf_append(&b, v.u.s, v.n);
    else
        rego_value_write(&b, v, REGO_FMT_JSON);
    if (raw)
        printf("%s\n", rp_buf_cstr(&b));
    else
        write_pretty(stdout, rp_buf_cstr(&b), b.len);
    rp_buf_free(&b);
}

static void print_table(const rego_query *q, const rego_result *r)
{
    /* One column per binding, or one per expression when there are none. */
    uint32_t ncol = r->nvars ? r->nvars : r->nexprs;
    size_t *width = calloc(ncol ? ncol : 1, sizeof(size_t));
    char **cells = calloc((size_t)(r->nrows + 1) * (ncol ? ncol : 1), sizeof(char *));
    if (!width || !cells) {
        free(width);
        free(cells);
        return;
    }
    for (uint32_t c = 0; c < ncol; c++) {
        const char *h = r->nvars ? r->var_names[c] : rego_query_expr_text(q, c);
        cells[c] = strdup(h);
    }
    for (uint32_t row = 0; row < r->nrows; row++)
        for (uint32_t c = 0; c < ncol; c++) {
            rp_buf b;
            rp_buf_init(&b);
            rego_value v = r->nvars ? rego_result_var(r, row, c) : rego_result_expr(r, row, c);
            rego_value_write(&b, v, REGO_FMT_JSON);
            cells[(size_t)(row + 1) * ncol + c] = rp_buf_steal(&b);
        }
    for (size_t i = 0; i < (size_t)(r->nrows + 1) * ncol; i++)
        if (cells[i] && strlen(cells[i]) > width[i % ncol])
            width[i % ncol] = strlen(cells[i]);
    for (uint32_t row = 0; row <= r->nrows; row++) {
        if (row <= 1) {
            for (uint32_t c = 0; c < ncol; c++) {
                fputc('+', stdout);
                for (size_t k = 0; k < width[c] + 2; k++)
                    fputc('-', stdout);
            }
            fputs("+\n", stdout);
        }
        for (uint32_t c = 0; c < ncol; c++) {
            const char *cell = cells[(size_t)row * ncol + c];
            printf("| %-*s ", (int)width[c], cell ? cell : "");
        }
        fputs("|\n", stdout);
    }
    for (uint32_t c = 0; c < ncol; c++) {
        fputc('+', stdout);
        for (size_t k = 0; k < width[c] + 2; k++)
            fputc('-', stdout);
    }
    fputs("+\n", stdout);
    for (size_t i = 0; i < (size_t)(r->nrows + 1) * ncol; i++)
        free(cells[i]);
    free(cells);
    free(width);
}

static void print_result(const eval_args *a, const rego_query *q, const rego_result *r)
{
    switch (a->format) {
    case FMT_JSON:
        print_json(q, r);
        return;
    case FMT_PRETTY:
        if (r->nrows == 0) {
            puts("undefined");
        } else if (r->nvars == 0 && r->nexprs == 1 && r->nrows == 1) {
            print_value_line(rego_result_expr(r, 0, 0), false);
        } else {
            print_table(q, r);
        }
        return;
    case FMT_RAW:
        for (uint32_t row = 0; row < r->nrows; row++)
            for (uint32_t i = 0; i < r->nexprs; i++)
                print_value_line(rego_result_expr(r, row, i), true);
        return;
    case FMT_VALUES:
        /* OPA's Values: per result, the array of its expressions' values */
        for (uint32_t row = 0; row < r->nrows; row++) {
            rp_buf b;
            rp_buf_init(&b);
            rp_buf_putc(&b, '[');
            for (uint32_t i = 0; i < r->nexprs; i++) {
                if (i)
                    rp_buf_putc(&b, ',');
                rego_value_write(&b, rego_result_expr(r, row, i), REGO_FMT_JSON);
            }
            rp_buf_putc(&b, ']');
            write_pretty(stdout, rp_buf_cstr(&b), b.len);
            rp_buf_free(&b);
        }
        return;
    case FMT_BINDINGS:
        for (uint32_t row = 0; row < r->nrows; row++) {
            rp_buf b;
            rp_buf_init(&b);
            rp_buf_putc(&b, '{');
            for (uint32_t v = 0; v < r->nvars; v++) {
                if (v)
                    rp_buf_putc(&b, ',');
                rego_json_write_string(&b, r->var_names[v], strlen(r->var_names[v]), false);
                rp_buf_putc(&b, ':');
                rego_value_write(&b, rego_result_var(r, row, v), REGO_FMT_JSON);
            }
            rp_buf_putc(&b, '}');
            write_pretty(stdout, rp_buf_cstr(&b), b.len);
            rp_buf_free(&b);
        }
        return;
    }
}

static void report_error(const eval_args *a, const rp_error *err)
{
    if (a->format == FMT_JSON)
        print_errors_json(err);
    else
        print_error_text(err);
}

static void print_to_stderr(void *ud, const char *s, size_t n)
{
    (void)ud;
    fwrite(s, 1, n, stderr);
    fputc('\n', stderr);
}

static rp_status read_stdin(rp_arena *ar, rego_value *out, rp_error *err)
{
    rp_buf b;
    rp_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), stdin)) > 0) {
        if (b.len + n > REGO_DOC_MAX_BYTES) {
            rp_buf_free(&b);
            return rp_error_set(err, RP_ERR_LIMIT, (rp_loc){"stdin", 0, 0}, "input too large");
        }
        rp_buf_append(&b, tmp, n);
    }
    rp_status st = rego_json_parse(ar, b.data ? b.data : "", b.len, "stdin", out, err);
    rp_buf_free(&b);
    return st;
}

/* {"http.send": {"allowed_hosts": [...]}} from --allow-http, or UNDEF. */
static rego_value http_config(rp_arena *ar, const char *hosts)
{
    if (!hosts)
        return rego_undef();
    rego_value list[64];
    size_t n = 0;
    for (const char *p = hosts; *p && n < 64;) {
        size_t len = strcspn(p, ",");
        if (len)
            list[n++] = rego_str(ar, p, len);
        p += len + (p[len] == ',');
    }
    rego_value arr;
    rego_value *items = rego_array_alloc(ar, n, &arr);
    if (!items)
        return rego_undef();
    memcpy(items, list, n * sizeof(rego_value));
    rego_objent e1 = {rego_cstr(ar, "allowed_hosts"), arr};
    rego_objent e2 = {rego_cstr(ar, "http.send"), rego_object_from(ar, &e1, 1)};
    return rego_object_from(ar, &e2, 1);
}

static void *run_eval(void *arg)
{
    eval_args *a = arg;
    rp_error err = {0};
    rego_policy *p = rego_policy_new();
    rego_query *q = NULL;
    rp_arena *ar = rp_arena_new(a->budget);
    rp_status st = (p && ar) ? RP_OK : rp_error_set(&err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    rp_loader l = {0};
    l.version = a->version;
    for (size_t i = 0; i < a->ndata && st == RP_OK; i++)
        st = rp_load_path(p, &l, a->data[i], &err);
    for (size_t i = 0; i < a->nbundles && st == RP_OK; i++)
        st = rp_load_bundle(p, &l, a->bundles[i], &err);
    if (st == RP_OK)
        st = rego_policy_compile(p, &err);
    if (st == RP_OK)
        st = rego_query_new(p, a->query, strlen(a->query), a->version, &q, &err);
    rego_eval_opts opts = {0};
    opts.input = rego_undef();
    opts.strict_builtin_errors = a->strict;
    opts.print = print_to_stderr;
    opts.max_steps = a->max_steps;
    opts.deadline_ns = rego_deadline_after(a->timeout_ns);
    if (ar)
        opts.config = http_config(ar, a->allow_http);
    if (st == RP_OK && a->input)
        st = rp_load_document(ar, a->input, &opts.input, &err);
    else if (st == RP_OK && a->stdin_input)
        st = read_stdin(ar, &opts.input, &err);
    rego_result r;
    if (st == RP_OK)
        st = rego_query_eval(q, ar, &opts, &r, &err);
    if (st != RP_OK) {
        report_error(a, &err);
        a->exit_code = 1;
    } else {
        print_result(a, q, &r);
        if ((a->fail && r.nrows == 0) || (a->fail_defined && r.nrows > 0))
            a->exit_code = 1;
    }
    rego_query_free(q);
    rego_policy_free(p);
    rp_arena_free(ar);
    return NULL;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a;
    memset(&a, 0, sizeof(a));
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) {
        free(a.data);
        free(a.bundles);
        return rc < 0 ? 0 : rc;
    }
    rp_run_big_stack(run_eval, &a);
    free(a.data);
    free(a.bundles);
    return a.exit_code;
}
