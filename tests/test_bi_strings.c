/*
 * test_bi_strings.c — the "strings" builtin group (strings.c, sprintf.c):
 * every OPA conformance case for these builtins (given/strings, sprintf,
 * trim*, replacen), Go fmt / strconv behaviour of sprintf, Unicode case
 * mapping, and the limits.
 *
 * Tables are bi_table.h's, run with BT_RUN_VALUE: builtin name, its
 * arguments as a Rego array, and the expected result as a Rego term compared
 * as a value, or "!<kind>:<message>" for an error (TE, BE below).  Terms use
 * JSON syntax plus sets ({1, 2}, set()), non-string object keys and "\xNN"
 * for a raw (possibly invalid UTF-8) byte inside strings.
 */
#include "bi_table.h"
#include "rego/limits.h"

#define TE "!type:"    /* eval_type_error */
#define BE "!builtin:" /* eval_builtin_error */

/* ---- cases: OPA conformance (given/ and given-v1/) ---------------------------- */

static const bt_case conformance[] = {
    /* strings/ */
    {"concat", "[\"/\", [\"\", \"foo\", \"bar\", \"0\", \"baz\"]]", "\"/foo/bar/0/baz\""},
    {"concat", "[\",\", {\"1\", \"2\", \"3\"}]", "\"1,2,3\""},
    {"concat", "[\"\", [\"f\", \"o\", \"o\"]]", "\"foo\""},
    {"format_int", "[3.1, 10]", "\"3\""},
    {"format_int", "[4.1, 10]", "\"4\""},
    {"format_int", "[4.1, 199]", TE "format_int: operand 2 must be one of {2, 8, 10, 16}"},
    {"format_int", "[4, 10]", "\"4\""},
    {"indexof", "[\"abcdefgh\", \"cde\"]", "2"},
    {"indexof", "[\"abcabcabcdefgh\", \"cde\"]", "8"},
    {"indexof", "[\"abcdefgh\", \"xyz\"]", "-1"},
    {"indexof", "[\"\\u03bcx\", \"x\"]", "1"},
    {"indexof", "[\"\\u03bc\", \"\\u03bc\\u03bc\"]", "-1"},
    {"indexof", "[\"sk\\u00f6n var v\\u00e5ren\", \"v\\u00e5r\"]", "9"},
    {"indexof", "[\"\\ud83c\\udf67\\ud83c\\udf68\\ud83e\\uddc1\\ud83c\\udf70\\ud83c\\udf6e\", "
                "\"\\ud83c\\udf6e\"]", "4"},
    {"indexof", "[\"\\ud83c\\udf67\\ud83c\\udf68\\ud83e\\uddc1\\ud83c\\udf70\\ud83c\\udf6e\", "
                "\"\\ud83c\\udf67\\ud83c\\udf68\\ud83e\\uddc1\\ud83c\\udf70\\ud83c\\udf6e\"]", "0"},
    {"indexof_n", "[\"dogcat\", \"cat\"]", "[3]"},
    {"indexof_n", "[\"dogcatdogcat\", \"cat\"]", "[3, 9]"},
    {"indexof_n", "[\"dogcat\", \"rabbit\"]", "[]"},
    {"indexof_n", "[\"\\ud83d\\ude07\\ud83d\\ude00\\ud83d\\ude07\\ud83d\\ude00\\ud83d\\ude07\\ud83d\\ude00\", "
                  "\"\\ud83d\\ude00\"]", "[1, 3, 5]"},
    {"indexof_n", "[\"\\ud83d\\ude07\\ud83d\\ude00\\ud83d\\ude07\\ud83d\\ude00\", \"\\ud83d\\ude02\"]", "[]"},
    {"substring", "[\"abcdefgh\", 2, -1]", "\"cdefgh\""},
    {"substring", "[\"a\\u00e5\\u00e4\\u00f6\", 2, -1]", "\"\\u00e4\\u00f6\""},
    {"substring", "[\"aaa\", -1, -1]", BE "substring: negative offset"},
    {"substring", "[\"\\u00e5\\u00e4\\u00f6\", -1, -1]", BE "substring: negative offset"},
    {"substring", "[\"aaa\", 3, -1]", "\"\""},
    {"substring", "[\"\\u00e5\\u00e4\\u00f6\", 3, -1]", "\"\""},
    {"substring", "[\"aaa\", 4, -1]", "\"\""},
    {"substring", "[\"\\u00e5\\u00e4\\u00f6\", 4, -1]", "\"\""},
    {"contains", "[\"abcdefgh\", \"defg\"]", "true"},
    {"contains", "[\"abcdefgh\", \"ac\"]", "false"},
    {"contains", "[\"fireplace\", \"repl\"]", "true"},
    {"startswith", "[\"abcdefgh\", \"abcd\"]", "true"},
    {"startswith", "[\"abcdefgh\", \"bcd\"]", "false"},
    {"startswith", "[\"acmecorp.com/app\", \"acmecorp.com/\"]", "true"},
    {"upper", "[\"AbCdEf\"]", "\"ABCDEF\""},
    {"split", "[\"foo.bar.baz\", \".\"]", "[\"foo\", \"bar\", \"baz\"]"},
    {"split", "[\"foo.bar\", \".\"]", "[\"foo\", \"bar\"]"},
    {"replace", "[\"\", \"hi\", \"bye\"]", "\"\""},
    {"replace", "[\"foo.bar\", \".\", \",\"]", "\"foo,bar\""},
    {"replace", "[\"foo.bar.baz\", \".\", \",\"]", "\"foo,bar,baz\""},
    {"replace", "[\"foo...bar\", \"..\", \",,\"]", "\"foo,,.bar\""},
    {"trim", "[\"\", \".\"]", "\"\""},
    {"trim", "[\"foo.bar...\", \".\"]", "\"foo.bar\""},
    {"trim", "[\"...foo.bar\", \".\"]", "\"foo.bar\""},
    {"trim", "[\"...foo.bar...\", \".\"]", "\"foo.bar\""},
    {"trim", "[\"...foo.bar...\", \".fr\"]", "\"oo.ba\""},
    {"sprintf", "[\"hi\", []]", "\"hi\""},
    {"sprintf", "[\"hi %02d\", [5]]", "\"hi 05\""},
    {"sprintf", "[\"hi %.2f\", [3.1415]]", "\"hi 3.14\""},
    {"sprintf", "[\"hi %s\", [true]]", "\"hi true\""},
    {"sprintf", "[\"hi %v\", [[\"there\", 5, 3.14]]]", "\"hi [\\\"there\\\", 5, 3.14]\""},
    {"strings.reverse", "[\"bar\"]", "\"rab\""},
    {"strings.reverse", "[\"2\\ufe0f\\u20e3\"]", "\"\\u20e3\\ufe0f2\""},
    {"strings.reverse", "[\"1\\ud83d\\ude00\\ud835\\udefe\"]", "\"\\ud835\\udefe\\ud83d\\ude001\""},
    {"strings.reverse", "[\"\"]", "\"\""},
    {"strings.reverse", "[123]", TE "strings.reverse: operand 1 must be string but got number"},
    {"strings.reverse", "[{\"bar\": \"baz\"}]", TE "strings.reverse: operand 1 must be string but got object"},
    /* strings/ any_suffix_match */
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], [\"/c\", \"/a\"]]", "true"},
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], [\"/f\", \"/a\"]]", "false"},
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], [\"/b/c\", \"/d\"]]", "true"},
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], [\"/a\", \"e/f/g\"]]", "true"},
    {"strings.any_suffix_match", "[[\"aa/bb/cc\", \"aa/bb/dd\", \"ee/ff/gg\"], [\"b/cc\", \"f/g\"]]", "true"},
    {"strings.any_suffix_match", "[[\"aa/bb/cc\", \"aa/bb/dd\", \"ee/ff/gg\"], [\"b/c\", \"f/g\"]]", "false"},
    {"strings.any_suffix_match", "[[\"aa/bb/cc\", \"aa/bb/dd\", \"ee/ff/gg\"], [\"aa/b\"]]", "false"},
    {"strings.any_suffix_match", "[[], [\"a/b\", \"e/f\"]]", "false"},
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], []]", "false"},
    {"strings.any_suffix_match", "[[], []]", "false"},
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], \"/c\"]", "true"},
    {"strings.any_suffix_match", "[[\"a/b/c\", \"a/b/d\", \"e/f/g\"], \"/h\"]", "false"},
    {"strings.any_suffix_match", "[\"a/b/c\", [\"/c\", \"/a\"]]", "true"},
    {"strings.any_suffix_match", "[\"a/b/g\", [\"/c\", \"/a\"]]", "false"},
    {"strings.any_suffix_match", "[{\"a/b/c\", \"a/b/d\", \"e/f/g\"}, {\"/c\", \"/a\"}]", "true"},
    {"strings.any_suffix_match", "[{\"a/b/c\", \"a/b/d\", \"e/f/g\"}, {\"/f\", \"/a\"}]", "false"},
    {"strings.any_suffix_match", "[[1, 2, 3], [\"f/\", \"d/\"]]",
     TE "strings.any_suffix_match: operand 1 must be array of strings but got array containing number"},
    {"strings.any_suffix_match", "[1, [\"f/\", \"d/\"]]",
     TE "strings.any_suffix_match: operand 1 must be one of {string, set, array} but got number"},
    {"strings.any_suffix_match", "[[\"a/b/c\"], [1, 2]]",
     TE "strings.any_suffix_match: operand 2 must be array of strings but got array containing number"},
    {"strings.any_suffix_match", "[[\"a/b/c\"], 1]",
     TE "strings.any_suffix_match: operand 2 must be one of {string, set, array} but got number"},
    /* trim/, trimleft/, trimprefix/, trimright/, trimspace/, trimsuffix/, functions/ */
    {"trim", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \"!\\u00a1\"]", "\"foo, bar\""},
    {"trim", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \"i\"]", "\"\\u00a1\\u00a1\\u00a1foo, bar!!!\""},
    {"trim_left", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \"!\\u00a1\"]", "\"foo, bar!!!\""},
    {"trim_left", "[\"!!!foo, bar\\u00a1\\u00a1\\u00a1\", \"\\u00a1\"]", "\"!!!foo, bar\\u00a1\\u00a1\\u00a1\""},
    {"trim_prefix", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \"\\u00a1\\u00a1\\u00a1bar\"]",
     "\"\\u00a1\\u00a1\\u00a1foo, bar!!!\""},
    {"trim_right", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \"!\\u00a1\"]", "\"\\u00a1\\u00a1\\u00a1foo, bar\""},
    {"trim_right", "[\"!!!foo, bar\\u00a1\\u00a1\\u00a1\", \"!\"]", "\"!!!foo, bar\\u00a1\\u00a1\\u00a1\""},
    {"trim_space", "[\"foo, bar\"]", "\"foo, bar\""},
    {"trim_suffix", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \", bar!!!\"]", "\"\\u00a1\\u00a1\\u00a1foo\""},
    {"trim_suffix", "[\"\\u00a1\\u00a1\\u00a1foo, bar!!!\", \", foo!!!\"]", "\"\\u00a1\\u00a1\\u00a1foo, bar!!!\""},
    {"trim", "[\"hello\", \"h o\"]", "\"ell\""},
    /* replacen/ */
    {"strings.replace_n", "[{\"<\": \"&lt;\", \">\": \"&gt;\"}, \"This is <b>HTML</b>!\"]",
     "\"This is &lt;b&gt;HTML&lt;/b&gt;!\""},
    {"strings.replace_n", "[{\"f\": \"x\", \"foo\": \"xxx\"}, \"foobar\"]", "\"xoobar\""},
    {"strings.replace_n", "[{\"foo\": \"xxx\", \"f\": \"x\"}, \"foo\"]", "\"xoo\""},
    {"strings.replace_n", "[{2: \"x\"}, \"foo\"]",
     TE "strings.replace_n: operand 1 non-string key found in pattern object"},
    {"strings.replace_n", "[{\"f\": 100}, \"foo\"]",
     TE "strings.replace_n: operand 1 non-string value found in pattern object"},
    {"strings.replace_n", "[{\"foo\": \"baz\"}, 100]",
     TE "strings.replace_n: operand 2 must be string but got number"},
    /* sprintf/ */
    {"sprintf", "[\"%s\", [123456789123456789123]]", "\"123456789123456789123\""},
    {"sprintf", "[\"%s\", [1208925819614629174706175]]", "\"1208925819614629174706175\""},
    {"sprintf", "[\"%s/%d\", [\"tests\", 3]]", "\"tests/3\""},
};

