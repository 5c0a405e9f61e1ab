/* Content-Type from file extensions. */
#include <string.h>

#include "httpd/mime.h"
#include "unit.h"

static const struct {
	int line;
	const char *desc;
	const char *path;
	const char *type;
} mime_rows[] = {
    {__LINE__, "html", "/index.html", "text/html; charset=utf-8"},
    {__LINE__, "css", "/style.css", "text/css; charset=utf-8"},
    {__LINE__, "js", "/app.js", "text/javascript; charset=utf-8"},
    {__LINE__, "json", "/data.json", "application/json; charset=utf-8"},
    {__LINE__, "txt", "/notes.txt", "text/plain; charset=utf-8"},
    {__LINE__, "svg", "/logo.svg", "image/svg+xml; charset=utf-8"},
    {__LINE__, "png", "/logo.png", "image/png"},
    {__LINE__, "jpg", "/a.jpg", "image/jpeg"},
    {__LINE__, "jpeg", "/a.jpeg", "image/jpeg"},
    {__LINE__, "gif", "/a.gif", "image/gif"},
    {__LINE__, "ico", "/favicon.ico", "image/x-icon"},
    {__LINE__, "mp3", "/intro.mp3", "audio/mpeg"},
    {__LINE__, "wav", "/a.wav", "audio/wav"},
    {__LINE__, "ogg", "/a.ogg", "audio/ogg"},
    {__LINE__, "extension case is ignored", "/LOGO.PNG", "image/png"},
    {__LINE__, "only the last extension counts", "/a.png.txt", "text/plain; charset=utf-8"},
    {__LINE__, "unknown extension", "/a.xyz", "application/octet-stream"},
    {__LINE__, "no extension", "/README", "application/octet-stream"},
    {__LINE__, "dot in a directory name only", "/v1.2/README", "application/octet-stream"},
    {__LINE__, "prefix of a known extension", "/a.htmlx", "application/octet-stream"},
    {__LINE__, "trailing dot", "/a.", "application/octet-stream"},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(mime_rows) / sizeof(mime_rows[0]); i++) {
		const char *got = mime_type(mime_rows[i].path, strlen(mime_rows[i].path));

		UNIT_CHECK_AT(mime_rows[i].line, strcmp(got, mime_rows[i].type) == 0, "%s: %s",
			      mime_rows[i].desc, got);
	}
	return unit_done();
}
