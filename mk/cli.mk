# The rampart command-line tool.
CLI_SRCS += src/cli/main.c
