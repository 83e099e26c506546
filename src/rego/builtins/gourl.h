/*
 * gourl.h — Go's net/url, as far as OPA's http.send, json.match_schema
 * ("uri" formats, $ref resolution), providers.aws.sign_req and uri.parse
 * observe it: url.Parse with its error texts, URL.String, EscapedPath, ResolveReference,
 * Hostname (error messages quote with rego_go_quote from sprintf.h).
 *
 * Private to the builtin groups http, jsonschema, uri and aws.
 *
 * Ownership: every string of a parsed URL lives in the arena passed to the
 * parser (or is borrowed from the URLs passed to rego_gourl_resolve); a
 * rego_gourl never owns memory and dies with that arena.
 */
#ifndef RAMPART_REGO_BUILTINS_GOURL_H
#define RAMPART_REGO_BUILTINS_GOURL_H

#include <stdbool.h>
#include <stddef.h>

#include "../../base/rp.h"

/* A byte string with a length (Go strings may hold NUL bytes). */
typedef struct {
    const char *s;
    size_t n;
} rego_gostr;

/* Go's url.URL (fields as Go names them; all unescaped unless "raw"). */
typedef struct {
    rego_gostr scheme, opaque;
    bool has_user, has_pass;
    rego_gostr user, pass;
    rego_gostr host, path, raw_path, raw_query, fragment, raw_fragment;
    bool force_query, omit_host;
} rego_gourl;

/* url.Parse(s).  On failure returns false and writes Go's error text
 * ("parse \"x y\": invalid character ...") into msg (truncated to cap). */
bool rego_gourl_parse(rp_arena *a, const char *s, size_t n, rego_gourl *u, char *msg, size_t cap);

/* u.EscapedPath(), u.EscapedFragment(), u.String(), appended to b. */
void rego_gourl_escaped_path(const rego_gourl *u, rp_buf *b);
void rego_gourl_escaped_fragment(const rego_gourl *u, rp_buf *b);
void rego_gourl_string(const rego_gourl *u, rp_buf *b);

/* base.ResolveReference(ref) into *out (strings in a or borrowed). */
void rego_gourl_resolve(rp_arena *a, const rego_gourl *base, const rego_gourl *ref,
                        rego_gourl *out);

/* u.Hostname() and u.Port() (borrowed from u->host). */
rego_gostr rego_gourl_hostname(const rego_gourl *u);
rego_gostr rego_gourl_port(const rego_gourl *u);

#endif
