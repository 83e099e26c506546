/*
 * render_template.c — strings.render_template for the "strings" group: a
 * bounded subset of Go's text/template, executed as OPA executes it.
 *
 * OPA turns the vars object into Go values by printing it as Rego text and
 * decoding that as JSON (ast.As), so strings, json.Numbers, bools, nils,
 * []interface{} and map[string]interface{} reach text/template, and a set or
 * a non-string key fails with encoding/json's syntax error.  The template is
 * parsed and executed with missingkey=error; errors come back as builtin
 * errors with text/template's wording.
 *
 * Supported: text, comments, trim markers, {{pipeline}}, {{if}}/{{else if}}/
 * {{else}}, {{range}} (arrays, objects in key order, integers) with one or
 * two variables, {{with}}/{{else with}}, {{break}}, {{continue}}, variables
 * ($, $x := ..., $x = ...), field chains, parenthesised pipelines, string/
 * raw/char/number/bool/nil literals and the functions and, or, not, len,
 * index, eq, ne, lt, le, gt, ge, print and println.  {{define}},
 * {{template}}, {{block}} and the functions call, html, js, printf, slice
 * and urlquery are refused with an error naming them.
 *
 * Go's strconv pieces (quoting, IsPrint, rune decoding, float formatting)
 * and OPA's value text come from sprintf.c through sprintf.h.
 *
 * Bounds: output is capped at REGO_SPRINTF_MAX_BYTES, work by
 * REGO_TEMPLATE_MAX_STEPS and nesting by REGO_TEMPLATE_MAX_DEPTH.  Scratch
 * text lives in malloc'd rp_bufs freed before return; the result is copied
 * into the arena.  No mutable globals.
 */
#include "sprintf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../limits.h"

/* -- vars: the JSON round trip ---------------------------------------------------- */

/* encoding/json's quoteChar. */
static void json_char(char *out, size_t cap, char c)
{
    if (c == '\'')
        snprintf(out, cap, "'\\''");
    else if (c == '"')
        snprintf(out, cap, "'\"'");
    else
        snprintf(out, cap, "'%c'", c);
}

#define KEY_START "looking for beginning of object key string"

/* A Go-quoted string's first escape that JSON rejects (\a \v \x \U), or 0. */
static char bad_json_escape(const char *s, size_t n)
{
    rp_buf t;
    rp_buf_init(&t);
    rego_go_quote(&t, s, n);
    char bad = 0;
    for (size_t i = 1; i + 1 < t.len && !bad; i++) {
        if (t.data[i] != '\\')
            continue;
        char e = t.data[++i];
        if (strchr("abfnrtv\"\\u", e) == NULL || e == 'a' || e == 'v')
            bad = e;
    }
    rp_buf_free(&t);
    return bad;
}

static bool json_compat(rego_value v, char *msg, size_t cap, int depth);

/* A key that is not a string (an object's, or a set's first element, which
 * the Rego text puts where a key goes): encoding/json stops at the first
 * character of its text.  Returns false. */
static bool key_error(rego_value key, char *msg, size_t cap)
{
    char q[8];
    rp_buf t;
    rp_buf_init(&t);
    rego_go_value_text(&t, key);
    json_char(q, sizeof(q), t.len ? t.data[0] : '?');
    rp_buf_free(&t);
    snprintf(msg, cap, "invalid character %s %s", q, KEY_START);
    return false;
}

static bool json_compat_string(rego_value s, char *msg, size_t cap)
{
    char e = bad_json_escape(s.u.s, s.n);
    if (!e)
        return true;
    char q[8];
    json_char(q, sizeof(q), e);
    snprintf(msg, cap, "invalid character %s in string escape code", q);
    return false;
}

/* Where decoding v's Rego text as JSON first fails, in Go's words.  Only
 * sets, non-string keys and strings with Go-only escapes can fail. */
static bool json_compat(rego_value v, char *msg, size_t cap, int depth)
{
    char q[8];
    if (depth > REGO_VALUE_MAX_DEPTH)
        return true;
    switch ((rego_kind)v.kind) {
    case REGO_STRING: return json_compat_string(v, msg, cap);
    case REGO_ARRAY:
        for (size_t i = 0; i < v.n; i++)
            if (!json_compat(v.u.items[i], msg, cap, depth + 1))
                return false;
        return true;
    case REGO_OBJECT:
        for (size_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (e.key.kind != REGO_STRING)
                return key_error(e.key, msg, cap);
            if (!json_compat_string(e.key, msg, cap) || !json_compat(e.val, msg, cap, depth + 1))
                return false;
        }
        return true;
    case REGO_SET: {
        if (v.n == 0) {
            snprintf(msg, cap, "invalid character 's' looking for beginning of value");
            return false;
        }
        rego_value first = rego_set_at(v, 0);
        if (first.kind != REGO_STRING)
            return key_error(first, msg, cap);
        if (!json_compat_string(first, msg, cap))
            return false;
        json_char(q, sizeof(q), v.n > 1 ? ',' : '}');
        snprintf(msg, cap, "invalid character %s after object key", q);
        return false;
    }
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER: return true;
    }
    return true;
}

/* -- lexing ------------------------------------------------------------------------- */

typedef enum {
    TK_EOF, TK_ERROR, TK_TEXT, TK_LEFT, TK_RIGHT, TK_SPACE, TK_PIPE, TK_LPAREN, TK_RPAREN,
    TK_DECLARE, TK_ASSIGN, TK_CHAR, TK_DOT, TK_FIELD, TK_VAR, TK_IDENT, TK_STRING, TK_RAW,
    TK_CHARCONST, TK_NUMBER, TK_BOOL, TK_NIL,
    TK_KEYWORD, /* keywords follow */
    TK_IF, TK_ELSE, TK_END, TK_RANGE, TK_WITH, TK_BREAK, TK_CONTINUE, TK_DEFINE, TK_TEMPLATE,
    TK_BLOCK,
} tk_kind;

typedef struct {
    tk_kind kind;
    size_t pos, len; /* the token's bytes in the source (TK_ERROR: message) */
    const char *err;
} token;

typedef struct {
    const char *s;
    size_t n, pos;
    bool in_action, trim_next;
    int parens;
    char errbuf[96];
} lexer;

