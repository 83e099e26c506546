/*
 * test_bi_regex.c — the regex builtin group (regex.match, re_match,
 * regex.is_valid, regex.find_n, regex.find_all_string_submatch_n,
 * regex.split, regex.replace, regex.template_match, regex.globs_match) and
 * the RE2 shim under it: results and OPA's exact error texts, one table line
 * per call; the pattern cache's bounds and sharing across threads; and
 * linear time on pathological input, measured against a baseline in the
 * same run.
 *
 * Tables are bi_table.h's, run with BT_RUN_JSON: {builtin, arguments as a
 * JSON array, expected}, the expected text being the result as compact JSON,
 * or "!<kind>:<message>" for an error, kind being type (eval_type_error) or
 * builtin (eval_builtin_error).  Cases marked "conf:" mirror OPA's
 * conformance cases (shared/conformance/opa/given/regex*, globsmatch).
 * Expected values were produced by Go's regexp (the engine OPA runs on; Go
 * 1.22+ for (?<name>)) and by OPA's glob-intersection v0.2.0, not written
 * by hand.
 */
#include <pthread.h>

#include "bi_table.h"
#include "rego/limits.h"
#include "rego/re2_shim.h"
#include "t_linear.h"

/* The group tables are weak references in the registry: name them so the
 * linker takes regex.o and glob.o from the library. */
REGO_BUILTIN_GROUP(regex);
const rego_builtin *const force_link_regex = rego_builtins_regex;

static rp_arena *A;

/* ---- tables (expected values from Go's regexp / glob-intersection) ---------- */

