/*
 * encoding.c — the builtin group "encoding": json.marshal,
 * json.marshal_with_options, json.unmarshal, json.is_valid, base64.*,
 * base64url.*, hex.*, urlquery.*, yaml.marshal, yaml.unmarshal and
 * yaml.is_valid.
 *
 * OPA implements these with Go's standard library (encoding/json,
 * encoding/base64, encoding/hex, net/url) and sigs.k8s.io/yaml, so what we
 * reproduce is those libraries' output and error texts:
 *  - JSON text is checked by a port of encoding/json's scanner state machine
 *    (same acceptance, same "invalid character 'x' looking for beginning of
 *    value" messages, same 10000-level nesting limit) before the engine's
 *    reader builds the value; json.unmarshal also follows Decoder.Decode
 *    plus OPA's check for a second top-level value;
 *  - json.marshal writes what json.Marshal writes for ast.JSON(v): sets as
 *    arrays, non-string object keys as their JSON text, map keys sorted
 *    bytewise, HTML-safe escaping;
 *  - yaml.marshal is sigs.k8s.io/yaml.JSONToYAML: go-yaml v2's resolution of
 *    the JSON scalars and its emitter (block style, indentless sequences in
 *    mappings, keys in go-yaml's "natural" order, its quoting analysis and
 *    line folding at 80 columns).  The emitter below follows go-yaml's
 *    emitterc.go state by state for the events a JSON document produces.
 *
 * Bounds: every recursion over a value stops at REGO_VALUE_MAX_DEPTH
 * (RP_ERR_LIMIT); the JSON scanner's parse stack is bounded by Go's 10000
 * levels (REGO_GO_JSON_MAX_DEPTH); all other work is linear in the input.
 * Global state: constant tables only (Unicode letter/digit ranges used by
 * go-yaml's key order, generated from the Unicode database).
 */
#include <errno.h>
#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../json.h"
#include "../limits.h"
#include "../yaml.h"
#include "sprintf.h"

/* ---- shared helpers -------------------------------------------------------- */

static rp_status limit_error(rego_bctx *ctx, const char *what, unsigned long long limit)
{
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: %s exceeds the limit of %llu", ctx->bi->name, what, limit);
}

/* A string result from a buffer (out of memory when the buffer failed). */
static rp_status buf_result(rego_bctx *ctx, rp_buf *b, rego_value *out)
{
    if (b->failed) {
        rp_buf_free(b);
        return rego_bi_nomem(ctx);
    }
    rego_value v = rego_str(ctx->arena, b->data ? b->data : "", b->len);
    rp_buf_free(b);
    if (rego_is_undef(v))
        return rego_bi_nomem(ctx);
    *out = v;
    return RP_OK;
}

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

/* Go's unicode.IsPrint for the code points our messages can contain:
 * everything printable except the Latin-1 gaps, C0/C1 controls and
 * unassigned/format/separator ranges we care about. */
static bool go_isprint(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa1) || cp == 0xad)
        return false;
    if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x200b && cp <= 0x200f) ||
        (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
        (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0xfffe || cp == 0xffff ||
        (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0xe000 && cp <= 0xf8ff) || cp > 0x10ffff ||
        (cp >= 0x2000 && cp <= 0x200a) || cp == 0x3000 || cp == 0x1680 || cp == 0x205f)
        return false;
    return true;
}

/* strconv.Quote(s): Go-syntax double-quoted string. */
/* strconv.Quote (shared with sprintf: one implementation of Go's quoting). */
static void go_quote(rp_buf *b, const char *s, size_t n) { rego_go_quote(b, s, n); }

/* encoding/json's quoteChar: the byte as a Go rune in single quotes. */
static void go_quote_char(rp_buf *b, unsigned char c)
{
    if (c == '\'') {
        rp_buf_puts(b, "'\\''");
        return;
    }
    if (c == '"') {
        rp_buf_puts(b, "'\"'");
        return;
    }
    char u[4];
    size_t k = rp_utf8_encode(c, u); /* string(rune(c)): bytes >= 0x80 are Latin-1 */
    rp_buf tmp;
    rp_buf_init(&tmp);
    go_quote(&tmp, u, k);
    rp_buf_putc(b, '\'');
    if (tmp.len >= 2)
        rp_buf_append(b, tmp.data + 1, tmp.len - 2);
    rp_buf_putc(b, '\'');
    rp_buf_free(&tmp);
}

/* ---- Go's JSON scanner ---------------------------------------------------- *
 * A port of encoding/json/scanner.go's states.  Each byte steps the machine;
 * an error records Go's message.  The parse stack holds one byte per open
 * array/object. */

typedef enum {
    GS_BEGIN_VALUE_OR_EMPTY, GS_BEGIN_VALUE, GS_BEGIN_STRING_OR_EMPTY, GS_BEGIN_STRING,
    GS_END_VALUE, GS_END_TOP, GS_IN_STRING, GS_IN_STRING_ESC, GS_ESC_U, GS_ESC_U1, GS_ESC_U12,
    GS_ESC_U123, GS_NEG, GS_ONE, GS_ZERO, GS_DOT, GS_DOT0, GS_E, GS_ESIGN, GS_E0, GS_T, GS_TR,
    GS_TRU, GS_F, GS_FA, GS_FAL, GS_FALS, GS_N, GS_NU, GS_NUL, GS_ERROR,
} gs_state;

typedef enum { GP_OBJECT_KEY, GP_OBJECT_VALUE, GP_ARRAY_VALUE } gs_parse;

typedef enum { GR_CONTINUE, GR_END, GR_ERROR } gs_result;

typedef struct {
    gs_state st;
    bool end_top;
    uint8_t *stack; /* REGO_GO_JSON_MAX_DEPTH + 1 entries */
    size_t depth;
    char msg[128];
} gscan;

static bool gs_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static gs_result gs_error(gscan *s, unsigned char c, const char *context)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "invalid character ");
    go_quote_char(&b, c);
    rp_buf_printf(&b, " %s", context);
    snprintf(s->msg, sizeof(s->msg), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    s->st = GS_ERROR;
    return GR_ERROR;
}

static gs_result gs_push(gscan *s, unsigned char c, gs_parse p, gs_state next)
{
    s->stack[s->depth++] = (uint8_t)p;
    if (s->depth > REGO_GO_JSON_MAX_DEPTH)
        return gs_error(s, c, "exceeded max depth");
    s->st = next;
    return GR_CONTINUE;
}

static gs_result gs_step(gscan *s, unsigned char c);

static gs_result gs_begin_value(gscan *s, unsigned char c)
{
    if (gs_space(c))
        return GR_CONTINUE;
    switch (c) {
    case '{': return gs_push(s, c, GP_OBJECT_KEY, GS_BEGIN_STRING_OR_EMPTY);
    case '[': return gs_push(s, c, GP_ARRAY_VALUE, GS_BEGIN_VALUE_OR_EMPTY);
    case '"': s->st = GS_IN_STRING; return GR_CONTINUE;
    case '-': s->st = GS_NEG; return GR_CONTINUE;
    case '0': s->st = GS_ZERO; return GR_CONTINUE;
    case 't': s->st = GS_T; return GR_CONTINUE;
    case 'f': s->st = GS_F; return GR_CONTINUE;
    case 'n': s->st = GS_N; return GR_CONTINUE;
    default:
        if (c >= '1' && c <= '9') {
            s->st = GS_ONE;
            return GR_CONTINUE;
        }
        return gs_error(s, c, "looking for beginning of value");
    }
}

static gs_result gs_end_value(gscan *s, unsigned char c)
{
    if (s->depth == 0) {
        s->st = GS_END_TOP;
        s->end_top = true;
        return gs_step(s, c);
    }
    if (gs_space(c)) {
        s->st = GS_END_VALUE;
        return GR_CONTINUE;
    }
    uint8_t *top = &s->stack[s->depth - 1];
    switch ((gs_parse)*top) {
    case GP_OBJECT_KEY:
        if (c == ':') {
            *top = GP_OBJECT_VALUE;
            s->st = GS_BEGIN_VALUE;
            return GR_CONTINUE;
        }
        return gs_error(s, c, "after object key");
    case GP_OBJECT_VALUE:
        if (c == ',') {
            *top = GP_OBJECT_KEY;
            s->st = GS_BEGIN_STRING;
            return GR_CONTINUE;
        }
        if (c == '}') {
            s->depth--;
            s->st = GS_END_VALUE;
            return GR_CONTINUE;
        }
        return gs_error(s, c, "after object key:value pair");
    case GP_ARRAY_VALUE:
        if (c == ',') {
            s->st = GS_BEGIN_VALUE;
            return GR_CONTINUE;
        }
        if (c == ']') {
            s->depth--;
            s->st = GS_END_VALUE;
            return GR_CONTINUE;
        }
        return gs_error(s, c, "after array element");
    }
    return GR_ERROR;
}

static bool gs_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The literal states: expect one byte, then go to next. */
static gs_result gs_lit(gscan *s, unsigned char c, char want, gs_state next, const char *ctx)
{
    if (c == (unsigned char)want) {
        s->st = next;
        return GR_CONTINUE;
    }
    return gs_error(s, c, ctx);
}

static gs_result gs_number_tail(gscan *s, unsigned char c)
{
    switch (s->st) {
    case GS_NEG:
        if (c == '0') { s->st = GS_ZERO; return GR_CONTINUE; }
        if (c >= '1' && c <= '9') { s->st = GS_ONE; return GR_CONTINUE; }
        return gs_error(s, c, "in numeric literal");
    case GS_ONE:
        if (c >= '0' && c <= '9')
            return GR_CONTINUE;
        s->st = GS_ZERO;
        return gs_number_tail(s, c);
    case GS_ZERO:
        if (c == '.') { s->st = GS_DOT; return GR_CONTINUE; }
        if (c == 'e' || c == 'E') { s->st = GS_E; return GR_CONTINUE; }
        return gs_end_value(s, c);
    case GS_DOT:
        if (c >= '0' && c <= '9') { s->st = GS_DOT0; return GR_CONTINUE; }
        return gs_error(s, c, "after decimal point in numeric literal");
    case GS_DOT0:
        if (c >= '0' && c <= '9')
            return GR_CONTINUE;
        if (c == 'e' || c == 'E') { s->st = GS_E; return GR_CONTINUE; }
        return gs_end_value(s, c);
    case GS_E:
        if (c == '+' || c == '-') { s->st = GS_ESIGN; return GR_CONTINUE; }
        s->st = GS_ESIGN;
        return gs_number_tail(s, c);
    case GS_ESIGN:
        if (c >= '0' && c <= '9') { s->st = GS_E0; return GR_CONTINUE; }
        return gs_error(s, c, "in exponent of numeric literal");
    case GS_E0:
        if (c >= '0' && c <= '9')
            return GR_CONTINUE;
        return gs_end_value(s, c);
    default:
        return GR_ERROR;
    }
}

static gs_result gs_string_tail(gscan *s, unsigned char c)
{
    switch (s->st) {
    case GS_IN_STRING:
        if (c == '"') { s->st = GS_END_VALUE; return GR_CONTINUE; }
        if (c == '\\') { s->st = GS_IN_STRING_ESC; return GR_CONTINUE; }
        if (c < 0x20)
            return gs_error(s, c, "in string literal");
        return GR_CONTINUE;
    case GS_IN_STRING_ESC:
        if (strchr("bfnrt\\/\"", c) && c) { s->st = GS_IN_STRING; return GR_CONTINUE; }
        if (c == 'u') { s->st = GS_ESC_U; return GR_CONTINUE; }
        return gs_error(s, c, "in string escape code");
    case GS_ESC_U:
    case GS_ESC_U1:
    case GS_ESC_U12:
    case GS_ESC_U123:
        if (!gs_hex(c))
            return gs_error(s, c, "in \\u hexadecimal character escape");
        s->st = s->st == GS_ESC_U123 ? GS_IN_STRING : (gs_state)(s->st + 1);
        return GR_CONTINUE;
    default:
        return GR_ERROR;
    }
}

