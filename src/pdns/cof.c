/* cof: the per-worker table of facts (see cof.h for what is emitted when).
 *
 * Each entry sits on three lists: its hash chain; the LRU list (least
 * recently seen first: the one evicted when the table is full); and, while
 * it was emitted less than an interval ago, the due list (ordered by the end
 * of that interval, as entries join it at the tail when emitted).  An entry
 * not on the due list is idle: its next sighting is emitted at once. */
#include "pdns/cof.h"

#include <stdlib.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "util/keyhash.h"
#include "util/pool.h"
#include "util/strbuf.h"

#define COF_CHUNK 1024          /* entries allocated at a time as the table fills */
#define BW_NONE UINT16_MAX      /* no bailiwick */
#define BW_ROOT (UINT16_MAX - 1) /* the root zone */
#define MAX_ZONES 16            /* authority SOA/NS owners looked at per response */

#define NS_PER_SEC 1000000000LL

struct cof_entry {
	struct cof_entry *hnext;            /* hash chain */
	struct cof_entry *lru_prev, *lru_next;
	struct cof_entry *due_prev, *due_next;
	uint64_t hash;
	uint64_t seen;                      /* the response that saw it last (cof_table.seq) */
	uint64_t pending;                   /* sightings since the last emission */
	int64_t first, last;                /* their capture times, seconds */
	int64_t due;                        /* on the due list: end of the interval, ns */
	uint16_t rrtype, name_len, rdata_len;
	uint16_t bw;                        /* bailiwick: offset in the rrname text, or BW_* */
	bool queued;                        /* on the due list */
	char *big;                          /* the text when longer than COF_INLINE, or NULL */
	char text[COF_INLINE];              /* rrname NUL rdata NUL */
};
_Static_assert(sizeof(struct cof_entry) <= 256, "a fact's entry is 256 bytes at most");

static inline const char *text_of(const struct cof_entry *e)
{
	return e->big ? e->big : e->text;
}

struct list {
	struct cof_entry *head, *tail;
};

struct cof_table {
	struct cof_config cfg;
	cof_emit_fn emit;
	void *ctx;
	struct stats *stats;
	/* Its counters in stats: cof_* for facts, pdns_clients_* for clients. */
	uint64_t *facts, *records, *evicted, *too_big;
	struct keyhash kh;
	struct cof_entry **buckets;
	size_t mask;
	size_t n;
	size_t big_bytes, big_budget;       /* long text allocated, and its bound */
	struct pool pool;
	struct list lru, due;
	uint64_t seq;                       /* responses seen */
	/* Facts of the current response evicted while it is read (a table
	 * smaller than the response): their hashes, so that a later copy of
	 * the record in the same response is not counted again. */
	uint64_t *gone;
	size_t ngone;
	struct strbuf key;                  /* the record being looked up: type, name, rdata */
	struct strbuf zone;                 /* a bailiwick's text */
};

/* Both lists use their own pair of links: the macros pick them. */
#define LIST_UNLINK(l, e, prev, next) do { \
	if ((e)->prev) (e)->prev->next = (e)->next; else (l)->head = (e)->next; \
	if ((e)->next) (e)->next->prev = (e)->prev; else (l)->tail = (e)->prev; \
	(e)->prev = (e)->next = NULL; \
} while (0)
#define LIST_APPEND(l, e, prev, next) do { \
	(e)->next = NULL; (e)->prev = (l)->tail; \
	if ((l)->tail) (l)->tail->next = (e); else (l)->head = (e); \
	(l)->tail = (e); \
} while (0)

struct cof_table *cof_create(const struct cof_config *cfg, cof_emit_fn emit, void *ctx,
			     struct stats *stats)
{
	struct cof_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_entries == 0)
		t->cfg.max_entries = 1;
	if (t->cfg.interval_ns <= 0)
		t->cfg.interval_ns = 1;
	t->emit = emit;
	t->ctx = ctx;
	t->stats = stats;
	bool c = t->cfg.clients;
	t->facts = c ? &stats->pdns_clients_facts : &stats->cof_facts;
	t->records = c ? &stats->pdns_clients_records : &stats->cof_records;
	t->evicted = c ? &stats->pdns_clients_evicted : &stats->cof_evicted;
	t->too_big = c ? &stats->pdns_clients_too_big : &stats->cof_too_big;
	keyhash_init(&t->kh);
	size_t nb = 64;
	while (nb < t->cfg.max_entries && nb < ((size_t)1 << 30))
		nb <<= 1;
	t->buckets = calloc(nb, sizeof *t->buckets);
	t->gone = malloc(DNS_MAX_RRS * sizeof *t->gone);
	t->mask = nb - 1;
	t->big_budget = t->cfg.max_entries > COF_BIG_MIN / COF_BIG_PER_ENTRY
		? t->cfg.max_entries * COF_BIG_PER_ENTRY : COF_BIG_MIN;
	pool_init(&t->pool, sizeof(struct cof_entry), COF_CHUNK);
	strbuf_init(&t->key);
	strbuf_init(&t->zone);
	if (!t->buckets || !t->gone) {
		free(t->buckets);
		free(t->gone);
		free(t);
		return NULL;
	}
	return t;
}

