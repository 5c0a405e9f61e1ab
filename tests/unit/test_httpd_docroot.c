/* Path safety: the pure segment check, then openat2 confinement on a real
 * temporary tree with symlinks pointing inside and outside. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd/docroot.h"
#include "unit.h"

static const struct {
	int line;
	const char *desc;
	const char *path;
	int want;
} check_rows[] = {
    {__LINE__, "root", "/", 0},
    {__LINE__, "file", "/index.html", 0},
    {__LINE__, "nested", "/a/b/c.txt", 0},
    {__LINE__, "doubled slashes", "//a//b", 0},
    {__LINE__, "dots inside names", "/a..b/c.d", 0},
    {__LINE__, "dot-dot segment", "/../etc/passwd", -EINVAL},
    {__LINE__, "dot-dot in the middle", "/a/../../b", -EINVAL},
    {__LINE__, "trailing dot-dot", "/a/..", -EINVAL},
    {__LINE__, "dot segment", "/./a", -EINVAL},
    {__LINE__, "hidden file", "/.htpasswd", -ENOENT},
    {__LINE__, "hidden directory", "/.git/config", -ENOENT},
    {__LINE__, "hidden name deeper", "/a/.env", -ENOENT},
};

static void check_segments(void)
{
	for (size_t i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		int got = docroot_check(check_rows[i].path, strlen(check_rows[i].path));

		UNIT_CHECK_AT(check_rows[i].line, got == check_rows[i].want, "check %s: %d",
			      check_rows[i].desc, got);
	}
}

/* tmp/root/{f.txt, sub/g.txt, in -> f.txt, up -> ../secret, abs -> /etc/passwd,
 * dirlink -> sub, fifo}, tmp/secret */
static int make_tree(const char *tmp)
{
	char p[512];
	int err = 0;

	snprintf(p, sizeof(p), "%s/root", tmp);
	err |= mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/root/sub", tmp);
	err |= mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/root/f.txt", tmp);
	err |= close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/root/sub/g.txt", tmp);
	err |= close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/secret", tmp);
	err |= close(open(p, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof(p), "%s/root/in", tmp);
	err |= symlink("f.txt", p);
	snprintf(p, sizeof(p), "%s/root/up", tmp);
	err |= symlink("../secret", p);
	snprintf(p, sizeof(p), "%s/root/abs", tmp);
	err |= symlink("/etc/passwd", p);
	snprintf(p, sizeof(p), "%s/root/dirlink", tmp);
	err |= symlink("sub", p);
	snprintf(p, sizeof(p), "%s/root/fifo", tmp);
	err |= mkfifo(p, 0644);
	return err;
}

static const struct {
	int line;
	const char *desc;
	const char *path;
	int want; /* 0: opened (regular or directory) */
} open_rows[] = {
    {__LINE__, "regular file", "/f.txt", 0},
    {__LINE__, "the root itself", "/", 0},
    {__LINE__, "nested file", "/sub/g.txt", 0},
    {__LINE__, "symlink that stays inside", "/in", 0},
    {__LINE__, "through a directory symlink inside", "/dirlink/g.txt", 0},
    {__LINE__, "missing", "/nope", -ENOENT},
    {__LINE__, "file used as a directory", "/f.txt/x", -ENOTDIR},
    {__LINE__, "relative symlink out", "/up", -EXDEV},
    {__LINE__, "absolute symlink out", "/abs", -EXDEV},
    {__LINE__, "dot-dot reaching out (should the check be bypassed)", "/../secret", -EXDEV},
    {__LINE__, "fifo is not served (and does not block)", "/fifo", -EACCES},
};

static void check_open(const char *tmp)
{
	struct docroot root;
	char p[512];

	snprintf(p, sizeof(p), "%s/root", tmp);
	UNIT_CHECK(docroot_init(&root, p) == 0, "docroot_init on a directory");
	for (size_t i = 0; i < sizeof(open_rows) / sizeof(open_rows[0]); i++) {
		struct stat st;
		int fd = docroot_open(&root, open_rows[i].path, &st);
		int got = fd >= 0 ? 0 : fd;

		UNIT_CHECK_AT(open_rows[i].line, got == open_rows[i].want, "open %s: %d",
			      open_rows[i].desc, got);
		if (fd >= 0)
			close(fd);
	}
	docroot_fini(&root);
	UNIT_CHECK(docroot_init(&root, "/nonexistent/docroot") == -ENOENT,
		   "docroot_init on a missing directory");
}

int main(void)
{
	char tmp[] = "/tmp/test_httpd_docroot.XXXXXX";
	char cmd[64];

	check_segments();
	UNIT_CHECK(mkdtemp(tmp) && make_tree(tmp) == 0, "temporary tree");
	check_open(tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	UNIT_CHECK(system(cmd) == 0, "temporary tree removed");
	return unit_done();
}
