/*
 * fuzz_units.c — libFuzzer harness for the quantity, version, duration, time
 * layout and UUID parsers (units.parse, units.parse_bytes, semver.*,
 * time.parse_duration_ns, time.parse_ns, time.format, uuid.parse).
 *
 * The whole input is one string for the single-argument parsers; split at
 * the first newline it is a (layout, value) pair for time.parse_ns and a
 * layout for time.format.  Beyond "no crash, leak or hang" the harness
 * aborts when a valid version does not compare equal to itself or a parsed
 * time does not format back under the same layout without error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"

#define FUZZ_ARENA_BUDGET (64u << 20) /* room for 10^999999-sized quantities */

/* The harness names its group tables itself: the fuzz build links the
 * library as a plain archive, where the registry's weak references would not
 * pull the group objects in. */
REGO_BUILTIN_GROUP(units);
REGO_BUILTIN_GROUP(semver);
REGO_BUILTIN_GROUP(time);
REGO_BUILTIN_GROUP(uuid);

static const rego_builtin *find(const char *name)
{
    const rego_builtin *const tabs[] = {rego_builtins_units, rego_builtins_semver, rego_builtins_time, rego_builtins_uuid};
    for (size_t g = 0; g < sizeof(tabs) / sizeof(tabs[0]); g++)
        for (const rego_builtin *b = tabs[g]; b->name; b++)
            if (strcmp(b->name, name) == 0)
                return b;
    abort();
}

static rp_status call(struct rego_evalctx *ev, const char *name, const rego_value *args,
                      rego_value *out)
{
    rp_error err = {0};
    rp_loc loc = {"fuzz.rego", 1, 1};
    const rego_builtin *bi = find(name);
    return rego_builtin_call(bi, ev, loc, args, out, &err);
}

static void check_semver(struct rego_evalctx *ev, rego_value s)
{
    rego_value out, args[2] = {s, s};
    if (call(ev, "semver.is_valid", &s, &out) != RP_OK || out.kind != REGO_BOOL)
        abort();
    if (out.u.b && (call(ev, "semver.compare", args, &out) != RP_OK || out.u.i != 0))
        abort();
}

static void check_time(struct rego_evalctx *ev, rego_value layout, rego_value value)
{
    rego_value args[2] = {layout, value}, ns, fargs, *f, out;
    if (call(ev, "time.parse_ns", args, &ns) != RP_OK)
        return;
    f = rego_array_alloc(ev->arena, 3, &fargs);
    if (!f)
        return;
    f[0] = ns;
    f[1] = rego_cstr(ev->arena, "UTC");
    f[2] = layout;
    rp_status st = call(ev, "time.format", &fargs, &out);
    if (st != RP_OK && st != RP_ERR_NOMEM)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rego_value s = rego_str(a, (const char *)data, size), out;
    if (s.kind != REGO_UNDEF) {
        call(&ev, "units.parse", &s, &out);
        call(&ev, "units.parse_bytes", &s, &out);
        call(&ev, "time.parse_duration_ns", &s, &out);
        call(&ev, "uuid.parse", &s, &out);
        check_semver(&ev, s);
        const uint8_t *nl = memchr(data, '\n', size);
        size_t ln = nl ? (size_t)(nl - data) : size;
        rego_value layout = rego_str(a, (const char *)data, ln);
        rego_value value = rego_str(a, nl ? (const char *)nl + 1 : "", nl ? size - ln - 1 : 0);
        if (layout.kind != REGO_UNDEF && value.kind != REGO_UNDEF)
            check_time(&ev, layout, value);
    }
    rp_arena_free(a);
    return 0;
}
