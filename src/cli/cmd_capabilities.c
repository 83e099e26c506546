/*
 * cmd_capabilities.c — `rampart capabilities`: what rampart's Rego engine
 * implements, generated from the code.
 *
 *   rampart capabilities               JSON shaped like OPA's capabilities
 *                                      files (capabilities/vX.Y.Z.json)
 *   rampart capabilities --table FILE  the Markdown coverage table
 *                                      (docs/builtins.md; FILE lists OPA's
 *                                      builtins, `-` reads stdin)
 *
 * The builtins are the registry's (rego_builtins_list) plus the few the
 * compiler implements itself (compiler_builtins below).  Each builtin's
 * "decl" is OPA's type JSON, translated from the signature its table
 * declares ("(array[any], number) => array[any]", builtin.h): any, null,
 * boolean, number, string; array[T] (dynamic), array<T, U> (static, may be
 * followed by [T]); set[T]; object[K: V] (dynamic), object<k: T> (static,
 * may be followed by [K: V]); T|U (OPA's any-of, members in OPA's type
 * order); "=> none" or nothing after => for no result.  A signature that
 * does not parse is reported on stderr and makes the command fail, so a
 * typo in a table is caught by `make builtins-table` and the tests.
 *
 * FILE format: one builtin per line, "name category", '#' comments; a
 * comment "# opa: vX.Y.Z" names the OPA version the list comes from.
 *
 * Memory: one arena for the whole run, freed at exit.  No globals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "rego/builtin.h"

/* Builtins the compiler resolves by name rather than through the registry
 * (compile.c): unification, assignment, print (lowered to internal.print)
 * and the METADATA functions. */
static const rego_builtin compiler_builtins[] = {
    {"eq", "=", "(any, any) => boolean", 2, 0, NULL},
    {"assign", ":=", "(any, any) => boolean", 2, 0, NULL},
    {"print", NULL, "(any) => none", 1, REGO_BI_VARIADIC | REGO_BI_NORESULT, NULL},
    {"rego.metadata.chain", NULL, "() => array[any]", 0, 0, NULL},
    {"rego.metadata.rule", NULL, "() => any", 0, 0, NULL},
};

/* Keywords `import future.keywords.<kw>` enables in v0 modules, and the
 * parser features OPA's capabilities name. */
static const char *const future_keywords[] = {"contains", "every", "if", "in"};
static const char *const features[] = {"keywords_in_refs", "rego_v1", "template_strings"};

#define MAX_BUILTINS 1024 /* the registry holds ~200; room for growth */
#define MAX_OPA_LIST 4096 /* lines of the OPA builtin list */

/* ---- the builtin list ---------------------------------------------------------- */

static int cmp_builtin(const void *x, const void *y)
{
    const rego_builtin *a = *(const rego_builtin *const *)x, *b = *(const rego_builtin *const *)y;
    return strcmp(a->name, b->name);
}

/* Every builtin rampart implements, sorted by name; *n set. */
static const rego_builtin **all_builtins(size_t *n)
{
    size_t nc = RP_ARRAY_LEN(compiler_builtins);
    const rego_builtin **v = calloc(MAX_BUILTINS + nc, sizeof(*v));
    if (!v)
        return NULL;
    size_t k = rego_builtins_list(v, MAX_BUILTINS);
    if (k > MAX_BUILTINS) {
        fprintf(stderr, "rampart capabilities: more than %d builtins\n", MAX_BUILTINS);
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < nc; i++)
        v[k++] = &compiler_builtins[i];
    qsort(v, k, sizeof(*v), cmp_builtin);
    *n = k;
    return v;
}

/* ---- signatures to OPA's type JSON ------------------------------------------------ */

typedef struct {
    const char *s;
    size_t i;
    rp_arena *a;
    bool bad;
} sigp;

static rego_value S(const char *s) { return rego_str_borrow(s, strlen(s)); }

static void skip_ws(sigp *p)
{
    while (p->s[p->i] == ' ')
        p->i++;
}