static bool tl_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool tl_alnum(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

static bool lx_at(const lexer *lx, size_t pos, const char *w)
{
    size_t k = strlen(w);
    return lx->n - pos >= k && memcmp(lx->s + pos, w, k) == 0;
}

/* "}}" or " -}}" at pos; *trim when the latter. */
static bool at_right(const lexer *lx, size_t pos, bool *trim)
{
    *trim = lx->n - pos >= 4 && tl_space(lx->s[pos]) && lx->s[pos + 1] == '-' &&
            lx_at(lx, pos + 2, "}}");
    return *trim || lx_at(lx, pos, "}}");
}

static token lx_error(lexer *lx, const char *msg)
{
    token t = {TK_ERROR, lx->pos, 0, msg};
    lx->pos = lx->n;
    return t;
}

/* "%#U" of the rune at pos, for lexer errors. */
static token lx_error_rune(lexer *lx, const char *what, size_t pos)
{
    uint32_t r;
    bool bad;
    rego_go_decode_rune(lx->s + pos, lx->n - pos, &r, &bad);
    rp_buf t;
    rp_buf_init(&t);
    if (rego_go_is_print(r)) {
        rp_buf_putc(&t, '\'');
        rego_go_put_rune(&t, r);
        rp_buf_putc(&t, '\'');
    }
    snprintf(lx->errbuf, sizeof(lx->errbuf), "%s U+%04X%s%s", what, r, t.len ? " " : "",
             t.len ? t.data : "");
    rp_buf_free(&t);
    return lx_error(lx, lx->errbuf);
}

/* Text up to the next "{{" (skipping comments), or the "{{" itself. */
static token lex_text(lexer *lx)
{
    for (;;) {
        size_t start = lx->pos;
        if (lx->trim_next) {
            while (start < lx->n && tl_space(lx->s[start]))
                start++;
            lx->trim_next = false;
            lx->pos = start;
        }
        const char *open = memmem(lx->s + start, lx->n - start, "{{", 2);
        size_t end = open ? (size_t)(open - lx->s) : lx->n;
        bool ltrim = open && lx->n - end >= 4 && lx->s[end + 2] == '-' && tl_space(lx->s[end + 3]);
        size_t tend = end;
        if (ltrim)
            while (tend > start && tl_space(lx->s[tend - 1]))
                tend--;
        if (tend > start) {
            token t = {TK_TEXT, start, tend - start, NULL};
            lx->pos = end;
            return t;
        }
        if (!open) {
            token t = {TK_EOF, lx->n, 0, NULL};
            lx->pos = lx->n;
            return t;
        }
        size_t after = end + 2 + (ltrim ? 2 : 0);
        if (lx_at(lx, after, "/*")) {
            const char *close = memmem(lx->s + after + 2, lx->n - after - 2, "*/", 2);
            if (!close) {
                lx->pos = end;
                return lx_error(lx, "unclosed comment");
            }
            size_t c = (size_t)(close - lx->s) + 2;
            bool rtrim;
            if (!at_right(lx, c, &rtrim)) {
                lx->pos = end;
                return lx_error(lx, "comment ends before closing delimiter");
            }
            lx->pos = c + (rtrim ? 4 : 2);
            lx->trim_next = rtrim;
            continue;
        }
        token t = {TK_LEFT, end, 2, NULL};
        lx->pos = after;
        lx->in_action = true;
        lx->parens = 0;
        return t;
    }
}

static token lex_quoted(lexer *lx, size_t start, char q, tk_kind kind)
{
    size_t i = start + 1;
    while (i < lx->n && lx->s[i] != q) {
        if (q != '`' && lx->s[i] == '\\' && i + 1 < lx->n)
            i++;
        else if (q != '`' && lx->s[i] == '\n')
            break;
        i++;
    }
    if (i >= lx->n || lx->s[i] != q)
        return lx_error(lx, q == '"' ? "unterminated quoted string"
                            : q == '`' ? "unterminated raw quoted string"
                                       : "unterminated character constant");
    token t = {kind, start, i + 1 - start, NULL};
    lx->pos = i + 1;
    return t;
}

static const struct {
    const char *word;
    tk_kind kind;
} keywords[] = {
    {"if", TK_IF}, {"else", TK_ELSE}, {"end", TK_END}, {"range", TK_RANGE}, {"with", TK_WITH},
    {"break", TK_BREAK}, {"continue", TK_CONTINUE}, {"define", TK_DEFINE},
    {"template", TK_TEMPLATE}, {"block", TK_BLOCK}, {"true", TK_BOOL}, {"false", TK_BOOL},
    {"nil", TK_NIL},
};

/* Whether pos ends a word: Go's atTerminator. */
static bool at_terminator(const lexer *lx, size_t pos)
{
    bool trim;
    if (pos >= lx->n || tl_space(lx->s[pos]) || at_right(lx, pos, &trim))
        return true;
    return strchr(".,|:()", lx->s[pos]) != NULL;
}

static token lex_word(lexer *lx, size_t start, size_t from, tk_kind kind)
{
    size_t i = from;
    while (i < lx->n && tl_alnum(lx->s[i]))
        i++;
    if (!at_terminator(lx, i))
        return lx_error_rune(lx, "bad character", i);
    token t = {kind, start, i - start, NULL};
    if (kind == TK_IDENT)
        for (size_t k = 0; k < RP_ARRAY_LEN(keywords); k++)
            if (strlen(keywords[k].word) == t.len &&
                memcmp(keywords[k].word, lx->s + start, t.len) == 0)
                t.kind = keywords[k].kind;
    if (kind == TK_FIELD && t.len == 1)
        t.kind = TK_DOT;
    lx->pos = i;
    return t;
}

static token lex_number(lexer *lx, size_t start)
{
    size_t i = start;
    if (i < lx->n && (lx->s[i] == '+' || lx->s[i] == '-'))
        i++;
    while (i < lx->n && (tl_alnum(lx->s[i]) || lx->s[i] == '.' ||
                         ((lx->s[i] == '+' || lx->s[i] == '-') && strchr("eEpP", lx->s[i - 1]))))
        i++;
    token t = {TK_NUMBER, start, i - start, NULL};
    lx->pos = i;
    return t;
}

static token lex_action(lexer *lx)
{
    bool trim;
    size_t p = lx->pos;
    if (p >= lx->n)
        return lx_error(lx, "unclosed action");
    if (at_right(lx, p, &trim)) {
        if (lx->parens > 0)
            return lx_error(lx, "unclosed left paren");
        token t = {TK_RIGHT, p, trim ? 4 : 2, NULL};
        lx->pos = p + t.len;
        lx->in_action = false;
        lx->trim_next = trim;
        return t;
    }
    char c = lx->s[p];
    if (tl_space(c)) {
        size_t i = p;
        while (i < lx->n && tl_space(lx->s[i]) && !at_right(lx, i, &trim))
            i++;
        token t = {TK_SPACE, p, i - p, NULL};
        lx->pos = i;
        return t;
    }
    token t = {TK_CHAR, p, 1, NULL};
    lx->pos = p + 1;
    switch (c) {
    case '|': t.kind = TK_PIPE; return t;
    case '(': lx->parens++; t.kind = TK_LPAREN; return t;
    case ')':
        if (--lx->parens < 0)
            return lx_error_rune(lx, "unexpected right paren", p);
        t.kind = TK_RPAREN;
        return t;
    case '=': t.kind = TK_ASSIGN; return t;
    case ':':
        if (p + 1 >= lx->n || lx->s[p + 1] != '=')
            return lx_error(lx, "expected :=");
        lx->pos = p + 2;
        t.kind = TK_DECLARE;
        t.len = 2;
        return t;
    case '"': return lex_quoted(lx, p, '"', TK_STRING);
    case '`': return lex_quoted(lx, p, '`', TK_RAW);
    case '\'': return lex_quoted(lx, p, '\'', TK_CHARCONST);
    case '$': return lex_word(lx, p, p + 1, TK_VAR);
    case '.':
        if (p + 1 < lx->n && lx->s[p + 1] >= '0' && lx->s[p + 1] <= '9')
            return lex_number(lx, p);
        return lex_word(lx, p, p + 1, TK_FIELD);
    default: break;
    }
    if (c == '+' || c == '-' || (c >= '0' && c <= '9'))
        return lex_number(lx, p);
    if (tl_alnum(c))
        return lex_word(lx, p, p, TK_IDENT);
    if ((unsigned char)c < 0x80 && c > ' ' && c < 0x7F)
        return t; /* a lone printable character, rejected by the parser */
    return lx_error_rune(lx, "unrecognized character in action:", p);
}

static token lex_next(lexer *lx)
{
    return lx->in_action ? lex_action(lx) : lex_text(lx);
}

/* -- the tree ------------------------------------------------------------------------- */

typedef enum {
    A_DOT, A_FIELD, A_VAR, A_STRING, A_INT, A_FLOAT, A_BOOL, A_NIL, A_PIPE, A_FUNC
} targ_kind;

typedef struct tpipe tpipe;

typedef struct {
    const char *s; /* a name (field, variable without '$', function) or a string's bytes */
    size_t n;
} tstr;

/* One operand: a term and the fields that follow it (".a.b" is A_FIELD with
 * fields a, b; "$x.a" is A_VAR x with field a; "(p).a" is A_PIPE with a). */
typedef struct {
    targ_kind kind;
    size_t pos, len;  /* source text, for error context */
    tstr name;        /* A_VAR, A_FUNC, A_STRING */
    int64_t i;        /* A_INT */
    double f;         /* A_FLOAT */
    bool b;           /* A_BOOL */
    tpipe *pipe;      /* A_PIPE */
    tstr *fields;
    size_t nfields;
} targ;

typedef struct {
    targ *args;
    size_t nargs, pos, len;
} tcmd;

struct tpipe {
    tcmd *cmds;
    size_t ncmds, pos;
    tstr decl[2];
    int ndecl;
    bool assign;
};

typedef enum { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE } tnode_kind;

typedef struct tlist tlist;

typedef struct {
    tnode_kind kind;
    size_t pos, len; /* N_TEXT: the text */
    tpipe *pipe;
    tlist *list, *else_list;
} tnode;

struct tlist {
    tnode *nodes;
    size_t n, cap;
};

/* -- parsing ---------------------------------------------------------------------------- */

typedef struct {
    rp_arena *a;
    lexer lx;
    token tok[3]; /* look-ahead stack, top at [depth - 1] */
    int peeked;
    token last;   /* the token most recently consumed, for error lines */
    tstr *vars;
    size_t nvars, capvars;
    int depth, range_depth;
    bool failed, nomem;
    char msg[256];
} tparser;

static int line_of(const char *s, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos; i++)
        line += s[i] == '\n';
    return line;
}

