/* Giving up root once setup is done, as tcpdump -Z and nginx's worker do:
 * another user, that user's groups, no_new_privs, and no capabilities but
 * those a caller still needs. Shared by tcplife-http and tcplife-httpd. */
#ifndef COMMON_PRIVDROP_H
#define COMMON_PRIVDROP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PRIVDROP_MAX_GROUPS 64

struct privdrop_user {
	uid_t uid;
	gid_t gid;
	char name[64];
	gid_t groups[PRIVDROP_MAX_GROUPS]; /* supplementary groups */
	int ngroups;
	bool switch_ids; /* started as root: become this user (else stay) */
};

/* privdrop_pick: who a program becomes once set up. Started as root: the
 * user spec names (a name, or a number when no user has that name); for
 * NULL, the one who ran sudo (SUDO_UID/SUDO_GID) unless that is root, else
 * nobody; switch_ids is set. Otherwise there is no one else to become: u
 * names the current user, and spec must be NULL (else -EPERM). Reads the
 * user and group databases, so it runs before any sandbox. Returns 0 or
 * -errno (-ENOENT: no such user). */
int privdrop_pick(const char *spec, struct privdrop_user *u);

/* privdrop_sudo_owner: the user who ran sudo (SUDO_UID/SUDO_GID), for the
 * files made on their behalf; false when not run through sudo. */
bool privdrop_sudo_owner(uid_t *uid, gid_t *gid);

/* privdrop_become: becomes u for good when u->switch_ids (real, effective
 * and saved ids, groups), else stays who it is; sets no_new_privs and
 * clears every capability but those in keep (bit 1 << CAP_X), from the
 * effective, permitted, inheritable, ambient and bounding sets. Checks the
 * result. Returns 0 or -errno. */
int privdrop_become(const struct privdrop_user *u, uint64_t keep);

#endif
