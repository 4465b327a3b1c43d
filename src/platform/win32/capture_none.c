/* win32/capture_none: the capture features the Windows build leaves out,
 * in place of capture/pcapdir.c (-pcap_dir follows a directory with
 * inotify) and posix/fanout.c (Linux's PACKET_FANOUT).  -pcap_dir and
 * -fanout are refused before anything starts (features.c). */
#include <stdio.h>

#include "capture/internal.h"

int capture_open_dir(struct capture *c, const char *dir, const char *state, const char *done,
		     const struct capture_hooks *hooks, bool debug, char *err)
{
	snprintf(err, CAPTURE_ERRLEN, "-pcap_dir: this build of pdnslog cannot follow a directory");
	return -1;
}

int capture_dir_save(struct capture *c, char *err)
{
	return 0;
}

void capture_dir_follow_next(struct capture *c)
{
}

int capture_dir_open_next(struct capture *c, char *err)
{
	return 0;
}

void capture_dir_free(struct capture *c)
{
}

int capture_join_fanout(struct capture *c, int group, char *err)
{
	snprintf(err, CAPTURE_ERRLEN, "%s: -fanout needs Linux's PACKET_FANOUT", c->name);
	return -1;
}
