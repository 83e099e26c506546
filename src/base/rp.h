/*
 * rp.h — shared basics for every rampart module: status codes, errors with
 * source locations, a budgeted arena allocator and a growable byte buffer.
 *
 * Ownership: an rp_arena owns everything allocated from it and frees it in one
 * call; an rp_buf owns its bytes until rp_buf_free or rp_buf_steal.
 * Errors: functions that can fail return rp_status and fill a caller-owned
 * rp_error; reporting an error never allocates.
 */
#ifndef RAMPART_BASE_RP_H
#define RAMPART_BASE_RP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RP_OK = 0,
    RP_ERR_NOMEM,    /* allocation failed or arena budget exhausted */
    RP_ERR_SYNTAX,   /* malformed input text (JSON, YAML, Rego) */
    RP_ERR_TYPE,     /* wrong type: rego_type_error / eval_type_error */
    RP_ERR_LIMIT,    /* a named limit (depth, size, steps, time) was hit */
    RP_ERR_CONFLICT, /* eval_conflict_error and compile-time conflicts */
    RP_ERR_IO,       /* file or socket error */
    RP_ERR_EVAL,     /* other evaluation errors (builtin errors, halts) */
    RP_ERR_COMPILE,  /* compile errors other than syntax and type */
} rp_status;

typedef struct {
    const char *file; /* borrowed; NULL when unknown */
    uint32_t line;    /* 1-based; 0 when unknown */
    uint32_t col;     /* 1-based; 0 when unknown */
} rp_loc;

/* The kind of error in OPA's vocabulary, so we can print OPA's codes. */
typedef enum {
    RP_EK_NONE = 0,
    RP_EK_PARSE,        /* rego_parse_error */
    RP_EK_COMPILE,      /* rego_compile_error */
    RP_EK_TYPE,         /* rego_type_error */
    RP_EK_UNSAFE_VAR,   /* rego_unsafe_var_error */
    RP_EK_RECURSION,    /* rego_recursion_error */
    RP_EK_EVAL_TYPE,    /* eval_type_error */
    RP_EK_EVAL_BUILTIN, /* eval_builtin_error */
    RP_EK_EVAL_CONFLICT,/* eval_conflict_error */
    RP_EK_EVAL_CANCEL,  /* eval_cancel_error (limits, budgets) */
    RP_EK_EVAL_OTHER,   /* eval_internal_error */
    RP_EK_IO,           /* file/io problems outside the engine */
} rp_errkind;

typedef struct {
    rp_status code;
    rp_errkind kind;
    rp_loc loc;
    char msg[256]; /* fixed: reporting an error never allocates */
} rp_error;

/* Records the first error only (later ones are usually consequences) and
 * returns code.  fmt is printf-style. */
rp_status rp_error_set(rp_error *e, rp_status code, rp_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
rp_status rp_error_setk(rp_error *e, rp_status code, rp_errkind kind, rp_loc loc,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
rp_status rp_error_vsetk(rp_error *e, rp_status code, rp_errkind kind, rp_loc loc,
                         const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* Clears e so a later error can be recorded. */
void rp_error_clear(rp_error *e);
/* OPA's error code string for a kind ("rego_parse_error", ...). */
const char *rp_errkind_name(rp_errkind k);
/* Formats "file:line:col: code: msg" into buf (truncating). */
void rp_error_format(const rp_error *e, char *buf, size_t cap);

/* ---- arena ---------------------------------------------------------------
 * A bump allocator over malloc'd chunks with a hard byte budget.  Allocations
 * are 16-byte aligned.  Once an allocation fails the arena is "failed"
 * (sticky, as SQLite's mallocFailed): every later allocation fails fast, and
 * callers deep inside just return NULL. */
typedef struct rp_arena rp_arena;

rp_arena *rp_arena_new(size_t budget); /* budget: hard cap in bytes; 0 = none */
void *rp_arena_alloc(rp_arena *a, size_t n);   /* NULL on failure */
void *rp_arena_zalloc(rp_arena *a, size_t n);  /* zeroed */
void *rp_arena_array(rp_arena *a, size_t n, size_t size); /* overflow-checked */
/* Grows an allocation made from a: returns a new block holding the first
 * old_n bytes (the old block is dead unless it was the last one, in which
 * case it may be extended in place). */
void *rp_arena_grow(rp_arena *a, void *old, size_t old_n, size_t new_n);
char *rp_arena_strndup(rp_arena *a, const char *s, size_t n); /* NUL-terminates */
bool rp_arena_failed(const rp_arena *a);
size_t rp_arena_used(const rp_arena *a);   /* bytes handed out plus chunk slack */
void rp_arena_reset(rp_arena *a);          /* frees all but the first chunk */
void rp_arena_free(rp_arena *a);           /* NULL is a no-op */

/* ---- growable byte buffer (malloc-backed) -------------------------------- */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed; /* sticky out-of-memory flag */
} rp_buf;

void rp_buf_init(rp_buf *b);
bool rp_buf_reserve(rp_buf *b, size_t extra);
void rp_buf_append(rp_buf *b, const void *p, size_t n);
void rp_buf_putc(rp_buf *b, char c);
void rp_buf_puts(rp_buf *b, const char *s);
void rp_buf_printf(rp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *rp_buf_cstr(rp_buf *b); /* NUL-terminated view (may be "" on failure) */
char *rp_buf_steal(rp_buf *b);      /* caller owns; buffer reset */
void rp_buf_free(rp_buf *b);

/* ---- files ---------------------------------------------------------------- */
/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated buffer. */
rp_status rp_read_file(const char *path, size_t max, char **out, size_t *len, rp_error *err);

/* ---- UTF-8 ---------------------------------------------------------------- */
/* Decodes one code point at s[0..n); returns bytes consumed (>=1) and sets *cp,
 * or 0 when the sequence is invalid (then *cp = 0xFFFD). */
size_t rp_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (4 bytes room); returns length. */
size_t rp_utf8_encode(uint32_t cp, char *out);
bool rp_utf8_valid(const char *s, size_t n);
/* Number of code points (invalid bytes count as one each, as Go does). */
size_t rp_utf8_count(const char *s, size_t n);

#define RP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
