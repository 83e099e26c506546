/*
 * ast_write.c — writes AST nodes back as Rego text, in the shape OPA's
 * String() methods use (so error messages read like OPA's): calls in prefix
 * form with OPA's internal names (`plus(x, 1)`, `internal.member_2(x, xs)`),
 * except unification which is written `a = b`; refs as `a.b[x]` (a path
 * string that is not an identifier, or is a keyword, goes in brackets);
 * `set()` for the empty set; rules in normalised v1 form.
 *
 * Not a formatter: no line breaking, comments are not written.  Recursion
 * follows the tree, whose depth the parser bounds (REGO_PARSE_MAX_DEPTH).
 * No allocation beyond the caller's buffer; no globals.
 */
#include <string.h>

#include "ast.h"
#include "lex.h"

static void write_items(rp_buf *b, rego_term *const *items, uint32_t n, const char *sep)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            rp_buf_puts(b, sep);
        rego_term_write(b, items[i]);
    }
}

/* A path element that can be written `.name`: an identifier that is not a
 * keyword (OPA's varRegexp and IsKeyword). */
static bool is_dot_name(const rego_value *v)
{
    if (v->kind != REGO_STRING || v->n == 0)
        return false;
    const char *s = v->u.s;
    for (uint32_t i = 0; i < v->n; i++) {
        char c = s[i];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return rego_lex_keyword(s, v->n, REGO_KW_ALL) == REGO_TOK_IDENT;
}

static void write_path(rp_buf *b, rego_term *const *items, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const rego_term *e = items[i];
        if (e->kind == REGO_TERM_VALUE && is_dot_name(&e->u.value)) {
            rp_buf_putc(b, '.');
            rp_buf_append(b, e->u.value.u.s, e->u.value.n);
        } else {
            rp_buf_putc(b, '[');
            rego_term_write(b, e);
            rp_buf_putc(b, ']');
        }
    }
}

static void write_object(rp_buf *b, const rego_term *t)
{
    rp_buf_putc(b, '{');
    for (uint32_t i = 0; i + 1 < t->n; i += 2) {
        if (i)
            rp_buf_puts(b, ", ");
        rego_term_write(b, t->u.c.items[i]);
        rp_buf_puts(b, ": ");
        rego_term_write(b, t->u.c.items[i + 1]);
    }
    rp_buf_putc(b, '}');
}

static void write_compr(rp_buf *b, const rego_term *t, char open, char close)
{
    rp_buf_putc(b, open);
    rego_term_write(b, t->u.c.items[0]);
    if (t->kind == REGO_TERM_OBJECT_COMPR) {
        rp_buf_puts(b, ": ");
        rego_term_write(b, t->u.c.items[1]);
    }
    rp_buf_puts(b, " | ");
    rego_body_write(b, t->u.c.body);
    rp_buf_putc(b, close);
}

/* Template text in the $"..." form: escaped so that it reads back as the
 * same string (quote, backslash, control characters, and the characters
 * the scanner rejects in source: U+FEFF, and invalid UTF-8 as U+FFFD), with
 * every `{` written `\{` (OPA's EscapeTemplateStringStringPart). */
static void write_template_text(rp_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = rp_utf8_decode(s + i, n - i, &cp);
            if (!k) {
                rp_buf_puts(b, "\\ufffd");
                i++;
            } else if (cp == 0xFEFF || cp == 0x2028 || cp == 0x2029) {
                rp_buf_printf(b, "\\u%04x", (unsigned)cp);
                i += k;
            } else {
                rp_buf_append(b, s + i, k);
                i += k;
            }
            continue;
        }
        switch (c) {
        case '{': rp_buf_puts(b, "\\{"); break;
        case '"': rp_buf_puts(b, "\\\""); break;
        case '\\': rp_buf_puts(b, "\\\\"); break;
        case '\n': rp_buf_puts(b, "\\n"); break;
        case '\r': rp_buf_puts(b, "\\r"); break;
        case '\t': rp_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20)
                rp_buf_printf(b, "\\u%04x", c);
            else
                rp_buf_putc(b, (char)c);
        }
        i++;
    }
}

