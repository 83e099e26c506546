/*
 * test_bi_misc.c — the semver, units, uuid, uri and misc (rand.intn) builtin
 * groups: results and OPA's exact error texts, one table line per call (see
 * bi_table.h for the notation), plus the per-query consistency of the
 * non-deterministic ones.  Lines marked "conf:" mirror OPA's conformance
 * cases under shared/conformance/opa/given/{semver*,units,rand}; the units
 * values were checked against OPA's algorithm run on Go's math/big.
 */
#include "bi_table.h"

static const bt_case semver_cases[] = {
    {"semver.compare", "[\"1.0.0\", \"2.0.0\"]", "-1"}, /* conf: semvercompare/a < b */
    {"semver.compare", "[\"2.0.0\", \"1.0.0\"]", "1"},  /* conf: a > b */
    {"semver.compare", "[\"1.0.0\", \"1.0.0\"]", "0"},  /* conf: a == b */
    {"semver.compare", "[\"1\", \"1.0.0\"]",            /* conf: invalid version a */
     "!builtin:semver.compare: operand 1: string \"1\" is not a valid SemVer"},
    {"semver.compare", "[\"1.0.0\", \"1.0\"]",
     "!builtin:semver.compare: operand 2: string \"1.0\" is not a valid SemVer"},
    {"semver.compare", "[\"1.0.0-alpha\", \"1.0.0\"]", "-1"},
    {"semver.compare", "[\"1.0.0-alpha\", \"1.0.0-alpha.1\"]", "-1"},
    {"semver.compare", "[\"1.0.0-alpha.1\", \"1.0.0-alpha.beta\"]", "-1"},
    {"semver.compare", "[\"1.0.0-alpha.beta\", \"1.0.0-beta\"]", "-1"},
    {"semver.compare", "[\"1.0.0-beta.2\", \"1.0.0-beta.11\"]", "-1"},
    {"semver.compare", "[\"1.0.0-rc.1\", \"1.0.0\"]", "-1"},
    {"semver.compare", "[\"1.0.0+build.1\", \"1.0.0+build.2\"]", "0"},
    {"semver.compare", "[\"v1.2.3\", \"1.2.3\"]", "0"},
    {"semver.compare", "[\"01.2.3\", \"1.2.3\"]", "0"},
    {"semver.compare", "[\"1.0.0-99999999999999999999\", \"1.0.0-99999999999999999998\"]", "0"},
    {"semver.compare", "[\"1.0.0-01\", \"1.0.0-1\"]", "0"}, /* OPA loops forever here */
    {"semver.compare", "[\"1.0.0-\\xe2\\x82\\xac\", \"1.0.0\"]",
     "!builtin:semver.compare: operand 1: string \"1.0.0-\xe2\x82\xac\" is not a valid SemVer"},
    {"semver.compare", "[\"1.0.0-\\n\\xff\", \"1.0.0\"]",
     "!builtin:semver.compare: operand 1: string \"1.0.0-\\n\\xff\" is not a valid SemVer"},
    {"semver.compare", "[1, \"1.0.0\"]", "!type:semver.compare: operand 1 must be string but got number"},
    {"semver.compare", "[\"1.0.0\", null]", "!type:semver.compare: operand 2 must be string but got null"},
    {"semver.is_valid", "[\"1.0.0\"]", "true"}, /* conf: semverisvalid/valid */
    {"semver.is_valid", "[\"1\"]", "false"},    /* conf: invalid version */
    {"semver.is_valid", "[1]", "false"},        /* conf: invalid type */
    {"semver.is_valid", "[\"1.0.0-alpha+001\"]", "true"},
    {"semver.is_valid", "[\"1.0.0+20130313144700\"]", "true"},
    {"semver.is_valid", "[\"1.0.0-alpha..1\"]", "false"},
    {"semver.is_valid", "[\"1.0.0+\"]", "true"},
    {"semver.is_valid", "[\"1.0.0-\"]", "true"},
    {"semver.is_valid", "[\"1.0.0.0\"]", "false"},
    {"semver.is_valid", "[\"1..0\"]", "false"},
    {"semver.is_valid", "[\"9223372036854775808.0.0\"]", "false"},
    {"semver.is_valid", "[\"9223372036854775807.0.0\"]", "true"},
    {"semver.is_valid", "[\"1.0.0-a_b\"]", "false"},
};

