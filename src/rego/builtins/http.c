/*
 * http.c — the builtin group "http": http.send(request), OPA's HTTP client
 * builtin, over libcurl.
 *
 * Off by default.  http.send works only when the embedder's evaluation
 * config (rego_eval_opts.config, read with rego_bi_config) has an
 * "http.send" object with a non-empty "allowed_hosts" list; otherwise every
 * call fails with an eval_builtin_error that says so.  The settings:
 *
 *   "http.send": {
 *     "allowed_hosts": ["api.example.com", "10.0.0.7:8443", "*.corp.example", "*"],
 *         host patterns, case-insensitive: "host" (any port), "host:port",
 *         "[v6addr]" / "[v6addr]:port", "*.domain" (any subdomain of
 *         domain, not domain itself), "*" (any host: use with care).  Every
 *         request and every redirect target must match one.
 *     "timeout": "5s",          default per-attempt timeout (Go duration
 *                               string or nanoseconds); at most 60s
 *     "max_body_bytes": 4194304,  response body limit (after gzip
 *                               decoding); at most 64 MiB
 *     "proxy": "http://proxy:3128",  a proxy; without it none is used, the
 *                               http_proxy/https_proxy environment is ignored
 *     "allow_tls_files": false, allow tls_*_file request keys (files on
 *                               the host the policy could otherwise not name)
 *     "allow_tls_env": false,   allow tls_*_env_variable request keys
 *     "inter_query_cache": true  honour "cache"/"force_cache" with the
 *                               process-wide cache below
 *   }
 *
 * What matches OPA (v1/topdown/http.go): the request keys and their
 * validation ('invalid request parameters(s): {"x"}' and 'missing required
 * request parameters(s): {"url"}' as eval_type_error), raise_error (false
 * turns errors into {"status_code": 0, "error": {"code", "message"}}), the
 * response object (status, status_code, headers with lower-case names and
 * value lists, body decoded as JSON or YAML by content type or force_*
 * flags, raw_body), Go's net/http behaviour where a policy can see it
 * (method validation, header canonicalisation and checks, Content-Length
 * rules, gzip, redirects only with enable_redirect, Go's error texts such as
 * `Get "http://x": unsupported protocol scheme "ftp"`), OPA's intra-query
 * cache (same request, same response within a query, errors included; only
 * cacheable status codes) through rego_bi_memo_get/put, and the inter-query
 * cache for "cache"/"force_cache" (Cache-Control max-age with Date, Expires,
 * no-store; force_cache_duration_seconds).  Differences: stale entries are
 * dropped rather than revalidated; network error texts are Go-like, built
 * from curl's diagnosis; unix:// sockets and http.send's env/file options
 * need the settings above; OPA follows redirects without limit, we stop at
 * REGO_HTTP_MAX_REDIRECTS with Go's "stopped after 10 redirects".
 *
 * Bounds (limits.h): per-attempt timeout (default 5 s, at most
 * REGO_HTTP_MAX_TIMEOUT_MS), one deadline for the whole call including
 * retries, backoff and redirects (REGO_HTTP_MAX_TIMEOUT_MS), response body
 * and header bytes, request size, redirects and retries.  Only http and
 * https; no file://, no proxies from the environment, no connection reuse
 * across calls.
 *
 * Global state: the inter-query response cache (at most
 * REGO_HTTP_CACHE_MAX_ENTRIES entries and REGO_HTTP_CACHE_MAX_BYTES bytes,
 * least recently used evicted first, guarded by one mutex, safe from any
 * thread; entries are malloc'd copies, never arena memory) and libcurl's
 * one-time global initialisation (pthread_once).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../builtin.h"
#include "../json.h"
#include "../limits.h"
#include "../yaml.h"
#include "gourl.h"
#include "sprintf.h"
#include "../curl_dl.h"

/* ---- small helpers ----------------------------------------------------------- */

static rego_gostr gs(const char *s, size_t n)
{
    rego_gostr r = {s ? s : "", n};
    return r;
}

static rego_gostr gsc(const char *s) { return gs(s, strlen(s)); }

static bool gs_eqc(rego_gostr a, const char *b)
{
    return a.n == strlen(b) && memcmp(a.s, b, a.n) == 0;
}

static bool gs_ieqc(rego_gostr a, const char *b)
{
    return a.n == strlen(b) && strncasecmp(a.s, b, a.n) == 0;
}

static bool get_key(rego_value obj, const char *k, rego_value *out)
{
    size_t n = strlen(k);
    return obj.kind == REGO_OBJECT && rego_object_get_str(obj, k, n, rego_hash_str(k, n), out);
}

static rego_gostr vstr(rego_value v) { return gs(v.u.s, v.n); }

/* A NUL-terminated arena copy (NULL when out of memory). */
static char *dupz(rp_arena *a, rego_gostr s) { return rp_arena_strndup(a, s.s, s.n); }

/* OPA's Term.String() of a value: strings Go-quoted, others as Rego terms. */
static void term_string(rp_buf *b, rego_value v)
{
    if (v.kind == REGO_STRING)
        rego_go_quote(b, v.u.s, v.n);
    else
        rego_value_write(b, v, REGO_FMT_REGO);
}

/* ---- errors -------------------------------------------------------------------
 * An http.send failure is one of: an operand (type) error, a builtin error,
 * or a Go *url.Error from the client (a "network" error: OPA reports it with
 * code eval_http_send_network_error when raise_error is false). */

typedef enum { HE_NONE, HE_TYPE, HE_BUILTIN, HE_NETWORK, HE_LIMIT, HE_NOMEM } he_kind;

typedef struct {
    he_kind kind;
    bool timeout;      /* a url.Error that timed out */
    bool raw;          /* OPA returns it unwrapped (no "loc: code: http.send: ") */
    char op[16];       /* url.Error's Op, e.g. "Get" */
    char url[512];     /* url.Error's URL */
    char msg[512];     /* the message (for HE_NETWORK: the wrapped error) */
} http_err;

