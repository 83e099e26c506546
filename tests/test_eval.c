/*
 * test_eval.c — the compiler and evaluator on small policies: one table line
 * per case (module, query, input, expected result JSON or error code).  The
 * OPA conformance suite covers the language broadly; these cases pin down
 * rampart's own machinery: rule indexing, `with` and caching, scoping,
 * annotations, print, limits, template strings.
 */
#include <stdio.h>
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

/* ---- template strings (OPA 1.12), not in the conformance suite yet ----------------
 * An error case also names the error as "line:col: message", 0:0 where OPA
 * reports it without a location. */

typedef struct {
    ecase c;
    const char *msg; /* error cases: "line:col: message" */
} tcase;

#define TS "package p\n"
#define OK(name, mod, query, input, want) {{name, TS mod, query, input, want, NULL}, NULL}
#define ERR(name, mod, query, code, msg) {{name, TS mod, query, NULL, NULL, code}, msg}

static const tcase tmpl_cases[] = {
    /* values */
    OK("var and ref", "n := \"bob\"\nr := $\"hi {n}, {input.a}!\"", "x := data.p.r",
       "{\"a\":\"ann\"}", "\"hi bob, ann!\""),
    OK("undefined parts", "r := $\"a {input.nope} b {input.no[0].x}\"", "x := data.p.r", "{}",
       "\"a <undefined> b <undefined>\""),
    OK("scalars", "r := $\"{1} {2.5} {-3} {true} {null} {\"s\"} {12345678901234567890}\"",
       "x := data.p.r", NULL, "\"1 2.5 -3 true null s 12345678901234567890\""),
    OK("collections in term syntax",
       "r := $\"{[1, \"a\"]} {{\"k\": \"v\", \"a\": [true]}} {{3, 1, 2}} {set()} {{}} {[]}\"",
       "x := data.p.r", NULL,
       "\"[1, \\\"a\\\"] {\\\"a\\\": [true], \\\"k\\\": \\\"v\\\"} {1, 2, 3} set() {} []\""),
    OK("strings raw at the top, quoted inside", "r := $\"{\"q\\\"x\"} {[\"q\\\"x\"]}\"",
       "x := data.p.r", NULL, "\"q\\\"x [\\\"q\\\\\\\"x\\\"]\""),
    OK("nested strings quoted as Go does", "r := $\"{[\"\\u0001\\u000b\\u007f\\t\"]}\"",
       "x := data.p.r", NULL, "\"[\\\"\\\\x01\\\\v\\\\x7f\\\\t\\\"]\""),
    OK("non-printable runes escaped as Go does", "r := $\"{[\"\\u00a0\\u200b\u00e9\"]}\"",
       "x := data.p.r", NULL, "\"[\\\"\\\\u00a0\\\\u200b\u00e9\\\"]\""),
    OK("escapes", "r := $\"\\{x} \\\"q\\\" \\t|\\u00e9\\/\"", "x := data.p.r", NULL,
       "\"{x} \\\"q\\\" \\t|\xc3\xa9/\""),
    OK("raw form", "r := $`line1\n{input.n}\\{x} \\n \"`", "x := data.p.r", "{\"n\":\"bob\"}",
       "\"line1\\nbob{x} \\\\n \\\"\""),
    OK("raw expression over lines", "r := $`{[x |\n  some x in [1, 2] # one or two\n]}`",
       "x := data.p.r", NULL, "\"[1, 2]\""),
    OK("empty", "r := $\"\"", "x := data.p.r", NULL, "\"\""),
    OK("nested", "r := $\"<{$\"[{input.n}]\"}>\"", "x := data.p.r", "{\"n\":1}", "\"<[1]>\""),
    OK("calls and operators", "r := $\"{count(input.xs)} {input.xs[0] + 1} {input.xs[0] == 1}\"",
       "x := data.p.r", "{\"xs\":[1,2]}", "\"2 2 true\""),
    OK("in a function", "f(a) := $\"f({a})\"\nr := [f(1), f(\"x\")]", "x := data.p.r", NULL,
       "[\"f(1)\",\"f(x)\"]"),
    OK("in a comprehension", "r := [$\"{k}={v}\" | some k, v in {\"a\": 1, \"b\": 2}]",
       "x := data.p.r", NULL, "[\"a=1\",\"b=2\"]"),
    OK("in every", "r if every x in [\"a\", \"b\"] { $\"{x}!\" != \"c!\" }", "x := data.p.r", NULL,
       "true"),
    OK("with on a part", "r := $\"{input.n with input.n as \"w\"}/{input.n}\"", "x := data.p.r",
       "{\"n\":\"i\"}", "\"w/i\""),
    OK("under with", "r := s if s := $\"{input.n}\" with input.n as \"z\"", "x := data.p.r", NULL,
       "\"z\""),
    OK("with function mock", "f(a) := a\ng(a) := a * 10\nr := $\"{f(1) with f as g} {f(1)}\"",
       "x := data.p.r", NULL, "\"10 1\""),
    OK("keys and elements", "r := {$\"k{1}\": {$\"v{2}\"}}", "x := data.p.r", NULL,
       "{\"k1\":[\"v2\"]}"),
    OK("var bound later", "r if { $\"{x}\" == \"1\"; x = 1 }", "x := data.p.r", NULL, "true"),
    OK("rule heads", "d[$\"k{x}\"] := 1 if x := \"a\"\ns contains $\"e{x}\" if some x in [1, 2]",
       "x := [data.p.d, data.p.s]", NULL, "[{\"ka\":1},[\"e1\",\"e2\"]]"),
    OK("default and else", "default d := $\"dflt\"\nr := $\"{input.x}\" if input.x else := $\"no\"",
       "x := [data.p.d, data.p.r]", NULL, "[\"dflt\",\"no\"]"),
    OK("function argument", "f($\"a{1}\") := 1\nr := [f(\"a1\")]", "x := data.p.r", NULL, "[1]"),
    OK("in a query", "q := 1", "x := $\"{1 + 1} {data.p.q}\"", NULL, "\"2 1\""),
    OK("as a some-in pattern", "u := {\"user_1\"}\nr if some $\"user_{1}\" in u", "x := data.p.r",
       NULL, "true"),
    OK("print of a template", "r := 1 if print($\"{input.nothing}\")", "x := data.p.r", NULL, "1"),

    /* the builtin called directly */
    OK("builtin parts", "r := 1",
       "x := internal.template_string([\"a\", {1}, set(), {\"s\"}, 2, false, null, {[set()]}])",
       NULL, "\"a1<undefined>s2falsenull[set()]\""),
    OK("builtin no parts", "r := 1", "x := internal.template_string([])", NULL, "\"\""),
    OK("builtin operand not an array", "r := 1", "x := internal.template_string(1)", NULL, ""),
    ERR("builtin multiple outputs", "r := 1", "x := internal.template_string([\"a\", {1, 2}])",
        "eval_conflict_error", "1:6: template-strings must not produce multiple outputs"),
    ERR("builtin illegal part halts", "r := 1", "x := internal.template_string([\"a\", [1]])",
        "eval_internal_error", "1:6: illegal argument type: array"),

    /* OPA's compile-time errors */
    ERR("var only in the string", "r := $\"{y}\"", "x := data.p.r", "rego_compile_error",
        "2:9: var y is undeclared"),
    ERR("wildcard would enumerate", "r := $\"{input.xs[_]}\"", "x := data.p.r", "rego_compile_error",
        "2:9: var _ is undeclared"),
    ERR("var declared later", "r if { $\"{x}\" == \"1\"; x := 1 }", "x := data.p.r",
        "rego_compile_error", "2:11: var x is undeclared"),
    ERR("var declared, never bound", "r if { some x; $\"{x}\" != \"\" }", "x := data.p.r",
        "rego_compile_error", "2:19: var x is undeclared"),
    ERR("var never bound", "r if { x > 1; $\"{x}\" != \"\" }", "x := data.p.r", "rego_compile_error",
        "2:18: var x is undeclared"),
    ERR("undeclared in a call has no location", "r := $\"{count(y)}\"", "x := data.p.r",
        "rego_compile_error", "0:0: var y is undeclared"),
    ERR("undeclared in a comprehension head", "r := [$\"{x}{z}\" | some x in [1]]", "x := data.p.r",
        "rego_compile_error", "2:13: var z is undeclared"),
    ERR("relation builtin", "r := $\"{walk(input)}\"", "x := data.p.r", "rego_compile_error",
        "0:0: illegal call to relation built-in 'walk' that may cause multiple outputs"),
    ERR("checked before safety", "r if { z > 1; $\"{y}\" == \"\" }", "x := data.p.r",
        "rego_compile_error", "2:18: var y is undeclared"),
    ERR("in a query, undeclared", "q := 1", "x := $\"{y}\"", "rego_compile_error",
        "1:9: var y is undeclared"),

    /* rego.parse_module's JSON AST */
    OK("json ast", "r := rego.parse_module(\"m.rego\", \"package m\\nq := $\\\"a{x}\\\\{\\\"\").rules[0].head.value",
       "x := data.p.r", NULL,
       "{\"type\":\"templatestring\",\"value\":{\"multi_line\":false,\"parts\":[{\"type\":\"string\","
       "\"value\":\"a\"},{\"index\":0,\"terms\":{\"type\":\"var\",\"value\":\"x\"}},"
       "{\"type\":\"string\",\"value\":\"{\"}]}}"),
    OK("json ast: raw, with, comment",
       "r := rego.parse_module(\"m.rego\", \"package m\\nq := $`{1 # c\\n}{2 with input as 3}{f(x) with input as 4}`\").rules[0].head.value",
       "x := data.p.r", NULL,
       "{\"type\":\"templatestring\",\"value\":{\"multi_line\":true,\"parts\":["
       "{\"index\":0,\"terms\":{\"type\":\"number\",\"value\":1}},{\"type\":\"number\",\"value\":2},"
       "{\"index\":0,\"terms\":[{\"type\":\"ref\",\"value\":[{\"type\":\"var\",\"value\":\"f\"}]},"
       "{\"type\":\"var\",\"value\":\"x\"}],\"with\":[{\"target\":{\"type\":\"ref\",\"value\":"
       "[{\"type\":\"var\",\"value\":\"input\"}]},\"value\":{\"type\":\"number\",\"value\":4}}]}]}}"),
};

