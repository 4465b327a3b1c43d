/* tcpstream: per-direction TCP reassembly and DNS length-prefix framing. */
#include "decode/tcpstream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode/encap.h"
#include "decode/tcplog.h"
#include "dns/message.h"
#include "util/byteorder.h"
#include "util/keyhash.h"
#include "util/pool.h"

#define POOL_CHUNK 256          /* streams allocated at a time as the table grows */
#define RESYNC_KEEP 13          /* bytes kept while looking for a prefix: one short of prefix + header */
#define RESYNC_PARSES 16        /* full parses tried per search, so hostile data can't make it quadratic */

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04 };

/* One direction of a connection: src -> dst. */
struct stream_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t family;
	uint8_t pad[3];
	uint32_t scope;         /* encap_scope() of its packets */
	uint32_t pad2;
};

/* Data that arrived ahead of a hole. */
struct segment {
	struct segment *next;   /* sorted by seq */
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

struct stream {
	struct stream *hnext;
	struct stream *older, *newer;   /* least recently used first */
	uint64_t hash;
	struct stream_key key;
	int64_t last_ns;
	int ts_digits;
	uint32_t next_seq;              /* the next byte expected in order */
	bool have_seq;
	bool synced;                    /* buf starts at a length prefix */
	uint32_t first_seq;             /* the first seen (SYN or data), for -assembly_debug_log */
	uint8_t *buf;                   /* in-order bytes not yet framed */
	size_t len, cap;
	struct segment *ooo;
	size_t ooo_count, ooo_bytes;
	struct encap *encap;            /* its wrappings (from the encaps pool), NULL for none */
};

struct tcp_table {
	struct tcp_config cfg;
	tcp_message_fn fn;
	void *ctx;
	struct stats *stats;
	struct stream **buckets;
	size_t nbuckets;
	struct keyhash hash;
	struct stream *oldest, *newest;
	struct pool streams;
	struct pool encaps;
	size_t count;
	size_t bytes;                   /* buffer capacity plus out-of-order data, all streams */
	struct dns_rr *rrs;             /* parse space for resynchronisation checks */
};

_Static_assert(sizeof(struct stream_key) == 48, "stream_key must have no padding");

struct tcp_table *tcp_create(const struct tcp_config *cfg, tcp_message_fn fn,
			     void *ctx, struct stats *stats)
{
	struct tcp_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_streams == 0)
		t->cfg.max_streams = 1;
	if (t->cfg.stream_bytes < 2 * (DNS_MSG_MAX + 2))
		t->cfg.stream_bytes = 2 * (DNS_MSG_MAX + 2); /* one whole message must fit */
	t->fn = fn;
	t->ctx = ctx;
	t->stats = stats;
	t->nbuckets = 256;
	while (t->nbuckets < t->cfg.max_streams && t->nbuckets < (1u << 22))
		t->nbuckets *= 2;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	t->rrs = malloc(sizeof(struct dns_rr) * DNS_MAX_RRS);
	if (!t->buckets || !t->rrs) {
		tcp_destroy(t);
		return NULL;
	}
	keyhash_init(&t->hash);
	pool_init(&t->streams, sizeof(struct stream), POOL_CHUNK);
	pool_init(&t->encaps, sizeof(struct encap), 64);
	return t;
}

static void clear_data(struct tcp_table *t, struct stream *s)
{
	t->bytes -= s->cap + s->ooo_bytes;
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	while (s->ooo) {
		struct segment *g = s->ooo;
		s->ooo = g->next;
		free(g);
	}
	s->ooo_count = s->ooo_bytes = 0;
}

void tcp_destroy(struct tcp_table *t)
{
	if (!t)
		return;
	for (struct stream *s = t->oldest; s; s = s->newer)
		clear_data(t, s);
	pool_destroy(&t->streams);
	pool_destroy(&t->encaps);
	free(t->buckets);
	free(t->rrs);
	free(t);
}

size_t tcp_streams(const struct tcp_table *t) { return t->count; }
size_t tcp_buffered(const struct tcp_table *t) { return t->bytes; }

static void deliver(struct tcp_table *t, struct stream *s, const uint8_t *msg, size_t len)
{
	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.ts_ns = s->last_ns;
	pkt.ts_digits = s->ts_digits;
	pkt.src.family = pkt.dst.family = s->key.family;
	memcpy(pkt.src.a, s->key.src, 16);
	memcpy(pkt.dst.a, s->key.dst, 16);
	pkt.sport = s->key.sport;
	pkt.dport = s->key.dport;
	pkt.proto = PKT_TCP;
	pkt.encap = s->encap;
	pkt.payload = msg;
	pkt.len = len;
	t->stats->tcp_messages++;
	t->fn(t->ctx, &pkt, msg, len);
}

