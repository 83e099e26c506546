/*
 * time.c — the builtin group "time": time.now_ns, time.parse_ns,
 * time.parse_rfc3339_ns, time.parse_duration_ns, time.date, time.clock,
 * time.weekday, time.add_date, time.diff and time.format.
 *
 * OPA implements these with Go's time package, so this file reproduces the
 * parts of it they reach: Go's layout language for formatting and parsing
 * (every element Go knows, the named constants OPA maps, Go's exact
 * ParseError texts), ParseDuration, Date's normalisation (AddDate), and
 * LoadLocation over the system tz database (TZif files in
 * /usr/share/zoneinfo, including the POSIX TZ rule in their footer that
 * covers times after the last transition).  No libc time-zone state is used
 * (no setenv("TZ")/tzset/localtime), so every function is thread-safe.
 *
 * Instants are (seconds, nanoseconds) since the Unix epoch; every result is
 * checked against the int64-nanosecond range OPA allows ("time outside of
 * valid range"), and inputs that are not integral int64 nanoseconds give
 * OPA's "timestamp too big".
 *
 * Global state: a process-wide cache of loaded zones (struct tz_cache below),
 * bounded by REGO_TZ_CACHE_MAX_ENTRIES, guarded by one mutex; a zone is
 * reference-counted while a builtin uses it, so eviction never frees a zone
 * in use.  Zones are immutable once loaded.
 *
 * Known divergence: Go computes AddDate with wrapping int arithmetic, so
 * absurd year/month/day counts (beyond about 10^11 years) give arbitrary
 * instants there; here they give the mathematically right instant or the
 * range error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../builtin.h"
#include "gotime.h"
#include "../limits.h"

/* ---- instants and the civil calendar ---------------------------------------- */

#define NS_PER_SEC 1000000000LL
#define SECS_PER_DAY 86400LL

/* The instants OPA accepts: time.Unix(0, math.MinInt64 / math.MaxInt64). */
#define MIN_SEC (-9223372037LL)
#define MIN_NSEC 145224192
#define MAX_SEC 9223372036LL
#define MAX_NSEC 854775807

/* Go's alpha and omega: the ends of time for zone transitions. */
#define TZ_ALPHA INT64_MIN
#define TZ_OMEGA INT64_MAX

typedef struct {
    int64_t sec;  /* seconds since the epoch (UTC) */
    int32_t nsec; /* [0, 1e9) */
} instant;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int m, int64_t y)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days before month m (1-based) in a non-leap year. */
static const int days_before[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

/* Days from 1970-01-01 to y-m-d (m in 1..12, d from 1): the era-based
 * proleptic Gregorian count; exact for |y| up to about 10^13. */
static int64_t days_from_civil(int64_t y, int m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct {
    int64_t year;
    int month, day, yday; /* yday 1-based */
    int hour, min, sec;
    int wday;             /* 0 = Sunday */
} civil;

static void civil_from_days(int64_t z, civil *c)
{
    int64_t days = z;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = yoe + era * 400 + (c->month <= 2);
    c->yday = (int)(days - days_from_civil(c->year, 1, 1) + 1);
    c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

/* Civil fields of the local time sec + off. */
static void civil_at(int64_t sec, int32_t off, civil *c)
{
    int64_t l = sec + off;
    int64_t d = floor_div(l, SECS_PER_DAY);
    int64_t s = l - d * SECS_PER_DAY;
    civil_from_days(d, c);
    c->hour = (int)(s / 3600);
    c->min = (int)(s / 60 % 60);
    c->sec = (int)(s % 60);
}

static bool instant_ok(instant t)
{
    if (t.sec < MIN_SEC || (t.sec == MIN_SEC && t.nsec < MIN_NSEC))
        return false;
    return !(t.sec > MAX_SEC || (t.sec == MAX_SEC && t.nsec > MAX_NSEC));
}

static instant instant_from_ns(int64_t ns)
{
    instant t = {floor_div(ns, NS_PER_SEC), 0};
    t.nsec = (int32_t)(ns % NS_PER_SEC < 0 ? ns % NS_PER_SEC + NS_PER_SEC : ns % NS_PER_SEC);
    return t;
}

static const char *const long_days[7] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
static const char *const long_months[12] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};

/* ---- Go's quote (time package flavour) --------------------------------------------
 * Every byte of a non-ASCII rune or of a control character becomes \xNN;
 * '"' and '\\' get a backslash; everything else is copied. */
static void go_quote(rp_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    rp_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < ' ') {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            rp_buf_append(b, e, 4);
            continue;
        }
        if (c == '"' || c == '\\')
            rp_buf_putc(b, '\\');
        rp_buf_putc(b, (char)c);
    }
    rp_buf_putc(b, '"');
}

/* Reports the message in b as an eval_builtin_error (OPA wraps Go's plain
 * errors that way) and frees b. */
static rp_status buf_error(rego_bctx *ctx, rp_buf *b)
{
    rp_status st = b->failed ? rego_bi_nomem(ctx) : rego_bi_errorf(ctx, "%s", rp_buf_cstr(b));
    rp_buf_free(b);
    return st;
}

/* ---- zones ---------------------------------------------------------------------- */

typedef struct {
    int32_t off;
    bool dst;
    uint32_t abbr; /* offset of the NUL-terminated abbreviation in zone->chars */
} tz_type;

typedef struct tz_zone {
    char *key;          /* the name it was loaded by (cache key) */
    unsigned refs;      /* holders, including the cache; under tz_cache.mu */
    uint64_t last_used; /* LRU tick; under tz_cache.mu */
    size_t ntypes, ntx;
    tz_type *types;
    int64_t *when;      /* transition instants, ascending */
    uint8_t *idx;       /* type index per transition */
    char *chars;        /* abbreviations, NUL-terminated (nchars + 1 bytes) */
    char *extend;       /* POSIX TZ rule from the footer, "" when none */
} tz_zone;

/* UTC: no types at all, which lookup() answers with "UTC" at offset 0. */
static tz_zone tz_utc = {.key = (char *)"UTC", .refs = 1, .extend = (char *)""};

static void zone_free(tz_zone *z)
{
    if (!z || z == &tz_utc)
        return;
    free(z->key);
    free(z->types);
    free(z->when);
    free(z->idx);
    free(z->chars);
    free(z->extend);
    free(z);
}

/* Big-endian reader over a TZif file; any overrun sets bad. */
typedef struct {
    const unsigned char *p;
    size_t n;
    bool bad;
} rd;

static const unsigned char *rd_take(rd *r, size_t n)
{
    if (r->bad || r->n < n) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *p = r->p;
    r->p += n;
    r->n -= n;
    return p;
}

