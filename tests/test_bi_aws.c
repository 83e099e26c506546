/*
 * test_bi_aws.c — providers.aws.sign_req, called the way the evaluator calls
 * it.  The signed requests are OPA's own (its providers-aws conformance
 * cases, success and failure) plus the AWS documentation's S3 "GET Object"
 * example; the rest probe OPA's error order and texts, and the Go url.Parse
 * port in gourl.c that the URL goes through.
 *
 * A success case is {arguments as a Rego array literal, the expected result
 * as a Rego term}, compared by value; error cases use bi_table.h's form,
 * "!<kind>:<message>" (kind type or builtin).
 */
#include "bi_table.h"

/* The registry refers to group tables weakly; this pulls the group in. */
REGO_BUILTIN_GROUP(aws);

#define CFG "\"aws_access_key\": \"MYAWSACCESSKEYGOESHERE\", \"aws_secret_access_key\": \"MYAWSSECRETACCESSKEYGOESHERE\", \"aws_service\": \"s3\", \"aws_region\": \"us-east-1\""
#define T2015 "1451311705000000000"
#define CRED "AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define BODY_SHA "bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07"
#define RAW_SHA "22906461e2a98a3e780d0fd260e341bed5e544661e97c5936fc7f3af11aaad8b"

typedef struct {
    const char *args, *want;
} acase;

