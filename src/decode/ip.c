/* ip: IPv4 (with options) and IPv6 (with extension headers), IP-in-IP and
 * GRE inside them.
 *
 * Lengths come from the header but are bounded by what was captured: the
 * header's total length trims link-layer padding, and a packet the capture
 * cut short is decoded as far as it goes and marked truncated. */
#include <string.h>

#include "decode/decode.h"

enum {
	IPPROTO_HOPOPTS_ = 0, IPPROTO_IPIP_ = 4, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17,
	IPPROTO_IPV6_ = 41, IPPROTO_ROUTING_ = 43, IPPROTO_FRAGMENT_ = 44,
	IPPROTO_GRE_ = 47, IPPROTO_AH_ = 51, IPPROTO_NONE_ = 59, IPPROTO_DSTOPTS_ = 60,
	IPPROTO_MH_ = 135, IPPROTO_HIP_ = 139, IPPROTO_SHIM6_ = 140,
};

static void next_protocol(const struct decoder *d, struct packet *pkt, uint8_t proto,
			  const uint8_t *p, size_t len)
{
	switch (proto) {
	case IPPROTO_UDP_:
	case IPPROTO_TCP_:
		decode_transport(d, pkt, proto, p, len);
		return;
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
		if (decode_wrap(d, pkt, ENCAP_IP, false, 0, true))
			decode_ip(d, pkt, p, len);
		return;
	case IPPROTO_GRE_:
		decode_gre(d, pkt, p, len, false);
		return;
	default:
		d->stats->ip_other++;
	}
}

/* A fragment: hand it to reassembly and decode the datagram it completes. */
static void reassemble(const struct decoder *d, struct packet *pkt, const struct frag_key *key,
		       uint8_t proto, uint32_t offset, bool more, const uint8_t *p, size_t len)
{
	d->stats->ip_fragments++;
	if (!d->frags || pkt->truncated)
		return; /* a fragment cut by the capture can't complete anything */
	const uint8_t *whole;
	size_t whole_len;
	uint8_t whole_proto;
	if (frag_offer(d->frags, key, proto, offset, more, p, len, pkt->ts_ns,
		       &whole, &whole_len, &whole_proto))
		next_protocol(d, pkt, whole_proto, whole, whole_len);
}

static void decode_ipv4(const struct decoder *d, struct packet *pkt,
			const uint8_t *p, size_t len)
{
	size_t hlen = len < 20 ? 20 : (size_t)(p[0] & 15) * 4;
	if (len < hlen && pkt->cut) {
		d->stats->ip_truncated++; /* the capture ends inside the header */
		return;
	}
	size_t total = len < 20 ? 0 : (size_t)(p[2] << 8 | p[3]);
	if (len < 20 || hlen < 20 || hlen > len || total < hlen) {
		d->stats->ip_bad++;
		return;
	}
	if (total > len) {
		/* Cut by the capture, or (the whole frame is there) a header
		 * that lies: either way decoded as far as the bytes go. */
		if (pkt->cut)
			d->stats->ip_truncated++;
		else
			d->stats->ip_bad++;
		pkt->truncated = 1;
	} else {
		len = total; /* drop link-layer padding */
	}
	pkt->src.family = pkt->dst.family = 4;
	memset(pkt->src.a, 0, 16);
	memset(pkt->dst.a, 0, 16);
	memcpy(pkt->src.a, p + 12, 4);
	memcpy(pkt->dst.a, p + 16, 4);

	uint16_t frag = (uint16_t)(p[6] << 8 | p[7]);
	if (frag & 0x3FFF) { /* MF set or a non-zero offset */
		struct frag_key key;
		memset(&key, 0, sizeof key);
		memcpy(key.src, pkt->src.a, 16);
		memcpy(key.dst, pkt->dst.a, 16);
		key.id = (uint32_t)(p[4] << 8 | p[5]);
		key.family = 4;
		key.proto = p[9];
		key.scope = encap_scope(pkt->encap);
		reassemble(d, pkt, &key, p[9], (uint32_t)(frag & 0x1FFF) * 8, frag & 0x2000,
			   p + hlen, len - hlen);
		return;
	}
	if (p[9] == IPPROTO_UDP_ || p[9] == IPPROTO_TCP_) /* the common case, without a call */
		decode_transport(d, pkt, p[9], p + hlen, len - hlen);
	else
		next_protocol(d, pkt, p[9], p + hlen, len - hlen);
}

