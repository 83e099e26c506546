/*
 * value.c — construction, order, hashing, lookup, builders, arithmetic and
 * printing of Rego values.
 *
 * Invariants: object entries and set items are sorted by rego_compare with no
 * duplicates; collections with more than REGO_INDEX_MIN elements carry an
 * open-addressing hash index (slot = element index + 1, 0 = empty).  Big
 * integers are only used outside the int64 range.  No mutable globals.
 */
#include "value.h"

#include <float.h>
#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

#define REGO_INDEX_MIN 8

struct rego_big {
    int32_t size;     /* GMP convention: sign is the sign of the number, |size| limbs */
    uint32_t textlen; /* length of text, 0 when there is none */
    const char *text; /* the literal as written ("2e308"), printed as OPA keeps it */
    mp_limb_t d[];
};

static const rego_object empty_object = {0, 0, NULL};
static const rego_set empty_set = {0, 0, NULL};

rego_value rego_empty_object(void)
{
    rego_value v = {0};
    v.kind = REGO_OBJECT;
    v.u.obj = &empty_object;
    return v;
}

rego_value rego_empty_set(void)
{
    rego_value v = {0};
    v.kind = REGO_SET;
    v.u.set = &empty_set;
    return v;
}

/* ---- strings and arrays --------------------------------------------------- */

rego_value rego_str(rp_arena *a, const char *s, size_t n)
{
    rego_value v = {0};
    if (n > UINT32_MAX)
        return v;
    char *p = rp_arena_strndup(a, s, n);
    if (!p)
        return v;
    v.kind = REGO_STRING;
    v.n = (uint32_t)n;
    v.u.s = p;
    return v;
}

rego_value rego_cstr(rp_arena *a, const char *s) { return rego_str(a, s, strlen(s)); }

rego_value rego_str_borrow(const char *s, size_t n)
{
    rego_value v = {0};
    if (n > UINT32_MAX)
        return v;
    v.kind = REGO_STRING;
    v.n = (uint32_t)n;
    v.u.s = s;
    return v;
}

char *rego_str_alloc(rp_arena *a, size_t n, rego_value *out)
{
    *out = rego_undef();
    if (n >= UINT32_MAX)
        return NULL;
    char *p = rp_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    p[n] = 0;
    out->kind = REGO_STRING;
    out->n = (uint32_t)n;
    out->u.s = p;
    return p;
}

rego_value *rego_array_alloc(rp_arena *a, size_t n, rego_value *out)
{
    *out = rego_undef();
    if (n > UINT32_MAX)
        return NULL;
    rego_value *items = rp_arena_array(a, n ? n : 1, sizeof(rego_value));
    if (!items)
        return NULL;
    out->kind = REGO_ARRAY;
    out->n = (uint32_t)n;
    out->u.items = items;
    return items;
}

rego_value rego_array_borrow(const rego_value *items, size_t n)
{
    rego_value v = {0};
    if (n > UINT32_MAX)
        return v;
    v.kind = REGO_ARRAY;
    v.n = (uint32_t)n;
    v.u.items = items;
    return v;
}

const char *rego_kind_name(rego_kind k)
{
    switch (k) {
    case REGO_UNDEF: return "undefined";
    case REGO_NULL: return "null";
    case REGO_BOOL: return "boolean";
    case REGO_NUMBER: return "number";
    case REGO_STRING: return "string";
    case REGO_ARRAY: return "array";
    case REGO_OBJECT: return "object";
    case REGO_SET: return "set";
    }
    return "unknown";
}

/* ---- big integers --------------------------------------------------------- */

static void big_view(const rego_big *b, mpz_t z)
{
    mpz_roinit_n(z, b->d, b->size);
}

rego_value rego_num_from_mpz(rp_arena *a, const void *zp)
{
    const mpz_srcptr z = zp;
    if (mpz_fits_slong_p(z))
        return rego_int((int64_t)mpz_get_si(z));
    size_t limbs = mpz_size(z);
    rego_value v = {0};
    if (limbs > INT32_MAX / 2)
        return v;
    rego_big *b = rp_arena_alloc(a, sizeof(rego_big) + limbs * sizeof(mp_limb_t));
    if (!b)
        return v;
    for (size_t i = 0; i < limbs; i++)
        b->d[i] = mpz_getlimbn(z, (mp_size_t)i);
    b->size = mpz_sgn(z) < 0 ? -(int32_t)limbs : (int32_t)limbs;
    b->textlen = 0;
    b->text = NULL;
    v.kind = REGO_NUMBER;
    v.sub = REGO_NUM_BIG;
    v.u.big = b;
    return v;
}

/* The exact value of an integral long double (64-bit mantissa times 2^e). */
static void ext_to_mpz(long double r, mpz_ptr z)
{
    int e;
    long double m = frexpl(fabsl(r), &e); /* |r| = m * 2^e, m in [0.5, 1) */
    uint64_t mant = (uint64_t)ldexpl(m, 64);
    mpz_import(z, 1, -1, sizeof(mant), 0, 0, &mant);
    if (e >= 64)
        mpz_mul_2exp(z, z, (mp_bitcnt_t)(e - 64));
    else
        mpz_tdiv_q_2exp(z, z, (mp_bitcnt_t)(64 - e)); /* exact: r is integral */
    if (r < 0)
        mpz_neg(z, z);
}

bool rego_num_to_mpz(rego_value v, void *zp)
{
    mpz_ptr z = zp;
    if (v.kind != REGO_NUMBER)
        return false;
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT:
        mpz_set_si(z, (long)v.u.i);
        return true;
    case REGO_NUM_BIG: {
        mpz_t r;
        big_view(v.u.big, r);
        mpz_set(z, r);
        return true;
    }
    case REGO_NUM_FLOAT:
        if (!isfinite(v.u.f) || floor(v.u.f) != v.u.f)
            return false;
        if (fabs(v.u.f) < 0x1p53) {
            mpz_set_d(z, v.u.f);
            return true;
        }
        /* OPA takes the integer from the number's text read at 64 bits:
         * "1e300" is 10^300 rounded to 64 bits, not to a double's 53. */
        ext_to_mpz(rego_num_to_ext(v), z);
        return true;
    }
    return false;
}

