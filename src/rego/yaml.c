/*
 * yaml.c — YAML text to Rego values over libyaml's event parser.
 *
 * Like the JSON reader, this is one loop over an explicit stack of open
 * collections: elements collect on a malloc'd scratch stack and each array or
 * object is allocated once, at its final size, when its END event arrives.
 * Scalars are resolved as they arrive, by go-yaml v2's rules (REGO_YAML_K8S)
 * or the YAML 1.2 core schema (REGO_YAML_CORE); mapping keys are turned into
 * strings the way sigs.k8s.io/yaml does before JSON sees them.
 *
 * Anchors map a name to the finished value (values are immutable, so an
 * alias shares it) plus the number of nodes and the nesting height it stands
 * for.  Every alias adds its node count to an expansion total: this is what a
 * consumer walking the value would see, so the "billion laughs" fails on the
 * REGO_YAML_MAX_ALIAS_EXPANSION bound after a few events.  An anchor is
 * registered when its node starts (go-yaml does the same), so an alias inside
 * its own anchor's collection is the cycle go-yaml reports as "anchor 'a'
 * value contains itself" and can never loop.
 *
 * Invariants: for each open frame from the bottom, the scratch stack holds
 * its finished elements (sequences) or key/value pairs with string keys
 * (mappings; a pending key is on the stack with want_value set, except a
 * merge key, which is only flagged); frames[depth-1] is the innermost open
 * collection.  libyaml allocates with malloc and is bounded by the input.
 * No mutable globals.
 */
#include "yaml.h"

#include <gmp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "limits.h"

#define YAML_SCRATCH_MIN 64u
#define YAML_ANCHORS_MIN 16u   /* first anchor table size (power of two) */
#define YAML_SHOWN 200         /* bytes of a scalar quoted in a message (rp_error holds 256) */
#define YAML_LONG_TAG "tag:yaml.org,2002:"

_Static_assert(sizeof(rego_objent) == 2 * sizeof(rego_value),
               "object entries are copied from key/value pairs on the scratch stack");

/* Tags that change how a scalar resolves; everything else reads as a string. */
typedef enum {
    YT_NONE, /* no tag: resolve from the text */
    YT_STR,
    YT_BOOL,
    YT_INT,
    YT_FLOAT,
    YT_NULL,
    YT_TIMESTAMP,
    YT_BINARY,
    YT_MERGE,
    YT_OTHER, /* "!", "!custom", !!map on a scalar, ...: the text as a string */
} ytag;

/* Floats JSON cannot hold; legal as mapping keys (they become ".inf"...). */
typedef enum { YS_NONE, YS_POS_INF, YS_NEG_INF, YS_NAN } yspecial;

typedef struct {
    rego_value v;
    uint64_t nodes;   /* nodes this value stands for, aliases expanded */
    uint32_t height;  /* nesting of collections: 0 for a scalar */
    yspecial special; /* v is a placeholder when not YS_NONE */
    bool merge_key;   /* a "<<" scalar that acts as a merge key */
    bool from_alias;
} ynode;

typedef enum { YF_SEQ, YF_MAP } yframe_kind;

/* go-yaml reports every syntax error of a document before any error of its
 * decoder (cannot decode, merge, cycles), and sigs.k8s.io/yaml's JSON
 * conversion errors (keys, infinities) come after both; such "late" errors
 * wait here until the document ends. */
typedef enum { YL_DECODE, YL_CONVERT, YL_COUNT } ylate;

typedef struct {
    size_t start; /* first scratch slot */
    yframe_kind kind;
    bool want_value;    /* mapping: a key was read, its value is next */
    bool merge_pending; /* mapping: that key was a merge key */
    uint64_t nodes;
    uint32_t height; /* max height of the elements */
    uint64_t anchor_id;      /* 0: no anchor */
    const char *anchor_name; /* owned by the anchor table */
    yaml_mark_t mark;
} yframe;

typedef struct {
    char *name; /* malloc'd; NULL marks an empty slot */
    uint64_t id;
    bool in_progress;
    ynode node;
} yanchor;

typedef struct {
    rp_arena *a;
    const char *base;
    size_t n;
    const char *filename;
    rp_error *err;
    rego_yaml_schema schema;
    yaml_parser_t y;
    rego_value *stk;
    size_t nstk, capstk;
    yanchor *anchors; /* open addressing, power-of-two size */
    size_t nanchors, capanchors;
    uint64_t anchor_serial;
    uint64_t expanded; /* nodes created through aliases, whole stream */
    rego_value *docs;  /* multi: finished non-null documents */
    size_t ndocs, capdocs;
    char *tmp; /* scalar text rewritten (underscores, base64) */
    size_t tmpcap;
    rp_error late[YL_COUNT];
    bool skipping;    /* a decode error is pending: only syntax matters now */
    bool late_raised; /* the current event raised it */
    int depth;
    yframe frames[REGO_YAML_MAX_DEPTH];
} yparser;

/* ---- errors --------------------------------------------------------------- */

