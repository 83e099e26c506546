/*
 * jsonschema.c — the builtin group "jsonschema": json.verify_schema(schema)
 * and json.match_schema(document, schema), JSON Schema drafts 4, 6 and 7 as
 * OPA implements them with its fork of github.com/xeipuuv/gojsonschema
 * (internal/gojsonschema, with pattern validation on, as the builtins set
 * it up).
 *
 * What is reproduced: gojsonschema's compile step (keyword checks in its
 * order, its error texts such as "minLength must be greater than or equal
 * to 0"), its draft detection ("$schema"; Hybrid when absent), its $id/$ref
 * resolution (the reference pool, JSON pointers and their error texts, the
 * embedded draft-04/06/07 metaschemas), its validator (keyword order, error
 * types and descriptions, the anyOf/oneOf "best match" scoring), its format
 * checkers (Go's time.Parse layouts, net/mail, net.ParseIP, net/url, the
 * hostname/uuid/json-pointer regexps) and OPA's wrapping ([false, "jsonschema:
 * ..."], [valid, [{error, type, field, desc}]], eval_builtin_error).
 *
 * Where Go iterates a map (schema properties, document keys, dependencies,
 * patternProperties), OPA's error order is random; we use sorted key order.
 * Numbers keep what gojsonschema observes of their JSON text: integers and
 * big integers are exact, other numbers are the shortest decimal of their
 * double (which is their text for every literal of up to 15 digits); the
 * "integer" keywords (minLength, ...) accept integer literals only, as Go's
 * ParseInt does.  Remote $refs are never fetched: only the embedded
 * metaschemas resolve; other remote refs fail with OPA's "remote reference
 * loading disabled" text, file refs with "file reference loading disabled".
 *
 * Bounds (limits.h): nesting REGO_JSONSCHEMA_MAX_DEPTH (documents, schemas,
 * $ref chains while compiling), validation depth
 * REGO_JSONSCHEMA_MAX_VALIDATE_DEPTH (a schema referring to itself would
 * otherwise recurse forever), and REGO_JSONSCHEMA_MAX_STEPS units of work per
 * call (anyOf/oneOf over $ref cycles is exponential).  Hitting one is an
 * RP_ERR_LIMIT error, never a crash.  Compiled patterns come from the shared
 * RE2 cache (re2_shim.h) and are released before the builtin returns.
 *
 * Ownership: everything lives in the query arena; nothing outlives the call.
 * Global state: the constant metaschema texts only.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <gmp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../builtin.h"
#include "../json.h"
#include "../limits.h"
#include "../re2_shim.h"
#include "gourl.h"

/* ---- context and errors -------------------------------------------------- */

typedef struct {
    rego_gostr key;
    void *val;
} js_ment;

/* An open-addressing map from strings to pointers, in the arena. */
typedef struct {
    js_ment *e;
    size_t cap, n; /* cap: 0 or a power of two */
} js_map;

typedef struct {
    rego_bctx *bctx;
    rp_arena *a;
    rp_status st;    /* RP_OK until the first failure */
    char msg[256];   /* Go's error text when st == RP_ERR_EVAL */
    uint64_t steps;
    unsigned depth;
    js_map pool;     /* gojsonschema's schemaPool: ref -> js_pooldoc* */
    js_map refpool;  /* schemaReferencePool: ref -> js_schema* */
    rp_re **res;     /* compiled patterns to release */
    size_t nres, capres;
} js_ctx;

static bool js_ok(const js_ctx *c) { return c->st == RP_OK; }

/* A schema error: Go's error text, reported by OPA as the compile error. */
static bool js_fail(js_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool js_fail(js_ctx *c, const char *fmt, ...)
{
    if (c->st != RP_OK)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    va_end(ap);
    c->st = RP_ERR_EVAL;
    return false;
}

static bool js_limit(js_ctx *c, const char *what, unsigned long long limit)
{
    if (c->st == RP_OK) {
        c->st = RP_ERR_LIMIT;
        snprintf(c->msg, sizeof(c->msg), "%s exceeds the limit of %llu", what, limit);
    }
    return false;
}

static bool js_nomem(js_ctx *c)
{
    if (c->st == RP_OK)
        c->st = RP_ERR_NOMEM;
    return false;
}

static bool js_step(js_ctx *c, uint64_t n)
{
    c->steps += n;
    if (c->steps > REGO_JSONSCHEMA_MAX_STEPS)
        return js_limit(c, "schema work", REGO_JSONSCHEMA_MAX_STEPS);
    return js_ok(c);
}

/* Enters one nesting level (left with js_leave). */
static bool js_enter(js_ctx *c, unsigned limit, const char *what)
{
    if (++c->depth > limit)
        return js_limit(c, what, limit);
    return js_ok(c);
}

static void js_leave(js_ctx *c) { c->depth--; }

static void *js_alloc(js_ctx *c, size_t n, size_t size)
{
    void *p = rp_arena_array(c->a, n ? n : 1, size);
    if (!p) {
        js_nomem(c);
        return NULL;
    }
    memset(p, 0, (n ? n : 1) * size);
    return p;
}

static rego_gostr gstr(const char *s, size_t n)
{
    rego_gostr r = {s ? s : "", n};
    return r;
}

static rego_gostr gcstr(const char *s) { return gstr(s, strlen(s)); }

static bool geq(rego_gostr a, rego_gostr b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0);
}

static bool geqc(rego_gostr a, const char *b) { return geq(a, gcstr(b)); }

/* A NUL-terminated arena copy of the bytes a buffer holds (then freed). */
static rego_gostr take_buf(js_ctx *c, rp_buf *b)
{
    rego_gostr r = gstr("", 0);
    if (b->failed) {
        js_nomem(c);
    } else {
        char *p = rp_arena_strndup(c->a, b->data ? b->data : "", b->len);
        if (!p)
            js_nomem(c);
        else
            r = gstr(p, b->len);
    }
    rp_buf_free(b);
    return r;
}

/* ---- string map ---------------------------------------------------------------- */

static void **map_slot(js_ctx *c, js_map *m, rego_gostr key, bool insert)
{
    if (insert && (m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        js_ment *ne = js_alloc(c, ncap, sizeof(js_ment));
        if (!ne)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->e[i].key.s)
                continue;
            size_t h = rego_hash_str(m->e[i].key.s, m->e[i].key.n) & (ncap - 1);
            while (ne[h].key.s)
                h = (h + 1) & (ncap - 1);
            ne[h] = m->e[i];
        }
        m->e = ne;
        m->cap = ncap;
    }
    if (!m->cap)
        return NULL;
    size_t h = rego_hash_str(key.s, key.n) & (m->cap - 1);
    while (m->e[h].key.s) {
        if (geq(m->e[h].key, key))
            return &m->e[h].val;
        h = (h + 1) & (m->cap - 1);
    }
    if (!insert)
        return NULL;
    char *k = rp_arena_strndup(c->a, key.s, key.n);
    if (!k) {
        js_nomem(c);
        return NULL;
    }
    m->e[h].key = gstr(k, key.n);
    m->e[h].val = NULL;
    m->n++;
    return &m->e[h].val;
}

static void *map_get(js_ctx *c, js_map *m, rego_gostr key)
{
    void **p = map_slot(c, m, key, false);
    return p ? *p : NULL;
}

/* ---- object access ------------------------------------------------------------- */

static bool get_key(rego_value obj, const char *k, rego_value *out)
{
    size_t n = strlen(k);
    return obj.kind == REGO_OBJECT && rego_object_get_str(obj, k, n, rego_hash_str(k, n), out);
}

static bool has_key(rego_value obj, const char *k)
{
    rego_value v;
    return get_key(obj, k, &v);
}

static rego_gostr vstr(rego_value v) { return gstr(v.u.s, v.n); }

/* ---- numbers --------------------------------------------------------------------
 * gojsonschema reads numbers as big.Rat from their JSON text.  See the file
 * header for how our values stand for that text. */

/* Parses a decimal text (as rego_num_write writes it) into q. */
static void decimal_to_mpq(const char *s, mpq_t q)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    mpz_t m;
    mpz_init(m);
    long exp = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s == '.') {
            for (s++; *s >= '0' && *s <= '9'; s++) {
                mpz_mul_ui(m, m, 10);
                mpz_add_ui(m, m, (unsigned long)(*s - '0'));
                exp--;
            }
            break;
        }
        mpz_mul_ui(m, m, 10);
        mpz_add_ui(m, m, (unsigned long)(*s - '0'));
    }
    if (*s == 'e' || *s == 'E')
        exp += strtol(s + 1, NULL, 10);
    mpz_t p;
    mpz_init(p);
    mpz_ui_pow_ui(p, 10, (unsigned long)labs(exp));
    if (exp >= 0) {
        mpz_mul(m, m, p);
        mpq_set_z(q, m);
    } else {
        mpq_set_num(q, m);
        mpq_set_den(q, p);
        mpq_canonicalize(q);
    }
    if (neg)
        mpq_neg(q, q);
    mpz_clear(m);
    mpz_clear(p);
}

/* q = the exact value of the number v (q initialised by the caller). */
static void num_to_mpq(rego_value v, mpq_t q)
{
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT:
        mpq_set_si(q, v.u.i, 1);
        return;
    case REGO_NUM_BIG: {
        mpz_t z;
        mpz_init(z);
        rego_num_to_mpz(v, z);
        mpq_set_z(q, z);
        mpz_clear(z);
        return;
    }
    case REGO_NUM_FLOAT: {
        rp_buf b;
        rp_buf_init(&b);
        rego_num_write(&b, v);
        decimal_to_mpq(rp_buf_cstr(&b), q);
        rp_buf_free(&b);
        return;
    }
    }
}

static int num_cmp(rego_value a, rego_value b)
{
    mpq_t x, y;
    mpq_init(x);
    mpq_init(y);
    num_to_mpq(a, x);
    num_to_mpq(b, y);
    int c = mpq_cmp(x, y);
    mpq_clear(x);
    mpq_clear(y);
    return c;
}

/* big.Rat.IsInt of the number's value (checkJSONInteger). */
static bool num_is_int(rego_value v)
{
    if (v.sub != REGO_NUM_FLOAT)
        return true;
    return isfinite(v.u.f) && floor(v.u.f) == v.u.f;
}

/* The number as Go's float64 (json.Unmarshal); false when out of range. */
static bool num_to_double(rego_value v, double *out)
{
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT: *out = (double)v.u.i; return true;
    case REGO_NUM_FLOAT: *out = v.u.f; return true;
    case REGO_NUM_BIG: {
        rp_buf b;
        rp_buf_init(&b);
        rego_num_write(&b, v);
        *out = strtod(rp_buf_cstr(&b), NULL);
        rp_buf_free(&b);
        return isfinite(*out);
    }
    }
    return false;
}

/* Go's encoding/json float64 encoder (strconv 'f' or 'e' shortest, the
 * exponent's leading zero removed for negative exponents). */
static void go_json_float(rp_buf *b, double d)
{
    if (d == 0) {
        rp_buf_puts(b, signbit(d) ? "-0" : "0");
        return;
    }
    if (d < 0)
        rp_buf_putc(b, '-');
    double ad = fabs(d);
    char dg[17];
    int exp10;
    size_t nd = rego_double_digits(ad, dg, &exp10);
    int dexp = exp10 + 1; /* ad = 0.DIGITS x 10^dexp */
    if (ad < 1e-6 || ad >= 1e21) {
        rp_buf_putc(b, dg[0]);
        if (nd > 1) {
            rp_buf_putc(b, '.');
            rp_buf_append(b, dg + 1, nd - 1);
        }
        int e = dexp - 1;
        if (e < 0)
            rp_buf_printf(b, "e-%d", -e);
        else
            rp_buf_printf(b, "e+%02d", e);
        return;
    }
    if (dexp <= 0) {
        rp_buf_puts(b, "0.");
        for (int i = dexp; i < 0; i++)
            rp_buf_putc(b, '0');
        rp_buf_append(b, dg, nd);
        return;
    }
    for (int i = 0; i < dexp; i++)
        rp_buf_putc(b, (size_t)i < nd ? dg[i] : '0');
    if ((size_t)dexp < nd) {
        rp_buf_putc(b, '.');
        rp_buf_append(b, dg + dexp, nd - (size_t)dexp);
    }
}

/* The number's ten significant decimal digits (rounded half to even, the
 * trailing zeros dropped) and the exponent of the decimal point:
 * |v| = 0.DIGITS x 10^dexp.  v is not zero. */
