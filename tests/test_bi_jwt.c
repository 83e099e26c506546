/*
 * test_bi_jwt.c — io.jwt.* builtins: the conformance cases' builtin calls
 * replayed directly (their literal arguments are read from
 * ../shared/conformance at test time), sign/verify round trips for every
 * algorithm and key form (JWK, JWKS, PEM certificate, PEM public key),
 * decode_verify's constraints and claims, OPA's error texts, the nesting and
 * size limits, and out-of-memory behaviour under small arena budgets.
 *
 * The keys below (and those in bi_crypto.h) were generated for this test.
 */
#include <dirent.h>

#include "bi_crypto.h"
#include "rego/builtins/jwk.h"
#include "rego/limits.h"
#include "rego/yaml.h"

/* ---- generated test material (more in bi_crypto.h) ------------------------------- */
static const char RSA_PUB_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2BSErCQQB3HTWhWT8eTN\n"
    "rSqKCgFoI/0YM7P6hr0otJkJPyBUG/rlQD6f+auNes8ayZSmtDkEihp1B+XEWqaO\n"
    "Tx/XTXehsYnnlpZtkD7836gxvD5S+s01wwKxFkdwKeI4YZTqaMGFe3Z2DGLvC03r\n"
    "8jF+e8xJpyl6R5YkspvpWsATDi+9rY63wP+Ta6hTu6DqfBYsD11qAzR4xdheIHhS\n"
    "uaDlqPGy+r74MCHnzbDed2bsq4uwtPbS4cmPxPje/aoN7XK8tMz5ps7izY6zvfT3\n"
    "u4ynyINhJHUXnaR9QRLlrMVU/oXBiGjqLsrjOa8OeZqBw+m4MPdcqyPpXWrobTch\n"
    "HwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char JWK_RSA_PUB[] =
    "{\"kty\":\"RSA\",\"n\":\"2BSErCQQB3HTWhWT8eTNrSqKCgFoI_0YM7P6hr0otJkJPyBUG_rlQD6f-"
    "auNes8ayZSmtDkEihp1B-XEWqaOTx_XTXehsYnnlpZtkD7836gxvD5S-"
    "s01wwKxFkdwKeI4YZTqaMGFe3Z2DGLvC03r8jF-e8xJpyl6R5YkspvpWsATDi-9rY63wP-"
    "Ta6hTu6DqfBYsD11qAzR4xdheIHhSuaDlqPGy-r74MCHnzbDed2bsq4uwtPbS4cmPxPje_"
    "aoN7XK8tMz5ps7izY6zvfT3u4ynyINhJHUXnaR9QRLlrMVU_oXBiGjqLsrjOa8OeZqBw-m4MPdcqyPpXWrobTchHw\","
    "\"e\":\"AQAB\"}";
