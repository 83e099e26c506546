/*
 * fuzz_urlquery.c — libFuzzer harness for the URL-query and encoding
 * decoders that read untrusted text: urlquery.decode, urlquery.decode_object,
 * base64.decode, base64url.decode, hex.decode, json.unmarshal, yaml.unmarshal,
 * and Go's url.Parse through uri.parse and uri.is_valid.
 *
 * Beyond "no crash, leak or hang": a query string that decodes to an object
 * must survive urlquery.encode_object and decode back to an equal object,
 * and a string that decodes must encode back to something that decodes to
 * the same value; uri.is_valid must be true exactly when uri.parse succeeds
 * (for a non-empty string).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"

#define FUZZ_ARENA_BUDGET (32u << 20)

static rp_status call(struct rego_evalctx *ev, const char *name, const rego_value *args,
                      rego_value *out)
{
    rp_error err = {0};
    rp_loc loc = {"fuzz.rego", 1, 1};
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    if (!bi)
        abort(); /* the registry must hold every group (whole-archive link) */
    return rego_builtin_call(bi, ev, loc, args, out, &err);
}

static void roundtrip(struct rego_evalctx *ev, const char *dec, const char *enc, rego_value in)
{
    rego_value d, e, d2;
    if (call(ev, dec, &in, &d) != RP_OK || d.kind == REGO_UNDEF)
        return;
    if (call(ev, enc, &d, &e) != RP_OK || e.kind != REGO_STRING)
        abort();
    if (call(ev, dec, &e, &d2) != RP_OK || !rego_equal(d, d2))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rego_value s = rego_str(a, (const char *)data, size);
    if (s.kind == REGO_STRING) {
        roundtrip(&ev, "urlquery.decode", "urlquery.encode", s);
        roundtrip(&ev, "urlquery.decode_object", "urlquery.encode_object", s);
        roundtrip(&ev, "base64.decode", "base64.encode", s);
        roundtrip(&ev, "base64url.decode", "base64url.encode", s);
        roundtrip(&ev, "hex.decode", "hex.encode", s);
        rego_value out;
        (void)call(&ev, "json.unmarshal", &s, &out);
        (void)call(&ev, "yaml.unmarshal", &s, &out);
        rego_value valid;
        rp_status pst = call(&ev, "uri.parse", &s, &out);
        if (call(&ev, "uri.is_valid", &s, &valid) != RP_OK || valid.kind != REGO_BOOL)
            abort();
        if (size && (pst == RP_OK) != valid.u.b)
            abort();
    }
    rp_arena_free(a);
    return 0;
}
