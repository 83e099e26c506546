/*
 * test_bi_net.c — the net builtin group: results and OPA's exact error
 * texts, one table line per call (see bi_table.h for the notation).  Lines
 * marked "conf:" mirror OPA's conformance cases under
 * shared/conformance/opa/given/net*; the other expected values follow Go's
 * net package (checked against it), whose parsing and printing OPA
 * inherits.
 */
#include "bi_table.h"
#include "rego/limits.h"

static const bt_case contains_cases[] = {
    /* conf: netcidrcontains/... */
    {"net.cidr_contains", "[\"10.0.0.0/8\", \"10.1.0.0/24\"]", "true"},
    {"net.cidr_contains", "[\"172.17.0.0/24\", \"172.17.0.0/16\"]", "false"},
    {"net.cidr_contains", "[\"10.0.0.0/8\", \"192.168.1.0/24\"]", "false"},
    {"net.cidr_contains", "[\"2001:4860:4860::8888/32\", \"2001:4860:4860:1234::8888/40\"]", "true"},
    {"net.cidr_contains",
     "[\"2001:4860:4860::8888/32\", \"2001:4860:4860:1234:5678:1234:5678:8888/128\"]", "true"},
    {"net.cidr_contains", "[\"2001:4860::/96\", \"2001:4860::/32\"]", "false"},
    {"net.cidr_contains", "[\"2001:4860::/32\", \"fd1e:5bfe:8af3:9ddc::/64\"]", "false"},
    {"net.cidr_contains", "[\"not-a-cidr\", \"192.168.1.67\"]",
     "!builtin:net.cidr_contains: invalid CIDR address: not-a-cidr"},
    {"net.cidr_contains", "[\"192.168.1.0/28\", \"not-a-cidr\"]",
     "!builtin:net.cidr_contains: not a valid textual representation of an IP address or CIDR: "
     "not-a-cidr"},
    {"net.cidr_contains", "[\"10.0.0.0/8\", \"10.1.2.3\"]", "true"},
    {"net.cidr_contains", "[\"10.0.0.0/8\", \"192.168.1.1\"]", "false"},
    /* IPv4-mapped addresses count as IPv4 */
    {"net.cidr_contains", "[\"1.2.3.0/24\", \"::ffff:1.2.3.4\"]", "true"},
    {"net.cidr_contains", "[\"::ffff:0:0/96\", \"9.9.9.9\"]", "true"},
    {"net.cidr_contains", "[\"::/0\", \"9.9.9.9\"]", "false"},
    {"net.cidr_contains", "[\"0.0.0.0/0\", \"::1\"]", "false"},
    /* netip's grammar: no leading zeros, no zones, one "::" */
    {"net.cidr_contains", "[\"10.0.0.0/8\", \"010.1.2.3\"]",
     "!builtin:net.cidr_contains: not a valid textual representation of an IP address or CIDR: "
     "010.1.2.3"},
    {"net.cidr_contains", "[\"fe80::/10\", \"fe80::1%eth0\"]",
     "!builtin:net.cidr_contains: not a valid textual representation of an IP address or CIDR: "
     "fe80::1%eth0"},
    {"net.cidr_contains", "[\"1::2::3/64\", \"::1\"]",
     "!builtin:net.cidr_contains: invalid CIDR address: 1::2::3/64"},
    {"net.cidr_contains", "[\"10.0.0.0/08\", \"10.0.0.1\"]", "true"}, /* the mask may */
    {"net.cidr_contains", "[\"10.0.0.0/33\", \"10.0.0.1\"]",
     "!builtin:net.cidr_contains: invalid CIDR address: 10.0.0.0/33"},
    {"net.cidr_contains", "[\"::1.2.3.4/128\", \"::102:304\"]", "true"},
    {"net.cidr_contains", "[\"1:2:3:4:5:6:7::/112\", \"1:2:3:4:5:6:7:ffff\"]", "true"},
    /* both operands are reported as operand 1, as OPA does */
    {"net.cidr_contains", "[1, \"x\"]", "!type:net.cidr_contains: operand 1 must be string but got number"},
    {"net.cidr_contains", "[\"10.0.0.0/8\", 1]",
     "!type:net.cidr_contains: operand 1 must be string but got number"},
    {"net.cidr_overlap", "[\"192.168.1.0/28\", \"192.168.1.67\"]", "false"}, /* conf: netcidroverlap */
    {"net.cidr_overlap", "[\"192.168.1.0/24\", \"192.168.1.67\"]", "true"},
    /* conf: netcidrintersects/... */
    {"net.cidr_intersects", "[\"192.168.1.0/25\", \"192.168.1.64/25\"]", "true"},
    {"net.cidr_intersects", "[\"fd1e:5bfe:8af3:9ddc::/64\", \"fd1e:5bfe:8af3:9ddc:1111::/72\"]", "true"},
    {"net.cidr_intersects", "[\"fd1e:5bfe:8af3:9ddc::/64\", \"2001:4860:4860::8888/32\"]", "false"},
    {"net.cidr_intersects", "[\"not-a-cidr\", \"192.168.1.0/24\"]",
     "!builtin:net.cidr_intersects: invalid CIDR address: not-a-cidr"},
    {"net.cidr_intersects", "[\"192.168.1.0/24\", 7]",
     "!type:net.cidr_intersects: operand 1 must be string but got number"},
    /* conf: netcidrisvalid */
    {"net.cidr_is_valid", "[\"192.168.1.0/24\"]", "true"},
    {"net.cidr_is_valid", "[\"\"]", "false"},
    {"net.cidr_is_valid", "[\"there goes a string\"]", "false"},
    {"net.cidr_is_valid", "[\"192.168.1.2\"]", "false"},
    {"net.cidr_is_valid", "[\"2002::1234:abcd:ffff:c0a8:101/64\"]", "true"},
    {"net.cidr_is_valid", "[7]", "false"},
    {"net.cidr_is_valid", "[\"1.2.3.4/+8\"]", "false"},
    {"net.cidr_is_valid", "[\"1.2.3.4/\"]", "false"},
    {"net.cidr_is_valid", "[\"12345::/8\"]", "false"},
    {"net.cidr_is_valid", "[\"::ffff:1.2.3.4/128\"]", "true"},
};

