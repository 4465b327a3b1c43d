/* ipfrag: IPv4 and IPv6 fragment reassembly (RFC 791, RFC 8200) with bounded memory.
 *
 * Fragments of one datagram meet here, in any order; exact repeats are
 * ignored, any other overlap discards the datagram (RFC 5722 for IPv6; the
 * same for IPv4, so no overlap trick can show us different bytes than the
 * receiver saw).  Incomplete datagrams leave after a timeout on the capture
 * clock, or oldest-first when the caps on datagrams in flight or buffered
 * bytes are hit.  Every discard is counted in stats (frag_*). */
#ifndef PDNSLOG_IPFRAG_H
#define PDNSLOG_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

#define FRAG_DEFAULT_MAX_DATAGRAMS 4096
#define FRAG_DEFAULT_MAX_BYTES (16u << 20)
#define FRAG_DEFAULT_TIMEOUT_NS (30LL * 1000000000)

struct frag_config {
	size_t max_datagrams;  /* incomplete datagrams in flight */
	size_t max_bytes;      /* fragment payload bytes buffered, all datagrams */
	int64_t timeout_ns;    /* capture time a datagram may stay incomplete */
};

/* Identifies one datagram: RFC 791 (src, dst, protocol, ID) for IPv4,
 * RFC 8200 (src, dst, fragment ID) for IPv6 (proto 0 in the key), and the
 * wrappings it came in (encap.h). */
struct frag_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t family;        /* 4 or 6 */
	uint8_t proto;         /* IPv4 protocol; 0 for IPv6 */
	uint8_t pad[2];        /* zero */
	uint32_t scope;        /* encap_scope() of the fragment's packet */
	uint32_t pad2;         /* zero */
};

struct frag_table;

struct frag_table *frag_create(const struct frag_config *cfg, struct stats *stats);
void frag_destroy(struct frag_table *t);

/* Offer one fragment: its payload (after the IP header, or after the IPv6
 * fragment header) of len bytes at byte offset `offset` of the datagram,
 * `more` the MF/M flag, `proto` the protocol of the payload (IPv4 protocol
 * field, or the fragment header's Next Header).  now_ns is its capture time;
 * datagrams older than the timeout are expired first.
 *
 * Returns true when this fragment completes a datagram: *out and *outlen are
 * then the whole reassembled payload and *out_proto its protocol (taken from
 * the first fragment), lent until the next call on the table. */
bool frag_offer(struct frag_table *t, const struct frag_key *key, uint8_t proto,
		uint32_t offset, bool more, const uint8_t *data, size_t len,
		int64_t now_ns, const uint8_t **out, size_t *outlen, uint8_t *out_proto);

/* Drop every incomplete datagram (end of input), counting them as timeouts. */
void frag_flush(struct frag_table *t);

/* Datagrams and bytes held now (for tests and stats). */
size_t frag_datagrams(const struct frag_table *t);
size_t frag_bytes(const struct frag_table *t);

#endif
