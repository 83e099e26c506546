/*
 * bench_engine.c — `make bench`: what the Rego engine costs, next to the same
 * work written by hand in C, measured in one run.
 *
 *  1. per evaluation: policies/admission (kube-mgmt style, 11 deny rules) on
 *     AdmissionReviews already parsed, vs the same checks in C over the same
 *     parsed value (both produce the same deny messages; checked);
 *  2. per request: JSON parse of the review + evaluation;
 *  3. JSON parse throughput on a ~10 MB Kubernetes-like document;
 *  4. one whole `rampart eval` process (fork/exec/wait);
 *  5. resident memory of a loaded 10 MB data document, as a multiple of its size.
 *
 * Ratios are what to read; absolute times depend on the machine and its load.
 * Reference points for OPA on this machine (from the issue, not measured
 * here): ~450-500 us per evaluation, ~1.5 ms with parsing, ~25 ms per
 * `opa eval` process, ~20x the data's size in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli/loader.h"
#include "rego/engine.h"
#include "rego/json.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static rego_value getk(rego_value o, const char *k)
{
    rego_value v = rego_undef();
    rego_object_get(o, rego_str_borrow(k, strlen(k)), &v); /* hashes only big objects */
    return v;
}

static bool is_true(rego_value v) { return v.kind == REGO_BOOL && v.u.b; }

static bool str_eq(rego_value v, const char *s)
{
    return v.kind == REGO_STRING && v.n == strlen(s) && memcmp(v.u.s, s, v.n) == 0;
}

/* ---- the policy, by hand ------------------------------------------------------------ */

typedef struct {
    rp_arena *a;
    rego_setb out;
    char name[256];
} hand;

static void deny(hand *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void deny(hand *h, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rego_setb_add(&h->out, rego_str(h->a, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1));
}

static bool has_prefix(rego_value s, const char *p)
{
    size_t n = strlen(p);
    return s.kind == REGO_STRING && s.n >= n && memcmp(s.u.s, p, n) == 0;
}

static bool has_char(rego_value s, char c) { return s.kind == REGO_STRING && memchr(s.u.s, c, s.n); }

static void check_container(hand *h, rego_value c, rego_value spec, bool regular)
{
    rego_value name = getk(c, "name"), image = getk(c, "image");
    const char *nm = name.kind == REGO_STRING ? name.u.s : "";
    const char *im = image.kind == REGO_STRING ? image.u.s : "";
    if (!has_prefix(image, "registry.k8s.io/") && !has_prefix(image, "ghcr.io/rampart/") &&
        !has_prefix(image, "registry.example.com/"))
        deny(h, "%s: container \"%s\" uses image \"%s\" from an untrusted registry", h->name, nm, im);
    if (!has_char(image, '@')) {
        const char *last = strrchr(im, '/');
        last = last ? last + 1 : im;
        const char *colon = strchr(last, ':');
        if (colon && !strcmp(colon + 1, "latest"))
            deny(h, "%s: container \"%s\" uses the mutable tag :latest", h->name, nm);
    }
    if (!has_char(image, ':') && !has_char(image, '@'))
        deny(h, "%s: container \"%s\" has no image tag (implies :latest)", h->name, nm);
    rego_value sc = getk(c, "securityContext");
    if (is_true(getk(sc, "privileged")))
        deny(h, "%s: container \"%s\" is privileged", h->name, nm);
    if (is_true(getk(sc, "allowPrivilegeEscalation")))
        deny(h, "%s: container \"%s\" allows privilege escalation", h->name, nm);
    rego_value nonroot = getk(sc, "runAsNonRoot");
    bool ok = is_true(nonroot) ||
              (!(nonroot.kind == REGO_BOOL && !nonroot.u.b) &&
               is_true(getk(getk(spec, "securityContext"), "runAsNonRoot")));
    if (!ok)
        deny(h, "%s: container \"%s\" may run as root (set runAsNonRoot: true)", h->name, nm);
    rego_value add = getk(getk(sc, "capabilities"), "add");
    static const char *bad[] = {"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW", "ALL"};
    for (uint32_t i = 0; add.kind == REGO_ARRAY && i < add.n; i++) {
        rego_value cap = add.u.items[i];
        if (cap.kind != REGO_STRING)
            continue;
        char up[64];
        size_t k = 0;
        for (; k < cap.n && k < sizeof(up) - 1; k++)
            up[k] = (char)(cap.u.s[k] >= 'a' && cap.u.s[k] <= 'z' ? cap.u.s[k] - 32 : cap.u.s[k]);
        up[k] = 0;
        for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++)
            if (!strcmp(up, bad[b]))
                deny(h, "%s: container \"%s\" adds capability %s", h->name, nm, cap.u.s);
    }
    if (regular) {
        rego_value limits = getk(getk(c, "resources"), "limits");
        static const char *res[] = {"cpu", "memory"};
        for (int r = 0; r < 2; r++) {
            rego_value lv = getk(limits, res[r]);
            if (lv.kind == REGO_UNDEF || (lv.kind == REGO_BOOL && !lv.u.b))
                deny(h, "%s: container \"%s\" has no %s limit", h->name, nm, res[r]);
        }
    }
}

