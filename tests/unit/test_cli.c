/* Unit tests: Go-style flags and durations, config files, where a bad value
 * came from, pdnslog's options and their checks, and the JSON writer's
 * escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/flags.h"
#include "cli/options.h"
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

/* --- config files, sources, pdnslog's options ------------------------------ */

static char conf_path[64];

/* A config file holding text, at conf_path (removed by the teardown). */
static const char *conf(const char *text)
{
	if (*conf_path)
		unlink(conf_path);
	strcpy(conf_path, "/tmp/test_cli.conf.XXXXXX");
	int fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return conf_path;
}

static int teardown_conf(void **state)
{
	if (*conf_path)
		unlink(conf_path);
	*conf_path = 0;
	unsetenv("PDNS_CONFIG");
	unsetenv("PDNS_FORMAT");
	unsetenv("PDNS_THREADS");
	unsetenv("PDNS_PORTS");
	unsetenv("PDNS_KAFKA_PEERS");
	unsetenv("PDNS_DEV");
	return 0;
}

static char err[1024];

/* options_load on "pdnslog ARGS...": 0 or -1 with the message in err. */
static int load_argv(struct options *o, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	err[0] = 0;
	return options_load(o, argc, argv, err, sizeof err);
}
#define LOAD(o, ...) load_argv(o, (char *[]){ "pdnslog", __VA_ARGS__, NULL })

/* The error for ARGS, which must be refused. */
#define REFUSED(o, ...) (assert_int_equal(LOAD(o, __VA_ARGS__), -1), err)

