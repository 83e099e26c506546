/*
 * collections.c — the builtin group "collections": array.concat,
 * array.slice, array.reverse, array.flatten, object.get, object.keys,
 * object.remove, object.filter, object.union, object.union_n, object.subset,
 * json.filter, json.remove, json.patch, walk, graph.reachable and
 * graph.reachable_paths.
 *
 * Behaviour and error texts follow OPA's topdown (array.go, object.go,
 * subset.go, json.go with internal/edittree, walk.go, reachable.go).  Where
 * OPA mutates a tree in place (json.patch's edit tree, object.union_n's
 * frozen keys) we compute the same result functionally on immutable values.
 *
 * Bounds: recursion over values stops at REGO_VALUE_MAX_DEPTH, paths (walk,
 * json.patch, json.filter/remove) at REGO_WALK_MAX_DEPTH, and the path search
 * of graph.reachable_paths at REGO_GRAPH_MAX_STEPS; each is an RP_ERR_LIMIT
 * error.  Graph searches keep per-node flags, so graph.reachable is linear
 * where OPA's queue can grow exponentially on diamond-shaped graphs (the
 * result is the same set).  No global state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../limits.h"

/* ---- shared helpers -------------------------------------------------------- */

/* A limit hit: the evaluation gives up, as for OPA's cancellation. */
static rp_status limit_error(rego_bctx *ctx, const char *what, unsigned long long limit)
{
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: %s exceeds the limit of %llu", ctx->bi->name, what, limit);
}

/* Sets *out to v, reporting out-of-memory when a builder failed (UNDEF). */
static rp_status result(rego_bctx *ctx, rego_value v, rego_value *out)
{
    if (rego_is_undef(v) || rp_arena_failed(ctx->arena))
        return rego_bi_nomem(ctx);
    *out = v;
    return RP_OK;
}

static const rego_value *items_of(rego_value v)
{
    return v.kind == REGO_ARRAY ? v.u.items : v.u.set->items;
}

/* OPA's Number.Int(): only numbers written as integers that fit int64 (a
 * literal 1.0 or a big integer is not one). */
static bool exact_int(rego_value v, int64_t *out)
{
    if (v.kind != REGO_NUMBER || v.sub != REGO_NUM_INT)
        return false;
    *out = v.u.i;
    return true;
}

/* builtins.IntOperand: "must be number" / "must be integer number". */
static bool int_operand(rego_bctx *ctx, const rego_value *args, int i, int64_t *out)
{
    if (args[i].kind != REGO_NUMBER) {
        rego_bi_type_error(ctx, i + 1, args[i], "number");
        return false;
    }
    if (!exact_int(args[i], out)) {
        rego_bi_type_errorf(ctx, "operand %d must be integer number but got floating-point number",
                            i + 1);
        return false;
    }
    return true;
}

/* Index of key among obj's sorted entries, or -1. */
static int64_t obj_index(rego_value obj, rego_value key)
{
    size_t lo = 0, hi = obj.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = rego_compare(obj.u.obj->ents[mid].key, key);
        if (c == 0)
            return (int64_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* A growable array of values in the arena. */
typedef struct {
    rp_arena *a;
    rego_value *v;
    size_t n, cap;
} vec;

static bool vec_push(vec *x, rego_value v)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        rego_value *nv = rp_arena_grow(x->a, x->v, x->cap * sizeof(rego_value),
                                       cap * sizeof(rego_value));
        if (!nv)
            return false;
        x->v = nv;
        x->cap = cap;
    }
    x->v[x->n++] = v;
    return true;
}

/* Copies v[0..n) into a new array value. */
static rego_value array_copy(rp_arena *a, const rego_value *v, size_t n)
{
    rego_value out;
    rego_value *items = rego_array_alloc(a, n, &out);
    if (!items)
        return rego_undef();
    if (n)
        memcpy(items, v, n * sizeof(rego_value));
    return out;
}

/* ---- arrays ----------------------------------------------------------------- */

static rp_status bi_array_concat(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY) || !rego_bi_arg_kind(ctx, args, 1, REGO_ARRAY))
        return ctx->err->code;
    if (args[0].n == 0 || args[1].n == 0) {
        *out = args[0].n == 0 ? args[1] : args[0];
        return RP_OK;
    }
    rego_value r;
    rego_value *items = rego_array_alloc(ctx->arena, (size_t)args[0].n + args[1].n, &r);
    if (!items)
        return rego_bi_nomem(ctx);
    memcpy(items, args[0].u.items, args[0].n * sizeof(rego_value));
    memcpy(items + args[0].n, args[1].u.items, args[1].n * sizeof(rego_value));
    *out = r;
    return RP_OK;
}

static rp_status bi_array_slice(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    int64_t start, stop;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY) || !int_operand(ctx, args, 1, &start) ||
        !int_operand(ctx, args, 2, &stop))
        return ctx->err->code;
    int64_t len = args[0].n;
    /* OPA clamps stop into [0, len], then start into [0, stop]. */
    if (stop < 0)
        stop = 0;
    else if (stop > len)
        stop = len;
    if (start < 0)
        start = 0;
    else if (start > stop)
        start = stop;
    *out = stop == start ? rego_empty_array()
                         : rego_array_borrow(args[0].u.items + start, (size_t)(stop - start));
    return RP_OK;
}

static rp_status bi_array_reverse(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY))
        return ctx->err->code;
    size_t n = args[0].n;
    rego_value r;
    rego_value *items = rego_array_alloc(ctx->arena, n, &r);
    if (!items)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        items[i] = args[0].u.items[n - 1 - i];
    *out = r;
    return RP_OK;
}

/* One level only: array items are spliced in, anything else is kept. */
static rp_status bi_array_flatten(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY))
        return ctx->err->code;
    size_t n = 0;
    for (size_t i = 0; i < args[0].n; i++) {
        rego_value e = args[0].u.items[i];
        n += e.kind == REGO_ARRAY ? e.n : 1;
    }
    rego_value r;
    rego_value *items = rego_array_alloc(ctx->arena, n, &r);
    if (!items)
        return rego_bi_nomem(ctx);
    size_t k = 0;
    for (size_t i = 0; i < args[0].n; i++) {
        rego_value e = args[0].u.items[i];
        if (e.kind != REGO_ARRAY) {
            items[k++] = e;
            continue;
        }
        if (e.n)
            memcpy(items + k, e.u.items, e.n * sizeof(rego_value));
        k += e.n;
    }
    *out = r;
    return RP_OK;
}

