#ifndef WUKONG_CCURL_SHIM_H
#define WUKONG_CCURL_SHIM_H
#include <curl/curl.h>
#endif
