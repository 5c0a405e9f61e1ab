#include "common/privdrop.h"
#include "common/parse_num.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A uid or gid; (uid_t)-1 means "unchanged" to setresuid, so not one. */
static int parse_id(const char *s, unsigned long *out)
{
	return tl_parse_ulong(s, 0, (uid_t)-2, out);
}

static int fill_user(const struct passwd *pw, gid_t gid, struct privdrop_user *u)
{
	int n = PRIVDROP_MAX_GROUPS;

	u->uid = pw->pw_uid;
	u->gid = gid;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	if (getgrouplist(pw->pw_name, gid, u->groups, &n) < 0)
		return -E2BIG;
	u->ngroups = n;
	return 0;
}

/* A sudo user the database does not know still has ids: itself, its group. */
static int sudo_user(uid_t uid, gid_t gid, struct privdrop_user *u)
{
	const struct passwd *pw = getpwuid(uid);

	if (pw)
		return fill_user(pw, gid, u);
	u->uid = uid;
	u->gid = gid;
	snprintf(u->name, sizeof(u->name), "%lu", (unsigned long)uid);
	u->groups[0] = gid;
	u->ngroups = 1;
	return 0;
}

bool privdrop_sudo_owner(uid_t *uid, gid_t *gid)
{
	unsigned long u, g;

	if (parse_id(getenv("SUDO_UID"), &u) || parse_id(getenv("SUDO_GID"), &g))
		return false;
	*uid = u;
	*gid = g;
	return true;
}

static int resolve(const char *spec, struct privdrop_user *u)
{
	const struct passwd *pw;
	unsigned long id;
	uid_t uid;
	gid_t gid;

	memset(u, 0, sizeof(*u));
	/* Running sudo from root is no reason to keep root. */
	if (!spec && privdrop_sudo_owner(&uid, &gid) && uid != 0)
		return sudo_user(uid, gid, u);
	errno = 0;
	pw = getpwnam(spec ? spec : "nobody");
	if (!pw && spec && !parse_id(spec, &id))
		pw = getpwuid(id);
	if (!pw)
		return errno ? -errno : -ENOENT;
	return fill_user(pw, pw->pw_gid, u);
}

int privdrop_pick(const char *spec, struct privdrop_user *u)
{
	int err;

	if (geteuid() == 0) {
		err = resolve(spec, u);
		u->switch_ids = true;
		return err;
	}
	if (spec)
		return -EPERM;
	memset(u, 0, sizeof(*u));
	return sudo_user(getuid(), getgid(), u);
}

static int caps_set(uint64_t keep)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {
	    {.effective = (uint32_t)keep, .permitted = (uint32_t)keep},
	    {.effective = (uint32_t)(keep >> 32), .permitted = (uint32_t)(keep >> 32)},
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static bool caps_are(uint64_t keep)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	uint64_t eff, perm;

	if (syscall(SYS_capget, &h, d))
		return false;
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return eff == keep && perm == keep && !d[0].inheritable && !d[1].inheritable;
}

/* The bounding set limits what any later execve could gain; dropping from
 * it needs CAP_SETPCAP, so it goes first. */
static int drop_bounding(uint64_t keep)
{
	for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (!(keep & 1ULL << cap) && prctl(PR_CAPBSET_DROP, cap))
			return -errno;
	return 0;
}

/* Groups first, while still root; KEEPCAPS keeps the permitted set across
 * setresuid so that keep can stay in it. */
static int switch_ids(const struct privdrop_user *u, uint64_t keep)
{
	int err = drop_bounding(keep);

	if (err)
		return err;
	if (setgroups(u->ngroups, u->groups) || setresgid(u->gid, u->gid, u->gid))
		return -errno;
	if (keep && prctl(PR_SET_KEEPCAPS, 1))
		return -errno;
	if (setresuid(u->uid, u->uid, u->uid))
		return -errno;
	return prctl(PR_SET_KEEPCAPS, 0) ? -errno : 0;
}

static bool ids_are(const struct privdrop_user *u)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	return !getresuid(&r, &e, &s) && !getresgid(&rg, &eg, &sg) && r == u->uid && e == u->uid &&
	       s == u->uid && rg == u->gid && eg == u->gid && sg == u->gid;
}

int privdrop_become(const struct privdrop_user *u, uint64_t keep)
{
	int err = u->switch_ids ? switch_ids(u, keep) : 0;

	if (err)
		return err;
	/* EINVAL: a kernel before 4.3, which has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	err = caps_set(keep);
	if (err)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return (!u->switch_ids || ids_are(u)) && caps_are(keep) ? 0 : -EPERM;
}
