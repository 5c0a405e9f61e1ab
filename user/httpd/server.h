/* The event loop: listeners, connections and their deadlines, signals. */
#ifndef HTTPD_SERVER_H
#define HTTPD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_MAX_LISTENERS 8

struct server_config {
	const char *addrs[SERVER_MAX_LISTENERS];
	size_t naddrs;
	bool default_addrs; /* tolerate a host without IPv6 */
	uint16_t port;	    /* 0: the kernel picks one */
	const char *docroot;
	unsigned timeout_s;
	unsigned max_conns; /* accepting stops at this many open connections */
	bool quiet;
	bool lab; /* --lab: /lab/ paths are scenarios (httpd/lab/scenarios.h) */
	/* Called once the listeners and the docroot are open, before the first
	 * request: gives up root (httpd/confine.h). 0 or -errno; NULL: none. */
	int (*confine)(void *ctx);
	void *confine_ctx;
};

/* Serves until SIGINT or SIGTERM. Returns 0, or -errno with what[] naming
 * the step that failed. */
int server_run(const struct server_config *cfg, char *what, size_t what_len);

#endif
