# crypto.*, crypto.x509.* and io.jwt.* builtins over OpenSSL 3 (jwk.c is
# their shared Go-compatible parsing and key handling).
LIB_SRCS += src/rego/builtins/jwk.c src/rego/builtins/crypto.c src/rego/builtins/jwt.c
TESTS    += test_bi_crypto test_bi_jwt
FUZZERS  += fuzz_jwt fuzz_x509