static const bt_case match_cases[] = {
    {"regex.match", "[\"^[a-z]+\\\\[[0-9]+\\\\]$\", \"foo[1]\"]", "true"}, /* conf: regexmatch/regex.match */
    {"re_match", "[\"^[a-z]+\\\\[[0-9]+\\\\]$\", \"foo[1]\"]", "true"}, /* conf: regexmatch/re_match */
    {"re_match", "[\"^[a-z]+\\\\[[0-9]+\\\\]$\", \"foo[\\\"bar\\\"]\"]", "false"}, /* conf: regexmatch/re_match: undefined */
    {"re_match", "[\"^b.*$\", \"bar\"]", "true"}, /* conf: regexmatch/re_match: ref */
    {"re_match", "[\"^b.*$\", \"baz\"]", "true"},
    {"regex.match", "[\"\", \"\"]", "true"},
    {"regex.match", "[\"a\", \"\"]", "false"},
    {"regex.match", "[\"^$\", \"\"]", "true"},
    {"regex.match", "[\"a|b\", \"xbx\"]", "true"},
    {"regex.match", "[\"^abc$\", \"abc\\n\"]", "false"}, /* $ is end of text, as in Go */
    {"regex.match", "[\"(?m)^b$\", \"a\\nb\\nc\"]", "true"},
    {"regex.match", "[\"a.c\", \"a\\nc\"]", "false"},
    {"regex.match", "[\"(?s)a.c\", \"a\\nc\"]", "true"},
    {"regex.match", "[\"[^a]\", \"\\n\"]", "true"},
    {"regex.match", "[\"(?i)ÉCOLE\", \"école\"]", "true"},
    {"regex.match", "[\"\\\\pL+\", \"日本\"]", "true"},
    {"regex.match", "[\"\\\\p{Greek}\", \"α\"]", "true"},
    {"regex.match", "[\"\\\\bfoo\\\\b\", \"a foo b\"]", "true"},
    {"regex.match", "[\"\\\\Bfoo\", \"a foo\"]", "false"},
    {"regex.match", "[\"\\\\B\", \"aéa\"]", "false"}, /* Go steps by rune: no \B inside é */
    {"regex.match", "[\"\\\\B\", \"é\"]", "true"},
    {"regex.match", "[\"\\\\Q.*\\\\E\", \"a.*b\"]", "true"},
    {"regex.match", "[\"\\\\Q.*\\\\E\", \"ab\"]", "false"},
    {"regex.match", "[\"x{2,3}\", \"axxb\"]", "true"},
    {"regex.match", "[\"(?U)a+\", \"aaa\"]", "true"},
    {"regex.match", "[\"\\\\x{65e5}\", \"日\"]", "true"},
    {"regex.match", "[\"[[:digit:]]\", \"x9\"]", "true"},
    {"regex.match", "[\"(?P<year>\\\\d{4})\", \"in 2024\"]", "true"},
    {"regex.match", "[\"(?<year>\\\\d{4})\", \"in 2024\"]", "true"}, /* Go 1.22+ named group */
    {"regex.match", "[\"a\\u0000b\", \"a\\u0000b\"]", "true"},
    {"regex.match", "[\"[\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing closing ]: `[`"},
    {"regex.match", "[\"(\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing closing ): `(`"},
    {"regex.match", "[\")\", \"x\"]", "!builtin:regex.match: error parsing regexp: unexpected ): `)`"},
    {"regex.match", "[\"a)\", \"x\"]", "!builtin:regex.match: error parsing regexp: unexpected ): `a)`"},
    {"regex.match", "[\"x{2}{3}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid nested repetition operator: `{2}{3}`"},
    {"regex.match", "[\"a**\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid nested repetition operator: `**`"},
    {"regex.match", "[\"a++\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid nested repetition operator: `++`"},
    {"regex.match", "[\"*\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing argument to repetition operator: `*`"},
    {"regex.match", "[\"+a\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing argument to repetition operator: `+`"},
    {"regex.match", "[\"a{1001}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid repeat count: `{1001}`"},
    {"regex.match", "[\"(a{1000}){1000}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid repeat count: `{1000}`"},
    {"regex.match", "[\"a{2,1}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid repeat count: `{2,1}`"},
    {"regex.match", "[\"[z-a]\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid character class range: `z-a`"},
    {"regex.match", "[\"\\\\\", \"x\"]", "!builtin:regex.match: error parsing regexp: trailing backslash at end of expression: ``"},
    {"regex.match", "[\"\\\\8\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\8`"},
    {"regex.match", "[\"\\\\C\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\C`"},
    {"regex.match", "[\"\\\\Z\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\Z`"},
    {"regex.match", "[\"\\\\pX\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid character class range: `\\pX`"},
    {"regex.match", "[\"\\\\p{Foo}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid character class range: `\\p{Foo}`"},
    {"regex.match", "[\"[[:foo:]]\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid character class range: `[:foo:]`"},
    {"regex.match", "[\"(?z)\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid or unsupported Perl syntax: `(?z`"},
    {"regex.match", "[\"(?<=a)b\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid or unsupported Perl syntax: `(?<`"},
    {"regex.match", "[\"(?!a)\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
    {"regex.match", "[\"(?P<n!>a)\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid named capture: `(?P<n!>`"},
    {"regex.match", "[\"(?P<>a)\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid named capture: `(?P<>`"},
    {"regex.match", "[\"(?P=n)\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid or unsupported Perl syntax: `(?P`"},
    {"regex.match", "[\"[a\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing closing ]: `[a`"},
    {"regex.match", "[\"(a\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing closing ): `(a`"},
    {"regex.match", "[\"(a))b\", \"x\"]", "!builtin:regex.match: error parsing regexp: unexpected ): `(a))b`"},
    {"regex.match", "[\"x(\", \"x\"]", "!builtin:regex.match: error parsing regexp: missing closing ): `x(`"},
    {"regex.match", "[\"\\\\Ca)\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\C`"}, /* \C before an unexpected ) */
    {"regex.match", "[\"(\\\\C\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\C`"}, /* \C before a missing ) */
    {"regex.match", "[\"a**\\\\C\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid nested repetition operator: `**`"}, /* an earlier error wins over \C */
    {"regex.match", "[\"\\\\Q\\\\C\\\\E\", \"\\\\C\"]", "true"}, /* \C is literal inside \Q...\E */
    {"regex.match", "[\"[\\\\C]\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\C`"},
    {"regex.match", "[\"\\\\x{110000}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid escape sequence: `\\x{110000`"},
    {"regex.match", "[\"[\\\\d-z]\", \"x\"]", "false"},
    {"regex.match", "[\"x{1000000}\", \"x\"]", "!builtin:regex.match: error parsing regexp: invalid repeat count: `{1000000}`"},
};

static const bt_case valid_cases[] = {
    {"regex.is_valid", "[\"++\"]", "false"}, /* conf: regexisvalid/bad pattern */
    {"regex.is_valid", "[\".+\"]", "true"}, /* conf: regexisvalid/good pattern */
    {"regex.is_valid", "[\"\"]", "true"},
    {"regex.is_valid", "[\"(?P<n>a)(?P<m>b)\"]", "true"},
    {"regex.is_valid", "[\"\\\\C\"]", "false"},
    {"regex.is_valid", "[\"a{1000}\"]", "true"},
    {"regex.is_valid", "[\"[[:alpha:]]\"]", "true"},
};

static const bt_case find_cases[] = {
    {"regex.find_n", "[\"a.\", \"paranormal\", -1]", "[\"ar\",\"an\",\"al\"]"}, /* conf: regexfind/finds all match values */
    {"regex.find_n", "[\"bork\", \"paranormal\", -1]", "[]"}, /* conf: regexfind/finds no matching values */
    {"regex.find_n", "[\"a.\", \"paranormal\", 0]", "[]"},
    {"regex.find_n", "[\"a.\", \"paranormal\", 1]", "[\"ar\"]"},
    {"regex.find_n", "[\"a.\", \"paranormal\", 2]", "[\"ar\",\"an\"]"},
    {"regex.find_n", "[\"a.\", \"paranormal\", 10]", "[\"ar\",\"an\",\"al\"]"},
    {"regex.find_n", "[\"a.\", \"paranormal\", -5]", "[\"ar\",\"an\",\"al\"]"},
    {"regex.find_n", "[\"x*\", \"abc\", -1]", "[\"\",\"\",\"\",\"\"]"}, /* empty matches at every rune */
    {"regex.find_n", "[\"x*\", \"\", -1]", "[\"\"]"},
    {"regex.find_n", "[\"a*\", \"baaab\", -1]", "[\"\",\"aaa\",\"\"]"}, /* no empty match right after a match */
    {"regex.find_n", "[\"\", \"日本\", -1]", "[\"\",\"\",\"\"]"},
    {"regex.find_n", "[\"\\\\b\", \"ab cd\", -1]", "[\"\",\"\",\"\",\"\"]"},
    {"regex.find_n", "[\"^a\", \"aaa\", -1]", "[\"a\"]"},
    {"regex.find_n", "[\"(?m)^.\", \"ab\\ncd\", -1]", "[\"a\",\"c\"]"},
    {"regex.find_n", "[\"a|ab\", \"abab\", -1]", "[\"a\",\"a\"]"}, /* leftmost-first, not longest */
    {"regex.find_n", "[\"\\\\B\", \"aéa\", -1]", "[]"},
    {"regex.find_n", "[\"[\", \"x\", -1]", "!builtin:regex.find_n: error parsing regexp: missing closing ]: `[`"},
};

static const bt_case submatch_cases[] = {
    {"regex.find_all_string_submatch_n", "[\"a(x*)b\", \"-\", -1]", "[]"}, /* conf: regexfindallstringsubmatch/finds no matches */
    {"regex.find_all_string_submatch_n", "[\"a(x*)b\", \"-ab-\", -1]", "[[\"ab\",\"\"]]"}, /* conf: single match without captures */
    {"regex.find_all_string_submatch_n", "[\"a(x*)b\", \"-axxb-\", -1]", "[[\"axxb\",\"xx\"]]"}, /* conf: single match with a capture */
    {"regex.find_all_string_submatch_n", "[\"a(x*)b\", \"-ab-axb-\", -1]", "[[\"ab\",\"\"],[\"axb\",\"x\"]]"}, /* conf: multiple matches with captures-1 */
    {"regex.find_all_string_submatch_n", "[\"a(x*)b\", \"-axxb-ab-\", -1]", "[[\"axxb\",\"xx\"],[\"ab\",\"\"]]"}, /* conf: multiple matches with captures-2 */
    {"regex.find_all_string_submatch_n", "[\"[^aouiye]([aouiye])([^aouiye])?\", \"somestri\", -1]", "[[\"som\",\"o\",\"m\"],[\"ri\",\"i\",\"\"]]"}, /* conf: multiple patterns, matches, and captures */
    {"regex.find_all_string_submatch_n", "[\"[^aouiye]([aouiye])([^aouiye])?\", \"somestri\", 1]", "[[\"som\",\"o\",\"m\"]]"}, /* conf: ... with specified number of matches */
    {"regex.find_all_string_submatch_n", "[\"(a)|(b)\", \"ab\", -1]", "[[\"a\",\"a\",\"\"],[\"b\",\"\",\"b\"]]"}, /* a group that did not take part is "" */
    {"regex.find_all_string_submatch_n", "[\"(?P<k>\\\\w+)=(?P<v>\\\\w*)\", \"a=1 b= c=3\", -1]", "[[\"a=1\",\"a\",\"1\"],[\"b=\",\"b\",\"\"],[\"c=3\",\"c\",\"3\"]]"},
    {"regex.find_all_string_submatch_n", "[\"x\", \"abc\", -1]", "[]"},
    {"regex.find_all_string_submatch_n", "[\"(x)*\", \"ab\", -1]", "[[\"\",\"\"],[\"\",\"\"],[\"\",\"\"]]"},
    {"regex.find_all_string_submatch_n", "[\"a(b(c))\", \"abcabc\", 0]", "[]"},
    {"regex.find_all_string_submatch_n", "[\"((((((((((a))))))))))\", \"a\", -1]", "[[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]]"}, /* more groups than the shim's small buffer */
};

static const bt_case split_cases[] = {
    {"regex.split", "[\"a\", \"banana\"]", "[\"b\",\"n\",\"n\",\"\"]"}, /* conf: regexsplit/non-repeat pattern */
    {"regex.split", "[\"z+\", \"pizza\"]", "[\"pi\",\"a\"]"}, /* conf: regexsplit/repeat pattern */
    {"regex.split", "[\"\", \"\"]", "[]"},
    {"regex.split", "[\"a\", \"\"]", "[\"\"]"},
    {"regex.split", "[\"\", \"abc\"]", "[\"a\",\"b\",\"c\"]"},
    {"regex.split", "[\"x*\", \"abc\"]", "[\"a\",\"b\",\"c\"]"},
    {"regex.split", "[\"a\", \"a\"]", "[\"\",\"\"]"},
    {"regex.split", "[\"a\", \"ba\"]", "[\"b\",\"\"]"},
    {"regex.split", "[\"a\", \"ab\"]", "[\"\",\"b\"]"},
    {"regex.split", "[\"a*\", \"baaac\"]", "[\"b\",\"c\"]"},
    {"regex.split", "[\",\", \"a,b,,c,\"]", "[\"a\",\"b\",\"\",\"c\",\"\"]"},
    {"regex.split", "[\"\\\\s+\", \" a  b \"]", "[\"\",\"a\",\"b\",\"\"]"},
    {"regex.split", "[\"\", \"日本\"]", "[\"日\",\"本\"]"},
    {"regex.split", "[\"\\\\B\", \"aéa\"]", "[\"aéa\"]"},
    {"regex.split", "[\"(\", \"x\"]", "!builtin:regex.split: error parsing regexp: missing closing ): `(`"},
};

static const bt_case replace_cases[] = {
    {"regex.replace", "[\"-wy-wxxy-\", \"w(x*)y\", \"0\"]", "\"-0-0-\""}, /* conf: regexreplace/test pattern match and replace */
    {"regex.replace", "[\"foo\", \"(foo)\", \"$1$1\"]", "\"foofoo\""}, /* conf: regexreplace/work with groups */
    {"regex.replace", "[\"foo\", \"[\", \"$1\"]", "!builtin:regex.replace: error parsing regexp: missing closing ]: `[`"}, /* conf: regexreplace/bad regex pattern: Syntax error (strict) */
    {"regex.replace", "[\"abc\", \"x*\", \"-\"]", "\"-a-b-c-\""}, /* empty matches */
    {"regex.replace", "[\"abc\", \"\", \"-\"]", "\"-a-b-c-\""},
    {"regex.replace", "[\"\", \"\", \"-\"]", "\"-\""},
    {"regex.replace", "[\"baaac\", \"a*\", \"-\"]", "\"-b-c-\""},
    {"regex.replace", "[\"aaa\", \"^a\", \"b\"]", "\"baa\""},
    {"regex.replace", "[\"abc\", \"b\", \"$0$0\"]", "\"abbc\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"$1x\"]", "\"ac\""}, /* $1x names group "1x": empty */
    {"regex.replace", "[\"abc\", \"(b)\", \"${1}x\"]", "\"abxc\""},
    {"regex.replace", "[\"abc\", \"(?P<n>b)\", \"[${n}]\"]", "\"a[b]c\""},
    {"regex.replace", "[\"abc\", \"(?P<n>b)\", \"[$n]\"]", "\"a[b]c\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"$$1\"]", "\"a$1c\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"$\"]", "\"a$c\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"${1\"]", "\"a${1c\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"$2\"]", "\"ac\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"$01\"]", "\"ac\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"${01}\"]", "\"ac\""},
    {"regex.replace", "[\"abc\", \"(b)\", \"$é\"]", "\"ac\""},
    {"regex.replace", "[\"abc\", \"(?P<é>b)\", \"<$é>\"]", "!builtin:regex.replace: error parsing regexp: invalid named capture: `(?P<é>`"},
    {"regex.replace", "[\"abc\", \"(b)\", \"$1234567890\"]", "\"ac\""},
    {"regex.replace", "[\"日本語\", \"本\", \"x\"]", "\"日x語\""},
    {"regex.replace", "[\"日本\", \"\", \"-\"]", "\"-日-本-\""},
    {"regex.replace", "[\"aéa\", \"\\\\B\", \"-\"]", "\"aéa\""},
    {"regex.replace", "[\"no change\", \"x\", \"y\"]", "\"no change\""},
};

static const bt_case template_cases[] = {
    {"regex.template_match", "[\"urn:foo:{.*}\", \"urn:foo:bar:baz\", \"{\", \"}\"]", "true"}, /* conf: regexmatchtemplate/matches wildcard with {} */
    {"regex.template_match", "[\"urn:foo:{.*}\", \"urn:foo:bar:baz\", \"<\", \">\"]", "false"},
    {"regex.template_match", "[\"urn:foo:<.*>\", \"urn:foo:bar:baz\", \"<\", \">\"]", "true"},
    {"regex.template_match", "[\"urn:foo.bar:<[0-9]{2}>\", \"urn:foo.bar:42\", \"<\", \">\"]", "true"},
    {"regex.template_match", "[\"urn:foo.bar:<[0-9]{2}>\", \"urn:fooxbar:42\", \"<\", \">\"]", "false"},
    {"regex.template_match", "[\"a{b{c}d}e\", \"abcde\", \"{\", \"}\"]", "false"},
    {"regex.template_match", "[\"{a\", \"a\", \"{\", \"}\"]", "!builtin:regex.template_match: unbalanced braces in \"{a\""},
    {"regex.template_match", "[\"a}\", \"a\", \"{\", \"}\"]", "!builtin:regex.template_match: unbalanced braces in \"a}\""},
    {"regex.template_match", "[\"{a\\n\\\"é\\u0001}x}\", \"a\", \"{\", \"}\"]", "!builtin:regex.template_match: unbalanced braces in \"{a\\n\\\"é\\x01}x}\""}, /* Go's %q quoting in the error */
    {"regex.template_match", "[\"x{[}\", \"x\", \"{\", \"}\"]", "!builtin:regex.template_match: error parsing regexp: missing closing ]: `[$`"},
    {"regex.template_match", "[\"x{(}{[}\", \"x\", \"{\", \"}\"]", "!builtin:regex.template_match: error parsing regexp: missing closing ): `^($`"},
    {"regex.template_match", "[\"x{a}\", \"xa\", \"{{\", \"}\"]", "!builtin:regex.template_match: start delimiter has to be exactly one character long but is 2 long"},
    {"regex.template_match", "[\"x{a}\", \"xa\", \"{\", \"\"]", "!builtin:regex.template_match: end delimiter has to be exactly one character long but is 1 long"},
    {"regex.template_match", "[\"x{a}\", \"xa\", \"\", \"}\"]", "!builtin:regex.template_match: start delimiter has to be exactly one character long but is 0 long"},
    {"regex.template_match", "[\"{a}\", \"a\", \"{\", \"{\"]", "!builtin:regex.template_match: unbalanced braces in \"{a}\""},
    {"regex.template_match", "[\"\", \"\", \"{\", \"}\"]", "true"},
    {"regex.template_match", "[\"\", \"x\", \"{\", \"}\"]", "false"},
};

static const bt_case globs_cases[] = {
    {"regex.globs_match", "[\"[a-z]+\", \"[0-9]*\"]", "false"}, /* conf: globsmatch/regex.globs_match */
    {"regex.globs_match", "[\"pqrs]\", \"[a-b]+\"]", "!builtin:regex.globs_match: input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid"}, /* conf: globsmatch/bad pattern err */
    {"regex.globs_match", "[\"b.*\", \"bar\"]", "true"}, /* conf: globsmatch/ref */
    {"regex.globs_match", "[\"b.*\", \"baz\"]", "true"},
    {"regex.globs_match", "[\"[a-z]+\\\\[[0-9]+\\\\]\", \"foo\\\\[1\\\\]\"]", "true"}, /* conf: globsmatch/raw */
    {"regex.globs_match", "[\"a.a.\", \".b.b\"]", "true"},
    {"regex.globs_match", "[\"abcd\", \"[a-d]*\"]", "true"},
    {"regex.globs_match", "[\"d*\", \"[abcd][abcd]\"]", "true"},
    {"regex.globs_match", "[\"[a-p]+\", \"[p-z]+\"]", "true"},
    {"regex.globs_match", "[\"abcd[a-c]z+\", \"abcd[b-d][yz]*\"]", "true"},
    {"regex.globs_match", "[\".*\\\\\\\\\", \".*\"]", "true"},
    {"regex.globs_match", "[\"mamama.*\", \"dadada.*\"]", "false"},
    {"regex.globs_match", "[\".*mamama\", \".*dadada\"]", "false"},
    {"regex.globs_match", "[\".xyz.\", \".*pqr.*\"]", "false"},
    {"regex.globs_match", "[\"[0-9]*\", \"\\\\*\"]", "false"},
    {"regex.globs_match", "[\".*.*.*.*.*.*.*.*.*.*.*.*.*.*.*\", \".*.*.*.*.*.*.*.*.*.*.*\"]", "true"},
    {"regex.globs_match", "[\"\", \"\"]", "true"},
    {"regex.globs_match", "[\"\", \"a\"]", "false"},
    {"regex.globs_match", "[\"a*b\", \"c*b\"]", "false"}, /* the library's heuristic says no (b is in both) */
    {"regex.globs_match", "[\"a+\", \"a+\"]", "true"},
    {"regex.globs_match", "[\"a+a*\", \"aa\"]", "true"},
    {"regex.globs_match", "[\"[]\", \".\"]", "true"},
    {"regex.globs_match", "[\"[]\", \"a\"]", "false"},
    {"regex.globs_match", "[\"[^]\", \"^\"]", "true"},
    {"regex.globs_match", "[\"é+\", \"[à-ê]\"]", "true"},
    {"regex.globs_match", "[\"*a\", \"a\"]", "!builtin:regex.globs_match: input:*a, pos:1, flag '*' must be preceded by a non-flag: the input provided is invalid"},
    {"regex.globs_match", "[\"a**\", \"a\"]", "!builtin:regex.globs_match: input:a**, pos:3, flag '*' must be preceded by a non-flag: the input provided is invalid"},
    {"regex.globs_match", "[\"a+*\", \"a\"]", "!builtin:regex.globs_match: input:a+*, pos:3, flag '*' must be preceded by a non-flag: the input provided is invalid"},
    {"regex.globs_match", "[\"a\\\\\", \"a\"]", "!builtin:regex.globs_match: input:a\\, pos:1, input ends with a \\ (escape) character: the input provided is invalid"},
    {"regex.globs_match", "[\"[a\", \"a\"]", "!builtin:regex.globs_match: input:[a, pos:2, found [ without matching ]: the input provided is invalid"},
    {"regex.globs_match", "[\"[-a]\", \"a\"]", "!builtin:regex.globs_match: input:[-a], pos:2, range character '-' must be preceded by a Unicode character: the input provided is invalid"},
    {"regex.globs_match", "[\"[a-]\", \"a\"]", "!builtin:regex.globs_match: input:[a-], pos:3, range character '-' must be followed by a Unicode character: the input provided is invalid"},
    {"regex.globs_match", "[\"[a-]]\", \"a\"]", "!builtin:regex.globs_match: input:[a-]], pos:4, range character '-' cannot be followed by a special symbol: the input provided is invalid"},
    {"regex.globs_match", "[\"[a--]\", \"a\"]", "!builtin:regex.globs_match: input:[a--], pos:4, range character '-' cannot be followed by a special symbol: the input provided is invalid"},
    {"regex.globs_match", "[\"[z-a]\", \"a\"]", "!builtin:regex.globs_match: input:[z-a], pos:4, range is out of order: 'a' comes before 'z' in Unicode: the input provided is invalid"},
    {"regex.globs_match", "[\"[a-c-e]\", \"a\"]", "!builtin:regex.globs_match: input:[a-c-e], pos:5, range character '-' must be preceded by a Unicode character: the input provided is invalid"},
    {"regex.globs_match", "[\"[a\\\\]]\", \"]\"]", "!builtin:regex.globs_match: input:], pos:1, set-close ']' with no preceding '[': the input provided is invalid"},
    {"regex.globs_match", "[\"[\\\\\", \"a\"]", "!builtin:regex.globs_match: input:[\\, pos:1, input ends with a \\ (escape) character: the input provided is invalid"},
    {"regex.globs_match", "[\"x\", \"[a-b\"]", "!builtin:regex.globs_match: input:[a-b, pos:3, range character '-' must be followed by a Unicode character: the input provided is invalid"},
    {"regex.globs_match", "[\"]\", \"x\"]", "!builtin:regex.globs_match: input:], pos:1, set-close ']' with no preceding '[': the input provided is invalid"},
};

/* Operand checks: OPA's StringOperand / IntOperand texts, in operand order. */
static const bt_case type_cases[] = {
    {"regex.match", "[1, \"a\"]", "!type:regex.match: operand 1 must be string but got number"},
    {"regex.match", "[\"a\", null]", "!type:regex.match: operand 2 must be string but got null"},
    {"regex.match", "[1, \"[\"]", "!type:regex.match: operand 1 must be string but got number"},
    {"re_match", "[\"a\", [\"a\"]]", "!type:re_match: operand 2 must be string but got array"},
    {"regex.is_valid", "[10]", "false"}, /* conf: regexisvalid/bad operand type */
    {"regex.is_valid", "[null]", "false"},
    {"regex.find_n", "[\"a\", \"b\", \"1\"]", "!type:regex.find_n: operand 3 must be number but got string"},
    {"regex.find_n", "[\"a\", \"b\", 1.5]",
     "!type:regex.find_n: operand 3 must be integer number but got floating-point number"},
    {"regex.find_n", "[\"[\", \"b\", 1.5]",
     "!type:regex.find_n: operand 3 must be integer number but got floating-point number"},
    {"regex.find_n", "[\"a\", \"aaa\", 2.0]", /* OPA reads 2.0 as written: not an int */
     "!type:regex.find_n: operand 3 must be integer number but got floating-point number"},
    {"regex.find_all_string_submatch_n", "[\"a\", \"b\", 1e30]",
     "!type:regex.find_all_string_submatch_n: operand 3 must be integer number but got floating-point number"},
    {"regex.find_all_string_submatch_n", "[\"a\", {}, 1]",
     "!type:regex.find_all_string_submatch_n: operand 2 must be string but got object"},
    {"regex.split", "[1, \"a\"]", "!type:regex.split: operand 1 must be string but got number"},
    {"regex.replace", "[\"a\", 1, \"b\"]", "!type:regex.replace: operand 2 must be string but got number"},
    {"regex.replace", "[\"a\", \"a\", false]", "!type:regex.replace: operand 3 must be string but got boolean"},
    {"regex.template_match", "[\"a\", \"b\", \"{\", 1]",
     "!type:regex.template_match: operand 4 must be string but got number"},
    {"regex.template_match", "[\"a\", \"b\", \"{{\", 1]",
     "!type:regex.template_match: operand 4 must be string but got number"},
    {"regex.globs_match", "[1, \"a\"]", "!type:regex.globs_match: operand 1 must be string but got number"},
    {"regex.globs_match", "[\"]\", 1]", "!type:regex.globs_match: operand 2 must be string but got number"},
};

static void test_registry(void)
{
    static const struct { const char *name; unsigned arity; bool deprecated; } want[] = {
        {"regex.match", 2, false}, {"re_match", 2, true}, {"regex.is_valid", 1, false},
        {"regex.find_n", 3, false}, {"regex.find_all_string_submatch_n", 3, false},
        {"regex.split", 2, false}, {"regex.replace", 3, false},
        {"regex.template_match", 4, false}, {"regex.globs_match", 2, false},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(want); i++) {
        const rego_builtin *bi = rego_builtin_find(want[i].name, strlen(want[i].name));
        T_CHECKM(bi && bi->arity == want[i].arity &&
                     !!(bi->flags & REGO_BI_DEPRECATED) == want[i].deprecated && bi->sig,
                 "registry entry %s", want[i].name);
    }
}

/* ---- linear time (t_linear.h) ---------------------------------------------- */

static bool work_match(const char *pat, const char *s, size_t n)
{
    rego_value args[2] = {rego_str_borrow(pat, strlen(pat)), rego_str_borrow(s, n)};
    return work_call("regex.match", args, REGO_BOOL);
}

static bool work_find(const char *pat, const char *s, size_t n)
{
    rego_value args[3] = {rego_str_borrow(pat, strlen(pat)), rego_str_borrow(s, n), rego_int(-1)};
    return work_call("regex.find_n", args, REGO_ARRAY);
}

/* regex.globs_match with the subject as the second glob. */
static bool work_globs(const char *glob, const char *s, size_t n)
{
    rego_value args[2] = {rego_str_borrow(glob, strlen(glob)), rego_str_borrow(s, n)};
    return work_call("regex.globs_match", args, REGO_BOOL);
}

static void test_linear(void)
{
    size_t n = 64 << 10; /* and 1 MiB */
    check_linear("(a*)*b over a's", work_match, "(a*)*b", 'a', n);
    check_linear("(x+x+)+y over x's", work_match, "(x+x+)+y", 'x', n);
    check_linear("(a|aa)*c over a's", work_match, "(a|aa)*c", 'a', n);
    check_linear("find_n x* over a's (a match per rune)", work_find, "x*", 'a', n / 4);
    check_linear("globs_match a* against a's", work_globs, "a*", 'a', n);
    check_linear("globs_match .*a*.*b against a's", work_globs, ".*a*.*b", 'a', n);

    /* A 1 MiB pathological pattern against 1 MiB of input: 100k nested
     * stars (a backtracker never returns) followed by literal text. */
    size_t pn = 1 << 20;
    char *pat = repeat('x', pn), *subj = repeat('a', pn);
    for (size_t i = 0; i < 200000; i += 2)
        memcpy(pat + i, "a*", 2);
    pat[200000] = 'b';
    double t0 = now();
    T_CHECK(work_match(pat, subj, pn));
    T_CHECKM(now() - t0 < 30.0, "1 MiB pattern took %.1fs", now() - t0);
    /* One operator too many for RE2's walkers: Go's "expression too large". */
    char *ops = repeat('a', 2 * REGO_REGEX_MAX_OPERATORS + 2);
    for (size_t i = 1; i < 2 * REGO_REGEX_MAX_OPERATORS + 2; i += 2)
        ops[i] = '*';
    char got[256];
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, A);
    rego_value args = rego_array_borrow((rego_value[]){rego_cstr(A, ops), rego_cstr(A, "a")}, 2);
    bt_call_values(&ev, "regex.match", args, REGO_FMT_JSON, got, sizeof(got));
    T_CHECKM(strncmp(got, "!builtin:regex.match: error parsing regexp: expression too large: `a*a*", 71) == 0,
             "%s", got);
    ops[2 * REGO_REGEX_MAX_OPERATORS] = '\0'; /* exactly at the limit */
    args = rego_array_borrow((rego_value[]){rego_cstr(A, ops), rego_cstr(A, "a")}, 2);
    bt_call_values(&ev, "regex.match", args, REGO_FMT_JSON, got, sizeof(got));
    T_STREQ(got, "true");
    free(ops);
    free(pat);
    free(subj);
}

/* glob-intersection's search is exponential in the flags; ours is
 * polynomial with a step budget. */
static void test_globs_bounds(void)
{
    char g1[400] = "", g2[200] = "";
    for (int i = 0; i < 30; i++)
        strcat(g1, ".*a*");
    strcat(g1, "b");
    memset(g2, 'a', 150);
    char args[700], got[512];
    snprintf(args, sizeof(args), "[\"%s\", \"%s\"]", g1, g2);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, A);
    double t0 = now();
    bt_call(&ev, "regex.globs_match", args, got, sizeof(got));
    T_STREQ(got, "false");
    T_CHECKM(now() - t0 < 5.0, "globs_match took %.2fs", now() - t0);

    /* Past the step budget: an error, not a hang.  No common suffix to
     * trim (b ends with a flag), so the search must cover ~2k x k nodes. */
    size_t k = 3000;
    char *a = malloc(4 * k + 2), *b = malloc(k + 3);
    for (size_t i = 0; i < k; i++)
        memcpy(a + 4 * i, ".*a*", 4);
    strcpy(a + 4 * k, "b");
    memset(b, 'a', k);
    strcpy(b + k, "c*");
    rego_value av[2] = {rego_cstr(A, a), rego_cstr(A, b)};
    rp_error err = {0};
    rego_value out;
    rp_status st = bt_invoke(&ev, "regex.globs_match", av, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && strstr(err.msg, "regex.globs_match: globs too complex"),
             "step budget: %d %s", st, err.msg);
    free(a);
    free(b);
}

