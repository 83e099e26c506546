/*
 * fuzz_yaml.c — libFuzzer harness for the YAML reader.
 *
 * Every input is read four ways (K8S and CORE schemas, first document and
 * all documents), each into a fresh budgeted arena.  A value that comes out
 * must be plain JSON: written with rego_value_write, the JSON reader must give
 * back an equal value, or the harness aborts so that libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rego/json.h"
#include "rego/yaml.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* far above what libFuzzer's inputs need */

static void check_json(rp_arena *a, rego_value v)
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
    rp_status rc = rego_json_parse(a, b.data ? b.data : "", b.len, "yaml.json", &again, &err);
    if ((rc != RP_OK && rc != RP_ERR_NOMEM) || (rc == RP_OK && !rego_equal(v, again)))
        abort();
    rp_buf_free(&b);
}

static void read_as(const uint8_t *data, size_t size, rego_yaml_schema schema, bool multi)
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return;
    rp_error err = {0};
    rego_value v;
    if (rego_yaml_parse(a, (const char *)data, size, "fuzz.yaml", schema, multi, &v, &err) == RP_OK)
        check_json(a, v);
    else if (err.code == RP_OK || err.msg[0] == 0)
        abort(); /* a failure must say why */
    rp_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_as(data, size, REGO_YAML_K8S, false);
    read_as(data, size, REGO_YAML_K8S, true);
    read_as(data, size, REGO_YAML_CORE, false);
    read_as(data, size, REGO_YAML_CORE, true);
    return 0;
}
