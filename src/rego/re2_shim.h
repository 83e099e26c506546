/*
 * re2_shim.h — a thin C API over RE2 that behaves like Go's regexp package,
 * the engine OPA's regex builtins run on.
 *
 * RE2 and Go's regexp share one syntax and one matching semantics
 * (leftmost-first, linear time, no backreferences), so the shim only adds
 * what differs at the edges: Go's error texts ("error parsing regexp: missing
 * closing ]: `[`"), Go's iteration over successive matches (FindAll,
 * ReplaceAll: an empty match right after a match is skipped) and Go's
 * template expansion ($1, ${1}, ${name}, $$).  No C++ exception crosses this
 * boundary: allocation failures come back as RP_ERR_NOMEM.
 *
 * Ownership: compiled patterns are immutable and reference counted.
 * rp_re_compile hands out a reference that the caller gives back with
 * rp_re_release; a pattern may be used from any number of threads at once.
 *
 * Global state: one process-wide cache of compiled patterns, keyed by the
 * exact pattern bytes (and, for globs, the delimiters), bounded by
 * REGO_REGEX_CACHE_MAX_ENTRIES entries and REGO_REGEX_CACHE_MAX_BYTES
 * estimated bytes, evicted least recently used first, and guarded by one
 * mutex (see re2_shim.cc).
 */
#ifndef RAMPART_REGO_RE2_SHIM_H
#define RAMPART_REGO_RE2_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "../base/rp.h"

typedef struct rp_re rp_re;

/* A byte range [lo, hi) of the subject; {-1, -1} for a group that did not
 * take part in the match. */
typedef struct {
    int64_t lo, hi;
} rp_re_span;

/* What a cache key names: the same bytes compile differently per kind. */
typedef enum {
    RP_RE_KEY_REGEX = 'r',    /* a Go regexp, key = the pattern */
    RP_RE_KEY_GLOB = 'g',     /* a translated glob, key = delimiters + pattern */
} rp_re_keykind;

/* Compiles pat[0..n) as Go's regexp.Compile would, using the cache.  On
 * success *out is a new reference.  An invalid pattern returns RP_ERR_SYNTAX
 * with Go's message ("error parsing regexp: ...") in msg (truncated to cap);
 * RP_ERR_NOMEM when memory ran out. */
rp_status rp_re_compile(const char *pat, size_t n, rp_re **out, char *msg, size_t cap);

/* Finds a pattern compiled earlier under (kind, key); NULL on a miss.
 * The result is a new reference. */
rp_re *rp_re_lookup(rp_re_keykind kind, const char *key, size_t keylen);
/* Compiles the RE2 pattern re[0..n) (our own translation: no Go-only checks)
 * and caches it under (kind, key).  Errors as rp_re_compile, with RE2's
 * diagnosis mapped to Go's words. */
rp_status rp_re_compile_keyed(rp_re_keykind kind, const char *key, size_t keylen,
                              const char *re, size_t n, rp_re **out, char *msg, size_t cap);

/* Gives back a reference (NULL is a no-op). */
void rp_re_release(rp_re *re);

/* Size of the compiled program in instructions (RE2's ProgramSize). */
size_t rp_re_program_size(const rp_re *re);
/* Number of capturing groups (Go's NumSubexp). */
int rp_re_num_groups(const rp_re *re);
/* Index of the first group called name[0..n), or -1. */
int rp_re_group_index(const rp_re *re, const char *name, size_t n);

/* Whether the pattern matches anywhere in s[0..n) (Go's MatchString). */
bool rp_re_match(const rp_re *re, const char *s, size_t n);
/* Whether it matches all of s[0..n) (used for globs). */
bool rp_re_full_match(const rp_re *re, const char *s, size_t n);

/* The leftmost-first match starting at or after pos; the bytes before pos
 * still count as context for ^, \b and friends.  Fills spans[0..nspans)
 * (span 0 is the whole match).  False when there is none. */
bool rp_re_find_at(const rp_re *re, const char *s, size_t n, size_t pos, rp_re_span *spans,
                   int nspans);

/* Called once per match; returns false to stop the iteration. */
typedef bool (*rp_re_each_fn)(void *ud, const rp_re_span *spans, int nspans);
/* Go's FindAll*Index iteration: at most limit matches (limit < 0: all);
 * each match reports 1 + min(ngroups, nspans - 1) spans.  Returns false
 * when fn stopped it, RP-style errors are the callback's business. */
bool rp_re_find_all(const rp_re *re, const char *s, size_t n, int64_t limit, int nspans,
                    rp_re_each_fn fn, void *ud);

/* Go's ReplaceAllString(s, repl): every match replaced by repl with $1,
 * ${1}, ${name} and $$ expanded as Go's Regexp.Expand does.  Appends to out;
 * stops with out->failed set when out would grow past max bytes or memory
 * ran out. */
void rp_re_replace_all(const rp_re *re, const char *s, size_t n, const char *repl, size_t rn,
                       size_t max, rp_buf *out);

/* Whether the code point is printable in Go's sense (unicode.IsPrint), for
 * reproducing Go's %q quoting in error messages. */
bool rp_re_unicode_is_print(uint32_t cp);

/* Cache introspection and reset, for tests. */
void rp_re_cache_stats(size_t *entries, size_t *bytes);
void rp_re_cache_clear(void);

#ifdef __cplusplus
}
#endif

#endif
