/* decode: from a captured frame to a transport payload on a DNS port.
 *
 * link.c strips the link layer (Ethernet with any VLAN tags, Linux cooked,
 * BSD loopback, raw IP), ip.c walks IPv4/IPv6 headers (options, extension
 * headers, IP-in-IP) and transport.c the UDP/TCP header.  Every frame that is
 * not delivered is counted in stats by the reason it was not. */
#ifndef PDNSLOG_DECODE_H
#define PDNSLOG_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/ipfrag.h"
#include "decode/packet.h"
#include "stats/stats.h"

#define DECODE_MAX_NESTING 4 /* IP-in-IP layers followed before giving up */
#define DECODE_MAX_EXT_HEADERS 16

/* The set of ports DNS is recognised on (-ports). */
struct portset {
	uint8_t bits[65536 / 8];
};
void portset_clear(struct portset *p);
void portset_add(struct portset *p, uint16_t port);
static inline bool portset_has(const struct portset *p, uint16_t port)
{
	return p->bits[port >> 3] & (1u << (port & 7));
}

/* Where decoded payloads go. */
typedef void (*deliver_fn)(void *ctx, const struct packet *pkt);

struct decoder {
	int linktype;                /* DLT_* of the capture */
	const struct portset *ports;
	struct stats *stats;
	deliver_fn deliver;
	void *ctx;
	struct frag_table *frags;    /* IP reassembly; NULL: fragments are counted and dropped */
};

/* True when this link type is one decode_frame() understands. */
bool decode_linktype_supported(int linktype);

/* Decode one frame of caplen bytes (of wirelen on the wire) captured at
 * ts_ns (with ts_digits of sub-second precision) and deliver its payload if
 * it is UDP or TCP on a DNS port.  wirelen tells a header that lies about
 * its length (ip_bad) from a frame the capture cut short (ip_truncated). */
void decode_frame(const struct decoder *d, int64_t ts_ns, int ts_digits,
		  const uint8_t *frame, size_t caplen, size_t wirelen);

/* The IP packet inside a frame (its length in *iplen), or NULL; what is not
 * IP is counted in st unless st is NULL (the dispatcher only looks). */
const uint8_t *link_find_ip(int linktype, const uint8_t *frame, size_t caplen,
			    size_t *iplen, struct stats *st);

/* Inner steps, exposed for tests and for reassembly to re-enter. */
void decode_ip(const struct decoder *d, struct packet *pkt, const uint8_t *p,
	       size_t len, int depth);
void decode_transport(const struct decoder *d, struct packet *pkt, uint8_t proto,
		      const uint8_t *p, size_t len);

#endif
