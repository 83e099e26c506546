/*
 * value.h — Rego values: the engine's core data structure.
 *
 * A rego_value is a 16-byte tagged struct passed by value.  Scalars live in
 * the struct; strings, arrays, objects and sets point at immutable memory.
 *
 * Ownership (one rule for the whole module): values never own memory.  Every
 * byte a value points to lives in an rp_arena (or in static storage) and is
 * freed with that arena.  Values are immutable once built, so they can be
 * shared freely between evaluations and threads as long as the arena that
 * holds them outlives the users.  A value built in an evaluation's arena must
 * never be stored into a longer-lived structure.
 *
 * Semantics follow OPA: total order null < boolean < number < string < array
 * < object < set; numbers compare by value (1 == 1.0), integers are exact
 * beyond 64 bits (GMP); objects and sets are kept sorted by key/element, so
 * iteration order is OPA's sorted order.
 */
#ifndef RAMPART_REGO_VALUE_H
#define RAMPART_REGO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/rp.h"

/* Kinds are numbered in OPA's sort order so comparing kinds is one compare. */
typedef enum {
    REGO_UNDEF = 0, /* "no value": unbound variable, undefined result */
    REGO_NULL,
    REGO_BOOL,
    REGO_NUMBER,
    REGO_STRING,
    REGO_ARRAY,
    REGO_OBJECT,
    REGO_SET,
} rego_kind;

/* Number representations (rego_value.sub when kind == REGO_NUMBER). */
typedef enum {
    REGO_NUM_INT = 0, /* int64 in u.i */
    REGO_NUM_FLOAT,   /* double in u.f (may hold an integral value, e.g. 1.0) */
    REGO_NUM_BIG,     /* integer outside int64, u.big */
} rego_numrep;

typedef struct rego_big rego_big;       /* opaque: sign + GMP limbs */
typedef struct rego_object rego_object; /* sorted entries + optional hash index */
typedef struct rego_set rego_set;       /* sorted items + optional hash index */

typedef struct rego_value {
    uint8_t kind;  /* rego_kind */
    uint8_t sub;   /* rego_numrep for numbers; 0 otherwise */
    uint16_t flags;/* reserved */
    uint32_t n;    /* string bytes, array/object/set element count */
    union {
        bool b;
        int64_t i;
        double f;
        const char *s;                 /* string bytes; s[n] == 0 always */
        const struct rego_value *items;/* array elements */
        const rego_big *big;
        const rego_object *obj;
        const rego_set *set;
    } u;
} rego_value;

typedef struct {
    rego_value key, val;
} rego_objent;

struct rego_object {
    uint32_t n;
    uint32_t mask;         /* index size - 1; 0 when there is no index */
    const uint32_t *index; /* open addressing over ents, slot = idx + 1; NULL when small */
    rego_objent ents[];    /* sorted by key (rego_compare) */
};

struct rego_set {
    uint32_t n;
    uint32_t mask;
    const uint32_t *index;
    rego_value items[]; /* sorted (rego_compare), no duplicates */
};

/* ---- constructors (scalars need no arena) --------------------------------- */
static inline rego_value rego_undef(void) { rego_value v = {0}; return v; }
static inline rego_value rego_null(void) { rego_value v = {0}; v.kind = REGO_NULL; return v; }
static inline rego_value rego_bool(bool b) { rego_value v = {0}; v.kind = REGO_BOOL; v.u.b = b; return v; }
static inline rego_value rego_int(int64_t i) { rego_value v = {0}; v.kind = REGO_NUMBER; v.sub = REGO_NUM_INT; v.u.i = i; return v; }
/* A float; NaN and infinities are not Rego numbers: callers must check. */
static inline rego_value rego_float(double f) { rego_value v = {0}; v.kind = REGO_NUMBER; v.sub = REGO_NUM_FLOAT; v.u.f = f; return v; }
static inline bool rego_is_undef(rego_value v) { return v.kind == REGO_UNDEF; }

