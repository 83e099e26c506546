/*
 * eval.c — top-down evaluation of compiled Rego with backtracking.
 *
 * Style: continuation passing.  Every construct that can produce several
 * solutions takes a continuation (kont: "go on with the rest"; vkont: "go on
 * with this value") and calls it once per solution.  Variables live in
 * frames (one per rule/function invocation, slots fixed by the compiler);
 * bindings are recorded on a trail and undone when a continuation returns, so
 * backtracking is "return".  A continuation returns RP_OK to ask for more
 * solutions, ST_STOP to stop early (the construct that asked for it turns it
 * back into RP_OK), or an error that unwinds everything.
 *
 * Rule values are computed whole and cached per query (keyed by ruleset id
 * and a `with` generation, so a `with` never sees values computed without
 * it).  The policy is only read: any number of evaluations may run at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile_int.h"
#include "limits.h"

#define ST_STOP ((rp_status)100) /* internal: enough solutions, unwind successfully */

typedef struct ev ev;
typedef struct kont {
    rp_status (*fn)(ev *e, struct kont *k);
} kont;
typedef struct vkont {
    rp_status (*fn)(ev *e, struct vkont *k, rego_value v);
} vkont;

enum { CE_EMPTY = 0, CE_BUSY, CE_DONE };
typedef struct {
    uint32_t gen;
    uint8_t state;
    rego_value v;
} cache_ent;

/* `with` state: immutable linked lists, so switching state is a pointer swap. */
typedef struct overlay {
    const struct overlay *next;
    rego_value path; /* array of keys below data */
    rego_value value;
} overlay;
typedef struct mock {
    const struct mock *next;
    const rego_builtin *bi;
    const ruleset *fn;
    const ccall *repl; /* replacement function/builtin, or NULL: value */
    rego_value value;
} mock;

typedef struct {
    rego_value input;
    const overlay *ov;
    const mock *mk;
    uint32_t gen;
} wstate;

struct ev {
    rp_arena *a;
    const rego_policy *p;
    rp_error *err;
    bool strict;
    wstate w;
    uint32_t next_gen;
    rego_value **trail;
    size_t ntrail, captrail;
    cache_ent *cache;
    int depth;
    uint64_t steps, max_steps;
    int64_t deadline_ns;        /* CLOCK_MONOTONIC; 0 = none (checked every DEADLINE_EVERY steps) */
    char *stack_base;
    size_t stack_limit;
    struct rego_evalctx svc;
    const crule *cur_rule; /* the rule whose body runs (rego.metadata.*) */
};

/* ---- errors and bookkeeping ----------------------------------------------------- */

static rp_status eval_error(ev *e, rp_status code, rp_errkind kind, rp_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static rp_status eval_error(ev *e, rp_status code, rp_errkind kind, rp_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_error_vsetk(e->err, code, kind, loc, fmt, ap);
    va_end(ap);
    return code;
}

static rp_status nomem(ev *e, rp_loc loc)
{
    return eval_error(e, RP_ERR_NOMEM, RP_EK_EVAL_CANCEL, loc,
                      "out of memory: evaluation exceeded its memory budget");
}

static rp_status enter(ev *e, rp_loc loc)
{
    char here;
    if (++e->depth > REGO_EVAL_MAX_DEPTH)
        return eval_error(e, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, loc,
                          "evaluation nested deeper than %d", REGO_EVAL_MAX_DEPTH);
    if (e->stack_base && (size_t)(e->stack_base - &here) > e->stack_limit)
        return eval_error(e, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, loc,
                          "evaluation too deep for the thread's stack");
    return RP_OK;
}

static inline void leave(ev *e) { e->depth--; }

static bool bind(ev *e, rego_value *slot, rego_value v)
{
    if (e->ntrail == e->captrail) {
        size_t ncap = e->captrail ? e->captrail * 2 : 256;
        rego_value **t = realloc(e->trail, ncap * sizeof(*t));
        if (!t)
            return false;
        e->trail = t;
        e->captrail = ncap;
    }
    e->trail[e->ntrail++] = slot;
    *slot = v;
    return true;
}

static void undo(ev *e, size_t mark)
{
    while (e->ntrail > mark)
        *e->trail[--e->ntrail] = rego_undef();
}

static rego_value *new_frame(ev *e, uint32_t nslots)
{
    return rp_arena_zalloc(e->a, (nslots ? nslots : 1) * sizeof(rego_value));
}

/* ---- forward declarations -------------------------------------------------------- */

static rp_status eval_body(ev *e, rego_value *fr, const rego_body *b, uint32_t i, kont *k);
static rp_status eval_expr(ev *e, rego_value *fr, const rego_expr *x, kont *k);
static rp_status eval_term(ev *e, rego_value *fr, const rego_term *t, vkont *k);
static rp_status unify(ev *e, rego_value *fr, const rego_term *a, const rego_term *b, kont *k);
static rp_status match(ev *e, rego_value *fr, const rego_term *pat, rego_value v, kont *k);
static rp_status ruleset_value(ev *e, const ruleset *rs, rego_value *out);
static rp_status call_function(ev *e, const ruleset *fn, const rego_value *args, rp_loc loc,
                               rego_value *out);

/* Continuations that stop at the first solution. */
static rp_status k_found(ev *e, kont *k)
{
    (void)e;
    (void)k;
    return ST_STOP;
}

typedef struct {
    vkont vk;
    rego_value v;
} first_vk;
static rp_status vk_first(ev *e, vkont *k, rego_value v)
{
    (void)e;
    ((first_vk *)k)->v = v;
    return ST_STOP;
}

/* Evaluates t and returns its first value (UNDEF when undefined). */
static rp_status eval_first(ev *e, rego_value *fr, const rego_term *t, rego_value *out)
{
    if (t->kind == REGO_TERM_VALUE) {
        *out = t->u.value;
        return RP_OK;
    }
    if (t->kind == REGO_TERM_LOCAL) {
        *out = fr[t->u.var.slot];
        return RP_OK;
    }
    first_vk fk = {{vk_first}, rego_undef()};
    size_t mark = e->ntrail;
    rp_status st = eval_term(e, fr, t, &fk.vk);
    undo(e, mark);
    *out = fk.v;
    return st == ST_STOP ? RP_OK : st;
}

/* ---- value helpers ---------------------------------------------------------------- */

static bool lookup(rego_value v, rego_value key, rego_value *out)
{
    switch ((rego_kind)v.kind) {
    case REGO_OBJECT:
        return rego_object_get(v, key, out);
    case REGO_ARRAY: {
        int64_t i;
        if (key.kind != REGO_NUMBER || !rego_num_to_i64(key, &i) || i < 0 || (uint64_t)i >= v.n)
            return false;
        *out = v.u.items[i];
        return true;
    }
    case REGO_SET:
        if (!rego_set_has(v, key))
            return false;
        *out = key;
        return true;
    default:
        return false;
    }
}

static inline bool is_false(rego_value v) { return v.kind == REGO_BOOL && !v.u.b; }

/* Returns a copy of doc with value placed at path (objects created as needed). */
static rego_value set_path(rp_arena *a, rego_value doc, const rego_value *path, uint32_t n,
                           rego_value value)
{
    if (n == 0)
        return value;
    rego_value child = rego_undef();
    if (doc.kind == REGO_OBJECT)
        rego_object_get(doc, path[0], &child);
    rego_value nc = set_path(a, child.kind == REGO_OBJECT ? child : rego_empty_object(), path + 1,
                             n - 1, value);
    if (nc.kind == REGO_UNDEF)
        return nc;
    rego_objb b;
    rego_objb_init(&b, a);
    if (doc.kind == REGO_OBJECT)
        for (uint32_t i = 0; i < doc.n; i++)
            rego_objb_put(&b, rego_object_at(doc, i).key, rego_object_at(doc, i).val);
    rego_objb_set(&b, path[0], nc);
    return rego_objb_finish(&b);
}

/* Merges two documents as OPA does for base and virtual data: objects merge
 * recursively, anything else must be equal. */
static bool merge_docs(rp_arena *a, rego_value x, rego_value y, rego_value *out, int depth)
{
    if (x.kind == REGO_UNDEF) {
        *out = y;
        return true;
    }
    if (y.kind == REGO_UNDEF) {
        *out = x;
        return true;
    }
    if (x.kind != REGO_OBJECT || y.kind != REGO_OBJECT || depth > REGO_VALUE_MAX_DEPTH) {
        *out = x;
        return rego_equal(x, y);
    }
    rego_objb b;
    rego_objb_init(&b, a);
    for (uint32_t i = 0; i < x.n; i++)
        rego_objb_put(&b, rego_object_at(x, i).key, rego_object_at(x, i).val);
    for (uint32_t i = 0; i < y.n; i++) {
        rego_objent en = rego_object_at(y, i);
        rego_value *cur = rego_objb_get(&b, en.key);
        if (!cur) {
            rego_objb_put(&b, en.key, en.val);
            continue;
        }
        rego_value m;
        if (!merge_docs(a, *cur, en.val, &m, depth + 1))
            return false;
        *rego_objb_get(&b, en.key) = m;
    }
    *out = rego_objb_finish(&b);
    return true;
}

/* ---- bodies and expressions -------------------------------------------------------- */

typedef struct {
    kont k;
    rego_value *fr;
    const rego_body *b;
    uint32_t i;
    kont *next;
} body_k;

static rp_status body_next(ev *e, kont *kk)
{
    body_k *bk = (body_k *)kk;
    return eval_body(e, bk->fr, bk->b, bk->i + 1, bk->next);
}

static rp_status eval_body(ev *e, rego_value *fr, const rego_body *b, uint32_t i, kont *k)
{
    if (i >= b->n)
        return k->fn(e, k);
    body_k bk = {{body_next}, fr, b, i, k};
    return eval_expr(e, fr, b->exprs[i], &bk.k);
}

typedef struct {
    vkont vk;
    kont *k;
} truthy_k;

static rp_status vk_truthy(ev *e, vkont *vk, rego_value v)
{
    if (is_false(v))
        return RP_OK;
    return ((truthy_k *)vk)->k->fn(e, ((truthy_k *)vk)->k);
}

static rp_status eval_call_stmt(ev *e, rego_value *fr, const rego_term *t, kont *k);
static rp_status eval_some_in(ev *e, rego_value *fr, const rego_expr *x, kont *k);
static rp_status eval_every(ev *e, rego_value *fr, const rego_expr *x, kont *k);
static rp_status eval_with(ev *e, rego_value *fr, const rego_expr *x, kont *k);

static rp_status eval_expr_plain(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    switch (x->flags_) {
    case EXPR_OP_NOP:
        return k->fn(e, k);
    case EXPR_OP_TERM: {
        truthy_k tk = {{vk_truthy}, k};
        return eval_term(e, fr, x->term, &tk.vk);
    }
    case EXPR_OP_UNIFY:
        return unify(e, fr, x->term->u.c.items[1], x->term->u.c.items[2], k);
    case EXPR_OP_CALL:
        return eval_call_stmt(e, fr, x->term, k);
    case EXPR_OP_SOME_IN:
        return eval_some_in(e, fr, x, k);
    case EXPR_OP_EVERY:
        return eval_every(e, fr, x, k);
    }
    return eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, x->loc, "internal: uncompiled expression");
}

