#include "tracer/output/live_status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/util.h"

#define STATUS_MAX 1024
#define STATUS_EVERY_NS (NS_PER_S / 5)
/* Connections listed by number; more are counted. */
#define STATUS_CONNS 64
#define STATUS_WAIT_MAX 96

struct tl_live_status {
	bool shown, stopped;
	bool erased; /* by a write of stdout: drawn again at once */
	__u64 next_ns;
	char line[STATUS_MAX];
};

/* One connection and what it waits for. */
struct status_entry {
	int rank; /* open connections (0) before timewait sockets (1) */
	__u64 id;
	char wait[STATUS_WAIT_MAX];
};

struct status_scan {
	struct status_entry conns[STATUS_CONNS];
	size_t n, more;
};

bool tl_live_status_wanted(FILE *out)
{
	const char *term = getenv("TERM");

	return isatty(fileno(out)) && isatty(STDERR_FILENO) && term && *term &&
	       strcmp(term, "dumb") != 0;
}

const char *tl_live_status_wait(const struct tl_conn_wait *w, char *buf, size_t size)
{
	const char *closed = tl_side_name(w->closed), *other = tl_side_name(TL_OTHER(w->closed));

	switch (w->kind) {
	case TL_WAIT_LAST_ACK:
		snprintf(buf, size, "closing, waiting for the last ACK");
		break;
	case TL_WAIT_PEER_FIN:
		snprintf(buf, size, "%s closed, waiting for the %s's FIN", closed, other);
		break;
	case TL_WAIT_HANDSHAKE:
		snprintf(buf, size, "in the handshake");
		break;
	case TL_WAIT_RESPONSE:
		snprintf(buf, size, "waiting for the response");
		break;
	case TL_WAIT_REQUEST:
		if (w->keep_alive_s)
			snprintf(buf, size, "open, waiting for close (server keep-alive %u s)",
				 w->keep_alive_s);
		else
			snprintf(buf, size, "open, waiting for a request or a close");
		break;
	}
	return buf;
}

/* The next entry of the scan, NULL (and counted) past STATUS_CONNS. */
static struct status_entry *status_slot(struct status_scan *sc, int rank, __u64 id)
{
	struct status_entry *en;

	if (sc->n == STATUS_CONNS) {
		sc->more++;
		return NULL;
	}
	en = &sc->conns[sc->n++];
	en->rank = rank;
	en->id = id;
	return en;
}

static void status_collect(const struct tl_conn *c, void *arg)
{
	struct status_entry *en = status_slot(arg, 0, c->id);

	if (en) {
		const struct tl_conn_wait w = tl_engine_conn_wait(c);

		tl_live_status_wait(&w, en->wait, sizeof(en->wait));
	}
}

/* A timewait socket: its life was reported, its tuple is still held. */
static void status_collect_tw(const struct tl_tw_watch *w, void *arg)
{
	struct status_entry *en = status_slot(arg, 1, w->conn_id);

	if (en)
		snprintf(en->wait, sizeof(en->wait), "%s in TIME_WAIT (2MSL, 60 s on Linux)",
			 tl_side_name(w->side));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct status_entry *x = a, *y = b;
	int w = strcmp(x->wait, y->wait);

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return w ? w : (x->id > y->id) - (x->id < y->id);
}

/* "#10 #11 open, ...; #12 waiting for the response", cut to cols. */
static void status_text(struct status_scan *sc, char *line, size_t size, size_t cols)
{
	size_t k = 0;

	qsort(sc->conns, sc->n, sizeof(sc->conns[0]), entry_cmp);
	line[0] = '\0';
	for (size_t i = 0; i < sc->n && k < size; i++) {
		const bool first = !i || strcmp(sc->conns[i].wait, sc->conns[i - 1].wait);
		const bool last =
		    i + 1 == sc->n || strcmp(sc->conns[i].wait, sc->conns[i + 1].wait);

		k += snprintf(line + k, size - k, "%s#%llu%s%s",
			      first && i ? "; "
			      : i	 ? " "
					 : "",
			      (unsigned long long)sc->conns[i].id, last ? " " : "",
			      last ? sc->conns[i].wait : "");
	}
	if (sc->more && k < size)
		k += snprintf(line + k, size - k, "; %zu more", sc->more);
	if (cols > 4 && strlen(line) > cols - 1)
		strcpy(line + cols - 4, "...");
}

static size_t terminal_cols(void)
{
	struct winsize ws;

	return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
}

static void status_erase(struct tl_live_status *s)
{
	if (s->shown)
		fputs("\r\033[K", stderr);
	s->shown = false;
}

/* stdout's bytes, written after the line is erased: the timeline never
 * lands on the status line, however much of it stdio writes at a time. */
static ssize_t status_out_write(void *cookie, const char *buf, size_t size)
{
	struct tl_live_status *s = cookie;
	size_t done = 0;

	s->erased |= s->shown;
	status_erase(s);
	while (done < size) {
		ssize_t n = write(STDOUT_FILENO, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return done ? (ssize_t)done : -1;
		done += n;
	}
	return size;
}

/* One terminal, one line: the stream it wraps lives until the exit. */
static struct tl_live_status the_status;

struct tl_live_status *tl_live_status_start(void)
{
	static const cookie_io_functions_t io = {.write = status_out_write};
	FILE *f = fopencookie(&the_status, "w", io);

	if (!f)
		return NULL;
	fflush(stdout);
	/* glibc's stdout is a variable one may set: every writer of stdout
	 * goes through the line from here on. */
	stdout = f;
	return &the_status;
}

void tl_live_status_update(struct tl_live_status *s, struct tl_engine *e, __u64 now_ns)
{
	struct status_scan sc = {0};
	char line[STATUS_MAX];

	if (!s || s->stopped || (!s->erased && now_ns < s->next_ns))
		return;
	s->erased = false;
	s->next_ns = now_ns + STATUS_EVERY_NS;
	tl_engine_each_conn(e, status_collect, &sc);
	tl_engine_each_time_wait(e, status_collect_tw, &sc);
	status_text(&sc, line, sizeof(line), terminal_cols());
	if (s->shown && !strcmp(line, s->line))
		return;
	status_erase(s);
	if (*line) {
		fputs(line, stderr);
		s->shown = true;
	}
	strcpy(s->line, line);
}

void tl_live_status_stop(struct tl_live_status *s)
{
	if (!s)
		return;
	status_erase(s);
	s->stopped = true;
}