static const char JWK_EC256_PUB[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"-e1wpz5vcmTFZ5H2cgLjKTU1EHIK7FP2wNmHKtGq02c\",\"y\":"
    "\"MH6zMbLDhZ56dcYj-ypQGwup4evOiHa6DpDLMwQu8-g\"}";
static const char JWK_EC384_PRIV[] =
    "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"E2G0lEEsuvXPalvj8AXu2EurfwhbKrV0E7SIS-g26B_"
    "ukK91ljgJbLk_pplclUh1\",\"y\":\"40rN6AXJPymwrJxrkXPqY-HrKv9pnYI5i8LscJnLFoW_7jbb-_4-"
    "ngcfrq8VoRX5\",\"d\":\"MCYCkhtLxEVa5KRB1s_d-1-d_IWkNsU1mCScU2tQcp4rs4booie0SIxNReifYG8L\"}";
static const char JWK_EC384_PUB[] =
    "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"E2G0lEEsuvXPalvj8AXu2EurfwhbKrV0E7SIS-g26B_"
    "ukK91ljgJbLk_pplclUh1\",\"y\":\"40rN6AXJPymwrJxrkXPqY-HrKv9pnYI5i8LscJnLFoW_7jbb-_4-"
    "ngcfrq8VoRX5\"}";
static const char JWK_EC521_PRIV[] =
    "{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":"
    "\"AAJZLNTPHH0u3FIgaTxflbQhfNHP3iufxMoV5KGsg51MfByFgAjO2eVGGufjW2PiQChZ0tRIWP43NIMebiX0Zc0A\","
    "\"y\":\"AG_HaHbD855_4XStX4-ORIOvdIFs27V31fnuc_R4yA2GEf72HaeJ3nlZ5cGZbcI4I0SMGZ63vPmxXn-2mWT_"
    "FUWi\",\"d\":\"AUIvDHan-jV_1io-omZfcmIX_"
    "8S15e2Pvb2n799FZ34RwCzGGsqMQFiPKdpsyEjf1U3LHsLNQVV06w0NIvkwVSGT\"}";
static const char JWK_EC521_PUB[] =
    "{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":"
    "\"AAJZLNTPHH0u3FIgaTxflbQhfNHP3iufxMoV5KGsg51MfByFgAjO2eVGGufjW2PiQChZ0tRIWP43NIMebiX0Zc0A\","
    "\"y\":\"AG_HaHbD855_4XStX4-ORIOvdIFs27V31fnuc_R4yA2GEf72HaeJ3nlZ5cGZbcI4I0SMGZ63vPmxXn-2mWT_"
    "FUWi\"}";
static const char JWK_ED_PUB[] =
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"lYQkB0aTO59MTYywyhkltZul_M6qQz0_F1TuWnZZBcM\"}";

/* ---- harness (and bi_crypto.h) ---------------------------------------------------- */

static res call3(const char *name, rego_value x, rego_value y, rego_value z)
{
    rego_value args[3] = {x, y, z};
    return call_args(A, 0, name, args);
}

/* The message after "<builtin>: ". */
static const char *msg_of(const res *r)
{
    const char *p = strstr(r->err.msg, ": ");
    return p ? p + 2 : r->err.msg;
}

static char *b64url(const char *s)
{
    size_t n;
    return rego_jwk_b64_encode(A, REGO_B64_RAW_URL, (const uint8_t *)s, strlen(s), &n);
}

/* ---- replaying the conformance cases ------------------------------------------------- */

/* Just enough Rego term syntax for the arguments the cases pass: strings
 * (quoted and raw), numbers, booleans, null, arrays, objects, variables
 * (outputs) and input references.  Anything else (calls, data references)
 * makes the case one to skip. */
typedef struct {
    const char *s;
    size_t i, n;
    rego_value input;
    bool unsupported, var;
} lp;

static void lp_ws(lp *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static rego_value lp_term(lp *p);

static rego_value lp_string(lp *p)
{
    size_t start = p->i++;
    while (p->i < p->n && p->s[p->i] != '"')
        p->i += p->s[p->i] == '\\' ? 2 : 1;
    p->i++;
    rego_value v = rego_undef();
    rp_error e = {0};
    if (rego_json_parse(A, p->s + start, p->i - start, NULL, &v, &e) != RP_OK)
        p->unsupported = true;
    return v;
}

static rego_value lp_raw(lp *p)
{
    size_t start = ++p->i;
    while (p->i < p->n && p->s[p->i] != '`')
        p->i++;
    return rego_str(A, p->s + start, p->i++ - start);
}

static rego_value lp_collection(lp *p, bool object)
{
    rego_objb ob;
    rego_value items[64];
    size_t n = 0;
    rego_objb_init(&ob, A);
    p->i++;
    for (;;) {
        lp_ws(p);
        if (p->i >= p->n || p->s[p->i] == (object ? '}' : ']'))
            break;
        rego_value k = lp_term(p);
        if (object) {
            lp_ws(p);
            p->i++; /* ':' */
            rego_objb_put(&ob, k, lp_term(p));
        } else if (n < RP_ARRAY_LEN(items)) {
            items[n++] = k;
        }
        lp_ws(p);
        if (p->i < p->n && p->s[p->i] == ',')
            p->i++;
    }
    p->i++;
    if (object)
        return rego_objb_finish(&ob);
    rego_value v;
    rego_value *it = rego_array_alloc(A, n, &v);
    memcpy(it, items, n * sizeof(rego_value));
    return v;
}

static rego_value lp_word(lp *p)
{
    size_t start = p->i;
    while (p->i < p->n &&
           (strchr("._", p->s[p->i]) || (p->s[p->i] >= 'a' && p->s[p->i] <= 'z') ||
            (p->s[p->i] >= 'A' && p->s[p->i] <= 'Z') || (p->s[p->i] >= '0' && p->s[p->i] <= '9')))
        p->i++;
    size_t len = p->i - start;
    const char *w = p->s + start;
    if (len == 4 && !memcmp(w, "true", 4))
        return rego_bool(true);
    if (len == 5 && !memcmp(w, "false", 5))
        return rego_bool(false);
    if (len == 4 && !memcmp(w, "null", 4))
        return rego_null();
    if (p->i < p->n && p->s[p->i] == '(') {
        p->unsupported = true;
        return rego_undef();
    }
    if (len > 6 && !memcmp(w, "input.", 6)) {
        rego_value v = at(p->input, rp_arena_strndup(A, w + 6, len - 6));
        p->unsupported |= v.kind == REGO_UNDEF;
        return v;
    }
    p->var = true;
    return rego_undef();
}

static rego_value lp_term(lp *p)
{
    lp_ws(p);
    if (p->i >= p->n) {
        p->unsupported = true;
        return rego_undef();
    }
    char c = p->s[p->i];
    if (c == '"')
        return lp_string(p);
    if (c == '`')
        return lp_raw(p);
    if (c == '[' || c == '{')
        return lp_collection(p, c == '{');
    if (c == '-' || (c >= '0' && c <= '9')) {
        size_t start = p->i++;
        while (p->i < p->n && strchr("0123456789.eE+-", p->s[p->i]) && p->s[p->i])
            p->i++;
        rego_value v = rego_undef();
        if (!rego_number_parse(A, p->s + start, p->i - start, &v))
            p->unsupported = true;
        return v;
    }
    return lp_word(p);
}

/* The first call of one of our builtins in text, and where its arguments start. */
static const rego_builtin *find_call(const char *text, size_t *args)
{
    const rego_builtin *all[512], *best = NULL;
    size_t n = rego_builtins_list(all, RP_ARRAY_LEN(all)), where = SIZE_MAX;
    for (size_t k = 0; k < n && k < RP_ARRAY_LEN(all); k++) {
        if (strncmp(all[k]->name, "io.jwt.", 7) != 0)
            continue;
        size_t len = strlen(all[k]->name);
        for (const char *p = strstr(text, all[k]->name); p; p = strstr(p + 1, all[k]->name))
            if (p[len] == '(' && (size_t)(p - text) < where) {
                where = (size_t)(p - text);
                best = all[k];
                *args = where + len + 1;
            }
    }
    return best;
}

typedef struct {
    int run, skipped;
} replay_stats;

static void replay_case(rego_value c, const char *file, replay_stats *st)
{
    const char *mod = at(c, "modules.0").u.s, *note = at(c, "note").u.s;
    size_t args_at;
    const rego_builtin *bi = mod ? find_call(mod, &args_at) : NULL;
    if (!bi) {
        st->skipped++;
        return;
    }
    lp p = {mod, args_at, strlen(mod), at(c, "input"), false, false};
    rego_value args[4] = {rego_undef(), rego_undef(), rego_undef(), rego_undef()};
    size_t nargs = 0;
    for (;;) {
        lp_ws(&p);
        if (p.i >= p.n || p.s[p.i] == ')' || nargs == RP_ARRAY_LEN(args))
            break;
        p.var = false;
        args[nargs] = lp_term(&p);
        /* a variable inside an input argument: computed elsewhere, skip */
        p.unsupported |= p.var && nargs < bi->arity;
        nargs++;
        lp_ws(&p);
        if (p.i < p.n && p.s[p.i] == ',')
            p.i++;
    }
    bool output_last = nargs == (size_t)bi->arity + 1;
    for (size_t i = 0; i < bi->arity; i++)
        p.unsupported |= args[i].kind == REGO_UNDEF;
    if (p.unsupported || !output_last) {
        st->skipped++;
        return;
    }
    st->run++;
    res r = call_args(A, 0, bi->name, args);
    rego_value want_err = at(c, "want_error");
    if (want_err.kind == REGO_STRING) {
        rego_value code = at(c, "want_error_code");
        bool kind_ok =
            code.kind != REGO_STRING ||
            (!strcmp(code.u.s, "eval_builtin_error") && r.err.kind == RP_EK_EVAL_BUILTIN) ||
            (!strcmp(code.u.s, "eval_type_error") && r.err.kind == RP_EK_EVAL_TYPE);
        T_CHECKM(r.st != RP_OK && kind_ok && contains(r.err.msg, want_err.u.s), "%s %s: got %s",
                 file, note, r.st == RP_OK ? show(r.out) : r.err.msg);
        return;
    }
    rego_value want = at(c, "want_result.0.x");
    T_CHECKM(r.st == RP_OK && rego_equal(r.out, want), "%s %s: got %s want %s", file, note,
             r.st == RP_OK ? show(r.out) : r.err.msg, show(want));
}

static void test_conformance_replay(void)
{
    static const char *const dirs[] = {
        "jwtbuiltins",
        "jwtdecodeverify",
        "jwtencodesign",
        "jwtencodesignheadererrors",
        "jwtencodesignpayloaderrors",
        "jwtencodesignraw",
        "jwtverifyhs256",
        "jwtverifyhs384",
        "jwtverifyhs512",
        "jwtverifyrsa",
    };
    replay_stats st = {0, 0};
    for (size_t d = 0; d < RP_ARRAY_LEN(dirs); d++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", ROOT, dirs[d]);
        DIR *dir = opendir(path);
        T_CHECKM(dir != NULL, "cannot open %s", path);
        for (struct dirent *de = dir ? readdir(dir) : NULL; de; de = readdir(dir)) {
            if (!strstr(de->d_name, ".yaml"))
                continue;
            char file[800];
            snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
            rego_value doc;
            rp_error e = {0};
            if (rego_yaml_parse_file(A, file, REGO_YAML_CORE, false, &doc, &e) != RP_OK) {
                T_CHECKM(false, "%s: %s", file, e.msg);
                continue;
            }
            rego_value cases = at(doc, "cases");
            for (size_t i = 0; i < cases.n; i++)
                replay_case(cases.u.items[i], de->d_name, &st);
        }
        if (dir)
            closedir(dir);
    }
    /* all but the cases that compute their arguments with other builtins */
    T_CHECKM(st.run >= 85 && st.skipped <= 4, "replayed %d, skipped %d", st.run, st.skipped);
}

/* ---- sign / verify round trips -------------------------------------------------------------- */

static const struct {
    const char *alg, *verify, *priv, *pub;
} algs[] = {
    {"HS256", "io.jwt.verify_hs256", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", "secret"},
    {"HS384", "io.jwt.verify_hs384", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", "secret"},
    {"HS512", "io.jwt.verify_hs512", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", "secret"},
    {"RS256", "io.jwt.verify_rs256", JWK_RSA_PRIV, JWK_RSA_PUB},
    {"RS384", "io.jwt.verify_rs384", JWK_RSA_PRIV, JWK_RSA_PUB},
    {"RS512", "io.jwt.verify_rs512", JWK_RSA_PRIV, JWK_RSA_PUB},
    {"PS256", "io.jwt.verify_ps256", JWK_RSA_PRIV, JWK_RSA_PUB},
    {"PS384", "io.jwt.verify_ps384", JWK_RSA_PRIV, JWK_RSA_PUB},
    {"PS512", "io.jwt.verify_ps512", JWK_RSA_PRIV, JWK_RSA_PUB},
    {"ES256", "io.jwt.verify_es256", JWK_EC256_PRIV, JWK_EC256_PUB},
    {"ES384", "io.jwt.verify_es384", JWK_EC384_PRIV, JWK_EC384_PUB},
    {"ES512", "io.jwt.verify_es512", JWK_EC521_PRIV, JWK_EC521_PUB},
    {"EdDSA", "io.jwt.verify_eddsa", JWK_ED_PRIV, JWK_ED_PUB},
};

static rego_value sign(const char *header, const char *payload, const char *jwk)
{
    res r = call3("io.jwt.encode_sign_raw", S(header), S(payload), S(jwk));
    T_CHECKM(r.st == RP_OK, "sign %s: %s", header, r.err.msg);
    return r.out;
}

/* The token with one signature byte changed. */
static rego_value tamper(rego_value tok)
{
    char *s = rp_arena_strndup(A, tok.u.s, tok.n);
    char *last = strrchr(s, '.') + 1;
    *last = *last == 'A' ? 'B' : 'A';
    return S(s);
}

static void test_round_trips(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(algs); i++) {
        char hdr[64];
        snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", algs[i].alg);
        rego_value tok = sign(hdr, "{\"iss\":\"rampart\",\"n\":1}", algs[i].priv);
        bool hs = algs[i].alg[0] == 'H';
        res r = call(algs[i].verify, tok, S(hs ? "secret" : algs[i].pub));
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, rego_bool(true)), "%s verify: %s", algs[i].alg,
                 r.err.msg);
        r = call(algs[i].verify, tamper(tok), S(hs ? "secret" : algs[i].pub));
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, rego_bool(false)), "%s tampered: %s",
                 algs[i].alg, r.err.msg);
        const char *wrong = hs ? "other" : algs[i].alg[0] == 'E' ? JWK_RSA_PUB : JWK_EC256_PUB;
        r = call(algs[i].verify, tok, S(wrong));
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, rego_bool(false)), "%s wrong key: %s",
                 algs[i].alg, r.err.msg);
        char cons[2048];
        snprintf(cons, sizeof(cons), hs ? "{\"secret\": \"secret\"}" : "{\"cert\": %s}",
                 show(S(algs[i].pub)));
        r = call("io.jwt.decode_verify", tok, J(cons));
        char want[128];
        snprintf(want, sizeof(want),
                 "[true,{\"alg\":\"%s\",\"typ\":\"JWT\"},{\"iss\":\"rampart\",\"n\":1}]",
                 algs[i].alg);
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, J(want)), "%s decode_verify: %s %s",
                 algs[i].alg, show(r.out), r.err.msg);
        r = call("io.jwt.decode", tok, rego_undef());
        T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "1"), J("{\"iss\":\"rampart\",\"n\":1}")),
                 "%s decode", algs[i].alg);
    }
    /* a verify_* builtin checks its own algorithm, not the header's */
    rego_value rs384 = sign("{\"alg\":\"RS384\"}", "{}", JWK_RSA_PRIV);
    res r = call("io.jwt.verify_rs256", rs384, S(JWK_RSA_PUB));
    T_CHECK(r.st == RP_OK && rego_equal(r.out, rego_bool(false)));
    /* PEM certificates and public keys */
    static const struct {
        const char *alg, *verify, *priv, *pem;
    } pems[] = {
        {"RS256", "io.jwt.verify_rs256", JWK_RSA_PRIV, RSA_CERT},
        {"PS512", "io.jwt.verify_ps512", JWK_RSA_PRIV, RSA_PUB_PEM},
        {"ES256", "io.jwt.verify_es256", JWK_EC256_PRIV, EC_CERT},
        {"EdDSA", "io.jwt.verify_eddsa", JWK_ED_PRIV, ED_CERT},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(pems); i++) {
        char hdr[64];
        snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\"}", pems[i].alg);
        rego_value tok = sign(hdr, "{\"a\":true}", pems[i].priv);
        r = call(pems[i].verify, tok, S(pems[i].pem));
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, rego_bool(true)), "%s with PEM: %s",
                 pems[i].alg, r.err.msg);
    }
}

