/* posix/fanout: -fanout, Linux's PACKET_FANOUT groups (capture.h). */
#include "capture/capture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/if_packet.h>
#endif

int capture_join_fanout(struct capture *c, int group, char *err)
{
#ifdef PACKET_FANOUT
	/* The kernel's fanout hash is symmetric (the flow dissector's
	 * symmetric keys), and DEFRAG hashes a fragmented datagram whole. */
	uint32_t arg = (uint32_t)(group & 0xFFFF) |
		       (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
	if (setsockopt(pcap_fileno(c->pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: cannot join packet fanout group %d: %s", c->name,
			 group & 0xFFFF, strerror(errno));
		return -1;
	}
	return 0;
#else
	snprintf(err, CAPTURE_ERRLEN, "%s: -fanout needs Linux's PACKET_FANOUT", c->name);
	return -1;
#endif
}
