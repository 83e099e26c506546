/*
 * graphql_parse.h — GraphQL documents for the graphql.* builtins: the AST,
 * the parser (executable documents and SDL) and the validator (schema
 * building and query validation), modelled on the Go library gqlparser
 * v2.5.1 as vendored by OPA (internal/gqlparser), whose behaviour, error
 * texts and error positions the builtins reproduce.
 *
 * Ownership: every node, string and list is allocated in the rp_arena the
 * caller passes and lives until that arena is freed; nothing here owns or
 * frees memory.  Strings are NUL-terminated and carry their length; they
 * hold the input's bytes as they are (invalid UTF-8 included), as Go does.
 *
 * Lists are arrays of structs plus a count.  A node "pointer" that Go may
 * leave nil (a value, a type, a default value) is a possibly-NULL pointer.
 * Fields marked "validation" are filled in by gql_validate while it walks
 * a query document, as gqlparser's walker does, and are never read by the
 * parser or by the conversions to Rego values.
 *
 * Bounds: the parser nests at most REGO_GRAPHQL_MAX_DEPTH deep, inputs are
 * at most REGO_GRAPHQL_MAX_INPUT_BYTES, and validation (schema and query)
 * performs at most REGO_GRAPHQL_MAX_STEPS units of work in at most
 * REGO_GRAPHQL_MAX_SCRATCH_BYTES of state; each is an RP_ERR_LIMIT.
 */
#ifndef RAMPART_REGO_GRAPHQL_PARSE_H
#define RAMPART_REGO_GRAPHQL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../base/rp.h"

typedef struct {
    const char *s; /* NUL-terminated; "" for Go's empty string */
    uint32_t n;
} gql_str;

/* A source position (Go's *ast.Position); set == false is a nil pointer. */
typedef struct {
    int32_t line, col;
    bool set;
} gql_pos;

/* ast.ValueKind; other numbers can arrive in AST objects. */
typedef enum {
    GQL_VARIABLE = 0,
    GQL_INT_VALUE,
    GQL_FLOAT_VALUE,
    GQL_STRING_VALUE,
    GQL_BLOCK_VALUE,
    GQL_BOOLEAN_VALUE,
    GQL_NULL_VALUE,
    GQL_ENUM_VALUE,
    GQL_LIST_VALUE,
    GQL_OBJECT_VALUE,
} gql_value_kind;

typedef struct gql_type gql_type;
typedef struct gql_value gql_value;
typedef struct gql_def gql_def;
typedef struct gql_dirdef gql_dirdef;
typedef struct gql_vardef gql_vardef;
typedef struct gql_fragment gql_fragment;
typedef struct gql_fielddef gql_fielddef;

struct gql_type {
    gql_str named;  /* "" for a list type */
    gql_type *elem; /* list element type or NULL */
    bool nonnull;
    gql_pos pos;
};

typedef struct {
    gql_str name;     /* "" for list elements */
    gql_value *value; /* NULL only in decoded AST objects */
    gql_pos pos;
} gql_child;

struct gql_value {
    int64_t kind; /* gql_value_kind, or anything an AST object said */
    gql_str raw;
    gql_child *children;
    uint32_t nchildren;
    gql_pos pos;
    /* validation */
    const gql_def *definition;
    const gql_type *expected;
    gql_vardef *vardef;
};

typedef struct {
    gql_str name;
    gql_value *value;
    gql_pos pos;
} gql_arg;

typedef struct {
    gql_str name;
    gql_arg *args;
    uint32_t nargs;
    gql_str location; /* "Location": always "" from the parser */
    gql_pos pos;
    /* validation */
    const gql_dirdef *definition;
    const char *vloc; /* the location the walker found it at */
} gql_directive;

typedef enum { GQL_SEL_FIELD, GQL_SEL_SPREAD, GQL_SEL_INLINE } gql_sel_kind;

typedef struct gql_selection gql_selection;
struct gql_selection {
    gql_sel_kind kind;
    gql_str alias, name;   /* field: both; spread: name */
    gql_str type_cond;     /* inline fragment */
    gql_arg *args;         /* field */
    uint32_t nargs;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_selection *sels;   /* field, inline fragment */
    uint32_t nsels;
    gql_pos pos;
    /* validation */
    const gql_fielddef *definition; /* field */
    const gql_def *objdef;          /* field, inline fragment, spread */
    gql_fragment *fragment;         /* spread */
};

struct gql_vardef {
    gql_str variable;
    gql_type *type;
    gql_value *defval;
    gql_directive *dirs;
    uint32_t ndirs;
    bool used;
    gql_pos pos;
    /* validation */
    const gql_def *definition;
};

typedef struct {
    gql_str operation; /* "query", "mutation", "subscription" */
    gql_str name;
    gql_vardef *vars;
    uint32_t nvars;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_selection *sels;
    uint32_t nsels;
    gql_pos pos;
} gql_operation;

struct gql_fragment {
    gql_str name;
    gql_vardef *vars;
    uint32_t nvars;
    gql_str type_cond;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_selection *sels;
    uint32_t nsels;
    gql_pos pos;
    /* validation */
    const gql_def *definition;
};

