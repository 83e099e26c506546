/*
 * yaml.h — the engine's YAML reader: YAML text to Rego (JSON) values, on top
 * of libyaml's event parser.
 *
 * Ownership: every value is allocated in the caller's arena and outlives the
 * input buffer.  On error *out is untouched and err holds the first error.
 *
 * Two ways of reading scalars:
 *  - REGO_YAML_K8S: what sigs.k8s.io/yaml (OPA's yaml.unmarshal, kubectl)
 *    produces: go-yaml v2's YAML 1.1 resolution (yes/no/on/off/y/n are
 *    booleans, 0x/0o/0b/leading-0 octal integers, '_' separators), then the
 *    conversion to JSON (non-string keys become strings, .inf/.nan are
 *    errors, timestamps stay strings, !!binary yields the decoded bytes);
 *  - REGO_YAML_CORE: the YAML 1.2 core schema (OPA's conformance runner).
 *
 * Both: quoted scalars are strings; merge keys `<<` (a mapping, an alias of
 * one, or a sequence of them) are applied where they appear, so later keys
 * override them and they override earlier keys (go-yaml v2); duplicate keys:
 * the last one wins (sigs.k8s.io/yaml's non-strict Unmarshal, which OPA
 * uses; its strict mode would reject them).  Aliases share the anchored value;
 * the nodes they stand for are bounded by REGO_YAML_MAX_ALIAS_EXPANSION and
 * the resulting nesting by REGO_YAML_MAX_DEPTH (both RP_ERR_LIMIT).
 *
 * Errors are RP_ERR_SYNTAX with go-yaml's message text ("yaml: line 3: did
 * not find expected key", where the line is the one go-yaml prints) and the
 * exact 1-based line and column of the problem in err->loc.
 */
#ifndef RAMPART_REGO_YAML_H
#define RAMPART_REGO_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/rp.h"
#include "value.h"

typedef enum {
    REGO_YAML_K8S,  /* sigs.k8s.io/yaml: YAML 1.1 scalars as go-yaml v2 resolves them, converted to JSON */
    REGO_YAML_CORE, /* YAML 1.2 core schema (what OPA's conformance runner uses) */
} rego_yaml_schema;

/* multi=false: the first document (an empty stream is null); later documents
 * are not read, as go-yaml's Unmarshal.  multi=true: an ARRAY of all
 * documents, skipping empty (null) ones, as kubectl does for `---` separated
 * manifests.  filename is borrowed into err->loc.file (may be NULL). */
rp_status rego_yaml_parse(rp_arena *a, const char *s, size_t n, const char *filename,
                          rego_yaml_schema schema, bool multi, rego_value *out, rp_error *err);

/* Reads path (at most REGO_DOC_MAX_BYTES) and parses it as above. */
rp_status rego_yaml_parse_file(rp_arena *a, const char *path, rego_yaml_schema schema, bool multi,
                               rego_value *out, rp_error *err);

#endif
