/*
 * jwk.c — Go-compatible encodings, DER/X.509/CSR/key parsing, JWK(S)
 * loading and JWS signing/verification for the crypto and jwt builtins.
 *
 * Why our own parsers: OPA's answers are those of Go's encoding/base64,
 * encoding/pem, encoding/json, crypto/x509 and OPA's internal jwx package —
 * which inputs they accept, which fields they fill and which error text
 * they give.  OpenSSL is more lenient in some places and stricter in
 * others, so structure and messages come from the small parsers below
 * (which follow Go's rules: cryptobyte's DER strictness, pem.Decode's block
 * search, the json scanner's wording) and OpenSSL does the arithmetic:
 * signatures, digests, MACs and key checks.
 *
 * Invariants: parsed structures point into the caller's input (which must
 * outlive them) or into the arena; every OpenSSL object created here is
 * freed on every path before returning, except the EVP_PKEYs handed to the
 * caller inside rego_jwk_key / rego_jwk_priv.  Every loop over input is
 * bounded by the input length or a named limit from limits.h.
 * Global state: none.
 */
#include "jwk.h"

#include <arpa/inet.h>
#include <gmp.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"
#include "../limits.h"

/* ---- small helpers ---------------------------------------------------------- */

static bool fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, REGO_JWK_ERRLEN, fmt, ap);
    va_end(ap);
    return false;
}

/* A growable array in the arena (elements of size sz). */
typedef struct {
    void *v;
    size_t n, cap;
} vec;

static void *vec_push(rp_arena *a, vec *v, size_t sz)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4;
        void *nv = rp_arena_grow(a, v->v, v->cap * sz, nc * sz);
        if (!nv)
            return NULL;
        v->v = nv;
        v->cap = nc;
    }
    return (char *)v->v + sz * v->n++;
}

static bool list_push(rp_arena *a, vec *v, rego_bytes b)
{
    rego_bytes *slot = vec_push(a, v, sizeof(rego_bytes));
    if (!slot)
        return false;
    *slot = b;
    return true;
}

static rego_jwk_list list_of(vec v)
{
    rego_jwk_list l = {v.v, v.n};
    return l;
}

/* ---- base64 ------------------------------------------------------------------ */