/* ---- cases: the rest of the string builtins ----------------------------------- */

static const bt_case strings_cases[] = {
    {"concat", "[\",\", []]", "\"\""},
    {"concat", "[\",\", [\"a\"]]", "\"a\""},
    {"concat", "[\"--\", [\"a\", \"b\", \"c\"]]", "\"a--b--c\""},
    {"concat", "[\",\", [1]]", TE "concat: operand 2 must be array of strings but got array containing number"},
    {"concat", "[\",\", {\"a\", 1}]", TE "concat: operand 2 must be set of strings but got set containing number"},
    {"concat", "[\",\", 1]", TE "concat: operand 2 must be one of {set, array} but got number"},
    {"concat", "[1, []]", TE "concat: operand 1 must be string but got number"},
    {"contains", "[\"\", \"\"]", "true"},
    {"contains", "[1, \"a\"]", TE "contains: operand 1 must be string but got number"},
    {"contains", "[\"a\", null]", TE "contains: operand 2 must be string but got null"},
    {"endswith", "[\"abc\", \"bc\"]", "true"},
    {"endswith", "[\"abc\", \"ab\"]", "false"},
    {"endswith", "[\"c\", \"abc\"]", "false"},
    {"startswith", "[\"abc\", \"\"]", "true"},
    {"startswith", "[\"abc\", 1]", TE "startswith: operand 2 must be string but got number"},
    {"format_int", "[255, 16]", "\"ff\""},
    {"format_int", "[-255, 2]", "\"-11111111\""},
    {"format_int", "[8, 8]", "\"10\""},
    {"format_int", "[-3.9, 10]", "\"-3\""},
    {"format_int", "[15.99, 16]", "\"f\""},
    {"format_int", "[0, 2]", "\"0\""},
    {"format_int", "[1, 2.0]", TE "format_int: operand 2 must be one of {2, 8, 10, 16}"},
    {"format_int", "[\"1\", 10]", TE "format_int: operand 1 must be number but got string"},
    {"format_int", "[1, \"10\"]", TE "format_int: operand 2 must be number but got string"},
    {"format_int", "[9223372036854775807, 16]", "\"7fffffffffffffff\""},
    /* beyond int64 OPA goes through a 64-bit-mantissa big.Float */
    {"format_int", "[123456789012345678901234567890, 10]", "\"123456789012345678899921813504\""},
    {"format_int", "[123456789012345678901234567890, 16]", "\"18ee90ff6c373e0ee00000000\""},
    {"format_int", "[1e30, 10]", "\"1000000000000000000024696061952\""}, /* not the double's */
    {"indexof", "[\"abc\", \"\"]", BE "indexof: empty search character"},
    {"indexof", "[\"aXbX\", \"X\"]", "1"},
    {"indexof", "[\"a\\xffb\", \"\\ufffd\"]", "1"},
    {"indexof", "[1, \"a\"]", TE "indexof: operand 1 must be string but got number"},
    {"indexof_n", "[\"aaa\", \"aa\"]", "[0, 1]"},
    {"indexof_n", "[\"abc\", \"\"]", BE "indexof_n: empty search character"},
    {"lower", "[\"AbC\"]", "\"abc\""},
    {"lower", "[1]", TE "lower: operand 1 must be string but got number"},
    {"upper", "[\"stra\\u00dfe\"]", "\"STRA\\u00dfE\""},
    {"upper", "[\"\\u017f\"]", "\"S\""},
    {"lower", "[\"\\u0130\"]", "\"i\""},
    {"lower", "[\"\\u212a\"]", "\"k\""},
    {"upper", "[\"\\u03c3\\u03c2\\u03ac\"]", "\"\\u03a3\\u03a3\\u0386\""},
    {"lower", "[\"\\u0391\\u0392\\u0393\"]", "\"\\u03b1\\u03b2\\u03b3\""},
    {"upper", "[\"\\u043f\\u0440\\u0438\\u0432\\u0435\\u0442\"]",
     "\"\\u041f\\u0420\\u0418\\u0412\\u0415\\u0422\""},
    {"lower", "[\"\\u0401\\u0416\"]", "\"\\u0451\\u0436\""},
    {"upper", "[\"\\u01c6\"]", "\"\\u01c4\""},
    {"lower", "[\"\\u01c5\"]", "\"\\u01c6\""},
    {"upper", "[\"\\u0101\\u0103\\u012f\"]", "\"\\u0100\\u0102\\u012e\""},
    {"lower", "[\"\\u0100\\u0102\\u012e\"]", "\"\\u0101\\u0103\\u012f\""},
    {"upper", "[\"\\u1f80\"]", "\"\\u1f88\""},
    {"upper", "[\"\\ud801\\udc28\"]", "\"\\ud801\\udc00\""},
    {"upper", "[\"a\\xffb\"]", "\"A\\ufffdB\""},
    {"replace", "[\"ab\", \"\", \"-\"]", "\"-a-b-\""},
    {"replace", "[\"\\u00e9\", \"\", \"-\"]", "\"-\\xc3-\\xa9-\""},
    {"replace", "[\"aaa\", \"a\", \"bb\"]", "\"bbbbbb\""},
    {"replace", "[\"abc\", \"x\", \"y\"]", "\"abc\""},
    {"replace", "[\"abc\", 1, \"y\"]", TE "replace: operand 2 must be string but got number"},
    {"split", "[\"\", \",\"]", "[\"\"]"},
    {"split", "[\"abc\", \"\"]", "[\"a\", \"b\", \"c\"]"},
    {"split", "[\"\", \"\"]", "[]"},
    {"split", "[\"a,b,\", \",\"]", "[\"a\", \"b\", \"\"]"},
    {"split", "[\"\\u00e5\\u00e4\", \"\"]", "[\"\\u00e5\", \"\\u00e4\"]"},
    {"split", "[\"a\\xffb\", \"\"]", "[\"a\", \"\\xff\", \"b\"]"},
    {"split", "[\"a::b::c\", \"::\"]", "[\"a\", \"b\", \"c\"]"},
    {"split", "[\"a\", 1]", TE "split: operand 2 must be string but got number"},
    {"strings.split_n", "[\"a.b.c.d\", \".\", 2]", "[\"a\", \"b\"]"},
    {"strings.split_n", "[\"a.b.c.d\", \".\", -2]", "[\"c\", \"d\"]"},
    {"strings.split_n", "[\"a.b.c.d\", \".\", 0]", "[]"},
    {"strings.split_n", "[\"a.b\", \".\", 5]", "[\"a\", \"b\"]"},
    {"strings.split_n", "[\"a.b\", \".\", -5]", "[\"a\", \"b\"]"},
    {"strings.split_n", "[\"a.b\", \".\", -9223372036854775808]", "[\"a\", \"b\"]"},
    {"strings.split_n", "[\"a.b\", \".\", 1.5]",
     TE "strings.split_n: operand 3 must be integer number but got floating-point number"},
    {"substring", "[\"abcdef\", 0, 100]", "\"abcdef\""},
    {"substring", "[\"abcdef\", 1, 2]", "\"bc\""},
    {"substring", "[\"abc\", 1, 9223372036854775807]", "\"bc\""},
    {"substring", "[\"\\u00e5\\u00e4\\u00f6\", 1, 1]", "\"\\u00e4\""},
    {"substring", "[\"\\u00e5\\u00e4\\u00f6\", 0, 9]", "\"\\u00e5\\u00e4\\u00f6\""},
    {"substring", "[\"\\u00e9\\xff\", 1, 5]", "\"\\ufffd\""},
    {"substring", "[\"\", 5, 1]", "\"\""},
    {"substring", "[\"abc\", 1.5, 1]",
     TE "substring: operand 2 must be integer number but got floating-point number"},
    {"substring", "[\"abc\", 1, 1.0]",
     TE "substring: operand 3 must be integer number but got floating-point number"},
    {"substring", "[\"abc\", \"1\", 1]", TE "substring: operand 2 must be number but got string"},
    {"trim", "[\"abc\", \"\"]", "\"abc\""},
    {"trim", "[\"xx\", \"x\"]", "\"\""},
    {"trim", "[\"\\xffab\\xff\", \"\\ufffd\"]", "\"ab\""},
    {"trim_left", "[\"aabca\", \"a\"]", "\"bca\""},
    {"trim_right", "[\"aabca\", \"a\"]", "\"aabc\""},
    {"trim_right", "[\"a\\u00e9\\u00e9\", \"\\u00e9\"]", "\"a\""},
    {"trim_prefix", "[\"abc\", \"ab\"]", "\"c\""},
    {"trim_prefix", "[\"abc\", \"\"]", "\"abc\""},
    {"trim_suffix", "[\"abc\", \"bc\"]", "\"a\""},
    {"trim_space", "[\" \\t\\n foo \\u00a0\\u3000\\u2009\"]", "\"foo\""},
    {"trim_space", "[\"\\u200bfoo\"]", "\"\\u200bfoo\""},
    {"trim_space", "[\"  \"]", "\"\""},
    {"trim_space", "[\"\\u0085x\\u1680\"]", "\"x\""},
    {"trim_space", "[null]", TE "trim_space: operand 1 must be string but got null"},
    {"strings.count", "[\"cheese\", \"e\"]", "3"},
    {"strings.count", "[\"five\", \"\"]", "5"},
    {"strings.count", "[\"aaaa\", \"aa\"]", "2"},
    {"strings.count", "[\"\\u00e5\\u00e4\", \"\"]", "3"},
    {"strings.reverse", "[\"a\\xffb\"]", "\"b\\xffa\""},
    {"strings.any_prefix_match", "[\"abc\", [\"a\"]]", "true"},
    {"strings.any_prefix_match", "[[\"x/y\", \"a/b\"], \"a/\"]", "true"},
    {"strings.any_prefix_match", "[{\"foo\"}, {\"fo\", \"x\"}]", "true"},
    {"strings.any_prefix_match", "[[], [\"a\"]]", "false"},
    {"strings.any_prefix_match", "[\"abc\", []]", "false"},
    {"strings.any_prefix_match", "[\"abc\", \"\"]", "true"},
    {"strings.any_prefix_match", "[[\"ab\", \"abd\", \"b\"], [\"abc\", \"ba\"]]", "false"},
    {"strings.any_prefix_match", "[[\"ab\", \"abd\", \"b\"], [\"abd\"]]", "true"},
    {"strings.any_prefix_match", "[{1}, \"a\"]",
     TE "strings.any_prefix_match: operand 1 must be set of strings but got set containing number"},
    {"strings.replace_n", "[{}, \"abc\"]", "\"abc\""},
    {"strings.replace_n", "[{\"\": \"-\"}, \"ab\"]", "\"-a-b-\""},
    {"strings.replace_n", "[{\"\": \"-\", \"a\": \"A\"}, \"ab\"]", "\"-A-b-\""},
    {"strings.replace_n", "[{\"aa\": \"X\", \"a\": \"Y\"}, \"aaa\"]", "\"YYY\""},
    {"strings.replace_n", "[{\"abc\": \"1\", \"bcd\": \"2\", \"c\": \"3\"}, \"abcd\"]", "\"1d\""},
    {"strings.replace_n", "[{\"abc\": \"1\", \"bcd\": \"2\", \"c\": \"3\"}, \"xbcd\"]", "\"x2\""},
    {"strings.replace_n", "[{\"b\": \"B\", \"bcd\": \"X\"}, \"abcd\"]", "\"aBcd\""},
    {"strings.replace_n", "[{\"ab\": \"2\", \"b\": \"3\"}, \"abab\"]", "\"22\""},
    {"strings.replace_n", "[{\"aab\": \"X\"}, \"aaab\"]", "\"aX\""},
    {"strings.replace_n", "[{\"a\": \"1\", \"b\": \"22\"}, \"abba\"]", "\"122221\""},
    {"strings.replace_n", "[{\"a\": 1, 2: \"x\"}, \"a\"]",
     TE "strings.replace_n: operand 1 non-string key found in pattern object"},
    {"strings.replace_n", "[{\"a\": 1, [2]: \"x\"}, \"a\"]",
     TE "strings.replace_n: operand 1 non-string value found in pattern object"},
    {"strings.replace_n", "[[], \"a\"]", TE "strings.replace_n: operand 1 must be object but got array"},
};