/* ---- JWKS ------------------------------------------------------------------------------------ */

static char *with_member(const char *jwk, const char *member)
{
    size_t n = strlen(jwk);
    char *s = rp_arena_alloc(A, n + strlen(member) + 2);
    snprintf(s, n + strlen(member) + 2, "{%s,%s", member, jwk + 1);
    return s;
}

static void test_jwks(void)
{
    char set[4096];
    snprintf(set, sizeof(set), "{\"keys\":[%s,%s]}", with_member(JWK_EC256_PUB, "\"kid\":\"k1\""),
             with_member(JWK_RSA_PUB, "\"kid\":\"k2\""));
    static const struct {
        const char *hdr;
        bool ok;
    } kid[] = {
        {"{\"alg\":\"RS256\",\"kid\":\"k2\"}", true},
        {"{\"alg\":\"RS256\",\"kid\":\"k1\"}", false}, /* the kid's key decides alone */
        {"{\"alg\":\"RS256\",\"kid\":\"k9\"}", true},
        {"{\"alg\":\"RS256\"}", true},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(kid); i++) {
        rego_value tok = sign(kid[i].hdr, "{}", JWK_RSA_PRIV);
        res r = call("io.jwt.verify_rs256", tok, S(set));
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, rego_bool(kid[i].ok)), "kid #%zu: %s %s", i,
                 show(r.out), r.err.msg);
        char cons[8192];
        snprintf(cons, sizeof(cons), "{\"cert\": %s}", show(S(set)));
        r = call("io.jwt.decode_verify", tok, J(cons));
        T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(kid[i].ok)),
                 "kid dv #%zu: %s", i, r.err.msg);
    }
    /* a key's alg must match the header's */
    rego_value tok = sign("{\"alg\":\"RS256\"}", "{}", JWK_RSA_PRIV);
    res r = call("io.jwt.verify_rs256", tok, S(with_member(JWK_RSA_PUB, "\"alg\":\"RS512\"")));
    T_CHECK(r.st == RP_OK && rego_equal(r.out, rego_bool(false)));
    r = call("io.jwt.verify_rs256", tok, S(with_member(JWK_RSA_PUB, "\"alg\":\"RS256\"")));
    T_CHECK(r.st == RP_OK && rego_equal(r.out, rego_bool(true)));
    /* an oct key in a JWKS verifies HS* through decode_verify's cert */
    rego_value hs = sign("{\"alg\":\"HS256\"}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}");
    r = call("io.jwt.decode_verify", hs,
             J("{\"cert\": \"{\\\"kty\\\":\\\"oct\\\",\\\"k\\\":\\\"c2VjcmV0\\\"}\"}"));
    T_CHECK(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(true)));
}

