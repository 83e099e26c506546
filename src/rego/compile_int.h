/*
 * compile_int.h — the compiled form of a policy, shared by the compiler
 * (compile.c) and the evaluator (eval.c).  Not a public interface.
 *
 * A compiled policy is a tree of rnodes mirroring `data`: one node per
 * ground path segment of a package or rule head.  Rules defined at a path
 * are grouped in one ruleset at that node.  Rule bodies are the parser's AST,
 * rewritten in place by the compiler: variables become frame slots
 * (REGO_TERM_LOCAL), `data`/`input` become root terms, ground literals are
 * folded into VALUE terms, calls are resolved (ccall), and body expressions
 * are reordered so every variable is bound before it is needed.
 *
 * Everything here is immutable after compilation.
 */
#ifndef RAMPART_REGO_COMPILE_INT_H
#define RAMPART_REGO_COMPILE_INT_H

#include "ast.h"
#include "builtin.h"
#include "engine.h"

typedef enum {
    RS_COMPLETE = 1, /* p := v: one value */
    RS_MULTI,        /* p contains x (optionally below a ref suffix): a set */
    RS_OBJECT,       /* p[k] := v, p.q[k].r := v: an object built from suffixes */
    RS_FUNC,         /* f(x) := y */
} rs_kind;

struct ruleset;
struct rnode;

/* One rule definition (the head of an else chain points to its else). */
typedef struct crule {
    const rego_rule *src;
    struct ruleset *rs;
    rego_term **suffix;  /* ref-head terms after the ground prefix */
    uint32_t nsuffix;
    rego_term *key;      /* RS_MULTI: the element */
    rego_term *value;    /* head value; NULL means true */
    rego_term **args;    /* RS_FUNC: parameter patterns */
    uint32_t nargs;
    rego_body *body;     /* reordered; never NULL (may be empty) */
    uint32_t nslots;     /* frame size for one invocation */
    struct crule *els;   /* next else clause */
    bool const_value;    /* value is a ground constant */
    rp_loc loc;
    rego_value annotations; /* rule-scope METADATA (object) or UNDEF */
    rego_value path;        /* the rule's path below data (array), for rego.metadata */
    const struct pkg_annot *pkg; /* the package's annotations, see below */
} crule;

/* Package- and subpackages-scope annotations of one package. */
typedef struct pkg_annot {
    rego_value path;        /* package path below data */
    rego_value package;     /* scope: package (object) or UNDEF */
    rego_value subpackages; /* scope: subpackages (object) or UNDEF */
    const struct pkg_annot *parent_chain; /* unused; lookups go through the policy list */
} pkg_annot;

typedef struct ruleset {
    rs_kind kind;
    crule **rules;
    uint32_t n, cap;
    crule *deflt;        /* default rule, or NULL */
    const char *name;    /* "data.pkg.p" for messages */
    uint32_t id;         /* index into per-query caches */
    uint32_t arity;      /* RS_FUNC */
    bool early_exit;     /* RS_COMPLETE: every rule yields the same constant */
    bool zero_arg_func;  /* RS_COMPLETE written as a v0 function `f() = 1` */
    rego_value doc_annotations; /* scope: document METADATA of this path, or UNDEF */
    struct rnode *node;
    /* Rule index on `input.x.y == "const"` tests: see compile.c */
    struct rule_index *index;
    int visiting;        /* compiler: recursion check state */
} ruleset;

/* Rule index (OPA's "rule indexing"): most rules of a set often start with
 * the same equality test on a ground ref (`input.request.kind.kind == "Pod"`).
 * The ref is evaluated once per ruleset evaluation and only the rules whose
 * constant matches (or that have no such test) run. */
typedef struct rule_index {
    const rego_term *ref; /* ground INPUT/DATA ref */
    rego_value *keys;     /* per rule of the set: the constant, or UNDEF */
} rule_index;

typedef struct rnode {
    rego_value key;       /* the segment (usually a string) */
    struct rnode **kids;  /* sorted by key after compilation */
    uint32_t nkids, capkids;
    uint32_t *kidx;       /* while placing rules: hash index over kids (slot = index + 1) */
    uint32_t kmask;       /* kidx size - 1 */
    ruleset *rs;          /* rules defined exactly here, or NULL */
    bool has_values;      /* this node or a descendant has non-function rules */
    bool has_funcs;
    bool rule_name;       /* a rule's head starts here (a name rules of the package can use) */
    struct rnode *parent;
    const char *path;     /* "data.a.b" */
} rnode;

