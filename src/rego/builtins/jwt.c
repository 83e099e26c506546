/*
 * jwt.c — the io.jwt.* builtins: decoding, signature verification
 * (HS*, RS*, PS*, ES*, EdDSA), full validation (decode_verify) and signing
 * (encode_sign, encode_sign_raw).
 *
 * Semantics are OPA's (topdown/tokens.go with its internal jwx package, the
 * version the shared conformance suite was recorded with): the same order of
 * checks, the same split between "undefined/false" and errors, the same
 * messages ("encoded JWT must have 3 sections, found 2", "type is JWT but
 * payload is not JSON", ...).  Two consequences worth knowing:
 *  - io.jwt.encode_sign serialises its objects the way OPA's terms print
 *    ({"alg": "HS256", "typ": "JWT"}, keys sorted, ", " and ": "
 *    separators), and signs those exact bytes;
 *  - exp/nbf are compared with the constraint time (or the query's fixed
 *    time from rego_bi_now_ns) as float64 seconds, as OPA does.
 * EdDSA (Ed25519) is accepted as OPA 1.x does (io.jwt.verify_eddsa, "EdDSA"
 * in headers and JWKs of kty "OKP").
 *
 * Tokens, keys and JWKS are bounded by REGO_CRYPTO_MAX_INPUT_BYTES and
 * REGO_CRYPTO_MAX_KEYS; nested tokens (cty "JWT") by REGO_JWT_MAX_NESTING.
 * OpenSSL keys are freed on every path (rego_jwk_keys_free).
 * Global state: none (OPA's optional inter-query token cache is not kept).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../builtin.h"
#include "../json.h"
#include "../limits.h"
#include "jwk.h"

REGO_BUILTIN_GROUP(jwt);

/* ---- helpers ---------------------------------------------------------------------- */

static rp_status fail(rego_bctx *ctx, const char *msg)
{
    if (rp_arena_failed(ctx->arena))
        return rego_bi_nomem(ctx);
    return rego_bi_errorf(ctx, "%s", msg);
}

static rego_value lit(const char *s)
{
    return rego_str_borrow(s, strlen(s));
}

static bool obj_get(rego_value obj, const char *key, rego_value *out)
{
    size_t n = strlen(key);
    return obj.kind == REGO_OBJECT && rego_object_get_str(obj, key, n, rego_hash_str(key, n), out);
}

static bool str_is(rego_value v, const char *s)
{
    size_t n = strlen(s);
    return v.kind == REGO_STRING && v.n == n && memcmp(v.u.s, s, n) == 0;
}

static bool too_big(rego_bctx *ctx, size_t n, rp_status *st)
{
    if (n <= REGO_CRYPTO_MAX_INPUT_BYTES)
        return false;
    *st = rego_bi_errorf(ctx, "input of %zu bytes is larger than the limit of %u bytes", n,
                         REGO_CRYPTO_MAX_INPUT_BYTES);
    return true;
}

static rego_value array3(rp_arena *a, rego_value x, rego_value y, rego_value z)
{
    rego_value v;
    rego_value *it = rego_array_alloc(a, 3, &v);
    if (!it)
        return rego_undef();
    it[0] = x;
    it[1] = y;
    it[2] = z;
    return v;
}

static rego_value unverified(rp_arena *a)
{
    return array3(a, rego_bool(false), rego_empty_object(), rego_empty_object());
}

/* ---- tokens ----------------------------------------------------------------------- */

typedef struct {
    const char *header, *payload, *sig; /* the three base64url sections */
    size_t headern, payloadn, sign;
    rego_value hdr; /* decoded header, once decode_header ran */
} token;

/* OPA's decodeJWT: the operand must be a string of three dot-separated parts. */
static rp_status token_split(rego_bctx *ctx, rego_value v, token *t)
{
    rp_status st;
    if (v.kind != REGO_STRING)
        return rego_bi_type_error(ctx, 1, v, "string");
    if (too_big(ctx, v.n, &st))
        return st;
    const char *s = v.u.s, *end = s + v.n;
    const char *d1 = memchr(s, '.', v.n);
    if (!d1)
        return rego_bi_errorf(ctx, "encoded JWT had no period separators");
    size_t parts = 1;
    for (const char *p = s; p < end; p++)
        parts += *p == '.';
    if (parts != 3)
        return rego_bi_errorf(ctx, "encoded JWT must have 3 sections, found %zu", parts);
    const char *d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1));
    t->header = s;
    t->headern = (size_t)(d1 - s);
    t->payload = d1 + 1;
    t->payloadn = (size_t)(d2 - d1 - 1);
    t->sig = d2 + 1;
    t->sign = (size_t)(end - d2 - 1);
    t->hdr = rego_undef();
    return RP_OK;
}

