/*
 * graphql_validate.c — schema building and query validation for the
 * graphql.* builtins, reproducing gqlparser v2.5.1 as vendored by OPA:
 * ValidateSchemaDocument (with the prelude of built-in scalars, directives
 * and introspection types merged in first) and Validate with its 26 rules,
 * their messages, error positions and the order errors are reported in
 * (walk order, then rule registration order within one event).
 *
 * Invariants: the input documents are never modified by schema building
 * (definitions are copied before extensions are merged into them); query
 * validation fills the validation fields of the query document, as
 * gqlparser's walker does, and reads them back in its rules.  All memory
 * comes from the caller's arena.
 *
 * Bounds: every visit, comparison and lookup is charged to a step budget of
 * REGO_GRAPHQL_MAX_STEPS, and the walker, the overlapping-fields search and
 * the fragment-cycle search recurse at most GQL_MAX_RECURSION deep; either
 * bound is an RP_ERR_LIMIT.  gqlparser's overlapping-fields rule is
 * exponential on nested same-named fields and its walker quadratic on
 * fragment chains; here both fail cleanly instead.  No global state.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql_parse.h"
#include "limits.h"

/* Recursion of the walker and of the rules that follow fragment spreads:
 * selections nest REGO_GRAPHQL_MAX_DEPTH deep per document, and spreads can
 * chain fragments on top of that. */
#define GQL_MAX_RECURSION (4 * REGO_GRAPHQL_MAX_DEPTH)
/* Only the beginning of the error list can reach a message (rp_error holds
 * 256 bytes), so the rendered list stops growing here. */
#define GQL_ERRTEXT_MAX 4096
#define GQL_MSG_MAX 2048

#define SF(x) (int)(x).n, ((x).s ? (x).s : "")

static const gql_pos NOPOS = {0, 0, false};

/* ---- budget ----------------------------------------------------------------------- */

typedef struct {
    rp_arena *a;       /* persistent allocations */
    rp_arena *scratch; /* per-event temporaries (validation only), or NULL */
    bool bounded;      /* a is a private, budgeted arena of the validator */
    gql_error *err;
    uint64_t steps;
    bool failed;
} budget;

static bool spend(budget *b, uint64_t k)
{
    if (b->failed)
        return false;
    b->steps += k;
    if (b->steps > REGO_GRAPHQL_MAX_STEPS) {
        gql_error_set(b->err, RP_ERR_LIMIT, NOPOS, "validation needs more than %u steps",
                      (unsigned)REGO_GRAPHQL_MAX_STEPS);
        b->failed = true;
        return false;
    }
    return true;
}

/* Allocates from the scratch arena when tmp (and there is one), else from
 * the persistent one.  The validator's own arenas are budgeted: running out
 * of them is a limit, running out of the caller's is out of memory. */
static void *xalloc(budget *b, bool tmp, size_t n)
{
    bool scratch = tmp && b->scratch;
    void *p = b->failed ? NULL : rp_arena_zalloc(scratch ? b->scratch : b->a, n);
    if (!p && !b->failed) {
        if (scratch || b->bounded)
            gql_error_set(b->err, RP_ERR_LIMIT, NOPOS, "validation needs more than %u bytes",
                          (unsigned)REGO_GRAPHQL_MAX_SCRATCH_BYTES);
        else
            gql_error_set(b->err, RP_ERR_NOMEM, NOPOS, "out of memory");
        b->failed = true;
    }
    return p;
}

static void *balloc(budget *b, size_t n) { return xalloc(b, false, n); }
static void *talloc(budget *b, size_t n) { return xalloc(b, true, n); }

static bool too_deep(budget *b, uint32_t depth)
{
    if (depth <= GQL_MAX_RECURSION)
        return false;
    if (!b->failed)
        gql_error_set(b->err, RP_ERR_LIMIT, NOPOS, "GraphQL document nests deeper than %d",
                      GQL_MAX_RECURSION);
    b->failed = true;
    return true;
}

/* ---- string maps ---------------------------------------------------------------------- */

typedef struct {
    gql_str key;
    void *val;
} mslot;

typedef struct {
    mslot *slots;
    uint32_t cap, n;
    bool tmp; /* lives in the scratch arena */
} smap;

static uint64_t str_hash(gql_str s)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)s.s[i]) * 1099511628211ull;
    return h;
}

static mslot *smap_slot(const smap *m, gql_str key)
{
    if (!m->cap)
        return NULL;
    uint32_t i = (uint32_t)str_hash(key) & (m->cap - 1);
    while (m->slots[i].key.s) {
        if (gql_eq(m->slots[i].key, key))
            return &m->slots[i];
        i = (i + 1) & (m->cap - 1);
    }
    return &m->slots[i];
}

static void *smap_get(const smap *m, gql_str key)
{
    mslot *s = smap_slot(m, key);
    return s && s->key.s ? s->val : NULL;
}

static bool smap_put(budget *b, smap *m, gql_str key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 16;
        mslot *ns = xalloc(b, m->tmp, (size_t)cap * sizeof(mslot));
        if (!ns)
            return false;
        smap old = *m;
        m->slots = ns;
        m->cap = cap;
        m->n = 0;
        m->tmp = old.tmp;
        for (uint32_t i = 0; i < old.cap; i++)
            if (old.slots[i].key.s)
                *smap_slot(m, old.slots[i].key) = old.slots[i], m->n++;
    }
    if (!key.s)
        key.s = "";
    mslot *s = smap_slot(m, key);
    if (!s->key.s) {
        s->key = key;
        m->n++;
    }
    s->val = val;
    return true;
}

/* A growable list of pointers. */
typedef struct {
    const void **items;
    uint32_t n, cap;
    bool tmp; /* lives in the scratch arena */
} plist;

static bool plist_push(budget *b, plist *l, const void *p)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        const void **ni = xalloc(b, l->tmp, (size_t)cap * sizeof(void *));
        if (!ni)
            return false;
        if (l->n)
            memcpy(ni, l->items, (size_t)l->n * sizeof(void *));
        l->items = ni;
        l->cap = cap;
    }
    l->items[l->n++] = p;
    return true;
}

/* ---- types and definitions -------------------------------------------------------------- */

struct gql_schema {
    const gql_def *query, *mutation, *subscription;
    smap types;      /* name -> gql_def* */
    smap directives; /* name -> gql_dirdef* */
    smap possible;   /* name -> plist* of gql_def* (entries may be NULL) */
    const gql_def **sorted; /* every type, by name */
    uint32_t nsorted;
};

static const gql_def *type_def(const gql_schema *s, gql_str name)
{
    return smap_get(&s->types, name);
}

/* Type.Name(): the innermost named type ("" where Go would crash). */
static gql_str type_name(const gql_type *t)
{
    for (unsigned guard = 0; t && guard <= GQL_MAX_RECURSION; guard++) {
        if (t->named.n)
            return t->named;
        t = t->elem;
    }
    return GQL_LIT("");
}

static void type_string(rp_buf *b, const gql_type *t, unsigned depth)
{
    if (!t || depth > GQL_MAX_RECURSION)
        return;
    if (t->named.n) {
        rp_buf_append(b, t->named.s, t->named.n);
    } else {
        rp_buf_putc(b, '[');
        type_string(b, t->elem, depth + 1);
        rp_buf_putc(b, ']');
    }
    if (t->nonnull)
        rp_buf_putc(b, '!');
}

/* Type.String() into a small arena-free buffer for messages. */
typedef struct {
    char s[256];
} tstr;