/* ---- object.get / object.keys --------------------------------------------- */

/* ast.Value.Find over one path segment: objects by key, arrays by integer
 * index, sets by membership (descending into the member itself). */
static bool find_step(rego_value v, rego_value seg, rego_value *out)
{
    int64_t i;
    switch ((rego_kind)v.kind) {
    case REGO_OBJECT:
        return rego_object_get(v, seg, out);
    case REGO_ARRAY:
        if (!exact_int(seg, &i) || i < 0 || i >= (int64_t)v.n)
            return false;
        *out = v.u.items[i];
        return true;
    case REGO_SET:
        if (!rego_set_has(v, seg))
            return false;
        *out = seg;
        return true;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING:
        return false;
    }
    return false;
}

static rp_status bi_object_get(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT))
        return ctx->err->code;
    rego_value v;
    if (args[1].kind != REGO_ARRAY) {
        *out = rego_object_get(args[0], args[1], &v) ? v : args[2];
        return RP_OK;
    }
    v = args[0];
    for (size_t i = 0; i < args[1].n; i++)
        if (!find_step(v, args[1].u.items[i], &v)) {
            *out = args[2];
            return RP_OK;
        }
    *out = v;
    return RP_OK;
}

static rp_status bi_object_keys(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT))
        return ctx->err->code;
    size_t n = args[0].n;
    rego_value s;
    rego_value *items = rego_set_alloc(ctx->arena, n, &s);
    if (!items && n)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        items[i] = args[0].u.obj->ents[i].key;
    return result(ctx, n ? rego_set_seal(ctx->arena, s) : rego_empty_set(), out);
}

/* ---- object.remove / object.filter ---------------------------------------- */

/* getObjectKeysParam: the keys named by an array, set or object. */
static bool keys_param(rego_bctx *ctx, rego_value v, rego_value *keys)
{
    switch ((rego_kind)v.kind) {
    case REGO_ARRAY:
        *keys = v.n ? rego_set_from(ctx->arena, v.u.items, v.n) : rego_empty_set();
        return !rego_is_undef(*keys) || (rego_bi_nomem(ctx), false);
    case REGO_SET:
        *keys = v;
        return true;
    case REGO_OBJECT: {
        rego_value s;
        rego_value *items = rego_set_alloc(ctx->arena, v.n, &s);
        if (!items && v.n)
            return rego_bi_nomem(ctx), false;
        for (size_t i = 0; i < v.n; i++)
            items[i] = v.u.obj->ents[i].key;
        *keys = v.n ? rego_set_seal(ctx->arena, s) : rego_empty_set();
        return true;
    }
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING:
        break;
    }
    rego_bi_type_error(ctx, 2, v, "one of {object, set, array}");
    return false;
}

/* Keeps the entries of obj whose key is (keep) or is not (!keep) in keys. */
static rp_status select_keys(rego_bctx *ctx, rego_value obj, rego_value keys, bool keep,
                             rego_value *out)
{
    rego_value r;
    rego_objent *ents = rego_object_alloc(ctx->arena, obj.n, &r);
    if (!ents && obj.n)
        return rego_bi_nomem(ctx);
    size_t k = 0;
    for (size_t i = 0; i < obj.n; i++)
        if (rego_set_has(keys, obj.u.obj->ents[i].key) == keep)
            ents[k++] = obj.u.obj->ents[i];
    if (k == 0) {
        *out = rego_empty_object();
        return RP_OK;
    }
    ((rego_object *)r.u.obj)->n = (uint32_t)k;
    r.n = (uint32_t)k;
    return result(ctx, rego_object_seal(ctx->arena, r), out);
}

static rp_status bi_object_remove(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value keys;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT) || !keys_param(ctx, args[1], &keys))
        return ctx->err->code;
    return select_keys(ctx, args[0], keys, false, out);
}

static rp_status bi_object_filter(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value keys;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT) || !keys_param(ctx, args[1], &keys))
        return ctx->err->code;
    return select_keys(ctx, args[0], keys, true, out);
}

/* ---- object.union / object.union_n ---------------------------------------- *
 * OPA merges back to front, "freezing" a key once a non-object value has
 * been seen for it.  The same result, computed per key: take the values the
 * objects hold for the key, in order; if the last one is not an object it
 * wins; otherwise merge (recursively, by the same rule) the run of objects
 * at the end, stopping at the first non-object from the back. */

typedef struct {
    rego_value key, val;
    uint32_t src; /* index of the object it came from */
} tagged_ent;

static int cmp_tagged(const void *x, const void *y)
{
    const tagged_ent *a = x, *b = y;
    int c = rego_compare(a->key, b->key);
    if (c)
        return c;
    return (a->src > b->src) - (a->src < b->src);
}

static rp_status union_list(rego_bctx *ctx, const rego_value *objs, size_t n, int depth,
                            rego_value *out);

/* The merged value for one key, from its values vals[0..m) in order. */
static rp_status union_key(rego_bctx *ctx, const tagged_ent *vals, size_t m, int depth,
                           rego_value *out)
{
    if (vals[m - 1].val.kind != REGO_OBJECT) {
        *out = vals[m - 1].val;
        return RP_OK;
    }
    size_t first = m - 1;
    while (first > 0 && vals[first - 1].val.kind == REGO_OBJECT)
        first--;
    if (first == m - 1) {
        *out = vals[m - 1].val;
        return RP_OK;
    }
    rego_value *run = rp_arena_array(ctx->arena, m - first, sizeof(rego_value));
    if (!run)
        return rego_bi_nomem(ctx);
    for (size_t i = first; i < m; i++)
        run[i - first] = vals[i].val;
    return union_list(ctx, run, m - first, depth + 1, out);
}

