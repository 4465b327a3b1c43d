/* Unit tests: the aggregation table (pdns/cof.c): a fact counted once per
 * response, written when first seen, then once per interval with what came
 * since, evicted least recently seen first with its count written, the
 * bailiwick, the sections, the text bound; the -pdns_clients table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdns/cof.h"

#define SEC 1000000000LL

static struct dns_rr rrs[DNS_MAX_RRS];

/* What the table emitted, copied. */
struct line {
	char rrname[300], rdata[20000], bailiwick[300];
	bool has_bailiwick, client;
	int64_t first, last;
	uint64_t count;
	uint16_t rrtype;
};
static struct line lines[64];
static size_t nlines;

static void on_fact(void *ctx, const struct pdns_fact *f)
{
	(void)ctx;
	assert_string_equal(f->sensor_id, "s1");
	if (nlines >= 64) { /* counted, not kept */
		nlines++;
		return;
	}
	struct line *l = &lines[nlines++];
	snprintf(l->rrname, sizeof l->rrname, "%s", f->rrname);
	snprintf(l->rdata, sizeof l->rdata, "%s", f->rdata);
	l->has_bailiwick = f->bailiwick != NULL;
	snprintf(l->bailiwick, sizeof l->bailiwick, "%s", f->bailiwick ? f->bailiwick : "");
	l->first = f->time_first;
	l->last = f->time_last;
	l->count = f->count;
	l->rrtype = f->rrtype;
	l->client = f->client;
	assert_string_equal(f->sensor_id, "s1");
}

/* A message under construction. */
struct msg {
	uint8_t b[40000];
	size_t n;
	uint16_t count[4];
};

static void put_name(struct msg *m, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
		m->b[m->n++] = (uint8_t)l;
		memcpy(m->b + m->n, dotted, l);
		m->n += l;
		dotted += l + (dot ? 1 : 0);
	}
	m->b[m->n++] = 0;
}

static void start(struct msg *m, bool aa)
{
	memset(m, 0, sizeof *m);
	m->b[2] = 0x81 | (aa ? 0x04 : 0);
	m->b[3] = 0x80;
	m->n = 12;
	put_name(m, "q.example");
	memcpy(m->b + m->n, "\0\1\0\1", 4);
	m->n += 4;
	m->count[0] = 1;
}

static void put_rr(struct msg *m, int section, const char *owner, uint16_t type,
		   const uint8_t *rdata, size_t rdlen)
{
	put_name(m, owner);
	uint8_t h[10] = { (uint8_t)(type >> 8), (uint8_t)type, 0, 1, 0, 0, 0x0e, 0x10,
			  (uint8_t)(rdlen >> 8), (uint8_t)rdlen };
	memcpy(m->b + m->n, h, 10);
	m->n += 10;
	memcpy(m->b + m->n, rdata, rdlen);
	m->n += rdlen;
	m->count[section]++;
}

static void put_a(struct msg *m, int section, const char *owner, uint8_t last)
{
	const uint8_t a[4] = { 192, 0, 2, last };
	put_rr(m, section, owner, 1, a, 4);
}

/* An NS or SOA whose data does not matter here (NS: a name; SOA: root
 * names and zero numbers). */
static void put_zone(struct msg *m, const char *owner, uint16_t type)
{
	static const uint8_t ns[] = { 2, 'n', 's', 0 };
	static const uint8_t soa[22] = { 0 };
	if (type == 2)
		put_rr(m, DNS_NS, owner, 2, ns, sizeof ns);
	else
		put_rr(m, DNS_NS, owner, 6, soa, sizeof soa);
}

static void feed(struct cof_table *t, struct msg *m, int64_t ts)
{
	for (int i = 0; i < 4; i++) {
		m->b[4 + 2 * i] = (uint8_t)(m->count[i] >> 8);
		m->b[5 + 2 * i] = (uint8_t)m->count[i];
	}
	struct dns_msg d;
	assert_int_equal(dns_msg_parse(&d, m->b, m->n, rrs, DNS_MAX_RRS), DNS_OK);
	/* As the worker does: the packet, then the due facts at its time. */
	cof_response(t, &d, ts);
	cof_expire(t, ts);
}

/* One response carrying one A record of owner. */
static void one_a(struct cof_table *t, const char *owner, uint8_t last, int64_t ts)
{
	struct msg m;
	start(&m, false);
	put_a(&m, DNS_AN, owner, last);
	feed(t, &m, ts);
}

static struct cof_table *table(size_t max, int64_t interval, bool all, struct stats *st)
{
	memset(st, 0, sizeof *st);
	nlines = 0;
	struct cof_config c = { .max_entries = max, .interval_ns = interval, .all_sections = all,
				.count_malformed = true, .sensor = "s1" };
	struct cof_table *t = cof_create(&c, on_fact, NULL, st);
	assert_non_null(t);
	return t;
}

