/*
 * test_api.c — the public embedding API (include/rampart/rego.h): compile
 * once, evaluate from several threads at once, OPA's result and error
 * shapes, limits that must fail cleanly.
 */
#include <rampart/rego.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

static const char *policy =
    "package authz\n"
    "import rego.v1\n"
    "default allow := false\n"
    "allow if { input.user in data.admins }\n"
    "allow if { input.method == \"GET\"; startswith(input.path, \"/public/\") }\n"
    "reasons contains r if { not allow; r := sprintf(\"%s may not %s %s\", [input.user, input.method, input.path]) }\n";

static const char *data = "{\"admins\": [\"alice\"]}";

static char *eval(rampart_query *q, const char *input, rampart_err *err)
{
    char *out = NULL;
    size_t n = 0;
    if (rampart_query_eval(q, input, input ? strlen(input) : 0, NULL, &out, &n, err) != 0)
        return NULL;
    return out;
}

typedef struct {
    rampart_query *q;
    int ok;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 500; i++) {
        rampart_err err;
        char in[128];
        snprintf(in, sizeof(in), "{\"user\":\"%s\",\"method\":\"GET\",\"path\":\"/x/%d\"}",
                 i % 2 ? "alice" : "bob", i);
        char *out = eval(w->q, in, &err);
        const char *want = i % 2 ? "\"value\":true" : "\"value\":false";
        if (out && strstr(out, want))
            w->ok++;
        free(out);
    }
    return NULL;
}

static void test_eval_and_threads(void)
{
    rampart_err err;
    rampart_policy *p = rampart_policy_new();
    T_CHECK(rampart_policy_add_module(p, "authz.rego", policy, strlen(policy), RAMPART_REGO_V1, &err) == 0);
    T_CHECK(rampart_policy_add_data(p, data, strlen(data), &err) == 0);
    T_CHECK(rampart_policy_compile(p, &err) == 0);
    rampart_query *q = rampart_query_new(p, "data.authz.allow", 16, RAMPART_REGO_V1, &err);
    T_CHECK(q != NULL);

    char *out = eval(q, "{\"user\":\"alice\"}", &err);
    T_CHECK(out && strstr(out, "\"value\":true") && strstr(out, "\"text\":\"data.authz.allow\""));
    free(out);

    rampart_query *r = rampart_query_new(p, "x := data.authz.reasons", 23, RAMPART_REGO_V1, &err);
    out = eval(r, "{\"user\":\"bob\",\"method\":\"POST\",\"path\":\"/a\"}", &err);
    T_STREQ(out, "{\"result\":[{\"expressions\":[{\"value\":true,\"text\":\"x := data.authz.reasons\","
                 "\"location\":{\"row\":1,\"col\":1}}],\"bindings\":{\"x\":[\"bob may not POST /a\"]}}]}");
    free(out);
    rampart_query_free(r);

    /* undefined → {} */
    rampart_query *u = rampart_query_new(p, "data.authz.nothing", 18, RAMPART_REGO_V1, &err);
    out = eval(u, NULL, &err);
    T_STREQ(out, "{}");
    free(out);
    rampart_query_free(u);

    /* one compiled policy, four threads */
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].q = q;
        w[i].ok = 0;
        pthread_create(&th[i], NULL, run_worker, &w[i]);
    }
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
    }
    T_CHECKM(ok == 2000, "threads: %d of 2000 evaluations right", ok);
    rampart_query_free(q);
    rampart_policy_free(p);
}

