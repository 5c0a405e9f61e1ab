#include "httpd/conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "httpd/access_log.h"
#include "httpd/lab/scenarios.h"
#include "httpd/serve.h"

/* Body bytes sent for one connection before yielding to the others. */
#define CONN_SEND_BUDGET (512 * 1024)
/* Reads per wakeup while draining a lingering connection. */
#define CONN_LINGER_READS 16
/* A request still unfinished after this many reads of under CONN_SMALL_READ
 * bytes is trickling in (a browser's arrives in one or two segments). */
#define CONN_TRICKLE_READS 8
#define CONN_SMALL_READ 128

void conn_init(struct conn *c, int fd, const struct sockaddr_storage *peer)
{
	const void *addr = peer->ss_family == AF_INET6
			       ? (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr
			       : (const void *)&((const struct sockaddr_in *)peer)->sin_addr;

	c->fd = fd;
	c->state = CONN_READ;
	c->restart_timer = true;
	c->served = 0;
	c->discard = 0;
	c->file_fd = -1;
	c->in_len = 0;
	c->small_reads = 0;
	c->lab = 0;
	c->lab_left = 0;
	c->lab_fin_joins = false;
	http_request_begin(&c->req);
	if (!inet_ntop(peer->ss_family, addr, c->peer, sizeof(c->peer)))
		strcpy(c->peer, "-");
}

void conn_fini(struct conn *c)
{
	if (c->file_fd >= 0)
		close(c->file_fd);
	close(c->fd);
}

static void conn_consume(struct conn *c, size_t n)
{
	if (!n)
		return;
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

/* 0 when a request (or an unparseable one) is ready to answer. */
static int conn_parse(struct conn *c)
{
	size_t drop = c->discard < c->in_len ? (size_t)c->discard : c->in_len;
	int err;

	conn_consume(c, drop);
	c->discard -= drop;
	if (c->discard || !c->in_len)
		return -EAGAIN;
	err = http_request_parse(&c->req, c->in, c->in_len);
	return err == -EBADMSG ? 0 : err;
}

static int conn_fill(struct conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	c->rx_drained = (size_t)n < sizeof(c->in) - c->in_len;
	c->in_len += (size_t)n;
	c->small_reads += n < CONN_SMALL_READ;
	c->rx_got = true;
	return 0;
}

/* Requests whose body cannot be skipped reliably end the connection. */
static enum http_status conn_framing(const struct http_request *req)
{
	if (req->error != HTTP_OK)
		return req->error;
	if (req->has_transfer_encoding)
		return HTTP_LENGTH_REQUIRED;
	if (req->content_length > CONN_BODY_DISCARD_MAX)
		return HTTP_PAYLOAD_TOO_LARGE;
	return HTTP_OK;
}

static bool conn_wants_keep_alive(const struct conn *c)
{
	const struct http_request *req = &c->req;

	if (req->conn_close || (req->minor == 0 && !req->conn_keep_alive))
		return false;
	return c->served < CONN_MAX_REQUESTS;
}

static int conn_respond(struct conn *c, const struct conn_env *env)
{
	enum http_status framing = conn_framing(&c->req);
	struct serve_reply reply;
	int n;

	c->served++;
	c->keep_alive = framing == HTTP_OK && conn_wants_keep_alive(c);
	c->lab = framing == HTTP_OK && env->lab ? lab_find(&c->req) : 0;
	if (c->lab)
		return lab_respond(c, env);
	if (framing == HTTP_OK)
		serve_request(env->root, &c->req, env->now, &reply);
	else
		serve_fail(&reply, framing);
	/* Lingering lets the client read our answer before it sees a reset
	 * caused by input we never read. */
	c->linger = framing != HTTP_OK || c->in_len > c->req.length || c->req.content_length;
	reply.resp.head_only = framing == HTTP_OK && c->req.method == HTTP_METHOD_HEAD;
	reply.resp.keep_alive = c->keep_alive;
	reply.resp.keep_alive_timeout = env->timeout_s;
	reply.resp.keep_alive_max = CONN_MAX_REQUESTS - c->served;
	n = http_response_build(&reply.resp, env->now, c->out, sizeof(c->out), &c->page_len);
	c->file_fd = reply.fd;
	c->file_off = (off_t)reply.offset;
	c->file_left = reply.fd >= 0 ? reply.resp.length : 0;
	c->file_sent = 0;
	c->status = http_status_code(reply.resp.status);
	c->out_len = n < 0 ? 0 : (size_t)n;
	c->out_sent = 0;
	c->state = CONN_SEND;
	return n < 0 ? n : 0;
}

static int conn_read(struct conn *c, const struct conn_env *env)
{
	int err = conn_parse(c);

	/* Level-triggered epoll reports new input, so once a read came back
	 * short there is no point asking the socket again in this wakeup. */
	if (err == -EAGAIN && !c->rx_drained) {
		err = conn_fill(c);
		if (!err)
			err = conn_parse(c);
	}
	return err ? err : conn_respond(c, env);
}

static int conn_send_head(struct conn *c)
{
	while (c->out_sent < c->out_len) {
		int flags =
		    MSG_NOSIGNAL | (c->file_left || c->lab_left || c->lab_fin_joins ? MSG_MORE : 0);
		ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, flags);

		if (n < 0)
			return -errno;
		c->out_sent += (size_t)n;
		c->restart_timer = true;
	}
	return 0;
}

/* Up to max more file bytes: how many the socket took, or -errno. */
static ssize_t conn_sendfile_some(struct conn *c, size_t max)
{
	ssize_t n = sendfile(c->fd, c->file_fd, &c->file_off, max);

	return n < 0 ? -errno : n;
}

/* Sends *left body bytes from send_some, a file's or a lab scenario's, until
 * the socket is full or the connection's budget is out (-EAGAIN either way,
 * so one download never holds up the others): 0 when all are sent, or
 * -errno. A source that gives nothing is a file that shrank: the announced
 * length can no longer be kept (-EIO). */
static int conn_send_body(struct conn *c, uint64_t *left,
			  ssize_t (*send_some)(struct conn *c, size_t max))
{
	uint64_t budget = CONN_SEND_BUDGET;

	while (*left > 0) {
		size_t chunk = *left < budget ? (size_t)*left : (size_t)budget;
		ssize_t n;

		if (chunk == 0)
			return -EAGAIN;
		n = send_some(c, chunk);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;
		*left -= (uint64_t)n;
		c->file_sent += (uint64_t)n;
		budget -= (uint64_t)n;
		c->restart_timer = true;
	}
	return 0;
}

static void conn_log(const struct conn *c, const struct conn_env *env)
{
	uint64_t bytes = c->file_sent + (c->out_sent == c->out_len ? c->page_len : 0);

	if (env->log)
		access_log_request(c->peer, env->now, c->req.line, c->status, bytes);
}

/* A request still arriving at the deadline gets a 408 if the socket takes
 * it at once (nginx sends none), and is logged as 408 either way. */
static void conn_timeout_reply(struct conn *c, const struct conn_env *env)
{
	struct http_response resp = {.status = HTTP_REQUEST_TIMEOUT};
	int n = http_response_build(&resp, env->now, c->out, sizeof(c->out), &c->page_len);
	ssize_t sent = n > 0 ? send(c->fd, c->out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) : -1;

	c->status = http_status_code(HTTP_REQUEST_TIMEOUT);
	c->out_len = n > 0 ? (size_t)n : 0;
	c->out_sent = sent > 0 ? (size_t)sent : 0;
	c->file_sent = 0;
	conn_log(c, env);
}

void conn_expire(struct conn *c, const struct conn_env *env)
{
	if (c->state == CONN_SEND)
		conn_log(c, env);
	else if (c->state == CONN_READ && c->in_len > 0)
		conn_timeout_reply(c, env);
}

/* After a response: the next request, a lingering close, or the end. */
static void conn_next(struct conn *c)
{
	if (c->keep_alive) {
		conn_consume(c, c->req.length);
		c->discard = c->req.content_length;
		c->small_reads = 0;
		http_request_begin(&c->req);
		c->state = CONN_READ;
		c->restart_timer = true;
	} else if (c->linger && shutdown(c->fd, SHUT_WR) == 0) {
		c->state = CONN_LINGER;
		c->restart_timer = true;
	} else {
		c->state = CONN_DONE;
	}
}

static int conn_send(struct conn *c, const struct conn_env *env)
{
	int err = conn_send_head(c);

	if (!err)
		err = c->lab_left ? conn_send_body(c, &c->lab_left, lab_send_some)
				  : conn_send_body(c, &c->file_left, conn_sendfile_some);
	if (err == -EAGAIN)
		return err;
	conn_log(c, env);
	if (c->file_fd >= 0) {
		close(c->file_fd);
		c->file_fd = -1;
	}
	if (!err)
		conn_next(c);
	return err;
}

static int conn_linger(struct conn *c)
{
	for (int i = 0; i < CONN_LINGER_READS; i++) {
		ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);

		if (n < 0)
			return -errno;
		if (n == 0) {
			c->state = CONN_DONE;
			return 0;
		}
	}
	return -EAGAIN;
}

