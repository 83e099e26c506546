/*
 * regex.c — the builtin group "regex": regex.match, re_match (deprecated),
 * regex.is_valid, regex.find_n, regex.find_all_string_submatch_n,
 * regex.split, regex.replace, regex.template_match and regex.globs_match.
 *
 * Behaviour and error texts follow OPA's topdown (regex.go,
 * regex_template.go) running on Go's regexp; patterns are compiled through
 * re2_shim.h, which gives Go's syntax, Go's error messages and RE2's linear
 * time matching, and caches compiled patterns process-wide.  Each search is
 * linear in the subject; like Go, find_n/split/replace search again after
 * each match, so a pattern whose every search scans to the end of a long
 * subject costs matches x length.
 *
 * regex.template_match builds the same regexp OPA does: literal text is
 * escaped with Go's QuoteMeta, every first-level {...} part (with the given
 * one-byte delimiters) becomes a group and must compile on its own as
 * ^part$.
 *
 * regex.globs_match reproduces OPA's dependency glob-intersection v0.2.0
 * (tokenizer, simplification, trimming and its intersection heuristic, which
 * is not an exact emptiness test: we match its answers, not the theory).
 * That library explores an exponential tree of recursive calls; here the
 * same calls are nodes of a graph whose answer is a reachability question,
 * searched once each with a visited set and an explicit stack, within
 * REGO_GLOBS_MATCH_* steps.
 *
 * No global state of its own (the pattern cache lives in re2_shim.cc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../limits.h"
#include "../re2_shim.h"
#include "sprintf.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A growable array of values in the call's arena. */
typedef struct {
    rp_arena *a;
    rego_value *v;
    size_t n, cap;
    bool failed;
} vals;

static void vals_push(vals *b, rego_value x)
{
    if (b->failed)
        return;
    if (x.kind == REGO_UNDEF) { /* a constructor ran out of memory */
        b->failed = true;
        return;
    }
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 8;
        rego_value *nv = rp_arena_grow(b->a, b->v, b->cap * sizeof(rego_value),
                                       nc * sizeof(rego_value));
        if (!nv) {
            b->failed = true;
            return;
        }
        b->v = nv;
        b->cap = nc;
    }
    b->v[b->n++] = x;
}

static rego_value vals_array(const vals *b)
{
    return b->n ? rego_array_borrow(b->v, b->n) : rego_empty_array();
}

/* Compiles a user pattern, reporting Go's error as OPA does. */
static rp_status get_re(rego_bctx *ctx, const char *pat, size_t n, rp_re **out)
{
    char msg[200];
    rp_status st = rp_re_compile(pat, n, out, msg, sizeof(msg));
    if (st == RP_ERR_SYNTAX)
        return rego_bi_errorf(ctx, "%s", msg);
    if (st != RP_OK)
        return rego_bi_nomem(ctx);
    return RP_OK;
}

/* Reads string operands 0..n-1, in order, as OPA's StringOperand does. */
static bool str_args(rego_bctx *ctx, const rego_value *args, int n, const char **s, size_t *len)
{
    for (int i = 0; i < n; i++)
        if (!rego_bi_arg_str(ctx, args, i, &s[i], &len[i]))
            return false;
    return true;
}

/* ---- regex.match, re_match, regex.is_valid ------------------------------------ */

static rp_status bi_match(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s[2];
    size_t n[2];
    rp_re *re;
    if (!str_args(ctx, args, 2, s, n))
        return ctx->err->code;
    rp_status st = get_re(ctx, s[0], n[0], &re);
    if (st != RP_OK)
        return st;
    *out = rego_bool(rp_re_match(re, s[1], n[1]));
    rp_re_release(re);
    return RP_OK;
}

/* Anything but a string, and any pattern Go rejects, is simply false. */
static rp_status bi_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rp_re *re = NULL;
    char msg[8];
    if (args[0].kind != REGO_STRING) {
        *out = rego_bool(false);
        return RP_OK;
    }
    rp_status st = rp_re_compile(args[0].u.s, args[0].n, &re, msg, sizeof(msg));
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    *out = rego_bool(st == RP_OK);
    rp_re_release(re);
    return RP_OK;
}