static uint32_t rd_u32(rd *r)
{
    const unsigned char *p = rd_take(r, 4);
    return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static uint64_t rd_u64(rd *r)
{
    uint64_t hi = rd_u32(r);
    return hi << 32 | rd_u32(r);
}

enum { TZ_NUTC, TZ_NSTD, TZ_NLEAP, TZ_NTIME, TZ_NTYPE, TZ_NCHAR };

/* Reads the header counts after the magic; false on malformed data. */
static bool tzif_header(rd *r, int *version, uint32_t n[6])
{
    const unsigned char *m = rd_take(r, 4);
    if (!m || memcmp(m, "TZif", 4) != 0)
        return false;
    const unsigned char *h = rd_take(r, 16);
    if (!h)
        return false;
    switch (h[0]) {
    case 0: *version = 1; break;
    case '2': *version = 2; break;
    case '3': *version = 3; break;
    default: return false;
    }
    for (int i = 0; i < 6; i++)
        n[i] = rd_u32(r);
    return !r->bad;
}

/* Parses a TZif file as Go's LoadLocationFromTZData does: the 64-bit body
 * of version 2+ files, the footer rule, and a fake transition at the
 * beginning of time for zones without any.  NULL on malformed data. */
static tz_zone *tzif_parse(const unsigned char *data, size_t len)
{
    rd r = {data, len, false};
    int version;
    uint32_t n[6];
    if (!tzif_header(&r, &version, n))
        return NULL;
    size_t tsize = 4;
    if (version > 1) {
        size_t skip = (size_t)n[TZ_NTIME] * 5 + (size_t)n[TZ_NTYPE] * 6 + n[TZ_NCHAR] +
                      (size_t)n[TZ_NLEAP] * 8 + n[TZ_NSTD] + n[TZ_NUTC];
        rd_take(&r, skip);
        if (!tzif_header(&r, &version, n))
            return NULL;
        tsize = 8;
    }
    const unsigned char *times = rd_take(&r, (size_t)n[TZ_NTIME] * tsize);
    const unsigned char *idx = rd_take(&r, n[TZ_NTIME]);
    const unsigned char *types = rd_take(&r, (size_t)n[TZ_NTYPE] * 6);
    const unsigned char *chars = rd_take(&r, n[TZ_NCHAR]);
    rd_take(&r, (size_t)n[TZ_NLEAP] * (tsize + 4));
    rd_take(&r, n[TZ_NSTD]);
    rd_take(&r, n[TZ_NUTC]);
    if (r.bad || n[TZ_NTYPE] == 0)
        return NULL;

    tz_zone *z = calloc(1, sizeof(*z));
    size_t ntx = n[TZ_NTIME] ? n[TZ_NTIME] : 1;
    if (!z)
        return NULL;
    z->ntypes = n[TZ_NTYPE];
    z->ntx = ntx;
    z->types = calloc(z->ntypes, sizeof(tz_type));
    z->when = calloc(ntx, sizeof(int64_t));
    z->idx = calloc(ntx, 1);
    z->chars = calloc((size_t)n[TZ_NCHAR] + 1, 1);
    if (!z->types || !z->when || !z->idx || !z->chars)
        goto bad;
    if (n[TZ_NCHAR])
        memcpy(z->chars, chars, n[TZ_NCHAR]);
    for (size_t i = 0; i < z->ntypes; i++) {
        const unsigned char *t = types + i * 6;
        z->types[i].off = (int32_t)((uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 |
                                    (uint32_t)t[2] << 8 | t[3]);
        z->types[i].dst = t[4] != 0;
        if (t[5] >= n[TZ_NCHAR])
            goto bad;
        z->types[i].abbr = t[5];
    }
    for (size_t i = 0; i < n[TZ_NTIME]; i++) {
        rd tr = {times + i * tsize, tsize, false};
        z->when[i] = tsize == 8 ? (int64_t)rd_u64(&tr) : (int64_t)(int32_t)rd_u32(&tr);
        if (idx[i] >= z->ntypes)
            goto bad;
        z->idx[i] = idx[i];
    }
    if (n[TZ_NTIME] == 0)
        z->when[0] = TZ_ALPHA;
    /* The footer: "\n<rule>\n" right after the body. */
    const char *ext = "";
    size_t elen = 0;
    if (r.n > 2 && r.p[0] == '\n' && r.p[r.n - 1] == '\n') {
        ext = (const char *)r.p + 1;
        elen = r.n - 2;
    }
    z->extend = strndup(ext, elen);
    if (!z->extend)
        goto bad;
    return z;
bad:
    zone_free(z);
    return NULL;
}

/* Go's syscall error texts are glibc's with a lower-case first letter. */
static void errno_text(int e, char *out, size_t cap)
{
    const char *s = strerror_r(e, out, cap); /* GNU variant: may return a static string */
    if (s != out)
        snprintf(out, cap, "%s", s);
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* Reads path whole (at most REGO_TZ_FILE_MAX_BYTES, as Go's readFile).
 * Returns 0 or an errno; -1 when the file is too large. */
static int read_whole(const char *path, unsigned char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    int rc = buf ? 0 : ENOMEM;
    while (rc == 0) {
        if (n == cap) {
            unsigned char *nb = cap > REGO_TZ_FILE_MAX_BYTES ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                rc = cap > REGO_TZ_FILE_MAX_BYTES ? -1 : ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            rc = errno;
        else if (k == 0)
            break;
        else
            n += (size_t)k;
    }
    close(fd);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Loads the zone in file path.  On failure writes Go's error text into msg
 * and returns NULL; *enoent tells "no such file" apart (Go then tries the
 * next source). */
static tz_zone *zone_load_file(const char *path, bool *enoent, char *msg, size_t cap)
{
    unsigned char *data = NULL;
    size_t len = 0;
    *enoent = false;
    int rc = read_whole(path, &data, &len);
    if (rc == ENOENT) {
        *enoent = true;
        return NULL;
    }
    if (rc == -1) {
        snprintf(msg, cap, "time: file %s is too large", path);
        return NULL;
    }
    if (rc != 0) {
        errno_text(rc, msg, cap);
        return NULL;
    }
    tz_zone *z = tzif_parse(data, len);
    free(data);
    if (!z)
        snprintf(msg, cap, "malformed time zone information");
    return z;
}

/* The directories Go's LoadLocation searches on Unix, in order. */
static const char *const zone_dirs[] = {"/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/",
                                        "/usr/lib/locale/TZ/", "/etc/zoneinfo/"};

/* Go's loadLocation over the system directories: the first file that loads
 * wins; otherwise the first error that is not "no such file", otherwise
 * "unknown time zone NAME". */
static tz_zone *zone_load_named(const char *name, size_t nlen, char *msg, size_t cap)
{
    char first[160] = "";
    for (size_t i = 0; i < RP_ARRAY_LEN(zone_dirs); i++) {
        char path[512], m[160] = "";
        bool enoent;
        if (nlen > 400) { /* open() would say so too; keep the path bounded */
            if (!first[0])
                errno_text(ENAMETOOLONG, first, sizeof(first));
            continue;
        }
        snprintf(path, sizeof(path), "%s%.*s", zone_dirs[i], (int)nlen, name);
        if (memchr(name, 0, nlen)) { /* Go's open refuses names with NUL */
            if (!first[0])
                errno_text(EINVAL, first, sizeof(first));
            continue;
        }
        tz_zone *z = zone_load_file(path, &enoent, m, sizeof(m));
        if (z)
            return z;
        if (!enoent && !first[0])
            snprintf(first, sizeof(first), "%s", m);
    }
    if (first[0])
        snprintf(msg, cap, "%s", first);
    else
        snprintf(msg, cap, "unknown time zone %.*s", (int)(nlen > 100 ? 100 : nlen), name);
    return NULL;
}

/* Go's initLocal: $TZ unset means /etc/localtime, "" means UTC, ":x" or "x"
 * an absolute file or a name in the zone directories; UTC when that fails. */
static tz_zone *zone_load_local(void)
{
    const char *tz = getenv("TZ"); /* nothing in rampart calls setenv */
    char msg[160];
    bool enoent;
    tz_zone *z = NULL;
    if (!tz) {
        z = zone_load_file("/etc/localtime", &enoent, msg, sizeof(msg));
    } else if (tz[0]) {
        if (tz[0] == ':')
            tz++;
        if (tz[0] == '/')
            z = zone_load_file(tz, &enoent, msg, sizeof(msg));
        else if (tz[0] && strcmp(tz, "UTC") != 0)
            z = zone_load_named(tz, strlen(tz), msg, sizeof(msg));
    }
    return z;
}

/* ---- the zone cache ---------------------------------------------------------------- */

static struct {
    pthread_mutex_t mu;
    tz_zone *ents[REGO_TZ_CACHE_MAX_ENTRIES];
    uint64_t tick;
} tz_cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Drops one reference (under the lock); frees the zone at zero. */
static void zone_unref_locked(tz_zone *z)
{
    if (z && z != &tz_utc && --z->refs == 0)
        zone_free(z);
}

static void zone_release(tz_zone *z)
{
    if (!z || z == &tz_utc)
        return;
    pthread_mutex_lock(&tz_cache.mu);
    zone_unref_locked(z);
    pthread_mutex_unlock(&tz_cache.mu);
}

static tz_zone *cache_find_locked(const char *key, size_t klen)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(tz_cache.ents); i++) {
        tz_zone *z = tz_cache.ents[i];
        if (z && strlen(z->key) == klen && memcmp(z->key, key, klen) == 0) {
            z->refs++;
            z->last_used = ++tz_cache.tick;
            return z;
        }
    }
    return NULL;
}

/* Inserts z (which the caller holds one reference to) unless another thread
 * loaded the same key meanwhile; returns the zone to use. */
static tz_zone *cache_insert(tz_zone *z)
{
    pthread_mutex_lock(&tz_cache.mu);
    tz_zone *have = cache_find_locked(z->key, strlen(z->key));
    if (have) {
        pthread_mutex_unlock(&tz_cache.mu);
        zone_free(z);
        return have;
    }
    size_t slot = 0;
    for (size_t i = 0; i < RP_ARRAY_LEN(tz_cache.ents); i++) {
        if (!tz_cache.ents[i]) {
            slot = i;
            break;
        }
        if (tz_cache.ents[i]->last_used < tz_cache.ents[slot]->last_used)
            slot = i;
    }
    zone_unref_locked(tz_cache.ents[slot]); /* evicted: freed once its users let go */
    z->refs = 2;                            /* the cache and the caller */
    z->last_used = ++tz_cache.tick;
    tz_cache.ents[slot] = z;
    pthread_mutex_unlock(&tz_cache.mu);
    return z;
}

/* OPA's zone names: "" and "UTC" are UTC, "Local" the system zone, anything
 * else LoadLocation.  Returns a held zone (release with zone_release) or
 * NULL with Go's error text in msg. */
static tz_zone *zone_get(const char *name, size_t nlen, char *msg, size_t cap)
{
    if (nlen == 0 || (nlen == 3 && memcmp(name, "UTC", 3) == 0))
        return &tz_utc;
    bool local = nlen == 5 && memcmp(name, "Local", 5) == 0;
    if (!local) {
        if (name[0] == '/' || name[0] == '\\' || (nlen >= 2 && memmem(name, nlen, "..", 2))) {
            snprintf(msg, cap, "time: invalid location name");
            return NULL;
        }
    }
    pthread_mutex_lock(&tz_cache.mu);
    tz_zone *z = cache_find_locked(name, nlen);
    pthread_mutex_unlock(&tz_cache.mu);
    if (z)
        return z;
    z = local ? zone_load_local() : zone_load_named(name, nlen, msg, cap);
    if (!z)
        return local ? &tz_utc : NULL;
    z->key = strndup(name, nlen);
    if (!z->key) {
        zone_free(z);
        snprintf(msg, cap, "out of memory");
        return NULL;
    }
    return cache_insert(z);
}

/* ---- zone lookup (Go's Location.lookup) --------------------------------------------- */

typedef struct {
    const char *name;
    size_t nlen;
    int32_t off;
    int64_t start, end;
    bool dst;
} tz_info;

/* A rule of a POSIX TZ string: Jn, n or Mm.w.d, with a time of day. */
typedef struct {
    enum { RULE_JULIAN, RULE_DOY, RULE_MWD } kind;
    int day, week, mon;
    int64_t time;
} tz_rule;

typedef struct {
    const char *s, *end;
} tzs;

static bool tzs_num(tzs *p, int min, int max, int *out)
{
    int n = 0;
    const char *start = p->s;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        n = n * 10 + (*p->s++ - '0');
        if (n > max)
            return false;
    }
    *out = n;
    return p->s != start && n >= min;
}

static bool tzs_name(tzs *p, const char **name, size_t *nlen)
{
    if (p->s >= p->end)
        return false;
    if (*p->s == '<') {
        const char *gt = memchr(p->s, '>', (size_t)(p->end - p->s));
        if (!gt)
            return false;
        *name = p->s + 1;
        *nlen = (size_t)(gt - p->s - 1);
        p->s = gt + 1;
        return true;
    }
    const char *q = p->s;
    while (q < p->end && !strchr("0123456789,-+", *q))
        q++;
    if (q - p->s < 3)
        return false;
    *name = p->s;
    *nlen = (size_t)(q - p->s);
    p->s = q;
    return true;
}

/* [+-]hh[:mm[:ss]] in seconds; hours up to 24*7 as tzcode allows. */
static bool tzs_offset(tzs *p, int64_t *out)
{
    bool neg = false;
    int h, m = 0, s = 0;
    if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
        neg = *p->s++ == '-';
    if (!tzs_num(p, 0, 24 * 7, &h))
        return false;
    if (p->s < p->end && *p->s == ':') {
        p->s++;
        if (!tzs_num(p, 0, 59, &m))
            return false;
        if (p->s < p->end && *p->s == ':') {
            p->s++;
            if (!tzs_num(p, 0, 59, &s))
                return false;
        }
    }
    *out = (int64_t)h * 3600 + m * 60 + s;
    if (neg)
        *out = -*out;
    return true;
}

static bool tzs_rule(tzs *p, tz_rule *r)
{
    if (p->s >= p->end)
        return false;
    if (*p->s == 'J') {
        p->s++;
        r->kind = RULE_JULIAN;
        if (!tzs_num(p, 1, 365, &r->day))
            return false;
    } else if (*p->s == 'M') {
        p->s++;
        r->kind = RULE_MWD;
        if (!tzs_num(p, 1, 12, &r->mon) || p->s >= p->end || *p->s++ != '.' ||
            !tzs_num(p, 1, 5, &r->week) || p->s >= p->end || *p->s++ != '.' ||
            !tzs_num(p, 0, 6, &r->day))
            return false;
    } else {
        r->kind = RULE_DOY;
        if (!tzs_num(p, 0, 365, &r->day))
            return false;
    }
    r->time = 2 * 3600;
    if (p->s < p->end && *p->s == '/') {
        p->s++;
        return tzs_offset(p, &r->time);
    }
    return true;
}

/* Seconds from the start of year to the rule's moment, given the offset in
 * force before it. */
static int64_t tz_rule_time(int64_t year, const tz_rule *r, int64_t off)
{
    int64_t s = 0;
    switch (r->kind) {
    case RULE_JULIAN:
        s = (int64_t)(r->day - 1) * SECS_PER_DAY;
        if (is_leap(year) && r->day >= 60)
            s += SECS_PER_DAY;
        break;
    case RULE_DOY:
        s = (int64_t)r->day * SECS_PER_DAY;
        break;
    case RULE_MWD: {
        civil c;
        civil_from_days(days_from_civil(year, r->mon, 1), &c);
        int d = r->day - c.wday;
        if (d < 0)
            d += 7;
        for (int i = 1; i < r->week; i++) {
            if (d + 7 >= days_in(r->mon, year))
                break;
            d += 7;
        }
        d += days_before[r->mon - 1];
        if (is_leap(year) && r->mon > 2)
            d++;
        s = (int64_t)d * SECS_PER_DAY;
        break;
    }
    }
    return s + r->time - off;
}

/* Go's tzset: the zone a POSIX TZ rule gives for sec; false when the rule
 * does not parse. */
static bool tz_extend(const char *ext, int64_t init_end, int64_t sec, tz_info *out)
{
    tzs p = {ext, ext + strlen(ext)};
    const char *sn, *dn;
    size_t sl, dl;
    int64_t soff, doff;
    if (!tzs_name(&p, &sn, &sl) || !tzs_offset(&p, &soff))
        return false;
    soff = -soff;
    if (p.s == p.end || *p.s == ',') {
        *out = (tz_info){sn, sl, (int32_t)soff, init_end, TZ_OMEGA, false};
        return true;
    }
    if (!tzs_name(&p, &dn, &dl))
        return false;
    if (p.s == p.end || *p.s == ',') {
        doff = soff + 3600;
    } else {
        if (!tzs_offset(&p, &doff))
            return false;
        doff = -doff;
    }
    tz_rule r1, r2;
    static const char dflt[] = ",M3.2.0,M11.1.0";
    if (p.s == p.end)
        p = (tzs){dflt, dflt + sizeof(dflt) - 1};
    if (*p.s != ',' && *p.s != ';')
        return false;
    p.s++;
    if (!tzs_rule(&p, &r1) || p.s >= p.end || *p.s != ',')
        return false;
    p.s++;
    if (!tzs_rule(&p, &r2) || p.s != p.end)
        return false;

    civil c;
    civil_at(sec, 0, &c);
    /* Go adds sec % 86400 with a truncating remainder, so times before
     * 1970 come out shifted; kept for fidelity. */
    int64_t ysec = (int64_t)(c.yday - 1) * SECS_PER_DAY + sec % SECS_PER_DAY;
    int64_t abs = days_from_civil(c.year, 1, 1) * SECS_PER_DAY;
    int64_t s1 = tz_rule_time(c.year, &r1, soff), s2 = tz_rule_time(c.year, &r2, doff);
    bool ddst = true, sdst = false;
    if (s2 < s1) { /* southern hemisphere: the labels swap */
        int64_t t = s1; s1 = s2; s2 = t;
        const char *tn = sn; sn = dn; dn = tn;
        size_t tl = sl; sl = dl; dl = tl;
        t = soff; soff = doff; doff = t;
        sdst = true;
        ddst = false;
    }
    if (ysec < s1)
        *out = (tz_info){sn, sl, (int32_t)soff, abs, s1 + abs, sdst};
    else if (ysec >= s2)
        *out = (tz_info){sn, sl, (int32_t)soff, s2 + abs, abs + 365 * SECS_PER_DAY, sdst};
    else
        *out = (tz_info){dn, dl, (int32_t)doff, s1 + abs, s2 + abs, ddst};
    return true;
}

static size_t first_zone(const tz_zone *z)
{
    bool used0 = false;
    for (size_t i = 0; i < z->ntx && !used0; i++)
        used0 = z->idx[i] == 0;
    if (!used0)
        return 0;
    if (z->ntx > 0 && z->types[z->idx[0]].dst)
        for (size_t zi = z->idx[0]; zi-- > 0;)
            if (!z->types[zi].dst)
                return zi;
    for (size_t zi = 0; zi < z->ntypes; zi++)
        if (!z->types[zi].dst)
            return zi;
    return 0;
}

static tz_info type_info(const tz_zone *z, size_t ti, int64_t start, int64_t end)
{
    const char *n = z->chars + z->types[ti].abbr;
    return (tz_info){n, strlen(n), z->types[ti].off, start, end, z->types[ti].dst};
}

/* The zone in force at sec, with the span it is known to hold for. */
static tz_info zone_lookup(const tz_zone *z, int64_t sec)
{
    if (z->ntypes == 0)
        return (tz_info){"UTC", 3, 0, TZ_ALPHA, TZ_OMEGA, false};
    if (z->ntx == 0 || sec < z->when[0])
        return type_info(z, first_zone(z), TZ_ALPHA, z->ntx ? z->when[0] : TZ_OMEGA);
    size_t lo = 0, hi = z->ntx;
    int64_t end = TZ_OMEGA;
    while (hi - lo > 1) {
        size_t m = lo + (hi - lo) / 2;
        if (sec < z->when[m]) {
            end = z->when[m];
            hi = m;
        } else {
            lo = m;
        }
    }
    tz_info ti = type_info(z, z->idx[lo], z->when[lo], end);
    tz_info ext;
    if (lo == z->ntx - 1 && z->extend[0] && tz_extend(z->extend, end, sec, &ext))
        return ext;
    return ti;
}

/* Go's Location.lookupName: the offset of the zone abbreviation name near
 * the pseudo-instant unix (the wall time read as UTC). */
static bool zone_lookup_name(const tz_zone *z, const char *name, size_t nlen, int64_t unix,
                             int32_t *off)
{
    for (size_t i = 0; i < z->ntypes; i++) {
        const char *n = z->chars + z->types[i].abbr;
        if (strlen(n) == nlen && memcmp(n, name, nlen) == 0) {
            tz_info ti = zone_lookup(z, unix - z->types[i].off);
            if (ti.nlen == nlen && memcmp(ti.name, name, nlen) == 0) {
                *off = ti.off;
                return true;
            }
        }
    }
    for (size_t i = 0; i < z->ntypes; i++) {
        const char *n = z->chars + z->types[i].abbr;
        if (strlen(n) == nlen && memcmp(n, name, nlen) == 0) {
            *off = z->types[i].off;
            return true;
        }
    }
    return false;
}

/* Go's Date(): the instant of a wall time in zone z.  Fields beyond their
 * ranges are normalised (month into year, days into months); false when the
 * computation leaves int64 (the caller then reports the range error). */
static void norm(int64_t *hi, int64_t *lo, int64_t base)
{
    if (*lo < 0) {
        int64_t n = (-*lo - 1) / base + 1;
        *hi -= n;
        *lo += n * base;
    }
    if (*lo >= base) {
        int64_t n = *lo / base;
        *hi += n;
        *lo -= n * base;
    }
}

#define DATE_MAX_YEAR 10000000000000LL /* far beyond any valid instant */

static bool date_in(const tz_zone *z, int64_t year, int64_t month, int64_t day, int hour,
                    int min, int sec, int32_t nsec, instant *out)
{
    int64_t m = month - 1, days, unix;
    norm(&year, &m, 12);
    if (year > DATE_MAX_YEAR || year < -DATE_MAX_YEAR)
        return false;
    if (__builtin_add_overflow(days_from_civil(year, (int)m + 1, 1), day - 1, &days))
        return false;
    if (days > DATE_MAX_YEAR || days < -DATE_MAX_YEAR)
        return false;
    unix = days * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
    tz_info ti = zone_lookup(z, unix);
    int32_t off = ti.off;
    if (off != 0) {
        int64_t utc = unix - off;
        if (utc < ti.start || utc >= ti.end)
            off = zone_lookup(z, utc).off;
        unix -= off;
    }
    out->sec = unix;
    out->nsec = nsec;
    return true;
}

/* ---- Go layouts ------------------------------------------------------------------- */

typedef enum {
    STD_NONE = 0,
    STD_LONG_MONTH, STD_MONTH, STD_NUM_MONTH, STD_ZERO_MONTH,
    STD_LONG_WEEKDAY, STD_WEEKDAY,
    STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY, STD_UNDER_YEARDAY, STD_ZERO_YEARDAY,
    STD_HOUR, STD_HOUR12, STD_ZERO_HOUR12, STD_MINUTE, STD_ZERO_MINUTE,
    STD_SECOND, STD_ZERO_SECOND,
    STD_LONG_YEAR, STD_YEAR, STD_PM_UPPER, STD_PM_LOWER,
    STD_TZ,
    STD_ISO_TZ, STD_ISO_SECONDS_TZ, STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ, STD_ISO_COLON_SECONDS_TZ,
    STD_NUM_TZ, STD_NUM_SECONDS_TZ, STD_NUM_SHORT_TZ, STD_NUM_COLON_TZ, STD_NUM_COLON_SECONDS_TZ,
    STD_FRAC0, STD_FRAC9,
} std_kind;

/* One element of a layout: the literal text before it, the element and its
 * spelling in the layout. */
typedef struct {
    size_t prefix; /* literal bytes before the element */
    std_kind kind; /* STD_NONE: the rest is literal */
    size_t len;    /* bytes of the element */
    int digits;    /* fractional seconds: digits (Go keeps them mod 4096) */
    char sep;      /* fractional seconds: '.' or ',' */
} chunk;

static bool at(const char *l, size_t n, size_t i, const char *w)
{
    size_t k = strlen(w);
    return n - i >= k && memcmp(l + i, w, k) == 0;
}

static bool lower_at(const char *l, size_t n, size_t i)
{
    return i < n && l[i] >= 'a' && l[i] <= 'z';
}

static bool digit_at(const char *s, size_t n, size_t i)
{
    return i < n && s[i] >= '0' && s[i] <= '9';
}

static bool set_chunk(chunk *c, size_t prefix, std_kind k, size_t len)
{
    c->prefix = prefix;
    c->kind = k;
    c->len = len;
    return true;
}

/* Recognises an element starting at l[i] (Go's nextStdChunk, one position). */
static bool chunk_at(const char *l, size_t n, size_t i, chunk *c)
{
    static const std_kind zero_x[6] = {STD_ZERO_MONTH, STD_ZERO_DAY, STD_ZERO_HOUR12,
                                       STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR};
    static const struct { const char *w; std_kind k; } tz[] = {
        {"-070000", STD_NUM_SECONDS_TZ}, {"-07:00:00", STD_NUM_COLON_SECONDS_TZ},
        {"-0700", STD_NUM_TZ},           {"-07:00", STD_NUM_COLON_TZ},
        {"-07", STD_NUM_SHORT_TZ},       {"Z070000", STD_ISO_SECONDS_TZ},
        {"Z07:00:00", STD_ISO_COLON_SECONDS_TZ}, {"Z0700", STD_ISO_TZ},
        {"Z07:00", STD_ISO_COLON_TZ},    {"Z07", STD_ISO_SHORT_TZ},
    };
    switch (l[i]) {
    case 'J':
        if (at(l, n, i, "January"))
            return set_chunk(c, i, STD_LONG_MONTH, 7);
        if (at(l, n, i, "Jan") && !lower_at(l, n, i + 3))
            return set_chunk(c, i, STD_MONTH, 3);
        return false;
    case 'M':
        if (at(l, n, i, "Monday"))
            return set_chunk(c, i, STD_LONG_WEEKDAY, 6);
        if (at(l, n, i, "Mon") && !lower_at(l, n, i + 3))
            return set_chunk(c, i, STD_WEEKDAY, 3);
        if (at(l, n, i, "MST"))
            return set_chunk(c, i, STD_TZ, 3);
        return false;
    case '0':
        if (i + 1 < n && l[i + 1] >= '1' && l[i + 1] <= '6')
            return set_chunk(c, i, zero_x[l[i + 1] - '1'], 2);
        if (at(l, n, i, "002"))
            return set_chunk(c, i, STD_ZERO_YEARDAY, 3);
        return false;
    case '1':
        if (at(l, n, i, "15"))
            return set_chunk(c, i, STD_HOUR, 2);
        return set_chunk(c, i, STD_NUM_MONTH, 1);
    case '2':
        if (at(l, n, i, "2006"))
            return set_chunk(c, i, STD_LONG_YEAR, 4);
        return set_chunk(c, i, STD_DAY, 1);
    case '_':
        if (at(l, n, i, "_2006")) /* a literal '_' before the year */
            return set_chunk(c, i + 1, STD_LONG_YEAR, 4);
        if (at(l, n, i, "_2"))
            return set_chunk(c, i, STD_UNDER_DAY, 2);
        if (at(l, n, i, "__2"))
            return set_chunk(c, i, STD_UNDER_YEARDAY, 3);
        return false;
    case '3': return set_chunk(c, i, STD_HOUR12, 1);
    case '4': return set_chunk(c, i, STD_MINUTE, 1);
    case '5': return set_chunk(c, i, STD_SECOND, 1);
    case 'P': return at(l, n, i, "PM") && set_chunk(c, i, STD_PM_UPPER, 2);
    case 'p': return at(l, n, i, "pm") && set_chunk(c, i, STD_PM_LOWER, 2);
    case '-':
    case 'Z':
        for (size_t k = 0; k < RP_ARRAY_LEN(tz); k++)
            if (at(l, n, i, tz[k].w))
                return set_chunk(c, i, tz[k].k, strlen(tz[k].w));
        return false;
    case '.':
    case ',':
        if (i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
            size_t j = i + 1;
            while (j < n && l[j] == l[i + 1])
                j++;
            if (digit_at(l, n, j)) /* only a run ending the digits counts */
                return false;
            set_chunk(c, i, l[i + 1] == '0' ? STD_FRAC0 : STD_FRAC9, j - i);
            c->digits = (int)((j - i - 1) & 0xfff);
            c->sep = l[i];
            return true;
        }
        return false;
    default:
        return false;
    }
}

static chunk next_chunk(const char *l, size_t n)
{
    chunk c = {0};
    for (size_t i = 0; i < n; i++)
        if (chunk_at(l, n, i, &c))
            return c;
    c.prefix = n;
    c.kind = STD_NONE;
    return c;
}

static bool is_iso_tz(std_kind k)
{
    return k == STD_ISO_TZ || k == STD_ISO_SECONDS_TZ || k == STD_ISO_SHORT_TZ ||
           k == STD_ISO_COLON_TZ || k == STD_ISO_COLON_SECONDS_TZ;
}

/* ---- formatting (Go's Time.Format) --------------------------------------------------- */

/* x in decimal, zero-padded to width digits (sign first). */
static void put_int(rp_buf *b, int64_t x, int width)
{
    char tmp[24];
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0)
        rp_buf_putc(b, '-');
    for (int k = n; k < width; k++)
        rp_buf_putc(b, '0');
    while (n)
        rp_buf_putc(b, tmp[--n]);
}

static void put_frac(rp_buf *b, int32_t nsec, const chunk *c)
{
    bool trim = c->kind == STD_FRAC9;
    if (trim && (c->digits == 0 || nsec == 0))
        return;
    char d[10];
    d[0] = c->sep;
    for (int k = 9, v = nsec; k >= 1; k--, v /= 10)
        d[k] = (char)('0' + v % 10);
    size_t len = 1 + (size_t)(c->digits < 9 ? c->digits : 9);
    if (trim) {
        while (len > 0 && d[len - 1] == '0')
            len--;
        if (len > 0 && d[len - 1] == c->sep)
            len--;
    }
    rp_buf_append(b, d, len);
}

static void put_zone(rp_buf *b, std_kind k, int32_t off)
{
    if (off == 0 && is_iso_tz(k)) {
        rp_buf_putc(b, 'Z');
        return;
    }
    int32_t zone = off / 60, absoff = off;
    if (zone < 0) {
        rp_buf_putc(b, '-');
        zone = -zone;
        absoff = -absoff;
    } else {
        rp_buf_putc(b, '+');
    }
    put_int(b, zone / 60, 2);
    bool colon = k == STD_ISO_COLON_TZ || k == STD_NUM_COLON_TZ ||
                 k == STD_ISO_COLON_SECONDS_TZ || k == STD_NUM_COLON_SECONDS_TZ;
    if (colon)
        rp_buf_putc(b, ':');
    if (k != STD_NUM_SHORT_TZ && k != STD_ISO_SHORT_TZ)
        put_int(b, zone % 60, 2);
    if (k == STD_ISO_SECONDS_TZ || k == STD_NUM_SECONDS_TZ || k == STD_NUM_COLON_SECONDS_TZ ||
        k == STD_ISO_COLON_SECONDS_TZ) {
        if (colon)
            rp_buf_putc(b, ':');
        put_int(b, absoff % 60, 2);
    }
}

static void put_element(rp_buf *b, const chunk *ch, const civil *c, const tz_info *z,
                        int32_t nsec)
{
    int hr12 = c->hour % 12 == 0 ? 12 : c->hour % 12;
    switch (ch->kind) {
    case STD_NONE: break;
    case STD_YEAR: put_int(b, (c->year < 0 ? -c->year : c->year) % 100, 2); break;
    case STD_LONG_YEAR: put_int(b, c->year, 4); break;
    case STD_MONTH: rp_buf_append(b, long_months[c->month - 1], 3); break;
    case STD_LONG_MONTH: rp_buf_puts(b, long_months[c->month - 1]); break;
    case STD_NUM_MONTH: put_int(b, c->month, 0); break;
    case STD_ZERO_MONTH: put_int(b, c->month, 2); break;
    case STD_WEEKDAY: rp_buf_append(b, long_days[c->wday], 3); break;
    case STD_LONG_WEEKDAY: rp_buf_puts(b, long_days[c->wday]); break;
    case STD_DAY: put_int(b, c->day, 0); break;
    case STD_UNDER_DAY:
        if (c->day < 10)
            rp_buf_putc(b, ' ');
        put_int(b, c->day, 0);
        break;
    case STD_ZERO_DAY: put_int(b, c->day, 2); break;
    case STD_UNDER_YEARDAY:
        if (c->yday < 100)
            rp_buf_puts(b, c->yday < 10 ? "  " : " ");
        put_int(b, c->yday, 0);
        break;
    case STD_ZERO_YEARDAY: put_int(b, c->yday, 3); break;
    case STD_HOUR: put_int(b, c->hour, 2); break;
    case STD_HOUR12: put_int(b, hr12, 0); break;
    case STD_ZERO_HOUR12: put_int(b, hr12, 2); break;
    case STD_MINUTE: put_int(b, c->min, 0); break;
    case STD_ZERO_MINUTE: put_int(b, c->min, 2); break;
    case STD_SECOND: put_int(b, c->sec, 0); break;
    case STD_ZERO_SECOND: put_int(b, c->sec, 2); break;
    case STD_PM_UPPER: rp_buf_puts(b, c->hour >= 12 ? "PM" : "AM"); break;
    case STD_PM_LOWER: rp_buf_puts(b, c->hour >= 12 ? "pm" : "am"); break;
    case STD_TZ:
        if (z->nlen) {
            rp_buf_append(b, z->name, z->nlen);
        } else { /* no abbreviation: Go prints -0700 */
            int32_t zone = z->off / 60;
            rp_buf_putc(b, zone < 0 ? '-' : '+');
            zone = zone < 0 ? -zone : zone;
            put_int(b, zone / 60, 2);
            put_int(b, zone % 60, 2);
        }
        break;
    case STD_ISO_TZ: case STD_ISO_SECONDS_TZ: case STD_ISO_SHORT_TZ: case STD_ISO_COLON_TZ:
    case STD_ISO_COLON_SECONDS_TZ: case STD_NUM_TZ: case STD_NUM_SECONDS_TZ:
    case STD_NUM_SHORT_TZ: case STD_NUM_COLON_TZ: case STD_NUM_COLON_SECONDS_TZ:
        put_zone(b, ch->kind, z->off);
        break;
    case STD_FRAC0: case STD_FRAC9: put_frac(b, nsec, ch); break;
    }
}

static void format_time(rp_buf *b, instant t, const tz_zone *zone, const char *l, size_t n)
{
    tz_info z = zone_lookup(zone, t.sec);
    civil c;
    civil_at(t.sec, z.off, &c);
    while (n > 0) {
        chunk ch = next_chunk(l, n);
        rp_buf_append(b, l, ch.prefix);
        if (ch.kind == STD_NONE)
            break;
        put_element(b, &ch, &c, &z, t.nsec);
        l += ch.prefix + ch.len;
        n -= ch.prefix + ch.len;
    }
}

/* ---- parsing (Go's time.Parse) ------------------------------------------------------ */

/* A position in the value being parsed. */
typedef struct {
    const char *s;
    size_t n;
} span;

static void span_adv(span *v, size_t k)
{
    v->s += k;
    v->n -= k;
}

/* Go's leadingInt: the leading digits as a uint64 up to 1<<63; false on
 * overflow.  *used gets the digits consumed. */
static bool leading_int(const char *s, size_t n, uint64_t *x, size_t *used)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (1ull << 63) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > 1ull << 63)
            return false;
    }
    *x = v;
    *used = i;
    return true;
}

