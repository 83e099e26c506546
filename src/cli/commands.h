/*
 * commands.h — the `rampart` subcommands.  Each command lives in its own file
 * (src/cli/cmd_<name>.c or its part's directory) and is listed once in the
 * table in main.c.  A command returns the process exit code and handles its
 * own --help.
 */
#ifndef RAMPART_CLI_COMMANDS_H
#define RAMPART_CLI_COMMANDS_H

typedef int (*rp_command_fn)(int argc, char **argv); /* argv[0] is the command name */

int cmd_eval(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_capabilities(int argc, char **argv);

#endif
