/* Unit tests: the syslog sink against a Unix socket the test binds (format,
 * batches from two threads, reconnect, full queue, stream sockets) and the
 * statsd sender against a UDP socket on 127.0.0.1 (lines, deltas, datagram
 * size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sink/syslog.h"
#include "stats/statsd.h"

static char tmpdir[64];
static char sockpath[128];

static int setup_dir(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pdnslog-syslog-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sockpath, sizeof sockpath, "%s/log", tmpdir);
	return 0;
}

static int teardown_dir(void **state)
{
	unlink(sockpath);
	rmdir(tmpdir);
	return 0;
}

static int bind_unix(int type, const char *path)
{
	unlink(path);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(path) < sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* One datagram within timeout_ms, NUL-terminated; its length or -1. */
static int recv_msg(int fd, char *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	ssize_t n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return (int)n;
}

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "<157>Mmm dd hh:mm:ss test-ident[PID]: " and the body after it. */
static const char *check_header(const char *msg, int pri)
{
	char pattern[256];
	snprintf(pattern, sizeof pattern,
		 "^<%d>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123][0-9] "
		 "[012][0-9]:[0-5][0-9]:[0-6][0-9] test-ident\\[%ld\\]: ", pri, (long)getpid());
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED), 0);
	regmatch_t m;
	int rc = regexec(&re, msg, 1, &m, 0);
	regfree(&re);
	if (rc != 0)
		fail_msg("bad syslog header: %s", msg);
	return msg + m.rm_eo;
}

static void syslog_names(void **state)
{
	assert_int_equal(syslog_parse_facility("kern"), 0);
	assert_int_equal(syslog_parse_facility("daemon"), 3);
	assert_int_equal(syslog_parse_facility("authpriv"), 10);
	assert_int_equal(syslog_parse_facility("ftp"), 11);
	assert_int_equal(syslog_parse_facility("local0"), 16);
	assert_int_equal(syslog_parse_facility("local3"), 19);
	assert_int_equal(syslog_parse_facility("local7"), 23);
	assert_int_equal(syslog_parse_facility("local8"), -1);
	assert_int_equal(syslog_parse_facility(""), -1);
	assert_int_equal(syslog_parse_facility("LOCAL0"), 16); /* any case, as gopassivedns */
	assert_int_equal(syslog_parse_facility("Daemon"), 3);
	assert_int_equal(syslog_parse_facility("LOCAL8"), -1);
	assert_int_equal(syslog_parse_severity("INFO"), 6);
	assert_int_equal(syslog_parse_severity("Warn"), 4);
	assert_int_equal(syslog_parse_severity("PANIC"), -1);
	assert_int_equal(syslog_parse_severity("emerg"), 0);
	assert_int_equal(syslog_parse_severity("err"), 3);
	assert_int_equal(syslog_parse_severity("error"), 3);
	assert_int_equal(syslog_parse_severity("warn"), 4);
	assert_int_equal(syslog_parse_severity("warning"), 4);
	assert_int_equal(syslog_parse_severity("notice"), 5);
	assert_int_equal(syslog_parse_severity("info"), 6);
	assert_int_equal(syslog_parse_severity("debug"), 7);
	assert_int_equal(syslog_parse_severity("panic"), -1);
	assert_string_equal(syslog_severity_name(6), "info");
	assert_string_equal(syslog_severity_name(0), "emerg");
	assert_null(syslog_severity_name(8));
	assert_null(syslog_severity_name(-1));
}

static void syslog_open_errors(void **state)
{
	struct syslog_sink s;
	char err[256];
	/* Nobody listens there. */
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, "test-ident", err, sizeof err), -1);
	assert_non_null(strstr(err, sockpath));
	int fd = bind_unix(SOCK_DGRAM, sockpath);
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, "bad ident", err, sizeof err), -1);
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, "", err, sizeof err), -1);
	assert_int_equal(syslog_sink_open(&s, sockpath, 24, 6, NULL, err, sizeof err), -1);
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 8, NULL, err, sizeof err), -1);
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, NULL, err, sizeof err), 0);
	syslog_sink_write(&s, "x\n", 2);
	char buf[512];
	assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
	char expect[64];
	snprintf(expect, sizeof expect, " pdnslog[%ld]: x", (long)getpid());
	assert_non_null(strstr(buf, expect));
	syslog_sink_close(&s);
	close(fd);
}

struct writer {
	struct syslog_sink *s;
	const char *batch;
};