/* print() sink of the runs: lines appended to a buffer. */
static void collect_print(void *ud, const char *s, size_t n)
{
    rp_buf_append(ud, s, n);
    rp_buf_putc(ud, '\n');
}

static char *run(const ecase *c, rp_error *err, rp_buf *printed, bool strict)
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
    o.print = printed ? collect_print : NULL;
    o.print_ud = printed;
    o.strict_builtin_errors = strict;
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

static void check(const ecase *c, const char *msg)
{
    rp_error err = {0};
    char *got = run(c, &err, NULL, false);
    if (c->want) {
        T_CHECKM(got && strcmp(got, c->want) == 0, "%s: got %s want %s (%s)", c->name,
                 got ? got : "(error)", c->want, err.msg);
    } else {
        T_CHECKM(!got && strcmp(rp_errkind_name(err.kind), c->code) == 0,
                 "%s: got %s / %s, want error %s", c->name, got ? got : "(error)",
                 rp_errkind_name(err.kind), c->code);
        char where[320];
        snprintf(where, sizeof(where), "%u:%u: %s", err.loc.line, err.loc.col, err.msg);
        if (msg)
            T_CHECKM(strcmp(where, msg) == 0, "%s: got %s want %s", c->name, where, msg);
    }
    free(got);
}

/* ---- print: OPA's lowering to internal.print and its output ----------------------
 * Lines printed (each ends in \n), the result or the error "code line:col:
 * message". */