static const acase cases[] = {
    /* OPA's success cases (test/cases/testdata/v1/providers-aws) */
    {"[{\"method\": \"get\", \"url\": \"http://example.com\"}, {" CFG "}, " T2015 "]",
     "{\"headers\": {\"Authorization\": \"" CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" EMPTY_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"http://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"http://example.com\", \"headers\": {\"foo\": \"bar\"}}, {" CFG "}, " T2015 "]",
     "{\"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=8f1dc7c9b9978356a0d0989fd26a95307f4f8a4aa264d8220647b7097d839952\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" EMPTY_SHA "\", \"x-amz-date\": \"20151228T140825Z\", \"foo\": \"bar\"}, \"method\": \"get\", \"url\": \"http://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"http://example.com\"}, {" CFG ", \"aws_session_token\": \"MYAWSSECURITYTOKENGOESHERE\"}, " T2015 "]",
     "{\"headers\": {\"Authorization\": \"" CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,Signature=23c31bda8a74630c0a94f6b82a3511e7e74728df98e6f54ed0840488dbbdc8d1\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" EMPTY_SHA "\", \"x-amz-date\": \"20151228T140825Z\", \"x-amz-security-token\": \"MYAWSSECURITYTOKENGOESHERE\"}, \"method\": \"get\", \"url\": \"http://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"http://example.com\", \"body\": {\"example\": {1, 2, 3, 4}}}, {" CFG "}, " T2015 "]",
     "{\"body\": {\"example\": {1, 2, 3, 4}}, \"headers\": {\"Authorization\": \"" CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=5fb06ab1cfd74c8fcb3af95b8cce696708cf6155d971dac10f254d79799c6e88\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" BODY_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"http://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"http://example.com\", \"raw_body\": \"{\\\"example\\\": {1, 2, 3, 4}}\"}, {" CFG "}, " T2015 "]",
     "{\"headers\": {\"Authorization\": \"" CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=5bf26e169cb8b02330dba39d53932532438fc856c2f10537689a09ed807c7195\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" RAW_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"raw_body\": \"{\\\"example\\\": {1, 2, 3, 4}}\", \"url\": \"http://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"http://example.com\", \"body\": {\"example\": {1, 2, 3, 4}}, \"raw_body\": \"{\\\"example\\\": {1, 2, 3, 4}}\"}, {" CFG "}, " T2015 "]",
     "{\"body\": {\"example\": {1, 2, 3, 4}}, \"headers\": {\"Authorization\": \"" CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=5bf26e169cb8b02330dba39d53932532438fc856c2f10537689a09ed807c7195\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" RAW_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"raw_body\": \"{\\\"example\\\": {1, 2, 3, 4}}\", \"url\": \"http://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"https://example.com\", \"headers\": {\"foo\": \"bar\"}}, {" CFG ", \"disable_payload_signing\": false}, " T2015 "]",
     "{\"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=8f1dc7c9b9978356a0d0989fd26a95307f4f8a4aa264d8220647b7097d839952\", \"foo\": \"bar\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" EMPTY_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"https://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"https://example.com\", \"headers\": {\"foo\": \"bar\"}}, {" CFG ", \"disable_payload_signing\": true}, " T2015 "]",
     "{\"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=c6e6db654e92172f71e18c714c123711de069ac6fd7df1348e5b28fd05532028\", \"foo\": \"bar\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"UNSIGNED-PAYLOAD\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"https://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"https://example.com\", \"headers\": {\"foo\": \"bar\"}, \"body\": {\"example\": {1, 2, 3, 4}}}, {" CFG ", \"disable_payload_signing\": false}, " T2015 "]",
     "{\"body\": {\"example\": {1, 2, 3, 4}}, \"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=f6703a8727ec0a32f81b225a002f622e511e8a7d2ca8914894fcbb7a71d8d9d8\", \"foo\": \"bar\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" BODY_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"https://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"https://example.com\", \"headers\": {\"foo\": \"bar\"}, \"body\": {\"example\": {1, 2, 3, 4}}}, {" CFG ", \"disable_payload_signing\": true}, " T2015 "]",
     "{\"body\": {\"example\": {1, 2, 3, 4}}, \"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=c6e6db654e92172f71e18c714c123711de069ac6fd7df1348e5b28fd05532028\", \"foo\": \"bar\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"UNSIGNED-PAYLOAD\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"https://example.com\"}"},
    /* a request header overrides the generated one when signing, but not in the result */
    {"[{\"method\": \"get\", \"url\": \"https://example.com\", \"headers\": {\"foo\": \"bar\", \"x-amz-content-sha256\": \"existing-value\"}, \"body\": {\"example\": {1, 2, 3, 4}}}, {" CFG ", \"disable_payload_signing\": false}, " T2015 "]",
     "{\"body\": {\"example\": {1, 2, 3, 4}}, \"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=42bcac7fc6d170e09be72fdf38b62e59361265bc59d5f9156f0d6faf889e98ba\", \"foo\": \"bar\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"" BODY_SHA "\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"https://example.com\"}"},
    {"[{\"method\": \"get\", \"url\": \"https://example.com\", \"headers\": {\"foo\": \"bar\", \"x-amz-content-sha256\": \"existing-value\"}, \"body\": {\"example\": {1, 2, 3, 4}}}, {" CFG ", \"disable_payload_signing\": true}, " T2015 "]",
     "{\"body\": {\"example\": {1, 2, 3, 4}}, \"headers\": {\"Authorization\": \"" CRED "SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=edcd3ca3fd3acdfbcecad1a1d8062dbc6562d90352e294c336f9727397f9c383\", \"foo\": \"bar\", \"host\": \"example.com\", \"x-amz-content-sha256\": \"UNSIGNED-PAYLOAD\", \"x-amz-date\": \"20151228T140825Z\"}, \"method\": \"get\", \"url\": \"https://example.com\"}"},
    /* the AWS documentation's S3 GET Object example (sig-v4-header-based-auth) */
    {"[{\"method\": \"GET\", \"url\": \"https://examplebucket.s3.amazonaws.com/test.txt\", \"headers\": {\"Range\": \"bytes=0-9\"}}, {\"aws_access_key\": \"AKIAIOSFODNN7EXAMPLE\", \"aws_secret_access_key\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\", \"aws_service\": \"s3\", \"aws_region\": \"us-east-1\"}, 1369353600000000000]",
     "{\"headers\": {\"Authorization\": \"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\", \"Range\": \"bytes=0-9\", \"host\": \"examplebucket.s3.amazonaws.com\", \"x-amz-content-sha256\": \"" EMPTY_SHA "\", \"x-amz-date\": \"20130524T000000Z\"}, \"method\": \"GET\", \"url\": \"https://examplebucket.s3.amazonaws.com/test.txt\"}"},

};