static int conn_step(struct conn *c, const struct conn_env *env)
{
	switch (c->state) {
	case CONN_READ:
		return conn_read(c, env);
	case CONN_SEND:
		return conn_send(c, env);
	case CONN_LINGER:
		return conn_linger(c);
	case CONN_DELAY:
		return lab_delay(c, env);
	default:
		return 0;
	}
}

/* Reading a request that trickles in as each byte arrives costs the server
 * an epoll wakeup, a recv and the ACK that recv sends, per byte: about
 * 4 us, more than the byte is worth. Paced, it is read once per pause,
 * everything that arrived meanwhile in one recv. A pause that brought
 * nothing ends the pacing until the next read: the socket is watched
 * again, so a connection gone quiet costs nothing until it sends. */
static enum conn_wait conn_waiting(const struct conn *c)
{
	if (c->state == CONN_DELAY)
		return CONN_WAIT_DELAY;
	if (c->state == CONN_SEND)
		return CONN_WAIT_WRITE;
	if (c->state == CONN_READ && c->rx_got && c->small_reads >= CONN_TRICKLE_READS)
		return CONN_WAIT_READ_PACED;
	return CONN_WAIT_READ;
}

/* Each pass either waits or completes a step of one request, and a
 * connection serves at most CONN_MAX_REQUESTS, so the bound is never the
 * reason to stop; it only makes the loop's end evident. */
enum conn_wait conn_run(struct conn *c, const struct conn_env *env)
{
	c->rx_drained = false;
	c->rx_got = false;
	for (int i = 0; i < 3 * CONN_MAX_REQUESTS && c->state != CONN_DONE; i++) {
		int err = conn_step(c, env);

		if (err == -EAGAIN)
			return conn_waiting(c);
		if (err)
			return CONN_WAIT_CLOSE;
	}
	return c->state == CONN_DONE ? CONN_WAIT_CLOSE : conn_waiting(c);
}
