/* ipfrag: the fragment table, where IP fragments wait until their datagram is whole.
 *
 * One entry per datagram in flight, found through a hash table with a keyed
 * hash (SipHash-1-3, random key: the keys are chosen by whoever sends us
 * packets) and kept on an age list, oldest first, for the timeout and for
 * eviction when a cap is hit.  An entry holds one buffer, grown to the highest
 * end offset seen (to the exact length once the last fragment has told it),
 * and a small sorted array of the (offset, length) pieces received.  Pieces
 * never overlap: an exact repeat is ignored, anything else that overlaps
 * throws the datagram away.  "Buffered bytes" are the buffers' capacities.
 *
 * A zero field in the config takes the default. */
#include "decode/ipfrag.h"

#include <stdlib.h>
#include <string.h>

#include "util/keyhash.h"
#include "util/pool.h"

#define FRAG_MAX_PAYLOAD 65535u /* the largest datagram payload we rebuild */
#define FRAG_MAX_PIECES 64      /* more fragments than this: not a datagram we want */
#define FRAG_MAX_BUCKETS (1u << 20)
#define POOL_CHUNK 64           /* entries allocated at a time as the table grows */

_Static_assert(sizeof(struct frag_key) == 48, "frag_key must have no padding");

struct piece {
	uint16_t off;
	uint16_t len;
};

struct dgram {
	struct dgram *hnext;   /* hash chain */
	struct dgram *older;   /* age list, oldest at table->oldest */
	struct dgram *newer;
	uint64_t hash;
	struct frag_key key;   /* pad zeroed */
	int64_t first_ns;      /* capture time of the first fragment seen */
	uint8_t *buf;          /* payload, at its offsets */
	uint32_t cap;          /* bytes allocated in buf, counted in table->bytes */
	uint32_t have;         /* bytes received: the sum of the pieces' lengths */
	uint32_t high;         /* highest end offset seen */
	uint32_t total;        /* datagram length once the last fragment came, else 0 */
	uint8_t proto;         /* from the fragment at offset 0 */
	uint16_t npieces;
	struct piece pieces[FRAG_MAX_PIECES]; /* sorted by offset, disjoint */
};

struct frag_table {
	struct frag_config cfg;
	struct stats *stats;
	struct stats own_stats;  /* when the caller gave none */
	struct dgram **buckets;
	size_t nbuckets;         /* a power of two */
	struct keyhash hash;
	struct pool dgrams;
	struct dgram *oldest, *newest;
	size_t count;
	size_t bytes;
	uint8_t *out;            /* the last datagram completed, lent to the caller */
};

static struct dgram **bucket(struct frag_table *t, uint64_t h)
{
	return &t->buckets[h & (t->nbuckets - 1)];
}

static struct dgram *lookup(struct frag_table *t, const struct frag_key *k, uint64_t h)
{
	for (struct dgram *d = *bucket(t, h); d; d = d->hnext)
		if (d->hash == h && memcmp(&d->key, k, sizeof *k) == 0)
			return d;
	return NULL;
}

/* Unlink d from the hash and the age list, give back its memory. */
static void drop(struct frag_table *t, struct dgram *d)
{
	struct dgram **pp = bucket(t, d->hash);
	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	if (d->older)
		d->older->newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		t->newest = d->older;
	t->count--;
	t->bytes -= d->cap;
	free(d->buf);
	pool_put(&t->dgrams, d);
}

static void expire(struct frag_table *t, int64_t now_ns)
{
	uint64_t limit = (uint64_t)t->cfg.timeout_ns;
	while (t->oldest && now_ns > t->oldest->first_ns &&
	       (uint64_t)now_ns - (uint64_t)t->oldest->first_ns > limit) {
		drop(t, t->oldest);
		t->stats->frag_timeouts++;
	}
}

/* Make d's buffer reach `end`, evicting the oldest other datagrams if the
 * byte cap asks for it.  False if d cannot be given the room. */
static bool grow(struct frag_table *t, struct dgram *d, uint32_t end)
{
	if (end > t->cfg.max_bytes)
		return false; /* could never fit: spare the others */
	size_t want;
	if (d->total) {
		want = d->total; /* the length is known: allocate it once */
	} else {
		want = (size_t)d->cap * 2;
		if (want < end)
			want = end;
		if (want > FRAG_MAX_PAYLOAD)
			want = FRAG_MAX_PAYLOAD;
	}
	if (t->bytes - d->cap + want > t->cfg.max_bytes)
		want = end; /* near the cap: no slack */
	size_t extra = want - d->cap;
	while (t->bytes + extra > t->cfg.max_bytes) {
		struct dgram *v = t->oldest == d ? d->newer : t->oldest;
		if (!v)
			return false;
		drop(t, v);
		t->stats->frag_evicted++;
	}
	uint8_t *nb = realloc(d->buf, want);
	if (!nb)
		return false;
	d->buf = nb;
	d->cap = (uint32_t)want;
	t->bytes += extra;
	return true;
}

static bool complete(struct frag_table *t, struct dgram *d, const uint8_t **out,
		     size_t *outlen, uint8_t *out_proto)
{
	free(t->out);
	t->out = d->buf; /* hand the buffer over: no copy */
	*out = d->buf;
	*outlen = d->total;
	*out_proto = d->proto;
	t->bytes -= d->cap;
	d->buf = NULL;
	d->cap = 0;
	drop(t, d);
	t->stats->frag_reassembled++;
	return true;
}

