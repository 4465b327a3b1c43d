/* Unit tests: the Fluentd sink (src/sink/fluentd.c): JSON lines to msgpack
 * (types, escapes, nesting, refusals), -fluentd_socket addresses, and the
 * sink against a Forward protocol server this test runs on a Unix socket:
 * PackedForward messages with tag, integer time, size and chunk; acks;
 * a message read but never acknowledged is sent again on the next
 * connection and counted; the queue's bound; no-ack mode; an absent server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

#include "sink/fluentd.h"

/* ---------------------------------------------------------------- conversion */

/* The buffers conv() unpacked from: msgpack-c's objects point into them. */
static struct strbuf kept[64];
static int nkept;

static void release_kept(void)
{
	while (nkept)
		strbuf_free(&kept[--nkept]);
}

/* Convert json and unpack the result into *o (zone z). */
static int conv(const char *json, msgpack_zone *z, msgpack_object *o)
{
	assert_true(nkept < 64);
	struct strbuf *sbp = &kept[nkept++], sb;
	strbuf_init(&sb);
	strbuf_putn(&sb, "X", 1); /* something before: appended after it */
	int rc = fluentd_json_to_msgpack(&sb, json, strlen(json));
	if (rc == 0) {
		size_t off = 1;
		msgpack_unpack_return r = msgpack_unpack(sb.p, sb.len, &off, z, o);
		assert_int_equal(r, MSGPACK_UNPACK_SUCCESS);
		assert_int_equal(off, sb.len); /* exactly one object */
	} else {
		assert_int_equal(sb.len, 1); /* left as it was */
	}
	*sbp = sb;
	return rc;
}

static const msgpack_object *get(const msgpack_object *map, const char *key)
{
	assert_int_equal(map->type, MSGPACK_OBJECT_MAP);
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(key) &&
		    memcmp(k->via.str.ptr, key, k->via.str.size) == 0)
			return &map->via.map.ptr[i].val;
	}
	fail_msg("no key %s", key);
	return NULL;
}

static void assert_str(const msgpack_object *o, const char *want, size_t n)
{
	assert_int_equal(o->type, MSGPACK_OBJECT_STR);
	assert_int_equal(o->via.str.size, n);
	assert_memory_equal(o->via.str.ptr, want, n);
}