static const bt_case matches_cases[] = {
    /* conf: netcidrcontainsmatches/... */
    {"net.cidr_contains_matches", "[\"1.1.1.0/24\", \"1.1.1.1\"]", "{[\"1.1.1.0/24\", \"1.1.1.1\"]}"},
    {"net.cidr_contains_matches", "[[\"1.1.2.0/24\", \"1.1.1.0/24\"], [\"1.1.1.1\", \"1.1.2.1\"]]",
     "{[0, 1], [1, 0]}"},
    {"net.cidr_contains_matches", "[[[\"1.1.2.0/24\", 1], \"1.1.1.0/24\"], [\"1.1.1.1\", \"1.1.2.1\"]]",
     "{[0, 1], [1, 0]}"},
    {"net.cidr_contains_matches", "[{\"1.1.1.0/24\", \"1.1.2.0/24\"}, {\"1.1.1.1\", \"1.1.2.1\"}]",
     "{[\"1.1.1.0/24\", \"1.1.1.1\"], [\"1.1.2.0/24\", \"1.1.2.1\"]}"},
    {"net.cidr_contains_matches",
     "[{[\"1.1.1.0/24\", \"bar\"], [\"1.1.2.0/24\", \"foo\"]}, {[], [\"1.1.2.1\", \"qux\"]}]",
     "!builtin:net.cidr_contains_matches: operand 2: element must be string or non-empty array"},
    {"net.cidr_contains_matches", "[{\"a\": \"10.0.0.0/8\", \"b\": [\"11.0.0.0/8\"]}, \"10.1.1.1\"]",
     "{[\"a\", \"10.1.1.1\"]}"},
    {"net.cidr_contains_matches", "[[5], \"10.1.1.1\"]",
     "!builtin:net.cidr_contains_matches: operand 1: element must be string or non-empty array"},
    {"net.cidr_contains_matches", "[[[5]], \"10.1.1.1\"]",
     "!type:net.cidr_contains_matches: operand 1 must be string but got number"},
    {"net.cidr_contains_matches", "[[\"x\"], \"10.1.1.1\"]",
     "!builtin:net.cidr_contains_matches: invalid CIDR address: x"},
    {"net.cidr_contains_matches", "[5, \"10.1.1.1\"]", "set()"}, /* OPA iterates nothing */
    {"net.cidr_contains_matches", "[[], [\"10.1.1.1\"]]", "set()"},
};