/* decodeHeader + validateJWTHeader. */
static rp_status token_header(rego_bctx *ctx, token *t)
{
    char err[REGO_JWK_ERRLEN];
    rego_bytes raw;
    rego_value hdr, enc;
    if (!rego_jwk_b64url_decode(ctx->arena, t->header, t->headern, &raw, err))
        return rp_arena_failed(ctx->arena)
                   ? rego_bi_nomem(ctx)
                   : rego_bi_errorf(ctx, "JWT header had invalid encoding: %s", err);
    if (!rego_jwk_json_object(ctx->arena, (const char *)raw.p, raw.n, &hdr, err))
        return rp_arena_failed(ctx->arena) ? rego_bi_nomem(ctx)
                                           : rego_bi_errorf(ctx, "bad JWT header: %s", err);
    if (obj_get(hdr, "enc", &enc))
        return rego_bi_errorf(ctx, "JWT is a JWE object, which is not supported");
    t->hdr = hdr;
    return RP_OK;
}

static rp_status token_payload(rego_bctx *ctx, const token *t, rego_bytes *out)
{
    char err[REGO_JWK_ERRLEN];
    if (!rego_jwk_b64url_decode(ctx->arena, t->payload, t->payloadn, out, err))
        return rp_arena_failed(ctx->arena)
                   ? rego_bi_nomem(ctx)
                   : rego_bi_errorf(ctx, "JWT payload had invalid encoding: %s", err);
    return RP_OK;
}

/* decodeSignature: its base64 error is reported without a prefix. */
static rp_status token_signature(rego_bctx *ctx, const token *t, rego_bytes *out)
{
    char err[REGO_JWK_ERRLEN];
    if (!rego_jwk_b64url_decode(ctx->arena, t->sig, t->sign, out, err))
        return fail(ctx, err);
    return RP_OK;
}

/* The signing input: header "." payload, as written in the token. */
static const uint8_t *signing_input(const token *t, size_t *n)
{
    *n = t->headern + 1 + t->payloadn;
    return (const uint8_t *)t->header;
}

/* ---- parsed header (parseTokenHeader) ---------------------------------------------------- */

typedef struct {
    rego_value alg, kid, typ, cty; /* strings or UNDEF */
    rego_value crit;               /* the crit strings up to the first non-string */
    bool crit_unknown;             /* a crit entry names a header we do not know */
} jose;

static bool known_header(rego_value k)
{
    return str_is(k, "alg") || str_is(k, "kid") || str_is(k, "typ") || str_is(k, "cty") ||
           str_is(k, "crit");
}

static rp_status jose_crit(rego_bctx *ctx, rego_value v, jose *h, size_t *n)
{
    if (v.kind != REGO_ARRAY)
        return rego_bi_errorf(ctx, "crit: must be a list");
    size_t k = 0;
    while (k < v.n && v.u.items[k].kind == REGO_STRING)
        k++;
    if (k == 0)
        return rego_bi_errorf(ctx, "crit: must be a nonempty list");
    h->crit = v;
    *n = k;
    return RP_OK;
}

static rp_status jose_parse(rego_bctx *ctx, rego_value hdr, jose *h)
{
    static const char *const names[] = {"alg", "kid", "typ", "cty"};
    size_t ncrit = 0;
    memset(h, 0, sizeof(*h));
    for (size_t i = 0; i < hdr.n; i++) {
        rego_objent e = rego_object_at(hdr, i);
        if (str_is(e.key, "crit")) {
            rp_status st = jose_crit(ctx, e.val, h, &ncrit);
            if (st != RP_OK)
                return st;
            continue;
        }
        for (size_t k = 0; k < RP_ARRAY_LEN(names); k++) {
            if (!str_is(e.key, names[k]))
                continue;
            if (e.val.kind != REGO_STRING)
                return rego_bi_errorf(ctx, "%s: must be a string", names[k]);
            rego_value *slot[] = {&h->alg, &h->kid, &h->typ, &h->cty};
            *slot[k] = e.val;
        }
    }
    /* RFC 7515 4.1.11: a critical header we do not understand invalidates */
    for (size_t i = 0; i < hdr.n && ncrit; i++) {
        rego_objent e = rego_object_at(hdr, i);
        if (known_header(e.key))
            continue;
        for (size_t k = 0; k < ncrit; k++)
            if (rego_equal(h->crit.u.items[k], e.key))
                h->crit_unknown = true;
    }
    return RP_OK;
}

static bool jose_valid(const jose *h)
{
    return h->alg.kind == REGO_STRING && h->alg.n > 0 && !h->crit_unknown;
}

