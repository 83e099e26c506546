/*
 * test_bi_core.c — the core, aggregates and types builtin groups: results
 * and OPA's exact error texts, one table line per call, plus the registry
 * entries, the size limits at exactly the limit and one past it, and
 * out-of-memory behaviour under tight arena budgets.
 *
 * Tables are bi_table.h's: {builtin, arguments as a Rego array literal,
 * expected printed result or "!<kind>:<message>"}.  Cases marked "conf:"
 * mirror OPA's conformance cases under shared/conformance/opa/given/.
 */
#include "bi_table.h"
#include "rego/limits.h"

static rp_arena *A; /* inputs and, unless a test says otherwise, results */

/* Calls fn on the arguments in args_text (read into A) with results in
 * arena res; prints the outcome into out and stores the result in *result
 * when the call succeeds and result is not NULL. */
static rp_status call(rp_arena *res, const char *fn, const char *args_text, char *out, size_t cap,
                      rego_value *result)
{
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, res);
    rp_error err = {0};
    rego_value v;
    rp_status st = bt_invoke_text(&ev, A, fn, args_text, &v, &err);
    bt_outcome(st, &err, v, REGO_FMT_REGO, out, cap);
    if (result && st == RP_OK)
        *result = v;
    return st;
}

/* ---- comparison and membership -------------------------------------------- */

static const bt_case compare_cases[] = {
    {"equal", "[1, 1]", "true"}, /* conf: comparisonexpr/equals */
    {"equal", "[0, 1]", "false"}, /* conf: comparisonexpr/undefined: equals */
    {"equal", "[1, 1.0]", "true"},
    {"equal", "[1, \"1\"]", "false"},
    {"equal", "[{1, 2}, {2, 1}]", "true"},
    {"equal", "[{\"a\": [1]}, {\"a\": [1.0]}]", "true"},
    {"equal", "[null, null]", "true"},
    {"equal", "[123456789012345678901234567890, 123456789012345678901234567890]", "true"},
    {"neq", "[0, 1]", "true"}, /* conf: comparisonexpr/noteq */
    {"neq", "[2, 2]", "false"},
    {"neq", "[28857836529306024611913, 28857836529306024611912]", "true"}, /* conf: big_int */
    {"gt", "[1, 0]", "true"}, /* conf: comparisonexpr/gt */
    {"gt", "[1, 2]", "false"}, /* conf: comparisonexpr/undefined: gt */
    {"gte", "[1, 1]", "true"}, /* conf: comparisonexpr/gteq */
    {"gte", "[3, 4]", "false"},
    {"lte", "[-1, 0]", "true"}, /* conf: comparisonexpr/lteq */
    {"lt", "[1, -1]", "false"}, /* conf: comparisonexpr/undefined: lt */
    {"lt", "[0.5, 1]", "true"},
    /* the total order across kinds */
    {"lt", "[null, false]", "true"},
    {"lt", "[false, true]", "true"},
    {"lt", "[true, 0]", "true"},
    {"lt", "[99, \"\"]", "true"},
    {"lt", "[\"z\", []]", "true"},
    {"lt", "[[1, 2], [1, 3]]", "true"},
    {"lt", "[[9], {}]", "true"},
    {"lt", "[{\"a\": 9}, set()]", "true"},
    {"lt", "[\"a\", \"ab\"]", "true"},
    {"gt", "[123456789012345678901234567890, 9223372036854775807]", "true"},
    {"lt", "[-123456789012345678901234567890, -9223372036854775808]", "true"},
};

static const bt_case member_cases[] = {
    /* conf: aggregates/member ... */
    {"internal.member_2", "[1, {1}]", "true"},
    {"internal.member_2", "[1, [1]]", "true"},
    {"internal.member_2", "[1, {\"foo\": 1}]", "true"},
    {"internal.member_2", "[1, {2}]", "false"},
    {"internal.member_2", "[1, [2]]", "false"},
    {"internal.member_2", "[1, {\"foo\": 2}]", "false"},
    {"internal.member_2", "[\"foo\", {\"foo\": 2}]", "false"}, /* keys are not members */
    {"internal.member_2", "[{1, 2}, [{1, 2}]]", "true"},
    {"internal.member_2", "[\"foo\", [\"foo\", \"bar\"]]", "true"},
    {"internal.member_2", "[\"foo\", [\"fox\"]]", "false"},
    {"internal.member_2", "[2, [2]]", "true"},
    {"internal.member_2", "[{\"foo\": {\"baz\": 2000}}, [{\"foo\": {\"baz\": 2000}}]]", "true"},
    {"internal.member_2", "[1, \"foo\"]", "false"},
    {"internal.member_2", "[\"foo\", 1]", "false"},
    {"internal.member_2", "[null, null]", "false"},
    {"internal.member_2", "[1.0, [1]]", "true"},
    {"internal.member_2", "[[1], [[1]]]", "true"},
    {"internal.member_2", "[1, []]", "false"},
    {"internal.member_2", "[1, set()]", "false"},
    {"internal.member_3", "[\"foo\", 1, {\"foo\": 1}]", "true"},
    {"internal.member_3", "[1, \"two\", [\"one\", \"two\", \"three\"]]", "true"},
    {"internal.member_3", "[1, true, [false, true]]", "true"},
    {"internal.member_3", "[0, true, [true]]", "true"},
    {"internal.member_3", "[\"foo\", true, {\"foo\": true}]", "true"},
    {"internal.member_3", "[{\"foo\": 100}, \"ever\", {{\"foo\": 100}: \"ever\"}]", "true"},
    {"internal.member_3", "[1, \"foo\", 1]", "false"},
    {"internal.member_3", "[1, 1, {1}]", "true"},
    {"internal.member_3", "[1, 2, {1}]", "false"},
    {"internal.member_3", "[1.0, \"two\", [\"one\", \"two\"]]", "false"}, /* 1.0 is no index */
    {"internal.member_3", "[-1, 1, [1]]", "false"},
    {"internal.member_3", "[1, 1, [1]]", "false"},
    {"internal.member_3", "[\"0\", 1, [1]]", "false"},
    {"internal.member_3", "[\"foo\", 2, {\"foo\": 1}]", "false"},
    {"internal.member_3", "[\"bar\", 1, {\"foo\": 1}]", "false"},
    {"internal.member_3", "[0, \"f\", \"foo\"]", "false"},
};

