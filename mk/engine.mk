# The Rego compiler, evaluator and public API.
LIB_SRCS += src/rego/compile.c src/rego/eval.c src/rego/api.c
TESTS    += test_api test_eval
FUZZERS  += fuzz_eval

# The engine as its own static library: base + src/rego only (no agent, no
# CLI), for embedders of include/rampart/rego.h.
ENGINE_OBJS = $(patsubst %.c,build/plain/%.o,$(filter src/base/% src/rego/%,$(LIB_SRCS))) \
              $(patsubst %.cc,build/plain/%.o,$(filter src/rego/%,$(LIB_CXX)))
build/plain/librampart_rego.a: $(ENGINE_OBJS)
	rm -f $@ && ar rcs $@ $^
all: build/plain/librampart_rego.a