static const bt_case units_cases[] = {
    {"units.parse", "[\"500m\"]", "0.5"},        /* conf: units_parse/exact comparison ... */
    {"units.parse", "[\"0.0005K\"]", "0.5"},
    {"units.parse", "[\"0.0000005M\"]", "0.5"},
    {"units.parse", "[\"1G\"]", "1000000000"},   /* conf: no decimal places for integers */
    {"units.parse", "[\"42\"]", "42"},
    {"units.parse", "[\"-3.5E2m\"]", "-0.35"},
    {"units.parse", "[\"128Gi\"]", "137438953472"},
    {"units.parse", "[\"1KI\"]", "1024"},
    {"units.parse", "[\"1e3\"]", "1000"},
    {"units.parse", "[\"1.5e-1\"]", "0.15"},
    {"units.parse", "[\"8Ei\"]", "9223372036854775808"},
    {"units.parse", "[\"1m\"]", "0.001"},
    {"units.parse", "[\"\\\"10\\\"k\"]", "10000"},
    {"units.parse", "[\"1e9999999\"]", "!builtin:units.parse: units.parse: exponent too large"},
    {"units.parse", "[\"10 K\"]", "!builtin:units.parse: units.parse: spaces not allowed in resource strings"},
    {"units.parse", "[\"K\"]", "!builtin:units.parse: units.parse: no amount provided"},
    {"units.parse", "[\"1.2.3\"]", "!builtin:units.parse: units.parse: could not parse amount to a number"},
    {"units.parse", "[\"1XB\"]", "!builtin:units.parse: units.parse: unit Xb not recognized"},
    {"units.parse", "[\"1mi\"]", "1048576"},
    {"units.parse", "[\"1MB\"]", "!builtin:units.parse: units.parse: unit Mb not recognized"},
    {"units.parse", "[\"1\\xc3\\xa9\"]", "!builtin:units.parse: units.parse: unit \xc3\xef\xbf\xbd not recognized"},
    {"units.parse", "[5]", "!type:units.parse: operand 1 must be string but got number"},
    /* conf: units_parse_bytes/failure ... */
    {"units.parse_bytes", "[\"\"]", "!builtin:units.parse_bytes: units.parse_bytes: no byte amount provided"},
    {"units.parse_bytes", "[\"GB\"]", "!builtin:units.parse_bytes: units.parse_bytes: no byte amount provided"},
    {"units.parse_bytes", "[\"foo\"]", "!builtin:units.parse_bytes: units.parse_bytes: no byte amount provided"},
    {"units.parse_bytes", "[\"0.0.0\"]",
     "!builtin:units.parse_bytes: units.parse_bytes: could not parse byte amount to a number"},
    {"units.parse_bytes", "[\".5.2\"]",
     "!builtin:units.parse_bytes: units.parse_bytes: could not parse byte amount to a number"},
    {"units.parse_bytes", "[\"100 kb\"]",
     "!builtin:units.parse_bytes: units.parse_bytes: spaces not allowed in resource strings"},
    {"units.parse_bytes", "[\" 327MiB \"]",
     "!builtin:units.parse_bytes: units.parse_bytes: spaces not allowed in resource strings"},
    {"units.parse_bytes", "[\"10GB\"]", "10000000000"},
    {"units.parse_bytes", "[\"5K\"]", "5000"},
    {"units.parse_bytes", "[\"4mb\"]", "4000000"},
    {"units.parse_bytes", "[\"1.5MiB\"]", "1572864"},
    {"units.parse_bytes", "[\"1.1kb\"]", "1100"},
    {"units.parse_bytes", "[\"0.3\"]", "0"},
    {"units.parse_bytes", "[\"-1.9\"]", "-1"},
    {"units.parse_bytes", "[\"100ei\"]", "115292150460684697600"},
    {"units.parse_bytes", "[\"12345678901234567890123\"]", "12345678901234567889920"},
    {"units.parse_bytes", "[\"1e3kb\"]", "1000000"},
    {"units.parse_bytes", "[\"10e\"]", "10000000000000000000"},
    {"units.parse_bytes", "[\"1b\"]", "!builtin:units.parse_bytes: units.parse_bytes: byte unit b not recognized"},
    {"units.parse_bytes", "[\"1\\xff\"]",
     "!builtin:units.parse_bytes: units.parse_bytes: byte unit \xef\xbf\xbd not recognized"},
    {"units.parse_bytes", "[\"1e1234567\"]", "!builtin:units.parse_bytes: units.parse_bytes: exponent too large"},
    {"units.parse_bytes", "[[]]", "!type:units.parse_bytes: operand 1 must be string but got array"},
};