/* ---- number parsing ------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool rego_number_parse(rp_arena *a, const char *s, size_t n, rego_value *out)
{
    size_t i = 0;
    bool neg = false, frac = false;
    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    size_t int_start = i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == int_start)
        return false;
    size_t int_end = i;
    if (i < n && s[i] == '.') {
        frac = true;
        i++;
        size_t fs = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == fs)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        frac = true;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t es = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == es)
            return false;
    }
    if (i != n)
        return false;
    char small[64];
    char *buf = small;
    if (n + 1 > sizeof(small)) {
        buf = malloc(n + 1);
        if (!buf)
            return false;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    bool ok = true;
    if (!frac) {
        /* Integers: int64 when it fits, else GMP. */
        size_t digits = int_end - int_start;
        if (digits <= 18) {
            int64_t v = 0;
            for (size_t k = int_start; k < int_end; k++)
                v = v * 10 + (s[k] - '0');
            *out = rego_int(neg ? -v : v);
        } else {
            mpz_t z;
            mpz_init(z);
            if (mpz_set_str(z, buf, 10) != 0)
                ok = false;
            else
                *out = rego_num_from_mpz(a, z);
            mpz_clear(z);
            if (ok && out->kind == REGO_UNDEF)
                ok = false;
        }
    } else {
        char *end;
        double d = strtod(buf, &end);
        if (!isfinite(d))
            ok = false;
        else
            *out = rego_float(d);
    }
    if (buf != small)
        free(buf);
    return ok;
}

rego_numsize rego_number_size(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    while (i < n && s[i] != 'e' && s[i] != 'E') {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        i++;
    }
    uint64_t exp = 0;
    if (i < n) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && exp <= INT32_MAX; i++)
            exp = exp * 10 + (uint64_t)(s[i] - '0');
    }
    if (exp > INT32_MAX)
        return REGO_NUM_INVALID;
    return digits > 30103 || exp > 30103 + (uint64_t)digits ? REGO_NUM_TOO_BIG : REGO_NUM_OK;
}

static bool is_digit_char(char c) { return c >= '0' && c <= '9'; }

bool rego_number_parse_big(rp_arena *a, const char *s, size_t n, rego_value *out)
{
    if (rego_number_size(s, n) != REGO_NUM_OK)
        return false; /* bounds the expansion below */
    size_t i = 0, il = 0, fl = 0;
    bool neg = n && s[0] == '-';
    i += neg;
    const char *ip = s + i;
    for (; i < n && is_digit_char(s[i]); i++)
        il++;
    const char *fp = s + i;
    if (i < n && s[i] == '.') {
        fp = s + ++i;
        for (; i < n && is_digit_char(s[i]); i++)
            fl++;
    }
    if (i >= n || (s[i] != 'e' && s[i] != 'E'))
        return false;
    i++;
    if (i < n && s[i] == '-')
        return false;
    if (i < n && s[i] == '+')
        i++;
    size_t e = 0;
    for (; i < n && e < 1000000; i++)
        e = e * 10 + (size_t)(s[i] - '0');
    if (e < fl)
        return false;
    char *buf = rp_arena_alloc(a, 1 + il + e + 1);
    if (!buf)
        return false;
    size_t k = 0;
    if (neg)
        buf[k++] = '-';
    size_t start = k;
    for (size_t j = 0; j < il; j++)
        if (k > start || ip[j] != '0')
            buf[k++] = ip[j];
    for (size_t j = 0; j < fl; j++)
        if (k > start || fp[j] != '0')
            buf[k++] = fp[j];
    if (k == start)
        buf[k++] = '0';
    else
        for (size_t j = fl; j < e; j++)
            buf[k++] = '0';
    if (!rego_number_parse(a, buf, k, out))
        return false;
    *out = rego_num_with_text(a, *out, s, n);
    return out->kind != REGO_UNDEF;
}


rego_value rego_num_with_text(rp_arena *a, rego_value v, const char *text, size_t n)
{
    if (v.kind != REGO_NUMBER || v.sub != REGO_NUM_BIG || n == 0 || n > UINT32_MAX)
        return v;
    size_t limbs = (size_t)(v.u.big->size < 0 ? -v.u.big->size : v.u.big->size);
    rego_big *b = rp_arena_alloc(a, sizeof(rego_big) + limbs * sizeof(mp_limb_t));
    char *t = rp_arena_strndup(a, text, n);
    if (!b || !t)
        return rego_undef();
    memcpy(b, v.u.big, sizeof(rego_big) + limbs * sizeof(mp_limb_t));
    b->text = t;
    b->textlen = (uint32_t)n;
    v.u.big = b;
    return v;
}

const char *rego_num_text(rego_value v, size_t *n)
{
    if (v.kind != REGO_NUMBER || v.sub != REGO_NUM_BIG || !v.u.big->text)
        return NULL;
    *n = v.u.big->textlen;
    return v.u.big->text;
}

/* ---- numbers -------------------------------------------------------------- */

bool rego_num_to_i64(rego_value v, int64_t *out)
{
    if (v.kind != REGO_NUMBER)
        return false;
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT:
        *out = v.u.i;
        return true;
    case REGO_NUM_FLOAT:
        if (!(v.u.f >= -9223372036854775808.0 && v.u.f < 9223372036854775808.0))
            return false;
        if (floor(v.u.f) != v.u.f)
            return false;
        *out = (int64_t)v.u.f;
        return true;
    case REGO_NUM_BIG:
        return false; /* bigs are outside int64 by construction */
    }
    return false;
}

bool rego_num_is_int(rego_value v)
{
    if (v.kind != REGO_NUMBER)
        return false;
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT:
    case REGO_NUM_BIG: return true;
    case REGO_NUM_FLOAT: return isfinite(v.u.f) && floor(v.u.f) == v.u.f;
    }
    return false;
}

double rego_num_to_double(rego_value v)
{
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT: return (double)v.u.i;
    case REGO_NUM_FLOAT: return v.u.f;
    case REGO_NUM_BIG: {
        mpz_t z;
        big_view(v.u.big, z);
        return mpz_get_d(z);
    }
    }
    return 0;
}

rego_value rego_num_normalize(rego_value v)
{
    int64_t i;
    if (v.kind == REGO_NUMBER && v.sub == REGO_NUM_FLOAT && rego_num_to_i64(v, &i))
        return rego_int(i);
    return v;
}

static int cmp_num(rego_value a, rego_value b)
{
    if (a.sub == REGO_NUM_INT && b.sub == REGO_NUM_INT)
        return (a.u.i > b.u.i) - (a.u.i < b.u.i);
    if (a.sub != REGO_NUM_BIG && b.sub != REGO_NUM_BIG) {
        /* int64 and double both convert exactly to x87 long double (64-bit
         * mantissa), so this comparison is exact. */
        long double x = a.sub == REGO_NUM_INT ? (long double)a.u.i : (long double)a.u.f;
        long double y = b.sub == REGO_NUM_INT ? (long double)b.u.i : (long double)b.u.f;
        return (x > y) - (x < y);
    }
    if (a.sub == REGO_NUM_BIG && b.sub == REGO_NUM_BIG) {
        mpz_t x, y;
        big_view(a.u.big, x);
        big_view(b.u.big, y);
        int c = mpz_cmp(x, y);
        return (c > 0) - (c < 0);
    }
    /* one big, one int64/double */
    bool swap = a.sub != REGO_NUM_BIG;
    rego_value big = swap ? b : a, other = swap ? a : b;
    mpz_t x;
    big_view(big.u.big, x);
    int c = other.sub == REGO_NUM_INT ? mpz_cmp_si(x, (long)other.u.i) : mpz_cmp_d(x, other.u.f);
    c = (c > 0) - (c < 0);
    return swap ? -c : c;
}

