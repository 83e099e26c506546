/*
 * jwk.h — what the crypto and jwt builtin groups share: Go-compatible
 * encodings (base64, PEM, hex), Go's JSON syntax messages, X.509
 * certificate / CSR / key parsing with Go's crypto/x509 rules and messages,
 * JWK and JWKS loading as OPA's JWT code does it, and JWS signing and
 * verification over OpenSSL 3.
 *
 * OPA is written in Go, so its builtins answer with Go's parsers' verdicts
 * and Go's error texts ("illegal base64 data at input byte 4",
 * "x509: malformed certificate", "invalid character 'e' looking for
 * beginning of value").  The functions here reproduce those, so the
 * builtins can report them verbatim.
 *
 * Ownership: everything these functions return lives in the caller's arena
 * (byte strings point into the caller's input or into the arena), except
 * OpenSSL keys (EVP_PKEY) inside rego_jwk_key, which the caller releases
 * with rego_jwk_keys_free.
 * Errors: a function that can fail returns false and writes the message
 * into a caller buffer of REGO_JWK_ERRLEN bytes; when it failed because the
 * arena ran out, rp_arena_failed(a) is true and the message is meaningless.
 * Global state: none; every function is safe to call from any thread.
 */
#ifndef RAMPART_REGO_BUILTINS_JWK_H
#define RAMPART_REGO_BUILTINS_JWK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../value.h"

#define REGO_JWK_ERRLEN 176 /* fits in a builtin error after the name prefix */

typedef struct {
    const uint8_t *p;
    size_t n;
} rego_bytes;

/* ---- base64 and hex ------------------------------------------------------ */
typedef enum {
    REGO_B64_STD,     /* Go's base64.StdEncoding: '+' '/', padded */
    REGO_B64_URL,     /* base64.URLEncoding: '-' '_', padded */
    REGO_B64_RAW_URL, /* base64.RawURLEncoding: no padding */
} rego_b64;

/* Go's Encoding.DecodeString (which skips '\r' and '\n'): the bytes go to
 * *out (arena, NUL-terminated).  Bad input: "illegal base64 data at input
 * byte N". */
bool rego_jwk_b64_decode(rp_arena *a, rego_b64 enc, const char *s, size_t n, rego_bytes *out,
                         char *err);
/* OPA's base64url.decode: pads unpadded input (RFC 7515 appendix C) and
 * decodes with the URL alphabet; "illegal base64url string: ..." when the
 * length cannot be padded. */
bool rego_jwk_b64url_decode(rp_arena *a, const char *s, size_t n, rego_bytes *out, char *err);
/* Encodes into a NUL-terminated arena string; NULL when out of memory. */
char *rego_jwk_b64_encode(rp_arena *a, rego_b64 enc, const uint8_t *p, size_t n, size_t *outn);
/* Lower-case hex as a string value (UNDEF when out of memory). */
rego_value rego_jwk_hex_value(rp_arena *a, const uint8_t *p, size_t n);

/* ---- PEM -------------------------------------------------------------------- */
typedef struct {
    const char *type; /* points into the input; not NUL-terminated */
    size_t typen;
    rego_bytes der; /* decoded body (arena) */
} rego_jwk_pem;

/* Go's pem.Decode: the first well-formed block in s[0..n).  Returns true with
 * the block and *rest (offset of what follows the block's END line), or false
 * when there is no block. */
bool rego_jwk_pem_decode(rp_arena *a, const char *s, size_t n, rego_jwk_pem *blk, size_t *rest);
bool rego_jwk_pem_type_is(const rego_jwk_pem *b, const char *type);

/* ---- Go's JSON syntax check ------------------------------------------------- */
typedef enum {
    REGO_JSON_UNMARSHAL, /* json.Unmarshal / json.Valid wording */
    REGO_JSON_DECODER,   /* OPA's util.UnmarshalJSON (a json.Decoder) wording */
} rego_jwk_json_mode;

