/*
 * test_json.c — the JSON reader: accept/reject tables in the spirit of
 * JSONTestSuite, Go's error messages and positions, depth limits, budgets,
 * round trips through rego_value_write, and every AdmissionReview in
 * ../shared/admission.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "rego/json.h"
#include "rego/limits.h"
#include "t.h"

#define SHARED_ADMISSION "../shared/admission"
#define SHARED_ADMISSION_ALT "/work/shared/admission"

static rp_arena *A;

/* Parses s and writes it back as compact JSON into a static buffer; on error
 * returns the formatted error. */
static const char *roundtrip(const char *s, size_t n, rp_status *rc)
{
    static char out[8192];
    rp_error err = {0};
    rego_value v;
    *rc = rego_json_parse(A, s, n, "t.json", &v, &err);
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

/* Accepted texts and their compact JSON (objects print sorted). */
static const struct {
    const char *src;
    const char *want;
} accept[] = {
    {"null", "null"},
    {"true", "true"},
    {"false", "false"},
    {" \t\r\n 1 \t\r\n ", "1"},
    {"0", "0"},
    {"-0", "0"},
    {"-1", "-1"},
    {"123456789", "123456789"},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"123456789012345678901234567890", "123456789012345678901234567890"},
    {"-123456789012345678901234567890", "-123456789012345678901234567890"},
    {"1.5", "1.5"},
    {"-0.25", "-0.25"},
    {"1e2", "100"},
    {"1E2", "100"},
    {"1e+2", "100"},
    {"1e-2", "0.01"},
    {"0.1", "0.1"},
    {"1.0", "1"},
    {"1e-400", "0"},
    /* integral past double range: exact, written as given (OPA keeps json.Number text) */
    {"1e999", "1e999"},
    {"[0, -1.5e400]", "[0,-1.5e400]"},
    {"1.7976931348623157e308", "1.7976931348623157e+308"},
    {"\"\"", "\"\""},
    {"\"abc\"", "\"abc\""},
    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\""},
    {"\"\\u0041\\u00e9\\u4e2d\"", "\"A\xc3\xa9\xe4\xb8\xad\""},
    {"\"\\u0000\"", "\"\\u0000\""},
    {"\"\\uD834\\uDD1E\"", "\"\xf0\x9d\x84\x9e\""},          /* surrogate pair */
    {"\"\\ud834\\udd1e\"", "\"\xf0\x9d\x84\x9e\""},          /* lower-case hex */
    {"\"\\uD800\"", "\"\xef\xbf\xbd\""},                     /* lone high */
    {"\"\\uDC00\"", "\"\xef\xbf\xbd\""},                     /* lone low */
    {"\"\\uD800x\"", "\"\xef\xbf\xbdx\""},
    {"\"\\uD800\\u0041\"", "\"\xef\xbf\xbd" "A\""},          /* high + non-low */
    {"\"\\uD800\\uD800\\uDC00\"", "\"\xef\xbf\xbd\xf0\x90\x80\x80\""},
    {"\"\\uDC00\\uD800\"", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
    {"\"\\uD800\\n\"", "\"\xef\xbf\xbd\\n\""},
    {"\"caf\xc3\xa9\"", "\"caf\xc3\xa9\""},                   /* valid UTF-8 kept */
    {"\"\xf0\x9f\x98\x80\"", "\"\xf0\x9f\x98\x80\""},
    {"\"\xe2\x80\xa8\"", "\"\\u2028\""},                      /* writer escapes U+2028 */
    {"[]", "[]"},
    {"[ ]", "[]"},
    {"{}", "{}"},
    {"{ }", "{}"},
    {"[1,2,3]", "[1,2,3]"},
    {" [ 1 , [ ] , { } , \"x\" ] ", "[1,[],{},\"x\"]"},
    {"{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
    {"{\"a\":1,\"a\":2}", "{\"a\":2}"},                       /* last duplicate wins */
    {"{\"a\":1,\"b\":0,\"a\":3,\"a\":2}", "{\"a\":2,\"b\":0}"},
    {"{\"\":0}", "{\"\":0}"},
    {"{\"a\":{\"b\":{\"c\":[null,true,false]}}}", "{\"a\":{\"b\":{\"c\":[null,true,false]}}}"},
    {"[[[[[]]]]]", "[[[[[]]]]]"},
    {"{\"k\":\"\\u002F\"}", "{\"k\":\"/\"}"},
};

/* Invalid bytes inside strings become U+FFFD, one per byte Go rejects. */
static const struct {
    const char *src;
    const char *want; /* raw bytes of the decoded string */
} utf8_cases[] = {
    {"\"\xff\"", "\xef\xbf\xbd"},
    {"\"a\xc3\"", "a\xef\xbf\xbd"},                          /* truncated 2-byte */
    {"\"\xe2\x82\"", "\xef\xbf\xbd\xef\xbf\xbd"},             /* truncated 3-byte */
    {"\"\xc0\xaf\"", "\xef\xbf\xbd\xef\xbf\xbd"},             /* overlong '/' */
    {"\"\xed\xa0\x80\"", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* encoded surrogate */
    {"\"\xf4\x90\x80\x80\"", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
    {"\"\x80x\\n\"", "\xef\xbf\xbdx\n"},
    {"\"\xef\xbf\xbd\"", "\xef\xbf\xbd"},                     /* a real U+FFFD stays */
    {"\"0123456789\xff" "0123456789\"", "0123456789\xef\xbf\xbd" "0123456789"},
};

/* Rejected texts: code, Go's message, line:col. */
static const struct {
    const char *src;
    rp_status code;
    const char *want; /* "line:col: message" */
} reject[] = {
    {"", RP_ERR_SYNTAX, "1:1: unexpected end of JSON input"},
    {"   \n  ", RP_ERR_SYNTAX, "2:3: unexpected end of JSON input"},
    {"x", RP_ERR_SYNTAX, "1:1: invalid character 'x' looking for beginning of value"},
    {"[1,]", RP_ERR_SYNTAX, "1:4: invalid character ']' looking for beginning of value"},
    {"[1 2]", RP_ERR_SYNTAX, "1:4: invalid character '2' after array element"},
    {"{\"a\":1,}", RP_ERR_SYNTAX, "1:8: invalid character '}' looking for beginning of object key string"},
    {"{,}", RP_ERR_SYNTAX, "1:2: invalid character ',' looking for beginning of object key string"},
    {"{\"a\" 1}", RP_ERR_SYNTAX, "1:6: invalid character '1' after object key"},
    {"{\"a\":1 \"b\":2}", RP_ERR_SYNTAX, "1:8: invalid character '\"' after object key:value pair"},
    {"{'a':1}", RP_ERR_SYNTAX, "1:2: invalid character '\\'' looking for beginning of object key string"},
    {"['a']", RP_ERR_SYNTAX, "1:2: invalid character '\\'' looking for beginning of value"},
    {"{a:1}", RP_ERR_SYNTAX, "1:2: invalid character 'a' looking for beginning of object key string"},
    {"[1]]", RP_ERR_SYNTAX, "1:4: invalid character ']' after top-level value"},
    {"1 2", RP_ERR_SYNTAX, "1:3: invalid character '2' after top-level value"},
    {"{} x", RP_ERR_SYNTAX, "1:4: invalid character 'x' after top-level value"},
    {"01", RP_ERR_SYNTAX, "1:2: invalid character '1' after top-level value"},
    {"[01]", RP_ERR_SYNTAX, "1:3: invalid character '1' after array element"},
    {"-", RP_ERR_SYNTAX, "1:2: unexpected end of JSON input"},
    {"-x", RP_ERR_SYNTAX, "1:2: invalid character 'x' in numeric literal"},
    {"+1", RP_ERR_SYNTAX, "1:1: invalid character '+' looking for beginning of value"},
    {".5", RP_ERR_SYNTAX, "1:1: invalid character '.' looking for beginning of value"},
    {"1.", RP_ERR_SYNTAX, "1:3: unexpected end of JSON input"},
    {"1.x", RP_ERR_SYNTAX, "1:3: invalid character 'x' after decimal point in numeric literal"},
    {"1e", RP_ERR_SYNTAX, "1:3: unexpected end of JSON input"},
    {"1e+", RP_ERR_SYNTAX, "1:4: unexpected end of JSON input"},
    {"1ex", RP_ERR_SYNTAX, "1:3: invalid character 'x' in exponent of numeric literal"},
    {"[1e+]", RP_ERR_SYNTAX, "1:5: invalid character ']' in exponent of numeric literal"},
    {"0x10", RP_ERR_SYNTAX, "1:2: invalid character 'x' after top-level value"},
    {"NaN", RP_ERR_SYNTAX, "1:1: invalid character 'N' looking for beginning of value"},
    {"Infinity", RP_ERR_SYNTAX, "1:1: invalid character 'I' looking for beginning of value"},
    {"-Infinity", RP_ERR_SYNTAX, "1:2: invalid character 'I' in numeric literal"},
    /* beyond double range: exact when integral (below), else refused */
    {"1e99999", RP_ERR_SYNTAX, "1:1: number 1e99999 is out of range"},
    {"[0, -1.5e9999999999]", RP_ERR_SYNTAX, "1:5: number -1.5e9999999999 is out of range"},
    {"tru", RP_ERR_SYNTAX, "1:4: unexpected end of JSON input"},
    {"trUe", RP_ERR_SYNTAX, "1:3: invalid character 'U' in literal true (expecting 'u')"},
    {"nul", RP_ERR_SYNTAX, "1:4: unexpected end of JSON input"},
    {"nulL", RP_ERR_SYNTAX, "1:4: invalid character 'L' in literal null (expecting 'l')"},
    {"fals3", RP_ERR_SYNTAX, "1:5: invalid character '3' in literal false (expecting 'e')"},
    {"True", RP_ERR_SYNTAX, "1:1: invalid character 'T' looking for beginning of value"},
    {"\"abc", RP_ERR_SYNTAX, "1:5: unexpected end of JSON input"},
    {"\"a\\", RP_ERR_SYNTAX, "1:4: unexpected end of JSON input"},
    {"\"\\x41\"", RP_ERR_SYNTAX, "1:3: invalid character 'x' in string escape code"},
    {"\"\\'\"", RP_ERR_SYNTAX, "1:3: invalid character '\\'' in string escape code"},
    {"\"\\u12\"", RP_ERR_SYNTAX, "1:6: invalid character '\"' in \\u hexadecimal character escape"},
    {"\"\\u12G4\"", RP_ERR_SYNTAX, "1:6: invalid character 'G' in \\u hexadecimal character escape"},
    {"\"\\u123", RP_ERR_SYNTAX, "1:7: unexpected end of JSON input"},
    {"\"\\uD800\\uDZ00\"", RP_ERR_SYNTAX, "1:11: invalid character 'Z' in \\u hexadecimal character escape"},
    {"\"a\nb\"", RP_ERR_SYNTAX, "1:3: invalid character '\\n' in string literal"},
    {"\"a\tb\"", RP_ERR_SYNTAX, "1:3: invalid character '\\t' in string literal"},
    {"\"\x01\"", RP_ERR_SYNTAX, "1:2: invalid character '\\x01' in string literal"},
    {"\"0123456789abcdef\x1f\"", RP_ERR_SYNTAX, "1:18: invalid character '\\x1f' in string literal"},
    {"/* c */ 1", RP_ERR_SYNTAX, "1:1: invalid character '/' looking for beginning of value"},
    {"1 // c", RP_ERR_SYNTAX, "1:3: invalid character '/' after top-level value"},
    {"\xef\xbb\xbf{}", RP_ERR_SYNTAX, "1:1: invalid character '\xc3\xaf' looking for beginning of value"},
    {"\x80", RP_ERR_SYNTAX, "1:1: invalid character '\\u0080' looking for beginning of value"},
    {"\x7f", RP_ERR_SYNTAX, "1:1: invalid character '\\x7f' looking for beginning of value"},
    {"\xa0", RP_ERR_SYNTAX, "1:1: invalid character '\\u00a0' looking for beginning of value"},
    {"\f1", RP_ERR_SYNTAX, "1:1: invalid character '\\f' looking for beginning of value"},
    {"\v1", RP_ERR_SYNTAX, "1:1: invalid character '\\v' looking for beginning of value"},
    {"{\n  \"a\": 1,\n  \"b\": ?\n}", RP_ERR_SYNTAX, "3:8: invalid character '?' looking for beginning of value"},
    {"[\n1,\n2\n", RP_ERR_SYNTAX, "4:1: unexpected end of JSON input"},
    {"{\"a\"", RP_ERR_SYNTAX, "1:5: unexpected end of JSON input"},
    {"{\"a\":", RP_ERR_SYNTAX, "1:6: unexpected end of JSON input"},
    {"[", RP_ERR_SYNTAX, "1:2: unexpected end of JSON input"},
    {"[\"x\"", RP_ERR_SYNTAX, "1:5: unexpected end of JSON input"},
};

static void test_tables(void)
{
    rp_status rc;
    for (size_t i = 0; i < RP_ARRAY_LEN(accept); i++) {
        const char *got = roundtrip(accept[i].src, strlen(accept[i].src), &rc);
        T_CHECKM(rc == RP_OK && strcmp(got, accept[i].want) == 0,
                 "accept[%zu] %s\n    got:  %s\n    want: %s", i, accept[i].src, got, accept[i].want);
    }
    for (size_t i = 0; i < RP_ARRAY_LEN(reject); i++) {
        const char *got = roundtrip(reject[i].src, strlen(reject[i].src), &rc);
        T_CHECKM(rc == reject[i].code && strcmp(got, reject[i].want) == 0,
                 "reject[%zu] %s\n    got:  %d %s\n    want: %d %s", i, reject[i].src, rc, got,
                 reject[i].code, reject[i].want);
    }
    for (size_t i = 0; i < RP_ARRAY_LEN(utf8_cases); i++) {
        rp_error err = {0};
        rego_value v;
        rc = rego_json_parse(A, utf8_cases[i].src, strlen(utf8_cases[i].src), NULL, &v, &err);
        T_CHECKM(rc == RP_OK && v.kind == REGO_STRING && v.n == strlen(utf8_cases[i].want) &&
                     memcmp(v.u.s, utf8_cases[i].want, v.n) == 0,
                 "utf8[%zu] rc=%d %s", i, rc, err.msg);
    }
    /* NUL bytes: inside a string a control character, outside a stray byte */
    const char nul_in_str[] = "\"a\0b\"", nul_after[] = "1\0";
    roundtrip(nul_in_str, sizeof(nul_in_str) - 1, &rc);
    T_CHECK(rc == RP_ERR_SYNTAX);
    T_STREQ(roundtrip(nul_after, sizeof(nul_after) - 1, &rc),
            "1:2: invalid character '\\x00' after top-level value");
    const char esc_nul[] = "\"a\\u0000b\"";
    rp_error err = {0};
    rego_value v;
    T_CHECK(rego_json_parse(A, esc_nul, sizeof(esc_nul) - 1, NULL, &v, &err) == RP_OK &&
            v.n == 3 && v.u.s[1] == 0 && v.u.s[3] == 0);
    /* the reported file is the one given */
    rp_error_clear(&err);
    T_CHECK(rego_json_parse(A, "[", 1, "input.json", &v, &err) == RP_ERR_SYNTAX);
    T_STREQ(err.loc.file, "input.json");
    T_CHECK(err.kind == RP_EK_PARSE);
}

/* Every position of each special byte around the 8-byte scanning stride. */
static void test_string_strides(void)
{
    char src[64], want[64];
    int bad = 0;
    for (size_t len = 0; len < 40; len++) {
        for (size_t at = 0; at < len; at++) {
            static const char special[] = {'"', '\\', '\n', (char)0xC3, 'z'};
            for (size_t k = 0; k < sizeof(special); k++) {
                memset(src, 'a', sizeof(src));
                src[0] = '"';
                src[len + 1] = '"';
                src[at + 1] = special[k];
                size_t n = len + 2;
                rp_error err = {0};
                rego_value v;
                rp_status rc = rego_json_parse(A, src, n, NULL, &v, &err);
                switch (special[k]) {
                case '"': /* the string ends early: what follows is garbage */
                    bad += rc != RP_ERR_SYNTAX;
                    break;
                case '\\': /* \a is not an escape, \" shifts the end */
                    bad += rc != RP_ERR_SYNTAX;
                    break;
                case '\n':
                    bad += !(rc == RP_ERR_SYNTAX && err.loc.col == at + 2);
                    break;
                default: /* a lone 0xC3 becomes U+FFFD; 'z' stays */
                    memset(want, 'a', len);
                    want[at] = special[k];
                    if (special[k] == 'z')
                        bad += !(rc == RP_OK && v.n == len && memcmp(v.u.s, want, len) == 0);
                    else
                        bad += !(rc == RP_OK && v.n == len + 2 &&
                                 memcmp(v.u.s + at, "\xef\xbf\xbd", 3) == 0);
                }
            }
        }
    }
    T_CHECKM(bad == 0, "%d stride cases wrong", bad);
}

static char *nested(size_t depth, bool objects)
{
    size_t cap = depth * 6 + 8, n = 0;
    char *s = malloc(cap);
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(s + n, objects ? "{\"a\":" : "[");
    s[n++] = '1';
    for (size_t i = 0; i < depth; i++)
        s[n++] = objects ? '}' : ']';
    s[n] = 0;
    return s;
}

static void test_depth(void)
{
    for (int objects = 0; objects <= 1; objects++) {
        char *ok = nested(REGO_JSON_MAX_DEPTH, objects);
        char *deep = nested(REGO_JSON_MAX_DEPTH + 1, objects);
        rp_error err = {0};
        rego_value v;
        T_CHECK(rego_json_parse(A, ok, strlen(ok), NULL, &v, &err) == RP_OK);
        rp_error_clear(&err);
        T_CHECK(rego_json_parse(A, deep, strlen(deep), NULL, &v, &err) == RP_ERR_LIMIT);
        T_CHECK(err.loc.line == 1 &&
                err.loc.col == (objects ? 5u : 1u) * REGO_JSON_MAX_DEPTH + 1);
        free(ok);
        free(deep);
    }
    /* 100,000 '[' hit the limit long before the end, with no deep C stack */
    size_t n = 100000;
    char *s = malloc(n);
    memset(s, '[', n);
    rp_error err = {0};
    rego_value v;
    T_CHECK(rego_json_parse(A, s, n, NULL, &v, &err) == RP_ERR_LIMIT);
    T_CHECK(strstr(err.msg, "nesting deeper than") != NULL);
    free(s);
}

/* Parsing under every budget up to success: failures are clean NOMEMs. */
static void test_budgets(void)
{
    const char *doc = "{\"items\":[{\"name\":\"a\",\"labels\":{\"x\":\"1\",\"y\":\"2\"}},"
                      "{\"name\":\"b\\u00e9\",\"n\":123456789012345678901234567890}],"
                      "\"kind\":\"List\",\"z\":[1.5,true,null]}";
    size_t budget;
    int bad = 0;
    for (budget = 16; budget < (1u << 20); budget += 16) {
        rp_arena *a = rp_arena_new(budget);
        rp_error err = {0};
        rego_value v;
        rp_status rc = rego_json_parse(a, doc, strlen(doc), NULL, &v, &err);
        rp_arena_free(a);
        if (rc == RP_OK)
            break;
        bad += rc != RP_ERR_NOMEM;
    }
    T_CHECKM(bad == 0, "%d budgets failed with something other than NOMEM", bad);
    T_CHECK(budget < (1u << 20));
}

/* The input buffer may be freed right after parsing. */
static void test_no_borrow(void)
{
    const char *text = "{\"key\":\"value\",\"k2\":[\"a\\nb\",\"long string value xxxxxxxxxxxxxxxxxxxxxxxxx\"]}";
    char *copy = strdup(text);
    rp_error err = {0};
    rego_value v;
    T_CHECK(rego_json_parse(A, copy, strlen(copy), NULL, &v, &err) == RP_OK);
    memset(copy, 'X', strlen(copy));
    free(copy);
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_JSON);
    T_STREQ(rp_buf_cstr(&b), "{\"k2\":[\"a\\nb\",\"long string value xxxxxxxxxxxxxxxxxxxxxxxxx\"],\"key\":\"value\"}");
    rp_buf_free(&b);
}

static bool write_file(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(s, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static void test_file(void)
{
    char path[] = "/tmp/rampart_test_json_XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    rp_error err = {0};
    rego_value v;
    const char *bom = "\xef\xbb\xbf{\"a\": [1]}";
    T_CHECK(write_file(path, bom, strlen(bom)));
    T_CHECK(rego_json_parse_file(A, path, &v, &err) == RP_OK && v.kind == REGO_OBJECT);
    T_CHECK(write_file(path, "{\"a\": \n[1,]}", 12));
    rp_error_clear(&err);
    T_CHECK(rego_json_parse_file(A, path, &v, &err) == RP_ERR_SYNTAX);
    T_CHECK(err.loc.line == 2 && err.loc.col == 4 && strcmp(err.loc.file, path) == 0);
    unlink(path);
    rp_error_clear(&err);
    T_CHECK(rego_json_parse_file(A, "/nonexistent/x.json", &v, &err) == RP_ERR_IO);
}

static const char *admission_dir(void)
{
    DIR *d = opendir(SHARED_ADMISSION);
    if (d) {
        closedir(d);
        return SHARED_ADMISSION;
    }
    return SHARED_ADMISSION_ALT;
}

/* Every AdmissionReview parses, has a "request", and survives a round trip
 * through the writer unchanged. */
static void test_admission(void)
{
    const char *dir = admission_dir();
    DIR *d = opendir(dir);
    T_CHECKM(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    int files = 0, total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        total++;
        rp_error err = {0};
        rego_value v, req, v2;
        rp_status rc = rego_json_parse_file(A, path, &v, &err);
        T_CHECKM(rc == RP_OK, "%s: %u:%u: %s", e->d_name, err.loc.line, err.loc.col, err.msg);
        if (rc != RP_OK)
            continue;
        files++;
        T_CHECKM(rego_object_get_str(v, "request", 7, rego_hash_str("request", 7), &req) &&
                     req.kind == REGO_OBJECT,
                 "%s: no request object", e->d_name);
        rp_buf b;
        rp_buf_init(&b);
        rego_value_write(&b, v, REGO_FMT_JSON);
        rc = rego_json_parse(A, b.data, b.len, path, &v2, &err);
        T_CHECKM(rc == RP_OK && rego_equal(v, v2), "%s: round trip differs", e->d_name);
        rp_buf_free(&b);
    }
    closedir(d);
    printf("admission reviews parsed: %d of %d\n", files, total);
    T_CHECK(files > 0 && files == total);
}

int main(void)
{
    A = rp_arena_new(0);
    test_tables();
    test_string_strides();
    test_depth();
    test_budgets();
    test_no_borrow();
    test_file();
    test_admission();
    rp_arena_free(A);
    return T_DONE();
}