/* ---- compare -------------------------------------------------------------- */

static int cmp_depth(rego_value a, rego_value b, int depth);

static int cmp_str(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

static int cmp_depth(rego_value a, rego_value b, int depth)
{
    if (a.kind != b.kind)
        return a.kind < b.kind ? -1 : 1;
    if (depth > REGO_VALUE_MAX_DEPTH)
        return 0;
    switch ((rego_kind)a.kind) {
    case REGO_UNDEF:
    case REGO_NULL: return 0;
    case REGO_BOOL: return (a.u.b > b.u.b) - (a.u.b < b.u.b);
    case REGO_NUMBER: return cmp_num(a, b);
    case REGO_STRING: return cmp_str(a.u.s, a.n, b.u.s, b.n);
    case REGO_ARRAY: {
        size_t m = a.n < b.n ? a.n : b.n;
        for (size_t i = 0; i < m; i++) {
            int c = cmp_depth(a.u.items[i], b.u.items[i], depth + 1);
            if (c)
                return c;
        }
        return (a.n > b.n) - (a.n < b.n);
    }
    case REGO_OBJECT: {
        const rego_object *x = a.u.obj, *y = b.u.obj;
        size_t m = x->n < y->n ? x->n : y->n;
        for (size_t i = 0; i < m; i++) {
            int c = cmp_depth(x->ents[i].key, y->ents[i].key, depth + 1);
            if (c)
                return c;
            c = cmp_depth(x->ents[i].val, y->ents[i].val, depth + 1);
            if (c)
                return c;
        }
        return (x->n > y->n) - (x->n < y->n);
    }
    case REGO_SET: {
        const rego_set *x = a.u.set, *y = b.u.set;
        size_t m = x->n < y->n ? x->n : y->n;
        for (size_t i = 0; i < m; i++) {
            int c = cmp_depth(x->items[i], y->items[i], depth + 1);
            if (c)
                return c;
        }
        return (x->n > y->n) - (x->n < y->n);
    }
    }
    return 0;
}

int rego_compare(rego_value a, rego_value b) { return cmp_depth(a, b, 0); }

bool rego_equal(rego_value a, rego_value b)
{
    if (a.kind != b.kind)
        return false;
    switch ((rego_kind)a.kind) {
    case REGO_STRING:
        return a.n == b.n && (a.u.s == b.u.s || memcmp(a.u.s, b.u.s, a.n) == 0);
    case REGO_NUMBER:
        if (a.sub == REGO_NUM_INT && b.sub == REGO_NUM_INT)
            return a.u.i == b.u.i;
        return cmp_num(a, b) == 0;
    case REGO_BOOL: return a.u.b == b.u.b;
    case REGO_UNDEF:
    case REGO_NULL: return true;
    case REGO_ARRAY:
        if (a.n != b.n)
            return false;
        if (a.u.items == b.u.items)
            return true;
        for (size_t i = 0; i < a.n; i++)
            if (!rego_equal(a.u.items[i], b.u.items[i]))
                return false;
        return true;
    case REGO_OBJECT:
        if (a.u.obj->n != b.u.obj->n)
            return false;
        return a.u.obj == b.u.obj || cmp_depth(a, b, 0) == 0;
    case REGO_SET:
        if (a.u.set->n != b.u.set->n)
            return false;
        return a.u.set == b.u.set || cmp_depth(a, b, 0) == 0;
    }
    return false;
}

/* ---- hashing -------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* 64x64 -> 128-bit multiply, folded: the mixing step of the "mum" family of
 * hashes (one multiply per 16 bytes instead of two per 8). */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b; /* GCC/Clang extension: one MUL */
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

uint64_t rego_hash_str(const char *s, size_t n)
{
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL, k2 = 0x8ebc6af09c88c6e3ULL;
    uint64_t h = k0 ^ (n * k1);
    size_t i = 0;
    while (n - i >= 16) {
        h = mum(rd64(s + i) ^ k1, rd64(s + i + 8) ^ h);
        i += 16;
    }
    uint64_t a = 0, b = 0;
    size_t rest = n - i;
    if (rest >= 8) {
        a = rd64(s + i);
        b = rd64(s + n - 8); /* overlapping tail read stays in bounds */
    } else if (rest > 0) {
        char tmp[8] = {0};
        memcpy(tmp, s + i, rest);
        a = rd64(tmp);
    }
    return mum(mum(a ^ k2, b ^ h) ^ k0, n ^ k1);
}

static uint64_t hash_num(rego_value v)
{
    int64_t i;
    if (rego_num_to_i64(v, &i))
        return mix64((uint64_t)i ^ 0x1234567ULL);
    double d = rego_num_to_double(v);
    uint64_t bits;
    if (d == 0)
        d = 0; /* -0.0 and 0.0 hash alike */
    memcpy(&bits, &d, 8);
    return mix64(bits ^ 0x7654321ULL);
}

static uint64_t hash_depth(rego_value v, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH)
        return 0;
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF: return 0;
    case REGO_NULL: return 0x6e756c6cULL;
    case REGO_BOOL: return v.u.b ? 0x74727565ULL : 0x66616c73ULL;
    case REGO_NUMBER: return hash_num(v);
    case REGO_STRING: return rego_hash_str(v.u.s, v.n);
    case REGO_ARRAY: {
        uint64_t h = 0xa77a7ULL + v.n;
        for (size_t i = 0; i < v.n; i++)
            h = mix64(h * 31 + hash_depth(v.u.items[i], depth + 1));
        return h;
    }
    case REGO_OBJECT: {
        uint64_t h = 0x0b1ec7ULL + v.u.obj->n;
        for (size_t i = 0; i < v.u.obj->n; i++) {
            h = mix64(h * 31 + hash_depth(v.u.obj->ents[i].key, depth + 1));
            h = mix64(h * 31 + hash_depth(v.u.obj->ents[i].val, depth + 1));
        }
        return h;
    }
    case REGO_SET: {
        uint64_t h = 0x5e7ULL + v.u.set->n;
        for (size_t i = 0; i < v.u.set->n; i++)
            h = mix64(h * 31 + hash_depth(v.u.set->items[i], depth + 1));
        return h;
    }
    }
    return 0;
}

uint64_t rego_hash(rego_value v) { return hash_depth(v, 0); }

/* ---- lookup --------------------------------------------------------------- */

static inline bool key_is_str(rego_value k, const char *s, size_t n)
{
    return k.kind == REGO_STRING && k.n == n && memcmp(k.u.s, s, n) == 0;
}

