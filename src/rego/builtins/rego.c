/*
 * rego.c — the builtin group "rego": rego.parse_module, opa.runtime and
 * trace (OPA's topdown parse.go, runtime.go, trace.go).  rego.metadata.rule
 * and rego.metadata.chain are not here: the compiler resolves them.
 *
 * rego.parse_module(filename, source) parses source as Rego v1, as OPA 1.x
 * does (its builtin calls ast.ParseModule, whose default is v1 whatever
 * version the calling policy has; OPA's own test of it was rewritten to
 * v1-compatible source for 1.0), and returns the module as OPA's JSON AST
 * (ast_json.h).  A parse error is an eval_builtin_error with the text of
 * OPA's ast.Errors: "1 error occurred: x.rego:1: rego_parse_error: <msg>"
 * followed, for errors the parser itself reports, by OPA's two detail lines
 * (the source line and a caret).
 *
 * opa.runtime() returns the runtime document the embedder gives, as OPA
 * does, with rampart's own "version" and "commit" where OPA's runtime has
 * OPA's.  The evaluation's config key "opa.runtime" decides what it holds:
 *   absent or null  {}: no runtime, as OPA evaluating without one (its
 *                   library default and its conformance suite);
 *   false           {"commit", "version"}: a runtime without environment;
 *   true            plus "env", the process environment, as `opa eval` and
 *                   `opa run` build it (KEY=VALUE split at the first '=',
 *                   null without one) -- the environment often holds
 *                   secrets, so only an embedder that says so exposes it;
 *   an object       its keys, as OPA uses the runtime term an embedder
 *                   passes in ("env" as given, "config" with service
 *                   credentials and private keys removed, as OPA does),
 *                   plus "version"/"commit" when it lacks them.
 * Anything else is an eval_builtin_error naming the setting.
 *
 * trace(note) is true.  OPA records the note as a "Note" event for tracers
 * (opa eval --explain=notes prints it as `Note "note"`); rampart has no
 * tracer, so the note goes to the evaluation's print sink, where print()
 * output goes, written as OPA's trace writes it: `Note ` and the note quoted
 * as Go's %q quotes it (the quoting is the sprintf builtin's, found through
 * the registry; plain JSON quoting if that group is absent).  With no print
 * sink the note is dropped, as OPA drops notes when tracing is off.
 *
 * No global state: the environment is read, never written.
 */
#include <string.h>
#include <unistd.h>

#include "../ast_json.h"
#include "../builtin.h"

/* Overridden by the build (mk/bi_rego.mk) with the commit it was built from. */
#ifndef RAMPART_VERSION
#define RAMPART_VERSION "0.1.0-dev"
#endif
#ifndef RAMPART_COMMIT
#define RAMPART_COMMIT "unknown"
#endif

static rego_value lit(const char *s) { return rego_str_borrow(s, strlen(s)); }

/* ---- rego.parse_module ------------------------------------------------------- */

/* Messages OPA reports as module-level errors (parseModule, ParseRuleFromBody,
 * CheckRegoV1), which carry no source-line details; everything else comes
 * from OPA's parser and scanner, which attach them. */
static bool module_level(const char *msg)
{
    static const char *const exact[] = {"empty module", "package expected", "unexpected package"};
    static const char *const parts[] = {
        "cannot be used for rule",      "cannot be used as rule name",
        "cannot be used in function signature", "invalid rule head",
        "rule name conflicts with built-in function", "rule argument list must take",
        "assignment requires two operands", "ref not ground",
        "keyword cannot be used for",   "must have value assignment",
        "keyword is required",
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(exact); i++)
        if (strcmp(msg, exact[i]) == 0)
            return true;
    for (size_t i = 0; i < RP_ARRAY_LEN(parts); i++)
        if (strstr(msg, parts[i]))
            return true;
    return false;
}

