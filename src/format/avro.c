/* avro: flat records as Avro single objects on avro-c (see avro.h). */
#include "format/avro.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "format/timefmt.h"
#include "stats/progress.h"
#include "util/ipfmt.h"

/* The schemas, byte for byte the files in docs/ (tests/unit/test_avro.c
 * holds them to it). */
static const char schema_gopassivedns[] =
	"{\"name\":\"DnsLogEntry\",\"type\":\"record\",\"fields\":["
	"{\"name\":\"query_id\",\"type\":\"int\"},{\"name\":\"rcode\",\"type\":\"int\"},"
	"{\"name\":\"q\",\"type\":\"string\"},{\"name\":\"qtype\",\"type\":\"string\"},"
	"{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"atype\",\"type\":\"string\"},"
	"{\"name\":\"ttl\",\"type\":\"long\"},{\"name\":\"dst\",\"type\":\"string\"},"
	"{\"name\":\"src\",\"type\":\"string\"},{\"name\":\"tstamp\",\"type\":\"string\"},"
	"{\"name\":\"elapsed\",\"type\":\"long\"},{\"name\":\"sport\",\"type\":\"string\"},"
	"{\"name\":\"level\",\"type\":\"string\"},{\"name\":\"bytes\",\"type\":\"int\"},"
	"{\"name\":\"protocol\",\"type\":\"string\"},{\"name\":\"truncated\",\"type\":\"boolean\"},"
	"{\"name\":\"aa\",\"type\":\"boolean\"},{\"name\":\"rd\",\"type\":\"boolean\"},"
	"{\"name\":\"ra\",\"type\":\"boolean\"}]}\n";

static const char schema_pdnslog[] =
	"{\n"
	"  \"type\": \"record\",\n"
	"  \"name\": \"Record\",\n"
	"  \"namespace\": \"pdnslog\",\n"
	"  \"doc\": \"One pdnslog flat record (one answer of one DNS exchange), as -kafka_avro -kafka_avro_schema pdnslog sends it: the flat JSON record's fields in its order, null where the JSON record has null.\",\n"
	"  \"fields\": [\n"
	"    {\"name\": \"query_id\", \"type\": \"int\", \"doc\": \"DNS ID\"},\n"
	"    {\"name\": \"rcode\", \"type\": [\"null\", \"int\"], \"doc\": \"response code, extended by EDNS; null when unanswered\"},\n"
	"    {\"name\": \"q\", \"type\": \"string\", \"doc\": \"question name, presentation format, no trailing dot (the root is .)\"},\n"
	"    {\"name\": \"qtype\", \"type\": \"string\", \"doc\": \"question type mnemonic (A, HTTPS, TYPE65280)\"},\n"
	"    {\"name\": \"a\", \"type\": \"string\", \"doc\": \"one answer's data in presentation format; the rcode name (NXDOMAIN) for an error; empty when there is no answer\"},\n"
	"    {\"name\": \"atype\", \"type\": \"string\", \"doc\": \"the answer's type mnemonic; empty for an error or no answer\"},\n"
	"    {\"name\": \"ttl\", \"type\": \"long\", \"doc\": \"the answer's TTL as on the wire (unsigned 32 bits)\"},\n"
	"    {\"name\": \"dst\", \"type\": \"string\", \"doc\": \"server address\"},\n"
	"    {\"name\": \"src\", \"type\": \"string\", \"doc\": \"client address\"},\n"
	"    {\"name\": \"tstamp\", \"type\": \"string\", \"doc\": \"capture time of the query (of the response when there was none), RFC 3339 UTC\"},\n"
	"    {\"name\": \"elapsed\", \"type\": [\"null\", \"long\"], \"doc\": \"response time minus query time in nanoseconds; null when unpaired\"},\n"
	"    {\"name\": \"sport\", \"type\": \"string\", \"doc\": \"client port, as text (as gopassivedns wrote it)\"},\n"
	"    {\"name\": \"level\", \"type\": \"string\", \"doc\": \"the syslog priority with -syslog_facility, else empty\"},\n"
	"    {\"name\": \"bytes\", \"type\": \"int\", \"doc\": \"the response's DNS message length, 0 when unanswered\"},\n"
	"    {\"name\": \"protocol\", \"type\": \"string\", \"doc\": \"udp or tcp\"},\n"
	"    {\"name\": \"truncated\", \"type\": \"boolean\", \"doc\": \"TC of the response\"},\n"
	"    {\"name\": \"aa\", \"type\": \"boolean\", \"doc\": \"AA of the response\"},\n"
	"    {\"name\": \"rd\", \"type\": \"boolean\", \"doc\": \"RD of the query (of the response when there was none)\"},\n"
	"    {\"name\": \"ra\", \"type\": \"boolean\", \"doc\": \"RA of the response\"},\n"
	"    {\"name\": \"status\", \"type\": \"string\", \"doc\": \"answered, unanswered or response_only\"},\n"
	"    {\"name\": \"sensor\", \"type\": \"string\", \"doc\": \"-name\"}\n"
	"  ]\n"
	"}\n";

