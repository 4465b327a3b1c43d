/* ether: EtherTypes and what hides behind them (VLAN tags, MPLS labels,
 * PPPoE sessions, 802.3 LLC/SNAP) down to the IP packet; and PPP headers,
 * which PPPoE, PPTP and PPP links share. */
#include <string.h>

#include "decode/decode.h"
#include "util/byteorder.h"

enum {
	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86DD,
	ETH_VLAN = 0x8100,   /* 802.1Q */
	ETH_QINQ = 0x88A8,   /* 802.1ad */
	ETH_QINQ_OLD1 = 0x9100,
	ETH_QINQ_OLD2 = 0x9200,
	ETH_MPLS = 0x8847,
	ETH_MPLS_MC = 0x8848,
	ETH_PPPOE = 0x8864,
	ETH_TEB = 0x6558,    /* transparent Ethernet bridging: a whole frame */
};

bool ppp_ethertype(const uint8_t *p, size_t len, uint16_t *type, size_t *hlen)
{
	size_t at = 0;
	if (len >= 2 && p[0] == 0xFF && p[1] == 0x03)
		at = 2; /* HDLC-like address and control (absent when compressed, RFC 1661 6.6) */
	if (at >= len)
		return false;
	uint16_t proto;
	if (p[at] & 1) { /* protocol field compression: one byte (RFC 1661 6.5) */
		proto = p[at];
		at += 1;
	} else {
		if (len - at < 2)
			return false;
		proto = be16(p + at);
		at += 2;
	}
	*hlen = at;
	switch (proto) {
	case 0x0021: *type = ETH_IPV4; break;
	case 0x0057: *type = ETH_IPV6; break;
	case 0x0281: *type = ETH_MPLS; break;
	default: *type = 0;
	}
	return true;
}

/* From an EtherType and the bytes after it: past tags, labels, PPPoE and
 * LLC to the IP packet, noting each wrapping in pkt (when there is one).
 * NULL if there is no IP packet; st (may be NULL) counts why. */
static const uint8_t *find_ip(const struct decoder *d, struct packet *pkt, uint16_t type,
			      const uint8_t *p, size_t len, size_t *iplen, struct stats *st)
{
	for (int steps = 0; steps <= DECODE_MAX_LINK_TAGS; steps++) {
		switch (type) {
		case ETH_IPV4:
		case ETH_IPV6:
		case ETHERTYPE_RAW_IP:
			*iplen = len;
			return p;
		case ETH_VLAN: case ETH_QINQ: case ETH_QINQ_OLD1: case ETH_QINQ_OLD2:
			if (len < 4)
				goto short_;
			if (pkt && !decode_wrap(d, pkt, ENCAP_VLAN, true, be16(p) & 0x0FFF, false))
				return NULL;
			type = be16(p + 2);
			p += 4;
			len -= 4;
			break;
		case ETH_MPLS: case ETH_MPLS_MC: {
			/* Pop labels to the bottom of the stack, then guess by version. */
			int bottom = 0;
			for (int n = 0; !bottom; n++) {
				if (len < 4 || n > DECODE_MAX_LINK_TAGS)
					goto short_;
				if (pkt && !decode_wrap(d, pkt, ENCAP_MPLS, true, be32(p) >> 12, false))
					return NULL;
				bottom = p[2] & 1;
				p += 4;
				len -= 4;
			}
			if (len < 1)
				goto short_;
			if (p[0] >> 4 == 4 || p[0] >> 4 == 6) {
				*iplen = len;
				return p;
			}
			if (st)
				st->encap_unknown++; /* a pseudowire or a control word */
			return NULL;
		}
		case ETH_PPPOE: {
			/* Version/type 0x11, code 0 (session data), session ID, length. */
			if (len < 8)
				goto short_;
			if (p[0] != 0x11 || p[1] != 0) {
				if (st)
					st->encap_unknown++;
				return NULL;
			}
			if (pkt && !decode_wrap(d, pkt, ENCAP_PPPOE, true, be16(p + 2), false))
				return NULL;
			size_t plen = be16(p + 4);
			p += 6;
			len -= 6;
			if (plen < len)
				len = plen; /* trailing Ethernet padding */
			size_t hlen;
			if (!ppp_ethertype(p, len, &type, &hlen))
				goto short_;
			p += hlen;
			len -= hlen;
			if (!type) {
				if (st)
					st->encap_unknown++; /* LCP, IPCP, compressed data... */
				return NULL;
			}
			break;
		}
		default:
			if (type <= 1500 && len >= 8 && p[0] == 0xAA && p[1] == 0xAA && p[2] == 0x03) {
				/* 802.3 length field with LLC/SNAP: the EtherType follows. */
				type = be16(p + 6);
				p += 8;
				len -= 8;
				break;
			}
			if (st)
				st->link_unknown++;
			return NULL;
		}
	}
	if (st)
		st->encap_too_deep++;
	return NULL;
short_:
	if (st)
		st->link_short++;
	return NULL;
}

const uint8_t *ether_find_ip(uint16_t type, const uint8_t *p, size_t len, size_t *iplen,
			     struct stats *st)
{
	return find_ip(NULL, NULL, type, p, len, iplen, st);
}

void decode_ethertype(const struct decoder *d, struct packet *pkt, uint16_t type,
		      const uint8_t *p, size_t len)
{
	if (type == ETH_TEB) {
		decode_ether(d, pkt, p, len);
		return;
	}
	size_t iplen;
	const uint8_t *ip = find_ip(d, pkt, type, p, len, &iplen, d->stats);
	if (ip)
		decode_ip(d, pkt, ip, iplen);
}

void decode_ether(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len)
{
	if (len < 14) {
		d->stats->link_short++;
		return;
	}
	decode_ethertype(d, pkt, be16(p + 12), p + 14, len - 14);
}
