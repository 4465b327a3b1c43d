/* Unit tests: Go-style flags and durations, and the JSON writer's escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/flags.h"
#include "format/jsonw.h"

#define S 1000000000LL

static void durations(void **state)
{
	int64_t ns;
	assert_int_equal(parse_duration("1m", &ns), 0); assert_true(ns == 60 * S);
	assert_int_equal(parse_duration("-1m", &ns), 0); assert_true(ns == -60 * S);
	assert_int_equal(parse_duration("1h30m", &ns), 0); assert_true(ns == 5400 * S);
	assert_int_equal(parse_duration("1.5s", &ns), 0); assert_true(ns == 1500000000LL);
	assert_int_equal(parse_duration("300ms", &ns), 0); assert_true(ns == 300000000LL);
	assert_int_equal(parse_duration("10us", &ns), 0); assert_true(ns == 10000);
	assert_int_equal(parse_duration("0", &ns), 0); assert_true(ns == 0);
	assert_int_equal(parse_duration("+2s", &ns), 0); assert_true(ns == 2 * S);
	assert_int_equal(parse_duration("5", &ns), -1);   /* Go requires a unit */
	assert_int_equal(parse_duration("", &ns), -1);
	assert_int_equal(parse_duration("1x", &ns), -1);
	assert_int_equal(parse_duration("m", &ns), -1);
	assert_int_equal(parse_duration("1m-1s", &ns), -1);
}

static void flag_syntax(void **state)
{
	const char *pcap = NULL, *bpf = "port 53";
	bool quiet = false, promisc = true;
	long long n = 0;
	int64_t age = 0;
	struct flag t[] = {
		{ "pcap", FLAG_STRING, &pcap, "", "" },
		{ "bpf", FLAG_STRING, &bpf, "", "" },
		{ "quiet", FLAG_BOOL, &quiet, "", "" },
		{ "promisc", FLAG_BOOL, &promisc, "", "" },
		{ "numprocs", FLAG_INT, &n, "", "" },
		{ "gc_age", FLAG_DURATION, &age, "", "" },
		{ 0 },
	};
	char err[256];
	char *argv[] = { "pdnslog", "-pcap", "x.pcap", "--bpf=udp port 53", "-quiet",
			 "-promisc=false", "--numprocs", "4", "-gc_age=-30s", NULL };
	assert_int_equal(flags_parse(t, 9, argv, err, sizeof err), 0);
	assert_string_equal(pcap, "x.pcap");
	assert_string_equal(bpf, "udp port 53");
	assert_true(quiet);
	assert_false(promisc);
	assert_int_equal(n, 4);
	assert_true(age == -30 * S);

	char *bad1[] = { "pdnslog", "-nosuch", NULL };
	assert_int_equal(flags_parse(t, 2, bad1, err, sizeof err), -1);
	assert_string_equal(err, "flag provided but not defined: -nosuch");
	char *bad2[] = { "pdnslog", "-pcap", NULL };
	assert_int_equal(flags_parse(t, 2, bad2, err, sizeof err), -1);
	assert_string_equal(err, "flag needs an argument: -pcap");
	char *bad3[] = { "pdnslog", "-numprocs", "four", NULL };
	assert_int_equal(flags_parse(t, 3, bad3, err, sizeof err), -1);
	char *bad4[] = { "pdnslog", "-quiet=maybe", NULL };
	assert_int_equal(flags_parse(t, 2, bad4, err, sizeof err), -1);
	char *bad5[] = { "pdnslog", "stray", NULL };
	assert_int_equal(flags_parse(t, 2, bad5, err, sizeof err), -1);
}

static const char *escaped(const char *s, size_t n)
{
	static struct strbuf sb;
	strbuf_reset(&sb);
	json_escape(&sb, s, n);
	strbuf_putc(&sb, 0);
	return sb.p;
}

static void json_escapes(void **state)
{
	assert_string_equal(escaped("plain", 5), "plain");
	assert_string_equal(escaped("a\"b\\c", 5), "a\\\"b\\\\c");
	assert_string_equal(escaped("\n\t\x01", 3), "\\n\\t\\u0001");
	/* Valid UTF-8 passes; invalid bytes become \u00XX. */
	assert_string_equal(escaped("\xc3\xa9", 2), "\xc3\xa9");
	assert_string_equal(escaped("\xff\xc3", 2), "\\u00ff\\u00c3");
	assert_string_equal(escaped("\xed\xa0\x80", 3), "\\u00ed\\u00a0\\u0080"); /* surrogate */
	assert_string_equal(escaped("\x7f", 1), "\\u007f");
}

/* Escaping in place (which scans 8 bytes at a time, and inserts backslashes
 * in place when the text is printable) gives what json_escape() gives, for
 * every byte value at every position of a word and past it, in plain text
 * and in text that already holds quotes and backslashes. */
static void escape_in_place_like(const char *text)
{
	struct strbuf sb, want;
	strbuf_init(&sb);
	strbuf_init(&want);
	for (int c = 0; c < 256; c++) {
		for (size_t at = 0; at < 18; at++) {
			char t[19];
			memcpy(t, text, sizeof t);
			t[at] = (char)c;
			strbuf_reset(&sb);
			strbuf_putn(&sb, "x", 1);
			strbuf_putn(&sb, t, 18);
			json_escape_from(&sb, 1, NULL);
			strbuf_reset(&want);
			strbuf_putn(&want, "x", 1);
			json_escape(&want, t, 18);
			assert_int_equal(sb.len, want.len);
			assert_memory_equal(sb.p, want.p, sb.len);
		}
	}
	strbuf_free(&sb);
	strbuf_free(&want);
}

static void json_escape_in_place(void **state)
{
	escape_in_place_like("abcdefghijklmnopqr");
	escape_in_place_like("ab\"defghijk\\mnop\"\"");
	escape_in_place_like("\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""); /* more than fit in place */
}

static void json_writer(void **state)
{
	struct strbuf sb;
	strbuf_init(&sb);
	struct jsonw j;
	jsonw_init(&j, &sb, NULL);
	jsonw_object_open(&j);
	jsonw_key(&j, "a"); jsonw_uint(&j, 1);
	jsonw_key(&j, "b"); jsonw_array_open(&j);
	jsonw_str(&j, "x"); jsonw_int(&j, -2); jsonw_null(&j); jsonw_bool(&j, true);
	jsonw_object_open(&j); jsonw_object_close(&j);
	jsonw_array_close(&j);
	jsonw_key(&j, "c");
	size_t b = jsonw_str_begin(&j);
	strbuf_puts(&sb, "q\\\"");
	jsonw_str_end(&j, b);
	jsonw_object_close(&j);
	strbuf_putc(&sb, 0);
	assert_string_equal(sb.p, "{\"a\":1,\"b\":[\"x\",-2,null,true,{}],\"c\":\"q\\\\\\\"\"}");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(flag_syntax),
		cmocka_unit_test(json_escapes),
		cmocka_unit_test(json_escape_in_place),
		cmocka_unit_test(json_writer),
	};
	return cmocka_run_group_tests_name("cli_and_json", tests, NULL, NULL);
}
