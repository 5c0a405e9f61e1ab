/* Builds one JSON object per line. Strings are escaped so that the output is
 * valid JSON and valid UTF-8 whatever bytes they hold: control characters
 * become \uXXXX, and each byte of an invalid UTF-8 sequence becomes U+FFFD. */
#ifndef TL_JSON_WRITER_H
#define TL_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"

/* Kept lines are written once they reach this much, always whole. */
#define TL_JSON_BATCH_MAX ((size_t)64 << 10)

struct tl_json {
	char *buf;
	size_t len, cap;
	size_t line; /* where the line being built starts: lines before it wait */
	bool need_comma;
	bool oom;     /* an allocation failed: the line is dropped, not cut */
	bool batched; /* tl_json_end keeps lines until tl_json_flush */
	/* The whole seconds of the latest time written, and their digits:
	 * every line starts with a time, and they change once a second. */
	uint64_t sec;
	size_t sec_len; /* 0: none yet */
	char sec_digits[TL_FMT_DEC_MAX];
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

/* What the members below write after their key. */
/* tl_json_grow: room for n more bytes, growing the buffer; false once an
 * allocation failed: then the line is lost, and later writes are skipped
 * rather than leaving a cut object. */
bool tl_json_grow(struct tl_json *j, size_t n);
/* tl_json_escape: appends the escaped, quoted form of len bytes to j. */
void tl_json_escape(struct tl_json *j, const void *val, size_t len);
/* "[-]whole[.frac]" with frac_width fraction digits (0: none), frac below
 * 10^frac_width. */
void tl_json_number(struct tl_json *j, bool neg, uint64_t whole, uint64_t frac, int frac_width);
/* Forced inline, as the members below: a line is some twenty of them,
 * their keys are literals and most of their values short, so each one's
 * length and copy fold where it is written instead of costing a call, a
 * strlen and a memcpy of unknown length. */
#define TL_JSON_INLINE static inline __attribute__((always_inline))

TL_JSON_INLINE bool tl_json_room(struct tl_json *j, size_t n)
{
	return (!j->oom && n <= j->cap - j->len) || tl_json_grow(j, n);
}

/* n bytes as they are. */
TL_JSON_INLINE void tl_json_put(struct tl_json *j, const void *p, size_t n)
{
	if (!tl_json_room(j, n))
		return;
	memcpy(j->buf + j->len, p, n);
	j->len += n;
}

/* tl_json_member: the separator and, outside arrays (key NULL), the key
 * of the next value, with room for n bytes of it after; false (nothing
 * written) when there is none. One room check for both: a check costs as
 * much as a short member, since every write through the buffer makes the
 * writer's fields be read again. */
TL_JSON_INLINE bool tl_json_member(struct tl_json *j, const char *key, size_t n)
{
	const size_t kn = key ? strlen(key) : 0;
	char *p;

	if (!tl_json_room(j, kn + 4 + n))
		return false;
	p = j->buf + j->len;
	if (j->need_comma)
		*p++ = ',';
	j->need_comma = true;
	if (key) {
		*p++ = '"';
		memcpy(p, key, kn);
		p += kn;
		*p++ = '"';
		*p++ = ':';
	}
	j->len = (size_t)(p - j->buf);
	return true;
}

/* The separator and the key alone, for values that make their own room. */
TL_JSON_INLINE void tl_json_key(struct tl_json *j, const char *key) { tl_json_member(j, key, 0); }

/* Members. Keys are trusted ASCII literals; values are escaped. */
TL_JSON_INLINE void tl_json_str(struct tl_json *j, const char *key, const char *val)
{
	tl_json_key(j, key);
	tl_json_escape(j, val, strlen(val));
}

/* A string of this program's own making, known to need no escape (a
 * type, a state's or a side's name, the flags, the options): quoted as it
 * is, without the escaper's pass over every byte. */
TL_JSON_INLINE void tl_json_name(struct tl_json *j, const char *key, const char *val)
{
	const size_t n = strlen(val);

	if (!tl_json_member(j, key, n + 2))
		return;
	j->buf[j->len] = '"';
	memcpy(j->buf + j->len + 1, val, n);
	j->buf[j->len + 1 + n] = '"';
	j->len += n + 2;
}

/* A string from len raw bytes (may hold NUL). */
TL_JSON_INLINE void tl_json_strn(struct tl_json *j, const char *key, const void *val, size_t len)
{
	tl_json_key(j, key);
	tl_json_escape(j, val, len);
}

/* In place, as tl_json_uint: an HTTP line's status and length. */
TL_JSON_INLINE void tl_json_int(struct tl_json *j, const char *key, int64_t val)
{
	char *p;

	if (!tl_json_member(j, key, TL_FMT_DEC_MAX + 1))
		return;
	p = j->buf + j->len;
	if (val < 0)
		*p++ = '-';
	/* Negated in unsigned arithmetic, so that INT64_MIN does not overflow. */
	j->len = (size_t)(tl_fmt_dec(p, val < 0 ? 0 - (uint64_t)val : (uint64_t)val) - j->buf);
}

/* Its digits written in place here, not through tl_json_number: the most
 * frequent member, a dozen per packet. */
TL_JSON_INLINE void tl_json_uint(struct tl_json *j, const char *key, uint64_t val)
{
	if (tl_json_member(j, key, TL_FMT_DEC_MAX))
		j->len = (size_t)(tl_fmt_dec(j->buf + j->len, val) - j->buf);
}

TL_JSON_INLINE void tl_json_bool(struct tl_json *j, const char *key, bool val)
{
	if (!tl_json_member(j, key, 5))
		return;
	/* Five bytes either way: "true" has room for its stray fifth. */
	memcpy(j->buf + j->len, val ? "true " : "false", 5);
	j->len += val ? 4 : 5;
}

TL_JSON_INLINE void tl_json_null(struct tl_json *j, const char *key)
{
	if (!tl_json_member(j, key, 4))
		return;
	memcpy(j->buf + j->len, "null", 4);
	j->len += 4;
}

/* tl_json_seconds: ns as seconds with six decimals. */
void tl_json_seconds(struct tl_json *j, uint64_t ns);

/* A number with six decimals, e.g. a time in seconds: ns / 1e9. Integer
 * math, cut (not rounded) to the last digit shown: a double has too few
 * digits for nanoseconds since 1970. */
TL_JSON_INLINE void tl_json_time(struct tl_json *j, const char *key, uint64_t ns)
{
	tl_json_key(j, key);
	tl_json_seconds(j, ns);
}

/* A number in milliseconds with three decimals from nanoseconds. */
TL_JSON_INLINE void tl_json_ms(struct tl_json *j, const char *key, uint64_t ns)
{
	tl_json_key(j, key);
	tl_json_number(j, false, ns / 1000000, ns % 1000000 / 1000, 3);
}

/* The same with six decimals, for spans as short as a loopback RTT. */
TL_JSON_INLINE void tl_json_ms6(struct tl_json *j, const char *key, uint64_t ns)
{
	tl_json_key(j, key);
	tl_json_number(j, false, ns / 1000000, ns % 1000000, 6);
}

/* Starts an array or object member; close it with tl_json_close(j, ']'/'}'). */
TL_JSON_INLINE void tl_json_open(struct tl_json *j, const char *key, char bracket)
{
	if (tl_json_member(j, key, 1))
		j->buf[j->len++] = bracket;
	j->need_comma = false;
}

TL_JSON_INLINE void tl_json_close(struct tl_json *j, char bracket)
{
	tl_json_put(j, &bracket, 1);
	j->need_comma = true;
}

/* Array elements (inside tl_json_open(j, key, '[')). */
TL_JSON_INLINE void tl_json_elem_uint(struct tl_json *j, uint64_t val)
{
	tl_json_uint(j, NULL, val);
}

TL_JSON_INLINE void tl_json_elem_str(struct tl_json *j, const char *val)
{
	tl_json_str(j, NULL, val);
}

/* Appends members made earlier by this writer (each with its leading
 * comma), e.g. cached from a former line: src from j->buf at a mark. */
void tl_json_raw(struct tl_json *j, const char *src, size_t len);

#endif