static rp_status union_list(rego_bctx *ctx, const rego_value *objs, size_t n, int depth,
                            rego_value *out)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return limit_error(ctx, "object nesting", REGO_VALUE_MAX_DEPTH);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += objs[i].n;
    if (total == 0) {
        *out = rego_empty_object();
        return RP_OK;
    }
    tagged_ent *all = rp_arena_array(ctx->arena, total, sizeof(tagged_ent));
    if (!all)
        return rego_bi_nomem(ctx);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < objs[i].n; j++)
            all[k++] = (tagged_ent){objs[i].u.obj->ents[j].key, objs[i].u.obj->ents[j].val,
                                    (uint32_t)i};
    qsort(all, total, sizeof(tagged_ent), cmp_tagged);
    rego_value r;
    rego_objent *ents = rego_object_alloc(ctx->arena, total, &r);
    if (!ents)
        return rego_bi_nomem(ctx);
    size_t nk = 0;
    for (size_t i = 0; i < total;) {
        size_t j = i + 1;
        while (j < total && rego_compare(all[j].key, all[i].key) == 0)
            j++;
        ents[nk].key = all[j - 1].key;
        rp_status st = union_key(ctx, all + i, j - i, depth, &ents[nk].val);
        if (st != RP_OK)
            return st;
        nk++;
        i = j;
    }
    ((rego_object *)r.u.obj)->n = (uint32_t)nk;
    r.n = (uint32_t)nk;
    return result(ctx, rego_object_seal(ctx->arena, r), out);
}

static rp_status bi_object_union(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT) || !rego_bi_arg_kind(ctx, args, 1, REGO_OBJECT))
        return ctx->err->code;
    if (args[1].n == 0 || rego_equal(args[0], args[1])) {
        *out = args[0];
        return RP_OK;
    }
    if (args[0].n == 0) {
        *out = args[1];
        return RP_OK;
    }
    return union_list(ctx, args, 2, 0, out);
}

static rp_status bi_object_union_n(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY))
        return ctx->err->code;
    for (size_t i = args[0].n; i-- > 0;)
        if (args[0].u.items[i].kind != REGO_OBJECT)
            return rego_bi_type_errorf(ctx, "operand 1 must be array of objects but got array "
                                            "containing %s",
                                       rego_type_name(args[0].u.items[i]));
    return union_list(ctx, args[0].u.items, args[0].n, 0, out);
}

/* ---- object.subset ---------------------------------------------------------- */

static bool set_subset(rego_value super, rego_value sub)
{
    for (size_t i = 0; i < sub.n; i++)
        if (!rego_set_has(super, rego_set_at(sub, i)))
            return false;
    return true;
}

/* Whether sub occurs as a contiguous run in super (KMP over rego_equal, so
 * the search is linear where OPA's is quadratic; same answer). */
static int array_subset(rp_arena *a, rego_value super, rego_value sub)
{
    size_t m = sub.n, n = super.n;
    if (m > n)
        return 0;
    if (m == 0)
        return 1;
    size_t *fail = rp_arena_array(a, m, sizeof(size_t));
    if (!fail)
        return -1;
    fail[0] = 0;
    for (size_t i = 1, k = 0; i < m; i++) {
        while (k && !rego_equal(sub.u.items[i], sub.u.items[k]))
            k = fail[k - 1];
        if (rego_equal(sub.u.items[i], sub.u.items[k]))
            k++;
        fail[i] = k;
    }
    for (size_t i = 0, k = 0; i < n; i++) {
        while (k && !rego_equal(super.u.items[i], sub.u.items[k]))
            k = fail[k - 1];
        if (rego_equal(super.u.items[i], sub.u.items[k]))
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

/* OPA counts matches without removing duplicates from the array, and an
 * empty array never reaches zero unmatched; both quirks are kept. */
static bool array_set_subset(rego_value super, rego_value sub)
{
    size_t unmatched = sub.n;
    for (size_t i = 0; i < super.n; i++) {
        if (rego_set_has(sub, super.u.items[i]))
            unmatched--;
        if (unmatched == 0)
            return true;
    }
    return false;
}

/* 1 subset, 0 not, -1 out of memory, -2 too deep. */
static int object_subset(rp_arena *a, rego_value super, rego_value sub, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return -2;
    for (size_t i = 0; i < sub.n; i++) {
        rego_objent e = rego_object_at(sub, i);
        rego_value sv;
        if (!rego_object_get(super, e.key, &sv))
            return 0;
        if (rego_equal(e.val, sv))
            continue;
        int r = 0;
        if (sv.kind == REGO_OBJECT && e.val.kind == REGO_OBJECT)
            r = object_subset(a, sv, e.val, depth + 1);
        else if (sv.kind == REGO_SET && e.val.kind == REGO_SET)
            r = set_subset(sv, e.val);
        else if (sv.kind == REGO_ARRAY && e.val.kind == REGO_ARRAY)
            r = array_subset(a, sv, e.val);
        if (r != 1)
            return r;
    }
    return 1;
}

static rp_status bi_object_subset(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value super = args[0], sub = args[1];
    int r;
    if (super.kind == REGO_OBJECT && sub.kind == REGO_OBJECT)
        r = object_subset(ctx->arena, super, sub, 0);
    else if (super.kind == REGO_SET && sub.kind == REGO_SET)
        r = set_subset(super, sub);
    else if (super.kind == REGO_ARRAY && sub.kind == REGO_ARRAY)
        r = array_subset(ctx->arena, super, sub);
    else if (super.kind == REGO_ARRAY && sub.kind == REGO_SET)
        r = array_set_subset(super, sub);
    else
        return rego_bi_type_errorf(ctx, "both arguments object.subset must be of the same type "
                                        "or array and set");
    if (r == -1)
        return rego_bi_nomem(ctx);
    if (r == -2)
        return limit_error(ctx, "object nesting", REGO_VALUE_MAX_DEPTH);
    *out = rego_bool(r == 1);
    return RP_OK;
}

/* ---- JSON paths (json.filter, json.remove, json.patch) -------------------- */

/* A parsed path: segments[0..n). */
typedef struct {
    const rego_value *seg;
    size_t n;
} jpath;

/* One '/'-separated segment with ~1 -> '/' then ~0 -> '~' (in that order,
 * as OPA does, so "~01" becomes "~1"). */
static rego_value unescape_segment(rp_arena *a, const char *s, size_t n)
{
    char *buf = rp_arena_alloc(a, n + 1);
    if (!buf)
        return rego_undef();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '~' && i + 1 < n && s[i + 1] == '1') {
            buf[k++] = '/';
            i++;
        } else {
            buf[k++] = s[i];
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        if (buf[i] == '~' && i + 1 < k && buf[i + 1] == '0') {
            buf[w++] = '~';
            i++;
        } else {
            buf[w++] = buf[i];
        }
    }
    return rego_str(a, buf, w);
}

typedef enum { JP_OK, JP_BADTYPE, JP_NOMEM, JP_TOOLONG } jp_status;

/* parsePath: a string "a/b/c" (leading slashes trimmed, "" is the root) or
 * an array of segments. */
static jp_status parse_path(rp_arena *a, rego_value p, jpath *out)
{
    if (p.kind == REGO_ARRAY) {
        if (p.n > REGO_WALK_MAX_DEPTH)
            return JP_TOOLONG;
        *out = (jpath){p.u.items, p.n};
        return JP_OK;
    }
    if (p.kind != REGO_STRING)
        return JP_BADTYPE;
    *out = (jpath){NULL, 0};
    if (p.n == 0)
        return JP_OK;
    const char *s = p.u.s, *end = p.u.s + p.n;
    while (s < end && *s == '/')
        s++;
    size_t nseg = 1;
    for (const char *q = s; q < end; q++)
        nseg += *q == '/';
    if (nseg > REGO_WALK_MAX_DEPTH)
        return JP_TOOLONG;
    rego_value *segs = rp_arena_array(a, nseg, sizeof(rego_value));
    if (!segs)
        return JP_NOMEM;
    size_t k = 0;
    for (const char *q = s;; q++) {
        if (q == end || *q == '/') {
            segs[k] = unescape_segment(a, s, (size_t)(q - s));
            if (rego_is_undef(segs[k++]))
                return JP_NOMEM;
            s = q + 1;
            if (q == end)
                break;
        }
    }
    *out = (jpath){segs, k};
    return JP_OK;
}

/* The tree of paths (pathsToObject): a node maps keys to child nodes, or
 * to null for a leaf ("everything below here"). */
typedef struct pnode {
    rego_objb kids; /* key -> rego_int(node index) or null */
} pnode;

typedef struct {
    rego_bctx *ctx;
    pnode **nodes;
    size_t n, cap;
} ptree;

static int64_t ptree_new(ptree *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        pnode **nn = rp_arena_grow(t->ctx->arena, t->nodes, t->cap * sizeof(pnode *),
                                   cap * sizeof(pnode *));
        if (!nn)
            return -1;
        t->nodes = nn;
        t->cap = cap;
    }
    pnode *node = rp_arena_zalloc(t->ctx->arena, sizeof(pnode));
    if (!node)
        return -1;
    rego_objb_init(&node->kids, t->ctx->arena);
    t->nodes[t->n] = node;
    return (int64_t)t->n++;
}