/* Go's atoi: an optional sign and digits, nothing else. */
static bool go_atoi(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    uint64_t q;
    size_t used;
    if (!leading_int(s, n, &q, &used) || used != n)
        return false;
    *out = (int64_t)q; /* 1<<63 wraps to MinInt64, as in Go */
    if (neg)
        *out = (int64_t)(0 - (uint64_t)*out);
    return true;
}

static bool getnum(span *v, bool fixed, int64_t *out)
{
    if (!digit_at(v->s, v->n, 0))
        return false;
    if (!digit_at(v->s, v->n, 1)) {
        if (fixed)
            return false;
        *out = v->s[0] - '0';
        span_adv(v, 1);
        return true;
    }
    *out = (v->s[0] - '0') * 10 + (v->s[1] - '0');
    span_adv(v, 2);
    return true;
}

static bool getnum3(span *v, bool fixed, int64_t *out)
{
    int64_t x = 0;
    size_t i = 0;
    for (; i < 3 && digit_at(v->s, v->n, i); i++)
        x = x * 10 + (v->s[i] - '0');
    if (i == 0 || (fixed && i != 3))
        return false;
    *out = x;
    span_adv(v, i);
    return true;
}

/* Case-insensitive prefix match against a table of names (ASCII letters
 * only fold); returns the index or -1. */