static void decode_ipv6(const struct decoder *d, struct packet *pkt,
			const uint8_t *p, size_t len)
{
	if (len < 40) {
		if (pkt->cut)
			d->stats->ip_truncated++;
		else
			d->stats->ip_bad++;
		return;
	}
	size_t plen = (size_t)(p[4] << 8 | p[5]);
	if (plen == 0) {
		plen = len - 40; /* jumbogram or a capture that zeroed it: use what is there */
	}
	if (40 + plen > len) {
		if (pkt->cut)
			d->stats->ip_truncated++;
		else
			d->stats->ip_bad++; /* the whole frame is there: the header lies */
		pkt->truncated = 1;
	} else {
		len = 40 + plen;
	}
	pkt->src.family = pkt->dst.family = 6;
	memcpy(pkt->src.a, p + 8, 16);
	memcpy(pkt->dst.a, p + 24, 16);

	uint8_t next = p[6];
	size_t off = 40;
	for (int n = 0; n <= DECODE_MAX_EXT_HEADERS; n++) {
		size_t ext;
		switch (next) {
		case IPPROTO_HOPOPTS_: case IPPROTO_ROUTING_: case IPPROTO_DSTOPTS_:
		case IPPROTO_MH_: case IPPROTO_HIP_: case IPPROTO_SHIM6_:
			if (len - off < 2)
				goto bad;
			ext = ((size_t)p[off + 1] + 1) * 8;
			break;
		case IPPROTO_AH_:
			if (len - off < 2)
				goto bad;
			ext = ((size_t)p[off + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_: {
			if (len - off < 8)
				goto bad;
			uint16_t fo = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
			if (fo & 0xFFF9) { /* offset or M set: a real fragment */
				struct frag_key key;
				memset(&key, 0, sizeof key);
				memcpy(key.src, pkt->src.a, 16);
				memcpy(key.dst, pkt->dst.a, 16);
				key.id = (uint32_t)p[off + 4] << 24 | (uint32_t)p[off + 5] << 16 |
					 (uint32_t)p[off + 6] << 8 | p[off + 7];
				key.family = 6;
				key.scope = encap_scope(pkt->encap);
				reassemble(d, pkt, &key, p[off], fo & 0xFFF8, fo & 1,
					   p + off + 8, len - off - 8);
				return;
			}
			ext = 8; /* an atomic fragment (RFC 6946): carry on */
			break;
		}
		case IPPROTO_NONE_:
			d->stats->ip_other++;
			return;
		case IPPROTO_UDP_:
		case IPPROTO_TCP_:
			decode_transport(d, pkt, next, p + off, len - off);
			return;
		default:
			next_protocol(d, pkt, next, p + off, len - off);
			return;
		}
		if (ext > len - off)
			goto bad;
		next = p[off];
		off += ext;
	}
	d->stats->encap_too_deep++;
	return;
bad:
	if (pkt->truncated)
		return; /* already counted as cut short by the capture */
	d->stats->ip_bad++;
}

void decode_ip(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len)
{
	if (len < 1) {
		d->stats->ip_bad++;
		return;
	}
	switch (p[0] >> 4) {
	case 4:
		decode_ipv4(d, pkt, p, len);
		return;
	case 6:
		decode_ipv6(d, pkt, p, len);
		return;
	default:
		d->stats->ip_bad++;
	}
}