/* ---- arithmetic ----------------------------------------------------------- */

static const bt_case arith_cases[] = {
    {"plus", "[1, 2]", "3"},
    {"plus", "[3, 4]", "7"}, /* conf: arithmetic/plus */
    {"plus", "[49649733057, 1]", "49649733058"}, /* conf: bug 2469 - precision */
    {"plus", "[9223372036854775807, 1]", "9223372036854775808"},
    {"plus", "[-9223372036854775808, -1]", "-9223372036854775809"},
    /* OPA's arithmetic-bignum and arithmetic-edges cases (newer than given/) */
    {"plus", "[18446744073709551617, 1]", "18446744073709551618"},
    {"minus", "[18446744073709551617, 1]", "18446744073709551616"},
    {"mul", "[18446744073709551617, 2]", "36893488147419103234"},
    {"plus", "[123456789012345678901234567890, 1]", "123456789012345678901234567891"},
    {"minus", "[-18446744073709551617, 1]", "-18446744073709551618"},
    {"plus", "[1, 2.5]", "3.5"},
    {"mul", "[2.5, 2]", "5"},
    {"rem", "[5, 55340232221128654848]", "5"},
    {"rem", "[7, 340282366920938463463374607431768211456]", "7"},
    {"rem", "[100, -18446744073709551616]", "100"},
    {"rem", "[18446744073709551617, 18446744073709551616]", "1"},
    {"plus", "[2147483647, 1]", "2147483648"},
    {"minus", "[-2147483648, 1]", "-2147483649"},
    {"mul", "[2147483647, 2147483647]", "4611686014132420609"},
    {"mul", "[-2147483648, -2147483648]", "4611686018427387904"},
    {"plus", "[10.00, 5]", "15"},
    {"abs", "[-2147483648]", "2147483648"},
    {"round", "[10.00]", "10"},
    {"div", "[-6, 3]", "-2"},
    {"div", "[1, 4]", "0.25"},
    {"rem", "[-17, 5]", "-2"},
    {"rem", "[17, -5]", "2"},
    {"rem", "[4.0, 3]", "1"},
    {"plus", "[0.1, 0.2]", "0.3"}, /* 64-bit mantissa, as OPA's big.Float */
    {"plus", "[2.2, 0.1]", "2.3"},
    {"plus", "[1.5, 1.5]", "3"},
    {"plus", "[\"a\", 1]", "!type:plus: operand 1 must be number but got string"},
    {"plus", "[1, null]", "!type:plus: operand 2 must be number but got null"},
    {"plus", "[1, {1}]", "!type:plus: operand 2 must be number but got set"},
    {"minus", "[3, 4]", "-1"}, /* conf: arithmetic/minus */
    {"minus", "[1.1, 1]", "0.1"},
    {"minus", "[{1, 2, 3}, {2, 3}]", "{1}"}, /* conf: sets/set_diff: ground output */
    {"minus", "[{1, 2, \"c\"}, {\"c\", 1}]", "{2}"}, /* conf: set_diff: virt docs */
    {"minus", "[{1, 2}, set()]", "{1, 2}"},
    {"minus", "[set(), {1}]", "set()"},
    {"minus", "[{1}, {1}]", "set()"},
    {"minus", "[{1}, 1]", "!type:minus: operand 2 must be set but got number"}, /* conf */
    {"minus", "[1, {1}]", "!type:minus: operand 2 must be number but got set"}, /* conf */
    {"minus", "[\"a\", 1]", "!type:minus: operand 1 must be one of {number, set} but got string"},
    {"minus", "[{1}, \"a\"]", "!type:minus: operand 2 must be number but got string"},
    {"minus", "[1, \"a\"]", "!type:minus: operand 2 must be number but got string"},
    {"mul", "[3, 4]", "12"}, /* conf: arithmetic/multiply */
    {"mul", "[2, 0.5]", "1"},
    {"mul", "[0.1, 3]", "0.3"},
    {"mul", "[1.5, 1.5]", "2.25"},
    {"mul", "[10000000000, 10000000000]", "100000000000000000000"},
    {"mul", "[1e10, 1e10]", "100000000000000000000"},
    {"div", "[7, 2]", "3.5"},
    {"div", "[6, 2]", "3"},
    {"div", "[0, 5]", "0"},
    {"div", "[1, 3]", "0.3333333333333333"},
    {"div", "[1.5, 0.5]", "3"},
    {"div", "[10000000000, 5]", "2000000000"},
    {"div", "[1, 0]", "!builtin:div: divide by zero"}, /* conf: helloworld, divide+error */
    {"div", "[1, 0.0]", "!builtin:div: divide by zero"},
    {"div", "[1.5, 0]", "!builtin:div: divide by zero"},
    {"div", "[\"1\", 1]", "!type:div: operand 1 must be number but got string"},
    {"rem", "[7, 4]", "3"}, /* conf: arithmetic/remainder */
    {"rem", "[-7, 4]", "-3"},
    {"rem", "[7.0, 2]", "1"},
    {"rem", "[10, 18446744073709551616]", "10"},
    {"rem", "[18446744073709551617, 2]", "1"},
    {"rem", "[7, 0]", "!builtin:rem: modulo by zero"}, /* conf: remainder+error */
    {"rem", "[5, 0.0]", "!builtin:rem: modulo by zero"},
    {"rem", "[1.1, 1]", "!builtin:rem: modulo on floating-point number"}, /* conf */
    {"rem", "[1, 0.5]", "!builtin:rem: modulo on floating-point number"},
    {"abs", "[-10]", "10"}, /* conf: arithmetic/abs */
    {"abs", "[10]", "10"},
    {"abs", "[-1.5]", "1.5"},
    {"abs", "[-0.1]", "0.1"},
    {"abs", "[-9223372036854775808]", "9223372036854775808"},
    {"abs", "[-3000000000]", "3000000000"},
    /* beyond 64 bits OPA keeps ~20 significant digits (big.Float, prec 64) */
    {"abs", "[-123456789012345678901234567890]", "123456789012345678900000000000"},
    {"abs", "[\"x\"]", "!type:abs: operand 1 must be number but got string"},
    {"round", "[1.5]", "2"},
    {"round", "[-2.5]", "-3"},
    {"round", "[2.4]", "2"},
    {"round", "[-0.4]", "0"},
    {"round", "[0.5]", "1"}, /* conf: divide+round, 1 / 2 */
    {"round", "[0.75]", "1"},
    {"round", "[0.49999999999999994]", "0"},
    {"round", "[7]", "7"},
    {"round", "[1e20]", "100000000000000000000"},
    {"round", "[null]", "!type:round: operand 1 must be number but got null"},
    {"ceil", "[1.01]", "2"}, /* conf: ceil rounds up ... */
    {"ceil", "[1.5]", "2"},
    {"ceil", "[2222.2222222222]", "2223"},
    {"ceil", "[1]", "1"},
    {"ceil", "[-1.99999]", "-1"},
    {"ceil", "[-0.5]", "1"}, /* OPA's arithCeil: truncation to 0, then + 1 */
    {"ceil", "[-1.5]", "-1"},
    {"ceil", "[9007199254740993]", "9007199254740993"},
    {"floor", "[1.01]", "1"}, /* conf: floor rounds down ... */
    {"floor", "[1.5]", "1"},
    {"floor", "[99.99999]", "99"},
    {"floor", "[1]", "1"},
    {"floor", "[-1.001]", "-2"},
    {"floor", "[-0.5]", "0"}, /* OPA's arithFloor: truncation to 0 is kept */
    {"floor", "[-2.5]", "-3"},
    {"floor", "[\"1\"]", "!type:floor: operand 1 must be number but got string"},
};