/* Looks key up in node: NULL when absent, else the slot (null = leaf). */
static const rego_value *ptree_get(ptree *t, const pnode *node, rego_value key)
{
    (void)t;
    return rego_objb_get((rego_objb *)&node->kids, key);
}

static bool ptree_add(ptree *t, jpath p)
{
    if (p.n == 0)
        return true;
    int64_t cur = 0;
    for (size_t i = 0; i + 1 < p.n; i++) {
        const rego_value *slot = ptree_get(t, t->nodes[cur], p.seg[i]);
        if (slot && slot->kind == REGO_NULL)
            return true; /* a shorter path already takes the whole subtree */
        if (slot) {
            cur = slot->u.i;
            continue;
        }
        int64_t child = ptree_new(t);
        if (child < 0)
            return false;
        rego_objb_set(&t->nodes[cur]->kids, p.seg[i], rego_int(child));
        cur = child;
    }
    rego_objb_set(&t->nodes[cur]->kids, p.seg[p.n - 1], rego_null());
    return !t->nodes[cur]->kids.failed;
}

/* getJSONPaths: a set or array of string paths or segment arrays. */
static rp_status build_ptree(rego_bctx *ctx, rego_value paths, ptree *t)
{
    if (paths.kind != REGO_ARRAY && paths.kind != REGO_SET)
        return rego_bi_type_error(ctx, 2, paths, "one of {set, array}");
    *t = (ptree){ctx, NULL, 0, 0};
    if (ptree_new(t) < 0)
        return rego_bi_nomem(ctx);
    const rego_value *items = items_of(paths);
    for (size_t i = 0; i < paths.n; i++) {
        jpath p;
        switch (parse_path(ctx->arena, items[i], &p)) {
        case JP_OK:
            break;
        case JP_BADTYPE:
            return rego_bi_type_errorf(ctx, "operand 2 must be one of {set, array} containing "
                                            "string paths or array of path segments but got %s",
                                       rego_type_name(items[i]));
        case JP_NOMEM:
            return rego_bi_nomem(ctx);
        case JP_TOOLONG:
            return limit_error(ctx, "path length", REGO_WALK_MAX_DEPTH);
        }
        if (!ptree_add(t, p))
            return rego_bi_nomem(ctx);
    }
    return RP_OK;
}

/* Array elements are addressed by their index written as a string key. */
static const rego_value *ptree_get_index(ptree *t, const pnode *node, size_t i)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%zu", i);
    return ptree_get(t, node, rego_str_borrow(buf, (size_t)n));
}

/* Looks up the child filter for element/key k of v (arrays by index). */
static const rego_value *ptree_child(ptree *t, const pnode *node, rego_value v, size_t i,
                                     rego_value k)
{
    return v.kind == REGO_ARRAY ? ptree_get_index(t, node, i) : ptree_get(t, node, k);
}

/* A collection of v's kind from vals (and keys, for objects). */
static rp_status rebuild_like(rego_bctx *ctx, rego_value like, const vec *vals, const vec *keys,
                              rego_value *out)
{
    switch ((rego_kind)like.kind) {
    case REGO_ARRAY:
        return result(ctx, array_copy(ctx->arena, vals->v, vals->n), out);
    case REGO_SET:
        return result(ctx, vals->n ? rego_set_from(ctx->arena, vals->v, vals->n) : rego_empty_set(),
                      out);
    case REGO_OBJECT: {
        if (vals->n == 0) {
            *out = rego_empty_object();
            return RP_OK;
        }
        rego_value r;
        rego_objent *ents = rego_object_alloc(ctx->arena, vals->n, &r);
        if (!ents)
            return rego_bi_nomem(ctx);
        for (size_t i = 0; i < vals->n; i++)
            ents[i] = (rego_objent){keys->v[i], vals->v[i]};
        return result(ctx, rego_object_seal(ctx->arena, r), out);
    }
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING:
        break;
    }
    *out = like;
    return RP_OK;
}

