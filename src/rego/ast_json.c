/*
 * ast_json.c — a parsed module as OPA's JSON AST (ast_json.h), written
 * field for field as OPA's MarshalJSON methods write it (v1/ast/policy.go,
 * term.go, with the default options, which leave locations out):
 *
 *   module  {"package": {"path": [terms]}, "imports": [...], "rules": [...],
 *            "comments": [...]}                  (empty lists are left out)
 *   import  {"path": term, "alias": "x"}
 *   rule    {"head": head, "body": [exprs], "default": true, "else": rule}
 *   head    {"ref": [terms], "name": "p", "key": term, "value": term,
 *            "args": [terms], "assign": true}
 *   expr    {"index": i, "terms": term | [call terms] | {"symbols": [...]}
 *            | {"key", "value", "domain", "body"}, "negated": true,
 *            "with": [{"target": term, "value": term}]}
 *   term    {"type": "null"|"boolean"|"number"|"string"|"var"|"ref"|"array"
 *            |"object"|"set"|"arraycomprehension"|"objectcomprehension"
 *            |"setcomprehension"|"call"|"templatestring", "value": ...};
 *            null's value is {}, an object's value is its [key, value]
 *            pairs, sets and objects in OPA's term order; a template
 *            string's is {"parts": [term | expr], "multi_line": bool}
 *   comment {"Location": {"file", "row", "col"}, "Text": base64 | null}
 *            (Comment has no MarshalJSON in OPA: Go's field names, []byte
 *            as base64, and Location's own MarshalJSON)
 *
 * Rule heads: our parser normalises them (ast.h), OPA's Head keeps traces
 * of how the rule was written: "name" for one-element refs and for the
 * `p[k] = v` forms, "key" for multi-value rules and for `p[k]` heads, the
 * generated `true` value, a body of `true` for rules written without one.
 * has_name() and has_ref_key() rebuild those from what the parser kept.
 * In Rego v1 every rule with a body was written with `if`; in v0 modules we
 * cannot tell `p[x] = y { }` from `p[x] = y if { }` and assume the former.
 *
 * Wildcards: OPA's parser names each `_` $0, $1, ... in parse order (one
 * counter per module, else heads renumber their wildcard arguments); we
 * number them in the same order by walking the tree in source order,
 * before sets and objects are sorted.  (v0 rules with several bodies,
 * `p { a } { b }`, are separate rules here, so their copied wildcard
 * arguments are numbered in source order rather than after each body.)
 *
 * Bounds: the result may nest at most REGO_VALUE_MAX_DEPTH levels, the
 * depth every value operation handles; jctx.depth follows the JSON nesting
 * being built (a term is its object plus, for refs, arrays, calls and sets,
 * an array; objects add pair arrays; bodies an array and expression
 * objects; else clauses a rule object each) and going deeper is an
 * RP_ERR_LIMIT error.  That also bounds this file's recursion.  Trees the
 * parser accepts stay well inside: nesting as deep as REGO_PARSE_MAX_DEPTH
 * allows gives under 5000 levels (nested comprehensions, the worst shape
 * found, add about nine levels per two parser levels).  Allocation failure
 * is the arena's sticky flag, reported once at the end.  No globals.
 */
#include "ast_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

typedef struct {
    rp_arena *a;
    rp_error *err;
    const rego_module *m;
    uint32_t depth;    /* JSON nesting where values are being built (module = 1) */
    uint32_t deepest;  /* the largest depth reached so far */
    uint32_t wildcard; /* the next $N */
    bool limit;        /* the depth limit was hit (err is set) */
} jctx;

typedef struct {
    const char *k;
    rego_value v; /* UNDEF: field left out */
} field;

static rego_value S(const char *s) { return rego_str_borrow(s, strlen(s)); }

/* An object of the fields that are defined. */
static rego_value mkobj(jctx *j, const field *f, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !rego_is_undef(f[i].v);
    rego_value out;
    rego_objent *e = rego_object_alloc(j->a, k, &out);
    if (!e)
        return rego_undef();
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rego_is_undef(f[i].v))
            continue;
        e[k].key = S(f[i].k);
        e[k++].val = f[i].v;
    }
    return rego_object_seal(j->a, out);
}

static rego_value typed(jctx *j, const char *type, rego_value v)
{
    field f[] = {{"type", S(type)}, {"value", v}};
    return mkobj(j, f, 2);
}

/* k JSON levels deeper; false (the levels not taken, the error set) when
 * the result would nest deeper than values may (REGO_VALUE_MAX_DEPTH). */
