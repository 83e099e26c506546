/*
 * fuzz_net.c — libFuzzer harness for the IP/CIDR parsers and the net.cidr_*
 * builtins.
 *
 * The input is split at newlines into strings.  Each is checked with
 * net.cidr_is_valid, net.cidr_contains against itself and net.cidr_expand;
 * all of them go through net.cidr_merge and net.cidr_contains_matches.
 * Beyond "no crash, leak or hang" the harness aborts when a valid CIDR does
 * not intersect itself, or when a merge result is not a valid
 * CIDR or fails to cover one of its inputs (IPv4 inputs merged into an
 * IPv6 result excepted: Go keeps IPv4 out of IPv6 networks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"

#define FUZZ_ARENA_BUDGET (2u << 20) /* stops big cidr_expand early: keeps runs fast */
#define FUZZ_MAX_STRINGS 16

/* The harness names its group tables itself: the fuzz build links the
 * library as a plain archive, where the registry's weak references would not
 * pull the group objects in. */
REGO_BUILTIN_GROUP(net);

static const rego_builtin *find(const char *name)
{
    const rego_builtin *const tabs[] = {rego_builtins_net};
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

static bool truth(struct rego_evalctx *ev, const char *name, rego_value a, rego_value b)
{
    rego_value args[2] = {a, b}, out;
    return call(ev, name, args, &out) == RP_OK && out.kind == REGO_BOOL && out.u.b;
}

static void check_one(struct rego_evalctx *ev, rego_value s)
{
    rego_value out;
    bool valid = call(ev, "net.cidr_is_valid", &s, &out) == RP_OK && out.u.b;
    /* (cidr_contains(s, s) is not an invariant: Go's Contains turns the last
     * address of ::/80 into IPv4 and says no, and so does OPA) */
    if (valid && !truth(ev, "net.cidr_intersects", s, s))
        abort();
    rego_value args[2] = {s, s};
    call(ev, "net.cidr_contains", args, &out);
    call(ev, "net.cidr_expand", &s, &out);
}

/* IPv4 (or IPv4-mapped) input: OPA merges it in ::ffff:0:0/96, so it may
 * end up inside an IPv6 result, which Go's IPNet.Contains never lets
 * contain an IPv4 address; coverage is then not checkable this way. */
static bool v4_like(struct rego_evalctx *ev, rego_value s, rego_value merged)
{
    bool v6_out = false;
    for (size_t i = 0; i < merged.n; i++)
        v6_out |= memchr(rego_set_at(merged, i).u.s, ':', rego_set_at(merged, i).n) != NULL;
    return v6_out && truth(ev, "net.cidr_contains", rego_cstr(ev->arena, "::ffff:0:0/96"), s);
}

/* Every merge result is a valid CIDR, and every input meets one of them
 * (intersects, or for bare IPs is contained: cidr_contains itself is no
 * oracle, Go's Contains misreads networks whose last address looks like
 * IPv4-mapped, e.g. ::/80). */
static void check_merge(struct rego_evalctx *ev, rego_value list)
{
    rego_value merged;
    if (call(ev, "net.cidr_merge", &list, &merged) != RP_OK)
        return;
    for (size_t i = 0; i < merged.n; i++) {
        rego_value c = rego_set_at(merged, i), out;
        if (call(ev, "net.cidr_is_valid", &c, &out) != RP_OK || !out.u.b)
            abort();
    }
    for (size_t j = 0; j < list.n; j++) {
        bool covered = v4_like(ev, list.u.items[j], merged);
        for (size_t i = 0; i < merged.n && !covered; i++)
            covered = truth(ev, "net.cidr_intersects", rego_set_at(merged, i), list.u.items[j]) ||
                      truth(ev, "net.cidr_contains", rego_set_at(merged, i), list.u.items[j]);
        if (!covered)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    rego_value strs[FUZZ_MAX_STRINGS], list;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < FUZZ_MAX_STRINGS; i++) {
        if (i < size && data[i] != '\n')
            continue;
        strs[n] = rego_str(a, (const char *)data + start, i - start);
        if (strs[n].kind == REGO_UNDEF)
            break;
        check_one(&ev, strs[n++]);
        start = i + 1;
    }
    rego_value *items = rego_array_alloc(a, n, &list);
    if (items) {
        if (n)
            memcpy(items, strs, n * sizeof(*items));
        check_merge(&ev, list);
        rego_value args[2] = {list, list}, out;
        call(&ev, "net.cidr_contains_matches", args, &out);
    }
    rp_arena_free(a);
    return 0;
}
