/*
 * parse.c — the Rego parser: modules, queries and terms, Rego v0 and v1,
 * producing the tree documented in ast.h.
 *
 * Behaviour follows OPA's parser (v1/ast/parser.go, parser_ext.go,
 * rego_v1.go) decision for decision, because users see its error messages
 * and because which programs parse at all depends on its quirks: the parser
 * backtracks (tries a rule, then a query; a set literal, then a rule body; a
 * comprehension, then an `|` expression), the first error in OPA's error list
 * is the one reported here, and locations are the scanner's (lex.h).
 *
 * Invariants and mechanics:
 *  - pstate is everything backtracking saves: scanner position, current
 *    token, "a newline was skipped", "an error was recorded", and how many
 *    comments have been seen.  Restoring a state forgets errors recorded
 *    after it, as OPA's restore does; only the first error is kept at all.
 *  - Terms are immutable once built: a term produced on an abandoned path may
 *    be reused through the cache, and copies are made where OPA copies.
 *  - Composite terms ([...], {...}, (...)) are cached by source offset with
 *    the state after them, as OPA caches parsed terms, so that re-parsing
 *    after a failed attempt is linear instead of exponential.
 *  - Every bracket opened, and every operator or call applied in a chain,
 *    is one level of depth; deeper than REGO_PARSE_MAX_DEPTH is an
 *    RP_ERR_LIMIT error, which bounds both the C stack here and the depth
 *    of the trees consumers walk recursively.
 *  - Everything is allocated from the caller's arena; failure to allocate is
 *    RP_ERR_NOMEM (the arena's failure is sticky, so it is checked once at
 *    the end).  No globals.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ast.h"
#include "builtin.h"
#include "lex.h"
#include "limits.h"

/* ---- parser state ------------------------------------------------------- */

typedef struct {
    rego_lexer lx;
    rego_token tok;
    bool skipped_nl; /* a newline came after the previous non-space token */
    bool has_err;    /* p->err holds the first error */
    uint32_t ncomments;
    const char *hint;/* added to the next error, as OPA's parser hints */
} pstate;

typedef struct {
    uint32_t off, end, line, col;
} pcomment;

/* An error kept for the cache: small, since most attempts that fail
 * (a rule body first tried as a set) are cached. */
typedef struct {
    rp_status code;
    rp_loc loc;
    char msg[];
} cerror;

typedef struct {
    uint32_t key; /* offset of the opening token + 1 */
    uint32_t gen; /* the entry is live when gen == parser.cgen */
    uint8_t kw;
    rego_term *t;
    cerror *err;  /* error the composite itself produced, or NULL */
    pstate post;
} centry;

typedef struct {
    void **v;
    uint32_t n, cap;
} pvec;

typedef struct {
    rp_arena *a;
    const char *src;
    const char *file;    /* arena copy, for locations in the tree */
    const char *efile;   /* caller's name, for the error */
    rego_version version;/* the version parsing was asked for */
    pstate s;
    rp_error err;
    uint32_t depth;
    pcomment *cm;        /* comment i of the source is cm[i] */
    uint32_t cmcap;
    centry *cache;
    uint32_t ccap, cn;
    uint32_t cgen;       /* bumped per statement: older entries are dead */
    bool in_hint;        /* inside a hint attempt: no nested attempts (they
                          * would make nested `some`/`every` exponential) */
} parser;

static rp_loc tok_loc(const parser *p)
{
    rp_loc l = {p->file, p->s.tok.line, p->s.tok.col};
    return l;
}

static const char *tok_lit(const parser *p) { return p->src + p->s.tok.off; }
static uint32_t tok_len(const parser *p) { return p->s.tok.end - p->s.tok.off; }
static rego_tok_kind tok_kind(const parser *p) { return (rego_tok_kind)p->s.tok.kind; }

/* ---- errors ------------------------------------------------------------- */

static void verr(parser *p, rp_status code, rp_loc loc, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void verr(parser *p, rp_status code, rp_loc loc, const char *fmt, va_list ap)
{
    if (p->s.has_err)
        return;
    p->s.has_err = true;
    rp_error_clear(&p->err);
    loc.file = p->efile;
    rp_error_vsetk(&p->err, code, RP_EK_PARSE, loc, fmt, ap);
    if (p->s.hint) {
        size_t n = strlen(p->err.msg);
        snprintf(p->err.msg + n, sizeof(p->err.msg) - n, " (hint: %s)", p->s.hint);
        p->s.hint = NULL;
    }
}

static void perr_at(parser *p, rp_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void perr_at(parser *p, rp_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(p, RP_ERR_SYNTAX, loc, fmt, ap);
    va_end(ap);
}

/* An error at the current token. */
static void perr(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(p, RP_ERR_SYNTAX, tok_loc(p), fmt, ap);
    va_end(ap);
}

static void nomem(parser *p)
{
    if (!p->s.has_err) {
        p->s.has_err = true;
        rp_error_clear(&p->err);
        rp_loc loc = tok_loc(p);
        loc.file = p->efile;
        rp_error_setk(&p->err, RP_ERR_NOMEM, RP_EK_PARSE, loc, "out of memory");
    }
}

static const char *tok_type(rego_tok_kind k)
{
    return rego_tok_is_keyword(k) ? "keyword" : "token";
}

/* OPA's "unexpected <tok> token" at the current token. */
static void illegal_tok(parser *p)
{
    rego_tok_kind k = tok_kind(p);
    if (k == REGO_TOK_ILLEGAL)
        perr(p, "illegal token");
    else
        perr(p, "unexpected %s %s", rego_tok_name(k), tok_type(k));
}

/* OPA's "unexpected <tok> token: <note>" at the current token. */
static void illegal(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void illegal(parser *p, const char *fmt, ...)
{
    rego_tok_kind k = tok_kind(p);
    if (k == REGO_TOK_ILLEGAL) {
        perr(p, "illegal token");
        return;
    }
    const char *type = tok_type(k);
    char note[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, sizeof(note), fmt, ap);
    va_end(ap);
    perr(p, "unexpected %s %s: %s", rego_tok_name(k), type, note);
}

/* Depth accounting (see the file comment). */
static bool enter(parser *p)
{
    if (p->depth >= REGO_PARSE_MAX_DEPTH) {
        if (!p->s.has_err) {
            p->s.has_err = true;
            rp_error_clear(&p->err);
            rp_loc loc = tok_loc(p);
            loc.file = p->efile;
            rp_error_setk(&p->err, RP_ERR_LIMIT, RP_EK_PARSE, loc,
                          "max parsing recursion depth exceeded: nesting deeper than %d",
                          REGO_PARSE_MAX_DEPTH);
        }
        return false;
    }
    p->depth++;
    return true;
}

static void leave(parser *p, uint32_t n) { p->depth -= n; }

/* ---- state, scanning ---------------------------------------------------- */

static void restore(parser *p, const pstate *s)
{
    if (!s->has_err && p->s.has_err)
        rp_error_clear(&p->err);
    p->s = *s;
}

static void add_comment(parser *p)
{
    uint32_t i = p->s.ncomments;
    if (i == p->cmcap) {
        uint32_t nc = p->cmcap ? p->cmcap * 2 : 16;
        pcomment *n = rp_arena_grow(p->a, p->cm, (size_t)p->cmcap * sizeof(*n),
                                    (size_t)nc * sizeof(*n));
        if (!n) {
            nomem(p);
            return;
        }
        p->cm = n;
        p->cmcap = nc;
    }
    pcomment c = {p->s.tok.off, p->s.tok.end, p->s.tok.line, p->s.tok.col};
    p->cm[i] = c;
    p->s.ncomments = i + 1;
}

/* Advances to the next token.  With skipws whitespace is skipped; without,
 * one whitespace token is returned, which is how OPA tells `a.b` (a ref)
 * from `a .b` and `f(x)` from `f (x)`.  Comments are always collected. */
static void do_scan(parser *p, bool skipws)
{
    if (p->s.tok.kind != REGO_TOK_WS)
        p->s.skipped_nl = false;
    for (;;) {
        rego_lex_scan(&p->s.lx, &p->s.tok);
        if (p->s.tok.err) {
            perr(p, "%s", p->s.tok.err);
            p->s.tok.kind = REGO_TOK_ILLEGAL;
            return;
        }
        if (p->s.tok.kind == REGO_TOK_WS) {
            if (p->src[p->s.tok.off] == '\n')
                p->s.skipped_nl = true;
            if (skipws)
                continue;
            return;
        }
        if (p->s.tok.kind != REGO_TOK_COMMENT)
            return;
        add_comment(p);
    }
}

static void scan(parser *p) { do_scan(p, true); }
static void scan_ws(parser *p) { do_scan(p, false); }

/* The kind of the next token, without whitespace skipping, without moving. */
static rego_tok_kind peek_ws(parser *p)
{
    pstate s = p->s;
    scan_ws(p);
    rego_tok_kind k = tok_kind(p);
    restore(p, &s);
    return k;
}

/* OPA lets keywords name refs: a keyword directly followed by '.' or '['
 * at the start of a literal, rule or `in` operand is an identifier. */
static bool scan_ahead_ref(parser *p)
{
    if (!rego_tok_is_keyword(tok_kind(p)))
        return false;
    rego_tok_kind next = peek_ws(p);
    if (next != REGO_TOK_DOT && next != REGO_TOK_LBRACK)
        return false;
    p->s.tok.kind = REGO_TOK_IDENT;
    return true;
}

/* ---- allocation and node construction ----------------------------------- */

static void *palloc(parser *p, size_t n)
{
    void *x = rp_arena_zalloc(p->a, n);
    if (!x)
        nomem(p);
    return x;
}

static bool pv_push(parser *p, pvec *v, void *x)
{
    if (v->n == v->cap) {
        uint32_t nc = v->cap ? v->cap * 2 : 4;
        void **nv = rp_arena_grow(p->a, v->v, (size_t)v->cap * sizeof(void *),
                                  (size_t)nc * sizeof(void *));
        if (!nv) {
            nomem(p);
            return false;
        }
        v->v = nv;
        v->cap = nc;
    }
    v->v[v->n++] = x;
    return true;
}

static rego_term *new_term(parser *p, rego_term_kind k, rp_loc loc)
{
    rego_term *t = palloc(p, sizeof(*t));
    if (t) {
        t->kind = (uint8_t)k;
        t->loc = loc;
    }
    return t;
}

static rego_term *mk_value(parser *p, rego_value v, rp_loc loc)
{
    if (rego_is_undef(v)) {
        nomem(p);
        return NULL;
    }
    rego_term *t = new_term(p, REGO_TERM_VALUE, loc);
    if (t)
        t->u.value = v;
    return t;
}

static rego_term *mk_string(parser *p, const char *s, size_t n, rp_loc loc)
{
    return mk_value(p, rego_str(p->a, s, n), loc);
}

/* A var naming static text (operators, `data`): nothing to copy. */
static rego_term *mk_var_static(parser *p, const char *name, rp_loc loc)
{
    rego_term *t = new_term(p, REGO_TERM_VAR, loc);
    if (t) {
        t->u.var.name = name;
        t->u.var.len = (uint32_t)strlen(name);
    }
    return t;
}

static rego_term *mk_var(parser *p, const char *s, size_t n, rp_loc loc)
{
    rego_term *t = new_term(p, REGO_TERM_VAR, loc);
    if (!t)
        return NULL;
    char *name = rp_arena_strndup(p->a, s, n);
    if (!name) {
        nomem(p);
        return NULL;
    }
    t->u.var.name = name;
    t->u.var.len = (uint32_t)n;
    return t;
}

/* A term with items (ref, array, set, object, call, comprehensions). */
static rego_term *mk_items(parser *p, rego_term_kind k, rego_term **items, uint32_t n, rp_loc loc)
{
    rego_term *t = new_term(p, k, loc);
    if (t) {
        t->u.c.items = items;
        t->n = n;
    }
    return t;
}

static rego_term *mk_list(parser *p, rego_term_kind k, const pvec *v, rp_loc loc)
{
    return mk_items(p, k, (rego_term **)v->v, v->n, loc);
}

static rego_term **term_array(parser *p, uint32_t n)
{
    rego_term **a = rp_arena_array(p->a, n ? n : 1, sizeof(*a));
    if (!a)
        nomem(p);
    return a;
}

/* A term and its n items in one allocation (fewer, denser allocations:
 * first-touching memory is a large part of parsing time). */
static rego_term *mk_fixed(parser *p, rego_term_kind k, uint32_t n, rp_loc loc)
{
    rego_term *t = palloc(p, sizeof(*t) + (size_t)n * sizeof(rego_term *));
    if (t) {
        t->kind = (uint8_t)k;
        t->loc = loc;
        t->n = n;
        t->u.c.items = (rego_term **)(t + 1);
    }
    return t;
}

static rego_term *mk_ref1(parser *p, rego_term *head, rp_loc loc)
{
    rego_term *t = mk_fixed(p, REGO_TERM_REF, 1, loc);
    if (t)
        t->u.c.items[0] = head;
    return t;
}

/* A call of op(a, b[, c]), located at its first operand as OPA does. */
static rego_term *mk_call(parser *p, rego_term *op, rego_term *a, rego_term *b, rego_term *c)
{
    rego_term *t = mk_fixed(p, REGO_TERM_CALL, c ? 4 : 3, a->loc);
    if (!t)
        return NULL;
    t->u.c.items[0] = op;
    t->u.c.items[1] = a;
    t->u.c.items[2] = b;
    if (c)
        t->u.c.items[3] = c;
    return t;
}

/* The operator term of an infix call: ref(var <OPA's token name>). */
static rego_term *mk_op(parser *p)
{
    rego_term *v = mk_var_static(p, rego_tok_name(tok_kind(p)), tok_loc(p));
    return v ? mk_ref1(p, v, tok_loc(p)) : NULL;
}

/* internal.member_2 / internal.member_3, located at the `in`. */
static rego_term *mk_member_op(parser *p, bool with_key)
{
    rp_loc loc = tok_loc(p);
    rego_term *t = mk_fixed(p, REGO_TERM_REF, 2, loc);
    if (!t || !(t->u.c.items[0] = mk_var_static(p, "internal", loc)) ||
        !(t->u.c.items[1] = mk_value(p, rego_str_borrow(with_key ? "member_3" : "member_2", 8), loc)))
        return NULL;
    return t;
}

static rego_expr *new_expr(parser *p, rego_expr_kind k, rp_loc loc)
{
    rego_expr *e = palloc(p, sizeof(*e));
    if (e) {
        e->kind = (uint8_t)k;
        e->loc = loc;
    }
    return e;
}

static rego_body *mk_body(parser *p, const pvec *exprs)
{
    rego_body *b = palloc(p, sizeof(*b));
    if (!b)
        return NULL;
    b->exprs = (rego_expr **)exprs->v;
    b->n = exprs->n;
    if (exprs->n)
        b->loc = b->exprs[0]->loc;
    return b;
}

/* ---- term inspection ------------------------------------------------------ */

static bool is_var_named(const rego_term *t, const char *name)
{
    return t->kind == REGO_TERM_VAR && strcmp(t->u.var.name, name) == 0;
}

/* A call whose operator is the bare name `name` (`eq`, `assign`). */
static bool is_call_named_op(const rego_term *t, const char *name)
{
    if (t->kind != REGO_TERM_CALL || t->n == 0)
        return false;
    const rego_term *op = t->u.c.items[0];
    return op->kind == REGO_TERM_REF && op->n == 1 && is_var_named(op->u.c.items[0], name);
}

static bool is_string_value(const rego_term *t, const char *s)
{
    return t->kind == REGO_TERM_VALUE && t->u.value.kind == REGO_STRING &&
           t->u.value.n == strlen(s) && memcmp(t->u.value.u.s, s, t->u.value.n) == 0;
}

/* A ref `head.elem`, e.g. internal.member_2 or rego.v1. */
static bool is_ref2(const rego_term *t, const char *head, const char *elem)
{
    return t->kind == REGO_TERM_REF && t->n == 2 && is_var_named(t->u.c.items[0], head) &&
           is_string_value(t->u.c.items[1], elem);
}

static bool is_root_doc(const rego_term *t)
{
    return is_var_named(t, "data") || is_var_named(t, "input");
}

/* OPA's ValueName, used in several messages. */
static const char *value_name(const rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
        switch ((rego_kind)t->u.value.kind) {
        case REGO_NULL: return "null";
        case REGO_BOOL: return "boolean";
        case REGO_NUMBER: return "number";
        case REGO_STRING: return "string";
        case REGO_UNDEF: case REGO_ARRAY: case REGO_OBJECT: case REGO_SET: break;
        }
        return "value";
    case REGO_TERM_VAR: return "var";
    case REGO_TERM_REF: case REGO_TERM_DATA: case REGO_TERM_INPUT: return "ref";
    case REGO_TERM_ARRAY: return "array";
    case REGO_TERM_SET: return "set";
    case REGO_TERM_OBJECT: return "object";
    case REGO_TERM_ARRAY_COMPR: return "arraycomprehension";
    case REGO_TERM_SET_COMPR: return "setcomprehension";
    case REGO_TERM_OBJECT_COMPR: return "objectcomprehension";
    case REGO_TERM_CALL: return "call";
    case REGO_TERM_TEMPLATE: return "templatestring";
    case REGO_TERM_LOCAL: return "var";
    }
    return "term";
}

static bool body_ground(const rego_body *b);

/* OPA's IsGround: no variables, where a ref's head does not count. */
static bool term_ground(const rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE: case REGO_TERM_DATA: case REGO_TERM_INPUT: return true;
    case REGO_TERM_VAR: case REGO_TERM_LOCAL: return false;
    case REGO_TERM_REF:
        for (uint32_t i = 1; i < t->n; i++)
            if (!term_ground(t->u.c.items[i]))
                return false;
        return true;
    case REGO_TERM_ARRAY: case REGO_TERM_SET: case REGO_TERM_OBJECT: case REGO_TERM_CALL:
        for (uint32_t i = 0; i < t->n; i++)
            if (!term_ground(t->u.c.items[i]))
                return false;
        return true;
    case REGO_TERM_ARRAY_COMPR: case REGO_TERM_SET_COMPR: case REGO_TERM_OBJECT_COMPR:
        for (uint32_t i = 0; i < t->n; i++)
            if (!term_ground(t->u.c.items[i]))
                return false;
        return body_ground(t->u.c.body);
    case REGO_TERM_TEMPLATE: /* ground when its parts are */
        return body_ground(t->u.c.body);
    }
    return false;
}

static bool body_ground(const rego_body *b)
{
    for (uint32_t i = 0; i < b->n; i++) {
        const rego_expr *e = b->exprs[i];
        if (e->kind != REGO_EXPR_TERM)
            continue;
        const rego_term *t = e->term;
        if (t->kind == REGO_TERM_CALL) {
            for (uint32_t j = 1; j < t->n; j++)
                if (!term_ground(t->u.c.items[j]))
                    return false;
        } else if (!term_ground(t)) {
            return false;
        }
    }
    return true;
}

/* Formats a term for an error message (allocates only on error paths). */
static void term_str(const rego_term *t, char *out, size_t cap)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_term_write(&b, t);
    snprintf(out, cap, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
}

/* ---- deep copies ------------------------------------------------------------ */

static rego_body *copy_body(parser *p, const rego_body *b, const rp_loc *loc);

/* Copies t; with loc, every node of the copy gets that location (OPA's
 * setLocRecursive on copied rule heads). */
static rego_term *copy_term(parser *p, const rego_term *t, const rp_loc *loc)
{
    if (!t)
        return NULL;
    rego_term *c = palloc(p, sizeof(*c));
    if (!c)
        return NULL;
    *c = *t;
    if (loc)
        c->loc = *loc;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE: case REGO_TERM_VAR: case REGO_TERM_LOCAL: case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
        return c;
    case REGO_TERM_TEMPLATE:
        c->u.c.body = copy_body(p, t->u.c.body, loc);
        return c->u.c.body ? c : NULL;
    case REGO_TERM_REF: case REGO_TERM_ARRAY: case REGO_TERM_SET: case REGO_TERM_OBJECT:
    case REGO_TERM_CALL: case REGO_TERM_ARRAY_COMPR: case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        break;
    }
    c->u.c.items = term_array(p, t->n);
    if (!c->u.c.items)
        return NULL;
    for (uint32_t i = 0; i < t->n; i++)
        if (!(c->u.c.items[i] = copy_term(p, t->u.c.items[i], loc)))
            return NULL;
    if (t->u.c.body && !(c->u.c.body = copy_body(p, t->u.c.body, loc)))
        return NULL;
    return c;
}

