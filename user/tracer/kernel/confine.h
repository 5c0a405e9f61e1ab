/* Giving up root once the tracer is set up (README, "Privileges"): the
 * user who ran sudo, else nobody (-Z names another); no capabilities but
 * CAP_NET_ADMIN on the clsact path; a seccomp filter allowing only the
 * calls of the tracing loop and of the exit (--no-sandbox: none). */
#ifndef TL_CONFINE_H
#define TL_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/privdrop.h"
#include "common/sandbox.h"
#include "tracer/output/output.h"

/* Tags tl_sandbox_rules' rows needed only to remove a clsact filter. */
#define TL_SANDBOX_CLSACT 1U
/* Tags the rows needed only to write --html and --svg files. */
#define TL_SANDBOX_REPORT 2U

extern const struct sandbox_rule tl_sandbox_rules[];
extern const size_t tl_sandbox_nrules;

struct tl_confine {
	struct privdrop_user user;
	const char *caps[1];
	struct tl_privileges report; /* for the start record, once confined */
};

/* tl_confine_init: picks the user to become (-Z user, or NULL for the
 * default) while the user database can still be read. Returns 0, or
 * -ENOENT (no such user) or -EPERM (-Z without root). */
int tl_confine_init(struct tl_confine *c, const char *user);

/* tl_confine: once every privileged step is done. Hands owned_fd (the -w
 * file, or -1) to the user who ran sudo, becomes the user with no
 * capabilities (CAP_NET_ADMIN alone when clsact), then installs the
 * seccomp filter unless !sandbox, with the report's calls when report.
 * Returns 0 or -errno. */
int tl_confine(struct tl_confine *c, bool clsact, bool report, bool sandbox, int owned_fd);

#endif