static const char B64_STD_ALPHA[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B64_URL_ALPHA[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64_val(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

typedef struct {
    bool url, padded;
    bool skip_blank; /* pem.Decode strips ' ' and '\t' before decoding */
} b64_mode;

static bool b64_skippable(unsigned char c, b64_mode m)
{
    return c == '\n' || c == '\r' || (m.skip_blank && (c == ' ' || c == '\t'));
}

/* One quantum of Go's Encoding.decodeQuantum: reads up to four symbols from
 * src at *si, writes up to three bytes to dst (may be NULL to validate only).
 * Returns the number of bytes produced, or -1 with *bad set; *done is set at
 * the end of the input or after padding. */
static int b64_quantum(const char *src, size_t n, size_t *si, b64_mode m, uint8_t *dst, size_t *bad,
                       bool *done)
{
    unsigned dbuf[4] = {0, 0, 0, 0};
    int dlen = 4;
    for (int j = 0; j < 4; j++) {
        if (*si == n) {
            if (j == 0) {
                *done = true;
                return 0;
            }
            if (j == 1 || m.padded) {
                *bad = *si - (size_t)j;
                return -1;
            }
            dlen = j;
            *done = true;
            break;
        }
        unsigned char in = (unsigned char)src[(*si)++];
        int v = b64_val(in, m.url);
        if (v >= 0) {
            dbuf[j] = (unsigned)v;
            continue;
        }
        if (b64_skippable(in, m)) {
            j--;
            continue;
        }
        if (!m.padded || in != '=' || j < 2) {
            *bad = *si - 1;
            return -1;
        }
        if (j == 2) { /* "==" expected: the first '=' is consumed */
            while (*si < n && b64_skippable((unsigned char)src[*si], m))
                (*si)++;
            if (*si == n) {
                *bad = n;
                return -1;
            }
            if (src[*si] != '=') {
                *bad = *si - 1;
                return -1;
            }
            (*si)++;
        }
        while (*si < n && b64_skippable((unsigned char)src[*si], m))
            (*si)++;
        if (*si < n) { /* trailing garbage after the padding */
            *bad = *si;
            return -1;
        }
        dlen = j;
        *done = true;
        break;
    }
    unsigned val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
    uint8_t b[3] = {(uint8_t)(val >> 16), (uint8_t)(val >> 8), (uint8_t)val};
    if (dst)
        memcpy(dst, b, (size_t)(dlen - 1));
    return dlen - 1;
}

/* Decodes all of src; dst NULL validates only.  Returns false with *bad. */
static bool b64_run(const char *src, size_t n, b64_mode m, uint8_t *dst, size_t *outn, size_t *bad)
{
    size_t si = 0, o = 0;
    bool done = false;
    while (!done && si < n) {
        int k = b64_quantum(src, n, &si, m, dst ? dst + o : NULL, bad, &done);
        if (k < 0)
            return false;
        o += (size_t)k;
    }
    *outn = o;
    return true;
}

static bool b64_decode_mode(rp_arena *a, b64_mode m, const char *s, size_t n, rego_bytes *out,
                            char *err)
{
    size_t bad = 0, outn = 0;
    uint8_t *buf = rp_arena_alloc(a, n / 4 * 3 + 4);
    if (!buf)
        return false;
    if (!b64_run(s, n, m, buf, &outn, &bad))
        return fail(err, "illegal base64 data at input byte %zu", bad);
    buf[outn] = 0;
    out->p = buf;
    out->n = outn;
    return true;
}

bool rego_jwk_b64_decode(rp_arena *a, rego_b64 enc, const char *s, size_t n, rego_bytes *out,
                         char *err)
{
    b64_mode m = {enc != REGO_B64_STD, enc != REGO_B64_RAW_URL, false};
    return b64_decode_mode(a, m, s, n, out, err);
}

bool rego_jwk_b64url_decode(rp_arena *a, const char *s, size_t n, rego_bytes *out, char *err)
{
    if (n > 0 && s[n - 1] == '=')
        return rego_jwk_b64_decode(a, REGO_B64_URL, s, n, out, err);
    size_t pad = (4 - n % 4) % 4;
    if (pad == 3)
        return fail(err, "illegal base64url string: %.*s", (int)(n > 100 ? 100 : n), s);
    char *t = rp_arena_alloc(a, n + pad + 1);
    if (!t)
        return false;
    memcpy(t, s, n);
    memset(t + n, '=', pad);
    return rego_jwk_b64_decode(a, REGO_B64_URL, t, n + pad, out, err);
}

char *rego_jwk_b64_encode(rp_arena *a, rego_b64 enc, const uint8_t *p, size_t n, size_t *outn)
{
    const char *al = enc == REGO_B64_STD ? B64_STD_ALPHA : B64_URL_ALPHA;
    bool pad = enc != REGO_B64_RAW_URL;
    size_t full = n / 3, rem = n % 3;
    size_t len = full * 4 + (rem ? (pad ? 4 : rem + 1) : 0);
    char *o = rp_arena_alloc(a, len + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < full * 3; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        o[k++] = al[v >> 18];
        o[k++] = al[(v >> 12) & 63];
        o[k++] = al[(v >> 6) & 63];
        o[k++] = al[v & 63];
    }
    if (rem) {
        unsigned v = (unsigned)p[full * 3] << 16 | (rem == 2 ? (unsigned)p[full * 3 + 1] << 8 : 0);
        o[k++] = al[v >> 18];
        o[k++] = al[(v >> 12) & 63];
        if (rem == 2)
            o[k++] = al[(v >> 6) & 63];
        else if (pad)
            o[k++] = '=';
        if (pad)
            o[k++] = '=';
    }
    o[k] = 0;
    *outn = k;
    return o;
}

rego_value rego_jwk_hex_value(rp_arena *a, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    rego_value v;
    char *o = rego_str_alloc(a, n * 2, &v);
    if (!o)
        return rego_undef();
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = hx[p[i] >> 4];
        o[2 * i + 1] = hx[p[i] & 15];
    }
    return v;
}

/* ---- PEM (Go's encoding/pem.Decode) ------------------------------------------ */

/* Go's getLine: the line at s without its end-of-line and trailing blanks,
 * and the offset of the next line. */
static void pem_line(const char *s, size_t n, size_t *len, size_t *next)
{
    const char *nl = memchr(s, '\n', n);
    size_t i = nl ? (size_t)(nl - s) : n;
    *next = nl ? i + 1 : n;
    if (nl && i > 0 && s[i - 1] == '\r')
        i--;
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    *len = i;
}

/* The body between the headers and the END line, decoded; false when it is
 * not base64 (Go skips such a block and looks for the next one).  Validating
 * first keeps a run of bad blocks from allocating once per block. */
static bool pem_body(rp_arena *a, const char *s, size_t n, rego_bytes *der)
{
    b64_mode m = {false, true, true};
    size_t outn, bad;
    if (!b64_run(s, n, m, NULL, &outn, &bad))
        return false;
    uint8_t *buf = rp_arena_alloc(a, outn + 1);
    if (!buf)
        return false;
    b64_run(s, n, m, buf, &outn, &bad);
    buf[outn] = 0;
    der->p = buf;
    der->n = outn;
    return true;
}

/* Finds the next "\n-----END " at or after r.  Go searches from every
 * candidate block; remembering the last hit keeps the scan linear. */
static bool pem_find_end(const char *s, size_t n, size_t r, size_t *memo)
{
    if (*memo != SIZE_MAX && *memo >= r)
        return true;
    const char *f = memmem(s + r, n - r, "\n-----END ", 10);
    if (!f)
        return false;
    *memo = (size_t)(f - s);
    return true;
}

bool rego_jwk_pem_decode(rp_arena *a, const char *s, size_t n, rego_jwk_pem *blk, size_t *rest)
{
    size_t r = 0, memo = SIZE_MAX;
    for (;;) {
        if (n - r >= 11 && memcmp(s + r, "-----BEGIN ", 11) == 0) {
            r += 11;
        } else {
            const char *f = memmem(s + r, n - r, "\n-----BEGIN ", 12);
            if (!f)
                return false;
            r = (size_t)(f - s) + 12;
        }
        size_t tl, nx;
        const char *type = s + r;
        pem_line(s + r, n - r, &tl, &nx);
        r += nx;
        if (tl < 5 || memcmp(type + tl - 5, "-----", 5) != 0)
            continue;
        tl -= 5;
        bool headers = false;
        for (;;) {
            if (r == n)
                return false;
            size_t hl, hn;
            pem_line(s + r, n - r, &hl, &hn);
            if (!memchr(s + r, ':', hl))
                break;
            headers = true;
            r += hn;
        }
        size_t end, trailer;
        if (!headers && n - r >= 9 && memcmp(s + r, "-----END ", 9) == 0) {
            end = r;
            trailer = r + 9;
        } else {
            /* No END after r means none after any later BEGIN either. */
            if (!pem_find_end(s, n, r, &memo))
                return false;
            end = memo;
            trailer = end + 10;
        }
        size_t tlen = tl + 5;
        if (n - trailer < tlen || memcmp(s + trailer, type, tl) != 0 ||
            memcmp(s + trailer + tl, "-----", 5) != 0)
            continue;
        size_t el, en;
        pem_line(s + trailer + tlen, n - trailer - tlen, &el, &en);
        if (el != 0)
            continue;
        if (!pem_body(a, s + r, end - r, &blk->der)) {
            if (rp_arena_failed(a))
                return false;
            continue;
        }
        blk->type = type;
        blk->typen = tl;
        *rest = trailer + tlen + en;
        return true;
    }
}

bool rego_jwk_pem_type_is(const rego_jwk_pem *b, const char *type)
{
    size_t n = strlen(type);
    return b->typen == n && memcmp(b->type, type, n) == 0;
}

/* ---- Go's JSON scanner messages ---------------------------------------------- */

/* Go's quoteChar: how encoding/json names an offending byte. */
static void go_quote_char(unsigned char c, char out[16])
{
    static const char esc[] = "\a\b\f\n\r\t\v";
    static const char let[] = "abfnrtv";
    const char *e = c ? strchr(esc, c) : NULL;
    if (c == '\'')
        snprintf(out, 16, "'\\''");
    else if (c == '"')
        snprintf(out, 16, "'\"'");
    else if (c == '\\')
        snprintf(out, 16, "'\\\\'");
    else if (e)
        snprintf(out, 16, "'\\%c'", let[e - esc]);
    else if (c < 0x20 || c == 0x7f)
        snprintf(out, 16, "'\\x%02x'", c);
    else if (c < 0x80)
        snprintf(out, 16, "'%c'", c);
    else if (c < 0xa0 || c == 0xad) /* U+0080..U+00A0 and U+00AD do not print */
        snprintf(out, 16, "'\\u%04x'", c);
    else
        snprintf(out, 16, "'%c%c'", 0xc0 | (c >> 6), 0x80 | (c & 0x3f));
}

typedef struct {
    const char *s;
    size_t n, i;
    int depth;
    bool eof;          /* ran out of input inside a value */
    unsigned char bad; /* else the offending byte ... */
    const char *ctx;   /* ... and where it was */
} jscan;

static bool js_bad(jscan *j, const char *ctx)
{
    if (j->i >= j->n) {
        j->eof = true;
        return false;
    }
    j->bad = (unsigned char)j->s[j->i];
    j->ctx = ctx;
    return false;
}

static bool js_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void js_ws(jscan *j)
{
    while (j->i < j->n && js_space((unsigned char)j->s[j->i]))
        j->i++;
}

static bool js_value(jscan *j);

static bool js_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool js_string(jscan *j)
{
    j->i++; /* the opening quote */
    while (j->i < j->n) {
        unsigned char c = (unsigned char)j->s[j->i];
        if (c == '"') {
            j->i++;
            return true;
        }
        if (c < 0x20)
            return js_bad(j, "in string literal");
        j->i++;
        if (c != '\\')
            continue;
        if (j->i >= j->n)
            break;
        c = (unsigned char)j->s[j->i];
        if (!strchr("\"\\/bfnrtu", c) || !c)
            return js_bad(j, "in string escape code");
        j->i++;
        if (c != 'u')
            continue;
        for (int k = 0; k < 4; k++, j->i++)
            if (j->i >= j->n || !js_hex((unsigned char)j->s[j->i]))
                return js_bad(j, "in \\u hexadecimal character escape");
    }
    j->eof = true;
    return false;
}

static bool js_digit(jscan *j)
{
    return j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9';
}

static bool js_number(jscan *j)
{
    if (j->s[j->i] == '-') {
        j->i++;
        if (!js_digit(j))
            return js_bad(j, "in numeric literal");
    }
    if (j->s[j->i] == '0')
        j->i++;
    else
        while (js_digit(j))
            j->i++;
    if (j->i < j->n && j->s[j->i] == '.') {
        j->i++;
        if (!js_digit(j))
            return js_bad(j, "after decimal point in numeric literal");
        while (js_digit(j))
            j->i++;
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        if (!js_digit(j))
            return js_bad(j, "in exponent of numeric literal");
        while (js_digit(j))
            j->i++;
    }
    return true;
}

static bool js_literal(jscan *j, const char *word)
{
    size_t len = strlen(word);
    for (size_t k = 0; k < len; k++, j->i++) {
        if (j->i >= j->n || j->s[j->i] != word[k]) {
            if (k == 0)
                return js_bad(j, "looking for beginning of value");
            /* Go: "in literal true (expecting 'r')" — a static text per case */
            static const char *const ctxs[][4] = {
                {"in literal true (expecting 'r')", "in literal true (expecting 'u')",
                 "in literal true (expecting 'e')", ""},
                {"in literal false (expecting 'a')", "in literal false (expecting 'l')",
                 "in literal false (expecting 's')", "in literal false (expecting 'e')"},
                {"in literal null (expecting 'u')", "in literal null (expecting 'l')",
                 "in literal null (expecting 'l')", ""},
            };
            int w = word[0] == 't' ? 0 : word[0] == 'f' ? 1 : 2;
            return js_bad(j, ctxs[w][k - 1]);
        }
    }
    return true;
}

static bool js_container(jscan *j, bool object)
{
    if (++j->depth > REGO_JSON_MAX_DEPTH) {
        j->bad = 0;
        j->ctx = "exceeded max depth";
        return false;
    }
    j->i++;
    js_ws(j);
    char close = object ? '}' : ']';
    if (j->i < j->n && j->s[j->i] == close) {
        j->i++;
        j->depth--;
        return true;
    }
    for (;;) {
        if (object) {
            if (j->i >= j->n || j->s[j->i] != '"')
                return js_bad(j, "looking for beginning of object key string");
            if (!js_string(j))
                return false;
            js_ws(j);
            if (j->i >= j->n || j->s[j->i] != ':')
                return js_bad(j, "after object key");
            j->i++;
        }
        if (!js_value(j))
            return false;
        js_ws(j);
        if (j->i < j->n && j->s[j->i] == ',') {
            j->i++;
            js_ws(j);
            continue;
        }
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
            j->depth--;
            return true;
        }
        return js_bad(j, object ? "after object key:value pair" : "after array element");
    }
}

static bool js_value(jscan *j)
{
    js_ws(j);
    if (j->i >= j->n) {
        j->eof = true;
        return false;
    }
    switch (j->s[j->i]) {
    case '{': return js_container(j, true);
    case '[': return js_container(j, false);
    case '"': return js_string(j);
    case 't': return js_literal(j, "true");
    case 'f': return js_literal(j, "false");
    case 'n': return js_literal(j, "null");
    default:
        if (j->s[j->i] == '-' || (j->s[j->i] >= '0' && j->s[j->i] <= '9'))
            return js_number(j);
        return js_bad(j, "looking for beginning of value");
    }
}

static bool js_report(const jscan *j, rego_jwk_json_mode mode, char *err)
{
    if (j->eof)
        return fail(err, "%s",
                    mode == REGO_JSON_DECODER ? "unexpected EOF" : "unexpected end of JSON input");
    if (!j->bad)
        return fail(err, "%s", j->ctx);
    char q[16];
    go_quote_char(j->bad, q);
    return fail(err, "invalid character %s %s", q, j->ctx);
}

/* What OPA's decoder does with bytes after the first value: it reads one
 * more token and complains about it, except that a trailing null passes. */
static bool js_decoder_trailer(jscan *j, char *err)
{
    unsigned char c = (unsigned char)j->s[j->i];
    size_t start = j->i;
    if (c == '{' || c == '[')
        return fail(err, "error: invalid character '%c' after top-level value", c);
    if (c == '"') {
        if (!js_string(j))
            return js_report(j, REGO_JSON_DECODER, err);
        int len = (int)(j->i - start - 2);
        return fail(err, "error: invalid character '%.*s' after top-level value",
                    len > 64 ? 64 : len, j->s + start + 1);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        if (!js_number(j))
            return js_report(j, REGO_JSON_DECODER, err);
        int len = (int)(j->i - start);
        return fail(err, "error: invalid character '%.*s' after top-level value",
                    len > 64 ? 64 : len, j->s + start);
    }
    if (c == 't' || c == 'f' || c == 'n') {
        if (!js_value(j))
            return js_report(j, REGO_JSON_DECODER, err);
        if (c == 'n')
            return true;
        return fail(err, "error: invalid character '%%!s(bool=%s)' after top-level value",
                    c == 't' ? "true" : "false");
    }
    js_bad(j, "looking for beginning of value");
    return js_report(j, REGO_JSON_DECODER, err);
}

bool rego_jwk_json_check(const char *s, size_t n, rego_jwk_json_mode mode, char *err)
{
    jscan j = {s, n, 0, 0, false, 0, NULL};
    js_ws(&j);
    if (j.i == n && mode == REGO_JSON_DECODER)
        return fail(err, "EOF");
    if (!js_value(&j))
        return js_report(&j, mode, err);
    js_ws(&j);
    if (j.i == n)
        return true;
    if (mode == REGO_JSON_DECODER)
        return js_decoder_trailer(&j, err);
    js_bad(&j, "after top-level value");
    return js_report(&j, mode, err);
}

bool rego_jwk_json_object(rp_arena *a, const char *s, size_t n, rego_value *out, char *err)
{
    char msg[REGO_JWK_ERRLEN];
    if (!rego_jwk_json_check(s, n, REGO_JSON_DECODER, msg))
        return fail(err, "invalid JSON: %s", msg);
    rp_error e = {0};
    rego_value v;
    if (rego_json_parse(a, s, n, NULL, &v, &e) != RP_OK)
        return fail(err, "invalid JSON: %s", e.msg);
    if (v.kind != REGO_OBJECT)
        return fail(err, "decoded JSON type was not an Object");
    *out = v;
    return true;
}

/* ---- DER reader (the rules of Go's cryptobyte) -------------------------------- */

typedef rego_bytes der;

enum {
    T_BOOLEAN = 0x01,
    T_INTEGER = 0x02,
    T_BITSTRING = 0x03,
    T_OCTETSTRING = 0x04,
    T_NULL = 0x05,
    T_OID = 0x06,
    T_UTF8 = 0x0c,
    T_NUMERIC = 0x12,
    T_PRINTABLE = 0x13,
    T_T61 = 0x14,
    T_IA5 = 0x16,
    T_UTCTIME = 0x17,
    T_GENTIME = 0x18,
    T_BMP = 0x1e,
    T_SEQUENCE = 0x30,
    T_SET = 0x31,
};
#define T_CTX(n) (0x80u | (n))  /* [n] IMPLICIT, primitive */
#define T_CTXC(n) (0xa0u | (n)) /* [n], constructed */

/* Reads one element: tag, body and the whole element.  DER only: definite,
 * minimal lengths, low tag numbers. */
static bool der_any(der *in, unsigned *tag, der *body, der *elem)
{
    if (in->n < 2 || (in->p[0] & 0x1f) == 0x1f)
        return false;
    size_t h = 2, len = in->p[1];
    if (len & 0x80) {
        size_t ll = len & 0x7f;
        if (ll == 0 || ll > 4 || in->n < 2 + ll)
            return false;
        uint32_t v = 0;
        for (size_t i = 0; i < ll; i++)
            v = v << 8 | in->p[2 + i];
        if (v < 128 || (v >> ((ll - 1) * 8)) == 0)
            return false;
        h = 2 + ll;
        len = v;
    }
    if (len > in->n - h)
        return false;
    /* outputs may alias *in (reading a SEQUENCE's body in place) */
    der b = {in->p + h, len}, e = {in->p, h + len};
    if (tag)
        *tag = in->p[0];
    in->p += h + len;
    in->n -= h + len;
    if (body)
        *body = b;
    if (elem)
        *elem = e;
    return true;
}

static bool der_read(der *in, unsigned tag, der *body)
{
    unsigned t;
    return der_any(in, &t, body, NULL) && t == tag;
}

static bool der_elem(der *in, unsigned tag, der *elem)
{
    unsigned t;
    return der_any(in, &t, NULL, elem) && t == tag;
}

static bool der_peek(der in, unsigned tag)
{
    return in.n > 0 && in.p[0] == tag;
}

static bool der_read_opt(der *in, unsigned tag, der *body, bool *present)
{
    *present = der_peek(*in, tag);
    if (!*present) {
        body->p = NULL;
        body->n = 0;
        return true;
    }
    return der_read(in, tag, body);
}

static bool der_int_ok(der b)
{
    if (b.n == 0)
        return false;
    if (b.n == 1)
        return true;
    return !((b.p[0] == 0 && !(b.p[1] & 0x80)) || (b.p[0] == 0xff && (b.p[1] & 0x80)));
}

static bool der_int_bytes(der *in, unsigned tag, der *out)
{
    return der_read(in, tag, out) && der_int_ok(*out);
}

static bool der_i64(der *in, unsigned tag, int64_t *v)
{
    der b;
    if (!der_int_bytes(in, tag, &b) || b.n > 8)
        return false;
    int64_t x = (b.p[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < b.n; i++)
        x = (int64_t)((uint64_t)x << 8 | b.p[i]);
    *v = x;
    return true;
}

/* A non-negative INTEGER that fits int64 (Go's ReadASN1Integer into uint,
 * then "> math.MaxInt"). */
static bool der_uint63(der *in, int64_t *v)
{
    der b;
    if (!der_int_bytes(in, T_INTEGER, &b) || (b.p[0] & 0x80))
        return false;
    if (b.n > 9 || (b.n == 9 && b.p[0] != 0))
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < b.n; i++)
        x = x << 8 | b.p[i];
    if (x > INT64_MAX)
        return false;
    *v = (int64_t)x;
    return true;
}

static bool der_bool(der *in, bool *v)
{
    der b;
    if (!der_read(in, T_BOOLEAN, &b) || b.n != 1 || (b.p[0] != 0 && b.p[0] != 0xff))
        return false;
    *v = b.p[0] != 0;
    return true;
}

typedef struct {
    der bytes; /* without the padding-count byte */
    size_t bitlen;
} bitstr;

static bool der_bits(der *in, bitstr *bs)
{
    der b;
    if (!der_read(in, T_BITSTRING, &b) || b.n == 0)
        return false;
    unsigned pad = b.p[0];
    if (pad > 7 || (b.n == 1 && pad > 0) || (b.p[b.n - 1] & ((1u << pad) - 1)) != 0)
        return false;
    bs->bytes.p = b.p + 1;
    bs->bytes.n = b.n - 1;
    bs->bitlen = (b.n - 1) * 8 - pad;
    return true;
}

static bool bits_at(const bitstr *bs, size_t i)
{
    if (i >= bs->bitlen)
        return false;
    return (bs->bytes.p[i / 8] >> (7 - i % 8)) & 1;
}

/* Go's BitString.RightAlign. */
static der bits_right_align(rp_arena *a, const bitstr *bs)
{
    unsigned shift = 8 - (unsigned)(bs->bitlen % 8);
    if (shift == 8 || bs->bytes.n == 0)
        return bs->bytes;
    uint8_t *o = rp_arena_alloc(a, bs->bytes.n);
    der r = {o, bs->bytes.n};
    if (!o) {
        r.n = 0;
        return r;
    }
    o[0] = bs->bytes.p[0] >> shift;
    for (size_t i = 1; i < bs->bytes.n; i++)
        o[i] = (uint8_t)(bs->bytes.p[i - 1] << (8 - shift) | bs->bytes.p[i] >> shift);
    return r;
}

/* One base-128 OID arc, as cryptobyte reads it (fits 31 bits, minimal). */
static bool b128(der *b, uint32_t *out)
{
    uint32_t r = 0;
    for (int i = 0; b->n > 0; i++) {
        if (i == 5 || r >= (1u << 24))
            return false;
        uint8_t c = *b->p++;
        b->n--;
        if (i == 0 && c == 0x80)
            return false;
        r = r << 7 | (c & 0x7f);
        if (!(c & 0x80)) {
            *out = r;
            return true;
        }
    }
    return false;
}

static bool oid_decode(rp_arena *a, der b, rego_oid *oid)
{
    if (b.n == 0)
        return false;
    uint32_t *arcs = rp_arena_alloc(a, (b.n + 1) * sizeof(uint32_t));
    uint32_t v;
    if (!arcs || !b128(&b, &v))
        return false;
    arcs[0] = v < 80 ? v / 40 : 2;
    arcs[1] = v < 80 ? v % 40 : v - 80;
    size_t k = 2;
    while (b.n) {
        if (!b128(&b, &v))
            return false;
        arcs[k++] = v;
    }
    oid->arc = arcs;
    oid->n = k;
    return true;
}

static bool der_oid(rp_arena *a, der *in, rego_oid *oid)
{
    der b;
    return der_read(in, T_OID, &b) && oid_decode(a, b, oid);
}

static bool oid_is(rego_oid o, const uint32_t *arcs, size_t n)
{
    return o.n == n && memcmp(o.arc, arcs, n * sizeof(uint32_t)) == 0;
}

#define ARCS(...)                                                                                  \
    ((const uint32_t[]){__VA_ARGS__}), (sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

static bool oid_eq(rego_oid x, rego_oid y)
{
    return oid_is(x, y.arc, y.n);
}

static int oid_text(rego_oid o, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < o.n && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? ".%u" : "%u", o.arc[i]);
    return (int)(k < cap ? k : cap - 1);
}

/* ---- times (UTCTime / GeneralizedTime as cryptobyte accepts them) ------------ */

static bool num_digits(const uint8_t *p, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "Z" or "+hhmm"/"-hhmm", the whole rest of the text (Go's Z0700 layout,
 * which re-formats "+0000" as "Z", so that one is refused). */
static bool time_zone(const uint8_t *p, size_t n, int32_t *off)
{
    if (n == 1 && p[0] == 'Z') {
        *off = 0;
        return true;
    }
    int hh, mm;
    if (n != 5 || (p[0] != '+' && p[0] != '-') || !num_digits(p + 1, 2, &hh) ||
        !num_digits(p + 3, 2, &mm) || hh > 24 || mm > 59 || (hh == 0 && mm == 0))
        return false;
    *off = (int32_t)((hh * 60 + mm) * 60 * (p[0] == '-' ? -1 : 1));
    return true;
}

static bool time_fields(const uint8_t *p, int year, bool secs, size_t rest, rego_jwk_time *t)
{
    int mo, d, h, mi, s = 0;
    if (!num_digits(p, 2, &mo) || !num_digits(p + 2, 2, &d) || !num_digits(p + 4, 2, &h) ||
        !num_digits(p + 6, 2, &mi) || (secs && !num_digits(p + 8, 2, &s)))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(year, mo) || h > 23 || mi > 59 || s > 59)
        return false;
    size_t used = secs ? 10 : 8;
    if (!time_zone(p + used, rest - used, &t->off))
        return false;
    t->sec = days_from_civil(year, mo, d) * 86400 + h * 3600 + mi * 60 + s - t->off;
    t->nsec = 0;
    return true;
}

static bool der_time(der *in, rego_jwk_time *t, char *err)
{
    der b;
    int y;
    if (der_peek(*in, T_UTCTIME)) {
        if (!der_read(in, T_UTCTIME, &b) || b.n < 11 || !num_digits(b.p, 2, &y))
            return fail(err, "x509: malformed UTCTime");
        y += y >= 69 ? 1900 : 2000;
        if (y >= 2050)
            y -= 100;
        if (!time_fields(b.p + 2, y, true, b.n - 2, t) &&
            !time_fields(b.p + 2, y, false, b.n - 2, t))
            return fail(err, "x509: malformed UTCTime");
        return true;
    }
    if (der_peek(*in, T_GENTIME)) {
        if (!der_read(in, T_GENTIME, &b) || b.n < 15 || !num_digits(b.p, 4, &y) ||
            !time_fields(b.p + 4, y, true, b.n - 4, t))
            return fail(err, "x509: malformed GeneralizedTime");
        return true;
    }
    return fail(err, "x509: unsupported time format");
}

/* ---- values ----------------------------------------------------------------------- */

static rego_value lit(const char *s)
{
    return rego_str_borrow(s, strlen(s));
}

/* Bytes as Go's encoding/json writes a string: invalid UTF-8 becomes U+FFFD. */
static rego_value go_str(rp_arena *a, const uint8_t *p, size_t n)
{
    if (rp_utf8_valid((const char *)p, n))
        return rego_str(a, (const char *)p, n);
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rp_utf8_decode((const char *)p + i, n - i, &cp);
        if (k) {
            rp_buf_append(&b, p + i, k);
            i += k;
        } else {
            rp_buf_puts(&b, "\xef\xbf\xbd");
            i++;
        }
    }
    rego_value v = b.failed ? rego_undef() : rego_str(a, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    return v;
}

rego_value rego_jwk_oid_value(rp_arena *a, rego_oid oid)
{
    rego_value v;
    rego_value *it = rego_array_alloc(a, oid.n, &v);
    if (!it)
        return rego_undef();
    for (size_t i = 0; i < oid.n; i++)
        it[i] = rego_int(oid.arc[i]);
    return v;
}

rego_value rego_jwk_oid_text(rp_arena *a, rego_bytes b)
{
    rp_buf out;
    rp_buf_init(&out);
    mpz_t arc;
    mpz_init(arc);
    bool first = true;
    for (size_t i = 0; i < b.n; i++) {
        mpz_mul_2exp(arc, arc, 7);
        mpz_add_ui(arc, arc, b.p[i] & 0x7f);
        if (b.p[i] & 0x80)
            continue;
        if (first) { /* the first subidentifier holds two arcs */
            unsigned long top = mpz_cmp_ui(arc, 80) < 0 ? mpz_get_ui(arc) / 40 : 2;
            mpz_sub_ui(arc, arc, top * 40);
            rp_buf_printf(&out, "%lu", top);
            first = false;
        }
        char *digits = malloc(mpz_sizeinbase(arc, 10) + 2);
        if (digits)
            rp_buf_printf(&out, ".%s", mpz_get_str(digits, 10, arc));
        else
            out.failed = true;
        free(digits);
        mpz_set_ui(arc, 0);
    }
    mpz_clear(arc);
    rego_value v = out.failed ? rego_undef() : rego_str(a, out.data ? out.data : "", out.len);
    rp_buf_free(&out);
    return v;
}

rego_value rego_jwk_int_value(rp_arena *a, rego_bytes b, bool is_signed)
{
    if (b.n <= 7 || (b.n == 8 && !(b.p[0] & 0x80))) {
        int64_t x = (is_signed && b.n && (b.p[0] & 0x80)) ? -1 : 0;
        for (size_t i = 0; i < b.n; i++)
            x = (int64_t)((uint64_t)x << 8 | b.p[i]);
        return rego_int(x);
    }
    mpz_t z;
    mpz_init(z);
    mpz_import(z, b.n, 1, 1, 1, 0, b.p);
    if (is_signed && (b.p[0] & 0x80)) {
        mpz_t m;
        mpz_init(m);
        mpz_setbit(m, b.n * 8);
        mpz_sub(z, z, m);
        mpz_clear(m);
    }
    rego_value v = rego_num_from_mpz(a, z);
    mpz_clear(z);
    return v;
}

rego_value rego_jwk_time_value(rp_arena *a, rego_jwk_time t)
{
    int64_t local = t.sec + t.off;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    /* civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    char buf[64], zone[16], frac[16] = "";
    if (t.off == 0)
        snprintf(zone, sizeof(zone), "Z");
    else
        snprintf(zone, sizeof(zone), "%c%02d:%02d", t.off < 0 ? '-' : '+', abs(t.off) / 3600,
                 abs(t.off) / 60 % 60);
    if (t.nsec) {
        snprintf(frac, sizeof(frac), ".%09d", t.nsec);
        for (size_t k = strlen(frac); frac[k - 1] == '0'; k--)
            frac[k - 1] = 0;
    }
    int len = snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%s%s",
                       (long long)y, (long long)m, (long long)d, (long long)(secs / 3600),
                       (long long)(secs / 60 % 60), (long long)(secs % 60), frac, zone);
    return rego_str(a, buf, (size_t)len);
}

/* net.IP.String(). */
static int ip_format(rego_bytes ip, char *buf, size_t cap)
{
    const uint8_t *p = ip.p;
    static const uint8_t v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip.n == 16 && memcmp(p, v4pre, 12) == 0) {
        p += 12;
        return snprintf(buf, cap, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    }
    if (ip.n == 4)
        return snprintf(buf, cap, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    if (ip.n == 0)
        return snprintf(buf, cap, "<nil>");
    if (ip.n != 16) {
        int k = snprintf(buf, cap, "?");
        for (size_t i = 0; i < ip.n && (size_t)k + 3 < cap; i++)
            k += snprintf(buf + k, cap - (size_t)k, "%02x", p[i]);
        return k;
    }
    /* the longest run of two or more zero groups becomes "::" (the first one on a tie) */
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && p[2 * j] == 0 && p[2 * j + 1] == 0)
            j++;
        if (j - i >= 2 && j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    int k = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            k += snprintf(buf + k, cap - (size_t)k, "::");
            i += bestlen - 1;
            continue;
        }
        if (i && i != best + bestlen)
            k += snprintf(buf + k, cap - (size_t)k, ":");
        k += snprintf(buf + k, cap - (size_t)k, "%x", p[2 * i] << 8 | p[2 * i + 1]);
    }
    return k;
}

rego_value rego_jwk_ip_value(rp_arena *a, rego_bytes ip)
{
    char buf[80];
    int n = ip_format(ip, buf, sizeof(buf));
    return rego_str(a, buf, (size_t)n);
}

/* ---- ASN.1 strings and names -------------------------------------------------- */

static bool asn1_printable(uint8_t b)
{
    /* Go also lets '*' and '&' through: real certificates carry them. */
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
           (b >= '\'' && b <= ')') || (b >= '+' && b <= '/') || b == ' ' || b == ':' || b == '=' ||
           b == '?' || b == '*' || b == '&';
}

static bool ascii_only(der b)
{
    for (size_t i = 0; i < b.n; i++)
        if (b.p[i] >= 0x80)
            return false;
    return true;
}

/* Go's parseASN1String (x509 parser): the value as a UTF-8 string. */
static bool asn1_string(rp_arena *a, unsigned tag, der b, rego_value *out, char *err)
{
    rp_buf buf;
    switch (tag) {
    case T_T61: /* Latin-1, as Go and BoringSSL read it */
        rp_buf_init(&buf);
        for (size_t i = 0; i < b.n; i++) {
            char u[4];
            rp_buf_append(&buf, u, rp_utf8_encode(b.p[i], u));
        }
        *out = buf.failed ? rego_undef() : rego_str(a, buf.data ? buf.data : "", buf.len);
        rp_buf_free(&buf);
        return true;
    case T_PRINTABLE:
        for (size_t i = 0; i < b.n; i++)
            if (!asn1_printable(b.p[i]))
                return fail(err, "invalid PrintableString");
        break;
    case T_UTF8:
        if (!rp_utf8_valid((const char *)b.p, b.n))
            return fail(err, "invalid UTF-8 string");
        break;
    case T_BMP: {
        if (b.n % 2)
            return fail(err, "invalid BMPString");
        if (b.n >= 2 && b.p[b.n - 1] == 0 && b.p[b.n - 2] == 0)
            b.n -= 2;
        rp_buf_init(&buf);
        for (size_t i = 0; i < b.n; i += 2) {
            unsigned pt = (unsigned)b.p[i] << 8 | b.p[i + 1];
            if (pt == 0xfffe || pt == 0xffff || (pt >= 0xfdd0 && pt <= 0xfdef) ||
                (pt >= 0xd800 && pt <= 0xdfff)) {
                rp_buf_free(&buf);
                return fail(err, "invalid BMPString");
            }
            char u[4];
            rp_buf_append(&buf, u, rp_utf8_encode(pt, u));
        }
        *out = buf.failed ? rego_undef() : rego_str(a, buf.data ? buf.data : "", buf.len);
        rp_buf_free(&buf);
        return true;
    }
    case T_IA5:
        if (!ascii_only(b))
            return fail(err, "invalid IA5String");
        break;
    case T_NUMERIC:
        for (size_t i = 0; i < b.n; i++)
            if (!((b.p[i] >= '0' && b.p[i] <= '9') || b.p[i] == ' '))
                return fail(err, "invalid NumericString");
        break;
    default: return fail(err, "unsupported string type: %u", tag);
    }
    *out = rego_str(a, (const char *)b.p, b.n);
    return true;
}

/* encoding/asn1's reading of an ANY into interface{} (CSR names and
 * attributes): strings, integers, OIDs, times, bit and octet strings; other
 * types stay nil. */
static bool asn1_any_value(rp_arena *a, unsigned tag, der b, rego_value *out, char *err);

static bool parse_name(rp_arena *a, der raw, rego_jwk_name *name, bool csr, char *err)
{
    der seq, set, atv, val;
    vec v = {0};
    if (!der_read(&raw, T_SEQUENCE, &seq))
        return fail(err, csr ? "asn1: structure error: tags don't match (RDNSequence)"
                             : "x509: invalid RDNSequence");
    while (seq.n) {
        if (!der_read(&seq, T_SET, &set))
            return fail(err, csr ? "asn1: structure error: RelativeDistinguishedNameSET"
                                 : "x509: invalid RDNSequence");
        while (set.n) {
            rego_jwk_atv *x = vec_push(a, &v, sizeof(*x));
            if (!x)
                return false;
            if (!der_read(&set, T_SEQUENCE, &atv))
                return fail(err, "x509: invalid RDNSequence: invalid attribute");
            if (!der_oid(a, &atv, &x->type))
                return fail(err, "x509: invalid RDNSequence: invalid attribute type");
            unsigned tag;
            if (!der_any(&atv, &tag, &val, NULL))
                return fail(err, "x509: invalid RDNSequence: invalid attribute value");
            char why[REGO_JWK_ERRLEN];
            bool ok = csr ? asn1_any_value(a, tag, val, &x->value, why)
                          : asn1_string(a, tag, val, &x->value, why);
            if (!ok)
                return fail(err,
                            csr ? "%s" : "x509: invalid RDNSequence: invalid attribute value: %s",
                            why);
        }
    }
    name->atv = v.v;
    name->n = v.n;
    return true;
}

/* ---- URLs (Go's net/url.Parse, for SAN URIs) ---------------------------------- */

typedef enum { ENC_PATH, ENC_HOST, ENC_USERPASS, ENC_FRAGMENT } url_enc;

static bool url_should_escape(unsigned char c, url_enc m)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return false;
    if (m == ENC_HOST && strchr("!$&'()*+,;=:[]<>\"", c) && c)
        return false;
    if (c && strchr("-_.~", c))
        return false;
    if (c && strchr("$&+,/:;=?@", c)) {
        switch (m) {
        case ENC_PATH: return c == '?';
        case ENC_USERPASS: return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_FRAGMENT: return false;
        case ENC_HOST: return true;
        }
    }
    if (m == ENC_FRAGMENT && c && strchr("!()*", c))
        return false;
    return true;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Go's strconv.Quote for the ASCII texts URLs here are made of. */
static void go_quote(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n && k + 8 < cap; i++) {
        if (p[i] == '"' || p[i] == '\\')
            k += (size_t)snprintf(out + k, cap - k, "\\%c", p[i]);
        else if (p[i] < 0x20 || p[i] >= 0x7f)
            k += (size_t)snprintf(out + k, cap - k, "\\x%02x", p[i]);
        else
            out[k++] = (char)p[i];
    }
    out[k++] = '"';
    out[k] = 0;
}

