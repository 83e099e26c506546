/*
 * gourl.c — a port of the parts of Go's net/url (and strconv.Quote) that
 * OPA's http.send, json.match_schema and providers.aws.sign_req depend on.
 * The behaviour, including which inputs are errors and the error texts, is
 * Go's (net/url/url.go, Go 1.22); see gourl.h for the interface.
 * Quoting in messages is strconv.Quote (rego_go_quote, sprintf.h).
 *
 * Invariants: parsing is one pass over the input plus one unescape per
 * component, so it is linear in the input; nothing recurses.  All strings
 * are allocated in the caller's arena; a failed arena shows up as
 * rp_arena_failed and empty strings, never as a crash.
 * Global state: none.
 */
#include "gourl.h"

#include <stdio.h>
#include <string.h>

#include "sprintf.h"

/* Go's url encoding modes (the "encoding" type in url.go). */
typedef enum {
    ENC_PATH = 1,
    ENC_PATH_SEGMENT,
    ENC_HOST,
    ENC_ZONE,
    ENC_USER_PASSWORD,
    ENC_QUERY_COMPONENT,
    ENC_FRAGMENT,
} gourl_mode;

static const char hex_upper[] = "0123456789ABCDEF";

static rego_gostr gs(const char *s, size_t n)
{
    rego_gostr r = {s, n};
    return r;
}

static bool gs_eq(rego_gostr a, rego_gostr b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0);
}

static rego_gostr gs_dup(rp_arena *a, const char *s, size_t n)
{
    char *p = rp_arena_strndup(a, s ? s : "", n);
    return p ? gs(p, n) : gs("", 0);
}

static rego_gostr gs_buf(rp_arena *a, rp_buf *b)
{
    rego_gostr r = gs_dup(a, b->data, b->failed ? 0 : b->len);
    rp_buf_free(b);
    return r;
}

static bool has_prefix(rego_gostr s, const char *p)
{
    size_t n = strlen(p);
    return s.n >= n && memcmp(s.s, p, n) == 0;
}

static const char *find_byte(rego_gostr s, char c)
{
    return s.n ? memchr(s.s, c, s.n) : NULL;
}

static const char *find_last(rego_gostr s, char c)
{
    for (size_t i = s.n; i > 0; i--)
        if (s.s[i - 1] == c)
            return s.s + i - 1;
    return NULL;
}

/* ---- escaping ---------------------------------------------------------------- */

static bool ishex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned unhex(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    return (unsigned)(c - 'A' + 10);
}

/* Go's shouldEscape: whether c must be %-escaped in a component of mode. */
static bool should_escape(unsigned char c, gourl_mode mode)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return false;
    if ((mode == ENC_HOST || mode == ENC_ZONE) && c && strchr("!$&'()*+,;=:[]<>\"", c))
        return false;
    switch (c) {
    case '-': case '_': case '.': case '~':
        return false;
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?':
    case '@':
        switch (mode) {
        case ENC_PATH: return c == '?';
        case ENC_PATH_SEGMENT: return c == '/' || c == ';' || c == ',' || c == '?';
        case ENC_USER_PASSWORD: return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_QUERY_COMPONENT: return true;
        case ENC_FRAGMENT: return false;
        case ENC_HOST:
        case ENC_ZONE: break;
        }
        break;
    default:
        break;
    }
    if (mode == ENC_FRAGMENT && (c == '!' || c == '(' || c == ')' || c == '*'))
        return false;
    return true;
}

static void escape(rp_buf *b, rego_gostr s, gourl_mode mode)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (!should_escape(c, mode)) {
            rp_buf_putc(b, (char)c);
        } else if (c == ' ' && mode == ENC_QUERY_COMPONENT) {
            rp_buf_putc(b, '+');
        } else {
            char e[3] = {'%', hex_upper[c >> 4], hex_upper[c & 15]};
            rp_buf_append(b, e, 3);
        }
    }
}

/* Formats an EscapeError / InvalidHostError message. */
static void set_err(char *msg, size_t cap, const char *pre, const char *s, size_t n,
                    const char *post)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, pre);
    rego_go_quote(&b, s, n);
    rp_buf_puts(&b, post);
    snprintf(msg, cap, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
}

