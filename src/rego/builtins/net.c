/*
 * net.c — the builtin group "net": net.cidr_contains, net.cidr_overlap
 * (its deprecated alias), net.cidr_intersects, net.cidr_contains_matches,
 * net.cidr_expand, net.cidr_merge, net.cidr_is_valid and
 * net.lookup_ip_addr.
 *
 * OPA implements these over Go's net package, so the address model here is
 * Go's: ParseIP/ParseCIDR accept what net/netip's ParseAddr accepts (dotted
 * quads without leading zeros, RFC 4291 IPv6 text with an optional trailing
 * dotted quad, no zones), a parsed IP is 16 bytes, an IPv4 CIDR keeps a
 * 4-byte network and mask, and IPv4-mapped IPv6 addresses count as IPv4
 * (IP.To4).  Printing follows Go too (RFC 5952 for IPv6, dotted quads for
 * anything To4 accepts).  net.cidr_merge reproduces OPA's merge (classful
 * masks for bare IPv4 addresses, unmasked networks printed as given when
 * nothing merged with them), on 16-byte ranges with IPv4 in ::ffff:0:0/96.
 *
 * Bounds: net.cidr_expand builds at most REGO_NET_CIDR_EXPAND_MAX addresses
 * (RP_ERR_LIMIT past it); merging is O(n log n) in the input.
 * net.lookup_ip_addr calls getaddrinfo, whose time is bounded by the
 * resolver's own timeout and attempts (resolv.conf); names longer than a DNS
 * name can be are refused without a lookup.
 *
 * Known divergences (OPA misbehaves there): OPA's merge treats IPv4-mapped
 * IPv6 CIDRs (::ffff:a.b.c.d/n) as 28-byte addresses and panics on some
 * IPv6 merges whose result starts with a zero byte (e.g. ::100/120 with
 * ::180/121); here both merge as ordinary ranges.  Lookup errors cannot carry
 * Go's resolver details (which server failed).
 *
 * No global state.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../builtin.h"
#include "../limits.h"

/* ---- Go's net.IP ------------------------------------------------------------------- */

/* A net.IP or net.IPMask: 4 or 16 bytes (len 0 is nil). */
typedef struct {
    uint8_t b[16];
    uint8_t len;
} goip;

/* A net.IPNet. */
typedef struct {
    goip ip, mask;
} gonet;

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* IP.To4: the 4-byte form of an IPv4 or IPv4-mapped address, else nil. */
static goip to4(goip ip)
{
    goip r = {{0}, 0};
    if (ip.len == 4)
        return ip;
    if (ip.len == 16 && memcmp(ip.b, v4_prefix, 12) == 0) {
        memcpy(r.b, ip.b + 12, 4);
        r.len = 4;
    }
    return r;
}

/* IP.Mask. */
static goip ip_mask(goip ip, goip m)
{
    goip r = {{0}, 0};
    if (m.len == 16 && ip.len == 4) {
        bool ff = true;
        for (int i = 0; i < 12; i++)
            ff &= m.b[i] == 0xff;
        if (ff) {
            memmove(m.b, m.b + 12, 4);
            m.len = 4;
        }
    }
    if (m.len == 4 && ip.len == 16 && memcmp(ip.b, v4_prefix, 12) == 0) {
        memmove(ip.b, ip.b + 12, 4);
        ip.len = 4;
    }
    if (ip.len != m.len)
        return r;
    r.len = ip.len;
    for (int i = 0; i < ip.len; i++)
        r.b[i] = ip.b[i] & m.b[i];
    return r;
}

static goip cidr_mask(int ones, int bits)
{
    goip m = {{0}, (uint8_t)(bits / 8)};
    for (int i = 0; i < m.len; i++) {
        int k = ones - i * 8;
        m.b[i] = k >= 8 ? 0xff : k <= 0 ? 0 : (uint8_t)(0xff << (8 - k));
    }
    return m;
}

/* IPMask.Size's ones for canonical masks (the only ones built here). */
static int mask_ones(goip m)
{
    int n = 0;
    for (int i = 0; i < m.len; i++)
        for (int k = 7; k >= 0 && (m.b[i] >> k & 1); k--)
            n++;
    return n;
}

