/*
 * bi_crypto.h — what test_bi_crypto.c and test_bi_jwt.c share: the keys and
 * certificates generated for both (one RSA, one P-256 and one Ed25519 key
 * pair: their certificates and private JWKs), and the helpers both check
 * results with.  A call's outcome is kept whole (res: status, value and
 * error), values are written as JSON (J) or C strings (S), printed as
 * compact JSON in A (show) and looked into by dotted path (at).
 * Include once per program.
 */
#ifndef RAMPART_TESTS_BI_CRYPTO_H
#define RAMPART_TESTS_BI_CRYPTO_H

#include "bi_table.h"
#include "rego/json.h"

/* ---- generated test material ------------------------------------------------------ */
static const char RSA_CERT[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIDxDCCAqygAwIBAgIKEjRWeJCrze8SNDANBgkqhkiG9w0BAQsFADAyMQswCQYD\n"
                               "VQQGEwJERTEQMA4GA1UECgwHUmFtcGFydDERMA8GA1UEAwwIcnNhIGxlYWYwHhcN\n"
                               "MjAwMTAxMDAwMDAwWhcNNDAwMTAxMDAwMDAwWjAyMQswCQYDVQQGEwJERTEQMA4G\n"
                               "A1UECgwHUmFtcGFydDERMA8GA1UEAwwIcnNhIGxlYWYwggEiMA0GCSqGSIb3DQEB\n"
                               "AQUAA4IBDwAwggEKAoIBAQDYFISsJBAHcdNaFZPx5M2tKooKAWgj/Rgzs/qGvSi0\n"
                               "mQk/IFQb+uVAPp/5q416zxrJlKa0OQSKGnUH5cRapo5PH9dNd6GxieeWlm2QPvzf\n"
                               "qDG8PlL6zTXDArEWR3Ap4jhhlOpowYV7dnYMYu8LTevyMX57zEmnKXpHliSym+la\n"
                               "wBMOL72tjrfA/5NrqFO7oOp8FiwPXWoDNHjF2F4geFK5oOWo8bL6vvgwIefNsN53\n"
                               "Zuyri7C09tLhyY/E+N79qg3tcry0zPmmzuLNjrO99Pe7jKfIg2EkdRedpH1BEuWs\n"
                               "xVT+hcGIaOouyuM5rw55moHD6bgw91yrI+ldauhtNyEfAgMBAAGjgdswgdgwDAYD\n"
                               "VR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwegYDVR0RBHMwcYIMdGVzdC5leGFt\n"
                               "cGxlgg4qLndpbGQuZXhhbXBsZYcECgECA4cQIAENuAAAAAAAAAAAAAAAAYYoc3Bp\n"
                               "ZmZlOi8vY2x1c3Rlci5sb2NhbC9ucy9kZWZhdWx0L3NhL3dlYoEPb3BzQGV4YW1w\n"
                               "bGUuY29tMB0GA1UdJQQWMBQGCCsGAQUFBwMBBggrBgEFBQcDAjAdBgNVHQ4EFgQU\n"
                               "RZvph8lCidg5sHjqdoLz8dq6udIwDQYJKoZIhvcNAQELBQADggEBAA2wDqAzoxx8\n"
                               "M7kWCNEBQhcMzhg9txzef0D/kOoSaxWw4P5UIIEVxEkMhIFhCkRimN3AM1UlPXQb\n"
                               "2f8CD6ea6BczlC3Bu8OM2so+FwEDIz0mlSs6acaz7iYd7CL9/4gbpPASDLDCYZPE\n"
                               "Jjkn1od5fPxEJW5QkZOgsfmkTrUePJ/5k6XbM9o1XCgqP3ONU2OyNHy+7GVbhkEg\n"
                               "xznwMTyezaM0OHFXi0fL19qnDR+AX4g/oKqlgZahtF5GcNn/1V3qYtAlRFHsxSMa\n"
                               "M1NG4ko4iVMNllD4GM5gNydecKEw+r4PKvLKN4qYpXqq/ohII7cSZciRskAIUPpX\n"
                               "SX3jF56g+DE=\n"
                               "-----END CERTIFICATE-----\n";
static const char EC_CERT[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBQTCB6KADAgECAgECMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMMB2VjIGxlYWYw\n"
                              "HhcNMjAwMTAxMDAwMDAwWhcNNDAwMTAxMDAwMDAwWjASMRAwDgYDVQQDDAdlYyBs\n"
                              "ZWFmMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+e1wpz5vcmTFZ5H2cgLjKTU1\n"
                              "EHIK7FP2wNmHKtGq02cwfrMxssOFnnp1xiP7KlAbC6nh686IdroOkMszBC7z6KMv\n"
                              "MC0wDAYDVR0TAQH/BAIwADAdBgNVHQ4EFgQU8GdUV6RHJ0XtdllK4k1yKOtRbL4w\n"
                              "CgYIKoZIzj0EAwIDSAAwRQIhAIFf3rtkjwtURyChjORZwisFvfp37Z1wvbRQNY/L\n"
                              "FXKGAiAxRVNBAnC84qOhGgY8jGqaqHLqElgkl7OuThIfujVtLw==\n"
                              "-----END CERTIFICATE-----\n";
static const char ED_CERT[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBATCBtKADAgECAgEDMAUGAytlcDASMRAwDgYDVQQDDAdlZCBsZWFmMB4XDTIw\n"
                              "MDEwMTAwMDAwMFoXDTQwMDEwMTAwMDAwMFowEjEQMA4GA1UEAwwHZWQgbGVhZjAq\n"
                              "MAUGAytlcAMhAJWEJAdGkzufTE2MsMoZJbWbpfzOqkM9PxdU7lp2WQXDoy8wLTAM\n"
                              "BgNVHRMBAf8EAjAAMB0GA1UdDgQWBBQ3Yo3gc3w3p2UUUNGWMQ3YGHtbjzAFBgMr\n"
                              "ZXADQQCFU92fEAJ/XYhaLyqB8UTa7XbodVhL92/v5sHBefcp8yyj4bkmZns2FsaN\n"
                              "SucmN+eeB9xNkuH/J1rMqBY8K/wF\n"
                              "-----END CERTIFICATE-----\n";
static const char JWK_RSA_PRIV[] =
    "{\"kty\":\"RSA\",\"n\":\"2BSErCQQB3HTWhWT8eTNrSqKCgFoI_0YM7P6hr0otJkJPyBUG_rlQD6f-"
    "auNes8ayZSmtDkEihp1B-XEWqaOTx_XTXehsYnnlpZtkD7836gxvD5S-"
    "s01wwKxFkdwKeI4YZTqaMGFe3Z2DGLvC03r8jF-e8xJpyl6R5YkspvpWsATDi-9rY63wP-"
    "Ta6hTu6DqfBYsD11qAzR4xdheIHhSuaDlqPGy-r74MCHnzbDed2bsq4uwtPbS4cmPxPje_"
    "aoN7XK8tMz5ps7izY6zvfT3u4ynyINhJHUXnaR9QRLlrMVU_oXBiGjqLsrjOa8OeZqBw-m4MPdcqyPpXWrobTchHw\","
    "\"e\":\"AQAB\",\"d\":\"QvY81THJy9zQ4BJeyjAbMwZDR-1-"
    "reRxmxgz04yMMEdar7bfido7MCkYH2G0EvJafUy1SpV-3CNt0Bg6vNLvuAKIkMe5kpDHdYnBg1mZuN_"
    "hJdJ0mad9eST85wgVcM1bppXk_Li4GnYwCA-iv7CSpXgEF-5LhuOaMtQLJFSfwNDCKtdUr_"
    "g4J3zo6ewv3PiykeFMKPfu3k0oQTRBm6rVXcT8h-LYJsP86CNjFoSfdvn9aPvmkj49esV_wg12aVIomaU5NO7c_djs6g4-"
    "mFJ5FAFW37Uwn1z3zIkS07C85BCfTUdBGU0Y8MiVv4CsxLTnVEyFKn0RRUWQVrCP43v-9Q\",\"p\":\"-"
    "hRd0WW507rpi8mLivZvntbwuF_UAVvEGqkMfpOhGmtHcBXFiBixs7B1S5VipKsgY-"
    "ePIU2psN2nGShqbR3THtcMARIuR4l5NQCU1u-yLnR7Khs6AmvmWUpCYtP5I-"
    "TuEmwo8zX5tGLt0WRYt3seun7WNZRzXppEEeoyAf-8fhs\",\"q\":\"3TIYQ7Rkj2xRTkedL-"
    "oclcYVrSK5zrnUR6vP1wFF9DNFBD7Y2TBjx4aFdnaKMAv5o6Vb4__v10ZnxW342y3DLtiDZgBpkR_zhV1BpuzQfGThSom_"
    "BTTPRB7sTjXSInnAyx2wxNx-a9dtoqNFe81POc1TLACz-EngQZSZ9QemyU0\",\"dp\":"
    "\"2zeJOiqrJ9A8M9575Ve7ZwjRwT23kW1IzXoMytRMr-"
    "UEnVtoabID7Bkt6RDNhL3ByfHNRQtYSgMzHFmSWY6AaBNooXO3f9whlPWqg3NgxVo0MSfmxQKizPjMkudwCSgADcQkbXaO"
    "KrNh92C4aDaULDVNP3CfZXljXDTom1n7eKs\",\"dq\":"
    "\"HZ0FTpsqE2GHCRnhW3bWWN7qLAHIKnsKhoXkD37mJKlwhf77_SfTU_"
    "UYjSGVopUX2ObchIvRSlrsravpcz6PMQhfnxpTB9DlQ2eW0IhH6T-"
    "AQgBrCIFndlFFhbsC5Qaz3v2cmt6CNmHjFbESLl7wSmbIyc1WStlpIp6IdhuOIsk\",\"qi\":"
    "\"i1RwHtf5ZlXZbfFdDuP9gPF-"
    "r5opi3eMlS2Iugb0uURGBEv9iOK2KyZTI2VGkL3oA9QZezxN7V6fwDgUQ2hLlIMyk6WzuZ11vdKMaOBqolzD4W6Rf1JsGZ"
    "i3cqPwlsEE5S7lKpPBK85KHWTRU-LdGa9WWOnXEG_uNR3qacXPubM\"}";
static const char JWK_EC256_PRIV[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"-e1wpz5vcmTFZ5H2cgLjKTU1EHIK7FP2wNmHKtGq02c\",\"y\":"
    "\"MH6zMbLDhZ56dcYj-ypQGwup4evOiHa6DpDLMwQu8-g\",\"d\":\"qH_3GXsO7YWvySniZTXNY1snLUXE2m_"
    "RS51tYRiscMI\"}";
static const char JWK_ED_PRIV[] =
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"lYQkB0aTO59MTYywyhkltZul_M6qQz0_F1TuWnZZBcM\","
    "\"d\":\"2MOrawnQAigPLYT6HaouIq2P_wu_kBQgHwW6BvxSERk\"}";

/* ---- harness -------------------------------------------------------------------------- */

static rp_arena *A;
static const char *ROOT = "../shared/conformance/opa/given";

typedef struct {
    rp_status st;
    rego_value out;
    rp_error err;
} res;

/* The value written in json, in A (undefined, with a message, when it is not JSON). */
static inline rego_value J(const char *json)
{
    rego_value v = rego_undef();
    rp_error e = {0};
    if (rego_json_parse(A, json, strlen(json), NULL, &v, &e) != RP_OK)
        fprintf(stderr, "bad JSON in test: %s\n", e.msg);
    return v;
}

static inline rego_value S(const char *s)
{
    return rego_cstr(A, s);
}

/* v as compact JSON in A: several fit in one expression, and any size. */
static inline const char *show(rego_value v)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_JSON);
    char *s = rp_arena_strndup(A, rp_buf_cstr(&b), b.len);
    rp_buf_free(&b);
    return s;
}

/* name(args...) in a query at now_ns (0: the clock), results in arena a. */
static inline res call_args(rp_arena *a, int64_t now, const char *name, const rego_value *args)
{
    res r = {0};
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    ev.now_ns = now;
    r.st = bt_invoke(&ev, name, args, &r.out, &r.err);
    return r;
}

/* name(x) or name(x, y): a builtin reads as many arguments as it takes. */
static inline res call_in(rp_arena *a, int64_t now, const char *name, rego_value x, rego_value y)
{
    rego_value args[3] = {x, y, rego_undef()};
    return call_args(a, now, name, args);
}

static inline res call(const char *name, rego_value x, rego_value y)
{
    return call_in(A, 0, name, x, y);
}

/* v at a dotted path ("0.Subject.CommonName"; numbers index arrays). */
static inline rego_value at(rego_value v, const char *path)
{
    char seg[128];
    while (*path && v.kind != REGO_UNDEF) {
        size_t n = strcspn(path, ".");
        snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
        path += n + (path[n] == '.');
        if (v.kind == REGO_ARRAY) {
            size_t i = (size_t)atoi(seg);
            v = i < v.n ? v.u.items[i] : rego_undef();
        } else if (v.kind == REGO_OBJECT) {
            rego_value got = rego_undef();
            rego_object_get_str(v, seg, strlen(seg), rego_hash_str(seg, strlen(seg)), &got);
            v = got;
        } else {
            v = rego_undef();
        }
    }
    return v;
}

static inline bool contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

#endif