static rego_expr *copy_expr(parser *p, const rego_expr *e, const rp_loc *loc)
{
    rego_expr *c = palloc(p, sizeof(*c));
    if (!c)
        return NULL;
    *c = *e;
    if (loc)
        c->loc = *loc;
    bool ok = true;
    if (e->term)
        ok &= (c->term = copy_term(p, e->term, loc)) != NULL;
    if (e->key)
        ok &= (c->key = copy_term(p, e->key, loc)) != NULL;
    if (e->value)
        ok &= (c->value = copy_term(p, e->value, loc)) != NULL;
    if (e->domain)
        ok &= (c->domain = copy_term(p, e->domain, loc)) != NULL;
    if (e->body)
        ok &= (c->body = copy_body(p, e->body, loc)) != NULL;
    if (e->nvars) {
        c->vars = term_array(p, e->nvars);
        for (uint32_t i = 0; ok && c->vars && i < e->nvars; i++)
            ok &= (c->vars[i] = copy_term(p, e->vars[i], loc)) != NULL;
        ok &= c->vars != NULL;
    }
    if (e->nwith) {
        c->withs = palloc(p, (size_t)e->nwith * sizeof(rego_with));
        for (uint32_t i = 0; ok && c->withs && i < e->nwith; i++) {
            c->withs[i].loc = loc ? *loc : e->withs[i].loc;
            ok &= (c->withs[i].target = copy_term(p, e->withs[i].target, loc)) != NULL;
            ok &= (c->withs[i].value = copy_term(p, e->withs[i].value, loc)) != NULL;
        }
        ok &= c->withs != NULL;
    }
    return ok ? c : NULL;
}

static rego_body *copy_body(parser *p, const rego_body *b, const rp_loc *loc)
{
    rego_body *c = palloc(p, sizeof(*c));
    if (!c)
        return NULL;
    *c = *b;
    if (loc)
        c->loc = *loc;
    c->exprs = rp_arena_array(p->a, b->n ? b->n : 1, sizeof(*c->exprs));
    if (!c->exprs) {
        nomem(p);
        return NULL;
    }
    for (uint32_t i = 0; i < b->n; i++)
        if (!(c->exprs[i] = copy_expr(p, b->exprs[i], loc)))
            return NULL;
    return c;
}

/* ---- composite cache -------------------------------------------------------- */

/* The slot of key, or the empty slot where it would go. */
static centry *cache_slot(parser *p, uint32_t key, uint8_t kw)
{
    uint32_t mask = p->ccap - 1;
    uint32_t h = (key * 2654435761u) & mask;
    for (;;) {
        centry *e = &p->cache[h];
        if (e->gen != p->cgen || (e->key == key && e->kw == kw))
            return e;
        h = (h + 1) & mask;
    }
}

static bool cache_grow(parser *p)
{
    uint32_t nc = p->ccap ? p->ccap * 2 : 64;
    centry *old = p->cache;
    uint32_t oldcap = p->ccap;
    p->cache = rp_arena_zalloc(p->a, (size_t)nc * sizeof(centry));
    if (!p->cache) {
        p->cache = old;
        nomem(p);
        return false;
    }
    p->ccap = nc;
    for (uint32_t i = 0; i < oldcap; i++)
        if (old[i].gen == p->cgen)
            *cache_slot(p, old[i].key, old[i].kw) = old[i];
    return true;
}

/* A new statement: composites cached for earlier ones are never parsed again. */
static void cache_next_statement(parser *p)
{
    p->cgen++;
    p->cn = 0;
}

static cerror *cerror_copy(parser *p, const rp_error *e)
{
    size_t n = strlen(e->msg) + 1;
    cerror *c = rp_arena_alloc(p->a, sizeof(*c) + n);
    if (c) {
        c->code = e->code;
        c->loc = e->loc;
        memcpy(c->msg, e->msg, n);
    }
    return c;
}

static void cerror_restore(parser *p, const cerror *c)
{
    rp_error_clear(&p->err);
    p->err.code = c->code;
    p->err.kind = RP_EK_PARSE;
    p->err.loc = c->loc;
    snprintf(p->err.msg, sizeof(p->err.msg), "%s", c->msg);
    p->s.has_err = true;
}

typedef rego_term *(*composite_fn)(parser *p);

/* Parses the composite at the current token once; later attempts at the
 * same offset reuse the result and the state after it.  The composite is
 * parsed as if no error had been recorded before it, so that the cached
 * outcome does not depend on the path that first reached it. */
static rego_term *cached(parser *p, composite_fn fn)
{
    uint32_t key = p->s.tok.off + 1;
    uint8_t kw = p->s.lx.kw;
    bool had = p->s.has_err;
    if (p->ccap) {
        centry *e = cache_slot(p, key, kw);
        if (e->gen == p->cgen) {
            p->s = e->post;
            p->s.has_err = had;
            if (!had && e->err)
                cerror_restore(p, e->err);
            return e->t;
        }
    }
    rp_error *saved = NULL;
    if (had) {
        saved = rp_arena_alloc(p->a, sizeof(*saved));
        if (!saved) {
            nomem(p);
            return NULL;
        }
        *saved = p->err;
        p->s.has_err = false;
    }
    rego_term *t = fn(p);
    cerror *own = NULL;
    if (p->s.has_err)
        own = cerror_copy(p, &p->err);
    if (had) {
        p->err = *saved;
        p->s.has_err = true;
    }
    if ((p->s.has_err && !own && !had) || ((p->cn + 1) * 2 > p->ccap && !cache_grow(p)))
        return t;
    centry *e = cache_slot(p, key, kw);
    e->key = key;
    e->gen = p->cgen;
    e->kw = kw;
    e->t = t;
    e->err = own;
    e->post = p->s;
    p->cn++;
    return t;
}

/* ---- terms ------------------------------------------------------------------ */

static rego_term *parse_term(parser *p);
static rego_term *parse_infix(parser *p, bool keyval);
static rego_body *parse_query(parser *p, bool require_semi, rego_tok_kind end);
static rego_expr *parse_literal(parser *p);

static rego_body *parse_body(parser *p, rego_tok_kind end)
{
    return parse_query(p, false, end);
}

/* `{ body }` where the current token is the '{'; leaves the token after '}'. */
static rego_body *parse_brace_body(parser *p)
{
    if (!enter(p))
        return NULL;
    scan(p);
    rego_body *b = parse_body(p, REGO_TOK_RBRACE);
    leave(p, 1);
    if (b)
        scan(p);
    return b;
}

