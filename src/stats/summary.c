/* summary: the human end of an interactive run (see summary.h). */
#include "stats/summary.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* What each counter means: the X-list's doc strings. */
struct counter_doc {
	const char *name, *doc;
};
#define STATS_DOC(name, doc) { #name, doc },
static const struct counter_doc docs[] = { STATS_COUNTERS(STATS_DOC) };
#undef STATS_DOC

/* The counters of something dropped, lost, cut short or malformed: the
 * summary names each that is not zero.  offsetof() keeps the list honest
 * when a counter is renamed; tests/unit/test_progress.c checks that every
 * counter whose doc string speaks of a drop, a loss or a failure is here. */
struct problem {
	size_t offset;
	const char *name;
};
#define P(name) { offsetof(struct stats, name), #name }
static const struct problem problems[] = {
	P(pcap_dropped), P(pcap_if_dropped), P(queue_drops),
	P(link_short), P(ip_bad), P(ip_truncated),
	P(encap_too_deep), P(encap_short), P(encap_unknown),
	P(frag_overlaps), P(frag_timeouts), P(frag_evicted), P(frag_bad),
	P(udp_bad), P(udp_long),
	P(tcp_gaps), P(tcp_gap_bytes), P(tcp_bad_length), P(tcp_limit_drops), P(tcp_evicted),
	P(tcp_incomplete),
	P(dns_malformed), P(dns_truncated_capture), P(dns_trailing), P(dns_too_short),
	P(rdata_malformed),
	P(pair_duplicate_queries), P(pair_evicted), P(pair_held_full), P(cof_too_big), P(pdns_clients_too_big),
	P(record_overflow), P(output_errors), P(stdout_lost), P(logfile_lost),
	P(syslog_dropped), P(syslog_errors), P(statsd_errors),
	P(kafka_failed), P(kafka_dropped), P(kafka_undelivered), P(kafka_stats_lost),
	P(kafka_avro_errors),
	P(fluentd_dropped), P(fluentd_undelivered), P(fluentd_errors),
	P(pdns_consume_bad), P(pdns_db_errors),
};
#undef P

static const char *doc_of(const char *name)
{
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		if (strcmp(docs[i].name, name) == 0)
			return docs[i].doc;
	return "";
}

/* 1234567 as 1,234,567. */
static void put_grouped(struct strbuf *sb, uint64_t v)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			strbuf_putc(sb, ',');
		strbuf_putc(sb, digits[i]);
	}
}

static void put_bytes(struct strbuf *sb, uint64_t v)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB", "PB" };
	if (v < 1000) {
		strbuf_printf(sb, "%llu bytes", (unsigned long long)v);
		return;
	}
	double d = (double)v;
	size_t u = 0;
	for (d /= 1000; d >= 999.5 && u + 1 < sizeof units / sizeof units[0]; u++)
		d /= 1000;
	strbuf_printf(sb, d < 9.995 ? "%.2f %s" : d < 99.95 ? "%.1f %s" : "%.0f %s", d, units[u]);
}

static void put_elapsed(struct strbuf *sb, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	int64_t s = ns / 1000000000;
	if (s < 60)
		strbuf_printf(sb, "%.1f s", (double)ns / 1e9);
	else if (s < 3600)
		strbuf_printf(sb, "%d:%02d", (int)(s / 60), (int)(s % 60));
	else
		strbuf_printf(sb, "%lld:%02d:%02d", (long long)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

void stats_summary(struct strbuf *sb, const struct stats *s, int64_t elapsed_ns,
		   const char *stats_file)
{
	strbuf_puts(sb, "pdnslog: ");
	put_grouped(sb, s->packets);
	strbuf_puts(sb, s->packets == 1 ? " packet (" : " packets (");
	put_bytes(sb, s->bytes);
	strbuf_puts(sb, ") in ");
	put_elapsed(sb, elapsed_ns);
	if (s->packets_filtered) {
		strbuf_puts(sb, ", ");
		put_grouped(sb, s->packets_filtered);
		strbuf_puts(sb, " of them left out by the filter");
	}
	strbuf_puts(sb, "\n  ");
	put_grouped(sb, s->dns_messages);
	strbuf_puts(sb, " DNS messages: ");
	put_grouped(sb, s->dns_queries);
	strbuf_puts(sb, " queries, ");
	put_grouped(sb, s->dns_responses);
	strbuf_puts(sb, " responses\n  ");
	put_grouped(sb, s->pair_answered + s->pair_unanswered + s->pair_response_only);
	strbuf_puts(sb, " exchanges: ");
	put_grouped(sb, s->pair_answered);
	strbuf_puts(sb, " answered, ");
	put_grouped(sb, s->pair_unanswered);
	strbuf_puts(sb, " unanswered, ");
	put_grouped(sb, s->pair_response_only);
	strbuf_puts(sb, " response only\n  ");
	put_grouped(sb, s->records_written);
	strbuf_puts(sb, " records written");
	if (s->records_built != s->records_written) {
		strbuf_puts(sb, " (of ");
		put_grouped(sb, s->records_built);
		strbuf_puts(sb, " built)");
	}
	strbuf_putc(sb, '\n');

	bool any = false;
	for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++) {
		uint64_t v;
		memcpy(&v, (const char *)s + problems[i].offset, sizeof v);
		if (!v)
			continue;
		if (!any)
			strbuf_puts(sb, "  dropped, lost or malformed:\n");
		any = true;
		strbuf_puts(sb, "    ");
		put_grouped(sb, v);
		strbuf_printf(sb, " %s: %s\n", problems[i].name, doc_of(problems[i].name));
	}
	if (!any)
		strbuf_puts(sb, "  nothing dropped, lost or malformed\n");
	if (stats_file)
		strbuf_printf(sb, "  full counters: %s (JSON stats record)\n", stats_file);
	else
		strbuf_puts(sb, "  full counters: pdnslog -stats_file FILE (a JSON stats record)\n");
}
