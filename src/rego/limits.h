/*
 * limits.h — every bound the engine enforces, in one place.  Hitting one is
 * an RP_ERR_LIMIT error with a location, never a crash.  Tests probe each at
 * exactly the limit and one past it.
 */
#ifndef RAMPART_REGO_LIMITS_H
#define RAMPART_REGO_LIMITS_H

/* JSON / YAML documents */
#define REGO_JSON_MAX_DEPTH 1000        /* nesting of arrays/objects */
/* json.is_valid / json.unmarshal accept what Go's encoding/json accepts:
 * its scanner's maxNestingDepth (deeper values are then limited by
 * REGO_JSON_MAX_DEPTH when built). */
#define REGO_GO_JSON_MAX_DEPTH 10000
#define REGO_YAML_MAX_DEPTH 1000
#define REGO_YAML_MAX_ALIAS_EXPANSION (1u << 20) /* nodes created via aliases */
#define REGO_DOC_MAX_BYTES (1ull << 30) /* one input or data file */

/* Rego source */
#define REGO_PARSE_MAX_DEPTH 1000       /* nested terms/bodies in the parser */
#define REGO_SOURCE_MAX_BYTES (64u << 20)

/* Evaluation */
#define REGO_EVAL_MAX_DEPTH 5000        /* nested rule/function/comprehension calls */
#define REGO_WALK_MAX_DEPTH 1000        /* walk(), json.patch paths, value printing */
/* Steps of graph.reachable_paths' depth-first search (it enumerates paths,
 * which can be exponentially many in the graph's size). */
#define REGO_GRAPH_MAX_STEPS (1u << 24)
#define REGO_VALUE_MAX_DEPTH 10000      /* recursive compare/hash/print of values */
#define REGO_EVAL_DEFAULT_BUDGET (1ull << 31) /* bytes per evaluation (2 GiB) */

/* numbers.range and friends that build big collections from small inputs */
#define REGO_MAX_RANGE_ELEMS (1u << 26)
#define REGO_MAX_STRING_BYTES (1u << 30)
/* Bits in an integer a builtin may build from a small input (bits.lsh):
 * 2^24 bits is 2 MiB, about five million decimal digits. */
#define REGO_MAX_INT_BITS (1u << 24)

/* Regular expressions and globs (re2_shim.cc, builtins/regex.c, glob.c).
 * Every compiled RE2 object may use at most REGO_REGEX_MAX_MEM (program plus
 * lazily built DFA states); a pattern too big for it is retried once with
 * REGO_REGEX_MAX_MEM_LARGE and then not cached.  The process-wide cache holds
 * at most REGO_REGEX_CACHE_MAX_ENTRIES objects whose estimated sizes add up to
 * at most REGO_REGEX_CACHE_MAX_BYTES, so cached regexps never hold more than
 * entries * REGO_REGEX_MAX_MEM. */
#define REGO_REGEX_MAX_MEM (8u << 20)
#define REGO_REGEX_MAX_MEM_LARGE (64u << 20)
#define REGO_REGEX_CACHE_MAX_ENTRIES 128
#define REGO_REGEX_CACHE_MAX_BYTES (32u << 20)
/* Operators (* + ? { ( | [ and escapes) in one pattern: RE2's tree walkers
 * give up (and log) past a million nodes, about three per operator. */
#define REGO_REGEX_MAX_OPERATORS 300000
/* glob.match: RE2's worst case is program size x subject length (its DFA
 * falls back to an NFA when states explode, e.g. "*" + 1 MiB of text +
 * "*"); past this product glob.match fails instead of stalling.  Short
 * globs never reach it: a 100-instruction glob allows 10 MiB subjects. */
#define REGO_GLOB_MAX_WORK (1ull << 30)
/* Go's regexp/syntax limit on the height of a parse tree (maxHeight). */
#define REGO_REGEX_MAX_NESTING 1000
/* regex.globs_match: steps of the intersection search allowed per token of
 * the two globs, on top of a fixed allowance; past it the builtin fails
 * instead of running for a time OPA's exponential search would take. */
#define REGO_GLOBS_MATCH_BASE_STEPS (1u << 22)
#define REGO_GLOBS_MATCH_STEPS_PER_TOKEN 16

/* crypto.*, io.jwt.*: sizes of untrusted keys, certificates and tokens.
 * A CA bundle is ~200 KiB and ~150 certificates; a JWKS a few dozen keys. */
#define REGO_CRYPTO_MAX_INPUT_BYTES (4u << 20) /* PEM, DER, JWK(S) or JWT text */
#define REGO_CRYPTO_MAX_CERTS 1024             /* certificates in one input */
#define REGO_CRYPTO_MAX_KEYS 1024              /* keys in a JWKS or PEM bundle */
#define REGO_CRYPTO_MAX_RSA_BITS 16384         /* OpenSSL's own ceiling */
#define REGO_JWT_MAX_NESTING 16                /* JWTs nested with "cty": "JWT" */

