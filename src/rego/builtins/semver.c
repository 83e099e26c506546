/*
 * semver.c — the builtin group "semver": semver.is_valid and
 * semver.compare, as OPA's internal/semver package parses and orders
 * versions:
 *
 *   - an optional leading "v" is dropped; "+metadata" is cut at the first
 *     '+', then "-prerelease" at the first '-' of what is left; both must be
 *     dot-separated runs of [0-9A-Za-z-];
 *   - the rest must hold exactly two dots around three int64 decimals
 *     (leading zeros allowed, as strconv.ParseInt allows them);
 *   - precedence: major, minor, patch, then a release above any
 *     pre-release, then pre-release identifiers left to right (numeric ones
 *     below alphanumeric ones, numbers by value saturating at int64 as Atoi
 *     does, others bytewise), a longer list above its prefix.
 *
 * Known divergence: OPA's comparison loops forever when two different
 * pre-releases are equal identifier by identifier (e.g. "1.0.0-01" and
 * "1.0.0-1": numerically equal); here they compare equal (0).
 *
 * Errors quote the operand as Go's strconv.Quote does (OPA formats the
 * ast.String with %s).  No global state.
 */
#include <stdint.h>
#include <string.h>

#include "../builtin.h"

typedef struct {
    int64_t major, minor, patch;
    const char *pre; /* pre-release, without '-'; NULL when none */
    size_t pre_n;
} semver;

static bool ident_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* ^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$ */
static bool valid_idents(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (i == 0 || i == n - 1 || s[i - 1] == '.')
                return false;
        } else if (!ident_char(s[i])) {
            return false;
        }
    }
    return true;
}

/* strconv.ParseInt(s, 10, 64): optional sign, at least one digit. */
static bool parse_i64(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++, n--;
    }
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > (uint64_t)INT64_MAX + neg)
            return false;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool semver_parse(const char *s, size_t n, semver *v)
{
    if (n > 0 && s[0] == 'v')
        s++, n--;
    const char *plus = memchr(s, '+', n);
    if (plus) {
        size_t mn = n - (size_t)(plus - s) - 1;
        if (mn > 0 && !valid_idents(plus + 1, mn))
            return false;
        n = (size_t)(plus - s);
    }
    const char *dash = memchr(s, '-', n);
    v->pre = NULL;
    v->pre_n = 0;
    if (dash) {
        size_t pn = n - (size_t)(dash - s) - 1;
        if (pn > 0) {
            if (!valid_idents(dash + 1, pn))
                return false;
            v->pre = dash + 1;
            v->pre_n = pn;
        }
        n = (size_t)(dash - s);
    }
    const char *d1 = memchr(s, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - s)) : NULL;
    if (!d2 || memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - s)))
        return false;
    return parse_i64(s, (size_t)(d1 - s), &v->major) &&
           parse_i64(d1 + 1, (size_t)(d2 - d1 - 1), &v->minor) &&
           parse_i64(d2 + 1, n - (size_t)(d2 + 1 - s), &v->patch);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* strconv.Atoi of a digit string, saturating at int64 as ParseInt does. */
static int64_t atoi_sat(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > INT64_MAX)
            return INT64_MAX;
    }
    return (int64_t)v;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

/* One dot-separated identifier of a pre-release at *pos. */
static void next_ident(const char *s, size_t n, size_t *pos, const char **id, size_t *len)
{
    *id = s + *pos;
    const char *dot = memchr(*id, '.', n - *pos);
    *len = dot ? (size_t)(dot - *id) : n - *pos;
    *pos += *len + (dot != NULL);
}

static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
    bool ai = all_digits(a, an), bi = all_digits(b, bn);
    if (ai != bi)
        return ai ? -1 : 1;
    if (ai)
        return cmp_i64(atoi_sat(a, an), atoi_sat(b, bn));
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? (c > 0) - (c < 0) : cmp_i64((int64_t)an, (int64_t)bn);
}

