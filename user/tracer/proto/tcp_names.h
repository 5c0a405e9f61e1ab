/* Names of TCP states and flags, as the kernel and Wireshark write them. */
#ifndef TL_TCP_NAMES_H
#define TL_TCP_NAMES_H

#include <linux/types.h>
#include <stddef.h>

/* TIME_WAIT is never a kernel state event; tcplife-http infers it and uses
 * this number (the kernel's TCP_TIME_WAIT) for it. */
enum tl_tcp_state {
	TL_ESTABLISHED = 1,
	TL_SYN_SENT,
	TL_SYN_RECV,
	TL_FIN_WAIT1,
	TL_FIN_WAIT2,
	TL_TIME_WAIT,
	TL_CLOSE,
	TL_CLOSE_WAIT,
	TL_LAST_ACK,
	TL_LISTEN,
	TL_CLOSING,
	TL_NEW_SYN_RECV,
};

/* "ESTABLISHED", "SYN_SENT", ...; "UNKNOWN(n)" is never returned: unknown
 * numbers give "UNKNOWN". */
const char *tl_tcp_state_name(int state);

/* tl_tcp_flags_str: "SYN, ACK" in Wireshark's order and spelling (FIN, SYN,
 * RST, PSH, ACK, URG, ECE, CWR, AE); "<None>" for no flag. Returns buf. */
const char *tl_tcp_flags_str(__u16 flags, char *buf, size_t size);

/* tl_tcp_flags_write: the same text into out, which has TL_TCP_FLAGS_ROOM
 * bytes (some past the text are written over); returns its length. For the
 * outputs, which write it straight into their line. */
#define TL_TCP_FLAGS_ROOM 64
size_t tl_tcp_flags_write(__u16 flags, char *out);

/* tl_tcp_flags_parse: the bits of a text tl_tcp_flags_str wrote ("SYN, ACK",
 * "<None>"). Returns 0, or -EINVAL for any other text, "Reserved" included
 * (its three bits cannot be told apart); *out then holds the bits of the
 * names it knew. */
int tl_tcp_flags_parse(const char *s, __u16 *out);

#endif
