/*
 * compile.c — turns parsed modules and data into an immutable, evaluable
 * policy (see compile_int.h for the compiled shape).
 *
 * Passes, per policy:
 *  1. tree:    every rule is placed at the node of its ground head prefix
 *              (package path + head ref up to the first non-ground term);
 *              rules at one node form a ruleset of one kind.
 *  2. resolve: per rule, variables become frame slots with Rego's scoping
 *              (a name belongs to the outermost body it occurs in; `some`,
 *              `:=`, function arguments and `every`/`some..in` bindings
 *              declare), globals (package rules, imports) become data refs,
 *              `data`/`input` become roots, calls are bound to builtins or
 *              functions, ground literals are folded into values; template
 *              strings are lowered to internal.template_string calls first
 *              (see lower_template).
 *  3. safety:  body expressions are reordered (stable, first schedulable
 *              first, as OPA does) so each variable is bound before use;
 *              otherwise rego_unsafe_var_error.  Closures (comprehensions,
 *              `not`, `every`) see the enclosing bindings.
 *  4. checks:  recursion between rules (rego_recursion_error), arity of
 *              builtin/function calls (rego_type_error).
 *
 * Invariant after compilation: nothing here is written again; evaluations
 * only read the policy, so any number of threads may evaluate it at once.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"
#include "limits.h"
#include "yaml.h"

/* ---- small helpers ----------------------------------------------------------- */

#define ERRLOC(t) ((t) ? (t)->loc : (rp_loc){0})

static rp_status compile_err(rp_error *err, rp_errkind kind, rp_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static rp_status compile_err(rp_error *err, rp_errkind kind, rp_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_status st = kind == RP_EK_TYPE ? RP_ERR_TYPE : RP_ERR_COMPILE;
    rp_error_vsetk(err, st, kind, loc, fmt, ap);
    va_end(ap);
    return st;
}

static void *grow_array(rp_arena *a, void *old, uint32_t n, uint32_t *cap, size_t elem)
{
    if (n < *cap)
        return old;
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *p = rp_arena_grow(a, old, (size_t)*cap * elem, (size_t)ncap * elem);
    if (p)
        *cap = ncap;
    return p;
}

static rego_term *new_term(rp_arena *a, rego_term_kind kind, rp_loc loc)
{
    rego_term *t = rp_arena_zalloc(a, sizeof(rego_term));
    if (t) {
        t->kind = (uint8_t)kind;
        t->loc = loc;
    }
    return t;
}

/* Deep-copies the syntax of a term (the compiler rewrites terms in place, so
 * a term used by two rule clauses needs one copy each).  Comprehension
 * bodies are not expected in heads and are shared; template strings are
 * copied part by part. */
static rego_body *copy_template_parts(rp_arena *a, const rego_body *parts);

static rego_term *copy_term(rp_arena *a, const rego_term *t)
{
    rego_term *c = rp_arena_alloc(a, sizeof(rego_term));
    if (!c)
        return NULL;
    *c = *t;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
    case REGO_TERM_CALL: {
        rego_term **items = rp_arena_array(a, t->n ? t->n : 1, sizeof(rego_term *));
        if (!items)
            return NULL;
        for (uint32_t i = 0; i < t->n; i++)
            if (!(items[i] = copy_term(a, t->u.c.items[i])))
                return NULL;
        c->u.c.items = items;
        return c;
    }
    case REGO_TERM_TEMPLATE:
        return (c->u.c.body = copy_template_parts(a, t->u.c.body)) ? c : NULL;
    default:
        return c;
    }
}

/* The parts of a template string, for copy_term: each part's term and
 * `with` modifiers are copied (lowering rewrites them in place). */
static rego_body *copy_template_parts(rp_arena *a, const rego_body *parts)
{
    rego_body *b = rp_arena_alloc(a, sizeof(rego_body));
    rego_expr **exprs = rp_arena_array(a, parts->n ? parts->n : 1, sizeof(rego_expr *));
    if (!b || !exprs)
        return NULL;
    *b = *parts;
    b->exprs = exprs;
    for (uint32_t i = 0; i < parts->n; i++) {
        rego_expr *e = rp_arena_alloc(a, sizeof(rego_expr));
        if (!e)
            return NULL;
        *e = *parts->exprs[i];
        if (!(e->term = copy_term(a, e->term)))
            return NULL;
        if (e->nwith) {
            rego_with *w = rp_arena_array(a, e->nwith, sizeof(rego_with));
            if (!w)
                return NULL;
            for (uint32_t k = 0; k < e->nwith; k++) {
                w[k] = e->withs[k];
                if (!(w[k].target = copy_term(a, w[k].target)) ||
                    !(w[k].value = copy_term(a, w[k].value)))
                    return NULL;
            }
            e->withs = w;
        }
        exprs[i] = e;
    }
    return b;
}

static bool var_is(const rego_term *t, const char *name)
{
    return t && t->kind == REGO_TERM_VAR && strcmp(t->u.var.name, name) == 0;
}

/* Deep-copies a value into arena a (values from the caller's arenas must not
 * be referenced by the long-lived policy). */
static rego_value copy_value(rp_arena *a, rego_value v, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return rego_undef();
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
        return v;
    case REGO_NUMBER:
        if (v.sub == REGO_NUM_BIG) {
            /* limbs live in the source arena: re-create them here */
            mpz_t z;
            mpz_init(z);
            rego_num_to_mpz(v, z);
            rego_value out = rego_num_from_mpz(a, z);
            mpz_clear(z);
            return out;
        }
        return v;
    case REGO_STRING:
        return rego_str(a, v.u.s, v.n);
    case REGO_ARRAY: {
        rego_value out;
        rego_value *items = rego_array_alloc(a, v.n, &out);
        if (!items)
            return rego_undef();
        for (uint32_t i = 0; i < v.n; i++) {
            items[i] = copy_value(a, v.u.items[i], depth + 1);
            if (items[i].kind == REGO_UNDEF)
                return rego_undef();
        }
        return out;
    }
    case REGO_OBJECT: {
        rego_value out;
        rego_objent *e = rego_object_alloc(a, v.n, &out);
        if (!e)
            return rego_undef();
        for (uint32_t i = 0; i < v.n; i++) {
            e[i].key = copy_value(a, rego_object_at(v, i).key, depth + 1);
            e[i].val = copy_value(a, rego_object_at(v, i).val, depth + 1);
            if (!e[i].key.kind || !e[i].val.kind)
                return rego_undef();
        }
        return rego_object_seal(a, out);
    }
    case REGO_SET: {
        rego_value out;
        rego_value *it = rego_set_alloc(a, v.n, &out);
        if (!it)
            return rego_undef();
        for (uint32_t i = 0; i < v.n; i++) {
            it[i] = copy_value(a, rego_set_at(v, i), depth + 1);
            if (!it[i].kind)
                return rego_undef();
        }
        return rego_set_seal(a, out);
    }
    }
    return rego_undef();
}

/* ---- policy lifecycle -------------------------------------------------------- */

rego_policy *rego_policy_new(void)
{
    rego_policy *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->arena = rp_arena_new(0);
    if (!p->arena) {
        free(p);
        return NULL;
    }
    p->data = rego_empty_object();
    return p;
}

void rego_policy_free(rego_policy *p)
{
    if (!p)
        return;
    rp_arena_free(p->arena);
    free(p);
}

void rego_policy_stats(const rego_policy *p, size_t *modules, size_t *rules)
{
    *modules = p->nmodules;
    *rules = p->nrules;
}

const rego_module *rego_policy_module(const rego_policy *p, size_t i)
{
    return i < p->nmodules ? p->modules[i] : NULL;
}

rp_status rego_policy_add_module(rego_policy *p, const char *filename, const char *src, size_t n,
                                 rego_version v, rp_error *err)
{
    if (p->compiled)
        return rp_error_set(err, RP_ERR_COMPILE, (rp_loc){filename, 0, 0},
                            "policy already compiled");
    const char *fname = rp_arena_strndup(p->arena, filename, strlen(filename));
    char *copy = rp_arena_strndup(p->arena, src, n);
    if (!fname || !copy)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){filename, 0, 0}, "out of memory");
    rego_module *m = NULL;
    rp_status st = rego_parse_module(p->arena, copy, n, fname, v, &m, err);
    if (st != RP_OK)
        return st;
    rego_module **mods = grow_array(p->arena, p->modules, p->nmodules, &p->capmodules,
                                    sizeof(*mods));
    if (!mods)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){filename, 0, 0}, "out of memory");
    p->modules = mods;
    p->modules[p->nmodules++] = m;
    return RP_OK;
}

/* Merges src into dst (both objects), recursively.  Returns UNDEF and sets
 * err on a clash of non-objects. */
static rego_value merge_objects(rp_arena *a, rego_value dst, rego_value src, rp_error *err,
                                int depth)
{
    if (dst.kind != REGO_OBJECT || src.kind != REGO_OBJECT) {
        rp_error_setk(err, RP_ERR_CONFLICT, RP_EK_COMPILE, (rp_loc){0},
                      "data merge conflict: non-object values at the same path");
        return rego_undef();
    }
    if (depth > REGO_VALUE_MAX_DEPTH)
        return rego_undef();
    rego_objb b;
    rego_objb_init(&b, a);
    for (uint32_t i = 0; i < dst.n; i++)
        rego_objb_put(&b, rego_object_at(dst, i).key, rego_object_at(dst, i).val);
    for (uint32_t i = 0; i < src.n; i++) {
        rego_objent e = rego_object_at(src, i);
        rego_value *cur = rego_objb_get(&b, e.key);
        if (!cur) {
            rego_objb_put(&b, e.key, e.val);
        } else if (cur->kind == REGO_OBJECT && e.val.kind == REGO_OBJECT) {
            rego_value m = merge_objects(a, *cur, e.val, err, depth + 1);
            if (m.kind == REGO_UNDEF)
                return m;
            *rego_objb_get(&b, e.key) = m;
        } else if (!rego_equal(*cur, e.val)) {
            rp_buf kb;
            rp_buf_init(&kb);
            rego_value_write(&kb, e.key, REGO_FMT_JSON);
            rp_error_setk(err, RP_ERR_CONFLICT, RP_EK_COMPILE, (rp_loc){0},
                          "data merge conflict at key %s", rp_buf_cstr(&kb));
            rp_buf_free(&kb);
            return rego_undef();
        }
    }
    return rego_objb_finish(&b);
}

rp_arena *rego_policy_arena(rego_policy *p) { return p->arena; }

rp_status rego_policy_add_data(rego_policy *p, rego_value path, rego_value v, rp_error *err)
{
    rego_value cv = copy_value(p->arena, v, 0);
    if (cv.kind == REGO_UNDEF)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory copying data");
    return rego_policy_add_data_owned(p, path, cv, err);
}

rp_status rego_policy_add_data_owned(rego_policy *p, rego_value path, rego_value cv, rp_error *err)
{
    rp_loc none = {0};
    if (p->compiled)
        return rp_error_set(err, RP_ERR_COMPILE, none, "policy already compiled");
    if (path.kind != REGO_ARRAY)
        return rp_error_set(err, RP_ERR_TYPE, none, "data path must be an array");
    if (path.n == 0 && cv.kind == REGO_OBJECT && p->data.n == 0) {
        p->data = cv; /* the common case: one document at the root, no copy */
        return RP_OK;
    }
    /* Wrap the value in objects along the path, then merge at the root. */
    for (uint32_t i = path.n; i-- > 0;) {
        rego_value key = copy_value(p->arena, path.u.items[i], 0);
        rego_objent e = {key, cv};
        cv = rego_object_from(p->arena, &e, 1);
    }
    if (cv.kind != REGO_OBJECT)
        return rp_error_set(err, RP_ERR_TYPE, none, "data at the root must be an object");
    rego_value m = merge_objects(p->arena, p->data, cv, err, 0);
    if (m.kind == REGO_UNDEF)
        return err->code ? err->code : rp_error_set(err, RP_ERR_NOMEM, none, "out of memory");
    p->data = m;
    return RP_OK;
}

rp_status rego_term_value(rp_arena *a, const rego_term *t, rego_value *out, rp_error *err)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
        *out = t->u.value;
        return RP_OK;
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET: {
        rego_value *items = rp_arena_array(a, t->n ? t->n : 1, sizeof(rego_value));
        if (!items)
            return rp_error_set(err, RP_ERR_NOMEM, t->loc, "out of memory");
        for (uint32_t i = 0; i < t->n; i++) {
            rp_status st = rego_term_value(a, t->u.c.items[i], &items[i], err);
            if (st != RP_OK)
                return st;
        }
        *out = t->kind == REGO_TERM_ARRAY ? rego_array_borrow(items, t->n)
                                          : rego_set_from(a, items, t->n);
        return out->kind ? RP_OK : rp_error_set(err, RP_ERR_NOMEM, t->loc, "out of memory");
    }
    case REGO_TERM_OBJECT: {
        rego_objb b;
        rego_objb_init(&b, a);
        for (uint32_t i = 0; i + 1 < t->n; i += 2) {
            rego_value k, v;
            rp_status st = rego_term_value(a, t->u.c.items[i], &k, err);
            if (st == RP_OK)
                st = rego_term_value(a, t->u.c.items[i + 1], &v, err);
            if (st != RP_OK)
                return st;
            rego_objb_set(&b, k, v);
        }
        *out = rego_objb_finish(&b);
        return out->kind ? RP_OK : rp_error_set(err, RP_ERR_NOMEM, t->loc, "out of memory");
    }
    default:
        return rp_error_set(err, RP_ERR_TYPE, t->loc, "term is not a ground value");
    }
}

/* ---- the rule tree ------------------------------------------------------------ */

static rnode *node_new(rp_arena *a, rnode *parent, rego_value key)
{
    rnode *n = rp_arena_zalloc(a, sizeof(rnode));
    if (!n)
        return NULL;
    n->parent = parent;
    n->key = key;
    if (!parent) {
        n->path = "data";
    } else {
        rp_buf b;
        rp_buf_init(&b);
        rp_buf_puts(&b, parent->path);
        if (key.kind == REGO_STRING) {
            bool ident = key.n > 0;
            for (uint32_t i = 0; i < key.n; i++) {
                char c = key.u.s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                      (i && c >= '0' && c <= '9')))
                    ident = false;
            }
            if (ident) {
                rp_buf_putc(&b, '.');
                rp_buf_append(&b, key.u.s, key.n);
            } else {
                rp_buf_putc(&b, '[');
                rego_value_write(&b, key, REGO_FMT_REGO);
                rp_buf_putc(&b, ']');
            }
        } else {
            rp_buf_putc(&b, '[');
            rego_value_write(&b, key, REGO_FMT_REGO);
            rp_buf_putc(&b, ']');
        }
        n->path = rp_arena_strndup(a, rp_buf_cstr(&b), b.len);
        rp_buf_free(&b);
    }
    return n;
}