bool avro_record_schema_parse(const char *name, enum avro_record_schema *out)
{
	if (strcmp(name, "gopassivedns") == 0)
		return *out = AVRO_RECORD_GOPASSIVEDNS, true;
	if (strcmp(name, "pdnslog") == 0)
		return *out = AVRO_RECORD_PDNSLOG, true;
	return false;
}

const char *avro_record_schema_json(enum avro_record_schema which)
{
	return which == AVRO_RECORD_PDNSLOG ? schema_pdnslog : schema_gopassivedns;
}

/* ---- The fingerprint: Parsing Canonical Form, then CRC-64-AVRO. ---- */

#define CRC64_AVRO_EMPTY UINT64_C(0xc15d213aa4d7a795)

/* The specification's table-driven loop, a bit at a time: only schemas
 * are fingerprinted, once per encoder. */
uint64_t avro_crc64(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t fp = CRC64_AVRO_EMPTY;
	for (size_t i = 0; i < n; i++) {
		fp ^= b[i];
		for (int k = 0; k < 8; k++)
			fp = (fp >> 1) ^ (CRC64_AVRO_EMPTY & (0 - (fp & 1)));
	}
	return fp;
}

static void put_fullname(struct strbuf *sb, avro_schema_t s)
{
	const char *name = avro_schema_name(s), *space = avro_schema_namespace(s);
	strbuf_putc(sb, '"');
	if (!strchr(name, '.') && space && *space) {
		strbuf_puts(sb, space);
		strbuf_putc(sb, '.');
	}
	strbuf_puts(sb, name);
	strbuf_putc(sb, '"');
}

/* [PRIMITIVES], [FULLNAMES], [STRIP], [ORDER] and [WHITESPACE] of the
 * specification; names and symbols are plain ASCII identifiers, so
 * [STRINGS] and [INTEGERS] have nothing to change. */
