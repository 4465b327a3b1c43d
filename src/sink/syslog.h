/* syslog: the -syslog_facility sink.  Every record line becomes one syslog
 * message, sent to the local daemon's socket (/dev/log) in the form glibc's
 * syslog() uses there (RFC 3164):
 *
 *     <PRI>Mmm dd hh:mm:ss IDENT[PID]: LINE
 *
 * glibc's syslog(3) is not used: it opens and connects its socket lazily,
 * behind our back, after the seccomp sandbox is in place.  Here the socket is
 * connected at open time; if the daemon restarts, the next send fails and the
 * sink connects once more (socket() and connect() on AF_UNIX: the sandbox has
 * to allow them, or the sink stays disconnected and counts errors).
 *
 * Sending never blocks for long: a batch may wait SYSLOG_WAIT_MS in all for
 * the daemon to drain its queue, then what does not fit is dropped and
 * counted.  Every line is sent whole or not at all: a truncated JSON record
 * is worse than none. */
#ifndef PDNSLOG_SYSLOG_H
#define PDNSLOG_SYSLOG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define SYSLOG_DEFAULT_PATH "/dev/log"
#define SYSLOG_DEFAULT_IDENT "pdnslog"
#define SYSLOG_IDENT_MAX 48      /* longer idents are refused at open */
#define SYSLOG_PATH_MAX 108      /* sizeof sun_path */
#define SYSLOG_WAIT_MS 20        /* most a batch waits for a full queue to drain */
#define SYSLOG_RETRY_NS 1000000000LL /* between reconnects while the daemon is away */

struct syslog_sink {
	pthread_mutex_t lock;  /* workers share the sink: one batch at a time */
	int fd;                /* -1 while disconnected */
	int type;              /* SOCK_DGRAM; SOCK_STREAM adds '\n' after each message */
	int pri;               /* facility * 8 + severity */
	pid_t pid;
	int wait_ms;           /* SYSLOG_WAIT_MS; 0: drop at once when the queue is full */
	char path[SYSLOG_PATH_MAX];
	char ident[SYSLOG_IDENT_MAX + 1];
	/* "<PRI>Mmm dd hh:mm:ss IDENT[PID]: ", rebuilt when the second changes */
	char header[16 + 16 + SYSLOG_IDENT_MAX + 16];
	size_t header_len;
	time_t header_time;
	int64_t retry_at;      /* monotonic ns: no reconnect before (daemon away) */
	uint64_t sent;         /* messages sent */
	uint64_t dropped;      /* not sent: the daemon's queue stayed full, or too big */
	uint64_t errors;       /* not sent: any other failure (daemon away, ...) */
	int reported_error, reported_drop; /* stderr told once of each */
};

/* Connect to the daemon's socket at path (NULL: /dev/log), datagram or, if
 * that is a stream socket, stream.  facility is 0..23 (syslog_parse_facility),
 * severity 0..7, ident NULL for "pdnslog".  Returns 0, or -1 with a message
 * in err. */
int syslog_sink_open(struct syslog_sink *s, const char *path, int facility, int severity,
		     const char *ident, char *err, size_t errlen);
/* Send n bytes of whole '\n'-terminated lines, one message per non-empty
 * line; safe from several threads.  Returns how many were sent. */
size_t syslog_sink_write(struct syslog_sink *s, const char *lines, size_t n);
/* The same, but returns how many of the lines from the from-th on (counted
 * from 0) were sent: a worker's batch, whose first `from` records reached
 * another output already, so that each record is counted once in
 * records_written. */
size_t syslog_sink_write_from(struct syslog_sink *s, const char *lines, size_t n, size_t from);
/* The counters, read under the lock (workers update them). */
void syslog_sink_counters(struct syslog_sink *s, uint64_t *sent, uint64_t *dropped,
			  uint64_t *errors);
void syslog_sink_close(struct syslog_sink *s);

/* "local3" -> 19, "daemon" -> 3, ...; -1 if unknown. */
int syslog_parse_facility(const char *name);
/* "notice" -> 5 ("error" and "warn" too); -1 if unknown. */
int syslog_parse_severity(const char *name);
/* 5 -> "notice"; NULL outside 0..7.  For the flat record's "level" field. */
const char *syslog_severity_name(int severity);

#endif