/* ---- io.jwt.decode ------------------------------------------------------------------------ */

static rp_status decode_token(rego_bctx *ctx, rego_value jwt, int depth, rego_value *out)
{
    token t;
    rego_bytes payload, sig;
    rego_value cty, obj;
    char err[REGO_JWK_ERRLEN];
    rp_status st = token_split(ctx, jwt, &t);
    if (st == RP_OK)
        st = token_header(ctx, &t);
    if (st == RP_OK)
        st = token_payload(ctx, &t, &payload);
    if (st != RP_OK)
        return st;
    if (obj_get(t.hdr, "cty", &cty) && str_is(cty, "JWT")) {
        /* a nested token; jwt.io quotes it, so surrounding quotes go */
        if (depth >= REGO_JWT_MAX_NESTING)
            return rego_bi_errorf(ctx, "JWT nesting deeper than %d", REGO_JWT_MAX_NESTING);
        const char *p = (const char *)payload.p;
        size_t n = payload.n;
        while (n && (*p == '"' || *p == '\'')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == '"' || p[n - 1] == '\''))
            n--;
        return decode_token(ctx, rego_str_borrow(p, n), depth + 1, out);
    }
    if (!rego_jwk_json_object(ctx->arena, (const char *)payload.p, payload.n, &obj, err))
        return fail(ctx, err);
    if (!rego_jwk_b64url_decode(ctx->arena, t.sig, t.sign, &sig, err))
        return rp_arena_failed(ctx->arena)
                   ? rego_bi_nomem(ctx)
                   : rego_bi_errorf(ctx, "JWT signature had invalid encoding: %s", err);
    *out = array3(ctx->arena, t.hdr, obj, rego_jwk_hex_value(ctx->arena, sig.p, sig.n));
    return RP_OK;
}

static rp_status bi_decode(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return decode_token(ctx, args[0], 0, out);
}

/* ---- io.jwt.verify_* ---------------------------------------------------------------------- */

static rp_status bi_verify_hs(rego_bctx *ctx, const rego_value *args, rego_value *out,
                              rego_jws_alg alg)
{
    token t;
    rego_bytes sig;
    size_t n;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING) ||
        !rego_bi_arg_kind(ctx, args, 1, REGO_STRING))
        return RP_ERR_TYPE;
    rp_status st = token_split(ctx, args[0], &t);
    if (st == RP_OK)
        st = token_signature(ctx, &t, &sig);
    if (st != RP_OK)
        return st;
    rego_jwk_key key = {REGO_KEY_OCT, NULL, {(const uint8_t *)args[1].u.s, args[1].n}, "", "", 0};
    const uint8_t *msg = signing_input(&t, &n);
    *out = rego_bool(rego_jws_verify(alg, &key, msg, n, sig.p, sig.n));
    return RP_OK;
}

static bool key_kid_is(const rego_jwk_key *k, rego_value kid)
{
    return k->kidn == kid.n && memcmp(k->kid, kid.u.s, kid.n) == 0;
}

/* OPA's key selection: a key whose kid matches the header's decides alone;
 * otherwise any key without an alg, or with the header's alg, may verify. */
static bool verify_with_keys(rego_jws_alg alg, const rego_jwk_key *keys, size_t nkeys,
                             const jose *h, const token *t, rego_bytes sig)
{
    size_t n;
    const uint8_t *msg = signing_input(t, &n);
    if (h->kid.kind == REGO_STRING && h->kid.n)
        for (size_t i = 0; i < nkeys; i++)
            if (key_kid_is(&keys[i], h->kid))
                return rego_jws_verify(alg, &keys[i], msg, n, sig.p, sig.n);
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].alg[0] && !str_is(h->alg, keys[i].alg))
            continue;
        if (rego_jws_verify(alg, &keys[i], msg, n, sig.p, sig.n))
            return true;
    }
    return false;
}

static rp_status verify_asym(rego_bctx *ctx, const rego_value *args, rego_value *out,
                             rego_jws_alg alg)
{
    token t;
    rego_bytes sig;
    jose h;
    rego_jwk_key *keys = NULL;
    size_t nkeys = 0;
    char err[REGO_JWK_ERRLEN];
    rp_status st = token_split(ctx, args[0], &t);
    if (st != RP_OK)
        return st;
    if (!rego_bi_arg_kind(ctx, args, 1, REGO_STRING))
        return RP_ERR_TYPE;
    if (too_big(ctx, args[1].n, &st))
        return st;
    if (!rego_jwk_keys_from_cert_or_jwk(ctx->arena, args[1].u.s, args[1].n, &keys, &nkeys, err)) {
        rego_jwk_keys_free(keys, nkeys);
        return fail(ctx, err);
    }
    st = token_signature(ctx, &t, &sig);
    if (st == RP_OK)
        st = token_header(ctx, &t);
    if (st == RP_OK)
        st = jose_parse(ctx, t.hdr, &h);
    if (st == RP_OK)
        *out = rego_bool(verify_with_keys(alg, keys, nkeys, &h, &t, sig));
    rego_jwk_keys_free(keys, nkeys);
    return st;
}

