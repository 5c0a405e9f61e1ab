/* One client connection: receive a request, send the head, send the body,
 * then keep alive for the next request or close. Driven by the event loop,
 * it never blocks; it tells the loop what to wait for next. */
#ifndef HTTPD_CONN_H
#define HTTPD_CONN_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "httpd/docroot.h"
#include "httpd/http.h"
#include "httpd/http_request.h"

#define CONN_MAX_REQUESTS 100
/* A body on a request we do not accept is read and dropped up to this
 * size; a larger one gets 413 and the connection closes. */
#define CONN_BODY_DISCARD_MAX (1024 * 1024)

enum conn_state {
	CONN_READ,   /* waiting for, or parsing, a request */
	CONN_SEND,   /* sending the head, then the file */
	CONN_LINGER, /* response sent, write side shut, draining input */
	CONN_DELAY,  /* a lab scenario's slow response, until lab_due_ms */
	CONN_DONE,
};

enum conn_wait {
	CONN_WAIT_READ,
	CONN_WAIT_READ_PACED, /* a request trickling in: read again after a pause */
	CONN_WAIT_WRITE,
	CONN_WAIT_CLOSE,
	CONN_WAIT_DELAY, /* nothing from the socket; the loop wakes it at lab_due_ms */
};

struct conn_env {
	const struct docroot *root;
	unsigned timeout_s; /* announced in Keep-Alive */
	time_t now;	    /* wall clock for Date and the log */
	bool log;
	bool lab;	 /* /lab/ paths are scenarios (httpd/lab/scenarios.h) */
	uint64_t now_ms; /* monotonic, for lab delays */
};

struct conn {
	int fd;
	enum conn_state state;
	bool restart_timer; /* the idle deadline starts over (the loop clears it) */
	bool keep_alive;    /* for the response under way */
	bool linger;
	bool rx_drained; /* a read this wakeup emptied the socket */
	bool rx_got;	 /* a read this wakeup brought bytes */
	unsigned served;
	unsigned small_reads; /* reads of under CONN_SMALL_READ bytes for this request */
	char peer[INET6_ADDRSTRLEN];
	uint64_t discard; /* body bytes of the last request still to drop */
	int status;
	int file_fd;
	off_t file_off;
	uint64_t file_left;
	uint64_t file_sent;
	size_t out_len;
	size_t out_sent;
	size_t page_len; /* body bytes at the end of out[] */
	size_t in_len;
	unsigned lab;	     /* the lab scenario being answered, 0 none */
	uint64_t lab_due_ms; /* CONN_DELAY ends */
	uint64_t lab_left;   /* generated body bytes still to send */
	bool lab_fin_joins;  /* the head waits (MSG_MORE) so the close's FIN rides with it */
	struct http_request req;
	char out[HTTP_LINE_MAX + 1024]; /* head, and the page of error replies */
	char in[HTTP_REQUEST_MAX];
};

void conn_init(struct conn *c, int fd, const struct sockaddr_storage *peer);
/* Moves the connection on as far as the socket allows. */
enum conn_wait conn_run(struct conn *c, const struct conn_env *env);
/* The deadline passed: a response cut short is still logged, with the
 * bytes that made it out; a request cut short is answered 408 when the
 * socket takes it at once, and logged as 408. */
void conn_expire(struct conn *c, const struct conn_env *env);
/* Closes the socket and any open file. */
void conn_fini(struct conn *c);

#endif
