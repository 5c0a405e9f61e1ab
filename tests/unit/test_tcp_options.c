/* TCP options against what tshark 4.0 prints for the same bytes. */
#include "tracer/proto/tcp_options.h"

#include <string.h>

#include "unit.h"

struct opts_row {
	int line;
	const char *desc;
	__u8 bytes[40];
	size_t len;
	const char *want;
	bool malformed;
};

static const struct opts_row opts_rows[] = {
    {__LINE__,
     "Linux SYN",
     {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7},
     20,
     "MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=128",
     false},
    {__LINE__,
     "ACK with timestamps",
     {1, 1, 8, 10, 0xb9, 0x7c, 0x3c, 0x1c, 0x42, 0xe4, 0x1f, 0x7f},
     12,
     "TSval=3111926812 TSecr=1122246527",
     false},
    {__LINE__,
     "timestamps, then EOL",
     {8, 10, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0},
     12,
     "TSval=5 TSecr=6",
     false},
    {__LINE__,
     "two SACK blocks",
     {1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4},
     20,
     "SLE=1 SRE=2 SLE=3 SRE=4",
     false},
    {__LINE__,
     "four SACK blocks",
     {1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0,
      0, 4, 0, 0,  0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8},
     36,
     "SLE=1 SRE=2 SLE=3 SRE=4 SLE=5 SRE=6 SLE=7 SRE=8",
     false},
    {__LINE__,
     "two SACK options print in order",
     {5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 10, 0, 0, 0, 3, 0, 0, 0, 4},
     22,
     "SLE=1 SRE=2 SLE=3 SRE=4",
     false},
    {__LINE__, "no options", {0}, 0, "", false},
    {__LINE__, "NOP and EOL print nothing", {1, 1, 1, 0}, 4, "", false},
    {__LINE__, "EOL ends the list", {0, 2, 4, 5, 0}, 5, "", false},
    {__LINE__, "MSS then EOL padding", {2, 4, 5, 0, 0, 0, 0, 0}, 8, "MSS=1280", false},
    {__LINE__, "WS shift 0 is WS=1", {3, 3, 0}, 3, "WS=1", false},
    {__LINE__, "WS shift 14", {3, 3, 14}, 3, "WS=16384", false},
    {__LINE__, "WS shift 15 shows as 14", {3, 3, 15}, 3, "WS=16384", false},
    {__LINE__, "WS shift 255 shows as 14", {3, 3, 255}, 3, "WS=16384", false},
    {__LINE__, "unknown kind skipped", {99, 4, 1, 2, 2, 4, 1, 0}, 8, "MSS=256", false},
    {__LINE__, "MSS length 3 skipped", {2, 3, 0, 0}, 4, "", false},
    {__LINE__, "bad MSS then good MSS", {2, 3, 0, 2, 4, 5, 0, 0}, 8, "MSS=1280", false},
    {__LINE__, "WS length 4 skipped", {3, 4, 7, 0}, 4, "", false},
    {__LINE__, "SACK_PERM length 3 skipped", {4, 3, 0, 2, 4, 1, 0}, 7, "MSS=256", false},
    {__LINE__, "SACK length 7 skipped", {5, 7, 0, 0, 0, 1, 0, 0}, 8, "", false},
    {__LINE__, "TS length 9 skipped", {8, 9, 0, 0, 0, 1, 0, 0, 0}, 9, "", false},
    {__LINE__, "repeated MSS keeps the first", {2, 4, 5, 0, 2, 4, 6, 0}, 8, "MSS=1280", false},
    {__LINE__, "length 1 is malformed", {2, 4, 5, 0, 2, 1, 0, 0}, 8, "MSS=1280", true},
    {__LINE__, "length 0 is malformed", {3, 0, 0}, 3, "", true},
    {__LINE__, "length past the end", {2, 4, 5, 0, 2, 9, 0, 0}, 8, "MSS=1280", true},
    {__LINE__, "kind with no length byte", {1, 2}, 2, "", true},
    {__LINE__, "MSS cut by the end", {2, 4, 5}, 3, "", true},
    /* TCP Fast Open (RFC 7413), and the experimental options (RFC 6994). */
    {__LINE__, "TFO cookie request", {34, 2}, 2, "TFO=R", false},
    {__LINE__, "TFO cookie", {34, 10, 1, 2, 3, 4, 5, 6, 7, 8}, 10, "TFO=C", false},
    {__LINE__, "TFO 1-byte cookie", {34, 3, 1}, 3, "TFO=C", false},
    {__LINE__,
     "Linux SYN asking for a TFO cookie",
     {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7, 34, 2, 1, 1},
     24,
     "MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=128 TFO=R",
     false},
    {__LINE__, "TFO in packet order", {34, 2, 2, 4, 5, 0}, 6, "TFO=R MSS=1280", false},
    {__LINE__, "experimental TFO request", {254, 4, 0xf9, 0x89}, 4, "TFO=R", false},
    {__LINE__,
     "experimental TFO cookie",
     {254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8},
     12,
     "TFO=C",
     false},
    {__LINE__, "experimental TFO in kind 253", {253, 4, 0xf9, 0x89}, 4, "TFO=R", false},
    {__LINE__, "experimental option, another ExID", {254, 4, 0, 0xab}, 4, "ExID=AB", false},
    {__LINE__,
     "experimental option without an ExID",
     {254, 3, 0xf9, 2, 4, 5, 0},
     7,
     "MSS=1280",
     false},
    {__LINE__, "repeated TFO keeps the first", {34, 2, 34, 6, 1, 2, 3, 4}, 8, "TFO=R", false},
};

