/*
 * test_bi_rego.c — the "rego" builtin group: rego.parse_module (OPA's JSON
 * AST of each construct, its errors, the depth limit), opa.runtime (what
 * each embedder setting exposes, OPA's purge of credentials), trace (the
 * note on the print sink), the same through the engine, and `rampart
 * capabilities` when $RAMPART names the binary.
 *
 * Expected ASTs are written with the macros below (VAR("x") is
 * {"type":"var","value":"x"}, ...), read with bi_json.h's V and compared as
 * values.
 */
#include "bi_json.h"
#include "rego/ast_json.h"
#include "rego/engine.h"
#include "rego/limits.h"

/* The registry refers to group tables weakly; this strong reference pulls
 * the group in. */
REGO_BUILTIN_GROUP(rego);

/* Values print as compact JSON here, as OPA's AST and runtime documents. */
static const char *show(rego_value v)
{
    return bt_show(v, REGO_FMT_JSON);
}

/* ---- calling builtins ----------------------------------------------------------- */

static char printed[1024];

static void capture(void *ud, const char *s, size_t n)
{
    (void)ud;
    snprintf(printed, sizeof(printed), "%.*s", (int)n, s);
}

/* Calls name(args...) with config (JSON or NULL) and the capturing sink. */
static rp_status call_cfg(const char *name, const rego_value *args, const char *config, bool sink,
                          rego_value *out, rp_error *err)
{
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, A);
    ev.print = sink ? capture : NULL;
    ev.config = config ? V(config) : rego_undef();
    printed[0] = 0;
    return bt_invoke(&ev, name, args, out, err);
}

static rp_status parse(const char *file, const char *src, rego_value *out, rp_error *err)
{
    rego_value args[2] = {rego_cstr(A, file), rego_cstr(A, src)};
    return call_cfg("rego.parse_module", args, NULL, false, out, err);
}

/* ---- rego.parse_module: the AST -------------------------------------------------- */

#define T(type, v) "{\"type\":\"" type "\",\"value\":" v "}"
#define VAR(x) T("var", "\"" x "\"")
#define STR(x) T("string", "\"" x "\"")
#define NUM(x) T("number", #x)
#define BOOL(x) T("boolean", #x)
#define NUL T("null", "{}")
#define REF(items) T("ref", "[" items "]")
#define CALL(items) T("call", "[" items "]")
#define OP(x) REF(VAR(x))
#define TRUE_BODY "[{\"index\":0,\"terms\":" BOOL(true) "}]"
#define PKG_P "\"package\":{\"path\":[" VAR("data") "," STR("p") "]}"
#define RULES(r) "{" PKG_P ",\"rules\":[" r "]}"

typedef struct {
    const char *what, *src, *want; /* src follows "package p\n" */
} pcase;

