/*
 * test_bi_crypto.c — crypto.* builtins: digests and HMACs, the Go-compatible
 * encodings underneath (base64, PEM, JSON messages), X.509 certificate, CSR
 * and key parsing (fields as Go marshals them), chain verification, limits,
 * and out-of-memory behaviour under small arena budgets.
 *
 * OPA's own vectors come from ../shared/conformance (read at test time);
 * the keys, certificates and CSR below (and those in bi_crypto.h) were
 * generated for this test.
 */
#include "bi_crypto.h"
#include "rego/builtins/jwk.h"
#include "rego/limits.h"
#include "rego/yaml.h"

/* ---- generated test material (more in bi_crypto.h) ------------------------------- */
static const char RSA_KEY_PKCS1[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEpAIBAAKCAQEA2BSErCQQB3HTWhWT8eTNrSqKCgFoI/0YM7P6hr0otJkJPyBU\n"
    "G/rlQD6f+auNes8ayZSmtDkEihp1B+XEWqaOTx/XTXehsYnnlpZtkD7836gxvD5S\n"
    "+s01wwKxFkdwKeI4YZTqaMGFe3Z2DGLvC03r8jF+e8xJpyl6R5YkspvpWsATDi+9\n"
    "rY63wP+Ta6hTu6DqfBYsD11qAzR4xdheIHhSuaDlqPGy+r74MCHnzbDed2bsq4uw\n"
    "tPbS4cmPxPje/aoN7XK8tMz5ps7izY6zvfT3u4ynyINhJHUXnaR9QRLlrMVU/oXB\n"
    "iGjqLsrjOa8OeZqBw+m4MPdcqyPpXWrobTchHwIDAQABAoIBAEL2PNUxycvc0OAS\n"
    "XsowGzMGQ0ftfq3kcZsYM9OMjDBHWq+234naOzApGB9htBLyWn1MtUqVftwjbdAY\n"
    "OrzS77gCiJDHuZKQx3WJwYNZmbjf4SXSdJmnfXkk/OcIFXDNW6aV5Py4uBp2MAgP\n"
    "or+wkqV4BBfuS4bjmjLUCyRUn8DQwirXVK/4OCd86OnsL9z4spHhTCj37t5NKEE0\n"
    "QZuq1V3E/Ifi2CbD/OgjYxaEn3b5/Wj75pI+PXrFf8INdmlSKJmlOTTu3P3Y7OoO\n"
    "PphSeRQBVt+1MJ9c98yJEtOwvOQQn01HQRlNGPDIlb+ArMS051RMhSp9EUVFkFaw\n"
    "j+N7/vUCgYEA+hRd0WW507rpi8mLivZvntbwuF/UAVvEGqkMfpOhGmtHcBXFiBix\n"
    "s7B1S5VipKsgY+ePIU2psN2nGShqbR3THtcMARIuR4l5NQCU1u+yLnR7Khs6Amvm\n"
    "WUpCYtP5I+TuEmwo8zX5tGLt0WRYt3seun7WNZRzXppEEeoyAf+8fhsCgYEA3TIY\n"
    "Q7Rkj2xRTkedL+oclcYVrSK5zrnUR6vP1wFF9DNFBD7Y2TBjx4aFdnaKMAv5o6Vb\n"
    "4//v10ZnxW342y3DLtiDZgBpkR/zhV1BpuzQfGThSom/BTTPRB7sTjXSInnAyx2w\n"
    "xNx+a9dtoqNFe81POc1TLACz+EngQZSZ9QemyU0CgYEA2zeJOiqrJ9A8M9575Ve7\n"
    "ZwjRwT23kW1IzXoMytRMr+UEnVtoabID7Bkt6RDNhL3ByfHNRQtYSgMzHFmSWY6A\n"
    "aBNooXO3f9whlPWqg3NgxVo0MSfmxQKizPjMkudwCSgADcQkbXaOKrNh92C4aDaU\n"
    "LDVNP3CfZXljXDTom1n7eKsCgYAdnQVOmyoTYYcJGeFbdtZY3uosAcgqewqGheQP\n"
    "fuYkqXCF/vv9J9NT9RiNIZWilRfY5tyEi9FKWuytq+lzPo8xCF+fGlMH0OVDZ5bQ\n"
    "iEfpP4BCAGsIgWd2UUWFuwLlBrPe/Zya3oI2YeMVsRIuXvBKZsjJzVZK2Wkinoh2\n"
    "G44iyQKBgQCLVHAe1/lmVdlt8V0O4/2A8X6vmimLd4yVLYi6BvS5REYES/2I4rYr\n"
    "JlMjZUaQvegD1Bl7PE3tXp/AOBRDaEuUgzKTpbO5nXW90oxo4GqiXMPhbpF/UmwZ\n"
    "mLdyo/CWwQTlLuUqk8ErzkodZNFT4t0Zr1ZY6dcQb+41Heppxc+5sw==\n"
    "-----END RSA PRIVATE KEY-----\n";
static const char RSA_KEY_PKCS8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDYFISsJBAHcdNa\n"
    "FZPx5M2tKooKAWgj/Rgzs/qGvSi0mQk/IFQb+uVAPp/5q416zxrJlKa0OQSKGnUH\n"
    "5cRapo5PH9dNd6GxieeWlm2QPvzfqDG8PlL6zTXDArEWR3Ap4jhhlOpowYV7dnYM\n"
    "Yu8LTevyMX57zEmnKXpHliSym+lawBMOL72tjrfA/5NrqFO7oOp8FiwPXWoDNHjF\n"
    "2F4geFK5oOWo8bL6vvgwIefNsN53Zuyri7C09tLhyY/E+N79qg3tcry0zPmmzuLN\n"
    "jrO99Pe7jKfIg2EkdRedpH1BEuWsxVT+hcGIaOouyuM5rw55moHD6bgw91yrI+ld\n"
    "auhtNyEfAgMBAAECggEAQvY81THJy9zQ4BJeyjAbMwZDR+1+reRxmxgz04yMMEda\n"
    "r7bfido7MCkYH2G0EvJafUy1SpV+3CNt0Bg6vNLvuAKIkMe5kpDHdYnBg1mZuN/h\n"
    "JdJ0mad9eST85wgVcM1bppXk/Li4GnYwCA+iv7CSpXgEF+5LhuOaMtQLJFSfwNDC\n"
    "KtdUr/g4J3zo6ewv3PiykeFMKPfu3k0oQTRBm6rVXcT8h+LYJsP86CNjFoSfdvn9\n"
    "aPvmkj49esV/wg12aVIomaU5NO7c/djs6g4+mFJ5FAFW37Uwn1z3zIkS07C85BCf\n"
    "TUdBGU0Y8MiVv4CsxLTnVEyFKn0RRUWQVrCP43v+9QKBgQD6FF3RZbnTuumLyYuK\n"
    "9m+e1vC4X9QBW8QaqQx+k6Eaa0dwFcWIGLGzsHVLlWKkqyBj548hTamw3acZKGpt\n"
    "HdMe1wwBEi5HiXk1AJTW77IudHsqGzoCa+ZZSkJi0/kj5O4SbCjzNfm0Yu3RZFi3\n"
    "ex66ftY1lHNemkQR6jIB/7x+GwKBgQDdMhhDtGSPbFFOR50v6hyVxhWtIrnOudRH\n"
    "q8/XAUX0M0UEPtjZMGPHhoV2doowC/mjpVvj/+/XRmfFbfjbLcMu2INmAGmRH/OF\n"
    "XUGm7NB8ZOFKib8FNM9EHuxONdIiecDLHbDE3H5r122io0V7zU85zVMsALP4SeBB\n"
    "lJn1B6bJTQKBgQDbN4k6Kqsn0Dwz3nvlV7tnCNHBPbeRbUjNegzK1Eyv5QSdW2hp\n"
    "sgPsGS3pEM2EvcHJ8c1FC1hKAzMcWZJZjoBoE2ihc7d/3CGU9aqDc2DFWjQxJ+bF\n"
    "AqLM+MyS53AJKAANxCRtdo4qs2H3YLhoNpQsNU0/cJ9leWNcNOibWft4qwKBgB2d\n"
    "BU6bKhNhhwkZ4Vt21lje6iwByCp7CoaF5A9+5iSpcIX++/0n01P1GI0hlaKVF9jm\n"
    "3ISL0Upa7K2r6XM+jzEIX58aUwfQ5UNnltCIR+k/gEIAawiBZ3ZRRYW7AuUGs979\n"
    "nJregjZh4xWxEi5e8EpmyMnNVkrZaSKeiHYbjiLJAoGBAItUcB7X+WZV2W3xXQ7j\n"
    "/YDxfq+aKYt3jJUtiLoG9LlERgRL/YjitismUyNlRpC96APUGXs8Te1en8A4FENo\n"
    "S5SDMpOls7mddb3SjGjgaqJcw+FukX9SbBmYt3Kj8JbBBOUu5SqTwSvOSh1k0VPi\n"
    "3RmvVljp1xBv7jUd6mnFz7mz\n"
    "-----END PRIVATE KEY-----\n";
static const char EC_KEY_SEC1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIKh/9xl7Du2Fr8kp4mU1zWNbJy1FxNpv0UudbWEYrHDCoAoGCCqGSM49\n"
    "AwEHoUQDQgAE+e1wpz5vcmTFZ5H2cgLjKTU1EHIK7FP2wNmHKtGq02cwfrMxssOF\n"
    "nnp1xiP7KlAbC6nh686IdroOkMszBC7z6A==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char ED_KEY_PKCS8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEINjDq2sJ0AIoDy2E+h2qLiKtj/8Lv5AUIB8Fugb8UhEZ\n"
    "-----END PRIVATE KEY-----\n";
static const char CHAIN_ROOT[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBWDCB/6ADAgECAgEKMAoGCCqGSM49BAMCMBQxEjAQBgNVBAMMCVRlc3QgUm9v\n"
    "dDAeFw0yMDAxMDEwMDAwMDBaFw00MDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMMCVRl\n"
    "c3QgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOLyqLkdm4Ya9H7SMk0x\n"
    "aXcZ1xqHZQYwB5cTEbOZxbD6ggR+5pTy2Y0jnTL2Sagaq8zdz46yJgA35QLDwT49\n"
    "rdSjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQW\n"
    "BBS2sPsr+fcsuD/iIch8jFs3HSS6dzAKBggqhkjOPQQDAgNIADBFAiEAvtFfVndO\n"
    "CNYJYG6fQmKhpH05zLw2W+M80KDi7COPxyUCIGHE5QM5cvEsxdBPohbrftYBA0aN\n"
    "j8hEMIw+UF5MjjuU\n"
    "-----END CERTIFICATE-----\n";
static const char CHAIN_INTER[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBXjCCAQOgAwIBAgIBCzAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlUZXN0IFJv\n"
    "b3QwHhcNMjAwMTAxMDAwMDAwWhcNNDAwMTAxMDAwMDAwWjAVMRMwEQYDVQQDDApU\n"
    "ZXN0IEludGVyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgtS7cQlSF4FJZq6N\n"
    "89r8E6EY7DVt5L4jyT3QU+WSPHeEIe5+tNrQt9HJkPmxFYAy+8w2N+rrJjTTLqWw\n"
    "rWa7EaNFMEMwEgYDVR0TAQH/BAgwBgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYD\n"
    "VR0OBBYEFLaJeHXoBv7Ngcgv6fdUhtcjnDpLMAoGCCqGSM49BAMCA0kAMEYCIQCq\n"
    "evKzxyuUdWk1k3Q0iKX9IF8FitNGpQxpUv0Il+DTLAIhALnvr+1rtfsE5jkwpfc3\n"
    "++0N5GkUJzXRXcY+NG5M9uhG\n"
    "-----END CERTIFICATE-----\n";
static const char CHAIN_LEAF[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATagAwIBAgIBDDAKBggqhkjOPQQDAjAVMRMwEQYDVQQDDApUZXN0IElu\n"
    "dGVyMB4XDTIwMDEwMTAwMDAwMFoXDTQwMDEwMTAwMDAwMFowGzEZMBcGA1UEAwwQ\n"
    "c3ZjLmV4YW1wbGUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNBnryht\n"
    "kcCQpBRy5PbKfd/Vb/1qfeiDRDIb7LUatedlAhu0fxnBg42gOnMqmUwBx8S4A0+5\n"
    "hPtbpc7JMsYbQICjcTBvMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBsG\n"
    "A1UdEQQUMBKCEHN2Yy5leGFtcGxlLnRlc3QwEwYDVR0lBAwwCgYIKwYBBQUHAwEw\n"
    "HQYDVR0OBBYEFJLdTBJVCinhbOhm0q2a49Pm11SuMAoGCCqGSM49BAMCA0cAMEQC\n"
    "IBfDyAFjX1NVxM6wQYJxLcL7ehA+fd2dimKqMa3+L8HDAiAJ1ACKjIBeEzCQzJ1A\n"
    "uQYA3GOlBuR0ww9YnjkPf0T8gQ==\n"
    "-----END CERTIFICATE-----\n";
static const char EC_KEY2_SEC1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEINCuNMWG9n6e9kgRBAydtiq7zrPCNv73KcwMUUVFAs5UoAoGCCqGSM49\n"
    "AwEHoUQDQgAE+duVv0nOusBGmcNm6S5iSthngmOJSsxu6MIonjuGmTKFqD+AuglA\n"
    "uu6TFcYXZ3J5CaO2DVUGyImsBHwZ41fuPA==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char CSR_SAN[] = "-----BEGIN CERTIFICATE REQUEST-----\n"
                              "MIIBHjCBxAIBADA1MQswCQYDVQQGEwJERTEQMA4GA1UECgwHUmFtcGFydDEUMBIG\n"
                              "A1UEAwwLY3NyLmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT525W/\n"
                              "Sc66wEaZw2bpLmJK2GeCY4lKzG7owiieO4aZMoWoP4C6CUC67pMVxhdncnkJo7YN\n"
                              "VQbIiawEfBnjV+48oC0wKwYJKoZIhvcNAQkOMR4wHDAaBgNVHREEEzARgglhLmV4\n"
                              "YW1wbGWHBMAAAgcwCgYIKoZIzj0EAwIDSQAwRgIhAI6nT6qKa7l2zNsa5Za9vZ6E\n"
                              "dgqXbqsd97FnRAKQ5peDAiEA49pClamVwjY1xF06Pqct+pCapZ57Og+lsOyXkaWR\n"
                              "Xw8=\n"
                              "-----END CERTIFICATE REQUEST-----\n";
static const char SHA1_ROOT[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIIBjzCCATWgAwIBAgIUc1YOtYz14oweB/2Ek9HiYoZ8iP4wCgYIKoZIzj0EAwIw\n"
                                "FDESMBAGA1UEAwwJU0hBMSBSb290MCAXDTI2MTEyNTAzMzE1NVoYDzIxMjYxMTAx\n"
                                "MDMzMTU1WjAUMRIwEAYDVQQDDAlTSEExIFJvb3QwWTATBgcqhkjOPQIBBggqhkjO\n"
                                "PQMBBwNCAARLZmDAi7bTH4oaEnxbsbrGdrk8wrCXFl4zlGNNSwCAslp1RXoyvVcg\n"
                                "Kn1VJ/c9+EB9ETqWDLtGaxczDSuMgsZNo2MwYTAdBgNVHQ4EFgQU0cHALINx+dL4\n"
                                "OsZdz5kGbK2CyCcwHwYDVR0jBBgwFoAU0cHALINx+dL4OsZdz5kGbK2CyCcwDwYD\n"
                                "VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAgQwCgYIKoZIzj0EAwIDSAAwRQIg\n"
                                "Hddk+HTYNHepOd0hhPHy1swmESDF7QXmpDS2A4R+GoECIQDRJhiT4o1B99hk08DA\n"
                                "oXkBmxU0n4WEF/LwzECper5dmg==\n"
                                "-----END CERTIFICATE-----\n";
static const char SHA1_LEAF[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIIBpzCCAU6gAwIBAgIUKWiKp7lsMrxzgatdIgeDM2Bh2cQwCQYHKoZIzj0EATAU\n"
                                "MRIwEAYDVQQDDAlTSEExIFJvb3QwIBcNMjYxMTI1MDMzMTU2WhgPMjEyNjExMDEw\n"
                                "MzMxNTZaMBwxGjAYBgNVBAMMEXNoYTEuZXhhbXBsZS50ZXN0MFkwEwYHKoZIzj0C\n"
                                "AQYIKoZIzj0DAQcDQgAEokscephFl0HhjrqWGneul8TMsKHA+Rim41ZS7dkUR6lu\n"
                                "NHIPnImO1UdQGSKjm0NGFKP18oyRMDwiYbIzPUuFY6N1MHMwHAYDVR0RBBUwE4IR\n"
                                "c2hhMS5leGFtcGxlLnRlc3QwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYE\n"
                                "FASFIpL88r3Sa1/QZtGYzJluD9KvMB8GA1UdIwQYMBaAFNHBwCyDcfnS+DrGXc+Z\n"
                                "BmytgsgnMAkGByqGSM49BAEDSAAwRQIhAJW8iAZVYQzpRyoqME/nFRhlh0kIuw95\n"
                                "/FWGQO+/evpXAiAue4rSTAG4A+1B/nCCqoOjrFCmLoWcPyWLZx2etMKZqw==\n"
                                "-----END CERTIFICATE-----\n";
static const char SHA256_LEAF[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBqjCCAU+gAwIBAgIUKWiKp7lsMrxzgatdIgeDM2Bh2cUwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJU0hBMSBSb290MCAXDTI2MTEyNTAzMzE1NloYDzIxMjYxMTAx\n"
    "MDMzMTU2WjAcMRowGAYDVQQDDBFzaGExLmV4YW1wbGUudGVzdDBZMBMGByqGSM49\n"
    "AgEGCCqGSM49AwEHA0IABKJLHHqYRZdB4Y66lhp3rpfEzLChwPkYpuNWUu3ZFEep\n"
    "bjRyD5yJjtVHUBkio5tDRhSj9fKMkTA8ImGyMz1LhWOjdTBzMBwGA1UdEQQVMBOC\n"
    "EXNoYTEuZXhhbXBsZS50ZXN0MBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQW\n"
    "BBQEhSKS/PK90mtf0GbRmMyZbg/SrzAfBgNVHSMEGDAWgBTRwcAsg3H50vg6xl3P\n"
    "mQZsrYLIJzAKBggqhkjOPQQDAgNJADBGAiEA9nQFOT4244xYqfmavB8C8rDfEg6K\n"
    "VGUbnU/OKYx2JwQCIQDkGUPu9b9g5pn7FNxF5ijjlAb70+iaOSdEvVg3+UyMiQ==\n"
    "-----END CERTIFICATE-----\n";

/* ---- harness (and bi_crypto.h) ---------------------------------------------------- */

#define CHECK_AT(v, path, json)                                                                    \
    T_CHECKM(rego_equal(at(v, path), J(json)), "%s: got %s want %s", path, show(at(v, path)), json)

/* The i-th Rego string literal ("..." with escapes, or `raw`) in text. */
static const char *nth_literal(const char *text, int i)
{
    for (const char *p = text; *p; p++) {
        if (*p != '"' && *p != '`')
            continue;
        const char *q = p + 1;
        if (*p == '`') {
            q = strchr(q, '`');
        } else {
            while (*q && *q != '"')
                q += *q == '\\' ? 2 : 1;
        }
        if (!q || !*q)
            return NULL;
        if (i-- == 0) {
            if (*p == '`')
                return rp_arena_strndup(A, p + 1, (size_t)(q - p - 1));
            rego_value v = rego_undef();
            rp_error e = {0};
            rego_json_parse(A, p, (size_t)(q - p + 1), NULL, &v, &e);
            return v.kind == REGO_STRING ? v.u.s : NULL;
        }
        p = q;
    }
    return NULL;
}

static rego_value yaml_cases(const char *dir, const char *file)
{
    char path[512];
    rego_value doc = rego_undef();
    rp_error e = {0};
    snprintf(path, sizeof(path), "%s/%s/%s", ROOT, dir, file);
    if (rego_yaml_parse_file(A, path, REGO_YAML_CORE, false, &doc, &e) != RP_OK) {
        T_CHECKM(false, "cannot read %s: %s", path, e.msg);
        return rego_undef();
    }
    return at(doc, "cases");
}

/* ---- digests and HMACs --------------------------------------------------------------- */

static const struct {
    const char *fn, *x, *key, *want; /* want NULL: the error below */
    const char *err;
} digest_cases[] = {
    {"crypto.md5", "", NULL, "d41d8cd98f00b204e9800998ecf8427e", NULL},
    {"crypto.md5", "lorem ipsum", NULL, "80a751fde577028640c419000e33eba6", NULL},
    {"crypto.sha1", "", NULL, "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL},
    {"crypto.sha1", "lorem ipsum", NULL, "bfb7759a67daeb65410490b4d98bb9da7d1ea2ce", NULL},
    {"crypto.sha256", "", NULL, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     NULL},
    {"crypto.sha256", "lorem ipsum", NULL,
     "5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269", NULL},
    {"crypto.hmac.md5", "foo", "bar", "31b6db9e5eb4addb42f1a6ca07367adc", NULL},
    {"crypto.hmac.md5", "åäöçß🥲♙Ω", "秘密の", "20a8743c2157ac60b7e8b79c83651b8d", NULL},
    {"crypto.hmac.sha1", "foo", "bar", "85d155c55ed286a300bd1cf124de08d87e914f3a", NULL},
    {"crypto.hmac.sha1", "åäöçß🥲♙Ω", "秘密の",
     "81759c39013935fcf0de833d44c8018d7c1455dd", NULL},
    {"crypto.hmac.sha256", "foo", "bar",
     "147933218aaabc0b8b10a2b3a5c34684c8d94341bcf10a4736dc7270f7741851", NULL},
    {"crypto.hmac.sha256", "", "",
     "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", NULL},
    {"crypto.hmac.sha512", "foo", "bar",
     "24257d7210582a65c731ec55159c8184cc24c02489453e58587f71f44c23a2d61b4b72154a89d17b2d49448a8452e"
     "a066f4fc56a2bcead45c088572ffccdb3d8",
     NULL},
    {"crypto.md5", NULL, NULL, NULL, "crypto.md5: operand 1 must be string but got number"},
    {"crypto.hmac.sha256", "x", NULL, NULL,
     "crypto.hmac.sha256: operand 2 must be string but got number"},
};

static void test_digests(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(digest_cases); i++) {
        rego_value x = digest_cases[i].x ? S(digest_cases[i].x) : rego_int(1);
        rego_value k = digest_cases[i].key ? S(digest_cases[i].key) : rego_int(2);
        res r = call(digest_cases[i].fn, x, k);
        if (digest_cases[i].want)
            T_CHECKM(r.st == RP_OK && rego_equal(r.out, S(digest_cases[i].want)), "%s #%zu: %s %s",
                     digest_cases[i].fn, i, show(r.out), r.err.msg);
        else
            T_CHECKM(r.st == RP_ERR_TYPE && r.err.kind == RP_EK_EVAL_TYPE &&
                         !strcmp(r.err.msg, digest_cases[i].err),
                     "#%zu: %s", i, r.err.msg);
    }
    static const struct {
        const char *a, *b;
        bool eq;
    } eq[] = {
        {"a", "a", true},
        {"a", "b", false},
        {"a", "aa", false},
        {"", "", true},
        {"31b6db9e5eb4addb42f1a6ca07367adc", "31b6db9e5eb4addb42f1a6ca07367adc", true},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(eq); i++) {
        res r = call("crypto.hmac.equal", S(eq[i].a), S(eq[i].b));
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, rego_bool(eq[i].eq)), "hmac.equal #%zu", i);
    }
    res r = call("crypto.hmac.equal", S("a"), rego_null());
    T_STREQ(r.err.msg, "crypto.hmac.equal: operand 2 must be string but got null");
}

/* The conformance hash cases, with input from the case. */
static void test_digest_conformance(void)
{
    static const char *const dirs[][2] = {
        {"cryptohmacmd5", "test-cryptohmacmd5.yaml"},
        {"cryptohmacsha1", "test-cryptohmacsha1.yaml"},
        {"cryptohmacsha256", "test-cryptohmacsha256.yaml"},
        {"cryptohmacsha512", "test-cryptohmacsha512.yaml"},
    };
    for (size_t d = 0; d < RP_ARRAY_LEN(dirs); d++) {
        rego_value cases = yaml_cases(dirs[d][0], dirs[d][1]);
        for (size_t i = 0; i < cases.n; i++) {
            rego_value c = cases.u.items[i];
            const char *mod = at(c, "modules.0").u.s;
            const char *fn = strstr(mod, "crypto.hmac.");
            char name[32];
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(fn, "("), fn);
            res r = call(name, at(c, "input.message"), at(c, "input.key"));
            T_CHECKM(r.st == RP_OK && rego_equal(r.out, at(c, "want_result.0.x.0")), "%s: %s",
                     at(c, "note").u.s, show(r.out));
        }
    }
}

/* ---- the Go-compatible layer --------------------------------------------------------- */

static const struct {
    rego_b64 enc;
    const char *in, *want, *err;
} b64_cases[] = {
    {REGO_B64_STD, "YmFkc3RyaW5n", "badstring", NULL},
    {REGO_B64_STD, "Zm9v\r\nYmFy", "foobar", NULL},
    {REGO_B64_STD, "Zg==", "f", NULL},
    {REGO_B64_STD, "", "", NULL},
    {REGO_B64_STD, "foobar", NULL, "illegal base64 data at input byte 4"},
    {REGO_B64_STD, "Zg", NULL, "illegal base64 data at input byte 0"},
    {REGO_B64_STD, "Zg=", NULL, "illegal base64 data at input byte 3"},
    {REGO_B64_STD, "Z===", NULL, "illegal base64 data at input byte 1"},
    {REGO_B64_STD, "Zg==Zg==", NULL, "illegal base64 data at input byte 4"},
    {REGO_B64_STD, "Zm9v!", NULL, "illegal base64 data at input byte 4"},
    {REGO_B64_STD, "-_8=", NULL, "illegal base64 data at input byte 0"},
    {REGO_B64_URL, "-_8=", "\xfb\xff", NULL},
    {REGO_B64_RAW_URL, "-_8", "\xfb\xff", NULL},
    {REGO_B64_RAW_URL, "-_8=", NULL, "illegal base64 data at input byte 3"},
    {REGO_B64_RAW_URL, "Z", NULL, "illegal base64 data at input byte 0"},
};

static void test_base64(void)
{
    char err[REGO_JWK_ERRLEN];
    rego_bytes out;
    for (size_t i = 0; i < RP_ARRAY_LEN(b64_cases); i++) {
        const char *in = b64_cases[i].in;
        bool ok = rego_jwk_b64_decode(A, b64_cases[i].enc, in, strlen(in), &out, err);
        if (b64_cases[i].want)
            T_CHECKM(ok && out.n == strlen(b64_cases[i].want) &&
                         !memcmp(out.p, b64_cases[i].want, out.n),
                     "b64 #%zu (%s)", i, in);
        else
            T_CHECKM(!ok && !strcmp(err, b64_cases[i].err), "b64 #%zu: %s", i, ok ? "ok" : err);
    }
    T_CHECK(rego_jwk_b64url_decode(A, "eyJ4IjoxfQ", 10, &out, err) &&
            !strcmp((const char *)out.p, "{\"x\":1}"));
    T_CHECK(!rego_jwk_b64url_decode(A, "abcde", 5, &out, err) &&
            !strcmp(err, "illegal base64url string: abcde"));
    size_t n;
    T_STREQ(rego_jwk_b64_encode(A, REGO_B64_STD, (const uint8_t *)"ab", 2, &n), "YWI=");
    T_STREQ(rego_jwk_b64_encode(A, REGO_B64_RAW_URL, (const uint8_t *)"\xfb\xff", 2, &n), "-_8");
}

static const struct {
    const char *in, *type, *body; /* type NULL: no block */
    int rest;                     /* offset after the block, -1: end of input */
} pem_cases[] = {
    {"-----BEGIN X-----\nYWJj\n-----END X-----\n", "X", "abc", -1},
    {"junk\n-----BEGIN X-----\nYWJj\n-----END X-----\ntail", "X", "abc", 44},
    {"-----BEGIN X-----\r\nYW Jj\r\n-----END X-----\r\n", "X", "abc", -1},
    {"-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nYWJj\n-----END X-----", "X", "abc", -1},
    {"-----BEGIN X-----\n-----END X-----", "X", "", -1},
    {"-----BEGIN X-----\nYWJj\n-----END Y-----\n", NULL, NULL, 0},
    {"-----BEGIN X-----\nYWJj\n-----END X-----junk\n", NULL, NULL, 0},
    {"-----BEGIN X-----\nYWJj\n", NULL, NULL, 0},
    {"-----BEGIN X-----\n!!!!\n-----END X-----\n-----BEGIN Y-----\nYWJj\n-----END Y-----\n", "Y",
     "abc", -1},
    {"no pem here", NULL, NULL, 0},
};

static void test_pem(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(pem_cases); i++) {
        rego_jwk_pem b;
        size_t rest = 0, n = strlen(pem_cases[i].in);
        bool ok = rego_jwk_pem_decode(A, pem_cases[i].in, n, &b, &rest);
        if (!pem_cases[i].type) {
            T_CHECKM(!ok, "pem #%zu should find no block", i);
            continue;
        }
        T_CHECKM(ok && rego_jwk_pem_type_is(&b, pem_cases[i].type) &&
                     b.der.n == strlen(pem_cases[i].body) &&
                     !memcmp(b.der.p, pem_cases[i].body, b.der.n) &&
                     rest == (pem_cases[i].rest < 0 ? n : (size_t)pem_cases[i].rest),
                 "pem #%zu (rest %zu)", i, rest);
    }
}

static const struct {
    const char *in, *unmarshal, *decoder; /* NULL: valid */
} json_cases[] = {
    {"{\"a\":[1,2.5e3,true,null,\"x\\u00e9\"]}", NULL, NULL},
    {"", "unexpected end of JSON input", "EOF"},
    {"  ", "unexpected end of JSON input", "EOF"},
    {"e", "invalid character 'e' looking for beginning of value",
     "invalid character 'e' looking for beginning of value"},
    {"{", "unexpected end of JSON input", "unexpected EOF"},
    {"{\"iss:\"joe\"}", "invalid character 'j' after object key",
     "invalid character 'j' after object key"},
    {"[1,]", "invalid character ']' looking for beginning of value",
     "invalid character ']' looking for beginning of value"},
    {"{1:2}", "invalid character '1' looking for beginning of object key string",
     "invalid character '1' looking for beginning of object key string"},
    {"{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair",
     "invalid character '\"' after object key:value pair"},
    {"[1 2]", "invalid character '2' after array element",
     "invalid character '2' after array element"},
    {"\"a\\x\"", "invalid character 'x' in string escape code",
     "invalid character 'x' in string escape code"},
    {"\"\\u12g4\"", "invalid character 'g' in \\u hexadecimal character escape",
     "invalid character 'g' in \\u hexadecimal character escape"},
    {"\"a\nb\"", "invalid character '\\n' in string literal",
     "invalid character '\\n' in string literal"},
    {"-x", "invalid character 'x' in numeric literal", "invalid character 'x' in numeric literal"},
    {"1.e5", "invalid character 'e' after decimal point in numeric literal",
     "invalid character 'e' after decimal point in numeric literal"},
    {"1e+", "unexpected end of JSON input", "unexpected EOF"},
    {"tru", "unexpected end of JSON input", "unexpected EOF"},
    {"trux", "invalid character 'x' in literal true (expecting 'e')",
     "invalid character 'x' in literal true (expecting 'e')"},
    {"nul1", "invalid character '1' in literal null (expecting 'l')",
     "invalid character '1' in literal null (expecting 'l')"},
    {"{} x", "invalid character 'x' after top-level value",
     "invalid character 'x' looking for beginning of value"},
    {"{} 12", "invalid character '1' after top-level value",
     "error: invalid character '12' after top-level value"},
    {"{} {}", "invalid character '{' after top-level value",
     "error: invalid character '{' after top-level value"},
    {"{} null", "invalid character 'n' after top-level value", NULL},
    {"01", "invalid character '1' after top-level value",
     "error: invalid character '1' after top-level value"},
    {"'a'", "invalid character '\\'' looking for beginning of value",
     "invalid character '\\'' looking for beginning of value"},
    {"\x01", "invalid character '\\x01' looking for beginning of value",
     "invalid character '\\x01' looking for beginning of value"},
    {"\xef\xbb\xbf{}", "invalid character 'ï' looking for beginning of value",
     "invalid character 'ï' looking for beginning of value"},
};

static void test_json_messages(void)
{
    char err[REGO_JWK_ERRLEN];
    for (size_t i = 0; i < RP_ARRAY_LEN(json_cases); i++) {
        const char *in = json_cases[i].in;
        for (int m = 0; m < 2; m++) {
            const char *want = m ? json_cases[i].decoder : json_cases[i].unmarshal;
            bool ok = rego_jwk_json_check(in, strlen(in),
                                          m ? REGO_JSON_DECODER : REGO_JSON_UNMARSHAL, err);
            if (!want)
                T_CHECKM(ok, "json #%zu mode %d: %s", i, m, err);
            else
                T_CHECKM(!ok && !strcmp(err, want), "json #%zu mode %d: got %s want %s", i, m,
                         ok ? "ok" : err, want);
        }
    }
}

/* ---- certificates -------------------------------------------------------------------- */

static void test_cert_conformance(void)
{
    static const char *const files[] = {
        "test-cryptox509parsecertificates-0117.yaml", "test-cryptox509parsecertificates-0118.yaml",
        "test-cryptox509parsecertificates-0119.yaml", "test-cryptox509parsecertificates-0120.yaml",
        "test-cryptox509parsecertificates-0122.yaml", "test-cryptox509parsecertificates-0123.yaml",
        "test-cryptox509parsecertificates-0124.yaml",
    };
    for (size_t f = 0; f < RP_ARRAY_LEN(files); f++) {
        rego_value c = at(yaml_cases("cryptox509parsecertificates", files[f]), "0");
        const char *certs = nth_literal(at(c, "modules.0").u.s, 0);
        res r = call("crypto.x509.parse_certificates", S(certs ? certs : ""), rego_undef());
        rego_value want_err = at(c, "want_error");
        if (want_err.kind == REGO_STRING) {
            T_CHECKM(r.st == RP_ERR_EVAL && r.err.kind == RP_EK_EVAL_BUILTIN &&
                         contains(r.err.msg, want_err.u.s),
                     "%s: %s", files[f], r.err.msg);
            continue;
        }
        rego_value want = at(c, "want_result.0.x");
        T_CHECKM(r.st == RP_OK && r.out.n == want.n, "%s: %s", files[f], r.err.msg);
        for (size_t i = 0; r.st == RP_OK && i < want.n && i < r.out.n; i++)
            T_CHECKM(rego_equal(at(r.out.u.items[i], "Subject.CommonName"), want.u.items[i]),
                     "%s cert %zu", files[f], i);
    }
}

static rego_value le_chain(void)
{
    rego_value c =
        at(yaml_cases("cryptox509parsecertificates", "test-cryptox509parsecertificates-0122.yaml"),
           "0");
    return S(nth_literal(at(c, "modules.0").u.s, 0));
}

/* Fields of a real certificate, as Go's x509 and encoding/json give them. */
static void test_cert_fields_le(void)
{
    res r = call("crypto.x509.parse_certificates", le_chain(), rego_undef());
    T_CHECKM(r.st == RP_OK && r.out.n == 3, "LE chain: %s", r.err.msg);
    rego_value c = at(r.out, "0");
    CHECK_AT(c, "Version", "3");
    CHECK_AT(c, "SerialNumber", "300612263563093021885461398005023342566611");
    CHECK_AT(c, "SignatureAlgorithm", "4");
    CHECK_AT(c, "PublicKeyAlgorithm", "1");
    CHECK_AT(c, "PublicKey.E", "65537");
    CHECK_AT(c, "NotBefore", "\"2020-07-10T16:00:30Z\"");
    CHECK_AT(c, "NotAfter", "\"2020-10-08T16:00:30Z\"");
    CHECK_AT(c, "Issuer.CommonName", "\"Let's Encrypt Authority X3\"");
    CHECK_AT(c, "Issuer.Organization", "[\"Let's Encrypt\"]");
    CHECK_AT(c, "Issuer.Country", "[\"US\"]");
    CHECK_AT(c, "Subject.Organization", "null");
    CHECK_AT(c, "Subject.Names", "[{\"Type\":[2,5,4,3],\"Value\":\"openpolicyagent.org\"}]");
    CHECK_AT(c, "KeyUsage", "5");
    CHECK_AT(c, "ExtKeyUsage", "[1,2]");
    CHECK_AT(c, "BasicConstraintsValid", "true");
    CHECK_AT(c, "IsCA", "false");
    CHECK_AT(c, "MaxPathLen", "-1");
    CHECK_AT(c, "DNSNames", "[\"openpolicyagent.org\",\"www.openpolicyagent.org\"]");
    CHECK_AT(c, "OCSPServer", "[\"http://ocsp.int-x3.letsencrypt.org\"]");
    CHECK_AT(c, "IssuingCertificateURL", "[\"http://cert.int-x3.letsencrypt.org/\"]");
    CHECK_AT(c, "PolicyIdentifiers", "[[2,23,140,1,2,1],[1,3,6,1,4,1,44947,1,1,1]]");
    CHECK_AT(c, "Policies", "[\"2.23.140.1.2.1\",\"1.3.6.1.4.1.44947.1.1.1\"]");
    CHECK_AT(c, "SubjectKeyId", "\"cPB5voqmtK9avD+9HqTBNWm50+0=\"");
    CHECK_AT(c, "AuthorityKeyId", "\"qEpqYwR93brm0Tm3pkVl7/Oo7KE=\"");
    CHECK_AT(c, "IPAddresses", "null");
    CHECK_AT(c, "URIs", "null");
    CHECK_AT(c, "URIStrings", "null");
    CHECK_AT(c, "UnhandledCriticalExtensions", "null");
    CHECK_AT(c, "ExtraExtensions", "null");
    CHECK_AT(c, "CRLDistributionPoints", "null");
    CHECK_AT(c, "Extensions.0", "{\"Id\":[2,5,29,15],\"Critical\":true,\"Value\":\"AwIFoA==\"}");
    rego_value inter = at(r.out, "1");
    CHECK_AT(inter, "IsCA", "true");
    CHECK_AT(inter, "MaxPathLen", "0");
    CHECK_AT(inter, "MaxPathLenZero", "true");
    CHECK_AT(inter, "KeyUsage", "97");
    CHECK_AT(inter, "CRLDistributionPoints", "[\"http://crl.identrust.com/DSTROOTCAX3CRL.crl\"]");
    CHECK_AT(at(r.out, "2"), "SignatureAlgorithm", "3");
}

/* Fields of the generated certificates: SANs of every kind, curves, Ed25519. */
static void test_cert_fields_generated(void)
{
    res r = call("crypto.x509.parse_certificates", S(RSA_CERT), rego_undef());
    rego_value c = at(r.out, "0");
    T_CHECKM(r.st == RP_OK, "%s", r.err.msg);
    CHECK_AT(c, "SerialNumber", "85968058272638546416180");
    CHECK_AT(c, "Subject.Country", "[\"DE\"]");
    CHECK_AT(c, "Subject.Organization", "[\"Rampart\"]");
    CHECK_AT(c, "Subject.CommonName", "\"rsa leaf\"");
    CHECK_AT(c, "NotBefore", "\"2020-01-01T00:00:00Z\"");
    CHECK_AT(c, "NotAfter", "\"2040-01-01T00:00:00Z\"");
    CHECK_AT(c, "DNSNames", "[\"test.example\",\"*.wild.example\"]");
    CHECK_AT(c, "IPAddresses", "[\"10.1.2.3\",\"2001:db8::1\"]");
    CHECK_AT(c, "EmailAddresses", "[\"ops@example.com\"]");
    CHECK_AT(c, "URIStrings", "[\"spiffe://cluster.local/ns/default/sa/web\"]");
    CHECK_AT(
        c, "URIs.0",
        "{\"Scheme\":\"spiffe\",\"Opaque\":\"\",\"User\":null,\"Host\":\"cluster.local\","
        "\"Path\":\"/ns/default/sa/web\",\"RawPath\":\"\",\"OmitHost\":false,\"ForceQuery\":false,"
        "\"RawQuery\":\"\",\"Fragment\":\"\",\"RawFragment\":\"\"}");
    CHECK_AT(c, "KeyUsage", "5");
    CHECK_AT(c, "ExtKeyUsage", "[1,2]");
    CHECK_AT(c, "SignatureAlgorithm", "4");

    r = call("crypto.x509.parse_certificates", S(EC_CERT), rego_undef());
    c = at(r.out, "0");
    CHECK_AT(c, "PublicKeyAlgorithm", "3");
    CHECK_AT(c, "SignatureAlgorithm", "10");
    CHECK_AT(c, "PublicKey.Curve", "{}");
    CHECK_AT(c, "KeyUsage", "0");
    CHECK_AT(c, "ExtKeyUsage", "null");
    T_CHECK(at(c, "PublicKey.X").kind == REGO_NUMBER);

    r = call("crypto.x509.parse_certificates", S(ED_CERT), rego_undef());
    c = at(r.out, "0");
    CHECK_AT(c, "PublicKeyAlgorithm", "4");
    CHECK_AT(c, "SignatureAlgorithm", "16");
    T_CHECK(at(c, "PublicKey").kind == REGO_STRING && at(c, "PublicKey").n == 44);

    r = call("crypto.x509.parse_certificates", S(CHAIN_INTER), rego_undef());
    c = at(r.out, "0");
    CHECK_AT(c, "IsCA", "true");
    CHECK_AT(c, "MaxPathLen", "0");
    CHECK_AT(c, "MaxPathLenZero", "true");
    CHECK_AT(c, "KeyUsage", "96");
}

static const struct {
    const char *in, *err;
} cert_errors[] = {
    {"YmFkc3RyaW5n", "crypto.x509.parse_certificates: x509: malformed certificate"},
    {"foobar", "crypto.x509.parse_certificates: illegal base64 data at input byte 4"},
    {"MAA=", "crypto.x509.parse_certificates: x509: malformed tbs certificate"},
    {"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n",
     "crypto.x509.parse_certificates: PEM block type is 'PUBLIC KEY', expected CERTIFICATE"},
};

static void test_cert_errors(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(cert_errors); i++) {
        res r = call("crypto.x509.parse_certificates", S(cert_errors[i].in), rego_undef());
        T_CHECKM(r.st == RP_ERR_EVAL && r.err.kind == RP_EK_EVAL_BUILTIN &&
                     !strcmp(r.err.msg, cert_errors[i].err),
                 "cert error #%zu: %s", i, r.err.msg);
    }
    res r = call("crypto.x509.parse_certificates", S(""), rego_undef());
    T_CHECK(r.st == RP_OK && r.out.kind == REGO_ARRAY && r.out.n == 0);
    r = call("crypto.x509.parse_certificates", rego_int(1), rego_undef());
    T_STREQ(r.err.msg, "crypto.x509.parse_certificates: operand 1 must be string but got number");
}

/* ---- verification ------------------------------------------------------------------------ */

static rego_value chain3(void)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, CHAIN_ROOT);
    rp_buf_puts(&b, CHAIN_INTER);
    rp_buf_puts(&b, CHAIN_LEAF);
    rego_value v = S(rp_buf_cstr(&b));
    rp_buf_free(&b);
    return v;
}

