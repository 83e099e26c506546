/*
 * curl_dl.h — libcurl, loaded on first use.
 *
 * Linking libcurl directly makes every rampart process load it and its ~30
 * dependencies (GnuTLS, Kerberos, LDAP, ...) at start-up, which dominated
 * the start-up time of `rampart eval` although most policies never send
 * HTTP.  Instead http.send loads libcurl.so.4 with dlopen the first time it
 * runs.  Include this after <curl/curl.h> (for the types and constants): the
 * macros below route the curl_* calls through the loaded functions.
 */
#ifndef RAMPART_REGO_CURL_DL_H
#define RAMPART_REGO_CURL_DL_H

#include <curl/curl.h>

typedef struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *c);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
} rp_curl_api;

/* The loaded API with curl_global_init done, or NULL when libcurl cannot be
 * loaded (then *why says why).  Thread-safe; loads once per process. */
const rp_curl_api *rp_curl_load(const char **why);

/* Valid only after rp_curl_load returned non-NULL. */
const rp_curl_api *rp_curl(void);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init() (rp_curl()->easy_init())
#define curl_easy_setopt(c, ...) (rp_curl()->easy_setopt((c), __VA_ARGS__))
#define curl_easy_getinfo(c, ...) (rp_curl()->easy_getinfo((c), __VA_ARGS__))
#define curl_easy_perform(c) (rp_curl()->easy_perform(c))
#define curl_easy_cleanup(c) (rp_curl()->easy_cleanup(c))
#define curl_easy_strerror(code) (rp_curl()->easy_strerror(code))
#define curl_slist_append(l, s) (rp_curl()->slist_append((l), (s)))
#define curl_slist_free_all(l) (rp_curl()->slist_free_all(l))

#endif