#define VERIFY(fn, how, alg)                                                                       \
    static rp_status fn(rego_bctx *ctx, const rego_value *args, rego_value *out)                   \
    {                                                                                              \
        return how(ctx, args, out, alg);                                                           \
    }
VERIFY(bi_verify_hs256, bi_verify_hs, REGO_JWS_HS256)
VERIFY(bi_verify_hs384, bi_verify_hs, REGO_JWS_HS384)
VERIFY(bi_verify_hs512, bi_verify_hs, REGO_JWS_HS512)
VERIFY(bi_verify_rs256, verify_asym, REGO_JWS_RS256)
VERIFY(bi_verify_rs384, verify_asym, REGO_JWS_RS384)
VERIFY(bi_verify_rs512, verify_asym, REGO_JWS_RS512)
VERIFY(bi_verify_ps256, verify_asym, REGO_JWS_PS256)
VERIFY(bi_verify_ps384, verify_asym, REGO_JWS_PS384)
VERIFY(bi_verify_ps512, verify_asym, REGO_JWS_PS512)
VERIFY(bi_verify_es256, verify_asym, REGO_JWS_ES256)
VERIFY(bi_verify_es384, verify_asym, REGO_JWS_ES384)
VERIFY(bi_verify_es512, verify_asym, REGO_JWS_ES512)
VERIFY(bi_verify_eddsa, verify_asym, REGO_JWS_EDDSA)

/* ---- io.jwt.decode_verify ----------------------------------------------------------------- */

typedef struct {
    rego_jwk_key *keys;
    size_t nkeys;
    bool has_keys;
    rego_value secret, alg, iss, aud; /* strings ("" when absent) */
    double time;                      /* nanoseconds, -1 when not given */
} constraints;

static rp_status time_from(rego_bctx *ctx, rego_value v, double *out)
{
    if (v.kind != REGO_NUMBER)
        return rego_bi_errorf(ctx, "token time constraint: must be a number");
    double d = rego_num_to_double(v);
    if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
        return rego_bi_errorf(ctx, "token time constraint: unvalid float64");
    if (d < 0)
        return rego_bi_errorf(ctx, "token time constraint: must not be negative");
    *out = d;
    return RP_OK;
}

static rp_status constraint_string(rego_bctx *ctx, const char *name, rego_value v, rego_value *out)
{
    if (v.kind != REGO_STRING)
        return rego_bi_errorf(ctx, "%s constraint: must be a string", name);
    *out = v;
    return RP_OK;
}

static rp_status constraint_cert(rego_bctx *ctx, rego_value v, constraints *c)
{
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    if (v.kind != REGO_STRING)
        return rego_bi_errorf(ctx, "cert constraint: must be a string");
    if (too_big(ctx, v.n, &st))
        return st;
    rego_jwk_keys_free(c->keys, c->nkeys);
    c->nkeys = 0;
    if (!rego_jwk_keys_from_cert_or_jwk(ctx->arena, v.u.s, v.n, &c->keys, &c->nkeys, err))
        return fail(ctx, err);
    c->has_keys = true;
    return RP_OK;
}

