/*
 * ast_json.h — a parsed module as OPA's JSON AST, built as a rego_value.
 *
 * This is what OPA's rego.parse_module returns: the module marshalled the
 * way OPA's ast package marshals it (v1/ast/policy.go, term.go: no
 * locations, terms as {"type": ..., "value": ...}, rule heads with OPA's
 * ref/name/key/value fields, `_` renamed $0, $1, ...) and read back as a
 * Rego value.
 *
 * Ownership: the result is allocated in the arena passed in and may share
 * strings and numbers with the module; it must not outlive the module's
 * arena (rego.parse_module uses one arena for both).
 */
#ifndef RAMPART_REGO_AST_JSON_H
#define RAMPART_REGO_AST_JSON_H

#include "ast.h"

/* Converts m.  Errors: RP_ERR_NOMEM, or RP_ERR_LIMIT when the result would
 * nest deeper than REGO_VALUE_MAX_DEPTH (err says so). */
rp_status rego_module_json(rp_arena *a, const rego_module *m, rego_value *out, rp_error *err);

#endif