/* Could a length-prefixed DNS message start at p?  1 yes, 0 no, -1 can't
 * tell yet (the message is not all there).  Used only to find a message
 * boundary again, so it is strict: one question, and the whole message
 * must parse cleanly. */
static int plausible(struct tcp_table *t, const uint8_t *p, size_t avail, int *budget)
{
	if (avail < 2 + DNS_HEADER_LEN)
		return -1;
	size_t len = be16(p);
	if (len < DNS_HEADER_LEN || be16(p + 6) != 1)
		return 0;
	unsigned opcode = (p[4] >> 3) & 15;
	if (opcode != 0 && opcode != 4 && opcode != 5)
		return 0;
	if (avail < 2 + len)
		return -1;
	--*budget;
	struct dns_msg m;
	return dns_msg_parse(&m, p + 2, len, t->rrs, DNS_MAX_RRS) == DNS_OK && m.trailing == 0;
}

/* Frame and deliver whole messages from p[0..n); returns the bytes used.
 * Whatever is left is an incomplete message (or, out of sync, the tail
 * that may still hold the start of one). */
static size_t frame(struct tcp_table *t, struct stream *s, const uint8_t *p, size_t n)
{
	size_t off = 0;
	for (;;) {
		if (!s->synced) {
			/* Find the first offset where a whole well-formed message
			 * starts; remember the first that might once more comes. */
			size_t i = off, maybe = n;
			int verdict = 0, budget = RESYNC_PARSES;
			for (; i + 2 + DNS_HEADER_LEN <= n && budget > 0; i++) {
				verdict = plausible(t, p + i, n - i, &budget);
				if (verdict == 1)
					break;
				if (verdict == -1 && maybe == n)
					maybe = i;
			}
			if (verdict != 1) {
				/* No boundary yet: keep a possible start, skip the rest. */
				size_t keep = n - maybe;
				if (maybe == n)
					keep = n - off < RESYNC_KEEP ? n - off : RESYNC_KEEP;
				t->stats->tcp_gap_bytes += n - off - keep;
				return n - keep;
			}
			t->stats->tcp_gap_bytes += i - off;
			off = i;
			s->synced = true;
		}
		if (n - off < 2)
			return off;
		size_t len = be16(p + off);
		if (len < DNS_HEADER_LEN) {
			t->stats->tcp_bad_length++;
			s->synced = false;
			off += 2;
			continue;
		}
		if (n - off < 2 + len)
			return off;
		deliver(t, s, p + off + 2, len);
		off += 2 + len;
	}
}

static bool reserve(struct tcp_table *t, struct stream *s, size_t need)
{
	if (s->cap >= need)
		return true;
	size_t cap = s->cap ? s->cap : 1024;
	while (cap < need)
		cap *= 2;
	uint8_t *b = realloc(s->buf, cap);
	if (!b)
		return false;
	t->bytes += cap - s->cap;
	s->buf = b;
	s->cap = cap;
	return true;
}

