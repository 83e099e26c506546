/*
 * uuid.c — the builtin group "uuid": uuid.rfc4122 (a random version 4 UUID,
 * the same for the same key within one query) and uuid.parse (the fields
 * OPA decodes with google/uuid: version and variant always, plus time, node
 * id and clock sequence for versions 1 and 2, and id and domain for 2).
 *
 * uuid.parse accepts google/uuid's four spellings: 36 characters with dashes,
 * "urn:uuid:" (any case) before them, any one character on each side of
 * them (google/uuid does not check for braces), or 32 hex digits.  Anything
 * else is undefined, as in OPA.
 *
 * No global state; randomness comes from the query (rego_bi_random) and the
 * result is memoised per query under [name, key].
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../builtin.h"

/* Gregorian-to-Unix epoch offset in 100-ns ticks (google/uuid's g1582ns100:
 * 141427 days between 1582-10-15 and 1970-01-01). */
#define G1582_NS100 (141427LL * 86400 * 10000000)

static rp_status bi_uuid_rfc4122(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_STRING))
        return RP_ERR_TYPE;
    rego_value key, *kp = rego_array_alloc(ctx->arena, 2, &key);
    if (!kp)
        return rego_bi_nomem(ctx);
    kp[0] = rego_str_borrow(ctx->bi->name, strlen(ctx->bi->name));
    kp[1] = args[0];
    if (rego_bi_memo_get(ctx, key, out))
        return RP_OK;
    uint8_t b[16];
    rego_bi_random(ctx, b, sizeof(b));
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant RFC 4122 */
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    char *s = rego_str_alloc(ctx->arena, 36, out);
    if (!s)
        return rego_bi_nomem(ctx);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0, k = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s[k++] = '-';
        s[k++] = hex[b[i] >> 4];
        s[k++] = hex[b[i] & 15];
    }
    rego_bi_memo_put(ctx, key, *out);
    return RP_OK;
}

static int xval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool xtob(const char *p, uint8_t *out)
{
    int hi = xval(p[0]), lo = xval(p[1]);
    if (hi < 0 || lo < 0)
        return false;
    *out = (uint8_t)(hi << 4 | lo);
    return true;
}

/* google/uuid's Parse. */
static bool uuid_parse(const char *s, size_t n, uint8_t u[16])
{
    static const int at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    if (n == 32) {
        for (int i = 0; i < 16; i++)
            if (!xtob(s + 2 * i, &u[i]))
                return false;
        return true;
    }
    if (n == 36 + 9) {
        if (strncasecmp(s, "urn:uuid:", 9) != 0)
            return false;
        s += 9;
    } else if (n == 36 + 2) {
        s += 1;
    } else if (n != 36) {
        return false;
    }
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return false;
    for (int i = 0; i < 16; i++)
        if (!xtob(s + at[i], &u[i]))
            return false;
    return true;
}

static const char *variant_name(uint8_t b8)
{
    if ((b8 & 0xc0) == 0x80)
        return "RFC4122";
    if ((b8 & 0xe0) == 0xc0)
        return "Microsoft";
    if ((b8 & 0xe0) == 0xe0)
        return "Future";
    return "Reserved";
}

/* The first byte of a MAC address: its local/global and unicast/multicast
 * bits, as OPA's macVars names them. */
static const char *mac_vars(uint8_t b)
{
    if ((b & 3) == 3)
        return "local:multicast";
    if (b & 1)
        return "global:multicast";
    if (b & 2)
        return "local:unicast";
    return "global:unicast";
}

static rego_value cstr(rego_bctx *ctx, const char *s)
{
    return rego_cstr(ctx->arena, s);
}

/* Time of a version 1/2 UUID in Unix nanoseconds (google/uuid's Time and
 * UnixTime, with Go's truncating division). */
static int64_t uuid_unix_ns(const uint8_t u[16])
{
    int64_t t = (int64_t)((uint64_t)u[0] << 24 | (uint64_t)u[1] << 16 | (uint64_t)u[2] << 8 | u[3]);
    t |= (int64_t)((uint64_t)u[4] << 8 | u[5]) << 32;
    t |= (int64_t)(((uint64_t)u[6] << 8 | u[7]) & 0xfff) << 48;
    int64_t sec = t - G1582_NS100;
    int64_t nsec = (sec % 10000000) * 100;
    sec /= 10000000;
    /* Go's int64 arithmetic wraps for times before 1970; so does this */
    return (int64_t)((uint64_t)sec * 1000000000u + (uint64_t)nsec);
}

static rp_status bi_uuid_parse(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    uint8_t u[16];
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (!uuid_parse(s, n, u))
        return RP_OK; /* undefined */
    int version = u[6] >> 4;
    rego_objb ob;
    rego_objb_init(&ob, ctx->arena);
    rego_objb_put(&ob, cstr(ctx, "version"), rego_int(version));
    rego_objb_put(&ob, cstr(ctx, "variant"), cstr(ctx, variant_name(u[8])));
    if (version == 1 || version == 2) {
        char node[64];
        snprintf(node, sizeof(node), "%s:%02x%02x%02x%02x%02x%02x", mac_vars(u[10]), u[10], u[11],
                 u[12], u[13], u[14], u[15]);
        rego_objb_put(&ob, cstr(ctx, "time"), rego_int(uuid_unix_ns(u)));
        rego_objb_put(&ob, cstr(ctx, "nodeid"), cstr(ctx, node));
        rego_objb_put(&ob, cstr(ctx, "clocksequence"), rego_int((u[8] << 8 | u[9]) & 0x3fff));
    }
    if (version == 2) {
        static const char *const domains[3] = {"Person", "Group", "Org"};
        char dom[32];
        if (u[9] < 3)
            snprintf(dom, sizeof(dom), "%s", domains[u[9]]);
        else
            snprintf(dom, sizeof(dom), "Domain%u", u[9]);
        uint32_t id = (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
        rego_objb_put(&ob, cstr(ctx, "id"), rego_int(id));
        rego_objb_put(&ob, cstr(ctx, "domain"), cstr(ctx, dom));
    }
    *out = rego_objb_finish(&ob);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

const rego_builtin rego_builtins_uuid[] = {
    {"uuid.rfc4122", NULL, "(string) => string", 1, REGO_BI_NONDET, bi_uuid_rfc4122},
    {"uuid.parse", NULL, "(string) => object[string: any]", 1, 0, bi_uuid_parse},
    {0},
};