#define SIGN "providers.aws.sign_req"

static const bt_case error_cases[] = {
    /* OPA's failure cases (the providers-aws conformance directory) */
    {SIGN, "[{}, {" CFG ", \"aws_session_token\": \"x\"}, " T2015 "]",
     "!type:providers.aws.sign_req: operand 1 missing required request parameters(s): {\"method\", \"url\"}"},
    {SIGN, "[{\"method\": set(), \"url\": set()}, {" CFG "}, " T2015 "]",
     "!type:providers.aws.sign_req: operand 1 invalid values for required request parameters(s): {\"method\", \"url\"}"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://example.com\"}, {\"example\": \"example\"}, " T2015 "]",
     "!type:providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {\"aws_access_key\", \"aws_region\", \"aws_secret_access_key\", \"aws_service\"}"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://example.com\"}, {\"aws_access_key\": 1, \"aws_secret_access_key\": 2, \"aws_session_token\": 3, \"aws_service\": 4, \"aws_region\": 5}, " T2015 "]",
     "!type:providers.aws.sign_req: operand 2 invalid values for required AWS config parameters(s): {\"aws_access_key\", \"aws_region\", \"aws_secret_access_key\", \"aws_service\"}"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://example.com\"}, {" CFG "}, -1e9]",
     "!type:providers.aws.sign_req: operand 3 could not convert time_ns value into a unix timestamp"},

    /* OPA's order and operand numbers, quirks included */
    {SIGN, "[1, {" CFG "}, 0]", "!type:providers.aws.sign_req: operand 1 must be object but got number"},
    {SIGN, "[{}, \"cfg\", 0]", "!type:providers.aws.sign_req: operand 1 must be object but got string"},
    {SIGN, "[{}, {\"aws_service\": 1}, 0]",
     "!type:providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {\"aws_access_key\", \"aws_region\", \"aws_secret_access_key\"}"},
    {SIGN, "[{}, {" CFG "}, \"0\"]", "!type:providers.aws.sign_req: operand 1 must be number but got string"},
    {SIGN, "[{}, {" CFG "}, 1.0]", "!type:providers.aws.sign_req: operand 3 could not convert time_ns value into a unix timestamp"},
    {SIGN, "[{}, {" CFG "}, 99999999999999999999]", "!type:providers.aws.sign_req: operand 3 could not convert time_ns value into a unix timestamp"},
    {SIGN, "[{\"method\": \"get\", \"urls\": \"x\", 7: 1}, {" CFG "}, 0]",
     "!type:providers.aws.sign_req: operand 1 invalid request parameters(s): {7, \"urls\"}"},
    {SIGN, "[{\"method\": \"get\"}, {" CFG "}, 0]",
     "!type:providers.aws.sign_req: operand 1 missing required request parameters(s): {\"url\"}"},
    {SIGN, "[{\"method\": \"get\", \"url\": 1, \"headers\": []}, {" CFG "}, 0]",
     "!type:providers.aws.sign_req: operand 0 must be object but got array"},
    {SIGN, "[{\"method\": \"get\", \"url\": 1}, {" CFG "}, 0]",
     "!type:providers.aws.sign_req: operand 1 invalid values for required request parameters(s): {\"url\"}"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://a\"}, {" CFG ", \"disable_payload_signing\": \"yes\"}, 0]",
     "!type:providers.aws.sign_req: operand 2 invalid value for 'disable_payload_signing' in AWS config"},
    /* Go url.Parse errors are builtin errors */
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://a b/\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"http://a b/\": invalid character \" \" in host name"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"://x\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"://x\": missing protocol scheme"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://x/%zz\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"http://x/%zz\": invalid URL escape \"%zz\""},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://x:8o/\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"http://x:8o/\": invalid port \":8o\" after host"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"a:b/c\\x01\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"a:b/c\\x01\": net/url: invalid control character in URL"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"1a:b\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"1a:b\": first path segment in URL cannot contain colon"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://[::1/\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"http://[::1/\": missing ']' in host"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://u\\xc3\\xa9@x/\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"http://u\xc3\xa9@x/\": net/url: invalid userinfo"},
    {SIGN, "[{\"method\": \"get\", \"url\": \"http://x/#%g\"}, {" CFG "}, 0]",
     "!builtin:providers.aws.sign_req: parse \"http://x/#%g\": invalid URL escape \"%g\""},
};

