#ifndef WUKONG_CCURL_SHIM_H
#define WUKONG_CCURL_SHIM_H
#include <curl/curl.h>
#include <string.h>

/* libcurl's curl_easy_setopt / curl_easy_getinfo are variadic, which Swift cannot call.
   These typed wrappers are the only way WukongApply talks to them. */

typedef size_t (*wk_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode wk_curl_setopt_long(CURL *h, CURLoption opt, long value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_str(CURL *h, CURLoption opt, const char *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_ptr(CURL *h, CURLoption opt, void *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode wk_curl_setopt_callback(CURL *h, CURLoption opt, wk_curl_data_cb cb) {
    return curl_easy_setopt(h, opt, cb);
}
static inline CURLcode wk_curl_setopt_off(CURL *h, CURLoption opt, curl_off_t value) {
    return curl_easy_setopt(h, opt, value);
}
/* Copies the bytes (CURL_BLOB_COPY), so the caller's buffer may go away afterwards. */
static inline CURLcode wk_curl_setopt_blob(CURL *h, CURLoption opt, const void *data, size_t len) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = len;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(h, opt, &blob);
}
static inline CURLcode wk_curl_getinfo_long(CURL *h, CURLINFO info, long *out) {
    return curl_easy_getinfo(h, info, out);
}
static inline CURLcode wk_curl_getinfo_double(CURL *h, CURLINFO info, double *out) {
    return curl_easy_getinfo(h, info, out);
}

/* Option and info constants re-exported as plain values (the enum members import fine, but
   a few are macros in older headers). */
static inline long wk_curl_version_num(void) { return (long)LIBCURL_VERSION_NUM; }

#endif
