# The "strings" builtin group: string builtins, sprintf and render_template.
LIB_SRCS += src/rego/builtins/strings.c src/rego/builtins/sprintf.c
LIB_SRCS += src/rego/builtins/render_template.c
TESTS    += test_bi_strings