static int lookup_name(const char *const *tab, size_t ntab, size_t width, span *v)
{
    for (size_t i = 0; i < ntab; i++) {
        size_t k = width ? width : strlen(tab[i]);
        if (v->n < k)
            continue;
        bool ok = true;
        for (size_t j = 0; j < k && ok; j++) {
            unsigned char c1 = (unsigned char)v->s[j], c2 = (unsigned char)tab[i][j];
            if (c1 != c2) {
                c1 |= 0x20;
                c2 |= 0x20;
                ok = c1 == c2 && c1 >= 'a' && c1 <= 'z';
            }
        }
        if (ok) {
            span_adv(v, k);
            return (int)i;
        }
    }
    return -1;
}

/* Go's skip: the literal prefix, with runs of spaces matching runs. */
static bool skip_prefix(span *v, const char *p, size_t pn)
{
    while (pn > 0) {
        if (p[0] == ' ') {
            if (v->n > 0 && v->s[0] != ' ')
                return false;
            while (pn > 0 && p[0] == ' ')
                p++, pn--;
            while (v->n > 0 && v->s[0] == ' ')
                span_adv(v, 1);
            continue;
        }
        if (v->n == 0 || v->s[0] != p[0])
            return false;
        p++, pn--;
        span_adv(v, 1);
    }
    return true;
}