/* ---- cases: sprintf against Go's fmt ------------------------------------------ */

#define BIG "123456789012345678901234567890"

static const bt_case sprintf_cases[] = {
    {"sprintf", "[\"%d\", [\"x\"]]", "\"%!d(string=x)\""},
    {"sprintf", "[\"%s\", [5]]", "\"%!s(int=5)\""},
    {"sprintf", "[\"%d %d\", [1]]", "\"1 %!d(MISSING)\""},
    {"sprintf", "[\"%d\", [1, 2, \"a\"]]", "\"1%!(EXTRA int=2, string=a)\""},
    {"sprintf", "[\"%\", []]", "\"%!(NOVERB)\""},
    {"sprintf", "[\"%%|%5%\", []]", "\"%|%\""},
    {"sprintf", "[\"%d\", []]", "\"%!d(MISSING)\""},
    {"sprintf", "[\"%!\", [1]]", "\"%!!(int=1)\""},
    {"sprintf", "[\"%\\u00e9\", [1]]", "\"%!\\u00e9(int=1)\""},
    {"sprintf", "[\"%5d|%-5d|%05d\", [42, 42, 42]]", "\"   42|42   |00042\""},
    {"sprintf", "[\"%+d|% d|%+d\", [5, 5, -5]]", "\"+5| 5|-5\""},
    {"sprintf", "[\"%x %X %o %b %O\", [255, 255, 8, 5, 8]]", "\"ff FF 10 101 0o10\""},
    {"sprintf", "[\"%#x %#X %#o %#b\", [255, 255, 8, 5]]", "\"0xff 0XFF 010 0b101\""},
    {"sprintf", "[\"%x|%d\", [-255, -9223372036854775808]]", "\"-ff|-9223372036854775808\""},
    {"sprintf", "[\"%c|%q|%U|%#U\", [65, 65, 65, 128512]]",
     "\"A|'A'|U+0041|U+1F600 '\\ud83d\\ude00'\""},
    {"sprintf", "[\"%c|%q\", [-1, 1114112]]", "\"\\ufffd|'\\ufffd'\""},
    {"sprintf", "[\"%q|%+q\", [10, 233]]", "\"'\\\\n'|'\\\\u00e9'\""},
    {"sprintf", "[\"%.3d|%8.3d|%.0d|%5.0d|\", [7, 7, 0, 0]]", "\"007|     007||     |\""},
    {"sprintf", "[\"%08.3d|%-08d|%+05d\", [7, 7, 7]]", "\"     007|7       |+0007\""},
    {"sprintf", "[\"%x\", [\"hi\"]]", "\"6869\""},
    {"sprintf", "[\"% x|%#x|% #X|%X\", [\"hi\", \"hi\", \"hi\", \"\\xff\"]]", "\"68 69|0x6869|0X68 0X69|FF\""},
    {"sprintf", "[\"%.1x|%6x|%-6x|\", [\"hi\", \"hi\", \"hi\"]]", "\"68|  6869|6869  |\""},
    {"sprintf", "[\"%5s|%-5s|%.2s|%5.1s\", [\"ab\", \"ab\", \"abc\", \"h\\u00e9llo\"]]",
     "\"   ab|ab   |ab|    h\""},
    {"sprintf", "[\"%3s|%05s\", [\"\\u00e9\", \"ab\"]]", "\"  \\u00e9|000ab\""},
    {"sprintf", "[\"%q\", [\"a\\\"b\\n\"]]", "\"\\\"a\\\\\\\"b\\\\n\\\"\""},
    {"sprintf", "[\"%+q|%q\", [\"\\u00e9\", \"\\u00e9\"]]", "\"\\\"\\\\u00e9\\\"|\\\"\\u00e9\\\"\""},
    {"sprintf", "[\"%#q|%#q\", [\"ab\", \"a`b\"]]", "\"`ab`|\\\"a`b\\\"\""},
    {"sprintf", "[\"%q\", [\"\\u0001\\u007f\\u200b\\xff\"]]", "\"\\\"\\\\x01\\\\x7f\\\\u200b\\\\xff\\\"\""},
    {"sprintf", "[\"%q|%+q\", [\"\\ud83d\\ude00\\t\", \"\\ud83d\\ude00\"]]",
     "\"\\\"\\ud83d\\ude00\\\\t\\\"|\\\"\\\\U0001f600\\\"\""},
    {"sprintf", "[\"%f|%e|%E|%g|%G\", [3.5, 1234.5678, 1234.5678, 1234.5678, 1e-10]]",
     "\"3.500000|1.234568e+03|1.234568E+03|1234.5678|1E-10\""},
    {"sprintf", "[\"%v|%v|%v|%v|%v\", [1e6, 123456.5, 0.000001, 0.0001, 1e21]]",
     "\"1e+06|123456.5|1e-06|0.0001|1e+21\""},
    {"sprintf", "[\"%.3g|%.10g|%.2g|%.3g\", [1234.5678, 1234.5678, 100.0, 100.0]]",
     "\"1.23e+03|1234.5678|1e+02|100\""},
    {"sprintf", "[\"%8.2f|%-8.2f|%08.2f|%+.1f|%.0f|%.0f\", [3.14159, 3.14159, -3.14159, 2.25, 2.5, 3.5]]",
     "\"    3.14|3.14    |-0003.14|+2.2|2|4\""},
    {"sprintf", "[\"% f|%+e|%6.2v|\", [1.5, 1.5, 3.14159]]", "\" 1.500000|+1.500000e+00|   3.1|\""},
    {"sprintf", "[\"%x|%x|%X|%.1x|%b|%x\", [1.0, 3.0, 0.5, 1.96875, 1.0, 3.5]]",
     "\"0x1p+00|0x1.8p+01|0X1P-01|0x1.0p+01|4503599627370496p-52|0x1.cp+01\""},
    {"sprintf", "[\"%#g|%#.3g|%#.0f|%#e|%#v\", [1.0, 1.0, 1.0, 1.0, 1.0]]",
     "\"1.00000|1.00|1.|1.000000e+00|1\""},
    {"sprintf", "[\"%e|%g|%v|%v|%v\", [0.0, 0.0, 100000.0, 1e-320, -0.0]]",
     "\"0.000000e+00|0|100000|1e-320|-0\""},
    {"sprintf", "[\"%d|%d|%s|%v\", [1.5, 3.0, 1.5, 2.5e-7]]",
     "\"%!d(float64=1.5)|%!d(float64=3)|%!s(float64=1.5)|2.5e-07\""},
    {"sprintf", "[\"%5d|\", [\"ab\"]]", "\"%!d(string=   ab)|\""},
    {"sprintf", "[\"%t|%t\", [true, 1]]", "\"%!t(string=true)|%!t(int=1)\""},
    {"sprintf", "[\"%v|%v|%v|%s\", [null, {\"a\": [1, {\"b\"}]}, set(), {\"b\": 1, \"a\": \"x\"}]]",
     "\"null|{\\\"a\\\": [1, {\\\"b\\\"}]}|set()|{\\\"a\\\": \\\"x\\\", \\\"b\\\": 1}\""},
    {"sprintf", "[\"%v|%v\", [[\"a\\\"b\"], {1: 2}]]", "\"[\\\"a\\\\\\\"b\\\"]|{1: 2}\""},
    {"sprintf", "[\"%d|%x|%o|%+d|%#x|%X\", [" BIG ", " BIG ", " BIG ", " BIG ", " BIG ", " BIG "]]",
     "\"" BIG "|18ee90ff6c373e0ee4e3f0ad2|143564417755415637016711617605322|+" BIG
     "|0x18ee90ff6c373e0ee4e3f0ad2|18EE90FF6C373E0EE4E3F0AD2\""},
    {"sprintf", "[\"%32d|%-32d|%032d|%.32d\", [" BIG ", " BIG ", " BIG ", " BIG "]]",
     "\"  " BIG "|" BIG "  |00" BIG "|00" BIG "\""},
    {"sprintf", "[\"%f|%v|%s|%T|%+v\", [" BIG ", " BIG ", " BIG ", " BIG ", " BIG "]]",
     "\"%!f(big.Int=" BIG ")|" BIG "|" BIG "|*big.Int|+" BIG "\""},
    {"sprintf", "[\"%d\", [-" BIG "]]", "\"-" BIG "\""},
    {"sprintf", "[\"%[2]d %[1]d\", [1, 2]]", "\"2 1\""},
    {"sprintf", "[\"%[3]d\", [1, 2]]", "\"%!d(BADINDEX)\""},
    {"sprintf", "[\"%[2]d %d\", [1, 2]]", "\"2 %!d(MISSING)\""},
    {"sprintf", "[\"%[1]d %[1]x\", [255]]", "\"255 ff\""},
    {"sprintf", "[\"%[0]d|%[x]d\", [1]]", "\"%!d(BADINDEX)|%!d(BADINDEX)\""},
    {"sprintf", "[\"%*d|%-*d|%*d|%.*f\", [5, 42, 5, 42, -5, 42, 2, 3.14159]]", "\"   42|42   |42   |3.14\""},
    {"sprintf", "[\"%*d\", [\"x\", 42]]", "\"%!(BADWIDTH)42\""},
    {"sprintf", "[\"%.*d\", [-1, 42]]", "\"%!(BADPREC)42\""},
    {"sprintf", "[\"%T %T %T %T %T\", [1, 1.5, \"s\", [1], true]]", "\"int float64 string string string\""},
    {"sprintf", "[\"%.2T|%p|%w\", [1, 1, \"e\"]]", "\"in|%!p(int=1)|%!w(string=e)\""},
    {"sprintf", "[\"%.2147483648d\", [1]]", "\"%!(NOVERB)%!(EXTRA int=1)\""},
    {"sprintf", "[\"%d|%s|%v\", [9223372036854775807, \"\", \"x\"]]", "\"9223372036854775807||x\""},
    {"sprintf", "[1, []]", TE "sprintf: operand 1 must be string but got number"},
    {"sprintf", "[\"%s\", {1}]", TE "sprintf: operand 2 must be array but got set"},
    {"sprintf", "[\"%s\", \"x\"]", TE "sprintf: operand 2 must be array but got string"},
};

