/* Unit tests: the passive DNS store (pdns/store.c), its writer thread, the
 * COF line codec (pdns/cofline.c) and the query command's time syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dns/rrtype.h"
#include "pdns/cofline.h"
#include "pdns/query.h"
#include "pdns/store.h"
#include "pdns/writer.h"

static char dir[] = "/tmp/test_store.XXXXXX";
static char path[256];
static char err[512];

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/s.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void fresh(void)
{
	char p[300];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static void put(struct pdns_store *s, const char *name, uint16_t type, const char *rdata, int64_t first,
		int64_t last, uint64_t count, const char *bailiwick)
{
	struct pdns_fact f = { .rrname = name, .rrtype = type, .rdata = rdata, .time_first = first,
			       .time_last = last, .count = count, .bailiwick = bailiwick };
	assert_int_equal(pdns_store_upsert(s, &f, err, sizeof err), 0);
}

/* What a query gave, as "name type rdata first last count bailiwick" lines. */
struct got {
	char text[8192];
	int n;
};

static int collect(void *ctx, const struct pdns_fact *f)
{
	struct got *g = ctx;
	size_t len = strlen(g->text);
	snprintf(g->text + len, sizeof g->text - len, "%s %u %s %lld %lld %llu %s\n", f->rrname, f->rrtype,
		 f->rdata, (long long)f->time_first, (long long)f->time_last, (unsigned long long)f->count,
		 f->bailiwick ? f->bailiwick : "-");
	g->n++;
	return 0;
}

static struct got ask(struct pdns_store *s, const char *name, const char *rdata, uint16_t type,
		      int64_t since, int64_t until, uint64_t limit)
{
	struct got g = { .n = 0 };
	struct pdns_query q = { .name = name, .rdata = rdata, .rrtype = type, .since = since,
				.until = until, .limit = limit };
	int64_t n = pdns_store_query(s, &q, collect, &g, err, sizeof err);
	assert_int_equal(n, g.n);
	return g;
}

static struct pdns_store *filled(void)
{
	fresh();
	struct pdns_store *s = pdns_store_open(path, PDNS_STORE_WRITE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(pdns_store_begin(s, err, sizeof err), 0);
	put(s, "www.example.com", 1, "192.0.2.1", 1000, 2000, 3, NULL);
	/* the same fact again: min first, max last, counts summed, the
	 * bailiwick kept once known, the first spelling of the name kept */
	put(s, "WWW.Example.COM", 1, "192.0.2.1", 500, 1500, 4, "example.com");
	put(s, "www.example.com", 1, "192.0.2.1", 1200, 2500, 1, "other.example");
	put(s, "www.example.com", 28, "2001:db8::1", 3000, 3000, 1, NULL);
	put(s, "example.com", 15, "10 MX.example.com", 100, 200, 2, NULL);
	put(s, "a.b.example.com", 5, "www.example.com", 4000, 4100, 1, NULL);
	put(s, "badexample.com", 1, "192.0.2.1", 5000, 5000, 1, NULL);
	put(s, "mail.example.org", 33, "0 5 25 MX.example.com", 50, 60, 1, NULL);
	assert_int_equal(pdns_store_commit(s, err, sizeof err), 0);
	return s;
}

static void upsert_keeps_min_max_sum(void **state)
{
	struct pdns_store *s = filled();
	struct got g = ask(s, "www.example.com", NULL, 1, 0, 0, 100);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text, "www.example.com 1 192.0.2.1 500 2500 8 example.com\n");
	/* any case, with or without the final dot */
	g = ask(s, "WwW.EXAMPLE.com.", NULL, 0, 0, 0, 100);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text, "www.example.com 28 2001:db8::1 3000 3000 1 -\n"
				    "www.example.com 1 192.0.2.1 500 2500 8 example.com\n");
	pdns_store_close(s);
}