/* json.filter (ast filterObject) and json.remove (topdown jsonRemove) are
 * one walk of v along the path tree; they differ only in what a name does.
 * filter keeps what the tree names and drops the rest; remove drops what it
 * names and keeps the rest.  A leaf ("everything below here") keeps or
 * drops the whole element, an inner node is walked with the same rule, and
 * arrays close the gaps. */
typedef enum { PRUNE_KEEP_NAMED, PRUNE_DROP_NAMED } prune_mode;

static rp_status jprune(ptree *t, rego_value v, const pnode *node, int depth, prune_mode mode,
                        rego_value *out)
{
    rego_bctx *ctx = t->ctx;
    if (depth > REGO_VALUE_MAX_DEPTH)
        return limit_error(ctx, "value nesting", REGO_VALUE_MAX_DEPTH);
    if (v.kind != REGO_ARRAY && v.kind != REGO_OBJECT && v.kind != REGO_SET) {
        *out = v;
        return RP_OK;
    }
    vec keep = {ctx->arena, NULL, 0, 0};
    vec keys = {ctx->arena, NULL, 0, 0};
    for (size_t i = 0; i < v.n; i++) {
        rego_value k = v.kind == REGO_OBJECT ? v.u.obj->ents[i].key
                       : v.kind == REGO_SET  ? rego_set_at(v, i)
                                             : rego_undef();
        rego_value e = v.kind == REGO_OBJECT ? v.u.obj->ents[i].val : items_of(v)[i];
        const rego_value *slot = ptree_child(t, node, v, i, k);
        rego_value kept = e;
        if (slot && slot->kind != REGO_NULL) {
            rp_status st = jprune(t, e, t->nodes[slot->u.i], depth + 1, mode, &kept);
            if (st != RP_OK)
                return st;
        } else if (slot ? mode == PRUNE_DROP_NAMED : mode == PRUNE_KEEP_NAMED) {
            continue; /* a leaf under remove, an unnamed element under filter */
        }
        if (!vec_push(&keep, kept) || (v.kind == REGO_OBJECT && !vec_push(&keys, k)))
            return rego_bi_nomem(ctx);
    }
    return rebuild_like(ctx, v, &keep, &keys, out);
}

static rp_status bi_json_filter(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    ptree t;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT))
        return ctx->err->code;
    rp_status st = build_ptree(ctx, args[1], &t);
    if (st != RP_OK)
        return st;
    return jprune(&t, args[0], t.nodes[0], 0, PRUNE_KEEP_NAMED, out);
}

static rp_status bi_json_remove(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    ptree t;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT))
        return ctx->err->code;
    rp_status st = build_ptree(ctx, args[1], &t);
    if (st != RP_OK)
        return st;
    return jprune(&t, args[0], t.nodes[0], 0, PRUNE_DROP_NAMED, out);
}

/* ---- json.patch -------------------------------------------------------------- *
 * OPA applies the operations to an edit tree and makes the result undefined
 * on any failure.  Here every operation rebuilds the spine of the document
 * along its path; the rules per container are the edit tree's:
 *   objects: add sets a key, remove needs the key;
 *   sets:    add needs key == value, remove needs membership;
 *   arrays:  indexes are integers or decimal strings without leading zeros
 *            ("-" is one past the end); add inserts at 0..len, remove and
 *            descent need 0..len-1. */

typedef enum { PATCH_OK, PATCH_FAIL, PATCH_NOMEM } patch_status;

/* edittree toIndex. */
static bool to_index(size_t len, rego_value seg, int64_t *out)
{
    if (seg.kind == REGO_NUMBER)
        return exact_int(seg, out);
    if (seg.kind != REGO_STRING || seg.n == 0)
        return false;
    const char *s = seg.u.s;
    size_t n = seg.n;
    if (n == 1 && s[0] == '-') {
        *out = (int64_t)len;
        return true;
    }
    /* strconv.ParseInt(s, 10, 64): optional sign, then decimal digits. */
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i == n)
        return false;
    uint64_t v = 0;
    for (size_t j = i; j < n; j++) {
        if (s[j] < '0' || s[j] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[j] - '0');
    }
    bool neg = s[0] == '-';
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return false;
    if (s[0] == '0' && n > 1)
        return false; /* leading zeros are not allowed in JSON paths */
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool patch_child(rego_value v, rego_value seg, rego_value *child, int64_t *idx)
{
    switch ((rego_kind)v.kind) {
    case REGO_OBJECT:
        return rego_object_get(v, seg, child);
    case REGO_SET:
        *child = seg;
        return rego_set_has(v, seg);
    case REGO_ARRAY:
        if (!to_index(v.n, seg, idx) || *idx < 0 || *idx >= (int64_t)v.n)
            return false;
        *child = v.u.items[*idx];
        return true;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING:
        break;
    }
    return false;
}

/* Object v with key set to val (del: removed). */
static patch_status obj_with(rp_arena *a, rego_value v, rego_value key, rego_value val, bool del,
                             rego_value *out)
{
    rego_value r;
    rego_objent *ents = rego_object_alloc(a, (size_t)v.n + 1, &r);
    if (!ents)
        return PATCH_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++)
        if (!rego_equal(v.u.obj->ents[i].key, key))
            ents[k++] = v.u.obj->ents[i];
    if (!del)
        ents[k++] = (rego_objent){key, val};
    if (k == 0) {
        *out = rego_empty_object();
        return PATCH_OK;
    }
    ((rego_object *)r.u.obj)->n = (uint32_t)k;
    r.n = (uint32_t)k;
    *out = rego_object_seal(a, r);
    return rego_is_undef(*out) ? PATCH_NOMEM : PATCH_OK;
}

/* Set v without old (if present) and with new (if not UNDEF). */
static patch_status set_with(rp_arena *a, rego_value v, rego_value old, rego_value add,
                             rego_value *out)
{
    rego_value s;
    rego_value *items = rego_set_alloc(a, (size_t)v.n + 1, &s);
    if (!items)
        return PATCH_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++)
        if (rego_is_undef(old) || !rego_equal(rego_set_at(v, i), old))
            items[k++] = rego_set_at(v, i);
    if (!rego_is_undef(add))
        items[k++] = add;
    if (k == 0) {
        *out = rego_empty_set();
        return PATCH_OK;
    }
    ((rego_set *)s.u.set)->n = (uint32_t)k;
    s.n = (uint32_t)k;
    *out = rego_set_seal(a, s);
    return rego_is_undef(*out) ? PATCH_NOMEM : PATCH_OK;
}

