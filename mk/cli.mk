# The rampart command-line tool.
CLI_SRCS += src/cli/main.c src/cli/cmd_eval.c
TESTS    += test_cli
LIB_SRCS += src/cli/loader.c