static const bt_case expand_cases[] = {
    /* conf: netcidrexpand/... */
    {"net.cidr_expand", "[\"192.168.1.1/30\"]",
     "{\"192.168.1.0\", \"192.168.1.1\", \"192.168.1.2\", \"192.168.1.3\"}"},
    {"net.cidr_expand", "[\"172.16.100.255/30\"]",
     "{\"172.16.100.252\", \"172.16.100.253\", \"172.16.100.254\", \"172.16.100.255\"}"},
    {"net.cidr_expand", "[\"192.168.1.1/32\"]", "{\"192.168.1.1\"}"},
    {"net.cidr_expand", "[\"192.168.1.1/33\"]", "!builtin:net.cidr_expand: invalid CIDR address: 192.168.1.1/33"},
    {"net.cidr_expand", "[\"255.255.255.254/31\"]", "{\"255.255.255.254\", \"255.255.255.255\"}"},
    {"net.cidr_expand", "[\"2001:db8::fffe/127\"]", "{\"2001:db8::fffe\", \"2001:db8::ffff\"}"},
    {"net.cidr_expand", "[\"::ffff:1.2.3.4/127\"]", "{\"1.2.3.4\", \"1.2.3.5\"}"},
    {"net.cidr_expand", "[\"0:0:1::/127\"]", "{\"0:0:1::\", \"0:0:1::1\"}"},
    {"net.cidr_expand", "[\"1:0:0:2:0:0:0:3/128\"]", "{\"1:0:0:2::3\"}"}, /* longest run */
    {"net.cidr_expand", "[\"1:0:0:2:0:0:3:4/128\"]", "{\"1::2:0:0:3:4\"}"}, /* first of equals */
    {"net.cidr_expand", "[\"1:0:2:3:4:5:6:7/128\"]", "{\"1:0:2:3:4:5:6:7\"}"}, /* one zero stays */
    /* bounded: OPA would try to build 2^32 or 2^128 addresses */
    {"net.cidr_expand", "[\"10.0.0.0/11\"]", "!limit:net.cidr_expand: 10.0.0.0/11 has more than 1048576 addresses"},
    {"net.cidr_expand", "[\"0.0.0.0/0\"]", "!limit:net.cidr_expand: 0.0.0.0/0 has more than 1048576 addresses"},
    {"net.cidr_expand", "[\"::/0\"]", "!limit:net.cidr_expand: ::/0 has more than 1048576 addresses"},
    {"net.cidr_expand", "[[]]", "!type:net.cidr_expand: operand 1 must be string but got array"},
};

