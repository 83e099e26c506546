/*
 * glob.c — the builtin group "glob": glob.match and glob.quote_meta.
 *
 * Patterns are read exactly as OPA's glob library (gobwas/glob v0.2.3)
 * reads them: its lexer (with its quirks: a NUL byte ends the pattern where
 * an item starts and is dropped inside text, U+FFFD or invalid UTF-8 is
 * "could not read rune", a trailing '\' is dropped, an unclosed '{' is
 * accepted) and its parser, so syntax errors carry the library's texts.
 * The parse tree is then given the documented glob meaning and translated to
 * an anchored RE2 regexp (compiled through re2_shim.h, cached under the
 * pattern and delimiters), so matching is linear in the subject:
 *   *        any run of non-delimiter characters   [^d]*
 *   **       any run of characters                 (?s:.*)
 *   ?        one non-delimiter character           [^d]
 *   [abc] [!abc] [a-z] [!a-z]   one character in / not in the class
 *   {a,b}    any of the alternatives (which may nest)
 *   \c       the character c
 * Known difference: gobwas' compiler optimises the tree into matchers, some
 * of which disagree with that meaning on corner cases (a lone "?" or "[!a]"
 * also matches the empty string; a prefix and suffix joined by ** may
 * overlap, so "ab**bc" matches "abc"; a few trees make it panic).  We give
 * the documented answer there.
 *
 * Cost: parsing and translating are linear in the glob; RE2 matches in time
 * linear in the subject for a given glob, but glob x subject at worst (a
 * huge glob whose DFA states explode), so glob.match refuses products past
 * REGO_GLOB_MAX_WORK with a limit error rather than stall.
 *
 * OPA's delimiter argument: null means no delimiters, [] means ["."],
 * otherwise an array of one-character strings.
 *
 * No global state of its own (the compiled patterns live in re2_shim.cc's
 * cache).
 */
#include <stdio.h>
#include <string.h>

#include "../builtin.h"
#include "../limits.h"
#include "../re2_shim.h"

/* ---- the lexer (gobwas/glob syntax/lexer) -------------------------------------- */

typedef enum {
    GT_EOF,
    GT_ERROR,
    GT_TEXT,
    GT_ANY,
    GT_SUPER,
    GT_SINGLE,
    GT_NOT,
    GT_SEPARATOR,
    GT_RANGE_OPEN,
    GT_RANGE_CLOSE,
    GT_RANGE_LO,
    GT_RANGE_HI,
    GT_RANGE_BETWEEN,
    GT_TERMS_OPEN,
    GT_TERMS_CLOSE,
} gt_type;

typedef struct {
    gt_type type;
    const uint32_t *runes; /* GT_TEXT: the text; GT_RANGE_LO/HI: one rune */
    size_t n;
} gt_token;

#define EOF_RUNE 0u /* the library's eof, which a NUL byte also reads as */

typedef struct {
    rp_arena *a;
    const char *data;
    size_t len, pos;
    const char *err; /* sticky, as the library's l.err */
    gt_token *q;     /* queued tokens q[head..n) */
    size_t head, n, cap;
    int terms;
    uint32_t last;
    size_t last_size;
    bool has_rune, oom;
} glexer;

static void lex_push(glexer *l, gt_type t, const uint32_t *runes, size_t n)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        gt_token *nq = rp_arena_grow(l->a, l->q, l->cap * sizeof(gt_token), nc * sizeof(gt_token));
        if (!nq) {
            l->oom = true;
            l->err = "out of memory";
            return;
        }
        l->q = nq;
        l->cap = nc;
    }
    l->q[l->n++] = (gt_token){t, runes, n};
}

static void lex_push_rune(glexer *l, gt_type t, uint32_t r)
{
    uint32_t *one = rp_arena_alloc(l->a, sizeof(uint32_t));
    if (!one) {
        l->oom = true;
        l->err = "out of memory";
        return;
    }
    *one = r;
    lex_push(l, t, one, 1);
}

/* Go's DecodeRuneInString, failing on RuneError as the library does. */
static uint32_t lex_peek(glexer *l, size_t *w)
{
    *w = 0;
    if (l->pos >= l->len)
        return EOF_RUNE;
    uint32_t r;
    size_t k = rp_utf8_decode(l->data + l->pos, l->len - l->pos, &r);
    if (k == 0 || r == 0xFFFD) {
        l->err = "could not read rune";
        return EOF_RUNE;
    }
    *w = k;
    return r;
}