static const struct {
    const char *key, *err;
} key_errors[] = {
    {"{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
     "failed to parse a JWK key (set): failed to generate key: failed to generate key from JWK: "
     "missing mandatory key parameters N or E"},
    {"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"AQ\"}",
     "failed to parse a JWK key (set): failed to generate key: failed to generate key from JWK: "
     "missing mandatory key parameters D, P or Q"},
    {"{\"kty\":\"EC\",\"crv\":\"P-999\",\"x\":\"AA\",\"y\":\"AA\"}",
     "failed to parse a JWK key (set): failed to generate key: failed to generate key from JWK: "
     "invalid curve name P-999"},
    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\"}",
     "failed to parse a JWK key (set): failed to generate key: failed to generate key from JWK: "
     "missing mandatory key parameters X, Y or Crv"},
    {"{\"kty\":\"bogus\"}",
     "failed to parse a JWK key (set): failed to unmarshal JWK: unknown signature algorithm"},
    {"{\"kty\":\"RSA\",\"alg\":\"XX1\"}",
     "failed to parse a JWK key (set): failed to unmarshal JWK: unknown signature algorithm"},
    {"{\"kty\":\"oct\",\"k\":\"!!\"}",
     "failed to parse a JWK key (set): failed to unmarshal JWK: failed to decode from base64: "
     "illegal base64 data at input byte 0"},
    {"{\"kty\":\"oct\",\"k\":5}", "failed to parse a JWK key (set): failed to unmarshal JWK: json: "
                                  "cannot unmarshal number into Go value of type string"},
    {"{\"kty\":\"oct\",\"kid\":5}",
     "failed to parse a JWK key (set): failed to unmarshal JWK: json: cannot unmarshal number into "
     "Go struct field RawKeyJSON.kid of type string"},
    {"{\"kty\":\"oct\",\"key_ops\":[\"fly\"]}",
     "failed to parse a JWK key (set): failed to unmarshal JWK: unknown key operation"},
    {"{}", "failed to parse a JWK key (set): failed to generate key: unrecognized key type"},
    {"[1]", "failed to parse a JWK key (set): failed to unmarshal JWK Set: json: cannot unmarshal "
            "array into Go value of type jwk.RawKeySetJSON"},
    {"{\"keys\":{}}",
     "failed to parse a JWK key (set): failed to unmarshal JWK Set: json: cannot unmarshal object "
     "into Go struct field RawKeySetJSON.keys of type []jwk.RawKeyJSON"},
    {"{\"keys\":[{\"kty\":\"bogus\"}]}",
     "failed to parse a JWK key (set): failed to unmarshal JWK Set: unknown signature algorithm"},
    {"{\"keys\":[{\"kty\":\"RSA\"}]}",
     "failed to parse a JWK key (set): failed to generate key: failed to generate key from JWK: "
     "missing mandatory key parameters N or E: %!w(MISSING)"},
    {"not json", "failed to parse a JWK key (set): failed to unmarshal JWK Set: invalid character "
                 "'o' in literal null (expecting 'u')"},
    {"-----BEGIN CERT-----\nYWJj\n-----END CERT-----\n",
     "failed to extract a Key from the PEM certificate"},
    {"-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n",
     "failed to parse a PEM certificate: x509: malformed certificate"},
    {"-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n\n",
     "extra data after a PEM certificate block"},
    {"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----",
     "failed to parse a PEM public key: asn1: syntax error: sequence truncated"},
};