static rp_status eval_not(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    kont found = {k_found};
    size_t mark = e->ntrail;
    rp_status st = eval_expr_plain(e, fr, x, &found);
    undo(e, mark);
    if (st == ST_STOP)
        return RP_OK; /* the negated expression holds: `not` fails */
    if (st != RP_OK)
        return st;
    return k->fn(e, k);
}

static rp_status eval_expr_nowith(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    if (x->negated)
        return eval_not(e, fr, x, k);
    return eval_expr_plain(e, fr, x, k);
}

#define DEADLINE_EVERY 256 /* steps between clock reads: ~10 us of evaluation */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rego_deadline_after(int64_t ns)
{
    if (ns <= 0)
        return 0;
    int64_t now = mono_ns();
    return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}

static rp_status eval_expr(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    ++e->steps;
    if (e->max_steps && e->steps > e->max_steps)
        return eval_error(e, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, x->loc,
                          "evaluation exceeded %llu steps", (unsigned long long)e->max_steps);
    if (e->deadline_ns && e->steps % DEADLINE_EVERY == 0 && mono_ns() >= e->deadline_ns)
        return eval_error(e, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, x->loc,
                          "caller cancelled query execution");
    if (x->nwith)
        return eval_with(e, fr, x, k);
    return eval_expr_nowith(e, fr, x, k);
}

/* ---- with ----------------------------------------------------------------------- */

typedef struct {
    kont k;
    kont *next;
    wstate outer, inner;
} with_k;

static rp_status with_cont(ev *e, kont *kk)
{
    with_k *wk = (with_k *)kk;
    e->w = wk->outer;
    rp_status st = wk->next->fn(e, wk->next);
    e->w = wk->inner;
    return st;
}

static rp_status eval_with(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    wstate outer = e->w, inner = e->w;
    for (uint32_t i = 0; i < x->nwith; i++) {
        const rego_with *w = &x->withs[i];
        const cwith *cw = w->compiled_;
        rego_value v = rego_undef();
        if (!(cw->kind == WITH_FUNC && cw->repl)) {
            rp_status st = eval_first(e, fr, w->value, &v);
            if (st != RP_OK)
                return st;
            if (v.kind == REGO_UNDEF)
                return RP_OK; /* an undefined replacement makes the expression undefined */
        }
        switch (cw->kind) {
        case WITH_INPUT:
            inner.input = set_path(e->a, inner.input, cw->path.u.items, cw->path.n, v);
            if (inner.input.kind == REGO_UNDEF)
                return nomem(e, w->loc);
            break;
        case WITH_DATA: {
            overlay *o = rp_arena_alloc(e->a, sizeof(overlay));
            if (!o)
                return nomem(e, w->loc);
            o->next = inner.ov;
            o->path = cw->path;
            o->value = v;
            inner.ov = o;
            break;
        }
        case WITH_FUNC: {
            mock *m = rp_arena_alloc(e->a, sizeof(mock));
            if (!m)
                return nomem(e, w->loc);
            m->next = inner.mk;
            m->bi = cw->bi;
            m->fn = cw->fn;
            m->repl = cw->repl;
            m->value = v;
            inner.mk = m;
            break;
        }
        }
    }
    inner.gen = ++e->next_gen;
    with_k wk = {{with_cont}, k, outer, inner};
    e->w = inner;
    rp_status st = eval_expr_nowith(e, fr, x, &wk.k);
    e->w = outer;
    return st;
}

/* ---- terms ---------------------------------------------------------------------- */

typedef struct terms_k {
    vkont vk;
    rego_value *fr;
    rego_term *const *items;
    uint32_t n, i;
    rego_value *vals;
    kont *done;
} terms_k;

static rp_status terms_step(ev *e, terms_k *tk);

static rp_status terms_got(ev *e, vkont *vk, rego_value v)
{
    terms_k *tk = (terms_k *)vk;
    uint32_t i = tk->i;
    tk->vals[i] = v;
    tk->i = i + 1;
    rp_status st = terms_step(e, tk);
    tk->i = i;
    return st;
}

static rp_status terms_step(ev *e, terms_k *tk)
{
    uint32_t start = tk->i;
    while (tk->i < tk->n) {
        const rego_term *it = tk->items[tk->i];
        if (it->kind == REGO_TERM_VALUE) {
            tk->vals[tk->i++] = it->u.value;
        } else if (it->kind == REGO_TERM_LOCAL && tk->fr[it->u.var.slot].kind) {
            tk->vals[tk->i++] = tk->fr[it->u.var.slot];
        } else {
            rp_status st = eval_term(e, tk->fr, it, &tk->vk);
            tk->i = start;
            return st;
        }
    }
    rp_status st = tk->done->fn(e, tk->done);
    tk->i = start;
    return st;
}

/* Evaluates items[0..n) into vals (every combination of solutions), calling
 * done for each. */
static rp_status eval_terms(ev *e, rego_value *fr, rego_term *const *items, uint32_t n,
                            rego_value *vals, kont *done)
{
    terms_k tk = {{terms_got}, fr, items, n, 0, vals, done};
    return terms_step(e, &tk);
}

typedef struct {
    kont k;
    const rego_term *t;
    rego_value *vals;
    vkont *next;
} composite_k;

static rp_status composite_done(ev *e, kont *kk)
{
    composite_k *ck = (composite_k *)kk;
    const rego_term *t = ck->t;
    rego_value v;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_ARRAY: {
        rego_value *items = rego_array_alloc(e->a, t->n, &v);
        if (!items)
            return nomem(e, t->loc);
        memcpy(items, ck->vals, t->n * sizeof(rego_value));
        break;
    }
    case REGO_TERM_SET:
        v = rego_set_from(e->a, ck->vals, t->n);
        break;
    default: {
        rego_objb b;
        rego_objb_init(&b, e->a);
        for (uint32_t i = 0; i + 1 < t->n; i += 2)
            rego_objb_set(&b, ck->vals[i], ck->vals[i + 1]);
        v = rego_objb_finish(&b);
        break;
    }
    }
    if (v.kind == REGO_UNDEF)
        return nomem(e, t->loc);
    return ck->next->fn(e, ck->next, v);
}

static rp_status eval_composite(ev *e, rego_value *fr, const rego_term *t, vkont *k)
{
    rego_value *vals = rp_arena_array(e->a, t->n ? t->n : 1, sizeof(rego_value));
    if (!vals)
        return nomem(e, t->loc);
    composite_k ck = {{composite_done}, t, vals, k};
    return eval_terms(e, fr, t->u.c.items, t->n, vals, &ck.k);
}

/* Comprehensions ------------------------------------------------------------------ */

typedef struct {
    kont k;
    vkont vk;   /* receives head values */
    rego_value *fr;
    const rego_term *t;
    rego_value *arr;
    uint32_t n, cap;
    rego_setb sb;
    rego_objb ob;
    rego_value key; /* object comprehension: the key being added */
    bool failed;
} compr_k;

static rp_status compr_add(ev *e, vkont *vk, rego_value v)
{
    compr_k *ck = (compr_k *)((char *)vk - offsetof(compr_k, vk));
    switch ((rego_term_kind)ck->t->kind) {
    case REGO_TERM_ARRAY_COMPR:
        if (ck->n == ck->cap) {
            uint32_t ncap = ck->cap ? ck->cap * 2 : 8;
            rego_value *na = rp_arena_grow(e->a, ck->arr, ck->cap * sizeof(rego_value),
                                           (size_t)ncap * sizeof(rego_value));
            if (!na)
                return nomem(e, ck->t->loc);
            ck->arr = na;
            ck->cap = ncap;
        }
        ck->arr[ck->n++] = v;
        return RP_OK;
    case REGO_TERM_SET_COMPR:
        rego_setb_add(&ck->sb, v);
        return ck->sb.failed ? nomem(e, ck->t->loc) : RP_OK;
    default:
        switch (rego_objb_put(&ck->ob, ck->key, v)) {
        case REGO_PUT_NEW:
        case REGO_PUT_SAME:
            return RP_OK;
        case REGO_PUT_CONFLICT:
            return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, ck->t->loc,
                              "object keys must be unique");
        case REGO_PUT_NOMEM:
            return nomem(e, ck->t->loc);
        }
    }
    return RP_OK;
}

typedef struct {
    vkont vk;
    compr_k *ck;
} okey_k;

static rp_status compr_key(ev *e, vkont *vk, rego_value v)
{
    compr_k *ck = ((okey_k *)vk)->ck;
    rego_value saved = ck->key;
    ck->key = v;
    rp_status st = eval_term(e, ck->fr, ck->t->u.c.items[1], &ck->vk);
    ck->key = saved;
    return st;
}

static rp_status compr_solution(ev *e, kont *kk)
{
    compr_k *ck = (compr_k *)kk;
    if (ck->t->kind == REGO_TERM_OBJECT_COMPR) {
        okey_k ok = {{compr_key}, ck};
        return eval_term(e, ck->fr, ck->t->u.c.items[0], &ok.vk);
    }
    return eval_term(e, ck->fr, ck->t->u.c.items[0], &ck->vk);
}