static const pcase parse_cases[] = {
    {"rule with if and body", "p if { a = true }",
     RULES("{\"body\":[{\"index\":0,\"terms\":[" OP("eq") "," VAR("a") "," BOOL(true) "]}],"
           "\"head\":{\"name\":\"p\",\"ref\":[" VAR("p") "],\"value\":" BOOL(true) "}}")},
    {"bodiless rule: generated body", "p := 1",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"p\",\"ref\":[" VAR("p")
           "],\"value\":" NUM(1) "}}")},
    {"multi-value rule, some in", "q contains x if { some x in input }",
     RULES("{\"body\":[{\"index\":0,\"terms\":{\"symbols\":[" CALL(REF(VAR("internal") "," STR("member_2"))
           "," VAR("x") "," REF(VAR("input"))) "]}}],"
           "\"head\":{\"key\":" VAR("x") ",\"name\":\"q\",\"ref\":[" VAR("q") "]}}")},
    {"ref head with a variable: key and name", "r[x] := 1 if { x := \"a\" }",
     RULES("{\"body\":[{\"index\":0,\"terms\":[" OP("assign") "," VAR("x") "," STR("a") "]}],"
           "\"head\":{\"assign\":true,\"key\":" VAR("x") ",\"name\":\"r\",\"ref\":[" VAR("r") ","
           VAR("x") "],\"value\":" NUM(1) "}}")},
    {"p[x] if: key, no name", "p[x] if { x := 1 }",
     RULES("{\"body\":[{\"index\":0,\"terms\":[" OP("assign") "," VAR("x") "," NUM(1) "]}],"
           "\"head\":{\"key\":" VAR("x") ",\"ref\":[" VAR("p") "," VAR("x") "],\"value\":" BOOL(true) "}}")},
    {"ground p[k] := v if: name, no key", "p[\"a\"] := 1 if true",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"p\",\"ref\":[" VAR("p") ","
           STR("a") "],\"value\":" NUM(1) "}}")},
    {"dotted ref head with if", "s.t if true",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"ref\":[" VAR("s") "," STR("t") "],\"value\":" BOOL(true) "}}")},
    {"bodiless p.k := v: name and key", "w.z := 1",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"key\":" STR("z") ",\"name\":\"w\",\"ref\":["
           VAR("w") "," STR("z") "],\"value\":" NUM(1) "}}")},
    {"three-element ref head", "a.b.c := 1",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"ref\":[" VAR("a") "," STR("b") "," STR("c")
           "],\"value\":" NUM(1) "}}")},
    {"function with a wildcard argument", "f(_, y) := y if true",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"args\":[" VAR("$0") "," VAR("y") "],\"assign\":true,"
           "\"name\":\"f\",\"ref\":[" VAR("f") "],\"value\":" VAR("y") "}}")},
    {"default rule", "default u := 2",
     RULES("{\"body\":" TRUE_BODY ",\"default\":true,\"head\":{\"assign\":true,\"name\":\"u\",\"ref\":["
           VAR("u") "],\"value\":" NUM(2) "}}")},
    {"else without body", "v if { false } else := 3",
     RULES("{\"body\":[{\"index\":0,\"terms\":" BOOL(false) "}],"
           "\"else\":{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"v\",\"ref\":[" VAR("v")
           "],\"value\":" NUM(3) "}},"
           "\"head\":{\"name\":\"v\",\"ref\":[" VAR("v") "],\"value\":" BOOL(true) "}}")},
    {"else renumbers wildcard arguments", "g(_) := 1 if true else := 2",
     RULES("{\"body\":" TRUE_BODY ","
           "\"else\":{\"body\":" TRUE_BODY ",\"head\":{\"args\":[" VAR("$1") "],\"assign\":true,"
           "\"name\":\"g\",\"ref\":[" VAR("g") "],\"value\":" NUM(2) "}},"
           "\"head\":{\"args\":[" VAR("$0") "],\"assign\":true,\"name\":\"g\",\"ref\":[" VAR("g")
           "],\"value\":" NUM(1) "}}")},
    {"set literal in OPA's term order", "x := {3, \"a\", 1, null, 1.0}",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"x\",\"ref\":[" VAR("x")
           "],\"value\":" T("set", "[" NUL "," NUM(1) "," NUM(3) "," STR("a") "]") "}}")},
    {"object literal: sorted pairs, last value wins", "y := {\"b\": 1, \"a\": 2, 1: 0, \"b\": 5}",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"y\",\"ref\":[" VAR("y")
           "],\"value\":" T("object", "[[" NUM(1) "," NUM(0) "],[" STR("a") "," NUM(2) "],[" STR("b")
           "," NUM(5) "]]") "}}")},
    {"vars sort after strings in sets", "s := {_, \"a\"}",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"s\",\"ref\":[" VAR("s")
           "],\"value\":" T("set", "[" STR("a") "," VAR("$0") "]") "}}")},
    {"array comprehension", "z := [a | a := input[_]]",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"z\",\"ref\":[" VAR("z")
           "],\"value\":" T("arraycomprehension", "{\"body\":[{\"index\":0,\"terms\":[" OP("assign") ","
           VAR("a") "," REF(VAR("input") "," VAR("$0")) "]}],\"term\":" VAR("a") "}") "}}")},
    {"object comprehension", "o := {k: 1 | some k in input}",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"o\",\"ref\":[" VAR("o")
           "],\"value\":" T("objectcomprehension", "{\"body\":[{\"index\":0,\"terms\":{\"symbols\":["
           CALL(REF(VAR("internal") "," STR("member_2")) "," VAR("k") "," REF(VAR("input"))) "]}}],"
           "\"key\":" VAR("k") ",\"value\":" NUM(1) "}") "}}")},
    {"every, not, with", "t if { every k, v in input { v > k }; not input.x with input as {} }",
     RULES("{\"body\":[{\"index\":0,\"terms\":{\"body\":[{\"index\":0,\"terms\":[" OP("gt") "," VAR("v")
           "," VAR("k") "]}],\"domain\":" REF(VAR("input")) ",\"key\":" VAR("k") ",\"value\":" VAR("v") "}},"
           "{\"index\":1,\"negated\":true,\"terms\":" REF(VAR("input") "," STR("x")) ","
           "\"with\":[{\"target\":" REF(VAR("input")) ",\"value\":" T("object", "[]") "}]}],"
           "\"head\":{\"name\":\"t\",\"ref\":[" VAR("t") "],\"value\":" BOOL(true) "}}")},
    {"every without key, some vars, function mock",
     "u if { every v in input { v }; count(input) with count as f; some a, b }",
     RULES("{\"body\":[{\"index\":0,\"terms\":{\"body\":[{\"index\":0,\"terms\":" VAR("v") "}],\"domain\":"
           REF(VAR("input")) ",\"key\":null,\"value\":" VAR("v") "}},"
           "{\"index\":1,\"terms\":[" OP("count") "," REF(VAR("input")) "],\"with\":[{\"target\":"
           VAR("count") ",\"value\":" VAR("f") "}]},"
           "{\"index\":2,\"terms\":{\"symbols\":[" VAR("a") "," VAR("b") "]}}],"
           "\"head\":{\"name\":\"u\",\"ref\":[" VAR("u") "],\"value\":" BOOL(true) "}}")},
    {"scalars, calls and refs", "n := [1.5, \"q\\n\", null, false, x.y(1)[0], -2]",
     RULES("{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"n\",\"ref\":[" VAR("n")
           "],\"value\":" T("array", "[" NUM(1.5) "," STR("q\\n") "," NUL "," BOOL(false) ","
           REF(CALL(REF(VAR("x") "," STR("y")) "," NUM(1)) "," NUM(0)) "," NUM(-2) "]") "}}")},
    {"key, value and in", "k := {\"a\": 1} if { 1 in [1]; \"a\", 1 in {\"a\": 1} }",
     RULES("{\"body\":[{\"index\":0,\"terms\":[" REF(VAR("internal") "," STR("member_2")) "," NUM(1) ","
           T("array", "[" NUM(1) "]") "]},{\"index\":1,\"terms\":[" REF(VAR("internal") "," STR("member_3"))
           "," STR("a") "," NUM(1) "," T("object", "[[" STR("a") "," NUM(1) "]]") "]}],"
           "\"head\":{\"assign\":true,\"name\":\"k\",\"ref\":[" VAR("k") "],\"value\":"
           T("object", "[[" STR("a") "," NUM(1) "]]") "}}")},
};