typedef struct {
    const char *name, *module, *query;
    bool strict;
    const char *printed, *want;
} pcase;

#define PM "package p\n"
static const pcase print_cases[] = {
    {"values and undefined", PM "xs := [1, 2]", "print(\"xs:\", data.p.xs, input.nope, [input.nope], 1 / 0)",
     false, "xs: [1, 2] <undefined> <undefined> <undefined>\n", "true"},
    {"no arguments", PM, "print()", false, "\n", "true"},
    {"one line per value, the cross product in set order", PM "a := {\"b\", \"a\"}\nb := [true]",
     "print(walk(data.p.a), walk(data.p.b))", false,
     "[[], {\"a\", \"b\"}] [[], [true]]\n[[], {\"a\", \"b\"}] [[0], true]\n"
     "[[\"a\"], \"a\"] [[], [true]]\n[[\"a\"], \"a\"] [[0], true]\n"
     "[[\"b\"], \"b\"] [[], [true]]\n[[\"b\"], \"b\"] [[0], true]\n", "true"},
    {"relation builtins allowed", PM "xs := {1}", "print(walk(data.p.xs))", false,
     "[[], {1}]\n[[1], 1]\n", "true"},
    {"strings raw at the top, quoted inside, Go escapes", PM,
     "print(\"q\\\"\", [\"\\u00a0\\t\"], {\"b\": set()})", false,
     "q\" [\"\\u00a0\\t\"] {\"b\": set()}\n", "true"},
    {"with applies to the arguments", PM, "print(input.a) with input as {\"a\": 7}", false, "7\n",
     "true"},
    {"in a rule, bound variables", PM "r if { some x in [1, 2]; x > 1; print(\"x is\", x) }",
     "data.p.r", false, "x is 2\n", "true"},
    {"in a comprehension", PM "r := [y | some y in [1, 2]; print(y)]", "data.p.r", false,
     "1\n2\n", "[1,2]"},
    {"negated: prints, then fails", PM, "not print(1)", false, "1\n", NULL},
    {"strict: the argument's error stops the query", PM, "print(\"v:\", 1 / 0)", true, "",
     "eval_builtin_error 1:13: div: divide by zero"},
    {"var only in the call", PM, "print(x)", false, "", "rego_compile_error 1:7: var x is undeclared"},
    {"bound only after the call in the source", PM, "print(x); x = 1", false, "",
     "rego_compile_error 1:7: var x is undeclared"},
    {"bound before, through a later binding", PM, "y = x; print(y); x = 1", false, "",
     "rego_compile_error 1:14: var y is undeclared"},
    {"bound before the call, in any order", PM, "y = x; x = 1; print(y)", false, "1\n", "true"},
    {"every's variables", PM, "every z in [1, 2] { print(z) }", false, "1\n2\n", "true"},
    {"wildcard would enumerate", PM, "print(input.xs[_])", false, "",
     "rego_compile_error 1:7: var _ is undeclared"},
    {"used as a value", PM, "x := print(1)", false, "", "rego_type_error 1:6: print(1) used as value"},
    {"internal.print used as a value", PM, "x := internal.print([{1}])", false, "",
     "rego_type_error 1:6: internal.print([{1}]) used as value"},
    {"a package function named print is not the builtin", PM "print(x) := x + 1", "data.p.print(1)",
     false, "", "2"},
    {"internal.print directly", PM, "internal.print([{1, 2}, \"a\", 3, set()])", false,
     "1 a 3 <undefined>\n2 a 3 <undefined>\n", "true"},
    {"internal.print: an array part halts", PM, "internal.print([[1]])", false, "",
     "eval_internal_error 1:1: illegal argument type: array"},
};