static rp_status eval_compr(ev *e, rego_value *fr, const rego_term *t, vkont *k)
{
    rp_status st = enter(e, t->loc);
    if (st != RP_OK)
        return st;
    compr_k ck;
    memset(&ck, 0, sizeof(ck));
    ck.k.fn = compr_solution;
    ck.vk.fn = compr_add;
    ck.fr = fr;
    ck.t = t;
    rego_setb_init(&ck.sb, e->a);
    rego_objb_init(&ck.ob, e->a);
    size_t mark = e->ntrail;
    st = eval_body(e, fr, t->u.c.body, 0, &ck.k);
    undo(e, mark);
    leave(e);
    if (st != RP_OK)
        return st;
    rego_value v;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_ARRAY_COMPR:
        v = rego_array_borrow(ck.arr, ck.n);
        break;
    case REGO_TERM_SET_COMPR:
        v = rego_setb_finish(&ck.sb);
        break;
    default:
        v = rego_objb_finish(&ck.ob);
        break;
    }
    if (v.kind == REGO_UNDEF)
        return nomem(e, t->loc);
    return k->fn(e, k, v);
}

/* References ------------------------------------------------------------------------ */

static rp_status walk_value(ev *e, rego_value *fr, rego_value v, const rego_term *t, uint32_t i,
                            vkont *k);

typedef struct {
    kont k;
    rego_value *fr;
    rego_value child;
    const rego_term *t;
    uint32_t i;
    vkont *next;
} walk_k;

static rp_status walk_matched(ev *e, kont *kk)
{
    walk_k *wk = (walk_k *)kk;
    return walk_value(e, wk->fr, wk->child, wk->t, wk->i + 1, wk->next);
}

typedef struct {
    vkont vk;
    rego_value *fr;
    rego_value v;
    const rego_term *t;
    uint32_t i;
    vkont *next;
} walkkey_k;

static rp_status walk_key(ev *e, vkont *vk, rego_value key)
{
    walkkey_k *wk = (walkkey_k *)vk;
    rego_value child;
    if (!lookup(wk->v, key, &child))
        return RP_OK;
    return walk_value(e, wk->fr, child, wk->t, wk->i + 1, wk->next);
}

/* Calls fn for every (key, child) of a collection. */
#define FOREACH_CHILD(v, KEY, CHILD, ...)                                               \
    do {                                                                                 \
        switch ((rego_kind)(v).kind) {                                                   \
        case REGO_ARRAY:                                                                 \
            for (uint32_t ix_ = 0; ix_ < (v).n; ix_++) {                                 \
                rego_value KEY = rego_int(ix_), CHILD = (v).u.items[ix_];                \
                __VA_ARGS__                                                              \
            }                                                                            \
            break;                                                                       \
        case REGO_OBJECT:                                                                \
            for (uint32_t ix_ = 0; ix_ < (v).u.obj->n; ix_++) {                          \
                rego_value KEY = (v).u.obj->ents[ix_].key, CHILD = (v).u.obj->ents[ix_].val; \
                __VA_ARGS__                                                              \
            }                                                                            \
            break;                                                                       \
        case REGO_SET:                                                                   \
            for (uint32_t ix_ = 0; ix_ < (v).u.set->n; ix_++) {                          \
                rego_value KEY = (v).u.set->items[ix_], CHILD = KEY;                     \
                __VA_ARGS__                                                              \
            }                                                                            \
            break;                                                                       \
        default:                                                                         \
            break;                                                                       \
        }                                                                                \
    } while (0)

static rp_status walk_branch(ev *e, rego_value *fr, rego_value v, const rego_term *t, uint32_t i,
                             vkont *k)
{
    const rego_term *seg = t->u.c.items[i];
    if (seg->kind == REGO_TERM_LOCAL) {
        rego_value *slot = &fr[seg->u.var.slot];
        FOREACH_CHILD(v, key, child, {
            size_t mark = e->ntrail;
            if (!bind(e, slot, key))
                return nomem(e, seg->loc);
            rp_status st = walk_value(e, fr, child, t, i + 1, k);
            undo(e, mark);
            if (st != RP_OK)
                return st;
        });
        return RP_OK;
    }
    if (seg->kind == REGO_TERM_ARRAY || seg->kind == REGO_TERM_OBJECT) {
        walk_k wk = {{walk_matched}, fr, rego_undef(), t, i, k};
        FOREACH_CHILD(v, key, child, {
            wk.child = child;
            rp_status st = match(e, fr, seg, key, &wk.k);
            if (st != RP_OK)
                return st;
        });
        return RP_OK;
    }
    walkkey_k wk = {{walk_key}, fr, v, t, i, k};
    return eval_term(e, fr, seg, &wk.vk);
}

static rp_status walk_value(ev *e, rego_value *fr, rego_value v, const rego_term *t, uint32_t i,
                            vkont *k)
{
    if (v.kind == REGO_UNDEF)
        return RP_OK;
    for (; i < t->n; i++) {
        const rego_term *seg = t->u.c.items[i];
        rego_value key;
        if ((seg->flags_ & TF_HASHED) && v.kind == REGO_OBJECT) {
            if (!rego_object_get_str(v, seg->u.value.u.s, seg->u.value.n, seg->n, &v))
                return RP_OK;
            continue;
        }
        if (seg->kind == REGO_TERM_VALUE)
            key = seg->u.value;
        else if (seg->kind == REGO_TERM_LOCAL && fr[seg->u.var.slot].kind)
            key = fr[seg->u.var.slot];
        else
            return walk_branch(e, fr, v, t, i, k);
        if (!lookup(v, key, &v))
            return RP_OK;
    }
    return k->fn(e, k, v);
}

/* The data tree ---------------------------------------------------------------------- */


static rp_status node_extent(ev *e, const rnode *n, rego_value base, rego_value *out, rp_loc loc);

/* Nodes that are documents: packages, rules and the path to them; a
 * function is not a document (OPA leaves it out of data). */
static bool doc_node(const rnode *n) { return !(n->rs && n->rs->kind == RS_FUNC); }

/* Merges the documents of n's kids into v (an object, or UNDEF). */
static rp_status merge_kids(ev *e, const rnode *n, rego_value base, rego_value *v, rp_loc loc)
{
    if (n->nkids == 0)
        return RP_OK;
    if (v->kind != REGO_UNDEF && v->kind != REGO_OBJECT)
        return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, loc,
                          "%s: conflicting values", n->path);
    rego_objb b;
    rego_objb_init(&b, e->a);
    for (uint32_t i = 0; v->kind == REGO_OBJECT && i < v->n; i++)
        rego_objb_put(&b, rego_object_at(*v, i).key, rego_object_at(*v, i).val);
    for (uint32_t i = 0; i < n->nkids; i++) {
        const rnode *kid = n->kids[i];
        if (!doc_node(kid))
            continue;
        rego_value kb = rego_undef(), kv;
        if (base.kind == REGO_OBJECT)
            rego_object_get(base, kid->key, &kb);
        rp_status st = node_extent(e, kid, kb, &kv, loc);
        if (st != RP_OK)
            return st;
        if (kv.kind == REGO_UNDEF)
            continue;
        rego_value *cur = rego_objb_get(&b, kid->key);
        if (!cur) {
            rego_objb_put(&b, kid->key, kv);
            continue;
        }
        rego_value m;
        if (!merge_docs(e->a, *cur, kv, &m, 0))
            return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, loc,
                              "%s: conflicting values", kid->path);
        *cur = m;
    }
    *v = rego_objb_finish(&b);
    return v->kind == REGO_UNDEF ? nomem(e, loc) : RP_OK;
}

/* The value of a node that holds a ruleset, merged with rules below it and
 * with base data at the same path. */
static rp_status node_value(ev *e, const rnode *n, rego_value base, rego_value *out, rp_loc loc)
{
    rego_value v;
    rp_status st = ruleset_value(e, n->rs, &v);
    if (st != RP_OK)
        return st;
    bool kids = false;
    for (uint32_t i = 0; i < n->nkids; i++)
        kids |= doc_node(n->kids[i]);
    if (kids && (st = merge_kids(e, n, base, &v, loc)) != RP_OK)
        return st;
    if (base.kind != REGO_UNDEF && v.kind != REGO_UNDEF && !merge_docs(e->a, base, v, &v, 0))
        return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, loc,
                          "%s: base and virtual documents conflict", n->path);
    *out = v.kind == REGO_UNDEF ? base : v;
    return RP_OK;
}

/* The full document at a node: base data merged with every rule below. */
static rp_status node_extent(ev *e, const rnode *n, rego_value base, rego_value *out, rp_loc loc)
{
    if (!n) {
        *out = base;
        return RP_OK;
    }
    if (n->rs)
        return n->rs->kind == RS_FUNC ? (*out = base, RP_OK) : node_value(e, n, base, out, loc);
    if (base.kind != REGO_UNDEF && base.kind != REGO_OBJECT) {
        *out = base;
        return RP_OK;
    }
    rego_value v = base.kind == REGO_OBJECT ? base : rego_empty_object();
    rp_status st = merge_kids(e, n, base, &v, loc);
    *out = v;
    return st;
}

/* Overlays (`with data.x as v`) relative to the current path. */
static bool path_prefix(const rego_value *p, uint32_t np, const rego_value *cur, uint32_t ncur)
{
    if (np > ncur)
        return false;
    for (uint32_t i = 0; i < np; i++)
        if (!rego_equal(p[i], cur[i]))
            return false;
    return true;
}

/* Applies every overlay strictly below cur to doc (oldest first). */
static rego_value apply_overlays_below(ev *e, rego_value doc, const rego_value *cur, uint32_t ncur)
{
    const overlay *list[64];
    uint32_t n = 0;
    for (const overlay *o = e->w.ov; o && n < 64; o = o->next)
        if (o->path.n > ncur && path_prefix(cur, ncur, o->path.u.items, o->path.n))
            list[n++] = o;
    while (n-- > 0)
        doc = set_path(e->a, doc.kind == REGO_UNDEF ? rego_empty_object() : doc,
                       list[n]->path.u.items + ncur, list[n]->path.n - ncur, list[n]->value);
    return doc;
}

typedef struct {
    rego_value *keys;
    uint32_t n, cap;
} pathbuf;

static rp_status data_walk(ev *e, rego_value *fr, const rego_term *t, uint32_t i, const rnode *n,
                           rego_value base, pathbuf *pb, vkont *k);

static rp_status data_step(ev *e, rego_value *fr, const rego_term *t, uint32_t i, const rnode *n,
                           rego_value base, pathbuf *pb, rego_value key, vkont *k)
{
    if (pb->n == pb->cap) {
        uint32_t ncap = pb->cap ? pb->cap * 2 : 16;
        rego_value *nk = rp_arena_grow(e->a, pb->keys, pb->cap * sizeof(rego_value),
                                       ncap * sizeof(rego_value));
        if (!nk)
            return nomem(e, t->loc);
        pb->keys = nk;
        pb->cap = ncap;
    }
    pb->keys[pb->n++] = key;
    rego_value cb = rego_undef();
    if (base.kind != REGO_UNDEF)
        lookup(base, key, &cb);
    rp_status st = data_walk(e, fr, t, i + 1, rego_node_child(n, key), cb, pb, k);
    pb->n--;
    return st;
}