/* Go's unescape: checks the %-escapes and host characters of s, then
 * decodes.  false with the message in msg on a bad escape. */
static bool unescape(rp_arena *a, rego_gostr s, gourl_mode mode, rego_gostr *out, char *msg,
                     size_t cap)
{
    size_t pct = 0;
    for (size_t i = 0; i < s.n;) {
        unsigned char c = (unsigned char)s.s[i];
        if (c == '%') {
            pct++;
            if (i + 2 >= s.n || !ishex(s.s[i + 1]) || !ishex(s.s[i + 2])) {
                size_t k = s.n - i > 3 ? 3 : s.n - i;
                set_err(msg, cap, "invalid URL escape ", s.s + i, k, "");
                return false;
            }
            bool is25 = s.s[i + 1] == '2' && s.s[i + 2] == '5';
            if (mode == ENC_HOST && unhex(s.s[i + 1]) < 8 && !is25) {
                set_err(msg, cap, "invalid URL escape ", s.s + i, 3, "");
                return false;
            }
            if (mode == ENC_ZONE) {
                unsigned v = unhex(s.s[i + 1]) << 4 | unhex(s.s[i + 2]);
                if (!is25 && v != ' ' && should_escape((unsigned char)v, ENC_HOST)) {
                    set_err(msg, cap, "invalid URL escape ", s.s + i, 3, "");
                    return false;
                }
            }
            i += 3;
            continue;
        }
        if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && c != '+' &&
            should_escape(c, mode)) {
            set_err(msg, cap, "invalid character ", s.s + i, 1, " in host name");
            return false;
        }
        i++;
    }
    if (pct == 0 && !(mode == ENC_QUERY_COMPONENT && find_byte(s, '+'))) {
        *out = s;
        return true;
    }
    char *d = rp_arena_alloc(a, s.n + 1);
    if (!d) {
        *out = gs("", 0);
        return true;
    }
    size_t j = 0;
    for (size_t i = 0; i < s.n;) {
        if (s.s[i] == '%') {
            d[j++] = (char)(unhex(s.s[i + 1]) << 4 | unhex(s.s[i + 2]));
            i += 3;
        } else {
            d[j++] = (s.s[i] == '+' && mode == ENC_QUERY_COMPONENT) ? ' ' : s.s[i];
            i++;
        }
    }
    d[j] = 0;
    *out = gs(d, j);
    return true;
}

/* Go's validEncoded: whether s is a plausible escaped form for mode. */
static bool valid_encoded(rego_gostr s, gourl_mode mode)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (c && strchr("!$&'()*+,;=:@[]%", c))
            continue;
        if (should_escape(c, mode))
            return false;
    }
    return true;
}

/* The raw form of a component when it differs from Go's default escaping
 * (RawPath / RawFragment), else empty. */
static bool set_component(rp_arena *a, rego_gostr raw, gourl_mode mode, rego_gostr *val,
                          rego_gostr *rawout, char *msg, size_t cap)
{
    if (!unescape(a, raw, mode, val, msg, cap))
        return false;
    rp_buf b;
    rp_buf_init(&b);
    escape(&b, *val, mode);
    bool same = !b.failed && b.len == raw.n && (raw.n == 0 || memcmp(b.data, raw.s, raw.n) == 0);
    rp_buf_free(&b);
    *rawout = same ? gs("", 0) : raw;
    return true;
}

static void escaped_component(const rego_gostr *val, const rego_gostr *raw, gourl_mode mode,
                              rp_buf *b)
{
    if (raw->n && valid_encoded(*raw, mode)) {
        /* Go re-checks that the raw form decodes to the value. */
        rp_arena *tmp = rp_arena_new(0);
        rego_gostr dec;
        char msg[8];
        bool ok = tmp && unescape(tmp, *raw, mode, &dec, msg, sizeof(msg)) && gs_eq(dec, *val);
        rp_arena_free(tmp);
        if (ok) {
            rp_buf_append(b, raw->s, raw->n);
            return;
        }
    }
    if (mode == ENC_PATH && val->n == 1 && val->s[0] == '*') {
        rp_buf_putc(b, '*');
        return;
    }
    escape(b, *val, mode);
}

