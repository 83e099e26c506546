/*
 * aggregates.c — the builtin group "aggregates": count, sum, product, max,
 * min, sort, all, any, and the set operators & (and), | (or), set_diff,
 * intersection and union.
 *
 * Behaviour and error texts follow OPA's topdown (aggregates.go, binary.go,
 * sets.go).  sum/product are exact on integers of any size (GMP) and fall
 * back to 64-bit-mantissa floats (rego_num_to_ext, as value.c's arithmetic)
 * when any element is not an integer, as OPA's big.Float path does.
 *
 * Every builtin here is linear in its input (sort: n log n) and allocates at
 * most a copy of it.  No global state.
 */
#include <gmp.h>
#include <string.h>

#include "../builtin.h"

/* ---- helpers --------------------------------------------------------------- */

/* The elements of an array or set; false for any other kind. */
static bool elements(rego_value v, const rego_value **items, size_t *n)
{
    if (v.kind == REGO_ARRAY) {
        *items = v.u.items;
        *n = v.n;
        return true;
    }
    if (v.kind == REGO_SET) {
        *items = v.u.set->items;
        *n = v.n;
        return true;
    }
    return false;
}

/* OPA's "operand 1 must be one of {set, array} but got ...". */
static rp_status want_set_or_array(rego_bctx *ctx, const rego_value *args)
{
    return rego_bi_type_error(ctx, 1, args[0], "one of {set, array}");
}

/* ---- count ----------------------------------------------------------------- */

static rp_status bi_count(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value v = args[0];
    switch ((rego_kind)v.kind) {
    case REGO_ARRAY:
    case REGO_OBJECT:
    case REGO_SET: *out = rego_int(v.n); return RP_OK;
    /* Code points; each byte of an invalid sequence counts as one, as Go's
     * []rune conversion does. */
    case REGO_STRING: *out = rego_int((int64_t)rp_utf8_count(v.u.s, v.n)); return RP_OK;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER: break;
    }
    return rego_bi_type_error(ctx, 1, v, "one of {array, object, set, string}");
}

/* ---- sum and product ------------------------------------------------------- */

static bool all_integers(const rego_value *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!rego_num_is_int(items[i]))
            return false;
    return true;
}

/* Exact integer accumulation: int64 while it does not overflow, then GMP. */
static rp_status exact_accumulate(rego_bctx *ctx, const rego_value *items, size_t n, bool product,
                                  rego_value *out)
{
    int64_t acc = product ? 1 : 0;
    size_t i = 0;
    for (; i < n; i++) {
        if (items[i].sub != REGO_NUM_INT) /* integral floats: GMP reads them as OPA does */
            break;
        int64_t v = items[i].u.i, r;
        if (product ? __builtin_mul_overflow(acc, v, &r) : __builtin_add_overflow(acc, v, &r))
            break;
        acc = r;
    }
    if (i == n) {
        *out = rego_int(acc);
        return RP_OK;
    }
    mpz_t z, t;
    mpz_init_set_si(z, (long)acc);
    mpz_init(t);
    for (; i < n; i++) {
        rego_num_to_mpz(items[i], t);
        if (product)
            mpz_mul(z, z, t);
        else
            mpz_add(z, z, t);
    }
    *out = rego_num_from_mpz(ctx->arena, z);
    mpz_clears(z, t, NULL);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* OPA's NewOperandElementErr: "operand 1 must be array of numbers but got
 * array containing string". */
static rp_status element_error(rego_bctx *ctx, rego_value coll, rego_value elem)
{
    const char *tn = rego_type_name(coll);
    return rego_bi_type_errorf(ctx, "operand 1 must be %s of numbers but got %s containing %s", tn,
                               tn, rego_type_name(elem));
}

static rp_status float_accumulate(rego_bctx *ctx, rego_value coll, const rego_value *items,
                                  size_t n, bool product, rego_value *out)
{
    long double acc = product ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].kind != REGO_NUMBER)
            return element_error(ctx, coll, items[i]);
        if (product)
            acc *= rego_num_to_ext(items[i]);
        else
            acc += rego_num_to_ext(items[i]);
    }
    rp_status st = rego_num_from_ext(ctx->arena, acc, out);
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    if (st != RP_OK)
        return rego_bi_errorf(ctx, "arithmetic result out of range");
    return RP_OK;
}