static uint32_t lex_read(glexer *l)
{
    if (l->has_rune) {
        l->has_rune = false;
        l->pos += l->last_size;
        return l->last;
    }
    size_t w;
    uint32_t r = lex_peek(l, &w);
    l->pos += w;
    l->last = r;
    l->last_size = w;
    return r;
}

static void lex_unread(glexer *l)
{
    if (l->has_rune) {
        l->err = "could not unread rune";
        return;
    }
    l->pos -= l->last_size;
    l->has_rune = true;
}

static bool is_breaker(uint32_t r, bool in_terms, bool in_range)
{
    if (in_range)
        return r == ']';
    return r == '?' || r == '*' || r == '[' || r == '{' || (in_terms && (r == '}' || r == ','));
}

/* Reads text up to an unescaped breaker; '\' escapes the next rune. */
static void lex_text(glexer *l, bool in_range)
{
    size_t cap = 16, n = 0;
    uint32_t *buf = rp_arena_array(l->a, cap, sizeof(uint32_t));
    bool escaped = false;
    for (;;) {
        if (!buf) {
            l->oom = true;
            l->err = "out of memory";
            return;
        }
        uint32_t r = lex_read(l);
        if (r == EOF_RUNE)
            break;
        if (!escaped) {
            if (r == '\\') {
                escaped = true;
                continue;
            }
            if (is_breaker(r, l->terms > 0, in_range)) {
                lex_unread(l);
                break;
            }
        }
        escaped = false;
        if (n == cap) {
            buf = rp_arena_grow(l->a, buf, cap * sizeof(uint32_t), 2 * cap * sizeof(uint32_t));
            cap *= 2;
            if (!buf)
                continue;
        }
        buf[n++] = r;
    }
    if (n > 0)
        lex_push(l, GT_TEXT, buf, n);
}

static void lex_range(glexer *l)
{
    bool want_hi = false, want_close = false, seen_not = false;
    for (;;) {
        uint32_t r = lex_read(l);
        if (r == EOF_RUNE) {
            l->err = "unexpected end of input";
            return;
        }
        if (want_close) {
            if (r != ']')
                l->err = "expected close range character";
            else
                lex_push(l, GT_RANGE_CLOSE, NULL, 0);
            return;
        }
        if (want_hi) {
            lex_push_rune(l, GT_RANGE_HI, r);
            want_close = true;
            continue;
        }
        if (!seen_not && r == '!') {
            lex_push(l, GT_NOT, NULL, 0);
            seen_not = true;
            continue;
        }
        size_t w;
        if (lex_peek(l, &w) == '-') {
            l->pos += w;
            lex_push_rune(l, GT_RANGE_LO, r);
            lex_push(l, GT_RANGE_BETWEEN, NULL, 0);
            want_hi = true;
            continue;
        }
        lex_unread(l);
        lex_text(l, true);
        want_close = true;
    }
}

static void lex_item(glexer *l)
{
    uint32_t r = lex_read(l);
    if (r == EOF_RUNE) {
        lex_push(l, GT_EOF, NULL, 0);
    } else if (r == '{') {
        l->terms++;
        lex_push(l, GT_TERMS_OPEN, NULL, 0);
    } else if (r == ',' && l->terms > 0) {
        lex_push(l, GT_SEPARATOR, NULL, 0);
    } else if (r == '}' && l->terms > 0) {
        lex_push(l, GT_TERMS_CLOSE, NULL, 0);
        l->terms--;
    } else if (r == '[') {
        lex_push(l, GT_RANGE_OPEN, NULL, 0);
        lex_range(l);
    } else if (r == '?') {
        lex_push(l, GT_SINGLE, NULL, 0);
    } else if (r == '*') {
        if (lex_read(l) == '*') {
            lex_push(l, GT_SUPER, NULL, 0);
        } else {
            lex_unread(l);
            lex_push(l, GT_ANY, NULL, 0);
        }
    } else {
        lex_unread(l);
        lex_text(l, false);
    }
}

/* The library's Next: a pending error wins over queued tokens. */
static gt_token lex_next(glexer *l)
{
    for (;;) {
        if (l->err)
            return (gt_token){GT_ERROR, NULL, 0};
        if (l->head < l->n)
            return l->q[l->head++];
        lex_item(l);
    }
}

/* ---- the parser (gobwas/glob syntax/ast) ----------------------------------------- */

typedef enum { GN_PATTERN, GN_ANY_OF, GN_TEXT, GN_ANY, GN_SUPER, GN_SINGLE, GN_LIST, GN_RANGE } gn_kind;