void rego_gourl_escaped_path(const rego_gourl *u, rp_buf *b)
{
    escaped_component(&u->path, &u->raw_path, ENC_PATH, b);
}

void rego_gourl_escaped_fragment(const rego_gourl *u, rp_buf *b)
{
    escaped_component(&u->fragment, &u->raw_fragment, ENC_FRAGMENT, b);
}

/* ---- parsing ----------------------------------------------------------------- */

static bool valid_optional_port(rego_gostr p)
{
    if (p.n == 0)
        return true;
    if (p.s[0] != ':')
        return false;
    for (size_t i = 1; i < p.n; i++)
        if (p.s[i] < '0' || p.s[i] > '9')
            return false;
    return true;
}

static bool bad_port(rego_gostr colon_port, char *msg, size_t cap)
{
    if (valid_optional_port(colon_port))
        return false;
    set_err(msg, cap, "invalid port ", colon_port.s, colon_port.n, " after host");
    return true;
}

static bool parse_host(rp_arena *a, rego_gostr host, rego_gostr *out, char *msg, size_t cap)
{
    if (has_prefix(host, "[")) {
        const char *rb = find_last(host, ']');
        if (!rb) {
            snprintf(msg, cap, "missing ']' in host");
            return false;
        }
        size_t i = (size_t)(rb - host.s);
        if (bad_port(gs(rb + 1, host.n - i - 1), msg, cap))
            return false;
        /* RFC 6874: "%25" starts a zone, which has its own escaping rules. */
        const char *zone = NULL;
        for (size_t k = 0; k + 2 < i; k++)
            if (host.s[k] == '%' && host.s[k + 1] == '2' && host.s[k + 2] == '5') {
                zone = host.s + k;
                break;
            }
        if (zone) {
            size_t z = (size_t)(zone - host.s);
            rego_gostr h1, h2, h3;
            if (!unescape(a, gs(host.s, z), ENC_HOST, &h1, msg, cap) ||
                !unescape(a, gs(zone, i - z), ENC_ZONE, &h2, msg, cap) ||
                !unescape(a, gs(rb, host.n - i), ENC_HOST, &h3, msg, cap))
                return false;
            char *p = rp_arena_alloc(a, h1.n + h2.n + h3.n + 1);
            if (!p) {
                *out = gs("", 0);
                return true;
            }
            memcpy(p, h1.s, h1.n);
            memcpy(p + h1.n, h2.s, h2.n);
            memcpy(p + h1.n + h2.n, h3.s, h3.n);
            p[h1.n + h2.n + h3.n] = 0;
            *out = gs(p, h1.n + h2.n + h3.n);
            return true;
        }
    } else {
        const char *colon = find_last(host, ':');
        if (colon && bad_port(gs(colon, host.n - (size_t)(colon - host.s)), msg, cap))
            return false;
    }
    return unescape(a, host, ENC_HOST, out, msg, cap);
}

static bool valid_userinfo(rego_gostr s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            continue;
        if (c >= 0x80 || !c || !strchr("-._:~!$&'()*+,;=%@", c))
            return false;
    }
    return true;
}

static bool parse_authority(rp_arena *a, rego_gostr auth, rego_gourl *u, char *msg, size_t cap)
{
    const char *at = find_last(auth, '@');
    rego_gostr hostpart = at ? gs(at + 1, auth.n - (size_t)(at - auth.s) - 1) : auth;
    if (!parse_host(a, hostpart, &u->host, msg, cap))
        return false;
    if (!at)
        return true;
    rego_gostr ui = gs(auth.s, (size_t)(at - auth.s));
    if (!valid_userinfo(ui)) {
        snprintf(msg, cap, "net/url: invalid userinfo");
        return false;
    }
    u->has_user = true;
    const char *colon = find_byte(ui, ':');
    if (!colon)
        return unescape(a, ui, ENC_USER_PASSWORD, &u->user, msg, cap);
    u->has_pass = true;
    size_t k = (size_t)(colon - ui.s);
    return unescape(a, gs(ui.s, k), ENC_USER_PASSWORD, &u->user, msg, cap) &&
           unescape(a, gs(colon + 1, ui.n - k - 1), ENC_USER_PASSWORD, &u->pass, msg, cap);
}

