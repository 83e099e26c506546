/*
 * rp.c — errors, arena, byte buffer, file reading and UTF-8 helpers shared by
 * all modules.
 *
 * Arena invariant: chunks form a singly linked list, newest first; `used`
 * counts bytes of all chunks (payload capacity), checked against the budget
 * before a chunk is added.  No mutable globals.
 */
#include "rp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- errors --------------------------------------------------------------- */

rp_status rp_error_vsetk(rp_error *e, rp_status code, rp_errkind kind, rp_loc loc,
                         const char *fmt, va_list ap)
{
    if (!e || e->code != RP_OK)
        return code;
    e->code = code;
    e->kind = kind;
    e->loc = loc;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    return code;
}

rp_status rp_error_setk(rp_error *e, rp_status code, rp_errkind kind, rp_loc loc,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_error_vsetk(e, code, kind, loc, fmt, ap);
    va_end(ap);
    return code;
}

static rp_errkind default_kind(rp_status code)
{
    switch (code) {
    case RP_OK: return RP_EK_NONE;
    case RP_ERR_SYNTAX: return RP_EK_PARSE;
    case RP_ERR_TYPE: return RP_EK_TYPE;
    case RP_ERR_CONFLICT: return RP_EK_EVAL_CONFLICT;
    case RP_ERR_IO: return RP_EK_IO;
    case RP_ERR_COMPILE: return RP_EK_COMPILE;
    case RP_ERR_NOMEM:
    case RP_ERR_LIMIT: return RP_EK_EVAL_CANCEL;
    case RP_ERR_EVAL: return RP_EK_EVAL_OTHER;
    }
    return RP_EK_EVAL_OTHER;
}

rp_status rp_error_set(rp_error *e, rp_status code, rp_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_error_vsetk(e, code, default_kind(code), loc, fmt, ap);
    va_end(ap);
    return code;
}

void rp_error_clear(rp_error *e)
{
    if (e)
        memset(e, 0, sizeof(*e));
}

const char *rp_errkind_name(rp_errkind k)
{
    switch (k) {
    case RP_EK_NONE: return "";
    case RP_EK_PARSE: return "rego_parse_error";
    case RP_EK_COMPILE: return "rego_compile_error";
    case RP_EK_TYPE: return "rego_type_error";
    case RP_EK_UNSAFE_VAR: return "rego_unsafe_var_error";
    case RP_EK_RECURSION: return "rego_recursion_error";
    case RP_EK_EVAL_TYPE: return "eval_type_error";
    case RP_EK_EVAL_BUILTIN: return "eval_builtin_error";
    case RP_EK_EVAL_CONFLICT: return "eval_conflict_error";
    case RP_EK_EVAL_CANCEL: return "eval_cancel_error";
    case RP_EK_EVAL_OTHER: return "eval_internal_error";
    case RP_EK_IO: return "io_error";
    }
    return "error";
}

void rp_error_format(const rp_error *e, char *buf, size_t cap)
{
    const char *code = rp_errkind_name(e->kind);
    if (e->loc.file && e->loc.line && e->loc.col)
        snprintf(buf, cap, "%s:%u:%u: %s: %s", e->loc.file, e->loc.line, e->loc.col, code, e->msg);
    else if (e->loc.file && e->loc.line)
        snprintf(buf, cap, "%s:%u: %s: %s", e->loc.file, e->loc.line, code, e->msg);
    else if (e->loc.file)
        snprintf(buf, cap, "%s: %s: %s", e->loc.file, code, e->msg);
    else
        snprintf(buf, cap, "%s: %s", code, e->msg);
}

/* ---- arena ---------------------------------------------------------------- */

typedef struct rp_chunk {
    struct rp_chunk *next;
    size_t cap;
    size_t pad_; /* keeps data 16-byte aligned */
    size_t pad2_;
    unsigned char data[];
} rp_chunk;

struct rp_arena {
    rp_chunk *head;
    size_t off;    /* bytes used in head */
    size_t used;   /* total capacity of all chunks */
    size_t budget; /* 0 = unlimited */
    bool failed;
};

#define RP_ARENA_FIRST (16 * 1024)
#define RP_ARENA_MAXCHUNK (4u << 20)

rp_arena *rp_arena_new(size_t budget)
{
    rp_arena *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->budget = budget;
    return a;
}

static bool arena_add_chunk(rp_arena *a, size_t need)
{
    size_t cap = a->head ? a->head->cap * 2 : RP_ARENA_FIRST;
    if (cap > RP_ARENA_MAXCHUNK)
        cap = RP_ARENA_MAXCHUNK;
    if (cap < need)
        cap = need;
    if (a->budget && (a->used + cap > a->budget || a->used + cap < a->used)) {
        /* Try the smallest chunk that satisfies the request before failing. */
        cap = need;
        if (a->used + cap > a->budget || a->used + cap < a->used)
            return false;
    }
    rp_chunk *c = malloc(sizeof(rp_chunk) + cap);
    if (!c)
        return false;
    c->cap = cap;
    c->next = a->head;
    a->head = c;
    a->off = 0;
    a->used += cap;
    return true;
}

