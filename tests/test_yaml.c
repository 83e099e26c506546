/*
 * test_yaml.c — the YAML reader: both schemas' scalar tables, tags, keys,
 * anchors and merge keys, multi-document streams, go-yaml's error messages
 * and positions, the alias-expansion and depth limits, budgets, and every
 * OPA conformance file in ../shared/conformance/opa/given{,-v1}.
 *
 * The expected values of the K8S tables were checked against go-yaml v2.4.0
 * with ghodss/yaml (sigs.k8s.io/yaml's predecessor, same conversion): equal
 * JSON, or the same error text.  The exceptions are noted where they occur.
 */
#include <ftw.h>
#include <stdlib.h>
#include <unistd.h>

#include "rego/json.h"
#include "rego/limits.h"
#include "rego/yaml.h"
#include "t.h"

#define CONFORMANCE "../shared/conformance/opa"
#define CONFORMANCE_ALT "/work/shared/conformance/opa"

static rp_arena *A;

/* Parses src and returns its compact JSON, or "line:col: message". */
static const char *show(const char *src, size_t n, rego_yaml_schema schema, bool multi,
                        rp_status *rc)
{
    static char out[8192];
    rp_error err = {0};
    rego_value v;
    *rc = rego_yaml_parse(A, src, n, "t.yaml", schema, multi, &v, &err);
    if (*rc != RP_OK) {
        snprintf(out, sizeof(out), "%u:%u: %s", err.loc.line, err.loc.col, err.msg);
        return out;
    }
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_JSON);
    snprintf(out, sizeof(out), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return out;
}

typedef struct {
    const char *text; /* parsed as the document "v: <text>" */
    const char *want; /* the JSON of v, or "ERR <message>" */
} scalar_case;