static int canonical(struct strbuf *sb, avro_schema_t s, int depth)
{
	if (!s || depth > 64)
		return -1;
	switch (avro_typeof(s)) {
	case AVRO_STRING: strbuf_puts(sb, "\"string\""); return 0;
	case AVRO_BYTES: strbuf_puts(sb, "\"bytes\""); return 0;
	case AVRO_INT32: strbuf_puts(sb, "\"int\""); return 0;
	case AVRO_INT64: strbuf_puts(sb, "\"long\""); return 0;
	case AVRO_FLOAT: strbuf_puts(sb, "\"float\""); return 0;
	case AVRO_DOUBLE: strbuf_puts(sb, "\"double\""); return 0;
	case AVRO_BOOLEAN: strbuf_puts(sb, "\"boolean\""); return 0;
	case AVRO_NULL: strbuf_puts(sb, "\"null\""); return 0;
	case AVRO_LINK: /* a named type used again: its full name */
		put_fullname(sb, avro_schema_link_target(s));
		return 0;
	case AVRO_RECORD: {
		strbuf_puts(sb, "{\"name\":");
		put_fullname(sb, s);
		strbuf_puts(sb, ",\"type\":\"record\",\"fields\":[");
		size_t n = avro_schema_record_size(s);
		for (size_t i = 0; i < n; i++) {
			strbuf_puts(sb, i ? ",{\"name\":\"" : "{\"name\":\"");
			strbuf_puts(sb, avro_schema_record_field_name(s, (int)i));
			strbuf_puts(sb, "\",\"type\":");
			if (canonical(sb, avro_schema_record_field_get_by_index(s, (int)i), depth + 1) < 0)
				return -1;
			strbuf_putc(sb, '}');
		}
		strbuf_puts(sb, "]}");
		return 0;
	}
	case AVRO_ENUM: {
		strbuf_puts(sb, "{\"name\":");
		put_fullname(sb, s);
		strbuf_puts(sb, ",\"type\":\"enum\",\"symbols\":[");
		int n = avro_schema_enum_number_of_symbols(s);
		for (int i = 0; i < n; i++) {
			strbuf_puts(sb, i ? ",\"" : "\"");
			strbuf_puts(sb, avro_schema_enum_get(s, i));
			strbuf_putc(sb, '"');
		}
		strbuf_puts(sb, "]}");
		return 0;
	}
	case AVRO_FIXED:
		strbuf_puts(sb, "{\"name\":");
		put_fullname(sb, s);
		strbuf_puts(sb, ",\"type\":\"fixed\",\"size\":");
		strbuf_put_u64(sb, (uint64_t)avro_schema_fixed_size(s));
		strbuf_putc(sb, '}');
		return 0;
	case AVRO_MAP:
		strbuf_puts(sb, "{\"type\":\"map\",\"values\":");
		if (canonical(sb, avro_schema_map_values(s), depth + 1) < 0)
			return -1;
		strbuf_putc(sb, '}');
		return 0;
	case AVRO_ARRAY:
		strbuf_puts(sb, "{\"type\":\"array\",\"items\":");
		if (canonical(sb, avro_schema_array_items(s), depth + 1) < 0)
			return -1;
		strbuf_putc(sb, '}');
		return 0;
	case AVRO_UNION: {
		strbuf_putc(sb, '[');
		size_t n = avro_schema_union_size(s);
		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_putc(sb, ',');
			if (canonical(sb, avro_schema_union_branch(s, (int)i), depth + 1) < 0)
				return -1;
		}
		strbuf_putc(sb, ']');
		return 0;
	}
	}
	return -1;
}

int avro_canonical_form(const char *json, size_t len, struct strbuf *out, char *err, size_t errlen)
{
	avro_schema_t s;
	if (avro_schema_from_json_length(json, len, &s) != 0) {
		snprintf(err, errlen, "avro schema: %s", avro_strerror());
		return -1;
	}
	int rc = canonical(out, s, 0);
	avro_schema_decref(s);
	if (rc < 0 || out->overflow) {
		snprintf(err, errlen, "avro schema: no canonical form");
		return -1;
	}
	return 0;
}

/* ---- The encoder. ---- */

/* What a flat record has, by the names of its JSON fields. */
enum field {
	F_QUERY_ID, F_RCODE, F_Q, F_QTYPE, F_A, F_ATYPE, F_TTL, F_DST, F_SRC, F_TSTAMP,
	F_ELAPSED, F_SPORT, F_LEVEL, F_BYTES, F_PROTOCOL, F_TRUNCATED, F_AA, F_RD, F_RA,
	F_STATUS, F_SENSOR, NFIELDS
};
enum kind { K_NUMBER, K_STRING, K_BOOL };

static const struct {
	const char *name;
	enum kind kind;
} fields[NFIELDS] = {
	[F_QUERY_ID] = { "query_id", K_NUMBER }, [F_RCODE] = { "rcode", K_NUMBER },
	[F_Q] = { "q", K_STRING }, [F_QTYPE] = { "qtype", K_STRING },
	[F_A] = { "a", K_STRING }, [F_ATYPE] = { "atype", K_STRING },
	[F_TTL] = { "ttl", K_NUMBER }, [F_DST] = { "dst", K_STRING },
	[F_SRC] = { "src", K_STRING }, [F_TSTAMP] = { "tstamp", K_STRING },
	[F_ELAPSED] = { "elapsed", K_NUMBER }, [F_SPORT] = { "sport", K_STRING },
	[F_LEVEL] = { "level", K_STRING }, [F_BYTES] = { "bytes", K_NUMBER },
	[F_PROTOCOL] = { "protocol", K_STRING }, [F_TRUNCATED] = { "truncated", K_BOOL },
	[F_AA] = { "aa", K_BOOL }, [F_RD] = { "rd", K_BOOL }, [F_RA] = { "ra", K_BOOL },
	[F_STATUS] = { "status", K_STRING }, [F_SENSOR] = { "sensor", K_STRING },
};

/* A null where the schema has no null (gopassivedns's): this number. */
#define NULL_AS_NUMBER (-1)