void *rp_arena_alloc(rp_arena *a, size_t n)
{
    if (a->failed)
        return NULL;
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n) {
        a->failed = true;
        return NULL;
    }
    if (need == 0)
        need = 16;
    if (!a->head || a->head->cap - a->off < need) {
        if (!arena_add_chunk(a, need)) {
            a->failed = true;
            return NULL;
        }
    }
    void *p = a->head->data + a->off;
    a->off += need;
    return p;
}

void *rp_arena_zalloc(rp_arena *a, size_t n)
{
    void *p = rp_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *rp_arena_array(rp_arena *a, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        a->failed = true;
        return NULL;
    }
    return rp_arena_alloc(a, bytes);
}

void *rp_arena_grow(rp_arena *a, void *old, size_t old_n, size_t new_n)
{
    if (new_n <= old_n)
        return old;
    size_t old_r = (old_n + 15) & ~(size_t)15;
    size_t new_r = (new_n + 15) & ~(size_t)15;
    if (old && a->head && !a->failed &&
        (unsigned char *)old + old_r == a->head->data + a->off &&
        a->head->cap - (a->off - old_r) >= new_r) {
        a->off += new_r - old_r;
        return old;
    }
    void *p = rp_arena_alloc(a, new_n);
    if (p && old && old_n)
        memcpy(p, old, old_n);
    return p;
}

char *rp_arena_strndup(rp_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        a->failed = true;
        return NULL;
    }
    char *p = rp_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

bool rp_arena_failed(const rp_arena *a) { return a->failed; }

size_t rp_arena_used(const rp_arena *a)
{
    return a->used;
}

void rp_arena_reset(rp_arena *a)
{
    if (!a)
        return;
    /* Keep the oldest chunk (the smallest), free the rest. */
    rp_chunk *c = a->head, *keep = NULL;
    while (c) {
        rp_chunk *next = c->next;
        if (!next)
            keep = c;
        else
            free(c);
        c = next;
    }
    a->head = keep;
    a->off = 0;
    a->used = keep ? keep->cap : 0;
    a->failed = false;
}

void rp_arena_free(rp_arena *a)
{
    if (!a)
        return;
    rp_chunk *c = a->head;
    while (c) {
        rp_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

/* ---- buffer --------------------------------------------------------------- */

void rp_buf_init(rp_buf *b) { memset(b, 0, sizeof(*b)); }

bool rp_buf_reserve(rp_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    size_t need;
    if (__builtin_add_overflow(b->len, extra, &need) || need == SIZE_MAX) {
        b->failed = true;
        return false;
    }
    need += 1; /* room for a NUL */
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void rp_buf_append(rp_buf *b, const void *p, size_t n)
{
    if (!n || !rp_buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void rp_buf_putc(rp_buf *b, char c)
{
    if (!rp_buf_reserve(b, 1))
        return;
    b->data[b->len++] = c;
}

void rp_buf_puts(rp_buf *b, const char *s) { rp_buf_append(b, s, strlen(s)); }

void rp_buf_printf(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        rp_buf_append(b, small, (size_t)n);
        return;
    }
    if (!rp_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *rp_buf_cstr(rp_buf *b)
{
    if (!rp_buf_reserve(b, 0))
        return "";
    b->data[b->len] = 0;
    return b->data;
}

char *rp_buf_steal(rp_buf *b)
{
    if (!rp_buf_reserve(b, 0)) {
        rp_buf_free(b);
        return NULL;
    }
    b->data[b->len] = 0;
    char *p = b->data;
    rp_buf_init(b);
    return p;
}

void rp_buf_free(rp_buf *b)
{
    free(b->data);
    rp_buf_init(b);
}

/* ---- files ---------------------------------------------------------------- */

rp_status rp_read_file(const char *path, size_t max, char **out, size_t *len, rp_error *err)
{
    rp_loc loc = {path, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return rp_error_set(err, RP_ERR_IO, loc, "open: %s", strerror(errno));
    rp_buf b;
    rp_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (b.len + n > max) {
            fclose(f);
            rp_buf_free(&b);
            return rp_error_set(err, RP_ERR_LIMIT, loc, "file larger than %zu bytes", max);
        }
        rp_buf_append(&b, tmp, n);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        rp_buf_free(&b);
        return rp_error_set(err, RP_ERR_IO, loc, "read error");
    }
    if (b.failed) {
        rp_buf_free(&b);
        return rp_error_set(err, RP_ERR_NOMEM, loc, "out of memory reading file");
    }
    *len = b.len;
    *out = rp_buf_steal(&b);
    if (!*out)
        return rp_error_set(err, RP_ERR_NOMEM, loc, "out of memory reading file");
    return RP_OK;
}

/* ---- UTF-8 ---------------------------------------------------------------- */

size_t rp_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    *cp = 0xFFFD;
    if (n == 0)
        return 0;
    unsigned c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

size_t rp_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

bool rp_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = rp_utf8_decode(s + i, n - i, &cp);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

size_t rp_utf8_count(const char *s, size_t n)
{
    size_t i = 0, count = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
        } else {
            uint32_t cp;
            size_t k = rp_utf8_decode(s + i, n - i, &cp);
            i += k ? k : 1;
        }
        count++;
    }
    return count;
}