static uint32_t clamp32(size_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static rp_loc mark_loc(const yparser *p, yaml_mark_t m)
{
    rp_loc loc = {p->filename, clamp32(m.line + 1), clamp32(m.column + 1)};
    return loc;
}

static rp_loc offset_loc(const yparser *p, size_t off)
{
    size_t line = 1, ls = 0;
    if (off > p->n)
        off = p->n;
    for (size_t i = 0; i < off; i++)
        if (p->base[i] == '\n') {
            line++;
            ls = i + 1;
        }
    rp_loc loc = {p->filename, clamp32(line), clamp32(off - ls + 1)};
    return loc;
}

static rp_status err_at(yparser *p, rp_status code, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static rp_status err_at(yparser *p, rp_status code, yaml_mark_t m, const char *fmt, ...)
{
    char msg[sizeof(p->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rp_error_set(p->err, code, mark_loc(p, m), "%s", msg);
}

/* Records a late error (the first of its level).  A decode error also
 * stops building: the rest of the document is only checked for syntax. */
static rp_status err_late(yparser *p, ylate level, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static rp_status err_late(yparser *p, ylate level, yaml_mark_t m, const char *fmt, ...)
{
    char msg[sizeof(p->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rp_error_set(&p->late[level], RP_ERR_SYNTAX, mark_loc(p, m), "%s", msg);
    if (level == YL_CONVERT)
        return RP_OK;
    p->skipping = true;
    p->late_raised = true;
    return RP_ERR_SYNTAX;
}

/* At a document's end: its late error, decode errors first. */
static rp_status report_late(yparser *p)
{
    for (int l = 0; l < YL_COUNT; l++)
        if (p->late[l].code != RP_OK)
            return rp_error_set(p->err, p->late[l].code, p->late[l].loc, "%s", p->late[l].msg);
    return RP_OK;
}

static rp_status err_nomem(yparser *p, yaml_mark_t m)
{
    return err_at(p, RP_ERR_NOMEM, m, "out of memory parsing YAML (arena budget exhausted)");
}

/* libyaml's error in go-yaml's words.  go-yaml prints the problem mark's
 * line, which is 0-based, adding one only for scanner errors; when that is 0
 * it falls back to the context mark, and prints no line when both are 0.  We
 * keep the text exactly and put the true position in loc. */
static rp_status libyaml_error(yparser *p)
{
    const yaml_parser_t *y = &p->y;
    if (y->error == YAML_MEMORY_ERROR)
        return err_at(p, RP_ERR_NOMEM, y->problem_mark, "yaml: out of memory");
    size_t line = 0;
    if (y->problem_mark.line != 0)
        line = y->problem_mark.line + (y->error == YAML_SCANNER_ERROR);
    else if (y->context_mark.line != 0)
        line = y->context_mark.line;
    rp_loc loc = y->error == YAML_READER_ERROR ? offset_loc(p, y->problem_offset)
                                               : mark_loc(p, y->problem_mark);
    const char *problem = y->problem ? y->problem : "unknown problem parsing YAML content";
    if (line)
        return rp_error_set(p->err, RP_ERR_SYNTAX, loc, "yaml: line %zu: %s", line, problem);
    return rp_error_set(p->err, RP_ERR_SYNTAX, loc, "yaml: %s", problem);
}

/* ---- small buffers ---------------------------------------------------------- */

static char *tmp_reserve(yparser *p, size_t n)
{
    if (n >= p->tmpcap) {
        size_t cap = p->tmpcap ? p->tmpcap : 64;
        while (cap <= n) {
            if (cap > SIZE_MAX / 2)
                return NULL;
            cap *= 2;
        }
        char *t = realloc(p->tmp, cap);
        if (!t)
            return NULL;
        p->tmp = t;
        p->tmpcap = cap;
    }
    return p->tmp;
}

static bool stk_push(yparser *p, rego_value v)
{
    if (p->nstk == p->capstk) {
        size_t cap = p->capstk ? p->capstk * 2 : YAML_SCRATCH_MIN;
        if (cap > SIZE_MAX / sizeof(rego_value))
            return false;
        rego_value *s = realloc(p->stk, cap * sizeof(rego_value));
        if (!s)
            return false;
        p->stk = s;
        p->capstk = cap;
    }
    p->stk[p->nstk++] = v;
    return true;
}

/* ---- scalar text helpers ------------------------------------------------------ */

static bool is_dig(char c) { return c >= '0' && c <= '9'; }

static bool text_is(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(*words, s, n) == 0)
            return true;
    return false;
}

static int digit_in_base(char c, int base)
{
    int d = is_dig(c) ? c - '0' : (c >= 'a' && c <= 'z') ? c - 'a' + 10
                                : (c >= 'A' && c <= 'Z') ? c - 'A' + 10 : 99;
    return d < base ? d : -1;
}

/* An unsigned integer in base (digits s[0..n), at least one), exact: int64
 * when it fits (negated when neg), else a big integer through GMP. */
static bool exact_int(yparser *p, const char *s, size_t n, int base, bool neg, rego_value *out)
{
    uint64_t mag = 0;
    bool big = false;
    for (size_t i = 0; i < n; i++) {
        int d = digit_in_base(s[i], base);
        if (d < 0)
            return false;
        if (__builtin_mul_overflow(mag, (uint64_t)base, &mag) ||
            __builtin_add_overflow(mag, (uint64_t)d, &mag))
            big = true;
    }
    if (!n)
        return false;
    if (!big && mag <= (uint64_t)INT64_MAX) {
        *out = rego_int(neg ? -(int64_t)mag : (int64_t)mag);
        return true;
    }
    if (!big && neg && mag == (uint64_t)INT64_MAX + 1) {
        *out = rego_int(INT64_MIN);
        return true;
    }
    char *d = tmp_reserve(p, n + 2);
    if (!d)
        return false;
    size_t k = 0;
    if (neg)
        d[k++] = '-';
    memcpy(d + k, s, n);
    d[k + n] = 0;
    mpz_t z;
    mpz_init(z);
    bool ok = mpz_set_str(z, d, base) == 0;
    if (ok)
        *out = rego_num_from_mpz(p->a, z);
    mpz_clear(z);
    return ok && !rego_is_undef(*out);
}

/* YAML's float syntax (go-yaml's yamlStyleFloat and the 1.2 core schema):
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool float_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d0 = i;
    while (i < n && is_dig(s[i]))
        i++;
    if (i < n && s[i] == '.') {
        bool lead = i > d0;
        i++;
        size_t f0 = i;
        while (i < n && is_dig(s[i]))
            i++;
        if (!lead && i == f0)
            return false;
    } else if (i == d0) {
        return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && is_dig(s[i]))
            i++;
        if (i == e0)
            return false;
    }
    return i == n;
}

/* Go's ParseFloat grammar for text that starts with '.', which go-yaml
 * parses unchanged: digits may be separated by single underscores. */
static bool dot_float_syntax(const char *s, size_t n)
{
    size_t i = 1;
    bool exp = false;
    if (n < 2 || !is_dig(s[1]))
        return false;
    while (i < n) {
        if (is_dig(s[i])) {
            i++;
        } else if (s[i] == '_' && is_dig(s[i - 1]) && i + 1 < n && is_dig(s[i + 1])) {
            i++;
        } else if (!exp && (s[i] == 'e' || s[i] == 'E')) {
            exp = true;
            i++;
            if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
            if (i >= n || !is_dig(s[i]))
                return false;
        } else {
            return false;
        }
    }
    return true;
}

/* strtod of s[0..n) without '_'; false when it overflows (go-yaml then
 * keeps the text as a string). */
static bool finite_float(yparser *p, const char *s, size_t n, rego_value *out, bool *nomem)
{
    char *d = tmp_reserve(p, n + 1);
    if (!d) {
        *nomem = true;
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            d[k++] = s[i];
    d[k] = 0;
    double f = strtod(d, NULL);
    if (!isfinite(f))
        return false;
    *out = rego_float(f);
    return true;
}

/* ---- timestamps (only for explicit !!timestamp tags) -------------------- */

static bool take_num(const char **s, const char *e, int min_d, int max_d, int *out)
{
    int v = 0, k = 0;
    while (*s < e && is_dig(**s) && k < max_d) {
        v = v * 10 + (**s - '0');
        (*s)++;
        k++;
    }
    *out = v;
    return k >= min_d;
}

static bool take_char(const char **s, const char *e, char c)
{
    if (*s < e && **s == c) {
        (*s)++;
        return true;
    }
    return false;
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : d[month - 1];
}

/* The layouts go-yaml v2 tries with Go's time.Parse: "2006-1-2",
 * "2006-1-2 15:4:5.999999999" and "2006-1-2[Tt]15:4:5.999999999Z07:00". */
static bool is_timestamp(const char *s, size_t n)
{
    const char *e = s + n;
    int y, mo, d, h, mi, sec, zh, zm;
    if (!take_num(&s, e, 4, 4, &y) || !take_char(&s, e, '-') || !take_num(&s, e, 1, 2, &mo) ||
        !take_char(&s, e, '-') || !take_num(&s, e, 1, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in(mo, y))
        return false;
    if (s == e)
        return true;
    bool zone = *s == 'T' || *s == 't';
    if (!zone && *s != ' ')
        return false;
    s++;
    if (!take_num(&s, e, 1, 2, &h) || !take_char(&s, e, ':') || !take_num(&s, e, 1, 2, &mi) ||
        !take_char(&s, e, ':') || !take_num(&s, e, 1, 2, &sec) || h > 23 || mi > 59 || sec > 59)
        return false;
    if (s + 1 < e && (*s == '.' || *s == ',') && is_dig(s[1]))
        for (s++; s < e && is_dig(*s); s++) {
        }
    if (!zone)
        return s == e;
    if (take_char(&s, e, 'Z'))
        return s == e;
    if (s >= e || (*s != '+' && *s != '-'))
        return false;
    s++;
    return take_num(&s, e, 2, 2, &zh) && take_char(&s, e, ':') && take_num(&s, e, 2, 2, &zm) &&
           s == e && zh <= 24 && zm <= 60;
}

/* ---- base64 and strings -------------------------------------------------------- */

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (is_dig(c))
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Go's base64.StdEncoding.DecodeString: padding required, '\r' and '\n'
 * ignored.  Decodes into p->tmp; returns the length or -1. */
static long b64_decode(yparser *p, const char *s, size_t n)
{
    char *quad = tmp_reserve(p, n + 4);
    if (!quad)
        return -2;
    size_t out = 0, nq = 0, pad = 0;
    char c4[4];
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n')
            continue;
        if (pad && s[i] != '=')
            return -1; /* data after padding */
        if (s[i] == '=') {
            if (nq < 2)
                return -1;
            pad++;
        } else if (b64val(s[i]) < 0) {
            return -1;
        }
        c4[nq++] = s[i];
        if (nq == 4) {
            int v[4];
            for (int k = 0; k < 4; k++)
                v[k] = c4[k] == '=' ? 0 : b64val(c4[k]);
            quad[out++] = (char)(v[0] << 2 | v[1] >> 4);
            if (c4[2] != '=')
                quad[out++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
            if (c4[3] != '=')
                quad[out++] = (char)((v[2] & 3) << 6 | v[3]);
            else if (c4[2] == '=' && pad != 2)
                return -1;
            nq = 0;
        }
    }
    return nq ? -1 : (long)out;
}

/* A string value of s[0..n) where invalid UTF-8 bytes become U+FFFD, as
 * Go's json.Marshal writes them (only !!binary can produce such bytes). */
static bool make_json_string(yparser *p, const char *s, size_t n, rego_value *out)
{
    if (rp_utf8_valid(s, n)) {
        *out = rego_str(p->a, s, n);
        return !rego_is_undef(*out);
    }
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rp_utf8_decode(s + i, n - i, &cp);
        if (k)
            rp_buf_append(&b, s + i, k);
        else
            rp_buf_append(&b, "\xEF\xBF\xBD", 3);
        i += k ? k : 1;
    }
    bool ok = !b.failed;
    if (ok)
        *out = rego_str(p->a, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    return ok && !rego_is_undef(*out);
}

/* ---- scalar resolution ---------------------------------------------------------- */

static ytag classify_tag(const char *tag)
{
    static const struct {
        const char *name;
        ytag t;
    } known[] = {
        {"str", YT_STR},     {"bool", YT_BOOL}, {"int", YT_INT},
        {"float", YT_FLOAT}, {"null", YT_NULL}, {"timestamp", YT_TIMESTAMP},
        {"binary", YT_BINARY}, {"merge", YT_MERGE},
    };
    if (!tag)
        return YT_NONE;
    size_t lp = sizeof(YAML_LONG_TAG) - 1;
    if (strncmp(tag, YAML_LONG_TAG, lp) != 0)
        return YT_OTHER;
    for (size_t i = 0; i < RP_ARRAY_LEN(known); i++)
        if (strcmp(tag + lp, known[i].name) == 0)
            return known[i].t;
    return YT_OTHER;
}

static const char *short_tag(ytag t)
{
    switch (t) {
    case YT_NONE: return "";
    case YT_STR: return "!!str";
    case YT_BOOL: return "!!bool";
    case YT_INT: return "!!int";
    case YT_FLOAT: return "!!float";
    case YT_NULL: return "!!null";
    case YT_TIMESTAMP: return "!!timestamp";
    case YT_BINARY: return "!!binary";
    case YT_MERGE: return "!!merge";
    case YT_OTHER: return "!";
    }
    return "";
}

static const char *const null_words[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const core_true[] = {"true", "True", "TRUE", NULL};
static const char *const core_false[] = {"false", "False", "FALSE", NULL};
static const char *const v2_true[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                      "on", "On", "ON", NULL};
static const char *const v2_false[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                       "off", "Off", "OFF", NULL};
static const char *const nan_words[] = {".nan", ".NaN", ".NAN", NULL};
static const char *const inf_words[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
static const char *const ninf_words[] = {"-.inf", "-.Inf", "-.INF", NULL};

/* The words both schemas map to null, booleans and special floats; returns
 * YT_NONE when s is none of them. */
static ytag resolve_word(rego_yaml_schema schema, const char *s, size_t n, ynode *out)
{
    bool k8s = schema == REGO_YAML_K8S;
    if (text_is(s, n, null_words)) {
        out->v = rego_null();
        return YT_NULL;
    }
    if (text_is(s, n, k8s ? v2_true : core_true) || text_is(s, n, k8s ? v2_false : core_false)) {
        out->v = rego_bool(text_is(s, n, k8s ? v2_true : core_true));
        return YT_BOOL;
    }
    yspecial sp = text_is(s, n, nan_words) ? YS_NAN : text_is(s, n, inf_words) ? YS_POS_INF
                  : text_is(s, n, ninf_words) ? YS_NEG_INF : YS_NONE;
    if (sp != YS_NONE) {
        out->special = sp;
        out->v = rego_float(0);
        return YT_FLOAT;
    }
    return YT_NONE;
}

/* go-yaml v2 on text that may be an integer or float (first byte a digit or
 * sign), with '_' removed: strconv.ParseInt(s, 0, 64), then ParseUint, then
 * yamlStyleFloat, then (only for an unsigned out-of-range integer, since a
 * decimal one already read as a float) big.Int.SetString(s, 0). */
static ytag resolve_v2_number(yparser *p, const char *s, size_t n, ynode *out, bool *nomem)
{
    size_t i = 0;
    bool neg = false, sign = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        sign = true;
        neg = s[0] == '-';
        i = 1;
    }
    int base = 10;
    if (i < n && s[i] == '0') {
        char c = n - i >= 3 ? (char)(s[i + 1] | 0x20) : 0;
        base = c == 'b' ? 2 : c == 'o' ? 8 : c == 'x' ? 16 : 8;
        i += (c == 'b' || c == 'o' || c == 'x') ? 2 : 1;
        if (i == n && base == 8 && s[i - 1] == '0') { /* "0" itself */
            out->v = rego_int(0);
            return YT_INT;
        }
    }
    bool syntax = i < n;
    uint64_t mag = 0;
    bool over = false;
    for (size_t k = i; k < n && syntax; k++) {
        int d = digit_in_base(s[k], base);
        if (d < 0)
            syntax = false;
        else if (__builtin_mul_overflow(mag, (uint64_t)base, &mag) ||
                 __builtin_add_overflow(mag, (uint64_t)d, &mag))
            over = true;
    }
    if (syntax && !over) {
        if (mag <= (uint64_t)INT64_MAX || (neg && mag == (uint64_t)INT64_MAX + 1)) {
            out->v = rego_int(neg ? (int64_t)(0 - mag) : (int64_t)mag);
            return YT_INT;
        }
        if (!sign) { /* ParseUint: a uint64 */
            mpz_t z;
            mpz_init_set_ui(z, (unsigned long)mag);
            out->v = rego_num_from_mpz(p->a, z);
            mpz_clear(z);
            *nomem = rego_is_undef(out->v);
            return YT_INT;
        }
    }
    if (float_syntax(s, n) && finite_float(p, s, n, &out->v, nomem))
        return YT_FLOAT;
    if (syntax && over && !sign) {
        if (exact_int(p, s + i, n - i, base, false, &out->v))
            return YT_INT;
        *nomem = true;
    }
    return YT_STR;
}

/* go-yaml v2's resolve() for an untagged or resolvable tag; out->v is left
 * UNDEF when the result is the text itself (a string). */
static ytag resolve_v2(yparser *p, ytag tag, const char *s, size_t n, ynode *out, bool *nomem)
{
    char c = n ? s[0] : 0;
    bool sign_or_digit = c == '+' || c == '-' || is_dig(c);
    /* go-yaml's resolveTable: only these first bytes can start a non-string */
    bool hinted = !n || sign_or_digit || c == '.' || (c && strchr("yYnNtTfFoO~", c));
    if (!hinted || tag == YT_STR)
        return YT_STR;
    ytag r = resolve_word(p->schema, s, n, out);
    if (r != YT_NONE)
        return r;
    if (c == '.' && dot_float_syntax(s, n) && finite_float(p, s, n, &out->v, nomem))
        return YT_FLOAT;
    if (!sign_or_digit)
        return YT_STR;
    if ((tag == YT_NONE || tag == YT_TIMESTAMP) && is_timestamp(s, n))
        return YT_TIMESTAMP;
    char *plain = tmp_reserve(p, n + 1);
    if (!plain) {
        *nomem = true;
        return YT_STR;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            plain[k++] = s[i];
    /* resolve_v2_number reuses p->tmp: give it its own copy */
    char small[128], *copy = k < sizeof(small) ? small : malloc(k + 1);
    if (!copy) {
        *nomem = true;
        return YT_STR;
    }
    memcpy(copy, plain, k);
    copy[k] = 0;
    r = resolve_v2_number(p, copy, k, out, nomem);
    if (copy != small)
        free(copy);
    return r;
}

/* The YAML 1.2 core schema (tag:yaml.org,2002 null, bool, int, float). */
static ytag resolve_core(yparser *p, ytag tag, const char *s, size_t n, ynode *out, bool *nomem)
{
    if (tag == YT_STR)
        return YT_STR;
    ytag r = resolve_word(p->schema, s, n, out);
    if (r != YT_NONE)
        return r;
    size_t i = n && (s[0] == '+' || s[0] == '-');
    bool dec = i < n;
    for (size_t k = i; k < n; k++)
        dec = dec && is_dig(s[k]);
    if (dec) {
        if (exact_int(p, s + i, n - i, 10, s[0] == '-', &out->v))
            return YT_INT;
        *nomem = true;
        return YT_STR;
    }
    if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
        if (exact_int(p, s + 2, n - 2, s[1] == 'o' ? 8 : 16, false, &out->v))
            return YT_INT;
        *nomem = rp_arena_failed(p->a);
    }
    if (float_syntax(s, n) && finite_float(p, s, n, &out->v, nomem))
        return YT_FLOAT;
    if (tag == YT_TIMESTAMP && is_timestamp(s, n))
        return YT_TIMESTAMP;
    return YT_STR;
}

static rp_status scalar_string(yparser *p, const yaml_event_t *e, ynode *out)
{
    out->v = rego_str(p->a, (const char *)e->data.scalar.value, e->data.scalar.length);
    return rego_is_undef(out->v) ? err_nomem(p, e->start_mark) : RP_OK;
}

static rp_status scalar_binary(yparser *p, const yaml_event_t *e, ynode *out)
{
    long len = b64_decode(p, (const char *)e->data.scalar.value, e->data.scalar.length);
    if (len == -2)
        return err_nomem(p, e->start_mark);
    if (len < 0)
        return err_late(p, YL_DECODE, e->start_mark,
                        "yaml: !!binary value contains invalid base64 data");
    /* make_json_string may use p->tmp's bytes only through its arguments */
    return make_json_string(p, p->tmp, (size_t)len, &out->v) ? RP_OK : err_nomem(p, e->start_mark);
}

/* Resolves a SCALAR event into out, as go-yaml's decoder does into an
 * interface{}: quoted and untagged is a string; otherwise resolve the text
 * and check it against an explicit tag. */
static rp_status resolve_scalar(yparser *p, const yaml_event_t *e, ynode *out)
{
    const char *s = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    const char *tagstr = (const char *)e->data.scalar.tag;
    bool implicit = e->data.scalar.plain_implicit != 0;
    memset(out, 0, sizeof(*out));
    out->nodes = 1;
    ytag tag = classify_tag(tagstr);
    out->merge_key = n == 2 && s[0] == '<' && s[1] == '<' && (implicit || tag == YT_MERGE);
    if ((!tagstr && !implicit) || tag == YT_STR || tag == YT_OTHER || tag == YT_MERGE)
        return scalar_string(p, e, out);
    if (tag == YT_BINARY)
        return scalar_binary(p, e, out);
    bool nomem = false;
    ytag r = p->schema == REGO_YAML_K8S ? resolve_v2(p, tag, s, n, out, &nomem)
                                        : resolve_core(p, tag, s, n, out, &nomem);
    if (nomem)
        return err_nomem(p, e->start_mark);
    if (tag != YT_NONE && r != tag) {
        if (tag == YT_FLOAT && r == YT_INT && out->v.sub == REGO_NUM_INT) {
            out->v = rego_float((double)out->v.u.i);
        } else {
            return err_late(p, YL_DECODE, e->start_mark, "yaml: cannot decode %s `%.*s` as a %s",
                          short_tag(r), (int)(n > YAML_SHOWN ? YAML_SHOWN : n), s, short_tag(tag));
        }
    }
    if (r == YT_STR || r == YT_TIMESTAMP || r == YT_MERGE)
        return scalar_string(p, e, out);
    return RP_OK;
}

/* ---- mapping keys ----------------------------------------------------------------- */

/* Go's strconv.FormatFloat(f, 'g', -1, 32), which sigs.k8s.io/yaml uses for
 * float keys: the shortest digits that read back as the same float32, in
 * exponent form when the exponent is < -4 or >= 6 (Go's rule for shortest
 * 'g', unlike C's %g). */
static void format_float32(double d, char *out, size_t cap)
{
    float f = (float)d;
    if (isnan(f)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(f)) {
        snprintf(out, cap, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (f == 0) {
        snprintf(out, cap, signbit(f) ? "-0" : "0");
        return;
    }
    char tmp[48];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
        if (strtof(tmp, NULL) == f)
            break;
    }
    char digits[16];
    size_t nd = 0;
    const char *q = tmp;
    bool neg = *q == '-';
    q += neg;
    for (; *q && *q != 'e'; q++)
        if (*q != '.')
            digits[nd++] = *q;
    int exp = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp < -4 || exp >= 6) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(out + o, cap - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = -1; i > exp; i--)
            out[o++] = '0';
        memcpy(out + o, digits, nd);
        o += nd;
    } else {
        for (int i = 0; i <= exp; i++)
            out[o++] = (size_t)i < nd ? digits[i] : '0';
        if ((size_t)exp + 1 < nd) {
            out[o++] = '.';
            memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
            o += nd - (size_t)exp - 1;
        }
    }
    out[o] = 0;
}

/* sigs.k8s.io/yaml's error for a key JSON cannot have, up to the value it
 * also prints: "unsupported map key of type: uint64, key: 0xffffffffffffffff"
 * (Go's %#v of a uint64 is hex; a larger integer is a *big.Int). */
static rp_status big_key_error(yparser *p, rego_value v, yaml_mark_t m)
{
    mpz_t z;
    mpz_init(z);
    rp_status rc;
    if (!rego_num_to_mpz(v, z)) {
        rc = err_nomem(p, m);
    } else if (mpz_sgn(z) > 0 && mpz_sizeinbase(z, 2) <= 64) {
        char hex[24];
        gmp_snprintf(hex, sizeof(hex), "%Zx", z);
        rc = err_late(p, YL_CONVERT, m, "unsupported map key of type: uint64, key: 0x%s", hex);
    } else {
        char dec[64];
        size_t len = mpz_sizeinbase(z, 10);
        if (len + 2 < sizeof(dec))
            mpz_get_str(dec, 10, z);
        else
            snprintf(dec, sizeof(dec), "...");
        rc = err_late(p, YL_CONVERT, m, "unsupported map key of type: *big.Int, key: %s", dec);
    }
    mpz_clear(z);
    return rc;
}

/* The string sigs.k8s.io/yaml makes of a mapping key (convertToJSONableObject). */
static rp_status key_string(yparser *p, const ynode *k, yaml_mark_t m, rego_value *out)
{
    char buf[64];
    const char *s = buf;
    *out = rego_str_borrow("", 0); /* stands in after a conversion error */
    switch ((rego_kind)k->v.kind) {
    case REGO_STRING:
        *out = k->v;
        return RP_OK;
    case REGO_BOOL:
        s = k->v.u.b ? "true" : "false";
        break;
    case REGO_NUMBER:
        if (k->special != YS_NONE) {
            s = k->special == YS_NAN ? ".nan" : k->special == YS_POS_INF ? ".inf" : "-.inf";
        } else if (k->v.sub == REGO_NUM_INT) {
            snprintf(buf, sizeof(buf), "%lld", (long long)k->v.u.i);
        } else if (k->v.sub == REGO_NUM_FLOAT) {
            format_float32(k->v.u.f, buf, sizeof(buf));
            /* a float32 overflow, spelled as go-yaml's encoder (and so
             * sigs.k8s.io/yaml) spells it */
            s = !strcmp(buf, "+Inf") ? ".inf" : !strcmp(buf, "-Inf") ? "-.inf" : buf;
        } else {
            return big_key_error(p, k->v, m);
        }
        break;
    case REGO_NULL:
    case REGO_UNDEF:
        return err_late(p, YL_CONVERT, m, "unsupported map key of type: %%!s(<nil>), key: <nil>");
    case REGO_ARRAY:
    case REGO_SET:
        return err_late(p, YL_DECODE, m, "yaml: invalid map key: []interface {}{...}");
    case REGO_OBJECT:
        return err_late(p, YL_DECODE, m, "yaml: invalid map key: map[interface {}]interface {}{...}");
    }
    *out = rego_str(p->a, s, strlen(s));
    return rego_is_undef(*out) ? err_nomem(p, m) : RP_OK;
}

/* ---- anchors --------------------------------------------------------------------- */

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static yanchor *anchor_slot(yparser *p, const char *name)
{
    size_t mask = p->capanchors - 1;
    for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask)
        if (!p->anchors[i].name || strcmp(p->anchors[i].name, name) == 0)
            return &p->anchors[i];
}

static yanchor *anchor_find(yparser *p, const char *name)
{
    if (!p->capanchors)
        return NULL;
    yanchor *a = anchor_slot(p, name);
    return a->name ? a : NULL;
}

static bool anchors_grow(yparser *p)
{
    size_t cap = p->capanchors ? p->capanchors * 2 : YAML_ANCHORS_MIN;
    yanchor *old = p->anchors, *t = calloc(cap, sizeof(yanchor));
    if (!t)
        return false;
    size_t oldcap = p->capanchors;
    p->anchors = t;
    p->capanchors = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].name)
            *anchor_slot(p, old[i].name) = old[i];
    free(old);
    return true;
}

/* Registers (or redefines) name; returns the entry or NULL without memory. */
static yanchor *anchor_define(yparser *p, const char *name)
{
    if ((p->nanchors + 1) * 2 > p->capanchors && !anchors_grow(p))
        return NULL;
    yanchor *a = anchor_slot(p, name);
    if (!a->name) {
        a->name = strdup(name);
        if (!a->name)
            return NULL;
        p->nanchors++;
    }
    a->id = ++p->anchor_serial;
    return a;
}

static void anchors_clear(yparser *p)
{
    for (size_t i = 0; i < p->capanchors; i++) {
        free(p->anchors[i].name);
        p->anchors[i].name = NULL;
    }
    p->nanchors = 0;
}

/* ---- building ---------------------------------------------------------------------- */

static rp_status open_frame(yparser *p, const yaml_event_t *e, yframe_kind kind)
{
    bool seq = kind == YF_SEQ;
    const char *anchor = (const char *)(seq ? e->data.sequence_start.anchor
                                            : e->data.mapping_start.anchor);
    if (p->depth >= REGO_YAML_MAX_DEPTH)
        return err_at(p, RP_ERR_LIMIT, e->start_mark, "yaml: exceeded max depth of %d",
                      REGO_YAML_MAX_DEPTH);
    yframe *f = &p->frames[p->depth];
    memset(f, 0, sizeof(*f));
    f->start = p->nstk;
    f->kind = kind;
    f->mark = e->start_mark;
    f->nodes = 1;
    /* go-yaml v2 ignores tags on collections (its parser does not keep them) */
    if (anchor) {
        yanchor *a = anchor_define(p, anchor);
        if (!a)
            return err_nomem(p, e->start_mark);
        a->in_progress = true;
        f->anchor_id = a->id;
        f->anchor_name = a->name;
    }
    p->depth++;
    return RP_OK;
}

static rp_status close_frame(yparser *p, const yaml_event_t *e, ynode *node)
{
    yframe *f = &p->frames[--p->depth];
    size_t n = p->nstk - f->start;
    memset(node, 0, sizeof(*node));
    node->nodes = f->nodes;
    node->height = f->height + 1;
    if (f->kind == YF_SEQ) {
        rego_value *items = rego_array_alloc(p->a, n, &node->v);
        if (!items)
            return err_nomem(p, e->start_mark);
        if (n)
            memcpy(items, p->stk + f->start, n * sizeof(rego_value));
    } else {
        rego_objent *ents = rego_object_alloc(p->a, n / 2, &node->v);
        if (!ents)
            return err_nomem(p, e->start_mark);
        if (n / 2)
            memcpy(ents, p->stk + f->start, n / 2 * sizeof(rego_objent));
        node->v = rego_object_seal(p->a, node->v); /* the last duplicate key wins */
        if (rego_is_undef(node->v))
            return err_nomem(p, e->start_mark);
    }
    p->nstk = f->start;
    if (f->anchor_id) {
        yanchor *a = anchor_find(p, f->anchor_name);
        if (a && a->id == f->anchor_id) { /* not redefined inside */
            a->node = *node;
            a->in_progress = false;
        }
    }
    return RP_OK;
}

/* Applies a merge key's value where the key stands (go-yaml v2 writes the
 * merged pairs into the map at that point; for a sequence, the last mapping
 * first so that earlier ones take precedence). */
static rp_status merge_into(yparser *p, const ynode *val, yaml_mark_t m)
{
    const rego_value v = val->v;
    bool ok = v.kind == REGO_OBJECT || (v.kind == REGO_ARRAY && !val->from_alias);
    for (size_t i = 0; ok && v.kind == REGO_ARRAY && i < v.n; i++)
        ok = v.u.items[i].kind == REGO_OBJECT;
    if (!ok)
        return err_late(p, YL_DECODE, m,
                        "yaml: map merge requires map or sequence of maps as the value");
    size_t count = v.kind == REGO_OBJECT ? 1 : v.n;
    for (size_t j = count; j-- > 0;) {
        rego_value o = v.kind == REGO_OBJECT ? v : v.u.items[j];
        for (size_t i = 0; i < o.n; i++) {
            rego_objent e = rego_object_at(o, i);
            if (!stk_push(p, e.key) || !stk_push(p, e.val))
                return err_nomem(p, m);
        }
    }
    return RP_OK;
}

static rp_status json_value_check(yparser *p, const ynode *node, yaml_mark_t m)
{
    if (node->special == YS_NONE)
        return RP_OK;
    return err_late(p, YL_CONVERT, m, "json: unsupported value: %s",
                  node->special == YS_NAN ? "NaN" : node->special == YS_POS_INF ? "+Inf" : "-Inf");
}

/* Attaches a finished node to the innermost open collection, or makes it the
 * document's root. */
static rp_status add_node(yparser *p, const ynode *node, yaml_mark_t m, ynode *root, bool *have_root)
{
    rp_status rc;
    if (p->depth == 0) {
        if ((rc = json_value_check(p, node, m)) != RP_OK)
            return rc;
        *root = *node;
        *have_root = true;
        return RP_OK;
    }
    yframe *f = &p->frames[p->depth - 1];
    f->nodes += node->nodes;
    if (node->height > f->height)
        f->height = node->height;
    if (f->kind == YF_MAP && !f->want_value) { /* a key */
        f->want_value = true;
        if (node->merge_key) {
            f->merge_pending = true;
            return RP_OK;
        }
        rego_value key;
        if ((rc = key_string(p, node, m, &key)) != RP_OK)
            return rc;
        return stk_push(p, key) ? RP_OK : err_nomem(p, m);
    }
    f->want_value = false;
    if (f->merge_pending) {
        f->merge_pending = false;
        return merge_into(p, node, m);
    }
    if ((rc = json_value_check(p, node, m)) != RP_OK)
        return rc;
    return stk_push(p, node->v) ? RP_OK : err_nomem(p, m);
}

static rp_status on_alias(yparser *p, const yaml_event_t *e, ynode *node)
{
    const char *name = (const char *)e->data.alias.anchor;
    yanchor *a = anchor_find(p, name);
    if (!a)
        return err_at(p, RP_ERR_SYNTAX, e->start_mark, "yaml: unknown anchor '%s' referenced", name);
    if (a->in_progress)
        return err_late(p, YL_DECODE, e->start_mark, "yaml: anchor '%s' value contains itself",
                        name);
    *node = a->node;
    node->from_alias = true;
    node->merge_key = false;
    p->expanded += node->nodes;
    if (p->expanded > REGO_YAML_MAX_ALIAS_EXPANSION)
        return err_at(p, RP_ERR_LIMIT, e->start_mark,
                      "yaml: document contains excessive aliasing (over %u nodes through aliases)",
                      REGO_YAML_MAX_ALIAS_EXPANSION);
    if ((uint64_t)p->depth + node->height > REGO_YAML_MAX_DEPTH)
        return err_at(p, RP_ERR_LIMIT, e->start_mark, "yaml: exceeded max depth of %d",
                      REGO_YAML_MAX_DEPTH);
    return RP_OK;
}

static rp_status on_scalar(yparser *p, const yaml_event_t *e, ynode *node)
{
    rp_status rc = resolve_scalar(p, e, node);
    const char *anchor = (const char *)e->data.scalar.anchor;
    if (rc != RP_OK || !anchor)
        return rc;
    yanchor *a = anchor_define(p, anchor);
    if (!a)
        return err_nomem(p, e->start_mark);
    a->in_progress = false;
    a->node = *node;
    a->node.merge_key = false;
    return RP_OK;
}

static rp_status doc_done(yparser *p, bool multi, const ynode *root, bool have_root)
{
    if (!multi || !have_root || root->v.kind == REGO_NULL)
        return RP_OK;
    if (p->ndocs == p->capdocs) {
        size_t cap = p->capdocs ? p->capdocs * 2 : 8;
        rego_value *d = realloc(p->docs, cap * sizeof(rego_value));
        if (!d)
            return err_at(p, RP_ERR_NOMEM, p->y.mark, "out of memory parsing YAML");
        p->docs = d;
        p->capdocs = cap;
    }
    p->docs[p->ndocs++] = root->v;
    return RP_OK;
}

/* After a decode error: anchors and aliases are still checked, as go-yaml's
 * parser does before its decoder runs. */
static rp_status on_event_skipping(yparser *p, const yaml_event_t *e)
{
    const yaml_char_t *anchor = NULL;
    switch (e->type) {
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        return report_late(p);
    case YAML_ALIAS_EVENT:
        if (!anchor_find(p, (const char *)e->data.alias.anchor))
            return err_at(p, RP_ERR_SYNTAX, e->start_mark, "yaml: unknown anchor '%s' referenced",
                          (const char *)e->data.alias.anchor);
        return RP_OK;
    case YAML_SCALAR_EVENT:
        anchor = e->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = e->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = e->data.mapping_start.anchor;
        break;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        break;
    }
    if (anchor && !anchor_define(p, (const char *)anchor))
        return err_nomem(p, e->start_mark);
    return RP_OK;
}

/* Handles one event; *done when the result is complete. */
static rp_status on_event(yparser *p, const yaml_event_t *e, bool multi, ynode *root,
                          bool *have_root, bool *done)
{
    if (p->skipping)
        return on_event_skipping(p, e);
    ynode node;
    rp_status rc = RP_OK;
    yaml_mark_t start = e->start_mark; /* where the finished node starts */
    switch (e->type) {
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
        return RP_OK;
    case YAML_STREAM_END_EVENT:
        *done = true;
        return RP_OK;
    case YAML_DOCUMENT_START_EVENT:
        anchors_clear(p); /* anchors do not cross documents (go-yaml: per document) */
        *have_root = false;
        return RP_OK;
    case YAML_DOCUMENT_END_EVENT:
        *done = !multi;
        if ((rc = report_late(p)) != RP_OK)
            return rc;
        return doc_done(p, multi, root, *have_root);
    case YAML_SEQUENCE_START_EVENT:
        return open_frame(p, e, YF_SEQ);
    case YAML_MAPPING_START_EVENT:
        return open_frame(p, e, YF_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        start = p->frames[p->depth - 1].mark;
        rc = close_frame(p, e, &node);
        break;
    case YAML_ALIAS_EVENT:
        rc = on_alias(p, e, &node);
        break;
    case YAML_SCALAR_EVENT:
        rc = on_scalar(p, e, &node);
        break;
    }
    if (rc != RP_OK)
        return rc;
    return add_node(p, &node, start, root, have_root);
}

static rp_status run(yparser *p, bool multi, rego_value *out)
{
    ynode root = {0};
    bool have_root = false, done = false;
    rp_status rc = RP_OK;
    while (!done && rc == RP_OK) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p->y, &e))
            return libyaml_error(p);
        rc = on_event(p, &e, multi, &root, &have_root, &done);
        if (rc != RP_OK && p->late_raised) { /* kept for the document's end */
            p->late_raised = false;
            rc = RP_OK;
        }
        yaml_event_delete(&e);
    }
    if (rc != RP_OK)
        return rc;
    if (!multi) {
        *out = have_root ? root.v : rego_null();
        return RP_OK;
    }
    rego_value *items = rego_array_alloc(p->a, p->ndocs, out);
    if (!items)
        return err_nomem(p, p->y.mark);
    if (p->ndocs)
        memcpy(items, p->docs, p->ndocs * sizeof(rego_value));
    return RP_OK;
}

rp_status rego_yaml_parse(rp_arena *a, const char *s, size_t n, const char *filename,
                          rego_yaml_schema schema, bool multi, rego_value *out, rp_error *err)
{
    rp_loc none = {filename, 0, 0};
    yparser *p = malloc(sizeof(*p));
    if (!p)
        return rp_error_set(err, RP_ERR_NOMEM, none, "out of memory parsing YAML");
    memset(p, 0, offsetof(yparser, frames));
    if (!s)
        s = ""; /* no arithmetic on a null pointer, even for n == 0 */
    p->a = a;
    p->base = s;
    p->n = n;
    p->filename = filename;
    p->err = err;
    p->schema = schema;
    rp_status rc;
    if (!yaml_parser_initialize(&p->y)) {
        rc = rp_error_set(err, RP_ERR_NOMEM, none, "out of memory parsing YAML");
    } else {
        yaml_parser_set_input_string(&p->y, (const unsigned char *)s, n);
        rc = run(p, multi, out);
        yaml_parser_delete(&p->y);
    }
    anchors_clear(p);
    free(p->anchors);
    free(p->stk);
    free(p->docs);
    free(p->tmp);
    free(p);
    return rc;
}

rp_status rego_yaml_parse_file(rp_arena *a, const char *path, rego_yaml_schema schema, bool multi,
                               rego_value *out, rp_error *err)
{
    char *buf;
    size_t len;
    rp_status rc = rp_read_file(path, REGO_DOC_MAX_BYTES, &buf, &len, err);
    if (rc != RP_OK)
        return rc;
    rc = rego_yaml_parse(a, buf, len, path, schema, multi, out, err);
    free(buf);
    return rc;
}
