/*
 * engine.h — the Rego engine as the rest of rampart uses it: build a policy
 * from modules and data, compile it once, prepare queries against it, and
 * evaluate them many times, from several threads at once.
 *
 * Ownership: a rego_policy owns everything it was given (module sources are
 * copied, data values are deep-copied into its arena).  After
 * rego_policy_compile it is immutable; queries borrow it and must be freed
 * before it.  A rego_query is immutable too.  rego_query_eval allocates the
 * results (and every temporary) in the caller's arena: results live until
 * that arena is freed or reset.  One arena per concurrent evaluation.
 */
#ifndef RAMPART_REGO_ENGINE_H
#define RAMPART_REGO_ENGINE_H

#include "ast.h"
#include "evalctx.h"
#include "value.h"

typedef struct rego_policy rego_policy;
typedef struct rego_query rego_query;

rego_policy *rego_policy_new(void);
void rego_policy_free(rego_policy *p); /* NULL is a no-op */

/* Parses and adds a module (src is copied).  Errors are parse errors. */
rp_status rego_policy_add_module(rego_policy *p, const char *filename, const char *src, size_t n,
                                 rego_version v, rp_error *err);
/* Merges v (deep-copied) into the base document at path (an ARRAY of
 * strings; empty array = the root, where v must be an object).  Object
 * merges are recursive; a clash of non-objects is an error naming the path. */
rp_status rego_policy_add_data(rego_policy *p, rego_value path, rego_value v, rp_error *err);
/* Like rego_policy_add_data, but v must already live in the policy's own
 * arena (rego_policy_arena): nothing is copied.  Loaders parse big data
 * documents straight into the policy this way. */
rp_status rego_policy_add_data_owned(rego_policy *p, rego_value path, rego_value v, rp_error *err);
rp_arena *rego_policy_arena(rego_policy *p);

/* Converts a ground term (scalars, arrays, objects, sets of ground terms)
 * into a value in a; RP_ERR_TYPE when the term is not ground. */
rp_status rego_term_value(rp_arena *a, const rego_term *t, rego_value *out, rp_error *err);

/* Compiles all modules; after this the policy is immutable and thread-safe.
 * Errors: rego_parse_error, rego_compile_error, rego_type_error,
 * rego_unsafe_var_error, rego_recursion_error (err->kind). */
rp_status rego_policy_compile(rego_policy *p, rp_error *err);
/* Number of modules and rules, for progress lines. */
void rego_policy_stats(const rego_policy *p, size_t *modules, size_t *rules);
/* The i-th module added (0-based), or NULL; loaders check its package. */
const struct rego_module *rego_policy_module(const rego_policy *p, size_t i);

/* The CLOCK_MONOTONIC time ns from now, for rego_eval_opts.deadline_ns
 * (0 when ns <= 0: no deadline). */
int64_t rego_deadline_after(int64_t ns);

/* Compiles a query (one or more expressions) against a compiled policy. */
rp_status rego_query_new(const rego_policy *p, const char *src, size_t n, rego_version v,
                         rego_query **out, rp_error *err);
void rego_query_free(rego_query *q);

typedef struct {
    rego_value input;           /* UNDEF when there is no input */
    bool strict_builtin_errors; /* builtin errors fail the query instead of being undefined */
    int64_t now_ns;             /* 0 = read the clock once, at first use */
    rego_print_fn print;        /* print() sink; NULL drops output */
    void *print_ud;
    rego_value config;          /* embedder settings for builtins (object) or UNDEF */
    uint64_t max_steps;         /* 0 = unlimited; else eval_cancel_error after that many steps */
    int64_t deadline_ns;        /* 0 = none; else eval_cancel_error ("caller cancelled query
                                 * execution", as OPA's timeout) once CLOCK_MONOTONIC passes it */
} rego_eval_opts;

/* Results in OPA's shape: one row per solution; each row holds the value of
 * every reported query variable (in var order) and of every top-level
 * expression (in expression order). */
typedef struct {
    uint32_t nvars;
    const char *const *var_names; /* borrowed from the query */
    uint32_t nexprs;
    uint32_t nrows;
    rego_value *rows; /* nrows * (nvars + nexprs) values, in the eval arena */
} rego_result;

static inline rego_value rego_result_var(const rego_result *r, uint32_t row, uint32_t var)
{
    return r->rows[(size_t)row * (r->nvars + r->nexprs) + var];
}
static inline rego_value rego_result_expr(const rego_result *r, uint32_t row, uint32_t expr)
{
    return r->rows[(size_t)row * (r->nvars + r->nexprs) + r->nvars + expr];
}

/* Evaluates q.  Temporaries and results are allocated in a (whose budget is
 * the evaluation's memory bound).  Errors carry OPA's codes in err->kind. */
rp_status rego_query_eval(const rego_query *q, rp_arena *a, const rego_eval_opts *opts,
                          rego_result *out, rp_error *err);

/* Writes r in OPA's result JSON shape (compact; {} when undefined). */
void rego_result_write_json(rp_buf *b, const rego_query *q, const rego_result *r);

/* The source text and location of top-level expression i (for opa eval's
 * "expressions" output). */
const char *rego_query_expr_text(const rego_query *q, uint32_t i);
rp_loc rego_query_expr_loc(const rego_query *q, uint32_t i);
uint32_t rego_query_nexprs(const rego_query *q);

#endif