/* Copies n bytes into a (NUL-terminated).  kind UNDEF when out of memory. */
rego_value rego_str(rp_arena *a, const char *s, size_t n);
rego_value rego_cstr(rp_arena *a, const char *s);
/* Borrows s (which must be NUL-terminated at s[n] and outlive the value). */
rego_value rego_str_borrow(const char *s, size_t n);
/* Allocates a string of n bytes to be filled by the caller (NUL added). */
char *rego_str_alloc(rp_arena *a, size_t n, rego_value *out);

/* Arrays: allocate then fill items[0..n) before using *out. */
rego_value *rego_array_alloc(rp_arena *a, size_t n, rego_value *out);
/* Borrows items[0..n) (must outlive the value). */
rego_value rego_array_borrow(const rego_value *items, size_t n);
static inline rego_value rego_empty_array(void) { rego_value v = {0}; v.kind = REGO_ARRAY; return v; }
rego_value rego_empty_object(void);
rego_value rego_empty_set(void);

/* Parses a Rego/JSON number literal (no leading '+'; JSON grammar plus
 * arbitrarily long integers).  Integers that fit int64 become INT, larger
 * ones BIG, anything with a fraction or exponent FLOAT (finite only).
 * Returns false when the text is not a number or overflows a double. */
bool rego_number_parse(rp_arena *a, const char *s, size_t n, rego_value *out);

/* Size checks standing in for OPA's big.Float on a number literal: an
 * exponent beyond int32 is INVALID ("invalid float"), a magnitude past
 * about 2^±1e5 (10^±30103) either way is TOO_BIG ("number too big"). */
typedef enum { REGO_NUM_OK, REGO_NUM_TOO_BIG, REGO_NUM_INVALID } rego_numsize;
rego_numsize rego_number_size(const char *s, size_t n);

/* A literal beyond double range that is still an integer ("2e308",
 * "1.5e400", which OPA accepts as numbers, in Rego and in JSON) as an exact
 * big integer keeping its text (rego_num_with_text).  False when s is not
 * such a literal, is past rego_number_size's bounds, or memory ran out. */
bool rego_number_parse_big(rp_arena *a, const char *s, size_t n, rego_value *out);

/* Attaches the literal's text to a big integer written in exponent form
 * (OPA keeps number text: sprintf("%v", [2e308]) prints "2e308").  Other
 * numbers are returned unchanged; UNDEF when out of memory. */
rego_value rego_num_with_text(rp_arena *a, rego_value v, const char *text, size_t n);
/* The literal text attached by rego_num_with_text, or NULL. */
const char *rego_num_text(rego_value v, size_t *n);

/* ---- accessors ------------------------------------------------------------ */
static inline size_t rego_len(rego_value v) { return v.n; }
static inline rego_objent rego_object_at(rego_value o, size_t i) { return o.u.obj->ents[i]; }
static inline rego_value rego_set_at(rego_value s, size_t i) { return s.u.set->items[i]; }

/* Object lookup.  Returns true and sets *out when key is present. */
bool rego_object_get(rego_value obj, rego_value key, rego_value *out);
/* Lookup by string key; hash is rego_hash_str(s, n) (callers with constant
 * keys precompute it). */
bool rego_object_get_str(rego_value obj, const char *s, size_t n, uint64_t hash, rego_value *out);
bool rego_set_has(rego_value set, rego_value v);

/* OPA's name for the kind, as used in error messages: "null", "boolean",
 * "number", "string", "array", "object", "set" ("undefined" for UNDEF). */
const char *rego_kind_name(rego_kind k);
static inline const char *rego_type_name(rego_value v) { return rego_kind_name((rego_kind)v.kind); }