static void check_print(const pcase *pc)
{
    ecase c = {pc->name, pc->module, "", NULL, NULL, NULL};
    rp_error err = {0};
    rp_buf printed;
    rp_buf_init(&printed);
    /* run() reports the first binding: a data ref is bound to x, a
     * statement is reported as whether it held */
    char wrapped[320];
    bool value_query = strncmp(pc->query, "data.", 5) == 0;
    snprintf(wrapped, sizeof(wrapped), value_query ? "x := %s" : "%s", pc->query);
    c.query = wrapped;
    char *got = run(&c, &err, &printed, pc->strict);
    T_CHECKM(strcmp(rp_buf_cstr(&printed), pc->printed) == 0, "%s: printed '%s' want '%s'",
             pc->name, rp_buf_cstr(&printed), pc->printed);
    char where[400];
    if (got)
        snprintf(where, sizeof(where), "%s", !*got ? "(undefined)" : value_query ? got : "true");
    else
        snprintf(where, sizeof(where), "%s %u:%u: %s", rp_errkind_name(err.kind), err.loc.line,
                 err.loc.col, err.msg);
    const char *want = pc->want ? pc->want : "(undefined)";
    T_CHECKM(strcmp(where, want) == 0, "%s: got %s want %s", pc->name, where, want);
    free(got);
    rp_buf_free(&printed);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(print_cases) / sizeof(print_cases[0]); i++)
        check_print(&print_cases[i]);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check(&cases[i], NULL);
    for (size_t i = 0; i < sizeof(tmpl_cases) / sizeof(tmpl_cases[0]); i++)
        check(&tmpl_cases[i].c, tmpl_cases[i].msg);
    return T_DONE();
}