static bool url_unescape(rp_arena *a, der s, url_enc m, der *out, char *why)
{
    size_t pct = 0;
    for (size_t i = 0; i < s.n;) {
        if (s.p[i] == '%') {
            pct++;
            if (i + 2 >= s.n || hexval(s.p[i + 1]) < 0 || hexval(s.p[i + 2]) < 0) {
                char q[16];
                go_quote(s.p + i, s.n - i < 3 ? s.n - i : 3, q, sizeof(q));
                return fail(why, "invalid URL escape %s", q);
            }
            if (m == ENC_HOST && hexval(s.p[i + 1]) < 8 && memcmp(s.p + i, "%25", 3) != 0) {
                char q[16];
                go_quote(s.p + i, 3, q, sizeof(q));
                return fail(why, "invalid URL escape %s", q);
            }
            i += 3;
            continue;
        }
        if (m == ENC_HOST && s.p[i] < 0x80 && url_should_escape(s.p[i], m)) {
            char q[16];
            go_quote(s.p + i, 1, q, sizeof(q));
            return fail(why, "invalid character %s in host name", q);
        }
        i++;
    }
    if (!pct) {
        *out = s;
        return true;
    }
    uint8_t *o = rp_arena_alloc(a, s.n + 1);
    if (!o)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < s.n;) {
        if (s.p[i] == '%') {
            o[k++] = (uint8_t)(hexval(s.p[i + 1]) << 4 | hexval(s.p[i + 2]));
            i += 3;
        } else {
            o[k++] = s.p[i++];
        }
    }
    out->p = o;
    out->n = k;
    return true;
}

static void url_escape(rp_buf *b, der s, url_enc m)
{
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.n; i++) {
        if (url_should_escape(s.p[i], m)) {
            char e[3] = {'%', hx[s.p[i] >> 4], hx[s.p[i] & 15]};
            rp_buf_append(b, e, 3);
        } else {
            rp_buf_putc(b, (char)s.p[i]);
        }
    }
}

static bool url_escape_eq(der raw, der dec, url_enc m)
{
    rp_buf b;
    rp_buf_init(&b);
    url_escape(&b, dec, m);
    bool eq = !b.failed && b.len == raw.n && (raw.n == 0 || memcmp(b.data, raw.p, raw.n) == 0);
    rp_buf_free(&b);
    return eq;
}

static bool url_valid_encoded(der s, url_enc m)
{
    for (size_t i = 0; i < s.n; i++)
        if (!strchr("!$&'()*+,;=:@[]%", s.p[i]) && url_should_escape(s.p[i], m))
            return false;
    return true;
}

/* Go's setPath / setFragment: the decoded text, and the raw form when it is
 * not the default encoding of the decoded one. */
static bool url_set_escaped(rp_arena *a, der raw, url_enc m, der *dec, der *rawkeep, char *why)
{
    if (!url_unescape(a, raw, m, dec, why))
        return false;
    if (url_escape_eq(raw, *dec, m))
        rawkeep->n = 0;
    else
        *rawkeep = raw;
    return true;
}

static bool url_port_ok(der s)
{
    if (s.n == 0)
        return true;
    if (s.p[0] != ':')
        return false;
    for (size_t i = 1; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

static bool url_host(rp_arena *a, der h, der *out, char *why)
{
    der port = {NULL, 0};
    if (h.n && h.p[0] == '[') {
        const uint8_t *rb = NULL;
        for (size_t i = h.n; i > 0; i--)
            if (h.p[i - 1] == ']') {
                rb = h.p + i - 1;
                break;
            }
        if (!rb)
            return fail(why, "missing ']' in host");
        port.p = rb + 1;
        port.n = (size_t)(h.p + h.n - port.p);
    } else {
        for (size_t i = h.n; i > 0; i--)
            if (h.p[i - 1] == ':') {
                port.p = h.p + i - 1;
                port.n = h.n - i + 1;
                break;
            }
    }
    if (!url_port_ok(port)) {
        char q[64];
        go_quote(port.p, port.n, q, sizeof(q));
        return fail(why, "invalid port %s after host", q);
    }
    return url_unescape(a, h, ENC_HOST, out, why);
}

static bool url_userinfo(rp_arena *a, der ui, rego_jwk_url *u, char *why)
{
    for (size_t i = 0; i < ui.n; i++) {
        unsigned char c = ui.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) &&
            !strchr("-._:~!$&'()*+,;=%@", c))
            return fail(why, "net/url: invalid userinfo");
    }
    const uint8_t *colon = memchr(ui.p, ':', ui.n);
    der user = ui, pass = {NULL, 0};
    if (colon) {
        user.n = (size_t)(colon - ui.p);
        pass.p = colon + 1;
        pass.n = ui.n - user.n - 1;
    }
    u->has_user = true;
    u->has_password = colon != NULL;
    return url_unescape(a, user, ENC_USERPASS, &u->user, why) &&
           (!colon || url_unescape(a, pass, ENC_USERPASS, &u->password, why));
}

static bool url_scheme(der s, der *scheme, der *rest, char *why)
{
    scheme->p = s.p;
    scheme->n = 0;
    *rest = s;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = s.p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                return true;
            continue;
        }
        if (c == ':') {
            if (i == 0)
                return fail(why, "missing protocol scheme");
            scheme->n = i;
            rest->p = s.p + i + 1;
            rest->n = s.n - i - 1;
        }
        return true;
    }
    return true;
}

static bool url_parse_nofrag(rp_arena *a, der s, rego_jwk_url *u, char *why)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < 0x20 || s.p[i] == 0x7f)
            return fail(why, "net/url: invalid control character in URL");
    if (s.n == 1 && s.p[0] == '*') {
        u->path = s;
        return true;
    }
    der rest;
    if (!url_scheme(s, &u->scheme, &rest, why))
        return false;
    if (u->scheme.n) { /* Go lower-cases the scheme */
        uint8_t *l = rp_arena_alloc(a, u->scheme.n);
        if (!l)
            return false;
        for (size_t i = 0; i < u->scheme.n; i++)
            l[i] = (uint8_t)((u->scheme.p[i] >= 'A' && u->scheme.p[i] <= 'Z') ? u->scheme.p[i] + 32
                                                                              : u->scheme.p[i]);
        u->scheme.p = l;
    }
    const uint8_t *q = memchr(rest.p, '?', rest.n);
    if (q && q == rest.p + rest.n - 1) {
        u->force_query = true;
        rest.n--;
    } else if (q) {
        u->raw_query.p = q + 1;
        u->raw_query.n = (size_t)(rest.p + rest.n - q - 1);
        rest.n = (size_t)(q - rest.p);
    }
    if (!rest.n || rest.p[0] != '/') {
        if (u->scheme.n) {
            u->opaque = rest;
            return true;
        }
        const uint8_t *sl = memchr(rest.p, '/', rest.n);
        size_t seg = sl ? (size_t)(sl - rest.p) : rest.n;
        if (memchr(rest.p, ':', seg))
            return fail(why, "first path segment in URL cannot contain colon");
    }
    bool slash2 = rest.n >= 2 && rest.p[0] == '/' && rest.p[1] == '/';
    bool slash3 = slash2 && rest.n >= 3 && rest.p[2] == '/';
    if ((u->scheme.n || !slash3) && slash2) {
        der auth = {rest.p + 2, rest.n - 2};
        const uint8_t *sl = memchr(auth.p, '/', auth.n);
        rest.p = sl ? sl : auth.p + auth.n;
        rest.n = sl ? (size_t)(auth.p + auth.n - sl) : 0;
        auth.n = (size_t)(rest.p - auth.p);
        const uint8_t *at = NULL;
        for (size_t i = auth.n; i > 0; i--)
            if (auth.p[i - 1] == '@') {
                at = auth.p + i - 1;
                break;
            }
        der host = auth;
        if (at) {
            host.p = at + 1;
            host.n = (size_t)(auth.p + auth.n - host.p);
        }
        if (!url_host(a, host, &u->host, why))
            return false;
        if (at) {
            der ui = {auth.p, (size_t)(at - auth.p)};
            if (!url_userinfo(a, ui, u, why))
                return false;
        }
    } else if (u->scheme.n && rest.n && rest.p[0] == '/') {
        u->omit_host = true;
    }
    return url_set_escaped(a, rest, ENC_PATH, &u->path, &u->raw_path, why);
}

/* url.Parse; on failure why holds url.Error's text ("parse \"x\": ..."). */
static bool url_parse(rp_arena *a, der s, rego_jwk_url *u, char *why)
{
    memset(u, 0, sizeof(*u));
    const uint8_t *hash = memchr(s.p, '#', s.n);
    der body = {s.p, hash ? (size_t)(hash - s.p) : s.n};
    char inner[REGO_JWK_ERRLEN], q[REGO_JWK_ERRLEN];
    if (!url_parse_nofrag(a, body, u, inner)) {
        go_quote(body.p, body.n, q, sizeof(q) / 2);
        return fail(why, "parse %s: %s", q, inner);
    }
    if (!hash || hash + 1 == s.p + s.n)
        return true;
    der frag = {hash + 1, (size_t)(s.p + s.n - hash - 1)};
    if (!url_set_escaped(a, frag, ENC_FRAGMENT, &u->fragment, &u->raw_fragment, inner)) {
        go_quote(s.p, s.n, q, sizeof(q) / 2);
        return fail(why, "parse %s: %s", q, inner);
    }
    return true;
}

static void url_write_escaped(rp_buf *b, der dec, der raw, url_enc m)
{
    if (raw.n && url_valid_encoded(raw, m)) {
        /* the raw form is kept when it decodes to the same text */
        bool same = true;
        size_t k = 0;
        for (size_t i = 0; i < raw.n && same; k++) {
            int c = raw.p[i];
            if (c == '%' && i + 2 < raw.n + 0 && hexval(raw.p[i + 1]) >= 0 &&
                hexval(raw.p[i + 2]) >= 0) {
                c = hexval(raw.p[i + 1]) << 4 | hexval(raw.p[i + 2]);
                i += 3;
            } else if (c == '%') {
                same = false;
                break;
            } else {
                i++;
            }
            same = k < dec.n && dec.p[k] == c;
        }
        if (same && k == dec.n) {
            rp_buf_append(b, raw.p, raw.n);
            return;
        }
    }
    if (m == ENC_PATH && dec.n == 1 && dec.p[0] == '*') {
        rp_buf_putc(b, '*');
        return;
    }
    url_escape(b, dec, m);
}