/* ---- cases: strings.render_template (Go text/template) ---------------------- */

#define RT "strings.render_template"
#define RTE BE "strings.render_template: template: template:"

static const bt_case template_cases[] = {
    /* OPA's own test cases (test/cases/testdata/v1/rendertemplate) */
    {RT, "[\"{{.test}}\", {\"test\": \"hello world\"}]", "\"hello world\""},
    {RT, "[\"{{.test}}\", {\"test\": 2023}]", "\"2023\""},
    {RT, "[\"{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}\", "
         "{\"hellonames\": [\"rohan\", \"john doe\"]}]", "\"hello rohan,hello john doe\""},
    {RT, "[\"{{.testvarnotprovided}}\", {\"test\": \"hello world\"}]",
     RTE "1:2: executing \"template\" at <.testvarnotprovided>: map has no entry for key "
         "\"testvarnotprovided\""},
    /* text, trim markers, comments */
    {RT, "[\"a {{- \\\" b \\\" -}} c\", {}]", "\"a b c\""},
    {RT, "[\"{{/* comment */}}x{{- /* c2 */ -}}  y\", {}]", "\"xy\""},
    {RT, "[\"{{- 1 -}}\", {}]", "\"1\""},
    {RT, "[\"{{/* c */ }}\", {}]", RTE "1: comment ends before closing delimiter"},
    {RT, "[\"{{/* c\", {}]", RTE "1: unclosed comment"},
    /* truth: a json.Number is a non-empty string */
    {RT, "[\"{{if .a}}yes{{else}}no{{end}}\", {\"a\": false}]", "\"no\""},
    {RT, "[\"{{if .a}}yes{{else}}no{{end}}\", {\"a\": 0}]", "\"yes\""},
    {RT, "[\"{{if .a}}yes{{else}}no{{end}}\", {\"a\": \"\"}]", "\"no\""},
    {RT, "[\"{{if .a}}yes{{else}}no{{end}}\", {\"a\": []}]", "\"no\""},
    {RT, "[\"{{if .a}}yes{{else}}no{{end}}\", {\"a\": null}]", "\"no\""},
    {RT, "[\"{{if .a}}yes{{else}}no{{end}}\", {\"a\": {\"k\": 1}}]", "\"yes\""},
    {RT, "[\"{{if eq .a \\\"x\\\"}}1{{else if eq .a \\\"y\\\"}}2{{else}}3{{end}}\", {\"a\": \"y\"}]", "\"2\""},
    {RT, "[\"{{if eq .a \\\"x\\\"}}1{{else if eq .a \\\"y\\\"}}2{{else}}3{{end}}\", {\"a\": \"z\"}]", "\"3\""},
    /* range, with, variables, break, continue */
    {RT, "[\"{{range .m}}{{.}};{{end}}\", {\"m\": {\"b\": 2, \"a\": 1}}]", "\"1;2;\""},
    {RT, "[\"{{range $k, $v := .m}}{{$k}}={{$v}} {{end}}\", {\"m\": {\"b\": 2, \"a\": 1}}]", "\"a=1 b=2 \""},
    {RT, "[\"{{range .xs}}{{.}}{{else}}empty{{end}}\", {\"xs\": []}]", "\"empty\""},
    {RT, "[\"{{range $i, $e := .xs}}{{if eq $i 1}}{{break}}{{end}}{{$e}}{{end}}\", "
         "{\"xs\": [\"a\", \"b\", \"c\"]}]", "\"a\""},
    {RT, "[\"{{range .xs}}{{if eq . \\\"b\\\"}}{{continue}}{{end}}{{.}}{{end}}\", "
         "{\"xs\": [\"a\", \"b\", \"c\"]}]", "\"ac\""},
    {RT, "[\"{{range 3}}{{.}}{{end}}\", {}]", "\"012\""},
    {RT, "[\"{{with .a}}{{.b}}{{end}}\", {\"a\": {\"b\": \"c\"}}]", "\"c\""},
    {RT, "[\"{{with .a}}{{.}}{{else}}none{{end}}\", {\"a\": \"\"}]", "\"none\""},
    {RT, "[\"{{with $x := .a}}{{$x}}{{end}}\", {\"a\": \"v\"}]", "\"v\""},
    {RT, "[\"{{$x := \\\"v\\\"}}{{$x}}{{$x = \\\"w\\\"}}{{$x}}\", {}]", "\"vw\""},
    {RT, "[\"{{range .xs}}{{$.t}}{{end}}\", {\"xs\": [1, 2], \"t\": \"T\"}]", "\"TT\""},
    {RT, "[\"{{break}}\", {}]", RTE "1: {{break}} outside {{range}}"},
    /* printing Go values */
    {RT, "[\"{{.a}}\", {\"a\": [1, \"x\", null, {\"k\": true}]}]", "\"[1 x <nil> map[k:true]]\""},
    {RT, "[\"{{.a}}|{{.b}}\", {\"a\": null, \"b\": 1.5}]", "\"<no value>|1.5\""},
    {RT, "[\"{{.}}\", {\"b\": 1, \"a\": [true]}]", "\"map[a:[true] b:1]\""},
    {RT, "[\"{{'a'}} {{`a\\\\nb`}} {{\\\"a\\\\tb\\\"}} {{1.5}} {{0x10}} {{true}}\", {}]",
     "\"97 a\\\\nb a\\tb 1.5 16 true\""},
    /* functions and pipelines */
    {RT, "[\"{{len .a}} {{index .a 1}} {{index .m \\\"k\\\"}} {{.s | len}}\", "
         "{\"a\": [1, 2, 3], \"m\": {\"k\": \"v\"}, \"s\": \"abc\"}]", "\"3 2 v 3\""},
    {RT, "[\"{{not .a}} {{and 1 0}} {{or 0 \\\"\\\" \\\"z\\\"}}\", {\"a\": true}]", "\"false 0 z\""},
    {RT, "[\"{{print 1 2 \\\"a\\\" \\\"b\\\" 3}}|{{println \\\"a\\\" 1}}\", {}]", "\"1 2ab3|a 1\\n\""},
    {RT, "[\"{{eq .a \\\"1\\\"}} {{lt 1 2}} {{le 2 2}} {{gt \\\"b\\\" \\\"a\\\"}} {{ge 1.5 2.5}} {{ne true false}}\", "
         "{\"a\": 1}]", "\"true true true true false true\""},
    {RT, "[\"{{(index .a 0).b}}\", {\"a\": [{\"b\": \"c\"}]}]", "\"c\""},
    /* execution errors */
    {RT, "[\"{{.a.b}}\", {\"a\": \"x\"}]",
     RTE "1:2: executing \"template\" at <.a.b>: can't evaluate field b in type interface {}"},
    {RT, "[\"{{.a.b}}\", {\"a\": null}]",
     RTE "1:2: executing \"template\" at <.a.b>: nil pointer evaluating interface {}.b"},
    {RT, "[\"x\\n {{index .a 5}}\", {\"a\": [1]}]",
     RTE "2:3: executing \"template\" at <index .a 5>: error calling index: index out of range: 5"},
    {RT, "[\"{{eq .a 1}}\", {\"a\": 1}]",
     RTE "1:2: executing \"template\" at <eq .a 1>: error calling eq: incompatible types for comparison"},
    {RT, "[\"{{range .a}}{{end}}\", {\"a\": \"s\"}]",
     RTE "1:8: executing \"template\" at <.a>: range can't iterate over s"},
    /* parse errors */
    {RT, "[\"{{foo}}\", {}]", RTE "1: function \"foo\" not defined"},
    {RT, "[\"{{printf \\\"%d\\\" 1}}\", {}]", RTE "1: function printf is not supported by rampart"},
    {RT, "[\"{{define \\\"x\\\"}}{{end}}\", {}]", RTE "1: {{define}} is not supported by rampart"},
    {RT, "[\"a\\n{{if .a}}\", {}]", RTE "2: unexpected EOF"},
    {RT, "[\"{{end}}\", {}]", RTE "1: unexpected {{end}}"},
    {RT, "[\"{{$y}}\", {}]", RTE "1: undefined variable \"$y\""},
    {RT, "[\"{{.a\", {}]", RTE "1: unclosed action"},
    {RT, "[\"{{if}}{{end}}\", {}]", RTE "1: missing value for if"},
    {RT, "[\"{{\\\"a\\\" | \\\"b\\\"}}\", {}]", RTE "1: non executable command in pipeline stage 2"},
    {RT, "[\"{{@}}\", {}]", RTE "1: unexpected \"@\" in command"},
    /* the vars go through JSON as OPA's ast.As does */
    {RT, "[\"x\", {\"x\": {1, 2}}]",
     BE "strings.render_template: invalid character '1' looking for beginning of object key string"},
    {RT, "[\"x\", {\"x\": set()}]",
     BE "strings.render_template: invalid character 's' looking for beginning of value"},
    {RT, "[\"x\", {\"x\": {\"a\"}}]", BE "strings.render_template: invalid character '}' after object key"},
    {RT, "[\"x\", {\"x\": [{\"a\", \"b\"}]}]",
     BE "strings.render_template: invalid character ',' after object key"},
    {RT, "[\"x\", {\"x\": \"\\u0001\"}]",
     BE "strings.render_template: invalid character 'x' in string escape code"},
    {RT, "[\"x\", {1: \"a\"}]",
     BE "strings.render_template: invalid character '1' looking for beginning of object key string"},
    {RT, "[1, {}]", TE "strings.render_template: operand 1 must be string but got number"},
    {RT, "[\"\", []]", TE "strings.render_template: operand 2 must be object but got array"},
};

