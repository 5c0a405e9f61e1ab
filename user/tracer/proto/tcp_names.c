#include "tracer/proto/tcp_names.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tcplife_http.h"
#include "common/util.h"

static const char *const tcp_names_states[] = {
    [TL_ESTABLISHED] = "ESTABLISHED",
    [TL_SYN_SENT] = "SYN_SENT",
    [TL_SYN_RECV] = "SYN_RECV",
    [TL_FIN_WAIT1] = "FIN_WAIT1",
    [TL_FIN_WAIT2] = "FIN_WAIT2",
    [TL_TIME_WAIT] = "TIME_WAIT",
    [TL_CLOSE] = "CLOSE",
    [TL_CLOSE_WAIT] = "CLOSE_WAIT",
    [TL_LAST_ACK] = "LAST_ACK",
    [TL_LISTEN] = "LISTEN",
    [TL_CLOSING] = "CLOSING",
    [TL_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

/* The three bits between AE and the data offset, which Wireshark names
 * together. */
#define TCP_NAMES_RESERVED 0x0e00

/* Wireshark's order and spelling, checked against tshark 4.0's Info column.
 * Each name is kept with the separator that follows it, in a slot copied
 * whole: every segment of a trace names its flags, so writing them is a
 * fixed copy per flag set, not a bounded append of a measured string. */
#define TCP_NAMES_SLOT 16
#define TCP_NAMES_FLAG(bit, name)                                                                  \
	{                                                                                          \
		bit, name ", ", sizeof(name) - 1                                                   \
	}
static const struct {
	__u16 bit;
	char name[TCP_NAMES_SLOT]; /* "FIN, ": the name, then ", " */
	__u8 len;		   /* of the name alone */
} tcp_names_flags[] = {
    TCP_NAMES_FLAG(TL_FIN, "FIN"), TCP_NAMES_FLAG(TL_SYN, "SYN"),
    TCP_NAMES_FLAG(TL_RST, "RST"), TCP_NAMES_FLAG(TL_PSH, "PSH"),
    TCP_NAMES_FLAG(TL_ACK, "ACK"), TCP_NAMES_FLAG(TL_URG, "URG"),
    TCP_NAMES_FLAG(TL_ECE, "ECE"), TCP_NAMES_FLAG(TL_CWR, "CWR"),
    TCP_NAMES_FLAG(TL_AE, "AE"),   TCP_NAMES_FLAG(TCP_NAMES_RESERVED, "Reserved"),
};

/* The bits some name stands for: with none of them, "<None>". */
#define TCP_NAMES_ANY 0x0fff
/* The last slot copied starts at most this far before the room's end. */
_Static_assert(TL_TCP_FLAGS_ROOM >=
		   sizeof("FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE, ") - 1 + TCP_NAMES_SLOT,
	       "TL_TCP_FLAGS_ROOM holds every flag's slot");

const char *tl_tcp_state_name(int state)
{
	if (state < 0 || (size_t)state >= ARRAY_SIZE(tcp_names_states) || !tcp_names_states[state])
		return "UNKNOWN";
	return tcp_names_states[state];
}

/* Appends ", " (unless first) and name only if both fit, so that a short
 * buffer holds whole names. */
static void tcp_names_append(char *buf, size_t size, size_t *off, bool first, const char *name,
			     size_t nn)
{
	const char *sep = first ? "" : ", ";
	size_t ns = first ? 0 : 2;

	if (ns + nn >= size - *off)
		return;
	memcpy(buf + *off, sep, ns);
	memcpy(buf + *off + ns, name, nn);
	*off += ns + nn;
	buf[*off] = '\0';
}

size_t tl_tcp_flags_write(__u16 flags, char *out)
{
	char *p = out;

	if (!(flags & TCP_NAMES_ANY)) {
		memcpy(out, "<None>", sizeof("<None>"));
		return sizeof("<None>") - 1;
	}
	/* The bits are in the names' order: only the set ones are visited. */
	for (unsigned int b = flags & TCP_NAMES_ANY; b; b &= b - 1) {
		int i = __builtin_ctz(b);

		if (i >= (int)ARRAY_SIZE(tcp_names_flags) - 1)
			i = ARRAY_SIZE(tcp_names_flags) - 1; /* Reserved, once for its bits */
		memcpy(p, tcp_names_flags[i].name, TCP_NAMES_SLOT);
		p += tcp_names_flags[i].len + 2;
		if (i == ARRAY_SIZE(tcp_names_flags) - 1)
			break;
	}
	p -= 2; /* the last ", " */
	*p = '\0';
	return (size_t)(p - out);
}

const char *tl_tcp_flags_str(__u16 flags, char *buf, size_t size)
{
	size_t off = 0, i;
	bool any = false;

	if (size >= TL_TCP_FLAGS_ROOM) {
		tl_tcp_flags_write(flags, buf);
		return buf;
	}
	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(tcp_names_flags); i++) {
		if (!(flags & tcp_names_flags[i].bit))
			continue;
		tcp_names_append(buf, size, &off, !any, tcp_names_flags[i].name,
				 tcp_names_flags[i].len);
		any = true;
	}
	if (!any)
		tcp_names_append(buf, size, &off, true, "<None>", strlen("<None>"));
	return buf;
}

int tl_tcp_flags_parse(const char *s, __u16 *out)
{
	char again[64];
	__u16 flags = 0;

	for (const char *p = s; *p; p += strspn(p, ", ")) {
		size_t n = strcspn(p, ",");

		/* "Reserved" names three bits together: it gives none back. */
		for (size_t i = 0; i < ARRAY_SIZE(tcp_names_flags); i++)
			if (tcp_names_flags[i].bit != TCP_NAMES_RESERVED &&
			    tcp_names_flags[i].len == n && !strncmp(p, tcp_names_flags[i].name, n))
				flags |= tcp_names_flags[i].bit;
		p += n;
	}
	*out = flags;
	/* Only what tl_tcp_flags_str writes back the same is a flags text. */
	return strcmp(tl_tcp_flags_str(flags, again, sizeof(again)), s) ? -EINVAL : 0;
}
