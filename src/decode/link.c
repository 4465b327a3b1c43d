/* link: strip the link-layer header of a frame, by the capture's link type,
 * down to an EtherType and its payload; ether.c goes on from there. */
#include <pcap/dlt.h>
#include <string.h>

#include "decode/decode.h"
#include "util/byteorder.h"

/* Link types by their LINKTYPE_ numbers where dlt.h may lack or differ. */
enum {
	LT_PPP = 9, LT_PPP_HDLC = 50, LT_C_HDLC = 104, LT_RAW = 101, LT_RAW_BSD = 14,
	LT_IEEE802_11 = 105, LT_LOOP = 108, LT_ENC = 109, LT_PFLOG = 117,
	LT_IEEE802_11_RADIO = 127, LT_PPI = 192, LT_ERF = 197, LT_IPNET = 226,
	LT_IPV4 = 228, LT_IPV6 = 229, LT_NFLOG = 239, LT_LINUX_SLL2 = 276,
};

bool decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case LT_LINUX_SLL2: case DLT_FDDI:
	case DLT_RAW: case LT_RAW: case LT_RAW_BSD: case LT_IPV4: case LT_IPV6:
	case DLT_NULL: case LT_LOOP: case LT_ENC: case LT_PFLOG: case LT_IPNET:
	case LT_PPP: case LT_PPP_HDLC: case LT_C_HDLC: case LT_NFLOG: case LT_ERF:
	case LT_IEEE802_11: case LT_IEEE802_11_RADIO: case LT_PPI:
		return true;
	default:
		return false;
	}
}

/* Cisco HDLC: address (unicast 0x0F or broadcast 0x8F), control, EtherType. */
static bool cisco_hdlc(const uint8_t **p, size_t *len, uint16_t *type)
{
	if (*len < 4 || ((*p)[0] != 0x0F && (*p)[0] != 0x8F))
		return false;
	*type = be16(*p + 2);
	*p += 4;
	*len -= 4;
	return true;
}

/* NFLOG (Linux's nfnetlink_log): a 4-byte header (family, version, group),
 * then TLVs whose length and type are in the capturing host's byte order,
 * which libpcap makes the reading host's; the packet is NFULA_PAYLOAD. */
static bool nflog(const uint8_t **p, size_t *len, uint16_t *type, struct stats *st)
{
	const uint8_t *q = *p;
	size_t n = *len, at = 4;
	if (n < 4)
		return false;
	/* The last TLV's padding may reach past the end: at may pass n. */
	while (at <= n && n - at >= 4) {
		uint16_t tlen, ttype;
		memcpy(&tlen, q + at, 2);
		memcpy(&ttype, q + at + 2, 2);
		if (tlen < 4 || tlen > n - at)
			break;
		if ((ttype & 0x3FFF) == 9) { /* NFULA_PAYLOAD */
			*p = q + at + 4;
			*len = tlen - 4u;
			*type = ETHERTYPE_RAW_IP;
			return true;
		}
		at += ((size_t)tlen + 3) & ~(size_t)3;
	}
	if (st)
		st->link_unknown++; /* a log entry without the packet */
	*len = 0;
	return true;
}

/* ERF (Endace): a 16-byte record header, extension headers while the type's
 * top bit (then each extension's) says another follows, and for Ethernet
 * records 2 bytes of offset and pad before the frame. */
static bool erf_record(const uint8_t **p, size_t *len, uint16_t *type, struct stats *st)
{
	const uint8_t *q = *p;
	size_t n = *len, at = 16;
	if (n < 16)
		return false;
	uint8_t rtype = q[8];
	for (bool more = rtype & 0x80; more; at += 8) {
		if (n - at < 8)
			return false;
		more = q[at] & 0x80;
	}
	switch (rtype & 0x7F) {
	case 2: case 11: case 16: /* ETH, COLOR_ETH, DSM_COLOR_ETH */
		if (n - at < 2 + 14)
			return false;
		at += 2;
		*type = be16(q + at + 12);
		at += 14;
		break;
	case 22: case 23: /* IPV4, IPV6 */
		*type = ETHERTYPE_RAW_IP;
		break;
	default:
		if (st)
			st->link_unknown++;
		*len = 0;
		return true;
	}
	*p = q + at;
	*len = n - at;
	return true;
}

/* The frame's payload and its EtherType.  False when the frame is too short
 * for its header (counted as link_short here); true with *len 0 when it
 * carries nothing to decode (already counted). */