static void test_parse_cases(void)
{
    char src[512];
    for (size_t i = 0; i < RP_ARRAY_LEN(parse_cases); i++) {
        const pcase *c = &parse_cases[i];
        snprintf(src, sizeof(src), "package p\n%s", c->src);
        rego_value got;
        rp_error err = {0};
        rp_status st = parse("x.rego", src, &got, &err);
        T_CHECKM(st == RP_OK && rego_equal(got, V(c->want)), "%s: %s\n    got:  %s\n    want: %s",
                 c->what, st == RP_OK ? "" : err.msg, st == RP_OK ? show(got) : "(error)", c->want);
    }
}

/* Package path, imports (alias, rego.v1) and comments (base64 text, null for
 * a bare #) as OPA marshals them. */
static void test_module_parts(void)
{
    const char *src = "package p.q\nimport data.foo as bar\nimport rego.v1\n# hi\nk := 1 # x\n#\n";
    const char *want =
        "{\"comments\":[{\"Location\":{\"col\":1,\"file\":\"m.rego\",\"row\":4},\"Text\":\"IGhp\"},"
        "{\"Location\":{\"col\":8,\"file\":\"m.rego\",\"row\":5},\"Text\":\"IHg=\"},"
        "{\"Location\":{\"col\":1,\"file\":\"m.rego\",\"row\":6},\"Text\":null}],"
        "\"imports\":[{\"alias\":\"bar\",\"path\":" REF(VAR("data") "," STR("foo")) "},"
        "{\"path\":" REF(VAR("rego") "," STR("v1")) "}],"
        "\"package\":{\"path\":[" VAR("data") "," STR("p") "," STR("q") "]},"
        "\"rules\":[{\"body\":" TRUE_BODY ",\"head\":{\"assign\":true,\"name\":\"k\",\"ref\":[" VAR("k")
        "],\"value\":" NUM(1) "}}]}";
    rego_value got;
    rp_error err = {0};
    T_CHECK(parse("m.rego", src, &got, &err) == RP_OK);
    T_CHECKM(rego_equal(got, V(want)), "module parts\n    got:  %s\n    want: %s", show(got), want);
    /* the package alone: no imports, rules or comments keys */
    T_CHECK(parse("m.rego", "package a", &got, &err) == RP_OK);
    T_STREQ(show(got), "{\"package\":{\"path\":[" VAR("data") "," STR("a") "]}}");
}

