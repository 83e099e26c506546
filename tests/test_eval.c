/*
 * test_eval.c — the compiler and evaluator on small policies: one table line
 * per case (module, query, input, expected result JSON or error code).  The
 * OPA conformance suite covers the language broadly; these cases pin down
 * rampart's own machinery: rule indexing, `with` and caching, scoping,
 * annotations, print, limits.
 */
#include <stdlib.h>
#include <string.h>

#include "rego/engine.h"
#include "rego/json.h"
#include "t.h"

typedef struct {
    const char *name;
    const char *module;
    const char *query;
    const char *input; /* JSON or NULL */
    const char *want;  /* compact result JSON, or NULL when an error is wanted */
    const char *code;  /* wanted error code */
} ecase;

static const ecase cases[] = {
    /* rule indexing: only the rule whose constant matches runs; unindexed rules always run */
    {"index picks rule",
     "package p\nkind := input.k\nr contains 1 if input.k == \"a\"\nr contains 2 if input.k == \"b\"\n"
     "r contains 3 if \"b\" == input.k\nr contains 4 if true",
     "x := data.p.r", "{\"k\":\"b\"}", "[2,3,4]", NULL},
    {"index key undefined",
     "package p\nr contains 1 if input.k == \"a\"\nr contains 2 if input.k == \"b\"\nr contains 4 if true",
     "x := data.p.r", "{}", "[4]", NULL},
    {"index numbers compare by value",
     "package p\nr contains 1 if input.n == 1\nr contains 2 if input.n == 2",
     "x := data.p.r", "{\"n\":1.0}", "[1]", NULL},
    {"index under with",
     "package p\nr contains 1 if input.k == \"a\"\nr contains 2 if input.k == \"b\"\n"
     "both := [a, b] if { a := r with input.k as \"a\"; b := r with input.k as \"b\" }",
     "x := data.p.both", NULL, "[[1],[2]]", NULL},
    /* caching must not leak across with */
    {"cache and with",
     "package p\nv := input.x\nw := [v, u] if u := v with input.x as 2",
     "x := data.p.w", "{\"x\":1}", "[1,2]", NULL},
    {"with data overlay",
     "package p\nq := data.cfg.n\nr := y if y := q with data.cfg.n as 7",
     "x := data.p.r", NULL, "7", NULL},
    {"with function mock",
     "package p\nf(a) := a + 1\ng(a) := a * 10\nr := y if y := f(1) with f as g",
     "x := data.p.r", NULL, "10", NULL},
    {"with builtin mock",
     "package p\nr := y if y := count([1, 2]) with count as 42",
     "x := data.p.r", NULL, "42", NULL},
    /* scoping */
    {"comprehension vars are local",
     "package p\nxs := [1, 2, 3]\nr := n if { s := {x | some x in xs}; x := 10; n := count(s) + x }",
     "x := data.p.r", NULL, "13", NULL},
    {"closure sees outer binding",
     "package p\nr := s if { y := 2; s := [z | some z in [1, 2, 3]; z != y] }",
     "x := data.p.r", NULL, "[1,3]", NULL},
    {"negation local var",
     "package p\nr if not input.xs[_] == 3", "x := data.p.r", "{\"xs\":[1,2]}", "true", NULL},
    {"every",
     "package p\nr if every x in input.xs { x > 0 }", "x := data.p.r", "{\"xs\":[1,2]}", "true", NULL},
    {"every fails",
     "package p\nr := true if { every x in input.xs { x > 1 } }\nr := false if { not r2 }\nr2 if every x in input.xs { x > 1 }",
     "x := data.p.r", "{\"xs\":[1,2]}", "false", NULL},
    {"else chain",
     "package p\nf(x) := \"big\" if x > 10\nelse := \"small\" if x > 0\nelse := \"zero\"",
     "x := [data.p.f(20), data.p.f(5), data.p.f(0)]", NULL, "[\"big\",\"small\",\"zero\"]", NULL},
    {"ref head object",
     "package p\na.b[k] := v if some k, v in {\"x\": 1, \"y\": 2}\na.c := 3",
     "x := data.p.a", NULL, "{\"b\":{\"x\":1,\"y\":2},\"c\":3}", NULL},
    {"multi-value ref head",
     "package p\ng[k] contains v if some k, v in [\"a\", \"b\", \"a\"]",
     "x := data.p.g", NULL, "{\"0\":[\"a\"],\"1\":[\"b\"],\"2\":[\"a\"]}", NULL},
    {"packages are documents",
     "package a.b.c\nf(x) := x", "x := data.a", NULL, "{\"b\":{\"c\":{}}}", NULL},
    {"object pattern unification",
     "package p\nr := [a, b] if {\"k\": [a, 2], \"j\": b} = {\"k\": [1, 2], \"j\": 3}",
     "x := data.p.r", NULL, "[1,3]", NULL},
    /* annotations */
    {"metadata rule",
     "# METADATA\n# title: pkg\npackage p\n\n# METADATA\n# title: T\n# authors:\n# - Ann <ann@example.com>\nr := rego.metadata.rule()",
     "x := data.p.r", NULL,
     "{\"authors\":[{\"email\":\"ann@example.com\",\"name\":\"Ann\"}],\"scope\":\"rule\",\"title\":\"T\"}", NULL},
    /* errors */
    {"conflict", "package p\nr := input.a\nr := input.b", "x := data.p.r", "{\"a\":1,\"b\":2}", NULL,
     "eval_conflict_error"},
    {"object keys conflict", "package p\nr[k] := v if some k, v in [\"a\", \"b\"]\nr[0] := \"c\"",
     "x := data.p.r", NULL, NULL, "eval_conflict_error"},
    {"unsafe", "package p\nr if { x > 1 }", "x := data.p.r", NULL, NULL, "rego_unsafe_var_error"},
    {"recursion", "package p\na if b\nb if a", "x := data.p.a", NULL, NULL, "rego_recursion_error"},
    {"referenced above", "package p\nr if { x > 0; x := 1 }", "x := data.p.r", NULL, NULL,
     "rego_compile_error"},
    {"builtin error non-strict is undefined", "package p\nr := 1 / 0", "x := data.p.r", NULL, "", NULL},
    {"print does not stop evaluation", "package p\nr := 1 if print(\"hello\", input.nothing)",
     "x := data.p.r", NULL, "1", NULL},
};

static char *run(const ecase *c, rp_error *err)
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
    o.input = rego_undef();
    if (st == RP_OK && c->input)
        st = rego_json_parse(a, c->input, strlen(c->input), "input", &o.input, err);
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

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const ecase *c = &cases[i];
        rp_error err = {0};
        char *got = run(c, &err);
        if (c->want) {
            T_CHECKM(got && strcmp(got, c->want) == 0, "%s: got %s want %s (%s)", c->name,
                     got ? got : "(error)", c->want, err.msg);
        } else {
            T_CHECKM(!got && strcmp(rp_errkind_name(err.kind), c->code) == 0,
                     "%s: got %s / %s, want error %s", c->name, got ? got : "(error)",
                     rp_errkind_name(err.kind), c->code);
        }
        free(got);
    }
    return T_DONE();
}
