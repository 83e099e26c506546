/*
 * aws.c — the builtin group "aws": providers.aws.sign_req(request,
 * aws_config, time_ns), AWS Signature Version 4 by the Authorization header
 * method, computed the way OPA's internal/providers/aws SignV4 computes it
 * (HMAC-SHA256 and SHA-256 from OpenSSL).
 *
 * What OPA signs (and so what we sign), which differs from the AWS
 * reference signer in places:
 *  - the canonical request is  METHOD "\n" EscapedPath "\n" RawQuery "\n"
 *    headers "\n" signed-header-list "\n" payload-hash, where METHOD is the
 *    request's method as given (not upper-cased), EscapedPath is Go's
 *    url.URL.EscapedPath() (the caller's %-encoding kept), and RawQuery is
 *    the query exactly as written (not sorted or re-encoded);
 *  - signed headers are host, x-amz-date, x-amz-content-sha256 (services
 *    "s3" and "glacier" only), x-amz-security-token (when a session token is
 *    configured) and every request header except authorization, user-agent
 *    and x-amzn-trace-id, lower-cased, values neither trimmed nor folded;
 *    a request header overrides a generated one of the same name;
 *  - the payload hash is SHA-256 of raw_body, else of body marshalled as
 *    JSON, else of ""; "disable_payload_signing": true in the config uses
 *    "UNSIGNED-PAYLOAD" instead (S3's unsigned payload option).
 * The result is the request object with "headers" replaced by the string
 * headers of the request plus Authorization and the generated headers.
 *
 * Errors follow OPA's order and texts (the providers-aws conformance cases),
 * including its quirks: a non-object config is reported as operand 1, a
 * non-number time as operand 1, a non-object headers value as operand 0.
 *
 * Bounds: the work is linear in the size of the request; no recursion
 * beyond rego_value_write's own depth limit.  Global state: none.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../builtin.h"
#include "gourl.h"
#include "sprintf.h"

/* The request keys http.send accepts; sign_req validates against the same
 * list, as OPA does. */
static const char *const http_keys[] = {
    "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode",
    "headers", "raw_body", "tls_use_system_certs", "tls_ca_cert", "tls_ca_cert_file",
    "tls_ca_cert_env_variable", "tls_client_cert", "tls_client_cert_file",
    "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
    "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout",
    "cache", "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode",
    "max_retry_attempts", "cache_ignored_headers",
};

/* Sorted, as OPA prints sets. */
static const char *const aws_required[] = {"aws_access_key", "aws_region",
                                           "aws_secret_access_key", "aws_service"};

static bool get_key(rego_value obj, const char *k, rego_value *out)
{
    size_t n = strlen(k);
    return rego_object_get_str(obj, k, n, rego_hash_str(k, n), out);
}

/* OPA's stringFromTerm: the string, or "" for anything else. */
static rego_gostr str_of(rego_value v)
{
    rego_gostr r = {"", 0};
    if (v.kind == REGO_STRING) {
        r.s = v.u.s;
        r.n = v.n;
    }
    return r;
}

/* Writes a set of terms the way OPA prints an ast.Set: {"a", 1}. */
static void write_term_set(rp_buf *b, const rego_value *items, size_t n)
{
    rp_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            rp_buf_puts(b, ", ");
        if (items[i].kind == REGO_STRING)
            rego_go_quote(b, items[i].u.s, items[i].n);
        else
            rego_value_write(b, items[i], REGO_FMT_REGO);
    }
    rp_buf_putc(b, '}');
}

