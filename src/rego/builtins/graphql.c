/*
 * graphql.c — the builtin group "graphql": graphql.is_valid, graphql.parse,
 * graphql.parse_and_verify, graphql.parse_query, graphql.parse_schema and
 * graphql.schema_is_valid, following OPA's topdown/graphql.go over its
 * vendored gqlparser (see graphql_parse.h).
 *
 * Results are gqlparser's AST as OPA returns it: the Go structs marshalled
 * to JSON (Go field names, invalid UTF-8 replaced by U+FFFD), then pruned of
 * "Position", null and empty lists/objects.  AST objects given as arguments
 * are decoded the way Go's encoding/json fills those structs (including
 * gqlparser's custom decoders, which read every selection as a Field), and
 * decoding errors carry Go's messages.  Error messages of parsing and
 * validation are gqlparser's, reshaped as OPA does ("... in GraphQL string
 * at location L:C").
 *
 * Deviations, all on malformed AST objects or hostile inputs:
 *  - the validation-only fields of AST objects ("Definition",
 *    "ObjectDefinition", "Position", ...) are type-checked as Go decodes
 *    them, then dropped instead of being carried into results;
 *  - where gqlparser or OPA crash (a nil pointer in an AST object, a
 *    location-less validation error reshaped by graphql.parse, the endless
 *    overlapping-fields recursion on cyclic fragments) we answer "invalid",
 *    an error without a location, or a limit error;
 *  - the bounds of graphql_parse.h (nesting, size, validation steps and
 *    memory) are eval_cancel errors "graphql.X: GraphQL input exceeds a
 *    limit: ...", even where OPA would eventually answer;
 *  - gqlparser suggests names in Go's map order where distances tie; we use
 *    name order; and an error located at a prelude definition (only reached
 *    by extending a built-in type) names "input" and our prelude's layout.
 * Messages are cut at 199 bytes on a rune boundary (rp_error's room).
 * No global state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../graphql_parse.h"
#include "../limits.h"

/* AST objects nest deeper than the documents they describe: each selection
 * or value level is two or three JSON levels. */
#define GQL_DECODE_MAX_DEPTH (4 * REGO_GRAPHQL_MAX_DEPTH)

/* ---- errors ------------------------------------------------------------------------ */

/* A builtin error.  rego_bi_errorf keeps the first 199 bytes of a message;
 * cut long ones at a rune boundary ourselves so the kept part stays valid
 * UTF-8. */
static rp_status builtin_error(rego_bctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static rp_status builtin_error(rego_bctx *ctx, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t n = strlen(msg);
    if (n > 199) {
        n = 199;
        while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80)
            n--;
    }
    return rego_bi_errorf(ctx, "%.*s", (int)n, msg);
}

static rp_status limit_error(rego_bctx *ctx, const gql_error *e)
{
    if (e->has_loc)
        return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                             "%s: GraphQL input exceeds a limit: %s at location %d:%d", ctx->bi->name,
                             e->msg, e->line, e->col);
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: GraphQL input exceeds a limit: %s", ctx->bi->name, e->msg);
}

/* A failure that is not a GraphQL error: a bound or memory. */
static rp_status hard_error(rego_bctx *ctx, const gql_error *e)
{
    if (e->code == RP_ERR_LIMIT)
        return limit_error(ctx, e);
    if (e->code == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    return builtin_error(ctx, "%s", e->msg);
}

static bool is_hard(const gql_error *e) { return e->code != RP_OK && e->code != RP_ERR_SYNTAX; }

/* parseQuery/parseSchema's message: "<msg> in GraphQL string at location L:C". */
static rp_status parse_error(rego_bctx *ctx, const gql_error *e)
{
    if (is_hard(e))
        return hard_error(ctx, e);
    return builtin_error(ctx, "%s in GraphQL string at location %d:%d", e->msg, e->line, e->col);
}

/* gqlerror.Error.Error(): "input:L:C: msg" */
static void gqlerror_text(char *out, size_t cap, const gql_error *e)
{
    if (e->has_loc)
        snprintf(out, cap, "input:%d:%d: %s", e->line, e->col, e->msg);
    else
        snprintf(out, cap, "input: %s", e->msg);
}

/* validateQuery's reshaping of the error list: split at the first three
 * colons, keep everything after the first location, drop the final ".\n". */
static rp_status validation_error(rego_bctx *ctx, const char *text, size_t n)
{
    const char *part[4] = {text, NULL, NULL, NULL};
    size_t k = 1;
    for (size_t i = 0; i < n && k < 4; i++)
        if (text[i] == ':')
            part[k++] = text + i + 1;
    if (k < 4) /* gqlparser's error had no location; OPA would crash here */
        return builtin_error(ctx, "%.*s in GraphQL query string", (int)n, text);
    const char *msg = part[3], *end = text + n;
    while (msg < end && *msg == ' ')
        msg++;
    if (end - msg >= 2 && end[-2] == '.' && end[-1] == '\n')
        end -= 2;
    return builtin_error(ctx, "%.*s in GraphQL query string at location %.*s:%.*s", (int)(end - msg), msg,
                          (int)(part[2] - part[1] - 1), part[1], (int)(part[3] - part[2] - 1), part[2]);
}

/* ---- AST to Rego values -------------------------------------------------------------- */

typedef struct {
    rp_arena *a;
    bool failed;
} conv;

/* A Go string after a trip through encoding/json: invalid bytes -> U+FFFD. */
static rego_value cv_str(conv *c, gql_str s)
{
    const char *p = s.s ? s.s : "";
    rego_value v;
    if (rp_utf8_valid(p, s.n)) {
        v = rego_str(c->a, p, s.n);
    } else {
        rp_buf b;
        rp_buf_init(&b);
        for (size_t i = 0; i < s.n;) {
            uint32_t r;
            size_t w = gql_decode_rune(p + i, s.n - i, &r);
            if (r == 0xFFFD && w == 1)
                rp_buf_append(&b, "\xEF\xBF\xBD", 3);
            else
                rp_buf_append(&b, p + i, w);
            i += w;
        }
        v = b.failed ? rego_undef() : rego_str(c->a, b.data ? b.data : "", b.len);
        rp_buf_free(&b);
    }
    if (rego_is_undef(v))
        c->failed = true;
    return v;
}

static void put(conv *c, rego_objb *b, const char *key, rego_value v)
{
    if (rego_is_undef(v))
        return; /* pruned: a nil pointer or an empty list */
    if (rego_objb_put(b, rego_str_borrow(key, strlen(key)), v) == REGO_PUT_NOMEM)
        c->failed = true;
}

static rego_value finish(conv *c, rego_objb *b)
{
    rego_value v = rego_objb_finish(b);
    if (rego_is_undef(v))
        c->failed = true;
    return v;
}

/* A list of n elements of size el converted by fn; UNDEF when empty. */
typedef rego_value (*conv_fn)(conv *c, const void *item);

static rego_value cv_list(conv *c, const void *items, uint32_t n, size_t el, conv_fn fn)
{
    if (n == 0)
        return rego_undef();
    rego_value out;
    rego_value *xs = rego_array_alloc(c->a, n, &out);
    if (!xs) {
        c->failed = true;
        return rego_undef();
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        rego_value x = fn(c, (const char *)items + (size_t)i * el);
        if (!rego_is_undef(x))
            xs[k++] = x;
    }
    out.n = k;
    return k ? out : rego_undef();
}

static rego_value cv_strlist_item(conv *c, const void *p) { return cv_str(c, *(const gql_str *)p); }

static rego_value cv_strs(conv *c, const gql_str *s, uint32_t n)
{
    return cv_list(c, s, n, sizeof(*s), cv_strlist_item);
}

static rego_value cv_value(conv *c, const gql_value *v);

static rego_value cv_child(conv *c, const void *p)
{
    const gql_child *ch = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Name", cv_str(c, ch->name));
    if (ch->value)
        put(c, &b, "Value", cv_value(c, ch->value));
    return finish(c, &b);
}

static rego_value cv_value(conv *c, const gql_value *v)
{
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Raw", cv_str(c, v->raw));
    put(c, &b, "Children", cv_list(c, v->children, v->nchildren, sizeof(gql_child), cv_child));
    put(c, &b, "Kind", rego_int(v->kind));
    return finish(c, &b);
}

static rego_value cv_type(conv *c, const gql_type *t)
{
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "NamedType", cv_str(c, t->named));
    if (t->elem)
        put(c, &b, "Elem", cv_type(c, t->elem));
    put(c, &b, "NonNull", rego_bool(t->nonnull));
    return finish(c, &b);
}

