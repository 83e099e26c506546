/*
 * json.c — JSON text to Rego values.
 *
 * The parser is one loop over an explicit stack of open containers: no C
 * recursion, so nesting costs a few bytes of heap per level and the depth
 * limit is a plain counter.  Elements of the containers being parsed collect
 * on one scratch stack (malloc'd, grown geometrically, freed at the end);
 * each array or object is allocated exactly once, at its final size, when it
 * closes.
 *
 * Strings are copied into pool blocks carved from the arena with byte
 * alignment (the arena's 16-byte alignment would double the cost of the short
 * strings that dominate Kubernetes documents), and strings up to
 * JSON_INTERN_MAX_LEN bytes go through a small direct-mapped cache so that
 * repeated keys and values ("name", "apiVersion", "True") are stored once.
 * Values are immutable, so sharing the bytes is safe.
 *
 * Semantics are Go's encoding/json, which OPA uses: the same grammar, the same
 * messages ("invalid character 'x' looking for beginning of value"), invalid
 * UTF-8 and lone surrogates become U+FFFD, the last duplicate key wins.
 * Positions are computed from the byte offset only once an error happened.
 *
 * Invariants: the scratch stack holds, for each open frame from the bottom,
 * its finished elements (arrays) or key/value pairs (objects, the key pushed
 * before its value); frames[depth-1] is the innermost open container.
 * No mutable globals.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

#define JSON_POOL_BLOCK (64u * 1024)   /* largest string pool block */
#define JSON_POOL_MIN_BLOCK 256u       /* smallest, for tiny inputs */
#define JSON_INTERN_MAX_LEN 32         /* longer strings are rarely repeated */
#define JSON_INTERN_MAX_SLOTS 4096u    /* 64 KiB of cache, enough for a schema's keys */
#define JSON_INTERN_MIN_SLOTS 64u
#define JSON_SCRATCH_MIN 64u           /* first scratch stack size, in values */
#define JSON_NUM_SHOWN 40              /* digits of a bad number quoted in a message */

_Static_assert(sizeof(rego_objent) == 2 * sizeof(rego_value),
               "object entries are copied from key/value pairs on the scratch stack");

typedef enum { JF_ARRAY, JF_OBJECT } jframe_kind;

typedef struct {
    size_t start; /* first scratch slot of this container */
    jframe_kind kind;
} jframe;

typedef struct {
    const char *s;
    size_t n;
} jintern;

typedef struct {
    rp_arena *a;
    const char *base, *end; /* the input */
    const char *filename;
    rp_error *err;
    rego_value *stk; /* scratch stack */
    size_t nstk, capstk;
    char *pool; /* free bytes of the current string pool block */
    size_t pool_left, pool_block;
    jintern *cache;
    uint32_t cache_mask;
    char *ubuf; /* unescaped bytes of the string being decoded */
    size_t ubuf_len, ubuf_cap;
    int depth;
    jframe frames[REGO_JSON_MAX_DEPTH];
} jparser;

/* ---- errors --------------------------------------------------------------- */

static rp_loc loc_at(const jparser *p, const char *at)
{
    uint32_t line = 1;
    const char *ls = p->base, *q = p->base;
    while (q < at) {
        const char *nl = memchr(q, '\n', (size_t)(at - q));
        if (!nl)
            break;
        if (line < UINT32_MAX)
            line++;
        ls = q = nl + 1;
    }
    size_t col = (size_t)(at - ls) + 1;
    rp_loc loc = {p->filename, line, col > UINT32_MAX ? UINT32_MAX : (uint32_t)col};
    return loc;
}

/* Formats byte c the way Go's encoding/json quotes it in messages: the byte
 * taken as a code point (so 0xEF is 'ï'), escaped like strconv.Quote. */
