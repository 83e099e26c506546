/*
 * test_bi_http.c — http.send against servers the test runs itself on
 * 127.0.0.1 (ephemeral ports, one thread per connection): plain HTTP, and
 * HTTPS with a throwaway self-signed certificate made with OpenSSL at test
 * time.  Nothing leaves the machine.  The servers are stopped at the end,
 * also when checks failed (checks do not abort).
 *
 * Requests and expected outcomes are Rego term literals (bi_table.h);
 * "$P" and "$S" in a request stand for the HTTP and HTTPS ports, "$CA" for
 * the server certificate's PEM text, "$CC"/"$CK" for a client certificate
 * and key.  Expected outcomes: "!kind:message" for errors, else a list of
 * "path=term" checks on the response object (path: dot-separated keys).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "bi_table.h"

REGO_BUILTIN_GROUP(http);

/* ---- the test server ----------------------------------------------------------- */

typedef struct {
    int fd;
    SSL_CTX *tls;           /* NULL: plain HTTP */
    pthread_t thread;
    atomic_bool stop;
    atomic_int active;       /* connection threads running */
    int port;
} server;

/* What the last request looked like (read by the checks). */
static struct {
    pthread_mutex_t mu;
    char method[16], path[512], headers[8192], body[8192], client_cn[128];
    int counter;
} seen = {PTHREAD_MUTEX_INITIALIZER, "", "", "", "", "", 0};

typedef struct {
    int fd;
    SSL *ssl;
    server *srv;
} conn;

static ssize_t conn_read(conn *c, char *buf, size_t n)
{
    return c->ssl ? SSL_read(c->ssl, buf, (int)n) : read(c->fd, buf, n);
}

static void conn_write(conn *c, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t k = c->ssl ? SSL_write(c->ssl, buf, (int)n) : write(c->fd, buf, n);
        if (k <= 0)
            return;
        buf += k;
        n -= (size_t)k;
    }
}

static void respond(conn *c, const char *status, const char *headers, const char *body, size_t n)
{
    char head[4096];
    int k = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, headers, n);
    conn_write(c, head, (size_t)k);
    conn_write(c, body, n);
}

static void respond_gzip(conn *c)
{
    const char *text = "{\"zipped\": true}";
    unsigned char out[256];
    z_stream z;
    memset(&z, 0, sizeof(z));
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)text;
    z.avail_in = (unsigned)strlen(text);
    z.next_out = out;
    z.avail_out = sizeof(out);
    deflate(&z, Z_FINISH);
    size_t n = sizeof(out) - z.avail_out;
    deflateEnd(&z);
    respond(c, "200 OK", "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
            (char *)out, n);
}

/* Routes by path (the query ignored); bodies are small and fixed. */
static void handle(conn *c, const char *method, const char *fullpath)
{
    char path[512];
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(fullpath, "?"), fullpath);
    char buf[1024];
    int n;
    if (!strcmp(path, "/json")) {
        respond(c, "200 OK", "Content-Type: application/json; charset=utf-8\r\n", "{\"a\": [1, 2.5, \"x\"]}", 20);
    } else if (!strcmp(path, "/json-bad")) {
        respond(c, "200 OK", "Content-Type: application/problem+json\r\n", "{\"a\":", 5);
    } else if (!strcmp(path, "/text")) {
        respond(c, "200 OK", "Content-Type: text/plain\r\n", "{\"t\": 1}", 8);
    } else if (!strcmp(path, "/yaml")) {
        respond(c, "200 OK", "Content-Type: application/yaml\r\n", "a: 1\nb: [x, y]\n", 15);
    } else if (!strcmp(path, "/multi")) {
        respond(c, "404 Not Found", "Set-Cookie: a=1\r\nX-Thing:  padded  \r\nset-cookie: b=2\r\n", "", 0);
    } else if (!strcmp(path, "/count") || !strcmp(path, "/count500")) {
        pthread_mutex_lock(&seen.mu);
        n = snprintf(buf, sizeof(buf), "%d", ++seen.counter);
        pthread_mutex_unlock(&seen.mu);
        respond(c, path[6] ? "500 Internal Server Error" : "200 OK",
                "Content-Type: application/json\r\n", buf, (size_t)n);
    } else if (!strcmp(path, "/cached")) {
        pthread_mutex_lock(&seen.mu);
        n = snprintf(buf, sizeof(buf), "%d", ++seen.counter);
        pthread_mutex_unlock(&seen.mu);
        char hdr[256], date[64];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        snprintf(hdr, sizeof(hdr), "Cache-Control: max-age=600\r\nDate: %s\r\nContent-Type: application/json\r\n", date);
        respond(c, "200 OK", hdr, buf, (size_t)n);
    } else if (!strncmp(path, "/redirect/", 10)) {
        int k = atoi(path + 10);
        if (k == 0) {
            respond(c, "200 OK", "", "done", 4);
        } else {
            char hdr[128];
            snprintf(hdr, sizeof(hdr), "Location: /redirect/%d\r\n", k - 1);
            respond(c, "302 Found", hdr, "", 0);
        }
    } else if (!strcmp(path, "/redirect-away")) {
        respond(c, "307 Temporary Redirect", "Location: http://elsewhere.example/x\r\n", "", 0);
    } else if (!strcmp(path, "/redirect-post")) {
        respond(c, "303 See Other", "Location: /echo\r\n", "", 0);
    } else if (!strcmp(path, "/slow")) {
        usleep(1500 * 1000);
        respond(c, "200 OK", "", "late", 4);
    } else if (!strcmp(path, "/big")) {
        char big[4096];
        memset(big, 'x', sizeof(big));
        respond(c, "200 OK", "", big, sizeof(big));
    } else if (!strcmp(path, "/chunked")) {
        const char *r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        conn_write(c, r, strlen(r));
    } else if (!strcmp(path, "/gzip")) {
        respond_gzip(c);
    } else if (!strcmp(path, "/eof")) {
        /* close without answering */
    } else {
        (void)method;
        respond(c, "200 OK", "Content-Type: text/plain\r\n", "echo", 4);
    }
}

