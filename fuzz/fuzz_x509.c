/*
 * fuzz_x509.c — libFuzzer harness for the X.509 and key parsers.
 *
 * Every input is tried as DER (one or more certificates, a CSR, a PKIX
 * public key, PKCS #1 / PKCS #8 / SEC 1 private keys) through the parsers
 * directly, and through the builtins both as text (PEM) and base64-encoded
 * (so the shaping into Go's JSON objects and chain verification run too).
 * Beyond "no crash, leak or hang": every builtin failure carries a message,
 * and parsed certificates come back as one object each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/builtins/jwk.h"
#include "rego/evalctx.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* far above what libFuzzer's inputs need */
#define FUZZ_NOW_NS 1600000000000000000LL

REGO_BUILTIN_GROUP(crypto);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Looked up in the group's own table: the reference also makes the static
 * link keep the group (the registry only refers to it weakly). */
static const rego_builtin *find(const char *name)
{
    for (const rego_builtin *b = rego_builtins_crypto; b->name; b++)
        if (!strcmp(b->name, name))
            return b;
    return NULL;
}

static rego_value run(rp_arena *a, const char *name, rego_value x, rego_value y)
{
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    ev.now_ns = FUZZ_NOW_NS;
    const rego_builtin *bi = find(name);
    rego_value args[2] = {x, y}, out = rego_undef();
    rp_error err = {0};
    if (!bi)
        abort();
    rp_status st = rego_builtin_call(bi, &ev, (rp_loc){0}, args, &out, &err);
    if (st != RP_OK && (!err.msg[0] || err.kind == RP_EK_NONE))
        abort();
    return st == RP_OK ? out : rego_undef();
}

static void parse_der(rp_arena *a, const uint8_t *data, size_t size)
{
    char err[REGO_JWK_ERRLEN];
    rego_jwk_cert *certs;
    size_t n;
    rego_jwk_csr csr;
    rego_jwk_pub pub;
    rego_jwk_priv k = {REGO_PRIV_OTHER, NULL};
    rego_jwk_parse_certs(a, data, size, &certs, &n, err);
    rego_jwk_parse_csr(a, data, size, &csr, err);
    rego_jwk_parse_pkix_pub(a, data, size, &pub, err);
    if (rego_jwk_parse_pkcs1(data, size, &k, err))
        rego_jwk_priv_free(&k);
    if (rego_jwk_parse_pkcs8(data, size, &k, err))
        rego_jwk_priv_free(&k);
    if (rego_jwk_parse_sec1(data, size, &k, err))
        rego_jwk_priv_free(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    parse_der(a, data, size);
    size_t n;
    char *b64 = rego_jwk_b64_encode(a, REGO_B64_STD, data, size, &n);
    rego_value text = rego_str(a, (const char *)data, size);
    if (b64 && text.kind == REGO_STRING) {
        rego_value enc = rego_str_borrow(b64, n);
        rego_value certs = run(a, "crypto.x509.parse_certificates", enc, rego_undef());
        if (certs.kind != REGO_UNDEF &&
            (certs.kind != REGO_ARRAY || (certs.n && certs.u.items[0].kind != REGO_OBJECT)))
            abort();
        run(a, "crypto.x509.parse_certificates", text, rego_undef());
        run(a, "crypto.x509.parse_certificate_request", enc, rego_undef());
        run(a, "crypto.x509.parse_and_verify_certificates", text, rego_undef());
        run(a, "crypto.parse_private_keys", text, rego_undef());
        run(a, "crypto.x509.parse_keypair", text, text);
    }
    rp_arena_free(a);
    return 0;
}
