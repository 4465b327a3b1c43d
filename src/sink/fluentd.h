/* fluentd: the -fluentd_socket sink: every record to a Fluentd (or Fluent
 * Bit, or any Forward protocol v1 server) over a Unix socket, as
 * gopassivedns did, or over TCP (tcp://HOST[:PORT], port 24224 by default).
 *
 * What goes on the wire: PackedForward messages,
 *
 *     [TAG, <bin: [TIME, RECORD] [TIME, RECORD] ...>, {"size": N, "chunk": ID}]
 *
 * TAG is "<sensor name>.service" and TIME whole seconds since the epoch (a
 * msgpack integer, not the EventTime extension), both as gopassivedns sent
 * them; TIME is when the worker handed the record over.  RECORD is a msgpack
 * map of the record line the other outputs get, converted value for value:
 * the same keys in the same order, strings as str, integers as int, true and
 * false as bool, null as nil (-format json's nesting as maps and arrays).
 * Many records travel in one message, so a busy sensor does not make one
 * write per record.
 *
 * Delivery: with ack (the default) every message carries a `chunk` ID and
 * counts as delivered only when the server answers {"ack": ID}.  A message
 * not acknowledged when the connection is lost, or within the ack timeout,
 * is sent again on the next connection (at-least-once: the server may see
 * it twice, counted in `retried`).  Without ack a message counts delivered
 * once it is written to the socket (at-most-once, as gopassivedns).
 *
 * Workers never wait for the server: fluentd_write() copies a worker's batch
 * into a queue bounded in records (queued and unacknowledged together); what
 * does not fit is dropped and counted.  One thread of the sink converts,
 * sends, reads the acks and reconnects with backoff (100 ms doubling to 5 s),
 * saying once on standard error when the server is gone and once when it is
 * back.  Every record handed over ends in exactly one counter: delivered,
 * dropped, or undelivered (still queued when the exit's wait ended). */
#ifndef PDNSLOG_FLUENTD_H
#define PDNSLOG_FLUENTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define FLUENTD_DEFAULT_PORT "24224"
#define FLUENTD_DEFAULT_QUEUE 100000
#define FLUENTD_PATH_MAX 108     /* sizeof sun_path */
#define FLUENTD_TAG_SUFFIX ".service"

/* Where the server is: a Unix socket path, or a TCP host and port. */
struct fluentd_address {
	bool tcp;
	char path[FLUENTD_PATH_MAX]; /* !tcp */
	char host[256];              /* tcp: a name, or an address (IPv6 without brackets) */
	char port[8];                /* tcp */
};

struct fluentd_config {
	const char *address;     /* PATH, unix://PATH or tcp://HOST[:PORT] */
	const char *tag;         /* e.g. "sensor1.service" */
	long long queue_max;     /* records queued or waiting for their ack, at most */
	bool ack;                /* the chunk option, and wait for each ack */
	int64_t ack_timeout_ns;  /* no ack within this: the connection is given up */
	bool debug;              /* connections said on stderr */
};

struct fluentd_counters {
	uint64_t delivered;   /* records acknowledged (without ack: written to the socket) */
	uint64_t retried;     /* records sent again after a lost connection or an ack timeout */
	uint64_t dropped;     /* records not queued: the queue was full */
	uint64_t undelivered; /* records still queued or unacknowledged at the end */
	uint64_t errors;      /* failed connects, lost connections, ack timeouts */
	uint64_t alone;       /* records delivered that reached no other output */
};

struct fluentd_sink;

/* "PATH", "unix://PATH", "tcp://HOST", "tcp://HOST:PORT", "tcp://[V6]:PORT".
 * Returns 0, or -1 with why in why (for "-fluentd_socket ..."). */
int fluentd_parse_address(const char *s, struct fluentd_address *a, char *why, size_t whylen);

/* Check the configuration, resolve a TCP host (once, now: name lookups are
 * not possible later under the sandbox), start the sender thread and try a
 * first connection.  An absent server is no error: records wait in the queue
 * until it answers.  NULL with a message in err otherwise. */
struct fluentd_sink *fluentd_open(const struct fluentd_config *cfg, char *err, size_t errlen);
/* Queue a worker's batch: n bytes of `records` whole '\n'-terminated lines,
 * `alone` of which reached no other output (credited to `alone` as they are
 * delivered).  Copies what fits (whole lines, the first ones) and returns
 * how many records that is; the rest is dropped and counted.  Never blocks
 * on the server; thread-safe. */
size_t fluentd_write(struct fluentd_sink *f, const char *lines, size_t n, size_t records,
		     size_t alone);
void fluentd_get_counters(struct fluentd_sink *f, struct fluentd_counters *c);
/* Wait up to timeout_ns for everything queued to be delivered; what is left
 * counts undelivered.  Then stop, close and free.  final: the last counters. */
void fluentd_close(struct fluentd_sink *f, int64_t timeout_ns, struct fluentd_counters *final);

/* One JSON value (a record line without its newline) as msgpack, appended to
 * out: objects as maps (members in order), arrays, strings unescaped to
 * UTF-8 (\u escapes and surrogate pairs included), integers as int (past 64
 * bits, and numbers with a fraction or exponent, as float 64), true, false,
 * null.  Returns 0, or -1 when the text is not one whole JSON value (out is
 * then left as it was). */
int fluentd_json_to_msgpack(struct strbuf *out, const char *json, size_t len);

#endif