bool rego_object_get_str(rego_value obj, const char *s, size_t n, uint64_t hash, rego_value *out)
{
    if (obj.kind != REGO_OBJECT)
        return false;
    const rego_object *o = obj.u.obj;
    if (!o->index) {
        for (uint32_t i = 0; i < o->n; i++) {
            if (key_is_str(o->ents[i].key, s, n)) {
                *out = o->ents[i].val;
                return true;
            }
        }
        return false;
    }
    for (uint32_t p = (uint32_t)hash & o->mask;; p = (p + 1) & o->mask) {
        uint32_t slot = o->index[p];
        if (!slot)
            return false;
        if (key_is_str(o->ents[slot - 1].key, s, n)) {
            *out = o->ents[slot - 1].val;
            return true;
        }
    }
}

bool rego_object_get(rego_value obj, rego_value key, rego_value *out)
{
    if (obj.kind != REGO_OBJECT)
        return false;
    if (key.kind == REGO_STRING) {
        const rego_object *o = obj.u.obj;
        uint64_t h = o->index ? rego_hash_str(key.u.s, key.n) : 0;
        return rego_object_get_str(obj, key.u.s, key.n, h, out);
    }
    const rego_object *o = obj.u.obj;
    if (!o->index) {
        for (uint32_t i = 0; i < o->n; i++) {
            if (rego_equal(o->ents[i].key, key)) {
                *out = o->ents[i].val;
                return true;
            }
        }
        return false;
    }
    uint64_t h = rego_hash(key);
    for (uint32_t p = (uint32_t)h & o->mask;; p = (p + 1) & o->mask) {
        uint32_t slot = o->index[p];
        if (!slot)
            return false;
        if (rego_equal(o->ents[slot - 1].key, key)) {
            *out = o->ents[slot - 1].val;
            return true;
        }
    }
}

bool rego_set_has(rego_value set, rego_value v)
{
    if (set.kind != REGO_SET)
        return false;
    const rego_set *s = set.u.set;
    if (!s->index) {
        for (uint32_t i = 0; i < s->n; i++)
            if (rego_equal(s->items[i], v))
                return true;
        return false;
    }
    uint64_t h = rego_hash(v);
    for (uint32_t p = (uint32_t)h & s->mask;; p = (p + 1) & s->mask) {
        uint32_t slot = s->index[p];
        if (!slot)
            return false;
        if (rego_equal(s->items[slot - 1], v))
            return true;
    }
}

/* ---- builders ------------------------------------------------------------- */

static uint32_t table_size_for(uint32_t n)
{
    uint32_t cap = 16;
    while (cap < n * 2u + 2u && cap < (1u << 31))
        cap <<= 1;
    return cap;
}

/* Builds an index over n values obtained by get(i). */
static uint32_t *build_index(rp_arena *a, uint32_t n, const rego_value *vals, size_t stride,
                             uint32_t *mask)
{
    uint32_t cap = table_size_for(n);
    uint32_t *tab = rp_arena_zalloc(a, (size_t)cap * sizeof(uint32_t));
    if (!tab)
        return NULL;
    const char *base = (const char *)vals;
    for (uint32_t i = 0; i < n; i++) {
        const rego_value *v = (const rego_value *)(base + (size_t)i * stride);
        uint32_t p = (uint32_t)rego_hash(*v) & (cap - 1);
        while (tab[p])
            p = (p + 1) & (cap - 1);
        tab[p] = i + 1;
    }
    *mask = cap - 1;
    return tab;
}

static bool builder_rehash(rp_arena *a, uint32_t **tab, uint32_t *tabcap, uint32_t n,
                           const rego_value *vals, size_t stride)
{
    uint32_t mask;
    uint32_t *t = build_index(a, n, vals, stride, &mask);
    if (!t)
        return false;
    *tab = t;
    *tabcap = mask + 1;
    return true;
}

/* Finds v among vals via tab; returns index or -1. */
static int64_t builder_find(const uint32_t *tab, uint32_t tabcap, const rego_value *vals,
                            size_t stride, rego_value v, uint64_t h)
{
    const char *base = (const char *)vals;
    for (uint32_t p = (uint32_t)h & (tabcap - 1);; p = (p + 1) & (tabcap - 1)) {
        uint32_t slot = tab[p];
        if (!slot)
            return -1;
        const rego_value *x = (const rego_value *)(base + (size_t)(slot - 1) * stride);
        if (rego_equal(*x, v))
            return slot - 1;
    }
}

static void builder_insert_slot(uint32_t *tab, uint32_t tabcap, uint64_t h, uint32_t idx)
{
    uint32_t p = (uint32_t)h & (tabcap - 1);
    while (tab[p])
        p = (p + 1) & (tabcap - 1);
    tab[p] = idx + 1;
}

void rego_setb_init(rego_setb *b, rp_arena *a)
{
    memset(b, 0, sizeof(*b));
    b->a = a;
}

static int64_t setb_find(const rego_setb *b, rego_value v, uint64_t h)
{
    if (!b->tab) {
        for (uint32_t i = 0; i < b->n; i++)
            if (rego_equal(b->items[i], v))
                return i;
        return -1;
    }
    return builder_find(b->tab, b->tabcap, b->items, sizeof(rego_value), v, h);
}

bool rego_setb_has(const rego_setb *b, rego_value v)
{
    return setb_find(b, v, b->tab ? rego_hash(v) : 0) >= 0;
}

bool rego_setb_add(rego_setb *b, rego_value v)
{
    if (b->failed)
        return false;
    uint64_t h = (b->tab || b->n >= REGO_INDEX_MIN) ? rego_hash(v) : 0;
    if (setb_find(b, v, h) >= 0)
        return false;
    if (b->n == b->cap) {
        uint32_t ncap = b->cap ? b->cap * 2 : 8;
        if (ncap <= b->cap) {
            b->failed = true;
            return false;
        }
        rego_value *ni = rp_arena_grow(b->a, b->items, (size_t)b->cap * sizeof(rego_value),
                                       (size_t)ncap * sizeof(rego_value));
        if (!ni) {
            b->failed = true;
            return false;
        }
        b->items = ni;
        b->cap = ncap;
    }
    b->items[b->n++] = v;
    if (b->n > REGO_INDEX_MIN) {
        if (!b->tab || b->n * 2 > b->tabcap) {
            if (!builder_rehash(b->a, &b->tab, &b->tabcap, b->n, b->items, sizeof(rego_value))) {
                b->failed = true;
                return false;
            }
        } else {
            builder_insert_slot(b->tab, b->tabcap, h, b->n - 1);
        }
    }
    return true;
}

static int cmp_values_q(const void *x, const void *y)
{
    return rego_compare(*(const rego_value *)x, *(const rego_value *)y);
}

static int cmp_ents_q(const void *x, const void *y)
{
    return rego_compare(((const rego_objent *)x)->key, ((const rego_objent *)y)->key);
}

static bool sorted_values(const rego_value *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (rego_compare(v[i - 1], v[i]) >= 0)
            return false;
    return true;
}

