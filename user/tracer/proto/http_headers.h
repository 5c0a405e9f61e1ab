/* --headers: the header fields of a message head, as sent, for showing them
 * on the message's lines (text) and in its "headers" object (JSON). Pure:
 * the fields point into the caller's bytes. */
#ifndef TL_HTTP_HEADERS_H
#define TL_HTTP_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracer/proto/http_msg.h"

enum tl_headers_mode {
	TL_HEADERS_NONE = 0,
	TL_HEADERS_EXPLAIN, /* those that explain a 304, a 206, a keep-alive, a body's length */
	TL_HEADERS_ALL,
};

/* Fields kept of one head; a browser's request has about twenty. */
#define TL_HTTP_FIELDS_MAX 64
/* Room for the values of repeated fields joined: twice the most bytes a
 * head is read from. */
#define TL_HTTP_JOINED_MAX 16384

struct tl_http_headers {
	struct tl_http_field f[TL_HTTP_FIELDS_MAX];
	int n;
	/* The head did not end in the bytes seen: the fields after the last
	 * whole line were not captured (never guessed). */
	bool truncated;
	bool more; /* fields left out: past TL_HTTP_FIELDS_MAX, or no room to join */
	uint8_t joined[TL_HTTP_JOINED_MAX];
	size_t joined_len;
};

/* tl_http_headers_collect: the fields of the message head at head[0..len)
 * (start line first) that mode selects, in the order sent. With join, a
 * repeated name makes one field, its values joined by ", " (RFC 9110 5.3),
 * as a JSON object needs. */
void tl_http_headers_collect(const uint8_t *head, size_t len, enum tl_headers_mode mode, bool join,
			     struct tl_http_headers *out);

#endif
