#include "tracer/tcp_options.h"

#include <string.h>

#include "tracer/fmt.h"

enum {
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WS = 3,
	OPT_SACK_PERM = 4,
	OPT_SACK = 5,
	OPT_TS = 8,
};


static __u32 get_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void opts_add_sack(struct tl_tcp_opts *o, const __u8 *p, size_t n)
{
	for (; n >= 8 && o->nsack < TL_TCP_OPTS_MAX_SACK; p += 8, n -= 8) {
		o->sack_left[o->nsack] = get_be32(p);
		o->sack_right[o->nsack] = get_be32(p + 4);
		o->nsack++;
	}
}

/* Stores one well-formed option; returns false when its length is wrong for
 * its kind or it repeats one already stored, so that kinds lists exactly the
 * options the struct holds (plus NOP, EOL and unknown kinds). */
static bool opts_store(struct tl_tcp_opts *o, __u8 kind, const __u8 *p, size_t n)
{
	switch (kind) {
	case OPT_MSS:
		if (n != 4 || o->has_mss)
			return false;
		o->mss = (__u16)(p[2] << 8 | p[3]);
		o->has_mss = true;
		break;
	case OPT_WS:
		if (n != 3 || o->has_wscale)
			return false;
		o->wscale = p[2];
		o->has_wscale = true;
		break;
	case OPT_SACK_PERM:
		if (n != 2 || o->sack_perm)
			return false;
		o->sack_perm = true;
		break;
	case OPT_TS:
		if (n != 10 || o->has_ts)
			return false;
		o->tsval = get_be32(p + 2);
		o->tsecr = get_be32(p + 6);
		o->has_ts = true;
		break;
	case OPT_SACK: {
		bool first = o->nsack == 0;

		if (n < 10 || (n - 2) % 8)
			return false;
		/* A second SACK's blocks are printed with the first one's. */
		opts_add_sack(o, p + 2, n - 2);
		return first;
	}
	}
	return true;
}

static void opts_add_kind(struct tl_tcp_opts *o, __u8 kind)
{
	if (o->nkinds < sizeof(o->kinds))
		o->kinds[o->nkinds++] = kind;
}

void tl_tcp_options_parse(const __u8 *buf, size_t len, struct tl_tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		__u8 kind = buf[i];
		size_t n;

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
		if (opts_store(o, kind, buf + i, n))
			opts_add_kind(o, kind);
		i += n;
	}
}

/* Starts one space-separated item. */
static void opts_item(struct tl_fmt *f, const char *name)
{
	if (f->len)
		tl_fmt_char(f, ' ');
	tl_fmt_str(f, name);
}

static void opts_uint_item(struct tl_fmt *f, const char *name, uint64_t v)
{
	opts_item(f, name);
	tl_fmt_uint(f, v);
}

static void opts_print_kind(const struct tl_tcp_opts *o, __u8 kind, __u32 sack_base,
			    struct tl_fmt *f)
{
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

const char *tl_tcp_options_str(const struct tl_tcp_opts *o, __u32 sack_base, char *buf,
			       size_t size)
{
	struct tl_fmt f;
	__u8 i;

	if (!size)
		return buf;
	tl_fmt_init(&f, buf, size);
	for (i = 0; i < o->nkinds && i < sizeof(o->kinds); i++)
		opts_print_kind(o, o->kinds[i], sack_base, &f);
	return buf;
}
