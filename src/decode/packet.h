/* packet: what the decoder hands to DNS: one transport payload and its flow. */
#ifndef PDNSLOG_PACKET_H
#define PDNSLOG_PACKET_H

#include <stddef.h>
#include <stdint.h>

enum { PKT_UDP = 17, PKT_TCP = 6 };

struct addr {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];  /* IPv4 in the first 4 bytes, the rest zero */
};

struct encap;

struct packet {
	int64_t ts_ns;      /* capture time, nanoseconds since the epoch */
	int ts_digits;      /* sub-second digits the capture gives: 6 or 9 */
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;      /* PKT_UDP or PKT_TCP */
	uint8_t tcp_flags;  /* TCP only */
	uint32_t tcp_seq;   /* TCP only */
	const uint8_t *payload; /* lent: valid only during the call that receives it */
	size_t len;
	int truncated;      /* the capture cut the payload short (snaplen) */
	int cut;            /* the capture kept less of the frame than the wire had */
	struct encap *encap; /* the wrappings it came in (lent likewise); NULL or
			      * empty (n 0, scope 0) when none */
};

#endif
