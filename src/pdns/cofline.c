/* cofline: one fact as one line of COF JSON, and back (see cofline.h).
 *
 * The writer goes through the project's JSON writer, so names and rdata are
 * escaped exactly as the flat record escapes them.  The parser reads lines
 * from other machines (a Kafka topic, a file a user hands us): it walks the
 * bytes once with a cursor, never reads past len, never allocates, writes
 * unescaped strings into the caller's scratch and says in one line why a
 * line is refused.  It takes JSON as RFC 8259 writes it: keys in any order,
 * unknown keys skipped whatever their value (nested objects and arrays up to
 * COF_SKIP_DEPTH), \uXXXX escapes (surrogate pairs joined) written as UTF-8. */
#include "pdns/cofline.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dns/rrtype.h"
#include "format/jsonw.h"

#define COF_NAME_MAX 1100     /* rrname, bailiwick: 255 bytes, every one \DDD */
#define COF_SENSOR_MAX 1024   /* sensor_id */
#define COF_SKIP_DEPTH 64     /* nesting of a skipped value */
#define COF_KEY_MAX 64        /* longer keys are unknown ones: skipped */

void cof_line_write(struct strbuf *sb, const struct pdns_fact *f)
{
	struct jsonw j;
	jsonw_init(&j, sb, NULL);
	jsonw_object_open(&j);
	if (f->client) {
		jsonw_key(&j, "client");
		jsonw_str(&j, f->rdata);
	}
	jsonw_key(&j, "rrname");
	jsonw_str(&j, f->rrname);
	jsonw_key(&j, "rrtype");
	jsonw_raw_begin(&j);
	dns_type_print(sb, f->rrtype);
	jsonw_raw_end(&j);
	if (!f->client) {
		jsonw_key(&j, "rdata");
		jsonw_str(&j, f->rdata);
	}
	jsonw_key(&j, "time_first");
	jsonw_int(&j, f->time_first);
	jsonw_key(&j, "time_last");
	jsonw_int(&j, f->time_last);
	jsonw_key(&j, "count");
	jsonw_uint(&j, f->count);
	if (f->bailiwick) {
		jsonw_key(&j, "bailiwick");
		jsonw_str(&j, f->bailiwick);
	}
	if (f->sensor_id) {
		jsonw_key(&j, "sensor_id");
		jsonw_str(&j, f->sensor_id);
	}
	jsonw_object_close(&j);
	strbuf_putc(sb, '\n');
}

/* The cursor over the line; the first failure sticks (later ones are not
 * written over it) and every step checks c->failed. */
struct cur {
	const unsigned char *p, *end;
	char *out, *out_end;       /* the scratch still free */
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cur *c, const char *fmt, ...)
{
	if (!c->failed && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	c->failed = true;
	return -1;
}

static void ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* Skip white space, then the byte ch. */
static int expect(struct cur *c, char ch, const char *where)
{
	ws(c);
	if (c->p == c->end)
		return fail(c, "the line ends %s (expected '%c')", where, ch);
	if (*c->p != (unsigned char)ch)
		return fail(c, "unexpected %s%c%s %s (expected '%c')", *c->p >= 0x20 && *c->p < 0x7F ? "'" : "byte ",
			    *c->p >= 0x20 && *c->p < 0x7F ? *c->p : '?', *c->p >= 0x20 && *c->p < 0x7F ? "'" : "",
			    where, ch);
	c->p++;
	return 0;
}

static int put(struct cur *c, bool keep, const char *s, size_t n)
{
	if (!keep)
		return 0;
	if ((size_t)(c->out_end - c->out) < n)
		return fail(c, "the scratch buffer is too small for this line");
	memcpy(c->out, s, n);
	c->out += n;
	return 0;
}

static int hex4(struct cur *c, unsigned *v)
{
	if (c->end - c->p < 4)
		return fail(c, "a \\u escape cut short");
	unsigned x = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char h = c->p[i];
		unsigned d = h >= '0' && h <= '9' ? h - '0' : (h | 32) >= 'a' && (h | 32) <= 'f' ? (h | 32) - 'a' + 10 : 16;
		if (d == 16)
			return fail(c, "a \\u escape with a byte that is not hex");
		x = x << 4 | d;
	}
	c->p += 4;
	*v = x;
	return 0;
}

