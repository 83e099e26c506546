/*
 * types.c — the builtin group "types": is_number ... is_null, type_name,
 * to_number and the deprecated cast_array, cast_set, cast_string,
 * cast_boolean, cast_null, cast_object.
 *
 * Behaviour and error texts follow OPA's topdown (type.go, type_name.go,
 * casts.go).  to_number accepts exactly what Go's strconv.ParseFloat
 * accepts (leading '+', ".5", "1_000", hex floats "0x1p-2"; no spaces), except
 * the infinities and NaN, which OPA rejects first; its errors reproduce Go's
 * strconv error text.  Work is linear in the string.  No global state.
 */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../builtin.h"
#include "sprintf.h"

/* ---- type tests ------------------------------------------------------------ */

static rp_status is_kind(const rego_value *args, rego_value *out, rego_kind k)
{
    *out = rego_bool(args[0].kind == k);
    return RP_OK;
}

static rp_status bi_is_number(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_NUMBER);
}

static rp_status bi_is_string(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_STRING);
}

static rp_status bi_is_boolean(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_BOOL);
}

static rp_status bi_is_array(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_ARRAY);
}

static rp_status bi_is_set(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_SET);
}

static rp_status bi_is_object(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_OBJECT);
}

static rp_status bi_is_null(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    return is_kind(args, out, REGO_NULL);
}

static rp_status bi_type_name(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    const char *name = rego_type_name(args[0]); /* static storage */
    *out = rego_str_borrow(name, strlen(name));
    return RP_OK;
}

/* ---- to_number: Go's float syntax ------------------------------------------ */

typedef enum { GO_NUM_OK, GO_NUM_SYNTAX, GO_NUM_RANGE, GO_NUM_NOMEM } go_num_status;

typedef struct {
    bool hex, dot, exp, underscores;
} go_num_shape;

