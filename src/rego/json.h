/*
 * json.h — the engine's JSON reader (RFC 8259, with Go encoding/json's
 * choices where the RFC leaves room, since OPA inherits them).
 *
 * Ownership: every value is allocated in the caller's arena and outlives the
 * input buffer, which is never referenced after the call returns.  On error
 * *out is untouched, some arena memory may have been used, and err holds the
 * first error with a 1-based line and byte column.
 *
 * Choices (see json.c for the reasons):
 *  - strict grammar: no comments, trailing commas, single quotes, NaN,
 *    leading zeros or '+'; exactly one value, then only whitespace;
 *  - invalid UTF-8 bytes and lone surrogate escapes become U+FFFD; duplicate
 *    object keys: the last one wins (Go's map decoding);
 *  - a leading UTF-8 BOM is an error for rego_json_parse (as in Go), but is
 *    skipped by rego_json_parse_file (as OPA's file loader does);
 *  - nesting deeper than REGO_JSON_MAX_DEPTH is RP_ERR_LIMIT; a number past
 *    double range is kept exactly when it is integral ("1e400", as OPA's
 *    json.Number and the Rego parser keep it), else RP_ERR_SYNTAX.
 */
#ifndef RAMPART_REGO_JSON_H
#define RAMPART_REGO_JSON_H

#include <stddef.h>

#include "../base/rp.h"
#include "value.h"

/* Parses one JSON text s[0..n) into values allocated in a.  filename is
 * borrowed into err->loc.file (may be NULL). */
rp_status rego_json_parse(rp_arena *a, const char *s, size_t n, const char *filename,
                          rego_value *out, rp_error *err);

/* Reads path (at most REGO_DOC_MAX_BYTES) and parses it; a leading UTF-8
 * BOM is skipped.  path is borrowed into err->loc.file. */
rp_status rego_json_parse_file(rp_arena *a, const char *path, rego_value *out, rp_error *err);

#endif