static const scalar_case k8s_scalars[] = {
    {"yes", "true"}, {"Yes", "true"}, {"YES", "true"}, {"yEs", "\"yEs\""},
    {"no", "false"}, {"NO", "false"}, {"on", "true"}, {"ON", "true"},
    {"off", "false"}, {"Off", "false"}, {"y", "true"}, {"Y", "true"},
    {"n", "false"}, {"N", "false"}, {"true", "true"}, {"TRUE", "true"},
    {"tRue", "\"tRue\""}, {"False", "false"}, {"null", "null"}, {"Null", "null"},
    {"NULL", "null"}, {"nUll", "\"nUll\""}, {"~", "null"}, {"", "null"},
    {"0", "0"}, {"-0", "0"}, {"+0", "0"}, {"007", "7"},
    {"08", "8"}, /* not octal: ParseInt fails, the float syntax reads 8.0 */
    {"0.5", "0.5"}, {".5", "0.5"}, {"-.5", "-0.5"}, {".", "\".\""},
    {"._5", "\"._5\""}, {".5_5", "0.55"}, {".5e3", "500"},
    {"1", "1"}, {"-1", "-1"}, {"+1", "1"}, {"1_000", "1000"}, {"1__0", "10"},
    {"_1", "\"_1\""}, {"1_", "1"}, {"0x10", "16"}, {"0X10", "16"}, {"0x", "\"0x\""},
    {"0x_1F", "31"},
    {"0xFFFFFFFFFFFFFFFF", "18446744073709551615"},
    {"0x8000000000000000", "9223372036854775808"},
    {"-0x8000000000000000", "-9223372036854775808"},
    {"-0x8000000000000001", "\"-0x8000000000000001\""},
    {"0o17", "15"}, {"0O17", "15"}, {"0o8", "\"0o8\""}, {"017", "15"},
    {"0b101", "5"}, {"-0b101", "-5"},
    {"9223372036854775807", "9223372036854775807"},
    {"9223372036854775808", "9223372036854775808"},   /* uint64 */
    {"-9223372036854775808", "-9223372036854775808"},
    {"-9223372036854775809", "-9223372036854775808"}, /* a float64 */
    {"18446744073709551615", "18446744073709551615"},
    {"18446744073709551616", "18446744073709551616"}, /* float64 2^64 */
    {"123456789012345678901234567890", "1.2345678901234568e+29"},
    /* sigs.k8s.io/yaml's go-yaml fork reads this as a big.Int; upstream v2
     * keeps the string */
    {"0xFFFFFFFFFFFFFFFFFF", "4722366482869645213695"},
    {"1e3", "1000"}, {"1E3", "1000"}, {"1e-3", "0.001"},
    {"1e400", "\"1e400\""}, /* ParseFloat overflows: the text stays */
    {"1e-400", "0"}, {"1.", "1"}, {"1.5.", "\"1.5.\""}, {"1e", "\"1e\""},
    {"2001-12-14", "\"2001-12-14\""}, {"12:30", "\"12:30\""}, {"0x1p3", "\"0x1p3\""},
    {"1,000", "\"1,000\""}, {"<<", "\"<<\""}, {"1_0.5", "10.5"}, {"0.1", "0.1"},
    {"1.0", "1"}, {"'yes'", "\"yes\""}, {"\"1\"", "\"1\""},
    {"!!str yes", "\"yes\""}, {"!!int '12'", "12"}, {"!!float 1", "1"},
    {"!!float '0x10'", "16"}, {"!!bool Off", "false"}, {"!!null ''", "null"},
    {"!!binary aGVsbG8=", "\"hello\""},
    {"!!binary /w==", "\"\xef\xbf\xbd\""}, /* json.Marshal replaces the invalid byte */
    {"!!binary |\n  aGVs\n  bG8=", "\"hello\""},
    {"!!binary ''", "\"\""},
    {"!!timestamp 2001-12-14", "\"2001-12-14\""},
    {"!!timestamp 2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\""},
    {"!!timestamp 2001-1-2 3:4:5", "\"2001-1-2 3:4:5\""},
    {"!custom 12", "\"12\""}, {"! 12", "\"12\""}, {"!!map 12", "\"12\""},
    {"!<tag:yaml.org,2002:int> 5", "5"},
    {".inf", "ERR json: unsupported value: +Inf"},
    {"-.Inf", "ERR json: unsupported value: -Inf"},
    {".nan", "ERR json: unsupported value: NaN"},
    {"!!int foo", "ERR yaml: cannot decode !!str `foo` as a !!int"},
    {"!!float 18446744073709551615",
     "ERR yaml: cannot decode !!int `18446744073709551615` as a !!float"},
    {"!!bool 1", "ERR yaml: cannot decode !!int `1` as a !!bool"},
    {"!!null x", "ERR yaml: cannot decode !!str `x` as a !!null"},
    {"!!binary abc", "ERR yaml: !!binary value contains invalid base64 data"},
    {"!!binary 'YQ='", "ERR yaml: !!binary value contains invalid base64 data"},
    {"!!binary 'YQ== YQ=='", "ERR yaml: !!binary value contains invalid base64 data"},
    {"!!timestamp 2001-02-30", "ERR yaml: cannot decode !!str `2001-02-30` as a !!timestamp"},
    {"!!int 1.5", "ERR yaml: cannot decode !!float `1.5` as a !!int"},
    {"!!int .inf", "ERR yaml: cannot decode !!float `.inf` as a !!int"},
};

static const scalar_case core_scalars[] = {
    {"yes", "\"yes\""}, {"no", "\"no\""}, {"on", "\"on\""}, {"off", "\"off\""},
    {"y", "\"y\""}, {"n", "\"n\""}, {"Yes", "\"Yes\""}, {"True", "true"},
    {"TRUE", "true"}, {"false", "false"}, {"FALSE", "false"}, {"tRue", "\"tRue\""},
    {"null", "null"}, {"Null", "null"}, {"NULL", "null"}, {"~", "null"}, {"", "null"},
    {"0", "0"}, {"-0", "0"}, {"+1", "1"}, {"007", "7"}, {"08", "8"}, {"017", "17"},
    {"0o17", "15"}, {"0x1F", "31"}, {"0X1F", "\"0X1F\""}, {"0b101", "\"0b101\""},
    {"1_000", "\"1_000\""}, {"0o8", "\"0o8\""}, {"0x", "\"0x\""}, {"-0x10", "\"-0x10\""},
    {"123456789012345678901234567890", "123456789012345678901234567890"},
    {"-123456789012345678901234567890", "-123456789012345678901234567890"},
    {"0x123456789abcdef0123", "5373003642731685151011"},
    {"1.5", "1.5"}, {".5", "0.5"}, {"-.5", "-0.5"}, {"1.", "1"}, {"1e3", "1000"},
    {"1E+3", "1000"}, {"1e400", "\"1e400\""}, {"0.1", "0.1"},
    {".inf", "ERR json: unsupported value: +Inf"},
    {"-.inf", "ERR json: unsupported value: -Inf"},
    {".nan", "ERR json: unsupported value: NaN"},
    {"2001-12-14", "\"2001-12-14\""}, {"<<", "\"<<\""}, {"'true'", "\"true\""},
    {"!!str 1", "\"1\""}, {"!!int '7'", "7"}, {"!!float 2", "2"},
    {"!!bool yes", "ERR yaml: cannot decode !!str `yes` as a !!bool"},
    {"!!binary aGk=", "\"hi\""},
};

