/* The chunked decoder from arbitrary bytes: the first input byte says where
 * to cut the rest in two, as a segment boundary would; the two pieces must
 * decode exactly as the whole does, and no count may exceed the bytes.
 * fuzz-sources: user/tracer/proto/ user/common/fmt.c user/common/utf8.c
 */
#include "tracer/proto/http_chunked.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_chunk_dec whole = {0}, cut = {0};
	size_t at, used_whole, used_cut;

	if (!size)
		return 0;
	at = data[0] % size;
	data++;
	size--;
	if (at > size)
		at = size;
	used_whole = tl_chunk_feed(&whole, data, size);
	used_cut = tl_chunk_feed(&cut, data, at);
	if (used_cut == at)
		used_cut += tl_chunk_feed(&cut, data + at, size - at);
	if (used_whole > size || used_cut != used_whole || whole.state != cut.state ||
	    whole.body != cut.body || whole.body > size)
		abort();
	if (used_whole < size && whole.state != TL_CHUNK_DONE && whole.state != TL_CHUNK_ERROR)
		abort();
	/* Skipping never passes framing it needs bytes for, nor more than asked. */
	if (tl_chunk_skip(&whole, size) > size)
		abort();
	return 0;
}
