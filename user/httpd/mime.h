/* Content-Type from a file name's extension. */
#ifndef HTTPD_MIME_H
#define HTTPD_MIME_H

#include <stddef.h>

/* The media type for path (len bytes); application/octet-stream when the
 * extension is unknown. Text types carry charset=utf-8. */
const char *mime_type(const char *path, size_t len);

#endif
