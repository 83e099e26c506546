/*
 * crypto.c — the crypto.* builtins: digests and HMACs, X.509 certificate,
 * CSR and key parsing, and certificate chain verification.
 *
 * OPA answers these by marshalling Go structs to JSON (x509.Certificate,
 * x509.CertificateRequest, tls.Certificate, *rsa.PrivateKey, ...), so the
 * objects built here carry exactly the fields Go's encoding/json prints for
 * Go 1.24's structs: byte slices as standard base64, big integers as
 * numbers, times as RFC 3339, enums as their Go numbers, nil slices as null.
 * Certificate objects hold: Raw, RawTBSCertificate, RawSubjectPublicKeyInfo,
 * RawSubject, RawIssuer, Signature, SignatureAlgorithm, PublicKeyAlgorithm,
 * PublicKey, Version, SerialNumber, Issuer, Subject (pkix.Name: Country,
 * Organization, OrganizationalUnit, Locality, Province, StreetAddress,
 * PostalCode, SerialNumber, CommonName, Names, ExtraNames), NotBefore,
 * NotAfter, KeyUsage, Extensions, ExtraExtensions,
 * UnhandledCriticalExtensions, ExtKeyUsage, UnknownExtKeyUsage,
 * BasicConstraintsValid, IsCA, MaxPathLen, MaxPathLenZero, SubjectKeyId,
 * AuthorityKeyId, OCSPServer, IssuingCertificateURL, DNSNames,
 * EmailAddresses, IPAddresses, URIs, the name-constraint fields,
 * CRLDistributionPoints, PolicyIdentifiers, Policies, the policy-constraint
 * fields, PolicyMappings and (parse_certificates, parse_and_verify_*
 * without options) URIStrings.
 *
 * Chain verification is OpenSSL's, configured to behave like Go's
 * x509.Verify (any supplied root is a trust anchor, no fallback to the
 * subject CN for host names, Go's extended-key-usage rules, unhandled
 * critical extensions refused); MaxConstraintComparisons is accepted but
 * OpenSSL applies its own name-constraint budget.
 *
 * Every input is bounded by REGO_CRYPTO_MAX_INPUT_BYTES; certificate and key
 * counts by REGO_CRYPTO_MAX_CERTS / REGO_CRYPTO_MAX_KEYS.  All OpenSSL
 * objects are freed on every path.  Global state: none.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../limits.h"
#include "jwk.h"

REGO_BUILTIN_GROUP(crypto);

/* ---- helpers --------------------------------------------------------------------- */

static rp_status fail(rego_bctx *ctx, const char *msg)
{
    if (rp_arena_failed(ctx->arena))
        return rego_bi_nomem(ctx);
    return rego_bi_errorf(ctx, "%s", msg);
}

static bool too_big(rego_bctx *ctx, size_t n, rp_status *st)
{
    if (n <= REGO_CRYPTO_MAX_INPUT_BYTES)
        return false;
    *st = rego_bi_errorf(ctx, "input of %zu bytes is larger than the limit of %u bytes", n,
                         REGO_CRYPTO_MAX_INPUT_BYTES);
    return true;
}

static rego_value lit(const char *s)
{
    return rego_str_borrow(s, strlen(s));
}

static rego_value b64(rp_arena *a, rego_bytes b)
{
    size_t n;
    char *s = rego_jwk_b64_encode(a, REGO_B64_STD, b.p ? b.p : (const uint8_t *)"", b.n, &n);
    return s ? rego_str_borrow(s, n) : rego_undef();
}

static rego_value b64_or_null(rp_arena *a, bool present, rego_bytes b)
{
    return present ? b64(a, b) : rego_null();
}

static bool has_prefix(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && memcmp(s, pre, k) == 0;
}

/* A small object writer over the value builder. */
typedef struct {
    rego_objb b;
    rp_arena *a;
} ow;

static void ow_init(ow *w, rp_arena *a)
{
    rego_objb_init(&w->b, a);
    w->a = a;
}

static void put(ow *w, const char *k, rego_value v)
{
    rego_objb_put(&w->b, lit(k), v);
}

static rego_value ow_done(ow *w)
{
    return rego_objb_finish(&w->b);
}

static rego_value strings_value(rp_arena *a, rego_jwk_list l)
{
    if (!l.n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, l.n, &v);
    if (!it)
        return rego_undef();
    for (size_t i = 0; i < l.n; i++)
        it[i] = rego_str(a, (const char *)l.v[i].p, l.v[i].n);
    return v;
}

static rego_value ips_value(rp_arena *a, rego_jwk_list l)
{
    if (!l.n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, l.n, &v);
    if (!it)
        return rego_undef();
    for (size_t i = 0; i < l.n; i++)
        it[i] = rego_jwk_ip_value(a, l.v[i]);
    return v;
}

static rego_value oids_value(rp_arena *a, const rego_oid *o, size_t n, bool null_if_empty)
{
    if (!n && null_if_empty)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, n, &v);
    if (!it && n)
        return rego_undef();
    for (size_t i = 0; i < n; i++)
        it[i] = rego_jwk_oid_value(a, o[i]);
    return n ? v : rego_empty_array();
}

/* ---- digests and HMACs ------------------------------------------------------------ */

static rp_status digest(rego_bctx *ctx, const rego_value *args, rego_value *out, const char *md)
{
    const char *s;
    size_t n;
    uint8_t d[64];
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    size_t len = rego_jwk_digest(md, (const uint8_t *)s, n, d);
    if (!len)
        return rego_bi_errorf(ctx, "%s digest unavailable", md);
    *out = rego_jwk_hex_value(ctx->arena, d, len);
    return RP_OK;
}

static rp_status bi_md5(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return digest(ctx, args, out, "MD5");
}

static rp_status bi_sha1(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return digest(ctx, args, out, "SHA1");
}

static rp_status bi_sha256(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return digest(ctx, args, out, "SHA256");
}

static rp_status hmac(rego_bctx *ctx, const rego_value *args, rego_value *out, const char *md)
{
    const char *msg, *key;
    size_t mn, kn;
    uint8_t d[64];
    if (!rego_bi_arg_str(ctx, args, 0, &msg, &mn) || !rego_bi_arg_str(ctx, args, 1, &key, &kn))
        return RP_ERR_TYPE;
    size_t len = rego_jwk_hmac(md, (const uint8_t *)key, kn, (const uint8_t *)msg, mn, d);
    if (!len)
        return rego_bi_errorf(ctx, "%s HMAC unavailable", md);
    *out = rego_jwk_hex_value(ctx->arena, d, len);
    return RP_OK;
}

static rp_status bi_hmac_md5(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return hmac(ctx, args, out, "MD5");
}

static rp_status bi_hmac_sha1(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return hmac(ctx, args, out, "SHA1");
}