void cof_destroy(struct cof_table *t)
{
	if (!t)
		return;
	for (struct cof_entry *e = t->lru.head; e; e = e->lru_next)
		free(e->big);
	pool_destroy(&t->pool);
	free(t->buckets);
	free(t->gone);
	strbuf_free(&t->key);
	strbuf_free(&t->zone);
	free(t);
}

size_t cof_entries(const struct cof_table *t)
{
	return t->n;
}

static int64_t floor_sec(int64_t ns)
{
	return ns >= 0 ? ns / NS_PER_SEC : -((-(ns + 1)) / NS_PER_SEC) - 1;
}

static void lower(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
}

/* Hand the entry's unemitted sightings to the callback. */
static void emit_entry(struct cof_table *t, struct cof_entry *e)
{
	const char *name = text_of(e);
	struct pdns_fact f = {
		.rrname = name, .rdata = name + e->name_len + 1,
		.bailiwick = e->bw == BW_NONE ? NULL : e->bw == BW_ROOT ? "." : name + e->bw,
		.sensor_id = t->cfg.sensor, .time_first = e->first, .time_last = e->last,
		.count = e->pending, .rrtype = e->rrtype, .client = t->cfg.clients,
	};
	e->pending = 0;
	(*t->records)++;
	t->emit(t->ctx, &f);
}

static void hash_unlink(struct cof_table *t, struct cof_entry *e)
{
	struct cof_entry **pp = &t->buckets[e->hash & t->mask];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
}

/* The least recently seen entry leaves, its sightings emitted first. */
static struct cof_entry *evict(struct cof_table *t)
{
	struct cof_entry *e = t->lru.head;
	if (e->pending)
		emit_entry(t, e);
	LIST_UNLINK(&t->lru, e, lru_prev, lru_next);
	if (e->queued)
		LIST_UNLINK(&t->due, e, due_prev, due_next);
	hash_unlink(t, e);
	if (e->seen == t->seq && t->ngone < DNS_MAX_RRS)
		t->gone[t->ngone++] = e->hash;
	if (e->big) {
		t->big_bytes -= (size_t)e->name_len + e->rdata_len + 2;
		free(e->big);
		e->big = NULL;
	}
	(*t->evicted)++;
	t->n--;
	return e;
}

void cof_expire(struct cof_table *t, int64_t now_ns)
{
	struct cof_entry *e;
	while ((e = t->due.head) && e->due <= now_ns) {
		LIST_UNLINK(&t->due, e, due_prev, due_next);
		if (e->pending) {
			emit_entry(t, e);
			e->due = now_ns > INT64_MAX - t->cfg.interval_ns ? INT64_MAX
									  : now_ns + t->cfg.interval_ns;
			LIST_APPEND(&t->due, e, due_prev, due_next);
		} else {
			e->queued = false; /* idle: its next sighting goes out at once */
		}
	}
}

void cof_flush(struct cof_table *t)
{
	for (struct cof_entry *e = t->due.head; e; e = e->due_next)
		if (e->pending)
			emit_entry(t, e);
}

/* One sighting of e at ts_ns. */
static void sighting(struct cof_table *t, struct cof_entry *e, int64_t ts_ns)
{
	int64_t s = floor_sec(ts_ns);
	if (e->pending == 0) {
		e->first = e->last = s;
	} else {
		if (s < e->first)
			e->first = s;
		if (s > e->last)
			e->last = s;
	}
	e->pending++;
	if (!e->queued) {
		emit_entry(t, e);
		e->queued = true;
		e->due = ts_ns > INT64_MAX - t->cfg.interval_ns ? INT64_MAX : ts_ns + t->cfg.interval_ns;
		LIST_APPEND(&t->due, e, due_prev, due_next);
	}
}