/* A resolved call target. */
typedef struct ccall {
    const rego_builtin *bi; /* builtin, or */
    ruleset *fn;            /* user function */
    uint32_t nargs;         /* declared arity */
    bool has_output;        /* called with one extra argument: the output */
    int special;            /* CALL_* below, for calls the evaluator handles itself */
} ccall;

enum {
    CALL_NONE = 0,
    CALL_EQ,           /* =  (unification) */
    CALL_ASSIGN,       /* := */
    CALL_WALK,         /* walk(x, [p, v]) relation with pattern output */
    CALL_METADATA_RULE,
    CALL_METADATA_CHAIN,
};

/* Term flags (rego_term.flags_). */
enum {
    TF_HASHED = 1, /* VALUE string term: rego_term.n holds its rego_hash_str (low 32 bits) */
    TF_TEMPLATE = 2, /* SET_COMPR capturing one template-string expression (compile.c) */
    TF_PRINT = 4,    /* SET_COMPR capturing one print argument (compile.c) */
};

/* A data ref's ground prefix resolved at compile time (REF term's
 * u.c.resolved): the walk may start at node with base, at path item i.
 * Only valid when no `with data` overlay is active. */
typedef struct cref {
    const struct rnode *node; /* NULL: below the rule tree, plain base data */
    uint32_t i;
    rego_value base;
} cref;

/* Expression operation, precomputed into rego_expr.flags_. */
enum {
    EXPR_OP_TERM = 1,  /* plain term: defined and not false */
    EXPR_OP_UNIFY,     /* a = b / a := b */
    EXPR_OP_CALL,      /* builtin or function call as a statement (or with output arg) */
    EXPR_OP_SOME_IN,
    EXPR_OP_EVERY,
    EXPR_OP_NOP,       /* `some x` declarations after compilation */
};

/* A with-modifier target, resolved. */
typedef struct cwith {
    int kind;            /* WITH_INPUT, WITH_DATA, WITH_FUNC */
    rego_value path;     /* array of path keys below input/data */
    const rego_builtin *bi;  /* WITH_FUNC: the mocked builtin, or */
    ruleset *fn;             /* the mocked function */
    ccall *repl;         /* WITH_FUNC replaced by a function/builtin (NULL: by value) */
} cwith;

enum { WITH_INPUT = 1, WITH_DATA, WITH_FUNC };

struct rego_policy {
    rp_arena *arena;
    rego_module **modules;
    uint32_t nmodules, capmodules;
    rego_value data;        /* base document (object) */
    rnode *root;
    ruleset **rulesets;
    uint32_t nrulesets, caprulesets;
    size_t nrules;
    bool compiled;
    bool tree_sorted;       /* kids of every rnode sorted (rego_node_child works) */
    pkg_annot **pkgs;       /* annotations per package path */
    uint32_t npkgs, cappkgs;
};

struct rego_query {
    const rego_policy *p;
    rp_arena *arena;
    rego_body *body;
    uint32_t nslots;
    uint32_t nvars;
    const char **var_names;
    int32_t *var_slots;
    uint32_t nexprs;
    const char **expr_text;
    rego_expr **top;       /* top-level expressions in source order */
    int32_t *top_slot;     /* slot holding each top-level expression's value, or -1 */
};

/* The child of n with the given key (binary search; n may be NULL). */
rnode *rego_node_child(const rnode *n, rego_value key);

/* rego.metadata.rule() and rego.metadata.chain() for the rule being
 * evaluated (NULL outside rules: the query). */
rego_value rego_metadata_rule(const crule *cr);
rego_value rego_metadata_chain(const rego_policy *p, const crule *cr, rp_arena *a);

/* Arity of the user function a call operator (`data.pkg.f`) names, or -1. */
int rego_policy_func_arity(const rego_policy *p, const rego_term *op);

/* Compiler entry used by the query compiler too. */
rp_status rego_compile_query_body(const rego_policy *p, rp_arena *a, rego_body *body,
                                  uint32_t *nslots, const char ***names, int32_t **slots,
                                  uint32_t *nnames, rp_error *err);

#endif