rnode *rego_node_child(const rnode *n, rego_value key)
{
    if (!n)
        return NULL;
    /* Kids are sorted after compilation: binary search. */
    uint32_t lo = 0, hi = n->nkids;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = rego_compare(n->kids[mid]->key, key);
        if (c == 0)
            return n->kids[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

#define NODE_INDEX_MIN 16 /* kids before node_get hashes them */

static void node_index_put(rnode *n, uint32_t i)
{
    uint32_t j = (uint32_t)rego_hash(n->kids[i]->key) & n->kmask;
    while (n->kidx[j])
        j = (j + 1) & n->kmask;
    n->kidx[j] = i + 1;
}

/* The child of n at key, made when missing: placing rules looks up every
 * head's path, so a package of many rules is hashed rather than scanned
 * (the index goes once the tree is sorted, node_finish). */
static rnode *node_get(rego_policy *p, rnode *n, rego_value key)
{
    if (n->kidx) {
        for (uint32_t j = (uint32_t)rego_hash(key) & n->kmask; n->kidx[j]; j = (j + 1) & n->kmask)
            if (rego_equal(n->kids[n->kidx[j] - 1]->key, key))
                return n->kids[n->kidx[j] - 1];
    } else {
        for (uint32_t i = 0; i < n->nkids; i++)
            if (rego_equal(n->kids[i]->key, key))
                return n->kids[i];
    }
    rnode **k = grow_array(p->arena, n->kids, n->nkids, &n->capkids, sizeof(*k));
    if (!k)
        return NULL;
    n->kids = k;
    rnode *c = node_new(p->arena, n, key);
    if (!c)
        return NULL;
    n->kids[n->nkids++] = c;
    if (n->nkids < NODE_INDEX_MIN)
        return c;
    if (n->kidx && n->nkids * 2 <= n->kmask + 1) {
        node_index_put(n, n->nkids - 1);
        return c;
    }
    uint32_t size = NODE_INDEX_MIN * 4;
    while (size < n->nkids * 4)
        size *= 2;
    uint32_t *idx = rp_arena_zalloc(p->arena, (size_t)size * sizeof(uint32_t));
    if (!idx)
        return NULL;
    n->kidx = idx;
    n->kmask = size - 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        node_index_put(n, i);
    return c;
}

/* The child of n at key: a binary search once the tree is sorted (after
 * the rules are placed), a scan before. */
static rnode *node_child(const rego_policy *p, rnode *n, rego_value key)
{
    if (p->tree_sorted)
        return rego_node_child(n, key);
    for (uint32_t i = 0; i < n->nkids; i++)
        if (rego_equal(n->kids[i]->key, key))
            return n->kids[i];
    return NULL;
}

static int cmp_nodes(const void *a, const void *b)
{
    return rego_compare((*(rnode *const *)a)->key, (*(rnode *const *)b)->key);
}

static void node_finish(rnode *n)
{
    n->kidx = NULL; /* sorting moves the kids: binary search from here on */
    if (n->nkids > 1)
        qsort(n->kids, n->nkids, sizeof(rnode *), cmp_nodes);
    n->has_values = n->rs && n->rs->kind != RS_FUNC;
    n->has_funcs = n->rs && n->rs->kind == RS_FUNC;
    for (uint32_t i = 0; i < n->nkids; i++) {
        node_finish(n->kids[i]);
        n->has_values |= n->kids[i]->has_values;
        n->has_funcs |= n->kids[i]->has_funcs;
    }
}

/* ---- per-rule compile context --------------------------------------------------- */

typedef struct scope {
    struct scope *up;
    const char **names; /* names bound (declared or allocated) in this scope */
    int32_t *slots;
    uint32_t n, cap;
    const char **here;  /* names occurring at this scope's level (not in closures) */
    uint32_t nhere, caphere;
    const char **decl;  /* names declared here with := or some: not shared with
                         * closures that come before the declaration */
    uint32_t ndecl, capdecl;
    uint32_t *locals;   /* every slot allocated in this scope or nested ones */
    uint32_t nlocals, caplocals;
} scope;

typedef struct {
    rego_policy *p;
    rp_arena *a;
    rp_error *err;
    const rego_module *mod;
    rego_value pkgpath;   /* array of package path strings (without data) */
    uint32_t nslots;
    const char **slot_names;
    uint32_t capslot;
    int depth;
    uint32_t ntmpl;       /* template-string captures generated so far */
    const rego_term *stmt_call; /* the call that is the expression being rewritten */
    bool query;
} cctx;

static bool scope_add_here(cctx *c, scope *s, const char *name)
{
    for (uint32_t i = 0; i < s->nhere; i++)
        if (strcmp(s->here[i], name) == 0)
            return true;
    const char **h = grow_array(c->a, s->here, s->nhere, &s->caphere, sizeof(*h));
    if (!h)
        return false;
    s->here = h;
    s->here[s->nhere++] = name;
    return true;
}

static bool scope_add_decl(cctx *c, scope *s, const char *name)
{
    const char **d = grow_array(c->a, s->decl, s->ndecl, &s->capdecl, sizeof(*d));
    if (!d)
        return false;
    s->decl = d;
    s->decl[s->ndecl++] = name;
    return true;
}

static bool scope_has_here(const scope *s, const char *name)
{
    for (uint32_t i = 0; i < s->ndecl; i++)
        if (strcmp(s->decl[i], name) == 0)
            return false;
    for (uint32_t i = 0; i < s->nhere; i++)
        if (strcmp(s->here[i], name) == 0)
            return true;
    return false;
}

static bool collect_decl_names(cctx *c, scope *s, const rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VAR:
        return strcmp(t->u.var.name, "_") == 0 || scope_add_decl(c, s, t->u.var.name);
    case REGO_TERM_ARRAY:
        for (uint32_t i = 0; i < t->n; i++)
            if (!collect_decl_names(c, s, t->u.c.items[i]))
                return false;
        return true;
    case REGO_TERM_OBJECT:
        for (uint32_t i = 1; i < t->n; i += 2)
            if (!collect_decl_names(c, s, t->u.c.items[i]))
                return false;
        return true;
    default:
        return true;
    }
}

static int32_t scope_bound(const scope *s, const char *name)
{
    for (uint32_t i = s->n; i-- > 0;)
        if (strcmp(s->names[i], name) == 0)
            return s->slots[i];
    return -1;
}

static int32_t new_slot(cctx *c, scope *s, const char *name)
{
    const char **sn = grow_array(c->a, c->slot_names, c->nslots, &c->capslot, sizeof(*sn));
    if (!sn)
        return -1;
    c->slot_names = sn;
    int32_t slot = (int32_t)c->nslots++;
    c->slot_names[slot] = name;
    if (name) {
        const char **nm = grow_array(c->a, s->names, s->n, &s->cap, sizeof(*nm));
        uint32_t cap2 = s->cap;
        if (!nm)
            return -1;
        s->names = nm;
        /* slots array grows in step with names */
        int32_t *sl = rp_arena_grow(c->a, s->slots, (size_t)s->n * sizeof(int32_t),
                                    (size_t)cap2 * sizeof(int32_t));
        if (!sl)
            return -1;
        s->slots = sl;
        s->names[s->n] = name;
        s->slots[s->n] = slot;
        s->n++;
    }
    for (scope *x = s; x; x = x->up) {
        uint32_t *l = grow_array(c->a, x->locals, x->nlocals, &x->caplocals, sizeof(*l));
        if (!l)
            return -1;
        x->locals = l;
        x->locals[x->nlocals++] = (uint32_t)slot;
    }
    return slot;
}

/* Finds the slot a variable name refers to from scope s, allocating it in
 * the outermost scope where the name occurs (Rego's closure rule). */
static int32_t lookup_var(cctx *c, scope *s, const char *name)
{
    for (scope *x = s; x; x = x->up) {
        int32_t slot = scope_bound(x, name);
        if (slot >= 0)
            return slot;
    }
    scope *owner = s;
    for (scope *x = s; x; x = x->up)
        if (scope_has_here(x, name))
            owner = x;
    return new_slot(c, owner, name);
}

/* ---- collecting variable names per scope level ------------------------------ */

static bool collect_term_names(cctx *c, scope *s, const rego_term *t);

static bool is_call_named(const rego_term *t, int special);

static bool collect_expr_names(cctx *c, scope *s, const rego_expr *e)
{
    switch ((rego_expr_kind)e->kind) {
    case REGO_EXPR_TERM:
        /* A negated expression is its own closure for names that occur only in it. */
        if (e->negated)
            break;
        if (is_call_named(e->term, CALL_ASSIGN) && e->term->n == 3) {
            if (!collect_decl_names(c, s, e->term->u.c.items[1]) ||
                !collect_term_names(c, s, e->term->u.c.items[2]))
                return false;
            break;
        }
        if (!collect_term_names(c, s, e->term))
            return false;
        break;
    case REGO_EXPR_SOME:
        for (uint32_t i = 0; i < e->nvars; i++)
            if (!collect_decl_names(c, s, e->vars[i]))
                return false;
        break; /* declarations bind in place */
    case REGO_EXPR_SOME_IN:
        if (!collect_term_names(c, s, e->domain))
            return false;
        if (e->key && !collect_decl_names(c, s, e->key))
            return false;
        if (!collect_decl_names(c, s, e->value))
            return false;
        break;
    case REGO_EXPR_EVERY:
        if (!collect_term_names(c, s, e->domain))
            return false;
        break;
    }
    for (uint32_t i = 0; i < e->nwith; i++)
        if (!collect_term_names(c, s, e->withs[i].value))
            return false;
    return true;
}

static bool collect_term_names(cctx *c, scope *s, const rego_term *t)
{
    if (!t)
        return true;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VAR:
        if (strcmp(t->u.var.name, "_") != 0)
            return scope_add_here(c, s, t->u.var.name);
        return true;
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i < t->n; i++)
            if (!collect_term_names(c, s, t->u.c.items[i]))
                return false;
        return true;
    case REGO_TERM_CALL:
        for (uint32_t i = 1; i < t->n; i++)
            if (!collect_term_names(c, s, t->u.c.items[i]))
                return false;
        return true;
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
    case REGO_TERM_TEMPLATE: /* its expressions become closures (lower_template) */
    case REGO_TERM_VALUE:
    case REGO_TERM_LOCAL:
    case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
        return true;
    }
    return true;
}

/* ---- global name resolution ---------------------------------------------------- */

/* Builds REF(DATA, path...) for a package-relative rule name. */
static rego_term *data_ref(cctx *c, rego_value path, const char *name, rp_loc loc)
{
    uint32_t n = 1 + path.n + (name ? 1 : 0);
    rego_term *t = new_term(c->a, REGO_TERM_REF, loc);
    rego_term **items = rp_arena_array(c->a, n, sizeof(rego_term *));
    if (!t || !items)
        return NULL;
    items[0] = new_term(c->a, REGO_TERM_DATA, loc);
    for (uint32_t i = 0; i < path.n; i++) {
        items[1 + i] = new_term(c->a, REGO_TERM_VALUE, loc);
        if (!items[1 + i])
            return NULL;
        items[1 + i]->u.value = path.u.items[i];
        items[1 + i]->ground_ = 1;
    }
    if (name) {
        rego_term *nt = new_term(c->a, REGO_TERM_VALUE, loc);
        if (!nt)
            return NULL;
        nt->u.value = rego_str_borrow(name, strlen(name));
        nt->ground_ = 1;
        items[n - 1] = nt;
    }
    t->u.c.items = items;
    t->n = n;
    return t;
}

static rnode *pkg_node(rego_policy *p, rego_value pkgpath);

/* Is name the first head segment of a rule of the current package (in any
 * module)?  Such names refer to data.<package>.<name>. */
static bool pkg_rule_named(cctx *c, const char *name)
{
    if (!c->mod)
        return false;
    rnode *pn = pkg_node(c->p, c->pkgpath);
    if (!pn)
        return false;
    rnode *k = node_child(c->p, pn, rego_str_borrow(name, strlen(name)));
    return k && k->rule_name;
}

/* An import that binds name, or NULL. */
static const rego_import *module_import(const rego_module *m, const char *name)
{
    if (!m)
        return NULL;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const rego_import *im = &m->imports[i];
        const rego_term *path = im->path;
        const rego_term *head = path->kind == REGO_TERM_REF ? path->u.c.items[0] : path;
        if (var_is(head, "future") || var_is(head, "rego"))
            continue;
        const char *bound = im->alias;
        if (!bound) {
            if (path->kind == REGO_TERM_REF && path->n > 1) {
                const rego_term *last = path->u.c.items[path->n - 1];
                if (last->kind == REGO_TERM_VALUE && last->u.value.kind == REGO_STRING)
                    bound = last->u.value.u.s;
            } else if (head->kind == REGO_TERM_VAR) {
                bound = head->u.var.name;
            }
        }
        if (bound && strcmp(bound, name) == 0)
            return im;
    }
    return NULL;
}

/* ---- term rewriting ------------------------------------------------------------- */

typedef struct cclosure {
    uint32_t *locals; /* slots owned by the closure */
    uint32_t nlocals;
} cclosure;

static rp_status rw_term(cctx *c, scope *s, rego_term **tp);
static rp_status rw_body(cctx *c, scope *s, rego_body *b);
static rp_status rw_expr(cctx *c, scope *s, rego_expr *e);

static bool term_is_ground(const rego_term *t)
{
    return t->kind == REGO_TERM_VALUE;
}

/* Folds a composite literal whose items are all VALUE terms into a VALUE. */
static rp_status fold_term(cctx *c, rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_ARRAY: {
        for (uint32_t i = 0; i < t->n; i++)
            if (!term_is_ground(t->u.c.items[i]))
                return RP_OK;
        rego_value v;
        rego_value *items = rego_array_alloc(c->a, t->n, &v);
        if (!items)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        for (uint32_t i = 0; i < t->n; i++)
            items[i] = t->u.c.items[i]->u.value;
        t->kind = REGO_TERM_VALUE;
        t->u.value = v;
        t->ground_ = 1;
        return RP_OK;
    }
    case REGO_TERM_SET: {
        for (uint32_t i = 0; i < t->n; i++)
            if (!term_is_ground(t->u.c.items[i]))
                return RP_OK;
        rego_setb b;
        rego_setb_init(&b, c->a);
        for (uint32_t i = 0; i < t->n; i++)
            rego_setb_add(&b, t->u.c.items[i]->u.value);
        rego_value v = rego_setb_finish(&b);
        if (v.kind == REGO_UNDEF)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        t->kind = REGO_TERM_VALUE;
        t->u.value = v;
        t->ground_ = 1;
        return RP_OK;
    }
    case REGO_TERM_OBJECT: {
        for (uint32_t i = 0; i < t->n; i++)
            if (!term_is_ground(t->u.c.items[i]))
                return RP_OK;
        rego_objb b;
        rego_objb_init(&b, c->a);
        for (uint32_t i = 0; i + 1 < t->n; i += 2) {
            rego_value k = t->u.c.items[i]->u.value, v = t->u.c.items[i + 1]->u.value;
            if (rego_objb_put(&b, k, v) == REGO_PUT_CONFLICT)
                return RP_OK; /* duplicate keys with different values: an eval-time conflict */
        }
        rego_value v = rego_objb_finish(&b);
        if (v.kind == REGO_UNDEF)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        t->kind = REGO_TERM_VALUE;
        t->u.value = v;
        t->ground_ = 1;
        return RP_OK;
    }
    default:
        return RP_OK;
    }
}