static void once_per_response(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(100, 3600 * SEC, false, &st);
	struct msg m;
	start(&m, false);
	put_a(&m, DNS_AN, "www.Example.COM", 1);
	put_a(&m, DNS_AN, "WWW.example.com", 1); /* the same fact, another spelling */
	put_a(&m, DNS_AN, "www.example.com", 2);
	feed(t, &m, 100 * SEC + 999999999);
	assert_int_equal(nlines, 2); /* each written when first seen */
	assert_string_equal(lines[0].rrname, "www.example.com");
	assert_string_equal(lines[0].rdata, "192.0.2.1");
	assert_int_equal(lines[0].rrtype, 1);
	assert_int_equal(lines[0].count, 1);
	assert_int_equal(lines[0].first, 100); /* seconds, floor */
	assert_int_equal(lines[0].last, 100);
	assert_false(lines[0].has_bailiwick);
	feed(t, &m, 101 * SEC);
	assert_int_equal(nlines, 2); /* within the interval: waits */
	cof_flush(t);
	assert_int_equal(nlines, 4);
	for (size_t i = 2; i < 4; i++) {
		assert_int_equal(lines[i].count, 1);
		assert_int_equal(lines[i].first, 101);
		assert_int_equal(lines[i].last, 101);
	}
	assert_int_equal(st.cof_facts, 2);
	assert_int_equal(st.cof_records, 4);
	assert_int_equal(cof_entries(t), 2);
	cof_flush(t); /* nothing left unwritten */
	assert_int_equal(nlines, 4);
	cof_destroy(t);
}

static void interval(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(100, 10 * SEC, false, &st);
	one_a(t, "a.example", 1, 0);
	assert_int_equal(nlines, 1);
	one_a(t, "a.example", 1, 1 * SEC);
	one_a(t, "a.example", 1, 2 * SEC);
	cof_expire(t, 9 * SEC); /* not yet */
	assert_int_equal(nlines, 1);
	one_a(t, "a.example", 1, 12 * SEC); /* the interval is over at 10 s */
	assert_int_equal(nlines, 2);
	assert_int_equal(lines[1].count, 3); /* since the previous line */
	assert_int_equal(lines[1].first, 1);
	assert_int_equal(lines[1].last, 12);
	/* Nothing seen in the next interval: idle, the next sighting goes
	 * out at once. */
	cof_expire(t, 23 * SEC);
	assert_int_equal(nlines, 2);
	one_a(t, "a.example", 1, 30 * SEC);
	assert_int_equal(nlines, 3);
	assert_int_equal(lines[2].count, 1);
	assert_int_equal(lines[2].first, 30);
	/* Seen once more, written at the end of its interval by expire alone. */
	one_a(t, "a.example", 1, 35 * SEC);
	assert_int_equal(nlines, 3);
	cof_expire(t, 40 * SEC);
	assert_int_equal(nlines, 4);
	assert_int_equal(lines[3].count, 1);
	assert_int_equal(lines[3].first, 35);
	uint64_t sum = 0;
	for (size_t i = 0; i < nlines; i++)
		sum += lines[i].count;
	assert_int_equal(sum, 6); /* every sighting, once */
	cof_flush(t);
	assert_int_equal(nlines, 4);
	cof_destroy(t);
}

static void eviction(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(2, 3600 * SEC, false, &st);
	one_a(t, "a.example", 1, 1 * SEC);
	one_a(t, "b.example", 1, 2 * SEC);
	one_a(t, "a.example", 1, 3 * SEC); /* a: most recently seen, one unwritten */
	one_a(t, "c.example", 1, 4 * SEC); /* full: b goes (nothing unwritten) */
	assert_int_equal(st.cof_evicted, 1);
	assert_int_equal(nlines, 3);
	one_a(t, "b.example", 1, 5 * SEC); /* back: a goes, its count written first */
	assert_int_equal(st.cof_evicted, 2);
	assert_int_equal(nlines, 5);
	assert_string_equal(lines[3].rrname, "a.example");
	assert_int_equal(lines[3].count, 1);
	assert_int_equal(lines[3].first, 3);
	assert_string_equal(lines[4].rrname, "b.example");
	assert_int_equal(lines[4].count, 1);
	assert_int_equal(cof_entries(t), 2);
	assert_int_equal(st.cof_facts, 4); /* b entered twice */
	cof_flush(t);
	uint64_t a = 0, b = 0, c = 0;
	for (size_t i = 0; i < nlines; i++) {
		if (strcmp(lines[i].rrname, "a.example") == 0)
			a += lines[i].count;
		else if (strcmp(lines[i].rrname, "b.example") == 0)
			b += lines[i].count;
		else
			c += lines[i].count;
	}
	assert_int_equal(a, 2);
	assert_int_equal(b, 2);
	assert_int_equal(c, 1);
	cof_destroy(t);
}