static const int64_t Y2030 = 1893456000LL * 1000000000LL;

static const struct {
    const char *opts; /* JSON object */
    bool ok;
    size_t len;
    const char *err;
} verify_cases[] = {
    {"{\"CurrentTime\": 1893456000000000000}", true, 3, NULL},
    {"{\"CurrentTime\": 2240611200000000000}", false, 0, NULL}, /* 2041: expired */
    {"{\"CurrentTime\": 1893456000000000000, \"DNSName\": \"svc.example.test\"}", true, 3, NULL},
    {"{\"CurrentTime\": 1893456000000000000, \"DNSName\": \"\\\"svc.example.test\\\"\"}", true, 3,
     NULL},
    {"{\"CurrentTime\": 1893456000000000000, \"DNSName\": \"other.example.test\"}", false, 0, NULL},
    {"{\"CurrentTime\": 1893456000000000000, \"KeyUsages\": [\"KeyUsageServerAuth\"]}", true, 3,
     NULL},
    {"{\"CurrentTime\": 1893456000000000000, \"KeyUsages\": [\"KeyUsageClientAuth\"]}", false, 0,
     NULL},
    {"{\"CurrentTime\": 1893456000000000000, \"KeyUsages\": [\"KeyUsageAny\"]}", true, 3, NULL},
    {"{\"CurrentTime\": 1893456000000000000, \"MaxConstraintComparisons\": 10}", true, 3, NULL},
    {"{\"KeyUsages\": [\"Foo\", 1, \"Bar\"]}", false, 0,
     "invalid entries for 'KeyUsages' found: [Foo Bar]"},
    {"{\"KeyUsages\": \"KeyUsageAny\"}", false, 0, "'KeyUsages' should be an Array or Set"},
    {"{\"DNSName\": 1}", false, 0, "'DNSName' should be a string"},
    {"{\"CurrentTime\": \"now\"}", false, 0, "'CurrentTime' should be a number"},
    {"{\"CurrentTime\": 1.5}", false, 0, "'CurrentTime' should be a valid int64 number"},
    {"{\"MaxConstraintComparisons\": \"x\"}", false, 0,
     "'MaxConstraintComparisons' should be a number"},
    {"{\"Roots\": []}", false, 0, "invalid key option"},
};

