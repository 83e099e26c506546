/*
 * builtins.c — the builtin registry, the error helpers builtins report
 * through, and the per-query services (time, randomness, print, memo).
 *
 * Global state: only the constant table of group tables below.
 */
#include "builtin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "evalctx.h"

/* ---- registry --------------------------------------------------------------
 * Group tables are declared weak so that a group can be developed (and the
 * tree built) before its file exists; a missing group simply contributes no
 * builtins, which the coverage table reports. */
#define GROUPS(X) \
    X(core) X(aggregates) X(types) X(strings) X(collections) X(encoding) \
    X(regex) X(glob) X(crypto) X(jwt) X(time) X(net) X(semver) X(units) \
    X(uuid) X(misc) X(graphql) X(jsonschema) X(http) X(uri) X(aws) X(rego) X(test) \
    X(template)

#define DECL(g) extern const rego_builtin rego_builtins_##g[] __attribute__((weak));
GROUPS(DECL)
#undef DECL

/* Weak symbols are a toolchain feature we rely on only for this table. */
#define REF(g) rego_builtins_##g,
static const rego_builtin *const *group_tables(size_t *n)
{
    static const rego_builtin *const tabs[] = {GROUPS(REF)};
    *n = RP_ARRAY_LEN(tabs);
    return tabs;
}
#undef REF

size_t rego_builtins_list(const rego_builtin **out, size_t cap)
{
    size_t ng, k = 0;
    const rego_builtin *const *tabs = group_tables(&ng);
    for (size_t g = 0; g < ng; g++) {
        if (!tabs[g])
            continue;
        for (const rego_builtin *b = tabs[g]; b->name; b++, k++)
            if (k < cap)
                out[k] = b;
    }
    return k;
}

const rego_builtin *rego_builtin_find(const char *name, size_t len)
{
    size_t ng;
    const rego_builtin *const *tabs = group_tables(&ng);
    for (size_t g = 0; g < ng; g++) {
        if (!tabs[g])
            continue;
        for (const rego_builtin *b = tabs[g]; b->name; b++)
            if (strlen(b->name) == len && memcmp(b->name, name, len) == 0)
                return b;
    }
    return NULL;
}

/* ---- errors ---------------------------------------------------------------- */

rp_status rego_bi_type_error(rego_bctx *ctx, int pos, rego_value got, const char *want)
{
    return rp_error_setk(ctx->err, RP_ERR_TYPE, RP_EK_EVAL_TYPE, ctx->loc,
                         "%s: operand %d must be %s but got %s", ctx->bi->name, pos, want,
                         rego_type_name(got));
}

rp_status rego_bi_type_errorf(rego_bctx *ctx, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rp_error_setk(ctx->err, RP_ERR_TYPE, RP_EK_EVAL_TYPE, ctx->loc, "%s: %s",
                         ctx->bi->name, msg);
}

rp_status rego_bi_errorf(rego_bctx *ctx, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rp_error_setk(ctx->err, RP_ERR_EVAL, RP_EK_EVAL_BUILTIN, ctx->loc, "%s: %s",
                         ctx->bi->name, msg);
}

rp_status rego_bi_nomem(rego_bctx *ctx)
{
    return rp_error_setk(ctx->err, RP_ERR_NOMEM, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: out of memory (evaluation budget exhausted)", ctx->bi->name);
}

/* ---- argument helpers ------------------------------------------------------ */

bool rego_bi_arg_str(rego_bctx *ctx, const rego_value *args, int i, const char **s, size_t *n)
{
    if (args[i].kind != REGO_STRING) {
        rego_bi_type_error(ctx, i + 1, args[i], "string");
        return false;
    }
    *s = args[i].u.s;
    *n = args[i].n;
    return true;
}

bool rego_bi_arg_num(rego_bctx *ctx, const rego_value *args, int i)
{
    if (args[i].kind != REGO_NUMBER) {
        rego_bi_type_error(ctx, i + 1, args[i], "number");
        return false;
    }
    return true;
}

bool rego_bi_arg_int(rego_bctx *ctx, const rego_value *args, int i, int64_t *out)
{
    if (!rego_bi_arg_num(ctx, args, i))
        return false;
    /* OPA reads the number's text as an integer: 1.0 is a floating-point
     * number there, so only integer representations pass. */
    if (args[i].sub == REGO_NUM_FLOAT || !rego_num_to_i64(args[i], out)) {
        rego_bi_type_errorf(ctx, "operand %d must be integer number but got floating-point number",
                            i + 1);
        return false;
    }
    return true;
}

bool rego_bi_arg_kind(rego_bctx *ctx, const rego_value *args, int i, rego_kind k)
{
    if (args[i].kind != k) {
        rego_bi_type_error(ctx, i + 1, args[i], rego_kind_name(k));
        return false;
    }
    return true;
}

/* ---- services -------------------------------------------------------------- */

void rego_evalctx_init(struct rego_evalctx *ctx, rp_arena *arena)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = arena;
}

int64_t rego_bi_now_ns(rego_bctx *ctx)
{
    struct rego_evalctx *ev = ctx->ev;
    if (ev->now_ns == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ev->now_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    }
    return ev->now_ns;
}

void rego_bi_random(rego_bctx *ctx, void *buf, size_t n)
{
    (void)ctx;
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t k = getrandom(p, n, 0);
        if (k <= 0)
            continue; /* EINTR; getrandom never fails once the pool is ready */
        p += k;
        n -= (size_t)k;
    }
}

bool rego_bi_print_enabled(const rego_bctx *ctx)
{
    return ctx->ev->print != NULL;
}

void rego_bi_print(rego_bctx *ctx, const char *s, size_t n)
{
    struct rego_evalctx *ev = ctx->ev;
    if (ev->print)
        ev->print(ev->print_ud, s, n);
}

bool rego_bi_memo_get(rego_bctx *ctx, rego_value key, rego_value *out)
{
    struct rego_evalctx *ev = ctx->ev;
    if (!ev->memo_ready)
        return false;
    rego_value *v = rego_objb_get(&ev->memo, key);
    if (!v)
        return false;
    *out = *v;
    return true;
}

void rego_bi_memo_put(rego_bctx *ctx, rego_value key, rego_value val)
{
    struct rego_evalctx *ev = ctx->ev;
    if (!ev->memo_ready) {
        rego_objb_init(&ev->memo, ev->arena);
        ev->memo_ready = true;
    }
    rego_objb_set(&ev->memo, key, val);
}

rego_value rego_bi_config(rego_bctx *ctx, const char *key)
{
    rego_value v = rego_undef();
    struct rego_evalctx *ev = ctx->ev;
    if (ev->config.kind == REGO_OBJECT)
        rego_object_get_str(ev->config, key, strlen(key), rego_hash_str(key, strlen(key)), &v);
    return v;
}

rp_status rego_builtin_call(const rego_builtin *bi, struct rego_evalctx *ev, rp_loc loc,
                            const rego_value *args, rego_value *out, rp_error *err)
{
    rego_bctx ctx = {ev->arena, bi, loc, err, ev};
    *out = rego_undef();
    rp_status st = bi->fn(&ctx, args, out);
    if (st == RP_OK && rp_arena_failed(ev->arena))
        st = rego_bi_nomem(&ctx);
    return st;
}
