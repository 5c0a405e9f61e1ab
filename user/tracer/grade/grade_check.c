/* The checks of a shape against one life, one line each: what was expected
 * and what the trace showed, so a student sees what to look at. */
#include <inttypes.h>
#include <string.h>

#include "tracer/grade/grade.h"

struct grade_run {
	FILE *out;
	int failed;
};

static void grade_line(struct grade_run *r, const char *name, bool ok, const char *want,
		       const char *saw)
{
	fprintf(r->out, "%s: %s expected %s, saw %s\n", name, ok ? "PASS" : "FAIL", want,
		*saw ? saw : "nothing in the trace");
	r->failed += !ok;
}

static void grade_word(struct grade_run *r, const char *name, const char *want, const char *saw)
{
	if (*want)
		grade_line(r, name, !strcmp(want, saw), want, saw);
}

/* prec: decimals of the value seen (a latency's, or none for a count). */
static void grade_min(struct grade_run *r, const char *name, double want, double saw, int prec,
		      const char *unit)
{
	char w[64], s[64];

	if (want < 0)
		return;
	snprintf(w, sizeof(w), "at least %.0f %s", want, unit);
	if (saw < 0)
		snprintf(s, sizeof(s), "%s", "");
	else
		snprintf(s, sizeof(s), "%.*f %s", prec, saw, unit);
	grade_line(r, name, saw >= want, w, s);
}

static void grade_list(char *buf, size_t size, const int *v, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? " " : "", v[i]);
}

static void grade_statuses(struct grade_run *r, const struct grade_shape *s,
			   const struct grade_life *l)
{
	char want[64], saw[64];
	bool ok = s->nstatuses == l->nstatuses;

	if (!s->has_statuses)
		return;
	for (size_t i = 0; ok && i < s->nstatuses; i++)
		ok = s->statuses[i] == l->statuses[i];
	grade_list(want, sizeof(want), s->statuses, s->nstatuses);
	grade_list(saw, sizeof(saw), l->statuses, l->nstatuses);
	grade_line(r, "statuses", ok, *want ? want : "no response", *saw ? saw : "no response");
}

static void grade_names(char *buf, size_t size, const char (*names)[GRADE_WORD], size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", names[i]);
}

/* The expected states must all come, in this order; others may come
 * between them (a side's CLOSE beside its TIME_WAIT, say). */
static void grade_states(struct grade_run *r, const struct grade_shape *s,
			 const struct grade_life *l, bool capture, int side)
{
	static const char *const names[] = {"states client", "states server"};
	char want[GRADE_STATES * GRADE_WORD], saw[GRADE_STATES * GRADE_WORD];
	size_t i = 0;

	if (!s->has_states[side])
		return;
	if (capture) {
		fprintf(r->out, "%s: SKIP a capture has no socket states\n", names[side]);
		return;
	}
	for (size_t j = 0; j < l->nstates[side] && i < s->nstates[side]; j++)
		i += !strcmp(l->states[side][j], s->states[side][i]);
	grade_names(want, sizeof(want), s->states[side], s->nstates[side]);
	grade_names(saw, sizeof(saw), l->states[side], l->nstates[side]);
	grade_line(r, names[side], i == s->nstates[side], want, saw);
}

static const struct grade_life *grade_pick(const struct grade_shape *s, const struct grade_trace *t)
{
	for (size_t i = 0; i < t->lives.n; i++) {
		const struct grade_life *l = vec_ptr_at(&t->lives, i);

		if (!s->has_request || !strcmp(l->request, s->request))
			return l;
	}
	return NULL;
}

static void grade_exchange(struct grade_run *r, const struct grade_shape *s,
			   const struct grade_life *l)
{
	const char *done = !l->exchanged ? "" : l->complete ? "complete" : "cut short";

	if (s->complete >= 0)
		grade_word(r, "body", s->complete ? "complete" : "cut short", done);
	grade_min(r, "body bytes", (double)s->min_body_bytes,
		  l->exchanged ? (double)l->body_bytes : -1, 0, "bytes");
}

int grade_check(const struct grade_shape *s, const struct grade_trace *t, FILE *out)
{
	struct grade_run r = {out, 0};
	const struct grade_life *l = grade_pick(s, t);
	char want[GRADE_REQUEST + 64], saw[GRADE_REQUEST + 32];

	snprintf(want, sizeof(want), "a connection whose first request is %s",
		 !s->has_request ? "anything"
		 : *s->request	 ? s->request
				 : "none");
	if (l)
		snprintf(saw, sizeof(saw), "#%" PRIu64 " %s", l->conn,
			 *l->request ? l->request : "(no request)");
	else
		snprintf(saw, sizeof(saw), "none of %zu connections", t->lives.n);
	grade_line(&r, "connection", l != NULL, want, saw);
	if (!l)
		return r.failed;
	grade_word(&r, "handshake", s->handshake, l->handshake);
	grade_statuses(&r, s, l);
	grade_word(&r, "framing", s->framing, l->framing);
	grade_exchange(&r, s, l);
	grade_min(&r, "latency", s->min_latency_ms, l->latency_ms, 3, "ms");
	grade_min(&r, "data segments", (double)s->min_data_segments, (double)l->data_segments, 0,
		  "server segments with data");
	grade_word(&r, "closed by", s->closed_by, l->closed_by);
	grade_word(&r, "reset by", s->reset_by, l->reset_by);
	grade_word(&r, "time_wait", s->time_wait, l->time_wait);
	grade_states(&r, s, l, t->capture, 0);
	grade_states(&r, s, l, t->capture, 1);
	return r.failed;
}