/* "operand <pos> <what>(s): {...}" for a sorted, deduplicated key list. */
static rp_status keys_error(rego_bctx *ctx, int pos, const char *what, rego_value *items,
                            size_t n)
{
    rego_value set = rego_set_from(ctx->arena, items, n);
    if (rego_is_undef(set))
        return rego_bi_nomem(ctx);
    rp_buf b;
    rp_buf_init(&b);
    write_term_set(&b, set.u.set->items, set.n);
    rp_status st = rego_bi_type_errorf(ctx, "operand %d %s(s): %s", pos, what, rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

static bool is_http_key(rego_value k)
{
    if (k.kind != REGO_STRING)
        return false;
    for (size_t i = 0; i < RP_ARRAY_LEN(http_keys); i++)
        if (strlen(http_keys[i]) == k.n && memcmp(http_keys[i], k.u.s, k.n) == 0)
            return true;
    return false;
}

/* OPA's validateHTTPRequestOperand: unknown keys first, then missing ones. */
static rp_status check_request_keys(rego_bctx *ctx, rego_value req)
{
    rego_value *bad = rp_arena_array(ctx->arena, req.n + 2, sizeof(rego_value));
    if (!bad)
        return rego_bi_nomem(ctx);
    size_t nbad = 0;
    for (size_t i = 0; i < req.n; i++)
        if (!is_http_key(rego_object_at(req, i).key))
            bad[nbad++] = rego_object_at(req, i).key;
    if (nbad)
        return keys_error(ctx, 1, "invalid request parameters", bad, nbad);
    static const char *const required[] = {"method", "url"};
    rego_value v;
    for (size_t i = 0; i < RP_ARRAY_LEN(required); i++)
        if (!get_key(req, required[i], &v))
            bad[nbad++] = rego_cstr(ctx->arena, required[i]);
    if (nbad)
        return keys_error(ctx, 1, "missing required request parameters", bad, nbad);
    return RP_OK;
}

/* OPA's validateAWSAuthParameters. */
static rp_status check_config_keys(rego_bctx *ctx, rego_value cfg)
{
    rego_value bad[RP_ARRAY_LEN(aws_required)], v;
    size_t nbad = 0;
    for (size_t i = 0; i < RP_ARRAY_LEN(aws_required); i++)
        if (!get_key(cfg, aws_required[i], &v))
            bad[nbad++] = rego_cstr(ctx->arena, aws_required[i]);
    if (nbad)
        return keys_error(ctx, 2, "missing required AWS config parameters", bad, nbad);
    for (size_t i = 0; i < RP_ARRAY_LEN(aws_required); i++)
        if (get_key(cfg, aws_required[i], &v) && v.kind != REGO_STRING)
            bad[nbad++] = rego_cstr(ctx->arena, aws_required[i]);
    if (nbad)
        return keys_error(ctx, 2, "invalid values for required AWS config parameters", bad, nbad);
    return RP_OK;
}

/* ---- signing ------------------------------------------------------------------- */

static void hex_encode(const unsigned char *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = 0;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(p, n, md);
    hex_encode(md, sizeof(md), out);
}

/* key = HMAC-SHA256(key, msg), in place (32 bytes after the first round). */
static bool hmac_step(unsigned char *key, size_t *keylen, const char *msg, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), key, (int)*keylen, (const unsigned char *)msg, n, md, &mdlen))
        return false;
    memcpy(key, md, mdlen);
    *keylen = mdlen;
    return true;
}

/* One signed header, lower-cased name and its value. */
typedef struct {
    rego_gostr name, value;
} sig_header;

static int cmp_header(const void *a, const void *b)
{
    const sig_header *x = a, *y = b;
    size_t n = x->name.n < y->name.n ? x->name.n : y->name.n;
    int c = n ? memcmp(x->name.s, y->name.s, n) : 0;
    return c ? c : (x->name.n > y->name.n) - (x->name.n < y->name.n);
}

typedef struct {
    sig_header *h;
    size_t n, cap;
} header_set;

/* Inserts or overwrites (Go map semantics: the later write wins). */
static void hs_put(header_set *s, rego_gostr name, rego_gostr value)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->h[i].name.n == name.n && memcmp(s->h[i].name.s, name.s, name.n) == 0) {
            s->h[i].value = value;
            return;
        }
    if (s->n < s->cap)
        s->h[s->n++] = (sig_header){name, value};
}