static void test_verify(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(verify_cases); i++) {
        res r = call("crypto.x509.parse_and_verify_certificates_with_options", chain3(),
                     J(verify_cases[i].opts));
        if (verify_cases[i].err) {
            char want[256];
            snprintf(want, sizeof(want),
                     "crypto.x509.parse_and_verify_certificates_with_options: %s",
                     verify_cases[i].err);
            T_CHECKM(r.st == RP_ERR_EVAL && !strcmp(r.err.msg, want), "verify #%zu: %s", i,
                     r.err.msg);
            continue;
        }
        T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(verify_cases[i].ok)) &&
                     at(r.out, "1").n == verify_cases[i].len,
                 "verify #%zu: %s %s", i, show(at(r.out, "0")), r.err.msg);
    }
    res r = call("crypto.x509.parse_and_verify_certificates_with_options", chain3(),
                 J("{\"CurrentTime\": 1893456000000000000}"));
    CHECK_AT(r.out, "1.0.Subject.CommonName", "\"svc.example.test\"");
    CHECK_AT(r.out, "1.2.Subject.CommonName", "\"Test Root\"");
    T_CHECK(at(r.out, "1.0.URIStrings").kind == REGO_UNDEF); /* only without options */

    /* without options: the query time (2030 here) and ServerAuth */
    r = call_in(A, Y2030, "crypto.x509.parse_and_verify_certificates", chain3(), rego_undef());
    T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(true)) && at(r.out, "1").n == 3,
             "%s", r.err.msg);
    CHECK_AT(r.out, "1.0.URIStrings", "null");
    r = call_in(A, 2240611200LL * 1000000000LL, "crypto.x509.parse_and_verify_certificates",
                chain3(), rego_undef());
    T_STREQ(show(r.out), "[false,[]]");
    /* wrong order, one certificate, garbage: false, never an error */
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, CHAIN_LEAF);
    rp_buf_puts(&b, CHAIN_INTER);
    rp_buf_puts(&b, CHAIN_ROOT);
    r = call_in(A, Y2030, "crypto.x509.parse_and_verify_certificates", S(rp_buf_cstr(&b)),
                rego_undef());
    rp_buf_free(&b);
    T_STREQ(show(r.out), "[false,[]]");
    r = call_in(A, Y2030, "crypto.x509.parse_and_verify_certificates", S(CHAIN_LEAF), rego_undef());
    T_STREQ(show(r.out), "[false,[]]");
    r = call_in(A, Y2030, "crypto.x509.parse_and_verify_certificates", S("foobar"), rego_undef());
    T_STREQ(show(r.out), "[false,[]]");
    /* bad certificates come before bad options */
    r = call("crypto.x509.parse_and_verify_certificates_with_options", S("foobar"),
             J("{\"Roots\": 1}"));
    T_STREQ(show(r.out), "[false,[]]");
    r = call("crypto.x509.parse_and_verify_certificates_with_options", chain3(), S("x"));
    T_STREQ(r.err.msg, "crypto.x509.parse_and_verify_certificates_with_options: operand 2 must be "
                       "object but got string");
}