static rego_value cv_arg(conv *c, const void *p)
{
    const gql_arg *a = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Name", cv_str(c, a->name));
    if (a->value)
        put(c, &b, "Value", cv_value(c, a->value));
    return finish(c, &b);
}

static rego_value cv_directive(conv *c, const void *p)
{
    const gql_directive *d = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Name", cv_str(c, d->name));
    put(c, &b, "Arguments", cv_list(c, d->args, d->nargs, sizeof(gql_arg), cv_arg));
    put(c, &b, "Location", cv_str(c, d->location));
    return finish(c, &b);
}

#define CV_DIRS(x) cv_list(c, (x)->dirs, (x)->ndirs, sizeof(gql_directive), cv_directive)

static rego_value cv_vardef(conv *c, const void *p)
{
    const gql_vardef *v = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Variable", cv_str(c, v->variable));
    if (v->type)
        put(c, &b, "Type", cv_type(c, v->type));
    if (v->defval)
        put(c, &b, "DefaultValue", cv_value(c, v->defval));
    put(c, &b, "Directives", CV_DIRS(v));
    put(c, &b, "Used", rego_bool(v->used));
    return finish(c, &b);
}

static rego_value cv_selection(conv *c, const void *p)
{
    const gql_selection *s = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    switch (s->kind) {
    case GQL_SEL_FIELD:
        put(c, &b, "Alias", cv_str(c, s->alias));
        put(c, &b, "Name", cv_str(c, s->name));
        put(c, &b, "Arguments", cv_list(c, s->args, s->nargs, sizeof(gql_arg), cv_arg));
        break;
    case GQL_SEL_SPREAD:
        put(c, &b, "Name", cv_str(c, s->name));
        break;
    case GQL_SEL_INLINE:
        put(c, &b, "TypeCondition", cv_str(c, s->type_cond));
        break;
    }
    put(c, &b, "Directives", CV_DIRS(s));
    if (s->kind != GQL_SEL_SPREAD)
        put(c, &b, "SelectionSet", cv_list(c, s->sels, s->nsels, sizeof(gql_selection), cv_selection));
    return finish(c, &b);
}

static rego_value cv_operation(conv *c, const void *p)
{
    const gql_operation *o = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Operation", cv_str(c, o->operation));
    put(c, &b, "Name", cv_str(c, o->name));
    put(c, &b, "VariableDefinitions", cv_list(c, o->vars, o->nvars, sizeof(gql_vardef), cv_vardef));
    put(c, &b, "Directives", CV_DIRS(o));
    put(c, &b, "SelectionSet", cv_list(c, o->sels, o->nsels, sizeof(gql_selection), cv_selection));
    return finish(c, &b);
}

static rego_value cv_fragment(conv *c, const void *p)
{
    const gql_fragment *f = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Name", cv_str(c, f->name));
    put(c, &b, "VariableDefinition", cv_list(c, f->vars, f->nvars, sizeof(gql_vardef), cv_vardef));
    put(c, &b, "TypeCondition", cv_str(c, f->type_cond));
    put(c, &b, "Directives", CV_DIRS(f));
    put(c, &b, "SelectionSet", cv_list(c, f->sels, f->nsels, sizeof(gql_selection), cv_selection));
    return finish(c, &b);
}

static rego_value cv_query_doc(conv *c, const gql_query_doc *d)
{
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Operations", cv_list(c, d->ops, d->nops, sizeof(gql_operation), cv_operation));
    put(c, &b, "Fragments", cv_list(c, d->frags, d->nfrags, sizeof(gql_fragment), cv_fragment));
    return finish(c, &b);
}

static rego_value cv_argdef(conv *c, const void *p)
{
    const gql_argdef *a = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Description", cv_str(c, a->desc));
    put(c, &b, "Name", cv_str(c, a->name));
    if (a->defval)
        put(c, &b, "DefaultValue", cv_value(c, a->defval));
    if (a->type)
        put(c, &b, "Type", cv_type(c, a->type));
    put(c, &b, "Directives", CV_DIRS(a));
    return finish(c, &b);
}

static rego_value cv_fielddef(conv *c, const void *p)
{
    const gql_fielddef *f = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Description", cv_str(c, f->desc));
    put(c, &b, "Name", cv_str(c, f->name));
    put(c, &b, "Arguments", cv_list(c, f->args, f->nargs, sizeof(gql_argdef), cv_argdef));
    if (f->defval)
        put(c, &b, "DefaultValue", cv_value(c, f->defval));
    if (f->type)
        put(c, &b, "Type", cv_type(c, f->type));
    put(c, &b, "Directives", CV_DIRS(f));
    return finish(c, &b);
}

static rego_value cv_enumval(conv *c, const void *p)
{
    const gql_enumval *e = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Description", cv_str(c, e->desc));
    put(c, &b, "Name", cv_str(c, e->name));
    put(c, &b, "Directives", CV_DIRS(e));
    return finish(c, &b);
}

static rego_value cv_def(conv *c, const void *p)
{
    const gql_def *d = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Kind", cv_str(c, d->kind));
    put(c, &b, "Description", cv_str(c, d->desc));
    put(c, &b, "Name", cv_str(c, d->name));
    put(c, &b, "Directives", CV_DIRS(d));
    put(c, &b, "Interfaces", cv_strs(c, d->interfaces, d->ninterfaces));
    put(c, &b, "Fields", cv_list(c, d->fields, d->nfields, sizeof(gql_fielddef), cv_fielddef));
    put(c, &b, "Types", cv_strs(c, d->types, d->ntypes));
    put(c, &b, "EnumValues", cv_list(c, d->enumvals, d->nenumvals, sizeof(gql_enumval), cv_enumval));
    put(c, &b, "BuiltIn", rego_bool(d->builtin));
    return finish(c, &b);
}

static rego_value cv_dirdef(conv *c, const void *p)
{
    const gql_dirdef *d = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Description", cv_str(c, d->desc));
    put(c, &b, "Name", cv_str(c, d->name));
    put(c, &b, "Arguments", cv_list(c, d->args, d->nargs, sizeof(gql_argdef), cv_argdef));
    put(c, &b, "Locations", cv_strs(c, d->locations, d->nlocations));
    put(c, &b, "IsRepeatable", rego_bool(d->repeatable));
    return finish(c, &b);
}

static rego_value cv_optype(conv *c, const void *p)
{
    const gql_optype *o = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Operation", cv_str(c, o->operation));
    put(c, &b, "Type", cv_str(c, o->type));
    return finish(c, &b);
}