/* True when s[0..n) is one JSON value; otherwise Go's message in err. */
bool rego_jwk_json_check(const char *s, size_t n, rego_jwk_json_mode mode, char *err);
/* OPA's extractJSONObject: json.unmarshal then "must be an object".
 * Messages: "invalid JSON: ...", "decoded JSON type was not an Object". */
bool rego_jwk_json_object(rp_arena *a, const char *s, size_t n, rego_value *out, char *err);

/* ---- X.509 ----------------------------------------------------------------- */
typedef struct {
    const uint32_t *arc; /* asn1.ObjectIdentifier: every arc fits 31 bits */
    size_t n;
} rego_oid;

typedef struct {
    rego_oid type;
    rego_value value; /* a string, or another value for non-string types */
} rego_jwk_atv;

typedef struct {
    rego_jwk_atv *atv; /* the RDN sequence, flattened in order (pkix Names) */
    size_t n;
} rego_jwk_name;

typedef struct {
    rego_oid id;
    bool critical;
    rego_bytes value;
} rego_jwk_ext;

typedef struct {
    int64_t sec; /* seconds since the epoch (UTC) */
    int32_t nsec;
    int32_t off; /* zone offset east of UTC, seconds */
} rego_jwk_time;

typedef struct {
    rego_bytes *v; /* byte strings (names, URLs, IP addresses) */
    size_t n;
} rego_jwk_list;

typedef struct {
    rego_bytes ip, mask;
} rego_jwk_ipnet;

typedef struct {
    rego_jwk_ipnet *v;
    size_t n;
} rego_jwk_ipnets;

/* A parsed URL, as Go's net/url.URL holds it. */
typedef struct {
    rego_bytes scheme, opaque, host, path, raw_path, raw_query, fragment, raw_fragment;
    rego_bytes user, password; /* escaped forms are recomputed when printing */
    bool has_user, has_password, omit_host, force_query;
} rego_jwk_url;

/* Go's x509.PublicKeyAlgorithm and x509.SignatureAlgorithm numbering. */
typedef enum {
    REGO_PK_UNKNOWN = 0,
    REGO_PK_RSA = 1,
    REGO_PK_DSA = 2,
    REGO_PK_ECDSA = 3,
    REGO_PK_ED25519 = 4,
} rego_jwk_pkalg;

typedef struct {
    rego_jwk_pkalg alg;
    rego_bytes spki;           /* the SubjectPublicKeyInfo DER */
    rego_bytes n;              /* RSA modulus, unsigned big-endian */
    int64_t e;                 /* RSA public exponent */
    int curve;                 /* ECDSA: OpenSSL NID of the curve */
    rego_bytes x, y;           /* ECDSA point coordinates */
    rego_bytes ed;             /* Ed25519 key (32 bytes) */
    rego_bytes p, q, g, dsa_y; /* DSA */
} rego_jwk_pub;

typedef struct {
    rego_bytes raw, raw_tbs, raw_spki, raw_subject, raw_issuer, signature;
    int sigalg;
    int version;       /* 1-based, as Go reports it */
    rego_bytes serial; /* two's complement INTEGER contents */
    rego_jwk_pub pub;
    rego_jwk_name issuer, subject;
    rego_jwk_time not_before, not_after;
    int key_usage; /* Go's KeyUsage bits */
    rego_jwk_ext *exts;
    size_t nexts;
    rego_oid *unhandled;
    size_t nunhandled;
    int *eku;
    size_t neku;
    rego_oid *unknown_eku;
    size_t nunknown_eku;
    bool bc_valid, is_ca, max_path_len_zero;
    int64_t max_path_len;
    bool has_skid, has_akid;
    rego_bytes skid, akid;
    rego_jwk_list ocsp, issuing, dns, email, ip, crldp;
    rego_jwk_list uri_raw; /* SAN URIs as written */
    rego_jwk_url *uri;     /* and parsed, one per uri_raw entry */
    bool nc_critical;
    rego_jwk_list nc_dns[2], nc_email[2], nc_uri[2]; /* [0] permitted, [1] excluded */
    rego_jwk_ipnets nc_ip[2];
    bool has_policy_ids;
    rego_oid *policy_ids;
    size_t npolicy_ids;
    rego_jwk_list policies; /* DER contents of each policy OID */
    int64_t inhibit_any, inhibit_mapping, require_explicit;
    bool inhibit_any_zero, inhibit_mapping_zero, require_explicit_zero;
    rego_jwk_list pm_issuer, pm_subject; /* policy mappings, DER OID contents */
} rego_jwk_cert;

