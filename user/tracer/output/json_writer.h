/* Builds one JSON object per line. Strings are escaped so that the output is
 * valid JSON and valid UTF-8 whatever bytes they hold: control characters
 * become \uXXXX, and each byte of an invalid UTF-8 sequence becomes U+FFFD. */
#ifndef TL_JSON_WRITER_H
#define TL_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Kept lines are written once they reach this much, always whole. */
#define TL_JSON_BATCH_MAX ((size_t)64 << 10)

struct tl_json {
	char *buf;
	size_t len, cap;
	size_t line; /* where the line being built starts: lines before it wait */
	bool need_comma;
	bool oom;     /* an allocation failed: the line is dropped, not cut */
	bool batched; /* tl_json_end keeps lines until tl_json_flush */
};

/* Starts a line: "{" . */
void tl_json_begin(struct tl_json *j);
/* Ends the object with "}\n". Unbatched, writes the line to f and flushes
 * f; batched, keeps it until tl_json_flush, or writes the lines kept once
 * they fill TL_JSON_BATCH_MAX. Returns 0 or -errno. */
int tl_json_end(struct tl_json *j, FILE *f);
/* Writes the whole lines kept and flushes f: one write for many events. */
int tl_json_flush(struct tl_json *j, FILE *f);
void tl_json_free(struct tl_json *j);

/* Members. Keys are trusted ASCII literals; values are escaped. */
void tl_json_str(struct tl_json *j, const char *key, const char *val);
/* A string from len raw bytes (may hold NUL). */
void tl_json_strn(struct tl_json *j, const char *key, const void *val, size_t len);
void tl_json_int(struct tl_json *j, const char *key, int64_t val);
void tl_json_uint(struct tl_json *j, const char *key, uint64_t val);
void tl_json_bool(struct tl_json *j, const char *key, bool val);
void tl_json_null(struct tl_json *j, const char *key);
/* A number with six decimals, e.g. a time in seconds: ns / 1e9. */
void tl_json_time(struct tl_json *j, const char *key, uint64_t ns);
/* A number in milliseconds with three decimals from nanoseconds. */
void tl_json_ms(struct tl_json *j, const char *key, uint64_t ns);
/* The same with six decimals, for spans as short as a loopback RTT. */
void tl_json_ms6(struct tl_json *j, const char *key, uint64_t ns);
/* Starts an array or object member; close it with tl_json_close(j, ']'/'}'). */
void tl_json_open(struct tl_json *j, const char *key, char bracket);
void tl_json_close(struct tl_json *j, char bracket);
/* Array elements (inside tl_json_open(j, key, '[')). */
void tl_json_elem_uint(struct tl_json *j, uint64_t val);
void tl_json_elem_str(struct tl_json *j, const char *val);

/* Appends members made earlier by this writer (each with its leading
 * comma), e.g. cached from a former line: src from j->buf at a mark. */
void tl_json_raw(struct tl_json *j, const char *src, size_t len);

/* tl_json_escape: appends the escaped, quoted form of len bytes to j. */
void tl_json_escape(struct tl_json *j, const void *val, size_t len);

#endif