typedef struct {
    gql_operation *ops;
    uint32_t nops;
    gql_fragment *frags;
    uint32_t nfrags;
} gql_query_doc;

/* ---- schema documents ------------------------------------------------------ */

typedef struct {
    gql_str desc, name;
    gql_value *defval;
    gql_type *type;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_pos pos;
} gql_argdef;

struct gql_fielddef {
    gql_str desc, name;
    gql_argdef *args;
    uint32_t nargs;
    gql_value *defval; /* input object fields */
    gql_type *type;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_pos pos;
};

typedef struct {
    gql_str desc, name;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_pos pos;
} gql_enumval;

struct gql_def {
    gql_str kind; /* "SCALAR", "OBJECT", ... (any string in AST objects) */
    gql_str desc, name;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_str *interfaces;
    uint32_t ninterfaces;
    gql_fielddef *fields;
    uint32_t nfields;
    gql_str *types;
    uint32_t ntypes;
    gql_enumval *enumvals;
    uint32_t nenumvals;
    bool builtin;
    gql_pos pos;
};

struct gql_dirdef {
    gql_str desc, name;
    gql_argdef *args;
    uint32_t nargs;
    gql_str *locations;
    uint32_t nlocations;
    bool repeatable;
    gql_pos pos;
};

typedef struct {
    gql_str operation, type;
    gql_pos pos;
} gql_optype;

typedef struct {
    gql_str desc;
    gql_directive *dirs;
    uint32_t ndirs;
    gql_optype *ops;
    uint32_t nops;
    gql_pos pos;
} gql_schemadef;

typedef struct {
    gql_schemadef *schema;
    uint32_t nschema;
    gql_schemadef *schema_ext;
    uint32_t nschema_ext;
    gql_dirdef *directives;
    uint32_t ndirectives;
    gql_def *defs;
    uint32_t ndefs;
    gql_def *exts;
    uint32_t nexts;
} gql_schema_doc;

/* ---- errors ---------------------------------------------------------------- */

/* One error as gqlparser reports it: a message and (usually) a position.
 * code is RP_ERR_SYNTAX for a GraphQL error (OPA's builtin error), or
 * RP_ERR_LIMIT / RP_ERR_NOMEM when one of our bounds stopped the work. */
typedef struct {
    rp_status code;
    bool has_loc;
    int32_t line, col;
    char msg[512];
} gql_error;

rp_status gql_error_set(gql_error *e, rp_status code, gql_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- parsing --------------------------------------------------------------- */

/* Parses an executable document (gqlparser's ParseQuery).  On RP_ERR_SYNTAX
 * err holds the first error and its position, exactly as gqlparser reports
 * it. */
rp_status gql_parse_query(rp_arena *a, const char *src, size_t n, gql_query_doc **out,
                          gql_error *err);
/* Parses an SDL document (ParseSchema); builtin marks every definition and
 * extension BuiltIn, as for the prelude. */
rp_status gql_parse_schema(rp_arena *a, const char *src, size_t n, bool builtin,
                           gql_schema_doc **out, gql_error *err);

/* ---- strings and Go formatting helpers (shared by the graphql files) ------ */

gql_str gql_str_dup(rp_arena *a, const char *s, size_t n);
static inline gql_str gql_lit(const char *s, uint32_t n) { gql_str r = {s, n}; return r; }
#define GQL_LIT(s) gql_lit((s), (uint32_t)(sizeof(s) - 1))
static inline bool gql_eq(gql_str a, gql_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0);
}
bool gql_eq_c(gql_str a, const char *c);
/* Appends s[0..n) as Go's strconv.Quote writes it. */
void gql_go_quote(rp_buf *b, const char *s, size_t n);
/* Decodes one rune the way Go's utf8.DecodeRune does: returns the width
 * (>= 1 when n > 0) and sets *cp, 0xFFFD for an invalid byte. */
size_t gql_decode_rune(const char *s, size_t n, uint32_t *cp);

/* ---- validation ------------------------------------------------------------ */

typedef struct gql_schema gql_schema;

/* An ordered list of validation errors rendered as gqlparser's List.Error()
 * ("input:L:C: msg\n" per error), kept to a bounded length: only its
 * beginning can reach a message. */
typedef struct {
    rp_buf text;
    uint32_t count;
} gql_errlist;

/* Merges the prelude with doc and builds the schema (ValidateSchemaDocument).
 * Neither document is modified.  RP_ERR_SYNTAX with err set when the schema
 * is invalid. */
rp_status gql_build_schema(rp_arena *a, const gql_schema_doc *doc, gql_schema **out,
                           gql_error *err);
/* Validates doc against s with gqlparser's rules (Validate), appending to
 * errs (initialised by the caller, freed with rp_buf_free).  Returns RP_OK
 * whether or not the document is valid (errs->count says), or
 * RP_ERR_LIMIT / RP_ERR_NOMEM with err set.  Fills the validation fields of
 * doc, which then point into s and into a (one synthetic definition); the
 * validator's own state lives in private budgeted arenas freed on return. */
rp_status gql_validate(rp_arena *a, const gql_schema *s, gql_query_doc *doc, gql_errlist *errs,
                       gql_error *err);

#endif
