# Builtin groups core (comparison, arithmetic, bits, ranges, membership),
# aggregates (count, sum, ..., set operators) and types (is_*, to_number, casts).
LIB_SRCS += src/rego/builtins/core.c src/rego/builtins/aggregates.c src/rego/builtins/types.c
LIB_SRCS += src/rego/builtins/template.c  # internal.template_string (template strings)
TESTS    += test_bi_core
