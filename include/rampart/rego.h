/*
 * rampart/rego.h — embed rampart's Rego engine in any C program.
 *
 * Link with librampart_rego.a (and -lyaml -lgmp -lre2 -lssl -lcrypto -lcurl
 * -lstdc++ -lpthread -lm).  The engine knows nothing of Kubernetes or eBPF.
 *
 *   rampart_policy *p = rampart_policy_new();
 *   rampart_policy_add_module(p, "authz.rego", src, strlen(src), RAMPART_REGO_V1, &err);
 *   rampart_policy_add_data(p, data_json, strlen(data_json), &err);
 *   rampart_policy_compile(p, &err);                   // p is now immutable
 *   rampart_query *q = rampart_query_new(p, "data.authz.allow", 16, RAMPART_REGO_V1, &err);
 *   rampart_query_eval(q, input_json, n, NULL, &out, &outlen, &err);   // any thread
 *   // out is OPA's result JSON: {"result":[{"expressions":[...],"bindings":{...}}]}
 *   free(out); rampart_query_free(q); rampart_policy_free(p);
 *
 * Ownership and threads: a compiled policy and its queries are immutable and
 * may be evaluated from many threads at once; each evaluation allocates its
 * own memory (bounded by max_memory) and frees it before returning, except
 * the output string, which the caller frees with free().  Functions return 0
 * on success, non-zero on error with *err filled (reporting never allocates).
 */
#ifndef RAMPART_REGO_H
#define RAMPART_REGO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rampart_policy rampart_policy;
typedef struct rampart_query rampart_query;

typedef enum { RAMPART_REGO_V0 = 0, RAMPART_REGO_V1 = 1 } rampart_rego_version;

/* An error as OPA reports it: code is OPA's error code ("rego_parse_error",
 * "eval_conflict_error", ...); line and col are 1-based, 0 when unknown. */
typedef struct {
    char code[32];
    char file[128];
    unsigned line, col;
    char message[256];
} rampart_err;

typedef struct {
    int strict_builtin_errors; /* builtin errors fail the query instead of being undefined */
    size_t max_memory;         /* bytes for one evaluation; 0 = 2 GiB */
    uint64_t max_steps;        /* 0 = unlimited */
    int64_t now_ns;            /* time.now_ns() for this evaluation; 0 = the clock */
    uint64_t timeout_ns;       /* 0 = none; else eval_cancel_error after that long */
} rampart_eval_opts;

rampart_policy *rampart_policy_new(void);
void rampart_policy_free(rampart_policy *p);
int rampart_policy_add_module(rampart_policy *p, const char *filename, const char *src,
                              size_t len, rampart_rego_version v, rampart_err *err);
/* Merges a JSON object into data at the root. */
int rampart_policy_add_data(rampart_policy *p, const char *json, size_t len, rampart_err *err);
int rampart_policy_compile(rampart_policy *p, rampart_err *err);

rampart_query *rampart_query_new(const rampart_policy *p, const char *query, size_t len,
                                 rampart_rego_version v, rampart_err *err);
void rampart_query_free(rampart_query *q);

/* Evaluates q on an input JSON document (NULL: no input) and writes OPA's
 * result JSON ({} when undefined) to a malloc'd, NUL-terminated *out. */
int rampart_query_eval(const rampart_query *q, const char *input, size_t input_len,
                       const rampart_eval_opts *opts, char **out, size_t *out_len,
                       rampart_err *err);

#ifdef __cplusplus
}
#endif

#endif
