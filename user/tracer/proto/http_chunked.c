#include "tracer/proto/http_chunked.h"

#include <linux/types.h>

#include "http_start.h"

/* A size past 2^60 is no body anyone sends: an attack or noise. */
#define CHUNK_SIZE_DIGITS_MAX 15

/* A digit's value, by the kernel side's own test of what a hex digit is. */
static int chunk_hex(uint8_t c)
{
	if (!tl_hex_digit(c))
		return -1;
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The LF ending a chunk-size line: data follows, or the trailers. */
static void chunk_size_done(struct tl_chunk_dec *d)
{
	d->state = d->left ? TL_CHUNK_DATA : TL_CHUNK_TRAILER;
	d->crs = 0;
}

static void chunk_size_byte(struct tl_chunk_dec *d, uint8_t c)
{
	int v = chunk_hex(c);

	if (v >= 0 && d->digits < CHUNK_SIZE_DIGITS_MAX) {
		d->left = d->left << 4 | (uint64_t)v;
		d->digits++;
	} else if (d->digits && c == '\n') {
		chunk_size_done(d);
	} else if (d->digits && (c == ';' || c == ' ' || c == '\t' || c == '\r')) {
		d->state = TL_CHUNK_EXT;
	} else {
		d->state = TL_CHUNK_ERROR;
	}
}

/* A line end: CRLF, or a bare LF as RFC 9112 2.2 lets a recipient accept. */
static void chunk_line_end(struct tl_chunk_dec *d, uint8_t c, enum tl_chunk_state next)
{
	if (c == '\r' && !d->crs)
		d->crs = 1;
	else if (c == '\n') {
		d->state = next;
		d->crs = 0;
	} else
		d->state = TL_CHUNK_ERROR;
}

static void chunk_byte(struct tl_chunk_dec *d, uint8_t c)
{
	switch (d->state) {
	case TL_CHUNK_SIZE:
		chunk_size_byte(d, c);
		break;
	case TL_CHUNK_EXT:
		if (c == '\n')
			chunk_size_done(d);
		break;
	case TL_CHUNK_DATA_END:
		chunk_line_end(d, c, TL_CHUNK_SIZE);
		break;
	case TL_CHUNK_TRAILER:
		if (c == '\r' || c == '\n' || d->crs)
			chunk_line_end(d, c, TL_CHUNK_DONE);
		else
			d->state = TL_CHUNK_TRAILER_LINE;
		break;
	case TL_CHUNK_TRAILER_LINE:
		if (c == '\n')
			d->state = TL_CHUNK_TRAILER;
		break;
	default:
		break;
	}
}

static size_t chunk_data(struct tl_chunk_dec *d, size_t len)
{
	size_t n = d->left < len ? (size_t)d->left : len;

	d->left -= n;
	d->body += n;
	if (!d->left) {
		d->state = TL_CHUNK_DATA_END;
		d->crs = 0;
		d->digits = 0;
	}
	return n;
}

size_t tl_chunk_feed(struct tl_chunk_dec *d, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && d->state != TL_CHUNK_DONE && d->state != TL_CHUNK_ERROR) {
		if (d->state == TL_CHUNK_DATA)
			i += chunk_data(d, len - i);
		else
			chunk_byte(d, p[i++]);
	}
	return i;
}

static size_t chunk_skip_step(struct tl_chunk_dec *d, size_t len)
{
	size_t n;

	if (d->state == TL_CHUNK_DATA)
		return chunk_data(d, len);
	if (d->state != TL_CHUNK_DATA_END || !len)
		return 0;
	/* The CRLF not yet read; a bare LF would be one byte, but a sender
	 * that writes its chunks with CRLF (every one seen) writes two. */
	n = 2u - d->crs < len ? 2u - d->crs : len;
	d->crs += n;
	if (d->crs == 2) {
		d->state = TL_CHUNK_SIZE;
		d->crs = 0;
	}
	return n;
}

size_t tl_chunk_skip(struct tl_chunk_dec *d, size_t len)
{
	size_t used = 0, n;

	do {
		n = chunk_skip_step(d, len - used);
		used += n;
	} while (n && used < len);
	return used;
}
