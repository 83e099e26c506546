# Builtin groups time (time.*, over the system tz database), net (net.cidr_*,
# net.lookup_ip_addr), semver, units, uuid and misc (rand.intn); tests and
# the libFuzzer harnesses over their parsers.
LIB_SRCS += src/rego/builtins/time.c src/rego/builtins/net.c src/rego/builtins/semver.c \
            src/rego/builtins/units.c src/rego/builtins/uuid.c src/rego/builtins/misc.c
TESTS    += test_bi_time test_bi_net test_bi_misc
FUZZERS  += fuzz_net fuzz_units