static bool eat(sigp *p, const char *tok)
{
    skip_ws(p);
    size_t n = strlen(tok);
    if (strncmp(p->s + p->i, tok, n) != 0)
        return false;
    p->i += n;
    return true;
}

static void expect(sigp *p, const char *tok)
{
    if (!eat(p, tok))
        p->bad = true;
}

/* A word of [a-z_]; empty when there is none. */
static rego_value word(sigp *p)
{
    skip_ws(p);
    size_t b = p->i;
    while ((p->s[p->i] >= 'a' && p->s[p->i] <= 'z') || p->s[p->i] == '_')
        p->i++;
    return rego_str(p->a, p->s + b, p->i - b);
}

typedef struct {
    const char *k;
    rego_value v;
} field;

static rego_value obj(sigp *p, const field *f, size_t n)
{
    rego_objb b;
    rego_objb_init(&b, p->a);
    for (size_t i = 0; i < n; i++)
        if (!rego_is_undef(f[i].v))
            rego_objb_put(&b, S(f[i].k), f[i].v);
    return rego_objb_finish(&b);
}

static rego_value type_of(sigp *p);

static rego_value list_of(sigp *p, rego_value *items, size_t n)
{
    rego_value out, *v = rego_array_alloc(p->a, n, &out);
    if (!v)
        return rego_undef();
    memcpy(v, items, n * sizeof(*v));
    return n ? out : rego_empty_array();
}

#define MAX_SIG_ITEMS 32 /* members of one union, static list or argument list */

/* T, T, ... up to close (already past the opener). */
static rego_value types_until(sigp *p, const char *close)
{
    rego_value items[MAX_SIG_ITEMS];
    size_t n = 0;
    if (eat(p, close))
        return rego_empty_array();
    do {
        if (n == MAX_SIG_ITEMS) {
            p->bad = true;
            return rego_undef();
        }
        items[n++] = type_of(p);
    } while (!p->bad && eat(p, ","));
    expect(p, close);
    return list_of(p, items, n);
}

/* [K: V] after object, as OPA's {"key": K, "value": V}. */
static rego_value object_dynamic(sigp *p)
{
    rego_value k = type_of(p);
    expect(p, ":");
    rego_value v = type_of(p);
    expect(p, "]");
    field f[] = {{"key", k}, {"value", v}};
    return obj(p, f, 2);
}

/* <k: T, ...> after object: OPA's static properties, sorted by key. */
static rego_value object_static(sigp *p)
{
    rego_objb props;
    rego_objb_init(&props, p->a);
    do {
        rego_value k = word(p);
        expect(p, ":");
        rego_value t = type_of(p);
        if (k.n == 0)
            p->bad = true;
        rego_objb_put(&props, k, t);
    } while (!p->bad && eat(p, ","));
    expect(p, ">");
    rego_value sorted = rego_objb_finish(&props), out;
    rego_value *v = rego_array_alloc(p->a, sorted.n, &out);
    if (!v || p->bad)
        return rego_undef();
    for (uint32_t i = 0; i < sorted.n; i++) {
        field f[] = {{"key", rego_object_at(sorted, i).key}, {"value", rego_object_at(sorted, i).val}};
        v[i] = obj(p, f, 2);
    }
    return out;
}

static rego_value composite(sigp *p, const char *kind)
{
    rego_value st = rego_undef(), dyn = rego_undef();
    bool is_obj = strcmp(kind, "object") == 0;
    if (strcmp(kind, "set") == 0) {
        expect(p, "[");
        rego_value of = type_of(p);
        expect(p, "]");
        field f[] = {{"of", of}, {"type", S("set")}};
        return obj(p, f, 2);
    }
    if (eat(p, "<"))
        st = is_obj ? object_static(p) : types_until(p, ">");
    if (eat(p, "[")) {
        if (is_obj) {
            dyn = object_dynamic(p);
        } else {
            dyn = type_of(p);
            expect(p, "]");
        }
    } else if (rego_is_undef(st)) {
        p->bad = true;
    }
    field f[] = {{"static", st}, {"dynamic", dyn}, {"type", S(kind)}};
    return obj(p, f, 3);
}

