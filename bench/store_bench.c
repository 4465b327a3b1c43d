/* store_bench: how fast the -pdns_db store takes facts and answers queries.
 *
 * usage: store_bench FILE [FACTS]   (default 10000000; FILE is replaced)
 *
 * Fills FILE through pdns/store.c with FACTS generated facts of a day of
 * resolver traffic (deterministic: the same FACTS give the same store):
 * names under 500,000 domains of a few TLDs, A 55%, AAAA 25%, CNAME 12%,
 * MX 5%, TXT 3%, in the order a sensor hands them over (time_last rising
 * through the day), in transactions of 200000 (a quick fill).  Then, in
 * transactions of 10000 as the writer thread commits them, 2% more new facts
 * and as many upserts into facts already there: the rates at that size.
 * Then the latency of exact, suffix and rdata queries (limit 100, as
 * `pdnslog query` asks) over 2000 questions each, and of *.com.
 * Built by `make bench-store`; not part of make check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pdns/store.h"

#define FILL_BATCH 200000  /* facts per transaction while the day is filled in */
#define WRITER_BATCH 10000 /* as src/pdns/writer.c */
#define DOMAINS 500000
#define DAY0 1796083200 /* 2026-12-01T00:00:00Z */

static const char *const tlds[] = { "com", "com", "com", "net", "org", "de", "io", "info", "co.uk", "fr" };
static const char *const hosts[] = { "www", "mail", "api", "cdn", "m", "static", "img", "login", "app", "ns1" };

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t total; /* facts in the day */

/* Fact i of the day, from its own seed: the same i gives the same fact.
 * Facts come as a sensor hands them over: time_last rises through the day
 * with i, time_first somewhere before it. */
static void make_fact(uint64_t i, struct pdns_fact *f, char *name, char *rdata)
{
	rng_state = i * 0x9E3779B97F4A7C15ULL + 1;
	rnd();
	unsigned d = (unsigned)(rnd() % DOMAINS);
	const char *tld = tlds[d % 10];
	unsigned h = (unsigned)(rnd() % 30);
	if (h < 10)
		sprintf(name, "%s.d%u.%s", hosts[h], d, tld);
	else
		sprintf(name, "h%u-%u.d%u.%s", h, (unsigned)(rnd() % 50), d, tld);
	unsigned t = (unsigned)(rnd() % 100);
	uint64_t r = rnd();
	if (t < 55) {
		f->rrtype = 1;
		sprintf(rdata, "%u.%u.%u.%u", (unsigned)(r >> 8 & 255) | 1, (unsigned)(r >> 16 & 255),
			(unsigned)(r >> 24 & 255), (unsigned)(r >> 32 & 255));
	} else if (t < 80) {
		f->rrtype = 28;
		sprintf(rdata, "2001:db8:%x:%x::%x", (unsigned)(r & 0xffff), (unsigned)(r >> 16 & 0xffff),
			(unsigned)(r >> 32 & 0xffff));
	} else if (t < 92) {
		f->rrtype = 5;
		sprintf(rdata, "e%u.cdn%u.example.net", (unsigned)(r % 100000), (unsigned)(r >> 20) % 50);
	} else if (t < 97) {
		f->rrtype = 15;
		sprintf(rdata, "10 mx%u.d%u.%s", (unsigned)(r % 3), d, tld);
	} else {
		f->rrtype = 16;
		sprintf(rdata, "\"v=spf1 include:_spf.d%u.%s ~all\"", (unsigned)(r % DOMAINS), tld);
	}
	int64_t last = DAY0 + (int64_t)(i * 86400 / total);
	f->rrname = name;
	f->rdata = rdata;
	f->bailiwick = NULL;
	f->time_last = last;
	f->time_first = last - (int64_t)(rnd() % (uint64_t)(last - DAY0 + 1));
	f->count = 1 + rnd() % 50;
}

