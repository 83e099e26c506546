/*
 * test_bi_encoding.c — the "encoding" builtins: json.*, base64*, hex.*,
 * urlquery.*, yaml.*, called the way the evaluator calls them.  Expected
 * outputs and error texts are what OPA (Go's encoding/json, encoding/base64,
 * encoding/hex, net/url and sigs.k8s.io/yaml) produces; the cases cover
 * OPA's conformance directories base64builtins, hexbuiltins, jsonbuiltins and
 * urlbuiltins plus edge cases.
 *
 * Values are written as JSON; {"$set": [...]} stands for a set and
 * {"$obj": [[k, v], ...]} for an object with non-string keys.
 */
#include "bi_json.h"
#include "rego/limits.h"

REGO_BUILTIN_GROUP(encoding); /* its table is walked below */

static const bcase cases[] = {
    /* json.marshal: sets become arrays, keys sorted bytewise, HTML-safe */
    {"json.marshal", "[[{\"foo\":{\"$set\":[1,2,3]}}]]", "\"[{\\\"foo\\\":[1,2,3]}]\"", NULL},
    {"json.marshal", "[{\"b\":1,\"a\":[true,null,\"x\"]}]", "\"{\\\"a\\\":[true,null,\\\"x\\\"],\\\"b\\\":1}\"", NULL},
    {"json.marshal", "[\"<a&b>\"]", "\"\\\"\\\\u003ca\\\\u0026b\\\\u003e\\\"\"", NULL},
    {"json.marshal", "[{\"$obj\":[[10,\"a\"],[9,\"b\"],[[1],\"c\"]]}]", "\"{\\\"10\\\":\\\"a\\\",\\\"9\\\":\\\"b\\\",\\\"[1]\\\":\\\"c\\\"}\"", NULL},
    {"json.marshal", "[{\"$obj\":[[1,\"num\"],[\"1\",\"str\"]]}]", "\"{\\\"1\\\":\\\"str\\\"}\"", NULL},
    {"json.marshal", "[1.5]", "\"1.5\"", NULL},
    {"json.marshal", "[12345678901234567890123]", "\"12345678901234567890123\"", NULL},
    {"json.marshal", "[{}]", "\"{}\"", NULL},
    /* json.marshal_with_options */
    {"json.marshal_with_options", "[{\"a\":[1,2],\"b\":{}},{\"pretty\":true}]", "\"{\\n\\t\\\"a\\\": [\\n\\t\\t1,\\n\\t\\t2\\n\\t],\\n\\t\\\"b\\\": {}\\n}\"", NULL},
    {"json.marshal_with_options", "[{\"a\":[1]},{\"indent\":\"  \",\"prefix\":\"> \"}]", "\"> {\\n>   \\\"a\\\": [\\n>     1\\n>   ]\\n> }\"", NULL},
    {"json.marshal_with_options", "[{\"a\":[1]},{\"indent\":\"  \",\"pretty\":false}]", "\"{\\\"a\\\":[1]}\"", NULL},
    {"json.marshal_with_options", "[[],{\"prefix\":\"x\"}]", "\"x[]\"", NULL},
    {"json.marshal_with_options", "[1,{}]", "\"1\"", NULL},
    {"json.marshal_with_options", "[1,[]]", NULL, "T:json.marshal_with_options: operand 2 must be object but got array"},
    {"json.marshal_with_options", "[1,{\"colour\":1}]", NULL, "T:json.marshal_with_options: operand 2 object contained unknown key colour"},
    {"json.marshal_with_options", "[1,{\"pretty\":1}]", NULL, "T:operand 2 key pretty failed cast to bool"},
    {"json.marshal_with_options", "[1,{\"indent\":1}]", NULL, "T:operand 2 key indent failed cast to string: operand 0 must be string but got number"},
    {"json.marshal_with_options", "[1,{\"pretty\":true,\"prefix\":2}]", NULL, "T:operand 2 key prefix failed cast to string: operand 0 must be string but got number"},
    {"json.marshal_with_options", "[1,{\"$obj\":[[7,1]]}]", NULL, "T:operand 2 failed to stringify key 7 at index 0: operand 0 must be string but got number"},
    /* json.unmarshal: Go's decoder and its messages */
    {"json.unmarshal", "[\"[{\\\"foo\\\":[1,2,3]}]\"]", "[{\"foo\":[1,2,3]}]", NULL},
    {"json.unmarshal", "[\" {\\\"a\\\": null} \"]", "{\"a\":null}", NULL},
    {"json.unmarshal", "[\"1 null\"]", "1", NULL},
    {"json.unmarshal", "[1]", NULL, "T:json.unmarshal: operand 1 must be string but got number"},
    {"json.unmarshal", "[\"\"]", NULL, "B:json.unmarshal: EOF"},
    {"json.unmarshal", "[\"  \"]", NULL, "B:json.unmarshal: EOF"},
    {"json.unmarshal", "[\"[1,2\"]", NULL, "B:json.unmarshal: unexpected EOF"},
    {"json.unmarshal", "[\"plainstring\"]", NULL, "B:json.unmarshal: invalid character 'p' looking for beginning of value"},
    {"json.unmarshal", "[\"[1,]\"]", NULL, "B:invalid character ']' looking for beginning of value"},
    {"json.unmarshal", "[\"{1:2}\"]", NULL, "B:invalid character '1' looking for beginning of object key string"},
    {"json.unmarshal", "[\"{\\\"a\\\" 1}\"]", NULL, "B:invalid character '1' after object key"},
    {"json.unmarshal", "[\"{\\\"a\\\":1 2}\"]", NULL, "B:invalid character '2' after object key:value pair"},
    {"json.unmarshal", "[\"[1 2]\"]", NULL, "B:invalid character '2' after array element"},
    {"json.unmarshal", "[\"tru\"]", NULL, "B:unexpected EOF"},
    {"json.unmarshal", "[\"trux\"]", NULL, "B:invalid character 'x' in literal true (expecting 'e')"},
    {"json.unmarshal", "[\"nul\\\"\"]", NULL, "B:invalid character '\"' in literal null (expecting 'l')"},
    {"json.unmarshal", "[\"01\"]", NULL, "B:json.unmarshal: error: invalid character '1' after top-level value"},
    {"json.unmarshal", "[\"-x\"]", NULL, "B:invalid character 'x' in numeric literal"},
    {"json.unmarshal", "[\"1.x\"]", NULL, "B:invalid character 'x' after decimal point in numeric literal"},
    {"json.unmarshal", "[\"1e+x\"]", NULL, "B:invalid character 'x' in exponent of numeric literal"},
    {"json.unmarshal", "[\"\\\"a\\\\qb\\\"\"]", NULL, "B:invalid character 'q' in string escape code"},
    {"json.unmarshal", "[\"\\\"\\\\u12x4\\\"\"]", NULL, "B:invalid character 'x' in \\u hexadecimal character escape"},
    {"json.unmarshal", "[\"\\\"a\\tb\\\"\"]", NULL, "B:invalid character '\\t' in string literal"},
    {"json.unmarshal", "[\"'a'\"]", NULL, "B:invalid character '\\'' looking for beginning of value"},
    {"json.unmarshal", "[\"\\u00e9\"]", NULL, "B:invalid character '\u00c3' looking for beginning of value"},
    {"json.unmarshal", "[\"1 x\"]", NULL, "B:json.unmarshal: invalid character 'x' looking for beginning of value"},
    {"json.unmarshal", "[\"1 ]\"]", NULL, "B:invalid character ']' looking for beginning of value"},
    {"json.unmarshal", "[\"1 [2]\"]", NULL, "B:json.unmarshal: error: invalid character '[' after top-level value"},
    {"json.unmarshal", "[\"{} {\"]", NULL, "B:error: invalid character '{' after top-level value"},
    {"json.unmarshal", "[\"1 2\"]", NULL, "B:error: invalid character '2' after top-level value"},
    {"json.unmarshal", "[\"1 \\\"ab\\\"\"]", NULL, "B:error: invalid character 'ab' after top-level value"},
    {"json.unmarshal", "[\"1 true\"]", NULL, "B:error: invalid character '%!s(bool=true)' after top-level value"},
    {"json.unmarshal", "[\"1 \\\"ab\"]", NULL, "B:json.unmarshal: unexpected EOF"},
    /* json.is_valid */
    {"json.is_valid", "[\"plainstring\"]", "false", NULL},
    {"json.is_valid", "[\"{\"]", "false", NULL},
    {"json.is_valid", "[\"{\\\"json\\\": \\\"ok\\\"}\"]", "true", NULL},
    {"json.is_valid", "[1]", "false", NULL},
    {"json.is_valid", "[\"\"]", "false", NULL},
    {"json.is_valid", "[\" 1 \"]", "true", NULL},
    {"json.is_valid", "[\"1 null\"]", "false", NULL},
    {"json.is_valid", "[\"[1,2,{\\\"a\\\":[true,false,null,-0.5e+3]}]\"]", "true", NULL},
    /* base64 */
    {"base64.encode", "[\"hello\"]", "\"aGVsbG8=\"", NULL},
    {"base64.encode", "[\"there\"]", "\"dGhlcmU=\"", NULL},
    {"base64.encode", "[\"subjects?_d\"]", "\"c3ViamVjdHM/X2Q=\"", NULL},
    {"base64.encode", "[\"\"]", "\"\"", NULL},
    {"base64.encode", "[\"ab\"]", "\"YWI=\"", NULL},
    {"base64.encode", "[1]", NULL, "T:base64.encode: operand 1 must be string but got number"},
    {"base64.decode", "[\"aGVsbG8=\"]", "\"hello\"", NULL},
    {"base64.decode", "[\"dGhlcmU=\"]", "\"there\"", NULL},
    {"base64.decode", "[\"c3ViamVjdHM/X2Q=\"]", "\"subjects?_d\"", NULL},
    {"base64.decode", "[\"aGVs\\nbG8=\"]", "\"hello\"", NULL},
    {"base64.decode", "[\"\"]", "\"\"", NULL},
    {"base64.decode", "[\"aGVsbG8\"]", NULL, "B:base64.decode: illegal base64 data at input byte 4"},
    {"base64.decode", "[\"a\"]", NULL, "B:illegal base64 data at input byte 0"},
    {"base64.decode", "[\"aGVsbG8=x\"]", NULL, "B:illegal base64 data at input byte 8"},
    {"base64.decode", "[\"aG=\"]", NULL, "B:illegal base64 data at input byte 3"},
    {"base64.decode", "[\"a===\"]", NULL, "B:illegal base64 data at input byte 1"},
    {"base64.decode", "[\"aG=x\"]", NULL, "B:illegal base64 data at input byte 2"},
    {"base64.decode", "[\"aG!x\"]", NULL, "B:illegal base64 data at input byte 2"},
    {"base64.decode", "[\"c3ViamVjdHM_X2Q=\"]", NULL, "B:illegal base64 data at input byte 11"},
    {"base64.is_valid", "[\"aGVsbG8=\"]", "true", NULL},
    {"base64.is_valid", "[\"{'not':'base64'}\"]", "false", NULL},
    {"base64.is_valid", "[7]", "false", NULL},
    /* base64url */
    {"base64url.encode", "[\"subjects?_d\"]", "\"c3ViamVjdHM_X2Q=\"", NULL},
    {"base64url.encode_no_pad", "[\"subjects?_d\"]", "\"c3ViamVjdHM_X2Q\"", NULL},
    {"base64url.encode_no_pad", "[\"42\"]", "\"NDI\"", NULL},
    {"base64url.decode", "[\"c3ViamVjdHM_X2Q=\"]", "\"subjects?_d\"", NULL},
    {"base64url.decode", "[\"c3ViamVjdHM_X2Q\"]", "\"subjects?_d\"", NULL},
    {"base64url.decode", "[\"NDI\"]", "\"42\"", NULL},
    {"base64url.decode", "[\"YQ\"]", "\"a\"", NULL},
    {"base64url.decode", "[\"YWJj\"]", "\"abc\"", NULL},
    {"base64url.decode", "[\"YWJjZ\"]", NULL, "B:base64url.decode: illegal base64url string: YWJjZ"},
    {"base64url.decode", "[\"c3ViamVjdHM/X2Q=\"]", NULL, "B:illegal base64 data at input byte 11"},
    /* hex */
    {"hex.encode", "[\"lorem ipsum\"]", "\"6c6f72656d20697073756d\"", NULL},
    {"hex.decode", "[\"6c6f72656d20697073756d\"]", "\"lorem ipsum\"", NULL},
    {"hex.decode", "[\"6C6F\"]", "\"lo\"", NULL},
    {"hex.decode", "[\"fghijkl\"]", NULL, "B:hex.decode: encoding/hex: invalid byte: U+0067 'g'"},
    {"hex.decode", "[\"abc\"]", NULL, "B:hex.decode: encoding/hex: odd length hex string"},
    {"hex.decode", "[\"abz\"]", NULL, "B:encoding/hex: invalid byte: U+007A 'z'"},
    {"hex.decode", "[\"a\\n\"]", NULL, "B:encoding/hex: invalid byte: U+000A"},
    {"hex.decode", "[\"a\\u00e9\"]", NULL, "B:encoding/hex: invalid byte: U+00C3 '\u00c3'"},
    {"hex.decode", "[1]", NULL, "T:hex.decode: operand 1 must be string but got number"},
    /* urlquery */
    {"urlquery.encode", "[\"a=b+1\"]", "\"a%3Db%2B1\"", NULL},
    {"urlquery.encode", "[\"\"]", "\"\"", NULL},
    {"urlquery.encode", "[\"a b~c-d_e.f/g?h\\u00e9\"]", "\"a+b~c-d_e.f%2Fg%3Fh%C3%A9\"", NULL},
    {"urlquery.decode", "[\"a%3Db%2B1\"]", "\"a=b+1\"", NULL},
    {"urlquery.decode", "[\"a+b%20c\"]", "\"a b c\"", NULL},
    {"urlquery.decode", "[\"%zz\"]", NULL, "B:urlquery.decode: invalid URL escape \"%zz\""},
    {"urlquery.decode", "[\"abc%\"]", NULL, "B:invalid URL escape \"%\""},
    {"urlquery.decode", "[\"abc%4\"]", NULL, "B:invalid URL escape \"%4\""},
    {"urlquery.encode_object", "[{\"a\":\"c=b+1\"}]", "\"a=c%3Db%2B1\"", NULL},
    {"urlquery.encode_object", "[{\"a\":[\"b+1\",\"c+2\"]}]", "\"a=b%2B1&a=c%2B2\"", NULL},
    {"urlquery.encode_object", "[{\"b\":{\"$set\":[\"y\",\"x\"]},\"a\":\"1\",\"c\":[]}]", "\"a=1&b=x&b=y\"", NULL},
    {"urlquery.encode_object", "[{\"a\":1}]", NULL, "T:urlquery.encode_object: operand 1 values must be string, array[string], or set[string]"},
    {"urlquery.encode_object", "[{\"a\":[1]}]", NULL, "T:operand 1 values must be string, array[string], or set[string]"},
    {"urlquery.encode_object", "[[1]]", NULL, "T:urlquery.encode_object: operand 1 must be object but got array"},
    {"urlquery.decode_object", "[\"a=value_a1&b=value_b&a=value_a2\"]", "{\"a\":[\"value_a1\",\"value_a2\"],\"b\":[\"value_b\"]}", NULL},
    {"urlquery.decode_object", "[\"a=value_a1&b\"]", "{\"a\":[\"value_a1\"],\"b\":[\"\"]}", NULL},
    {"urlquery.decode_object", "[\"\"]", "{}", NULL},
    {"urlquery.decode_object", "[\"&&x=1=2&\"]", "{\"x\":[\"1=2\"]}", NULL},
    {"urlquery.decode_object", "[\"a=1;b=2\"]", NULL, "B:urlquery.decode_object: invalid semicolon separator in query"},
    {"urlquery.decode_object", "[\"a=%zz&b=%yy\"]", NULL, "B:invalid URL escape \"%zz\""},
    {"urlquery.decode_object", "[\"a=%zz&b;\"]", NULL, "B:invalid semicolon separator in query"},
    /* yaml.marshal: go-yaml v2's output after the JSON round trip */
    {"yaml.marshal", "[[{\"foo\":{\"$set\":[1,2,3]}}]]", "\"- foo:\\n  - 1\\n  - 2\\n  - 3\\n\"", NULL},
    {"yaml.marshal", "[{\"b\":[1,[2,3]],\"a\":{\"x\":null,\"y\":true}}]", "\"a:\\n  x: null\\n  \\\"y\\\": true\\nb:\\n- 1\\n- - 2\\n  - 3\\n\"", NULL},
    {"yaml.marshal", "[{\"a\":[],\"b\":{},\"c\":\"\"}]", "\"a: []\\nb: {}\\nc: \\\"\\\"\\n\"", NULL},
    {"yaml.marshal", "[\"foo\"]", "\"foo\\n\"", NULL},
    {"yaml.marshal", "[null]", "\"null\\n\"", NULL},
    {"yaml.marshal", "[[]]", "\"[]\\n\"", NULL},
    {"yaml.marshal", "[1.5]", "\"1.5\\n\"", NULL},
    {"yaml.marshal", "[1.0]", "\"1\\n\"", NULL},
    {"yaml.marshal", "[1e6]", "\"1e+06\\n\"", NULL},
    {"yaml.marshal", "[123456.0]", "\"123456\\n\"", NULL},
    {"yaml.marshal", "[0.00001]", "\"1e-05\\n\"", NULL},
    {"yaml.marshal", "[18446744073709551615]", "\"18446744073709551615\\n\"", NULL},
    {"yaml.marshal", "[18446744073709551616]", "\"1.8446744073709552e+19\\n\"", NULL},
    {"yaml.marshal", "[[\"true\",\"1\",\"\",\"null\",\"~\",\"yes\",\"off\",\"1.5\",\"-2\",\"0x1F\",\"2024-01-15\",\"10:30\",\"1e400\",\"08\"]]",
     "\"- \\\"true\\\"\\n- \\\"1\\\"\\n- \\\"\\\"\\n- \\\"null\\\"\\n- \\\"~\\\"\\n- \\\"yes\\\"\\n- \\\"off\\\"\\n- \\\"1.5\\\"\\n- \\\"-2\\\"\\n- \\\"0x1F\\\"\\n- \\\"2024-01-15\\\"\\n- \\\"10:30\\\"\\n- 1e400\\n- \\\"08\\\"\\n\"", NULL},
    {"yaml.marshal", "[[\"a: b\",\"- x\",\"#c\",\"a #b\",\"a#b\",\" lead\",\"trail \",\"it's\",\"@x\",\"x: \",\"2024-13-01\",\"<<\",\"-\",\"a:b\"]]",
     "\"- 'a: b'\\n- '- x'\\n- '#c'\\n- 'a #b'\\n- a#b\\n- ' lead'\\n- 'trail '\\n- it's\\n- '@x'\\n- 'x: '\\n- 2024-13-01\\n- <<\\n- '-'\\n- a:b\\n\"", NULL},
    {"yaml.marshal", "[{\"k\":\"line1\\nline2\"}]", "\"k: |-\\n  line1\\n  line2\\n\"", NULL},
    {"yaml.marshal", "[{\"k\":\"line1\\n\"}]", "\"k: |\\n  line1\\n\"", NULL},
    {"yaml.marshal", "[{\"k\":\"a\\n\\n\"}]", "\"k: |+\\n  a\\n\\n\"", NULL},
    {"yaml.marshal", "[{\"k\":\" a\\nb\"}]", "\"k: |2-\\n   a\\n  b\\n\"", NULL},
    {"yaml.marshal", "[\"tab\\there\"]", "\"\\\"tab\\\\there\\\"\\n\"", NULL},
    {"yaml.marshal", "[\"caf\\u00e9 \\ud83d\\ude00\"]", "\"\\\"caf\\u00e9 \\\\U0001F600\\\"\\n\"", NULL},
    {"yaml.marshal", "[{\"a10\":1,\"a2\":2,\"B\":3,\"a\":4,\"_x\":5,\"1\":6}]", "\"_x: 5\\n\\\"1\\\": 6\\nB: 3\\na: 4\\na2: 2\\na10: 1\\n\"", NULL},
    {"yaml.marshal", "[{\"$obj\":[[1,\"a\"],[[1],\"b\"]]}]", "\"'[1]': b\\n\\\"1\\\": a\\n\"", NULL},
    {"yaml.marshal", "[\"aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii\"]",
     "\"aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh\\n  iiiiiiiiii\\n\"", NULL},
    {"yaml.marshal", "[\"\\u007f\"]", NULL, "B:yaml.marshal: error converting JSON to YAML: yaml: control characters are not allowed"},
    {"yaml.marshal", "[\"a\\u0000b\"]", "\"\\\"a\\\\0b\\\"\\n\"", NULL},
    /* yaml.unmarshal / yaml.is_valid */
    {"yaml.unmarshal", "[\"foo:\\n- qux: bar\\n- baz: 2\\n\"]", "{\"foo\":[{\"qux\":\"bar\"},{\"baz\":2}]}", NULL},
    {"yaml.unmarshal", "[\"- foo:\\n  - 1\\n  - 2\\n\"]", "[{\"foo\":[1,2]}]", NULL},
    {"yaml.unmarshal", "[\"[1,2,3\"]", NULL, "B:yaml: line 1: did not find"},
    {"yaml.unmarshal", "[5]", NULL, "T:yaml.unmarshal: operand 1 must be string but got number"},
    {"yaml.is_valid", "[\"foo:\\n - qux: bar\\n - baz: 2\"]", "true", NULL},
    {"yaml.is_valid", "[\"foo:\\n - qux: bar\\n - baz: {\"]", "false", NULL},
    {"yaml.is_valid", "[\"{\\\"json\\\": \\\"ok\\\"}\"]", "true", NULL},
    {"yaml.is_valid", "[1]", "false", NULL},
};