static rp_status bi_hmac_sha256(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return hmac(ctx, args, out, "SHA256");
}

static rp_status bi_hmac_sha512(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return hmac(ctx, args, out, "SHA512");
}

/* hmac.Equal: constant time over equal lengths; different lengths differ. */
static rp_status bi_hmac_equal(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *x, *y;
    size_t xn, yn;
    if (!rego_bi_arg_str(ctx, args, 0, &x, &xn) || !rego_bi_arg_str(ctx, args, 1, &y, &yn))
        return RP_ERR_TYPE;
    *out = rego_bool(xn == yn && CRYPTO_memcmp(x, y, xn) == 0);
    return RP_OK;
}

/* ---- Go's JSON for x509 values ------------------------------------------------------ */

static rego_value name_value(rp_arena *a, const rego_jwk_name *nm)
{
    static const struct {
        uint32_t arc;
        const char *field;
    } lists[] = {{6, "Country"},  {10, "Organization"}, {11, "OrganizationalUnit"}, {7, "Locality"},
                 {8, "Province"}, {9, "StreetAddress"}, {17, "PostalCode"}};
    rego_value cn = lit(""), sn = lit("");
    ow w;
    ow_init(&w, a);
    for (size_t f = 0; f < RP_ARRAY_LEN(lists); f++) {
        size_t count = 0;
        for (size_t i = 0; i < nm->n; i++) {
            const rego_jwk_atv *t = &nm->atv[i];
            if (t->type.n == 4 && t->type.arc[0] == 2 && t->type.arc[1] == 5 &&
                t->type.arc[2] == 4 && t->type.arc[3] == lists[f].arc &&
                t->value.kind == REGO_STRING)
                count++;
        }
        rego_value arr = rego_null();
        rego_value *it = count ? rego_array_alloc(a, count, &arr) : NULL;
        for (size_t i = 0, k = 0; it && i < nm->n; i++) {
            const rego_jwk_atv *t = &nm->atv[i];
            if (t->type.n == 4 && t->type.arc[0] == 2 && t->type.arc[1] == 5 &&
                t->type.arc[2] == 4 && t->type.arc[3] == lists[f].arc &&
                t->value.kind == REGO_STRING)
                it[k++] = t->value;
        }
        put(&w, lists[f].field, arr);
    }
    rego_value names = rego_null();
    rego_value *it = nm->n ? rego_array_alloc(a, nm->n, &names) : NULL;
    for (size_t i = 0; it && i < nm->n; i++) {
        const rego_jwk_atv *t = &nm->atv[i];
        ow e;
        ow_init(&e, a);
        put(&e, "Type", rego_jwk_oid_value(a, t->type));
        put(&e, "Value", t->value);
        it[i] = ow_done(&e);
        bool std = t->type.n == 4 && t->type.arc[0] == 2 && t->type.arc[1] == 5 &&
                   t->type.arc[2] == 4 && t->value.kind == REGO_STRING;
        if (std && t->type.arc[3] == 3) /* the last one wins, as in Go */
            cn = t->value;
        if (std && t->type.arc[3] == 5)
            sn = t->value;
    }
    put(&w, "CommonName", cn);
    put(&w, "SerialNumber", sn);
    put(&w, "Names", names);
    put(&w, "ExtraNames", rego_null());
    return ow_done(&w);
}

static rego_value pub_value(rp_arena *a, const rego_jwk_pub *p)
{
    ow w;
    ow_init(&w, a);
    switch (p->alg) {
    case REGO_PK_RSA:
        put(&w, "N", rego_jwk_int_value(a, p->n, false));
        put(&w, "E", rego_int(p->e));
        return ow_done(&w);
    case REGO_PK_ECDSA: /* elliptic.Curve's fields are unexported: {} */
        put(&w, "Curve", rego_empty_object());
        put(&w, "X", rego_jwk_int_value(a, p->x, false));
        put(&w, "Y", rego_jwk_int_value(a, p->y, false));
        return ow_done(&w);
    case REGO_PK_ED25519: return b64(a, p->ed);
    case REGO_PK_DSA: {
        ow prm;
        ow_init(&prm, a);
        put(&prm, "P", rego_jwk_int_value(a, p->p, true));
        put(&prm, "Q", rego_jwk_int_value(a, p->q, true));
        put(&prm, "G", rego_jwk_int_value(a, p->g, true));
        put(&w, "Parameters", ow_done(&prm));
        put(&w, "Y", rego_jwk_int_value(a, p->dsa_y, true));
        return ow_done(&w);
    }
    case REGO_PK_UNKNOWN: break;
    }
    return rego_null();
}

static rego_value exts_value(rp_arena *a, const rego_jwk_ext *e, size_t n)
{
    if (!n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, n, &v);
    for (size_t i = 0; it && i < n; i++) {
        ow w;
        ow_init(&w, a);
        put(&w, "Id", rego_jwk_oid_value(a, e[i].id));
        put(&w, "Critical", rego_bool(e[i].critical));
        put(&w, "Value", b64(a, e[i].value));
        it[i] = ow_done(&w);
    }
    return it ? v : rego_undef();
}

static rego_value str_of(rp_arena *a, rego_bytes b)
{
    return rego_str(a, b.p ? (const char *)b.p : "", b.n);
}

static rego_value url_value(rp_arena *a, const rego_jwk_url *u)
{
    ow w;
    ow_init(&w, a);
    put(&w, "Scheme", str_of(a, u->scheme));
    put(&w, "Opaque", str_of(a, u->opaque));
    put(&w, "User", u->has_user ? rego_empty_object() : rego_null()); /* *Userinfo: unexported */
    put(&w, "Host", str_of(a, u->host));
    put(&w, "Path", str_of(a, u->path));
    put(&w, "RawPath", str_of(a, u->raw_path));
    put(&w, "OmitHost", rego_bool(u->omit_host));
    put(&w, "ForceQuery", rego_bool(u->force_query));
    put(&w, "RawQuery", str_of(a, u->raw_query));
    put(&w, "Fragment", str_of(a, u->fragment));
    put(&w, "RawFragment", str_of(a, u->raw_fragment));
    return ow_done(&w);
}

static rego_value urls_value(rp_arena *a, const rego_jwk_url *u, size_t n, bool text)
{
    if (!n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, n, &v);
    for (size_t i = 0; it && i < n; i++)
        it[i] = text ? rego_jwk_url_text(a, &u[i]) : url_value(a, &u[i]);
    return it ? v : rego_undef();
}

static rego_value ipnets_value(rp_arena *a, rego_jwk_ipnets l)
{
    if (!l.n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, l.n, &v);
    for (size_t i = 0; it && i < l.n; i++) {
        ow w;
        ow_init(&w, a);
        put(&w, "IP", rego_jwk_ip_value(a, l.v[i].ip));
        put(&w, "Mask", b64(a, l.v[i].mask)); /* net.IPMask has no text form */
        it[i] = ow_done(&w);
    }
    return it ? v : rego_undef();
}