/* ---- the cache ----------------------------------------------------------------- */

static void test_cache_bounds(void)
{
    rp_re_cache_clear();
    char pat[64], msg[128];
    for (int i = 0; i < 3 * REGO_REGEX_CACHE_MAX_ENTRIES; i++) {
        snprintf(pat, sizeof(pat), "^x%d[a-z]+$", i);
        rp_re *re;
        T_CHECK(rp_re_compile(pat, strlen(pat), &re, msg, sizeof(msg)) == RP_OK);
        rp_re_release(re);
    }
    size_t entries, bytes;
    rp_re_cache_stats(&entries, &bytes);
    T_CHECKM(entries <= REGO_REGEX_CACHE_MAX_ENTRIES && entries > 0, "entries %zu", entries);
    T_CHECK(bytes <= REGO_REGEX_CACHE_MAX_BYTES);

    /* Big programs count by size: the byte bound holds (each of these is
     * about 12k instructions, so 128 of them would pass it). */
    char big[256];
    for (int i = 0; i < 200; i++) {
        int k = snprintf(big, sizeof(big), "%d", i);
        for (int j = 0; j < 12; j++)
            k += snprintf(big + k, sizeof(big) - (size_t)k, "[a-z]{1000}");
        rp_re *re;
        T_CHECK(rp_re_compile(big, strlen(big), &re, msg, sizeof(msg)) == RP_OK);
        rp_re_release(re);
    }
    rp_re_cache_stats(&entries, &bytes);
    T_CHECKM(bytes <= REGO_REGEX_CACHE_MAX_BYTES, "bytes %zu", bytes);

    /* A pattern too big for REGO_REGEX_MAX_MEM still works, uncached. */
    rp_re_cache_clear();
    rp_re *re;
    static char huge[12000];
    huge[0] = '\0';
    for (int j = 0; j < 400; j++) /* 800k instructions: needs the large budget */
        strcat(huge, "[a-z]{1000}[0-9]{1000}");
    T_CHECK(rp_re_compile(huge, strlen(huge), &re, msg, sizeof(msg)) == RP_OK);
    rp_re_cache_stats(&entries, &bytes);
    T_CHECK(entries == 0);
    T_CHECK(!rp_re_match(re, "a0", 2));
    rp_re_release(re);

    /* An evicted pattern stays valid for the caller holding it. */
    rp_re *held;
    T_CHECK(rp_re_compile("h(e)ld", 6, &held, msg, sizeof(msg)) == RP_OK);
    rp_re_cache_clear();
    T_CHECK(rp_re_match(held, "held", 4) && rp_re_num_groups(held) == 1);
    rp_re_release(held);
}

