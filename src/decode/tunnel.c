/* tunnel: GRE (RFC 2784, 2890) with PPTP's enhanced GRE (RFC 2637) and
 * ERSPAN types I to III, and the tunnels found by UDP port: VXLAN (RFC 7348),
 * Geneve (RFC 8926), GTP-U (3GPP TS 29.281) and GRE over UDP (RFC 8086).
 * Each is noted in the packet's encap and its payload decoded as a frame
 * (ether.c) or an IP packet (ip.c). */
#include <string.h>

#include "decode/decode.h"
#include "util/byteorder.h"

enum {
	GRE_CSUM = 0x80, GRE_ROUTING = 0x40, GRE_KEY = 0x20, GRE_SEQ = 0x10, /* first byte */
	GRE_ACK = 0x80,                                                      /* second byte */
	GRE_PPP = 0x880B, GRE_ERSPAN_2 = 0x88BE, GRE_ERSPAN_3 = 0x22EB,
	GTP_GPDU = 0xFF,
};

void tunnel_ports_default(struct tunnel_ports *t)
{
	memset(t->kind, 0, sizeof t->kind);
	t->kind[4789] = TUNNEL_VXLAN;
	t->kind[8472] = TUNNEL_VXLAN;
	t->kind[6081] = TUNNEL_GENEVE;
	t->kind[2152] = TUNNEL_GTPU;
	t->kind[4754] = TUNNEL_GRE_UDP;
}

const char *tunnel_kind_name(enum udp_tunnel k)
{
	static const char *const names[TUNNEL_KINDS] = {
		[TUNNEL_VXLAN] = "vxlan", [TUNNEL_GENEVE] = "geneve",
		[TUNNEL_GTPU] = "gtpu", [TUNNEL_GRE_UDP] = "gre_udp",
	};
	return k > TUNNEL_NONE && k < TUNNEL_KINDS ? names[k] : "none";
}

static uint64_t *counter_of(struct stats *st, enum encap_type type)
{
	switch (type) {
	case ENCAP_VLAN: return &st->encap_vlan;
	case ENCAP_MPLS: return &st->encap_mpls;
	case ENCAP_PPPOE: return &st->encap_pppoe;
	case ENCAP_IP: return &st->encap_ip;
	case ENCAP_GRE: return &st->encap_gre;
	case ENCAP_PPTP: return &st->encap_pptp;
	case ENCAP_ERSPAN: return &st->encap_erspan;
	case ENCAP_VXLAN: return &st->encap_vxlan;
	case ENCAP_GENEVE: return &st->encap_geneve;
	case ENCAP_GTPU: return &st->encap_gtpu;
	default: return &st->encap_gre_udp;
	}
}

struct encap_layer *decode_wrap(const struct decoder *d, struct packet *pkt,
				enum encap_type type, bool has_id, uint32_t id, bool ip_carried)
{
	struct encap *e = pkt->encap;
	if (!e || e->n >= ENCAP_MAX_LAYERS) {
		d->stats->encap_too_deep++;
		return NULL;
	}
	(*counter_of(d->stats, type))++;
	if (!ip_carried)
		return encap_add(e, type, has_id, id, 0, NULL, NULL);
	return encap_add(e, type, has_id, id, pkt->src.family, pkt->src.a, pkt->dst.a);
}

/* ERSPAN: type I is a bare frame; type II (with the GRE sequence number)
 * and type III have a header with the session ID first. */
static void erspan(const struct decoder *d, struct packet *pkt, uint16_t proto, bool seq,
		   const uint8_t *p, size_t len)
{
	int version = proto == GRE_ERSPAN_3 ? 3 : seq ? 2 : 1;
	size_t hlen = version == 1 ? 0 : version == 2 ? 8 : 12;
	if (len < hlen) {
		d->stats->encap_short++;
		return;
	}
	bool ip = false;
	if (version == 3) {
		if (p[11] & 1)
			hlen += 8; /* platform-specific subheader */
		unsigned ft = (p[10] >> 2) & 0x1F;
		if (ft != 0 && ft != 2) {
			d->stats->encap_unknown++;
			return;
		}
		ip = ft == 2;
		if (len < hlen) {
			d->stats->encap_short++;
			return;
		}
	}
	struct encap_layer *l = decode_wrap(d, pkt, ENCAP_ERSPAN, version > 1,
					    version > 1 ? be16(p + 2) & 0x3FF : 0, true);
	if (!l)
		return;
	l->version = (uint8_t)version;
	if (ip)
		decode_ip(d, pkt, p + hlen, len - hlen);
	else
		decode_ether(d, pkt, p + hlen, len - hlen);
}

/* PPTP's enhanced GRE: the key is the payload length and the peer's call
 * ID, and an acknowledgement number may follow the sequence number. */