/* Reads one request; records it. */
static void *conn_main(void *arg)
{
    conn *c = arg;
    char buf[16384];
    size_t len = 0;
    if (c->ssl && SSL_accept(c->ssl) != 1)
        goto out;
    char *end = NULL;
    while (len < sizeof(buf) - 1) {
        ssize_t k = conn_read(c, buf + len, sizeof(buf) - 1 - len);
        if (k <= 0)
            goto out;
        len += (size_t)k;
        buf[len] = 0;
        if ((end = strstr(buf, "\r\n\r\n")) != NULL)
            break;
    }
    if (!end)
        goto out;
    size_t hlen = (size_t)(end - buf) + 4;
    const char *cl = strcasestr(buf, "\r\ncontent-length:");
    size_t want = cl && cl < end ? (size_t)atol(cl + 17) : 0;
    while (len < hlen + want && len < sizeof(buf) - 1) {
        ssize_t k = conn_read(c, buf + len, sizeof(buf) - 1 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    buf[len] = 0;
    char method[16] = "", path[512] = "";
    sscanf(buf, "%15s %511s", method, path);
    pthread_mutex_lock(&seen.mu);
    snprintf(seen.method, sizeof(seen.method), "%s", method);
    snprintf(seen.path, sizeof(seen.path), "%s", path);
    snprintf(seen.headers, sizeof(seen.headers), "%.*s", (int)hlen, buf);
    snprintf(seen.body, sizeof(seen.body), "%s", buf + hlen);
    seen.client_cn[0] = 0;
    if (c->ssl) {
        X509 *peer = SSL_get1_peer_certificate(c->ssl);
        if (peer) {
            X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, seen.client_cn,
                                      sizeof(seen.client_cn));
            X509_free(peer);
        }
    }
    pthread_mutex_unlock(&seen.mu);
    handle(c, method, path);
out:
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    atomic_fetch_sub(&c->srv->active, 1);
    free(c);
    return NULL;
}

static void *server_main(void *arg)
{
    server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        conn *c = calloc(1, sizeof(*c));
        c->fd = fd;
        c->srv = s;
        if (s->tls) {
            c->ssl = SSL_new(s->tls);
            SSL_set_fd(c->ssl, fd);
        }
        atomic_fetch_add(&s->active, 1);
        pthread_t t;
        if (pthread_create(&t, NULL, conn_main, c) != 0) {
            atomic_fetch_sub(&s->active, 1);
            SSL_free(c->ssl);
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(t);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64) ||
        getsockname(fd, (struct sockaddr *)&a, &n)) {
        perror("test server");
        exit(2);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void server_start(server *s, SSL_CTX *tls)
{
    memset(s, 0, sizeof(*s));
    s->tls = tls;
    s->fd = listen_loopback(&s->port);
    pthread_create(&s->thread, NULL, server_main, s);
}

static void server_stop(server *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    close(s->fd);
    for (int i = 0; i < 400 && atomic_load(&s->active) > 0; i++)
        usleep(10000);
    SSL_CTX_free(s->tls);
}

/* A port nobody listens on (bound, then closed). */
static int closed_port(void)
{
    int port, fd = listen_loopback(&port);
    close(fd);
    return port;
}

/* ---- throwaway certificates -------------------------------------------------- */

typedef struct {
    EVP_PKEY *key;
    X509 *cert;
    char cert_pem[4096], key_pem[4096];
} keypair;

static void add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
}

static void pem_of(void (*write)(BIO *, const void *), const void *obj, char *out, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    write(b, obj);
    int n = BIO_read(b, out, (int)cap - 1);
    out[n > 0 ? n : 0] = 0;
    BIO_free(b);
}

static void write_cert(BIO *b, const void *x) { PEM_write_bio_X509(b, (X509 *)x); }
static void write_key(BIO *b, const void *k)
{
    PEM_write_bio_PrivateKey(b, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL);
}

/* A self-signed EC certificate for cn with the given subjectAltName. */
static void make_keypair(keypair *kp, const char *cn, const char *san)
{
    kp->key = EVP_EC_gen("P-256");
    kp->cert = X509_new();
    X509_set_version(kp->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(kp->cert), (long)time(NULL));
    X509_gmtime_adj(X509_getm_notBefore(kp->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(kp->cert), 86400);
    X509_set_pubkey(kp->cert, kp->key);
    X509_NAME *name = X509_get_subject_name(kp->cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(kp->cert, name);
    add_ext(kp->cert, NID_basic_constraints, "critical,CA:TRUE");
    if (san)
        add_ext(kp->cert, NID_subject_alt_name, san);
    X509_sign(kp->cert, kp->key, EVP_sha256());
    pem_of(write_cert, kp->cert, kp->cert_pem, sizeof(kp->cert_pem));
    pem_of(write_key, kp->key, kp->key_pem, sizeof(kp->key_pem));
}

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
    (void)ok;
    (void)ctx;
    return 1;
}

static SSL_CTX *server_tls(const keypair *kp)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, kp->cert);
    SSL_CTX_use_PrivateKey(ctx, kp->key);
    /* ask for a client certificate, accept any (or none) */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
    return ctx;
}

