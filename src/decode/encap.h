/* encap: the wrappings a packet came in (VLAN tags, MPLS labels, PPPoE,
 * IP-in-IP, GRE, PPTP, ERSPAN, VXLAN, Geneve, GTP-U, GRE over UDP),
 * outermost first, as the decoder peels them.
 *
 * The record shows them (-format json "encap"), and their identity is part of
 * every key that holds state for a conversation (exchange table, TCP streams,
 * fragments), so two tunnels carrying the same inner addresses and ports
 * never meet.  That identity is what both directions of a conversation share:
 * VLAN IDs, PPPoE sessions, VNIs, GRE keys, ERSPAN sessions and the tunnel
 * endpoints as an unordered pair.  GTP-U TEIDs, PPTP call IDs and MPLS labels
 * are chosen by each receiver, so query and response carry different ones:
 * they are shown but not part of the identity. */
#ifndef PDNSLOG_ENCAP_H
#define PDNSLOG_ENCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One nesting limit for every wrapping and IP-in-IP: deeper is counted
 * (encap_too_deep) and not decoded. */
#define ENCAP_MAX_LAYERS 12

enum encap_type {
	ENCAP_VLAN = 1, ENCAP_MPLS, ENCAP_PPPOE, ENCAP_IP, ENCAP_GRE, ENCAP_PPTP,
	ENCAP_ERSPAN, ENCAP_VXLAN, ENCAP_GENEVE, ENCAP_GTPU, ENCAP_GRE_UDP,
	ENCAP_TYPES
};

struct encap_layer {
	uint8_t type;     /* enum encap_type */
	uint8_t family;   /* 4 or 6: src and dst are the carrying IP header's; 0: none */
	uint8_t has_id;   /* id is set (a GRE key is optional, ERSPAN I has no session) */
	uint8_t version;  /* ERSPAN: 1, 2 or 3 */
	uint32_t id;      /* VLAN ID, label, session, key, call ID, VNI or TEID */
	uint8_t src[16];
	uint8_t dst[16];
};

struct encap {
	uint32_t scope;   /* hash of the layers' shared identity; 0 with no layer */
	uint32_t n;
	struct encap_layer layer[ENCAP_MAX_LAYERS];
};

/* The identity of the wrappings, for keys: 0 when there are none. */
static inline uint32_t encap_scope(const struct encap *e)
{
	return e ? e->scope : 0;
}

/* The layer's name in records ("vlan", "gtpu", ...) and the name of the key
 * its id is written under ("id", "teid", ...; NULL when it has none). */
const char *encap_type_name(enum encap_type t);
const char *encap_id_name(enum encap_type t);

/* Bytes of e that matter (its header and n layers): what a copy needs. */
static inline size_t encap_size(const struct encap *e)
{
	return offsetof(struct encap, layer) + e->n * sizeof(struct encap_layer);
}

/* Add a layer to e (the caller has checked e->n < ENCAP_MAX_LAYERS) and fold
 * its identity into e->scope.  src/dst (of the given family) may be NULL. */
struct encap_layer *encap_add(struct encap *e, enum encap_type type, bool has_id,
			      uint32_t id, uint8_t family, const uint8_t *src,
			      const uint8_t *dst);

#endif