static rego_value oid_texts_value(rp_arena *a, rego_jwk_list l)
{
    if (!l.n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, l.n, &v);
    for (size_t i = 0; it && i < l.n; i++)
        it[i] = rego_jwk_oid_text(a, l.v[i]);
    return it ? v : rego_undef();
}

static rego_value policy_mappings_value(rp_arena *a, const rego_jwk_cert *c)
{
    if (!c->pm_issuer.n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, c->pm_issuer.n, &v);
    for (size_t i = 0; it && i < c->pm_issuer.n; i++) {
        ow w;
        ow_init(&w, a);
        put(&w, "IssuerDomainPolicy", rego_jwk_oid_text(a, c->pm_issuer.v[i]));
        put(&w, "SubjectDomainPolicy", rego_jwk_oid_text(a, c->pm_subject.v[i]));
        it[i] = ow_done(&w);
    }
    return it ? v : rego_undef();
}

static rego_value ints_value(rp_arena *a, const int *x, size_t n)
{
    if (!n)
        return rego_null();
    rego_value v;
    rego_value *it = rego_array_alloc(a, n, &v);
    for (size_t i = 0; it && i < n; i++)
        it[i] = rego_int(x[i]);
    return it ? v : rego_undef();
}

static void cert_raw_fields(ow *w, const rego_jwk_cert *c)
{
    rp_arena *a = w->a;
    put(w, "Raw", b64(a, c->raw));
    put(w, "RawTBSCertificate", b64(a, c->raw_tbs));
    put(w, "RawSubjectPublicKeyInfo", b64(a, c->raw_spki));
    put(w, "RawSubject", b64(a, c->raw_subject));
    put(w, "RawIssuer", b64(a, c->raw_issuer));
    put(w, "Signature", b64(a, c->signature));
    put(w, "SignatureAlgorithm", rego_int(c->sigalg));
    put(w, "PublicKeyAlgorithm", rego_int(c->pub.alg));
    put(w, "PublicKey", pub_value(a, &c->pub));
    put(w, "Version", rego_int(c->version));
    put(w, "SerialNumber", rego_jwk_int_value(a, c->serial, true));
    put(w, "Issuer", name_value(a, &c->issuer));
    put(w, "Subject", name_value(a, &c->subject));
    put(w, "NotBefore", rego_jwk_time_value(a, c->not_before));
    put(w, "NotAfter", rego_jwk_time_value(a, c->not_after));
}

static void cert_ext_fields(ow *w, const rego_jwk_cert *c)
{
    rp_arena *a = w->a;
    put(w, "KeyUsage", rego_int(c->key_usage));
    put(w, "Extensions", exts_value(a, c->exts, c->nexts));
    put(w, "ExtraExtensions", rego_null());
    put(w, "UnhandledCriticalExtensions", oids_value(a, c->unhandled, c->nunhandled, true));
    put(w, "ExtKeyUsage", ints_value(a, c->eku, c->neku));
    put(w, "UnknownExtKeyUsage", oids_value(a, c->unknown_eku, c->nunknown_eku, true));
    put(w, "BasicConstraintsValid", rego_bool(c->bc_valid));
    put(w, "IsCA", rego_bool(c->is_ca));
    put(w, "MaxPathLen", rego_int(c->max_path_len));
    put(w, "MaxPathLenZero", rego_bool(c->max_path_len_zero));
    put(w, "SubjectKeyId", b64_or_null(a, c->has_skid, c->skid));
    put(w, "AuthorityKeyId", b64_or_null(a, c->has_akid, c->akid));
    put(w, "OCSPServer", strings_value(a, c->ocsp));
    put(w, "IssuingCertificateURL", strings_value(a, c->issuing));
    put(w, "DNSNames", strings_value(a, c->dns));
    put(w, "EmailAddresses", strings_value(a, c->email));
    put(w, "IPAddresses", ips_value(a, c->ip));
    put(w, "URIs", urls_value(a, c->uri, c->uri_raw.n, false));
}

static void cert_policy_fields(ow *w, const rego_jwk_cert *c)
{
    rp_arena *a = w->a;
    put(w, "PermittedDNSDomainsCritical", rego_bool(c->nc_critical));
    put(w, "PermittedDNSDomains", strings_value(a, c->nc_dns[0]));
    put(w, "ExcludedDNSDomains", strings_value(a, c->nc_dns[1]));
    put(w, "PermittedIPRanges", ipnets_value(a, c->nc_ip[0]));
    put(w, "ExcludedIPRanges", ipnets_value(a, c->nc_ip[1]));
    put(w, "PermittedEmailAddresses", strings_value(a, c->nc_email[0]));
    put(w, "ExcludedEmailAddresses", strings_value(a, c->nc_email[1]));
    put(w, "PermittedURIDomains", strings_value(a, c->nc_uri[0]));
    put(w, "ExcludedURIDomains", strings_value(a, c->nc_uri[1]));
    put(w, "CRLDistributionPoints", strings_value(a, c->crldp));
    put(w, "PolicyIdentifiers",
        c->has_policy_ids ? oids_value(a, c->policy_ids, c->npolicy_ids, false) : rego_null());
    put(w, "Policies", oid_texts_value(a, c->policies));
    put(w, "InhibitAnyPolicy", rego_int(c->inhibit_any));
    put(w, "InhibitAnyPolicyZero", rego_bool(c->inhibit_any_zero));
    put(w, "InhibitPolicyMapping", rego_int(c->inhibit_mapping));
    put(w, "InhibitPolicyMappingZero", rego_bool(c->inhibit_mapping_zero));
    put(w, "RequireExplicitPolicy", rego_int(c->require_explicit));
    put(w, "RequireExplicitPolicyZero", rego_bool(c->require_explicit_zero));
    put(w, "PolicyMappings", policy_mappings_value(a, c));
}

/* x509.Certificate as Go marshals it; extended adds OPA's URIStrings. */
static rego_value cert_value(rp_arena *a, const rego_jwk_cert *c, bool extended)
{
    ow w;
    ow_init(&w, a);
    cert_raw_fields(&w, c);
    cert_ext_fields(&w, c);
    cert_policy_fields(&w, c);
    if (extended)
        put(&w, "URIStrings", urls_value(a, c->uri, c->uri_raw.n, true));
    return ow_done(&w);
}

static rego_value certs_value(rp_arena *a, rego_jwk_cert *const *certs, size_t n, bool extended)
{
    rego_value v;
    rego_value *it = rego_array_alloc(a, n, &v);
    if (!it && n)
        return rego_undef();
    for (size_t i = 0; i < n; i++)
        it[i] = cert_value(a, certs[i], extended);
    return n ? v : rego_empty_array();
}

