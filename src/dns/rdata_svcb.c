/* rdata_svcb: SVCB and HTTPS (RFC 9460) rdata: priority, target and the
 * SvcParams, written as dnspython 2.3 writes them.
 *
 * Every value is written key="value" (dig writes port=443 and
 * ipv4hint=1.2.3.4 bare; after the comparison drops quotes only at token ends,
 * `port="443"` and `port=443` still differ, so we follow dnspython).  Keys
 * dnspython does not name (7 dohpath, 8 ohttp, ...) are written keyNNNNN. */
#include "dns/rdata_impl.h"
#include "util/ipfmt.h"

enum {
	SVCB_MANDATORY = 0,
	SVCB_ALPN = 1,
	SVCB_NO_DEFAULT_ALPN = 2,
	SVCB_PORT = 3,
	SVCB_IPV4HINT = 4,
	SVCB_ECH = 5,
	SVCB_IPV6HINT = 6,
};

static const char *const key_names[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint",
};
#define NKEYS (sizeof key_names / sizeof key_names[0])

static void put_key(struct strbuf *sb, unsigned key)
{
	if (key < NKEYS) {
		strbuf_puts(sb, key_names[key]);
	} else {
		strbuf_putn(sb, "key", 3);
		strbuf_put_u64(sb, key);
	}
}

/* One ALPN id, escaped twice as dnspython does: first ',' '"' '\' get a
 * backslash and other unprintables become \DDD, then the result is escaped
 * again as a quoted string (so a ',' inside an id is written "\\,"). */
static void put_alpn_id(struct strbuf *sb, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];
		if (ch == ',' || ch == '"' || ch == '\\') {
			strbuf_putn(sb, "\\\\", 2);
			if (ch == ',')
				strbuf_putc(sb, ',');
			else
				strbuf_putn(sb, ch == '"' ? "\\\"" : "\\\\", 2);
		} else if (ch >= 0x20 && ch < 0x7f) {
			strbuf_putc(sb, (char)ch);
		} else {
			char esc[5] = { '\\', '\\', (char)('0' + ch / 100),
					(char)('0' + ch / 10 % 10), (char)('0' + ch % 10) };
			strbuf_putn(sb, esc, 5);
		}
	}
}

/* The value of one parameter from p[0..n), after `key=`; false if malformed. */
static bool put_value(struct strbuf *sb, unsigned key, const uint8_t *p, size_t n)
{
	size_t i;
	strbuf_putc(sb, '"');
	switch (key) {
	case SVCB_MANDATORY:
		if (n % 2)
			return false;
		for (i = 0; i < n; i += 2) {
			unsigned k = (unsigned)p[i] << 8 | p[i + 1];
			/* ascending, no repeats, not "mandatory" itself */
			if (k == SVCB_MANDATORY ||
			    (i && k <= ((unsigned)p[i - 2] << 8 | p[i - 1])))
				return false;
			if (i)
				strbuf_putc(sb, ',');
			put_key(sb, k);
		}
		break;
	case SVCB_ALPN:
		for (i = 0; i < n;) {
			size_t len = p[i++];
			if (len == 0 || len > n - i)
				return false;
			if (i > 1)
				strbuf_putc(sb, ',');
			put_alpn_id(sb, p + i, len);
			i += len;
		}
		break;
	case SVCB_PORT:
		if (n != 2)
			return false;
		strbuf_put_u64(sb, (unsigned)p[0] << 8 | p[1]);
		break;
	case SVCB_IPV4HINT:
	case SVCB_IPV6HINT: {
		size_t alen = key == SVCB_IPV4HINT ? 4 : 16;
		if (n % alen)
			return false;
		for (i = 0; i < n; i += alen) {
			if (i)
				strbuf_putc(sb, ',');
			if (alen == 4)
				strbuf_put_ipv4(sb, p + i);
			else
				strbuf_put_ipv6(sb, p + i);
		}
		break;
	}
	case SVCB_ECH:
		strbuf_put_base64(sb, p, n);
		break;
	default:
		rd_put_escaped(sb, p, n);
	}
	strbuf_putc(sb, '"');
	return true;
}

void rd_print_svcb(struct rdctx *c)
{
	struct wire *w = &c->w;
	unsigned priority = wire_u16(w);
	if (w->err)
		return;
	rd_sep(c);
	strbuf_put_u64(c->sb, priority);
	rd_name(c);
	if (priority == 0 && wire_left(w) > 0) { /* AliasMode has no params */
		rd_fail(c);
		return;
	}
	long last = -1;
	while (wire_left(w) > 0) {
		unsigned key = wire_u16(w);
		size_t len = wire_u16(w);
		const uint8_t *val = wire_bytes(w, len);
		if (!val || (long)key <= last) { /* keys strictly ascending */
			rd_fail(c);
			return;
		}
		last = key;
		strbuf_putc(c->sb, ' ');
		put_key(c->sb, key);
		/* no-default-alpn never has a value; other keys without a value
		 * are written bare, except those whose empty value is text. */
		if (key == SVCB_NO_DEFAULT_ALPN) {
			if (len) {
				rd_fail(c);
				return;
			}
			continue;
		}
		if (len == 0 && key >= NKEYS)
			continue;
		strbuf_putc(c->sb, '=');
		if (!put_value(c->sb, key, val, len)) {
			rd_fail(c);
			return;
		}
	}
}
