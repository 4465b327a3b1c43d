/* statsd: the counters sent to a statsd daemon over UDP (-statsd_host), as
 * gopassivedns did.  The main thread calls statsd_send() every
 * -statsd_interval with the summed counters; each call sends, for every
 * counter of the stats record, the increase since the previous call:
 *
 *     PREFIX.NAME:DELTA|c            every STATS_COUNTERS name, zeros too
 *     PREFIX.dns_errors.KIND:DELTA|c every kind of malformed DNS message
 *     PREFIX.pending:N|g             gauges, as they stand
 *     PREFIX.pending_peak:N|g
 *
 * Zeros are sent too, so every series exists from the first interval on and a
 * quiet sensor is told from a dead one.  Metrics are packed several to a
 * datagram, '\n' between them, never one split across two.  The sensor name
 * is not part of the names: give each sensor its own prefix
 * (-statsd_prefix pdnslog.SENSOR) to tell them apart. */
#ifndef PDNSLOG_STATSD_H
#define PDNSLOG_STATSD_H

#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

#define STATSD_DEFAULT_PORT 8125
#define STATSD_DEFAULT_PREFIX "pdnslog"
#define STATSD_DATAGRAM 1432    /* payload that fits a 1500-byte MTU, IPv6 + UDP + tunnels */
#define STATSD_PREFIX_MAX 256   /* so that the longest metric fits a datagram */
#define STATSD_TARGET_MAX 300   /* "host:port" as given, for messages */

struct statsd {
	intptr_t fd;            /* UDP, connected to the daemon (platform_udp_connect) */
	char prefix[STATSD_PREFIX_MAX + 2]; /* with its '.', or "" for none */
	char target[STATSD_TARGET_MAX];
	struct stats prev;      /* the counters at the last send */
	uint64_t datagrams;     /* datagrams sent */
	uint64_t errors;        /* datagrams that could not be sent */
	int reported;           /* the first error was told on stderr */
};

/* hostport: "host", "host:port", "1.2.3.4:port", "[v6]:port", "[v6]" or a
 * bare IPv6 address; the port defaults to 8125.  Resolved once, here.
 * prefix: letters, digits, '_', '-' and '.', at most STATSD_PREFIX_MAX; ""
 * for none, NULL for "pdnslog".  Returns NULL with a message in err. */
struct statsd *statsd_open(const char *hostport, const char *prefix, char *err, size_t errlen);
/* Send the increase of every counter since the last call (since zero at
 * the first).  A counter lower than last time was reset: its whole value
 * is the increase.  Never blocks; failures are counted in s->errors. */
void statsd_send(struct statsd *s, const struct stats *now);
void statsd_close(struct statsd *s);

#endif