/* Go verifies no SHA-1 signature (OpenSSL would accept this one). */
static void test_verify_sha1(void)
{
    static const struct {
        const char *leaf;
        bool ok;
    } cases[] = {{SHA1_LEAF, false}, {SHA256_LEAF, true}};
    for (size_t i = 0; i < RP_ARRAY_LEN(cases); i++) {
        rp_buf b;
        rp_buf_init(&b);
        rp_buf_puts(&b, SHA1_ROOT);
        rp_buf_puts(&b, cases[i].leaf);
        res r = call("crypto.x509.parse_and_verify_certificates_with_options", S(rp_buf_cstr(&b)),
                     J("{\"CurrentTime\": 1893456000000000000}"));
        rp_buf_free(&b);
        T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(cases[i].ok)),
                 "sha1 #%zu: %s", i, show(r.out));
    }
}

/* Let's Encrypt's 2020 chain, root first, at a time it was valid. */
static void test_verify_le(void)
{
    res p = call("crypto.x509.parse_certificates", le_chain(), rego_undef());
    rp_buf b;
    rp_buf_init(&b);
    for (int i = 2; i >= 0; i--) {
        rego_bytes raw;
        char err[REGO_JWK_ERRLEN];
        rego_value r64 = at(p.out, i == 2 ? "2.Raw" : i == 1 ? "1.Raw" : "0.Raw");
        rego_jwk_b64_decode(A, REGO_B64_STD, r64.u.s, r64.n, &raw, err);
        size_t n;
        rp_buf_puts(&b, "-----BEGIN CERTIFICATE-----\n");
        rp_buf_puts(&b, rego_jwk_b64_encode(A, REGO_B64_STD, raw.p, raw.n, &n));
        rp_buf_puts(&b, "\n-----END CERTIFICATE-----\n");
    }
    res r =
        call("crypto.x509.parse_and_verify_certificates_with_options", S(rp_buf_cstr(&b)),
             J("{\"CurrentTime\": 1596240000000000000, \"DNSName\": \"www.openpolicyagent.org\"}"));
    rp_buf_free(&b);
    T_CHECKM(r.st == RP_OK && rego_equal(at(r.out, "0"), rego_bool(true)), "LE verify: %s",
             show(at(r.out, "0")));
    CHECK_AT(r.out, "1.1.Subject.CommonName", "\"Let's Encrypt Authority X3\"");
}

