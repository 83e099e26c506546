/*
 * template.c — the builtin group "template": internal.template_string, what
 * the compiler lowers a template string ($"..{x}..", OPA 1.12) to.
 *
 * Its one operand is an array of the string's parts, in order (OPA's
 * v1/topdown/template_string.go and the operand rules it shares with
 * print, v1/topdown/print.go):
 *  - a string is taken as it is; a number, boolean or null as its Rego
 *    literal (these are the text between expressions and lone scalars);
 *  - a set holds the values of one expression (the compiler wraps each in
 *    a set comprehension, so that an undefined expression does not make the
 *    whole string undefined): empty is "<undefined>"; one element is that
 *    element, a string as it is and anything else in Rego term syntax;
 *  - more than one element, in any part, is an eval_conflict_error
 *    ("template-strings must not produce multiple outputs"): a template
 *    string has one value;
 *  - anything else (an array or object part, only reachable by calling
 *    the builtin directly) is an eval_internal_error, which, as OPA's Halt,
 *    stops the evaluation even without strict builtin errors.
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

/* One part's text onto b; an error status when the part is not allowed. */
static rp_status write_part(rego_bctx *ctx, rp_buf *b, rego_value part)
{
    switch ((rego_kind)part.kind) {
    case REGO_STRING:
        rp_buf_append(b, part.u.s, part.n);
        return RP_OK;
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER:
        rego_value_write(b, part, REGO_FMT_REGO);
        return RP_OK;
    case REGO_SET:
        if (part.n == 0) {
            rp_buf_puts(b, "<undefined>");
            return RP_OK;
        }
        if (part.n > 1)
            return rp_error_setk(ctx->err, RP_ERR_CONFLICT, RP_EK_EVAL_CONFLICT, ctx->loc,
                                 "template-strings must not produce multiple outputs");
        part = rego_set_at(part, 0);
        if (part.kind == REGO_STRING) {
            rp_buf_append(b, part.u.s, part.n);
            return RP_OK;
        }
        rego_go_value_text(b, part);
        return RP_OK;
    case REGO_UNDEF:
    case REGO_ARRAY:
    case REGO_OBJECT:
        break;
    }
    return rp_error_setk(ctx->err, RP_ERR_EVAL, RP_EK_EVAL_OTHER, ctx->loc,
                         "illegal argument type: %s", rego_type_name(part));
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

const rego_builtin rego_builtins_template[] = {
    {"internal.template_string", NULL, "(array[any]) => string", 1, 0, bi_template_string},
    {0},
};
