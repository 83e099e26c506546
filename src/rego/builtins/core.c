/*
 * core.c — the builtin group "core": comparison (==, !=, <, <=, >, >=),
 * arithmetic (+, -, *, /, %, abs, round, ceil, floor), bits.*,
 * numbers.range / numbers.range_step and membership (the `in` operator,
 * internal.member_2 / internal.member_3).
 *
 * Behaviour and error texts follow OPA's topdown (comparison.go,
 * arithmetic.go, bits.go, numbers.go, aggregates.go for membership).
 * Number arithmetic itself lives in value.c (rego_num_arith/rego_num_unary)
 * so every caller rounds the same way; big integers go through GMP.
 *
 * Bounds: integers built here from small inputs are capped at
 * REGO_MAX_INT_BITS bits (bits.lsh) and ranges at REGO_MAX_RANGE_ELEMS
 * elements; hitting either is an RP_ERR_LIMIT error, never a huge
 * allocation.  No global state.
 */
#include <gmp.h>

#include "../builtin.h"
#include "../limits.h"

/* ---- shared helpers -------------------------------------------------------- */

/* A limit hit: not an operand problem but the evaluation giving up, so it is
 * reported like OPA's cancellation rather than as a builtin error. */
static rp_status limit_error(rego_bctx *ctx, const char *what, unsigned long long limit)
{
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: %s exceeds the limit of %llu", ctx->bi->name, what, limit);
}

/* Turns the status of a value.c number operation into the builtin's status. */
static rp_status num_status(rego_bctx *ctx, rp_status st, const char *msg)
{
    if (st == RP_OK)
        return RP_OK;
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    return rego_bi_errorf(ctx, "%s", msg ? msg : "arithmetic error");
}

/* OPA's BigIntOperand: an integer of any size (integral floats included).
 * Note the wording "integer" (not "number") for a non-number operand. */
static bool arg_bigint(rego_bctx *ctx, const rego_value *args, int i, mpz_ptr z)
{
    if (args[i].kind != REGO_NUMBER) {
        rego_bi_type_error(ctx, i + 1, args[i], "integer");
        return false;
    }
    if (!rego_num_to_mpz(args[i], z)) {
        rego_bi_type_errorf(ctx, "operand %d must be integer number but got floating-point number",
                            i + 1);
        return false;
    }
    return true;
}

