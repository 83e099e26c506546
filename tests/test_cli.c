/*
 * test_cli.c — `rampart eval` as a user runs it: the binary named by
 * $RAMPART (bin/rampart by default) is started with arguments, its stdout,
 * stderr and exit code are checked.  JSON output is compared as values
 * (key order and layout aside) with what `opa eval` prints: OPA's result
 * and error shapes, locations, exit codes, the output formats, loading of
 * files and directories, limits.  The files it needs are written to a
 * fresh temporary directory, removed at the end.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rego/json.h"
#include "t.h"

static const char *bin;
static char dir[64];

typedef struct {
    int rc;
    char *out, *err;
} proc;

static char *slurp(const char *path)
{
    char *s = NULL;
    size_t n = 0;
    rp_error e = {0};
    if (rp_read_file(path, 1 << 24, &s, &n, &e) != RP_OK)
        return strdup("");
    return s;
}

static void put_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Runs `rampart ARGS...` in dir with stdin_text (or /dev/null) as stdin. */
static proc run(const char *stdin_text, const char *const *args)
{
    char in[128], out[128], err[128];
    snprintf(in, sizeof(in), "%s/.stdin", dir);
    snprintf(out, sizeof(out), "%s/.stdout", dir);
    snprintf(err, sizeof(err), "%s/.stderr", dir);
    put_file(".stdin", stdin_text ? stdin_text : "");
    const char *argv[32];
    size_t n = 0;
    argv[n++] = bin;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fi = open(in, O_RDONLY), fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600),
            fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fi < 0 || fo < 0 || fe < 0 || chdir(dir) != 0)
            _exit(127);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    proc p = {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out),
              slurp(err)};
    return p;
}

static void done(proc *p)
{
    free(p->out);
    free(p->err);
}