static void perr(tparser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(tparser *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    char m[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    p->failed = true;
    snprintf(p->msg, sizeof(p->msg), "template: template:%d: %s", line_of(p->lx.s, p->last.pos), m);
}

static token tp_next(tparser *p)
{
    token t = p->peeked ? p->tok[--p->peeked] : lex_next(&p->lx);
    p->last = t;
    if (t.kind == TK_ERROR)
        perr(p, "%s", t.err);
    return t;
}

static void tp_backup(tparser *p, token t)
{
    p->tok[p->peeked++] = t;
}

static token tp_peek(tparser *p)
{
    token t = tp_next(p);
    tp_backup(p, t);
    return t;
}

static token tp_next_nonspace(tparser *p)
{
    token t;
    do
        t = tp_next(p);
    while (t.kind == TK_SPACE);
    return t;
}

static token tp_peek_nonspace(tparser *p)
{
    token t = tp_next_nonspace(p);
    tp_backup(p, t);
    return t;
}

/* Go's item.String() for "unexpected ..." messages. */
static void tok_desc(const tparser *p, token t, char *out, size_t cap)
{
    if (t.kind == TK_EOF)
        snprintf(out, cap, "EOF");
    else if (t.kind > TK_KEYWORD)
        snprintf(out, cap, "<%.*s>", (int)t.len, p->lx.s + t.pos);
    else if (t.kind == TK_RIGHT || t.kind == TK_LEFT)
        snprintf(out, cap, "\"%.*s\"", (int)t.len, p->lx.s + t.pos);
    else if (t.len > 10)
        snprintf(out, cap, "\"%.10s\"...", p->lx.s + t.pos);
    else
        snprintf(out, cap, "\"%.*s\"", (int)t.len, p->lx.s + t.pos);
}

static void unexpected(tparser *p, token t, const char *context)
{
    char d[64];
    tok_desc(p, t, d, sizeof(d));
    perr(p, "unexpected %s in %s", d, context);
}

/* Zeroed arena memory for n elements. */
static void *tp_alloc(tparser *p, size_t n, size_t size)
{
    void *m = rp_arena_array(p->a, n ? n : 1, size);
    if (!m) {
        p->nomem = true;
        perr(p, "out of memory");
        return NULL;
    }
    memset(m, 0, (n ? n : 1) * size);
    return m;
}

/* Appends one element to an arena array that doubles. */
static void *tp_push(tparser *p, void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 4;
        void *m = tp_alloc(p, nc, size);
        if (!m)
            return NULL;
        if (*n)
            memcpy(m, *arr, *n * size);
        *arr = m;
        *cap = nc;
    }
    return (char *)*arr + (*n)++ * size;
}

static void declare_var(tparser *p, tstr name)
{
    tstr *slot = tp_push(p, (void **)&p->vars, &p->nvars, &p->capvars, sizeof(tstr));
    if (slot)
        *slot = name;
}

static bool var_known(const tparser *p, tstr name)
{
    for (size_t i = 0; i < p->nvars; i++)
        if (p->vars[i].n == name.n && memcmp(p->vars[i].s, name.s, name.n) == 0)
            return true;
    return false;
}

static tpipe *parse_pipeline(tparser *p, const char *context);

static const char *const known_funcs[] = {"and", "or", "not", "len", "index", "eq", "ne", "lt",
                                          "le", "gt", "ge", "print", "println"};
static const char *const go_only_funcs[] = {"call", "html", "js", "printf", "slice", "urlquery"};

static bool name_in(const char *const *list, size_t n, tstr name)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == name.n && memcmp(list[i], name.s, name.n) == 0)
            return true;
    return false;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The value of digits hex (or octal) digits at s[i..), or -1. */
static long escape_value(const char *s, size_t i, size_t end, int digits, int base)
{
    long v = 0;
    if (end - i < (size_t)digits)
        return -1;
    for (int k = 0; k < digits; k++) {
        int d = hex_digit(s[i + (size_t)k]);
        if (d < 0 || d >= base)
            return -1;
        v = v * base + d;
    }
    return v;
}

/* strconv.Unquote of a lexed Go string, raw string or character literal;
 * false (after the error) on a bad escape. */
static bool go_unquote(tparser *p, const char *s, size_t n, rp_buf *out)
{
    char q = s[0];
    size_t end = n - 1;
    if (q == '`') {
        for (size_t i = 1; i < end; i++)
            if (s[i] != '\r')
                rp_buf_putc(out, s[i]);
        return true;
    }
    static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\";
    for (size_t i = 1; i < end;) {
        if (s[i] != '\\') {
            rp_buf_putc(out, s[i++]);
            continue;
        }
        char e = i + 1 < end ? s[i + 1] : 0;
        i += 2;
        const char *m = e ? strchr(simple, e) : NULL;
        long v = -1;
        if (m && (m - simple) % 2 == 0) {
            rp_buf_putc(out, m[1]);
            continue;
        }
        if (e == q) {
            rp_buf_putc(out, e);
            continue;
        }
        if (e == 'x') {
            v = escape_value(s, i, end, 2, 16);
            i += 2;
        } else if (e == 'u' || e == 'U') {
            int d = e == 'u' ? 4 : 8;
            v = escape_value(s, i, end, d, 16);
            i += (size_t)d;
            if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
                v = -1;
            if (v >= 0) {
                rego_go_put_rune(out, (uint32_t)v);
                continue;
            }
        } else if (e >= '0' && e <= '7') {
            v = escape_value(s, i - 1, end, 3, 8);
            i += 2;
            if (v > 255)
                v = -1;
        }
        if (v < 0) {
            perr(p, "invalid syntax");
            return false;
        }
        rp_buf_putc(out, (char)v);
    }
    return true;
}

/* A character constant: exactly one rune. */
static bool parse_char(tparser *p, token t, targ *a)
{
    const char *s = p->lx.s + t.pos;
    rp_buf u;
    rp_buf_init(&u);
    uint32_t r = 0;
    if (go_unquote(p, s, t.len, &u)) {
        bool bad;
        size_t k = u.len ? rego_go_decode_rune(u.data, u.len, &r, &bad) : 0;
        if (k == 0 || k != u.len)
            perr(p, "malformed character constant: %.*s", (int)t.len, s);
    }
    rp_buf_free(&u);
    a->kind = A_INT;
    a->i = r;
    return !p->failed;
}

/* A number literal as Go's untyped constants resolve without context: an
 * int (decimal, 0x, 0o, 0b or leading-0 octal, '_' separators) or, with a
 * '.', exponent or hex 'p', a float64. */
static bool parse_number(tparser *p, token t, targ *a)
{
    if (t.kind == TK_CHARCONST)
        return parse_char(p, t, a);
    const char *s = p->lx.s + t.pos;
    char buf[80];
    size_t n = 0;
    for (size_t i = 0; i < t.len && n + 1 < sizeof(buf); i++)
        if (s[i] != '_')
            buf[n++] = s[i];
    buf[n] = 0;
    const char *q = buf + (buf[0] == '+' || buf[0] == '-');
    bool hex = q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
    char *end;
    if (n < sizeof(buf) - 1 && !strpbrk(q, hex ? "pP" : ".eEpP")) {
        int base = 10;
        const char *digits = q;
        if (q[0] == '0' && q[1]) {
            char b = q[1];
            base = b == 'x' || b == 'X' ? 16 : b == 'b' || b == 'B' ? 2 : 8;
            digits = q + (base == 8 && b != 'o' && b != 'O' ? 1 : 2);
        }
        errno = 0;
        unsigned long long u = strtoull(digits, &end, base);
        bool neg = buf[0] == '-';
        if (*end == 0 && end != digits && *digits != '-' && *digits != '+') {
            unsigned long long max = (unsigned long long)INT64_MAX + (neg ? 1 : 0);
            if (errno || u > max) {
                perr(p, "%.*s overflows int", (int)t.len, s);
                return false;
            }
            a->kind = A_INT;
            a->i = neg ? (int64_t)(0 - u) : (int64_t)u;
            return true;
        }
    }
    double d = n < sizeof(buf) - 1 ? strtod(buf, &end) : 0;
    if (n >= sizeof(buf) - 1 || *end != 0 || end == buf || !isfinite(d)) {
        perr(p, "bad number syntax: \"%.*s\"", (int)t.len, s);
        return false;
    }
    a->kind = A_FLOAT;
    a->f = d;
    return true;
}