static const bt_case merge_cases[] = {
    /* conf: netcidrmerge/... */
    {"net.cidr_merge", "[[\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\"]]",
     "{\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\"}"},
    {"net.cidr_merge",
     "[[\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\", \"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\"]]",
     "{\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\"}"},
    {"net.cidr_merge",
     "[[\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64\", \"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\"]]",
     "{\"2601:600:8a80:207e::/64\"}"},
    {"net.cidr_merge", "[[\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3\"]]",
     "!builtin:net.cidr_merge: IPv6 invalid: needs prefix length"},
    {"net.cidr_merge", "[[\"192.0.128.0/24\"]]", "{\"192.0.128.0/24\"}"},
    {"net.cidr_merge", "[[\"192.0.128.0/24\", \"192.0.128.0/24\"]]", "{\"192.0.128.0/24\"}"},
    {"net.cidr_merge", "[[\"192.0.128.0/24\", \"0.0.0.0/0\"]]", "{\"0.0.0.0/0\"}"},
    {"net.cidr_merge", "[[\"192.0.128.0/24\", \"192.0.129.0/24\"]]", "{\"192.0.128.0/23\"}"},
    {"net.cidr_merge", "[[\"192.0.2.112/30\", \"192.0.2.116/31\", \"192.0.2.118/31\"]]",
     "{\"192.0.2.112/29\"}"},
    {"net.cidr_merge", "[[\"192.0.129.0/24\", \"192.0.130.0/24\"]]",
     "{\"192.0.129.0/24\", \"192.0.130.0/24\"}"},
    {"net.cidr_merge", "[[\"192.0.2.112/30\", \"192.0.2.116/32\", \"192.0.2.118/31\"]]",
     "{\"192.0.2.112/30\", \"192.0.2.116/32\", \"192.0.2.118/31\"}"},
    {"net.cidr_merge", "[[\"192.0.2.112/31\", \"192.0.2.116/31\", \"192.0.2.118/31\"]]",
     "{\"192.0.2.112/31\", \"192.0.2.116/30\"}"},
    {"net.cidr_merge",
     "[[\"192.0.1.254/31\", \"192.0.2.0/28\", \"192.0.2.16/28\", \"192.0.2.32/28\", \"192.0.2.48/28\", "
     "\"192.0.2.64/28\", \"192.0.2.80/28\", \"192.0.2.96/28\", \"192.0.2.112/28\", \"192.0.2.128/28\", "
     "\"192.0.2.144/28\", \"192.0.2.160/28\", \"192.0.2.176/28\", \"192.0.2.192/28\", \"192.0.2.208/28\", "
     "\"192.0.2.224/28\", \"192.0.2.240/28\", \"192.0.3.0/28\"]]",
     "{\"192.0.1.254/31\", \"192.0.2.0/24\", \"192.0.3.0/28\"}"},
    {"net.cidr_merge", "[[\"::/0\", \"fe80::1/128\"]]", "{\"::/0\"}"},
    {"net.cidr_merge", "[[\"::/0\", \"::192.0.2.0/124\", \"ff00::101/128\"]]", "{\"::/0\"}"},
    {"net.cidr_merge",
     "[[\"fe80::/120\", \"192.0.2.0/24\", \"192.0.3.0/24\", \"192.0.4.0/25\", \"192.0.4.128/25\"]]",
     "{\"192.0.2.0/23\", \"192.0.4.0/24\", \"fe80::/120\"}"},
    {"net.cidr_merge", "[[]]", "set()"},
    {"net.cidr_merge", "[[\"192.0.2.112\", \"192.0.2.116/31\", \"192.0.2.118/31\"]]", "{\"192.0.2.0/24\"}"},
    {"net.cidr_merge", "[[\"192.0.128.0\", \"192.0.129.0\"]]", "{\"192.0.128.0/23\"}"},
    {"net.cidr_merge", "[{\"192.0.2.112/30\", \"192.0.2.116/31\", \"192.0.2.118/31\"}]", "{\"192.0.2.112/29\"}"},
    {"net.cidr_merge", "[[\"foo\"]]", "!builtin:net.cidr_merge: invalid CIDR address: foo"},
    /* classful masks, and a lone network printed as given */
    {"net.cidr_merge", "[[\"10.1.2.3\"]]", "{\"10.1.2.3/8\"}"},
    {"net.cidr_merge", "[[\"172.16.5.4\", \"224.1.2.3\"]]", "{\"172.16.5.4/16\", \"224.1.2.3/24\"}"},
    {"net.cidr_merge", "[[\"::ffff:1.2.3.4/120\"]]", "{\"1.2.3.0/24\"}"},
    {"net.cidr_merge", "[[\"10.0.0.0/8\", \"::/0\"]]", "{\"::/0\"}"},
    {"net.cidr_merge", "[[\"0.0.0.0/1\", \"128.0.0.0/1\"]]", "{\"0.0.0.0/0\"}"},
    {"net.cidr_merge", "[[\"10.0.0.1/32\", \"10.0.0.2/32\"]]", "{\"10.0.0.1/32\", \"10.0.0.2/32\"}"},
    {"net.cidr_merge", "[[\"10.0.0.1/32\", \"10.0.0.2/31\"]]", "{\"10.0.0.1/32\", \"10.0.0.2/31\"}"},
    {"net.cidr_merge", "[[\"10.0.0.1/32\", \"10.0.0.2/32\", \"10.0.0.3/32\", \"10.0.0.4/32\"]]",
     "{\"10.0.0.1/32\", \"10.0.0.2/31\", \"10.0.0.4/32\"}"},
    {"net.cidr_merge", "[[1]]", "!builtin:net.cidr_merge: element must be string"},
    {"net.cidr_merge", "[\"10.0.0.0/8\"]", "!builtin:net.cidr_merge: operand must be an array"},
};