static rego_value hand_deny(rp_arena *a, rego_value input)
{
    hand h = {a, {0}, {0}};
    rego_setb_init(&h.out, a);
    rego_value req = getk(input, "request");
    rego_value kind = getk(getk(req, "kind"), "kind");
    rego_value obj = getk(req, "object");
    rego_value spec, meta;
    static const char *workloads[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"};
    if (str_eq(kind, "Pod")) {
        spec = getk(obj, "spec");
        meta = getk(obj, "metadata");
    } else {
        bool w = false;
        for (size_t i = 0; i < 5; i++)
            w |= str_eq(kind, workloads[i]);
        if (!w)
            return rego_setb_finish(&h.out);
        spec = getk(getk(getk(obj, "spec"), "template"), "spec");
        meta = getk(getk(getk(obj, "spec"), "template"), "metadata");
    }
    rego_value nm = getk(getk(obj, "metadata"), "name");
    snprintf(h.name, sizeof(h.name), "%s/%s", kind.kind == REGO_STRING ? kind.u.s : "",
             nm.kind == REGO_STRING ? nm.u.s : "<generated>");
    static const char *lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (int l = 0; l < 3; l++) {
        rego_value cs = getk(spec, lists[l]);
        for (uint32_t i = 0; cs.kind == REGO_ARRAY && i < cs.n; i++)
            check_container(&h, cs.u.items[i], spec, l == 0);
    }
    static const char *nss[] = {"hostNetwork", "hostPID", "hostIPC"};
    for (int i = 0; i < 3; i++)
        if (is_true(getk(spec, nss[i])))
            deny(&h, "%s: pod shares the host namespace %s", h.name, nss[i]);
    rego_value vols = getk(spec, "volumes");
    for (uint32_t i = 0; vols.kind == REGO_ARRAY && i < vols.n; i++) {
        rego_value hp = getk(vols.u.items[i], "hostPath");
        if (hp.kind == REGO_UNDEF || (hp.kind == REGO_BOOL && !hp.u.b))
            continue;
        rego_value vn = getk(vols.u.items[i], "name"), path = getk(hp, "path");
        deny(&h, "%s: volume \"%s\" mounts host path \"%s\"", h.name,
             vn.kind == REGO_STRING ? vn.u.s : "", path.kind == REGO_STRING ? path.u.s : "");
    }
    static const char *labels[] = {"app", "team"};
    rego_value lab = getk(meta, "labels");
    for (int i = 0; i < 2; i++) {
        rego_value lv = getk(lab, labels[i]);
        if (lv.kind == REGO_UNDEF || (lv.kind == REGO_BOOL && !lv.u.b))
            deny(&h, "%s: missing required label \"%s\"", h.name, labels[i]);
    }
    return rego_setb_finish(&h.out);
}

/* ---- measurements ------------------------------------------------------------------- */

typedef struct {
    const char *path;
    char *text;
    size_t len;
} review;

static int load_reviews(review *out, int max)
{
    static const char *candidates[] = {
        "policies/examples/pod-privileged.json",
        "../shared/admission/pod-create-privileged.json",
        "../shared/admission/pod-create-capabilities.json",
        "../shared/admission/pod-create-hostpath-initcontainers.json",
        "../shared/admission/deployment-create.json",
        "../shared/admission/pod-create-latest-tag.json",
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]) && n < max; i++) {
        rp_error err = {0};
        if (rp_read_file(candidates[i], 1 << 24, &out[n].text, &out[n].len, &err) == RP_OK) {
            out[n].path = candidates[i];
            n++;
        }
    }
    return n;
}

