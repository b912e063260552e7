#ifndef WUKONG_CCURL_SHIM_H
#define WUKONG_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* libcurl is opened on first use (dlopen), not linked: loading it and the ~30 libraries it
   pulls in (TLS, Kerberos, LDAP, …) cost every `wukongc check` several milliseconds of
   start-up although only `apply`/`diff` talk HTTP. curl.h is used for its types only; the
   functions are reached through `wk_curl()`. When libcurl cannot be loaded, `wk_curl_global_init`
   fails and `wk_curl_easy_init` returns NULL (the caller reports that).

   libcurl's curl_easy_setopt / curl_easy_getinfo are variadic, which Swift cannot call:
   the typed wrappers below are the only way WukongApply talks to them. */

typedef size_t (*wk_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

struct wk_curl_api {
    int loaded;
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};

/* One table per object file that uses these (the functions are static inline, and Swift
   imports a header's functions but not its global variables, hence the function-local
   statics); each is filled once. dlopen of an already-loaded library returns the same handle. */
static inline struct wk_curl_api *wk_curl_api_table(void) {
    static struct wk_curl_api table;
    return &table;
}

static inline void wk_curl_api_load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    struct wk_curl_api *a = wk_curl_api_table();
    *(void **)&a->global_init = dlsym(lib, "curl_global_init");
    *(void **)&a->easy_init = dlsym(lib, "curl_easy_init");
    *(void **)&a->easy_cleanup = dlsym(lib, "curl_easy_cleanup");
    *(void **)&a->easy_reset = dlsym(lib, "curl_easy_reset");
    *(void **)&a->easy_perform = dlsym(lib, "curl_easy_perform");
    *(void **)&a->easy_strerror = dlsym(lib, "curl_easy_strerror");
    *(void **)&a->easy_setopt = dlsym(lib, "curl_easy_setopt");
    *(void **)&a->easy_getinfo = dlsym(lib, "curl_easy_getinfo");
    *(void **)&a->slist_append = dlsym(lib, "curl_slist_append");
    *(void **)&a->slist_free_all = dlsym(lib, "curl_slist_free_all");
    a->loaded = a->global_init && a->easy_init && a->easy_cleanup && a->easy_reset && a->easy_perform
        && a->easy_strerror && a->easy_setopt && a->easy_getinfo && a->slist_append && a->slist_free_all;
}

static inline const struct wk_curl_api *wk_curl(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, wk_curl_api_load);
    return wk_curl_api_table();
}

/* Until libcurl is loaded, nothing else is reached: global_init fails and easy_init yields NULL. */
static inline CURLcode wk_curl_global_init(long flags) {
    const struct wk_curl_api *a = wk_curl();
    return a->loaded ? a->global_init(flags) : CURLE_FAILED_INIT;
}
static inline CURL *wk_curl_easy_init(void) {
    const struct wk_curl_api *a = wk_curl();
    return a->loaded ? a->easy_init() : NULL;
}
static inline void wk_curl_easy_cleanup(CURL *h) { wk_curl()->easy_cleanup(h); }
static inline void wk_curl_easy_reset(CURL *h) { wk_curl()->easy_reset(h); }
static inline CURLcode wk_curl_easy_perform(CURL *h) { return wk_curl()->easy_perform(h); }
static inline const char *wk_curl_easy_strerror(CURLcode code) {
    const struct wk_curl_api *a = wk_curl();
    return a->loaded ? a->easy_strerror(code) : "libcurl is not available";
}
static inline struct curl_slist *wk_curl_slist_append(struct curl_slist *list, const char *s) {
    return wk_curl()->slist_append(list, s);
}
static inline void wk_curl_slist_free_all(struct curl_slist *list) {
    if (list) wk_curl()->slist_free_all(list);
}

static inline CURLcode wk_curl_setopt_long(CURL *h, CURLoption opt, long value) {
    return wk_curl()->easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_str(CURL *h, CURLoption opt, const char *value) {
    return wk_curl()->easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_ptr(CURL *h, CURLoption opt, void *value) {
    return wk_curl()->easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *value) {
    return wk_curl()->easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_callback(CURL *h, CURLoption opt, wk_curl_data_cb cb) {
    return wk_curl()->easy_setopt(h, opt, cb);
}
static inline CURLcode wk_curl_setopt_off(CURL *h, CURLoption opt, curl_off_t value) {
    return wk_curl()->easy_setopt(h, opt, value);
}
/* Copies the bytes (CURL_BLOB_COPY), so the caller's buffer may go away afterwards. */
static inline CURLcode wk_curl_setopt_blob(CURL *h, CURLoption opt, const void *data, size_t len) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = len;
    blob.flags = CURL_BLOB_COPY;
    return wk_curl()->easy_setopt(h, opt, &blob);
}
static inline CURLcode wk_curl_getinfo_long(CURL *h, CURLINFO info, long *out) {
    return wk_curl()->easy_getinfo(h, info, out);
}
static inline CURLcode wk_curl_getinfo_double(CURL *h, CURLINFO info, double *out) {
    return wk_curl()->easy_getinfo(h, info, out);
}

/* Option and info constants re-exported as plain values (the enum members import fine, but
   a few are macros in older headers). */
static inline long wk_curl_version_num(void) { return (long)LIBCURL_VERSION_NUM; }

#endif