/* yaml.marshal output read back with yaml.unmarshal gives the value back. */
static void test_yaml_roundtrip(void)
{
    static const char *const docs[] = {
        "[{\"foo\":[1,2,3]}]",
        "{\"a\":{\"b\":[{\"c\":\"x y\",\"d\":[[],{}]}]},\"e\":\"multi\\nline\\n\",\"f\":\"'q'\"}",
        "[\"true\",\"no\",\"0o17\",\"1_000\",\"2001-12-14 21:59:43.10\",\": x\",\"? y\",\"%z\",\"\\\"\"]",
        "{\"long\":\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz zzzzzzzzzzzzzzzzzzzzzz 'q' zz\"}",
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(docs); i++) {
        rego_value v = V(docs[i]), y, back;
        rp_error err = {0};
        rego_value a1[1] = {v};
        bool ok = call("yaml.marshal", rego_array_borrow(a1, 1), &y, &err) == RP_OK;
        rego_value a2[1] = {y};
        ok = ok && call("yaml.unmarshal", rego_array_borrow(a2, 1), &back, &err) == RP_OK;
        T_CHECKM(ok && rego_equal(v, back), "yaml round trip %s: %s", docs[i],
                 ok ? bt_show(back, REGO_FMT_REGO) : err.msg);
    }
}

