/*
 * gotime.h — the pieces of Go's time package that time.c implements and
 * other parts share.  Internal to rampart; not part of any public API.
 */
#ifndef RAMPART_REGO_BUILTINS_GOTIME_H
#define RAMPART_REGO_BUILTINS_GOTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "base/rp.h"

/* time.ParseDuration of s[0..n) ("1.5s", "1m30s", "-2h", "300ms"): true
 * with *out in nanoseconds, or false with Go's message in *err ("time:
 * invalid duration \"x\"", "time: unknown unit ..."). */
bool rego_go_parse_duration(const char *s, size_t n, int64_t *out, rp_buf *err);

#endif
