#ifndef MICRO_CCURL_SHIM_H
#define MICRO_CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions; these typed wrappers forward to them.

static inline CURLcode micro_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode micro_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode micro_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode micro_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode micro_curl_easy_setopt_write_callback(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode micro_curl_easy_setopt_header_callback(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode micro_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode micro_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode micro_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode micro_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// Resumes a transfer paused by returning CURL_WRITEFUNC_PAUSE (CURLPAUSE_CONT is a macro expression).
static inline CURLcode micro_curl_easy_unpause(CURL *handle) {
    return curl_easy_pause(handle, CURLPAUSE_CONT);
}

// The write callback's "pause this transfer" return value.
static inline size_t micro_curl_writefunc_pause(void) {
    return CURL_WRITEFUNC_PAUSE;
}

// CURLVERSION_NOW is a macro aliasing an enum constant, which Swift does not import.
static inline curl_version_info_data *micro_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
