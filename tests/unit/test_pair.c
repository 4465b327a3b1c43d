/* Unit tests: the exchange table pairs, ages, evicts and never collides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pair/table.h"

#define SEC 1000000000LL

struct event {
	int answered, unanswered, response_only;
	int64_t last_elapsed;
	struct flow_key last_key;
};

static void on_emit(void *ctx, const struct flow_key *k, const struct leg *q,
		    const struct leg *r)
{
	struct event *e = ctx;
	e->last_key = *k;
	if (q && r) {
		e->answered++;
		e->last_elapsed = r->ts_ns - q->ts_ns;
	} else if (q) {
		e->unanswered++;
	} else {
		e->response_only++;
	}
}

/* A minimal message: header + one question "a.example" A IN. */
static size_t make_msg(uint8_t *buf, uint16_t id, int response, const char *label)
{
	size_t n = 0;
	buf[n++] = (uint8_t)(id >> 8);
	buf[n++] = (uint8_t)id;
	buf[n++] = response ? 0x81 : 0x01;
	buf[n++] = response ? 0x80 : 0x00;
	const uint8_t counts[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	memcpy(buf + n, counts, 8);
	n += 8;
	size_t l = strlen(label);
	buf[n++] = (uint8_t)l;
	memcpy(buf + n, label, l);
	n += l;
	memcpy(buf + n, "\x07" "example\0\0\x01\0\x01", 13);
	return n + 13;
}

static struct packet pkt_between(const char *client, uint16_t cport, int response)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	struct addr c = { .family = 4 }, s = { .family = 4 };
	memcpy(c.a, client, 4);
	memcpy(s.a, "\x0a\x00\x00\x35", 4);
	p.proto = PKT_UDP;
	if (response) {
		p.src = s; p.dst = c; p.sport = 53; p.dport = cport;
	} else {
		p.src = c; p.dst = s; p.sport = cport; p.dport = 53;
	}
	return p;
}

static struct stats st;
static struct event ev;

static struct pair_table *table(size_t max_pending)
{
	memset(&st, 0, sizeof st);
	memset(&ev, 0, sizeof ev);
	struct pair_config cfg = { .max_pending = max_pending, .max_held_bytes = 1 << 20,
				   .gc_age_ns = 60 * SEC };
	return pair_create(&cfg, on_emit, &ev, &st);
}

static void offer(struct pair_table *t, const char *client, uint16_t cport, uint16_t id,
		  int response, const char *label, int64_t ts)
{
	uint8_t buf[512];
	size_t n = make_msg(buf, id, response, label);
	struct packet p = pkt_between(client, cport, response);
	struct flow_key k;
	pair_key_from_packet(&k, &p, response, id);
	struct leg leg = { .wire = buf, .len = n, .ts_ns = ts, .ts_digits = 6 };
	pair_message(t, &k, response, &leg);
}

static void query_then_response(void **state)
{
	struct pair_table *t = table(100);
	offer(t, "\x0a\0\0\x01", 4000, 7, 0, "a", 10 * SEC);
	assert_int_equal(pair_pending(t), 1);
	offer(t, "\x0a\0\0\x01", 4000, 7, 1, "a", 10 * SEC + 1500);
	assert_int_equal(ev.answered, 1);
	assert_int_equal(ev.last_elapsed, 1500);
	assert_int_equal(ev.last_key.cport, 4000);
	assert_int_equal(ev.last_key.sport, 53);
	assert_memory_equal(ev.last_key.client, "\x0a\0\0\x01", 4);
	assert_int_equal(pair_pending(t), 0);
	pair_destroy(t);
}

static void response_before_query(void **state)
{
	struct pair_table *t = table(100);
	offer(t, "\x0a\0\0\x01", 4000, 7, 1, "a", 10 * SEC);
	assert_int_equal(ev.answered + ev.response_only, 0);
	offer(t, "\x0a\0\0\x01", 4000, 7, 0, "a", 10 * SEC + 5);
	assert_int_equal(ev.answered, 1);
	/* client and server the right way round, elapsed from query to response */
	assert_int_equal(ev.last_key.cport, 4000);
	assert_memory_equal(ev.last_key.client, "\x0a\0\0\x01", 4);
	assert_int_equal(ev.last_elapsed, -5);
	pair_destroy(t);
}