/* term: literal, function name, ., .Field, $x, ( pipeline ).  false when the
 * next token is not a term (it is left unread). */
static bool parse_term(tparser *p, targ *a)
{
    token t = tp_next_nonspace(p);
    memset(a, 0, sizeof(*a));
    a->pos = t.pos;
    a->len = t.len;
    const char *s = p->lx.s + t.pos;
    switch (t.kind) {
    case TK_IDENT:
        a->kind = A_FUNC;
        a->name = (tstr){s, t.len};
        if (name_in(go_only_funcs, RP_ARRAY_LEN(go_only_funcs), a->name))
            perr(p, "function %.*s is not supported by rampart", (int)t.len, s);
        else if (!name_in(known_funcs, RP_ARRAY_LEN(known_funcs), a->name))
            perr(p, "function \"%.*s\" not defined", (int)t.len, s);
        return true;
    case TK_DOT: a->kind = A_DOT; return true;
    case TK_NIL: a->kind = A_NIL; return true;
    case TK_BOOL: a->kind = A_BOOL; a->b = s[0] == 't'; return true;
    case TK_FIELD:
        a->kind = A_FIELD;
        a->fields = tp_alloc(p, 1, sizeof(tstr));
        if (a->fields)
            a->fields[a->nfields++] = (tstr){s + 1, t.len - 1};
        return true;
    case TK_VAR:
        a->kind = A_VAR;
        a->name = (tstr){s, t.len};
        if (!var_known(p, a->name))
            perr(p, "undefined variable \"%.*s\"", (int)t.len, s);
        return true;
    case TK_NUMBER:
    case TK_CHARCONST: parse_number(p, t, a); return true;
    case TK_STRING:
    case TK_RAW: {
        rp_buf u;
        rp_buf_init(&u);
        if (go_unquote(p, s, t.len, &u)) {
            a->kind = A_STRING;
            a->name.s = rp_arena_strndup(p->a, u.data ? u.data : "", u.len);
            a->name.n = u.len;
        }
        rp_buf_free(&u);
        return true;
    }
    case TK_LPAREN: {
        if (++p->depth > REGO_TEMPLATE_MAX_DEPTH) {
            perr(p, "nesting deeper than %d", REGO_TEMPLATE_MAX_DEPTH);
            return true;
        }
        a->kind = A_PIPE;
        a->pipe = parse_pipeline(p, "parenthesized pipeline");
        token r = tp_next(p);
        if (r.kind != TK_RPAREN && !p->failed) {
            char d[64];
            tok_desc(p, r, d, sizeof(d));
            perr(p, "unclosed right paren: unexpected %s", d);
        }
        a->len = r.pos + r.len - a->pos;
        p->depth--;
        return true;
    }
    default:
        tp_backup(p, t);
        return false;
    }
}

/* operand: term .Field* */
static bool parse_operand(tparser *p, targ *a)
{
    if (!parse_term(p, a))
        return false;
    if (tp_peek(p).kind != TK_FIELD)
        return true;
    if (a->kind == A_BOOL || a->kind == A_STRING || a->kind == A_INT || a->kind == A_FLOAT ||
        a->kind == A_NIL || a->kind == A_DOT) {
        perr(p, "unexpected . after term \"%.*s\"", (int)a->len, p->lx.s + a->pos);
        return true;
    }
    size_t cap = a->nfields;
    while (!p->failed && tp_peek(p).kind == TK_FIELD) {
        token f = tp_next(p);
        tstr *slot = tp_push(p, (void **)&a->fields, &a->nfields, &cap, sizeof(tstr));
        if (slot)
            *slot = (tstr){p->lx.s + f.pos + 1, f.len - 1};
        a->len = f.pos + f.len - a->pos;
    }
    return true;
}

/* command: operand (space operand)*, ending at '|', '}}' or ')'. */
static tcmd parse_command(tparser *p)
{
    tcmd c = {0};
    size_t cap = 0;
    c.pos = tp_peek_nonspace(p).pos;
    while (!p->failed) {
        targ a;
        if (parse_operand(p, &a)) {
            targ *slot = tp_push(p, (void **)&c.args, &c.nargs, &cap, sizeof(targ));
            if (slot)
                *slot = a;
            c.len = a.pos + a.len - c.pos;
        }
        token t = tp_next(p);
        if (t.kind == TK_SPACE)
            continue;
        if (t.kind == TK_RIGHT || t.kind == TK_RPAREN) {
            tp_backup(p, t);
        } else if (t.kind != TK_PIPE && !p->failed) {
            char d[64];
            tok_desc(p, t, d, sizeof(d));
            perr(p, "unexpected %s in operand", d);
        }
        break;
    }
    if (c.nargs == 0)
        perr(p, "empty command");
    return c;
}

/* The optional "$x :=", "$x =" or "$i, $e :=" at the start of a pipeline. */
static void parse_decls(tparser *p, tpipe *pipe, const char *context)
{
    for (;;) {
        token v = tp_next_nonspace(p);
        if (v.kind != TK_VAR) {
            tp_backup(p, v);
            return;
        }
        token after = tp_next(p);
        token next = after.kind == TK_SPACE ? tp_next_nonspace(p) : after;
        tstr name = {p->lx.s + v.pos, v.len};
        if (next.kind == TK_DECLARE || next.kind == TK_ASSIGN) {
            pipe->assign = next.kind == TK_ASSIGN;
            pipe->decl[pipe->ndecl++] = name;
            declare_var(p, name);
            return;
        }
        if (next.kind == TK_CHAR && p->lx.s[next.pos] == ',') {
            pipe->decl[pipe->ndecl++] = name;
            declare_var(p, name);
            if (strcmp(context, "range") == 0 && pipe->ndecl < 2) {
                token q = tp_peek_nonspace(p);
                if (q.kind == TK_VAR || q.kind == TK_RIGHT || q.kind == TK_RPAREN)
                    continue;
                perr(p, "range can only initialize variables");
                return;
            }
            perr(p, "too many declarations in %s", context);
            return;
        }
        /* "$x" was an operand after all: push everything back. */
        if (after.kind == TK_SPACE)
            tp_backup(p, next);
        tp_backup(p, after);
        tp_backup(p, v);
        return;
    }
}

static bool literal_kind(targ_kind k)
{
    return k == A_BOOL || k == A_DOT || k == A_NIL || k == A_INT || k == A_FLOAT || k == A_STRING;
}

static tpipe *parse_pipeline(tparser *p, const char *context)
{
    tpipe *pipe = tp_alloc(p, 1, sizeof(tpipe));
    if (!pipe)
        return NULL;
    memset(pipe, 0, sizeof(*pipe));
    pipe->pos = tp_peek_nonspace(p).pos;
    parse_decls(p, pipe, context);
    size_t cap = 0;
    while (!p->failed) {
        token t = tp_next_nonspace(p);
        if (t.kind == TK_RIGHT || t.kind == TK_RPAREN) {
            tp_backup(p, t); /* the caller consumes "}}" or ")" */
            break;
        }
        switch (t.kind) {
        case TK_BOOL: case TK_CHARCONST: case TK_DOT: case TK_FIELD: case TK_IDENT:
        case TK_NUMBER: case TK_NIL: case TK_RAW: case TK_STRING: case TK_VAR: case TK_LPAREN: {
            tp_backup(p, t);
            tcmd c = parse_command(p);
            tcmd *slot = tp_push(p, (void **)&pipe->cmds, &pipe->ncmds, &cap, sizeof(tcmd));
            if (slot)
                *slot = c;
            break;
        }
        default:
            unexpected(p, t, context);
            break;
        }
    }
    if (p->failed)
        return pipe;
    if (pipe->ncmds == 0)
        perr(p, "missing value for %s", context);
    for (size_t i = 1; i < pipe->ncmds && !p->failed; i++)
        if (literal_kind(pipe->cmds[i].args[0].kind))
            perr(p, "non executable command in pipeline stage %zu", i + 1);
    return pipe;
}

static void expect_right(tparser *p, const char *context)
{
    token t = tp_next_nonspace(p);
    if (t.kind != TK_RIGHT && !p->failed)
        unexpected(p, t, context);
}

typedef enum { END_NONE, END_END, END_ELSE } list_end;

static list_end parse_list(tparser *p, tlist *l);

