/* The refused-port lesson of tcplife-httpd --lab: a port bound on each
 * listening address but never listening. A SYN to it finds no listener, so
 * the kernel answers RST, ACK (connect: ECONNREFUSED), and while the server
 * holds the port no other program can listen there and spoil the lesson. */
#ifndef HTTPD_LAB_REFUSED_H
#define HTTPD_LAB_REFUSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Binds one socket per address in addrs at port, or at a port the kernel
 * picks when port is 0 or taken, without listen(); the sockets stay open
 * for the process's life. Addresses another family lacks (default ::1 on
 * a host without IPv6) are skipped when skip_missing. Returns the port or
 * -errno. */
int lab_refused_open(const char *const *addrs, size_t naddrs, uint16_t port, bool skip_missing);

#endif
