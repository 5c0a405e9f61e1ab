/* What the status line says a connection waits for, from its state as the
 * engine keeps it: the handshake, a response, the close (with the server's
 * Keep-Alive timeout when it announced one), the other side's FIN. */
#include "tracer/engine/engine_impl.h"
#include "tracer/output/live_status.h"

#include <string.h>

#include "unit.h"

static const struct {
	int line;
	bool syn, synack, cfin, sfin;
	int pending;	     /* requests without their response; -1: no HTTP seen */
	unsigned keep_alive; /* the latest response's timeout */
	const char *want;
} rows[] = {
    {__LINE__, true, false, false, false, -1, 0, "in the handshake"},
    {__LINE__, true, true, false, false, -1, 0, "open, waiting for a request or a close"},
    {__LINE__, false, false, false, false, -1, 0, "open, waiting for a request or a close"},
    {__LINE__, true, true, false, false, 1, 0, "waiting for the response"},
    {__LINE__, true, true, false, false, 0, 5, "open, waiting for close (server keep-alive 5 s)"},
    {__LINE__, true, true, false, false, 0, 0, "open, waiting for a request or a close"},
    {__LINE__, true, true, false, true, 0, 5, "server closed, waiting for the client's FIN"},
    {__LINE__, true, true, true, false, 1, 0, "client closed, waiting for the server's FIN"},
    {__LINE__, true, true, true, true, 0, 5, "closing, waiting for the last ACK"},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tl_conn_http http = {0};
		struct tl_econn ec = {.c = {.id = 1, .time_wait = -1},
				      .keep_alive_s = rows[i].keep_alive};
		struct tl_conn_wait w;
		char buf[128];

		ec.c.flow[TL_CLIENT].syn_seen = rows[i].syn;
		ec.c.flow[TL_SERVER].syn_seen = rows[i].synack;
		ec.track[TL_CLIENT].fin_seen = rows[i].cfin;
		ec.track[TL_SERVER].fin_seen = rows[i].sfin;
		if (rows[i].pending >= 0) {
			http.npending = rows[i].pending;
			ec.http = &http;
		}
		w = tl_engine_conn_wait(&ec.c);
		tl_live_status_wait(&w, buf, sizeof(buf));
		UNIT_CHECK_AT(rows[i].line, !strcmp(buf, rows[i].want), "\"%s\" (got \"%s\")",
			      rows[i].want, buf);
	}
	return unit_done();
}
