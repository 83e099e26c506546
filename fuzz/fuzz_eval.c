/*
 * fuzz_eval.c — libFuzzer harness for the compiler and the evaluator.
 *
 * The first byte holds flags (bit 0: strict builtin errors; bit 1: the
 * module is Rego v0); the rest is split at the first NUL into a module and
 * an input document (JSON).  The module is compiled, and when it compiles,
 * `x := data` is evaluated (every rule of every package) against the input,
 * within a step bound and a memory budget, with network lookups refused
 * (allow_net is empty) and the clock fixed.  Beyond "no crash, leak or
 * hang":
 *  - every failure carries an error code and a message;
 *  - the result is written as JSON and read back to an equal value;
 *  - a second evaluation gives the same result or the same error (the
 *    compiled policy is immutable and evaluation is deterministic).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/engine.h"
#include "rego/json.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* per evaluation */
#define FUZZ_MAX_STEPS 20000          /* enough for every rule of a small module */

static void check_error(rp_status rc, const rp_error *err)
{
    if (rc != RP_OK && (err->msg[0] == 0 || err->kind == RP_EK_NONE))
        abort();
}

/* Whether v's JSON text reads back to v: no sets (written as arrays) and
 * only string keys (others are written as strings). */
static bool json_exact(rego_value v, int depth)
{
    if (depth > 64 || v.kind == REGO_SET)
        return false;
    if (v.kind == REGO_ARRAY) {
        for (uint32_t i = 0; i < v.n; i++)
            if (!json_exact(v.u.items[i], depth + 1))
                return false;
    } else if (v.kind == REGO_OBJECT) {
        for (uint32_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (e.key.kind != REGO_STRING || !json_exact(e.val, depth + 1))
                return false;
        }
    }
    return true;
}

/* Evaluates q once; the result as JSON text (malloc'd), or NULL with *rc
 * and a copy of the error message in why. */
static char *eval_once(const rego_query *q, const char *in, size_t inlen, bool strict,
                       rp_status *rc, char why[256])
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a) {
        *rc = RP_ERR_NOMEM;
        return NULL;
    }
    rp_error err = {0};
    rego_eval_opts o = {0};
    o.input = rego_undef();
    o.strict_builtin_errors = strict;
    o.now_ns = 1700000000000000000;
    o.max_steps = FUZZ_MAX_STEPS;
    *rc = rego_json_parse(a, "{\"allow_net\":[]}", 16, "config", &o.config, &err);
    if (*rc == RP_OK && inlen && rego_json_parse(a, in, inlen, "input", &o.input, &err) != RP_OK) {
        o.input = rego_undef(); /* bad input JSON: evaluate without input */
        rp_error_clear(&err);
    }
    rego_result r;
    char *out = NULL;
    if (*rc == RP_OK)
        *rc = rego_query_eval(q, a, &o, &r, &err);
    if (*rc == RP_OK) {
        rp_buf b;
        rp_buf_init(&b);
        for (uint32_t i = 0; i < r.nrows; i++) {
            rego_value v = rego_result_var(&r, i, 0);
            rp_buf_putc(&b, '\n');
            size_t at = b.len;
            rego_value_write(&b, v, REGO_FMT_JSON);
            if (b.failed)
                break;
            /* JSON output reads back to an equal value */
            rego_value back;
            rp_error perr = {0};
            rp_status prc = rego_json_parse(a, b.data + at, b.len - at, "out", &back, &perr);
            if (prc == RP_OK && json_exact(v, 0) && !rego_equal(back, v))
                abort();
            if (prc != RP_OK && prc != RP_ERR_NOMEM && prc != RP_ERR_LIMIT)
                abort();
        }
        out = b.failed ? NULL : rp_buf_steal(&b);
        if (!out)
            out = strdup("");
        rp_buf_free(&b);
    } else {
        check_error(*rc, &err);
        memcpy(why, err.msg, 256);
        why[255] = 0;
    }
    rp_arena_free(a);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool strict = data[0] & 1;
    rego_version v = (data[0] & 2) ? REGO_V0 : REGO_V1;
    const char *src = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(src, 0, n);
    size_t modlen = nul ? (size_t)(nul - src) : n;
    const char *in = nul ? nul + 1 : NULL;
    size_t inlen = nul ? n - modlen - 1 : 0;

    rego_policy *p = rego_policy_new();
    if (!p)
        return 0;
    rego_query *q = NULL;
    rp_error err = {0};
    rp_status rc = rego_policy_add_module(p, "fuzz.rego", src, modlen, v, &err);
    if (rc == RP_OK)
        rc = rego_policy_compile(p, &err);
    if (rc == RP_OK)
        rc = rego_query_new(p, "x := data", 9, REGO_V1, &q, &err);
    check_error(rc, &err);
    if (rc == RP_OK) {
        rp_status rc1, rc2;
        char why1[256] = "", why2[256] = "";
        char *r1 = eval_once(q, in, inlen, strict, &rc1, why1);
        char *r2 = eval_once(q, in, inlen, strict, &rc2, why2);
        /* rand.intn and uuid.rfc4122 differ between queries: skip those */
        bool nondet = memmem(src, modlen, "rand.", 5) || memmem(src, modlen, "uuid.", 5);
        if (!nondet && rc1 != RP_ERR_NOMEM && rc2 != RP_ERR_NOMEM &&
            (rc1 != rc2 || (r1 && r2 && strcmp(r1, r2) != 0) || (!r1 && strcmp(why1, why2) != 0)))
            abort();
        free(r1);
        free(r2);
    }
    rego_query_free(q);
    rego_policy_free(p);
    return 0;
}
