/* privileges: chroot, setgroups, setgid, setuid, in that order, and a check
 * that root cannot be regained. */
#include "daemon/privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(name);
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	char *end;
	unsigned long n = strtoul(name, &end, 10);
	if (*name && !*end) {
		*uid = (uid_t)n;
		*gid = (gid_t)n;
		return 0;
	}
	return -1;
}

static int lookup_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	char *end;
	unsigned long n = strtoul(name, &end, 10);
	if (*name && !*end) {
		*gid = (gid_t)n;
		return 0;
	}
	return -1;
}

int privileges_drop(const char *user, const char *group, const char *dir,
		    char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;
	/* Look names up before chroot: /etc/passwd may not be inside. */
	if (user && lookup_user(user, &uid, &gid) < 0) {
		snprintf(err, errlen, "-user %s: no such user", user);
		return -1;
	}
	if (group && lookup_group(group, &gid) < 0) {
		snprintf(err, errlen, "-group %s: no such group", group);
		return -1;
	}
	if (dir && (chroot(dir) < 0 || chdir("/") < 0)) {
		snprintf(err, errlen, "-chroot %s: %s", dir, strerror(errno));
		return -1;
	}
	if (user || group) {
		if (setgroups(0, NULL) < 0 && errno != EPERM) {
			snprintf(err, errlen, "setgroups: %s", strerror(errno));
			return -1;
		}
		if (setgid(gid) < 0) {
			snprintf(err, errlen, "-group: setgid(%u): %s", (unsigned)gid, strerror(errno));
			return -1;
		}
	}
	if (user) {
		if (setuid(uid) < 0) {
			snprintf(err, errlen, "-user %s: setuid(%u): %s", user, (unsigned)uid, strerror(errno));
			return -1;
		}
		if (uid != 0 && setuid(0) == 0) {
			snprintf(err, errlen, "-user %s: root could be regained; refusing to run", user);
			return -1;
		}
	}
	return 0;
}