/* ---- CSRs ------------------------------------------------------------------------------------ */

static void test_csr(void)
{
    static const char *const files[] = {
        "test-cryptox509parsecertificaterequest-0125.yaml",
        "test-cryptox509parsecertificaterequest-0127.yaml",
        "test-cryptox509parsecertificaterequest-0128.yaml",
        "test-cryptox509parsecertificaterequest-0129.yaml",
    };
    for (size_t f = 0; f < RP_ARRAY_LEN(files); f++) {
        rego_value c = at(yaml_cases("cryptox509parsecertificaterequest", files[f]), "0");
        res r = call("crypto.x509.parse_certificate_request",
                     S(nth_literal(at(c, "modules.0").u.s, 0)), rego_undef());
        rego_value want_err = at(c, "want_error");
        if (want_err.kind == REGO_STRING)
            T_CHECKM(r.st == RP_ERR_EVAL && contains(r.err.msg, want_err.u.s), "%s: %s", files[f],
                     r.err.msg);
        else
            T_CHECKM(r.st == RP_OK &&
                         rego_equal(at(r.out, "Subject.CommonName"), at(c, "want_result.0.x")),
                     "%s: %s", files[f], r.err.msg);
        if (f == 1) {
            CHECK_AT(r.out, "Version", "0");
            CHECK_AT(r.out, "PublicKeyAlgorithm", "1");
            CHECK_AT(r.out, "SignatureAlgorithm", "4");
            CHECK_AT(r.out, "Attributes", "null");
            CHECK_AT(r.out, "Extensions", "null");
            CHECK_AT(r.out, "Subject.Country", "[\"US\"]");
            CHECK_AT(r.out, "Subject.Locality", "[\" \"]");
        }
        if (f == 2)
            /* Go's full text is longer than an error message holds; its start: */
            T_CHECKM(contains(r.err.msg,
                              "crypto.x509.parse_certificate_request: asn1: structure error: tags "
                              "don't match (16 vs {class:1 tag:2 length:97 isCompound:true}) "
                              "{optional:false explicit:false application:false"),
                     "%s", r.err.msg);
    }
    res r = call("crypto.x509.parse_certificate_request", S(CSR_SAN), rego_undef());
    T_CHECKM(r.st == RP_OK, "CSR_SAN: %s", r.err.msg);
    CHECK_AT(r.out, "DNSNames", "[\"a.example\"]");
    CHECK_AT(r.out, "IPAddresses", "[\"192.0.2.7\"]");
    CHECK_AT(r.out, "Subject.Organization", "[\"Rampart\"]");
    CHECK_AT(r.out, "Extensions.0.Id", "[2,5,29,17]");
    CHECK_AT(r.out, "Attributes.0.Type", "[1,2,840,113549,1,9,14]");
    CHECK_AT(r.out, "Attributes.0.Value.0.0.Type", "[2,5,29,17]");
    T_CHECK(rego_equal(at(r.out, "Attributes.0.Value.0.0.Value"), at(r.out, "Extensions.0.Value")));
    CHECK_AT(r.out, "PublicKeyAlgorithm", "3");
    CHECK_AT(r.out, "SignatureAlgorithm", "10");
    r = call("crypto.x509.parse_certificate_request", S(EC_CERT), rego_undef());
    T_STREQ(r.err.msg,
            "crypto.x509.parse_certificate_request: illegal base64 data at input byte 0");
    size_t n;
    char *wrapped =
        rego_jwk_b64_encode(A, REGO_B64_STD, (const uint8_t *)EC_CERT, strlen(EC_CERT), &n);
    r = call("crypto.x509.parse_certificate_request", S(wrapped), rego_undef());
    T_STREQ(
        r.err.msg,
        "crypto.x509.parse_certificate_request: invalid PEM-encoded certificate signing request");
}