static rego_term *parse_var(parser *p)
{
    return mk_var(p, tok_lit(p), tok_len(p), tok_loc(p));
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s[0..4) within n bytes, or -1. */
static int32_t hex4(const char *s, size_t n)
{
    if (n < 4)
        return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hexval((unsigned char)s[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* One \uXXXX escape at s (s[0] == '\\'), with Go's surrogate handling: a
 * valid high+low pair is one character, anything else unpaired is U+FFFD.
 * Returns bytes consumed, or 0 when malformed. */
static size_t decode_u_escape(const char *s, size_t n, uint32_t *cp)
{
    int32_t r = hex4(s + 2, n - 2);
    if (r < 0)
        return 0;
    *cp = (uint32_t)r;
    if (r < 0xD800 || r > 0xDFFF)
        return 6;
    *cp = 0xFFFD;
    if (r <= 0xDBFF && n >= 12 && s[6] == '\\' && s[7] == 'u') {
        int32_t lo = hex4(s + 8, n - 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *cp = 0x10000 + (((uint32_t)r - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            return 12;
        }
    }
    return 6;
}

/* Decodes the inside of a "..." literal containing backslashes, as Go's
 * json.Unmarshal would (which OPA uses): control characters and malformed
 * escapes are errors.  Returns false on error. */
static bool json_unescape(const char *s, size_t n, char *out, size_t *outn)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20)
            return false;
        if (c != '\\') {
            out[o++] = (char)c;
            i++;
            continue;
        }
        if (i + 1 >= n)
            return false;
        char e = s[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            out[o++] = map[simple - "\"\\/bfnrt"];
            i += 2;
            continue;
        }
        if (e != 'u')
            return false;
        uint32_t cp;
        size_t used = decode_u_escape(s + i, n - i, &cp);
        if (!used)
            return false;
        o += rp_utf8_encode(cp, out + o);
        i += used;
    }
    *outn = o;
    return true;
}

static rego_term *parse_string(parser *p)
{
    const char *lit = tok_lit(p);
    uint32_t n = tok_len(p);
    rp_loc loc = tok_loc(p);
    if (n < 2)
        return NULL;
    const char *inner = lit + 1;
    size_t in = n - 2;
    if (lit[0] == '`' || !memchr(inner, '\\', in))
        return mk_string(p, inner, in, loc);
    rego_value v;
    char *buf = rego_str_alloc(p->a, in, &v);
    if (!buf) {
        nomem(p);
        return NULL;
    }
    size_t outn;
    if (!json_unescape(inner, in, buf, &outn)) {
        perr(p, "illegal string literal: %.*s", (int)(n > 160 ? 160 : n), lit);
        return NULL;
    }
    buf[outn] = 0;
    v.n = (uint32_t)outn;
    return mk_value(p, v, loc);
}

static rego_term *parse_number(parser *p)
{
    rp_loc loc = tok_loc(p);
    bool neg = false, dot = false;
    if (tok_kind(p) == REGO_TOK_SUB) {
        neg = true;
        scan(p);
        if (tok_kind(p) != REGO_TOK_NUMBER && tok_kind(p) != REGO_TOK_DOT) {
            illegal(p, "expected number");
            return NULL;
        }
    }
    if (tok_kind(p) == REGO_TOK_DOT) {
        dot = true;
        scan(p);
        if (tok_kind(p) != REGO_TOK_NUMBER) {
            illegal(p, "expected number");
            return NULL;
        }
    }
    const char *lit = tok_lit(p);
    uint32_t n = tok_len(p);
    if (!dot && n > 1 && lit[0] == '0' && lit[1] != '.' &&
        !(n > 2 && (lit[1] == 'e' || lit[1] == 'E'))) {
        illegal(p, "expected number without leading zero");
        return NULL;
    }
    if (dot && memchr(lit, '.', n)) {
        illegal(p, "invalid float");
        return NULL;
    }
    rego_numsize size = rego_number_size(lit, n);
    if (size == REGO_NUM_INVALID) {
        illegal(p, "invalid float");
        return NULL;
    }
    if (size == REGO_NUM_TOO_BIG) {
        perr(p, "number too big");
        return NULL;
    }
    /* OPA keeps ".5" and "-.5" as written; they mean 0.5 and -0.5. */
    char *text = rp_arena_alloc(p->a, (size_t)n + 3);
    if (!text) {
        nomem(p);
        return NULL;
    }
    size_t k = 0;
    if (neg)
        text[k++] = '-';
    if (dot) {
        text[k++] = '0';
        text[k++] = '.';
    }
    memcpy(text + k, lit, n);
    rego_value v;
    if (!rego_number_parse(p->a, text, k + n, &v) && !rego_number_parse_big(p->a, text, k + n, &v)) {
        if (rp_arena_failed(p->a))
            nomem(p);
        else
            perr(p, "number too big");
        return NULL;
    }
    return mk_value(p, v, loc);
}

/* Comma-separated terms up to `end` (a trailing comma is allowed). */
static bool parse_term_list(parser *p, rego_tok_kind end, pvec *r)
{
    if (tok_kind(p) == end)
        return true;
    for (;;) {
        rego_term *t = parse_infix(p, false);
        if (!t || !pv_push(p, r, t))
            return false;
        if (tok_kind(p) == end)
            return true;
        if (tok_kind(p) != REGO_TOK_COMMA) {
            illegal(p, "expected \",\" or \"%s\"", rego_tok_name(end));
            return false;
        }
        scan(p);
        if (tok_kind(p) == end)
            return true;
    }
}

static bool parse_pair_list(parser *p, rego_tok_kind end, pvec *r)
{
    if (tok_kind(p) == end)
        return true;
    for (;;) {
        rego_term *k = parse_infix(p, false);
        if (!k)
            return false;
        if (tok_kind(p) != REGO_TOK_COLON) {
            illegal(p, "expected \":\"");
            return false;
        }
        scan(p);
        rego_term *v = parse_infix(p, false);
        if (!v || !pv_push(p, r, k) || !pv_push(p, r, v))
            return false;
        if (tok_kind(p) == end)
            return true;
        if (tok_kind(p) != REGO_TOK_COMMA) {
            illegal(p, "expected \",\" or \"%s\"", rego_tok_name(end));
            return false;
        }
        scan(p);
        if (tok_kind(p) == end)
            return true;
    }
}

static rego_term *mk_compr(parser *p, rego_term_kind k, rego_term *a, rego_term *b,
                           rego_body *body, rp_loc loc)
{
    rego_term *t = mk_fixed(p, k, b ? 2 : 1, loc);
    if (!t)
        return NULL;
    t->u.c.items[0] = a;
    if (b)
        t->u.c.items[1] = b;
    t->u.c.body = body;
    return t;
}

/* `[` ...: an array or an array comprehension.  As in OPA, `[a | b]` is a
 * comprehension when the body parses, an array with `a | b` otherwise. */
static rego_term *parse_array_inner(parser *p, rp_loc loc)
{
    scan(p);
    pvec v = {0};
    if (tok_kind(p) == REGO_TOK_RBRACK)
        return mk_list(p, REGO_TERM_ARRAY, &v, loc);
    bool maybe_compr = true;
    if (tok_kind(p) == REGO_TOK_COMMA) {
        maybe_compr = false;
        scan(p);
    }
    pstate s = p->s;
    rego_term *head = parse_term(p);
    if (!head)
        return NULL;
    switch (tok_kind(p)) {
    case REGO_TOK_RBRACK:
        if (!pv_push(p, &v, head))
            return NULL;
        return mk_list(p, REGO_TERM_ARRAY, &v, loc);
    case REGO_TOK_COMMA:
        scan(p);
        if (!pv_push(p, &v, head) || !parse_term_list(p, REGO_TOK_RBRACK, &v))
            return NULL;
        return mk_list(p, REGO_TERM_ARRAY, &v, loc);
    case REGO_TOK_OR:
        if (maybe_compr) {
            scan(p);
            rego_body *body = parse_body(p, REGO_TOK_RBRACK);
            if (body)
                return mk_compr(p, REGO_TERM_ARRAY_COMPR, head, NULL, body, loc);
            if (tok_kind(p) != REGO_TOK_COMMA)
                return NULL;
        }
        break;
    default:
        break;
    }
    restore(p, &s);
    if (!parse_term_list(p, REGO_TOK_RBRACK, &v))
        return NULL;
    return mk_list(p, REGO_TERM_ARRAY, &v, loc);
}

static rego_term *parse_array(parser *p)
{
    if (!enter(p))
        return NULL;
    rego_term *t = parse_array_inner(p, tok_loc(p));
    leave(p, 1);
    return t;
}

static rego_term *parse_set(parser *p, const pstate *s, rego_term *head, bool maybe_compr,
                            rp_loc loc)
{
    pvec v = {0};
    switch (tok_kind(p)) {
    case REGO_TOK_RBRACE:
        if (!pv_push(p, &v, head))
            return NULL;
        return mk_list(p, REGO_TERM_SET, &v, loc);
    case REGO_TOK_COMMA:
        scan(p);
        if (!pv_push(p, &v, head) || !parse_term_list(p, REGO_TOK_RBRACE, &v))
            return NULL;
        return mk_list(p, REGO_TERM_SET, &v, loc);
    case REGO_TOK_OR:
        if (maybe_compr) {
            scan(p);
            rego_body *body = parse_body(p, REGO_TOK_RBRACE);
            if (body)
                return mk_compr(p, REGO_TERM_SET_COMPR, head, NULL, body, loc);
            if (tok_kind(p) != REGO_TOK_COMMA)
                return NULL;
        }
        restore(p, s);
        if (!parse_term_list(p, REGO_TOK_RBRACE, &v))
            return NULL;
        return mk_list(p, REGO_TERM_SET, &v, loc);
    default:
        return NULL;
    }
}

static rego_term *parse_object_finish(parser *p, rego_term *k, rego_term *v, bool maybe_compr,
                                      rp_loc loc)
{
    pvec r = {0};
    switch (tok_kind(p)) {
    case REGO_TOK_RBRACE:
        if (!pv_push(p, &r, k) || !pv_push(p, &r, v))
            return NULL;
        return mk_list(p, REGO_TERM_OBJECT, &r, loc);
    case REGO_TOK_OR:
        if (maybe_compr) {
            scan(p);
            rego_body *body = parse_body(p, REGO_TOK_RBRACE);
            return body ? mk_compr(p, REGO_TERM_OBJECT_COMPR, k, v, body, loc) : NULL;
        }
        illegal(p, "non-terminated object");
        return NULL;
    case REGO_TOK_COMMA:
        scan(p);
        if (!pv_push(p, &r, k) || !pv_push(p, &r, v) ||
            !parse_pair_list(p, REGO_TOK_RBRACE, &r))
            return NULL;
        return mk_list(p, REGO_TERM_OBJECT, &r, loc);
    default:
        return NULL;
    }
}

/* After `{ key :`.  The value is first tried as a plain term so that
 * `{k: v | body}` can be a comprehension, then as an expression. */
static rego_term *parse_object(parser *p, rego_term *k, bool maybe_compr, rp_loc loc)
{
    scan(p);
    pstate s = p->s;
    rego_term *v = parse_term(p);
    if (!v)
        return NULL;
    bool maybe_relation = true;
    if (maybe_compr) {
        rego_tok_kind tk = tok_kind(p);
        if (tk == REGO_TOK_RBRACE || tk == REGO_TOK_COMMA)
            maybe_relation = false;
        if (tk == REGO_TOK_RBRACE || tk == REGO_TOK_COMMA || tk == REGO_TOK_OR) {
            rego_term *t = parse_object_finish(p, k, v, true, loc);
            if (t)
                return t;
        }
    }
    restore(p, &s);
    if (maybe_relation) {
        v = parse_infix(p, false);
        if (!v)
            return NULL;
        if (tok_kind(p) == REGO_TOK_RBRACE || tok_kind(p) == REGO_TOK_COMMA)
            return parse_object_finish(p, k, v, false, loc);
    }
    illegal(p, "non-terminated object");
    return NULL;
}

/* `{` ...: `{}` is an empty object; then a set, an object or a set/object
 * comprehension, decided by what follows the first term. */
static rego_term *parse_set_or_object_inner(parser *p, rp_loc loc)
{
    scan(p);
    if (tok_kind(p) == REGO_TOK_RBRACE) {
        pvec v = {0};
        return mk_list(p, REGO_TERM_OBJECT, &v, loc);
    }
    bool maybe_compr = true;
    if (tok_kind(p) == REGO_TOK_COMMA) {
        maybe_compr = false;
        scan(p);
    }
    pstate s = p->s;
    rego_term *head = parse_term(p);
    if (!head)
        return NULL;
    switch (tok_kind(p)) {
    case REGO_TOK_OR:
        if (maybe_compr)
            return parse_set(p, &s, head, true, loc);
        break;
    case REGO_TOK_RBRACE:
    case REGO_TOK_COMMA:
        return parse_set(p, &s, head, maybe_compr, loc);
    case REGO_TOK_COLON:
        return parse_object(p, head, maybe_compr, loc);
    default:
        break;
    }
    restore(p, &s);
    head = parse_infix(p, false);
    if (!head)
        return NULL;
    switch (tok_kind(p)) {
    case REGO_TOK_RBRACE:
    case REGO_TOK_COMMA:
        return parse_set(p, &s, head, false, loc);
    case REGO_TOK_COLON:
        return parse_object(p, head, maybe_compr, loc);
    default:
        illegal(p, "non-terminated set");
        return NULL;
    }
}

static rego_term *parse_set_or_object(parser *p)
{
    if (!enter(p))
        return NULL;
    rego_term *t = parse_set_or_object_inner(p, tok_loc(p));
    leave(p, 1);
    return t;
}

/* `( expr )`: the parenthesised term itself, no wrapper node. */
static rego_term *parse_paren(parser *p)
{
    if (!enter(p))
        return NULL;
    scan(p);
    rego_term *r = parse_infix(p, true);
    rego_term *t = NULL;
    if (r) {
        if (tok_kind(p) == REGO_TOK_RPAREN)
            t = r;
        else
            perr(p, "non-terminated expression");
    }
    leave(p, 1);
    return t;
}

/* `op(args)` where the current token is '('; op is a REF.  `set()` is the
 * empty set.  Leaves the token after ')' scanned without skipping spaces. */
static rego_term *parse_call(parser *p, rego_term *op)
{
    if (!enter(p))
        return NULL;
    scan(p);
    rego_term *t = NULL;
    pvec v = {0};
    if (tok_kind(p) == REGO_TOK_RPAREN) {
        scan_ws(p);
        if (op->n == 1 && is_var_named(op->u.c.items[0], "set"))
            t = mk_list(p, REGO_TERM_SET, &v, op->loc);
        else if (pv_push(p, &v, op))
            t = mk_list(p, REGO_TERM_CALL, &v, op->loc);
    } else if (pv_push(p, &v, op) && parse_term_list(p, REGO_TOK_RPAREN, &v)) {
        scan_ws(p);
        t = mk_list(p, REGO_TERM_CALL, &v, op->loc);
    }
    leave(p, 1);
    return t;
}

static bool ref_head_ok(const rego_term *h)
{
    switch ((rego_term_kind)h->kind) {
    case REGO_TERM_VAR: case REGO_TERM_ARRAY: case REGO_TERM_OBJECT: case REGO_TERM_SET:
    case REGO_TERM_ARRAY_COMPR: case REGO_TERM_SET_COMPR: case REGO_TERM_OBJECT_COMPR:
    case REGO_TERM_CALL:
        return true;
    case REGO_TERM_VALUE: case REGO_TERM_REF: case REGO_TERM_LOCAL: case REGO_TERM_DATA:
    case REGO_TERM_INPUT: case REGO_TERM_TEMPLATE:
        return false;
    }
    return false;
}

/* One ref element `[term]`; the current token is '['. */
static rego_term *parse_ref_bracket(parser *p)
{
    if (!enter(p))
        return NULL;
    scan(p);
    rego_term *t = parse_infix(p, true);
    if (t && tok_kind(p) != REGO_TOK_RBRACK) {
        illegal(p, "expected [");
        t = NULL;
    }
    leave(p, 1);
    if (t)
        scan_ws(p);
    return t;
}

/* The path after a ref head: `.name`, `[term]`, calls `(...)`.  A call in
 * the middle (`f(x).y`) becomes the head of a new ref; each such link is a
 * depth level, counted until the whole chain is done. */
static rego_term *parse_ref(parser *p, rego_term *head)
{
    uint32_t links = 0;
    rego_term *result = NULL;
    for (;;) {
        rp_loc loc = head->loc;
        if (!ref_head_ok(head))
            perr_at(p, loc, "illegal ref (head cannot be %s)", value_name(head));
        pvec v = {0};
        if (!pv_push(p, &v, head))
            goto out;
        for (;;) {
            rego_tok_kind k = tok_kind(p);
            if (k == REGO_TOK_DOT) {
                scan_ws(p);
                if (tok_kind(p) != REGO_TOK_IDENT && !rego_tok_is_keyword(tok_kind(p))) {
                    illegal(p, "expected ident");
                    goto out;
                }
                rego_term *s = mk_string(p, tok_lit(p), tok_len(p), tok_loc(p));
                if (!s || !pv_push(p, &v, s))
                    goto out;
                scan_ws(p);
            } else if (k == REGO_TOK_LBRACK) {
                rego_term *t = parse_ref_bracket(p);
                if (!t || !pv_push(p, &v, t))
                    goto out;
            } else if (k == REGO_TOK_LPAREN) {
                rego_term *op = mk_list(p, REGO_TERM_REF, &v, loc);
                rego_term *call = op ? parse_call(p, op) : NULL;
                if (call && tok_kind(p) == REGO_TOK_WS) {
                    scan(p);
                } else if (call &&
                           (tok_kind(p) == REGO_TOK_DOT || tok_kind(p) == REGO_TOK_LBRACK)) {
                    if (!enter(p))
                        goto out;
                    links++;
                    head = call;
                    break;
                }
                result = call;
                goto out;
            } else {
                if (k == REGO_TOK_WS)
                    scan(p);
                result = mk_list(p, REGO_TERM_REF, &v, loc);
                goto out;
            }
        }
    }
out:
    leave(p, links);
    return result;
}

/* After a primary term: a directly attached '.', '[' or '(' makes a ref or
 * call; `data` and `input` alone are refs. */
static rego_term *parse_term_finish(parser *p, rego_term *head)
{
    if (!head)
        return NULL;
    scan_ws(p);
    switch (tok_kind(p)) {
    case REGO_TOK_LPAREN: case REGO_TOK_DOT: case REGO_TOK_LBRACK:
        return parse_ref(p, head);
    case REGO_TOK_WS:
        scan(p);
        break;
    default:
        break;
    }
    if (is_root_doc(head))
        return mk_ref1(p, head, head->loc);
    return head;
}

/* ---- template strings ----------------------------------------------------------
 * OPA 1.12's $"..{expr}.." and $`..{expr}..` (v1/ast/parser.go
 * parseTemplateString): literal text alternates with expressions in braces.
 * The scanner returns the text up to an opening `{` (a PART token) or the
 * closing quote (an END token); after the expression's `}` the parser asks
 * it for the next piece.  Rego v0 has no template strings: OPA's v0
 * capabilities lack the feature. */

static bool tok_is_template(rego_tok_kind k)
{
    return k == REGO_TOK_TEMPLATE_PART || k == REGO_TOK_TEMPLATE_END ||
           k == REGO_TOK_RAW_TEMPLATE_PART || k == REGO_TOK_RAW_TEMPLATE_END;
}

static bool tok_is_template_end(rego_tok_kind k)
{
    return k == REGO_TOK_TEMPLATE_END || k == REGO_TOK_RAW_TEMPLATE_END;
}

/* The text of the current template piece as a string term, or NULL with an
 * error.  `first` is the piece that starts with `$"`/`$``, later ones start
 * right after a `}`; each ends with its one-byte terminator.  `\{` stands
 * for `{` in both forms; the quoted form then decodes JSON escapes (only
 * when a backslash is left, as OPA: other text is taken as written). */
static rego_term *template_text(parser *p, bool first, bool raw)
{
    if (!tok_is_template(tok_kind(p))) {
        perr(p, "expected template-string part");
        return NULL;
    }
    const char *lit = tok_lit(p);
    size_t skip = first ? 2 : 0, n = tok_len(p);
    if (n < skip + 1)
        return NULL; /* cannot happen: an error-free piece has its terminator */
    const char *in = lit + skip;
    size_t in_n = n - skip - 1;
    rego_value v;
    char *buf = rego_str_alloc(p->a, in_n, &v);
    if (!buf) {
        nomem(p);
        return NULL;
    }
    size_t o = 0;
    bool backslash = false;
    for (size_t i = 0; i < in_n; i++) {
        if (in[i] == '\\' && i + 1 < in_n && in[i + 1] == '{') {
            buf[o++] = '{';
            i++;
        } else if (!raw && in[i] == '\\' && i + 1 < in_n) {
            buf[o++] = in[i++]; /* an escape pair stays for the JSON decoder */
            buf[o++] = in[i];
            backslash = true;
        } else {
            buf[o++] = in[i];
            backslash |= in[i] == '\\';
        }
    }
    if (backslash && !raw) {
        size_t outn;
        char *dec = rp_arena_alloc(p->a, o + 1);
        if (!dec) {
            nomem(p);
            return NULL;
        }
        if (!json_unescape(buf, o, dec, &outn)) {
            size_t show = o > 160 ? 160 : o;
            perr(p, "illegal template-string part: %c%.*s%c", first ? '"' : '}', (int)show, buf,
                 lit[n - 1]);
            return NULL;
        }
        dec[outn] = 0;
        buf = dec;
        o = outn;
    }
    buf[o] = 0;
    v.u.s = buf;
    v.n = (uint32_t)o;
    return mk_value(p, v, tok_loc(p));
}

/* A part expression as OPA checks it: any value-producing expression. */
static bool template_expr_ok(parser *p, const rego_expr *e)
{
    const char *what = NULL;
    if (e->negated)
        what = "negation ('not')";
    else if (e->kind == REGO_EXPR_TERM && is_call_named_op(e->term, "eq"))
        what = "unification ('=')";
    else if (e->kind == REGO_EXPR_TERM && is_call_named_op(e->term, "assign"))
        what = "assignment (':=')";
    else if (e->kind == REGO_EXPR_EVERY)
        what = "'every'";
    else if (e->kind == REGO_EXPR_SOME || e->kind == REGO_EXPR_SOME_IN)
        what = "'some'";
    if (!what)
        return true;
    perr_at(p, e->loc, "unexpected %s in template-string expression", what);
    return false;
}

static rego_term *parse_template(parser *p)
{
    rp_loc loc = tok_loc(p);
    rego_tok_kind k = tok_kind(p);
    bool raw = k == REGO_TOK_RAW_TEMPLATE_PART || k == REGO_TOK_RAW_TEMPLATE_END;
    if (p->version == REGO_V0) {
        perr(p, "template strings are not supported by current capabilities");
        return NULL;
    }
    if (!enter(p))
        return NULL;
    rego_term *t = NULL;
    pvec parts = {0};
    for (bool first = true;; first = false) {
        rego_term *text = template_text(p, first, raw);
        if (!text)
            goto out;
        if (text->u.value.n > 0) { /* OPA leaves out empty text */
            rego_expr *e = new_expr(p, REGO_EXPR_TERM, text->loc);
            if (!e || !pv_push(p, &parts, e))
                goto out;
            e->term = text;
            e->tmpl_term = true;
        }
        if (tok_is_template_end(tok_kind(p)))
            break;
        uint32_t ncomments = p->s.ncomments;
        scan(p);
        rego_expr *e = parse_literal(p);
        if (!e) {
            perr(p, "invalid template-string expression");
            goto out;
        }
        if (!template_expr_ok(p, e))
            goto out;
        /* A scalar alone in braces is kept as a term (its `with` modifiers
         * dropped), unless comments sit in the braces. */
        if (e->kind == REGO_EXPR_TERM && e->term->kind == REGO_TERM_VALUE &&
            p->s.ncomments == ncomments) {
            e->tmpl_term = true;
            e->nwith = 0;
            e->withs = NULL;
            e->loc = e->term->loc;
        }
        if (!pv_push(p, &parts, e))
            goto out;
        if (tok_kind(p) != REGO_TOK_RBRACE) {
            perr(p, "expected } to end template string expression");
            goto out;
        }
        p->s.skipped_nl = false;
        rego_lex_scan_template(&p->s.lx, &p->s.tok, raw);
        if (p->s.tok.err) {
            perr(p, "%s", p->s.tok.err);
            p->s.tok.kind = REGO_TOK_ILLEGAL;
        }
    }
    rego_body *b = mk_body(p, &parts);
    if (b && (t = new_term(p, REGO_TERM_TEMPLATE, loc)) != NULL) {
        b->loc = loc;
        t->u.c.body = b;
        if (raw)
            t->flags_ |= REGO_TF_RAW_TEMPLATE;
    }
out:
    leave(p, 1);
    return t;
}

static rego_term *parse_term(parser *p)
{
    rego_term *t = NULL;
    switch (tok_kind(p)) {
    case REGO_TOK_NULL:
        t = mk_value(p, rego_null(), tok_loc(p));
        break;
    case REGO_TOK_TRUE:
    case REGO_TOK_FALSE:
        t = mk_value(p, rego_bool(tok_kind(p) == REGO_TOK_TRUE), tok_loc(p));
        break;
    case REGO_TOK_SUB: case REGO_TOK_DOT: case REGO_TOK_NUMBER:
        t = parse_number(p);
        break;
    case REGO_TOK_STRING:
        t = parse_string(p);
        break;
    case REGO_TOK_TEMPLATE_PART: case REGO_TOK_TEMPLATE_END:
    case REGO_TOK_RAW_TEMPLATE_PART: case REGO_TOK_RAW_TEMPLATE_END:
        t = parse_template(p);
        break;
    case REGO_TOK_IDENT:
    case REGO_TOK_CONTAINS: /* `contains` is a keyword only in rule heads */
        t = parse_var(p);
        break;
    case REGO_TOK_LBRACK:
        t = cached(p, parse_array);
        break;
    case REGO_TOK_LBRACE:
        t = cached(p, parse_set_or_object);
        break;
    case REGO_TOK_LPAREN:
        t = cached(p, parse_paren);
        break;
    default:
        illegal_tok(p);
        break;
    }
    return parse_term_finish(p, t);
}

/* ---- operators ---------------------------------------------------------------
 * Binding from weakest to strongest: `in`, relations (== != < <= > >=), |,
 * &, + -, * / %.  All left-associative.  A missing right operand leaves the
 * left one as the result (with the error recorded), as OPA does. */

typedef rego_term *(*operand_fn)(parser *p);

static bool tok_in(rego_tok_kind k, const rego_tok_kind *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == k)
            return true;
    return false;
}

static rego_term *parse_binary(parser *p, operand_fn operand, const rego_tok_kind *ops, size_t nops)
{
    rego_term *lhs = operand(p);
    uint32_t chain = 0;
    while (lhs && tok_in(tok_kind(p), ops, nops)) {
        rego_term *op = mk_op(p);
        if (!op)
            break;
        scan(p);
        rego_term *rhs = operand(p);
        if (!rhs)
            break;
        if (!enter(p))
            break;
        chain++;
        rego_term *call = mk_call(p, op, lhs, rhs, NULL);
        if (!call)
            break;
        lhs = call;
    }
    leave(p, chain);
    return lhs;
}

static const rego_tok_kind mul_ops[] = {REGO_TOK_MUL, REGO_TOK_QUO, REGO_TOK_REM};
static const rego_tok_kind add_ops[] = {REGO_TOK_ADD, REGO_TOK_SUB};
static const rego_tok_kind and_ops[] = {REGO_TOK_AND};
static const rego_tok_kind or_ops[] = {REGO_TOK_OR};
static const rego_tok_kind rel_ops[] = {REGO_TOK_EQUAL, REGO_TOK_NEQ, REGO_TOK_LT,
                                        REGO_TOK_GT,    REGO_TOK_LTE, REGO_TOK_GTE};

static rego_term *parse_factor(parser *p) { return parse_binary(p, parse_term, mul_ops, 3); }
static rego_term *parse_arith(parser *p) { return parse_binary(p, parse_factor, add_ops, 2); }
static rego_term *parse_and(parser *p) { return parse_binary(p, parse_arith, and_ops, 1); }
static rego_term *parse_or(parser *p) { return parse_binary(p, parse_and, or_ops, 1); }
static rego_term *parse_relation(parser *p) { return parse_binary(p, parse_or, rel_ops, 6); }

/* `k, v in xs` (only where keyval: expressions, not list elements). */
static rego_term *parse_member3(parser *p, rego_term *lhs)
{
    pstate s = p->s;
    scan(p);
    rego_term *mhs = parse_relation(p);
    if (mhs && tok_kind(p) == REGO_TOK_IN) {
        rego_term *op = mk_member_op(p, true);
        scan(p);
        rego_term *rhs = op ? parse_relation(p) : NULL;
        if (rhs)
            return mk_call(p, op, lhs, mhs, rhs);
    }
    restore(p, &s);
    return NULL;
}

/* The weakest binding level: `x in xs` and `k, v in xs`. */
static rego_term *parse_infix(parser *p, bool keyval)
{
    rego_term *lhs = parse_relation(p);
    uint32_t chain = 0;
    while (lhs) {
        if (keyval && tok_kind(p) == REGO_TOK_COMMA) {
            rego_term *call = parse_member3(p, lhs);
            if (call) {
                if (!enter(p))
                    break;
                chain++;
                lhs = call;
                if (tok_kind(p) == REGO_TOK_IN)
                    continue;
                break;
            }
        }
        scan_ahead_ref(p);
        if (tok_kind(p) != REGO_TOK_IN)
            break;
        rego_term *op = mk_member_op(p, false);
        if (!op)
            break;
        scan(p);
        rego_term *rhs = parse_relation(p);
        if (!rhs || !enter(p))
            break;
        chain++;
        rego_term *call = mk_call(p, op, lhs, rhs, NULL);
        if (!call)
            break;
        lhs = call;
        if (tok_kind(p) != REGO_TOK_IN)
            break;
    }
    leave(p, chain);
    return lhs;
}

/* ---- expressions ---------------------------------------------------------- */

static bool parse_with(parser *p, rego_expr *e)
{
    pvec v = {0};
    for (;;) {
        rp_loc wloc = tok_loc(p);
        scan(p);
        if (tok_kind(p) != REGO_TOK_IDENT) {
            illegal(p, "expected ident");
            return false;
        }
        rego_term *target = parse_term(p);
        if (!target)
            return false;
        if (target->kind != REGO_TERM_REF && target->kind != REGO_TERM_VAR)
            illegal(p, "expected with target path");
        if (tok_kind(p) != REGO_TOK_AS) {
            illegal(p, "expected as keyword");
            return false;
        }
        scan(p);
        rego_term *value = parse_infix(p, true);
        if (!value)
            return false;
        /* ast.h: a with target is always a REF (`with count as f`). */
        if (target->kind == REGO_TERM_VAR && !(target = mk_ref1(p, target, target->loc)))
            return false;
        rego_with *w = palloc(p, sizeof(*w));
        if (!w || !pv_push(p, &v, w))
            return false;
        w->target = target;
        w->value = value;
        w->loc = wloc;
        if (tok_kind(p) != REGO_TOK_WITH)
            break;
    }
    e->withs = palloc(p, (size_t)v.n * sizeof(rego_with));
    if (!e->withs)
        return false;
    for (uint32_t i = 0; i < v.n; i++)
        e->withs[i] = *(rego_with *)v.v[i];
    e->nwith = v.n;
    return true;
}

static rego_expr *parse_expr(parser *p, rp_loc loc)
{
    rego_term *lhs = parse_infix(p, true);
    if (!lhs)
        return NULL;
    rego_term *t = lhs;
    if (tok_kind(p) == REGO_TOK_ASSIGN || tok_kind(p) == REGO_TOK_UNIFY) {
        rego_term *op = mk_op(p);
        if (!op)
            return NULL;
        scan(p);
        rego_term *rhs = parse_infix(p, true);
        if (!rhs || !(t = mk_call(p, op, lhs, rhs, NULL)))
            return NULL;
    }
    rego_expr *e = new_expr(p, REGO_EXPR_TERM, loc);
    if (e)
        e->term = t;
    return e;
}

static rego_expr *parse_every(parser *p);

/* v0 without the `every` keyword: an expression that is just the variable
 * `every` gets OPA's hint if it would parse as an every expression. */
static void every_hint(parser *p, const pstate *start)
{
    if (p->in_hint)
        return;
    pstate after = p->s;
    restore(p, start);
    p->s.lx.kw |= REGO_KW_ALL;
    p->in_hint = true;
    bool would_parse = parse_every(p) != NULL;
    p->in_hint = false;
    restore(p, &after);
    if (would_parse)
        p->s.hint = "`import future.keywords.every` for `every x in xs { ... }` expressions";
}

static rego_expr *parse_literal_expr(parser *p, bool negated, rp_loc loc)
{
    pstate start = p->s;
    rego_expr *e = parse_expr(p, loc);
    if (!e)
        return NULL;
    e->negated = negated;
    if (tok_kind(p) == REGO_TOK_WITH && !parse_with(p, e))
        return NULL;
    if (p->version == REGO_V0 && e->kind == REGO_EXPR_TERM && is_var_named(e->term, "every"))
        every_hint(p, &start);
    return e;
}

/* The member call of `some`/`every`: 1 for internal.member_2 (x in xs),
 * 2 for internal.member_3 (k, v in xs), 0 otherwise. */
static int member_arity(const rego_term *call)
{
    const rego_term *op = call->u.c.items[0];
    if (is_ref2(op, "internal", "member_2"))
        return 1;
    if (is_ref2(op, "internal", "member_3"))
        return 2;
    return 0;
}

static bool set_domain(parser *p, rego_expr *e, const rego_term *call, int arity)
{
    if (call->n != (uint32_t)arity + 2) {
        illegal(p, "illegal domain");
        return false;
    }
    e->key = arity == 2 ? call->u.c.items[1] : NULL;
    e->value = call->u.c.items[arity];
    e->domain = call->u.c.items[arity + 1];
    return true;
}

/* v0 without the `in` keyword: OPA hints at the import when `some ...`
 * would have parsed as `some x in xs` with it. */
static void some_in_hint(parser *p)
{
    if (p->in_hint)
        return;
    pstate s = p->s;
    scan(p);
    p->s.lx.kw |= REGO_KW_ALL;
    p->in_hint = true;
    rego_term *t = parse_infix(p, true);
    bool would_parse = t && t->kind == REGO_TERM_CALL && member_arity(t) != 0;
    p->in_hint = false;
    restore(p, &s);
    if (would_parse)
        p->s.hint = "`import future.keywords.in` for `some x in xs` expressions";
}

/* `some x in xs`, `some k, v in xs`, or the declaration `some a, b`. */
static rego_expr *parse_some(parser *p)
{
    rp_loc loc = tok_loc(p);
    pstate s = p->s;
    scan(p);
    rego_term *t = parse_infix(p, true);
    if (t && t->kind == REGO_TERM_CALL) {
        int arity = member_arity(t);
        if (!arity) {
            illegal(p, "expected `x in xs` or `x, y in xs` expression");
            return NULL;
        }
        rego_expr *e = new_expr(p, REGO_EXPR_SOME_IN, loc);
        if (!e || !set_domain(p, e, t, arity))
            return NULL;
        if (tok_kind(p) == REGO_TOK_WITH && !parse_with(p, e))
            return NULL;
        return e;
    }
    restore(p, &s);
    if (p->version == REGO_V0)
        some_in_hint(p);
    pvec v = {0};
    do {
        scan(p);
        if (tok_kind(p) != REGO_TOK_IDENT) {
            illegal(p, "expected var");
            return NULL;
        }
        rego_term *var = parse_var(p);
        if (!var || !pv_push(p, &v, var))
            return NULL;
        scan(p);
    } while (tok_kind(p) == REGO_TOK_COMMA);
    rego_expr *e = new_expr(p, REGO_EXPR_SOME, loc);
    if (e) {
        e->vars = (rego_term **)v.v;
        e->nvars = v.n;
    }
    return e;
}

static rego_expr *parse_every(parser *p)
{
    rp_loc loc = tok_loc(p);
    scan(p);
    rego_term *t = parse_infix(p, true);
    if (!t)
        return NULL;
    int arity = t->kind == REGO_TERM_CALL ? member_arity(t) : 0;
    if (!arity) {
        illegal(p, "expected `x[, y] in xs { ... }` expression");
        return NULL;
    }
    rego_expr *e = new_expr(p, REGO_EXPR_EVERY, loc);
    if (!e || !set_domain(p, e, t, arity))
        return NULL;
    if (e->key && e->key->kind != REGO_TERM_VAR) {
        illegal(p, "expected key to be a variable");
        return NULL;
    }
    if (e->value->kind != REGO_TERM_VAR) {
        illegal(p, "expected value to be a variable");
        return NULL;
    }
    if (tok_kind(p) != REGO_TOK_LBRACE) {
        illegal(p, "missing body");
        return NULL;
    }
    if (!(e->body = parse_brace_body(p)))
        return NULL;
    if (tok_kind(p) == REGO_TOK_WITH && !parse_with(p, e))
        return NULL;
    return e;
}

static rego_expr *parse_literal(parser *p)
{
    rp_loc loc = tok_loc(p);
    if (rego_tok_is_keyword(tok_kind(p))) {
        rego_tok_kind next = peek_ws(p);
        if (next == REGO_TOK_DOT || next == REGO_TOK_LBRACK) {
            p->s.tok.kind = REGO_TOK_IDENT;
            return parse_literal_expr(p, false, loc);
        }
    }
    bool negated = false;
    if (tok_kind(p) == REGO_TOK_NOT) {
        scan(p);
        negated = true;
    }
    switch (tok_kind(p)) {
    case REGO_TOK_SOME:
        if (negated) {
            illegal(p, "illegal negation of 'some'");
            return NULL;
        }
        return parse_some(p);
    case REGO_TOK_EVERY:
        if (negated) {
            illegal(p, "illegal negation of 'every'");
            return NULL;
        }
        return parse_every(p);
    default:
        return parse_literal_expr(p, negated, loc);
    }
}

/* Expressions separated by ';' or newlines, up to `end`.  With
 * require_semi (top-level statements) only ';' continues the body. */
static rego_body *parse_query(parser *p, bool require_semi, rego_tok_kind end)
{
    if (tok_kind(p) == end) {
        perr(p, "found empty body");
        return NULL;
    }
    pvec v = {0};
    for (;;) {
        rego_expr *e = parse_literal(p);
        if (!e || !pv_push(p, &v, e))
            return NULL;
        if (tok_kind(p) == REGO_TOK_SEMICOLON) {
            scan(p);
            continue;
        }
        if (tok_kind(p) == end || require_semi)
            return mk_body(p, &v);
        if (!p->s.skipped_nl) {
            illegal(p, "expected \\n or ; or %s", rego_tok_name(end));
            return NULL;
        }
    }
}

/* ---- rules -------------------------------------------------------------------- */

/* Facts about a rule that OPA keeps on its Head/Rule and the v1 checks use. */
enum {
    RF_GEN_BODY = 1 << 0,  /* body written implicitly (`p := 1`) */
    RF_GEN_VALUE = 1 << 1, /* value written implicitly (`p if ...`) */
    RF_KW_IF = 1 << 2,
    RF_KW_CONTAINS = 1 << 3,
    RF_HAS_KEY = 1 << 4,   /* OPA's Head.Key is set */
};

typedef struct {
    rego_rule r; /* first: a rego_rule* of ours points at a prule */
    uint8_t flags;
} prule;

/* A parsed rule head before it becomes one or more rules. */
typedef struct {
    rp_loc loc;
    rego_term *ref;
    rego_term **args;
    uint32_t nargs;
    bool is_func, assign, contains;
    rego_term *key;   /* contains element */
    rego_term *okey;  /* OPA's Head.Key (contains element or `p[x]`'s x) */
    rego_term *value; /* NULL with gen_value means `true` */
    bool gen_value;
} phead;

static prule *new_rule(parser *p, const phead *h, rp_loc loc)
{
    prule *pr = palloc(p, sizeof(*pr));
    if (!pr)
        return NULL;
    rego_rule *r = &pr->r;
    r->loc = loc;
    r->ref = h->ref;
    r->args = h->args;
    r->nargs = h->nargs;
    r->is_func = h->is_func;
    r->assign = h->assign;
    r->contains = h->contains;
    r->key = h->key;
    r->value = h->value;
    if (h->gen_value)
        pr->flags |= RF_GEN_VALUE;
    if (h->okey)
        pr->flags |= RF_HAS_KEY;
    return pr;
}

/* The head term: a name, a ref (`a.b[c]`), or a call (`f(x)`). */
static rego_term *parse_head_term(parser *p)
{
    rego_term *head = parse_var(p);
    if (!head)
        return NULL;
    scan_ws(p);
    switch (tok_kind(p)) {
    case REGO_TOK_ADD: case REGO_TOK_SUB: case REGO_TOK_MUL: case REGO_TOK_QUO:
    case REGO_TOK_REM: case REGO_TOK_AND: case REGO_TOK_OR: case REGO_TOK_EQUAL:
    case REGO_TOK_NEQ: case REGO_TOK_GT: case REGO_TOK_GTE: case REGO_TOK_LT:
    case REGO_TOK_LTE:
        illegal_tok(p);
        break;
    case REGO_TOK_WS:
        scan(p); /* in heads, `p [x]` and `f (x)` still attach */
        break;
    default:
        break;
    }
    switch (tok_kind(p)) {
    case REGO_TOK_LPAREN: case REGO_TOK_DOT: case REGO_TOK_LBRACK:
        return parse_ref(p, head);
    default:
        break;
    }
    if (is_root_doc(head))
        return mk_ref1(p, head, head->loc);
    return head;
}

/* Fills h from the head term; false (maybe with an error) when it cannot
 * name a rule. */
static bool head_from_term(parser *p, phead *h, rego_term *t)
{
    char name[128];
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VAR:
        h->ref = mk_ref1(p, t, t->loc);
        return h->ref != NULL;
    case REGO_TERM_REF:
        h->ref = t;
        return true;
    case REGO_TERM_CALL: {
        rego_term *op = t->u.c.items[0];
        if (op->u.c.items[0]->kind != REGO_TERM_VAR) {
            term_str(op, name, sizeof(name));
            illegal(p, "rule head ref %s invalid", name);
            return false;
        }
        h->ref = op;
        h->args = t->u.c.items + 1;
        h->nargs = t->n - 1;
        h->is_func = true;
        return true;
    }
    default:
        return false;
    }
}

/* The rule's name for messages ("p", "a.b[c]"); only computed on errors. */
static const char *head_name(const phead *h, char *buf, size_t cap)
{
    term_str(h->ref, buf, cap);
    return buf;
}

static bool parse_head(parser *p, phead *h, bool is_default)
{
    char name[128];
    h->loc = tok_loc(p);
    rego_term *t = parse_head_term(p);
    if (!t) {
        illegal(p, "expected rule head name");
        return false;
    }
    if (!head_from_term(p, h, t))
        return false;
    switch (tok_kind(p)) {
    case REGO_TOK_CONTAINS:
        if (h->is_func)
            illegal(p, "the contains keyword can only be used with multi-value rule "
                       "definitions (e.g., %s contains <VALUE> { ... })",
                    head_name(h, name, sizeof(name)));
        scan(p);
        h->key = h->okey = parse_infix(p, true);
        if (!h->key) {
            illegal(p, "expected rule key term (e.g., %s contains <VALUE> { ... })",
                    head_name(h, name, sizeof(name)));
            return false;
        }
        h->contains = true;
        return !p->s.has_err;
    case REGO_TOK_UNIFY:
        scan(p);
        if (!(h->value = parse_infix(p, true))) {
            illegal(p, "expected rule value term (e.g., %s[<nil>] = <VALUE> { ... })",
                    head_name(h, name, sizeof(name)));
            return false;
        }
        break;
    case REGO_TOK_ASSIGN:
        scan(p);
        h->assign = true;
        if (!(h->value = parse_infix(p, true))) {
            head_name(h, name, sizeof(name));
            if (h->nargs > 0)
                illegal(p, "expected function value term (e.g., %s(...) := <VALUE> { ... })", name);
            else if (is_default)
                illegal(p, "expected default rule value term (e.g., default %s := <VALUE>)", name);
            else
                illegal(p, "expected rule value term (e.g., %s := <VALUE> { ... })", name);
            return false;
        }
        break;
    default:
        break;
    }
    if (!h->value && (h->ref->n != 2 || h->nargs > 0))
        h->gen_value = true;
    return !p->s.has_err;
}

/* First Ref/Var/Call in a default value, outside comprehensions. */
static const char *default_value_problem(const rego_term *t);

/* OPA's visitor walks a template string's expressions term by term: a
 * call's operator is a ref, then come the operands, then `with` targets
 * (kept as vars when they name a function). */
static const char *default_template_problem(const rego_body *parts)
{
    for (uint32_t i = 0; i < parts->n; i++) {
        const rego_expr *e = parts->exprs[i];
        if (e->tmpl_term)
            continue;
        if (e->term->kind == REGO_TERM_CALL)
            return "ref";
        const char *w = default_value_problem(e->term);
        if (w)
            return w;
        if (e->nwith) {
            const rego_term *target = e->withs[0].target;
            return target->n == 1 && !is_root_doc(target->u.c.items[0]) ? "var" : "ref";
        }
    }
    return NULL;
}

static const char *default_value_problem(const rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_REF: case REGO_TERM_DATA: case REGO_TERM_INPUT: return "ref";
    case REGO_TERM_VAR: case REGO_TERM_LOCAL: return "var";
    case REGO_TERM_CALL: return "call";
    case REGO_TERM_ARRAY_COMPR: case REGO_TERM_SET_COMPR: case REGO_TERM_OBJECT_COMPR:
    case REGO_TERM_VALUE:
        return NULL;
    case REGO_TERM_ARRAY: case REGO_TERM_SET: case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i < t->n; i++) {
            const char *w = default_value_problem(t->u.c.items[i]);
            if (w)
                return w;
        }
        return NULL;
    case REGO_TERM_TEMPLATE:
        return default_template_problem(t->u.c.body);
    }
    return NULL;
}