static rego_value cv_schemadef(conv *c, const void *p)
{
    const gql_schemadef *s = p;
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Description", cv_str(c, s->desc));
    put(c, &b, "Directives", CV_DIRS(s));
    put(c, &b, "OperationTypes", cv_list(c, s->ops, s->nops, sizeof(gql_optype), cv_optype));
    return finish(c, &b);
}

static rego_value cv_schema_doc(conv *c, const gql_schema_doc *d)
{
    rego_objb b;
    rego_objb_init(&b, c->a);
    put(c, &b, "Schema", cv_list(c, d->schema, d->nschema, sizeof(gql_schemadef), cv_schemadef));
    put(c, &b, "SchemaExtension",
        cv_list(c, d->schema_ext, d->nschema_ext, sizeof(gql_schemadef), cv_schemadef));
    put(c, &b, "Directives", cv_list(c, d->directives, d->ndirectives, sizeof(gql_dirdef), cv_dirdef));
    put(c, &b, "Definitions", cv_list(c, d->defs, d->ndefs, sizeof(gql_def), cv_def));
    put(c, &b, "Extensions", cv_list(c, d->exts, d->nexts, sizeof(gql_def), cv_def));
    return finish(c, &b);
}

/* ---- AST objects to the AST: Go's encoding/json ----------------------------------------
 *
 * OPA marshals the object to JSON and unmarshals it into gqlparser's
 * structs.  Plain structs follow encoding/json: keys match field names
 * case-insensitively, a value of the wrong type is an error remembered
 * while decoding goes on.  OperationDefinition, FragmentDefinition, Field
 * and InlineFragment have custom decoders: exact keys, each decoded by a
 * fresh json.Unmarshal, the first error returned at once; a selection is
 * tried as a Field, then a FragmentSpread, then an InlineFragment, and
 * dropped when all fail.  A returned error takes the context (struct and
 * field path) of the outermost plain decoder it passes through. */

typedef struct {
    char value[64]; /* "string", "number", "number 1.5", "bool", "array", "object" */
    char type[64];  /* the Go type */
    char strct[48];
    char field[192];
    bool set;
} jerr;

typedef struct {
    rp_arena *a;
    const char *strct; /* errorContext.Struct, NULL at the root */
    char path[192];    /* errorContext.FieldStack joined by "." */
    size_t plen;
    jerr saved;        /* the first type error */
    jerr ret;          /* an error returned by a custom decoder: decoding stops */
    bool abort;
    bool nomem, limit;
    unsigned depth;
} jdec;

static void jd_init(jdec *d, rp_arena *a, unsigned depth)
{
    memset(d, 0, sizeof(*d));
    d->a = a;
    d->depth = depth;
}

static bool jd_stop(const jdec *d) { return d->abort || d->nomem || d->limit; }

static const char *json_kind(rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_BOOL: return "bool";
    case REGO_NUMBER: return "number";
    case REGO_STRING: return "string";
    case REGO_ARRAY:
    case REGO_SET: return "array";
    case REGO_OBJECT: return "object";
    case REGO_NULL:
    case REGO_UNDEF: return "null";
    }
    return "null";
}

static void jd_context(const jdec *d, jerr *e)
{
    snprintf(e->strct, sizeof(e->strct), "%s", d->strct ? d->strct : "");
    snprintf(e->field, sizeof(e->field), "%.*s", (int)d->plen, d->path);
}

static void jd_save(jdec *d, const char *value, const char *type)
{
    if (d->saved.set)
        return;
    d->saved.set = true;
    snprintf(d->saved.value, sizeof(d->saved.value), "%s", value);
    snprintf(d->saved.type, sizeof(d->saved.type), "%s", type);
    jd_context(d, &d->saved);
}

/* An error a custom decoder returned: addErrorContext replaces its struct
 * and field with ours when we have a context. */
static void jd_return(jdec *d, const jerr *e)
{
    d->ret = *e;
    if (d->strct || d->plen)
        jd_context(d, &d->ret);
    d->abort = true;
}

static void jerr_text(const jerr *e, char *out, size_t cap)
{
    if (e->strct[0] || e->field[0])
        snprintf(out, cap, "json: cannot unmarshal %s into Go struct field %s.%s of type %s", e->value,
                 e->strct, e->field, e->type);
    else
        snprintf(out, cap, "json: cannot unmarshal %s into Go value of type %s", e->value, e->type);
}

typedef struct {
    const char *strct;
    size_t plen;
} jctx;

static jctx jd_enter(jdec *d, const char *strct, const char *field)
{
    jctx saved = {d->strct, d->plen};
    size_t fl = strlen(field);
    if (d->plen + fl + 1 < sizeof(d->path)) {
        if (d->plen)
            d->path[d->plen++] = '.';
        memcpy(d->path + d->plen, field, fl);
        d->plen += fl;
    }
    d->strct = strct;
    return saved;
}

static void jd_leave(jdec *d, jctx c)
{
    d->strct = c.strct;
    d->plen = c.plen;
}

static bool jd_deeper(jdec *d)
{
    if (++d->depth > GQL_DECODE_MAX_DEPTH) {
        d->limit = true;
        return false;
    }
    return true;
}

/* Strings come out of Go's json.Marshal valid: invalid bytes are U+FFFD. */
static bool jd_str(jdec *d, rego_value v, gql_str *out, const char *type)
{
    if (v.kind == REGO_NULL)
        return true;
    if (v.kind != REGO_STRING) {
        jd_save(d, json_kind(v), type);
        return true;
    }
    conv c = {d->a, false};
    rego_value s = cv_str(&c, gql_lit(v.u.s, v.n));
    if (c.failed) {
        d->nomem = true;
        return false;
    }
    out->s = s.u.s;
    out->n = s.n;
    return true;
}

static void jd_bool(jdec *d, rego_value v, bool *out)
{
    if (v.kind == REGO_BOOL)
        *out = v.u.b;
    else if (v.kind != REGO_NULL)
        jd_save(d, json_kind(v), "bool");
}

/* A Go int: a number written as an integer that fits 64 bits. */
static void jd_int(jdec *d, rego_value v, int64_t *out, const char *type)
{
    if (v.kind == REGO_NULL)
        return;
    if (v.kind != REGO_NUMBER) {
        jd_save(d, json_kind(v), type);
        return;
    }
    if (v.sub == REGO_NUM_INT) {
        *out = v.u.i;
        return;
    }
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "number ");
    rego_num_write(&b, v);
    jd_save(d, rp_buf_cstr(&b), type);
    rp_buf_free(&b);
}

static void jd_kind(jdec *d, rego_value v, int64_t *out) { jd_int(d, v, out, "ast.ValueKind"); }

/* encoding/json's field matching: the exact name, else case-insensitively. */
static int jd_field(const char *const *names, int n, rego_value key)
{
    if (key.kind != REGO_STRING)
        return -1;
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == key.n && memcmp(names[i], key.u.s, key.n) == 0)
            return i;
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == key.n && strncasecmp(names[i], key.u.s, key.n) == 0)
            return i;
    return -1;
}

/* An array (a set serialises as one) of structs of size el; fn decodes
 * one element.  null leaves the list empty. */
typedef void (*jd_elem_fn)(jdec *d, rego_value v, void *out);

static void jd_list(jdec *d, rego_value v, void **items, uint32_t *n, size_t el, jd_elem_fn fn,
                    const char *list_type)
{
    if (v.kind == REGO_NULL)
        return;
    if (v.kind != REGO_ARRAY && v.kind != REGO_SET) {
        jd_save(d, json_kind(v), list_type);
        return;
    }
    void *xs = v.n ? rp_arena_array(d->a, v.n, el) : NULL;
    if (v.n && !xs) {
        d->nomem = true;
        return;
    }
    if (v.n)
        memset(xs, 0, (size_t)v.n * el);
    for (uint32_t i = 0; i < v.n && !jd_stop(d); i++)
        fn(d, v.kind == REGO_ARRAY ? v.u.items[i] : rego_set_at(v, i), (char *)xs + (size_t)i * el);
    *items = xs;
    *n = v.n;
}