/* ---- bits and ranges ------------------------------------------------------ */

static const bt_case bits_cases[] = {
    {"bits.or", "[7, 9]", "15"}, /* conf: bitsor/basic */
    {"bits.or", "[50, 0]", "50"}, /* conf: bitsor/or with zero */
    {"bits.or", "[7.2, 42]",
     "!type:bits.or: operand 1 must be integer number but got floating-point number"}, /* conf */
    {"bits.or", "[7, \"hi\"]", "!type:bits.or: operand 2 must be integer but got string"},
    {"bits.or", "[-8, 3]", "-5"},
    {"bits.and", "[12, 10]", "8"},
    {"bits.and", "[-1, 255]", "255"},
    {"bits.and", "[18446744073709551615, 4294967295]", "4294967295"},
    {"bits.and", "[6.0, 3]", "2"},
    {"bits.xor", "[7.2, 42]",
     "!type:bits.xor: operand 1 must be integer number but got floating-point number"}, /* conf */
    {"bits.xor", "[10, 20]", "30"},
    {"bits.xor", "[10, -20]", "-26"},
    {"bits.xor", "[-10, -20]", "26"},
    {"bits.negate", "[42]", "-43"}, /* conf: bitsnegate */
    {"bits.negate", "[-1]", "0"},
    {"bits.negate", "[9223372036854775807]", "-9223372036854775808"},
    {"bits.negate", "[-9223372036854775809]", "9223372036854775808"},
    {"bits.negate", "[1.5]",
     "!type:bits.negate: operand 1 must be integer number but got floating-point number"},
    {"bits.negate", "[true]", "!type:bits.negate: operand 1 must be integer but got boolean"},
    {"bits.lsh", "[7, -1]",
     "!type:bits.lsh: operand 2 must be an unsigned integer number but got a negative integer"},
    {"bits.lsh", "[9223372036854775807, 1]", "18446744073709551614"}, /* conf */
    {"bits.lsh", "[1, 3]", "8"},
    {"bits.lsh", "[2147483647, 1]", "4294967294"},
    {"bits.lsh", "[10, 20]", "10485760"},
    {"bits.lsh", "[1, 64]", "18446744073709551616"},
    {"bits.lsh", "[-1, 4]", "-16"},
    {"bits.lsh", "[0, 99999999999999999999]", "0"},
    {"bits.lsh", "[10.1, 1]",
     "!type:bits.lsh: operand 1 must be integer number but got floating-point number"},
    {"bits.rsh", "[8, 3]", "1"}, /* conf: bitsshiftright/basic */
    {"bits.rsh", "[7.2, 42]",
     "!type:bits.rsh: operand 1 must be integer number but got floating-point number"}, /* conf */
    {"bits.rsh", "[100, 3]", "12"},
    {"bits.rsh", "[10, 20]", "0"},
    {"bits.rsh", "[-8, 1]", "-4"},
    {"bits.rsh", "[-1, 100]", "-1"},
    {"bits.rsh", "[-5, 1]", "-3"},
    {"bits.rsh", "[18446744073709551616, 60]", "16"},
    /* Go's big.Int.Uint64 keeps the low 64 bits of the count: 2^64 shifts by 0 */
    {"bits.rsh", "[5, 18446744073709551616]", "5"},
    {"bits.rsh", "[2, -2]",
     "!type:bits.rsh: operand 2 must be an unsigned integer number but got a negative integer"},
};