/* ---- private keys and key pairs ------------------------------------------------------------- */

static rego_value cert_field(const char *pem, const char *path)
{
    res r = call("crypto.x509.parse_certificates", S(pem), rego_undef());
    return at(at(r.out, "0"), path);
}

static void test_private_keys(void)
{
    res r = call("crypto.parse_private_keys", S(RSA_KEY_PKCS1), rego_undef());
    T_CHECKM(r.st == RP_OK && r.out.n == 1, "%s", r.err.msg);
    T_CHECK(rego_equal(at(r.out, "0.N"), cert_field(RSA_CERT, "PublicKey.N")));
    CHECK_AT(r.out, "0.E", "65537");
    CHECK_AT(r.out, "0.Precomputed.CRTValues", "[]");
    T_CHECK(at(r.out, "0.Primes").n == 2 && at(r.out, "0.D").kind == REGO_NUMBER);

    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, RSA_KEY_PKCS8);
    rp_buf_puts(&b, EC_CERT);
    rp_buf_puts(&b, EC_KEY_SEC1);
    rp_buf_puts(&b, ED_KEY_PKCS8);
    r = call("crypto.parse_private_keys", S(rp_buf_cstr(&b)), rego_undef());
    T_CHECKM(r.st == RP_OK && r.out.n == 3, "%s", r.err.msg);
    T_CHECK(rego_equal(at(r.out, "1.X"), cert_field(EC_CERT, "PublicKey.X")));
    CHECK_AT(r.out, "1.Curve", "{}");
    T_CHECK(at(r.out, "2").kind == REGO_STRING && at(r.out, "2").n == 88); /* 64 bytes */
    size_t n;
    char *wrapped = rego_jwk_b64_encode(A, REGO_B64_STD, (const uint8_t *)b.data, b.len, &n);
    rp_buf_free(&b);
    r = call("crypto.parse_private_keys", S(wrapped), rego_undef());
    T_CHECK(r.st == RP_OK && r.out.n == 3);
    r = call("crypto.parse_private_keys", S(""), rego_undef());
    T_STREQ(show(r.out), "null");
    r = call("crypto.parse_private_keys", S("nothing"), rego_undef());
    T_STREQ(show(r.out), "[]");
    r = call("crypto.parse_private_keys",
             S("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n"),
             rego_undef());
    T_CHECKM(r.st == RP_ERR_EVAL && r.err.kind == RP_EK_EVAL_BUILTIN, "%s", r.err.msg);

    static const struct {
        const char *pem, *jwk;
    } jwks[] = {
        {RSA_KEY_PKCS1, JWK_RSA_PRIV},
        {RSA_KEY_PKCS8, JWK_RSA_PRIV},
        {EC_KEY_SEC1, JWK_EC256_PRIV},
        {ED_KEY_PKCS8, JWK_ED_PRIV},
    };
    for (size_t i = 0; i < RP_ARRAY_LEN(jwks); i++) {
        r = call("crypto.x509.parse_rsa_private_key", S(jwks[i].pem), rego_undef());
        T_CHECKM(r.st == RP_OK && rego_equal(r.out, J(jwks[i].jwk)), "jwk #%zu: %s %s", i,
                 show(r.out), r.err.msg);
    }
    r = call("crypto.x509.parse_rsa_private_key", S(""), rego_undef());
    T_STREQ(r.err.msg, "crypto.x509.parse_rsa_private_key: input PEM data was empty");
    r = call("crypto.x509.parse_rsa_private_key", S("@@@@"), rego_undef());
    T_STREQ(r.err.msg, "crypto.x509.parse_rsa_private_key: illegal base64 data at input byte 0");
    r = call("crypto.x509.parse_rsa_private_key", S(EC_CERT), rego_undef());
    T_STREQ(show(r.out), "null");
}