/* Times before 1970 overflow OPA's int64 nanoseconds and wrap, as here. */
static const bt_case uuid_cases[] = {
    {"uuid.parse", "[\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"]",
     "{\"clocksequence\": 180, \"nodeid\": \"global:unicast:00c04fd430c8\", \"time\": 886630433151182400, "
     "\"variant\": \"RFC4122\", \"version\": 1}"},
    {"uuid.parse", "[\"urn:UUID:6ba7b810-9dad-11d1-80b4-00c04fd430c8\"]",
     "{\"clocksequence\": 180, \"nodeid\": \"global:unicast:00c04fd430c8\", \"time\": 886630433151182400, "
     "\"variant\": \"RFC4122\", \"version\": 1}"},
    {"uuid.parse", "[\"000003e8-cbb9-21ea-b201-00045a86c8a6\"]",
     "{\"clocksequence\": 12801, \"domain\": \"Group\", \"id\": 1000, \"nodeid\": \"global:unicast:00045a86c8a6\", "
     "\"time\": 1595380601761072800, \"variant\": \"RFC4122\", \"version\": 2}"},
    {"uuid.parse", "[\"{00000000-0000-4000-8000-000000000000}\"]", "{\"variant\": \"RFC4122\", \"version\": 4}"},
    {"uuid.parse", "[\"x00000000-0000-4000-c000-000000000000y\"]", "{\"variant\": \"Microsoft\", \"version\": 4}"},
    {"uuid.parse", "[\"00000000000050000000000000000000\"]", "{\"variant\": \"Reserved\", \"version\": 5}"},
    {"uuid.parse", "[\"00000000-0000-1000-e000-030000000000\"]",
     "{\"clocksequence\": 8192, \"nodeid\": \"local:multicast:030000000000\", \"time\": 6227451273709551616, "
     "\"variant\": \"Future\", \"version\": 1}"},
    {"uuid.parse", "[\"00000000-0000-2000-8005-020000000000\"]",
     "{\"clocksequence\": 5, \"domain\": \"Domain5\", \"id\": 0, \"nodeid\": \"local:unicast:020000000000\", "
     "\"time\": 6227451273709551616, \"variant\": \"RFC4122\", \"version\": 2}"},
    {"uuid.parse", "[\"6ba7b810-9dad-11d1-80b4-00c04fd430c\"]", "undefined"},
    {"uuid.parse", "[\"6ba7b810x9dad-11d1-80b4-00c04fd430c8\"]", "undefined"},
    {"uuid.parse", "[\"6ba7b810-9dad-11d1-80b4-00c04fd430cg\"]", "undefined"},
    {"uuid.parse", "[\"urn:uuix:6ba7b810-9dad-11d1-80b4-00c04fd430c8\"]", "undefined"},
    {"uuid.parse", "[1]", "!type:uuid.parse: operand 1 must be string but got number"},
    {"uuid.rfc4122", "[1]", "!type:uuid.rfc4122: operand 1 must be string but got number"},
    {"rand.intn", "[\"k\", 0]", "0"},
    {"rand.intn", "[\"k\", 1]", "0"},
    {"rand.intn", "[\"k\", -1]", "0"},
    {"rand.intn", "[1, 5]", "!type:rand.intn: operand 1 must be string but got number"},
    {"rand.intn", "[\"k\", \"5\"]", "!type:rand.intn: operand 2 must be number but got string"},
    {"rand.intn", "[\"k\", 5.5]", "!type:rand.intn: operand 2 must be integer number but got floating-point number"},
    {"rand.intn", "[\"k\", -9223372036854775808]", "!builtin:rand.intn: invalid argument to Intn"},
};

/* Non-deterministic builtins agree with themselves within a query, keyed by
 * their arguments, and stay in range. */