/* The canonical request's path and query are Go's EscapedPath and RawQuery:
 * signatures of equivalent URLs differ exactly when those differ. */
static const struct {
    const char *url1, *url2;
    bool same;
} url_pairs[] = {
    {"http://h/a b", "http://h/a%20b", true},
    {"http://h/a%2fb", "http://h/a/b", false},   /* RawPath kept */
    {"http://h/?b=1&a=2", "http://h/?a=2&b=1", false}, /* query not sorted */
    {"http://h/x#frag", "http://h/x", true},      /* fragment not signed */
    {"HTTP://h/x", "http://h/x", true},
    {"http://h:80/x", "http://h/x", false},       /* host header keeps the port */
    {"http://user:pw@h/x", "http://h/x", true},
};

static rego_value sign_url(struct rego_evalctx *ev, const char *url)
{
    char args[512], out[4096];
    snprintf(args, sizeof(args), "[{\"method\": \"GET\", \"url\": \"%s\"}, {" CFG "}, " T2015 "]",
             url);
    const rego_builtin *bi = rego_builtin_find("providers.aws.sign_req", 22);
    rego_value a = bt_term(ev->arena, args), v = rego_undef();
    rp_error err = {0};
    rp_loc loc = {"t.rego", 1, 1};
    if (rego_builtin_call(bi, ev, loc, a.u.items, &v, &err) != RP_OK) {
        snprintf(out, sizeof(out), "%s", err.msg);
        T_CHECKM(0, "%s: %s", url, out);
        return rego_undef();
    }
    rego_value headers, auth;
    rego_object_get_str(v, "headers", 7, rego_hash_str("headers", 7), &headers);
    rego_object_get_str(headers, "Authorization", 13, rego_hash_str("Authorization", 13), &auth);
    return auth;
}

static void run_cases(void)
{
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    for (size_t i = 0; i < RP_ARRAY_LEN(cases); i++) {
        const acase *c = &cases[i];
        const rego_builtin *bi = rego_builtin_find("providers.aws.sign_req", 22);
        rego_value args = bt_term(a, c->args), want = bt_term(a, c->want), v;
        rp_error err = {0};
        rp_loc loc = {"t.rego", 1, 1};
        rp_status st = rego_builtin_call(bi, &ev, loc, args.u.items, &v, &err);
        rp_buf b;
        rp_buf_init(&b);
        if (st == RP_OK)
            rego_value_write(&b, v, REGO_FMT_REGO);
        T_CHECKM(st == RP_OK && rego_equal(v, want), "case %zu: %s\n    got:  %s\n    want: %s",
                 i, c->args, st == RP_OK ? rp_buf_cstr(&b) : err.msg, c->want);
        rp_buf_free(&b);
    }
    for (size_t i = 0; i < RP_ARRAY_LEN(url_pairs); i++) {
        rego_value s1 = sign_url(&ev, url_pairs[i].url1), s2 = sign_url(&ev, url_pairs[i].url2);
        T_CHECKM(!rego_is_undef(s1) && rego_equal(s1, s2) == url_pairs[i].same,
                 "%s vs %s: signatures should %s", url_pairs[i].url1, url_pairs[i].url2,
                 url_pairs[i].same ? "match" : "differ");
    }
    rp_arena_free(a);
}

int main(void)
{
    T_CHECK(rego_builtins_aws[0].name != NULL);
    run_cases();
    BT_RUN(error_cases, 0);
    return T_DONE();
}
