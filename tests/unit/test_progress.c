/* Unit tests: the progress line (numbers, times, width, throttling on an
 * injected clock, drawing and erasing) and the end-of-run summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stats/progress.h"
#include "stats/stats.h"
#include "stats/summary.h"

#define MS 1000000LL
#define S 1000000000LL

static void counts_in_three_digits(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0, "0" }, { 7, "7" }, { 999, "999" }, { 999.4, "999" }, { 999.6, "1.00k" },
		{ 1234, "1.23k" }, { 9994, "9.99k" }, { 9996, "10.0k" }, { 12345, "12.3k" },
		{ 99949, "99.9k" }, { 99950, "100k" }, { 812345, "812k" }, { 999499, "999k" },
		{ 999500, "1.00M" }, { 1234567, "1.23M" }, { 42e9, "42.0G" }, { 1.5e12, "1.50T" },
		{ -5, "0" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = progress_count(buf, sizeof buf, cases[i].v);
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
	/* A short buffer: cut, terminated, the length what fitted. */
	assert_int_equal(progress_count(buf, 3, 1234567), 2);
	assert_string_equal(buf, "1.");
}

static void durations(void **state)
{
	static const struct {
		int64_t ns;
		const char *want;
	} cases[] = {
		{ 0, "0:00" }, { 999 * MS, "0:00" }, { 5 * S, "0:05" }, { 65 * S, "1:05" },
		{ 754 * S, "12:34" }, { 3599 * S, "59:59" }, { 3600 * S, "1:00:00" },
		{ 3723 * S, "1:02:03" }, { 100 * 3600 * S + 61 * S, "100:01:01" }, { -5 * S, "0:00" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		progress_duration(buf, sizeof buf, cases[i].ns);
		assert_string_equal(buf, cases[i].want);
	}
}

static void line_shows_percent_rate_records_times(void **state)
{
	char buf[256];
	/* 42.19% of the bytes in 12 s: 0:16.4 left; 9.744M packets in 12 s: 812k/s. */
	struct progress_numbers n = { .done = 4219, .total = 10000, .packets = 9744000,
				      .records = 1234567, .label = "/data/big.pcap" };
	progress_line(buf, sizeof buf, &n, 12 * S, 200);
	assert_string_equal(buf, "pdnslog  42.1%  812k pkt/s  1.23M records  0:12 elapsed  0:16 left  big.pcap");

	/* All read: 100.0%, nothing left.  Rounded down before: 99.9%. */
	n = (struct progress_numbers){ .done = 10000, .total = 10000, .packets = 10, .records = 3 };
	progress_line(buf, sizeof buf, &n, 2 * S, 200);
	assert_string_equal(buf, "pdnslog 100.0%  5 pkt/s  3 records  0:02 elapsed  0:00 left");
	n.done = 9999;
	progress_line(buf, sizeof buf, &n, 2 * S, 200);
	assert_non_null(strstr(buf, " 99.9% "));

	/* No estimate in the first second, nor before a byte is read;
	 * no rate at time 0; an unknown size is '?'. */
	n = (struct progress_numbers){ .done = 500, .total = 1000, .packets = 50 };
	progress_line(buf, sizeof buf, &n, 900 * MS, 200);
	assert_non_null(strstr(buf, "--:-- left"));
	n.done = 0;
	progress_line(buf, sizeof buf, &n, 5 * S, 200);
	assert_non_null(strstr(buf, "  0.0%"));
	assert_non_null(strstr(buf, "--:-- left"));
	progress_line(buf, sizeof buf, &n, 0, 200);
	assert_non_null(strstr(buf, " 0 pkt/s"));
	n.total = 0;
	progress_line(buf, sizeof buf, &n, 5 * S, 200);
	assert_true(strncmp(buf, "pdnslog      ?  ", 16) == 0);

	/* More read than the size said (a file still growing): 100%. */
	n = (struct progress_numbers){ .done = 2000, .total = 1000 };
	progress_line(buf, sizeof buf, &n, 5 * S, 200);
	assert_non_null(strstr(buf, "100.0%"));
}

static void line_fits_the_terminal(void **state)
{
	char buf[256];
	struct progress_numbers n = { .done = 1, .total = 2, .packets = 1, .records = 1,
				      .label = "a-very-long-capture-file-name-that-goes-on-and-on.pcap" };
	/* Under the width: the last column would wrap the line. */
	size_t k = progress_line(buf, sizeof buf, &n, 3 * S, 80);
	assert_int_equal(k, 79);
	assert_int_equal(strlen(buf), 79);
	k = progress_line(buf, sizeof buf, &n, 3 * S, 40);
	assert_int_equal(k, 39);
	assert_true(strncmp(buf, "pdnslog  50.0%", 14) == 0);
	/* 0: the default width. */
	k = progress_line(buf, sizeof buf, &n, 3 * S, 0);
	assert_int_equal(k, PROGRESS_WIDTH - 1);
	/* A small buffer. */
	k = progress_line(buf, 10, &n, 3 * S, 80);
	assert_int_equal(k, 9);
	assert_string_equal(buf, "pdnslog  ");
	/* Control bytes in a file name never reach the terminal. */
	n.label = "dir/evil\033[2J\n\x80name";
	progress_line(buf, sizeof buf, &n, 3 * S, 200);
	assert_non_null(strstr(buf, "  evil?[2J??name"));
	for (const char *c = buf; *c; c++)
		assert_true(*c >= 0x20 && *c < 0x7f);
}

static void draws_at_most_four_times_a_second(void **state)
{
	struct progress p;
	struct progress_numbers n = { .done = 1, .total = 4, .packets = 100, .records = 10 };
	char buf[512];
	int64_t t0 = 1000 * S;
	progress_init(&p, t0, 100, false);
	/* Nothing in the first quarter second: a short run draws nothing. */
	assert_int_equal(progress_draw(&p, buf, sizeof buf, t0, &n), 0);
	assert_int_equal(progress_draw(&p, buf, sizeof buf, t0 + 249 * MS, &n), 0);
	assert_int_equal(progress_erase(&p, buf, sizeof buf), 0);
	/* Then one line per 250 ms at most, whatever the calls. */
	int drawn = 0;
	for (int64_t t = t0 + 250 * MS; t < t0 + 250 * MS + 10 * S; t += 10 * MS)
		if (progress_draw(&p, buf, sizeof buf, t, &n))
			drawn++;
	assert_int_equal(drawn, 40);
	/* A late call draws at once. */
	int64_t t = p.last_ns + 3 * S;
	assert_true(progress_draw(&p, buf, sizeof buf, t, &n) > 0);
	assert_int_equal(progress_draw(&p, buf, sizeof buf, t + 100 * MS, &n), 0);
}

static void draw_and_erase_sequences(void **state)
{
	struct progress p;
	struct progress_numbers n = { .done = 1, .total = 4, .packets = 100, .records = 10 };
	char buf[512], line[256];
	progress_init(&p, 0, 100, false);
	size_t k = progress_draw(&p, buf, sizeof buf, 2 * S, &n);
	size_t l = progress_line(line, sizeof line, &n, 2 * S, 100);
	/* "\r" LINE "\033[K": back to the start, the line, clear the rest. */
	assert_int_equal(k, 1 + l + 3);
	assert_int_equal(buf[0], '\r');
	assert_memory_equal(buf + 1, line, l);
	assert_memory_equal(buf + 1 + l, "\033[K", 3);
	assert_null(memchr(buf, '\n', k));
	k = progress_erase(&p, buf, sizeof buf);
	assert_int_equal(k, 4);
	assert_string_equal(buf, "\r\033[K");
	assert_int_equal(progress_erase(&p, buf, sizeof buf), 0); /* once */

	/* Plain (TERM=dumb): no escape; a shorter line covers the longer one
	 * with spaces; erasing writes spaces over it and returns. */
	progress_init(&p, 0, 100, true);
	n.label = "a-long-label.pcap";
	k = progress_draw(&p, buf, sizeof buf, 2 * S, &n);
	size_t first = k - 1;
	assert_null(memchr(buf, '\033', k));
	n.label = NULL;
	k = progress_draw(&p, buf, sizeof buf, 3 * S, &n);
	assert_int_equal(k, 1 + first);
	assert_null(memchr(buf, '\033', k));
	assert_int_equal(buf[k - 1], ' ');
	size_t shown = strlen(progress_line(line, sizeof line, &n, 3 * S, 100) ? line : "");
	k = progress_erase(&p, buf, sizeof buf);
	assert_int_equal(k, shown + 2);
	assert_int_equal(buf[0], '\r');
	assert_int_equal(buf[k - 1], '\r');
	for (size_t i = 1; i + 1 < k; i++)
		assert_int_equal(buf[i], ' ');
	/* A buffer too small: nothing, and the state is kept. */
	k = progress_draw(&p, buf, 8, 4 * S, &n);
	assert_int_equal(k, 0);
}

static struct stats sample(void)
{
	struct stats s = { 0 };
	s.packets = 2000000;
	s.bytes = 1234567890;
	s.dns_messages = 1900000;
	s.dns_queries = 950000;
	s.dns_responses = 950000;
	s.pair_answered = 940000;
	s.pair_unanswered = 8000;
	s.pair_response_only = 2000;
	s.records_built = 1100000;
	s.records_written = 1100000;
	return s;
}

static void summary_of_a_clean_run(void **state)
{
	struct stats s = sample();
	struct strbuf sb;
	strbuf_init(&sb);
	stats_summary(&sb, &s, 12300 * MS, NULL);
	strbuf_putc(&sb, '\0');
	assert_string_equal(sb.p,
			    "pdnslog: 2,000,000 packets (1.23 GB) in 12.3 s\n"
			    "  1,900,000 DNS messages: 950,000 queries, 950,000 responses\n"
			    "  950,000 exchanges: 940,000 answered, 8,000 unanswered, 2,000 response only\n"
			    "  1,100,000 records written\n"
			    "  nothing dropped, lost or malformed\n"
			    "  full counters: pdnslog -stats_file FILE (a JSON stats record)\n");
	assert_null(strchr(sb.p, '{'));
	strbuf_reset(&sb);
	stats_summary(&sb, &s, 3723 * S, "/var/log/pdnslog/stats.json");
	strbuf_putc(&sb, '\0');
	assert_non_null(strstr(sb.p, " in 1:02:03\n"));
	assert_non_null(strstr(sb.p, "  full counters: /var/log/pdnslog/stats.json (JSON stats record)\n"));
	/* Records built that reached no output (-quiet alone, a closed pipe). */
	strbuf_reset(&sb);
	s.records_written = 0;
	stats_summary(&sb, &s, S, NULL);
	strbuf_putc(&sb, '\0');
	assert_non_null(strstr(sb.p, "\n  0 records written (of 1,100,000 built)\n"));
	strbuf_reset(&sb);
	s = (struct stats){ .packets = 1, .bytes = 90 };
	stats_summary(&sb, &s, 0, NULL);
	strbuf_putc(&sb, '\0');
	assert_true(strncmp(sb.p, "pdnslog: 1 packet (90 bytes) in 0.0 s\n", 38) == 0);
	strbuf_reset(&sb);
	s.packets_filtered = 1234;
	stats_summary(&sb, &s, 0, NULL);
	strbuf_putc(&sb, '\0');
	assert_true(strncmp(sb.p, "pdnslog: 1 packet (90 bytes) in 0.0 s, 1,234 of them left out by the filter\n", 76) == 0);
	strbuf_free(&sb);
}

static void summary_names_each_drop(void **state)
{
	struct stats s = sample();
	s.dns_malformed = 12;
	s.tcp_gaps = 3;
	s.queue_drops = 1234;
	struct strbuf sb;
	strbuf_init(&sb);
	stats_summary(&sb, &s, S, NULL);
	strbuf_putc(&sb, '\0');
	assert_non_null(strstr(sb.p, "  dropped, lost or malformed:\n"
				     "    1,234 queue_drops: packets dropped because their worker's queue was full (live capture)\n"));
	assert_non_null(strstr(sb.p, "    3 tcp_gaps: holes in TCP streams given up on (data missing from the capture)\n"));
	assert_non_null(strstr(sb.p, "    12 dns_malformed: DNS messages that are malformed (logged as far as parsed)\n"));
	assert_null(strstr(sb.p, "nothing dropped"));
	/* Only the non-zero ones. */
	assert_null(strstr(sb.p, "pcap_dropped"));
	assert_null(strstr(sb.p, "kafka"));
	strbuf_free(&sb);
}

/* Every counter whose doc string speaks of a drop, a loss, a failure or
 * something malformed is named in the summary when it is not zero: a new
 * such counter in stats.h must be added to summary.c's list. */
#define DOC(name, doc) { #name, doc, offsetof(struct stats, name) },
static const struct {
	const char *name, *doc;
	size_t offset;
} counters[] = { STATS_COUNTERS(DOC) };
#undef DOC

/* Counters whose doc string matches but that count no loss. */
static const char *const not_losses[] = {
	"gtpu_no_data", /* "error indication" is a GTP-U message type */
	"packets_filtered", /* what the filter is for; the first line says it */
	"cof_evicted", /* each evicted fact is written out first: nothing is lost */
	"pdns_clients_evicted", /* the same for client rows */
	"pdns_api_errors", /* HTTP clients' bad requests, answered 4xx/5xx: no record lost */
};

static bool is_not_loss(const char *name)
{
	for (size_t i = 0; i < sizeof not_losses / sizeof not_losses[0]; i++)
		if (strcmp(name, not_losses[i]) == 0)
			return true;
	return false;
}

static void summary_covers_every_drop_counter(void **state)
{
	regex_t re;
	assert_int_equal(regcomp(&re, "drop|lost|loss|malformed|fail|could not|discard|gave up|given up|"
				      "cut short|too short|too large|error|evicted|full",
				 REG_EXTENDED | REG_ICASE | REG_NOSUB), 0);
	struct strbuf sb;
	strbuf_init(&sb);
	int checked = 0;
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		if (regexec(&re, counters[i].doc, 0, NULL, 0) != 0 || is_not_loss(counters[i].name))
			continue;
		struct stats s = { 0 };
		uint64_t one = 7;
		memcpy((char *)&s + counters[i].offset, &one, sizeof one);
		strbuf_reset(&sb);
		stats_summary(&sb, &s, S, NULL);
		strbuf_putc(&sb, '\0');
		char want[128];
		snprintf(want, sizeof want, "    7 %s: ", counters[i].name);
		if (!strstr(sb.p, want))
			fail_msg("counter %s (\"%s\") is not in the summary's list (src/stats/summary.c)",
				 counters[i].name, counters[i].doc);
		checked++;
	}
	assert_true(checked >= 30);
	regfree(&re);
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_in_three_digits),
		cmocka_unit_test(durations),
		cmocka_unit_test(line_shows_percent_rate_records_times),
		cmocka_unit_test(line_fits_the_terminal),
		cmocka_unit_test(draws_at_most_four_times_a_second),
		cmocka_unit_test(draw_and_erase_sequences),
		cmocka_unit_test(summary_of_a_clean_run),
		cmocka_unit_test(summary_names_each_drop),
		cmocka_unit_test(summary_covers_every_drop_counter),
	};
	return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
