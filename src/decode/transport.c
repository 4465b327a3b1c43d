/* transport: UDP and TCP headers, and the DNS port check. */
#include <string.h>

#include "decode/decode.h"

void portset_clear(struct portset *p)
{
	memset(p->bits, 0, sizeof p->bits);
}

void portset_add(struct portset *p, uint16_t port)
{
	p->bits[port >> 3] |= (uint8_t)(1u << (port & 7));
}

static void decode_udp(const struct decoder *d, struct packet *pkt,
		       const uint8_t *p, size_t len)
{
	if (len < 8) {
		if (!pkt->truncated) /* else already counted as ip_truncated */
			d->stats->udp_bad++;
		return;
	}
	pkt->sport = (uint16_t)(p[0] << 8 | p[1]);
	pkt->dport = (uint16_t)(p[2] << 8 | p[3]);
	size_t ulen = (size_t)(p[4] << 8 | p[5]);
	enum udp_tunnel tunnel = TUNNEL_NONE;
	if (!portset_has(d->ports, pkt->sport) && !portset_has(d->ports, pkt->dport)) {
		/* DNS first: a client may well pick a tunnel's port as its own.
		 * Then the tunnel's port as destination, as the RFCs have it,
		 * or as source, as some endpoints answer. */
		if (d->tunnels) {
			tunnel = d->tunnels->kind[pkt->dport];
			if (tunnel == TUNNEL_NONE)
				tunnel = d->tunnels->kind[pkt->sport];
		}
		if (tunnel == TUNNEL_NONE) {
			stats_other_port(d->stats, pkt->sport, pkt->dport);
			return;
		}
	}
	if (ulen < 8) {
		/* 0 is legal for IPv6 jumbograms; anything else below 8 is a lie. */
		if (ulen != 0) {
			d->stats->udp_bad++;
			return;
		}
		ulen = len;
	}
	if (ulen > len) {
		/* Cut by the capture, or a length that claims more than the IP
		 * packet holds: either way decoded as far as the bytes go. */
		if (!pkt->truncated)
			d->stats->udp_long++;
		ulen = len;
	}
	if (tunnel != TUNNEL_NONE) {
		decode_udp_tunnel(d, pkt, tunnel, p + 8, ulen - 8);
		return;
	}
	pkt->proto = PKT_UDP;
	pkt->payload = p + 8;
	pkt->len = ulen - 8;
	d->deliver(d->ctx, pkt);
}

static void decode_tcp(const struct decoder *d, struct packet *pkt,
		       const uint8_t *p, size_t len)
{
	if (len < 20) {
		if (!pkt->truncated) /* else already counted as ip_truncated */
			d->stats->ip_bad++;
		return;
	}
	pkt->sport = (uint16_t)(p[0] << 8 | p[1]);
	pkt->dport = (uint16_t)(p[2] << 8 | p[3]);
	if (!portset_has(d->ports, pkt->sport) && !portset_has(d->ports, pkt->dport)) {
		stats_other_port(d->stats, pkt->sport, pkt->dport);
		return;
	}
	size_t hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < 20 || hlen > len) {
		if (hlen < 20 || !pkt->truncated)
			d->stats->ip_bad++;
		return;
	}
	pkt->proto = PKT_TCP;
	pkt->tcp_seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	pkt->tcp_flags = p[13];
	pkt->payload = p + hlen;
	pkt->len = len - hlen;
	d->stats->tcp_segments++;
	d->deliver(d->ctx, pkt);
}

void decode_transport(const struct decoder *d, struct packet *pkt, uint8_t proto,
		      const uint8_t *p, size_t len)
{
	if (proto == PKT_UDP)
		decode_udp(d, pkt, p, len);
	else
		decode_tcp(d, pkt, p, len);
}