static rego_value csr_value(rp_arena *a, const rego_jwk_csr *c)
{
    ow w;
    ow_init(&w, a);
    put(&w, "Raw", b64(a, c->raw));
    put(&w, "RawTBSCertificateRequest", b64(a, c->raw_tbs));
    put(&w, "RawSubjectPublicKeyInfo", b64(a, c->raw_spki));
    put(&w, "RawSubject", b64(a, c->raw_subject));
    put(&w, "Version", rego_int(c->version));
    put(&w, "Signature", b64(a, c->signature));
    put(&w, "SignatureAlgorithm", rego_int(c->sigalg));
    put(&w, "PublicKeyAlgorithm", rego_int(c->pub.alg));
    put(&w, "PublicKey", pub_value(a, &c->pub));
    put(&w, "Subject", name_value(a, &c->subject));
    put(&w, "Attributes", c->attributes);
    put(&w, "Extensions", exts_value(a, c->exts, c->nexts));
    put(&w, "ExtraExtensions", rego_null());
    put(&w, "DNSNames", strings_value(a, c->dns));
    put(&w, "EmailAddresses", strings_value(a, c->email));
    put(&w, "IPAddresses", ips_value(a, c->ip));
    put(&w, "URIs", urls_value(a, c->uri, c->uri_raw.n, false));
    return ow_done(&w);
}

/* ---- reading certificates (OPA's getX509CertsFromString) ------------------------------ */

static bool certs_from_pem(rp_arena *a, const char *s, size_t n, rego_jwk_cert **certs, size_t *nc,
                           char *err)
{
    rp_buf der;
    rp_buf_init(&der);
    size_t off = 0, blocks = 0;
    rego_jwk_pem blk;
    size_t rest;
    bool ok = true;
    while (off < n && rego_jwk_pem_decode(a, s + off, n - off, &blk, &rest)) {
        if (!rego_jwk_pem_type_is(&blk, "CERTIFICATE")) {
            snprintf(err, REGO_JWK_ERRLEN, "PEM block type is '%.*s', expected CERTIFICATE",
                     (int)(blk.typen > 64 ? 64 : blk.typen), blk.type);
            ok = false;
            break;
        }
        if (++blocks > REGO_CRYPTO_MAX_CERTS) {
            snprintf(err, REGO_JWK_ERRLEN, "x509: more than %d certificates",
                     REGO_CRYPTO_MAX_CERTS);
            ok = false;
            break;
        }
        rp_buf_append(&der, blk.der.p, blk.der.n);
        off += rest;
    }
    if (ok && der.failed) {
        snprintf(err, REGO_JWK_ERRLEN, "out of memory");
        ok = false;
    }
    if (ok) {
        uint8_t *copy = rp_arena_alloc(a, der.len + 1);
        ok = copy && (memcpy(copy, der.data ? der.data : "", der.len), true) &&
             rego_jwk_parse_certs(a, copy, der.len, certs, nc, err);
    }
    rp_buf_free(&der);
    return ok;
}

static bool certs_from_string(rp_arena *a, const char *s, size_t n, rego_jwk_cert **certs,
                              size_t *nc, char *err)
{
    rego_bytes raw;
    if (has_prefix(s, n, "-----BEGIN"))
        return certs_from_pem(a, s, n, certs, nc, err);
    if (!rego_jwk_b64_decode(a, REGO_B64_STD, s, n, &raw, err))
        return false;
    if (has_prefix((const char *)raw.p, raw.n, "-----BEGIN"))
        return certs_from_pem(a, (const char *)raw.p, raw.n, certs, nc, err);
    return rego_jwk_parse_certs(a, raw.p, raw.n, certs, nc, err);
}

static rp_status bi_parse_certificates(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n, nc;
    rego_jwk_cert *certs;
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (too_big(ctx, n, &st))
        return st;
    if (!certs_from_string(ctx->arena, s, n, &certs, &nc, err))
        return fail(ctx, err);
    rego_jwk_cert **ptrs = rp_arena_array(ctx->arena, nc ? nc : 1, sizeof(*ptrs));
    if (!ptrs)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < nc; i++)
        ptrs[i] = &certs[i];
    *out = certs_value(ctx->arena, ptrs, nc, true);
    return RP_OK;
}

/* ---- chain verification ------------------------------------------------------------------ */

/* Go's ExtKeyUsage numbers, indexed by OPA's option names. */
static const char *const KEY_USAGES[] = {
    "KeyUsageAny",
    "KeyUsageServerAuth",
    "KeyUsageClientAuth",
    "KeyUsageCodeSigning",
    "KeyUsageEmailProtection",
    "KeyUsageIPSECEndSystem",
    "KeyUsageIPSECTunnel",
    "KeyUsageIPSECUser",
    "KeyUsageTimeStamping",
    "KeyUsageOCSPSigning",
    "KeyUsageMicrosoftServerGatedCrypto",
    "KeyUsageNetscapeServerGatedCrypto",
    "KeyUsageMicrosoftCommercialCodeSigning",
    "KeyUsageMicrosoftKernelCodeSigning",
};

typedef struct {
    const char *dns;
    size_t dnsn;
    bool has_time;
    int64_t time_ns;
    int usages[RP_ARRAY_LEN(KEY_USAGES) * 4]; /* requested ExtKeyUsages */
    size_t nusages;
} verify_opts;

/* Go's checkChainForKeyUsage over chain (leaf first). */
static bool chain_key_usage(rego_jwk_cert *const *chain, size_t n, const verify_opts *o)
{
    int want[RP_ARRAY_LEN(((verify_opts *)0)->usages)];
    size_t nwant = o->nusages;
    if (!nwant) {
        want[0] = 1; /* ExtKeyUsageServerAuth */
        nwant = 1;
    } else {
        memcpy(want, o->usages, nwant * sizeof(int));
    }
    for (size_t i = 0; i < nwant; i++)
        if (want[i] == 0)
            return true;
    size_t remaining = nwant;
    for (size_t k = n; k-- > 0;) {
        const rego_jwk_cert *c = chain[k];
        bool any = false;
        if (!c->neku && !c->nunknown_eku)
            continue;
        for (size_t j = 0; j < c->neku; j++)
            any |= c->eku[j] == 0;
        if (any)
            continue;
        for (size_t i = 0; i < nwant; i++) {
            bool ok = want[i] < 0;
            for (size_t j = 0; j < c->neku && !ok; j++)
                ok = c->eku[j] == want[i];
            if (!ok) {
                want[i] = -1;
                if (--remaining == 0)
                    return false;
            }
        }
    }
    return true;
}