/* One field of the writer schema, bound to the record value's field. */
struct binding {
	enum field id;
	avro_value_t value;
	avro_type_t type;        /* of the non-null branch for a union */
	int null_branch;         /* -1: not nullable */
	int value_branch;
};

/* A field's value for the record being written. */
struct val {
	const char *s;  /* K_STRING: NUL-terminated, len bytes before the NUL */
	size_t len;
	int64_t n;      /* K_NUMBER */
	bool null;      /* K_NUMBER: null in the JSON record */
	bool b;         /* K_BOOL */
};

struct avro_enc {
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t rec;
	bool have_rec;
	struct binding bind[NFIELDS];
	size_t nbind;
	avro_writer_t writer;
	uint8_t *msg;            /* the message: header, then the record */
	size_t cap;
	uint64_t fingerprint;
	struct val v[NFIELDS];
	struct strbuf text;      /* the exchange's strings, each NUL-terminated */
	struct strbuf ans;       /* one answer's strings */
	struct strbuf fixed;     /* the sensor and the level, made once */
	struct strbuf scratch;   /* room to repair UTF-8 */
	bool fixed_made;
};

static atomic_bool error_said;

static void say_error(const char *what)
{
	if (!atomic_exchange(&error_said, true))
		progress_eprintf("pdnslog: kafka: a record could not be Avro-encoded: %s (counted in "
				 "kafka_avro_errors, not sent; further ones only counted)\n", what);
}

static int bind_field(struct avro_enc *e, size_t i, char *err, size_t errlen)
{
	struct binding *b = &e->bind[e->nbind];
	const char *name;
	if (avro_value_get_by_index(&e->rec, i, &b->value, &name) != 0) {
		snprintf(err, errlen, "avro: field %zu: %s", i, avro_strerror());
		return -1;
	}
	size_t id = 0;
	while (id < NFIELDS && strcmp(fields[id].name, name) != 0)
		id++;
	if (id == NFIELDS) {
		snprintf(err, errlen, "avro schema: field \"%s\" is not a flat record field", name);
		return -1;
	}
	b->id = (enum field)id;
	b->null_branch = b->value_branch = -1;
	avro_schema_t fs = avro_schema_record_field_get_by_index(e->schema, (int)i);
	b->type = avro_typeof(fs);
	if (b->type == AVRO_UNION) {
		/* A nullable field: null and one other type. */
		size_t n = avro_schema_union_size(fs);
		for (size_t k = 0; k < n; k++) {
			avro_type_t t = avro_typeof(avro_schema_union_branch(fs, (int)k));
			if (t == AVRO_NULL && b->null_branch < 0)
				b->null_branch = (int)k;
			else if (t != AVRO_NULL && b->value_branch < 0)
				b->value_branch = (int)k, b->type = t;
			else
				b->value_branch = -2;
		}
		if (b->null_branch < 0 || b->value_branch < 0)
			goto unsupported;
	}
	switch (fields[id].kind) {
	case K_NUMBER:
		if (b->type == AVRO_INT32 || b->type == AVRO_INT64)
			break;
		goto unsupported;
	case K_STRING:
		if (b->type == AVRO_STRING)
			break;
		goto unsupported;
	case K_BOOL:
		if (b->type == AVRO_BOOLEAN && b->null_branch < 0)
			break;
		goto unsupported;
	}
	e->nbind++;
	return 0;
unsupported:
	snprintf(err, errlen, "avro schema: field \"%s\": pdnslog writes it as %s, optionally in a "
		 "union with null", name, fields[id].kind == K_NUMBER ? "int or long" :
		 fields[id].kind == K_STRING ? "string" : "boolean");
	return -1;
}

void avro_enc_free(struct avro_enc *e)
{
	if (!e)
		return;
	if (e->writer)
		avro_writer_free(e->writer);
	if (e->have_rec)
		avro_value_decref(&e->rec);
	if (e->iface)
		avro_value_iface_decref(e->iface);
	if (e->schema)
		avro_schema_decref(e->schema);
	free(e->msg);
	strbuf_free(&e->text);
	strbuf_free(&e->ans);
	strbuf_free(&e->fixed);
	strbuf_free(&e->scratch);
	free(e);
}