static void *write_batch(void *arg)
{
	struct writer *w = arg;
	syslog_sink_write(w->s, w->batch, strlen(w->batch));
	return NULL;
}

/* local3.notice from two threads: 157, each batch's lines whole and together. */
static void syslog_format_and_threads(void **state)
{
	int fd = bind_unix(SOCK_DGRAM, sockpath);
	struct syslog_sink s;
	char err[256];
	assert_int_equal(syslog_sink_open(&s, sockpath, syslog_parse_facility("local3"),
					  syslog_parse_severity("notice"), "test-ident", err, sizeof err), 0);
	assert_int_equal(s.type, SOCK_DGRAM);
	struct writer wa = { &s, "{\"a\":1,\"q\":\"x y\"}\n{\"a\":2}\n{\"a\":3}\n" };
	struct writer wb = { &s, "b1 with  spaces\tand tab\nb2\nb3\n" };
	pthread_t ta, tb;
	pthread_create(&ta, NULL, write_batch, &wa);
	pthread_create(&tb, NULL, write_batch, &wb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	char bodies[6][128];
	for (int i = 0; i < 6; i++) {
		char buf[512];
		assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
		const char *body = check_header(buf, 157);
		snprintf(bodies[i], sizeof bodies[i], "%s", body);
	}
	/* Whichever thread came first, its three lines are in a row. */
	int a_first = bodies[0][0] == '{';
	const char *a[3] = { "{\"a\":1,\"q\":\"x y\"}", "{\"a\":2}", "{\"a\":3}" };
	const char *b[3] = { "b1 with  spaces\tand tab", "b2", "b3" };
	for (int i = 0; i < 3; i++) {
		assert_string_equal(bodies[(a_first ? 0 : 3) + i], a[i]);
		assert_string_equal(bodies[(a_first ? 3 : 0) + i], b[i]);
	}
	/* Empty lines are skipped; a last line without '\n' is sent. */
	syslog_sink_write(&s, "\n\nlast", 6);
	char buf[512];
	assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
	assert_string_equal(check_header(buf, 157), "last");
	assert_int_equal(recv_msg(fd, buf, sizeof buf, 50), -1);
	uint64_t sent, dropped, errors;
	syslog_sink_counters(&s, &sent, &dropped, &errors);
	assert_int_equal(sent, 7);
	assert_int_equal(dropped, 0);
	assert_int_equal(errors, 0);
	syslog_sink_close(&s);
	close(fd);
}

/* What a write returns: messages sent, or with _from only those from the
 * given line on (the rest reached another output already). */
static void syslog_counts_sent(void **state)
{
	int fd = bind_unix(SOCK_DGRAM, sockpath);
	struct syslog_sink s;
	char err[256];
	char buf[512];
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, "test-ident", err, sizeof err), 0);
	assert_int_equal(syslog_sink_write(&s, "a\nb\n", 4), 2);
	assert_int_equal(syslog_sink_write_from(&s, "c\nd\ne\n", 6, 2), 1);
	assert_int_equal(syslog_sink_write_from(&s, "f\ng\n", 4, 2), 0);
	for (int i = 0; i < 7; i++)
		assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
	close(fd);
	assert_int_equal(syslog_sink_write(&s, "h\ni\n", 4), 0); /* nobody there */
	uint64_t sent, dropped, errors;
	syslog_sink_counters(&s, &sent, &dropped, &errors);
	assert_int_equal(sent, 7);
	assert_int_equal(errors, 2);
	syslog_sink_close(&s);
}

/* The daemon restarts (a new socket at the same path): the sink follows. */
static void syslog_reconnects(void **state)
{
	int fd = bind_unix(SOCK_DGRAM, sockpath);
	struct syslog_sink s;
	char err[256];
	char buf[512];
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, "test-ident", err, sizeof err), 0);
	syslog_sink_write(&s, "one\n", 4);
	assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
	assert_string_equal(check_header(buf, 14), "one");

	close(fd);
	fd = bind_unix(SOCK_DGRAM, sockpath);
	syslog_sink_write(&s, "two\n", 4);
	assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
	assert_string_equal(check_header(buf, 14), "two");
	assert_int_equal(s.sent, 2);
	assert_int_equal(s.errors, 0);

	/* The daemon is away: one reconnect fails, then none for a while. */
	close(fd);
	syslog_sink_write(&s, "three\nfour\n", 11);
	assert_int_equal(s.errors, 2);
	assert_int_equal(s.fd, -1);
	assert_true(s.retry_at > 0);
	/* Back: the next try (its time forced) reaches it. */
	fd = bind_unix(SOCK_DGRAM, sockpath);
	s.retry_at = 0;
	syslog_sink_write(&s, "five\n", 5);
	assert_true(recv_msg(fd, buf, sizeof buf, 1000) > 0);
	assert_string_equal(check_header(buf, 14), "five");
	assert_int_equal(s.sent, 3);
	assert_int_equal(s.errors, 2);
	assert_int_equal(s.dropped, 0);
	syslog_sink_close(&s);
	close(fd);
}