static void run_scalars(const scalar_case *cases, size_t n, rego_yaml_schema schema,
                        const char *name)
{
    for (size_t i = 0; i < n; i++) {
        char src[512], want[512];
        snprintf(src, sizeof(src), "v: %s", cases[i].text);
        if (strncmp(cases[i].want, "ERR ", 4) == 0)
            snprintf(want, sizeof(want), "%s", cases[i].want + 4);
        else
            snprintf(want, sizeof(want), "{\"v\":%s}", cases[i].want);
        rp_status rc;
        const char *got = show(src, strlen(src), schema, false, &rc);
        const char *msg = rc == RP_OK ? got : strstr(got, ": ") + 2;
        T_CHECKM(strcmp(msg, want) == 0, "%s[%zu] %s\n    got:  %s\n    want: %s", name, i,
                 cases[i].text, got, want);
    }
}

typedef struct {
    const char *src;
    const char *want; /* JSON, or "line:col: message" */
} doc_case;

/* Structure, keys, anchors and merges (K8S, first document). */
static const doc_case k8s_docs[] = {
    {"a: &x 1\nb: *x", "{\"a\":1,\"b\":1}"},
    {"a: &x [1, 2]\nb: *x\nc: *x", "{\"a\":[1,2],\"b\":[1,2],\"c\":[1,2]}"},
    /* merge keys: applied where they stand (go-yaml v2) */
    {"base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3", "{\"base\":{\"x\":1,\"z\":2},\"d\":{\"x\":1,\"z\":3}}"},
    {"base: &b {x: 1, z: 2}\nd:\n  z: 3\n  <<: *b", "{\"base\":{\"x\":1,\"z\":2},\"d\":{\"x\":1,\"z\":2}}"},
    {"a: &a {x: 1}\nb: &b {x: 2, w: 3}\nc:\n  <<: [*a, *b]\n  v: 4",
     "{\"a\":{\"x\":1},\"b\":{\"w\":3,\"x\":2},\"c\":{\"v\":4,\"w\":3,\"x\":1}}"},
    {"c:\n  <<: [{x: 1}, {x: 2, w: 3}]", "{\"c\":{\"w\":3,\"x\":1}}"},
    {"c:\n  <<: {x: 1, <<: {w: 2}}", "{\"c\":{\"w\":2,\"x\":1}}"},
    {"c:\n  <<: 1", "2:7: yaml: map merge requires map or sequence of maps as the value"},
    {"c:\n  <<:", "2:6: yaml: map merge requires map or sequence of maps as the value"},
    {"s: &s [{x: 1}]\nc:\n  <<: *s", "3:7: yaml: map merge requires map or sequence of maps as the value"},
    {"c:\n  <<: [{x: 1}, 2]", "2:7: yaml: map merge requires map or sequence of maps as the value"},
    {"c:\n  \"<<\": {x: 1}", "{\"c\":{\"<<\":{\"x\":1}}}"},
    {"c:\n  !!merge <<: {x: 1}", "{\"c\":{\"x\":1}}"},
    {"c:\n  ! <<: {x: 1}", "{\"c\":{\"x\":1}}"},
    /* anchors: the latest definition, registered when its node starts */
    {"&a [ &a 1, *a ]", "[1,1]"},
    {"[&a [&a 1], *a]", "[[1],1]"},
    {"- &a a\n- &a b\n- *a", "[\"a\",\"b\",\"b\"]"},
    {"a: &x 1\n&y b: *x\n*y : 3", "{\"a\":1,\"b\":3}"},
    {"a: &a\n  b: *a", "2:6: yaml: anchor 'a' value contains itself"},
    {"a: *unknown", "1:4: yaml: unknown anchor 'unknown' referenced"},
    {"a: 1\n---\nb: *x", "{\"a\":1}"},
    /* keys become strings as sigs.k8s.io/yaml converts them; last one wins */
    {"a: 1\nb: 2\na: 3", "{\"a\":3,\"b\":2}"},
    {"1: a\n'1': b", "{\"1\":\"b\"}"},
    {"{1: a, 1.5: b, true: c, 0.1: d, 1e20: e, 3.14159265358979: f, .inf: g, -.inf: h, "
     ".nan: i, 1234567.0: j, 1e-5: k, 0x10: l, yes: m, 1e6: o, 100000.0: p}",
     "{\"-.inf\":\"h\",\".inf\":\"g\",\".nan\":\"i\",\"0.1\":\"d\",\"1\":\"a\",\"1.234567e+06\":\"j\","
     "\"1.5\":\"b\",\"100000\":\"p\",\"16\":\"l\",\"1e+06\":\"o\",\"1e+20\":\"e\",\"1e-05\":\"k\","
     "\"3.1415927\":\"f\",\"true\":\"m\"}"},
    {"1.5e300: x", "{\".inf\":\"x\"}"}, /* float32 overflow */
    {"? [1, 2]\n: x", "1:3: yaml: invalid map key: []interface {}{...}"},
    {"? {a: 1}\n: x", "1:3: yaml: invalid map key: map[interface {}]interface {}{...}"},
    {"~: x", "1:1: unsupported map key of type: %!s(<nil>), key: <nil>"},
    {"18446744073709551615: x", "1:1: unsupported map key of type: uint64, key: 0xffffffffffffffff"},
    {"0x1FFFFFFFFFFFFFFFF: x", "1:1: unsupported map key of type: *big.Int, key: 36893488147419103231"},
    /* go-yaml reports syntax before decode errors, decode before conversion */
    {"a: !!int x\nb: [", "3:1: yaml: line 2: did not find expected node content"},
    {"~: 1\nb: !!int x", "2:4: yaml: cannot decode !!str `x` as a !!int"},
    {"a: !!int x\nb: *nope", "2:4: yaml: unknown anchor 'nope' referenced"},
    {"a: .inf\nb: !!bool 3", "2:4: yaml: cannot decode !!int `3` as a !!bool"},
    /* scalars of every style */
    {"a: |\n  line1\n  line2\nb: >\n  folded\n  text\n", "{\"a\":\"line1\\nline2\\n\",\"b\":\"folded text\\n\"}"},
    {"a: \"esc \\u00e9 \\x41 \\t end\"", "{\"a\":\"esc \xc3\xa9 A \\t end\"}"},
    {"a: 'it''s'", "{\"a\":\"it's\"}"},
    {"a: \"\\xff\\0\"", "{\"a\":\"\xc3\xbf\\u0000\"}"},
    {"a:\n- 1\n- - 2\n  - 3\n- k: v", "{\"a\":[1,[2,3],{\"k\":\"v\"}]}"},
    {"a: plain\n  continued\n  more", "{\"a\":\"plain continued more\"}"},
    {"a: 1\r\nb: 2\r\n", "{\"a\":1,\"b\":2}"},
    {"{a: {b: [c, {d: e}]}}", "{\"a\":{\"b\":[\"c\",{\"d\":\"e\"}]}}"},
    {"a: !!seq [1]\nb: !!map {a: 1}\nc: !!str [1]\nd: !custom {x: 1}\ne: !!null [1]",
     "{\"a\":[1],\"b\":{\"a\":1},\"c\":[1],\"d\":{\"x\":1},\"e\":[1]}"}, /* collection tags ignored */
    {"\xef\xbb\xbf" "a: 1", "{\"a\":1}"},
    {"", "null"},
    {"# comment only", "null"},
    {"--- a\n--- b", "\"a\""},
    {"a: 1\n---\nb: [", "{\"a\":1}"}, /* later documents are not read */
    /* errors: go-yaml's text and line, the exact position in loc */
    {"a: b\n c: d", "2:3: yaml: line 2: mapping values are not allowed in this context"},
    {"a:\n  b: 1\n c: 2", "3:2: yaml: line 2: did not find expected key"},
    {"a: [1, 2\nb: 3", "2:2: yaml: line 1: did not find expected ',' or ']'"},
    {"a: [", "2:1: yaml: line 1: did not find expected node content"},
    {"a: 'unterminated", "1:17: yaml: found unexpected end of stream"},
    {"a: \"bad \\q escape\"", "1:9: yaml: found unknown escape character"},
    {"a: 1\n\tb: 2", "2:1: yaml: line 2: found a tab character that violates indentation"},
    {"a: @foo", "1:4: yaml: found character that cannot start any token"},
    {"- a\nb: c", "2:1: yaml: line 1: did not find expected '-' indicator"},
    {"key: value: x", "1:11: yaml: mapping values are not allowed in this context"},
    {"%YAML 2.0\n---\na: 1", "1:1: yaml: found incompatible YAML document"},
    {"a: \x01", "1:4: yaml: control characters are not allowed"},
    {"a: \xff", "1:4: yaml: invalid leading UTF-8 octet"},
    {"x:\n  y:\n    z: [1,\n  2", "5:1: yaml: line 4: did not find expected ',' or ']'"},
};