static const bt_case range_cases[] = {
    {"numbers.range", "[2, -3]", "[2, 1, 0, -1, -2, -3]"}, /* conf: numbersrange/descending */
    {"numbers.range", "[3.14, 4]",
     "!type:numbers.range: operand 1 must be integer number but got floating-point number"},
    {"numbers.range", "[3, 3.14]",
     "!type:numbers.range: operand 2 must be integer number but got floating-point number"},
    {"numbers.range", "[0, 1]", "[0, 1]"}, /* conf (v1): issue 7269 */
    {"numbers.range", "[1, 1]", "[1]"},
    {"numbers.range", "[1.0, 3]", "[1, 2, 3]"},
    {"numbers.range", "[\"a\", 1]", "!type:numbers.range: operand 1 must be integer but got string"},
    {"numbers.range", "[1, null]", "!type:numbers.range: operand 2 must be integer but got null"},
    {"numbers.range", "[9223372036854775806, 9223372036854775808]",
     "[9223372036854775806, 9223372036854775807, 9223372036854775808]"},
    {"numbers.range", "[-9223372036854775807, -9223372036854775808]",
     "[-9223372036854775807, -9223372036854775808]"},
    {"numbers.range", "[9223372036854775807, 9223372036854775807]", "[9223372036854775807]"},
    {"numbers.range", "[0, 67108864]",
     "!limit:numbers.range: number of elements exceeds the limit of 67108864"},
    {"numbers.range", "[0, 99999999999999999999999]",
     "!limit:numbers.range: number of elements exceeds the limit of 67108864"},
    /* conf (v1): numbersrangestep */
    {"numbers.range_step", "[0, 10, 2]", "[0, 2, 4, 6, 8, 10]"},
    {"numbers.range_step", "[0, -10, 2]", "[0, -2, -4, -6, -8, -10]"},
    {"numbers.range_step", "[10, 3, 2]", "[10, 8, 6, 4]"},
    {"numbers.range_step", "[0, 10, -2]",
     "!builtin:numbers.range_step: numbers.range_step: step must be a positive integer"},
    {"numbers.range_step", "[0, 10, 0]",
     "!builtin:numbers.range_step: numbers.range_step: step must be a positive integer"},
    {"numbers.range_step", "[1024, 4096, 1024]", "[1024, 2048, 3072, 4096]"},
    {"numbers.range_step", "[2, 2, 2]", "[2]"},
    {"numbers.range_step", "[2, 5, 2]", "[2, 4]"},
    {"numbers.range_step", "[0, 10, 99999999999999999999]", "[0]"},
    {"numbers.range_step", "[9223372036854775800, 9223372036854775807, 5]",
     "[9223372036854775800, 9223372036854775805]"},
    {"numbers.range_step", "[0, 10, 1.5]",
     "!type:numbers.range_step: operand 3 must be integer number but got floating-point number"},
    {"numbers.range_step", "[0.5, 10, -1]",
     "!type:numbers.range_step: operand 1 must be integer number but got floating-point number"},
};

/* ---- aggregates ------------------------------------------------------------ */

static const bt_case aggregate_cases[] = {
    {"count", "[[1, 2, 3, 4]]", "4"}, /* conf: aggregates/count */
    {"count", "[{\"v1\": \"hello\", \"v2\": \"goodbye\"}]", "2"}, /* conf: count keys */
    {"count", "[{1, 2, 3, 4}]", "4"}, /* conf: count set */
    {"count", "[\"abcde\"]", "5"}, /* conf: count string */
    {"count", "[\"åäö\"]", "3"},
    {"count", "[\"\"]", "0"},
    {"count", "[[]]", "0"},
    /* conf: count with invalid utf-8 chars (0xFFFD) */
    {"count", "[\"\\xd8\\x4f\\x38\\x66\\xe3\\xd4\\x77\\xbc\\xdf\\xbc\\x26\\x52\\x34\\x47\\x21\\x56"
              "\\x90\\xc4\\x22\\x3e\\x8f\\x2f\\xb2\\x5f\\x2e\\x92\\x2a\\xcb\\x15\\x46\\xd7\\xa9\"]",
     "30"},
    {"count", "[\"\\xed\\xa0\\x80\"]", "3"}, /* a UTF-16 surrogate is three bad bytes to Go */
    {"count", "[\"\\xc0\\x80\"]", "2"},         /* so is an overlong NUL */
    {"count", "[\"\\xf4\\x90\\x80\\x80\"]", "4"}, /* and anything past U+10FFFF */
    {"count", "[\"\\xe2\\x82\"]", "2"},         /* a truncated sequence */
    {"count", "[null]",
     "!type:count: operand 1 must be one of {array, object, set, string} but got null"}, /* conf */
    {"count", "[5]",
     "!type:count: operand 1 must be one of {array, object, set, string} but got number"},
    {"sum", "[[1, 2, 3, 4]]", "10"}, /* conf: aggregates/sum */
    {"sum", "[{1, 2, 3, 4}]", "10"}, /* conf: sum set */
    {"sum", "[[]]", "0"},
    {"sum", "[set()]", "0"},
    {"sum", "[[1.5, 2.5]]", "4"},
    {"sum", "[[0.1, 0.2]]", "0.3"},
    {"sum", "[[1, 2.5]]", "3.5"},
    {"sum", "[[9223372036854775807, 1]]", "9223372036854775808"},
    {"sum", "[[9223372036854775807, 1, -2]]", "9223372036854775806"},
    /* OPA's aggregates-bignum cases (newer than given/) */
    {"sum", "[[18446744073709551617, 1]]", "18446744073709551618"},
    {"sum", "[{18446744073709551617, 1}]", "18446744073709551618"},
    {"product", "[[18446744073709551617, 2]]", "36893488147419103234"},
    {"product", "[[2, 3, 4]]", "24"},
    {"product", "[[1.5, 2]]", "3"},
    {"sum", "[{9223372036854775807, 1, 2}]", "9223372036854775810"},
    {"sum", "[[-9223372036854775808, -1]]", "-9223372036854775809"},
    {"sum", "[[9223372036854775806, 1]]", "9223372036854775807"},
    {"sum", "[[1, \"a\"]]", "!type:sum: operand 1 must be array of numbers but got array containing string"},
    {"sum", "[{1, \"a\"}]", "!type:sum: operand 1 must be set of numbers but got set containing string"},
    {"sum", "[[1.5, null]]", "!type:sum: operand 1 must be array of numbers but got array containing null"},
    {"sum", "[1]", "!type:sum: operand 1 must be one of {set, array} but got number"},
    {"sum", "[{\"a\": 1}]", "!type:sum: operand 1 must be one of {set, array} but got object"},
    {"product", "[[1, 2, 3, 4]]", "24"}, /* conf: aggregates/product */
    {"product", "[{1, 2, 3, 4}]", "24"}, /* conf: product set */
    {"product", "[[]]", "1"},
    {"product", "[[0.5, 4]]", "2"},
    {"product", "[[4294967296, 4294967296, 4294967296]]", "79228162514264337593543950336"},
    {"product", "[[\"2\"]]", "!type:product: operand 1 must be array of numbers but got array containing string"},
    {"product", "[\"2\"]", "!type:product: operand 1 must be one of {set, array} but got string"},
    {"max", "[{1, 2, 3, 4}]", "4"}, /* conf: aggregates/max set */
    {"max", "[[1, 2, 3, 4]]", "4"}, /* conf: max virtual */
    {"max", "[[1, 2, 3, 4, 5]]", "5"}, /* conf: reduce ref dest (2) */
    {"max", "[[]]", "undefined"},
    {"max", "[set()]", "undefined"},
    {"max", "[[1, \"a\", null, [0]]]", "[0]"},
    {"max", "[1]", "!type:max: operand 1 must be one of {set, array} but got number"},
    {"min", "[[1, 2, 3, 4]]", "1"}, /* conf: aggregates/min */
    {"min", "[[3, 2, 1, 4, 6, -7, 10]]", "-7"}, /* conf: min out-of-order */
    {"min", "[{1, 2, 3, 4}]", "1"},
    {"min", "[[]]", "undefined"},
    {"min", "[[\"b\", \"a\", {}]]", "\"a\""},
    {"min", "[\"ab\"]", "!type:min: operand 1 must be one of {set, array} but got string"},
    {"sort", "[{1, 2, 3, 4}]", "[1, 2, 3, 4]"}, /* conf: aggregates/sort set */
    {"sort", "[[3, 1, 2, 1]]", "[1, 1, 2, 3]"},
    {"sort", "[[]]", "[]"},
    {"sort", "[set()]", "[]"},
    {"sort", "[[{\"a\": 1}, null, \"x\", [1], 1, {1}, false]]",
     "[null, false, 1, \"x\", [1], {\"a\": 1}, {1}]"},
    {"sort", "[[5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5]]",
     "[-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]"},
    {"sort", "[\"x\"]", "!type:sort: operand 1 must be one of {set, array} but got string"},
    {"all", "[set()]", "true"}, /* conf: all/empty set */
    {"all", "[[]]", "true"}, /* conf: all/empty array */
    {"all", "[{true}]", "true"}, /* conf: all/set success */
    {"all", "[{false, true}]", "false"}, /* conf: all/set fail */
    {"all", "[[true, 1]]", "false"},
    {"all", "[1]", "!type:all: operand 1 must be one of {array, set} but got number"},
    {"any", "[set()]", "false"}, /* conf: any/empty set */
    {"any", "[[]]", "false"}, /* conf: any/empty array */
    {"any", "[{false, true}]", "true"}, /* conf: any/set success */
    {"any", "[[true, true, true, false, false]]", "true"}, /* conf: any/array success */
    {"any", "[{false}]", "false"}, /* conf: any/set fail */
    {"any", "[[true, {}, \"false\"]]", "true"}, /* conf: any/other types */
    {"any", "[[1, \"true\"]]", "false"},
    {"any", "[{}]", "!type:any: operand 1 must be one of {array, set} but got object"},
};