/* The owners of the authority section's SOA and NS records, as offsets of
 * their names: candidate bailiwicks when the answer is authoritative. */
static size_t zones_of(const struct dns_msg *r, uint32_t *zones)
{
	size_t n = 0;
	if (!dns_aa(r))
		return 0;
	for (size_t i = 0; i < r->nrrs && n < MAX_ZONES; i++) {
		const struct dns_rr *rr = &r->rrs[i];
		if (rr->section == DNS_NS && (rr->type == 6 || rr->type == 2) && !dns_rr_is_meta(rr))
			zones[n++] = rr->name;
	}
	return n;
}

/* The closest of the zones that is rr's owner or an ancestor of it, as the
 * offset of its text in the owner's text (name[0..name_len), lower case). */
static uint16_t bailiwick_of(struct cof_table *t, const struct dns_msg *r, const struct dns_rr *rr,
			     const uint32_t *zones, size_t nzones, const char *name, size_t name_len)
{
	uint8_t owner[DNS_NAME_MAX], zone[MAX_ZONES][DNS_NAME_MAX];
	bool ok[MAX_ZONES];
	if (nzones == 0 || dns_name_unpack(r->wire, r->len, rr->name, owner, NULL) < 1)
		return BW_NONE;
	for (size_t z = 0; z < nzones; z++)
		ok[z] = dns_name_unpack(r->wire, r->len, zones[z], zone[z], NULL) >= 1;
	/* From the owner itself up to the root: the first match is the closest. */
	for (size_t p = 0; p < DNS_NAME_MAX; p += 1u + owner[p]) {
		for (size_t z = 0; z < nzones; z++) {
			if (!ok[z] || !dns_name_equal(owner + p, zone[z]))
				continue;
			if (owner[p] == 0)
				return BW_ROOT;
			strbuf_reset(&t->zone);
			dns_name_print(&t->zone, zone[z]);
			size_t zl = t->zone.len;
			if (t->zone.overflow || zl > name_len)
				return BW_NONE;
			size_t off = name_len - zl;
			for (size_t i = 0; i < zl; i++) {
				char c = t->zone.p[i];
				if (c >= 'A' && c <= 'Z')
					c = (char)(c - 'A' + 'a');
				if (c != name[off + i])
					return BW_NONE;
			}
			/* The same labels print the same: a label boundary. */
			if (off != 0 && name[off - 1] != '.')
				return BW_NONE;
			return (uint16_t)off;
		}
		if (owner[p] == 0)
			break;
	}
	return BW_NONE;
}

static bool wanted(const struct cof_table *t, const struct dns_rr *rr)
{
	if (rr->section == DNS_QD || dns_rr_is_meta(rr))
		return false;
	if (rr->section != DNS_AN && !t->cfg.all_sections)
		return false;
	return rr->type != DNS_TYPE_OPT && rr->type != 250 /* TSIG */;
}

/* The fact in t->key (type, then name NUL rdata NUL, padded to 8 bytes:
 * name_len and rdata_len say where): found, or a new entry when it is not
 * there (NULL when refused, or when it was counted for this response and
 * evicted since). */
static struct cof_entry *lookup(struct cof_table *t, uint16_t rrtype, size_t name_len,
				size_t rdata_len, bool *added)
{
	struct strbuf *k = &t->key;
	size_t text_len = name_len + rdata_len + 2;
	if (k->overflow || text_len > COF_TEXT_MAX) {
		(*t->too_big)++;
		return NULL;
	}
	uint64_t h = keyhash(&t->kh, k->p, k->len);
	struct cof_entry **bucket = &t->buckets[h & t->mask];
	for (struct cof_entry *e = *bucket; e; e = e->hnext)
		if (e->hash == h && e->rrtype == rrtype && e->name_len == name_len &&
		    e->rdata_len == rdata_len && memcmp(text_of(e), k->p + 2, text_len) == 0)
			return e;

	for (size_t i = 0; i < t->ngone; i++)
		if (t->gone[i] == h)
			return NULL; /* (a 64-bit keyed hash: equal is the same fact) */
	char *big = NULL;
	if (text_len > COF_INLINE) {
		/* Room in the long text's budget first: the least recently
		 * seen make it, then the text is allocated for this fact. */
		while (t->big_bytes + text_len > t->big_budget && t->lru.head)
			pool_put(&t->pool, evict(t));
		if (t->big_bytes + text_len > t->big_budget || !(big = malloc(text_len))) {
			(*t->too_big)++;
			return NULL;
		}
		t->big_bytes += text_len;
	}
	struct cof_entry *e = t->n >= t->cfg.max_entries && t->lru.head ? evict(t) : pool_get(&t->pool);
	if (!e) {
		if (big) {
			t->big_bytes -= text_len;
			free(big);
		}
		(*t->too_big)++; /* out of memory: refused like an oversize fact */
		return NULL;
	}
	memset(e, 0, offsetof(struct cof_entry, text));
	e->big = big;
	e->hash = h;
	e->rrtype = rrtype;
	e->name_len = (uint16_t)name_len;
	e->rdata_len = (uint16_t)rdata_len;
	e->bw = BW_NONE;
	memcpy(big ? big : e->text, k->p + 2, text_len);
	e->hnext = *bucket;
	*bucket = e;
	LIST_APPEND(&t->lru, e, lru_prev, lru_next);
	t->n++;
	(*t->facts)++;
	*added = true;
	return e;
}