/* ---- regex.find_n, regex.find_all_string_submatch_n, regex.split --------------- */

typedef struct {
    rp_arena *a;
    const char *s;
    vals out;
    bool groups; /* one array of all groups per match, else the match text */
} find_state;

static rego_value span_str(rp_arena *a, const char *s, rp_re_span sp)
{
    if (sp.lo < 0)
        return rego_str_borrow("", 0);
    return rego_str(a, s + sp.lo, (size_t)(sp.hi - sp.lo));
}

static bool on_find(void *ud, const rp_re_span *spans, int nspans)
{
    find_state *f = ud;
    if (!f->groups) {
        vals_push(&f->out, span_str(f->a, f->s, spans[0]));
        return !f->out.failed;
    }
    rego_value arr;
    rego_value *items = rego_array_alloc(f->a, (size_t)nspans, &arr);
    if (!items)
        return false;
    for (int i = 0; i < nspans; i++) {
        items[i] = span_str(f->a, f->s, spans[i]);
        if (items[i].kind == REGO_UNDEF)
            return false;
    }
    vals_push(&f->out, arr);
    return !f->out.failed;
}

static rp_status find_common(rego_bctx *ctx, const rego_value *args, rego_value *out, bool groups)
{
    const char *s[2];
    size_t n[2];
    int64_t limit;
    rp_re *re;
    if (!str_args(ctx, args, 2, s, n) || !rego_bi_arg_int(ctx, args, 2, &limit))
        return ctx->err->code;
    rp_status st = get_re(ctx, s[0], n[0], &re);
    if (st != RP_OK)
        return st;
    find_state f = {ctx->arena, s[1], {ctx->arena, NULL, 0, 0, false}, groups};
    int nspans = groups ? rp_re_num_groups(re) + 1 : 1;
    bool ok = rp_re_find_all(re, s[1], n[1], limit, nspans, on_find, &f);
    rp_re_release(re);
    if (!ok || f.out.failed)
        return rego_bi_nomem(ctx);
    *out = vals_array(&f.out);
    return RP_OK;
}

static rp_status bi_find_n(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return find_common(ctx, args, out, false);
}

static rp_status bi_find_all_submatch(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return find_common(ctx, args, out, true);
}

/* Go's Regexp.Split(s, -1), which drops the text before an empty match at
 * the very start and keeps a trailing part only when the last match did not
 * start at the end. */
typedef struct {
    rp_arena *a;
    const char *s;
    size_t beg, end;
    vals out;
} split_state;

static bool on_split(void *ud, const rp_re_span *spans, int nspans)
{
    split_state *sp = ud;
    (void)nspans;
    sp->end = (size_t)spans[0].lo;
    if (spans[0].hi != 0)
        vals_push(&sp->out, rego_str(sp->a, sp->s + sp->beg, sp->end - sp->beg));
    sp->beg = (size_t)spans[0].hi;
    return !sp->out.failed;
}

static rp_status bi_split(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s[2];
    size_t n[2];
    rp_re *re;
    if (!str_args(ctx, args, 2, s, n))
        return ctx->err->code;
    rp_status st = get_re(ctx, s[0], n[0], &re);
    if (st != RP_OK)
        return st;
    split_state sp = {ctx->arena, s[1], 0, 0, {ctx->arena, NULL, 0, 0, false}};
    bool ok = true;
    if (n[0] > 0 && n[1] == 0) {
        vals_push(&sp.out, rego_str_borrow("", 0));
    } else {
        ok = rp_re_find_all(re, s[1], n[1], -1, 1, on_split, &sp);
        if (ok && sp.end != n[1])
            vals_push(&sp.out, rego_str(ctx->arena, s[1] + sp.beg, n[1] - sp.beg));
    }
    rp_re_release(re);
    if (!ok || sp.out.failed)
        return rego_bi_nomem(ctx);
    *out = vals_array(&sp.out);
    return RP_OK;
}