static bool sorted_ents(const rego_objent *e, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (rego_compare(e[i - 1].key, e[i].key) >= 0)
            return false;
    return true;
}

/* Makes the final set from n distinct items (copied). */
static rego_value make_set(rp_arena *a, const rego_value *items, uint32_t n)
{
    rego_value v = {0};
    if (n == 0)
        return rego_empty_set();
    rego_set *s = rp_arena_alloc(a, sizeof(rego_set) + (size_t)n * sizeof(rego_value));
    if (!s)
        return v;
    memcpy(s->items, items, (size_t)n * sizeof(rego_value));
    if (!sorted_values(s->items, n))
        qsort(s->items, n, sizeof(rego_value), cmp_values_q);
    s->n = n;
    s->mask = 0;
    s->index = NULL;
    if (n > REGO_INDEX_MIN) {
        uint32_t mask;
        uint32_t *idx = build_index(a, n, s->items, sizeof(rego_value), &mask);
        if (!idx)
            return v;
        s->index = idx;
        s->mask = mask;
    }
    v.kind = REGO_SET;
    v.n = n;
    v.u.set = s;
    return v;
}

rego_value rego_setb_finish(rego_setb *b)
{
    if (b->failed)
        return rego_undef();
    return make_set(b->a, b->items, b->n);
}

rego_value rego_set_from(rp_arena *a, const rego_value *items, size_t n)
{
    rego_setb b;
    rego_setb_init(&b, a);
    for (size_t i = 0; i < n; i++)
        rego_setb_add(&b, items[i]);
    return rego_setb_finish(&b);
}

void rego_objb_init(rego_objb *b, rp_arena *a)
{
    memset(b, 0, sizeof(*b));
    b->a = a;
}

static int64_t objb_find(const rego_objb *b, rego_value k, uint64_t h)
{
    if (!b->tab) {
        for (uint32_t i = 0; i < b->n; i++)
            if (rego_equal(b->ents[i].key, k))
                return i;
        return -1;
    }
    return builder_find(b->tab, b->tabcap, &b->ents[0].key, sizeof(rego_objent), k, h);
}

rego_value *rego_objb_get(rego_objb *b, rego_value key)
{
    int64_t i = objb_find(b, key, b->tab ? rego_hash(key) : 0);
    return i < 0 ? NULL : &b->ents[i].val;
}

static rego_put_result objb_insert(rego_objb *b, rego_value key, rego_value val, bool overwrite)
{
    if (b->failed)
        return REGO_PUT_NOMEM;
    uint64_t h = (b->tab || b->n >= REGO_INDEX_MIN) ? rego_hash(key) : 0;
    int64_t at = objb_find(b, key, h);
    if (at >= 0) {
        if (rego_equal(b->ents[at].val, val))
            return REGO_PUT_SAME;
        if (overwrite) {
            b->ents[at].val = val;
            return REGO_PUT_SAME;
        }
        return REGO_PUT_CONFLICT;
    }
    if (b->n == b->cap) {
        uint32_t ncap = b->cap ? b->cap * 2 : 8;
        if (ncap <= b->cap) {
            b->failed = true;
            return REGO_PUT_NOMEM;
        }
        rego_objent *ne = rp_arena_grow(b->a, b->ents, (size_t)b->cap * sizeof(rego_objent),
                                        (size_t)ncap * sizeof(rego_objent));
        if (!ne) {
            b->failed = true;
            return REGO_PUT_NOMEM;
        }
        b->ents = ne;
        b->cap = ncap;
    }
    b->ents[b->n].key = key;
    b->ents[b->n].val = val;
    b->n++;
    if (b->n > REGO_INDEX_MIN) {
        if (!b->tab || b->n * 2 > b->tabcap) {
            if (!builder_rehash(b->a, &b->tab, &b->tabcap, b->n, &b->ents[0].key,
                                sizeof(rego_objent))) {
                b->failed = true;
                return REGO_PUT_NOMEM;
            }
        } else {
            builder_insert_slot(b->tab, b->tabcap, h, b->n - 1);
        }
    }
    return REGO_PUT_NEW;
}

rego_put_result rego_objb_put(rego_objb *b, rego_value key, rego_value val)
{
    return objb_insert(b, key, val, false);
}

void rego_objb_set(rego_objb *b, rego_value key, rego_value val)
{
    (void)objb_insert(b, key, val, true);
}

static rego_value make_object(rp_arena *a, const rego_objent *ents, uint32_t n)
{
    rego_value v = {0};
    if (n == 0)
        return rego_empty_object();
    rego_object *o = rp_arena_alloc(a, sizeof(rego_object) + (size_t)n * sizeof(rego_objent));
    if (!o)
        return v;
    memcpy(o->ents, ents, (size_t)n * sizeof(rego_objent));
    if (!sorted_ents(o->ents, n))
        qsort(o->ents, n, sizeof(rego_objent), cmp_ents_q);
    o->n = n;
    o->mask = 0;
    o->index = NULL;
    if (n > REGO_INDEX_MIN) {
        uint32_t mask;
        uint32_t *idx = build_index(a, n, &o->ents[0].key, sizeof(rego_objent), &mask);
        if (!idx)
            return v;
        o->index = idx;
        o->mask = mask;
    }
    v.kind = REGO_OBJECT;
    v.n = n;
    v.u.obj = o;
    return v;
}

rego_objent *rego_object_alloc(rp_arena *a, size_t n, rego_value *out)
{
    *out = rego_undef();
    if (n > UINT32_MAX / 2)
        return NULL;
    rego_object *o = rp_arena_alloc(a, sizeof(rego_object) + n * sizeof(rego_objent));
    if (!o)
        return NULL;
    o->n = (uint32_t)n;
    o->mask = 0;
    o->index = NULL;
    out->kind = REGO_OBJECT;
    out->n = (uint32_t)n;
    out->u.obj = o;
    return o->ents;
}

/* Stable merge sort of entries by key so that, among equal keys, source
 * order is kept and "last wins" can be applied after sorting. */
static void sort_ents_stable(rego_objent *e, rego_objent *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_ents_stable(e, tmp, h);
    sort_ents_stable(e + h, tmp, n - h);
    if (rego_compare(e[h - 1].key, e[h].key) <= 0)
        return;
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = rego_compare(e[j].key, e[i].key) < 0 ? e[j++] : e[i++];
    while (i < h)
        tmp[k++] = e[i++];
    while (j < n)
        tmp[k++] = e[j++];
    memcpy(e, tmp, n * sizeof(*e));
}

