/* Lab scenarios for teachers (tcplife-httpd --lab): GET /lab/NAME answers
 * so that one lesson happens on the wire: the server closes first, a body
 * ended by the FIN, a slow answer, a chunked one, a large download, an
 * abort by RST. Each has a golden life in scenarios/NAME.json that
 * `tcplife-http grade` checks a student's trace against. Every answer is
 * bounded: a fixed text, a fixed delay with the socket unwatched, a fixed
 * size sent within the same per-wakeup budget as files. */
#ifndef HTTPD_LAB_SCENARIOS_H
#define HTTPD_LAB_SCENARIOS_H

#include <stdint.h>
#include <sys/types.h>

#include "httpd/conn.h"

/* /lab/slow's delay. Below the shortest -t (1 s), so the idle deadline
 * never strikes first. */
#define LAB_SLOW_MS 500
/* /lab/large's body: 64 full-sized loopback segments and more. */
#define LAB_LARGE_BYTES (4u << 20)
/* /lab/abort announces this many body bytes, sends its text, then resets. */
#define LAB_ABORT_ANNOUNCED 100000u

/* The scenario a request names, or 0 when it names none (GET only). */
unsigned lab_find(const struct http_request *req);

/* Answers the scenario in c->lab as conn_respond answers with a file:
 * the head and any body in c->out, the next state set. 0 or -errno. */
int lab_respond(struct conn *c, const struct conn_env *env);

/* CONN_DELAY: -EAGAIN before c->lab_due_ms, then the answer. */
int lab_delay(struct conn *c, const struct conn_env *env);

/* Up to max more bytes of the generated body (c->lab_left), from where
 * c->file_sent has reached in its repeated pattern: how many the socket
 * took, or -errno. conn.c sends them as it sends a file's. */
ssize_t lab_send_some(struct conn *c, size_t max);

#endif