/* ---- order, equality, hashing -------------------------------------------- */
/* OPA's total order; <0, 0, >0. */
int rego_compare(rego_value a, rego_value b);
bool rego_equal(rego_value a, rego_value b);
/* Equal values hash equal (1 and 1.0 too). */
uint64_t rego_hash(rego_value v);
uint64_t rego_hash_str(const char *s, size_t n);

/* ---- numbers -------------------------------------------------------------- */
/* Exact conversion to int64 (accepts integral floats and in-range bigs). */
bool rego_num_to_i64(rego_value v, int64_t *out);
/* True if the number is an integer (INT, BIG, or integral FLOAT). */
bool rego_num_is_int(rego_value v);
double rego_num_to_double(rego_value v);
/* Normalizes: an integral number that fits int64 becomes INT. */
rego_value rego_num_normalize(rego_value v);

/* Arithmetic as OPA does it: exact on integers (GMP when they leave int64),
 * 64-bit-mantissa floats otherwise.  Return RP_OK, RP_ERR_EVAL with a message
 * in *msg ("divide by zero", "modulo by zero", "modulo on floating-point
 * number"), or RP_ERR_NOMEM. */
typedef enum { REGO_OP_ADD, REGO_OP_SUB, REGO_OP_MUL, REGO_OP_DIV, REGO_OP_REM } rego_arith_op;
rp_status rego_num_arith(rp_arena *a, rego_arith_op op, rego_value x, rego_value y,
                         rego_value *out, const char **msg);
/* Round/ceil/floor/abs; for integers identity (abs negates). */
typedef enum { REGO_UN_ROUND, REGO_UN_CEIL, REGO_UN_FLOOR, REGO_UN_ABS } rego_unary_op;
rp_status rego_num_unary(rp_arena *a, rego_unary_op op, rego_value x, rego_value *out);

/* OPA computes with non-integers as Go big.Floats of 64-bit mantissa read
 * from the number's decimal text, and writes results back as the shortest
 * decimal text at that precision.  rego_num_to_ext gives the value OPA would
 * compute with (an x87 long double); rego_num_from_ext builds the number
 * OPA's result text denotes: an exact integer (INT or BIG) when r is
 * integral, else the double nearest that text.  RP_ERR_EVAL when r is not
 * finite (or overflows a double), RP_ERR_NOMEM. */
long double rego_num_to_ext(rego_value v);
rp_status rego_num_from_ext(rp_arena *a, long double r, rego_value *out);

/* GMP bridge for builtins that need big integers.  rego_num_to_mpz fills an
 * initialised mpz_t (passed as void* to keep gmp.h out of this header) and
 * fails for non-integers; rego_num_from_mpz builds a normalized number. */
bool rego_num_to_mpz(rego_value v, void *mpz);
rego_value rego_num_from_mpz(rp_arena *a, const void *mpz);

/* Writes the number as OPA prints it: integers in full, floats in the
 * shortest form that reads back to the same double ("1.5", "1e+21"). */
void rego_num_write(rp_buf *b, rego_value v);

/* The shortest decimal digits that read back to |d| (d finite, not zero), as
 * Go's strconv finds them in shortest mode: digits[0..n) without sign or
 * trailing zeros (n <= 17) and the decimal exponent of the first digit,
 * |d| = d.ddd x 10^exp10.  Returns n. */
size_t rego_double_digits(double d, char digits[17], int *exp10);
/* d (finite) in Go's %g layout with those digits: "-0" for negative zero,
 * the exponent form ("1.5e+21", "1e-05") when the exponent is < -4 or >=
 * eprec, positional digits otherwise.  eprec 6 is strconv.FormatFloat(d,
 * 'g', -1, 64); rego_num_write uses 21 for non-integral floats. */
void rego_double_write_g(rp_buf *b, double d, int eprec);

/* ---- builders ------------------------------------------------------------- *
 * Builders grow in the arena and produce an immutable sorted collection on
 * finish.  They deduplicate as they go (sets) or detect key clashes (objects). */