struct avro_enc *avro_enc_new(enum avro_record_schema which, char *err, size_t errlen)
{
	struct avro_enc *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "avro: out of memory");
		return NULL;
	}
	strbuf_init(&e->text);
	strbuf_init(&e->ans);
	strbuf_init(&e->fixed);
	strbuf_init(&e->scratch);
	const char *json = avro_record_schema_json(which);
	struct strbuf canon;
	strbuf_init(&canon);
	int rc = avro_canonical_form(json, strlen(json), &canon, err, errlen);
	if (rc == 0)
		e->fingerprint = avro_crc64(canon.p, canon.len);
	strbuf_free(&canon);
	if (rc < 0)
		goto fail;
	if (avro_schema_from_json_length(json, strlen(json), &e->schema) != 0 ||
	    !is_avro_record(e->schema)) {
		snprintf(err, errlen, "avro schema: %s", e->schema ? "not a record" : avro_strerror());
		goto fail;
	}
	if (!(e->iface = avro_generic_class_from_schema(e->schema)) ||
	    avro_generic_value_new(e->iface, &e->rec) != 0) {
		snprintf(err, errlen, "avro: %s", avro_strerror());
		goto fail;
	}
	e->have_rec = true;
	size_t n = avro_schema_record_size(e->schema);
	if (n > NFIELDS) {
		snprintf(err, errlen, "avro schema: more fields than a flat record has");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (bind_field(e, i, err, errlen) < 0)
			goto fail;
	e->cap = 4096;
	if (!(e->msg = malloc(e->cap))) {
		snprintf(err, errlen, "avro: out of memory");
		goto fail;
	}
	e->msg[0] = 0xC3;
	e->msg[1] = 0x01;
	for (int i = 0; i < 8; i++)
		e->msg[2 + i] = (uint8_t)(e->fingerprint >> (8 * i));
	e->writer = avro_writer_memory((const char *)e->msg + AVRO_SINGLE_OBJECT_HEADER,
				       (int64_t)(e->cap - AVRO_SINGLE_OBJECT_HEADER));
	if (!e->writer) {
		snprintf(err, errlen, "avro: out of memory");
		goto fail;
	}
	return e;
fail:
	avro_enc_free(e);
	return NULL;
}

uint64_t avro_enc_fingerprint(const struct avro_enc *e)
{
	return e->fingerprint;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	if (c < 0x80)
		return 1;
	size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	if (len == 0 || n < len)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
		return 0;
	return len;
}

/* Avro strings are UTF-8: a byte that is not part of valid UTF-8 becomes
 * the character of the same number (U+0080..U+00FF), as the JSON record's
 * \u00XX shows it.  Rewrites sb from `from` on, when it has to. */
static void utf8_repair(struct avro_enc *e, struct strbuf *sb, size_t from)
{
	size_t start = from;
	while (start < sb->len && (uint8_t)sb->p[start] < 0x80)
		start++;
	if (start == sb->len)
		return;
	strbuf_reset(&e->scratch);
	for (size_t i = start; i < sb->len;) {
		const uint8_t *p = (const uint8_t *)sb->p + i;
		size_t k = utf8_seq(p, sb->len - i);
		if (k) {
			strbuf_putn(&e->scratch, p, k);
			i += k;
		} else {
			strbuf_putc(&e->scratch, (char)(0xC0 | (p[0] >> 6)));
			strbuf_putc(&e->scratch, (char)(0x80 | (p[0] & 0x3F)));
			i++;
		}
	}
	sb->len = start; /* the ASCII before stays; the rest is the repaired text */
	strbuf_putn(sb, e->scratch.p, e->scratch.len);
	if (e->scratch.overflow)
		sb->overflow = true;
}

/* Strings are made into a buffer first and pointed at once it stops
 * growing: a string is (offset, length) until then. */
static void str_begin(struct strbuf *sb, struct val *v)
{
	v->len = sb->len; /* the start, for now */
}

static void str_end(struct avro_enc *e, struct strbuf *sb, struct val *v, bool repair)
{
	size_t at = v->len;
	if (repair)
		utf8_repair(e, sb, at);
	v->s = (const char *)(uintptr_t)at; /* the offset, for now */
	v->len = sb->len - at;
	strbuf_putc(sb, '\0');
}

static void str_resolve(struct strbuf *sb, struct val *v)
{
	v->s = sb->p + (uintptr_t)v->s;
}

static void str_const(struct val *v, const char *s)
{
	v->s = s;
	v->len = strlen(s);
}

