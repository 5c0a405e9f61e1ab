/* The chunked transfer coding (RFC 9112 7.1) followed through a body: the
 * framing read from bytes, the chunk data skipped by count alone, so that a
 * body whose data bytes were never copied can still be followed as long as
 * its chunk-size lines were. Pure, no I/O. */
#ifndef TL_HTTP_CHUNKED_H
#define TL_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tl_chunk_state {
	TL_CHUNK_SIZE = 0, /* in a chunk-size's hex digits */
	TL_CHUNK_EXT,	   /* past them: extensions or BWS, up to the LF */
	TL_CHUNK_DATA,
	TL_CHUNK_DATA_END, /* the CRLF after a chunk's data */
	TL_CHUNK_TRAILER,  /* at the start of a trailer line, or of the final CRLF */
	TL_CHUNK_TRAILER_LINE,
	TL_CHUNK_DONE,	/* the final CRLF was read: the body ended */
	TL_CHUNK_ERROR, /* not chunked framing */
};

struct tl_chunk_dec {
	enum tl_chunk_state state;
	uint8_t digits; /* of the chunk-size so far */
	uint8_t crs;	/* CR bytes read of the line end being read */
	uint64_t left;	/* the chunk-size being read, then its data bytes still to come */
	uint64_t body;	/* decoded body bytes so far */
};

/* tl_chunk_feed: reads up to len bytes of the body; returns how many it used,
 * fewer than len only once the body ended (DONE) or is not chunked (ERROR). */
size_t tl_chunk_feed(struct tl_chunk_dec *d, const uint8_t *p, size_t len);

/* tl_chunk_skip: passes over up to len bytes that were not copied. Chunk
 * data can be counted without its bytes, and the CRLF after it is taken as
 * read; anything else needs the bytes: returns how many it passed, 0 when
 * the next byte is framing. */
size_t tl_chunk_skip(struct tl_chunk_dec *d, size_t len);

#endif
