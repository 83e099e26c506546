/*
 * uri.c — uri.parse and uri.is_valid (OPA 1.x), on gourl.c's port of Go's
 * url.Parse so that what is valid, and every error text, agree with OPA.
 *
 * uri.parse returns only the parts that are present: scheme, hostname, port,
 * path (unescaped) with raw_path (escaped as written, always set beside
 * path), raw_query and fragment.  uri.is_valid is false for "" and for any
 * non-string, true when url.Parse accepts the text.
 */
#include <string.h>

#include "../builtin.h"
#include "../value.h"
#include "gourl.h"

static void put(rego_objb *b, rp_arena *a, const char *key, rego_gostr v)
{
    if (v.n)
        rego_objb_set(b, rego_cstr(a, key), rego_str(a, v.s, v.n));
}

static rp_status bi_uri_parse(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return ctx->err->code;
    rp_arena *a = ctx->arena;
    rego_gourl u;
    char msg[256];
    if (!rego_gourl_parse(a, s, n, &u, msg, sizeof(msg)))
        return rego_bi_errorf(ctx, "%s", msg);

    rego_objb b;
    rego_objb_init(&b, a);
    put(&b, a, "scheme", u.scheme);
    put(&b, a, "hostname", rego_gourl_hostname(&u));
    put(&b, a, "port", rego_gourl_port(&u));
    if (u.path.n) {
        put(&b, a, "path", u.path);
        put(&b, a, "raw_path", u.raw_path.n ? u.raw_path : u.path);
    }
    put(&b, a, "raw_query", u.raw_query);
    put(&b, a, "fragment", u.fragment);
    *out = rego_objb_finish(&b);
    if (rego_is_undef(*out) || rp_arena_failed(a))
        return rego_bi_nomem(ctx);
    return RP_OK;
}

static rp_status bi_uri_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (args[0].kind != REGO_STRING || args[0].n == 0) {
        *out = rego_bool(false);
        return RP_OK;
    }
    rego_gourl u;
    char msg[8];
    bool ok = rego_gourl_parse(ctx->arena, args[0].u.s, args[0].n, &u, msg, sizeof(msg));
    if (rp_arena_failed(ctx->arena))
        return rego_bi_nomem(ctx);
    *out = rego_bool(ok);
    return RP_OK;
}

const rego_builtin rego_builtins_uri[] = {
    {"uri.parse", NULL, "(string) => object[string: string]", 1, 0, bi_uri_parse},
    {"uri.is_valid", NULL, "(string) => boolean", 1, 0, bi_uri_is_valid},
    {0},
};