static void verify_host(X509_VERIFY_PARAM *p, const verify_opts *o)
{
    char host[256];
    if (!o->dnsn || o->dnsn >= sizeof(host))
        return;
    memcpy(host, o->dns, o->dnsn);
    host[o->dnsn] = 0;
    if (X509_VERIFY_PARAM_set1_ip_asc(p, host) == 1)
        return;
    ERR_clear_error();
    /* Go never falls back to the subject CN and allows a wildcard only as a
     * whole leftmost label. */
    X509_VERIFY_PARAM_set_hostflags(p, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(p, host, o->dnsn);
}

/* OpenSSL's verdict; on success chain[] holds indexes into certs, leaf first. */
static bool openssl_verify(rego_jwk_cert *certs, size_t n, const verify_opts *o, int64_t now_ns,
                           size_t *chain, size_t *chainlen)
{
    X509 **x = calloc(n, sizeof(X509 *));
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *inter = sk_X509_new_null();
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    bool ok = x && store && inter && sctx;
    for (size_t i = 0; ok && i < n; i++) {
        const unsigned char *p = certs[i].raw.p;
        ok = (x[i] = d2i_X509(NULL, &p, (long)certs[i].raw.n)) != NULL;
    }
    ok = ok && X509_STORE_add_cert(store, x[0]) == 1;
    for (size_t i = 1; ok && i + 1 < n; i++)
        ok = sk_X509_push(inter, x[i]) > 0;
    ok = ok && X509_STORE_CTX_init(sctx, store, x[n - 1], inter) == 1;
    if (ok) {
        X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(sctx);
        int64_t t = o->has_time ? o->time_ns : now_ns;
        X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_PARTIAL_CHAIN);
        X509_VERIFY_PARAM_set_time(p, (time_t)(t / 1000000000 - (t % 1000000000 < 0)));
        verify_host(p, o);
        ok = X509_verify_cert(sctx) == 1;
    }
    STACK_OF(X509) *got = ok ? X509_STORE_CTX_get0_chain(sctx) : NULL;
    *chainlen = 0;
    for (int i = 0; got && i < sk_X509_num(got); i++) {
        X509 *c = sk_X509_value(got, i);
        size_t k = 0;
        while (k < n && x[k] != c && X509_cmp(x[k], c) != 0)
            k++;
        ok = ok && k < n;
        if (k < n)
            chain[(*chainlen)++] = k;
    }
    X509_STORE_CTX_free(sctx);
    sk_X509_free(inter);
    X509_STORE_free(store);
    for (size_t i = 0; x && i < n; i++)
        X509_free(x[i]);
    free(x);
    ERR_clear_error();
    return ok;
}

/* Go checks no signature made with MD2, MD5 or SHA-1 ("insecure algorithm"),
 * nor DSA or an unknown algorithm; the trust anchor's own is never checked. */
static bool go_verifiable_sigalg(int sigalg)
{
    switch (sigalg) {
    case 4:
    case 5:
    case 6: /* SHA{256,384,512}WithRSA */
    case 10:
    case 11:
    case 12: /* ECDSAWithSHA{256,384,512} */
    case 13:
    case 14:
    case 15: /* SHA{256,384,512}WithRSAPSS */
    case 16: /* PureEd25519 */ return true;
    default: return false;
    }
}

/* x509.Verify as OPA calls it: certs[0] the root, the last one the leaf. */
static bool verify_chain(rp_arena *a, rego_jwk_cert *certs, size_t n, const verify_opts *o,
                         int64_t now_ns, rego_jwk_cert ***chain, size_t *chainlen)
{
    size_t *idx = rp_arena_array(a, n, sizeof(size_t));
    rego_jwk_cert **c = rp_arena_array(a, n, sizeof(*c));
    if (n < 2 || !idx || !c || !openssl_verify(certs, n, o, now_ns, idx, chainlen))
        return false;
    for (size_t i = 0; i < *chainlen; i++) {
        c[i] = &certs[idx[i]];
        if (c[i]->nunhandled) /* Go refuses unhandled critical extensions */
            return false;
        if (i + 1 < *chainlen && !go_verifiable_sigalg(c[i]->sigalg))
            return false;
    }
    *chain = c;
    return chain_key_usage(c, *chainlen, o);
}

static rego_value pair(rp_arena *a, bool ok, rego_value v)
{
    rego_value out;
    rego_value *it = rego_array_alloc(a, 2, &out);
    if (!it)
        return rego_undef();
    it[0] = rego_bool(ok);
    it[1] = v;
    return out;
}

static rp_status bi_parse_and_verify(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n, nc, chainlen;
    rego_jwk_cert *certs, **chain;
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    verify_opts o;
    memset(&o, 0, sizeof(o));
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (too_big(ctx, n, &st))
        return st;
    if (!certs_from_string(ctx->arena, s, n, &certs, &nc, err) ||
        !verify_chain(ctx->arena, certs, nc, &o, rego_bi_now_ns(ctx), &chain, &chainlen)) {
        *out = pair(ctx->arena, false, rego_empty_array());
        return RP_OK;
    }
    *out = pair(ctx->arena, true, certs_value(ctx->arena, chain, chainlen, true));
    return RP_OK;
}

static bool opt_key_usages(rego_value v, verify_opts *o, char *err)
{
    const rego_value *items;
    size_t n;
    if (v.kind == REGO_ARRAY) {
        items = v.u.items;
        n = v.n;
    } else if (v.kind == REGO_SET) {
        items = v.u.set->items;
        n = v.u.set->n;
    } else {
        snprintf(err, REGO_JWK_ERRLEN, "'KeyUsages' should be an Array or Set");
        return false;
    }
    rp_buf bad;
    rp_buf_init(&bad);
    for (size_t i = 0; i < n; i++) {
        if (items[i].kind != REGO_STRING) /* OPA ignores entries that are not strings */
            continue;
        size_t k = 0;
        while (k < RP_ARRAY_LEN(KEY_USAGES) &&
               !(strlen(KEY_USAGES[k]) == items[i].n &&
                 memcmp(KEY_USAGES[k], items[i].u.s, items[i].n) == 0))
            k++;
        if (k < RP_ARRAY_LEN(KEY_USAGES)) {
            if (o->nusages < RP_ARRAY_LEN(o->usages))
                o->usages[o->nusages++] = (int)k;
            continue;
        }
        if (bad.len)
            rp_buf_putc(&bad, ' ');
        rp_buf_append(&bad, items[i].u.s, items[i].n);
    }
    bool ok = bad.len == 0;
    if (!ok)
        snprintf(err, REGO_JWK_ERRLEN, "invalid entries for 'KeyUsages' found: [%s]",
                 rp_buf_cstr(&bad));
    rp_buf_free(&bad);
    return ok;
}