/* Multi-document streams: an array of the non-empty documents. */
static const doc_case multi_docs[] = {
    {"", "[]"},
    {"# comment only\n", "[]"},
    {"--- a\n--- b", "[\"a\",\"b\"]"},
    {"a: ~\n---\n---\nnull\n---\n# c\n---\nb: 2\n...\n", "[{\"a\":null},{\"b\":2}]"},
    {"kind: A\n---\nkind: B\n---\n", "[{\"kind\":\"A\"},{\"kind\":\"B\"}]"},
    {"---\n- 1\n---\n[]\n---\n{}\n", "[[1],[],{}]"},
    {"a: &x 1\n---\nb: *x", "3:4: yaml: unknown anchor 'x' referenced"}, /* anchors stay in their document */
    {"a: 1\n---\nb: [", "4:1: yaml: line 3: did not find expected node content"},
    {"a: !!int x\n---\nb: [", "1:4: yaml: cannot decode !!str `x` as a !!int"},
};

static void run_docs(const doc_case *cases, size_t n, rego_yaml_schema schema, bool multi,
                     const char *name)
{
    for (size_t i = 0; i < n; i++) {
        rp_status rc;
        const char *got = show(cases[i].src, strlen(cases[i].src), schema, multi, &rc);
        T_CHECKM(strcmp(got, cases[i].want) == 0, "%s[%zu] %s\n    got:  %s\n    want: %s", name,
                 i, cases[i].src, got, cases[i].want);
    }
}

