/* win32/daemon_none: no seccomp sandbox and no privilege drop or chroot on
 * Windows, in place of daemon/sandbox.c and daemon/privileges.c.
 * -user, -group and -chroot are refused before anything starts
 * (features.c); -sandbox (on by default) has nothing to install and says
 * so with -debug.  A service runs as the account the SCM gives it. */
#include <stdio.h>

#include "daemon/privileges.h"
#include "daemon/sandbox.h"

bool sandbox_available(void)
{
	return false;
}

int sandbox_enter(const struct sandbox_config *cfg, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog has no sandbox");
	return -1;
}

int privileges_drop(const char *user, const char *group, const char *dir, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog cannot drop privileges or chroot");
	return -1;
}