static void pptp(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len)
{
	uint8_t f0 = p[0], f1 = p[1];
	if (!(f0 & GRE_KEY) || (f0 & (GRE_CSUM | GRE_ROUTING)) || be16(p + 2) != GRE_PPP) {
		d->stats->encap_unknown++;
		return;
	}
	size_t hlen = 8 + (f0 & GRE_SEQ ? 4 : 0) + (f1 & GRE_ACK ? 4 : 0);
	if (len < hlen) {
		d->stats->encap_short++;
		return;
	}
	size_t plen = be16(p + 4);
	if (plen == 0)
		return; /* an acknowledgement alone */
	if (!decode_wrap(d, pkt, ENCAP_PPTP, true, be16(p + 6), true))
		return;
	p += hlen;
	len -= hlen;
	if (plen < len)
		len = plen;
	uint16_t type;
	size_t ppp;
	if (!ppp_ethertype(p, len, &type, &ppp)) {
		d->stats->encap_short++;
		return;
	}
	if (!type) {
		d->stats->encap_unknown++; /* LCP, compressed or encrypted (MPPE) data */
		return;
	}
	decode_ethertype(d, pkt, type, p + ppp, len - ppp);
}

void decode_gre(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len,
		bool over_udp)
{
	if (len < 4) {
		d->stats->encap_short++;
		return;
	}
	uint8_t f0 = p[0], f1 = p[1];
	unsigned version = f1 & 7;
	if (version == 1 && !over_udp) {
		pptp(d, pkt, p, len);
		return;
	}
	if (version != 0 || (f0 & GRE_ROUTING)) {
		d->stats->encap_unknown++; /* RFC 1701 source routes are long deprecated */
		return;
	}
	uint16_t proto = be16(p + 2);
	size_t hlen = 4 + (f0 & GRE_CSUM ? 4 : 0);
	bool has_key = f0 & GRE_KEY;
	uint32_t key = 0;
	if (has_key) {
		if (len < hlen + 4) {
			d->stats->encap_short++;
			return;
		}
		key = be32(p + hlen);
		hlen += 4;
	}
	if (f0 & GRE_SEQ)
		hlen += 4;
	if (len < hlen) {
		d->stats->encap_short++;
		return;
	}
	if ((proto == GRE_ERSPAN_2 || proto == GRE_ERSPAN_3) && !over_udp) {
		erspan(d, pkt, proto, f0 & GRE_SEQ, p + hlen, len - hlen);
		return;
	}
	if (!decode_wrap(d, pkt, over_udp ? ENCAP_GRE_UDP : ENCAP_GRE, has_key, key, true))
		return;
	if (proto == GRE_PPP) {
		d->stats->encap_unknown++;
		return;
	}
	decode_ethertype(d, pkt, proto, p + hlen, len - hlen);
}

static void vxlan(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len)
{
	if (len < 8) {
		d->stats->encap_short++;
		return;
	}
	if (!(p[0] & 0x08)) { /* no valid VNI: not VXLAN as RFC 7348 has it */
		d->stats->encap_unknown++;
		return;
	}
	if (decode_wrap(d, pkt, ENCAP_VXLAN, true, be32(p + 4) >> 8, true))
		decode_ether(d, pkt, p + 8, len - 8);
}

static void geneve(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len)
{
	if (len < 8) {
		d->stats->encap_short++;
		return;
	}
	size_t hlen = 8 + (size_t)(p[0] & 0x3F) * 4;
	if (p[0] >> 6 != 0) {
		d->stats->encap_unknown++; /* a version this decoder does not know */
		return;
	}
	if (len < hlen) {
		d->stats->encap_short++;
		return;
	}
	if (decode_wrap(d, pkt, ENCAP_GENEVE, true, be32(p + 4) >> 8, true))
		decode_ethertype(d, pkt, be16(p + 2), p + hlen, len - hlen);
}

static void gtpu(const struct decoder *d, struct packet *pkt, const uint8_t *p, size_t len)
{
	if (len < 8) {
		d->stats->encap_short++;
		return;
	}
	if (p[0] >> 5 != 1 || !(p[0] & 0x10)) { /* GTPv1, not GTP' */
		d->stats->encap_unknown++;
		return;
	}
	if (p[1] != GTP_GPDU) {
		d->stats->gtpu_no_data++; /* echo, error indication, end marker */
		return;
	}
	size_t total = 8 + (size_t)be16(p + 2);
	if (total < len)
		len = total;
	size_t hlen = 8;
	if (p[0] & 0x07) { /* extension, sequence or N-PDU flag: 4 more bytes */
		if (len < 12) {
			d->stats->encap_short++;
			return;
		}
		uint8_t next = p[0] & 0x04 ? p[11] : 0;
		hlen = 12;
		while (next) {
			if (len - hlen < 4 || p[hlen] == 0 || len - hlen < (size_t)p[hlen] * 4) {
				d->stats->encap_short++;
				return;
			}
			hlen += (size_t)p[hlen] * 4;
			next = p[hlen - 1];
		}
	}
	if (decode_wrap(d, pkt, ENCAP_GTPU, true, be32(p + 4), true))
		decode_ethertype(d, pkt, ETHERTYPE_RAW_IP, p + hlen, len - hlen);
}

void decode_udp_tunnel(const struct decoder *d, struct packet *pkt, enum udp_tunnel kind,
		       const uint8_t *p, size_t len)
{
	switch (kind) {
	case TUNNEL_VXLAN: vxlan(d, pkt, p, len); break;
	case TUNNEL_GENEVE: geneve(d, pkt, p, len); break;
	case TUNNEL_GTPU: gtpu(d, pkt, p, len); break;
	case TUNNEL_GRE_UDP: decode_gre(d, pkt, p, len, true); break;
	default: break;
	}
}