static void test_codes(void)
{
    rp_error err = {0};
    rego_value v;
    T_CHECK(rego_yaml_parse(A, "a: [", 4, "f.yaml", REGO_YAML_K8S, false, &v, &err) == RP_ERR_SYNTAX);
    T_STREQ(err.loc.file, "f.yaml");
    T_CHECK(err.kind == RP_EK_PARSE);
    rp_error_clear(&err);
    T_CHECK(rego_yaml_parse(A, "a: !!int x", 10, NULL, REGO_YAML_CORE, true, &v, &err) ==
            RP_ERR_SYNTAX);
    /* the input is copied: it may be freed after parsing */
    char *copy = strdup("key: some string value\nlist: [x, y]\n");
    rp_error_clear(&err);
    T_CHECK(rego_yaml_parse(A, copy, strlen(copy), NULL, REGO_YAML_K8S, false, &v, &err) == RP_OK);
    memset(copy, 'X', strlen(copy));
    free(copy);
    rego_value got;
    T_CHECK(rego_object_get_str(v, "key", 3, rego_hash_str("key", 3), &got) &&
            got.n == 17 && memcmp(got.u.s, "some string value", 17) == 0);
}

/* Nine anchors, each nine aliases of the one before: 9^9 nodes if expanded. */
static void test_billion_laughs(void)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
        rp_buf_printf(&b, "a%d: &a%d [", i, i);
        for (int k = 0; k < 9; k++)
            rp_buf_printf(&b, "%s*a%d", k ? ", " : "", i - 1);
        rp_buf_puts(&b, "]\n");
    }
    rp_error err = {0};
    rego_value v;
    rp_arena *a = rp_arena_new(1u << 20);
    rp_status rc = rego_yaml_parse(a, b.data, b.len, NULL, REGO_YAML_K8S, false, &v, &err);
    T_CHECKM(rc == RP_ERR_LIMIT && strstr(err.msg, "excessive aliasing"), "rc=%d %s", rc, err.msg);
    T_CHECK(err.loc.line >= 5 && err.loc.line <= 8);
    rp_arena_free(a);
    rp_buf_free(&b);

    /* just under the bound is fine: 1000 aliases of a 1000-node list */
    rp_buf_init(&b);
    rp_buf_puts(&b, "base: &b [");
    for (int k = 0; k < 999; k++)
        rp_buf_printf(&b, "%s%d", k ? "," : "", k);
    rp_buf_puts(&b, "]\nuse: [");
    for (int k = 0; k < 1000; k++)
        rp_buf_printf(&b, "%s*b", k ? "," : "");
    rp_buf_puts(&b, "]\n");
    rp_error_clear(&err);
    rc = rego_yaml_parse(A, b.data, b.len, NULL, REGO_YAML_K8S, false, &v, &err);
    T_CHECKM(rc == RP_OK && v.n == 2, "rc=%d %s", rc, err.msg);
    /* and a few more aliases go past it */
    rp_buf_puts(&b, "more: [");
    for (int k = 0; k < 100; k++)
        rp_buf_printf(&b, "%s*b", k ? "," : "");
    rp_buf_puts(&b, "]\n");
    rp_error_clear(&err);
    rc = rego_yaml_parse(A, b.data, b.len, NULL, REGO_YAML_K8S, false, &v, &err);
    T_CHECK(rc == RP_ERR_LIMIT);
    rp_buf_free(&b);
}

