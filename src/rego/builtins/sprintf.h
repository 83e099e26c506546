/*
 * sprintf.h — the Go-formatting builtins of the "strings" group and the Go
 * strconv pieces they share.  sprintf.c implements sprintf and the pieces,
 * render_template.c implements strings.render_template, strings.c lists both
 * builtins in its table, and other groups quote their messages with
 * rego_go_quote.  Internal to the builtins; not part of any public API.
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

/* The rune at s[0..n) (n > 0) as Go's range-over-string decodes it: an
 * invalid byte is U+FFFD of width 1 with *bad set.  Returns the width. */
size_t rego_go_decode_rune(const char *s, size_t n, uint32_t *cp, bool *bad);

/* strconv.IsPrint (Unicode 14.0; see sprintf.c). */
bool rego_go_is_print(uint32_t r);

/* Appends r encoded as UTF-8. */
void rego_go_put_rune(rp_buf *b, uint32_t r);

/* strconv.AppendFloat(b, v, verb, -1 or prec, 64) for the verbs fmt uses;
 * false when out of memory. */
bool rego_go_ftoa(rp_buf *b, double v, char verb, int prec);

/* OPA's Value.String of v, the Rego text OPA hands to Go for a value that is
 * not a string or number (sprintf's operands, render_template's vars). */
void rego_go_value_text(rp_buf *b, rego_value v);

#endif