rego_value rego_object_seal(rp_arena *a, rego_value obj)
{
    rego_object *o = (rego_object *)obj.u.obj;
    size_t n = o->n;
    if (n == 0)
        return rego_empty_object();
    if (!sorted_ents(o->ents, n)) {
        rego_objent *tmp = malloc(n * sizeof(rego_objent));
        if (!tmp)
            return rego_undef();
        sort_ents_stable(o->ents, tmp, n);
        free(tmp);
        /* keep the last of each run of equal keys */
        size_t w = 0;
        for (size_t r = 0; r < n; r++) {
            if (w > 0 && rego_equal(o->ents[w - 1].key, o->ents[r].key))
                o->ents[w - 1] = o->ents[r];
            else
                o->ents[w++] = o->ents[r];
        }
        n = w;
    }
    o->n = (uint32_t)n;
    if (n > REGO_INDEX_MIN) {
        uint32_t mask;
        uint32_t *idx = build_index(a, (uint32_t)n, &o->ents[0].key, sizeof(rego_objent), &mask);
        if (!idx)
            return rego_undef();
        o->index = idx;
        o->mask = mask;
    }
    obj.n = (uint32_t)n;
    return obj;
}

rego_value *rego_set_alloc(rp_arena *a, size_t n, rego_value *out)
{
    *out = rego_undef();
    if (n > UINT32_MAX / 2)
        return NULL;
    rego_set *s = rp_arena_alloc(a, sizeof(rego_set) + n * sizeof(rego_value));
    if (!s)
        return NULL;
    s->n = (uint32_t)n;
    s->mask = 0;
    s->index = NULL;
    out->kind = REGO_SET;
    out->n = (uint32_t)n;
    out->u.set = s;
    return s->items;
}

rego_value rego_set_seal(rp_arena *a, rego_value set)
{
    rego_set *s = (rego_set *)set.u.set;
    size_t n = s->n;
    if (n == 0)
        return rego_empty_set();
    if (!sorted_values(s->items, n)) {
        qsort(s->items, n, sizeof(rego_value), cmp_values_q);
        size_t w = 0;
        for (size_t r = 0; r < n; r++)
            if (w == 0 || !rego_equal(s->items[w - 1], s->items[r]))
                s->items[w++] = s->items[r];
        n = w;
    }
    s->n = (uint32_t)n;
    if (n > REGO_INDEX_MIN) {
        uint32_t mask;
        uint32_t *idx = build_index(a, (uint32_t)n, s->items, sizeof(rego_value), &mask);
        if (!idx)
            return rego_undef();
        s->index = idx;
        s->mask = mask;
    }
    set.n = (uint32_t)n;
    return set;
}

rego_value rego_objb_finish(rego_objb *b)
{
    if (b->failed)
        return rego_undef();
    return make_object(b->a, b->ents, b->n);
}

rego_value rego_object_from(rp_arena *a, const rego_objent *ents, size_t n)
{
    rego_objb b;
    rego_objb_init(&b, a);
    for (size_t i = 0; i < n; i++)
        rego_objb_set(&b, ents[i].key, ents[i].val);
    return rego_objb_finish(&b);
}

/* ---- set algebra ----------------------------------------------------------- */

/* Merges the sorted items of x and y into tmp and returns the count. */
static size_t set_merge(rego_setop op, rego_value x, rego_value y, rego_value *tmp)
{
    const rego_value *xi = x.u.set->items, *yi = y.u.set->items;
    size_t i = 0, j = 0, w = 0, nx = x.n, ny = y.n;
    while (i < nx || j < ny) {
        int c = i == nx ? 1 : j == ny ? -1 : rego_compare(xi[i], yi[j]);
        if (c < 0) {
            if (op != REGO_SETOP_INTERSECT)
                tmp[w++] = xi[i];
            i++;
        } else if (c > 0) {
            if (op == REGO_SETOP_UNION)
                tmp[w++] = yi[j];
            j++;
        } else {
            if (op != REGO_SETOP_DIFF)
                tmp[w++] = xi[i];
            i++;
            j++;
        }
    }
    return w;
}

rego_value rego_set_op(rp_arena *a, rego_setop op, rego_value x, rego_value y)
{
    if (op == REGO_SETOP_UNION && (x.n == 0 || y.n == 0))
        return x.n == 0 ? y : x;
    if (x.n == 0 || (op == REGO_SETOP_INTERSECT && y.n == 0))
        return rego_empty_set();
    if (op == REGO_SETOP_DIFF && y.n == 0)
        return x;
    size_t cap = op == REGO_SETOP_UNION ? (size_t)x.n + y.n : x.n;
    rego_value *tmp = rp_arena_array(a, cap, sizeof(*tmp));
    if (!tmp)
        return rego_undef();
    size_t w = set_merge(op, x, y, tmp);
    if (w == x.n && op != REGO_SETOP_UNION)
        return x; /* nothing removed */
    if (w == 0)
        return rego_empty_set();
    /* Already sorted and distinct: make_set copies without re-sorting. */
    return make_set(a, tmp, (uint32_t)w);
}

/* ---- arithmetic ------------------------------------------------------------ */

static bool small_int(rego_value v, int64_t *out)
{
    /* OPA's fast path: both operands in the int32 window, so products fit. */
    return v.sub == REGO_NUM_INT && v.u.i >= INT32_MIN && v.u.i <= INT32_MAX && (*out = v.u.i, true);
}

/* OPA computes with non-integers as Go big.Floats of 64-bit mantissa, read
 * from each number's decimal text and written back as the shortest decimal
 * that identifies the result at that precision.  x87 long double has the
 * same mantissa and rounding; the decimal round trips below make 0.1 + 0.2
 * come out as 0.3, as in OPA, instead of the double sum 0.30000000000000004. */
_Static_assert(LDBL_MANT_DIG == 64, "OPA's float arithmetic needs a 64-bit mantissa");

/* A double's shortest round-tripping decimal ("0.1"): the text OPA would
 * have read the number from. */
static void shortest_double(double d, char *buf, size_t cap)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, cap, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

long double rego_num_to_ext(rego_value v)
{
    char buf[40];
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT: return (long double)v.u.i;
    case REGO_NUM_FLOAT:
        if (floor(v.u.f) == v.u.f && fabs(v.u.f) < 0x1p53)
            return (long double)v.u.f; /* small integers read back exactly */
        shortest_double(v.u.f, buf, sizeof(buf));
        return strtold(buf, NULL);
    case REGO_NUM_BIG: { /* correctly rounded from the decimal text, as big.Float.SetString */
        mpz_t z;
        big_view(v.u.big, z);
        char *s = malloc(mpz_sizeinbase(z, 10) + 2);
        if (!s)
            return (long double)mpz_get_d(z);
        mpz_get_str(s, 10, z);
        long double r = strtold(s, NULL);
        free(s);
        return r;
    }
    }
    return 0;
}

/* The shortest decimal ("d.ddde+X") that reads back as r at 64 bits, as
 * Go's big.Float.Text(fmt, -1) finds it; 21 digits always suffice. */
static void shortest_ext(long double r, char *buf, size_t cap)
{
    for (int p = 1; p <= 21; p++) {
        snprintf(buf, cap, "%.*Le", p - 1, r);
        if (strtold(buf, NULL) == r)
            return;
    }
}