typedef struct {
    vkont vk;
    rego_value *fr;
    const rego_term *t;
    uint32_t i;
    const rnode *n;
    rego_value base;
    pathbuf *pb;
    vkont *next;
} datakey_k;

static rp_status data_key(ev *e, vkont *vk, rego_value key)
{
    datakey_k *dk = (datakey_k *)vk;
    return data_step(e, dk->fr, dk->t, dk->i, dk->n, dk->base, dk->pb, key, dk->next);
}

typedef struct {
    kont k;
    rego_value *fr;
    const rego_term *t;
    uint32_t i;
    const rnode *n;
    rego_value base;
    pathbuf *pb;
    rego_value key;
    vkont *next;
} datamatch_k;

static rp_status data_matched(ev *e, kont *kk)
{
    datamatch_k *dk = (datamatch_k *)kk;
    return data_step(e, dk->fr, dk->t, dk->i, dk->n, dk->base, dk->pb, dk->key, dk->next);
}

static rp_status data_walk(ev *e, rego_value *fr, const rego_term *t, uint32_t i, const rnode *n,
                           rego_value base, pathbuf *pb, vkont *k)
{
    bool below = false;
    if (e->w.ov) {
        /* The newest overlay at or above this path replaces the document. */
        for (const overlay *o = e->w.ov; o; o = o->next) {
            if (path_prefix(o->path.u.items, o->path.n, pb->keys, pb->n)) {
                rego_value v = o->value;
                for (uint32_t j = o->path.n; j < pb->n && v.kind; j++)
                    if (!lookup(v, pb->keys[j], &v))
                        v = rego_undef();
                v = apply_overlays_below(e, v, pb->keys, pb->n);
                return walk_value(e, fr, v, t, i, k);
            }
        }
        /* Overlays below: materialise when the walk cannot just descend. */
        for (const overlay *o = e->w.ov; o && !below; o = o->next)
            below = o->path.n > pb->n && path_prefix(pb->keys, pb->n, o->path.u.items, o->path.n);
        bool descend = i < t->n && (t->u.c.items[i]->kind == REGO_TERM_VALUE ||
                                    (t->u.c.items[i]->kind == REGO_TERM_LOCAL &&
                                     fr[t->u.c.items[i]->u.var.slot].kind));
        if (below && !descend) {
            rego_value doc;
            rp_status st = node_extent(e, n, base, &doc, t->loc);
            if (st != RP_OK)
                return st;
            doc = apply_overlays_below(e, doc, pb->keys, pb->n);
            return walk_value(e, fr, doc, t, i, k);
        }
    }
    if (!n && !below)
        return walk_value(e, fr, base, t, i, k);
    if (n && n->rs) {
        rego_value v = base;
        if (n->rs->kind != RS_FUNC) {
            rp_status st = node_value(e, n, base, &v, t->loc);
            if (st != RP_OK)
                return st;
        }
        return walk_value(e, fr, v, t, i, k);
    }
    if (i == t->n) {
        rego_value v;
        rp_status st = node_extent(e, n, base, &v, t->loc);
        if (st != RP_OK)
            return st;
        return v.kind == REGO_UNDEF ? RP_OK : k->fn(e, k, v);
    }
    const rego_term *seg = t->u.c.items[i];
    if (seg->kind == REGO_TERM_VALUE)
        return data_step(e, fr, t, i, n, base, pb, seg->u.value, k);
    if (seg->kind == REGO_TERM_LOCAL && fr[seg->u.var.slot].kind)
        return data_step(e, fr, t, i, n, base, pb, fr[seg->u.var.slot], k);
    if (seg->kind == REGO_TERM_LOCAL || seg->kind == REGO_TERM_ARRAY ||
        seg->kind == REGO_TERM_OBJECT) {
        if (!n || n->nkids == 0)
            return walk_value(e, fr, base, t, i, k);
        /* Enumerate the union of base keys and document nodes, sorted. */
        rego_setb keys;
        rego_setb_init(&keys, e->a);
        if (base.kind == REGO_OBJECT)
            for (uint32_t j = 0; j < base.n; j++)
                rego_setb_add(&keys, rego_object_at(base, j).key);
        for (uint32_t j = 0; j < n->nkids; j++)
            if (doc_node(n->kids[j]))
                rego_setb_add(&keys, n->kids[j]->key);
        rego_value ks = rego_setb_finish(&keys);
        if (ks.kind == REGO_UNDEF)
            return nomem(e, t->loc);
        for (uint32_t j = 0; j < ks.n; j++) {
            rego_value key = rego_set_at(ks, j);
            rp_status st;
            if (seg->kind == REGO_TERM_LOCAL) {
                size_t mark = e->ntrail;
                if (!bind(e, &fr[seg->u.var.slot], key))
                    return nomem(e, seg->loc);
                st = data_step(e, fr, t, i, n, base, pb, key, k);
                undo(e, mark);
            } else {
                datamatch_k dk = {{data_matched}, fr, t, i, n, base, pb, key, k};
                st = match(e, fr, seg, key, &dk.k);
            }
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    }
    datakey_k dk = {{data_key}, fr, t, i, n, base, pb, k};
    return eval_term(e, fr, seg, &dk.vk);
}

typedef struct {
    vkont vk;
    rego_value *fr;
    const rego_term *t;
    vkont *next;
} headval_k;

static rp_status ref_head_value(ev *e, vkont *vk, rego_value v)
{
    headval_k *hk = (headval_k *)vk;
    return walk_value(e, hk->fr, v, hk->t, 1, hk->next);
}

static rp_status eval_ref(ev *e, rego_value *fr, const rego_term *t, vkont *k)
{
    const rego_term *head = t->u.c.items[0];
    switch ((rego_term_kind)head->kind) {
    case REGO_TERM_DATA: {
        rego_value keys[16];
        pathbuf pb = {keys, 0, 16};
        const cref *r = t->u.c.resolved;
        if (r && !e->w.ov)
            return r->node ? data_walk(e, fr, t, r->i, r->node, r->base, &pb, k)
                           : walk_value(e, fr, r->base, t, r->i, k);
        return data_walk(e, fr, t, 1, e->p->root, e->p->data, &pb, k);
    }
    case REGO_TERM_INPUT:
        return walk_value(e, fr, e->w.input, t, 1, k);
    case REGO_TERM_LOCAL:
        if (!fr[head->u.var.slot].kind)
            return eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, head->loc,
                              "internal: unbound variable in reference");
        return walk_value(e, fr, fr[head->u.var.slot], t, 1, k);
    default: {
        headval_k hk = {{ref_head_value}, fr, t, k};
        return eval_term(e, fr, head, &hk.vk);
    }
    }
}

/* Calls -------------------------------------------------------------------------------- */

typedef struct {
    kont k;
    rego_value *fr;
    const rego_term *t;
    const ccall *cc;
    rego_value *args;
    vkont *next;
} call_k;

static const mock *find_mock(ev *e, const ccall *cc)
{
    for (const mock *m = e->w.mk; m; m = m->next)
        if ((cc->bi && m->bi == cc->bi) || (cc->fn && m->fn == cc->fn))
            return m;
    return NULL;
}

/* Invokes a builtin with evaluated arguments, applying OPA's error rules. */
static rp_status call_builtin(ev *e, const rego_builtin *bi, const rego_value *args, rp_loc loc,
                              rego_value *out)
{
    rp_error berr = {0};
    rp_status st = rego_builtin_call(bi, &e->svc, loc, args, out, &berr);
    if (st == RP_OK)
        return RP_OK;
    *out = rego_undef();
    /* Conflicts, cancellations and internal errors stop the evaluation in
     * OPA whether builtin errors are strict or not (topdown's Halt). */
    if (st == RP_ERR_NOMEM || st == RP_ERR_LIMIT || berr.kind == RP_EK_EVAL_CANCEL ||
        berr.kind == RP_EK_EVAL_CONFLICT || berr.kind == RP_EK_EVAL_OTHER || e->strict) {
        if (e->err->code == RP_OK)
            *e->err = berr;
        return st;
    }
    return RP_OK; /* non-strict: the call is undefined */
}

static rp_status call_invoke(ev *e, const ccall *cc, const rego_value *args, uint32_t nargs,
                             rp_loc loc, vkont *k);

static rp_status call_with_args(ev *e, kont *kk)
{
    call_k *ck = (call_k *)kk;
    uint32_t nin = ck->t->n - 1 - (ck->cc->has_output ? 1 : 0);
    return call_invoke(e, ck->cc, ck->args, nin, ck->t->loc, ck->next);
}

static rp_status call_invoke(ev *e, const ccall *cc, const rego_value *args, uint32_t nargs,
                             rp_loc loc, vkont *k)
{
    if (e->w.mk) {
        const mock *m = find_mock(e, cc);
        if (m) {
            if (!m->repl)
                return k->fn(e, k, m->value);
            ccall repl = *m->repl;
            repl.has_output = false;
            /* A replacement runs with no mocks in effect (OPA: a mock never
             * calls another mock); its rule values get their own cache
             * generation. */
            wstate saved = e->w;
            e->w.mk = NULL;
            e->w.gen = ++e->next_gen;
            rp_status st = call_invoke(e, &repl, args, nargs, loc, k);
            e->w = saved;
            return st;
        }
    }
    rego_value out = rego_undef();
    if (cc->fn && cc->fn->kind != RS_FUNC) {
        rp_status st = ruleset_value(e, cc->fn, &out); /* v0 `f() = 1`, called as f() */
        if (st != RP_OK)
            return st;
        return out.kind == REGO_UNDEF ? RP_OK : k->fn(e, k, out);
    }
    if (cc->fn) {
        rp_status st = call_function(e, cc->fn, args, loc, &out);
        if (st != RP_OK)
            return st;
        return out.kind == REGO_UNDEF ? RP_OK : k->fn(e, k, out);
    }
    if (!cc->bi)
        return eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, loc, "unsupported call");
    rp_status st = call_builtin(e, cc->bi, args, loc, &out);
    if (st != RP_OK)
        return st;
    if (out.kind == REGO_UNDEF)
        return RP_OK;
    if (cc->bi->flags & REGO_BI_RELATION) {
        for (uint32_t i = 0; out.kind == REGO_ARRAY && i < out.n; i++) {
            st = k->fn(e, k, out.u.items[i]);
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    }
    return k->fn(e, k, out);
}

