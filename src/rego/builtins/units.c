/*
 * units.c — the builtin group "units": units.parse (SI and binary
 * quantities such as "500m", "1.5Gi") and units.parse_bytes ("10GB",
 * "4mib").
 *
 * Both split the text as OPA's extractNumAndUnit does: the number is the
 * leading run of digits, '.', '+', '-' and exponents (an 'e'/'E' followed by
 * a digit or sign; at most six exponent digits, else "exponent too large"),
 * the unit is the rest.  units.parse computes exactly with rationals (GMP)
 * as OPA's big.Rat does, the milli unit being the double 0.001; integral
 * results are exact integers, others OPA's 10-digit decimal text.
 * units.parse_bytes follows OPA's big.Float at 64-bit precision: the number
 * and the product are each rounded to a 64-bit mantissa (to nearest, ties to
 * even), then truncated to an integer.
 *
 * OPA's messages repeat the builtin name ("units.parse: units.parse: ...")
 * because its errors carry the name and its evaluator adds it again; so do
 * these.  Non-ASCII bytes in a unit are reported as Go's lower-casing leaves
 * them (invalid UTF-8 as U+FFFD; valid runes unchanged, where Go would also
 * lower-case non-ASCII letters).
 *
 * Bounds: exponents have at most six digits, so the largest intermediate is
 * about 10^999999 (3.3 Mbit); no global state.
 */
#include <gmp.h>
#include <string.h>

#include "../builtin.h"

#define MAX_EXPONENT_DIGITS 6 /* OPA's maxExponentDigits */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* OPA's extractNumAndUnit over s[0..n): *num_n bytes of number, then the
 * unit.  False when an exponent has too many digits. */
static bool split_num_unit(const char *s, size_t n, size_t *num_n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool numeric = is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
        if (!numeric) {
            *num_n = i;
            return true;
        }
        if (c != 'e' && c != 'E')
            continue;
        if (i == n - 1 || !(is_digit(s[i + 1]) || s[i + 1] == '+' || s[i + 1] == '-')) {
            *num_n = i;
            return true;
        }
        if (s[i + 1] == '+' || s[i + 1] == '-')
            i++;
        size_t d = 0;
        while (i + 1 + d < n && is_digit(s[i + 1 + d]))
            d++;
        if (d > MAX_EXPONENT_DIGITS)
            return false;
    }
    *num_n = n;
    return true;
}

/* big.Rat.SetString over [0-9.eE+-] text: sign, digits with at most one
 * point (at least one digit), optional exponent with sign and digits.  The
 * digits go to GMP in one piece (subquadratic for long inputs). */
static bool parse_rat(rego_bctx *ctx, const char *s, size_t n, mpq_t q)
{
    size_t i = 0, digits = 0;
    bool neg = false, point = false;
    long frac = 0, exp = 0;
    char *buf = rp_arena_alloc(ctx->arena, n + 1);
    if (!buf)
        return false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (; i < n && (is_digit(s[i]) || (s[i] == '.' && !point)); i++) {
        if (s[i] == '.') {
            point = true;
            continue;
        }
        buf[digits++] = s[i];
        frac += point;
    }
    buf[digits] = 0;
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        size_t ed = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n && is_digit(s[i]) && ed < 18; i++, ed++)
            exp = exp * 10 + (s[i] - '0');
        if (ed == 0)
            return false;
        exp = eneg ? -exp : exp;
    }
    if (i != n)
        return false;
    mpz_t p;
    mpz_init(p);
    exp -= frac;
    mpz_ui_pow_ui(p, 10, (unsigned long)(exp < 0 ? -exp : exp));
    mpz_set_str(mpq_numref(q), buf, 10);
    mpz_set_ui(mpq_denref(q), 1);
    if (exp >= 0) {
        mpz_mul(mpq_numref(q), mpq_numref(q), p);
    } else {
        mpz_set(mpq_denref(q), p);
        mpq_canonicalize(q);
    }
    if (neg)
        mpq_neg(q, q);
    mpz_clear(p);
    return true;
}

/* Go's strings.ToLower as far as error texts need it: ASCII letters
 * lowered, invalid UTF-8 as U+FFFD (only when the text is not all ASCII),
 * other runes unchanged (Go would lower non-ASCII letters too). */