/* An integral extended value as an exact integer.  Beyond int64 it is the
 * shortest decimal padded with zeros, as OPA writes such results (10^20 at
 * 64 bits is "100000000000000000000"). */
static rego_value ext_integer(rp_arena *a, long double r)
{
    if (fabsl(r) < 0x1p63L)
        return rego_int((int64_t)r);
    char buf[48], digits[32];
    shortest_ext(r, buf, sizeof(buf));
    char *e = strchr(buf, 'e');
    int exp10 = atoi(e + 1);
    size_t nd = 0;
    for (const char *c = buf; c < e; c++)
        if (*c >= '0' && *c <= '9')
            digits[nd++] = *c;
    digits[nd] = 0;
    /* An integer needs no digits after the point, so nd - 1 <= exp10. */
    mpz_t z, t;
    mpz_init_set_str(z, digits, 10);
    mpz_init(t);
    mpz_ui_pow_ui(t, 10, (unsigned long)(exp10 - (int)(nd - 1)));
    mpz_mul(z, z, t);
    if (r < 0)
        mpz_neg(z, z);
    rego_value v = rego_num_from_mpz(a, z);
    mpz_clears(z, t, NULL);
    return v;
}

rp_status rego_num_from_ext(rp_arena *a, long double r, rego_value *out)
{
    if (!isfinite(r))
        return RP_ERR_EVAL;
    if (floorl(r) == r) {
        *out = ext_integer(a, r);
        return out->kind == REGO_UNDEF ? RP_ERR_NOMEM : RP_OK;
    }
    char buf[48];
    shortest_ext(r, buf, sizeof(buf));
    double d = strtod(buf, NULL);
    if (!isfinite(d))
        return RP_ERR_EVAL;
    *out = rego_float(d);
    return RP_OK;
}

rp_status rego_num_arith(rp_arena *a, rego_arith_op op, rego_value x, rego_value y,
                         rego_value *out, const char **msg)
{
    int64_t xi, yi;
    *msg = NULL;
    if (small_int(x, &xi) && small_int(y, &yi)) {
        switch (op) {
        case REGO_OP_ADD: *out = rego_int(xi + yi); return RP_OK;
        case REGO_OP_SUB: *out = rego_int(xi - yi); return RP_OK;
        case REGO_OP_MUL: *out = rego_int(xi * yi); return RP_OK;
        case REGO_OP_DIV:
            if (yi == 0) {
                *msg = "divide by zero";
                return RP_ERR_EVAL;
            }
            if (xi != 0 && xi % yi == 0) {
                *out = rego_int(xi / yi);
                return RP_OK;
            }
            break;
        case REGO_OP_REM:
            if (yi == 0) {
                *msg = "modulo by zero";
                return RP_ERR_EVAL;
            }
            *out = rego_int(xi % yi);
            return RP_OK;
        }
    }
    bool ints = rego_num_is_int(x) && rego_num_is_int(y);
    if (ints && op != REGO_OP_DIV) {
        mpz_t zx, zy, zr;
        mpz_inits(zx, zy, zr, NULL);
        rego_num_to_mpz(x, zx);
        rego_num_to_mpz(y, zy);
        rp_status st = RP_OK;
        switch (op) {
        case REGO_OP_ADD: mpz_add(zr, zx, zy); break;
        case REGO_OP_SUB: mpz_sub(zr, zx, zy); break;
        case REGO_OP_MUL: mpz_mul(zr, zx, zy); break;
        case REGO_OP_REM:
            if (mpz_sgn(zy) == 0) {
                *msg = "modulo by zero";
                st = RP_ERR_EVAL;
            } else {
                mpz_tdiv_r(zr, zx, zy);
            }
            break;
        case REGO_OP_DIV: break;
        }
        if (st == RP_OK) {
            *out = rego_num_from_mpz(a, zr);
            if (out->kind == REGO_UNDEF)
                st = RP_ERR_NOMEM;
        }
        mpz_clears(zx, zy, zr, NULL);
        return st;
    }
    if (op == REGO_OP_REM) {
        *msg = "modulo on floating-point number";
        return RP_ERR_EVAL;
    }
    /* big.Float with a 64-bit mantissa in OPA; x87 long double here. */
    long double lx = rego_num_to_ext(x), ly = rego_num_to_ext(y), r = 0;
    switch (op) {
    case REGO_OP_ADD: r = lx + ly; break;
    case REGO_OP_SUB: r = lx - ly; break;
    case REGO_OP_MUL: r = lx * ly; break;
    case REGO_OP_DIV:
        if (ly == 0) {
            *msg = "divide by zero";
            return RP_ERR_EVAL;
        }
        r = lx / ly;
        break;
    case REGO_OP_REM: break;
    }
    rp_status st = rego_num_from_ext(a, r, out);
    if (st == RP_ERR_EVAL)
        *msg = "arithmetic result out of range";
    return st;
}

rp_status rego_num_unary(rp_arena *a, rego_unary_op op, rego_value x, rego_value *out)
{
    /* OPA's int32 fast path; everything else, big integers included, goes
     * through a 64-bit-mantissa float as in OPA (so abs of a 30-digit integer
     * keeps only its first ~20 significant digits there, and here). */
    if (x.sub == REGO_NUM_INT && x.u.i >= INT32_MIN && x.u.i <= INT32_MAX) {
        *out = op == REGO_UN_ABS && x.u.i < 0 ? rego_int(-x.u.i) : x;
        return RP_OK;
    }
    long double f = rego_num_to_ext(x), r = f;
    switch (op) {
    case REGO_UN_ROUND: r = roundl(f); break; /* half away from zero */
    /* OPA truncates first and adjusts only when the truncated value is
     * positive (ceil) or negative (floor), so every f in (-1, 0) has
     * ceil(f) = 1 and floor(f) = 0 there (arithCeil/arithFloor).  Matched
     * on purpose. */
    case REGO_UN_CEIL: r = f > -1 && f < 0 ? 1 : ceill(f); break;
    case REGO_UN_FLOOR: r = f > -1 && f < 0 ? 0 : floorl(f); break;
    case REGO_UN_ABS: r = fabsl(f); break;
    }
    if (r == 0)
        r = 0; /* no negative zero from rounding */
    return rego_num_from_ext(a, r, out);
}

/* ---- printing ------------------------------------------------------------- */

size_t rego_double_digits(double d, char digits[17], int *exp10)
{
    char tmp[40];
    d = fabs(d);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is d.ddde[+-]XX; split mantissa digits and exponent.  Only a
     * non-finite d ("inf") has no exponent: read it as 0 rather than past
     * the end of the text. */
    size_t nd = 0;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    *exp10 = *p ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    return nd;
}