static void no_collisions(void **state)
{
	struct pair_table *t = table(100);
	/* Same ID and port from two clients, and a different question. */
	offer(t, "\x0a\0\0\x01", 4000, 7, 0, "a", 1 * SEC);
	offer(t, "\x0a\0\0\x02", 4000, 7, 0, "a", 1 * SEC);
	offer(t, "\x0a\0\0\x03", 4000, 7, 0, "a", 1 * SEC);
	offer(t, "\x0a\0\0\x02", 4000, 7, 1, "b", 2 * SEC); /* wrong question: no pair */
	assert_int_equal(ev.answered, 0);
	offer(t, "\x0a\0\0\x02", 4000, 7, 1, "a", 2 * SEC);
	assert_int_equal(ev.answered, 1);
	assert_memory_equal(ev.last_key.client, "\x0a\0\0\x02", 4);
	offer(t, "\x0a\0\0\x01", 4001, 7, 1, "a", 2 * SEC); /* other port: no pair */
	assert_int_equal(ev.answered, 1);
	pair_flush(t);
	assert_int_equal(ev.unanswered, 2);
	assert_int_equal(ev.response_only, 2);
	pair_destroy(t);
}

static void question_case_insensitive(void **state)
{
	struct pair_table *t = table(100);
	offer(t, "\x0a\0\0\x01", 4000, 9, 0, "WwW", 1 * SEC);
	offer(t, "\x0a\0\0\x01", 4000, 9, 1, "www", 1 * SEC);
	assert_int_equal(ev.answered, 1);
	pair_destroy(t);
}

static void ageing_on_capture_clock(void **state)
{
	struct pair_table *t = table(100);
	offer(t, "\x0a\0\0\x01", 4000, 1, 0, "a", 100 * SEC);
	pair_expire(t, 150 * SEC); /* only 50 s old */
	assert_int_equal(ev.unanswered, 0);
	pair_expire(t, 161 * SEC); /* 61 s old */
	assert_int_equal(ev.unanswered, 1);
	assert_int_equal(st.pair_unanswered, 1);
	/* A late response now has no query. */
	offer(t, "\x0a\0\0\x01", 4000, 1, 1, "a", 162 * SEC);
	pair_flush(t);
	assert_int_equal(ev.response_only, 1);
	pair_destroy(t);
}

static void full_table_evicts_oldest(void **state)
{
	struct pair_table *t = table(3);
	for (int i = 0; i < 5; i++)
		offer(t, "\x0a\0\0\x01", (uint16_t)(5000 + i), 1, 0, "a", (10 + i) * SEC);
	assert_int_equal(pair_pending(t), 3);
	assert_int_equal(st.pair_evicted, 2);
	assert_int_equal(ev.unanswered, 2);
	assert_int_equal(ev.last_key.cport, 5001); /* the two oldest went, in order */
	/* The newest still pair. */
	offer(t, "\x0a\0\0\x01", 5004, 1, 1, "a", 20 * SEC);
	assert_int_equal(ev.answered, 1);
	pair_destroy(t);
}

static void duplicate_query_counted(void **state)
{
	struct pair_table *t = table(100);
	offer(t, "\x0a\0\0\x01", 4000, 3, 0, "a", 1 * SEC);
	offer(t, "\x0a\0\0\x01", 4000, 3, 0, "a", 2 * SEC);
	assert_int_equal(st.pair_duplicate_queries, 1);
	offer(t, "\x0a\0\0\x01", 4000, 3, 1, "a", 3 * SEC);
	assert_int_equal(ev.answered, 1);
	assert_int_equal(ev.last_elapsed, 2 * SEC); /* timed from the first query */
	assert_int_equal(pair_pending(t), 0);
	pair_destroy(t);
}

static void many_entries(void **state)
{
	struct pair_table *t = table(100000);
	char client[4] = { 10, 0, 0, 0 };
	for (int i = 0; i < 50000; i++) {
		client[2] = (char)(i >> 8);
		client[3] = (char)i;
		offer(t, client, (uint16_t)i, (uint16_t)(i * 7), 0, "a", SEC);
	}
	assert_int_equal(pair_pending(t), 50000);
	for (int i = 49999; i >= 0; i--) {
		client[2] = (char)(i >> 8);
		client[3] = (char)i;
		offer(t, client, (uint16_t)i, (uint16_t)(i * 7), 1, "a", 2 * SEC);
	}
	assert_int_equal(ev.answered, 50000);
	assert_int_equal(pair_pending(t), 0);
	assert_int_equal(st.pending_peak, 50000);
	pair_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_then_response),
		cmocka_unit_test(response_before_query),
		cmocka_unit_test(no_collisions),
		cmocka_unit_test(question_case_insensitive),
		cmocka_unit_test(ageing_on_capture_clock),
		cmocka_unit_test(full_table_evicts_oldest),
		cmocka_unit_test(duplicate_query_counted),
		cmocka_unit_test(many_entries),
	};
	return cmocka_run_group_tests_name("pair", tests, NULL, NULL);
}