static void jd_str_elem(jdec *d, rego_value v, void *out) { jd_str(d, v, out, "string"); }
static void jd_loc_elem(jdec *d, rego_value v, void *out) { jd_str(d, v, out, "ast.DirectiveLocation"); }

/* Iterates the entries of an object for a plain struct decoder; returns
 * false (after recording the error) when v is not an object. */
static bool jd_object(jdec *d, rego_value v, const char *type)
{
    if (v.kind == REGO_OBJECT)
        return true;
    if (v.kind != REGO_NULL)
        jd_save(d, json_kind(v), type);
    return false;
}

static void jd_position(jdec *d, rego_value v);

/* The fields of a plain struct: each known key (Position is checked and
 * dropped for every struct) runs body with f_ its index in names and x_
 * its value, inside the field's error context. */
#define JD_FIELDS(v, names, body)                                                        \
    for (uint32_t i_ = 0; i_ < (v).n && !jd_stop(d); i_++) {                             \
        rego_objent e_ = rego_object_at((v), i_);                                        \
        int f_ = jd_field((names), (int)RP_ARRAY_LEN(names), e_.key);                    \
        if (f_ < 0)                                                                      \
            continue;                                                                    \
        jctx c_ = jd_enter(d, strct_, (names)[f_]);                                      \
        rego_value x_ = e_.val;                                                          \
        if (!strcmp((names)[f_], "Position"))                                           \
            jd_position(d, x_);                                                          \
        else                                                                             \
            body;                                                                        \
        jd_leave(d, c_);                                                                 \
    }

/* Validation-only fields of AST objects (*Definition, *FieldDefinition,
 * ...): decoded for Go's type errors, then dropped. */
static void jd_def(jdec *d, rego_value v, void *out);
static void jd_dirdef(jdec *d, rego_value v, void *out);
static void jd_fielddef(jdec *d, rego_value v, void *out);
static void jd_vardef(jdec *d, rego_value v, void *out);

static void jd_ignore_def(jdec *d, rego_value v)
{
    gql_def tmp;
    memset(&tmp, 0, sizeof(tmp));
    jd_def(d, v, &tmp);
}

static void jd_ignore_dirdef(jdec *d, rego_value v)
{
    gql_dirdef tmp;
    memset(&tmp, 0, sizeof(tmp));
    jd_dirdef(d, v, &tmp);
}

static void jd_ignore_vardef(jdec *d, rego_value v)
{
    gql_vardef tmp;
    memset(&tmp, 0, sizeof(tmp));
    jd_vardef(d, v, &tmp);
}

static gql_value *jd_value(jdec *d, rego_value v);

static void jd_source(jdec *d, rego_value v)
{
    static const char *const names[] = {"Name", "Input", "BuiltIn"};
    const char *strct_ = "Source";
    gql_str ignored;
    bool b;
    if (!jd_object(d, v, "ast.Source"))
        return;
    JD_FIELDS(v, names, {
        if (f_ < 2)
            jd_str(d, x_, &ignored, "string");
        else
            jd_bool(d, x_, &b);
    });
}

/* Positions in AST objects are checked as Go decodes them, then ignored:
 * results never carry them, and errors at them would crash gqlparser. */
static void jd_position(jdec *d, rego_value v)
{
    static const char *const names[] = {"Start", "End", "Line", "Column", "Src"};
    const char *strct_ = "Position";
    int64_t ignored;
    if (!jd_object(d, v, "ast.Position"))
        return;
    JD_FIELDS(v, names, {
        if (f_ < 4)
            jd_int(d, x_, &ignored, "int");
        else
            jd_source(d, x_);
    });
}

static gql_type *jd_type(jdec *d, rego_value v)
{
    static const char *const names[] = {"NamedType", "Elem", "NonNull", "Position"};
    const char *strct_ = "Type";
    if (!jd_object(d, v, "ast.Type") || !jd_deeper(d))
        return NULL;
    gql_type *t = rp_arena_zalloc(d->a, sizeof(*t));
    if (!t) {
        d->nomem = true;
        return NULL;
    }
    t->named = GQL_LIT("");
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &t->named, "string"); break;
        case 1: t->elem = jd_type(d, x_); break;
        case 2: jd_bool(d, x_, &t->nonnull); break;
        default: break;
        }
    });
    d->depth--;
    return t;
}

static void jd_child(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Name", "Value", "Position"};
    const char *strct_ = "ChildValue";
    gql_child *c = out;
    c->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.ChildValue"))
        return;
    JD_FIELDS(v, names, {
        if (f_ == 0)
            jd_str(d, x_, &c->name, "string");
        else if (f_ == 1)
            c->value = jd_value(d, x_);
    });
}

static gql_value *jd_value(jdec *d, rego_value v)
{
    static const char *const names[] = {"Raw", "Children", "Kind", "Position", "Definition",
                                        "VariableDefinition", "ExpectedType"};
    const char *strct_ = "Value";
    if (!jd_object(d, v, "ast.Value") || !jd_deeper(d))
        return NULL;
    gql_value *x = rp_arena_zalloc(d->a, sizeof(*x));
    if (!x) {
        d->nomem = true;
        return NULL;
    }
    x->raw = GQL_LIT("");
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &x->raw, "string"); break;
        case 1:
            jd_list(d, x_, (void **)&x->children, &x->nchildren, sizeof(gql_child), jd_child,
                    "ast.ChildValueList");
            break;
        case 2: jd_kind(d, x_, &x->kind); break;
        case 4: jd_ignore_def(d, x_); break;
        case 5: jd_ignore_vardef(d, x_); break;
        case 6: jd_type(d, x_); break;
        default: break;
        }
    });
    d->depth--;
    return x;
}

static void jd_arg(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Name", "Value", "Position"};
    const char *strct_ = "Argument";
    gql_arg *a = out;
    a->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.Argument"))
        return;
    JD_FIELDS(v, names, {
        if (f_ == 0)
            jd_str(d, x_, &a->name, "string");
        else if (f_ == 1)
            a->value = jd_value(d, x_);
    });
}

static void jd_directive(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Name", "Arguments", "Position", "ParentDefinition", "Definition",
                                        "Location"};
    const char *strct_ = "Directive";
    gql_directive *x = out;
    x->name = x->location = GQL_LIT("");
    if (!jd_object(d, v, "ast.Directive"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &x->name, "string"); break;
        case 1: jd_list(d, x_, (void **)&x->args, &x->nargs, sizeof(gql_arg), jd_arg, "ast.ArgumentList"); break;
        case 3: jd_ignore_def(d, x_); break;
        case 4: jd_ignore_dirdef(d, x_); break;
        case 5: jd_str(d, x_, &x->location, "ast.DirectiveLocation"); break;
        default: break;
        }
    });
}

#define JD_DIRS(x_, o) \
    jd_list(d, x_, (void **)&(o)->dirs, &(o)->ndirs, sizeof(gql_directive), jd_directive, "ast.DirectiveList")