static void test_key_errors(void)
{
    rego_value tok = sign("{\"alg\":\"RS256\"}", "{}", JWK_RSA_PRIV);
    for (size_t i = 0; i < RP_ARRAY_LEN(key_errors); i++) {
        res r = call("io.jwt.verify_rs256", tok, S(key_errors[i].key));
        T_CHECKM(r.st == RP_ERR_EVAL && r.err.kind == RP_EK_EVAL_BUILTIN &&
                     !strcmp(msg_of(&r), key_errors[i].err),
                 "key error #%zu: %s", i, r.err.msg);
    }
    /* the JWKS size limit, at the limit and one past it */
    for (int extra = 0; extra < 2; extra++) {
        rp_buf b;
        rp_buf_init(&b);
        rp_buf_puts(&b, "{\"keys\":[");
        for (int i = 0; i < REGO_CRYPTO_MAX_KEYS + extra; i++)
            rp_buf_printf(&b, "%s{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"%d\"}", i ? "," : "",
                          i);
        rp_buf_puts(&b, "]}");
        rego_value hs = sign("{\"alg\":\"HS256\",\"kid\":\"1000\"}", "{}",
                             "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}");
        res r;
        char *cons = rp_arena_alloc(A, b.len * 2 + 32);
        snprintf(cons, b.len * 2 + 32, "{\"cert\": %s}", show(S(rp_buf_cstr(&b))));
        r = call("io.jwt.decode_verify", hs, J(cons));
        rp_buf_free(&b);
        if (extra)
            T_CHECKM(r.st == RP_ERR_EVAL && contains(r.err.msg, "JWK set has more than 1024 keys"),
                     "%s", r.err.msg);
        else
            T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(true)), "%s", r.err.msg);
    }
}

/* ---- decode ------------------------------------------------------------------------------------
 */

static const struct {
    const char *tok, *err;
} decode_errors[] = {
    {"abc", "encoded JWT had no period separators"},
    {"a.b", "encoded JWT must have 3 sections, found 2"},
    {"a.b.c.d", "encoded JWT must have 3 sections, found 4"},
    {"!!!.e30.e30", "JWT header had invalid encoding: illegal base64 data at input byte 0"},
    {"a.e30.", "JWT header had invalid encoding: illegal base64url string: a"},
    {"ZQ.e30.",
     "bad JWT header: invalid JSON: invalid character 'e' looking for beginning of value"},
    {"W10.e30.", "bad JWT header: decoded JSON type was not an Object"},
    {"eyJlbmMiOiJ4IiwiYWxnIjoieCJ9.e30.", "JWT is a JWE object, which is not supported"},
    {"eyJhbGciOiJIUzI1NiJ9.WzFd.", "decoded JSON type was not an Object"},
    {"eyJhbGciOiJIUzI1NiJ9..", "invalid JSON: EOF"},
    {"eyJhbGciOiJIUzI1NiJ9.e30gMQ.",
     "invalid JSON: error: invalid character '1' after top-level value"},
    {"eyJhbGciOiJIUzI1NiJ9.e30.!!",
     "JWT signature had invalid encoding: illegal base64 data at input byte 0"},
    {"eyJhbGciOiJIUzI1NiJ9.e30/.",
     "JWT payload had invalid encoding: illegal base64 data at input byte 3"},
};

static void test_decode(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(decode_errors); i++) {
        res r = call("io.jwt.decode", S(decode_errors[i].tok), rego_undef());
        T_CHECKM(r.st == RP_ERR_EVAL && r.err.kind == RP_EK_EVAL_BUILTIN &&
                     !strcmp(msg_of(&r), decode_errors[i].err),
                 "decode #%zu: %s", i, r.err.msg);
    }
    res r = call("io.jwt.decode", rego_int(1), rego_undef());
    T_STREQ(r.err.msg, "io.jwt.decode: operand 1 must be string but got number");
    T_CHECK(r.err.kind == RP_EK_EVAL_TYPE);
    r = call("io.jwt.decode", S("eyJhbGciOiJIUzI1NiJ9.e30."), rego_undef());
    T_STREQ(show(r.out), "[{\"alg\":\"HS256\"},{},\"\"]");
    /* a quoted nested token, as jwt.io writes it */
    char *inner = "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.";
    char payload[128], tok[256];
    snprintf(payload, sizeof(payload), "\"'%s'\"", inner);
    snprintf(tok, sizeof(tok), "%s.%s.", b64url("{\"alg\":\"HS256\",\"cty\":\"JWT\"}"),
             b64url(payload));
    r = call("io.jwt.decode", S(tok), rego_undef());
    T_STREQ(show(r.out), "[{\"alg\":\"HS256\"},{\"a\":1},\"\"]");
}