static rp_status eval_call(ev *e, rego_value *fr, const rego_term *t, vkont *k)
{
    const ccall *cc = t->u.c.resolved;
    if (cc->special == CALL_METADATA_RULE)
        return k->fn(e, k, rego_metadata_rule(e->cur_rule));
    if (cc->special == CALL_METADATA_CHAIN) {
        rego_value chain = rego_metadata_chain(e->p, e->cur_rule, e->a);
        return chain.kind ? k->fn(e, k, chain) : nomem(e, t->loc);
    }
    uint32_t nin = t->n - 1 - (cc->has_output ? 1 : 0);
    rego_value *args = rp_arena_array(e->a, nin ? nin : 1, sizeof(rego_value));
    if (!args)
        return nomem(e, t->loc);
    call_k ck = {{call_with_args}, fr, t, cc, args, k};
    return eval_terms(e, fr, t->u.c.items + 1, nin, args, &ck.k);
}

typedef struct {
    vkont vk;
    rego_value *fr;
    const rego_term *out;
    kont *next;
} callout_k;

static rp_status call_output(ev *e, vkont *vk, rego_value v)
{
    callout_k *ck = (callout_k *)vk;
    if (!ck->out)
        return is_false(v) ? RP_OK : ck->next->fn(e, ck->next);
    return match(e, ck->fr, ck->out, v, ck->next);
}

static rp_status eval_call_stmt(ev *e, rego_value *fr, const rego_term *t, kont *k)
{
    const ccall *cc = t->u.c.resolved;
    callout_k ck = {{call_output}, fr, cc->has_output ? t->u.c.items[t->n - 1] : NULL, k};
    if (cc->bi && (cc->bi->flags & REGO_BI_NORESULT))
        ck.out = NULL;
    return eval_call(e, fr, t, &ck.vk);
}

/* ---- term dispatch ---------------------------------------------------------------- */

static rp_status eval_term(ev *e, rego_value *fr, const rego_term *t, vkont *k)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
        return k->fn(e, k, t->u.value);
    case REGO_TERM_LOCAL:
        if (!fr[t->u.var.slot].kind)
            return eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, t->loc,
                              "internal: variable used before it is bound");
        return k->fn(e, k, fr[t->u.var.slot]);
    case REGO_TERM_REF:
        return eval_ref(e, fr, t, k);
    case REGO_TERM_CALL:
        return eval_call(e, fr, t, k);
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        return eval_composite(e, fr, t, k);
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        return eval_compr(e, fr, t, k);
    case REGO_TERM_DATA: {
        rego_value v;
        rp_status st = node_extent(e, e->p->root, e->p->data, &v, t->loc);
        return st != RP_OK ? st : k->fn(e, k, v);
    }
    case REGO_TERM_INPUT:
        return e->w.input.kind ? k->fn(e, k, e->w.input) : RP_OK;
    case REGO_TERM_VAR:
    case REGO_TERM_TEMPLATE: /* the compiler lowers template strings to calls */
        break;
    }
    return eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, t->loc, "internal: unresolved term");
}

/* ---- unification and matching -------------------------------------------------------- */

/* Can t be evaluated to a value now (no unbound variable outside ref keys)? */
static bool term_ready(const rego_value *fr, const rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
    case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        return true;
    case REGO_TERM_LOCAL:
        return fr[t->u.var.slot].kind != REGO_UNDEF;
    case REGO_TERM_REF:
        if (!term_ready(fr, t->u.c.items[0]))
            return false;
        for (uint32_t i = 1; i < t->n; i++) {
            const rego_term *s = t->u.c.items[i];
            if (s->kind == REGO_TERM_LOCAL || s->kind == REGO_TERM_ARRAY ||
                s->kind == REGO_TERM_OBJECT)
                continue;
            if (!term_ready(fr, s))
                return false;
        }
        return true;
    case REGO_TERM_CALL: {
        const ccall *cc = t->u.c.resolved;
        uint32_t nin = t->n - 1 - (cc && cc->has_output ? 1 : 0);
        for (uint32_t i = 1; i <= nin; i++)
            if (!term_ready(fr, t->u.c.items[i]))
                return false;
        return true;
    }
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i < t->n; i++)
            if (!term_ready(fr, t->u.c.items[i]))
                return false;
        return true;
    case REGO_TERM_VAR:
    case REGO_TERM_TEMPLATE:
        return false;
    }
    return false;
}

typedef struct {
    vkont vk;
    rego_value *fr;
    const rego_term *pat;
    kont *next;
} match_vk;

static rp_status vk_match(ev *e, vkont *vk, rego_value v)
{
    match_vk *mk = (match_vk *)vk;
    return match(e, mk->fr, mk->pat, v, mk->next);
}

typedef struct {
    kont k;
    rego_value *fr;
    const rego_term *a, *b;
    uint32_t i;
    kont *next;
} pairs_k;

static rp_status pairs_next(ev *e, kont *kk)
{
    pairs_k *pk = (pairs_k *)kk;
    uint32_t i = pk->i;
    if (i >= pk->a->n)
        return pk->next->fn(e, pk->next);
    pk->i = i + 1;
    rp_status st = unify(e, pk->fr, pk->a->u.c.items[i], pk->b->u.c.items[i], &pk->k);
    pk->i = i;
    return st;
}

/* Object literals with ground keys unify value by value. */
typedef struct {
    kont k;
    rego_value *fr;
    const rego_term *a, *b;
    uint32_t i;
    kont *next;
} opairs_k;

static const rego_term *object_term_get(const rego_term *o, rego_value key)
{
    for (uint32_t i = 0; i + 1 < o->n; i += 2)
        if (rego_equal(o->u.c.items[i]->u.value, key))
            return o->u.c.items[i + 1];
    return NULL;
}

static rp_status opairs_next(ev *e, kont *kk)
{
    opairs_k *pk = (opairs_k *)kk;
    uint32_t i = pk->i;
    if (i >= pk->a->n)
        return pk->next->fn(e, pk->next);
    const rego_term *bv = object_term_get(pk->b, pk->a->u.c.items[i]->u.value);
    if (!bv)
        return RP_OK;
    pk->i = i + 2;
    rp_status st = unify(e, pk->fr, pk->a->u.c.items[i + 1], bv, &pk->k);
    pk->i = i;
    return st;
}

static bool ground_keys(const rego_term *o)
{
    for (uint32_t i = 0; i < o->n; i += 2)
        if (o->u.c.items[i]->kind != REGO_TERM_VALUE)
            return false;
    return true;
}

static rp_status unify(ev *e, rego_value *fr, const rego_term *a, const rego_term *b, kont *k)
{
    if (a->kind == REGO_TERM_ARRAY && b->kind == REGO_TERM_ARRAY) {
        if (a->n != b->n)
            return RP_OK;
        pairs_k pk = {{pairs_next}, fr, a, b, 0, k};
        return pairs_next(e, &pk.k);
    }
    if (a->kind == REGO_TERM_OBJECT && b->kind == REGO_TERM_OBJECT && ground_keys(a) &&
        ground_keys(b)) {
        if (a->n != b->n)
            return RP_OK;
        opairs_k pk = {{opairs_next}, fr, a, b, 0, k};
        return opairs_next(e, &pk.k);
    }
    if (a->kind == REGO_TERM_LOCAL && !fr[a->u.var.slot].kind) {
        match_vk mk = {{vk_match}, fr, a, k};
        return eval_term(e, fr, b, &mk.vk);
    }
    if (b->kind == REGO_TERM_LOCAL && !fr[b->u.var.slot].kind) {
        match_vk mk = {{vk_match}, fr, b, k};
        return eval_term(e, fr, a, &mk.vk);
    }
    if (term_ready(fr, a)) {
        match_vk mk = {{vk_match}, fr, b, k};
        return eval_term(e, fr, a, &mk.vk);
    }
    match_vk mk = {{vk_match}, fr, a, k};
    return eval_term(e, fr, b, &mk.vk);
}

typedef struct {
    kont k;
    rego_value *fr;
    const rego_term *pat;
    rego_value v;
    uint32_t i;
    kont *next;
} elems_k;

static rp_status elems_next(ev *e, kont *kk)
{
    elems_k *ek = (elems_k *)kk;
    uint32_t i = ek->i;
    const rego_term *pat = ek->pat;
    if (pat->kind == REGO_TERM_ARRAY) {
        if (i >= pat->n)
            return ek->next->fn(e, ek->next);
        ek->i = i + 1;
        rp_status st = match(e, ek->fr, pat->u.c.items[i], ek->v.u.items[i], &ek->k);
        ek->i = i;
        return st;
    }
    /* object pattern: items are key, value pairs */
    if (i >= pat->n)
        return ek->next->fn(e, ek->next);
    rego_value key, val;
    rp_status st = eval_first(e, ek->fr, pat->u.c.items[i], &key);
    if (st != RP_OK)
        return st;
    if (key.kind == REGO_UNDEF || !rego_object_get(ek->v, key, &val))
        return RP_OK;
    ek->i = i + 2;
    st = match(e, ek->fr, pat->u.c.items[i + 1], val, &ek->k);
    ek->i = i;
    return st;
}

typedef struct {
    vkont vk;
    rego_value v;
    kont *next;
} eq_vk;

static rp_status vk_equal(ev *e, vkont *vk, rego_value x)
{
    eq_vk *q = (eq_vk *)vk;
    return rego_equal(q->v, x) ? q->next->fn(e, q->next) : RP_OK;
}

static rp_status match(ev *e, rego_value *fr, const rego_term *pat, rego_value v, kont *k)
{
    switch ((rego_term_kind)pat->kind) {
    case REGO_TERM_VALUE:
        return rego_equal(pat->u.value, v) ? k->fn(e, k) : RP_OK;
    case REGO_TERM_LOCAL: {
        rego_value *slot = &fr[pat->u.var.slot];
        if (slot->kind)
            return rego_equal(*slot, v) ? k->fn(e, k) : RP_OK;
        size_t mark = e->ntrail;
        if (!bind(e, slot, v))
            return nomem(e, pat->loc);
        rp_status st = k->fn(e, k);
        undo(e, mark);
        return st;
    }
    case REGO_TERM_ARRAY:
        if (v.kind != REGO_ARRAY || v.n != pat->n)
            return RP_OK;
        break;
    case REGO_TERM_OBJECT:
        if (v.kind != REGO_OBJECT || v.n * 2 != pat->n)
            return RP_OK;
        break;
    default: {
        eq_vk q = {{vk_equal}, v, k};
        return eval_term(e, fr, pat, &q.vk);
    }
    }
    elems_k ek = {{elems_next}, fr, pat, v, 0, k};
    return elems_next(e, &ek.k);
}