static char lower(char c) { return (char)(c | 0x20); }
static bool is_dec(char c) { return c >= '0' && c <= '9'; }
static bool is_hex(char c) { return is_dec(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

/* Go's rule for '_' in number literals: only between digits, or between a
 * base prefix and a digit. */
static bool underscores_ok(const char *s, size_t n)
{
    size_t i = 0;
    char saw = '^'; /* ^ start, 0 digit or prefix, _ underscore, ! other */
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    bool hex = false;
    if (n - i >= 2 && s[i] == '0' &&
        (lower(s[i + 1]) == 'b' || lower(s[i + 1]) == 'o' || lower(s[i + 1]) == 'x')) {
        hex = lower(s[i + 1]) == 'x';
        i += 2;
        saw = '0';
    }
    for (; i < n; i++) {
        if (is_dec(s[i]) || (hex && is_hex(s[i]))) {
            saw = '0';
        } else if (s[i] == '_') {
            if (saw != '0')
                return false;
            saw = '_';
        } else {
            if (saw == '_')
                return false;
            saw = '!';
        }
    }
    return saw != '_';
}

/* The exponent after 'e'/'p': optional sign, a digit, then digits or '_'. */
static bool scan_exponent(const char *s, size_t n, size_t *i, go_num_shape *sh)
{
    if (*i < n && (s[*i] == '+' || s[*i] == '-'))
        (*i)++;
    if (*i >= n || !is_dec(s[*i]))
        return false;
    for (; *i < n && (is_dec(s[*i]) || s[*i] == '_'); (*i)++)
        sh->underscores |= s[*i] == '_';
    return true;
}

/* Checks s against strconv.ParseFloat's grammar (readFloat), whole string. */
static bool go_float_syntax(const char *s, size_t n, go_num_shape *sh)
{
    size_t i = 0;
    memset(sh, 0, sizeof(*sh));
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i + 2 < n && s[i] == '0' && lower(s[i + 1]) == 'x') {
        sh->hex = true;
        i += 2;
    }
    bool digits = false;
    for (; i < n; i++) {
        if (s[i] == '_') {
            sh->underscores = true;
        } else if (s[i] == '.') {
            if (sh->dot)
                break;
            sh->dot = true;
        } else if (is_dec(s[i]) || (sh->hex && is_hex(s[i]))) {
            digits = true;
        } else {
            break;
        }
    }
    if (!digits)
        return false;
    if (i < n && lower(s[i]) == (sh->hex ? 'p' : 'e')) {
        i++;
        sh->exp = true;
        if (!scan_exponent(s, n, &i, sh))
            return false;
    } else if (sh->hex) {
        return false; /* hex mantissas need a 'p' exponent */
    }
    if (i != n)
        return false;
    return !sh->underscores || underscores_ok(s, n);
}

/* Copies s without '_' and without a leading '+' (neither strtod nor GMP
 * wants them), NUL-terminated, into scratch space in a. */
static char *clean_number(rp_arena *a, const char *s, size_t n)
{
    char *buf = rp_arena_alloc(a, n + 1);
    if (!buf)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_' && !(i == 0 && s[i] == '+'))
            buf[w++] = s[i];
    buf[w] = 0;
    return buf;
}

/* Converts a syntactically valid number.  Decimal integers stay exact (as
 * OPA keeps the literal text); anything ParseFloat would overflow is a range
 * error, integers included. */
static go_num_status go_float_value(rp_arena *a, const char *s, size_t n, const go_num_shape *sh,
                                    rego_value *out)
{
    char *buf = clean_number(a, s, n);
    if (!buf)
        return GO_NUM_NOMEM;
    go_num_status st = GO_NUM_OK;
    double d = strtod(buf, NULL);
    if (isinf(d)) {
        st = GO_NUM_RANGE;
    } else if (!sh->hex && !sh->dot && !sh->exp) {
        mpz_t z;
        mpz_init(z);
        if (mpz_set_str(z, buf, 10) == 0)
            *out = rego_num_from_mpz(a, z);
        mpz_clear(z);
    } else {
        /* "1.0" or "1e3" is not an integer literal for OPA (it is no array
         * index, for one), so it stays a float. */
        *out = rego_float(d == 0 ? 0 : d);
    }
    return st;
}


/* Appends s quoted as Go's strconv.Quote does, closely enough for messages:
 * printable runes are kept, invalid bytes become \xNN, C1 controls \u00NN. */
/* strconv.Quote (shared with sprintf: one implementation of Go's quoting). */
static void go_quote(rp_buf *b, const char *s, size_t n) { rego_go_quote(b, s, n); }

/* Go's *NumError text: strconv.ParseFloat: parsing "x": invalid syntax. */
static rp_status parse_error(rego_bctx *ctx, const char *s, size_t n, go_num_status st)
{
    rp_buf b;
    rp_buf_init(&b);
    go_quote(&b, s, n < 120 ? n : 120); /* the message is truncated anyway */
    rp_status rc = rego_bi_errorf(ctx, "strconv.ParseFloat: parsing %s: %s", rp_buf_cstr(&b),
                                  st == GO_NUM_RANGE ? "value out of range" : "invalid syntax");
    rp_buf_free(&b);
    return rc;
}

/* OPA checks for infinities and NaN after stripping every leading sign. */
static bool names_inf_or_nan(const char *s, size_t n)
{
    while (n > 0 && (*s == '+' || *s == '-')) {
        s++;
        n--;
    }
    static const char *const names[] = {"inf", "infinity", "nan"};
    for (size_t i = 0; i < RP_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
            return true;
    return false;
}

static rp_status string_to_number(rego_bctx *ctx, rego_value str, rego_value *out)
{
    const char *s = str.u.s;
    size_t n = str.n;
    if (names_inf_or_nan(s, n))
        return rego_bi_type_error(ctx, 1, str, "valid number string");
    go_num_shape sh;
    if (!go_float_syntax(s, n, &sh))
        return parse_error(ctx, s, n, GO_NUM_SYNTAX);
    go_num_status st = go_float_value(ctx->arena, s, n, &sh, out);
    if (st == GO_NUM_NOMEM)
        return rego_bi_nomem(ctx);
    if (st != GO_NUM_OK)
        return parse_error(ctx, s, n, st);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status bi_to_number(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value v = args[0];
    switch ((rego_kind)v.kind) {
    case REGO_NULL: *out = rego_int(0); return RP_OK;
    case REGO_BOOL: *out = rego_int(v.u.b ? 1 : 0); return RP_OK;
    case REGO_NUMBER: *out = v; return RP_OK;
    case REGO_STRING: return string_to_number(ctx, v, out);
    case REGO_UNDEF:
    case REGO_ARRAY:
    case REGO_OBJECT:
    case REGO_SET: break;
    }
    return rego_bi_type_error(ctx, 1, v, "one of {null, boolean, number, string}");
}

/* ---- casts (deprecated in OPA v0.13) --------------------------------------- */

static rp_status bi_cast_array(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value v = args[0];
    if (v.kind == REGO_ARRAY)
        *out = v;
    else if (v.kind == REGO_SET) /* sorted items become the array, shared */
        *out = rego_array_borrow(v.u.set->items, v.n);
    else
        return rego_bi_type_error(ctx, 1, v, "one of {array, set}");
    return RP_OK;
}

static rp_status bi_cast_set(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value v = args[0];
    if (v.kind == REGO_SET) {
        *out = v;
        return RP_OK;
    }
    if (v.kind != REGO_ARRAY)
        return rego_bi_type_error(ctx, 1, v, "one of {array, set}");
    *out = rego_set_from(ctx->arena, v.u.items, v.n);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status cast_identity(rego_bctx *ctx, const rego_value *args, rego_value *out, rego_kind k)
{
    if (!rego_bi_arg_kind(ctx, args, 0, k))
        return RP_ERR_TYPE;
    *out = args[0];
    return RP_OK;
}

static rp_status bi_cast_string(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return cast_identity(ctx, args, out, REGO_STRING);
}

static rp_status bi_cast_boolean(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return cast_identity(ctx, args, out, REGO_BOOL);
}

static rp_status bi_cast_null(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return cast_identity(ctx, args, out, REGO_NULL);
}

static rp_status bi_cast_object(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return cast_identity(ctx, args, out, REGO_OBJECT);
}

/* ---- table ----------------------------------------------------------------- */

#define IS_SIG "(any) => boolean"
#define DEP REGO_BI_DEPRECATED

const rego_builtin rego_builtins_types[] = {
    {"is_number", NULL, IS_SIG, 1, 0, bi_is_number},
    {"is_string", NULL, IS_SIG, 1, 0, bi_is_string},
    {"is_boolean", NULL, IS_SIG, 1, 0, bi_is_boolean},
    {"is_array", NULL, IS_SIG, 1, 0, bi_is_array},
    {"is_set", NULL, IS_SIG, 1, 0, bi_is_set},
    {"is_object", NULL, IS_SIG, 1, 0, bi_is_object},
    {"is_null", NULL, IS_SIG, 1, 0, bi_is_null},
    {"type_name", NULL, "(any) => string", 1, 0, bi_type_name},
    {"to_number", NULL, "(null|boolean|number|string) => number", 1, 0, bi_to_number},
    {"cast_array", NULL, "(any) => array[any]", 1, DEP, bi_cast_array},
    {"cast_set", NULL, "(any) => set[any]", 1, DEP, bi_cast_set},
    {"cast_string", NULL, "(any) => string", 1, DEP, bi_cast_string},
    {"cast_boolean", NULL, "(any) => boolean", 1, DEP, bi_cast_boolean},
    {"cast_null", NULL, "(any) => null", 1, DEP, bi_cast_null},
    {"cast_object", NULL, "(any) => object[any: any]", 1, DEP, bi_cast_object},
    {0},
};