static gs_result gs_step(gscan *s, unsigned char c)
{
    switch (s->st) {
    case GS_BEGIN_VALUE_OR_EMPTY:
        if (gs_space(c))
            return GR_CONTINUE;
        if (c == ']')
            return gs_end_value(s, c);
        return gs_begin_value(s, c);
    case GS_BEGIN_VALUE:
        return gs_begin_value(s, c);
    case GS_BEGIN_STRING_OR_EMPTY:
        if (gs_space(c))
            return GR_CONTINUE;
        if (c == '}') {
            s->stack[s->depth - 1] = GP_OBJECT_VALUE;
            return gs_end_value(s, c);
        }
        s->st = GS_BEGIN_STRING;
        return gs_step(s, c);
    case GS_BEGIN_STRING:
        if (gs_space(c))
            return GR_CONTINUE;
        if (c == '"') {
            s->st = GS_IN_STRING;
            return GR_CONTINUE;
        }
        return gs_error(s, c, "looking for beginning of object key string");
    case GS_END_VALUE:
        return gs_end_value(s, c);
    case GS_END_TOP:
        if (!gs_space(c))
            gs_error(s, c, "after top-level value");
        return GR_END;
    case GS_IN_STRING:
    case GS_IN_STRING_ESC:
    case GS_ESC_U:
    case GS_ESC_U1:
    case GS_ESC_U12:
    case GS_ESC_U123:
        return gs_string_tail(s, c);
    case GS_NEG:
    case GS_ONE:
    case GS_ZERO:
    case GS_DOT:
    case GS_DOT0:
    case GS_E:
    case GS_ESIGN:
    case GS_E0:
        return gs_number_tail(s, c);
    case GS_T: return gs_lit(s, c, 'r', GS_TR, "in literal true (expecting 'r')");
    case GS_TR: return gs_lit(s, c, 'u', GS_TRU, "in literal true (expecting 'u')");
    case GS_TRU: return gs_lit(s, c, 'e', GS_END_VALUE, "in literal true (expecting 'e')");
    case GS_F: return gs_lit(s, c, 'a', GS_FA, "in literal false (expecting 'a')");
    case GS_FA: return gs_lit(s, c, 'l', GS_FAL, "in literal false (expecting 'l')");
    case GS_FAL: return gs_lit(s, c, 's', GS_FALS, "in literal false (expecting 's')");
    case GS_FALS: return gs_lit(s, c, 'e', GS_END_VALUE, "in literal false (expecting 'e')");
    case GS_N: return gs_lit(s, c, 'u', GS_NU, "in literal null (expecting 'u')");
    case GS_NU: return gs_lit(s, c, 'l', GS_NUL, "in literal null (expecting 'l')");
    case GS_NUL: return gs_lit(s, c, 'l', GS_END_VALUE, "in literal null (expecting 'l')");
    case GS_ERROR:
        return GR_ERROR;
    }
    return GR_ERROR;
}

static bool gs_init(gscan *s)
{
    memset(s, 0, sizeof(*s));
    s->st = GS_BEGIN_VALUE;
    s->stack = malloc(REGO_GO_JSON_MAX_DEPTH + 1);
    return s->stack != NULL;
}

/* json.Valid.  -1 when out of memory. */
static int go_json_valid(const char *p, size_t n)
{
    gscan s;
    if (!gs_init(&s))
        return -1;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = gs_step(&s, (unsigned char)p[i]) != GR_ERROR && s.st != GS_ERROR;
    if (ok && !s.end_top) {
        gs_step(&s, ' ');
        ok = s.end_top && s.st != GS_ERROR;
    }
    free(s.stack);
    return ok;
}

/* Decoder.Decode of the value starting at p[0]: on success *end is the
 * offset just past it; on failure msg holds Go's error ("unexpected EOF",
 * "EOF", or the syntax error).  -1 out of memory, 0 error, 1 ok. */
static int go_decode_one(const char *p, size_t n, size_t *end, char *msg, size_t msgcap)
{
    gscan s;
    if (!gs_init(&s))
        return -1;
    int rc = 0;
    bool nonspace = false;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        gs_state before = s.st;
        gs_result r = gs_step(&s, c);
        if (r == GR_ERROR || (s.st == GS_ERROR && !s.end_top)) {
            snprintf(msg, msgcap, "%s", s.msg);
            goto out;
        }
        if (s.end_top) { /* the value ended before c */
            *end = i;
            rc = 1;
            goto out;
        }
        nonspace |= !gs_space(c);
        /* A closing bracket or quote at top level ends the value at once. */
        if (s.depth == 0 && s.st == GS_END_VALUE && before != GS_END_VALUE) {
            *end = i + 1;
            rc = 1;
            goto out;
        }
    }
    gs_step(&s, ' ');
    if (s.end_top) {
        *end = n;
        rc = 1;
    } else {
        snprintf(msg, msgcap, "%s", nonspace ? "unexpected EOF" : "EOF");
    }
out:
    free(s.stack);
    return rc;
}

/* ---- json.is_valid / json.unmarshal ------------------------------------------ */

static rp_status bi_json_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (args[0].kind != REGO_STRING) {
        *out = rego_bool(false);
        return RP_OK;
    }
    int ok = go_json_valid(args[0].u.s, args[0].n);
    if (ok < 0)
        return rego_bi_nomem(ctx);
    *out = rego_bool(ok == 1);
    return RP_OK;
}

/* The builtin's error for a document the engine's JSON or YAML reader
 * refused with status st: out of memory, a nesting limit (eval_cancel with
 * the reader's message), or the reader's message after prefix as a builtin
 * error. */
static rp_status reader_error(rego_bctx *ctx, rp_status st, const rp_error *perr, const char *prefix)
{
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    if (st == RP_ERR_LIMIT)
        return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc, "%s: %s",
                             ctx->bi->name, perr->msg);
    return rego_bi_errorf(ctx, "%s%s", prefix, perr->msg);
}

/* Builds the value of p[0..n) with the engine's reader. */
static rp_status parse_json_value(rego_bctx *ctx, const char *p, size_t n, rego_value *out)
{
    rp_error perr = {0};
    rp_status st = rego_json_parse(ctx->arena, p, n, NULL, out, &perr);
    if (st == RP_OK)
        return RP_OK;
    return reader_error(ctx, st, &perr, "");
}

/* What OPA reports for text after the first value: util.UnmarshalJSON asks
 * the decoder for one more token and complains about anything but EOF or
 * a null. */
static rp_status after_top_value(rego_bctx *ctx, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && gs_space((unsigned char)p[i]))
        i++;
    if (i == n)
        return RP_OK;
    unsigned char c = (unsigned char)p[i];
    rp_buf b;
    rp_buf_init(&b);
    rp_status st = RP_OK;
    if (c == '[' || c == '{') {
        st = rego_bi_errorf(ctx, "error: invalid character '%c' after top-level value", c);
    } else if (c == ']' || c == '}' || c == ':' || c == ',') {
        rp_buf_puts(&b, "invalid character ");
        go_quote_char(&b, c);
        st = rego_bi_errorf(ctx, "%s looking for beginning of value", rp_buf_cstr(&b));
    } else {
        char msg[128];
        size_t end;
        int rc = go_decode_one(p + i, n - i, &end, msg, sizeof(msg));
        rego_value tok;
        if (rc < 0)
            st = rego_bi_nomem(ctx);
        else if (rc == 0)
            st = rego_bi_errorf(ctx, "%s", msg);
        else if ((st = parse_json_value(ctx, p + i, end, &tok)) == RP_OK) {
            if (tok.kind == REGO_STRING)
                rp_buf_append(&b, tok.u.s, tok.n);
            else if (tok.kind == REGO_BOOL)
                rp_buf_printf(&b, "%%!s(bool=%s)", tok.u.b ? "true" : "false");
            else if (tok.kind == REGO_NUMBER)
                rp_buf_append(&b, p + i, end);
            if (tok.kind != REGO_NULL) /* a null token is no error */
                st = rego_bi_errorf(ctx, "error: invalid character '%s' after top-level value",
                                    rp_buf_cstr(&b));
        }
    }
    rp_buf_free(&b);
    return st;
}

static rp_status bi_json_unmarshal(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n, end;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return ctx->err->code;
    char msg[128];
    int rc = go_decode_one(s, n, &end, msg, sizeof(msg));
    if (rc < 0)
        return rego_bi_nomem(ctx);
    if (rc == 0)
        return rego_bi_errorf(ctx, "%s", msg);
    rp_status st = after_top_value(ctx, s + end, n - end);
    if (st != RP_OK)
        return st;
    return parse_json_value(ctx, s, end, out);
}

/* ---- json.marshal ------------------------------------------------------------- *
 * ast.JSON then json.Marshal: objects become Go maps with string keys (a
 * non-string key is replaced by its own JSON text; when two keys collide the
 * later one in Rego order wins), written with keys sorted bytewise. */

typedef struct {
    const char *k;
    size_t kn;
    rego_value v;
    size_t ord;
} jent;

typedef struct {
    bool pretty;
    const char *prefix, *indent;
    size_t prefix_n, indent_n;
} jopts;

static const jopts JSON_COMPACT = {false, "", "", 0, 0};

static rp_status go_json_write(rego_bctx *ctx, rp_buf *b, rego_value v, const jopts *o, int depth);

static int cmp_jent(const void *x, const void *y)
{
    const jent *a = x, *b = y;
    size_t n = a->kn < b->kn ? a->kn : b->kn;
    int c = n ? memcmp(a->k, b->k, n) : 0;
    if (c)
        return c;
    if (a->kn != b->kn)
        return a->kn < b->kn ? -1 : 1;
    return (a->ord > b->ord) - (a->ord < b->ord);
}

/* The object's entries as a Go map[string]any iterates them sorted:
 * *out[0..*n), keys converted, duplicates resolved. */
static rp_status go_map_entries(rego_bctx *ctx, rego_value obj, int depth, jent **out, size_t *n)
{
    *n = 0;
    if (obj.n == 0)
        return RP_OK;
    jent *e = rp_arena_array(ctx->arena, obj.n, sizeof(jent));
    if (!e)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < obj.n; i++) {
        rego_objent oe = rego_object_at(obj, i);
        e[i].v = oe.val;
        e[i].ord = i;
        if (oe.key.kind == REGO_STRING) {
            e[i].k = oe.key.u.s;
            e[i].kn = oe.key.n;
            continue;
        }
        rp_buf kb;
        rp_buf_init(&kb);
        rp_status st = go_json_write(ctx, &kb, oe.key, &JSON_COMPACT, depth + 1);
        if (st == RP_OK && kb.failed)
            st = rego_bi_nomem(ctx);
        char *k = st == RP_OK ? rp_arena_strndup(ctx->arena, kb.data ? kb.data : "", kb.len) : NULL;
        e[i].kn = kb.len;
        rp_buf_free(&kb);
        if (st != RP_OK)
            return st;
        if (!k)
            return rego_bi_nomem(ctx);
        e[i].k = k;
    }
    qsort(e, obj.n, sizeof(jent), cmp_jent);
    size_t w = 0;
    for (size_t i = 0; i < obj.n; i++) {
        if (w > 0 && e[w - 1].kn == e[i].kn && memcmp(e[w - 1].k, e[i].k, e[i].kn) == 0)
            w--; /* the later assignment wins */
        e[w++] = e[i];
    }
    *out = e;
    *n = w;
    return RP_OK;
}

static void json_newline(rp_buf *b, const jopts *o, int level)
{
    rp_buf_putc(b, '\n');
    rp_buf_append(b, o->prefix, o->prefix_n);
    for (int i = 0; i < level; i++)
        rp_buf_append(b, o->indent, o->indent_n);
}

/* depth counts nesting for the limit; level counts indentation. */
static rp_status go_json_write_at(rego_bctx *ctx, rp_buf *b, rego_value v, const jopts *o,
                                  int depth, int level)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return limit_error(ctx, "value nesting", REGO_VALUE_MAX_DEPTH);
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
        rego_value_write(b, v, REGO_FMT_JSON);
        return RP_OK;
    case REGO_STRING:
        rego_json_write_string(b, v.u.s, v.n, true);
        return RP_OK;
    case REGO_ARRAY:
    case REGO_SET: {
        const rego_value *items = v.kind == REGO_ARRAY ? v.u.items : v.u.set->items;
        rp_buf_putc(b, '[');
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ',');
            if (o->pretty)
                json_newline(b, o, level + 1);
            rp_status st = go_json_write_at(ctx, b, items[i], o, depth + 1, level + 1);
            if (st != RP_OK)
                return st;
        }
        if (o->pretty && v.n)
            json_newline(b, o, level);
        rp_buf_putc(b, ']');
        return RP_OK;
    }
    case REGO_OBJECT: {
        jent *e;
        size_t n;
        rp_status st = go_map_entries(ctx, v, depth, &e, &n);
        if (st != RP_OK)
            return st;
        rp_buf_putc(b, '{');
        for (size_t i = 0; i < n; i++) {
            if (i)
                rp_buf_putc(b, ',');
            if (o->pretty)
                json_newline(b, o, level + 1);
            rego_json_write_string(b, e[i].k, e[i].kn, true);
            rp_buf_puts(b, o->pretty ? ": " : ":");
            if ((st = go_json_write_at(ctx, b, e[i].v, o, depth + 1, level + 1)) != RP_OK)
                return st;
        }
        if (o->pretty && n)
            json_newline(b, o, level);
        rp_buf_putc(b, '}');
        return RP_OK;
    }
    }
    return RP_OK;
}

static rp_status go_json_write(rego_bctx *ctx, rp_buf *b, rego_value v, const jopts *o, int depth)
{
    return go_json_write_at(ctx, b, v, o, depth, 0);
}

static rp_status bi_json_marshal(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_status st = go_json_write(ctx, &b, args[0], &JSON_COMPACT, 0);
    if (st != RP_OK) {
        rp_buf_free(&b);
        return st;
    }
    return buf_result(ctx, &b, out);
}