static bool opt_one(const char *k, size_t kn, rego_value v, verify_opts *o, char *err)
{
    int64_t i;
    if (kn == 7 && memcmp(k, "DNSName", 7) == 0) {
        if (v.kind != REGO_STRING)
            return snprintf(err, REGO_JWK_ERRLEN, "'DNSName' should be a string"), false;
        o->dns = v.u.s; /* OPA trims surrounding double quotes */
        o->dnsn = v.n;
        while (o->dnsn && *o->dns == '"') {
            o->dns++;
            o->dnsn--;
        }
        while (o->dnsn && o->dns[o->dnsn - 1] == '"')
            o->dnsn--;
        return true;
    }
    if (kn == 11 && memcmp(k, "CurrentTime", 11) == 0) {
        if (v.kind != REGO_NUMBER)
            return snprintf(err, REGO_JWK_ERRLEN, "'CurrentTime' should be a number"), false;
        if (!rego_num_to_i64(v, &i))
            return snprintf(err, REGO_JWK_ERRLEN, "'CurrentTime' should be a valid int64 number"),
                   false;
        o->has_time = true;
        o->time_ns = i;
        return true;
    }
    if (kn == 24 && memcmp(k, "MaxConstraintComparisons", 24) == 0) {
        if (v.kind != REGO_NUMBER)
            return snprintf(err, REGO_JWK_ERRLEN, "'MaxConstraintComparisons' should be a number"),
                   false;
        if (!rego_num_to_i64(v, &i))
            return snprintf(err, REGO_JWK_ERRLEN,
                            "'MaxConstraintComparisons' should be a valid number"),
                   false;
        return true;
    }
    if (kn == 9 && memcmp(k, "KeyUsages", 9) == 0)
        return opt_key_usages(v, o, err);
    snprintf(err, REGO_JWK_ERRLEN, "invalid key option");
    return false;
}

static bool verify_options(rego_value opts, verify_opts *o, char *err)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < opts.n; i++) {
        rego_objent e = rego_object_at(opts, i);
        if (e.key.kind != REGO_STRING)
            continue;
        if (!opt_one(e.key.u.s, e.key.n, e.val, o, err))
            return false;
    }
    return true;
}

static rp_status bi_parse_and_verify_opts(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n, nc, chainlen;
    rego_jwk_cert *certs, **chain;
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    verify_opts o;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n) || !rego_bi_arg_kind(ctx, args, 1, REGO_OBJECT))
        return RP_ERR_TYPE;
    if (too_big(ctx, n, &st))
        return st;
    if (!certs_from_string(ctx->arena, s, n, &certs, &nc, err)) {
        *out = pair(ctx->arena, false, rego_empty_array());
        return RP_OK;
    }
    if (!verify_options(args[1], &o, err))
        return rego_bi_errorf(ctx, "%s", err);
    if (!verify_chain(ctx->arena, certs, nc, &o, rego_bi_now_ns(ctx), &chain, &chainlen)) {
        *out = pair(ctx->arena, false, rego_empty_array());
        return RP_OK;
    }
    *out = pair(ctx->arena, true, certs_value(ctx->arena, chain, chainlen, false));
    return RP_OK;
}

/* ---- CSRs ------------------------------------------------------------------------------ */

static rp_status bi_parse_csr(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n, rest;
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    rego_bytes raw;
    rego_jwk_pem blk;
    rego_jwk_csr csr;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (too_big(ctx, n, &st))
        return st;
    raw.p = (const uint8_t *)s;
    raw.n = n;
    if (!has_prefix(s, n, "-----BEGIN CERTIFICATE REQUEST-----") &&
        !rego_jwk_b64_decode(ctx->arena, REGO_B64_STD, s, n, &raw, err))
        return fail(ctx, err);
    if (rego_jwk_pem_decode(ctx->arena, (const char *)raw.p, raw.n, &blk, &rest)) {
        if (!rego_jwk_pem_type_is(&blk, "CERTIFICATE REQUEST"))
            return rego_bi_errorf(ctx, "invalid PEM-encoded certificate signing request");
        raw = blk.der;
    }
    if (!rego_jwk_parse_csr(ctx->arena, raw.p, raw.n, &csr, err))
        return fail(ctx, err);
    *out = csr_value(ctx->arena, &csr);
    return RP_OK;
}

/* ---- private keys ------------------------------------------------------------------------ */

typedef struct {
    rego_jwk_priv *v;
    size_t n;
} privs;

static void privs_free(privs *p)
{
    for (size_t i = 0; i < p->n; i++)
        rego_jwk_priv_free(&p->v[i]);
    p->n = 0;
}

static bool priv_block(const rego_jwk_pem *b, rego_jwk_priv *k, bool *known, char *err)
{
    *known = true;
    if (rego_jwk_pem_type_is(b, "RSA PRIVATE KEY"))
        return rego_jwk_parse_pkcs1(b->der.p, b->der.n, k, err);
    if (rego_jwk_pem_type_is(b, "PRIVATE KEY"))
        return rego_jwk_parse_pkcs8(b->der.p, b->der.n, k, err);
    if (rego_jwk_pem_type_is(b, "EC PRIVATE KEY"))
        return rego_jwk_parse_sec1(b->der.p, b->der.n, k, err);
    *known = false;
    return true;
}

/* OPA's getPrivateKeysFromPEMData: base64 is decoded first when it decodes;
 * blocks of other types are skipped. */
static bool private_keys(rp_arena *a, const char *s, size_t n, privs *out, char *err)
{
    rego_bytes raw;
    char ignore[REGO_JWK_ERRLEN];
    out->n = 0;
    out->v = NULL;
    if (rego_jwk_b64_decode(a, REGO_B64_STD, s, n, &raw, ignore)) {
        s = (const char *)raw.p;
        n = raw.n;
    } else if (rp_arena_failed(a)) {
        return false;
    }
    size_t cap = 0, off = 0, rest;
    rego_jwk_pem blk;
    while (off < n && rego_jwk_pem_decode(a, s + off, n - off, &blk, &rest)) {
        off += rest;
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 4;
            if (nc > REGO_CRYPTO_MAX_KEYS) {
                if (cap == REGO_CRYPTO_MAX_KEYS)
                    return snprintf(err, REGO_JWK_ERRLEN, "more than %d private keys",
                                    REGO_CRYPTO_MAX_KEYS),
                           false;
                nc = REGO_CRYPTO_MAX_KEYS;
            }
            rego_jwk_priv *nv = rp_arena_grow(a, out->v, cap * sizeof(*nv), nc * sizeof(*nv));
            if (!nv)
                return false;
            out->v = nv;
            cap = nc;
        }
        bool known;
        rego_jwk_priv k = {REGO_PRIV_OTHER, NULL};
        if (!priv_block(&blk, &k, &known, err))
            return false;
        if (known)
            out->v[out->n++] = k;
    }
    return !rp_arena_failed(a);
}

