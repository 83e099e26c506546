/*
 * t_linear.h — linear time checked without a step counter (RE2 and the glob
 * matcher give none), shared by test_bi_regex.c and test_bi_glob.c: the
 * same work on 16x the input must take about 16x as long (a backtracking
 * engine would take forever on such input; a quadratic one 256x).  The
 * bound is 96x, so caches and a busy machine (6x of noise) cannot fail it.
 * Time is compared within the run, never against a fixed wall-clock figure.
 */
#ifndef RAMPART_TESTS_T_LINEAR_H
#define RAMPART_TESTS_T_LINEAR_H

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "bi_table.h"

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n copies of c, NUL-terminated; the caller frees it. */
static inline char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* name(args) through the builtin, as the evaluator calls it, in a fresh
 * arena: true when it returns a value of kind want. */
static inline bool work_call(const char *name, const rego_value *args, rego_kind want)
{
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rp_error err = {0};
    rego_value out;
    bool ok = bt_invoke(&ev, name, args, &out, &err) == RP_OK && out.kind == want;
    rp_arena_free(a);
    return ok;
}

/* One unit of work on s[0..n) with arg (a pattern); false when it failed. */
typedef bool (*work_fn)(const char *arg, const char *s, size_t n);

static inline double time_reps(work_fn fn, const char *arg, const char *s, size_t n, int reps)
{
    double t0 = now();
    bool ok = true;
    for (int k = 0; k < reps; k++)
        ok &= fn(arg, s, n);
    if (!ok)
        T_CHECKM(ok, "work failed for %s", arg);
    return now() - t0;
}

/* Linear: 16x the input costs under 96x the time (quadratic: 256x).
 * The small run is repeated until it takes 40 ms, small and big runs are
 * interleaved and the best of three of each is kept, so timer resolution,
 * caches and other processes on the machine stay small against it. */
static inline void check_linear(const char *what, work_fn fn, const char *arg, char c, size_t n)
{
    char *small = repeat(c, n), *big = repeat(c, 16 * n);
    fn(arg, small, n); /* warm: compile and cache the pattern */
    int reps = 1;
    while (reps < (1 << 16) && time_reps(fn, arg, small, n, reps) < 0.04)
        reps *= 2;
    double ts = 1e9, tb = 1e9;
    for (int r = 0; r < 3; r++) {
        double t = time_reps(fn, arg, small, n, reps);
        ts = t < ts ? t : ts;
        t = time_reps(fn, arg, big, 16 * n, reps);
        tb = t < tb ? t : tb;
    }
    T_CHECKM(tb < 96 * ts, "%s: %zu bytes took %.4fs, %zu bytes %.4fs (%d reps; not linear)", what,
             n, ts, 16 * n, tb, reps);
    free(small);
    free(big);
}

#endif