rego_value rego_jwk_url_text(rp_arena *a, const rego_jwk_url *u)
{
    rp_buf b;
    rp_buf_init(&b);
    if (u->scheme.n) {
        rp_buf_append(&b, u->scheme.p, u->scheme.n);
        rp_buf_putc(&b, ':');
    }
    if (u->opaque.n) {
        rp_buf_append(&b, u->opaque.p, u->opaque.n);
    } else {
        if ((u->scheme.n || u->host.n || u->has_user) &&
            !(u->omit_host && !u->host.n && !u->has_user)) {
            if (u->host.n || u->path.n || u->has_user)
                rp_buf_puts(&b, "//");
            if (u->has_user) {
                url_escape(&b, u->user, ENC_USERPASS);
                if (u->has_password) {
                    rp_buf_putc(&b, ':');
                    url_escape(&b, u->password, ENC_USERPASS);
                }
                rp_buf_putc(&b, '@');
            }
            url_escape(&b, u->host, ENC_HOST);
        }
        rp_buf path;
        rp_buf_init(&path);
        url_write_escaped(&path, u->path, u->raw_path, ENC_PATH);
        if (path.len && path.data[0] != '/' && u->host.n)
            rp_buf_putc(&b, '/');
        if (b.len == 0 && path.len) {
            const char *sl = memchr(path.data, '/', path.len);
            if (memchr(path.data, ':', sl ? (size_t)(sl - path.data) : path.len))
                rp_buf_puts(&b, "./");
        }
        rp_buf_append(&b, path.data ? path.data : "", path.len);
        b.failed |= path.failed;
        rp_buf_free(&path);
    }
    if (u->force_query || u->raw_query.n) {
        rp_buf_putc(&b, '?');
        rp_buf_append(&b, u->raw_query.p, u->raw_query.n);
    }
    if (u->fragment.n) {
        rp_buf_putc(&b, '#');
        url_write_escaped(&b, u->fragment, u->raw_fragment, ENC_FRAGMENT);
    }
    rego_value v = b.failed ? rego_undef() : rego_str(a, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    return v;
}

/* Go's domainNameValid (x509): labels of printable ASCII, no empty label,
 * no trailing dot; a constraint may start with a dot. */
static bool domain_valid(der s, bool constraint)
{
    if (s.n == 0)
        return true;
    if (s.p[s.n - 1] == '.')
        return false;
    if (constraint && s.p[0] == '.') {
        s.p++;
        s.n--;
    }
    size_t label = 0;
    for (size_t i = 0; i <= s.n; i++) {
        if (i == s.n || s.p[i] == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (s.p[i] < 33 || s.p[i] > 126)
            return false;
        label++;
    }
    return true;
}

/* ---- algorithm identifiers and public keys ------------------------------------ */

typedef struct {
    rego_oid oid;
    der params; /* the whole parameters element; n == 0 when absent */
} algid;

static bool parse_ai(rp_arena *a, der body, algid *ai, char *err)
{
    if (!der_oid(a, &body, &ai->oid))
        return fail(err, "x509: malformed OID");
    ai->params.p = NULL;
    ai->params.n = 0;
    if (body.n && !der_any(&body, NULL, NULL, &ai->params))
        return fail(err, "x509: malformed parameters");
    return true;
}

static const uint8_t DER_NULL[2] = {0x05, 0x00};

static bool params_null_or_absent(der p)
{
    return p.n == 0 || (p.n == 2 && memcmp(p.p, DER_NULL, 2) == 0);
}

/* RSASSA-PSS parameters, reduced to Go's three buckets (the MGF1 hash equals
 * the message hash, the salt length equals the hash length, trailer 1). */
static int pss_sigalg(rp_arena *a, der params)
{
    der seq, h, m, s, t, hashai, mgfai, mgfparams;
    bool hm, sm, tm;
    algid hash, mgf, mgfhash;
    char e[REGO_JWK_ERRLEN];
    int64_t salt = 20, trailer = 1;
    if (!der_read(&params, T_SEQUENCE, &seq) || !der_read(&seq, T_CTXC(0), &h) ||
        !der_read(&h, T_SEQUENCE, &hashai) || !parse_ai(a, hashai, &hash, e) ||
        !der_read_opt(&seq, T_CTXC(1), &m, &hm) || !der_read_opt(&seq, T_CTXC(2), &s, &sm) ||
        !der_read_opt(&seq, T_CTXC(3), &t, &tm))
        return 0;
    if (!hm || !der_read(&m, T_SEQUENCE, &mgfai) || !parse_ai(a, mgfai, &mgf, e))
        return 0;
    mgfparams = mgf.params;
    if (!der_read(&mgfparams, T_SEQUENCE, &mgfai) || !parse_ai(a, mgfai, &mgfhash, e))
        return 0;
    if ((sm && !der_i64(&s, T_INTEGER, &salt)) || (tm && !der_i64(&t, T_INTEGER, &trailer)))
        return 0;
    if (!params_null_or_absent(hash.params) || !params_null_or_absent(mgfhash.params) ||
        !oid_is(mgf.oid, ARCS(1, 2, 840, 113549, 1, 1, 8)) || !oid_eq(mgfhash.oid, hash.oid) ||
        trailer != 1)
        return 0;
    if (oid_is(hash.oid, ARCS(2, 16, 840, 1, 101, 3, 4, 2, 1)) && salt == 32)
        return 13;
    if (oid_is(hash.oid, ARCS(2, 16, 840, 1, 101, 3, 4, 2, 2)) && salt == 48)
        return 14;
    if (oid_is(hash.oid, ARCS(2, 16, 840, 1, 101, 3, 4, 2, 3)) && salt == 64)
        return 15;
    return 0;
}

/* Go's getSignatureAlgorithmFromAI: the x509.SignatureAlgorithm number. */
static int sigalg_from_ai(rp_arena *a, const algid *ai)
{
    static const struct {
        uint32_t arc[9];
        size_t n;
        int alg;
    } tab[] = {
        {{1, 2, 840, 113549, 1, 1, 2}, 7, 1},     {{1, 2, 840, 113549, 1, 1, 4}, 7, 2},
        {{1, 2, 840, 113549, 1, 1, 5}, 7, 3},     {{1, 3, 14, 3, 2, 29}, 6, 3},
        {{1, 2, 840, 113549, 1, 1, 11}, 7, 4},    {{1, 2, 840, 113549, 1, 1, 12}, 7, 5},
        {{1, 2, 840, 113549, 1, 1, 13}, 7, 6},    {{1, 2, 840, 10040, 4, 3}, 6, 7},
        {{2, 16, 840, 1, 101, 3, 4, 3, 2}, 9, 8}, {{1, 2, 840, 10045, 4, 1}, 6, 9},
        {{1, 2, 840, 10045, 4, 3, 2}, 7, 10},     {{1, 2, 840, 10045, 4, 3, 3}, 7, 11},
        {{1, 2, 840, 10045, 4, 3, 4}, 7, 12},     {{1, 3, 101, 112}, 4, 16},
    };
    if (oid_is(ai->oid, ARCS(1, 3, 101, 112)) && ai->params.n)
        return 0;
    if (oid_is(ai->oid, ARCS(1, 2, 840, 113549, 1, 1, 10)))
        return pss_sigalg(a, ai->params);
    for (size_t i = 0; i < RP_ARRAY_LEN(tab); i++)
        if (oid_is(ai->oid, tab[i].arc, tab[i].n))
            return tab[i].alg;
    return 0;
}

static rego_jwk_pkalg pkalg_from_oid(rego_oid o)
{
    if (oid_is(o, ARCS(1, 2, 840, 113549, 1, 1, 1)))
        return REGO_PK_RSA;
    if (oid_is(o, ARCS(1, 2, 840, 10040, 4, 1)))
        return REGO_PK_DSA;
    if (oid_is(o, ARCS(1, 2, 840, 10045, 2, 1)))
        return REGO_PK_ECDSA;
    if (oid_is(o, ARCS(1, 3, 101, 112)))
        return REGO_PK_ED25519;
    return REGO_PK_UNKNOWN;
}

static int curve_from_oid(rego_oid o)
{
    if (oid_is(o, ARCS(1, 3, 132, 0, 33)))
        return NID_secp224r1;
    if (oid_is(o, ARCS(1, 2, 840, 10045, 3, 1, 7)))
        return NID_X9_62_prime256v1;
    if (oid_is(o, ARCS(1, 3, 132, 0, 34)))
        return NID_secp384r1;
    if (oid_is(o, ARCS(1, 3, 132, 0, 35)))
        return NID_secp521r1;
    return NID_undef;
}

/* elliptic.Unmarshal: an uncompressed point on the curve. */
static bool ec_point_ok(int nid, der pt)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    EC_POINT *p = g ? EC_POINT_new(g) : NULL;
    size_t flen = g ? ((size_t)EC_GROUP_get_degree(g) + 7) / 8 : 0;
    bool ok = p && pt.n == 1 + 2 * flen && pt.p[0] == 4 &&
              EC_POINT_oct2point(g, p, pt.p, pt.n, NULL) == 1;
    EC_POINT_free(p);
    EC_GROUP_free(g);
    ERR_clear_error();
    return ok;
}

static bool int_positive(der b)
{
    if (b.p[0] & 0x80)
        return false;
    for (size_t i = 0; i < b.n; i++)
        if (b.p[i])
            return true;
    return false;
}

static der strip_zeros(der b)
{
    while (b.n > 1 && b.p[0] == 0) {
        b.p++;
        b.n--;
    }
    return b;
}

static bool parse_rsa_pub(der data, der params, rego_jwk_pub *pub, char *err)
{
    der seq, n;
    if (!params_null_or_absent(params) || params.n == 0)
        return fail(err, "x509: RSA key missing NULL parameters");
    if (!der_read(&data, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid RSA public key");
    if (!der_int_bytes(&seq, T_INTEGER, &n))
        return fail(err, "x509: invalid RSA modulus");
    if (!der_i64(&seq, T_INTEGER, &pub->e))
        return fail(err, "x509: invalid RSA public exponent");
    if (!int_positive(n))
        return fail(err, "x509: RSA modulus is not a positive number");
    if (pub->e <= 0)
        return fail(err, "x509: RSA public exponent is not a positive number");
    pub->n = strip_zeros(n);
    return true;
}

static bool parse_dsa_pub(der data, der params, rego_jwk_pub *pub, char *err)
{
    der seq;
    if (!der_int_bytes(&data, T_INTEGER, &pub->dsa_y))
        return fail(err, "x509: invalid DSA public key");
    if (!der_read(&params, T_SEQUENCE, &seq) || !der_int_bytes(&seq, T_INTEGER, &pub->p) ||
        !der_int_bytes(&seq, T_INTEGER, &pub->q) || !der_int_bytes(&seq, T_INTEGER, &pub->g))
        return fail(err, "x509: invalid DSA parameters");
    if (!int_positive(pub->dsa_y) || !int_positive(pub->p) || !int_positive(pub->q) ||
        !int_positive(pub->g))
        return fail(err, "x509: zero or negative DSA parameter");
    return true;
}

/* Go's parsePublicKey over an AlgorithmIdentifier and the key bits. */
static bool parse_pubkey(rp_arena *a, const algid *ai, der data, rego_jwk_pub *pub, char *err)
{
    pub->alg = pkalg_from_oid(ai->oid);
    switch (pub->alg) {
    case REGO_PK_RSA: return parse_rsa_pub(data, ai->params, pub, err);
    case REGO_PK_ECDSA: {
        der pp = ai->params;
        rego_oid curve;
        if (!der_oid(a, &pp, &curve))
            return fail(err, "x509: invalid ECDSA parameters");
        pub->curve = curve_from_oid(curve);
        if (pub->curve == NID_undef)
            return fail(err, "x509: unsupported elliptic curve");
        if (!ec_point_ok(pub->curve, data))
            return fail(err, "x509: failed to unmarshal elliptic curve point");
        size_t fl = (data.n - 1) / 2;
        pub->x.p = data.p + 1;
        pub->x.n = fl;
        pub->y.p = data.p + 1 + fl;
        pub->y.n = fl;
        return true;
    }
    case REGO_PK_ED25519:
        if (ai->params.n)
            return fail(err, "x509: Ed25519 key encoded with illegal parameters");
        if (data.n != 32)
            return fail(err, "x509: wrong Ed25519 public key size");
        pub->ed = data;
        return true;
    case REGO_PK_DSA: return parse_dsa_pub(data, ai->params, pub, err);
    case REGO_PK_UNKNOWN: break;
    }
    return fail(err, "x509: unknown public key algorithm");
}

/* Duplicate detection in O(n log n): Go checks each new item against a map;
 * a sorted copy finds the same first repeat without quadratic work on a
 * certificate made of thousands of extensions. */
typedef struct {
    const void *p;
    size_t n, idx;
} dupkey;

static int dupkey_cmp(const void *x, const void *y)
{
    const dupkey *a = x, *b = y;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    int c = a->n ? memcmp(a->p, b->p, a->n) : 0;
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool dupkey_same(const dupkey *a, const dupkey *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* The index at which a scan in input order first meets a key it has seen,
 * or SIZE_MAX.  Sorts k. */
static size_t first_dup(dupkey *k, size_t n)
{
    size_t best = SIZE_MAX;
    if (n < 2)
        return best;
    qsort(k, n, sizeof(*k), dupkey_cmp);
    for (size_t i = 1; i < n; i++)
        if (dupkey_same(&k[i], &k[i - 1]) && (i == 1 || !dupkey_same(&k[i - 1], &k[i - 2])) &&
            k[i].idx < best)
            best = k[i].idx;
    return best;
}

/* ---- certificate extensions (Go's processExtensions) -------------------------- */

static bool ext_key_usage(der v, rego_jwk_cert *c, char *err)
{
    bitstr bs;
    if (!der_bits(&v, &bs))
        return fail(err, "x509: invalid key usage");
    c->key_usage = 0;
    for (size_t i = 0; i < 9; i++)
        if (bits_at(&bs, i))
            c->key_usage |= 1 << i;
    return true;
}

static bool ext_basic_constraints(der v, rego_jwk_cert *c, char *err)
{
    der seq;
    bool ca = false;
    int64_t mpl = -1;
    if (!der_read(&v, T_SEQUENCE, &seq) || (der_peek(seq, T_BOOLEAN) && !der_bool(&seq, &ca)) ||
        (der_peek(seq, T_INTEGER) && !der_uint63(&seq, &mpl)))
        return fail(err, "x509: invalid basic constraints");
    c->is_ca = ca;
    c->max_path_len = mpl;
    c->bc_valid = true;
    c->max_path_len_zero = mpl == 0;
    return true;
}

static bool ia5(der b)
{
    return ascii_only(b);
}

typedef struct {
    vec dns, email, ip, uri_raw, uri;
} san_lists;

static bool san_uri(rp_arena *a, der d, san_lists *s, char *err)
{
    char q[REGO_JWK_ERRLEN / 2], why[REGO_JWK_ERRLEN];
    if (!ia5(d))
        return fail(err, "x509: SAN uniformResourceIdentifier is malformed");
    rego_jwk_url *u = vec_push(a, &s->uri, sizeof(*u));
    if (!u || !list_push(a, &s->uri_raw, d))
        return false;
    go_quote(d.p, d.n, q, sizeof(q));
    if (!url_parse(a, d, u, why))
        return fail(err, "x509: cannot parse URI %s: %s", q, why);
    if (u->host.n && !domain_valid(u->host, false))
        return fail(err, "x509: cannot parse URI %s: invalid domain", q);
    return true;
}

static bool san_ip(rp_arena *a, der d, san_lists *s, char *err)
{
    static const uint8_t v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (d.n == 16 && memcmp(d.p, v4pre, 12) == 0)
        return fail(err, "x509: SAN iPAddress contains IPv4-mapped IPv6 address");
    if (d.n != 4 && d.n != 16)
        return fail(err, "x509: cannot parse IP address of length %zu", d.n);
    return list_push(a, &s->ip, d);
}

/* Go's parseSANExtension (shared by certificates and CSRs). */
static bool parse_san(rp_arena *a, der v, san_lists *s, char *err)
{
    der seq, d;
    unsigned tag;
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid subject alternative names");
    while (seq.n) {
        if (!der_any(&seq, &tag, &d, NULL))
            return fail(err, "x509: invalid subject alternative name");
        switch (tag ^ 0x80) {
        case 1:
            if (!ia5(d))
                return fail(err, "x509: SAN rfc822Name is malformed");
            if (!list_push(a, &s->email, d))
                return false;
            break;
        case 2:
            if (!ia5(d))
                return fail(err, "x509: SAN dNSName is malformed");
            if (!list_push(a, &s->dns, d))
                return false;
            break;
        case 6:
            if (!san_uri(a, d, s, err))
                return false;
            break;
        case 7:
            if (!san_ip(a, d, s, err))
                return false;
            break;
        default: break;
        }
    }
    return true;
}

/* parseRFC2821Mailbox's acceptance test (the local part of a mailbox
 * constraint, then a valid domain). */
static bool mailbox_ok(der s)
{
    size_t i = 0;
    if (s.n && s.p[0] == '"') {
        for (i = 1; i < s.n && s.p[i] != '"'; i++) {
            if (s.p[i] == '\\' && ++i >= s.n)
                return false;
            if (s.p[i] < 0x20 || s.p[i] >= 0x7f)
                return false;
        }
        if (i >= s.n)
            return false;
        i++;
    } else {
        for (; i < s.n; i++) {
            unsigned char c = s.p[i];
            if (c == '\\' && i + 1 < s.n) {
                i++;
                continue;
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  strchr("!#$%&'*+-/=?^_`{|}~.", c)) ||
                !c)
                break;
        }
        if (i == 0 || s.p[0] == '.' || s.p[i - 1] == '.')
            return false;
        for (size_t k = 1; k < i; k++)
            if (s.p[k] == '.' && s.p[k - 1] == '.')
                return false;
    }
    if (i >= s.n || s.p[i] != '@')
        return false;
    der dom = {s.p + i + 1, s.n - i - 1};
    return domain_valid(dom, false);
}

static bool looks_like_ip(der s)
{
    char buf[64];
    unsigned char out[16];
    if (s.n == 0 || s.n >= sizeof(buf))
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = 0;
    return inet_pton(AF_INET, buf, out) == 1 || inet_pton(AF_INET6, buf, out) == 1;
}

static bool ip_mask_ok(der m)
{
    bool zero = false;
    for (size_t i = 0; i < m.n; i++) {
        uint8_t b = m.p[i];
        if (zero) {
            if (b)
                return false;
            continue;
        }
        if (b == 0xff)
            continue;
        if (b != 0 && b != 0x80 && b != 0xc0 && b != 0xe0 && b != 0xf0 && b != 0xf8 && b != 0xfc &&
            b != 0xfe)
            return false;
        zero = true;
    }
    return true;
}

typedef struct {
    vec dns, email, uri, ip;
} nc_lists;

static bool nc_subtree(rp_arena *a, unsigned tag, der value, nc_lists *l, bool *unhandled,
                       char *err)
{
    char q[REGO_JWK_ERRLEN / 2];
    go_quote(value.p, value.n, q, sizeof(q));
    switch (tag) {
    case T_CTX(2):
        if (!ia5(value))
            return fail(
                err, "x509: invalid constraint value: x509: %s cannot be encoded as an IA5String",
                q);
        if (!domain_valid(value, true))
            return fail(err, "x509: failed to parse dnsName constraint %s", q);
        return list_push(a, &l->dns, value);
    case T_CTX(7): {
        if (value.n != 8 && value.n != 32)
            return fail(err, "x509: IP constraint contained value of length %zu", value.n);
        rego_jwk_ipnet *net = vec_push(a, &l->ip, sizeof(*net));
        if (!net)
            return false;
        net->ip.p = value.p;
        net->ip.n = value.n / 2;
        net->mask.p = value.p + value.n / 2;
        net->mask.n = value.n / 2;
        if (!ip_mask_ok(net->mask)) {
            char hx[80] = "";
            for (size_t i = 0; i < net->mask.n; i++)
                snprintf(hx + 2 * i, sizeof(hx) - 2 * i, "%02x", net->mask.p[i]);
            return fail(err, "x509: IP constraint contained invalid mask %s", hx);
        }
        static const uint8_t v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (net->ip.n == 16 && memcmp(net->ip.p, v4pre, 12) == 0)
            return fail(err, "x509: IP constraint contained IPv4-mapped IPv6 address");
        return true;
    }
    case T_CTX(1):
        if (!ia5(value))
            return fail(
                err, "x509: invalid constraint value: x509: %s cannot be encoded as an IA5String",
                q);
        if (memchr(value.p, '@', value.n) ? !mailbox_ok(value) : !domain_valid(value, true))
            return fail(err, "x509: failed to parse rfc822Name constraint %s", q);
        return list_push(a, &l->email, value);
    case T_CTX(6):
        if (!ia5(value))
            return fail(
                err, "x509: invalid constraint value: x509: %s cannot be encoded as an IA5String",
                q);
        if (looks_like_ip(value))
            return fail(err, "x509: failed to parse URI constraint %s: cannot be IP address", q);
        if (!domain_valid(value, true))
            return fail(err, "x509: failed to parse URI constraint %s", q);
        return list_push(a, &l->uri, value);
    default: *unhandled = true; return true;
    }
}

static bool nc_subtrees(rp_arena *a, der subtrees, nc_lists *l, bool *unhandled, char *err)
{
    while (subtrees.n) {
        der seq, value;
        unsigned tag;
        if (!der_read(&subtrees, T_SEQUENCE, &seq) || !der_any(&seq, &tag, &value, NULL))
            return fail(err, "x509: invalid NameConstraints extension");
        if (!nc_subtree(a, tag, value, l, unhandled, err))
            return false;
    }
    return true;
}

static void nc_store(rego_jwk_cert *c, int which, const nc_lists *l)
{
    c->nc_dns[which] = list_of(l->dns);
    c->nc_email[which] = list_of(l->email);
    c->nc_uri[which] = list_of(l->uri);
    c->nc_ip[which].v = l->ip.v;
    c->nc_ip[which].n = l->ip.n;
}

static bool ext_name_constraints(rp_arena *a, const rego_jwk_ext *e, rego_jwk_cert *c,
                                 bool *unhandled, char *err)
{
    der outer = e->value, top, perm = {0}, excl = {0};
    bool hp = false, he = false;
    if (!der_read(&outer, T_SEQUENCE, &top) || outer.n ||
        !der_read_opt(&top, T_CTXC(0), &perm, &hp) || !der_read_opt(&top, T_CTXC(1), &excl, &he) ||
        top.n)
        return fail(err, "x509: invalid NameConstraints extension");
    if (!hp && !he)
        return fail(err, "x509: empty name constraints extension");
    if ((hp && !perm.n) || (he && !excl.n))
        return fail(err, "x509: empty name constraints subtree sequence");
    nc_lists p = {0}, x = {0};
    if (!nc_subtrees(a, perm, &p, unhandled, err) || !nc_subtrees(a, excl, &x, unhandled, err))
        return false;
    nc_store(c, 0, &p);
    nc_store(c, 1, &x);
    c->nc_critical = e->critical;
    return true;
}

static bool ext_crl_dps(rp_arena *a, der v, rego_jwk_cert *c, char *err)
{
    der seq, dp, name, uri;
    bool present;
    vec l = {0};
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid CRL distribution points");
    while (seq.n) {
        if (!der_read(&seq, T_SEQUENCE, &dp) || !der_read_opt(&dp, T_CTXC(0), &name, &present))
            return fail(err, "x509: invalid CRL distribution point");
        if (!present)
            continue;
        if (!der_read(&name, T_CTXC(0), &name))
            return fail(err, "x509: invalid CRL distribution point");
        while (name.n && der_peek(name, T_CTX(6))) {
            if (!der_read(&name, T_CTX(6), &uri))
                return fail(err, "x509: invalid CRL distribution point");
            if (!list_push(a, &l, uri))
                return false;
        }
    }
    c->crldp = list_of(l);
    return true;
}

static bool ext_akid(const rego_jwk_ext *e, rego_jwk_cert *c, char *err)
{
    der v = e->value, akid;
    if (e->critical)
        return fail(err, "x509: authority key identifier incorrectly marked critical");
    if (!der_read(&v, T_SEQUENCE, &akid))
        return fail(err, "x509: invalid authority key identifier");
    if (der_peek(akid, T_CTX(0))) {
        if (!der_read(&akid, T_CTX(0), &c->akid))
            return fail(err, "x509: invalid authority key identifier");
        c->has_akid = true;
    }
    return true;
}

static bool ext_policy_constraints(der v, rego_jwk_cert *c, char *err)
{
    der seq;
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid policy constraints extension");
    if (der_peek(seq, T_CTX(0))) {
        if (!der_i64(&seq, T_CTX(0), &c->require_explicit))
            return fail(err, "x509: invalid policy constraints extension");
        c->require_explicit_zero = c->require_explicit == 0;
    }
    if (der_peek(seq, T_CTX(1))) {
        if (!der_i64(&seq, T_CTX(1), &c->inhibit_mapping))
            return fail(err, "x509: invalid policy constraints extension");
        c->inhibit_mapping_zero = c->inhibit_mapping == 0;
    }
    return true;
}

static bool ext_eku(rp_arena *a, der v, rego_jwk_cert *c, char *err)
{
    static const struct {
        uint32_t arc[10];
        size_t n;
    } known[] = {
        {{2, 5, 29, 37, 0}, 5},
        {{1, 3, 6, 1, 5, 5, 7, 3, 1}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 2}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 3}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 4}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 5}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 6}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 7}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 8}, 9},
        {{1, 3, 6, 1, 5, 5, 7, 3, 9}, 9},
        {{1, 3, 6, 1, 4, 1, 311, 10, 3, 3}, 10},
        {{2, 16, 840, 1, 113730, 4, 1}, 7},
        {{1, 3, 6, 1, 4, 1, 311, 2, 1, 22}, 10},
        {{1, 3, 6, 1, 4, 1, 311, 61, 1, 1}, 10},
    };
    der seq;
    vec ku = {0}, unk = {0};
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid extended key usages");
    while (seq.n) {
        rego_oid o;
        if (!der_oid(a, &seq, &o))
            return fail(err, "x509: invalid extended key usages");
        size_t k = 0;
        while (k < RP_ARRAY_LEN(known) && !oid_is(o, known[k].arc, known[k].n))
            k++;
        if (k < RP_ARRAY_LEN(known)) {
            int *slot = vec_push(a, &ku, sizeof(int));
            if (!slot)
                return false;
            *slot = (int)k;
        } else {
            rego_oid *slot = vec_push(a, &unk, sizeof(rego_oid));
            if (!slot)
                return false;
            *slot = o;
        }
    }
    c->eku = ku.v;
    c->neku = ku.n;
    c->unknown_eku = unk.v;
    c->nunknown_eku = unk.n;
    return true;
}

/* Go's newOIDFromDER acceptance. */
static bool oid_der_ok(der b)
{
    if (b.n == 0 || (b.p[b.n - 1] & 0x80))
        return false;
    size_t start = 0;
    for (size_t i = 0; i < b.n; i++) {
        if (i == start && b.p[i] == 0x80)
            return false;
        if (!(b.p[i] & 0x80))
            start = i + 1;
    }
    return true;
}

