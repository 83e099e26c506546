/*
 * graphql_parse.c — the GraphQL lexer and recursive-descent parser for
 * executable documents and SDL, reproducing gqlparser v2.5.1 (OPA's
 * internal/gqlparser): the same grammar quirks, the same error texts, and
 * the same error positions (line and rune column, including its oddities:
 * a CRLF counts two columns, a String token starts after its quote, a block
 * string reports the line it ends on).
 *
 * Invariants: the parser stops at the first error, which is the one
 * gqlparser records (it keeps parsing but never records a second one).  A
 * lexer error is reported only when the parser consumes the invalid token;
 * when it merely looks at it, the error is "Unexpected <Invalid>" at the
 * lexer's error position, as in gqlparser.  Nesting is bounded by
 * REGO_GRAPHQL_MAX_DEPTH (RP_ERR_LIMIT).  No global state.
 */
#include "graphql_parse.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

/* ---- shared helpers ---------------------------------------------------------- */

rp_status gql_error_set(gql_error *e, rp_status code, gql_pos pos, const char *fmt, ...)
{
    if (e->code != RP_OK)
        return e->code;
    e->code = code;
    e->has_loc = pos.set;
    e->line = pos.line;
    e->col = pos.col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

gql_str gql_str_dup(rp_arena *a, const char *s, size_t n)
{
    gql_str r = {"", 0};
    if (n == 0)
        return r;
    char *p = rp_arena_strndup(a, s, n);
    if (!p)
        return r;
    r.s = p;
    r.n = (uint32_t)n;
    return r;
}

bool gql_eq_c(gql_str a, const char *c)
{
    size_t n = strlen(c);
    return a.n == n && memcmp(a.s, c, n) == 0;
}

size_t gql_decode_rune(const char *s, size_t n, uint32_t *cp)
{
    if (n == 0) {
        *cp = 0xFFFD;
        return 0;
    }
    size_t k = rp_utf8_decode(s, n, cp);
    if (k == 0) {
        *cp = 0xFFFD; /* Go: RuneError, width 1 */
        return 1;
    }
    return k;
}

/* Code points Go's unicode.IsPrint rejects beyond Latin-1: spaces other than
 * U+0020, format characters, private use and the larger unassigned planes.
 * (A compact approximation of Go's tables; it covers what matters in error
 * messages.) */
static const uint32_t nonprint_ranges[][2] = {
    {0x0378, 0x0379}, {0x0600, 0x0605}, {0x061C, 0x061C}, {0x06DD, 0x06DD},
    {0x070F, 0x070F}, {0x0890, 0x0891}, {0x08E2, 0x08E2}, {0x1680, 0x1680},
    {0x180E, 0x180E}, {0x2000, 0x200F}, {0x2028, 0x202F}, {0x205F, 0x2064},
    {0x2066, 0x206F}, {0x3000, 0x3000}, {0xD800, 0xF8FF}, {0xFDD0, 0xFDEF},
    {0xFEFF, 0xFEFF}, {0xFFF0, 0xFFFB}, {0xFFFE, 0xFFFF}, {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0x323B0, 0xE00FF}, {0xE01F0, 0x10FFFF},
};

static bool go_isprint(uint32_t r)
{
    if (r < 0x100)
        return (r >= 0x20 && r < 0x7F) || (r >= 0xA1 && r != 0xAD);
    if ((r & 0xFFFE) == 0xFFFE)
        return false;
    for (size_t i = 0; i < RP_ARRAY_LEN(nonprint_ranges); i++)
        if (r >= nonprint_ranges[i][0] && r <= nonprint_ranges[i][1])
            return false;
    return true;
}

void gql_go_quote(rp_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    rp_buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t r = c;
        size_t w = 1;
        if (c >= 0x80)
            w = gql_decode_rune(s + i, n - i, &r);
        if (w == 1 && c >= 0x80) { /* invalid byte */
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            rp_buf_append(b, e, 4);
        } else if (r == '"' || r == '\\') {
            rp_buf_putc(b, '\\');
            rp_buf_putc(b, (char)r);
        } else if (go_isprint(r)) {
            rp_buf_append(b, s + i, w);
        } else {
            const char *esc = NULL;
            switch (r) {
            case '\a': esc = "\\a"; break;
            case '\b': esc = "\\b"; break;
            case '\f': esc = "\\f"; break;
            case '\n': esc = "\\n"; break;
            case '\r': esc = "\\r"; break;
            case '\t': esc = "\\t"; break;
            case '\v': esc = "\\v"; break;
            default: break;
            }
            if (esc)
                rp_buf_puts(b, esc);
            else if (r < ' ' || r == 0x7F)
                rp_buf_printf(b, "\\x%02x", (unsigned)r);
            else if (r < 0x10000)
                rp_buf_printf(b, "\\u%04x", (unsigned)r);
            else
                rp_buf_printf(b, "\\U%08x", (unsigned)r);
        }
        i += w;
    }
    rp_buf_putc(b, '"');
}

/* ---- a byte buffer growing in the arena ---------------------------------------- */

typedef struct {
    rp_arena *a;
    char *p;
    size_t n, cap;
    bool failed;
} abuf;

