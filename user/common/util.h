/* Small definitions both programs share. */
#ifndef TL_COMMON_UTIL_H
#define TL_COMMON_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL

#endif
