/*
 * test_value.c — values: order, equality, hashing, builders, numbers, printing.
 */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>

#include "rego/value.h"
#include "t.h"

static rp_arena *A;

static rego_value S(const char *s) { return rego_cstr(A, s); }

static rego_value N(const char *s)
{
    rego_value v;
    if (!rego_number_parse(A, s, strlen(s), &v))
        return rego_undef();
    return v;
}

static char *show(rego_value v, rego_fmt fmt)
{
    static char out[4096];
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, fmt);
    snprintf(out, sizeof(out), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return out;
}

static void test_order(void)
{
    rego_value vals[] = {rego_null(), rego_bool(false), rego_bool(true), rego_int(-1),
                         rego_float(0.5), rego_int(1), S(""), S("a"), S("ab"), S("b")};
    for (size_t i = 0; i < RP_ARRAY_LEN(vals); i++)
        for (size_t j = 0; j < RP_ARRAY_LEN(vals); j++) {
            int c = rego_compare(vals[i], vals[j]);
            int want = (i > j) - (i < j);
            T_CHECKM(c == want, "compare(%zu,%zu) = %d want %d", i, j, c, want);
        }
    T_CHECK(rego_equal(rego_int(1), rego_float(1.0)));
    T_CHECK(rego_hash(rego_int(1)) == rego_hash(rego_float(1.0)));
    T_CHECK(rego_compare(rego_empty_array(), rego_empty_object()) < 0);
    T_CHECK(rego_compare(rego_empty_object(), rego_empty_set()) < 0);
}

static void test_numbers(void)
{
    rego_value big = N("123456789012345678901234567890");
    T_CHECK(big.kind == REGO_NUMBER && big.sub == REGO_NUM_BIG);
    T_STREQ(show(big, REGO_FMT_JSON), "123456789012345678901234567890");
    T_CHECK(rego_compare(big, rego_int(INT64_MAX)) > 0);
    T_CHECK(rego_compare(N("-123456789012345678901234567890"), rego_int(INT64_MIN)) < 0);
    T_CHECK(rego_equal(N("1e2"), rego_int(100)));
    T_CHECK(!rego_number_parse(A, "01x", 3, &big));
    T_CHECK(!rego_number_parse(A, "1e999", 5, &big));
    T_STREQ(show(N("1.5"), REGO_FMT_JSON), "1.5");
    T_STREQ(show(N("0.1"), REGO_FMT_JSON), "0.1");
    T_STREQ(show(N("1e21"), REGO_FMT_JSON), "1e+21");
    T_STREQ(show(N("0.00001"), REGO_FMT_JSON), "1e-05");
    T_STREQ(show(N("123.25"), REGO_FMT_JSON), "123.25");

    const char *msg;
    rego_value r;
    T_CHECK(rego_num_arith(A, REGO_OP_ADD, rego_int(INT64_MAX), rego_int(1), &r, &msg) == RP_OK);
    T_STREQ(show(r, REGO_FMT_JSON), "9223372036854775808");
    T_CHECK(rego_num_arith(A, REGO_OP_SUB, r, rego_int(1), &r, &msg) == RP_OK);
    T_CHECK(r.sub == REGO_NUM_INT && r.u.i == INT64_MAX);
    T_CHECK(rego_num_arith(A, REGO_OP_DIV, rego_int(7), rego_int(2), &r, &msg) == RP_OK);
    T_STREQ(show(r, REGO_FMT_JSON), "3.5");
    T_CHECK(rego_num_arith(A, REGO_OP_DIV, rego_int(6), rego_int(2), &r, &msg) == RP_OK);
    T_CHECK(r.sub == REGO_NUM_INT && r.u.i == 3);
    T_CHECK(rego_num_arith(A, REGO_OP_DIV, rego_int(1), rego_int(0), &r, &msg) == RP_ERR_EVAL);
    T_STREQ(msg, "divide by zero");
    T_CHECK(rego_num_arith(A, REGO_OP_REM, rego_float(1.1), rego_int(1), &r, &msg) == RP_ERR_EVAL);
    T_STREQ(msg, "modulo on floating-point number");
    T_CHECK(rego_num_arith(A, REGO_OP_REM, rego_int(-7), rego_int(4), &r, &msg) == RP_OK);
    T_CHECK(r.u.i == -3);
    T_CHECK(rego_num_arith(A, REGO_OP_ADD, N("0.1"), N("0.2"), &r, &msg) == RP_OK);
    T_CHECK(fabs(r.u.f - 0.3) < 1e-15);
    T_CHECK(rego_num_unary(A, REGO_UN_ROUND, rego_float(-2.5), &r) == RP_OK);
    T_CHECK(r.sub == REGO_NUM_INT && r.u.i == -3);

    mpz_t z;
    mpz_init(z);
    T_CHECK(rego_num_to_mpz(N("-98765432109876543210"), z));
    T_CHECK(mpz_cmp_si(z, 0) < 0);
    r = rego_num_from_mpz(A, z);
    T_STREQ(show(r, REGO_FMT_JSON), "-98765432109876543210");
    mpz_clear(z);
}

