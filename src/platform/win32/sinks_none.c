/* win32/sinks_none: outputs the Windows build leaves out, in place of
 * sink/fluentd.c (msgpack-c is not built for Windows here), sink/syslog.c
 * (no syslog socket) and stats/metrics.c's server (no libmicrohttpd).
 * Their flags are refused before anything starts (features.c); the
 * address checks the flag table runs still answer. */
#include <stdio.h>
#include <string.h>

#include "sink/fluentd.h"
#include "sink/syslog.h"
#include "stats/metrics.h"

int fluentd_parse_address(const char *s, struct fluentd_address *a, char *why, size_t whylen)
{
	memset(a, 0, sizeof *a);
	return 0; /* refused as a whole (features.c) */
}

struct fluentd_sink *fluentd_open(const struct fluentd_config *cfg, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog has no Fluentd support");
	return NULL;
}

size_t fluentd_write(struct fluentd_sink *f, const char *lines, size_t n, size_t records,
		     size_t alone)
{
	return 0;
}

void fluentd_get_counters(struct fluentd_sink *f, struct fluentd_counters *c)
{
	memset(c, 0, sizeof *c);
}

void fluentd_close(struct fluentd_sink *f, int64_t timeout_ns, struct fluentd_counters *final)
{
	memset(final, 0, sizeof *final);
}

int syslog_sink_open(struct syslog_sink *s, const char *path, int facility, int severity,
		     const char *ident, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog has no syslog output");
	return -1;
}

size_t syslog_sink_write(struct syslog_sink *s, const char *lines, size_t n)
{
	return 0;
}

size_t syslog_sink_write_from(struct syslog_sink *s, const char *lines, size_t n, size_t from)
{
	return 0;
}

void syslog_sink_counters(struct syslog_sink *s, uint64_t *sent, uint64_t *dropped,
			  uint64_t *errors)
{
	*sent = *dropped = *errors = 0;
}

void syslog_sink_close(struct syslog_sink *s)
{
}

bool metrics_addr_valid(const char *text)
{
	return true; /* refused as a whole (features.c) */
}

struct metrics_server *metrics_start(const char *addr, struct stats_board *board,
				     char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog has no -metrics");
	return NULL;
}

void metrics_stop(struct metrics_server *m)
{
}