/* Go's parseNanoseconds over v->s[0..nbytes): a separator then digits
 * (Go's atoi, so a sign is accepted), scaled to nanoseconds. */
static bool parse_nanos(const char *s, size_t nbytes, int64_t *ns, const char **range)
{
    if (s[0] != '.' && s[0] != ',')
        return false;
    if (nbytes > 10)
        nbytes = 10;
    if (!go_atoi(s + 1, nbytes - 1, ns))
        return false;
    if (*ns < 0) {
        *range = "fractional second";
        return true;
    }
    for (size_t i = 0; i < 10 - nbytes; i++)
        *ns *= 10;
    return true;
}

/* Go's parseSignedOffset: +hh or -hh with hh <= 23; the length, 0 if none. */
static size_t signed_offset_len(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '+' && s[0] != '-'))
        return 0;
    uint64_t x;
    size_t used;
    if (!leading_int(s + 1, n - 1, &x, &used) || used == 0 || x > 23)
        return 0;
    return 1 + used;
}

/* Go's parseTimeZone: the length of a zone abbreviation at s, 0 if none. */
static size_t tz_name_len(const char *s, size_t n)
{
    if (n < 3)
        return 0;
    if (n >= 4 && (memcmp(s, "ChST", 4) == 0 || memcmp(s, "MeST", 4) == 0))
        return 4;
    if (memcmp(s, "GMT", 3) == 0)
        return 3 + (n > 3 ? signed_offset_len(s + 3, n - 3) : 0);
    if (s[0] == '+' || s[0] == '-')
        return signed_offset_len(s, n);
    size_t up = 0;
    while (up < 6 && up < n && s[up] >= 'A' && s[up] <= 'Z')
        up++;
    switch (up) {
    case 3: return 3;
    case 4: return s[3] == 'T' || memcmp(s, "WITA", 4) == 0 ? 4 : 0;
    case 5: return s[4] == 'T' ? 5 : 0;
    default: return 0;
    }
}

/* Everything a parse collects before it builds the instant. */
typedef struct {
    int64_t year, month, day, yday, hour, min, sec, nsec;
    bool am, pm, utc;
    int64_t zone_off;     /* -1: none (Go's sentinel, so an offset of -1s is lost too) */
    const char *zone_name;
    size_t zone_nlen;
    const char *range;    /* set when a value is out of range */
} pstate;

