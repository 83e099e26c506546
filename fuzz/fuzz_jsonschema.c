/*
 * fuzz_jsonschema.c — libFuzzer harness for json.verify_schema and
 * json.match_schema: schema compilation ($id/$ref pooling and resolution,
 * keyword checks, regexps) and validation (combinators, formats, scoring).
 *
 * The input is split at its first NUL into a schema and a document (both
 * JSON texts; without a NUL the input is the schema and {} the document).
 * Each is passed both as a string and, when it parses, as a value.  Beyond
 * "no crash, leak or hang", the harness checks what the builtins promise:
 * verify_schema returns [true, null] or [false, "jsonschema: ..."];
 * match_schema returns [valid, errors] with valid exactly when errors is
 * empty and every error an {error, type, field, desc} object whose error
 * is "field: desc"; a schema verify_schema accepts compiles in match_schema
 * too; only limits and memory may make either fail otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"
#include "rego/json.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* far above what libFuzzer's inputs need */

REGO_BUILTIN_GROUP(jsonschema);

static rp_status call(rp_arena *a, const char *name, rego_value *args, rego_value *out,
                      rp_error *err)
{
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rp_loc loc = {0};
    return rego_builtin_call(bi, &ev, loc, args, out, err);
}

static bool get_str(rego_value o, const char *k, rego_value *v)
{
    return rego_object_get_str(o, k, strlen(k), rego_hash_str(k, strlen(k)), v) &&
           v->kind == REGO_STRING;
}

/* [true, null] or [false, "jsonschema: ..."]; returns the verdict. */
static bool check_verify(rego_value v)
{
    if (v.kind != REGO_ARRAY || v.n != 2 || v.u.items[0].kind != REGO_BOOL)
        abort();
    rego_value msg = v.u.items[1];
    if (v.u.items[0].u.b ? msg.kind != REGO_NULL
                         : msg.kind != REGO_STRING || strncmp(msg.u.s, "jsonschema: ", 12))
        abort();
    return v.u.items[0].u.b;
}

static void check_match(rego_value v)
{
    if (v.kind != REGO_ARRAY || v.n != 2 || v.u.items[0].kind != REGO_BOOL ||
        v.u.items[1].kind != REGO_ARRAY || v.u.items[0].u.b != (v.u.items[1].n == 0))
        abort();
    rego_value errs = v.u.items[1];
    for (size_t i = 0; i < errs.n; i++) {
        rego_value e = errs.u.items[i], text, type, field, desc;
        if (e.kind != REGO_OBJECT || e.n != 4 || !get_str(e, "error", &text) ||
            !get_str(e, "type", &type) || !get_str(e, "field", &field) ||
            !get_str(e, "desc", &desc) || type.n == 0 || text.n != field.n + 2 + desc.n ||
            memcmp(text.u.s, field.u.s, field.n) || memcmp(text.u.s + field.n, ": ", 2))
            abort();
    }
}

static bool benign(rp_status st) { return st == RP_ERR_LIMIT || st == RP_ERR_NOMEM; }

/* Runs both builtins on one (document, schema) pair of arguments. */
static void run(rp_arena *a, rego_value doc, rego_value schema)
{
    rego_value out, args[2] = {doc, schema};
    rp_error err = {0};
    rp_status st = call(a, "json.verify_schema", &args[1], &out, &err);
    if (st != RP_OK && !benign(st))
        abort();
    bool schema_ok = st == RP_OK && check_verify(out);
    rp_error_clear(&err);
    st = call(a, "json.match_schema", args, &out, &err);
    if (st == RP_OK)
        check_match(out);
    else if (schema_ok && !benign(st) && strstr(err.msg, "wrong type") == NULL &&
             strstr(err.msg, "invalid JSON string") == NULL)
        abort(); /* a schema verify_schema accepted failed to compile */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rego_builtins_jsonschema[0].name)
        abort();
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    const char *s = (const char *)data, *nul = memchr(s, 0, size);
    size_t slen = nul ? (size_t)(nul - s) : size;
    const char *d = nul ? nul + 1 : "{}";
    size_t dlen = nul ? size - slen - 1 : 2;
    rego_value schema_text = rego_str(a, s, slen), doc_text = rego_str(a, d, dlen);
    run(a, doc_text, schema_text);
    rp_error err = {0};
    rego_value schema_val, doc_val;
    if (rego_json_parse(a, s, slen, NULL, &schema_val, &err) == RP_OK &&
        rego_json_parse(a, d, dlen, NULL, &doc_val, &err) == RP_OK)
        run(a, doc_val, schema_val);
    rp_arena_free(a);
    return 0;
}
