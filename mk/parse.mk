# The Rego lexer, parser and AST printer (src/rego/lex.c, parse.c, ast_write.c).
LIB_SRCS += src/rego/lex.c src/rego/parse.c src/rego/ast_write.c
TESTS    += test_parse
FUZZERS  += fuzz_rego