static size_t digits10(mpq_t q, char digits[24], long *dexp)
{
    mpq_t t;
    mpz_t p10, n, r;
    mpq_init(t);
    mpz_inits(p10, n, r, NULL);
    /* e = floor(log10 q): the digit counts are off by at most one */
    long e = (long)mpz_sizeinbase(mpq_numref(q), 10) - (long)mpz_sizeinbase(mpq_denref(q), 10);
    for (int k = 0; k < 4; k++) {
        mpz_ui_pow_ui(p10, 10, (unsigned long)labs(e));
        mpq_set_z(t, p10);
        if (e >= 0)
            mpq_div(t, q, t);
        else
            mpq_mul(t, q, t);
        if (mpq_cmp_ui(t, 1, 1) < 0)
            e--;
        else if (mpq_cmp_ui(t, 10, 1) >= 0)
            e++;
        else
            break;
    }
    /* n = round-half-even(q * 10^(9 - e)) */
    long sh = 9 - e;
    mpz_ui_pow_ui(p10, 10, (unsigned long)labs(sh));
    mpq_set_z(t, p10);
    if (sh >= 0)
        mpq_mul(t, q, t);
    else
        mpq_div(t, q, t);
    mpz_fdiv_qr(n, r, mpq_numref(t), mpq_denref(t));
    mpz_mul_ui(r, r, 2);
    int half = mpz_cmp(r, mpq_denref(t));
    if (half > 0 || (half == 0 && mpz_odd_p(n)))
        mpz_add_ui(n, n, 1);
    mpz_get_str(digits, 10, n);
    size_t nd = strlen(digits);
    *dexp = e + 1;
    if (nd > 10) { /* rounded up to 10^10 */
        nd = 10;
        (*dexp)++;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    mpz_clears(p10, n, r, NULL);
    mpq_clear(t);
    return nd;
}

/* Go's %g with precision 10 of 0.DIGITS x 10^dexp (big/ftoa.go). */
static void format_g10(rp_buf *b, const char *digits, long nd, long dexp)
{
    long prec = 10, eprec = 10, x = dexp - 1;
    if (eprec > nd && nd >= dexp)
        eprec = nd;
    if (x < -4 || x >= eprec) {
        if (prec > nd)
            prec = nd;
        rp_buf_putc(b, digits[0]);
        if (prec > 1) {
            rp_buf_putc(b, '.');
            for (long i = 1; i < prec; i++)
                rp_buf_putc(b, i < nd ? digits[i] : '0');
        }
        rp_buf_printf(b, "e%c%02ld", x < 0 ? '-' : '+', labs(x));
        return;
    }
    if (prec > dexp)
        prec = nd;
    long frac = prec - dexp > 0 ? prec - dexp : 0;
    if (dexp > 0)
        for (long i = 0; i < dexp; i++)
            rp_buf_putc(b, i < nd ? digits[i] : '0');
    else
        rp_buf_putc(b, '0');
    if (frac > 0) {
        rp_buf_putc(b, '.');
        for (long i = 1; i <= frac; i++) {
            long k = dexp - 1 + i;
            rp_buf_putc(b, k >= 0 && k < nd ? digits[k] : '0');
        }
    }
}

/* big.Float.SetRat(v).Text('g', 10), as %v prints the numbers in
 * gojsonschema's messages ("Must be less than or equal to 1.5"). */
static void go_bigfloat_g10(rp_buf *b, rego_value v)
{
    mpq_t q;
    mpq_init(q);
    num_to_mpq(v, q);
    if (mpq_sgn(q) == 0) {
        rp_buf_putc(b, '0');
    } else {
        if (mpq_sgn(q) < 0) {
            rp_buf_putc(b, '-');
            mpq_abs(q, q);
        }
        char digits[24];
        long dexp;
        size_t nd = digits10(q, digits, &dexp);
        format_g10(b, digits, (long)nd, dexp);
    }
    mpq_clear(q);
}

/* ---- documents ------------------------------------------------------------------
 * OPA hands gojsonschema ast.JSON(value) marshalled and decoded again: sets
 * become (sorted) arrays, non-string object keys become their JSON text and
 * invalid UTF-8 becomes U+FFFD.  norm() builds that value. */

static rego_value fix_utf8(js_ctx *c, rego_value s)
{
    if (rp_utf8_valid(s.u.s, s.n))
        return s;
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < s.n;) {
        uint32_t cp;
        size_t k = rp_utf8_decode(s.u.s + i, s.n - i, &cp);
        if (k == 0) {
            rp_buf_puts(&b, "\xef\xbf\xbd");
            i++;
        } else {
            rp_buf_append(&b, s.u.s + i, k);
            i += k;
        }
    }
    rego_gostr r = take_buf(c, &b);
    return rego_str_borrow(r.s, r.n);
}

static bool norm(js_ctx *c, rego_value v, rego_value *out);

static bool norm_items(js_ctx *c, const rego_value *items, size_t n, rego_value *out)
{
    if (n == 0) {
        *out = rego_empty_array();
        return true;
    }
    rego_value *dst = rego_array_alloc(c->a, n, out);
    if (!dst)
        return js_nomem(c);
    for (size_t i = 0; i < n; i++)
        if (!norm(c, items[i], &dst[i]))
            return false;
    return true;
}

static bool norm_key(js_ctx *c, rego_value k, rego_value *out)
{
    if (k.kind == REGO_STRING) {
        *out = fix_utf8(c, k);
        return js_ok(c);
    }
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, k, REGO_FMT_JSON | REGO_FMT_HTML);
    rego_gostr s = take_buf(c, &b);
    *out = rego_str_borrow(s.s, s.n);
    return js_ok(c);
}

static bool norm_object(js_ctx *c, rego_value v, rego_value *out)
{
    rego_objb ob;
    rego_objb_init(&ob, c->a);
    for (size_t i = 0; i < v.n; i++) {
        rego_objent e = rego_object_at(v, i);
        rego_value k, val;
        if (!norm_key(c, e.key, &k) || !norm(c, e.val, &val))
            return false;
        rego_objb_set(&ob, k, val);
    }
    *out = rego_objb_finish(&ob);
    return rego_is_undef(*out) ? js_nomem(c) : true;
}

static bool norm(js_ctx *c, rego_value v, rego_value *out)
{
    if (!js_enter(c, REGO_JSONSCHEMA_MAX_DEPTH, "JSON schema nesting") || !js_step(c, 1)) {
        js_leave(c);
        return false;
    }
    bool ok = true;
    switch ((rego_kind)v.kind) {
    case REGO_STRING: *out = fix_utf8(c, v); ok = js_ok(c); break;
    case REGO_ARRAY: ok = norm_items(c, v.u.items, v.n, out); break;
    case REGO_SET: ok = norm_items(c, v.n ? v.u.set->items : NULL, v.n, out); break;
    case REGO_OBJECT: ok = norm_object(c, v, out); break;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER: *out = v; break;
    }
    js_leave(c);
    return ok;
}

/* OPA's astValueToJSONSchemaLoader: a JSON text (checked first, as
 * json.Valid) or an object/array value. */
static bool load_doc(js_ctx *c, rego_value v, rego_value *out)
{
    if (v.kind == REGO_STRING) {
        rp_error err = {0};
        rego_value parsed;
        rp_status st = rego_json_parse(c->a, v.u.s, v.n, NULL, &parsed, &err);
        if (st == RP_ERR_NOMEM)
            return js_nomem(c);
        if (st == RP_ERR_LIMIT)
            return js_limit(c, "JSON nesting", REGO_JSON_MAX_DEPTH);
        if (st != RP_OK)
            return js_fail(c, "invalid JSON string");
        return norm(c, parsed, out);
    }
    if (v.kind == REGO_OBJECT || v.kind == REGO_ARRAY)
        return norm(c, v, out);
    return js_fail(c, "wrong type, expected string or object");
}

/* gojsonschema's marshalWithoutNumber: JSON with numbers as float64, keys
 * sorted, HTML-safe strings.  false (with *bad set) for a number out of
 * float64 range, which json.Unmarshal rejects. */
static bool canon(js_ctx *c, rego_value v, rp_buf *b, rego_value *bad)
{
    if (!js_step(c, 1 + v.n / 64))
        return false;
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF:
    case REGO_NULL: rp_buf_puts(b, "null"); return true;
    case REGO_BOOL: rp_buf_puts(b, v.u.b ? "true" : "false"); return true;
    case REGO_NUMBER: {
        double d;
        if (!num_to_double(v, &d)) {
            *bad = v;
            return false;
        }
        go_json_float(b, d);
        return true;
    }
    case REGO_STRING: rego_json_write_string(b, v.u.s, v.n, true); return true;
    case REGO_ARRAY:
    case REGO_SET:
        rp_buf_putc(b, '[');
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ',');
            if (!canon(c, v.kind == REGO_ARRAY ? v.u.items[i] : v.u.set->items[i], b, bad))
                return false;
        }
        rp_buf_putc(b, ']');
        return true;
    case REGO_OBJECT:
        rp_buf_putc(b, '{');
        for (size_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (i)
                rp_buf_putc(b, ',');
            rego_json_write_string(b, e.key.u.s, e.key.n, true);
            rp_buf_putc(b, ':');
            if (!canon(c, e.val, b, bad))
                return false;
        }
        rp_buf_putc(b, '}');
        return true;
    }
    return true;
}

/* The text of json.Unmarshal's error for a number float64 cannot hold. */
static void unmarshal_number_error(rp_buf *b, rego_value bad)
{
    rp_buf_puts(b, "json: cannot unmarshal number ");
    rego_num_write(b, bad);
    rp_buf_puts(b, " into Go value of type float64");
}

/* marshalWithoutNumber into *out; a schema error when it fails. */
static bool canon_str(js_ctx *c, rego_value v, rego_gostr *out, bool *unmarshal_failed)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_value bad = rego_undef();
    bool ok = canon(c, v, &b, &bad);
    *unmarshal_failed = false;
    if (!ok && js_ok(c)) {
        rp_buf_free(&b);
        rp_buf_init(&b);
        unmarshal_number_error(&b, bad);
        *unmarshal_failed = true;
    } else if (!ok) {
        rp_buf_free(&b);
        return false;
    }
    *out = take_buf(c, &b);
    return js_ok(c);
}

/* ---- JSON references (gojsonreference over Go's net/url) ------------------------- */

/* The draft-04/06/07 metaschemas gojsonschema embeds (draft.go), so that
 * "$ref": "http://json-schema.org/draft-07/schema#" works offline. */
static const char meta_draft4[] =
    "{\"id\":\"http://json-schema.org/draft-04/schema#\",\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"description\":\"Core schema meta-schema\",\"definitions\":{\"schemaArray\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"$ref\":\"#\"}},\"positiveInteger\":{\"type\":\"integer\",\"minimum\":0},\"positiveIntegerDefault0\":{\"allOf\":[{\"$ref\":\"#/definitions/positiveInteger\"},{\"default\":0}]},\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"null\",\"number\",\"object\",\"string\"]},\"stringArray\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"uniqueItems\":true}},\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"$schema\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},\"default\":{},\"multipleOf\":{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum\":true},\"maximum\":{\"type\":\"number\"},\"exclusiveMaximum\":{\"type\":\"boolean\",\"default\":false},\"minimum\":{\"type\":\"number\"},\"exclusiveMinimum\":{\"type\":\"boolean\",\"default\":false},\"maxLength\":{\"$ref\":\"#/definitions/positiveInteger\"},\"minLength\":{\"$ref\":\"#/definitions/positiveIntegerDefault0\"},\"pattern\":{\"type\":\"string\",\"format\":\"regex\"},\"additionalItems\":{\"anyOf\":[{\"type\":\"boolean\"},{\"$ref\":\"#\"}],\"default\":{}},\"items\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/schemaArray\"}],\"default\":{}},\"maxItems\":{\"$ref\":\"#/definitions/positiveInteger\"},\"minItems\":{\"$ref\":\"#/definitions/positiveIntegerDefault0\"},\"uniqueItems\":{\"type\":\"boolean\",\"default\":false},\"maxProperties\":{\"$ref\":\"#/definitions/positiveInteger\"},\"minProperties\":{\"$ref\":\"#/definitions/positiveIntegerDefault0\"},\"required\":{\"$ref\":\"#/definitions/stringArray\"},\"additionalProperties\":{\"anyOf\":[{\"type\":\"boolean\"},{\"$ref\":\"#\"}],\"default\":{}},\"definitions\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"properties\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"patternProperties\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"dependencies\":{\"type\":\"object\",\"additionalProperties\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/stringArray\"}]}},\"enum\":{\"type\":\"array\",\"minItems\":1,\"uniqueItems\":true},\"type\":{\"anyOf\":[{\"$ref\":\"#/definitions/simpleTypes\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/simpleTypes\"},\"minItems\":1,\"uniqueItems\":true}]},\"format\":{\"type\":\"string\"},\"allOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"anyOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"oneOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"not\":{\"$ref\":\"#\"}},\"dependencies\":{\"exclusiveMaximum\":[\"maximum\"],\"exclusiveMinimum\":[\"minimum\"]},\"default\":{}}";
static const char meta_draft6[] =
    "{\"$schema\":\"http://json-schema.org/draft-06/schema#\",\"$id\":\"http://json-schema.org/draft-06/schema#\",\"title\":\"Core schema meta-schema\",\"definitions\":{\"schemaArray\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"$ref\":\"#\"}},\"nonNegativeInteger\":{\"type\":\"integer\",\"minimum\":0},\"nonNegativeIntegerDefault0\":{\"allOf\":[{\"$ref\":\"#/definitions/nonNegativeInteger\"},{\"default\":0}]},\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"null\",\"number\",\"object\",\"string\"]},\"stringArray\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true,\"default\":[]}},\"type\":[\"object\",\"boolean\"],\"properties\":{\"$id\":{\"type\":\"string\",\"format\":\"uri-reference\"},\"$schema\":{\"type\":\"string\",\"format\":\"uri\"},\"$ref\":{\"type\":\"string\",\"format\":\"uri-reference\"},\"title\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},\"default\":{},\"examples\":{\"type\":\"array\",\"items\":{}},\"multipleOf\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"maximum\":{\"type\":\"number\"},\"exclusiveMaximum\":{\"type\":\"number\"},\"minimum\":{\"type\":\"number\"},\"exclusiveMinimum\":{\"type\":\"number\"},\"maxLength\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minLength\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"pattern\":{\"type\":\"string\",\"format\":\"regex\"},\"additionalItems\":{\"$ref\":\"#\"},\"items\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/schemaArray\"}],\"default\":{}},\"maxItems\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minItems\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"uniqueItems\":{\"type\":\"boolean\",\"default\":false},\"contains\":{\"$ref\":\"#\"},\"maxProperties\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minProperties\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"required\":{\"$ref\":\"#/definitions/stringArray\"},\"additionalProperties\":{\"$ref\":\"#\"},\"definitions\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"properties\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"patternProperties\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"dependencies\":{\"type\":\"object\",\"additionalProperties\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/stringArray\"}]}},\"propertyNames\":{\"$ref\":\"#\"},\"const\":{},\"enum\":{\"type\":\"array\",\"minItems\":1,\"uniqueItems\":true},\"type\":{\"anyOf\":[{\"$ref\":\"#/definitions/simpleTypes\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/simpleTypes\"},\"minItems\":1,\"uniqueItems\":true}]},\"format\":{\"type\":\"string\"},\"allOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"anyOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"oneOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"not\":{\"$ref\":\"#\"}},\"default\":{}}";
