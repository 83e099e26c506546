/*
 * main.c — `rampart <command>`: dispatches to the command implementations.
 */
#include <stdio.h>
#include <string.h>

static int usage(FILE *f)
{
    fprintf(f, "usage: rampart <command> [options]\n\n"
               "commands:\n"
               "  eval     evaluate a Rego query (like opa eval)\n"
               "  help     show this help\n");
    return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage(stdout);
    fprintf(stderr, "rampart: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