static bool validate_default(parser *p, const phead *h, rp_loc loc)
{
    if (!h->value && !h->gen_value) {
        perr_at(p, loc, "illegal default rule (must have a value)");
        return false;
    }
    const char *w = h->value ? default_value_problem(h->value) : NULL;
    if (w) {
        perr_at(p, loc, "illegal default rule (value cannot contain %s)", w);
        return false;
    }
    for (uint32_t i = 0; i < h->nargs; i++) {
        const rego_term *a = h->args[i];
        /* OPA 0.x accepted scalar arguments in default functions (its v0
         * conformance cases use `default f(10) := 100`); newer OPA and v1
         * reject them. */
        if (a->kind == REGO_TERM_VALUE && p->version == REGO_V0)
            continue;
        if (a->kind != REGO_TERM_VAR) {
            perr_at(p, loc, "illegal default rule (arguments cannot contain %s)", value_name(a));
            return false;
        }
        for (uint32_t j = 0; j < i && strcmp(a->u.var.name, "_") != 0; j++)
            if (h->args[j]->kind == REGO_TERM_VAR &&
                strcmp(h->args[j]->u.var.name, a->u.var.name) == 0) {
                perr_at(p, loc, "illegal default rule (arguments cannot be repeated %s)",
                        a->u.var.name);
                return false;
            }
    }
    return true;
}