typedef struct gnode gnode;
struct gnode {
    gn_kind kind;
    gnode *parent, *first, *last, *next; /* children as a list */
    const uint32_t *runes;               /* GN_TEXT, GN_LIST */
    size_t n;
    uint32_t lo, hi; /* GN_RANGE */
    bool not_;       /* GN_LIST, GN_RANGE */
};

typedef struct {
    rp_arena *a;
    glexer lex;
    char msg[160];
    bool oom;
} gparser;

static gnode *node_add(gparser *p, gnode *parent, gn_kind kind)
{
    gnode *c = rp_arena_zalloc(p->a, sizeof(gnode));
    if (!c) {
        p->oom = true;
        return NULL;
    }
    c->kind = kind;
    c->parent = parent;
    if (parent->last)
        parent->last->next = c;
    else
        parent->first = c;
    parent->last = c;
    return c;
}

static void rune_str(uint32_t r, char out[5])
{
    out[rp_utf8_encode(r, out)] = '\0';
}

/* parserRange: after '['; false with p->msg set on an error. */
static bool parse_range(gparser *p, gnode *tree)
{
    bool not_ = false;
    uint32_t lo = 0, hi = 0;
    const uint32_t *chars = NULL;
    size_t nchars = 0;
    for (;;) {
        gt_token t = lex_next(&p->lex);
        switch (t.type) {
        case GT_EOF:
            snprintf(p->msg, sizeof(p->msg), "unexpected end");
            return false;
        case GT_ERROR:
            snprintf(p->msg, sizeof(p->msg), "%s", p->lex.err);
            return false;
        case GT_NOT:
            not_ = true;
            break;
        case GT_RANGE_LO:
            lo = t.runes[0];
            break;
        case GT_RANGE_HI:
            hi = t.runes[0];
            if (hi < lo) {
                char h[5], l[5];
                rune_str(hi, h);
                rune_str(lo, l);
                snprintf(p->msg, sizeof(p->msg), "hi character '%s' should be greater than lo '%s'", h, l);
                return false;
            }
            break;
        case GT_TEXT:
            chars = t.runes;
            nchars = t.n;
            break;
        case GT_RANGE_CLOSE: {
            bool is_range = lo != 0 && hi != 0, is_chars = nchars > 0;
            if (is_chars == is_range) {
                snprintf(p->msg, sizeof(p->msg), "could not parse range");
                return false;
            }
            gnode *c = node_add(p, tree, is_range ? GN_RANGE : GN_LIST);
            if (!c)
                return false;
            c->not_ = not_;
            c->lo = lo;
            c->hi = hi;
            c->runes = chars;
            c->n = nchars;
            return true;
        }
        case GT_RANGE_BETWEEN: /* the library skips the rest */
        case GT_ANY:
        case GT_SUPER:
        case GT_SINGLE:
        case GT_SEPARATOR:
        case GT_RANGE_OPEN:
        case GT_TERMS_OPEN:
        case GT_TERMS_CLOSE:
            break;
        }
    }
}

/* parserMain; returns the root or NULL (p->msg or p->oom set). */
static gnode *parse_glob(gparser *p)
{
    gnode *root = rp_arena_zalloc(p->a, sizeof(gnode));
    if (!root) {
        p->oom = true;
        return NULL;
    }
    root->kind = GN_PATTERN;
    gnode *tree = root;
    for (;;) {
        gt_token t = lex_next(&p->lex);
        gnode *c = NULL;
        switch (t.type) {
        case GT_EOF:
            return root;
        case GT_ERROR:
            if (p->lex.oom)
                p->oom = true;
            snprintf(p->msg, sizeof(p->msg), "%s", p->lex.err);
            return NULL;
        case GT_TEXT:
            if ((c = node_add(p, tree, GN_TEXT)) != NULL) {
                c->runes = t.runes;
                c->n = t.n;
            }
            break;
        case GT_ANY:
            c = node_add(p, tree, GN_ANY);
            break;
        case GT_SUPER:
            c = node_add(p, tree, GN_SUPER);
            break;
        case GT_SINGLE:
            c = node_add(p, tree, GN_SINGLE);
            break;
        case GT_RANGE_OPEN:
            if (!parse_range(p, tree))
                return NULL;
            c = tree;
            break;
        case GT_TERMS_OPEN: {
            gnode *any = node_add(p, tree, GN_ANY_OF);
            c = any ? node_add(p, any, GN_PATTERN) : NULL;
            if (c)
                tree = c;
            break;
        }
        case GT_SEPARATOR:
            if ((c = node_add(p, tree->parent, GN_PATTERN)) != NULL)
                tree = c;
            break;
        case GT_TERMS_CLOSE:
            c = tree = tree->parent->parent;
            break;
        case GT_NOT:
        case GT_RANGE_CLOSE:
        case GT_RANGE_LO:
        case GT_RANGE_HI:
        case GT_RANGE_BETWEEN:
            snprintf(p->msg, sizeof(p->msg), "unexpected token");
            return NULL;
        }
        if (!c)
            return NULL;
    }
}