/* Builds the dotted name of a call operator ("array.concat") into buf. */
static bool operator_name(const rego_term *op, rp_buf *b)
{
    const rego_term *head = op->kind == REGO_TERM_REF ? op->u.c.items[0] : op;
    if (head->kind != REGO_TERM_VAR)
        return false;
    rp_buf_puts(b, head->u.var.name);
    if (op->kind == REGO_TERM_REF) {
        for (uint32_t i = 1; i < op->n; i++) {
            const rego_term *s = op->u.c.items[i];
            if (s->kind != REGO_TERM_VALUE || s->u.value.kind != REGO_STRING)
                return false;
            rp_buf_putc(b, '.');
            rp_buf_append(b, s->u.value.u.s, s->u.value.n);
        }
    }
    return true;
}

/* Finds the function ruleset at data path p..., or NULL. */
static ruleset *find_func_at(rnode *n, const rego_term *const *items, uint32_t from, uint32_t to)
{
    /* called once the tree is sorted (compiling bodies, queries) */
    for (uint32_t i = from; i < to && n; i++) {
        const rego_term *s = items[i];
        if (s->kind != REGO_TERM_VALUE)
            return NULL;
        n = rego_node_child(n, s->u.value);
    }
    /* A v0 zero-argument "function" `f() = 1` is a complete rule (OPA 0.x
     * puts it in data) that can still be called as f(). */
    if (n && n->rs && n->rs->kind == RS_COMPLETE && n->rs->zero_arg_func)
        return n->rs;
    return n && n->rs && n->rs->kind == RS_FUNC ? n->rs : NULL;
}

static rnode *pkg_node(rego_policy *p, rego_value pkgpath)
{
    rnode *n = p->root;
    for (uint32_t i = 0; i < pkgpath.n && n; i++)
        n = node_child(p, n, pkgpath.u.items[i]);
    return n;
}

/* Resolves a call operator (by name) to a user function, a builtin, or a
 * call the evaluator handles itself.  Reports "undefined function". */
static rp_status resolve_operator(cctx *c, const rego_term *op, rp_loc loc, ccall *cc)
{
    rp_buf name;
    rp_buf_init(&name);
    bool named = operator_name(op, &name);
    const char *nm = rp_buf_cstr(&name);
    const rego_term *head = op->kind == REGO_TERM_REF ? op->u.c.items[0] : op;
    rego_term *tmp[64];
    uint32_t k = 0;
    rego_term hn = {0};
    ruleset *fn = NULL;
    rp_status st = RP_OK;
    if (!named) {
        rp_buf_free(&name);
        return compile_err(c->err, RP_EK_TYPE, loc, "invalid call operator");
    }
    if (var_is(head, "data")) {
        fn = find_func_at(c->p->root, (const rego_term *const *)op->u.c.items, 1, op->n);
    } else if (pkg_rule_named(c, head->u.var.name)) {
        hn.kind = REGO_TERM_VALUE;
        hn.u.value = rego_str_borrow(head->u.var.name, strlen(head->u.var.name));
        tmp[k++] = &hn;
        for (uint32_t i = 1; op->kind == REGO_TERM_REF && i < op->n && k < 64; i++)
            tmp[k++] = op->u.c.items[i];
        fn = find_func_at(pkg_node(c->p, c->pkgpath), (const rego_term *const *)tmp, 0, k);
    } else {
        const rego_import *im = module_import(c->mod, head->u.var.name);
        if (im && im->path->kind == REGO_TERM_REF && var_is(im->path->u.c.items[0], "data")) {
            for (uint32_t i = 1; i < im->path->n && k < 64; i++)
                tmp[k++] = im->path->u.c.items[i];
            for (uint32_t i = 1; op->kind == REGO_TERM_REF && i < op->n && k < 64; i++)
                tmp[k++] = op->u.c.items[i];
            fn = find_func_at(c->p->root, (const rego_term *const *)tmp, 0, k);
        }
    }
    if (fn) {
        cc->fn = fn;
        cc->nargs = fn->arity;
    } else {
        const rego_builtin *bi = rego_builtin_find(nm, name.len);
        if (bi && (bi->flags & REGO_BI_DEPRECATED) && c->mod && c->mod->version == REGO_V1)
            bi = NULL;
        if (bi) {
            cc->bi = bi;
            cc->nargs = bi->arity;
            if (!strcmp(bi->name, "walk"))
                cc->special = CALL_WALK;
        } else if (!strcmp(nm, "eq")) {
            cc->special = CALL_EQ;
            cc->nargs = 2;
        } else if (!strcmp(nm, "assign")) {
            cc->special = CALL_ASSIGN;
            cc->nargs = 2;
        } else if (!strcmp(nm, "rego.metadata.rule")) {
            cc->special = CALL_METADATA_RULE;
        } else if (!strcmp(nm, "rego.metadata.chain")) {
            cc->special = CALL_METADATA_CHAIN;
        } else {
            st = compile_err(c->err, RP_EK_TYPE, loc, "undefined function %s", nm);
        }
    }
    rp_buf_free(&name);
    return st;
}

/* Resolves a call term's operator and checks its arity (one extra argument
 * is the output of the old calling convention `count(x, n)`). */
static rp_status resolve_call(cctx *c, rego_term *call, ccall **out)
{
    ccall *cc = rp_arena_zalloc(c->a, sizeof(ccall));
    if (!cc)
        return rp_error_set(c->err, RP_ERR_NOMEM, call->loc, "out of memory");
    *out = cc;
    rp_status st = resolve_operator(c, call->u.c.items[0], call->loc, cc);
    if (st != RP_OK)
        return st;
    uint32_t nargs = call->n - 1;
    bool variadic = cc->bi && (cc->bi->flags & REGO_BI_VARIADIC);
    if (variadic) {
        cc->nargs = nargs;
        return RP_OK;
    }
    bool noresult = cc->special == CALL_EQ || cc->special == CALL_ASSIGN ||
                    (cc->bi && (cc->bi->flags & REGO_BI_NORESULT));
    if (nargs == cc->nargs + 1 && !noresult) {
        cc->has_output = true;
        return RP_OK;
    }
    if (nargs != cc->nargs) {
        rp_buf name;
        rp_buf_init(&name);
        operator_name(call->u.c.items[0], &name);
        st = compile_err(c->err, RP_EK_TYPE, call->loc, "%s: %s arguments", rp_buf_cstr(&name),
                         nargs < cc->nargs ? "too few" : "too many");
        rp_buf_free(&name);
    }
    return st;
}

static rp_status finish_ref(cctx *c, rego_term *t);

/* Resolves a variable used as a term in scope s. */
static rp_status rw_var(cctx *c, scope *s, rego_term **tp)
{
    rego_term *t = *tp;
    const char *name = t->u.var.name;
    if (!strcmp(name, "_")) {
        int32_t slot = new_slot(c, s, NULL);
        if (slot < 0)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        c->slot_names[slot] = "_";
        t->kind = REGO_TERM_LOCAL;
        t->u.var.slot = slot;
        return RP_OK;
    }
    if (!strcmp(name, "data") || !strcmp(name, "input")) {
        rego_term *r = new_term(c->a, REGO_TERM_REF, t->loc);
        rego_term **items = rp_arena_array(c->a, 1, sizeof(rego_term *));
        if (!r || !items)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        items[0] = new_term(c->a, name[0] == 'd' ? REGO_TERM_DATA : REGO_TERM_INPUT, t->loc);
        r->u.c.items = items;
        r->n = 1;
        *tp = r;
        return RP_OK;
    }
    /* Declared or already allocated locals win over globals. */
    for (scope *x = s; x; x = x->up) {
        int32_t slot = scope_bound(x, name);
        if (slot >= 0) {
            t->kind = REGO_TERM_LOCAL;
            t->u.var.slot = slot;
            return RP_OK;
        }
    }
    if (pkg_rule_named(c, name)) {
        rego_term *r = data_ref(c, c->pkgpath, name, t->loc);
        if (!r)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        *tp = r;
        return finish_ref(c, r);
    }
    const rego_import *im = module_import(c->mod, name);
    if (im) {
        /* Copy the import's path as a ref, converting its head. */
        const rego_term *path = im->path;
        uint32_t n = path->kind == REGO_TERM_REF ? path->n : 1;
        rego_term *r = new_term(c->a, REGO_TERM_REF, t->loc);
        rego_term **items = rp_arena_array(c->a, n, sizeof(rego_term *));
        if (!r || !items)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        const rego_term *head = path->kind == REGO_TERM_REF ? path->u.c.items[0] : path;
        items[0] = new_term(c->a, var_is(head, "input") ? REGO_TERM_INPUT : REGO_TERM_DATA, t->loc);
        for (uint32_t i = 1; i < n; i++)
            items[i] = path->u.c.items[i];
        r->u.c.items = items;
        r->n = n;
        *tp = r;
        return finish_ref(c, r);
    }
    int32_t slot = lookup_var(c, s, name);
    if (slot < 0)
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    t->kind = REGO_TERM_LOCAL;
    t->u.var.slot = slot;
    return RP_OK;
}

/* Walks the ground prefix of a data ref through the rule tree and the base
 * data once, at compile time, so evaluation starts where the prefix ends.
 * Stops at a node that holds rules (its value needs evaluation). */
static rp_status resolve_data_prefix(cctx *c, rego_term *t)
{
    const rnode *n = c->p->root;
    rego_value base = c->p->data;
    uint32_t i = 1;
    /* Descend while the tree continues; once below it, the runtime walks
     * plain base data from here (arrays, sets, ...) with full lookups. */
    while (i < t->n && n && !n->rs) {
        const rego_term *k = t->u.c.items[i];
        if (k->kind != REGO_TERM_VALUE)
            break;
        n = rego_node_child(n, k->u.value);
        rego_value child = rego_undef();
        if (base.kind == REGO_OBJECT)
            rego_object_get(base, k->u.value, &child);
        base = child;
        i++;
    }
    cref *r = rp_arena_alloc(c->a, sizeof(cref));
    if (!r)
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    r->node = n;
    r->i = i;
    r->base = base;
    t->u.c.resolved = r;
    return RP_OK;
}

/* The last step for every rewritten ref: constant string keys carry their
 * hash (lookups in big objects skip hashing), and a data ref's ground
 * prefix is resolved against the rule tree. */
static rp_status finish_ref(cctx *c, rego_term *t)
{
    for (uint32_t i = 1; i < t->n; i++) {
        rego_term *k = t->u.c.items[i];
        if (k->kind == REGO_TERM_VALUE && k->u.value.kind == REGO_STRING) {
            k->n = (uint32_t)rego_hash_str(k->u.value.u.s, k->u.value.n);
            k->flags_ |= TF_HASHED;
        }
    }
    if (t->u.c.items[0]->kind == REGO_TERM_DATA && c->p->root)
        return resolve_data_prefix(c, t);
    return RP_OK;
}

/* Flattens REF(REF(...), ...) produced when a ref's head resolves to a ref. */
static rp_status rw_ref(cctx *c, scope *s, rego_term *t)
{
    rego_term **head = &t->u.c.items[0];
    rp_status st = (*head)->kind == REGO_TERM_VAR ? rw_var(c, s, head) : rw_term(c, s, head);
    if (st != RP_OK)
        return st;
    for (uint32_t i = 1; i < t->n; i++)
        if ((st = rw_term(c, s, &t->u.c.items[i])) != RP_OK)
            return st;
    rego_term *h = t->u.c.items[0];
    if (h->kind == REGO_TERM_REF) {
        uint32_t n = h->n + t->n - 1;
        rego_term **items = rp_arena_array(c->a, n, sizeof(rego_term *));
        if (!items)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        memcpy(items, h->u.c.items, h->n * sizeof(rego_term *));
        memcpy(items + h->n, t->u.c.items + 1, (t->n - 1) * sizeof(rego_term *));
        t->u.c.items = items;
        t->n = n;
    }
    if (t->n == 1 && t->u.c.items[0]->kind != REGO_TERM_DATA &&
        t->u.c.items[0]->kind != REGO_TERM_INPUT) {
        /* a one-element ref is just its head */
        *t = *t->u.c.items[0];
        return RP_OK;
    }
    return finish_ref(c, t);
}

static rp_status rw_closure(cctx *c, scope *s, rego_term *t)
{
    scope inner = {0};
    inner.up = s;
    rp_status st;
    for (uint32_t i = 0; i < (t->kind == REGO_TERM_OBJECT_COMPR ? 2u : 1u); i++)
        if (!collect_term_names(c, &inner, t->u.c.items[i]))
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    for (uint32_t i = 0; i < t->u.c.body->n; i++)
        if (!collect_expr_names(c, &inner, t->u.c.body->exprs[i]))
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    if ((st = rw_body(c, &inner, t->u.c.body)) != RP_OK)
        return st;
    for (uint32_t i = 0; i < (t->kind == REGO_TERM_OBJECT_COMPR ? 2u : 1u); i++)
        if ((st = rw_term(c, &inner, &t->u.c.items[i])) != RP_OK)
            return st;
    cclosure *cl = rp_arena_zalloc(c->a, sizeof(cclosure));
    if (!cl)
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    cl->locals = inner.locals;
    cl->nlocals = inner.nlocals;
    t->u.c.resolved = cl;
    return RP_OK;
}

/* ---- template strings ------------------------------------------------------------
 * OPA lowers $"a{x}b" to internal.template_string(["a", {v | v = x}, "b"])
 * (v1/ast/compile.go rewriteTemplateString): text and lone scalars are
 * passed as they are, every other expression is captured in a set
 * comprehension carrying the expression's `with` modifiers, so that an
 * undefined expression gives an empty set ("<undefined>") instead of an
 * undefined string, and several values a set the builtin rejects.  The
 * comprehensions are ordinary closures from here on: scoping, safety
 * reordering and evaluation need nothing special.  OPA's compile-time
 * checks on the expressions are kept: a call to a relation builtin is an
 * error (here), and so is a variable that is not safe where the string is
 * (template_var_missing, during safety analysis). */

static rego_term *mk_var_term(cctx *c, const char *name, rp_loc loc)
{
    rego_term *t = new_term(c->a, REGO_TERM_VAR, loc);
    if (t) {
        t->u.var.name = name;
        t->u.var.len = (uint32_t)strlen(name);
    }
    return t;
}

