/* The INPUT of `report` and `grade`: a --json trace (JSON lines) or,
 * anything else, a capture left to libpcap. One rule for telling them
 * apart and one reader of the lines (`compare`'s trace too), so that the
 * commands take the same files and count lines the same way. */
#ifndef TL_TRACE_INPUT_H
#define TL_TRACE_INPUT_H

#include <stddef.h>
#include <stdio.h>

/* tl_input_is_json: 1 when the first text that is not white space is '{',
 * 0 otherwise, -errno when path cannot be read. */
int tl_input_is_json(const char *path);

/* tl_json_lines: each line of f that is not blank to read(ctx, line, len),
 * until one fails; *lineno counts the lines read. Returns 0, read's
 * error, or -EIO. */
int tl_json_lines(FILE *f, int (*read)(void *ctx, const char *line, size_t len), void *ctx,
		  size_t *lineno);

/* tl_json_line_why: the one-line reason for a line read's -EBADMSG or
 * -EINVAL; NULL for another error. */
const char *tl_json_line_why(int err);

#endif