/* ---- rego.parse_module: errors ---------------------------------------------------- */

typedef struct {
    const char *file, *src;
    const char *want; /* "T:" eval_type_error, "B:" eval_builtin_error; then the
                       * whole message, or with "~" a part of it */
} ecase;

static const ecase error_cases[] = {
    {"x.rego", "package foo.",
     "B:rego.parse_module: 1 error occurred: x.rego:1: rego_parse_error: unexpected eof token: "
     "expected ident\n\tpackage foo.\n\t           ^"},
    {"", "package foo.", "B~rego.parse_module: 1 error occurred: 1:12: rego_parse_error: unexpected eof"},
    {"x.rego", "", "B:rego.parse_module: 1 error occurred: x.rego:0: rego_parse_error: empty module"},
    {"x.rego", "# only a comment", "B:rego.parse_module: 1 error occurred: x.rego:0: rego_parse_error: empty module"},
    /* neither v1 nor v0: the v1 error is reported (valid v0 source parses:
     * see bi_parse_module) */
    {"x.rego", "package p\np { true } {",
     "B~rego.parse_module: 1 error occurred: x.rego:2: rego_parse_error: unexpected eof token"},
    {"x.rego", "p := 1", "B:rego.parse_module: 1 error occurred: x.rego:1: rego_parse_error: package expected"},
    /* details: the line with its leading tabs trimmed, the caret under the error */
    {"x.rego", "package p\n\tx := [1,\n", "B~\n\tx := [1,\n\t       ^"},
    {"x.rego", "package p\nq := $", "B~rego_parse_error: illegal $ character"},
    /* OPA names both operands "operand 1" */
    {NULL, NULL, "T:rego.parse_module: operand 1 must be string but got number"},
};

static void check_error(const char *what, rp_status st, const rp_error *err, const char *want)
{
    rp_errkind kind = want[0] == 'T' ? RP_EK_EVAL_TYPE : RP_EK_EVAL_BUILTIN;
    bool part = want[1] == '~';
    bool ok = st != RP_OK && err->kind == kind &&
              (part ? strstr(err->msg, want + 2) != NULL : strcmp(err->msg, want + 2) == 0);
    T_CHECKM(ok, "%s: want %s\n    got status %d kind %d: %s", what, want, st, err->kind, err->msg);
}

static void test_parse_errors(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(error_cases); i++) {
        const ecase *c = &error_cases[i];
        rego_value got;
        rp_error err = {0};
        if (!c->src) {
            rego_value args[2][2] = {{rego_int(1), rego_cstr(A, "x")}, {rego_cstr(A, "x"), rego_int(1)}};
            for (int k = 0; k < 2; k++) {
                rp_error e = {0};
                check_error("type", call_cfg("rego.parse_module", args[k], NULL, false, &got, &e), &e, c->want);
            }
            continue;
        }
        check_error(c->src, parse(c->file, c->src, &got, &err), &err, c->want);
    }
}

/* ---- the depth limit ------------------------------------------------------------------ */

static rego_term *mkterm(rego_term_kind k, uint32_t n)
{
    rego_term *t = rp_arena_zalloc(A, sizeof(*t));
    t->kind = (uint8_t)k;
    t->n = n;
    if (n)
        t->u.c.items = rp_arena_array(A, n, sizeof(rego_term *));
    return t;
}

static rego_term *mkvar(const char *name)
{
    rego_term *t = mkterm(REGO_TERM_VAR, 0);
    t->u.var.name = name;
    t->u.var.len = (uint32_t)strlen(name);
    return t;
}

static rego_term *mkvalue(rego_value v)
{
    rego_term *t = mkterm(REGO_TERM_VALUE, 0);
    t->u.value = v;
    return t;
}

/* package p; p := <arrays> levels of [...] around an object {1: 1} (when
 * obj) or around 1: the value's JSON nests 5 + 2 * arrays (+ 3) levels. */