/* networkNumberAndMask; false when Go would get nil. */
static bool net_number(const gonet *n, goip *nn, goip *m)
{
    *nn = to4(n->ip);
    if (nn->len == 0) {
        *nn = n->ip;
        if (nn->len != 16)
            return false;
    }
    *m = n->mask;
    if (m->len == 4 && nn->len != 4)
        return false;
    if (m->len == 16 && nn->len == 4) {
        memmove(m->b, m->b + 12, 4);
        m->len = 4;
    }
    return m->len == 4 || m->len == 16;
}

/* IPNet.Contains. */
static bool net_contains(const gonet *n, goip ip)
{
    goip nn, m;
    if (!net_number(n, &nn, &m))
        return false;
    goip x = to4(ip);
    if (x.len)
        ip = x;
    if (ip.len != nn.len)
        return false;
    for (int i = 0; i < ip.len; i++)
        if ((nn.b[i] & m.b[i]) != (ip.b[i] & m.b[i]))
            return false;
    return true;
}

/* ---- parsing (net/netip's ParseAddr, net.ParseIP, net.ParseCIDR) ----------------------- */

/* Dotted quad in s[0..n) into out[0..4). */
static bool parse_v4_fields(const char *s, size_t n, uint8_t *out)
{
    int val = 0, pos = 0, dig = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (dig == 1 && val == 0) /* leading zero */
                return false;
            val = val * 10 + (c - '0');
            dig++;
            if (val > 255)
                return false;
        } else if (c == '.') {
            if (i == 0 || i == n - 1 || s[i - 1] == '.' || pos == 3)
                return false;
            out[pos++] = (uint8_t)val;
            val = 0;
            dig = 0;
        } else {
            return false;
        }
    }
    if (pos < 3)
        return false;
    out[3] = (uint8_t)val;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Fills the expansion of "::" once the groups are read. */
static bool v6_expand(uint8_t *ip, int i, int ellipsis)
{
    if (i < 16) {
        if (ellipsis < 0)
            return false;
        int n = 16 - i;
        for (int j = i - 1; j >= ellipsis; j--)
            ip[j + n] = ip[j];
        memset(ip + ellipsis, 0, (size_t)n);
        return true;
    }
    return ellipsis < 0; /* "::" must stand for at least one group */
}

/* IPv6 text without a zone (a zone makes ParseIP/ParseCIDR fail anyway). */
static bool parse_v6(const char *s, size_t n, uint8_t *ip)
{
    int ellipsis = -1, i = 0;
    memset(ip, 0, 16);
    if (memchr(s, '%', n))
        return false;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        s += 2, n -= 2;
        if (n == 0)
            return true;
    }
    while (i < 16) {
        size_t off = 0;
        uint32_t acc = 0;
        for (; off < n && hexval(s[off]) >= 0; off++) {
            acc = (acc << 4) + (uint32_t)hexval(s[off]);
            if (off > 3)
                return false;
        }
        if (off == 0)
            return false;
        if (off < n && s[off] == '.') { /* a trailing dotted quad */
            if ((ellipsis < 0 && i != 12) || i + 4 > 16)
                return false;
            if (!parse_v4_fields(s, n, ip + i))
                return false;
            n = 0;
            i += 4;
            break;
        }
        ip[i] = (uint8_t)(acc >> 8);
        ip[i + 1] = (uint8_t)acc;
        i += 2;
        s += off, n -= off;
        if (n == 0)
            break;
        if (s[0] != ':' || n == 1)
            return false;
        s++, n--;
        if (s[0] == ':') {
            if (ellipsis >= 0)
                return false;
            ellipsis = i;
            s++, n--;
            if (n == 0)
                break;
        }
    }
    return n == 0 && v6_expand(ip, i, ellipsis);
}

/* netip.ParseAddr: 16 bytes, *is4 for dotted-quad text. */
static bool parse_addr(const char *s, size_t n, uint8_t *out16, bool *is4)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            memcpy(out16, v4_prefix, 12);
            *is4 = true;
            return parse_v4_fields(s, n, out16 + 12);
        }
        if (s[i] == ':') {
            *is4 = false;
            return parse_v6(s, n, out16);
        }
        if (s[i] == '%')
            return false;
    }
    return false;
}

