/* apireq: checking and normalising an HTTP API request (see apireq.h). */
#include "pdns/apireq.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns/name.h"
#include "dns/rrtype.h"
#include "pdns/api.h"
#include "pdns/query.h"
#include "pdns/store.h"
#include "util/strbuf.h"

enum { SEEN_RRTYPE = 1, SEEN_SINCE = 2, SEEN_UNTIL = 4, SEEN_LIMIT = 8 };

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
 * U+10FFFF.  And no control characters: the store's text never has them
 * (names and rdata are printable, the rest escaped). */
static const char *check_text(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c == 0)
			return "a NUL byte";
		if (c < 0x20 || c == 0x7F)
			return "a control character";
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned min, cp;
		if (c >= 0xC2 && c <= 0xDF)
			len = 2, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4, min = 0x10000, cp = c & 0x07;
		else
			return "invalid UTF-8";
		if (n - i < len)
			return "invalid UTF-8";
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return "invalid UTF-8";
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return "invalid UTF-8";
		if (cp >= 0x80 && cp < 0xA0)
			return "a control character";
		i += len;
	}
	return NULL;
}

int api_decode(const char *in, size_t n, char *out, size_t outcap, size_t *outlen,
	       char *err, size_t errlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o + 1 >= outcap) {
			snprintf(err, errlen, "longer than %zu bytes", outcap - 1);
			return -1;
		}
		char c = in[i];
		if (c == '%') {
			int hi = n - i < 3 ? -1 : hexval(in[i + 1]);
			if (hi < 0 || hexval(in[i + 2]) < 0) {
				snprintf(err, errlen, "bad percent-encoding (%% must be followed by two hex digits)");
				return -1;
			}
			c = (char)(hi << 4 | hexval(in[i + 2]));
			i += 2;
		}
		out[o++] = c;
	}
	out[o] = 0;
	const char *why = check_text((const unsigned char *)out, o);
	if (why) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	*outlen = o;
	return 0;
}

/* Presentation text to an uncompressed wire name, lower-cased (the store
 * keeps names in lower case).  "\DDD" and "\X" escapes as RFC 1035 5.1
 * says; one final dot allowed; "." is the root.  The number of labels in
 * *labels.  0, or -1 with the reason. */
