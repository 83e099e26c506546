/*
 * ast.h — the Rego abstract syntax tree produced by the parser (parse.c) and
 * consumed by the compiler (compile.c).
 *
 * Ownership: every node, string and value of a tree lives in the rp_arena
 * passed to the parser; the tree is freed with that arena.  The parser fills
 * only the syntax fields; fields marked "compiler" are zero after parsing and
 * belong to the compiler.
 *
 * Shape (mirrors OPA's ast package so behaviour maps one to one):
 *  - A term is a scalar value, a variable, a ref, a composite literal, a
 *    comprehension or a call.
 *  - Operators are calls: `a + b` is call(plus, a, b); `x = y` is
 *    call(eq, x, y); `x := y` is call(assign, x, y); `a == b` equal, `!=` neq,
 *    `<` lt, `<=` lte, `>` gt, `>=` gte, `-` minus, `*` mul, `/` div,
 *    `%` rem, `&` and, `|` or; `x in xs` is call(internal.member_2, x, xs) and
 *    `k, v in xs` call(internal.member_3, k, v, xs).  The operator of a call
 *    is a REF term whose head is a VAR (`count`, `array.concat` →
 *    ref(var array, "concat"), `data.pkg.f`, a local function `f`).
 *  - The old calling convention `count(xs, n)` (output as last argument) is
 *    just a call with one extra argument; the compiler sorts that out.
 */
#ifndef RAMPART_REGO_AST_H
#define RAMPART_REGO_AST_H

#include "value.h"

typedef enum {
    REGO_V0 = 0, /* OPA 0.x syntax: `p[x] { }`, `p { }`, keywords only via imports */
    REGO_V1 = 1, /* OPA 1.x syntax: `if`/`contains` required, keywords reserved */
} rego_version;

typedef enum {
    REGO_TERM_VALUE = 1, /* scalar literal: null, true/false, number, string (u.value) */
    REGO_TERM_VAR,       /* variable; "_" is the wildcard (each one distinct) */
    REGO_TERM_REF,       /* items[0] = head (VAR, or any term: `[1,2][0]`, `f(x).y`);
                          * items[1..] = path: `.name` is a STRING VALUE term,
                          * `[t]` is the term t */
    REGO_TERM_ARRAY,     /* items */
    REGO_TERM_SET,       /* items; `set()` parses to an empty SET */
    REGO_TERM_OBJECT,    /* items[2i] = key, items[2i+1] = value */
    REGO_TERM_ARRAY_COMPR,  /* [head | body]: items[0] = head */
    REGO_TERM_SET_COMPR,    /* {head | body}: items[0] = head */
    REGO_TERM_OBJECT_COMPR, /* {key: value | body}: items[0] = key, items[1] = value */
    REGO_TERM_CALL,      /* items[0] = operator (REF), items[1..] = arguments */
    REGO_TERM_TEMPLATE,  /* template string $"..{e}.." or $`..{e}..` (OPA 1.12):
                          * u.c.body holds its parts in order, n is 0.  A part
                          * OPA keeps as a plain term (literal text, or a
                          * scalar alone in braces: {"a"}, {1}) is an
                          * expression with tmpl_term set and a VALUE term;
                          * every other part is the expression written in
                          * braces, `with` modifiers included.  The compiler
                          * lowers the term to internal.template_string(...). */
    /* Compiler-only kinds (never produced by the parser): */
    REGO_TERM_LOCAL,     /* resolved local variable: u.var.slot */
    REGO_TERM_DATA,      /* the root `data` (head of a ref) */
    REGO_TERM_INPUT,     /* the root `input` (head of a ref) */
} rego_term_kind;

typedef struct rego_body rego_body;

/* rego_term.flags_ bits set by the parser (the compiler owns the others). */
enum {
    REGO_TF_RAW_TEMPLATE = 1u << 15, /* TEMPLATE written in the raw form $`...` */
};

typedef struct rego_term {
    uint8_t kind; /* rego_term_kind */
    uint8_t ground_; /* compiler: 1 if the term contains no variables */
    uint16_t flags_; /* compiler, except the REGO_TF_* bits above */
    uint32_t n;   /* number of items */
    rp_loc loc;
    union {
        rego_value value;       /* VALUE */
        struct {
            const char *name;   /* VAR: NUL-terminated, in the arena */
            uint32_t len;
            int32_t slot;       /* compiler */
        } var;
        struct {
            struct rego_term **items;
            rego_body *body;    /* comprehensions */
            void *resolved;     /* compiler */
        } c;
    } u;
} rego_term;

typedef struct {
    rego_term *target; /* REF: input..., data..., or a function/builtin name */
    rego_term *value;
    rp_loc loc;
    void *compiled_;   /* compiler */
} rego_with;

typedef enum {
    REGO_EXPR_TERM = 1, /* a term: a call (operators, builtins, functions) or a
                         * plain term that must be defined and not false */
    REGO_EXPR_SOME,     /* `some a, b` declaration: vars */
    REGO_EXPR_SOME_IN,  /* `some v in xs` / `some k, v in xs`: key (NULL if
                         * absent), value, domain */
    REGO_EXPR_EVERY,    /* `every v in xs { body }` / `every k, v in xs { }` */
} rego_expr_kind;