static const bt_case set_cases[] = {
    {"and", "[{3, 2}, {3, 4}]", "{3}"}, /* conf: sets/intersect */
    {"and", "[{1, 2, 3}, {2, 3, 4}]", "{2, 3}"},
    {"and", "[set(), {1}]", "set()"},
    {"and", "[{1}, {2}]", "set()"},
    {"and", "[{1}, [1]]", "!type:and: operand 2 must be set but got array"},
    {"or", "[{3, 2}, {3, 4}]", "{2, 3, 4}"}, /* conf: sets/union */
    {"or", "[set(), set()]", "set()"},
    {"or", "[{\"a\"}, {1, [1]}]", "{1, \"a\", [1]}"},
    {"or", "[1, {1}]", "!type:or: operand 1 must be set but got number"},
    {"set_diff", "[{1, 2, 3}, {2, 1}]", "{3}"}, /* conf: sets/set_diff: refs */
    {"set_diff", "[{1}, 1]", "!type:set_diff: operand 2 must be set but got number"},
    {"intersection", "[set()]", "set()"}, /* conf: intersection_0_sets */
    {"intersection", "[{set(), {1, 2}}]", "set()"}, /* conf: intersection_2_sets */
    {"intersection", "[{{1, 2, 3}, {2, 3, 4}, {4, 5, 6}}]", "set()"}, /* conf: _3_sets */
    {"intersection", "[{{\"a\", \"b\", \"c\", \"d\"}, {\"b\", \"c\", \"d\"}, {\"c\", \"d\"}, {\"d\"}}]",
     "{\"d\"}"}, /* conf: intersection_4_sets */
    {"intersection", "[{{1, 2}}]", "{1, 2}"},
    {"intersection", "[{{1, 2}, {2, 3}}]", "{2}"},
    {"intersection", "[{1, {1}}]", "!type:intersection: operand 1 must be set but got number"},
    {"intersection", "[[{1}]]", "!type:intersection: operand 1 must be set but got array"},
    {"union", "[set()]", "set()"}, /* conf: union_0_sets */
    {"union", "[{{1, 2, 3}, {2}}]", "{1, 2, 3}"}, /* conf: union_2_sets */
    {"union", "[{{1, 2, 3}, {2, 3, 4}, {4, 5, 6}}]", "{1, 2, 3, 4, 5, 6}"}, /* conf: _3_sets */
    {"union", "[{{\"a\", \"b\", \"c\", \"d\"}, {\"b\", \"c\", \"d\"}, {\"c\", \"d\"}, {\"d\"}}]",
     "{\"a\", \"b\", \"c\", \"d\"}"}, /* conf: union_4_sets */
    {"union", "[{{1}}]", "{1}"},
    {"union", "[{\"x\", {1}}]", "!type:union: operand 1 must be set but got string"},
    {"union", "[{}]", "!type:union: operand 1 must be set but got object"},
};