/* A copy of the head for an else clause or an extra v0 body: OPA copies
 * the head; with loc the copy is relocated there. */
static bool copy_head(parser *p, const rego_rule *from, rego_rule *to, const rp_loc *loc)
{
    if (!(to->ref = copy_term(p, from->ref, loc)))
        return false;
    if (from->args) {
        to->args = term_array(p, from->nargs);
        if (!to->args)
            return false;
        for (uint32_t i = 0; i < from->nargs; i++)
            if (!(to->args[i] = copy_term(p, from->args[i], loc)))
                return false;
    }
    to->nargs = from->nargs;
    to->is_func = from->is_func;
    to->assign = from->assign;
    to->contains = from->contains;
    if (from->key && !(to->key = copy_term(p, from->key, loc)))
        return false;
    if (from->value && !(to->value = copy_term(p, from->value, loc)))
        return false;
    return true;
}

/* Re-locates a one-expression else body at the else keyword, as OPA does. */
static rego_body *relocate_body(parser *p, rego_body *b, rp_loc loc)
{
    return copy_body(p, b, &loc);
}

/* One `else [= v | := v] [if] [{ body } | expr]`; *more is false when no
 * body followed (OPA stops the else chain there). */
static prule *parse_else(parser *p, const rego_rule *head, bool *more)
{
    rp_loc loc = tok_loc(p);
    prule *pr = palloc(p, sizeof(*pr));
    if (!pr || !copy_head(p, head, &pr->r, NULL))
        return NULL;
    rego_rule *r = &pr->r;
    r->loc = loc;
    *more = true;
    scan(p);
    switch (tok_kind(p)) {
    case REGO_TOK_LBRACE:
    case REGO_TOK_IF:
        r->value = NULL;
        pr->flags |= RF_GEN_VALUE;
        break;
    case REGO_TOK_ASSIGN:
    case REGO_TOK_UNIFY:
        r->assign = tok_kind(p) == REGO_TOK_ASSIGN;
        scan(p);
        if (!(r->value = parse_infix(p, true)))
            return NULL;
        break;
    default:
        illegal(p, "expected else value term or rule body");
        return NULL;
    }
    bool has_if = tok_kind(p) == REGO_TOK_IF;
    if (!has_if && tok_kind(p) != REGO_TOK_LBRACE) {
        pr->flags |= RF_GEN_BODY;
        *more = false;
        return pr;
    }
    if (has_if) {
        pr->flags |= RF_KW_IF;
        scan(p);
    }
    if (tok_kind(p) == REGO_TOK_LBRACE) {
        if (!(r->body = parse_brace_body(p)))
            return NULL;
    } else if (tok_kind(p) != REGO_TOK_EOF) {
        rego_expr *e = parse_literal(p);
        pvec v = {0};
        if (!e || !pv_push(p, &v, e) || !(r->body = mk_body(p, &v)))
            return NULL;
        if (!(r->body = relocate_body(p, r->body, loc)))
            return NULL;
    } else {
        illegal(p, "rule body expected");
        return NULL;
    }
    return pr;
}

