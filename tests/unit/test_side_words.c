/* The three trace readers, compare, report and grade, take a member that
 * names a side only with that member's own words (README's JSON table):
 * a packet's dir c2s or s2c, side client or server, time_wait also both,
 * closed_by also reset; any other word is a bad trace (-EINVAL: exit 2),
 * never read as some side. Each row is one --json line, one reader. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer/compare/compare_impl.h"
#include "tracer/grade/grade.h"
#include "tracer/report/report_model.h"
#include "unit.h"

/* Lines with every member each reader needs; %s is the side members. */
#define PACKET                                                                                     \
	"{\"type\":\"packet\",\"ts\":1.5,\"conn\":1,\"src\":\"127.0.0.1\",\"sport\":40000,"        \
	"\"dst\":\"127.0.0.1\",\"dport\":80,\"flags\":\"SYN\",\"flags_raw\":2,\"seq\":0,"          \
	"\"ack\":0,\"seq_raw\":1,\"ack_raw\":0,\"len\":0,\"win\":100,\"win_scaled\":100%s}"
#define DROP                                                                                       \
	"{\"type\":\"drop\",\"ts\":1.5,\"conn\":1,\"flags_raw\":2,\"seq_raw\":1,\"len\":0,"        \
	"\"before_capture\":true%s}"
#define STATE "{\"type\":\"state\",\"ts\":1.5,\"conn\":1,\"old\":\"CLOSE\",\"new\":\"SYN_SENT\"%s}"
#define CONN                                                                                       \
	"{\"type\":\"conn\",\"ts\":2.5,\"conn\":1,\"client\":\"127.0.0.1:40000\","                 \
	"\"server\":\"127.0.0.1:80\",\"start\":1.5,\"end\":2.5,\"handshake\":\"complete\"%s}"
#define TW_END "{\"type\":\"time_wait_end\",\"ts\":3.5,\"conn\":1,\"duration_ms\":1.0%s}"

/* A conn line's three side members. */
#define ENDED(closed_by, time_wait, reset_by)                                                      \
	",\"closed_by\":" closed_by ",\"time_wait\":" time_wait ",\"reset_by\":" reset_by

enum reader { COMPARE, REPORT, GRADE };

static const char *const reader_names[] = {"compare", "report", "grade"};

