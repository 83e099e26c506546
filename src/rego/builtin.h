/*
 * builtin.h — how built-in functions are declared, called and report errors.
 *
 * A builtin is a C function over values: it reads its arguments, allocates
 * its result in ctx->arena and returns RP_OK with *out set.  *out left UNDEF
 * means "undefined" (no result).  Errors go through the rego_bi_* helpers
 * below; the evaluator prefixes the builtin's name ("count: operand 1 must
 * be ...") and, as OPA does, turns them into undefined unless strict builtin
 * errors are on.
 *
 * Builtins are pure functions of their arguments plus the per-query context
 * (time, randomness, print sink); they never keep pointers to their arguments
 * or results beyond the call, and any process-wide cache they keep is bounded
 * and thread-safe (say so in the file header).
 *
 * Adding a builtin: implement it in builtins/<group>.c, list it in that
 * file's table, and make sure the table is registered in builtins.c.
 */
#ifndef RAMPART_REGO_BUILTIN_H
#define RAMPART_REGO_BUILTIN_H

#include "value.h"

typedef struct rego_bctx rego_bctx;

typedef rp_status (*rego_builtin_fn)(rego_bctx *ctx, const rego_value *args, rego_value *out);

enum {
    REGO_BI_RELATION = 1 << 0,   /* may produce several outputs: *out is an
                                  * ARRAY of the outputs (e.g. walk) */
    REGO_BI_NONDET = 1 << 1,     /* non-deterministic (time.now_ns, rand.intn,
                                  * http.send): same args → same result within
                                  * one query */
    REGO_BI_DEPRECATED = 1 << 2, /* not available to Rego v1 modules */
    REGO_BI_VARIADIC = 1 << 3,   /* any number of args (print) */
    REGO_BI_NORESULT = 1 << 4,   /* the call is a statement with no output (print) */
    REGO_BI_UNSAFE = 1 << 5,     /* off unless enabled (http.send, opa.runtime env) */
};

typedef struct rego_builtin {
    const char *name;   /* e.g. "array.concat"; infix operators use OPA's
                         * internal names: plus, minus, eq, equal, lt, ... */
    const char *infix;  /* "+", "==", ... or NULL */
    /* OPA's signature in capabilities notation, used for compile-time
     * arity/type checks and the coverage table, e.g.
     * "(array[any], array[any]) => array[any]".  Types: any, null,
     * boolean, number, string, array[T], set[T], object[K: V],
     * T|U (any of); "=> none" when there is no result. */
    const char *sig;
    uint8_t arity;      /* declared argument count (without the output) */
    uint8_t flags;
    rego_builtin_fn fn;
} rego_builtin;

/* The per-call context.  Fields are read-only for builtins except through
 * the helpers. */
struct rego_bctx {
    rp_arena *arena;             /* results and scratch go here */
    const rego_builtin *bi;      /* the builtin being called */
    rp_loc loc;                  /* the call site */
    rp_error *err;               /* set by the rego_bi_* error helpers */
    struct rego_evalctx *ev;     /* evaluator services, see below */
};

/* ---- errors ---------------------------------------------------------------
 * Each returns the status to return from the builtin. */

/* eval_type_error "operand <pos> must be <want> but got <type of got>";
 * pos is 1-based; want is e.g. "string" or "one of {array, set}". */
rp_status rego_bi_type_error(rego_bctx *ctx, int pos, rego_value got, const char *want);
/* eval_type_error with a free-form message ("operand 1 must be ..."). */
rp_status rego_bi_type_errorf(rego_bctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* eval_builtin_error with a free-form message. */
rp_status rego_bi_errorf(rego_bctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Out of memory (arena budget). */
rp_status rego_bi_nomem(rego_bctx *ctx);

/* ---- argument helpers: return false after reporting a type error -------- */
bool rego_bi_arg_str(rego_bctx *ctx, const rego_value *args, int i, const char **s, size_t *n);
bool rego_bi_arg_num(rego_bctx *ctx, const rego_value *args, int i);
/* An integer-valued number that fits int64 ("operand N must be integer number
 * but got floating-point number" otherwise). */
bool rego_bi_arg_int(rego_bctx *ctx, const rego_value *args, int i, int64_t *out);
bool rego_bi_arg_kind(rego_bctx *ctx, const rego_value *args, int i, rego_kind k);

/* ---- evaluator services (implemented by the evaluator) ------------------ */
/* Nanoseconds since the epoch, fixed for the whole query. */
int64_t rego_bi_now_ns(rego_bctx *ctx);
/* Random bytes from the query's source (seeded per query). */
void rego_bi_random(rego_bctx *ctx, void *buf, size_t n);
/* Writes a line for print(); the sink is chosen by the embedder (stderr in
 * the CLI). */
void rego_bi_print(rego_bctx *ctx, const char *s, size_t n);
/* Whether print() output goes anywhere (the embedder set a sink). */
bool rego_bi_print_enabled(const rego_bctx *ctx);
/* Looks up / stores a memoised result for a non-deterministic builtin call
 * keyed by (name, args) so repeated calls in one query agree. */
bool rego_bi_memo_get(rego_bctx *ctx, rego_value key, rego_value *out);
void rego_bi_memo_put(rego_bctx *ctx, rego_value key, rego_value val);
/* Whether the embedder allowed a capability ("http.send" host allow-list,
 * environment access for opa.runtime).  Returns the configured value or
 * UNDEF. */
rego_value rego_bi_config(rego_bctx *ctx, const char *key);

/* ---- registry ------------------------------------------------------------ */
/* Fills out[0..cap) with every builtin, in a fixed order, and returns how
 * many there are (which may exceed cap).  The tables are static and
 * immutable. */
size_t rego_builtins_list(const rego_builtin **out, size_t cap);
/* Finds a builtin by name (NULL when unknown).  Linear; callers cache. */
const rego_builtin *rego_builtin_find(const char *name, size_t len);

/* Each group file exports one table, NULL-terminated by a zero entry. */
#define REGO_BUILTIN_GROUP(group) extern const rego_builtin rego_builtins_##group[]

#endif
