/* name: safe decompression and presentation of domain names. */
#include "dns/name.h"

#include <ctype.h>

int dns_name_unpack(const uint8_t *msg, size_t msglen, size_t pos,
		    uint8_t *out, size_t *next)
{
	size_t len = 0;       /* bytes of uncompressed name so far */
	size_t at = pos;      /* where the next label is read */
	size_t limit = pos;   /* pointers must point strictly before this */
	int jumped = 0;

	for (;;) {
		if (at >= msglen)
			return DNS_ESHORT;
		uint8_t b = msg[at];
		if ((b & 0xC0) == 0xC0) {
			if (at + 1 >= msglen)
				return DNS_ESHORT;
			size_t target = (size_t)(b & 0x3F) << 8 | msg[at + 1];
			if (!jumped && next)
				*next = at + 2;
			/* Strictly backwards from the pointer itself and from
			 * where this name began: chains only shrink. */
			if (target >= at || target >= limit)
				return DNS_EPOINTER;
			limit = target;
			at = target;
			jumped = 1;
			continue;
		}
		if (b & 0xC0)
			return DNS_ELABEL; /* 01 and 10: extended/reserved label types */
		if (at + 1 + b > msglen)
			return DNS_ESHORT;
		if (len + 1 + b > DNS_NAME_MAX)
			return DNS_ENAMELEN;
		if (out)
			memcpy(out + len, msg + at, 1 + (size_t)b);
		len += 1 + (size_t)b;
		at += 1 + (size_t)b;
		if (b == 0)
			break;
	}
	if (!jumped && next)
		*next = at;
	return (int)len;
}

/* Label bytes that are written escaped (RFC 1035 5.1 and what dig escapes). */
static const bool label_special[256] = {
	[0x00 ... 0x20] = true, ['.'] = true, [';'] = true, ['\\'] = true, ['"'] = true,
	['('] = true, [')'] = true, ['@'] = true, ['$'] = true, [0x7F ... 0xFF] = true,
};

static void print_label(struct strbuf *sb, const uint8_t *p, size_t n)
{
	if (!strbuf_reserve(sb, 4 * n)) /* the longest form: every byte as \DDD */
		return;
	char *o = sb->p + sb->len;
	size_t plain = 0;
	while (plain < n && !label_special[p[plain]])
		plain++;
	memcpy(o, p, plain);
	o += plain;
	for (size_t i = plain; i < n; i++) {
		uint8_t c = p[i];
		switch (c) {
		case '.': case ';': case '\\': case '"': case '(': case ')':
		case '@': case '$':
			*o++ = '\\';
			*o++ = (char)c;
			break;
		default:
			if (c > 0x20 && c < 0x7F) {
				*o++ = (char)c;
			} else {
				*o++ = '\\';
				*o++ = (char)('0' + c / 100);
				*o++ = (char)('0' + c / 10 % 10);
				*o++ = (char)('0' + c % 10);
			}
		}
	}
	sb->len = (size_t)(o - sb->p);
}

static void print_name(struct strbuf *sb, const uint8_t *name, int fqdn)
{
	if (name[0] == 0) {
		strbuf_putc(sb, '.');
		return;
	}
	while (name[0]) {
		print_label(sb, name + 1, name[0]);
		name += 1 + name[0];
		if (name[0] || fqdn)
			strbuf_putc(sb, '.');
	}
}

void dns_name_print(struct strbuf *sb, const uint8_t *name)
{
	print_name(sb, name, 0);
}

void dns_name_print_fqdn(struct strbuf *sb, const uint8_t *name)
{
	print_name(sb, name, 1);
}

/* One pass over the wire: the checks of dns_name_unpack(), each label
 * printed as it is met, and the text taken back if the name turns out bad. */
int dns_name_print_at(struct strbuf *sb, const uint8_t *msg, size_t msglen,
		      size_t pos, int fqdn, size_t *next)
{
	size_t mark = sb->len;
	size_t len = 0, at = pos, limit = pos;
	size_t end = 0; /* just past the name's own bytes at pos */
	int rc = DNS_OK;
	for (;;) {
		if (at >= msglen) {
			rc = DNS_ESHORT;
			break;
		}
		uint8_t b = msg[at];
		if ((b & 0xC0) == 0xC0) {
			if (at + 1 >= msglen) {
				rc = DNS_ESHORT;
				break;
			}
			size_t target = (size_t)(b & 0x3F) << 8 | msg[at + 1];
			if (target >= at || target >= limit) {
				rc = DNS_EPOINTER;
				break;
			}
			if (!end)
				end = at + 2;
			limit = at = target;
			continue;
		}
		if (b & 0xC0) {
			rc = DNS_ELABEL;
			break;
		}
		if (at + 1 + b > msglen) {
			rc = DNS_ESHORT;
			break;
		}
		if (len + 1 + b > DNS_NAME_MAX) {
			rc = DNS_ENAMELEN;
			break;
		}
		len += 1 + (size_t)b;
		if (b == 0) {
			if (!end)
				end = at + 1;
			break;
		}
		if (len > 1 + (size_t)b)
			strbuf_putc(sb, '.');
		print_label(sb, msg + at + 1, b);
		at += 1 + (size_t)b;
	}
	if (rc != DNS_OK) {
		sb->len = mark;
		return rc;
	}
	if (len == 1 || fqdn)
		strbuf_putc(sb, '.');
	if (next)
		*next = end;
	return rc;
}

int dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return 0;
		size_t n = *a;
		if (n == 0)
			return 1;
		for (size_t i = 1; i <= n; i++)
			if (tolower(a[i]) != tolower(b[i]))
				return 0;
		a += n + 1;
		b += n + 1;
	}
}