/* ---- regex.replace ------------------------------------------------------------ */

static rp_status bi_replace(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s[3];
    size_t n[3];
    rp_re *re;
    if (!str_args(ctx, args, 3, s, n))
        return ctx->err->code;
    rp_status st = get_re(ctx, s[1], n[1], &re);
    if (st != RP_OK)
        return st;
    rp_buf b;
    rp_buf_init(&b);
    rp_re_replace_all(re, s[0], n[0], s[2], n[2], REGO_MAX_STRING_BYTES, &b);
    rp_re_release(re);
    if (b.failed) {
        bool too_big = b.len > REGO_MAX_STRING_BYTES;
        rp_buf_free(&b);
        if (too_big)
            return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                                 "%s: result longer than %u bytes", ctx->bi->name,
                                 REGO_MAX_STRING_BYTES);
        return rego_bi_nomem(ctx);
    }
    if (b.len == n[0] && memcmp(b.data ? b.data : "", s[0], n[0]) == 0)
        *out = args[0];
    else
        *out = rego_str(ctx->arena, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- regex.template_match ----------------------------------------------------- */

/* Go's regexp.QuoteMeta. */
static void quote_meta(rp_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i] != '\0')
            rp_buf_putc(b, '\\');
        rp_buf_putc(b, s[i]);
    }
}

/* Go's strconv.Quote (what %q prints for a string). */
/* strconv.Quote (shared with sprintf: one implementation of Go's quoting). */
static void go_quote(rp_buf *b, const char *s, size_t n) { rego_go_quote(b, s, n); }

/* Go's delimiterIndices: whether the first-level delimiters balance (an
 * unbalanced template is reported before any part is compiled). */
static bool template_balanced(const char *t, size_t n, char open, char close)
{
    int level = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == open)
            level++;
        else if (t[i] == close && --level < 0)
            return false;
    }
    return level == 0;
}

/* Each part must compile on its own, as ^part$. */
static rp_status template_part(rego_bctx *ctx, const char *p, size_t n)
{
    rp_buf part;
    rp_buf_init(&part);
    rp_buf_putc(&part, '^');
    rp_buf_append(&part, p, n);
    rp_buf_putc(&part, '$');
    rp_re *sub = NULL;
    rp_status st = part.failed ? rego_bi_nomem(ctx) : get_re(ctx, part.data, part.len, &sub);
    rp_buf_free(&part);
    rp_re_release(sub);
    return st;
}

