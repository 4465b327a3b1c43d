/* ipfmt: IP addresses as text without printf: dotted quad, and IPv6 in RFC
 * 5952 form (the first longest run of two or more zero words as "::", lower
 * case, embedded IPv4 for compatible and mapped addresses) exactly as glibc's
 * inet_ntop and dnspython write it.  Formatting addresses is on every record's path. */
#include "util/ipfmt.h"

void strbuf_put_ipv4(struct strbuf *sb, const uint8_t *a)
{
	if (!strbuf_reserve(sb, 15))
		return;
	char *o = sb->p + sb->len;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100) {
			*o++ = (char)('0' + v / 100);
			*o++ = (char)('0' + v / 10 % 10);
		} else if (v >= 10) {
			*o++ = (char)('0' + v / 10);
		}
		*o++ = (char)('0' + v % 10);
		*o++ = '.';
	}
	sb->len = (size_t)(o - 1 - sb->p);
}

static size_t put_hex16(char *o, unsigned v)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = 0;
	int shift = 12;
	while (shift > 0 && !(v >> shift & 15))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		o[n++] = digits[v >> shift & 15];
	return n;
}

void strbuf_put_ipv6(struct strbuf *sb, const uint8_t *a)
{
	unsigned words[8];
	for (int i = 0; i < 8; i++)
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* The first longest run of zero words, if longer than one word. */
	int best = -1, best_len = 0;
	for (int i = 0; i < 8;) {
		if (words[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !words[j])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	if (best_len < 2)
		best = -1;
	/* An IPv4-compatible or IPv4-mapped address ends in dotted quad. */
	if (best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
		strbuf_puts(sb, best_len == 6 ? "::" : "::ffff:");
		strbuf_put_ipv4(sb, a + 12);
		return;
	}
	char buf[40];
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			buf[n++] = ':';
			buf[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			buf[n++] = ':';
		n += put_hex16(buf + n, words[i]);
	}
	strbuf_putn(sb, buf, n);
}
