/* Listening sockets on numeric addresses. */
#ifndef HTTPD_LISTENER_H
#define HTTPD_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Fills *ss from a numeric address; 0 or -EINVAL. */
int listener_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

/* Opens a non-blocking TCP socket bound to addr ("127.0.0.1", "::1" or
 * "[::1]") and port, listening unless !listening (httpd/lab/refused.h);
 * an IPv6 one is IPv6-only. Port 0 lets the kernel choose, and *bound
 * tells the port in use. Returns the fd or -errno (-EINVAL: not a numeric
 * address). */
int listener_open(const char *addr, uint16_t port, bool listening, uint16_t *bound);

/* The port fd is bound to, 0 if it cannot tell. */
uint16_t listener_port(int fd);

/* "http://127.0.0.1:8080/" or "http://[::1]:8080/" */
void listener_url(const char *addr, uint16_t port, char *buf, size_t cap);

#endif