/* Length of the well-formed UTF-8 sequence at p (2..4 bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char b = p[0];
	size_t n = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
	if (n == 0 || (size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] > 0x9F) || (b == 0xF0 && p[1] < 0x90) ||
	    (b == 0xF4 && p[1] > 0x8F))
		return 0;
	return n;
}

/* A JSON string at the cursor; with keep, unescaped into the scratch and
 * *s, *n set (not NUL-terminated).  \u0000 is refused: the strings are C
 * strings. */
static int string(struct cur *c, bool keep, const char **s, size_t *n)
{
	if (expect(c, '"', "where a string starts") < 0)
		return -1;
	char *start = c->out;
	while (!c->failed) {
		if (c->p == c->end)
			return fail(c, "a string is not closed before the line ends");
		unsigned char b = *c->p;
		if (b == '"') {
			c->p++;
			break;
		}
		if (b < 0x20)
			return fail(c, "a control character (byte %u) inside a string", b);
		if (b >= 0x80) {
			size_t len = utf8_seq(c->p, c->end);
			if (!len)
				return fail(c, "a string holds bytes that are not UTF-8");
			put(c, keep, (const char *)c->p, len);
			c->p += len;
			continue;
		}
		if (b != '\\') {
			put(c, keep, (const char *)c->p, 1);
			c->p++;
			continue;
		}
		if (c->end - c->p < 2)
			return fail(c, "a string ends in a lone backslash");
		unsigned char e = c->p[1];
		c->p += 2;
		const char *simple = NULL;
		switch (e) {
		case '"': simple = "\""; break;
		case '\\': simple = "\\"; break;
		case '/': simple = "/"; break;
		case 'b': simple = "\b"; break;
		case 'f': simple = "\f"; break;
		case 'n': simple = "\n"; break;
		case 'r': simple = "\r"; break;
		case 't': simple = "\t"; break;
		case 'u': break;
		default:
			return fail(c, "an unknown escape \\%c in a string", e >= 0x20 && e < 0x7F ? e : '?');
		}
		if (simple) {
			put(c, keep, simple, 1);
			continue;
		}
		unsigned cp, lo;
		if (hex4(c, &cp) < 0)
			return -1;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return fail(c, "a \\u escape of a lone low surrogate (U+%04X)", cp);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
				return fail(c, "a high surrogate \\u escape (U+%04X) not followed by a low one", cp);
			c->p += 2;
			if (hex4(c, &lo) < 0)
				return -1;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail(c, "a high surrogate \\u escape (U+%04X) not followed by a low one", cp);
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
		if (cp == 0)
			return fail(c, "a string holds \\u0000");
		char u[4];
		size_t un;
		if (cp < 0x80) {
			u[0] = (char)cp;
			un = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xC0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3F));
			un = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xE0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
			un = 3;
		} else {
			u[0] = (char)(0xF0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[3] = (char)(0x80 | (cp & 0x3F));
			un = 4;
		}
		put(c, keep, u, un);
	}
	if (c->failed)
		return -1;
	if (keep) {
		*s = start;
		*n = (size_t)(c->out - start);
	}
	return 0;
}

/* A string kept as a NUL-terminated C string of at most max bytes. */
static int cstring(struct cur *c, const char *key, size_t max, const char **s)
{
	const char *v;
	size_t n;
	ws(c);
	if (c->p == c->end || *c->p != '"')
		return fail(c, "\"%s\" must be a string", key);
	if (string(c, true, &v, &n) < 0 || put(c, true, "", 1) < 0)
		return -1;
	if (n > max)
		return fail(c, "\"%s\" is longer than %zu bytes", key, max);
	*s = v;
	return 0;
}

