/* Both programs' seccomp tables on the real kernel: each row makes one
 * system call in a child that installed a table, and checks that the call
 * ran (its result does not matter: bad arguments keep it harmless) or was
 * stopped, with the one-line message naming it. Needs no root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/sockios.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "httpd/confine.h"
#include "tracer/kernel/confine.h"
#include "unit.h"

enum table { TRACER, TRACER_CLSACT, HTTPD };

static long c_write(void) { return write(-1, "", 0); }
static long c_epoll_wait(void) { return syscall(SYS_epoll_wait, -1, NULL, 1, 0); }
static long c_sendto(void) { return sendto(-1, "", 0, 0, NULL, 0); }
static long c_socket_inet(void) { return socket(AF_INET, SOCK_STREAM, 0); }
static long c_socket_unix_dgram(void) { return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); }
static long c_socket_unix_stream(void) { return socket(AF_UNIX, SOCK_STREAM, 0); }
static long c_socket_route(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}
static long c_ioctl_ifname(void) { return ioctl(-1, SIOCGIFNAME, NULL); }
static long c_ioctl_tcgets(void) { return ioctl(-1, TCGETS, NULL); }
static long c_ioctl_tiocsti(void) { return ioctl(-1, TIOCSTI, NULL); }
static long c_openat(void) { return open("/etc/passwd", O_RDONLY); }
static long c_openat2(void)
{
	struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};

	return syscall(SYS_openat2, -1, "x", &how, sizeof(how));
}
static long c_execve(void) { return execve("/nonexistent", (char *[]){NULL}, (char *[]){NULL}); }
static long c_connect(void) { return connect(-1, NULL, 0); }
static long c_setuid(void) { return setuid(0); }
static long c_unlink(void) { return unlink("/nonexistent/tcplife-http"); }
static long c_accept4(void) { return accept4(-1, NULL, NULL, 0); }

static const struct {
	int line;
	enum table table;
	const char *call; /* the name the trap message gives */
	long (*run)(void);
	bool allowed;
} rows[] = {
    {__LINE__, TRACER, "write", c_write, true},
    {__LINE__, TRACER, "epoll_wait", c_epoll_wait, true},
    {__LINE__, TRACER, "sendto", c_sendto, true},
    {__LINE__, TRACER, "socket", c_socket_unix_dgram, true},
    {__LINE__, TRACER, "ioctl", c_ioctl_ifname, true},
    {__LINE__, TRACER, "ioctl", c_ioctl_tcgets, true},
    {__LINE__, TRACER, "socket", c_socket_inet, false},
    {__LINE__, TRACER, "socket", c_socket_unix_stream, false},
    {__LINE__, TRACER, "socket", c_socket_route, false},
    {__LINE__, TRACER, "ioctl", c_ioctl_tiocsti, false},
    {__LINE__, TRACER, "openat", c_openat, false},
    {__LINE__, TRACER, "openat2", c_openat2, false},
    {__LINE__, TRACER, "execve", c_execve, false},
    {__LINE__, TRACER, "connect", c_connect, false},
    {__LINE__, TRACER, "setuid", c_setuid, false},
    {__LINE__, TRACER, "unlink", c_unlink, false},
    {__LINE__, TRACER_CLSACT, "socket", c_socket_route, true},
    {__LINE__, TRACER_CLSACT, "unlink", c_unlink, true},
    {__LINE__, TRACER_CLSACT, "socket", c_socket_inet, false},
    {__LINE__, TRACER_CLSACT, "openat", c_openat, false},
    {__LINE__, HTTPD, "accept4", c_accept4, true},
    {__LINE__, HTTPD, "openat2", c_openat2, true},
    {__LINE__, HTTPD, "write", c_write, true},
    {__LINE__, HTTPD, "ioctl", c_ioctl_tcgets, true},
    {__LINE__, HTTPD, "ioctl", c_ioctl_tiocsti, false},
    {__LINE__, HTTPD, "openat", c_openat, false},
    {__LINE__, HTTPD, "socket", c_socket_inet, false},
    {__LINE__, HTTPD, "socket", c_socket_unix_dgram, false},
    {__LINE__, HTTPD, "connect", c_connect, false},
    {__LINE__, HTTPD, "execve", c_execve, false},
    {__LINE__, HTTPD, "setuid", c_setuid, false},
};

static int install(enum table t)
{
	if (t == HTTPD)
		return sandbox_install("tcplife-httpd", httpd_sandbox_rules, httpd_sandbox_nrules,
				       0);
	return sandbox_install("tcplife-http", tl_sandbox_rules, tl_sandbox_nrules,
			       t == TRACER_CLSACT ? TL_SANDBOX_CLSACT : 0);
}

/* The child: exit 0 once the call returned, 3 if the filter did not load;
 * the trap handler exits 1. */
static void child(enum table t, long (*run)(void), int err_fd)
{
	dup2(err_fd, STDERR_FILENO);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || install(t))
		_exit(3);
	run();
	/* Not _exit: under ASan it makes calls the tables do not allow. */
	syscall(SYS_exit_group, 0);
}

/* Runs one row: the child's exit status, and what it wrote on stderr. */
static int run_row(enum table t, long (*run)(void), char *msg, size_t cap)
{
	int fds[2], status = -1;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0)
		child(t, run, fds[1]);
	close(fds[1]);
	n = read(fds[0], msg, cap - 1);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0'; /* one line per check */
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	static const char *const names[] = {"tracer", "tracer (clsact)", "httpd"};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char msg[512], want[96];
		int rc = run_row(rows[i].table, rows[i].run, msg, sizeof(msg));

		snprintf(want, sizeof(want), "the sandbox stopped system call %s (", rows[i].call);
		if (rows[i].allowed)
			UNIT_CHECK_AT(rows[i].line, rc == 0 && !msg[0],
				      "%s: %s runs (exit %d, '%s')", names[rows[i].table],
				      rows[i].call, rc, msg);
		else
			UNIT_CHECK_AT(rows[i].line, rc == 1 && strstr(msg, want),
				      "%s: %s is stopped, named (exit %d, '%s')",
				      names[rows[i].table], rows[i].call, rc, msg);
	}
	return unit_done();
}