static bool parse_else_chain(parser *p, prule *rule)
{
    rego_rule **link = &rule->r.else_;
    bool more = true;
    while (more && tok_kind(p) == REGO_TOK_ELSE) {
        prule *e = parse_else(p, &rule->r, &more);
        if (!e)
            return false;
        *link = &e->r;
        link = &e->r.else_;
    }
    return true;
}

/* After `p if`: one literal, or (if that fails or is a set literal) a
 * `{ body }`.  OPA then skips the current token unconditionally. */
static rego_body *parse_if_body(parser *p)
{
    pstate s = p->s;
    rego_expr *e = parse_literal(p);
    if (e && !(e->kind == REGO_EXPR_TERM && e->term->kind == REGO_TERM_SET)) {
        pvec v = {0};
        return pv_push(p, &v, e) ? mk_body(p, &v) : NULL;
    }
    restore(p, &s);
    return parse_brace_body(p);
}

/* OPA's rewrites of a parsed head: `p[x] if` is a one-value rule p[x];
 * v0's `p[x] { }` is a multi-value rule p with element x. */
static bool normalise_head(parser *p, phead *h, bool has_if, bool uses_contains)
{
    if (uses_contains || h->ref->n != 2)
        return true;
    rego_term *elem = h->ref->u.c.items[1];
    bool var_head = h->ref->u.c.items[0]->kind == REGO_TERM_VAR;
    if (has_if) {
        if ((!term_ground(elem) || elem->kind == REGO_TERM_REF) && h->nargs == 0)
            h->okey = elem;
        if (!h->value && !h->gen_value)
            h->gen_value = true;
        else if (!var_head)
            return false;
        return true;
    }
    if (h->nargs != 0)
        return true;
    if (!var_head)
        return false;
    h->okey = elem;
    if (!h->value && !h->gen_value) {
        h->key = elem;
        h->contains = true;
        h->ref = mk_ref1(p, h->ref->u.c.items[0], h->ref->loc);
        return h->ref != NULL;
    }
    return true;
}

/* Extra bodies of a v0 rule: `p { a } { b }` is two rules. */
static bool parse_extra_bodies(parser *p, prule *first, pvec *out)
{
    while (tok_kind(p) == REGO_TOK_LBRACE) {
        if (first->r.else_) {
            perr(p, "expected else keyword");
            return false;
        }
        rp_loc loc = tok_loc(p);
        rego_body *b = parse_brace_body(p);
        prule *next = b ? palloc(p, sizeof(*next)) : NULL;
        if (!next || !copy_head(p, &first->r, &next->r, &loc))
            return false;
        next->r.loc = loc;
        next->r.body = b;
        next->flags = first->flags & ~RF_GEN_BODY;
        if (!pv_push(p, out, next))
            return false;
    }
    return true;
}

static bool check_else_allowed(parser *p, const phead *h)
{
    if (h->ref->n > 1 && !term_ground(h->ref)) {
        perr(p, "else keyword cannot be used on rules with variables in head");
        return false;
    }
    if (h->okey) {
        perr(p, "else keyword cannot be used on multi-value rules");
        return false;
    }
    return true;
}

/* A rule statement; NULL without an error means "not a rule, try a query". */
static bool parse_rules(parser *p, pvec *out)
{
    rp_loc loc = tok_loc(p);
    scan_ahead_ref(p);
    bool is_default = false;
    if (tok_kind(p) == REGO_TOK_DEFAULT) {
        scan(p);
        is_default = true;
        scan_ahead_ref(p);
    }
    if (tok_kind(p) != REGO_TOK_IDENT)
        return false;
    phead h = {0};
    if (!parse_head(p, &h, is_default))
        return false;
    uint8_t kw = h.contains ? RF_KW_CONTAINS : 0;
    if (is_default) {
        if (!validate_default(p, &h, loc))
            return false;
        prule *r = new_rule(p, &h, loc);
        if (!r)
            return false;
        r->r.is_default = true;
        r->flags |= kw;
        return pv_push(p, out, r);
    }
    bool has_if = tok_kind(p) == REGO_TOK_IF;
    bool uses_contains = h.contains;
    if (!normalise_head(p, &h, has_if, uses_contains))
        return false;
    rego_body *body = NULL;
    if (has_if) {
        kw |= RF_KW_IF;
        scan(p);
        if (!(body = parse_if_body(p)))
            return false;
    } else if (tok_kind(p) == REGO_TOK_LBRACE) {
        if (!(body = parse_brace_body(p)))
            return false;
    } else if (uses_contains) {
        prule *r = new_rule(p, &h, h.loc);
        if (!r)
            return false;
        r->flags |= kw | RF_GEN_BODY;
        return pv_push(p, out, r);
    } else {
        return false;
    }
    prule *r = new_rule(p, &h, loc);
    if (!r)
        return false;
    r->r.body = body;
    r->flags |= kw;
    if (tok_kind(p) == REGO_TOK_ELSE && !scan_ahead_ref(p)) {
        if (!check_else_allowed(p, &h) || !parse_else_chain(p, r))
            return false;
    }
    return pv_push(p, out, r) && parse_extra_bodies(p, r, out);
}

