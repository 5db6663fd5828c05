#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
#include <curl/curl.h>

/// The write and header callbacks, as a named type Swift can convert a closure to.
typedef size_t (*ccurl_data_cb)(char *, size_t, size_t, void *);

/// curl_easy_setopt is variadic and cannot be called from Swift.
static inline CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
/// curl_easy_setopt is variadic and cannot be called from Swift.
static inline CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
/// curl_easy_setopt is variadic and cannot be called from Swift.
static inline CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
/// curl_easy_setopt is variadic and cannot be called from Swift.
static inline CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
/// curl_easy_setopt is variadic and cannot be called from Swift.
static inline CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
/// curl_easy_setopt is variadic and cannot be called from Swift.
static inline CURLcode ccurl_setopt_data_function(CURL *h, CURLoption o, ccurl_data_cb cb) { return curl_easy_setopt(h, o, cb); }
/// curl_easy_getinfo is variadic and cannot be called from Swift.
static inline CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
/// curl_easy_getinfo is variadic and cannot be called from Swift.
static inline CURLcode ccurl_getinfo_string(CURL *h, CURLINFO i, char **out) { return curl_easy_getinfo(h, i, out); }
/// curl_easy_getinfo is variadic and cannot be called from Swift.
static inline CURLcode ccurl_getinfo_double(CURL *h, CURLINFO i, double *out) { return curl_easy_getinfo(h, i, out); }

#endif
