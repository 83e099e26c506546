/*
 * fuzz_rego.c — libFuzzer harness for the Rego parser.
 *
 * The first byte chooses what the rest is: bit 0 the version (1 = v1), bits
 * 1-2 the entry point (3 = query, 2 = term, else module).  Every input is
 * parsed into a fresh budgeted arena.  Beyond "no crash, leak or hang":
 *  - a failure carries an error with a message and a line;
 *  - a v1 module that parses, written back with rego_module_write, parses
 *    again and writes the same text (the printer and the parser agree on
 *    the tree), or the harness aborts so that libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/ast.h"
#include "rego/lex.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* far above what libFuzzer's inputs need */

static char *module_text(const rego_module *m, size_t *n)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_module_write(&b, m);
    if (b.failed) {
        rp_buf_free(&b);
        return NULL;
    }
    *n = b.len;
    return rp_buf_steal(&b);
}

/* A keyword used as a variable (`some.x` at the start of an expression is
 * a ref named `some`) is valid where it was written but cannot be written
 * back everywhere, so such modules are not round-tripped. */
static bool body_has_keyword_var(const rego_body *b);

static bool has_keyword_var(const rego_term *t)
{
    if (!t)
        return false;
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VAR:
        return rego_lex_keyword(t->u.var.name, t->u.var.len, REGO_KW_ALL) != REGO_TOK_IDENT;
    case REGO_TERM_VALUE: case REGO_TERM_LOCAL: case REGO_TERM_DATA: case REGO_TERM_INPUT:
        return false;
    case REGO_TERM_REF: case REGO_TERM_ARRAY: case REGO_TERM_SET: case REGO_TERM_OBJECT:
    case REGO_TERM_CALL: case REGO_TERM_ARRAY_COMPR: case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        for (uint32_t i = 0; i < t->n; i++)
            if (has_keyword_var(t->u.c.items[i]))
                return true;
        return t->u.c.body && body_has_keyword_var(t->u.c.body);
    }
    return false;
}

static bool body_has_keyword_var(const rego_body *b)
{
    for (uint32_t i = 0; b && i < b->n; i++) {
        const rego_expr *e = b->exprs[i];
        if (has_keyword_var(e->term) || has_keyword_var(e->key) || has_keyword_var(e->value) ||
            has_keyword_var(e->domain) || body_has_keyword_var(e->body))
            return true;
        for (uint32_t j = 0; j < e->nvars; j++)
            if (has_keyword_var(e->vars[j]))
                return true;
        for (uint32_t j = 0; j < e->nwith; j++)
            if (has_keyword_var(e->withs[j].target) || has_keyword_var(e->withs[j].value))
                return true;
    }
    return false;
}

static bool module_has_keyword_var(const rego_module *m)
{
    for (uint32_t i = 0; i < m->nrules; i++)
        for (const rego_rule *r = m->rules[i]; r; r = r->else_) {
            if (has_keyword_var(r->ref) || has_keyword_var(r->key) || has_keyword_var(r->value) ||
                body_has_keyword_var(r->body))
                return true;
            for (uint32_t j = 0; j < r->nargs; j++)
                if (has_keyword_var(r->args[j]))
                    return true;
        }
    return false;
}

static void check_roundtrip(const rego_module *m)
{
    if (module_has_keyword_var(m))
        return;
    size_t n1, n2;
    char *t1 = module_text(m, &n1);
    if (!t1)
        return;
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    rp_error err = {0};
    rego_module *again = NULL;
    rp_status rc = a ? rego_parse_module(a, t1, n1, "again.rego", REGO_V1, &again, &err) : RP_ERR_NOMEM;
    if (rc == RP_OK) {
        char *t2 = module_text(again, &n2);
        if (t2 && (n1 != n2 || memcmp(t1, t2, n1) != 0))
            abort();
        free(t2);
    } else if (rc != RP_ERR_NOMEM && rc != RP_ERR_LIMIT) {
        abort();
    }
    rp_arena_free(a);
    free(t1);
}

static void check_error(rp_status rc, const rp_error *err)
{
    if (rc != RP_OK && (err->code != rc || err->msg[0] == 0 || err->kind != RP_EK_PARSE))
        abort();
    if (rc == RP_ERR_SYNTAX && err->loc.line == 0 && strcmp(err->msg, "empty module") != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    rego_version v = (data[0] & 1) ? REGO_V1 : REGO_V0;
    unsigned entry = (data[0] >> 1) & 3;
    const char *src = (const char *)data + 1;
    size_t n = size - 1;
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    rp_error err = {0};
    rp_status rc;
    if (entry == 3) {
        rego_body *b;
        rc = rego_parse_query(a, src, n, "fuzz.rego", v, &b, &err);
    } else if (entry == 2) {
        rego_term *t;
        rc = rego_parse_term(a, src, n, "fuzz.rego", v, &t, &err);
    } else {
        rego_module *m = NULL;
        rc = rego_parse_module(a, src, n, "fuzz.rego", v, &m, &err);
        if (rc == RP_OK && v == REGO_V1)
            check_roundtrip(m);
    }
    check_error(rc, &err);
    rp_arena_free(a);
    return 0;
}
