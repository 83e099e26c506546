/*
 * bi_json.h — table-driven builtin tests written in JSON (test_bi_collections.c,
 * test_bi_encoding.c): {"$set": [...]} stands for a set and
 * {"$obj": [[k, v], ...]} for an object with non-string keys; a case is
 * {builtin, arguments as a JSON array, expected value or NULL for undefined,
 * expected error}.  Include once per test program.
 */
#ifndef RAMPART_TESTS_BI_JSON_H
#define RAMPART_TESTS_BI_JSON_H

#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"
#include "rego/json.h"
#include "rego/limits.h"
#include "t.h"

static rp_arena *A;


static rego_value convert(rego_value v);

static rego_value convert_items(rego_value v)
{
    rego_value out;
    rego_value *items = rego_array_alloc(A, v.n, &out);
    for (size_t i = 0; i < v.n; i++)
        items[i] = convert(v.u.items[i]);
    return v.n ? out : rego_empty_array();
}

/* Rewrites the $set / $obj conventions into real sets and objects. */
static rego_value convert(rego_value v)
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

static rego_value V(const char *json)
{
    rego_value v;
    rp_error err = {0};
    if (rego_json_parse(A, json, strlen(json), "test", &v, &err) != RP_OK) {
        fprintf(stderr, "bad test JSON %s: %s\n", json, err.msg);
        exit(2);
    }
    return convert(v);
}

static const char *show(rego_value v)
{
    static char out[4096];
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_REGO);
    snprintf(out, sizeof(out), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return out;
}

static rp_status call(const char *name, rego_value args, rego_value *out, rp_error *err)
{
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    if (!bi) {
        fprintf(stderr, "no builtin %s\n", name);
        exit(2);
    }
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, A);
    rp_loc loc = {"t.rego", 1, 1};
    if (args.n != bi->arity) {
        fprintf(stderr, "%s: arity %u, test gives %u\n", name, bi->arity, args.n);
        exit(2);
    }
    return rego_builtin_call(bi, &ev, loc, args.u.items, out, err);
}

/* want: expected value as JSON, or NULL for undefined.  err: NULL, or
 * "T:text" (eval_type_error), "B:text" (eval_builtin_error), "L:text"
 * (limit), text being a substring of the message. */
typedef struct {
    const char *name, *args, *want, *err;
} bcase;

static void run(const bcase *c)
{
    rego_value out;
    rp_error err = {0};
    rp_status st = call(c->name, V(c->args), &out, &err);
    if (c->err) {
        rp_errkind kind = c->err[0] == 'T'   ? RP_EK_EVAL_TYPE
                          : c->err[0] == 'B' ? RP_EK_EVAL_BUILTIN
                                             : RP_EK_EVAL_CANCEL;
        T_CHECKM(st != RP_OK && err.kind == kind && strstr(err.msg, c->err + 2),
                 "%s%s: want error %s, got status %d kind %d msg '%s'", c->name, c->args, c->err,
                 st, err.kind, err.msg);
        return;
    }
    if (st != RP_OK) {
        T_CHECKM(0, "%s%s: unexpected error %s", c->name, c->args, err.msg);
        return;
    }
    if (!c->want) {
        T_CHECKM(rego_is_undef(out), "%s%s: want undefined, got %s", c->name, c->args, show(out));
        return;
    }
    rego_value want = V(c->want);
    T_CHECKM(!rego_is_undef(out) && rego_equal(out, want), "%s%s:\n    got:  %s\n    want: %s",
             c->name, c->args, rego_is_undef(out) ? "undefined" : show(out), c->want);
}

#endif