static const char meta_draft7[] =
    "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$id\":\"http://json-schema.org/draft-07/schema#\",\"title\":\"Core schema meta-schema\",\"definitions\":{\"schemaArray\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"$ref\":\"#\"}},\"nonNegativeInteger\":{\"type\":\"integer\",\"minimum\":0},\"nonNegativeIntegerDefault0\":{\"allOf\":[{\"$ref\":\"#/definitions/nonNegativeInteger\"},{\"default\":0}]},\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"null\",\"number\",\"object\",\"string\"]},\"stringArray\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true,\"default\":[]}},\"type\":[\"object\",\"boolean\"],\"properties\":{\"$id\":{\"type\":\"string\",\"format\":\"uri-reference\"},\"$schema\":{\"type\":\"string\",\"format\":\"uri\"},\"$ref\":{\"type\":\"string\",\"format\":\"uri-reference\"},\"$comment\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},\"default\":true,\"readOnly\":{\"type\":\"boolean\",\"default\":false},\"examples\":{\"type\":\"array\",\"items\":true},\"multipleOf\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"maximum\":{\"type\":\"number\"},\"exclusiveMaximum\":{\"type\":\"number\"},\"minimum\":{\"type\":\"number\"},\"exclusiveMinimum\":{\"type\":\"number\"},\"maxLength\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minLength\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"pattern\":{\"type\":\"string\",\"format\":\"regex\"},\"additionalItems\":{\"$ref\":\"#\"},\"items\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/schemaArray\"}],\"default\":true},\"maxItems\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minItems\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"uniqueItems\":{\"type\":\"boolean\",\"default\":false},\"contains\":{\"$ref\":\"#\"},\"maxProperties\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minProperties\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"required\":{\"$ref\":\"#/definitions/stringArray\"},\"additionalProperties\":{\"$ref\":\"#\"},\"definitions\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"properties\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"patternProperties\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"propertyNames\":{\"format\":\"regex\"},\"default\":{}},\"dependencies\":{\"type\":\"object\",\"additionalProperties\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/stringArray\"}]}},\"propertyNames\":{\"$ref\":\"#\"},\"const\":true,\"enum\":{\"type\":\"array\",\"items\":true,\"minItems\":1,\"uniqueItems\":true},\"type\":{\"anyOf\":[{\"$ref\":\"#/definitions/simpleTypes\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/simpleTypes\"},\"minItems\":1,\"uniqueItems\":true}]},\"format\":{\"type\":\"string\"},\"contentMediaType\":{\"type\":\"string\"},\"contentEncoding\":{\"type\":\"string\"},\"if\":{\"$ref\":\"#\"},\"then\":{\"$ref\":\"#\"},\"else\":{\"$ref\":\"#\"},\"allOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"anyOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"oneOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"not\":{\"$ref\":\"#\"}},\"default\":true}";

/* Draft numbers as gojsonschema orders them (Hybrid = "any of them"). */
enum { JS_NO_DRAFT = 0, JS_DRAFT4 = 4, JS_DRAFT6 = 6, JS_DRAFT7 = 7, JS_HYBRID = 1000 };

static const struct {
    int draft;
    const char *url, *text;
} metaschemas[] = {
    {JS_DRAFT4, "http://json-schema.org/draft-04/schema", meta_draft4},
    {JS_DRAFT6, "http://json-schema.org/draft-06/schema", meta_draft6},
    {JS_DRAFT7, "http://json-schema.org/draft-07/schema", meta_draft7},
};

/* A document in the pool and the draft its "$schema" named (or none). */
typedef struct {
    rego_value doc;
    int draft;
} js_pooldoc;

static rego_gostr url_string(js_ctx *c, const rego_gourl *u)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_gourl_string(u, &b);
    return take_buf(c, &b);
}

/* gojsonreference.NewJsonReference: false (with Go's url error) when the
 * text does not parse. */
static bool ref_parse(js_ctx *c, rego_gostr s, rego_gourl *u, char *msg, size_t cap)
{
    return rego_gourl_parse(c->a, s.s, s.n, u, msg, cap);
}

/* JsonReference.Inherits: the child resolved against the parent (whose
 * fragment is dropped first), as a canonical string. */
static bool ref_inherits(js_ctx *c, rego_gostr parent, rego_gostr child, rego_gostr *out)
{
    rego_gourl pu, cu, r;
    char msg[8];
    if (!ref_parse(c, parent, &pu, msg, sizeof(msg)) || !ref_parse(c, child, &cu, msg, sizeof(msg)))
        return false;
    pu.fragment = pu.raw_fragment = gstr("", 0);
    rego_gourl_resolve(c->a, &pu, &cu, &r);
    *out = url_string(c, &r);
    return js_ok(c);
}

/* gojsonschema's parseSchemaURL: the draft a "$schema" names. */
static bool schema_url(js_ctx *c, rego_value doc, int *draft)
{
    *draft = JS_NO_DRAFT;
    if (doc.kind == REGO_BOOL)
        return true;
    if (doc.kind != REGO_OBJECT)
        return js_fail(c, "schema is invalid");
    rego_value v;
    if (!get_key(doc, "$schema", &v))
        return true;
    if (v.kind != REGO_STRING)
        return js_fail(c, "$schema must be of type string");
    rego_gourl u;
    char msg[256];
    if (!ref_parse(c, vstr(v), &u, msg, sizeof(msg)))
        return js_fail(c, "%s", msg);
    rego_gostr s = url_string(c, &u);
    for (size_t i = 0; i < RP_ARRAY_LEN(metaschemas); i++)
        if (geqc(s, metaschemas[i].url))
            *draft = metaschemas[i].draft;
    return js_ok(c);
}

static rego_value refs_walk(js_ctx *c, rego_value node, rego_gostr base, int draft);

static rego_value refs_walk_children(js_ctx *c, rego_value m, rego_gostr base, int draft)
{
    rego_objb ob;
    rego_objb_init(&ob, c->a);
    for (size_t i = 0; i < m.n && js_ok(c); i++) {
        rego_objent e = rego_object_at(m, i);
        rego_objb_set(&ob, e.key, refs_walk(c, e.val, base, draft));
    }
    rego_value r = rego_objb_finish(&ob);
    if (rego_is_undef(r))
        js_nomem(c);
    return r;
}

/* gojsonschema's parseReferencesRecursive: registers every "$id" (or
 * "id") in the pool and rewrites every "$ref" to an absolute reference.
 * const and enum are data; properties, dependencies and patternProperties
 * hold schemas only as values.  Returns the rewritten node. */
static rego_value refs_walk_object(js_ctx *c, rego_value m, rego_gostr base, int draft)
{
    rego_gostr local = base, ref = gstr(NULL, 0);
    bool have_ref = false;
    js_pooldoc *slot = NULL;
    rego_value v;
    if (get_key(m, has_key(m, "id") ? "id" : "$id", &v) && v.kind == REGO_STRING) {
        rego_gostr id;
        if (ref_inherits(c, base, vstr(v), &id)) {
            if (map_get(c, &c->pool, id))
                return m; /* "Reference already exists": Go stops here */
            void **p = map_slot(c, &c->pool, id, true);
            slot = js_alloc(c, 1, sizeof(js_pooldoc));
            if (!p || !slot)
                return m;
            slot->doc = m;
            slot->draft = draft;
            *p = slot;
            local = id;
        }
    }
    if (get_key(m, "$ref", &v) && v.kind == REGO_STRING)
        have_ref = ref_inherits(c, local, vstr(v), &ref);
    rego_objb ob;
    rego_objb_init(&ob, c->a);
    for (size_t i = 0; i < m.n && js_ok(c); i++) {
        rego_objent e = rego_object_at(m, i);
        rego_gostr k = vstr(e.key);
        rego_value nv = e.val;
        if (geqc(k, "$ref") && have_ref)
            nv = rego_str_borrow(ref.s, ref.n);
        else if (geqc(k, "const") || geqc(k, "enum"))
            nv = e.val;
        else if (geqc(k, "properties") || geqc(k, "dependencies") ||
                 geqc(k, "patternProperties"))
            nv = e.val.kind == REGO_OBJECT ? refs_walk_children(c, e.val, local, draft) : e.val;
        else
            nv = refs_walk(c, e.val, local, draft);
        rego_objb_set(&ob, e.key, nv);
    }
    rego_value r = rego_objb_finish(&ob);
    if (rego_is_undef(r)) {
        js_nomem(c);
        return m;
    }
    if (slot)
        slot->doc = r;
    return r;
}

static rego_value refs_walk(js_ctx *c, rego_value node, rego_gostr base, int draft)
{
    if (!js_ok(c) || !js_step(c, 1))
        return node;
    if (node.kind == REGO_OBJECT)
        return refs_walk_object(c, node, base, draft);
    if (node.kind != REGO_ARRAY || node.n == 0)
        return node;
    rego_value out;
    rego_value *items = rego_array_alloc(c->a, node.n, &out);
    if (!items) {
        js_nomem(c);
        return node;
    }
    for (size_t i = 0; i < node.n; i++)
        items[i] = refs_walk(c, node.u.items[i], base, draft);
    return out;
}

/* gojsonschema's schemaPool.parseReferences with pooled = true. */
static bool parse_references(js_ctx *c, rego_value doc, rego_gostr ref, rego_value *out,
                             int *draft)
{
    if (map_get(c, &c->pool, ref))
        return js_fail(c, "Reference already exists: \"%.*s\"", (int)ref.n, ref.s);
    if (!schema_url(c, doc, draft))
        return false;
    *out = refs_walk(c, doc, ref, *draft);
    js_pooldoc *pd = js_alloc(c, 1, sizeof(js_pooldoc));
    void **p = map_slot(c, &c->pool, ref, true);
    if (!pd || !p)
        return js_nomem(c);
    pd->doc = *out;
    pd->draft = *draft;
    *p = pd;
    return js_ok(c);
}

/* strconv.Atoi for a JSON pointer's array index. */
static bool go_atoi(rego_gostr s, long long *out)
{
    size_t i = 0;
    bool neg = false;
    if (s.n && (s.s[0] == '+' || s.s[0] == '-')) {
        neg = s.s[0] == '-';
        i = 1;
    }
    if (i == s.n)
        return false;
    unsigned long long v = 0;
    for (; i < s.n; i++) {
        if (s.s[i] < '0' || s.s[i] > '9')
            return false;
        if (v > (unsigned long long)INT64_MAX / 10 + 1)
            return false;
        v = v * 10 + (unsigned)(s.s[i] - '0');
    }
    if (v > (unsigned long long)INT64_MAX + neg)
        return false;
    *out = neg ? -(long long)(v - 1) - 1 : (long long)v;
    return true;
}

/* A JSON pointer token with ~1 and ~0 decoded (in that order, as Go). */
static rego_gostr decode_token(js_ctx *c, rego_gostr t)
{
    if (!memchr(t.s, '~', t.n))
        return t;
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < t.n; i++) {
        if (t.s[i] == '~' && i + 1 < t.n && t.s[i + 1] == '1') {
            rp_buf_putc(&b, '/');
            i++;
        } else {
            rp_buf_putc(&b, t.s[i]);
        }
    }
    rego_gostr one = take_buf(c, &b);
    rp_buf_init(&b);
    for (size_t i = 0; i < one.n; i++) {
        if (one.s[i] == '~' && i + 1 < one.n && one.s[i + 1] == '0') {
            rp_buf_putc(&b, '~');
            i++;
        } else {
            rp_buf_putc(&b, one.s[i]);
        }
    }
    return take_buf(c, &b);
}

/* gojsonpointer's Get.  A fragment that is not a pointer (no leading '/')
 * selects the whole document, as gojsonreference ignores the parse error. */
static bool pointer_get(js_ctx *c, rego_value doc, rego_gostr frag, rego_value *out)
{
    *out = doc;
    if (frag.n == 0 || frag.s[0] != '/')
        return true;
    rego_gostr rest = gstr(frag.s + 1, frag.n - 1);
    for (bool last = false; !last && js_ok(c);) {
        const char *slash = memchr(rest.s, '/', rest.n);
        rego_gostr tok = gstr(rest.s, slash ? (size_t)(slash - rest.s) : rest.n);
        last = !slash;
        if (slash)
            rest = gstr(slash + 1, rest.n - tok.n - 1);
        if (out->kind == REGO_OBJECT) {
            rego_gostr key = decode_token(c, tok);
            rego_value v;
            if (!rego_object_get_str(*out, key.s, key.n, rego_hash_str(key.s, key.n), &v))
                return js_fail(c, "Object has no key '%.*s'", (int)key.n, key.s);
            *out = v;
        } else if (out->kind == REGO_ARRAY) {
            long long idx;
            if (!go_atoi(tok, &idx))
                return js_fail(c, "Invalid array index '%.*s'", (int)tok.n, tok.s);
            if (idx < 0 || idx >= (long long)out->n)
                return js_fail(c, "Out of bound array[0,%u] index '%lld'", out->n, idx);
            *out = out->u.items[idx];
        } else {
            return js_fail(c, "Invalid token reference '%.*s'", (int)tok.n, tok.s);
        }
    }
    return js_ok(c);
}

/* Loads an embedded metaschema into the pool (the only remote documents
 * we resolve).  false when url names none. */
static bool load_metaschema(js_ctx *c, rego_gostr url, rego_value *doc, int *draft)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(metaschemas); i++) {
        if (!geqc(url, metaschemas[i].url))
            continue;
        rp_error err = {0};
        rego_value raw;
        const char *t = metaschemas[i].text;
        if (rego_json_parse(c->a, t, strlen(t), NULL, &raw, &err) != RP_OK)
            return js_nomem(c);
        /* Errors while pooling a fetched document are ignored, as Go does. */
        rp_status before = c->st;
        parse_references(c, raw, url, doc, draft);
        if (c->st == RP_ERR_EVAL && before == RP_OK) {
            c->st = RP_OK;
            *doc = raw;
        }
        return js_ok(c);
    }
    return false;
}

/* gojsonschema's schemaPool.GetDocument. */
static bool get_document(js_ctx *c, rego_gostr ref, js_pooldoc *out)
{
    rego_gourl u;
    char msg[256];
    if (!ref_parse(c, ref, &u, msg, sizeof(msg)))
        return js_fail(c, "%s", msg);
    rego_gostr key = url_string(c, &u);
    js_pooldoc *pd = map_get(c, &c->pool, key);
    if (pd) {
        *out = *pd;
        return true;
    }
    rego_gourl nofrag = u;
    nofrag.fragment = nofrag.raw_fragment = gstr("", 0);
    rego_gostr base = url_string(c, &nofrag);
    if ((pd = map_get(c, &c->pool, base)) != NULL) {
        if (!pointer_get(c, pd->doc, u.fragment, &out->doc))
            return false;
        out->draft = pd->draft;
        js_pooldoc *cached = js_alloc(c, 1, sizeof(js_pooldoc));
        void **p = map_slot(c, &c->pool, key, true);
        if (!cached || !p)
            return js_nomem(c);
        *cached = *out;
        *p = cached;
        return true;
    }
    bool file = geqc(u.scheme, "file");
    bool canonical = file ? (u.path.n && u.path.s[0] == '/') : (u.scheme.n && u.host.n);
    if (!canonical)
        return js_fail(c, "Reference %.*s must be canonical", (int)key.n, key.s);
    if (file)
        return js_fail(c, "file reference loading disabled: %.*s", (int)base.n, base.s);
    rego_value doc;
    int draft;
    if (!load_metaschema(c, base, &doc, &draft)) {
        if (!js_ok(c))
            return false;
        return js_fail(c, "remote reference loading disabled: %.*s", (int)base.n, base.s);
    }
    out->draft = draft;
    return pointer_get(c, doc, u.fragment, &out->doc);
}

