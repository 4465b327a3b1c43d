/* encap: the list of wrappings a packet came in, and its identity. */
#include "decode/encap.h"

#include <string.h>

static const char *const type_names[ENCAP_TYPES] = {
	[ENCAP_VLAN] = "vlan", [ENCAP_MPLS] = "mpls", [ENCAP_PPPOE] = "pppoe",
	[ENCAP_IP] = "ip", [ENCAP_GRE] = "gre", [ENCAP_PPTP] = "pptp",
	[ENCAP_ERSPAN] = "erspan", [ENCAP_VXLAN] = "vxlan", [ENCAP_GENEVE] = "geneve",
	[ENCAP_GTPU] = "gtpu", [ENCAP_GRE_UDP] = "gre_udp",
};

static const char *const id_names[ENCAP_TYPES] = {
	[ENCAP_VLAN] = "id", [ENCAP_MPLS] = "label", [ENCAP_PPPOE] = "session",
	[ENCAP_GRE] = "key", [ENCAP_PPTP] = "call_id", [ENCAP_ERSPAN] = "session",
	[ENCAP_VXLAN] = "vni", [ENCAP_GENEVE] = "vni", [ENCAP_GTPU] = "teid",
	[ENCAP_GRE_UDP] = "key",
};

const char *encap_type_name(enum encap_type t)
{
	return t > 0 && t < ENCAP_TYPES ? type_names[t] : "unknown";
}

const char *encap_id_name(enum encap_type t)
{
	return t > 0 && t < ENCAP_TYPES ? id_names[t] : NULL;
}

/* Whether both directions of a conversation carry the same id.  Labels,
 * TEIDs and call IDs are each chosen by the receiving end. */
static bool id_is_shared(enum encap_type t)
{
	return t != ENCAP_MPLS && t != ENCAP_GTPU && t != ENCAP_PPTP;
}

static uint32_t mix(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u; /* FNV-1a */
	return h;
}

struct encap_layer *encap_add(struct encap *e, enum encap_type type, bool has_id,
			      uint32_t id, uint8_t family, const uint8_t *src,
			      const uint8_t *dst)
{
	struct encap_layer *l = &e->layer[e->n++];
	memset(l, 0, sizeof *l);
	l->type = (uint8_t)type;
	l->has_id = has_id;
	l->id = id;
	uint32_t h = mix(e->scope ? e->scope : 2166136261u, &l->type, 1);
	if (has_id && id_is_shared(type)) {
		uint8_t b[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
		h = mix(h, b, 4);
	}
	if (src && dst && (family == 4 || family == 6)) {
		size_t alen = family == 4 ? 4 : 16;
		l->family = family;
		memcpy(l->src, src, alen);
		memcpy(l->dst, dst, alen);
		/* The endpoints as an unordered pair: the same both ways. */
		bool lo = memcmp(src, dst, alen) <= 0;
		h = mix(h, lo ? src : dst, alen);
		h = mix(h, lo ? dst : src, alen);
	}
	h ^= h >> 16;
	e->scope = h ? h : 1; /* 0 stays "no layer" */
	return l;
}