/* The options object: prefix/indent imply pretty printing unless "pretty"
 * says otherwise; keys are checked in sorted order, first problem wins. */
static rp_status marshal_options(rego_bctx *ctx, rego_value opts, jopts *o)
{
    if (opts.kind != REGO_OBJECT)
        return rego_bi_type_error(ctx, 2, opts, "object");
    bool implicit = false, explicit_set = false, pretty = false;
    *o = (jopts){false, "", "\t", 0, 1};
    for (size_t i = 0; i < opts.n; i++) {
        rego_objent e = rego_object_at(opts, i);
        if (e.key.kind != REGO_STRING) {
            rp_buf kb;
            rp_buf_init(&kb);
            rego_value_write(&kb, e.key, REGO_FMT_REGO);
            rp_status st = rego_bi_type_errorf(ctx, "operand 2 failed to stringify key %s at index "
                                                    "%zu: operand %zu must be string but got %s",
                                               rp_buf_cstr(&kb), i, i, rego_type_name(e.key));
            rp_buf_free(&kb);
            return st;
        }
        const char *k = e.key.u.s;
        if (strcmp(k, "prefix") == 0 || strcmp(k, "indent") == 0) {
            if (e.val.kind != REGO_STRING)
                return rego_bi_type_errorf(ctx, "operand 2 key %s failed cast to string: operand "
                                                "%zu must be string but got %s",
                                           k, i, rego_type_name(e.val));
            if (k[0] == 'p') {
                o->prefix = e.val.u.s;
                o->prefix_n = e.val.n;
            } else {
                o->indent = e.val.u.s;
                o->indent_n = e.val.n;
            }
            implicit = true;
        } else if (strcmp(k, "pretty") == 0) {
            explicit_set = true;
            if (e.val.kind != REGO_BOOL)
                return rego_bi_type_errorf(ctx, "operand 2 key %s failed cast to bool", k);
            pretty = e.val.u.b;
        } else {
            return rego_bi_type_errorf(ctx, "operand 2 object contained unknown key %s", k);
        }
    }
    o->pretty = explicit_set ? pretty : implicit;
    return RP_OK;
}

static rp_status bi_json_marshal_with_options(rego_bctx *ctx, const rego_value *args,
                                              rego_value *out)
{
    jopts o;
    rp_status st = marshal_options(ctx, args[1], &o);
    if (st != RP_OK)
        return st;
    rp_buf b;
    rp_buf_init(&b);
    if (o.pretty) /* MarshalIndent does not prefix the first line; OPA does */
        rp_buf_append(&b, o.prefix, o.prefix_n);
    if ((st = go_json_write(ctx, &b, args[0], &o, 0)) != RP_OK) {
        rp_buf_free(&b);
        return st;
    }
    return buf_result(ctx, &b, out);
}

/* ---- base64 / base64url -------------------------------------------------------- */

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static rp_status b64_encode(rego_bctx *ctx, const char *alpha, bool pad, rego_value in,
                            rego_value *out)
{
    size_t n = in.n, olen = pad ? (n + 2) / 3 * 4 : (n * 8 + 5) / 6;
    char *o = rego_str_alloc(ctx->arena, olen, out);
    if (!o)
        return rego_bi_nomem(ctx);
    const unsigned char *s = (const unsigned char *)in.u.s;
    size_t k = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        o[k++] = alpha[v >> 18 & 63];
        o[k++] = alpha[v >> 12 & 63];
        o[k++] = alpha[v >> 6 & 63];
        o[k++] = alpha[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        o[k++] = alpha[v >> 18 & 63];
        o[k++] = alpha[v >> 12 & 63];
        if (i + 1 < n)
            o[k++] = alpha[v >> 6 & 63];
        else if (pad)
            o[k++] = '=';
        if (pad)
            o[k++] = '=';
    }
    return RP_OK;
}

static int b64_val(const char *alpha, unsigned char c)
{
    const char *p = c ? strchr(alpha, c) : NULL;
    return p ? (int)(p - alpha) : -1;
}

/* encoding/base64's decodeQuantum loop for a padded encoding ('\r' and '\n'
 * are skipped anywhere).  Returns the decoded length, or -1 with *bad set to
 * the offset Go reports as "illegal base64 data at input byte N". */
static long b64_decode(const char *alpha, const char *src, size_t n, unsigned char *dst,
                       size_t *bad)
{
    size_t si = 0, dn = 0;
    while (si < n) {
        unsigned char dbuf[4] = {0};
        size_t dlen = 4, j;
        bool stop = false;
        for (j = 0; j < 4; j++) {
            if (si == n) {
                if (j == 0)
                    return (long)dn;
                *bad = si - j; /* a padded encoding needs whole quanta */
                return -1;
            }
            unsigned char in = (unsigned char)src[si++];
            int v = b64_val(alpha, in);
            if (v >= 0) {
                dbuf[j] = (unsigned char)v;
                continue;
            }
            if (in == '\n' || in == '\r') {
                j--;
                continue;
            }
            if (in != '=' || j < 2) {
                *bad = si - 1;
                return -1;
            }
            if (j == 2) { /* "==" expected: skip newlines, then the second '=' */
                while (si < n && (src[si] == '\n' || src[si] == '\r'))
                    si++;
                if (si == n) {
                    *bad = n;
                    return -1;
                }
                if (src[si] != '=') {
                    *bad = si - 1;
                    return -1;
                }
                si++;
            }
            while (si < n && (src[si] == '\n' || src[si] == '\r'))
                si++;
            if (si < n) { /* trailing garbage */
                *bad = si;
                return -1;
            }
            dlen = j;
            stop = true;
            break;
        }
        uint32_t val = (uint32_t)dbuf[0] << 18 | (uint32_t)dbuf[1] << 12 |
                       (uint32_t)dbuf[2] << 6 | dbuf[3];
        unsigned char b3[3] = {(unsigned char)(val >> 16), (unsigned char)(val >> 8),
                               (unsigned char)val};
        for (size_t k = 0; k + 1 < dlen; k++)
            dst[dn++] = b3[k];
        if (stop)
            break;
    }
    return (long)dn;
}

static rp_status b64_decode_value(rego_bctx *ctx, const char *alpha, const char *s, size_t n,
                                  rego_value *out)
{
    unsigned char *dst = rp_arena_alloc(ctx->arena, n / 4 * 3 + 3);
    if (!dst)
        return rego_bi_nomem(ctx);
    size_t bad = 0;
    long k = b64_decode(alpha, s, n, dst, &bad);
    if (k < 0)
        return rego_bi_errorf(ctx, "illegal base64 data at input byte %zu", bad);
    *out = rego_str(ctx->arena, (const char *)dst, (size_t)k);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status bi_base64_encode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    return b64_encode(ctx, b64_std, true, args[0], out);
}

static rp_status bi_base64url_encode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    return b64_encode(ctx, b64_url, true, args[0], out);
}

static rp_status bi_base64url_encode_no_pad(rego_bctx *ctx, const rego_value *args,
                                            rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    return b64_encode(ctx, b64_url, false, args[0], out);
}

static rp_status bi_base64_decode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    return b64_decode_value(ctx, b64_std, args[0].u.s, args[0].n, out);
}

static rp_status bi_base64_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (args[0].kind != REGO_STRING) {
        *out = rego_bool(false);
        return RP_OK;
    }
    unsigned char *dst = rp_arena_alloc(ctx->arena, args[0].n / 4 * 3 + 3);
    if (!dst)
        return rego_bi_nomem(ctx);
    size_t bad;
    *out = rego_bool(b64_decode(b64_std, args[0].u.s, args[0].n, dst, &bad) >= 0);
    return RP_OK;
}

/* Unpadded input is padded first (RFC 7515 appendix C), as OPA does. */
static rp_status bi_base64url_decode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    const char *s = args[0].u.s;
    size_t n = args[0].n;
    if (n && s[n - 1] == '=')
        return b64_decode_value(ctx, b64_url, s, n, out);
    size_t pad = n % 4 == 2 ? 2 : n % 4 == 3 ? 1 : 0;
    if (n % 4 == 1)
        return rego_bi_errorf(ctx, "illegal base64url string: %s", s);
    char *p = rp_arena_alloc(ctx->arena, n + pad + 1);
    if (!p)
        return rego_bi_nomem(ctx);
    memcpy(p, s, n);
    memset(p + n, '=', pad);
    return b64_decode_value(ctx, b64_url, p, n + pad, out);
}

/* ---- hex ------------------------------------------------------------------------ */

static rp_status bi_hex_encode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    char *o = rego_str_alloc(ctx->arena, (size_t)args[0].n * 2, out);
    if (!o)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < args[0].n; i++) {
        unsigned char c = (unsigned char)args[0].u.s[i];
        o[2 * i] = hex_lower[c >> 4];
        o[2 * i + 1] = hex_lower[c & 15];
    }
    return RP_OK;
}

static int hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* hex.InvalidByteError: "%#U" of the byte as a rune. */
static rp_status hex_invalid(rego_bctx *ctx, unsigned char c)
{
    if (!go_isprint(c))
        return rego_bi_errorf(ctx, "encoding/hex: invalid byte: U+%04X", c);
    char u[5] = {0};
    rp_utf8_encode(c, u);
    return rego_bi_errorf(ctx, "encoding/hex: invalid byte: U+%04X '%s'", c, u);
}

static rp_status bi_hex_decode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    const unsigned char *s = (const unsigned char *)args[0].u.s;
    size_t n = args[0].n;
    char *o = rp_arena_alloc(ctx->arena, n / 2 + 1);
    if (!o)
        return rego_bi_nomem(ctx);
    size_t i;
    for (i = 1; i < n; i += 2) {
        int a = hex_val(s[i - 1]), b = hex_val(s[i]);
        if (a < 0)
            return hex_invalid(ctx, s[i - 1]);
        if (b < 0)
            return hex_invalid(ctx, s[i]);
        o[i / 2] = (char)(a << 4 | b);
    }
    if (n % 2) {
        if (hex_val(s[n - 1]) < 0)
            return hex_invalid(ctx, s[n - 1]);
        return rego_bi_errorf(ctx, "encoding/hex: odd length hex string");
    }
    *out = rego_str(ctx->arena, o, n / 2);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- urlquery -------------------------------------------------------------------- */

/* url.QueryEscape. */
static void query_escape(rp_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            rp_buf_putc(b, (char)c);
        } else if (c == ' ') {
            rp_buf_putc(b, '+');
        } else {
            char e[3] = {'%', hex_upper[c >> 4], hex_upper[c & 15]};
            rp_buf_append(b, e, 3);
        }
    }
}

/* url.QueryUnescape into b; false with Go's message in msg on a bad escape. */
static bool query_unescape(rp_buf *b, const char *s, size_t n, char *msg, size_t msgcap)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || hex_val((unsigned char)s[i + 1]) < 0 ||
                hex_val((unsigned char)s[i + 2]) < 0) {
                rp_buf q;
                rp_buf_init(&q);
                go_quote(&q, s + i, n - i < 3 ? n - i : 3);
                snprintf(msg, msgcap, "invalid URL escape %s", rp_buf_cstr(&q));
                rp_buf_free(&q);
                return false;
            }
            rp_buf_putc(b, (char)(hex_val((unsigned char)s[i + 1]) << 4 |
                                  hex_val((unsigned char)s[i + 2])));
            i += 2;
        } else {
            rp_buf_putc(b, s[i] == '+' ? ' ' : s[i]);
        }
    }
    return true;
}

static rp_status bi_urlquery_encode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    rp_buf b;
    rp_buf_init(&b);
    query_escape(&b, args[0].u.s, args[0].n);
    return buf_result(ctx, &b, out);
}

static rp_status bi_urlquery_decode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    rp_buf b;
    rp_buf_init(&b);
    char msg[64];
    if (!query_unescape(&b, args[0].u.s, args[0].n, msg, sizeof(msg))) {
        rp_buf_free(&b);
        return rego_bi_errorf(ctx, "%s", msg);
    }
    return buf_result(ctx, &b, out);
}

/* url.Values.Encode of the object: keys sorted, each value escaped. */
static rp_status bi_urlquery_encode_object(rego_bctx *ctx, const rego_value *args,
                                           rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT))
        return ctx->err->code;
    jent *e;
    size_t n;
    rp_status st = go_map_entries(ctx, args[0], 0, &e, &n);
    if (st != RP_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        rego_value v = e[i].v;
        bool ok = v.kind == REGO_STRING;
        if (v.kind == REGO_ARRAY || v.kind == REGO_SET) {
            ok = true;
            for (size_t j = 0; j < v.n; j++)
                ok &= (v.kind == REGO_ARRAY ? v.u.items[j] : rego_set_at(v, j)).kind == REGO_STRING;
        }
        if (!ok)
            return rego_bi_type_errorf(ctx, "operand 1 values must be string, array[string], or "
                                            "set[string]");
    }
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        rego_value v = e[i].v;
        size_t cnt = v.kind == REGO_STRING ? 1 : v.n;
        for (size_t j = 0; j < cnt; j++) {
            rego_value s = v.kind == REGO_STRING ? v
                           : v.kind == REGO_ARRAY ? v.u.items[j]
                                                  : rego_set_at(v, j);
            if (b.len)
                rp_buf_putc(&b, '&');
            query_escape(&b, e[i].k, e[i].kn);
            rp_buf_putc(&b, '=');
            query_escape(&b, s.u.s, s.n);
        }
    }
    return buf_result(ctx, &b, out);
}