/* ---- compiled schemas --------------------------------------------------------------- */

typedef enum { JT_ARRAY, JT_BOOLEAN, JT_INTEGER, JT_NUMBER, JT_NULL, JT_OBJECT, JT_STRING } js_type;
static const char *const type_names[] = {"array", "boolean", "integer", "number",
                                         "null",  "object",  "string"};
#define JT_COUNT 7

typedef struct js_schema js_schema;

/* additionalProperties / additionalItems: absent, a boolean or a schema. */
typedef struct {
    enum { ADD_NONE, ADD_BOOL, ADD_SCHEMA } kind;
    bool b;
    js_schema *s;
} js_additional;

typedef struct {
    rego_gostr name;
    js_schema *schema;  /* a schema dependency, or NULL */
    rego_gostr *props;  /* a property dependency */
    size_t nprops;
} js_dep;

typedef struct {
    rego_gostr pattern;
    rp_re *re;
    js_schema *schema;
} js_patprop;

typedef struct {
    js_schema **s;
    size_t n;
} js_list;

/* gojsonschema's SubSchema, the fields validation reads. */
struct js_schema {
    int draft;            /* JS_NO_DRAFT: the parent's */
    js_schema *parent;
    rego_gostr property;  /* the key, for "properties" children */
    signed char pass;     /* boolean schema: 0/1; -1 otherwise */
    js_schema *ref_schema;
    uint8_t types[JT_COUNT];
    size_t ntypes;
    js_list items;
    bool items_single;
    js_list props;        /* sorted by property */
    rego_value multiple_of, maximum, exclusive_maximum, minimum, exclusive_minimum; /* UNDEF: absent */
    bool has_min_length, has_max_length, has_min_props, has_max_props, has_min_items,
        has_max_items;
    int64_t min_length, max_length, min_props, max_props, min_items, max_items;
    rp_re *pattern;
    rego_gostr pattern_src, format;
    rego_gostr *required;
    size_t nrequired;
    js_dep *deps;         /* sorted by name */
    size_t ndeps;
    js_additional additional_properties, additional_items;
    js_patprop *patprops;
    size_t npatprops;
    js_schema *property_names, *contains, *not_, *if_, *then_, *else_;
    bool unique_items, has_const, enum_present;
    rego_gostr const_text;
    rego_gostr *enums;
    size_t nenums;
    js_list one_of, any_of, all_of;
};

static bool invalid_type(js_ctx *c, const char *expected, const char *given)
{
    return js_fail(c, "Invalid type. Expected: %s, given: %s", expected, given);
}

static js_schema *new_schema(js_ctx *c, js_schema *parent, rego_gostr property)
{
    js_schema *s = js_alloc(c, 1, sizeof(js_schema));
    if (!s)
        return NULL;
    s->parent = parent;
    s->property = property;
    s->pass = -1;
    s->multiple_of = s->maximum = s->exclusive_maximum = rego_undef();
    s->minimum = s->exclusive_minimum = rego_undef();
    return s;
}

static bool keep_re(js_ctx *c, rp_re *re)
{
    if (c->nres == c->capres) {
        size_t ncap = c->capres ? c->capres * 2 : 8;
        rp_re **n = js_alloc(c, ncap, sizeof(rp_re *));
        if (!n) {
            rp_re_release(re);
            return false;
        }
        if (c->nres)
            memcpy(n, c->res, c->nres * sizeof(rp_re *));
        c->res = n;
        c->capres = ncap;
    }
    c->res[c->nres++] = re;
    return true;
}

/* Compiles a Go regexp; NULL when it does not compile (no error set). */
static rp_re *compile_re(js_ctx *c, rego_gostr pat)
{
    rp_re *re = NULL;
    char msg[64];
    rp_status st = rp_re_compile(pat.s, pat.n, &re, msg, sizeof(msg));
    if (st == RP_ERR_NOMEM) {
        js_nomem(c);
        return NULL;
    }
    if (st != RP_OK)
        return NULL;
    return keep_re(c, re) ? re : NULL;
}

static bool parse_schema(js_ctx *c, rego_value node, js_schema *s);

static bool parse_child(js_ctx *c, js_schema *parent, rego_gostr prop, rego_value node,
                        js_schema **out)
{
    js_schema *s = new_schema(c, parent, prop);
    *out = s;
    return s && parse_schema(c, node, s);
}

/* getString / getSlice / getMap: present-and-typed lookups. */
static bool get_string(js_ctx *c, rego_value m, const char *key, rego_value *out, bool *found)
{
    *found = get_key(m, key, out);
    if (*found && out->kind != REGO_STRING)
        return invalid_type(c, "string", key);
    return true;
}

static bool get_slice(js_ctx *c, rego_value m, const char *key, rego_value *out)
{
    *out = rego_empty_array();
    rego_value v;
    if (!get_key(m, key, &v))
        return true;
    if (v.kind != REGO_ARRAY)
        return js_fail(c, "%s must be of an array", key);
    *out = v;
    return true;
}

/* mustBeInteger: an integer literal that fits 64 bits (ParseInt). */
static bool must_be_integer(rego_value v, int64_t *out)
{
    if (v.kind != REGO_NUMBER || v.sub != REGO_NUM_INT)
        return false;
    *out = v.u.i;
    return true;
}

static bool parse_int_keyword(js_ctx *c, rego_value m, const char *key, bool *has, int64_t *val)
{
    rego_value v;
    if (!get_key(m, key, &v))
        return true;
    if (!must_be_integer(v, val))
        return js_fail(c, "%s must be of an integer", key);
    if (*val < 0)
        return js_fail(c, "%s must be greater than or equal to 0", key);
    *has = true;
    return true;
}

static bool parse_list(js_ctx *c, js_schema *s, rego_value arr, const char *key, js_list *out)
{
    out->n = arr.n;
    out->s = js_alloc(c, arr.n, sizeof(js_schema *));
    if (!out->s)
        return false;
    for (size_t i = 0; i < arr.n; i++)
        if (!parse_child(c, s, gcstr(key), arr.u.items[i], &out->s[i]))
            return false;
    return true;
}

static bool is_schema_node(rego_value v) { return v.kind == REGO_BOOL || v.kind == REGO_OBJECT; }

static bool parse_types(js_ctx *c, js_schema *s, rego_value t)
{
    const rego_value *items = &t;
    size_t n = 1;
    if (t.kind == REGO_ARRAY) {
        items = t.u.items;
        n = t.n;
    } else if (t.kind != REGO_STRING) {
        return invalid_type(c, "string/array of strings", "type");
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i].kind != REGO_STRING)
            return invalid_type(c, "string/array of strings", "type");
        rego_gostr name = vstr(items[i]);
        int k = -1;
        for (int j = 0; j < JT_COUNT; j++)
            if (geqc(name, type_names[j]))
                k = j;
        if (k < 0)
            return js_fail(c,
                           "has a primitive type that is NOT VALID -- given: /%.*s/ Expected "
                           "valid values are:[array boolean integer number null object string]",
                           (int)name.n, name.s);
        for (size_t j = 0; j < s->ntypes; j++)
            if (s->types[j] == k)
                return js_fail(c, "%s type is duplicated", type_names[k]);
        s->types[s->ntypes++] = (uint8_t)k;
    }
    return true;
}

static bool parse_properties(js_ctx *c, js_schema *s, rego_value v)
{
    if (v.kind != REGO_OBJECT)
        return js_fail(c, "properties must be of type object");
    s->props.n = v.n;
    s->props.s = js_alloc(c, v.n, sizeof(js_schema *));
    if (!s->props.s)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        rego_objent e = rego_object_at(v, i);
        if (!parse_child(c, s, vstr(e.key), e.val, &s->props.s[i]))
            return false;
    }
    return true;
}

static bool parse_dependencies(js_ctx *c, js_schema *s, rego_value v)
{
    if (v.kind != REGO_OBJECT)
        return js_fail(c, "dependencies must be of type object");
    s->ndeps = v.n;
    s->deps = js_alloc(c, v.n, sizeof(js_dep));
    if (!s->deps)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        rego_objent e = rego_object_at(v, i);
        js_dep *d = &s->deps[i];
        d->name = vstr(e.key);
        if (e.val.kind == REGO_ARRAY) {
            d->nprops = e.val.n;
            d->props = js_alloc(c, e.val.n, sizeof(rego_gostr));
            if (!d->props)
                return false;
            for (size_t j = 0; j < e.val.n; j++) {
                if (e.val.u.items[j].kind != REGO_STRING)
                    return js_fail(c, "dependency must be of type schema or array of strings");
                d->props[j] = vstr(e.val.u.items[j]);
            }
        } else if (is_schema_node(e.val)) {
            if (!parse_child(c, s, d->name, e.val, &d->schema))
                return false;
        } else {
            return js_fail(c, "dependency must be of type schema or array of strings");
        }
    }
    return true;
}

static bool parse_additional(js_ctx *c, js_schema *s, rego_value m, const char *key,
                             js_additional *out)
{
    rego_value v;
    if (!get_key(m, key, &v))
        return true;
    if (v.kind == REGO_BOOL) {
        out->kind = ADD_BOOL;
        out->b = v.u.b;
        return true;
    }
    if (v.kind == REGO_OBJECT) {
        out->kind = ADD_SCHEMA;
        return parse_child(c, s, gcstr(key), v, &out->s);
    }
    return invalid_type(c, "boolean/valid schema", key);
}

static bool parse_pattern_properties(js_ctx *c, js_schema *s, rego_value m)
{
    rego_value v;
    if (!get_key(m, "patternProperties", &v))
        return true;
    if (v.kind != REGO_OBJECT)
        return invalid_type(c, "valid schema", "patternProperties");
    s->npatprops = v.n;
    s->patprops = js_alloc(c, v.n, sizeof(js_patprop));
    if (!s->patprops)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        rego_objent e = rego_object_at(v, i);
        js_patprop *pp = &s->patprops[i];
        pp->pattern = vstr(e.key);
        if (!(pp->re = compile_re(c, pp->pattern))) {
            if (!js_ok(c))
                return false;
            return js_fail(c, "Invalid regex pattern '%.*s'", (int)pp->pattern.n, pp->pattern.s);
        }
        if (!parse_child(c, s, pp->pattern, e.val, &pp->schema))
            return false;
    }
    return true;
}

static bool parse_items(js_ctx *c, js_schema *s, rego_value m)
{
    rego_value v;
    if (get_key(m, "items", &v)) {
        if (v.kind == REGO_ARRAY) {
            for (size_t i = 0; i < v.n; i++)
                if (!is_schema_node(v.u.items[i]))
                    return invalid_type(c, "valid schema/array of schemas", "items");
            if (!parse_list(c, s, v, "items", &s->items))
                return false;
        } else if (is_schema_node(v)) {
            s->items_single = true;
            s->items.n = 1;
            s->items.s = js_alloc(c, 1, sizeof(js_schema *));
            if (!s->items.s || !parse_child(c, s, gcstr("items"), v, &s->items.s[0]))
                return false;
        } else {
            return invalid_type(c, "valid schema/array of schemas", "items");
        }
    }
    return parse_additional(c, s, m, "additionalItems", &s->additional_items);
}

/* minimum/maximum and their exclusive forms, which changed meaning between
 * draft 4 (a boolean modifier) and draft 6 (a number). */
static bool parse_bound(js_ctx *c, js_schema *s, rego_value m, bool min)
{
    const char *key = min ? "minimum" : "maximum";
    const char *ekey = min ? "exclusiveMinimum" : "exclusiveMaximum";
    rego_value *bound = min ? &s->minimum : &s->maximum;
    rego_value *ebound = min ? &s->exclusive_minimum : &s->exclusive_maximum;
    rego_value v;
    if (get_key(m, key, &v)) {
        if (v.kind != REGO_NUMBER)
            return js_fail(c, "%s must be of a number", key);
        *bound = v;
    }
    if (!get_key(m, ekey, &v))
        return true;
    if (s->draft == JS_DRAFT4 || (s->draft == JS_HYBRID && v.kind == REGO_BOOL)) {
        if (v.kind != REGO_BOOL)
            return invalid_type(c, "boolean", ekey);
        if (rego_is_undef(*bound))
            return js_fail(c, "%s cannot be used without %s", ekey, key);
        if (v.u.b) {
            *ebound = *bound;
            *bound = rego_undef();
        }
        return true;
    }
    if (v.kind != REGO_NUMBER)
        return invalid_type(c, s->draft == JS_HYBRID ? "boolean/number" : "number", ekey);
    *ebound = v;
    return true;
}

static bool parse_numeric(js_ctx *c, js_schema *s, rego_value m)
{
    rego_value v;
    if (get_key(m, "multipleOf", &v)) {
        if (v.kind != REGO_NUMBER)
            return invalid_type(c, "number", "multipleOf");
        mpq_t q;
        mpq_init(q);
        num_to_mpq(v, q);
        int sign = mpq_sgn(q);
        mpq_clear(q);
        if (sign <= 0)
            return js_fail(c, "multipleOf must be strictly greater than 0");
        s->multiple_of = v;
    }
    return parse_bound(c, s, m, true) && parse_bound(c, s, m, false);
}

static bool parse_string_keywords(js_ctx *c, js_schema *s, rego_value m)
{
    if (!parse_int_keyword(c, m, "minLength", &s->has_min_length, &s->min_length) ||
        !parse_int_keyword(c, m, "maxLength", &s->has_max_length, &s->max_length))
        return false;
    if (s->has_min_length && s->has_max_length && s->min_length > s->max_length)
        return js_fail(c, "minLength cannot be greater than maxLength");
    rego_value v;
    bool found;
    if (!get_string(c, m, "pattern", &v, &found))
        return false;
    if (found) {
        s->pattern_src = vstr(v);
        if (!(s->pattern = compile_re(c, s->pattern_src)))
            return js_ok(c) ? js_fail(c, "pattern must be a valid regex") : false;
    }
    if (!get_string(c, m, "format", &v, &found))
        return false;
    if (found)
        s->format = vstr(v);
    return true;
}