/* Go's getScheme: the scheme and the rest, or an error. */
static bool get_scheme(rego_gostr raw, rego_gostr *scheme, rego_gostr *rest, char *msg, size_t cap)
{
    *scheme = gs("", 0);
    *rest = raw;
    for (size_t i = 0; i < raw.n; i++) {
        char c = raw.s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                return true;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                snprintf(msg, cap, "missing protocol scheme");
                return false;
            }
            *scheme = gs(raw.s, i);
            *rest = gs(raw.s + i + 1, raw.n - i - 1);
        }
        return true;
    }
    return true;
}

static size_t count_byte(rego_gostr s, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < s.n; i++)
        k += s.s[i] == c;
    return k;
}

/* Go's parse(rawURL, viaRequest=false). */
static bool parse_main(rp_arena *a, rego_gostr raw, rego_gourl *u, char *msg, size_t cap)
{
    for (size_t i = 0; i < raw.n; i++)
        if ((unsigned char)raw.s[i] < 0x20 || raw.s[i] == 0x7f) {
            snprintf(msg, cap, "net/url: invalid control character in URL");
            return false;
        }
    if (raw.n == 1 && raw.s[0] == '*') {
        u->path = raw;
        return true;
    }
    rego_gostr scheme, rest;
    if (!get_scheme(raw, &scheme, &rest, msg, cap))
        return false;
    char *sc = rp_arena_strndup(a, scheme.s ? scheme.s : "", scheme.n);
    for (size_t i = 0; sc && i < scheme.n; i++)
        if (sc[i] >= 'A' && sc[i] <= 'Z')
            sc[i] = (char)(sc[i] - 'A' + 'a');
    u->scheme = gs(sc ? sc : "", sc ? scheme.n : 0);

    if (rest.n && rest.s[rest.n - 1] == '?' && count_byte(rest, '?') == 1) {
        u->force_query = true;
        rest.n--;
    } else {
        const char *q = find_byte(rest, '?');
        if (q) {
            u->raw_query = gs(q + 1, rest.n - (size_t)(q - rest.s) - 1);
            rest.n = (size_t)(q - rest.s);
        }
    }
    if (!has_prefix(rest, "/")) {
        if (u->scheme.n) {
            u->opaque = rest;
            return true;
        }
        const char *slash = find_byte(rest, '/');
        rego_gostr seg = gs(rest.s, slash ? (size_t)(slash - rest.s) : rest.n);
        if (find_byte(seg, ':')) {
            snprintf(msg, cap, "first path segment in URL cannot contain colon");
            return false;
        }
    }
    if ((u->scheme.n || !has_prefix(rest, "///")) && has_prefix(rest, "//")) {
        rego_gostr auth = gs(rest.s + 2, rest.n - 2);
        const char *slash = find_byte(auth, '/');
        rest = gs("", 0);
        if (slash) {
            rest = gs(slash, auth.n - (size_t)(slash - auth.s));
            auth.n = (size_t)(slash - auth.s);
        }
        if (!parse_authority(a, auth, u, msg, cap))
            return false;
    } else if (u->scheme.n && has_prefix(rest, "/")) {
        u->omit_host = true;
    }
    return set_component(a, rest, ENC_PATH, &u->path, &u->raw_path, msg, cap);
}

static void url_error(char *msg, size_t cap, rego_gostr url, const char *inner)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "parse ");
    rego_go_quote(&b, url.s, url.n);
    rp_buf_printf(&b, ": %s", inner);
    snprintf(msg, cap, "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
}