static const struct {
    const char *cert, *key, *err; /* err NULL: success */
} keypair_cases[] = {
    {RSA_CERT, RSA_KEY_PKCS1, NULL},
    {RSA_CERT, RSA_KEY_PKCS8, NULL},
    {EC_CERT, EC_KEY_SEC1, NULL},
    {ED_CERT, ED_KEY_PKCS8, NULL},
    {RSA_CERT, EC_KEY_SEC1, "tls: private key type does not match public key type"},
    {EC_CERT, EC_KEY2_SEC1, "tls: private key does not match public key"},
    {RSA_KEY_PKCS1, RSA_CERT,
     "tls: failed to find certificate PEM data in certificate input, but did find a "
     "private key; PEM inputs may have been switched"},
    {RSA_CERT, EC_CERT,
     "tls: found a certificate rather than a key in the PEM for the private key"},
    {"-----BEGIN X-----\nYWJj\n-----END X-----\n-----BEGIN Y-----\nYWJj\n-----END Y-----\n",
     RSA_KEY_PKCS1,
     "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks "
     "of the "
     "following types: [X Y]"},
    {RSA_CERT, "-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n",
     "tls: failed to parse private key"},
};

static void test_keypair(void)
{
    for (size_t i = 0; i < RP_ARRAY_LEN(keypair_cases); i++) {
        res r =
            call("crypto.x509.parse_keypair", S(keypair_cases[i].cert), S(keypair_cases[i].key));
        if (!keypair_cases[i].err) {
            T_CHECKM(r.st == RP_OK, "keypair #%zu: %s", i, r.err.msg);
            continue;
        }
        char want[400];
        snprintf(want, sizeof(want), "crypto.x509.parse_keypair: %s", keypair_cases[i].err);
        T_CHECKM(r.st == RP_ERR_EVAL && !strcmp(r.err.msg, want), "keypair #%zu: %s", i, r.err.msg);
    }
    res r = call("crypto.x509.parse_keypair", S(RSA_CERT), S(RSA_KEY_PKCS1));
    CHECK_AT(r.out, "Leaf.Subject.CommonName", "\"rsa leaf\"");
    CHECK_AT(r.out, "SupportedSignatureAlgorithms", "null");
    CHECK_AT(r.out, "OCSPStaple", "null");
    T_CHECK(at(r.out, "Certificate").n == 1);
    T_CHECK(rego_equal(at(r.out, "PrivateKey.N"), at(r.out, "Leaf.PublicKey.N")));
    /* base64-wrapped PEM */
    size_t n1, n2;
    char *c64 =
        rego_jwk_b64_encode(A, REGO_B64_STD, (const uint8_t *)EC_CERT, strlen(EC_CERT), &n1);
    char *k64 = rego_jwk_b64_encode(A, REGO_B64_STD, (const uint8_t *)EC_KEY_SEC1,
                                    strlen(EC_KEY_SEC1), &n2);
    r = call("crypto.x509.parse_keypair", S(c64), S(k64));
    T_CHECKM(r.st == RP_OK, "%s", r.err.msg);
    r = call("crypto.x509.parse_keypair", S(RSA_CERT), rego_int(1));
    T_STREQ(r.err.msg, "crypto.x509.parse_keypair: operand 1 must be string but got number");
}