static void test_depth(void)
{
    /* Go's scanner allows 10000 levels of nesting. */
    size_t n = 10001;
    char *s = malloc(2 * n + 1);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = 0;
    rego_value out, arg[1];
    rp_error err = {0};
    arg[0] = rego_str(A, s + 1, 2 * n - 2);
    T_CHECK(call("json.is_valid", rego_array_borrow(arg, 1), &out, &err) == RP_OK && out.u.b);
    arg[0] = rego_str(A, s, 2 * n);
    T_CHECK(call("json.is_valid", rego_array_borrow(arg, 1), &out, &err) == RP_OK && !out.u.b);
    rp_error_clear(&err);
    T_CHECK(call("json.unmarshal", rego_array_borrow(arg, 1), &out, &err) == RP_ERR_EVAL &&
            strstr(err.msg, "invalid character '[' exceeded max depth"));
    free(s);

    /* marshalling a value nested beyond REGO_VALUE_MAX_DEPTH is a limit error */
    arg[0] = bt_nest_arrays(A, rego_int(1), REGO_VALUE_MAX_DEPTH + 2);
    rp_error_clear(&err);
    T_CHECK(call("json.marshal", rego_array_borrow(arg, 1), &out, &err) == RP_ERR_LIMIT);
    rp_error_clear(&err);
    T_CHECK(call("yaml.marshal", rego_array_borrow(arg, 1), &out, &err) == RP_ERR_LIMIT);
}

int main(void)
{
    A = rp_arena_new(0);
    T_CHECK(rego_builtins_encoding[0].name != NULL);
    BJ_RUN(cases, BJ_PART);
    test_yaml_roundtrip();
    test_depth();
    rp_arena_free(A);
    return T_DONE();
}
