/*
 * misc.c — the builtin group "misc": rand.intn (for now the only member).
 *
 * rand.intn(str, n) is a uniform integer in [0, |n|) (0 when n is 0), the
 * same for the same (str, |n|) within one query, as OPA caches it per query.
 * Randomness comes from the query (rego_bi_random); rejection sampling keeps
 * it unbiased.  No global state.
 */
#include <string.h>

#include "../builtin.h"

/* OPA's IntOperand: only numbers written as int64 literals. */
static bool arg_go_int(rego_bctx *ctx, const rego_value *args, int i, int64_t *out)
{
    if (args[i].kind != REGO_NUMBER) {
        rego_bi_type_error(ctx, i + 1, args[i], "number");
        return false;
    }
    if (args[i].sub != REGO_NUM_INT) {
        rego_bi_type_errorf(ctx, "operand %d must be integer number but got floating-point number",
                            i + 1);
        return false;
    }
    *out = args[i].u.i;
    return true;
}

/* A uniform value in [0, n), n > 0. */
static uint64_t uniform(rego_bctx *ctx, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;
    do
        rego_bi_random(ctx, &r, sizeof(r));
    while (r >= limit);
    return r % n;
}

static rp_status bi_rand_intn(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    int64_t n;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING) || !arg_go_int(ctx, args, 1, &n))
        return RP_ERR_TYPE;
    if (n == 0) {
        *out = rego_int(0);
        return RP_OK;
    }
    if (n == INT64_MIN) /* Go's -n stays negative and Intn panics */
        return rego_bi_errorf(ctx, "invalid argument to Intn");
    if (n < 0)
        n = -n;
    rego_value key, *kp = rego_array_alloc(ctx->arena, 3, &key);
    if (!kp)
        return rego_bi_nomem(ctx);
    kp[0] = rego_str_borrow(ctx->bi->name, strlen(ctx->bi->name));
    kp[1] = args[0];
    kp[2] = rego_int(n);
    if (rego_bi_memo_get(ctx, key, out))
        return RP_OK;
    *out = rego_int((int64_t)uniform(ctx, (uint64_t)n));
    rego_bi_memo_put(ctx, key, *out);
    return RP_OK;
}

const rego_builtin rego_builtins_misc[] = {
    {"rand.intn", NULL, "(string, number) => number", 2, REGO_BI_NONDET, bi_rand_intn},
    {0},
};