static void jd_vardef(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Variable", "Type", "DefaultValue", "Directives", "Position",
                                        "Definition", "Used"};
    const char *strct_ = "VariableDefinition";
    gql_vardef *x = out;
    x->variable = GQL_LIT("");
    if (!jd_object(d, v, "ast.VariableDefinition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &x->variable, "string"); break;
        case 1: x->type = jd_type(d, x_); break;
        case 2: x->defval = jd_value(d, x_); break;
        case 3: JD_DIRS(x_, x); break;
        case 5: jd_ignore_def(d, x_); break;
        case 6: jd_bool(d, x_, &x->used); break;
        default: break;
        }
    });
}

/* ---- custom decoders --------------------------------------------------------------------- */

/* One field of a custom decoder: a fresh json.Unmarshal of the value. */
typedef void (*jd_field_fn)(jdec *d, rego_value v, void *out);

static bool jd_fresh(jdec *d, rego_value v, void *out, jd_field_fn fn, jerr *err)
{
    jdec sub;
    jd_init(&sub, d->a, d->depth);
    fn(&sub, v, out);
    if (sub.nomem || sub.limit) {
        d->nomem |= sub.nomem;
        d->limit |= sub.limit;
        return false;
    }
    if (sub.abort || sub.saved.set) {
        *err = sub.abort ? sub.ret : sub.saved;
        return false;
    }
    return true;
}

/* json.Unmarshal into map[string]json.RawMessage */
static bool jd_custom_object(rego_value v, jerr *err)
{
    if (v.kind == REGO_OBJECT || v.kind == REGO_NULL)
        return true;
    memset(err, 0, sizeof(*err));
    err->set = true;
    snprintf(err->value, sizeof(err->value), "%s", json_kind(v));
    snprintf(err->type, sizeof(err->type), "map[string]json.RawMessage");
    return false;
}

static void f_string(jdec *d, rego_value v, void *out) { jd_str(d, v, out, "string"); }
static void f_operation_kind(jdec *d, rego_value v, void *out) { jd_str(d, v, out, "ast.Operation"); }

typedef struct {
    gql_vardef **items;
    uint32_t *n;
} vars_out;

static void f_vardefs(jdec *d, rego_value v, void *out)
{
    vars_out *o = out;
    jd_list(d, v, (void **)o->items, o->n, sizeof(gql_vardef), jd_vardef, "ast.VariableDefinitionList");
}

typedef struct {
    gql_directive **items;
    uint32_t *n;
} dirs_out;

static void f_dirs(jdec *d, rego_value v, void *out)
{
    dirs_out *o = out;
    jd_list(d, v, (void **)o->items, o->n, sizeof(gql_directive), jd_directive, "ast.DirectiveList");
}

typedef struct {
    gql_arg **items;
    uint32_t *n;
} args_out;

static void f_args(jdec *d, rego_value v, void *out)
{
    args_out *o = out;
    jd_list(d, v, (void **)o->items, o->n, sizeof(gql_arg), jd_arg, "ast.ArgumentList");
}

typedef struct {
    gql_selection **items;
    uint32_t *n;
} sels_out;

static bool c_field(jdec *d, rego_value v, gql_selection *s, jerr *err);
static bool c_inline(jdec *d, rego_value v, gql_selection *s, jerr *err);
static bool c_fragment(jdec *d, rego_value v, gql_fragment *f, jerr *err);

/* json.Unmarshal of one validation-only field of a custom decoder */
static void f_position(jdec *d, rego_value v, void *out)
{
    (void)out;
    jd_position(d, v);
}

static void f_def(jdec *d, rego_value v, void *out)
{
    (void)out;
    jd_ignore_def(d, v);
}

static void f_fielddef(jdec *d, rego_value v, void *out)
{
    gql_fielddef tmp;
    (void)out;
    memset(&tmp, 0, sizeof(tmp));
    jd_fielddef(d, v, &tmp);
}

static void jd_spread(jdec *d, rego_value v, gql_selection *s)
{
    static const char *const names[] = {"Name", "Directives", "ObjectDefinition", "Definition", "Position"};
    const char *strct_ = "FragmentSpread";
    s->kind = GQL_SEL_SPREAD;
    s->alias = s->name = s->type_cond = GQL_LIT("");
    if (!jd_object(d, v, "ast.FragmentSpread"))
        return;
    JD_FIELDS(v, names, {
        if (f_ == 0) {
            jd_str(d, x_, &s->name, "string");
        } else if (f_ == 1) {
            JD_DIRS(x_, s);
        } else if (f_ == 2) {
            jd_ignore_def(d, x_);
        } else if (f_ == 3) {
            gql_fragment tmp;
            jerr e;
            memset(&tmp, 0, sizeof(tmp));
            if (!c_fragment(d, x_, &tmp, &e) && !jd_stop(d))
                jd_return(d, &e);
        }
    });
}

/* UnmarshalSelectionSet: each item as a Field, else a FragmentSpread, else
 * an InlineFragment, else dropped. */
static void f_selections(jdec *d, rego_value v, void *out)
{
    sels_out *o = out;
    if (v.kind == REGO_NULL)
        return;
    if (v.kind != REGO_ARRAY && v.kind != REGO_SET) {
        jd_save(d, json_kind(v), "[]json.RawMessage");
        return;
    }
    gql_selection *xs = v.n ? rp_arena_array(d->a, v.n, sizeof(*xs)) : NULL;
    if (v.n && !xs) {
        d->nomem = true;
        return;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < v.n && !jd_stop(d); i++) {
        rego_value item = v.kind == REGO_ARRAY ? v.u.items[i] : rego_set_at(v, i);
        gql_selection *s = &xs[k];
        jerr e;
        memset(s, 0, sizeof(*s));
        if (c_field(d, item, s, &e)) {
            k++;
            continue;
        }
        if (jd_stop(d))
            return;
        jdec sub;
        jd_init(&sub, d->a, d->depth);
        memset(s, 0, sizeof(*s));
        jd_spread(&sub, item, s);
        d->nomem |= sub.nomem;
        d->limit |= sub.limit;
        if (!jd_stop(&sub) && !sub.saved.set) {
            k++;
            continue;
        }
        memset(s, 0, sizeof(*s));
        if (c_inline(d, item, s, &e))
            k++;
    }
    *o->items = xs;
    *o->n = k;
}

/* One key of a custom decoder: decodes the value of key k into obj (by a
 * fresh json.Unmarshal, jd_fresh) and returns false with *err set when it
 * fails.  Unknown keys are ignored (true). */
typedef bool (*c_key_fn)(jdec *d, gql_str k, rego_value val, void *obj, jerr *err);

/* gqlparser's custom UnmarshalJSON, shared by Field, InlineFragment,
 * OperationDefinition and FragmentDefinition: v must be an object (or
 * null, which decodes to nothing); each key with a string name goes to key
 * in the object's order, and the first error is returned at once.
 * Selections nest inside selections, so nested ones count a level. */
static bool c_object(jdec *d, rego_value v, bool nested, c_key_fn key, void *obj, jerr *err)
{
    unsigned depth0 = d->depth;
    if (!jd_custom_object(v, err))
        return false;
    if (nested && !jd_deeper(d))
        return false;
    for (uint32_t i = 0; v.kind == REGO_OBJECT && i < v.n; i++) {
        rego_objent e = rego_object_at(v, i);
        if (e.key.kind != REGO_STRING)
            continue;
        if (!key(d, gql_lit(e.key.u.s, e.key.n), e.val, obj, err)) {
            d->depth = depth0;
            return false;
        }
    }
    d->depth = depth0;
    return true;
}

/* The list-valued keys.  jd_fresh decodes through one pointer, so a list
 * and its count travel together in a *_out struct. */
static bool c_vars(jdec *d, rego_value val, gql_vardef **items, uint32_t *n, jerr *err)
{
    vars_out o = {items, n};
    return jd_fresh(d, val, &o, f_vardefs, err);
}