static char *nested_flow(int depth)
{
    char *s = malloc((size_t)depth * 2 + 2);
    memset(s, '[', (size_t)depth);
    memset(s + depth, ']', (size_t)depth);
    s[2 * depth] = 0;
    return s;
}

static void test_depth(void)
{
    rp_error err = {0};
    rego_value v;
    char *ok = nested_flow(REGO_YAML_MAX_DEPTH), *deep = nested_flow(REGO_YAML_MAX_DEPTH + 1);
    T_CHECK(rego_yaml_parse(A, ok, strlen(ok), NULL, REGO_YAML_K8S, false, &v, &err) == RP_OK);
    rp_error_clear(&err);
    T_CHECK(rego_yaml_parse(A, deep, strlen(deep), NULL, REGO_YAML_K8S, false, &v, &err) ==
            RP_ERR_LIMIT);
    T_CHECK(err.loc.line == 1 && err.loc.col == REGO_YAML_MAX_DEPTH + 1);
    free(ok);
    free(deep);

    /* aliases cannot stack nesting past the limit either */
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "a: &a ");
    for (int i = 0; i < REGO_YAML_MAX_DEPTH - 1; i++)
        rp_buf_putc(&b, '[');
    for (int i = 0; i < REGO_YAML_MAX_DEPTH - 1; i++)
        rp_buf_putc(&b, ']');
    rp_buf_puts(&b, "\nb: *a\nc: [*a]\n");
    rp_error_clear(&err);
    T_CHECK(rego_yaml_parse(A, b.data, b.len, NULL, REGO_YAML_K8S, false, &v, &err) ==
            RP_ERR_LIMIT);
    T_CHECK(err.loc.line == 3 && err.loc.col == 5);
    rp_buf_free(&b);

    /* 100,000 '[' stop at the limit */
    size_t n = 100000;
    char *s = malloc(n);
    memset(s, '[', n);
    rp_error_clear(&err);
    T_CHECK(rego_yaml_parse(A, s, n, NULL, REGO_YAML_K8S, false, &v, &err) == RP_ERR_LIMIT);
    free(s);
}

