/*
 * t.h — the smallest test harness that does the job: checks count passes and
 * failures, a failure prints file:line and the expression, and T_DONE()
 * prints the closing "N passed, N failed" line and returns the exit code.
 *
 * Usage:
 *   #include "t.h"
 *   int main(void) { T_CHECK(1 + 1 == 2); T_STREQ(s, "x"); return T_DONE(); }
 */
#ifndef RAMPART_TESTS_T_H
#define RAMPART_TESTS_T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

#define T_CHECK(cond) T_CHECKM(cond, "%s", #cond)

#define T_CHECKM(cond, ...)                                                   \
    do {                                                                      \
        if (cond) {                                                           \
            t_passed++;                                                       \
        } else {                                                              \
            t_failed++;                                                       \
            fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
    } while (0)

#define T_STREQ(got, want)                                                    \
    do {                                                                      \
        const char *t_g_ = (got), *t_w_ = (want);                             \
        T_CHECKM(t_g_ && t_w_ && strcmp(t_g_, t_w_) == 0,                     \
                 "%s\n    got:  %s\n    want: %s", #got, t_g_ ? t_g_ : "(null)", \
                 t_w_ ? t_w_ : "(null)");                                     \
    } while (0)

#define T_DONE() (printf("%d passed, %d failed\n", t_passed, t_failed), t_failed ? 1 : 0)

#endif