typedef struct {
    rp_arena *a;
    rego_value *items;
    uint32_t n, cap;
    uint32_t *tab;
    uint32_t tabcap; /* power of two or 0 */
    bool failed;
} rego_setb;

void rego_setb_init(rego_setb *b, rp_arena *a);
/* Adds v; returns true when v was new. */
bool rego_setb_add(rego_setb *b, rego_value v);
bool rego_setb_has(const rego_setb *b, rego_value v);
/* Produces the set (kind UNDEF if out of memory).  The builder is dead after. */
rego_value rego_setb_finish(rego_setb *b);

typedef struct {
    rp_arena *a;
    rego_objent *ents;
    uint32_t n, cap;
    uint32_t *tab;
    uint32_t tabcap;
    bool failed;
} rego_objb;

typedef enum {
    REGO_PUT_NEW,      /* key was absent, inserted */
    REGO_PUT_SAME,     /* key present with an equal value: nothing changed */
    REGO_PUT_CONFLICT, /* key present with a different value: existing kept */
    REGO_PUT_NOMEM,
} rego_put_result;

void rego_objb_init(rego_objb *b, rp_arena *a);
rego_put_result rego_objb_put(rego_objb *b, rego_value key, rego_value val);
/* Inserts or overwrites. */
void rego_objb_set(rego_objb *b, rego_value key, rego_value val);
/* Looks up a key inserted so far; returns a pointer to its value slot
 * (valid until the next insert) or NULL. */
rego_value *rego_objb_get(rego_objb *b, rego_value key);
rego_value rego_objb_finish(rego_objb *b);

/* Two-step construction without builders, for parsers that know the size:
 * *_alloc returns room for n elements inside a collection, the caller fills
 * all n, then *_seal sorts, removes duplicates (objects: the last duplicate
 * key wins) and builds the index, in place.  Exact-size, no copy. */
rego_objent *rego_object_alloc(rp_arena *a, size_t n, rego_value *out);
rego_value rego_object_seal(rp_arena *a, rego_value obj);
rego_value *rego_set_alloc(rp_arena *a, size_t n, rego_value *out);
rego_value rego_set_seal(rp_arena *a, rego_value set);

/* Builds a set/object directly from an array of items (copied, sorted,
 * deduplicated; for objects the last duplicate key wins). */
rego_value rego_set_from(rp_arena *a, const rego_value *items, size_t n);
rego_value rego_object_from(rp_arena *a, const rego_objent *ents, size_t n);

/* Set algebra in one merge pass over the sorted items: x | y, x & y, x - y.
 * The result may share x or y when it equals one of them.  kind UNDEF when
 * out of memory; x and y must be sets. */
typedef enum { REGO_SETOP_UNION, REGO_SETOP_INTERSECT, REGO_SETOP_DIFF } rego_setop;
rego_value rego_set_op(rp_arena *a, rego_setop op, rego_value x, rego_value y);

/* ---- printing ------------------------------------------------------------- */
typedef enum {
    REGO_FMT_JSON = 0,        /* compact JSON; sets as sorted arrays */
    REGO_FMT_JSON_PRETTY = 1, /* indented two spaces, as opa eval --format json */
    REGO_FMT_REGO = 2,        /* Rego term syntax: sets {1, 2}, set(), strings quoted */
    REGO_FMT_HTML = 0x100,    /* flag: escape <, > and & as \u003c... (Go's json.Marshal) */
} rego_fmt;
/* Writes v.  Non-string object keys in JSON are written as their JSON text in
 * a string, as OPA does.  Depth beyond REGO_VALUE_MAX_DEPTH prints "...". */
void rego_value_write(rp_buf *b, rego_value v, rego_fmt fmt);
/* Writes a JSON string literal with OPA/Go escaping (\u003c for <, > and &
 * when html is true). */
void rego_json_write_string(rp_buf *b, const char *s, size_t n, bool html);

#endif
