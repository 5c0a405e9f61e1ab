/* --summary: a line per connection in libbpf-tools tcplife's columns, so
 * that scripts and habits made for tcplife keep working. tcplife sees one
 * socket; a loopback connection has two, so the line takes the client's
 * view: its process, its address as LADDR, what it sent as TX_KB (its
 * socket's bytes_acked at its close, as tcplife) and received as RX_KB
 * (bytes_received); without the kernel's word (-r), the payload up to the
 * highest seq each way, retransmissions counted once. */
#include "tracer/output/output.h"

#include <stdlib.h>
#include <sys/socket.h>

#include "common/fmt.h"

/* tcplife's address column, and its -w width that fits any IPv6 address. */
#define SUMMARY_ADDR_COLS 15
#define SUMMARY_ADDR_COLS_WIDE 39

struct summary_output {
	struct tl_output out; /* first: the callbacks get &out back */
	FILE *f;
	int addr_cols;
};

/* tcplife prints the comm as it is; a task can name itself anything, so
 * bytes that could steer the terminal become '?', keeping the column. */
static void summary_comm(char out[TL_COMM_LEN], const struct tl_proc *p)
{
	size_t i;

	for (i = 0; i < TL_COMM_LEN - 1 && p->comm[i]; i++)
		out[i] = p->comm[i] >= 0x20 && p->comm[i] < 0x7f ? p->comm[i] : '?';
	out[i] = '\0';
}

static void summary_on_conn_end(void *ctx, const struct tl_conn *c)
{
	struct summary_output *s = ctx;
	const struct tl_proc *p = &c->proc[TL_CLIENT];
	char pid[16] = "?", comm[TL_COMM_LEN] = "?";
	char laddr[TL_ADDR_STRLEN], raddr[TL_ADDR_STRLEN], rtt[24] = "-";
	const struct tl_tcp_info *ti = &c->tcp_info[TL_CLIENT];
	__u64 tx = ti->valid ? ti->bytes_acked : c->flow[TL_CLIENT].unique_bytes,
	      rx = ti->valid ? ti->bytes_received : c->flow[TL_SERVER].unique_bytes;

	if (p->pid) {
		snprintf(pid, sizeof(pid), "%u", p->pid);
		summary_comm(comm, p);
	}
	/* The client's smoothed RTT at its end, as ss -ti shows it, when the
	 * kernel measured one. */
	if (ti->valid && ti->rtt_measured)
		snprintf(rtt, sizeof(rtt), "%.3f", ti->srtt_us / 1e3);
	fprintf(s->f, "%-7s %-16s %-*s %-5u %-*s %-5u %5llu %5llu %-9.2f %s\n", pid, comm,
		s->addr_cols, tl_addr_str(&c->ep[TL_CLIENT], laddr), c->ep[TL_CLIENT].port,
		s->addr_cols, tl_addr_str(&c->ep[TL_SERVER], raddr), c->ep[TL_SERVER].port,
		(unsigned long long)tx / 1024, (unsigned long long)rx / 1024,
		(double)(c->last_ns - c->start_ns) / 1e6, rtt);
	fflush(s->f);
}

/* The header. tcplife widens its address columns only when asked (-w);
 * here -6 asks, as only IPv6 lines will follow. */
static void summary_start(struct tl_output *o, const struct tl_start_info *info)
{
	struct summary_output *s = (struct summary_output *)o;

	if (info->family == AF_INET6)
		s->addr_cols = SUMMARY_ADDR_COLS_WIDE;
	fprintf(s->f, "%-7s %-16s %-*s %-5s %-*s %-5s %5s %5s %-9s %s\n", "PID", "COMM",
		s->addr_cols, "LADDR", "LPORT", s->addr_cols, "RADDR", "RPORT", "TX_KB", "RX_KB",
		"MS", "RTT_MS");
	fflush(s->f);
}

/* As tcplife, on stderr: stdout keeps only the table. */
static void summary_loss(struct tl_output *o, __u64 ts_ns, __u64 total)
{
	(void)o;
	(void)ts_ns;
	fprintf(stderr, "lost %llu event%s so far\n", (unsigned long long)total, tl_plural(total));
}

static void summary_stats(struct tl_output *o, const struct tl_stats_info *info)
{
	(void)o;
	fprintf(stderr, "%llu connection%s (%llu event%s lost)\n", (unsigned long long)info->conns,
		tl_plural(info->conns), (unsigned long long)info->lost, tl_plural(info->lost));
}

static void summary_free(struct tl_output *o) { free((struct summary_output *)o); }

struct tl_output *tl_output_summary_new(FILE *f)
{
	struct summary_output *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->f = f;
	s->addr_cols = SUMMARY_ADDR_COLS;
	s->out = (struct tl_output){
	    .sink = {.ctx = s, .on_conn_end = summary_on_conn_end},
	    .start = summary_start,
	    .loss = summary_loss,
	    .stats = summary_stats,
	    .free = summary_free,
	};
	return &s->out;
}
