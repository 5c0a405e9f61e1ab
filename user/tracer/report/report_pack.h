/* The report's stored pages: text deflated (zlib format) and written as
 * base64, which a browser turns back with atob and DecompressionStream
 * ("deflate"), so that thousands of diagrams fit a file that opens fast. */
#ifndef TL_REPORT_PACK_H
#define TL_REPORT_PACK_H

#include <stddef.h>
#include <stdio.h>

/* tl_rp_pack: writes data[0..len) deflated and in base64 (no line breaks).
 * Returns 0 or -ENOMEM. */
int tl_rp_pack(FILE *f, const char *data, size_t len);

#endif