static rego_value prim(sigp *p)
{
    static const char *const scalars[] = {"any", "null", "boolean", "number", "string"};
    rego_value w = word(p);
    if (w.kind != REGO_STRING)
        return rego_undef();
    for (size_t i = 0; i < RP_ARRAY_LEN(scalars); i++)
        if (strcmp(w.u.s, scalars[i]) == 0) {
            field f[] = {{"type", w}};
            return obj(p, f, 1);
        }
    if (!strcmp(w.u.s, "array") || !strcmp(w.u.s, "set") || !strcmp(w.u.s, "object"))
        return composite(p, w.u.s);
    p->bad = true;
    return rego_undef();
}

/* OPA's typeOrder: null, boolean, number, string, array, object, set, any. */
static int type_rank(rego_value t)
{
    static const char *const order[] = {"null", "boolean", "number", "string", "array",
                                        "object", "set", "any"};
    rego_value name = rego_undef();
    rego_object_get_str(t, "type", 4, rego_hash_str("type", 4), &name);
    for (size_t i = 0; i < RP_ARRAY_LEN(order); i++)
        if (name.kind == REGO_STRING && strcmp(name.u.s, order[i]) == 0)
            return (int)i;
    return 99;
}

/* T|U|...: OPA's types.Any, whose members it keeps sorted. */
static rego_value type_of(sigp *p)
{
    rego_value items[MAX_SIG_ITEMS];
    size_t n = 0;
    do {
        if (n == MAX_SIG_ITEMS) {
            p->bad = true;
            return rego_undef();
        }
        items[n++] = prim(p);
    } while (!p->bad && eat(p, "|"));
    if (n == 1)
        return items[0];
    for (size_t i = 1; i < n; i++) /* insertion sort: stable for equal ranks */
        for (size_t k = i; k > 0 && type_rank(items[k - 1]) > type_rank(items[k]); k--) {
            rego_value t = items[k];
            items[k] = items[k - 1];
            items[k - 1] = t;
        }
    field f[] = {{"of", list_of(p, items, n)}, {"type", S("any")}};
    return obj(p, f, 2);
}

/* OPA's function type for a builtin; UNDEF (after a message) when its
 * signature does not parse. */
static rego_value decl_of(rp_arena *a, const rego_builtin *bi)
{
    sigp p = {bi->sig ? bi->sig : "", 0, a, false};
    expect(&p, "(");
    rego_value args = p.bad ? rego_undef() : types_until(&p, ")");
    expect(&p, "=>");
    skip_ws(&p);
    rego_value result = rego_undef();
    if (!p.bad && p.s[p.i] && !eat(&p, "none"))
        result = type_of(&p);
    skip_ws(&p);
    if (p.bad || p.s[p.i]) {
        fprintf(stderr, "rampart capabilities: %s: cannot read signature \"%s\"\n", bi->name, p.s);
        return rego_undef();
    }
    rego_value variadic = rego_undef();
    if ((bi->flags & REGO_BI_VARIADIC) && args.n > 0) {
        variadic = args.u.items[args.n - 1];
        args.n--;
    }
    field f[] = {
        {"args", args.n ? args : rego_undef()},
        {"result", result},
        {"type", S("function")},
        {"variadic", variadic},
    };
    sigp q = {"", 0, a, false};
    return obj(&q, f, RP_ARRAY_LEN(f));
}

/* ---- JSON output (Go's json.MarshalIndent layout) ---------------------------------- */

static void indent(rp_buf *b, int n)
{
    rp_buf_putc(b, '\n');
    for (int i = 0; i < n; i++)
        rp_buf_putc(b, ' ');
}

static void put_str(rp_buf *b, const char *s) { rego_json_write_string(b, s, strlen(s), true); }

