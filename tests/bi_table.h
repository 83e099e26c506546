/*
 * bi_table.h — calling builtins from tests, and tables of calls written as
 * Rego terms: reading a term, calling a builtin by name and printing its
 * outcome are written here once for the builtin test programs.
 *
 * Terms are Rego term literals, a superset of JSON: also sets ({1, 2},
 * set()), objects with non-string keys ({1: "a"}) and "\xNN" for a raw
 * (possibly invalid UTF-8) byte inside a string.  They are test input only:
 * a text the reader cannot read is a test bug and exits with status 2.
 *
 * A table case is {builtin, arguments as a Rego array, expected}.  The
 * expected text is "undefined", "!<kind>:<message>" for an error (kind being
 * type for eval_type_error, builtin for eval_builtin_error, limit or nomem),
 * or the result: printed as a Rego term (BT_RUN) or as compact JSON
 * (BT_RUN_JSON) and compared as text, or a term compared with the result
 * as a value, so 1 equals 1.0 (BT_RUN_VALUE).  All calls of one table share
 * one evaluation context, so non-deterministic builtins see one query.
 *
 * Functions are static inline so that a program using part of the header
 * compiles without unused-function warnings.
 */
#ifndef RAMPART_TESTS_BI_TABLE_H
#define RAMPART_TESTS_BI_TABLE_H

#include <stdlib.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"
#include "rego/value.h"
#include "t.h"

/* ---- reading Rego term literals --------------------------------------------- */

typedef struct {
    const char *s;
    rp_arena *a;
    bool bad;
} bt_reader;

static inline rego_value bt_value(bt_reader *r);

static inline void bt_ws(bt_reader *r)
{
    while (*r->s == ' ' || *r->s == '\n' || *r->s == '\t' || *r->s == '\r')
        r->s++;
}

static inline bool bt_eat(bt_reader *r, char c)
{
    bt_ws(r);
    if (*r->s != c)
        return false;
    r->s++;
    return true;
}

static inline bool bt_word(bt_reader *r, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(r->s, w, n) != 0)
        return false;
    r->s += n;
    return true;
}

/* n hex digits; sets bad when one is missing. */
static inline uint32_t bt_hex(bt_reader *r, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++, r->s++) {
        char c = *r->s;
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
        if (d < 0) {
            r->bad = true;
            return 0;
        }
        v = v * 16 + (uint32_t)d;
    }
    return v;
}

/* The code point of a \uXXXX escape (r->s after the 'u'); a high surrogate
 * followed by an escaped low one combine, a lone one becomes U+FFFD when
 * encoded, as in the JSON parser. */