/* ---- translation to RE2 ------------------------------------------------------------- */

static void re_rune(rp_buf *b, uint32_t r)
{
    rp_buf_printf(b, "\\x{%x}", (unsigned)r);
}

/* A literal rune: ASCII punctuation escaped, letters and digits as they
 * are, everything else by code point. */
static void re_literal(rp_buf *b, uint32_t r)
{
    if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
        rp_buf_putc(b, (char)r);
    } else if (r > 0x20 && r < 0x7f) {
        rp_buf_putc(b, '\\');
        rp_buf_putc(b, (char)r);
    } else {
        re_rune(b, r);
    }
}

/* One character that is not a delimiter. */
static void re_not_delim(rp_buf *b, const uint32_t *d, size_t nd)
{
    if (nd == 0) {
        rp_buf_puts(b, "(?s:.)");
        return;
    }
    rp_buf_puts(b, "[^");
    for (size_t i = 0; i < nd; i++)
        re_rune(b, d[i]);
    rp_buf_putc(b, ']');
}

/* Appends the regexp for the tree under n.  Iterative: nesting is bounded
 * only by the pattern's length, so no recursion. */
static void translate(rp_buf *b, const gnode *root, const uint32_t *d, size_t nd)
{
    const gnode *n = root;
    for (;;) {
        /* Enter n. */
        switch (n->kind) {
        case GN_PATTERN:
        case GN_ANY_OF:
            rp_buf_puts(b, "(?:");
            if (n->first) {
                n = n->first;
                continue;
            }
            break;
        case GN_TEXT:
            for (size_t i = 0; i < n->n; i++)
                re_literal(b, n->runes[i]);
            break;
        case GN_ANY:
            re_not_delim(b, d, nd);
            rp_buf_putc(b, '*');
            break;
        case GN_SUPER:
            rp_buf_puts(b, "(?s:.*)");
            break;
        case GN_SINGLE:
            re_not_delim(b, d, nd);
            break;
        case GN_LIST:
            rp_buf_puts(b, n->not_ ? "[^" : "[");
            for (size_t i = 0; i < n->n; i++)
                re_rune(b, n->runes[i]);
            rp_buf_putc(b, ']');
            break;
        case GN_RANGE:
            rp_buf_puts(b, n->not_ ? "[^" : "[");
            re_rune(b, n->lo);
            rp_buf_putc(b, '-');
            re_rune(b, n->hi);
            rp_buf_putc(b, ']');
            break;
        }
        /* Leave n, and every parent whose last child it is. */
        for (;;) {
            if (n->kind == GN_PATTERN || n->kind == GN_ANY_OF)
                rp_buf_putc(b, ')');
            if (n == root)
                return;
            if (n->next) {
                if (n->parent->kind == GN_ANY_OF)
                    rp_buf_putc(b, '|');
                n = n->next;
                break;
            }
            n = n->parent;
        }
    }
}

/* ---- glob.match ------------------------------------------------------------------ */

/* Reads OPA's delimiter operand into runes (NULL, 0 for none). */
static bool get_delims(rego_bctx *ctx, rego_value v, const uint32_t **out, size_t *n)
{
    static const uint32_t dot = '.';
    *out = NULL;
    *n = 0;
    if (v.kind == REGO_NULL)
        return true;
    if (v.kind != REGO_ARRAY) {
        rego_bi_type_errorf(ctx, "operand 2 must be one of {array, null} but got %s", rego_type_name(v));
        return false;
    }
    if (v.n == 0) {
        *out = &dot;
        *n = 1;
        return true;
    }
    uint32_t *d = rp_arena_array(ctx->arena, v.n, sizeof(uint32_t));
    if (!d) {
        rego_bi_nomem(ctx);
        return false;
    }
    for (size_t i = 0; i < v.n; i++) {
        rego_value e = v.u.items[i];
        if (e.kind != REGO_STRING) {
            rego_bi_type_errorf(ctx, "operand 2 must be array of strings but got array containing %s", rego_type_name(e));
            return false;
        }
        size_t k = e.n ? rp_utf8_decode(e.u.s, e.n, &d[i]) : 0;
        if (e.n == 0 || (k ? k : 1) != e.n) {
            rego_bi_type_errorf(ctx, "operand 2 must be array of runes but got array containing string");
            return false;
        }
    }
    *out = d;
    *n = v.n;
    return true;
}