/* ---- rules written as plain expressions (OPA's ParseRuleFromBody) ----------- */

static prule *rule_error(parser *p, rp_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static prule *rule_error(parser *p, rp_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(p, RP_ERR_SYNTAX, loc, fmt, ap);
    va_end(ap);
    return NULL;
}

static prule *rule_from_ref(parser *p, rego_term *t, rp_loc loc)
{
    char buf[160];
    phead h = {0};
    h.loc = loc;
    if (t->n == 1)
        return rule_error(p, loc, "refs cannot be used for rule head");
    if (t->u.c.items[0]->kind != REGO_TERM_VAR) {
        term_str(t, buf, sizeof(buf));
        return rule_error(p, loc, "invalid rule head: %s", buf);
    }
    prule *r;
    if (t->n > 2) { /* a.b.c: a complete rule with value true */
        h.ref = t;
        h.gen_value = true;
        r = new_rule(p, &h, loc);
        if (r)
            r->flags |= RF_GEN_BODY;
        return r;
    }
    /* p.q / p[x]: a multi-value rule p with element q / x */
    h.ref = mk_ref1(p, t->u.c.items[0], t->u.c.items[0]->loc);
    h.key = h.okey = t->u.c.items[1];
    h.contains = true;
    r = h.ref ? new_rule(p, &h, loc) : NULL;
    if (r)
        r->flags |= RF_GEN_BODY;
    return r;
}

/* `lhs = rhs` / `lhs := rhs` as a rule: a function, a partial object or
 * ref rule, or a complete rule, tried in OPA's order. */
static prule *rule_from_eq(parser *p, rego_term *lhs, rego_term *rhs, bool assign, rp_loc loc)
{
    char buf[160];
    phead h = {0};
    h.loc = loc;
    h.value = rhs;
    h.assign = assign;
    if (lhs->kind == REGO_TERM_CALL && lhs->u.c.items[0]->kind == REGO_TERM_REF &&
        lhs->u.c.items[0]->u.c.items[0]->kind == REGO_TERM_VAR) {
        h.ref = lhs->u.c.items[0];
        h.args = lhs->u.c.items + 1;
        h.nargs = lhs->n - 1;
        h.is_func = true;
    } else if (lhs->kind == REGO_TERM_REF && lhs->u.c.items[0]->kind == REGO_TERM_VAR) {
        h.ref = lhs;
        if (lhs->n == 2)
            h.okey = lhs->u.c.items[1];
    } else if (lhs->kind == REGO_TERM_VAR) {
        if (!(h.ref = mk_ref1(p, lhs, lhs->loc)))
            return NULL;
    } else if (lhs->kind == REGO_TERM_REF) {
        term_str(lhs, buf, sizeof(buf));
        return rule_error(p, loc, "invalid rule head: %s", buf);
    } else {
        return rule_error(p, loc, "%s cannot be used for rule name", value_name(lhs));
    }
    prule *r = new_rule(p, &h, loc);
    if (r)
        r->flags |= RF_GEN_BODY;
    return r;
}

static bool is_global_op(const rego_term *op, const char *name)
{
    return op->kind == REGO_TERM_REF && op->n == 1 && is_var_named(op->u.c.items[0], name);
}

static prule *rule_from_call(parser *p, rego_term *t, rp_loc loc)
{
    char buf[160];
    rego_term *op = t->u.c.items[0];
    if (is_global_op(op, "eq") || is_global_op(op, "assign")) {
        if (t->n < 3)
            return rule_error(p, loc, "assignment requires two operands");
        return rule_from_eq(p, t->u.c.items[1], t->u.c.items[2], is_global_op(op, "assign"), loc);
    }
    term_str(op, buf, sizeof(buf));
    if (rego_builtin_find(buf, strlen(buf)))
        return rule_error(p, loc, "rule name conflicts with built-in function");
    if (t->n <= 1)
        return rule_error(p, loc, "rule argument list must take at least one argument");
    if (op->u.c.items[0]->kind != REGO_TERM_VAR)
        return rule_error(p, loc, "invalid rule head: %s", buf);
    phead h = {0};
    h.loc = op->loc;
    h.ref = op;
    h.args = t->u.c.items + 1;
    h.nargs = t->n - 1;
    h.is_func = true;
    h.value = mk_value(p, rego_bool(true), op->loc);
    prule *r = h.value ? new_rule(p, &h, op->loc) : NULL;
    if (r)
        r->flags |= RF_GEN_BODY;
    return r;
}

static prule *rule_from_body(parser *p, const rego_body *b)
{
    const rego_expr *e = b->exprs[0];
    rp_loc loc = e->loc;
    if (b->n != 1)
        return rule_error(p, loc, "multiple expressions cannot be used for rule head");
    if (e->nwith)
        return rule_error(p, loc, "expressions using with keyword cannot be used for rule head");
    if (e->negated)
        return rule_error(p, loc, "negated expressions cannot be used for rule head");
    if (e->kind == REGO_EXPR_SOME || e->kind == REGO_EXPR_SOME_IN)
        return rule_error(p, loc, "'some' declarations cannot be used for rule head");
    if (e->kind != REGO_EXPR_TERM)
        return rule_error(p, loc, "expression cannot be used for rule head");
    rego_term *t = e->term;
    if (t->kind == REGO_TERM_CALL)
        return rule_from_call(p, t, loc);
    if (t->kind == REGO_TERM_REF)
        return rule_from_ref(p, t, loc);
    return rule_error(p, loc, "%s cannot be used for rule name", value_name(t));
}

/* ---- package and imports ---------------------------------------------------- */

/* At `package` or `import`: is this a keyword-named ref (`import.x`)?  Else
 * position on the first path token, accepting any keyword as a name. */
static int enter_path(parser *p)
{
    scan_ws(p);
    if (tok_kind(p) == REGO_TOK_DOT || tok_kind(p) == REGO_TOK_LBRACK)
        return 0;
    if (tok_kind(p) == REGO_TOK_WS)
        scan(p);
    if (tok_kind(p) == REGO_TOK_IDENT)
        return 1;
    if (rego_tok_is_keyword(tok_kind(p))) {
        p->s.tok.kind = REGO_TOK_IDENT;
        return 1;
    }
    illegal_tok(p);
    return -1;
}

static rego_term *parse_package(parser *p)
{
    int r = enter_path(p);
    if (r <= 0)
        return NULL;
    rego_term *t = parse_term(p);
    if (!t) {
        if (!p->s.has_err)
            perr(p, "expected path");
        return NULL;
    }
    rego_term *first = t->kind == REGO_TERM_REF ? t->u.c.items[0] : t;
    uint32_t n = t->kind == REGO_TERM_REF ? t->n : 1;
    if (t->kind != REGO_TERM_VAR && t->kind != REGO_TERM_REF) {
        illegal_tok(p);
        return NULL;
    }
    if (first->kind != REGO_TERM_VAR) {
        perr_at(p, first->loc, "unexpected %s token: expecting var", value_name(first));
        return NULL;
    }
    rego_term **it = term_array(p, n + 1);
    if (!it || !(it[0] = mk_var_static(p, "data", first->loc)) ||
        !(it[1] = mk_string(p, first->u.var.name, first->u.var.len, first->loc)))
        return NULL;
    for (uint32_t i = 1; i < n; i++) {
        rego_term *e = t->u.c.items[i];
        if (e->kind != REGO_TERM_VALUE || e->u.value.kind != REGO_STRING) {
            perr_at(p, e->loc, "unexpected %s token: expecting string", value_name(e));
            return NULL;
        }
        it[i + 1] = e;
    }
    return mk_items(p, REGO_TERM_REF, it, n + 1, first->loc);
}

static bool is_keyword_in(parser *p, const char *s, size_t n)
{
    rego_tok_kind k = rego_lex_keyword(s, n, p->version == REGO_V1 ? REGO_KW_ALL : 0);
    return k != REGO_TOK_IDENT;
}

/* The import path, parsed with the future keywords switched off (so that
 * `import future.keywords.in` works), as OPA's presentParser does. */
static rego_term *parse_import_path(parser *p)
{
    uint8_t kw = p->s.lx.kw;
    p->s.lx.kw = 0;
    rego_term *t = parse_term(p);
    p->s.lx.kw = kw;
    if (!t)
        return NULL;
    if (t->kind == REGO_TERM_VAR)
        return mk_ref1(p, t, t->loc);
    if (t->kind != REGO_TERM_REF)
        return NULL;
    for (uint32_t i = 1; i < t->n; i++) {
        rego_term *e = t->u.c.items[i];
        if (e->kind != REGO_TERM_VALUE || e->u.value.kind != REGO_STRING) {
            perr_at(p, e->loc, "unexpected %s token: expecting string", value_name(e));
            return NULL;
        }
    }
    return t;
}

static void check_import_end(parser *p, const rego_term *path)
{
    const rego_term *head = path->u.c.items[0];
    if (path->n == 1) {
        if (is_keyword_in(p, head->u.var.name, head->u.var.len))
            perr_at(p, head->loc, "unexpected import path, must not end with a keyword, got: %s",
                    head->u.var.name);
        return;
    }
    if (is_var_named(head, "future"))
        return;
    const rego_term *last = path->u.c.items[path->n - 1];
    if (is_keyword_in(p, last->u.value.u.s, last->u.value.n))
        perr_at(p, last->loc, "unexpected import path, must not end with a keyword, got: %s",
                last->u.value.u.s);
}

static rego_import *parse_import(parser *p)
{
    rp_loc loc = tok_loc(p);
    if (enter_path(p) <= 0)
        return NULL;
    rego_term *path = parse_import_path(p);
    if (!path) {
        if (!p->s.has_err)
            perr(p, "expected path");
        return NULL;
    }
    const rego_term *head = path->u.c.items[0];
    if (!is_root_doc(head) && !is_var_named(head, "future") && !is_var_named(head, "rego")) {
        char buf[128];
        term_str(head, buf, sizeof(buf));
        perr_at(p, path->loc,
                "unexpected import path, must begin with one of: {data, future, input, rego}, "
                "got: %s (hint: if this is unexpected, try updating OPA)", buf);
        return NULL;
    }
    rego_import *imp = palloc(p, sizeof(*imp));
    if (!imp)
        return NULL;
    imp->path = path;
    imp->loc = loc;
    if (tok_kind(p) == REGO_TOK_AS) {
        scan(p);
        rego_term *alias = tok_kind(p) == REGO_TOK_IDENT ? parse_term(p) : NULL;
        if (!alias || alias->kind != REGO_TERM_VAR) {
            illegal(p, "expected var");
            return NULL;
        }
        imp->alias = alias->u.var.name;
        return imp;
    }
    check_import_end(p, path);
    return imp;
}

static void enable_keyword(parser *p, unsigned kw)
{
    /* importing `every` brings `in` along, as in OPA */
    if (kw & REGO_KW_EVERY)
        kw |= REGO_KW_IN;
    p->s.lx.kw |= (uint8_t)kw;
}

/* `import future.keywords[.kw]`. */
static void future_import(parser *p, const rego_import *imp)
{
    const rego_term *path = imp->path;
    if (path->n == 1 || !is_string_value(path->u.c.items[1], "keywords")) {
        perr_at(p, path->loc, "invalid import, must be `future.keywords`");
        return;
    }
    if (imp->alias) {
        perr_at(p, path->loc, "`future` imports cannot be aliased");
        return;
    }
    if (path->n != 3) { /* OPA also takes longer paths as "all keywords" */
        enable_keyword(p, REGO_KW_ALL);
        return;
    }
    const rego_value *kw = &path->u.c.items[2]->u.value;
    rego_tok_kind k = rego_lex_keyword(kw->u.s, kw->n, REGO_KW_ALL);
    switch (k) {
    case REGO_TOK_IN: enable_keyword(p, REGO_KW_IN); return;
    case REGO_TOK_EVERY: enable_keyword(p, REGO_KW_EVERY); return;
    case REGO_TOK_CONTAINS: enable_keyword(p, REGO_KW_CONTAINS); return;
    case REGO_TOK_IF: enable_keyword(p, REGO_KW_IF); return;
    default:
        perr_at(p, path->loc, "unexpected keyword, must be one of [contains every if in]");
        return;
    }
}

/* `import rego.v1`: v1 syntax in a v0 module. */
static bool rego_v1_import(parser *p, const rego_import *imp)
{
    const rego_term *path = imp->path;
    if (path->n != 2 || !is_string_value(path->u.c.items[1], "v1")) {
        char buf[128];
        term_str(path, buf, sizeof(buf));
        perr_at(p, path->loc, "invalid import `%s`, must be `rego.v1`", buf);
        return false;
    }
    if (p->version == REGO_V1)
        return false;
    if (imp->alias) {
        perr_at(p, path->loc, "`rego` imports cannot be aliased");
        return false;
    }
    enable_keyword(p, REGO_KW_ALL);
    return true;
}

/* ---- statements and modules -------------------------------------------------- */

typedef enum { ST_PACKAGE, ST_IMPORT, ST_RULE, ST_BODY } stmt_kind;

typedef struct {
    stmt_kind kind;
    rp_loc loc;
    void *ptr;
} stmt;

typedef struct {
    stmt *v;
    uint32_t n, cap;
    bool v1_compat; /* saw `import rego.v1` in a v0 module */
} stmts;

static bool add_stmt(parser *p, stmts *ss, stmt_kind k, rp_loc loc, void *ptr)
{
    if (ss->n == ss->cap) {
        uint32_t nc = ss->cap ? ss->cap * 2 : 16;
        stmt *n = rp_arena_grow(p->a, ss->v, (size_t)ss->cap * sizeof(stmt),
                                (size_t)nc * sizeof(stmt));
        if (!n) {
            nomem(p);
            return false;
        }
        ss->v = n;
        ss->cap = nc;
    }
    stmt s = {k, loc, ptr};
    ss->v[ss->n++] = s;
    return true;
}

static bool add_import(parser *p, stmts *ss, rego_import *imp)
{
    const rego_term *head = imp->path->u.c.items[0];
    if (is_var_named(head, "rego") && rego_v1_import(p, imp))
        ss->v1_compat = true;
    if (is_var_named(head, "future"))
        future_import(p, imp);
    return add_stmt(p, ss, ST_IMPORT, imp->loc, imp);
}

static bool try_package(parser *p, stmts *ss)
{
    rp_loc loc = tok_loc(p);
    rego_term *pkg = parse_package(p);
    return pkg && add_stmt(p, ss, ST_PACKAGE, loc, pkg);
}

static bool try_import(parser *p, stmts *ss)
{
    rego_import *imp = parse_import(p);
    return imp && add_import(p, ss, imp);
}

static bool try_rules(parser *p, stmts *ss)
{
    pvec rules = {0};
    if (!parse_rules(p, &rules))
        return false;
    for (uint32_t i = 0; i < rules.n; i++) {
        prule *r = rules.v[i];
        if (!add_stmt(p, ss, ST_RULE, r->r.loc, r))
            return false;
    }
    return true;
}

/* OPA's statement loop: package, import, rule, then query, each tried in
 * turn from the same place; an error in an attempt ends the parse. */
static void parse_statements(parser *p, stmts *ss, bool skip_rules)
{
    scan(p);
    while (tok_kind(p) != REGO_TOK_EOF && !p->s.has_err) {
        cache_next_statement(p);
        pstate s = p->s;
        if (tok_kind(p) == REGO_TOK_PACKAGE) {
            if (try_package(p, ss))
                continue;
            if (p->s.has_err)
                break;
            restore(p, &s);
        }
        if (tok_kind(p) == REGO_TOK_IMPORT) {
            if (try_import(p, ss))
                continue;
            if (p->s.has_err)
                break;
            restore(p, &s);
        }
        if (!skip_rules) {
            if (try_rules(p, ss))
                continue;
            if (p->s.has_err)
                break;
            restore(p, &s);
        }
        rp_loc loc = tok_loc(p);
        rego_body *b = parse_query(p, true, REGO_TOK_EOF);
        if (!b || !add_stmt(p, ss, ST_BODY, loc, b))
            break;
    }
    if (tok_kind(p) != REGO_TOK_EOF && !p->s.has_err)
        illegal_tok(p);
}

/* OPA's Rego v1 checks of one rule (rego_v1.go); returns false with the
 * error set.  Run only when no earlier error exists. */
static bool check_v1_rule(parser *p, const prule *pr)
{
    const rego_rule *r = &pr->r;
    const char *what = r->nargs > 0 ? "function" : "rule";
    const rego_term *head = r->ref->u.c.items[0];
    if (r->ref->n < 2 && head->kind == REGO_TERM_VAR &&
        rego_lex_keyword(head->u.var.name, head->u.var.len, REGO_KW_ALL) != REGO_TOK_IDENT) {
        perr_at(p, r->loc, "%s keyword cannot be used for rule name", head->u.var.name);
        return false;
    }
    if ((pr->flags & RF_GEN_BODY) && (pr->flags & RF_GEN_VALUE)) {
        perr_at(p, r->loc, "%s must have value assignment and/or body declaration", what);
        return false;
    }
    if (!(pr->flags & RF_GEN_BODY) && !(pr->flags & RF_KW_IF) && !r->is_default) {
        perr_at(p, r->loc, "`if` keyword is required before %s body", what);
        return false;
    }
    if (r->contains && !(pr->flags & RF_KW_CONTAINS)) {
        perr_at(p, r->loc, "`contains` keyword is required for partial set rules");
        return false;
    }
    return true;
}

static bool check_v1(parser *p, rego_rule **rules, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (const rego_rule *r = rules[i]; r; r = r->else_)
            if (!check_v1_rule(p, (const prule *)r))
                return false;
    return true;
}

/* ---- METADATA ------------------------------------------------------------------ */

static const char *comment_text(const parser *p, const pcomment *c, size_t *n)
{
    *n = c->end - c->off - 1;
    return p->src + c->off + 1;
}

static bool is_metadata_start(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')) {
        s++;
        n--;
    }
    return n >= 8 && memcmp(s, "METADATA", 8) == 0;
}