static bool ext_policies(rp_arena *a, der v, rego_jwk_cert *c, char *err)
{
    der seq, cp, oidb;
    vec pol = {0}, ids = {0};
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid certificate policies");
    while (seq.n) {
        if (!der_read(&seq, T_SEQUENCE, &cp) || !der_read(&cp, T_OID, &oidb))
            return fail(err, "x509: invalid certificate policies");
        if (!oid_der_ok(oidb))
            return fail(err, "x509: invalid certificate policies");
        if (!list_push(a, &pol, oidb))
            return false;
        rego_oid o;
        if (oid_decode(a, oidb, &o)) { /* policy ids whose arcs fit an int */
            rego_oid *slot = vec_push(a, &ids, sizeof(rego_oid));
            if (!slot)
                return false;
            *slot = o;
        }
    }
    dupkey *keys = rp_arena_array(a, pol.n ? pol.n : 1, sizeof(dupkey));
    if (!keys)
        return false;
    for (size_t i = 0; i < pol.n; i++) {
        keys[i].p = ((der *)pol.v)[i].p;
        keys[i].n = ((der *)pol.v)[i].n;
        keys[i].idx = i;
    }
    if (first_dup(keys, pol.n) != SIZE_MAX)
        return fail(err, "x509: invalid certificate policies");
    c->policies = list_of(pol);
    c->has_policy_ids = true;
    c->policy_ids = ids.v;
    c->npolicy_ids = ids.n;
    return true;
}

static bool ext_policy_mappings(rp_arena *a, der v, rego_jwk_cert *c, char *err)
{
    der seq, m, iss, sub;
    vec vi = {0}, vs = {0};
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid policy mappings extension");
    while (seq.n) {
        if (!der_read(&seq, T_SEQUENCE, &m) || !der_read(&m, T_OID, &iss) ||
            !der_read(&m, T_OID, &sub))
            return fail(err, "x509: invalid policy mappings extension");
        if (!list_push(a, &vi, iss) || !list_push(a, &vs, sub))
            return false;
    }
    c->pm_issuer = list_of(vi);
    c->pm_subject = list_of(vs);
    return true;
}

static bool ext_aia(rp_arena *a, const rego_jwk_ext *e, rego_jwk_cert *c, char *err)
{
    der v = e->value, seq, ad, loc;
    vec ocsp = {0}, iss = {0};
    if (e->critical)
        return fail(err, "x509: authority info access incorrectly marked critical");
    if (!der_read(&v, T_SEQUENCE, &seq))
        return fail(err, "x509: invalid authority info access");
    while (seq.n) {
        rego_oid method;
        if (!der_read(&seq, T_SEQUENCE, &ad) || !der_oid(a, &ad, &method))
            return fail(err, "x509: invalid authority info access");
        if (!der_peek(ad, T_CTX(6)))
            continue;
        if (!der_read(&ad, T_CTX(6), &loc))
            return fail(err, "x509: invalid authority info access");
        if (oid_is(method, ARCS(1, 3, 6, 1, 5, 5, 7, 48, 1)) && !list_push(a, &ocsp, loc))
            return false;
        if (oid_is(method, ARCS(1, 3, 6, 1, 5, 5, 7, 48, 2)) && !list_push(a, &iss, loc))
            return false;
    }
    c->ocsp = list_of(ocsp);
    c->issuing = list_of(iss);
    return true;
}

static bool ext_skid(const rego_jwk_ext *e, rego_jwk_cert *c, char *err)
{
    der v = e->value;
    if (e->critical)
        return fail(err, "x509: subject key identifier incorrectly marked critical");
    if (!der_read(&v, T_OCTETSTRING, &c->skid))
        return fail(err, "x509: invalid subject key identifier");
    c->has_skid = true;
    return true;
}

/* One extension under 2.5.29; *unhandled tells whether Go recorded it. */
static bool ext_pkix(rp_arena *a, const rego_jwk_ext *e, rego_jwk_cert *c, bool *unhandled,
                     char *err)
{
    switch (e->id.arc[3]) {
    case 15: return ext_key_usage(e->value, c, err);
    case 19: return ext_basic_constraints(e->value, c, err);
    case 17: {
        san_lists s = {{0}, {0}, {0}, {0}, {0}};
        if (!parse_san(a, e->value, &s, err))
            return false;
        c->dns = list_of(s.dns);
        c->email = list_of(s.email);
        c->ip = list_of(s.ip);
        c->uri_raw = list_of(s.uri_raw);
        c->uri = s.uri.v;
        *unhandled = !s.dns.n && !s.email.n && !s.ip.n && !s.uri.n;
        return true;
    }
    case 30: return ext_name_constraints(a, e, c, unhandled, err);
    case 31: return ext_crl_dps(a, e->value, c, err);
    case 35: return ext_akid(e, c, err);
    case 36: return ext_policy_constraints(e->value, c, err);
    case 37: return ext_eku(a, e->value, c, err);
    case 14: return ext_skid(e, c, err);
    case 32: return ext_policies(a, e->value, c, err);
    case 33: return ext_policy_mappings(a, e->value, c, err);
    case 54: {
        der v = e->value;
        if (!der_i64(&v, T_INTEGER, &c->inhibit_any))
            return fail(err, "x509: invalid inhibit any policy extension");
        c->inhibit_any_zero = c->inhibit_any == 0;
        return true;
    }
    default: *unhandled = true; return true;
    }
}

static bool process_extensions(rp_arena *a, rego_jwk_cert *c, char *err)
{
    vec unh = {0};
    for (size_t i = 0; i < c->nexts; i++) {
        const rego_jwk_ext *e = &c->exts[i];
        bool unhandled = false;
        if (e->id.n == 4 && e->id.arc[0] == 2 && e->id.arc[1] == 5 && e->id.arc[2] == 29) {
            if (!ext_pkix(a, e, c, &unhandled, err))
                return false;
        } else if (oid_is(e->id, ARCS(1, 3, 6, 1, 5, 5, 7, 1, 1))) {
            if (!ext_aia(a, e, c, err))
                return false;
        } else {
            unhandled = true;
        }
        if (e->critical && unhandled) {
            rego_oid *slot = vec_push(a, &unh, sizeof(rego_oid));
            if (!slot)
                return false;
            *slot = e->id;
        }
    }
    c->unhandled = unh.v;
    c->nunhandled = unh.n;
    return true;
}

static bool parse_extension(rp_arena *a, der body, rego_jwk_ext *e, char *err)
{
    e->critical = false;
    if (!der_oid(a, &body, &e->id))
        return fail(err, "x509: malformed extension OID field");
    if (der_peek(body, T_BOOLEAN) && !der_bool(&body, &e->critical))
        return fail(err, "x509: malformed extension critical field");
    if (!der_read(&body, T_OCTETSTRING, &e->value))
        return fail(err, "x509: malformed extension value field");
    return true;
}

static bool parse_extensions(rp_arena *a, der exts, rego_jwk_cert *c, char *err)
{
    der seq, one;
    vec v = {0};
    if (!der_read(&exts, T_SEQUENCE, &seq))
        return fail(err, "x509: malformed extensions");
    while (seq.n) {
        rego_jwk_ext *e = vec_push(a, &v, sizeof(*e));
        if (!e)
            return false;
        if (!der_read(&seq, T_SEQUENCE, &one))
            return fail(err, "x509: malformed extension");
        if (!parse_extension(a, one, e, err))
            return false;
    }
    c->exts = v.v;
    c->nexts = v.n;
    dupkey *keys = rp_arena_array(a, v.n ? v.n : 1, sizeof(dupkey));
    if (!keys)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        keys[i].p = c->exts[i].id.arc;
        keys[i].n = c->exts[i].id.n * sizeof(uint32_t);
        keys[i].idx = i;
    }
    size_t d = first_dup(keys, v.n);
    if (d != SIZE_MAX) {
        char t[96];
        oid_text(c->exts[d].id, t, sizeof(t));
        return fail(err, "x509: certificate contains duplicate extension with OID \"%s\"", t);
    }
    return process_extensions(a, c, err);
}

/* ---- certificates (Go's parseCertificate) ------------------------------------- */

static bool cert_version(der *tbs, int *version, char *err)
{
    int64_t v = 0;
    if (der_peek(*tbs, T_CTXC(0))) {
        der inner;
        if (!der_read(tbs, T_CTXC(0), &inner) || !der_i64(&inner, T_INTEGER, &v) || inner.n)
            return fail(err, "x509: malformed version");
    }
    if (v < 0 || v > 3)
        return fail(err, "x509: malformed version");
    if (++v > 3)
        return fail(err, "x509: invalid version");
    *version = (int)v;
    return true;
}

static bool cert_sigalg(rp_arena *a, der *tbs, der *body, rego_jwk_cert *c, char *err)
{
    der inner, outer;
    algid ai;
    if (!der_read(tbs, T_SEQUENCE, &inner))
        return fail(err, "x509: malformed signature algorithm identifier");
    if (!der_read(body, T_SEQUENCE, &outer))
        return fail(err, "x509: malformed algorithm identifier");
    if (outer.n != inner.n || memcmp(outer.p, inner.p, inner.n) != 0)
        return fail(err, "x509: inner and outer signature algorithm identifiers don't match");
    if (!parse_ai(a, inner, &ai, err))
        return false;
    c->sigalg = sigalg_from_ai(a, &ai);
    return true;
}

static bool cert_spki(rp_arena *a, der *tbs, rego_jwk_pub *pub, der *raw, char *err)
{
    der spki, aiseq;
    algid ai;
    bitstr bits;
    if (!der_elem(tbs, T_SEQUENCE, raw))
        return fail(err, "x509: malformed spki");
    spki = *raw;
    if (!der_read(&spki, T_SEQUENCE, &spki))
        return fail(err, "x509: malformed spki");
    if (!der_read(&spki, T_SEQUENCE, &aiseq))
        return fail(err, "x509: malformed public key algorithm identifier");
    if (!parse_ai(a, aiseq, &ai, err))
        return false;
    pub->spki = *raw;
    pub->alg = pkalg_from_oid(ai.oid);
    if (!der_bits(&spki, &bits))
        return fail(err, "x509: malformed subjectPublicKey");
    if (pub->alg == REGO_PK_UNKNOWN)
        return true;
    der data = bits_right_align(a, &bits);
    return (data.p || !bits.bytes.n) && parse_pubkey(a, &ai, data, pub, err);
}

static bool cert_names_validity(rp_arena *a, der *tbs, rego_jwk_cert *c, char *err)
{
    der validity;
    if (!der_elem(tbs, T_SEQUENCE, &c->raw_issuer))
        return fail(err, "x509: malformed issuer");
    if (!parse_name(a, c->raw_issuer, &c->issuer, false, err))
        return false;
    if (!der_read(tbs, T_SEQUENCE, &validity))
        return fail(err, "x509: malformed validity");
    if (!der_time(&validity, &c->not_before, err) || !der_time(&validity, &c->not_after, err))
        return false;
    if (!der_elem(tbs, T_SEQUENCE, &c->raw_subject))
        return fail(err, "x509: malformed issuer"); /* sic: Go's text */
    return parse_name(a, c->raw_subject, &c->subject, false, err);
}

static bool cert_tail(rp_arena *a, der *tbs, rego_jwk_cert *c, char *err)
{
    der skip, exts;
    bool present;
    if (c->version < 2)
        return true;
    if (der_peek(*tbs, T_CTX(1)) && !der_read(tbs, T_CTX(1), &skip))
        return fail(err, "x509: malformed issuerUniqueID");
    if (der_peek(*tbs, T_CTX(2)) && !der_read(tbs, T_CTX(2), &skip))
        return fail(err, "x509: malformed subjectUniqueID");
    if (c->version != 3)
        return true;
    if (!der_read_opt(tbs, T_CTXC(3), &exts, &present))
        return fail(err, "x509: malformed extensions");
    return !present || parse_extensions(a, exts, c, err);
}

/* Parses the certificate at the start of *in and advances past it. */
static bool parse_cert(rp_arena *a, der *in, rego_jwk_cert *c, char *err)
{
    der body, tbs;
    bitstr sig;
    memset(c, 0, sizeof(*c));
    if (!der_elem(in, T_SEQUENCE, &c->raw))
        return fail(err, "x509: malformed certificate");
    body = c->raw;
    if (!der_read(&body, T_SEQUENCE, &body))
        return fail(err, "x509: malformed certificate");
    if (!der_elem(&body, T_SEQUENCE, &c->raw_tbs))
        return fail(err, "x509: malformed tbs certificate");
    tbs = c->raw_tbs;
    if (!der_read(&tbs, T_SEQUENCE, &tbs))
        return fail(err, "x509: malformed tbs certificate");
    if (!cert_version(&tbs, &c->version, err))
        return false;
    if (!der_int_bytes(&tbs, T_INTEGER, &c->serial))
        return fail(err, "x509: malformed serial number");
    if (c->serial.p[0] & 0x80)
        return fail(err, "x509: negative serial number");
    if (!cert_sigalg(a, &tbs, &body, c, err) || !cert_names_validity(a, &tbs, c, err) ||
        !cert_spki(a, &tbs, &c->pub, &c->raw_spki, err) || !cert_tail(a, &tbs, c, err))
        return false;
    if (!der_bits(&body, &sig))
        return fail(err, "x509: malformed signature");
    c->signature = bits_right_align(a, &sig);
    return !rp_arena_failed(a);
}

bool rego_jwk_parse_certs(rp_arena *a, const uint8_t *p, size_t n, rego_jwk_cert **certs,
                          size_t *ncerts, char *err)
{
    der in = {p, n};
    vec v = {0};
    while (in.n) {
        if (v.n == REGO_CRYPTO_MAX_CERTS)
            return fail(err, "x509: more than %d certificates", REGO_CRYPTO_MAX_CERTS);
        rego_jwk_cert *c = vec_push(a, &v, sizeof(*c));
        if (!c || !parse_cert(a, &in, c, err))
            return false;
    }
    *certs = v.v;
    *ncerts = v.n;
    return true;
}

bool rego_jwk_parse_cert(rp_arena *a, const uint8_t *p, size_t n, rego_jwk_cert *cert, char *err)
{
    der in = {p, n};
    if (!parse_cert(a, &in, cert, err))
        return false;
    if (in.n)
        return fail(err, "x509: trailing data");
    return true;
}

/* ---- encoding/asn1 (CSRs and PKIX keys are read with it) ---------------------- */

typedef struct {
    unsigned cls, tag;
    bool compound;
    size_t len, hdr;
} asn1_tl;

/* encoding/asn1's parseTagAndLength, for its messages. */
static bool asn1_read_tl(der in, asn1_tl *t, char *err)
{
    size_t off = 0;
    if (in.n == 0)
        return fail(err, "asn1: syntax error: truncated tag or length");
    uint8_t b = in.p[off++];
    t->cls = b >> 6;
    t->compound = (b & 0x20) != 0;
    t->tag = b & 0x1f;
    if (t->tag == 0x1f) {
        unsigned v = 0;
        for (int i = 0;; i++) {
            if (off >= in.n)
                return fail(err, "asn1: syntax error: truncated tag or length");
            if (i == 4)
                return fail(err, "asn1: structure error: base 128 integer too large");
            b = in.p[off++];
            if (i == 0 && b == 0x80)
                return fail(err, "asn1: syntax error: integer is not minimally encoded");
            v = v << 7 | (b & 0x7f);
            if (!(b & 0x80))
                break;
        }
        if (v < 0x1f)
            return fail(err, "asn1: syntax error: non-minimal tag");
        t->tag = v;
    }
    if (off >= in.n)
        return fail(err, "asn1: syntax error: truncated tag or length");
    b = in.p[off++];
    if (!(b & 0x80)) {
        t->len = b;
    } else {
        unsigned num = b & 0x7f;
        if (num == 0)
            return fail(err, "asn1: syntax error: indefinite length found (not DER)");
        size_t len = 0;
        for (unsigned i = 0; i < num; i++) {
            if (off >= in.n)
                return fail(err, "asn1: syntax error: truncated tag or length");
            if (len >= (1u << 23))
                return fail(err, "asn1: structure error: length too large");
            len = len << 8 | in.p[off++];
            if (len == 0)
                return fail(err, "asn1: structure error: superfluous leading zeros in length");
        }
        if (len < 0x80)
            return fail(err, "asn1: structure error: non-minimal length");
        t->len = len;
    }
    t->hdr = off;
    return true;
}

/* One field of an encoding/asn1 struct: the element at *in must carry the
 * identifier byte want (any when want is 0).  base is where the enclosing
 * bytes start (for the "@offset" Go prints). */
static bool asn1_field(der *in, const uint8_t *base, unsigned want, const char *type, der *body,
                       der *elem, char *err)
{
    asn1_tl t = {0, 0, false, 0, 0};
    if (in->n == 0)
        return fail(err, "asn1: syntax error: sequence truncated");
    if (!asn1_read_tl(*in, &t, err))
        return false;
    if (want && (t.cls != want >> 6 || t.tag != (want & 0x1f) || t.compound != !!(want & 0x20)))
        return fail(err,
                    "asn1: structure error: tags don't match (%u vs {class:%u tag:%u length:%zu "
                    "isCompound:%s}) {optional:false explicit:false application:false "
                    "private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false "
                    "omitEmpty:false} %s @%zu",
                    want & 0x1f, t.cls, t.tag, t.len, t.compound ? "true" : "false", type,
                    (size_t)(in->p - base) + t.hdr);
    if (t.len > in->n - t.hdr)
        return fail(err, "asn1: syntax error: data truncated");
    der b = {in->p + t.hdr, t.len}, e = {in->p, t.hdr + t.len};
    in->p += t.hdr + t.len;
    in->n -= t.hdr + t.len;
    if (body)
        *body = b;
    if (elem)
        *elem = e;
    return true;
}

