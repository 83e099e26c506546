# Builtin groups "collections" and "encoding".
LIB_SRCS += src/rego/builtins/collections.c src/rego/builtins/encoding.c
TESTS    += test_bi_collections test_bi_encoding
FUZZERS  += fuzz_jsonpatch
FUZZERS  += fuzz_urlquery