static inline uint32_t bt_codepoint(bt_reader *r)
{
    uint32_t cp = bt_hex(r, 4);
    if (cp >= 0xD800 && cp < 0xDC00 && r->s[0] == '\\' && r->s[1] == 'u') {
        bt_reader peek = *r;
        peek.s += 2;
        uint32_t lo = bt_hex(&peek, 4);
        if (!peek.bad && lo >= 0xDC00 && lo <= 0xDFFF) {
            r->s = peek.s;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
    }
    return cp;
}

/* "..." with JSON's escapes and \xNN (a raw byte). */
static inline rego_value bt_string(bt_reader *r)
{
    static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t"; /* escape, byte */
    rp_buf b;
    rp_buf_init(&b);
    r->s++;
    while (*r->s && *r->s != '"') {
        char c = *r->s++;
        if (c != '\\') {
            rp_buf_putc(&b, c);
            continue;
        }
        char e = *r->s;
        if (!e)
            break;
        r->s++;
        const char *m = strchr(simple, e);
        if (e == 'x') {
            rp_buf_putc(&b, (char)bt_hex(r, 2));
        } else if (e == 'u') {
            char enc[4];
            rp_buf_append(&b, enc, rp_utf8_encode(bt_codepoint(r), enc));
        } else if (m && (m - simple) % 2 == 0) {
            rp_buf_putc(&b, m[1]);
        } else {
            r->bad = true;
            break;
        }
    }
    r->bad |= *r->s != '"';
    if (*r->s)
        r->s++;
    rego_value v = rego_str(r->a, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    return v;
}

static inline rego_value bt_number(bt_reader *r)
{
    const char *start = r->s;
    while (*r->s && strchr("-+0123456789.eE", *r->s))
        r->s++;
    rego_value v;
    if (r->s == start || !rego_number_parse(r->a, start, (size_t)(r->s - start), &v)) {
        r->bad = true;
        return rego_undef();
    }
    return v;
}

static inline rego_value bt_array(bt_reader *r)
{
    size_t n = 0, cap = 8;
    rego_value *items = rp_arena_array(r->a, cap, sizeof(rego_value));
    r->s++;
    if (!bt_eat(r, ']')) {
        do {
            if (n == cap) {
                items = rp_arena_grow(r->a, items, cap * sizeof(rego_value),
                                      2 * cap * sizeof(rego_value));
                cap *= 2;
            }
            items[n++] = bt_value(r);
        } while (!r->bad && bt_eat(r, ','));
        r->bad |= !bt_eat(r, ']');
    }
    return n ? rego_array_borrow(items, n) : rego_empty_array();
}

/* {} is an empty object, {k: v, ...} an object, {a, ...} a set. */
static inline rego_value bt_braces(bt_reader *r)
{
    r->s++;
    if (bt_eat(r, '}'))
        return rego_empty_object();
    rego_value first = bt_value(r);
    if (bt_eat(r, ':')) {
        rego_objb ob;
        rego_objb_init(&ob, r->a);
        rego_objb_put(&ob, first, bt_value(r));
        while (!r->bad && bt_eat(r, ',')) {
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
    while (!r->bad && bt_eat(r, ','))
        rego_setb_add(&sb, bt_value(r));
    r->bad |= !bt_eat(r, '}');
    return rego_setb_finish(&sb);
}

static inline rego_value bt_value(bt_reader *r)
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

/* The term written in text, built in arena a. */
static inline rego_value bt_term(rp_arena *a, const char *text)
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

/* ---- values built in code ------------------------------------------------------ */

/* inner inside n arrays, [[...[inner]...]]: inner sits at depth n + 1. */
static inline rego_value bt_nest_arrays(rp_arena *a, rego_value inner, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rego_value arr;
        rego_value *items = rego_array_alloc(a, 1, &arr);
        items[0] = inner;
        inner = arr;
    }
    return inner;
}

/* inner inside n objects, {key: {key: ... inner}}: inner sits at depth n + 1. */
static inline rego_value bt_nest_objects(rp_arena *a, const char *key, rego_value inner, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rego_objent e = {rego_cstr(a, key), inner};
        inner = rego_object_from(a, &e, 1);
    }
    return inner;
}

/* ---- calling a builtin --------------------------------------------------------- */

/* The builtin called name; its absence is a test bug. */
static inline const rego_builtin *bt_find(const char *name)
{
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    if (!bi) {
        fprintf(stderr, "test bug: no builtin %s\n", name);
        exit(2);
    }
    return bi;
}

/* Calls builtin name on args (as many as its arity) in ev. */
static inline rp_status bt_invoke(struct rego_evalctx *ev, const char *name, const rego_value *args,
                                  rego_value *out, rp_error *err)
{
    rp_loc loc = {"test.rego", 1, 1};
    *out = rego_undef();
    return rego_builtin_call(bt_find(name), ev, loc, args, out, err);
}

/* The items of args, an array of as many arguments as name takes; another
 * count is a test bug. */
static inline const rego_value *bt_args(const char *name, rego_value args)
{
    const rego_builtin *bi = bt_find(name);
    if (args.kind != REGO_ARRAY || args.n != bi->arity) {
        fprintf(stderr, "test bug: %s takes %u arguments, the test gives %u\n", name,
                (unsigned)bi->arity, args.kind == REGO_ARRAY ? (unsigned)args.n : 0);
        exit(2);
    }
    return args.u.items;
}

/* Calls name on the Rego array in args_text, read into arena in; results go
 * to ev's arena. */
static inline rp_status bt_invoke_text(struct rego_evalctx *ev, rp_arena *in, const char *name,
                                       const char *args_text, rego_value *out, rp_error *err)
{
    return bt_invoke(ev, name, bt_args(name, bt_term(in, args_text)), out, err);
}

static inline const char *bt_kind(rp_status st, const rp_error *err)
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

/* A call's outcome as text: "!kind:message", "undefined", or v in fmt;
 * cut to fit cap. */
static inline void bt_outcome(rp_status st, const rp_error *err, rego_value v, rego_fmt fmt,
                              char *out, size_t cap)
{
    rp_buf b;
    rp_buf_init(&b);
    if (st != RP_OK)
        rp_buf_printf(&b, "!%s:%s", bt_kind(st, err), err->msg);
    else
        rego_value_write(&b, v, fmt); /* undefined prints as "undefined" */
    const char *text = rp_buf_cstr(&b);
    size_t n = strlen(text) < cap ? strlen(text) : cap - 1;
    memcpy(out, text, n);
    out[n] = 0;
    rp_buf_free(&b);
}

/* v printed in fmt, in a static buffer (valid until the next call). */
static inline const char *bt_show(rego_value v, rego_fmt fmt)
{
    static char out[1 << 16];
    bt_outcome(RP_OK, NULL, v, fmt, out, sizeof(out));
    return out;
}

/* Calls name on the array args in ev and prints the outcome in fmt into out. */
static inline rp_status bt_call_values(struct rego_evalctx *ev, const char *name, rego_value args,
                                       rego_fmt fmt, char *out, size_t cap)
{
    rp_error err = {0};
    rego_value v;
    rp_status st = bt_invoke(ev, name, bt_args(name, args), &v, &err);
    bt_outcome(st, &err, v, fmt, out, cap);
    return st;
}

/* Calls fn with the arguments in args_text (inputs and results in ev's
 * arena) and prints the outcome as a Rego term into out. */
static inline rp_status bt_call(struct rego_evalctx *ev, const char *fn, const char *args_text,
                                char *out, size_t cap)
{
    return bt_call_values(ev, fn, bt_term(ev->arena, args_text), REGO_FMT_REGO, out, cap);
}

/* ---- tables ----------------------------------------------------------------------- */

typedef struct {
    const char *fn, *args, *want;
} bt_case;

/* How a table's expected results are compared ("undefined" and errors are
 * compared as text in all three). */
typedef enum {
    BT_WANT_REGO,  /* printed as a Rego term, to the byte */
    BT_WANT_JSON,  /* printed as compact JSON, to the byte */
    BT_WANT_VALUE, /* read as a term and compared as a value (rego_equal) */
} bt_want;

static inline void bt_check(struct rego_evalctx *ev, const bt_case *c, bt_want want)
{
    static char got[1 << 16];
    rp_error err = {0};
    rego_value v;
    rp_status st = bt_invoke_text(ev, ev->arena, c->fn, c->args, &v, &err);
    bt_outcome(st, &err, v, want == BT_WANT_JSON ? REGO_FMT_JSON : REGO_FMT_REGO, got, sizeof(got));
    bool ok;
    if (want == BT_WANT_VALUE && c->want[0] != '!' && strcmp(c->want, "undefined") != 0)
        ok = st == RP_OK && !rego_is_undef(v) && rego_equal(v, bt_term(ev->arena, c->want));
    else
        ok = strcmp(got, c->want) == 0;
    T_CHECKM(ok, "%s(%s)\n    got:  %s\n    want: %s", c->fn, c->args, got, c->want);
}

/* Runs a table in one fresh query context (now_ns fixed when non-zero). */
static inline void bt_run(const bt_case *cases, size_t n, int64_t now_ns, bt_want want)
{
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    ev.now_ns = now_ns;
    for (size_t i = 0; i < n; i++)
        bt_check(&ev, &cases[i], want);
    rp_arena_free(a);
}

/* Runs table tab, printing results as Rego terms. */
#define BT_RUN(tab, now) bt_run(tab, RP_ARRAY_LEN(tab), now, BT_WANT_REGO)
/* Runs table tab, printing results as compact JSON. */
#define BT_RUN_JSON(tab) bt_run(tab, RP_ARRAY_LEN(tab), 0, BT_WANT_JSON)
/* Runs table tab, comparing results as values. */
#define BT_RUN_VALUE(tab) bt_run(tab, RP_ARRAY_LEN(tab), 0, BT_WANT_VALUE)

#endif
