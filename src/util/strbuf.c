/* strbuf: growable text buffer and the number/binary encoders that write into it. */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void strbuf_init(struct strbuf *sb)
{
	sb->p = NULL;
	sb->len = sb->cap = 0;
	sb->overflow = false;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->p);
	strbuf_init(sb);
}

bool strbuf_grow(struct strbuf *sb, size_t n)
{
	if (sb->overflow)
		return false;
	if (sb->cap - sb->len >= n)
		return true;
	if (n > STRBUF_MAX - sb->len) {
		sb->overflow = true;
		return false;
	}
	size_t cap = sb->cap ? sb->cap : 4096;
	while (cap - sb->len < n)
		cap *= 2;
	if (cap > STRBUF_MAX)
		cap = STRBUF_MAX;
	char *p = realloc(sb->p, cap);
	if (!p) {
		sb->overflow = true;
		return false;
	}
	sb->p = p;
	sb->cap = cap;
	return true;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !strbuf_reserve(sb, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->p + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* "00" to "99": numbers are written two digits per division. */
static const char two_digits[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static size_t digits_of(uint64_t v)
{
	size_t n = 1;
	for (; v >= 10000; v /= 10000)
		n += 4;
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Most numbers written (TTLs, ids, ports, lengths, elapsed nanoseconds) fit
 * in 32 bits, where counting digits is a few compares and dividing by 100 a
 * cheaper multiply than in 64. */
static unsigned digits_of32(uint32_t v)
{
	if (v < 100000)
		return v < 100 ? 1 + (v >= 10) : v < 1000 ? 3 : v < 10000 ? 4 : 5;
	return v < 10000000 ? 6 + (v >= 1000000) : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

void strbuf_put_number(struct strbuf *sb, uint64_t v)
{
	size_t n = v <= UINT32_MAX ? digits_of32((uint32_t)v) : digits_of(v);
	if (!strbuf_reserve(sb, n))
		return;
	char *o = sb->p + sb->len + n; /* written backwards, in place */
	sb->len += n;
	while (v > UINT32_MAX) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		*--o = two_digits[d + 1];
		*--o = two_digits[d];
	}
	uint32_t x = (uint32_t)v;
	while (x >= 100) {
		unsigned d = x % 100 * 2;
		x /= 100;
		*--o = two_digits[d + 1];
		*--o = two_digits[d];
	}
	if (x >= 10) {
		*--o = two_digits[x * 2 + 1];
		*--o = two_digits[x * 2];
	} else {
		*--o = (char)('0' + x);
	}
}

void strbuf_put_i64(struct strbuf *sb, int64_t v)
{
	if (v < 0) {
		strbuf_putc(sb, '-');
		strbuf_put_u64(sb, (uint64_t)0 - (uint64_t)v);
	} else {
		strbuf_put_u64(sb, (uint64_t)v);
	}
}

void strbuf_put_hex(struct strbuf *sb, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	if (!strbuf_reserve(sb, 2 * n))
		return;
	char *o = sb->p + sb->len;
	for (size_t i = 0; i < n; i++) {
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	sb->len += 2 * n;
}

void strbuf_put_base64(struct strbuf *sb, const uint8_t *p, size_t n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t out = (n + 2) / 3 * 4;
	if (!strbuf_reserve(sb, out))
		return;
	char *o = sb->p + sb->len;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = '=';
	}
	sb->len += out;
}

void strbuf_put_base32hex(struct strbuf *sb, const uint8_t *p, size_t n)
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			strbuf_putc(sb, alphabet[(acc >> bits) & 31]);
		}
	}
	if (bits > 0)
		strbuf_putc(sb, alphabet[(acc << (5 - bits)) & 31]);
}