static rego_module *deep_module(uint32_t arrays, bool obj)
{
    rego_term *v = mkvalue(rego_int(1));
    if (obj) {
        rego_term *o = mkterm(REGO_TERM_OBJECT, 2);
        o->u.c.items[0] = mkvalue(rego_int(1));
        o->u.c.items[1] = v;
        v = o;
    }
    for (uint32_t i = 0; i < arrays; i++) {
        rego_term *a = mkterm(REGO_TERM_ARRAY, 1);
        a->u.c.items[0] = v;
        v = a;
    }
    rego_rule *r = rp_arena_zalloc(A, sizeof(*r));
    r->ref = mkterm(REGO_TERM_REF, 1);
    r->ref->u.c.items[0] = mkvar("p");
    r->value = v;
    r->assign = true;
    rego_module *m = rp_arena_zalloc(A, sizeof(*m));
    m->version = REGO_V1;
    m->package = mkterm(REGO_TERM_REF, 2);
    m->package->u.c.items[0] = mkvar("data");
    m->package->u.c.items[1] = mkvalue(rego_cstr(A, "p"));
    m->rules = rp_arena_zalloc(A, sizeof(rego_rule *));
    m->rules[0] = r;
    m->nrules = 1;
    return m;
}

static int json_depth(rego_value v)
{
    int m = 0;
    for (uint32_t i = 0; (v.kind == REGO_ARRAY || v.kind == REGO_OBJECT) && i < v.n; i++) {
        int d = json_depth(v.kind == REGO_ARRAY ? v.u.items[i] : rego_object_at(v, i).val);
        m = d > m ? d : m;
    }
    return v.kind == REGO_ARRAY || v.kind == REGO_OBJECT ? m + 1 : 0;
}

static void test_depth_limit(void)
{
    /* exactly REGO_VALUE_MAX_DEPTH: 5 + 2 * 4996 + 3 */
    rego_value v;
    rp_error err = {0};
    uint32_t arrays = (REGO_VALUE_MAX_DEPTH - 8) / 2;
    T_CHECK(rego_module_json(A, deep_module(arrays, true), &v, &err) == RP_OK);
    T_CHECKM(json_depth(v) == REGO_VALUE_MAX_DEPTH, "depth %d", json_depth(v));
    /* one more: 5 + 2 * 4998 */
    rp_error e2 = {0};
    rp_status st = rego_module_json(A, deep_module((REGO_VALUE_MAX_DEPTH - 4) / 2, false), &v, &e2);
    T_CHECKM(st == RP_ERR_LIMIT && strstr(e2.msg, "deeper than"), "limit+1: %d %s", st, e2.msg);
    /* what the parser accepts converts: brackets as deep as it allows */
    char src[4096];
    int k = snprintf(src, sizeof(src), "package p\np := ");
    for (int i = 0; i < REGO_PARSE_MAX_DEPTH - 1; i++)
        src[k++] = '[';
    src[k++] = '1';
    for (int i = 0; i < REGO_PARSE_MAX_DEPTH - 1; i++)
        src[k++] = ']';
    src[k] = 0;
    T_CHECK(parse("x.rego", src, &v, &err) == RP_OK);
}

/* Every arena budget from too small to enough: out of memory is a clean
 * RP_ERR_NOMEM (never another error, a crash or a leak under ASan). */
static void test_budgets(void)
{
    const char *src = "package p\nimport rego.v1\n# c\nq contains x if { some x in input; x > 1 }\n"
                      "f(_) := {1, \"a\", [y | y := input[_]]} if true else := 2\n";
    bool ok = false;
    int other = 0;
    for (size_t budget = 512; budget < (4u << 20) && !ok; budget += 512) {
        rp_arena *a = rp_arena_new(budget);
        struct rego_evalctx ev;
        rego_evalctx_init(&ev, a);
        rego_value args[2] = {rego_str_borrow("x.rego", 6), rego_str_borrow(src, strlen(src))}, out;
        rp_error err = {0};
        rp_status st = bt_invoke(&ev, "rego.parse_module", args, &out, &err);
        ok = st == RP_OK;
        other += st != RP_OK && (st != RP_ERR_NOMEM || err.kind != RP_EK_EVAL_CANCEL);
        rp_arena_free(a);
    }
    T_CHECK(ok);
    T_CHECKM(other == 0, "%d budgets failed with something other than out of memory", other);
}

/* ---- opa.runtime ------------------------------------------------------------------------ */

static rego_value field_of(rego_value obj, const char *k)
{
    rego_value v = rego_undef();
    if (obj.kind == REGO_OBJECT)
        rego_object_get_str(obj, k, strlen(k), rego_hash_str(k, strlen(k)), &v);
    return v;
}

typedef struct {
    const char *what;
    const char *config; /* evaluation config JSON or NULL */
    const char *key;    /* a field of the result to check, or NULL for its keys */
    const char *want;   /* that field as JSON, or "B:message" */
} rcase;