static rp_status accumulate(rego_bctx *ctx, const rego_value *args, rego_value *out, bool product)
{
    const rego_value *items;
    size_t n;
    if (!elements(args[0], &items, &n))
        return want_set_or_array(ctx, args);
    if (all_integers(items, n))
        return exact_accumulate(ctx, items, n, product, out);
    return float_accumulate(ctx, args[0], items, n, product, out);
}

static rp_status bi_sum(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return accumulate(ctx, args, out, false);
}

static rp_status bi_product(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return accumulate(ctx, args, out, true);
}

/* ---- max, min, sort -------------------------------------------------------- */

/* Empty collections are undefined.  Sets are sorted, so their extremes are at
 * the ends; for arrays OPA keeps the last of several equal extremes. */
static rp_status extreme(rego_bctx *ctx, const rego_value *args, rego_value *out, int sign)
{
    const rego_value *items;
    size_t n;
    if (!elements(args[0], &items, &n))
        return want_set_or_array(ctx, args);
    if (n == 0)
        return RP_OK;
    if (args[0].kind == REGO_SET) {
        *out = sign > 0 ? items[n - 1] : items[0];
        return RP_OK;
    }
    rego_value best = items[0];
    for (size_t i = 1; i < n; i++)
        if (sign * rego_compare(best, items[i]) <= 0)
            best = items[i];
    *out = best;
    return RP_OK;
}

static rp_status bi_max(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return extreme(ctx, args, out, 1);
}

static rp_status bi_min(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return extreme(ctx, args, out, -1);
}

/* Stable merge sort of v[0..n) using tmp[0..n/2); recursion depth log2(n). */
static void merge_sort(rego_value *v, rego_value *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    if (rego_compare(v[h - 1], v[h]) <= 0)
        return;
    memcpy(tmp, v, h * sizeof(*v));
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        v[k++] = rego_compare(v[j], tmp[i]) < 0 ? v[j++] : tmp[i++];
    while (i < h)
        v[k++] = tmp[i++];
}

static rp_status bi_sort(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value v = args[0];
    if (v.kind == REGO_SET) { /* already in order: share the items */
        *out = rego_array_borrow(v.u.set->items, v.n);
        return RP_OK;
    }
    if (v.kind != REGO_ARRAY)
        return want_set_or_array(ctx, args);
    if (v.n == 0) {
        *out = v;
        return RP_OK;
    }
    rego_value *items = rego_array_alloc(ctx->arena, v.n, out);
    rego_value *tmp = rp_arena_array(ctx->arena, v.n / 2 + 1, sizeof(*tmp));
    if (!items || !tmp)
        return rego_bi_nomem(ctx);
    memcpy(items, v.u.items, v.n * sizeof(*items));
    merge_sort(items, tmp, v.n);
    return RP_OK;
}

/* ---- all, any (deprecated) --------------------------------------------------
 * Only the boolean true counts: any([1, "true"]) is false. */

static bool is_true(rego_value v) { return v.kind == REGO_BOOL && v.u.b; }

static rp_status bi_all(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const rego_value *items;
    size_t n;
    if (!elements(args[0], &items, &n))
        return rego_bi_type_error(ctx, 1, args[0], "one of {array, set}");
    bool all = true;
    for (size_t i = 0; i < n && all; i++)
        all = is_true(items[i]);
    *out = rego_bool(all);
    return RP_OK;
}

static rp_status bi_any(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const rego_value *items;
    size_t n;
    if (!elements(args[0], &items, &n))
        return rego_bi_type_error(ctx, 1, args[0], "one of {array, set}");
    bool any = false;
    for (size_t i = 0; i < n && !any; i++)
        any = is_true(items[i]);
    *out = rego_bool(any);
    return RP_OK;
}