/* {{if}}, {{range}}, {{with}} after the keyword: pipeline, list, else. */
static void parse_control(tparser *p, tnode *n, const char *context)
{
    size_t mark = p->nvars;
    if (++p->depth > REGO_TEMPLATE_MAX_DEPTH) {
        perr(p, "nesting deeper than %d", REGO_TEMPLATE_MAX_DEPTH);
        return;
    }
    n->pipe = parse_pipeline(p, context);
    expect_right(p, context);
    if (n->kind == N_RANGE)
        p->range_depth++;
    n->list = tp_alloc(p, 1, sizeof(tlist));
    list_end e = n->list && !p->failed ? parse_list(p, n->list) : END_NONE;
    if (n->kind == N_RANGE)
        p->range_depth--;
    if (e == END_NONE)
        perr(p, "unexpected EOF");
    if (e == END_ELSE && !p->failed) {
        n->else_list = tp_alloc(p, 1, sizeof(tlist));
        token k = tp_peek_nonspace(p);
        bool chained = (n->kind == N_IF && k.kind == TK_IF) ||
                       (n->kind == N_WITH && k.kind == TK_WITH);
        if (n->else_list && chained) {
            tp_next_nonspace(p);
            tnode *inner = tp_push(p, (void **)&n->else_list->nodes, &n->else_list->n,
                                   &n->else_list->cap, sizeof(tnode));
            if (inner) {
                memset(inner, 0, sizeof(*inner));
                inner->kind = n->kind;
                inner->pos = k.pos;
                parse_control(p, inner, context);
            }
        } else if (n->else_list) {
            /* parse_action consumed the "}}" of a plain {{else}} */
            list_end e2 = p->failed ? END_END : parse_list(p, n->else_list);
            if (e2 == END_NONE)
                perr(p, "unexpected EOF");
            else if (e2 == END_ELSE)
                perr(p, "expected end; found {{else}}");
        }
    }
    p->nvars = mark;
    p->depth--;
}

/* One "{{...}}" after its "{{"; returns END_* for {{end}} and {{else}}. */
static list_end parse_action(tparser *p, tlist *l)
{
    token t = tp_next_nonspace(p);
    tnode n = {0};
    n.pos = t.pos;
    switch (t.kind) {
    case TK_END: expect_right(p, "end"); return END_END;
    case TK_ELSE: {
        token k = tp_peek_nonspace(p);
        if (k.kind != TK_IF && k.kind != TK_WITH)
            expect_right(p, "else");
        return END_ELSE;
    }
    case TK_IF: n.kind = N_IF; parse_control(p, &n, "if"); break;
    case TK_RANGE: n.kind = N_RANGE; parse_control(p, &n, "range"); break;
    case TK_WITH: n.kind = N_WITH; parse_control(p, &n, "with"); break;
    case TK_BREAK:
    case TK_CONTINUE:
        if (p->range_depth == 0) {
            perr(p, "{{%s}} outside {{range}}", t.kind == TK_BREAK ? "break" : "continue");
            return END_NONE;
        }
        n.kind = t.kind == TK_BREAK ? N_BREAK : N_CONTINUE;
        expect_right(p, t.kind == TK_BREAK ? "{{break}}" : "{{continue}}");
        break;
    case TK_DEFINE:
    case TK_TEMPLATE:
    case TK_BLOCK:
        perr(p, "{{%.*s}} is not supported by rampart", (int)t.len, p->lx.s + t.pos);
        return END_NONE;
    default:
        tp_backup(p, t);
        n.kind = N_ACTION;
        n.pipe = parse_pipeline(p, "command");
        expect_right(p, "command");
        break;
    }
    tnode *slot = tp_push(p, (void **)&l->nodes, &l->n, &l->cap, sizeof(tnode));
    if (slot && !p->failed)
        *slot = n;
    return END_NONE;
}

/* Nodes until {{end}} / {{else}} (returned) or EOF (END_NONE). */
static list_end parse_list(tparser *p, tlist *l)
{
    while (!p->failed) {
        token t = tp_next(p);
        if (t.kind == TK_EOF)
            return END_NONE;
        if (t.kind == TK_TEXT) {
            tnode *slot = tp_push(p, (void **)&l->nodes, &l->n, &l->cap, sizeof(tnode));
            if (slot)
                *slot = (tnode){N_TEXT, t.pos, t.len, NULL, NULL, NULL};
            continue;
        }
        if (t.kind != TK_LEFT) {
            unexpected(p, t, "input");
            return END_NONE;
        }
        list_end e = parse_action(p, l);
        if (e != END_NONE)
            return e;
    }
    return END_NONE;
}

/* Parses the whole template into root. */
static void parse_template(tparser *p, tlist *root)
{
    static const tstr dollar = {"$", 1};
    declare_var(p, dollar);
    for (;;) {
        list_end e = parse_list(p, root);
        if (p->failed || e == END_NONE)
            break;
        perr(p, "unexpected {{%s}}", e == END_END ? "end" : "else");
    }
    /* Inside a control structure parse_list stops at EOF too. */
}

/* -- execution ---------------------------------------------------------------------------- */

/* A value during execution.  TV_REGO values come from the vars (and keep
 * the Go type they decode to); iface marks one still boxed in an
 * interface{} (read out of a map or slice), which matters for nil and for
 * type names in errors.  TV_NONE is Go's invalid reflect.Value. */
typedef enum { TV_NONE, TV_REGO, TV_INT, TV_FLOAT, TV_BOOL, TV_STR } tv_kind;

typedef struct {
    tv_kind k;
    bool iface;
    rego_value v; /* TV_REGO */
    int64_t i;    /* TV_INT */
    double f;     /* TV_FLOAT */
    bool b;       /* TV_BOOL */
    tstr s;       /* TV_STR */
} tval;

typedef struct {
    tstr name;
    tval val;
} tvar;

typedef enum { FLOW_NORMAL, FLOW_BREAK, FLOW_CONTINUE } tflow;

typedef struct {
    rego_bctx *ctx;
    const char *src;
    rp_buf *out;
    tvar *vars;
    size_t nvars, capvars;
    uint64_t steps;
    size_t at_pos, at_len; /* the node being evaluated, for error context */
    bool failed, limit;
    char msg[256];
} texec;

static void xerr(texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xerr(texec *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    char m[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    x->failed = true;
    int line = line_of(x->src, x->at_pos);
    size_t nl = x->at_pos;
    while (nl > 0 && x->src[nl - 1] != '\n')
        nl--;
    snprintf(x->msg, sizeof(x->msg),
             "template: template:%d:%zu: executing \"template\" at <%.*s>: %s", line,
             x->at_pos - nl, (int)(x->at_len > 60 ? 60 : x->at_len), x->src + x->at_pos, m);
}

static void xat(texec *x, size_t pos, size_t len)
{
    x->at_pos = pos;
    x->at_len = len;
}

/* Counts one unit of work; false once the budget is spent. */
static bool xstep(texec *x)
{
    if (x->failed)
        return false;
    if (++x->steps > REGO_TEMPLATE_MAX_STEPS || x->out->len > REGO_SPRINTF_MAX_BYTES) {
        x->failed = x->limit = true;
        return false;
    }
    return true;
}

static tval tv_none(void) { tval v = {0}; return v; }
static tval tv_rego(rego_value r, bool iface)
{
    tval v = {0};
    v.k = TV_REGO;
    v.v = r;
    v.iface = iface;
    return v;
}
static tval tv_int(int64_t i) { tval v = {0}; v.k = TV_INT; v.i = i; return v; }
static tval tv_bool(bool b) { tval v = {0}; v.k = TV_BOOL; v.b = b; return v; }

/* evalPipeline's "dig down one level" out of an interface{}. */
static tval dig(tval v)
{
    if (v.k == TV_REGO && v.iface) {
        if (v.v.kind == REGO_NULL)
            return tv_none();
        v.iface = false;
    }
    return v;
}

/* reflect.Type.String() of the concrete Go value. */
static const char *go_type_name(tval v)
{
    if (v.k == TV_REGO && v.iface)
        return "interface {}";
    switch (v.k) {
    case TV_NONE: return "<nil>";
    case TV_INT: return "int";
    case TV_FLOAT: return "float64";
    case TV_BOOL: return "bool";
    case TV_STR: return "string";
    case TV_REGO: break;
    }
    switch ((rego_kind)v.v.kind) {
    case REGO_STRING: return "string";
    case REGO_NUMBER: return "json.Number";
    case REGO_BOOL: return "bool";
    case REGO_ARRAY: return "[]interface {}";
    case REGO_OBJECT: return "map[string]interface {}";
    case REGO_NULL: return "interface {}";
    case REGO_SET:
    case REGO_UNDEF: break;
    }
    return "interface {}";
}

/* fmt's %v of a decoded JSON value: slices as [a b], maps as map[k:v],
 * nil elements as <nil>. */
static void put_go_value(rp_buf *b, rego_value v, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH) {
        rp_buf_puts(b, "...");
        return;
    }
    switch ((rego_kind)v.kind) {
    case REGO_NULL: rp_buf_puts(b, "<nil>"); return;
    case REGO_BOOL: rp_buf_puts(b, v.u.b ? "true" : "false"); return;
    case REGO_NUMBER: rego_num_write(b, v); return;
    case REGO_STRING: rp_buf_append(b, v.u.s, v.n); return;
    case REGO_ARRAY:
        rp_buf_putc(b, '[');
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ' ');
            put_go_value(b, v.u.items[i], depth + 1);
        }
        rp_buf_putc(b, ']');
        return;
    case REGO_OBJECT:
        rp_buf_puts(b, "map[");
        for (size_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (i)
                rp_buf_putc(b, ' ');
            put_go_value(b, e.key, depth + 1);
            rp_buf_putc(b, ':');
            put_go_value(b, e.val, depth + 1);
        }
        rp_buf_putc(b, ']');
        return;
    case REGO_SET:
    case REGO_UNDEF: return;
    }
}