static bool asn1_int64(der b, int64_t *v, char *err)
{
    if (b.n == 0)
        return fail(err, "asn1: syntax error: empty integer");
    if (!der_int_ok(b))
        return fail(err, "asn1: structure error: integer not minimally-encoded");
    if (b.n > 8)
        return fail(err, "asn1: structure error: integer too large");
    int64_t x = (b.p[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < b.n; i++)
        x = (int64_t)((uint64_t)x << 8 | b.p[i]);
    *v = x;
    return true;
}

static bool asn1_bits(der b, bitstr *bs, char *err)
{
    if (b.n == 0)
        return fail(err, "asn1: syntax error: zero length BIT STRING");
    unsigned pad = b.p[0];
    if (pad > 7 || (b.n == 1 && pad > 0) || (b.p[b.n - 1] & ((1u << pad) - 1)) != 0)
        return fail(err, "asn1: syntax error: invalid padding bits in BIT STRING");
    bs->bytes.p = b.p + 1;
    bs->bytes.n = b.n - 1;
    bs->bitlen = (b.n - 1) * 8 - pad;
    return true;
}

static rego_value obj2(rp_arena *a, const char *k1, rego_value v1, const char *k2, rego_value v2)
{
    rego_value o;
    rego_objent *e = rego_object_alloc(a, 2, &o);
    if (!e)
        return rego_undef();
    e[0].key = lit(k1);
    e[0].val = v1;
    e[1].key = lit(k2);
    e[1].val = v2;
    return rego_object_seal(a, o);
}

static rego_value b64_value(rp_arena *a, const uint8_t *p, size_t n)
{
    size_t len;
    char *s = rego_jwk_b64_encode(a, REGO_B64_STD, p, n, &len);
    return s ? rego_str_borrow(s, len) : rego_undef();
}

static bool asn1_any_value(rp_arena *a, unsigned tag, der b, rego_value *out, char *err)
{
    char why[REGO_JWK_ERRLEN];
    int64_t i;
    bitstr bs;
    rego_oid o;
    rego_jwk_time t;
    *out = rego_null();
    switch (tag) {
    case T_PRINTABLE:
    case T_UTF8:
    case T_IA5:
    case T_NUMERIC:
    case T_BMP:
        if (!asn1_string(a, tag, b, out, why))
            return fail(err, "asn1: syntax error: %s", why);
        return true;
    case T_T61: /* encoding/asn1 keeps the bytes as they are */
        *out = go_str(a, b.p, b.n);
        return true;
    case T_INTEGER:
        if (!asn1_int64(b, &i, err))
            return false;
        *out = rego_int(i);
        return true;
    case T_BITSTRING:
        if (!asn1_bits(b, &bs, err))
            return false;
        *out = obj2(a, "BitLength", rego_int((int64_t)bs.bitlen), "Bytes",
                    b64_value(a, bs.bytes.p, bs.bytes.n));
        return true;
    case T_OID:
        if (!oid_decode(a, b, &o))
            return fail(err, "asn1: syntax error: invalid object identifier");
        *out = rego_jwk_oid_value(a, o);
        return true;
    case T_UTCTIME:
    case T_GENTIME: {
        uint8_t hdr[2] = {(uint8_t)tag, (uint8_t)b.n};
        uint8_t buf[64];
        der one = {buf, b.n + 2};
        if (b.n > sizeof(buf) - 2)
            return fail(err, "asn1: syntax error: invalid time");
        memcpy(buf, hdr, 2);
        memcpy(buf + 2, b.p, b.n);
        if (!der_time(&one, &t, why))
            return fail(err, "asn1: syntax error: invalid time");
        *out = rego_jwk_time_value(a, t);
        return true;
    }
    case T_OCTETSTRING: *out = b64_value(a, b.p, b.n); return true;
    default: return true;
    }
}

/* ---- CSRs (x509.ParseCertificateRequest) ---------------------------------------- */

static bool asn1_algid(rp_arena *a, der *in, const uint8_t *base, algid *ai, char *err)
{
    der body, oidb;
    if (!asn1_field(in, base, T_SEQUENCE, "AlgorithmIdentifier", &body, NULL, err))
        return false;
    const uint8_t *bb = body.p;
    if (!asn1_field(&body, bb, T_OID, "ObjectIdentifier", &oidb, NULL, err))
        return false;
    if (!oid_decode(a, oidb, &ai->oid))
        return fail(err, "asn1: syntax error: invalid object identifier");
    ai->params.p = NULL;
    ai->params.n = 0;
    return body.n == 0 || asn1_field(&body, bb, 0, "RawValue", NULL, &ai->params, err);
}

typedef struct {
    der subject, attrs;
    algid pkai;
    bitstr pkbits;
} csr_raw;

static bool csr_tbs(rp_arena *a, der tbs, rego_jwk_csr *csr, csr_raw *r, char *err)
{
    der vb, pki;
    int64_t version;
    const uint8_t *ts = tbs.p;
    if (!asn1_field(&tbs, ts, T_INTEGER, "int", &vb, NULL, err) || !asn1_int64(vb, &version, err))
        return false;
    csr->version = (int)version;
    if (!asn1_field(&tbs, ts, 0, "RawValue", NULL, &r->subject, err))
        return false;
    csr->raw_subject = r->subject;
    if (!asn1_field(&tbs, ts, T_SEQUENCE, "publicKeyInfo", &pki, &csr->raw_spki, err))
        return false;
    const uint8_t *ps = pki.p;
    der bits;
    if (!asn1_algid(a, &pki, ps, &r->pkai, err) ||
        !asn1_field(&pki, ps, T_BITSTRING, "BitString", &bits, NULL, err) ||
        !asn1_bits(bits, &r->pkbits, err))
        return false;
    return asn1_field(&tbs, ts, T_CTXC(0), "", &r->attrs, NULL, err);
}

/* One attribute as Go's deprecated CertificateRequest.Attributes holds it,
 * or UNDEF when it does not have that shape (Go skips it). */
static rego_value csr_attribute(rp_arena *a, der full)
{
    der seq, typ, set, inner, atvb, atoid;
    char e[REGO_JWK_ERRLEN];
    rego_oid t;
    unsigned tag;
    if (!der_read(&full, T_SEQUENCE, &seq) || full.n || !der_read(&seq, T_OID, &typ) ||
        !oid_decode(a, typ, &t) || !der_read(&seq, T_SET, &set))
        return rego_undef();
    vec outer = {0};
    while (set.n) {
        vec row = {0};
        if (!der_read(&set, T_SEQUENCE, &inner))
            return rego_undef();
        while (inner.n) {
            rego_oid ao;
            rego_value val;
            der vb;
            if (!der_read(&inner, T_SEQUENCE, &atvb) || !der_read(&atvb, T_OID, &atoid) ||
                !oid_decode(a, atoid, &ao) || !der_any(&atvb, &tag, &vb, NULL) ||
                !asn1_any_value(a, tag, vb, &val, e))
                return rego_undef();
            rego_value *slot = vec_push(a, &row, sizeof(rego_value));
            if (!slot)
                return rego_undef();
            *slot = obj2(a, "Type", rego_jwk_oid_value(a, ao), "Value", val);
        }
        rego_value *slot = vec_push(a, &outer, sizeof(rego_value));
        if (!slot)
            return rego_undef();
        *slot = rego_array_borrow(row.v, row.n);
    }
    return obj2(a, "Type", rego_jwk_oid_value(a, t), "Value", rego_array_borrow(outer.v, outer.n));
}

static rego_value csr_attributes(rp_arena *a, der attrs)
{
    vec v = {0};
    der el;
    while (attrs.n && der_any(&attrs, NULL, NULL, &el)) {
        rego_value x = csr_attribute(a, el);
        if (x.kind == REGO_UNDEF)
            continue;
        rego_value *slot = vec_push(a, &v, sizeof(rego_value));
        if (!slot)
            return rego_undef();
        *slot = x;
    }
    return v.n ? rego_array_borrow(v.v, v.n) : rego_null();
}

/* The extensions of an extensionRequest attribute (parseCSRExtensions). */
static bool csr_ext_request(rp_arena *a, der values, vec *exts, char *err)
{
    der list, one;
    const uint8_t *b = values.p;
    if (!asn1_field(&values, b, T_SEQUENCE, "", &list, NULL, err))
        return false;
    while (list.n) {
        const uint8_t *lb = list.p;
        if (!asn1_field(&list, lb, T_SEQUENCE, "Extension", &one, NULL, err))
            return false;
        rego_jwk_ext *e = vec_push(a, exts, sizeof(*e));
        if (!e)
            return false;
        char why[REGO_JWK_ERRLEN];
        if (!parse_extension(a, one, e, why))
            return fail(err, "asn1: structure error: invalid extension in the extension request");
    }
    return true;
}

static bool csr_extensions(rp_arena *a, der attrs, rego_jwk_csr *csr, char *err)
{
    vec exts = {0};
    der el, seq, id, set;
    while (attrs.n && der_any(&attrs, NULL, NULL, &el)) {
        rego_oid o;
        if (!der_read(&el, T_SEQUENCE, &seq) || el.n || !der_read(&seq, T_OID, &id) ||
            !oid_decode(a, id, &o) || !der_read(&seq, T_SET, &set) || set.n == 0)
            continue;
        if (!oid_is(o, ARCS(1, 2, 840, 113549, 1, 9, 14)))
            continue;
        der first;
        if (!der_any(&set, NULL, NULL, &first) || !csr_ext_request(a, first, &exts, err))
            return false;
    }
    csr->exts = exts.v;
    csr->nexts = exts.n;
    dupkey *keys = rp_arena_array(a, exts.n ? exts.n : 1, sizeof(dupkey));
    if (!keys)
        return false;
    for (size_t i = 0; i < exts.n; i++) {
        keys[i].p = csr->exts[i].id.arc;
        keys[i].n = csr->exts[i].id.n * sizeof(uint32_t);
        keys[i].idx = i;
    }
    if (first_dup(keys, exts.n) != SIZE_MAX)
        return fail(err, "x509: certificate request contains duplicate requested extensions");
    for (size_t i = 0; i < exts.n; i++) {
        if (!oid_is(csr->exts[i].id, ARCS(2, 5, 29, 17)))
            continue;
        san_lists s = {{0}, {0}, {0}, {0}, {0}};
        if (!parse_san(a, csr->exts[i].value, &s, err))
            return false;
        csr->dns = list_of(s.dns);
        csr->email = list_of(s.email);
        csr->ip = list_of(s.ip);
        csr->uri_raw = list_of(s.uri_raw);
        csr->uri = s.uri.v;
    }
    return true;
}

bool rego_jwk_parse_csr(rp_arena *a, const uint8_t *p, size_t n, rego_jwk_csr *csr, char *err)
{
    der in = {p, n}, body, tbs, sigb;
    csr_raw r;
    algid sigai;
    bitstr sig;
    memset(csr, 0, sizeof(*csr));
    memset(&r, 0, sizeof(r));
    if (!asn1_field(&in, p, T_SEQUENCE, "certificateRequest", &body, &csr->raw, err))
        return false;
    if (in.n)
        return fail(err, "asn1: syntax error: trailing data");
    const uint8_t *bs = body.p;
    if (!asn1_field(&body, bs, T_SEQUENCE, "tbsCertificateRequest", &tbs, &csr->raw_tbs, err) ||
        !csr_tbs(a, tbs, csr, &r, err) || !asn1_algid(a, &body, bs, &sigai, err) ||
        !asn1_field(&body, bs, T_BITSTRING, "BitString", &sigb, NULL, err) ||
        !asn1_bits(sigb, &sig, err))
        return false;
    csr->signature = bits_right_align(a, &sig);
    csr->sigalg = sigalg_from_ai(a, &sigai);
    csr->attributes = csr_attributes(a, r.attrs);
    csr->pub.spki = csr->raw_spki;
    csr->pub.alg = pkalg_from_oid(r.pkai.oid);
    if (csr->pub.alg != REGO_PK_UNKNOWN &&
        !parse_pubkey(a, &r.pkai, bits_right_align(a, &r.pkbits), &csr->pub, err))
        return false;
    der subj = r.subject, s2;
    if (!der_any(&subj, NULL, NULL, &s2) || subj.n)
        return fail(err, "x509: trailing data after X.509 Subject");
    if (!parse_name(a, r.subject, &csr->subject, true, err))
        return false;
    return csr_extensions(a, r.attrs, csr, err);
}

/* ---- PKIX public keys (x509.ParsePKIXPublicKey) --------------------------------- */

bool rego_jwk_parse_pkix_pub(rp_arena *a, const uint8_t *p, size_t n, rego_jwk_pub *pub, char *err)
{
    der in = {p, n}, body, bits, elem;
    algid ai;
    bitstr bs;
    char why[REGO_JWK_ERRLEN];
    memset(pub, 0, sizeof(*pub));
    if (!asn1_field(&in, p, T_SEQUENCE, "publicKeyInfo", &body, &elem, why) ||
        !asn1_algid(a, &body, body.p, &ai, why) ||
        !asn1_field(&body, elem.p, T_BITSTRING, "BitString", &bits, NULL, why) ||
        !asn1_bits(bits, &bs, why)) {
        der probe = {p, n}, seq, x;
        if (der_read(&probe, T_SEQUENCE, &seq) && der_int_bytes(&seq, T_INTEGER, &x) &&
            der_int_bytes(&seq, T_INTEGER, &x))
            return fail(err, "x509: failed to parse public key (use ParsePKCS1PublicKey instead "
                             "for this key format)");
        return fail(err, "%s", why);
    }
    if (in.n)
        return fail(err, "x509: trailing data after ASN.1 of public-key");
    pub->spki = elem;
    return parse_pubkey(a, &ai, bits_right_align(a, &bs), pub, err);
}

/* ---- OpenSSL keys ------------------------------------------------------------------ */

static EVP_PKEY *pkey_fromdata(const char *type, int selection, OSSL_PARAM_BLD *b)
{
    OSSL_PARAM *params = b ? OSSL_PARAM_BLD_to_param(b) : NULL;
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    EVP_PKEY *pk = NULL;
    if (ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &pk, selection, params) != 1)
        pk = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    ERR_clear_error();
    return pk;
}

static BIGNUM *bn_of(der b)
{
    return BN_bin2bn(b.p, (int)b.n, NULL);
}

typedef struct {
    der n, e, d, p, q, dp, dq, qi;
    bool priv;
} rsa_parts;

/* dp, dq and qi from d, p and q when a JWK leaves them out. */
static bool rsa_crt(BIGNUM *bn[8])
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *t = BN_new();
    bool ok = ctx && t;
    ok = ok && BN_sub(t, bn[3], BN_value_one()) && (bn[5] = BN_new()) &&
         BN_mod(bn[5], bn[2], t, ctx);
    ok = ok && BN_sub(t, bn[4], BN_value_one()) && (bn[6] = BN_new()) &&
         BN_mod(bn[6], bn[2], t, ctx);
    ok = ok && (bn[7] = BN_mod_inverse(NULL, bn[4], bn[3], ctx)) != NULL;
    BN_free(t);
    BN_CTX_free(ctx);
    return ok;
}

static EVP_PKEY *rsa_key(const rsa_parts *r)
{
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    const der *parts[8] = {&r->n, &r->e, &r->d, &r->p, &r->q, &r->dp, &r->dq, &r->qi};
    BIGNUM *bn[8] = {0};
    int count = r->priv ? 8 : 2;
    bool ok = true;
    for (int i = 0; i < count && ok; i++)
        if (parts[i]->p && parts[i]->n)
            ok = (bn[i] = bn_of(*parts[i])) != NULL;
    if (ok && r->priv && bn[2] && bn[3] && bn[4] && !(bn[5] && bn[6] && bn[7])) {
        for (int i = 5; i < 8; i++) {
            BN_free(bn[i]);
            bn[i] = NULL;
        }
        ok = rsa_crt(bn);
    }
    OSSL_PARAM_BLD *b = ok ? OSSL_PARAM_BLD_new() : NULL;
    for (int i = 0; i < count && b; i++)
        if (bn[i] && !OSSL_PARAM_BLD_push_BN(b, names[i], bn[i])) {
            OSSL_PARAM_BLD_free(b);
            b = NULL;
        }
    EVP_PKEY *pk = (b && bn[0] && bn[1])
                       ? pkey_fromdata("RSA", r->priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, b)
                       : NULL;
    OSSL_PARAM_BLD_free(b);
    for (int i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    return pk;
}

static const char *curve_group(int nid)
{
    switch (nid) {
    case NID_secp224r1: return "secp224r1";
    case NID_X9_62_prime256v1: return "prime256v1";
    case NID_secp384r1: return "secp384r1";
    case NID_secp521r1: return "secp521r1";
    default: return NULL;
    }
}

static size_t curve_bytes(int nid)
{
    switch (nid) {
    case NID_secp224r1: return 28;
    case NID_X9_62_prime256v1: return 32;
    case NID_secp384r1: return 48;
    case NID_secp521r1: return 66;
    default: return 0;
    }
}

/* An EC key from big-endian coordinates (any length, as Go's big.Int takes
 * them); NULL when they do not make a point of the curve. */
static EVP_PKEY *ec_key(int nid, der x, der y, const der *d)
{
    size_t fl = curve_bytes(nid);
    x = strip_zeros(x);
    y = strip_zeros(y);
    if (!fl || x.n > fl || y.n > fl)
        return NULL;
    uint8_t pt[1 + 2 * 66] = {4};
    memcpy(pt + 1 + fl - x.n, x.p, x.n);
    memcpy(pt + 1 + 2 * fl - y.n, y.p, y.n);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    BIGNUM *dbn = d ? bn_of(*d) : NULL;
    bool ok = b &&
              OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, curve_group(nid), 0) &&
              OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + 2 * fl) &&
              (!d || (dbn && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, dbn)));
    EVP_PKEY *pk = ok ? pkey_fromdata("EC", d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, b) : NULL;
    OSSL_PARAM_BLD_free(b);
    BN_clear_free(dbn);
    return pk;
}

static EVP_PKEY *spki_key(der spki)
{
    const unsigned char *p = spki.p;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)spki.n);
    ERR_clear_error();
    return pk;
}

void rego_jwk_keys_free(rego_jwk_key *keys, size_t n)
{
    for (size_t i = 0; keys && i < n; i++) {
        EVP_PKEY_free(keys[i].pkey);
        keys[i].pkey = NULL;
    }
}

/* ---- private keys ------------------------------------------------------------------ */

static bool priv_set(EVP_PKEY *pk, rego_jwk_priv *k)
{
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: k->kind = REGO_PRIV_RSA; break;
    case EVP_PKEY_EC: k->kind = REGO_PRIV_ECDSA; break;
    case EVP_PKEY_ED25519: k->kind = REGO_PRIV_ED25519; break;
    default: k->kind = REGO_PRIV_OTHER; break;
    }
    k->pkey = pk;
    return true;
}

void rego_jwk_priv_free(rego_jwk_priv *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

/* Shape tests Go uses to suggest the right parser in its messages. */
static bool looks_pkcs8(der in)
{
    der seq, x;
    return der_read(&in, T_SEQUENCE, &seq) && der_int_bytes(&seq, T_INTEGER, &x) &&
           der_read(&seq, T_SEQUENCE, &x) && der_read(&seq, T_OCTETSTRING, &x);
}

static bool looks_sec1(der in)
{
    der seq, x;
    return der_read(&in, T_SEQUENCE, &seq) && der_int_bytes(&seq, T_INTEGER, &x) &&
           der_read(&seq, T_OCTETSTRING, &x);
}

static bool looks_pkcs1(der in)
{
    der seq, x;
    if (!der_read(&in, T_SEQUENCE, &seq))
        return false;
    for (int i = 0; i < 6; i++)
        if (!der_int_bytes(&seq, T_INTEGER, &x))
            return false;
    return true;
}

static EVP_PKEY *d2i_exact(int type, der in)
{
    const unsigned char *p = in.p;
    EVP_PKEY *pk = d2i_PrivateKey(type, NULL, &p, (long)in.n);
    if (pk && p != in.p + in.n) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    ERR_clear_error();
    return pk;
}

bool rego_jwk_parse_pkcs1(const uint8_t *p, size_t n, rego_jwk_priv *k, char *err)
{
    der in = {p, n};
    if (!looks_pkcs1(in)) {
        if (looks_sec1(in))
            return fail(err, "x509: failed to parse private key (use ParseECPrivateKey instead for "
                             "this key format)");
        if (looks_pkcs8(in))
            return fail(err, "x509: failed to parse private key (use ParsePKCS8PrivateKey instead "
                             "for this key format)");
        return fail(err, "asn1: structure error: tags don't match");
    }
    EVP_PKEY *pk = d2i_exact(EVP_PKEY_RSA, in);
    if (!pk)
        return fail(err, "crypto/rsa: invalid private key");
    return priv_set(pk, k);
}

static bool ec_curve_supported(EVP_PKEY *pk)
{
    char name[64];
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
        return false;
    return strcmp(name, "secp224r1") == 0 || strcmp(name, "prime256v1") == 0 ||
           strcmp(name, "secp384r1") == 0 || strcmp(name, "secp521r1") == 0;
}

bool rego_jwk_parse_pkcs8(const uint8_t *p, size_t n, rego_jwk_priv *k, char *err)
{
    der in = {p, n};
    const unsigned char *q = p;
    PKCS8_PRIV_KEY_INFO *info = looks_pkcs8(in) ? d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)n) : NULL;
    if (!info || q != p + n) {
        PKCS8_PRIV_KEY_INFO_free(info);
        ERR_clear_error();
        if (looks_sec1(in))
            return fail(err, "x509: failed to parse private key (use ParseECPrivateKey instead for "
                             "this key format)");
        if (looks_pkcs1(in))
            return fail(err, "x509: failed to parse private key (use ParsePKCS1PrivateKey instead "
                             "for this key format)");
        return fail(err, "asn1: structure error: tags don't match");
    }
    const ASN1_OBJECT *alg = NULL;
    PKCS8_pkey_get0(&alg, NULL, NULL, NULL, info);
    int nid = alg ? OBJ_obj2nid(alg) : NID_undef;
    char txt[96] = "";
    if (alg)
        OBJ_obj2txt(txt, sizeof(txt), alg, 1);
    if (nid != NID_rsaEncryption && nid != NID_X9_62_id_ecPublicKey && nid != NID_ED25519 &&
        nid != NID_X25519) {
        PKCS8_PRIV_KEY_INFO_free(info);
        return fail(err, "x509: PKCS#8 wrapping contained private key with unknown algorithm: %s",
                    txt);
    }
    EVP_PKEY *pk = EVP_PKCS82PKEY(info);
    PKCS8_PRIV_KEY_INFO_free(info);
    ERR_clear_error();
    if (!pk)
        return fail(err, "x509: failed to parse %s private key embedded in PKCS#8",
                    nid == NID_rsaEncryption ? "RSA"
                    : nid == NID_ED25519     ? "Ed25519"
                                             : "EC");
    if (nid == NID_X9_62_id_ecPublicKey && !ec_curve_supported(pk)) {
        EVP_PKEY_free(pk);
        return fail(err, "x509: failed to parse EC private key embedded in PKCS#8: x509: unknown "
                         "elliptic curve");
    }
    return priv_set(pk, k);
}