static void test_collections(void)
{
    rego_setb sb;
    rego_setb_init(&sb, A);
    for (int i = 100; i > 0; i--)
        rego_setb_add(&sb, rego_int(i % 50));
    T_CHECK(!rego_setb_add(&sb, rego_float(3.0)));
    rego_value set = rego_setb_finish(&sb);
    T_CHECK(set.kind == REGO_SET && set.n == 50);
    T_CHECK(rego_set_at(set, 0).u.i == 0 && rego_set_at(set, 49).u.i == 49);
    T_CHECK(rego_set_has(set, rego_float(7.0)));
    T_CHECK(!rego_set_has(set, rego_int(50)));

    rego_objb ob;
    rego_objb_init(&ob, A);
    char key[16];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof(key), "k%02d", 39 - i);
        T_CHECK(rego_objb_put(&ob, S(key), rego_int(i)) == REGO_PUT_NEW);
    }
    T_CHECK(rego_objb_put(&ob, S("k05"), rego_int(34)) == REGO_PUT_SAME);
    T_CHECK(rego_objb_put(&ob, S("k05"), rego_int(1)) == REGO_PUT_CONFLICT);
    rego_value obj = rego_objb_finish(&ob);
    T_CHECK(obj.kind == REGO_OBJECT && obj.n == 40);
    T_STREQ(rego_object_at(obj, 0).key.u.s, "k00");
    rego_value got;
    T_CHECK(rego_object_get(obj, S("k10"), &got) && got.u.i == 29);
    T_CHECK(!rego_object_get(obj, S("k40"), &got));

    rego_objent small[] = {{S("b"), rego_int(2)}, {S("a"), rego_int(1)}, {S("b"), rego_int(3)}};
    rego_value o2 = rego_object_from(A, small, 3);
    T_STREQ(show(o2, REGO_FMT_JSON), "{\"a\":1,\"b\":3}");
    rego_value items[] = {rego_int(1), S("x"), o2};
    rego_value arr = rego_array_borrow(items, 3);
    T_STREQ(show(arr, REGO_FMT_REGO), "[1, \"x\", {\"a\": 1, \"b\": 3}]");
    T_STREQ(show(rego_empty_set(), REGO_FMT_REGO), "set()");
    T_STREQ(show(set, REGO_FMT_JSON), show(set, REGO_FMT_JSON));
    T_STREQ(show(o2, REGO_FMT_JSON_PRETTY), "{\n  \"a\": 1,\n  \"b\": 3\n}");
    T_STREQ(show(S("a<\"\n\x01"), REGO_FMT_JSON), "\"a<\\\"\\n\\u0001\"");

    /* non-string keys are written as their JSON text */
    rego_objent nk[] = {{rego_int(1), S("one")}};
    T_STREQ(show(rego_object_from(A, nk, 1), REGO_FMT_JSON), "{\"1\":\"one\"}");
}

static void test_seal(void)
{
    rego_value o;
    rego_objent *e = rego_object_alloc(A, 12, &o);
    for (int i = 0; i < 12; i++) {
        char k[8];
        snprintf(k, sizeof(k), "k%d", i % 6);
        e[i].key = S(k);
        e[i].val = rego_int(i);
    }
    o = rego_object_seal(A, o);
    T_CHECK(o.n == 6);
    rego_value got;
    T_CHECK(rego_object_get(o, S("k2"), &got) && got.u.i == 8); /* last wins */
    rego_value s;
    rego_value *it = rego_set_alloc(A, 20, &s);
    for (int i = 0; i < 20; i++)
        it[i] = rego_int(19 - i % 10);
    s = rego_set_seal(A, s);
    T_CHECK(s.n == 10 && rego_set_at(s, 0).u.i == 10 && rego_set_has(s, rego_int(15)));
    T_STREQ(show(S("<a&b>"), REGO_FMT_JSON | REGO_FMT_HTML), "\"\\u003ca\\u0026b\\u003e\"");
}

static void test_arena_budget(void)
{
    rp_arena *a = rp_arena_new(64 * 1024);
    int n = 0;
    while (rp_arena_alloc(a, 1000))
        n++;
    T_CHECK(n > 10 && n <= 64);
    T_CHECK(rp_arena_failed(a));
    T_CHECK(rp_arena_alloc(a, 1) == NULL); /* sticky */
    rp_arena_free(a);
}

int main(void)
{
    A = rp_arena_new(0);
    test_order();
    test_numbers();
    test_collections();
    test_seal();
    test_arena_budget();
    rp_arena_free(A);
    return T_DONE();
}
