#include "tracer/report/report_pack.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

static void rp_base64(FILE *f, const unsigned char *p, size_t n)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		out[0] = digits[v >> 18];
		out[1] = digits[v >> 12 & 63];
		out[2] = i + 1 < n ? digits[v >> 6 & 63] : '=';
		out[3] = i + 2 < n ? digits[v & 63] : '=';
		fwrite_unlocked(out, 1, 4, f);
	}
}

int tl_rp_pack(FILE *f, const char *data, size_t len)
{
	uLongf zlen = compressBound(len);
	unsigned char *z = malloc(zlen);

	if (!z)
		return -ENOMEM;
	if (compress2(z, &zlen, (const Bytef *)data, len, Z_DEFAULT_COMPRESSION) != Z_OK) {
		free(z);
		return -ENOMEM;
	}
	rp_base64(f, z, zlen);
	free(z);
	return 0;
}
