/* jsonw: streaming JSON writer over a strbuf (see jsonw.h). */
#include "format/jsonw.h"


void jsonw_init(struct jsonw *j, struct strbuf *sb, struct strbuf *scratch)
{
	j->sb = sb;
	j->scratch = scratch;
	j->depth = 0;
	j->first[0] = true;
}

/* A value in an array needs a comma before it unless it is the first. */
static void before_value(struct jsonw *j)
{
	if (j->depth > 0 && j->first[j->depth] == false && j->sb->len > 0 &&
	    j->sb->p[j->sb->len - 1] != ':')
		strbuf_putc(j->sb, ',');
	j->first[j->depth] = false;
}

static void open(struct jsonw *j, char c)
{
	before_value(j);
	strbuf_putc(j->sb, c);
	if (j->depth + 1 < JSONW_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct jsonw *j, char c)
{
	strbuf_putc(j->sb, c);
	if (j->depth > 0)
		j->depth--;
}

void jsonw_object_open(struct jsonw *j) { open(j, '{'); }
void jsonw_object_close(struct jsonw *j) { close_(j, '}'); }
void jsonw_array_open(struct jsonw *j) { open(j, '['); }
void jsonw_array_close(struct jsonw *j) { close_(j, ']'); }

void jsonw_keyn(struct jsonw *j, const char *quoted_key_colon, size_t n)
{
	if (!j->first[j->depth])
		strbuf_putc(j->sb, ',');
	j->first[j->depth] = false;
	strbuf_putn(j->sb, quoted_key_colon, n);
}

void jsonw_key_str(struct jsonw *j, const char *key)
{
	if (!j->first[j->depth])
		strbuf_putc(j->sb, ',');
	j->first[j->depth] = false;
	strbuf_putc(j->sb, '"');
	strbuf_puts(j->sb, key);
	strbuf_putn(j->sb, "\":", 2);
}

void jsonw_raw_begin(struct jsonw *j)
{
	before_value(j);
	strbuf_putc(j->sb, '"');
}

void jsonw_raw_end(struct jsonw *j)
{
	strbuf_putc(j->sb, '"');
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

void json_escape(struct strbuf *sb, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of bytes that need no escaping */
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			continue;
		}
		size_t ulen = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
		if (ulen) {
			i += ulen;
			continue;
		}
		strbuf_putn(sb, s + run, i - run);
		switch (c) {
		case '"': strbuf_putn(sb, "\\\"", 2); break;
		case '\\': strbuf_putn(sb, "\\\\", 2); break;
		case '\n': strbuf_putn(sb, "\\n", 2); break;
		case '\r': strbuf_putn(sb, "\\r", 2); break;
		case '\t': strbuf_putn(sb, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			strbuf_putn(sb, u, 6);
		}
		}
		i++;
		run = i;
	}
	strbuf_putn(sb, s + run, n - run);
}

void jsonw_strn(struct jsonw *j, const char *s, size_t n)
{
	before_value(j);
	strbuf_putc(j->sb, '"');
	json_escape(j->sb, s, n);
	strbuf_putc(j->sb, '"');
}

void jsonw_str(struct jsonw *j, const char *s)
{
	jsonw_strn(j, s, strlen(s));
}

void jsonw_uint(struct jsonw *j, uint64_t v)
{
	before_value(j);
	strbuf_put_u64(j->sb, v);
}

void jsonw_int(struct jsonw *j, int64_t v)
{
	before_value(j);
	strbuf_put_i64(j->sb, v);
}

void jsonw_bool(struct jsonw *j, bool v)
{
	before_value(j);
	strbuf_puts(j->sb, v ? "true" : "false");
}

void jsonw_null(struct jsonw *j)
{
	before_value(j);
	strbuf_puts(j->sb, "null");
}

size_t jsonw_str_begin(struct jsonw *j)
{
	before_value(j);
	strbuf_putc(j->sb, '"');
	return j->sb->len;
}

/* Bytes that a JSON string cannot hold as they are, or that need a UTF-8
 * check: controls, '"', '\\' and everything from 0x7F up. */