static void put_json(rp_buf *b, rego_value v, int ind)
{
    switch ((rego_kind)v.kind) {
    case REGO_OBJECT:
    case REGO_ARRAY:
        if (v.n == 0) {
            rp_buf_puts(b, v.kind == REGO_OBJECT ? "{}" : "[]");
            return;
        }
        rp_buf_putc(b, v.kind == REGO_OBJECT ? '{' : '[');
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ',');
            indent(b, ind + 2);
            if (v.kind == REGO_ARRAY) {
                put_json(b, v.u.items[i], ind + 2);
                continue;
            }
            rego_objent e = rego_object_at(v, i);
            rego_json_write_string(b, e.key.u.s, e.key.n, true);
            rp_buf_puts(b, ": ");
            put_json(b, e.val, ind + 2);
        }
        indent(b, ind);
        rp_buf_putc(b, v.kind == REGO_OBJECT ? '}' : ']');
        return;
    case REGO_STRING:
    case REGO_UNDEF: case REGO_NULL: case REGO_BOOL: case REGO_NUMBER: case REGO_SET:
        rego_value_write(b, v, REGO_FMT_JSON | REGO_FMT_HTML);
        return;
    }
}

/* One entry of "builtins", keys in the order OPA's files have them. */
static bool put_builtin(rp_buf *b, rp_arena *a, const rego_builtin *bi)
{
    rego_value decl = decl_of(a, bi);
    if (rego_is_undef(decl))
        return false;
    rp_buf_puts(b, "{\n      \"name\": ");
    put_str(b, bi->name);
    rp_buf_puts(b, ",\n      \"decl\": ");
    put_json(b, decl, 6);
    if (bi->infix) {
        rp_buf_puts(b, ",\n      \"infix\": ");
        put_str(b, bi->infix);
    }
    if (bi->flags & REGO_BI_RELATION)
        rp_buf_puts(b, ",\n      \"relation\": true");
    if (bi->flags & REGO_BI_DEPRECATED)
        rp_buf_puts(b, ",\n      \"deprecated\": true");
    if (bi->flags & REGO_BI_NONDET)
        rp_buf_puts(b, ",\n      \"nondeterministic\": true");
    rp_buf_puts(b, "\n    }");
    return true;
}

static void put_names(rp_buf *b, const char *key, const char *const *v, size_t n)
{
    rp_buf_printf(b, ",\n  \"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        rp_buf_puts(b, i ? ",\n    " : "\n    ");
        put_str(b, v[i]);
    }
    rp_buf_puts(b, "\n  ]");
}

static int print_json(const rego_builtin **v, size_t n, rp_arena *a)
{
    rp_buf b;
    rp_buf_init(&b);
    bool ok = true;
    rp_buf_puts(&b, "{\n  \"builtins\": [");
    for (size_t i = 0; i < n; i++) {
        rp_buf_puts(&b, i ? ",\n    " : "\n    ");
        ok = put_builtin(&b, a, v[i]) && ok;
    }
    rp_buf_puts(&b, "\n  ]");
    put_names(&b, "future_keywords", future_keywords, RP_ARRAY_LEN(future_keywords));
    put_names(&b, "features", features, RP_ARRAY_LEN(features));
    rp_buf_puts(&b, "\n}\n");
    if (b.failed || rp_arena_failed(a)) {
        fprintf(stderr, "rampart capabilities: out of memory\n");
        ok = false;
    }
    if (ok)
        fwrite(b.data, 1, b.len, stdout);
    rp_buf_free(&b);
    return ok ? 0 : 1;
}

/* ---- the coverage table ------------------------------------------------------------------ */

typedef struct {
    char *name, *category;
    bool have;
} opa_entry;

typedef struct {
    opa_entry *e;
    size_t n;
    char version[64];
} opa_list;

static bool implemented(const rego_builtin **v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i]->name, name) == 0)
            return true;
    return false;
}