/* The sensor and level, made once (they never change). */
static void make_fixed(struct avro_enc *e, struct format_ctx *f)
{
	struct val *sensor = &e->v[F_SENSOR], *level = &e->v[F_LEVEL];
	str_begin(&e->fixed, sensor);
	if (f->sensor)
		strbuf_puts(&e->fixed, f->sensor);
	str_end(e, &e->fixed, sensor, true);
	str_begin(&e->fixed, level);
	if (f->level)
		strbuf_puts(&e->fixed, f->level);
	str_end(e, &e->fixed, level, true);
	str_resolve(&e->fixed, sensor);
	str_resolve(&e->fixed, level);
	e->fixed_made = !e->fixed.overflow;
}

/* Set one field from its value; 0, or -1 with why. */
static int set_field(struct avro_enc *e, struct binding *b, const char **why)
{
	const struct val *v = &e->v[b->id];
	avro_value_t target = b->value;
	if (b->null_branch >= 0) {
		bool null = fields[b->id].kind == K_NUMBER && v->null;
		if (avro_value_set_branch(&b->value, null ? b->null_branch : b->value_branch, &target) != 0)
			return *why = "a union's branch", -1;
		if (null)
			return avro_value_set_null(&target) == 0 ? 0 : (*why = "null", -1);
	}
	switch (fields[b->id].kind) {
	case K_STRING: {
		avro_wrapped_buffer_t buf;
		/* Lent, not copied: avro-c's sizes count the NUL. */
		if (avro_wrapped_buffer_new(&buf, v->s, v->len + 1) != 0 ||
		    avro_value_give_string_len(&target, &buf) != 0)
			return *why = "a string", -1;
		return 0;
	}
	case K_BOOL:
		return avro_value_set_boolean(&target, v->b) == 0 ? 0 : (*why = "a boolean", -1);
	case K_NUMBER: {
		int64_t n = v->null ? NULL_AS_NUMBER : v->n;
		if (b->type == AVRO_INT64)
			return avro_value_set_long(&target, n) == 0 ? 0 : (*why = "a long", -1);
		if (n < INT32_MIN || n > INT32_MAX)
			return *why = "a number too large for an int", -1;
		return avro_value_set_int(&target, (int32_t)n) == 0 ? 0 : (*why = "an int", -1);
	}
	}
	return *why = "a field", -1;
}

static bool grow(struct avro_enc *e, size_t need)
{
	size_t cap = e->cap;
	while (cap < need)
		cap *= 2;
	uint8_t *m = realloc(e->msg, cap);
	if (!m)
		return false;
	e->msg = m;
	e->cap = cap;
	return true;
}

/* Set every field, write the record, hand the message over. */
static bool write_record(struct avro_enc *e, struct format_ctx *f, avro_message_fn fn, void *ctx)
{
	const char *why = NULL;
	for (size_t i = 0; i < e->nbind; i++)
		if (set_field(e, &e->bind[i], &why) < 0)
			goto fail;
	for (int attempt = 0; attempt < 2; attempt++) {
		avro_writer_memory_set_dest(e->writer, (const char *)e->msg + AVRO_SINGLE_OBJECT_HEADER,
					    (int64_t)(e->cap - AVRO_SINGLE_OBJECT_HEADER));
		if (avro_value_write(e->writer, &e->rec) == 0) {
			size_t len = (size_t)avro_writer_tell(e->writer);
			fn(ctx, e->msg, AVRO_SINGLE_OBJECT_HEADER + len);
			return true;
		}
		/* Too big for the buffer: make room for exactly this record. */
		size_t need;
		if (attempt || avro_value_sizeof(&e->rec, &need) != 0 ||
		    !grow(e, AVRO_SINGLE_OBJECT_HEADER + need)) {
			why = "the record does not fit in memory";
			goto fail;
		}
	}
	why = "the writer failed";
fail:
	f->stats->kafka_avro_errors++;
	say_error(why);
	return false;
}

