/*
 * fuzz_jsonpatch.c — libFuzzer harness for the collection and encoding
 * builtins that take untrusted documents: the input is split at the first
 * NUL into a document and a patch, both read with json.unmarshal (Go's
 * scanner, then the engine's reader).  The harness then runs json.patch,
 * walk, json.marshal, yaml.marshal and reads yaml.marshal's output back with
 * yaml.unmarshal.  For plain documents (printable ASCII text, no escapes, no
 * merge keys, numbers short enough to survive float64 and exponents within
 * its range) the YAML round trip
 * must give an equal value, as it does in OPA; otherwise the harness aborts
 * so that libFuzzer keeps the input.  (Other documents may legitimately
 * change: U+0085 folds, "<<" merges, big integers become floats.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* far above what libFuzzer's inputs need */

REGO_BUILTIN_GROUP(collections);
REGO_BUILTIN_GROUP(encoding);

static rp_status call1(rp_arena *a, const char *name, rego_value *args, rego_value *out)
{
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rp_error err = {0};
    rp_loc loc = {0};
    return rego_builtin_call(bi, &ev, loc, args, out, &err);
}

static bool unmarshal(rp_arena *a, const char *s, size_t n, rego_value *out)
{
    rego_value arg = rego_str(a, s, n);
    return !rego_is_undef(arg) && call1(a, "json.unmarshal", &arg, out) == RP_OK;
}

/* Whether the YAML round trip of this JSON text must be exact. */
static bool plain_text(const char *s, size_t n)
{
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' || (s[i] == '<' && i + 1 < n && s[i + 1] == '<'))
            return false;
        digits = (s[i] >= '0' && s[i] <= '9') ? digits + 1 : 0;
        if (digits > 15)
            return false;
        /* an exponent past float64's range: JSON keeps the number exactly
         * (a big integer), YAML reads it back as a string */
        if ((s[i] == 'e' || s[i] == 'E') && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') {
            size_t j = i + 1;
            if (j < n && (s[j] == '+' || s[j] == '-'))
                j++;
            unsigned e = 0;
            for (; j < n && s[j] >= '0' && s[j] <= '9' && e < 1000; j++)
                e = e * 10 + (unsigned)(s[j] - '0');
            if (e >= 300)
                return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rego_builtins_collections[0].name || !rego_builtins_encoding[0].name)
        abort();
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    const char *s = (const char *)data;
    const char *nul = memchr(s, 0, size);
    size_t dn = nul ? (size_t)(nul - s) : size;
    rego_value doc, args[2], out;
    if (unmarshal(a, s, dn, &doc)) {
        call1(a, "walk", &doc, &out);
        call1(a, "json.marshal", &doc, &out);
        rego_value y, back;
        if (call1(a, "yaml.marshal", &doc, &y) == RP_OK) {
            rp_status rc = call1(a, "yaml.unmarshal", &y, &back);
            bool exact = plain_text(s, dn);
            if (exact && rc == RP_OK && !rego_equal(doc, back))
                abort();
            if (exact && rc != RP_OK && rc != RP_ERR_NOMEM && rc != RP_ERR_LIMIT)
                abort();
        }
        if (nul && unmarshal(a, nul + 1, size - dn - 1, &args[1])) {
            args[0] = doc;
            call1(a, "json.patch", args, &out);
        }
    }
    rp_arena_free(a);
    return 0;
}