static void bench_eval(const rego_policy *p, const rego_query *q, review *rv, int nrv)
{
    printf("== 1. admission policy, per evaluation (review already parsed)\n");
    printf("%-58s %10s %10s %8s %6s\n", "input", "rego us", "C us", "ratio", "denies");
    double sum_r = 0, sum_c = 0;
    for (int i = 0; i < nrv; i++) {
        rp_arena *keep = rp_arena_new(0);
        rp_error err = {0};
        rego_value input;
        if (rego_json_parse(keep, rv[i].text, rv[i].len, rv[i].path, &input, &err) != RP_OK) {
            printf("%s: %s\n", rv[i].path, err.msg);
            rp_arena_free(keep);
            continue;
        }
        rp_arena *a = rp_arena_new(0);
        rego_eval_opts o = {0};
        o.input = input;
        rego_result r;
        /* check both agree */
        if (rego_query_eval(q, a, &o, &r, &err) != RP_OK || r.nrows != 1) {
            printf("%s: evaluation failed: %s\n", rv[i].path, err.msg);
            exit(1);
        }
        rego_value rset = rego_result_expr(&r, 0, 0);
        rego_value c_set = hand_deny(a, input);
        if (!rego_equal(rset, c_set)) {
            rp_buf b1, b2;
            rp_buf_init(&b1);
            rp_buf_init(&b2);
            rego_value_write(&b1, rset, REGO_FMT_JSON_PRETTY);
            rego_value_write(&b2, c_set, REGO_FMT_JSON_PRETTY);
            printf("MISMATCH on %s:\nrego: %s\nC:    %s\n", rv[i].path, rp_buf_cstr(&b1), rp_buf_cstr(&b2));
            exit(1);
        }
        /* BENCH_ITERS fixes the iteration count (for callgrind's exact
         * instruction counts); otherwise run for about a second. */
        int fixed = getenv("BENCH_ITERS") ? atoi(getenv("BENCH_ITERS")) : 0;
        int iters = 0;
        double t0 = now_s(), t = 0;
        do {
            for (int k = 0; k < (fixed ? fixed : 200); k++) {
                rp_arena_reset(a);
                rego_query_eval(q, a, &o, &r, &err);
            }
            iters += fixed ? fixed : 200;
        } while (!fixed && (t = now_s() - t0) < 1.0);
        if (fixed)
            t = now_s() - t0;
        double rego_us = t / iters * 1e6;
        iters = 0;
        t0 = now_s();
        do {
            for (int k = 0; k < (fixed ? fixed : 2000); k++) {
                rp_arena_reset(a);
                (void)hand_deny(a, input);
            }
            iters += fixed ? fixed : 2000;
        } while (!fixed && (t = now_s() - t0) < 1.0);
        if (fixed)
            t = now_s() - t0;
        double c_us = t / iters * 1e6;
        printf("%-58s %10.2f %10.2f %7.1fx %6u\n", rv[i].path, rego_us, c_us, rego_us / c_us, rset.n);
        sum_r += rego_us;
        sum_c += c_us;
        rp_arena_free(a);
        rp_arena_free(keep);
    }
    (void)p;
    if (nrv)
        printf("mean: rego %.2f us, C %.2f us: rego/C = %.1fx; vs OPA's ~475 us: %.0fx faster\n\n",
               sum_r / nrv, sum_c / nrv, sum_r / sum_c, 475.0 / (sum_r / nrv));
}