/* A daemon that reads nothing: messages are dropped and counted, and the
 * writer comes back within its wait budget. */
static void syslog_full_queue_drops(void **state)
{
	int fd = bind_unix(SOCK_DGRAM, sockpath);
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	struct syslog_sink s;
	char err[256];
	assert_int_equal(syslog_sink_open(&s, sockpath, 1, 6, "test-ident", err, sizeof err), 0);
	s.wait_ms = 0;
	enum { LINES = 2000 };
	char *batch = malloc(LINES * 16);
	size_t len = 0;
	for (int i = 0; i < LINES; i++)
		len += (size_t)sprintf(batch + len, "line %d\n", i);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	syslog_sink_write(&s, batch, len);
	assert_true(elapsed_since(&t0) < 1.0);
	assert_true(s.dropped > 0);
	assert_true(s.sent > 0);
	assert_int_equal(s.sent + s.dropped, LINES);
	assert_int_equal(s.errors, 0);

	/* With a wait budget: the batch waits that long in all, not per line. */
	uint64_t dropped = s.dropped;
	s.wait_ms = 100;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	syslog_sink_write(&s, "more 1\nmore 2\nmore 3\n", 21);
	double took = elapsed_since(&t0);
	assert_true(took >= 0.09 && took < 1.0);
	assert_true(s.dropped > dropped);
	assert_int_equal(s.errors, 0);

	/* What was sent arrived, in order, intact. */
	char buf[512];
	uint64_t got = 0;
	while (recv_msg(fd, buf, sizeof buf, 0) > 0) {
		if (got == 0)
			assert_string_equal(check_header(buf, 14), "line 0");
		got++;
	}
	assert_int_equal(got, s.sent);
	free(batch);
	syslog_sink_close(&s);
	close(fd);
}

/* A daemon on a stream socket: the same messages, each ended by '\n'. */
static void syslog_stream_socket(void **state)
{
	int lfd = bind_unix(SOCK_STREAM, sockpath);
	struct syslog_sink s;
	char err[256];
	assert_int_equal(syslog_sink_open(&s, sockpath, 16, 7, "test-ident", err, sizeof err), 0);
	assert_int_equal(s.type, SOCK_STREAM);
	syslog_sink_write(&s, "s1\ns2\n", 6);
	int fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	char buf[1024];
	size_t len = 0;
	while (len < sizeof buf - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 200) != 1)
			break;
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	char *second = strchr(buf, '\n');
	assert_non_null(second);
	*second++ = 0;
	assert_string_equal(check_header(buf, 16 * 8 + 7), "s1");
	char *end = strchr(second, '\n');
	assert_non_null(end);
	*end = 0;
	assert_string_equal(check_header(second, 135), "s2");
	assert_string_equal(end + 1, "");
	assert_int_equal(s.sent, 2);
	syslog_sink_close(&s);
	close(fd);
	close(lfd);
}

/* statsd */

static int bind_udp(int family, uint16_t *port)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	len = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

#define MAX_LINES 256

struct received {
	char lines[MAX_LINES][400];
	int nlines;
	int ndgrams;
	size_t biggest;
};

/* Every datagram waiting (statsd_send has returned: all are queued). */
static void receive_all(int fd, struct received *r)
{
	memset(r, 0, sizeof *r);
	char buf[65536];
	int n;
	while ((n = recv_msg(fd, buf, sizeof buf, 100)) >= 0) {
		r->ndgrams++;
		if ((size_t)n > r->biggest)
			r->biggest = (size_t)n;
		assert_true(n > 0);
		assert_int_not_equal(buf[n - 1], '\n');
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			assert_true(r->nlines < MAX_LINES);
			snprintf(r->lines[r->nlines++], sizeof r->lines[0], "%s", line);
		}
	}
}