static rp_status constraint_one(rego_bctx *ctx, rego_objent e, constraints *c)
{
    if (str_is(e.key, "cert"))
        return constraint_cert(ctx, e.val, c);
    if (str_is(e.key, "secret"))
        return constraint_string(ctx, "secret", e.val, &c->secret);
    if (str_is(e.key, "alg"))
        return constraint_string(ctx, "alg", e.val, &c->alg);
    if (str_is(e.key, "iss"))
        return constraint_string(ctx, "iss", e.val, &c->iss);
    if (str_is(e.key, "aud"))
        return constraint_string(ctx, "aud", e.val, &c->aud);
    if (str_is(e.key, "time"))
        return time_from(ctx, e.val, &c->time);
    if (e.key.kind == REGO_STRING)
        return rego_bi_errorf(ctx, "unknown token validation constraint: %s", e.key.u.s);
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, e.key, REGO_FMT_JSON);
    rp_status st = rego_bi_errorf(ctx, "unknown token validation constraint: %s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

static rp_status constraints_parse(rego_bctx *ctx, rego_value o, constraints *c)
{
    memset(c, 0, sizeof(*c));
    c->secret = c->alg = c->iss = c->aud = lit("");
    c->time = -1;
    for (size_t i = 0; i < o.n; i++) {
        rp_status st = constraint_one(ctx, rego_object_at(o, i), c);
        if (st != RP_OK)
            return st;
    }
    if (c->time == -1) {
        rp_status st = time_from(ctx, rego_int(rego_bi_now_ns(ctx)), &c->time);
        if (st != RP_OK)
            return st;
    }
    int keys = c->has_keys + (c->secret.n > 0);
    if (keys > 1)
        return rego_bi_errorf(ctx, "duplicate key constraints");
    if (keys < 1)
        return rego_bi_errorf(ctx, "no key constraint");
    return RP_OK;
}

typedef enum { SIG_OK, SIG_BAD, SIG_ERROR } sig_verdict;

/* constraints.verify: the header's algorithm with the configured keys or
 * secret.  A secret cannot verify an asymmetric algorithm: OPA reports
 * "incorrect public key type" as an error there. */
static sig_verdict constraints_verify(rego_bctx *ctx, const constraints *c, const jose *h,
                                      const token *t, rego_bytes sig, rp_status *st)
{
    rego_jws_alg alg = rego_jws_alg_parse(h->alg.u.s, h->alg.n);
    if (alg == REGO_JWS_NONE) {
        *st = rego_bi_errorf(ctx, "unknown JWS algorithm: %s", h->alg.u.s);
        return SIG_ERROR;
    }
    if (c->has_keys)
        return verify_with_keys(alg, c->keys, c->nkeys, h, t, sig) ? SIG_OK : SIG_BAD;
    if (alg != REGO_JWS_HS256 && alg != REGO_JWS_HS384 && alg != REGO_JWS_HS512) {
        *st = rego_bi_errorf(ctx, "incorrect public key type");
        return SIG_ERROR;
    }
    rego_jwk_key key = {REGO_KEY_OCT, NULL, {(const uint8_t *)c->secret.u.s, c->secret.n},
                        "",           "",   0};
    size_t n;
    const uint8_t *msg = signing_input(t, &n);
    return rego_jws_verify(alg, &key, msg, n, sig.p, sig.n) ? SIG_OK : SIG_BAD;
}

/* One round of the nested-token loop: verifies jwt and yields its payload
 * text, whether it nests another token, and its header. */
static rp_status verify_round(rego_bctx *ctx, const constraints *c, rego_value jwt,
                              rego_bytes *payload, bool *nested, rego_value *hdr, bool *ok)
{
    token t;
    jose h;
    rego_bytes sig;
    rp_status st = token_split(ctx, jwt, &t);
    if (st == RP_OK)
        st = token_header(ctx, &t);
    if (st == RP_OK)
        st = jose_parse(ctx, t.hdr, &h);
    if (st != RP_OK)
        return st;
    *ok = false;
    if (!jose_valid(&h) || (c->alg.n && !rego_equal(c->alg, h.alg)))
        return RP_OK;
    st = token_signature(ctx, &t, &sig);
    if (st != RP_OK)
        return st;
    sig_verdict v = constraints_verify(ctx, c, &h, &t, sig, &st);
    if (v != SIG_OK)
        return v == SIG_ERROR ? st : RP_OK;
    st = token_payload(ctx, &t, payload);
    if (st != RP_OK)
        return st;
    *ok = true;
    *hdr = t.hdr;
    *nested = h.cty.kind == REGO_STRING && h.cty.n == 3 && strncasecmp(h.cty.u.s, "JWT", 3) == 0;
    return RP_OK;
}

static bool audience_ok(rego_value aud, rego_value want)
{
    if (aud.kind == REGO_STRING)
        return rego_equal(aud, want);
    if (aud.kind != REGO_ARRAY)
        return false;
    for (size_t i = 0; i < aud.n; i++)
        if (aud.u.items[i].kind == REGO_STRING && rego_equal(aud.u.items[i], want))
            return true;
    return false;
}

/* The registered claims against the constraints: iss, aud, exp, nbf. */
static rp_status claims_check(rego_bctx *ctx, const constraints *c, rego_value payload, bool *ok)
{
    rego_value v;
    *ok = false;
    if (c->iss.n && (!obj_get(payload, "iss", &v) || !rego_equal(v, c->iss)))
        return RP_OK;
    if (obj_get(payload, "aud", &v) ? !audience_ok(v, c->aud) : c->aud.n > 0)
        return RP_OK;
    rego_value now = rego_float(c->time / 1e9);
    if (obj_get(payload, "exp", &v)) {
        if (v.kind != REGO_NUMBER)
            return rego_bi_errorf(ctx, "exp value must be a number");
        if (rego_compare(now, v) >= 0)
            return RP_OK;
    }
    if (obj_get(payload, "nbf", &v)) {
        if (v.kind != REGO_NUMBER)
            return rego_bi_errorf(ctx, "nbf value must be a number");
        if (rego_compare(now, v) < 0)
            return RP_OK;
    }
    *ok = true;
    return RP_OK;
}

static rp_status decode_verify(rego_bctx *ctx, rego_value jwt, const constraints *c,
                               rego_value *out)
{
    rego_bytes payload = {NULL, 0};
    rego_value hdr = rego_undef(), obj;
    char err[REGO_JWK_ERRLEN];
    bool ok = false, nested = true;
    for (int depth = 0; nested; depth++) {
        if (depth > REGO_JWT_MAX_NESTING)
            return rego_bi_errorf(ctx, "JWT nesting deeper than %d", REGO_JWT_MAX_NESTING);
        nested = false;
        rp_status st = verify_round(ctx, c, jwt, &payload, &nested, &hdr, &ok);
        if (st != RP_OK)
            return st;
        if (!ok) {
            *out = unverified(ctx->arena);
            return RP_OK;
        }
        jwt = rego_str_borrow((const char *)payload.p, payload.n);
    }
    if (!rego_jwk_json_object(ctx->arena, (const char *)payload.p, payload.n, &obj, err))
        return fail(ctx, err);
    rp_status st = claims_check(ctx, c, obj, &ok);
    if (st != RP_OK)
        return st;
    *out = ok ? array3(ctx->arena, rego_bool(true), hdr, obj) : unverified(ctx->arena);
    return RP_OK;
}

static rp_status bi_decode_verify(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    constraints c;
    if (!rego_bi_arg_kind(ctx, args, 1, REGO_OBJECT))
        return RP_ERR_TYPE;
    rp_status st = constraints_parse(ctx, args[1], &c);
    if (st == RP_OK)
        st = decode_verify(ctx, args[0], &c, out);
    rego_jwk_keys_free(c.keys, c.nkeys);
    return st;
}

/* ---- io.jwt.encode_sign / encode_sign_raw ---------------------------------------------------- */

/* json.Unmarshal of the JOSE header into internal jwx's StandardHeaders:
 * field names match case-insensitively, "alg" must name a known algorithm,
 * the string fields must be strings. */
static bool header_field(rego_value k, const char *name)
{
    size_t n = strlen(name);
    if (k.kind != REGO_STRING || k.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k.u.s[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) !=
            (name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]))
            return false;
    }
    return true;
}