/* OPA's TemplateString String(): always the $"..." form; parts kept as
 * terms are written as text (a number or boolean as its literal), others
 * as {expr}.  A part whose expression is a lone scalar (braces that held a
 * comment) is written as text too, which is what it reads back as: so
 * writing, reading and writing again gives the same text. */
static void write_template(rp_buf *b, const rego_term *t)
{
    const rego_body *parts = t->u.c.body;
    rp_buf_puts(b, "$\"");
    for (uint32_t i = 0; parts && i < parts->n; i++) {
        const rego_expr *e = parts->exprs[i];
        const rego_term *x = e->term;
        if (e->kind == REGO_EXPR_TERM && !e->negated && x && x->kind == REGO_TERM_VALUE) {
            if (x->u.value.kind == REGO_STRING)
                write_template_text(b, x->u.value.u.s, x->u.value.n);
            else
                rego_value_write(b, x->u.value, REGO_FMT_REGO);
            continue;
        }
        rp_buf_putc(b, '{');
        rego_expr_write(b, e);
        rp_buf_putc(b, '}');
    }
    rp_buf_putc(b, '"');
}

void rego_term_write(rp_buf *b, const rego_term *t)
{
    if (!t) {
        rp_buf_puts(b, "<nil>");
        return;
    }
    switch ((rego_term_kind)t->kind) {
    case REGO_TERM_VALUE:
        rego_value_write(b, t->u.value, REGO_FMT_REGO);
        return;
    case REGO_TERM_VAR:
        rp_buf_append(b, t->u.var.name, t->u.var.len);
        return;
    case REGO_TERM_LOCAL:
        if (t->u.var.name)
            rp_buf_append(b, t->u.var.name, t->u.var.len);
        else
            rp_buf_printf(b, "$%d", (int)t->u.var.slot);
        return;
    case REGO_TERM_DATA:
        rp_buf_puts(b, "data");
        return;
    case REGO_TERM_INPUT:
        rp_buf_puts(b, "input");
        return;
    case REGO_TERM_REF:
        if (t->n == 0)
            return;
        rego_term_write(b, t->u.c.items[0]);
        write_path(b, t->u.c.items + 1, t->n - 1);
        return;
    case REGO_TERM_ARRAY:
        rp_buf_putc(b, '[');
        write_items(b, t->u.c.items, t->n, ", ");
        rp_buf_putc(b, ']');
        return;
    case REGO_TERM_SET:
        if (t->n == 0) {
            rp_buf_puts(b, "set()");
            return;
        }
        rp_buf_putc(b, '{');
        write_items(b, t->u.c.items, t->n, ", ");
        rp_buf_putc(b, '}');
        return;
    case REGO_TERM_OBJECT:
        write_object(b, t);
        return;
    case REGO_TERM_ARRAY_COMPR:
        write_compr(b, t, '[', ']');
        return;
    case REGO_TERM_SET_COMPR:
    case REGO_TERM_OBJECT_COMPR:
        write_compr(b, t, '{', '}');
        return;
    case REGO_TERM_CALL:
        if (t->n == 0)
            return;
        rego_term_write(b, t->u.c.items[0]);
        rp_buf_putc(b, '(');
        write_items(b, t->u.c.items + 1, t->n - 1, ", ");
        rp_buf_putc(b, ')');
        return;
    case REGO_TERM_TEMPLATE:
        write_template(b, t);
        return;
    }
}

static bool is_eq_call(const rego_term *t)
{
    if (t->kind != REGO_TERM_CALL || t->n != 3)
        return false;
    const rego_term *op = t->u.c.items[0];
    return op->kind == REGO_TERM_REF && op->n == 1 && op->u.c.items[0]->kind == REGO_TERM_VAR &&
           strcmp(op->u.c.items[0]->u.var.name, "eq") == 0;
}

