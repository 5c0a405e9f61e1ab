/* A seccomp filter from a table of the system calls a program's steady
 * state makes. Any other call stops the program with one line on stderr
 * naming the call, instead of running it. */
#ifndef COMMON_SANDBOX_H
#define COMMON_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/* Allows a call only when argument pos (0-based) has this value in its low
 * 32 bits (ints and flags: the upper half of the register is not theirs). */
struct sandbox_arg {
	uint8_t used;
	uint8_t pos;
	uint32_t value;
};

#define SANDBOX_ARG(pos, value)                                                                    \
	{                                                                                          \
		1, (pos), (value)                                                                  \
	}

struct sandbox_rule {
	unsigned tags;	  /* 0: always; else only when sandbox_install's tags share a bit */
	const char *call; /* libseccomp's name for it; names this machine lacks are skipped */
	struct sandbox_arg args[3];
};

/* sandbox_install: allows the rules whose tags match, and what libc does
 * on its own (memory, stdio's terminal check, exit); traps everything
 * else. prog starts the message. Needs no_new_privs (or CAP_SYS_ADMIN).
 * Returns 0 or -errno. */
int sandbox_install(const char *prog, const struct sandbox_rule *rules, size_t n, unsigned tags);

#endif