/* Go's x509.ParseCertificates: one or more concatenated DER certificates
 * (at most REGO_CRYPTO_MAX_CERTS).  Go's messages ("x509: malformed
 * certificate", ...). */
bool rego_jwk_parse_certs(rp_arena *a, const uint8_t *der, size_t n, rego_jwk_cert **certs,
                          size_t *ncerts, char *err);
/* Go's x509.ParseCertificate: exactly one ("x509: trailing data"). */
bool rego_jwk_parse_cert(rp_arena *a, const uint8_t *der, size_t n, rego_jwk_cert *cert, char *err);

typedef struct {
    rego_bytes raw, raw_tbs, raw_spki, raw_subject, signature;
    int sigalg;
    int version; /* as encoded (0 for v1), as Go reports it */
    rego_jwk_pub pub;
    rego_jwk_name subject;
    rego_value attributes; /* Go's deprecated Attributes, already shaped */
    rego_jwk_ext *exts;
    size_t nexts;
    rego_jwk_list dns, email, ip, uri_raw;
    rego_jwk_url *uri;
} rego_jwk_csr;

/* Go's x509.ParseCertificateRequest. */
bool rego_jwk_parse_csr(rp_arena *a, const uint8_t *der, size_t n, rego_jwk_csr *csr, char *err);

/* Go's x509.ParsePKIXPublicKey. */
bool rego_jwk_parse_pkix_pub(rp_arena *a, const uint8_t *der, size_t n, rego_jwk_pub *pub,
                             char *err);

/* ---- values shared by x509 shaping ----------------------------------------- */
rego_value rego_jwk_oid_value(rp_arena *a, rego_oid oid);         /* [2, 5, 4, 3] */
rego_value rego_jwk_oid_text(rp_arena *a, rego_bytes der);        /* "2.5.4.3" (x509.OID) */
rego_value rego_jwk_time_value(rp_arena *a, rego_jwk_time t);     /* RFC 3339, Go's format */
rego_value rego_jwk_ip_value(rp_arena *a, rego_bytes ip);         /* net.IP text */
rego_value rego_jwk_url_text(rp_arena *a, const rego_jwk_url *u); /* URL.String() */
/* An unsigned big-endian (or two's complement when signed) integer as a number. */
rego_value rego_jwk_int_value(rp_arena *a, rego_bytes b, bool is_signed);

/* ---- private keys ------------------------------------------------------------ */
typedef enum {
    REGO_PRIV_RSA,
    REGO_PRIV_ECDSA,
    REGO_PRIV_ED25519,
    REGO_PRIV_OTHER, /* parsed but not one Go's TLS stack uses */
} rego_jwk_privkind;

typedef struct {
    rego_jwk_privkind kind;
    void *pkey; /* EVP_PKEY *, owned; release with rego_jwk_priv_free */
} rego_jwk_priv;

/* x509.ParsePKCS1PrivateKey, ParsePKCS8PrivateKey, ParseECPrivateKey. */
bool rego_jwk_parse_pkcs1(const uint8_t *der, size_t n, rego_jwk_priv *k, char *err);
bool rego_jwk_parse_pkcs8(const uint8_t *der, size_t n, rego_jwk_priv *k, char *err);
bool rego_jwk_parse_sec1(const uint8_t *der, size_t n, rego_jwk_priv *k, char *err);
void rego_jwk_priv_free(rego_jwk_priv *k);
/* The key as Go's encoding/json prints *rsa.PrivateKey, *ecdsa.PrivateKey or
 * ed25519.PrivateKey. */
