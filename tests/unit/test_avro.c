/* Unit tests: the Avro encoder of -kafka_avro (src/format/avro.c).
 *
 * - Parsing Canonical Form and CRC-64-AVRO against the vectors of the Avro
 *   project's own schema tests (share/test/data/schema-tests.txt);
 * - the schemas built in are the docs/ files byte for byte, and
 *   gopassivedns's is already canonical (so its fingerprint is the one
 *   gopassivedns computes over its text);
 * - messages: the single-object header, then a record avro-c's reader reads
 *   back with the right values, for both schemas, for answered,
 *   unanswered, error and response-only exchanges and a sensor that is not
 *   UTF-8;
 * - no memory is allocated per record once the encoder has warmed up: every
 *   malloc, calloc and realloc of the process is counted around 10000
 *   records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "dns/message.h"
#include "format/avro.h"
#include "format/record.h"

/* ---- Counting every allocation of the process (glibc's allocator under);
 * under a sanitizer, whose runtime owns malloc, only avro-c's (through its
 * allocator hook). */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

static int counting;
static unsigned long allocations;

#ifdef SANITIZED
static void *avro_counting_allocator(void *ud, void *ptr, size_t osize, size_t nsize)
{
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	if (counting)
		allocations++;
	return realloc(ptr, nsize);
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

void *malloc(size_t n)
{
	if (counting)
		allocations++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (counting)
		allocations++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	if (counting)
		allocations++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}
#endif

/* ---- Canonical form and fingerprint: the Avro project's vectors. */

static const struct {
	const char *input, *canonical;
	int64_t fingerprint; /* 0: the vector has none */
} vectors[] = {
	{ "\"null\"", "\"null\"", 7195948357588979594LL },
	{ "{\"type\":\"null\"}", "\"null\"", 0 },
	{ "\"boolean\"", "\"boolean\"", -6970731678124411036LL },
	{ "\"int\"", "\"int\"", 8247732601305521295LL },
	{ "{\"type\":\"int\"}", "\"int\"", 0 },
	{ "\"long\"", "\"long\"", -3434872931120570953LL },
	{ "\"float\"", "\"float\"", 5583340709985441680LL },
	{ "\"double\"", "\"double\"", -8181574048448539266LL },
	{ "\"bytes\"", "\"bytes\"", 5746618253357095269LL },
	{ "\"string\"", "\"string\"", -8142146995180207161LL },
	{ "[ \"int\"  ]", "[\"int\"]", -5232228896498058493LL },
	{ "[ \"int\" , {\"type\":\"boolean\"} ]", "[\"int\",\"boolean\"]", 5392556393470105090LL },
	{ "{\"fields\":[], \"type\":\"record\", \"name\":\"foo\"}",
	  "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922LL },
	{ "{\"fields\":[], \"type\":\"record\", \"name\":\"foo\", \"namespace\":\"x.y\"}",
	  "{\"name\":\"x.y.foo\",\"type\":\"record\",\"fields\":[]}", 5916914534497305771LL },
	{ "{\"fields\":[], \"type\":\"record\", \"name\":\"a.b.foo\", \"namespace\":\"x.y\"}",
	  "{\"name\":\"a.b.foo\",\"type\":\"record\",\"fields\":[]}", -4616218487480524110LL },
	{ "{\"fields\":[], \"type\":\"record\", \"name\":\"foo\", \"doc\":\"Useful info\"}",
	  "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922LL },
	{ "{\"fields\":[{\"type\":{\"type\":\"boolean\"}, \"name\":\"f1\"}], \"type\":\"record\", \"name\":\"foo\"}",
	  "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\",\"type\":\"boolean\"}]}",
	  7843277075252814651LL },
	{ "{ \"fields\":[{\"type\":\"boolean\", \"aliases\":[], \"name\":\"f1\", \"default\":true},\n"
	  "  {\"order\":\"descending\",\"name\":\"f2\",\"doc\":\"Hello\",\"type\":\"int\"}],\n"
	  "  \"type\":\"record\", \"name\":\"foo\"}",
	  "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\",\"type\":\"boolean\"},"
	  "{\"name\":\"f2\",\"type\":\"int\"}]}", -4860222112080293046LL },
	{ "{\"type\":\"enum\", \"name\":\"foo\", \"symbols\":[\"A1\"]}",
	  "{\"name\":\"foo\",\"type\":\"enum\",\"symbols\":[\"A1\"]}", -6342190197741309591LL },
	{ "{\"namespace\":\"x.y.z\", \"type\":\"enum\", \"name\":\"foo\", \"doc\":\"foo bar\", \"symbols\":[\"A1\", \"A2\"]}",
	  "{\"name\":\"x.y.z.foo\",\"type\":\"enum\",\"symbols\":[\"A1\",\"A2\"]}", -4448647247586288245LL },
	{ "{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}",
	  "{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}", 1756455273707447556LL },
	{ "{\"namespace\":\"x.y.z\", \"type\":\"fixed\", \"name\":\"foo\", \"doc\":\"foo bar\", \"size\":32}",
	  "{\"name\":\"x.y.z.foo\",\"type\":\"fixed\",\"size\":32}", -3064184465700546786LL },
	{ "{ \"items\":{\"type\":\"null\"}, \"type\":\"array\"}", "{\"type\":\"array\",\"items\":\"null\"}",
	  -589620603366471059LL },
	{ "{ \"values\":\"string\", \"type\":\"map\"}", "{\"type\":\"map\",\"values\":\"string\"}",
	  -8732877298790414990LL },
	{ "{\"name\":\"PigValue\",\"type\":\"record\",\n"
	  "   \"fields\":[{\"name\":\"value\", \"type\":[\"null\", \"int\", \"long\", \"PigValue\"]}]}",
	  "{\"name\":\"PigValue\",\"type\":\"record\",\"fields\":[{\"name\":\"value\",\"type\":"
	  "[\"null\",\"int\",\"long\",\"PigValue\"]}]}", -1759257747318642341LL },
};

static void test_canonical_vectors(void **state)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		struct strbuf sb;
		char err[256];
		strbuf_init(&sb);
		if (avro_canonical_form(vectors[i].input, strlen(vectors[i].input), &sb, err, sizeof err) < 0)
			fail_msg("vector %zu: %s", i, err);
		strbuf_putc(&sb, 0);
		if (strcmp(sb.p, vectors[i].canonical) != 0)
			fail_msg("vector %zu: canonical form %s, want %s", i, sb.p, vectors[i].canonical);
		if (vectors[i].fingerprint)
			assert_int_equal((int64_t)avro_crc64(sb.p, sb.len - 1), vectors[i].fingerprint);
		strbuf_free(&sb);
	}
	/* The empty input: the specification's EMPTY constant. */
	assert_true(avro_crc64("", 0) == UINT64_C(0xc15d213aa4d7a795));
}

static void test_bad_schema(void **state)
{
	struct strbuf sb;
	char err[256] = "";
	strbuf_init(&sb);
	assert_int_equal(avro_canonical_form("{\"type\":\"recor", 14, &sb, err, sizeof err), -1);
	assert_non_null(strstr(err, "avro schema"));
	strbuf_free(&sb);
	enum avro_record_schema which;
	assert_true(avro_record_schema_parse("pdnslog", &which) && which == AVRO_RECORD_PDNSLOG);
	assert_true(avro_record_schema_parse("gopassivedns", &which) && which == AVRO_RECORD_GOPASSIVEDNS);
	assert_false(avro_record_schema_parse("json", &which));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open (unit tests run from the repository's top)", path);
	static char buf[16384];
	*len = fread(buf, 1, sizeof buf - 1, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void test_schemas_are_the_docs_files(void **state)
{
	size_t len;
	const char *want = slurp("docs/gopassivedns-dnslogentry.avsc", &len);
	assert_string_equal(avro_record_schema_json(AVRO_RECORD_GOPASSIVEDNS), want);
	want = slurp("docs/pdnslog-record.avsc", &len);
	assert_string_equal(avro_record_schema_json(AVRO_RECORD_PDNSLOG), want);

	/* gopassivedns's schema text is its own canonical form: the
	 * fingerprint is the CRC-64-AVRO of that text, as gopassivedns
	 * computes it. */
	const char *gp = avro_record_schema_json(AVRO_RECORD_GOPASSIVEDNS);
	struct strbuf sb;
	char err[256];
	strbuf_init(&sb);
	assert_int_equal(avro_canonical_form(gp, strlen(gp), &sb, err, sizeof err), 0);
	assert_int_equal(sb.len, strlen(gp) - 1);
	assert_memory_equal(sb.p, gp, sb.len);
	struct avro_enc *e = avro_enc_new(AVRO_RECORD_GOPASSIVEDNS, err, sizeof err);
	assert_non_null(e);
	assert_true(avro_enc_fingerprint(e) == avro_crc64(gp, strlen(gp) - 1));
	/* The values python3-avro's canonical forms give (README, pdnslog.8). */
	assert_true(avro_enc_fingerprint(e) == UINT64_C(0xccccda1c31be6071));
	avro_enc_free(e);
	e = avro_enc_new(AVRO_RECORD_PDNSLOG, err, sizeof err);
	assert_true(avro_enc_fingerprint(e) == UINT64_C(0x53a57b247073a3be));
	avro_enc_free(e);
	strbuf_free(&sb);
}

/* ---- Messages. */

/* A DNS message: header, the question www.example.com A, then `nans` A
 * records 192.0.2.1.. with TTL 300 + i. */
static size_t make_msg(uint8_t *b, uint16_t id, uint16_t flags, int nans)
{
	size_t n = 0;
	b[n++] = (uint8_t)(id >> 8);
	b[n++] = (uint8_t)id;
	b[n++] = (uint8_t)(flags >> 8);
	b[n++] = (uint8_t)flags;
	const uint8_t counts[8] = { 0, 1, 0, (uint8_t)nans, 0, 0, 0, 0 };
	memcpy(b + n, counts, 8);
	n += 8;
	memcpy(b + n, "\3www\7example\3com\0\0\1\0\1", 21);
	n += 21;
	for (int i = 0; i < nans; i++) {
		const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, (uint8_t)(44 + i), 0, 4,
				       192, 0, 2, (uint8_t)(1 + i) };
		memcpy(b + n, rr, sizeof rr);
		n += sizeof rr;
	}
	return n;
}

struct captured {
	int n;
	uint8_t msg[8][512];
	size_t len[8];
};

static void capture_msg(void *ctx, const uint8_t *msg, size_t len)
{
	struct captured *c = ctx;
	if (c->n < 8 && len <= sizeof c->msg[0]) {
		memcpy(c->msg[c->n], msg, len);
		c->len[c->n] = len;
	}
	c->n++;
}

struct fixture {
	uint8_t qwire[512], rwire[512];
	struct dns_rr qrrs[16], rrrs[16];
	struct dns_msg qm, rm;
	struct leg q, r;
	struct flow_key key;
	struct exchange x;
	struct stats stats;
	struct format_ctx f;
};

/* An exchange of 10.0.0.7:4242 asking 10.0.0.53 over UDP: with a query
 * and/or a response (rflags its flags, nans its answers). */
static void make_exchange(struct fixture *fx, bool query, bool response, uint16_t rflags, int nans)
{
	memset(fx, 0, sizeof *fx);
	fx->key = (struct flow_key){ .cport = 4242, .sport = 53, .id = 0x1234, .family = 4, .proto = 17 };
	memcpy(fx->key.client, "\x0a\x00\x00\x07", 4);
	memcpy(fx->key.server, "\x0a\x00\x00\x35", 4);
	fx->x.key = &fx->key;
	if (query) {
		size_t n = make_msg(fx->qwire, 0x1234, 0x0100, 0);
		assert_int_equal(dns_msg_parse(&fx->qm, fx->qwire, n, fx->qrrs, 16), DNS_OK);
		fx->q = (struct leg){ .wire = fx->qwire, .len = n, .ts_ns = 1700000000123456000LL, .ts_digits = 6 };
		fx->x.qleg = &fx->q;
		fx->x.query = &fx->qm;
	}
	if (response) {
		size_t n = make_msg(fx->rwire, 0x1234, rflags, nans);
		assert_int_equal(dns_msg_parse(&fx->rm, fx->rwire, n, fx->rrrs, 16), DNS_OK);
		fx->r = (struct leg){ .wire = fx->rwire, .len = n, .ts_ns = 1700000000125456000LL, .ts_digits = 6 };
		fx->x.rleg = &fx->r;
		fx->x.response = &fx->rm;
	}
	fx->x.status = query && response ? ST_ANSWERED : query ? ST_UNANSWERED : ST_RESPONSE_ONLY;
	fx->f.sensor = "sensor-1";
	fx->f.level = "";
	fx->f.stats = &fx->stats;
}

/* A message read back by avro-c into a generic value of the schema. */
struct decoded {
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t v;
};

static void decode(struct decoded *d, enum avro_record_schema which, const uint8_t *msg, size_t len,
		   uint64_t fingerprint)
{
	assert_true(len > AVRO_SINGLE_OBJECT_HEADER);
	assert_int_equal(msg[0], 0xC3);
	assert_int_equal(msg[1], 0x01);
	uint64_t fp = 0;
	for (int i = 7; i >= 0; i--)
		fp = fp << 8 | msg[2 + i]; /* little-endian */
	assert_true(fp == fingerprint);
	const char *json = avro_record_schema_json(which);
	assert_int_equal(avro_schema_from_json_length(json, strlen(json), &d->schema), 0);
	d->iface = avro_generic_class_from_schema(d->schema);
	assert_int_equal(avro_generic_value_new(d->iface, &d->v), 0);
	avro_reader_t rd = avro_reader_memory((const char *)msg + AVRO_SINGLE_OBJECT_HEADER,
					      (int64_t)(len - AVRO_SINGLE_OBJECT_HEADER));
	assert_int_equal(avro_value_read(rd, &d->v), 0);
	/* Nothing left over. */
	char extra;
	assert_int_not_equal(avro_read(rd, &extra, 1), 0);
	avro_reader_free(rd);
}

static void decoded_free(struct decoded *d)
{
	avro_value_decref(&d->v);
	avro_value_iface_decref(d->iface);
	avro_schema_decref(d->schema);
}

/* The field's value, through a union's branch: NULL for null. */
static avro_value_t *field(struct decoded *d, const char *name, avro_value_t *out)
{
	avro_value_t f;
	if (avro_value_get_by_name(&d->v, name, &f, NULL) != 0)
		fail_msg("no field %s", name);
	if (avro_value_get_type(&f) == AVRO_UNION) {
		avro_value_t b;
		assert_int_equal(avro_value_get_current_branch(&f, &b), 0);
		if (avro_value_get_type(&b) == AVRO_NULL)
			return NULL;
		*out = b;
	} else {
		*out = f;
	}
	return out;
}

static int64_t num(struct decoded *d, const char *name)
{
	avro_value_t v;
	if (!field(d, name, &v))
		fail_msg("%s is null", name);
	if (avro_value_get_type(&v) == AVRO_INT32) {
		int32_t i = 0;
		avro_value_get_int(&v, &i);
		return i;
	}
	int64_t l = 0;
	assert_int_equal(avro_value_get_long(&v, &l), 0);
	return l;
}

static bool is_null(struct decoded *d, const char *name)
{
	avro_value_t v;
	return field(d, name, &v) == NULL;
}

static void str_is(struct decoded *d, const char *name, const char *want)
{
	avro_value_t v;
	const char *s;
	size_t size = 0;
	assert_non_null(field(d, name, &v));
	assert_int_equal(avro_value_get_string(&v, &s, &size), 0);
	if (size != strlen(want) + 1 || memcmp(s, want, size) != 0)
		fail_msg("%s is \"%.*s\", want \"%s\"", name, (int)size, s, want);
}

static bool flag(struct decoded *d, const char *name)
{
	avro_value_t v;
	int b = 0;
	assert_non_null(field(d, name, &v));
	assert_int_equal(avro_value_get_boolean(&v, &b), 0);
	return b;
}

static void test_answered(void **state)
{
	for (int which = AVRO_RECORD_GOPASSIVEDNS; which <= AVRO_RECORD_PDNSLOG; which++) {
		struct fixture fx;
		make_exchange(&fx, true, true, 0x8580, 2); /* QR AA RD RA */
		char err[256];
		struct avro_enc *e = avro_enc_new((enum avro_record_schema)which, err, sizeof err);
		assert_non_null(e);
		struct captured c = { 0 };
		assert_int_equal(avro_enc_exchange(e, &fx.f, &fx.x, capture_msg, &c), 2);
		assert_int_equal(c.n, 2);
		for (int i = 0; i < 2; i++) {
			struct decoded d;
			decode(&d, (enum avro_record_schema)which, c.msg[i], c.len[i], avro_enc_fingerprint(e));
			assert_int_equal(num(&d, "query_id"), 0x1234);
			assert_int_equal(num(&d, "rcode"), 0);
			str_is(&d, "q", "www.example.com");
			str_is(&d, "qtype", "A");
			str_is(&d, "a", i == 0 ? "192.0.2.1" : "192.0.2.2");
			str_is(&d, "atype", "A");
			assert_int_equal(num(&d, "ttl"), 300 + i);
			str_is(&d, "dst", "10.0.0.53");
			str_is(&d, "src", "10.0.0.7");
			str_is(&d, "tstamp", "2023-11-14T22:13:20.123456Z");
			assert_int_equal(num(&d, "elapsed"), 2000000);
			str_is(&d, "sport", "4242");
			str_is(&d, "level", "");
			assert_int_equal(num(&d, "bytes"), 33 + 2 * 16);
			str_is(&d, "protocol", "udp");
			assert_false(flag(&d, "truncated"));
			assert_true(flag(&d, "aa"));
			assert_true(flag(&d, "rd"));
			assert_true(flag(&d, "ra"));
			if (which == AVRO_RECORD_PDNSLOG) {
				str_is(&d, "status", "answered");
				str_is(&d, "sensor", "sensor-1");
			}
			decoded_free(&d);
		}
		assert_int_equal(fx.stats.kafka_avro_errors, 0);
		avro_enc_free(e);
	}
}

static void test_unanswered_and_errors(void **state)
{
	char err[256];
	struct avro_enc *gp = avro_enc_new(AVRO_RECORD_GOPASSIVEDNS, err, sizeof err);
	struct avro_enc *pd = avro_enc_new(AVRO_RECORD_PDNSLOG, err, sizeof err);
	assert_non_null(gp);
	assert_non_null(pd);
	struct fixture fx;
	struct captured c;
	struct decoded d;

	/* Unanswered: null rcode and elapsed (pdnslog), -1 (gopassivedns). */
	make_exchange(&fx, true, false, 0, 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(avro_enc_exchange(pd, &fx.f, &fx.x, capture_msg, &c), 1);
	decode(&d, AVRO_RECORD_PDNSLOG, c.msg[0], c.len[0], avro_enc_fingerprint(pd));
	assert_true(is_null(&d, "rcode"));
	assert_true(is_null(&d, "elapsed"));
	str_is(&d, "a", "");
	str_is(&d, "atype", "");
	assert_int_equal(num(&d, "bytes"), 0);
	assert_true(flag(&d, "rd"));
	str_is(&d, "status", "unanswered");
	decoded_free(&d);
	memset(&c, 0, sizeof c);
	assert_int_equal(avro_enc_exchange(gp, &fx.f, &fx.x, capture_msg, &c), 1);
	decode(&d, AVRO_RECORD_GOPASSIVEDNS, c.msg[0], c.len[0], avro_enc_fingerprint(gp));
	assert_int_equal(num(&d, "rcode"), -1);
	assert_int_equal(num(&d, "elapsed"), -1);
	str_is(&d, "q", "www.example.com");
	decoded_free(&d);

	/* NXDOMAIN: one record, the rcode's name in a. */
	make_exchange(&fx, true, true, 0x8183, 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(avro_enc_exchange(pd, &fx.f, &fx.x, capture_msg, &c), 1);
	decode(&d, AVRO_RECORD_PDNSLOG, c.msg[0], c.len[0], avro_enc_fingerprint(pd));
	assert_int_equal(num(&d, "rcode"), 3);
	str_is(&d, "a", "NXDOMAIN");
	str_is(&d, "atype", "");
	decoded_free(&d);

	/* A response alone: rcode known, elapsed null; tstamp the response's. */
	make_exchange(&fx, false, true, 0x8180, 1);
	memset(&c, 0, sizeof c);
	assert_int_equal(avro_enc_exchange(pd, &fx.f, &fx.x, capture_msg, &c), 1);
	decode(&d, AVRO_RECORD_PDNSLOG, c.msg[0], c.len[0], avro_enc_fingerprint(pd));
	assert_int_equal(num(&d, "rcode"), 0);
	assert_true(is_null(&d, "elapsed"));
	str_is(&d, "tstamp", "2023-11-14T22:13:20.125456Z");
	str_is(&d, "status", "response_only");
	decoded_free(&d);
	memset(&c, 0, sizeof c);
	assert_int_equal(avro_enc_exchange(gp, &fx.f, &fx.x, capture_msg, &c), 1);
	decode(&d, AVRO_RECORD_GOPASSIVEDNS, c.msg[0], c.len[0], avro_enc_fingerprint(gp));
	assert_int_equal(num(&d, "rcode"), 0);
	assert_int_equal(num(&d, "elapsed"), -1);
	decoded_free(&d);

	avro_enc_free(gp);
	avro_enc_free(pd);
}

/* A sensor name that is not UTF-8: each stray byte becomes the character
 * of the same number, as the JSON record's \u00XX. */
static void test_sensor_not_utf8(void **state)
{
	char err[256];
	struct avro_enc *pd = avro_enc_new(AVRO_RECORD_PDNSLOG, err, sizeof err);
	struct fixture fx;
	make_exchange(&fx, true, true, 0x8180, 1);
	fx.f.sensor = "caf\xe9-\xc3\xa9";
	struct captured c = { 0 };
	assert_int_equal(avro_enc_exchange(pd, &fx.f, &fx.x, capture_msg, &c), 1);
	struct decoded d;
	decode(&d, AVRO_RECORD_PDNSLOG, c.msg[0], c.len[0], avro_enc_fingerprint(pd));
	str_is(&d, "sensor", "caf\xc3\xa9-\xc3\xa9");
	decoded_free(&d);
	avro_enc_free(pd);
}

static void count_only(void *ctx, const uint8_t *msg, size_t len)
{
	(*(size_t *)ctx) += len;
}

/* Warmed up, the encoder allocates nothing per record. */
static void test_no_allocation_per_record(void **state)
{
	for (int which = AVRO_RECORD_GOPASSIVEDNS; which <= AVRO_RECORD_PDNSLOG; which++) {
		char err[256];
		struct avro_enc *e = avro_enc_new((enum avro_record_schema)which, err, sizeof err);
		struct fixture answered, unanswered, nx;
		make_exchange(&answered, true, true, 0x8180, 3);
		make_exchange(&unanswered, true, false, 0, 0);
		make_exchange(&nx, true, true, 0x8183, 0);
		size_t bytes = 0;
		const struct fixture *all[] = { &answered, &unanswered, &nx };
		for (int i = 0; i < 3; i++) /* warm up: buffers reach their size */
			avro_enc_exchange(e, (struct format_ctx *)&all[i]->f, &all[i]->x, count_only, &bytes);
		allocations = 0;
		counting = 1;
#ifdef SANITIZED
		avro_set_allocator(avro_counting_allocator, NULL);
#else
		void *volatile probe = malloc(64); /* the counter sees allocations */
		free(probe);
		assert_int_equal(allocations, 1);
		allocations = 0;
#endif
		size_t records = 0;
		for (int i = 0; i < 10000; i++) {
			const struct fixture *fx = all[i % 3];
			records += avro_enc_exchange(e, (struct format_ctx *)&fx->f, &fx->x, count_only, &bytes);
		}
		counting = 0; /* the hook stays: its blocks are realloc's, as avro-c's own */
		assert_int_equal(records, 10000 / 3 * 5 + 3); /* 3 + 1 + 1 a round, and a first third */
		if (allocations)
			fail_msg("%lu allocations over %zu records", allocations, records);
		avro_enc_free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_vectors),
		cmocka_unit_test(test_bad_schema),
		cmocka_unit_test(test_schemas_are_the_docs_files),
		cmocka_unit_test(test_answered),
		cmocka_unit_test(test_unanswered_and_errors),
		cmocka_unit_test(test_sensor_not_utf8),
		cmocka_unit_test(test_no_allocation_per_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