/* ---- limits and inputs built in code ----------------------------------------- */

static rego_value big_string(rp_arena *a, char c, size_t n)
{
    rego_value v;
    char *p = rego_str_alloc(a, n, &v);
    memset(p, c, n);
    return v;
}

static void test_limits(void)
{
    rp_arena *a = rp_arena_new(1u << 30);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rp_error err = {0};
    rego_value out;
    /* Go's widest width is ~10^7: accepted, and far below the output cap. */
    T_CHECK(bt_invoke_text(&ev, a, "sprintf", "[\"%9999999d\", [1]]", &out, &err) == RP_OK &&
            out.n == 9999999);
    T_CHECK(bt_invoke_text(&ev, a, "sprintf", "[\"%9999999d%9999999d\", [1, 2]]", &out, &err) ==
                RP_ERR_LIMIT &&
            err.kind == RP_EK_EVAL_CANCEL);
    T_STREQ(err.msg, "sprintf: output would exceed 16777216 bytes");
    rp_error_clear(&err);
    /* A small pattern object and input cannot build more than the cap. */
    rego_value args[3] = {big_string(a, 'a', 1000), rego_str(a, "", 0), big_string(a, 'x', 2u << 20)};
    T_CHECK(bt_invoke(&ev, "replace", args, &out, &err) == RP_ERR_LIMIT);
    T_STREQ(err.msg, "replace: result would exceed 1073741824 bytes");
    rp_error_clear(&err);
    /* Quadratic inputs for a naive replacer: linear here. */
    rego_objent ent = {big_string(a, 'a', 100000), rego_str(a, "X", 1)};
    char *k = (char *)ent.key.u.s;
    k[99999] = 'b';
    rego_value pat = rego_object_from(a, &ent, 1);
    rego_value rn[2] = {pat, big_string(a, 'a', 200000)};
    T_CHECK(bt_invoke(&ev, "strings.replace_n", rn, &out, &err) == RP_OK && out.n == 200000);
    rego_value ix[2] = {big_string(a, 'a', 200000), ent.key};
    T_CHECK(bt_invoke(&ev, "indexof", ix, &out, &err) == RP_OK && out.u.i == -1);
    /* Nested ranges that print nothing still count as work. */
    rego_value nums[64];
    for (int i = 0; i < 64; i++)
        nums[i] = rego_int(i);
    rego_objent va = {rego_str(a, "a", 1), rego_array_borrow(nums, 64)};
    rego_value rt[2] = {rego_cstr(a, "{{range .a}}{{range $.a}}{{range $.a}}{{range $.a}}{{end}}"
                                     "{{end}}{{end}}{{end}}"),
                        rego_object_from(a, &va, 1)};
    rp_error_clear(&err);
    T_CHECK(bt_invoke(&ev, "strings.render_template", rt, &out, &err) == RP_ERR_LIMIT);
    rt[0] = rego_cstr(a, "{{range .a}}{{range $.a}}{{range $.a}}{{end}}{{end}}{{end}}");
    rp_error_clear(&err);
    T_CHECK(bt_invoke(&ev, "strings.render_template", rt, &out, &err) == RP_OK && out.n == 0);
    /* Template nesting is bounded. */
    rp_buf deep;
    rp_buf_init(&deep);
    for (int i = 0; i <= REGO_TEMPLATE_MAX_DEPTH; i++)
        rp_buf_puts(&deep, "{{if 1}}");
    rt[0] = rego_str(a, deep.data, deep.len);
    rp_buf_free(&deep);
    rp_error_clear(&err);
    T_CHECK(bt_invoke(&ev, "strings.render_template", rt, &out, &err) == RP_ERR_EVAL);
    T_STREQ(err.msg, "strings.render_template: template: template:1: nesting deeper than 100");
    rp_arena_free(a);
}

/* A direct reference, so the static library's strings.o is linked in (the
 * registry only refers to the table weakly). */
REGO_BUILTIN_GROUP(strings);

int main(void)
{
    T_CHECK(rego_builtins_strings[0].name != NULL);
    BT_RUN_VALUE(conformance);
    BT_RUN_VALUE(strings_cases);
    BT_RUN_VALUE(sprintf_cases);
    BT_RUN_VALUE(template_cases);
    test_limits();
    return T_DONE();
}
