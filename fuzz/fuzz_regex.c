/*
 * fuzz_regex.c — libFuzzer harness for the regex and glob builtins and the
 * RE2 shim under them.
 *
 * Input layout: the first byte picks the builtin (and, for glob.match, the
 * delimiters); the rest is split at the first 0xFF byte (never part of
 * valid UTF-8) into a pattern and a subject.  Every call runs in a fresh
 * budgeted arena, as the evaluator's calls do.  Beyond "no crash, leak or
 * hang", the harness checks what must hold whatever the input:
 *   - a call succeeds, or fails with a message and an error kind;
 *   - regex.match agrees with regex.find_n(p, s, 1) being non-empty;
 *   - regex.is_valid is true exactly when regex.match did not report a
 *     syntax error (for the same pattern);
 *   - every string regex.find_n returns occurs in the subject.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtin.h"
#include "rego/evalctx.h"
#include "rego/re2_shim.h"

#define FUZZ_ARENA_BUDGET (64u << 20)

/* The registry holds weak references to the group tables: name them so the
 * linker takes regex.o and glob.o from the library archive. */
REGO_BUILTIN_GROUP(regex);
REGO_BUILTIN_GROUP(glob);
const rego_builtin *const fuzz_regex_groups[] = {rego_builtins_regex, rego_builtins_glob};

typedef struct {
    rp_arena *a;
    rp_error err;
    rp_status st;
    rego_value out;
} fcall;

static void call(fcall *c, const char *name, const rego_value *args)
{
    const rego_builtin *bi = rego_builtin_find(name, strlen(name));
    if (!bi)
        abort();
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, c->a);
    memset(&c->err, 0, sizeof(c->err));
    c->st = rego_builtin_call(bi, &ev, (rp_loc){0}, args, &c->out, &c->err);
    if (c->st != RP_OK && c->err.msg[0] == '\0')
        abort(); /* every failure explains itself */
    if (c->st == RP_OK && c->out.kind == REGO_UNDEF)
        abort(); /* none of these builtins is ever undefined */
}

static void check_regex(rp_arena *a, rego_value p, rego_value s)
{
    fcall m = {.a = a}, f = {.a = a}, v = {.a = a};
    call(&m, "regex.match", (rego_value[]){p, s});
    call(&f, "regex.find_n", (rego_value[]){p, s, rego_int(-1)});
    call(&v, "regex.is_valid", (rego_value[]){p});
    if (v.st != RP_OK)
        return; /* out of memory */
    bool syntax_error = m.st == RP_ERR_EVAL;
    if (m.st != RP_ERR_NOMEM && v.out.u.b == syntax_error)
        abort();
    if (m.st != RP_OK || f.st != RP_OK)
        return;
    if (m.out.u.b != (f.out.n > 0))
        abort();
    for (size_t i = 0; i < f.out.n; i++) {
        rego_value x = f.out.u.items[i];
        if (x.n > 0 && !memmem(s.u.s, s.n, x.u.s, x.n))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    rp_arena *a = rp_arena_new(FUZZ_ARENA_BUDGET);
    if (!a)
        return 0;
    unsigned op = data[0];
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    const char *sep = memchr(rest, 0xFF, n);
    size_t pn = sep ? (size_t)(sep - rest) : n;
    rego_value p = rego_str(a, rest, pn);
    rego_value s = sep ? rego_str(a, sep + 1, n - pn - 1) : rego_str_borrow("", 0);
    fcall c = {.a = a};
    switch (op % 10) {
    case 0:
        check_regex(a, p, s);
        break;
    case 1:
        call(&c, "regex.find_all_string_submatch_n", (rego_value[]){p, s, rego_int(op >> 4)});
        break;
    case 2:
        call(&c, "regex.split", (rego_value[]){p, s});
        break;
    case 3:
        call(&c, "regex.replace", (rego_value[]){s, p, rego_str_borrow("<$1${x}$$>", 10)});
        break;
    case 4:
        call(&c, "regex.replace", (rego_value[]){p, s, p});
        break;
    case 5:
        call(&c, "regex.template_match",
             (rego_value[]){p, s, rego_str_borrow("{", 1), rego_str_borrow("}", 1)});
        break;
    case 6:
        call(&c, "regex.globs_match", (rego_value[]){p, s});
        break;
    case 7:
        call(&c, "glob.match", (rego_value[]){p, rego_null(), s});
        break;
    case 8: {
        rego_value dot = rego_str_borrow(".", 1), dots = rego_array_borrow(&dot, 1);
        call(&c, "glob.match", (rego_value[]){p, op & 0x10 ? dots : rego_empty_array(), s});
        break;
    }
    default:
        call(&c, "glob.quote_meta", (rego_value[]){p});
        break;
    }
    rp_arena_free(a);
    return 0;
}
