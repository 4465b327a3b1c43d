/* name: safe decompression and presentation of domain names. */
#include "dns/name.h"

#include <ctype.h>

/* A walk over a name's labels under the three safety rules.  Every reader
 * of names (decompression, printing) steps through it, so the rules live
 * here once. */
struct name_walk {
	const uint8_t *msg;
	size_t msglen;
	size_t at;     /* where the next label is read */
	size_t limit;  /* pointers must point strictly before this */
	size_t len;    /* bytes of uncompressed name so far */
	size_t end;    /* just past the name's own bytes at its start; 0: not yet known */
};

/* The next label: its length (0 for the root) with *label at its bytes, or a
 * negative DNS_E* code.  Compression pointers are followed on the way. */
static inline int walk_label(struct name_walk *w, const uint8_t **label)
{
	for (;;) {
		if (w->at >= w->msglen)
			return DNS_ESHORT;
		uint8_t b = w->msg[w->at];
		if ((b & 0xC0) == 0xC0) {
			if (w->at + 1 >= w->msglen)
				return DNS_ESHORT;
			size_t target = (size_t)(b & 0x3F) << 8 | w->msg[w->at + 1];
			/* Strictly backwards from the pointer itself and from
			 * where this name began: chains only shrink. */
			if (target >= w->at || target >= w->limit)
				return DNS_EPOINTER;
			if (!w->end)
				w->end = w->at + 2;
			w->limit = w->at = target;
			continue;
		}
		if (b & 0xC0)
			return DNS_ELABEL; /* 01 and 10: extended/reserved label types */
		if (w->at + 1 + b > w->msglen)
			return DNS_ESHORT;
		if (w->len + 1 + b > DNS_NAME_MAX)
			return DNS_ENAMELEN;
		*label = w->msg + w->at + 1;
		w->len += 1 + (size_t)b;
		w->at += 1 + (size_t)b;
		if (b == 0 && !w->end)
			w->end = w->at;
		return b;
	}
}

int dns_name_unpack(const uint8_t *msg, size_t msglen, size_t pos,
		    uint8_t *out, size_t *next)
{
	struct name_walk w = { .msg = msg, .msglen = msglen, .at = pos, .limit = pos };
	for (;;) {
		const uint8_t *label;
		int n = walk_label(&w, &label);
		if (n < 0)
			return n;
		if (out)
			memcpy(out + w.len - 1 - (size_t)n, label - 1, 1 + (size_t)n);
		if (n == 0)
			break;
	}
	if (next)
		*next = w.end;
	return (int)w.len;
}

/* Label bytes that are written escaped (RFC 1035 5.1 and what dig escapes). */
static const bool label_special[256] = {
	[0x00 ... 0x20] = true, ['.'] = true, [';'] = true, ['\\'] = true, ['"'] = true,
	['('] = true, [')'] = true, ['@'] = true, ['$'] = true, [0x7F ... 0xFF] = true,
};

static void print_label(struct strbuf *sb, const uint8_t *p, size_t n, bool json)
{
	/* The longest form: every byte as \DDD, its backslash doubled in JSON. */
	if (!strbuf_reserve(sb, 5 * n))
		return;
	char *o = sb->p + sb->len;
	size_t plain = 0;
	/* The plain run first, copied as scanned (labels are short, a memcpy()
	 * call costs more); this tight loop is measurably cheaper than going
	 * through the loop below for every byte. */
	for (; plain < n && !label_special[p[plain]]; plain++)
		o[plain] = (char)p[plain];
	o += plain;
	for (size_t i = plain; i < n; i++) {
		uint8_t c = p[i];
		if (!label_special[c]) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		if (json)
			*o++ = '\\';
		switch (c) {
		case '\\': case '"':
			if (json)
				*o++ = '\\';
			/* fall through */
		case '.': case ';': case '(': case ')': case '@': case '$':
			*o++ = (char)c;
			break;
		default:
			*o++ = (char)('0' + c / 100);
			*o++ = (char)('0' + c / 10 % 10);
			*o++ = (char)('0' + c % 10);
		}
	}
	sb->len = (size_t)(o - sb->p);
}

/* One pass: each label printed as the walk meets it, and the text taken
 * back if the name turns out bad. */
int dns_name_print_at(struct strbuf *sb, const uint8_t *msg, size_t msglen,
		      size_t pos, unsigned flags, size_t *next)
{
	size_t mark = sb->len;
	struct name_walk w = { .msg = msg, .msglen = msglen, .at = pos, .limit = pos };
	for (;;) {
		const uint8_t *label;
		int n = walk_label(&w, &label);
		if (n < 0) {
			sb->len = mark;
			return n;
		}
		if (n == 0)
			break;
		if (w.len > 1 + (size_t)n)
			strbuf_putc(sb, '.');
		print_label(sb, label, (size_t)n, flags & DNS_NAME_JSON);
	}
	if (w.len == 1 || (flags & DNS_NAME_FQDN))
		strbuf_putc(sb, '.');
	if (next)
		*next = w.end;
	return DNS_OK;
}

void dns_name_print(struct strbuf *sb, const uint8_t *name)
{
	/* An uncompressed name is a message of its own, its name at 0. */
	dns_name_print_at(sb, name, DNS_NAME_MAX, 0, 0, NULL);
}

size_t dns_name_inplace_len(const uint8_t *msg, size_t msglen, size_t pos)
{
	size_t at = pos;
	while (at < msglen && msg[at] != 0 && msg[at] <= DNS_LABEL_MAX)
		at += 1 + (size_t)msg[at];
	if (at >= msglen || msg[at] != 0 || at + 1 - pos > DNS_NAME_MAX)
		return 0;
	return at + 1 - pos;
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
