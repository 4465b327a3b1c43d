/* Unit tests: fragment reassembly in any order, repeats, overlaps, timeouts and caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "decode/ipfrag.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)
#define UDP 17

static uint64_t rng_state;

static uint32_t rnd(void) /* xorshift64*: deterministic */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static struct frag_key key_of(int family, uint32_t id, uint8_t src_byte)
{
	struct frag_key k;
	memset(&k, 0, sizeof k);
	k.family = (uint8_t)family;
	k.id = id;
	if (family == 4) {
		memcpy(k.src, "\x0a\x00\x00\x01", 4);
		memcpy(k.dst, "\x0a\x00\x00\x35", 4);
		k.src[3] = src_byte;
		k.proto = UDP;
	} else {
		memcpy(k.src, "\x20\x01\x0d\xb8", 4);
		memcpy(k.dst, "\x20\x01\x0d\xb8", 4);
		k.src[15] = src_byte;
		k.dst[15] = 0x35;
	}
	return k;
}

/* A datagram cut into fragments: piece i is [off[i], off[i] + len[i]). */
struct dg {
	uint8_t *payload;
	size_t size;
	size_t n;
	uint32_t off[128];
	size_t len[128];
};

static void make_dg(struct dg *g, size_t nfrags, size_t piece)
{
	g->size = (nfrags - 1) * piece + 1 + rnd() % piece;
	g->payload = malloc(g->size);
	assert_non_null(g->payload);
	for (size_t i = 0; i < g->size; i++)
		g->payload[i] = (uint8_t)rnd();
	g->n = nfrags;
	for (size_t i = 0; i < nfrags; i++) {
		g->off[i] = (uint32_t)(i * piece);
		g->len[i] = i + 1 < nfrags ? piece : g->size - i * piece;
	}
}

struct env {
	struct stats st;
	struct frag_table *t;
	const uint8_t *out;
	size_t outlen;
	uint8_t proto;
};

static void env_init(struct env *e, size_t max_dg, size_t max_bytes, int64_t timeout)
{
	memset(e, 0, sizeof *e);
	struct frag_config cfg = { max_dg, max_bytes, timeout };
	e->t = frag_create(&cfg, &e->st);
	assert_non_null(e->t);
}

static bool offer(struct env *e, const struct frag_key *k, uint8_t proto, const struct dg *g,
		  size_t i, int64_t now)
{
	return frag_offer(e->t, k, proto, g->off[i], i + 1 < g->n, g->payload + g->off[i],
			  g->len[i], now, &e->out, &e->outlen, &e->proto);
}

static bool offer_raw(struct env *e, const struct frag_key *k, uint32_t off, bool more,
		      const uint8_t *data, size_t len, int64_t now)
{
	return frag_offer(e->t, k, UDP, off, more, data, len, now, &e->out, &e->outlen, &e->proto);
}

/* Offer g's fragments in the order given; only the last may complete it. */
static void offer_all(struct env *e, const struct frag_key *k, const struct dg *g,
		      const size_t *order)
{
	for (size_t j = 0; j < g->n; j++) {
		bool done = offer(e, k, UDP, g, order[j], T0 + (int64_t)j);
		assert_int_equal(done, j + 1 == g->n);
	}
	assert_int_equal(e->outlen, g->size);
	assert_memory_equal(e->out, g->payload, g->size);
	assert_int_equal(e->proto, UDP);
	assert_int_equal(frag_datagrams(e->t), 0);
	assert_int_equal(frag_bytes(e->t), 0);
}

enum order_kind { IN_ORDER, REVERSE, RANDOM };

static void run_orders(enum order_kind kind)
{
	rng_state = 0x1234567 + (uint64_t)kind;
	struct env e;
	env_init(&e, 0, 0, 0);
	uint64_t done = 0;
	for (size_t n = 3; n <= 40; n++) {
		for (int rep = 0; rep < (kind == RANDOM ? 5 : 1); rep++) {
			struct dg g;
			make_dg(&g, n, 8 * (1 + rnd() % 64));
			size_t order[128];
			for (size_t i = 0; i < n; i++)
				order[i] = kind == REVERSE ? n - 1 - i : i;
			if (kind == RANDOM) {
				for (size_t i = n - 1; i > 0; i--) {
					size_t j = rnd() % (i + 1);
					size_t tmp = order[i];
					order[i] = order[j];
					order[j] = tmp;
				}
			}
			struct frag_key k = key_of(4, (uint32_t)(n * 10 + (size_t)rep), 1);
			offer_all(&e, &k, &g, order);
			done++;
			free(g.payload);
		}
	}
	assert_int_equal(e.st.frag_reassembled, done);
	assert_int_equal(e.st.frag_duplicates + e.st.frag_overlaps + e.st.frag_timeouts +
			 e.st.frag_evicted + e.st.frag_bad, 0);
	frag_destroy(e.t);
}