static tstr type_str(const gql_type *t)
{
    tstr r;
    rp_buf b;
    rp_buf_init(&b);
    type_string(&b, t, 0);
    snprintf(r.s, sizeof(r.s), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return r;
}

static bool kind_is(const gql_def *d, const char *k) { return d && gql_eq_c(d->kind, k); }
static bool is_input_type(const gql_def *d)
{
    return kind_is(d, "SCALAR") || kind_is(d, "ENUM") || kind_is(d, "INPUT_OBJECT");
}
static bool is_leaf(const gql_def *d) { return kind_is(d, "ENUM") || kind_is(d, "SCALAR"); }
static bool is_composite(const gql_def *d)
{
    return kind_is(d, "OBJECT") || kind_is(d, "INTERFACE") || kind_is(d, "UNION");
}
static bool is_abstract(const gql_def *d) { return kind_is(d, "INTERFACE") || kind_is(d, "UNION"); }

/* Type.IsCompatible */
static bool type_compatible(const gql_type *t, const gql_type *o)
{
    for (unsigned guard = 0; t && o && guard <= GQL_MAX_RECURSION; guard++) {
        if (!gql_eq(t->named, o->named))
            return false;
        if (t->elem && !o->elem)
            return false;
        if (t->elem && !type_compatible(t->elem, o->elem))
            return false;
        return o->nonnull ? t->nonnull : true;
    }
    return false;
}

static const gql_fielddef *field_named(budget *b, const gql_def *d, gql_str name)
{
    if (!d)
        return NULL;
    spend(b, d->nfields);
    for (uint32_t i = 0; i < d->nfields; i++)
        if (gql_eq(d->fields[i].name, name))
            return &d->fields[i];
    return NULL;
}

static const gql_argdef *argdef_named(budget *b, const gql_argdef *a, uint32_t n, gql_str name)
{
    spend(b, n);
    for (uint32_t i = 0; i < n; i++)
        if (gql_eq(a[i].name, name))
            return &a[i];
    return NULL;
}

static const plist *possible_types(const gql_schema *s, gql_str name)
{
    return smap_get(&s->possible, name);
}

/* ---- the prelude ------------------------------------------------------------------------- */

/* gqlparser's validator/prelude.graphql: built-in scalars and directives and
 * the introspection types; parsed as BuiltIn, merged before every schema. */
static const char prelude_text[] =
    "scalar Int\n"
    "scalar Float\n"
    "scalar String\n"
    "scalar Boolean\n"
    "scalar ID\n"
    "directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @deprecated(reason: String = \"No longer supported\") on FIELD_DEFINITION | "
    "ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE\n"
    "directive @specifiedBy(url: String!) on SCALAR\n"
    "type __Schema {\n"
    "  description: String\n"
    "  types: [__Type!]!\n"
    "  queryType: __Type!\n"
    "  mutationType: __Type\n"
    "  subscriptionType: __Type\n"
    "  directives: [__Directive!]!\n"
    "}\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields: [__InputValue!]\n"
    "  ofType: __Type\n"
    "  specifiedByURL: String\n"
    "}\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args: [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "  defaultValue: String\n"
    "}\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args: [__InputValue!]!\n"
    "  isRepeatable: Boolean!\n"
    "}\n"
    "enum __DirectiveLocation { QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION "
    "FRAGMENT_SPREAD INLINE_FRAGMENT VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION "
    "ARGUMENT_DEFINITION INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION }\n";

/* ---- schema building (ValidateSchemaDocument) ------------------------------------------- */

typedef struct {
    budget b;
    gql_schema *s;
} sctx;

/* A definition being merged with its extensions: the list capacities live
 * beside it so that appending stays amortised linear. */
typedef struct {
    gql_def d;
    uint32_t cap_dirs, cap_ifaces, cap_fields, cap_types, cap_enums;
} defx;

static bool append_items(budget *b, void *itemsp, uint32_t *n, uint32_t *cap, const void *src,
                         uint32_t k, size_t el)
{
    void **items = itemsp;
    if (k == 0)
        return true;
    if (!spend(b, k))
        return false;
    if ((uint64_t)*n + k > *cap) {
        uint64_t nc = (uint64_t)*cap * 2;
        if (nc < (uint64_t)*n + k)
            nc = (uint64_t)*n + k;
        if (nc > UINT32_MAX / 2) {
            gql_error_set(b->err, RP_ERR_LIMIT, NOPOS, "schema too large");
            b->failed = true;
            return false;
        }
        void *ni = balloc(b, (size_t)nc * el);
        if (!ni)
            return false;
        if (*n)
            memcpy(ni, *items, (size_t)*n * el);
        *items = ni;
        *cap = (uint32_t)nc;
    }
    memcpy((char *)*items + (size_t)*n * el, src, (size_t)k * el);
    *n += k;
    return true;
}

static bool schema_error(sctx *c, gql_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool schema_error(sctx *c, gql_pos pos, const char *fmt, ...)
{
    char msg[sizeof(c->b.err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gql_error_set(c->b.err, RP_ERR_SYNTAX, pos, "%s", msg);
    c->b.failed = true;
    return false;
}

/* strconv.Quote(name) for a message */
static tstr quoted(gql_str s)
{
    tstr r;
    rp_buf b;
    rp_buf_init(&b);
    gql_go_quote(&b, s.s ? s.s : "", s.n > 200 ? 200 : s.n);
    snprintf(r.s, sizeof(r.s), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return r;
}

static bool add_possible(sctx *c, gql_str name, const gql_def *d)
{
    plist *l = smap_get(&c->s->possible, name);
    if (!l) {
        if (!(l = balloc(&c->b, sizeof(*l))) || !smap_put(&c->b, &c->s->possible, name, l))
            return false;
    }
    return plist_push(&c->b, l, d);
}

static bool add_type_defs(sctx *c, const gql_def *defs, uint32_t n, plist *all)
{
    for (uint32_t i = 0; i < n; i++) {
        const gql_def *d = &defs[i];
        if (type_def(c->s, d->name))
            return schema_error(c, d->pos, "Cannot redeclare type %.*s.", SF(d->name));
        defx *x = balloc(&c->b, sizeof(*x));
        if (!x)
            return false;
        x->d = *d;
        if (!smap_put(&c->b, &c->s->types, d->name, x) || !plist_push(&c->b, all, x))
            return false;
    }
    return true;
}

static bool merge_extension(sctx *c, const gql_def *e, plist *all)
{
    defx *x = smap_get(&c->s->types, e->name);
    if (!x) {
        if (!(x = balloc(&c->b, sizeof(*x))))
            return false;
        x->d.kind = e->kind;
        x->d.name = e->name;
        x->d.desc = GQL_LIT("");
        x->d.pos = e->pos;
        if (!smap_put(&c->b, &c->s->types, e->name, x) || !plist_push(&c->b, all, x))
            return false;
    }
    gql_def *d = &x->d;
    if (!gql_eq(d->kind, e->kind))
        return schema_error(c, e->pos, "Cannot extend type %.*s because the base type is a %.*s, not %.*s.",
                            SF(e->name), SF(d->kind), SF(e->kind));
    return append_items(&c->b, &d->dirs, &d->ndirs, &x->cap_dirs, e->dirs, e->ndirs, sizeof(*e->dirs)) &&
           append_items(&c->b, &d->interfaces, &d->ninterfaces, &x->cap_ifaces, e->interfaces,
                        e->ninterfaces, sizeof(gql_str)) &&
           append_items(&c->b, &d->fields, &d->nfields, &x->cap_fields, e->fields, e->nfields,
                        sizeof(gql_fielddef)) &&
           append_items(&c->b, &d->types, &d->ntypes, &x->cap_types, e->types, e->ntypes,
                        sizeof(gql_str)) &&
           append_items(&c->b, &d->enumvals, &d->nenumvals, &x->cap_enums, e->enumvals,
                        e->nenumvals, sizeof(gql_enumval));
}

static bool index_possible_types(sctx *c, const plist *all)
{
    for (uint32_t i = 0; i < all->n; i++) {
        const gql_def *d = all->items[i];
        if (!spend(&c->b, 1 + d->ntypes + d->ninterfaces))
            return false;
        if (kind_is(d, "UNION")) {
            for (uint32_t k = 0; k < d->ntypes; k++)
                if (!add_possible(c, d->name, type_def(c->s, d->types[k])))
                    return false;
        } else if (kind_is(d, "INPUT_OBJECT") || kind_is(d, "OBJECT") || kind_is(d, "INTERFACE")) {
            for (uint32_t k = 0; k < d->ninterfaces; k++)
                if (!add_possible(c, d->interfaces[k], d))
                    return false;
            if (!kind_is(d, "INTERFACE") && !add_possible(c, d->name, d))
                return false;
        }
    }
    return true;
}

static bool add_directive_defs(sctx *c, const gql_dirdef *dirs, uint32_t n)
{
    static const char *const builtin[] = {"include", "skip", "deprecated", "specifiedBy"};
    for (uint32_t i = 0; i < n; i++) {
        const gql_dirdef *d = &dirs[i];
        if (smap_get(&c->s->directives, d->name)) {
            bool ok = false;
            for (size_t k = 0; k < RP_ARRAY_LEN(builtin); k++)
                ok = ok || gql_eq_c(d->name, builtin[k]);
            if (!ok)
                return schema_error(c, d->pos, "Cannot redeclare directive %.*s.", SF(d->name));
        }
        /* the later definition replaces the earlier one, builtins included */
        if (!smap_put(&c->b, &c->s->directives, d->name, (void *)d))
            return false;
    }
    return true;
}

static bool set_roots(sctx *c, const gql_schemadef *sd)
{
    for (uint32_t i = 0; i < sd->nops; i++) {
        const gql_optype *o = &sd->ops[i];
        const gql_def *d = type_def(c->s, o->type);
        if (!d)
            return schema_error(c, o->pos, "Schema root %.*s refers to a type %.*s that does not exist.",
                                SF(o->operation), SF(o->type));
        if (gql_eq_c(o->operation, "query"))
            c->s->query = d;
        else if (gql_eq_c(o->operation, "mutation"))
            c->s->mutation = d;
        else if (gql_eq_c(o->operation, "subscription"))
            c->s->subscription = d;
    }
    return true;
}

static bool check_name(sctx *c, gql_pos pos, gql_str name)
{
    if (name.n >= 2 && name.s[0] == '_' && name.s[1] == '_')
        return schema_error(c, pos,
                            "Name \"%.*s\" must not begin with \"__\", which is reserved by GraphQL "
                            "introspection.",
                            SF(name));
    return true;
}

static bool check_type_ref(sctx *c, const gql_type *t)
{
    gql_str name = type_name(t);
    if (!type_def(c->s, name))
        return schema_error(c, t ? t->pos : NOPOS, "Undefined type %.*s.", SF(name));
    return true;
}

static bool check_directives(sctx *c, const gql_directive *dirs, uint32_t n, const char *loc,
                             const gql_dirdef *current)
{
    for (uint32_t i = 0; i < n; i++) {
        const gql_directive *d = &dirs[i];
        if (!spend(&c->b, 1) || !check_name(c, d->pos, d->name))
            return false;
        if (current && gql_eq(d->name, current->name))
            return schema_error(c, d->pos, "Directive %.*s cannot refer to itself.", SF(current->name));
        const gql_dirdef *def = smap_get(&c->s->directives, d->name);
        if (!def)
            return schema_error(c, d->pos, "Undefined directive %.*s.", SF(d->name));
        bool ok = false;
        for (uint32_t k = 0; k < def->nlocations && !ok; k++)
            ok = gql_eq_c(def->locations[k], loc);
        if (!ok)
            return schema_error(c, d->pos, "Directive %.*s is not applicable on %s.", SF(d->name), loc);
    }
    return true;
}

static bool check_args(sctx *c, const gql_argdef *args, uint32_t n, const gql_dirdef *current)
{
    for (uint32_t i = 0; i < n; i++) {
        const gql_argdef *a = &args[i];
        if (!spend(&c->b, 1) || !check_name(c, a->pos, a->name) || !check_type_ref(c, a->type))
            return false;
        const gql_def *d = type_def(c->s, type_name(a->type));
        if (!is_input_type(d))
            return schema_error(c, a->pos, "cannot use %s as argument %.*s because %.*s is not a valid input type",
                                type_str(a->type).s, SF(a->name), SF(d->kind));
        if (!check_directives(c, a->dirs, a->ndirs, "ARGUMENT_DEFINITION", current))
            return false;
    }
    return true;
}

static bool is_covariant(sctx *c, const gql_type *req, const gql_type *act, unsigned depth)
{
    if (!req || !act || depth > GQL_MAX_RECURSION)
        return false;
    if (req->nonnull && !act->nonnull)
        return false;
    if (req->named.n) {
        if (gql_eq(req->named, act->named))
            return true;
        const plist *pt = possible_types(c->s, req->named);
        for (uint32_t i = 0; pt && i < pt->n; i++) {
            const gql_def *d = pt->items[i];
            if (d && gql_eq(d->name, act->named))
                return true;
        }
        return false;
    }
    if (req->elem && !act->elem)
        return false;
    return is_covariant(c, req->elem, act->elem, depth + 1);
}

static bool contains_name(const gql_str *list, uint32_t n, gql_str name)
{
    for (uint32_t i = 0; i < n; i++)
        if (gql_eq(list[i], name))
            return true;
    return false;
}

static bool check_field_args_impl(sctx *c, const gql_def *d, const gql_def *intf,
                                  const gql_fielddef *req, const gql_fielddef *found)
{
    for (uint32_t i = 0; i < req->nargs; i++) {
        const gql_argdef *ra = &req->args[i];
        const gql_argdef *fa = argdef_named(&c->b, found->args, found->nargs, ra->name);
        if (!fa)
            return schema_error(c, found->pos,
                                "For %.*s to implement %.*s the field %.*s must have the same arguments "
                                "but it is missing %.*s.",
                                SF(d->name), SF(intf->name), SF(req->name), SF(ra->name));
        if (!type_compatible(ra->type, fa->type))
            return schema_error(c, fa->pos,
                                "For %.*s to implement %.*s the field %.*s must have the same arguments "
                                "but %.*s has the wrong type.",
                                SF(d->name), SF(intf->name), SF(req->name), SF(ra->name));
    }
    for (uint32_t i = 0; i < found->nargs; i++) {
        const gql_argdef *fa = &found->args[i];
        if (!argdef_named(&c->b, req->args, req->nargs, fa->name) && fa->type && fa->type->nonnull &&
            !fa->defval)
            return schema_error(c, fa->pos,
                                "For %.*s to implement %.*s any additional arguments on %.*s must be "
                                "optional or have a default value but %.*s is required.",
                                SF(d->name), SF(intf->name), SF(found->name), SF(fa->name));
    }
    return !c->b.failed;
}

static bool check_implements(sctx *c, const gql_def *d, gql_str iname)
{
    const gql_def *intf = type_def(c->s, iname);
    if (!intf)
        return schema_error(c, d->pos, "Undefined type %s.", quoted(iname).s);
    if (!kind_is(intf, "INTERFACE"))
        return schema_error(c, d->pos, "%s is a non interface type %.*s.", quoted(iname).s, SF(intf->kind));
    for (uint32_t i = 0; i < intf->nfields; i++) {
        const gql_fielddef *req = &intf->fields[i];
        const gql_fielddef *found = field_named(&c->b, d, req->name);
        if (!found)
            return schema_error(c, d->pos, "For %.*s to implement %.*s it must have a field called %.*s.",
                                SF(d->name), SF(intf->name), SF(req->name));
        if (!is_covariant(c, req->type, found->type, 0))
            return schema_error(c, found->pos, "For %.*s to implement %.*s the field %.*s must have type %s.",
                                SF(d->name), SF(intf->name), SF(req->name), type_str(req->type).s);
        if (!check_field_args_impl(c, d, intf, req, found))
            return false;
    }
    for (uint32_t i = 0; i < intf->ninterfaces; i++) {
        gql_str t = intf->interfaces[i];
        if (contains_name(d->interfaces, d->ninterfaces, t))
            continue;
        if (gql_eq(t, d->name))
            return schema_error(c, d->pos,
                                "Type %.*s cannot implement %.*s because it would create a circular "
                                "reference.",
                                SF(d->name), SF(iname));
        return schema_error(c, d->pos, "Type %.*s must implement %.*s because it is implemented by %.*s.",
                            SF(d->name), SF(t), SF(iname));
    }
    return spend(&c->b, intf->nfields + intf->ninterfaces);
}

/* The first pair of fields with the same name, in gqlparser's nested-loop
 * order (smallest first index, then its next duplicate), found in linear
 * time. */
static const gql_fielddef *first_duplicate_field(sctx *c, const gql_def *d)
{
    smap first = {0}; /* name -> index of its first use + 1 */
    uint32_t best_first = UINT32_MAX;
    const gql_fielddef *best = NULL;
    for (uint32_t i = 0; i < d->nfields; i++) {
        uintptr_t f = (uintptr_t)smap_get(&first, d->fields[i].name);
        if (!f) {
            if (!smap_put(&c->b, &first, d->fields[i].name, (void *)(uintptr_t)(i + 1)))
                return NULL;
        } else if (f - 1 < best_first) {
            /* the first sighting of a duplicate of f is its nearest partner */
            best_first = (uint32_t)(f - 1);
            best = &d->fields[i];
        }
    }
    return best;
}

static bool check_kind_rules(sctx *c, const gql_def *d)
{
    if (kind_is(d, "OBJECT") || kind_is(d, "INTERFACE")) {
        if (d->nfields == 0)
            return schema_error(c, d->pos, "%.*s %.*s: must define one or more fields.", SF(d->kind), SF(d->name));
        for (uint32_t i = 0; i < d->nfields; i++) {
            const gql_def *t = type_def(c->s, type_name(d->fields[i].type));
            if (t && !is_composite(t) && !kind_is(t, "SCALAR") && !kind_is(t, "ENUM"))
                return schema_error(c, d->fields[i].pos,
                                    "%.*s %.*s: field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.",
                                    SF(d->kind), SF(d->name));
        }
    } else if (kind_is(d, "ENUM")) {
        if (d->nenumvals == 0)
            return schema_error(c, d->pos, "%.*s %.*s: must define one or more unique enum values.",
                                SF(d->kind), SF(d->name));
        for (uint32_t i = 0; i < d->nenumvals; i++) {
            gql_str v = d->enumvals[i].name;
            if (gql_eq_c(v, "true") || gql_eq_c(v, "false") || gql_eq_c(v, "null"))
                return schema_error(c, d->pos, "%.*s %.*s: non-enum value %.*s.", SF(d->kind), SF(d->name), SF(v));
        }
    } else if (kind_is(d, "INPUT_OBJECT")) {
        if (d->nfields == 0)
            return schema_error(c, d->pos, "%.*s %.*s: must define one or more input fields.", SF(d->kind),
                                SF(d->name));
        for (uint32_t i = 0; i < d->nfields; i++) {
            const gql_def *t = type_def(c->s, type_name(d->fields[i].type));
            if (t && !is_input_type(t))
                return schema_error(c, d->fields[i].pos,
                                    "%.*s %.*s: field must be one of SCALAR, ENUM, INPUT_OBJECT.",
                                    SF(t->kind), SF(d->fields[i].name));
        }
    }
    return spend(&c->b, d->nfields + d->nenumvals);
}

static bool check_definition(sctx *c, const gql_def *d)
{
    bool input = kind_is(d, "INPUT_OBJECT");
    for (uint32_t i = 0; i < d->nfields; i++) {
        const gql_fielddef *f = &d->fields[i];
        if (!spend(&c->b, 1) || !check_name(c, f->pos, f->name) || !check_type_ref(c, f->type) ||
            !check_args(c, f->args, f->nargs, NULL) ||
            !check_directives(c, f->dirs, f->ndirs, input ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION",
                              NULL))
            return false;
    }
    for (uint32_t i = 0; i < d->ntypes; i++) {
        const gql_def *t = type_def(c->s, d->types[i]);
        if (!t)
            return schema_error(c, d->pos, "Undefined type %s.", quoted(d->types[i]).s);
        if (!kind_is(t, "OBJECT"))
            return schema_error(c, d->pos, "%.*s type %s must be OBJECT.", SF(d->kind), quoted(d->types[i]).s);
    }
    for (uint32_t i = 0; i < d->ninterfaces; i++)
        if (!check_implements(c, d, d->interfaces[i]))
            return false;
    if (!check_kind_rules(c, d))
        return false;
    const gql_fielddef *dup = first_duplicate_field(c, d);
    if (dup)
        return schema_error(c, dup->pos, "Field %.*s.%.*s can only be defined once.", SF(d->name), SF(dup->name));
    if (c->b.failed || (!d->builtin && !check_name(c, d->pos, d->name)))
        return false;
    char loc[64];
    snprintf(loc, sizeof(loc), "%.*s", SF(d->kind));
    return check_directives(c, d->dirs, d->ndirs, loc, NULL);
}

static int cmp_str(gql_str a, gql_str b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int r = n ? memcmp(a.s, b.s, n) : 0;
    return r ? r : (a.n > b.n) - (a.n < b.n);
}

static int cmp_def_name(const void *x, const void *y)
{
    return cmp_str((*(const gql_def *const *)x)->name, (*(const gql_def *const *)y)->name);
}

static int cmp_dirdef_name(const void *x, const void *y)
{
    return cmp_str((*(const gql_dirdef *const *)x)->name, (*(const gql_dirdef *const *)y)->name);
}

/* Visits the types (and then the directives) in name order, as gqlparser
 * sorts the map keys before validating. */
static bool check_all(sctx *c)
{
    gql_schema *s = c->s;
    s->sorted = balloc(&c->b, (size_t)(s->types.n + 1) * sizeof(*s->sorted));
    const gql_dirdef **dirs = balloc(&c->b, (size_t)(s->directives.n + 1) * sizeof(*dirs));
    if (!s->sorted || !dirs)
        return false;
    for (uint32_t i = 0; i < s->types.cap; i++)
        if (s->types.slots[i].key.s)
            s->sorted[s->nsorted++] = s->types.slots[i].val;
    qsort(s->sorted, s->nsorted, sizeof(*s->sorted), cmp_def_name);
    for (uint32_t i = 0; i < s->nsorted; i++)
        if (!check_definition(c, s->sorted[i]))
            return false;
    uint32_t nd = 0;
    for (uint32_t i = 0; i < s->directives.cap; i++)
        if (s->directives.slots[i].key.s)
            dirs[nd++] = s->directives.slots[i].val;
    qsort(dirs, nd, sizeof(*dirs), cmp_dirdef_name);
    for (uint32_t i = 0; i < nd; i++)
        if (!spend(&c->b, 1) || !check_name(c, dirs[i]->pos, dirs[i]->name) ||
            !check_args(c, dirs[i]->args, dirs[i]->nargs, dirs[i]))
            return false;
    return true;
}

/* Adds __schema and __type to the query root, as gqlparser does. */
static bool add_introspection_fields(sctx *c)
{
    defx *q = (defx *)(uintptr_t)c->s->query;
    gql_fielddef *f = balloc(&c->b, 2 * sizeof(*f));
    gql_type *t = balloc(&c->b, 3 * sizeof(*t));
    gql_argdef *arg = balloc(&c->b, sizeof(*arg));
    if (!f || !t || !arg)
        return false;
    t[0].named = GQL_LIT("__Schema");
    t[0].nonnull = true;
    t[1].named = GQL_LIT("__Type");
    t[2].named = GQL_LIT("String");
    t[2].nonnull = true;
    arg->name = GQL_LIT("name");
    arg->type = &t[2];
    f[0].name = GQL_LIT("__schema");
    f[0].type = &t[0];
    f[1].name = GQL_LIT("__type");
    f[1].type = &t[1];
    f[1].args = arg;
    f[1].nargs = 1;
    return append_items(&c->b, &q->d.fields, &q->d.nfields, &q->cap_fields, f, 2, sizeof(*f));
}

static bool build(sctx *c, const gql_schema_doc *pre, const gql_schema_doc *doc)
{
    plist all = {0};
    gql_schema *s = c->s;
    if (!add_type_defs(c, pre->defs, pre->ndefs, &all) || !add_type_defs(c, doc->defs, doc->ndefs, &all))
        return false;
    for (uint32_t i = 0; i < pre->nexts + doc->nexts; i++)
        if (!merge_extension(c, i < pre->nexts ? &pre->exts[i] : &doc->exts[i - pre->nexts], &all))
            return false;
    if (!index_possible_types(c, &all) ||
        !add_directive_defs(c, pre->directives, pre->ndirectives) ||
        !add_directive_defs(c, doc->directives, doc->ndirectives))
        return false;
    if (doc->nschema > 1)
        return schema_error(c, doc->schema[1].pos,
                            "Cannot have multiple schema entry points, consider schema extensions instead.");
    if (doc->nschema == 1 && !set_roots(c, &doc->schema[0]))
        return false;
    for (uint32_t i = 0; i < doc->nschema_ext; i++)
        if (!set_roots(c, &doc->schema_ext[i]))
            return false;
    if (!check_all(c))
        return false;
    if (doc->nschema == 0) {
        if (!s->query)
            s->query = type_def(s, GQL_LIT("Query"));
        if (!s->mutation)
            s->mutation = type_def(s, GQL_LIT("Mutation"));
        if (!s->subscription)
            s->subscription = type_def(s, GQL_LIT("Subscription"));
    }
    return !s->query || add_introspection_fields(c);
}

rp_status gql_build_schema(rp_arena *a, const gql_schema_doc *doc, gql_schema **out, gql_error *err)
{
    gql_schema_doc *pre;
    gql_error perr = {0};
    if (gql_parse_schema(a, prelude_text, sizeof(prelude_text) - 1, true, &pre, &perr) != RP_OK) {
        if (perr.code == RP_ERR_NOMEM)
            return gql_error_set(err, RP_ERR_NOMEM, NOPOS, "out of memory");
        return gql_error_set(err, RP_ERR_EVAL, NOPOS, "prelude: %s", perr.msg); /* our bug */
    }
    sctx c;
    memset(&c, 0, sizeof(c));
    c.b.a = a;
    c.b.err = err;
    if (!(c.s = balloc(&c.b, sizeof(*c.s))) || !build(&c, pre, doc))
        return err->code ? err->code : RP_ERR_NOMEM;
    *out = c.s;
    return RP_OK;
}

/* ---- suggestions (validator/suggestionList.go, messaging.go) ---------------------------- */

static size_t lower_runes(const char *s, size_t n, uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t r;
        i += gql_decode_rune(s + i, n - i, &r);
        out[k++] = r >= 'A' && r <= 'Z' ? r + 32 : r;
    }
    return k;
}

/* lexicalDistance: 0 when equal, 1 when equal but for case, else the
 * Levenshtein distance of the lower-cased runes. */
static size_t lexical_distance(budget *b, gql_str a, gql_str o)
{
    if (gql_eq(a, o))
        return 0;
    if (!spend(b, (uint64_t)(a.n + 1) * (o.n + 1)))
        return SIZE_MAX;
    uint32_t *ra = talloc(b, (a.n + 1) * sizeof(uint32_t));
    uint32_t *ro = talloc(b, (o.n + 1) * sizeof(uint32_t));
    size_t *row = talloc(b, (o.n + 1) * sizeof(size_t));
    if (!ra || !ro || !row)
        return SIZE_MAX;
    size_t na = lower_runes(a.s, a.n, ra), no = lower_runes(o.s, o.n, ro);
    if (na == no && memcmp(ra, ro, na * sizeof(uint32_t)) == 0)
        return 1;
    for (size_t j = 0; j <= no; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= no; j++) {
            size_t up = row[j];
            size_t best = diag + (ra[i - 1] != ro[j - 1]);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[no];
}

typedef struct {
    gql_str s;
    size_t dist;
} sugg;

/* ---- Go's sort.Slice ---------------------------------------------------------------------
 * SuggestionList orders its matches with sort.Slice, an unstable
 * pattern-defeating quicksort: matches at equal distance come out in the
 * order that algorithm leaves them, which we reproduce step for step
 * (insertion sort up to 12 elements, median-of-three pivots, the xorshift
 * that breaks patterns, heapsort past the recursion limit). */

typedef struct {
    sugg *x;
} gsort;

static bool gs_less(const gsort *g, size_t i, size_t j) { return g->x[i].dist < g->x[j].dist; }

static void gs_swap(gsort *g, size_t i, size_t j)
{
    sugg t = g->x[i];
    g->x[i] = g->x[j];
    g->x[j] = t;
}

static void gs_insertion(gsort *g, size_t a, size_t b)
{
    for (size_t i = a + 1; i < b; i++)
        for (size_t j = i; j > a && gs_less(g, j, j - 1); j--)
            gs_swap(g, j, j - 1);
}

static void gs_sift_down(gsort *g, size_t lo, size_t hi, size_t first)
{
    size_t root = lo;
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= hi)
            return;
        if (child + 1 < hi && gs_less(g, first + child, first + child + 1))
            child++;
        if (!gs_less(g, first + root, first + child))
            return;
        gs_swap(g, first + root, first + child);
        root = child;
    }
}

static void gs_heapsort(gsort *g, size_t a, size_t b)
{
    size_t hi = b - a;
    for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
        gs_sift_down(g, i, hi, a);
    for (size_t i = hi; i-- > 0;) {
        gs_swap(g, a, a + i);
        gs_sift_down(g, 0, i, a);
    }
}

static unsigned bit_len(size_t n)
{
    unsigned k = 0;
    while (n) {
        k++;
        n >>= 1;
    }
    return k;
}

static void gs_break_patterns(gsort *g, size_t a, size_t b)
{
    size_t length = b - a;
    if (length < 8)
        return;
    uint64_t r = length;
    size_t modulus = (size_t)1 << bit_len(length);
    for (size_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        size_t other = (size_t)r & (modulus - 1);
        if (other >= length)
            other -= length;
        gs_swap(g, idx, a + other);
    }
}

static size_t gs_median(gsort *g, size_t a, size_t b, size_t c, int *swaps)
{
    size_t t;
    if (gs_less(g, b, a)) { (*swaps)++; t = a; a = b; b = t; }
    if (gs_less(g, c, b)) { (*swaps)++; t = b; b = c; c = t; }
    if (gs_less(g, b, a)) { (*swaps)++; t = a; a = b; b = t; }
    (void)c;
    return b;
}

enum { GS_UNKNOWN, GS_INCREASING, GS_DECREASING };

static size_t gs_choose_pivot(gsort *g, size_t a, size_t b, int *hint)
{
    size_t l = b - a;
    int swaps = 0;
    size_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= 50) {
            i = gs_median(g, i - 1, i, i + 1, &swaps);
            j = gs_median(g, j - 1, j, j + 1, &swaps);
            k = gs_median(g, k - 1, k, k + 1, &swaps);
        }
        j = gs_median(g, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? GS_INCREASING : swaps == 12 ? GS_DECREASING : GS_UNKNOWN;
    return j;
}

static bool gs_partial_insertion(gsort *g, size_t a, size_t b)
{
    size_t i = a + 1;
    for (int step = 0; step < 5; step++) {
        while (i < b && !gs_less(g, i, i - 1))
            i++;
        if (i == b)
            return true;
        if (b - a < 50)
            return false;
        gs_swap(g, i, i - 1);
        if (i - a >= 2)
            for (size_t j = i - 1; j >= 1 && gs_less(g, j, j - 1); j--)
                gs_swap(g, j, j - 1);
        if (b - i >= 2)
            for (size_t j = i + 1; j < b && gs_less(g, j, j - 1); j++)
                gs_swap(g, j, j - 1);
    }
    return false;
}

static size_t gs_partition_equal(gsort *g, size_t a, size_t b, size_t pivot)
{
    gs_swap(g, a, pivot);
    size_t i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !gs_less(g, a, i))
            i++;
        while (i <= j && gs_less(g, a, j))
            j--;
        if (i > j)
            return i;
        gs_swap(g, i, j);
        i++;
        j--;
    }
}

static size_t gs_partition(gsort *g, size_t a, size_t b, size_t pivot, bool *already)
{
    gs_swap(g, a, pivot);
    size_t i = a + 1, j = b - 1;
    while (i <= j && gs_less(g, i, a))
        i++;
    while (i <= j && !gs_less(g, j, a))
        j--;
    if (i > j) {
        gs_swap(g, j, a);
        *already = true;
        return j;
    }
    gs_swap(g, i, j);
    i++;
    j--;
    for (;;) {
        while (i <= j && gs_less(g, i, a))
            i++;
        while (i <= j && !gs_less(g, j, a))
            j--;
        if (i > j)
            break;
        gs_swap(g, i, j);
        i++;
        j--;
    }
    gs_swap(g, j, a);
    *already = false;
    return j;
}

static void gs_pdqsort(gsort *g, size_t a, size_t b, unsigned limit)
{
    bool balanced = true, partitioned = true;
    for (;;) {
        size_t length = b - a;
        if (length <= 12) {
            gs_insertion(g, a, b);
            return;
        }
        if (limit == 0) {
            gs_heapsort(g, a, b);
            return;
        }
        if (!balanced) {
            gs_break_patterns(g, a, b);
            limit--;
        }
        int hint;
        size_t pivot = gs_choose_pivot(g, a, b, &hint);
        if (hint == GS_DECREASING) {
            for (size_t i = a, j = b - 1; i < j; i++, j--)
                gs_swap(g, i, j);
            pivot = (b - 1) - (pivot - a);
            hint = GS_INCREASING;
        }
        if (balanced && partitioned && hint == GS_INCREASING && gs_partial_insertion(g, a, b))
            return;
        if (a > 0 && !gs_less(g, a - 1, pivot)) {
            a = gs_partition_equal(g, a, b, pivot);
            continue;
        }
        bool already;
        size_t mid = gs_partition(g, a, b, pivot, &already);
        partitioned = already;
        size_t left = mid - a, right = b - mid, threshold = length / 8;
        if (left < right) {
            balanced = left >= threshold;
            gs_pdqsort(g, a, mid, limit);
            a = mid + 1;
        } else {
            balanced = right >= threshold;
            gs_pdqsort(g, mid + 1, b, limit);
            b = mid;
        }
    }
}

/* SuggestionList: the options within floor(0.4 * len(typed)) + 1 edits of
 * typed (as graphql-js), closest first in sort.Slice's order. */
static uint32_t suggestion_list(budget *b, gql_str typed, const gql_str *opts, uint32_t n, sugg **out)
{
    sugg *r = talloc(b, (size_t)(n + 1) * sizeof(*r));
    uint32_t k = 0;
    if (!r)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t d = lexical_distance(b, typed, opts[i]);
        if (b->failed)
            return 0;
        if (d <= typed.n * 4 / 10 + 1) {
            r[k].s = opts[i];
            r[k++].dist = d;
        }
    }
    gsort g = {r};
    if (k > 1 && spend(b, (uint64_t)k * bit_len(k) * 4))
        gs_pdqsort(&g, 0, k, bit_len(k));
    *out = r;
    return k;
}