/* ---- some-in and every -------------------------------------------------------------- */

typedef struct {
    kont k;
    rego_value *fr;
    const rego_expr *x;
    rego_value val;
    kont *next;
} somein_k;

static rp_status somein_key_done(ev *e, kont *kk)
{
    somein_k *sk = (somein_k *)kk;
    return match(e, sk->fr, sk->x->value, sk->val, sk->next);
}

typedef struct {
    vkont vk;
    rego_value *fr;
    const rego_expr *x;
    kont *next;
} domain_k;

static rp_status somein_domain(ev *e, vkont *vk, rego_value dom)
{
    domain_k *dk = (domain_k *)vk;
    const rego_expr *x = dk->x;
    FOREACH_CHILD(dom, key, child, {
        rp_status st;
        if (x->key) {
            somein_k sk = {{somein_key_done}, dk->fr, x, child, dk->next};
            st = match(e, dk->fr, x->key, key, &sk.k);
        } else {
            st = match(e, dk->fr, x->value, child, dk->next);
        }
        if (st != RP_OK)
            return st;
    });
    return RP_OK;
}

static rp_status eval_some_in(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    domain_k dk = {{somein_domain}, fr, x, k};
    return eval_term(e, fr, x->domain, &dk.vk);
}

typedef struct {
    kont k;
    rego_value *fr;
    const rego_expr *x;
} every_k;

static rp_status every_bound(ev *e, kont *kk)
{
    every_k *ek = (every_k *)kk;
    kont found = {k_found};
    return eval_body(e, ek->fr, ek->x->body, 0, &found);
}

typedef struct {
    kont k;
    every_k *ek;
    rego_value val;
} everykey_k;

static rp_status every_key_done(ev *e, kont *kk)
{
    everykey_k *kk2 = (everykey_k *)kk;
    return match(e, kk2->ek->fr, kk2->ek->x->value, kk2->val, &kk2->ek->k);
}

typedef struct {
    vkont vk;
    rego_value *fr;
    const rego_expr *x;
    kont *next;
} everydom_k;

static rp_status every_domain(ev *e, vkont *vk, rego_value dom)
{
    everydom_k *dk = (everydom_k *)vk;
    const rego_expr *x = dk->x;
    every_k ek = {{every_bound}, dk->fr, x};
    FOREACH_CHILD(dom, key, child, {
        size_t mark = e->ntrail;
        rp_status st;
        if (x->key) {
            everykey_k kk = {{every_key_done}, &ek, child};
            st = match(e, dk->fr, x->key, key, &kk.k);
        } else {
            st = match(e, dk->fr, x->value, child, &ek.k);
        }
        undo(e, mark);
        if (st == RP_OK)
            return RP_OK; /* no solution for this element: every fails */
        if (st != ST_STOP)
            return st;
    });
    return dk->next->fn(e, dk->next);
}

static rp_status eval_every(ev *e, rego_value *fr, const rego_expr *x, kont *k)
{
    everydom_k dk = {{every_domain}, fr, x, k};
    return eval_term(e, fr, x->domain, &dk.vk);
}

/* ---- rules ------------------------------------------------------------------------- */

/* Collects the distinct values one clause produces. */
typedef struct {
    kont k;
    vkont vk;
    rego_value *fr;
    const crule *cr;
    rego_value result;
    bool any;
    bool func;
} clause_k;

static rp_status clause_value(ev *e, vkont *vk, rego_value v)
{
    clause_k *ck = (clause_k *)((char *)vk - offsetof(clause_k, vk));
    if (!ck->any) {
        ck->any = true;
        ck->result = v;
    } else if (!rego_equal(ck->result, v)) {
        return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, ck->cr->loc,
                          ck->func ? "functions must not produce multiple outputs for same inputs"
                                   : "complete rules must not produce multiple outputs");
    }
    return ck->cr->const_value ? ST_STOP : RP_OK;
}

static rp_status clause_solution(ev *e, kont *kk)
{
    clause_k *ck = (clause_k *)kk;
    if (!ck->cr->value)
        return clause_value(e, &ck->vk, rego_bool(true));
    return eval_term(e, ck->fr, ck->cr->value, &ck->vk);
}

static rp_status eval_clause(ev *e, const crule *cr, rego_value *fr, clause_k *ck)
{
    memset(ck, 0, sizeof(*ck));
    ck->k.fn = clause_solution;
    ck->vk.fn = clause_value;
    ck->fr = fr;
    ck->cr = cr;
    size_t mark = e->ntrail;
    const crule *saved = e->cur_rule;
    e->cur_rule = cr;
    rp_status st = eval_body(e, fr, cr->body, 0, &ck->k);
    e->cur_rule = saved;
    undo(e, mark);
    return st == ST_STOP ? RP_OK : st;
}

/* The rule index's key for this evaluation (UNDEF when the ref is). */
static rp_status index_key(ev *e, const ruleset *rs, rego_value *key)
{
    *key = rego_undef();
    if (!rs->index)
        return RP_OK;
    rego_value dummy;
    return eval_first(e, &dummy, rs->index->ref, key);
}

/* Can rule i of rs be skipped: its indexed equality test cannot hold? */
static inline bool index_skips(const ruleset *rs, uint32_t i, rego_value key)
{
    if (!rs->index || rs->index->keys[i].kind == REGO_UNDEF)
        return false;
    return key.kind == REGO_UNDEF || !rego_equal(key, rs->index->keys[i]);
}

static rp_status eval_complete(ev *e, const ruleset *rs, rego_value *out)
{
    rego_value result = rego_undef(), ikey;
    rp_status ist = index_key(e, rs, &ikey);
    if (ist != RP_OK)
        return ist;
    for (uint32_t i = 0; i < rs->n; i++) {
        if (index_skips(rs, i, ikey))
            continue;
        for (const crule *cr = rs->rules[i]; cr; cr = cr->els) {
            rego_value *fr = new_frame(e, cr->nslots);
            if (!fr)
                return nomem(e, cr->loc);
            clause_k ck;
            rp_status st = eval_clause(e, cr, fr, &ck);
            if (st != RP_OK)
                return st;
            if (!ck.any)
                continue;
            if (result.kind && !rego_equal(result, ck.result))
                return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, cr->loc,
                                  "complete rules must not produce multiple outputs");
            result = ck.result;
            break;
        }
        if (rs->early_exit && result.kind)
            break;
    }
    if (!result.kind && rs->deflt) {
        rego_value *fr = new_frame(e, rs->deflt->nslots);
        if (!fr)
            return nomem(e, rs->deflt->loc);
        clause_k ck;
        rp_status st = eval_clause(e, rs->deflt, fr, &ck);
        if (st != RP_OK)
            return st;
        if (ck.any)
            result = ck.result;
    }
    *out = result;
    return RP_OK;
}

/* Multi-value and object rules: each solution contributes a (path, leaf). */
typedef struct {
    kont k;
    rego_value *fr;
    const crule *cr;
    const ruleset *rs;
    rego_setb *set;     /* MULTI without suffix */
    rego_objb *obj;     /* OBJECT with one suffix term */
    /* general case: collected tuples */
    rego_value *tuples;
    uint32_t ntuples, captuples;
    rego_value *vals;   /* scratch: suffix values then leaf */
} collect_k;

static rp_status collect_add(ev *e, collect_k *ck, const rego_value *vals)
{
    const crule *cr = ck->cr;
    uint32_t ns = cr->nsuffix;
    if (ck->set && ns == 0) {
        rego_setb_add(ck->set, vals[0]);
        return ck->set->failed ? nomem(e, cr->loc) : RP_OK;
    }
    if (ck->obj && ns == 1 && ck->rs->kind == RS_OBJECT) {
        switch (rego_objb_put(ck->obj, vals[0], vals[1])) {
        case REGO_PUT_NEW:
        case REGO_PUT_SAME:
            return RP_OK;
        case REGO_PUT_CONFLICT:
            return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, cr->loc,
                              "object keys must be unique");
        case REGO_PUT_NOMEM:
            return nomem(e, cr->loc);
        }
    }
    /* general: store [k1, ..., kn, leaf] */
    rego_value tuple;
    rego_value *items = rego_array_alloc(e->a, ns + 1, &tuple);
    if (!items)
        return nomem(e, cr->loc);
    memcpy(items, vals, (ns + 1) * sizeof(rego_value));
    if (ck->ntuples == ck->captuples) {
        uint32_t ncap = ck->captuples ? ck->captuples * 2 : 16;
        rego_value *nt = rp_arena_grow(e->a, ck->tuples, ck->captuples * sizeof(rego_value),
                                       ncap * sizeof(rego_value));
        if (!nt)
            return nomem(e, cr->loc);
        ck->tuples = nt;
        ck->captuples = ncap;
    }
    ck->tuples[ck->ntuples++] = tuple;
    return RP_OK;
}

typedef struct {
    kont k;
    collect_k *ck;
} collect_done_k;

static rp_status collect_vals_ready(ev *e, kont *kk)
{
    collect_k *ck = ((collect_done_k *)kk)->ck;
    return collect_add(e, ck, ck->vals);
}

static rp_status collect_solution(ev *e, kont *kk)
{
    collect_k *ck = (collect_k *)kk;
    const crule *cr = ck->cr;
    uint32_t ns = cr->nsuffix;
    rego_term *terms[64];
    uint32_t n = 0;
    for (uint32_t i = 0; i < ns && n < 63; i++)
        terms[n++] = cr->suffix[i];
    rego_term truth = {0};
    truth.kind = REGO_TERM_VALUE;
    truth.u.value = rego_bool(true);
    if (ck->rs->kind == RS_MULTI)
        terms[n++] = cr->key;
    else
        terms[n++] = cr->value ? cr->value : &truth;
    collect_done_k dk = {{collect_vals_ready}, ck};
    return eval_terms(e, ck->fr, terms, n, ck->vals, &dk.k);
}