/* Reads "name category" lines into l (strings in a); false after a message. */
static bool read_opa_list(const char *path, rp_arena *a, opa_list *l)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        perror(path);
        return false;
    }
    l->e = rp_arena_array(a, MAX_OPA_LIST, sizeof(opa_entry));
    char line[512];
    unsigned lineno = 0;
    bool ok = l->e != NULL;
    while (ok && fgets(line, sizeof(line), f)) {
        lineno++;
        if (sscanf(line, "# opa: %63s", l->version) == 1 || line[0] == '#')
            continue;
        char name[256], cat[256];
        int k = sscanf(line, "%255s %255s", name, cat);
        if (k <= 0)
            continue;
        if (k != 2 || l->n == MAX_OPA_LIST) {
            fprintf(stderr, "%s:%u: expected \"name category\"\n", path, lineno);
            ok = false;
            break;
        }
        opa_entry *e = &l->e[l->n++];
        e->name = rp_arena_strndup(a, name, strlen(name));
        e->category = rp_arena_strndup(a, cat, strlen(cat));
        ok = e->name && e->category;
    }
    if (f != stdin)
        fclose(f);
    return ok;
}

static int cmp_entry(const void *x, const void *y)
{
    const opa_entry *a = x, *b = y;
    int c = strcmp(a->category, b->category);
    return c ? c : strcmp(a->name, b->name);
}

static unsigned percent(size_t have, size_t all) { return all ? (unsigned)(100 * have / all) : 0; }

/* Counts of l->e[i..) in the category of l->e[i]; returns the end index. */
static size_t category_end(const opa_list *l, size_t i, size_t *have)
{
    size_t k = i;
    *have = 0;
    for (; k < l->n && strcmp(l->e[k].category, l->e[i].category) == 0; k++)
        *have += l->e[k].have;
    return k;
}

/* GitHub's heading anchor: lower case, '-' and '_' kept, other punctuation
 * dropped ("providers.aws" -> "providersaws"). */
static void put_anchor(rp_buf *b, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
            rp_buf_putc(b, c);
        else if (c == ' ')
            rp_buf_putc(b, '-');
    }
}

static void put_summary(rp_buf *b, const opa_list *l, size_t have, size_t own)
{
    rp_buf_puts(b, "# Builtin coverage\n\n"
                   "<!-- Generated by `make builtins-table` (`rampart capabilities --table "
                   "tools/opa_builtins.txt`) from rampart's builtin registry; do not edit. -->\n\n");
    rp_buf_printf(b, "rampart implements **%zu of the %zu builtins** of OPA%s%s (%u%%)", have, l->n,
                  l->version[0] ? " " : "", l->version, percent(have, l->n));
    rp_buf_printf(b, ", and %zu of its own. ✔ implemented, ✘ missing. The list of OPA's builtins "
                     "is `tools/opa_builtins.txt`; `rampart capabilities` prints rampart's with "
                     "their signatures.\n\n", own);
    rp_buf_puts(b, "| Category | Implemented |\n|---|---|\n");
    for (size_t i = 0, k, h; i < l->n; i = k) {
        k = category_end(l, i, &h);
        rp_buf_printf(b, "| [%s](#", l->e[i].category);
        put_anchor(b, l->e[i].category);
        rp_buf_printf(b, ") | %zu/%zu |\n", h, k - i);
    }
    rp_buf_printf(b, "| **total** | **%zu/%zu** |\n", have, l->n);
}

static void put_categories(rp_buf *b, const opa_list *l)
{
    for (size_t i = 0, k, h; i < l->n; i = k) {
        k = category_end(l, i, &h);
        rp_buf_printf(b, "\n## %s\n\n%zu of %zu.\n\n| Builtin | rampart |\n|---|---|\n",
                      l->e[i].category, h, k - i);
        for (size_t j = i; j < k; j++)
            rp_buf_printf(b, "| `%s` | %s |\n", l->e[j].name, l->e[j].have ? "✔" : "✘");
    }
}

