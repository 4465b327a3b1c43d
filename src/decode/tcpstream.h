/* tcpstream: DNS over TCP (RFC 1035 4.2.2, RFC 7766): each direction of each
 * connection reassembled into a byte stream and split on the 2-byte length
 * prefix, with bounded memory.
 *
 * Segments may come in any order, repeated or overlapping (the first data
 * wins, as most stacks do), and may be missing from the capture: a hole that
 * does not fill is skipped and counted, and the stream resynchronises on the
 * next plausible length prefix.  Connections whose handshake was not captured
 * start at the first segment seen.  State leaves on FIN or RST, when idle
 * longer than the idle time (the capture clock), or oldest-first when the caps
 * on streams or buffered bytes are hit; everything dropped is counted. */
#ifndef PDNSLOG_TCPSTREAM_H
#define PDNSLOG_TCPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"
#include "stats/stats.h"

#define TCP_DEFAULT_MAX_STREAMS 65536
#define TCP_DEFAULT_STREAM_BYTES (256u << 10)
#define TCP_DEFAULT_MAX_BYTES (64u << 20)
#define TCP_MAX_OOO_SEGMENTS 32   /* segments held ahead of a hole before it is given up */

struct tcp_config {
	size_t max_streams;     /* directions of connections tracked at once */
	size_t stream_bytes;    /* bytes buffered per direction */
	size_t max_bytes;       /* bytes buffered in all */
	int64_t idle_ns;        /* a stream idle this long (capture time) is dropped */
	bool debug_log;         /* -assembly_debug_log: a line per segment (decode/tcplog.h) */
};

/* Receives each whole DNS message: pkt carries the flow and the capture
 * time of the segment that completed it; msg is lent for the call. */
typedef void (*tcp_message_fn)(void *ctx, const struct packet *pkt,
			       const uint8_t *msg, size_t len);

struct tcp_table;

struct tcp_table *tcp_create(const struct tcp_config *cfg, tcp_message_fn fn,
			     void *ctx, struct stats *stats);
void tcp_destroy(struct tcp_table *t);

/* One TCP segment (pkt->proto PKT_TCP, with seq, flags and payload). */
void tcp_segment(struct tcp_table *t, const struct packet *pkt);

/* Drop streams idle since before now_ns - idle_ns. */
void tcp_expire(struct tcp_table *t, int64_t now_ns);

/* End of input: give up every hole, deliver what completes, drop the rest. */
void tcp_flush(struct tcp_table *t);

size_t tcp_streams(const struct tcp_table *t);
size_t tcp_buffered(const struct tcp_table *t);

struct tcp_memuse;
/* Fill the tcp_* fields of m (-assembly_memuse_log): walks every stream. */
void tcp_memuse(const struct tcp_table *t, struct tcp_memuse *m);

#endif