/* ---- the driver -------------------------------------------------------------------- */

static server plain, secure;
static keypair server_kp, client_kp;
static int refused_port;

/* Appends s with newlines and quotes escaped for a Rego string literal. */
static void append_escaped(rp_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            rp_buf_puts(b, "\\n");
        else if (*s == '"' || *s == '\\') {
            rp_buf_putc(b, '\\');
            rp_buf_putc(b, *s);
        } else
            rp_buf_putc(b, *s);
    }
}

/* Expands $P, $S, $C (ports) and $CA, $CC, $CK (PEM texts). */
static char *expand(const char *t)
{
    rp_buf b;
    rp_buf_init(&b);
    for (; *t; t++) {
        if (t[0] == '$' && t[1] == 'C' && t[2] == 'A') {
            append_escaped(&b, server_kp.cert_pem);
            t += 2;
        } else if (t[0] == '$' && t[1] == 'C' && t[2] == 'C') {
            append_escaped(&b, client_kp.cert_pem);
            t += 2;
        } else if (t[0] == '$' && t[1] == 'C' && t[2] == 'K') {
            append_escaped(&b, client_kp.key_pem);
            t += 2;
        } else if (t[0] == '$' && t[1] == 'P') {
            rp_buf_printf(&b, "%d", plain.port);
            t++;
        } else if (t[0] == '$' && t[1] == 'S') {
            rp_buf_printf(&b, "%d", secure.port);
            t++;
        } else if (t[0] == '$' && t[1] == 'C') {
            rp_buf_printf(&b, "%d", refused_port);
            t++;
        } else {
            rp_buf_putc(&b, *t);
        }
    }
    return rp_buf_steal(&b);
}

#define DEFAULT_CONFIG "{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1\", \"localhost\"]}}"

/* One query context with the given config ("" for none). */
static void ctx_with(struct rego_evalctx *ev, rp_arena *a, const char *config)
{
    rego_evalctx_init(ev, a);
    if (config && *config) {
        char *c = expand(config);
        ev->config = bt_term(a, c);
        free(c);
    }
}

/* Calls http.send(req) in ev; the result or the error as "!kind:msg". */
static rego_value send_in(struct rego_evalctx *ev, const char *req, char *errtext, size_t cap)
{
    char *r = expand(req);
    char args[65536];
    snprintf(args, sizeof(args), "[%s]", r);
    free(r);
    const rego_builtin *bi = rego_builtin_find("http.send", 9);
    rego_value a = bt_term(ev->arena, args), v = rego_undef();
    rp_error err = {0};
    rp_loc loc = {"t.rego", 3, 5};
    rp_status st = rego_builtin_call(bi, ev, loc, a.u.items, &v, &err);
    errtext[0] = 0;
    if (st != RP_OK)
        snprintf(errtext, cap, "!%s:%s", bt_kind(st, &err), err.msg);
    return v;
}

