#include "httpd/lab/scenarios.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "httpd/http_response.h"

#define LAB_LINE "tcplife-httpd /lab/large: the same 64-byte line again and again\n"
#define LAB_PATTERN_LINES 1024

enum lab_kind {
	LAB_INDEX = 1,
	LAB_SERVER_CLOSE,
	LAB_CONNECTION_CLOSE,
	LAB_SLOW,
	LAB_CHUNKED,
	LAB_LARGE,
	LAB_ABORT,
	LAB_COUNT
};

/* What each answer teaches: its body, and the index's lines. The chunked
 * answer sends each line as one chunk. */
static const struct {
	const char *path;
	bool closes; /* the server closes after it, whatever the client asked */
	const char *text;
} lab_scenarios[LAB_COUNT] = {
    [LAB_INDEX] = {"/lab/", false, NULL},
    [LAB_SERVER_CLOSE] = {"/lab/server-close", true,
			  "The server answers with Connection: close and closes first:\n"
			  "its FIN goes first, so the server is the active closer\n"
			  "and its side holds TIME_WAIT (2MSL, 60 s on Linux).\n"},
    [LAB_CONNECTION_CLOSE] = {"/lab/connection-close", true,
			      "No Content-Length: Connection: close, and the body ends\n"
			      "where the server's FIN is (RFC 9112 section 6.3).\n"},
    [LAB_SLOW] = {"/lab/slow", false,
		  "Answered 500 ms after the request: the request is ACKed at once,\n"
		  "the response's first byte comes late (latency_ms).\n"},
    [LAB_CHUNKED] = {"/lab/chunked", false,
		     "Transfer-Encoding: chunked, no Content-Length:\n"
		     "each of these lines is one chunk,\n"
		     "and a chunk of size 0 ends the body.\n"},
    [LAB_LARGE] = {"/lab/large", false, NULL},
    [LAB_ABORT] = {"/lab/abort", true,
		   "Content-Length promises 100000 bytes; the server sends these,\n"
		   "then aborts with RST: no FIN, no TIME_WAIT on either side.\n"},
};

unsigned lab_find(const struct http_request *req)
{
	if (req->method != HTTP_METHOD_GET)
		return 0;
	for (unsigned i = LAB_INDEX; i < LAB_COUNT; i++)
		if (strcmp(req->decoded, lab_scenarios[i].path) == 0)
			return i;
	return 0;
}

/* The index: every scenario's path and its first line. */
static size_t lab_index(char *buf, size_t cap)
{
	size_t len = 0;

	for (unsigned i = LAB_INDEX + 1; i < LAB_COUNT && len < cap; i++) {
		const char *t = lab_scenarios[i].text;
		int n = t ? snprintf(buf + len, cap - len, "%-22s %.*s\n", lab_scenarios[i].path,
				     (int)strcspn(t, "\n"), t)
			  : snprintf(buf + len, cap - len, "%-22s %u bytes: segments and windows\n",
				     lab_scenarios[i].path, LAB_LARGE_BYTES);

		len += n > 0 ? (size_t)n : 0;
	}
	return len < cap ? len : cap - 1;
}

/* Each line of text as a chunk, then the last chunk. */
static size_t lab_chunks(const char *text, char *buf, size_t cap)
{
	size_t len = 0;

	while (*text && len < cap) {
		size_t line = strcspn(text, "\n") + 1;
		int n = snprintf(buf + len, cap - len, "%zx\r\n%.*s\r\n", line, (int)line, text);

		len += n > 0 ? (size_t)n : 0;
		text += line;
	}
	if (len < cap)
		len += (size_t)snprintf(buf + len, cap - len, "0\r\n\r\n");
	return len < cap ? len : cap - 1;
}

static size_t lab_body(unsigned lab, char *buf, size_t cap)
{
	const char *text = lab_scenarios[lab].text;

	switch (lab) {
	case LAB_INDEX:
		return lab_index(buf, cap);
	case LAB_LARGE:
		return 0;
	case LAB_CHUNKED:
		return lab_chunks(text, buf, cap);
	default:
		return (size_t)snprintf(buf, cap, "%s", text);
	}
}