static const rcase runtime_cases[] = {
    {"default: no runtime, as OPA without one", NULL, NULL, "[]"},
    {"null: the same", "{\"opa.runtime\": null}", NULL, "[]"},
    {"false: version and commit only", "{\"opa.runtime\": false}", NULL, "[\"commit\",\"version\"]"},
    {"true adds env", "{\"opa.runtime\": true}", NULL, "[\"commit\",\"env\",\"version\"]"},
    {"embedder object: env as given", "{\"opa.runtime\": {\"env\": {\"A\": \"b\"}}}", "env",
     "{\"A\":\"b\"}"},
    {"embedder version kept", "{\"opa.runtime\": {\"version\": \"x\"}}", "version", "\"x\""},
    {"config: credentials and private keys removed",
     "{\"opa.runtime\": {\"config\": {\"services\": [{\"url\": \"u\", \"credentials\": {\"bearer\": 1}}],"
     " \"keys\": {\"k\": {\"key\": \"s\", \"private_key\": \"p\", \"algorithm\": \"RS256\"}},"
     " \"labels\": {\"x\": \"y\"}}}}",
     "config",
     "{\"services\":[{\"url\":\"u\"}],\"keys\":{\"k\":{\"algorithm\":\"RS256\"}},\"labels\":{\"x\":\"y\"}}"},
    {"config: services as an object",
     "{\"opa.runtime\": {\"config\": {\"services\": {\"s\": {\"url\": \"u\", \"credentials\": {}}}}}}",
     "config", "{\"services\":{\"s\":{\"url\":\"u\"}}}"},
    {"config: null services kept", "{\"opa.runtime\": {\"config\": {\"services\": null}}}", "config",
     "{\"services\":null}"},
    {"config not an object: as is", "{\"opa.runtime\": {\"config\": 1}}", "config", "1"},
    {"bad services", "{\"opa.runtime\": {\"config\": {\"services\": \"s\"}}}", NULL,
     "B:opa.runtime: illegal service config type: string"},
    {"bad keys", "{\"opa.runtime\": {\"config\": {\"keys\": [1]}}}", NULL,
     "B:opa.runtime: illegal keys config type: []interface {}"},
    {"bad service", "{\"opa.runtime\": {\"config\": {\"services\": [1]}}}", NULL,
     "B:opa.runtime: type assertion error"},
    {"bad key", "{\"opa.runtime\": {\"config\": {\"keys\": {\"k\": 2}}}}", NULL,
     "B:opa.runtime: type assertion error"},
    {"bad setting", "{\"opa.runtime\": 1}", NULL,
     "B:opa.runtime: config \"opa.runtime\" must be a boolean or an object, not number"},
};

static rego_value keys_of(rego_value obj)
{
    rego_value out, *k = rego_array_alloc(A, obj.n, &out);
    for (uint32_t i = 0; i < obj.n; i++)
        k[i] = rego_object_at(obj, i).key;
    return obj.n ? out : rego_empty_array();
}

static void test_runtime(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(runtime_cases); i++) {
        const rcase *c = &runtime_cases[i];
        rego_value got;
        rp_error err = {0};
        rp_status st = call_cfg("opa.runtime", NULL, c->config, false, &got, &err);
        if (c->want[0] == 'B' && c->want[1] == ':') {
            check_error(c->what, st, &err, c->want);
            continue;
        }
        rego_value part = st != RP_OK ? rego_undef() : c->key ? field_of(got, c->key) : keys_of(got);
        T_CHECKM(st == RP_OK && rego_equal(part, V(c->want)), "%s: %s\n    got:  %s\n    want: %s",
                 c->what, err.msg, show(part), c->want);
    }
    /* the environment as OPA splits it: at the first '=' */
    setenv("RAMPART_TEST_RUNTIME", "a=b", 1);
    rego_value got;
    rp_error err = {0};
    T_CHECK(call_cfg("opa.runtime", NULL, "{\"opa.runtime\": true}", false, &got, &err) == RP_OK);
    T_STREQ(show(field_of(field_of(got, "env"), "RAMPART_TEST_RUNTIME")), "\"a=b\"");
    T_CHECK(field_of(got, "version").kind == REGO_STRING && field_of(got, "commit").kind == REGO_STRING);
}

/* ---- trace -------------------------------------------------------------------------------- */

typedef struct {
    const char *note, *printed; /* printed: the sink's line, Go-quoted note */
} tcase;