static const char *json_kind(rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_NUMBER: return "number";
    case REGO_STRING: return "string";
    case REGO_BOOL: return "bool";
    case REGO_ARRAY: return "array";
    case REGO_OBJECT: return "object";
    case REGO_NULL:
    case REGO_UNDEF:
    case REGO_SET: break;
    }
    return "null";
}

typedef struct {
    rego_value alg, typ; /* "" when absent */
} std_headers;

static bool header_alg(rego_value v, rego_value *alg)
{
    static const char *const algs[] = {"ES256", "ES384", "ES512", "HS256", "HS384",
                                       "HS512", "PS256", "PS384", "PS512", "RS256",
                                       "RS384", "RS512", "none",  "EdDSA"};
    for (size_t i = 0; v.kind == REGO_STRING && i < RP_ARRAY_LEN(algs); i++)
        if (str_is(v, algs[i])) {
            *alg = v;
            return true;
        }
    return false;
}

static bool std_headers_decode(rp_arena *a, const char *s, size_t n, std_headers *h, char *err)
{
    static const char *const strings[] = {"cty", "jwk", "jku", "kid", "typ"};
    rego_value top;
    rp_error e = {0};
    h->alg = h->typ = lit("");
    if (!rego_jwk_json_check(s, n, REGO_JSON_UNMARSHAL, err))
        return false;
    if (rego_json_parse(a, s, n, NULL, &top, &e) != RP_OK)
        return snprintf(err, REGO_JWK_ERRLEN, "%.170s", e.msg), false;
    if (top.kind == REGO_NULL)
        return true;
    if (top.kind != REGO_OBJECT)
        return snprintf(err, REGO_JWK_ERRLEN,
                        "json: cannot unmarshal %s into Go value of type jws.StandardHeaders",
                        json_kind(top)),
               false;
    char saved[REGO_JWK_ERRLEN] = "";
    for (size_t i = 0; i < top.n; i++) {
        rego_objent en = rego_object_at(top, i);
        if (header_field(en.key, "alg") && !header_alg(en.val, &h->alg))
            return snprintf(err, REGO_JWK_ERRLEN, "unknown signature algorithm"), false;
        for (size_t k = 0; k < RP_ARRAY_LEN(strings); k++) {
            if (!header_field(en.key, strings[k]) || en.val.kind == REGO_NULL)
                continue;
            if (en.val.kind != REGO_STRING && !saved[0])
                snprintf(saved, sizeof(saved),
                         "json: cannot unmarshal %s into Go struct field StandardHeaders.%s of "
                         "type string",
                         json_kind(en.val), strings[k]);
            else if (k == 4 && en.val.kind == REGO_STRING)
                h->typ = en.val;
        }
        if (header_field(en.key, "crit") && en.val.kind != REGO_NULL && !saved[0]) {
            bool ok = en.val.kind == REGO_ARRAY;
            for (size_t k = 0; ok && k < en.val.n; k++)
                ok = en.val.u.items[k].kind == REGO_STRING || en.val.u.items[k].kind == REGO_NULL;
            if (!ok)
                snprintf(saved, sizeof(saved),
                         "json: cannot unmarshal %s into Go struct field StandardHeaders.crit of "
                         "type %s",
                         en.val.kind == REGO_ARRAY ? "number" : json_kind(en.val),
                         en.val.kind == REGO_ARRAY ? "string" : "[]string");
        }
        if (header_field(en.key, "privateParams") && en.val.kind != REGO_NULL &&
            en.val.kind != REGO_OBJECT && !saved[0])
            snprintf(saved, sizeof(saved),
                     "json: cannot unmarshal %s into Go struct field StandardHeaders.privateParams "
                     "of type map[string]interface {}",
                     json_kind(en.val));
    }
    if (saved[0])
        return snprintf(err, REGO_JWK_ERRLEN, "%s", saved), false;
    return true;
}

