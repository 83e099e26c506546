# Builtin group "graphql": the GraphQL parser and validator (gqlparser's
# behaviour, as OPA vendors it) and graphql.* builtins.
LIB_SRCS += src/rego/graphql_parse.c src/rego/graphql_validate.c src/rego/builtins/graphql.c
TESTS    += test_bi_graphql
FUZZERS  += fuzz_graphql