static bool down(jctx *j, uint32_t k)
{
    if (j->depth + k <= REGO_VALUE_MAX_DEPTH) {
        j->depth += k;
        if (j->depth > j->deepest)
            j->deepest = j->depth;
        return true;
    }
    if (!j->limit) {
        rp_loc none = {0};
        rp_error_setk(j->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, none,
                      "the module's JSON AST would nest deeper than %d levels", REGO_VALUE_MAX_DEPTH);
        j->limit = true;
    }
    return false;
}

static void up(jctx *j, uint32_t k) { j->depth -= k; }

/* ---- OPA's term order ----------------------------------------------------- */

static rego_value get(rego_value obj, const char *k)
{
    rego_value v = rego_undef();
    size_t n = strlen(k);
    if (obj.kind == REGO_OBJECT)
        rego_object_get_str(obj, k, n, rego_hash_str(k, n), &v);
    return v;
}

/* OPA's valueSortOrder, by the JSON type name. */
static int type_rank(rego_value type)
{
    static const struct {
        const char *name;
        int rank;
    } ranks[] = {
        {"null", 0}, {"boolean", 1}, {"number", 2}, {"string", 3}, {"templatestring", 4},
        {"var", 5},
        {"ref", 6}, {"array", 7}, {"object", 8}, {"set", 9}, {"arraycomprehension", 10},
        {"objectcomprehension", 11}, {"setcomprehension", 12}, {"call", 13},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(ranks); i++)
        if (type.kind == REGO_STRING && strcmp(type.u.s, ranks[i].name) == 0)
            return ranks[i].rank;
    return 100;
}

static int cmp_len(size_t a, size_t b) { return a < b ? -1 : a > b; }

static int term_cmp(rego_value a, rego_value b);

static int slice_cmp(rego_value x, rego_value y)
{
    size_t nx = x.kind == REGO_ARRAY ? x.n : 0, ny = y.kind == REGO_ARRAY ? y.n : 0;
    for (size_t i = 0; i < nx && i < ny; i++) {
        int c = term_cmp(x.u.items[i], y.u.items[i]);
        if (c)
            return c;
    }
    return cmp_len(nx, ny);
}

/* Objects: their sorted [key, value] pairs, key before value. */
static int pairs_cmp(rego_value x, rego_value y)
{
    size_t nx = x.kind == REGO_ARRAY ? x.n : 0, ny = y.kind == REGO_ARRAY ? y.n : 0;
    for (size_t i = 0; i < nx && i < ny; i++) {
        int c = slice_cmp(x.u.items[i], y.u.items[i]);
        if (c)
            return c;
    }
    return cmp_len(nx, ny);
}

static int body_cmp(rego_value x, rego_value y);

/* OPA's Expr sort order: some < term < call < every. */
static int expr_order(rego_value terms)
{
    if (terms.kind == REGO_ARRAY)
        return 2;
    if (!rego_is_undef(get(terms, "symbols")))
        return 0;
    if (!rego_is_undef(get(terms, "domain")))
        return 3;
    return 1;
}

static int withs_cmp(rego_value x, rego_value y)
{
    size_t nx = x.kind == REGO_ARRAY ? x.n : 0, ny = y.kind == REGO_ARRAY ? y.n : 0;
    for (size_t i = 0; i < nx && i < ny; i++) {
        int c = term_cmp(get(x.u.items[i], "target"), get(y.u.items[i], "target"));
        if (!c)
            c = term_cmp(get(x.u.items[i], "value"), get(y.u.items[i], "value"));
        if (c)
            return c;
    }
    return cmp_len(nx, ny);
}

static int expr_terms_cmp(int order, rego_value ta, rego_value tb)
{
    int c;
    switch (order) {
    case 0:
        return slice_cmp(get(ta, "symbols"), get(tb, "symbols"));
    case 1:
        return term_cmp(ta, tb);
    case 2:
        return slice_cmp(ta, tb);
    default:
        if ((c = term_cmp(get(ta, "key"), get(tb, "key"))) ||
            (c = term_cmp(get(ta, "value"), get(tb, "value"))) ||
            (c = term_cmp(get(ta, "domain"), get(tb, "domain"))))
            return c;
        return body_cmp(get(ta, "body"), get(tb, "body"));
    }
}

/* OPA's Expr.Compare: kind, index, negation, terms, with modifiers. */
static int expr_cmp(rego_value x, rego_value y)
{
    rego_value ta = get(x, "terms"), tb = get(y, "terms");
    int oa = expr_order(ta), ob = expr_order(tb);
    if (oa != ob)
        return oa < ob ? -1 : 1;
    int c = rego_compare(get(x, "index"), get(y, "index"));
    if (c)
        return c;
    bool na = get(x, "negated").kind == REGO_BOOL, nb = get(y, "negated").kind == REGO_BOOL;
    if (na != nb)
        return na ? 1 : -1;
    if ((c = expr_terms_cmp(oa, ta, tb)))
        return c;
    return withs_cmp(get(x, "with"), get(y, "with"));
}

