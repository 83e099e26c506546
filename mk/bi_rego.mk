# Builtin group "rego" (rego.parse_module, opa.runtime, trace), the module
# to OPA JSON AST conversion (src/rego/ast_json.c), `rampart capabilities`,
# and the builtin coverage table docs/builtins.md.
LIB_SRCS += src/rego/ast_json.c src/rego/builtins/rego.c
CLI_SRCS += src/cli/cmd_capabilities.c
TESTS    += test_bi_rego

# opa.runtime() reports the commit rampart was built from (read when
# rego.o is compiled; a later commit alone does not rebuild it).
RAMPART_COMMIT := $(or $(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)
$(foreach v,plain san fuzz,build/$(v)/src/rego/builtins/rego.o): \
  CSTD += -DRAMPART_COMMIT='"$(RAMPART_COMMIT)"'

# docs/builtins.md: every builtin of OPA's list (tools/opa_builtins.txt,
# from OPA's capabilities file) marked implemented or not, by category, from
# the registry of the binary just built.  Committed; rerun after adding builtins.
.PHONY: builtins-table
builtins-table: bin/rampart tools/opa_builtins.txt
	bin/rampart capabilities --table tools/opa_builtins.txt > docs/builtins.md.tmp
	mv docs/builtins.md.tmp docs/builtins.md