static bool c_dirs(jdec *d, rego_value val, gql_directive **items, uint32_t *n, jerr *err)
{
    dirs_out o = {items, n};
    return jd_fresh(d, val, &o, f_dirs, err);
}

static bool c_args(jdec *d, rego_value val, gql_arg **items, uint32_t *n, jerr *err)
{
    args_out o = {items, n};
    return jd_fresh(d, val, &o, f_args, err);
}

static bool c_sels(jdec *d, rego_value val, gql_selection **items, uint32_t *n, jerr *err)
{
    sels_out o = {items, n};
    return jd_fresh(d, val, &o, f_selections, err);
}

static bool c_field_key(jdec *d, gql_str k, rego_value val, void *obj, jerr *err)
{
    gql_selection *s = obj;
    if (gql_eq_c(k, "Alias"))
        return jd_fresh(d, val, &s->alias, f_string, err);
    if (gql_eq_c(k, "Name"))
        return jd_fresh(d, val, &s->name, f_string, err);
    if (gql_eq_c(k, "Arguments"))
        return c_args(d, val, &s->args, &s->nargs, err);
    if (gql_eq_c(k, "Directives"))
        return c_dirs(d, val, &s->dirs, &s->ndirs, err);
    if (gql_eq_c(k, "SelectionSet"))
        return c_sels(d, val, &s->sels, &s->nsels, err);
    if (gql_eq_c(k, "Position"))
        return jd_fresh(d, val, NULL, f_position, err);
    if (gql_eq_c(k, "Definition"))
        return jd_fresh(d, val, NULL, f_fielddef, err);
    if (gql_eq_c(k, "ObjectDefinition"))
        return jd_fresh(d, val, NULL, f_def, err);
    return true;
}

static bool c_field(jdec *d, rego_value v, gql_selection *s, jerr *err)
{
    s->kind = GQL_SEL_FIELD;
    s->alias = s->name = s->type_cond = GQL_LIT("");
    return c_object(d, v, true, c_field_key, s, err);
}

static bool c_inline_key(jdec *d, gql_str k, rego_value val, void *obj, jerr *err)
{
    gql_selection *s = obj;
    if (gql_eq_c(k, "TypeCondition"))
        return jd_fresh(d, val, &s->type_cond, f_string, err);
    if (gql_eq_c(k, "Directives"))
        return c_dirs(d, val, &s->dirs, &s->ndirs, err);
    if (gql_eq_c(k, "SelectionSet"))
        return c_sels(d, val, &s->sels, &s->nsels, err);
    if (gql_eq_c(k, "Position"))
        return jd_fresh(d, val, NULL, f_position, err);
    if (gql_eq_c(k, "ObjectDefinition"))
        return jd_fresh(d, val, NULL, f_def, err);
    return true;
}

static bool c_inline(jdec *d, rego_value v, gql_selection *s, jerr *err)
{
    s->kind = GQL_SEL_INLINE;
    s->alias = s->name = s->type_cond = GQL_LIT("");
    return c_object(d, v, true, c_inline_key, s, err);
}

static bool c_operation_key(jdec *d, gql_str k, rego_value val, void *obj, jerr *err)
{
    gql_operation *op = obj;
    if (gql_eq_c(k, "Operation"))
        return jd_fresh(d, val, &op->operation, f_operation_kind, err);
    if (gql_eq_c(k, "Name"))
        return jd_fresh(d, val, &op->name, f_string, err);
    if (gql_eq_c(k, "VariableDefinitions"))
        return c_vars(d, val, &op->vars, &op->nvars, err);
    if (gql_eq_c(k, "Directives"))
        return c_dirs(d, val, &op->dirs, &op->ndirs, err);
    if (gql_eq_c(k, "SelectionSet"))
        return c_sels(d, val, &op->sels, &op->nsels, err);
    if (gql_eq_c(k, "Position"))
        return jd_fresh(d, val, NULL, f_position, err);
    return true;
}

static bool c_operation(jdec *d, rego_value v, gql_operation *op, jerr *err)
{
    op->operation = op->name = GQL_LIT("");
    return c_object(d, v, false, c_operation_key, op, err);
}

static bool c_fragment_key(jdec *d, gql_str k, rego_value val, void *obj, jerr *err)
{
    gql_fragment *f = obj;
    if (gql_eq_c(k, "Name"))
        return jd_fresh(d, val, &f->name, f_string, err);
    if (gql_eq_c(k, "VariableDefinition"))
        return c_vars(d, val, &f->vars, &f->nvars, err);
    if (gql_eq_c(k, "TypeCondition"))
        return jd_fresh(d, val, &f->type_cond, f_string, err);
    if (gql_eq_c(k, "Directives"))
        return c_dirs(d, val, &f->dirs, &f->ndirs, err);
    if (gql_eq_c(k, "SelectionSet"))
        return c_sels(d, val, &f->sels, &f->nsels, err);
    if (gql_eq_c(k, "Definition"))
        return jd_fresh(d, val, NULL, f_def, err);
    if (gql_eq_c(k, "Position"))
        return jd_fresh(d, val, NULL, f_position, err);
    return true;
}

static bool c_fragment(jdec *d, rego_value v, gql_fragment *f, jerr *err)
{
    f->name = f->type_cond = GQL_LIT("");
    return c_object(d, v, false, c_fragment_key, f, err);
}

static void jd_operation_elem(jdec *d, rego_value v, void *out)
{
    jerr e;
    if (!c_operation(d, v, out, &e) && !jd_stop(d))
        jd_return(d, &e);
}

static void jd_fragment_elem(jdec *d, rego_value v, void *out)
{
    jerr e;
    if (!c_fragment(d, v, out, &e) && !jd_stop(d))
        jd_return(d, &e);
}

static void jd_query_doc(jdec *d, rego_value v, gql_query_doc *doc)
{
    static const char *const names[] = {"Operations", "Fragments", "Position"};
    const char *strct_ = "QueryDocument";
    if (!jd_object(d, v, "ast.QueryDocument"))
        return;
    JD_FIELDS(v, names, {
        if (f_ == 0)
            jd_list(d, x_, (void **)&doc->ops, &doc->nops, sizeof(gql_operation), jd_operation_elem,
                    "ast.OperationList");
        else if (f_ == 1)
            jd_list(d, x_, (void **)&doc->frags, &doc->nfrags, sizeof(gql_fragment), jd_fragment_elem,
                    "ast.FragmentDefinitionList");
    });
}

/* ---- schema documents (plain structs throughout) ------------------------------------------ */

static void jd_argdef(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Description", "Name", "DefaultValue", "Type", "Directives", "Position"};
    const char *strct_ = "ArgumentDefinition";
    gql_argdef *a = out;
    a->desc = a->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.ArgumentDefinition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &a->desc, "string"); break;
        case 1: jd_str(d, x_, &a->name, "string"); break;
        case 2: a->defval = jd_value(d, x_); break;
        case 3: a->type = jd_type(d, x_); break;
        case 4: JD_DIRS(x_, a); break;
        default: break;
        }
    });
}

static void jd_fielddef(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Description", "Name", "Arguments", "DefaultValue", "Type",
                                        "Directives", "Position"};
    const char *strct_ = "FieldDefinition";
    gql_fielddef *f = out;
    f->desc = f->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.FieldDefinition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &f->desc, "string"); break;
        case 1: jd_str(d, x_, &f->name, "string"); break;
        case 2:
            jd_list(d, x_, (void **)&f->args, &f->nargs, sizeof(gql_argdef), jd_argdef,
                    "ast.ArgumentDefinitionList");
            break;
        case 3: f->defval = jd_value(d, x_); break;
        case 4: f->type = jd_type(d, x_); break;
        case 5: JD_DIRS(x_, f); break;
        default: break;
        }
    });
}

