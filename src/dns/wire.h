/* wire: a bounds-checked cursor over untrusted bytes.
 *
 * Every read is checked against the end of the buffer.  The error is sticky:
 * after a short read every later read yields zero and `err` stays set, so a
 * parser reads a whole structure and checks once at the end. */
#ifndef PDNSLOG_WIRE_H
#define PDNSLOG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wire {
	const uint8_t *base; /* start of the enclosing buffer (e.g. the DNS message) */
	size_t end;          /* reads stop here: an offset from base */
	size_t pos;          /* next byte to read: an offset from base */
	bool err;
};

static inline void wire_init(struct wire *w, const uint8_t *base, size_t pos, size_t end)
{
	w->base = base;
	w->pos = pos;
	w->end = end;
	w->err = pos > end;
}

static inline size_t wire_left(const struct wire *w)
{
	return w->err ? 0 : w->end - w->pos;
}

static inline bool wire_need(struct wire *w, size_t n)
{
	if (w->err || w->end - w->pos < n) {
		w->err = true;
		return false;
	}
	return true;
}

static inline uint8_t wire_u8(struct wire *w)
{
	if (!wire_need(w, 1))
		return 0;
	return w->base[w->pos++];
}

static inline uint16_t wire_u16(struct wire *w)
{
	if (!wire_need(w, 2))
		return 0;
	const uint8_t *p = w->base + w->pos;
	w->pos += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t wire_u32(struct wire *w)
{
	if (!wire_need(w, 4))
		return 0;
	const uint8_t *p = w->base + w->pos;
	w->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Borrow n bytes in place; NULL (and err set) when fewer are left. */
static inline const uint8_t *wire_bytes(struct wire *w, size_t n)
{
	if (!wire_need(w, n))
		return NULL;
	const uint8_t *p = w->base + w->pos;
	w->pos += n;
	return p;
}

static inline void wire_skip(struct wire *w, size_t n)
{
	(void)wire_bytes(w, n);
}

#endif
