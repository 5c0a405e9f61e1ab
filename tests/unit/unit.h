/* Minimal table-friendly unit test support: every check prints one line,
 * "file:line description: PASS" or "...: FAIL detail", which tests/run.sh
 * counts. A check's line is the table row's __LINE__ where one is given. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

static int unit_failed;

/* UNIT_CHECK_AT(line, cond, fmt, ...): check cond, naming it by the given line.
 * Each line is flushed: stdout is a file under tests/run.sh, and a crash
 * must not take the lines before it along. */
#define UNIT_CHECK_AT(line, cond, ...)                                                             \
	do {                                                                                       \
		printf("%s:%d ", __FILE__, (int)(line));                                           \
		printf(__VA_ARGS__);                                                               \
		if (cond) {                                                                        \
			printf(": PASS\n");                                                        \
		} else {                                                                           \
			printf(": FAIL (%s)\n", #cond);                                            \
			unit_failed = 1;                                                           \
		}                                                                                  \
		fflush(stdout);                                                                    \
	} while (0)

#define UNIT_CHECK(cond, ...) UNIT_CHECK_AT(__LINE__, cond, __VA_ARGS__)

/* unit_done: the exit status of a test binary. */
static inline int unit_done(void)
{
	fflush(stdout);
	return unit_failed;
}

#endif
