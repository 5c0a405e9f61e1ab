#include "httpd/lab/refused.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd/listener.h"

static int lab_bind(const char *addr, uint16_t port, uint16_t *bound)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = listener_addr(addr, port, &ss, &len);

	if (err)
		return err;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*bound = listener_port(fd);
	return fd;
}

int lab_refused_open(const char *const *addrs, size_t naddrs, uint16_t port, int skip_missing)
{
	uint16_t bound = 0;
	size_t held = 0;

	for (size_t i = 0; i < naddrs; i++) {
		int fd = lab_bind(addrs[i], bound ? bound : port, &bound);

		/* The wanted port is taken: the first address lets the kernel
		 * pick one, which the others then share. */
		if (fd == -EADDRINUSE && held == 0 && port)
			fd = lab_bind(addrs[i], 0, &bound);
		if (fd < 0 && skip_missing && held > 0 &&
		    (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT))
			continue;
		if (fd < 0)
			return fd;
		held++;
	}
	return bound;
}
