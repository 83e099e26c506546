/*
 * json_query.h — reading the agent's JSON lines back in tests: parse with
 * the engine's JSON reader, then fetch fields by dotted path, so assertions
 * name fields ("network.dport") instead of matching text.
 */
#ifndef RAMPART_TESTS_AGENT_JSON_QUERY_H
#define RAMPART_TESTS_AGENT_JSON_QUERY_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rego/json.h"
#include "rego/value.h"

/* Parses one line into a (values live in a); false when it is not JSON. */
static inline bool jq_parse(rp_arena *a, const char *line, rego_value *out)
{
    rp_error err = {0};
    return rego_json_parse(a, line, strlen(line), "line", out, &err) == RP_OK;
}

/* The value at a dotted path of object keys; UNDEF when absent. */
static inline rego_value jq_get(rego_value v, const char *path)
{
    while (*path) {
        size_t n = strcspn(path, ".");
        rego_value next;
        if (v.kind != REGO_OBJECT || !rego_object_get_str(v, path, n, rego_hash_str(path, n), &next))
            return rego_undef();
        v = next;
        path += n;
        if (*path == '.')
            path++;
    }
    return v;
}

/* The string at path, or NULL. */
static inline const char *jq_str(rego_value v, const char *path)
{
    rego_value s = jq_get(v, path);
    return s.kind == REGO_STRING ? s.u.s : NULL;
}

/* The integer at path, or def. */
static inline long long jq_int(rego_value v, const char *path, long long def)
{
    int64_t i;
    rego_value n = jq_get(v, path);
    return n.kind == REGO_NUMBER && rego_num_to_i64(n, &i) ? (long long)i : def;
}

/* true/false at path; -1 when absent or not a boolean. */
static inline int jq_bool(rego_value v, const char *path)
{
    rego_value b = jq_get(v, path);
    return b.kind == REGO_BOOL ? (int)b.u.b : -1;
}

static inline bool jq_is_null(rego_value v, const char *path)
{
    return jq_get(v, path).kind == REGO_NULL;
}

/* The value at path as compact JSON (a static buffer: one at a time). */
static inline const char *jq_show(rego_value v, const char *path)
{
    static char out[8192];
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, jq_get(v, path), REGO_FMT_JSON);
    snprintf(out, sizeof(out), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return out;
}

#endif
