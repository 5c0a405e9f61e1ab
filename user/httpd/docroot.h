/* Safe path resolution: nothing outside the document root is ever opened. */
#ifndef HTTPD_DOCROOT_H
#define HTTPD_DOCROOT_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

struct docroot {
	int dirfd;
	char path[PATH_MAX]; /* canonical, for the startup message */
};

int docroot_init(struct docroot *root, const char *path);
void docroot_fini(struct docroot *root);

/* Checks a decoded URL path: 0, -EINVAL for "." or ".." segments, -ENOENT
 * for hidden names (a segment starting with "."), which are never served. */
int docroot_check(const char *path, size_t len);

/* Opens a checked path (NUL-terminated, starting with "/") beneath the
 * root: a regular file or a directory, with its stat. Returns the fd or
 * -errno; symlinks may be followed only while they stay inside. */
int docroot_open(const struct docroot *root, const char *path, struct stat *st);

#endif