/* ---- decode_verify ------------------------------------------------------------------------------
 */

static const char *const HS_KEY = "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}";

static const struct {
    const char *payload, *constraints, *want, *err;
} dv_cases[] = {
    {"{\"exp\":100}", "{\"secret\":\"secret\",\"time\":99000000000}", "true", NULL},
    {"{\"exp\":100}", "{\"secret\":\"secret\",\"time\":100000000000}", "false", NULL},
    {"{\"nbf\":100}", "{\"secret\":\"secret\",\"time\":100000000000}", "true", NULL},
    {"{\"nbf\":100}", "{\"secret\":\"secret\",\"time\":99999999999}", "false", NULL},
    {"{\"nbf\":100.5,\"exp\":101}", "{\"secret\":\"secret\",\"time\":100600000000}", "true", NULL},
    {"{\"exp\":\"soon\"}", "{\"secret\":\"secret\"}", NULL, "exp value must be a number"},
    {"{\"nbf\":null}", "{\"secret\":\"secret\"}", NULL, "nbf value must be a number"},
    {"{\"iss\":\"a\",\"exp\":\"x\"}", "{\"secret\":\"secret\",\"iss\":\"b\"}", "false", NULL},
    {"{\"iss\":\"a\"}", "{\"secret\":\"secret\",\"iss\":\"a\"}", "true", NULL},
    {"{}", "{\"secret\":\"secret\",\"iss\":\"a\"}", "false", NULL},
    {"{\"aud\":[\"x\",\"y\"]}", "{\"secret\":\"secret\",\"aud\":\"y\"}", "true", NULL},
    {"{\"aud\":[\"x\",1]}", "{\"secret\":\"secret\",\"aud\":\"y\"}", "false", NULL},
    {"{\"aud\":\"y\"}", "{\"secret\":\"secret\"}", "false", NULL},
    {"{}", "{\"secret\":\"secret\",\"aud\":\"y\"}", "false", NULL},
    {"{}", "{\"secret\":\"wrong\"}", "false", NULL},
    {"{}", "{\"secret\":\"secret\",\"alg\":\"HS512\"}", "false", NULL},
    {"{}", "{\"secret\":\"secret\",\"alg\":\"HS256\"}", "true", NULL},
    {"{}", "{}", NULL, "no key constraint"},
    {"{}", "{\"secret\":\"\"}", NULL, "no key constraint"},
    {"{}", "{\"secret\":\"secret\",\"cert\":\"{\\\"kty\\\":\\\"oct\\\"}\"}", NULL,
     "duplicate key constraints"},
    {"{}", "{\"secret\":\"secret\",\"when\":1}", NULL, "unknown token validation constraint: when"},
    {"{}", "{\"secret\":1}", NULL, "secret constraint: must be a string"},
    {"{}", "{\"cert\":1}", NULL, "cert constraint: must be a string"},
    {"{}", "{\"iss\":[],\"secret\":\"secret\"}", NULL, "iss constraint: must be a string"},
    {"{}", "{\"secret\":\"secret\",\"time\":\"now\"}", NULL,
     "token time constraint: must be a number"},
    {"{}", "{\"secret\":\"secret\",\"time\":-1}", NULL,
     "token time constraint: must not be negative"},
};

static void test_decode_verify(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(dv_cases); i++) {
        rego_value tok = sign("{\"alg\":\"HS256\"}", dv_cases[i].payload, HS_KEY);
        res r = call("io.jwt.decode_verify", tok, J(dv_cases[i].constraints));
        if (dv_cases[i].err)
            T_CHECKM(r.st == RP_ERR_EVAL && !strcmp(msg_of(&r), dv_cases[i].err), "dv #%zu: %s", i,
                     r.err.msg);
        else
            T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), J(dv_cases[i].want)),
                     "dv #%zu: %s %s", i, show(r.out), r.err.msg);
    }
    static const struct {
        const char *hdr, *want, *err;
    } hdr_cases[] = {
        {"{\"typ\":\"JWT\"}", "false", NULL}, /* no alg */
        {"{\"alg\":\"HS256\",\"crit\":[\"x\"],\"x\":1}", "false", NULL},
        {"{\"alg\":\"HS256\",\"crit\":[\"kid\"]}", "true", NULL},
        {"{\"alg\":\"HS256\",\"crit\":\"x\"}", NULL, "crit: must be a list"},
        {"{\"alg\":\"HS256\",\"crit\":[1]}", NULL, "crit: must be a nonempty list"},
        {"{\"alg\":5}", NULL, "alg: must be a string"},
        {"{\"alg\":\"HS256\",\"kid\":[]}", NULL, "kid: must be a string"},
        {"{\"alg\":\"XX256\"}", NULL, "unknown JWS algorithm: XX256"},
        {"{\"alg\":\"RS256\"}", NULL, "incorrect public key type"},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(hdr_cases); i++) {
        /* a token whose header is hdr, correctly signed with "secret" */
        char input[512], buf[1024];
        snprintf(input, sizeof(input), "%s.e30", b64url(hdr_cases[i].hdr));
        uint8_t mac[64];
        size_t ml = rego_jwk_hmac("SHA256", (const uint8_t *)"secret", 6, (const uint8_t *)input,
                                  strlen(input), mac);
        size_t n;
        snprintf(buf, sizeof(buf), "%s.%s", input,
                 rego_jwk_b64_encode(A, REGO_B64_RAW_URL, mac, ml, &n));
        res r = call("io.jwt.decode_verify", S(buf), J("{\"secret\":\"secret\"}"));
        if (hdr_cases[i].err)
            T_CHECKM(r.st == RP_ERR_EVAL && !strcmp(msg_of(&r), hdr_cases[i].err), "hdr #%zu: %s",
                     i, r.err.msg);
        else
            T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), J(hdr_cases[i].want)),
                     "hdr #%zu: %s %s", i, show(r.out), r.err.msg);
    }
    res r = call("io.jwt.decode_verify", S("a.b.c"), S("x"));
    T_STREQ(r.err.msg, "io.jwt.decode_verify: operand 2 must be object but got string");
    r = call("io.jwt.decode_verify", rego_int(1), J("{\"secret\":\"x\"}"));
    T_STREQ(r.err.msg, "io.jwt.decode_verify: operand 1 must be string but got number");
    /* the query's time when none is given */
    rego_value tok = sign("{\"alg\":\"HS256\"}", "{\"exp\":2000}", HS_KEY);
    rego_value args[2] = {tok, J("{\"secret\":\"secret\"}")};
    r = call_args(A, 1999LL * 1000000000LL, "io.jwt.decode_verify", args);
    T_CHECK(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(true)));
    r = call_args(A, 2000LL * 1000000000LL, "io.jwt.decode_verify", args);
    T_CHECK(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(false)));
}