static int body_cmp(rego_value x, rego_value y)
{
    size_t nx = x.kind == REGO_ARRAY ? x.n : 0, ny = y.kind == REGO_ARRAY ? y.n : 0;
    for (size_t i = 0; i < nx && i < ny; i++) {
        int c = expr_cmp(x.u.items[i], y.u.items[i]);
        if (c)
            return c;
    }
    return cmp_len(nx, ny);
}

/* Template string parts: terms before expressions (OPA sorts values before
 * expressions), then by content; then the count; then the raw form last. */
static int parts_cmp(rego_value x, rego_value y)
{
    rego_value px = get(x, "parts"), py = get(y, "parts");
    size_t nx = px.kind == REGO_ARRAY ? px.n : 0, ny = py.kind == REGO_ARRAY ? py.n : 0;
    for (size_t i = 0; i < nx && i < ny; i++) {
        rego_value a = px.u.items[i], b = py.u.items[i];
        bool ea = rego_is_undef(get(a, "type")), eb = rego_is_undef(get(b, "type"));
        int c = ea != eb ? (ea ? 1 : -1) : ea ? expr_cmp(a, b) : term_cmp(a, b);
        if (c)
            return c;
    }
    int c = cmp_len(nx, ny);
    return c ? c : rego_compare(get(x, "multi_line"), get(y, "multi_line"));
}

/* OPA's order of terms (in JSON form), as it sorts set elements and object
 * keys: null < boolean < number < string < template string < var < ref <
 * array < object < set < comprehensions < call, then by content. */
static int term_cmp(rego_value a, rego_value b)
{
    /* a missing term (every's key) sorts first, as OPA's nil */
    bool an = a.kind != REGO_OBJECT, bn = b.kind != REGO_OBJECT;
    if (an || bn)
        return an && bn ? 0 : an ? -1 : 1;
    int ra = type_rank(get(a, "type")), rb = type_rank(get(b, "type"));
    if (ra != rb)
        return ra < rb ? -1 : 1;
    rego_value va = get(a, "value"), vb = get(b, "value");
    int c;
    switch (ra) {
    case 0:
        return 0;
    case 1: case 2: case 3: case 5:
        return rego_compare(va, vb);
    case 4:
        return parts_cmp(va, vb);
    case 8:
        return pairs_cmp(va, vb);
    case 10: case 12:
        if ((c = term_cmp(get(va, "term"), get(vb, "term"))))
            return c;
        return body_cmp(get(va, "body"), get(vb, "body"));
    case 11:
        if ((c = term_cmp(get(va, "key"), get(vb, "key"))) ||
            (c = term_cmp(get(va, "value"), get(vb, "value"))))
            return c;
        return body_cmp(get(va, "body"), get(vb, "body"));
    default: /* ref, array, set, call: element by element */
        return slice_cmp(va, vb);
    }
}

/* ---- sets and objects -------------------------------------------------------- */

typedef struct {
    rego_value k, v;
    uint32_t idx; /* source position: ties keep source order */
} sortent;

