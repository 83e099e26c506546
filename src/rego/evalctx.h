/*
 * evalctx.h — per-query services the evaluator offers builtins (time,
 * randomness, print sink, memo of non-deterministic results, embedder
 * configuration).  One per query; never shared between threads.
 */
#ifndef RAMPART_REGO_EVALCTX_H
#define RAMPART_REGO_EVALCTX_H

#include "builtin.h"

typedef void (*rego_print_fn)(void *ud, const char *s, size_t n);

struct rego_evalctx {
    rp_arena *arena;       /* the query's arena (memo entries live here) */
    int64_t now_ns;        /* fixed for the query; 0 = take the clock on first use */
    rego_print_fn print;   /* NULL: print() output is dropped */
    void *print_ud;
    rego_value config;     /* object of embedder settings, or UNDEF */
    rego_objb memo;        /* non-deterministic builtin results, keyed [name, args] */
    bool memo_ready;
};

/* Initialises ctx for a query allocating in arena. */
void rego_evalctx_init(struct rego_evalctx *ctx, rp_arena *arena);

/* Calls a builtin the way the evaluator does (argument count checked by the
 * caller), for tests and for the evaluator itself. */
rp_status rego_builtin_call(const rego_builtin *bi, struct rego_evalctx *ev, rp_loc loc,
                            const rego_value *args, rego_value *out, rp_error *err);

#endif