/* net.ParseIP: a 16-byte IP, or len 0. */
static goip parse_ip(const char *s, size_t n)
{
    goip r = {{0}, 16};
    bool is4;
    if (!parse_addr(s, n, r.b, &is4))
        r.len = 0;
    return r;
}

/* net.ParseCIDR: the 16-byte address and the network. */
static bool parse_cidr(const char *s, size_t n, goip *ip, gonet *net)
{
    const char *slash = memchr(s, '/', n);
    bool is4;
    if (!slash)
        return false;
    ip->len = 16;
    if (!parse_addr(s, (size_t)(slash - s), ip->b, &is4))
        return false;
    const char *m = slash + 1;
    size_t mn = n - (size_t)(m - s), i = 0;
    int ones = 0, bits = is4 ? 32 : 128;
    for (; i < mn && m[i] >= '0' && m[i] <= '9'; i++) {
        ones = ones * 10 + (m[i] - '0');
        if (ones >= 0xFFFFFF) /* Go's dtoi gives up here */
            return false;
    }
    if (i == 0 || i != mn || ones > bits)
        return false;
    net->mask = cidr_mask(ones, bits);
    net->ip = ip_mask(*ip, net->mask);
    return true;
}

/* ---- printing (IP.String, IPNet.String) ------------------------------------------------- */

static void put_ip(rp_buf *b, goip ip)
{
    goip v4 = to4(ip);
    if (v4.len == 4) {
        rp_buf_printf(b, "%u.%u.%u.%u", v4.b[0], v4.b[1], v4.b[2], v4.b[3]);
        return;
    }
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(ip.b[2 * i] << 8 | ip.b[2 * i + 1]);
    int zs = -1, ze = -1; /* the first longest run of two or more zero groups */
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i >= 2 && j - i > ze - zs)
            zs = i, ze = j;
    }
    for (int i = 0; i < 8; i++) {
        if (i == zs) {
            rp_buf_puts(b, "::");
            i = ze - 1;
            continue;
        }
        if (i > 0 && i != ze)
            rp_buf_putc(b, ':');
        rp_buf_printf(b, "%x", g[i]);
    }
}

static void put_net(rp_buf *b, const gonet *n)
{
    goip nn, m;
    if (!net_number(n, &nn, &m)) {
        rp_buf_puts(b, "<nil>");
        return;
    }
    put_ip(b, nn);
    rp_buf_printf(b, "/%d", mask_ones(m));
}

static rego_value buf_string(rego_bctx *ctx, rp_buf *b)
{
    rego_value v = b->failed ? rego_undef() : rego_str(ctx->arena, b->data ? b->data : "", b->len);
    rp_buf_free(b);
    return v;
}

/* ---- cidr_contains / overlap / intersects ----------------------------------------------- */

/* OPA's getNetFromOperand: the operand is always reported as operand 1. */
static rp_status net_operand(rego_bctx *ctx, rego_value v, gonet *n)
{
    goip ip;
    if (v.kind != REGO_STRING)
        return rego_bi_type_error(ctx, 1, v, "string");
    if (!parse_cidr(v.u.s, v.n, &ip, n))
        return rego_bi_errorf(ctx, "invalid CIDR address: %s", v.u.s);
    return RP_OK;
}

/* The last address of a network (the network with every host bit set). */
static goip last_ip(const gonet *n)
{
    goip r = n->ip;
    for (int i = 0; i < r.len && i < n->mask.len; i++)
        r.b[r.len - 1 - i] |= (uint8_t)~n->mask.b[n->mask.len - 1 - i];
    return r;
}

/* net.cidr_contains(a, b): b is an IP or a CIDR inside network a. */
static rp_status contains(rego_bctx *ctx, rego_value a, rego_value b, bool *out)
{
    gonet na, nb;
    goip ip;
    rp_status st = net_operand(ctx, a, &na);
    if (st != RP_OK)
        return st;
    if (b.kind != REGO_STRING)
        return rego_bi_type_error(ctx, 1, b, "string");
    ip = parse_ip(b.u.s, b.n);
    if (ip.len) {
        *out = net_contains(&na, ip);
        return RP_OK;
    }
    if (!parse_cidr(b.u.s, b.n, &ip, &nb))
        return rego_bi_errorf(ctx, "not a valid textual representation of an IP address or CIDR: %s",
                              b.u.s);
    *out = net_contains(&na, nb.ip) && net_contains(&na, last_ip(&nb));
    return RP_OK;
}