static rp_status from_mpz(rego_bctx *ctx, mpz_srcptr z, rego_value *out)
{
    *out = rego_num_from_mpz(ctx->arena, z);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- comparison ------------------------------------------------------------
 * Any two values compare under OPA's total order; the result is a boolean,
 * never undefined. */

static rp_status bi_equal(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    *out = rego_bool(rego_equal(args[0], args[1]));
    return RP_OK;
}

static rp_status bi_neq(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    *out = rego_bool(!rego_equal(args[0], args[1]));
    return RP_OK;
}

static rp_status bi_lt(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    *out = rego_bool(rego_compare(args[0], args[1]) < 0);
    return RP_OK;
}

static rp_status bi_lte(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    *out = rego_bool(rego_compare(args[0], args[1]) <= 0);
    return RP_OK;
}

static rp_status bi_gt(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    *out = rego_bool(rego_compare(args[0], args[1]) > 0);
    return RP_OK;
}

static rp_status bi_gte(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    *out = rego_bool(rego_compare(args[0], args[1]) >= 0);
    return RP_OK;
}

/* ---- arithmetic ------------------------------------------------------------ */

static rp_status arith2(rego_bctx *ctx, const rego_value *args, rego_value *out, rego_arith_op op)
{
    if (!rego_bi_arg_num(ctx, args, 0) || !rego_bi_arg_num(ctx, args, 1))
        return RP_ERR_TYPE;
    const char *msg = NULL;
    rp_status st = rego_num_arith(ctx->arena, op, args[0], args[1], out, &msg);
    return num_status(ctx, st, msg);
}

static rp_status bi_plus(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return arith2(ctx, args, out, REGO_OP_ADD);
}

static rp_status bi_mul(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return arith2(ctx, args, out, REGO_OP_MUL);
}

static rp_status bi_div(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return arith2(ctx, args, out, REGO_OP_DIV);
}

static rp_status bi_rem(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return arith2(ctx, args, out, REGO_OP_REM);
}

/* minus is numbers or set difference; the operand errors reproduce the
 * order of OPA's checks exactly (e.g. {1} - "a" blames operand 2 for not
 * being a number). */
static rp_status bi_minus(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    bool num1 = args[0].kind == REGO_NUMBER, num2 = args[1].kind == REGO_NUMBER;
    bool set1 = args[0].kind == REGO_SET, set2 = args[1].kind == REGO_SET;
    if (num1 && num2)
        return arith2(ctx, args, out, REGO_OP_SUB);
    if (set1 && set2) {
        *out = rego_set_op(ctx->arena, REGO_SETOP_DIFF, args[0], args[1]);
        return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
    }
    if (!num1 && !set1)
        return rego_bi_type_error(ctx, 1, args[0], "one of {number, set}");
    if (num2)
        return rego_bi_type_error(ctx, 2, args[1], "set");
    return rego_bi_type_error(ctx, 2, args[1], "number");
}

static rp_status unary(rego_bctx *ctx, const rego_value *args, rego_value *out, rego_unary_op op)
{
    if (!rego_bi_arg_num(ctx, args, 0))
        return RP_ERR_TYPE;
    return num_status(ctx, rego_num_unary(ctx->arena, op, args[0], out), NULL);
}

static rp_status bi_abs(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return unary(ctx, args, out, REGO_UN_ABS);
}

static rp_status bi_round(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return unary(ctx, args, out, REGO_UN_ROUND);
}

static rp_status bi_ceil(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return unary(ctx, args, out, REGO_UN_CEIL);
}

static rp_status bi_floor(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return unary(ctx, args, out, REGO_UN_FLOOR);
}

/* ---- bits ------------------------------------------------------------------
 * Two's-complement semantics on integers of any size, as Go's big.Int (and
 * GMP's mpz_and/ior/xor/com) define them for negative numbers. */

typedef enum { BITS_AND, BITS_OR, BITS_XOR, BITS_LSH, BITS_RSH } bits_op;

/* The shift count OPA uses: the low 64 bits of the (non-negative) operand,
 * as Go's big.Int.Uint64 returns them. */
static uint64_t shift_count(mpz_srcptr y)
{
    mpz_t low;
    mpz_init(low);
    mpz_fdiv_r_2exp(low, y, 64);
    uint64_t s = 0;
    mpz_export(&s, NULL, -1, sizeof(s), 0, 0, low);
    mpz_clear(low);
    return s;
}

static rp_status shift(rego_bctx *ctx, bits_op op, mpz_ptr r, mpz_srcptr x, mpz_srcptr y)
{
    if (mpz_sgn(y) < 0)
        return rego_bi_type_errorf(
            ctx, "operand 2 must be an unsigned integer number but got a negative integer");
    uint64_t s = shift_count(y);
    size_t bits = mpz_sgn(x) == 0 ? 0 : mpz_sizeinbase(x, 2);
    if (op == BITS_RSH) {
        if (s >= bits) /* everything shifted out; arithmetic shift rounds to -inf */
            mpz_set_si(r, mpz_sgn(x) < 0 ? -1 : 0);
        else
            mpz_fdiv_q_2exp(r, x, (mp_bitcnt_t)s);
        return RP_OK;
    }
    if (bits == 0) { /* 0 << anything is 0, however large the count */
        mpz_set_ui(r, 0);
        return RP_OK;
    }
    if (s > REGO_MAX_INT_BITS || bits + s > REGO_MAX_INT_BITS)
        return limit_error(ctx, "result size in bits", REGO_MAX_INT_BITS);
    mpz_mul_2exp(r, x, (mp_bitcnt_t)s);
    return RP_OK;
}

static rp_status bits2(rego_bctx *ctx, const rego_value *args, rego_value *out, bits_op op)
{
    mpz_t x, y, r;
    mpz_inits(x, y, r, NULL);
    rp_status st = RP_ERR_TYPE;
    if (!arg_bigint(ctx, args, 0, x) || !arg_bigint(ctx, args, 1, y))
        goto out;
    st = RP_OK;
    switch (op) {
    case BITS_AND: mpz_and(r, x, y); break;
    case BITS_OR: mpz_ior(r, x, y); break;
    case BITS_XOR: mpz_xor(r, x, y); break;
    case BITS_LSH:
    case BITS_RSH: st = shift(ctx, op, r, x, y); break;
    }
    if (st == RP_OK)
        st = from_mpz(ctx, r, out);
out:
    mpz_clears(x, y, r, NULL);
    return st;
}

static rp_status bi_bits_and(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return bits2(ctx, args, out, BITS_AND);
}

static rp_status bi_bits_or(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return bits2(ctx, args, out, BITS_OR);
}

static rp_status bi_bits_xor(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return bits2(ctx, args, out, BITS_XOR);
}

static rp_status bi_bits_lsh(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return bits2(ctx, args, out, BITS_LSH);
}

static rp_status bi_bits_rsh(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return bits2(ctx, args, out, BITS_RSH);
}

static rp_status bi_bits_negate(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    mpz_t x;
    mpz_init(x);
    rp_status st = RP_ERR_TYPE;
    if (arg_bigint(ctx, args, 0, x)) {
        mpz_com(x, x);
        st = from_mpz(ctx, x, out);
    }
    mpz_clear(x);
    return st;
}

/* ---- numbers.range ----------------------------------------------------------
 * From x to y inclusive, counting down when x > y, in steps of `step`. */

/* Fills items[0..n) with x, x±step, ... when x, y and step fit int64: no
 * element leaves [min(x,y), max(x,y)], so the running value never overflows. */
static void range_small(rego_value *items, size_t n, int64_t x, int64_t step, bool down)
{
    int64_t v = x;
    for (size_t k = 0; k < n; k++) {
        items[k] = rego_int(v);
        if (k + 1 < n)
            v = down ? v - step : v + step;
    }
}

static rp_status range_big(rego_bctx *ctx, rego_value *items, size_t n, mpz_srcptr x,
                           mpz_srcptr step, bool down)
{
    mpz_t v;
    mpz_init_set(v, x);
    rp_status st = RP_OK;
    for (size_t k = 0; k < n && st == RP_OK; k++) {
        st = from_mpz(ctx, v, &items[k]);
        if (down)
            mpz_sub(v, v, step);
        else
            mpz_add(v, v, step);
    }
    mpz_clear(v);
    return st;
}

static rp_status range_fill(rego_bctx *ctx, mpz_srcptr x, mpz_srcptr y, mpz_srcptr step,
                            rego_value *out)
{
    bool down = mpz_cmp(x, y) > 0;
    mpz_t n;
    mpz_init(n);
    mpz_sub(n, y, x);
    mpz_abs(n, n);
    mpz_fdiv_q(n, n, step);
    mpz_add_ui(n, n, 1);
    rp_status st;
    if (mpz_cmp_ui(n, REGO_MAX_RANGE_ELEMS) > 0) {
        st = limit_error(ctx, "number of elements", REGO_MAX_RANGE_ELEMS);
        goto out;
    }
    size_t count = mpz_get_ui(n);
    rego_value *items = rego_array_alloc(ctx->arena, count, out);
    if (!items) {
        st = rego_bi_nomem(ctx);
        goto out;
    }
    st = RP_OK;
    if (mpz_fits_slong_p(x) && mpz_fits_slong_p(y) && mpz_fits_slong_p(step))
        range_small(items, count, mpz_get_si(x), mpz_get_si(step), down);
    else
        st = range_big(ctx, items, count, x, step, down);
out:
    mpz_clear(n);
    return st;
}

static rp_status range_common(rego_bctx *ctx, const rego_value *args, rego_value *out, bool stepped)
{
    mpz_t x, y, step;
    mpz_inits(x, y, step, NULL);
    rp_status st = RP_ERR_TYPE;
    if (!arg_bigint(ctx, args, 0, x) || !arg_bigint(ctx, args, 1, y))
        goto out;
    if (!stepped) {
        mpz_set_ui(step, 1);
    } else if (!arg_bigint(ctx, args, 2, step)) {
        goto out;
    } else if (mpz_sgn(step) <= 0) {
        /* OPA returns a plain error that already names the builtin, and its
         * error wrapper prefixes the name again: keep both. */
        st = rego_bi_errorf(ctx, "numbers.range_step: step must be a positive integer");
        goto out;
    }
    st = range_fill(ctx, x, y, step, out);
out:
    mpz_clears(x, y, step, NULL);
    return st;
}

static rp_status bi_numbers_range(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return range_common(ctx, args, out, false);
}

static rp_status bi_numbers_range_step(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return range_common(ctx, args, out, true);
}

/* ---- membership ------------------------------------------------------------
 * `x in xs` looks at set elements, array elements and object values; any
 * other xs is simply false, as in OPA. */

static rp_status bi_member_2(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    rego_value x = args[0], xs = args[1];
    bool found = false;
    switch ((rego_kind)xs.kind) {
    case REGO_SET: found = rego_set_has(xs, x); break;
    case REGO_ARRAY:
        for (size_t i = 0; i < xs.n && !found; i++)
            found = rego_equal(xs.u.items[i], x);
        break;
    case REGO_OBJECT:
        for (size_t i = 0; i < xs.n && !found; i++)
            found = rego_equal(rego_object_at(xs, i).val, x);
        break;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING: break;
    }
    *out = rego_bool(found);
    return RP_OK;
}

/* `k, v in xs`: xs[k] == v.  An array index must be an integer literal in
 * OPA's sense (1.0 is not an index), so only INT numbers qualify; a set
 * "maps" each element to itself. */
static rp_status bi_member_3(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    rego_value k = args[0], v = args[1], xs = args[2], got;
    bool found = false;
    switch ((rego_kind)xs.kind) {
    case REGO_SET: found = rego_set_has(xs, k) && rego_equal(k, v); break;
    case REGO_ARRAY:
        found = k.kind == REGO_NUMBER && k.sub == REGO_NUM_INT && k.u.i >= 0 &&
                (uint64_t)k.u.i < xs.n && rego_equal(xs.u.items[k.u.i], v);
        break;
    case REGO_OBJECT: found = rego_object_get(xs, k, &got) && rego_equal(got, v); break;
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
    case REGO_STRING: break;
    }
    *out = rego_bool(found);
    return RP_OK;
}

/* ---- table ----------------------------------------------------------------- */

#define CMP_SIG "(any, any) => boolean"
#define NUM2_SIG "(number, number) => number"
#define NUM1_SIG "(number) => number"

const rego_builtin rego_builtins_core[] = {
    {"equal", "==", CMP_SIG, 2, 0, bi_equal},
    {"neq", "!=", CMP_SIG, 2, 0, bi_neq},
    {"lt", "<", CMP_SIG, 2, 0, bi_lt},
    {"lte", "<=", CMP_SIG, 2, 0, bi_lte},
    {"gt", ">", CMP_SIG, 2, 0, bi_gt},
    {"gte", ">=", CMP_SIG, 2, 0, bi_gte},
    {"plus", "+", NUM2_SIG, 2, 0, bi_plus},
    {"minus", "-", "(number|set[any], number|set[any]) => number|set[any]", 2, 0, bi_minus},
    {"mul", "*", NUM2_SIG, 2, 0, bi_mul},
    {"div", "/", NUM2_SIG, 2, 0, bi_div},
    {"rem", "%", NUM2_SIG, 2, 0, bi_rem},
    {"abs", NULL, NUM1_SIG, 1, 0, bi_abs},
    {"round", NULL, NUM1_SIG, 1, 0, bi_round},
    {"ceil", NULL, NUM1_SIG, 1, 0, bi_ceil},
    {"floor", NULL, NUM1_SIG, 1, 0, bi_floor},
    {"bits.and", NULL, NUM2_SIG, 2, 0, bi_bits_and},
    {"bits.or", NULL, NUM2_SIG, 2, 0, bi_bits_or},
    {"bits.xor", NULL, NUM2_SIG, 2, 0, bi_bits_xor},
    {"bits.negate", NULL, NUM1_SIG, 1, 0, bi_bits_negate},
    {"bits.lsh", NULL, NUM2_SIG, 2, 0, bi_bits_lsh},
    {"bits.rsh", NULL, NUM2_SIG, 2, 0, bi_bits_rsh},
    {"numbers.range", NULL, "(number, number) => array[number]", 2, 0, bi_numbers_range},
    {"numbers.range_step", NULL, "(number, number, number) => array[number]", 3, 0,
     bi_numbers_range_step},
    {"internal.member_2", "in", "(any, any) => boolean", 2, 0, bi_member_2},
    {"internal.member_3", "in", "(any, any, any) => boolean", 3, 0, bi_member_3},
    {0},
};