/* url.ParseQuery: '&'-separated pairs; a ';' in a pair is an error that
 * overrides earlier unescaping errors; the first unescaping error is kept.
 * Values are gathered per key in order of appearance. */
typedef struct {
    rego_value key, val;
    size_t ord;
} qpair;

static int cmp_qpair(const void *x, const void *y)
{
    const qpair *a = x, *b = y;
    int c = rego_compare(a->key, b->key);
    return c ? c : (a->ord > b->ord) - (a->ord < b->ord);
}

/* Splits s into decoded pairs; returns false (err set) on a Go error. */
static bool parse_query(rp_arena *a, const char *s, const char *end, qpair *pairs, size_t *np,
                        char *err, size_t errcap)
{
    size_t k = 0;
    err[0] = 0;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *pe = amp ? amp : end, *pair = s;
        s = amp ? amp + 1 : end;
        if (memchr(pair, ';', (size_t)(pe - pair))) {
            snprintf(err, errcap, "invalid semicolon separator in query");
            continue;
        }
        if (pe == pair)
            continue;
        const char *eq = memchr(pair, '=', (size_t)(pe - pair));
        rp_buf kb, vb;
        rp_buf_init(&kb);
        rp_buf_init(&vb);
        char msg[64];
        bool ok = query_unescape(&kb, pair, (size_t)((eq ? eq : pe) - pair), msg, sizeof(msg)) &&
                  query_unescape(&vb, eq ? eq + 1 : pe, eq ? (size_t)(pe - eq - 1) : 0, msg,
                                 sizeof(msg));
        if (!ok && !err[0])
            snprintf(err, errcap, "%s", msg);
        if (ok) {
            pairs[k] = (qpair){rego_str(a, kb.data ? kb.data : "", kb.len),
                               rego_str(a, vb.data ? vb.data : "", vb.len), k};
            k++;
        }
        rp_buf_free(&kb);
        rp_buf_free(&vb);
    }
    *np = k;
    return err[0] == 0;
}

