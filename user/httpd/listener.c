#include "httpd/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Accepts the bracketed form too, as users copy it from URLs. */
int listener_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char bare[INET6_ADDRSTRLEN];
	size_t n = strlen(addr);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']' && n - 2 < sizeof(bare)) {
		memcpy(bare, addr + 1, n - 2);
		bare[n - 2] = '\0';
		addr = bare;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
		return -EINVAL;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	*len = sizeof(*in6);
	return 0;
}

/* TCP_NODELAY set here is inherited by every accepted socket: one
 * setsockopt for the server's life instead of one per connection. A socket
 * that will not listen takes no SO_REUSEADDR, which would let another
 * program bind its port. */
static int listener_setup(int fd, const struct sockaddr_storage *ss, socklen_t len, bool listening)
{
	int one = 1;

	if (listening && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0))
		return -errno;
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)ss, len) < 0 ||
	    (listening && listen(fd, SOMAXCONN) < 0))
		return -errno;
	return 0;
}

uint16_t listener_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

int listener_open(const char *addr, uint16_t port, bool listening, uint16_t *bound)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = listener_addr(addr, port, &ss, &len);

	if (err)
		return err;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = listener_setup(fd, &ss, len, listening);
	if (!err) {
		*bound = listener_port(fd);
		err = *bound ? 0 : -EADDRNOTAVAIL;
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

void listener_url(const char *addr, uint16_t port, char *buf, size_t cap)
{
	bool v6 = strchr(addr, ':') && addr[0] != '[';

	snprintf(buf, cap, "http://%s%s%s:%u/", v6 ? "[" : "", addr, v6 ? "]" : "", port);
}