/* sprintf and strings.render_template: a width, precision or template loop
 * turns a few bytes into many, so the text they build is capped (Go's own
 * fmt accepts widths up to ~10^7).  Templates also bound work that prints
 * nothing (nested {{range}}) and their nesting. */
#define REGO_SPRINTF_MAX_BYTES (16u << 20)
#define REGO_TEMPLATE_MAX_STEPS (1u << 24)  /* actions and loop iterations run */
#define REGO_TEMPLATE_MAX_DEPTH 100         /* nested {{if}}/{{range}}/(...) */

/* time.*, net.*: the tz database and CIDR expansion (builtins/time.c, net.c).
 * Zones are read from /usr/share/zoneinfo once and kept in a process-wide
 * cache of at most REGO_TZ_CACHE_MAX_ENTRIES zones (LRU; entries in use are
 * never freed); a zone file larger than Go's own maxFileSize is refused.
 * net.cidr_expand builds at most REGO_NET_CIDR_EXPAND_MAX addresses (a /12
 * of IPv4; OPA would try 2^32 or 2^128). */
#define REGO_TZ_CACHE_MAX_ENTRIES 64
#define REGO_TZ_FILE_MAX_BYTES (10u << 20)
#define REGO_NET_CIDR_EXPAND_MAX (1u << 20)

/* GraphQL (graphql.* builtins; graphql_parse.c, graphql_validate.c).  Go's
 * gqlparser has no such bounds; a real query nests a few dozen levels.
 * Steps count the validator's units of work (nodes visited, fields compared
 * by the overlapping-fields rule, edit-distance cells of suggestions), which
 * gqlparser lets grow quadratically or exponentially on hostile documents. */
#define REGO_GRAPHQL_MAX_DEPTH 256                /* nested selections, values, list types */
#define REGO_GRAPHQL_MAX_INPUT_BYTES (8u << 20)   /* one query or schema text */
#define REGO_GRAPHQL_MAX_STEPS (1u << 22)         /* per schema build, and per validation */
#define REGO_GRAPHQL_MAX_SCRATCH_BYTES (64u << 20) /* validator state, and temporaries per event */

/* JSON Schema (json.verify_schema, json.match_schema; builtins/jsonschema.c).
 * gojsonschema recurses without bound (a schema whose $ref points at itself
 * overflows OPA's stack) and nested anyOf/oneOf over $ref cycles take
 * exponential time.  A schema or document nests at most
 * REGO_JSONSCHEMA_MAX_DEPTH levels (schemas count $ref hops), validation
 * descends at most REGO_JSONSCHEMA_MAX_VALIDATE_DEPTH subschema visits deep,
 * and one call spends at most REGO_JSONSCHEMA_MAX_STEPS units of work
 * (subschema visits and keyword checks count one, 64-byte runs of
 * canonical JSON one, compiled subschemas and reported errors 64 each,
 * which also bounds the memory they take). */
#define REGO_JSONSCHEMA_MAX_DEPTH 1000
#define REGO_JSONSCHEMA_MAX_VALIDATE_DEPTH 2000
#define REGO_JSONSCHEMA_MAX_STEPS (1u << 24)

/* http.send (builtins/http.c).  Off unless the embedder allows hosts; every
 * request is bounded in time (per attempt and for the whole call, retries
 * and redirects included), in response size and in redirects.  The
 * process-wide inter-query cache holds at most REGO_HTTP_CACHE_MAX_ENTRIES
 * responses whose bodies and headers add up to REGO_HTTP_CACHE_MAX_BYTES. */
#define REGO_HTTP_DEFAULT_TIMEOUT_MS 5000      /* OPA's default */
#define REGO_HTTP_MAX_TIMEOUT_MS 60000         /* cap for "timeout" and for one whole call */
#define REGO_HTTP_DEFAULT_MAX_BODY_BYTES (4u << 20)
#define REGO_HTTP_MAX_BODY_BYTES (64u << 20)   /* cap for the "max_body_bytes" setting */
#define REGO_HTTP_MAX_HEADER_BYTES (1u << 20)  /* Go's DefaultMaxHeaderBytes */
#define REGO_HTTP_MAX_REDIRECTS 10             /* Go's http.Client limit */
#define REGO_HTTP_MAX_RETRIES 10               /* cap for "max_retry_attempts" */
#define REGO_HTTP_MAX_REQUEST_BYTES (16u << 20) /* body, raw_body, headers and PEM inputs */
#define REGO_HTTP_CACHE_MAX_ENTRIES 256
#define REGO_HTTP_CACHE_MAX_BYTES (32u << 20)

#endif