/* ---- set operators --------------------------------------------------------- */

static rp_status set_op2(rego_bctx *ctx, const rego_value *args, rego_value *out, rego_setop op)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_SET) || !rego_bi_arg_kind(ctx, args, 1, REGO_SET))
        return RP_ERR_TYPE;
    *out = rego_set_op(ctx->arena, op, args[0], args[1]);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status bi_and(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return set_op2(ctx, args, out, REGO_SETOP_INTERSECT);
}

static rp_status bi_or(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return set_op2(ctx, args, out, REGO_SETOP_UNION);
}

static rp_status bi_set_diff(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return set_op2(ctx, args, out, REGO_SETOP_DIFF);
}

/* intersection/union take a set of sets.  Non-set elements sort before
 * sets, so the first one is found (and reported, as OPA does) up front. */
static rp_status check_set_of_sets(rego_bctx *ctx, const rego_value *args)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_SET))
        return RP_ERR_TYPE;
    for (size_t i = 0; i < args[0].n; i++) {
        rego_value s = rego_set_at(args[0], i);
        if (s.kind != REGO_SET)
            return rego_bi_type_error(ctx, 1, s, "set");
    }
    return RP_OK;
}

static rp_status bi_intersection(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rp_status st = check_set_of_sets(ctx, args);
    if (st != RP_OK)
        return st;
    rego_value sets = args[0], acc = sets.n ? rego_set_at(sets, 0) : rego_empty_set();
    for (size_t i = 1; i < sets.n && acc.n > 0; i++) {
        acc = rego_set_op(ctx->arena, REGO_SETOP_INTERSECT, acc, rego_set_at(sets, i));
        if (acc.kind == REGO_UNDEF)
            return rego_bi_nomem(ctx);
    }
    *out = acc;
    return RP_OK;
}

static rp_status bi_union(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rp_status st = check_set_of_sets(ctx, args);
    if (st != RP_OK)
        return st;
    rego_value sets = args[0];
    if (sets.n == 1) {
        *out = rego_set_at(sets, 0);
        return RP_OK;
    }
    /* One builder for all members: k pairwise merges would copy k times. */
    rego_setb b;
    rego_setb_init(&b, ctx->arena);
    for (size_t i = 0; i < sets.n; i++) {
        rego_value s = rego_set_at(sets, i);
        for (size_t j = 0; j < s.n; j++)
            rego_setb_add(&b, rego_set_at(s, j));
    }
    *out = rego_setb_finish(&b);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- table ----------------------------------------------------------------- */

#define COLL_ANY "array[any]|set[any]"
#define COLL_NUM "array[number]|set[number]"
#define SET2_SIG "(set[any], set[any]) => set[any]"

const rego_builtin rego_builtins_aggregates[] = {
    {"count", NULL, "(string|array[any]|object[any: any]|set[any]) => number", 1, 0, bi_count},
    {"sum", NULL, "(" COLL_NUM ") => number", 1, 0, bi_sum},
    {"product", NULL, "(" COLL_NUM ") => number", 1, 0, bi_product},
    {"max", NULL, "(" COLL_ANY ") => any", 1, 0, bi_max},
    {"min", NULL, "(" COLL_ANY ") => any", 1, 0, bi_min},
    {"sort", NULL, "(" COLL_ANY ") => array[any]", 1, 0, bi_sort},
    {"all", NULL, "(" COLL_ANY ") => boolean", 1, REGO_BI_DEPRECATED, bi_all},
    {"any", NULL, "(" COLL_ANY ") => boolean", 1, REGO_BI_DEPRECATED, bi_any},
    {"and", "&", SET2_SIG, 2, 0, bi_and},
    {"or", "|", SET2_SIG, 2, 0, bi_or},
    {"set_diff", NULL, SET2_SIG, 2, REGO_BI_DEPRECATED, bi_set_diff},
    {"intersection", NULL, "(set[set[any]]) => set[any]", 1, 0, bi_intersection},
    {"union", NULL, "(set[set[any]]) => set[any]", 1, 0, bi_union},
    {0},
};