/* Builds OPA's regexp for a template into re (see the file header). */
static rp_status template_regex(rego_bctx *ctx, const char *t, size_t n, char open, char close,
                                rp_buf *re)
{
    if (!template_balanced(t, n, open, close)) {
        rp_buf q;
        rp_buf_init(&q);
        go_quote(&q, t, n);
        rp_status st = rego_bi_errorf(ctx, "unbalanced braces in %s", rp_buf_cstr(&q));
        rp_buf_free(&q);
        return st;
    }
    int level = 0;
    size_t start = 0, lit = 0;
    rp_buf_putc(re, '^');
    for (size_t i = 0; i < n; i++) {
        if (t[i] == open) {
            if (++level == 1)
                start = i;
        } else if (t[i] == close && --level == 0) {
            quote_meta(re, t + lit, start - lit);
            rp_buf_putc(re, '(');
            rp_buf_append(re, t + start + 1, i - start - 1);
            rp_buf_putc(re, ')');
            lit = i + 1;
            rp_status st = template_part(ctx, t + start + 1, i - start - 1);
            if (st != RP_OK)
                return st;
        }
    }
    quote_meta(re, t + lit, n - lit);
    rp_buf_putc(re, '$');
    return re->failed ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status bi_template_match(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s[4];
    size_t n[4];
    if (!str_args(ctx, args, 4, s, n))
        return ctx->err->code;
    if (n[2] != 1)
        return rego_bi_errorf(ctx, "start delimiter has to be exactly one character long but is %zu long", n[2]);
    /* OPA reports the start delimiter's length here too. */
    if (n[3] != 1)
        return rego_bi_errorf(ctx, "end delimiter has to be exactly one character long but is %zu long", n[2]);
    rp_buf re_text;
    rp_buf_init(&re_text);
    rp_status st = template_regex(ctx, s[0], n[0], s[2][0], s[3][0], &re_text);
    rp_re *re = NULL;
    if (st == RP_OK)
        st = get_re(ctx, re_text.data, re_text.len, &re);
    rp_buf_free(&re_text);
    if (st != RP_OK)
        return st;
    *out = rego_bool(rp_re_match(re, s[1], n[1]));
    rp_re_release(re);
    return RP_OK;
}

/* ---- regex.globs_match: glob-intersection v0.2.0 ----------------------------------
 *
 * A glob is a sequence of tokens: a character, '.' (any character) or a set
 * [...] of characters, each optionally followed by one flag, '+' or '*'.
 * Tokens are compared ignoring flags: '.' matches anything (even an empty
 * set), a character matches an equal character or a set holding it, two
 * sets match when they share a character. */

typedef enum { GI_CHAR, GI_DOT, GI_SET } gi_type;
typedef enum { GI_NONE, GI_PLUS, GI_STAR } gi_flag;

typedef struct {
    uint32_t lo, hi;
} gi_range;

typedef struct {
    uint8_t type, flag;
    uint32_t r;          /* GI_CHAR */
    const gi_range *set; /* GI_SET: sorted, merged, disjoint */
    uint32_t nset;
} gi_tok;

typedef struct {
    gi_tok *t;
    size_t n;
} gi_glob;

typedef struct {
    rego_bctx *ctx;
    const uint32_t *in; /* the input as runes, as Go's []rune(s) */
    size_t n;
    uint64_t steps, max_steps;
} gi_ctx;

/* Reports the library's ErrInvalidInput wrapped with input and position. */
static rp_status gi_error(gi_ctx *g, size_t pos, const char *what)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "input:");
    for (size_t i = 0; i < g->n; i++) {
        char u[4];
        rp_buf_append(&b, u, rp_utf8_encode(g->in[i], u));
    }
    rp_buf_printf(&b, ", pos:%zu, %s: the input provided is invalid", pos, what);
    rp_status st = rego_bi_errorf(g->ctx, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

/* The library's nextRune: a rune, or an escaped one after '\'. */
typedef struct {
    size_t next;
    uint32_t r;
    bool escaped, end;
} gi_rune;

static rp_status gi_next_rune(gi_ctx *g, size_t i, gi_rune *out)
{
    memset(out, 0, sizeof(*out));
    if (i >= g->n) {
        out->next = i;
        out->end = true;
        return RP_OK;
    }
    if (g->in[i] == '\\') {
        if (i + 1 >= g->n)
            return gi_error(g, i, "input ends with a \\ (escape) character");
        out->next = i + 2;
        out->r = g->in[i + 1];
        out->escaped = true;
        return RP_OK;
    }
    out->next = i + 1;
    out->r = g->in[i];
    return RP_OK;
}

static int gi_range_cmp(const void *a, const void *b)
{
    const gi_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts and merges ranges[0..n) in place; returns the new count. */
static size_t gi_normalize(gi_range *r, size_t n)
{
    if (n == 0)
        return 0;
    qsort(r, n, sizeof(*r), gi_range_cmp);
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        if (r[i].lo <= r[k].hi || r[i].lo == r[k].hi + 1) {
            if (r[i].hi > r[k].hi)
                r[k].hi = r[i].hi;
        } else {
            r[++k] = r[i];
        }
    }
    return k + 1;
}

/* The library's nextTokenSet, from just after '['. */
static rp_status gi_set(gi_ctx *g, size_t i, gi_tok *tok, size_t *next)
{
    gi_range *rs = rp_arena_array(g->ctx->arena, g->n - i + 1, sizeof(gi_range));
    if (!rs)
        return rego_bi_nomem(g->ctx);
    size_t nr = 0;
    uint32_t prev = 0;
    bool prev_exists = false, complete = false;
    gi_rune c;
    rp_status st = gi_next_rune(g, i, &c);
    while (st == RP_OK && !c.end) {
        if (!c.escaped && c.r == '-') {
            if (!prev_exists)
                return gi_error(g, c.next, "range character '-' must be preceded by a Unicode character");
            if (c.next + 1 >= g->n)
                return gi_error(g, c.next, "range character '-' must be followed by a Unicode character");
            if ((st = gi_next_rune(g, c.next, &c)) != RP_OK)
                return st;
            if (!c.escaped && (c.r == ']' || c.r == '-'))
                return gi_error(g, c.next, "range character '-' cannot be followed by a special symbol");
            if (c.r < prev) {
                char a[5] = {0}, b[5] = {0}, msg[96];
                a[rp_utf8_encode(c.r, a)] = 0;
                b[rp_utf8_encode(prev, b)] = 0;
                snprintf(msg, sizeof(msg), "range is out of order: '%s' comes before '%s' in Unicode", a, b);
                return gi_error(g, c.next, msg);
            }
            rs[nr++] = (gi_range){prev, c.r};
            prev_exists = false;
        } else if (!c.escaped && c.r == ']') {
            complete = true;
            break;
        } else {
            rs[nr++] = (gi_range){c.r, c.r};
            prev = c.r;
            prev_exists = true;
        }
        st = gi_next_rune(g, c.next, &c);
    }
    if (st != RP_OK)
        return st;
    if (!complete)
        return gi_error(g, c.next, "found [ without matching ]");
    tok->type = GI_SET;
    tok->set = rs;
    tok->nset = (uint32_t)gi_normalize(rs, nr);
    *next = c.next;
    return RP_OK;
}

/* The library's Tokenize. */
static rp_status gi_tokenize(gi_ctx *g, gi_glob *out)
{
    gi_tok *t = rp_arena_array(g->ctx->arena, g->n + 1, sizeof(gi_tok));
    if (!t)
        return rego_bi_nomem(g->ctx);
    size_t nt = 0, i = 0;
    while (i < g->n) {
        gi_rune c, f;
        gi_tok tok = {0};
        rp_status st = gi_next_rune(g, i, &c);
        if (st != RP_OK)
            return st;
        size_t next = c.next;
        if (c.escaped || (c.r != '.' && c.r != '[' && c.r != ']' && c.r != '+' && c.r != '*')) {
            tok.type = GI_CHAR;
            tok.r = c.r;
        } else if (c.r == '.') {
            tok.type = GI_DOT;
        } else if (c.r == '[') {
            if ((st = gi_set(g, next, &tok, &next)) != RP_OK)
                return st;
        } else if (c.r == ']') {
            return gi_error(g, next, "set-close ']' with no preceding '['");
        } else {
            char msg[64];
            snprintf(msg, sizeof(msg), "flag '%c' must be preceded by a non-flag", (char)c.r);
            return gi_error(g, next, msg);
        }
        if ((st = gi_next_rune(g, next, &f)) != RP_OK)
            return st;
        if (!f.end && !f.escaped && (f.r == '+' || f.r == '*')) {
            tok.flag = f.r == '+' ? GI_PLUS : GI_STAR;
            next = f.next;
        }
        t[nt++] = tok;
        i = next;
    }
    out->t = t;
    out->n = nt;
    return RP_OK;
}

static bool gi_equal(const gi_tok *a, const gi_tok *b)
{
    if (a->type != b->type)
        return false;
    if (a->type == GI_CHAR)
        return a->r == b->r;
    if (a->type == GI_SET)
        return a->nset == b->nset && (a->nset == 0 || memcmp(a->set, b->set, a->nset * sizeof(gi_range)) == 0);
    return true;
}

/* The library's Simplify: runs of equal flagged tokens collapse into one,
 * '+' winning over '*'. */
static void gi_simplify(gi_glob *g)
{
    size_t k = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (k > 0 && g->t[i].flag != GI_NONE && g->t[k - 1].flag != GI_NONE &&
            gi_equal(&g->t[i], &g->t[k - 1])) {
            if (g->t[i].flag == GI_PLUS)
                g->t[k - 1].flag = GI_PLUS;
            continue;
        }
        g->t[k++] = g->t[i];
    }
    g->n = k;
}

