#include "httpd/docroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int docroot_init(struct docroot *root, const char *path)
{
	if (!realpath(path, root->path))
		return -errno;
	root->dirfd = open(root->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root->dirfd < 0 ? -errno : 0;
}

void docroot_fini(struct docroot *root) { close(root->dirfd); }

int docroot_check(const char *path, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *slash;
		size_t seg_len;

		while (i < len && path[i] == '/')
			i++;
		slash = memchr(path + i, '/', len - i);
		seg_len = slash ? (size_t)(slash - (path + i)) : len - i;
		if ((seg_len == 1 && path[i] == '.') ||
		    (seg_len == 2 && path[i] == '.' && path[i + 1] == '.'))
			return -EINVAL;
		if (seg_len > 0 && path[i] == '.')
			return -ENOENT;
		i += seg_len;
	}
	return 0;
}

/* openat2's RESOLVE_BENEATH makes the kernel refuse any resolution that
 * leaves the root, through "..", absolute symlinks or symlinks to "..",
 * with no window between checking and opening. */
int docroot_open(const struct docroot *root, const char *path, struct stat *st)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path + strspn(path, "/");
	int fd = (int)syscall(SYS_openat2, root->dirfd, *rel ? rel : ".", &how, sizeof(how));
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		err = -errno;
	else if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		err = -EACCES;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}