/* Builds nested objects from sorted tuples [k1..kn, leaf]; for MULTI the
 * leaves are collected into sets. */
static rp_status build_nested(ev *e, const ruleset *rs, rego_value *tuples, uint32_t n,
                              uint32_t depth, rego_value *out, rp_loc loc)
{
    rego_objb b;
    rego_objb_init(&b, e->a);
    uint32_t i = 0;
    while (i < n) {
        rego_value key = tuples[i].u.items[depth];
        uint32_t j = i + 1;
        while (j < n && rego_equal(tuples[j].u.items[depth], key))
            j++;
        uint32_t len = tuples[i].n;
        rego_value v;
        bool leaf = depth + 2 == len;
        if (leaf && rs->kind == RS_MULTI) {
            rego_setb sb;
            rego_setb_init(&sb, e->a);
            for (uint32_t x = i; x < j; x++)
                rego_setb_add(&sb, tuples[x].u.items[depth + 1]);
            v = rego_setb_finish(&sb);
        } else if (leaf) {
            v = tuples[i].u.items[depth + 1];
            for (uint32_t x = i + 1; x < j; x++)
                if (tuples[x].n != len || !rego_equal(tuples[x].u.items[depth + 1], v))
                    return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, loc,
                                      "object keys must be unique");
        } else {
            for (uint32_t x = i; x < j; x++)
                if (tuples[x].n == depth + 2)
                    return eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, loc,
                                      "object keys must be unique");
            rp_status st = build_nested(e, rs, tuples + i, j - i, depth + 1, &v, loc);
            if (st != RP_OK)
                return st;
        }
        if (v.kind == REGO_UNDEF)
            return nomem(e, loc);
        rego_objb_put(&b, key, v);
        i = j;
    }
    *out = rego_objb_finish(&b);
    return out->kind == REGO_UNDEF ? nomem(e, loc) : RP_OK;
}

static int cmp_tuples(const void *x, const void *y)
{
    const rego_value *a = x, *b = y;
    uint32_t n = a->n < b->n ? a->n : b->n;
    for (uint32_t i = 0; i + 1 < n; i++) {
        int c = rego_compare(a->u.items[i], b->u.items[i]);
        if (c)
            return c;
    }
    return (a->n > b->n) - (a->n < b->n);
}

static rp_status eval_collect(ev *e, const ruleset *rs, rego_value *out)
{
    /* Rules whose heads have more ref terms than one key build nested
     * objects from collected tuples; the common shapes use builders. */
    bool general = false;
    for (uint32_t i = 0; i < rs->n; i++)
        for (const crule *cr = rs->rules[i]; cr; cr = cr->els)
            if (cr->nsuffix > (rs->kind == RS_OBJECT ? 1u : 0u))
                general = true;
    rego_setb sb;
    rego_objb ob;
    rego_setb_init(&sb, e->a);
    rego_objb_init(&ob, e->a);
    collect_k ck;
    memset(&ck, 0, sizeof(ck));
    ck.k.fn = collect_solution;
    ck.rs = rs;
    ck.set = general ? NULL : &sb;
    ck.obj = general ? NULL : &ob;
    rego_value ikey;
    rp_status ist = index_key(e, rs, &ikey);
    if (ist != RP_OK)
        return ist;
    for (uint32_t i = 0; i < rs->n; i++) {
        if (index_skips(rs, i, ikey))
            continue;
        for (const crule *cr = rs->rules[i]; cr; cr = cr->els) {
            rego_value *fr = new_frame(e, cr->nslots);
            ck.vals = rp_arena_array(e->a, cr->nsuffix + 1, sizeof(rego_value));
            if (!fr || !ck.vals)
                return nomem(e, cr->loc);
            ck.fr = fr;
            ck.cr = cr;
            uint32_t before = sb.n + ob.n + ck.ntuples;
            size_t mark = e->ntrail;
            const crule *saved = e->cur_rule;
            e->cur_rule = cr;
            rp_status st = eval_body(e, fr, cr->body, 0, &ck.k);
            e->cur_rule = saved;
            undo(e, mark);
            if (st != RP_OK)
                return st;
            if (sb.n + ob.n + ck.ntuples != before)
                break; /* an else clause runs only when its predecessor produced nothing */
        }
    }
    rp_loc loc = rs->n ? rs->rules[0]->loc : (rp_loc){0};
    if (!general) {
        *out = rs->kind == RS_MULTI ? rego_setb_finish(&sb) : rego_objb_finish(&ob);
        return out->kind == REGO_UNDEF ? nomem(e, loc) : RP_OK;
    }
    qsort(ck.tuples, ck.ntuples, sizeof(rego_value), cmp_tuples);
    return build_nested(e, rs, ck.tuples, ck.ntuples, 0, out, loc);
}

static rp_status ruleset_value(ev *e, const ruleset *rs, rego_value *out)
{
    cache_ent *ce = &e->cache[rs->id];
    if (ce->gen == e->w.gen && ce->state == CE_DONE) {
        *out = ce->v;
        return RP_OK;
    }
    if (ce->gen == e->w.gen && ce->state == CE_BUSY)
        return eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, rs->n ? rs->rules[0]->loc : (rp_loc){0},
                          "rule %s depends on itself", rs->name);
    rp_loc loc = rs->n ? rs->rules[0]->loc : (rs->deflt ? rs->deflt->loc : (rp_loc){0});
    rp_status st = enter(e, loc);
    if (st != RP_OK)
        return st;
    ce->gen = e->w.gen;
    ce->state = CE_BUSY;
    rego_value v = rego_undef();
    switch (rs->kind) {
    case RS_COMPLETE:
        st = eval_complete(e, rs, &v);
        break;
    case RS_MULTI:
    case RS_OBJECT:
        st = eval_collect(e, rs, &v);
        break;
    case RS_FUNC:
        st = eval_error(e, RP_ERR_EVAL, RP_EK_EVAL_OTHER, loc, "%s is a function", rs->name);
        break;
    }
    leave(e);
    /* A with inside the computation may have reused the entry: re-key it. */
    ce = &e->cache[rs->id];
    if (st != RP_OK) {
        ce->state = CE_EMPTY;
        return st;
    }
    ce->gen = e->w.gen;
    ce->state = CE_DONE;
    ce->v = v;
    *out = v;
    return RP_OK;
}

/* Functions ---------------------------------------------------------------------------- */

typedef struct {
    kont k;
    rego_value *fr;
    const crule *cr;
    const rego_value *args;
    uint32_t i;
    clause_k *ck;
} fargs_k;

static rp_status fargs_next(ev *e, kont *kk)
{
    fargs_k *fk = (fargs_k *)kk;
    uint32_t i = fk->i;
    if (i >= fk->cr->nargs)
        return eval_body(e, fk->fr, fk->cr->body, 0, &fk->ck->k);
    fk->i = i + 1;
    rp_status st = match(e, fk->fr, fk->cr->args[i], fk->args[i], &fk->k);
    fk->i = i;
    return st;
}

static rp_status eval_func_clause(ev *e, const crule *cr, const rego_value *args, clause_k *ck)
{
    rego_value *fr = new_frame(e, cr->nslots);
    if (!fr)
        return nomem(e, cr->loc);
    memset(ck, 0, sizeof(*ck));
    ck->k.fn = clause_solution;
    ck->vk.fn = clause_value;
    ck->fr = fr;
    ck->cr = cr;
    ck->func = true;
    fargs_k fk = {{fargs_next}, fr, cr, args, 0, ck};
    size_t mark = e->ntrail;
    const crule *saved = e->cur_rule;
    e->cur_rule = cr;
    rp_status st = fargs_next(e, &fk.k);
    e->cur_rule = saved;
    undo(e, mark);
    return st == ST_STOP ? RP_OK : st;
}

static rp_status call_function(ev *e, const ruleset *fn, const rego_value *args, rp_loc loc,
                               rego_value *out)
{
    rp_status st = enter(e, loc);
    if (st != RP_OK)
        return st;
    rego_value result = rego_undef();
    for (uint32_t i = 0; i < fn->n && st == RP_OK; i++) {
        for (const crule *cr = fn->rules[i]; cr; cr = cr->els) {
            clause_k ck;
            if ((st = eval_func_clause(e, cr, args, &ck)) != RP_OK)
                break;
            if (!ck.any)
                continue;
            if (result.kind && !rego_equal(result, ck.result))
                st = eval_error(e, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, cr->loc,
                                "functions must not produce multiple outputs for same inputs");
            result = ck.result;
            break;
        }
    }
    if (st == RP_OK && !result.kind && fn->deflt) {
        clause_k ck;
        st = eval_func_clause(e, fn->deflt, args, &ck);
        if (st == RP_OK && ck.any)
            result = ck.result;
    }
    leave(e);
    *out = result;
    return st;
}

/* ---- queries ------------------------------------------------------------------------ */

static rego_term *mk_var(rp_arena *a, const char *name, rp_loc loc)
{
    rego_term *t = rp_arena_zalloc(a, sizeof(rego_term));
    if (!t)
        return NULL;
    t->kind = REGO_TERM_VAR;
    t->loc = loc;
    t->u.var.name = name;
    t->u.var.len = (uint32_t)strlen(name);
    return t;
}

/* Byte offset of line:col in src. */
static size_t offset_of(const char *src, size_t n, rp_loc loc)
{
    size_t off = 0;
    uint32_t line = 1;
    while (off < n && line < loc.line) {
        if (src[off] == '\n')
            line++;
        off++;
    }
    off += loc.col ? loc.col - 1 : 0;
    return off > n ? n : off;
}

/* Rewrites top-level expressions so their values can be reported as OPA does
 * (a term or a call's result is captured in a hidden variable). */
