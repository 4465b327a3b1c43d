/* decode: from a captured frame to a transport payload on a DNS port.
 *
 * link.c strips the link layer (Ethernet, Linux cooked, BSD loopback, raw
 * IP, PPP and HDLC, NFLOG, pflog, ipnet, enc, ERF) and wlan.c 802.11 with
 * its radiotap and PPI headers; ether.c walks EtherTypes (VLAN tags, MPLS
 * labels, PPPoE, LLC/SNAP); ip.c walks IPv4/IPv6 headers (options,
 * extension headers, fragments, IP-in-IP); transport.c the UDP/TCP header;
 * tunnel.c GRE (with PPTP and ERSPAN) and the UDP tunnels (VXLAN, Geneve,
 * GTP-U, GRE over UDP), which lead back into ether.c or ip.c.  Each wrapping
 * peeled is noted in the packet's encap (encap.h).  Every frame that is not
 * delivered is counted in stats by the reason it was not. */
#ifndef PDNSLOG_DECODE_H
#define PDNSLOG_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/encap.h"
#include "decode/ipfrag.h"
#include "decode/packet.h"
#include "stats/stats.h"

#define DECODE_MAX_EXT_HEADERS 16
#define DECODE_MAX_LINK_TAGS 16 /* tags and labels the dispatcher's look follows */

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

/* UDP tunnels, recognised by destination port (-vxlan_ports and friends). */
enum udp_tunnel { TUNNEL_NONE, TUNNEL_VXLAN, TUNNEL_GENEVE, TUNNEL_GTPU, TUNNEL_GRE_UDP,
		  TUNNEL_KINDS };
struct tunnel_ports {
	uint8_t kind[65536]; /* enum udp_tunnel of each port */
};
/* The standard ports: VXLAN 4789 and 8472 (Linux's default), Geneve 6081,
 * GTP-U 2152, GRE over UDP 4754. */
void tunnel_ports_default(struct tunnel_ports *t);
const char *tunnel_kind_name(enum udp_tunnel k);

/* Where decoded payloads go. */
typedef void (*deliver_fn)(void *ctx, const struct packet *pkt);

struct decoder {
	int linktype;                /* DLT_* of the capture */
	const struct portset *ports;
	const struct tunnel_ports *tunnels; /* NULL: no UDP tunnels */
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

/* The outermost IP packet inside a frame (its length in *iplen), or NULL;
 * what is not IP is counted in st unless st is NULL (the dispatcher only
 * looks). */
const uint8_t *link_find_ip(int linktype, const uint8_t *frame, size_t caplen,
			    size_t *iplen, struct stats *st);

/* Inner steps, exposed for tests and for the layers to re-enter one another.
 * pkt->encap collects the wrappings (it may be NULL: then nothing is noted
 * and the nesting limit is not applied). */
void decode_ip(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len);
void decode_transport(const struct decoder *d, struct packet *pkt, uint8_t proto,
		      const uint8_t *p, size_t len);
/* A payload by its EtherType; 0x6558 is a whole Ethernet frame. */
void decode_ethertype(const struct decoder *d, struct packet *pkt, uint16_t type,
		      const uint8_t *p, size_t len);
void decode_ether(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len);
void decode_gre(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len,
		bool over_udp);
void decode_udp_tunnel(const struct decoder *d, struct packet *pkt, enum udp_tunnel kind,
		       const uint8_t *p, size_t len);

/* Note a wrapping in pkt->encap and count it; NULL when that would pass
 * ENCAP_MAX_LAYERS, or pkt has no encap to note it in (counted as
 * encap_too_deep: decode no further).  With ip_carried, the layer records
 * pkt's current addresses, those of the IP header carrying the tunnel. */
struct encap_layer *decode_wrap(const struct decoder *d, struct packet *pkt, enum encap_type type,
		 bool has_id, uint32_t id, bool ip_carried);

/* The EtherType of a PPP payload (IPv4, IPv6, MPLS), 0 for any other; *hlen
 * the bytes of PPP header, with or without the FF 03 address and control
 * and with a compressed (1-byte) protocol field.  False when too short. */
bool ppp_ethertype(const uint8_t *p, size_t len, uint16_t *type, size_t *hlen);

/* ether.c's walk to the IP packet without noting wrappings (the
 * dispatcher's look, and link types whose frames carry an EtherType). */
const uint8_t *ether_find_ip(uint16_t type, const uint8_t *p, size_t len, size_t *iplen,
			     struct stats *st);

/* Pseudo EtherType: raw IP, its version in the first nibble. */
#define ETHERTYPE_RAW_IP 0xFFFF

/* The frame inside an 802.11 header (DLT_IEEE802_11), radiotap header
 * (DLT_IEEE802_11_RADIO) or PPI header (DLT_PPI): its EtherType and payload.
 * False when it carries no data that can be read (counted in st). */
bool wlan_payload(int linktype, const uint8_t **p, size_t *len, uint16_t *type,
		  struct stats *st);

#endif