static void quote_char(unsigned char c, char out[16])
{
    static const char esc[] = "abtnvfr"; /* \a=7 ... \r=13 */
    if (c == '\'')
        snprintf(out, 16, "'\\''");
    else if (c == '\\')
        snprintf(out, 16, "'\\\\'");
    else if (c >= 7 && c <= 13)
        snprintf(out, 16, "'\\%c'", esc[c - 7]);
    else if (c < 0x20 || c == 0x7f)
        snprintf(out, 16, "'\\x%02x'", c);
    else if (c < 0x7f)
        snprintf(out, 16, "'%c'", c);
    else if (c < 0xa1 || c == 0xad) /* not printable in Go's strconv.IsPrint */
        snprintf(out, 16, "'\\u%04x'", c);
    else
        snprintf(out, 16, "'%c%c'", 0xc0 | (c >> 6), 0x80 | (c & 0x3f));
}

static rp_status err_eof(jparser *p)
{
    return rp_error_set(p->err, RP_ERR_SYNTAX, loc_at(p, p->end), "unexpected end of JSON input");
}

/* "invalid character 'x' <context>" at at, or end of input when at is past it. */
static rp_status err_char(jparser *p, const char *at, const char *context)
{
    if (at >= p->end)
        return err_eof(p);
    char q[16];
    quote_char((unsigned char)*at, q);
    return rp_error_set(p->err, RP_ERR_SYNTAX, loc_at(p, at), "invalid character %s %s", q, context);
}

static rp_status err_nomem(jparser *p, const char *at)
{
    return rp_error_set(p->err, RP_ERR_NOMEM, loc_at(p, at),
                        "out of memory parsing JSON (arena budget exhausted)");
}

/* ---- scratch stack, string pool, intern cache ----------------------------- */

static bool stk_push(jparser *p, rego_value v)
{
    if (p->nstk == p->capstk) {
        size_t cap = p->capstk ? p->capstk * 2 : JSON_SCRATCH_MIN;
        if (cap < p->capstk || cap > SIZE_MAX / sizeof(rego_value))
            return false;
        rego_value *s = realloc(p->stk, cap * sizeof(rego_value));
        if (!s)
            return false;
        p->stk = s;
        p->capstk = cap;
    }
    p->stk[p->nstk++] = v;
    return true;
}

static char *pool_alloc(jparser *p, size_t need)
{
    if (need <= p->pool_left) {
        char *r = p->pool;
        p->pool += need;
        p->pool_left -= need;
        return r;
    }
    /* Long strings get their own allocation: a fresh block for them would
     * strand the rest of the current one. */
    if (need > p->pool_block / 4)
        return rp_arena_alloc(p->a, need);
    char *b = rp_arena_alloc(p->a, p->pool_block);
    if (!b)
        return NULL;
    p->pool = b + need;
    p->pool_left = p->pool_block - need;
    return b;
}

/* A quick hash for the intern cache; quality matters little, a miss only
 * costs a copy. */