void rego_double_write_g(rp_buf *b, double d, int eprec)
{
    if (d == 0) {
        rp_buf_puts(b, signbit(d) ? "-0" : "0");
        return;
    }
    char digits[17];
    int exp;
    size_t nd = rego_double_digits(d, digits, &exp);
    if (d < 0)
        rp_buf_putc(b, '-');
    if (exp < -4 || exp >= eprec) {
        rp_buf_putc(b, digits[0]);
        if (nd > 1) {
            rp_buf_putc(b, '.');
            rp_buf_append(b, digits + 1, nd - 1);
        }
        rp_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (exp < 0) {
        rp_buf_puts(b, "0.");
        for (int i = -1; i > exp; i--)
            rp_buf_putc(b, '0');
        rp_buf_append(b, digits, nd);
        return;
    }
    for (int i = 0; i <= exp; i++)
        rp_buf_putc(b, (size_t)i < nd ? digits[i] : '0');
    if ((size_t)exp + 1 < nd) {
        rp_buf_putc(b, '.');
        rp_buf_append(b, digits + exp + 1, nd - (size_t)exp - 1);
    }
}

/* A float as OPA prints it: zero without its sign, an integral value below
 * 1e21 in full, anything else in the shortest %g layout with the exponent
 * form from exponent 21 on. */
static void write_double(rp_buf *b, double d)
{
    if (d == 0) {
        rp_buf_putc(b, '0');
        return;
    }
    if (floor(d) == d && fabs(d) < 1e21) {
        rp_buf_printf(b, "%.0f", d);
        return;
    }
    rego_double_write_g(b, d, 21);
}

void rego_num_write(rp_buf *b, rego_value v)
{
    switch ((rego_numrep)v.sub) {
    case REGO_NUM_INT:
        rp_buf_printf(b, "%lld", (long long)v.u.i);
        return;
    case REGO_NUM_FLOAT:
        write_double(b, v.u.f);
        return;
    case REGO_NUM_BIG: {
        if (v.u.big->text) {
            rp_buf_append(b, v.u.big->text, v.u.big->textlen);
            return;
        }
        mpz_t z;
        big_view(v.u.big, z);
        size_t n = mpz_sizeinbase(z, 10) + 2;
        if (!rp_buf_reserve(b, n))
            return;
        mpz_get_str(b->data + b->len, 10, z);
        b->len += strlen(b->data + b->len);
        return;
    }
    }
}

static const char hexd[] = "0123456789abcdef";

void rego_json_write_string(rp_buf *b, const char *s, size_t n, bool html)
{
    rp_buf_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80 &&
            !(html && (c == '<' || c == '>' || c == '&'))) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = rp_utf8_decode(s + i, n - i, &cp);
            if (k && cp != 0x2028 && cp != 0x2029) {
                i += k;
                continue;
            }
            rp_buf_append(b, s + run, i - run);
            if (!k) {
                rp_buf_puts(b, "\\ufffd");
                i++;
            } else {
                rp_buf_printf(b, "\\u%04x", cp);
                i += k;
            }
            run = i;
            continue;
        }
        rp_buf_append(b, s + run, i - run);
        switch (c) {
        case '"': rp_buf_puts(b, "\\\""); break;
        case '\\': rp_buf_puts(b, "\\\\"); break;
        case '\n': rp_buf_puts(b, "\\n"); break;
        case '\r': rp_buf_puts(b, "\\r"); break;
        case '\t': rp_buf_puts(b, "\\t"); break;
        case '\b': rp_buf_puts(b, "\\b"); break;
        case '\f': rp_buf_puts(b, "\\f"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
            rp_buf_append(b, u, 6);
        }
        }
        i++;
        run = i;
    }
    rp_buf_append(b, s + run, n - run);
    rp_buf_putc(b, '"');
}

static void indent(rp_buf *b, int level)
{
    rp_buf_putc(b, '\n');
    for (int i = 0; i < level; i++)
        rp_buf_puts(b, "  ");
}

static void write_value(rp_buf *b, rego_value v, int fmt, int depth);

static void write_key(rp_buf *b, rego_value k, int fmt, int depth)
{
    if ((fmt & 0xff) == REGO_FMT_REGO || k.kind == REGO_STRING) {
        write_value(b, k, fmt, depth);
        return;
    }
    /* JSON object keys must be strings: OPA writes the key's JSON text. */
    rp_buf tmp;
    rp_buf_init(&tmp);
    write_value(&tmp, k, REGO_FMT_JSON, depth);
    rego_json_write_string(b, tmp.data ? tmp.data : "", tmp.len, (fmt & REGO_FMT_HTML) != 0);
    rp_buf_free(&tmp);
}

static void write_value(rp_buf *b, rego_value v, int fmt, int depth)
{
    bool pretty = (fmt & 0xff) == REGO_FMT_JSON_PRETTY;
    bool rego = (fmt & 0xff) == REGO_FMT_REGO;
    if (depth > REGO_VALUE_MAX_DEPTH) {
        rp_buf_puts(b, "...");
        return;
    }
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF: rp_buf_puts(b, "undefined"); return;
    case REGO_NULL: rp_buf_puts(b, "null"); return;
    case REGO_BOOL: rp_buf_puts(b, v.u.b ? "true" : "false"); return;
    case REGO_NUMBER: rego_num_write(b, v); return;
    case REGO_STRING: rego_json_write_string(b, v.u.s, v.n, (fmt & REGO_FMT_HTML) != 0); return;
    case REGO_ARRAY:
    case REGO_SET: {
        const rego_value *items = v.kind == REGO_ARRAY ? v.u.items : v.u.set->items;
        size_t n = v.kind == REGO_ARRAY ? v.n : v.u.set->n;
        if (rego && v.kind == REGO_SET && n == 0) {
            rp_buf_puts(b, "set()");
            return;
        }
        rp_buf_putc(b, rego && v.kind == REGO_SET ? '{' : '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                rp_buf_puts(b, rego ? ", " : ",");
            if (pretty)
                indent(b, depth + 1);
            write_value(b, items[i], fmt, depth + 1);
        }
        if (pretty && n)
            indent(b, depth);
        rp_buf_putc(b, rego && v.kind == REGO_SET ? '}' : ']');
        return;
    }
    case REGO_OBJECT: {
        const rego_object *o = v.u.obj;
        rp_buf_putc(b, '{');
        for (size_t i = 0; i < o->n; i++) {
            if (i)
                rp_buf_puts(b, rego ? ", " : ",");
            if (pretty)
                indent(b, depth + 1);
            write_key(b, o->ents[i].key, fmt, depth + 1);
            rp_buf_puts(b, (pretty || rego) ? ": " : ":");
            write_value(b, o->ents[i].val, fmt, depth + 1);
        }
        if (pretty && o->n)
            indent(b, depth);
        rp_buf_putc(b, '}');
        return;
    }
    }
}

void rego_value_write(rp_buf *b, rego_value v, rego_fmt fmt)
{
    write_value(b, v, (int)fmt, 0);
}