/* The value at a dotted path ("headers.content-type"). */
static bool at_path(rego_value v, const char *path, rego_value *out)
{
    char part[128];
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        if (v.kind != REGO_OBJECT || !rego_object_get_str(v, part, n, rego_hash_str(part, n), &v))
            return false;
        path += n + (dot ? 1 : 0);
    }
    *out = v;
    return true;
}

static const char *show(rego_value v)
{
    static char out[8192];
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_REGO);
    snprintf(out, sizeof(out), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return out;
}

/* Checks "path=term" lines (or "!kind:msg", a prefix of the error). */
static void check(const char *what, rego_value v, const char *errtext, const char *want,
                  rp_arena *a)
{
    char *w = expand(want);
    if (w[0] == '!') {
        T_CHECKM(errtext[0] && strncmp(errtext, w, strlen(w)) == 0, "%s\n    got:  %s\n    want: %s",
                 what, errtext[0] ? errtext : show(v), w);
        free(w);
        return;
    }
    if (errtext[0]) {
        T_CHECKM(0, "%s: unexpected error %s", what, errtext);
        free(w);
        return;
    }
    for (char *line = w; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *eq = strchr(line, '=');
        *eq = 0;
        rego_value got, exp = bt_term(a, eq + 1);
        bool ok = at_path(v, line, &got) && rego_equal(got, exp);
        T_CHECKM(ok, "%s: %s\n    got:  %s\n    want: %s", what, line,
                 at_path(v, line, &got) ? show(got) : "(missing)", eq + 1);
        line = nl ? nl + 1 : NULL;
    }
    free(w);
}

typedef struct {
    const char *config, *req, *want;
} hcase;

