/* table: the exchange table that pairs each DNS query with its response.
 *
 * A query waits here until its response comes, keyed on the full flow
 * (client and server address and port, transport) and the DNS ID, and checked
 * against the question, so two clients or two servers never collide.  A
 * response that comes first waits the same way for its query.  Entries leave
 * paired, aged out (older than -gc_age on the capture clock, when swept),
 * evicted oldest-first when the table is full (-max_pending), or flushed at the
 * end of input; each way out is handed to the emit callback and counted.
 *
 * Memory is bounded: entries are fixed-size and allocated in chunks up to
 * max_pending; held responses are copied under a byte cap; a message that
 * came wrapped (a tunnel, VLAN tags) keeps a copy of its encap, one per
 * entry at most. */
#ifndef PDNSLOG_PAIR_TABLE_H
#define PDNSLOG_PAIR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/encap.h"
#include "decode/packet.h"
#include "stats/stats.h"

/* Queries up to this size are kept whole; longer ones keep their header and
 * first question (enough to pair and log them). */
#define PAIR_QUERY_INLINE 300
#define PAIR_DEFAULT_MAX_PENDING 1000000
#define PAIR_DEFAULT_HELD_BYTES (32u << 20)

/* Who talks to whom: the client is the side that sent the query; scope is
 * the identity of the wrappings it came in (encap.h), 0 for none. */
struct flow_key {
	uint8_t client[16];
	uint8_t server[16];
	uint16_t cport;
	uint16_t sport;
	uint16_t id;
	uint8_t family;
	uint8_t proto;
	uint32_t scope;
};

/* One side of an exchange: a DNS message and when it was captured. */
struct leg {
	const uint8_t *wire;
	size_t len;
	int64_t ts_ns;
	int ts_digits;
	bool shortened; /* a long query kept as header and first question only */
	const struct encap *encap; /* the wrappings it came in, NULL for none */
};

/* Called for every exchange that leaves the table; query or response is
 * NULL for an unanswered query or a response with no query. */
typedef void (*pair_emit_fn)(void *ctx, const struct flow_key *key,
			     const struct leg *query, const struct leg *response);

struct pair_config {
	size_t max_pending;
	size_t max_held_bytes;
	int64_t gc_age_ns;
};

struct pair_table;

struct pair_table *pair_create(const struct pair_config *cfg, pair_emit_fn emit,
			       void *ctx, struct stats *stats);
void pair_destroy(struct pair_table *t);

/* Fill a flow key from a packet carrying a query (is_response false) or a
 * response: the client is the query's source and the response's destination. */
void pair_key_from_packet(struct flow_key *k, const struct packet *pkt,
			  bool is_response, uint16_t id);

/* Offer one DNS message (at least a full header).  It pairs with what is
 * waiting, or waits itself.  The bytes are copied if kept. */
void pair_message(struct pair_table *t, const struct flow_key *k, bool is_response,
		  const struct leg *msg);

/* Emit, as unanswered or response-only, entries older than gc_age at now_ns. */
void pair_expire(struct pair_table *t, int64_t now_ns);

/* Emit every waiting entry, oldest first (end of input, shutdown). */
void pair_flush(struct pair_table *t);

size_t pair_pending(const struct pair_table *t);

#endif