/* fmt.Fprint of one value. */
static void put_tval(rp_buf *b, tval v)
{
    switch (v.k) {
    case TV_NONE: rp_buf_puts(b, "<nil>"); return;
    case TV_REGO: put_go_value(b, v.v, 0); return;
    case TV_INT: rp_buf_printf(b, "%lld", (long long)v.i); return;
    case TV_FLOAT: {
        rp_buf t;
        rp_buf_init(&t);
        rego_go_ftoa(&t, v.f, 'g', -1);
        rp_buf_append(b, t.data ? t.data : "", t.len);
        rp_buf_free(&t);
        return;
    }
    case TV_BOOL: rp_buf_puts(b, v.b ? "true" : "false"); return;
    case TV_STR: rp_buf_append(b, v.s.s, v.s.n); return;
    }
}

/* text/template's isTrue (after indirectInterface).  A json.Number is a
 * non-empty string, so every number from the vars is true. */
static bool truth(tval v)
{
    v = dig(v);
    switch (v.k) {
    case TV_NONE: return false;
    case TV_INT: return v.i != 0;
    case TV_FLOAT: return v.f != 0;
    case TV_BOOL: return v.b;
    case TV_STR: return v.s.n > 0;
    case TV_REGO: break;
    }
    switch ((rego_kind)v.v.kind) {
    case REGO_BOOL: return v.v.u.b;
    case REGO_NUMBER: return true;
    case REGO_STRING:
    case REGO_ARRAY:
    case REGO_OBJECT:
    case REGO_SET: return v.v.n > 0;
    case REGO_NULL:
    case REGO_UNDEF: return false;
    }
    return false;
}

static tval var_value(texec *x, tstr name)
{
    for (size_t i = x->nvars; i-- > 0;)
        if (x->vars[i].name.n == name.n && memcmp(x->vars[i].name.s, name.s, name.n) == 0)
            return x->vars[i].val;
    xerr(x, "undefined variable: %.*s", (int)name.n, name.s);
    return tv_none();
}

static void push_var(texec *x, tstr name, tval v)
{
    if (x->nvars == x->capvars) {
        size_t nc = x->capvars ? 2 * x->capvars : 8;
        tvar *m = rp_arena_array(x->ctx->arena, nc, sizeof(tvar));
        if (!m) {
            x->failed = true;
            return;
        }
        if (x->nvars)
            memcpy(m, x->vars, x->nvars * sizeof(tvar));
        x->vars = m;
        x->capvars = nc;
    }
    x->vars[x->nvars++] = (tvar){name, v};
}

static void set_var(texec *x, tstr name, tval v)
{
    for (size_t i = x->nvars; i-- > 0;)
        if (x->vars[i].name.n == name.n && memcmp(x->vars[i].name.s, name.s, name.n) == 0) {
            x->vars[i].val = v;
            return;
        }
    xerr(x, "undefined variable: %.*s", (int)name.n, name.s);
}

/* evalField with missingkey=error: a map key, or one of Go's errors. */
static tval eval_field(texec *x, tval recv, tstr name, bool has_args)
{
    if (recv.k == TV_NONE) {
        xerr(x, "nil data; no entry for key \"%.*s\"", (int)name.n, name.s);
        return recv;
    }
    const char *typ = go_type_name(recv);
    if (recv.k == TV_REGO && recv.iface && recv.v.kind == REGO_NULL) {
        xerr(x, "nil pointer evaluating %s.%.*s", typ, (int)name.n, name.s);
        return tv_none();
    }
    if (recv.k == TV_REGO && recv.v.kind == REGO_OBJECT) {
        if (has_args) {
            xerr(x, "%.*s is not a method but has arguments", (int)name.n, name.s);
            return tv_none();
        }
        rego_value r;
        if (!rego_object_get_str(recv.v, name.s, name.n, rego_hash_str(name.s, name.n), &r)) {
            xerr(x, "map has no entry for key \"%.*s\"", (int)name.n, name.s);
            return tv_none();
        }
        return tv_rego(r, true);
    }
    xerr(x, "can't evaluate field %.*s in type %s", (int)name.n, name.s, typ);
    return tv_none();
}

static tval eval_pipeline(texec *x, tval dot, const tpipe *p);
static tval eval_arg(texec *x, tval dot, const targ *a);

static tval eval_chain(texec *x, tval recv, const targ *a, bool has_args)
{
    for (size_t i = 0; i < a->nfields && !x->failed; i++)
        recv = eval_field(x, recv, a->fields[i], has_args && i + 1 == a->nfields);
    return recv;
}

/* -- functions -- */

typedef enum { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_OTHER } basic_kind;

/* Go's basicKind after indirectInterface; a json.Number is a string. */
static basic_kind basic(tval v)
{
    v = dig(v);
    switch (v.k) {
    case TV_NONE: return K_INVALID;
    case TV_INT: return K_INT;
    case TV_FLOAT: return K_FLOAT;
    case TV_BOOL: return K_BOOL;
    case TV_STR: return K_STRING;
    case TV_REGO: break;
    }
    switch ((rego_kind)v.v.kind) {
    case REGO_BOOL: return K_BOOL;
    case REGO_STRING:
    case REGO_NUMBER: return K_STRING;
    default: return K_OTHER;
    }
}