static void test_flat_record(void **state)
{
	const char *line = "{\"query_id\":4660,\"rcode\":null,\"q\":\"a\\\\.b.example\",\"qtype\":\"A\","
			   "\"a\":\"\",\"atype\":\"\",\"ttl\":4294967295,\"dst\":\"192.0.2.53\","
			   "\"src\":\"2001:db8::1\",\"tstamp\":\"2024-01-02T03:04:05.123456Z\","
			   "\"elapsed\":-12,\"sport\":\"53124\",\"level\":\"\",\"bytes\":0,"
			   "\"protocol\":\"udp\",\"truncated\":false,\"aa\":true,\"rd\":true,\"ra\":false,"
			   "\"status\":\"unanswered\",\"sensor\":\"s\\\"1\"}";
	msgpack_zone z;
	msgpack_zone_init(&z, 2048);
	msgpack_object o;
	assert_int_equal(conv(line, &z, &o), 0);
	assert_int_equal(o.type, MSGPACK_OBJECT_MAP);
	assert_int_equal(o.via.map.size, 21);
	/* Keys in the line's order. */
	static const char *const keys[] = { "query_id", "rcode", "q", "qtype", "a", "atype", "ttl",
		"dst", "src", "tstamp", "elapsed", "sport", "level", "bytes", "protocol", "truncated",
		"aa", "rd", "ra", "status", "sensor" };
	for (int i = 0; i < 21; i++)
		assert_str(&o.via.map.ptr[i].key, keys[i], strlen(keys[i]));
	assert_int_equal(get(&o, "query_id")->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
	assert_int_equal(get(&o, "query_id")->via.u64, 4660);
	assert_int_equal(get(&o, "rcode")->type, MSGPACK_OBJECT_NIL);
	assert_str(get(&o, "q"), "a\\.b.example", 12);
	assert_int_equal(get(&o, "ttl")->via.u64, 4294967295u);
	assert_int_equal(get(&o, "elapsed")->type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
	assert_int_equal(get(&o, "elapsed")->via.i64, -12);
	assert_str(get(&o, "sport"), "53124", 5);
	assert_str(get(&o, "level"), "", 0);
	assert_int_equal(get(&o, "truncated")->type, MSGPACK_OBJECT_BOOLEAN);
	assert_false(get(&o, "truncated")->via.boolean);
	assert_true(get(&o, "aa")->via.boolean);
	assert_str(get(&o, "sensor"), "s\"1", 3);
	msgpack_zone_destroy(&z);
	release_kept();
}

static void test_escapes_and_numbers(void **state)
{
	msgpack_zone z;
	msgpack_zone_init(&z, 2048);
	msgpack_object o;
	assert_int_equal(conv("\"\\u00e9\\u0000\\n\\t\\r\\b\\f\\/\\\\\\\"\"", &z, &o), 0);
	assert_str(&o, "\xc3\xa9\0\n\t\r\b\f/\\\"", 11);
	assert_int_equal(conv("\"\\ud83d\\ude00 \\u20AC\"", &z, &o), 0);
	assert_str(&o, "\xf0\x9f\x98\x80 \xe2\x82\xac", 8);
	/* A long escaped string: the str header grows past one byte. */
	char big[1200], want[400];
	strcpy(big, "\"");
	for (int i = 0; i < 300; i++)
		strcat(big, "\\\"");
	strcat(big, "\"");
	memset(want, '"', 300);
	assert_int_equal(conv(big, &z, &o), 0);
	assert_str(&o, want, 300);
	assert_int_equal(conv(" -9223372036854775808 ", &z, &o), 0);
	assert_int_equal(o.type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
	assert_true(o.via.i64 == INT64_MIN);
	assert_int_equal(conv("18446744073709551615", &z, &o), 0);
	assert_int_equal(o.type, MSGPACK_OBJECT_POSITIVE_INTEGER);
	assert_true(o.via.u64 == UINT64_MAX);
	assert_int_equal(conv("18446744073709551616", &z, &o), 0);
	assert_int_equal(o.type, MSGPACK_OBJECT_FLOAT64);
	assert_int_equal(conv("-1.5e3", &z, &o), 0);
	assert_int_equal(o.type, MSGPACK_OBJECT_FLOAT64);
	assert_true(o.via.f64 == -1500.0);
	assert_int_equal(conv("0", &z, &o), 0);
	assert_int_equal(o.type, MSGPACK_OBJECT_POSITIVE_INTEGER);
	assert_int_equal(conv("{\"a\":[1,{\"b\":[]},{}],\"c\":{\"d\":[true,null]}}", &z, &o), 0);
	assert_int_equal(o.via.map.size, 2);
	const msgpack_object *a = get(&o, "a");
	assert_int_equal(a->type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(a->via.array.size, 3);
	assert_int_equal(get(&a->via.array.ptr[1], "b")->via.array.size, 0);
	assert_int_equal(a->via.array.ptr[2].via.map.size, 0);
	const msgpack_object *d = get(get(&o, "c"), "d");
	assert_int_equal(d->via.array.size, 2);
	assert_int_equal(d->via.array.ptr[1].type, MSGPACK_OBJECT_NIL);
	/* Past 65535 elements: a 5-byte array header, the body moved up. */
	size_t nbig = 70000;
	char *arr = malloc(nbig * 2 + 2);
	assert_non_null(arr);
	arr[0] = '[';
	for (size_t i = 0; i < nbig; i++) {
		arr[1 + 2 * i] = '7';
		arr[2 + 2 * i] = i + 1 < nbig ? ',' : ']';
	}
	arr[nbig * 2 + 1] = 0;
	assert_int_equal(conv(arr, &z, &o), 0);
	free(arr);
	assert_int_equal(o.type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(o.via.array.size, nbig);
	assert_int_equal(o.via.array.ptr[nbig - 1].via.u64, 7);
	assert_int_equal(conv("{ \"a\" : 1 , \"b\" : \"x,y}\" }", &z, &o), 0);
	assert_int_equal(o.via.map.size, 2);
	assert_str(get(&o, "b"), "x,y}", 4);
	msgpack_zone_destroy(&z);
	release_kept();
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "{", "}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "\"abc",
		"\"\\x\"", "\"\\u12\"", "tru", "nul", "{\"a\":1}x", "{\"a\":1}{}", "-", "1.", "1e",
		"{1:2}", "[", "{\"a\":[1}", "01x",
	};
	msgpack_zone z;
	msgpack_zone_init(&z, 256);
	msgpack_object o;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (conv(bad[i], &z, &o) == 0)
			fail_msg("accepted: %s", bad[i]);
	}
	/* Nesting past the depth limit. */
	char deep[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	assert_int_equal(conv(deep, &z, &o), -1);
	msgpack_zone_destroy(&z);
	release_kept();
}

static void test_addresses(void **state)
{
	struct fluentd_address a;
	char why[256];
	assert_int_equal(fluentd_parse_address("/var/run/fluentd.sock", &a, why, sizeof why), 0);
	assert_false(a.tcp);
	assert_string_equal(a.path, "/var/run/fluentd.sock");
	assert_int_equal(fluentd_parse_address("unix:///tmp/f.sock", &a, why, sizeof why), 0);
	assert_string_equal(a.path, "/tmp/f.sock");
	assert_int_equal(fluentd_parse_address("fluent.sock", &a, why, sizeof why), 0);
	assert_int_equal(fluentd_parse_address("tcp://collector.example", &a, why, sizeof why), 0);
	assert_true(a.tcp);
	assert_string_equal(a.host, "collector.example");
	assert_string_equal(a.port, "24224");
	assert_int_equal(fluentd_parse_address("tcp://127.0.0.1:5170", &a, why, sizeof why), 0);
	assert_string_equal(a.host, "127.0.0.1");
	assert_string_equal(a.port, "5170");
	assert_int_equal(fluentd_parse_address("tcp://[::1]:24225", &a, why, sizeof why), 0);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "24225");
	assert_int_equal(fluentd_parse_address("tcp://[::1]", &a, why, sizeof why), 0);
	assert_string_equal(a.port, "24224");
	static const char *const bad[] = {
		"tcp://", "tcp://:24224", "tcp://h:0", "tcp://h:65536", "tcp://h:x", "tcp://::1",
		"tcp://[::1", "tcp://[::1]x", "udp://h:1", "http://h", "unix://", "",
		"/a/very/long/path/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (fluentd_parse_address(bad[i], &a, why, sizeof why) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strlen(why) > 0);
	}
}

/* ---------------------------------------------------------------- a server */

static char tmpdir[64], sockpath[128];

static int setup_dir(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pdnslog-fluentd-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sockpath, sizeof sockpath, "%s/fluent.sock", tmpdir);
	return 0;
}

static int teardown_dir(void **state)
{
	unlink(sockpath);
	rmdir(tmpdir);
	return 0;
}

#define MAXREC 20000
struct server {
	int lfd;
	int mute_frames;        /* first connection: read this many messages, ack none, close */
	bool ack;               /* answer chunks */
	pthread_mutex_t lock;
	int connections, messages;
	long seen[MAXREC];      /* each record's "i", in arrival order */
	int nseen;
	char tag[64];
	bool int_times, sizes_ok, chunks_ok, time_ok;
	int64_t t0;
	atomic_bool quit;
};

static void server_record(struct server *s, const msgpack_object *entry)
{
	if (entry->type != MSGPACK_OBJECT_ARRAY || entry->via.array.size != 2)
		return;
	const msgpack_object *t = &entry->via.array.ptr[0], *r = &entry->via.array.ptr[1];
	if (t->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		s->int_times = false;
	else if ((int64_t)t->via.u64 < s->t0 - 1 || (int64_t)t->via.u64 > time(NULL) + 1)
		s->time_ok = false;
	long i = -1;
	if (r->type == MSGPACK_OBJECT_MAP)
		for (uint32_t k = 0; k < r->via.map.size; k++)
			if (r->via.map.ptr[k].key.via.str.size == 1 && r->via.map.ptr[k].key.via.str.ptr[0] == 'i')
				i = (long)r->via.map.ptr[k].val.via.u64;
	if (s->nseen < MAXREC)
		s->seen[s->nseen++] = i;
}

/* One message: [tag, bin, {size, chunk}]; returns its chunk (or "") in chunk. */
static void server_message(struct server *s, const msgpack_object *m, char *chunk, size_t len)
{
	chunk[0] = 0;
	assert_int_equal(m->type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(m->via.array.size, 3);
	const msgpack_object *tag = &m->via.array.ptr[0], *bin = &m->via.array.ptr[1],
			     *opt = &m->via.array.ptr[2];
	assert_int_equal(tag->type, MSGPACK_OBJECT_STR);
	snprintf(s->tag, sizeof s->tag, "%.*s", (int)tag->via.str.size, tag->via.str.ptr);
	assert_int_equal(bin->type, MSGPACK_OBJECT_BIN);
	assert_int_equal(opt->type, MSGPACK_OBJECT_MAP);
	size_t off = 0;
	int entries = 0;
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	while (msgpack_unpack_next(&u, bin->via.bin.ptr, bin->via.bin.size, &off) == MSGPACK_UNPACK_SUCCESS) {
		server_record(s, &u.data);
		entries++;
	}
	msgpack_unpacked_destroy(&u);
	assert_int_equal(off, bin->via.bin.size);
	bool size_seen = false;
	for (uint32_t k = 0; k < opt->via.map.size; k++) {
		const msgpack_object_kv *kv = &opt->via.map.ptr[k];
		if (kv->key.via.str.size == 4 && memcmp(kv->key.via.str.ptr, "size", 4) == 0)
			size_seen = kv->val.via.u64 == (uint64_t)entries;
		if (kv->key.via.str.size == 5 && memcmp(kv->key.via.str.ptr, "chunk", 5) == 0) {
			snprintf(chunk, len, "%.*s", (int)kv->val.via.str.size, kv->val.via.str.ptr);
			if (kv->val.via.str.size != 24 || chunk[22] != '=' || chunk[23] != '=')
				s->chunks_ok = false;
		}
	}
	if (!size_seen)
		s->sizes_ok = false;
}

static void *server_run(void *arg)
{
	struct server *s = arg;
	while (!s->quit) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		int conn = ++s->connections;
		pthread_mutex_unlock(&s->lock);
		msgpack_unpacker up;
		msgpack_unpacker_init(&up, 4096);
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		int read_here = 0;
		bool done = false;
		while (!done && !s->quit) {
			struct pollfd q = { .fd = fd, .events = POLLIN };
			if (poll(&q, 1, 50) <= 0)
				continue;
			msgpack_unpacker_reserve_buffer(&up, 65536);
			ssize_t n = read(fd, msgpack_unpacker_buffer(&up), msgpack_unpacker_buffer_capacity(&up));
			if (n <= 0)
				break;
			msgpack_unpacker_buffer_consumed(&up, (size_t)n);
			while (msgpack_unpacker_next(&up, &u) == MSGPACK_UNPACK_SUCCESS) {
				char chunk[64];
				pthread_mutex_lock(&s->lock);
				server_message(s, &u.data, chunk, sizeof chunk);
				s->messages++;
				pthread_mutex_unlock(&s->lock);
				read_here++;
				if (conn == 1 && s->mute_frames) {
					if (read_here >= s->mute_frames) {
						done = true; /* gone without a word */
						break;
					}
					continue;
				}
				if (s->ack && chunk[0]) {
					msgpack_sbuffer sb;
					msgpack_sbuffer_init(&sb);
					msgpack_packer pk;
					msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
					msgpack_pack_map(&pk, 1);
					msgpack_pack_str_with_body(&pk, "ack", 3);
					msgpack_pack_str_with_body(&pk, chunk, strlen(chunk));
					assert_int_equal(write(fd, sb.data, sb.size), (ssize_t)sb.size);
					msgpack_sbuffer_destroy(&sb);
				}
			}
		}
		msgpack_unpacked_destroy(&u);
		msgpack_unpacker_destroy(&up);
		close(fd);
	}
	return NULL;
}

static void server_start(struct server *s, pthread_t *t)
{
	unlink(sockpath);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sockpath, strlen(sockpath) + 1);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	pthread_mutex_init(&s->lock, NULL);
	s->int_times = s->sizes_ok = s->chunks_ok = s->time_ok = true;
	s->t0 = time(NULL);
	assert_int_equal(pthread_create(t, NULL, server_run, s), 0);
}

static void server_stop(struct server *s, pthread_t t)
{
	s->quit = true;
	pthread_join(t, NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->lock);
}

/* A batch of n records "i" from first on, as a worker hands them over. */
static size_t batch(struct fluentd_sink *f, int first, int n)
{
	char buf[1 << 16];
	size_t len = 0;
	for (int i = first; i < first + n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"{\"i\":%d,\"q\":\"name%d.example\",\"rcode\":null,\"aa\":true}\n", i, i);
	return fluentd_write(f, buf, len, (size_t)n, 0);
}

static struct fluentd_sink *open_sink(bool ack, long long queue)
{
	struct fluentd_config cfg = { .address = sockpath, .tag = "sensor1.service",
				      .queue_max = queue, .ack = ack, .ack_timeout_ns = 5000000000LL };
	char err[256];
	struct fluentd_sink *f = fluentd_open(&cfg, err, sizeof err);
	if (!f)
		fail_msg("%s", err);
	return f;
}

static void assert_in_order_once(const struct server *s, int n)
{
	assert_int_equal(s->nseen, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(s->seen[i], i);
}

static void test_delivered_with_ack(void **state)
{
	struct server s = { .ack = true };
	pthread_t t;
	server_start(&s, &t);
	struct fluentd_sink *f = open_sink(true, 100000);
	int n = 0;
	for (int b = 0; b < 50; b++, n += 100)
		assert_int_equal(batch(f, n, 100), 100);
	struct fluentd_counters c;
	fluentd_close(f, 10000000000LL, &c);
	server_stop(&s, t);
	assert_int_equal(c.delivered, (uint64_t)n);
	assert_int_equal(c.retried + c.dropped + c.undelivered + c.errors, 0);
	assert_in_order_once(&s, n);
	assert_string_equal(s.tag, "sensor1.service");
	assert_true(s.int_times && s.time_ok && s.sizes_ok && s.chunks_ok);
	assert_true(s.messages < 50); /* batches travel together */
}

static void test_unacknowledged_sent_again(void **state)
{
	struct server s = { .ack = true, .mute_frames = 1 };
	pthread_t t;
	server_start(&s, &t);
	struct fluentd_sink *f = open_sink(true, 100000);
	assert_int_equal(batch(f, 0, 300), 300);
	/* The first message goes and is swallowed; the sink sees the server
	 * go before the rest comes. */
	struct fluentd_counters c;
	for (int i = 0; i < 500; i++) {
		fluentd_get_counters(f, &c);
		if (c.errors)
			break;
		usleep(10000);
	}
	assert_true(c.errors >= 1);
	assert_int_equal(batch(f, 300, 200), 200);
	fluentd_close(f, 10000000000LL, &c);
	server_stop(&s, t);
	assert_int_equal(c.delivered, 500);
	assert_int_equal(c.retried, 300); /* the swallowed message, again */
	assert_true(c.errors >= 1);
	assert_int_equal(c.dropped + c.undelivered, 0);
	assert_true(s.connections >= 2);
	/* 0..299 twice (the second time acknowledged), then the rest once. */
	assert_int_equal(s.nseen, 800);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(s.seen[i], i);
		assert_int_equal(s.seen[300 + i], i);
	}
	for (int i = 300; i < 500; i++)
		assert_int_equal(s.seen[300 + i], i);
}

static void test_absent_then_bounded(void **state)
{
	unlink(sockpath);
	struct fluentd_sink *f = open_sink(true, 150);
	assert_int_equal(batch(f, 0, 100), 100);
	assert_int_equal(batch(f, 100, 100), 50); /* 50 fit, 50 dropped */
	assert_int_equal(batch(f, 200, 10), 0);
	struct fluentd_counters c;
	fluentd_get_counters(f, &c);
	assert_int_equal(c.dropped, 60);
	assert_true(c.errors >= 1); /* the connects that failed */
	/* The server comes: the queued records go, in order. */
	struct server s = { .ack = true };
	pthread_t t;
	server_start(&s, &t);
	fluentd_close(f, 10000000000LL, &c);
	server_stop(&s, t);
	assert_int_equal(c.delivered, 150);
	assert_int_equal(c.dropped, 60);
	assert_int_equal(c.undelivered, 0);
	assert_in_order_once(&s, 150);
}

static void test_never_there(void **state)
{
	unlink(sockpath);
	struct fluentd_sink *f = open_sink(true, 1000);
	assert_int_equal(batch(f, 0, 40), 40);
	struct fluentd_counters c;
	fluentd_close(f, 300000000LL, &c);
	assert_int_equal(c.delivered, 0);
	assert_int_equal(c.undelivered, 40);
}

static void test_without_ack(void **state)
{
	struct server s = { .ack = true };
	pthread_t t;
	server_start(&s, &t);
	struct fluentd_sink *f = open_sink(false, 100000);
	assert_int_equal(batch(f, 0, 250), 250);
	assert_int_equal(batch(f, 250, 250), 250);
	struct fluentd_counters c;
	fluentd_close(f, 10000000000LL, &c);
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&s.lock);
		int seen = s.nseen;
		pthread_mutex_unlock(&s.lock);
		if (seen >= 500)
			break;
		usleep(10000);
	}
	server_stop(&s, t);
	assert_int_equal(c.delivered, 500);
	assert_in_order_once(&s, 500);
	assert_true(s.sizes_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_record),
		cmocka_unit_test(test_escapes_and_numbers),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test_setup_teardown(test_delivered_with_ack, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_unacknowledged_sent_again, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_absent_then_bounded, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_never_there, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_without_ack, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests_name("fluentd", tests, NULL, NULL);
}