static void suffix_is_below_the_name_only(void **state)
{
	struct pdns_store *s = filled();
	struct got g = ask(s, "*.example.com", NULL, 0, 0, 0, 100);
	assert_int_equal(g.n, 3); /* www twice and a.b; not example.com nor badexample.com */
	assert_null(strstr(g.text, "badexample"));
	assert_null(strstr(g.text, "\nexample.com"));
	assert_string_equal(g.text, "a.b.example.com 5 www.example.com 4000 4100 1 -\n"
				    "www.example.com 28 2001:db8::1 3000 3000 1 -\n"
				    "www.example.com 1 192.0.2.1 500 2500 8 example.com\n");
	g = ask(s, "*.b.EXAMPLE.com", NULL, 0, 0, 0, 100);
	assert_int_equal(g.n, 1);
	g = ask(s, "*.com", NULL, 0, 0, 0, 100);
	assert_int_equal(g.n, 5);
	g = ask(s, "*.xample.com", NULL, 0, 0, 0, 100);
	assert_int_equal(g.n, 0);
	/* a wildcard needs a suffix */
	struct pdns_query q = { .name = "*.", .limit = 10 };
	assert_int_equal(pdns_store_query(s, &q, collect, &g, err, sizeof err), -1);
	pdns_store_close(s);
}

static void rdata_matches_addresses_and_names(void **state)
{
	struct pdns_store *s = filled();
	struct got g = ask(s, NULL, "192.0.2.1", 0, 0, 0, 100);
	assert_int_equal(g.n, 2); /* www.example.com and badexample.com */
	g = ask(s, NULL, "mx.example.com.", 0, 0, 0, 100);
	assert_int_equal(g.n, 2); /* the MX's exchange and the SRV's target, any case */
	assert_string_equal(g.text, "example.com 15 10 MX.example.com 100 200 2 -\n"
				    "mail.example.org 33 0 5 25 MX.example.com 50 60 1 -\n");
	g = ask(s, NULL, "WWW.example.com", 5, 0, 0, 100);
	assert_int_equal(g.n, 1);
	g = ask(s, NULL, "www.example.com", 1, 0, 0, 100);
	assert_int_equal(g.n, 0); /* the CNAME only, and -rrtype A */
	pdns_store_close(s);
}

static void time_window_and_limit(void **state)
{
	struct pdns_store *s = filled();
	/* since: last seen at or after; until: first seen at or before */
	struct got g = ask(s, "*.com", NULL, 0, 3000, 0, 100);
	assert_int_equal(g.n, 3);
	g = ask(s, "*.com", NULL, 0, 0, 1000, 100);
	assert_int_equal(g.n, 2); /* example.com (100..200) and www A (500..2500) */
	g = ask(s, "*.com", NULL, 0, 2500, 3000, 100);
	assert_int_equal(g.n, 2); /* www A ends at 2500, www AAAA at 3000 */
	g = ask(s, "*.com", NULL, 0, 2501, 2999, 100);
	assert_int_equal(g.n, 0);
	/* most recently seen first, then cut */
	g = ask(s, "*.com", NULL, 0, 0, 0, 2);
	assert_string_equal(g.text, "badexample.com 1 192.0.2.1 5000 5000 1 -\n"
				    "a.b.example.com 5 www.example.com 4000 4100 1 -\n");
	struct pdns_query q = { .name = "x", .limit = 0 };
	assert_int_equal(pdns_store_query(s, &q, collect, &g, err, sizeof err), -1);
	pdns_store_close(s);
}