static int tstr_cmp(tstr a, tstr b)
{
    int c = memcmp(a.s, b.s, a.n < b.n ? a.n : b.n);
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* The text of a value compared as a string (json.Number's text). */
static tstr str_of(texec *x, tval v)
{
    v = dig(v);
    if (v.k == TV_STR)
        return v.s;
    if (v.v.kind == REGO_STRING)
        return (tstr){v.v.u.s, v.v.n};
    rp_buf t;
    rp_buf_init(&t);
    rego_num_write(&t, v.v);
    tstr s = {rp_arena_strndup(x->ctx->arena, t.data ? t.data : "", t.len), t.len};
    rp_buf_free(&t);
    if (!s.s)
        s = (tstr){"", 0};
    return s;
}

static bool bool_of(tval v)
{
    v = dig(v);
    return v.k == TV_BOOL ? v.b : v.v.u.b;
}

/* <0, 0, >0 for two values of the same ordered basic kind. */
static int cmp_same(texec *x, basic_kind k, tval a, tval b)
{
    a = dig(a);
    b = dig(b);
    switch (k) {
    case K_INT: return (a.i > b.i) - (a.i < b.i);
    case K_FLOAT: return (a.f > b.f) - (a.f < b.f);
    case K_STRING: return tstr_cmp(str_of(x, a), str_of(x, b));
    case K_BOOL: return bool_of(a) != bool_of(b);
    case K_INVALID:
    case K_OTHER: break;
    }
    return 0;
}

/* text/template's eq for one pair: false with an error when the kinds
 * differ and neither is nil. */
static bool go_eq(texec *x, const char *fn, tval a, tval b)
{
    basic_kind ka = basic(a), kb = basic(b);
    if (ka != kb) {
        if (ka != K_INVALID && kb != K_INVALID)
            xerr(x, "error calling %s: incompatible types for comparison", fn);
        return false;
    }
    if (ka == K_INVALID)
        return true;
    if (ka == K_OTHER) {
        xerr(x, "error calling %s: non-comparable types", fn);
        return false;
    }
    return cmp_same(x, ka, a, b) == 0;
}

/* text/template's lt. */
static bool go_lt(texec *x, const char *fn, tval a, tval b)
{
    basic_kind ka = basic(a), kb = basic(b);
    bool unordered = ka == K_INVALID || ka == K_OTHER || kb == K_INVALID || kb == K_OTHER;
    if (unordered || (ka == kb && ka == K_BOOL)) {
        xerr(x, "error calling %s: invalid type for comparison", fn);
        return false;
    }
    if (ka != kb) {
        xerr(x, "error calling %s: incompatible types for comparison", fn);
        return false;
    }
    return cmp_same(x, ka, a, b) < 0;
}

static tval fn_compare(texec *x, const char *fn, const tval *av, size_t n)
{
    bool is_eq = strcmp(fn, "eq") == 0;
    if (is_eq ? n < 2 : n != 2) {
        if (is_eq && n == 1)
            xerr(x, "error calling eq: missing argument for comparison");
        else
            xerr(x, "wrong number of args for %s: want 2 got %zu", fn, n);
        return tv_none();
    }
    if (is_eq) {
        for (size_t i = 1; i < n && !x->failed; i++)
            if (go_eq(x, fn, av[0], av[i]))
                return tv_bool(true);
        return tv_bool(false);
    }
    bool r;
    if (strcmp(fn, "ne") == 0)
        r = !go_eq(x, fn, av[0], av[1]);
    else if (strcmp(fn, "lt") == 0)
        r = go_lt(x, fn, av[0], av[1]);
    else if (strcmp(fn, "ge") == 0)
        r = !go_lt(x, fn, av[0], av[1]);
    else { /* le, gt: lt || eq */
        bool le = go_lt(x, fn, av[0], av[1]) || (!x->failed && go_eq(x, fn, av[0], av[1]));
        r = strcmp(fn, "le") == 0 ? le : !le;
    }
    return tv_bool(r);
}

static tval fn_len(texec *x, tval v)
{
    v = dig(v);
    if (v.k == TV_STR)
        return tv_int((int64_t)v.s.n);
    if (v.k == TV_REGO &&
        (v.v.kind == REGO_STRING || v.v.kind == REGO_ARRAY || v.v.kind == REGO_OBJECT))
        return tv_int((int64_t)v.v.n);
    if (v.k == TV_REGO && v.v.kind == REGO_NUMBER)
        return tv_int((int64_t)str_of(x, v).n);
    if (v.k == TV_NONE)
        xerr(x, "error calling len: len of nil pointer");
    else
        xerr(x, "error calling len: len of type %s", go_type_name(v));
    return tv_none();
}

/* index item k1 k2 ...: maps by string key (a missing key gives the zero
 * value, nil), slices and strings by int. */
static tval fn_index(texec *x, const tval *av, size_t n)
{
    if (n < 1) {
        xerr(x, "wrong number of args for index: want at least 1 got 0");
        return tv_none();
    }
    tval item = dig(av[0]);
    if (item.k == TV_NONE) {
        xerr(x, "error calling index: index of untyped nil");
        return item;
    }
    for (size_t i = 1; i < n && !x->failed; i++) {
        tval k = dig(av[i]);
        item = dig(item);
        if (item.k == TV_REGO && item.v.kind == REGO_OBJECT) {
            if (!(k.k == TV_STR || (k.k == TV_REGO && k.v.kind == REGO_STRING))) {
                xerr(x, "error calling index: value has type %s; should be string",
                     go_type_name(k));
                return tv_none();
            }
            tstr ks = str_of(x, k);
            rego_value r;
            item = rego_object_get_str(item.v, ks.s, ks.n, rego_hash_str(ks.s, ks.n), &r)
                       ? tv_rego(r, true) : tv_rego(rego_null(), true);
            continue;
        }
        bool seq = item.k == TV_STR ||
                   (item.k == TV_REGO && (item.v.kind == REGO_ARRAY || item.v.kind == REGO_STRING));
        if (!seq) {
            xerr(x, "error calling index: can't index item of type %s", go_type_name(item));
            return tv_none();
        }
        if (k.k != TV_INT) {
            xerr(x, "error calling index: cannot index slice/array with type %s", go_type_name(k));
            return tv_none();
        }
        size_t len = item.k == TV_STR ? item.s.n : item.v.n;
        if (k.i < 0 || (uint64_t)k.i >= len) {
            xerr(x, "error calling index: index out of range: %lld", (long long)k.i);
            return tv_none();
        }
        if (item.k == TV_STR)
            item = tv_int((unsigned char)item.s.s[k.i]);
        else if (item.v.kind == REGO_STRING)
            item = tv_int((unsigned char)item.v.u.s[k.i]);
        else
            item = tv_rego(item.v.u.items[k.i], true);
    }
    return item;
}

/* A value of Go kind string: strings and json.Numbers. */
static bool string_kind(tval v)
{
    if (v.k == TV_STR)
        return true;
    return v.k == TV_REGO && (v.v.kind == REGO_STRING || v.v.kind == REGO_NUMBER);
}

/* fmt.Sprint / Sprintln: Sprint puts a space between operands when neither
 * is a string (json.Number counts as one). */
static tval fn_print(texec *x, const tval *av, size_t n, bool ln)
{
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        tval v = dig(av[i]);
        bool is_str = string_kind(v), prev_str = i && string_kind(dig(av[i - 1]));
        if (i && (ln || (!is_str && !prev_str)))
            rp_buf_putc(&b, ' ');
        put_tval(&b, v);
    }
    if (ln)
        rp_buf_putc(&b, '\n');
    tval r = {0};
    r.k = TV_STR;
    r.s.s = rp_arena_strndup(x->ctx->arena, b.data ? b.data : "", b.len);
    r.s.n = b.len;
    if (!r.s.s || b.failed)
        x->failed = true;
    rp_buf_free(&b);
    return r;
}

static bool is_fn(tstr name, const char *w)
{
    return strlen(w) == name.n && memcmp(w, name.s, name.n) == 0;
}

/* A function call: arguments are evaluated first, except and/or, which stop
 * at the first false/true operand (Go 1.18). */
static tval eval_function(texec *x, tval dot, const tcmd *c, tval final, bool has_final)
{
    tstr name = c->args[0].name;
    size_t n = c->nargs - 1 + (has_final ? 1 : 0);
    if (is_fn(name, "and") || is_fn(name, "or")) {
        if (n == 0) {
            xerr(x, "wrong number of args for %.*s: want at least 1 got 0", (int)name.n, name.s);
            return tv_none();
        }
        bool want = is_fn(name, "or");
        tval v = tv_none();
        for (size_t i = 0; i < n && !x->failed; i++) {
            v = i + 1 < c->nargs ? eval_arg(x, dot, &c->args[i + 1]) : final;
            if (truth(v) == want)
                return v;
        }
        return v;
    }
    tval *av = rp_arena_array(x->ctx->arena, n ? n : 1, sizeof(tval));
    if (!av) {
        x->failed = true;
        return tv_none();
    }
    for (size_t i = 0; i + 1 < c->nargs && !x->failed; i++)
        av[i] = eval_arg(x, dot, &c->args[i + 1]);
    if (has_final)
        av[n - 1] = final;
    if (x->failed)
        return tv_none();
    xat(x, c->pos, c->len);
    char fn[16];
    snprintf(fn, sizeof(fn), "%.*s", (int)(name.n < 15 ? name.n : 15), name.s);
    bool unary = is_fn(name, "not") || is_fn(name, "len");
    if (unary && n != 1) {
        xerr(x, "wrong number of args for %s: want 1 got %zu", fn, n);
        return tv_none();
    }
    if (is_fn(name, "not"))
        return tv_bool(!truth(av[0]));
    if (is_fn(name, "len"))
        return fn_len(x, av[0]);
    if (is_fn(name, "index"))
        return fn_index(x, av, n);
    if (is_fn(name, "print") || is_fn(name, "println"))
        return fn_print(x, av, n, is_fn(name, "println"));
    return fn_compare(x, fn, av, n);
}

static tval eval_command(texec *x, tval dot, const tcmd *c, tval final, bool has_final)
{
    const targ *a = &c->args[0];
    bool has_args = c->nargs > 1 || has_final;
    xat(x, a->pos, a->len);
    switch (a->kind) {
    case A_FUNC: return eval_function(x, dot, c, final, has_final);
    case A_FIELD: return eval_chain(x, dot, a, has_args);
    case A_VAR: {
        tval v = var_value(x, a->name);
        if (a->nfields == 0 && has_args) {
            xerr(x, "can't give argument to non-function %.*s", (int)a->len, x->src + a->pos);
            return tv_none();
        }
        return eval_chain(x, v, a, has_args);
    }
    case A_PIPE: {
        if (has_args && a->nfields == 0) {
            xerr(x, "can't give argument to non-function %.*s", (int)a->len, x->src + a->pos);
            return tv_none();
        }
        tval v = eval_pipeline(x, dot, a->pipe);
        xat(x, a->pos, a->len);
        return eval_chain(x, v, a, has_args);
    }
    default: break;
    }
    if (has_args) {
        xerr(x, "can't give argument to non-function %.*s", (int)a->len, x->src + a->pos);
        return tv_none();
    }
    if (a->kind == A_NIL)
        xerr(x, "nil is not a command");
    return eval_arg(x, dot, a);
}

/* An argument: literals become Go constants (int, float64, string, bool). */
static tval eval_arg(texec *x, tval dot, const targ *a)
{
    xat(x, a->pos, a->len);
    tval v = {0};
    switch (a->kind) {
    case A_DOT: return dot;
    case A_FIELD: return eval_chain(x, dot, a, false);
    case A_VAR: return eval_chain(x, var_value(x, a->name), a, false);
    case A_PIPE: {
        tval r = eval_pipeline(x, dot, a->pipe);
        xat(x, a->pos, a->len);
        return eval_chain(x, r, a, false);
    }
    case A_FUNC: {
        tcmd c = {(targ *)a, 1, a->pos, a->len};
        return eval_function(x, dot, &c, tv_none(), false);
    }
    case A_STRING: v.k = TV_STR; v.s = a->name; return v;
    case A_INT: return tv_int(a->i);
    case A_FLOAT: v.k = TV_FLOAT; v.f = a->f; return v;
    case A_BOOL: return tv_bool(a->b);
    case A_NIL: return tv_none();
    }
    return v;
}

static tval eval_pipeline(texec *x, tval dot, const tpipe *p)
{
    tval v = tv_none();
    for (size_t i = 0; i < p->ncmds && xstep(x); i++)
        v = dig(eval_command(x, dot, &p->cmds[i], v, i > 0));
    for (int d = 0; d < p->ndecl && !x->failed; d++) {
        if (p->assign)
            set_var(x, p->decl[d], v);
        else
            push_var(x, p->decl[d], v);
    }
    return v;
}

static tflow walk_list(texec *x, tval dot, const tlist *l);

static void print_value(texec *x, tval v)
{
    v = dig(v);
    if (v.k == TV_NONE)
        rp_buf_puts(x->out, "<no value>");
    else
        put_tval(x->out, v);
}

static tflow walk_if_with(texec *x, tval dot, const tnode *n)
{
    size_t mark = x->nvars;
    tval v = eval_pipeline(x, dot, n->pipe);
    tflow f = FLOW_NORMAL;
    if (x->failed)
        return f;
    if (truth(v))
        f = walk_list(x, n->kind == N_WITH ? v : dot, n->list);
    else if (n->else_list)
        f = walk_list(x, dot, n->else_list);
    x->nvars = mark;
    return f;
}

/* One {{range}} iteration: sets the declared variables, walks the body. */
static bool range_one(texec *x, const tnode *n, size_t mark, tval index, tval elem)
{
    if (n->pipe->ndecl > 0)
        x->vars[mark - 1].val = elem;
    if (n->pipe->ndecl > 1)
        x->vars[mark - 2].val = index;
    tflow f = walk_list(x, elem, n->list);
    x->nvars = mark;
    return f != FLOW_BREAK && !x->failed;
}

static void walk_range(texec *x, tval dot, const tnode *n)
{
    size_t outer = x->nvars;
    tval v = dig(eval_pipeline(x, dot, n->pipe));
    size_t mark = x->nvars;
    bool any = false;
    if (x->failed)
        return;
    if (v.k == TV_REGO && v.v.kind == REGO_ARRAY) {
        any = v.v.n > 0;
        for (size_t i = 0; i < v.v.n && xstep(x); i++)
            if (!range_one(x, n, mark, tv_int((int64_t)i), tv_rego(v.v.u.items[i], true)))
                break;
    } else if (v.k == TV_REGO && v.v.kind == REGO_OBJECT) {
        any = v.v.n > 0;
        for (size_t i = 0; i < v.v.n && xstep(x); i++) {
            rego_objent e = rego_object_at(v.v, i);
            tval key = {0};
            key.k = TV_STR;
            key.s = (tstr){e.key.u.s, e.key.n};
            if (!range_one(x, n, mark, key, tv_rego(e.val, true)))
                break;
        }
    } else if (v.k == TV_INT) {
        if (n->pipe->ndecl > 1) {
            xerr(x, "can't use %lld to iterate over more than one variable", (long long)v.i);
            return;
        }
        any = v.i > 0; /* Go 1.22: range over an int counts 0..n-1 */
        for (int64_t i = 0; i < v.i && xstep(x); i++)
            if (!range_one(x, n, mark, tv_int(i), tv_int(i)))
                break;
    } else if (v.k != TV_NONE) {
        rp_buf t;
        rp_buf_init(&t);
        put_tval(&t, v);
        xerr(x, "range can't iterate over %.*s", (int)(t.len > 60 ? 60 : t.len),
             t.data ? t.data : "");
        rp_buf_free(&t);
    }
    if (!any && !x->failed && n->else_list)
        walk_list(x, dot, n->else_list);
    x->nvars = outer;
}

static tflow walk_list(texec *x, tval dot, const tlist *l)
{
    for (size_t i = 0; i < l->n && xstep(x); i++) {
        const tnode *n = &l->nodes[i];
        tflow f = FLOW_NORMAL;
        switch (n->kind) {
        case N_TEXT: rp_buf_append(x->out, x->src + n->pos, n->len); break;
        case N_ACTION: {
            tval v = eval_pipeline(x, dot, n->pipe);
            if (n->pipe->ndecl == 0 && !x->failed)
                print_value(x, v);
            break;
        }
        case N_IF:
        case N_WITH: f = walk_if_with(x, dot, n); break;
        case N_RANGE: walk_range(x, dot, n); break;
        case N_BREAK: return FLOW_BREAK;
        case N_CONTINUE: return FLOW_CONTINUE;
        }
        if (f != FLOW_NORMAL)
            return f;
    }
    return FLOW_NORMAL;
}

rp_status rego_bi_render_template(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *src;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &src, &n) || !rego_bi_arg_kind(ctx, args, 1, REGO_OBJECT))
        return RP_ERR_TYPE;
    char msg[200];
    if (!json_compat(args[1], msg, sizeof(msg), 0))
        return rego_bi_errorf(ctx, "%s", msg);
    tparser p = {.a = ctx->arena, .lx = {.s = src, .n = n}};
    tlist root = {0};
    parse_template(&p, &root);
    if (p.nomem)
        return rego_bi_nomem(ctx);
    if (p.failed)
        return rego_bi_errorf(ctx, "%s", p.msg);
    rp_buf b;
    rp_buf_init(&b);
    texec x = {.ctx = ctx, .src = src, .out = &b};
    static const tstr dollar = {"$", 1};
    push_var(&x, dollar, tv_rego(args[1], false));
    walk_list(&x, tv_rego(args[1], false), &root);
    rp_status st = RP_OK;
    if (x.limit)
        st = rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                           "%s: template output or work exceeds its limit (%u bytes, %u steps)",
                           ctx->bi->name, (unsigned)REGO_SPRINTF_MAX_BYTES,
                           (unsigned)REGO_TEMPLATE_MAX_STEPS);
    else if (x.failed && x.msg[0])
        st = rego_bi_errorf(ctx, "%s", x.msg);
    else if (x.failed || b.failed)
        st = rego_bi_nomem(ctx);
    else if ((*out = rego_str(ctx->arena, b.data ? b.data : "", b.len)).kind == REGO_UNDEF)
        st = rego_bi_nomem(ctx);
    rp_buf_free(&b);
    return st;
}