/* A response with more facts than the table holds: a record repeated after
 * its fact was evicted is still counted once for the response. */
static void eviction_within_a_response(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(1, 3600 * SEC, false, &st);
	struct msg m;
	start(&m, false);
	put_a(&m, DNS_AN, "a.example", 1);
	put_a(&m, DNS_AN, "b.example", 1);
	put_a(&m, DNS_AN, "a.example", 1);
	feed(t, &m, 1 * SEC);
	cof_flush(t);
	assert_int_equal(nlines, 2);
	assert_int_equal(st.cof_evicted, 1);
	cof_destroy(t);
}

static void bailiwick(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(100, 3600 * SEC, false, &st);
	struct msg m;
	/* Authoritative, the closest zone of two. */
	start(&m, true);
	put_a(&m, DNS_AN, "WWW.Example.COM", 1);
	put_zone(&m, "com", 6);
	put_zone(&m, "Example.com", 2);
	put_zone(&m, "other.org", 2);
	feed(t, &m, 1 * SEC);
	assert_int_equal(nlines, 1);
	assert_true(lines[0].has_bailiwick);
	assert_string_equal(lines[0].bailiwick, "example.com");
	/* The owner itself is its own bailiwick; the root is written "." */
	start(&m, true);
	put_a(&m, DNS_AN, "example.net", 1);
	put_a(&m, DNS_AN, "x.example.org", 1);
	put_zone(&m, "example.net", 6);
	feed(t, &m, 1 * SEC);
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[1].bailiwick, "example.net");
	assert_false(lines[2].has_bailiwick); /* example.net is no ancestor of it */
	start(&m, true);
	put_a(&m, DNS_AN, "y.example.org", 1);
	put_zone(&m, "", 6);
	feed(t, &m, 1 * SEC);
	assert_string_equal(lines[3].bailiwick, ".");
	/* Not authoritative: no bailiwick, whatever the authority section says. */
	start(&m, false);
	put_a(&m, DNS_AN, "z.example.com", 1);
	put_zone(&m, "example.com", 2);
	feed(t, &m, 1 * SEC);
	assert_false(lines[4].has_bailiwick);
	/* Authoritative, an NS that is not an ancestor: none. */
	start(&m, true);
	put_a(&m, DNS_AN, "w.example.com", 1);
	put_zone(&m, "sub.w.example.com", 2);
	feed(t, &m, 1 * SEC);
	assert_false(lines[5].has_bailiwick);
	/* Once known, kept: the next line of www.example.com says it. */
	start(&m, false);
	put_a(&m, DNS_AN, "www.example.com", 1);
	feed(t, &m, 2 * SEC);
	cof_flush(t);
	assert_string_equal(lines[nlines - 1].rrname, "www.example.com");
	assert_string_equal(lines[nlines - 1].bailiwick, "example.com");
	cof_destroy(t);
}

static void sections(void **state)
{
	(void)state;
	for (int all = 0; all < 2; all++) {
		struct stats st;
		struct cof_table *t = table(100, 3600 * SEC, all, &st);
		struct msg m;
		start(&m, false);
		put_a(&m, DNS_AN, "a.example", 1);
		put_zone(&m, "example", 2);
		put_a(&m, DNS_AR, "ns.example", 9);
		static const uint8_t none[1];
		put_rr(&m, DNS_AR, "", 41, none, 0); /* OPT: never a fact */
		feed(t, &m, 1 * SEC);
		assert_int_equal(nlines, all ? 3 : 1);
		if (all) {
			assert_int_equal(lines[1].rrtype, 2);
			assert_string_equal(lines[1].rdata, "ns");
			assert_string_equal(lines[2].rrname, "ns.example");
		}
		cof_destroy(t);
	}
}

static void text_bound(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(100, 3600 * SEC, false, &st);
	static struct msg m;
	static uint8_t txt[65535];
	/* 2 KiB of TXT: longer than an entry holds, kept all the same. */
	for (size_t i = 0; i < 8; i++) {
		txt[i * 256] = 255;
		memset(txt + i * 256 + 1, 'x', 255);
	}
	start(&m, false);
	put_rr(&m, DNS_AN, "t.example", 16, txt, 8 * 256);
	/* 64 strings of 255 bytes: 16,512 characters, past COF_TEXT_MAX. */
	for (size_t i = 0; i < 64; i++) {
		txt[i * 256] = 255;
		memset(txt + i * 256 + 1, 'y', 255);
	}
	put_rr(&m, DNS_AN, "big.example", 16, txt, 64 * 256);
	feed(t, &m, 1 * SEC);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0].rrname, "t.example");
	assert_int_equal(strlen(lines[0].rdata), 8 * 258 - 1);
	assert_int_equal(st.cof_too_big, 1);
	assert_int_equal(st.cof_facts, 1);
	cof_destroy(t);
}

