/*
 * api.c — the public embedding API (include/rampart/rego.h) over the engine
 * (engine.h), and OPA's result JSON writer shared with `rampart eval`.
 *
 * The public handles wrap the engine's: a rampart_policy is a rego_policy, a
 * rampart_query a rego_query (the structs are the same objects, cast).
 */
#include <rampart/rego.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "json.h"
#include "limits.h"

static void write_loc(rp_buf *b, rp_loc loc)
{
    rp_buf_printf(b, "{\"row\":%u,\"col\":%u}", loc.line, loc.col);
}

void rego_result_write_json(rp_buf *b, const rego_query *q, const rego_result *r)
{
    if (r->nrows == 0) {
        rp_buf_puts(b, "{}");
        return;
    }
    rp_buf_puts(b, "{\"result\":[");
    for (uint32_t row = 0; row < r->nrows; row++) {
        if (row)
            rp_buf_putc(b, ',');
        rp_buf_puts(b, "{\"expressions\":[");
        for (uint32_t i = 0; i < r->nexprs; i++) {
            if (i)
                rp_buf_putc(b, ',');
            rp_buf_puts(b, "{\"value\":");
            rego_value_write(b, rego_result_expr(r, row, i), REGO_FMT_JSON);
            const char *text = rego_query_expr_text(q, i);
            rp_buf_puts(b, ",\"text\":");
            rego_json_write_string(b, text, strlen(text), false);
            rp_buf_puts(b, ",\"location\":");
            write_loc(b, rego_query_expr_loc(q, i));
            rp_buf_putc(b, '}');
        }
        rp_buf_putc(b, ']');
        if (r->nvars) {
            rp_buf_puts(b, ",\"bindings\":{");
            for (uint32_t v = 0; v < r->nvars; v++) {
                if (v)
                    rp_buf_putc(b, ',');
                rego_json_write_string(b, r->var_names[v], strlen(r->var_names[v]), false);
                rp_buf_putc(b, ':');
                rego_value_write(b, rego_result_var(r, row, v), REGO_FMT_JSON);
            }
            rp_buf_putc(b, '}');
        }
        rp_buf_putc(b, '}');
    }
    rp_buf_puts(b, "]}");
}

/* ---- public API ----------------------------------------------------------------- */

static int fail(rampart_err *out, const rp_error *e)
{
    if (out) {
        memset(out, 0, sizeof(*out));
        snprintf(out->code, sizeof(out->code), "%s", rp_errkind_name(e->kind));
        if (e->loc.file)
            snprintf(out->file, sizeof(out->file), "%s", e->loc.file);
        out->line = e->loc.line;
        out->col = e->loc.col;
        snprintf(out->message, sizeof(out->message), "%s", e->msg);
    }
    return e->code ? (int)e->code : 1;
}

rampart_policy *rampart_policy_new(void) { return (rampart_policy *)rego_policy_new(); }

void rampart_policy_free(rampart_policy *p) { rego_policy_free((rego_policy *)p); }

int rampart_policy_add_module(rampart_policy *p, const char *filename, const char *src,
                              size_t len, rampart_rego_version v, rampart_err *err)
{
    rp_error e = {0};
    if (rego_policy_add_module((rego_policy *)p, filename ? filename : "module.rego", src, len,
                               v == RAMPART_REGO_V0 ? REGO_V0 : REGO_V1, &e) != RP_OK)
        return fail(err, &e);
    return 0;
}

int rampart_policy_add_data(rampart_policy *p, const char *json, size_t len, rampart_err *err)
{
    rp_error e = {0};
    rego_policy *rp = (rego_policy *)p;
    rego_value v;
    if (rego_json_parse(rego_policy_arena(rp), json, len, "data", &v, &e) != RP_OK ||
        rego_policy_add_data_owned(rp, rego_empty_array(), v, &e) != RP_OK)
        return fail(err, &e);
    return 0;
}

int rampart_policy_compile(rampart_policy *p, rampart_err *err)
{
    rp_error e = {0};
    if (rego_policy_compile((rego_policy *)p, &e) != RP_OK)
        return fail(err, &e);
    return 0;
}

rampart_query *rampart_query_new(const rampart_policy *p, const char *query, size_t len,
                                 rampart_rego_version v, rampart_err *err)
{
    rp_error e = {0};
    rego_query *q = NULL;
    if (rego_query_new((const rego_policy *)p, query, len, v == RAMPART_REGO_V0 ? REGO_V0 : REGO_V1,
                       &q, &e) != RP_OK) {
        fail(err, &e);
        return NULL;
    }
    return (rampart_query *)q;
}

void rampart_query_free(rampart_query *q) { rego_query_free((rego_query *)q); }

int rampart_query_eval(const rampart_query *q, const char *input, size_t input_len,
                       const rampart_eval_opts *opts, char **out, size_t *out_len,
                       rampart_err *err)
{
    rp_error e = {0};
    *out = NULL;
    size_t budget = opts && opts->max_memory ? opts->max_memory : REGO_EVAL_DEFAULT_BUDGET;
    rp_arena *a = rp_arena_new(budget);
    if (!a) {
        rp_error_set(&e, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
        return fail(err, &e);
    }
    rego_eval_opts o = {0};
    o.input = rego_undef();
    if (opts) {
        o.strict_builtin_errors = opts->strict_builtin_errors != 0;
        o.max_steps = opts->max_steps;
        o.now_ns = opts->now_ns;
        o.deadline_ns = rego_deadline_after(
            opts->timeout_ns > INT64_MAX ? INT64_MAX : (int64_t)opts->timeout_ns);
    }
    rp_status st = RP_OK;
    if (input)
        st = rego_json_parse(a, input, input_len, "input", &o.input, &e);
    rego_result r;
    if (st == RP_OK)
        st = rego_query_eval((const rego_query *)q, a, &o, &r, &e);
    if (st == RP_OK) {
        rp_buf b;
        rp_buf_init(&b);
        rego_result_write_json(&b, (const rego_query *)q, &r);
        if (b.failed) {
            rp_buf_free(&b);
            st = rp_error_set(&e, RP_ERR_NOMEM, (rp_loc){0}, "out of memory");
        } else {
            if (out_len)
                *out_len = b.len;
            *out = rp_buf_steal(&b);
        }
    }
    rp_arena_free(a);
    return st == RP_OK ? 0 : fail(err, &e);
}