static int cmp_sortent(const void *x, const void *y)
{
    const sortent *a = x, *b = y;
    int c = term_cmp(a->k, b->k);
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static sortent *sortents(jctx *j, size_t n)
{
    return rp_arena_array(j->a, n ? n : 1, sizeof(sortent));
}

/* Sorted, without duplicates: OPA's set keeps the first of equal elements. */
static rego_value sorted_set(jctx *j, sortent *e, size_t n)
{
    qsort(e, n, sizeof(*e), cmp_sortent);
    rego_value out;
    rego_value *items = rego_array_alloc(j->a, n, &out);
    if (!items)
        return rego_undef();
    size_t w = 0;
    for (size_t r = 0; r < n; r++)
        if (w == 0 || term_cmp(items[w - 1], e[r].k) != 0)
            items[w++] = e[r].k;
    out.n = (uint32_t)w;
    return out;
}

/* OPA's object keeps the first key and the last value of equal keys. */
static rego_value sorted_pairs(jctx *j, sortent *e, size_t n)
{
    qsort(e, n, sizeof(*e), cmp_sortent);
    rego_value out;
    rego_value *items = rego_array_alloc(j->a, n, &out);
    if (!items)
        return rego_undef();
    size_t w = 0;
    for (size_t r = 0; r < n;) {
        size_t last = r;
        while (last + 1 < n && term_cmp(e[r].k, e[last + 1].k) == 0)
            last++;
        rego_value *kv = rego_array_alloc(j->a, 2, &items[w++]);
        if (!kv)
            return rego_undef();
        kv[0] = e[r].k;
        kv[1] = e[last].v;
        r = last + 1;
    }
    out.n = (uint32_t)w;
    return out;
}

/* ---- terms ------------------------------------------------------------------- */

static rego_value term_json(jctx *j, const rego_term *t);
static rego_value body_json(jctx *j, const rego_body *b);

/* An array of terms: one level, the terms below it. */
static rego_value items_json(jctx *j, rego_term *const *items, size_t n)
{
    if (n == 0)
        return rego_empty_array();
    rego_value out;
    rego_value *v = rego_array_alloc(j->a, n, &out);
    if (!v || !down(j, 1))
        return rego_undef();
    for (size_t i = 0; i < n; i++)
        v[i] = term_json(j, items[i]);
    up(j, 1);
    return out;
}

static rego_value var_json(jctx *j, const char *name, size_t n)
{
    if (n == 1 && name[0] == '_') {
        char buf[16];
        int k = snprintf(buf, sizeof(buf), "$%u", (unsigned)j->wildcard++);
        return typed(j, "var", rego_str(j->a, buf, (size_t)k));
    }
    return typed(j, "var", rego_str_borrow(name, n));
}

static rego_value value_json(jctx *j, rego_value v);

/* A set or object value as the literal it would have been written as:
 * elements one level below the term, object members two (pair arrays). */
static rego_value composite_json(jctx *j, rego_value v)
{
    uint32_t below = v.kind == REGO_SET ? 1 : 2;
    sortent *e = sortents(j, v.n);
    if (!e || !down(j, below))
        return rego_undef();
    for (uint32_t i = 0; i < v.n; i++) {
        e[i].idx = i;
        if (v.kind == REGO_SET) {
            e[i].k = value_json(j, rego_set_at(v, i));
        } else {
            e[i].k = value_json(j, rego_object_at(v, i).key);
            e[i].v = value_json(j, rego_object_at(v, i).val);
        }
    }
    up(j, below);
    return v.kind == REGO_SET ? typed(j, "set", sorted_set(j, e, v.n))
                              : typed(j, "object", sorted_pairs(j, e, v.n));
}

/* Values inside VALUE terms: the parser makes only scalars, but a tree
 * built otherwise may hold composites.  The term object is one level. */
static rego_value value_json(jctx *j, rego_value v)
{
    rego_value out = rego_undef();
    if (!down(j, 1))
        return out;
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF:
    case REGO_NULL: out = typed(j, "null", rego_empty_object()); break;
    case REGO_BOOL: out = typed(j, "boolean", v); break;
    case REGO_NUMBER: out = typed(j, "number", v); break;
    case REGO_STRING: out = typed(j, "string", v); break;
    case REGO_ARRAY: {
        rego_value arr;
        rego_value *items = rego_array_alloc(j->a, v.n, &arr);
        if (!items || !down(j, 1))
            break;
        for (uint32_t i = 0; i < v.n; i++)
            items[i] = value_json(j, v.u.items[i]);
        up(j, 1);
        out = typed(j, "array", v.n ? arr : rego_empty_array());
        break;
    }
    case REGO_OBJECT:
    case REGO_SET: out = composite_json(j, v); break;
    }
    up(j, 1);
    return out;
}

static rego_value set_json(jctx *j, const rego_term *t)
{
    sortent *e = sortents(j, t->n);
    if (!e || !down(j, 1))
        return rego_undef();
    for (uint32_t i = 0; i < t->n; i++) {
        e[i].k = term_json(j, t->u.c.items[i]);
        e[i].idx = i;
    }
    up(j, 1);
    return typed(j, "set", sorted_set(j, e, t->n));
}

static rego_value object_json(jctx *j, const rego_term *t)
{
    size_t n = t->n / 2;
    sortent *e = sortents(j, n);
    if (!e || !down(j, 2)) /* the pairs array and each pair */
        return rego_undef();
    for (size_t i = 0; i < n; i++) {
        e[i].k = term_json(j, t->u.c.items[2 * i]);
        e[i].v = term_json(j, t->u.c.items[2 * i + 1]);
        e[i].idx = (uint32_t)i;
    }
    up(j, 2);
    return typed(j, "object", sorted_pairs(j, e, n));
}