/* ---- types ------------------------------------------------------------------ */

static const bt_case type_cases[] = {
    {"is_number", "[null]", "false"}, /* conf: typebuiltin/is_number */
    {"is_number", "[false]", "false"},
    {"is_number", "[1.5]", "true"},
    {"is_string", "[\"Hello\"]", "true"}, /* conf: typebuiltin/is_string */
    {"is_string", "[null]", "false"},
    {"is_string", "[1]", "false"},
    {"is_boolean", "[null]", "false"}, /* conf: typebuiltin/is_boolean */
    {"is_boolean", "[true]", "true"},
    {"is_array", "[[1, 2, 3]]", "true"}, /* conf: typebuiltin/is_array */
    {"is_array", "[{1, 2, 3}]", "false"},
    {"is_set", "[{1, 2, 3}]", "true"}, /* conf: typebuiltin/is_set */
    {"is_set", "[[1, 2, 3]]", "false"},
    {"is_set", "[set()]", "true"},
    {"is_object", "[{\"foo\": 1}]", "true"}, /* conf: typebuiltin/is_object */
    {"is_object", "[\"foo\"]", "false"},
    {"is_object", "[{}]", "true"},
    {"is_null", "[null]", "true"}, /* conf: typebuiltin/is_null */
    {"is_null", "[0]", "false"},
    {"type_name", "[null]", "\"null\""}, /* conf: typenamebuiltin */
    {"type_name", "[true]", "\"boolean\""},
    {"type_name", "[100]", "\"number\""},
    {"type_name", "[\"Hello\"]", "\"string\""},
    {"type_name", "[[1, 2, 3]]", "\"array\""},
    {"type_name", "[{1, 2, 3}]", "\"set\""},
    {"type_name", "[{}]", "\"object\""},
    /* conf: casts/to_number */
    {"to_number", "[\"-42.0\"]", "-42"},
    {"to_number", "[false]", "0"},
    {"to_number", "[100.1]", "100.1"},
    {"to_number", "[null]", "0"},
    {"to_number", "[true]", "1"},
    {"to_number", "[\"3\"]", "3"}, /* conf: to_number ref dest */
    {"to_number", "[\"broken\"]",
     "!builtin:to_number: strconv.ParseFloat: parsing \"broken\": invalid syntax"}, /* conf */
    /* what Go's strconv.ParseFloat accepts */
    {"to_number", "[\"+5\"]", "5"},
    {"to_number", "[\".5\"]", "0.5"},
    {"to_number", "[\"5.\"]", "5"},
    {"to_number", "[\"-0\"]", "0"},
    {"to_number", "[\"007\"]", "7"},
    {"to_number", "[\"1_000\"]", "1000"},
    {"to_number", "[\"1_000.000_1\"]", "1000.0001"},
    {"to_number", "[\"1e3\"]", "1000"},
    {"to_number", "[\"1E-2\"]", "0.01"},
    {"to_number", "[\"1e5_0\"]", "1e+50"},
    {"to_number", "[\"0x1p4\"]", "16"},
    {"to_number", "[\"0x1.8p1\"]", "3"},
    {"to_number", "[\"-0X_1P-2\"]", "-0.25"},
    {"to_number", "[\"1e-400\"]", "0"},
    {"to_number", "[\"99999999999999999999999\"]", "99999999999999999999999"},
    {"to_number", "[\"-123456789012345678901234567890\"]", "-123456789012345678901234567890"},
    /* and what it does not */
    {"to_number", "[\"\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"\": invalid syntax"},
    {"to_number", "[\" 1\"]", "!builtin:to_number: strconv.ParseFloat: parsing \" 1\": invalid syntax"},
    {"to_number", "[\"1 \"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1 \": invalid syntax"},
    {"to_number", "[\"1__0\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1__0\": invalid syntax"},
    {"to_number", "[\"_1\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"_1\": invalid syntax"},
    {"to_number", "[\"1_\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1_\": invalid syntax"},
    {"to_number", "[\"1_.5\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1_.5\": invalid syntax"},
    {"to_number", "[\"0x10\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"0x10\": invalid syntax"},
    {"to_number", "[\"0x\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"0x\": invalid syntax"},
    {"to_number", "[\"0b101\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"0b101\": invalid syntax"},
    {"to_number", "[\"1.2.3\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1.2.3\": invalid syntax"},
    {"to_number", "[\"1e\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1e\": invalid syntax"},
    {"to_number", "[\"1e+\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"1e+\": invalid syntax"},
    {"to_number", "[\"--5\"]", "!builtin:to_number: strconv.ParseFloat: parsing \"--5\": invalid syntax"},
    {"to_number", "[\".\"]", "!builtin:to_number: strconv.ParseFloat: parsing \".\": invalid syntax"},
    {"to_number", "[\"\\x01\\\"\\n\"]",
     "!builtin:to_number: strconv.ParseFloat: parsing \"\\x01\\\"\\n\": invalid syntax"},
    {"to_number", "[\"1e400\"]",
     "!builtin:to_number: strconv.ParseFloat: parsing \"1e400\": value out of range"},
    {"to_number", "[\"0x1p2000\"]",
     "!builtin:to_number: strconv.ParseFloat: parsing \"0x1p2000\": value out of range"},
    {"to_number", "[\"inf\"]", "!type:to_number: operand 1 must be valid number string but got string"},
    {"to_number", "[\"-Infinity\"]", "!type:to_number: operand 1 must be valid number string but got string"},
    {"to_number", "[\"NaN\"]", "!type:to_number: operand 1 must be valid number string but got string"},
    {"to_number", "[\"+-nan\"]", "!type:to_number: operand 1 must be valid number string but got string"},
    {"to_number", "[[1]]",
     "!type:to_number: operand 1 must be one of {null, boolean, number, string} but got array"},
    {"cast_array", "[[1, 2, 3]]", "[1, 2, 3]"}, /* conf: toarray/array input */
    {"cast_array", "[{3, 1, 2}]", "[1, 2, 3]"}, /* conf: toarray/set input */
    {"cast_array", "[\"a\"]", "!type:cast_array: operand 1 must be one of {array, set} but got string"},
    {"cast_set", "[[1, 1, 1]]", "{1}"}, /* conf: toset/array input */
    {"cast_set", "[{1, 2, 3}]", "{1, 2, 3}"}, /* conf: toset/set input */
    {"cast_set", "[[]]", "set()"},
    {"cast_set", "[1]", "!type:cast_set: operand 1 must be one of {array, set} but got number"},
    {"cast_null", "[null]", "null"}, /* conf: casts/null valid */
    {"cast_null", "[1]", "!type:cast_null: operand 1 must be null but got number"},
    {"cast_boolean", "[false]", "false"}, /* conf: casts/boolean valid */
    {"cast_boolean", "[1]", "!type:cast_boolean: operand 1 must be boolean but got number"}, /* conf */
    {"cast_object", "[{}]", "{}"}, /* conf: casts/obj valid */
    {"cast_object", "[[]]", "!type:cast_object: operand 1 must be object but got array"},
    {"cast_string", "[\"a\"]", "\"a\""},
    {"cast_string", "[1]", "!type:cast_string: operand 1 must be string but got number"},
};

