#include "tracer/proto/tcp_options.h"

#include <stdio.h>
#include <string.h>

#include "common/fmt.h"
#include "tracer/proto/be.h"

enum {
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WS = 3,
	OPT_SACK_PERM = 4,
	OPT_SACK = 5,
	OPT_TS = 8,
	OPT_TFO = 34,
	OPT_EXP1 = 253,
	OPT_EXP2 = 254,
};

/* RFC 7413 4.1.3: Fast Open before it had kind 34, as an experimental
 * option with this ExID (RFC 6994), which Linux still parses and answers in. */
#define TFO_EXID 0xf989

static void opts_add_sack(struct tl_tcp_opts *o, const __u8 *p, size_t n)
{
	for (; n >= 8 && o->nsack < TL_TCP_OPTS_MAX_SACK; p += 8, n -= 8) {
		o->sack_left[o->nsack] = tl_be32(p);
		o->sack_right[o->nsack] = tl_be32(p + 4);
		o->nsack++;
	}
}

/* A Fast Open option with cookie_len bytes of cookie: none asks for one. */
static int opts_store_tfo(struct tl_tcp_opts *o, size_t cookie_len)
{
	if (o->tfo)
		return -1;
	o->tfo = cookie_len ? TL_TFO_COOKIE : TL_TFO_REQUEST;
	return OPT_TFO;
}

/* RFC 6994: an experimental option names its experiment by a 16-bit ExID. */
static int opts_store_exp(struct tl_tcp_opts *o, __u8 kind, const __u8 *p, size_t n)
{
	__u16 exid;

	if (n < 4)
		return -1;
	exid = tl_be16(p + 2);
	if (exid == TFO_EXID)
		return opts_store_tfo(o, n - 4);
	if (o->has_exid)
		return -1;
	o->exid = exid;
	o->has_exid = true;
	return kind;
}

/* Stores one well-formed option; returns the kind to list for it, or -1
 * when its length is wrong for its kind or it repeats one already stored,
 * so that kinds lists exactly the options the struct holds (plus NOP, EOL
 * and unknown kinds). */
static int opts_store(struct tl_tcp_opts *o, __u8 kind, const __u8 *p, size_t n)
{
	switch (kind) {
	case OPT_MSS:
		if (n != 4 || o->has_mss)
			return -1;
		o->mss = tl_be16(p + 2);
		o->has_mss = true;
		break;
	case OPT_WS:
		if (n != 3 || o->has_wscale)
			return -1;
		o->wscale = p[2];
		o->has_wscale = true;
		break;
	case OPT_SACK_PERM:
		if (n != 2 || o->sack_perm)
			return -1;
		o->sack_perm = true;
		break;
	case OPT_TS:
		if (n != 10 || o->has_ts)
			return -1;
		o->tsval = tl_be32(p + 2);
		o->tsecr = tl_be32(p + 6);
		o->has_ts = true;
		break;
	case OPT_SACK: {
		bool first = o->nsack == 0;

		if (n < 10 || (n - 2) % 8)
			return -1;
		/* A second SACK's blocks are printed with the first one's. */
		opts_add_sack(o, p + 2, n - 2);
		return first ? OPT_SACK : -1;
	}
	case OPT_TFO:
		return opts_store_tfo(o, n - 2);
	case OPT_EXP1:
	case OPT_EXP2:
		return opts_store_exp(o, kind, p, n);
	}
	return kind;
}

static void opts_add_kind(struct tl_tcp_opts *o, __u8 kind)
{
	if (o->nkinds < sizeof(o->kinds))
		o->kinds[o->nkinds++] = kind;
}