static const hcase cases[] = {
    /* OPA's invalidkeyerror conformance cases: checked before anything else */
    {"", "{\"bad_key\": \"bad_value\", \"method\": \"get\", \"url\": \"http://127.0.0.1:51113\"}",
     "!type:http.send: operand 1 invalid request parameters(s): {\"bad_key\"}"},
    {"", "{\"method\": \"get\"}", "!type:http.send: operand 1 missing required request parameters(s): {\"url\"}"},
    {"", "{}", "!type:http.send: operand 1 missing required request parameters(s): {\"method\", \"url\"}"},
    {"", "{\"method\": \"get\", \"url\": \"x\", \"zz\": 1, 5: 2}",
     "!type:http.send: operand 1 invalid request parameters(s): {5, \"zz\"}"},
    {"", "{\"method\": \"get\", \"url\": \"x\", \"raise_error\": \"no\"}",
     "!builtin:http.send: invalid value for raise_error field"},
    {"", "{\"bad\": 1, \"raise_error\": false}",
     "error.code=\"eval_http_send_internal_error\"\nstatus_code=0\n"
     "error.message=\"t.rego:3: eval_type_error: http.send: operand 1 invalid request parameters(s): {\\\"bad\\\"}\""},
    /* off by default */
    {"", "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json\"}",
     "!builtin:http.send: disabled: the embedder allows no hosts (to enable http.send, add \"http.send\": {\"allowed_hosts\""},
    {"{\"http.send\": {\"allowed_hosts\": []}}", "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json\"}",
     "!builtin:http.send: disabled:"},
    {"{\"http.send\": {\"allowed_hosts\": [1]}}", "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json\"}",
     "!builtin:http.send: invalid http.send configuration: allowed_hosts must hold host patterns"},
    {"", "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json\", \"raise_error\": false}",
     "status_code=0\nerror.code=\"eval_http_send_internal_error\""},

    /* responses */
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json\"}",
     "status_code=200\nstatus=\"200 OK\"\nbody={\"a\": [1, 2.5, \"x\"]}\nraw_body=\"{\\\"a\\\": [1, 2.5, \\\"x\\\"]}\"\n"
     "headers.content-type=[\"application/json; charset=utf-8\"]\nheaders.content-length=[\"20\"]\nheaders.connection=[\"close\"]"},
    {NULL, "{\"method\": \"GET\", \"url\": \"http://localhost:$P/text\"}", "body=null\nraw_body=\"{\\\"t\\\": 1}\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/text\", \"force_json_decode\": true}", "body={\"t\": 1}"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/text\", \"force_yaml_decode\": true}", "body={\"t\": 1}"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/yaml\"}", "body={\"a\": 1, \"b\": [\"x\", true]}"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json-bad\"}", "body=null\nraw_body=\"{\\\"a\\\":\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/multi\"}",
     "status_code=404\nstatus=\"404 Not Found\"\nheaders.set-cookie=[\"a=1\", \"b=2\"]\nheaders.x-thing=[\"padded\"]\nbody=null\nraw_body=\"\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/chunked\"}", "raw_body=\"abc\"\nheaders={\"connection\": [\"close\"]}"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/gzip\"}",
     "body={\"zipped\": true}\nheaders={\"connection\": [\"close\"], \"content-type\": [\"application/json\"]}"},
    {NULL, "{\"method\": \"head\", \"url\": \"http://127.0.0.1:$P/json\"}", "status_code=200\nraw_body=\"\"\nbody=null"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/redirect/2\"}",
     "status_code=302\nheaders.location=[\"/redirect/1\"]"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/redirect/3\", \"enable_redirect\": true}",
     "status_code=200\nraw_body=\"done\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/redirect/3\", \"enable_redirect\": 1}", "raw_body=\"done\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/redirect/11\", \"enable_redirect\": true}",
     "!builtin:http.send: Get \"/redirect/0\": stopped after 10 redirects"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/redirect-away\", \"enable_redirect\": true}",
     "!builtin:http.send: Get \"http://elsewhere.example/x\": unallowed host: elsewhere.example"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/redirect-away\"}", "status_code=307"},

    /* errors */
    {NULL, "{\"method\": \"get\", \"url\": \"http://example.com/\"}", "!builtin:http.send: unallowed host: example.com"},
    {"{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1:1\"]}}", "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/json\"}",
     "!builtin:http.send: unallowed host: 127.0.0.1"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://a b/\"}",
     "!builtin:http.send: parse \"http://a b/\": invalid character \" \" in host name"},
    {NULL, "{\"method\": \"get\", \"url\": \"ftp://127.0.0.1:$P/x\"}",
     "!builtin:http.send: Get \"ftp://127.0.0.1:$P/x\": unsupported protocol scheme \"ftp\""},
    {"{\"http.send\": {\"allowed_hosts\": [\"*\"]}}", "{\"method\": \"get\", \"url\": \"file:///etc/passwd\"}",
     "!builtin:http.send: Get \"file:///etc/passwd\": unsupported protocol scheme \"file\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$C/\"}",
     "!builtin:http.send: Get \"http://127.0.0.1:$C/\": dial tcp 127.0.0.1:$C: connect: connection refused"},
    {NULL, "{\"method\": \"post\", \"url\": \"http://127.0.0.1:$C/\", \"raise_error\": false}",
     "status_code=0\nerror.code=\"eval_http_send_network_error\"\n"
     "error.message=\"Post \\\"http://127.0.0.1:$C/\\\": dial tcp 127.0.0.1:$C: connect: connection refused\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/eof\"}", "!builtin:http.send: Get \"http://127.0.0.1:$P/eof\": EOF"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/slow\", \"timeout\": \"200ms\"}",
     "!builtin:http.send: Get http://127.0.0.1:$P/slow: request timed out"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/slow\", \"timeout\": 200000000, \"raise_error\": false}",
     "error.code=\"eval_http_send_network_error\"\nerror.message=\"Get \\\"http://127.0.0.1:$P/slow\\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)\""},
    {"{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1\"], \"max_body_bytes\": 1000}}",
     "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/big\"}", "!limit:http.send: response body exceeds the limit of 1000 bytes"},
    {"{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1\"], \"max_body_bytes\": 1000}}",
     "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/big\", \"raise_error\": false}", "!limit:http.send: response body exceeds"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"timeout\": \"abc\"}",
     "!builtin:http.send: invalid timeout value \"abc\": time: invalid duration \"abc\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"timeout\": \"5000000000\"}", "status_code=200"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"timeout\": \"1x\"}",
     "!builtin:http.send: invalid timeout value \"1x\": time: unknown unit \"x\" in duration \"1x\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"timeout\": 1.5}",
     "!builtin:http.send: invalid timeout number value 1.5, must be int64"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"timeout\": true}",
     "!type:http.send: operand 1 'timeout' must be one of {string, number} but got boolean"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"enable_redirect\": \"yes\"}",
     "!builtin:http.send: strconv.ParseBool: parsing \"\\\"yes\\\"\": invalid syntax"},
    {NULL, "{\"method\": \"get\", \"url\": 7}", "!builtin:http.send: \"url\" must be a string"},
    {NULL, "{\"method\": \"g t\", \"url\": \"http://127.0.0.1:$P/\"}", "!builtin:http.send: net/http: invalid method \"G T\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"headers\": [1]}", "!builtin:http.send: invalid type for headers key"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"headers\": {\"a\": 1, \"b\": true}}",
     "!builtin:http.send: invalid type for headers value \"1\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"headers\": {\"x-a\": \"1\\r\\nInjected: yes\"}}",
     "!builtin:http.send: Get \"http://127.0.0.1:$P/\": net/http: invalid header field value for \"X-A\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"headers\": {\"a b\": \"1\"}}",
     "!builtin:http.send: Get \"http://127.0.0.1:$P/\": net/http: invalid header field name \"a b\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"max_retry_attempts\": -1}",
     "!builtin:http.send: invalid value -1 for field \"max_retry_attempts\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"max_retry_attempts\": \"2\", \"raise_error\": false}",
     "error.message=\"invalid value \\\"2\\\" for field \\\"max_retry_attempts\\\"\""},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$C/\", \"max_retry_attempts\": 2}",
     "!builtin:http.send: Get \"http://127.0.0.1:$C/\": dial tcp"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"force_json_decode\": \"yes\"}",
     "!builtin:http.send: invalid value for \"force_json_decode\" field"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"cache\": 1}", "!builtin:http.send: invalid value for \"cache\" field"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"force_cache\": true}",
     "!builtin:http.send: 'force_cache' set but 'force_cache_duration_seconds' parameter is missing"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"force_cache\": true, \"force_cache_duration_seconds\": \"10\"}",
     "!builtin:http.send: strconv.ParseInt: parsing \"\\\"10\\\"\": invalid syntax"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"headers\": {\"a\": \"b\"}, \"cache_ignored_headers\": \"a\"}",
     "!builtin:http.send: json: cannot unmarshal string into Go value of type []string"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"tls_ca_cert_file\": \"/etc/hostname\"}",
     "!builtin:http.send: tls_ca_cert_file is not allowed: the embedder must set \"allow_tls_files\": true"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"tls_ca_cert\": \"not a pem\"}",
     "!builtin:http.send: could not append certificates"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"tls_client_cert\": \"x\", \"tls_client_key\": \"y\"}",
     "!builtin:http.send: tls: failed to find any PEM data in certificate input"},
    {NULL, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/\", \"tls_client_cert\": \"$CC\", \"tls_client_key\": \"$CC\"}",
     "!builtin:http.send: tls: found a certificate rather than a key in the PEM for the private key"},

    /* TLS */
    {NULL, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert\": \"$CA\"}", "status_code=200\nbody={\"a\": [1, 2.5, \"x\"]}"},
    {NULL, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\"}",
     "!builtin:http.send: Get \"https://127.0.0.1:$S/json\": tls: failed to verify certificate: x509: certificate signed by unknown authority"},
    {NULL, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_insecure_skip_verify\": true}", "status_code=200"},
    {NULL, "{\"method\": \"get\", \"url\": \"https://localhost:$S/json\", \"tls_ca_cert\": \"$CA\", \"tls_use_system_certs\": true}", "status_code=200"},
    {NULL, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert\": \"$CA\", \"tls_server_name\": \"localhost\"}", "status_code=200"},
    {NULL, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert\": \"$CA\", \"headers\": {\"Host\": \"localhost\"}}", "status_code=200"},
    {"{\"http.send\": {\"allowed_hosts\": [\"*.0.0.1\", \"localhost\"]}}", "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert\": \"$CA\", \"tls_server_name\": \"127.0.0.2\"}",
     "!builtin:http.send: Get \"https://127.0.0.1:$S/json\": tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not 127.0.0.2"},
    {NULL, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert\": \"$CA\", \"tls_server_name\": \"wrong.example\"}",
     "!builtin:http.send: Get \"https://127.0.0.1:$S/json\": tls: failed to verify certificate: x509: certificate is valid for localhost, not wrong.example"},
};