static void put_go_lower(rp_buf *b, const char *s, size_t n)
{
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ascii ? 1 : rp_utf8_decode(s + i, n - i, &cp);
        char c = s[i];
        if (k == 0) {
            rp_buf_puts(b, "\xef\xbf\xbd");
            i++;
        } else if (k == 1) {
            rp_buf_putc(b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
            i++;
        } else {
            rp_buf_append(b, s + i, k);
            i += k;
        }
    }
}

/* "<name>: <name>: <what> <unit> not recognized", OPA's doubled prefix;
 * units.parse lowers all but the first byte of the unit, parse_bytes all. */
static rp_status unit_error(rego_bctx *ctx, const char *what, const char *u, size_t un,
                            bool keep_first)
{
    rp_buf b;
    rp_buf_init(&b);
    if (keep_first && un == 1) {
        rp_buf_append(&b, u, 1);
    } else if (keep_first && un > 1) {
        rp_buf_append(&b, u, 1);
        put_go_lower(&b, u + 1, un - 1);
    } else {
        put_go_lower(&b, u, un);
    }
    rp_status st = b.failed ? rego_bi_nomem(ctx)
                            : rego_bi_errorf(ctx, "%s: %s %s not recognized", ctx->bi->name, what,
                                             rp_buf_cstr(&b));
    rp_buf_free(&b);
    return st;
}

static rp_status units_error(rego_bctx *ctx, const char *msg)
{
    return rego_bi_errorf(ctx, "%s: %s", ctx->bi->name, msg);
}

/* The input without '"' characters (OPA strips escaped quotes), lower-cased
 * in ASCII when lower is set; NULL when out of memory. */
static char *clean(rego_bctx *ctx, const char *s, size_t n, bool lower, size_t *out_n)
{
    char *c = rp_arena_alloc(ctx->arena, n + 1);
    size_t k = 0;
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '"')
            continue;
        if (lower && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        c[k++] = ch;
    }
    c[k] = 0;
    *out_n = k;
    return c;
}

/* ---- units.parse ------------------------------------------------------------------------- */

/* The multiplier of a units.parse unit (first letter as given, the rest
 * lower-cased); false when unknown. */
static bool si_unit(const char *u, size_t n, mpq_t x)
{
    static const struct { const char *name; unsigned pow; bool bin; } tab[] = {
        {"", 0, false},  {"k", 1, false},  {"K", 1, false},  {"ki", 1, true}, {"Ki", 1, true},
        {"M", 2, false}, {"mi", 2, true},  {"Mi", 2, true},  {"g", 3, false}, {"G", 3, false},
        {"gi", 3, true}, {"Gi", 3, true},  {"t", 4, false},  {"T", 4, false}, {"ti", 4, true},
        {"Ti", 4, true}, {"p", 5, false},  {"P", 5, false},  {"pi", 5, true}, {"Pi", 5, true},
        {"e", 6, false}, {"E", 6, false},  {"ei", 6, true},  {"Ei", 6, true},
    };
    char norm[3];
    if (n == 1 && u[0] == 'm') {
        mpq_set_d(x, 0.001); /* OPA's SetFloat64(0.001): the double, exactly */
        return true;
    }
    if (n > 2)
        return false;
    for (size_t i = 0; i < n; i++)
        norm[i] = i > 0 && u[i] >= 'A' && u[i] <= 'Z' ? (char)(u[i] - 'A' + 'a') : u[i];
    for (size_t i = 0; i < RP_ARRAY_LEN(tab); i++) {
        if (strlen(tab[i].name) != n || memcmp(tab[i].name, norm, n) != 0)
            continue;
        mpz_ui_pow_ui(mpq_numref(x), tab[i].bin ? 1024 : 1000, tab[i].pow);
        mpz_set_ui(mpq_denref(x), 1);
        return true;
    }
    return false;
}