static bool parse_zone_offset(span *v, std_kind k, pstate *p)
{
    if ((k == STD_ISO_TZ || k == STD_ISO_SHORT_TZ || k == STD_ISO_COLON_TZ) && v->n >= 1 &&
        v->s[0] == 'Z') {
        span_adv(v, 1);
        p->utc = true;
        return true;
    }
    char hh[2], mm[2] = {'0', '0'}, ss[2] = {'0', '0'}, sign;
    const char *s = v->s;
    if (k == STD_ISO_COLON_TZ || k == STD_NUM_COLON_TZ) {
        if (v->n < 6 || s[3] != ':')
            return false;
        memcpy(hh, s + 1, 2), memcpy(mm, s + 4, 2), span_adv(v, 6);
    } else if (k == STD_NUM_SHORT_TZ || k == STD_ISO_SHORT_TZ) {
        if (v->n < 3)
            return false;
        memcpy(hh, s + 1, 2), span_adv(v, 3);
    } else if (k == STD_ISO_COLON_SECONDS_TZ || k == STD_NUM_COLON_SECONDS_TZ) {
        if (v->n < 9 || s[3] != ':' || s[6] != ':')
            return false;
        memcpy(hh, s + 1, 2), memcpy(mm, s + 4, 2), memcpy(ss, s + 7, 2), span_adv(v, 9);
    } else if (k == STD_ISO_SECONDS_TZ || k == STD_NUM_SECONDS_TZ) {
        if (v->n < 7)
            return false;
        memcpy(hh, s + 1, 2), memcpy(mm, s + 3, 2), memcpy(ss, s + 5, 2), span_adv(v, 7);
    } else {
        if (v->n < 5)
            return false;
        memcpy(hh, s + 1, 2), memcpy(mm, s + 3, 2), span_adv(v, 5);
    }
    sign = s[0];
    int64_t hr = 0, mi = 0, se = 0;
    span sh = {hh, 2}, sm = {mm, 2}, sx = {ss, 2};
    bool ok = getnum(&sh, true, &hr) && getnum(&sm, true, &mi) && getnum(&sx, true, &se);
    if (hr > 24)
        p->range = "time zone offset hour";
    if (mi > 60)
        p->range = "time zone offset minute";
    if (se > 60)
        p->range = "time zone offset second";
    p->zone_off = (hr * 60 + mi) * 60 + se;
    if (sign == '-')
        p->zone_off = -p->zone_off;
    else if (sign != '+')
        ok = false;
    return ok;
}

/* A fraction right after the seconds although the layout has none there. */
static bool parse_stray_fraction(span *v, const char *rest, size_t rn, pstate *p)
{
    if (!(v->n >= 2 && (v->s[0] == '.' || v->s[0] == ',') && digit_at(v->s, v->n, 1)))
        return true;
    std_kind next = next_chunk(rest, rn).kind;
    if (next == STD_FRAC0 || next == STD_FRAC9)
        return true;
    size_t k = 2;
    while (digit_at(v->s, v->n, k))
        k++;
    bool ok = parse_nanos(v->s, k, &p->nsec, &p->range);
    span_adv(v, k);
    return ok;
}

/* Parses one element; false for Go's errBad (p->range may be set instead). */
static bool parse_element(span *v, const chunk *ch, const char *rest, size_t rn, pstate *p)
{
    static const char *const short_days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    int64_t x;
    switch (ch->kind) {
    case STD_NONE:
        return true;
    case STD_YEAR:
        if (v->n < 2 || !go_atoi(v->s, 2, &p->year)) {
            if (v->n >= 2)
                span_adv(v, 2);
            return false;
        }
        span_adv(v, 2);
        p->year += p->year >= 69 ? 1900 : 2000;
        return true;
    case STD_LONG_YEAR:
        if (v->n < 4 || !digit_at(v->s, v->n, 0))
            return false;
        if (!go_atoi(v->s, 4, &p->year)) {
            span_adv(v, 4);
            return false;
        }
        span_adv(v, 4);
        return true;
    case STD_MONTH:
    case STD_LONG_MONTH: {
        int m = lookup_name(long_months, 12, ch->kind == STD_MONTH ? 3 : 0, v);
        p->month = m + 1;
        return m >= 0;
    }
    case STD_NUM_MONTH:
    case STD_ZERO_MONTH:
        if (!getnum(v, ch->kind == STD_ZERO_MONTH, &p->month))
            return false;
        if (p->month <= 0 || p->month > 12)
            p->range = "month";
        return true;
    case STD_WEEKDAY:
        return lookup_name(short_days, 7, 0, v) >= 0;
    case STD_LONG_WEEKDAY:
        return lookup_name(long_days, 7, 0, v) >= 0;
    case STD_DAY:
    case STD_UNDER_DAY:
    case STD_ZERO_DAY:
        if (ch->kind == STD_UNDER_DAY && v->n > 0 && v->s[0] == ' ')
            span_adv(v, 1);
        return getnum(v, ch->kind == STD_ZERO_DAY, &p->day);
    case STD_UNDER_YEARDAY:
    case STD_ZERO_YEARDAY:
        for (int i = 0; i < 2 && ch->kind == STD_UNDER_YEARDAY; i++)
            if (v->n > 0 && v->s[0] == ' ')
                span_adv(v, 1);
        return getnum3(v, ch->kind == STD_ZERO_YEARDAY, &p->yday);
    case STD_HOUR: {
        bool ok = getnum(v, false, &p->hour);
        if (ok && p->hour >= 24)
            p->range = "hour";
        return ok;
    }
    case STD_HOUR12:
    case STD_ZERO_HOUR12: {
        bool ok = getnum(v, ch->kind == STD_ZERO_HOUR12, &p->hour);
        if (ok && p->hour > 12)
            p->range = "hour";
        return ok;
    }
    case STD_MINUTE:
    case STD_ZERO_MINUTE: {
        bool ok = getnum(v, ch->kind == STD_ZERO_MINUTE, &p->min);
        if (ok && p->min >= 60)
            p->range = "minute";
        return ok;
    }
    case STD_SECOND:
    case STD_ZERO_SECOND:
        if (!getnum(v, ch->kind == STD_ZERO_SECOND, &p->sec))
            return false;
        if (p->sec >= 60) {
            p->range = "second";
            return true;
        }
        return parse_stray_fraction(v, rest, rn, p);
    case STD_PM_UPPER:
    case STD_PM_LOWER: {
        if (v->n < 2)
            return false;
        bool up = ch->kind == STD_PM_UPPER;
        const char *s = v->s;
        span_adv(v, 2);
        if (memcmp(s, up ? "PM" : "pm", 2) == 0)
            p->pm = true;
        else if (memcmp(s, up ? "AM" : "am", 2) == 0)
            p->am = true;
        else
            return false;
        return true;
    }
    case STD_ISO_TZ: case STD_ISO_SECONDS_TZ: case STD_ISO_SHORT_TZ: case STD_ISO_COLON_TZ:
    case STD_ISO_COLON_SECONDS_TZ: case STD_NUM_TZ: case STD_NUM_SECONDS_TZ:
    case STD_NUM_SHORT_TZ: case STD_NUM_COLON_TZ: case STD_NUM_COLON_SECONDS_TZ:
        return parse_zone_offset(v, ch->kind, p);
    case STD_TZ: {
        if (v->n >= 3 && memcmp(v->s, "UTC", 3) == 0) {
            p->utc = true;
            span_adv(v, 3);
            return true;
        }
        size_t k = tz_name_len(v->s, v->n);
        if (k == 0)
            return false;
        p->zone_name = v->s;
        p->zone_nlen = k;
        span_adv(v, k);
        return true;
    }
    case STD_FRAC0: {
        size_t nd = 1 + (size_t)ch->digits;
        if (v->n < nd)
            return false;
        bool ok = parse_nanos(v->s, nd, &p->nsec, &p->range);
        span_adv(v, nd);
        return ok;
    }
    case STD_FRAC9: {
        if (v->n < 2 || (v->s[0] != '.' && v->s[0] != ',') || !digit_at(v->s, v->n, 1))
            return true; /* fraction omitted */
        size_t i = 0;
        while (digit_at(v->s, v->n, i + 1))
            i++;
        bool ok = parse_nanos(v->s, 1 + i, &x, &p->range);
        p->nsec = x;
        span_adv(v, 1 + i);
        return ok;
    }
    }
    return false;
}

typedef struct {
    const char *layout, *value;
    size_t ln, vn;
    rp_buf *err;
} parse_ctx;

static void perr_prefix(parse_ctx *pc)
{
    rp_buf_puts(pc->err, "parsing time ");
    go_quote(pc->err, pc->value, pc->vn);
}

/* `parsing time "V" as "L": cannot parse "E" as "X"` */
static bool perr_cannot(parse_ctx *pc, const char *elem, size_t en, span at_v)
{
    perr_prefix(pc);
    rp_buf_puts(pc->err, " as ");
    go_quote(pc->err, pc->layout, pc->ln);
    rp_buf_puts(pc->err, ": cannot parse ");
    go_quote(pc->err, at_v.s, at_v.n);
    rp_buf_puts(pc->err, " as ");
    go_quote(pc->err, elem, en);
    return false;
}

/* `parsing time "V": <msg>` */
static bool perr_msg(parse_ctx *pc, const char *msg, const char *extra)
{
    perr_prefix(pc);
    rp_buf_puts(pc->err, msg);
    if (extra)
        rp_buf_puts(pc->err, extra);
    return false;
}

/* Day of year into month and day, with Go's checks. */
static bool resolve_yday(parse_ctx *pc, pstate *p)
{
    int64_t yd = p->yday, m = 0, d = 0;
    if (is_leap(p->year)) {
        if (yd == 31 + 29) {
            m = 2;
            d = 29;
        } else if (yd > 31 + 29) {
            yd--;
        }
    }
    if (yd < 1 || yd > 365)
        return perr_msg(pc, ": day-of-year out of range", NULL);
    if (m == 0) {
        m = (yd - 1) / 31 + 1;
        if (days_before[m] < yd)
            m++;
        d = yd - days_before[m - 1];
    }
    if (p->month >= 0 && p->month != m)
        return perr_msg(pc, ": day-of-year does not match month", NULL);
    p->month = m;
    if (p->day >= 0 && p->day != d)
        return perr_msg(pc, ": day-of-year does not match day", NULL);
    p->day = d;
    return true;
}

