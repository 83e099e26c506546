/*
 * template.c — the builtin group "template": the two builtins the compiler
 * lowers to, internal.template_string for a template string ($"..{x}..",
 * OPA 1.12) and internal.print for print(...).  They share OPA's operand
 * rules (v1/topdown/template_string.go, v1/topdown/print.go).
 *
 * The one operand is an array of parts, in order:
 *  - a string is taken as it is; a number, boolean or null as its Rego
 *    literal (the text between a template's expressions, lone scalars);
 *  - a set holds the values of one expression (the compiler wraps each in
 *    a set comprehension, so that an undefined expression does not make the
 *    whole call undefined): empty is "<undefined>"; an element is written
 *    as a string as it is and anything else in Rego term syntax;
 *  - anything else (an array or object part, only reachable by calling
 *    the builtin directly) is an eval_internal_error, which, as OPA's Halt,
 *    stops the evaluation even without strict builtin errors.
 *
 * A template string has one value: a set of more than one element is an
 * eval_conflict_error ("template-strings must not produce multiple
 * outputs").  print writes one line per combination of the sets' elements
 * (the cross product, in set order), parts joined by a space, to the
 * embedder's print sink; with no sink it does nothing, as OPA without a
 * print hook.
 *
 * Rego term syntax is OPA's String(), written by the same code as
 * sprintf's %v (rego_go_value_text): sets {1, 2} and set(), objects
 * {"a": 1}, both sorted, strings quoted as Go's strconv.Quote quotes them.
 *
 * No global state.  The result is built in the call's arena.
 */
#include <string.h>

#include "../builtin.h"
#include "sprintf.h"

/* One value's text: a string as it is, anything else as its Rego term. */
static void write_value(rp_buf *b, rego_value v)
{
    if (v.kind == REGO_STRING)
        rp_buf_append(b, v.u.s, v.n);
    else
        rego_go_value_text(b, v);
}

/* A part that is not a string, scalar or set. */
static rp_status illegal_part(rego_bctx *ctx, rego_value part)
{
    return rp_error_setk(ctx->err, RP_ERR_EVAL, RP_EK_EVAL_OTHER, ctx->loc,
                         "illegal argument type: %s", rego_type_name(part));
}

static bool is_scalar_part(rego_value v)
{
    return v.kind == REGO_STRING || v.kind == REGO_NULL || v.kind == REGO_BOOL ||
           v.kind == REGO_NUMBER;
}

/* One part's text onto b; an error status when the part is not allowed. */
static rp_status write_part(rego_bctx *ctx, rp_buf *b, rego_value part)
{
    if (is_scalar_part(part)) {
        write_value(b, part);
        return RP_OK;
    }
    if (part.kind != REGO_SET)
        return illegal_part(ctx, part);
    if (part.n == 0) {
        rp_buf_puts(b, "<undefined>");
        return RP_OK;
    }
    if (part.n > 1)
        return rp_error_setk(ctx->err, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, ctx->loc,
                             "template-strings must not produce multiple outputs");
    write_value(b, rego_set_at(part, 0));
    return RP_OK;
}

static rp_status bi_template_string(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY))
        return RP_ERR_TYPE;
    rp_buf b;
    rp_buf_init(&b);
    rp_status st = RP_OK;
    for (uint32_t i = 0; i < args[0].n && st == RP_OK; i++)
        st = write_part(ctx, &b, args[0].u.items[i]);
    if (st == RP_OK && b.failed)
        st = rego_bi_nomem(ctx);
    if (st == RP_OK) {
        *out = rego_str(ctx->arena, b.len ? b.data : "", b.len);
        if (out->kind == REGO_UNDEF)
            st = rego_bi_nomem(ctx);
    }
    rp_buf_free(&b);
    return st;
}

/* ---- internal.print ---------------------------------------------------------- */

/* Prints every line whose parts i.. are chosen from the operands, the text
 * of parts 0..i-1 being b[0..len).  Recursion depth is the operand count,
 * which is the number of print's arguments in the source. */
static rp_status print_lines(rego_bctx *ctx, rp_buf *b, const rego_value *parts, uint32_t n,
                             uint32_t i)
{
    if (i == n) {
        if (b->failed)
            return rego_bi_nomem(ctx);
        rego_bi_print(ctx, rp_buf_cstr(b), b->len);
        return RP_OK;
    }
    size_t mark = b->len;
    if (i)
        rp_buf_putc(b, ' ');
    rego_value part = parts[i];
    rp_status st = RP_OK;
    if (is_scalar_part(part) || (part.kind == REGO_SET && part.n == 0)) {
        if (part.kind == REGO_SET)
            rp_buf_puts(b, "<undefined>");
        else
            write_value(b, part);
        st = print_lines(ctx, b, parts, n, i + 1);
    } else if (part.kind == REGO_SET) {
        size_t sep = b->len;
        for (uint32_t j = 0; j < part.n && st == RP_OK; j++) {
            b->len = sep;
            write_value(b, rego_set_at(part, j));
            st = print_lines(ctx, b, parts, n, i + 1);
        }
    } else {
        st = illegal_part(ctx, part);
    }
    b->len = mark;
    return st;
}

static rp_status bi_print(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    *out = rego_bool(true);
    if (!rego_bi_print_enabled(ctx))
        return RP_OK;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_ARRAY))
        return RP_ERR_TYPE;
    rp_buf b;
    rp_buf_init(&b);
    rp_status st = print_lines(ctx, &b, args[0].u.items, args[0].n, 0);
    rp_buf_free(&b);
    return st;
}

const rego_builtin rego_builtins_template[] = {
    {"internal.template_string", NULL, "(array[any]) => string", 1, 0, bi_template_string},
    {"internal.print", NULL, "(array[set[any]]) => none", 1, REGO_BI_NORESULT, bi_print},
    {0},
};