void tl_tcp_options_parse(const __u8 *buf, size_t len, struct tl_tcp_opts *o)
{
	static const __u8 nop_nop_ts[] = {OPT_NOP, OPT_NOP, OPT_TS, 10};
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	/* What Linux puts on every segment after the handshake, read at once. */
	if (len == 12 && !memcmp(buf, nop_nop_ts, sizeof(nop_nop_ts))) {
		memcpy(o->kinds, nop_nop_ts, 3);
		o->nkinds = 3;
		o->tsval = tl_be32(buf + 4);
		o->tsecr = tl_be32(buf + 8);
		o->has_ts = true;
		return;
	}
	while (i < len) {
		__u8 kind = buf[i];
		size_t n;
		int stored;

		if (kind == OPT_NOP || kind == OPT_EOL) {
			opts_add_kind(o, kind);
			/* What follows an EOL is padding: Wireshark stops there too. */
			if (kind == OPT_EOL)
				return;
			i++;
			continue;
		}
		n = i + 1 < len ? buf[i + 1] : 0;
		if (n < 2 || n > len - i) {
			o->malformed = true;
			return;
		}
		stored = opts_store(o, kind, buf + i, n);
		if (stored >= 0)
			opts_add_kind(o, (__u8)stored);
		i += n;
	}
}

/* Starts one space-separated item. Inline, as the next: the names are
 * literals, whose lengths then fold. */
static inline __attribute__((always_inline)) void opts_item(struct tl_fmt *f, const char *name)
{
	if (f->len)
		tl_fmt_char(f, ' ');
	tl_fmt_str(f, name);
}

static inline __attribute__((always_inline)) void opts_uint_item(struct tl_fmt *f, const char *name,
								 uint64_t v)
{
	opts_item(f, name);
	tl_fmt_uint(f, v);
}

static void opts_print_kind(const struct tl_tcp_opts *o, __u8 kind, __u32 sack_base,
			    struct tl_fmt *f)
{
	char exid[16];
	__u8 i;

	switch (kind) {
	case OPT_MSS:
		opts_uint_item(f, "MSS=", o->mss);
		break;
	case OPT_WS:
		opts_uint_item(f, "WS=", 1u << tl_tcp_wscale_shift(o));
		break;
	case OPT_SACK_PERM:
		opts_item(f, "SACK_PERM");
		break;
	case OPT_TFO:
		opts_item(f, o->tfo == TL_TFO_COOKIE ? "TFO=C" : "TFO=R");
		break;
	case OPT_EXP1:
	case OPT_EXP2:
		/* Wireshark 4.0 writes the ExID in upper-case hex. */
		snprintf(exid, sizeof(exid), "ExID=%X", o->exid);
		opts_item(f, exid);
		break;
	case OPT_TS:
		opts_uint_item(f, "TSval=", o->tsval);
		opts_uint_item(f, "TSecr=", o->tsecr);
		break;
	case OPT_SACK:
		for (i = 0; i < o->nsack; i++) {
			opts_uint_item(f, "SLE=", (__u32)(o->sack_left[i] - sack_base));
			opts_uint_item(f, "SRE=", (__u32)(o->sack_right[i] - sack_base));
		}
		break;
	}
}

size_t tl_tcp_options_fmt(const struct tl_tcp_opts *o, __u32 sack_base, bool ts, char *buf,
			  size_t size)
{
	struct tl_fmt f;
	__u8 i;

	if (!size)
		return 0;
	tl_fmt_init(&f, buf, size);
	/* Most segments list NOP, NOP, TS: print nothing for those here. */
	for (i = 0; i < o->nkinds && i < sizeof(o->kinds); i++)
		if ((ts || o->kinds[i] != OPT_TS) && o->kinds[i] != OPT_NOP &&
		    o->kinds[i] != OPT_EOL)
			opts_print_kind(o, o->kinds[i], sack_base, &f);
	return f.len;
}

bool tl_tcp_options_ts_only(const struct tl_tcp_opts *o)
{
	if (!o->has_ts)
		return false;
	for (__u8 i = 0; i < o->nkinds && i < sizeof(o->kinds); i++)
		if (o->kinds[i] != OPT_TS && o->kinds[i] != OPT_NOP && o->kinds[i] != OPT_EOL)
			return false;
	return true;
}

const char *tl_tcp_options_str(const struct tl_tcp_opts *o, __u32 sack_base, char *buf, size_t size)
{
	tl_tcp_options_fmt(o, sack_base, true, buf, size);
	return buf;
}