static bool parse_object_keywords(js_ctx *c, js_schema *s, rego_value m)
{
    if (!parse_int_keyword(c, m, "minProperties", &s->has_min_props, &s->min_props) ||
        !parse_int_keyword(c, m, "maxProperties", &s->has_max_props, &s->max_props))
        return false;
    if (s->has_min_props && s->has_max_props && s->min_props > s->max_props)
        return js_fail(c, "minProperties cannot be greater than maxProperties");
    rego_value req;
    if (!get_slice(c, m, "required", &req))
        return false;
    s->required = js_alloc(c, req.n, sizeof(rego_gostr));
    if (!s->required)
        return false;
    for (size_t i = 0; i < req.n; i++) {
        if (req.u.items[i].kind != REGO_STRING)
            return invalid_type(c, "string", "required");
        rego_gostr r = vstr(req.u.items[i]);
        for (size_t j = 0; j < s->nrequired; j++)
            if (geq(s->required[j], r))
                return js_fail(c, "required items must be unique");
        s->required[s->nrequired++] = r;
    }
    return true;
}

static bool parse_array_keywords(js_ctx *c, js_schema *s, rego_value m)
{
    if (!parse_int_keyword(c, m, "minItems", &s->has_min_items, &s->min_items) ||
        !parse_int_keyword(c, m, "maxItems", &s->has_max_items, &s->max_items))
        return false;
    rego_value v;
    if (get_key(m, "uniqueItems", &v)) {
        if (v.kind != REGO_BOOL)
            return js_fail(c, "uniqueItems must be of a boolean");
        s->unique_items = v.u.b;
    }
    if (s->draft >= JS_DRAFT6 && get_key(m, "contains", &v))
        return parse_child(c, s, gcstr("contains"), v, &s->contains);
    return true;
}

/* marshalWithoutNumber of a const/enum value; a schema error when the
 * number does not fit a float64 (json.Unmarshal's error). */
static bool canon_keyword(js_ctx *c, rego_value v, rego_gostr *out)
{
    bool failed;
    if (!canon_str(c, v, out, &failed))
        return false;
    if (failed)
        return js_fail(c, "%.*s", (int)out->n, out->s);
    return true;
}

static bool parse_value_keywords(js_ctx *c, js_schema *s, rego_value m)
{
    rego_value v;
    if (s->draft >= JS_DRAFT6 && get_key(m, "const", &v)) {
        if (!canon_keyword(c, v, &s->const_text))
            return false;
        s->has_const = true;
    }
    rego_value en;
    if (!get_slice(c, m, "enum", &en))
        return false;
    /* An empty "enum" still constrains: nothing matches it. */
    s->enum_present = has_key(m, "enum");
    s->enums = js_alloc(c, en.n, sizeof(rego_gostr));
    if (!s->enums)
        return false;
    for (size_t i = 0; i < en.n; i++) {
        rego_gostr t;
        if (!canon_keyword(c, en.u.items[i], &t))
            return false;
        for (size_t j = 0; j < s->nenums; j++)
            if (geq(s->enums[j], t))
                return js_fail(c, "enum items must be unique");
        s->enums[s->nenums++] = t;
    }
    return true;
}

static bool parse_sub_node(js_ctx *c, js_schema *s, rego_value m, const char *key,
                           js_schema **out)
{
    rego_value v;
    if (!get_key(m, key, &v))
        return true;
    if (!is_schema_node(v))
        return js_fail(c, "%s must be of an object", key);
    return parse_child(c, s, gcstr(key), v, out);
}

static bool parse_combinators(js_ctx *c, js_schema *s, rego_value m)
{
    static const char *const keys[] = {"oneOf", "anyOf", "allOf"};
    js_list *lists[] = {&s->one_of, &s->any_of, &s->all_of};
    for (size_t i = 0; i < 3; i++) {
        rego_value arr;
        if (!get_slice(c, m, keys[i], &arr) || !parse_list(c, s, arr, keys[i], lists[i]))
            return false;
    }
    if (!parse_sub_node(c, s, m, "not", &s->not_))
        return false;
    if (s->draft < JS_DRAFT7)
        return true;
    return parse_sub_node(c, s, m, "if", &s->if_) && parse_sub_node(c, s, m, "then", &s->then_) &&
           parse_sub_node(c, s, m, "else", &s->else_);
}

/* gojsonschema's parseReference: the referenced document, compiled once per
 * reference string (the pool entry is made first, so cycles end). */
static bool parse_reference(js_ctx *c, js_schema *s, rego_gostr ref)
{
    js_schema *t = new_schema(c, s, gcstr("$ref"));
    void **slot = map_slot(c, &c->refpool, ref, true);
    if (!t || !slot)
        return js_nomem(c);
    if (!*slot)
        *slot = t;
    js_pooldoc pd;
    if (!get_document(c, ref, &pd))
        return false;
    t->draft = pd.draft;
    if (!is_schema_node(pd.doc))
        return js_fail(c, "valid schema must be of type object");
    if (!parse_schema(c, pd.doc, t))
        return false;
    s->ref_schema = t;
    return true;
}

/* The keywords before "$ref", then "$ref" itself: true in *done when the
 * reference ended the parse (gojsonschema ignores the siblings of a new
 * $ref). */
static bool parse_head(js_ctx *c, js_schema *s, rego_value m, bool *done)
{
    *done = false;
    const char *key_id = s->draft == JS_DRAFT4 ? "id"
                         : s->draft == JS_HYBRID && has_key(m, "id") ? "id"
                                                                      : "$id";
    rego_value v;
    bool found;
    char msg[256];
    rego_gourl u;
    if (!get_string(c, m, key_id, &v, &found))
        return false;
    if (found && !ref_parse(c, vstr(v), &u, msg, sizeof(msg)))
        return js_fail(c, "%s", msg);
    if (get_key(m, "definitions", &v)) {
        if (v.kind != REGO_OBJECT)
            return invalid_type(c, "array of schemas", "definitions");
        for (size_t i = 0; i < v.n; i++) {
            js_schema *d;
            if (!is_schema_node(rego_object_at(v, i).val))
                return invalid_type(c, "array of schemas", "definitions");
            if (!parse_child(c, s, gcstr("definitions"), rego_object_at(v, i).val, &d))
                return false;
        }
    }
    if (!get_string(c, m, "title", &v, &found) || !get_string(c, m, "description", &v, &found) ||
        !get_string(c, m, "$ref", &v, &found))
        return false;
    if (!found)
        return true;
    if (!ref_parse(c, vstr(v), &u, msg, sizeof(msg)))
        return js_fail(c, "%s", msg);
    rego_gostr ref = url_string(c, &u);
    js_schema *known = map_get(c, &c->refpool, ref);
    if (known) {
        s->ref_schema = known;
        return true;
    }
    *done = true;
    return parse_reference(c, s, ref);
}

/* gojsonschema's parseSchema, keyword by keyword in its order. */
static bool parse_schema_keywords(js_ctx *c, js_schema *s, rego_value m)
{
    bool done;
    if (!parse_head(c, s, m, &done) || done)
        return js_ok(c);
    rego_value v;
    if (get_key(m, "type", &v) && !parse_types(c, s, v))
        return false;
    if (get_key(m, "properties", &v) && !parse_properties(c, s, v))
        return false;
    if (!parse_additional(c, s, m, "additionalProperties", &s->additional_properties) ||
        !parse_pattern_properties(c, s, m))
        return false;
    if (s->draft >= JS_DRAFT6 && get_key(m, "propertyNames", &v)) {
        if (!is_schema_node(v))
            return invalid_type(c, "valid schema", "patternProperties");
        if (!parse_child(c, s, gcstr("propertyNames"), v, &s->property_names))
            return false;
    }
    if (get_key(m, "dependencies", &v) && !parse_dependencies(c, s, v))
        return false;
    return parse_items(c, s, m) && parse_numeric(c, s, m) && parse_string_keywords(c, s, m) &&
           parse_object_keywords(c, s, m) && parse_array_keywords(c, s, m) &&
           parse_value_keywords(c, s, m) && parse_combinators(c, s, m);
}

/* A compiled subschema is charged this many work units: it costs a few
 * hundred bytes, and a schema can make the compiler revisit subtrees. */
#define JS_SCHEMA_STEPS 64

static bool parse_schema(js_ctx *c, rego_value node, js_schema *s)
{
    if (!js_step(c, JS_SCHEMA_STEPS))
        return false;
    if (s->draft == JS_NO_DRAFT) {
        if (!s->parent)
            return js_fail(c, "Draft not set");
        s->draft = s->parent->draft;
    }
    if (s->draft >= JS_DRAFT6 && node.kind == REGO_BOOL) {
        s->pass = node.u.b ? 1 : 0;
        return true;
    }
    if (node.kind != REGO_OBJECT)
        return js_fail(c, "Expected: valid schema, given: Invalid JSON");
    if (!js_enter(c, REGO_JSONSCHEMA_MAX_DEPTH, "JSON schema nesting")) {
        js_leave(c);
        return false;
    }
    bool ok = parse_schema_keywords(c, s, node);
    js_leave(c);
    return ok;
}

/* gojsonschema's SchemaLoader.Compile for a string or Go-value loader. */
static bool compile(js_ctx *c, rego_value doc, js_schema **out)
{
    rego_value rewritten;
    int draft;
    if (!parse_references(c, doc, gstr("", 0), &rewritten, &draft))
        return false;
    js_schema *root = new_schema(c, NULL, gcstr("(root)"));
    if (!root)
        return false;
    root->draft = draft == JS_NO_DRAFT ? JS_HYBRID : draft;
    *out = root;
    return parse_schema(c, rewritten, root);
}

/* ---- format checkers (gojsonschema's format_checkers.go) ---------------------------- */

typedef struct {
    const char *s;
    size_t n, i;
} scan;

static bool sc_digit(const scan *p, size_t k)
{
    return p->i + k < p->n && p->s[p->i + k] >= '0' && p->s[p->i + k] <= '9';
}

static bool sc_lit(scan *p, char ch)
{
    if (p->i < p->n && p->s[p->i] == ch) {
        p->i++;
        return true;
    }
    return false;
}

/* Go's time getnum: one or two digits (exactly two when fixed). */
static bool sc_num(scan *p, bool fixed, int *out)
{
    if (!sc_digit(p, 0))
        return false;
    if (!sc_digit(p, 1)) {
        if (fixed)
            return false;
        *out = p->s[p->i++] - '0';
        return true;
    }
    *out = (p->s[p->i] - '0') * 10 + (p->s[p->i + 1] - '0');
    p->i += 2;
    return true;
}

/* Layout "2006": four bytes read by Go's atoi (an optional sign, digits). */
static bool sc_year(scan *p, int *year)
{
    if (p->n - p->i < 4)
        return false;
    const char *y = p->s + p->i;
    size_t k = (y[0] == '+' || y[0] == '-') ? 1 : 0;
    int v = 0;
    for (size_t j = k; j < 4; j++) {
        if (y[j] < '0' || y[j] > '9')
            return false;
        v = v * 10 + (y[j] - '0');
    }
    *year = y[0] == '-' ? -v : v;
    p->i += 4;
    return true;
}

/* Seconds, then a fractional part, which Go accepts after "05" even when
 * the layout has none (',' or '.', then digits). */
static bool sc_seconds(scan *p)
{
    int sec;
    if (!sc_num(p, true, &sec) || sec >= 60)
        return false;
    if (p->i + 1 < p->n && (p->s[p->i] == '.' || p->s[p->i] == ',') && sc_digit(p, 1)) {
        p->i++;
        while (sc_digit(p, 0))
            p->i++;
    }
    return true;
}

/* "15:04:05": hour (one or two digits), minute, second. */
static bool sc_clock(scan *p)
{
    int h, m;
    return sc_num(p, false, &h) && h < 24 && sc_lit(p, ':') && sc_num(p, true, &m) && m < 60 &&
           sc_lit(p, ':') && sc_seconds(p);
}

/* "Z07:00": Z, or a sign and hh:mm (hours up to 24, minutes up to 60). */
static bool sc_zone(scan *p)
{
    if (sc_lit(p, 'Z'))
        return true;
    if (p->n - p->i < 6 || p->s[p->i + 3] != ':')
        return false;
    char sign = p->s[p->i];
    scan hh = {p->s + p->i + 1, 2, 0}, mm = {p->s + p->i + 4, 2, 0};
    int h, m;
    if (!sc_num(&hh, true, &h) || !sc_num(&mm, true, &m) || h > 24 || m > 60)
        return false;
    if (sign != '+' && sign != '-')
        return false;
    p->i += 6;
    return true;
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        return 29;
    return d[month - 1];
}

/* "2006-01-02" (the day is checked against the month, as Go does). */
static bool sc_date(scan *p)
{
    int y, m, d;
    return sc_year(p, &y) && sc_lit(p, '-') && sc_num(p, true, &m) && m >= 1 && m <= 12 &&
           sc_lit(p, '-') && sc_num(p, true, &d) && d >= 1 && d <= days_in(m, y);
}

typedef enum { TL_CLOCK, TL_CLOCK_ZONE, TL_DATE, TL_RFC3339 } time_layout;

/* time.Parse(layout, s) == nil for the layouts gojsonschema uses. */
static bool go_time_parse(time_layout l, rego_gostr s)
{
    scan p = {s.s, s.n, 0};
    bool ok = false;
    switch (l) {
    case TL_CLOCK: ok = sc_clock(&p); break;
    case TL_CLOCK_ZONE: ok = sc_clock(&p) && sc_zone(&p); break;
    case TL_DATE: ok = sc_date(&p); break;
    case TL_RFC3339: ok = sc_date(&p) && sc_lit(&p, 'T') && sc_clock(&p) && sc_zone(&p); break;
    }
    return ok && p.i == p.n;
}

/* -- net/mail.ParseAddress ---------------------------------------------------------- */

typedef struct {
    const char *s;
    size_t n;
} mail_p;

static bool mp_empty(const mail_p *p) { return p->n == 0; }

static bool mp_consume(mail_p *p, char ch)
{
    if (mp_empty(p) || p->s[0] != ch)
        return false;
    p->s++;
    p->n--;
    return true;
}

static void mp_skip_space(mail_p *p)
{
    while (p->n && (p->s[0] == ' ' || p->s[0] == '\t')) {
        p->s++;
        p->n--;
    }
}