typedef struct {
    int seed, failures;
} thread_arg;

static void *hammer(void *p)
{
    thread_arg *t = p;
    char pat[64], subj[64], msg[128];
    unsigned r = (unsigned)t->seed;
    for (int i = 0; i < 3000; i++) {
        r = r * 1103515245u + 12345u;
        int k = (int)(r >> 8) % (2 * REGO_REGEX_CACHE_MAX_ENTRIES);
        snprintf(pat, sizeof(pat), "^p%d-(\\d+)$", k);
        snprintf(subj, sizeof(subj), "p%d-%d", k, i);
        rp_re *re;
        if (rp_re_compile(pat, strlen(pat), &re, msg, sizeof(msg)) != RP_OK) {
            t->failures++;
            continue;
        }
        rp_re_span sp[2];
        if (!rp_re_find_at(re, subj, strlen(subj), 0, sp, 2) || sp[1].lo < 0)
            t->failures++;
        rp_re_release(re);
    }
    return NULL;
}

static void test_cache_threads(void)
{
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){i + 1, 0};
        pthread_create(&th[i], NULL, hammer, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        T_CHECKM(args[i].failures == 0, "thread %d: %d failures", i, args[i].failures);
    }
    size_t entries, bytes;
    rp_re_cache_stats(&entries, &bytes);
    T_CHECK(entries <= REGO_REGEX_CACHE_MAX_ENTRIES);
}