static bool gi_set_has(const gi_tok *s, uint32_t r)
{
    size_t lo = 0, hi = s->nset;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r < s->set[mid].lo)
            hi = mid;
        else if (r > s->set[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Whether some range of small overlaps big (cost charged per range). */
static bool gi_sets_meet(gi_ctx *g, const gi_tok *small, const gi_tok *big)
{
    if (small->nset > big->nset)
        return gi_sets_meet(g, big, small);
    g->steps += small->nset;
    for (uint32_t i = 0; i < small->nset; i++) {
        size_t lo = 0, hi = big->nset;
        while (lo < hi) { /* first range of big ending at or after small.lo */
            size_t mid = lo + (hi - lo) / 2;
            if (big->set[mid].hi < small->set[i].lo)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < big->nset && big->set[lo].lo <= small->set[i].hi)
            return true;
    }
    return false;
}

/* The library's Match: token against token, flags ignored. */
static bool gi_match(gi_ctx *g, const gi_tok *a, const gi_tok *b)
{
    g->steps++;
    if (a->type == GI_DOT || b->type == GI_DOT)
        return true;
    if (a->type == GI_CHAR && b->type == GI_CHAR)
        return a->r == b->r;
    if (a->type == GI_CHAR)
        return gi_set_has(b, a->r);
    if (b->type == GI_CHAR)
        return gi_set_has(a, b->r);
    return gi_sets_meet(g, a, b);
}

/* The library's trimGlobs: strips equal unflagged prefixes and suffixes,
 * keeping one token of each.  False when they disagree. */
static bool gi_trim(gi_ctx *g, gi_glob *a, gi_glob *b)
{
    size_t l = 0;
    for (; l < a->n && l < b->n && a->t[l].flag == GI_NONE && b->t[l].flag == GI_NONE; l++)
        if (!gi_match(g, &a->t[l], &b->t[l]))
            return false;
    if (l > 0)
        l--;
    /* r1, r2 as in the library, shifted by one so they stay unsigned. */
    size_t r1 = a->n, r2 = b->n;
    while (r1 >= 1 && r1 >= l + 1 && r2 >= 1 && r2 >= l + 1 && a->t[r1 - 1].flag == GI_NONE &&
           b->t[r2 - 1].flag == GI_NONE) {
        if (!gi_match(g, &a->t[r1 - 1], &b->t[r2 - 1]))
            return false;
        r1--;
        r2--;
    }
    if (r1 < a->n) {
        r1++;
        r2++;
    }
    a->t += l;
    a->n = r1 - l;
    b->t += l;
    b->n = r2 - l;
    return true;
}

/* ---- the search ----
 * N(o,i,j) stands for the library's intersectNormal(A[i:], B[j:]) with
 * (A, B) = (glob o, glob 1-o).  Every call it makes is a node whose value is
 * the OR of the nodes it calls (guarded by token matches), so the answer is
 * whether a "true" leaf is reachable from N(0,0,0): each node is explored
 * once.  Star(o,s,t) is intersectStar(A[s:], B[t:]). */

typedef struct {
    uint64_t *slot; /* 0 = empty; keys are stored + 1 */
    size_t cap, n;
} gi_seen;

static uint64_t gi_key(unsigned kind, unsigned o, size_t i, size_t j)
{
    return ((uint64_t)kind << 63 | (uint64_t)o << 62 | (uint64_t)i << 31 | (uint64_t)j) + 1;
}

static size_t gi_hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static bool gi_seen_has(const gi_seen *s, uint64_t k)
{
    if (s->cap == 0)
        return false;
    for (size_t h = gi_hash(k, s->cap);; h = (h + 1) & (s->cap - 1)) {
        if (s->slot[h] == 0)
            return false;
        if (s->slot[h] == k)
            return true;
    }
}

/* Adds k; false when it was there already or memory ran out (*oom). */
static bool gi_seen_add(gi_ctx *g, gi_seen *s, uint64_t k, bool *oom)
{
    if (gi_seen_has(s, k))
        return false;
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        uint64_t *ns = rp_arena_zalloc(g->ctx->arena, nc * sizeof(uint64_t));
        if (!ns) {
            *oom = true;
            return false;
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t h = gi_hash(s->slot[i], nc);
                while (ns[h])
                    h = (h + 1) & (nc - 1);
                ns[h] = s->slot[i];
            }
        s->slot = ns;
        s->cap = nc;
    }
    size_t h = gi_hash(k, s->cap);
    while (s->slot[h])
        h = (h + 1) & (s->cap - 1);
    s->slot[h] = k;
    s->n++;
    return true;
}

typedef struct {
    uint32_t o;
    size_t i, j;
} gi_node;

typedef struct {
    gi_ctx *g;
    const gi_glob *side[2];
    gi_seen seen;
    gi_node *stack;
    size_t sp, cap;
    bool oom, found;
} gi_search;

static void gi_push(gi_search *s, uint32_t o, size_t i, size_t j)
{
    if (!gi_seen_add(s->g, &s->seen, gi_key(0, o, i, j), &s->oom))
        return;
    if (s->sp == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        gi_node *ns = rp_arena_grow(s->g->ctx->arena, s->stack, s->cap * sizeof(gi_node),
                                    nc * sizeof(gi_node));
        if (!ns) {
            s->oom = true;
            return;
        }
        s->stack = ns;
        s->cap = nc;
    }
    s->stack[s->sp++] = (gi_node){o, i, j};
    s->g->steps++;
}

/* Star(o,s,t): gobble B[t..] with A[s] while trying A[s+1:] at each token
 * that A[s+1] matches.  Stops early where an earlier run from a later start
 * took over, since from there on it did the same work. */
static void gi_star(gi_search *s, uint32_t o, size_t st, size_t t)
{
    const gi_glob *A = s->side[o], *B = s->side[1 - o];
    if (!gi_seen_add(s->g, &s->seen, gi_key(1, o, st, t), &s->oom))
        return;
    const gi_tok *star = &A->t[st], *next = st + 1 < A->n ? &A->t[st + 1] : NULL;
    for (size_t k = t; k < B->n; k++) {
        if (k > t && gi_seen_has(&s->seen, gi_key(1, o, st, k)))
            return;
        if (next && gi_match(s->g, &B->t[k], next))
            gi_push(s, o, st + 1, k);
        if (!gi_match(s->g, &B->t[k], star))
            return;
    }
    if (!next)
        s->found = true;
}

/* intersectSpecial with the flagged token A[s] against B[t:]. */
static void gi_special(gi_search *s, uint32_t o, size_t st, size_t t)
{
    const gi_glob *A = s->side[o], *B = s->side[1 - o];
    if (A->t[st].flag == GI_STAR) {
        gi_star(s, o, st, t);
        return;
    }
    if (!gi_match(s->g, &A->t[st], &B->t[t]))
        return;
    gi_star(s, o, st, t + 1);
    if (B->t[t].flag != GI_NONE)
        gi_push(s, o, st + 1, t);
}

/* intersectNormal(A[i:], B[j:]). */
static void gi_normal(gi_search *s, gi_node nd)
{
    const gi_glob *A = s->side[nd.o], *B = s->side[1 - nd.o];
    size_t i = nd.i, j = nd.j;
    while (i < A->n && j < B->n) {
        if (A->t[i].flag == GI_NONE && B->t[j].flag == GI_NONE) {
            if (!gi_match(s->g, &A->t[i], &B->t[j]))
                return;
            i++;
            j++;
            continue;
        }
        if (A->t[i].flag != GI_NONE)
            gi_special(s, nd.o, i, j);
        else
            gi_special(s, 1 - nd.o, j, i);
        return;
    }
    if (i == A->n && j == B->n)
        s->found = true;
}

static rp_status gi_intersect(gi_ctx *g, const gi_glob *a, const gi_glob *b, bool *out)
{
    gi_search s = {.g = g, .side = {a, b}};
    gi_push(&s, 0, 0, 0);
    while (s.sp > 0 && !s.found && !s.oom) {
        if (g->steps > g->max_steps)
            return rp_error_setk(g->ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, g->ctx->loc,
                                 "%s: globs too complex to intersect within %llu steps",
                                 g->ctx->bi->name, (unsigned long long)g->max_steps);
        gi_normal(&s, s.stack[--s.sp]);
    }
    if (s.oom)
        return rego_bi_nomem(g->ctx);
    *out = s.found;
    return RP_OK;
}

/* NewGlob: decode to runes, tokenize, simplify. */
static rp_status gi_parse(gi_ctx *g, const char *s, size_t n, gi_glob *out)
{
    uint32_t *runes = rp_arena_array(g->ctx->arena, n + 1, sizeof(uint32_t));
    if (!runes)
        return rego_bi_nomem(g->ctx);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t w = rp_utf8_decode(s + i, n - i, &runes[k++]);
        i += w ? w : 1; /* rp_utf8_decode leaves U+FFFD, as Go's []rune does */
    }
    g->in = runes;
    g->n = k;
    rp_status st = gi_tokenize(g, out);
    if (st == RP_OK)
        gi_simplify(out);
    return st;
}