static int name_to_wire(const char *s, size_t n, uint8_t wire[DNS_NAME_MAX], unsigned *labels,
			char *err, size_t errlen)
{
	size_t w = 0;
	unsigned count = 0;
	if (n == 1 && s[0] == '.') {
		wire[0] = 0;
		*labels = 0;
		return 0;
	}
	size_t i = 0;
	while (i < n) {
		size_t at = w++; /* the label's length byte */
		size_t len = 0;
		while (i < n && s[i] != '.') {
			unsigned c = (unsigned char)s[i++];
			if (c == '\\') {
				if (i == n) {
					snprintf(err, errlen, "a name ends in a lone backslash");
					return -1;
				}
				if (s[i] >= '0' && s[i] <= '9') {
					if (n - i < 3 || s[i + 1] < '0' || s[i + 1] > '9' || s[i + 2] < '0' ||
					    s[i + 2] > '9') {
						snprintf(err, errlen, "a \\DDD escape needs three digits");
						return -1;
					}
					c = (unsigned)((s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0'));
					if (c > 255) {
						snprintf(err, errlen, "a \\DDD escape above 255");
						return -1;
					}
					i += 3;
				} else {
					c = (unsigned char)s[i++];
				}
			}
			if (++len > DNS_LABEL_MAX) {
				snprintf(err, errlen, "a label longer than %d octets", DNS_LABEL_MAX);
				return -1;
			}
			if (w + 1 >= DNS_NAME_MAX) {
				snprintf(err, errlen, "a name longer than %d octets", DNS_NAME_MAX);
				return -1;
			}
			wire[w++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		if (len == 0) {
			snprintf(err, errlen, "an empty label (a name starts with a dot or has two in a row)");
			return -1;
		}
		wire[at] = (uint8_t)len;
		count++;
		if (i < n)
			i++; /* the dot; a final one ends the name */
	}
	if (count == 0) {
		snprintf(err, errlen, "an empty name");
		return -1;
	}
	wire[w] = 0; /* w + 1 <= DNS_NAME_MAX: checked as each byte went in */
	*labels = count;
	return 0;
}

/* The wire name as the store spells it, after prefix, into r->text. */
static int put_name(struct api_request *r, const char *prefix, const uint8_t *wire,
		    char *err, size_t errlen)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_puts(&sb, prefix);
	dns_name_print(&sb, wire);
	int ok = !sb.overflow && sb.len < sizeof r->text;
	if (ok) {
		memcpy(r->text, sb.p, sb.len);
		r->text[sb.len] = 0;
	} else {
		snprintf(err, errlen, "out of memory");
	}
	strbuf_free(&sb);
	return ok ? 0 : -1;
}

/* An IPv4 or IPv6 address in canonical form into r->text; false when the
 * text is no address. */
static bool put_address(struct api_request *r, const char *text)
{
	return pdns_addr_canonical(text, r->text, sizeof r->text) >= 0;
}

/* At most 60 bytes of what the client sent, printable ASCII only, for a
 * message that quotes it. */
static const char *quote(const char *s, char buf[64])
{
	size_t i = 0;
	for (; s && s[i] && i < 60; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
	if (s && s[i])
		buf[i - 1] = buf[i - 2] = buf[i - 3] = '.';
	buf[i] = 0;
	return buf;
}

int api_request_path(struct api_request *r, const char *path, unsigned suffix_labels,
		     char *err, size_t errlen)
{
	memset(&r->q, 0, sizeof r->q);
	r->q.limit = PDNS_API_DEFAULT_LIMIT;
	r->seen = 0;
	bool by_name;
	if (strncmp(path, "/query/", 7) == 0)
		by_name = true;
	else if (strncmp(path, "/rdata/", 7) == 0)
		by_name = false;
	else {
		snprintf(err, errlen, "not found: ask GET /query/NAME or GET /rdata/VALUE");
		return 404;
	}
	const char *raw = path + 7;
	size_t n;
	char text[API_TEXT_MAX + 1];
	char why[160];
	if (!*raw) {
		snprintf(err, errlen, "%s", by_name ? "no name after /query/" : "no value after /rdata/");
		return 400;
	}
	if (api_decode(raw, strlen(raw), text, sizeof text, &n, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", by_name ? "the name" : "the value", why);
		return 400;
	}
	/* An address: CIRCL's /query/ looks it up in the rdata. */
	if (put_address(r, text)) {
		r->q.rdata = r->text;
		return 0;
	}
	if (!by_name) {
		/* Names in rdata are written without their final dot. */
		if (n > 1 && text[n - 1] == '.' && text[n - 2] != '\\')
			text[--n] = 0;
		if (n > API_TEXT_MAX) { /* not reached: api_decode bounds it */
			snprintf(err, errlen, "the value is too long");
			return 400;
		}
		memcpy(r->text, text, n + 1);
		r->q.rdata = r->text;
		return 0;
	}
	uint8_t wire[DNS_NAME_MAX];
	unsigned labels;
	if (text[0] == '*' && (n == 1 || text[1] == '.')) {
		const char *suffix = n > 2 ? text + 2 : "";
		if (!*suffix || strcmp(suffix, ".") == 0) {
			snprintf(err, errlen, "a wildcard on the root (\"*\", \"*.\") would be the whole store: "
				 "name a suffix, e.g. *.example.com");
			return 400;
		}
		if (name_to_wire(suffix, strlen(suffix), wire, &labels, why, sizeof why) < 0) {
			snprintf(err, errlen, "bad name: %s", why);
			return 400;
		}
		if (labels < suffix_labels) {
			snprintf(err, errlen, "a suffix query needs at least %u labels after \"*.\" (-pdns_api_suffix_labels): "
				 "\"*.%s\" has %u", suffix_labels, quote(suffix, (char[64]){ 0 }), labels);
			return 400;
		}
		if (put_name(r, "*.", wire, why, sizeof why) < 0)
			return snprintf(err, errlen, "%s", why), 400;
		r->q.name = r->text;
		return 0;
	}
	if (name_to_wire(text, n, wire, &labels, why, sizeof why) < 0) {
		snprintf(err, errlen, "bad name: %s", why);
		return 400;
	}
	if (put_name(r, "", wire, why, sizeof why) < 0)
		return snprintf(err, errlen, "%s", why), 400;
	r->q.name = r->text;
	return 0;
}

/* Decimal, at most max. */
static int parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int api_request_param(struct api_request *r, const char *key, const char *value,
		      char *err, size_t errlen)
{
	static const struct { const char *name; unsigned bit; } known[] = {
		{ "rrtype", SEEN_RRTYPE }, { "since", SEEN_SINCE }, { "until", SEEN_UNTIL },
		{ "limit", SEEN_LIMIT },
	};
	char q[64];
	unsigned bit = 0;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(key, known[i].name) == 0)
			bit = known[i].bit;
	if (!bit) {
		snprintf(err, errlen, "unknown parameter \"%s\" (there are rrtype, since, until and limit)",
			 quote(key, q));
		return 400;
	}
	if (r->seen & bit) {
		snprintf(err, errlen, "%s is given twice", key);
		return 400;
	}
	r->seen |= bit;
	char v[64], why[160];
	size_t n;
	if (!value || !*value) {
		snprintf(err, errlen, "%s needs a value", key);
		return 400;
	}
	if (api_decode(value, strlen(value), v, sizeof v, &n, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", key, why);
		return 400;
	}
	uint64_t x;
	switch (bit) {
	case SEEN_RRTYPE: {
		uint16_t t;
		if (dns_type_parse(v, n, &t) < 0) {
			snprintf(err, errlen, "rrtype \"%s\" is no type (a mnemonic such as AAAA, TYPE65 or a number)",
				 quote(v, q));
			return 400;
		}
		r->q.rrtype = t == 255 ? 0 : t; /* ANY: every type */
		return 0;
	}
	case SEEN_SINCE:
	case SEEN_UNTIL:
	{
		/* As `pdnslog query` takes it. */
		int64_t t;
		if (pdns_parse_time(v, (int64_t)time(NULL), &t) < 0 || t < 0) {
			snprintf(err, errlen, "%s must be seconds since the epoch, an RFC 3339 time "
				 "(2026-12-01T00:00:00Z, 2026-12-01) or a duration ago (24h, 7d), not \"%s\"",
				 key, quote(v, q));
			return 400;
		}
		*(bit == SEEN_SINCE ? &r->q.since : &r->q.until) = t;
		return 0;
	}
	default:
		if (parse_uint(v, PDNS_API_MAX_LIMIT, &x) < 0 || x == 0) {
			snprintf(err, errlen, "limit must be 1 to %d, not \"%s\"", PDNS_API_MAX_LIMIT, quote(v, q));
			return 400;
		}
		r->q.limit = x;
		return 0;
	}
}

int api_request_finish(struct api_request *r, char *err, size_t errlen)
{
	if (r->q.since && r->q.until && r->q.until < r->q.since) {
		snprintf(err, errlen, "until (%lld) is before since (%lld)", (long long)r->q.until,
			 (long long)r->q.since);
		return 400;
	}
	return 0;
}
