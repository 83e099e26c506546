/*
 * jsonw.h — the few JSON writing helpers the event writers share, on top of
 * rp_buf and rego_json_write_string (Go's escaping; invalid UTF-8 becomes
 * U+FFFD, so a hostile file name still yields valid JSON).
 *
 * jw_key writes the separating comma itself when the previous byte is not
 * an opening brace or bracket, so writers need no "first field" state.
 * Integers are formatted by hand: printf costs more than the rest of an
 * event at 100,000 events per second.
 */
#ifndef RAMPART_AGENT_JSONW_H
#define RAMPART_AGENT_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../base/rp.h"
#include "../rego/value.h"

static inline void jw_sep(rp_buf *b)
{
    if (b->len && b->data[b->len - 1] != '{' && b->data[b->len - 1] != '[')
        rp_buf_putc(b, ',');
}

static inline void jw_key(rp_buf *b, const char *key)
{
    jw_sep(b);
    rp_buf_putc(b, '"');
    rp_buf_puts(b, key);
    rp_buf_append(b, "\":", 2);
}

static inline void jw_u64_raw(rp_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rp_buf_append(b, tmp + sizeof(tmp) - n, n);
}

static inline void jw_u64(rp_buf *b, const char *key, uint64_t v)
{
    jw_key(b, key);
    jw_u64_raw(b, v);
}

static inline void jw_i64(rp_buf *b, const char *key, int64_t v)
{
    jw_key(b, key);
    if (v < 0) {
        rp_buf_putc(b, '-');
        jw_u64_raw(b, (uint64_t)0 - (uint64_t)v);
    } else {
        jw_u64_raw(b, (uint64_t)v);
    }
}

static inline void jw_bool(rp_buf *b, const char *key, bool v)
{
    jw_key(b, key);
    rp_buf_puts(b, v ? "true" : "false");
}

static inline void jw_null(rp_buf *b, const char *key)
{
    jw_key(b, key);
    rp_buf_puts(b, "null");
}

/* A string of at most n bytes, ending at the first NUL (kernel buffers). */
static inline void jw_strn(rp_buf *b, const char *key, const char *s, size_t n)
{
    jw_key(b, key);
    rego_json_write_string(b, s, strnlen(s, n), false);
}

static inline void jw_str(rp_buf *b, const char *key, const char *s)
{
    jw_key(b, key);
    rego_json_write_string(b, s, strlen(s), false);
}

/* A string, or null when s is NULL. */
static inline void jw_str_or_null(rp_buf *b, const char *key, const char *s)
{
    if (s)
        jw_str(b, key, s);
    else
        jw_null(b, key);
}

static inline void jw_obj(rp_buf *b, const char *key)
{
    jw_key(b, key);
    rp_buf_putc(b, '{');
}

static inline void jw_end(rp_buf *b)
{
    rp_buf_putc(b, '}');
}

#endif
