#include "httpd/lab/refused.h"

#include <errno.h>

#include "httpd/listener.h"

int lab_refused_open(const char *const *addrs, size_t naddrs, uint16_t port, bool skip_missing)
{
	uint16_t bound = 0;
	size_t held = 0;

	for (size_t i = 0; i < naddrs; i++) {
		int fd = listener_open(addrs[i], bound ? bound : port, false, &bound);

		/* The wanted port is taken: the first address lets the kernel
		 * pick one, which the others then share. */
		if (fd == -EADDRINUSE && held == 0 && port)
			fd = listener_open(addrs[i], 0, false, &bound);
		if (fd < 0 && skip_missing && held > 0 &&
		    (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT))
			continue;
		if (fd < 0)
			return fd;
		held++;
	}
	return bound;
}
