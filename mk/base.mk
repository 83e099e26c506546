# Shared basics and the Rego value core.
LIB_SRCS += src/base/rp.c src/rego/value.c src/rego/builtins.c
TESTS    += test_value