static bool link_payload(int linktype, const uint8_t **p, size_t *len, uint16_t *type,
			 struct stats *st)
{
	const uint8_t *q = *p;
	size_t n = *len, hlen;
	switch (linktype) {
	case DLT_EN10MB:
		if (n < 14)
			goto short_;
		*type = be16(q + 12);
		hlen = 14;
		break;
	case DLT_FDDI:
		/* Frame control and two addresses, then LLC/SNAP as in 802.3. */
		if (n < 13 + 8)
			goto short_;
		*type = 0;
		hlen = 13;
		break;
	case DLT_LINUX_SLL:
		if (n < 16)
			goto short_;
		*type = be16(q + 14);
		hlen = 16;
		break;
	case LT_LINUX_SLL2:
		if (n < 20)
			goto short_;
		*type = be16(q);
		hlen = 20;
		break;
	case DLT_NULL:
	case LT_LOOP: {
		if (n < 4)
			goto short_;
		/* The address family, in the capturing host's byte order for
		 * DLT_NULL and in network order for DLT_LOOP: accept either. */
		uint32_t fam = be32(q);
		if (fam > 0xFFFF)
			fam = le32(q);
		if (fam != 2 && fam != 10 && fam != 24 && fam != 28 && fam != 30)
			goto unknown;
		*type = ETHERTYPE_RAW_IP;
		hlen = 4;
		break;
	}
	case LT_ENC: /* OpenBSD IPsec: address family, SPI, flags */
		if (n < 12)
			goto short_;
		*type = ETHERTYPE_RAW_IP;
		hlen = 12;
		break;
	case LT_PFLOG: { /* OpenBSD pf: its length byte, word-aligned */
		if (n < 1 || q[0] < 45)
			goto short_;
		hlen = ((size_t)q[0] + 3) & ~(size_t)3;
		if (n < hlen)
			goto short_;
		*type = ETHERTYPE_RAW_IP;
		break;
	}
	case LT_IPNET: /* Solaris: version, family, type, length, interfaces, zones */
		if (n < 24)
			goto short_;
		*type = ETHERTYPE_RAW_IP;
		hlen = 24;
		break;
	case LT_C_HDLC:
		if (!cisco_hdlc(p, len, type))
			goto short_or_unknown;
		return true;
	case LT_PPP_HDLC:
		if (n >= 1 && (q[0] == 0x0F || q[0] == 0x8F)) {
			if (!cisco_hdlc(p, len, type))
				goto short_;
			return true;
		}
		/* PPP in HDLC-like framing */
		__attribute__((fallthrough));
	case LT_PPP:
		if (!ppp_ethertype(q, n, type, &hlen))
			goto short_;
		if (!*type)
			goto unknown;
		break;
	case LT_NFLOG:
		if (!nflog(p, len, type, st))
			goto short_;
		return true;
	case LT_ERF:
		if (!erf_record(p, len, type, st))
			goto short_;
		return true;
	case LT_IEEE802_11: case LT_IEEE802_11_RADIO: case LT_PPI:
		if (!wlan_payload(linktype, p, len, type, st))
			*len = 0;
		return true;
	default: /* raw IP in all its spellings */
		*type = ETHERTYPE_RAW_IP;
		hlen = 0;
		break;
	}
	*p = q + hlen;
	*len = n - hlen;
	return true;
short_or_unknown:
	if (n >= 4)
		goto unknown;
short_:
	if (st)
		st->link_short++;
	return false;
unknown:
	if (st)
		st->link_unknown++;
	*len = 0;
	return true;
}

const uint8_t *link_find_ip(int linktype, const uint8_t *p, size_t len, size_t *iplen,
			    struct stats *st)
{
	uint16_t type;
	if (!link_payload(linktype, &p, &len, &type, st) || len == 0)
		return NULL;
	return ether_find_ip(type, p, len, iplen, st);
}

void decode_frame(const struct decoder *d, int64_t ts_ns, int ts_digits,
		  const uint8_t *p, size_t len, size_t wirelen)
{
	d->stats->packets++;
	d->stats->bytes += len;
	bool cut = wirelen > len;
	uint16_t type;
	if (d->linktype == DLT_EN10MB && len >= 14) {
		/* Most frames: untagged Ethernet, without a call per layer. */
		type = be16(p + 12);
		p += 14;
		len -= 14;
	} else if (!link_payload(d->linktype, &p, &len, &type, d->stats) || len == 0) {
		return;
	}
	struct encap encap;
	encap.n = 0;
	encap.scope = 0;
	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.ts_ns = ts_ns;
	pkt.ts_digits = ts_digits;
	pkt.cut = cut;
	pkt.encap = &encap;
	if (type == 0x0800 || type == 0x86DD)
		decode_ip(d, &pkt, p, len);
	else
		decode_ethertype(d, &pkt, type, p, len);
}