/* Look the record up (see lookup). */
static struct cof_entry *find_or_add(struct cof_table *t, const struct dns_msg *r,
				     const struct dns_rr *rr, bool *added)
{
	struct strbuf *k = &t->key;
	strbuf_reset(k);
	uint8_t type[2] = { (uint8_t)(rr->type >> 8), (uint8_t)rr->type };
	strbuf_putn(k, type, 2);
	if (dns_name_print_at(k, r->wire, r->len, rr->name, 0, NULL) != DNS_OK)
		return NULL; /* the parser checked it: cannot happen */
	size_t name_len = k->len - 2;
	lower(k->p + 2, name_len);
	strbuf_putc(k, 0);
	if (dns_rdata_print(k, r->wire, r->len, rr, 0) != DNS_OK && t->cfg.count_malformed)
		t->stats->rdata_malformed++;
	size_t rdata_len = k->len - 3 - name_len;
	strbuf_putc(k, 0);
	while (k->len % 8)
		strbuf_putc(k, 0);
	return lookup(t, rr->type, name_len, rdata_len, added);
}

/* e is seen in the current response: the most recently seen now. */
static void seen_now(struct cof_table *t, struct cof_entry *e, bool added)
{
	e->seen = t->seq;
	if (!added && t->lru.tail != e) {
		LIST_UNLINK(&t->lru, e, lru_prev, lru_next);
		LIST_APPEND(&t->lru, e, lru_prev, lru_next);
	}
}

void cof_response(struct cof_table *t, const struct dns_msg *r, int64_t ts_ns)
{
	uint32_t zones[MAX_ZONES];
	size_t nzones = zones_of(r, zones);
	t->seq++;
	t->ngone = 0;
	for (size_t i = 0; i < r->nrrs; i++) {
		const struct dns_rr *rr = &r->rrs[i];
		if (!wanted(t, rr))
			continue;
		bool added = false;
		struct cof_entry *e = find_or_add(t, r, rr, &added);
		if (!e || e->seen == t->seq)
			continue; /* refused, or already counted for this response */
		seen_now(t, e, added);
		if (e->bw == BW_NONE && nzones)
			e->bw = bailiwick_of(t, r, rr, zones, nzones, text_of(e), e->name_len);
		sighting(t, e, ts_ns);
	}
}

void cof_client(struct cof_table *t, const struct dns_msg *q, const char *client, int64_t ts_ns)
{
	const struct dns_rr *qd = dns_question(q);
	if (!qd)
		return;
	struct strbuf *k = &t->key;
	strbuf_reset(k);
	uint8_t type[2] = { (uint8_t)(qd->type >> 8), (uint8_t)qd->type };
	strbuf_putn(k, type, 2);
	if (dns_name_print_at(k, q->wire, q->len, qd->name, 0, NULL) != DNS_OK)
		return; /* the parser checked it: cannot happen */
	size_t name_len = k->len - 2;
	lower(k->p + 2, name_len);
	strbuf_putc(k, 0);
	size_t client_len = strlen(client);
	strbuf_putn(k, client, client_len + 1);
	while (k->len % 8)
		strbuf_putc(k, 0);
	t->seq++;
	t->ngone = 0;
	bool added = false;
	struct cof_entry *e = lookup(t, qd->type, name_len, client_len, &added);
	if (!e)
		return;
	seen_now(t, e, added);
	sighting(t, e, ts_ns);
}