/* Runs the layout over the value, filling p; false with the error in pc. */
static bool parse_fields(parse_ctx *pc, pstate *p)
{
    const char *l = pc->layout;
    size_t ln = pc->ln;
    span v = {pc->value, pc->vn};
    for (;;) {
        chunk ch = next_chunk(l, ln);
        if (!skip_prefix(&v, l, ch.prefix))
            return perr_cannot(pc, l, ch.prefix, v);
        if (ch.kind == STD_NONE) {
            if (v.n == 0)
                return true;
            perr_prefix(pc);
            rp_buf_puts(pc->err, ": extra text: ");
            go_quote(pc->err, v.s, v.n);
            return false;
        }
        const char *elem = l + ch.prefix;
        l = elem + ch.len;
        ln -= ch.prefix + ch.len;
        span hold = v;
        bool ok = parse_element(&v, &ch, l, ln, p);
        if (p->range) {
            perr_prefix(pc);
            rp_buf_puts(pc->err, ": ");
            rp_buf_puts(pc->err, p->range);
            rp_buf_puts(pc->err, " out of range");
            return false;
        }
        if (!ok)
            return perr_cannot(pc, elem, ch.len, hold);
    }
}

/* Go's time.Parse(layout, value) to an instant; false with Go's error text
 * in err. */
static bool go_parse(const char *layout, size_t ln, const char *value, size_t vn, instant *out,
                     rp_buf *err)
{
    parse_ctx pc = {layout, value, ln, vn, err};
    pstate p = {.month = -1, .day = -1, .yday = -1, .zone_off = -1};
    if (!parse_fields(&pc, &p))
        return false;
    if (p.pm && p.hour < 12)
        p.hour += 12;
    else if (p.am && p.hour == 12)
        p.hour = 0;
    if (p.yday >= 0) {
        if (!resolve_yday(&pc, &p))
            return false;
    } else {
        if (p.month < 0)
            p.month = 1;
        if (p.day < 0)
            p.day = 1;
    }
    if (p.day < 1 || p.day > days_in((int)p.month, p.year))
        return perr_msg(&pc, ": day out of range", NULL);
    instant t;
    date_in(&tz_utc, p.year, p.month, p.day, (int)p.hour, (int)p.min, (int)p.sec,
            (int32_t)p.nsec, &t);
    if (!p.utc && p.zone_off != -1) {
        t.sec -= p.zone_off;
    } else if (!p.utc && p.zone_nlen) {
        /* Only an abbreviation the local zone knows moves the instant; an
         * unknown one (or GMT+n) just labels it. */
        char msg[160];
        tz_zone *local = zone_get("Local", 5, msg, sizeof(msg));
        int32_t off;
        if (local && zone_lookup_name(local, p.zone_name, p.zone_nlen, t.sec, &off))
            t.sec -= off;
        zone_release(local);
    }
    *out = t;
    return true;
}

/* ---- durations (Go's time.ParseDuration) --------------------------------------------- */

static bool duration_unit(const char *u, size_t n, uint64_t *unit)
{
    static const struct { const char *name; uint64_t ns; } units[] = {
        {"ns", 1},           {"us", 1000},        {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
        {"ms", 1000000},     {"s", 1000000000ull}, {"m", 60000000000ull},
        {"h", 3600000000000ull},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0) {
            *unit = units[i].ns;
            return true;
        }
    return false;
}

/* Go's leadingFraction: digits after the point, with the scale they denote;
 * precision stops accumulating on overflow. */
static size_t leading_fraction(const char *s, size_t n, uint64_t *x, double *scale)
{
    size_t i = 0;
    bool overflow = false;
    *x = 0;
    *scale = 1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (overflow)
            continue;
        if (*x > ((1ull << 63) - 1) / 10) {
            overflow = true;
            continue;
        }
        uint64_t y = *x * 10 + (uint64_t)(s[i] - '0');
        if (y > 1ull << 63) {
            overflow = true;
            continue;
        }
        *x = y;
        *scale *= 10;
    }
    return i;
}

static bool dur_invalid(rp_buf *err, const char *orig, size_t on)
{
    rp_buf_puts(err, "time: invalid duration ");
    go_quote(err, orig, on);
    return false;
}

/* One [0-9]*(.[0-9]*)?unit term, added to *d (Go's uint64 arithmetic,
 * wrapping included). */
static bool dur_term(span *s, uint64_t *d, const char *orig, size_t on, rp_buf *err)
{
    if (!(s->s[0] == '.' || (s->s[0] >= '0' && s->s[0] <= '9')))
        return dur_invalid(err, orig, on);
    uint64_t v, f = 0;
    double scale = 1;
    size_t used;
    if (!leading_int(s->s, s->n, &v, &used))
        return dur_invalid(err, orig, on);
    bool pre = used > 0, post = false;
    span_adv(s, used);
    if (s->n > 0 && s->s[0] == '.') {
        span_adv(s, 1);
        size_t k = leading_fraction(s->s, s->n, &f, &scale);
        post = k > 0;
        span_adv(s, k);
    }
    if (!pre && !post)
        return dur_invalid(err, orig, on);
    size_t i = 0;
    while (i < s->n && s->s[i] != '.' && !(s->s[i] >= '0' && s->s[i] <= '9'))
        i++;
    if (i == 0) {
        rp_buf_puts(err, "time: missing unit in duration ");
        go_quote(err, orig, on);
        return false;
    }
    uint64_t unit;
    if (!duration_unit(s->s, i, &unit)) {
        rp_buf_puts(err, "time: unknown unit ");
        go_quote(err, s->s, i);
        rp_buf_puts(err, " in duration ");
        go_quote(err, orig, on);
        return false;
    }
    span_adv(s, i);
    if (v > (1ull << 63) / unit)
        return dur_invalid(err, orig, on);
    v *= unit;
    if (f > 0) {
        v += (uint64_t)((double)f * ((double)unit / scale));
        if (v > 1ull << 63)
            return dur_invalid(err, orig, on);
    }
    *d += v;
    if (*d > 1ull << 63)
        return dur_invalid(err, orig, on);
    return true;
}

bool rego_go_parse_duration(const char *orig, size_t on, int64_t *out, rp_buf *err)
{
    span s = {orig, on};
    bool neg = false;
    uint64_t d = 0;
    if (s.n > 0 && (s.s[0] == '-' || s.s[0] == '+')) {
        neg = s.s[0] == '-';
        span_adv(&s, 1);
    }
    if (s.n == 1 && s.s[0] == '0') {
        *out = 0;
        return true;
    }
    if (s.n == 0)
        return dur_invalid(err, orig, on);
    while (s.n > 0)
        if (!dur_term(&s, &d, orig, on, err))
            return false;
    if (neg) {
        *out = (int64_t)(0 - d);
        return true;
    }
    if (d > (1ull << 63) - 1)
        return dur_invalid(err, orig, on);
    *out = (int64_t)d;
    return true;
}

/* ---- operands ------------------------------------------------------------------------ */