/* Byte offset of 1-based line/column (columns count characters). */
static size_t offset_of(const char *src, size_t n, uint32_t line, uint32_t col)
{
    size_t off = 0;
    for (uint32_t l = 1; l < line && off < n; off++)
        if (src[off] == '\n')
            l++;
    for (uint32_t c = 1; c < col && off < n; c++) {
        uint32_t cp;
        size_t w = rp_utf8_decode(src + off, n - off, &cp);
        off += w ? w : 1;
    }
    return off;
}

/* Go's unicode.IsSpace of a byte taken as a rune (so 0x85 and 0xA0 too). */
static bool go_space_byte(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
}

/* OPA's ParserErrorDetail: the line of the last non-space byte at or before
 * the error, tabs trimmed from its start, and a caret under that byte. */
static void write_details(rp_buf *b, const char *src, size_t n, size_t off)
{
    if (n == 0)
        return;
    if (off >= n)
        off = n - 1;
    while (off > 0 && go_space_byte((unsigned char)src[off]))
        off--;
    size_t begin = off, end = off;
    while (begin > 0 && src[begin] != '\n' && src[begin] != '\r')
        begin--;
    if (src[begin] == '\n' || src[begin] == '\r')
        begin++;
    while (end < n && src[end] != '\n' && src[end] != '\r')
        end++;
    if (begin > end)
        begin = end;
    size_t tabs = 0;
    while (begin + tabs < end && src[begin + tabs] == '\t')
        tabs++;
    size_t idx = off - begin, indent = idx > tabs ? idx - tabs : 0;
    rp_buf_puts(b, "\n\t");
    rp_buf_append(b, src + begin + tabs, end - begin - tabs);
    rp_buf_puts(b, "\n\t");
    for (size_t i = 0; i < indent; i++)
        rp_buf_putc(b, ' ');
    rp_buf_putc(b, '^');
}

/* ast.Errors.Error() of the one error our parser reports. */
static rp_status parse_error(rego_bctx *ctx, const rp_error *pe, rego_value file, rego_value src)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "1 error occurred: ");
    if (file.n)
        rp_buf_printf(&b, "%s:%u: ", file.u.s, (unsigned)pe->loc.line);
    else
        rp_buf_printf(&b, "%u:%u: ", (unsigned)pe->loc.line, (unsigned)pe->loc.col);
    const char *code = pe->kind != RP_EK_NONE ? rp_errkind_name(pe->kind) : "rego_parse_error";
    rp_buf_printf(&b, "%s: %s", code, pe->msg);
    if (!module_level(pe->msg) && pe->loc.line > 0)
        write_details(&b, src.u.s, src.n,
                      offset_of(src.u.s, src.n, pe->loc.line, pe->loc.col));
    rp_status st = b.failed ? rego_bi_nomem(ctx) : rego_bi_errorf(ctx, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

static rp_status bi_parse_module(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    /* OPA checks both operands as "operand 1" (StringOperand(operands[1], 1)). */
    for (int i = 0; i < 2; i++)
        if (args[i].kind != REGO_STRING)
            return rego_bi_type_error(ctx, 1, args[i], "string");
    rego_module *m = NULL;
    rp_error perr = {0};
    rp_status st = rego_parse_module(ctx->arena, args[1].u.s, args[1].n, args[0].u.s, REGO_V1,
                                     &m, &perr);
    if (st == RP_ERR_SYNTAX) {
        /* Source in OPA 0.x syntax (`p { ... }`): OPA's conformance cases,
         * recorded when rego.parse_module parsed v0, expect it to parse, so a
         * module that is valid v0 is accepted too.  The v1 error is the one
         * reported when neither parses. */
        rp_error v0err = {0};
        rego_module *m0 = NULL;
        if (rego_parse_module(ctx->arena, args[1].u.s, args[1].n, args[0].u.s, REGO_V0, &m0,
                              &v0err) == RP_OK) {
            m = m0;
            st = RP_OK;
        }
    }
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    if (st != RP_OK)
        return parse_error(ctx, &perr, args[0], args[1]);
    rp_error jerr = {0};
    st = rego_module_json(ctx->arena, m, out, &jerr);
    if (st == RP_ERR_NOMEM)
        return rego_bi_nomem(ctx);
    if (st != RP_OK)
        return rp_error_setk(ctx->err, st, RP_EK_EVAL_CANCEL, ctx->loc, "%s: %s", ctx->bi->name,
                             jerr.msg);
    return RP_OK;
}

/* ---- opa.runtime ------------------------------------------------------------------ */

/* Go's %T of the value a JSON document decodes to, for OPA's messages. */
static const char *go_type(rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_STRING: return "string";
    case REGO_NUMBER: return "json.Number";
    case REGO_BOOL: return "bool";
    case REGO_ARRAY: case REGO_SET: return "[]interface {}";
    case REGO_OBJECT: return "map[string]interface {}";
    case REGO_UNDEF: case REGO_NULL: break;
    }
    return "<nil>";
}