/* orList / quotedOrList: at most five, "A or B", "A, B, or C". */
static void or_list(rp_buf *m, const gql_str *items, uint32_t n, bool quote)
{
    if (n > 5)
        n = 5;
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            rp_buf_puts(m, n == 2 ? " or " : (i == n - 1 ? ", or " : ", "));
        if (quote)
            rp_buf_putc(m, '"');
        rp_buf_append(m, items[i].s ? items[i].s : "", items[i].n);
        if (quote)
            rp_buf_putc(m, '"');
    }
}

static void suggest(budget *b, rp_buf *m, const char *prefix, gql_str typed, const gql_str *opts,
                    uint32_t n, bool quote)
{
    sugg *r = NULL;
    uint32_t k = suggestion_list(b, typed, opts, n, &r);
    if (!k)
        return;
    gql_str *names = talloc(b, (size_t)k * sizeof(*names));
    if (!names)
        return;
    for (uint32_t i = 0; i < k; i++)
        names[i] = r[i].s;
    rp_buf_printf(m, " %s ", prefix);
    or_list(m, names, k, quote);
    rp_buf_putc(m, '?');
}

/* ---- query validation: context and errors ----------------------------------------------- */

typedef struct {
    budget b;
    const gql_schema *s;
    gql_query_doc *doc;
    gql_errlist *errs;
    gql_operation *cur_op;
    uint32_t depth;
    /* walker */
    smap validated;
    uintptr_t vgen;
    const gql_fielddef *typename_def;
    /* rule state */
    smap kd_seen, nfc_visited, nuf_used, ufn_seen, uon_seen;
    bool nuf_in_fragment;
    smap ov_pairs, ov_compared;
    uintptr_t ov_gen;
    uint32_t ov_depth;
} vctx;

