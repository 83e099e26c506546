/*
 * fuzz_graphql.c — libFuzzer harness for the graphql builtins: the input is
 * split at the first NUL into a query and a schema, both GraphQL text.  The
 * harness runs graphql.parse_query, graphql.parse_schema,
 * graphql.schema_is_valid, graphql.is_valid and graphql.parse, then feeds
 * the ASTs the parsers returned back in as AST objects.  It aborts (so that
 * libFuzzer keeps the input) when:
 *  - a builtin fails with anything but a GraphQL error, a limit or out of
 *    memory, or a GraphQL error has no message;
 *  - is_valid disagrees with graphql.parse succeeding;
 *  - the schema's AST object is judged differently from its text by
 *    schema_is_valid (validity does not depend on positions), or graphql.parse
 *    does not hand the schema AST object back unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"

#define FUZZ_ARENA_BUDGET (256u << 20) /* far above what libFuzzer's inputs need */

REGO_BUILTIN_GROUP(graphql);

static rp_status call(rp_arena *a, const char *name, rego_value *args, rego_value *out)
{
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rp_error err = {0};
    rp_loc loc = {0};
    rp_status st = rego_builtin_call(bi, &ev, loc, args, out, &err);
    bool expected = st == RP_OK || st == RP_ERR_LIMIT || st == RP_ERR_NOMEM ||
                    (st == RP_ERR_EVAL && err.kind == RP_EK_EVAL_BUILTIN);
    if (!expected || (st != RP_OK && !err.msg[0]))
        abort();
    return st;
}

static bool is_true(rego_value v) { return v.kind == REGO_BOOL && v.u.b; }

/* Runs the two-document builtins on (q, s) and checks they agree. */
static void check_pair(rp_arena *a, rego_value q, rego_value s)
{
    rego_value args[2] = {q, s}, valid, parsed, verified;
    rp_status sv = call(a, "graphql.is_valid", args, &valid);
    rp_status sp = call(a, "graphql.parse", args, &parsed);
    rp_status sf = call(a, "graphql.parse_and_verify", args, &verified);
    if (sv != RP_OK || sp == RP_ERR_LIMIT || sp == RP_ERR_NOMEM || sf != RP_OK)
        return;
    if (is_true(valid) != (sp == RP_OK))
        abort();
    if (verified.kind != REGO_ARRAY || verified.n != 3 || is_true(verified.u.items[0]) != is_true(valid))
        abort();
    if (sp == RP_OK && !rego_equal(parsed.u.items[1], verified.u.items[2]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rego_builtins_graphql[0].name)
        abort();
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    const char *text = (const char *)data;
    const char *nul = memchr(text, 0, size);
    size_t qn = nul ? (size_t)(nul - text) : size;
    const char *stext = nul ? nul + 1 : "type Query { a: Int b(x: Int): Query }";
    size_t sn = nul ? size - qn - 1 : strlen(stext);
    rego_value q = rego_str(a, text, qn), s = rego_str(a, stext, sn);
    rego_value qast, sast, v1, v2;
    bool have_q = call(a, "graphql.parse_query", &q, &qast) == RP_OK;
    bool have_s = call(a, "graphql.parse_schema", &s, &sast) == RP_OK;
    check_pair(a, q, s);
    if (have_s) {
        rp_status r1 = call(a, "graphql.schema_is_valid", &s, &v1);
        rp_status r2 = call(a, "graphql.schema_is_valid", &sast, &v2);
        if (r1 == RP_OK && r2 == RP_OK && is_true(v1) != is_true(v2))
            abort();
        rego_value args[2] = {q, sast}, parsed;
        if (call(a, "graphql.parse", args, &parsed) == RP_OK && !rego_equal(parsed.u.items[1], sast))
            abort();
        check_pair(a, q, sast);
    }
    if (have_q) {
        check_pair(a, qast, s);
        if (have_s)
            check_pair(a, qast, sast);
    }
    rp_arena_free(a);
    return 0;
}