/* ---- limits and out-of-memory --------------------------------------------------------------- */

static void test_limits(void)
{
    /* the certificate count limit, at the limit and one past it */
    res one = call("crypto.x509.parse_certificates", S(EC_CERT), rego_undef());
    rego_value raw = at(one.out, "0.Raw");
    rego_bytes der;
    char err[REGO_JWK_ERRLEN];
    rego_jwk_b64_decode(A, REGO_B64_STD, raw.u.s, raw.n, &der, err);
    for (int extra = 0; extra < 2; extra++) {
        size_t count = REGO_CRYPTO_MAX_CERTS + (size_t)extra, n;
        uint8_t *all = malloc(der.n * count);
        for (size_t i = 0; i < count; i++)
            memcpy(all + i * der.n, der.p, der.n);
        rp_arena *a = rp_arena_new(0);
        char *b64 = rego_jwk_b64_encode(a, REGO_B64_STD, all, der.n * count, &n);
        res r =
            call_in(a, 0, "crypto.x509.parse_certificates", rego_str_borrow(b64, n), rego_undef());
        if (extra)
            T_CHECKM(r.st == RP_ERR_EVAL &&
                         contains(r.err.msg, "x509: more than 1024 certificates"),
                     "%s", r.err.msg);
        else
            T_CHECKM(r.st == RP_OK && r.out.n == count, "%s", r.err.msg);
        rp_arena_free(a);
        free(all);
    }
    /* the input size limit */
    size_t big = REGO_CRYPTO_MAX_INPUT_BYTES + 1;
    char *s = malloc(big + 1);
    memset(s, 'A', big);
    s[big] = 0;
    res r = call("crypto.x509.parse_certificates", rego_str_borrow(s, big), rego_undef());
    T_CHECKM(r.st == RP_ERR_EVAL && contains(r.err.msg, "larger than the limit of 4194304 bytes"),
             "%s", r.err.msg);
    r = call("crypto.x509.parse_certificates", rego_str_borrow(s, big - 1 - (big - 1) % 4),
             rego_undef());
    T_CHECKM(r.st == RP_ERR_EVAL && contains(r.err.msg, "x509: malformed certificate"), "%s",
             r.err.msg);
    free(s);
}

/* Every arena budget gives a result or a clean out-of-memory error. */
static void test_budgets(void)
{
    static const char *const fns[] = {"crypto.x509.parse_certificates", "crypto.x509.parse_keypair",
                                      "crypto.x509.parse_certificate_request",
                                      "crypto.parse_private_keys"};
    const char *inputs[][2] = {
        {RSA_CERT, NULL}, {RSA_CERT, RSA_KEY_PKCS1}, {CSR_SAN, NULL}, {ED_KEY_PKCS8, NULL}};
    for (size_t f = 0; f < RP_ARRAY_LEN(fns); f++) {
        int ok = 0, nomem = 0, other = 0;
        for (size_t budget = 64; budget < (1u << 20); budget += budget / 8) {
            rp_arena *a = rp_arena_new(budget);
            rego_value x = rego_str_borrow(inputs[f][0], strlen(inputs[f][0]));
            rego_value y =
                inputs[f][1] ? rego_str_borrow(inputs[f][1], strlen(inputs[f][1])) : rego_undef();
            res r = call_in(a, 0, fns[f], x, y);
            ok += r.st == RP_OK;
            nomem += r.st == RP_ERR_NOMEM;
            other += r.st != RP_OK && r.st != RP_ERR_NOMEM;
            if (r.st != RP_OK && r.st != RP_ERR_NOMEM)
                fprintf(stderr, "budget %zu %s: %s\n", budget, fns[f], r.err.msg);
            rp_arena_free(a);
        }
        T_CHECKM(ok > 0 && nomem > 0 && other == 0, "%s: ok %d nomem %d other %d", fns[f], ok,
                 nomem, other);
    }
}

int main(void)
{
    A = rp_arena_new(0);
    test_digests();
    test_digest_conformance();
    test_base64();
    test_pem();
    test_json_messages();
    test_cert_conformance();
    test_cert_fields_le();
    test_cert_fields_generated();
    test_cert_errors();
    test_verify();
    test_verify_le();
    test_verify_sha1();
    test_csr();
    test_private_keys();
    test_keypair();
    test_limits();
    test_budgets();
    rp_arena_free(A);
    return T_DONE();
}