static int count_fn(void *ctx, const struct pdns_fact *f)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* n questions of one kind; prints median, p99, max and the rows given. */
static void bench_queries(struct pdns_store *s, const char *kind, uint64_t facts, int n)
{
	static double lat[100000];
	char err[512], name[300], rdata[300], q[320];
	uint64_t rows = 0, hits = 0;
	for (int k = 0; k < n; k++) {
		struct pdns_fact f;
		make_fact((uint64_t)(k * 7919ULL) % facts, &f, name, rdata);
		struct pdns_query pq = { .limit = 100 };
		if (strcmp(kind, "exact") == 0) {
			pq.name = name;
		} else if (strcmp(kind, "suffix") == 0) {
			snprintf(q, sizeof q, "*.%s", strchr(name, '.') + 1); /* the domain's names */
			pq.name = q;
		} else if (strcmp(kind, "suffix-tld") == 0) {
			pq.name = "*.com"; /* millions under it: the 100 latest */
		} else {
			const char *v = f.rrtype == 15 ? strchr(rdata, ' ') + 1 : rdata;
			pq.rdata = v;
		}
		uint64_t got = 0;
		double t0 = now_s();
		if (pdns_store_query(s, &pq, count_fn, &got, err, sizeof err) < 0) {
			fprintf(stderr, "store_bench: %s\n", err);
			exit(1);
		}
		lat[k] = now_s() - t0;
		rows += got;
		hits += got > 0;
	}
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	printf("query %-10s %5d questions: median %7.3f ms, p99 %7.3f ms, max %7.3f ms; %.1f facts each, %llu found\n",
	       kind, n, lat[n / 2] * 1e3, lat[n * 99 / 100] * 1e3, lat[n - 1] * 1e3, (double)rows / n,
	       (unsigned long long)hits);
}

/* Upsert facts [from, to) (fact (i * step) % mod each), batch to a
 * transaction; the seconds it took.  Exits on an error. */
static double fill(struct pdns_store *s, uint64_t from, uint64_t to, uint64_t batch, uint64_t step,
		   uint64_t mod)
{
	char err[512], name[300], rdata[300];
	double t0 = now_s(), tp = t0;
	for (uint64_t i = from; i < to; i++) {
		if ((i - from) % batch == 0 && pdns_store_begin(s, err, sizeof err) < 0)
			goto fail;
		struct pdns_fact f;
		make_fact((i * step) % mod, &f, name, rdata);
		if (pdns_store_upsert(s, &f, err, sizeof err) < 0)
			goto fail;
		if (((i - from + 1) % batch == 0 || i + 1 == to) && pdns_store_commit(s, err, sizeof err) < 0)
			goto fail;
		if ((i - from + 1) % 1000000 == 0) {
			double t = now_s();
			fprintf(stderr, "  %llu facts, the last million at %.0f facts/s\n",
				(unsigned long long)(i - from + 1), 1e6 / (t - tp));
			tp = t;
		}
	}
	return now_s() - t0;
fail:
	fprintf(stderr, "store_bench: %s\n", err);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: store_bench FILE [FACTS]\n");
		return 2;
	}
	const char *path = argv[1];
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
	total = n ? n : 1;
	char err[512], aux[320];
	snprintf(aux, sizeof aux, "%s-wal", path);
	unlink(path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	unlink(aux);

	struct pdns_store *s = pdns_store_open(path, PDNS_STORE_WRITE, err, sizeof err);
	if (!s) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	/* The day, in big transactions (the fill, not what is measured
	 * below), then more facts and updates as the writer thread commits
	 * them: WRITER_BATCH a transaction. */
	double t = fill(s, 0, n, FILL_BATCH, 1, n);
	printf("fill     %llu new facts in %.1f s: %.0f facts/s (transactions of %d)\n", (unsigned long long)n,
	       t, n / t, FILL_BATCH);
	uint64_t m = n / 50 > 1000 ? n / 50 : 1000;
	t = fill(s, n, n + m, WRITER_BATCH, 1, n + m);
	printf("insert   %llu new facts into the %llu in %.1f s: %.0f facts/s (transactions of %d, as the writer)\n",
	       (unsigned long long)m, (unsigned long long)n, t, m / t, WRITER_BATCH);
	t = fill(s, 0, m, WRITER_BATCH, 7, n);
	printf("update   %llu facts already stored in %.1f s: %.0f facts/s (transactions of %d, as the writer)\n",
	       (unsigned long long)m, t, m / t, WRITER_BATCH);
	pdns_store_close(s);

	s = pdns_store_open(path, PDNS_STORE_READ, err, sizeof err);
	if (!s) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	bench_queries(s, "exact", n, 2000);
	bench_queries(s, "suffix", n, 2000);
	bench_queries(s, "rdata", n, 2000);
	bench_queries(s, "suffix-tld", n, 20);
	pdns_store_close(s);
	return 0;
}