static void put_own(rp_buf *b, const opa_list *l, const rego_builtin **v, size_t n)
{
    rp_buf_puts(b, "\n## rampart only\n\nBuiltins rampart has that OPA's list does not.\n\n");
    size_t own = 0;
    for (size_t i = 0; i < n; i++) {
        bool in_opa = false;
        for (size_t k = 0; k < l->n && !in_opa; k++)
            in_opa = strcmp(l->e[k].name, v[i]->name) == 0;
        if (in_opa)
            continue;
        if (own++ == 0)
            rp_buf_puts(b, "| Builtin | rampart |\n|---|---|\n");
        rp_buf_printf(b, "| `%s` | ✔ |\n", v[i]->name);
    }
    if (own == 0)
        rp_buf_puts(b, "None.\n");
}

/* What a reader of the table needs to know beyond ✔ (src/rego/builtins/rego.c
 * and compile.c have the details). */
static void put_notes(rp_buf *b)
{
    rp_buf_puts(b,
        "\n## Notes\n\n"
        "- `eq`, `assign`, `print`, `rego.metadata.chain` and `rego.metadata.rule` are implemented by\n"
        "  the compiler rather than as registry entries; `rampart capabilities` lists them too.\n"
        "- `print(a, b)` is lowered to `internal.print([{v | v = a}, {w | w = b}])` and a template\n"
        "  string `$\"x{a}\"` to `internal.template_string([\"x\", {v | v = a}])`, as OPA lowers them.\n"
        "- `internal.test_case` reports `opa test`'s sub-cases; it comes with the test command.\n"
        "- `rego.parse_module` parses Rego v1, as OPA 1.x does, and returns OPA's JSON AST (no locations).\n"
        "- `opa.runtime()` is `{}` unless the embedder sets the evaluation config key `opa.runtime`:\n"
        "  `false` gives rampart's `version` and `commit`, `true` adds `env` (the process environment),\n"
        "  an object is the runtime itself (service credentials and private keys in its `config`\n"
        "  removed, as OPA does) plus `version`/`commit`.\n"
        "- `trace(note)` writes `Note \"note\"` (Go-quoted, as OPA's trace shows notes) to the print sink,\n"
        "  where `print()` output goes.\n");
}

static int print_table(const rego_builtin **v, size_t n, rp_arena *a, const char *path)
{
    opa_list l = {0};
    if (!read_opa_list(path, a, &l))
        return 1;
    size_t have = 0, own = n;
    for (size_t i = 0; i < l.n; i++) {
        l.e[i].have = implemented(v, n, l.e[i].name);
        have += l.e[i].have;
        own -= l.e[i].have;
    }
    qsort(l.e, l.n, sizeof(*l.e), cmp_entry);
    rp_buf b;
    rp_buf_init(&b);
    put_summary(&b, &l, have, own);
    put_categories(&b, &l);
    put_own(&b, &l, v, n);
    put_notes(&b);
    int rc = b.failed ? 1 : 0;
    if (!rc)
        fwrite(b.data, 1, b.len, stdout);
    rp_buf_free(&b);
    return rc;
}

/* ---- command --------------------------------------------------------------------------- */

static int usage(FILE *f)
{
    fprintf(f, "usage: rampart capabilities [--table FILE]\n\n"
               "Prints the builtins rampart implements as JSON shaped like OPA's capabilities\n"
               "files.  With --table, prints the Markdown coverage table of the OPA builtins\n"
               "listed in FILE (\"name category\" per line; - for stdin).\n");
    return f == stdout ? 0 : 2;
}

int cmd_capabilities(int argc, char **argv)
{
    const char *table = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout);
        if (!strcmp(argv[i], "--table") && i + 1 < argc)
            table = argv[++i];
        else if (!strncmp(argv[i], "--table=", 8))
            table = argv[i] + 8;
        else
            return usage(stderr);
    }
    size_t n = 0;
    const rego_builtin **v = all_builtins(&n);
    rp_arena *a = rp_arena_new(64u << 20);
    int rc = 1;
    if (v && a)
        rc = table ? print_table(v, n, a, table) : print_json(v, n, a);
    else
        fprintf(stderr, "rampart capabilities: out of memory\n");
    rp_arena_free(a);
    free(v);
    return rc;
}