static rp_status bi_globs_match(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s[2];
    size_t n[2];
    if (!str_args(ctx, args, 2, s, n))
        return ctx->err->code;
    gi_ctx g = {.ctx = ctx};
    gi_glob a, b;
    rp_status st = gi_parse(&g, s[0], n[0], &a);
    if (st == RP_OK)
        st = gi_parse(&g, s[1], n[1], &b);
    if (st != RP_OK)
        return st;
    g.max_steps = REGO_GLOBS_MATCH_BASE_STEPS +
                  (uint64_t)REGO_GLOBS_MATCH_STEPS_PER_TOKEN * (a.n + b.n);
    bool res = false;
    if (gi_trim(&g, &a, &b) && (st = gi_intersect(&g, &a, &b, &res)) != RP_OK)
        return st;
    *out = rego_bool(res);
    return RP_OK;
}

/* ---- table ------------------------------------------------------------------- */

#define SS_B "(string, string) => boolean"
#define SSN_AS "(string, string, number) => array[string]"

const rego_builtin rego_builtins_regex[] = {
    {"regex.match", NULL, SS_B, 2, 0, bi_match},
    {"re_match", NULL, SS_B, 2, REGO_BI_DEPRECATED, bi_match},
    {"regex.is_valid", NULL, "(string) => boolean", 1, 0, bi_is_valid},
    {"regex.find_n", NULL, SSN_AS, 3, 0, bi_find_n},
    {"regex.find_all_string_submatch_n", NULL,
     "(string, string, number) => array[array[string]]", 3, 0, bi_find_all_submatch},
    {"regex.split", NULL, "(string, string) => array[string]", 2, 0, bi_split},
    {"regex.replace", NULL, "(string, string, string) => string", 3, 0, bi_replace},
    {"regex.template_match", NULL, "(string, string, string, string) => boolean", 4, 0,
     bi_template_match},
    {"regex.globs_match", NULL, SS_B, 2, 0, bi_globs_match},
    {0},
};