static void ab_append(abuf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = rp_arena_grow(b->a, b->p, b->cap, cap);
        if (!np) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

/* Go's bytes.Buffer.WriteRune: surrogates and out-of-range runes become
 * U+FFFD. */
static void ab_rune(abuf *b, uint32_t r)
{
    char enc[4];
    size_t k = rp_utf8_encode(r, enc);
    ab_append(b, enc, k);
}

/* ---- lexer ------------------------------------------------------------------- */

typedef enum {
    TK_INVALID,
    TK_EOF,
    TK_BANG,
    TK_DOLLAR,
    TK_AMP,
    TK_PAREN_L,
    TK_PAREN_R,
    TK_SPREAD,
    TK_COLON,
    TK_EQUALS,
    TK_AT,
    TK_BRACKET_L,
    TK_BRACKET_R,
    TK_BRACE_L,
    TK_BRACE_R,
    TK_PIPE,
    TK_NAME,
    TK_INT,
    TK_FLOAT,
    TK_STRING,
    TK_BLOCK_STRING,
} tokkind;

/* lexer.Type.String() */
static const char *tok_name(tokkind k)
{
    switch (k) {
    case TK_INVALID: return "<Invalid>";
    case TK_EOF: return "<EOF>";
    case TK_BANG: return "!";
    case TK_DOLLAR: return "$";
    case TK_AMP: return "&";
    case TK_PAREN_L: return "(";
    case TK_PAREN_R: return ")";
    case TK_SPREAD: return "...";
    case TK_COLON: return ":";
    case TK_EQUALS: return "=";
    case TK_AT: return "@";
    case TK_BRACKET_L: return "[";
    case TK_BRACKET_R: return "]";
    case TK_BRACE_L: return "{";
    case TK_BRACE_R: return "}";
    case TK_PIPE: return "|";
    case TK_NAME: return "Name";
    case TK_INT: return "Int";
    case TK_FLOAT: return "Float";
    case TK_STRING: return "String";
    case TK_BLOCK_STRING: return "BlockString";
    }
    return "Unknown";
}

typedef struct {
    tokkind kind;
    const char *v; /* value bytes (input slice or arena buffer) */
    size_t vn;
    int32_t line, col;
} token;

typedef struct {
    rp_arena *a;
    const char *src;
    size_t n;
    size_t start, end;                       /* bytes */
    int64_t start_runes, end_runes, line_start; /* runes */
    int32_t line;
    bool nomem;
    /* the error of the last INVALID token */
    char errmsg[256];
} lexer;

static token lx_make(lexer *lx, tokkind kind, const char *v, size_t vn)
{
    token t = {kind, v, vn, lx->line, (int32_t)(lx->start_runes - lx->line_start + 1)};
    return t;
}

static token lx_error(lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static token lx_error(lexer *lx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->errmsg, sizeof(lx->errmsg), fmt, ap);
    va_end(ap);
    token t = {TK_INVALID, "", 0, lx->line, (int32_t)(lx->end_runes - lx->line_start + 1)};
    return t;
}

static void lx_advance(lexer *lx, size_t bytes, int64_t runes)
{
    lx->end += bytes;
    lx->end_runes += runes;
}

static void lx_newline(lexer *lx)
{
    lx->line++;
    lx->line_start = lx->end_runes;
}

/* Whitespace, commas, line terminators and a byte order mark. */
static void lx_ws(lexer *lx)
{
    while (lx->end < lx->n) {
        unsigned char c = (unsigned char)lx->src[lx->end];
        if (c == '\t' || c == ' ' || c == ',') {
            lx_advance(lx, 1, 1);
        } else if (c == '\n') {
            lx_advance(lx, 1, 1);
            lx_newline(lx);
        } else if (c == '\r') {
            lx_advance(lx, 1, 1);
            lx_newline(lx);
            /* the LF of a CRLF counts as a column of the next line, as in gqlparser */
            if (lx->end < lx->n && lx->src[lx->end] == '\n')
                lx_advance(lx, 1, 1);
        } else if (c == 0xEF && lx->end + 2 < lx->n &&
                   (unsigned char)lx->src[lx->end + 1] == 0xBB &&
                   (unsigned char)lx->src[lx->end + 2] == 0xBF) {
            lx_advance(lx, 3, 1);
        } else {
            return;
        }
    }
}

static void lx_comment(lexer *lx)
{
    while (lx->end < lx->n) {
        uint32_t r;
        size_t w = gql_decode_rune(lx->src + lx->end, lx->n - lx->end, &r);
        if (r > 0x1F || r == '\t')
            lx_advance(lx, w, 1);
        else
            break;
    }
}

static bool lx_accept(lexer *lx, char a, char b)
{
    if (lx->end < lx->n && (lx->src[lx->end] == a || (b && lx->src[lx->end] == b))) {
        lx_advance(lx, 1, 1);
        return true;
    }
    return false;
}

static size_t lx_digits(lexer *lx)
{
    size_t k = 0;
    while (lx->end < lx->n && lx->src[lx->end] >= '0' && lx->src[lx->end] <= '9') {
        lx_advance(lx, 1, 1);
        k++;
    }
    return k;
}

/* describeNext: the next byte quoted, or <EOF> */
static const char *lx_describe(lexer *lx, char buf[8])
{
    if (lx->end >= lx->n)
        return "<EOF>";
    char enc[4];
    size_t k = rp_utf8_encode((unsigned char)lx->src[lx->end], enc);
    snprintf(buf, 8, "\"%.*s\"", (int)k, enc);
    return buf;
}

static token lx_number(lexer *lx)
{
    bool isfloat = false;
    char d[8];
    lx->end--;
    lx->end_runes--;
    lx_accept(lx, '-', 0);
    if (lx_accept(lx, '0', 0)) {
        size_t k = lx_digits(lx);
        if (k) {
            lx->end -= k;
            lx->end_runes -= (int64_t)k;
            return lx_error(lx, "Invalid number, unexpected digit after 0: %s.", lx_describe(lx, d));
        }
    } else if (lx_digits(lx) == 0) {
        return lx_error(lx, "Invalid number, expected digit but got: %s.", lx_describe(lx, d));
    }
    if (lx_accept(lx, '.', 0)) {
        isfloat = true;
        if (lx_digits(lx) == 0)
            return lx_error(lx, "Invalid number, expected digit but got: %s.", lx_describe(lx, d));
    }
    if (lx_accept(lx, 'e', 'E')) {
        isfloat = true;
        lx_accept(lx, '-', '+');
        if (lx_digits(lx) == 0)
            return lx_error(lx, "Invalid number, expected digit but got: %s.", lx_describe(lx, d));
    }
    return lx_make(lx, isfloat ? TK_FLOAT : TK_INT, lx->src + lx->start, lx->end - lx->start);
}

static int unhex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static char simple_escape(char e)
{
    switch (e) {
    case '"': case '/': case '\\': return e;
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

/* One escape sequence at src[end] == '\\' (buffer already started). */
static bool lx_escape(lexer *lx, abuf *buf, token *bad)
{
    const char *s = lx->src;
    size_t n = lx->n;
    if (lx->end + 1 >= n) {
        lx_advance(lx, 1, 1);
        *bad = lx_error(lx, "Invalid character escape sequence.");
        return false;
    }
    char e = s[lx->end + 1];
    if (e == 'u') {
        if (lx->end + 6 >= n) {
            lx_advance(lx, 1, 1);
            *bad = lx_error(lx, "Invalid character escape sequence: \\%.*s.",
                            (int)(n - lx->end > 64 ? 64 : n - lx->end), s + lx->end);
            return false;
        }
        int r = unhex4(s + lx->end + 2);
        if (r < 0) {
            lx_advance(lx, 1, 1);
            *bad = lx_error(lx, "Invalid character escape sequence: \\%.5s.", s + lx->end);
            return false;
        }
        ab_rune(buf, (uint32_t)r);
        lx_advance(lx, 6, 6);
        return true;
    }
    char c = simple_escape(e);
    if (!c) {
        char enc[4];
        size_t k = rp_utf8_encode((unsigned char)e, enc);
        lx_advance(lx, 1, 1);
        *bad = lx_error(lx, "Invalid character escape sequence: \\%.*s.", (int)k, enc);
        return false;
    }
    ab_append(buf, &c, 1);
    lx_advance(lx, 2, 2);
    return true;
}

static token lx_string(lexer *lx)
{
    abuf buf = {lx->a, NULL, 0, 0, false};
    bool escaped = false;
    lx->start++;
    lx->start_runes++;
    while (lx->end < lx->n) {
        unsigned char c = (unsigned char)lx->src[lx->end];
        if (c == '\n' || c == '\r')
            break;
        if (c < 0x20 && c != '\t')
            return lx_error(lx, "Invalid character within String: \"\\u%04d\".", c);
        if (c == '"') {
            token t = escaped ? lx_make(lx, TK_STRING, buf.p ? buf.p : "", buf.n)
                              : lx_make(lx, TK_STRING, lx->src + lx->start, lx->end - lx->start);
            if (buf.failed)
                lx->nomem = true;
            lx_advance(lx, 1, 1);
            return t;
        }
        if (c == '\\') {
            if (!escaped && lx->end + 1 < lx->n) {
                ab_append(&buf, lx->src + lx->start, lx->end - lx->start);
                escaped = true;
            }
            token bad;
            if (!lx_escape(lx, &buf, &bad))
                return bad;
            continue;
        }
        uint32_t r = c;
        size_t w = c >= 127 ? gql_decode_rune(lx->src + lx->end, lx->n - lx->end, &r) : 1;
        if (escaped)
            ab_rune(&buf, r);
        lx_advance(lx, w, 1);
    }
    return lx_error(lx, "Unterminated string.");
}

static bool is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

static size_t leading_ws(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i == n ? SIZE_MAX : i; /* all-blank lines do not count */
}

/* gqlparser's blockStringValue: the common indentation of all non-blank
 * lines (the first one included, unlike the spec) is removed from every line
 * but the first; leading and trailing blank lines are dropped. */
static token lx_block_value(lexer *lx, const abuf *raw)
{
    const char *s = raw->p ? raw->p : "";
    size_t n = raw->n, common = SIZE_MAX, nlines = 1;
    for (size_t i = 0; i < n; i++)
        nlines += s[i] == '\n';
    struct line { const char *p; size_t n; } *lines = rp_arena_array(lx->a, nlines, sizeof(*lines));
    if (!lines) {
        lx->nomem = true;
        return lx_make(lx, TK_BLOCK_STRING, "", 0);
    }
    size_t k = 0, from = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '\n') {
            lines[k].p = s + from;
            lines[k].n = i - from;
            k++;
            from = i + 1;
        }
    }
    for (size_t i = 0; i < nlines; i++) {
        size_t ind = leading_ws(lines[i].p, lines[i].n);
        if (ind != SIZE_MAX && ind < common)
            common = ind;
    }
    if (common != SIZE_MAX) {
        for (size_t i = 1; i < nlines; i++) {
            if (lines[i].n < common) {
                lines[i].n = 0;
            } else {
                lines[i].p += common;
                lines[i].n -= common;
            }
        }
    }
    size_t first = 0, last = nlines;
    while (first < last && is_blank_line(lines[first].p, lines[first].n))
        first++;
    while (first < last && is_blank_line(lines[last - 1].p, lines[last - 1].n))
        last--;
    abuf out = {lx->a, NULL, 0, 0, false};
    for (size_t i = first; i < last; i++) {
        if (i > first)
            ab_append(&out, "\n", 1);
        ab_append(&out, lines[i].p, lines[i].n);
    }
    if (out.failed)
        lx->nomem = true;
    return lx_make(lx, TK_BLOCK_STRING, out.p ? out.p : "", out.n);
}

static token lx_block_string(lexer *lx)
{
    abuf buf = {lx->a, NULL, 0, 0, false};
    const char *s = lx->src;
    size_t n = lx->n;
    lx->start += 3;
    lx->start_runes += 3;
    lx_advance(lx, 2, 2);
    while (lx->end < n) {
        unsigned char c = (unsigned char)s[lx->end];
        if (c == '"' && lx->end + 3 <= n && memcmp(s + lx->end, "\"\"\"", 3) == 0) {
            if (buf.failed)
                lx->nomem = true;
            token t = lx_block_value(lx, &buf);
            lx_advance(lx, 3, 3);
            return t;
        }
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return lx_error(lx, "Invalid character within String: \"\\u%04d\".", c);
        if (c == '\\' && lx->end + 4 <= n && memcmp(s + lx->end, "\\\"\"\"", 4) == 0) {
            ab_append(&buf, "\"\"\"", 3);
            lx_advance(lx, 4, 4);
        } else if (c == '\r') {
            if (lx->end + 1 < n && s[lx->end + 1] == '\n')
                lx_advance(lx, 1, 1);
            ab_append(&buf, "\n", 1);
            lx_advance(lx, 1, 1);
            lx_newline(lx);
        } else {
            uint32_t r = c;
            size_t w = c >= 127 ? gql_decode_rune(s + lx->end, n - lx->end, &r) : 1;
            lx_advance(lx, w, 1);
            ab_rune(&buf, r);
            if (c == '\n')
                lx_newline(lx);
        }
    }
    return lx_error(lx, "Unterminated string.");
}

static bool is_name_start(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static token lx_punct(lexer *lx, unsigned char c, bool *ok)
{
    static const struct { char c; tokkind k; } punct[] = {
        {'!', TK_BANG},      {'$', TK_DOLLAR},    {'&', TK_AMP},       {'(', TK_PAREN_L},
        {')', TK_PAREN_R},   {':', TK_COLON},     {'=', TK_EQUALS},    {'@', TK_AT},
        {'[', TK_BRACKET_L}, {']', TK_BRACKET_R}, {'{', TK_BRACE_L},   {'}', TK_BRACE_R},
        {'|', TK_PIPE},
    };
    *ok = true;
    for (size_t i = 0; i < RP_ARRAY_LEN(punct); i++)
        if (punct[i].c == (char)c)
            return lx_make(lx, punct[i].k, "", 0);
    if (c == '.' && lx->n > lx->start + 2 && memcmp(lx->src + lx->start, "...", 3) == 0) {
        lx_advance(lx, 2, 2);
        return lx_make(lx, TK_SPREAD, "", 0);
    }
    *ok = false;
    return lx_make(lx, TK_INVALID, "", 0);
}

/* ReadToken: skips whitespace and comments, then lexes one token. */
static token lx_next(lexer *lx)
{
    for (;;) {
        lx_ws(lx);
        lx->start = lx->end;
        lx->start_runes = lx->end_runes;
        if (lx->end >= lx->n)
            return lx_make(lx, TK_EOF, "", 0);
        unsigned char c = (unsigned char)lx->src[lx->start];
        lx_advance(lx, 1, 1);
        if (c == '#') {
            lx_comment(lx);
            continue;
        }
        if (is_name_start(c)) {
            while (lx->end < lx->n && is_name_char((unsigned char)lx->src[lx->end]))
                lx_advance(lx, 1, 1);
            return lx_make(lx, TK_NAME, lx->src + lx->start, lx->end - lx->start);
        }
        if (c == '-' || (c >= '0' && c <= '9'))
            return lx_number(lx);
        if (c == '"') {
            if (lx->n > lx->start + 2 && lx->src[lx->start + 1] == '"' &&
                lx->src[lx->start + 2] == '"')
                return lx_block_string(lx);
            return lx_string(lx);
        }
        bool ok;
        token t = lx_punct(lx, c, &ok);
        if (ok)
            return t;
        lx->end--;
        lx->end_runes--;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return lx_error(lx, "Cannot contain the invalid character \"\\u%04d\"", c);
        if (c == '\'')
            return lx_error(lx, "Unexpected single quote character ('), did you mean to use a "
                                "double quote (\")?");
        /* Go's string(byte) is the Latin-1 rune of that byte */
        char enc[4];
        size_t k = rp_utf8_encode(c, enc);
        return lx_error(lx, "Cannot parse the unexpected character \"%.*s\".", (int)k, enc);
    }
}

/* ---- parser core --------------------------------------------------------------- */

typedef struct {
    lexer lx;
    rp_arena *a;
    token peek;
    bool peeked;
    token prev;
    gql_error *err;
    unsigned depth;
} parser;

static gql_pos tok_pos(const token *t)
{
    gql_pos p = {t->line, t->col, true};
    return p;
}

static token *p_peek(parser *p)
{
    if (!p->peeked) {
        p->peek = lx_next(&p->lx);
        p->peeked = true;
    }
    return &p->peek;
}

static bool p_nomem(parser *p)
{
    gql_pos none = {0, 0, false};
    gql_error_set(p->err, RP_ERR_NOMEM, none, "out of memory");
    return false;
}

/* Consumes the next token; consuming an invalid one reports the lexer's
 * error (gqlparser's next() hands over the peeked error). */
static bool p_next(parser *p, token *out)
{
    token t = p->peeked ? p->peek : lx_next(&p->lx);
    p->peeked = false;
    p->prev = t;
    if (p->lx.nomem)
        return p_nomem(p);
    if (t.kind == TK_INVALID) {
        gql_error_set(p->err, RP_ERR_SYNTAX, tok_pos(&t), "%s", p->lx.errmsg);
        return false;
    }
    if (out)
        *out = t;
    return true;
}

static bool p_error(parser *p, const token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool p_error(parser *p, const token *t, const char *fmt, ...)
{
    char msg[sizeof(p->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gql_error_set(p->err, RP_ERR_SYNTAX, tok_pos(t), "%s", msg);
    return false;
}

/* Token.String(): the kind, then the quoted value when there is one. */
static void tok_describe(const token *t, char *out, size_t cap)
{
    if (t->vn == 0) {
        snprintf(out, cap, "%s", tok_name(t->kind));
        return;
    }
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, tok_name(t->kind));
    rp_buf_putc(&b, ' ');
    gql_go_quote(&b, t->v, t->vn > 1024 ? 1024 : t->vn);
    snprintf(out, cap, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
}

static bool p_unexpected(parser *p, const token *t)
{
    char d[400];
    tok_describe(t, d, sizeof(d));
    return p_error(p, t, "Unexpected %s", d);
}

static bool p_unexpected_peek(parser *p)
{
    token t = *p_peek(p);
    return p_unexpected(p, &t);
}

static bool p_expect(parser *p, tokkind kind, token *out)
{
    token *t = p_peek(p);
    if (t->kind == kind)
        return p_next(p, out);
    token c = *t;
    return p_error(p, &c, "Expected %s, found %s", tok_name(kind), tok_name(c.kind));
}

static bool p_expect_keyword(parser *p, const char *kw)
{
    token *t = p_peek(p);
    size_t n = strlen(kw);
    if (t->kind == TK_NAME && t->vn == n && memcmp(t->v, kw, n) == 0)
        return p_next(p, NULL);
    token c = *t;
    char d[400];
    tok_describe(&c, d, sizeof(d));
    return p_error(p, &c, "Expected \"%s\", found %s", kw, d);
}

/* skip: consumes the next token when it has the given kind. */
static bool p_skip(parser *p, tokkind kind, bool *skipped)
{
    *skipped = p_peek(p)->kind == kind;
    return *skipped ? p_next(p, NULL) : true;
}

static bool peek_is(parser *p, tokkind kind) { return p_peek(p)->kind == kind; }

/* A comparison on the peeked token's value whatever its kind, as gqlparser
 * does for "on", "implements" and the extension keywords. */
static bool peek_value_is(parser *p, const char *v)
{
    token *t = p_peek(p);
    size_t n = strlen(v);
    return t->vn == n && memcmp(t->v, v, n) == 0;
}

static gql_pos peek_pos(parser *p) { return tok_pos(p_peek(p)); }

static bool p_enter(parser *p)
{
    if (++p->depth > REGO_GRAPHQL_MAX_DEPTH) {
        gql_error_set(p->err, RP_ERR_LIMIT, peek_pos(p), "nesting deeper than %d",
                      REGO_GRAPHQL_MAX_DEPTH);
        return false;
    }
    return true;
}

static bool p_str(parser *p, const token *t, gql_str *out)
{
    *out = gql_str_dup(p->a, t->v, t->vn);
    return t->vn == 0 || out->n ? true : p_nomem(p);
}

static bool p_name(parser *p, gql_str *out)
{
    token t;
    return p_expect(p, TK_NAME, &t) && p_str(p, &t, out);
}

/* A list under construction: elements of elsize bytes grown by doubling. */
typedef struct {
    void *items;
    uint32_t n, cap;
} vec;

static void *v_push(parser *p, vec *v, size_t elsize)
{
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 4;
        void *ni = rp_arena_grow(p->a, v->items, (size_t)v->cap * elsize, (size_t)cap * elsize);
        if (!ni) {
            p_nomem(p);
            return NULL;
        }
        v->items = ni;
        v->cap = cap;
    }
    void *slot = (char *)v->items + (size_t)v->n++ * elsize;
    memset(slot, 0, elsize);
    return slot;
}

static void *p_new(parser *p, size_t size)
{
    void *x = rp_arena_zalloc(p->a, size);
    if (!x)
        p_nomem(p);
    return x;
}

/* ---- values, types, directives, arguments ---------------------------------------- */

static bool parse_value(parser *p, bool is_const, gql_value **out);

static bool parse_variable(parser *p, gql_str *name)
{
    return p_expect(p, TK_DOLLAR, NULL) && p_name(p, name);
}

/* A list or an object value: elements between open and close. */
static bool parse_compound(parser *p, bool is_const, bool object, gql_value **out)
{
    gql_value *v = p_new(p, sizeof(*v));
    if (!v || !p_enter(p))
        return false;
    v->kind = object ? GQL_OBJECT_VALUE : GQL_LIST_VALUE;
    v->raw = GQL_LIT("");
    v->pos = peek_pos(p);
    vec kids = {0};
    bool open;
    if (!p_skip(p, object ? TK_BRACE_L : TK_BRACKET_L, &open))
        return false;
    while (open && !peek_is(p, object ? TK_BRACE_R : TK_BRACKET_R)) {
        gql_child *c = v_push(p, &kids, sizeof(*c));
        if (!c)
            return false;
        c->name = GQL_LIT("");
        if (object) {
            c->pos = peek_pos(p);
            if (!p_name(p, &c->name) || !p_expect(p, TK_COLON, NULL))
                return false;
        }
        if (!parse_value(p, is_const, &c->value))
            return false;
    }
    if (open && !p_next(p, NULL))
        return false;
    v->children = kids.items;
    v->nchildren = kids.n;
    p->depth--;
    *out = v;
    return true;
}

static bool scalar_kind(const token *t, int64_t *kind)
{
    switch (t->kind) {
    case TK_INT: *kind = GQL_INT_VALUE; return true;
    case TK_FLOAT: *kind = GQL_FLOAT_VALUE; return true;
    case TK_STRING: *kind = GQL_STRING_VALUE; return true;
    case TK_BLOCK_STRING: *kind = GQL_BLOCK_VALUE; return true;
    case TK_NAME:
        if ((t->vn == 4 && memcmp(t->v, "true", 4) == 0) ||
            (t->vn == 5 && memcmp(t->v, "false", 5) == 0))
            *kind = GQL_BOOLEAN_VALUE;
        else if (t->vn == 4 && memcmp(t->v, "null", 4) == 0)
            *kind = GQL_NULL_VALUE;
        else
            *kind = GQL_ENUM_VALUE;
        return true;
    default:
        return false;
    }
}

static bool parse_value(parser *p, bool is_const, gql_value **out)
{
    token t = *p_peek(p);
    if (t.kind == TK_BRACKET_L || t.kind == TK_BRACE_L)
        return parse_compound(p, is_const, t.kind == TK_BRACE_L, out);
    gql_value *v;
    if (t.kind == TK_DOLLAR) {
        if (is_const)
            return p_unexpected(p, &t);
        if (!(v = p_new(p, sizeof(*v))))
            return false;
        v->kind = GQL_VARIABLE;
        v->pos = tok_pos(&t);
        if (!parse_variable(p, &v->raw))
            return false;
        *out = v;
        return true;
    }
    int64_t kind;
    if (!scalar_kind(&t, &kind))
        return p_unexpected(p, &t);
    if (!p_next(p, NULL) || !(v = p_new(p, sizeof(*v))))
        return false;
    v->kind = kind;
    v->pos = tok_pos(&t);
    if (!p_str(p, &t, &v->raw))
        return false;
    *out = v;
    return true;
}

static bool parse_type(parser *p, gql_type **out)
{
    gql_type *t = p_new(p, sizeof(*t));
    if (!t)
        return false;
    bool list, bang;
    if (!p_skip(p, TK_BRACKET_L, &list))
        return false;
    t->named = GQL_LIT("");
    t->pos = peek_pos(p);
    if (list) {
        if (!p_enter(p) || !parse_type(p, &t->elem) || !p_expect(p, TK_BRACKET_R, NULL))
            return false;
        p->depth--;
    } else if (!p_name(p, &t->named)) {
        return false;
    }
    if (!p_skip(p, TK_BANG, &bang))
        return false;
    t->nonnull = bang;
    *out = t;
    return true;
}

/* Arguments in parentheses (none without them). */
static bool parse_arguments(parser *p, bool is_const, gql_arg **out, uint32_t *n)
{
    vec args = {0};
    bool open;
    if (!p_skip(p, TK_PAREN_L, &open))
        return false;
    while (open && !peek_is(p, TK_PAREN_R)) {
        gql_arg *a = v_push(p, &args, sizeof(*a));
        if (!a)
            return false;
        a->pos = peek_pos(p);
        if (!p_name(p, &a->name) || !p_expect(p, TK_COLON, NULL) ||
            !parse_value(p, is_const, &a->value))
            return false;
    }
    if (open && !p_next(p, NULL))
        return false;
    *out = args.items;
    *n = args.n;
    return true;
}

static bool parse_directives(parser *p, bool is_const, gql_directive **out, uint32_t *n)
{
    vec dirs = {0};
    while (peek_is(p, TK_AT)) {
        gql_directive *d = v_push(p, &dirs, sizeof(*d));
        if (!d || !p_expect(p, TK_AT, NULL))
            return false;
        d->pos = peek_pos(p);
        d->location = GQL_LIT("");
        if (!p_name(p, &d->name) || !parse_arguments(p, is_const, &d->args, &d->nargs))
            return false;
    }
    *out = dirs.items;
    *n = dirs.n;
    return true;
}

/* ---- executable documents ---------------------------------------------------------- */

static bool parse_selection(parser *p, gql_selection *s);

/* some(BraceL, BraceR): at least one selection. */
static bool parse_selections(parser *p, gql_selection **out, uint32_t *n)
{
    if (!p_enter(p))
        return false;
    vec sels = {0};
    bool open;
    if (!p_skip(p, TK_BRACE_L, &open))
        return false;
    if (open) {
        while (!peek_is(p, TK_BRACE_R)) {
            gql_selection *s = v_push(p, &sels, sizeof(*s));
            if (!s || !parse_selection(p, s))
                return false;
        }
        if (sels.n == 0) {
            token t = *p_peek(p);
            return p_error(p, &t, "expected at least one definition, found %s", tok_name(t.kind));
        }
        if (!p_next(p, NULL))
            return false;
    }
    p->depth--;
    *out = sels.items;
    *n = sels.n;
    return true;
}

static bool parse_required_selections(parser *p, gql_selection **out, uint32_t *n)
{
    token t = *p_peek(p);
    if (t.kind != TK_BRACE_L)
        return p_error(p, &t, "Expected %s, found %s", tok_name(TK_BRACE_L), tok_name(t.kind));
    return parse_selections(p, out, n);
}

static bool parse_field(parser *p, gql_selection *f)
{
    bool colon;
    f->kind = GQL_SEL_FIELD;
    f->pos = peek_pos(p);
    if (!p_name(p, &f->alias) || !p_skip(p, TK_COLON, &colon))
        return false;
    if (colon) {
        if (!p_name(p, &f->name))
            return false;
    } else {
        f->name = f->alias;
    }
    if (!parse_arguments(p, false, &f->args, &f->nargs) ||
        !parse_directives(p, false, &f->dirs, &f->ndirs))
        return false;
    return !peek_is(p, TK_BRACE_L) || parse_selections(p, &f->sels, &f->nsels);
}

static bool parse_fragment_name(parser *p, gql_str *name)
{
    if (peek_value_is(p, "on"))
        return p_unexpected_peek(p);
    return p_name(p, name);
}

static bool parse_fragment(parser *p, gql_selection *s)
{
    if (!p_expect(p, TK_SPREAD, NULL))
        return false;
    token *t = p_peek(p);
    s->pos = tok_pos(t);
    if (t->kind == TK_NAME && !(t->vn == 2 && memcmp(t->v, "on", 2) == 0)) {
        s->kind = GQL_SEL_SPREAD;
        s->alias = GQL_LIT("");
        return parse_fragment_name(p, &s->name) &&
               parse_directives(p, false, &s->dirs, &s->ndirs);
    }
    s->kind = GQL_SEL_INLINE;
    s->type_cond = GQL_LIT("");
    if (peek_value_is(p, "on") && (!p_next(p, NULL) || !p_name(p, &s->type_cond)))
        return false;
    return parse_directives(p, false, &s->dirs, &s->ndirs) &&
           parse_required_selections(p, &s->sels, &s->nsels);
}

static bool parse_selection(parser *p, gql_selection *s)
{
    s->alias = s->name = s->type_cond = GQL_LIT("");
    return peek_is(p, TK_SPREAD) ? parse_fragment(p, s) : parse_field(p, s);
}

static bool parse_variable_definitions(parser *p, gql_vardef **out, uint32_t *n)
{
    vec vars = {0};
    bool open, eq;
    if (!p_skip(p, TK_PAREN_L, &open))
        return false;
    while (open && !peek_is(p, TK_PAREN_R)) {
        gql_vardef *v = v_push(p, &vars, sizeof(*v));
        if (!v)
            return false;
        v->pos = peek_pos(p);
        if (!parse_variable(p, &v->variable) || !p_expect(p, TK_COLON, NULL) ||
            !parse_type(p, &v->type) || !p_skip(p, TK_EQUALS, &eq))
            return false;
        if (eq && !parse_value(p, true, &v->defval))
            return false;
        if (!parse_directives(p, false, &v->dirs, &v->ndirs))
            return false;
    }
    if (open && !p_next(p, NULL))
        return false;
    *out = vars.items;
    *n = vars.n;
    return true;
}

static bool parse_operation(parser *p, gql_operation *op)
{
    op->pos = peek_pos(p);
    op->name = GQL_LIT("");
    if (peek_is(p, TK_BRACE_L)) {
        op->operation = GQL_LIT("query");
        return parse_required_selections(p, &op->sels, &op->nsels);
    }
    token t;
    if (!p_next(p, &t))
        return false;
    static const char *const kinds[] = {"query", "mutation", "subscription"};
    op->operation = GQL_LIT("");
    for (size_t i = 0; i < RP_ARRAY_LEN(kinds); i++)
        if (t.vn == strlen(kinds[i]) && memcmp(t.v, kinds[i], t.vn) == 0)
            op->operation = gql_lit(kinds[i], (uint32_t)t.vn);
    if (op->operation.n == 0)
        return p_unexpected(p, &t);
    if (peek_is(p, TK_NAME)) {
        token nt;
        if (!p_next(p, &nt) || !p_str(p, &nt, &op->name))
            return false;
    }
    return parse_variable_definitions(p, &op->vars, &op->nvars) &&
           parse_directives(p, false, &op->dirs, &op->ndirs) &&
           parse_required_selections(p, &op->sels, &op->nsels);
}

static bool parse_fragment_definition(parser *p, gql_fragment *f)
{
    f->pos = peek_pos(p);
    return p_expect_keyword(p, "fragment") && parse_fragment_name(p, &f->name) &&
           parse_variable_definitions(p, &f->vars, &f->nvars) && p_expect_keyword(p, "on") &&
           p_name(p, &f->type_cond) && parse_directives(p, false, &f->dirs, &f->ndirs) &&
           parse_required_selections(p, &f->sels, &f->nsels);
}

static bool parse_query_document(parser *p, gql_query_doc *doc)
{
    vec ops = {0}, frags = {0};
    while (!peek_is(p, TK_EOF)) {
        token *t = p_peek(p);
        bool is_op = t->kind == TK_BRACE_L;
        if (t->kind == TK_NAME)
            is_op = peek_value_is(p, "query") || peek_value_is(p, "mutation") ||
                    peek_value_is(p, "subscription");
        if (is_op) {
            gql_operation *op = v_push(p, &ops, sizeof(*op));
            if (!op || !parse_operation(p, op))
                return false;
        } else if (t->kind == TK_NAME && peek_value_is(p, "fragment")) {
            gql_fragment *f = v_push(p, &frags, sizeof(*f));
            if (!f || !parse_fragment_definition(p, f))
                return false;
        } else {
            return p_unexpected_peek(p);
        }
    }
    doc->ops = ops.items;
    doc->nops = ops.n;
    doc->frags = frags.items;
    doc->nfrags = frags.n;
    return true;
}

/* ---- schema documents --------------------------------------------------------------- */

static bool parse_description(parser *p, gql_str *out)
{
    *out = GQL_LIT("");
    token *t = p_peek(p);
    if (t->kind != TK_STRING && t->kind != TK_BLOCK_STRING)
        return true;
    token d;
    return p_next(p, &d) && p_str(p, &d, out);
}

static bool parse_argument_defs(parser *p, gql_argdef **out, uint32_t *n)
{
    vec args = {0};
    bool open, eq;
    if (!p_skip(p, TK_PAREN_L, &open))
        return false;
    if (open) {
        while (!peek_is(p, TK_PAREN_R)) {
            gql_argdef *a = v_push(p, &args, sizeof(*a));
            if (!a)
                return false;
            a->pos = peek_pos(p);
            if (!parse_description(p, &a->desc) || !p_name(p, &a->name) ||
                !p_expect(p, TK_COLON, NULL) || !parse_type(p, &a->type) ||
                !p_skip(p, TK_EQUALS, &eq))
                return false;
            if (eq && !parse_value(p, true, &a->defval))
                return false;
            if (!parse_directives(p, true, &a->dirs, &a->ndirs))
                return false;
        }
        if (args.n == 0) {
            token t = *p_peek(p);
            return p_error(p, &t, "expected at least one definition, found %s", tok_name(t.kind));
        }
        if (!p_next(p, NULL))
            return false;
    }
    *out = args.items;
    *n = args.n;
    return true;
}

/* A field definition (input == false) or an input value definition. */
static bool parse_field_def(parser *p, bool input, gql_fielddef *f)
{
    bool eq;
    f->pos = peek_pos(p);
    if (!parse_description(p, &f->desc) || !p_name(p, &f->name))
        return false;
    if (!input && !parse_argument_defs(p, &f->args, &f->nargs))
        return false;
    if (!p_expect(p, TK_COLON, NULL) || !parse_type(p, &f->type))
        return false;
    if (input) {
        if (!p_skip(p, TK_EQUALS, &eq) || (eq && !parse_value(p, true, &f->defval)))
            return false;
    }
    return parse_directives(p, true, &f->dirs, &f->ndirs);
}

static bool parse_fields_defs(parser *p, bool input, gql_fielddef **out, uint32_t *n)
{
    vec fields = {0};
    bool open;
    if (!p_skip(p, TK_BRACE_L, &open))
        return false;
    if (open) {
        while (!peek_is(p, TK_BRACE_R)) {
            gql_fielddef *f = v_push(p, &fields, sizeof(*f));
            if (!f || !parse_field_def(p, input, f))
                return false;
        }
        if (fields.n == 0) {
            token t = *p_peek(p);
            return p_error(p, &t, "expected at least one definition, found %s", tok_name(t.kind));
        }
        if (!p_next(p, NULL))
            return false;
    }
    *out = fields.items;
    *n = fields.n;
    return true;
}

static bool parse_enum_values(parser *p, gql_enumval **out, uint32_t *n)
{
    vec vals = {0};
    bool open;
    if (!p_skip(p, TK_BRACE_L, &open))
        return false;
    if (open) {
        while (!peek_is(p, TK_BRACE_R)) {
            gql_enumval *e = v_push(p, &vals, sizeof(*e));
            if (!e)
                return false;
            e->pos = peek_pos(p);
            if (!parse_description(p, &e->desc) || !p_name(p, &e->name) ||
                !parse_directives(p, true, &e->dirs, &e->ndirs))
                return false;
        }
        if (vals.n == 0) {
            token t = *p_peek(p);
            return p_error(p, &t, "expected at least one definition, found %s", tok_name(t.kind));
        }
        if (!p_next(p, NULL))
            return false;
    }
    *out = vals.items;
    *n = vals.n;
    return true;
}

/* A list of names after a keyword token: "implements A & B" or "= A | B". */
static bool parse_name_list(parser *p, tokkind sep, gql_str **out, uint32_t *n)
{
    vec names = {0};
    bool more;
    if (!p_skip(p, sep, &more))
        return false;
    do {
        gql_str *s = v_push(p, &names, sizeof(*s));
        if (!s || !p_name(p, s) || !p_skip(p, sep, &more))
            return false;
    } while (more);
    *out = names.items;
    *n = names.n;
    return true;
}

static bool parse_implements(parser *p, gql_def *d)
{
    if (!peek_value_is(p, "implements"))
        return true;
    return p_next(p, NULL) && parse_name_list(p, TK_AMP, &d->interfaces, &d->ninterfaces);
}

static bool parse_union_members(parser *p, gql_def *d)
{
    bool eq;
    if (!p_skip(p, TK_EQUALS, &eq))
        return false;
    return !eq || parse_name_list(p, TK_PIPE, &d->types, &d->ntypes);
}

static const char *const def_keywords[] = {"scalar", "type", "interface", "union", "enum", "input"};
static const char *const def_kinds[] = {"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT"};

static int def_keyword(parser *p)
{
    for (int i = 0; i < (int)RP_ARRAY_LEN(def_keywords); i++)
        if (peek_value_is(p, def_keywords[i]))
            return i;
    return -1;
}

/* The body of a type definition or extension after its keyword; kw indexes
 * def_keywords.  Extensions read no "implements" on interfaces and treat
 * input directives as non-constant, as gqlparser does. */
static bool parse_def_body(parser *p, int kw, bool ext, gql_def *d)
{
    d->pos = peek_pos(p);
    d->kind = gql_lit(def_kinds[kw], (uint32_t)strlen(def_kinds[kw]));
    if (!p_name(p, &d->name))
        return false;
    switch (kw) {
    case 0:
        return parse_directives(p, true, &d->dirs, &d->ndirs);
    case 1:
    case 2:
        if ((kw == 1 || !ext) && !parse_implements(p, d))
            return false;
        return parse_directives(p, true, &d->dirs, &d->ndirs) &&
               parse_fields_defs(p, false, &d->fields, &d->nfields);
    case 3:
        return parse_directives(p, true, &d->dirs, &d->ndirs) && parse_union_members(p, d);
    case 4:
        return parse_directives(p, true, &d->dirs, &d->ndirs) &&
               parse_enum_values(p, &d->enumvals, &d->nenumvals);
    default:
        return parse_directives(p, !ext, &d->dirs, &d->ndirs) &&
               parse_fields_defs(p, true, &d->fields, &d->nfields);
    }
}

static bool parse_optypes(parser *p, gql_schemadef *s)
{
    vec ops = {0};
    bool open;
    if (!p_skip(p, TK_BRACE_L, &open))
        return false;
    if (!open)
        return true;
    while (!peek_is(p, TK_BRACE_R)) {
        gql_optype *o = v_push(p, &ops, sizeof(*o));
        token t;
        if (!o)
            return false;
        o->pos = peek_pos(p);
        /* parseOperationType consumes whatever comes, then checks it */
        if (!p_next(p, &t))
            return false;
        if (t.vn == 5 && memcmp(t.v, "query", 5) == 0)
            o->operation = GQL_LIT("query");
        else if (t.vn == 8 && memcmp(t.v, "mutation", 8) == 0)
            o->operation = GQL_LIT("mutation");
        else if (t.vn == 12 && memcmp(t.v, "subscription", 12) == 0)
            o->operation = GQL_LIT("subscription");
        else
            return p_unexpected(p, &t);
        if (!p_expect(p, TK_COLON, NULL) || !p_name(p, &o->type))
            return false;
    }
    if (ops.n == 0) {
        token t = *p_peek(p);
        return p_error(p, &t, "expected at least one definition, found %s", tok_name(t.kind));
    }
    s->ops = ops.items;
    s->nops = ops.n;
    return p_next(p, NULL);
}

static bool parse_schema_def(parser *p, bool ext, gql_schemadef *s)
{
    if (!p_expect_keyword(p, "schema"))
        return false;
    s->pos = peek_pos(p);
    if (!parse_directives(p, true, &s->dirs, &s->ndirs) || !parse_optypes(p, s))
        return false;
    if (ext && s->ndirs == 0 && s->nops == 0)
        return p_unexpected_peek(p);
    return true;
}

static const char *const dir_locations[] = {
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
};

static bool parse_dir_location(parser *p, gql_str *out)
{
    token t;
    if (!p_expect(p, TK_NAME, &t))
        return false;
    for (size_t i = 0; i < RP_ARRAY_LEN(dir_locations); i++) {
        if (t.vn == strlen(dir_locations[i]) && memcmp(t.v, dir_locations[i], t.vn) == 0) {
            *out = gql_lit(dir_locations[i], (uint32_t)t.vn);
            return true;
        }
    }
    return p_unexpected(p, &t);
}

static bool parse_directive_def(parser *p, gql_dirdef *d)
{
    if (!p_expect_keyword(p, "directive") || !p_expect(p, TK_AT, NULL))
        return false;
    d->pos = peek_pos(p);
    if (!p_name(p, &d->name) || !parse_argument_defs(p, &d->args, &d->nargs))
        return false;
    if (peek_is(p, TK_NAME) && peek_value_is(p, "repeatable")) {
        d->repeatable = true;
        if (!p_next(p, NULL))
            return false;
    }
    if (!p_expect_keyword(p, "on"))
        return false;
    vec locs = {0};
    bool more;
    if (!p_skip(p, TK_PIPE, &more))
        return false;
    do {
        gql_str *s = v_push(p, &locs, sizeof(*s));
        if (!s || !parse_dir_location(p, s) || !p_skip(p, TK_PIPE, &more))
            return false;
    } while (more);
    d->locations = locs.items;
    d->nlocations = locs.n;
    return true;
}

typedef struct {
    vec schema, schema_ext, directives, defs, exts;
} schema_vecs;

static bool parse_extension(parser *p, schema_vecs *sv)
{
    if (!p_expect_keyword(p, "extend"))
        return false;
    if (peek_value_is(p, "schema")) {
        gql_schemadef *s = v_push(p, &sv->schema_ext, sizeof(*s));
        return s && parse_schema_def(p, true, s);
    }
    int kw = def_keyword(p);
    if (kw < 0)
        return p_unexpected_peek(p);
    gql_def *d = v_push(p, &sv->exts, sizeof(*d));
    if (!d || !p_expect_keyword(p, def_keywords[kw]) || !parse_def_body(p, kw, true, d))
        return false;
    d->desc = GQL_LIT("");
    bool empty = d->ndirs == 0;
    switch (kw) {
    case 1: empty = empty && d->ninterfaces == 0 && d->nfields == 0; break;
    case 2: case 5: empty = empty && d->nfields == 0; break;
    case 3: empty = empty && d->ntypes == 0; break;
    case 4: empty = empty && d->nenumvals == 0; break;
    default: break;
    }
    return !empty || p_unexpected_peek(p);
}

static bool parse_schema_entry(parser *p, schema_vecs *sv)
{
    gql_str desc;
    if (!parse_description(p, &desc))
        return false;
    if (!peek_is(p, TK_NAME))
        return p_unexpected_peek(p);
    int kw = def_keyword(p);
    if (kw >= 0) {
        gql_def *d = v_push(p, &sv->defs, sizeof(*d));
        if (!d || !p_expect_keyword(p, def_keywords[kw]))
            return false;
        d->desc = desc;
        return parse_def_body(p, kw, false, d);
    }
    if (peek_value_is(p, "schema")) {
        gql_schemadef *s = v_push(p, &sv->schema, sizeof(*s));
        if (!s)
            return false;
        s->desc = desc;
        return parse_schema_def(p, false, s);
    }
    if (peek_value_is(p, "directive")) {
        gql_dirdef *d = v_push(p, &sv->directives, sizeof(*d));
        if (!d)
            return false;
        d->desc = desc;
        return parse_directive_def(p, d);
    }
    if (peek_value_is(p, "extend")) {
        if (desc.n) {
            token prev = p->prev;
            return p_unexpected(p, &prev);
        }
        return parse_extension(p, sv);
    }
    return p_unexpected_peek(p);
}

/* ---- entry points -------------------------------------------------------------------- */

static rp_status parser_init(parser *p, rp_arena *a, const char *src, size_t n, gql_error *err)
{
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->err = err;
    p->lx.a = a;
    p->lx.src = src;
    p->lx.n = n;
    p->lx.line = 1;
    if (n > REGO_GRAPHQL_MAX_INPUT_BYTES) {
        gql_pos none = {0, 0, false};
        return gql_error_set(err, RP_ERR_LIMIT, none, "document of %zu bytes exceeds the limit of %u",
                             n, REGO_GRAPHQL_MAX_INPUT_BYTES);
    }
    return RP_OK;
}

rp_status gql_parse_query(rp_arena *a, const char *src, size_t n, gql_query_doc **out,
                          gql_error *err)
{
    parser p;
    if (parser_init(&p, a, src, n, err) != RP_OK)
        return err->code;
    gql_query_doc *doc = p_new(&p, sizeof(*doc));
    if (!doc || !parse_query_document(&p, doc))
        return err->code;
    *out = doc;
    return RP_OK;
}

rp_status gql_parse_schema(rp_arena *a, const char *src, size_t n, bool builtin,
                           gql_schema_doc **out, gql_error *err)
{
    parser p;
    if (parser_init(&p, a, src, n, err) != RP_OK)
        return err->code;
    gql_schema_doc *doc = p_new(&p, sizeof(*doc));
    if (!doc)
        return err->code;
    schema_vecs sv;
    memset(&sv, 0, sizeof(sv));
    while (!peek_is(&p, TK_EOF))
        if (!parse_schema_entry(&p, &sv))
            return err->code;
    doc->schema = sv.schema.items;
    doc->nschema = sv.schema.n;
    doc->schema_ext = sv.schema_ext.items;
    doc->nschema_ext = sv.schema_ext.n;
    doc->directives = sv.directives.items;
    doc->ndirectives = sv.directives.n;
    doc->defs = sv.defs.items;
    doc->ndefs = sv.defs.n;
    doc->exts = sv.exts.items;
    doc->nexts = sv.exts.n;
    for (uint32_t i = 0; i < doc->ndefs; i++)
        doc->defs[i].builtin = builtin;
    for (uint32_t i = 0; i < doc->nexts; i++)
        doc->exts[i].builtin = builtin;
    *out = doc;
    return RP_OK;
}
