/* table: hash table plus age list of exchanges waiting for their other half. */
#include "pair/table.h"

#include <stdlib.h>
#include <string.h>

#include "dns/message.h"
#include "dns/name.h"
#include "util/keyhash.h"
#include "util/pool.h"

#define POOL_CHUNK 1024 /* entries allocated at a time as the table grows */
#define ENCAP_CHUNK 64  /* encap copies likewise, only once wrapped traffic comes */

/* What a lookup reads (chain link, hash, key, side) shares the first cache
 * line: a chain walk past an entry costs one miss, not two. */
struct pending {
	_Alignas(64) struct pending *hnext;  /* hash chain */
	uint64_t hash;
	struct flow_key key;
	bool is_response;
	struct pending *older;  /* age list, oldest at table->oldest */
	struct pending *newer;
	struct leg leg;
	uint8_t *held;          /* a held response's copy (malloc'd) */
	struct encap *encap;    /* the leg's wrappings, from the encaps pool */
	uint8_t query[PAIR_QUERY_INLINE];
};

struct pair_table {
	struct pair_config cfg;
	pair_emit_fn emit;
	void *ctx;
	struct stats *stats;

	struct pending **buckets;
	size_t nbuckets;      /* a power of two, grown with count (see grow()) */
	size_t max_buckets;
	struct keyhash hash;

	struct pending *oldest, *newest;
	struct pool entries;
	struct pool encaps;
	size_t count;
	size_t held_bytes;
};

_Static_assert(sizeof(struct flow_key) == 44, "flow_key must have no padding");
_Static_assert(offsetof(struct flow_key, scope) == 40, "ports, id, family, proto and scope end the key");
_Static_assert(offsetof(struct pending, older) <= 64, "what a lookup reads fits one cache line");

struct pair_table *pair_create(const struct pair_config *cfg, pair_emit_fn emit,
			       void *ctx, struct stats *stats)
{
	struct pair_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_pending == 0)
		t->cfg.max_pending = 1;
	t->emit = emit;
	t->ctx = ctx;
	t->stats = stats;
	t->nbuckets = 1024;
	t->max_buckets = 1024;
	while (t->max_buckets < 2 * t->cfg.max_pending && t->max_buckets < (1u << 24))
		t->max_buckets *= 2;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	keyhash_init(&t->hash);
	pool_init(&t->entries, sizeof(struct pending), POOL_CHUNK);
	pool_init(&t->encaps, sizeof(struct encap), ENCAP_CHUNK);
	return t;
}

void pair_destroy(struct pair_table *t)
{
	if (!t)
		return;
	for (struct pending *e = t->oldest; e; e = e->newer)
		free(e->held);
	pool_destroy(&t->entries);
	pool_destroy(&t->encaps);
	free(t->buckets);
	free(t);
}

void pair_key_from_packet(struct flow_key *k, const struct packet *pkt,
			  bool is_response, uint16_t id)
{
	const struct addr *client = is_response ? &pkt->dst : &pkt->src;
	const struct addr *server = is_response ? &pkt->src : &pkt->dst;
	memset(k, 0, sizeof *k);
	memcpy(k->client, client->a, 16);
	memcpy(k->server, server->a, 16);
	k->cport = is_response ? pkt->dport : pkt->sport;
	k->sport = is_response ? pkt->sport : pkt->dport;
	k->id = id;
	k->family = client->family;
	k->proto = pkt->proto;
	k->scope = encap_scope(pkt->encap);
}

size_t pair_pending(const struct pair_table *t)
{
	return t->count;
}

/* The first question's name, type and class at offset 12 of both messages
 * compared in place, case-insensitively.  1 equal, 0 different, -1 when a
 * compression pointer (which only a hostile message puts there) or the end
 * of a message gets in the way: then the names are decompressed to decide. */
static int question_equal_in_place(const struct leg *q, const struct leg *r)
{
	/* Most often the response echoes the question byte for byte. */
	size_t qn = dns_name_inplace_len(q->wire, q->len, DNS_HEADER_LEN);
	if (qn && DNS_HEADER_LEN + qn + 4 <= q->len && DNS_HEADER_LEN + qn + 4 <= r->len &&
	    memcmp(q->wire + DNS_HEADER_LEN, r->wire + DNS_HEADER_LEN, qn + 4) == 0)
		return 1;
	size_t at = DNS_HEADER_LEN;
	for (;;) {
		if (at >= q->len || at >= r->len)
			return -1;
		uint8_t n = q->wire[at];
		if (n != r->wire[at])
			return n & 0xC0 || r->wire[at] & 0xC0 ? -1 : 0;
		size_t end = at + 1 + n + (n ? 0 : 4); /* the root label brings type and class */
		if (n & 0xC0 || end > q->len || end > r->len ||
		    at + 1 + n - DNS_HEADER_LEN > DNS_NAME_MAX)
			return -1;
		if (n == 0)
			return memcmp(q->wire + at + 1, r->wire + at + 1, 4) == 0;
		for (size_t i = at + 1; i < end; i++) {
			uint8_t a = q->wire[i], b = r->wire[i];
			uint8_t lower = a | 0x20;
			if (a != b && (lower != (b | 0x20) || lower < 'a' || lower > 'z'))
				return 0;
		}
		at = end;
	}
}