static void bench_request(const rego_query *q, review *rv, int nrv)
{
    printf("== 2. per request: parse the review JSON + evaluate\n");
    double sum = 0;
    for (int i = 0; i < nrv; i++) {
        rp_arena *a = rp_arena_new(0);
        rp_error err = {0};
        rego_eval_opts o = {0};
        rego_result r;
        int iters = 0;
        double t0 = now_s(), t = 0;
        do {
            for (int k = 0; k < 200; k++) {
                rp_arena_reset(a);
                rego_json_parse(a, rv[i].text, rv[i].len, "input", &o.input, &err);
                rego_query_eval(q, a, &o, &r, &err);
            }
            iters += 200;
        } while ((t = now_s() - t0) < 1.0);
        double us = t / iters * 1e6;
        sum += us;
        printf("%-58s %10.2f us (%zu bytes)\n", rv[i].path, us, rv[i].len);
        rp_arena_free(a);
    }
    if (nrv)
        printf("mean %.2f us per request; vs OPA's ~1.5 ms: %.0fx faster\n\n", sum / nrv,
               1500.0 / (sum / nrv));
}

/* A Kubernetes-like inventory: n pods with labels, containers, resources. */
static char *make_doc(size_t target, size_t *len)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "{\"items\":[");
    for (int i = 0; b.len < target; i++) {
        if (i)
            rp_buf_putc(&b, ',');
        rp_buf_printf(&b,
                      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-%d-7d9f8c\","
                      "\"namespace\":\"team-%d\",\"uid\":\"%08x-1f2e-4d3c-8b7a-%012d\",\"labels\":{\"app\":"
                      "\"web\",\"team\":\"t%d\",\"pod-template-hash\":\"7d9f8c%d\"},\"creationTimestamp\":"
                      "\"2026-11-25T02:31:%02dZ\"},\"spec\":{\"nodeName\":\"node-%d\",\"serviceAccountName\":"
                      "\"default\",\"containers\":[{\"name\":\"web\",\"image\":\"registry.example.com/web:1.%d.%d\","
                      "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"resources\":{\"limits\":"
                      "{\"cpu\":\"500m\",\"memory\":\"256Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":"
                      "\"128Mi\"}},\"securityContext\":{\"runAsNonRoot\":true,\"allowPrivilegeEscalation\":"
                      "false,\"readOnlyRootFilesystem\":true}}]},\"status\":{\"phase\":\"Running\",\"podIP\":"
                      "\"10.%d.%d.%d\",\"restartCount\":%d}}",
                      i, i % 40, (unsigned)i * 2654435761u, i, i % 7, i % 10, i % 60, i % 30, i % 9, i % 17,
                      (i >> 16) & 255, (i >> 8) & 255, i & 255, i % 3);
    }
    rp_buf_puts(&b, "]}");
    *len = b.len;
    return rp_buf_steal(&b);
}

static void bench_json(const char *doc, size_t len)
{
    printf("== 3. JSON parse throughput (%.1f MB Kubernetes-like document)\n", len / 1e6);
    rp_arena *a = rp_arena_new(0);
    rp_error err = {0};
    rego_value v;
    int iters = 0;
    double t0 = now_s(), t = 0;
    do {
        rp_arena_reset(a);
        if (rego_json_parse(a, doc, len, "doc", &v, &err) != RP_OK) {
            printf("parse error: %s\n", err.msg);
            break;
        }
        iters++;
    } while ((t = now_s() - t0) < 2.0);
    printf("%.0f MB/s (%d parses)\n\n", len * (double)iters / t / 1e6, iters);
    rp_arena_free(a);
}

