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
    /* set by rp_load_bundle while it loads */
    bool bundle;          /* only data.json/.yaml/.yml are data; paths checked against roots */
    rego_value roots;     /* the manifest's roots: ARRAY of "a/b" strings ("" = all) */
    const char *bundle_dir;
} rp_loader;

/* Loads one path (file or directory, recursively, in name order). */
rp_status rp_load_path(rego_policy *p, rp_loader *l, const char *path, rp_error *err);

/* Loads a bundle directory as `opa eval -b` does: .rego files are modules,
 * only files named data.json, data.yaml or data.yml are data (at their
 * directory's path), and when a .manifest names "roots", every package
 * and data path must lie under one of them.  Archives are refused. */
rp_status rp_load_bundle(rego_policy *p, rp_loader *l, const char *dir, rp_error *err);

/* Reads a JSON or YAML document (by extension; JSON otherwise) into a. */
rp_status rp_load_document(rp_arena *a, const char *path, rego_value *out, rp_error *err);

/* Runs fn(arg) on a thread with a large stack (deep policies recurse). */
int rp_run_big_stack(void *(*fn)(void *), void *arg);

#endif