/* In-order data for the stream: frame it, keeping what is incomplete. */
static void append(struct tcp_table *t, struct stream *s, const uint8_t *p, size_t n)
{
	s->next_seq += (uint32_t)n;
	if (s->len + n > t->cfg.stream_bytes) {
		/* More unframed data than any message needs: drop the old. */
		t->stats->tcp_limit_drops++;
		t->stats->tcp_incomplete++;
		s->len = 0;
		s->synced = false;
	}
	if (s->len == 0) {
		/* The common case: frame straight from the segment, keep the tail. */
		size_t used = frame(t, s, p, n);
		p += used;
		n -= used;
		if (n == 0)
			return;
	}
	if (!reserve(t, s, s->len + n)) {
		t->stats->tcp_limit_drops++;
		t->stats->tcp_incomplete++;
		s->len = 0;
		s->synced = false;
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	if (s->len > n) {
		size_t used = frame(t, s, s->buf, s->len);
		memmove(s->buf, s->buf + used, s->len - used);
		s->len -= used;
	}
}

/* Append every waiting segment that the stream has now reached. */
static void drain(struct tcp_table *t, struct stream *s)
{
	while (s->ooo) {
		struct segment *g = s->ooo;
		if ((int32_t)(g->seq - s->next_seq) > 0)
			return;
		uint32_t behind = s->next_seq - g->seq; /* bytes of it already had */
		s->ooo = g->next;
		s->ooo_count--;
		s->ooo_bytes -= sizeof *g + g->len;
		t->bytes -= sizeof *g + g->len;
		if (behind < g->len)
			append(t, s, g->data + behind, g->len - behind);
		else
			t->stats->tcp_retransmits++;
		free(g);
	}
}

/* The hole before the first waiting segment will not fill: skip it. */
static void give_up_hole(struct tcp_table *t, struct stream *s)
{
	if (!s->ooo)
		return;
	t->stats->tcp_gaps++;
	if (s->len) {
		t->stats->tcp_incomplete++;
		s->len = 0;
	}
	s->synced = false;
	s->next_seq = s->ooo->seq;
	drain(t, s);
}

static void hold(struct tcp_table *t, struct stream *s, uint32_t seq, const uint8_t *p, size_t n)
{
	if (s->ooo_bytes + s->len + n > t->cfg.stream_bytes || s->ooo_count >= TCP_MAX_OOO_SEGMENTS) {
		give_up_hole(t, s);
		if ((int32_t)(seq - s->next_seq) <= 0) { /* the skip reached this segment */
			uint32_t behind = s->next_seq - seq;
			if (behind < n)
				append(t, s, p + behind, n - behind);
			return;
		}
		if (s->ooo_bytes + s->len + n > t->cfg.stream_bytes) {
			t->stats->tcp_limit_drops++;
			return;
		}
	}
	struct segment **pp = &s->ooo;
	while (*pp && (int32_t)((*pp)->seq - seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= n) {
		t->stats->tcp_retransmits++; /* first data wins */
		return;
	}
	struct segment *g = malloc(sizeof *g + n);
	if (!g) {
		t->stats->tcp_limit_drops++;
		return;
	}
	g->seq = seq;
	g->len = (uint32_t)n;
	memcpy(g->data, p, n);
	g->next = *pp;
	*pp = g;
	s->ooo_count++;
	s->ooo_bytes += sizeof *g + n;
	t->bytes += sizeof *g + n;
	t->stats->tcp_out_of_order++;
}

static void unlink_stream(struct tcp_table *t, struct stream *s)
{
	struct stream **pp = &t->buckets[s->hash & (t->nbuckets - 1)];
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	if (s->older)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	if (s->newer)
		s->newer->older = s->older;
	else
		t->newest = s->older;
	t->count--;
}

/* A stream leaves: deliver what the holes hid, count what is lost. */
static void close_stream(struct tcp_table *t, struct stream *s)
{
	while (s->ooo)
		give_up_hole(t, s);
	if (s->len)
		t->stats->tcp_incomplete++;
	clear_data(t, s);
	unlink_stream(t, s);
	if (s->encap)
		pool_put(&t->encaps, s->encap);
	pool_put(&t->streams, s);
}

static void touch(struct tcp_table *t, struct stream *s)
{
	if (t->newest == s)
		return;
	if (s->older)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	s->newer->older = s->older;
	s->older = t->newest;
	s->newer = NULL;
	t->newest->newer = s;
	t->newest = s;
}

static struct stream *lookup(struct tcp_table *t, const struct packet *pkt, bool create)
{
	struct stream_key k;
	memset(&k, 0, sizeof k);
	memcpy(k.src, pkt->src.a, 16);
	memcpy(k.dst, pkt->dst.a, 16);
	k.sport = pkt->sport;
	k.dport = pkt->dport;
	k.family = pkt->src.family;
	k.scope = encap_scope(pkt->encap);
	uint64_t h = keyhash(&t->hash, &k, sizeof k);
	for (struct stream *s = t->buckets[h & (t->nbuckets - 1)]; s; s = s->hnext)
		if (s->hash == h && memcmp(&s->key, &k, sizeof k) == 0)
			return s;
	if (!create)
		return NULL;
	if (t->count >= t->cfg.max_streams) {
		t->stats->tcp_evicted++;
		close_stream(t, t->oldest);
	}
	struct stream *s = pool_get(&t->streams);
	if (!s)
		return NULL;
	memset(s, 0, sizeof *s);
	if (pkt->encap && pkt->encap->n) {
		s->encap = pool_get(&t->encaps);
		if (!s->encap) {
			pool_put(&t->streams, s);
			return NULL;
		}
		memcpy(s->encap, pkt->encap, encap_size(pkt->encap));
	}
	s->key = k;
	s->hash = h;
	struct stream **b = &t->buckets[h & (t->nbuckets - 1)];
	s->hnext = *b;
	*b = s;
	s->older = t->newest;
	if (t->newest)
		t->newest->newer = s;
	else
		t->oldest = s;
	t->newest = s;
	t->count++;
	return s;
}

/* What -assembly_debug_log says of a segment (NULL lg: nothing). */
struct seglog {
	const char *what;
	uint32_t first_seq;
	size_t waiting;
	size_t drained;   /* held segments it let in */
	bool closed;      /* FIN or RST: the stream left */
};

static void segment(struct tcp_table *t, const struct packet *pkt, struct seglog *lg)
{
	const uint8_t *p = pkt->payload;
	size_t n = pkt->len;
	bool closing = pkt->tcp_flags & (TH_FIN | TH_RST);
	struct stream *s = lookup(t, pkt, n > 0 || (pkt->tcp_flags & TH_SYN));
	if (!s) {
		if (n > 0)
			t->stats->tcp_limit_drops++;
		if (lg)
			lg->what = n > 0 ? "no room for the stream (dropped)" : "no data, no stream";
		return;
	}
	touch(t, s);
	s->last_ns = pkt->ts_ns;
	s->ts_digits = pkt->ts_digits;
	uint32_t seq = pkt->tcp_seq;
	if (lg)
		lg->what = n > 0 ? "in order" : "no data";
	if (pkt->tcp_flags & TH_SYN) {
		clear_data(t, s);
		s->have_seq = true;
		s->synced = true;
		s->next_seq = seq + 1;
		s->first_seq = seq;
		seq++;
		if (lg)
			lg->what = "SYN";
	} else if (!s->have_seq && n > 0) {
		/* No handshake seen: start here, boundary unknown. */
		s->have_seq = true;
		s->synced = false;
		s->next_seq = seq;
		s->first_seq = seq;
		if (lg)
			lg->what = "no handshake seen: the stream starts here";
	}
	if (n > 0 && !pkt->truncated) {
		int32_t d = (int32_t)(seq - s->next_seq);
		if (d < 0) {
			uint32_t behind = s->next_seq - seq; /* bytes of it already had */
			if (behind >= n) {
				t->stats->tcp_retransmits++;
				n = 0;
				if (lg)
					lg->what = "retransmit (every byte already had)";
			} else {
				p += behind;
				n -= behind;
				d = 0;
				if (lg)
					lg->what = "overlap (the first bytes already had, the rest in order)";
			}
		}
		if (n > 0 && d == 0) {
			size_t held = s->ooo_count;
			append(t, s, p, n);
			drain(t, s);
			if (lg)
				lg->drained = held - s->ooo_count;
		} else if (n > 0) {
			if (lg)
				lg->what = "out of order, held until the hole before it fills";
			hold(t, s, seq, p, n);
		}
	} else if (n > 0) {
		/* The capture cut this segment: its bytes are not all here. */
		t->stats->tcp_limit_drops++;
		if (lg)
			lg->what = "cut short by the capture (dropped)";
	}
	if (lg) {
		lg->first_seq = s->first_seq;
		lg->waiting = closing ? 0 : s->ooo_count;
		lg->closed = closing;
	}
	if (closing)
		close_stream(t, s);
	while (t->bytes > t->cfg.max_bytes && t->oldest) {
		t->stats->tcp_evicted++;
		close_stream(t, t->oldest);
	}
}

void tcp_segment(struct tcp_table *t, const struct packet *pkt)
{
	if (!t->cfg.debug_log) {
		segment(t, pkt, NULL);
		return;
	}
	struct tcplog_snap before;
	struct seglog lg = { 0 };
	tcplog_snap(&before, t->stats);
	segment(t, pkt, &lg);
	tcplog_segment(pkt, lg.first_seq, lg.what, lg.drained, lg.waiting, lg.closed, &before,
		       t->stats);
}

/* The oldest stream leaves, not for one of its segments (idle: counted
 * expired); said with -assembly_debug_log. */
static void close_oldest(struct tcp_table *t, bool idle)
{
	struct stream *s = t->oldest;
	struct tcplog_snap before;
	struct stream_key k = s->key;
	if (t->cfg.debug_log)
		tcplog_snap(&before, t->stats);
	if (idle)
		t->stats->tcp_expired++;
	close_stream(t, s);
	if (t->cfg.debug_log)
		tcplog_stream(k.family, k.src, k.sport, k.dst, k.dport,
			      idle ? "idle longer than -gc_age" : "end of input", &before, t->stats);
}

void tcp_expire(struct tcp_table *t, int64_t now_ns)
{
	while (t->oldest && now_ns - t->oldest->last_ns > t->cfg.idle_ns)
		close_oldest(t, true);
}

void tcp_flush(struct tcp_table *t)
{
	while (t->oldest)
		close_oldest(t, false);
}

void tcp_memuse(const struct tcp_table *t, struct tcp_memuse *m)
{
	m->streams = t->count;
	m->max_streams = t->cfg.max_streams;
	m->bytes = t->bytes;
	m->max_bytes = t->cfg.max_bytes;
	m->held_segments = m->held_bytes = m->unframed = 0;
	for (const struct stream *s = t->oldest; s; s = s->newer) {
		m->held_segments += s->ooo_count;
		m->held_bytes += s->ooo_bytes;
		m->unframed += s->len;
	}
}