static int count_line(const struct received *r, const char *line)
{
	int n = 0;
	for (int i = 0; i < r->nlines; i++)
		n += strcmp(r->lines[i], line) == 0;
	return n;
}

#define COUNT_ONE(name, doc) +1
enum { NCOUNTERS = 0 STATS_COUNTERS(COUNT_ONE) };
#undef COUNT_ONE
enum { NMETRICS = NCOUNTERS + (-DNS_EOPT) + 2 };

/* Every metric of a send, each once, with the value expected. */
static void check_all(const struct received *r, const char *prefix, const struct stats *delta,
		      const struct stats *gauges)
{
	char line[400];
	assert_int_equal(r->nlines, NMETRICS);
#define CHECK_COUNTER(name, doc) \
	snprintf(line, sizeof line, "%s" #name ":%llu|c", prefix, (unsigned long long)delta->name); \
	if (count_line(r, line) != 1) \
		fail_msg("%s: not once", line);
	STATS_COUNTERS(CHECK_COUNTER)
#undef CHECK_COUNTER
	for (int code = DNS_ESHORT; code >= DNS_EOPT; code--) {
		snprintf(line, sizeof line, "%sdns_errors.%s:%llu|c", prefix, dns_strerror(code),
			 (unsigned long long)delta->dns_error[-code]);
		assert_int_equal(count_line(r, line), 1);
	}
	snprintf(line, sizeof line, "%spending:%llu|g", prefix, (unsigned long long)gauges->pending);
	assert_int_equal(count_line(r, line), 1);
	snprintf(line, sizeof line, "%spending_peak:%llu|g", prefix,
		 (unsigned long long)gauges->pending_peak);
	assert_int_equal(count_line(r, line), 1);
}

static void statsd_deltas(void **state)
{
	uint16_t port;
	int fd = bind_udp(AF_INET, &port);
	assert_true(fd >= 0);
	char hostport[64], err[256];
	snprintf(hostport, sizeof hostport, "127.0.0.1:%u", port);
	struct statsd *sd = statsd_open(hostport, NULL, err, sizeof err);
	assert_non_null(sd);

	struct stats now = { 0 }, delta = { 0 };
	now.packets = 10;
	now.bytes = 1500;
	now.records_written = 7;
	now.dns_error[-DNS_EPOINTER] = 2;
	now.pending = 5;
	now.pending_peak = 9;
	statsd_send(sd, &now);
	struct received *r = malloc(sizeof *r);
	receive_all(fd, r);
	check_all(r, "pdnslog.", &now, &now);
	assert_int_equal(count_line(r, "pdnslog.packets:10|c"), 1);
	assert_int_equal(count_line(r, "pdnslog.dns_errors.pointer:2|c"), 1);
	assert_int_equal(count_line(r, "pdnslog.pcap_received:0|c"), 1);
	assert_int_equal(count_line(r, "pdnslog.pending:5|g"), 1);
	assert_int_equal(count_line(r, "pdnslog.pending_peak:9|g"), 1);
	assert_true(r->biggest <= STATSD_DATAGRAM);

	/* Increases only; gauges as they stand; a counter that went down was
	 * reset, and all of its value is new. */
	now.packets = 25;
	now.kafka_dropped = 3;
	now.dns_error[-DNS_EPOINTER] = 5;
	now.records_written = 4;
	now.pending = 1;
	delta.packets = 15;
	delta.kafka_dropped = 3;
	delta.dns_error[-DNS_EPOINTER] = 3;
	delta.records_written = 4;
	statsd_send(sd, &now);
	receive_all(fd, r);
	check_all(r, "pdnslog.", &delta, &now);
	assert_int_equal(count_line(r, "pdnslog.packets:15|c"), 1);
	assert_int_equal(count_line(r, "pdnslog.bytes:0|c"), 1);
	assert_int_equal(count_line(r, "pdnslog.pending:1|g"), 1);
	assert_int_equal(sd->errors, 0);
	assert_true(sd->datagrams >= 2);
	statsd_close(sd);
	free(r);
	close(fd);
}

/* A long prefix: more datagrams, none over the limit, no metric split. */
static void statsd_datagram_limit(void **state)
{
	uint16_t port;
	int fd = bind_udp(AF_INET, &port);
	char hostport[64], err[256], prefix[STATSD_PREFIX_MAX + 1], dotted[STATSD_PREFIX_MAX + 2];
	snprintf(hostport, sizeof hostport, "127.0.0.1:%u", port);
	memset(prefix, 'p', STATSD_PREFIX_MAX);
	prefix[STATSD_PREFIX_MAX] = 0;
	prefix[10] = '.';
	struct statsd *sd = statsd_open(hostport, prefix, err, sizeof err);
	assert_non_null(sd);
	struct stats now = { 0 };
	now.bytes = UINT64_MAX; /* the longest number */
	statsd_send(sd, &now);
	struct received *r = malloc(sizeof *r);
	receive_all(fd, r);
	snprintf(dotted, sizeof dotted, "%s.", prefix);
	check_all(r, dotted, &now, &now);
	assert_true(r->biggest <= STATSD_DATAGRAM);
	assert_true(r->biggest > STATSD_DATAGRAM - 300); /* packed, not one per datagram */
	assert_true(r->ndgrams >= (int)(NMETRICS * (STATSD_PREFIX_MAX + 20) / STATSD_DATAGRAM));
	assert_int_equal((uint64_t)r->ndgrams, sd->datagrams);
	statsd_close(sd);

	/* No prefix at all; a prefix ending in '.' gets no second one. */
	sd = statsd_open(hostport, "", err, sizeof err);
	assert_non_null(sd);
	statsd_send(sd, &now);
	receive_all(fd, r);
	assert_int_equal(count_line(r, "pending:0|g"), 1);
	statsd_close(sd);
	sd = statsd_open(hostport, "a.b.", err, sizeof err);
	assert_non_null(sd);
	statsd_send(sd, &now);
	receive_all(fd, r);
	assert_int_equal(count_line(r, "a.b.pending:0|g"), 1);
	statsd_close(sd);
	free(r);
	close(fd);
}

static void statsd_addresses(void **state)
{
	char err[256], hostport[64];
	const char *bad[] = {
		"", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x", "[::1", "[::1]x",
		"[]:8125", ":8125",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (statsd_open(bad[i], NULL, err, sizeof err))
			fail_msg("accepted -statsd_host \"%s\"", bad[i]);
	}
	assert_null(statsd_open("127.0.0.1", "bad prefix", err, sizeof err));
	assert_null(statsd_open("127.0.0.1", "a:b", err, sizeof err));
	assert_null(statsd_open("127.0.0.1", "a|b", err, sizeof err));
	/* The default port, and names. */
	struct statsd *sd = statsd_open("127.0.0.1", NULL, err, sizeof err);
	assert_non_null(sd);
	statsd_close(sd);
	sd = statsd_open("localhost:8125", NULL, err, sizeof err);
	assert_non_null(sd);
	statsd_close(sd);

	/* IPv6, if the loopback has it. */
	uint16_t port;
	int fd = bind_udp(AF_INET6, &port);
	if (fd < 0)
		return;
	snprintf(hostport, sizeof hostport, "[::1]:%u", port);
	sd = statsd_open(hostport, "v6", err, sizeof err);
	assert_non_null(sd);
	struct stats now = { 0 };
	now.pending = 42;
	statsd_send(sd, &now);
	struct received *r = malloc(sizeof *r);
	receive_all(fd, r);
	assert_int_equal(count_line(r, "v6.pending:42|g"), 1);
	statsd_close(sd);
	sd = statsd_open("::1", NULL, err, sizeof err); /* bare: port 8125 */
	assert_non_null(sd);
	statsd_close(sd);
	free(r);
	close(fd);
}

/* Nobody listens: counted, never fatal, never blocking. */
static void statsd_nobody_listens(void **state)
{
	uint16_t port;
	int fd = bind_udp(AF_INET, &port);
	close(fd); /* the port is free now */
	char hostport[64], err[256];
	snprintf(hostport, sizeof hostport, "127.0.0.1:%u", port);
	struct statsd *sd = statsd_open(hostport, NULL, err, sizeof err);
	assert_non_null(sd);
	struct stats now = { 0 };
	for (int i = 0; i < 3; i++)
		statsd_send(sd, &now);
	assert_true(sd->errors > 0); /* the ICMP of one datagram fails the next */
	statsd_close(sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syslog_names),
		cmocka_unit_test_setup_teardown(syslog_open_errors, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(syslog_format_and_threads, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(syslog_counts_sent, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(syslog_reconnects, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(syslog_full_queue_drops, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(syslog_stream_socket, setup_dir, teardown_dir),
		cmocka_unit_test(statsd_deltas),
		cmocka_unit_test(statsd_datagram_limit),
		cmocka_unit_test(statsd_addresses),
		cmocka_unit_test(statsd_nobody_listens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