/* ---- checks beyond the tables -------------------------------------------- */

/* Representation details the printed form hides. */
static void test_representations(void)
{
    char got[256];
    rego_value v;
    call(A, "to_number", "[\"1.0\"]", got, sizeof(got), &v);
    T_CHECK(v.kind == REGO_NUMBER && v.sub == REGO_NUM_FLOAT); /* "1.0" is no array index */
    call(A, "to_number", "[\"12\"]", got, sizeof(got), &v);
    T_CHECK(v.kind == REGO_NUMBER && v.sub == REGO_NUM_INT && v.u.i == 12);
    call(A, "div", "[6, 3]", got, sizeof(got), &v);
    T_CHECK(v.sub == REGO_NUM_INT && v.u.i == 2);
    call(A, "div", "[10000000000, 5]", got, sizeof(got), &v);
    T_CHECK(v.sub == REGO_NUM_INT);
    call(A, "mul", "[1e10, 1e10]", got, sizeof(got), &v);
    T_CHECK(v.sub == REGO_NUM_BIG); /* OPA writes integral results as integers */
    call(A, "sum", "[[1.5, 1.5]]", got, sizeof(got), &v);
    T_CHECK(v.sub == REGO_NUM_INT && v.u.i == 3);
    call(A, "numbers.range", "[1, 3]", got, sizeof(got), &v);
    T_CHECK(v.kind == REGO_ARRAY && v.n == 3 && v.u.items[2].sub == REGO_NUM_INT);
    call(A, "type_name", "[{}]", got, sizeof(got), &v);
    T_CHECK(v.kind == REGO_STRING && v.n == 6 && v.u.s[6] == 0);
    /* Integral floats are integers read at 64 bits, as OPA's NumberToInt:
     * 1e300 is 10^300 rounded to a 64-bit mantissa, products are exact. */
    char big[1024];
    call(A, "mul", "[1e300, 1e300]", big, sizeof(big), &v);
    T_CHECK(v.sub == REGO_NUM_BIG && strlen(big) == 601 &&
            strncmp(big, "1000000000000000000017994648159118387741", 40) == 0);
    call(A, "sum", "[[1e308, 1e308]]", big, sizeof(big), &v);
    T_CHECK(v.sub == REGO_NUM_BIG && strlen(big) == 309 &&
            strncmp(big, "1999999999999999999933717593116912913211", 40) == 0);
    call(A, "bits.and", "[1e20, 18446744073709551615]", big, sizeof(big), &v);
    T_STREQ(big, "7766279631452241920"); /* 10^20 mod 2^64 */
    call(A, "max", "[[1, 1.5, 1.5]]", got, sizeof(got), &v);
    T_CHECK(v.sub == REGO_NUM_FLOAT && v.u.f == 1.5);
}

/* Every builtin of the three groups is registered once, with an arity that
 * matches its signature and OPA's flags. */
static void test_registry(void)
{
    static const struct {
        const char *name;
        int flags;
    } want[] = {
        {"equal", 0}, {"neq", 0}, {"lt", 0}, {"lte", 0}, {"gt", 0}, {"gte", 0},
        {"plus", 0}, {"minus", 0}, {"mul", 0}, {"div", 0}, {"rem", 0}, {"abs", 0},
        {"round", 0}, {"ceil", 0}, {"floor", 0}, {"bits.and", 0}, {"bits.or", 0},
        {"bits.xor", 0}, {"bits.negate", 0}, {"bits.lsh", 0}, {"bits.rsh", 0},
        {"numbers.range", 0}, {"numbers.range_step", 0}, {"internal.member_2", 0},
        {"internal.member_3", 0}, {"count", 0}, {"sum", 0}, {"product", 0}, {"max", 0},
        {"min", 0}, {"sort", 0}, {"all", REGO_BI_DEPRECATED}, {"any", REGO_BI_DEPRECATED},
        {"and", 0}, {"or", 0}, {"set_diff", REGO_BI_DEPRECATED}, {"intersection", 0},
        {"union", 0}, {"is_number", 0}, {"is_string", 0}, {"is_boolean", 0}, {"is_array", 0},
        {"is_set", 0}, {"is_object", 0}, {"is_null", 0}, {"type_name", 0}, {"to_number", 0},
        {"cast_array", REGO_BI_DEPRECATED}, {"cast_set", REGO_BI_DEPRECATED},
        {"cast_string", REGO_BI_DEPRECATED}, {"cast_boolean", REGO_BI_DEPRECATED},
        {"cast_null", REGO_BI_DEPRECATED}, {"cast_object", REGO_BI_DEPRECATED},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(want); i++) {
        const rego_builtin *b = rego_builtin_find(want[i].name, strlen(want[i].name));
        T_CHECKM(b != NULL, "%s is not registered", want[i].name);
        if (!b)
            continue;
        T_CHECKM(b->flags == want[i].flags, "%s flags %d", b->name, b->flags);
        /* arity = top-level commas in "(...)" + 1 */
        int depth = 0, args = 1;
        const char *p = b->sig;
        for (p++; *p && !(*p == ')' && depth == 0); p++) {
            depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
            args += *p == ',' && depth == 0;
        }
        T_CHECKM(args == b->arity, "%s: sig %s vs arity %d", b->name, b->sig, b->arity);
    }
    const rego_builtin *m = rego_builtin_find("internal.member_2", 17);
    T_CHECK(m && m->infix && strcmp(m->infix, "in") == 0);
    const rego_builtin *minus = rego_builtin_find("minus", 5);
    T_CHECK(minus && strcmp(minus->infix, "-") == 0);
}