static struct dgram *create(struct frag_table *t, const struct frag_key *k, uint64_t h,
			    int64_t now_ns)
{
	while (t->count >= t->cfg.max_datagrams && t->oldest) {
		drop(t, t->oldest);
		t->stats->frag_evicted++;
	}
	struct dgram *d = pool_get(&t->dgrams);
	if (!d)
		return NULL;
	memset(d, 0, offsetof(struct dgram, pieces));
	d->hash = h;
	d->key = *k;
	d->first_ns = now_ns;
	struct dgram **b = bucket(t, h);
	d->hnext = *b;
	*b = d;
	d->older = t->newest;
	if (t->newest)
		t->newest->newer = d;
	else
		t->oldest = d;
	t->newest = d;
	t->count++;
	return d;
}

struct frag_table *frag_create(const struct frag_config *cfg, struct stats *stats)
{
	struct frag_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	if (cfg)
		t->cfg = *cfg;
	if (t->cfg.max_datagrams == 0)
		t->cfg.max_datagrams = FRAG_DEFAULT_MAX_DATAGRAMS;
	if (t->cfg.max_bytes == 0)
		t->cfg.max_bytes = FRAG_DEFAULT_MAX_BYTES;
	if (t->cfg.timeout_ns <= 0)
		t->cfg.timeout_ns = FRAG_DEFAULT_TIMEOUT_NS;
	t->stats = stats ? stats : &t->own_stats;
	t->nbuckets = 64;
	while (t->nbuckets < t->cfg.max_datagrams && t->nbuckets < FRAG_MAX_BUCKETS)
		t->nbuckets *= 2;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	keyhash_init(&t->hash);
	pool_init(&t->dgrams, sizeof(struct dgram), POOL_CHUNK);
	return t;
}

void frag_destroy(struct frag_table *t)
{
	if (!t)
		return;
	while (t->oldest)
		drop(t, t->oldest);
	pool_destroy(&t->dgrams);
	free(t->out);
	free(t->buckets);
	free(t);
}

/* A malformed fragment: it and its datagram go. */
static bool bad(struct frag_table *t, struct dgram *d)
{
	if (d)
		drop(t, d);
	t->stats->frag_bad++;
	return false;
}

bool frag_offer(struct frag_table *t, const struct frag_key *key, uint8_t proto,
		uint32_t offset, bool more, const uint8_t *data, size_t len,
		int64_t now_ns, const uint8_t **out, size_t *outlen, uint8_t *out_proto)
{
	expire(t, now_ns);

	struct frag_key k = *key;
	memset(k.pad, 0, sizeof k.pad);
	k.pad2 = 0;
	uint64_t h = keyhash(&t->hash, &k, sizeof k);
	struct dgram *d = lookup(t, &k, h);

	if (len == 0 || len > FRAG_MAX_PAYLOAD || offset > FRAG_MAX_PAYLOAD - len ||
	    offset % 8 != 0 || (more && len % 8 != 0))
		return bad(t, d);
	uint32_t end = offset + (uint32_t)len;

	size_t i = 0;
	if (d) {
		/* The last fragment fixes the length; nothing may contradict it. */
		if (d->total && (end > d->total || (!more && end != d->total)))
			return bad(t, d);
		if (!d->total && !more && d->high > end)
			return bad(t, d);

		/* i: the first piece at or after offset.  Only pieces i-1 and i can
		 * touch [offset, end), the pieces being sorted and disjoint. */
		size_t lo = 0, hi = d->npieces;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (d->pieces[mid].off < offset)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
		if (i < d->npieces && d->pieces[i].off == offset && d->pieces[i].len == len &&
		    memcmp(d->buf + offset, data, len) == 0) {
			t->stats->frag_duplicates++;
			if (more || d->total)
				return false;
			d->total = end; /* a repeat that says it is the last: believe it */
			if (d->have == d->total)
				return complete(t, d, out, outlen, out_proto);
			return false;
		}
		if ((i < d->npieces && d->pieces[i].off < end) ||
		    (i > 0 && (uint32_t)d->pieces[i - 1].off + d->pieces[i - 1].len > offset)) {
			drop(t, d);
			t->stats->frag_overlaps++;
			return false;
		}
		if (d->npieces == FRAG_MAX_PIECES)
			return bad(t, d);
	} else {
		d = create(t, &k, h, now_ns);
		if (!d) {
			t->stats->frag_evicted++;
			return false;
		}
	}

	if (!more)
		d->total = end;
	if (end > d->cap && !grow(t, d, end)) {
		drop(t, d);
		t->stats->frag_evicted++;
		return false;
	}
	memcpy(d->buf + offset, data, len);
	memmove(&d->pieces[i + 1], &d->pieces[i], (d->npieces - i) * sizeof d->pieces[0]);
	d->pieces[i] = (struct piece){ .off = (uint16_t)offset, .len = (uint16_t)len };
	d->npieces++;
	d->have += (uint32_t)len;
	if (end > d->high)
		d->high = end;
	if (offset == 0)
		d->proto = proto;
	if (d->total && d->have == d->total)
		return complete(t, d, out, outlen, out_proto);
	return false;
}

void frag_flush(struct frag_table *t)
{
	while (t->oldest) {
		drop(t, t->oldest);
		t->stats->frag_timeouts++;
	}
}

size_t frag_datagrams(const struct frag_table *t)
{
	return t->count;
}

size_t frag_bytes(const struct frag_table *t)
{
	return t->bytes;
}