static rp_status bi_urlquery_decode_object(rego_bctx *ctx, const rego_value *args,
                                           rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return ctx->err->code;
    const char *s = args[0].u.s;
    size_t n = args[0].n, np;
    qpair *pairs = rp_arena_array(ctx->arena, n / 2 + 1, sizeof(qpair));
    if (!pairs)
        return rego_bi_nomem(ctx);
    char err[64];
    if (!parse_query(ctx->arena, s, s + n, pairs, &np, err, sizeof(err)))
        return rego_bi_errorf(ctx, "%s", err);
    if (rp_arena_failed(ctx->arena))
        return rego_bi_nomem(ctx);
    qsort(pairs, np, sizeof(qpair), cmp_qpair);
    rego_value r;
    rego_objent *ents = rego_object_alloc(ctx->arena, np, &r);
    if (!ents && np)
        return rego_bi_nomem(ctx);
    size_t nk = 0;
    for (size_t i = 0; i < np;) {
        size_t j = i;
        while (j < np && rego_equal(pairs[j].key, pairs[i].key))
            j++;
        rego_value arr;
        rego_value *items = rego_array_alloc(ctx->arena, j - i, &arr);
        if (!items)
            return rego_bi_nomem(ctx);
        for (size_t k = i; k < j; k++)
            items[k - i] = pairs[k].val;
        ents[nk++] = (rego_objent){pairs[i].key, arr};
        i = j;
    }
    if (nk == 0) {
        *out = rego_empty_object();
        return RP_OK;
    }
    ((rego_object *)r.u.obj)->n = (uint32_t)nk;
    r.n = (uint32_t)nk;
    *out = rego_object_seal(ctx->arena, r);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- yaml.marshal: go-yaml v2's view of the JSON ---------------------------------- */

/* Unicode letters and decimal digits (categories L* and Nd, Unicode 14),
 * for go-yaml's key order which asks unicode.IsLetter / unicode.IsDigit. */
static const uint32_t uni_letter[][2] = {
    {0xAA, 0xAA}, {0xB5, 0xB5}, {0xBA, 0xBA}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x2C1},
    {0x2C6, 0x2D1}, {0x2E0, 0x2E4}, {0x2EC, 0x2EC}, {0x2EE, 0x2EE}, {0x370, 0x374},
    {0x376, 0x377}, {0x37A, 0x37D}, {0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A},
    {0x38C, 0x38C}, {0x38E, 0x3A1}, {0x3A3, 0x3F5}, {0x3F7, 0x481}, {0x48A, 0x52F},
    {0x531, 0x556}, {0x559, 0x559}, {0x560, 0x588}, {0x5D0, 0x5EA}, {0x5EF, 0x5F2},
    {0x620, 0x64A}, {0x66E, 0x66F}, {0x671, 0x6D3}, {0x6D5, 0x6D5}, {0x6E5, 0x6E6},
    {0x6EE, 0x6EF}, {0x6FA, 0x6FC}, {0x6FF, 0x6FF}, {0x710, 0x710}, {0x712, 0x72F},
    {0x74D, 0x7A5}, {0x7B1, 0x7B1}, {0x7CA, 0x7EA}, {0x7F4, 0x7F5}, {0x7FA, 0x7FA},
    {0x800, 0x815}, {0x81A, 0x81A}, {0x824, 0x824}, {0x828, 0x828}, {0x840, 0x858},
    {0x860, 0x86A}, {0x870, 0x887}, {0x889, 0x88E}, {0x8A0, 0x8C9}, {0x904, 0x939},
    {0x93D, 0x93D}, {0x950, 0x950}, {0x958, 0x961}, {0x971, 0x980}, {0x985, 0x98C},
    {0x98F, 0x990}, {0x993, 0x9A8}, {0x9AA, 0x9B0}, {0x9B2, 0x9B2}, {0x9B6, 0x9B9},
    {0x9BD, 0x9BD}, {0x9CE, 0x9CE}, {0x9DC, 0x9DD}, {0x9DF, 0x9E1}, {0x9F0, 0x9F1},
    {0x9FC, 0x9FC}, {0xA05, 0xA0A}, {0xA0F, 0xA10}, {0xA13, 0xA28}, {0xA2A, 0xA30},
    {0xA32, 0xA33}, {0xA35, 0xA36}, {0xA38, 0xA39}, {0xA59, 0xA5C}, {0xA5E, 0xA5E},
    {0xA72, 0xA74}, {0xA85, 0xA8D}, {0xA8F, 0xA91}, {0xA93, 0xAA8}, {0xAAA, 0xAB0},
    {0xAB2, 0xAB3}, {0xAB5, 0xAB9}, {0xABD, 0xABD}, {0xAD0, 0xAD0}, {0xAE0, 0xAE1},
    {0xAF9, 0xAF9}, {0xB05, 0xB0C}, {0xB0F, 0xB10}, {0xB13, 0xB28}, {0xB2A, 0xB30},
    {0xB32, 0xB33}, {0xB35, 0xB39}, {0xB3D, 0xB3D}, {0xB5C, 0xB5D}, {0xB5F, 0xB61},
    {0xB71, 0xB71}, {0xB83, 0xB83}, {0xB85, 0xB8A}, {0xB8E, 0xB90}, {0xB92, 0xB95},
    {0xB99, 0xB9A}, {0xB9C, 0xB9C}, {0xB9E, 0xB9F}, {0xBA3, 0xBA4}, {0xBA8, 0xBAA},
    {0xBAE, 0xBB9}, {0xBD0, 0xBD0}, {0xC05, 0xC0C}, {0xC0E, 0xC10}, {0xC12, 0xC28},
    {0xC2A, 0xC39}, {0xC3D, 0xC3D}, {0xC58, 0xC5A}, {0xC5D, 0xC5D}, {0xC60, 0xC61},
    {0xC80, 0xC80}, {0xC85, 0xC8C}, {0xC8E, 0xC90}, {0xC92, 0xCA8}, {0xCAA, 0xCB3},
    {0xCB5, 0xCB9}, {0xCBD, 0xCBD}, {0xCDD, 0xCDE}, {0xCE0, 0xCE1}, {0xCF1, 0xCF2},
    {0xD04, 0xD0C}, {0xD0E, 0xD10}, {0xD12, 0xD3A}, {0xD3D, 0xD3D}, {0xD4E, 0xD4E},
    {0xD54, 0xD56}, {0xD5F, 0xD61}, {0xD7A, 0xD7F}, {0xD85, 0xD96}, {0xD9A, 0xDB1},
    {0xDB3, 0xDBB}, {0xDBD, 0xDBD}, {0xDC0, 0xDC6}, {0xE01, 0xE30}, {0xE32, 0xE33},
    {0xE40, 0xE46}, {0xE81, 0xE82}, {0xE84, 0xE84}, {0xE86, 0xE8A}, {0xE8C, 0xEA3},
    {0xEA5, 0xEA5}, {0xEA7, 0xEB0}, {0xEB2, 0xEB3}, {0xEBD, 0xEBD}, {0xEC0, 0xEC4},
    {0xEC6, 0xEC6}, {0xEDC, 0xEDF}, {0xF00, 0xF00}, {0xF40, 0xF47}, {0xF49, 0xF6C},
    {0xF88, 0xF8C}, {0x1000, 0x102A}, {0x103F, 0x103F}, {0x1050, 0x1055}, {0x105A, 0x105D},
    {0x1061, 0x1061}, {0x1065, 0x1066}, {0x106E, 0x1070}, {0x1075, 0x1081}, {0x108E, 0x108E},
    {0x10A0, 0x10C5}, {0x10C7, 0x10C7}, {0x10CD, 0x10CD}, {0x10D0, 0x10FA}, {0x10FC, 0x1248},
    {0x124A, 0x124D}, {0x1250, 0x1256}, {0x1258, 0x1258}, {0x125A, 0x125D}, {0x1260, 0x1288},
    {0x128A, 0x128D}, {0x1290, 0x12B0}, {0x12B2, 0x12B5}, {0x12B8, 0x12BE}, {0x12C0, 0x12C0},
    {0x12C2, 0x12C5}, {0x12C8, 0x12D6}, {0x12D8, 0x1310}, {0x1312, 0x1315}, {0x1318, 0x135A},
    {0x1380, 0x138F}, {0x13A0, 0x13F5}, {0x13F8, 0x13FD}, {0x1401, 0x166C}, {0x166F, 0x167F},
    {0x1681, 0x169A}, {0x16A0, 0x16EA}, {0x16F1, 0x16F8}, {0x1700, 0x1711}, {0x171F, 0x1731},
    {0x1740, 0x1751}, {0x1760, 0x176C}, {0x176E, 0x1770}, {0x1780, 0x17B3}, {0x17D7, 0x17D7},
    {0x17DC, 0x17DC}, {0x1820, 0x1878}, {0x1880, 0x1884}, {0x1887, 0x18A8}, {0x18AA, 0x18AA},
    {0x18B0, 0x18F5}, {0x1900, 0x191E}, {0x1950, 0x196D}, {0x1970, 0x1974}, {0x1980, 0x19AB},
    {0x19B0, 0x19C9}, {0x1A00, 0x1A16}, {0x1A20, 0x1A54}, {0x1AA7, 0x1AA7}, {0x1B05, 0x1B33},
    {0x1B45, 0x1B4C}, {0x1B83, 0x1BA0}, {0x1BAE, 0x1BAF}, {0x1BBA, 0x1BE5}, {0x1C00, 0x1C23},
    {0x1C4D, 0x1C4F}, {0x1C5A, 0x1C7D}, {0x1C80, 0x1C88}, {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF},
    {0x1CE9, 0x1CEC}, {0x1CEE, 0x1CF3}, {0x1CF5, 0x1CF6}, {0x1CFA, 0x1CFA}, {0x1D00, 0x1DBF},
    {0x1E00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57},
    {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4},
    {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3},
    {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC}, {0x2071, 0x2071},
    {0x207F, 0x207F}, {0x2090, 0x209C}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113},
    {0x2115, 0x2115}, {0x2119, 0x211D}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128},
    {0x212A, 0x212D}, {0x212F, 0x2139}, {0x213C, 0x213F}, {0x2145, 0x2149}, {0x214E, 0x214E},
    {0x2183, 0x2184}, {0x2C00, 0x2CE4}, {0x2CEB, 0x2CEE}, {0x2CF2, 0x2CF3}, {0x2D00, 0x2D25},
    {0x2D27, 0x2D27}, {0x2D2D, 0x2D2D}, {0x2D30, 0x2D67}, {0x2D6F, 0x2D6F}, {0x2D80, 0x2D96},
    {0x2DA0, 0x2DA6}, {0x2DA8, 0x2DAE}, {0x2DB0, 0x2DB6}, {0x2DB8, 0x2DBE}, {0x2DC0, 0x2DC6},
    {0x2DC8, 0x2DCE}, {0x2DD0, 0x2DD6}, {0x2DD8, 0x2DDE}, {0x2E2F, 0x2E2F}, {0x3005, 0x3006},
    {0x3031, 0x3035}, {0x303B, 0x303C}, {0x3041, 0x3096}, {0x309D, 0x309F}, {0x30A1, 0x30FA},
    {0x30FC, 0x30FF}, {0x3105, 0x312F}, {0x3131, 0x318E}, {0x31A0, 0x31BF}, {0x31F0, 0x31FF},
    {0x3400, 0x4DBF}, {0x4E00, 0xA48C}, {0xA4D0, 0xA4FD}, {0xA500, 0xA60C}, {0xA610, 0xA61F},
    {0xA62A, 0xA62B}, {0xA640, 0xA66E}, {0xA67F, 0xA69D}, {0xA6A0, 0xA6E5}, {0xA717, 0xA71F},
    {0xA722, 0xA788}, {0xA78B, 0xA7CA}, {0xA7D0, 0xA7D1}, {0xA7D3, 0xA7D3}, {0xA7D5, 0xA7D9},
    {0xA7F2, 0xA801}, {0xA803, 0xA805}, {0xA807, 0xA80A}, {0xA80C, 0xA822}, {0xA840, 0xA873},
    {0xA882, 0xA8B3}, {0xA8F2, 0xA8F7}, {0xA8FB, 0xA8FB}, {0xA8FD, 0xA8FE}, {0xA90A, 0xA925},
    {0xA930, 0xA946}, {0xA960, 0xA97C}, {0xA984, 0xA9B2}, {0xA9CF, 0xA9CF}, {0xA9E0, 0xA9E4},
    {0xA9E6, 0xA9EF}, {0xA9FA, 0xA9FE}, {0xAA00, 0xAA28}, {0xAA40, 0xAA42}, {0xAA44, 0xAA4B},
    {0xAA60, 0xAA76}, {0xAA7A, 0xAA7A}, {0xAA7E, 0xAAAF}, {0xAAB1, 0xAAB1}, {0xAAB5, 0xAAB6},
    {0xAAB9, 0xAABD}, {0xAAC0, 0xAAC0}, {0xAAC2, 0xAAC2}, {0xAADB, 0xAADD}, {0xAAE0, 0xAAEA},
    {0xAAF2, 0xAAF4}, {0xAB01, 0xAB06}, {0xAB09, 0xAB0E}, {0xAB11, 0xAB16}, {0xAB20, 0xAB26},
    {0xAB28, 0xAB2E}, {0xAB30, 0xAB5A}, {0xAB5C, 0xAB69}, {0xAB70, 0xABE2}, {0xAC00, 0xD7A3},
    {0xD7B0, 0xD7C6}, {0xD7CB, 0xD7FB}, {0xF900, 0xFA6D}, {0xFA70, 0xFAD9}, {0xFB00, 0xFB06},
    {0xFB13, 0xFB17}, {0xFB1D, 0xFB1D}, {0xFB1F, 0xFB28}, {0xFB2A, 0xFB36}, {0xFB38, 0xFB3C},
    {0xFB3E, 0xFB3E}, {0xFB40, 0xFB41}, {0xFB43, 0xFB44}, {0xFB46, 0xFBB1}, {0xFBD3, 0xFD3D},
    {0xFD50, 0xFD8F}, {0xFD92, 0xFDC7}, {0xFDF0, 0xFDFB}, {0xFE70, 0xFE74}, {0xFE76, 0xFEFC},
    {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0xFF66, 0xFFBE}, {0xFFC2, 0xFFC7}, {0xFFCA, 0xFFCF},
    {0xFFD2, 0xFFD7}, {0xFFDA, 0xFFDC}, {0x10000, 0x1000B}, {0x1000D, 0x10026},
    {0x10028, 0x1003A}, {0x1003C, 0x1003D}, {0x1003F, 0x1004D}, {0x10050, 0x1005D},
    {0x10080, 0x100FA}, {0x10280, 0x1029C}, {0x102A0, 0x102D0}, {0x10300, 0x1031F},
    {0x1032D, 0x10340}, {0x10342, 0x10349}, {0x10350, 0x10375}, {0x10380, 0x1039D},
    {0x103A0, 0x103C3}, {0x103C8, 0x103CF}, {0x10400, 0x1049D}, {0x104B0, 0x104D3},
    {0x104D8, 0x104FB}, {0x10500, 0x10527}, {0x10530, 0x10563}, {0x10570, 0x1057A},
    {0x1057C, 0x1058A}, {0x1058C, 0x10592}, {0x10594, 0x10595}, {0x10597, 0x105A1},
    {0x105A3, 0x105B1}, {0x105B3, 0x105B9}, {0x105BB, 0x105BC}, {0x10600, 0x10736},
    {0x10740, 0x10755}, {0x10760, 0x10767}, {0x10780, 0x10785}, {0x10787, 0x107B0},
    {0x107B2, 0x107BA}, {0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080A, 0x10835},
    {0x10837, 0x10838}, {0x1083C, 0x1083C}, {0x1083F, 0x10855}, {0x10860, 0x10876},
    {0x10880, 0x1089E}, {0x108E0, 0x108F2}, {0x108F4, 0x108F5}, {0x10900, 0x10915},
    {0x10920, 0x10939}, {0x10980, 0x109B7}, {0x109BE, 0x109BF}, {0x10A00, 0x10A00},
    {0x10A10, 0x10A13}, {0x10A15, 0x10A17}, {0x10A19, 0x10A35}, {0x10A60, 0x10A7C},
    {0x10A80, 0x10A9C}, {0x10AC0, 0x10AC7}, {0x10AC9, 0x10AE4}, {0x10B00, 0x10B35},
    {0x10B40, 0x10B55}, {0x10B60, 0x10B72}, {0x10B80, 0x10B91}, {0x10C00, 0x10C48},
    {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x10D00, 0x10D23}, {0x10E80, 0x10EA9},
    {0x10EB0, 0x10EB1}, {0x10F00, 0x10F1C}, {0x10F27, 0x10F27}, {0x10F30, 0x10F45},
    {0x10F70, 0x10F81}, {0x10FB0, 0x10FC4}, {0x10FE0, 0x10FF6}, {0x11003, 0x11037},
    {0x11071, 0x11072}, {0x11075, 0x11075}, {0x11083, 0x110AF}, {0x110D0, 0x110E8},
    {0x11103, 0x11126}, {0x11144, 0x11144}, {0x11147, 0x11147}, {0x11150, 0x11172},
    {0x11176, 0x11176}, {0x11183, 0x111B2}, {0x111C1, 0x111C4}, {0x111DA, 0x111DA},
    {0x111DC, 0x111DC}, {0x11200, 0x11211}, {0x11213, 0x1122B}, {0x11280, 0x11286},
    {0x11288, 0x11288}, {0x1128A, 0x1128D}, {0x1128F, 0x1129D}, {0x1129F, 0x112A8},
    {0x112B0, 0x112DE}, {0x11305, 0x1130C}, {0x1130F, 0x11310}, {0x11313, 0x11328},
    {0x1132A, 0x11330}, {0x11332, 0x11333}, {0x11335, 0x11339}, {0x1133D, 0x1133D},
    {0x11350, 0x11350}, {0x1135D, 0x11361}, {0x11400, 0x11434}, {0x11447, 0x1144A},
    {0x1145F, 0x11461}, {0x11480, 0x114AF}, {0x114C4, 0x114C5}, {0x114C7, 0x114C7},
    {0x11580, 0x115AE}, {0x115D8, 0x115DB}, {0x11600, 0x1162F}, {0x11644, 0x11644},
    {0x11680, 0x116AA}, {0x116B8, 0x116B8}, {0x11700, 0x1171A}, {0x11740, 0x11746},
    {0x11800, 0x1182B}, {0x118A0, 0x118DF}, {0x118FF, 0x11906}, {0x11909, 0x11909},
    {0x1190C, 0x11913}, {0x11915, 0x11916}, {0x11918, 0x1192F}, {0x1193F, 0x1193F},
    {0x11941, 0x11941}, {0x119A0, 0x119A7}, {0x119AA, 0x119D0}, {0x119E1, 0x119E1},
    {0x119E3, 0x119E3}, {0x11A00, 0x11A00}, {0x11A0B, 0x11A32}, {0x11A3A, 0x11A3A},
    {0x11A50, 0x11A50}, {0x11A5C, 0x11A89}, {0x11A9D, 0x11A9D}, {0x11AB0, 0x11AF8},
    {0x11C00, 0x11C08}, {0x11C0A, 0x11C2E}, {0x11C40, 0x11C40}, {0x11C72, 0x11C8F},
    {0x11D00, 0x11D06}, {0x11D08, 0x11D09}, {0x11D0B, 0x11D30}, {0x11D46, 0x11D46},
    {0x11D60, 0x11D65}, {0x11D67, 0x11D68}, {0x11D6A, 0x11D89}, {0x11D98, 0x11D98},
    {0x11EE0, 0x11EF2}, {0x11FB0, 0x11FB0}, {0x12000, 0x12399}, {0x12480, 0x12543},
    {0x12F90, 0x12FF0}, {0x13000, 0x1342E}, {0x14400, 0x14646}, {0x16800, 0x16A38},
    {0x16A40, 0x16A5E}, {0x16A70, 0x16ABE}, {0x16AD0, 0x16AED}, {0x16B00, 0x16B2F},
    {0x16B40, 0x16B43}, {0x16B63, 0x16B77}, {0x16B7D, 0x16B8F}, {0x16E40, 0x16E7F},
    {0x16F00, 0x16F4A}, {0x16F50, 0x16F50}, {0x16F93, 0x16F9F}, {0x16FE0, 0x16FE1},
    {0x16FE3, 0x16FE3}, {0x17000, 0x187F7}, {0x18800, 0x18CD5}, {0x18D00, 0x18D08},
    {0x1AFF0, 0x1AFF3}, {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B000, 0x1B122},
    {0x1B150, 0x1B152}, {0x1B164, 0x1B167}, {0x1B170, 0x1B2FB}, {0x1BC00, 0x1BC6A},
    {0x1BC70, 0x1BC7C}, {0x1BC80, 0x1BC88}, {0x1BC90, 0x1BC99}, {0x1D400, 0x1D454},
    {0x1D456, 0x1D49C}, {0x1D49E, 0x1D49F}, {0x1D4A2, 0x1D4A2}, {0x1D4A5, 0x1D4A6},
    {0x1D4A9, 0x1D4AC}, {0x1D4AE, 0x1D4B9}, {0x1D4BB, 0x1D4BB}, {0x1D4BD, 0x1D4C3},
    {0x1D4C5, 0x1D505}, {0x1D507, 0x1D50A}, {0x1D50D, 0x1D514}, {0x1D516, 0x1D51C},
    {0x1D51E, 0x1D539}, {0x1D53B, 0x1D53E}, {0x1D540, 0x1D544}, {0x1D546, 0x1D546},
    {0x1D54A, 0x1D550}, {0x1D552, 0x1D6A5}, {0x1D6A8, 0x1D6C0}, {0x1D6C2, 0x1D6DA},
    {0x1D6DC, 0x1D6FA}, {0x1D6FC, 0x1D714}, {0x1D716, 0x1D734}, {0x1D736, 0x1D74E},
    {0x1D750, 0x1D76E}, {0x1D770, 0x1D788}, {0x1D78A, 0x1D7A8}, {0x1D7AA, 0x1D7C2},
    {0x1D7C4, 0x1D7CB}, {0x1DF00, 0x1DF1E}, {0x1E100, 0x1E12C}, {0x1E137, 0x1E13D},
    {0x1E14E, 0x1E14E}, {0x1E290, 0x1E2AD}, {0x1E2C0, 0x1E2EB}, {0x1E7E0, 0x1E7E6},
    {0x1E7E8, 0x1E7EB}, {0x1E7ED, 0x1E7EE}, {0x1E7F0, 0x1E7FE}, {0x1E800, 0x1E8C4},
    {0x1E900, 0x1E943}, {0x1E94B, 0x1E94B}, {0x1EE00, 0x1EE03}, {0x1EE05, 0x1EE1F},
    {0x1EE21, 0x1EE22}, {0x1EE24, 0x1EE24}, {0x1EE27, 0x1EE27}, {0x1EE29, 0x1EE32},
    {0x1EE34, 0x1EE37}, {0x1EE39, 0x1EE39}, {0x1EE3B, 0x1EE3B}, {0x1EE42, 0x1EE42},
    {0x1EE47, 0x1EE47}, {0x1EE49, 0x1EE49}, {0x1EE4B, 0x1EE4B}, {0x1EE4D, 0x1EE4F},
    {0x1EE51, 0x1EE52}, {0x1EE54, 0x1EE54}, {0x1EE57, 0x1EE57}, {0x1EE59, 0x1EE59},
    {0x1EE5B, 0x1EE5B}, {0x1EE5D, 0x1EE5D}, {0x1EE5F, 0x1EE5F}, {0x1EE61, 0x1EE62},
    {0x1EE64, 0x1EE64}, {0x1EE67, 0x1EE6A}, {0x1EE6C, 0x1EE72}, {0x1EE74, 0x1EE77},
    {0x1EE79, 0x1EE7C}, {0x1EE7E, 0x1EE7E}, {0x1EE80, 0x1EE89}, {0x1EE8B, 0x1EE9B},
    {0x1EEA1, 0x1EEA3}, {0x1EEA5, 0x1EEA9}, {0x1EEAB, 0x1EEBB}, {0x20000, 0x2A6DF},
    {0x2A700, 0x2B738}, {0x2B740, 0x2B81D}, {0x2B820, 0x2CEA1}, {0x2CEB0, 0x2EBE0},
    {0x2F800, 0x2FA1D}, {0x30000, 0x3134A},
};
static const uint32_t uni_digit[][2] = {
    {0x660, 0x669}, {0x6F0, 0x6F9}, {0x7C0, 0x7C9}, {0x966, 0x96F}, {0x9E6, 0x9EF},
    {0xA66, 0xA6F}, {0xAE6, 0xAEF}, {0xB66, 0xB6F}, {0xBE6, 0xBEF}, {0xC66, 0xC6F},
    {0xCE6, 0xCEF}, {0xD66, 0xD6F}, {0xDE6, 0xDEF}, {0xE50, 0xE59}, {0xED0, 0xED9},
    {0xF20, 0xF29}, {0x1040, 0x1049}, {0x1090, 0x1099}, {0x17E0, 0x17E9}, {0x1810, 0x1819},
    {0x1946, 0x194F}, {0x19D0, 0x19D9}, {0x1A80, 0x1A89}, {0x1A90, 0x1A99}, {0x1B50, 0x1B59},
    {0x1BB0, 0x1BB9}, {0x1C40, 0x1C49}, {0x1C50, 0x1C59}, {0xA620, 0xA629}, {0xA8D0, 0xA8D9},
    {0xA900, 0xA909}, {0xA9D0, 0xA9D9}, {0xA9F0, 0xA9F9}, {0xAA50, 0xAA59}, {0xABF0, 0xABF9},
    {0xFF10, 0xFF19}, {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
    {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9},
    {0x11450, 0x11459}, {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9},
    {0x11730, 0x11739}, {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59},
    {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9},
    {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
    {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

static bool uni_is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    return in_ranges(uni_letter, RP_ARRAY_LEN(uni_letter), cp);
}

static bool uni_is_digit(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return in_ranges(uni_digit, RP_ARRAY_LEN(uni_digit), cp);
}

/* Decodes s into runes (Go's []rune(s): invalid bytes become U+FFFD). */
static uint32_t *to_runes(rp_arena *a, const char *s, size_t n, size_t *count)
{
    uint32_t *r = rp_arena_array(a, n + 1, sizeof(uint32_t));
    if (!r)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t w = rp_utf8_decode(s + i, n - i, &r[k]);
        if (w == 0) {
            r[k] = 0xfffd;
            w = 1;
        }
        i += w;
        k++;
    }
    *count = k;
    return r;
}

/* go-yaml's keyList.Less for two string keys: letters sort by code point,
 * a letter sorts after a non-letter, runs of digits compare as numbers. */
static bool yaml_key_less(const uint32_t *a, size_t an, const uint32_t *b, size_t bn)
{
    for (size_t i = 0; i < an && i < bn; i++) {
        if (a[i] == b[i])
            continue;
        bool al = uni_is_letter(a[i]), bl = uni_is_letter(b[i]);
        if (al && bl)
            return a[i] < b[i];
        if (al || bl)
            return bl;
        int64_t anum = 0, bnum = 0;
        if (a[i] == '0' || b[i] == '0') {
            for (size_t j = i; j-- > 0 && uni_is_digit(a[j]);)
                if (a[j] != '0') {
                    anum = bnum = 1;
                    break;
                }
        }
        /* Go's int arithmetic wraps on long digit runs; do the same without
         * signed overflow (unsigned arithmetic, two's-complement result). */
        size_t ai = i, bi = i;
        for (; ai < an && uni_is_digit(a[ai]); ai++)
            anum = (int64_t)((uint64_t)anum * 10u + (uint64_t)(a[ai] - '0'));
        for (; bi < bn && uni_is_digit(b[bi]); bi++)
            bnum = (int64_t)((uint64_t)bnum * 10u + (uint64_t)(b[bi] - '0'));
        if (anum != bnum)
            return anum < bnum;
        if (ai != bi)
            return ai < bi;
        return a[i] < b[i];
    }
    return an < bn;
}

typedef struct {
    const char *k; /* sanitized key */
    size_t kn;
    uint32_t *runes;
    size_t nr;
    rego_value v;
} ykey;

/* Stable insertion-merge sort over ykeys with yaml_key_less. */
static void ykey_sort(ykey *k, ykey *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    ykey_sort(k, tmp, h);
    ykey_sort(k + h, tmp, n - h);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = yaml_key_less(k[j].runes, k[j].nr, k[i].runes, k[i].nr) ? k[j++] : k[i++];
    while (i < h)
        tmp[o++] = k[i++];
    while (j < n)
        tmp[o++] = k[j++];
    memcpy(k, tmp, n * sizeof(ykey));
}

/* A string as the YAML parser reads it back from Go's JSON: invalid UTF-8
 * became U+FFFD; a raw U+0085 (Go's JSON does not escape it) is a line
 * break inside the double-quoted scalar, so it folds with the spaces
 * around it.  Returns false when the reader would reject a character. */
static bool yaml_string_view(rp_buf *b, const char *s, size_t n)
{
    size_t pending_spaces = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t w = rp_utf8_decode(s + i, n - i, &cp);
        if (w == 0) {
            cp = 0xfffd;
            w = 1;
        }
        if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f && cp != 0x85) || cp == 0xfffe || cp == 0xffff)
            return false; /* "control characters are not allowed" */
        if (cp == 0x85) {
            size_t breaks = 0;
            while (i < n) {
                if (s[i] == ' ') {
                    i++;
                } else if (i + 1 < n && (unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] == 0x85) {
                    breaks++;
                    i += 2;
                } else {
                    break;
                }
            }
            pending_spaces = 0;
            if (breaks == 1)
                rp_buf_putc(b, ' ');
            for (size_t k = 1; k < breaks; k++)
                rp_buf_putc(b, '\n');
            continue;
        }
        if (cp == ' ') {
            pending_spaces++;
            i++;
            continue;
        }
        for (; pending_spaces; pending_spaces--)
            rp_buf_putc(b, ' ');
        if (w == 1 && cp == 0xfffd)
            rp_buf_puts(b, "\xef\xbf\xbd");
        else
            rp_buf_append(b, s + i, w);
        i += w;
    }
    for (; pending_spaces; pending_spaces--)
        rp_buf_putc(b, ' ');
    return true;
}