/* The YAML of the block starting at comment i: the following comments on
 * consecutive lines at column 1, one leading space removed from each. */
static char *metadata_yaml(parser *p, uint32_t i, uint32_t *next)
{
    rp_buf b;
    rp_buf_init(&b);
    uint32_t j = i + 1;
    for (; j < p->s.ncomments; j++) {
        const pcomment *c = &p->cm[j];
        if (c->line != p->cm[j - 1].line + 1 || c->col != 1)
            break;
        size_t n;
        const char *s = comment_text(p, c, &n);
        if (n && s[0] == ' ') {
            s++;
            n--;
        }
        rp_buf_append(&b, s, n);
        rp_buf_putc(&b, '\n');
    }
    *next = j;
    char *out = b.failed ? NULL : rp_arena_strndup(p->a, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    if (!out)
        nomem(p);
    return out;
}

/* Attaches each block to the first statement below it: a rule's or the
 * package's metadata (others are dropped). */
static void attach_metadata(parser *p, const stmts *ss, rego_module *m)
{
    for (uint32_t i = 0; i < p->s.ncomments;) {
        size_t n;
        const char *s = comment_text(p, &p->cm[i], &n);
        if (!is_metadata_start(s, n)) {
            i++;
            continue;
        }
        uint32_t row = p->cm[i].line, next;
        char *yaml = metadata_yaml(p, i, &next);
        i = next;
        if (!yaml)
            return;
        for (uint32_t k = 0; k < ss->n; k++) {
            if (ss->v[k].loc.line <= row)
                continue;
            if (ss->v[k].kind == ST_RULE) {
                rego_rule *r = &((prule *)ss->v[k].ptr)->r;
                if (!r->metadata)
                    r->metadata = yaml;
            } else if (ss->v[k].kind == ST_PACKAGE && !m->metadata) {
                m->metadata = yaml;
            }
            break;
        }
    }
}

static bool collect_comments(parser *p, rego_module *m)
{
    m->ncomments = p->s.ncomments;
    if (!m->ncomments)
        return true;
    m->comments = rp_arena_array(p->a, m->ncomments, sizeof(rego_comment));
    if (!m->comments) {
        nomem(p);
        return false;
    }
    for (uint32_t i = 0; i < m->ncomments; i++) {
        size_t n;
        const char *s = comment_text(p, &p->cm[i], &n);
        m->comments[i].text = rp_arena_strndup(p->a, s, n);
        m->comments[i].loc.file = p->file;
        m->comments[i].loc.line = p->cm[i].line;
        m->comments[i].loc.col = p->cm[i].col;
        if (!m->comments[i].text) {
            nomem(p);
            return false;
        }
    }
    return true;
}

/* Turns statements into the module, with OPA's errors: the package comes
 * first, expressions must be rules, then (v1) the v1 rule checks. */
static bool build_module(parser *p, stmts *ss, rego_module *m)
{
    if (ss->n == 0) {
        rp_loc loc = {p->file, 0, 0};
        perr_at(p, loc, "empty module");
        return false;
    }
    if (ss->v[0].kind != ST_PACKAGE) {
        perr_at(p, ss->v[0].loc, "package expected");
        return false;
    }
    m->package = ss->v[0].ptr;
    m->loc = ss->v[0].loc;
    m->imports = rp_arena_array(p->a, ss->n, sizeof(rego_import));
    m->rules = rp_arena_array(p->a, ss->n, sizeof(rego_rule *));
    if (!m->imports || !m->rules) {
        nomem(p);
        return false;
    }
    for (uint32_t i = 1; i < ss->n; i++) {
        stmt *st = &ss->v[i];
        switch (st->kind) {
        case ST_PACKAGE:
            perr_at(p, st->loc, "unexpected package");
            return false;
        case ST_IMPORT:
            m->imports[m->nimports++] = *(rego_import *)st->ptr;
            break;
        case ST_BODY: {
            prule *r = rule_from_body(p, st->ptr);
            if (!r)
                return false;
            st->kind = ST_RULE;
            st->ptr = r;
            st->loc = r->r.loc;
            m->rules[m->nrules++] = &r->r;
            break;
        }
        case ST_RULE:
            m->rules[m->nrules++] = &((prule *)st->ptr)->r;
            break;
        }
    }
    m->version = (p->version == REGO_V1 || ss->v1_compat) ? REGO_V1 : REGO_V0;
    if (m->version == REGO_V1 && !check_v1(p, m->rules, m->nrules))
        return false;
    attach_metadata(p, ss, m);
    return collect_comments(p, m);
}

/* ---- entry points --------------------------------------------------------------- */

static rp_status parser_init(parser *p, rp_arena *a, const char *src, size_t n,
                             const char *filename, rego_version version, rp_error *err)
{
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->src = src;
    p->efile = filename;
    p->version = version;
    rp_loc none = {filename, 0, 0};
    if (n > REGO_SOURCE_MAX_BYTES)
        return rp_error_setk(err, RP_ERR_LIMIT, RP_EK_PARSE, none,
                             "source larger than %u bytes", REGO_SOURCE_MAX_BYTES);
    if (filename && !(p->file = rp_arena_strndup(a, filename, strlen(filename))))
        return rp_error_setk(err, RP_ERR_NOMEM, RP_EK_PARSE, none, "out of memory");
    rego_lex_init(&p->s.lx, src ? src : "", n, version == REGO_V1 ? REGO_KW_ALL : 0);
    return RP_OK;
}

static rp_status parser_finish(parser *p, rp_error *err)
{
    if (rp_arena_failed(p->a) && (!p->s.has_err || p->err.code != RP_ERR_NOMEM)) {
        rp_error_clear(&p->err);
        p->s.has_err = false;
        nomem(p);
    }
    if (!p->s.has_err)
        return RP_OK;
    if (err && err->code == RP_OK)
        *err = p->err;
    return p->err.code;
}

rp_status rego_parse_module(rp_arena *a, const char *src, size_t n, const char *filename,
                            rego_version version, rego_module **out, rp_error *err)
{
    parser p;
    *out = NULL;
    rp_status st = parser_init(&p, a, src, n, filename, version, err);
    if (st != RP_OK)
        return st;
    stmts ss = {0};
    parse_statements(&p, &ss, false);
    rego_module *m = NULL;
    if (!p.s.has_err && (m = palloc(&p, sizeof(*m)))) {
        m->filename = p.file;
        if (!build_module(&p, &ss, m))
            m = NULL;
    }
    st = parser_finish(&p, err);
    if (st == RP_OK)
        *out = m;
    return st;
}

/* OPA's ParseBody: statements must all be expressions; they are joined. */
static rego_body *query_body(parser *p, const stmts *ss)
{
    pvec v = {0};
    for (uint32_t i = 0; i < ss->n; i++) {
        const stmt *st = &ss->v[i];
        if (st->kind != ST_BODY) {
            perr_at(p, st->loc, "expected body but got %s",
                    st->kind == ST_PACKAGE ? "*ast.Package" : "*ast.Import");
            return NULL;
        }
        const rego_body *b = st->ptr;
        for (uint32_t j = 0; j < b->n; j++)
            if (!pv_push(p, &v, b->exprs[j]))
                return NULL;
    }
    rego_body *b = mk_body(p, &v);
    if (b && !v.n)
        b->loc = (rp_loc){p->file, 1, 1};
    return b;
}

rp_status rego_parse_query(rp_arena *a, const char *src, size_t n, const char *filename,
                           rego_version version, rego_body **out, rp_error *err)
{
    parser p;
    *out = NULL;
    rp_status st = parser_init(&p, a, src, n, filename, version, err);
    if (st != RP_OK)
        return st;
    stmts ss = {0};
    parse_statements(&p, &ss, true);
    rego_body *b = p.s.has_err ? NULL : query_body(&p, &ss);
    st = parser_finish(&p, err);
    if (st == RP_OK)
        *out = b;
    return st;
}

rp_status rego_parse_term(rp_arena *a, const char *src, size_t n, const char *filename,
                          rego_version version, rego_term **out, rp_error *err)
{
    parser p;
    *out = NULL;
    rp_status st = parser_init(&p, a, src, n, filename, version, err);
    if (st != RP_OK)
        return st;
    stmts ss = {0};
    parse_statements(&p, &ss, true);
    rego_body *b = p.s.has_err ? NULL : query_body(&p, &ss);
    rego_term *t = NULL;
    if (b) {
        char buf[160];
        rp_buf w;
        rp_buf_init(&w);
        rego_body_write(&w, b);
        snprintf(buf, sizeof(buf), "%s", rp_buf_cstr(&w));
        rp_buf_free(&w);
        if (b->n != 1)
            perr_at(&p, b->loc, "expected exactly one term but got: %s", buf);
        else if (b->exprs[0]->kind != REGO_EXPR_TERM || b->exprs[0]->term->kind == REGO_TERM_CALL)
            perr_at(&p, b->loc, "expected term but got %s", buf);
        else
            t = b->exprs[0]->term;
    }
    st = parser_finish(&p, err);
    if (st == RP_OK)
        *out = t;
    return st;
}