static uint32_t short_hash(const char *s, size_t n)
{
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull, w;
    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n) {
        w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

/* Makes a string value of s[0..n), copied into the pool or shared with an
 * equal string seen before. */
static rp_status make_str(jparser *p, const char *s, size_t n, const char *at, rego_value *out)
{
    if (n >= UINT32_MAX)
        return rp_error_set(p->err, RP_ERR_LIMIT, loc_at(p, at), "JSON string longer than 4 GiB");
    jintern *slot = NULL;
    if (n <= JSON_INTERN_MAX_LEN) {
        slot = &p->cache[short_hash(s, n) & p->cache_mask];
        if (slot->s && slot->n == n && memcmp(slot->s, s, n) == 0) {
            *out = rego_str_borrow(slot->s, n);
            return RP_OK;
        }
    }
    char *d = pool_alloc(p, n + 1);
    if (!d)
        return err_nomem(p, at);
    memcpy(d, s, n);
    d[n] = 0;
    if (slot) {
        slot->s = d;
        slot->n = n;
    }
    *out = rego_str_borrow(d, n);
    return RP_OK;
}

static bool ubuf_reserve(jparser *p, size_t extra)
{
    if (p->ubuf_cap - p->ubuf_len >= extra)
        return true;
    size_t cap = p->ubuf_cap ? p->ubuf_cap : 256;
    while (cap - p->ubuf_len < extra) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    char *b = realloc(p->ubuf, cap);
    if (!b)
        return false;
    p->ubuf = b;
    p->ubuf_cap = cap;
    return true;
}

static bool ubuf_append(jparser *p, const char *s, size_t n)
{
    if (!ubuf_reserve(p, n))
        return false;
    if (n)
        memcpy(p->ubuf + p->ubuf_len, s, n);
    p->ubuf_len += n;
    return true;
}

static bool ubuf_put_cp(jparser *p, uint32_t cp)
{
    char tmp[4];
    return ubuf_append(p, tmp, rp_utf8_encode(cp, tmp));
}

/* ---- strings -------------------------------------------------------------- */

/* Returns the first byte of [q, end) that needs attention inside a string:
 * '"', '\\', a control character or a non-ASCII byte.  Eight bytes at a time,
 * since most keys and values contain none of them.  The borrow tricks can set
 * false bits only above a true one, so the lowest set bit is exact. */
static const char *scan_plain(const char *q, const char *end)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    while (end - q >= 8) {
        uint64_t x;
        memcpy(&x, q, 8);
        uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
        uint64_t m = (((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
                      (x - ones * 0x20) | x) & high;
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* __builtin_ctzll: the index of the first flagged byte, one instruction */
            return q + (__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        q += 8;
    }
    while (q < end) {
        unsigned char c = (unsigned char)*q;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return q;
        q++;
    }
    return q;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits at q; reports Go's error at the first bad one. */
static rp_status hex4(jparser *p, const char *q, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = q + i < p->end ? hexval(q[i]) : -1;
        if (h < 0)
            return err_char(p, q + i, "in \\u hexadecimal character escape");
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return RP_OK;
}

/* True when q holds a \uXXXX escape of a low surrogate (the second half of
 * a pair whose first half was just read). */
static bool low_surrogate_at(const jparser *p, const char *q, uint32_t *out)
{
    if (p->end - q < 6 || q[0] != '\\' || q[1] != 'u')
        return false;
    uint32_t v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(q[i]);
        if (h < 0)
            return false;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return v >= 0xDC00 && v <= 0xDFFF;
}

/* Decodes the escape after the backslash at q; returns the position after it. */
static rp_status unescape(jparser *p, const char *q, const char **after)
{
    static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
    if (q >= p->end)
        return err_eof(p);
    const char *k = memchr(simple_in, *q, sizeof(simple_in) - 1);
    if (k && *q) {
        *after = q + 1;
        return ubuf_append(p, &simple_out[k - simple_in], 1) ? RP_OK : err_nomem(p, q);
    }
    if (*q != 'u')
        return err_char(p, q, "in string escape code");
    uint32_t cp = 0, lo = 0;
    rp_status rc = hex4(p, q + 1, &cp);
    if (rc != RP_OK)
        return rc;
    q += 5;
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        /* As Go: a high surrogate followed by an escaped low one combine;
         * anything else is U+FFFD and the next escape stands alone. */
        if (cp < 0xDC00 && low_surrogate_at(p, q, &lo)) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            q += 6;
        } else {
            cp = 0xFFFD;
        }
    }
    *after = q;
    return ubuf_put_cp(p, cp) ? RP_OK : err_nomem(p, q);
}

/* The general string path: escapes and invalid UTF-8.  s is the first byte
 * of the string, q the first byte needing work. */
static rp_status parse_string_slow(jparser *p, const char *s, const char *q, const char **after,
                                   rego_value *out)
{
    p->ubuf_len = 0;
    if (!ubuf_append(p, s, (size_t)(q - s)))
        return err_nomem(p, q);
    for (;;) {
        const char *r = scan_plain(q, p->end);
        if (!ubuf_append(p, q, (size_t)(r - q)))
            return err_nomem(p, r);
        q = r;
        if (q >= p->end)
            return err_eof(p);
        unsigned char c = (unsigned char)*q;
        if (c == '"')
            break;
        rp_status rc = RP_OK;
        if (c == '\\') {
            rc = unescape(p, q + 1, &q);
        } else if (c < 0x20) {
            rc = err_char(p, q, "in string literal");
        } else {
            uint32_t cp;
            size_t k = rp_utf8_decode(q, (size_t)(p->end - q), &cp);
            /* Each byte of an invalid sequence is one U+FFFD, as Go decodes. */
            if (!(k ? ubuf_append(p, q, k) : ubuf_put_cp(p, 0xFFFD)))
                rc = err_nomem(p, q);
            q += k ? k : 1;
        }
        if (rc != RP_OK)
            return rc;
    }
    *after = q + 1;
    return make_str(p, p->ubuf, p->ubuf_len, s, out);
}

/* Parses the string whose first byte (after the opening quote) is s. */
static rp_status parse_string(jparser *p, const char *s, const char **after, rego_value *out)
{
    const char *q = s;
    for (;;) {
        q = scan_plain(q, p->end);
        if (q >= p->end)
            return err_eof(p);
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            *after = q + 1;
            return make_str(p, s, (size_t)(q - s), s, out);
        }
        if (c < 0x80) {
            if (c < 0x20)
                return err_char(p, q, "in string literal");
            break; /* backslash */
        }
        uint32_t cp;
        size_t k = rp_utf8_decode(q, (size_t)(p->end - q), &cp);
        if (!k)
            break;
        q += k;
    }
    return parse_string_slow(p, s, q, after, out);
}

/* ---- numbers and literals ------------------------------------------------- */

static bool is_digit(const jparser *p, const char *q)
{
    return q < p->end && *q >= '0' && *q <= '9';
}

static rp_status parse_number(jparser *p, const char *s, const char **after, rego_value *out)
{
    const char *q = s;
    bool frac = false;
    if (*q == '-') {
        q++;
        if (!is_digit(p, q))
            return err_char(p, q, "in numeric literal");
    }
    if (*q == '0')
        q++;
    else
        while (is_digit(p, q))
            q++;
    if (q < p->end && *q == '.') {
        frac = true;
        q++;
        if (!is_digit(p, q))
            return err_char(p, q, "after decimal point in numeric literal");
        while (is_digit(p, q))
            q++;
    }
    if (q < p->end && (*q == 'e' || *q == 'E')) {
        frac = true;
        q++;
        if (q < p->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(p, q))
            return err_char(p, q, "in exponent of numeric literal");
        while (is_digit(p, q))
            q++;
    }
    size_t n = (size_t)(q - s);
    if (!rego_number_parse(p->a, s, n, out) && !(frac && rego_number_parse_big(p->a, s, n, out))) {
        /* Integers are exact (GMP), so only memory can fail them. */
        if (!frac || rp_arena_failed(p->a))
            return err_nomem(p, s);
        return rp_error_set(p->err, RP_ERR_SYNTAX, loc_at(p, s), "number %.*s%s is out of range",
                            (int)(n > JSON_NUM_SHOWN ? JSON_NUM_SHOWN : n), s,
                            n > JSON_NUM_SHOWN ? "..." : "");
    }
    *after = q;
    return RP_OK;
}

/* Matches the literal word at s (whose first byte is already known). */
static rp_status parse_literal(jparser *p, const char *s, const char *word, const char **after)
{
    size_t n = strlen(word);
    for (size_t i = 1; i < n; i++) {
        if (s + i >= p->end)
            return err_eof(p);
        if (s[i] != word[i]) {
            char ctx[48];
            snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", word, word[i]);
            return err_char(p, s + i, ctx);
        }
    }
    *after = s + n;
    return RP_OK;
}

/* ---- containers ----------------------------------------------------------- */

static const char *skip_ws(const char *q, const char *end)
{
    while (q < end && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
        q++;
    return q;
}

static rp_status open_frame(jparser *p, const char *at, jframe_kind kind)
{
    if (p->depth >= REGO_JSON_MAX_DEPTH)
        return rp_error_set(p->err, RP_ERR_LIMIT, loc_at(p, at), "JSON nesting deeper than %d",
                            REGO_JSON_MAX_DEPTH);
    jframe *f = &p->frames[p->depth++];
    f->start = p->nstk;
    f->kind = kind;
    return RP_OK;
}

static rp_status close_array(jparser *p, const char *at, rego_value *v)
{
    jframe *f = &p->frames[--p->depth];
    size_t n = p->nstk - f->start;
    rego_value *items = rego_array_alloc(p->a, n, v);
    if (!items)
        return err_nomem(p, at);
    memcpy(items, p->stk + f->start, n * sizeof(rego_value));
    p->nstk = f->start;
    return RP_OK;
}

static rp_status close_object(jparser *p, const char *at, rego_value *v)
{
    jframe *f = &p->frames[--p->depth];
    size_t n = (p->nstk - f->start) / 2;
    rego_objent *ents = rego_object_alloc(p->a, n, v);
    if (!ents)
        return err_nomem(p, at);
    memcpy(ents, p->stk + f->start, n * sizeof(rego_objent));
    *v = rego_object_seal(p->a, *v); /* sorts; the last duplicate key wins */
    if (rego_is_undef(*v))
        return err_nomem(p, at);
    p->nstk = f->start;
    return RP_OK;
}

/* Parses `"key" :` at *q (after whitespace) and pushes the key. */
static rp_status parse_key(jparser *p, const char **q)
{
    const char *s = skip_ws(*q, p->end);
    if (s >= p->end || *s != '"')
        return err_char(p, s, "looking for beginning of object key string");
    rego_value key;
    rp_status rc = parse_string(p, s + 1, &s, &key);
    if (rc != RP_OK)
        return rc;
    if (!stk_push(p, key))
        return err_nomem(p, s);
    s = skip_ws(s, p->end);
    if (s >= p->end || *s != ':')
        return err_char(p, s, "after object key");
    *q = s + 1;
    return RP_OK;
}

/* Parses a scalar starting at q into *v. */
static rp_status parse_scalar(jparser *p, const char *q, const char **after, rego_value *v)
{
    switch (*q) {
    case '"':
        return parse_string(p, q + 1, after, v);
    case 't':
        *v = rego_bool(true);
        return parse_literal(p, q, "true", after);
    case 'f':
        *v = rego_bool(false);
        return parse_literal(p, q, "false", after);
    case 'n':
        *v = rego_null();
        return parse_literal(p, q, "null", after);
    default:
        if (*q == '-' || (*q >= '0' && *q <= '9'))
            return parse_number(p, q, after, v);
        return err_char(p, q, "looking for beginning of value");
    }
}

/* After a complete value v: attach it to the open container and close
 * containers as the text says.  Returns with *more true when another value
 * is expected at *q, false when the top-level value is complete in *v. */
static rp_status after_value(jparser *p, const char **q, rego_value *v, bool *more)
{
    const char *s = *q;
    rp_status rc;
    for (;;) {
        if (p->depth == 0) {
            *more = false;
            *q = s;
            return RP_OK;
        }
        if (!stk_push(p, *v))
            return err_nomem(p, s);
        s = skip_ws(s, p->end);
        if (s >= p->end)
            return err_eof(p);
        if (p->frames[p->depth - 1].kind == JF_ARRAY) {
            if (*s == ',') {
                *q = s + 1;
                *more = true;
                return RP_OK;
            }
            if (*s != ']')
                return err_char(p, s, "after array element");
            rc = close_array(p, s, v);
        } else {
            if (*s == ',') {
                *q = s + 1;
                *more = true;
                return parse_key(p, q);
            }
            if (*s != '}')
                return err_char(p, s, "after object key:value pair");
            rc = close_object(p, s, v);
        }
        if (rc != RP_OK)
            return rc;
        s++;
    }
}

static rp_status parse_text(jparser *p, rego_value *out)
{
    const char *q = p->base, *end = p->end;
    rego_value v;
    rp_status rc;
    bool more = true;
    while (more) {
        q = skip_ws(q, end);
        if (q >= end)
            return err_eof(p);
        if (*q == '{' || *q == '[') {
            bool obj = *q == '{';
            if ((rc = open_frame(p, q, obj ? JF_OBJECT : JF_ARRAY)) != RP_OK)
                return rc;
            const char *s = skip_ws(q + 1, end);
            if (s < end && *s == (obj ? '}' : ']')) {
                p->depth--;
                v = obj ? rego_empty_object() : rego_empty_array();
                q = s + 1;
            } else {
                q = s;
                if (obj && (rc = parse_key(p, &q)) != RP_OK)
                    return rc;
                continue;
            }
        } else if ((rc = parse_scalar(p, q, &q, &v)) != RP_OK) {
            return rc;
        }
        if ((rc = after_value(p, &q, &v, &more)) != RP_OK)
            return rc;
    }
    q = skip_ws(q, end);
    if (q < end)
        return err_char(p, q, "after top-level value");
    *out = v;
    return RP_OK;
}

/* ---- entry points --------------------------------------------------------- */

static uint32_t cache_slots_for(size_t n)
{
    uint32_t slots = JSON_INTERN_MIN_SLOTS;
    while (slots < JSON_INTERN_MAX_SLOTS && (size_t)slots * 16 < n)
        slots <<= 1;
    return slots;
}

rp_status rego_json_parse(rp_arena *a, const char *s, size_t n, const char *filename,
                          rego_value *out, rp_error *err)
{
    jparser *p = malloc(sizeof(*p));
    rp_loc none = {filename, 0, 0};
    if (!p)
        return rp_error_set(err, RP_ERR_NOMEM, none, "out of memory parsing JSON");
    memset(p, 0, offsetof(jparser, frames));
    if (!s)
        s = ""; /* no arithmetic on a null pointer, even for n == 0 */
    p->a = a;
    p->base = s;
    p->end = s + n;
    p->filename = filename;
    p->err = err;
    p->pool_block = n + 64 < JSON_POOL_MIN_BLOCK ? JSON_POOL_MIN_BLOCK
                    : n + 64 > JSON_POOL_BLOCK  ? JSON_POOL_BLOCK
                                                : n + 64;
    uint32_t slots = cache_slots_for(n);
    p->cache = calloc(slots, sizeof(jintern));
    p->cache_mask = slots - 1;
    rp_status rc = p->cache ? parse_text(p, out)
                            : rp_error_set(err, RP_ERR_NOMEM, none, "out of memory parsing JSON");
    free(p->cache);
    free(p->stk);
    free(p->ubuf);
    free(p);
    return rc;
}

rp_status rego_json_parse_file(rp_arena *a, const char *path, rego_value *out, rp_error *err)
{
    char *buf;
    size_t len;
    rp_status rc = rp_read_file(path, REGO_DOC_MAX_BYTES, &buf, &len, err);
    if (rc != RP_OK)
        return rc;
    /* Editors on some systems write a BOM; RFC 8259 §8.1 lets a parser
     * ignore it and OPA's loader (util.Unmarshal) strips it. */
    size_t skip = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    rc = rego_json_parse(a, buf + skip, len - skip, path, out, err);
    free(buf);
    return rc;
}