bool rego_jwk_parse_sec1(const uint8_t *p, size_t n, rego_jwk_priv *k, char *err)
{
    der in = {p, n};
    if (!looks_sec1(in)) {
        if (looks_pkcs8(in))
            return fail(err, "x509: failed to parse private key (use ParsePKCS8PrivateKey instead "
                             "for this key format)");
        if (looks_pkcs1(in))
            return fail(err, "x509: failed to parse private key (use ParsePKCS1PrivateKey instead "
                             "for this key format)");
        return fail(
            err, "x509: failed to parse EC private key: asn1: structure error: tags don't match");
    }
    EVP_PKEY *pk = d2i_exact(EVP_PKEY_EC, in);
    if (!pk)
        return fail(err, "x509: failed to parse EC private key");
    if (!ec_curve_supported(pk)) {
        EVP_PKEY_free(pk);
        return fail(err, "x509: unknown elliptic curve");
    }
    return priv_set(pk, k);
}

/* A BIGNUM parameter of pk as an unsigned big-endian byte string (arena). */
static der pkey_bn(rp_arena *a, EVP_PKEY *pk, const char *name, size_t pad)
{
    der r = {NULL, 0};
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pk, name, &bn)) {
        ERR_clear_error();
        return r;
    }
    size_t n = (size_t)BN_num_bytes(bn);
    if (pad < n)
        pad = n;
    uint8_t *o = rp_arena_alloc(a, pad ? pad : 1);
    if (o && BN_bn2binpad(bn, o, (int)pad) >= 0) {
        r.p = o;
        r.n = pad;
    }
    BN_clear_free(bn);
    return r;
}

static rego_value num_of(rp_arena *a, der b)
{
    return b.p ? rego_jwk_int_value(a, b, false) : rego_null();
}

typedef struct {
    rego_objb b;
} objw;

static void ow_put(objw *w, const char *k, rego_value v)
{
    rego_objb_put(&w->b, lit(k), v);
}

static rego_value rsa_priv_go(rp_arena *a, EVP_PKEY *pk)
{
    objw w, pre;
    rego_objb_init(&w.b, a);
    rego_objb_init(&pre.b, a);
    ow_put(&w, "N", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_N, 0)));
    ow_put(&w, "E", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_E, 0)));
    ow_put(&w, "D", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_D, 0)));
    rego_value primes;
    rego_value *pr = rego_array_alloc(a, 2, &primes);
    if (pr) {
        pr[0] = num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_FACTOR1, 0));
        pr[1] = num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_FACTOR2, 0));
    }
    ow_put(&w, "Primes", primes);
    ow_put(&pre, "Dp", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0)));
    ow_put(&pre, "Dq", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0)));
    ow_put(&pre, "Qinv", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0)));
    ow_put(&pre, "CRTValues", rego_empty_array());
    ow_put(&w, "Precomputed", rego_objb_finish(&pre.b));
    return rego_objb_finish(&w.b);
}

static int pkey_curve_nid(EVP_PKEY *pk)
{
    char name[64];
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
        return NID_undef;
    int nid = OBJ_sn2nid(name);
    return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

static der ed_raw(rp_arena *a, EVP_PKEY *pk, bool priv)
{
    der r = {NULL, 0};
    uint8_t *o = rp_arena_alloc(a, 32);
    size_t len = 32;
    if (o && (priv ? EVP_PKEY_get_raw_private_key(pk, o, &len)
                   : EVP_PKEY_get_raw_public_key(pk, o, &len)) == 1) {
        r.p = o;
        r.n = len;
    }
    return r;
}

rego_value rego_jwk_priv_go_value(rp_arena *a, const rego_jwk_priv *k)
{
    EVP_PKEY *pk = k->pkey;
    switch (k->kind) {
    case REGO_PRIV_RSA: return rsa_priv_go(a, pk);
    case REGO_PRIV_ECDSA: {
        objw w;
        rego_objb_init(&w.b, a);
        ow_put(&w, "Curve", rego_empty_object());
        ow_put(&w, "X", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_EC_PUB_X, 0)));
        ow_put(&w, "Y", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_EC_PUB_Y, 0)));
        ow_put(&w, "D", num_of(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_PRIV_KEY, 0)));
        return rego_objb_finish(&w.b);
    }
    case REGO_PRIV_ED25519: { /* ed25519.PrivateKey: seed || public key */
        der seed = ed_raw(a, pk, true), pub = ed_raw(a, pk, false);
        uint8_t both[64];
        if (seed.n != 32 || pub.n != 32)
            return rego_undef();
        memcpy(both, seed.p, 32);
        memcpy(both + 32, pub.p, 32);
        return b64_value(a, both, 64);
    }
    case REGO_PRIV_OTHER: break;
    }
    return rego_null();
}

static rego_value b64url_value(rp_arena *a, der b)
{
    size_t len;
    char *s = rego_jwk_b64_encode(a, REGO_B64_RAW_URL, b.p ? b.p : (const uint8_t *)"", b.n, &len);
    return s ? rego_str_borrow(s, len) : rego_undef();
}

rego_value rego_jwk_priv_jwk_value(rp_arena *a, const rego_jwk_priv *k)
{
    EVP_PKEY *pk = k->pkey;
    objw w;
    rego_objb_init(&w.b, a);
    switch (k->kind) {
    case REGO_PRIV_RSA: {
        static const char *const names[][2] = {
            {"n", OSSL_PKEY_PARAM_RSA_N},          {"e", OSSL_PKEY_PARAM_RSA_E},
            {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
            {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
            {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
        ow_put(&w, "kty", lit("RSA"));
        for (size_t i = 0; i < RP_ARRAY_LEN(names); i++) {
            der b = pkey_bn(a, pk, names[i][1], 0);
            if (b.n)
                ow_put(&w, names[i][0], b64url_value(a, b));
        }
        break;
    }
    case REGO_PRIV_ECDSA: {
        int nid = pkey_curve_nid(pk);
        size_t fl = curve_bytes(nid);
        const char *crv = nid == NID_X9_62_prime256v1 ? "P-256"
                          : nid == NID_secp384r1      ? "P-384"
                          : nid == NID_secp521r1      ? "P-521"
                                                      : "P-224";
        ow_put(&w, "kty", lit("EC"));
        ow_put(&w, "crv", lit(crv));
        ow_put(&w, "x", b64url_value(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_EC_PUB_X, fl)));
        ow_put(&w, "y", b64url_value(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_EC_PUB_Y, fl)));
        ow_put(&w, "d", b64url_value(a, pkey_bn(a, pk, OSSL_PKEY_PARAM_PRIV_KEY, fl)));
        break;
    }
    case REGO_PRIV_ED25519:
        ow_put(&w, "kty", lit("OKP"));
        ow_put(&w, "crv", lit("Ed25519"));
        ow_put(&w, "x", b64url_value(a, ed_raw(a, pk, false)));
        ow_put(&w, "d", b64url_value(a, ed_raw(a, pk, true)));
        break;
    case REGO_PRIV_OTHER: return rego_null();
    }
    return rego_objb_finish(&w.b);
}

/* ---- JWK / JWKS (OPA's internal jwx: jwk.ParseString) ------------------------------- */

enum { KTY_NONE, KTY_RSA, KTY_EC, KTY_OCT, KTY_OKP };

enum { B_N, B_E, B_D, B_P, B_Q, B_DP, B_DQ, B_QI, B_X, B_Y, B_K, B_COUNT };
static const char *const JWK_BUFS[B_COUNT] = {"n",  "e",  "d", "p", "q", "dp",
                                              "dq", "qi", "x", "y", "k"};

typedef struct {
    const char *alg, *kid, *crv;
    size_t kidn, crvn;
    int kty;
    der buf[B_COUNT];
    bool has[B_COUNT];
} raw_jwk;

/* The decoder's view of one JSON object: saved type errors come after the
 * ones raised by UnmarshalJSON methods, which stop decoding at once. */
typedef struct {
    const char *strct, *path; /* "RawKeyJSON", "keys." */
    char saved[REGO_JWK_ERRLEN];
} jdec;

static const char *json_kind(rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_NUMBER: return "number";
    case REGO_STRING: return "string";
    case REGO_BOOL: return "bool";
    case REGO_ARRAY: return "array";
    case REGO_OBJECT: return "object";
    case REGO_NULL:
    case REGO_UNDEF:
    case REGO_SET: break;
    }
    return "null";
}

static void jdec_type_error(jdec *d, const char *field, rego_value v, const char *gotype)
{
    if (d->saved[0])
        return;
    snprintf(d->saved, sizeof(d->saved),
             "json: cannot unmarshal %s into Go struct field %s.%s%s of type %s", json_kind(v),
             d->strct, d->path, field, gotype);
}

static bool key_is(rego_value k, const char *name)
{
    size_t n = strlen(name);
    if (k.kind != REGO_STRING || k.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k.u.s[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != name[i])
            return false;
    }
    return true;
}

static bool in_set(const char *s, size_t n, const char *const *set)
{
    for (; *set; set++)
        if (strlen(*set) == n && memcmp(*set, s, n) == 0)
            return true;
    return false;
}

static const char *const JWS_ALGS[] = {"ES256", "ES384", "ES512", "HS256", "HS384",
                                       "HS512", "PS256", "PS384", "PS512", "RS256",
                                       "RS384", "RS512", "none",  "EdDSA", NULL};
static const char *const KTYS[] = {"EC", "oct", "RSA", "OKP", NULL};

/* jwa.SignatureAlgorithm / jwa.KeyType UnmarshalJSON: a string, or the raw
 * JSON text of anything else, must be one of the known names. */
static bool enum_value(rego_value v, const char *const *set, const char **out)
{
    if (v.kind != REGO_STRING || !in_set(v.u.s, v.n, set))
        return false;
    for (; *set; set++)
        if (strlen(*set) == v.n && memcmp(*set, v.u.s, v.n) == 0)
            *out = *set;
    return true;
}

static bool jwk_key_ops(rego_value v, char *err)
{
    static const char *const ops[] = {"sign",      "verify",    "encrypt",    "decrypt", "wrapKey",
                                      "unwrapKey", "deriveKey", "deriveBits", NULL};
    if (v.kind == REGO_NULL)
        return true;
    if (v.kind != REGO_ARRAY)
        return fail(err, "invalid key operation");
    for (size_t i = 0; i < v.n; i++)
        if (v.u.items[i].kind != REGO_STRING)
            return fail(err, "invalid key operation");
    for (size_t i = 0; i < v.n; i++)
        if (!in_set(v.u.items[i].u.s, v.u.items[i].n, ops))
            return fail(err, "unknown key operation");
    return true;
}

/* buffer.Buffer's UnmarshalJSON: a base64url string (null reads as ""). */
static bool jwk_buffer(rp_arena *a, rego_value v, der *out, char *err)
{
    if (v.kind == REGO_NULL) {
        out->p = (const uint8_t *)"";
        out->n = 0;
        return true;
    }
    if (v.kind != REGO_STRING)
        return fail(err, "json: cannot unmarshal %s into Go value of type string", json_kind(v));
    size_t n = v.n;
    while (n && v.u.s[n - 1] == '=') /* padded values are common in the wild */
        n--;
    char why[REGO_JWK_ERRLEN];
    if (!rego_jwk_b64_decode(a, REGO_B64_RAW_URL, v.u.s, n, out, why))
        return fail(err, "failed to decode from base64: %s", why);
    return true;
}

static bool jwk_string_field(jdec *d, rego_value v, const char *field, const char **s, size_t *n)
{
    if (v.kind == REGO_STRING) {
        *s = v.u.s;
        *n = v.n;
    } else if (v.kind != REGO_NULL) {
        jdec_type_error(d, field, v, "string");
    }
    return true;
}

static bool jwk_entry(rp_arena *a, jdec *d, rego_value k, rego_value v, raw_jwk *r, char *err)
{
    size_t dummy;
    if (key_is(k, "alg"))
        return v.kind == REGO_NULL || enum_value(v, JWS_ALGS, &r->alg) ||
               fail(err, "unknown signature algorithm");
    if (key_is(k, "kty")) {
        const char *kty = NULL;
        if (!enum_value(v, KTYS, &kty))
            return fail(err, "unknown signature algorithm");
        r->kty = kty[0] == 'E'   ? KTY_EC
                 : kty[0] == 'o' ? KTY_OCT
                 : kty[0] == 'R' ? KTY_RSA
                                 : KTY_OKP;
        return true;
    }
    if (key_is(k, "kid"))
        return jwk_string_field(d, v, "kid", &r->kid, &r->kidn);
    if (key_is(k, "crv"))
        return jwk_string_field(d, v, "crv", &r->crv, &r->crvn);
    if (key_is(k, "use")) {
        const char *s;
        return jwk_string_field(d, v, "use", &s, &dummy);
    }
    if (key_is(k, "key_ops"))
        return jwk_key_ops(v, err);
    if (key_is(k, "privateparams")) {
        if (v.kind != REGO_NULL && v.kind != REGO_OBJECT)
            jdec_type_error(d, "privateParams", v, "map[string]interface {}");
        return true;
    }
    for (int i = 0; i < B_COUNT; i++)
        if (key_is(k, JWK_BUFS[i])) {
            r->has[i] = true;
            return jwk_buffer(a, v, &r->buf[i], err);
        }
    return true;
}

/* json.Unmarshal of one object into RawKeyJSON. */
static bool jwk_decode(rp_arena *a, rego_value obj, const char *path, raw_jwk *r, char *err)
{
    jdec d = {"RawKeyJSON", path, ""};
    memset(r, 0, sizeof(*r));
    r->alg = "";
    for (size_t i = 0; i < obj.n; i++) {
        rego_objent e = rego_object_at(obj, i);
        if (!jwk_entry(a, &d, e.key, e.val, r, err))
            return false;
    }
    return !d.saved[0] || fail(err, "%s", d.saved);
}

/* ---- building keys from raw JWKs ---------------------------------------------------- */

static bool jwk_rsa(const raw_jwk *r, rego_jwk_key *k, char *err)
{
    bool priv = r->has[B_D];
    if (!r->has[B_N] || !r->has[B_E])
        return fail(err,
                    "failed to generate key from JWK: %smissing mandatory key parameters N or E",
                    priv ? "failed to generate public key: " : "");
    if (priv && (!r->has[B_P] || !r->has[B_Q]))
        return fail(err,
                    "failed to generate key from JWK: missing mandatory key parameters D, P or Q");
    rsa_parts parts = {r->buf[B_N],  r->buf[B_E],  r->buf[B_D],  r->buf[B_P], r->buf[B_Q],
                       r->buf[B_DP], r->buf[B_DQ], r->buf[B_QI], priv};
    k->kind = priv ? REGO_KEY_RSA_PRIV : REGO_KEY_RSA_PUB;
    k->pkey = rsa_key(&parts);
    return true;
}

static int crv_nid(const char *s, size_t n)
{
    if (n == 5 && memcmp(s, "P-256", 5) == 0)
        return NID_X9_62_prime256v1;
    if (n == 5 && memcmp(s, "P-384", 5) == 0)
        return NID_secp384r1;
    if (n == 5 && memcmp(s, "P-521", 5) == 0)
        return NID_secp521r1;
    return NID_undef;
}

static bool jwk_ec(const raw_jwk *r, rego_jwk_key *k, char *err)
{
    bool priv = r->has[B_D];
    const char *wrap = priv ? "failed to generate public key: " : "";
    if (!r->has[B_X] || !r->has[B_Y] || !r->crvn)
        return fail(
            err, "failed to generate key from JWK: %smissing mandatory key parameters X, Y or Crv",
            wrap);
    int nid = crv_nid(r->crv, r->crvn);
    if (nid == NID_undef)
        return fail(err, "failed to generate key from JWK: %sinvalid curve name %.*s", wrap,
                    (int)(r->crvn > 40 ? 40 : r->crvn), r->crv);
    /* the private scalar must be exactly ceil(bitlen(n-1)/8) octets */
    if (priv && r->buf[B_D].n != curve_bytes(nid))
        return fail(
            err,
            "failed to generate key from JWK: failed to generate private key. Incorrect D value");
    k->kind = priv ? REGO_KEY_EC_PRIV : REGO_KEY_EC_PUB;
    k->pkey = ec_key(nid, r->buf[B_X], r->buf[B_Y], priv ? &r->buf[B_D] : NULL);
    return true;
}

/* An Ed25519 JWK: RFC 8037's raw 32-byte x and d, or (as OPA's internal jwx
 * reads them) a DER SubjectPublicKeyInfo / PKCS#8 document. */
static bool jwk_okp(rp_arena *a, const raw_jwk *r, rego_jwk_key *k, char *err)
{
    bool priv = r->has[B_D];
    if (!priv && (!r->has[B_X] || !r->crvn))
        return fail(err,
                    "failed to generate key from JWK: missing mandatory key parameters X, Crv");
    if (!priv && !(r->crvn == 7 && memcmp(r->crv, "Ed25519", 7) == 0))
        return fail(err, "failed to generate key from JWK: invalid curve name %.*s",
                    (int)(r->crvn > 40 ? 40 : r->crvn), r->crv);
    der v = r->buf[priv ? B_D : B_X];
    char why[REGO_JWK_ERRLEN];
    k->kind = priv ? REGO_KEY_ED_PRIV : REGO_KEY_ED_PUB;
    if (v.n == 32) {
        k->pkey = priv ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, v.p, 32)
                       : EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, v.p, 32);
        ERR_clear_error();
        return true;
    }
    if (priv) {
        rego_jwk_priv pk = {0};
        if (!rego_jwk_parse_pkcs8(v.p, v.n, &pk, why))
            return fail(err, "failed to generate key from JWK: failed to parse private key: %s",
                        why);
        if (pk.kind != REGO_PRIV_ED25519) {
            rego_jwk_priv_free(&pk);
            return fail(err, "failed to generate key from JWK: not an Ed25519 private key");
        }
        k->pkey = pk.pkey;
        return true;
    }
    rego_jwk_pub pub;
    if (!rego_jwk_parse_pkix_pub(a, v.p, v.n, &pub, why))
        return fail(err, "failed to generate key from JWK: failed to parse public key: %s", why);
    if (pub.alg != REGO_PK_ED25519)
        return fail(err, "failed to generate key from JWK: not an Ed25519 public key");
    k->pkey = spki_key(pub.spki);
    return true;
}

static bool jwk_generate(rp_arena *a, const raw_jwk *r, rego_jwk_key *k, char *err)
{
    memset(k, 0, sizeof(*k));
    k->alg = r->alg;
    k->kid = r->kid ? r->kid : "";
    k->kidn = r->kidn;
    switch (r->kty) {
    case KTY_RSA: return jwk_rsa(r, k, err);
    case KTY_EC: return jwk_ec(r, k, err);
    case KTY_OKP: return jwk_okp(a, r, k, err);
    case KTY_OCT:
        k->kind = REGO_KEY_OCT;
        if (r->has[B_K])
            k->oct = r->buf[B_K];
        return true;
    default: return fail(err, "unrecognized key type");
    }
}

