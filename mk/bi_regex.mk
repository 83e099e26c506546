# Regex and glob builtins over RE2 (re2_shim.cc), their tests and fuzzer.
LIB_SRCS += src/rego/builtins/regex.c src/rego/builtins/glob.c
LIB_CXX  += src/rego/re2_shim.cc
TESTS    += test_bi_regex test_bi_glob
FUZZERS  += fuzz_regex