/* The layout constants OPA lets policies name. */
static const char *named_layout(const char *l, size_t n)
{
    static const struct { const char *name, *layout; } tab[] = {
        {"ANSIC", "Mon Jan _2 15:04:05 2006"},
        {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
        {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
        {"RFC822", "02 Jan 06 15:04 MST"},
        {"RFC822Z", "02 Jan 06 15:04 -0700"},
        {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
        {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
        {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
        {"RFC3339", "2006-01-02T15:04:05Z07:00"},
        {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(tab); i++)
        if (strlen(tab[i].name) == n && memcmp(tab[i].name, l, n) == 0)
            return tab[i].layout;
    return NULL;
}

#define RFC3339_LAYOUT "2006-01-02T15:04:05Z07:00"
#define RFC3339NANO_LAYOUT "2006-01-02T15:04:05.999999999Z07:00"

/* OPA's tzTime operand: ns, or [ns, tz] / [ns, tz, layout]. */
typedef struct {
    instant t;
    tz_zone *zone;      /* held; release with zone_release */
    const char *layout; /* NULL when not given */
    size_t lnlen;
} tz_time;

static const char TZ_WANT[] = "either number (ns) or [number (ns), string (tz)]";

/* The number as exact int64 nanoseconds: OPA reads it as a 64-bit-mantissa
 * big.Float and wants Int64() to be exact. */
static bool exact_ns(rego_value n, int64_t *out)
{
    switch ((rego_numrep)n.sub) {
    case REGO_NUM_INT:
        *out = n.u.i;
        return true;
    case REGO_NUM_BIG:
        return false;
    case REGO_NUM_FLOAT: {
        long double x = rego_num_to_ext(n);
        if (!(x >= -9223372036854775808.0L && x < 9223372036854775808.0L))
            return false;
        int64_t i = (int64_t)x;
        if ((long double)i != x)
            return false;
        *out = i;
        return true;
    }
    }
    return false;
}

static rp_status tz_time_arg(rego_bctx *ctx, rego_value a, tz_time *out)
{
    rego_value n = a;
    out->zone = &tz_utc;
    out->layout = NULL;
    out->lnlen = 0;
    if (a.kind == REGO_ARRAY) {
        if (a.n == 0)
            return rego_bi_type_error(ctx, 1, a, TZ_WANT);
        n = a.u.items[0];
        if (n.kind != REGO_NUMBER)
            return rego_bi_type_error(ctx, 1, n, "number");
        if (a.n > 1) {
            rego_value tz = a.u.items[1];
            char msg[160];
            if (tz.kind != REGO_STRING)
                return rego_bi_type_error(ctx, 1, tz, "string");
            out->zone = zone_get(tz.u.s, tz.n, msg, sizeof(msg));
            if (!out->zone)
                return rego_bi_errorf(ctx, "%s", msg);
        }
        if (a.n > 2) {
            rego_value l = a.u.items[2];
            if (l.kind != REGO_STRING) {
                zone_release(out->zone);
                return rego_bi_type_error(ctx, 1, l, "string");
            }
            out->layout = l.u.s;
            out->lnlen = l.n;
        }
    } else if (a.kind != REGO_NUMBER) {
        return rego_bi_type_error(ctx, 1, a, TZ_WANT);
    }
    int64_t ns;
    if (!exact_ns(n, &ns)) {
        zone_release(out->zone);
        return rego_bi_errorf(ctx, "timestamp too big");
    }
    out->t = instant_from_ns(ns);
    return RP_OK;
}

/* OPA's IntOperand: a number whose text is an int64 literal; anything with
 * a fraction or exponent, or beyond int64, is "floating-point". */
static bool arg_go_int(rego_bctx *ctx, const rego_value *args, int i, int64_t *out)
{
    if (args[i].kind != REGO_NUMBER) {
        rego_bi_type_error(ctx, i + 1, args[i], "number");
        return false;
    }
    if (args[i].sub != REGO_NUM_INT) {
        rego_bi_type_errorf(ctx, "operand %d must be integer number but got floating-point number",
                            i + 1);
        return false;
    }
    *out = args[i].u.i;
    return true;
}

static rp_status ns_result(rego_bctx *ctx, instant t, rego_value *out)
{
    if (!instant_ok(t))
        return rego_bi_errorf(ctx, "time outside of valid range");
    /* in range, but sec * 1e9 alone may not be (at the lower end): wrap */
    *out = rego_int((int64_t)((uint64_t)t.sec * (uint64_t)NS_PER_SEC + (uint64_t)t.nsec));
    return RP_OK;
}

static rp_status int_array(rego_bctx *ctx, const int64_t *xs, size_t n, rego_value *out)
{
    rego_value *items = rego_array_alloc(ctx->arena, n, out);
    if (!items)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        items[i] = rego_int(xs[i]);
    return RP_OK;
}

/* Civil fields of a tzTime operand in its zone. */
static void tz_civil(const tz_time *tt, civil *c)
{
    civil_at(tt->t.sec, zone_lookup(tt->zone, tt->t.sec).off, c);
}

/* The civil fields of operand a (a tzTime) in its zone, which time.date,
 * time.clock and time.weekday each pick from.  The zone is released here. */
static rp_status civil_arg(rego_bctx *ctx, rego_value a, civil *c)
{
    tz_time tt;
    rp_status st = tz_time_arg(ctx, a, &tt);
    if (st != RP_OK)
        return st;
    tz_civil(&tt, c);
    zone_release(tt.zone);
    return RP_OK;
}

/* ---- builtins -------------------------------------------------------------------------- */

static rp_status bi_now_ns(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)args;
    *out = rego_int(rego_bi_now_ns(ctx));
    return RP_OK;
}

static rp_status parse_with(rego_bctx *ctx, const char *layout, size_t ln, const char *v,
                            size_t vn, rego_value *out)
{
    rp_buf err;
    instant t;
    rp_buf_init(&err);
    if (!go_parse(layout, ln, v, vn, &t, &err))
        return buf_error(ctx, &err);
    rp_buf_free(&err);
    return ns_result(ctx, t, out);
}

static rp_status bi_parse_ns(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *l, *v;
    size_t ln, vn;
    if (!rego_bi_arg_str(ctx, args, 0, &l, &ln) || !rego_bi_arg_str(ctx, args, 1, &v, &vn))
        return RP_ERR_TYPE;
    const char *named = named_layout(l, ln);
    if (named) {
        l = named;
        ln = strlen(named);
    }
    return parse_with(ctx, l, ln, v, vn, out);
}

static rp_status bi_parse_rfc3339_ns(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *v;
    size_t vn;
    if (!rego_bi_arg_str(ctx, args, 0, &v, &vn))
        return RP_ERR_TYPE;
    return parse_with(ctx, RFC3339_LAYOUT, strlen(RFC3339_LAYOUT), v, vn, out);
}

static rp_status bi_parse_duration_ns(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    int64_t d;
    rp_buf err;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    rp_buf_init(&err);
    if (!rego_go_parse_duration(s, n, &d, &err))
        return buf_error(ctx, &err);
    rp_buf_free(&err);
    *out = rego_int(d);
    return RP_OK;
}

static rp_status bi_format(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    tz_time tt;
    rp_status st = tz_time_arg(ctx, args[0], &tt);
    if (st != RP_OK)
        return st;
    const char *l = tt.layout;
    size_t ln = tt.lnlen;
    if (!l || ln == 0) {
        l = RFC3339NANO_LAYOUT;
        ln = strlen(l);
    } else if (named_layout(l, ln)) {
        l = named_layout(l, ln);
        ln = strlen(l);
    }
    rp_buf b;
    rp_buf_init(&b);
    format_time(&b, tt.t, tt.zone, l, ln);
    zone_release(tt.zone);
    if (b.failed) {
        rp_buf_free(&b);
        return rego_bi_nomem(ctx);
    }
    *out = rego_str(ctx->arena, b.data ? b.data : "", b.len);
    rp_buf_free(&b);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

static rp_status bi_date(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    civil c;
    rp_status st = civil_arg(ctx, args[0], &c);
    if (st != RP_OK)
        return st;
    int64_t ymd[3] = {c.year, c.month, c.day};
    return int_array(ctx, ymd, 3, out);
}

static rp_status bi_clock(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    civil c;
    rp_status st = civil_arg(ctx, args[0], &c);
    if (st != RP_OK)
        return st;
    int64_t hms[3] = {c.hour, c.min, c.sec};
    return int_array(ctx, hms, 3, out);
}

static rp_status bi_weekday(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    civil c;
    rp_status st = civil_arg(ctx, args[0], &c);
    if (st != RP_OK)
        return st;
    *out = rego_str_borrow(long_days[c.wday], strlen(long_days[c.wday]));
    return RP_OK;
}

/* Go's Time.AddDate: the wall clock in the operand's zone, with years,
 * months and days added and Date's normalisation. */
static rp_status bi_add_date(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    tz_time tt;
    int64_t dy, dm, dd, y, m, d;
    civil c;
    rp_status st = tz_time_arg(ctx, args[0], &tt);
    if (st != RP_OK)
        return st;
    if (!arg_go_int(ctx, args, 1, &dy) || !arg_go_int(ctx, args, 2, &dm) ||
        !arg_go_int(ctx, args, 3, &dd)) {
        zone_release(tt.zone);
        return RP_ERR_TYPE;
    }
    tz_civil(&tt, &c);
    instant r;
    bool ok = !__builtin_add_overflow(c.year, dy, &y) && !__builtin_add_overflow(c.month, dm, &m) &&
              !__builtin_add_overflow(c.day, dd, &d) &&
              date_in(tt.zone, y, m, d, c.hour, c.min, c.sec, tt.t.nsec, &r);
    zone_release(tt.zone);
    if (!ok)
        return rego_bi_errorf(ctx, "time outside of valid range");
    return ns_result(ctx, r, out);
}

static bool instant_after(instant a, instant b)
{
    return a.sec > b.sec || (a.sec == b.sec && a.nsec > b.nsec);
}

/* [years, months, days, hours, minutes, seconds] between the two instants,
 * both read in the first operand's zone, borrowing as calendars do. */
static rp_status bi_diff(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    tz_time a, b;
    rp_status st = tz_time_arg(ctx, args[0], &a);
    if (st != RP_OK)
        return st;
    st = tz_time_arg(ctx, args[1], &b);
    if (st != RP_OK) {
        zone_release(a.zone);
        return st;
    }
    zone_release(b.zone);
    b.zone = a.zone;
    if (instant_after(a.t, b.t)) {
        instant t = a.t;
        a.t = b.t;
        b.t = t;
    }
    civil c1, c2;
    tz_civil(&a, &c1);
    tz_civil(&b, &c2);
    zone_release(a.zone);
    int64_t r[6] = {c2.year - c1.year, c2.month - c1.month, c2.day - c1.day,
                    c2.hour - c1.hour, c2.min - c1.min,     c2.sec - c1.sec};
    if (r[5] < 0)
        r[5] += 60, r[4]--;
    if (r[4] < 0)
        r[4] += 60, r[3]--;
    if (r[3] < 0)
        r[3] += 24, r[2]--;
    if (r[2] < 0)
        r[2] += days_in(c1.month, c1.year), r[1]--;
    if (r[1] < 0)
        r[1] += 12, r[0]--;
    return int_array(ctx, r, 6, out);
}

#define TZ_ARG "number|array<number, string>"

const rego_builtin rego_builtins_time[] = {
    {"time.now_ns", NULL, "() => number", 0, REGO_BI_NONDET, bi_now_ns},
    {"time.parse_ns", NULL, "(string, string) => number", 2, 0, bi_parse_ns},
    {"time.parse_rfc3339_ns", NULL, "(string) => number", 1, 0, bi_parse_rfc3339_ns},
    {"time.parse_duration_ns", NULL, "(string) => number", 1, 0, bi_parse_duration_ns},
    {"time.date", NULL, "(" TZ_ARG ") => array<number, number, number>", 1, 0, bi_date},
    {"time.clock", NULL, "(" TZ_ARG ") => array<number, number, number>", 1, 0, bi_clock},
    {"time.weekday", NULL, "(" TZ_ARG ") => string", 1, 0, bi_weekday},
    {"time.add_date", NULL, "(number, number, number, number) => number", 4, 0, bi_add_date},
    {"time.diff", NULL,
     "(" TZ_ARG ", " TZ_ARG ") => array<number, number, number, number, number, number>", 2, 0,
     bi_diff},
    {"time.format", NULL, "(" TZ_ARG "|array<number, string, string>) => string", 1, 0,
     bi_format},
    {0},
};
