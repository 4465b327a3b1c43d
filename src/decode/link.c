/* link: strip the link-layer header and find the IP packet inside a frame. */
#include <pcap/dlt.h>
#include <string.h>

#include "decode/decode.h"
#include "util/byteorder.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

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
};

#define MAX_LINK_TAGS 16 /* VLAN tags or MPLS labels followed */

bool decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_FDDI:
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
#if defined(DLT_RAW) && DLT_RAW != 14
	case 14: /* DLT_RAW on some BSDs */
#endif
	case 101: /* LINKTYPE_RAW */
		return true;
	default:
		return false;
	}
}

/* From an EtherType and the bytes after it: skip tags, labels and PPPoE
 * to the IP packet.  NULL if there is none. */
static const uint8_t *from_ethertype(uint16_t type, const uint8_t *p, size_t len,
				     size_t *iplen, struct stats *st)
{
	for (int tags = 0; tags <= MAX_LINK_TAGS; tags++) {
		switch (type) {
		case ETH_IPV4:
		case ETH_IPV6:
			*iplen = len;
			return p;
		case ETH_VLAN: case ETH_QINQ: case ETH_QINQ_OLD1: case ETH_QINQ_OLD2:
			if (len < 4)
				goto short_;
			type = be16(p + 2);
			p += 4;
			len -= 4;
			break;
		case ETH_MPLS: case ETH_MPLS_MC: {
			/* Pop labels to the bottom of the stack, then guess by version. */
			int bottom = 0;
			for (int n = 0; !bottom; n++) {
				if (len < 4 || n > MAX_LINK_TAGS)
					goto short_;
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
				st->link_unknown++;
			return NULL;
		}
		case ETH_PPPOE: {
			if (len < 8)
				goto short_;
			uint16_t ppp = be16(p + 6);
			p += 8;
			len -= 8;
			if (ppp == 0x0021)
				type = ETH_IPV4;
			else if (ppp == 0x0057)
				type = ETH_IPV6;
			else
				type = 0;
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

const uint8_t *link_find_ip(int linktype, const uint8_t *p, size_t len, size_t *iplen,
			    struct stats *st)
{
	switch (linktype) {
	case DLT_EN10MB:
		if (len < 14)
			break;
		return from_ethertype(be16(p + 12), p + 14, len - 14, iplen, st);
	case DLT_FDDI:
		/* Frame control and two addresses, then LLC/SNAP as in 802.3. */
		if (len < 13 + 8)
			break;
		return from_ethertype(0, p + 13, len - 13, iplen, st);
	case DLT_LINUX_SLL:
		if (len < 16)
			break;
		return from_ethertype(be16(p + 14), p + 16, len - 16, iplen, st);
	case DLT_LINUX_SLL2:
		if (len < 20)
			break;
		return from_ethertype(be16(p), p + 20, len - 20, iplen, st);
	case DLT_NULL:
	case DLT_LOOP: {
		if (len < 4)
			break;
		/* The address family, in the capturing host's byte order for
		 * DLT_NULL and in network order for DLT_LOOP: accept either. */
		uint32_t fam = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (fam > 0xFFFF)
			fam = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		if (fam == 2 || fam == 10 || fam == 24 || fam == 28 || fam == 30) {
			*iplen = len - 4;
			return p + 4;
		}
		if (st)
			st->link_unknown++;
		return NULL;
	}
	default: /* raw IP in all its spellings */
		*iplen = len;
		return p;
	}
	if (st)
		st->link_short++;
	return NULL;
}

void decode_frame(const struct decoder *d, int64_t ts_ns, int ts_digits,
		  const uint8_t *p, size_t len, size_t wirelen)
{
	d->stats->packets++;
	d->stats->bytes += len;
	size_t iplen;
	const uint8_t *ip = link_find_ip(d->linktype, p, len, &iplen, d->stats);
	if (!ip)
		return;
	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.ts_ns = ts_ns;
	pkt.ts_digits = ts_digits;
	pkt.cut = wirelen > len;
	decode_ip(d, &pkt, ip, iplen, 0);
}