/* Out of memory in the call's arena is a clean error, never a crash. */
static void test_nomem(void)
{
    char *s = repeat('a', 20000);
    for (size_t budget = 256; budget <= (1u << 20); budget *= 2) {
        rp_arena *a = rp_arena_new(budget);
        rego_value args[3] = {rego_str_borrow("(a)", 3), rego_str_borrow(s, 20000), rego_int(-1)};
        struct rego_evalctx ev;
        rego_evalctx_init(&ev, a);
        rp_error err = {0};
        rego_value out;
        rp_status st = bt_invoke(&ev, "regex.find_all_string_submatch_n", args, &out, &err);
        T_CHECKM(st == RP_OK || st == RP_ERR_NOMEM, "budget %zu: status %d", budget, st);
        T_CHECK(st != RP_OK || out.n == 20000);
        rp_arena_free(a);
    }
    free(s);
}

int main(void)
{
    A = rp_arena_new(0);
    test_registry();
    BT_RUN_JSON(match_cases);
    BT_RUN_JSON(valid_cases);
    BT_RUN_JSON(find_cases);
    BT_RUN_JSON(submatch_cases);
    BT_RUN_JSON(split_cases);
    BT_RUN_JSON(replace_cases);
    BT_RUN_JSON(template_cases);
    BT_RUN_JSON(globs_cases);
    BT_RUN_JSON(type_cases);
    test_globs_bounds();
    test_linear();
    test_cache_bounds();
    test_cache_threads();
    test_nomem();
    rp_arena_free(A);
    rp_re_cache_clear();
    return T_DONE();
}