static int cmp_pre(const semver *x, const semver *y)
{
    if (x->pre_n == y->pre_n && (x->pre_n == 0 || memcmp(x->pre, y->pre, x->pre_n) == 0))
        return 0;
    if (x->pre_n == 0 || y->pre_n == 0)
        return x->pre_n == 0 ? 1 : -1;
    size_t pa = 0, pb = 0;
    while (pa < x->pre_n || pb < y->pre_n) {
        if (pa >= x->pre_n || pb >= y->pre_n)
            return pa >= x->pre_n ? -1 : 1;
        const char *a, *b;
        size_t an, bn;
        next_ident(x->pre, x->pre_n, &pa, &a, &an);
        next_ident(y->pre, y->pre_n, &pb, &b, &bn);
        int c = cmp_ident(a, an, b, bn);
        if (c)
            return c;
    }
    return 0;
}

static int semver_cmp(const semver *a, const semver *b)
{
    int c = cmp_i64(a->major, b->major);
    if (!c)
        c = cmp_i64(a->minor, b->minor);
    if (!c)
        c = cmp_i64(a->patch, b->patch);
    return c ? c : cmp_pre(a, b);
}

/* Go's strconv.Quote, with every non-ASCII rune but the C1 controls, U+00AD,
 * U+2028/9 and U+FEFF taken as printable (close to unicode.IsPrint for the
 * text versions carry). */
static void go_strconv_quote(rp_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    rp_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rp_utf8_decode(s + i, n - i, &cp);
        unsigned char c = (unsigned char)s[i];
        if (k == 0) {
            rp_buf_printf(b, "\\x%c%c", hex[c >> 4], hex[c & 15]);
            i++;
            continue;
        }
        const char *esc = NULL;
        switch (cp) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\a': esc = "\\a"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\v': esc = "\\v"; break;
        default: break;
        }
        if (esc)
            rp_buf_puts(b, esc);
        else if (cp < ' ' || cp == 0x7f)
            rp_buf_printf(b, "\\x%c%c", hex[cp >> 4], hex[cp & 15]);
        else if ((cp >= 0x80 && cp < 0xa0) || cp == 0xad || cp == 0x2028 || cp == 0x2029 ||
                 cp == 0xfeff)
            rp_buf_printf(b, "\\u%04x", (unsigned)cp);
        else
            rp_buf_append(b, s + i, k);
        i += k;
    }
    rp_buf_putc(b, '"');
}

static rp_status not_semver(rego_bctx *ctx, int pos, rego_value v)
{
    rp_buf b;
    rp_buf_init(&b);
    go_strconv_quote(&b, v.u.s, v.n);
    rp_status st = b.failed ? rego_bi_nomem(ctx)
                            : rego_bi_errorf(ctx, "operand %d: string %s is not a valid SemVer", pos,
                                             rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

static rp_status bi_semver_compare(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *a, *b;
    size_t an, bn;
    semver va, vb;
    if (!rego_bi_arg_str(ctx, args, 0, &a, &an) || !rego_bi_arg_str(ctx, args, 1, &b, &bn))
        return RP_ERR_TYPE;
    if (!semver_parse(a, an, &va))
        return not_semver(ctx, 1, args[0]);
    if (!semver_parse(b, bn, &vb))
        return not_semver(ctx, 2, args[1]);
    *out = rego_int(semver_cmp(&va, &vb));
    return RP_OK;
}

static rp_status bi_semver_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    semver v;
    *out = rego_bool(args[0].kind == REGO_STRING && semver_parse(args[0].u.s, args[0].n, &v));
    return RP_OK;
}

const rego_builtin rego_builtins_semver[] = {
    {"semver.compare", NULL, "(string, string) => number", 2, 0, bi_semver_compare},
    {"semver.is_valid", NULL, "(any) => boolean", 1, 0, bi_semver_is_valid},
    {0},
};