/* The comprehension's value object is one level below the term. */
static rego_value compr_json(jctx *j, const rego_term *t)
{
    if (!down(j, 1))
        return rego_undef();
    rego_value v;
    if (t->kind == REGO_TERM_OBJECT_COMPR) {
        rego_value key = term_json(j, t->u.c.items[0]);
        rego_value val = term_json(j, t->u.c.items[1]);
        field f[] = {{"key", key}, {"value", val}, {"body", body_json(j, t->u.c.body)}};
        v = typed(j, "objectcomprehension", mkobj(j, f, 3));
    } else {
        rego_value head = term_json(j, t->u.c.items[0]);
        field f[] = {{"term", head}, {"body", body_json(j, t->u.c.body)}};
        v = typed(j, t->kind == REGO_TERM_ARRAY_COMPR ? "arraycomprehension" : "setcomprehension",
                  mkobj(j, f, 2));
    }
    up(j, 1);
    return v;
}

static rego_value expr_json(jctx *j, const rego_expr *e, uint32_t index);

/* {"parts": [term | expr, ...], "multi_line": raw} one level below the term;
 * parts are OPA's: a term for text and lone scalars, else the expression
 * (its index 0: it belongs to no body). */
static rego_value template_json(jctx *j, const rego_term *t)
{
    const rego_body *parts = t->u.c.body;
    rego_value arr = rego_empty_array();
    if (!down(j, 2))
        return rego_undef();
    if (parts->n) {
        rego_value *v = rego_array_alloc(j->a, parts->n, &arr);
        if (!v) {
            up(j, 2);
            return rego_undef();
        }
        for (uint32_t i = 0; i < parts->n; i++) {
            const rego_expr *e = parts->exprs[i];
            v[i] = e->tmpl_term ? term_json(j, e->term) : expr_json(j, e, 0);
        }
    }
    up(j, 2);
    field f[] = {{"parts", arr},
                 {"multi_line", rego_bool((t->flags_ & REGO_TF_RAW_TEMPLATE) != 0)}};
    return typed(j, "templatestring", mkobj(j, f, 2));
}

static rego_value term_kind_json(jctx *j, const rego_term *t)
{
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE: /* value_json counts the term's own level */
        return value_json(j, t->u.value);
    case REGO_TERM_VAR:
        return var_json(j, t->u.var.name, t->u.var.len);
    case REGO_TERM_LOCAL:
        if (t->u.var.name)
            return var_json(j, t->u.var.name, t->u.var.len);
        return typed(j, "var", S("__local__"));
    case REGO_TERM_DATA:
        return typed(j, "var", S("data"));
    case REGO_TERM_INPUT:
        return typed(j, "var", S("input"));
    case REGO_TERM_REF:
        return typed(j, "ref", items_json(j, t->u.c.items, t->n));
    case REGO_TERM_ARRAY:
        return typed(j, "array", items_json(j, t->u.c.items, t->n));
    case REGO_TERM_CALL:
        return typed(j, "call", items_json(j, t->u.c.items, t->n));
    case REGO_TERM_SET:
        return set_json(j, t);
    case REGO_TERM_OBJECT:
        return object_json(j, t);
    case REGO_TERM_ARRAY_COMPR:
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        return compr_json(j, t);
    case REGO_TERM_TEMPLATE:
        return template_json(j, t);
    }
    return rego_undef();
}

/* The term's object is one level; what is inside counts itself. */
static rego_value term_json(jctx *j, const rego_term *t)
{
    if (t->kind == REGO_TERM_VALUE)
        return term_kind_json(j, t);
    if (!down(j, 1))
        return rego_undef();
    rego_value out = term_kind_json(j, t);
    up(j, 1);
    return out;
}

static rego_value true_term(jctx *j) { return typed(j, "boolean", rego_bool(true)); }

/* ---- expressions and bodies ---------------------------------------------------- */

/* `some [k,] v in xs` is a declaration of one call term, as OPA parses it. */
static rego_value some_in_json(jctx *j, const rego_expr *e)
{
    rego_value op, *ref = rego_array_alloc(j->a, 2, &op);
    rego_value call, *c = rego_array_alloc(j->a, e->key ? 4 : 3, &call);
    /* symbols object, its array, the call's object and its array; the
     * operator's ref object, array and var object three more */
    if (!ref || !c || !down(j, 7))
        return rego_undef();
    up(j, 3);
    ref[0] = typed(j, "var", S("internal"));
    ref[1] = typed(j, "string", S(e->key ? "member_3" : "member_2"));
    size_t k = 0;
    c[k++] = typed(j, "ref", op);
    if (e->key)
        c[k++] = term_json(j, e->key);
    c[k++] = term_json(j, e->value);
    c[k++] = term_json(j, e->domain);
    up(j, 4);
    rego_value sym, *s = rego_array_alloc(j->a, 1, &sym);
    if (!s)
        return rego_undef();
    s[0] = typed(j, "call", call);
    field f[] = {{"symbols", sym}};
    return mkobj(j, f, 1);
}

