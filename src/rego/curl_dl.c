/*
 * curl_dl.c — loads libcurl.so.4 on first use (see curl_dl.h).
 *
 * Global state: the loaded function table and the outcome of the one load,
 * written once under pthread_once and read-only afterwards.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

/* curl_dl.h redefines the curl_* names as macros; this file needs the real
 * declarations only for the types. */
#include <curl/curl.h>

#include "curl_dl.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static rp_curl_api api;
static const rp_curl_api *loaded;
static const char *load_error = "libcurl not loaded";

#define SYM(field, name)                                   \
    do {                                                   \
        *(void **)&api.field = dlsym(h, name);             \
        if (!api.field) {                                  \
            load_error = "libcurl.so.4 lacks " name;       \
            return;                                        \
        }                                                  \
    } while (0)

static void load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        load_error = "cannot load libcurl.so.4 (install libcurl4)";
        return;
    }
    SYM(global_init, "curl_global_init");
    SYM(easy_init, "curl_easy_init");
    SYM(easy_setopt, "curl_easy_setopt");
    SYM(easy_getinfo, "curl_easy_getinfo");
    SYM(easy_perform, "curl_easy_perform");
    SYM(easy_cleanup, "curl_easy_cleanup");
    SYM(easy_strerror, "curl_easy_strerror");
    SYM(slist_append, "curl_slist_append");
    SYM(slist_free_all, "curl_slist_free_all");
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        load_error = "curl_global_init failed";
        return;
    }
    loaded = &api; /* never unloaded: handles may live in caches */
}

const rp_curl_api *rp_curl_load(const char **why)
{
    pthread_once(&once, load);
    if (!loaded && why)
        *why = load_error;
    return loaded;
}

const rp_curl_api *rp_curl(void) { return loaded; }