/* ---- nesting and size limits ---------------------------------------------------------------- */

/* depth tokens wrapped around {"deep":true}, each with "cty": "JWT". */
static rego_value nested(int depth)
{
    rego_value tok = sign("{\"alg\":\"HS256\"}", "{\"deep\":true}", HS_KEY);
    for (int i = 0; i < depth; i++)
        tok = sign("{\"alg\":\"HS256\",\"typ\":\"nested\",\"cty\":\"JWT\"}", tok.u.s, HS_KEY);
    return tok;
}

static void test_limits(void)
{
    for (int extra = 0; extra < 2; extra++) {
        rego_value tok = nested(REGO_JWT_MAX_NESTING + extra);
        res d = call("io.jwt.decode", tok, rego_undef());
        res v = call("io.jwt.decode_verify", tok, J("{\"secret\":\"secret\"}"));
        if (extra) {
            T_CHECKM(d.st == RP_ERR_EVAL && contains(d.err.msg, "JWT nesting deeper than 16"), "%s",
                     d.err.msg);
            T_CHECKM(v.st == RP_ERR_EVAL && contains(v.err.msg, "JWT nesting deeper than 16"), "%s",
                     v.err.msg);
        } else {
            T_CHECKM(d.st == RP_OK && rego_equal(at(d.out, "1"), J("{\"deep\":true}")), "%s",
                     d.err.msg);
            T_CHECKM(v.st == RP_OK &&
                         rego_equal(v.out, J("[true,{\"alg\":\"HS256\"},{\"deep\":true}]")),
                     "%s %s", show(v.out), v.err.msg);
        }
    }
    size_t big = REGO_CRYPTO_MAX_INPUT_BYTES + 1;
    char *s = malloc(big + 1);
    memset(s, 'e', big);
    s[1] = s[2] = '.';
    s[big] = 0;
    res r = call("io.jwt.decode", rego_str_borrow(s, big), rego_undef());
    T_CHECKM(r.st == RP_ERR_EVAL && contains(r.err.msg, "larger than the limit"), "%s", r.err.msg);
    r = call("io.jwt.verify_hs256", rego_str_borrow(s, big - 1), S("k"));
    T_CHECKM(r.st == RP_ERR_EVAL && !contains(r.err.msg, "larger than the limit"), "%s", r.err.msg);
    free(s);
}

/* ---- encode_sign -------------------------------------------------------------------------------
 */