/* Operand checks, in bi_table.h's form (no server needed). */
static const bt_case operand_cases[] = {
    {"http.send", "[1]", "!type:http.send: operand 1 must be object but got number"},
    {"http.send", "[{\"url\": \"x\", \"method\": \"get\", \"body\": 1, \"nope\": 2}]",
     "!type:http.send: operand 1 invalid request parameters(s): {\"nope\"}"},
};

static void run_cases(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(cases); i++) {
        rp_arena *a = rp_arena_new(0);
        struct rego_evalctx ev;
        ctx_with(&ev, a, cases[i].config ? cases[i].config : DEFAULT_CONFIG);
        char err[4096], what[64];
        rego_value v = send_in(&ev, cases[i].req, err, sizeof(err));
        snprintf(what, sizeof(what), "case %zu", i);
        check(what, v, err, cases[i].want, a);
        rp_arena_free(a);
    }
}

/* What the server received. */
static void test_request_shape(void)
{
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    ctx_with(&ev, a, DEFAULT_CONFIG);
    char err[1024];
    send_in(&ev, "{\"method\": \"post\", \"url\": \"http://127.0.0.1:$P/echo?q=1&b=%20\", \"body\": {\"x\": [1, \"<\"]}}", err, sizeof(err));
    pthread_mutex_lock(&seen.mu);
    T_CHECK(!err[0] && !strcmp(seen.method, "POST") && !strcmp(seen.path, "/echo?q=1&b=%20"));
    T_STREQ(seen.body, "{\"x\":[1,\"\\u003c\"]}");
    T_CHECK(strcasestr(seen.headers, "\r\nContent-Length: 18\r\n") != NULL);
    T_CHECK(strcasestr(seen.headers, "Content-Type") == NULL && strcasestr(seen.headers, "Expect") == NULL &&
            strcasestr(seen.headers, "\r\nAccept:") == NULL);
    T_CHECK(strstr(seen.headers, "\r\nHost: 127.0.0.1:") != NULL);
    T_CHECK(strstr(seen.headers, "\r\nUser-Agent: Go-http-client/1.1\r\n") != NULL);
    T_CHECK(strstr(seen.headers, "\r\nAccept-Encoding: gzip\r\n") != NULL);
    pthread_mutex_unlock(&seen.mu);

    send_in(&ev, "{\"method\": \"put\", \"url\": \"http://u:p%40ss@127.0.0.1:$P/a/../b\", \"raw_body\": \"raw\", \"headers\": {\"content-type\": \"text/x\", \"x-multi-word\": \"v\", \"Host\": \"virtual.example\"}}", err, sizeof(err));
    pthread_mutex_lock(&seen.mu);
    T_CHECK(!err[0] && !strcmp(seen.method, "PUT") && !strcmp(seen.path, "/a/../b"));
    T_STREQ(seen.body, "raw");
    T_CHECK(strstr(seen.headers, "\r\nContent-Type: text/x\r\n") != NULL);
    T_CHECK(strstr(seen.headers, "\r\nX-Multi-Word: v\r\n") != NULL);
    T_CHECK(strstr(seen.headers, "\r\nHost: virtual.example\r\n") != NULL);
    T_CHECK(strstr(seen.headers, "\r\nUser-Agent: rampart/http.send\r\n") != NULL);
    T_CHECK(strstr(seen.headers, "\r\nAuthorization: Basic dTpwQHNz\r\n") != NULL); /* u:p@ss */
    pthread_mutex_unlock(&seen.mu);

    /* a 303 turns a POST into a GET without its body */
    send_in(&ev, "{\"method\": \"post\", \"url\": \"http://127.0.0.1:$P/redirect-post\", \"body\": 1, \"enable_redirect\": true}", err, sizeof(err));
    pthread_mutex_lock(&seen.mu);
    T_CHECK(!err[0] && !strcmp(seen.method, "GET") && !strcmp(seen.path, "/echo") && !seen.body[0]);
    pthread_mutex_unlock(&seen.mu);

    /* GET without a body sends no Content-Length; DELETE neither */
    send_in(&ev, "{\"method\": \"delete\", \"url\": \"http://127.0.0.1:$P/d\"}", err, sizeof(err));
    pthread_mutex_lock(&seen.mu);
    T_CHECK(!err[0] && !strcmp(seen.method, "DELETE") && !strcasestr(seen.headers, "Content-Length"));
    pthread_mutex_unlock(&seen.mu);

    /* a client certificate is presented when given */
    send_in(&ev, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert\": \"$CA\", \"tls_client_cert\": \"$CC\", \"tls_client_key\": \"$CK\"}", err, sizeof(err));
    pthread_mutex_lock(&seen.mu);
    T_CHECKM(!err[0] && !strcmp(seen.client_cn, "rampart client"), "client cert: %s / %s", err, seen.client_cn);
    pthread_mutex_unlock(&seen.mu);
    rp_arena_free(a);
}