static rp_status capture_exprs(const rego_policy *p, rp_arena *a, rego_body *b, int32_t *which,
                               rp_error *err)
{
    for (uint32_t i = 0; i < b->n; i++) {
        rego_expr *x = b->exprs[i];
        which[i] = -1;
        if (x->negated || x->kind != REGO_EXPR_TERM)
            continue;
        rego_term *t = x->term;
        const rego_term *op = t->kind == REGO_TERM_CALL ? t->u.c.items[0] : NULL;
        const rego_term *oph = op && op->kind == REGO_TERM_REF ? op->u.c.items[0] : op;
        if (oph && oph->kind == REGO_TERM_VAR && (!strcmp(oph->u.var.name, "eq") ||
                                                  !strcmp(oph->u.var.name, "assign")) &&
            (!op || op->kind != REGO_TERM_REF || op->n == 1))
            continue;
        char name[32];
        snprintf(name, sizeof(name), "__q%u__", i);
        char *nm = rp_arena_strndup(a, name, strlen(name));
        rego_term *v = nm ? mk_var(a, nm, x->loc) : NULL;
        if (!v)
            return rp_error_set(err, RP_ERR_NOMEM, x->loc, "out of memory");
        if (t->kind == REGO_TERM_CALL) {
            /* capture the result unless the call already names its output */
            rp_buf nb;
            rp_buf_init(&nb);
            const rego_term *o = t->u.c.items[0];
            const rego_term *h = o->kind == REGO_TERM_REF ? o->u.c.items[0] : o;
            bool ok = h->kind == REGO_TERM_VAR;
            if (ok) {
                rp_buf_puts(&nb, h->u.var.name);
                for (uint32_t j = 1; o->kind == REGO_TERM_REF && j < o->n; j++) {
                    const rego_term *s = o->u.c.items[j];
                    if (s->kind == REGO_TERM_VALUE && s->u.value.kind == REGO_STRING) {
                        rp_buf_putc(&nb, '.');
                        rp_buf_append(&nb, s->u.value.u.s, s->u.value.n);
                    }
                }
            }
            const rego_builtin *bi = ok ? rego_builtin_find(rp_buf_cstr(&nb), nb.len) : NULL;
            rp_buf_free(&nb);
            int arity = rego_policy_func_arity(p, o);
            if (arity < 0 && bi && !(bi->flags & (REGO_BI_NORESULT | REGO_BI_VARIADIC)))
                arity = bi->arity;
            if (arity < 0 || t->n - 1 != (uint32_t)arity)
                continue;
            rego_term **items = rp_arena_array(a, t->n + 1, sizeof(rego_term *));
            if (!items)
                return rp_error_set(err, RP_ERR_NOMEM, x->loc, "out of memory");
            memcpy(items, t->u.c.items, t->n * sizeof(rego_term *));
            items[t->n] = v;
            t->u.c.items = items;
            t->n++;
            which[i] = (int32_t)i;
            continue;
        }
        rego_term *call = rp_arena_zalloc(a, sizeof(rego_term));
        rego_term **items = rp_arena_array(a, 3, sizeof(rego_term *));
        rego_term *eq = mk_var(a, "eq", x->loc);
        if (!call || !items || !eq)
            return rp_error_set(err, RP_ERR_NOMEM, x->loc, "out of memory");
        call->kind = REGO_TERM_CALL;
        call->loc = t->loc;
        call->n = 3;
        items[0] = eq;
        items[1] = v;
        items[2] = t;
        call->u.c.items = items;
        x->term = call;
        which[i] = (int32_t)i;
    }
    return RP_OK;
}

rp_status rego_query_new(const rego_policy *p, const char *src, size_t n, rego_version v,
                         rego_query **out, rp_error *err)
{
    *out = NULL;
    if (!p->compiled)
        return rp_error_set(err, RP_ERR_COMPILE, (rp_loc){0}, "policy not compiled");
    rego_query *q = calloc(1, sizeof(*q));
    if (!q)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    q->p = p;
    q->arena = rp_arena_new(0);
    if (!q->arena) {
        free(q);
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    }
    char *copy = rp_arena_strndup(q->arena, src, n);
    rego_body *b = NULL;
    rp_status st = copy ? rego_parse_query(q->arena, copy, n, "query", v, &b, err)
                        : rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    if (st != RP_OK)
        goto fail;
    q->nexprs = b->n;
    q->top = rp_arena_array(q->arena, b->n ? b->n : 1, sizeof(rego_expr *));
    q->expr_text = rp_arena_array(q->arena, b->n ? b->n : 1, sizeof(char *));
    int32_t *which = rp_arena_array(q->arena, b->n ? b->n : 1, sizeof(int32_t));
    q->top_slot = rp_arena_array(q->arena, b->n ? b->n : 1, sizeof(int32_t));
    if (!q->top || !q->expr_text || !which || !q->top_slot) {
        st = rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < b->n; i++) {
        q->top[i] = b->exprs[i];
        size_t s0 = offset_of(copy, n, b->exprs[i]->loc);
        size_t s1 = i + 1 < b->n ? offset_of(copy, n, b->exprs[i + 1]->loc) : n;
        while (s1 > s0 && (copy[s1 - 1] == ' ' || copy[s1 - 1] == '\n' || copy[s1 - 1] == '\t' ||
                           copy[s1 - 1] == ';' || copy[s1 - 1] == '\r'))
            s1--;
        q->expr_text[i] = rp_arena_strndup(q->arena, copy + s0, s1 - s0);
    }
    if ((st = capture_exprs(p, q->arena, b, which, err)) != RP_OK)
        goto fail;
    const char **names;
    int32_t *slots;
    uint32_t nnames;
    st = rego_compile_query_body(p, q->arena, b, &q->nslots, &names, &slots, &nnames, err);
    if (st != RP_OK)
        goto fail;
    /* hidden capture variables: find their slots by name */
    for (uint32_t i = 0; i < q->nexprs; i++) {
        q->top_slot[i] = -1;
        if (which[i] < 0)
            continue;
        const rego_term *t = q->top[i]->term;
        const rego_term *cap = t->u.c.items[t->n == 3 && q->top[i]->flags_ == EXPR_OP_UNIFY ? 1 : t->n - 1];
        if (cap->kind == REGO_TERM_LOCAL)
            q->top_slot[i] = cap->u.var.slot;
    }
    q->body = b;
    q->var_names = names;
    q->var_slots = slots;
    q->nvars = nnames;
    *out = q;
    return RP_OK;
fail:
    /* Locations of the query's terms name the parser's copy of "query" in
     * q->arena, which is about to go: the error keeps a static name. */
    if (err->loc.file && strcmp(err->loc.file, "query") == 0)
        err->loc.file = "query";
    rp_arena_free(q->arena);
    free(q);
    return st;
}

void rego_query_free(rego_query *q)
{
    if (!q)
        return;
    rp_arena_free(q->arena);
    free(q);
}

const char *rego_query_expr_text(const rego_query *q, uint32_t i) { return q->expr_text[i]; }
rp_loc rego_query_expr_loc(const rego_query *q, uint32_t i) { return q->top[i]->loc; }
uint32_t rego_query_nexprs(const rego_query *q) { return q->nexprs; }

typedef struct {
    kont k;
    const rego_query *q;
    rego_value *fr;
    rego_value *rows;
    uint32_t nrows, caprows;
} result_k;

static rp_status result_row(ev *e, kont *kk)
{
    result_k *rk = (result_k *)kk;
    const rego_query *q = rk->q;
    uint32_t width = q->nvars + q->nexprs;
    if (rk->nrows == rk->caprows) {
        uint32_t ncap = rk->caprows ? rk->caprows * 2 : 8;
        rego_value *nr = rp_arena_grow(e->a, rk->rows, (size_t)rk->caprows * width * sizeof(rego_value),
                                       (size_t)ncap * width * sizeof(rego_value));
        if (!nr)
            return nomem(e, (rp_loc){0});
        rk->rows = nr;
        rk->caprows = ncap;
    }
    rego_value *row = rk->rows + (size_t)rk->nrows * width;
    for (uint32_t i = 0; i < q->nvars; i++)
        row[i] = rk->fr[q->var_slots[i]];
    for (uint32_t i = 0; i < q->nexprs; i++)
        row[q->nvars + i] = q->top_slot[i] >= 0 ? rk->fr[q->top_slot[i]] : rego_bool(true);
    rk->nrows++;
    return RP_OK;
}

/* The calling thread's stack bounds, looked up once per thread: for the
 * main thread glibc reads /proc/self/maps, far too slow to do per query.
 * Thread-local, so no locking and no shared mutable state. */
static _Thread_local struct {
    bool known;
    char *lo;
    size_t size;
} stack_info;

static void init_stack_guard(ev *e)
{
    char here;
    if (!stack_info.known) {
        pthread_attr_t attr;
        void *addr;
        size_t size;
        stack_info.known = true;
        if (pthread_getattr_np(pthread_self(), &attr) != 0)
            return;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            stack_info.lo = addr;
            stack_info.size = size;
        }
        pthread_attr_destroy(&attr);
    }
    if (!stack_info.lo)
        return;
    /* Keep a quarter of the stack (and at least 256 KiB) in reserve. */
    size_t avail = (size_t)(&here - stack_info.lo);
    size_t reserve = stack_info.size / 4 > 256 * 1024 ? stack_info.size / 4 : 256 * 1024;
    e->stack_base = &here;
    e->stack_limit = avail > reserve ? avail - reserve : 0;
}

rp_status rego_query_eval(const rego_query *q, rp_arena *a, const rego_eval_opts *opts,
                          rego_result *out, rp_error *err)
{
    memset(out, 0, sizeof(*out));
    ev e;
    memset(&e, 0, sizeof(e));
    e.a = a;
    e.p = q->p;
    e.err = err;
    e.strict = opts && opts->strict_builtin_errors;
    e.w.input = opts ? opts->input : rego_undef();
    e.max_steps = opts ? opts->max_steps : 0;
    e.deadline_ns = opts ? opts->deadline_ns : 0;
    rego_evalctx_init(&e.svc, a);
    if (opts) {
        e.svc.now_ns = opts->now_ns;
        e.svc.print = opts->print;
        e.svc.print_ud = opts->print_ud;
        e.svc.config = opts->config;
    }
    e.cache = rp_arena_zalloc(a, (q->p->nrulesets ? q->p->nrulesets : 1) * sizeof(cache_ent));
    rego_value *fr = new_frame(&e, q->nslots);
    if (!e.cache || !fr)
        return nomem(&e, (rp_loc){0});
    init_stack_guard(&e);
    result_k rk = {{result_row}, q, fr, NULL, 0, 0};
    rp_status st = eval_body(&e, fr, q->body, 0, &rk.k);
    free(e.trail);
    if (st == ST_STOP)
        st = RP_OK;
    if (st == RP_OK && rp_arena_failed(a))
        st = nomem(&e, (rp_loc){0});
    if (st != RP_OK)
        return st;
    out->nvars = q->nvars;
    out->var_names = q->var_names;
    out->nexprs = q->nexprs;
    out->nrows = rk.nrows;
    out->rows = rk.rows;
    return RP_OK;
}