bool rego_gourl_parse(rp_arena *a, const char *s, size_t n, rego_gourl *u, char *msg, size_t cap)
{
    char inner[256];
    memset(u, 0, sizeof(*u));
    rego_gostr raw = gs(s ? s : "", n);
    const char *hash = find_byte(raw, '#');
    rego_gostr head = hash ? gs(raw.s, (size_t)(hash - raw.s)) : raw;
    if (!parse_main(a, head, u, inner, sizeof(inner))) {
        url_error(msg, cap, head, inner);
        return false;
    }
    if (!hash || hash + 1 == raw.s + raw.n)
        return true;
    rego_gostr frag = gs(hash + 1, raw.n - head.n - 1);
    if (!set_component(a, frag, ENC_FRAGMENT, &u->fragment, &u->raw_fragment, inner,
                       sizeof(inner))) {
        url_error(msg, cap, raw, inner);
        return false;
    }
    return true;
}

/* ---- writing ----------------------------------------------------------------- */

void rego_gourl_string(const rego_gourl *u, rp_buf *b)
{
    size_t start = b->len;
    if (u->scheme.n) {
        rp_buf_append(b, u->scheme.s, u->scheme.n);
        rp_buf_putc(b, ':');
    }
    if (u->opaque.n) {
        rp_buf_append(b, u->opaque.s, u->opaque.n);
    } else {
        if ((u->scheme.n || u->host.n || u->has_user) &&
            !(u->omit_host && !u->host.n && !u->has_user)) {
            if (u->host.n || u->path.n || u->has_user)
                rp_buf_puts(b, "//");
            if (u->has_user) {
                escape(b, u->user, ENC_USER_PASSWORD);
                if (u->has_pass) {
                    rp_buf_putc(b, ':');
                    escape(b, u->pass, ENC_USER_PASSWORD);
                }
                rp_buf_putc(b, '@');
            }
            escape(b, u->host, ENC_HOST);
        }
        rp_buf path;
        rp_buf_init(&path);
        rego_gourl_escaped_path(u, &path);
        if (path.len && path.data[0] != '/' && u->host.n)
            rp_buf_putc(b, '/');
        if (b->len == start && path.len) {
            /* RFC 3986 §4.2: "./" keeps a colon in the first segment from
             * reading as a scheme. */
            rego_gostr p = gs(path.data, path.len);
            const char *slash = find_byte(p, '/');
            if (find_byte(gs(p.s, slash ? (size_t)(slash - p.s) : p.n), ':'))
                rp_buf_puts(b, "./");
        }
        rp_buf_append(b, path.data ? path.data : "", path.len);
        b->failed |= path.failed;
        rp_buf_free(&path);
    }
    if (u->force_query || u->raw_query.n) {
        rp_buf_putc(b, '?');
        rp_buf_append(b, u->raw_query.s, u->raw_query.n);
    }
    if (u->fragment.n) {
        rp_buf_putc(b, '#');
        rego_gourl_escaped_fragment(u, b);
    }
}

/* Go's resolvePath: merges base and ref paths and removes dot segments. */
static rego_gostr resolve_path(rp_arena *a, rego_gostr base, rego_gostr ref)
{
    rp_buf full;
    rp_buf_init(&full);
    if (ref.n == 0) {
        rp_buf_append(&full, base.s, base.n);
    } else if (ref.s[0] != '/') {
        const char *slash = find_last(base, '/');
        if (slash)
            rp_buf_append(&full, base.s, (size_t)(slash - base.s) + 1);
        rp_buf_append(&full, ref.s, ref.n);
    } else {
        rp_buf_append(&full, ref.s, ref.n);
    }
    if (full.len == 0 || full.failed) {
        rp_buf_free(&full);
        return gs("", 0);
    }
    rp_buf dst;
    rp_buf_init(&dst);
    rp_buf_putc(&dst, '/');
    bool first = true, found = true;
    rego_gostr remaining = gs(full.data, full.len), elem = gs("", 0);
    while (found) {
        const char *slash = find_byte(remaining, '/');
        found = slash != NULL;
        elem = gs(remaining.s, found ? (size_t)(slash - remaining.s) : remaining.n);
        remaining = found ? gs(slash + 1, remaining.n - elem.n - 1) : gs("", 0);
        if (elem.n == 1 && elem.s[0] == '.') {
            first = false;
            continue;
        }
        if (elem.n == 2 && elem.s[0] == '.' && elem.s[1] == '.') {
            /* Drop the last segment written (after the leading '/'). */
            size_t k = dst.len;
            while (k > 1 && dst.data[k - 1] != '/')
                k--;
            if (k <= 1) {
                dst.len = 1;
                first = true;
            } else {
                dst.len = k - 1;
            }
            continue;
        }
        if (!first)
            rp_buf_putc(&dst, '/');
        rp_buf_append(&dst, elem.s, elem.n);
        first = false;
    }
    if ((elem.n == 1 && elem.s[0] == '.') || (elem.n == 2 && elem.s[0] == '.' && elem.s[1] == '.'))
        rp_buf_putc(&dst, '/');
    rp_buf_free(&full);
    rego_gostr r = gs(dst.data ? dst.data : "", dst.failed ? 0 : dst.len);
    if (r.n > 1 && r.s[1] == '/') {
        r.s++;
        r.n--;
    }
    r = gs_dup(a, r.s, r.n);
    rp_buf_free(&dst);
    return r;
}