/* Same request, same response within a query; the inter-query cache. */
static void test_caches(void)
{
    char e1[1024], e2[1024];
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev, ev2;
    ctx_with(&ev, a, DEFAULT_CONFIG);
    const char *count = "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/count\"}";
    rego_value r1 = send_in(&ev, count, e1, sizeof(e1)), r2 = send_in(&ev, count, e2, sizeof(e2));
    T_CHECKM(!e1[0] && !e2[0] && rego_equal(r1, r2), "memo: %s vs %s", e1, e2);
    ctx_with(&ev2, a, DEFAULT_CONFIG);
    rego_value r3 = send_in(&ev2, count, e1, sizeof(e1));
    T_CHECK(!e1[0] && !rego_equal(r1, r3));
    /* ignored headers do not make a different request */
    rego_value r4 = send_in(&ev2, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/count\", \"headers\": {\"x-id\": \"1\"}, \"cache_ignored_headers\": [\"x-id\"]}", e1, sizeof(e1));
    rego_value r5 = send_in(&ev2, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/count\", \"headers\": {\"x-id\": \"2\"}, \"cache_ignored_headers\": [\"x-id\"]}", e2, sizeof(e2));
    T_CHECK(!e1[0] && !e2[0] && rego_equal(r4, r5) && !rego_equal(r3, r4));
    /* a 500 is not cacheable: asked again */
    const char *c500 = "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/count500\"}";
    r1 = send_in(&ev, c500, e1, sizeof(e1));
    r2 = send_in(&ev, c500, e2, sizeof(e2));
    T_CHECK(!e1[0] && !e2[0] && !rego_equal(r1, r2));
    /* errors are remembered too */
    const char *refused = "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$C/\"}";
    send_in(&ev, refused, e1, sizeof(e1));
    send_in(&ev, refused, e2, sizeof(e2));
    T_CHECK(e1[0] && !strcmp(e1, e2));

    /* inter-query: Cache-Control max-age with Date */
    const char *cached = "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/cached\", \"cache\": true}";
    struct rego_evalctx q1, q2, q3;
    ctx_with(&q1, a, DEFAULT_CONFIG);
    ctx_with(&q2, a, DEFAULT_CONFIG);
    r1 = send_in(&q1, cached, e1, sizeof(e1));
    r2 = send_in(&q2, cached, e2, sizeof(e2));
    T_CHECKM(!e1[0] && !e2[0] && rego_equal(r1, r2), "inter-query cache: %s %s", show(r1), e2);
    /* force_cache on a response without cache headers */
    const char *forced = "{\"method\": \"get\", \"url\": \"http://127.0.0.1:$P/count?f\", \"force_cache\": true, \"force_cache_duration_seconds\": 60}";
    ctx_with(&q1, a, DEFAULT_CONFIG);
    ctx_with(&q2, a, DEFAULT_CONFIG);
    r1 = send_in(&q1, forced, e1, sizeof(e1));
    r2 = send_in(&q2, forced, e2, sizeof(e2));
    T_CHECK(!e1[0] && !e2[0] && rego_equal(r1, r2));
    /* the cache off: asked again */
    ctx_with(&q3, a, "{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1\"], \"inter_query_cache\": false}}");
    r3 = send_in(&q3, forced, e1, sizeof(e1));
    T_CHECK(!e1[0] && !rego_equal(r1, r3));
    /* a cached response is not served to a query that may not reach the host */
    ctx_with(&q3, a, "{\"http.send\": {\"allowed_hosts\": [\"localhost\"]}}");
    send_in(&q3, forced, e1, sizeof(e1));
    T_CHECK(!strcmp(e1, "!builtin:http.send: unallowed host: 127.0.0.1"));
    rp_arena_free(a);
}