/* RawKeySetJSON's "keys": NULL when absent, null or empty (a single key). */
static bool jwks_keys(rego_value top, rego_value *keys, char *err)
{
    *keys = rego_undef();
    for (size_t i = 0; i < top.n; i++) {
        rego_objent e = rego_object_at(top, i);
        if (!key_is(e.key, "keys") || e.val.kind == REGO_NULL)
            continue;
        if (e.val.kind != REGO_ARRAY)
            return fail(err,
                        "json: cannot unmarshal %s into Go struct field RawKeySetJSON.keys of type "
                        "[]jwk.RawKeyJSON",
                        json_kind(e.val));
        for (size_t k = 0; k < e.val.n; k++)
            if (e.val.u.items[k].kind != REGO_OBJECT && e.val.u.items[k].kind != REGO_NULL)
                return fail(err,
                            "json: cannot unmarshal %s into Go struct field RawKeySetJSON.keys of "
                            "type jwk.RawKeyJSON",
                            json_kind(e.val.u.items[k]));
        *keys = e.val;
    }
    return true;
}

static bool jwks_set(rp_arena *a, rego_value keys, rego_jwk_key *out, size_t *nout, char *err)
{
    char why[REGO_JWK_ERRLEN];
    raw_jwk *raw = rp_arena_array(a, keys.n, sizeof(raw_jwk));
    if (!raw)
        return false;
    for (size_t i = 0; i < keys.n; i++) {
        rego_value el = keys.u.items[i];
        memset(&raw[i], 0, sizeof(raw_jwk));
        raw[i].alg = "";
        if (el.kind == REGO_OBJECT && !jwk_decode(a, el, "keys.", &raw[i], why))
            return fail(err, "failed to unmarshal JWK Set: %s", why);
    }
    for (size_t i = 0; i < keys.n; i++) {
        if (!jwk_generate(a, &raw[i], &out[i], why))
            return fail(err, "failed to generate key: %s: %%!w(MISSING)", why);
        *nout = i + 1;
    }
    return true;
}

bool rego_jwk_parse_jwks(rp_arena *a, const char *s, size_t n, rego_jwk_key **keys, size_t *nkeys,
                         char *err)
{
    char why[REGO_JWK_ERRLEN];
    rego_value top, list;
    rp_error e = {0};
    *keys = NULL;
    *nkeys = 0;
    if (!rego_jwk_json_check(s, n, REGO_JSON_UNMARSHAL, why))
        return fail(err, "failed to unmarshal JWK Set: %s", why);
    if (rego_json_parse(a, s, n, NULL, &top, &e) != RP_OK)
        return fail(err, "failed to unmarshal JWK Set: %s", e.msg);
    if (top.kind != REGO_OBJECT && top.kind != REGO_NULL)
        return fail(err,
                    "failed to unmarshal JWK Set: json: cannot unmarshal %s into Go value of type "
                    "jwk.RawKeySetJSON",
                    json_kind(top));
    if (top.kind == REGO_NULL)
        top = rego_empty_object();
    if (!jwks_keys(top, &list, why))
        return fail(err, "failed to unmarshal JWK Set: %s", why);
    size_t count = list.kind == REGO_ARRAY ? list.n : 0;
    if (count > REGO_CRYPTO_MAX_KEYS)
        return fail(err, "JWK set has more than %d keys", REGO_CRYPTO_MAX_KEYS);
    rego_jwk_key *out = rp_arena_array(a, count ? count : 1, sizeof(rego_jwk_key));
    if (!out)
        return false;
    memset(out, 0, (count ? count : 1) * sizeof(rego_jwk_key));
    *keys = out;
    if (count)
        return jwks_set(a, list, out, nkeys, err);
    raw_jwk raw;
    if (!jwk_decode(a, top, "", &raw, why))
        return fail(err, "failed to unmarshal JWK: %s", why);
    if (!jwk_generate(a, &raw, out, why))
        return fail(err, "failed to generate key: %s", why);
    *nkeys = 1;
    return true;
}

static bool key_from_pub(const rego_jwk_pub *pub, rego_jwk_key *k)
{
    memset(k, 0, sizeof(*k));
    k->alg = "";
    k->kid = "";
    switch (pub->alg) {
    case REGO_PK_RSA: k->kind = REGO_KEY_RSA_PUB; break;
    case REGO_PK_ECDSA: k->kind = REGO_KEY_EC_PUB; break;
    case REGO_PK_ED25519: k->kind = REGO_KEY_ED_PUB; break;
    case REGO_PK_DSA:
    case REGO_PK_UNKNOWN: k->kind = REGO_KEY_OTHER; return true;
    }
    k->pkey = spki_key(pub->spki);
    return true;
}

bool rego_jwk_keys_from_cert_or_jwk(rp_arena *a, const char *s, size_t n, rego_jwk_key **keys,
                                    size_t *nkeys, char *err)
{
    rego_jwk_pem blk;
    size_t rest;
    char why[REGO_JWK_ERRLEN];
    *keys = NULL;
    *nkeys = 0;
    if (!rego_jwk_pem_decode(a, s, n, &blk, &rest)) {
        if (rp_arena_failed(a))
            return false;
        if (!rego_jwk_parse_jwks(a, s, n, keys, nkeys, why))
            return fail(err, "failed to parse a JWK key (set): %s", why);
        return true;
    }
    if (rest < n)
        return fail(err, "extra data after a PEM certificate block");
    rego_jwk_key *k = rp_arena_alloc(a, sizeof(*k));
    if (!k)
        return false;
    if (rego_jwk_pem_type_is(&blk, "CERTIFICATE")) {
        rego_jwk_cert c;
        if (!rego_jwk_parse_cert(a, blk.der.p, blk.der.n, &c, why))
            return fail(err, "failed to parse a PEM certificate: %s", why);
        key_from_pub(&c.pub, k);
    } else if (rego_jwk_pem_type_is(&blk, "PUBLIC KEY")) {
        rego_jwk_pub pub;
        if (!rego_jwk_parse_pkix_pub(a, blk.der.p, blk.der.n, &pub, why))
            return fail(err, "failed to parse a PEM public key: %s", why);
        key_from_pub(&pub, k);
    } else {
        return fail(err, "failed to extract a Key from the PEM certificate");
    }
    *keys = k;
    *nkeys = 1;
    return true;
}

/* ---- digests, MACs and JWS ------------------------------------------------------------ */

size_t rego_jwk_digest(const char *md, const uint8_t *p, size_t n, uint8_t *out)
{
    const EVP_MD *m = EVP_get_digestbyname(md);
    unsigned len = 0;
    if (!m || EVP_Digest(p, n, out, &len, m, NULL) != 1)
        len = 0;
    ERR_clear_error();
    return len;
}

size_t rego_jwk_hmac(const char *md, const uint8_t *key, size_t keyn, const uint8_t *p, size_t n,
                     uint8_t *out)
{
    const EVP_MD *m = EVP_get_digestbyname(md);
    unsigned len = 0;
    static const uint8_t empty[1] = {0};
    if (!m || keyn > INT32_MAX ||
        !HMAC(m, keyn ? key : empty, (int)keyn, p ? p : empty, n, out, &len))
        len = 0;
    ERR_clear_error();
    return len;
}

typedef enum { JK_HMAC, JK_RSA, JK_PSS, JK_ECDSA, JK_EDDSA } jws_family;

static const struct {
    const char *name, *md;
    jws_family fam;
} JWS[] = {
    [REGO_JWS_NONE] = {"", "", JK_HMAC},
    [REGO_JWS_HS256] = {"HS256", "SHA256", JK_HMAC},
    [REGO_JWS_HS384] = {"HS384", "SHA384", JK_HMAC},
    [REGO_JWS_HS512] = {"HS512", "SHA512", JK_HMAC},
    [REGO_JWS_RS256] = {"RS256", "SHA256", JK_RSA},
    [REGO_JWS_RS384] = {"RS384", "SHA384", JK_RSA},
    [REGO_JWS_RS512] = {"RS512", "SHA512", JK_RSA},
    [REGO_JWS_PS256] = {"PS256", "SHA256", JK_PSS},
    [REGO_JWS_PS384] = {"PS384", "SHA384", JK_PSS},
    [REGO_JWS_PS512] = {"PS512", "SHA512", JK_PSS},
    [REGO_JWS_ES256] = {"ES256", "SHA256", JK_ECDSA},
    [REGO_JWS_ES384] = {"ES384", "SHA384", JK_ECDSA},
    [REGO_JWS_ES512] = {"ES512", "SHA512", JK_ECDSA},
    [REGO_JWS_EDDSA] = {"EdDSA", "", JK_EDDSA},
};

rego_jws_alg rego_jws_alg_parse(const char *s, size_t n)
{
    for (size_t i = REGO_JWS_HS256; i < RP_ARRAY_LEN(JWS); i++)
        if (strlen(JWS[i].name) == n && memcmp(JWS[i].name, s, n) == 0)
            return (rego_jws_alg)i;
    return REGO_JWS_NONE;
}

/* Go 1.24's crypto/rsa refuses keys under 1024 bits and exponents outside
 * [2, 2^31-1] on every operation; keys over REGO_CRYPTO_MAX_RSA_BITS are
 * refused too, so a JWK cannot make us do arbitrarily large arithmetic. */
static bool rsa_go_acceptable(EVP_PKEY *pk, char *why)
{
    BIGNUM *e = NULL;
    int bits = EVP_PKEY_get_bits(pk);
    bool ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) && BN_num_bits(e) <= 31 &&
              !BN_is_zero(e) && !BN_is_one(e);
    BN_free(e);
    ERR_clear_error();
    if (bits > REGO_CRYPTO_MAX_RSA_BITS) {
        if (why)
            snprintf(why, REGO_JWK_ERRLEN, "crypto/rsa: %d-bit keys are larger than %d bits", bits,
                     REGO_CRYPTO_MAX_RSA_BITS);
        return false;
    }
    if (bits < 1024 && why)
        snprintf(why, REGO_JWK_ERRLEN,
                 "crypto/rsa: %d-bit keys are insecure (see "
                 "https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)",
                 bits);
    else if (!ok && why)
        snprintf(why, REGO_JWK_ERRLEN, "crypto/rsa: invalid public exponent");
    return ok && bits >= 1024;
}

static EVP_PKEY_CTX *rsa_ctx(EVP_PKEY *pk, const EVP_MD *md, bool pss, bool sign)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    bool ok =
        ctx && (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1 &&
        EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
    if (ok && pss)
        ok = EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, sign ? RSA_PSS_SALTLEN_MAX
                                                        : RSA_PSS_SALTLEN_AUTO) == 1;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static bool verify_rsa(rego_jws_alg alg, EVP_PKEY *pk, const uint8_t *msg, size_t msgn,
                       const uint8_t *sig, size_t sign)
{
    const EVP_MD *md = EVP_get_digestbyname(JWS[alg].md);
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    if (!md || !rsa_go_acceptable(pk, NULL) || EVP_Digest(msg, msgn, dg, &dl, md, NULL) != 1)
        return false;
    EVP_PKEY_CTX *ctx = rsa_ctx(pk, md, JWS[alg].fam == JK_PSS, false);
    bool ok = ctx && EVP_PKEY_verify(ctx, sig, sign, dg, dl) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* Go's verifyES: r and s are the two halves of the signature. */
static bool verify_ecdsa(rego_jws_alg alg, EVP_PKEY *pk, const uint8_t *msg, size_t msgn,
                         const uint8_t *sig, size_t sign)
{
    const EVP_MD *md = EVP_get_digestbyname(JWS[alg].md);
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    if (!md || EVP_Digest(msg, msgn, dg, &dl, md, NULL) != 1 || sign > 4096)
        return false;
    size_t half = sign / 2;
    BIGNUM *r = BN_bin2bn(sig, (int)half, NULL),
           *s = BN_bin2bn(sig + half, (int)(sign - half), NULL);
    ECDSA_SIG *es = ECDSA_SIG_new();
    unsigned char *derbuf = NULL;
    int derlen = -1;
    if (r && s && es && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL; /* owned by es now */
        derlen = i2d_ECDSA_SIG(es, &derbuf);
    }
    EVP_PKEY_CTX *ctx = derlen > 0 ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
    bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_verify(ctx, derbuf, (size_t)derlen, dg, dl) == 1;
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(derbuf);
    ECDSA_SIG_free(es);
    BN_free(r);
    BN_free(s);
    return ok;
}

static bool verify_eddsa(EVP_PKEY *pk, const uint8_t *msg, size_t msgn, const uint8_t *sig,
                         size_t sign)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    bool ok = m && EVP_DigestVerifyInit(m, NULL, NULL, NULL, pk) == 1 &&
              EVP_DigestVerify(m, sig, sign, msg, msgn) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

bool rego_jws_verify(rego_jws_alg alg, const rego_jwk_key *key, const uint8_t *msg, size_t msgn,
                     const uint8_t *sig, size_t sign)
{
    bool ok = false;
    if (alg == REGO_JWS_NONE)
        return false;
    switch (JWS[alg].fam) {
    case JK_HMAC:
        if (key->kind == REGO_KEY_OCT) {
            uint8_t mac[EVP_MAX_MD_SIZE];
            size_t len = rego_jwk_hmac(JWS[alg].md, key->oct.p, key->oct.n, msg, msgn, mac);
            ok = len && len == sign && CRYPTO_memcmp(mac, sig, len) == 0;
        }
        break;
    case JK_RSA:
    case JK_PSS:
        ok = key->kind == REGO_KEY_RSA_PUB && key->pkey &&
             verify_rsa(alg, key->pkey, msg, msgn, sig, sign);
        break;
    case JK_ECDSA:
        ok = key->kind == REGO_KEY_EC_PUB && key->pkey &&
             verify_ecdsa(alg, key->pkey, msg, msgn, sig, sign);
        break;
    case JK_EDDSA:
        ok = key->kind == REGO_KEY_ED_PUB && key->pkey &&
             verify_eddsa(key->pkey, msg, msgn, sig, sign);
        break;
    }
    ERR_clear_error();
    return ok;
}

static const char *go_key_type(rego_jwk_keykind k)
{
    switch (k) {
    case REGO_KEY_RSA_PUB: return "*rsa.PublicKey";
    case REGO_KEY_RSA_PRIV: return "*rsa.PrivateKey";
    case REGO_KEY_EC_PUB: return "*ecdsa.PublicKey";
    case REGO_KEY_EC_PRIV: return "*ecdsa.PrivateKey";
    case REGO_KEY_ED_PUB: return "ed25519.PublicKey";
    case REGO_KEY_ED_PRIV: return "ed25519.PrivateKey";
    case REGO_KEY_OCT: return "[]uint8";
    case REGO_KEY_OTHER: break;
    }
    return "<nil>";
}

static bool sign_rsa(rp_arena *a, rego_jws_alg alg, EVP_PKEY *pk, const uint8_t *msg, size_t msgn,
                     rego_bytes *sig, char *err)
{
    const EVP_MD *md = EVP_get_digestbyname(JWS[alg].md);
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    char why[REGO_JWK_ERRLEN];
    if (!rsa_go_acceptable(pk, why))
        return fail(err, "failed to sign Payload: %s", why);
    size_t len = (size_t)EVP_PKEY_get_size(pk);
    uint8_t *out = rp_arena_alloc(a, len ? len : 1);
    EVP_PKEY_CTX *ctx = out && md && EVP_Digest(msg, msgn, dg, &dl, md, NULL) == 1
                            ? rsa_ctx(pk, md, JWS[alg].fam == JK_PSS, true)
                            : NULL;
    bool ok = ctx && EVP_PKEY_sign(ctx, out, &len, dg, dl) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return out ? fail(err, "failed to sign Payload: crypto/rsa: signing failed") : false;
    sig->p = out;
    sig->n = len;
    return true;
}

/* internal jwx's ECDSA signer: r || s, each padded to the curve size. */
static bool sign_ecdsa(rp_arena *a, rego_jws_alg alg, EVP_PKEY *pk, const uint8_t *msg, size_t msgn,
                       rego_bytes *sig, char *err)
{
    const EVP_MD *md = EVP_get_digestbyname(JWS[alg].md);
    uint8_t dg[EVP_MAX_MD_SIZE], derbuf[256];
    unsigned dl = 0;
    size_t derlen = sizeof(derbuf);
    size_t kb = ((size_t)EVP_PKEY_get_bits(pk) + 7) / 8;
    EVP_PKEY_CTX *ctx =
        md && EVP_Digest(msg, msgn, dg, &dl, md, NULL) == 1 ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
    bool ok =
        ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_sign(ctx, derbuf, &derlen, dg, dl) == 1;
    EVP_PKEY_CTX_free(ctx);
    const unsigned char *dp = derbuf;
    ECDSA_SIG *es = ok ? d2i_ECDSA_SIG(NULL, &dp, (long)derlen) : NULL;
    uint8_t *out = es ? rp_arena_alloc(a, 2 * kb) : NULL;
    ok = out && BN_bn2binpad(ECDSA_SIG_get0_r(es), out, (int)kb) >= 0 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(es), out + kb, (int)kb) >= 0;
    ECDSA_SIG_free(es);
    if (!ok)
        return rp_arena_failed(a)
                   ? false
                   : fail(err, "failed to sign Payload: failed to sign payload using ecdsa");
    sig->p = out;
    sig->n = 2 * kb;
    return true;
}

static bool sign_eddsa(rp_arena *a, EVP_PKEY *pk, const uint8_t *msg, size_t msgn, rego_bytes *sig,
                       char *err)
{
    uint8_t *out = rp_arena_alloc(a, 64);
    size_t len = 64;
    EVP_MD_CTX *m = out ? EVP_MD_CTX_new() : NULL;
    bool ok = m && EVP_DigestSignInit(m, NULL, NULL, NULL, pk) == 1 &&
              EVP_DigestSign(m, out, &len, msg, msgn) == 1;
    EVP_MD_CTX_free(m);
    if (!ok)
        return out ? fail(err, "failed to sign Payload: ed25519: signing failed") : false;
    sig->p = out;
    sig->n = len;
    return true;
}

bool rego_jws_sign(rp_arena *a, rego_jws_alg alg, const rego_jwk_key *key, const uint8_t *msg,
                   size_t msgn, rego_bytes *sig, char *err)
{
    static const rego_jwk_keykind need[] = {[JK_HMAC] = REGO_KEY_OCT,
                                            [JK_RSA] = REGO_KEY_RSA_PRIV,
                                            [JK_PSS] = REGO_KEY_RSA_PRIV,
                                            [JK_ECDSA] = REGO_KEY_EC_PRIV,
                                            [JK_EDDSA] = REGO_KEY_ED_PRIV};
    static const char *const needname[] = {[JK_HMAC] = "[]byte",
                                           [JK_RSA] = "*rsa.PrivateKey",
                                           [JK_PSS] = "*rsa.PrivateKey",
                                           [JK_ECDSA] = "*ecdsa.PrivateKey",
                                           [JK_EDDSA] = "ed25519.PrivateKey"};
    jws_family f = JWS[alg].fam;
    bool ok;
    if (alg == REGO_JWS_NONE)
        return fail(err, "failed to create signer: unsupported signature algorithm");
    if (key->kind != need[f])
        return fail(err, "failed to sign Payload: invalid key type %s. %s is required",
                    go_key_type(key->kind), needname[f]);
    if (f == JK_HMAC) {
        if (!key->oct.n)
            return fail(err, "failed to sign Payload: missing key while signing payload");
        uint8_t *out = rp_arena_alloc(a, EVP_MAX_MD_SIZE);
        if (!out)
            return false;
        sig->p = out;
        sig->n = rego_jwk_hmac(JWS[alg].md, key->oct.p, key->oct.n, msg, msgn, out);
        return sig->n > 0 || fail(err, "failed to sign Payload: hmac failed");
    }
    if (!key->pkey)
        return fail(err, "failed to sign Payload: invalid private key");
    if (f == JK_ECDSA)
        ok = sign_ecdsa(a, alg, key->pkey, msg, msgn, sig, err);
    else if (f == JK_EDDSA)
        ok = sign_eddsa(a, key->pkey, msg, msgn, sig, err);
    else
        ok = sign_rsa(a, alg, key->pkey, msg, msgn, sig, err);
    ERR_clear_error();
    return ok;
}
