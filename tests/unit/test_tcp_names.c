/* State names as the kernel numbers them; flag strings as tshark 4.0's Info
 * column shows them. */
#include "tracer/proto/tcp_names.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tcplife_http.h"
#include "unit.h"

struct state_row {
	int line;
	int state;
	const char *want;
};

static const struct state_row state_rows[] = {
    {__LINE__, 1, "ESTABLISHED"}, {__LINE__, 2, "SYN_SENT"},   {__LINE__, 3, "SYN_RECV"},
    {__LINE__, 4, "FIN_WAIT1"},	  {__LINE__, 5, "FIN_WAIT2"},  {__LINE__, 6, "TIME_WAIT"},
    {__LINE__, 7, "CLOSE"},	  {__LINE__, 8, "CLOSE_WAIT"}, {__LINE__, 9, "LAST_ACK"},
    {__LINE__, 10, "LISTEN"},	  {__LINE__, 11, "CLOSING"},   {__LINE__, 12, "NEW_SYN_RECV"},
    {__LINE__, 0, "UNKNOWN"},	  {__LINE__, 13, "UNKNOWN"},   {__LINE__, -1, "UNKNOWN"},
    {__LINE__, 1000, "UNKNOWN"},
};

struct flags_row {
	int line;
	const char *desc;
	__u16 flags;
	const char *want;
};

static const struct flags_row flags_rows[] = {
    {__LINE__, "none", 0, "<None>"},
    {__LINE__, "SYN", TL_SYN, "SYN"},
    {__LINE__, "SYN-ACK", TL_SYN | TL_ACK, "SYN, ACK"},
    {__LINE__, "data", TL_PSH | TL_ACK, "PSH, ACK"},
    {__LINE__, "close", TL_FIN | TL_ACK, "FIN, ACK"},
    {__LINE__, "abort", TL_RST | TL_ACK, "RST, ACK"},
    {__LINE__, "ECN setup SYN", TL_SYN | TL_ECE | TL_CWR, "SYN, ECE, CWR"},
    {__LINE__, "ECN SYN-ACK", TL_SYN | TL_ACK | TL_ECE, "SYN, ACK, ECE"},
    {__LINE__, "FIN PSH URG", TL_FIN | TL_PSH | TL_URG, "FIN, PSH, URG"},
    {__LINE__, "AE alone", TL_AE, "AE"},
    {__LINE__, "all nine", 0x1ff, "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE"},
    {__LINE__, "reserved bits", 0x0e00, "Reserved"},
    {__LINE__, "SYN and a reserved bit", 0x0202, "SYN, Reserved"},
    {__LINE__, "data offset bits are not flags", 0xf000, "<None>"},
};

/* Each row's text parses back to its flags; a text with "Reserved" is
 * refused but still gives the other names' bits (the report draws them). */
static void check_flags_parse(void)
{
	static const char *const bad[] = {"", "SYN,ACK", "ACK, SYN", "SYN, SYN", "syn", "SYN, "};
	__u16 got;
	int err;

	for (size_t i = 0; i < sizeof(flags_rows) / sizeof(flags_rows[0]); i++) {
		const struct flags_row *row = &flags_rows[i];
		bool reserved = row->flags & 0x0e00;

		got = 0xffff;
		err = tl_tcp_flags_parse(row->want, &got);
		UNIT_CHECK_AT(row->line,
			      reserved ? err == -EINVAL && got == (row->flags & 0x01ff)
				       : !err && got == (row->flags & 0x01ff),
			      "\"%s\" parses to 0x%x (err %d)", row->want, got, err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UNIT_CHECK(tl_tcp_flags_parse(bad[i], &got) == -EINVAL,
			   "\"%s\" is not a flags text", bad[i]);
}

static void check_flags_small_buffers(void)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	tl_tcp_flags_str(TL_SYN | TL_ACK, buf, 6);
	UNIT_CHECK(!strcmp(buf, "SYN") && buf[6] == 'x', "short buffer keeps whole names only");
	tl_tcp_flags_str(0, buf, 3);
	UNIT_CHECK(!strcmp(buf, ""), "no room for <None> gives \"\"");
	UNIT_CHECK(tl_tcp_flags_str(TL_SYN, buf, 0) == buf, "size 0 writes nothing");
}

/* The outputs' writer against the bounded append small buffers still take
 * (63 bytes: room for every name, one short of TL_TCP_FLAGS_ROOM), over
 * every value of the 16 bits; and the length it returns is the text's. */
static void check_flags_write_all(void)
{
	char fast[TL_TCP_FLAGS_ROOM], slow[TL_TCP_FLAGS_ROOM - 1];
	unsigned int bad = 0, first_bad = 0;

	for (unsigned int v = 0; v <= 0xffff; v++) {
		size_t n = tl_tcp_flags_write((__u16)v, fast);

		tl_tcp_flags_str((__u16)v, slow, sizeof(slow));
		if (strcmp(fast, slow) || n != strlen(fast))
			first_bad = bad++ ? first_bad : v;
	}
	UNIT_CHECK(!bad,
		   "tl_tcp_flags_write agrees with the bounded writer on all 65536 values "
		   "(%u differ, first 0x%x)",
		   bad, first_bad);
}

int main(void)
{
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(state_rows) / sizeof(state_rows[0]); i++) {
		const struct state_row *row = &state_rows[i];
		const char *got = tl_tcp_state_name(row->state);

		UNIT_CHECK_AT(row->line, !strcmp(got, row->want), "state %d is %s (got %s)",
			      row->state, row->want, got);
	}
	for (i = 0; i < sizeof(flags_rows) / sizeof(flags_rows[0]); i++) {
		const struct flags_row *row = &flags_rows[i];

		tl_tcp_flags_str(row->flags, buf, sizeof(buf));
		UNIT_CHECK_AT(row->line, !strcmp(buf, row->want), "flags %s: \"%s\" (got \"%s\")",
			      row->desc, row->want, buf);
	}
	check_flags_parse();
	check_flags_small_buffers();
	check_flags_write_all();
	return unit_done();
}