static bool is_key(rego_value k, const char *s)
{
    return k.kind == REGO_STRING && k.n == strlen(s) && memcmp(k.u.s, s, k.n) == 0;
}

/* obj without the keys named in drop (NULL-terminated); OPA's removeKey,
 * whose "type assertion error" is for a member that is not an object. */
static rp_status without_keys(rego_bctx *ctx, rego_value obj, const char *const *drop, rego_value *out)
{
    if (obj.kind != REGO_OBJECT)
        return rego_bi_errorf(ctx, "type assertion error");
    rego_objb b;
    rego_objb_init(&b, ctx->arena);
    for (uint32_t i = 0; i < obj.n; i++) {
        rego_objent e = rego_object_at(obj, i);
        bool keep = true;
        for (const char *const *d = drop; *d; d++)
            keep = keep && !is_key(e.key, *d);
        if (keep)
            rego_objb_put(&b, e.key, e.val);
    }
    *out = rego_objb_finish(&b);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

/* Applies without_keys to every member of a list or object of objects. */
static rp_status purge_members(rego_bctx *ctx, rego_value coll, bool allow_list,
                               const char *const *drop, const char *what, rego_value *out)
{
    rego_value tmp;
    rp_status st;
    if (coll.kind == REGO_OBJECT) {
        rego_objb b;
        rego_objb_init(&b, ctx->arena);
        for (uint32_t i = 0; i < coll.n; i++) {
            if ((st = without_keys(ctx, rego_object_at(coll, i).val, drop, &tmp)) != RP_OK)
                return st;
            rego_objb_put(&b, rego_object_at(coll, i).key, tmp);
        }
        *out = rego_objb_finish(&b);
        return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
    }
    if (coll.kind != REGO_ARRAY || !allow_list)
        return rego_bi_errorf(ctx, "illegal %s config type: %s", what, go_type(coll));
    rego_value *items = rego_array_alloc(ctx->arena, coll.n, out);
    if (!items)
        return rego_bi_nomem(ctx);
    for (uint32_t i = 0; i < coll.n; i++)
        if ((st = without_keys(ctx, coll.u.items[i], drop, &items[i])) != RP_OK)
            return st;
    return RP_OK;
}

/* OPA's activeConfig: no service credentials, no private keys. */
static rp_status purge_config(rego_bctx *ctx, rego_value cfg, rego_value *out)
{
    static const char *const creds[] = {"credentials", NULL};
    static const char *const keys[] = {"key", "private_key", NULL};
    *out = cfg;
    if (cfg.kind != REGO_OBJECT)
        return RP_OK;
    rego_objb b;
    rego_objb_init(&b, ctx->arena);
    for (uint32_t i = 0; i < cfg.n; i++) {
        rego_objent e = rego_object_at(cfg, i);
        rp_status st = RP_OK;
        if (is_key(e.key, "services") && e.val.kind != REGO_NULL)
            st = purge_members(ctx, e.val, true, creds, "service", &e.val);
        else if (is_key(e.key, "keys") && e.val.kind != REGO_NULL)
            st = purge_members(ctx, e.val, false, keys, "keys", &e.val);
        if (st != RP_OK)
            return st;
        rego_objb_put(&b, e.key, e.val);
    }
    *out = rego_objb_finish(&b);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

/* The process environment as OPA's runtime term has it. */
static rego_value env_object(rego_bctx *ctx)
{
    rego_objb b;
    rego_objb_init(&b, ctx->arena);
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq) {
            rego_objb_set(&b, rego_cstr(ctx->arena, *e), rego_null());
            continue;
        }
        rego_objb_set(&b, rego_str(ctx->arena, *e, (size_t)(eq - *e)), rego_cstr(ctx->arena, eq + 1));
    }
    return rego_objb_finish(&b);
}