static const struct {
	int line;
	enum reader reader;
	const char *fmt;
	const char *members;
	int err;
} rows[] = {
    {__LINE__, COMPARE, PACKET, ",\"dir\":\"c2s\"", 0},
    {__LINE__, COMPARE, PACKET, ",\"dir\":\"s2c\"", 0},
    {__LINE__, COMPARE, PACKET, ",\"dir\":\"sideways\"", -EINVAL},
    {__LINE__, COMPARE, PACKET, ",\"dir\":\"server\"", -EINVAL},
    {__LINE__, COMPARE, PACKET, ",\"dir\":\"S2C\"", -EINVAL},
    {__LINE__, COMPARE, PACKET, ",\"dir\":null", -EINVAL},
    {__LINE__, COMPARE, PACKET, ",\"dir\":\"s2c\\u0000x\"", -EINVAL}, /* it keeps NULs */
    {__LINE__, COMPARE, PACKET, "", -EINVAL},
    {__LINE__, COMPARE, DROP, ",\"side\":\"client\"", 0},
    {__LINE__, COMPARE, DROP, ",\"side\":\"server\"", 0},
    {__LINE__, COMPARE, DROP, ",\"side\":\"garbage\"", -EINVAL},
    {__LINE__, COMPARE, DROP, ",\"side\":\"s2c\"", -EINVAL},
    {__LINE__, COMPARE, DROP, ",\"side\":\"both\"", -EINVAL},
    {__LINE__, COMPARE, DROP, ",\"side\":1", -EINVAL},
    {__LINE__, COMPARE, DROP, "", -EINVAL},
    {__LINE__, REPORT, PACKET, ",\"dir\":\"s2c\"", 0},
    {__LINE__, REPORT, PACKET, ",\"dir\":\"client\"", -EINVAL},
    {__LINE__, REPORT, PACKET, ",\"dir\":\"request\"", -EINVAL},
    {__LINE__, REPORT, STATE, ",\"side\":\"server\"", 0},
    {__LINE__, REPORT, STATE, ",\"side\":\"c2s\"", -EINVAL},
    {__LINE__, REPORT, STATE, ",\"side\":null", -EINVAL},
    {__LINE__, REPORT, CONN, ENDED("\"server\"", "\"server\"", "null"), 0},
    {__LINE__, REPORT, CONN, ENDED("\"client\"", "\"both\"", "null"), 0},
    {__LINE__, REPORT, CONN, ENDED("\"reset\"", "null", "\"server\""), 0},
    {__LINE__, REPORT, CONN, ENDED("null", "null", "null"), 0},
    {__LINE__, REPORT, CONN, ENDED("\"garbage\"", "null", "null"), -EINVAL},
    {__LINE__, REPORT, CONN, ENDED("\"both\"", "null", "null"), -EINVAL},
    {__LINE__, REPORT, CONN, ENDED("\"server\"", "\"garbage\"", "null"), -EINVAL},
    {__LINE__, REPORT, CONN, ENDED("\"server\"", "\"reset\"", "null"), -EINVAL},
    {__LINE__, REPORT, CONN, ENDED("\"server\"", "\"s2c\"", "null"), -EINVAL},
    {__LINE__, REPORT, TW_END, ",\"side\":\"client\"", 0},
    {__LINE__, REPORT, TW_END, ",\"side\":\"both\"", -EINVAL},
    {__LINE__, GRADE, PACKET, ",\"dir\":\"s2c\"", 0},
    {__LINE__, GRADE, PACKET, ",\"dir\":\"garbage\"", -EINVAL},
    {__LINE__, GRADE, STATE, ",\"side\":\"client\"", 0},
    {__LINE__, GRADE, STATE, ",\"side\":\"c2s\"", -EINVAL},
    {__LINE__, GRADE, CONN, ENDED("\"server\"", "\"both\"", "null"), 0},
    {__LINE__, GRADE, CONN, ",\"closed_by\":\"server\",\"time_wait\":\"server\"", 0},
    {__LINE__, GRADE, CONN, ENDED("\"garbage\"", "null", "null"), -EINVAL},
    {__LINE__, GRADE, CONN, ENDED("\"server\"", "\"neither\"", "null"), -EINVAL},
    {__LINE__, GRADE, CONN, ENDED("\"reset\"", "null", "\"reset\""), -EINVAL},
    {__LINE__, GRADE, CONN, ENDED("\"reset\"", "null", "\"c2s\""), -EINVAL},
};

/* compare reads a trace from its file. */
static int compare_line(const char *line)
{
	char path[] = "/tmp/tlh-side-words-XXXXXX";
	struct cmp_run run = {.trace_path = path};
	int fd = mkstemp(path), err;
	FILE *f;

	if (fd < 0)
		return -EIO;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		err = -EIO;
	} else {
		bool written = fprintf(f, "%s\n", line) > 0;

		err = fclose(f) || !written ? -EIO : cmp_trace_read(&run);
	}
	unlink(path);
	cmp_side_free(&run.trace);
	cmp_side_free(&run.capture);
	return err;
}

static int read_line(enum reader reader, const char *line)
{
	struct tl_rp_model m = {0};
	struct grade_trace t = {0};
	int err;

	switch (reader) {
	case COMPARE:
		return compare_line(line);
	case REPORT:
		err = tl_rp_model_line(&m, line, strlen(line));
		tl_rp_model_free(&m);
		return err;
	case GRADE:
		err = grade_trace_line(&t, line, strlen(line));
		grade_trace_free(&t);
		return err;
	}
	return -ENOSYS;
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char line[1024];
		int err;

		snprintf(line, sizeof(line), rows[i].fmt, rows[i].members);
		err = read_line(rows[i].reader, line);
		UNIT_CHECK_AT(rows[i].line, err == rows[i].err, "%s takes %s: want %s, got %d",
			      reader_names[rows[i].reader], line, rows[i].err ? "refused" : "read",
			      err);
	}
	return unit_done();
}