rego_value rego_jwk_priv_go_value(rp_arena *a, const rego_jwk_priv *k);
/* The key as a JWK object (kty, n, e, d, p, q, dp, dq, qi / crv, x, y, d). */
rego_value rego_jwk_priv_jwk_value(rp_arena *a, const rego_jwk_priv *k);

/* ---- verification and signing keys ------------------------------------------ */
typedef enum {
    REGO_KEY_RSA_PUB,
    REGO_KEY_RSA_PRIV,
    REGO_KEY_EC_PUB,
    REGO_KEY_EC_PRIV,
    REGO_KEY_ED_PUB,
    REGO_KEY_ED_PRIV,
    REGO_KEY_OCT,
    REGO_KEY_OTHER, /* a certificate key no JWS algorithm can use (DSA, ...) */
} rego_jwk_keykind;

typedef struct {
    rego_jwk_keykind kind;
    void *pkey;      /* EVP_PKEY *, owned; NULL for oct keys and keys that
                      * cannot verify anything (a point off its curve) */
    rego_bytes oct;  /* symmetric key bytes */
    const char *alg; /* the JWK's "alg" or "" */
    const char *kid; /* the JWK's "kid" or "" */
    size_t kidn;
} rego_jwk_key;

/* OPA's getKeysFromCertOrJWK: a PEM certificate or public key, else a JWK or
 * JWKS (at most REGO_CRYPTO_MAX_KEYS keys).  OPA's messages ("failed to
 * parse a JWK key (set): ..."). */
bool rego_jwk_keys_from_cert_or_jwk(rp_arena *a, const char *s, size_t n, rego_jwk_key **keys,
                                    size_t *nkeys, char *err);
/* OPA's jwk.ParseString (internal jwx): a JWK or a JWKS. */
bool rego_jwk_parse_jwks(rp_arena *a, const char *s, size_t n, rego_jwk_key **keys, size_t *nkeys,
                         char *err);
void rego_jwk_keys_free(rego_jwk_key *keys, size_t n);

/* ---- JWS -------------------------------------------------------------------- */
typedef enum {
    REGO_JWS_NONE = 0,
    REGO_JWS_HS256,
    REGO_JWS_HS384,
    REGO_JWS_HS512,
    REGO_JWS_RS256,
    REGO_JWS_RS384,
    REGO_JWS_RS512,
    REGO_JWS_PS256,
    REGO_JWS_PS384,
    REGO_JWS_PS512,
    REGO_JWS_ES256,
    REGO_JWS_ES384,
    REGO_JWS_ES512,
    REGO_JWS_EDDSA,
} rego_jws_alg;

/* The algorithm named s ("RS256", ...), or REGO_JWS_NONE. */
rego_jws_alg rego_jws_alg_parse(const char *s, size_t n);

/* Verifies sig over msg with key as OPA's JWT builtins do (Go's
 * rsa.VerifyPKCS1v15 / VerifyPSS with automatic salt length, ecdsa.Verify
 * over r||s halves, ed25519.Verify, constant-time HMAC).  False for a key
 * of the wrong type. */
bool rego_jws_verify(rego_jws_alg alg, const rego_jwk_key *key, const uint8_t *msg, size_t msgn,
                     const uint8_t *sig, size_t sign);

/* Signs msg as internal jwx's signers do; the signature goes to the arena.
 * Go's messages for key type mismatches ("invalid key type *rsa.PublicKey.
 * *rsa.PrivateKey is required"). */
bool rego_jws_sign(rp_arena *a, rego_jws_alg alg, const rego_jwk_key *key, const uint8_t *msg,
                   size_t msgn, rego_bytes *sig, char *err);

/* HMAC or digest helpers: md is "MD5", "SHA1", "SHA256", "SHA384", "SHA512".
 * out must hold 64 bytes; returns the length (0 on failure). */
size_t rego_jwk_digest(const char *md, const uint8_t *p, size_t n, uint8_t *out);
size_t rego_jwk_hmac(const char *md, const uint8_t *key, size_t keyn, const uint8_t *p, size_t n,
                     uint8_t *out);

#endif