static void jd_enumval(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Description", "Name", "Directives", "Position"};
    const char *strct_ = "EnumValueDefinition";
    gql_enumval *e = out;
    e->desc = e->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.EnumValueDefinition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &e->desc, "string"); break;
        case 1: jd_str(d, x_, &e->name, "string"); break;
        case 2: JD_DIRS(x_, e); break;
        default: break;
        }
    });
}

static void jd_def(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Kind", "Description", "Name", "Directives", "Interfaces", "Fields",
                                        "Types", "EnumValues", "Position", "BuiltIn"};
    const char *strct_ = "Definition";
    gql_def *x = out;
    x->kind = x->desc = x->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.Definition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &x->kind, "ast.DefinitionKind"); break;
        case 1: jd_str(d, x_, &x->desc, "string"); break;
        case 2: jd_str(d, x_, &x->name, "string"); break;
        case 3: JD_DIRS(x_, x); break;
        case 4:
            jd_list(d, x_, (void **)&x->interfaces, &x->ninterfaces, sizeof(gql_str), jd_str_elem, "[]string");
            break;
        case 5:
            jd_list(d, x_, (void **)&x->fields, &x->nfields, sizeof(gql_fielddef), jd_fielddef, "ast.FieldList");
            break;
        case 6: jd_list(d, x_, (void **)&x->types, &x->ntypes, sizeof(gql_str), jd_str_elem, "[]string"); break;
        case 7:
            jd_list(d, x_, (void **)&x->enumvals, &x->nenumvals, sizeof(gql_enumval), jd_enumval,
                    "ast.EnumValueList");
            break;
        case 9: jd_bool(d, x_, &x->builtin); break;
        default: break;
        }
    });
}

static void jd_dirdef(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Description", "Name", "Arguments", "Locations", "IsRepeatable",
                                        "Position"};
    const char *strct_ = "DirectiveDefinition";
    gql_dirdef *x = out;
    x->desc = x->name = GQL_LIT("");
    if (!jd_object(d, v, "ast.DirectiveDefinition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &x->desc, "string"); break;
        case 1: jd_str(d, x_, &x->name, "string"); break;
        case 2:
            jd_list(d, x_, (void **)&x->args, &x->nargs, sizeof(gql_argdef), jd_argdef,
                    "ast.ArgumentDefinitionList");
            break;
        case 3:
            jd_list(d, x_, (void **)&x->locations, &x->nlocations, sizeof(gql_str), jd_loc_elem,
                    "[]ast.DirectiveLocation");
            break;
        case 4: jd_bool(d, x_, &x->repeatable); break;
        default: break;
        }
    });
}

static void jd_optype(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Operation", "Type", "Position"};
    const char *strct_ = "OperationTypeDefinition";
    gql_optype *o = out;
    o->operation = o->type = GQL_LIT("");
    if (!jd_object(d, v, "ast.OperationTypeDefinition"))
        return;
    JD_FIELDS(v, names, {
        if (f_ == 0)
            jd_str(d, x_, &o->operation, "ast.Operation");
        else if (f_ == 1)
            jd_str(d, x_, &o->type, "string");
    });
}

static void jd_schemadef(jdec *d, rego_value v, void *out)
{
    static const char *const names[] = {"Description", "Directives", "OperationTypes", "Position"};
    const char *strct_ = "SchemaDefinition";
    gql_schemadef *s = out;
    s->desc = GQL_LIT("");
    if (!jd_object(d, v, "ast.SchemaDefinition"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0: jd_str(d, x_, &s->desc, "string"); break;
        case 1: JD_DIRS(x_, s); break;
        case 2:
            jd_list(d, x_, (void **)&s->ops, &s->nops, sizeof(gql_optype), jd_optype,
                    "ast.OperationTypeDefinitionList");
            break;
        default: break;
        }
    });
}

static void jd_schema_doc(jdec *d, rego_value v, gql_schema_doc *doc)
{
    static const char *const names[] = {"Schema", "SchemaExtension", "Directives", "Definitions",
                                        "Extensions", "Position"};
    const char *strct_ = "SchemaDocument";
    if (!jd_object(d, v, "ast.SchemaDocument"))
        return;
    JD_FIELDS(v, names, {
        switch (f_) {
        case 0:
            jd_list(d, x_, (void **)&doc->schema, &doc->nschema, sizeof(gql_schemadef), jd_schemadef,
                    "ast.SchemaDefinitionList");
            break;
        case 1:
            jd_list(d, x_, (void **)&doc->schema_ext, &doc->nschema_ext, sizeof(gql_schemadef), jd_schemadef,
                    "ast.SchemaDefinitionList");
            break;
        case 2:
            jd_list(d, x_, (void **)&doc->directives, &doc->ndirectives, sizeof(gql_dirdef), jd_dirdef,
                    "ast.DirectiveDefinitionList");
            break;
        case 3:
            jd_list(d, x_, (void **)&doc->defs, &doc->ndefs, sizeof(gql_def), jd_def, "ast.DefinitionList");
            break;
        case 4:
            jd_list(d, x_, (void **)&doc->exts, &doc->nexts, sizeof(gql_def), jd_def, "ast.DefinitionList");
            break;
        default: break;
        }
    });
}

/* Finishes a decode: RP_OK, RP_ERR_SYNTAX with Go's message in e->msg, or a
 * hard error. */
static rp_status decode_result(const jdec *d, gql_error *e)
{
    gql_pos none = {0, 0, false};
    if (d->nomem)
        return gql_error_set(e, RP_ERR_NOMEM, none, "out of memory");
    if (d->limit)
        return gql_error_set(e, RP_ERR_LIMIT, none, "AST object nests deeper than %d", GQL_DECODE_MAX_DEPTH);
    if (d->abort || d->saved.set) {
        char msg[sizeof(e->msg)];
        jerr_text(d->abort ? &d->ret : &d->saved, msg, sizeof(msg));
        return gql_error_set(e, RP_ERR_SYNTAX, none, "%s", msg);
    }
    return RP_OK;
}

/* ---- documents from arguments -------------------------------------------------------------- */

typedef struct {
    gql_query_doc *qdoc;
    gql_schema_doc *sdoc;
    gql_error err;
    bool from_text; /* parse error (located) vs decoding error */
} docarg;

static rp_status get_query(rego_bctx *ctx, rego_value v, docarg *out)
{
    memset(out, 0, sizeof(*out));
    if (v.kind == REGO_STRING) {
        out->from_text = true;
        return gql_parse_query(ctx->arena, v.u.s, v.n, &out->qdoc, &out->err);
    }
    jdec d;
    jd_init(&d, ctx->arena, 0);
    out->qdoc = rp_arena_zalloc(ctx->arena, sizeof(*out->qdoc));
    if (!out->qdoc)
        d.nomem = true;
    else
        jd_query_doc(&d, v, out->qdoc);
    return decode_result(&d, &out->err);
}

static rp_status get_schema(rego_bctx *ctx, rego_value v, docarg *out)
{
    memset(out, 0, sizeof(*out));
    if (v.kind == REGO_STRING) {
        out->from_text = true;
        return gql_parse_schema(ctx->arena, v.u.s, v.n, false, &out->sdoc, &out->err);
    }
    jdec d;
    jd_init(&d, ctx->arena, 0);
    out->sdoc = rp_arena_zalloc(ctx->arena, sizeof(*out->sdoc));
    if (!out->sdoc)
        d.nomem = true;
    else
        jd_schema_doc(&d, v, out->sdoc);
    return decode_result(&d, &out->err);
}

