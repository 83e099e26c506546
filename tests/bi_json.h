/*
 * bi_json.h — builtin tests written in JSON (test_bi_collections.c,
 * test_bi_encoding.c, test_bi_graphql.c; test_bi_rego.c for its JSON
 * values), on top of bi_table.h's calling and printing.
 *
 * Values are JSON read by the library's JSON parser, where {"$set": [...]}
 * stands for a set and {"$obj": [[k, v], ...]} for an object with
 * non-string keys.  A case is {builtin, arguments as a JSON array, expected
 * value or NULL for undefined, expected error}; results are compared as
 * values (rego_equal), errors by kind and text.
 *
 * Why this is not bi_table.h: those tables pin the printed result and the
 * whole error message; these compare documents as values and name an error
 * by kind and part of its message ("T:operand 2 must be integer number").
 * Their cases were written against OPA that way (patches, YAML and GraphQL
 * ASTs as JSON documents), and turning them into bi_table.h cases would
 * mean inventing exact texts nobody checked against OPA.  Everything below
 * the tables (reading terms, calling by name, printing) is bi_table.h's.
 */
#ifndef RAMPART_TESTS_BI_JSON_H
#define RAMPART_TESTS_BI_JSON_H

#include "bi_table.h"
#include "rego/json.h"

static rp_arena *A; /* test values and, unless a test says otherwise, results */

static inline rego_value convert(rego_value v);

static inline rego_value convert_items(rego_value v)
{
    rego_value out;
    rego_value *items = rego_array_alloc(A, v.n, &out);
    for (size_t i = 0; i < v.n; i++)
        items[i] = convert(v.u.items[i]);
    return v.n ? out : rego_empty_array();
}

/* Rewrites the $set / $obj conventions into real sets and objects. */
static inline rego_value convert(rego_value v)
{
    if (v.kind == REGO_ARRAY)
        return convert_items(v);
    if (v.kind != REGO_OBJECT)
        return v;
    rego_value inner;
    if (v.n == 1 && rego_object_get_str(v, "$set", 4, rego_hash_str("$set", 4), &inner)) {
        rego_value items = convert_items(inner);
        return items.n ? rego_set_from(A, items.u.items, items.n) : rego_empty_set();
    }
    rego_objb b;
    rego_objb_init(&b, A);
    if (v.n == 1 && rego_object_get_str(v, "$obj", 4, rego_hash_str("$obj", 4), &inner)) {
        for (size_t i = 0; i < inner.n; i++)
            rego_objb_set(&b, convert(inner.u.items[i].u.items[0]),
                          convert(inner.u.items[i].u.items[1]));
        return rego_objb_finish(&b);
    }
    for (size_t i = 0; i < v.n; i++)
        rego_objb_set(&b, rego_object_at(v, i).key, convert(rego_object_at(v, i).val));
    return rego_objb_finish(&b);
}

/* The value written in json, in A; bad JSON is a test bug. */
static inline rego_value V(const char *json)
{
    rego_value v;
    rp_error err = {0};
    if (rego_json_parse(A, json, strlen(json), "test", &v, &err) != RP_OK) {
        fprintf(stderr, "test bug: bad JSON %s: %s\n", json, err.msg);
        exit(2);
    }
    return convert(v);
}

/* Calls name on the array args in a fresh query context on A. */
static inline rp_status call(const char *name, rego_value args, rego_value *out, rp_error *err)
{
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, A);
    return bt_invoke(&ev, name, bt_args(name, args), out, err);
}

/* want: expected value as JSON, or NULL for undefined.  err: NULL, or
 * "T:text" (eval_type_error), "B:text" (eval_builtin_error), "L:text"
 * (limit), text being matched as bj_match says. */
typedef struct {
    const char *name, *args, *want, *err;
} bcase;

/* How the text of an expected error matches the message. */
typedef enum {
    BJ_PART,  /* a part of the message */
    BJ_WHOLE, /* for "B:": the whole message after "<builtin>: ", up to where
               * rp_error cuts it (about 200 bytes); a part for "T:", "L:" */
} bj_match;

static inline bool bj_error_matches(const char *name, const char *msg, const char *werr,
                                    bj_match m)
{
    const char *text = werr + 2;
    if (m == BJ_PART || werr[0] != 'B')
        return strstr(msg, text) != NULL;
    size_t pl = strlen(name);
    if (strncmp(msg, name, pl) != 0 || strncmp(msg + pl, ": ", 2) != 0)
        return false;
    const char *rest = msg + pl + 2;
    return *rest && strncmp(rest, text, strlen(rest)) == 0 &&
           (strlen(text) == strlen(rest) || strlen(msg) >= 190);
}

static inline void bj_check(const bcase *c, bj_match m)
{
    rego_value out;
    rp_error err = {0};
    rp_status st = call(c->name, V(c->args), &out, &err);
    if (c->err) {
        rp_errkind kind = c->err[0] == 'T'   ? RP_EK_EVAL_TYPE
                          : c->err[0] == 'B' ? RP_EK_EVAL_BUILTIN
                                             : RP_EK_EVAL_CANCEL;
        T_CHECKM(st != RP_OK && err.kind == kind && bj_error_matches(c->name, err.msg, c->err, m),
                 "%s%s: want error %s, got status %d kind %d msg '%s'", c->name, c->args, c->err,
                 st, err.kind, err.msg);
        return;
    }
    if (st != RP_OK) {
        T_CHECKM(0, "%s%s: unexpected error %s", c->name, c->args, err.msg);
        return;
    }
    if (!c->want) {
        T_CHECKM(rego_is_undef(out), "%s%s: want undefined, got %s", c->name, c->args,
                 bt_show(out, REGO_FMT_REGO));
        return;
    }
    rego_value want = V(c->want);
    T_CHECKM(!rego_is_undef(out) && rego_equal(out, want), "%s%s:\n    got:  %s\n    want: %s",
             c->name, c->args, bt_show(out, REGO_FMT_REGO), c->want);
}

/* Runs every case of table tab, errors matched as m says. */
#define BJ_RUN(tab, m)                                                                             \
    do {                                                                                           \
        for (size_t bj_i_ = 0; bj_i_ < RP_ARRAY_LEN(tab); bj_i_++)                                 \
            bj_check(&(tab)[bj_i_], m);                                                            \
    } while (0)

#endif
