/*
 * fuzz_json.c — libFuzzer harness for the JSON reader.
 *
 * Every input is parsed into a fresh budgeted arena.  When it parses, the
 * value is written back with rego_value_write and read again: the writer and
 * the reader must agree (equal values), or the harness aborts so that
 * libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rego/json.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* far above what libFuzzer's inputs need */

static void check_roundtrip(rp_arena *a, rego_value v)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_JSON);
    if (b.failed) {
        rp_buf_free(&b);
        return;
    }
    rp_error err = {0};
    rego_value again;
    rp_status rc = rego_json_parse(a, b.data ? b.data : "", b.len, "roundtrip.json", &again, &err);
    /* the writer's output of a parsed value must parse to the same value
     * (running out of the arena's budget is the only excuse) */
    if ((rc != RP_OK && rc != RP_ERR_NOMEM) || (rc == RP_OK && !rego_equal(v, again)))
        abort();
    rp_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    rp_error err = {0};
    rego_value v;
    if (rego_json_parse(a, (const char *)data, size, "fuzz.json", &v, &err) == RP_OK)
        check_roundtrip(a, v);
    rp_arena_free(a);
    return 0;
}