/* The error OPA reports for a document that did not parse or decode. */
static rp_status doc_error(rego_bctx *ctx, const docarg *d)
{
    if (d->from_text || is_hard(&d->err))
        return parse_error(ctx, &d->err);
    return builtin_error(ctx, "%s", d->err.msg);
}

static bool doc_kind_ok(rego_value v) { return v.kind == REGO_STRING || v.kind == REGO_OBJECT; }

/* ---- the builtins ---------------------------------------------------------------------------- */

typedef struct {
    docarg q, s;
    rego_value qv, sv;
    gql_schema *schema;
    gql_error verr;
    gql_errlist errs;
} checked;

/* The steps shared by graphql.parse, parse_and_verify and is_valid, in
 * OPA's order: query, schema, conversion to values, schema building,
 * validation.  Returns RP_OK with *stage telling how far it got: 0 query
 * failed, 1 schema failed, 2 schema invalid, 3 query invalid, 4 valid.
 * Other statuses are hard errors already reported. */
static rp_status check_documents(rego_bctx *ctx, const rego_value *args, bool want_values, checked *c,
                                 int *stage)
{
    memset(c, 0, sizeof(*c));
    rp_buf_init(&c->errs.text);
    *stage = 0;
    if (!doc_kind_ok(args[0]))
        return want_values ? rego_bi_type_error(ctx, 1, args[0], "one of {string, object}") : RP_OK;
    if (get_query(ctx, args[0], &c->q) != RP_OK)
        return is_hard(&c->q.err) ? hard_error(ctx, &c->q.err) : RP_OK;
    *stage = 1;
    if (!doc_kind_ok(args[1]))
        return want_values ? rego_bi_type_error(ctx, 2, args[1], "one of {string, object}") : RP_OK;
    if (get_schema(ctx, args[1], &c->s) != RP_OK)
        return is_hard(&c->s.err) ? hard_error(ctx, &c->s.err) : RP_OK;
    if (want_values) {
        conv cv = {ctx->arena, false};
        c->qv = cv_query_doc(&cv, c->q.qdoc);
        c->sv = cv_schema_doc(&cv, c->s.sdoc);
        if (cv.failed)
            return rego_bi_nomem(ctx);
    }
    *stage = 2;
    if (gql_build_schema(ctx->arena, c->s.sdoc, &c->schema, &c->verr) != RP_OK)
        return is_hard(&c->verr) ? hard_error(ctx, &c->verr) : RP_OK;
    *stage = 3;
    if (gql_validate(ctx->arena, c->schema, c->q.qdoc, &c->errs, &c->verr) != RP_OK)
        return hard_error(ctx, &c->verr);
    if (c->errs.count == 0)
        *stage = 4;
    return RP_OK;
}

static rp_status bi_parse(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    checked c;
    int stage;
    rp_status st = check_documents(ctx, args, true, &c, &stage);
    if (st == RP_OK) {
        char text[sizeof(c.verr.msg) + 16];
        switch (stage) {
        case 0: st = doc_error(ctx, &c.q); break;
        case 1: st = doc_error(ctx, &c.s); break;
        case 2:
            gqlerror_text(text, sizeof(text), &c.verr);
            st = builtin_error(ctx, "Error in gqlparser SchemaDocument to Schema conversion: %s", text);
            break;
        case 3: st = validation_error(ctx, rp_buf_cstr(&c.errs.text), c.errs.text.len); break;
        default: {
            rego_value *xs = rego_array_alloc(ctx->arena, 2, out);
            if (!xs) {
                st = rego_bi_nomem(ctx);
                break;
            }
            xs[0] = c.qv;
            xs[1] = c.sv;
        }
        }
    }
    rp_buf_free(&c.errs.text);
    return st;
}

static rp_status bi_parse_and_verify(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    checked c;
    int stage = 0;
    rp_status st = RP_OK;
    memset(&c, 0, sizeof(c));
    /* a wrong operand type is "unverified" here, not an error */
    if (doc_kind_ok(args[0]) && doc_kind_ok(args[1]))
        st = check_documents(ctx, args, true, &c, &stage);
    rp_buf_free(&c.errs.text);
    if (st != RP_OK)
        return st;
    rego_value *xs = rego_array_alloc(ctx->arena, 3, out);
    if (!xs)
        return rego_bi_nomem(ctx);
    bool ok = stage == 4;
    xs[0] = rego_bool(ok);
    xs[1] = ok ? c.qv : rego_empty_object();
    xs[2] = ok ? c.sv : rego_empty_object();
    return RP_OK;
}

static rp_status bi_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    checked c;
    int stage = 0;
    rp_status st = RP_OK;
    memset(&c, 0, sizeof(c));
    if (doc_kind_ok(args[0]) && doc_kind_ok(args[1]))
        st = check_documents(ctx, args, false, &c, &stage);
    rp_buf_free(&c.errs.text);
    if (st == RP_OK)
        *out = rego_bool(stage == 4);
    return st;
}

static rp_status bi_parse_query(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return ctx->err->code;
    gql_query_doc *doc;
    gql_error err = {0};
    if (gql_parse_query(ctx->arena, s, n, &doc, &err) != RP_OK)
        return parse_error(ctx, &err);
    conv c = {ctx->arena, false};
    rego_value v = cv_query_doc(&c, doc);
    if (c.failed)
        return rego_bi_nomem(ctx);
    *out = v;
    return RP_OK;
}

static rp_status bi_parse_schema(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return ctx->err->code;
    gql_schema_doc *doc;
    gql_error err = {0};
    if (gql_parse_schema(ctx->arena, s, n, false, &doc, &err) != RP_OK)
        return parse_error(ctx, &err);
    conv c = {ctx->arena, false};
    rego_value v = cv_schema_doc(&c, doc);
    if (c.failed)
        return rego_bi_nomem(ctx);
    *out = v;
    return RP_OK;
}

static rp_status bi_schema_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!doc_kind_ok(args[0])) {
        *out = rego_bool(false);
        return RP_OK;
    }
    docarg d;
    if (get_schema(ctx, args[0], &d) != RP_OK) {
        if (is_hard(&d.err))
            return hard_error(ctx, &d.err);
        *out = rego_bool(false);
        return RP_OK;
    }
    gql_schema *schema;
    gql_error err = {0};
    if (gql_build_schema(ctx->arena, d.sdoc, &schema, &err) != RP_OK && is_hard(&err))
        return hard_error(ctx, &err);
    *out = rego_bool(err.code == RP_OK);
    return RP_OK;
}

#define DOC "string|object[any: any]"
#define OBJ "object[any: any]"

const rego_builtin rego_builtins_graphql[] = {
    {"graphql.is_valid", NULL, "(" DOC ", " DOC ") => boolean", 2, 0, bi_is_valid},
    {"graphql.parse", NULL, "(" DOC ", " DOC ") => array<" OBJ ", " OBJ ">", 2, 0, bi_parse},
    {"graphql.parse_and_verify", NULL, "(" DOC ", " DOC ") => array<boolean, " OBJ ", " OBJ ">", 2, 0,
     bi_parse_and_verify},
    {"graphql.parse_query", NULL, "(string) => " OBJ, 1, 0, bi_parse_query},
    {"graphql.parse_schema", NULL, "(string) => " OBJ, 1, 0, bi_parse_schema},
    {"graphql.schema_is_valid", NULL, "(" DOC ") => boolean", 1, 0, bi_schema_is_valid},
    {0},
};