/* Every budget up to success fails cleanly with NOMEM. */
static void test_budgets(void)
{
    const char *doc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: '1', b: \"2\"}\n"
                      "spec:\n  containers:\n  - name: c\n    image: nginx\n    ports: [80, 0x1BB]\n"
                      "    big: 123456789012345678901234567890\n  base: &b {k: v}\n  m: {<<: *b}\n";
    int bad = 0;
    size_t budget;
    for (budget = 16; budget < (1u << 20); budget += 16) {
        rp_arena *a = rp_arena_new(budget);
        rp_error err = {0};
        rego_value v;
        rp_status rc = rego_yaml_parse(a, doc, strlen(doc), NULL, REGO_YAML_K8S, true, &v, &err);
        rp_arena_free(a);
        if (rc == RP_OK)
            break;
        bad += rc != RP_ERR_NOMEM;
    }
    T_CHECKM(bad == 0, "%d budgets failed with something other than NOMEM", bad);
    T_CHECK(budget < (1u << 20));
}

static void test_file(void)
{
    char path[] = "/tmp/rampart_test_yaml_XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    if (fd < 0)
        return;
    const char *text = "a: 1\n---\nb: 2\n";
    T_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    rp_error err = {0};
    rego_value v;
    T_CHECK(rego_yaml_parse_file(A, path, REGO_YAML_CORE, true, &v, &err) == RP_OK &&
            v.kind == REGO_ARRAY && v.n == 2);
    unlink(path);
    rp_error_clear(&err);
    T_CHECK(rego_yaml_parse_file(A, path, REGO_YAML_CORE, true, &v, &err) == RP_ERR_IO);
}

/* ---- the OPA conformance files --------------------------------------------- */

static struct {
    int files, cases, bad;
} conf;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".yaml") != 0)
        return 0;
    rp_arena *a = rp_arena_new(0);
    rp_error err = {0};
    rego_value v, cases;
    rp_status rc = rego_yaml_parse_file(a, path, REGO_YAML_CORE, false, &v, &err);
    if (rc != RP_OK) {
        fprintf(stderr, "%s:%u:%u: %s\n", path, err.loc.line, err.loc.col, err.msg);
        conf.bad++;
    } else if (v.kind != REGO_OBJECT ||
               !rego_object_get_str(v, "cases", 5, rego_hash_str("cases", 5), &cases) ||
               cases.kind != REGO_ARRAY) {
        fprintf(stderr, "%s: not an object with a \"cases\" array\n", path);
        conf.bad++;
    } else {
        conf.files++;
        conf.cases += (int)cases.n;
    }
    rp_arena_free(a);
    return 0;
}

static void conformance_dir(const char *root, const char *sub, int want_cases)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/%s", root, sub);
    memset(&conf, 0, sizeof(conf));
    T_CHECKM(nftw(dir, visit, 16, FTW_PHYS) == 0, "cannot walk %s", dir);
    printf("%s: %d files, %d cases\n", sub, conf.files, conf.cases);
    T_CHECKM(conf.bad == 0, "%s: %d files failed", sub, conf.bad);
    T_CHECKM(conf.cases == want_cases, "%s: %d cases, want %d", sub, conf.cases, want_cases);
}

static void test_conformance(void)
{
    const char *root = access(CONFORMANCE "/given", R_OK) == 0 ? CONFORMANCE : CONFORMANCE_ALT;
    conformance_dir(root, "given", 1249);
    conformance_dir(root, "given-v1", 1220);
}

int main(void)
{
    A = rp_arena_new(0);
    run_scalars(k8s_scalars, RP_ARRAY_LEN(k8s_scalars), REGO_YAML_K8S, "k8s");
    run_scalars(core_scalars, RP_ARRAY_LEN(core_scalars), REGO_YAML_CORE, "core");
    run_docs(k8s_docs, RP_ARRAY_LEN(k8s_docs), REGO_YAML_K8S, false, "k8s_docs");
    run_docs(multi_docs, RP_ARRAY_LEN(multi_docs), REGO_YAML_K8S, true, "multi");
    test_codes();
    test_billion_laughs();
    test_depth();
    test_budgets();
    test_file();
    test_conformance();
    rp_arena_free(A);
    return T_DONE();
}