static const bool needs_escape[256] = {
	[0x00 ... 0x1F] = true, ['"'] = true, ['\\'] = true, [0x7F ... 0xFF] = true,
};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Nonzero when one of the 8 bytes in x is below 0x20 or 0x7F and above (the
 * classic "has a byte less than n" trick, and a carry into the high bit). */
static inline uint64_t any_unprintable(uint64_t x)
{
	uint64_t below_space = (x - ONES * 0x20) & ~x;
	uint64_t from_del = (x + ONES * 0x01) | x;
	return (below_space | from_del) & HIGHS;
}

/* Nonzero when one of the 8 bytes in x is '"' or '\\' ("has a zero byte"). */
static inline uint64_t any_quote_or_backslash(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
	return (((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

/* Nonzero when one of the 8 bytes in x needs escaping or a UTF-8 check. */
static inline uint64_t any_needs_escape(uint64_t x)
{
	return any_unprintable(x) | any_quote_or_backslash(x);
}

static inline bool is_quote_or_backslash(unsigned char c)
{
	return c == '"' || c == '\\';
}

/* Presentation format (names, rdata) is printable ASCII, where only '"' and
 * '\\' need escaping: each gets a backslash, the text between them moved up
 * in place.  False, with nothing changed, when sb[from..] holds anything
 * else or more than ESCAPES_IN_PLACE of them. */
#define ESCAPES_IN_PLACE 16
static bool escape_printable(struct strbuf *sb, size_t from)
{
	const unsigned char *p = (const unsigned char *)sb->p;
	size_t at[ESCAPES_IN_PLACE], k = 0, n = sb->len, i = from;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		if (any_unprintable(x))
			return false;
		if (!any_quote_or_backslash(x))
			continue;
		for (size_t j = i; j < i + 8; j++) {
			if (!is_quote_or_backslash(p[j]))
				continue;
			if (k == ESCAPES_IN_PLACE)
				return false;
			at[k++] = j;
		}
	}
	for (; i < n; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7F)
			return false;
		if (!is_quote_or_backslash(p[i]))
			continue;
		if (k == ESCAPES_IN_PLACE)
			return false;
		at[k++] = i;
	}
	if (!strbuf_reserve(sb, k))
		return true; /* overflow is set: the record is dropped */
	/* From the last one: the j-th (from 0) moves up by the j backslashes
	 * before it and its own. */
	size_t end = n;
	for (size_t j = k; j-- > 0;) {
		memmove(sb->p + at[j] + j + 1, sb->p + at[j], end - at[j]);
		sb->p[at[j] + j] = '\\';
		end = at[j];
	}
	sb->len = n + k;
	return true;
}

void json_escape_from(struct strbuf *sb, size_t begin, struct strbuf *scratch)
{
	if (sb->overflow || begin > sb->len)
		return;
	size_t n = sb->len - begin;
	const unsigned char *text = (const unsigned char *)sb->p + begin;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, text + i, 8);
		if (any_needs_escape(x))
			break;
	}
	while (i < n && !needs_escape[text[i]])
		i++;
	if (i == n)
		return;
	if (escape_printable(sb, begin + i))
		return;
	/* The text needs escaping: move it aside and escape it back.  The
	 * caller's scratch buffer is kept between records, so no allocation
	 * happens once it has grown. */
	struct strbuf own;
	struct strbuf *tmp = scratch;
	if (!tmp) {
		strbuf_init(&own);
		tmp = &own;
	}
	strbuf_reset(tmp);
	strbuf_putn(tmp, sb->p + begin, n);
	if (tmp->overflow) {
		sb->overflow = true;
	} else {
		sb->len = begin;
		json_escape(sb, tmp->p, n);
	}
	if (tmp == &own)
		strbuf_free(&own);
}

void jsonw_str_end(struct jsonw *j, size_t begin)
{
	json_escape_from(j->sb, begin, j->scratch);
	if (!j->sb->overflow)
		strbuf_putc(j->sb, '"');
}
