#include "tracer/capture/trace_input.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

int tl_input_is_json(const char *path)
{
	FILE *f = fopen(path, "r");
	int c;

	if (!f)
		return -errno;
	while ((c = getc(f)) != EOF && isspace(c))
		;
	fclose(f);
	return c == '{';
}

int tl_json_lines(FILE *f, int (*read)(void *ctx, const char *line, size_t len), void *ctx,
		  size_t *lineno)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	while (!err && (n = getline(&line, &cap, f)) > 0) {
		++*lineno;
		if (line[strspn(line, " \t\r\n")])
			err = read(ctx, line, (size_t)n);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err;
}

const char *tl_json_line_why(int err)
{
	if (err == -EBADMSG)
		return "not a JSON object";
	return err == -EINVAL ? "an event without its members" : NULL;
}