/* Parses and translates a glob, then compiles it under key. */
static rp_status compile_glob(rego_bctx *ctx, const rp_buf *key, const char *pat, size_t n,
                              const uint32_t *d, size_t nd, rp_re **out)
{
    gparser p = {.a = ctx->arena};
    p.lex = (glexer){.a = ctx->arena, .data = pat, .len = n};
    gnode *root = parse_glob(&p);
    if (!root)
        return p.oom ? rego_bi_nomem(ctx) : rego_bi_errorf(ctx, "%s", p.msg);
    rp_buf re;
    rp_buf_init(&re);
    translate(&re, root, d, nd);
    char msg[16];
    rp_status st = RP_ERR_NOMEM;
    if (!re.failed)
        st = rp_re_compile_keyed(RP_RE_KEY_GLOB, key->data, key->len, re.data, re.len, out, msg,
                                 sizeof(msg));
    rp_buf_free(&re);
    if (st == RP_ERR_SYNTAX) /* only a translation too large for RE2 */
        return rego_bi_errorf(ctx, "pattern too large");
    return st == RP_OK ? RP_OK : rego_bi_nomem(ctx);
}

/* Finds the compiled glob for (delimiters, pattern), compiling on a miss. */
static rp_status get_glob(rego_bctx *ctx, const char *pat, size_t n, const uint32_t *d, size_t nd,
                          rp_re **out)
{
    rp_buf key;
    rp_buf_init(&key);
    rp_buf_printf(&key, "%zu:", nd); /* delimiters are one rune each */
    for (size_t i = 0; i < nd; i++) {
        char u[4];
        rp_buf_append(&key, u, rp_utf8_encode(d[i], u));
    }
    rp_buf_append(&key, pat, n);
    rp_status st;
    if (key.failed)
        st = rego_bi_nomem(ctx);
    else if ((*out = rp_re_lookup(RP_RE_KEY_GLOB, key.data, key.len)) != NULL)
        st = RP_OK;
    else
        st = compile_glob(ctx, &key, pat, n, d, nd, out);
    rp_buf_free(&key);
    return st;
}

static rp_status bi_match(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *pat, *s;
    size_t pn, sn, nd;
    const uint32_t *d;
    if (!rego_bi_arg_str(ctx, args, 0, &pat, &pn) || !get_delims(ctx, args[1], &d, &nd) ||
        !rego_bi_arg_str(ctx, args, 2, &s, &sn))
        return ctx->err->code;
    rp_re *re;
    rp_status st = get_glob(ctx, pat, pn, d, nd, &re);
    if (st != RP_OK)
        return st;
    size_t insts = rp_re_program_size(re);
    if (sn > 0 && insts > REGO_GLOB_MAX_WORK / sn) {
        rp_re_release(re);
        return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                             "glob.match: glob of %zu instructions too large to match %zu bytes",
                             insts, sn);
    }
    *out = rego_bool(rp_re_full_match(re, s, sn));
    rp_re_release(re);
    return RP_OK;
}

/* gobwas' QuoteMeta: a '\' before each of * ? \ [ ] { }. */
static rp_status bi_quote_meta(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n, k = 0;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return ctx->err->code;
    for (size_t i = 0; i < n; i++)
        k += s[i] && strchr("*?\\[]{}", s[i]) ? 2 : 1;
    char *o = rego_str_alloc(ctx->arena, k, out);
    if (!o)
        return rego_bi_nomem(ctx);
    for (size_t i = 0, j = 0; i < n; i++) {
        if (s[i] && strchr("*?\\[]{}", s[i]))
            o[j++] = '\\';
        o[j++] = s[i];
    }
    return RP_OK;
}

const rego_builtin rego_builtins_glob[] = {
    {"glob.match", NULL, "(string, array[string]|null, string) => boolean", 3, 0, bi_match},
    {"glob.quote_meta", NULL, "(string) => string", 1, 0, bi_quote_meta},
    {0},
};