static const tcase trace_cases[] = {
    {"hi", "Note \"hi\""},
    {"", "Note \"\""},
    {"a\"b\\c\n\t", "Note \"a\\\"b\\\\c\\n\\t\""},
    {"\x01\x7f", "Note \"\\x01\\x7f\""},
    {"é ✓", "Note \"é ✓\""},
    {"\xff", "Note \"\\xff\""},
};

static void test_trace(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(trace_cases); i++) {
        rego_value arg = rego_cstr(A, trace_cases[i].note), got;
        rp_error err = {0};
        T_CHECK(call_cfg("trace", &arg, NULL, true, &got, &err) == RP_OK && rego_equal(got, rego_bool(true)));
        T_STREQ(printed, trace_cases[i].printed);
    }
    rego_value arg = rego_cstr(A, "dropped"), got;
    rp_error err = {0};
    T_CHECK(call_cfg("trace", &arg, NULL, false, &got, &err) == RP_OK && rego_equal(got, rego_bool(true)));
    T_STREQ(printed, "");
    arg = rego_int(1);
    check_error("trace type", call_cfg("trace", &arg, NULL, true, &got, &err), &err,
                "T:trace: operand 1 must be string but got number");
}

/* ---- through the engine ------------------------------------------------------------------ */

typedef struct {
    const char *module, *query, *input, *config;
    bool strict;
    const char *want;    /* x's JSON, or "~text" for an error containing text */
    const char *printed; /* what print sink got, or NULL */
} gcase;

static const gcase engine_cases[] = {
    {"package t\nname := n if { m := rego.parse_module(\"m.rego\", input.src); n := m[\"package\"].path[1].value }",
     "x := data.t.name", "{\"src\": \"package hello\\np := 1\"}", NULL, false, "\"hello\"", NULL},
    {"package t", "x := rego.parse_module(\"x.rego\", \"package foo.\")", NULL, NULL, true,
     "~rego.parse_module: 1 error occurred: x.rego:1: rego_parse_error: unexpected eof token: expected ident",
     NULL},
    {"package t", "x := rego.parse_module(\"x.rego\", \"package foo.\")", NULL, NULL, false, "", NULL},
    {"package t\nr if trace(\"here\")", "x := data.t.r", NULL, NULL, false, "true", "Note \"here\""},
    {"package t", "x := opa.runtime().env.A", NULL, "{\"opa.runtime\": {\"env\": {\"A\": \"1\"}}}", false,
     "\"1\"", NULL},
    {"package t", "x := opa.runtime()", NULL, NULL, false, "{}", NULL},
    {"package t", "x := object.keys(opa.runtime())", NULL, "{\"opa.runtime\": false}", false,
     "[\"commit\",\"version\"]", NULL},
};

static char *run_engine(const gcase *c, rp_error *err)
{
    rego_policy *p = rego_policy_new();
    rego_query *q = NULL;
    rp_arena *a = rp_arena_new(64u << 20);
    char *out = NULL;
    rp_status st = rego_policy_add_module(p, "t.rego", c->module, strlen(c->module), REGO_V1, err);
    if (st == RP_OK)
        st = rego_policy_compile(p, err);
    if (st == RP_OK)
        st = rego_query_new(p, c->query, strlen(c->query), REGO_V1, &q, err);
    rego_eval_opts o = {0};
    o.input = c->input ? V(c->input) : rego_undef();
    o.config = c->config ? V(c->config) : rego_undef();
    o.strict_builtin_errors = c->strict;
    o.print = capture;
    printed[0] = 0;
    rego_result r;
    if (st == RP_OK)
        st = rego_query_eval(q, a, &o, &r, err);
    if (st == RP_OK) {
        rp_buf b;
        rp_buf_init(&b);
        for (uint32_t i = 0; i < r.nrows; i++)
            rego_value_write(&b, rego_result_var(&r, i, 0), REGO_FMT_JSON);
        out = rp_buf_steal(&b);
        if (!out)
            out = strdup("");
    }
    rego_query_free(q);
    rego_policy_free(p);
    rp_arena_free(a);
    return out;
}

static void test_engine(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(engine_cases); i++) {
        const gcase *c = &engine_cases[i];
        rp_error err = {0};
        char *got = run_engine(c, &err);
        if (c->want[0] == '~')
            T_CHECKM(!got && strstr(err.msg, c->want + 1), "%s: want error %s, got %s / %s", c->query,
                     c->want + 1, got ? got : "(error)", err.msg);
        else
            T_CHECKM(got && strcmp(got, c->want) == 0, "%s: got %s (%s), want %s", c->query,
                     got ? got : "(error)", err.msg, c->want);
        if (c->printed)
            T_STREQ(printed, c->printed);
        free(got);
    }
}