static void config_syntax(void **state)
{
	const char *logfile = NULL, *bpf = NULL, *name = NULL, *pw = NULL, *empty = "x", *qempty = "x";
	const char *dq = NULL, *sq = NULL, *ind = NULL, *hash = NULL;
	struct flag t[] = {
		{ "logfile", FLAG_STRING, &logfile, "", "" },
		{ "bpf", FLAG_STRING, &bpf, "", "" },
		{ "name", FLAG_STRING, &name, "", "" },
		{ "pw", FLAG_STRING, &pw, "", "" },
		{ "empty", FLAG_STRING, &empty, "", "" },
		{ "qempty", FLAG_STRING, &qempty, "", "" },
		{ "dq", FLAG_STRING, &dq, "", "" },
		{ "sq", FLAG_STRING, &sq, "", "" },
		{ "ind", FLAG_STRING, &ind, "", "" },
		{ "hash", FLAG_STRING, &hash, "", "" },
		{ 0 },
	};
	const char *path = conf("# a comment\n"
				"   # an indented comment\n"
				"\n"
				"logfile = dns.log # main log\n"
				"bpf = \"udp port 53 # not a comment\"\n"
				"name = '  spaced  '   # kept as quoted\n"
				"pw = pass#word\n"
				"empty =\n"
				"qempty = \"\" # nothing\n"
				"dq = 'say \"hi\"'\n"
				"sq = \"it's\"#comment right after the quote\n"
				"\t-ind\t=\tudp port 53\t# tab, then a comment\r\n"
				"hash = #all comment\n");
	assert_int_equal(flags_parse_file(t, path, err, sizeof err), 0);
	assert_string_equal(logfile, "dns.log");
	assert_string_equal(bpf, "udp port 53 # not a comment");
	assert_string_equal(name, "  spaced  ");
	assert_string_equal(pw, "pass#word");
	assert_string_equal(empty, "");
	assert_string_equal(qempty, "");
	assert_string_equal(dq, "say \"hi\"");
	assert_string_equal(sq, "it's");
	assert_string_equal(ind, "udp port 53");
	assert_string_equal(hash, "");
	assert_int_equal(t[0].source, FLAG_FROM_FILE);
	assert_int_equal(t[0].line, 4);

	char want[256];
	path = conf("logfile = ok\nbpf = \"udp port 53\n");
	assert_int_equal(flags_parse_file(t, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:2: no closing \" for the value", path);
	assert_string_equal(err, want);
	path = conf("name = 'a\n");
	assert_int_equal(flags_parse_file(t, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: no closing ' for the value", path);
	assert_string_equal(err, want);
	path = conf("\nname = \"a\" b\n");
	assert_int_equal(flags_parse_file(t, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:2: text after the value's closing quote (a comment starts with #)", path);
	assert_string_equal(err, want);
	path = conf("name\n");
	assert_int_equal(flags_parse_file(t, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: expected name = value", path);
	assert_string_equal(err, want);
}

/* A range or choice error names where the bad value came from: the flag,
 * the variable (and the flag it sets), or the file and line. */
static void errors_name_their_source(void **state)
{
	struct options o;
	char want[512];

	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-format", "xml"), "-format must be flat, json or cof");
	setenv("PDNS_FORMAT", "xml", 1);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap"), "environment PDNS_FORMAT: -format must be flat, json or cof");
	unsetenv("PDNS_FORMAT");
	const char *path = conf("pcap = x.pcap\n# the format\nformat = xml\n");
	snprintf(want, sizeof want, "%s:3: format must be flat, json or cof", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	/* ... even when a stronger source overrides it: a bad value anywhere is an error. */
	assert_string_equal(REFUSED(&o, "-config", (char *)path, "-format", "json"), want);

	/* Ranges. */
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-numprocs", "65"), "-numprocs must be between 1 and 64");
	setenv("PDNS_THREADS", "0", 1);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap"), "environment PDNS_THREADS: -numprocs must be between 1 and 64");
	unsetenv("PDNS_THREADS");
	path = conf("pcap = x.pcap\nnumprocs = 100\n");
	snprintf(want, sizeof want, "%s:2: numprocs must be between 1 and 64", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	setenv("PDNS_PORTS", "70000", 1);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap"),
			    "environment PDNS_PORTS: -ports must be a comma-separated list of ports (1-65535), e.g. 53,5353");
	unsetenv("PDNS_PORTS");
	path = conf("pcap = x.pcap\nsyslog_priority = loud\n");
	snprintf(want, sizeof want, "%s:2: syslog_priority must be emerg, alert, crit, err, warning, notice, info or debug", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	path = conf("pcap = x.pcap\nmetrics = nonsense\n");
	snprintf(want, sizeof want, "%s:2: metrics must be ADDR:PORT (e.g. 127.0.0.1:9153, [::1]:9153 or :9153)", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	/* Each -kafka_opt line is checked as read: the bad one is named. */
	path = conf("pcap = x.pcap\nkafka_topic = t\nkafka_opt = linger.ms=5\nkafka_opt = linger.ms\nkafka_opt = acks=all\n");
	snprintf(want, sizeof want, "%s:4: kafka_opt \"linger.ms\": expected key=value", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	/* Type errors, as before. */
	path = conf("pcap = x.pcap\n\nnumprocs = four\n");
	snprintf(want, sizeof want, "%s:3: invalid value \"four\" for flag -numprocs: not an integer", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);

	/* Checks of several flags name where the one at fault came from. */
	path = conf("pcap = x.pcap\nlogMaxSize = 100\n");
	snprintf(want, sizeof want, "%s:2: logMaxSize needs -logfile", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	path = conf("pcap = x.pcap\ngtpu_ports = 2152,4789\n");
	snprintf(want, sizeof want, "%s:2: gtpu_ports: port 4789 is already a vxlan port", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-gtpu_ports", "4789"), "-gtpu_ports: port 4789 is already a vxlan port");
	path = conf("pcap = x.pcap\nkafka_stats_topic = s\n");
	snprintf(want, sizeof want, "%s:2: kafka_stats_topic needs -kafka_brokers or -kafka_topic", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-fanout", "2"), "-fanout needs live capture (-dev)");
	path = conf("dev = eth0\npcap = x.pcap\n");
	snprintf(want, sizeof want, "%s:1: dev and pcap cannot be used together", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-dev", "eth0"), "-dev and -pcap cannot be used together");
	/* The file named by PDNS_CONFIG. */
	setenv("PDNS_CONFIG", "/nonexistent/pdnslog.conf", 1);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap"),
			    "environment PDNS_CONFIG: -config /nonexistent/pdnslog.conf: No such file or directory");
	unsetenv("PDNS_CONFIG");
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-config", "/nonexistent/pdnslog.conf"),
			    "-config /nonexistent/pdnslog.conf: No such file or directory");
}

/* The stronger source's input wins: a service's config file with dev and
 * fanout does not stop a -pcap run. */
static void stronger_input_wins(void **state)
{
	struct options o;
	const char *path = conf("dev = eth0\nfanout = 2\n");
	assert_int_equal(LOAD(&o, "-config", (char *)path, "-pcap", "x.pcap"), 0);
	assert_null(o.dev);
	assert_string_equal(o.pcap, "x.pcap");
	assert_int_equal(o.fanout, 1);
	setenv("PDNS_DEV", "eth1", 1);
	assert_int_equal(LOAD(&o, "-config", (char *)conf("pcap = x.pcap\n")), 0);
	assert_null(o.pcap);
	assert_string_equal(o.dev, "eth1");
	unsetenv("PDNS_DEV");
}

static void empty_lists(void **state)
{
	struct options o;
	char want[512];
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-ports", ""), "-ports must list at least one port, e.g. 53 (it is empty)");
	const char *path = conf("pcap = x.pcap\nports = # none\n");
	snprintf(want, sizeof want, "%s:2: ports must list at least one port, e.g. 53 (it is empty)", path);
	assert_string_equal(REFUSED(&o, "-config", (char *)path), want);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-kafka_brokers", ""), "-kafka_brokers must list at least one HOST:PORT (it is empty)");
	setenv("PDNS_KAFKA_PEERS", "", 1);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap"),
			    "environment PDNS_KAFKA_PEERS: -kafka_brokers must list at least one HOST:PORT (it is empty)");
	unsetenv("PDNS_KAFKA_PEERS");
	/* The tunnels' lists take '' for none, on purpose. */
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap", "-vxlan_ports", "", "-geneve_ports", "", "-gtpu_ports", "",
			      "-greudp_ports", ""), 0);
	assert_int_equal(o.tunnels.kind[4789], TUNNEL_NONE);
	assert_int_equal(o.tunnels.kind[6081], TUNNEL_NONE);
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap"), 0);
	assert_int_equal(o.tunnels.kind[4789], TUNNEL_VXLAN);
	assert_true(portset_has(&o.portset, 53));
}

/* Every int and duration against its documented range: the ends are taken,
 * one past them is refused with the range in the message. */
static void ranges(void **state)
{
	static const struct { const char *flag, *low, *high, *below, *above, *why; } r[] = {
		{ "logMaxSize", "0", "1048576", "-1", "1048577", "must be between 0 and 1048576" },
		{ "logMaxBackups", "0", "100000", "-1", "100001", "must be between 0 and 100000" },
		{ "logMaxAge", "0", "100000", "-1", "100001", "must be between 0 and 100000" },
		{ "max_pending", "1", "100000000", "0", "100000001", "must be between 1 and 100000000" },
		{ "tcp_max_streams", "1", "4000000000", "0", NULL, "must be at least 1" },
		{ "tcp_stream_kb", "128", "1048576", "127", "1048577", "must be between 128 and 1048576" },
		{ "tcp_max_mb", "1", "1048576", "0", "1048577", "must be between 1 and 1048576" },
		{ "frag_max_datagrams", "1", "4000000000", "0", NULL, "must be at least 1" },
		{ "frag_max_mb", "1", "1048576", "0", "1048577", "must be between 1 and 1048576" },
		{ "numprocs", "1", "64", "0", "65", "must be between 1 and 64" },
		{ "snaplen", "64", "262144", "63", "262145", "must be between 64 and 262144" },
		{ "buffer_mb", "0", "2047", "-1", "2048", "must be between 0 and 2047" },
		{ "statsd_interval", "1", "86400", "0", "86401", "must be between 1 and 86400" },
		{ "kafka_queue", "1", "10000000", "0", "10000001", "must be between 1 and 10000000" },
		{ "stats_interval", "0", "8760h", "-1s", NULL, "must not be negative" },
		{ "kafka_flush_timeout", "0", "1h", "-1ns", NULL, "must not be negative" },
		{ "gc_interval", "1ns", "8760h", "0", NULL, "must be a positive duration" },
		{ "gc_interval", "1ns", "8760h", "-3m", NULL, "must be a positive duration" },
		{ "frag_timeout", "1ns", "1h", "0s", NULL, "must be a positive duration" },
	};
	struct options o;
	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
		char flag[64], want[256];
		snprintf(flag, sizeof flag, "-%s", r[i].flag);
		snprintf(want, sizeof want, "-%s %s", r[i].flag, r[i].why);
		assert_int_equal(LOAD(&o, "-pcap", "x.pcap", flag, (char *)r[i].low, "-logfile", "l"), 0);
		assert_int_equal(LOAD(&o, "-pcap", "x.pcap", flag, (char *)r[i].high, "-logfile", "l"), 0);
		assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", flag, (char *)r[i].below), want);
		if (r[i].above)
			assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", flag, (char *)r[i].above), want);
	}
	/* The fanout's range needs -dev to be taken. */
	assert_int_equal(LOAD(&o, "-dev", "lo", "-fanout", "64"), 0);
	assert_string_equal(REFUSED(&o, "-dev", "lo", "-fanout", "65"), "-fanout must be between 1 and 64");
	assert_string_equal(REFUSED(&o, "-dev", "lo", "-fanout", "0"), "-fanout must be between 1 and 64");
}

/* -gc_age: the sign is ignored (gopassivedns wrote -1m); 0 is refused. */
static void gc_age(void **state)
{
	struct options o;
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap"), 0);
	assert_true(o.gc_age == 60 * S);
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap", "-gc_age", "-90s"), 0);
	assert_true(o.gc_age == 90 * S);
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap", "-gc_age", "2m"), 0);
	assert_true(o.gc_age == 120 * S);
	const char *zero[] = { "0", "-0s", "0ms", "+0h" };
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-gc_age", (char *)zero[i]),
				    "-gc_age must not be 0 (how long a query waits for its response, e.g. 1m; its sign is ignored)");
}

/* Syslog names in any case, as gopassivedns took them. */
static void syslog_names(void **state)
{
	struct options o;
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap", "-syslog_facility", "LOCAL0", "-syslog_priority", "INFO"), 0);
	assert_int_equal(o.syslog_fac, 16);
	assert_int_equal(o.syslog_sev, 6);
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap", "-syslog_facility", "Daemon", "-syslog_priority", "Warn"), 0);
	assert_int_equal(o.syslog_fac, 3);
	assert_int_equal(o.syslog_sev, 4);
	assert_int_equal(LOAD(&o, "-pcap", "x.pcap"), 0);
	assert_int_equal(o.syslog_fac, -1);
	assert_int_equal(o.syslog_sev, 6);
	assert_string_equal(REFUSED(&o, "-pcap", "x.pcap", "-syslog_facility", "LOCAL8"),
			    "-syslog_facility must be kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, "
			    "authpriv, ftp or local0..local7 (or empty for no syslog)");
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
	/* Only what a test sets: no PDNS_* of the caller's. */
	extern char **environ;
	for (int again = 1; again;) {
		again = 0;
		for (char **e = environ; *e; e++)
			if (strncmp(*e, "PDNS_", 5) == 0) {
				char name[128];
				snprintf(name, sizeof name, "%.*s", (int)(strcspn(*e, "=")), *e);
				unsetenv(name);
				again = 1;
				break;
			}
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(flag_syntax),
		cmocka_unit_test_teardown(config_syntax, teardown_conf),
		cmocka_unit_test_teardown(errors_name_their_source, teardown_conf),
		cmocka_unit_test_teardown(stronger_input_wins, teardown_conf),
		cmocka_unit_test_teardown(empty_lists, teardown_conf),
		cmocka_unit_test_teardown(ranges, teardown_conf),
		cmocka_unit_test_teardown(gc_age, teardown_conf),
		cmocka_unit_test_teardown(syslog_names, teardown_conf),
		cmocka_unit_test(json_escapes),
		cmocka_unit_test(json_escape_in_place),
		cmocka_unit_test(json_writer),
	};
	return cmocka_run_group_tests_name("cli_and_json", tests, NULL, NULL);
}