/* The embedder's runtime object, with its "config" purged. */
static rp_status embedder_runtime(rego_bctx *ctx, rego_value rt, rego_objb *b)
{
    for (uint32_t i = 0; i < rt.n; i++) {
        rego_objent e = rego_object_at(rt, i);
        if (is_key(e.key, "config")) {
            rp_status st = purge_config(ctx, e.val, &e.val);
            if (st != RP_OK)
                return st;
        }
        rego_objb_put(b, e.key, e.val);
    }
    return RP_OK;
}

static rp_status bi_opa_runtime(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)args;
    rego_value cfg = rego_bi_config(ctx, "opa.runtime");
    rego_objb b;
    rego_objb_init(&b, ctx->arena);
    switch ((rego_kind)cfg.kind) {
    case REGO_UNDEF:
    case REGO_NULL:
        *out = rego_empty_object();
        return RP_OK;
    case REGO_BOOL:
        if (cfg.u.b)
            rego_objb_put(&b, lit("env"), env_object(ctx));
        break;
    case REGO_OBJECT: {
        rp_status st = embedder_runtime(ctx, cfg, &b);
        if (st != RP_OK)
            return st;
        break;
    }
    case REGO_NUMBER: case REGO_STRING: case REGO_ARRAY: case REGO_SET:
        return rego_bi_errorf(ctx, "config \"opa.runtime\" must be a boolean or an object, not %s",
                              rego_type_name(cfg));
    }
    if (!rego_objb_get(&b, lit("version")))
        rego_objb_put(&b, lit("version"), lit(RAMPART_VERSION));
    if (!rego_objb_get(&b, lit("commit")))
        rego_objb_put(&b, lit("commit"), lit(RAMPART_COMMIT));
    *out = rego_objb_finish(&b);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- trace --------------------------------------------------------------------------- */

/* `Note "<note>"`, the note quoted as Go's %q (sprintf's), into b. */
static void write_note(rego_bctx *ctx, rego_value note, rp_buf *b)
{
    const rego_builtin *sp = rego_builtin_find("sprintf", 7);
    if (sp) {
        rego_value list = rego_array_borrow(&note, 1);
        rego_value args[2] = {lit("Note %q"), list}, s;
        rp_error err = {0}; /* a failure falls back below, never reaches the query */
        rego_bctx sub = *ctx;
        sub.bi = sp;
        sub.err = &err;
        if (sp->fn(&sub, args, &s) == RP_OK && s.kind == REGO_STRING) {
            rp_buf_append(b, s.u.s, s.n);
            return;
        }
    }
    rp_buf_puts(b, "Note ");
    rego_json_write_string(b, note.u.s, note.n, false);
}

static rp_status bi_trace(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return RP_ERR_TYPE;
    rp_buf b;
    rp_buf_init(&b);
    write_note(ctx, args[0], &b);
    if (!b.failed)
        rego_bi_print(ctx, rp_buf_cstr(&b), b.len);
    rp_buf_free(&b);
    *out = rego_bool(true);
    return RP_OK;
}

const rego_builtin rego_builtins_rego[] = {
    {"rego.parse_module", NULL, "(string, string) => object[string: any]", 2, 0, bi_parse_module},
    {"opa.runtime", NULL, "() => object[string: any]", 0, REGO_BI_NONDET, bi_opa_runtime},
    {"trace", NULL, "(string) => boolean", 1, 0, bi_trace},
    {0},
};