typedef struct rego_expr {
    uint8_t kind;  /* rego_expr_kind */
    bool negated;  /* `not ...` (TERM only) */
    bool tmpl_term; /* a TEMPLATE part kept as a plain term (see REGO_TERM_TEMPLATE) */
    uint8_t flags_; /* compiler */
    uint32_t nvars;
    uint32_t nwith;
    uint32_t index_; /* compiler */
    rp_loc loc;
    rego_term *term;    /* TERM */
    rego_term **vars;   /* SOME: VAR terms */
    rego_term *key;     /* SOME_IN / EVERY: NULL when only a value is given */
    rego_term *value;   /* SOME_IN / EVERY (a term: may be a composite pattern) */
    rego_term *domain;  /* SOME_IN / EVERY */
    rego_body *body;    /* EVERY */
    rego_with *withs;   /* `with` modifiers, in source order */
    void *compiled_;    /* compiler */
} rego_expr;

struct rego_body {
    rego_expr **exprs;
    uint32_t n;
    rp_loc loc;
    void *compiled_; /* compiler */
};

/* A rule as written.  The parser normalises the surface syntax of both
 * versions into these fields:
 *   p := 1 / p = 1                 ref=p, value=1
 *   p if { ... } / v0: p { ... }   ref=p, value=NULL (means true)
 *   p contains x if { ... }        ref=p, key=x, contains
 *   v0: p[x] { ... } (no value)    ref=p, key=x, contains (partial set)
 *   p[x] := y if / v0: p[x] = y    ref=p[x], value=y (partial object)
 *   a.b[c] contains x if           ref=a.b[c], key=x, contains
 *   f(x, y) := z if { ... }        ref=f, args, value=z
 *   default p := 1                 is_default, ref=p, value=1, body=NULL
 * A rule with several bodies in v0 (`p { a } { b }`) becomes several rules.
 * `else` clauses hang off the rule they follow, in order. */
typedef struct rego_rule {
    rp_loc loc;
    rego_term *ref;     /* REF term; head is a VAR */
    rego_term **args;   /* function arguments, NULL when not a function */
    uint32_t nargs;
    bool is_func;       /* true for `f()` with zero args too */
    bool is_default;
    bool assign;        /* written with := */
    bool contains;      /* multi-value rule (partial set) */
    rego_term *key;     /* contains: the element */
    rego_term *value;   /* NULL means `true` */
    rego_body *body;    /* NULL for rules without a body (`p := 1`, default) */
    struct rego_rule *else_; /* next else clause, NULL at the end */
    const char *metadata;    /* raw YAML of a preceding `# METADATA` block, or NULL */
    void *compiled_;         /* compiler */
} rego_rule;

typedef struct {
    rego_term *path;   /* REF: data.x.y / input.x / future.keywords.in / rego.v1 */
    const char *alias; /* `as name`, or NULL */
    rp_loc loc;
} rego_import;

typedef struct {
    const char *text;  /* the comment's text after '#', without newline */
    rp_loc loc;
} rego_comment;

typedef struct rego_module {
    const char *filename;
    rego_version version;   /* effective syntax (v0 file with `import rego.v1` → V1) */
    rego_term *package;     /* REF term: data.a.b (the parser prepends `data`) */
    rego_import *imports;
    uint32_t nimports;
    rego_rule **rules;
    uint32_t nrules;
    rego_comment *comments;
    uint32_t ncomments;
    rp_loc loc;
    const char *metadata;   /* raw YAML of a `# METADATA` block before the
                             * package (added by the parser), or NULL */
} rego_module;

/* Parses one module.  src need not be NUL-terminated.  On error returns
 * RP_ERR_SYNTAX (or RP_ERR_LIMIT / RP_ERR_NOMEM) with err set to the first
 * problem as OPA reports it: kind RP_EK_PARSE, file:line:col, and OPA's
 * message text where OPA has one ("unexpected eof token: expected ident"). */
rp_status rego_parse_module(rp_arena *a, const char *src, size_t n, const char *filename,
                            rego_version version, rego_module **out, rp_error *err);

/* Parses a query: one or more expressions separated by ';' or newlines. */
rp_status rego_parse_query(rp_arena *a, const char *src, size_t n, const char *filename,
                           rego_version version, rego_body **out, rp_error *err);

/* Parses a single term (e.g. an input written in Rego syntax). */
rp_status rego_parse_term(rp_arena *a, const char *src, size_t n, const char *filename,
                          rego_version version, rego_term **out, rp_error *err);

/* Writes terms, expressions, bodies, rules and modules back as Rego text
 * (for error messages, debugging and tests; not a formatter). */
void rego_term_write(rp_buf *b, const rego_term *t);
void rego_expr_write(rp_buf *b, const rego_expr *e);
void rego_body_write(rp_buf *b, const rego_body *body);
void rego_rule_write(rp_buf *b, const rego_rule *r);
void rego_module_write(rp_buf *b, const rego_module *m);

#endif
