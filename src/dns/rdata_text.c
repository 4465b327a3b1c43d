/* rdata_text: the small text encoders and field readers shared by the rdata
 * printers: character-strings, signature times, names and type
 * bitmaps. */
#include "dns/rdata_impl.h"

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "util/ipfmt.h"

void rd_put_escaped(struct strbuf *sb, const uint8_t *p, size_t n)
{
	size_t run = 0; /* bytes that need no escape, written in one go */
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			continue;
		strbuf_putn(sb, p + run, i - run);
		run = i + 1;
		if (ch == '"' || ch == '\\') {
			char esc[2] = { '\\', (char)ch };
			strbuf_putn(sb, esc, 2);
		} else {
			char esc[4] = { '\\', (char)('0' + ch / 100),
					(char)('0' + ch / 10 % 10), (char)('0' + ch % 10) };
			strbuf_putn(sb, esc, 4);
		}
	}
	strbuf_putn(sb, p + run, n - run);
}

void rd_put_quoted(struct strbuf *sb, const uint8_t *p, size_t n)
{
	strbuf_putc(sb, '"');
	rd_put_escaped(sb, p, n);
	strbuf_putc(sb, '"');
}

static void put_digits(char *o, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void rd_put_sigtime(struct strbuf *sb, uint32_t t)
{
	/* Days to civil date (proleptic Gregorian), after H. Hinnant. */
	uint32_t secs = t % 86400;
	int64_t z = (int64_t)(t / 86400) + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);
	char buf[14];
	put_digits(buf, (unsigned)year, 4);
	put_digits(buf + 4, (unsigned)month, 2);
	put_digits(buf + 6, (unsigned)day, 2);
	put_digits(buf + 8, secs / 3600, 2);
	put_digits(buf + 10, secs / 60 % 60, 2);
	put_digits(buf + 12, secs % 60, 2);
	strbuf_putn(sb, buf, sizeof buf);
}

void rd_put_base32hex(struct strbuf *sb, const uint8_t *p, size_t n)
{
	/* dnspython pads to whole 8-character groups; digests (20 bytes) need none. */
	static const uint8_t pad[5] = { 0, 6, 4, 3, 1 };
	strbuf_put_base32hex(sb, p, n);
	for (unsigned i = 0; i < pad[n % 5]; i++)
		strbuf_putc(sb, '=');
}

void rd_put_type(struct strbuf *sb, uint16_t type)
{
	/* Registered types dnspython 2.3 has no mnemonic for: inside rdata it
	 * writes them TYPEnnn, and so do we (dig writes the mnemonic). */
	switch (type) {
	case 31: case 32: case 34: case 40: case 57: case 58: case 66: case 67:
	case 68: case 100: case 101: case 102: case 128: case 259: case 261:
	case 262: case 263: case 264:
		strbuf_putn(sb, "TYPE", 4);
		strbuf_put_u64(sb, type);
		return;
	default:
		dns_type_print(sb, type);
	}
}

void rd_name(struct rdctx *c)
{
	size_t next = 0;
	if (!wire_need(&c->w, 1))
		return;
	size_t mark = c->sb->len;
	rd_sep(c);
	int rc = dns_name_print_at(c->sb, c->msg, c->msglen, c->w.pos,
				   (c->flags & DNS_RDATA_FQDN) ? DNS_NAME_FQDN : 0, &next);
	/* Pointers may lead anywhere earlier, but the name's own bytes are rdata. */
	if (rc != DNS_OK || next > c->w.end) {
		c->sb->len = mark;
		rd_fail(c);
		return;
	}
	c->w.pos = next;
}

void rd_bitmap(struct rdctx *c)
{
	int last = -1;
	while (wire_left(&c->w) > 0) {
		unsigned window = wire_u8(&c->w);
		unsigned len = wire_u8(&c->w);
		const uint8_t *bits = wire_bytes(&c->w, len);
		/* RFC 4034 4.1.2: ascending windows of 1 to 32 octets. */
		if (!bits || (int)window <= last || len == 0 || len > 32) {
			rd_fail(c);
			return;
		}
		last = (int)window;
		for (unsigned i = 0; i < len; i++) {
			for (unsigned j = 0; j < 8; j++) {
				if (!(bits[i] & (0x80u >> j)))
					continue;
				rd_sep(c);
				rd_put_type(c->sb, (uint16_t)(window << 8 | i << 3 | j));
			}
		}
	}
}

void rd_gateway(struct rdctx *c, unsigned type)
{
	const uint8_t *p;
	switch (type) {
	case 0: /* no gateway */
		rd_sep(c);
		strbuf_putc(c->sb, '.');
		break;
	case 1:
		if ((p = wire_bytes(&c->w, 4))) {
			rd_sep(c);
			strbuf_put_ipv4(c->sb, p);
		}
		break;
	case 2:
		if ((p = wire_bytes(&c->w, 16))) {
			rd_sep(c);
			strbuf_put_ipv6(c->sb, p);
		}
		break;
	case 3:
		rd_name(c);
		break;
	default:
		rd_fail(c);
	}
}