static rp_status bi_parse_private_keys(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    privs keys = {NULL, 0};
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (too_big(ctx, n, &st))
        return st;
    if (n == 0) {
        *out = rego_null();
        return RP_OK;
    }
    if (!private_keys(ctx->arena, s, n, &keys, err)) {
        privs_free(&keys);
        return fail(ctx, err);
    }
    rego_value v = rego_empty_array();
    rego_value *it = keys.n ? rego_array_alloc(ctx->arena, keys.n, &v) : NULL;
    for (size_t i = 0; it && i < keys.n; i++)
        it[i] = keys.v[i].kind == REGO_PRIV_OTHER ? rego_empty_object()
                                                  : rego_jwk_priv_go_value(ctx->arena, &keys.v[i]);
    privs_free(&keys);
    *out = v;
    return RP_OK;
}

static rp_status bi_parse_rsa_private_key(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    rego_bytes raw;
    privs keys = {NULL, 0};
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (too_big(ctx, n, &st))
        return st;
    if (n == 0)
        return rego_bi_errorf(ctx, "input PEM data was empty");
    if (!has_prefix(s, n, "-----BEGIN")) {
        if (!rego_jwk_b64_decode(ctx->arena, REGO_B64_STD, s, n, &raw, err))
            return fail(ctx, err);
        s = (const char *)raw.p;
        n = raw.n;
    }
    if (!private_keys(ctx->arena, s, n, &keys, err)) {
        privs_free(&keys);
        return fail(ctx, err);
    }
    if (keys.n == 0) {
        *out = rego_null();
        return RP_OK;
    }
    rego_jwk_privkind kind = keys.v[0].kind;
    if (kind == REGO_PRIV_OTHER) {
        privs_free(&keys);
        return rego_bi_errorf(ctx, "invalid key type *ecdh.PrivateKey");
    }
    *out = rego_jwk_priv_jwk_value(ctx->arena, &keys.v[0]);
    privs_free(&keys);
    return RP_OK;
}

/* ---- crypto.x509.parse_keypair (tls.X509KeyPair) ------------------------------------------- */

typedef struct {
    const char *s;
    size_t n;
    bool der;         /* a bare DER document (OPA wraps it into PEM) */
    const char *type; /* ... of this PEM type */
} pem_input;

/* Base64 when it does not start with "-----BEGIN ", then PEM or bare DER. */
static bool keypair_input(rp_arena *a, const rego_value *arg, const char *type, pem_input *in,
                          char *err)
{
    rego_bytes raw;
    in->s = arg->u.s;
    in->n = arg->n;
    in->der = false;
    in->type = type;
    if (has_prefix(in->s, in->n, "-----BEGIN "))
        return true;
    if (!rego_jwk_b64_decode(a, REGO_B64_STD, in->s, in->n, &raw, err))
        return false;
    in->s = (const char *)raw.p;
    in->n = raw.n;
    in->der = !has_prefix(in->s, in->n, "-----BEGIN");
    return true;
}

/* The next PEM block of in (a bare DER input is one block of in->type). */
static bool next_block(rp_arena *a, pem_input *in, size_t *off, rego_jwk_pem *b)
{
    if (in->der) {
        if (*off)
            return false;
        b->type = in->type;
        b->typen = strlen(in->type);
        b->der.p = (const uint8_t *)in->s;
        b->der.n = in->n;
        *off = in->n ? in->n : 1;
        return true;
    }
    size_t rest;
    if (*off >= in->n || !rego_jwk_pem_decode(a, in->s + *off, in->n - *off, b, &rest))
        return false;
    *off += rest;
    return true;
}

static void skipped_append(rp_buf *b, const rego_jwk_pem *blk)
{
    if (b->len)
        rp_buf_putc(b, ' ');
    rp_buf_append(b, blk->type, blk->typen);
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static bool keypair_certs(rp_arena *a, pem_input *in, rego_value *list, rego_bytes *first,
                          char *err)
{
    rego_jwk_pem blk;
    size_t off = 0, count = 0, skipped = 0;
    rp_buf skip;
    rp_buf_init(&skip);
    rego_value *items = NULL;
    size_t cap = 0;
    bool ok = true;
    while (ok && next_block(a, in, &off, &blk)) {
        if (!rego_jwk_pem_type_is(&blk, "CERTIFICATE")) {
            skipped++;
            skipped_append(&skip, &blk);
            continue;
        }
        if (count == REGO_CRYPTO_MAX_CERTS) {
            snprintf(err, REGO_JWK_ERRLEN, "x509: more than %d certificates",
                     REGO_CRYPTO_MAX_CERTS);
            ok = false;
            break;
        }
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 4;
            rego_value *ni = rp_arena_grow(a, items, cap * sizeof(*ni), nc * sizeof(*ni));
            if (!ni) {
                ok = false;
                break;
            }
            items = ni;
            cap = nc;
        }
        if (!count)
            *first = blk.der;
        items[count++] = b64(a, blk.der);
    }
    if (ok && !count) {
        if (!skipped)
            snprintf(err, REGO_JWK_ERRLEN, "tls: failed to find any PEM data in certificate input");
        else if (skipped == 1 && ends_with(rp_buf_cstr(&skip), skip.len, "PRIVATE KEY"))
            snprintf(err, REGO_JWK_ERRLEN,
                     "tls: failed to find certificate PEM data in certificate "
                     "input, but did find a private key; PEM inputs may have been switched");
        else
            snprintf(err, REGO_JWK_ERRLEN,
                     "tls: failed to find \"CERTIFICATE\" PEM block in certificate "
                     "input after skipping PEM blocks of the following types: [%s]",
                     rp_buf_cstr(&skip));
        ok = false;
    }
    rp_buf_free(&skip);
    *list = rego_array_borrow(items, count);
    return ok;
}

static bool keypair_key_block(rp_arena *a, pem_input *in, rego_jwk_pem *key, char *err)
{
    size_t off = 0, skipped = 0;
    rp_buf skip;
    rp_buf_init(&skip);
    bool found = false;
    while (next_block(a, in, &off, key)) {
        if (rego_jwk_pem_type_is(key, "PRIVATE KEY") ||
            ends_with(key->type, key->typen, " PRIVATE KEY")) {
            found = true;
            break;
        }
        skipped++;
        skipped_append(&skip, key);
    }
    if (!found) {
        if (!skipped)
            snprintf(err, REGO_JWK_ERRLEN, "tls: failed to find any PEM data in key input");
        else if (skipped == 1 && strcmp(rp_buf_cstr(&skip), "CERTIFICATE") == 0)
            snprintf(err, REGO_JWK_ERRLEN,
                     "tls: found a certificate rather than a key in the PEM for the private key");
        else
            snprintf(err, REGO_JWK_ERRLEN,
                     "tls: failed to find PEM block with type ending in \"PRIVATE "
                     "KEY\" in key input after skipping PEM blocks of the following types: [%s]",
                     rp_buf_cstr(&skip));
    }
    rp_buf_free(&skip);
    return found;
}