static rego_value every_json(jctx *j, const rego_expr *e)
{
    if (!down(j, 1))
        return rego_undef();
    rego_value key = e->key ? term_json(j, e->key) : rego_null();
    rego_value value = term_json(j, e->value);
    rego_value domain = term_json(j, e->domain);
    field f[] = {{"key", key}, {"value", value}, {"domain", domain}, {"body", body_json(j, e->body)}};
    up(j, 1);
    return mkobj(j, f, 4);
}

static rego_value expr_terms_json(jctx *j, const rego_expr *e)
{
    switch ((rego_expr_kind)e->kind) {
    case REGO_EXPR_TERM:
        /* a top-level call is the expression's term list, as OPA's parseExpr */
        if (e->term->kind == REGO_TERM_CALL)
            return items_json(j, e->term->u.c.items, e->term->n);
        return term_json(j, e->term);
    case REGO_EXPR_SOME: {
        if (!down(j, 1))
            return rego_undef();
        field f[] = {{"symbols", items_json(j, e->vars, e->nvars)}};
        up(j, 1);
        return mkobj(j, f, 1);
    }
    case REGO_EXPR_SOME_IN:
        return some_in_json(j, e);
    case REGO_EXPR_EVERY:
        return every_json(j, e);
    }
    return rego_undef();
}

/* OPA keeps `with f as ...` targets that name a function as vars; our
 * parser wraps every target in a ref. */
static rego_value with_target_json(jctx *j, const rego_term *t)
{
    if (t->kind == REGO_TERM_REF && t->n == 1 && t->u.c.items[0]->kind == REGO_TERM_VAR) {
        const char *name = t->u.c.items[0]->u.var.name;
        if (strcmp(name, "input") != 0 && strcmp(name, "data") != 0)
            return term_json(j, t->u.c.items[0]);
    }
    return term_json(j, t);
}

static rego_value withs_json(jctx *j, const rego_expr *e)
{
    if (e->nwith == 0)
        return rego_undef();
    rego_value out, *w = rego_array_alloc(j->a, e->nwith, &out);
    if (!w || !down(j, 2)) /* the array and each with object */
        return rego_undef();
    for (uint32_t i = 0; i < e->nwith; i++) {
        rego_value target = with_target_json(j, e->withs[i].target);
        field f[] = {{"target", target}, {"value", term_json(j, e->withs[i].value)}};
        w[i] = mkobj(j, f, 2);
    }
    up(j, 2);
    return out;
}

static rego_value expr_json(jctx *j, const rego_expr *e, uint32_t index)
{
    if (!down(j, 1))
        return rego_undef();
    rego_value terms = expr_terms_json(j, e);
    field f[] = {
        {"index", rego_int(index)},
        {"terms", terms},
        {"negated", e->negated ? rego_bool(true) : rego_undef()},
        {"with", withs_json(j, e)},
    };
    up(j, 1);
    return mkobj(j, f, RP_ARRAY_LEN(f));
}

/* A rule written without a body has OPA's generated body `true`. */
static rego_value body_json(jctx *j, const rego_body *b)
{
    rego_value out;
    if (!b) {
        field f[] = {{"index", rego_int(0)}, {"terms", true_term(j)}};
        rego_value *v = rego_array_alloc(j->a, 1, &out);
        if (!v)
            return rego_undef();
        v[0] = mkobj(j, f, 2);
        return out;
    }
    if (b->n == 0)
        return rego_empty_array();
    rego_value *v = rego_array_alloc(j->a, b->n, &out);
    if (!v || !down(j, 1))
        return rego_undef();
    for (uint32_t i = 0; i < b->n; i++)
        v[i] = expr_json(j, b->exprs[i], i);
    up(j, 1);
    return out;
}

/* ---- rules -------------------------------------------------------------------- */

static bool term_ground(const rego_term *t);

static bool body_ground(const rego_body *b)
{
    for (uint32_t i = 0; b && i < b->n; i++) {
        const rego_expr *e = b->exprs[i];
        if (e->kind != REGO_EXPR_TERM)
            continue;
        const rego_term *t = e->term;
        if (t->kind != REGO_TERM_CALL) {
            if (!term_ground(t))
                return false;
            continue;
        }
        for (uint32_t k = 1; k < t->n; k++) /* the operator does not count */
            if (!term_ground(t->u.c.items[k]))
                return false;
    }
    return true;
}