static rp_status bi_cidr_contains(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    bool r;
    rp_status st = contains(ctx, args[0], args[1], &r);
    if (st == RP_OK)
        *out = rego_bool(r);
    return st;
}

static rp_status bi_cidr_intersects(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    gonet a, b;
    rp_status st = net_operand(ctx, args[0], &a);
    if (st == RP_OK)
        st = net_operand(ctx, args[1], &b);
    if (st == RP_OK)
        *out = rego_bool(net_contains(&a, b.ip) || net_contains(&b, a.ip));
    return st;
}

static rp_status bi_cidr_is_valid(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    (void)ctx;
    goip ip;
    gonet n;
    *out = rego_bool(args[0].kind == REGO_STRING && parse_cidr(args[0].u.s, args[0].n, &ip, &n));
    return RP_OK;
}

/* ---- cidr_contains_matches -------------------------------------------------------------- */

/* One element of a collection operand: the CIDR (or IP) and its key. */
typedef struct {
    rego_value cidr, key;
} match_item;

/* A string or a non-empty array (whose first element is the CIDR). */
static bool match_term(rego_value v, rego_value *cidr)
{
    if (v.kind == REGO_STRING) {
        *cidr = v;
        return true;
    }
    if (v.kind == REGO_ARRAY && v.n > 0) {
        *cidr = v.u.items[0];
        return true;
    }
    return false;
}

/* The i-th item of an operand of cidr_contains_matches, in OPA's order;
 * false with the element error reported. */
static bool match_at(rego_bctx *ctx, int operand, rego_value v, size_t i, match_item *it)
{
    rego_value elem = v;
    switch ((rego_kind)v.kind) {
    case REGO_STRING:
        it->cidr = it->key = v;
        return true;
    case REGO_ARRAY:
        elem = v.u.items[i];
        it->key = rego_int((int64_t)i);
        break;
    case REGO_SET:
        elem = it->key = rego_set_at(v, i);
        break;
    case REGO_OBJECT:
        it->key = rego_object_at(v, i).key;
        elem = rego_object_at(v, i).val;
        break;
    case REGO_UNDEF: case REGO_NULL: case REGO_BOOL: case REGO_NUMBER:
        return false;
    }
    if (!match_term(elem, &it->cidr)) {
        rego_bi_errorf(ctx, "operand %d: element must be string or non-empty array", operand);
        return false;
    }
    return true;
}

/* Items in an operand; other kinds have none (OPA iterates nothing). */
static size_t match_count(rego_value v)
{
    switch ((rego_kind)v.kind) {
    case REGO_STRING: return 1;
    case REGO_ARRAY: case REGO_SET: case REGO_OBJECT: return v.n;
    case REGO_UNDEF: case REGO_NULL: case REGO_BOOL: case REGO_NUMBER: return 0;
    }
    return 0;
}