/* Same first question (name case-insensitively, type, class), or one side
 * carries none: a FORMERR may echo no question, an IQUERY asks none. */
static bool same_question(const struct leg *query, const struct leg *response)
{
	if (response->len < DNS_HEADER_LEN || query->len < DNS_HEADER_LEN)
		return false;
	bool rq = response->wire[4] | response->wire[5];
	bool qq = query->wire[4] | query->wire[5];
	if (!rq || !qq)
		return true;
	int eq = question_equal_in_place(query, response);
	if (eq >= 0)
		return eq;
	uint8_t a[DNS_NAME_MAX], b[DNS_NAME_MAX];
	size_t an, bn;
	if (dns_name_unpack(query->wire, query->len, DNS_HEADER_LEN, a, &an) < 0 ||
	    dns_name_unpack(response->wire, response->len, DNS_HEADER_LEN, b, &bn) < 0)
		return false;
	if (an + 4 > query->len || bn + 4 > response->len)
		return false;
	return dns_name_equal(a, b) && memcmp(query->wire + an, response->wire + bn, 4) == 0;
}

static void unlink_entry(struct pair_table *t, struct pending *e)
{
	struct pending **pp = &t->buckets[e->hash & (t->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	t->count--;
	t->stats->pending = t->count;
}

static void release(struct pair_table *t, struct pending *e)
{
	if (e->held) {
		t->held_bytes -= e->leg.len;
		free(e->held);
		e->held = NULL;
	}
	if (e->encap)
		pool_put(&t->encaps, e->encap);
	pool_put(&t->entries, e);
}

/* The entry's own copy of msg's wrappings.  False when there is no memory
 * for it (the caller writes the message at once instead). */
static bool keep_encap(struct pair_table *t, struct pending *e, const struct leg *msg)
{
	e->encap = NULL;
	e->leg.encap = NULL;
	if (!msg->encap || msg->encap->n == 0)
		return true;
	e->encap = pool_get(&t->encaps);
	if (!e->encap)
		return false;
	memcpy(e->encap, msg->encap, encap_size(msg->encap));
	e->leg.encap = e->encap;
	return true;
}

/* Write out an entry that leaves without its other half. */
static void emit_alone(struct pair_table *t, struct pending *e)
{
	if (e->is_response) {
		t->stats->pair_response_only++;
		t->emit(t->ctx, &e->key, NULL, &e->leg);
	} else {
		t->stats->pair_unanswered++;
		t->emit(t->ctx, &e->key, &e->leg, NULL);
	}
}

static void expire(struct pair_table *t, struct pending *e)
{
	unlink_entry(t, e);
	emit_alone(t, e);
	release(t, e);
}

static struct pending *alloc_entry(struct pair_table *t)
{
	if (t->count >= t->cfg.max_pending) {
		t->stats->pair_evicted++;
		expire(t, t->oldest);
	}
	struct pending *e = pool_get(&t->entries);
	if (e) {
		e->held = NULL;
		e->encap = NULL;
	}
	return e;
}

/* Double the bucket array once entries fill half of it (most lookups then
 * find an empty bucket and touch no entry at all).  The array is
 * sized to the entries waiting, not to max_pending, so that it stays in the
 * CPU caches: a lookup in a table sized for the cap would miss on every
 * packet.  When the allocation fails the table keeps its longer chains. */
static void grow(struct pair_table *t)
{
	size_t n = t->nbuckets * 2;
	struct pending **b = calloc(n, sizeof *b);
	if (!b)
		return;
	for (struct pending *e = t->oldest; e; e = e->newer) {
		struct pending **head = &b[e->hash & (n - 1)];
		e->hnext = *head;
		*head = e;
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

static void insert(struct pair_table *t, struct pending *e)
{
	if (2 * t->count >= t->nbuckets && t->nbuckets < t->max_buckets)
		grow(t); /* before e is on the age list, which grow() rehashes */
	e->newer = NULL;
	e->older = t->newest;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
	t->count++;
	struct pending **b = &t->buckets[e->hash & (t->nbuckets - 1)];
	e->hnext = *b;
	*b = e;
	t->stats->pending = t->count;
	if (t->count > t->stats->pending_peak)
		t->stats->pending_peak = t->count;
}

/* Keep a copy of a query inside the entry: whole when it fits, else its
 * header and first question, which is all pairing and the flat record need. */
static void keep_query(struct pending *e, const struct leg *q)
{
	e->leg = *q;
	e->leg.wire = e->query;
	if (q->len <= PAIR_QUERY_INLINE) {
		memcpy(e->query, q->wire, q->len);
		return;
	}
	size_t next = DNS_HEADER_LEN;
	size_t n = DNS_HEADER_LEN;
	memcpy(e->query, q->wire, DNS_HEADER_LEN);
	memset(e->query + 4, 0, 8);
	uint8_t name[DNS_NAME_MAX];
	int nl = (q->wire[4] | q->wire[5]) ?
		dns_name_unpack(q->wire, q->len, DNS_HEADER_LEN, name, &next) : -1;
	if (nl > 0 && next + 4 <= q->len) {
		e->query[5] = 1;
		memcpy(e->query + n, name, (size_t)nl);
		n += (size_t)nl;
		memcpy(e->query + n, q->wire + next, 4);
		n += 4;
	}
	e->leg.len = n;
	e->leg.shortened = true;
}

/* One walk of the chain: the waiting other half of msg's exchange, if any,
 * and whether a twin of msg (same side, same key and question) waits. */
static struct pending *find(struct pair_table *t, uint64_t h, const struct flow_key *k,
			    bool is_response, const struct leg *msg, bool *twin)
{
	*twin = false;
	for (struct pending *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->hnext) {
		if (e->hash != h || memcmp(&e->key, k, sizeof *k) != 0)
			continue;
		if (e->is_response == is_response) {
			if (!*twin)
				*twin = is_response ? same_question(&e->leg, msg)
						    : same_question(msg, &e->leg);
		} else if (is_response ? same_question(&e->leg, msg) : same_question(msg, &e->leg)) {
			return e;
		}
	}
	return NULL;
}

/* The keyed hash of a flow key.  An IPv4 key's addresses fill 4 of their 16
 * bytes (the rest is zero), so they are hashed as 16 bytes (24 with a
 * scope), not 44. */
static uint64_t key_hash(const struct pair_table *t, const struct flow_key *k)
{
	if (k->family != 4)
		return keyhash(&t->hash, k, sizeof *k);
	uint8_t v4[24];
	memcpy(v4, k->client, 4);
	memcpy(v4 + 4, k->server, 4);
	memcpy(v4 + 8, &k->cport, 12); /* cport, sport, id, family, proto, scope */
	memset(v4 + 20, 0, 4);
	return keyhash(&t->hash, v4, k->scope ? sizeof v4 : 16);
}

/* A message that cannot wait for want of memory: written alone at once. */
static void write_now(struct pair_table *t, const struct flow_key *k, bool is_response,
		      const struct leg *msg)
{
	t->stats->pair_evicted++;
	if (is_response) {
		t->stats->pair_response_only++;
		t->emit(t->ctx, k, NULL, msg);
	} else {
		t->stats->pair_unanswered++;
		t->emit(t->ctx, k, msg, NULL);
	}
}

void pair_message(struct pair_table *t, const struct flow_key *k, bool is_response,
		  const struct leg *msg)
{
	uint64_t h = key_hash(t, k);
	bool twin;
	struct pending *e = find(t, h, k, is_response, msg, &twin);
	if (e) {
		unlink_entry(t, e);
		t->stats->pair_answered++;
		if (is_response)
			t->emit(t->ctx, k, &e->leg, msg);
		else
			t->emit(t->ctx, k, msg, &e->leg);
		release(t, e);
		return;
	}
	if (!is_response && twin) {
		/* The same query again while the first waits: a retransmission
		 * or a packet captured twice.  The first one stands. */
		t->stats->pair_duplicate_queries++;
		return;
	}
	if (is_response && (t->held_bytes + msg->len > t->cfg.max_held_bytes || twin)) {
		/* No room to hold it, or a twin already waits: write it now. */
		if (t->held_bytes + msg->len > t->cfg.max_held_bytes)
			t->stats->pair_held_full++;
		t->stats->pair_response_only++;
		t->emit(t->ctx, k, NULL, msg);
		return;
	}
	e = alloc_entry(t);
	if (!e) {
		/* Out of memory for a new entry: never lose it silently. */
		write_now(t, k, is_response, msg);
		return;
	}
	e->hash = h;
	e->key = *k;
	e->is_response = is_response;
	if (is_response) {
		e->held = malloc(msg->len ? msg->len : 1);
		if (!e->held) {
			pool_put(&t->entries, e);
			t->stats->pair_held_full++;
			t->stats->pair_response_only++;
			t->emit(t->ctx, k, NULL, msg);
			return;
		}
		memcpy(e->held, msg->wire, msg->len);
		e->leg = *msg;
		e->leg.wire = e->held;
		t->held_bytes += msg->len;
	} else {
		keep_query(e, msg);
	}
	if (!keep_encap(t, e, msg)) {
		/* No memory for a copy of its wrappings: write it now. */
		release(t, e);
		write_now(t, k, is_response, msg);
		return;
	}
	insert(t, e);
}

void pair_expire(struct pair_table *t, int64_t now_ns)
{
	while (t->oldest && now_ns - t->oldest->leg.ts_ns > t->cfg.gc_age_ns)
		expire(t, t->oldest);
}

void pair_flush(struct pair_table *t)
{
	while (t->oldest)
		expire(t, t->oldest);
}