/* tls's parsePrivateKey: PKCS #1, then PKCS #8, then SEC 1. */
static bool tls_private_key(rego_bytes der, rego_jwk_priv *k, char *err)
{
    char ignore[REGO_JWK_ERRLEN];
    if (rego_jwk_parse_pkcs1(der.p, der.n, k, ignore))
        return true;
    if (rego_jwk_parse_pkcs8(der.p, der.n, k, ignore)) {
        if (k->kind != REGO_PRIV_OTHER)
            return true;
        rego_jwk_priv_free(k);
        snprintf(err, REGO_JWK_ERRLEN, "tls: found unknown private key type in PKCS#8 wrapping");
        return false;
    }
    if (rego_jwk_parse_sec1(der.p, der.n, k, ignore))
        return true;
    snprintf(err, REGO_JWK_ERRLEN, "tls: failed to parse private key");
    return false;
}

static bool bn_eq(EVP_PKEY *pk, const char *param, rego_bytes want)
{
    BIGNUM *bn = NULL, *w = BN_bin2bn(want.p, (int)want.n, NULL);
    bool eq = EVP_PKEY_get_bn_param(pk, param, &bn) && w && BN_cmp(bn, w) == 0;
    BN_free(bn);
    BN_free(w);
    ERR_clear_error();
    return eq;
}

static bool ed_pub_eq(EVP_PKEY *pk, rego_bytes want)
{
    uint8_t pub[32];
    size_t len = sizeof(pub);
    return EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 && len == want.n &&
           memcmp(pub, want.p, len) == 0;
}

/* The private key must be of the certificate key's type and match it. */
static bool keypair_match(const rego_jwk_pub *pub, const rego_jwk_priv *k, char *err)
{
    static const rego_jwk_privkind want[] = {[REGO_PK_RSA] = REGO_PRIV_RSA,
                                             [REGO_PK_ECDSA] = REGO_PRIV_ECDSA,
                                             [REGO_PK_ED25519] = REGO_PRIV_ED25519};
    bool match;
    if (pub->alg != REGO_PK_RSA && pub->alg != REGO_PK_ECDSA && pub->alg != REGO_PK_ED25519)
        return snprintf(err, REGO_JWK_ERRLEN, "tls: unknown public key algorithm"), false;
    if (k->kind != want[pub->alg])
        return snprintf(err, REGO_JWK_ERRLEN,
                        "tls: private key type does not match public key type"),
               false;
    if (pub->alg == REGO_PK_RSA)
        match = bn_eq(k->pkey, OSSL_PKEY_PARAM_RSA_N, pub->n);
    else if (pub->alg == REGO_PK_ECDSA)
        match = bn_eq(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, pub->x) &&
                bn_eq(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, pub->y);
    else
        match = ed_pub_eq(k->pkey, pub->ed);
    if (!match)
        snprintf(err, REGO_JWK_ERRLEN, "tls: private key does not match public key");
    return match;
}

static rp_status bi_parse_keypair(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    char err[REGO_JWK_ERRLEN];
    rp_status st;
    pem_input cin, kin;
    rego_value list;
    rego_bytes first = {NULL, 0};
    rego_jwk_pem key;
    rego_jwk_cert leaf;
    rego_jwk_priv k = {REGO_PRIV_OTHER, NULL};
    rp_arena *a = ctx->arena;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return RP_ERR_TYPE;
    if (args[1].kind != REGO_STRING) /* OPA names the key "operand 1" too */
        return rego_bi_type_error(ctx, 1, args[1], "string");
    if (too_big(ctx, args[0].n, &st) || too_big(ctx, args[1].n, &st))
        return st;
    if (!keypair_input(a, &args[0], "CERTIFICATE", &cin, err) ||
        !keypair_input(a, &args[1], "PRIVATE KEY", &kin, err) ||
        !keypair_certs(a, &cin, &list, &first, err) || !keypair_key_block(a, &kin, &key, err) ||
        !rego_jwk_parse_cert(a, first.p, first.n, &leaf, err) || !tls_private_key(key.der, &k, err))
        return fail(ctx, err);
    if (!keypair_match(&leaf.pub, &k, err)) {
        rego_jwk_priv_free(&k);
        return fail(ctx, err);
    }
    ow w;
    ow_init(&w, a);
    put(&w, "Certificate", list);
    put(&w, "PrivateKey", rego_jwk_priv_go_value(a, &k));
    put(&w, "SupportedSignatureAlgorithms", rego_null());
    put(&w, "OCSPStaple", rego_null());
    put(&w, "SignedCertificateTimestamps", rego_null());
    put(&w, "Leaf", cert_value(a, &leaf, false));
    rego_jwk_priv_free(&k);
    *out = ow_done(&w);
    return RP_OK;
}

/* ---- table ------------------------------------------------------------------------------------
 */

#define S1 "(string) => string"
#define S2 "(string, string) => string"
#define OBJ "object[string: any]"

const rego_builtin rego_builtins_crypto[] = {
    {"crypto.md5", NULL, S1, 1, 0, bi_md5},
    {"crypto.sha1", NULL, S1, 1, 0, bi_sha1},
    {"crypto.sha256", NULL, S1, 1, 0, bi_sha256},
    {"crypto.hmac.md5", NULL, S2, 2, 0, bi_hmac_md5},
    {"crypto.hmac.sha1", NULL, S2, 2, 0, bi_hmac_sha1},
    {"crypto.hmac.sha256", NULL, S2, 2, 0, bi_hmac_sha256},
    {"crypto.hmac.sha512", NULL, S2, 2, 0, bi_hmac_sha512},
    {"crypto.hmac.equal", NULL, "(string, string) => boolean", 2, 0, bi_hmac_equal},
    {"crypto.x509.parse_certificates", NULL, "(string) => array[" OBJ "]", 1, 0,
     bi_parse_certificates},
    {"crypto.x509.parse_and_verify_certificates", NULL,
     "(string) => array<boolean, array[" OBJ "]>", 1, 0, bi_parse_and_verify},
    {"crypto.x509.parse_and_verify_certificates_with_options", NULL,
     "(string, " OBJ ") => array<boolean, array[" OBJ "]>", 2, 0, bi_parse_and_verify_opts},
    {"crypto.x509.parse_certificate_request", NULL, "(string) => " OBJ, 1, 0, bi_parse_csr},
    {"crypto.x509.parse_keypair", NULL, "(string, string) => " OBJ, 2, 0, bi_parse_keypair},
    {"crypto.x509.parse_rsa_private_key", NULL, "(string) => " OBJ, 1, 0, bi_parse_rsa_private_key},
    {"crypto.parse_private_keys", NULL, "(string) => array[" OBJ "]", 1, 0, bi_parse_private_keys},
    {0},
};