static const bt_case lookup_cases[] = {
    /* conf: netlookupipaddr (addresses need no DNS; localhost is in /etc/hosts) */
    {"net.lookup_ip_addr", "[\"10.0.0.0\"]", "{\"10.0.0.0\"}"},
    {"net.lookup_ip_addr", "[\"::\"]", "{\"::\"}"},
    {"net.lookup_ip_addr", "[\"\"]", "!builtin:net.lookup_ip_addr: lookup : no such host"},
    {"net.lookup_ip_addr", "[1]", "!type:net.lookup_ip_addr: operand 1 must be string but got number"},
};

int main(void)
{
    BT_RUN(contains_cases, 0);
    BT_RUN(matches_cases, 0);
    BT_RUN(expand_cases, 0);
    BT_RUN(merge_cases, 0);
    BT_RUN(lookup_cases, 0);

    /* localhost resolves to loopback, whichever families the host lists */
    {
        char got[256];
        rp_arena *a = rp_arena_new(0);
        struct rego_evalctx ev;
        rego_evalctx_init(&ev, a);
        bt_call(&ev, "net.lookup_ip_addr", "[\"localhost\"]", got, sizeof(got));
        T_CHECKM(!strcmp(got, "{\"127.0.0.1\"}") || !strcmp(got, "{\"127.0.0.1\", \"::1\"}") ||
                     !strcmp(got, "{\"::1\"}"),
                 "lookup localhost: %s", got);
        rp_arena_free(a);
    }
    /* expansion at exactly the limit (IPv4 and IPv6) and one bit past it */
    {
        char *got = malloc(1 << 26);
        rp_arena *a = rp_arena_new(0);
        struct rego_evalctx ev;
        rego_evalctx_init(&ev, a);
        rp_status st = bt_call(&ev, "net.cidr_expand", "[\"10.0.0.0/11\"]", got, 64);
        T_CHECK(st == RP_ERR_LIMIT);
        rego_value arg = rego_cstr(a, "10.0.0.0/12"), out;
        rp_error err = {0};
        rp_loc loc = {"t", 1, 1};
        const rego_builtin *bi = rego_builtin_find("net.cidr_expand", 15);
        st = rego_builtin_call(bi, &ev, loc, &arg, &out, &err);
        T_CHECK(st == RP_OK && out.kind == REGO_SET && out.n == REGO_NET_CIDR_EXPAND_MAX);
        arg = rego_cstr(a, "2001:db8::/108");
        st = rego_builtin_call(bi, &ev, loc, &arg, &out, &err);
        T_CHECK(st == RP_OK && out.n == REGO_NET_CIDR_EXPAND_MAX);
        rp_arena_free(a);
        free(got);
    }
    return T_DONE();
}
