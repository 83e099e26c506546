/*
 * bi_table.h — table-driven builtin tests for test_bi_time.c, test_bi_net.c
 * and test_bi_misc.c: a reader for Rego term literals (test input only), a
 * call helper that prints the outcome as text, and a table runner.
 *
 * A case is {builtin, arguments as a Rego array literal, expected}.  The
 * expected text is the result printed as a Rego term, "undefined", or
 * "!<kind>:<message>" for an error, kind being type (eval_type_error),
 * builtin (eval_builtin_error), limit or nomem.  All calls of one table share
 * one evaluation context, so non-deterministic builtins see one query.
 */
#ifndef RAMPART_TESTS_BI_TABLE_H
#define RAMPART_TESTS_BI_TABLE_H

#include <stdlib.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"
#include "rego/value.h"
#include "t.h"

typedef struct {
    const char *s;
    rp_arena *a;
    bool bad;
} bt_reader;

static rego_value bt_value(bt_reader *r);

static void bt_ws(bt_reader *r)
{
    while (*r->s == ' ')
        r->s++;
}

static bool bt_eat(bt_reader *r, char c)
{
    bt_ws(r);
    if (*r->s != c)
        return false;
    r->s++;
    return true;
}

/* "..." with \" \\ \n \t and \xNN (raw byte) escapes. */
static rego_value bt_string(bt_reader *r)
{
    char buf[1024];
    size_t n = 0;
    r->s++;
    while (*r->s && *r->s != '"' && n < sizeof(buf)) {
        char c = *r->s++;
        if (c == '\\') {
            c = *r->s++;
            if (c == 'n')
                c = '\n';
            else if (c == 't')
                c = '\t';
            else if (c == 'x') {
                char hex[3] = {r->s[0], r->s[1], 0};
                c = (char)strtol(hex, NULL, 16);
                r->s += 2;
            }
        }
        buf[n++] = c;
    }
    r->bad |= *r->s != '"';
    r->s++;
    return rego_str(r->a, buf, n);
}

static rego_value bt_number(bt_reader *r)
{
    const char *start = r->s;
    while (*r->s && strchr("-+0123456789.eE", *r->s))
        r->s++;
    rego_value v;
    if (!rego_number_parse(r->a, start, (size_t)(r->s - start), &v)) {
        r->bad = true;
        return rego_undef();
    }
    return v;
}

static rego_value bt_array(bt_reader *r)
{
    rego_value items[128], out;
    size_t n = 0;
    r->s++;
    if (!bt_eat(r, ']')) {
        do
            items[n++] = bt_value(r);
        while (n < 128 && bt_eat(r, ','));
        r->bad |= !bt_eat(r, ']');
    }
    rego_value *dst = rego_array_alloc(r->a, n, &out);
    if (n)
        memcpy(dst, items, n * sizeof(*dst));
    return out;
}

/* {} is an empty object, {k: v, ...} an object, {a, ...} a set. */
static rego_value bt_braces(bt_reader *r)
{
    r->s++;
    if (bt_eat(r, '}'))
        return rego_empty_object();
    rego_value first = bt_value(r);
    if (bt_eat(r, ':')) {
        rego_objb ob;
        rego_objb_init(&ob, r->a);
        rego_objb_put(&ob, first, bt_value(r));
        while (bt_eat(r, ',')) {
            rego_value k = bt_value(r);
            r->bad |= !bt_eat(r, ':');
            rego_objb_put(&ob, k, bt_value(r));
        }
        r->bad |= !bt_eat(r, '}');
        return rego_objb_finish(&ob);
    }
    rego_setb sb;
    rego_setb_init(&sb, r->a);
    rego_setb_add(&sb, first);
    while (bt_eat(r, ','))
        rego_setb_add(&sb, bt_value(r));
    r->bad |= !bt_eat(r, '}');
    return rego_setb_finish(&sb);
}

static bool bt_word(bt_reader *r, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(r->s, w, n) != 0)
        return false;
    r->s += n;
    return true;
}

static rego_value bt_value(bt_reader *r)
{
    bt_ws(r);
    switch (*r->s) {
    case '[': return bt_array(r);
    case '{': return bt_braces(r);
    case '"': return bt_string(r);
    default: break;
    }
    if (bt_word(r, "null"))
        return rego_null();
    if (bt_word(r, "true"))
        return rego_bool(true);
    if (bt_word(r, "false"))
        return rego_bool(false);
    if (bt_word(r, "set()"))
        return rego_empty_set();
    return bt_number(r);
}

static rego_value bt_term(rp_arena *a, const char *text)
{
    bt_reader r = {text, a, false};
    rego_value v = bt_value(&r);
    bt_ws(&r);
    if (r.bad || *r.s) {
        fprintf(stderr, "test bug: cannot read %s\n", text);
        exit(2);
    }
    return v;
}

static const char *bt_kind(rp_status st, const rp_error *err)
{
    if (st == RP_ERR_LIMIT)
        return "limit";
    if (st == RP_ERR_NOMEM)
        return "nomem";
    if (st == RP_ERR_TYPE && err->kind == RP_EK_EVAL_TYPE)
        return "type";
    if (st == RP_ERR_EVAL && err->kind == RP_EK_EVAL_BUILTIN)
        return "builtin";
    return "other";
}

/* Calls fn with the arguments in args_text (inputs and results in ev's
 * arena) and prints the outcome into out. */
static rp_status bt_call(struct rego_evalctx *ev, const char *fn, const char *args_text, char *out,
                         size_t cap)
{
    const rego_builtin *bi = rego_builtin_find(fn, strlen(fn));
    if (!bi) {
        snprintf(out, cap, "!nobuiltin");
        return RP_ERR_COMPILE;
    }
    rego_value args = bt_term(ev->arena, args_text);
    if (args.kind != REGO_ARRAY || args.n != bi->arity) {
        snprintf(out, cap, "!arity %u", (unsigned)args.n);
        return RP_ERR_COMPILE;
    }
    rp_error err = {0};
    rp_loc loc = {"test.rego", 1, 1};
    rego_value v;
    rp_status st = rego_builtin_call(bi, ev, loc, args.u.items, &v, &err);
    if (st != RP_OK) {
        snprintf(out, cap, "!%s:%s", bt_kind(st, &err), err.msg);
        return st;
    }
    if (v.kind == REGO_UNDEF) {
        snprintf(out, cap, "undefined");
        return st;
    }
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_REGO);
    snprintf(out, cap, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

typedef struct {
    const char *fn, *args, *want;
} bt_case;

/* Runs a table in one fresh query context (now_ns fixed when non-zero). */
static void bt_run(const bt_case *cases, size_t n, int64_t now_ns)
{
    static char got[1 << 16];
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    ev.now_ns = now_ns;
    for (size_t i = 0; i < n; i++) {
        const bt_case *c = &cases[i];
        bt_call(&ev, c->fn, c->args, got, sizeof(got));
        T_CHECKM(strcmp(got, c->want) == 0, "%s(%s)\n    got:  %s\n    want: %s", c->fn, c->args,
                 got, c->want);
    }
    rp_arena_free(a);
}

#define BT_RUN(tab, now) bt_run(tab, RP_ARRAY_LEN(tab), now)

#endif
