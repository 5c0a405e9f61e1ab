#include "httpd/mime.h"

#include <string.h>
#include <strings.h>
#include "common/util.h"

static const struct {
	const char *ext;
	const char *type;
} mime_table[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"mp3", "audio/mpeg"},
    {"wav", "audio/wav"},
    {"ogg", "audio/ogg"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"pdf", "application/pdf"},
    {"wasm", "application/wasm"},
    {"woff2", "font/woff2"},
};

const char *mime_type(const char *path, size_t len)
{
	const char *dot = NULL;

	for (size_t i = len; i > 0 && path[i - 1] != '/'; i--) {
		if (path[i - 1] == '.') {
			dot = path + i;
			break;
		}
	}
	if (dot) {
		size_t ext_len = (size_t)(path + len - dot);

		for (size_t i = 0; i < ARRAY_SIZE(mime_table); i++) {
			if (strlen(mime_table[i].ext) == ext_len &&
			    strncasecmp(mime_table[i].ext, dot, ext_len) == 0)
				return mime_table[i].type;
		}
	}
	return "application/octet-stream";
}
