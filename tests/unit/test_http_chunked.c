/* The chunked coding followed through a body: read whole, byte by byte
 * (as segments may cut it anywhere), and with chunk data never seen. */
#include "tracer/proto/http_chunked.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define IN(s) .in = (s), .len = sizeof(s) - 1

struct chunk_row {
	int line;
	const char *desc;
	const char *in;
	size_t len;
	enum tl_chunk_state state; /* after all of in */
	uint64_t body;
	size_t used; /* bytes used: where the body ended, or len */
};

static const struct chunk_row chunk_rows[] = {
    {__LINE__, "one chunk", IN("5\r\nhello\r\n0\r\n\r\n"), TL_CHUNK_DONE, 5, 15},
    {__LINE__, "next message after the body", IN("1\r\na\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"),
     TL_CHUNK_DONE, 1, 11},
    {__LINE__, "hex sizes, both cases", IN("A\r\n0123456789\r\nb\r\n0123456789a\r\n0\r\n\r\n"),
     TL_CHUNK_DONE, 21, 36},
    {__LINE__, "extensions", IN("3;name=\"v\"\r\nabc\r\n0;last\r\n\r\n"), TL_CHUNK_DONE, 3, 27},
    {__LINE__, "BWS before extension", IN("3 ;x\r\nabc\r\n0\r\n\r\n"), TL_CHUNK_DONE, 3, 16},
    {__LINE__, "trailers", IN("3\r\nabc\r\n0\r\nExpires: never\r\nX-A: b\r\n\r\n"), TL_CHUNK_DONE,
     3, 37},
    {__LINE__, "bare LF line ends", IN("3\nabc\n0\n\n"), TL_CHUNK_DONE, 3, 9},
    {__LINE__, "leading zeros", IN("0003\r\nabc\r\n0000\r\n\r\n"), TL_CHUNK_DONE, 3, 19},
    {__LINE__, "data may hold CRLF and hex", IN("4\r\n\r\n0\r\r\n0\r\n\r\n"), TL_CHUNK_DONE, 4, 14},
    {__LINE__, "not yet ended", IN("5\r\nhel"), TL_CHUNK_DATA, 3, 6},
    {__LINE__, "in the trailers", IN("0\r\nX: y\r\n"), TL_CHUNK_TRAILER, 0, 9},
    {__LINE__, "no size", IN("\r\n"), TL_CHUNK_ERROR, 0, 1},
    {__LINE__, "not hex", IN("g\r\n"), TL_CHUNK_ERROR, 0, 1},
    {__LINE__, "data not ended by CRLF", IN("1\r\nab\r\n"), TL_CHUNK_ERROR, 1, 5},
    {__LINE__, "size past 15 hex digits", IN("1000000000000000\r\n"), TL_CHUNK_ERROR, 0, 16},
    {__LINE__, "CR then not LF ends the body wrongly", IN("0\r\n\rX"), TL_CHUNK_ERROR, 0, 5},
};

/* Feeds in[0..len) in pieces of step bytes (0: all at once). */
static size_t feed_pieces(struct tl_chunk_dec *d, const char *in, size_t len, size_t step)
{
	size_t off = 0, n, used = 0;
	uint8_t *copy = malloc(len ? len : 1);

	memcpy(copy, in, len);
	while (off < len) {
		size_t piece = step && step < len - off ? step : len - off;

		n = tl_chunk_feed(d, copy + off, piece);
		used += n;
		if (n < piece)
			break;
		off += piece;
	}
	free(copy);
	return used;
}

static void check_chunk_row(const struct chunk_row *row)
{
	bool ok = true;

	for (size_t step = 0; step <= 3; step++) {
		struct tl_chunk_dec d = {0};
		size_t used = feed_pieces(&d, row->in, row->len, step);

		ok = ok && d.state == row->state && d.body == row->body && used == row->used;
	}
	UNIT_CHECK_AT(row->line, ok, "chunked %s: state %d, %llu body bytes, %zu used", row->desc,
		      row->state, (unsigned long long)row->body, row->used);
}

/* 5 x 700 bytes with only each chunk's first 5 bytes seen, as when the
 * kernel copies the start of each segment: the data is counted by size,
 * the CRLF after it taken as read. */
static void check_chunk_skip(void)
{
	struct tl_chunk_dec d = {0};
	uint64_t framing = 0;
	bool ok = true;

	for (int i = 0; i < 5; i++) {
		ok = ok && tl_chunk_feed(&d, (const uint8_t *)"2bc\r\n", 5) == 5;
		ok = ok && tl_chunk_skip(&d, 702) == 702 && d.state == TL_CHUNK_SIZE;
		framing += 7;
	}
	ok = ok && tl_chunk_feed(&d, (const uint8_t *)"0\r\n\r\n", 5) == 5;
	UNIT_CHECK(ok && d.state == TL_CHUNK_DONE && d.body == 3500 && framing + 5 == 40,
		   "chunked: 5 x 700 followed from the size lines alone (body %llu)",
		   (unsigned long long)d.body);

	memset(&d, 0, sizeof(d));
	tl_chunk_feed(&d, (const uint8_t *)"10\r\n", 4);
	UNIT_CHECK(tl_chunk_skip(&d, 100) == 18 && d.state == TL_CHUNK_SIZE && d.body == 16 &&
		       tl_chunk_skip(&d, 10) == 0,
		   "chunked: skip stops where a size line must be read");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(chunk_rows) / sizeof(chunk_rows[0]); i++)
		check_chunk_row(&chunk_rows[i]);
	check_chunk_skip();
	return unit_done();
}