static void write_key_value_in(rp_buf *b, const rego_expr *e)
{
    if (e->key) {
        rego_term_write(b, e->key);
        rp_buf_puts(b, ", ");
    }
    rego_term_write(b, e->value);
    rp_buf_puts(b, " in ");
    rego_term_write(b, e->domain);
}

void rego_expr_write(rp_buf *b, const rego_expr *e)
{
    if (e->negated)
        rp_buf_puts(b, "not ");
    switch ((rego_expr_kind)e->kind) {
    case REGO_EXPR_TERM:
        if (is_eq_call(e->term)) {
            rego_term_write(b, e->term->u.c.items[1]);
            rp_buf_puts(b, " = ");
            rego_term_write(b, e->term->u.c.items[2]);
        } else {
            rego_term_write(b, e->term);
        }
        break;
    case REGO_EXPR_SOME:
        rp_buf_puts(b, "some ");
        write_items(b, e->vars, e->nvars, ", ");
        break;
    case REGO_EXPR_SOME_IN:
        rp_buf_puts(b, "some ");
        write_key_value_in(b, e);
        break;
    case REGO_EXPR_EVERY:
        rp_buf_puts(b, "every ");
        write_key_value_in(b, e);
        rp_buf_puts(b, " { ");
        rego_body_write(b, e->body);
        rp_buf_puts(b, " }");
        break;
    }
    for (uint32_t i = 0; i < e->nwith; i++) {
        rp_buf_puts(b, " with ");
        rego_term_write(b, e->withs[i].target);
        rp_buf_puts(b, " as ");
        rego_term_write(b, e->withs[i].value);
    }
}

void rego_body_write(rp_buf *b, const rego_body *body)
{
    if (!body)
        return;
    for (uint32_t i = 0; i < body->n; i++) {
        if (i)
            rp_buf_puts(b, "; ");
        rego_expr_write(b, body->exprs[i]);
    }
}

static void write_value_and_body(rp_buf *b, const rego_rule *r)
{
    if (r->value) {
        rp_buf_puts(b, r->assign ? " := " : " = ");
        rego_term_write(b, r->value);
    }
    if (r->body) {
        rp_buf_puts(b, " if { ");
        rego_body_write(b, r->body);
        rp_buf_puts(b, " }");
    }
}

void rego_rule_write(rp_buf *b, const rego_rule *r)
{
    if (r->is_default)
        rp_buf_puts(b, "default ");
    rego_term_write(b, r->ref);
    if (r->is_func) {
        rp_buf_putc(b, '(');
        write_items(b, r->args, r->nargs, ", ");
        rp_buf_putc(b, ')');
    }
    if (r->contains) {
        rp_buf_puts(b, " contains ");
        rego_term_write(b, r->key);
    }
    write_value_and_body(b, r);
    for (const rego_rule *e = r->else_; e; e = e->else_) {
        rp_buf_puts(b, " else");
        write_value_and_body(b, e);
    }
}

void rego_module_write(rp_buf *b, const rego_module *m)
{
    const rego_term *pkg = m->package;
    rp_buf_puts(b, "package ");
    if (pkg && pkg->n >= 2 && pkg->u.c.items[1]->kind == REGO_TERM_VALUE) {
        const rego_value *first = &pkg->u.c.items[1]->u.value;
        rp_buf_append(b, first->u.s, first->n);
        write_path(b, pkg->u.c.items + 2, pkg->n - 2);
    }
    rp_buf_putc(b, '\n');
    for (uint32_t i = 0; i < m->nimports; i++) {
        rp_buf_puts(b, "import ");
        rego_term_write(b, m->imports[i].path);
        if (m->imports[i].alias) {
            rp_buf_puts(b, " as ");
            rp_buf_puts(b, m->imports[i].alias);
        }
        rp_buf_putc(b, '\n');
    }
    for (uint32_t i = 0; i < m->nrules; i++) {
        rego_rule_write(b, m->rules[i]);
        rp_buf_putc(b, '\n');
    }
}