static const struct {
    const char *hdr, *payload, *key, *err;
} sign_errors[] = {
    {"e", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "invalid character 'e' looking for beginning of value"},
    {"{}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "failed to create signer: unsupported signature algorithm "},
    {"{\"alg\":\"none\"}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "failed to create signer: unsupported signature algorithm none"},
    {"{\"alg\":\"dummy\"}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "unknown signature algorithm"},
    {"{\"alg\":null}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", "unknown signature algorithm"},
    {"[1]", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "json: cannot unmarshal array into Go value of type jws.StandardHeaders"},
    {"{\"alg\":\"HS256\",\"typ\":5}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "json: cannot unmarshal number into Go struct field StandardHeaders.typ of type string"},
    {"{\"alg\":\"HS256\"}", "", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "type is JWT but payload is not JSON"},
    {"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "type is JWT but payload is not JSON"},
    {"{\"alg\":\"HS256\"}", "{}", "{}", "failed to generate key: unrecognized key type"},
    {"{\"alg\":\"HS256\"}", "{}", "{\"kty\":\"bogus\"}",
     "failed to unmarshal JWK: unknown signature algorithm"},
    {"{\"alg\":\"HS256\"}", "{}", "{\"kty\":\"oct\"}",
     "failed to sign Payload: missing key while signing payload"},
    {"{\"alg\":\"HS256\"}", "{}", JWK_RSA_PRIV,
     "failed to sign Payload: invalid key type *rsa.PrivateKey. []byte is required"},
    {"{\"alg\":\"RS256\"}", "{}", JWK_RSA_PUB,
     "failed to sign Payload: invalid key type *rsa.PublicKey. *rsa.PrivateKey is required"},
    {"{\"alg\":\"ES256\"}", "{}", "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
     "failed to sign Payload: invalid key type []uint8. *ecdsa.PrivateKey is required"},
    {"{\"alg\":\"EdDSA\"}", "{}", JWK_EC256_PRIV,
     "failed to sign Payload: invalid key type *ecdsa.PrivateKey. ed25519.PrivateKey is required"},
};

static void test_encode_sign(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(sign_errors); i++) {
        res r = call3("io.jwt.encode_sign_raw", S(sign_errors[i].hdr), S(sign_errors[i].payload),
                      S(sign_errors[i].key));
        T_CHECKM(r.st == RP_ERR_EVAL && r.err.kind == RP_EK_EVAL_BUILTIN &&
                     !strcmp(msg_of(&r), sign_errors[i].err),
                 "sign error #%zu: %s", i, r.err.msg);
    }
    /* a non-JWT type lets any payload through */
    res r = call3("io.jwt.encode_sign_raw", S("{\"alg\":\"HS256\",\"typ\":\"text/plain\"}"),
                  S("hello"), S(HS_KEY));
    T_CHECKM(r.st == RP_OK, "%s", r.err.msg);
    /* encode_sign signs the term text of its objects */
    r = call3("io.jwt.encode_sign", J("{\"typ\":\"JWT\",\"alg\":\"HS256\"}"),
              J("{\"b\":[1,\"x\"],\"a\":{}}"), J(HS_KEY));
    char want[256];
    snprintf(want, sizeof(want), "%s.%s.", b64url("{\"alg\": \"HS256\", \"typ\": \"JWT\"}"),
             b64url("{\"a\": {}, \"b\": [1, \"x\"]}"));
    T_CHECKM(r.st == RP_OK && !strncmp(r.out.u.s, want, strlen(want)), "%s",
             r.st == RP_OK ? r.out.u.s : r.err.msg);
    res d = call("io.jwt.decode_verify", r.out, J("{\"secret\":\"secret\"}"));
    T_STREQ(show(d.out), "[true,{\"alg\":\"HS256\",\"typ\":\"JWT\"},{\"a\":{},\"b\":[1,\"x\"]}]");
    /* OPA checks the key operand first */
    r = call3("io.jwt.encode_sign_raw", rego_int(1), S("{}"), rego_int(2));
    T_STREQ(r.err.msg, "io.jwt.encode_sign_raw: operand 3 must be string but got number");
    r = call3("io.jwt.encode_sign_raw", rego_int(1), S("{}"), S(HS_KEY));
    T_STREQ(r.err.msg, "io.jwt.encode_sign_raw: operand 1 must be string but got number");
    /* a randomised signature is stable within one query */
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, A);
    const rego_builtin *bi = rego_builtin_find("io.jwt.encode_sign_raw", 22);
    rego_value args[3] = {S("{\"alg\":\"ES256\"}"), S("{}"), S(JWK_EC256_PRIV)};
    rego_value t1, t2;
    rp_error e1 = {0}, e2 = {0};
    rego_builtin_call(bi, &ev, (rp_loc){0}, args, &t1, &e1);
    rego_builtin_call(bi, &ev, (rp_loc){0}, args, &t2, &e2);
    T_CHECK(t1.kind == REGO_STRING && rego_equal(t1, t2));
    /* the ECDSA signature is r || s, each as long as the curve */
    res dec = call("io.jwt.decode", t1, rego_undef());
    T_CHECK(at(dec.out, "2").n == 128);
}

/* ---- verify_* errors ---------------------------------------------------------------------------
 */

static void test_verify_errors(void)
{
    res r = call("io.jwt.verify_rs256", rego_int(1), S(JWK_RSA_PUB));
    T_STREQ(r.err.msg, "io.jwt.verify_rs256: operand 1 must be string but got number");
    r = call("io.jwt.verify_rs256", S("a.b.c"), rego_int(1));
    T_STREQ(r.err.msg, "io.jwt.verify_rs256: operand 2 must be string but got number");
    r = call("io.jwt.verify_hs256", S("a.b.c"), rego_int(1));
    T_STREQ(r.err.msg, "io.jwt.verify_hs256: operand 2 must be string but got number");
    r = call("io.jwt.verify_hs256", S("eyJhbGciOiJIUzI1NiJ9.e30.!!!!"), S("k"));
    T_STREQ(r.err.msg, "io.jwt.verify_hs256: illegal base64 data at input byte 0");
    r = call("io.jwt.verify_rs256", S("eyJhbGciOjV9.e30.AAAA"), S(JWK_RSA_PUB));
    T_STREQ(r.err.msg, "io.jwt.verify_rs256: alg: must be a string");
    r = call("io.jwt.verify_es256", S("eyJhbGciOiJFUzI1NiJ9.e30."), S(JWK_EC256_PUB));
    T_CHECK(r.st == RP_OK && rego_equal(r.out, rego_bool(false)));
}

/* ---- out-of-memory ------------------------------------------------------------------------------
 */

static void test_budgets(void)
{
    rego_value es = sign("{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
                         "{\"iss\":\"x\",\"exp\":9999999999}", JWK_EC256_PRIV);
    char cons[2048];
    snprintf(cons, sizeof(cons), "{\"cert\": %s, \"iss\": \"x\"}", show(S(JWK_EC256_PUB)));
    rego_value c = J(cons);
    const char *names[] = {"io.jwt.decode_verify", "io.jwt.encode_sign", "io.jwt.verify_es256"};
    for (size_t f = 0; f < RP_ARRAY_LEN(names); f++) {
        int ok = 0, nomem = 0, other = 0;
        for (size_t budget = 64; budget < (1u << 18); budget += budget / 8) {
            rp_arena *a = rp_arena_new(budget);
            rego_value args[3];
            if (f == 0) {
                args[0] = es;
                args[1] = c;
            } else if (f == 1) {
                args[0] = J("{\"alg\":\"ES256\"}");
                args[1] = J("{\"a\":1}");
                args[2] = J(JWK_EC256_PRIV);
            } else {
                args[0] = es;
                args[1] = S(JWK_EC256_PUB);
            }
            res r = call_args(a, 0, names[f], args);
            ok += r.st == RP_OK;
            nomem += r.st == RP_ERR_NOMEM;
            if (r.st != RP_OK && r.st != RP_ERR_NOMEM) {
                other++;
                fprintf(stderr, "budget %zu %s: %s\n", budget, names[f], r.err.msg);
            }
            rp_arena_free(a);
        }
        T_CHECKM(ok > 0 && nomem > 0 && other == 0, "%s: ok %d nomem %d other %d", names[f], ok,
                 nomem, other);
    }
}

int main(void)
{
    A = rp_arena_new(0);
    test_conformance_replay();
    test_round_trips();
    test_jwks();
    test_key_errors();
    test_decode();
    test_decode_verify();
    test_limits();
    test_encode_sign();
    test_verify_errors();
    test_budgets();
    rp_arena_free(A);
    return T_DONE();
}