static void test_nondet(void)
{
    char a[128], b[128], c[128];
    rp_arena *ar = rp_arena_new(0);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, ar);
    bt_call(&ev, "uuid.rfc4122", "[\"x\"]", a, sizeof(a));
    bt_call(&ev, "uuid.rfc4122", "[\"x\"]", b, sizeof(b));
    bt_call(&ev, "uuid.rfc4122", "[\"y\"]", c, sizeof(c));
    T_STREQ(a, b);
    T_CHECK(strcmp(a, c) != 0);
    T_CHECK(strlen(a) == 38 && a[9] == '-' && a[14] == '-' && a[15] == '4' && a[19] == '-' &&
            strchr("89ab", a[20]) && a[24] == '-');
    /* conf: rand/consistent values for same arguments */
    bt_call(&ev, "rand.intn", "[\"key\", 100]", a, sizeof(a));
    for (int i = 0; i < 100; i++) {
        bt_call(&ev, "rand.intn", "[\"key\", 100]", b, sizeof(b));
        T_STREQ(b, a);
    }
    bt_call(&ev, "rand.intn", "[\"key\", -100]", b, sizeof(b)); /* |n| is the key */
    T_STREQ(b, a);
    int hits[3] = {0};
    for (int i = 0; i < 300; i++) {
        char key[32];
        snprintf(key, sizeof(key), "[\"k%d\", 3]", i);
        bt_call(&ev, "rand.intn", key, b, sizeof(b));
        int v = atoi(b);
        T_CHECK(v >= 0 && v < 3);
        if (v >= 0 && v < 3)
            hits[v]++;
    }
    T_CHECK(hits[0] > 50 && hits[1] > 50 && hits[2] > 50);
    rp_arena_free(ar);
}

/* uri.*: Go's url.Parse as OPA calls it (parts absent from the URI are
 * absent from the object; raw_path always accompanies path). */
static const bt_case uri_cases[] = {
    {"uri.parse", "[\"https://user:pw@example.com:8443/a%20b/c?x=1&y=2#frag\"]",
     "{\"fragment\": \"frag\", \"hostname\": \"example.com\", \"path\": \"/a b/c\", \"port\": \"8443\", "
     "\"raw_path\": \"/a b/c\", \"raw_query\": \"x=1&y=2\", \"scheme\": \"https\"}"},
    {"uri.parse", "[\"http://x/a%2Fb\"]",
     "{\"hostname\": \"x\", \"path\": \"/a/b\", \"raw_path\": \"/a%2Fb\", \"scheme\": \"http\"}"},
    {"uri.parse", "[\"mailto:joe@example.com\"]", "{\"scheme\": \"mailto\"}"},
    {"uri.parse", "[\"//host:1/p\"]",
     "{\"hostname\": \"host\", \"path\": \"/p\", \"port\": \"1\", \"raw_path\": \"/p\"}"},
    {"uri.parse", "[\"http://[::1]:80/#a%20b\"]",
     "{\"fragment\": \"a b\", \"hostname\": \"::1\", \"path\": \"/\", \"port\": \"80\", \"raw_path\": \"/\", "
     "\"scheme\": \"http\"}"},
    {"uri.parse", "[\"\"]", "{}"},
    {"uri.parse", "[\"http://a b.com/\"]",
     "!builtin:uri.parse: parse \"http://a b.com/\": invalid character \" \" in host name"},
    {"uri.parse", "[\"%zz\"]", "!builtin:uri.parse: parse \"%zz\": invalid URL escape \"%zz\""},
    {"uri.parse", "[\"http://h:port/\"]", "!builtin:uri.parse: parse \"http://h:port/\": invalid port \":port\" after host"},
    {"uri.parse", "[1]", "!type:uri.parse: operand 1 must be string but got number"},
    {"uri.is_valid", "[\"http://ok/\"]", "true"},
    {"uri.is_valid", "[\"relative/path?q\"]", "true"},
    {"uri.is_valid", "[\"\"]", "false"},
    {"uri.is_valid", "[\"http://x/%\"]", "false"},
    {"uri.is_valid", "[1]", "false"},
};

int main(void)
{
    BT_RUN(semver_cases, 0);
    BT_RUN(units_cases, 0);
    BT_RUN(uuid_cases, 0);
    BT_RUN(uri_cases, 0);
    test_nondet();
    return T_DONE();
}