static void meta_and_read_only(void **state)
{
	struct pdns_store *s = filled();
	int64_t v = 0;
	assert_int_equal(pdns_store_meta_get(s, "kafka:t:0", &v, err, sizeof err), 1);
	assert_int_equal(pdns_store_begin(s, err, sizeof err), 0);
	assert_int_equal(pdns_store_meta_set(s, "kafka:t:0", 41, err, sizeof err), 0);
	assert_int_equal(pdns_store_meta_set(s, "kafka:t:0", 42, err, sizeof err), 0);
	assert_int_equal(pdns_store_commit(s, err, sizeof err), 0);
	assert_int_equal(pdns_store_meta_get(s, "kafka:t:0", &v, err, sizeof err), 0);
	assert_int_equal(v, 42);
	/* A reader sees it while the writer is open (WAL), and cannot write. */
	struct pdns_store *r = pdns_store_open(path, PDNS_STORE_READ, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(pdns_store_meta_get(r, "kafka:t:0", &v, err, sizeof err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(ask(r, "www.example.com", NULL, 0, 0, 0, 10).n, 2);
	assert_int_equal(pdns_store_begin(r, err, sizeof err), -1);
	struct pdns_fact f = { .rrname = "x", .rrtype = 1, .rdata = "1.2.3.4", .count = 1 };
	assert_int_equal(pdns_store_upsert(r, &f, err, sizeof err), -1);
	pdns_store_close(r);
	/* A transaction rolled back by closing leaves nothing. */
	assert_int_equal(pdns_store_begin(s, err, sizeof err), 0);
	put(s, "gone.example", 1, "192.0.2.9", 1, 1, 1, NULL);
	pdns_store_close(s);
	r = pdns_store_open(path, PDNS_STORE_READ, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(ask(r, "gone.example", NULL, 0, 0, 0, 10).n, 0);
	pdns_store_close(r);
}

static void refuses_what_is_not_a_store(void **state)
{
	char p[300];
	snprintf(p, sizeof p, "%s/missing.db", dir);
	assert_null(pdns_store_open(p, PDNS_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(access(p, F_OK), -1); /* reading never creates */
	snprintf(p, sizeof p, "%s/text.db", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("this is not a database, but it is long enough to have a header of a hundred bytes "
	      "or so, which SQLite reads first.\n", f);
	fclose(f);
	assert_null(pdns_store_open(p, PDNS_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, "not a pdnslog store"));
	assert_null(pdns_store_open(p, PDNS_STORE_WRITE, err, sizeof err));
	assert_non_null(strstr(err, "not a pdnslog store"));
	/* an SQLite file of something else */
	snprintf(p, sizeof p, "%s/other.db", dir);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'CREATE TABLE t(x)'", p);
	assert_int_equal(system(cmd), 0);
	assert_null(pdns_store_open(p, PDNS_STORE_WRITE, err, sizeof err));
	assert_non_null(strstr(err, "something else"));
	/* a new empty file is no store to read */
	snprintf(p, sizeof p, "%s/empty.db", dir);
	fclose(fopen(p, "w"));
	assert_null(pdns_store_open(p, PDNS_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, "not a pdnslog store"));
}

static void writer_batches_and_flushes(void **state)
{
	fresh();
	struct pdns_writer *w = pdns_writer_start(path, err, sizeof err);
	assert_non_null(w);
	enum { N = 25000 };
	static char names[N][32];
	static struct pdns_fact facts[N];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "h%d.example.net", i % 20000);
		facts[i] = (struct pdns_fact){ .rrname = names[i], .rrtype = 1, .rdata = "192.0.2.7",
					       .time_first = i, .time_last = i, .count = 1,
					       .bailiwick = i & 1 ? "example.net" : NULL };
	}
	for (int i = 0; i < N; i += 1000)
		pdns_writer_put(w, facts + i, 1000);
	pdns_writer_flush(w);
	struct pdns_writer_counts c;
	pdns_writer_counts(w, &c);
	assert_int_equal(c.facts, N);
	assert_int_equal(c.errors, 0);
	assert_true(c.commits >= 3); /* at most 10000 facts a transaction */
	/* committed: a reader sees it all while the writer still runs */
	struct pdns_store *r = pdns_store_open(path, PDNS_STORE_READ, err, sizeof err);
	assert_non_null(r);
	struct got g = ask(r, "h7.example.net", NULL, 0, 0, 0, 10);
	assert_string_equal(g.text, "h7.example.net 1 192.0.2.7 7 20007 2 example.net\n");
	g = ask(r, "h19999.example.net", NULL, 0, 0, 0, 10);
	assert_string_equal(g.text, "h19999.example.net 1 192.0.2.7 19999 19999 1 example.net\n");
	/* 20000 names under one suffix: answered from the time_last index,
	 * the same facts as a sort would give */
	g = ask(r, "*.example.net", NULL, 0, 0, 0, 3);
	assert_string_equal(g.text, "h4999.example.net 1 192.0.2.7 4999 24999 2 example.net\n"
				    "h4998.example.net 1 192.0.2.7 4998 24998 2 -\n"
				    "h4997.example.net 1 192.0.2.7 4997 24997 2 example.net\n");
	g = ask(r, "*.example.net", NULL, 0, 24998, 0, 10);
	assert_string_equal(g.text, "h4999.example.net 1 192.0.2.7 4999 24999 2 example.net\n"
				    "h4998.example.net 1 192.0.2.7 4998 24998 2 -\n");
	assert_int_equal(ask(r, "*.example.net", NULL, 28, 0, 0, 3).n, 0);
	assert_int_equal(ask(r, "*.net", NULL, 0, 0, 0, 100000).n, 20000);
	pdns_store_close(r);
	/* A fact the store refuses is counted, the others go in. */
	struct pdns_fact bad[2] = { { .rrname = "x.example", .rrtype = 1, .rdata = "1", .time_first = 5,
				      .time_last = 4, .count = 1 },
				    { .rrname = "y.example", .rrtype = 1, .rdata = "1", .count = 1 } };
	pdns_writer_put(w, bad, 2);
	pdns_writer_flush(w);
	pdns_writer_counts(w, &c);
	assert_int_equal(c.errors, 1);
	assert_int_equal(c.facts, N + 1);
	pdns_writer_stop(w);
	/* A store that cannot be opened says why. */
	assert_null(pdns_writer_start("/nonexistent-dir/x.db", err, sizeof err));
	assert_true(strlen(err) > 0);
}

static void cof_lines_round_trip(void **state)
{
	struct pdns_fact f = { .rrname = "we\"ird\\name.example", .rrtype = 65280, .rdata = "\\# 2 abcd",
			       .time_first = 1, .time_last = 1700000000, .count = 12345678901ULL,
			       .bailiwick = "example", .sensor_id = "s\x01" };
	struct strbuf sb;
	strbuf_init(&sb);
	cof_line_write(&sb, &f);
	strbuf_putc(&sb, 0);
	assert_string_equal(sb.p, "{\"rrname\":\"we\\\"ird\\\\name.example\",\"rrtype\":\"TYPE65280\","
				  "\"rdata\":\"\\\\# 2 abcd\",\"time_first\":1,\"time_last\":1700000000,"
				  "\"count\":12345678901,\"bailiwick\":\"example\",\"sensor_id\":\"s\\u0001\"}\n");
	struct pdns_fact g;
	char scratch[512];
	assert_int_equal(cof_line_parse(sb.p, sb.len - 1, &g, scratch, sizeof scratch, err, sizeof err), 0);
	assert_string_equal(g.rrname, f.rrname);
	assert_string_equal(g.rdata, f.rdata);
	assert_string_equal(g.bailiwick, f.bailiwick);
	assert_string_equal(g.sensor_id, f.sensor_id);
	assert_int_equal(g.rrtype, 65280);
	assert_int_equal(g.time_first, 1);
	assert_int_equal(g.time_last, 1700000000);
	assert_int_equal(g.count, 12345678901ULL);
	strbuf_free(&sb);
}

static int parse(const char *line, struct pdns_fact *f)
{
	static char scratch[4096];
	return cof_line_parse(line, strlen(line), f, scratch, strlen(line) + 4, err, sizeof err);
}

static void cof_parse_reads_other_producers(void **state)
{
	struct pdns_fact f;
	/* any order, white space, unknown keys of every shape, escapes */
	assert_int_equal(parse(" { \"count\" : 7 , \"zone_time_first\": 1.5e3, \"rdata\":\"a\\u00e9\\ud83d\\ude00\\/\","
			       "\"x\":{\"y\":[1,{\"z\":null},[],{}],\"w\":\"}\"},\"rrtype\":28,"
			       "\"time_last\":20,\"rrname\":\"n.example\",\"time_first\":10,"
			       "\"bailiwick\":null,\"raw\":[true,false,-0.5E-3]}\r\n", &f), 0);
	assert_string_equal(f.rdata, "a\xc3\xa9\xf0\x9f\x98\x80/");
	assert_int_equal(f.rrtype, 28);
	assert_int_equal(f.count, 7);
	assert_null(f.bailiwick);
	assert_null(f.sensor_id);
	/* rrtype as a mnemonic in any case, TYPEnnn, a number in a string; count optional */
	assert_int_equal(parse("{\"rrname\":\"a\",\"rrtype\":\"https\",\"rdata\":\"\",\"time_first\":0,\"time_last\":0}", &f), 0);
	assert_int_equal(f.rrtype, 65);
	assert_int_equal(f.count, 1);
	assert_int_equal(parse("{\"rrname\":\"a\",\"rrtype\":\"TYPE999\",\"rdata\":\"x\",\"time_first\":0,\"time_last\":0}", &f), 0);
	assert_int_equal(f.rrtype, 999);
	assert_int_equal(parse("{\"rrname\":\"a\",\"rrtype\":\"NSAP-PTR\",\"rdata\":\"x\",\"time_first\":0,\"time_last\":0}", &f), 0);
	assert_int_equal(f.rrtype, 23);
}

static void cof_parse_refuses_with_reasons(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "", "empty" },
		{ "[1]", "expected '{'" },
		{ "{\"rrname\":\"a\",\"rrtype\":\"A\",\"rdata\":\"x\",\"time_first\":1}", "\"time_last\" is missing" },
		{ "{\"rrname\":\"a\",\"rrtype\":\"A\",\"rdata\":[\"x\"],\"time_first\":1,\"time_last\":1}", "array" },
		{ "{\"rrname\":\"a\",\"rrname\":\"b\"}", "twice" },
		{ "{\"rrname\":\"a\",\"rrtype\":\"BOGUS\"}", "no type" },
		{ "{\"rrname\":\"a\",\"rrtype\":65536}", "too large" },
		{ "{\"time_first\":-1}", "negative" },
		{ "{\"time_first\":1.5}", "integer" },
		{ "{\"time_first\":1e3}", "integer" },
		{ "{\"time_first\":01}", "leading zero" },
		{ "{\"count\":99999999999999999999}", "too large" },
		{ "{\"time_first\":\"1\"}", "integer" },
		{ "{\"rrname\":\"a\\ud800\"}", "surrogate" },
		{ "{\"rrname\":\"a\\udc00\"}", "surrogate" },
		{ "{\"rrname\":\"a\\ud800\\u0041\"}", "surrogate" },
		{ "{\"rrname\":\"a\\u00\"}", "hex" },
		{ "{\"rrname\":\"a\\u0000\"}", "\\u0000" },
		{ "{\"rrname\":\"a\\q\"}", "unknown escape" },
		{ "{\"rrname\":\"a\tb\"}", "control" },
		{ "{\"rrname\":\"\xff\"}", "UTF-8" },
		{ "{\"rrname\":\"\xc0\xaf\"}", "UTF-8" },
		{ "{\"rrname\":\"\xed\xa0\x80\"}", "UTF-8" },
		{ "{\"rrname\":\"abc", "not closed" },
		{ "{\"rrname\":5}", "must be a string" },
		{ "{\"x\":[[[[", "ends" },
		{ "{\"x\":tru}", "unexpected value" },
		{ "{\"x\":-}", "malformed number" },
		{ "{\"x\":[1 2]}", "expected ','" },
		{ "{\"x\":1,}", "key" },
		{ "{\"rrname\":\"\",\"rrtype\":1,\"rdata\":\"x\",\"time_first\":1,\"time_last\":1}", "empty" },
		{ "{\"rrname\":\"a\",\"rrtype\":1,\"rdata\":\"x\",\"time_first\":2,\"time_last\":1}", "after" },
		{ "{\"rrname\":\"a\",\"rrtype\":1,\"rdata\":\"x\",\"time_first\":1,\"time_last\":1} x", "after the object" },
		{ "{\"rrname\":\"a\",\"rrtype\":1,\"rdata\":\"x\",\"time_first\":1,\"time_last\":1}{}", "after the object" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct pdns_fact f;
		err[0] = 0;
		if (parse(bad[i].line, &f) != -1 || !strstr(err, bad[i].why)) {
			fprintf(stderr, "line %zu: %s -> \"%s\" (wanted \"%s\")\n", i, bad[i].line, err, bad[i].why);
			fail();
		}
	}
	/* deep nesting is refused, not recursed into */
	char deep[300] = "{\"x\":";
	for (int i = 0; i < 100; i++)
		strcat(deep, "[");
	struct pdns_fact f;
	assert_int_equal(parse(deep, &f), -1);
	assert_non_null(strstr(err, "deeper"));
	/* a scratch too small is an error, not an overflow */
	char scratch[8];
	const char *line = "{\"rrname\":\"abcdefghijkl\",\"rrtype\":1,\"rdata\":\"x\",\"time_first\":1,\"time_last\":1}";
	assert_int_equal(cof_line_parse(line, strlen(line), &f, scratch, sizeof scratch, err, sizeof err), -1);
	/* the length is the bound, not a NUL */
	assert_int_equal(cof_line_parse(line, 20, &f, scratch, sizeof scratch, err, sizeof err), -1);
}

static void type_and_time_syntax(void **state)
{
	uint16_t t;
	assert_int_equal(dns_type_parse("aaaa", 4, &t), 0);
	assert_int_equal(t, 28);
	assert_int_equal(dns_type_parse("Type65534", 9, &t), 0);
	assert_int_equal(t, 65534);
	assert_int_equal(dns_type_parse("257", 3, &t), 0);
	assert_int_equal(t, 257);
	assert_int_equal(dns_type_parse("TYPE65536", 9, &t), -1);
	assert_int_equal(dns_type_parse("AAAAX", 5, &t), -1);
	assert_int_equal(dns_type_parse("AAAAX", 4, &t), 0); /* n bytes, not to a NUL */
	int64_t v;
	assert_int_equal(pdns_parse_time("1700000000", 0, &v), 0);
	assert_int_equal(v, 1700000000);
	assert_int_equal(pdns_parse_time("2026-12-01T00:00:00Z", 0, &v), 0);
	assert_int_equal(v, 1796083200);
	assert_int_equal(pdns_parse_time("2026-12-01", 0, &v), 0);
	assert_int_equal(v, 1796083200);
	assert_int_equal(pdns_parse_time("2026-12-01T02:30:00.25+02:30", 0, &v), 0);
	assert_int_equal(v, 1796083200);
	assert_int_equal(pdns_parse_time("1970-01-01T00:00:01Z", 0, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(pdns_parse_time("24h", 100000, &v), 0);
	assert_int_equal(v, 100000 - 86400);
	assert_int_equal(pdns_parse_time("7d", 1000000, &v), 0);
	assert_int_equal(v, 1000000 - 7 * 86400);
	assert_int_equal(pdns_parse_time("1h30m", 10000, &v), 0);
	assert_int_equal(v, 10000 - 5400);
	const char *bad[] = { "", "yesterday", "2026-13-01", "2026-12-01T25:00:00Z", "2026-12-01T00:00Z",
			      "-24h", "12x", "2026-12-01T00:00:00Q", "99999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (pdns_parse_time(bad[i], 0, &v) != -1) {
			fprintf(stderr, "time \"%s\" accepted\n", bad[i]);
			fail();
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(upsert_keeps_min_max_sum),
		cmocka_unit_test(suffix_is_below_the_name_only),
		cmocka_unit_test(rdata_matches_addresses_and_names),
		cmocka_unit_test(time_window_and_limit),
		cmocka_unit_test(meta_and_read_only),
		cmocka_unit_test(refuses_what_is_not_a_store),
		cmocka_unit_test(writer_batches_and_flushes),
		cmocka_unit_test(cof_lines_round_trip),
		cmocka_unit_test(cof_parse_reads_other_producers),
		cmocka_unit_test(cof_parse_refuses_with_reasons),
		cmocka_unit_test(type_and_time_syntax),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