/* ---- go-yaml's plain scalar resolution (resolve.go) ------------------------------ */

/* strconv.ParseInt/ParseUint(s, 0, 64): 1 ok, 0 syntax error, 2 out of range. */
static int go_parse_int(const char *s, size_t n, bool is_signed)
{
    size_t i = 0;
    bool neg = false;
    if (is_signed && n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    unsigned base = 10;
    if (n - i >= 2 && s[i] == '0') {
        char p = (char)(s[i + 1] | 0x20);
        if (p == 'x' || p == 'b' || p == 'o') {
            base = p == 'x' ? 16 : p == 'b' ? 2 : 8;
            i += 2;
        } else {
            base = 8;
            i += 1;
            if (i == n)
                return 1;
        }
    } else if (n - i == 1 && s[i] == '0') {
        return 1;
    }
    if (i >= n)
        return 0;
    uint64_t v = 0;
    bool range = false;
    for (; i < n; i++) {
        int d = hex_val((unsigned char)s[i]);
        if (d < 0 || (unsigned)d >= base)
            return 0;
        if (!range && v > (UINT64_MAX - (unsigned)d) / base)
            range = true;
        if (!range)
            v = v * base + (unsigned)d;
    }
    if (range)
        return 2;
    if (!is_signed)
        return 1;
    return v <= (uint64_t)INT64_MAX + (neg ? 1u : 0u) ? 1 : 2;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_float_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d) {
        if (i >= n || s[i] != '.')
            return false;
        i++;
        size_t f = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return false;
    } else if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return false;
    }
    return i == n;
}