/* ---- rampart capabilities ------------------------------------------------------------------- */

/* Runs cmd (a shell command) and returns its stdout (malloc'd) or NULL. */
static char *run_cmd(const char *cmd, int *status)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    rp_buf b;
    rp_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rp_buf_append(&b, chunk, n);
    *status = pclose(f);
    return rp_buf_steal(&b);
}

static void test_capabilities(void)
{
    const char *bin = getenv("RAMPART");
    if (!bin) {
        printf("RAMPART not set: skipping `rampart capabilities`\n");
        return;
    }
    char cmd[512];
    int status = -1;
    snprintf(cmd, sizeof(cmd), "%s capabilities", bin);
    char *out = run_cmd(cmd, &status);
    T_CHECKM(out && status == 0, "%s failed", cmd);
    rego_value caps = out ? V(out) : rego_undef();
    rego_value builtins = field_of(caps, "builtins");
    T_CHECK(builtins.kind == REGO_ARRAY && builtins.n > 150);
    /* a few entries exactly as OPA's capabilities file has them */
    static const char *const want[] = {
        "{\"name\":\"rego.parse_module\",\"decl\":{\"args\":[{\"type\":\"string\"},{\"type\":\"string\"}],"
        "\"result\":{\"dynamic\":{\"key\":{\"type\":\"string\"},\"value\":{\"type\":\"any\"}},\"type\":\"object\"},"
        "\"type\":\"function\"}}",
        "{\"name\":\"opa.runtime\",\"decl\":{\"result\":{\"dynamic\":{\"key\":{\"type\":\"string\"},"
        "\"value\":{\"type\":\"any\"}},\"type\":\"object\"},\"type\":\"function\"},\"nondeterministic\":true}",
        "{\"name\":\"walk\",\"decl\":{\"args\":[{\"type\":\"any\"}],\"result\":{\"static\":[{\"dynamic\":"
        "{\"type\":\"any\"},\"type\":\"array\"},{\"type\":\"any\"}],\"type\":\"array\"},\"type\":\"function\"},"
        "\"relation\":true}",
        "{\"name\":\"glob.match\",\"decl\":{\"args\":[{\"type\":\"string\"},{\"of\":[{\"type\":\"null\"},"
        "{\"dynamic\":{\"type\":\"string\"},\"type\":\"array\"}],\"type\":\"any\"},{\"type\":\"string\"}],"
        "\"result\":{\"type\":\"boolean\"},\"type\":\"function\"}}",
        "{\"name\":\"print\",\"decl\":{\"type\":\"function\",\"variadic\":{\"type\":\"any\"}}}",
        "{\"name\":\"internal.print\",\"decl\":{\"args\":[{\"dynamic\":{\"of\":{\"type\":\"any\"},"
        "\"type\":\"set\"},\"type\":\"array\"}],\"type\":\"function\"}}",
        "{\"name\":\"eq\",\"decl\":{\"args\":[{\"type\":\"any\"},{\"type\":\"any\"}],\"result\":"
        "{\"type\":\"boolean\"},\"type\":\"function\"},\"infix\":\"=\"}",
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(want); i++) {
        bool found = false;
        for (uint32_t k = 0; builtins.kind == REGO_ARRAY && k < builtins.n && !found; k++)
            found = rego_equal(builtins.u.items[k], V(want[i]));
        T_CHECKM(found, "capabilities lacks %s", want[i]);
    }
    free(out);
    /* the table from a small list on stdin */
    snprintf(cmd, sizeof(cmd),
             "printf '# opa: v9.9.9\\ntrace tracing\\nno.such_builtin misc\\n' | %s capabilities --table -",
             bin);
    out = run_cmd(cmd, &status);
    T_CHECKM(out && status == 0, "%s failed", cmd);
    T_CHECK(out && strstr(out, "**1 of the 2 builtins** of OPA v9.9.9 (50%)"));
    T_CHECK(out && strstr(out, "| `trace` | ✔ |") && strstr(out, "| `no.such_builtin` | ✘ |"));
    T_CHECK(out && strstr(out, "| `rego.parse_module` | ✔ |")); /* rampart only, for this list */
    free(out);
}

int main(void)
{
    A = rp_arena_new(0);
    test_parse_cases();
    test_module_parts();
    test_parse_errors();
    test_depth_limit();
    test_budgets();
    test_runtime();
    test_trace();
    test_engine();
    test_capabilities();
    rp_arena_free(A);
    return T_DONE();
}