/* REF(VAR head, "elem"): an operator such as internal.template_string. */
static rego_term *mk_operator(cctx *c, const char *head, const char *elem, rp_loc loc)
{
    rego_term *r = new_term(c->a, REGO_TERM_REF, loc);
    rego_term **items = rp_arena_array(c->a, 2, sizeof(rego_term *));
    if (!r || !items || !(items[0] = mk_var_term(c, head, loc)))
        return NULL;
    r->u.c.items = items;
    r->n = elem ? 2 : 1;
    if (elem) {
        if (!(items[1] = new_term(c->a, REGO_TERM_VALUE, loc)))
            return NULL;
        items[1]->u.value = rego_str_borrow(elem, strlen(elem));
    }
    return r;
}

/* The builtin call x names, when a rule of the package or an import does
 * not shadow the name; NULL otherwise.  For the checks OPA makes on calls
 * before they are resolved (template parts, void calls). */
static const rego_builtin *call_builtin_of(cctx *c, const rego_term *x)
{
    const rego_term *op = x->u.c.items[0];
    const rego_term *head = op->kind == REGO_TERM_REF ? op->u.c.items[0] : op;
    if (head->kind != REGO_TERM_VAR || pkg_rule_named(c, head->u.var.name) ||
        module_import(c->mod, head->u.var.name))
        return NULL;
    rp_buf name;
    rp_buf_init(&name);
    const rego_builtin *bi =
        operator_name(op, &name) ? rego_builtin_find(rp_buf_cstr(&name), name.len) : NULL;
    rp_buf_free(&name);
    return bi;
}

/* OPA rejects a relation builtin (walk) as a template expression, since it
 * may produce several values; the error has no location (OPA reports it
 * through a term that is not built yet). */
static rp_status check_template_call(cctx *c, const rego_term *x)
{
    const rego_builtin *bi = call_builtin_of(c, x);
    if (bi && (bi->flags & REGO_BI_RELATION))
        return compile_err(c->err, RP_EK_COMPILE, (rp_loc){0},
                           "illegal call to relation built-in '%s' that may cause multiple outputs",
                           bi->name);
    return RP_OK;
}

/* {$tN | $tN = x} with the given `with` modifiers (a template part's own;
 * print's arguments have none: the statement's apply to the whole call).
 * The variable's name cannot be written in Rego, so it meets no user
 * variable, and each capture has its own (a nested template string's
 * capture must not bind the outer one's).  flag marks the comprehension for
 * the safety pass's "var x is undeclared" check (TF_TEMPLATE, TF_PRINT). */
static rego_term *capture(cctx *c, rego_term *x, rego_with *withs, uint32_t nwith, unsigned flag)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "$t%u", (unsigned)c->ntmpl++);
    size_t n = strlen(buf);
    char *name = rp_arena_alloc(c->a, n + 1);
    rego_term *compr = new_term(c->a, REGO_TERM_SET_COMPR, x->loc);
    rego_term **head = rp_arena_array(c->a, 1, sizeof(rego_term *));
    rego_term **eq = rp_arena_array(c->a, 3, sizeof(rego_term *));
    rego_term *call = new_term(c->a, REGO_TERM_CALL, x->loc);
    rego_expr *cap = rp_arena_zalloc(c->a, sizeof(rego_expr));
    rego_body *body = rp_arena_zalloc(c->a, sizeof(rego_body));
    rego_expr **exprs = rp_arena_array(c->a, 1, sizeof(rego_expr *));
    if (!name || !compr || !head || !eq || !call || !cap || !body || !exprs)
        return NULL;
    memcpy(name, buf, n + 1);
    if (!(head[0] = mk_var_term(c, name, x->loc)) || !(eq[0] = mk_operator(c, "eq", NULL, x->loc)) ||
        !(eq[1] = mk_var_term(c, name, x->loc)))
        return NULL;
    eq[2] = x;
    call->u.c.items = eq;
    call->n = 3;
    cap->kind = REGO_EXPR_TERM;
    cap->loc = x->loc;
    cap->term = call;
    cap->withs = withs;
    cap->nwith = nwith;
    exprs[0] = cap;
    body->exprs = exprs;
    body->n = 1;
    body->loc = x->loc;
    compr->u.c.items = head;
    compr->n = 1;
    compr->u.c.body = body;
    compr->flags_ |= flag;
    return compr;
}

/* Replaces the template string at *tp by its internal.template_string call
 * (not yet resolved: the caller rewrites it as any other call). */
static rp_status lower_template(cctx *c, rego_term **tp)
{
    rego_term *t = *tp;
    const rego_body *parts = t->u.c.body;
    uint32_t n = parts->n ? parts->n : 1;
    rego_term *arr = new_term(c->a, REGO_TERM_ARRAY, t->loc);
    rego_term **items = rp_arena_array(c->a, n, sizeof(rego_term *));
    rego_term *call = new_term(c->a, REGO_TERM_CALL, t->loc);
    rego_term **args = rp_arena_array(c->a, 2, sizeof(rego_term *));
    if (!arr || !items || !call || !args)
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    if (parts->n == 0) { /* $"": OPA passes one empty string */
        if (!(items[0] = new_term(c->a, REGO_TERM_VALUE, t->loc)))
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        items[0]->u.value = rego_str_borrow("", 0);
    }
    for (uint32_t i = 0; i < parts->n; i++) {
        const rego_expr *part = parts->exprs[i];
        if (part->tmpl_term) {
            items[i] = part->term;
            continue;
        }
        if (part->term->kind == REGO_TERM_CALL) {
            rp_status st = check_template_call(c, part->term);
            if (st != RP_OK)
                return st;
        }
        if (!(items[i] = capture(c, part->term, part->withs, part->nwith, TF_TEMPLATE)))
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    }
    arr->u.c.items = items;
    arr->n = n;
    if (!(args[0] = mk_operator(c, "internal", "template_string", t->loc)))
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    args[1] = arr;
    call->u.c.items = args;
    call->n = 2;
    *tp = call;
    return RP_OK;
}

/* ---- print -------------------------------------------------------------------------
 * OPA lowers print(a, b) to internal.print([{v | v = a}, {w | w = b}])
 * (compile.go rewritePrintCalls): each argument captured in a set
 * comprehension, so an undefined argument prints "<undefined>" and one with
 * several values prints a line for each.  A variable in an argument must be
 * safe where the call is ("var x is undeclared" otherwise, checked by the
 * safety pass as for template strings). */

/* Whether t calls the print builtin: the bare name, not shadowed by a rule
 * of the package or an import. */
static bool is_print_call(cctx *c, const rego_term *t)
{
    const rego_term *op = t->u.c.items[0];
    if (op->kind == REGO_TERM_REF) {
        if (op->n != 1)
            return false;
        op = op->u.c.items[0];
    }
    return op->kind == REGO_TERM_VAR && var_is(op, "print") && !pkg_rule_named(c, "print") &&
           !module_import(c->mod, "print");
}

/* A call of a function with no result (print, internal.print) is a
 * statement: OPA's CheckVoidCalls rejects one used as a value. */
static rp_status check_void_call(cctx *c, const rego_term *t)
{
    if (!is_print_call(c, t)) {
        const rego_builtin *bi = call_builtin_of(c, t);
        if (!bi || !(bi->flags & REGO_BI_NORESULT))
            return RP_OK;
    }
    rp_buf text;
    rp_buf_init(&text);
    rego_term_write(&text, t);
    rp_status st = compile_err(c->err, RP_EK_TYPE, t->loc, "%s used as value", rp_buf_cstr(&text));
    rp_buf_free(&text);
    return st;
}

/* Replaces the print call at *tp by its internal.print call (not yet
 * resolved: the caller rewrites it as any other call). */
static rp_status lower_print(cctx *c, rego_term **tp)
{
    rego_term *t = *tp;
    uint32_t n = t->n - 1;
    rego_term *arr = new_term(c->a, REGO_TERM_ARRAY, t->loc);
    rego_term **items = rp_arena_array(c->a, n ? n : 1, sizeof(rego_term *));
    rego_term *call = new_term(c->a, REGO_TERM_CALL, t->loc);
    rego_term **args = rp_arena_array(c->a, 2, sizeof(rego_term *));
    if (!arr || !items || !call || !args)
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        if (!(items[i] = capture(c, t->u.c.items[1 + i], NULL, 0, TF_PRINT)))
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    arr->u.c.items = items;
    arr->n = n;
    if (!(args[0] = mk_operator(c, "internal", "print", t->loc)))
        return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
    args[1] = arr;
    call->u.c.items = args;
    call->n = 2;
    *tp = call;
    return RP_OK;
}

static rp_status rw_term(cctx *c, scope *s, rego_term **tp)
{
    rego_term *t = *tp;
    rp_status st = RP_OK;
    if (++c->depth > REGO_PARSE_MAX_DEPTH) {
        c->depth--;
        return rp_error_set(c->err, RP_ERR_LIMIT, t->loc, "term nesting deeper than %d",
                            REGO_PARSE_MAX_DEPTH);
    }
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
        t->ground_ = 1;
        break;
    case REGO_TERM_VAR:
        st = rw_var(c, s, tp);
        break;
    case REGO_TERM_REF:
        st = rw_ref(c, s, t);
        break;
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i < t->n && st == RP_OK; i++)
            st = rw_term(c, s, &t->u.c.items[i]);
        if (st == RP_OK)
            st = fold_term(c, t);
        break;
    case REGO_TERM_CALL: {
        ccall *cc = NULL;
        if (t != c->stmt_call && (st = check_void_call(c, t)) != RP_OK)
            break;
        if (is_print_call(c, t)) {
            if ((st = lower_print(c, tp)) != RP_OK)
                break;
            t = *tp;
        }
        for (uint32_t i = 1; i < t->n && st == RP_OK; i++)
            st = rw_term(c, s, &t->u.c.items[i]);
        if (st == RP_OK)
            st = resolve_call(c, t, &cc);
        t->u.c.resolved = cc;
        break;
    }
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        st = rw_closure(c, s, t);
        break;
    case REGO_TERM_TEMPLATE:
        st = lower_template(c, tp);
        if (st == RP_OK)
            st = rw_term(c, s, tp);
        break;
    case REGO_TERM_LOCAL:
    case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
        break;
    }
    c->depth--;
    return st;
}

/* Declares every variable in a pattern term as a new local of scope s. */
static rp_status declare_pattern(cctx *c, scope *s, rego_term *t, bool check_redecl)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VAR: {
        const char *name = t->u.var.name;
        if (!strcmp(name, "_"))
            return RP_OK;
        if (check_redecl && scope_bound(s, name) >= 0)
            return compile_err(c->err, RP_EK_COMPILE, t->loc, "var %s assigned above", name);
        if (new_slot(c, s, name) < 0)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        return RP_OK;
    }
    case REGO_TERM_ARRAY:
        for (uint32_t i = 0; i < t->n; i++) {
            rp_status st = declare_pattern(c, s, t->u.c.items[i], check_redecl);
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    case REGO_TERM_OBJECT:
        for (uint32_t i = 1; i < t->n; i += 2) {
            rp_status st = declare_pattern(c, s, t->u.c.items[i], check_redecl);
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    default:
        return RP_OK;
    }
}

static bool is_call_named(const rego_term *t, int special)
{
    if (!t || t->kind != REGO_TERM_CALL)
        return false;
    const rego_term *op = t->u.c.items[0];
    const rego_term *head = op->kind == REGO_TERM_REF ? op->u.c.items[0] : op;
    if (op->kind == REGO_TERM_REF && op->n > 1)
        return false;
    if (special == CALL_EQ)
        return var_is(head, "eq");
    if (special == CALL_ASSIGN)
        return var_is(head, "assign");
    return false;
}

static rp_status rw_withs(cctx *c, scope *s, rego_expr *e);

static rp_status rw_expr(cctx *c, scope *s, rego_expr *e)
{
    rp_status st = RP_OK;
    switch ((rego_expr_kind)e->kind) {
    case REGO_EXPR_SOME:
        for (uint32_t i = 0; i < e->nvars && st == RP_OK; i++)
            st = declare_pattern(c, s, e->vars[i], false);
        e->flags_ = EXPR_OP_NOP;
        break;
    case REGO_EXPR_SOME_IN:
        if ((st = rw_term(c, s, &e->domain)) != RP_OK)
            break;
        if (e->key && (st = declare_pattern(c, s, e->key, false)) != RP_OK)
            break;
        if ((st = declare_pattern(c, s, e->value, false)) != RP_OK)
            break;
        if (e->key && (st = rw_term(c, s, &e->key)) != RP_OK)
            break;
        st = rw_term(c, s, &e->value);
        e->flags_ = EXPR_OP_SOME_IN;
        break;
    case REGO_EXPR_EVERY: {
        if ((st = rw_term(c, s, &e->domain)) != RP_OK)
            break;
        scope inner = {0};
        inner.up = s;
        for (uint32_t i = 0; i < e->body->n; i++)
            if (!collect_expr_names(c, &inner, e->body->exprs[i]))
                return rp_error_set(c->err, RP_ERR_NOMEM, e->loc, "out of memory");
        if (e->key && (st = declare_pattern(c, &inner, e->key, false)) != RP_OK)
            break;
        if ((st = declare_pattern(c, &inner, e->value, false)) != RP_OK)
            break;
        if (e->key && (st = rw_term(c, &inner, &e->key)) != RP_OK)
            break;
        if ((st = rw_term(c, &inner, &e->value)) != RP_OK)
            break;
        if ((st = rw_body(c, &inner, e->body)) != RP_OK)
            break;
        cclosure *cl = rp_arena_zalloc(c->a, sizeof(cclosure));
        if (!cl)
            return rp_error_set(c->err, RP_ERR_NOMEM, e->loc, "out of memory");
        cl->locals = inner.locals;
        cl->nlocals = inner.nlocals;
        e->compiled_ = cl;
        e->flags_ = EXPR_OP_EVERY;
        break;
    }
    case REGO_EXPR_TERM: {
        scope neg = {0};
        scope *es = s;
        if (e->negated) {
            /* Names that occur only inside the negation are local to it. */
            neg.up = s;
            if (!collect_term_names(c, &neg, e->term))
                return rp_error_set(c->err, RP_ERR_NOMEM, e->loc, "out of memory");
            es = &neg;
        }
        rego_term *t = e->term;
        if (is_call_named(t, CALL_ASSIGN)) {
            /* x := v: rhs first, then declare the lhs pattern. */
            if (t->n != 3)
                return compile_err(c->err, RP_EK_COMPILE, t->loc, "assign: wrong arity");
            rego_term *lhs = t->u.c.items[1];
            if (lhs->kind != REGO_TERM_VAR && lhs->kind != REGO_TERM_ARRAY &&
                lhs->kind != REGO_TERM_OBJECT)
                return compile_err(c->err, RP_EK_COMPILE, lhs->loc,
                                   "cannot assign to %s", lhs->kind == REGO_TERM_REF ? "ref" : "term");
            if ((st = rw_term(c, es, &t->u.c.items[2])) != RP_OK)
                break;
            if (lhs->kind == REGO_TERM_VAR && scope_bound(es, lhs->u.var.name) >= 0)
                return compile_err(c->err, RP_EK_COMPILE, lhs->loc, "var %s referenced above",
                                   lhs->u.var.name);
            if ((st = declare_pattern(c, es, lhs, true)) != RP_OK)
                break;
            if ((st = rw_term(c, es, &t->u.c.items[1])) != RP_OK)
                break;
            e->flags_ = EXPR_OP_UNIFY;
        } else if (is_call_named(t, CALL_EQ)) {
            if (t->n != 3)
                return compile_err(c->err, RP_EK_COMPILE, t->loc, "eq: wrong arity");
            if ((st = rw_term(c, es, &t->u.c.items[1])) != RP_OK ||
                (st = rw_term(c, es, &t->u.c.items[2])) != RP_OK)
                break;
            e->flags_ = EXPR_OP_UNIFY;
        } else if (t->kind == REGO_TERM_CALL) {
            c->stmt_call = t;
            if ((st = rw_term(c, es, &e->term)) != RP_OK)
                break;
            e->flags_ = EXPR_OP_CALL;
        } else {
            if ((st = rw_term(c, es, &e->term)) != RP_OK)
                break;
            e->flags_ = EXPR_OP_TERM;
        }
        if (e->negated) {
            cclosure *cl = rp_arena_zalloc(c->a, sizeof(cclosure));
            if (!cl)
                return rp_error_set(c->err, RP_ERR_NOMEM, e->loc, "out of memory");
            cl->locals = neg.locals;
            cl->nlocals = neg.nlocals;
            e->compiled_ = cl;
        }
        break;
    }
    }
    if (st == RP_OK && e->nwith)
        st = rw_withs(c, s, e);
    return st;
}