/* Decodes one rune; size 0 at the end, 1 with cp 0xFFFD for a bad byte. */
static size_t mp_rune(const mail_p *p, size_t i, uint32_t *cp)
{
    if (i >= p->n)
        return 0;
    size_t k = rp_utf8_decode(p->s + i, p->n - i, cp);
    if (k == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return k;
}

static bool is_vchar(uint32_t r) { return (r >= '!' && r <= '~') || r >= 0x80; }

/* RFC 5322 atext (with '.' when dot); Go's permissive mode only relaxes
 * the dot rules, not the specials. */
static bool is_atext(uint32_t r, bool dot)
{
    switch (r) {
    case '.': return dot;
    case '(': case ')': case '<': case '>': case '[': case ']': case ':': case ';': case '@':
    case '\\': case ',': case '"':
        return false;
    default:
        return is_vchar(r);
    }
}

static bool mp_atom(mail_p *p, bool dot, bool permissive, rego_gostr *atom)
{
    size_t i = 0;
    for (;;) {
        uint32_t r;
        size_t k = mp_rune(p, i, &r);
        if (k == 1 && r == 0xFFFD && (unsigned char)p->s[i] >= 0x80) {
            /* an invalid byte (a literal U+FFFD is three bytes) */
            return false;
        }
        if (k == 0 || !is_atext(r, dot))
            break;
        i += k;
    }
    if (i == 0)
        return false;
    *atom = gstr(p->s, i);
    p->s += i;
    p->n -= i;
    if (!permissive) {
        if (atom->s[0] == '.' || atom->s[atom->n - 1] == '.')
            return false;
        for (size_t j = 0; j + 1 < atom->n; j++)
            if (atom->s[j] == '.' && atom->s[j + 1] == '.')
                return false;
    }
    return true;
}

static bool mp_quoted(mail_p *p, size_t *runes)
{
    size_t i = 1;
    bool escaped = false;
    *runes = 0;
    for (;;) {
        uint32_t r;
        size_t k = mp_rune(p, i, &r);
        if (k == 0)
            return false;
        if (k == 1 && r == 0xFFFD && (unsigned char)p->s[i] >= 0x80)
            return false;
        if (escaped) {
            if (!is_vchar(r) && r != ' ' && r != '\t')
                return false;
            (*runes)++;
            escaped = false;
        } else if ((is_vchar(r) && r != '\\' && r != '"') || r == ' ' || r == '\t') {
            (*runes)++;
        } else if (r == '"') {
            break;
        } else if (r == '\\') {
            escaped = true;
        } else {
            return false;
        }
        i += k;
    }
    p->s += i + 1;
    p->n -= i + 1;
    return true;
}

static bool mp_comment(mail_p *p, rp_buf *comment)
{
    int depth = 1;
    while (!mp_empty(p) && depth) {
        if (p->s[0] == '\\' && p->n > 1) {
            p->s++;
            p->n--;
        } else if (p->s[0] == '(') {
            depth++;
        } else if (p->s[0] == ')') {
            depth--;
        }
        if (depth > 0 && comment)
            rp_buf_putc(comment, p->s[0]);
        p->s++;
        p->n--;
    }
    return depth == 0;
}

static bool mp_skip_cfws(mail_p *p)
{
    mp_skip_space(p);
    while (mp_consume(p, '(')) {
        if (!mp_comment(p, NULL))
            return false;
        mp_skip_space(p);
    }
    return true;
}

/* mime.WordDecoder.Decode fails with a charset error (the only error
 * net/mail does not ignore) for a well-formed encoded word in a charset
 * other than UTF-8, ISO-8859-1 and US-ASCII. */
static bool rfc2047_charset_error(rego_gostr w)
{
    if (w.n < 8 || memcmp(w.s, "=?", 2) || memcmp(w.s + w.n - 2, "?=", 2))
        return false;
    size_t q = 0;
    for (size_t i = 0; i < w.n; i++)
        q += w.s[i] == '?';
    if (q != 4)
        return false;
    rego_gostr in = gstr(w.s + 2, w.n - 4);
    const char *q1 = memchr(in.s, '?', in.n);
    rego_gostr cs = gstr(in.s, (size_t)(q1 - in.s));
    const char *enc = q1 + 1;
    const char *q2 = memchr(enc, '?', in.n - cs.n - 1);
    if (cs.n == 0 || q2 != enc + 1)
        return false;
    rego_gostr text = gstr(q2 + 1, in.n - cs.n - 3);
    if (*enc == 'B' || *enc == 'b') {
        if (text.n % 4)
            return false;
        for (size_t i = 0; i < text.n; i++) {
            char ch = text.s[i];
            bool pad = ch == '=' && i >= text.n - 2;
            if (!(pad || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
                return false;
        }
    } else if (*enc == 'Q' || *enc == 'q') {
        for (size_t i = 0; i < text.n; i++) {
            if (text.s[i] == '=') {
                if (i + 2 >= text.n || !isxdigit((unsigned char)text.s[i + 1]) ||
                    !isxdigit((unsigned char)text.s[i + 2]))
                    return false;
                i += 2;
            } else if ((text.s[i] < ' ' || text.s[i] > '~') && text.s[i] != '\n' &&
                       text.s[i] != '\r' && text.s[i] != '\t') {
                return false;
            }
        }
    } else {
        return false;
    }
    static const char *const known[] = {"utf-8", "iso-8859-1", "us-ascii"};
    for (size_t i = 0; i < RP_ARRAY_LEN(known); i++)
        if (cs.n == strlen(known[i]) && !strncasecmp(cs.s, known[i], cs.n))
            return false;
    return true;
}

static bool mp_addr_spec(mail_p *p);

static bool mp_domain_literal(mail_p *p)
{
    if (!mp_consume(p, '['))
        return false;
    rp_buf dtext;
    rp_buf_init(&dtext);
    bool ok = false;
    for (;;) {
        if (mp_empty(p))
            break;
        if (p->s[0] == ']') {
            ok = true;
            break;
        }
        uint32_t r;
        size_t k = mp_rune(p, 0, &r);
        if ((k == 1 && r == 0xFFFD && (unsigned char)p->s[0] >= 0x80) || r == '[' ||
            r == '\\' || !is_vchar(r))
            break;
        rp_buf_append(&dtext, p->s, k);
        p->s += k;
        p->n -= k;
    }
    if (ok)
        ok = mp_consume(p, ']');
    if (ok) {
        /* net.ParseIP of the literal */
        const char *t = rp_buf_cstr(&dtext);
        unsigned char addr[16];
        ok = !dtext.failed && strlen(t) == dtext.len &&
             inet_pton(strchr(t, ':') ? AF_INET6 : AF_INET, t, addr) == 1;
    }
    rp_buf_free(&dtext);
    return ok;
}

/* consumeAddrSpec; restores p on failure. */
static bool mp_addr_spec(mail_p *p)
{
    mail_p orig = *p;
    rego_gostr atom;
    size_t runes;
    mp_skip_space(p);
    bool ok = !mp_empty(p);
    if (ok && p->s[0] == '"')
        ok = mp_quoted(p, &runes) && runes > 0;
    else if (ok)
        ok = mp_atom(p, true, false, &atom);
    ok = ok && mp_consume(p, '@');
    if (ok) {
        mp_skip_space(p);
        ok = !mp_empty(p) &&
             (p->s[0] == '[' ? mp_domain_literal(p) : mp_atom(p, true, false, &atom));
    }
    if (!ok)
        *p = orig;
    return ok;
}

static bool mp_phrase(mail_p *p)
{
    size_t words = 0;
    for (;;) {
        /* obs-phrase: CFWS may follow a word */
        if (words && !mp_skip_cfws(p))
            return false;
        mp_skip_space(p);
        if (mp_empty(p))
            break;
        rego_gostr w;
        size_t runes;
        if (p->s[0] == '"') {
            if (!mp_quoted(p, &runes))
                break;
        } else {
            if (!mp_atom(p, true, true, &w) || rfc2047_charset_error(w))
                break;
        }
        words++;
    }
    return words > 0;
}

static bool mp_display_comment(mail_p *p)
{
    if (!mp_consume(p, '('))
        return false;
    rp_buf comment;
    rp_buf_init(&comment);
    bool ok = mp_comment(p, &comment);
    for (size_t i = 0; ok && i < comment.len;) {
        while (i < comment.len && (comment.data[i] == ' ' || comment.data[i] == '\t'))
            i++;
        size_t j = i;
        while (j < comment.len && comment.data[j] != ' ' && comment.data[j] != '\t')
            j++;
        if (j > i && rfc2047_charset_error(gstr(comment.data + i, j - i)))
            ok = false;
        i = j;
    }
    ok = ok && !comment.failed;
    rp_buf_free(&comment);
    return ok;
}

/* parseAddress; *naddrs counts the addresses of a group. */
static bool mp_address(mail_p *p, bool group, size_t *naddrs)
{
    *naddrs = 1;
    mp_skip_space(p);
    if (mp_empty(p))
        return false;
    if (mp_addr_spec(p)) {
        mp_skip_space(p);
        if (!mp_empty(p) && p->s[0] == '(')
            return mp_display_comment(p);
        return true;
    }
    if (p->s[0] != '<' && !mp_phrase(p))
        return false;
    mp_skip_space(p);
    if (group && mp_consume(p, ':')) {
        *naddrs = 0;
        mp_skip_space(p);
        if (mp_consume(p, ';'))
            return mp_skip_cfws(p);
        for (;;) {
            size_t k;
            mp_skip_space(p);
            if (!mp_address(p, false, &k))
                return false;
            *naddrs += k;
            if (!mp_skip_cfws(p))
                return false;
            if (mp_consume(p, ';'))
                return mp_skip_cfws(p);
            if (!mp_consume(p, ','))
                return false;
        }
    }
    return mp_consume(p, '<') && mp_addr_spec(p) && mp_consume(p, '>');
}

static bool is_email(rego_gostr s)
{
    mail_p p = {s.s, s.n};
    size_t n;
    return mp_address(&p, true, &n) && mp_skip_cfws(&p) && mp_empty(&p) && n == 1;
}

/* -- the rest ----------------------------------------------------------------------- */

static bool is_ip(rego_gostr s, char need)
{
    char buf[64];
    unsigned char addr[16];
    if (s.n == 0 || s.n >= sizeof(buf) || memchr(s.s, 0, s.n))
        return false;
    memcpy(buf, s.s, s.n);
    buf[s.n] = 0;
    if (inet_pton(strchr(buf, ':') ? AF_INET6 : AF_INET, buf, addr) != 1)
        return false;
    return strchr(buf, need) != NULL;
}

static bool is_alnum_ascii(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* rxHostname: dot-separated labels of 1-63 letters, digits and inner '-'. */
static bool is_hostname(rego_gostr s)
{
    if (s.n == 0 || s.n >= 256)
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= s.n; i++) {
        if (i < s.n && s.s[i] != '.') {
            if (!is_alnum_ascii(s.s[i]) && s.s[i] != '-')
                return false;
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > 63 || s.s[start] == '-' || s.s[i - 1] == '-')
            return false;
        start = i + 1;
    }
    return true;
}

static bool is_uuid(rego_gostr s)
{
    static const size_t groups[] = {8, 4, 4, 4, 12};
    size_t i = 0;
    for (size_t g = 0; g < 5; g++) {
        if (g && (i >= s.n || s.s[i++] != '-'))
            return false;
        for (size_t k = 0; k < groups[g]; k++, i++)
            if (i >= s.n || !isxdigit((unsigned char)s.s[i]))
                return false;
    }
    return i == s.n;
}

/* rxJSONPointer over s[i..): (/( [^~/] | ~0 | ~1 )*)* */
static bool is_json_pointer_at(rego_gostr s, size_t i)
{
    if (i < s.n && s.s[i] != '/')
        return false;
    for (; i < s.n; i++)
        if (s.s[i] == '~' && (i + 1 >= s.n || (s.s[i + 1] != '0' && s.s[i + 1] != '1')))
            return false;
    return true;
}

static bool is_relative_json_pointer(rego_gostr s)
{
    size_t i = 0;
    if (s.n == 0 || s.s[0] < '0' || s.s[0] > '9')
        return false;
    if (s.s[0] == '0')
        i = 1;
    else
        while (i < s.n && s.s[i] >= '0' && s.s[i] <= '9')
            i++;
    if (i + 1 == s.n && s.s[i] == '#')
        return true;
    return is_json_pointer_at(s, i);
}

/* rxURITemplate: braces balanced and not nested. */
static bool is_uri_template_path(rego_gostr p)
{
    bool inside = false;
    for (size_t i = 0; i < p.n; i++) {
        if (!inside && p.s[i] == '{')
            inside = true;
        else if (inside && p.s[i] == '}')
            inside = false;
    }
    return !inside;
}

/* FormatCheckers.IsFormat: unknown formats and non-strings pass. */
static bool is_format(js_ctx *c, rego_gostr format, rego_value v)
{
    if (v.kind != REGO_STRING)
        return true;
    rego_gostr s = vstr(v);
    if (!js_step(c, 1 + s.n / 64))
        return true;
    if (geqc(format, "date"))
        return go_time_parse(TL_DATE, s);
    if (geqc(format, "time"))
        return go_time_parse(TL_CLOCK_ZONE, s) || go_time_parse(TL_CLOCK, s);
    if (geqc(format, "date-time"))
        return go_time_parse(TL_CLOCK, s) || go_time_parse(TL_CLOCK_ZONE, s) ||
               go_time_parse(TL_DATE, s) || go_time_parse(TL_RFC3339, s);
    if (geqc(format, "hostname"))
        return is_hostname(s);
    if (geqc(format, "email") || geqc(format, "idn-email"))
        return is_email(s);
    if (geqc(format, "ipv4"))
        return is_ip(s, '.');
    if (geqc(format, "ipv6"))
        return is_ip(s, ':');
    if (geqc(format, "uuid"))
        return is_uuid(s);
    if (geqc(format, "json-pointer"))
        return is_json_pointer_at(s, 0);
    if (geqc(format, "relative-json-pointer"))
        return is_relative_json_pointer(s);
    if (geqc(format, "regex")) {
        if (s.n == 0)
            return true;
        rp_re *re = NULL;
        char msg[8];
        rp_status st = rp_re_compile(s.s, s.n, &re, msg, sizeof(msg));
        rp_re_release(re);
        if (st == RP_ERR_NOMEM)
            js_nomem(c);
        return st == RP_OK;
    }
    bool uri = geqc(format, "uri") || geqc(format, "iri");
    bool ref = geqc(format, "uri-reference") || geqc(format, "iri-reference");
    bool tmpl = geqc(format, "uri-template");
    if (!uri && !ref && !tmpl)
        return true;
    rego_gourl u;
    char msg[8];
    if (!rego_gourl_parse(c->a, s.s, s.n, &u, msg, sizeof(msg)) || memchr(s.s, '\\', s.n))
        return false;
    if (uri)
        return u.scheme.n > 0;
    if (tmpl)
        return is_uri_template_path(u.path);
    return true;
}

/* ---- validation (gojsonschema's validation.go) ------------------------------------- */

/* A JSON context "(root).a.0", as a list from the innermost part out. */
typedef struct js_path {
    rego_gostr head;
    const struct js_path *tail;
} js_path;

typedef struct {
    const char *type;
    rego_gostr context, desc;
} js_err;

/* gojsonschema's Result: the errors, and a score saying how close the
 * document came (used to pick the closest anyOf/oneOf branch). */
typedef struct {
    js_err **e;
    size_t n, cap;
    long score;
} js_res;

/* Error creation is charged this many work units, which bounds the memory
 * that discarded anyOf/oneOf branches can pile up. */
#define JS_ERROR_STEPS 64

static void path_write(rp_buf *b, const js_path *p)
{
    if (p->tail) {
        path_write(b, p->tail);
        rp_buf_putc(b, '.');
    }
    rp_buf_append(b, p->head.s, p->head.n);
}

static bool res_push(js_ctx *c, js_res *r, js_err *e)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 4;
        js_err **n = js_alloc(c, ncap, sizeof(js_err *));
        if (!n)
            return false;
        if (r->n)
            memcpy(n, r->e, r->n * sizeof(js_err *));
        r->e = n;
        r->cap = ncap;
    }
    r->e[r->n++] = e;
    return true;
}

/* The field of an error: its context without "(root).". */
static rego_gostr err_field(rego_gostr context)
{
    if (context.n > 7 && memcmp(context.s, "(root).", 7) == 0)
        return gstr(context.s + 7, context.n - 7);
    return context;
}

/* addInternalError: appends an error whose description fmt formats. */
static void add_error(js_ctx *c, js_res *r, const char *type, const js_path *path,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add_error(js_ctx *c, js_res *r, const char *type, const js_path *path,
                      const char *fmt, ...)
{
    if (!js_step(c, JS_ERROR_STEPS))
        return;
    js_err *e = js_alloc(c, 1, sizeof(js_err));
    if (!e)
        return;
    rp_buf b;
    rp_buf_init(&b);
    path_write(&b, path);
    e->context = take_buf(c, &b);
    e->type = type;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *d = len >= 0 ? rp_arena_alloc(c->a, (size_t)len + 1) : NULL;
    if (d)
        vsnprintf(d, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    if (!d) {
        js_nomem(c);
        return;
    }
    e->desc = gstr(d, (size_t)len);
    if (res_push(c, r, e))
        r->score -= 2;
}

/* The same, for descriptions built in a buffer (values of any length). */
static void add_error_buf(js_ctx *c, js_res *r, const char *type, const js_path *path, rp_buf *d)
{
    if (!js_step(c, JS_ERROR_STEPS)) {
        rp_buf_free(d);
        return;
    }
    js_err *e = js_alloc(c, 1, sizeof(js_err));
    if (!e) {
        rp_buf_free(d);
        return;
    }
    rp_buf b;
    rp_buf_init(&b);
    path_write(&b, path);
    e->context = take_buf(c, &b);
    e->type = type;
    e->desc = take_buf(c, d);
    if (res_push(c, r, e))
        r->score -= 2;
}

static void merge(js_ctx *c, js_res *r, const js_res *o)
{
    if (!js_step(c, 1 + o->n))
        return;
    for (size_t i = 0; i < o->n; i++)
        if (!res_push(c, r, o->e[i]))
            return;
    r->score += o->score;
}

static void validate(js_ctx *c, const js_schema *s, rego_value node, js_res *r, const js_path *path);

static js_res sub_validate(js_ctx *c, const js_schema *s, rego_value node, const js_path *path)
{
    js_res r = {NULL, 0, 0, 0};
    validate(c, s, node, &r, path);
    return r;
}

static bool has_type(const js_schema *s, js_type t)
{
    for (size_t i = 0; i < s->ntypes; i++)
        if (s->types[i] == t)
            return true;
    return false;
}

/* jsonSchemaType.String(): "string" or "[string,null]". */
static void types_string(const js_schema *s, char *out, size_t cap)
{
    if (s->ntypes == 1) {
        snprintf(out, cap, "%s", type_names[s->types[0]]);
        return;
    }
    size_t k = 0;
    out[k++] = '[';
    for (size_t i = 0; i < s->ntypes && k + 10 < cap; i++) {
        if (i)
            out[k++] = ',';
        size_t l = strlen(type_names[s->types[i]]);
        memcpy(out + k, type_names[s->types[i]], l);
        k += l;
    }
    out[k++] = ']';
    out[k] = 0;
}

static bool type_mismatch(js_ctx *c, const js_schema *s, js_res *r, const js_path *path,
                          bool ok, const char *given)
{
    if (!s->ntypes || ok)
        return false;
    char want[80];
    types_string(s, want, sizeof(want));
    add_error(c, r, "invalid_type", path, "Invalid type. Expected: %s, given: %s", want, given);
    return true;
}

static void validate_any_of(js_ctx *c, const js_schema *s, rego_value node, js_res *r,
                            const js_path *path)
{
    bool valid = false;
    js_res best = {NULL, 0, 0, 0};
    bool have_best = false;
    for (size_t i = 0; i < s->any_of.n && !valid && js_ok(c); i++) {
        js_res sub = sub_validate(c, s->any_of.s[i], node, path);
        valid = sub.n == 0;
        if (!valid && (!have_best || sub.score > best.score)) {
            best = sub;
            have_best = true;
        }
    }
    if (!valid) {
        add_error(c, r, "number_any_of", path, "Must validate at least one schema (anyOf)");
        if (have_best)
            merge(c, r, &best);
    }
}

static void validate_one_of(js_ctx *c, const js_schema *s, rego_value node, js_res *r,
                            const js_path *path)
{
    size_t valid = 0;
    js_res best = {NULL, 0, 0, 0};
    bool have_best = false;
    for (size_t i = 0; i < s->one_of.n && js_ok(c); i++) {
        js_res sub = sub_validate(c, s->one_of.s[i], node, path);
        if (sub.n == 0)
            valid++;
        else if (valid == 0 && (!have_best || sub.score > best.score)) {
            best = sub;
            have_best = true;
        }
    }
    if (valid != 1) {
        add_error(c, r, "number_one_of", path, "Must validate one and only one schema (oneOf)");
        if (valid == 0 && have_best)
            merge(c, r, &best);
    }
}

static const js_dep *find_dep(const js_schema *s, rego_gostr name)
{
    size_t lo = 0, hi = s->ndeps;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t m = name.n < s->deps[mid].name.n ? name.n : s->deps[mid].name.n;
        int cmp = m ? memcmp(s->deps[mid].name.s, name.s, m) : 0;
        if (!cmp)
            cmp = (s->deps[mid].name.n > name.n) - (s->deps[mid].name.n < name.n);
        if (!cmp)
            return &s->deps[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void validate_dependencies(js_ctx *c, const js_schema *s, rego_value node, js_res *r,
                                  const js_path *path)
{
    if (!s->ndeps || node.kind != REGO_OBJECT)
        return;
    for (size_t i = 0; i < node.n && js_ok(c); i++) {
        const js_dep *d = find_dep(s, vstr(rego_object_at(node, i).key));
        if (!d)
            continue;
        if (d->schema) {
            validate(c, d->schema, node, r, path);
            continue;
        }
        rego_value dummy;
        for (size_t j = 0; j < d->nprops; j++)
            if (!rego_object_get_str(node, d->props[j].s, d->props[j].n,
                                     rego_hash_str(d->props[j].s, d->props[j].n), &dummy))
                add_error(c, r, "missing_dependency", path, "Has a dependency on %.*s",
                          (int)d->props[j].n, d->props[j].s);
    }
}

static void validate_conditional(js_ctx *c, const js_schema *s, rego_value node, js_res *r,
                                 const js_path *path)
{
    if (!s->if_)
        return;
    js_res ifr = sub_validate(c, s->if_, node, path);
    if (s->then_ && ifr.n == 0) {
        js_res t = sub_validate(c, s->then_, node, path);
        if (t.n) {
            add_error(c, r, "condition_then", path, "Must validate \"then\" as \"if\" was valid");
            merge(c, r, &t);
        }
    }
    if (s->else_ && ifr.n != 0) {
        js_res e = sub_validate(c, s->else_, node, path);
        if (e.n) {
            add_error(c, r, "condition_else", path,
                      "Must validate \"else\" as \"if\" was not valid");
            merge(c, r, &e);
        }
    }
}

/* validateSchema: the combinators, dependencies and if/then/else. */
static void validate_schema(js_ctx *c, const js_schema *s, rego_value node, js_res *r,
                            const js_path *path)
{
    if (s->any_of.n)
        validate_any_of(c, s, node, r, path);
    if (s->one_of.n)
        validate_one_of(c, s, node, r, path);
    if (s->all_of.n) {
        size_t valid = 0;
        for (size_t i = 0; i < s->all_of.n && js_ok(c); i++) {
            js_res sub = sub_validate(c, s->all_of.s[i], node, path);
            valid += sub.n == 0;
            merge(c, r, &sub);
        }
        if (valid != s->all_of.n)
            add_error(c, r, "number_all_of", path, "Must validate all the schemas (allOf)");
    }
    if (s->not_) {
        js_res sub = sub_validate(c, s->not_, node, path);
        if (sub.n == 0)
            add_error(c, r, "number_not", path, "Must not validate the schema (not)");
    }
    validate_dependencies(c, s, node, r, path);
    validate_conditional(c, s, node, r, path);
    r->score++;
}

/* A value's marshalWithoutNumber text, or an "internal" error. */
static bool value_text(js_ctx *c, rego_value v, js_res *r, const js_path *path, rego_gostr *out)
{
    bool failed;
    if (!canon_str(c, v, out, &failed))
        return false;
    if (failed) {
        add_error(c, r, "internal", path, "Internal Error %.*s", (int)out->n, out->s);
        return false;
    }
    return true;
}

/* validateCommon: const, enum, format. */
static void validate_common(js_ctx *c, const js_schema *s, rego_value v, js_res *r,
                            const js_path *path)
{
    rego_gostr text;
    rp_buf b;
    rego_gostr field = gstr("", 0);
    if (s->has_const || s->enum_present) {
        rp_buf_init(&b);
        path_write(&b, path);
        rego_gostr ctxs = take_buf(c, &b);
        field = err_field(ctxs);
    }
    if (s->has_const && value_text(c, v, r, path, &text) && !geq(text, s->const_text)) {
        rp_buf_init(&b);
        rp_buf_append(&b, field.s, field.n);
        rp_buf_puts(&b, " does not match: ");
        rp_buf_append(&b, s->const_text.s, s->const_text.n);
        add_error_buf(c, r, "const", path, &b);
    }
    if (s->enum_present && value_text(c, v, r, path, &text)) {
        bool found = false;
        js_step(c, s->nenums);
        for (size_t i = 0; i < s->nenums && !found; i++)
            found = geq(s->enums[i], text);
        if (!found) {
            rp_buf_init(&b);
            rp_buf_append(&b, field.s, field.n);
            rp_buf_puts(&b, " must be one of the following: ");
            for (size_t i = 0; i < s->nenums; i++) {
                if (i)
                    rp_buf_puts(&b, ", ");
                rp_buf_append(&b, s->enums[i].s, s->enums[i].n);
            }
            if (!s->nenums)
                rp_buf_puts(&b, "(none)");
            add_error_buf(c, r, "enum", path, &b);
        }
    }
    if (s->format.n && !is_format(c, s->format, v))
        add_error(c, r, "format", path, "Does not match format '%.*s'", (int)s->format.n,
                  s->format.s);
    r->score++;
}

static void index_head(js_ctx *c, size_t i, js_path *p, const js_path *tail)
{
    char num[24];
    int k = snprintf(num, sizeof(num), "%zu", i);
    char *d = rp_arena_strndup(c->a, num, (size_t)k);
    if (!d)
        js_nomem(c);
    p->head = gstr(d ? d : "", d ? (size_t)k : 0);
    p->tail = tail;
}

static void validate_items(js_ctx *c, const js_schema *s, rego_value arr, js_res *r,
                           const js_path *path)
{
    size_t n = arr.n;
    if (s->items_single) {
        for (size_t i = 0; i < n && js_ok(c); i++) {
            js_path p;
            index_head(c, i, &p, path);
            js_res sub = sub_validate(c, s->items.s[0], arr.u.items[i], &p);
            merge(c, r, &sub);
        }
        return;
    }
    if (!s->items.n)
        return;
    size_t k = s->items.n;
    for (size_t i = 0; i < k && i < n && js_ok(c); i++) {
        js_path p;
        index_head(c, i, &p, path);
        js_res sub = sub_validate(c, s->items.s[i], arr.u.items[i], &p);
        merge(c, r, &sub);
    }
    if (k >= n)
        return;
    if (s->additional_items.kind == ADD_BOOL && !s->additional_items.b)
        add_error(c, r, "array_no_additional_items", path, "No additional items allowed on array");
    if (s->additional_items.kind == ADD_SCHEMA)
        for (size_t i = k; i < n && js_ok(c); i++) {
            js_path p;
            index_head(c, i, &p, path);
            js_res sub = sub_validate(c, s->additional_items.s, arr.u.items[i], &p);
            merge(c, r, &sub);
        }
}

static void validate_unique(js_ctx *c, rego_value arr, js_res *r, const js_path *path)
{
    js_map seen = {NULL, 0, 0};
    for (size_t j = 0; j < arr.n && js_ok(c); j++) {
        rego_gostr t;
        if (!value_text(c, arr.u.items[j], r, path, &t))
            continue;
        void **slot = map_slot(c, &seen, t, true);
        if (!slot)
            return;
        if (*slot)
            add_error(c, r, "unique", path, "array items[%zu,%zu] must be unique",
                      (size_t)(uintptr_t)*slot - 1, j);
        *slot = (void *)(uintptr_t)(j + 1);
    }
}

static void validate_contains(js_ctx *c, const js_schema *s, rego_value arr, js_res *r,
                              const js_path *path)
{
    bool valid = false, have_best = false;
    js_res best = {NULL, 0, 0, 0};
    for (size_t i = 0; i < arr.n && js_ok(c); i++) {
        js_path p;
        index_head(c, i, &p, path);
        js_res sub = sub_validate(c, s->contains, arr.u.items[i], &p);
        if (sub.n == 0) {
            valid = true;
            break;
        }
        if (!have_best || sub.score > best.score) {
            best = sub;
            have_best = true;
        }
    }
    if (!valid) {
        add_error(c, r, "contains", path, "At least one of the items must match");
        if (have_best)
            merge(c, r, &best);
    }
}

static void validate_array(js_ctx *c, const js_schema *s, rego_value arr, js_res *r,
                           const js_path *path)
{
    validate_items(c, s, arr, r, path);
    if (s->has_min_items && (int64_t)arr.n < s->min_items)
        add_error(c, r, "array_min_items", path, "Array must have at least %lld items",
                  (long long)s->min_items);
    if (s->has_max_items && (int64_t)arr.n > s->max_items)
        add_error(c, r, "array_max_items", path, "Array must have at most %lld items",
                  (long long)s->max_items);
    if (s->unique_items)
        validate_unique(c, arr, r, path);
    if (s->contains)
        validate_contains(c, s, arr, r, path);
    r->score++;
}

static const js_schema *find_prop(const js_schema *s, rego_gostr name)
{
    size_t lo = 0, hi = s->props.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        rego_gostr p = s->props.s[mid]->property;
        size_t m = name.n < p.n ? name.n : p.n;
        int cmp = m ? memcmp(p.s, name.s, m) : 0;
        if (!cmp)
            cmp = (p.n > name.n) - (p.n < name.n);
        if (!cmp)
            return s->props.s[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* validatePatternProperty: true when some pattern matched the key. */
static bool validate_pattern_props(js_ctx *c, const js_schema *s, rego_gostr key, rego_value v,
                                   js_res *r, const js_path *path)
{
    bool matched = false;
    for (size_t i = 0; i < s->npatprops && js_ok(c); i++) {
        if (!js_step(c, 1 + key.n / 64) || !rp_re_match(s->patprops[i].re, key.s, key.n))
            continue;
        matched = true;
        js_path p = {key, path};
        js_res sub = sub_validate(c, s->patprops[i].schema, v, &p);
        merge(c, r, &sub);
    }
    if (matched)
        r->score++;
    return matched;
}

static void validate_object(js_ctx *c, const js_schema *s, rego_value obj, js_res *r,
                            const js_path *path)
{
    if (s->has_min_props && (int64_t)obj.n < s->min_props)
        add_error(c, r, "array_min_properties", path, "Must have at least %lld properties",
                  (long long)s->min_props);
    if (s->has_max_props && (int64_t)obj.n > s->max_props)
        add_error(c, r, "array_max_properties", path, "Must have at most %lld properties",
                  (long long)s->max_props);
    for (size_t i = 0; i < s->nrequired; i++) {
        rego_gostr k = s->required[i];
        rego_value dummy;
        if (rego_object_get_str(obj, k.s, k.n, rego_hash_str(k.s, k.n), &dummy))
            r->score++;
        else
            add_error(c, r, "required", path, "%.*s is required", (int)k.n, k.s);
    }
    for (size_t i = 0; i < obj.n && js_ok(c); i++) {
        rego_objent e = rego_object_at(obj, i);
        rego_gostr k = vstr(e.key);
        bool found = find_prop(s, k) != NULL;
        bool pp = validate_pattern_props(c, s, k, e.val, r, path);
        if (found || pp)
            continue;
        if (s->additional_properties.kind == ADD_BOOL && !s->additional_properties.b) {
            add_error(c, r, "additional_property_not_allowed", path,
                      "Additional property %.*s is not allowed", (int)k.n, k.s);
        } else if (s->additional_properties.kind == ADD_SCHEMA) {
            js_path p = {k, path};
            js_res sub = sub_validate(c, s->additional_properties.s, e.val, &p);
            merge(c, r, &sub);
        }
    }
    if (s->property_names)
        for (size_t i = 0; i < obj.n && js_ok(c); i++) {
            rego_value key = rego_object_at(obj, i).key;
            js_res sub = sub_validate(c, s->property_names, key, path);
            if (sub.n) {
                add_error(c, r, "invalid_property_name", path,
                          "Property name of \"%.*s\" does not match", (int)key.n, key.u.s);
                merge(c, r, &sub);
            }
        }
    r->score++;
}

static void validate_string(js_ctx *c, const js_schema *s, rego_value str, js_res *r,
                            const js_path *path)
{
    if (s->has_min_length || s->has_max_length) {
        int64_t runes = (int64_t)rp_utf8_count(str.u.s, str.n);
        if (s->has_min_length && runes < s->min_length)
            add_error(c, r, "string_gte", path, "String length must be greater than or equal to %lld",
                      (long long)s->min_length);
        if (s->has_max_length && runes > s->max_length)
            add_error(c, r, "string_lte", path, "String length must be less than or equal to %lld",
                      (long long)s->max_length);
    }
    if (s->pattern && js_step(c, 1 + str.n / 64) && !rp_re_match(s->pattern, str.u.s, str.n)) {
        rp_buf b;
        rp_buf_init(&b);
        rp_buf_puts(&b, "Does not match pattern '");
        rp_buf_append(&b, s->pattern_src.s, s->pattern_src.n);
        rp_buf_putc(&b, '\'');
        add_error_buf(c, r, "pattern", path, &b);
    }
    r->score++;
}

static void bound_error(js_ctx *c, js_res *r, const js_path *path, const char *type,
                        const char *what, rego_value bound)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, what);
    go_bigfloat_g10(&b, bound);
    add_error_buf(c, r, type, path, &b);
}

static void validate_number(js_ctx *c, const js_schema *s, rego_value num, js_res *r,
                            const js_path *path)
{
    if (!rego_is_undef(s->multiple_of)) {
        mpq_t x, m;
        mpq_inits(x, m, NULL);
        num_to_mpq(num, x);
        num_to_mpq(s->multiple_of, m);
        mpq_div(x, x, m);
        bool is_int = mpz_cmp_ui(mpq_denref(x), 1) == 0;
        mpq_clears(x, m, NULL);
        if (!is_int)
            bound_error(c, r, path, "multiple_of", "Must be a multiple of ", s->multiple_of);
    }
    if (!rego_is_undef(s->maximum) && num_cmp(num, s->maximum) > 0)
        bound_error(c, r, path, "number_lte", "Must be less than or equal to ", s->maximum);
    if (!rego_is_undef(s->exclusive_maximum) && num_cmp(num, s->exclusive_maximum) >= 0)
        bound_error(c, r, path, "number_lt", "Must be less than ", s->exclusive_maximum);
    if (!rego_is_undef(s->minimum) && num_cmp(num, s->minimum) < 0)
        bound_error(c, r, path, "number_gte", "Must be greater than or equal to ", s->minimum);
    if (!rego_is_undef(s->exclusive_minimum) && num_cmp(num, s->exclusive_minimum) <= 0)
        bound_error(c, r, path, "number_gt", "Must be greater than ", s->exclusive_minimum);
    r->score++;
}

/* The "properties" children, validated into the same result. */
static void validate_properties(js_ctx *c, const js_schema *s, rego_value obj, js_res *r,
                                const js_path *path)
{
    for (size_t i = 0; i < s->props.n && js_ok(c); i++) {
        const js_schema *ps = s->props.s[i];
        rego_value v;
        if (!rego_object_get_str(obj, ps->property.s, ps->property.n,
                                 rego_hash_str(ps->property.s, ps->property.n), &v))
            continue;
        js_path p = {ps->property, path};
        validate(c, ps, v, r, &p);
    }
}

/* The JSON type validateRecursive names for node ("integer" for an
 * integral number) and whether s's "type" allows it: an integer passes as
 * a "number" too. */
static const char *node_type(const js_schema *s, rego_value node, bool *ok)
{
    switch ((rego_kind)node.kind) {
    case REGO_UNDEF:
    case REGO_NULL: *ok = has_type(s, JT_NULL); return "null";
    case REGO_NUMBER: {
        bool is_int = num_is_int(node);
        *ok = has_type(s, JT_NUMBER) || (is_int && has_type(s, JT_INTEGER));
        return is_int ? "integer" : "number";
    }
    case REGO_ARRAY:
    case REGO_SET: *ok = has_type(s, JT_ARRAY); return "array";
    case REGO_OBJECT: *ok = has_type(s, JT_OBJECT); return "object";
    case REGO_BOOL: *ok = has_type(s, JT_BOOLEAN); return "boolean";
    case REGO_STRING: *ok = has_type(s, JT_STRING); return "string";
    }
    *ok = has_type(s, JT_NULL);
    return "null";
}

/* validateRecursive for a node of a given kind: every kind is type-checked
 * and then validated against the schema keywords (validate_schema); the
 * kind's own checks follow, in gojsonschema's order around validateCommon. */
static void validate_node(js_ctx *c, const js_schema *s, rego_value node, js_res *r,
                          const js_path *path)
{
    bool ok;
    const char *given = node_type(s, node, &ok);
    if (type_mismatch(c, s, r, path, ok, given))
        return;
    validate_schema(c, s, node, r, path);
    switch ((rego_kind)node.kind) {
    case REGO_NUMBER:
        validate_number(c, s, node, r, path);
        validate_common(c, s, node, r, path);
        break;
    case REGO_ARRAY:
    case REGO_SET:
        validate_array(c, s, node, r, path);
        validate_common(c, s, node, r, path);
        break;
    case REGO_OBJECT:
        validate_object(c, s, node, r, path);
        validate_common(c, s, node, r, path);
        validate_properties(c, s, node, r, path);
        break;
    case REGO_STRING:
        validate_common(c, s, node, r, path);
        validate_string(c, s, node, r, path);
        break;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
        validate_common(c, s, node, r, path);
        break;
    }
    r->score++;
}

static void validate(js_ctx *c, const js_schema *s, rego_value node, js_res *r, const js_path *path)
{
    if (!js_step(c, 1))
        return;
    if (!js_enter(c, REGO_JSONSCHEMA_MAX_VALIDATE_DEPTH, "JSON schema validation depth")) {
        js_leave(c);
        return;
    }
    if (s->pass >= 0) {
        if (!s->pass)
            add_error(c, r, "false", path, "False always fails validation");
    } else if (s->ref_schema) {
        validate(c, s->ref_schema, node, r, path);
    } else {
        validate_node(c, s, node, r, path);
    }
    js_leave(c);
}

/* ---- the builtins ---------------------------------------------------------------- */

static void ctx_init(js_ctx *c, rego_bctx *bctx)
{
    memset(c, 0, sizeof(*c));
    c->bctx = bctx;
    c->a = bctx->arena;
}

static void ctx_done(js_ctx *c)
{
    for (size_t i = 0; i < c->nres; i++)
        rp_re_release(c->res[i]);
    c->nres = 0;
}

/* Reports a failure other than a schema error (limits, memory). */
static rp_status ctx_error(js_ctx *c)
{
    rego_bctx *ctx = c->bctx;
    rp_status st = c->st;
    ctx_done(c);
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc, "%s: %s",
                         ctx->bi->name, c->msg);
}

static rp_status pair(rego_bctx *ctx, rego_value a, rego_value b, rego_value *out)
{
    rego_value *items = rego_array_alloc(ctx->arena, 2, out);
    if (!items)
        return rego_bi_nomem(ctx);
    items[0] = a;
    items[1] = b;
    return RP_OK;
}

/* json.verify_schema(schema): [true, null] or [false, "jsonschema: ..."]. */
static rp_status bi_verify_schema(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    js_ctx c;
    ctx_init(&c, ctx);
    rego_value doc;
    js_schema *root;
    if (load_doc(&c, args[0], &doc))
        compile(&c, doc, &root);
    if (c.st == RP_OK) {
        ctx_done(&c);
        return pair(ctx, rego_bool(true), rego_null(), out);
    }
    if (c.st != RP_ERR_EVAL)
        return ctx_error(&c);
    ctx_done(&c);
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_printf(&b, "jsonschema: %s", c.msg);
    rego_value msg = rego_str(ctx->arena, b.data ? b.data : "", b.failed ? 0 : b.len);
    rp_buf_free(&b);
    if (rego_is_undef(msg))
        return rego_bi_nomem(ctx);
    return pair(ctx, rego_bool(false), msg, out);
}

/* One {error, type, field, desc} object of json.match_schema. */
static rego_value error_object(js_ctx *c, const js_err *e)
{
    rp_arena *a = c->a;
    rego_gostr field = err_field(e->context);
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_append(&b, field.s, field.n);
    rp_buf_puts(&b, ": ");
    rp_buf_append(&b, e->desc.s, e->desc.n);
    rego_gostr text = take_buf(c, &b);
    rego_objent ents[4] = {
        {rego_cstr(a, "error"), rego_str_borrow(text.s, text.n)},
        {rego_cstr(a, "type"), rego_cstr(a, e->type)},
        {rego_cstr(a, "field"), rego_str_borrow(field.s, field.n)},
        {rego_cstr(a, "desc"), rego_str_borrow(e->desc.s, e->desc.n)},
    };
    return rego_object_from(a, ents, 4);
}

static rp_status match_result(js_ctx *c, const js_res *r, rego_value *out)
{
    rego_value errs = rego_empty_array();
    if (r->n) {
        rego_value *items = rego_array_alloc(c->a, r->n, &errs);
        if (!items)
            return rego_bi_nomem(c->bctx);
        for (size_t i = 0; i < r->n; i++) {
            items[i] = error_object(c, r->e[i]);
            if (rego_is_undef(items[i]) || !js_ok(c))
                return rego_bi_nomem(c->bctx);
        }
    }
    return pair(c->bctx, rego_bool(r->n == 0), errs, out);
}

/* json.match_schema(document, schema): [valid, errors]; a document or
 * schema that does not load or compile is an eval_builtin_error. */
static rp_status bi_match_schema(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    js_ctx c;
    ctx_init(&c, ctx);
    rego_value doc, sdoc;
    js_schema *root = NULL;
    if (load_doc(&c, args[0], &doc) && load_doc(&c, args[1], &sdoc))
        compile(&c, sdoc, &root);
    if (c.st == RP_ERR_EVAL) {
        ctx_done(&c);
        return rego_bi_errorf(ctx, "%s", c.msg);
    }
    if (c.st != RP_OK)
        return ctx_error(&c);
    js_path root_path = {gcstr("(root)"), NULL};
    js_res r = {NULL, 0, 0, 0};
    validate(&c, root, doc, &r, &root_path);
    if (c.st != RP_OK)
        return ctx_error(&c);
    rp_status st = match_result(&c, &r, out);
    ctx_done(&c);
    return st;
}

#define SCHEMA_ARG "string|object[any: any]"

const rego_builtin rego_builtins_jsonschema[] = {
    {"json.verify_schema", NULL, "(" SCHEMA_ARG ") => array<boolean, string|null>", 1, 0,
     bi_verify_schema},
    {"json.match_schema", NULL,
     "(" SCHEMA_ARG ", " SCHEMA_ARG
     ") => array<boolean, array[object<desc: string, error: string, field: string, type: string>]>",
     2, 0, bi_match_schema},
    {0},
};