static long child_maxrss_kb(char *const argv[], double *secs)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    if (secs)
        *secs = now_s() - t0;
    return ru.ru_maxrss;
}

static void bench_process(void)
{
    printf("== 4. one whole `rampart eval` process (policy + review from files)\n");
    char *argv[] = {"bin/rampart", "eval", "-d", "policies/admission", "-i",
                    "policies/examples/pod-privileged.json", "data.kubernetes.admission.deny", NULL};
    double total = 0, best = 1e9;
    int n = 40;
    for (int i = 0; i < n; i++) {
        double s;
        child_maxrss_kb(argv, &s);
        total += s;
        if (s < best)
            best = s;
    }
    char *argv2[] = {"bin/rampart", "--help", NULL};
    double base = 1e9;
    for (int i = 0; i < n; i++) {
        double s;
        child_maxrss_kb(argv2, &s);
        if (s < base)
            base = s;
    }
    printf("mean %.2f ms, best %.2f ms per process (process start alone: best %.2f ms); "
           "vs OPA's ~25 ms: %.0fx faster\n\n",
           total / n * 1e3, best * 1e3, base * 1e3, 25.0 / (total / n * 1e3));
}

static void bench_memory(const char *doc, size_t len)
{
    printf("== 5. resident memory of a loaded data document\n");
    char path[] = "/tmp/rampart-bench-XXXXXX.json";
    int fd = mkstemps(path, 5);
    if (fd < 0 || write(fd, doc, len) != (ssize_t)len) {
        printf("cannot write temp file\n");
        return;
    }
    close(fd);
    char *argv[] = {"bin/rampart", "eval", "-d", path, "count(data.items)", NULL};
    char *argv0[] = {"bin/rampart", "eval", "true", NULL};
    long with = child_maxrss_kb(argv, NULL), without = child_maxrss_kb(argv0, NULL);
    unlink(path);
    double mult = (double)(with - without) * 1024.0 / (double)len;
    printf("%.1f MB document: max RSS %ld KiB loaded vs %ld KiB empty: %.2fx the data's size "
           "(OPA ~20x)\n\n",
           len / 1e6, with, without, mult);
}

static bool want(int argc, char **argv, const char *section)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], section))
            return true;
    return false;
}

/* usage: bench_engine [eval] [request] [json] [process] [memory] (default: all) */
int main(int argc, char **argv)
{
    rp_error err = {0};
    rego_policy *p = rego_policy_new();
    rp_loader l = {.version = REGO_V1};
    if (rp_load_path(p, &l, "policies/admission", &err) != RP_OK ||
        rego_policy_compile(p, &err) != RP_OK) {
        char m[512];
        rp_error_format(&err, m, sizeof(m));
        printf("policy: %s\n", m);
        return 1;
    }
    const char *qs = "data.kubernetes.admission.deny";
    rego_query *q = NULL;
    if (rego_query_new(p, qs, strlen(qs), REGO_V1, &q, &err) != RP_OK) {
        printf("query: %s\n", err.msg);
        return 1;
    }
    review rv[8];
    int nrv = load_reviews(rv, 8);
    if (want(argc, argv, "eval"))
        bench_eval(p, q, rv, nrv);
    if (want(argc, argv, "request"))
        bench_request(q, rv, nrv);
    size_t len = 0;
    char *doc = NULL;
    if (want(argc, argv, "json") || want(argc, argv, "memory"))
        doc = make_doc(10u << 20, &len);
    if (want(argc, argv, "json"))
        bench_json(doc, len);
    if (want(argc, argv, "process"))
        bench_process();
    if (want(argc, argv, "memory"))
        bench_memory(doc, len);
    free(doc);
    for (int i = 0; i < nrv; i++)
        free(rv[i].text);
    rego_query_free(q);
    rego_policy_free(p);
    return 0;
}
