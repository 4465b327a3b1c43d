/* strbuf: an append-only text buffer for building output records.
 *
 * Records are built whole in one buffer and handed to the sinks, so a line is
 * never written half.  The buffer grows geometrically and never shrinks: after
 * the first few records the hot path does no allocation.  Growth is capped at
 * STRBUF_MAX; past it the buffer sets `overflow` and ignores further appends,
 * so the caller checks once per record instead of after every append. */
#ifndef PDNSLOG_STRBUF_H
#define PDNSLOG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define STRBUF_MAX (64u << 20) /* the largest record we will ever build */

struct strbuf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
/* The slow path of strbuf_reserve(): reallocate. */
bool strbuf_grow(struct strbuf *sb, size_t n);

/* Make room for n more bytes; false (and overflow set) if that is impossible. */
static inline bool strbuf_reserve(struct strbuf *sb, size_t n)
{
	if (!sb->overflow && sb->cap - sb->len >= n)
		return true;
	return strbuf_grow(sb, n);
}

static inline void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->overflow = false;
}

static inline void strbuf_putn(struct strbuf *sb, const void *s, size_t n)
{
	if (n == 0)
		return; /* also when nothing was ever allocated: no NULL + 0 */
	if (sb->cap - sb->len < n && !strbuf_reserve(sb, n))
		return;
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
}

static inline void strbuf_putc(struct strbuf *sb, char c)
{
	if (sb->cap == sb->len && !strbuf_reserve(sb, 1))
		return;
	sb->p[sb->len++] = c;
}

static inline void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_putn(sb, s, strlen(s));
}

/* A short string (a mnemonic such as "AAAA" or "NOERROR"): copied a byte at
 * a time, which for a few bytes is cheaper than strlen() and memcpy(). */
static inline void strbuf_put_word(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		strbuf_putc(sb, *s);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Decimal, no leading zeros.  One digit (rcodes, flags, versions) is
 * written inline; longer numbers by strbuf_put_number(). */
void strbuf_put_number(struct strbuf *sb, uint64_t v);
static inline void strbuf_put_u64(struct strbuf *sb, uint64_t v)
{
	if (v < 10)
		strbuf_putc(sb, (char)('0' + v));
	else
		strbuf_put_number(sb, v);
}
void strbuf_put_i64(struct strbuf *sb, int64_t v);
/* Lower-case hex of n bytes, no separators. */
void strbuf_put_hex(struct strbuf *sb, const uint8_t *p, size_t n);
/* Standard base64 (RFC 4648 section 4) with padding, no line breaks. */
void strbuf_put_base64(struct strbuf *sb, const uint8_t *p, size_t n);
/* Base32 with the extended hex alphabet (RFC 4648 section 7), no padding,
 * lower case, as NSEC3 next-hashed-owner names are written. */
void strbuf_put_base32hex(struct strbuf *sb, const uint8_t *p, size_t n);

#endif