/* Whether text parses as JSON equal to want (JSON too). */
static bool json_is(const char *text, const char *want)
{
    rp_arena *a = rp_arena_new(1 << 24);
    rego_value got, exp;
    rp_error e = {0};
    bool ok = a && rego_json_parse(a, text, strlen(text), "out", &got, &e) == RP_OK &&
              rego_json_parse(a, want, strlen(want), "want", &exp, &e) == RP_OK &&
              rego_equal(got, exp);
    rp_arena_free(a);
    return ok;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A case: arguments, stdin, the exit code, and stdout as JSON (J), as exact
 * text (X), or containing a string (S); stderr containing a string. */
typedef struct {
    const char *name;
    const char *const *args;
    const char *stdin_text;
    int rc;
    char how; /* 'J', 'X', 'S' */
    const char *out;
    const char *err; /* substring of stderr, or NULL */
} ccase;

static void check(const ccase *c)
{
    proc p = run(c->stdin_text, c->args);
    T_CHECKM(p.rc == c->rc, "%s: exit %d, want %d (stderr: %s)", c->name, p.rc, c->rc, p.err);
    bool ok = c->how == 'J'   ? json_is(p.out, c->out)
              : c->how == 'X' ? strcmp(p.out, c->out) == 0
                              : strstr(p.out, c->out) != NULL;
    T_CHECKM(ok, "%s: stdout\n%s\nwant (%c)\n%s", c->name, p.out, c->how, c->out);
    if (c->err)
        T_CHECKM(strstr(p.err, c->err) != NULL, "%s: stderr '%s' lacks '%s'", c->name, p.err,
                 c->err);
    done(&p);
}

static const char policy[] = "package p\n"
                             "\n"
                             "allow if input.user == \"alice\"\n"
                             "\n"
                             "msgs contains m if {\n"
                             "\tsome c in input.c\n"
                             "\tm := sprintf(\"bad %s\", [c])\n"
                             "}\n"
                             "\n"
                             "q if print(\"hello\", input.user)\n"
                             "\n"
                             "slow := count([x | some x in numbers.range(1, 2000000); x % 7 == 0])\n";

static const ccase cases[] = {
    /* OPA's result shape: expressions with text and location, bindings */
    {"defined", ARGS("eval", "-d", "p.rego", "-i", "input.json", "data.p.allow"), NULL, 0, 'J',
     "{\"result\":[{\"expressions\":[{\"value\":true,\"text\":\"data.p.allow\","
     "\"location\":{\"row\":1,\"col\":1}}]}]}",
     NULL},
    {"bindings", ARGS("eval", "x := 1; y := [x, 2]"), NULL, 0, 'J',
     "{\"result\":[{\"expressions\":[{\"value\":true,\"text\":\"x := 1\",\"location\":{\"row\":1,"
     "\"col\":1}},{\"value\":true,\"text\":\"y := [x, 2]\",\"location\":{\"row\":1,\"col\":9}}],"
     "\"bindings\":{\"x\":1,\"y\":[1,2]}}]}",
     NULL},
    {"one result per solution", ARGS("eval", "x := [1, 2][_]"), NULL, 0, 'S', "\"x\": 2", NULL},
    {"undefined is {}", ARGS("eval", "-d", "p.rego", "data.p.allow"), NULL, 0, 'J', "{}", NULL},
    {"--fail on undefined", ARGS("eval", "--fail", "-d", "p.rego", "data.p.allow"), NULL, 1, 'J',
     "{}", NULL},
    {"--fail on defined", ARGS("eval", "--fail", "1 == 1"), NULL, 0, 'S', "\"result\"", NULL},
    {"--fail-defined on defined", ARGS("eval", "--fail-defined", "1 == 1"), NULL, 1, 'S',
     "\"result\"", NULL},
    {"--fail and --fail-defined exclude each other", ARGS("eval", "--fail", "--fail-defined", "1"),
     NULL, 2, 'X', "", "mutually exclusive"},

    /* OPA's error shape and codes, exit 1 */
    {"parse error", ARGS("eval", "x := "), NULL, 1, 'J',
     "{\"errors\":[{\"message\":\"unexpected eof token\",\"code\":\"rego_parse_error\","
     "\"location\":{\"file\":\"query\",\"row\":1,\"col\":5}}]}",
     NULL},
    {"type error", ARGS("eval", "x := nosuch(1)"), NULL, 1, 'J',
     "{\"errors\":[{\"message\":\"undefined function nosuch\",\"code\":\"rego_type_error\","
     "\"location\":{\"file\":\"query\",\"row\":1,\"col\":6}}]}",
     NULL},
    {"unsafe var", ARGS("eval", "x > 1"), NULL, 1, 'S', "\"rego_unsafe_var_error\"", NULL},
    {"builtin error, strict", ARGS("eval", "--strict-builtin-errors", "x := 1 / 0"), NULL, 1, 'J',
     "{\"errors\":[{\"message\":\"div: divide by zero\",\"code\":\"eval_builtin_error\","
     "\"location\":{\"file\":\"query\",\"row\":1,\"col\":6}}]}",
     NULL},
    {"builtin error, not strict: undefined", ARGS("eval", "x := 1 / 0"), NULL, 0, 'J', "{}", NULL},
    {"conflict", ARGS("eval", "-d", "conflict.rego", "data.c.r"), NULL, 1, 'S',
     "\"eval_conflict_error\"", NULL},
    {"missing file", ARGS("eval", "-d", "nosuch.rego", "1"), NULL, 1, 'S', "nosuch.rego", NULL},
    {"errors in text formats: on stdout, as opa eval's", ARGS("eval", "-f", "raw", "x := "), NULL,
     1, 'S', "query:1:5: rego_parse_error: unexpected eof token", NULL},

    /* formats */
    {"raw", ARGS("eval", "-f", "raw", "-d", "p.rego", "-i", "input.json", "data.p.msgs"), NULL, 0,
     'X', "[\"bad x\",\"bad y\"]\n", NULL},
    {"raw string", ARGS("eval", "-f", "raw", "-i", "input.json", "input.user"), NULL, 0, 'X',
     "alice\n", NULL},
    {"values: per result, the expressions' values",
     ARGS("eval", "-f", "values", "-d", "p.rego", "-i", "input.json", "data.p.msgs"), NULL, 0, 'J',
     "[[\"bad x\",\"bad y\"]]", NULL},
    {"bindings", ARGS("eval", "-f", "bindings", "x := 1; y := [x]"), NULL, 0, 'J',
     "{\"x\":1,\"y\":[1]}", NULL},
    {"pretty undefined", ARGS("eval", "-f", "pretty", "-d", "p.rego", "data.p.allow"), NULL, 0, 'X',
     "undefined\n", NULL},
    {"pretty value", ARGS("eval", "-f", "pretty", "x := {\"a\": [1]}[\"a\"]"), NULL, 0, 'S', "| x ",
     NULL},
    {"unknown format", ARGS("eval", "-f", "xml", "1"), NULL, 2, 'X', "", "unknown format"},

    /* loading */
    {"directory: data at the directory's path", ARGS("eval", "-f", "raw", "-d", "d", "data"), NULL,
     0, 'J', "{\"a\":{\"x\":1},\"z\":[1]}", NULL},
    {"YAML input", ARGS("eval", "-f", "raw", "-i", "input.yaml", "input.c[0]"), NULL, 0, 'X',
     "x\n", NULL},
    {"YAML 1.1 scalars, as Kubernetes reads them", ARGS("eval", "-f", "raw", "-i", "input.yaml",
     "[input.c[1], input.port]"), NULL, 0, 'X', "[true,\"8080\"]\n", NULL},
    {"input from stdin", ARGS("eval", "-f", "raw", "-I", "input.n + 1"), "{\"n\": 41}", 0, 'X',
     "42\n", NULL},
    {"bad input JSON", ARGS("eval", "-i", "bad.json", "input"), NULL, 1, 'S', "rego_parse_error",
     NULL},
    {"bad data file in a directory, named", ARGS("eval", "-f", "raw", "-d", "badd", "data"), NULL, 1,
     'S', "badd/bad.json:1:7: rego_parse_error: invalid character '}'", NULL},

    /* bundles (-b): only data.json/data.yaml are data; the manifest's roots bound paths */
    {"bundle", ARGS("eval", "-f", "raw", "-b", "bun", "-i", "input.json",
                    "[data.a.x, data.a.rules.allow]"), NULL, 0, 'J',
     "[{\"limit\":5},true]", NULL},
    {"bundle: a package outside the roots", ARGS("eval", "-f", "raw", "-b", "bun2", "data"), NULL,
     1, 'S', "bundle bun2: manifest roots [\"a\"] do not permit 'package other'", NULL},
    {"bundle: data outside the roots", ARGS("eval", "-f", "raw", "-b", "bun3", "data"), NULL, 1,
     'S', "bun3/data.json: io_error: bundle bun3: manifest roots [\"a\"] do not permit data at "
          "path '/z'", NULL},
    {"bundle: not a directory", ARGS("eval", "-b", "input.json", "1"), NULL, 1, 'S',
     "bundle archives are not supported yet", NULL},
    {"v0 policy", ARGS("eval", "--v0-compatible", "-f", "raw", "-d", "v0.rego", "data.v.r"), NULL,
     0, 'X', "true\n", NULL},
    {"v0 policy read as v1", ARGS("eval", "-d", "v0.rego", "data.v.r"), NULL, 1, 'S',
     "rego_parse_error", NULL},

    /* print goes to stderr, as opa eval's */
    {"print", ARGS("eval", "-f", "raw", "-d", "p.rego", "-i", "input.json", "data.p.q"), NULL, 0, 'X',
     "true\n", "hello alice\n"},

    /* limits */
    {"--timeout", ARGS("eval", "--timeout", "20ms", "-d", "p.rego", "data.p.slow"), NULL, 1, 'S',
     "caller cancelled query execution", NULL},
    {"--timeout not reached", ARGS("eval", "--timeout", "1m", "-f", "raw", "1 + 1"), NULL, 0, 'X',
     "2\n", NULL},
    {"--timeout, Go's duration syntax", ARGS("eval", "--timeout", "1x", "1"), NULL, 2, 'X', "",
     "unknown unit \"x\" in duration \"1x\""},
    {"--max-steps", ARGS("eval", "--max-steps", "50", "-d", "p.rego", "data.p.slow"), NULL, 1, 'S',
     "exceeded 50 steps", NULL},
    {"--max-steps not a count", ARGS("eval", "--max-steps", "-3", "1"), NULL, 2, 'X', "",
     "not a count"},
    {"--max-memory", ARGS("eval", "--max-memory", "8MiB", "-d", "p.rego", "data.p.slow"), NULL, 1,
     'S', "\"eval_cancel_error\"", NULL},
    {"--max-memory not a size", ARGS("eval", "--max-memory", "-1", "1"), NULL, 2, 'X', "",
     "not a size"},

    /* usage */
    {"--help", ARGS("eval", "--help"), NULL, 0, 'S', "usage: rampart eval", NULL},
    {"no query", ARGS("eval"), NULL, 2, 'X', "", "missing QUERY"},
    {"two queries", ARGS("eval", "1", "2"), NULL, 2, 'X', "", "one QUERY expected"},
    {"unknown flag", ARGS("eval", "--nosuch", "1"), NULL, 2, 'X', "", "usage: rampart eval"},
    {"unknown command", ARGS("nosuch"), NULL, 2, 'X', "", "nosuch"},
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    bin = getenv("RAMPART") ? getenv("RAMPART") : "bin/rampart";
    char *abs = realpath(bin, NULL);
    if (!abs) {
        fprintf(stderr, "test_cli: %s not found (build it, or set RAMPART)\n", bin);
        T_CHECK(abs != NULL);
        return T_DONE();
    }
    bin = abs;
    snprintf(dir, sizeof(dir), "/tmp/rampart-test-cli-XXXXXX");
    if (!mkdtemp(dir)) {
        T_CHECK(!"mkdtemp");
        return T_DONE();
    }
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/d", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof(sub), "%s/d/a", dir);
    mkdir(sub, 0700);
    put_file("p.rego", policy);
    put_file("conflict.rego", "package c\nr := 1\nr := 2 if true\n");
    put_file("v0.rego", "package v\nr { true }\n");
    put_file("input.json", "{\"user\":\"alice\",\"c\":[\"x\",\"y\"]}");
    put_file("input.yaml", "user: alice\nc:\n- x\n- y\nport: \"8080\"\n");
    put_file("bad.json", "{\"a\": }");
    put_file("d/a/b.json", "{\"x\": 1}");
    put_file("d/top.yaml", "z:\n- 1\n");
    static const char *const dirs[] = {"badd", "bun", "bun/a", "bun/a/x", "bun2", "bun2/a",
                                       "bun2/other", "bun3"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(sub, sizeof(sub), "%s/%s", dir, dirs[i]);
        mkdir(sub, 0700);
    }
    put_file("badd/bad.json", "{\"a\": }");
    put_file("bun/.manifest", "{\"roots\": [\"a\"]}");
    put_file("bun/a/rules.rego", "package a.rules\nallow if data.a.x.limit > count(input.c)\n");
    put_file("bun/a/x/data.json", "{\"limit\": 5}");
    put_file("bun/a/x/other.json", "{\"not\": \"data\"}");
    put_file("bun2/.manifest", "{\"roots\": [\"a\"]}");
    put_file("bun2/a/r.rego", "package a\np := 1\n");
    put_file("bun2/other/o.rego", "package other\np := 1\n");
    put_file("bun3/.manifest", "{\"roots\": [\"/a/\"]}");
    put_file("bun3/data.json", "{\"a\": 1, \"z\": 2}");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check(&cases[i]);

    T_CHECK(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
    free(abs);
    return T_DONE();
}