/* Array v with element idx replaced (mode 0), inserted before (1) or
 * removed (2). */
static patch_status arr_with(rp_arena *a, rego_value v, size_t idx, rego_value val, int mode,
                             rego_value *out)
{
    size_t n = v.n + (mode == 1) - (mode == 2);
    rego_value *items = rego_array_alloc(a, n, out);
    if (!items && n)
        return PATCH_NOMEM;
    if (n == 0) {
        *out = rego_empty_array();
        return PATCH_OK;
    }
    if (idx)
        memcpy(items, v.u.items, idx * sizeof(rego_value));
    size_t tail = v.n - idx - (mode != 1);
    if (tail)
        memcpy(items + idx + (mode != 2), v.u.items + idx + (mode != 1), tail * sizeof(rego_value));
    if (mode != 2)
        items[idx] = val;
    return PATCH_OK;
}

/* Edit tree Insert (add) or Delete (del) of key in container v. */
static patch_status patch_leaf(rp_arena *a, rego_value v, rego_value key, rego_value val, bool del,
                               rego_value *out)
{
    int64_t idx;
    switch ((rego_kind)v.kind) {
    case REGO_OBJECT:
        if (del && !rego_object_get(v, key, out))
            return PATCH_FAIL;
        return obj_with(a, v, key, val, del, out);
    case REGO_SET:
        if (del ? !rego_set_has(v, key) : !rego_equal(key, val))
            return PATCH_FAIL;
        return set_with(a, v, del ? key : rego_undef(), del ? rego_undef() : val, out);
    case REGO_ARRAY:
        if (!to_index(v.n, key, &idx) || idx < 0 || idx > (int64_t)v.n - del)
            return PATCH_FAIL;
        return arr_with(a, v, (size_t)idx, val, del ? 2 : 1, out);
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING:
        break;
    }
    return PATCH_FAIL;
}

/* Rebuilds v with the leaf operation applied at path p (p.n >= 1). */
static patch_status patch_at(rp_arena *a, rego_value v, jpath p, rego_value val, bool del,
                             rego_value *out)
{
    if (p.n == 1)
        return patch_leaf(a, v, p.seg[0], val, del, out);
    rego_value child, nchild;
    int64_t idx = 0;
    if (!patch_child(v, p.seg[0], &child, &idx))
        return PATCH_FAIL;
    patch_status st = patch_at(a, child, (jpath){p.seg + 1, p.n - 1}, val, del, &nchild);
    if (st != PATCH_OK)
        return st;
    switch ((rego_kind)v.kind) {
    case REGO_OBJECT:
        return obj_with(a, v, p.seg[0], nchild, false, out);
    case REGO_SET:
        return set_with(a, v, child, nchild, out);
    case REGO_ARRAY:
        return arr_with(a, v, (size_t)idx, nchild, 0, out);
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING:
        break;
    }
    return PATCH_FAIL;
}

/* The document being patched; "remove" of the root path leaves none. */
typedef struct {
    rego_value doc;
    bool gone;
} patch_doc;

static patch_status doc_get(const patch_doc *d, jpath p, rego_value *out)
{
    if (d->gone)
        return PATCH_FAIL;
    rego_value v = d->doc;
    int64_t idx;
    for (size_t i = 0; i < p.n; i++)
        if (!patch_child(v, p.seg[i], &v, &idx))
            return PATCH_FAIL;
    *out = v;
    return PATCH_OK;
}

static patch_status doc_insert(rp_arena *a, patch_doc *d, jpath p, rego_value val)
{
    if (p.n == 0) {
        d->doc = val;
        d->gone = false;
        return PATCH_OK;
    }
    if (d->gone)
        return PATCH_FAIL;
    return patch_at(a, d->doc, p, val, false, &d->doc);
}

static patch_status doc_delete(rp_arena *a, patch_doc *d, jpath p)
{
    if (d->gone)
        return PATCH_FAIL;
    if (p.n == 0) {
        d->gone = true;
        return PATCH_OK;
    }
    return patch_at(a, d->doc, p, rego_undef(), true, &d->doc);
}

typedef enum { OP_ADD, OP_REMOVE, OP_REPLACE, OP_MOVE, OP_COPY, OP_TEST } patch_op;

static bool attr(rego_value obj, const char *name, rego_value *out)
{
    return rego_object_get_str(obj, name, strlen(name), rego_hash_str(name, strlen(name)), out);
}

/* getPatch: op, path, and from/value as the op needs them. */
static bool read_op(rego_value o, patch_op *op, rego_value *path, rego_value *from,
                    rego_value *value)
{
    static const char *const names[] = {"add", "remove", "replace", "move", "copy", "test"};
    rego_value name;
    if (!attr(o, "op", &name) || name.kind != REGO_STRING)
        return false;
    size_t i;
    for (i = 0; i < RP_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == name.n && memcmp(names[i], name.u.s, name.n) == 0)
            break;
    if (i == RP_ARRAY_LEN(names) || !attr(o, "path", path))
        return false;
    *op = (patch_op)i;
    if ((*op == OP_MOVE || *op == OP_COPY) && !attr(o, "from", from))
        return false;
    if ((*op == OP_ADD || *op == OP_REPLACE || *op == OP_TEST) && !attr(o, "value", value))
        return false;
    return true;
}

static patch_status apply_op(rp_arena *a, patch_doc *d, patch_op op, jpath path, jpath from,
                             rego_value value)
{
    rego_value chunk;
    patch_status st;
    switch (op) {
    case OP_ADD:
        return doc_insert(a, d, path, value);
    case OP_REMOVE:
        return doc_delete(a, d, path);
    case OP_REPLACE:
        st = doc_delete(a, d, path);
        return st != PATCH_OK ? st : doc_insert(a, d, path, value);
    case OP_MOVE:
        if ((st = doc_get(d, from, &chunk)) != PATCH_OK || (st = doc_delete(a, d, from)) != PATCH_OK)
            return st;
        return doc_insert(a, d, path, chunk);
    case OP_COPY:
        if ((st = doc_get(d, from, &chunk)) != PATCH_OK)
            return st;
        return doc_insert(a, d, path, chunk);
    case OP_TEST:
        if ((st = doc_get(d, path, &chunk)) != PATCH_OK)
            return st;
        return rego_equal(chunk, value) ? PATCH_OK : PATCH_FAIL;
    }
    return PATCH_FAIL;
}