/* OPA's IsGround: no variables, where a ref's head does not count. */
static bool term_ground(const rego_term *t)
{
    uint32_t first = 0;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE: case REGO_TERM_DATA: case REGO_TERM_INPUT:
        return true;
    case REGO_TERM_VAR: case REGO_TERM_LOCAL:
        return false;
    case REGO_TERM_REF:
        first = 1;
        break;
    case REGO_TERM_ARRAY: case REGO_TERM_SET: case REGO_TERM_OBJECT: case REGO_TERM_CALL:
    case REGO_TERM_ARRAY_COMPR: case REGO_TERM_SET_COMPR: case REGO_TERM_OBJECT_COMPR:
        break;
    case REGO_TERM_TEMPLATE:
        return body_ground(t->u.c.body);
    }
    for (uint32_t i = first; i < t->n; i++)
        if (!term_ground(t->u.c.items[i]))
            return false;
    bool compr = t->kind == REGO_TERM_ARRAY_COMPR || t->kind == REGO_TERM_SET_COMPR ||
                 t->kind == REGO_TERM_OBJECT_COMPR;
    return !compr || body_ground(t->u.c.body);
}

/* Whether the rule was written `... if`: v1 requires it before any body. */
static bool had_if(const rego_rule *r, const rego_module *m)
{
    return m->version == REGO_V1 && r->body && !r->is_default;
}

/* `p[k]`-shaped heads: a two-element ref under a name, not multi-value. */
static bool is_ref2_head(const rego_rule *r)
{
    return !r->contains && !r->is_default && r->ref->n == 2 &&
           r->ref->u.c.items[0]->kind == REGO_TERM_VAR;
}

/* OPA's Head.Name: one-element refs always; `p[k]` heads when OPA kept the
 * name "for compatibility": `p[k] = v if` (functions `a.f(x) if` count,
 * their value being generated first), and the v0 / bodiless `p[k] = v`. */
static bool has_name(const rego_rule *r, const rego_module *m)
{
    if (r->ref->n == 1)
        return r->ref->u.c.items[0]->kind == REGO_TERM_VAR;
    if (!is_ref2_head(r))
        return false;
    if (had_if(r, m))
        return r->value != NULL || r->nargs > 0;
    return r->nargs == 0;
}

/* OPA's Head.Key outside multi-value rules: `p[k] if` keeps a k that is not
 * ground (or is a ref); v0 `p[k] = v { }` and bodiless `p.k := v` keep k. */
static bool has_ref_key(const rego_rule *r, const rego_module *m)
{
    if (!is_ref2_head(r) || r->nargs > 0)
        return false;
    const rego_term *k = r->ref->u.c.items[1];
    if (had_if(r, m))
        return !term_ground(k) || k->kind == REGO_TERM_REF;
    return true;
}

/* What an else clause shares with its rule: OPA copies the head. */
typedef struct {
    rego_value ref;    /* JSON array */
    uint32_t ref_deep; /* levels the ref array spans */
    rego_value name;   /* string or UNDEF */
    rego_value key;    /* term or UNDEF */
} headbase;

/* The head object one level below the rule's; the shared ref is checked
 * at the depth it is placed (an else sits deeper than its rule). */
static rego_value head_json(jctx *j, const rego_rule *r, const headbase *hb)
{
    if (!down(j, 1))
        return rego_undef();
    if (!down(j, hb->ref_deep)) {
        up(j, 1);
        return rego_undef();
    }
    up(j, hb->ref_deep);
    rego_value args = r->nargs ? items_json(j, r->args, r->nargs) : rego_undef();
    rego_value key = r->contains ? term_json(j, r->key) : hb->key;
    rego_value value = rego_undef();
    if (!r->contains)
        value = r->value ? term_json(j, r->value) : true_term(j);
    field f[] = {
        {"ref", hb->ref},   {"name", hb->name}, {"key", key}, {"value", value},
        {"args", args},     {"assign", r->assign ? rego_bool(true) : rego_undef()},
    };
    up(j, 1);
    return mkobj(j, f, RP_ARRAY_LEN(f));
}

/* The rule object one level below its parent (the rules array, or the
 * rule an else clause belongs to). */
static rego_value rule_json(jctx *j, const rego_rule *r, const headbase *hb)
{
    if (!down(j, 1))
        return rego_undef();
    rego_value head = head_json(j, r, hb);
    rego_value body = body_json(j, r->body);
    rego_value els = rego_undef();
    if (r->else_) {
        headbase eb = {hb->ref, hb->ref_deep, hb->name, rego_undef()};
        els = rule_json(j, r->else_, &eb);
    }
    up(j, 1);
    field f[] = {
        {"head", head},
        {"body", body},
        {"default", r->is_default ? rego_bool(true) : rego_undef()},
        {"else", els},
    };
    return mkobj(j, f, RP_ARRAY_LEN(f));
}