size_t avro_enc_exchange(struct avro_enc *e, struct format_ctx *f, const struct exchange *x,
			 avro_message_fn fn, void *ctx)
{
	const struct dns_msg *qm = exchange_question_source(x);
	const struct dns_msg *r = x->response;
	const struct dns_rr *q = dns_question(qm);
	struct val *v = e->v;
	if (!e->fixed_made)
		make_fixed(e, f);

	/* What every record of the exchange shares (format_flat's head and tail). */
	struct strbuf *t = &e->text;
	strbuf_reset(t);
	v[F_QUERY_ID] = (struct val){ .n = x->key->id };
	v[F_RCODE] = (struct val){ .n = r ? (int64_t)dns_rcode(r) : 0, .null = !r };
	str_begin(t, &v[F_Q]);
	if (q)
		dns_name_print_at(t, qm->wire, qm->len, q->name, 0, NULL);
	str_end(e, t, &v[F_Q], true);
	str_begin(t, &v[F_QTYPE]);
	if (q)
		dns_type_print(t, q->type);
	str_end(e, t, &v[F_QTYPE], false);
	str_begin(t, &v[F_DST]);
	strbuf_put_ip(t, x->key->server, x->key->family);
	str_end(e, t, &v[F_DST], false);
	str_begin(t, &v[F_SRC]);
	strbuf_put_ip(t, x->key->client, x->key->family);
	str_end(e, t, &v[F_SRC], false);
	const struct leg *first = x->qleg ? x->qleg : x->rleg;
	str_begin(t, &v[F_TSTAMP]);
	format_rfc3339(t, first->ts_ns, first->ts_digits);
	str_end(e, t, &v[F_TSTAMP], false);
	v[F_ELAPSED] = (struct val){ .null = !(x->qleg && x->rleg) };
	if (x->qleg && x->rleg)
		v[F_ELAPSED].n = x->rleg->ts_ns - x->qleg->ts_ns;
	str_begin(t, &v[F_SPORT]);
	strbuf_put_u64(t, x->key->cport);
	str_end(e, t, &v[F_SPORT], false);
	v[F_BYTES] = (struct val){ .n = r ? (int64_t)r->len : 0 };
	str_const(&v[F_PROTOCOL], x->key->proto == 6 ? "tcp" : "udp");
	v[F_TRUNCATED] = (struct val){ .b = r && dns_tc(r) };
	v[F_AA] = (struct val){ .b = r && dns_aa(r) };
	v[F_RD] = (struct val){ .b = x->query ? dns_rd(x->query) : dns_rd(r) };
	v[F_RA] = (struct val){ .b = r && dns_ra(r) };
	str_const(&v[F_STATUS], exchange_status_name(x->status));
	if (t->overflow || !e->fixed_made) {
		f->stats->kafka_avro_errors++;
		say_error("out of memory");
		return 0;
	}
	static const enum field shared[] = { F_Q, F_QTYPE, F_DST, F_SRC, F_TSTAMP, F_SPORT };
	for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
		str_resolve(t, &v[shared[i]]);

	/* One record per answer (format_flat's choice of records). */
	struct strbuf *a = &e->ans;
	size_t written = 0, tried = 0;
	for (size_t i = 0; r && dns_rcode(r) == 0 && i < r->nrrs; i++) {
		const struct dns_rr *rr = &r->rrs[i];
		if (rr->section != DNS_AN || dns_rr_is_meta(rr))
			continue;
		strbuf_reset(a);
		str_begin(a, &v[F_A]);
		dns_rdata_print(a, r->wire, r->len, rr, 0); /* malformed: generic, counted by flat */
		str_end(e, a, &v[F_A], true);
		str_begin(a, &v[F_ATYPE]);
		dns_type_print(a, rr->type);
		str_end(e, a, &v[F_ATYPE], false);
		v[F_TTL] = (struct val){ .n = rr->ttl };
		tried++;
		if (a->overflow) {
			f->stats->kafka_avro_errors++;
			say_error("out of memory");
			continue;
		}
		str_resolve(a, &v[F_A]);
		str_resolve(a, &v[F_ATYPE]);
		written += write_record(e, f, fn, ctx);
	}
	if (tried == 0) {
		/* One record: the rcode's name for an error, empty otherwise. */
		strbuf_reset(a);
		str_begin(a, &v[F_A]);
		if (r && dns_rcode(r) != 0)
			dns_rcode_print(a, (uint16_t)dns_rcode(r));
		str_end(e, a, &v[F_A], false);
		if (a->overflow) {
			f->stats->kafka_avro_errors++;
			say_error("out of memory");
			return written;
		}
		str_resolve(a, &v[F_A]);
		str_const(&v[F_ATYPE], "");
		v[F_TTL] = (struct val){ .n = 0 };
		written += write_record(e, f, fn, ctx);
	}
	return written;
}
