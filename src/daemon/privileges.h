/* privileges: give up root once the capture and the log files are open, as
 * tcpdump -Z does: chroot (optional), then the group list, group and user.
 * Works only with the privilege to do so (root); a clear error otherwise. */
#ifndef PDNSLOG_PRIVILEGES_H
#define PDNSLOG_PRIVILEGES_H

#include <stddef.h>

/* user and group are names or numbers (NULL: keep); dir NULL: no chroot.
 * Returns 0, or -1 with a message in err. */
int privileges_drop(const char *user, const char *group, const char *dir,
		    char *err, size_t errlen);

#endif