static rp_status bi_cidr_contains_matches(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    rego_setb sb;
    rego_setb_init(&sb, ctx->arena);
    size_t n1 = match_count(args[0]), n2 = match_count(args[1]);
    for (size_t i = 0; i < n1; i++) {
        match_item a, b;
        if (!match_at(ctx, 1, args[0], i, &a))
            return RP_ERR_EVAL;
        for (size_t j = 0; j < n2; j++) {
            bool hit;
            if (!match_at(ctx, 2, args[1], j, &b))
                return RP_ERR_EVAL;
            rp_status st = contains(ctx, a.cidr, b.cidr, &hit);
            if (st != RP_OK)
                return st;
            if (!hit)
                continue;
            rego_value pair, *p = rego_array_alloc(ctx->arena, 2, &pair);
            if (!p)
                return rego_bi_nomem(ctx);
            p[0] = a.key;
            p[1] = b.key;
            rego_setb_add(&sb, pair);
        }
    }
    *out = rego_setb_finish(&sb);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- cidr_expand ------------------------------------------------------------------------ */

static void ip_inc(goip *ip)
{
    for (int j = ip->len - 1; j >= 0; j--)
        if (++ip->b[j] != 0)
            break;
}

static rp_status bi_cidr_expand(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    goip ip;
    gonet net;
    if (!rego_bi_arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    if (!parse_cidr(s, n, &ip, &net))
        return rego_bi_errorf(ctx, "invalid CIDR address: %s", s);
    int host_bits = net.mask.len * 8 - mask_ones(net.mask);
    if (host_bits > 62 || (1ull << host_bits) > REGO_NET_CIDR_EXPAND_MAX)
        return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                             "%s: %s has more than %u addresses", ctx->bi->name, s,
                             (unsigned)REGO_NET_CIDR_EXPAND_MAX);
    rego_value *items = rego_set_alloc(ctx->arena, (size_t)1 << host_bits, out);
    if (!items)
        return rego_bi_nomem(ctx);
    size_t k = 0;
    for (ip = ip_mask(ip, net.mask); k < ((size_t)1 << host_bits) && net_contains(&net, ip);
         ip_inc(&ip)) {
        rp_buf b;
        rp_buf_init(&b);
        put_ip(&b, ip);
        items[k] = buf_string(ctx, &b);
        if (items[k++].kind == REGO_UNDEF)
            return rego_bi_nomem(ctx);
    }
    for (; k < ((size_t)1 << host_bits); k++) /* never: the block is contiguous */
        items[k] = items[0];
    *out = rego_set_seal(ctx->arena, *out);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- cidr_merge --------------------------------------------------------------------------
 * Every network becomes a 16-byte range [first, last] (IPv4 as ::ffff:a.b.c.d);
 * ranges sorted by (last, first) are folded from the end into their
 * predecessor when they touch or overlap it.  A range nothing merged with
 * is printed as its network was given; a merged one as the fewest CIDRs
 * covering it. */

typedef struct {
    uint8_t first[16], last[16];
    gonet net;
    bool merged;
} crange;

static void range_of(const gonet *n, crange *r)
{
    goip f = ip_mask(n->ip, n->mask);
    uint8_t b[16];
    if (to4(f).len == 4 && f.len == 4) {
        memcpy(b, v4_prefix, 12);
        memcpy(b + 12, f.b, 4);
    } else {
        memset(b, 0, 16);
        memcpy(b + 16 - f.len, f.b, f.len);
    }
    memcpy(r->first, b, 16);
    memcpy(r->last, b, 16);
    for (int i = 0; i < n->mask.len; i++)
        r->last[15 - i] |= (uint8_t)~n->mask.b[n->mask.len - 1 - i];
    r->net = *n;
    r->merged = false;
}

static int cmp_range(const void *x, const void *y)
{
    const crange *a = x, *b = y;
    int c = memcmp(a->last, b->last, 16);
    return c ? c : memcmp(a->first, b->first, 16);
}

static bool is_v4_mapped(const uint8_t *b)
{
    return memcmp(b, v4_prefix, 12) == 0;
}

/* GetPreviousIP: one less, borrowing within the last 4 bytes for IPv4
 * (and not below 0.0.0.0 or ::). */
static void prev_ip(const uint8_t *ip, uint8_t *out)
{
    static const uint8_t zero[16];
    memcpy(out, ip, 16);
    if (memcmp(ip, zero, 16) == 0 || (is_v4_mapped(ip) && memcmp(ip + 12, zero, 4) == 0))
        return;
    int lo = is_v4_mapped(ip) ? 12 : 0;
    for (int i = 15; i >= lo; i--)
        if (out[i]-- != 0)
            break;
}

/* Element of the operand: an IP (IPv4 gets its classful mask) or a CIDR. */
static rp_status merge_elem(rego_bctx *ctx, rego_value v, gonet *n)
{
    if (v.kind != REGO_STRING)
        return rego_bi_errorf(ctx, "element must be string");
    goip ip = parse_ip(v.u.s, v.n);
    if (!ip.len) {
        if (!parse_cidr(v.u.s, v.n, &ip, n))
            return rego_bi_errorf(ctx, "invalid CIDR address: %s", v.u.s);
        return RP_OK;
    }
    goip v4 = to4(ip);
    if (!v4.len)
        return rego_bi_errorf(ctx, "IPv6 invalid: needs prefix length");
    n->ip = ip;
    n->mask = cidr_mask(v4.b[0] < 0x80 ? 8 : v4.b[0] < 0xC0 ? 16 : 24, 32);
    return RP_OK;
}

/* Adds one CIDR string to the result. */
static bool add_net(rego_bctx *ctx, rego_setb *sb, const gonet *n)
{
    rp_buf b;
    rp_buf_init(&b);
    put_net(&b, n);
    rego_value s = buf_string(ctx, &b);
    return s.kind != REGO_UNDEF && (rego_setb_add(sb, s), true);
}

/* The fewest CIDRs covering [first, last]: greedy aligned blocks, at most
 * two per bit. */
static bool add_range(rego_bctx *ctx, rego_setb *sb, const crange *r)
{
    bool v4 = is_v4_mapped(r->first);
    int off = v4 ? 12 : 0, bits = v4 ? 32 : 128;
    uint8_t cur[16], end[16];
    memcpy(cur, r->first, 16);
    for (int guard = 0; guard <= 2 * 128; guard++) {
        int k = 0; /* trailing zero bits of cur within the family */
        while (k < bits && !(cur[15 - k / 8] >> (k % 8) & 1))
            k++;
        for (;; k--) {
            memcpy(end, cur, 16);
            for (int i = 0; i < k; i++)
                end[15 - i / 8] |= (uint8_t)(1u << (i % 8));
            if (memcmp(end, r->last, 16) <= 0)
                break;
        }
        gonet n;
        n.ip.len = (uint8_t)(bits / 8);
        memcpy(n.ip.b, cur + off, n.ip.len);
        n.mask = cidr_mask(bits - k, bits);
        if (!add_net(ctx, sb, &n))
            return false;
        if (memcmp(end, r->last, 16) == 0)
            break;
        memcpy(cur, end, 16);
        for (int i = 15; i >= 0; i--)
            if (++cur[i] != 0)
                break;
    }
    return true;
}

static rp_status merge_collect(rego_bctx *ctx, rego_value v, crange **out, size_t *n)
{
    if (v.kind != REGO_ARRAY && v.kind != REGO_SET)
        return rego_bi_errorf(ctx, "operand must be an array");
    crange *rs = rp_arena_array(ctx->arena, v.n ? v.n : 1, sizeof(crange));
    if (!rs)
        return rego_bi_nomem(ctx);
    for (size_t i = 0; i < v.n; i++) {
        gonet net;
        rego_value e = v.kind == REGO_ARRAY ? v.u.items[i] : rego_set_at(v, i);
        rp_status st = merge_elem(ctx, e, &net);
        if (st != RP_OK)
            return st;
        range_of(&net, &rs[i]);
    }
    *out = rs;
    *n = v.n;
    return RP_OK;
}

static rp_status bi_cidr_merge(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    crange *rs = NULL;
    size_t n = 0;
    rp_status st = merge_collect(ctx, args[0], &rs, &n);
    if (st != RP_OK)
        return st;
    qsort(rs, n, sizeof(crange), cmp_range);
    for (size_t i = n; i-- > 1;) {
        uint8_t prev[16];
        prev_ip(rs[i].first, prev);
        if (memcmp(prev, rs[i - 1].last, 16) > 0)
            continue;
        if (memcmp(rs[i].first, rs[i - 1].first, 16) < 0)
            memcpy(rs[i - 1].first, rs[i].first, 16);
        memcpy(rs[i - 1].last, rs[i].last, 16);
        rs[i - 1].merged = true;
        memmove(rs + i, rs + i + 1, (n - i - 1) * sizeof(crange));
        n--;
    }
    rego_setb sb;
    rego_setb_init(&sb, ctx->arena);
    for (size_t i = 0; i < n; i++)
        if (!(rs[i].merged ? add_range(ctx, &sb, &rs[i]) : add_net(ctx, &sb, &rs[i].net)))
            return rego_bi_nomem(ctx);
    *out = rego_setb_finish(&sb);
    return out->kind == REGO_UNDEF ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- lookup_ip_addr ---------------------------------------------------------------------- */

/* OPA refuses hosts outside the embedder's allow-list ("allow_net"). */
static bool host_allowed(rego_bctx *ctx, const char *name, size_t n)
{
    rego_value allow = rego_bi_config(ctx, "allow_net");
    if (allow.kind != REGO_ARRAY && allow.kind != REGO_SET)
        return true;
    for (size_t i = 0; i < allow.n; i++) {
        rego_value h = allow.kind == REGO_ARRAY ? allow.u.items[i] : rego_set_at(allow, i);
        if (h.kind == REGO_STRING && h.n == n && memcmp(h.u.s, name, n) == 0)
            return true;
    }
    return false;
}

/* IPAddr.String: the address, with "%zone" for scoped IPv6. */
static void put_addrinfo(rp_buf *b, const struct addrinfo *ai)
{
    goip ip = {{0}, 16};
    if (ai->ai_family == AF_INET) {
        const struct sockaddr_in *s = (const void *)ai->ai_addr;
        memcpy(ip.b, v4_prefix, 12);
        memcpy(ip.b + 12, &s->sin_addr, 4);
        put_ip(b, ip);
        return;
    }
    const struct sockaddr_in6 *s6 = (const void *)ai->ai_addr;
    memcpy(ip.b, &s6->sin6_addr, 16);
    put_ip(b, ip);
    char ifname[IF_NAMESIZE];
    if (s6->sin6_scope_id) {
        if (if_indextoname(s6->sin6_scope_id, ifname))
            rp_buf_printf(b, "%%%s", ifname);
        else
            rp_buf_printf(b, "%%%u", s6->sin6_scope_id);
    }
}

static rp_status lookup_error(rego_bctx *ctx, const char *name, int rc)
{
    const char *why = "no such host";
    if (rc != EAI_NONAME && rc != EAI_NODATA && rc != EAI_FAIL)
        why = gai_strerror(rc);
    return rego_bi_errorf(ctx, "lookup %s: %s", name, why);
}

#define DNS_NAME_MAX 254 /* longer names cannot resolve (RFC 1035 plus a root dot) */

static rp_status bi_lookup_ip_addr(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *name;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &name, &n))
        return RP_ERR_TYPE;
    if (!host_allowed(ctx, name, n))
        return rego_bi_errorf(ctx, "unallowed host: %s", name);
    rego_value key, *kp = rego_array_alloc(ctx->arena, 2, &key);
    if (!kp)
        return rego_bi_nomem(ctx);
    kp[0] = rego_str_borrow(ctx->bi->name, strlen(ctx->bi->name));
    kp[1] = args[0];
    if (rego_bi_memo_get(ctx, key, out))
        return RP_OK;
    if (n == 0 || n > DNS_NAME_MAX || memchr(name, 0, n))
        return lookup_error(ctx, name, EAI_NONAME);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM; /* one entry per address */
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0)
        return lookup_error(ctx, name, rc);
    rego_setb sb;
    rego_setb_init(&sb, ctx->arena);
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        rp_buf b;
        rp_buf_init(&b);
        put_addrinfo(&b, ai);
        rego_value s = buf_string(ctx, &b);
        if (s.kind != REGO_UNDEF)
            rego_setb_add(&sb, s);
    }
    freeaddrinfo(res);
    *out = rego_setb_finish(&sb);
    if (out->kind == REGO_UNDEF)
        return rego_bi_nomem(ctx);
    rego_bi_memo_put(ctx, key, *out);
    return RP_OK;
}

#define MATCHES_ARG "string|array[string|array[any]]|set[string|array[any]]|object[string: string|array[any]]"

const rego_builtin rego_builtins_net[] = {
    {"net.cidr_contains", NULL, "(string, string) => boolean", 2, 0, bi_cidr_contains},
    {"net.cidr_overlap", NULL, "(string, string) => boolean", 2, REGO_BI_DEPRECATED,
     bi_cidr_contains},
    {"net.cidr_intersects", NULL, "(string, string) => boolean", 2, 0, bi_cidr_intersects},
    {"net.cidr_contains_matches", NULL,
     "(" MATCHES_ARG ", " MATCHES_ARG ") => set[array<any, any>]", 2, 0,
     bi_cidr_contains_matches},
    {"net.cidr_expand", NULL, "(string) => set[string]", 1, 0, bi_cidr_expand},
    {"net.cidr_merge", NULL, "(array[string]|set[string]) => set[string]", 1, 0, bi_cidr_merge},
    {"net.cidr_is_valid", NULL, "(string) => boolean", 1, 0, bi_cidr_is_valid},
    {"net.lookup_ip_addr", NULL, "(string) => set[string]", 1, REGO_BI_NONDET,
     bi_lookup_ip_addr},
    {0},
};