static const struct {
    const char *module;
    const char *query;
    const char *input;
    const char *code;
    const char *msg;
} error_cases[] = {
    {"package p\nx := [1,", "data.p.x", NULL, "rego_parse_error", NULL},
    {"package p\nx if { y > 1 }", "data.p.x", NULL, "rego_unsafe_var_error", "var y is unsafe"},
    {"package p\nx if { z }\nz if { x }", "data.p.x", NULL, "rego_recursion_error", NULL},
    {"package p\nx := input.a\nx := input.b", "data.p.x", "{\"a\":1,\"b\":2}", "eval_conflict_error",
     "complete rules must not produce multiple outputs"},
    {"package p\nf(a) := a + 1 if { true }\nf(a) := a if { true }", "data.p.f(1)", NULL,
     "eval_conflict_error", "functions must not produce multiple outputs for same inputs"},
    {"package p\nx := count(1, 2, 3)", "data.p.x", NULL, "rego_type_error", NULL},
    {"package p\nx := nosuch(1)", "data.p.x", NULL, "rego_type_error", "undefined function nosuch"},
    {"package p\nx := 1", "data.p.x", "{\"a\": [1, 2", "rego_parse_error", NULL},
    /* errors in the query itself: their location names "query" after the
     * query's memory is gone (ASan checks the reads) */
    {"package p\nx := 1", "y := nosuch(1)", NULL, "rego_type_error", "undefined function nosuch"},
    {"package p\nx := 1", "y > 1", NULL, "rego_unsafe_var_error", "var y is unsafe"},
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        rampart_err err;
        memset(&err, 0, sizeof(err));
        rampart_policy *p = rampart_policy_new();
        int rc = rampart_policy_add_module(p, "p.rego", error_cases[i].module,
                                           strlen(error_cases[i].module), RAMPART_REGO_V1, &err);
        if (rc == 0)
            rc = rampart_policy_compile(p, &err);
        rampart_query *q = NULL;
        if (rc == 0) {
            q = rampart_query_new(p, error_cases[i].query, strlen(error_cases[i].query),
                                  RAMPART_REGO_V1, &err);
            rc = q ? 0 : 1;
        }
        if (rc == 0) {
            char *out = eval(q, error_cases[i].input, &err);
            rc = out ? 0 : 1;
            free(out);
        }
        T_CHECKM(rc != 0, "case %zu: expected an error", i);
        T_CHECKM(strcmp(err.code, error_cases[i].code) == 0, "case %zu: code %s, want %s (%s)", i,
                 err.code, error_cases[i].code, err.message);
        if (error_cases[i].msg)
            T_CHECKM(strstr(err.message, error_cases[i].msg) != NULL, "case %zu: message %s", i,
                     err.message);
        if (rc != 0 && q == NULL && strncmp(error_cases[i].query, "data.", 5) != 0)
            T_CHECKM(strcmp(err.file, "query") == 0 && err.line == 1, "case %zu: at %s:%u", i,
                     err.file, err.line);
        rampart_query_free(q);
        rampart_policy_free(p);
    }
}

/* Deep nesting and memory budgets fail with clear errors, never a crash. */
static void test_limits(void)
{
    rampart_err err;
    rampart_policy *p = rampart_policy_new();
    const char *mod = "package p\nn := count(input)\nbig := [x | some x in numbers.range(1, 100000000)]";
    T_CHECK(rampart_policy_add_module(p, "p.rego", mod, strlen(mod), RAMPART_REGO_V1, &err) == 0);
    T_CHECK(rampart_policy_compile(p, &err) == 0);
    rampart_query *q = rampart_query_new(p, "data.p.n", 8, RAMPART_REGO_V1, &err);
    size_t depth = 100000;
    char *deep = malloc(depth + 1);
    memset(deep, '[', depth);
    deep[depth] = 0;
    char *out = NULL;
    size_t n;
    T_CHECK(rampart_query_eval(q, deep, depth, NULL, &out, &n, &err) != 0);
    T_CHECKM(strstr(err.message, "deep") || strstr(err.message, "nest"), "deep input: %s", err.message);
    free(deep);
    rampart_query_free(q);

    q = rampart_query_new(p, "data.p.big", 10, RAMPART_REGO_V1, &err);
    rampart_eval_opts o = {0};
    o.max_memory = 64u << 20;
    T_CHECK(rampart_query_eval(q, NULL, 0, &o, &out, &n, &err) != 0);
    T_CHECKM(strcmp(err.code, "eval_cancel_error") == 0 || strcmp(err.code, "eval_builtin_error") == 0,
             "budget: %s: %s", err.code, err.message);
    rampart_query_free(q);
    rampart_policy_free(p);
}

int main(void)
{
    test_eval_and_threads();
    test_errors();
    test_limits();
    return T_DONE();
}
