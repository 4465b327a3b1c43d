/* tcplog: what -assembly_debug_log and -assembly_memuse_log print about TCP
 * reassembly (gopassivedns took both flags from gopacket's assembler).
 *
 * -assembly_debug_log: one line per TCP segment on a DNS port, as the
 * reassembly saw it, and one per stream that leaves the table for another
 * reason than one of its segments (idle, end of input):
 *
 *   pdnslog: assembly: 10.0.0.7:4242 > 10.0.0.53:53 seq 1058 (+58) len 40 [PA]: out of order, held until the hole before it fills (1 waiting) [tcp_out_of_order+1]
 *   pdnslog: assembly: 10.0.0.7:4242 > 10.0.0.53:53 seq 1018 (+18) len 40 [PA]: in order, 1 held segment let in [tcp_messages+2]
 *   pdnslog: assembly: 10.0.0.7:4242 > 10.0.0.53:53 stream closed: end of input [tcp_gaps+1 tcp_messages+1]
 *
 * seq is the segment's raw sequence number and, in parentheses, its offset
 * from the first one the stream saw (its SYN, or its first data when the
 * handshake was not captured); the flags are TCP's (F S R P A U, "." for
 * none).  A FIN or RST adds "stream closed" (its holes given up).  What happened is one of: SYN, in order, out of order (held until
 * the hole before it fills), retransmit (every byte already had),
 * overlap (some bytes already had, the rest in order), no handshake seen
 * (the stream starts here, at the next message boundary found), cut short
 * by the capture, no data, no room (the table could not take the stream).
 * The brackets list every stats counter of the reassembly the segment
 * moved, with how much: the lines add up to the stats record's tcp_*
 * counters.
 *
 * -assembly_memuse_log: each worker, every TCP_MEMUSE_INTERVAL_NS of capture
 * time and at the end of its input, one line with its tables' memory:
 *
 *   pdnslog: assembly: memory: worker 0: tcp 3/65536 streams, 4096/67108864 bytes (2 segments held out of order, 180 bytes; 96 bytes unframed); ip fragments 1/4096 datagrams, 1480/16777216 bytes
 *
 * Lines go to standard error through progress_eprintf(), whole. */
#ifndef PDNSLOG_TCPLOG_H
#define PDNSLOG_TCPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"
#include "stats/stats.h"

#define TCP_MEMUSE_INTERVAL_NS (10LL * 1000000000) /* capture time between memory lines */

/* The counters the reassembly moves (tcp_segments is the decoder's). */
#define TCPLOG_COUNTERS(X) \
	X(tcp_messages) X(tcp_retransmits) X(tcp_out_of_order) X(tcp_gaps) X(tcp_gap_bytes) \
	X(tcp_bad_length) X(tcp_limit_drops) X(tcp_evicted) X(tcp_expired) X(tcp_incomplete)

struct tcplog_snap {
#define TCPLOG_FIELD(name) uint64_t name;
	TCPLOG_COUNTERS(TCPLOG_FIELD)
#undef TCPLOG_FIELD
};

void tcplog_snap(struct tcplog_snap *s, const struct stats *st);

/* One segment: what happened to it, the stream's first sequence number,
 * the held segments it let in, the segments still waiting ahead of a hole,
 * whether it closed the stream (FIN, RST: what the holes hid is given up
 * then), the counters before it. */
void tcplog_segment(const struct packet *pkt, uint32_t first_seq, const char *what,
		    size_t drained, size_t waiting, bool closed, const struct tcplog_snap *before,
		    const struct stats *now);

/* A stream left (src > dst as in its key), for why; counters as above. */
void tcplog_stream(uint8_t family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		   uint16_t dport, const char *why, const struct tcplog_snap *before,
		   const struct stats *now);

/* What a worker's reassembly tables hold now. */
struct tcp_memuse {
	size_t streams, max_streams;
	size_t bytes, max_bytes;          /* buffers and held segments, as the cap counts them */
	size_t held_segments, held_bytes; /* data waiting ahead of a hole */
	size_t unframed;                  /* in-order bytes not yet a whole message */
	size_t frag_datagrams, max_frag_datagrams;
	size_t frag_bytes, max_frag_bytes;
};

void tcplog_memuse(int worker, const struct tcp_memuse *m);

#endif