static bool herr(http_err *e, he_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool herr(http_err *e, he_kind kind, const char *fmt, ...)
{
    if (e->kind != HE_NONE)
        return false;
    e->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return false;
}

/* Go's url.Error for a request: Op is the method with only its first letter
 * upper-case. */
static bool herr_net(http_err *e, const char *method, const char *url, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool herr_net(http_err *e, const char *method, const char *url, const char *fmt, ...)
{
    if (e->kind != HE_NONE)
        return false;
    e->kind = HE_NETWORK;
    size_t k = 0;
    for (const char *m = method; *m && k + 1 < sizeof(e->op); m++, k++)
        e->op[k] = (char)(k == 0 ? *m : (*m >= 'A' && *m <= 'Z' ? *m - 'A' + 'a' : *m));
    e->op[k] = 0;
    snprintf(e->url, sizeof(e->url), "%s", url);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return false;
}

/* url.Error.Error(): Op "URL": err. */
static void url_error_text(const http_err *e, rp_buf *b)
{
    rp_buf_printf(b, "%s ", e->op);
    rego_go_quote(b, e->url, strlen(e->url));
    rp_buf_printf(b, ": %s", e->msg);
}

/* ---- Go parsing helpers ---------------------------------------------------------- */

/* strconv.ParseBool. */
static bool go_parse_bool(const char *s, bool *out)
{
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < RP_ARRAY_LEN(t); i++) {
        if (!strcmp(s, t[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(s, f[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* time's quote(): like strconv.Quote, but every non-ASCII byte as \xNN. */
static void go_time_quote(rp_buf *b, rego_gostr s)
{
    static const char hx[] = "0123456789abcdef";
    rp_buf_putc(b, '"');
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (c >= 0x80 || c < ' ') {
            rp_buf_printf(b, "\\x%c%c", hx[c >> 4], hx[c & 15]);
            continue;
        }
        if (c == '"' || c == '\\')
            rp_buf_putc(b, '\\');
        rp_buf_putc(b, (char)c);
    }
    rp_buf_putc(b, '"');
}

static const struct {
    const char *unit;
    uint64_t ns;
} duration_units[] = {{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
                      {"ms", 1000000}, {"s", 1000000000ull}, {"m", 60000000000ull},
                      {"h", 3600000000000ull}};

typedef enum { DUR_OK, DUR_INVALID, DUR_NO_UNIT, DUR_BAD_UNIT } dur_status;

/* One "<number><unit>" of a duration starting at s[*i]: its nanoseconds.
 * On DUR_BAD_UNIT, *unit is the unknown unit. */
static dur_status dur_component(rego_gostr s, size_t *i, uint64_t *out, rego_gostr *unit)
{
    uint64_t v = 0, frac = 0, scale = 1;
    bool pre = false, post = false;
    for (; *i < s.n && s.s[*i] >= '0' && s.s[*i] <= '9'; (*i)++, pre = true) {
        if (v > (1ull << 63) / 10)
            return DUR_INVALID;
        v = v * 10 + (uint64_t)(s.s[*i] - '0');
        if (v > (1ull << 63))
            return DUR_INVALID;
    }
    if (*i < s.n && s.s[*i] == '.')
        for ((*i)++; *i < s.n && s.s[*i] >= '0' && s.s[*i] <= '9'; (*i)++, post = true)
            if (scale < 1000000000000000000ull) {
                frac = frac * 10 + (uint64_t)(s.s[*i] - '0');
                scale *= 10;
            }
    if (!pre && !post)
        return DUR_INVALID;
    size_t u = *i;
    while (*i < s.n && s.s[*i] != '.' && (s.s[*i] < '0' || s.s[*i] > '9'))
        (*i)++;
    if (u == *i)
        return DUR_NO_UNIT;
    *unit = gs(s.s + u, *i - u);
    uint64_t ns = 0;
    for (size_t k = 0; k < RP_ARRAY_LEN(duration_units); k++)
        if (strlen(duration_units[k].unit) == unit->n &&
            !memcmp(duration_units[k].unit, unit->s, unit->n))
            ns = duration_units[k].ns;
    if (!ns)
        return DUR_BAD_UNIT;
    if (v > (1ull << 63) / ns)
        return DUR_INVALID;
    v *= ns;
    if (frac)
        v += (uint64_t)((double)frac * ((double)ns / (double)scale));
    *out = v;
    return v > (1ull << 63) ? DUR_INVALID : DUR_OK;
}

/* time.ParseDuration; false with Go's message in msg. */
static bool go_parse_duration(rego_gostr s, int64_t *out, char *msg, size_t cap)
{
    size_t i = 0;
    bool neg = false;
    if (i < s.n && (s.s[i] == '-' || s.s[i] == '+'))
        neg = s.s[i++] == '-';
    if (s.n - i == 1 && s.s[i] == '0') {
        *out = 0;
        return true;
    }
    dur_status st = i < s.n ? DUR_OK : DUR_INVALID;
    uint64_t total = 0, v;
    rego_gostr unit = gs(NULL, 0);
    while (st == DUR_OK && i < s.n) {
        st = dur_component(s, &i, &v, &unit);
        total += st == DUR_OK ? v : 0;
        if (total > (1ull << 63))
            st = DUR_INVALID;
    }
    if (st == DUR_OK && !neg && total > (uint64_t)INT64_MAX)
        st = DUR_INVALID;
    if (st == DUR_OK) {
        *out = neg ? (int64_t)(0 - total) : (int64_t)total;
        return true;
    }
    rp_buf q, u;
    rp_buf_init(&q);
    rp_buf_init(&u);
    go_time_quote(&q, s);
    go_time_quote(&u, unit);
    if (st == DUR_NO_UNIT)
        snprintf(msg, cap, "time: missing unit in duration %s", rp_buf_cstr(&q));
    else if (st == DUR_BAD_UNIT)
        snprintf(msg, cap, "time: unknown unit %s in duration %s", rp_buf_cstr(&u),
                 rp_buf_cstr(&q));
    else
        snprintf(msg, cap, "time: invalid duration %s", rp_buf_cstr(&q));
    rp_buf_free(&q);
    rp_buf_free(&u);
    return false;
}

/* RFC 7230 tchar: what Go accepts in a header field name. */
static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* http.CanonicalHeaderKey, into an arena copy. */
static rego_gostr canonical_header(rp_arena *a, rego_gostr k)
{
    for (size_t i = 0; i < k.n; i++)
        if (!is_tchar((unsigned char)k.s[i]))
            return k;
    char *p = dupz(a, k);
    if (!p)
        return k;
    bool upper = true;
    for (size_t i = 0; i < k.n; i++) {
        char c = p[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        p[i] = c;
        upper = c == '-';
    }
    return gs(p, k.n);
}

static bool valid_header_name(rego_gostr k)
{
    if (!k.n)
        return false;
    for (size_t i = 0; i < k.n; i++)
        if (!is_tchar((unsigned char)k.s[i]))
            return false;
    return true;
}

/* httpguts.ValidHeaderFieldValue: no control bytes but tab. */
static bool valid_header_value(rego_gostr v)
{
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.s[i];
        if ((c < ' ' && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* httpguts.ValidHostHeader. */
static bool valid_host_header(rego_gostr h)
{
    for (size_t i = 0; i < h.n; i++) {
        unsigned char c = (unsigned char)h.s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c >= 0x80 || (c && strchr("!$%&'()*+,-.:;=[]_~", c));
        if (!ok)
            return false;
    }
    return true;
}

/* Go's %q of the Go value ast.JSON makes of v (for "invalid type for
 * headers value %q"). */
static void go_fmt_q(rp_buf *b, rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_STRING: rego_go_quote(b, v.u.s, v.n); return;
    case REGO_NUMBER: {
        /* json.Number is a string type: quoted */
        rp_buf t;
        rp_buf_init(&t);
        rego_num_write(&t, v);
        rego_go_quote(b, t.data ? t.data : "", t.len);
        rp_buf_free(&t);
        return;
    }
    case REGO_BOOL: rp_buf_printf(b, "%%!q(bool=%s)", v.u.b ? "true" : "false"); return;
    case REGO_UNDEF:
    case REGO_NULL: rp_buf_puts(b, "%!q(<nil>)"); return;
    case REGO_ARRAY:
    case REGO_SET:
        rp_buf_putc(b, '[');
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ' ');
            go_fmt_q(b, v.kind == REGO_ARRAY ? v.u.items[i] : v.u.set->items[i]);
        }
        rp_buf_putc(b, ']');
        return;
    case REGO_OBJECT:
        rp_buf_puts(b, "map[");
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ' ');
            go_fmt_q(b, rego_object_at(v, i).key);
            rp_buf_putc(b, ':');
            go_fmt_q(b, rego_object_at(v, i).val);
        }
        rp_buf_putc(b, ']');
        return;
    }
}

/* ---- embedder configuration ---------------------------------------------------- */

typedef struct {
    rego_value hosts;     /* ARRAY of patterns */
    int64_t timeout_ms;   /* default per-attempt timeout */
    size_t max_body;
    const char *proxy;    /* NULL: no proxy at all */
    bool tls_files, tls_env, cache;
} http_config;

static bool cfg_bool(rego_value cfg, const char *key, bool dflt, bool *out, http_err *e)
{
    rego_value v;
    *out = dflt;
    if (!get_key(cfg, key, &v))
        return true;
    if (v.kind != REGO_BOOL)
        return herr(e, HE_BUILTIN, "invalid http.send configuration: %s must be a boolean", key);
    *out = v.u.b;
    return true;
}

/* Reads rego_bi_config(ctx, "http.send"); false with the reason when
 * http.send is disabled or the settings are malformed. */
static bool read_config(rego_bctx *ctx, http_config *c, http_err *e)
{
    rego_value cfg = rego_bi_config(ctx, "http.send"), v;
    memset(c, 0, sizeof(*c));
    if (cfg.kind != REGO_OBJECT || !get_key(cfg, "allowed_hosts", &c->hosts) ||
        c->hosts.kind != REGO_ARRAY || c->hosts.n == 0)
        return herr(e, HE_BUILTIN,
                    "disabled: the embedder allows no hosts (to enable http.send, add "
                    "\"http.send\": {\"allowed_hosts\": [\"host\", \"host:port\", ...]} to the "
                    "evaluation config)");
    for (size_t i = 0; i < c->hosts.n; i++)
        if (c->hosts.u.items[i].kind != REGO_STRING || c->hosts.u.items[i].n == 0)
            return herr(e, HE_BUILTIN,
                        "invalid http.send configuration: allowed_hosts must hold host patterns");
    c->timeout_ms = REGO_HTTP_DEFAULT_TIMEOUT_MS;
    if (get_key(cfg, "timeout", &v)) {
        int64_t ns = 0;
        char msg[128];
        if (v.kind == REGO_NUMBER ? !rego_num_to_i64(v, &ns)
                                  : v.kind != REGO_STRING ||
                                        !go_parse_duration(vstr(v), &ns, msg, sizeof(msg)))
            return herr(e, HE_BUILTIN, "invalid http.send configuration: bad timeout");
        c->timeout_ms = ns <= 0 ? REGO_HTTP_MAX_TIMEOUT_MS : (ns + 999999) / 1000000;
        if (c->timeout_ms > REGO_HTTP_MAX_TIMEOUT_MS)
            c->timeout_ms = REGO_HTTP_MAX_TIMEOUT_MS;
    }
    c->max_body = REGO_HTTP_DEFAULT_MAX_BODY_BYTES;
    if (get_key(cfg, "max_body_bytes", &v)) {
        int64_t n;
        if (v.kind != REGO_NUMBER || !rego_num_to_i64(v, &n) || n < 0)
            return herr(e, HE_BUILTIN, "invalid http.send configuration: bad max_body_bytes");
        c->max_body = n > (int64_t)REGO_HTTP_MAX_BODY_BYTES ? REGO_HTTP_MAX_BODY_BYTES : (size_t)n;
    }
    if (get_key(cfg, "proxy", &v)) {
        if (v.kind != REGO_STRING)
            return herr(e, HE_BUILTIN, "invalid http.send configuration: proxy must be a string");
        c->proxy = v.u.s;
    }
    return cfg_bool(cfg, "allow_tls_files", false, &c->tls_files, e) &&
           cfg_bool(cfg, "allow_tls_env", false, &c->tls_env, e) &&
           cfg_bool(cfg, "inter_query_cache", true, &c->cache, e);
}

/* Whether host (as in URL.Host: name, [v6] or either with :port) matches
 * one allowed pattern.  port is the effective port (scheme default when the
 * URL has none). */
static bool host_allowed(const http_config *c, rego_gostr name, rego_gostr port)
{
    for (size_t i = 0; i < c->hosts.n; i++) {
        rego_gostr p = vstr(c->hosts.u.items[i]);
        if (gs_eqc(p, "*"))
            return true;
        rego_gostr pname = p, pport = gs(NULL, 0);
        const char *colon = NULL;
        for (size_t k = p.n; k > 0; k--)
            if (p.s[k - 1] == ':' || p.s[k - 1] == ']') {
                colon = p.s[k - 1] == ':' ? p.s + k - 1 : NULL;
                break;
            }
        if (colon) {
            pname = gs(p.s, (size_t)(colon - p.s));
            pport = gs(colon + 1, p.n - pname.n - 1);
        }
        if (pname.n >= 2 && pname.s[0] == '[' && pname.s[pname.n - 1] == ']')
            pname = gs(pname.s + 1, pname.n - 2);
        if (pport.n && (pport.n != port.n || memcmp(pport.s, port.s, port.n)))
            continue;
        if (pname.n >= 2 && pname.s[0] == '*' && pname.s[1] == '.') {
            rego_gostr suffix = gs(pname.s + 1, pname.n - 1); /* ".domain" */
            if (name.n > suffix.n &&
                !strncasecmp(name.s + name.n - suffix.n, suffix.s, suffix.n))
                return true;
            continue;
        }
        if (pname.n == name.n && !strncasecmp(pname.s, name.s, name.n))
            return true;
    }
    return false;
}

/* OPA's host check for a URL ("unallowed host: x"). */
static bool check_url_host(const http_config *c, const rego_gourl *u, http_err *e)
{
    rego_gostr name = rego_gourl_hostname(u), port = rego_gourl_port(u);
    if (!port.n)
        port = gs_eqc(u->scheme, "https") ? gsc("443") : gsc("80");
    if (host_allowed(c, name, port))
        return true;
    return herr(e, HE_BUILTIN, "unallowed host: %.*s", (int)name.n, name.s);
}

/* ---- the request --------------------------------------------------------------- */

/* One request header (canonical name, value). */
typedef struct {
    rego_gostr name, value;
} http_header;

/* A PEM input: inline text, a file name or an environment variable. */
typedef struct {
    rego_gostr inline_pem, file, env;
} pem_src;

/* OPA's request object, decoded the way createHTTPRequest decodes it. */
typedef struct {
    rego_value obj;            /* the request */
    rego_gostr method;         /* upper-cased; "" means GET */
    rego_gostr url;
    rp_buf body;               /* body (JSON) or raw_body */
    bool has_body;             /* raw_body seen */
    bool body_present;         /* body or raw_body given */
    http_header *headers;      /* canonical names, sorted, last write wins */
    size_t nheaders;
    rego_gostr host_header;    /* the "Host" header, when given */
    rego_gostr bad_header;     /* "invalid type for headers value ..." */
    rego_gourl u;              /* the parsed url */
    bool enable_redirect, insecure, use_system_certs, force_json, force_yaml;
    pem_src ca, client_cert, client_key;
    rego_gostr server_name;
    int64_t timeout_ns;        /* 0: the default */
    bool has_timeout;
    long retries;
} http_req;

/* The keys OPA's createHTTPRequest wants as strings. */
static bool string_key(rego_gostr k)
{
    static const char *const keys[] = {
        "method", "url", "raw_body", "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable",
        "tls_client_cert", "tls_client_cert_file", "tls_client_cert_env_variable",
        "tls_client_key", "tls_client_key_file", "tls_client_key_env_variable", "tls_server_name"};
    for (size_t i = 0; i < RP_ARRAY_LEN(keys); i++)
        if (gs_eqc(k, keys[i]))
            return true;
    return false;
}

/* strconv.ParseBool(term.String()), as OPA reads enable_redirect and the
 * tls_* flags (so 1 and "t"-like numbers count, strings never do). */
static bool parse_bool_term(rego_value v, bool *out, http_err *e)
{
    rp_buf b;
    rp_buf_init(&b);
    term_string(&b, v);
    bool ok = go_parse_bool(rp_buf_cstr(&b), out);
    if (!ok) {
        rp_buf q;
        rp_buf_init(&q);
        rego_go_quote(&q, b.data ? b.data : "", b.len);
        herr(e, HE_BUILTIN, "strconv.ParseBool: parsing %s: invalid syntax", rp_buf_cstr(&q));
        rp_buf_free(&q);
    }
    rp_buf_free(&b);
    return ok;
}

/* strconv.ParseInt(s, 10, 64). */
static bool go_parse_int(rego_gostr s, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (s.n && (s.s[0] == '+' || s.s[0] == '-'))
        neg = s.s[i++] == '-';
    if (i == s.n)
        return false;
    uint64_t v = 0;
    for (; i < s.n; i++) {
        if (s.s[i] < '0' || s.s[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s.s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + neg)
        return false;
    *out = neg ? -(int64_t)(v - 1) - 1 : (int64_t)v;
    return true;
}

/* OPA's parseTimeout. */
static bool parse_timeout(rego_value v, int64_t *ns, http_err *e)
{
    if (v.kind == REGO_NUMBER) {
        if (v.sub == REGO_NUM_INT) {
            *ns = v.u.i;
            return true;
        }
        rp_buf b;
        rp_buf_init(&b);
        rego_num_write(&b, v);
        herr(e, HE_BUILTIN, "invalid timeout number value %s, must be int64", rp_buf_cstr(&b));
        rp_buf_free(&b);
        return false;
    }
    if (v.kind == REGO_STRING) {
        if (go_parse_int(vstr(v), ns))
            return true;
        char msg[256];
        if (go_parse_duration(vstr(v), ns, msg, sizeof(msg)))
            return true;
        rp_buf b;
        rp_buf_init(&b);
        term_string(&b, v);
        herr(e, HE_BUILTIN, "invalid timeout value %s: %s", rp_buf_cstr(&b), msg);
        rp_buf_free(&b);
        return false;
    }
    return herr(e, HE_TYPE, "operand 1 'timeout' must be one of {string, number} but got %s",
                rego_type_name(v));
}

static int cmp_header(const void *a, const void *b)
{
    const http_header *x = a, *y = b;
    size_t n = x->name.n < y->name.n ? x->name.n : y->name.n;
    int c = n ? memcmp(x->name.s, y->name.s, n) : 0;
    return c ? c : (x->name.n > y->name.n) - (x->name.n < y->name.n);
}

/* The "headers" object: canonical names (later duplicates win), string
 * values. */
static bool parse_headers(rp_arena *a, rego_value v, http_req *r, http_err *e)
{
    if (v.kind != REGO_OBJECT)
        return herr(e, HE_BUILTIN, "invalid type for headers key");
    r->headers = rp_arena_array(a, v.n ? v.n : 1, sizeof(http_header));
    if (!r->headers)
        return herr(e, HE_NOMEM, "out of memory");
    for (size_t i = 0; i < v.n; i++) {
        rego_objent ent = rego_object_at(v, i);
        rego_gostr name;
        if (ent.key.kind == REGO_STRING) {
            name = vstr(ent.key);
        } else {
            rp_buf b;
            rp_buf_init(&b);
            rego_value_write(&b, ent.key, REGO_FMT_JSON);
            char *k = rp_arena_strndup(a, b.data ? b.data : "", b.len);
            name = gs(k, k ? b.len : 0);
            rp_buf_free(&b);
        }
        name = canonical_header(a, name);
        size_t j = 0;
        while (j < r->nheaders && !(r->headers[j].name.n == name.n &&
                                    !memcmp(r->headers[j].name.s, name.s, name.n)))
            j++;
        r->headers[j].name = name;
        r->headers[j].value = ent.val.kind == REGO_STRING ? vstr(ent.val) : gs(NULL, 0);
        if (ent.val.kind != REGO_STRING && !r->bad_header.s) {
            /* reported after the TLS settings, where OPA checks it */
            rp_buf b;
            rp_buf_init(&b);
            rp_buf_puts(&b, "invalid type for headers value ");
            go_fmt_q(&b, ent.val);
            char *m = rp_arena_strndup(a, rp_buf_cstr(&b), b.len);
            r->bad_header = gs(m, m ? b.len : 0);
            rp_buf_free(&b);
        }
        if (j == r->nheaders)
            r->nheaders++;
    }
    qsort(r->headers, r->nheaders, sizeof(http_header), cmp_header);
    for (size_t i = 0; i < r->nheaders; i++)
        if (gs_eqc(r->headers[i].name, "Host"))
            r->host_header = r->headers[i].value;
    return true;
}

static const http_header *find_header(const http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (gs_eqc(r->headers[i].name, name))
            return &r->headers[i];
    return NULL;
}

/* The tls_* keys whose string value is stored as is. */
static bool tls_string_key(http_req *r, rego_gostr k, rego_value v)
{
    const struct {
        const char *key;
        rego_gostr *field;
    } keys[] = {
        {"tls_ca_cert", &r->ca.inline_pem}, {"tls_ca_cert_file", &r->ca.file},
        {"tls_ca_cert_env_variable", &r->ca.env}, {"tls_client_cert", &r->client_cert.inline_pem},
        {"tls_client_cert_file", &r->client_cert.file},
        {"tls_client_cert_env_variable", &r->client_cert.env},
        {"tls_client_key", &r->client_key.inline_pem}, {"tls_client_key_file", &r->client_key.file},
        {"tls_client_key_env_variable", &r->client_key.env}, {"tls_server_name", &r->server_name},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(keys); i++)
        if (gs_eqc(k, keys[i].key)) {
            *keys[i].field = vstr(v);
            return true;
        }
    return false;
}

/* One key of the request (OPA's createHTTPRequest switch). */
static bool parse_request_key(rp_arena *a, const http_config *cfg, rego_gostr k, rego_value v,
                              http_req *r, http_err *e)
{
    if (v.kind != REGO_STRING && string_key(k))
        return herr(e, HE_BUILTIN, "\"%.*s\" must be a string", (int)k.n, k.s);
    /* Checked here, before any cache can answer, so that a response fetched
     * with a file or variable is never served to a query denied them. */
    bool file = k.n > 5 && !memcmp(k.s + k.n - 5, "_file", 5);
    bool env = k.n > 13 && !memcmp(k.s + k.n - 13, "_env_variable", 13);
    if ((file && !cfg->tls_files) || (env && !cfg->tls_env))
        return herr(e, HE_BUILTIN, "%.*s is not allowed: the embedder must set \"%s\": true in the "
                    "http.send config", (int)k.n, k.s, file ? "allow_tls_files" : "allow_tls_env");
    if (gs_eqc(k, "method")) {
        char *m = dupz(a, vstr(v));
        for (size_t i = 0; m && i < v.n; i++)
            if (m[i] >= 'a' && m[i] <= 'z')
                m[i] = (char)(m[i] - 'a' + 'A');
        r->method = gs(m, m ? v.n : 0);
    } else if (gs_eqc(k, "url")) {
        /* OPA checks the host here (verifyURLHost), parsing the URL */
        char msg[512];
        r->url = vstr(v);
        if (!rego_gourl_parse(a, v.u.s, v.n, &r->u, msg, sizeof(msg)))
            return herr(e, HE_BUILTIN, "%s", msg);
        return check_url_host(cfg, &r->u, e);
    } else if (gs_eqc(k, "enable_redirect")) {
        return parse_bool_term(v, &r->enable_redirect, e);
    } else if (gs_eqc(k, "body")) {
        if (!r->has_body)
            rego_value_write(&r->body, v, REGO_FMT_JSON | REGO_FMT_HTML);
    } else if (gs_eqc(k, "raw_body")) {
        rp_buf_free(&r->body);
        rp_buf_init(&r->body);
        rp_buf_append(&r->body, v.u.s, v.n);
        r->has_body = true;
    } else if (gs_eqc(k, "tls_use_system_certs")) {
        return parse_bool_term(v, &r->use_system_certs, e);
    } else if (gs_eqc(k, "tls_insecure_skip_verify")) {
        return parse_bool_term(v, &r->insecure, e);
    } else if (tls_string_key(r, k, v)) {
        return true;
    } else if (gs_eqc(k, "headers")) {
        return parse_headers(a, v, r, e);
    } else if (gs_eqc(k, "timeout")) {
        r->has_timeout = true;
        return parse_timeout(v, &r->timeout_ns, e);
    }
    return true;
}

/* OPA's getNumberValFromReqObj for max_retry_attempts. */
static bool parse_retries(rego_value req, long *out, http_err *e)
{
    rego_value v;
    *out = 0;
    if (!get_key(req, "max_retry_attempts", &v))
        return true;
    int64_t n;
    if (v.kind == REGO_NUMBER && rego_num_to_i64(v, &n) && n >= 0 && v.sub != REGO_NUM_FLOAT) {
        *out = n > REGO_HTTP_MAX_RETRIES ? REGO_HTTP_MAX_RETRIES : (long)n;
        return true;
    }
    rp_buf b;
    rp_buf_init(&b);
    term_string(&b, v);
    herr(e, HE_BUILTIN, "invalid value %s for field \"max_retry_attempts\"", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return false;
}

/* OPA's getBoolValFromReqObj. */
static bool bool_field(rego_value req, const char *key, bool *out, http_err *e)
{
    rego_value v;
    *out = false;
    if (!get_key(req, key, &v))
        return true;
    if (v.kind != REGO_BOOL)
        return herr(e, HE_BUILTIN, "invalid value for \"%s\" field", key);
    *out = v.u.b;
    return true;
}

/* Decodes the request (keys in sorted order; OPA's map order is its
 * insertion order, which only matters when several keys are wrong). */
static bool parse_request(rp_arena *a, const http_config *cfg, rego_value obj, http_req *r,
                          http_err *e)
{
    memset(r, 0, sizeof(*r));
    r->obj = obj;
    rp_buf_init(&r->body);
    for (size_t i = 0; i < obj.n; i++) {
        rego_objent ent = rego_object_at(obj, i);
        if (!parse_request_key(a, cfg, vstr(ent.key), ent.val, r, e))
            return false;
    }
    rego_value v;
    r->body_present = get_key(obj, "body", &v) || get_key(obj, "raw_body", &v);
    if (r->body.failed || r->body.len > REGO_HTTP_MAX_REQUEST_BYTES)
        return herr(e, HE_LIMIT, "request body exceeds the limit of %u bytes",
                    (unsigned)REGO_HTTP_MAX_REQUEST_BYTES);
    return true;
}

/* ---- TLS material ------------------------------------------------------------------
 * Go's tls.Config as OPA fills it: client certificate pairs (inline, file,
 * environment), extra roots (inline, file, environment) on top of an empty
 * pool or, with tls_use_system_certs, the system pool.  Held as OpenSSL
 * objects for the transfer (freed by tls_free). */

typedef struct {
    X509 *cert;
    STACK_OF(X509) *chain;
    EVP_PKEY *key;
    STACK_OF(X509) *cas;  /* extra roots, or NULL */
    bool use_system;
} tls_material;

static void tls_free(tls_material *t)
{
    X509_free(t->cert);
    EVP_PKEY_free(t->key);
    sk_X509_pop_free(t->chain, X509_free);
    sk_X509_pop_free(t->cas, X509_free);
    memset(t, 0, sizeof(*t));
}

/* Go's syscall error text: strerror, lower-cased first letter. */
static void errno_text(int err, char *out, size_t cap)
{
    snprintf(out, cap, "%s", strerror(err));
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* os.ReadFile, bounded; Go's "open <path>: ..." errors. */
static bool read_pem_file(rego_gostr path, rp_buf *out, http_err *e)
{
    char p[4096];
    if (path.n >= sizeof(p) || memchr(path.s, 0, path.n))
        return herr(e, HE_BUILTIN, "open %.*s: invalid argument", (int)path.n, path.s);
    memcpy(p, path.s, path.n);
    p[path.n] = 0;
    FILE *f = fopen(p, "rb");
    if (!f) {
        char t[128];
        errno_text(errno, t, sizeof(t));
        return herr(e, HE_BUILTIN, "open %s: %s", p, t);
    }
    char buf[8192];
    size_t k;
    while ((k = fread(buf, 1, sizeof(buf), f)) > 0 && out->len <= REGO_HTTP_MAX_REQUEST_BYTES)
        rp_buf_append(out, buf, k);
    fclose(f);
    if (out->failed || out->len > REGO_HTTP_MAX_REQUEST_BYTES)
        return herr(e, HE_LIMIT, "%s exceeds the limit of %u bytes", p,
                    (unsigned)REGO_HTTP_MAX_REQUEST_BYTES);
    return true;
}

/* The PEM text of a source of the given kind (inline/file/env). */
typedef enum { PEM_INLINE, PEM_FILE, PEM_ENV } pem_kind;

static bool pem_text(const http_config *cfg, const pem_src *src, pem_kind kind, const char *what,
                     rp_buf *out, http_err *e)
{
    switch (kind) {
    case PEM_INLINE:
        rp_buf_append(out, src->inline_pem.s, src->inline_pem.n);
        return true;
    case PEM_FILE:
        if (!cfg->tls_files)
            return herr(e, HE_BUILTIN,
                        "%s_file is not allowed: the embedder must set \"allow_tls_files\": true "
                        "in the http.send config", what);
        return read_pem_file(src->file, out, e);
    case PEM_ENV: {
        if (!cfg->tls_env)
            return herr(e, HE_BUILTIN,
                        "%s_env_variable is not allowed: the embedder must set \"allow_tls_env\": "
                        "true in the http.send config", what);
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)src->env.n, src->env.s);
        const char *v = getenv(name);
        rp_buf_puts(out, v ? v : "");
        return true;
    }
    }
    return true;
}

/* The PEM block types in text (for Go's "after skipping PEM blocks of the
 * following types" messages). */
static void pem_types(const char *s, size_t n, rp_buf *out)
{
    const char *end = s + n;
    bool first = true;
    rp_buf_putc(out, '[');
    for (const char *p = s; p < end;) {
        const char *b = memmem(p, (size_t)(end - p), "-----BEGIN ", 11);
        if (!b)
            break;
        b += 11;
        const char *t = memmem(b, (size_t)(end - b), "-----", 5);
        if (!t)
            break;
        if (!first)
            rp_buf_putc(out, ' ');
        rp_buf_append(out, b, (size_t)(t - b));
        first = false;
        p = t + 5;
    }
    rp_buf_putc(out, ']');
}

/* Every CERTIFICATE block of a PEM text (undecodable blocks skipped, as
 * Go's AppendCertsFromPEM skips them). */
static STACK_OF(X509) *pem_certs(const char *s, size_t n)
{
    STACK_OF(X509) *out = sk_X509_new_null();
    BIO *bio = BIO_new_mem_buf(s, (int)n);
    if (!out || !bio) {
        BIO_free(bio);
        return out;
    }
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    while (PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
        if (!strcmp(name, "CERTIFICATE")) {
            const unsigned char *p = data;
            X509 *x = d2i_X509(NULL, &p, len);
            if (x && !sk_X509_push(out, x))
                X509_free(x);
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
    }
    ERR_clear_error();
    BIO_free(bio);
    return out;
}

/* tls.X509KeyPair. */
static bool load_key_pair(const rp_buf *certpem, const rp_buf *keypem, tls_material *t,
                          http_err *e)
{
    const char *cs = certpem->data ? certpem->data : "", *ks = keypem->data ? keypem->data : "";
    STACK_OF(X509) *certs = pem_certs(cs, certpem->len);
    if (!certs || sk_X509_num(certs) == 0) {
        sk_X509_pop_free(certs, X509_free);
        if (!memmem(cs, certpem->len, "-----BEGIN ", 11))
            return herr(e, HE_BUILTIN, "tls: failed to find any PEM data in certificate input");
        rp_buf types;
        rp_buf_init(&types);
        pem_types(cs, certpem->len, &types);
        herr(e, HE_BUILTIN,
             "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping "
             "PEM blocks of the following types: %s", rp_buf_cstr(&types));
        rp_buf_free(&types);
        return false;
    }
    BIO *bio = BIO_new_mem_buf(ks, (int)keypem->len);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    if (!key) {
        sk_X509_pop_free(certs, X509_free);
        if (!memmem(ks, keypem->len, "-----BEGIN ", 11))
            return herr(e, HE_BUILTIN, "tls: failed to find any PEM data in key input");
        if (memmem(ks, keypem->len, "-----BEGIN CERTIFICATE", 22))
            return herr(e, HE_BUILTIN,
                        "tls: found a certificate rather than a key in the PEM for the private key");
        return herr(e, HE_BUILTIN, "tls: failed to parse private key");
    }
    X509 *leaf = sk_X509_shift(certs);
    if (X509_check_private_key(leaf, key) != 1) {
        ERR_clear_error();
        X509_free(leaf);
        EVP_PKEY_free(key);
        sk_X509_pop_free(certs, X509_free);
        return herr(e, HE_BUILTIN, "tls: private key does not match public key");
    }
    if (t->cert) { /* Go keeps every pair; the first one is what gets offered */
        X509_free(leaf);
        EVP_PKEY_free(key);
        sk_X509_pop_free(certs, X509_free);
        return true;
    }
    t->cert = leaf;
    t->key = key;
    t->chain = certs;
    return true;
}

static bool has_src(const pem_src *s, pem_kind k)
{
    return k == PEM_INLINE ? s->inline_pem.n > 0 : k == PEM_FILE ? s->file.n > 0 : s->env.n > 0;
}

static bool load_client_pairs(const http_config *cfg, const http_req *r, tls_material *t,
                              http_err *e)
{
    static const char *const errfmt[] = {NULL, NULL,
                                         "cannot extract public/private key pair from envvars"};
    for (int k = PEM_INLINE; k <= PEM_ENV; k++) {
        if (!has_src(&r->client_cert, (pem_kind)k) || !has_src(&r->client_key, (pem_kind)k))
            continue;
        rp_buf c, kk;
        rp_buf_init(&c);
        rp_buf_init(&kk);
        bool ok = pem_text(cfg, &r->client_cert, (pem_kind)k, "tls_client_cert", &c, e) &&
                  pem_text(cfg, &r->client_key, (pem_kind)k, "tls_client_key", &kk, e);
        http_err inner = {0};
        if (ok && !load_key_pair(&c, &kk, t, errfmt[k] ? &inner : e)) {
            ok = false;
            if (errfmt[k])
                herr(e, HE_BUILTIN, "%s \"%.*s\", \"%.*s\": %s", errfmt[k],
                     (int)r->client_cert.env.n, r->client_cert.env.s, (int)r->client_key.env.n,
                     r->client_key.env.s, inner.msg);
        }
        rp_buf_free(&c);
        rp_buf_free(&kk);
        if (!ok)
            return false;
    }
    return true;
}

/* Extra roots: inline ("\n" escapes turned into newlines, as OPA does),
 * file, environment, in that order. */
static bool load_roots(const http_config *cfg, const http_req *r, tls_material *t, http_err *e)
{
    for (int k = PEM_INLINE; k <= PEM_ENV; k++) {
        if (!has_src(&r->ca, (pem_kind)k))
            continue;
        rp_buf pem;
        rp_buf_init(&pem);
        if (!pem_text(cfg, &r->ca, (pem_kind)k, "tls_ca_cert", &pem, e)) {
            rp_buf_free(&pem);
            return false;
        }
        if (k == PEM_INLINE) {
            size_t w = 0;
            for (size_t i = 0; i < pem.len; i++, w++) {
                if (pem.data[i] == '\\' && i + 1 < pem.len && pem.data[i + 1] == 'n') {
                    pem.data[w] = '\n';
                    i++;
                } else {
                    pem.data[w] = pem.data[i];
                }
            }
            pem.len = w;
        }
        STACK_OF(X509) *certs = pem_certs(pem.data ? pem.data : "", pem.len);
        rp_buf_free(&pem);
        if (!certs || sk_X509_num(certs) == 0) {
            sk_X509_pop_free(certs, X509_free);
            if (k == PEM_INLINE)
                return herr(e, HE_BUILTIN, "could not append certificates");
            if (k == PEM_FILE)
                return herr(e, HE_BUILTIN, "could not append CA certificates from \"%.*s\"",
                            (int)r->ca.file.n, r->ca.file.s);
            return herr(e, HE_BUILTIN,
                        "could not add CA certificates from envvar \"%.*s\": could not append "
                        "certificates", (int)r->ca.env.n, r->ca.env.s);
        }
        if (!t->cas) {
            t->cas = certs;
            continue;
        }
        while (sk_X509_num(certs) > 0)
            sk_X509_push(t->cas, sk_X509_shift(certs));
        sk_X509_free(certs);
    }
    return true;
}

/* libcurl calls this with each new SSL_CTX: installs the roots and the
 * client certificate. */
static CURLcode ssl_ctx_cb(CURL *curl, void *sslctx, void *parm)
{
    (void)curl;
    SSL_CTX *ctx = sslctx;
    const tls_material *t = parm;
    if (t->cas) {
        X509_STORE *store = t->use_system ? SSL_CTX_get_cert_store(ctx) : X509_STORE_new();
        if (!store)
            return CURLE_OUT_OF_MEMORY;
        for (int i = 0; i < sk_X509_num(t->cas); i++)
            X509_STORE_add_cert(store, sk_X509_value(t->cas, i));
        if (!t->use_system)
            SSL_CTX_set_cert_store(ctx, store);
        ERR_clear_error();
    }
    if (t->cert) {
        if (SSL_CTX_use_certificate(ctx, t->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, t->key) != 1)
            return CURLE_SSL_CERTPROBLEM;
        for (int i = 0; i < sk_X509_num(t->chain); i++)
            SSL_CTX_add1_chain_cert(ctx, sk_X509_value(t->chain, i));
    }
    return CURLE_OK;
}

/* OPA's TLS setup, in its order, then http.NewRequest's checks and the
 * deferred header type error. */
static bool prepare_request(const http_config *cfg, http_req *r, tls_material *t, http_err *e)
{
    t->use_system = r->use_system_certs;
    if (!load_client_pairs(cfg, r, t, e) || !load_roots(cfg, r, t, e))
        return false;
    if (r->method.n == 0)
        r->method = gsc("GET");
    for (size_t i = 0; i < r->method.n; i++)
        if (!is_tchar((unsigned char)r->method.s[i])) {
            rp_buf q;
            rp_buf_init(&q);
            rego_go_quote(&q, r->method.s, r->method.n);
            herr(e, HE_BUILTIN, "net/http: invalid method %s", rp_buf_cstr(&q));
            rp_buf_free(&q);
            return false;
        }
    if (r->bad_header.n)
        return herr(e, HE_BUILTIN, "%.*s", (int)r->bad_header.n, r->bad_header.s);
    return true;
}

/* ---- transfers ---------------------------------------------------------------------- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A received response. */
typedef struct {
    long code;
    rego_gostr status;      /* Go's resp.Status: the status line after the protocol */
    http_header *headers;   /* as received (names as sent) */
    size_t nheaders, cap;
    rp_buf body;
} http_resp;

typedef struct {
    rp_arena *a;
    http_resp *resp;
    size_t max_body, header_bytes;
    bool body_too_big, headers_too_big, failed;
} xfer;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t k = size * n;
    if (x->resp->body.len + k > x->max_body) {
        x->body_too_big = true;
        return 0;
    }
    rp_buf_append(&x->resp->body, p, k);
    return x->resp->body.failed ? 0 : k;
}

static bool push_header(xfer *x, rego_gostr name, rego_gostr value)
{
    http_resp *r = x->resp;
    if (r->nheaders == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        http_header *n = rp_arena_array(x->a, ncap, sizeof(http_header));
        if (!n)
            return false;
        if (r->nheaders)
            memcpy(n, r->headers, r->nheaders * sizeof(http_header));
        r->headers = n;
        r->cap = ncap;
    }
    char *nm = dupz(x->a, name), *vl = dupz(x->a, value);
    if (!nm || !vl)
        return false;
    r->headers[r->nheaders].name = gs(nm, name.n);
    r->headers[r->nheaders].value = gs(vl, value.n);
    r->nheaders++;
    return true;
}

/* Go's textproto trims spaces and tabs around values. */
static rego_gostr trim_ws(rego_gostr s)
{
    while (s.n && (s.s[0] == ' ' || s.s[0] == '\t')) {
        s.s++;
        s.n--;
    }
    while (s.n && (s.s[s.n - 1] == ' ' || s.s[s.n - 1] == '\t' || s.s[s.n - 1] == '\r' ||
                   s.s[s.n - 1] == '\n'))
        s.n--;
    return s;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t k = size * n;
    x->header_bytes += k;
    if (x->header_bytes > REGO_HTTP_MAX_HEADER_BYTES) {
        x->headers_too_big = true;
        return 0;
    }
    rego_gostr line = trim_ws(gs(p, k));
    if (line.n >= 5 && !memcmp(line.s, "HTTP/", 5)) {
        /* a new response (interim 1xx ones come first): start over */
        const char *sp = memchr(line.s, ' ', line.n);
        rego_gostr status = sp ? trim_ws(gs(sp + 1, line.n - (size_t)(sp + 1 - line.s))) : gs(NULL, 0);
        char *st = dupz(x->a, status);
        x->resp->status = gs(st, st ? status.n : 0);
        x->resp->nheaders = 0;
        return k;
    }
    if (!line.n)
        return k;
    if ((p[0] == ' ' || p[0] == '\t') && x->resp->nheaders) {
        /* an obsolete folded line continues the previous value */
        http_header *h = &x->resp->headers[x->resp->nheaders - 1];
        char *v = rp_arena_alloc(x->a, h->value.n + 1 + line.n + 1);
        if (!v)
            return 0;
        memcpy(v, h->value.s, h->value.n);
        v[h->value.n] = ' ';
        memcpy(v + h->value.n + 1, line.s, line.n);
        v[h->value.n + 1 + line.n] = 0;
        h->value = gs(v, h->value.n + 1 + line.n);
        return k;
    }
    const char *colon = memchr(line.s, ':', line.n);
    if (!colon)
        return k;
    rego_gostr name = gs(line.s, (size_t)(colon - line.s));
    rego_gostr value = trim_ws(gs(colon + 1, line.n - name.n - 1));
    if (!push_header(x, name, value)) {
        x->failed = true;
        return 0;
    }
    return k;
}

static const char *find_resp_header(const http_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (gs_ieqc(r->headers[i].name, name))
            return r->headers[i].value.s;
    return NULL;
}

/* One outgoing request (one hop of a redirect chain). */
typedef struct {
    const char *method;      /* upper-case */
    rego_gourl url;
    const rp_buf *body;      /* NULL: no body */
    rego_gostr host;         /* the Host header Go writes */
    bool strip_auth;         /* redirected to another domain */
} hop;

static void append_header_line(struct curl_slist **l, rp_buf *b, const char *name,
                               rego_gostr value, bool *fail)
{
    rp_buf_init(b);
    rp_buf_printf(b, "%s: ", name);
    rp_buf_append(b, value.s, value.n);
    struct curl_slist *n = curl_slist_append(*l, rp_buf_cstr(b));
    rp_buf_free(b);
    if (!n)
        *fail = true;
    else
        *l = n;
}

/* The header list: the request's headers as Go's client writes them, and
 * the removal of curl's own defaults Go does not send. */
static struct curl_slist *build_headers(const http_req *r, const hop *h, bool gzip, bool *fail)
{
    struct curl_slist *l = NULL;
    rp_buf b;
    for (size_t i = 0; i < r->nheaders; i++) {
        const http_header *hd = &r->headers[i];
        if (gs_eqc(hd->name, "Host"))
            continue;
        if (h->strip_auth && (gs_eqc(hd->name, "Authorization") || gs_eqc(hd->name, "Cookie") ||
                              gs_eqc(hd->name, "Cookie2") || gs_eqc(hd->name, "Www-Authenticate")))
            continue;
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)hd->name.n, hd->name.s);
        append_header_line(&l, &b, name, hd->value, fail);
    }
    append_header_line(&l, &b, "Host", h->host, fail);
    if (!find_header(r, "User-Agent"))
        append_header_line(&l, &b, "User-Agent",
                           r->nheaders ? gsc("rampart/http.send") : gsc("Go-http-client/1.1"), fail);
    if (h->url.has_user && !find_header(r, "Authorization") && !h->strip_auth) {
        rp_buf up;
        rp_buf_init(&up);
        rp_buf_append(&up, h->url.user.s, h->url.user.n);
        rp_buf_putc(&up, ':');
        rp_buf_append(&up, h->url.pass.s, h->url.pass.n);
        size_t cap = 4 * ((up.len + 2) / 3) + 1;
        unsigned char *enc = malloc(cap);
        if (enc && !up.failed) {
            int k = EVP_EncodeBlock(enc, (const unsigned char *)(up.data ? up.data : ""),
                                    (int)up.len);
            rp_buf auth;
            rp_buf_init(&auth);
            rp_buf_puts(&auth, "Basic ");
            rp_buf_append(&auth, enc, (size_t)k);
            append_header_line(&l, &b, "Authorization", gs(auth.data, auth.len), fail);
            rp_buf_free(&auth);
        }
        free(enc);
        rp_buf_free(&up);
    }
    if (gzip)
        append_header_line(&l, &b, "Accept-Encoding", gsc("gzip"), fail);
    /* curl's defaults that Go's client does not send */
    static const char *const drop[] = {"Accept:", "Expect:"};
    for (size_t i = 0; i < RP_ARRAY_LEN(drop); i++) {
        struct curl_slist *n = curl_slist_append(l, drop[i]);
        if (!n)
            *fail = true;
        else
            l = n;
    }
    if (h->body && !find_header(r, "Content-Type")) {
        struct curl_slist *n = curl_slist_append(l, "Content-Type:");
        if (!n)
            *fail = true;
        else
            l = n;
    }
    return l;
}

/* Go's url.Error URL: the request URL with the password redacted. */
static void redacted_url(const rego_gourl *u, char *out, size_t cap)
{
    rego_gourl v = *u;
    if (v.has_pass)
        v.pass = gsc("xxxxx");
    rp_buf b;
    rp_buf_init(&b);
    rego_gourl_string(&v, &b);
    snprintf(out, cap, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
}

/* The target curl connects to: scheme://host + Go's RequestURI. */
static void target_url(const rego_gourl *u, rego_gostr host, rp_buf *b)
{
    rp_buf_append(b, u->scheme.s, u->scheme.n);
    rp_buf_puts(b, "://");
    rp_buf_append(b, host.s, host.n);
    size_t before = b->len;
    rego_gourl_escaped_path(u, b);
    if (b->len == before)
        rp_buf_putc(b, '/');
    if (u->force_query || u->raw_query.n) {
        rp_buf_putc(b, '?');
        rp_buf_append(b, u->raw_query.s, u->raw_query.n);
    }
}

/* Go's x509.HostnameError text, from the certificate's subjectAltName as
 * curl's certinfo prints it ("IP Address:127.0.0.1, DNS:localhost"). */
static void hostname_error(CURL *c, rego_gostr name, char *out, size_t cap)
{
    struct curl_certinfo *ci = NULL;
    const char *san = NULL;
    curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci);
    for (struct curl_slist *l = ci && ci->num_of_certs ? ci->certinfo[0] : NULL; l; l = l->next)
        if (!strncmp(l->data, "X509v3 Subject Alternative Name:", 32))
            san = l->data + 32;
    char target[256];
    snprintf(target, sizeof(target), "%.*s", (int)name.n, name.s);
    unsigned char ip[16];
    bool want_ip = inet_pton(strchr(target, ':') ? AF_INET6 : AF_INET, target, ip) == 1;
    rp_buf valid;
    rp_buf_init(&valid);
    const char *prefix = want_ip ? "IP Address:" : "DNS:";
    for (const char *p = san; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t pl = strlen(prefix);
        if (n > pl && !strncmp(p, prefix, pl)) {
            if (valid.len)
                rp_buf_puts(&valid, ", ");
            rp_buf_append(&valid, p + pl, n - pl);
        }
        p += n;
    }
    if (want_ip && !valid.len)
        snprintf(out, cap, "x509: cannot validate certificate for %s because it doesn't contain any IP SANs", target);
    else if (!valid.len)
        snprintf(out, cap, "x509: certificate is not valid for any names, but wanted to match %s", target);
    else
        snprintf(out, cap, "x509: certificate is valid for %s, not %s", rp_buf_cstr(&valid), target);
    rp_buf_free(&valid);
}

/* Go's error text for a failed transfer, from curl's diagnosis. */
static void transfer_error(CURL *c, CURLcode rc, const hop *h, rego_gostr tls_name,
                           const char *errbuf, const char *urltext, http_err *e)
{
    char addr[128] = "", why[128];
    char *ip = NULL;
    long port = 0, oserr = 0;
    curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port);
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
    rego_gostr hostname = rego_gourl_hostname(&h->url), uport = rego_gourl_port(&h->url);
    if (ip && *ip)
        snprintf(addr, sizeof(addr), strchr(ip, ':') ? "[%s]:%ld" : "%s:%ld", ip, port);
    else
        snprintf(addr, sizeof(addr), "%.*s:%.*s", (int)hostname.n, hostname.s, (int)uport.n,
                 uport.s);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        herr_net(e, h->method, urltext,
                 "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        e->timeout = true;
        return;
    case CURLE_COULDNT_RESOLVE_HOST:
        herr_net(e, h->method, urltext, "dial tcp: lookup %.*s: no such host", (int)hostname.n,
                 hostname.s);
        return;
    case CURLE_COULDNT_CONNECT:
        errno_text(oserr ? (int)oserr : ECONNREFUSED, why, sizeof(why));
        herr_net(e, h->method, urltext, "dial tcp %s: connect: %s", addr, why);
        return;
    case CURLE_PEER_FAILED_VERIFICATION: {
        long vr = 0;
        curl_easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &vr);
        char why2[400];
        if (strstr(errbuf, "subject name") || vr == X509_V_ERR_HOSTNAME_MISMATCH ||
            vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
            hostname_error(c, tls_name, why2, sizeof(why2));
        else if (vr == X509_V_ERR_CERT_HAS_EXPIRED || vr == X509_V_ERR_CERT_NOT_YET_VALID)
            snprintf(why2, sizeof(why2), "x509: certificate has expired or is not yet valid");
        else
            snprintf(why2, sizeof(why2), "x509: certificate signed by unknown authority");
        herr_net(e, h->method, urltext, "tls: failed to verify certificate: %s", why2);
        return;
    }
    case CURLE_SSL_CONNECT_ERROR:
        herr_net(e, h->method, urltext, "tls: %s", *errbuf ? errbuf : "handshake failure");
        return;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        herr_net(e, h->method, urltext, "EOF");
        return;
    default:
        herr_net(e, h->method, urltext, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
        return;
    }
}

/* The name TLS verifies: Go's ServerName (tls_server_name, else the Host
 * header, without a port), else the URL's host name. */
static rego_gostr tls_name(const http_req *r, const hop *h)
{
    rego_gostr sn = r->server_name.n ? r->server_name : r->host_header;
    if (!sn.n)
        return rego_gourl_hostname(&h->url);
    const char *colon = memchr(sn.s, ':', sn.n);
    if (colon && sn.s[0] != '[')
        sn.n = (size_t)(colon - sn.s);
    return sn;
}

/* Where and how to connect: Go's TLS ServerName (tls_server_name, else the
 * Host header) is what curl must verify and send as SNI, so the URL names
 * it and CURLOPT_CONNECT_TO points it at the real host. */
static bool connect_target(const http_req *r, const hop *h, rp_buf *url, struct curl_slist **ct)
{
    rego_gostr sn = r->server_name.n ? r->server_name : r->host_header;
    rego_gostr hostport = h->url.host;
    if (!gs_eqc(h->url.scheme, "https") || !sn.n) {
        target_url(&h->url, hostport, url);
        return true;
    }
    /* the name without a port (Go would try to verify "name:port") */
    const char *colon = memchr(sn.s, ':', sn.n);
    if (colon && sn.s[0] != '[')
        sn.n = (size_t)(colon - sn.s);
    rego_gostr port = rego_gourl_port(&h->url);
    if (!port.n)
        port = gsc("443");
    rego_gostr real = rego_gourl_hostname(&h->url);
    rp_buf tgt, line;
    rp_buf_init(&tgt);
    rp_buf_append(&tgt, sn.s, sn.n);
    rp_buf_putc(&tgt, ':');
    rp_buf_append(&tgt, port.s, port.n);
    target_url(&h->url, gs(tgt.data, tgt.len), url);
    rp_buf_init(&line);
    rp_buf_printf(&line, "%.*s:%.*s:%s%.*s%s:%.*s", (int)sn.n, sn.s, (int)port.n, port.s,
                  memchr(real.s, ':', real.n) ? "[" : "", (int)real.n, real.s,
                  memchr(real.s, ':', real.n) ? "]" : "", (int)port.n, port.s);
    *ct = curl_slist_append(NULL, rp_buf_cstr(&line));
    bool ok = *ct && !tgt.failed && !line.failed;
    rp_buf_free(&tgt);
    rp_buf_free(&line);
    return ok;
}

typedef struct {
    const http_config *cfg;
    const http_req *req;
    tls_material *tls;
    rp_arena *a;
    int64_t attempt_deadline, call_deadline; /* monotonic ms */
} send_ctx;

/* Sets the options of one transfer. */
static void set_options(CURL *c, const send_ctx *sc, const hop *h, xfer *x, char *errbuf,
                        int64_t timeout_ms)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(c, CURLOPT_PROXY, sc->cfg->proxy ? sc->cfg->proxy : "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    /* the certificate text, for Go's x509 messages */
    curl_easy_setopt(c, CURLOPT_CERTINFO, gs_eqc(h->url.scheme, "https") ? 1L : 0L);
    if (sc->req->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (sc->tls->cas || sc->tls->cert) {
        curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, sc->tls);
    }
    /* Go's rules: a body (even empty) goes with POST, PUT and PATCH; other
     * methods send one only when there is one. */
    const char *m = h->method;
    bool with_body = h->body && (h->body->len || !strcmp(m, "POST") || !strcmp(m, "PUT") ||
                                 !strcmp(m, "PATCH"));
    if (!strcmp(m, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (with_body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body->data ? h->body->data : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->body->len);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    }
}

/* What Go's client refuses before sending: the scheme, a missing host,
 * bad header names and values, a bad Host. */
static bool check_outgoing(const send_ctx *sc, const hop *h, const char *urltext, http_err *e)
{
    if (!gs_eqc(h->url.scheme, "http") && !gs_eqc(h->url.scheme, "https"))
        return herr_net(e, h->method, urltext, "unsupported protocol scheme \"%.*s\"",
                        (int)h->url.scheme.n, h->url.scheme.s);
    if (!h->url.host.n)
        return herr_net(e, h->method, urltext, "http: no Host in request URL");
    for (size_t i = 0; i < sc->req->nheaders; i++) {
        const http_header *hd = &sc->req->headers[i];
        char q[300];
        snprintf(q, sizeof(q), "%.*s", (int)hd->name.n, hd->name.s);
        if (!valid_header_name(hd->name))
            return herr_net(e, h->method, urltext, "net/http: invalid header field name \"%s\"", q);
        if (!valid_header_value(hd->value))
            return herr_net(e, h->method, urltext, "net/http: invalid header field value for \"%s\"", q);
    }
    if (!valid_host_header(h->host))
        return herr_net(e, h->method, urltext, "http: invalid Host header");
    return true;
}

/* After a gzip-decoded transfer: Go drops what described the encoding. */
static void drop_encoding_headers(http_resp *resp)
{
    const char *ce = find_resp_header(resp, "Content-Encoding");
    if (!ce || strcasecmp(ce, "gzip"))
        return;
    size_t w = 0;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (!gs_ieqc(resp->headers[i].name, "Content-Encoding") &&
            !gs_ieqc(resp->headers[i].name, "Content-Length"))
            resp->headers[w++] = resp->headers[i];
    resp->nheaders = w;
}

/* The error of a failed curl_easy_perform. */
static void perform_error(CURL *c, CURLcode rc, const send_ctx *sc, const hop *h, const xfer *x,
                          const char *errbuf, const char *urltext, http_err *e)
{
    if (x->body_too_big || rc == CURLE_FILESIZE_EXCEEDED)
        herr(e, HE_LIMIT, "response body exceeds the limit of %zu bytes", x->max_body);
    else if (x->headers_too_big)
        herr(e, HE_LIMIT, "response headers exceed the limit of %u bytes",
             (unsigned)REGO_HTTP_MAX_HEADER_BYTES);
    else if (rc == CURLE_OUT_OF_MEMORY || x->failed || x->resp->body.failed)
        herr(e, HE_NOMEM, "out of memory");
    else
        transfer_error(c, rc, h, tls_name(sc->req, h), errbuf, urltext, e);
}

/* The time left for this hop: the attempt's and the call's deadlines. */
static int64_t time_left(const send_ctx *sc)
{
    int64_t now = mono_ms(), left = sc->attempt_deadline - now;
    return sc->call_deadline - now < left ? sc->call_deadline - now : left;
}

/* Performs one hop; false with the error in e. */
static bool transfer(const send_ctx *sc, const hop *h, http_resp *resp, http_err *e)
{
    char urltext[512];
    redacted_url(&h->url, urltext, sizeof(urltext));
    if (!check_outgoing(sc, h, urltext, e))
        return false;
    int64_t timeout = time_left(sc);
    if (timeout <= 0) {
        herr_net(e, h->method, urltext,
                 "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        e->timeout = true;
        return false;
    }
    bool gzip = !find_header(sc->req, "Accept-Encoding") && !find_header(sc->req, "Range") &&
                strcmp(h->method, "HEAD");
    CURL *c = curl_easy_init();
    if (!c)
        return herr(e, HE_NOMEM, "out of memory");
    bool fail = false;
    struct curl_slist *hl = build_headers(sc->req, h, gzip, &fail), *ct = NULL;
    rp_buf url;
    rp_buf_init(&url);
    fail |= !connect_target(sc->req, h, &url, &ct);
    xfer x = {sc->a, resp, sc->cfg->max_body, 0, false, false, false};
    char errbuf[CURL_ERROR_SIZE] = "";
    set_options(c, sc, h, &x, errbuf, timeout);
    curl_easy_setopt(c, CURLOPT_URL, rp_buf_cstr(&url));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (ct)
        curl_easy_setopt(c, CURLOPT_CONNECT_TO, ct);
    if (gzip)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    CURLcode rc = fail || url.failed ? CURLE_OUT_OF_MEMORY : curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->code);
    bool ok = rc == CURLE_OK && !x.failed && !resp->body.failed;
    if (!ok)
        perform_error(c, rc, sc, h, &x, errbuf, urltext, e);
    else if (gzip)
        drop_encoding_headers(resp);
    curl_slist_free_all(hl);
    curl_slist_free_all(ct);
    rp_buf_free(&url);
    curl_easy_cleanup(c);
    return ok;
}

/* Go's shouldCopyHeaderOnRedirect: the same host or a subdomain of it. */
static bool same_domain(rego_gostr orig, rego_gostr next)
{
    if (orig.n == next.n && !strncasecmp(orig.s, next.s, orig.n))
        return true;
    return next.n > orig.n && next.s[next.n - orig.n - 1] == '.' &&
           !strncasecmp(next.s + next.n - orig.n, orig.s, orig.n);
}

/* The URL's host without an empty port (Go's removeEmptyPort). */
static rego_gostr url_host(const rego_gourl *u)
{
    rego_gostr h = u->host;
    if (h.n && h.s[h.n - 1] == ':')
        h.n--;
    return h;
}

/* The request's Host: the Host header, else the URL's. */
static rego_gostr request_host(const http_req *r, const rego_gourl *u)
{
    return r->host_header.s ? r->host_header : url_host(u);
}

/* http.Client.Do: the request, and redirects when enable_redirect is set
 * (each target checked against the allowed hosts). */
static bool client_do(const send_ctx *sc, http_resp *resp, http_err *e)
{
    const http_req *r = sc->req;
    char mbuf[64];
    snprintf(mbuf, sizeof(mbuf), "%.*s", (int)r->method.n, r->method.s);
    hop h = {mbuf, r->u, r->body_present ? &r->body : NULL, request_host(r, &r->u), false};
    char first_method[64];
    snprintf(first_method, sizeof(first_method), "%s", mbuf);
    rego_gostr orig_host = rego_gourl_hostname(&r->u);
    for (int hops = 0;; hops++) {
        memset(resp, 0, sizeof(*resp));
        rp_buf_init(&resp->body);
        if (!transfer(sc, &h, resp, e))
            return false;
        long code = resp->code;
        bool redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
        const char *loc = redirect ? find_resp_header(resp, "Location") : NULL;
        if (!r->enable_redirect || !loc || !*loc)
            return true;
        char urltext[512];
        snprintf(urltext, sizeof(urltext), "%s", loc);
        if (hops == REGO_HTTP_MAX_REDIRECTS)
            return herr_net(e, first_method, urltext, "stopped after %d redirects",
                            REGO_HTTP_MAX_REDIRECTS);
        rego_gourl ref, next;
        char msg[512];
        if (!rego_gourl_parse(sc->a, loc, strlen(loc), &ref, msg, sizeof(msg))) {
            rp_buf q;
            rp_buf_init(&q);
            rego_go_quote(&q, loc, strlen(loc));
            herr_net(e, first_method, urltext, "failed to parse Location header %s: %s",
                     rp_buf_cstr(&q), msg);
            rp_buf_free(&q);
            return false;
        }
        rego_gourl_resolve(sc->a, &h.url, &ref, &next);
        http_err he = {0};
        if (!check_url_host(sc->cfg, &next, &he))
            return herr_net(e, first_method, urltext, "%s", he.msg);
        if (code != 307 && code != 308) {
            if (strcmp(h.method, "GET") && strcmp(h.method, "HEAD"))
                h.method = "GET";
            h.body = NULL;
        }
        /* a custom Host survives a redirect to a relative location (Go
         * issue 22233) */
        bool keep = r->host_header.s && !ref.scheme.n &&
                    !(r->host_header.n == r->u.host.n &&
                      !memcmp(r->host_header.s, r->u.host.s, r->u.host.n));
        h.host = keep ? r->host_header : url_host(&next);
        h.strip_auth = h.strip_auth || !same_domain(orig_host, rego_gourl_hostname(&next));
        h.url = next;
        rp_buf_free(&resp->body);
    }
}

/* util.DefaultBackoff(100ms, 60s, retry): 0 first, then x1.6 with 20% jitter. */
static int64_t backoff_ms(rego_bctx *ctx, long retry)
{
    if (retry == 0)
        return 0;
    double d = 100.0, max = 60000.0;
    for (long i = retry; d < max && i > 0; i--)
        d *= 1.6;
    if (d > max)
        d = max;
    uint32_t rnd;
    rego_bi_random(ctx, &rnd, sizeof(rnd));
    d *= 1 + 0.2 * ((double)rnd / 4294967295.0 * 2 - 1);
    return d < 0 ? 0 : (int64_t)d;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* executeHTTPRequest: retries on network errors, within the call deadline. */
static bool execute(rego_bctx *ctx, send_ctx *sc, http_resp *resp, http_err *e)
{
    int64_t timeout = sc->cfg->timeout_ms;
    if (sc->req->has_timeout) {
        int64_t ns = sc->req->timeout_ns;
        timeout = ns <= 0 ? REGO_HTTP_MAX_TIMEOUT_MS : (ns + 999999) / 1000000;
        if (timeout > REGO_HTTP_MAX_TIMEOUT_MS)
            timeout = REGO_HTTP_MAX_TIMEOUT_MS;
    }
    for (long i = 0;; i++) {
        sc->attempt_deadline = mono_ms() + timeout;
        http_err attempt = {0};
        if (client_do(sc, resp, &attempt))
            return true;
        bool last = i >= sc->req->retries || attempt.kind != HE_NETWORK;
        int64_t delay = last ? 0 : backoff_ms(ctx, i);
        if (last || mono_ms() + delay >= sc->call_deadline) {
            *e = attempt;
            return false;
        }
        sleep_ms(delay);
    }
}

/* ---- the response object ------------------------------------------------------------ */

/* mime.ParseMediaType succeeds and names application/json or
 * application/<x>+json (OPA's isJSONType). */
static bool media_token(const char **p, const char *end)
{
    const char *s = *p;
    while (*p < end && is_tchar((unsigned char)**p) && **p != '/')
        (*p)++;
    return *p > s;
}

static void skip_space(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n' || **p == '\v' ||
                        **p == '\f'))
        (*p)++;
}

static bool media_params_ok(const char *p, const char *end)
{
    for (;;) {
        skip_space(&p, end);
        if (p == end)
            return true;
        if (*p != ';')
            return false;
        p++;
        skip_space(&p, end);
        if (p == end)
            return true; /* a trailing ';' is ignored */
        if (!media_token(&p, end))
            return false;
        skip_space(&p, end);
        if (p == end || *p != '=')
            return false;
        p++;
        skip_space(&p, end);
        if (p < end && *p == '"') {
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\' && p + 1 < end)
                    p++;
            if (p == end)
                return false;
            p++;
        } else if (!media_token(&p, end)) {
            return false;
        }
    }
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    const char *semi = strchr(ct, ';');
    const char *end = semi ? semi : ct + strlen(ct);
    const char *b = ct, *e = end;
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    const char *p = b, *slash;
    if (!media_token(&p, e) || p == e || *p != '/')
        return false;
    slash = p++;
    if (!media_token(&p, e) || p != e)
        return false;
    if (semi && !media_params_ok(semi, semi + strlen(semi)))
        return false;
    if ((size_t)(slash - b) != 11 || strncasecmp(b, "application", 11))
        return false;
    size_t sub = (size_t)(e - slash - 1);
    const char *st = slash + 1;
    return (sub == 4 && !strncasecmp(st, "json", 4)) ||
           (sub >= 5 && !strncasecmp(st + sub - 5, "+json", 5));
}

typedef struct {
    rego_gostr lname, value;
    size_t idx;
} hsort;

static int cmp_hsort(const void *a, const void *b)
{
    const hsort *x = a, *y = b;
    size_t n = x->lname.n < y->lname.n ? x->lname.n : y->lname.n;
    int c = n ? memcmp(x->lname.s, y->lname.s, n) : 0;
    if (!c)
        c = (x->lname.n > y->lname.n) - (x->lname.n < y->lname.n);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* {lower-case name: [values in order]}, without what Go's client consumes
 * (Transfer-Encoding). */
static rego_value headers_value(rp_arena *a, const http_resp *r)
{
    hsort *hs = rp_arena_array(a, r->nheaders ? r->nheaders : 1, sizeof(hsort));
    if (!hs)
        return rego_undef();
    size_t n = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (gs_ieqc(r->headers[i].name, "Transfer-Encoding"))
            continue;
        char *l = dupz(a, r->headers[i].name);
        if (!l)
            return rego_undef();
        for (char *q = l; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        hs[n++] = (hsort){gs(l, r->headers[i].name.n), r->headers[i].value, i};
    }
    qsort(hs, n, sizeof(hsort), cmp_hsort);
    rego_objb ob;
    rego_objb_init(&ob, a);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && hs[j].lname.n == hs[i].lname.n &&
               !memcmp(hs[j].lname.s, hs[i].lname.s, hs[i].lname.n))
            j++;
        rego_value arr;
        rego_value *items = rego_array_alloc(a, j - i, &arr);
        if (!items)
            return rego_undef();
        for (size_t k = i; k < j; k++)
            items[k - i] = rego_str(a, hs[k].value.s, hs[k].value.n);
        rego_objb_set(&ob, rego_str(a, hs[i].lname.s, hs[i].lname.n), arr);
        i = j;
    }
    return rego_objb_finish(&ob);
}

/* OPA's prepareASTResult. */
static rego_value response_value(rp_arena *a, const http_resp *r, bool force_json,
                                 bool force_yaml)
{
    const char *ct = find_resp_header(r, "Content-Type");
    const char *body = r->body.data ? r->body.data : "";
    rego_value decoded = rego_null(), parsed;
    rp_error err = {0};
    if (force_json || is_json_type(ct)) {
        if (r->body.len && rego_json_parse(a, body, r->body.len, NULL, &parsed, &err) == RP_OK)
            decoded = parsed;
    } else if (force_yaml || (ct && (strstr(ct, "application/yaml") || strstr(ct, "application/x-yaml")))) {
        if (rego_yaml_parse(a, body, r->body.len, NULL, REGO_YAML_K8S, false, &parsed, &err) == RP_OK)
            decoded = parsed;
    }
    rego_objent ents[5] = {
        {rego_cstr(a, "body"), decoded},
        {rego_cstr(a, "headers"), headers_value(a, r)},
        {rego_cstr(a, "raw_body"), rego_str(a, body, r->body.len)},
        {rego_cstr(a, "status"), rego_str(a, r->status.s, r->status.n)},
        {rego_cstr(a, "status_code"), rego_int(r->code)},
    };
    for (size_t i = 0; i < 5; i++)
        if (rego_is_undef(ents[i].val))
            return rego_undef();
    return rego_object_from(a, ents, 5);
}

/* ---- the inter-query cache ------------------------------------------------------------
 * Responses of requests with "cache" or "force_cache", keyed by the
 * request (OPA's cache key), shared by all queries of the process.  See
 * the file header for its bounds and locking. */

typedef struct cache_entry {
    char *key;
    size_t keylen;
    uint64_t hash;
    int64_t expires_ns;
    long code;
    char *status;
    char **names, **values;
    size_t nheaders;
    char *body;
    size_t bodylen, bytes;
    struct cache_entry *prev, *next;
} cache_entry;

static struct {
    pthread_mutex_t mu;
    cache_entry *head, *tail; /* most recently used first */
    size_t n, bytes;
} g_cache = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0};

static void entry_free(cache_entry *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nheaders; i++) {
        free(e->names[i]);
        free(e->values[i]);
    }
    free(e->names);
    free(e->values);
    free(e->key);
    free(e->status);
    free(e->body);
    free(e);
}

/* Unlinks e (the lock held). */
static void cache_unlink(cache_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        g_cache.head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        g_cache.tail = e->prev;
    g_cache.n--;
    g_cache.bytes -= e->bytes;
}

static void cache_push_front(cache_entry *e)
{
    e->prev = NULL;
    e->next = g_cache.head;
    if (g_cache.head)
        g_cache.head->prev = e;
    g_cache.head = e;
    if (!g_cache.tail)
        g_cache.tail = e;
    g_cache.n++;
    g_cache.bytes += e->bytes;
}

static cache_entry *cache_find(const rp_buf *key, uint64_t hash)
{
    for (cache_entry *e = g_cache.head; e; e = e->next)
        if (e->hash == hash && e->keylen == key->len && !memcmp(e->key, key->data, key->len))
            return e;
    return NULL;
}

/* A fresh entry's response, copied into the arena; false on a miss. */
static bool cache_get(rp_arena *a, const rp_buf *key, int64_t now, size_t max_body,
                      http_resp *out)
{
    uint64_t hash = rego_hash_str(key->data, key->len);
    bool hit = false;
    pthread_mutex_lock(&g_cache.mu);
    cache_entry *e = cache_find(key, hash);
    if (e && e->expires_ns <= now) {
        cache_unlink(e);
        entry_free(e);
        e = NULL;
    }
    if (e && e->bodylen <= max_body) {
        cache_unlink(e);
        cache_push_front(e);
        memset(out, 0, sizeof(*out));
        rp_buf_init(&out->body);
        out->code = e->code;
        char *st = rp_arena_strndup(a, e->status, strlen(e->status));
        out->status = gs(st, st ? strlen(st) : 0);
        out->headers = rp_arena_array(a, e->nheaders ? e->nheaders : 1, sizeof(http_header));
        rp_buf_append(&out->body, e->body, e->bodylen);
        hit = st && out->headers && !out->body.failed;
        for (size_t i = 0; hit && i < e->nheaders; i++) {
            char *nm = rp_arena_strndup(a, e->names[i], strlen(e->names[i]));
            char *vl = rp_arena_strndup(a, e->values[i], strlen(e->values[i]));
            hit = nm && vl;
            if (hit)
                out->headers[out->nheaders++] = (http_header){gsc(nm), gsc(vl)};
        }
        if (!hit)
            rp_buf_free(&out->body);
    }
    pthread_mutex_unlock(&g_cache.mu);
    return hit;
}

static char *cdup(rego_gostr s)
{
    char *p = malloc(s.n + 1);
    if (p) {
        memcpy(p, s.s, s.n);
        p[s.n] = 0;
    }
    return p;
}

static void cache_put(const rp_buf *key, const http_resp *r, int64_t expires)
{
    cache_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return;
    e->key = cdup(gs(key->data, key->len));
    e->keylen = key->len;
    e->hash = rego_hash_str(key->data, key->len);
    e->expires_ns = expires;
    e->code = r->code;
    e->status = cdup(r->status);
    e->body = cdup(gs(r->body.data, r->body.len));
    e->bodylen = r->body.len;
    e->names = calloc(r->nheaders ? r->nheaders : 1, sizeof(char *));
    e->values = calloc(r->nheaders ? r->nheaders : 1, sizeof(char *));
    bool ok = e->key && e->status && e->body && e->names && e->values;
    e->bytes = sizeof(*e) + key->len + r->status.n + r->body.len;
    for (size_t i = 0; ok && i < r->nheaders; i++) {
        e->names[i] = cdup(r->headers[i].name);
        e->values[i] = cdup(r->headers[i].value);
        e->nheaders++;
        ok = e->names[i] && e->values[i];
        e->bytes += r->headers[i].name.n + r->headers[i].value.n + 2 * sizeof(char *);
    }
    if (!ok || e->bytes > REGO_HTTP_CACHE_MAX_BYTES) {
        entry_free(e);
        return;
    }
    pthread_mutex_lock(&g_cache.mu);
    cache_entry *old = cache_find(key, e->hash);
    if (old) {
        cache_unlink(old);
        entry_free(old);
    }
    cache_push_front(e);
    while (g_cache.n > REGO_HTTP_CACHE_MAX_ENTRIES || g_cache.bytes > REGO_HTTP_CACHE_MAX_BYTES) {
        cache_entry *victim = g_cache.tail;
        cache_unlink(victim);
        entry_free(victim);
    }
    pthread_mutex_unlock(&g_cache.mu);
}

/* http.ParseTime: RFC 1123 (GMT), RFC 850, ANSI C; nanoseconds. */
static bool parse_http_date(const char *s, int64_t *ns)
{
    static const char *const fmts[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                       "%a %b %e %H:%M:%S %Y"};
    for (size_t i = 0; s && i < RP_ARRAY_LEN(fmts); i++) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *end = strptime(s, fmts[i], &tm);
        if (end && !*end) {
            *ns = (int64_t)timegm(&tm) * 1000000000LL;
            return true;
        }
    }
    return false;
}

/* The Cache-Control directive named, OPA's way (split on ',', then '='). */
static bool cc_directive(const char *cc, const char *name, char *val, size_t cap)
{
    if (!cc)
        return false;
    bool found = false;
    size_t nl = strlen(name);
    for (const char *p = cc; *p;) {
        const char *comma = strchr(p, ',');
        rego_gostr part = trim_ws(gs(p, comma ? (size_t)(comma - p) : strlen(p)));
        p = comma ? comma + 1 : p + strlen(p);
        const char *eq = memchr(part.s, '=', part.n);
        rego_gostr k = eq ? trim_ws(gs(part.s, (size_t)(eq - part.s))) : part;
        if (eq && memchr(eq + 1, '=', part.n - (size_t)(eq + 1 - part.s)))
            continue; /* more than one '=': skipped */
        if (k.n == nl && !memcmp(k.s, name, nl)) {
            found = true;
            rego_gostr v = eq ? gs(eq + 1, part.n - (size_t)(eq + 1 - part.s)) : gs(NULL, 0);
            snprintf(val, cap, "%.*s", (int)v.n, v.s);
        }
    }
    return found;
}

/* When a response may be stored and until when (OPA's
 * insertIntoHTTPSendInterQueryCache and expiryFromHeaders). */
static bool cache_expiry(int64_t now, const http_resp *r, int64_t force_secs, int64_t *exp)
{
    static const long cacheable[] = {200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501};
    bool code_ok = false;
    for (size_t i = 0; i < RP_ARRAY_LEN(cacheable); i++)
        code_ok |= r->code == cacheable[i];
    const char *cc = find_resp_header(r, "Cache-Control");
    char v[64];
    if (!code_ok || (force_secs <= 0 && cc_directive(cc, "no-store", v, sizeof(v))))
        return false;
    if (force_secs > 0) {
        *exp = now + force_secs * 1000000000LL;
        return true;
    }
    if (cc_directive(cc, "max-age", v, sizeof(v))) {
        char *end;
        errno = 0;
        unsigned long long age = strtoull(v, &end, 10);
        if (!*v || *end || v[0] == '-' || v[0] == '+')
            return false;
        if (errno == ERANGE || age > 2147483647ull)
            age = 2147483647ull;
        int64_t date;
        if (!parse_http_date(find_resp_header(r, "Date"), &date))
            return false;
        *exp = date + (int64_t)age * 1000000000LL;
    } else if (!parse_http_date(find_resp_header(r, "Expires"), exp)) {
        return false;
    }
    return *exp > now;
}

/* ---- the builtin ---------------------------------------------------------------------- */

static const char *const allowed_keys[] = {
    "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode",
    "headers", "raw_body", "tls_use_system_certs", "tls_ca_cert", "tls_ca_cert_file",
    "tls_ca_cert_env_variable", "tls_client_cert", "tls_client_cert_file",
    "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
    "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout",
    "cache", "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode",
    "max_retry_attempts", "cache_ignored_headers",
};

static bool allowed_key(rego_value k)
{
    if (k.kind != REGO_STRING)
        return false;
    for (size_t i = 0; i < RP_ARRAY_LEN(allowed_keys); i++)
        if (gs_eqc(vstr(k), allowed_keys[i]))
            return true;
    return false;
}

/* "operand 1 <what>(s): {...}" with the keys printed as an OPA set. */
static bool keys_error(rp_arena *a, const char *what, rego_value *keys, size_t n, http_err *e)
{
    rego_value set = rego_set_from(a, keys, n);
    if (rego_is_undef(set))
        return herr(e, HE_NOMEM, "out of memory");
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_putc(&b, '{');
    for (size_t i = 0; i < set.n; i++) {
        if (i)
            rp_buf_puts(&b, ", ");
        term_string(&b, set.u.set->items[i]);
    }
    rp_buf_putc(&b, '}');
    herr(e, HE_TYPE, "operand 1 %s(s): %s", what, rp_buf_cstr(&b));
    rp_buf_free(&b);
    return false;
}

/* OPA's validateHTTPRequestOperand. */
static bool validate_keys(rp_arena *a, rego_value req, http_err *e)
{
    rego_value *bad = rp_arena_array(a, req.n + 2, sizeof(rego_value));
    if (!bad)
        return herr(e, HE_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < req.n; i++)
        if (!allowed_key(rego_object_at(req, i).key))
            bad[n++] = rego_object_at(req, i).key;
    if (n)
        return keys_error(a, "invalid request parameters", bad, n, e);
    rego_value v;
    if (!get_key(req, "method", &v))
        bad[n++] = rego_cstr(a, "method");
    if (!get_key(req, "url", &v))
        bad[n++] = rego_cstr(a, "url");
    if (n)
        return keys_error(a, "missing required request parameters", bad, n, e);
    return true;
}

/* The name json.Unmarshal uses for a value's JSON type. */
static const char *json_kind(rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_STRING: return "string";
    case REGO_NUMBER: return "number";
    case REGO_BOOL: return "bool";
    case REGO_OBJECT: return "object";
    case REGO_ARRAY:
    case REGO_SET: return "array";
    case REGO_UNDEF:
    case REGO_NULL: return "null";
    }
    return "value";
}

/* OPA's getKeyFromRequest: the request with the ignored headers dropped
 * and cache_ignored_headers set to null. */
static bool cache_key(rp_arena *a, rego_value req, rego_value *out, http_err *e)
{
    rego_value ign, hdrs;
    bool has_ign = get_key(req, "cache_ignored_headers", &ign);
    bool has_hdrs = get_key(req, "headers", &hdrs);
    rego_objb ob;
    rego_objb_init(&ob, a);
    for (size_t i = 0; i < req.n; i++)
        rego_objb_set(&ob, rego_object_at(req, i).key, rego_object_at(req, i).val);
    rego_objb_set(&ob, rego_cstr(a, "cache_ignored_headers"), rego_null());
    if (has_ign && has_hdrs) {
        e->raw = true;
        const rego_value *names = NULL;
        size_t nn = 0;
        if (ign.kind == REGO_ARRAY || ign.kind == REGO_SET) {
            names = ign.kind == REGO_ARRAY ? ign.u.items : (ign.n ? ign.u.set->items : NULL);
            nn = ign.n;
            for (size_t i = 0; i < nn; i++)
                if (names[i].kind != REGO_STRING && names[i].kind != REGO_NULL)
                    return herr(e, HE_BUILTIN,
                                "json: cannot unmarshal %s into Go value of type string",
                                json_kind(names[i]));
        } else if (ign.kind != REGO_NULL) {
            return herr(e, HE_BUILTIN, "json: cannot unmarshal %s into Go value of type []string",
                        json_kind(ign));
        }
        if (hdrs.kind != REGO_OBJECT && hdrs.kind != REGO_NULL)
            return herr(e, HE_BUILTIN,
                        "json: cannot unmarshal %s into Go value of type map[string]interface {}",
                        json_kind(hdrs));
        e->raw = false;
        rego_objb hb;
        rego_objb_init(&hb, a);
        for (size_t i = 0; hdrs.kind == REGO_OBJECT && i < hdrs.n; i++) {
            rego_objent h = rego_object_at(hdrs, i);
            bool drop = false;
            for (size_t j = 0; j < nn && !drop; j++)
                drop = names[j].kind == REGO_STRING && rego_equal(names[j], h.key);
            if (!drop)
                rego_objb_set(&hb, h.key, h.val);
        }
        rego_objb_set(&ob, rego_cstr(a, "headers"), rego_objb_finish(&hb));
    }
    *out = rego_objb_finish(&ob);
    return rego_is_undef(*out) ? herr(e, HE_NOMEM, "out of memory") : true;
}

/* OPA's useInterQueryCache; *force_secs > 0 with force_cache. */
static bool cache_params(rego_value req, bool *use, int64_t *force_secs, http_err *e)
{
    bool cache, force;
    *force_secs = 0;
    if (!bool_field(req, "cache", &cache, e) || !bool_field(req, "force_cache", &force, e))
        return false;
    *use = cache || force;
    if (!force)
        return true;
    rego_value v;
    if (!get_key(req, "force_cache_duration_seconds", &v))
        return herr(e, HE_BUILTIN,
                    "'force_cache' set but 'force_cache_duration_seconds' parameter is missing");
    rp_buf b;
    rp_buf_init(&b);
    term_string(&b, v);
    int64_t secs;
    bool ok = go_parse_int(gs(b.data, b.len), &secs);
    if (!ok || secs > INT32_MAX || secs < INT32_MIN) {
        rp_buf q;
        rp_buf_init(&q);
        rego_go_quote(&q, b.data ? b.data : "", b.len);
        herr(e, HE_BUILTIN, "strconv.ParseInt: parsing %s: %s", rp_buf_cstr(&q),
             ok ? "value out of range" : "invalid syntax");
        rp_buf_free(&q);
    }
    rp_buf_free(&b);
    *force_secs = secs;
    return ok && e->kind == HE_NONE;
}

/* ---- errors as results, memo entries ---------------------------------------------- */

/* OPA's ast.Location.String(): file:row, else row:col. */
static void loc_text(const rego_bctx *ctx, rp_buf *b)
{
    if (ctx->loc.file && *ctx->loc.file)
        rp_buf_printf(b, "%s:%u", ctx->loc.file, ctx->loc.line);
    else
        rp_buf_printf(b, "%u:%u", ctx->loc.line, ctx->loc.col);
}

/* The text of an error as err.Error() gives it to the raise_error: false
 * object: *Error is "loc: code: http.send: msg", *url.Error its own text. */
static void error_message(const rego_bctx *ctx, const http_err *e, rp_buf *b)
{
    if (e->kind == HE_NETWORK) {
        url_error_text(e, b);
        return;
    }
    if (e->raw) {
        rp_buf_puts(b, e->msg);
        return;
    }
    loc_text(ctx, b);
    rp_buf_printf(b, ": %s: http.send: %s",
                  e->kind == HE_TYPE ? "eval_type_error" : "eval_builtin_error", e->msg);
}

/* Raises e as OPA's handleHTTPSendErr does. */
static rp_status raise(rego_bctx *ctx, const http_err *e)
{
    switch (e->kind) {
    case HE_TYPE: return rego_bi_type_errorf(ctx, "%s", e->msg);
    case HE_NETWORK: {
        rp_buf b;
        rp_buf_init(&b);
        if (e->timeout)
            rp_buf_printf(&b, "%s %s: request timed out", e->op, e->url);
        else
            url_error_text(e, &b);
        rp_status st = rego_bi_errorf(ctx, "%s", rp_buf_cstr(&b));
        rp_buf_free(&b);
        return st;
    }
    case HE_LIMIT:
        return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc, "http.send: %s",
                             e->msg);
    case HE_NOMEM: return rego_bi_nomem(ctx);
    case HE_NONE:
    case HE_BUILTIN: break;
    }
    return rego_bi_errorf(ctx, "%s", e->msg);
}

/* The result for an error: raised, or (raise_error false) the object
 * {"status_code": 0, "error": {"code", "message"}}.  Limits and memory
 * are always raised. */
static rp_status finish_error(rego_bctx *ctx, bool raise_error, const http_err *e,
                              rego_value *out)
{
    if (raise_error || e->kind == HE_LIMIT || e->kind == HE_NOMEM)
        return raise(ctx, e);
    rp_arena *a = ctx->arena;
    rp_buf b;
    rp_buf_init(&b);
    error_message(ctx, e, &b);
    rego_objent err[2] = {
        {rego_cstr(a, "code"), rego_cstr(a, e->kind == HE_NETWORK ? "eval_http_send_network_error"
                                                                  : "eval_http_send_internal_error")},
        {rego_cstr(a, "message"), rego_str(a, b.data ? b.data : "", b.len)},
    };
    rp_buf_free(&b);
    rego_objent top[2] = {{rego_cstr(a, "error"), rego_object_from(a, err, 2)},
                          {rego_cstr(a, "status_code"), rego_int(0)}};
    *out = rego_object_from(a, top, 2);
    return rego_is_undef(*out) ? rego_bi_nomem(ctx) : RP_OK;
}

/* Memo entries: ["ok", response] or ["err", kind, raw, timeout, op, url, msg]. */
static void memo_put_value(rego_bctx *ctx, rego_value key, rego_value resp)
{
    rego_value v;
    rego_value *items = rego_array_alloc(ctx->arena, 2, &v);
    if (!items)
        return;
    items[0] = rego_cstr(ctx->arena, "ok");
    items[1] = resp;
    rego_bi_memo_put(ctx, key, v);
}

static void memo_put_error(rego_bctx *ctx, rego_value key, const http_err *e)
{
    if (e->kind == HE_NOMEM || e->kind == HE_LIMIT)
        return;
    rp_arena *a = ctx->arena;
    rego_value v;
    rego_value *items = rego_array_alloc(a, 7, &v);
    if (!items)
        return;
    items[0] = rego_cstr(a, "err");
    items[1] = rego_int(e->kind);
    items[2] = rego_bool(e->raw);
    items[3] = rego_bool(e->timeout);
    items[4] = rego_cstr(a, e->op);
    items[5] = rego_cstr(a, e->url);
    items[6] = rego_cstr(a, e->msg);
    rego_bi_memo_put(ctx, key, v);
}

static bool memo_get(rego_bctx *ctx, rego_value key, rego_value *resp, http_err *e)
{
    rego_value v;
    if (!rego_bi_memo_get(ctx, key, &v) || v.kind != REGO_ARRAY || v.n < 2)
        return false;
    if (v.n == 2) {
        *resp = v.u.items[1];
        return true;
    }
    e->kind = (he_kind)v.u.items[1].u.i;
    e->raw = v.u.items[2].u.b;
    e->timeout = v.u.items[3].u.b;
    snprintf(e->op, sizeof(e->op), "%s", v.u.items[4].u.s);
    snprintf(e->url, sizeof(e->url), "%s", v.u.items[5].u.s);
    snprintf(e->msg, sizeof(e->msg), "%s", v.u.items[6].u.s);
    *resp = rego_undef();
    return true;
}

/* ---- http.send ---------------------------------------------------------------------- */

static bool is_cacheable_code(long code)
{
    static const long codes[] = {200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501};
    for (size_t i = 0; i < RP_ARRAY_LEN(codes); i++)
        if (codes[i] == code)
            return true;
    return false;
}

typedef struct {
    rego_value key, memo_key;
    bool inter;          /* "cache" or "force_cache" and the cache is enabled */
    int64_t force_secs;
    rp_buf key_text;     /* the inter-query cache key */
} send_state;

/* Sends (or finds in a cache) the request; the response object or e. */
static bool do_send(rego_bctx *ctx, rego_value req, const http_config *cfg, send_state *st,
                 rego_value *out, http_err *e)
{
    rp_arena *a = ctx->arena;
    http_req r;
    bool ok = parse_request(a, cfg, req, &r, e);
    bool force_json = false, force_yaml = false;
    http_resp resp;
    memset(&resp, 0, sizeof(resp));
    rp_buf_init(&resp.body);
    bool from_cache = false;
    if (ok && st->inter) {
        ok = bool_field(req, "force_json_decode", &force_json, e) &&
             bool_field(req, "force_yaml_decode", &force_yaml, e);
        from_cache = ok && cache_get(a, &st->key_text, rego_bi_now_ns(ctx), cfg->max_body, &resp);
    }
    tls_material tls;
    memset(&tls, 0, sizeof(tls));
    if (ok && !from_cache) {
        send_ctx sc = {cfg, &r, &tls, a, 0, mono_ms() + REGO_HTTP_MAX_TIMEOUT_MS};
        ok = prepare_request(cfg, &r, &tls, e) && parse_retries(req, &r.retries, e);
        if (!ok && e->kind == HE_BUILTIN && strstr(e->msg, "max_retry_attempts"))
            e->raw = true;
        ok = ok && execute(ctx, &sc, &resp, e);
    }
    tls_free(&tls);
    rp_buf_free(&r.body);
    if (!ok) {
        rp_buf_free(&resp.body);
        memo_put_error(ctx, st->memo_key, e);
        return false;
    }
    if (!st->inter)
        ok = bool_field(req, "force_json_decode", &force_json, e) &&
             bool_field(req, "force_yaml_decode", &force_yaml, e);
    if (ok) {
        *out = response_value(a, &resp, force_json, force_yaml);
        ok = !rego_is_undef(*out) || herr(e, HE_NOMEM, "out of memory");
    }
    if (ok && (st->inter || is_cacheable_code(resp.code)))
        memo_put_value(ctx, st->memo_key, *out);
    int64_t exp;
    if (ok && st->inter && !from_cache &&
        cache_expiry(rego_bi_now_ns(ctx), &resp, st->force_secs, &exp))
        cache_put(&st->key_text, &resp, exp);
    rp_buf_free(&resp.body);
    return ok;
}

/* Everything between the request checks and sending: the config, the
 * cache key and parameters, the intra-query memo. */
static bool send_cached(rego_bctx *ctx, rego_value req, rego_value *out, http_err *e)
{
    rp_arena *a = ctx->arena;
    http_config cfg;
    send_state st;
    memset(&st, 0, sizeof(st));
    rp_buf_init(&st.key_text);
    bool ok = read_config(ctx, &cfg, e) && cache_key(a, req, &st.key, e) &&
              cache_params(req, &st.inter, &st.force_secs, e);
    if (ok) {
        rego_value *items = rego_array_alloc(a, 2, &st.memo_key);
        ok = items != NULL || herr(e, HE_NOMEM, "out of memory");
        if (ok) {
            items[0] = rego_cstr(a, "http.send");
            items[1] = st.key;
        }
    }
    if (ok && memo_get(ctx, st.memo_key, out, e)) {
        rp_buf_free(&st.key_text);
        return e->kind == HE_NONE;
    }
    if (ok) {
        st.inter = st.inter && cfg.cache;
        if (st.inter)
            rego_value_write(&st.key_text, st.key, REGO_FMT_REGO);
        ok = do_send(ctx, req, &cfg, &st, out, e);
    }
    rp_buf_free(&st.key_text);
    return ok;
}

static rp_status bi_http_send(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_value req = args[0], v;
    if (req.kind != REGO_OBJECT)
        return rego_bi_type_error(ctx, 1, req, "object");
    bool raise_error = true;
    if (get_key(req, "raise_error", &v)) {
        if (v.kind != REGO_BOOL)
            return rego_bi_errorf(ctx, "invalid value for raise_error field");
        raise_error = v.u.b;
    }
    const char *why = NULL;
    if (!rp_curl_load(&why))
        return rego_bi_errorf(ctx, "%s", why);
    http_err e;
    memset(&e, 0, sizeof(e));
    if (!validate_keys(ctx->arena, req, &e) || !send_cached(ctx, req, out, &e))
        return finish_error(ctx, raise_error, &e, out);
    return RP_OK;
}

const rego_builtin rego_builtins_http[] = {
    {"http.send", NULL, "(object[string: any]) => object[any: any]", 1,
     REGO_BI_NONDET | REGO_BI_UNSAFE, bi_http_send},
    {0},
};