static rego_value top_rule_json(jctx *j, const rego_rule *r)
{
    headbase hb = {rego_undef(), 0, rego_undef(), rego_undef()};
    if (!down(j, 2)) /* where the ref goes: in the head, in the rule */
        return rego_undef();
    uint32_t at = j->depth, deepest = j->deepest;
    j->deepest = at;
    hb.ref = items_json(j, r->ref->u.c.items, r->ref->n);
    hb.ref_deep = j->deepest - at;
    j->deepest = deepest > j->deepest ? deepest : j->deepest;
    up(j, 2);
    if (has_name(r, j->m)) {
        const rego_term *v = r->ref->u.c.items[0];
        hb.name = rego_str_borrow(v->u.var.name, v->u.var.len);
    }
    /* the key is the ref's own element (same wildcard name) */
    if (has_ref_key(r, j->m) && hb.ref.kind == REGO_ARRAY && hb.ref.n == 2)
        hb.key = hb.ref.u.items[1];
    return rule_json(j, r, &hb);
}

/* ---- module -------------------------------------------------------------------- */

static rego_value import_json(jctx *j, const rego_import *imp)
{
    if (!down(j, 1))
        return rego_undef();
    field f[] = {
        {"path", term_json(j, imp->path)},
        {"alias", imp->alias ? S(imp->alias) : rego_undef()},
    };
    up(j, 1);
    return mkobj(j, f, 2);
}

/* Go's encoding/json writes []byte as standard base64 with padding. */
static rego_value base64_value(jctx *j, const char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    rego_value v;
    char *o = rego_str_alloc(j->a, 4 * ((n + 2) / 3), &v);
    if (!o)
        return rego_undef();
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3, o += 4) {
        uint32_t w = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            w |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            w |= p[i + 2];
        o[0] = tab[w >> 18];
        o[1] = tab[(w >> 12) & 63];
        o[2] = i + 1 < n ? tab[(w >> 6) & 63] : '=';
        o[3] = i + 2 < n ? tab[w & 63] : '=';
    }
    return v;
}

/* OPA leaves Text nil for a bare `#`, which marshals as null. */
static rego_value comment_json(jctx *j, const rego_comment *c)
{
    const char *file = c->loc.file ? c->loc.file : "";
    field lf[] = {
        {"file", S(file)},
        {"row", rego_int(c->loc.line)},
        {"col", rego_int(c->loc.col)},
    };
    size_t n = strlen(c->text);
    field f[] = {
        {"Location", mkobj(j, lf, RP_ARRAY_LEN(lf))},
        {"Text", n ? base64_value(j, c->text, n) : rego_null()},
    };
    return mkobj(j, f, 2);
}

static rego_value list_json(jctx *j, uint32_t n, rego_value (*one)(jctx *, const void *, uint32_t),
                            const void *base)
{
    if (n == 0)
        return rego_undef(); /* OPA's omitempty */
    rego_value out, *v = rego_array_alloc(j->a, n, &out);
    if (!v || !down(j, 1))
        return rego_undef();
    for (uint32_t i = 0; i < n; i++)
        v[i] = one(j, base, i);
    up(j, 1);
    return out;
}

static rego_value nth_import(jctx *j, const void *m, uint32_t i)
{
    return import_json(j, &((const rego_module *)m)->imports[i]);
}

static rego_value nth_rule(jctx *j, const void *m, uint32_t i)
{
    return top_rule_json(j, ((const rego_module *)m)->rules[i]);
}

static rego_value nth_comment(jctx *j, const void *m, uint32_t i)
{
    return comment_json(j, &((const rego_module *)m)->comments[i]);
}

rp_status rego_module_json(rp_arena *a, const rego_module *m, rego_value *out, rp_error *err)
{
    jctx j = {a, err, m, 1, 1, 0, false}; /* inside the module object */
    *out = rego_undef();
    const rego_term *pkg = m->package;
    rego_value path = rego_undef();
    if (down(&j, 1)) { /* the package object */
        path = items_json(&j, pkg->u.c.items, pkg->n);
        up(&j, 1);
    }
    field pf[] = {{"path", path}};
    /* statement order, which is the order OPA numbered wildcards in */
    rego_value package = mkobj(&j, pf, 1);
    rego_value imports = list_json(&j, m->nimports, nth_import, m);
    rego_value rules = list_json(&j, m->nrules, nth_rule, m);
    rego_value comments = list_json(&j, m->ncomments, nth_comment, m);
    field f[] = {
        {"package", package}, {"imports", imports}, {"rules", rules}, {"comments", comments},
    };
    rego_value v = mkobj(&j, f, RP_ARRAY_LEN(f));
    if (j.limit)
        return RP_ERR_LIMIT;
    if (rego_is_undef(v) || rp_arena_failed(a)) {
        rp_loc none = {0};
        return rp_error_setk(err, RP_ERR_NOMEM, RP_EK_EVAL_CANCEL, none,
                             "out of memory converting the module to JSON");
    }
    *out = v;
    return RP_OK;
}