/* Go's setPath, ignoring errors (ResolveReference hands it escaped paths). */
static void set_path_quiet(rp_arena *a, rego_gourl *u, rego_gostr p)
{
    char msg[8];
    if (!set_component(a, p, ENC_PATH, &u->path, &u->raw_path, msg, sizeof(msg))) {
        u->path = gs("", 0);
        u->raw_path = gs("", 0);
    }
}

static rego_gostr escaped_path_str(rp_arena *a, const rego_gourl *u)
{
    rp_buf b;
    rp_buf_init(&b);
    rego_gourl_escaped_path(u, &b);
    return gs_buf(a, &b);
}

void rego_gourl_resolve(rp_arena *a, const rego_gourl *base, const rego_gourl *ref,
                        rego_gourl *out)
{
    *out = *ref;
    if (!ref->scheme.n)
        out->scheme = base->scheme;
    if (ref->scheme.n || ref->host.n || ref->has_user) {
        set_path_quiet(a, out, resolve_path(a, escaped_path_str(a, ref), gs("", 0)));
        return;
    }
    if (ref->opaque.n) {
        out->has_user = out->has_pass = false;
        out->host = out->path = out->raw_path = gs("", 0);
        return;
    }
    if (!ref->path.n && !ref->force_query && !ref->raw_query.n) {
        out->raw_query = base->raw_query;
        if (!ref->fragment.n) {
            out->fragment = base->fragment;
            out->raw_fragment = base->raw_fragment;
        }
    }
    if (!ref->path.n && base->opaque.n) {
        out->opaque = base->opaque;
        out->has_user = out->has_pass = false;
        out->host = out->path = out->raw_path = gs("", 0);
        return;
    }
    out->host = base->host;
    out->has_user = base->has_user;
    out->has_pass = base->has_pass;
    out->user = base->user;
    out->pass = base->pass;
    set_path_quiet(a, out, resolve_path(a, escaped_path_str(a, base), escaped_path_str(a, ref)));
}

/* Go's splitHostPort on u.Host (port only when it is ":digits"). */
static void split_host_port(const rego_gourl *u, rego_gostr *host, rego_gostr *port)
{
    *host = u->host;
    *port = gs("", 0);
    const char *colon = find_last(u->host, ':');
    if (colon) {
        rego_gostr cp = gs(colon, u->host.n - (size_t)(colon - u->host.s));
        if (valid_optional_port(cp)) {
            *host = gs(u->host.s, (size_t)(colon - u->host.s));
            *port = gs(colon + 1, cp.n - 1);
        }
    }
    if (host->n >= 2 && host->s[0] == '[' && host->s[host->n - 1] == ']') {
        host->s++;
        host->n -= 2;
    }
}

rego_gostr rego_gourl_hostname(const rego_gourl *u)
{
    rego_gostr h, p;
    split_host_port(u, &h, &p);
    return h;
}

rego_gostr rego_gourl_port(const rego_gourl *u)
{
    rego_gostr h, p;
    split_host_port(u, &h, &p);
    return p;
}