/* One operation object; PATCH_FAIL makes the whole result undefined. */
static rp_status patch_one(rego_bctx *ctx, patch_doc *d, rego_value o, patch_status *st)
{
    patch_op op;
    rego_value pathv, fromv = rego_undef(), value = rego_undef();
    jpath path, from = {NULL, 0};
    *st = PATCH_FAIL;
    if (o.kind != REGO_OBJECT || !read_op(o, &op, &pathv, &fromv, &value))
        return RP_OK;
    jp_status js = parse_path(ctx->arena, pathv, &path);
    if (js == JP_OK && (op == OP_MOVE || op == OP_COPY))
        js = parse_path(ctx->arena, fromv, &from);
    switch (js) {
    case JP_OK:
        break;
    case JP_BADTYPE:
        return RP_OK;
    case JP_NOMEM:
        return rego_bi_nomem(ctx);
    case JP_TOOLONG:
        return limit_error(ctx, "path length", REGO_WALK_MAX_DEPTH);
    }
    *st = apply_op(ctx->arena, d, op, path, from, value);
    return *st == PATCH_NOMEM ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status bi_json_patch(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 1, REGO_ARRAY))
        return ctx->err->code;
    patch_doc d = {args[0], false};
    for (size_t i = 0; i < args[1].n; i++) {
        patch_status st;
        rp_status rs = patch_one(ctx, &d, args[1].u.items[i], &st);
        if (rs != RP_OK)
            return rs;
        if (st != PATCH_OK)
            return RP_OK; /* undefined, as OPA */
    }
    if (!d.gone)
        *out = d.doc;
    return RP_OK;
}

/* ---- walk ---------------------------------------------------------------------- *
 * A relation: *out is the array of every [path, value] pair, in OPA's order
 * (pre-order; array indexes ascending, object keys and set members sorted). */

typedef struct {
    rego_bctx *ctx;
    vec pairs;
    rego_value path[REGO_WALK_MAX_DEPTH];
} walker;

static rp_status walk_node(walker *w, rego_value v, size_t depth)
{
    rego_value pair;
    rego_value *two = rego_array_alloc(w->ctx->arena, 2, &pair);
    if (!two)
        return rego_bi_nomem(w->ctx);
    two[0] = array_copy(w->ctx->arena, w->path, depth);
    two[1] = v;
    if (rego_is_undef(two[0]) || !vec_push(&w->pairs, pair))
        return rego_bi_nomem(w->ctx);
    if ((v.kind != REGO_ARRAY && v.kind != REGO_OBJECT && v.kind != REGO_SET) || v.n == 0)
        return RP_OK;
    if (depth == REGO_WALK_MAX_DEPTH)
        return limit_error(w->ctx, "walk depth", REGO_WALK_MAX_DEPTH);
    for (size_t i = 0; i < v.n; i++) {
        rego_value child;
        if (v.kind == REGO_ARRAY) {
            w->path[depth] = rego_int((int64_t)i);
            child = v.u.items[i];
        } else if (v.kind == REGO_OBJECT) {
            w->path[depth] = v.u.obj->ents[i].key;
            child = v.u.obj->ents[i].val;
        } else {
            w->path[depth] = child = rego_set_at(v, i);
        }
        rp_status st = walk_node(w, child, depth + 1);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

static rp_status bi_walk(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    walker *w = malloc(sizeof(walker)); /* path stack: too big for the C stack */
    if (!w)
        return rego_bi_nomem(ctx);
    w->ctx = ctx;
    w->pairs = (vec){ctx->arena, NULL, 0, 0};
    rp_status st = walk_node(w, args[0], 0);
    if (st == RP_OK)
        st = result(ctx, array_copy(ctx->arena, w->pairs.v, w->pairs.n), out);
    free(w);
    return st;
}

/* ---- graph.reachable / graph.reachable_paths ------------------------------------ */

/* Edges of a node: the members of an array or set value, else none. */
static size_t edge_count(rego_value e)
{
    return (e.kind == REGO_ARRAY || e.kind == REGO_SET) ? e.n : 0;
}

static bool vertices_operand(rego_bctx *ctx, const rego_value *args)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT))
        return false;
    if (args[1].kind != REGO_ARRAY && args[1].kind != REGO_SET) {
        rego_bi_type_error(ctx, 2, args[1], "{array, set}");
        return false;
    }
    return true;
}

static rp_status bi_graph_reachable(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!vertices_operand(ctx, args))
        return ctx->err->code;
    rego_value g = args[0];
    size_t nv = g.n;
    bool *seen = rp_arena_zalloc(ctx->arena, nv + 1);
    uint32_t *queue = rp_arena_array(ctx->arena, nv + 1, sizeof(uint32_t));
    if (!seen || !queue)
        return rego_bi_nomem(ctx);
    size_t head = 0, tail = 0;
    const rego_value *init = items_of(args[1]);
    for (size_t i = 0; i < args[1].n; i++) {
        int64_t k = obj_index(g, init[i]);
        if (k >= 0 && !seen[k]) {
            seen[k] = true;
            queue[tail++] = (uint32_t)k;
        }
    }
    while (head < tail) {
        rego_value e = g.u.obj->ents[queue[head++]].val;
        size_t ne = edge_count(e);
        for (size_t j = 0; j < ne; j++) {
            int64_t k = obj_index(g, items_of(e)[j]);
            if (k >= 0 && !seen[k]) {
                seen[k] = true;
                queue[tail++] = (uint32_t)k;
            }
        }
    }
    rego_value s;
    rego_value *items = rego_set_alloc(ctx->arena, tail, &s);
    if (!items && tail)
        return rego_bi_nomem(ctx);
    for (size_t i = 0, k = 0; i < nv; i++)
        if (seen[i])
            items[k++] = g.u.obj->ents[i].key;
    return result(ctx, tail ? rego_set_seal(ctx->arena, s) : rego_empty_set(), out);
}