/* SO_LINGER with a zero timeout makes close() send a RST instead of a FIN
 * (RFC 9293 section 3.10.7.1's ABORT); the bytes already sent stay sent. */
static int lab_abort_on_close(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0 ? -errno : 0;
}

/* The head and the body, built when the answer is due (the Date of a slow
 * one is when it is sent). */
static int lab_build(struct conn *c, const struct conn_env *env)
{
	struct http_response resp = {
	    .status = HTTP_OK,
	    .content_type = "text/plain; charset=utf-8",
	    .keep_alive = c->keep_alive,
	    .keep_alive_timeout = env->timeout_s,
	    .keep_alive_max = CONN_MAX_REQUESTS - c->served,
	    .chunked = c->lab == LAB_CHUNKED,
	    .close_delimited = c->lab == LAB_CONNECTION_CLOSE,
	};
	char body[2048];
	size_t body_len = lab_body(c->lab, body, sizeof(body)), head_cap;
	int n, err = c->lab == LAB_ABORT ? lab_abort_on_close(c->fd) : 0;

	resp.length = c->lab == LAB_LARGE   ? LAB_LARGE_BYTES
		      : c->lab == LAB_ABORT ? LAB_ABORT_ANNOUNCED
					    : body_len;
	n = http_response_build(&resp, env->now, c->out, sizeof(c->out), &head_cap);
	if (err)
		return err;
	if (n < 0 || (size_t)n + body_len > sizeof(c->out))
		return -ENOSPC;
	memcpy(c->out + n, body, body_len);
	c->out_len = (size_t)n + body_len;
	c->out_sent = 0;
	c->page_len = body_len;
	c->lab_left = c->lab == LAB_LARGE ? LAB_LARGE_BYTES : 0;
	c->state = CONN_SEND;
	return 0;
}

int lab_respond(struct conn *c, const struct conn_env *env)
{
	c->keep_alive = c->keep_alive && !lab_scenarios[c->lab].closes;
	/* An abort must end in its RST, never in a lingering FIN. */
	c->linger = c->lab != LAB_ABORT && (c->in_len > c->req.length || c->req.content_length);
	/* conn_send closed the last file; lab_build sets the rest of the
	 * answer's state, when it is due. */
	c->status = http_status_code(HTTP_OK);
	c->file_sent = 0;
	/* The close's FIN leaves in the answer's segment (tcp_send_fin tacks
	 * it onto an unsent one): the client cannot close before the server
	 * even when it reads the whole answer and closes at once, as curl
	 * does. A lingering close shuts the write side the same way. */
	c->lab_fin_joins = !c->keep_alive && c->lab != LAB_ABORT;
	if (c->lab != LAB_SLOW)
		return lab_build(c, env);
	c->lab_due_ms = env->now_ms + LAB_SLOW_MS;
	c->restart_timer = true;
	c->state = CONN_DELAY;
	return 0;
}

int lab_delay(struct conn *c, const struct conn_env *env)
{
	return env->now_ms < c->lab_due_ms ? -EAGAIN : lab_build(c, env);
}

static const char *lab_pattern(void)
{
	static char pattern[LAB_PATTERN_LINES * (sizeof(LAB_LINE) - 1)];

	_Static_assert(sizeof(LAB_LINE) - 1 == 64, "the pattern's line is 64 bytes");
	if (!pattern[0])
		for (size_t i = 0; i < LAB_PATTERN_LINES; i++)
			memcpy(pattern + i * 64, LAB_LINE, 64);
	return pattern;
}

ssize_t lab_send_some(struct conn *c, size_t max)
{
	const size_t size = LAB_PATTERN_LINES * 64;
	size_t off = (size_t)(c->file_sent % size), chunk = size - off < max ? size - off : max;
	ssize_t n = send(c->fd, lab_pattern() + off, chunk, MSG_NOSIGNAL);

	return n < 0 ? -errno : n;
}
