/*
 * limits.h — every bound the engine enforces, in one place.  Hitting one is
 * an RP_ERR_LIMIT error with a location, never a crash.  Tests probe each at
 * exactly the limit and one past it.
 */
#ifndef RAMPART_REGO_LIMITS_H
#define RAMPART_REGO_LIMITS_H

/* JSON / YAML documents */
#define REGO_JSON_MAX_DEPTH 1000        /* nesting of arrays/objects */
#define REGO_YAML_MAX_DEPTH 1000
#define REGO_YAML_MAX_ALIAS_EXPANSION (1u << 20) /* nodes created via aliases */
#define REGO_DOC_MAX_BYTES (1ull << 30) /* one input or data file */

/* Rego source */
#define REGO_PARSE_MAX_DEPTH 1000       /* nested terms/bodies in the parser */
#define REGO_SOURCE_MAX_BYTES (64u << 20)

/* Evaluation */
#define REGO_EVAL_MAX_DEPTH 5000        /* nested rule/function/comprehension calls */
#define REGO_WALK_MAX_DEPTH 1000        /* walk(), json.patch paths, value printing */
#define REGO_VALUE_MAX_DEPTH 10000      /* recursive compare/hash/print of values */
#define REGO_EVAL_DEFAULT_BUDGET (1ull << 31) /* bytes per evaluation (2 GiB) */

/* numbers.range and friends that build big collections from small inputs */
#define REGO_MAX_RANGE_ELEMS (1u << 26)
#define REGO_MAX_STRING_BYTES (1u << 30)

#endif