static void check_opts_row(const struct opts_row *row)
{
	struct tl_tcp_opts o;
	char buf[256], ts[64];

	tl_tcp_options_parse(row->bytes, row->len, &o);
	tl_tcp_options_str(&o, 0, buf, sizeof(buf));
	UNIT_CHECK_AT(row->line, !strcmp(buf, row->want), "%s: \"%s\" (got \"%s\")", row->desc,
		      row->want, buf);
	UNIT_CHECK_AT(row->line, o.malformed == row->malformed, "%s: malformed=%d", row->desc,
		      row->malformed);
	UNIT_CHECK_AT(row->line, tl_tcp_options_fmt(&o, 0, true, buf, sizeof(buf)) == strlen(buf),
		      "%s: tl_tcp_options_fmt returns the text's length", row->desc);
	/* JSON copies the two numbers' digits when this says so. */
	snprintf(ts, sizeof(ts), "TSval=%u TSecr=%u", o.tsval, o.tsecr);
	UNIT_CHECK_AT(row->line, tl_tcp_options_ts_only(&o) == (o.has_ts && !strcmp(ts, row->want)),
		      "%s: ts_only=%d", row->desc, o.has_ts && !strcmp(ts, row->want));
}

static void check_opts_fields(void)
{
	static const __u8 syn[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0,
				   0, 1, 0,    0,    0, 0, 1, 3,  3, 7};
	struct tl_tcp_opts o;

	tl_tcp_options_parse(syn, sizeof(syn), &o);
	UNIT_CHECK(o.has_mss && o.mss == 65495, "SYN fields: mss");
	UNIT_CHECK(o.has_wscale && o.wscale == 7, "SYN fields: wscale is the raw shift");
	UNIT_CHECK(o.sack_perm && o.has_ts && o.tsval == 1 && o.tsecr == 0, "SYN fields: ts");
	UNIT_CHECK(o.nkinds == 5 && o.kinds[0] == 2 && o.kinds[3] == 1 && o.kinds[4] == 3,
		   "SYN fields: kinds in packet order");

	/* NOP, NOP, TS: read at once, the same record the option walk makes. */
	tl_tcp_options_parse((const __u8 *)"\x01\x01\x08\x0a\x00\x00\x00\x07\x00\x00\x01\x00", 12,
			     &o);
	UNIT_CHECK(o.has_ts && o.tsval == 7 && o.tsecr == 256 && o.nkinds == 3 && o.kinds[0] == 1 &&
		       o.kinds[1] == 1 && o.kinds[2] == 8 && !o.malformed && !o.has_mss &&
		       !o.has_wscale && !o.nsack,
		   "NOP NOP TS fields: ts, kinds in packet order, nothing else");
	tl_tcp_options_parse((const __u8 *)"\x01\x01\x08\x09\x00\x00\x00\x07\x00\x01\x00\x00", 12,
			     &o);
	UNIT_CHECK(!o.has_ts && o.nkinds == 3 && o.kinds[2] == 0,
		   "NOP NOP TS of length 9: no ts, walked to the EOL after it");

	tl_tcp_options_parse((const __u8 *)"\x02\x03\x00\x00", 4, &o);
	UNIT_CHECK(!o.has_mss && !o.malformed,
		   "MSS of length 3 sets neither has_mss nor malformed");

	tl_tcp_options_parse((const __u8 *)"\xfe\x06\xf9\x89\x01\x02", 6, &o);
	UNIT_CHECK(o.tfo == TL_TFO_COOKIE && !o.has_exid && o.nkinds == 1 && o.kinds[0] == 34,
		   "experimental TFO: a cookie, listed as kind 34");
	tl_tcp_options_parse((const __u8 *)"\x22\x02", 2, &o);
	UNIT_CHECK(o.tfo == TL_TFO_REQUEST, "TFO kind 34 of length 2: a cookie request");
}

static void check_opts_small_buffers(void)
{
	static const __u8 syn[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
	const char *full = "MSS=65495 SACK_PERM TSval=1 TSecr=0";
	struct tl_tcp_opts o;
	char buf[64];
	size_t size;

	tl_tcp_options_parse(syn, sizeof(syn), &o);
	for (size = 1; size <= strlen(full) + 1; size++) {
		memset(buf, 'x', sizeof(buf));
		if (tl_tcp_options_fmt(&o, 0, true, buf, size) != size - 1 ||
		    strlen(buf) != size - 1 || buf[size] != 'x' || strncmp(buf, full, size - 1))
			break;
	}
	UNIT_CHECK(size == strlen(full) + 2,
		   "every buffer size: cut prefix, NUL-terminated, in bounds (first bad: %zu)",
		   size);
	memset(buf, 'x', sizeof(buf));
	UNIT_CHECK(tl_tcp_options_str(&o, 0, buf, 0) == buf && buf[0] == 'x',
		   "size 0 writes nothing");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(opts_rows) / sizeof(opts_rows[0]); i++)
		check_opts_row(&opts_rows[i]);
	check_opts_fields();
	check_opts_small_buffers();
	return unit_done();
}
