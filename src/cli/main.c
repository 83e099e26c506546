/*
 * main.c — `rampart <command>`: dispatches to the command implementations
 * listed in the table below.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* Commands whose part is not built yet are weak and show up as missing. */
#pragma weak cmd_eval
#pragma weak cmd_agent
#pragma weak cmd_capabilities

static const struct {
    const char *name;
    rp_command_fn fn;
    const char *help;
} commands[] = {
    {"eval", cmd_eval, "evaluate a Rego query (flags as opa eval)"},
    {"agent", cmd_agent, "run the eBPF node agent (sensors, attribution, events)"},
    {"capabilities", cmd_capabilities, "list the builtins rampart implements (as OPA's capabilities)"},
};

static int usage(FILE *f)
{
    fprintf(f, "usage: rampart <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].fn)
            fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRun 'rampart <command> --help' for a command's options.\n");
    return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage(stdout);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name) && commands[i].fn)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "rampart: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