static char *b64url(rp_arena *a, const void *p, size_t n, size_t *len)
{
    return rego_jwk_b64_encode(a, REGO_B64_RAW_URL, p, n, len);
}

/* commonBuiltinJWTEncodeSign: key, header checks, payload check, signing. */
static rp_status encode_sign(rego_bctx *ctx, const char *hdr, size_t hn, const char *pl, size_t pn,
                             const char *jwk, size_t jn, rego_value *out)
{
    rp_arena *a = ctx->arena;
    char err[REGO_JWK_ERRLEN];
    rego_jwk_key *keys = NULL;
    size_t nkeys = 0, l1, l2, l3;
    std_headers h;
    rego_bytes sig;
    rp_status st;
    if (too_big(ctx, hn, &st) || too_big(ctx, pn, &st) || too_big(ctx, jn, &st))
        return st;
    if (!rego_jwk_parse_jwks(a, jwk, jn, &keys, &nkeys, err) ||
        !std_headers_decode(a, hdr, hn, &h, err)) {
        rego_jwk_keys_free(keys, nkeys);
        return fail(ctx, err);
    }
    if ((h.typ.n == 0 || str_is(h.typ, "JWT")) &&
        !rego_jwk_json_check(pl, pn, REGO_JSON_UNMARSHAL, err)) {
        rego_jwk_keys_free(keys, nkeys);
        return rego_bi_errorf(ctx, "type is JWT but payload is not JSON");
    }
    rego_jws_alg alg = rego_jws_alg_parse(h.alg.u.s, h.alg.n);
    char *eh = b64url(a, hdr, hn, &l1), *ep = b64url(a, pl, pn, &l2);
    rp_buf in;
    rp_buf_init(&in);
    rp_buf_printf(&in, "%s.%s", eh ? eh : "", ep ? ep : "");
    bool ok = alg != REGO_JWS_NONE && eh && ep && !in.failed &&
              rego_jws_sign(a, alg, &keys[0], (const uint8_t *)in.data, in.len, &sig, err);
    if (alg == REGO_JWS_NONE)
        snprintf(err, sizeof(err), "failed to create signer: unsupported signature algorithm %s",
                 h.alg.u.s);
    rego_jwk_keys_free(keys, nkeys);
    char *es = ok ? b64url(a, sig.p, sig.n, &l3) : NULL;
    if (ok && es) {
        rego_value v;
        char *o = rego_str_alloc(a, in.len + 1 + l3, &v);
        if (o) {
            memcpy(o, in.data, in.len);
            o[in.len] = '.';
            memcpy(o + in.len + 1, es, l3);
            *out = v;
        }
    }
    rp_buf_free(&in);
    return ok ? RP_OK : fail(ctx, err);
}