/* The depth-first path search of OPA's pathBuilder, without recursion: a
 * path ends at a node without edges, before a node not in the graph, or
 * before a neighbour already on the path (except that the start node's own
 * neighbours are always followed). */
typedef struct {
    rego_bctx *ctx;
    rego_value g;
    vec path;           /* the values on the current path */
    uint32_t *on_path;  /* per graph key: how often it is on the path */
    uint32_t *frames;   /* per path position: next edge to follow */
    rego_setb result;
    size_t steps;
} pather;

static bool pather_emit(pather *p)
{
    rego_value arr = array_copy(p->ctx->arena, p->path.v, p->path.n);
    if (rego_is_undef(arr))
        return false;
    rego_setb_add(&p->result, arr);
    return !p->result.failed;
}

/* Visits neighbour nb of the node at the end of the path. */
static rp_status pather_visit(pather *p, rego_value nb)
{
    if (++p->steps > REGO_GRAPH_MAX_STEPS)
        return limit_error(p->ctx, "path search", REGO_GRAPH_MAX_STEPS);
    int64_t k = obj_index(p->g, nb);
    if (k < 0)
        return pather_emit(p) ? RP_OK : rego_bi_nomem(p->ctx);
    if (!vec_push(&p->path, nb))
        return rego_bi_nomem(p->ctx);
    if (edge_count(p->g.u.obj->ents[k].val) == 0) {
        bool ok = pather_emit(p);
        p->path.n--;
        return ok ? RP_OK : rego_bi_nomem(p->ctx);
    }
    p->on_path[k]++;
    p->frames[p->path.n - 1] = 0;
    return RP_OK;
}

static rp_status pather_run(pather *p, rego_value start, int64_t k0)
{
    p->path.n = 0;
    if (!vec_push(&p->path, start))
        return rego_bi_nomem(p->ctx);
    p->on_path[k0]++;
    p->frames[0] = 0;
    while (p->path.n > 0) {
        size_t top = p->path.n - 1;
        int64_t k = obj_index(p->g, p->path.v[top]);
        rego_value e = p->g.u.obj->ents[k].val;
        if (p->frames[top] == edge_count(e)) {
            p->on_path[k]--;
            p->path.n--;
            continue;
        }
        rego_value nb = items_of(e)[p->frames[top]++];
        int64_t kn = obj_index(p->g, nb);
        if (top > 0 && kn >= 0 && p->on_path[kn]) {
            if (!pather_emit(p))
                return rego_bi_nomem(p->ctx);
            continue;
        }
        rp_status st = pather_visit(p, nb);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

static rp_status bi_graph_reachable_paths(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!vertices_operand(ctx, args))
        return ctx->err->code;
    pather p = {ctx, args[0], {ctx->arena, NULL, 0, 0}, NULL, NULL, {0}, 0};
    size_t nv = args[0].n;
    p.on_path = rp_arena_array(ctx->arena, nv + 1, sizeof(uint32_t));
    p.frames = rp_arena_array(ctx->arena, nv + 2, sizeof(uint32_t));
    if (!p.on_path || !p.frames)
        return rego_bi_nomem(ctx);
    memset(p.on_path, 0, (nv + 1) * sizeof(uint32_t));
    rego_setb_init(&p.result, ctx->arena);
    const rego_value *init = items_of(args[1]);
    for (size_t i = 0; i < args[1].n; i++) {
        int64_t k = obj_index(args[0], init[i]);
        if (k < 0)
            continue;
        if (edge_count(args[0].u.obj->ents[k].val) == 0) {
            p.path.n = 0;
            if (!vec_push(&p.path, init[i]) || !pather_emit(&p))
                return rego_bi_nomem(ctx);
            continue;
        }
        rp_status st = pather_run(&p, init[i], k);
        if (st != RP_OK)
            return st;
    }
    return result(ctx, rego_setb_finish(&p.result), out);
}

/* ---- table ------------------------------------------------------------------------ */

#define OBJ "object[any: any]"
#define KEYS "array[any]|object[any: any]|set[any]"
#define PATHS "array[string|array[any]]|set[string|array[any]]"
#define GRAPH "object[any: array[any]|set[any]]"

const rego_builtin rego_builtins_collections[] = {
    {"array.concat", NULL, "(array[any], array[any]) => array[any]", 2, 0, bi_array_concat},
    {"array.slice", NULL, "(array[any], number, number) => array[any]", 3, 0, bi_array_slice},
    {"array.reverse", NULL, "(array[any]) => array[any]", 1, 0, bi_array_reverse},
    {"array.flatten", NULL, "(array[any]) => array[any]", 1, 0, bi_array_flatten},
    {"object.get", NULL, "(" OBJ ", any, any) => any", 3, 0, bi_object_get},
    {"object.keys", NULL, "(" OBJ ") => set[any]", 1, 0, bi_object_keys},
    {"object.remove", NULL, "(" OBJ ", " KEYS ") => " OBJ, 2, 0, bi_object_remove},
    {"object.filter", NULL, "(" OBJ ", " KEYS ") => " OBJ, 2, 0, bi_object_filter},
    {"object.union", NULL, "(" OBJ ", " OBJ ") => " OBJ, 2, 0, bi_object_union},
    {"object.union_n", NULL, "(array[" OBJ "]) => " OBJ, 1, 0, bi_object_union_n},
    {"object.subset", NULL, "(" KEYS ", " KEYS ") => boolean", 2, 0, bi_object_subset},
    {"json.filter", NULL, "(" OBJ ", " PATHS ") => " OBJ, 2, 0, bi_json_filter},
    {"json.remove", NULL, "(" OBJ ", " PATHS ") => " OBJ, 2, 0, bi_json_remove},
    {"json.patch", NULL,
     "(any, array[object<op: string, path: any>[any: any]]) => any", 2, 0, bi_json_patch},
    {"walk", NULL, "(any) => array<array[any], any>", 1, REGO_BI_RELATION, bi_walk},
    {"graph.reachable", NULL, "(" GRAPH ", array[any]|set[any]) => set[any]", 2, 0,
     bi_graph_reachable},
    {"graph.reachable_paths", NULL, "(" GRAPH ", array[any]|set[any]) => set[array[any]]", 2, 0,
     bi_graph_reachable_paths},
    {0},
};
