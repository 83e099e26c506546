/*
 * loader.h — loads policies and data from files and directories the way
 * `opa eval -d` does: .rego files become modules, .json/.yaml/.yml files are
 * merged into data at the path of their directory relative to the root that
 * was given (a file given directly merges at the root).
 */
#ifndef RAMPART_CLI_LOADER_H
#define RAMPART_CLI_LOADER_H

#include "rego/engine.h"

typedef struct {
    rego_version version; /* for .rego files */
    size_t nmodules;      /* counters, updated as files load */
    size_t ndata;
} rp_loader;

/* Loads one path (file or directory, recursively, in name order). */
rp_status rp_load_path(rego_policy *p, rp_loader *l, const char *path, rp_error *err);

/* Reads a JSON or YAML document (by extension; JSON otherwise) into a. */
rp_status rp_load_document(rp_arena *a, const char *path, rego_value *out, rp_error *err);

/* Runs fn(arg) on a thread with a large stack (deep policies recurse). */
int rp_run_big_stack(void *(*fn)(void *), void *arg);

#endif