static void test_in_order(void **state)
{
	run_orders(IN_ORDER);
}

static void test_reverse_order(void **state)
{
	run_orders(REVERSE);
}

static void test_random_order(void **state)
{
	run_orders(RANDOM);
}

static void test_proto_from_first_fragment(void **state)
{
	rng_state = 99;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg g;
	make_dg(&g, 3, 64);
	struct frag_key k = key_of(6, 7, 1);
	assert_false(offer(&e, &k, 59, &g, 2, T0)); /* later fragments say something else */
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_true(offer(&e, &k, 59, &g, 1, T0));
	assert_int_equal(e.proto, UDP);
	assert_memory_equal(e.out, g.payload, g.size);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_duplicate(void **state)
{
	rng_state = 5;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg g;
	make_dg(&g, 4, 128);
	struct frag_key k = key_of(4, 1, 1);
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_false(offer(&e, &k, UDP, &g, 3, T0));
	assert_false(offer(&e, &k, UDP, &g, 3, T0));
	assert_false(offer(&e, &k, UDP, &g, 1, T0));
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_int_equal(e.st.frag_duplicates, 3);
	assert_true(offer(&e, &k, UDP, &g, 2, T0));
	assert_memory_equal(e.out, g.payload, g.size);
	assert_int_equal(e.st.frag_reassembled, 1);
	assert_int_equal(e.st.frag_overlaps, 0);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_same_range_other_bytes_is_overlap(void **state)
{
	rng_state = 6;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg g;
	make_dg(&g, 3, 64);
	struct frag_key k = key_of(4, 1, 1);
	assert_false(offer(&e, &k, UDP, &g, 1, T0));
	uint8_t other[64];
	memcpy(other, g.payload + 64, 64);
	other[10] ^= 1;
	assert_false(offer_raw(&e, &k, 64, true, other, 64, T0));
	assert_int_equal(e.st.frag_overlaps, 1);
	assert_int_equal(e.st.frag_duplicates, 0);
	assert_int_equal(frag_datagrams(e.t), 0);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_partial_overlap(void **state)
{
	rng_state = 7;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg g;
	make_dg(&g, 4, 64);
	struct frag_key k = key_of(4, 1, 1);
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_false(offer(&e, &k, UDP, &g, 1, T0));
	/* 16 bytes straddling the first two pieces */
	assert_false(offer_raw(&e, &k, 56, true, g.payload + 56, 16, T0));
	assert_int_equal(e.st.frag_overlaps, 1);
	assert_int_equal(frag_datagrams(e.t), 0);
	assert_int_equal(frag_bytes(e.t), 0);
	/* the rest starts a doomed entry that never completes */
	assert_false(offer(&e, &k, UDP, &g, 2, T0));
	assert_false(offer(&e, &k, UDP, &g, 3, T0));
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_int_equal(frag_datagrams(e.t), 1);
	/* a piece overlapping the end of one neighbour only */
	assert_false(offer_raw(&e, &k, 120, true, g.payload + 120, 16, T0));
	assert_int_equal(e.st.frag_overlaps, 2);
	assert_int_equal(frag_datagrams(e.t), 0);
	/* one covering another whole */
	assert_false(offer(&e, &k, UDP, &g, 1, T0));
	assert_false(offer_raw(&e, &k, 0, true, g.payload, 192, T0));
	assert_int_equal(e.st.frag_overlaps, 3);
	/* one inside the piece before it, nothing after */
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_false(offer_raw(&e, &k, 32, true, g.payload + 32, 16, T0));
	assert_int_equal(e.st.frag_overlaps, 4);
	assert_int_equal(frag_datagrams(e.t), 0);
	assert_false(offer(&e, &k, UDP, &g, 3, T0));
	frag_flush(e.t);
	assert_int_equal(e.st.frag_timeouts, 1);
	assert_int_equal(e.st.frag_reassembled, 0);
	assert_int_equal(e.st.frag_duplicates, 0);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_families_separate(void **state)
{
	rng_state = 8;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg a, b;
	make_dg(&a, 3, 256);
	make_dg(&b, 3, 256);
	struct frag_key k4 = key_of(4, 42, 1), k6 = key_of(4, 42, 1);
	k6.family = 6; /* same bytes, other family */
	k6.proto = 0;
	assert_false(offer(&e, &k4, UDP, &a, 0, T0));
	assert_false(offer(&e, &k6, UDP, &b, 0, T0));
	assert_false(offer(&e, &k4, UDP, &a, 2, T0));
	assert_false(offer(&e, &k6, UDP, &b, 2, T0));
	assert_int_equal(frag_datagrams(e.t), 2);
	assert_true(offer(&e, &k6, UDP, &b, 1, T0));
	assert_int_equal(e.outlen, b.size);
	assert_memory_equal(e.out, b.payload, b.size);
	assert_true(offer(&e, &k4, UDP, &a, 1, T0));
	assert_int_equal(e.outlen, a.size);
	assert_memory_equal(e.out, a.payload, a.size);
	assert_int_equal(e.st.frag_reassembled, 2);
	assert_int_equal(e.st.frag_overlaps, 0);
	free(a.payload);
	free(b.payload);
	frag_destroy(e.t);
}

static void test_ipv4_protocol_in_key(void **state)
{
	struct env e;
	env_init(&e, 0, 0, 0);
	uint8_t buf[16] = { 1, 2, 3 };
	struct frag_key k = key_of(4, 1, 1), other = k;
	other.proto = 6;
	assert_false(offer_raw(&e, &k, 0, true, buf, 16, T0));
	assert_false(offer_raw(&e, &other, 0, true, buf, 16, T0));
	assert_int_equal(frag_datagrams(e.t), 2);
	assert_int_equal(e.st.frag_duplicates, 0);
	frag_destroy(e.t);
}

static void test_interleaved(void **state)
{
	rng_state = 9;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg a, b;
	make_dg(&a, 5, 1480);
	make_dg(&b, 4, 1480);
	struct frag_key ka = key_of(6, 100, 1), kb = key_of(6, 101, 1);
	int completed = 0;
	for (size_t i = 0; i < 5; i++) {
		if (offer(&e, &ka, UDP, &a, 4 - i, T0)) {
			completed++;
			assert_memory_equal(e.out, a.payload, a.size);
		}
		if (i < 4 && offer(&e, &kb, UDP, &b, i, T0)) {
			completed++;
			assert_int_equal(e.outlen, b.size);
			assert_memory_equal(e.out, b.payload, b.size);
		}
	}
	assert_int_equal(completed, 2);
	assert_int_equal(e.st.frag_reassembled, 2);
	assert_int_equal(frag_datagrams(e.t), 0);
	free(a.payload);
	free(b.payload);
	frag_destroy(e.t);
}

static void test_timeout(void **state)
{
	rng_state = 10;
	struct env e;
	env_init(&e, 0, 0, 30 * SEC);
	struct dg g;
	make_dg(&g, 3, 64);
	struct frag_key k = key_of(4, 1, 1);
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_false(offer(&e, &k, UDP, &g, 1, T0 + 30 * SEC)); /* not more than 30 s yet */
	assert_int_equal(e.st.frag_timeouts, 0);
	assert_false(offer(&e, &k, UDP, &g, 2, T0 + 31 * SEC));
	assert_int_equal(e.st.frag_timeouts, 1);
	assert_int_equal(e.st.frag_reassembled, 0);
	assert_int_equal(frag_datagrams(e.t), 1); /* the last piece waits on its own */
	/* another datagram's fragment long after expires that one too */
	struct frag_key k2 = key_of(4, 2, 1);
	assert_false(offer(&e, &k2, UDP, &g, 0, T0 + 100 * SEC));
	assert_int_equal(e.st.frag_timeouts, 2);
	assert_int_equal(frag_datagrams(e.t), 1);
	assert_int_equal(e.st.frag_reassembled, 0);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_max_datagrams(void **state)
{
	struct env e;
	env_init(&e, 256, 0, 0);
	uint8_t buf[1480];
	memset(buf, 0xab, sizeof buf);
	for (uint32_t i = 0; i < 10000; i++) {
		struct frag_key k = key_of(4, i, (uint8_t)i);
		assert_false(offer_raw(&e, &k, 0, true, buf, sizeof buf, T0 + i));
		assert_true(frag_datagrams(e.t) <= 256);
	}
	assert_int_equal(frag_datagrams(e.t), 256);
	assert_int_equal(e.st.frag_evicted, 10000 - 256);
	/* the newest survived, and a datagram still completes */
	struct frag_key k = key_of(4, 9999, (uint8_t)9999);
	assert_true(offer_raw(&e, &k, 1480, false, buf, 10, T0 + 10000));
	assert_int_equal(e.outlen, 1490);
	k = key_of(4, 0, 0); /* the oldest was evicted: its last fragment completes nothing */
	assert_false(offer_raw(&e, &k, 1480, false, buf, 10, T0 + 10000));
	frag_flush(e.t);
	assert_int_equal(e.st.frag_timeouts, 256);
	assert_int_equal(frag_datagrams(e.t), 0);
	frag_destroy(e.t);
}

static void test_max_bytes(void **state)
{
	rng_state = 11;
	struct env e;
	const size_t cap = 20000;
	env_init(&e, 0, cap, 0);
	uint8_t buf[1480];
	memset(buf, 0xcd, sizeof buf);
	for (uint32_t i = 0; i < 3000; i++) {
		struct frag_key k = key_of(6, i, (uint8_t)i);
		uint32_t off = (rnd() % 40) * 8;
		assert_false(offer_raw(&e, &k, off, true, buf, 8 * (1 + rnd() % 185), T0 + i));
		assert_true(frag_bytes(e.t) <= cap);
	}
	assert_true(e.st.frag_evicted > 0);
	assert_int_equal(e.st.frag_evicted + frag_datagrams(e.t), 3000);
	/* a datagram close to the cap still gets through, evicting the flood */
	struct dg g;
	make_dg(&g, 12, 1480);
	size_t order[12];
	for (size_t i = 0; i < 12; i++)
		order[i] = i;
	struct frag_key k = key_of(4, 7, 7);
	for (size_t j = 0; j < g.n; j++) {
		bool done = offer(&e, &k, UDP, &g, order[j], T0 + 5000);
		assert_true(frag_bytes(e.t) <= cap);
		assert_int_equal(done, j + 1 == g.n);
	}
	assert_int_equal(e.outlen, g.size);
	assert_memory_equal(e.out, g.payload, g.size);
	/* one that can never fit is dropped, not kept over the cap */
	struct frag_key big = key_of(4, 8, 8);
	uint8_t *huge = calloc(1, 30000);
	assert_non_null(huge);
	uint64_t ev = e.st.frag_evicted;
	size_t held = frag_datagrams(e.t), bytes = frag_bytes(e.t);
	assert_false(offer_raw(&e, &big, 0, true, huge, 30000, T0 + 6000));
	assert_int_equal(e.st.frag_evicted, ev + 1);
	assert_int_equal(frag_datagrams(e.t), held);
	assert_int_equal(frag_bytes(e.t), bytes);
	free(huge);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_too_big(void **state)
{
	struct env e;
	env_init(&e, 0, 0, 0);
	uint8_t buf[64] = { 0 };
	struct frag_key k = key_of(4, 1, 1);
	assert_false(offer_raw(&e, &k, 0, true, buf, 64, T0));
	assert_int_equal(frag_datagrams(e.t), 1);
	assert_false(offer_raw(&e, &k, 65528, false, buf, 16, T0)); /* ends at 65544 */
	assert_int_equal(e.st.frag_bad, 1);
	assert_int_equal(frag_datagrams(e.t), 0); /* the datagram went with it */
	assert_false(offer_raw(&e, &k, 65528, false, buf, 7, T0)); /* ends at 65535: fine */
	assert_int_equal(e.st.frag_bad, 1);
	assert_int_equal(frag_datagrams(e.t), 1);
	assert_false(offer_raw(&e, &k, 0xFFFFFFF8u, true, buf, 64, T0)); /* offset wraps */
	assert_int_equal(e.st.frag_bad, 2);
	frag_destroy(e.t);
}

static void test_bad_lengths(void **state)
{
	rng_state = 12;
	struct env e;
	env_init(&e, 0, 0, 0);
	struct dg g;
	make_dg(&g, 3, 64);
	struct frag_key k = key_of(4, 1, 1);
	assert_false(offer(&e, &k, UDP, &g, 0, T0));
	assert_false(offer_raw(&e, &k, 64, true, g.payload + 64, 60, T0)); /* middle, 60 bytes */
	assert_int_equal(e.st.frag_bad, 1);
	assert_int_equal(frag_datagrams(e.t), 0);
	assert_false(offer_raw(&e, &k, 64, true, g.payload, 0, T0)); /* empty */
	assert_int_equal(e.st.frag_bad, 2);
	assert_false(offer_raw(&e, &k, 60, true, g.payload, 64, T0)); /* unaligned offset */
	assert_int_equal(e.st.frag_bad, 3);
	assert_int_equal(frag_datagrams(e.t), 0);
	/* two last fragments that disagree on the length */
	assert_false(offer(&e, &k, UDP, &g, 2, T0));
	assert_false(offer_raw(&e, &k, 192, false, g.payload, 8, T0));
	assert_int_equal(e.st.frag_bad, 4);
	/* a last fragment ending before data already seen */
	assert_false(offer(&e, &k, UDP, &g, 1, T0));
	assert_false(offer_raw(&e, &k, 0, false, g.payload, 8, T0));
	assert_int_equal(e.st.frag_bad, 5);
	/* a fragment past the known end */
	assert_false(offer(&e, &k, UDP, &g, 2, T0));
	assert_false(offer_raw(&e, &k, 1024, true, g.payload, 8, T0));
	assert_int_equal(e.st.frag_bad, 6);
	assert_int_equal(e.st.frag_reassembled, 0);
	assert_int_equal(frag_datagrams(e.t), 0);
	free(g.payload);
	frag_destroy(e.t);
}

static void test_too_many_pieces(void **state)
{
	struct env e;
	env_init(&e, 0, 0, 0);
	uint8_t buf[8] = { 0 };
	struct frag_key k = key_of(4, 1, 1);
	for (uint32_t i = 0; i < 64; i++)
		assert_false(offer_raw(&e, &k, i * 8, true, buf, 8, T0));
	assert_int_equal(e.st.frag_bad, 0);
	assert_false(offer_raw(&e, &k, 64 * 8, false, buf, 8, T0));
	assert_int_equal(e.st.frag_bad, 1);
	assert_int_equal(frag_datagrams(e.t), 0);
	frag_destroy(e.t);
}

static void test_single_piece_and_repeat_last(void **state)
{
	struct env e;
	env_init(&e, 0, 0, 0);
	uint8_t buf[24] = "abcdefghijklmnopqrstuvw";
	struct frag_key k = key_of(4, 1, 1);
	/* a repeat of a piece that now says it is the last */
	assert_false(offer_raw(&e, &k, 8, true, buf + 8, 16, T0));
	assert_false(offer_raw(&e, &k, 0, true, buf, 8, T0));
	assert_true(offer_raw(&e, &k, 8, false, buf + 8, 16, T0));
	assert_int_equal(e.outlen, 24);
	assert_memory_equal(e.out, buf, 24);
	assert_int_equal(e.st.frag_duplicates, 1);
	/* a lone "fragment" at 0 without MF is whole at once */
	assert_true(offer_raw(&e, &k, 0, false, buf, 5, T0));
	assert_int_equal(e.outlen, 5);
	frag_destroy(e.t);
}

static void test_flush(void **state)
{
	struct env e;
	env_init(&e, 0, 0, 0);
	uint8_t buf[64] = { 0 };
	for (uint32_t i = 0; i < 17; i++) {
		struct frag_key k = key_of(i % 2 ? 4 : 6, i, 1);
		assert_false(offer_raw(&e, &k, 64, true, buf, 64, T0));
	}
	assert_int_equal(frag_datagrams(e.t), 17);
	assert_true(frag_bytes(e.t) >= 17 * 128);
	frag_flush(e.t);
	assert_int_equal(e.st.frag_timeouts, 17);
	assert_int_equal(frag_datagrams(e.t), 0);
	assert_int_equal(frag_bytes(e.t), 0);
	frag_flush(e.t);
	assert_int_equal(e.st.frag_timeouts, 17);
	frag_destroy(e.t);
	frag_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reverse_order),
		cmocka_unit_test(test_random_order),
		cmocka_unit_test(test_proto_from_first_fragment),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_same_range_other_bytes_is_overlap),
		cmocka_unit_test(test_partial_overlap),
		cmocka_unit_test(test_families_separate),
		cmocka_unit_test(test_ipv4_protocol_in_key),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_max_datagrams),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_too_many_pieces),
		cmocka_unit_test(test_single_piece_and_repeat_last),
		cmocka_unit_test(test_flush),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