/* Appends one error as gqlerror.Error() renders it: "input:L:C: msg". */
static void emit(vctx *v, gql_pos pos, rp_buf *m)
{
    gql_errlist *e = v->errs;
    e->count++;
    if (e->text.len < GQL_ERRTEXT_MAX) {
        if (pos.set)
            rp_buf_printf(&e->text, "input:%d:%d: ", pos.line, pos.col);
        else
            rp_buf_puts(&e->text, "input: ");
        size_t n = m->len > GQL_MSG_MAX ? GQL_MSG_MAX : m->len;
        rp_buf_append(&e->text, m->data ? m->data : "", n);
        rp_buf_putc(&e->text, '\n');
    }
    rp_buf_free(m);
}

static void errf(vctx *v, gql_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(vctx *v, gql_pos pos, const char *fmt, ...)
{
    char msg[GQL_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rp_buf m;
    rp_buf_init(&m);
    rp_buf_puts(&m, msg);
    emit(v, pos, &m);
}

/* Value.String() */
static void value_string(rp_buf *b, const gql_value *val, unsigned depth)
{
    if (!val) {
        rp_buf_puts(b, "<nil>");
        return;
    }
    if (b->len > GQL_MSG_MAX || depth > GQL_MAX_RECURSION)
        return;
    const char *raw = val->raw.s ? val->raw.s : "";
    switch (val->kind) {
    case GQL_VARIABLE:
        rp_buf_putc(b, '$');
        rp_buf_append(b, raw, val->raw.n);
        return;
    case GQL_STRING_VALUE:
    case GQL_BLOCK_VALUE:
        gql_go_quote(b, raw, val->raw.n > GQL_MSG_MAX ? GQL_MSG_MAX : val->raw.n);
        return;
    case GQL_LIST_VALUE:
    case GQL_OBJECT_VALUE:
        rp_buf_putc(b, val->kind == GQL_LIST_VALUE ? '[' : '{');
        for (uint32_t i = 0; i < val->nchildren; i++) {
            if (i)
                rp_buf_putc(b, ',');
            if (val->kind == GQL_OBJECT_VALUE) {
                rp_buf_append(b, val->children[i].name.s ? val->children[i].name.s : "",
                              val->children[i].name.n);
                rp_buf_putc(b, ':');
            }
            value_string(b, val->children[i].value, depth + 1);
        }
        rp_buf_putc(b, val->kind == GQL_LIST_VALUE ? ']' : '}');
        return;
    default:
        rp_buf_append(b, raw, val->raw.n);
        return;
    }
}

typedef struct {
    char s[GQL_MSG_MAX + 8];
} vstr;

static vstr value_str(const gql_value *val)
{
    vstr r;
    rp_buf b;
    rp_buf_init(&b);
    value_string(&b, val, 0);
    snprintf(r.s, sizeof(r.s), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return r;
}

/* Go strconv parsing as value.Value(nil) uses it: 0 ok, 1 syntax, 2 range. */
static int go_parse_int(gql_str s, int bits)
{
    size_t i = 0;
    bool neg = false;
    if (s.n && (s.s[0] == '+' || s.s[0] == '-')) {
        neg = s.s[0] == '-';
        i = 1;
    }
    if (i == s.n)
        return 1;
    uint64_t lim = bits == 32 ? (neg ? 2147483648ull : 2147483647ull)
                              : (neg ? 9223372036854775808ull : 9223372036854775807ull);
    uint64_t v = 0;
    bool over = false;
    for (; i < s.n; i++) {
        char c = s.s[i];
        if (c < '0' || c > '9')
            return 1;
        if (v > (UINT64_MAX - 9) / 10)
            over = true;
        else
            v = v * 10 + (uint64_t)(c - '0');
        if (v > lim)
            over = true;
    }
    return over ? 2 : 0;
}

static int go_parse_float(gql_str s)
{
    if (s.n == 0 || s.n > 4096 || s.s[0] == ' ' || s.s[0] == '\t' || s.s[0] == '\n')
        return 1;
    char buf[4097];
    memcpy(buf, s.s, s.n);
    buf[s.n] = 0;
    if (strchr(buf, '_') || memchr(s.s, 0, s.n))
        return 1;
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (end != buf + s.n)
        return 1;
    if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
        return 2;
    return 0;
}

static bool go_parse_bool(gql_str s)
{
    static const char *const ok[] = {"1", "t", "T", "TRUE", "true", "True",
                                     "0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < RP_ARRAY_LEN(ok); i++)
        if (gql_eq_c(s, ok[i]))
            return true;
    return false;
}

/* Whether value.Value(nil) fails (a number out of range, a bad boolean). */
static bool value_fails(vctx *v, const gql_value *val, unsigned depth)
{
    if (!val || too_deep(&v->b, depth) || !spend(&v->b, 1))
        return false;
    switch (val->kind) {
    case GQL_VARIABLE:
        return val->vardef && val->vardef->defval &&
               value_fails(v, val->vardef->defval, depth + 1);
    case GQL_INT_VALUE:
        return go_parse_int(val->raw, 64) != 0;
    case GQL_FLOAT_VALUE:
        return go_parse_float(val->raw) != 0;
    case GQL_BOOLEAN_VALUE:
        return !go_parse_bool(val->raw);
    case GQL_LIST_VALUE:
    case GQL_OBJECT_VALUE:
        for (uint32_t i = 0; i < val->nchildren; i++)
            if (value_fails(v, val->children[i].value, depth + 1))
                return true;
        return false;
    default:
        return false;
    }
}

/* ---- rules on values ------------------------------------------------------------------------ */

/* Each event handler starts with an empty scratch arena: nothing a handler
 * allocates there outlives it. */
static void event_start(vctx *v) { rp_arena_reset(v->b.scratch); }

static void unexpected_type(vctx *v, const gql_value *val, rp_buf *m)
{
    tstr t = type_str(val->expected);
    vstr vs = value_str(val);
    if (!strcmp(t.s, "Int") || !strcmp(t.s, "Int!")) {
        if (go_parse_int(val->raw, 32) == 2)
            rp_buf_printf(m, "Int cannot represent non 32-bit signed integer value: %s", vs.s);
        else
            rp_buf_printf(m, "Int cannot represent non-integer value: %s", vs.s);
    } else if (!strcmp(t.s, "String") || !strcmp(t.s, "String!") || !strcmp(t.s, "[String]")) {
        rp_buf_printf(m, "String cannot represent a non string value: %s", vs.s);
    } else if (!strcmp(t.s, "Boolean") || !strcmp(t.s, "Boolean!")) {
        rp_buf_printf(m, "Boolean cannot represent a non boolean value: %s", vs.s);
    } else if (!strcmp(t.s, "Float") || !strcmp(t.s, "Float!")) {
        rp_buf_printf(m, "Float cannot represent non numeric value: %s", vs.s);
    } else if (!strcmp(t.s, "ID") || !strcmp(t.s, "ID!")) {
        rp_buf_printf(m, "ID cannot represent a non-string and non-integer value: %s", vs.s);
    } else if (kind_is(val->definition, "ENUM")) {
        rp_buf_printf(m, "Enum \"%s\" cannot represent non-enum value: %s.", t.s, vs.s);
    } else {
        rp_buf_printf(m, "Expected value of type \"%s\", found %s.", t.s, vs.s);
    }
    (void)v;
}

static void unexpected_type_error(vctx *v, const gql_value *val)
{
    rp_buf m;
    rp_buf_init(&m);
    unexpected_type(v, val, &m);
    emit(v, val->pos, &m);
}

static bool def_one_of(const gql_def *d, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gql_eq_c(d->name, names[i]))
            return true;
    return false;
}

#define ONE_OF(d, ...) def_one_of((d), (const char *const[]){__VA_ARGS__}, \
                                  sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static gql_str *enum_names(vctx *v, const gql_def *d, uint32_t *n)
{
    *n = 0;
    if (!kind_is(d, "ENUM") || !d->nenumvals)
        return NULL;
    gql_str *r = talloc(&v->b, (size_t)d->nenumvals * sizeof(*r));
    if (!r)
        return NULL;
    for (uint32_t i = 0; i < d->nenumvals; i++)
        r[i] = d->enumvals[i].name;
    *n = d->nenumvals;
    return r;
}

static void check_object_value(vctx *v, const gql_value *val)
{
    const gql_def *d = val->definition;
    spend(&v->b, (uint64_t)d->nfields * (val->nchildren + 1));
    for (uint32_t i = 0; i < d->nfields; i++) {
        const gql_fielddef *f = &d->fields[i];
        if (!f->type || !f->type->nonnull || f->defval)
            continue;
        bool given = false;
        for (uint32_t k = 0; k < val->nchildren && !given; k++)
            given = gql_eq(val->children[k].name, f->name);
        if (!given)
            errf(v, val->pos, "Field \"%.*s.%.*s\" of required type \"%s\" was not provided.", SF(d->name),
                 SF(f->name), type_str(f->type).s);
    }
    for (uint32_t k = 0; k < val->nchildren; k++) {
        const gql_child *c = &val->children[k];
        if (field_named(&v->b, d, c->name))
            continue;
        gql_str *names = talloc(&v->b, (size_t)(d->nfields + 1) * sizeof(*names));
        if (!names)
            return;
        for (uint32_t i = 0; i < d->nfields; i++)
            names[i] = d->fields[i].name;
        rp_buf m;
        rp_buf_init(&m);
        rp_buf_printf(&m, "Field \"%.*s\" is not defined by type \"%.*s\".", SF(c->name), SF(d->name));
        suggest(&v->b, &m, "Did you mean", c->name, names, d->nfields, true);
        emit(v, c->pos, &m);
    }
}

static void check_enum_value(vctx *v, const gql_value *val, gql_str *enums, uint32_t nenums)
{
    const gql_def *d = val->definition;
    rp_buf m;
    rp_buf_init(&m);
    if (!kind_is(d, "ENUM")) {
        unexpected_type(v, val, &m);
        suggest(&v->b, &m, "Did you mean the enum value", val->raw, enums, nenums, false);
        emit(v, val->pos, &m);
        return;
    }
    bool known = false;
    spend(&v->b, d->nenumvals);
    for (uint32_t i = 0; i < d->nenumvals && !known; i++)
        known = gql_eq(d->enumvals[i].name, val->raw);
    if (known) {
        rp_buf_free(&m);
        return;
    }
    rp_buf_printf(&m, "Value \"%s\" does not exist in \"%s\" enum.", value_str(val).s, type_str(val->expected).s);
    suggest(&v->b, &m, "Did you mean the enum value", val->raw, enums, nenums, true);
    emit(v, val->pos, &m);
}

/* ValuesOfCorrectType */
static void rule_values_of_correct_type(vctx *v, const gql_value *val)
{
    const gql_def *d = val->definition;
    if (!d || !val->expected)
        return;
    if (val->kind == GQL_NULL_VALUE && val->expected->nonnull)
        errf(v, val->pos, "Expected value of type \"%s\", found %s.", type_str(val->expected).s,
             value_str(val).s);
    if (kind_is(d, "SCALAR") && !ONE_OF(d, "Int", "Float", "String", "Boolean", "ID"))
        return;
    uint32_t nenums;
    gql_str *enums = enum_names(v, d, &nenums);
    if (value_fails(v, val, 0))
        unexpected_type_error(v, val);
    switch (val->kind) {
    case GQL_LIST_VALUE:
        if (!val->expected->elem)
            unexpected_type_error(v, val);
        return;
    case GQL_INT_VALUE:
        if (!ONE_OF(d, "Int", "Float", "ID"))
            unexpected_type_error(v, val);
        return;
    case GQL_FLOAT_VALUE:
        if (!ONE_OF(d, "Float"))
            unexpected_type_error(v, val);
        return;
    case GQL_STRING_VALUE:
    case GQL_BLOCK_VALUE:
        if (kind_is(d, "ENUM")) {
            rp_buf m;
            rp_buf_init(&m);
            rp_buf_printf(&m, "Enum \"%s\" cannot represent non-enum value: %s.", type_str(val->expected).s,
                          value_str(val).s);
            suggest(&v->b, &m, "Did you mean the enum value", val->raw, enums, nenums, true);
            emit(v, val->pos, &m);
        } else if (!ONE_OF(d, "String", "ID")) {
            unexpected_type_error(v, val);
        }
        return;
    case GQL_ENUM_VALUE:
        check_enum_value(v, val, enums, nenums);
        return;
    case GQL_BOOLEAN_VALUE:
        if (!ONE_OF(d, "Boolean"))
            unexpected_type_error(v, val);
        return;
    case GQL_OBJECT_VALUE:
        check_object_value(v, val);
        return;
    default:
        return;
    }
}

static void on_value(vctx *v, gql_value *val)
{
    event_start(v);
    gql_operation *op = v->cur_op;
    /* NoUndefinedVariables */
    if (op && val->kind == GQL_VARIABLE && !val->vardef) {
        if (op->name.n)
            errf(v, val->pos, "Variable \"$%.*s\" is not defined by operation \"%.*s\".", SF(val->raw),
                 SF(op->name));
        else
            errf(v, val->pos, "Variable \"$%.*s\" is not defined.", SF(val->raw));
    }
    /* UniqueInputFieldNames */
    if (val->kind == GQL_OBJECT_VALUE) {
        spend(&v->b, (uint64_t)val->nchildren * val->nchildren / 2 + 1);
        for (uint32_t i = 1; i < val->nchildren; i++) {
            bool seen = false;
            for (uint32_t k = 0; k < i && !seen; k++)
                seen = gql_eq(val->children[k].name, val->children[i].name);
            if (seen)
                errf(v, val->children[i].pos, "There can be only one input field named \"%.*s\".",
                     SF(val->children[i].name));
        }
    }
    rule_values_of_correct_type(v, val);
    /* VariablesInAllowedPosition */
    if (val->kind == GQL_VARIABLE && val->expected && val->vardef && op) {
        gql_type tmp = *val->expected;
        const gql_value *dv = val->vardef->defval;
        if (dv && dv->kind != GQL_NULL_VALUE && val->expected->nonnull)
            tmp.nonnull = false;
        if (val->vardef->type && !type_compatible(val->vardef->type, &tmp))
            errf(v, val->pos, "Variable \"$%.*s\" of type \"%s\" used in position expecting type \"%s\".",
                 SF(val->raw), type_str(val->vardef->type).s, type_str(val->expected).s);
    }
}

/* ---- rules on arguments and directives ----------------------------------------------------- */

static void unknown_argument(vctx *v, const gql_arg *arg, const gql_argdef *defs, uint32_t ndefs,
                             gql_pos pos, const char *fmt_head)
{
    gql_str *names = talloc(&v->b, (size_t)(ndefs + 1) * sizeof(*names));
    if (!names)
        return;
    for (uint32_t i = 0; i < ndefs; i++)
        names[i] = defs[i].name;
    rp_buf m;
    rp_buf_init(&m);
    rp_buf_puts(&m, fmt_head);
    suggest(&v->b, &m, "Did you mean", arg->name, names, ndefs, true);
    emit(v, pos, &m);
}

/* UniqueArgumentNames: the second use of a name only. */
static void unique_args(vctx *v, const gql_arg *args, uint32_t n)
{
    spend(&v->b, (uint64_t)n * n / 2 + 1);
    for (uint32_t i = 1; i < n; i++) {
        uint32_t before = 0;
        for (uint32_t k = 0; k < i; k++)
            before += gql_eq(args[k].name, args[i].name);
        if (before == 1)
            errf(v, args[i].pos, "There can be only one argument named \"%.*s\".", SF(args[i].name));
    }
}

static void required_args(vctx *v, const gql_argdef *defs, uint32_t ndefs, const gql_arg *args,
                          uint32_t nargs, gql_pos pos, const char *what, gql_str name)
{
    spend(&v->b, (uint64_t)ndefs * (nargs + 1));
    for (uint32_t i = 0; i < ndefs; i++) {
        const gql_argdef *ad = &defs[i];
        if (!ad->type || !ad->type->nonnull || ad->defval)
            continue;
        bool given = false;
        for (uint32_t k = 0; k < nargs && !given; k++)
            given = gql_eq(args[k].name, ad->name);
        if (!given)
            errf(v, pos, "%s \"%s%.*s\" argument \"%.*s\" of type \"%s\" is required, but it was not provided.",
                 what, what[0] == 'D' ? "@" : "", SF(name), SF(ad->name), type_str(ad->type).s);
    }
}

static void on_directive(vctx *v, gql_directive *d)
{
    event_start(v);
    const gql_dirdef *def = d->definition;
    /* KnownArgumentNames */
    for (uint32_t i = 0; def && i < d->nargs; i++) {
        if (argdef_named(&v->b, def->args, def->nargs, d->args[i].name))
            continue;
        char head[GQL_MSG_MAX];
        snprintf(head, sizeof(head), "Unknown argument \"%.*s\" on directive \"@%.*s\".", SF(d->args[i].name),
                 SF(d->name));
        unknown_argument(v, &d->args[i], def->args, def->nargs, d->pos, head);
    }
    /* KnownDirectives */
    if (!def) {
        errf(v, d->pos, "Unknown directive \"@%.*s\".", SF(d->name));
    } else {
        bool ok = false;
        for (uint32_t i = 0; i < def->nlocations && !ok; i++)
            ok = gql_eq_c(def->locations[i], d->vloc);
        if (!ok) {
            char key[64];
            int kn = snprintf(key, sizeof(key), ":%d:%d", d->pos.line, d->pos.col);
            char *k = balloc(&v->b, d->name.n + (size_t)kn + 1);
            if (k) {
                memcpy(k, d->name.s ? d->name.s : "", d->name.n);
                memcpy(k + d->name.n, key, (size_t)kn + 1);
                gql_str ks = gql_lit(k, d->name.n + (uint32_t)kn);
                if (!smap_get(&v->kd_seen, ks)) {
                    errf(v, d->pos, "Directive \"@%.*s\" may not be used on %s.", SF(d->name), d->vloc);
                    smap_put(&v->b, &v->kd_seen, ks, (void *)1);
                }
            }
        }
    }
    /* ProvidedRequiredArguments */
    if (def)
        required_args(v, def->args, def->nargs, d->args, d->nargs, d->pos, "Directive", def->name);
    unique_args(v, d->args, d->nargs);
}

/* UniqueDirectivesPerLocation: every repeat, except of one named "repeatable". */
static void on_directive_list(vctx *v, const gql_directive *dirs, uint32_t n)
{
    event_start(v);
    spend(&v->b, (uint64_t)n * n / 2 + 1);
    for (uint32_t i = 1; i < n; i++) {
        bool seen = false;
        for (uint32_t k = 0; k < i && !seen; k++)
            seen = gql_eq(dirs[k].name, dirs[i].name);
        if (seen && !gql_eq_c(dirs[i].name, "repeatable"))
            errf(v, dirs[i].pos, "The directive \"@%.*s\" can only be used once at this location.",
                 SF(dirs[i].name));
    }
}

/* ---- OverlappingFieldsCanBeMerged ------------------------------------------------------------- */

typedef struct {
    gql_str name;
    plist fields; /* gql_selection* */
} fgroup;

typedef struct {
    fgroup *groups;
    uint32_t n, cap;
    smap index; /* response name -> group index + 1 */
} fieldsmap;

typedef struct conflict {
    gql_str response;
    const char *message;
    struct conflict **subs;
    uint32_t nsubs;
    gql_pos pos;
} conflict;

typedef struct {
    conflict **items;
    uint32_t n, cap;
    bool tmp;
} conflicts;

static bool conflicts_push(vctx *v, conflicts *c, conflict *x)
{
    return plist_push(&v->b, (plist *)c, x);
}

static bool fm_push(vctx *v, fieldsmap *fm, gql_selection *f)
{
    gql_str rn = f->alias.n ? f->alias : f->name;
    uintptr_t idx = (uintptr_t)smap_get(&fm->index, rn);
    if (!idx) {
        if (fm->n == fm->cap) {
            uint32_t cap = fm->cap ? fm->cap * 2 : 8;
            fgroup *ng = talloc(&v->b, (size_t)cap * sizeof(*ng));
            if (!ng)
                return false;
            if (fm->n)
                memcpy(ng, fm->groups, (size_t)fm->n * sizeof(*ng));
            fm->groups = ng;
            fm->cap = cap;
        }
        memset(&fm->groups[fm->n], 0, sizeof(fgroup));
        fm->groups[fm->n].name = rn;
        fm->groups[fm->n].fields.tmp = true;
        idx = ++fm->n;
        if (!smap_put(&v->b, &fm->index, rn, (void *)idx))
            return false;
    }
    return plist_push(&v->b, &fm->groups[idx - 1].fields, f);
}

static void collect_fields(vctx *v, gql_selection *sels, uint32_t n, fieldsmap *fm, plist *spreads,
                           unsigned depth)
{
    if (too_deep(&v->b, depth) || !spend(&v->b, n + 1))
        return;
    for (uint32_t i = 0; i < n && !v->b.failed; i++) {
        gql_selection *s = &sels[i];
        if (s->kind == GQL_SEL_FIELD)
            fm_push(v, fm, s);
        else if (s->kind == GQL_SEL_INLINE)
            collect_fields(v, s->sels, s->nsels, fm, spreads, depth + 1);
        else
            plist_push(&v->b, spreads, s);
    }
}

/* getFieldsAndFragmentNames */
static fieldsmap *fields_and_spreads(vctx *v, gql_selection *sels, uint32_t n, plist *spreads)
{
    fieldsmap *fm = talloc(&v->b, sizeof(*fm));
    memset(spreads, 0, sizeof(*spreads));
    spreads->tmp = true;
    if (fm) {
        fm->index.tmp = true;
        collect_fields(v, sels, n, fm, spreads, 0);
    }
    return v->b.failed ? NULL : fm;
}

static bool same_value(const gql_value *a, const gql_value *b)
{
    if (!a || !b)
        return a == b;
    return a->kind == b->kind && gql_eq(a->raw, b->raw);
}

static bool same_arguments(const gql_selection *a, const gql_selection *b)
{
    if (a->nargs != b->nargs)
        return false;
    for (uint32_t i = 0; i < a->nargs; i++) {
        bool matched = false;
        for (uint32_t k = 0; k < b->nargs && !matched; k++)
            matched = gql_eq(a->args[i].name, b->args[k].name) && same_value(a->args[i].value, b->args[k].value);
        if (!matched)
            return false;
    }
    return true;
}

/* reflect.DeepEqual on two fields of parsed documents: distinct nodes
 * differ in their positions, so only identical nodes are equal; nodes
 * without positions (from AST objects) compare by content. */
static bool values_deep_equal(const gql_value *a, const gql_value *b, unsigned depth);

static bool sels_deep_equal(const gql_selection *a, const gql_selection *b, unsigned depth)
{
    if (a == b)
        return true;
    if (depth > GQL_MAX_RECURSION || a->pos.set || b->pos.set)
        return false;
    if (a->kind != b->kind || !gql_eq(a->alias, b->alias) || !gql_eq(a->name, b->name) ||
        !gql_eq(a->type_cond, b->type_cond) || a->nargs != b->nargs || a->ndirs != b->ndirs ||
        a->nsels != b->nsels || a->definition != b->definition || a->objdef != b->objdef ||
        a->fragment != b->fragment)
        return false;
    for (uint32_t i = 0; i < a->nargs; i++)
        if (!gql_eq(a->args[i].name, b->args[i].name) ||
            !values_deep_equal(a->args[i].value, b->args[i].value, depth + 1))
            return false;
    for (uint32_t i = 0; i < a->ndirs; i++) {
        if (!gql_eq(a->dirs[i].name, b->dirs[i].name) || a->dirs[i].nargs != b->dirs[i].nargs)
            return false;
        for (uint32_t k = 0; k < a->dirs[i].nargs; k++)
            if (!gql_eq(a->dirs[i].args[k].name, b->dirs[i].args[k].name) ||
                !values_deep_equal(a->dirs[i].args[k].value, b->dirs[i].args[k].value, depth + 1))
                return false;
    }
    for (uint32_t i = 0; i < a->nsels; i++)
        if (!sels_deep_equal(&a->sels[i], &b->sels[i], depth + 1))
            return false;
    return true;
}

static bool values_deep_equal(const gql_value *a, const gql_value *b, unsigned depth)
{
    if (a == b)
        return true;
    if (!a || !b || depth > GQL_MAX_RECURSION || a->pos.set || b->pos.set)
        return false;
    if (a->kind != b->kind || !gql_eq(a->raw, b->raw) || a->nchildren != b->nchildren)
        return false;
    for (uint32_t i = 0; i < a->nchildren; i++)
        if (!gql_eq(a->children[i].name, b->children[i].name) ||
            !values_deep_equal(a->children[i].value, b->children[i].value, depth + 1))
            return false;
    return true;
}

static bool fieldsmap_equal(vctx *v, const fieldsmap *a, const fieldsmap *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++) {
        const fgroup *ga = &a->groups[i], *gb = &b->groups[i];
        if (!gql_eq(ga->name, gb->name) || ga->fields.n != gb->fields.n)
            return false;
        spend(&v->b, ga->fields.n);
        for (uint32_t k = 0; k < ga->fields.n; k++)
            if (!sels_deep_equal(ga->fields.items[k], gb->fields.items[k], 0))
                return false;
    }
    return true;
}

static bool types_conflict(vctx *v, const gql_type *t1, const gql_type *t2)
{
    for (unsigned guard = 0; t1 && t2 && guard <= GQL_MAX_RECURSION; guard++) {
        if (t1->elem) {
            if (!t2->elem)
                return true;
            t1 = t1->elem;
            t2 = t2->elem;
            continue;
        }
        if (t2->elem)
            return true;
        if (t1->nonnull != t2->nonnull)
            return true;
        const gql_def *d1 = type_def(v->s, t1->named), *d2 = type_def(v->s, t2->named);
        if (d1 && d2 && is_leaf(d1) && is_leaf(d2))
            return !gql_eq(d1->name, d2->name);
        return false;
    }
    return false;
}

static conflict *new_conflict(vctx *v, gql_str response, gql_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static conflict *new_conflict(vctx *v, gql_str response, gql_pos pos, const char *fmt, ...)
{
    conflict *c = talloc(&v->b, sizeof(*c));
    if (!c)
        return NULL;
    c->response = response;
    c->pos = pos;
    if (fmt) {
        char msg[GQL_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        size_t n = strlen(msg);
        char *m = talloc(&v->b, n + 1);
        if (m)
            memcpy(m, msg, n + 1);
        c->message = m;
    }
    return c;
}

static bool ov_enter(vctx *v)
{
    if (too_deep(&v->b, ++v->ov_depth))
        return false;
    return spend(&v->b, 1);
}

static conflicts *subselection_conflicts(vctx *v, bool excl, gql_selection *a, gql_selection *b);

/* findConflict */
static conflict *find_conflict(vctx *v, bool parent_excl, gql_selection *fa, gql_selection *fb)
{
    if (!fa->objdef || !fb->objdef)
        return NULL;
    bool excl = parent_excl;
    if (!excl)
        excl = !gql_eq(fa->objdef->name, fb->objdef->name) && kind_is(fa->objdef, "OBJECT") &&
               kind_is(fb->objdef, "OBJECT") && fa->definition && fb->definition;
    gql_str rn = fa->alias.n ? fa->alias : fa->name;
    if (!excl) {
        if (!gql_eq(fa->name, fb->name))
            return new_conflict(v, rn, fb->pos, "\"%.*s\" and \"%.*s\" are different fields", SF(fa->name),
                                SF(fb->name));
        if (!same_arguments(fa, fb))
            return new_conflict(v, rn, fb->pos, "they have differing arguments");
    }
    if (fa->definition && fb->definition && types_conflict(v, fa->definition->type, fb->definition->type))
        return new_conflict(v, rn, fb->pos, "they return conflicting types \"%s\" and \"%s\"",
                            type_str(fa->definition->type).s, type_str(fb->definition->type).s);
    conflicts *subs = subselection_conflicts(v, excl, fa, fb);
    if (!subs)
        return NULL;
    conflict *c = new_conflict(v, rn, fb->pos, NULL);
    if (c) {
        c->subs = subs->items;
        c->nsubs = subs->n;
    }
    return c;
}

static void collect_within(vctx *v, conflicts *out, const fieldsmap *fm)
{
    for (uint32_t g = 0; g < fm->n && !v->b.failed; g++) {
        const plist *fs = &fm->groups[g].fields;
        for (uint32_t i = 0; i < fs->n; i++)
            for (uint32_t k = i + 1; k < fs->n && !v->b.failed; k++) {
                conflict *c = find_conflict(v, false, (gql_selection *)fs->items[i],
                                            (gql_selection *)fs->items[k]);
                if (c)
                    conflicts_push(v, out, c);
            }
    }
}

static void collect_between(vctx *v, conflicts *out, bool excl, const fieldsmap *a, const fieldsmap *b)
{
    for (uint32_t g = 0; g < a->n && !v->b.failed; g++) {
        uintptr_t idx = (uintptr_t)smap_get(&b->index, a->groups[g].name);
        if (!idx)
            continue;
        const plist *fa = &a->groups[g].fields, *fb = &b->groups[idx - 1].fields;
        for (uint32_t i = 0; i < fa->n; i++)
            for (uint32_t k = 0; k < fb->n && !v->b.failed; k++) {
                conflict *c = find_conflict(v, excl, (gql_selection *)fa->items[i],
                                            (gql_selection *)fb->items[k]);
                if (c)
                    conflicts_push(v, out, c);
            }
    }
}

/* m.comparedFragments: replaced by a fresh set at the points gqlparser
 * makes a new map (the generation changes). */
static void compared_reset(vctx *v) { v->ov_gen++; }
static bool compared_test_and_set(vctx *v, gql_str name)
{
    if ((uintptr_t)smap_get(&v->ov_compared, name) == v->ov_gen)
        return true;
    smap_put(&v->b, &v->ov_compared, name, (void *)v->ov_gen);
    return false;
}

static void between_fields_and_fragment(vctx *v, conflicts *out, bool excl, const fieldsmap *fm,
                                        gql_selection *spread)
{
    if (compared_test_and_set(v, spread->name) || !spread->fragment || !ov_enter(v)) {
        return;
    }
    plist spreads_b;
    gql_fragment *f = spread->fragment;
    fieldsmap *fb = fields_and_spreads(v, f->sels, f->nsels, &spreads_b);
    if (fb && !fieldsmap_equal(v, fm, fb)) {
        collect_between(v, out, excl, fm, fb);
        for (uint32_t i = 0; i < spreads_b.n && !v->b.failed; i++) {
            gql_selection *s = (gql_selection *)spreads_b.items[i];
            if (!gql_eq(s->name, spread->name))
                between_fields_and_fragment(v, out, excl, fm, s);
        }
    }
    v->ov_depth--;
}

/* comparedFragmentPairs */
static gql_str pair_key(vctx *v, gql_str a, gql_str b, bool tmp)
{
    char *k = xalloc(&v->b, tmp, (size_t)a.n + b.n + 2);
    if (!k)
        return GQL_LIT("");
    memcpy(k, a.s ? a.s : "", a.n);
    k[a.n] = 0;
    memcpy(k + a.n + 1, b.s ? b.s : "", b.n);
    return gql_lit(k, a.n + 1 + b.n);
}

static bool pairs_has(vctx *v, gql_str a, gql_str b, bool excl)
{
    uintptr_t r = (uintptr_t)smap_get(&v->ov_pairs, pair_key(v, a, b, true));
    if (!r)
        return false;
    return excl ? true : r == 1; /* 1: added as not exclusive, 2: exclusive */
}

static void pairs_add(vctx *v, gql_str a, gql_str b, bool excl)
{
    smap_put(&v->b, &v->ov_pairs, pair_key(v, a, b, false), (void *)(uintptr_t)(excl ? 2 : 1));
    smap_put(&v->b, &v->ov_pairs, pair_key(v, b, a, false), (void *)(uintptr_t)(excl ? 2 : 1));
}

static void between_fragments(vctx *v, conflicts *out, bool excl, gql_selection *a, gql_selection *b)
{
    if (!spend(&v->b, 1) || gql_eq(a->name, b->name) || pairs_has(v, a->name, b->name, excl))
        return;
    pairs_add(v, a->name, b->name, excl);
    if (!a->fragment || !b->fragment || !ov_enter(v))
        return;
    plist sa, sb;
    fieldsmap *fa = fields_and_spreads(v, a->fragment->sels, a->fragment->nsels, &sa);
    fieldsmap *fb = fa ? fields_and_spreads(v, b->fragment->sels, b->fragment->nsels, &sb) : NULL;
    if (fb) {
        collect_between(v, out, excl, fa, fb);
        for (uint32_t i = 0; i < sb.n && !v->b.failed; i++)
            between_fragments(v, out, excl, a, (gql_selection *)sb.items[i]);
        for (uint32_t i = 0; i < sa.n && !v->b.failed; i++)
            between_fragments(v, out, excl, (gql_selection *)sa.items[i], b);
    }
    v->ov_depth--;
}

/* findConflictsBetweenSubSelectionSets; NULL when there is none. */
static conflicts *subselection_conflicts(vctx *v, bool excl, gql_selection *a, gql_selection *b)
{
    conflicts *out = talloc(&v->b, sizeof(*out));
    plist sa, sb;
    if (out)
        out->tmp = true;
    if (!out || !ov_enter(v))
        return NULL;
    fieldsmap *fa = fields_and_spreads(v, a->sels, a->nsels, &sa);
    fieldsmap *fb = fa ? fields_and_spreads(v, b->sels, b->nsels, &sb) : NULL;
    if (fb) {
        collect_between(v, out, excl, fa, fb);
        for (uint32_t i = 0; i < sb.n && !v->b.failed; i++) {
            compared_reset(v);
            between_fields_and_fragment(v, out, excl, fa, (gql_selection *)sb.items[i]);
        }
        for (uint32_t i = 0; i < sa.n && !v->b.failed; i++) {
            compared_reset(v);
            between_fields_and_fragment(v, out, excl, fb, (gql_selection *)sa.items[i]);
        }
        for (uint32_t i = 0; i < sa.n && !v->b.failed; i++)
            for (uint32_t k = 0; k < sb.n && !v->b.failed; k++)
                between_fragments(v, out, excl, (gql_selection *)sa.items[i], (gql_selection *)sb.items[k]);
    }
    v->ov_depth--;
    return out->n && !v->b.failed ? out : NULL;
}

static void conflict_text(rp_buf *m, const conflict *c, unsigned depth)
{
    if (!c->nsubs || depth > GQL_MAX_RECURSION) {
        rp_buf_puts(m, c->message ? c->message : "");
        return;
    }
    for (uint32_t i = 0; i < c->nsubs && m->len < GQL_MSG_MAX; i++) {
        rp_buf_puts(m, "subfields \"");
        rp_buf_append(m, c->subs[i]->response.s ? c->subs[i]->response.s : "", c->subs[i]->response.n);
        rp_buf_puts(m, "\" conflict because ");
        conflict_text(m, c->subs[i], depth + 1);
        if (i != c->nsubs - 1)
            rp_buf_puts(m, " and ");
    }
}

/* findConflictsWithinSelectionSet, reported at once */
static void rule_overlapping(vctx *v, gql_selection *sels, uint32_t n)
{
    if (n == 0)
        return;
    conflicts out = {0};
    plist spreads;
    out.tmp = true;
    fieldsmap *fm = fields_and_spreads(v, sels, n, &spreads);
    if (!fm)
        return;
    collect_within(v, &out, fm);
    compared_reset(v);
    for (uint32_t i = 0; i < spreads.n && !v->b.failed; i++) {
        gql_selection *a = (gql_selection *)spreads.items[i];
        between_fields_and_fragment(v, &out, false, fm, a);
        for (uint32_t k = i + 1; k < spreads.n && !v->b.failed; k++)
            between_fragments(v, &out, false, a, (gql_selection *)spreads.items[k]);
    }
    for (uint32_t i = 0; i < out.n && !v->b.failed; i++) {
        rp_buf sub, m;
        rp_buf_init(&sub);
        rp_buf_init(&m);
        conflict_text(&sub, out.items[i], 0);
        rp_buf_printf(&m, "Fields \"%.*s\" conflict because %s. Use different aliases on the fields to fetch "
                          "both if this was intentional.",
                      SF(out.items[i]->response), rp_buf_cstr(&sub));
        rp_buf_free(&sub);
        emit(v, out.items[i]->pos, &m);
    }
}

/* ---- rules on selections ------------------------------------------------------------------------ */

typedef struct {
    gql_str name;
    uint32_t usage;
} tsugg;

/* getSuggestedTypeNames: implementations (and their interfaces) of an
 * abstract type that have the field, interfaces used most first. */
static uint32_t suggested_types(vctx *v, const gql_def *parent, gql_str field, gql_str **out)
{
    const plist *pt = possible_types(v->s, parent->name);
    if (!is_abstract(parent) || !pt)
        return 0;
    size_t cap_i = 1;
    for (uint32_t i = 0; i < pt->n; i++)
        if (pt->items[i])
            cap_i += ((const gql_def *)pt->items[i])->ninterfaces;
    tsugg *ifaces = talloc(&v->b, cap_i * sizeof(*ifaces));
    gql_str *objs = talloc(&v->b, ((size_t)pt->n + 1) * sizeof(*objs));
    uint32_t ni = 0, no = 0;
    if (!ifaces || !objs || !spend(&v->b, cap_i + pt->n))
        return 0;
    for (uint32_t i = 0; i < pt->n; i++) {
        const gql_def *t = pt->items[i];
        if (!t || !field_named(&v->b, t, field))
            continue;
        objs[no++] = t->name;
        for (uint32_t k = 0; k < t->ninterfaces; k++) {
            const gql_def *idef = type_def(v->s, t->interfaces[k]);
            if (!idef || !field_named(&v->b, idef, field))
                continue;
            uint32_t j = 0;
            spend(&v->b, ni + 1);
            while (j < ni && !gql_eq(ifaces[j].name, t->interfaces[k]))
                j++;
            if (j == ni) {
                ifaces[ni].name = t->interfaces[k];
                ifaces[ni++].usage = 0;
            }
            ifaces[j].usage++;
        }
    }
    uint32_t n = ni + no;
    tsugg *all = talloc(&v->b, ((size_t)n + 1) * sizeof(*all));
    gql_str *r = talloc(&v->b, ((size_t)n + 1) * sizeof(*r));
    if (!all || !r)
        return 0;
    for (uint32_t i = 0; i < ni; i++)
        all[i] = ifaces[i];
    /* a possible type that is itself an interface shares its usage count */
    spend(&v->b, (uint64_t)no * (ni + 1));
    for (uint32_t i = 0; i < no; i++) {
        all[ni + i].name = objs[i];
        all[ni + i].usage = 0;
        for (uint32_t k = 0; k < ni; k++)
            if (gql_eq(ifaces[k].name, objs[i]))
                all[ni + i].usage = ifaces[k].usage;
    }
    /* stable insertion sort: more usage first, then by name */
    spend(&v->b, (uint64_t)n * n);
    for (uint32_t i = 1; i < n; i++) {
        tsugg x = all[i];
        uint32_t j = i;
        while (j > 0 && (all[j - 1].usage < x.usage ||
                         (all[j - 1].usage == x.usage && cmp_str(all[j - 1].name, x.name) > 0))) {
            all[j] = all[j - 1];
            j--;
        }
        all[j] = x;
    }
    for (uint32_t i = 0; i < n; i++)
        r[i] = all[i].name;
    *out = r;
    return n;
}

static void rule_fields_on_correct_type(vctx *v, const gql_selection *f)
{
    const gql_def *od = f->objdef;
    if (!od || f->definition)
        return;
    rp_buf m;
    rp_buf_init(&m);
    rp_buf_printf(&m, "Cannot query field \"%.*s\" on type \"%.*s\".", SF(f->name), SF(od->name));
    gql_str *types = NULL;
    uint32_t nt = suggested_types(v, od, f->name, &types);
    if (nt) {
        rp_buf_puts(&m, " Did you mean to use an inline fragment on ");
        or_list(&m, types, nt, true);
        rp_buf_putc(&m, '?');
    } else if (kind_is(od, "OBJECT") || kind_is(od, "INTERFACE")) {
        gql_str *names = talloc(&v->b, ((size_t)od->nfields + 1) * sizeof(*names));
        if (names) {
            for (uint32_t i = 0; i < od->nfields; i++)
                names[i] = od->fields[i].name;
            suggest(&v->b, &m, "Did you mean", f->name, names, od->nfields, true);
        }
    }
    emit(v, f->pos, &m);
}

static void rule_scalar_leafs(vctx *v, const gql_selection *f)
{
    if (!f->definition)
        return;
    const gql_def *t = type_def(v->s, type_name(f->definition->type));
    if (!t)
        return;
    if (is_leaf(t) && f->nsels > 0)
        errf(v, f->pos, "Field \"%.*s\" must not have a selection since type \"%.*s\" has no subfields.",
             SF(f->name), SF(t->name));
    if (!is_leaf(t) && f->nsels == 0)
        errf(v, f->pos, "Field \"%.*s\" of type \"%s\" must have a selection of subfields. Did you mean \"%.*s { ... }\"?",
             SF(f->name), type_str(f->definition->type).s, SF(f->name));
}

static void on_field(vctx *v, gql_selection *f)
{
    event_start(v);
    rule_fields_on_correct_type(v, f);
    /* KnownArgumentNames */
    if (f->definition && f->objdef) {
        for (uint32_t i = 0; i < f->nargs; i++) {
            if (argdef_named(&v->b, f->definition->args, f->definition->nargs, f->args[i].name))
                continue;
            char head[GQL_MSG_MAX];
            snprintf(head, sizeof(head), "Unknown argument \"%.*s\" on field \"%.*s.%.*s\".", SF(f->args[i].name),
                     SF(f->objdef->name), SF(f->name));
            unknown_argument(v, &f->args[i], f->definition->args, f->definition->nargs, f->pos, head);
        }
    }
    if (v->cur_op)
        rule_overlapping(v, f->sels, f->nsels);
    if (f->definition)
        required_args(v, f->definition->args, f->definition->nargs, f->args, f->nargs, f->pos, "Field", f->name);
    rule_scalar_leafs(v, f);
    unique_args(v, f->args, f->nargs);
}

/* PossibleFragmentSpreads: whether a fragment on type `on` can apply where
 * objects of parent are expected. */
static bool spread_possible(vctx *v, const gql_def *parent, gql_str on)
{
    if (!parent)
        return true;
    const gql_def *single[1] = {parent};
    const gql_def *const *parents;
    uint32_t np;
    if (kind_is(parent, "OBJECT")) {
        parents = single;
        np = 1;
    } else if (is_abstract(parent)) {
        const plist *pt = possible_types(v->s, parent->name);
        parents = pt ? (const gql_def *const *)pt->items : NULL;
        np = pt ? pt->n : 0;
    } else {
        return true;
    }
    const gql_def *fd = type_def(v->s, on);
    if (!fd || !is_composite(fd))
        return true;
    const plist *fp = possible_types(v->s, fd->name);
    spend(&v->b, (uint64_t)(fp ? fp->n : 0) * np);
    for (uint32_t i = 0; fp && i < fp->n; i++)
        for (uint32_t k = 0; k < np; k++)
            if (fp->items[i] && parents[k] && gql_eq(((const gql_def *)fp->items[i])->name, parents[k]->name))
                return true;
    return false;
}

static void on_inline(vctx *v, gql_selection *s)
{
    event_start(v);
    const gql_def *t = type_def(v->s, s->type_cond);
    /* FragmentsOnCompositeTypes */
    if (t && !is_composite(t))
        errf(v, s->pos, "Fragment cannot condition on non composite type \"%.*s\".", SF(s->type_cond));
    /* KnownTypeNames */
    if (s->type_cond.n && !t)
        errf(v, s->pos, "Unknown type \"%.*s\".", SF(s->type_cond));
    rule_overlapping(v, s->sels, s->nsels);
    if (!spread_possible(v, s->objdef, s->type_cond))
        errf(v, s->pos, "Fragment cannot be spread here as objects of type \"%.*s\" can never be of type \"%.*s\".",
             SF(s->objdef->name), SF(s->type_cond));
}

static void on_spread(vctx *v, gql_selection *s)
{
    event_start(v);
    /* KnownFragmentNames */
    if (!s->fragment)
        errf(v, s->pos, "Unknown fragment \"%.*s\".", SF(s->name));
    /* NoUnusedFragments */
    if (!v->nuf_in_fragment)
        smap_put(&v->b, &v->nuf_used, s->name, (void *)1);
    if (s->fragment && !spread_possible(v, s->objdef, s->fragment->type_cond))
        errf(v, s->pos,
             "Fragment \"%.*s\" cannot be spread here as objects of type \"%.*s\" can never be of type \"%.*s\".",
             SF(s->name), SF(s->objdef->name), SF(s->fragment->type_cond));
}

/* ---- NoFragmentCycles ------------------------------------------------------------------------------ */

/* getFragmentSpreads: the spreads of a selection set, visiting nested sets
 * last-in first-out as gqlparser does. */
static plist fragment_spreads(vctx *v, gql_selection *sels, uint32_t n)
{
    plist out = {0}, stack = {0};
    typedef struct { gql_selection *s; uint32_t n; } set;
    set *root = talloc(&v->b, sizeof(*root));
    out.tmp = stack.tmp = true;
    if (!root)
        return out;
    root->s = sels;
    root->n = n;
    plist_push(&v->b, &stack, root);
    while (stack.n && !v->b.failed) {
        const set *cur = stack.items[--stack.n];
        if (!spend(&v->b, cur->n + 1))
            break;
        for (uint32_t i = 0; i < cur->n; i++) {
            gql_selection *s = &cur->s[i];
            if (s->kind == GQL_SEL_SPREAD) {
                plist_push(&v->b, &out, s);
            } else {
                set *sub = talloc(&v->b, sizeof(*sub));
                if (!sub)
                    break;
                sub->s = s->sels;
                sub->n = s->nsels;
                plist_push(&v->b, &stack, sub);
            }
        }
    }
    return out;
}

static gql_fragment *fragment_named(vctx *v, gql_str name)
{
    spend(&v->b, v->doc->nfrags);
    for (uint32_t i = 0; i < v->doc->nfrags; i++)
        if (gql_eq(v->doc->frags[i].name, name))
            return &v->doc->frags[i];
    return NULL;
}

typedef struct {
    plist path;   /* gql_selection* spreads */
    smap index;   /* fragment name -> path index + 1 (0: absent) */
} cycle_state;

static void cycles_visit(vctx *v, cycle_state *cs, gql_fragment *f, unsigned depth)
{
    if (smap_get(&v->nfc_visited, f->name) || too_deep(&v->b, depth))
        return;
    smap_put(&v->b, &v->nfc_visited, f->name, (void *)1);
    plist spreads = fragment_spreads(v, f->sels, f->nsels);
    if (spreads.n == 0 || v->b.failed)
        return;
    smap_put(&v->b, &cs->index, f->name, (void *)(uintptr_t)(cs->path.n + 1));
    for (uint32_t i = 0; i < spreads.n && !v->b.failed; i++) {
        gql_selection *sp = (gql_selection *)spreads.items[i];
        uintptr_t at = (uintptr_t)smap_get(&cs->index, sp->name);
        plist_push(&v->b, &cs->path, sp);
        if (!at) {
            gql_fragment *sf = fragment_named(v, sp->name);
            if (sf)
                cycles_visit(v, cs, sf, depth + 1);
        } else {
            rp_buf m;
            rp_buf_init(&m);
            rp_buf_printf(&m, "Cannot spread fragment \"%.*s\" within itself", SF(sp->name));
            for (uint32_t k = (uint32_t)at - 1; k + 1 < cs->path.n && m.len < GQL_MSG_MAX; k++) {
                const gql_selection *p = cs->path.items[k];
                rp_buf_puts(&m, k + 1 == (uint32_t)at ? " via " : ", ");
                rp_buf_printf(&m, "\"%.*s\"", SF(p->name));
            }
            rp_buf_putc(&m, '.');
            emit(v, sp->pos, &m);
        }
        cs->path.n--;
    }
    smap_put(&v->b, &cs->index, f->name, NULL);
}

/* ---- operations and fragments ----------------------------------------------------------------------- */

static const gql_def *root_for(vctx *v, gql_str op, bool *known)
{
    *known = true;
    if (op.n == 0 || gql_eq_c(op, "query"))
        return v->s->query;
    if (gql_eq_c(op, "mutation"))
        return v->s->mutation;
    if (gql_eq_c(op, "subscription"))
        return v->s->subscription;
    *known = false;
    return NULL;
}

typedef struct {
    gql_str name;
    gql_pos pos;
} topfield;

static void top_fields(vctx *v, gql_selection *sels, uint32_t n, plist *out, smap *seen_frags, unsigned depth)
{
    if (too_deep(&v->b, depth) || !spend(&v->b, n + 1))
        return;
    for (uint32_t i = 0; i < n; i++) {
        gql_selection *s = &sels[i];
        if (s->kind == GQL_SEL_FIELD) {
            plist_push(&v->b, out, s);
        } else if (s->kind == GQL_SEL_INLINE) {
            top_fields(v, s->sels, s->nsels, out, seen_frags, depth + 1);
        } else {
            if (!s->fragment)
                return; /* gqlparser returns from this selection set here */
            if (!smap_get(seen_frags, s->fragment->name)) {
                smap_put(&v->b, seen_frags, s->fragment->name, (void *)1);
                top_fields(v, s->fragment->sels, s->fragment->nsels, out, seen_frags, depth + 1);
            }
        }
    }
}

static void rule_single_field_subscriptions(vctx *v, gql_operation *op)
{
    if (!v->s->subscription || !gql_eq_c(op->operation, "subscription"))
        return;
    plist all = {0}, uniq = {0};
    smap seen_frags = {0}, seen = {0};
    all.tmp = uniq.tmp = seen_frags.tmp = seen.tmp = true;
    top_fields(v, op->sels, op->nsels, &all, &seen_frags, 0);
    for (uint32_t i = 0; i < all.n; i++) {
        const gql_selection *s = all.items[i];
        if (!smap_get(&seen, s->name))
            plist_push(&v->b, &uniq, s);
        smap_put(&v->b, &seen, s->name, (void *)1);
    }
    char name[300];
    if (op->name.n)
        snprintf(name, sizeof(name), "Subscription %s", quoted(op->name).s);
    else
        snprintf(name, sizeof(name), "Anonymous Subscription");
    if (uniq.n > 1)
        errf(v, ((const gql_selection *)uniq.items[1])->pos, "%s must select only one top level field.", name);
    for (uint32_t i = 0; i < uniq.n; i++) {
        const gql_selection *s = uniq.items[i];
        if (s->name.n >= 2 && s->name.s[0] == '_' && s->name.s[1] == '_')
            errf(v, s->pos, "%s must not select an introspection top level field.", name);
    }
}

static void on_operation(vctx *v, gql_operation *op)
{
    event_start(v);
    bool known;
    /* KnownRootType */
    if (!root_for(v, op->operation, &known))
        errf(v, op->pos, "Schema does not support operation type \"%.*s\"", SF(op->operation));
    /* LoneAnonymousOperation */
    if (op->name.n == 0 && v->doc->nops > 1)
        errf(v, op->pos, "This anonymous operation must be the only defined operation.");
    /* NoUnusedVariables */
    for (uint32_t i = 0; i < op->nvars; i++) {
        if (op->vars[i].used)
            continue;
        if (op->name.n)
            errf(v, op->vars[i].pos, "Variable \"$%.*s\" is never used in operation \"%.*s\".",
                 SF(op->vars[i].variable), SF(op->name));
        else
            errf(v, op->vars[i].pos, "Variable \"$%.*s\" is never used.", SF(op->vars[i].variable));
    }
    rule_overlapping(v, op->sels, op->nsels);
    rule_single_field_subscriptions(v, op);
    /* UniqueOperationNames */
    if (smap_get(&v->uon_seen, op->name))
        errf(v, op->pos, "There can be only one operation named \"%.*s\".", SF(op->name));
    smap_put(&v->b, &v->uon_seen, op->name, (void *)1);
    /* UniqueVariableNames: the second use of a name only */
    spend(&v->b, (uint64_t)op->nvars * op->nvars / 2 + 1);
    for (uint32_t i = 1; i < op->nvars; i++) {
        uint32_t before = 0;
        for (uint32_t k = 0; k < i; k++)
            before += gql_eq(op->vars[k].variable, op->vars[i].variable);
        if (before == 1)
            errf(v, op->vars[i].pos, "There can be only one variable named \"$%.*s\".", SF(op->vars[i].variable));
    }
    /* VariablesAreInputTypes */
    for (uint32_t i = 0; i < op->nvars; i++) {
        const gql_vardef *vd = &op->vars[i];
        if (vd->definition && !is_input_type(vd->definition))
            errf(v, vd->pos, "Variable \"$%.*s\" cannot be non-input type \"%s\".", SF(vd->variable),
                 type_str(vd->type).s);
    }
}

static void on_fragment(vctx *v, gql_fragment *f)
{
    event_start(v);
    const gql_def *t = f->definition;
    /* FragmentsOnCompositeTypes */
    if (t && f->type_cond.n && !is_composite(t))
        errf(v, f->pos, "Fragment \"%.*s\" cannot condition on non composite type \"%.*s\".", SF(f->name),
             SF(f->type_cond));
    /* KnownTypeNames */
    if (!type_def(v->s, f->type_cond)) {
        gql_str *names = talloc(&v->b, ((size_t)v->s->nsorted + 1) * sizeof(*names));
        if (names) {
            for (uint32_t i = 0; i < v->s->nsorted; i++)
                names[i] = v->s->sorted[i]->name;
            rp_buf m;
            rp_buf_init(&m);
            rp_buf_printf(&m, "Unknown type \"%.*s\".", SF(f->type_cond));
            suggest(&v->b, &m, "Did you mean", f->type_cond, names, v->s->nsorted, true);
            emit(v, f->pos, &m);
        }
    }
    /* NoFragmentCycles */
    cycle_state cs;
    memset(&cs, 0, sizeof(cs));
    cs.path.tmp = cs.index.tmp = true;
    cycles_visit(v, &cs, f, 0);
    /* NoUnusedFragments */
    v->nuf_in_fragment = true;
    if (!smap_get(&v->nuf_used, f->name))
        errf(v, f->pos, "Fragment \"%.*s\" is never used.", SF(f->name));
    rule_overlapping(v, f->sels, f->nsels);
    /* UniqueFragmentNames */
    if (smap_get(&v->ufn_seen, f->name))
        errf(v, f->pos, "There can be only one fragment named \"%.*s\".", SF(f->name));
    smap_put(&v->b, &v->ufn_seen, f->name, (void *)1);
}

/* ---- the walker ------------------------------------------------------------------------------------ */

static void walk_value(vctx *v, gql_value *val);

static bool walk_enter(vctx *v)
{
    if (too_deep(&v->b, ++v->depth))
        return false;
    return spend(&v->b, 1);
}

static gql_vardef *vardef_named(vctx *v, gql_str name)
{
    gql_operation *op = v->cur_op;
    spend(&v->b, op->nvars);
    for (uint32_t i = 0; i < op->nvars; i++)
        if (gql_eq(op->vars[i].variable, name))
            return &op->vars[i];
    return NULL;
}

static void walk_children(vctx *v, gql_value *val)
{
    for (uint32_t i = 0; i < val->nchildren && !v->b.failed; i++) {
        gql_value *c = val->children[i].value;
        if (!c)
            continue;
        if (val->kind == GQL_OBJECT_VALUE && val->definition) {
            const gql_fielddef *fd = field_named(&v->b, val->definition, val->children[i].name);
            if (fd) {
                c->expected = fd->type;
                c->definition = type_def(v->s, type_name(fd->type));
            }
        } else if (val->kind == GQL_LIST_VALUE && val->expected && val->expected->elem) {
            c->expected = val->expected->elem;
            c->definition = val->definition;
        }
        walk_value(v, c);
    }
}

static void walk_value(vctx *v, gql_value *val)
{
    if (!val || !walk_enter(v))
        return;
    if (val->kind == GQL_VARIABLE && v->cur_op) {
        val->vardef = vardef_named(v, val->raw);
        if (val->vardef)
            val->vardef->used = true;
    }
    if (val->kind == GQL_OBJECT_VALUE || val->kind == GQL_LIST_VALUE)
        walk_children(v, val);
    if (!v->b.failed)
        on_value(v, val);
    v->depth--;
}

static void walk_argument(vctx *v, const gql_argdef *ad, gql_arg *arg)
{
    if (ad && arg->value) {
        arg->value->expected = ad->type;
        arg->value->definition = type_def(v->s, type_name(ad->type));
    }
    walk_value(v, arg->value);
}

static void walk_directives(vctx *v, gql_directive *dirs, uint32_t n, const char *loc)
{
    for (uint32_t i = 0; i < n && !v->b.failed; i++) {
        gql_directive *d = &dirs[i];
        const gql_dirdef *def = smap_get(&v->s->directives, d->name);
        d->definition = def;
        d->vloc = loc;
        for (uint32_t k = 0; k < d->nargs && !v->b.failed; k++)
            walk_argument(v, def ? argdef_named(&v->b, def->args, def->nargs, d->args[k].name) : NULL,
                          &d->args[k]);
        if (!v->b.failed)
            on_directive(v, d);
    }
    if (!v->b.failed)
        on_directive_list(v, dirs, n);
}

static void walk_selections(vctx *v, const gql_def *parent, gql_selection *sels, uint32_t n);

static void walk_field(vctx *v, const gql_def *parent, gql_selection *f)
{
    const gql_fielddef *def = NULL;
    if (gql_eq_c(f->name, "__typename"))
        def = v->typename_def;
    else if (parent)
        def = field_named(&v->b, parent, f->name);
    f->definition = def;
    f->objdef = parent;
    const gql_def *next = def ? type_def(v->s, type_name(def->type)) : NULL;
    for (uint32_t i = 0; i < f->nargs && !v->b.failed; i++)
        walk_argument(v, def ? argdef_named(&v->b, def->args, def->nargs, f->args[i].name) : NULL, &f->args[i]);
    walk_directives(v, f->dirs, f->ndirs, "FIELD");
    walk_selections(v, next, f->sels, f->nsels);
    if (!v->b.failed)
        on_field(v, f);
}

static void walk_spread(vctx *v, const gql_def *parent, gql_selection *s)
{
    gql_fragment *f = fragment_named(v, s->name);
    s->fragment = f;
    s->objdef = parent;
    const gql_def *next = f ? type_def(v->s, f->type_cond) : NULL;
    walk_directives(v, s->dirs, s->ndirs, "FRAGMENT_SPREAD");
    if (f && (uintptr_t)smap_get(&v->validated, f->name) != v->vgen) {
        smap_put(&v->b, &v->validated, f->name, (void *)v->vgen);
        walk_selections(v, next, f->sels, f->nsels);
    }
    if (!v->b.failed)
        on_spread(v, s);
}

static void walk_selections(vctx *v, const gql_def *parent, gql_selection *sels, uint32_t n)
{
    if (!walk_enter(v))
        return;
    for (uint32_t i = 0; i < n && !v->b.failed; i++) {
        gql_selection *s = &sels[i];
        if (s->kind == GQL_SEL_FIELD) {
            walk_field(v, parent, s);
        } else if (s->kind == GQL_SEL_INLINE) {
            s->objdef = parent;
            const gql_def *next = s->type_cond.n ? type_def(v->s, s->type_cond) : parent;
            walk_directives(v, s->dirs, s->ndirs, "INLINE_FRAGMENT");
            walk_selections(v, next, s->sels, s->nsels);
            if (!v->b.failed)
                on_inline(v, s);
        } else {
            walk_spread(v, parent, s);
        }
    }
    v->depth--;
}

static void walk_operation(vctx *v, gql_operation *op)
{
    v->cur_op = op;
    for (uint32_t i = 0; i < op->nvars && !v->b.failed; i++) {
        gql_vardef *vd = &op->vars[i];
        vd->definition = type_def(v->s, type_name(vd->type));
        /* KnownTypeNames */
        if (!vd->definition)
            errf(v, vd->pos, "Unknown type \"%.*s\".", SF(type_name(vd->type)));
        if (vd->defval) {
            vd->defval->expected = vd->type;
            vd->defval->definition = vd->definition;
        }
    }
    bool known;
    const gql_def *root = root_for(v, op->operation, &known);
    const char *loc = !known ? "" : gql_eq_c(op->operation, "mutation") ? "MUTATION"
                                 : gql_eq_c(op->operation, "subscription") ? "SUBSCRIPTION" : "QUERY";
    for (uint32_t i = 0; i < op->nvars && !v->b.failed; i++) {
        walk_value(v, op->vars[i].defval);
        walk_directives(v, op->vars[i].dirs, op->vars[i].ndirs, "VARIABLE_DEFINITION");
    }
    walk_directives(v, op->dirs, op->ndirs, loc);
    walk_selections(v, root, op->sels, op->nsels);
    if (!v->b.failed)
        on_operation(v, op);
    v->cur_op = NULL;
}

static void walk_fragment(vctx *v, gql_fragment *f)
{
    const gql_def *def = type_def(v->s, f->type_cond);
    f->definition = def;
    walk_directives(v, f->dirs, f->ndirs, "FRAGMENT_DEFINITION");
    walk_selections(v, def, f->sels, f->nsels);
    if (!v->b.failed)
        on_fragment(v, f);
}

/* The validator's state (rule sets, fragment pairs) lives in a private
 * arena and the temporaries of each event in a scratch arena emptied after
 * it; both are budgeted, and neither is referenced once validation ends.
 * The synthetic __typename definition that fields point to is allocated in
 * the caller's arena, which the document lives in. */
rp_status gql_validate(rp_arena *a, const gql_schema *s, gql_query_doc *doc, gql_errlist *errs,
                       gql_error *err)
{
    vctx v;
    memset(&v, 0, sizeof(v));
    v.b.err = err;
    v.b.bounded = true;
    v.s = s;
    v.doc = doc;
    v.errs = errs;
    gql_fielddef *tn = rp_arena_zalloc(a, sizeof(*tn));
    gql_type *st = rp_arena_zalloc(a, sizeof(*st));
    v.b.a = rp_arena_new(REGO_GRAPHQL_MAX_SCRATCH_BYTES);
    v.b.scratch = rp_arena_new(REGO_GRAPHQL_MAX_SCRATCH_BYTES);
    if (!tn || !st || !v.b.a || !v.b.scratch) {
        rp_arena_free(v.b.a);
        rp_arena_free(v.b.scratch);
        return gql_error_set(err, RP_ERR_NOMEM, NOPOS, "out of memory");
    }
    st->named = GQL_LIT("String");
    tn->name = GQL_LIT("__typename");
    tn->type = st;
    v.typename_def = tn;
    for (uint32_t i = 0; i < doc->nops && !v.b.failed; i++) {
        v.vgen++;
        walk_operation(&v, &doc->ops[i]);
    }
    for (uint32_t i = 0; i < doc->nfrags && !v.b.failed; i++) {
        v.vgen++;
        walk_fragment(&v, &doc->frags[i]);
    }
    rp_arena_free(v.b.a);
    rp_arena_free(v.b.scratch);
    if (v.b.failed)
        return err->code ? err->code : RP_ERR_NOMEM;
    if (errs->text.failed)
        return gql_error_set(err, RP_ERR_NOMEM, NOPOS, "out of memory");
    return RP_OK;
}