/* tls_*_file with the embedder's permission. */
static void test_tls_files(void)
{
    char path[] = "/tmp/rampart-test-ca-XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0 && write(fd, server_kp.cert_pem, strlen(server_kp.cert_pem)) > 0);
    close(fd);
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    ctx_with(&ev, a, "{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1\"], \"allow_tls_files\": true}}");
    char err[1024], req[512];
    snprintf(req, sizeof(req), "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert_file\": \"%s\"}", path);
    rego_value v = send_in(&ev, req, err, sizeof(err));
    rego_value code;
    T_CHECKM(!err[0] && at_path(v, "status_code", &code) && code.u.i == 200, "ca file: %s", err);
    unlink(path);
    ctx_with(&ev, a, "{\"http.send\": {\"allowed_hosts\": [\"127.0.0.1\"], \"allow_tls_files\": true}}");
    snprintf(req, sizeof(req), "{\"method\": \"get\", \"url\": \"https://127.0.0.1:$S/json\", \"tls_ca_cert_file\": \"%s\"}", path);
    send_in(&ev, req, err, sizeof(err));
    T_CHECKM(strstr(err, ": no such file or directory") != NULL, "missing file: %s", err);
    rp_arena_free(a);
}

int main(void)
{
    T_CHECK(rego_builtins_http[0].name != NULL);
    /* the server writes to clients that gave up (timeouts) */
    signal(SIGPIPE, SIG_IGN);
    make_keypair(&server_kp, "rampart test server", "IP:127.0.0.1,DNS:localhost");
    make_keypair(&client_kp, "rampart client", NULL);
    refused_port = closed_port();
    server_start(&plain, NULL);
    server_start(&secure, server_tls(&server_kp));
    BT_RUN(operand_cases, 0);
    run_cases();
    test_request_shape();
    test_caches();
    test_tls_files();
    server_stop(&plain);
    server_stop(&secure);
    X509_free(server_kp.cert);
    EVP_PKEY_free(server_kp.key);
    X509_free(client_kp.cert);
    EVP_PKEY_free(client_kp.key);
    return T_DONE();
}
