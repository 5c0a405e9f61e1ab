/* Giving up root once the listeners and the docroot are open (README,
 * "Privileges"): the user who ran sudo, else nobody (-u names another, and
 * only "-u root" keeps root); no capabilities, no_new_privs, and a seccomp
 * filter allowing only the serving loop's calls (--no-sandbox: none). */
#ifndef HTTPD_CONFINE_H
#define HTTPD_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/privdrop.h"
#include "common/sandbox.h"

extern const struct sandbox_rule httpd_sandbox_rules[];
extern const size_t httpd_sandbox_nrules;

struct httpd_confine {
	struct privdrop_user user;
	bool sandbox;
};

/* httpd_confine_init: picks the user (-u user, or NULL for the default)
 * while the user database can still be read. Returns 0, or -ENOENT (no
 * such user) or -EPERM (-u without root). */
int httpd_confine_init(struct httpd_confine *c, const char *user, bool sandbox);

/* httpd_confine: server_config's confine hook (ctx is a struct
 * httpd_confine). Warns on stderr when it stays root (-u root). 0 or -errno. */
int httpd_confine(void *ctx);

#endif
