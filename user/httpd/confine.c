#include "httpd/confine.h"

#include <stdio.h>
#include <sys/socket.h>
#include "common/util.h"

/* Every call the serving loop and the exit make, found with strace -f
 * under the httpd suites, beside what libc does on its own (sandbox.c,
 * fstat among it); anything else stops the server. */
const struct sandbox_rule httpd_sandbox_rules[] = {
    /* The loop: epoll, accepting, SIGINT and SIGTERM by signalfd. */
    {0, "epoll_wait", {}},
    {0, "epoll_pwait", {}},
    {0, "epoll_ctl", {}},
    {0, "accept4", {}},
    {0, "read", {}},
    {0, "clock_gettime", {}},
    /* Requests in, responses out, the access log. */
    {0, "recvfrom", {}},
    {0, "sendto", {}},
    {0, "sendfile", {}},
    {0, "write", {}},
    {0, "shutdown", {}},
    /* --lab's /lab/abort: SO_LINGER 0 on its own socket, so close() resets. */
    {0, "setsockopt", {SANDBOX_ARG(1, SOL_SOCKET), SANDBOX_ARG(2, SO_LINGER)}},
    /* Files, beneath the docroot only (RESOLVE_BENEATH). */
    {0, "openat2", {}},
    {0, "close", {}},
};
const size_t httpd_sandbox_nrules = ARRAY_SIZE(httpd_sandbox_rules);

int httpd_confine_init(struct httpd_confine *c, const char *user, bool sandbox)
{
	c->sandbox = sandbox;
	return privdrop_pick(user, &c->user);
}

int httpd_confine(void *ctx)
{
	struct httpd_confine *c = ctx;
	int err = privdrop_become(&c->user, 0);

	if (err)
		return err;
	if (c->user.switch_ids && c->user.uid == 0)
		fprintf(stderr, "tcplife-httpd: warning: serving as root (-u root), "
				"though without capabilities\n");
	return c->sandbox
		   ? sandbox_install("tcplife-httpd", httpd_sandbox_rules, httpd_sandbox_nrules, 0)
		   : 0;
}