static rego_gostr lower_dup(rp_arena *a, rego_gostr s)
{
    char *p = rp_arena_strndup(a, s.s, s.n);
    rego_gostr r = {"", 0};
    if (!p)
        return r;
    for (size_t i = 0; i < s.n; i++)
        if (p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (char)(p[i] - 'A' + 'a');
    r.s = p;
    r.n = s.n;
    return r;
}

static bool ignored_header(rego_gostr lower)
{
    static const char *const ign[] = {"authorization", "user-agent", "x-amzn-trace-id"};
    for (size_t i = 0; i < RP_ARRAY_LEN(ign); i++)
        if (strlen(ign[i]) == lower.n && memcmp(ign[i], lower.s, lower.n) == 0)
            return true;
    return false;
}

typedef struct {
    rego_gostr method, service, access_key, secret_key, region, session_token;
    const rego_gourl *url;
    rego_value headers; /* request headers object (may be empty) */
    char payload_hash[65];
    char date[9], stamp[17]; /* 20060102 and 20060102T150405Z */
} sig_input;

/* The generated x-amz-* / host headers (OPA's awsHeaders), in a. */
static void aws_headers(const sig_input *in, header_set *out)
{
    hs_put(out, (rego_gostr){"host", 4}, in->url->host);
    hs_put(out, (rego_gostr){"x-amz-date", 10}, (rego_gostr){in->stamp, 16});
    if ((in->service.n == 2 && !memcmp(in->service.s, "s3", 2)) ||
        (in->service.n == 7 && !memcmp(in->service.s, "glacier", 7)))
        hs_put(out, (rego_gostr){"x-amz-content-sha256", 20}, (rego_gostr){in->payload_hash, strlen(in->payload_hash)});
    if (in->session_token.n)
        hs_put(out, (rego_gostr){"x-amz-security-token", 20}, in->session_token);
}

static void canonical_request(rp_arena *a, const sig_input *in, header_set *signed_h, rp_buf *cr,
                              rp_buf *list)
{
    for (size_t i = 0; i < in->headers.n; i++) {
        rego_objent e = rego_object_at(in->headers, i);
        rego_gostr name = lower_dup(a, str_of(e.key));
        if (!ignored_header(name))
            hs_put(signed_h, name, str_of(e.val));
    }
    qsort(signed_h->h, signed_h->n, sizeof(sig_header), cmp_header);
    rp_buf_append(cr, in->method.s, in->method.n);
    rp_buf_putc(cr, '\n');
    rego_gourl_escaped_path(in->url, cr);
    rp_buf_putc(cr, '\n');
    rp_buf_append(cr, in->url->raw_query.s, in->url->raw_query.n);
    rp_buf_putc(cr, '\n');
    for (size_t i = 0; i < signed_h->n; i++) {
        rp_buf_append(cr, signed_h->h[i].name.s, signed_h->h[i].name.n);
        rp_buf_putc(cr, ':');
        rp_buf_append(cr, signed_h->h[i].value.s, signed_h->h[i].value.n);
        rp_buf_putc(cr, '\n');
        if (i)
            rp_buf_putc(list, ';');
        rp_buf_append(list, signed_h->h[i].name.s, signed_h->h[i].name.n);
    }
    rp_buf_putc(cr, '\n');
    rp_buf_append(cr, list->data ? list->data : "", list->len);
    rp_buf_putc(cr, '\n');
    rp_buf_puts(cr, in->payload_hash);
}

/* Computes the Authorization header value into auth. */
static bool sign_v4(rp_arena *a, const sig_input *in, rp_buf *auth)
{
    header_set hs = {NULL, 0, 0};
    hs.cap = in->headers.n + 4;
    hs.h = rp_arena_array(a, hs.cap, sizeof(sig_header));
    if (!hs.h)
        return false;
    aws_headers(in, &hs);
    rp_buf cr, list, sts;
    rp_buf_init(&cr);
    rp_buf_init(&list);
    rp_buf_init(&sts);
    canonical_request(a, in, &hs, &cr, &list);
    char crhash[65];
    sha256_hex(cr.data ? cr.data : "", cr.len, crhash);
    rp_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/", in->stamp, in->date);
    rp_buf_append(&sts, in->region.s, in->region.n);
    rp_buf_putc(&sts, '/');
    rp_buf_append(&sts, in->service.s, in->service.n);
    rp_buf_printf(&sts, "/aws4_request\n%s", crhash);

    /* The signing key: HMAC chain over date, region, service, "aws4_request"
     * starting from "AWS4" + secret. */
    bool ok = !cr.failed && !list.failed && !sts.failed;
    size_t klen = 4 + in->secret_key.n;
    unsigned char *key = rp_arena_alloc(a, klen > EVP_MAX_MD_SIZE ? klen : EVP_MAX_MD_SIZE);
    ok = ok && key;
    if (ok) {
        memcpy(key, "AWS4", 4);
        memcpy(key + 4, in->secret_key.s, in->secret_key.n);
        ok = hmac_step(key, &klen, in->date, 8) &&
             hmac_step(key, &klen, in->region.s, in->region.n) &&
             hmac_step(key, &klen, in->service.s, in->service.n) &&
             hmac_step(key, &klen, "aws4_request", 12) &&
             hmac_step(key, &klen, sts.data, sts.len);
    }
    if (ok) {
        char sig[2 * EVP_MAX_MD_SIZE + 1];
        hex_encode(key, klen, sig);
        rp_buf_puts(auth, "AWS4-HMAC-SHA256 Credential=");
        rp_buf_append(auth, in->access_key.s, in->access_key.n);
        rp_buf_printf(auth, "/%s/", in->date);
        rp_buf_append(auth, in->region.s, in->region.n);
        rp_buf_putc(auth, '/');
        rp_buf_append(auth, in->service.s, in->service.n);
        rp_buf_puts(auth, "/aws4_request,SignedHeaders=");
        rp_buf_append(auth, list.data ? list.data : "", list.len);
        rp_buf_printf(auth, ",Signature=%s", sig);
        memset(key, 0, klen);
    }
    rp_buf_free(&cr);
    rp_buf_free(&list);
    rp_buf_free(&sts);
    return ok && !auth->failed;
}

/* Writes v as exactly width decimal digits (zero-padded, high digits cut). */
static void put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* time.Unix(0, ns).UTC() formatted as 20060102 and 20060102T150405Z.  The
 * int64 range of ns spans years 1677..2262, always four digits. */
static void format_time(int64_t ns, char date[9], char stamp[17])
{
    int64_t sec = ns / 1000000000;
    if (ns % 1000000000 < 0)
        sec--; /* floor: Go's time.Unix normalises negative nanoseconds */
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    put_digits(date, (unsigned)(tm.tm_year + 1900), 4);
    put_digits(date + 4, (unsigned)(tm.tm_mon + 1), 2);
    put_digits(date + 6, (unsigned)tm.tm_mday, 2);
    date[8] = 0;
    memcpy(stamp, date, 8);
    stamp[8] = 'T';
    put_digits(stamp + 9, (unsigned)tm.tm_hour, 2);
    put_digits(stamp + 11, (unsigned)tm.tm_min, 2);
    put_digits(stamp + 13, (unsigned)tm.tm_sec, 2);
    stamp[15] = 'Z';
    stamp[16] = 0;
}

/* The payload: raw_body (its string, or "" when not a string), else body as
 * Go's json.Marshal writes it, else "". */
static void payload(rego_value req, rp_buf *b)
{
    rego_value v;
    if (get_key(req, "raw_body", &v)) {
        rego_gostr s = str_of(v);
        rp_buf_append(b, s.s, s.n);
    } else if (get_key(req, "body", &v)) {
        rego_value_write(b, v, REGO_FMT_JSON | REGO_FMT_HTML);
    }
}

/* ---- the builtin ----------------------------------------------------------------- */

/* Checks the arguments in OPA's order; fills in on success. */
static rp_status read_args(rego_bctx *ctx, const rego_value *args, sig_input *in,
                           bool *unsigned_payload)
{
    rego_value req = args[0], cfg = args[1], v;
    if (req.kind != REGO_OBJECT)
        return rego_bi_type_error(ctx, 1, req, "object");
    if (cfg.kind != REGO_OBJECT)
        return rego_bi_type_error(ctx, 1, cfg, "object");
    rp_status st = check_config_keys(ctx, cfg);
    if (st != RP_OK)
        return st;
    get_key(cfg, "aws_service", &v);
    in->service = str_of(v);
    get_key(cfg, "aws_access_key", &v);
    in->access_key = str_of(v);
    get_key(cfg, "aws_secret_access_key", &v);
    in->secret_key = str_of(v);
    get_key(cfg, "aws_region", &v);
    in->region = str_of(v);
    in->session_token = get_key(cfg, "aws_session_token", &v) ? str_of(v) : (rego_gostr){"", 0};

    if (args[2].kind != REGO_NUMBER)
        return rego_bi_type_error(ctx, 1, args[2], "number");
    /* OPA converts the number's text with ParseInt, so only integer
     * literals that fit 64 bits are timestamps (not 1e9, not 1.0). */
    if (args[2].sub != REGO_NUM_INT)
        return rego_bi_type_errorf(ctx,
                                   "operand 3 could not convert time_ns value into a unix timestamp");
    format_time(args[2].u.i, in->date, in->stamp);

    if ((st = check_request_keys(ctx, req)) != RP_OK)
        return st;
    in->headers = rego_empty_object();
    if (get_key(req, "headers", &v)) {
        if (v.kind != REGO_OBJECT)
            return rego_bi_type_error(ctx, 0, v, "object");
        in->headers = v;
    }
    rego_value url, method, bad[2];
    get_key(req, "url", &url);
    get_key(req, "method", &method);
    size_t nbad = 0;
    if (method.kind != REGO_STRING)
        bad[nbad++] = rego_cstr(ctx->arena, "method");
    if (url.kind != REGO_STRING)
        bad[nbad++] = rego_cstr(ctx->arena, "url");
    if (nbad)
        return keys_error(ctx, 1, "invalid values for required request parameters", bad, nbad);
    in->method = str_of(method);

    *unsigned_payload = false;
    if (get_key(cfg, "disable_payload_signing", &v)) {
        if (v.kind != REGO_BOOL)
            return rego_bi_type_errorf(
                ctx, "operand 2 invalid value for 'disable_payload_signing' in AWS config");
        *unsigned_payload = v.u.b;
    }
    return RP_OK;
}

/* The signed request: req with "headers" replaced. */
static rp_status build_result(rego_bctx *ctx, rego_value req, const sig_input *in,
                              const rp_buf *auth, rego_value *out)
{
    rp_arena *a = ctx->arena;
    rego_objb hb;
    rego_objb_init(&hb, a);
    for (size_t i = 0; i < in->headers.n; i++) {
        rego_objent e = rego_object_at(in->headers, i);
        rego_gostr k = str_of(e.key), v = str_of(e.val);
        rego_objb_set(&hb, rego_str(a, k.s, k.n), rego_str(a, v.s, v.n));
    }
    rego_objb_set(&hb, rego_cstr(a, "Authorization"), rego_str(a, auth->data, auth->len));
    header_set gen = {NULL, 0, 4};
    sig_header storage[4];
    gen.h = storage;
    aws_headers(in, &gen);
    for (size_t i = 0; i < gen.n; i++)
        rego_objb_set(&hb, rego_str(a, gen.h[i].name.s, gen.h[i].name.n),
                      rego_str(a, gen.h[i].value.s, gen.h[i].value.n));
    rego_value headers = rego_objb_finish(&hb);

    rego_objb rb;
    rego_objb_init(&rb, a);
    for (size_t i = 0; i < req.n; i++)
        rego_objb_set(&rb, rego_object_at(req, i).key, rego_object_at(req, i).val);
    rego_objb_set(&rb, rego_cstr(a, "headers"), headers);
    *out = rego_objb_finish(&rb);
    if (rego_is_undef(headers) || rego_is_undef(*out) || rp_arena_failed(a))
        return rego_bi_nomem(ctx);
    return RP_OK;
}

static rp_status bi_sign_req(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    sig_input in;
    memset(&in, 0, sizeof(in));
    bool unsigned_payload;
    rp_status st = read_args(ctx, args, &in, &unsigned_payload);
    if (st != RP_OK)
        return st;
    rego_value url;
    get_key(args[0], "url", &url);
    rego_gourl u;
    char msg[256];
    if (!rego_gourl_parse(ctx->arena, url.u.s, url.n, &u, msg, sizeof(msg)))
        return rego_bi_errorf(ctx, "%s", msg);
    in.url = &u;

    rp_buf body;
    rp_buf_init(&body);
    payload(args[0], &body);
    if (unsigned_payload)
        snprintf(in.payload_hash, sizeof(in.payload_hash), "UNSIGNED-PAYLOAD");
    else
        sha256_hex(body.data ? body.data : "", body.len, in.payload_hash);
    bool body_ok = !body.failed;
    rp_buf_free(&body);

    rp_buf auth;
    rp_buf_init(&auth);
    if (!body_ok || !sign_v4(ctx->arena, &in, &auth)) {
        rp_buf_free(&auth);
        return rego_bi_nomem(ctx);
    }
    st = build_result(ctx, args[0], &in, &auth, out);
    rp_buf_free(&auth);
    return st;
}

#define OBJ_S_ANY "object[string: any]"

const rego_builtin rego_builtins_aws[] = {
    {"providers.aws.sign_req", NULL,
     "(" OBJ_S_ANY ", " OBJ_S_ANY ", number) => object[any: any]", 3, 0, bi_sign_req},
    {0},
};