/* big.Rat.FloatString(10): rounded to 10 places, halves away from zero. */
static void rat_text(rp_buf *b, const mpq_t q)
{
    mpz_t ip, r, p, r2;
    mpz_inits(ip, r, p, r2, NULL);
    mpz_tdiv_qr(ip, r, mpq_numref(q), mpq_denref(q));
    mpz_abs(ip, ip);
    mpz_abs(r, r);
    mpz_ui_pow_ui(p, 10, 10);
    mpz_mul(r, r, p);
    mpz_tdiv_qr(r, r2, r, mpq_denref(q));
    mpz_mul_2exp(r2, r2, 1);
    if (mpz_cmp(mpq_denref(q), r2) <= 0) {
        mpz_add_ui(r, r, 1);
        if (mpz_cmp(r, p) >= 0) {
            mpz_add_ui(ip, ip, 1);
            mpz_sub(r, r, p);
        }
    }
    char *is = mpz_get_str(NULL, 10, ip), *fs = mpz_get_str(NULL, 10, r);
    rp_buf_printf(b, "%s%s.", mpq_sgn(q) < 0 ? "-" : "", is);
    for (size_t k = strlen(fs); k < 10; k++)
        rp_buf_putc(b, '0');
    rp_buf_puts(b, fs);
    void (*freefn)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &freefn);
    freefn(is, strlen(is) + 1);
    freefn(fs, strlen(fs) + 1);
    mpz_clears(ip, r, p, r2, NULL);
}

static rp_status rat_result(rego_bctx *ctx, const mpq_t q, rego_value *out)
{
    if (mpz_cmp_ui(mpq_denref(q), 1) == 0) {
        *out = rego_num_from_mpz(ctx->arena, mpq_numref(q));
        return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
    }
    rp_buf b;
    rp_buf_init(&b);
    rat_text(&b, q);
    bool ok = !b.failed && rego_number_parse(ctx->arena, b.data, b.len, out);
    rp_buf_free(&b);
    return ok ? RP_OK : rego_bi_nomem(ctx);
}

static rp_status bi_units_parse(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *raw;
    size_t rn, n, nn;
    if (!rego_bi_arg_str(ctx, args, 0, &raw, &rn))
        return RP_ERR_TYPE;
    char *s = clean(ctx, raw, rn, false, &n);
    if (!s)
        return rego_bi_nomem(ctx);
    if (memchr(s, ' ', n))
        return units_error(ctx, "spaces not allowed in resource strings");
    if (!split_num_unit(s, n, &nn))
        return units_error(ctx, "exponent too large");
    if (nn == 0)
        return units_error(ctx, "no amount provided");
    mpq_t x, q;
    mpq_inits(x, q, NULL);
    rp_status st = RP_OK;
    if (!si_unit(s + nn, n - nn, x)) {
        st = unit_error(ctx, "unit", s + nn, n - nn, true);
    } else if (!parse_rat(ctx, s, nn, q)) {
        st = units_error(ctx, "could not parse amount to a number");
    } else {
        mpq_mul(q, q, x);
        st = rat_result(ctx, q, out);
    }
    mpq_clears(x, q, NULL);
    return st;
}

/* ---- units.parse_bytes ------------------------------------------------------------------- */

static bool byte_unit(const char *u, size_t n, mpz_t m)
{
    static const struct { const char *name; unsigned pow; bool bin; } tab[] = {
        {"", 0, false},   {"kb", 1, false}, {"k", 1, false},  {"kib", 1, true}, {"ki", 1, true},
        {"mb", 2, false}, {"m", 2, false},  {"mib", 2, true}, {"mi", 2, true},  {"gb", 3, false},
        {"g", 3, false},  {"gib", 3, true}, {"gi", 3, true},  {"tb", 4, false}, {"t", 4, false},
        {"tib", 4, true}, {"ti", 4, true},  {"pb", 5, false}, {"p", 5, false},  {"pib", 5, true},
        {"pi", 5, true},  {"eb", 6, false}, {"e", 6, false},  {"eib", 6, true}, {"ei", 6, true},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(tab); i++)
        if (strlen(tab[i].name) == n && memcmp(tab[i].name, u, n) == 0) {
            mpz_ui_pow_ui(m, tab[i].bin ? 1024 : 1000, tab[i].pow);
            return true;
        }
    return false;
}

