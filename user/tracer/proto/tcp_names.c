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

/* Wireshark's order and spelling, checked against tshark 4.0's Info column. */
static const struct {
	__u16 bit;
	const char *name;
} tcp_names_flags[] = {
    {TL_FIN, "FIN"}, {TL_SYN, "SYN"},
    {TL_RST, "RST"}, {TL_PSH, "PSH"},
    {TL_ACK, "ACK"}, {TL_URG, "URG"},
    {TL_ECE, "ECE"}, {TL_CWR, "CWR"},
    {TL_AE, "AE"},   {TCP_NAMES_RESERVED, "Reserved"},
};

const char *tl_tcp_state_name(int state)
{
	if (state < 0 || (size_t)state >= ARRAY_SIZE(tcp_names_states) || !tcp_names_states[state])
		return "UNKNOWN";
	return tcp_names_states[state];
}

/* Appends sep and name only if both fit, so that a short buffer holds whole
 * names. */
static void tcp_names_append(char *buf, size_t size, size_t *off, const char *sep, const char *name)
{
	size_t ns = strlen(sep), nn = strlen(name);

	if (ns + nn >= size - *off)
		return;
	memcpy(buf + *off, sep, ns);
	memcpy(buf + *off + ns, name, nn + 1);
	*off += ns + nn;
}

const char *tl_tcp_flags_str(__u16 flags, char *buf, size_t size)
{
	size_t off = 0, i;
	bool any = false;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(tcp_names_flags); i++) {
		if (!(flags & tcp_names_flags[i].bit))
			continue;
		tcp_names_append(buf, size, &off, any ? ", " : "", tcp_names_flags[i].name);
		any = true;
	}
	if (!any)
		tcp_names_append(buf, size, &off, "", "<None>");
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
			    strlen(tcp_names_flags[i].name) == n &&
			    !strncmp(p, tcp_names_flags[i].name, n))
				flags |= tcp_names_flags[i].bit;
		p += n;
	}
	*out = flags;
	/* Only what tl_tcp_flags_str writes back the same is a flags text. */
	return strcmp(tl_tcp_flags_str(flags, again, sizeof(again)), s) ? -EINVAL : 0;
}
