#include "tracer/output/json_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fmt.h"
#include "common/swar.h"
#include "common/vec.h"
#include "common/utf8.h"

#define JSON_MIN_CAP 256
/* The longest a byte can grow when escaped: "\u001f" or "\ufffd". */
#define JSON_ESC_MAX 6

bool tl_json_grow(struct tl_json *j, size_t n)
{
	if (j->oom || vec_grow_bytes(&j->buf, &j->cap, j->len, n, JSON_MIN_CAP)) {
		j->oom = true;
		return false;
	}
	return true;
}

void tl_json_begin(struct tl_json *j)
{
	j->len = j->line;
	j->need_comma = false;
	j->oom = false;
	tl_json_put(j, "{", 1);
}

int tl_json_flush(struct tl_json *j, FILE *f)
{
	size_t len = j->line;

	j->line = 0;
	j->len = 0;
	errno = 0;
	if ((len && fwrite(j->buf, 1, len, f) != len) || fflush(f))
		return errno ? -errno : -EIO;
	return 0;
}

int tl_json_end(struct tl_json *j, FILE *f)
{
	tl_json_put(j, "}\n", 2);
	j->need_comma = false;
	if (j->oom) {
		j->len = j->line;
		return -ENOMEM;
	}
	j->line = j->len;
	if (j->batched && j->line < TL_JSON_BATCH_MAX)
		return 0;
	return tl_json_flush(j, f);
}

void tl_json_free(struct tl_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

/* Writes the escape of one ASCII byte that may not stand as itself; returns
 * its length. */
static size_t json_escape_ascii(char *out, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	static const char shortform[] = {['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f',
					 ['\r'] = 'r', ['"'] = '"',  ['\\'] = '\\'};

	out[0] = '\\';
	if (c < sizeof(shortform) && shortform[c]) {
		out[1] = shortform[c];
		return 2;
	}
	memcpy(out + 1, "u00", 3);
	out[4] = hex[c >> 4];
	out[5] = hex[c & 0xf];
	return JSON_ESC_MAX;
}

/* Whether a byte of the eight in w may not stand for itself: below 0x20,
 * at or above 0x80, '"' or '\\'. */
static bool json_word_special(uint64_t w)
{
	return tl_swar_below(w, 0x20) | tl_swar_high(w) | tl_swar_eq(w, '"') | tl_swar_eq(w, '\\');
}

/* json_plain_copy: copies to out the bytes from p that stand for
 * themselves (printable ASCII but '"' and '\\'); returns how many. Nearly
 * every string is one such run: eight bytes are checked and copied at a
 * time while they last. */
static size_t json_plain_copy(char *out, const uint8_t *p, size_t len)
{
	size_t n = 0;
	uint64_t w;

	for (; len - n >= sizeof(w); n += sizeof(w)) {
		memcpy(&w, p + n, sizeof(w));
		if (json_word_special(w))
			break;
		memcpy(out + n, &w, sizeof(w));
	}
	while (n < len && p[n] >= 0x20 && p[n] < 0x80 && p[n] != '"' && p[n] != '\\') {
		out[n] = (char)p[n];
		n++;
	}
	return n;
}

/* Every byte is written into room reserved for the worst case up front, so
 * the loop itself needs no bounds checks. */
void tl_json_escape(struct tl_json *j, const void *val, size_t len)
{
	const uint8_t *p = val;
	char *out;
	size_t i = 0, n;
	uint32_t cp;

	if (len > (SIZE_MAX - 2) / JSON_ESC_MAX || !tl_json_room(j, len * JSON_ESC_MAX + 2)) {
		j->oom = true;
		return;
	}
	out = j->buf + j->len;
	*out++ = '"';
	while (i < len) {
		n = json_plain_copy(out, p + i, len - i);
		if (n) {
			out += n;
			i += n;
			continue;
		}
		if (p[i] >= 0x80) {
			n = tl_utf8_seq(p + i, len - i, &cp);
			if (n) {
				memcpy(out, p + i, n);
				out += n;
				i += n;
			} else {
				memcpy(out, "\\ufffd", JSON_ESC_MAX);
				out += JSON_ESC_MAX;
				i++;
			}
		} else {
			out += json_escape_ascii(out, p[i++]);
		}
	}
	*out++ = '"';
	j->len = (size_t)(out - j->buf);
}

void tl_json_raw(struct tl_json *j, const char *src, size_t len)
{
	tl_json_put(j, src, len);
	j->need_comma = true;
}

/* The longest number tl_json_number writes: "-" and 20 digits, or 20 digits,
 * "." and 24 fraction digits. */
#define JSON_NUM_MAX 48

/* Written in place, its digits counted first: a packet's line holds twenty
 * numbers. */
void tl_json_number(struct tl_json *j, bool neg, uint64_t whole, uint64_t frac, int frac_width)
{
	char *p;

	if (!tl_json_room(j, JSON_NUM_MAX))
		return;
	p = j->buf + j->len;
	if (neg)
		*p++ = '-';
	p = tl_fmt_dec(p, whole);
	if (frac_width) {
		frac_width = frac_width > 24 ? 24 : frac_width;
		*p++ = '.';
		p += frac_width;
		tl_fmt_digits(p, frac, frac_width);
	}
	j->len = (size_t)(p - j->buf);
}

void tl_json_seconds(struct tl_json *j, uint64_t ns)
{
	const uint64_t sec = ns / 1000000000;
	char *p;

	if (!tl_json_room(j, sizeof(j->sec_digits) + 7))
		return;
	if (!j->sec_len || sec != j->sec) {
		j->sec = sec;
		j->sec_len = (size_t)(tl_fmt_dec(j->sec_digits, sec) - j->sec_digits);
	}
	/* All of sec_digits, a constant length that copies inline; the bytes
	 * past sec_len are written over. */
	p = j->buf + j->len;
	memcpy(p, j->sec_digits, sizeof(j->sec_digits));
	p += j->sec_len;
	*p++ = '.';
	p += 6;
	tl_fmt_digits(p, ns % 1000000000 / 1000, 6);
	j->len = (size_t)(p - j->buf);
}