/* Rounds |x| = m * 2^e (m > 0) to a 64-bit mantissa, ties to even. */
static void round64(mpz_t m, long *e)
{
    size_t bits = mpz_sizeinbase(m, 2);
    if (bits <= 64)
        return;
    size_t sh = bits - 64;
    bool half = mpz_tstbit(m, sh - 1);
    bool rest = mpz_scan1(m, 0) < sh - 1;
    mpz_tdiv_q_2exp(m, m, sh);
    *e += (long)sh;
    if (half && (rest || mpz_odd_p(m)))
        mpz_add_ui(m, m, 1);
    if (mpz_sizeinbase(m, 2) > 64) { /* carried into a new bit: a power of two */
        mpz_tdiv_q_2exp(m, m, 1);
        (*e)++;
    }
}

/* A positive rational rounded to a 64-bit binary mantissa: m * 2^e. */
static void rat_to_bin64(const mpq_t q, mpz_t m, long *e)
{
    mpz_t num, rem;
    mpz_inits(num, rem, NULL);
    long s = 66 - ((long)mpz_sizeinbase(mpq_numref(q), 2) - (long)mpz_sizeinbase(mpq_denref(q), 2));
    if (s >= 0)
        mpz_mul_2exp(num, mpq_numref(q), (mp_bitcnt_t)s);
    else
        mpz_tdiv_q_2exp(num, mpq_numref(q), (mp_bitcnt_t)-s); /* only drops bits below 64 */
    mpz_tdiv_qr(m, rem, num, mpq_denref(q));
    /* m has at least 65 bits; a non-zero remainder is a sticky bit below */
    *e = -s;
    bool sticky = mpz_sgn(rem) != 0 || (s < 0 && mpz_scan1(mpq_numref(q), 0) < (mp_bitcnt_t)-s);
    if (sticky) { /* append a 1 bit below everything so ties break upwards */
        mpz_mul_2exp(m, m, 1);
        mpz_add_ui(m, m, 1);
        (*e)--;
    }
    round64(m, e);
    mpz_clears(num, rem, NULL);
}

static rp_status bi_units_parse_bytes(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *raw;
    size_t rn, n, nn;
    if (!rego_bi_arg_str(ctx, args, 0, &raw, &rn))
        return RP_ERR_TYPE;
    char *s = clean(ctx, raw, rn, true, &n);
    if (!s)
        return rego_bi_nomem(ctx);
    if (memchr(s, ' ', n))
        return units_error(ctx, "spaces not allowed in resource strings");
    if (!split_num_unit(s, n, &nn))
        return units_error(ctx, "exponent too large");
    if (nn == 0)
        return units_error(ctx, "no byte amount provided");
    mpz_t mult, m;
    mpq_t q;
    mpz_inits(mult, m, NULL);
    mpq_init(q);
    rp_status st = RP_OK;
    if (!byte_unit(s + nn, n - nn, mult)) {
        st = unit_error(ctx, "byte unit", s + nn, n - nn, false);
    } else if (!parse_rat(ctx, s, nn, q)) {
        st = units_error(ctx, "could not parse byte amount to a number");
    } else if (mpq_sgn(q) == 0) {
        *out = rego_int(0);
    } else {
        bool neg = mpq_sgn(q) < 0;
        long e;
        mpq_abs(q, q);
        rat_to_bin64(q, m, &e);
        mpz_mul(m, m, mult);
        round64(m, &e);
        if (e >= 0)
            mpz_mul_2exp(m, m, (mp_bitcnt_t)e);
        else
            mpz_tdiv_q_2exp(m, m, (mp_bitcnt_t)-e);
        if (neg)
            mpz_neg(m, m);
        *out = rego_num_from_mpz(ctx->arena, m);
        if (out->kind == REGO_UNDEF)
            st = rego_bi_nomem(ctx);
    }
    mpz_clears(mult, m, NULL);
    mpq_clear(q);
    return st;
}

const rego_builtin rego_builtins_units[] = {
    {"units.parse", NULL, "(string) => number", 1, 0, bi_units_parse},
    {"units.parse_bytes", NULL, "(string) => number", 1, 0, bi_units_parse_bytes},
    {0},
};
