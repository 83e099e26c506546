/*
 * sprintf.h — the Go-formatting builtins of the "strings" group, shared
 * between sprintf.c (which implements them) and strings.c (whose table lists
 * them).  Internal to the builtins; not part of any public API.
 */
#ifndef RAMPART_REGO_BUILTINS_SPRINTF_H
#define RAMPART_REGO_BUILTINS_SPRINTF_H

#include "../builtin.h"

/* sprintf(format, values): Go's fmt.Sprintf over the values converted as OPA
 * converts them (integers, big integers, float64s, strings; everything else
 * as its Rego text). */
rp_status rego_bi_sprintf(rego_bctx *ctx, const rego_value *args, rego_value *out);

/* strings.render_template(template, vars): a bounded subset of Go's
 * text/template executed over vars with missingkey=error. */
rp_status rego_bi_render_template(rego_bctx *ctx, const rego_value *args, rego_value *out);

/* Go's strconv.Quote of s[0..n) appended to b: the quoting Go error
 * messages (and so OPA's) use. */
void rego_go_quote(rp_buf *b, const char *s, size_t n);

#endif