/* ParseFloat succeeds unless the value overflows. */
static bool go_float_ok(const char *s, size_t n)
{
    char buf[512];
    if (n >= sizeof(buf))
        return true; /* only the exponent decides overflow; long mantissas are fine */
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    double d = strtod(buf, NULL);
    return !isinf(d);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* Go's getnum(s, false): one or two digits. */
static bool getnum12(const char **p, const char *end, int *v)
{
    const char *s = *p;
    if (s >= end || *s < '0' || *s > '9')
        return false;
    *v = *s++ - '0';
    if (s < end && *s >= '0' && *s <= '9')
        *v = *v * 10 + (*s++ - '0');
    *p = s;
    return true;
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : d[month - 1];
}

/* go-yaml's parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00"
 * (also 't'), "2006-1-2 15:4:5.999999999" or "2006-1-2". */
static bool yaml_timestamp(const char *s, size_t n)
{
    if (n < 5 || !all_digits(s, 4) || s[4] != '-')
        return false;
    const char *p = s + 5, *end = s + n;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mon, day, h, mi, se;
    if (!getnum12(&p, end, &mon) || mon < 1 || mon > 12 || p >= end || *p++ != '-' ||
        !getnum12(&p, end, &day))
        return false;
    if (day < 1 || day > days_in(mon, year))
        return false;
    if (p == end)
        return true;
    char sep = *p++;
    if (sep != 'T' && sep != 't' && sep != ' ')
        return false;
    if (!getnum12(&p, end, &h) || h > 23 || p >= end || *p++ != ':' || !getnum12(&p, end, &mi) ||
        mi > 59 || p >= end || *p++ != ':' || !getnum12(&p, end, &se) || se > 59)
        return false;
    if (end - p >= 2 && (*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
        p++;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (sep == ' ')
        return p == end;
    if (p < end && *p == 'Z')
        return p + 1 == end;
    if (end - p != 6 || (*p != '+' && *p != '-') || p[3] != ':' || !all_digits(p + 1, 2) ||
        !all_digits(p + 4, 2))
        return false;
    return (p[1] - '0') * 10 + (p[2] - '0') <= 24 && (p[4] - '0') * 10 + (p[5] - '0') <= 60;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool yaml_base60(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
        i++;
    size_t groups = 0;
    while (i < n && s[i] == ':') {
        i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - d < 2)
            i++;
        if (i == d || (i - d == 2 && s[d] > '5'))
            return false;
        groups++;
    }
    if (!groups)
        return false;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            i++;
    }
    return i == n;
}

/* Whether go-yaml resolves the unquoted string to something other than a
 * string (so that yaml.Marshal must quote it). */
static bool yaml_resolves_non_str(const char *s, size_t n)
{
    static const char *const words[] = {
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
        "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
    if (n == 0)
        return true;
    char h = s[0];
    bool sign = h == '+' || h == '-', digit = h >= '0' && h <= '9';
    if (!sign && !digit && h != '.' && !strchr("yYnNtTfFoO~", h))
        return false;
    for (size_t i = 0; i < RP_ARRAY_LEN(words); i++)
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
            return true;
    if (h == '.')
        return yaml_float_syntax(s, n) && go_float_ok(s, n);
    if (!sign && !digit)
        return false;
    if (yaml_timestamp(s, n))
        return true;
    char *plain = malloc(n + 1);
    if (!plain)
        return true; /* quoting is always safe */
    size_t pn = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            plain[pn++] = s[i];
    plain[pn] = 0;
    bool r = true;
    int u = 0;
    if (go_parse_int(plain, pn, true) == 1 || (u = go_parse_int(plain, pn, false)) == 1)
        goto out;
    if (yaml_float_syntax(plain, pn) && go_float_ok(plain, pn))
        goto out;
    if (pn > 2 && plain[0] == '0' && plain[1] == 'b' &&
        (go_parse_int(plain, pn, true) == 1 || go_parse_int(plain, pn, false) == 1))
        goto out;
    if (pn > 3 && memcmp(plain, "-0b", 3) == 0 && go_parse_int(plain, pn, true) == 1)
        goto out;
    r = u == 2; /* out of range for uint64 but a valid integer: a big.Int */
out:
    free(plain);
    return r;
}

/* A JSON number as go-yaml decodes and re-encodes it: int64 and uint64
 * stay integers, anything else becomes a float64. */
static void yaml_number(rp_buf *b, rego_value v)
{
    if (v.sub == REGO_NUM_INT) {
        rp_buf_printf(b, "%lld", (long long)v.u.i);
        return;
    }
    if (v.sub == REGO_NUM_FLOAT) {
        rego_double_write_g(b, v.u.f, 6); /* strconv.FormatFloat(f, 'g', -1, 64) */
        return;
    }
    mpz_t z;
    mpz_init(z);
    rego_num_to_mpz(v, z);
    char *s = mpz_get_str(NULL, 10, z);
    if (mpz_sgn(z) > 0 && mpz_sizeinbase(z, 2) <= 64)
        rp_buf_puts(b, s);
    else
        rego_double_write_g(b, strtod(s, NULL), 6);
    void (*freefn)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &freefn);
    freefn(s, strlen(s) + 1);
    mpz_clear(z);
}

/* ---- the go-yaml v2 emitter -------------------------------------------------------- *
 * The subset of emitterc.go that a JSON document exercises: block mappings
 * and sequences, "[]"/"{}" for empty ones, plain / single-quoted /
 * double-quoted / literal scalars, 2-space indentation, folding at column
 * 80, unicode output.  Field and function names follow go-yaml's so the two
 * can be compared line by line. */

#define YAML_BEST_INDENT 2
#define YAML_BEST_WIDTH 80
#define YAML_MAX_SIMPLE_KEY 128

typedef enum { YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL } ystyle;

typedef struct {
    rego_bctx *ctx;
    rp_buf *out;
    int indent;
    int *indents;
    size_t nind, capind;
    int column;
    bool whitespace, indention, open_ended;
    int flow_level;
    bool root_ctx, seq_ctx, map_ctx, simple_key_ctx;
    const char *v; /* the scalar being emitted and its analysis */
    size_t n;
    bool multiline, flow_plain, block_plain, single_ok, block_ok;
    bool bad_char; /* a character the YAML reader rejects */
} yem;

static size_t y_width(unsigned char c)
{
    return (c & 0x80) == 0 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
           : (c & 0xf8) == 0xf0                     ? 4
                                                    : 1;
}

static unsigned char y_at(const char *v, size_t n, size_t i)
{
    return i < n ? (unsigned char)v[i] : 0;
}

static bool y_is_space(const char *v, size_t n, size_t i) { return y_at(v, n, i) == ' '; }

static bool y_is_blank(const char *v, size_t n, size_t i)
{
    return y_at(v, n, i) == ' ' || y_at(v, n, i) == '\t';
}

static bool y_is_break(const char *v, size_t n, size_t i)
{
    unsigned char c = y_at(v, n, i);
    return c == '\r' || c == '\n' || (c == 0xc2 && y_at(v, n, i + 1) == 0x85) ||
           (c == 0xe2 && y_at(v, n, i + 1) == 0x80 &&
            (y_at(v, n, i + 2) == 0xa8 || y_at(v, n, i + 2) == 0xa9));
}

static bool y_is_blankz(const char *v, size_t n, size_t i)
{
    return y_is_blank(v, n, i) || y_is_break(v, n, i) || y_at(v, n, i) == 0;
}

/* go-yaml's is_printable (tabs, C1 controls and astral characters are not). */
static bool y_is_printable(const char *v, size_t n, size_t i)
{
    unsigned char c = y_at(v, n, i), c1 = y_at(v, n, i + 1), c2 = y_at(v, n, i + 2);
    return c == 0x0a || (c >= 0x20 && c <= 0x7e) || (c == 0xc2 && c1 >= 0xa0) ||
           (c > 0xc2 && c < 0xed) || (c == 0xed && c1 < 0xa0) || c == 0xee ||
           (c == 0xef && !(c1 == 0xbb && c2 == 0xbf) && !(c1 == 0xbf && (c2 == 0xbe || c2 == 0xbf)));
}

static void y_put(yem *e, char c)
{
    rp_buf_putc(e->out, c);
    e->column++;
}

static void y_put_break(yem *e)
{
    rp_buf_putc(e->out, '\n');
    e->column = 0;
}

static void y_write(yem *e, const char *v, size_t n, size_t *i)
{
    size_t w = y_width((unsigned char)v[*i]);
    if (*i + w > n)
        w = n - *i;
    rp_buf_append(e->out, v + *i, w);
    e->column++;
    *i += w;
}

static void y_write_break(yem *e, const char *v, size_t n, size_t *i)
{
    if (v[*i] == '\n') {
        y_put_break(e);
        (*i)++;
    } else {
        y_write(e, v, n, i);
        e->column = 0;
    }
}

static void y_write_indent(yem *e)
{
    int indent = e->indent < 0 ? 0 : e->indent;
    if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
        y_put_break(e);
    while (e->column < indent)
        y_put(e, ' ');
    e->whitespace = true;
    e->indention = true;
}

static void y_write_indicator(yem *e, const char *ind, bool need_ws, bool is_ws, bool is_indention)
{
    if (need_ws && !e->whitespace)
        y_put(e, ' ');
    size_t n = strlen(ind);
    for (size_t i = 0; i < n;)
        y_write(e, ind, n, &i);
    e->whitespace = is_ws;
    e->indention = e->indention && is_indention;
    e->open_ended = false;
}

static bool y_increase_indent(yem *e, bool flow, bool indentless)
{
    if (e->nind == e->capind) {
        size_t cap = e->capind ? e->capind * 2 : 32;
        int *ni = rp_arena_grow(e->ctx->arena, e->indents, e->capind * sizeof(int),
                                cap * sizeof(int));
        if (!ni)
            return false;
        e->indents = ni;
        e->capind = cap;
    }
    e->indents[e->nind++] = e->indent;
    if (e->indent < 0)
        e->indent = flow ? YAML_BEST_INDENT : 0;
    else if (!indentless)
        e->indent += YAML_BEST_INDENT;
    return true;
}

static void y_pop_indent(yem *e) { e->indent = e->indents[--e->nind]; }

/* yaml_emitter_analyze_scalar. */
static void y_analyze(yem *e, const char *v, size_t n)
{
    e->v = v;
    e->n = n;
    if (n == 0) {
        e->multiline = false;
        e->flow_plain = false;
        e->block_plain = true;
        e->single_ok = true;
        e->block_ok = false;
        return;
    }
    bool block_ind = false, flow_ind = false, line_breaks = false, special = false;
    bool leading_space = false, leading_break = false, trailing_space = false,
         trailing_break = false, break_space = false, space_break = false;
    bool preceded_ws = true, prev_space = false, prev_break = false;
    if (n >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') || (v[0] == '.' && v[1] == '.' && v[2] == '.')))
        block_ind = flow_ind = true;
    for (size_t i = 0, w; i < n; i += w) {
        w = y_width((unsigned char)v[i]);
        bool followed_ws = i + w >= n || y_is_blank(v, n, i + w);
        char c = v[i];
        if (i == 0) {
            if (strchr("#,[]{}&*!|>'\"%@`", c) && c) {
                flow_ind = block_ind = true;
            } else if (c == '?' || c == ':') {
                flow_ind = true;
                block_ind |= followed_ws;
            } else if (c == '-' && followed_ws) {
                flow_ind = block_ind = true;
            }
        } else {
            if (c && strchr(",?[]{}", c)) {
                flow_ind = true;
            } else if (c == ':') {
                flow_ind = true;
                block_ind |= followed_ws;
            } else if (c == '#' && preceded_ws) {
                flow_ind = block_ind = true;
            }
        }
        if (!y_is_printable(v, n, i))
            special = true;
        if (y_is_space(v, n, i)) {
            leading_space |= i == 0;
            trailing_space |= i + w == n;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if (y_is_break(v, n, i)) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i + w == n;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = prev_break = false;
        }
        preceded_ws = y_is_blankz(v, n, i);
    }
    e->multiline = line_breaks;
    e->flow_plain = e->block_plain = e->single_ok = e->block_ok = true;
    if (leading_space || leading_break || trailing_space || trailing_break)
        e->flow_plain = e->block_plain = false;
    if (trailing_space)
        e->block_ok = false;
    if (break_space)
        e->flow_plain = e->block_plain = e->single_ok = false;
    if (space_break || special)
        e->flow_plain = e->block_plain = e->single_ok = e->block_ok = false;
    if (line_breaks)
        e->flow_plain = e->block_plain = false;
    if (flow_ind)
        e->flow_plain = false;
    if (block_ind)
        e->block_plain = false;
}

/* yaml_emitter_select_scalar_style (no tags: every scalar is implicit). */
static ystyle y_select_style(const yem *e, ystyle style)
{
    if (e->simple_key_ctx && e->multiline)
        style = YS_DOUBLE;
    if (style == YS_PLAIN) {
        if ((e->flow_level && !e->flow_plain) || (!e->flow_level && !e->block_plain))
            style = YS_SINGLE;
        if (e->n == 0 && (e->flow_level || e->simple_key_ctx))
            style = YS_SINGLE;
    }
    if (style == YS_SINGLE && !e->single_ok)
        style = YS_DOUBLE;
    if (style == YS_LITERAL && (!e->block_ok || e->flow_level || e->simple_key_ctx))
        style = YS_DOUBLE;
    return style;
}

static void y_write_plain(yem *e, bool allow_breaks)
{
    const char *v = e->v;
    size_t n = e->n;
    if (!e->whitespace)
        y_put(e, ' ');
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < n;) {
        if (y_is_space(v, n, i)) {
            if (allow_breaks && !spaces && e->column > YAML_BEST_WIDTH && !y_is_space(v, n, i + 1)) {
                y_write_indent(e);
                i += y_width((unsigned char)v[i]);
            } else {
                y_write(e, v, n, &i);
            }
            spaces = true;
        } else if (y_is_break(v, n, i)) {
            if (!breaks && v[i] == '\n')
                y_put_break(e);
            y_write_break(e, v, n, &i);
            e->indention = true;
            breaks = true;
        } else {
            if (breaks)
                y_write_indent(e);
            y_write(e, v, n, &i);
            e->indention = false;
            spaces = breaks = false;
        }
    }
    e->whitespace = false;
    e->indention = false;
    if (e->root_ctx)
        e->open_ended = true;
}

static void y_write_single(yem *e, bool allow_breaks)
{
    const char *v = e->v;
    size_t n = e->n;
    y_write_indicator(e, "'", true, false, false);
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < n;) {
        if (y_is_space(v, n, i)) {
            if (allow_breaks && !spaces && e->column > YAML_BEST_WIDTH && i > 0 && i < n - 1 &&
                !y_is_space(v, n, i + 1)) {
                y_write_indent(e);
                i += y_width((unsigned char)v[i]);
            } else {
                y_write(e, v, n, &i);
            }
            spaces = true;
        } else if (y_is_break(v, n, i)) {
            if (!breaks && v[i] == '\n')
                y_put_break(e);
            y_write_break(e, v, n, &i);
            e->indention = true;
            breaks = true;
        } else {
            if (breaks)
                y_write_indent(e);
            if (v[i] == '\'')
                y_put(e, '\'');
            y_write(e, v, n, &i);
            e->indention = false;
            spaces = breaks = false;
        }
    }
    y_write_indicator(e, "'", false, false, false);
    e->whitespace = false;
    e->indention = false;
}

static void y_write_escape(yem *e, uint32_t cp)
{
    static const struct {
        uint32_t cp;
        char c;
    } named[] = {{0x00, '0'},  {0x07, 'a'},  {0x08, 'b'},  {0x09, 't'},    {0x0a, 'n'},
                 {0x0b, 'v'},  {0x0c, 'f'},  {0x0d, 'r'},  {0x1b, 'e'},    {0x22, '"'},
                 {0x5c, '\\'}, {0x85, 'N'},  {0xa0, '_'},  {0x2028, 'L'}, {0x2029, 'P'}};
    y_put(e, '\\');
    for (size_t k = 0; k < RP_ARRAY_LEN(named); k++)
        if (named[k].cp == cp) {
            y_put(e, named[k].c);
            return;
        }
    int digits = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
    y_put(e, cp <= 0xff ? 'x' : cp <= 0xffff ? 'u' : 'U');
    for (int k = (digits - 1) * 4; k >= 0; k -= 4)
        y_put(e, hex_upper[(cp >> k) & 15]);
}

static void y_write_double(yem *e, bool allow_breaks)
{
    const char *v = e->v;
    size_t n = e->n;
    bool spaces = false;
    y_write_indicator(e, "\"", true, false, false);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)v[i];
        bool bom = c == 0xef && y_at(v, n, i + 1) == 0xbb && y_at(v, n, i + 2) == 0xbf;
        if (!y_is_printable(v, n, i) || bom || y_is_break(v, n, i) || c == '"' || c == '\\') {
            uint32_t cp;
            size_t w = rp_utf8_decode(v + i, n - i, &cp);
            i += w ? w : 1;
            y_write_escape(e, cp);
            spaces = false;
        } else if (y_is_space(v, n, i)) {
            if (allow_breaks && !spaces && e->column > YAML_BEST_WIDTH && i > 0 && i < n - 1) {
                y_write_indent(e);
                if (y_is_space(v, n, i + 1))
                    y_put(e, '\\');
                i += y_width(c);
            } else {
                y_write(e, v, n, &i);
            }
            spaces = true;
        } else {
            y_write(e, v, n, &i);
            spaces = false;
        }
    }
    y_write_indicator(e, "\"", false, false, false);
    e->whitespace = false;
    e->indention = false;
}