static bool name_is_local(const scope *s, const char *name)
{
    for (const scope *x = s; x; x = x->up)
        if (scope_bound(x, name) >= 0)
            return true;
    return false;
}

static rp_status rw_with_target(cctx *c, rego_with *w, cwith *cw)
{
    rego_term *t = w->target;
    const rego_term *head = t->kind == REGO_TERM_REF ? t->u.c.items[0] : t;
    uint32_t n = t->kind == REGO_TERM_REF ? t->n : 1;
    if (var_is(head, "input") || var_is(head, "data")) {
        cw->kind = var_is(head, "input") ? WITH_INPUT : WITH_DATA;
        rego_value *keys = rego_array_alloc(c->a, n - 1, &cw->path);
        if (!keys)
            return rp_error_set(c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        for (uint32_t i = 1; i < n; i++) {
            const rego_term *s = t->u.c.items[i];
            if (s->kind != REGO_TERM_VALUE)
                return compile_err(c->err, RP_EK_TYPE, s->loc,
                                   "with keyword target must be a ground reference");
            keys[i - 1] = s->u.value;
        }
        /* A data target naming a function mocks it. */
        if (cw->kind == WITH_DATA) {
            ruleset *fn = find_func_at(c->p->root, (const rego_term *const *)t->u.c.items, 1, n);
            if (fn) {
                cw->kind = WITH_FUNC;
                cw->fn = fn;
            }
        }
        return RP_OK;
    }
    ccall cc = {0};
    rp_status st = resolve_operator(c, t, t->loc, &cc);
    if (st != RP_OK || (!cc.bi && !cc.fn)) {
        rp_error_clear(c->err);
        return compile_err(c->err, RP_EK_TYPE, t->loc,
                           "with keyword target must reference existing input, data, or a function");
    }
    cw->kind = WITH_FUNC;
    cw->bi = cc.bi;
    cw->fn = cc.fn;
    return RP_OK;
}

static rp_status rw_withs(cctx *c, scope *s, rego_expr *e)
{
    for (uint32_t i = 0; i < e->nwith; i++) {
        rego_with *w = &e->withs[i];
        cwith *cw = rp_arena_zalloc(c->a, sizeof(cwith));
        if (!cw)
            return rp_error_set(c->err, RP_ERR_NOMEM, e->loc, "out of memory");
        w->compiled_ = cw;
        rp_status st = rw_with_target(c, w, cw);
        if (st != RP_OK)
            return st;
        /* `with f as g`: a replacement that names a function or builtin. */
        rego_term *v = w->value;
        const rego_term *vh = v->kind == REGO_TERM_REF ? v->u.c.items[0] : v;
        if (cw->kind == WITH_FUNC && vh->kind == REGO_TERM_VAR &&
            !name_is_local(s, vh->u.var.name) && strcmp(vh->u.var.name, "input") &&
            strcmp(vh->u.var.name, "data")) {
            ccall *cc = rp_arena_zalloc(c->a, sizeof(ccall));
            if (!cc)
                return rp_error_set(c->err, RP_ERR_NOMEM, e->loc, "out of memory");
            rp_error probe = {0};
            rp_error *saved = c->err;
            c->err = &probe;
            st = resolve_operator(c, v, v->loc, cc);
            c->err = saved;
            if (st == RP_OK && (cc->bi || cc->fn)) {
                cw->repl = cc;
                continue;
            }
        }
        if ((st = rw_term(c, s, &w->value)) != RP_OK)
            return st;
    }
    return RP_OK;
}

static rp_status rw_body(cctx *c, scope *s, rego_body *b)
{
    for (uint32_t i = 0; i < b->n; i++) {
        rp_status st = rw_expr(c, s, b->exprs[i]);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

/* ---- safety analysis and reordering ------------------------------------------------ */

typedef struct {
    uint64_t *w;
    uint32_t nwords;
} bits;

static bool bits_new(rp_arena *a, bits *b, uint32_t nslots)
{
    b->nwords = (nslots + 63) / 64 + 1;
    b->w = rp_arena_zalloc(a, b->nwords * sizeof(uint64_t));
    return b->w != NULL;
}
static inline bool bits_has(const bits *b, uint32_t i) { return (b->w[i / 64] >> (i % 64)) & 1; }
static inline void bits_set(bits *b, uint32_t i) { b->w[i / 64] |= 1ull << (i % 64); }
static void bits_copy(bits *dst, const bits *src) { memcpy(dst->w, src->w, src->nwords * 8); }

/* Visits every slot occurrence needed to *evaluate* t as a value given safe
 * set S: returns the first missing slot or -1. */
static int32_t term_missing(const rego_term *t, const bits *S);
static int32_t pattern_missing(const rego_term *t, const bits *S);

static int32_t closure_missing(const cclosure *cl, const rego_term *t, const bits *S);

static int32_t term_missing(const rego_term *t, const bits *S)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
    case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
        return -1;
    case REGO_TERM_LOCAL:
        return bits_has(S, (uint32_t)t->u.var.slot) ? -1 : t->u.var.slot;
    case REGO_TERM_VAR:
        return -1;
    case REGO_TERM_REF: {
        int32_t m = term_missing(t->u.c.items[0], S);
        if (m >= 0)
            return m;
        for (uint32_t i = 1; i < t->n; i++) {
            const rego_term *p = t->u.c.items[i];
            if (p->kind == REGO_TERM_LOCAL)
                continue; /* enumerated when unbound */
            m = (p->kind == REGO_TERM_ARRAY || p->kind == REGO_TERM_OBJECT) ? pattern_missing(p, S)
                                                                           : term_missing(p, S);
            if (m >= 0)
                return m;
        }
        return -1;
    }
    case REGO_TERM_CALL: {
        const ccall *cc = t->u.c.resolved;
        uint32_t nin = t->n - 1;
        if (cc && cc->has_output)
            nin--;
        for (uint32_t i = 1; i <= nin; i++) {
            int32_t m = term_missing(t->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return -1;
    }
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i < t->n; i++) {
            int32_t m = term_missing(t->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return -1;
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        return closure_missing(t->u.c.resolved, t, S);
    case REGO_TERM_TEMPLATE: /* lowered before this pass */
        return -1;
    }
    return -1;
}

static int32_t pattern_missing(const rego_term *t, const bits *S)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_LOCAL:
        return -1;
    case REGO_TERM_ARRAY:
        for (uint32_t i = 0; i < t->n; i++) {
            int32_t m = pattern_missing(t->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return -1;
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i + 1 < t->n; i += 2) {
            int32_t m = term_missing(t->u.c.items[i], S);
            if (m < 0)
                m = pattern_missing(t->u.c.items[i + 1], S);
            if (m >= 0)
                return m;
        }
        return -1;
    default:
        return term_missing(t, S);
    }
}

static bool in_locals(const cclosure *cl, uint32_t slot)
{
    for (uint32_t i = 0; i < cl->nlocals; i++)
        if (cl->locals[i] == slot)
            return true;
    return false;
}

/* Every slot referenced inside the closure but not local to it must be safe. */
static int32_t closure_refs_missing(const cclosure *cl, const rego_term *t, const bits *S);
static int32_t body_refs_missing(const cclosure *cl, const rego_body *b, const bits *S);

static int32_t closure_refs_missing(const cclosure *cl, const rego_term *t, const bits *S)
{
    if (!t)
        return -1;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_LOCAL:
        if (!in_locals(cl, (uint32_t)t->u.var.slot) && !bits_has(S, (uint32_t)t->u.var.slot))
            return t->u.var.slot;
        return -1;
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
    case REGO_TERM_CALL:
        for (uint32_t i = t->kind == REGO_TERM_CALL ? 1 : 0; i < t->n; i++) {
            int32_t m = closure_refs_missing(cl, t->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return -1;
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        for (uint32_t i = 0; i < (t->kind == REGO_TERM_OBJECT_COMPR ? 2u : 1u); i++) {
            int32_t m = closure_refs_missing(cl, t->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return body_refs_missing(cl, t->u.c.body, S);
    default:
        return -1;
    }
}

static int32_t expr_refs_missing(const cclosure *cl, const rego_expr *e, const bits *S)
{
    int32_t m = -1;
    if (e->term)
        m = closure_refs_missing(cl, e->term, S);
    if (m < 0 && e->domain)
        m = closure_refs_missing(cl, e->domain, S);
    if (m < 0 && e->key)
        m = closure_refs_missing(cl, e->key, S);
    if (m < 0 && e->value)
        m = closure_refs_missing(cl, e->value, S);
    if (m < 0 && e->body)
        m = body_refs_missing(cl, e->body, S);
    for (uint32_t i = 0; m < 0 && i < e->nwith; i++)
        m = closure_refs_missing(cl, e->withs[i].value, S);
    return m;
}

static int32_t body_refs_missing(const cclosure *cl, const rego_body *b, const bits *S)
{
    for (uint32_t i = 0; i < b->n; i++) {
        int32_t m = expr_refs_missing(cl, b->exprs[i], S);
        if (m >= 0)
            return m;
    }
    return -1;
}

static int32_t closure_missing(const cclosure *cl, const rego_term *t, const bits *S)
{
    return cl ? closure_refs_missing(cl, t, S) : -1;
}

/* Adds every slot occurring in t (outside closures) to S. */
static void term_outputs(const rego_term *t, bits *S)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_LOCAL:
        bits_set(S, (uint32_t)t->u.var.slot);
        return;
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; i < t->n; i++)
            term_outputs(t->u.c.items[i], S);
        return;
    case REGO_TERM_CALL:
        for (uint32_t i = 1; i < t->n; i++)
            term_outputs(t->u.c.items[i], S);
        return;
    default:
        return;
    }
}

/* Can unification a = b run given S? */
static bool object_ground_keys(const rego_term *o)
{
    for (uint32_t i = 0; i < o->n; i += 2)
        if (o->u.c.items[i]->kind != REGO_TERM_VALUE)
            return false;
    return true;
}

static int32_t unify_missing(const rego_term *a, const rego_term *b, const bits *S)
{
    if (a->kind == REGO_TERM_ARRAY && b->kind == REGO_TERM_ARRAY && a->n == b->n) {
        for (uint32_t i = 0; i < a->n; i++) {
            int32_t m = unify_missing(a->u.c.items[i], b->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return -1;
    }
    if (a->kind == REGO_TERM_OBJECT && b->kind == REGO_TERM_OBJECT && a->n == b->n &&
        object_ground_keys(a) && object_ground_keys(b)) {
        for (uint32_t i = 0; i + 1 < a->n; i += 2) {
            const rego_term *bv = NULL;
            for (uint32_t j = 0; j + 1 < b->n; j += 2)
                if (rego_equal(a->u.c.items[i]->u.value, b->u.c.items[j]->u.value))
                    bv = b->u.c.items[j + 1];
            if (!bv)
                return -1; /* keys differ: the unification just fails */
            int32_t m = unify_missing(a->u.c.items[i + 1], bv, S);
            if (m >= 0)
                return m;
        }
        return -1;
    }
    int32_t ma = term_missing(a, S);
    if (ma < 0 && pattern_missing(b, S) < 0)
        return -1;
    int32_t mb = term_missing(b, S);
    if (mb < 0 && pattern_missing(a, S) < 0)
        return -1;
    return ma >= 0 ? ma : mb;
}

/* The first slot expression e needs that S lacks, or -1 when e can run. */
static int32_t expr_missing(const rego_expr *e, const bits *S)
{
    int32_t m = -1;
    for (uint32_t i = 0; i < e->nwith && m < 0; i++)
        m = term_missing(e->withs[i].value, S);
    if (m >= 0)
        return m;
    if (e->negated)
        return expr_refs_missing(e->compiled_, e, S) >= 0 ? expr_refs_missing(e->compiled_, e, S)
                                                          : -1;
    switch (e->flags_) {
    case EXPR_OP_NOP:
        return -1;
    case EXPR_OP_TERM:
        return term_missing(e->term, S);
    case EXPR_OP_UNIFY:
        return unify_missing(e->term->u.c.items[1], e->term->u.c.items[2], S);
    case EXPR_OP_CALL: {
        const rego_term *t = e->term;
        const ccall *cc = t->u.c.resolved;
        m = term_missing(t, S);
        if (m < 0 && cc && cc->has_output)
            m = pattern_missing(t->u.c.items[t->n - 1], S);
        return m;
    }
    case EXPR_OP_SOME_IN:
        m = term_missing(e->domain, S);
        if (m < 0 && e->key)
            m = pattern_missing(e->key, S);
        if (m < 0)
            m = pattern_missing(e->value, S);
        return m;
    case EXPR_OP_EVERY:
        m = term_missing(e->domain, S);
        if (m < 0)
            m = expr_refs_missing(e->compiled_, e, S);
        return m;
    }
    return -1;
}

static void expr_outputs(const rego_expr *e, bits *S)
{
    if (e->negated)
        return;
    switch (e->flags_) {
    case EXPR_OP_TERM:
    case EXPR_OP_UNIFY:
    case EXPR_OP_CALL:
        term_outputs(e->term, S);
        return;
    case EXPR_OP_SOME_IN:
        term_outputs(e->domain, S);
        if (e->key)
            term_outputs(e->key, S);
        term_outputs(e->value, S);
        return;
    default:
        return;
    }
}

typedef struct {
    cctx *c;
    uint32_t nslots;
} sctx;

static rp_status order_body(sctx *sc, rego_body *b, bits *S);

static const char *slot_name(const sctx *sc, int32_t slot)
{
    const char *name = slot >= 0 && (uint32_t)slot < sc->c->nslots ? sc->c->slot_names[slot] : NULL;
    return name ? name : "_";
}

static rp_status unsafe_error(sctx *sc, int32_t slot, rp_loc loc)
{
    return rp_error_setk(sc->c->err, RP_ERR_COMPILE, RP_EK_UNSAFE_VAR, loc, "var %s is unsafe",
                         slot_name(sc, slot));
}

/* ---- template-string expressions ------------------------------------------------
 * OPA checks each template expression when it lowers it: every variable in
 * it, outside closures and call operators (its SafetyCheckVisitorParams),
 * must be safe in the enclosing body, or the rule fails to compile with
 * rego_compile_error "var x is undeclared" before any safety error.  Here
 * the check runs where the capture comprehension is ordered, against the
 * variables bound by then, and first of all when a body cannot be ordered,
 * so it reports what OPA reports: a variable that occurs only in the
 * string, a wildcard (`xs[_]` would enumerate), one bound nowhere. */

/* The first slot in x (a template expression) that S lacks, or -1. */
static int32_t template_expr_missing(const rego_term *x, const bits *S)
{
    switch ((rego_term_kind)x->kind) {
    case REGO_TERM_LOCAL:
        return bits_has(S, (uint32_t)x->u.var.slot) ? -1 : x->u.var.slot;
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
    case REGO_TERM_CALL:
        for (uint32_t i = x->kind == REGO_TERM_CALL ? 1 : 0; i < x->n; i++) {
            int32_t m = template_expr_missing(x->u.c.items[i], S);
            if (m >= 0)
                return m;
        }
        return -1;
    case REGO_TERM_VALUE:
    case REGO_TERM_VAR:
    case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
    case REGO_TERM_TEMPLATE:
        return -1;
    }
    return -1;
}

/* The expression a capture comprehension (TF_TEMPLATE, TF_PRINT) holds. */
static const rego_term *capture_expr(const rego_term *compr)
{
    return compr->u.c.body->exprs[0]->term->u.c.items[2];
}

/* OPA reports the error at the expression, or, in a template string,
 * nowhere for a call (it builds the call term for the check without a
 * location). */
static rp_status undeclared_error(sctx *sc, int32_t slot, const rego_term *x, bool tmpl)
{
    rp_loc loc = tmpl && x->kind == REGO_TERM_CALL ? (rp_loc){0} : x->loc;
    return rp_error_setk(sc->c->err, RP_ERR_COMPILE, RP_EK_COMPILE, loc, "var %s is undeclared",
                         slot_name(sc, slot));
}

/* Checks the captures in t outside other closures (those are checked with
 * their own bodies) against S; an error when one needs a slot S lacks. */
static rp_status template_check(sctx *sc, const rego_term *t, const bits *S)
{
    if (!t)
        return RP_OK;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
    case REGO_TERM_CALL:
        for (uint32_t i = t->kind == REGO_TERM_CALL ? 1 : 0; i < t->n; i++) {
            rp_status st = template_check(sc, t->u.c.items[i], S);
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    case REGO_TERM_SET_COMPR:
        if (t->flags_ & (TF_TEMPLATE | TF_PRINT)) {
            const rego_term *x = capture_expr(t);
            int32_t m = template_expr_missing(x, S);
            if (m >= 0)
                return undeclared_error(sc, m, x, t->flags_ & TF_TEMPLATE);
        }
        return RP_OK;
    case REGO_TERM_VALUE:
    case REGO_TERM_VAR:
    case REGO_TERM_LOCAL:
    case REGO_TERM_DATA:
    case REGO_TERM_INPUT:
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_OBJECT_COMPR:
    case REGO_TERM_TEMPLATE:
        return RP_OK;
    }
    return RP_OK;
}

static rp_status template_check_expr(sctx *sc, const rego_expr *e, const bits *S)
{
    rp_status st = template_check(sc, e->term, S);
    if (st == RP_OK)
        st = template_check(sc, e->domain, S);
    for (uint32_t i = 0; st == RP_OK && i < e->nwith; i++)
        st = template_check(sc, e->withs[i].value, S);
    return st;
}

/* Orders nested closures inside a term, given the safe set when it runs. */
static rp_status order_term_closures(sctx *sc, rego_term *t, const bits *S)
{
    if (!t)
        return RP_OK;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_REF:
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
    case REGO_TERM_CALL:
        for (uint32_t i = t->kind == REGO_TERM_CALL ? 1 : 0; i < t->n; i++) {
            rp_status st = order_term_closures(sc, t->u.c.items[i], S);
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR: {
        rp_status st = template_check(sc, t, S);
        if (st != RP_OK)
            return st;
        bits inner;
        if (!bits_new(sc->c->a, &inner, sc->nslots))
            return rp_error_set(sc->c->err, RP_ERR_NOMEM, t->loc, "out of memory");
        bits_copy(&inner, S);
        st = order_body(sc, t->u.c.body, &inner);
        if (st != RP_OK)
            return st;
        for (uint32_t i = 0; i < (t->kind == REGO_TERM_OBJECT_COMPR ? 2u : 1u); i++) {
            int32_t m = term_missing(t->u.c.items[i], &inner);
            if (m >= 0)
                return unsafe_error(sc, m, t->u.c.items[i]->loc);
            if ((st = order_term_closures(sc, t->u.c.items[i], &inner)) != RP_OK)
                return st;
        }
        return RP_OK;
    }
    default:
        return RP_OK;
    }
}

static rp_status order_expr_closures(sctx *sc, rego_expr *e, const bits *S)
{
    rp_status st = RP_OK;
    if (e->flags_ == EXPR_OP_EVERY) {
        bits inner;
        if (!bits_new(sc->c->a, &inner, sc->nslots))
            return rp_error_set(sc->c->err, RP_ERR_NOMEM, e->loc, "out of memory");
        bits_copy(&inner, S);
        if (e->key)
            term_outputs(e->key, &inner);
        term_outputs(e->value, &inner);
        if ((st = order_term_closures(sc, e->domain, S)) != RP_OK)
            return st;
        return order_body(sc, e->body, &inner);
    }
    if (e->negated) {
        /* The negated expression runs alone with what is bound outside. */
        bits inner;
        if (!bits_new(sc->c->a, &inner, sc->nslots))
            return rp_error_set(sc->c->err, RP_ERR_NOMEM, e->loc, "out of memory");
        bits_copy(&inner, S);
        rego_expr plain = *e;
        plain.negated = false;
        plain.nwith = 0;
        int32_t m = expr_missing(&plain, &inner);
        if (m >= 0)
            return unsafe_error(sc, m, e->loc);
        expr_outputs(&plain, &inner);
        if (e->term && (st = order_term_closures(sc, e->term, &inner)) != RP_OK)
            return st;
        return RP_OK;
    }
    if (e->term && (st = order_term_closures(sc, e->term, S)) != RP_OK)
        return st;
    if (e->domain && (st = order_term_closures(sc, e->domain, S)) != RP_OK)
        return st;
    for (uint32_t i = 0; i < e->nwith && st == RP_OK; i++)
        st = order_term_closures(sc, e->withs[i].value, S);
    return st;
}

/* Stable reordering: repeatedly place the first expression whose needs are
 * met (OPA's algorithm), so bodies already in a safe order keep it. */
/* An expression that is a lowered print statement. */
static bool is_print_stmt(const rego_expr *e)
{
    const rego_term *t = e->term;
    if (e->kind != REGO_EXPR_TERM || !t || t->kind != REGO_TERM_CALL || t->n != 2)
        return false;
    const ccall *cc = t->u.c.resolved;
    return cc && cc->bi && !strcmp(cc->bi->name, "internal.print");
}

/* OPA checks print's variables against what the expressions before it in
 * the source bind (rewritePrintCalls: outputVarsForBody(body[:i])), not
 * against what safety ordering has bound when the call is placed: in
 * `print(x); x = 1` x is undeclared.  The expressions before the print are
 * ordered on their own, over what was safe at the body's entry, and what
 * they bind is what print may use. */
static rp_status print_check(sctx *sc, const rego_body *b, uint32_t at, const bits *entry)
{
    bits P;
    bool *used = rp_arena_zalloc(sc->c->a, at ? at : 1);
    if (!used || !bits_new(sc->c->a, &P, sc->nslots))
        return rp_error_set(sc->c->err, RP_ERR_NOMEM, b->loc, "out of memory");
    bits_copy(&P, entry);
    for (bool more = true; more;) {
        more = false;
        for (uint32_t j = 0; j < at; j++) {
            if (!used[j] && expr_missing(b->exprs[j], &P) < 0) {
                expr_outputs(b->exprs[j], &P);
                used[j] = more = true;
            }
        }
    }
    return template_check_expr(sc, b->exprs[at], &P);
}

static rp_status order_body(sctx *sc, rego_body *b, bits *S)
{
    uint32_t n = b->n;
    if (n == 0)
        return RP_OK;
    rego_expr **out = rp_arena_array(sc->c->a, n, sizeof(rego_expr *));
    bool *placed = rp_arena_zalloc(sc->c->a, n);
    if (!out || !placed)
        return rp_error_set(sc->c->err, RP_ERR_NOMEM, b->loc, "out of memory");
    /* what is safe before the body, for print_check: kept only when the
     * body has a print statement */
    bits entry = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (!is_print_stmt(b->exprs[i]))
            continue;
        if (!bits_new(sc->c->a, &entry, sc->nslots))
            return rp_error_set(sc->c->err, RP_ERR_NOMEM, b->loc, "out of memory");
        bits_copy(&entry, S);
        break;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t pick = n;
        for (uint32_t i = 0; i < n; i++) {
            if (placed[i])
                continue;
            if (expr_missing(b->exprs[i], S) < 0) {
                pick = i;
                break;
            }
        }
        if (pick == n) {
            /* OPA's template check runs before its safety check. */
            for (uint32_t i = 0; i < n; i++) {
                rp_status st = placed[i] ? RP_OK : template_check_expr(sc, b->exprs[i], S);
                if (st != RP_OK)
                    return st;
            }
            for (uint32_t i = 0; i < n; i++) {
                if (placed[i])
                    continue;
                int32_t m = expr_missing(b->exprs[i], S);
                /* report the location of the variable's first occurrence */
                return unsafe_error(sc, m, b->exprs[i]->loc);
            }
        }
        placed[pick] = true;
        rego_expr *e = b->exprs[pick];
        rp_status st = is_print_stmt(e) ? print_check(sc, b, pick, &entry) : RP_OK;
        if (st != RP_OK)
            return st;
        st = order_expr_closures(sc, e, S);
        if (st != RP_OK)
            return st;
        expr_outputs(e, S);
        out[k] = e;
    }
    b->exprs = out;
    return RP_OK;
}

/* ---- compiling rules -------------------------------------------------------------- */

/* Splits a rule's head ref into (ground prefix keys, suffix terms). */
static rp_status head_path(cctx *c, const rego_rule *r, rego_value *prefix, rego_term ***suffix,
                           uint32_t *nsuffix)
{
    const rego_term *ref = r->ref;
    uint32_t n = ref->kind == REGO_TERM_REF ? ref->n : 1;
    const rego_term *head = ref->kind == REGO_TERM_REF ? ref->u.c.items[0] : ref;
    if (head->kind != REGO_TERM_VAR)
        return compile_err(c->err, RP_EK_COMPILE, ref->loc, "rule head must start with a name");
    uint32_t g = 1;
    while (g < n && ref->u.c.items[g]->kind == REGO_TERM_VALUE)
        g++;
    /* A multi-value rule's last ground element still belongs to the prefix. */
    rego_value *keys = rego_array_alloc(c->a, c->pkgpath.n + g, prefix);
    if (!keys)
        return rp_error_set(c->err, RP_ERR_NOMEM, ref->loc, "out of memory");
    for (uint32_t i = 0; i < c->pkgpath.n; i++)
        keys[i] = c->pkgpath.u.items[i];
    keys[c->pkgpath.n] = rego_str_borrow(head->u.var.name, strlen(head->u.var.name));
    for (uint32_t i = 1; i < g; i++)
        keys[c->pkgpath.n + i] = ref->u.c.items[i]->u.value;
    *nsuffix = n - g;
    *suffix = NULL;
    if (n > g) {
        *suffix = rp_arena_array(c->a, n - g, sizeof(rego_term *));
        if (!*suffix)
            return rp_error_set(c->err, RP_ERR_NOMEM, ref->loc, "out of memory");
        for (uint32_t i = g; i < n; i++)
            (*suffix)[i - g] = ref->u.c.items[i];
    }
    return RP_OK;
}

static rs_kind rule_kind(const rego_rule *r, uint32_t nsuffix, rego_version v)
{
    if (r->is_func && !(r->nargs == 0 && v == REGO_V0))
        return RS_FUNC;
    if (r->contains)
        return RS_MULTI;
    return nsuffix ? RS_OBJECT : RS_COMPLETE;
}

/* Places a rule (and its else chain) in the tree. */
static rp_status place_rule(cctx *c, rego_rule *r)
{
    rego_value prefix;
    rego_term **suffix = NULL;
    uint32_t nsuffix = 0;
    rp_status st = head_path(c, r, &prefix, &suffix, &nsuffix);
    if (st != RP_OK)
        return st;
    rnode *n = c->p->root;
    for (uint32_t i = 0; i < prefix.n; i++) {
        n = node_get(c->p, n, prefix.u.items[i]);
        if (!n)
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        if (i == c->pkgpath.n)
            n->rule_name = true;
    }
    rs_kind kind = rule_kind(r, nsuffix, c->mod->version);
    if (!n->rs) {
        ruleset *rs = rp_arena_zalloc(c->a, sizeof(ruleset));
        ruleset **all = grow_array(c->a, c->p->rulesets, c->p->nrulesets, &c->p->caprulesets,
                                   sizeof(*all));
        if (!rs || !all)
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        c->p->rulesets = all;
        rs->kind = kind;
        rs->node = n;
        rs->name = n->path;
        rs->id = c->p->nrulesets;
        rs->arity = r->nargs;
        rs->zero_arg_func = kind == RS_COMPLETE && r->is_func;
        c->p->rulesets[c->p->nrulesets++] = rs;
        n->rs = rs;
    } else if (n->rs->kind != kind) {
        return compile_err(c->err, RP_EK_TYPE, r->loc, "conflicting rules %s found", n->path);
    } else if (kind == RS_FUNC && n->rs->arity != r->nargs) {
        return compile_err(c->err, RP_EK_TYPE, r->loc,
                           "conflicting function definitions %s: arity %u and %u", n->path,
                           n->rs->arity, r->nargs);
    }
    ruleset *rs = n->rs;
    crule *prev = NULL;
    for (rego_rule *x = r; x; x = x->else_) {
        crule *cr = rp_arena_zalloc(c->a, sizeof(crule));
        if (!cr)
            return rp_error_set(c->err, RP_ERR_NOMEM, x->loc, "out of memory");
        cr->src = x;
        cr->rs = rs;
        cr->suffix = suffix;
        cr->nsuffix = nsuffix;
        cr->loc = x->loc;
        cr->path = prefix;
        x->compiled_ = cr;
        if (!prev) {
            if (x->is_default) {
                if (rs->deflt)
                    return compile_err(c->err, RP_EK_TYPE, x->loc, "multiple default rules %s found",
                                       n->path);
                rs->deflt = cr;
            } else {
                crule **rr = grow_array(c->a, rs->rules, rs->n, &rs->cap, sizeof(*rr));
                if (!rr)
                    return rp_error_set(c->err, RP_ERR_NOMEM, x->loc, "out of memory");
                rs->rules = rr;
                rs->rules[rs->n++] = cr;
            }
        } else {
            prev->els = cr;
        }
        prev = cr;
        c->p->nrules++;
    }
    return RP_OK;
}

static rego_value package_path(cctx *c, const rego_module *m)
{
    const rego_term *pk = m->package;
    rego_value out;
    uint32_t n = pk->kind == REGO_TERM_REF ? pk->n : 1;
    rego_value *keys = rego_array_alloc(c->a, n ? n - 1 : 0, &out);
    if (!keys)
        return rego_undef();
    for (uint32_t i = 1; i < n; i++)
        keys[i - 1] = pk->u.c.items[i]->u.value;
    return out;
}

/* Resolves and orders one rule clause.  Else clauses take the arguments of
 * the head of their chain (copied: terms are rewritten in place). */
static rp_status compile_rule(cctx *c, crule *cr, const rego_rule *chain_head)
{
    rego_rule *r = (rego_rule *)cr->src;
    rego_term **src_args = chain_head->args;
    uint32_t src_nargs = chain_head->nargs;
    if (r != chain_head && src_nargs) {
        rego_term **copies = rp_arena_array(c->a, src_nargs, sizeof(rego_term *));
        if (!copies)
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        for (uint32_t i = 0; i < src_nargs; i++)
            if (!(copies[i] = copy_term(c->a, chain_head->args[i])))
                return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        src_args = copies;
    }
    c->nslots = 0;
    c->slot_names = NULL;
    c->capslot = 0;
    scope s = {0};
    /* Names at the rule's top level: head terms and body (not closures). */
    for (uint32_t i = 0; i < src_nargs; i++)
        if (!collect_term_names(c, &s, src_args[i]))
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
    for (uint32_t i = 0; i < cr->nsuffix; i++)
        collect_term_names(c, &s, cr->suffix[i]);
    collect_term_names(c, &s, r->key);
    collect_term_names(c, &s, r->value);
    if (r->body)
        for (uint32_t i = 0; i < r->body->n; i++)
            collect_expr_names(c, &s, r->body->exprs[i]);
    rp_status st;
    /* Function arguments are declared first: they are bound by the call. */
    rego_term **args = NULL;
    if (src_nargs) {
        args = rp_arena_array(c->a, src_nargs, sizeof(rego_term *));
        if (!args)
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        for (uint32_t i = 0; i < src_nargs; i++) {
            if ((st = declare_pattern(c, &s, src_args[i], false)) != RP_OK)
                return st;
        }
        for (uint32_t i = 0; i < src_nargs; i++) {
            args[i] = src_args[i];
            if ((st = rw_term(c, &s, &args[i])) != RP_OK)
                return st;
        }
    }
    rego_body *body = r->body;
    if (!body) {
        body = rp_arena_zalloc(c->a, sizeof(rego_body));
        if (!body)
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        body->loc = r->loc;
    }
    if ((st = rw_body(c, &s, body)) != RP_OK)
        return st;
    /* Head terms are copied per clause: suffix terms are shared by the chain. */
    rego_term **suffix = NULL;
    if (cr->nsuffix) {
        suffix = rp_arena_array(c->a, cr->nsuffix, sizeof(rego_term *));
        if (!suffix)
            return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
        for (uint32_t i = 0; i < cr->nsuffix; i++) {
            suffix[i] = copy_term(c->a, cr->suffix[i]);
            if (!suffix[i])
                return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
            if ((st = rw_term(c, &s, &suffix[i])) != RP_OK)
                return st;
        }
    }
    rego_term *key = r->key, *value = r->value;
    if (key && (st = rw_term(c, &s, &key)) != RP_OK)
        return st;
    if (value && (st = rw_term(c, &s, &value)) != RP_OK)
        return st;
    /* Safety: the body must bind every variable the head needs. */
    sctx sc = {c, c->nslots};
    bits S;
    if (!bits_new(c->a, &S, c->nslots))
        return rp_error_set(c->err, RP_ERR_NOMEM, r->loc, "out of memory");
    for (uint32_t i = 0; i < src_nargs; i++)
        term_outputs(args[i], &S);
    if ((st = order_body(&sc, body, &S)) != RP_OK)
        return st;
    rego_term *heads[3] = {key, value, NULL};
    for (uint32_t i = 0; i < 2; i++)
        if ((st = template_check(&sc, heads[i], &S)) != RP_OK)
            return st;
    for (uint32_t i = 0; i < cr->nsuffix; i++)
        if ((st = template_check(&sc, suffix[i], &S)) != RP_OK)
            return st;
    for (uint32_t i = 0; i < 2; i++) {
        if (!heads[i])
            continue;
        int32_t m = term_missing(heads[i], &S);
        if (m >= 0)
            return unsafe_error(&sc, m, heads[i]->loc);
        if ((st = order_term_closures(&sc, heads[i], &S)) != RP_OK)
            return st;
    }
    for (uint32_t i = 0; i < cr->nsuffix; i++) {
        int32_t m = term_missing(suffix[i], &S);
        if (m >= 0)
            return unsafe_error(&sc, m, suffix[i]->loc);
    }
    cr->args = args;
    cr->nargs = src_nargs;
    cr->body = body;
    cr->key = key;
    cr->value = value;
    cr->suffix = suffix;
    cr->nslots = c->nslots;
    cr->const_value = !value || value->kind == REGO_TERM_VALUE;
    return RP_OK;
}

/* ---- recursion check ---------------------------------------------------------------- */

static rp_status check_term_deps(cctx *c, ruleset *from, const rego_term *t);
static rp_status visit_ruleset(cctx *c, ruleset *rs);

static rp_status dep_on_node(cctx *c, ruleset *from, rnode *n)
{
    if (!n)
        return RP_OK;
    if (n->rs) {
        rp_status st = visit_ruleset(c, n->rs);
        if (st != RP_OK) {
            if (n->rs == from || c->err->kind == RP_EK_RECURSION)
                return st;
        }
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        rp_status st = dep_on_node(c, from, n->kids[i]);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

/* Dependencies of a data ref: the rules at and below its ground prefix, and
 * the rules at the nodes along the way. */
static rp_status check_ref_deps(cctx *c, ruleset *from, const rego_term *t)
{
    rnode *n = c->p->root;
    uint32_t i = 1;
    for (; i < t->n && n; i++) {
        if (n->rs) {
            rp_status st = visit_ruleset(c, n->rs);
            if (st != RP_OK)
                return st;
        }
        const rego_term *s = t->u.c.items[i];
        if (s->kind != REGO_TERM_VALUE)
            break;
        rnode *k = NULL;
        for (uint32_t j = 0; j < n->nkids; j++)
            if (rego_equal(n->kids[j]->key, s->u.value))
                k = n->kids[j];
        n = k;
    }
    return dep_on_node(c, from, n);
}

static rp_status check_body_deps(cctx *c, ruleset *from, const rego_body *b);

static rp_status check_expr_deps(cctx *c, ruleset *from, const rego_expr *e)
{
    rp_status st = RP_OK;
    if (e->term)
        st = check_term_deps(c, from, e->term);
    if (st == RP_OK && e->domain)
        st = check_term_deps(c, from, e->domain);
    if (st == RP_OK && e->body)
        st = check_body_deps(c, from, e->body);
    for (uint32_t i = 0; st == RP_OK && i < e->nwith; i++)
        st = check_term_deps(c, from, e->withs[i].value);
    return st;
}

static rp_status check_body_deps(cctx *c, ruleset *from, const rego_body *b)
{
    for (uint32_t i = 0; b && i < b->n; i++) {
        rp_status st = check_expr_deps(c, from, b->exprs[i]);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

static rp_status check_term_deps(cctx *c, ruleset *from, const rego_term *t)
{
    if (!t)
        return RP_OK;
    rp_status st = RP_OK;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_REF:
        if (t->u.c.items[0]->kind == REGO_TERM_DATA)
            st = check_ref_deps(c, from, t);
        for (uint32_t i = 0; st == RP_OK && i < t->n; i++)
            st = check_term_deps(c, from, t->u.c.items[i]);
        return st;
    case REGO_TERM_CALL: {
        const ccall *cc = t->u.c.resolved;
        if (cc && cc->fn)
            st = visit_ruleset(c, cc->fn);
        for (uint32_t i = 1; st == RP_OK && i < t->n; i++)
            st = check_term_deps(c, from, t->u.c.items[i]);
        return st;
    }
    case REGO_TERM_ARRAY:
    case REGO_TERM_SET:
    case REGO_TERM_OBJECT:
        for (uint32_t i = 0; st == RP_OK && i < t->n; i++)
            st = check_term_deps(c, from, t->u.c.items[i]);
        return st;
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        for (uint32_t i = 0; st == RP_OK && i < (t->kind == REGO_TERM_OBJECT_COMPR ? 2u : 1u); i++)
            st = check_term_deps(c, from, t->u.c.items[i]);
        if (st == RP_OK)
            st = check_body_deps(c, from, t->u.c.body);
        return st;
    default:
        return RP_OK;
    }
}

static rp_status visit_crule(cctx *c, ruleset *rs, const crule *cr)
{
    for (; cr; cr = cr->els) {
        rp_status st = check_body_deps(c, rs, cr->body);
        if (st == RP_OK)
            st = check_term_deps(c, rs, cr->key);
        if (st == RP_OK)
            st = check_term_deps(c, rs, cr->value);
        for (uint32_t i = 0; st == RP_OK && i < cr->nsuffix; i++)
            st = check_term_deps(c, rs, cr->suffix[i]);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

static rp_status visit_ruleset(cctx *c, ruleset *rs)
{
    if (rs->visiting == 2)
        return RP_OK;
    if (rs->visiting == 1)
        return rp_error_setk(c->err, RP_ERR_COMPILE, RP_EK_RECURSION,
                             rs->n ? rs->rules[0]->loc : (rp_loc){0}, "rule %s is recursive",
                             rs->name);
    rs->visiting = 1;
    for (uint32_t i = 0; i < rs->n; i++) {
        rp_status st = visit_crule(c, rs, rs->rules[i]);
        if (st != RP_OK)
            return st;
    }
    if (rs->deflt) {
        rp_status st = visit_crule(c, rs, rs->deflt);
        if (st != RP_OK)
            return st;
    }
    rs->visiting = 2;
    return RP_OK;
}

/* ---- annotations (METADATA blocks) ------------------------------------------------------
 * A block's YAML becomes OPA's annotations object: known keys only, authors
 * and related resources in their object forms, scope made explicit.  Where
 * it applies depends on its scope: the rule below it (rule), every rule of
 * that path (document), the package (package) or the package and those below
 * it (subpackages). */

static rego_value annot_key(cctx *c, const char *k) { return rego_cstr(c->a, k); }

/* "Jane Doe <jane@example.com>" -> {name, email}; objects pass through. */
static rego_value annot_author(cctx *c, rego_value v)
{
    if (v.kind != REGO_STRING)
        return v;
    const char *s = v.u.s, *lt = memchr(s, '<', v.n), *gt = lt ? memchr(lt, '>', v.n - (size_t)(lt - s)) : NULL;
    rego_objb b;
    rego_objb_init(&b, c->a);
    if (lt && gt && gt == s + v.n - 1) {
        const char *end = lt;
        while (end > s && end[-1] == ' ')
            end--;
        if (end > s)
            rego_objb_put(&b, annot_key(c, "name"), rego_str(c->a, s, (size_t)(end - s)));
        rego_objb_put(&b, annot_key(c, "email"), rego_str(c->a, lt + 1, (size_t)(gt - lt - 1)));
    } else {
        rego_objb_put(&b, annot_key(c, "name"), v);
    }
    return rego_objb_finish(&b);
}

static rego_value annot_list(cctx *c, rego_value v, rego_value (*each)(cctx *, rego_value))
{
    if (v.kind != REGO_ARRAY)
        return v;
    rego_value out;
    rego_value *items = rego_array_alloc(c->a, v.n, &out);
    if (!items)
        return rego_undef();
    for (uint32_t i = 0; i < v.n; i++)
        items[i] = each(c, v.u.items[i]);
    return out;
}

static rego_value annot_resource(cctx *c, rego_value v)
{
    if (v.kind != REGO_STRING)
        return v;
    rego_objent e = {annot_key(c, "ref"), v};
    return rego_object_from(c->a, &e, 1);
}

static rp_status parse_annotations(cctx *c, const char *yaml, rp_loc loc, const char *dflt_scope,
                                   rego_value *out, const char **scope_out)
{
    rego_value v;
    rp_status st = rego_yaml_parse(c->a, yaml, strlen(yaml), loc.file, REGO_YAML_K8S, false, &v,
                                   c->err);
    if (st != RP_OK) {
        c->err->kind = RP_EK_PARSE;
        c->err->loc = loc;
        return st;
    }
    if (v.kind == REGO_NULL)
        v = rego_empty_object();
    if (v.kind != REGO_OBJECT)
        return rp_error_setk(c->err, RP_ERR_SYNTAX, RP_EK_PARSE, loc,
                             "invalid METADATA: expected a YAML mapping");
    static const char *known[] = {"title", "description", "organizations", "schemas",
                                  "entrypoint", "custom", "compile"};
    rego_objb b;
    rego_objb_init(&b, c->a);
    *scope_out = dflt_scope;
    for (uint32_t i = 0; i < v.n; i++) {
        rego_objent e = rego_object_at(v, i);
        if (e.key.kind != REGO_STRING)
            continue;
        const char *k = e.key.u.s;
        if (!strcmp(k, "scope")) {
            if (e.val.kind != REGO_STRING ||
                (strcmp(e.val.u.s, "rule") && strcmp(e.val.u.s, "document") &&
                 strcmp(e.val.u.s, "package") && strcmp(e.val.u.s, "subpackages")))
                return rp_error_setk(c->err, RP_ERR_SYNTAX, RP_EK_PARSE, loc,
                                     "invalid annotation scope");
            *scope_out = e.val.u.s;
        } else if (!strcmp(k, "authors")) {
            rego_objb_put(&b, e.key, annot_list(c, e.val, annot_author));
        } else if (!strcmp(k, "related_resources")) {
            rego_objb_put(&b, e.key, annot_list(c, e.val, annot_resource));
        } else {
            for (size_t j = 0; j < RP_ARRAY_LEN(known); j++)
                if (!strcmp(k, known[j]))
                    rego_objb_put(&b, e.key, e.val);
        }
    }
    rego_objb_put(&b, annot_key(c, "scope"), rego_cstr(c->a, *scope_out));
    *out = rego_objb_finish(&b);
    return out->kind ? RP_OK : rp_error_set(c->err, RP_ERR_NOMEM, loc, "out of memory");
}

static pkg_annot *pkg_annotations(cctx *c, rego_value path)
{
    rego_policy *p = c->p;
    for (uint32_t i = 0; i < p->npkgs; i++)
        if (rego_equal(p->pkgs[i]->path, path))
            return p->pkgs[i];
    pkg_annot **ps = grow_array(c->a, p->pkgs, p->npkgs, &p->cappkgs, sizeof(*ps));
    pkg_annot *pa = rp_arena_zalloc(c->a, sizeof(pkg_annot));
    if (!ps || !pa)
        return NULL;
    p->pkgs = ps;
    pa->path = path;
    p->pkgs[p->npkgs++] = pa;
    return pa;
}

static rp_status place_annotation(cctx *c, pkg_annot *pa, crule *cr, rego_value a, const char *sc,
                                  rp_loc loc)
{
    if (!strcmp(sc, "rule") && cr)
        cr->annotations = a;
    else if (!strcmp(sc, "document") && cr)
        cr->rs->doc_annotations = a;
    else if (!strcmp(sc, "subpackages"))
        pa->subpackages = a;
    else if (!strcmp(sc, "package"))
        pa->package = a;
    else
        return rp_error_setk(c->err, RP_ERR_SYNTAX, RP_EK_PARSE, loc,
                             "annotation scope '%s' must be applied to a rule", sc);
    return RP_OK;
}

static rp_status module_annotations(cctx *c, const rego_module *m)
{
    pkg_annot *pa = pkg_annotations(c, c->pkgpath);
    if (!pa)
        return rp_error_set(c->err, RP_ERR_NOMEM, m->loc, "out of memory");
    rego_value a;
    const char *sc;
    rp_status st;
    if (m->metadata) {
        if ((st = parse_annotations(c, m->metadata, m->loc, "package", &a, &sc)) != RP_OK ||
            (st = place_annotation(c, pa, NULL, a, sc, m->loc)) != RP_OK)
            return st;
    }
    for (uint32_t i = 0; i < m->nrules; i++) {
        for (const rego_rule *r = m->rules[i]; r; r = r->else_) {
            crule *cr = r->compiled_;
            cr->pkg = pa;
            if (!r->metadata)
                continue;
            if ((st = parse_annotations(c, r->metadata, r->loc, "rule", &a, &sc)) != RP_OK ||
                (st = place_annotation(c, pa, cr, a, sc, r->loc)) != RP_OK)
                return st;
        }
    }
    return RP_OK;
}

rego_value rego_metadata_rule(const crule *cr)
{
    return cr && cr->annotations.kind ? cr->annotations : rego_empty_object();
}

static bool chain_add(rp_arena *a, rego_value *items, uint32_t *n, rego_value path, rego_value annots)
{
    rego_objent e[2];
    uint32_t k = 0;
    if (annots.kind) {
        e[k].key = rego_cstr(a, "annotations");
        e[k++].val = annots;
    }
    e[k].key = rego_cstr(a, "path");
    e[k++].val = path;
    items[*n] = rego_object_from(a, e, k);
    return items[(*n)++].kind != REGO_UNDEF;
}

rego_value rego_metadata_chain(const rego_policy *p, const crule *cr, rp_arena *a)
{
    if (!cr)
        return rego_empty_array();
    const pkg_annot *pa = cr->pkg;
    uint32_t cap = 3 + p->npkgs, n = 0;
    rego_value out;
    rego_value *items = rego_array_alloc(a, cap, &out);
    if (!items)
        return rego_undef();
    chain_add(a, items, &n, cr->path, cr->annotations);
    if (cr->rs->doc_annotations.kind)
        chain_add(a, items, &n, cr->path, cr->rs->doc_annotations);
    if (pa && pa->package.kind)
        chain_add(a, items, &n, pa->path, pa->package);
    /* subpackages: from this package outwards */
    for (uint32_t len = pa ? pa->path.n + 1 : 0; len-- > 0;) {
        for (uint32_t i = 0; i < p->npkgs; i++) {
            const pkg_annot *q = p->pkgs[i];
            if (q->path.n != len || !q->subpackages.kind)
                continue;
            bool prefix = true;
            for (uint32_t j = 0; j < len && prefix; j++)
                prefix = rego_equal(q->path.u.items[j], pa->path.u.items[j]);
            if (prefix && n < cap)
                chain_add(a, items, &n, q->path, q->subpackages);
        }
    }
    out.n = n;
    return out;
}

/* ---- rule indexing ------------------------------------------------------------------ */

static bool ground_root_ref(const rego_term *t)
{
    if (t->kind != REGO_TERM_REF || t->n < 2)
        return false;
    if (t->u.c.items[0]->kind != REGO_TERM_INPUT && t->u.c.items[0]->kind != REGO_TERM_DATA)
        return false;
    for (uint32_t i = 1; i < t->n; i++)
        if (t->u.c.items[i]->kind != REGO_TERM_VALUE)
            return false;
    return true;
}

static bool same_ref(const rego_term *a, const rego_term *b)
{
    if (a->n != b->n || a->u.c.items[0]->kind != b->u.c.items[0]->kind)
        return false;
    for (uint32_t i = 1; i < a->n; i++)
        if (!rego_equal(a->u.c.items[i]->u.value, b->u.c.items[i]->u.value))
            return false;
    return true;
}

/* If x is `ref == const` or `ref = const` (either order), returns the ref
 * and sets *key. */
static const rego_term *index_test(const rego_expr *x, rego_value *key)
{
    if (x->negated || x->nwith || x->kind != REGO_EXPR_TERM || x->term->kind != REGO_TERM_CALL)
        return NULL;
    const rego_term *t = x->term;
    const ccall *cc = t->u.c.resolved;
    bool eq = x->flags_ == EXPR_OP_UNIFY;
    bool equal = x->flags_ == EXPR_OP_CALL && cc && cc->bi && !cc->has_output &&
                 !strcmp(cc->bi->name, "equal");
    if ((!eq && !equal) || t->n != 3)
        return NULL;
    const rego_term *a = t->u.c.items[1], *b = t->u.c.items[2];
    if (ground_root_ref(b) && a->kind == REGO_TERM_VALUE) {
        const rego_term *tmp = a;
        a = b;
        b = tmp;
    }
    if (!ground_root_ref(a) || b->kind != REGO_TERM_VALUE)
        return NULL;
    rego_kind k = (rego_kind)b->u.value.kind;
    if (k != REGO_STRING && k != REGO_NUMBER && k != REGO_BOOL && k != REGO_NULL)
        return NULL;
    *key = b->u.value;
    return a;
}

static rp_status build_index(cctx *c, ruleset *rs)
{
    if (rs->kind == RS_FUNC || rs->n < 2)
        return RP_OK;
    for (uint32_t i = 0; i < rs->n; i++)
        if (rs->rules[i]->els)
            return RP_OK; /* else chains are ordered: keep them whole */
    /* Pick the ref tested by the most rules. */
    const rego_term *best = NULL;
    uint32_t best_n = 0;
    for (uint32_t i = 0; i < rs->n; i++) {
        const rego_body *b = rs->rules[i]->body;
        for (uint32_t j = 0; j < b->n; j++) {
            rego_value key;
            const rego_term *ref = index_test(b->exprs[j], &key);
            if (!ref)
                continue;
            uint32_t count = 0;
            for (uint32_t r = 0; r < rs->n; r++) {
                const rego_body *rb = rs->rules[r]->body;
                for (uint32_t q = 0; q < rb->n; q++) {
                    rego_value k2;
                    const rego_term *r2 = index_test(rb->exprs[q], &k2);
                    if (r2 && same_ref(r2, ref)) {
                        count++;
                        break;
                    }
                }
            }
            if (count > best_n) {
                best = ref;
                best_n = count;
            }
        }
    }
    if (!best || best_n < 2)
        return RP_OK;
    rule_index *ix = rp_arena_zalloc(c->a, sizeof(rule_index));
    rego_value *keys = rp_arena_zalloc(c->a, rs->n * sizeof(rego_value));
    if (!ix || !keys)
        return rp_error_set(c->err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    for (uint32_t r = 0; r < rs->n; r++) {
        const rego_body *rb = rs->rules[r]->body;
        for (uint32_t q = 0; q < rb->n; q++) {
            rego_value k2;
            const rego_term *r2 = index_test(rb->exprs[q], &k2);
            if (r2 && same_ref(r2, best)) {
                keys[r] = k2;
                break;
            }
        }
    }
    ix->ref = best;
    ix->keys = keys;
    rs->index = ix;
    return RP_OK;
}

/* ---- policy compile ----------------------------------------------------------------- */

static void finish_ruleset(ruleset *rs)
{
    /* Early exit for complete rules whose every definition yields one and the
     * same constant (typically `allow if ...`): one success decides. */
    if (rs->kind != RS_COMPLETE || rs->n == 0)
        return;
    rego_value first = rego_undef();
    for (uint32_t i = 0; i < rs->n; i++) {
        for (const crule *cr = rs->rules[i]; cr; cr = cr->els) {
            if (!cr->const_value)
                return;
            rego_value v = cr->value ? cr->value->u.value : rego_bool(true);
            if (first.kind == REGO_UNDEF)
                first = v;
            else if (!rego_equal(first, v))
                return;
        }
    }
    rs->early_exit = true;
}

rp_status rego_policy_compile(rego_policy *p, rp_error *err)
{
    if (p->compiled)
        return RP_OK;
    cctx c = {0};
    c.p = p;
    c.a = p->arena;
    c.err = err;
    p->root = node_new(p->arena, NULL, rego_undef());
    if (!p->root)
        return rp_error_set(err, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
    rp_status st;
    /* 1. tree */
    for (uint32_t m = 0; m < p->nmodules; m++) {
        const rego_module *mod = p->modules[m];
        c.mod = mod;
        c.pkgpath = package_path(&c, mod);
        if (c.pkgpath.kind == REGO_UNDEF)
            return rp_error_set(err, RP_ERR_NOMEM, mod->loc, "out of memory");
        /* packages exist as nodes even without rules */
        rnode *n = p->root;
        for (uint32_t i = 0; i < c.pkgpath.n && n; i++)
            n = node_get(p, n, c.pkgpath.u.items[i]);
        for (uint32_t i = 0; i < mod->nrules; i++)
            if ((st = place_rule(&c, mod->rules[i])) != RP_OK)
                return st;
    }
    node_finish(p->root);
    p->tree_sorted = true;
    /* 2+3. resolve and order every rule */
    for (uint32_t m = 0; m < p->nmodules; m++) {
        const rego_module *mod = p->modules[m];
        c.mod = mod;
        c.pkgpath = package_path(&c, mod);
        for (uint32_t i = 0; i < mod->nrules; i++) {
            /* Else clauses copy the head's argument terms, so they are
             * compiled before the head rewrites those terms in place. */
            rego_rule *chain[256];
            uint32_t n = 0;
            for (rego_rule *r = mod->rules[i]; r; r = r->else_) {
                if (n == RP_ARRAY_LEN(chain))
                    return compile_err(err, RP_EK_COMPILE, r->loc, "else chain longer than %zu",
                                       RP_ARRAY_LEN(chain));
                chain[n++] = r;
            }
            while (n-- > 0)
                if ((st = compile_rule(&c, chain[n]->compiled_, mod->rules[i])) != RP_OK)
                    return st;
        }
    }
    /* Annotations, once rules and rulesets exist. */
    for (uint32_t m = 0; m < p->nmodules; m++) {
        c.mod = p->modules[m];
        c.pkgpath = package_path(&c, p->modules[m]);
        if ((st = module_annotations(&c, p->modules[m])) != RP_OK)
            return st;
    }
    /* Complete rules at a node that also has rules below conflict. */
    for (uint32_t i = 0; i < p->nrulesets; i++) {
        ruleset *rs = p->rulesets[i];
        if ((rs->kind == RS_COMPLETE || rs->kind == RS_FUNC) && rs->node->nkids) {
            for (uint32_t k = 0; k < rs->node->nkids; k++)
                if (rs->node->kids[k]->has_values || rs->node->kids[k]->has_funcs)
                    return compile_err(err, RP_EK_TYPE, rs->n ? rs->rules[0]->loc : (rp_loc){0},
                                       "rule %s conflicts with %s", rs->name,
                                       rs->node->kids[k]->path);
        }
        finish_ruleset(rs);
        if ((st = build_index(&c, rs)) != RP_OK)
            return st;
    }
    /* 4. recursion */
    c.mod = NULL;
    for (uint32_t i = 0; i < p->nrulesets; i++)
        if ((st = visit_ruleset(&c, p->rulesets[i])) != RP_OK)
            return st;
    p->compiled = true;
    return RP_OK;
}

/* ---- queries ------------------------------------------------------------------------ */

int rego_policy_func_arity(const rego_policy *p, const rego_term *op)
{
    if (op->kind != REGO_TERM_REF || !var_is(op->u.c.items[0], "data"))
        return -1;
    ruleset *fn = find_func_at(p->root, (const rego_term *const *)op->u.c.items, 1, op->n);
    return fn ? (int)fn->arity : -1;
}

rp_status rego_compile_query_body(const rego_policy *p, rp_arena *a, rego_body *body,
                                  uint32_t *nslots, const char ***names, int32_t **slots,
                                  uint32_t *nnames, rp_error *err)
{
    cctx c = {0};
    c.p = (rego_policy *)p;
    c.a = a;
    c.err = err;
    c.query = true;
    c.pkgpath = rego_empty_array();
    scope s = {0};
    for (uint32_t i = 0; i < body->n; i++)
        if (!collect_expr_names(&c, &s, body->exprs[i]))
            return rp_error_set(err, RP_ERR_NOMEM, body->loc, "out of memory");
    rp_status st = rw_body(&c, &s, body);
    if (st != RP_OK)
        return st;
    sctx sc = {&c, c.nslots};
    bits S;
    if (!bits_new(a, &S, c.nslots))
        return rp_error_set(err, RP_ERR_NOMEM, body->loc, "out of memory");
    if ((st = order_body(&sc, body, &S)) != RP_OK)
        return st;
    /* Report the user's variables of the top scope, in order of appearance. */
    const char **nm = rp_arena_array(a, s.n ? s.n : 1, sizeof(char *));
    int32_t *sl = rp_arena_array(a, s.n ? s.n : 1, sizeof(int32_t));
    if (!nm || !sl)
        return rp_error_set(err, RP_ERR_NOMEM, body->loc, "out of memory");
    uint32_t k = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        const char *name = s.names[i];
        if (!name || name[0] == '_' || !strncmp(name, "__", 2) || name[0] == '$')
            continue;
        nm[k] = name;
        sl[k] = s.slots[i];
        k++;
    }
    *names = nm;
    *slots = sl;
    *nnames = k;
    *nslots = c.nslots;
    return RP_OK;
}