/* Long text has its own budget: filling it evicts the least recently seen. */
static void long_text_budget(void **state)
{
	(void)state;
	struct stats st;
	struct cof_table *t = table(10000, 3600 * SEC, false, &st); /* budget COF_BIG_MIN */
	static struct msg m;
	static uint8_t txt[16000];
	size_t per = 15 * 256; /* ~3.9 KB of text each */
	size_t n = COF_BIG_MIN / (15 * 258) + 5;
	for (size_t i = 0; i < 15; i++) {
		txt[i * 256] = 255;
		memset(txt + i * 256 + 1, 'z', 255);
	}
	for (size_t k = 0; k < n; k++) {
		char owner[32];
		snprintf(owner, sizeof owner, "t%zu.example", k);
		start(&m, false);
		put_rr(&m, DNS_AN, owner, 16, txt, per);
		feed(t, &m, (int64_t)k * SEC);
	}
	assert_true(st.cof_evicted > 0);
	assert_int_equal(st.cof_too_big, 0);
	assert_int_equal(st.cof_facts, n);
	cof_destroy(t);
}

/* -pdns_clients: (question name in lower case, type, client) counted once
 * per response, emitted as facts with .client set and the address as
 * rdata, in counters of their own; no question, nothing. */
static void question(struct msg *m, const char *name, uint16_t type, struct dns_msg *d)
{
	memset(m, 0, sizeof *m);
	m->b[2] = 0x81;
	m->b[3] = 0x80;
	m->n = 12;
	if (name) {
		put_name(m, name);
		uint8_t t[4] = { (uint8_t)(type >> 8), (uint8_t)type, 0, 1 };
		memcpy(m->b + m->n, t, 4);
		m->n += 4;
		m->b[5] = 1;
	}
	assert_int_equal(dns_msg_parse(d, m->b, m->n, rrs, DNS_MAX_RRS), DNS_OK);
}

static void clients(void **state)
{
	(void)state;
	struct stats st;
	memset(&st, 0, sizeof st);
	nlines = 0;
	struct cof_config c = { .max_entries = 2, .interval_ns = 3600 * SEC, .sensor = "s1", .clients = true };
	struct cof_table *t = cof_create(&c, on_fact, NULL, &st);
	assert_non_null(t);
	struct msg m;
	struct dns_msg d;
	question(&m, "WWW.Example.COM", 28, &d);
	cof_client(t, &d, "192.0.2.10", 10 * SEC);
	question(&m, "www.example.com", 28, &d);
	cof_client(t, &d, "192.0.2.10", 12 * SEC);
	assert_int_equal(nlines, 1); /* first seen: written at once */
	assert_true(lines[0].client);
	assert_string_equal(lines[0].rrname, "www.example.com");
	assert_string_equal(lines[0].rdata, "192.0.2.10");
	assert_int_equal(lines[0].rrtype, 28);
	assert_int_equal(lines[0].count, 1);
	cof_client(t, &d, "2001:db8::1", 13 * SEC); /* another client: its own row */
	question(&m, "www.example.com", 1, &d);
	cof_client(t, &d, "192.0.2.10", 14 * SEC); /* another type: a third; the table holds 2 */
	question(&m, NULL, 0, &d);
	cof_client(t, &d, "192.0.2.10", 15 * SEC); /* no question: nothing */
	assert_int_equal(st.pdns_clients_facts, 3);
	assert_int_equal(st.pdns_clients_evicted, 1);
	assert_int_equal(st.cof_facts + st.cof_records + st.cof_evicted, 0);
	cof_flush(t);
	uint64_t total = 0, v4aaaa = 0;
	for (size_t i = 0; i < nlines; i++) {
		assert_true(lines[i].client);
		total += lines[i].count;
		if (lines[i].rrtype == 28 && strcmp(lines[i].rdata, "192.0.2.10") == 0) {
			v4aaaa += lines[i].count;
			assert_true(lines[i].first >= 10 && lines[i].last <= 12);
		}
	}
	assert_int_equal(total, 4);
	assert_int_equal(v4aaaa, 2);
	assert_int_equal(st.pdns_clients_records, nlines);
	cof_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(once_per_response),
		cmocka_unit_test(interval),
		cmocka_unit_test(eviction),
		cmocka_unit_test(eviction_within_a_response),
		cmocka_unit_test(bailiwick),
		cmocka_unit_test(sections),
		cmocka_unit_test(text_bound),
		cmocka_unit_test(long_text_budget),
		cmocka_unit_test(clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