/* Signatures may be randomised (ECDSA, PSS): repeated calls in one query
 * return the first token, as OPA's non-deterministic builtins do. */
static rp_status encode_memo(rego_bctx *ctx, const rego_value *args, rego_value *out, bool get)
{
    rego_value key;
    rego_value *it = rego_array_alloc(ctx->arena, 4, &key);
    if (!it)
        return rego_bi_nomem(ctx);
    it[0] = lit(ctx->bi->name);
    memcpy(it + 1, args, 3 * sizeof(rego_value));
    if (get)
        return rego_bi_memo_get(ctx, key, out) ? RP_OK : RP_ERR_EVAL;
    rego_bi_memo_put(ctx, key, *out);
    return RP_OK;
}

static rp_status bi_encode_sign_raw(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 2, REGO_STRING) ||
        !rego_bi_arg_kind(ctx, args, 0, REGO_STRING) ||
        !rego_bi_arg_kind(ctx, args, 1, REGO_STRING))
        return RP_ERR_TYPE;
    if (encode_memo(ctx, args, out, true) == RP_OK)
        return RP_OK;
    rp_status st = encode_sign(ctx, args[0].u.s, args[0].n, args[1].u.s, args[1].n, args[2].u.s,
                               args[2].n, out);
    return st == RP_OK ? encode_memo(ctx, args, out, false) : st;
}

/* OPA (as recorded by the conformance suite) signs the term text of each
 * object: {"alg": "HS256", "typ": "JWT"}. */
static rp_status bi_encode_sign(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rp_buf t[3];
    if (encode_memo(ctx, args, out, true) == RP_OK)
        return RP_OK;
    for (int i = 0; i < 3; i++) {
        rp_buf_init(&t[i]);
        rego_value_write(&t[i], args[i], REGO_FMT_REGO);
    }
    bool oom = t[0].failed || t[1].failed || t[2].failed;
    rp_status st = oom ? rego_bi_nomem(ctx)
                       : encode_sign(ctx, rp_buf_cstr(&t[0]), t[0].len, rp_buf_cstr(&t[1]),
                                     t[1].len, rp_buf_cstr(&t[2]), t[2].len, out);
    for (int i = 0; i < 3; i++)
        rp_buf_free(&t[i]);
    return st == RP_OK ? encode_memo(ctx, args, out, false) : st;
}

/* ---- table --------------------------------------------------------------------------------- */

#define VSIG "(string, string) => boolean"
#define OBJ "object[string: any]"

const rego_builtin rego_builtins_jwt[] = {
    {"io.jwt.decode", NULL, "(string) => array<" OBJ ", " OBJ ", string>", 1, 0, bi_decode},
    {"io.jwt.decode_verify", NULL, "(string, " OBJ ") => array<boolean, " OBJ ", " OBJ ">", 2, 0,
     bi_decode_verify},
    {"io.jwt.verify_hs256", NULL, VSIG, 2, 0, bi_verify_hs256},
    {"io.jwt.verify_hs384", NULL, VSIG, 2, 0, bi_verify_hs384},
    {"io.jwt.verify_hs512", NULL, VSIG, 2, 0, bi_verify_hs512},
    {"io.jwt.verify_rs256", NULL, VSIG, 2, 0, bi_verify_rs256},
    {"io.jwt.verify_rs384", NULL, VSIG, 2, 0, bi_verify_rs384},
    {"io.jwt.verify_rs512", NULL, VSIG, 2, 0, bi_verify_rs512},
    {"io.jwt.verify_ps256", NULL, VSIG, 2, 0, bi_verify_ps256},
    {"io.jwt.verify_ps384", NULL, VSIG, 2, 0, bi_verify_ps384},
    {"io.jwt.verify_ps512", NULL, VSIG, 2, 0, bi_verify_ps512},
    {"io.jwt.verify_es256", NULL, VSIG, 2, 0, bi_verify_es256},
    {"io.jwt.verify_es384", NULL, VSIG, 2, 0, bi_verify_es384},
    {"io.jwt.verify_es512", NULL, VSIG, 2, 0, bi_verify_es512},
    {"io.jwt.verify_eddsa", NULL, VSIG, 2, 0, bi_verify_eddsa},
    {"io.jwt.encode_sign", NULL, "(" OBJ ", " OBJ ", " OBJ ") => string", 3, REGO_BI_NONDET,
     bi_encode_sign},
    {"io.jwt.encode_sign_raw", NULL, "(string, string, string) => string", 3, REGO_BI_NONDET,
     bi_encode_sign_raw},
    {0},
};