/* Limits at exactly the limit and one past it.  A result at the limit is
 * built in a budgeted arena, so getting past the limit check shows as an
 * out-of-memory error instead of a 1 GiB array. */
static void test_limits(void)
{
    char got[256], args[128];
    rp_arena *small = rp_arena_new(1 << 20);
    snprintf(args, sizeof(args), "[1, %u]", REGO_MAX_RANGE_ELEMS);
    T_CHECK(call(small, "numbers.range", args, got, sizeof(got), NULL) == RP_ERR_NOMEM);
    snprintf(args, sizeof(args), "[0, %u]", REGO_MAX_RANGE_ELEMS);
    T_CHECK(call(small, "numbers.range", args, got, sizeof(got), NULL) == RP_ERR_LIMIT);
    snprintf(args, sizeof(args), "[0, %u, 2]", 2 * (REGO_MAX_RANGE_ELEMS - 1));
    T_CHECK(call(small, "numbers.range_step", args, got, sizeof(got), NULL) == RP_ERR_NOMEM);
    snprintf(args, sizeof(args), "[0, %u, 2]", 2 * REGO_MAX_RANGE_ELEMS);
    T_CHECK(call(small, "numbers.range_step", args, got, sizeof(got), NULL) == RP_ERR_LIMIT);
    rp_arena_free(small);

    rego_value v;
    snprintf(args, sizeof(args), "[1, %u]", REGO_MAX_INT_BITS - 1);
    T_CHECK(call(A, "bits.lsh", args, got, 16, &v) == RP_OK);
    T_CHECK(v.sub == REGO_NUM_BIG);
    snprintf(args, sizeof(args), "[1, %u]", REGO_MAX_INT_BITS);
    T_CHECK(call(A, "bits.lsh", args, got, sizeof(got), NULL) == RP_ERR_LIMIT);
    T_STREQ(got, "!limit:bits.lsh: result size in bits exceeds the limit of 16777216");
    T_CHECK(call(A, "bits.lsh", "[1, 18446744073709551615]", got, sizeof(got), NULL) ==
            RP_ERR_LIMIT);
}

/* Out of memory: under every budget from tiny up, a call either succeeds
 * with the right result or fails cleanly with RP_ERR_NOMEM. */
static void test_budgets(void)
{
    static const bt_case cases[] = {
        {"sort", "[[5, 3, 1, 4, 2, 9, 8, 7, 6, 0]]", "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"},
        {"numbers.range", "[1, 40]", NULL},
        {"union", "[{{1, 2, 3}, {4, 5, 6}, {7, 8, 9, 10}}]", "{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}"},
        {"or", "[{1, 2, 3, 4, 5, 6, 7, 8, 9}, {10}]", "{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}"},
        {"minus", "[{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {10}]", "{1, 2, 3, 4, 5, 6, 7, 8, 9}"},
        {"cast_set", "[[3, 3, 2, 1, 4, 5, 6, 7, 8, 9]]", "{1, 2, 3, 4, 5, 6, 7, 8, 9}"},
        {"to_number", "[\"123456789012345678901234567890\"]", "123456789012345678901234567890"},
        {"bits.lsh", "[1, 4000]", NULL},
        {"product", "[[4294967296, 4294967296, 4294967296]]", "79228162514264337593543950336"},
    };
    char got[2048];
    for (size_t i = 0; i < RP_ARRAY_LEN(cases); i++) {
        bool ok = false;
        for (size_t budget = 16; budget < (1u << 20) && !ok; budget += budget / 4) {
            rp_arena *a = rp_arena_new(budget);
            rp_status st = call(a, cases[i].fn, cases[i].args, got, sizeof(got), NULL);
            T_CHECKM(st == RP_OK || st == RP_ERR_NOMEM, "%s under budget %zu: %s", cases[i].fn,
                     budget, got);
            ok = st == RP_OK;
            if (ok && cases[i].want)
                T_STREQ(got, cases[i].want);
            rp_arena_free(a);
        }
        T_CHECKM(ok, "%s never succeeded", cases[i].fn);
    }
}

/* The registry reaches group tables through weak references, which do not
 * pull objects out of a static library: name the tables so they link. */
REGO_BUILTIN_GROUP(core);
REGO_BUILTIN_GROUP(aggregates);
REGO_BUILTIN_GROUP(types);

int main(void)
{
    T_CHECK(rego_builtins_core[0].name && rego_builtins_aggregates[0].name &&
            rego_builtins_types[0].name);
    A = rp_arena_new(0);
    BT_RUN(compare_cases, 0);
    BT_RUN(member_cases, 0);
    BT_RUN(arith_cases, 0);
    BT_RUN(bits_cases, 0);
    BT_RUN(range_cases, 0);
    BT_RUN(aggregate_cases, 0);
    BT_RUN(set_cases, 0);
    BT_RUN(type_cases, 0);
    test_representations();
    test_registry();
    test_limits();
    test_budgets();
    rp_arena_free(A);
    return T_DONE();
}
