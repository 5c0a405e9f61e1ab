/* TCP options: parsing the raw bytes a packet record carries, and writing
 * them the way Wireshark's Info column does. */
#ifndef TL_TCP_OPTIONS_H
#define TL_TCP_OPTIONS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define TL_TCP_OPTS_MAX_SACK 4

/* TCP Fast Open (RFC 7413): a SYN asking for a cookie, or carrying one (the
 * SYN-ACK's answer too). */
enum tl_tcp_tfo { TL_TFO_NONE, TL_TFO_REQUEST, TL_TFO_COOKIE };

struct tl_tcp_opts {
	bool has_mss, has_wscale, sack_perm, has_ts;
	bool malformed; /* a length byte ran past the end or was < 2 */
	__u16 mss;
	__u8 wscale; /* the shift count as sent */
	__u32 tsval, tsecr;
	__u8 nsack; /* SACK blocks, at most TL_TCP_OPTS_MAX_SACK kept */
	__u32 sack_left[TL_TCP_OPTS_MAX_SACK], sack_right[TL_TCP_OPTS_MAX_SACK];
	__u8 tfo; /* enum tl_tcp_tfo */
	bool has_exid;
	__u16 exid; /* an experimental option's ExID, Fast Open's apart */
	/* Option kinds in the order they appear (NOP and EOL included), for
	 * printing in packet order as Wireshark does; Fast Open's experimental
	 * form (254, magic 0xF989) is listed as 34. */
	__u8 nkinds;
	__u8 kinds[40];
};

/* tl_tcp_wscale_shift: the window scale shift in force, or -1 without the
 * option. RFC 7323 2.3: a shift above 14 is taken as 14 (so does Wireshark,
 * and shifting by the raw byte could overflow). */
static inline int tl_tcp_wscale_shift(const struct tl_tcp_opts *o)
{
	if (!o->has_wscale)
		return -1;
	return o->wscale > 14 ? 14 : o->wscale;
}

/* tl_tcp_options_parse: parses len (<= 40) bytes of options. Never reads
 * past len; unknown kinds are skipped by their length byte. */
void tl_tcp_options_parse(const __u8 *buf, size_t len, struct tl_tcp_opts *o);

/* tl_tcp_options_str: "MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=128 TFO=R", the
 * options Wireshark lists in its Info column, in packet order; "" when none.
 * SACK edges are written relative to sack_base (the ISN of the side being
 * acknowledged, as Wireshark does; 0 for raw numbers). Always
 * NUL-terminates; returns buf. */
const char *tl_tcp_options_str(const struct tl_tcp_opts *o, __u32 sack_base, char *buf,
			       size_t size);

/* tl_tcp_options_fmt: the same, with TSval/TSecr only when ts; returns the
 * length written (0 when size is 0, which writes nothing), so that a line
 * built around it need not measure it again. */
size_t tl_tcp_options_fmt(const struct tl_tcp_opts *o, __u32 sack_base, bool ts, char *buf,
			  size_t size);

/* tl_tcp_options_ts_only: whether the text with timestamps is just
 * "TSval=... TSecr=...": the other kinds listed are NOP and EOL, which it
 * leaves out; what Linux sends on every segment after a handshake, so a
 * writer that has the two numbers' digits already can copy them. */
bool tl_tcp_options_ts_only(const struct tl_tcp_opts *o);

#endif