/* The indentation and chomping indicators after '|'. */
static void y_block_hints(yem *e)
{
    const char *v = e->v;
    size_t n = e->n;
    if (y_is_space(v, n, 0) || y_is_break(v, n, 0)) {
        char hint[2] = {(char)('0' + YAML_BEST_INDENT), 0};
        y_write_indicator(e, hint, false, false, false);
    }
    e->open_ended = false;
    const char *chomp = NULL;
    if (n == 0) {
        chomp = "-";
    } else {
        size_t i = n - 1;
        while (i > 0 && ((unsigned char)v[i] & 0xc0) == 0x80)
            i--;
        if (!y_is_break(v, n, i)) {
            chomp = "-";
        } else if (i == 0) {
            chomp = "+";
            e->open_ended = true;
        } else {
            i--;
            while (i > 0 && ((unsigned char)v[i] & 0xc0) == 0x80)
                i--;
            if (y_is_break(v, n, i)) {
                chomp = "+";
                e->open_ended = true;
            }
        }
    }
    if (chomp)
        y_write_indicator(e, chomp, false, false, false);
}

static void y_write_literal(yem *e)
{
    const char *v = e->v;
    size_t n = e->n;
    y_write_indicator(e, "|", true, false, false);
    y_block_hints(e);
    y_put_break(e);
    e->indention = true;
    e->whitespace = true;
    bool breaks = true;
    for (size_t i = 0; i < n;) {
        if (y_is_break(v, n, i)) {
            y_write_break(e, v, n, &i);
            e->indention = true;
            breaks = true;
        } else {
            if (breaks)
                y_write_indent(e);
            y_write(e, v, n, &i);
            e->indention = false;
            breaks = false;
        }
    }
}

/* yaml_emitter_emit_scalar for an analyzed scalar. */
static bool y_emit_scalar(yem *e, ystyle requested)
{
    ystyle style = y_select_style(e, requested);
    if (!y_increase_indent(e, true, false))
        return false;
    switch (style) {
    case YS_PLAIN: y_write_plain(e, !e->simple_key_ctx); break;
    case YS_SINGLE: y_write_single(e, !e->simple_key_ctx); break;
    case YS_DOUBLE: y_write_double(e, !e->simple_key_ctx); break;
    case YS_LITERAL: y_write_literal(e); break;
    }
    y_pop_indent(e);
    return true;
}

/* go-yaml's encoder.stringv: literal for multi-line text, plain when the
 * text would read back as the same string, else double-quoted. */
static ystyle y_string_style(const char *s, size_t n)
{
    if (memchr(s, '\n', n))
        return YS_LITERAL;
    if (!yaml_resolves_non_str(s, n) && !yaml_base60(s, n))
        return YS_PLAIN;
    return YS_DOUBLE;
}

/* A string scalar: sanitized, analyzed, emitted. */
static bool y_emit_string(yem *e, const char *s, size_t n)
{
    rp_buf b;
    rp_buf_init(&b);
    if (!yaml_string_view(&b, s, n)) {
        rp_buf_free(&b);
        e->bad_char = true;
        return false;
    }
    char *v = rp_arena_strndup(e->ctx->arena, b.data ? b.data : "", b.len);
    size_t vn = b.len;
    bool failed = b.failed;
    rp_buf_free(&b);
    if (!v || failed)
        return false;
    y_analyze(e, v, vn);
    return y_emit_scalar(e, y_string_style(v, vn));
}

static bool y_emit_node(yem *e, rego_value v, bool root, bool seq, bool map, bool simple_key,
                        int depth);

static void y_set_ctx(yem *e, bool root, bool seq, bool map, bool simple_key)
{
    e->root_ctx = root;
    e->seq_ctx = seq;
    e->map_ctx = map;
    e->simple_key_ctx = simple_key;
}

/* An empty collection: go-yaml switches to flow style for it. */
static bool y_emit_empty(yem *e, const char *open, const char *close)
{
    y_write_indicator(e, open, true, true, false);
    if (!y_increase_indent(e, true, false))
        return false;
    y_pop_indent(e);
    y_write_indicator(e, close, false, false, false);
    return true;
}

static bool y_emit_sequence(yem *e, rego_value v, int depth)
{
    if (v.n == 0)
        return y_emit_empty(e, "[", "]");
    if (!y_increase_indent(e, false, e->map_ctx && !e->indention))
        return false;
    for (size_t i = 0; i < v.n; i++) {
        y_write_indent(e);
        y_write_indicator(e, "-", true, false, true);
        rego_value item = v.kind == REGO_ARRAY ? v.u.items[i] : rego_set_at(v, i);
        if (!y_emit_node(e, item, false, true, false, false, depth + 1))
            return false;
    }
    y_pop_indent(e);
    return true;
}

/* The mapping's keys as go-yaml orders them (after the JSON round trip). */
static bool y_sorted_keys(yem *e, rego_value v, int depth, ykey **out, size_t *n)
{
    jent *je;
    size_t m;
    if (go_map_entries(e->ctx, v, depth, &je, &m) != RP_OK)
        return false;
    ykey *k = rp_arena_array(e->ctx->arena, m + 1, sizeof(ykey));
    ykey *tmp = rp_arena_array(e->ctx->arena, m + 1, sizeof(ykey));
    if (!k || !tmp)
        return false;
    for (size_t i = 0; i < m; i++) {
        rp_buf b;
        rp_buf_init(&b);
        bool ok = yaml_string_view(&b, je[i].k, je[i].kn);
        char *s = ok ? rp_arena_strndup(e->ctx->arena, b.data ? b.data : "", b.len) : NULL;
        k[i] = (ykey){s, b.len, NULL, 0, je[i].v};
        rp_buf_free(&b);
        if (!ok) {
            e->bad_char = true;
            return false;
        }
        if (!s || !(k[i].runes = to_runes(e->ctx->arena, s, k[i].kn, &k[i].nr)))
            return false;
    }
    ykey_sort(k, tmp, m);
    size_t w = 0; /* keys equal after sanitizing: the later one wins */
    for (size_t i = 0; i < m; i++) {
        if (w && k[w - 1].kn == k[i].kn && memcmp(k[w - 1].k, k[i].k, k[i].kn) == 0)
            w--;
        k[w++] = k[i];
    }
    *out = k;
    *n = w;
    return true;
}

static bool y_emit_mapping(yem *e, rego_value v, int depth)
{
    ykey *keys;
    size_t n;
    if (!y_sorted_keys(e, v, depth, &keys, &n))
        return false;
    if (n == 0)
        return y_emit_empty(e, "{", "}");
    if (!y_increase_indent(e, false, false))
        return false;
    for (size_t i = 0; i < n; i++) {
        y_write_indent(e);
        y_analyze(e, keys[i].k, keys[i].kn);
        bool simple = !e->multiline && keys[i].kn <= YAML_MAX_SIMPLE_KEY;
        rego_value key = rego_str_borrow(keys[i].k, keys[i].kn);
        if (simple) {
            if (!y_emit_node(e, key, false, false, true, true, depth + 1))
                return false;
            y_write_indicator(e, ":", false, false, false);
        } else {
            y_write_indicator(e, "?", true, false, true);
            if (!y_emit_node(e, key, false, false, true, false, depth + 1))
                return false;
            y_write_indent(e);
            y_write_indicator(e, ":", true, false, true);
        }
        if (!y_emit_node(e, keys[i].v, false, false, true, false, depth + 1))
            return false;
    }
    y_pop_indent(e);
    return true;
}

static bool y_emit_node(yem *e, rego_value v, bool root, bool seq, bool map, bool simple_key,
                        int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return false;
    y_set_ctx(e, root, seq, map, simple_key);
    rp_buf num;
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF:
    case REGO_NULL:
        y_analyze(e, "null", 4);
        return y_emit_scalar(e, YS_PLAIN);
    case REGO_BOOL:
        y_analyze(e, v.u.b ? "true" : "false", v.u.b ? 4 : 5);
        return y_emit_scalar(e, YS_PLAIN);
    case REGO_NUMBER: {
        rp_buf_init(&num);
        yaml_number(&num, v);
        char *s = rp_arena_strndup(e->ctx->arena, num.data ? num.data : "", num.len);
        size_t n = num.len;
        rp_buf_free(&num);
        if (!s)
            return false;
        y_analyze(e, s, n);
        return y_emit_scalar(e, YS_PLAIN);
    }
    case REGO_STRING:
        return y_emit_string(e, v.u.s, v.n);
    case REGO_ARRAY:
    case REGO_SET:
        return y_emit_sequence(e, v, depth);
    case REGO_OBJECT:
        return y_emit_mapping(e, v, depth);
    }
    return false;
}

static rp_status bi_yaml_marshal(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rp_buf b;
    rp_buf_init(&b);
    yem e = {0};
    e.ctx = ctx;
    e.out = &b;
    e.indent = -1;
    e.whitespace = e.indention = true;
    bool ok = y_emit_node(&e, args[0], true, false, false, false, 0);
    if (ok)
        y_write_indent(&e); /* document end */
    if (!ok) {
        rp_buf_free(&b);
        if (e.bad_char)
            return rego_bi_errorf(ctx, "error converting JSON to YAML: yaml: control characters "
                                       "are not allowed");
        if (ctx->err->code != RP_OK)
            return ctx->err->code;
        if (rp_arena_failed(ctx->arena))
            return rego_bi_nomem(ctx);
        return limit_error(ctx, "value nesting", REGO_VALUE_MAX_DEPTH);
    }
    return buf_result(ctx, &b, out);
}

/* ---- yaml.unmarshal / yaml.is_valid ----------------------------------------------- */

static rp_status bi_yaml_unmarshal(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return ctx->err->code;
    rp_error perr = {0};
    rp_status st = rego_yaml_parse(ctx->arena, s, n, NULL, REGO_YAML_K8S, false, out, &perr);
    if (st == RP_OK)
        return RP_OK;
    /* sigs.k8s.io/yaml wraps go-yaml's error this way. */
    return reader_error(ctx, st, &perr, "error converting YAML to JSON: ");
}

static rp_status bi_yaml_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (args[0].kind != REGO_STRING) {
        *out = rego_bool(false);
        return RP_OK;
    }
    rp_error perr = {0};
    rego_value v;
    rp_status st = rego_yaml_parse(ctx->arena, args[0].u.s, args[0].n, NULL, REGO_YAML_K8S, false,
                                   &v, &perr);
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    *out = rego_bool(st == RP_OK);
    return RP_OK;
}

/* ---- table -------------------------------------------------------------------------- */

#define STR1 "(string) => string"

const rego_builtin rego_builtins_encoding[] = {
    {"json.marshal", NULL, "(any) => string", 1, 0, bi_json_marshal},
    {"json.marshal_with_options", NULL,
     "(any, object<indent: string, prefix: string, pretty: boolean>[string: any]) => string", 2, 0,
     bi_json_marshal_with_options},
    {"json.unmarshal", NULL, "(string) => any", 1, 0, bi_json_unmarshal},
    {"json.is_valid", NULL, "(string) => boolean", 1, 0, bi_json_is_valid},
    {"base64.encode", NULL, STR1, 1, 0, bi_base64_encode},
    {"base64.decode", NULL, STR1, 1, 0, bi_base64_decode},
    {"base64.is_valid", NULL, "(string) => boolean", 1, 0, bi_base64_is_valid},
    {"base64url.encode", NULL, STR1, 1, 0, bi_base64url_encode},
    {"base64url.encode_no_pad", NULL, STR1, 1, 0, bi_base64url_encode_no_pad},
    {"base64url.decode", NULL, STR1, 1, 0, bi_base64url_decode},
    {"hex.encode", NULL, STR1, 1, 0, bi_hex_encode},
    {"hex.decode", NULL, STR1, 1, 0, bi_hex_decode},
    {"urlquery.encode", NULL, STR1, 1, 0, bi_urlquery_encode},
    {"urlquery.decode", NULL, STR1, 1, 0, bi_urlquery_decode},
    {"urlquery.encode_object", NULL,
     "(object[string: string|array[string]|set[string]]) => string", 1, 0,
     bi_urlquery_encode_object},
    {"urlquery.decode_object", NULL, "(string) => object[string: array[string]]", 1, 0,
     bi_urlquery_decode_object},
    {"yaml.marshal", NULL, "(any) => string", 1, 0, bi_yaml_marshal},
    {"yaml.unmarshal", NULL, "(string) => any", 1, 0, bi_yaml_unmarshal},
    {"yaml.is_valid", NULL, "(string) => boolean", 1, 0, bi_yaml_is_valid},
    {0},
};