/* A JSON number that is a non-negative integer of at most max. */
static int integer(struct cur *c, const char *key, uint64_t max, uint64_t *v)
{
	ws(c);
	const unsigned char *start = c->p;
	uint64_t x = 0;
	if (c->p < c->end && *c->p == '-')
		return fail(c, "\"%s\" must not be negative", key);
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = *c->p - '0';
		if (x > (max - d) / 10)
			return fail(c, "\"%s\" is too large (at most %llu)", key, (unsigned long long)max);
		x = x * 10 + d;
		c->p++;
	}
	if (c->p == start)
		return fail(c, "\"%s\" must be a non-negative integer", key);
	if (c->p - start > 1 && *start == '0')
		return fail(c, "\"%s\" has a leading zero", key);
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return fail(c, "\"%s\" must be an integer (no fraction or exponent)", key);
	*v = x;
	return 0;
}

static int literal(struct cur *c, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, "an unexpected value (not a string, number, object, array, true, false or null)");
	c->p += n;
	return 0;
}

/* Any JSON number, checked against the grammar, skipped. */
static int skip_number(struct cur *c)
{
	const unsigned char *p = c->p, *e = c->end;
	if (p < e && *p == '-')
		p++;
	if (p == e || *p < '0' || *p > '9')
		return fail(c, "a malformed number");
	if (*p == '0')
		p++;
	else
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	if (p < e && *p == '.') {
		if (++p == e || *p < '0' || *p > '9')
			return fail(c, "a malformed number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p == e || *p < '0' || *p > '9')
			return fail(c, "a malformed number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	c->p = p;
	return 0;
}

/* Skip one value of an unknown key, whatever it is, without recursion:
 * a bit per level says whether it is an object (1) or an array (0). */
static int skip_value(struct cur *c)
{
	uint64_t objects = 0;
	int depth = 0;
	for (;;) {
		/* a value */
		ws(c);
		if (c->p == c->end)
			return fail(c, "the line ends where a value should be");
		unsigned char b = *c->p;
		bool closed = false;
		if (b == '{' || b == '[') {
			if (depth == COF_SKIP_DEPTH)
				return fail(c, "a value nested deeper than %d levels", COF_SKIP_DEPTH);
			objects = objects << 1 | (b == '{');
			depth++;
			c->p++;
			ws(c);
			if (c->p < c->end && *c->p == (b == '{' ? '}' : ']')) {
				c->p++;
				objects >>= 1;
				depth--;
			} else if (b == '{') {
				if (string(c, false, NULL, NULL) < 0 || expect(c, ':', "after a key") < 0)
					return -1;
				continue;
			} else {
				continue;
			}
			closed = true;
		}
		if (!closed) {
			if (b == '"')
				string(c, false, NULL, NULL);
			else if (b == '-' || (b >= '0' && b <= '9'))
				skip_number(c);
			else
				literal(c, b == 't' ? "true" : b == 'f' ? "false" : "null");
			if (c->failed)
				return -1;
		}
		/* after a value: commas and closing brackets */
		for (;;) {
			if (depth == 0)
				return 0;
			ws(c);
			if (c->p == c->end)
				return fail(c, "the line ends inside a nested value");
			bool obj = objects & 1;
			if (*c->p == (obj ? '}' : ']')) {
				c->p++;
				objects >>= 1;
				depth--;
				continue;
			}
			if (*c->p != ',')
				return fail(c, "expected ',' or '%c' in a nested value", obj ? '}' : ']');
			c->p++;
			if (obj && (string(c, false, NULL, NULL) < 0 || expect(c, ':', "after a key") < 0))
				return -1;
			break;
		}
	}
}

enum cof_key { K_RRNAME, K_RRTYPE, K_RDATA, K_TIME_FIRST, K_TIME_LAST, K_COUNT, K_BAILIWICK,
	       K_SENSOR_ID, K_UNKNOWN };
static const char *const key_names[] = { "rrname", "rrtype", "rdata", "time_first", "time_last",
					 "count", "bailiwick", "sensor_id" };

int cof_line_parse(const char *line, size_t len, struct pdns_fact *f,
		   char *scratch, size_t scratch_len, char *err, size_t errlen)
{
	struct cur c = { .p = (const unsigned char *)line, .end = (const unsigned char *)line + len,
			 .out = scratch, .out_end = scratch + scratch_len, .err = err, .errlen = errlen };
	*f = (struct pdns_fact){ .count = 1 }; /* COF's count is optional: one sighting */
	unsigned seen = 0;
	if (errlen)
		err[0] = 0;
	ws(&c);
	if (c.p == c.end)
		return fail(&c, "an empty line");
	if (expect(&c, '{', "where the object starts") < 0)
		return -1;
	ws(&c);
	if (c.p < c.end && *c.p == '}') {
		c.p++;
	} else {
		for (;;) {
			/* The key, unescaped into the scratch and given back. */
			char *mark = c.out;
			const char *k;
			size_t kn;
			ws(&c);
			if (c.p == c.end || *c.p != '"')
				return fail(&c, "expected a key in quotes");
			if (string(&c, true, &k, &kn) < 0)
				return -1;
			enum cof_key key = K_UNKNOWN;
			for (int i = 0; i < K_UNKNOWN && kn < COF_KEY_MAX; i++)
				if (strlen(key_names[i]) == kn && memcmp(key_names[i], k, kn) == 0)
					key = (enum cof_key)i;
			c.out = mark;
			if (expect(&c, ':', "after a key") < 0)
				return -1;
			if (key != K_UNKNOWN) {
				if (seen & 1u << key)
					return fail(&c, "\"%s\" is given twice", key_names[key]);
				seen |= 1u << key;
			}
			uint64_t v = 0;
			ws(&c);
			bool null = c.end - c.p >= 4 && memcmp(c.p, "null", 4) == 0;
			switch (key) {
			case K_RRNAME:
				cstring(&c, "rrname", COF_NAME_MAX, &f->rrname);
				break;
			case K_RDATA:
				if (c.p < c.end && *c.p == '[')
					return fail(&c, "\"rdata\" is an array: one fact per line is supported, "
						    "with rdata a string");
				cstring(&c, "rdata", (size_t)-1, &f->rdata);
				break;
			case K_BAILIWICK:
			case K_SENSOR_ID:
				if (null) {
					c.p += 4;
					break;
				}
				cstring(&c, key_names[key], key == K_BAILIWICK ? COF_NAME_MAX : COF_SENSOR_MAX,
					key == K_BAILIWICK ? &f->bailiwick : &f->sensor_id);
				break;
			case K_RRTYPE:
				if (c.p < c.end && *c.p == '"') {
					const char *t;
					size_t tn;
					mark = c.out;
					if (string(&c, true, &t, &tn) < 0)
						return -1;
					if (dns_type_parse(t, tn, &f->rrtype) < 0)
						return fail(&c, "\"rrtype\" \"%.*s\" is no type (a mnemonic, TYPEnnn "
							    "or a number)", (int)(tn > 40 ? 40 : tn), t);
					c.out = mark;
				} else if (integer(&c, "rrtype", 65535, &v) == 0) {
					f->rrtype = (uint16_t)v;
				}
				break;
			case K_TIME_FIRST:
			case K_TIME_LAST:
			case K_COUNT:
				if (integer(&c, key_names[key], INT64_MAX, &v) < 0)
					return -1;
				if (key == K_TIME_FIRST)
					f->time_first = (int64_t)v;
				else if (key == K_TIME_LAST)
					f->time_last = (int64_t)v;
				else
					f->count = v;
				break;
			case K_UNKNOWN:
				skip_value(&c);
				break;
			}
			if (c.failed)
				return -1;
			ws(&c);
			if (c.p < c.end && *c.p == ',') {
				c.p++;
				continue;
			}
			if (expect(&c, '}', "after a value") < 0)
				return -1;
			break;
		}
	}
	ws(&c);
	if (c.p != c.end)
		return fail(&c, "text after the object");
	for (int i = 0; i <= K_TIME_LAST; i++)
		if (!(seen & 1u << i))
			return fail(&c, "\"%s\" is missing", key_names[i]);
	if (!*f->rrname)
		return fail(&c, "\"rrname\" is empty");
	if (f->time_first > f->time_last)
		return fail(&c, "\"time_first\" (%lld) is after \"time_last\" (%lld)",
			    (long long)f->time_first, (long long)f->time_last);
	return 0;
}
