/* rdata_misc: printers for the types whose layout depends on their own
 * contents or whose numbers need arithmetic: Chaosnet A, LOC, APL, WKS, HIP,
 * IPSECKEY and AMTRELAY. */
#include "dns/rdata_impl.h"
#include "util/ipfmt.h"

void rd_print_ch_a(struct rdctx *c)
{
	rd_name(c);
	unsigned addr = wire_u16(&c->w);
	char buf[6];
	size_t i = sizeof buf;
	do {
		buf[--i] = (char)('0' + (addr & 7));
		addr >>= 3;
	} while (addr);
	rd_sep(c);
	strbuf_putn(c->sb, buf + i, sizeof buf - i);
}

/* An amount of centimetres as metres with two decimals: "-2.50". */
static void put_metres(struct strbuf *sb, int64_t cm)
{
	uint64_t v = cm < 0 ? (uint64_t)-cm : (uint64_t)cm;
	if (cm < 0)
		strbuf_putc(sb, '-');
	strbuf_put_u64(sb, v / 100);
	char frac[4] = { '.', (char)('0' + v % 100 / 10), (char)('0' + v % 10), 'm' };
	strbuf_putn(sb, frac, 4);
}

/* RFC 1876 size/precision: mantissa and power of ten in centimetres. */
static bool loc_size(uint8_t b, int64_t *cm)
{
	unsigned base = b >> 4, exp = b & 15;
	if (base > 9 || exp > 9)
		return false;
	int64_t v = base;
	while (exp--)
		v *= 10;
	*cm = v;
	return true;
}

/* Degrees, minutes and seconds of a coordinate whose equator/meridian is 2^31. */
static bool loc_coord(struct strbuf *sb, uint32_t raw, int64_t max_deg, char pos, char neg)
{
	int64_t v = (int64_t)raw - 0x80000000LL;
	if (v > max_deg * 3600000 || v < -max_deg * 3600000)
		return false;
	char hemi = v >= 0 ? pos : neg;
	if (v < 0)
		v = -v;
	strbuf_put_u64(sb, (uint64_t)(v / 3600000));
	strbuf_putc(sb, ' ');
	strbuf_put_u64(sb, (uint64_t)(v / 60000 % 60));
	strbuf_putc(sb, ' ');
	strbuf_put_u64(sb, (uint64_t)(v / 1000 % 60));
	unsigned ms = (unsigned)(v % 1000);
	char tail[7] = { '.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
			 (char)('0' + ms % 10), ' ', hemi, ' ' };
	strbuf_putn(sb, tail, sizeof tail);
	return true;
}

void rd_print_loc(struct rdctx *c)
{
	struct wire *w = &c->w;
	uint8_t version = wire_u8(w);
	uint8_t size = wire_u8(w), hp = wire_u8(w), vp = wire_u8(w);
	uint32_t lat = wire_u32(w), lon = wire_u32(w), alt = wire_u32(w);
	int64_t size_cm, hp_cm, vp_cm;
	if (w->err || version != 0 || !loc_size(size, &size_cm) ||
	    !loc_size(hp, &hp_cm) || !loc_size(vp, &vp_cm)) {
		rd_fail(c);
		return;
	}
	rd_sep(c);
	if (!loc_coord(c->sb, lat, 90, 'N', 'S') || !loc_coord(c->sb, lon, 180, 'E', 'W')) {
		rd_fail(c);
		return;
	}
	put_metres(c->sb, (int64_t)alt - 10000000);
	/* dnspython leaves out size and precisions when all three are the
	 * defaults (1m 10000m 10m) and always writes two decimals; dig writes
	 * all three, without decimals when whole ("10000m").  We follow
	 * dnspython. */
	if (size_cm != 100 || hp_cm != 1000000 || vp_cm != 1000) {
		strbuf_putc(c->sb, ' ');
		put_metres(c->sb, size_cm);
		strbuf_putc(c->sb, ' ');
		put_metres(c->sb, hp_cm);
		strbuf_putc(c->sb, ' ');
		put_metres(c->sb, vp_cm);
	}
}

void rd_print_apl(struct rdctx *c)
{
	struct wire *w = &c->w;
	while (wire_left(w) > 0) {
		unsigned family = wire_u16(w);
		unsigned prefix = wire_u8(w);
		unsigned afd = wire_u8(w);
		size_t len = afd & 0x7f;
		const uint8_t *p = wire_bytes(w, len);
		uint8_t addr[16] = { 0 };
		size_t alen = family == 1 ? 4 : family == 2 ? 16 : 0;
		/* RFC 3123 families only: dnspython writes others as a Python
		 * bytes literal, which is no presentation format at all. */
		if (!p || alen == 0 || len > alen || prefix > alen * 8) {
			rd_fail(c);
			return;
		}
		memcpy(addr, p, len);
		rd_sep(c);
		if (afd & 0x80)
			strbuf_putc(c->sb, '!');
		strbuf_putc(c->sb, (char)('0' + family));
		strbuf_putc(c->sb, ':');
		if (family == 1)
			strbuf_put_ipv4(c->sb, addr);
		else
			strbuf_put_ipv6(c->sb, addr);
		strbuf_putc(c->sb, '/');
		strbuf_put_u64(c->sb, prefix);
	}
}

void rd_print_wks(struct rdctx *c)
{
	struct wire *w = &c->w;
	const uint8_t *addr = wire_bytes(w, 4);
	unsigned proto = wire_u8(w);
	if (w->err)
		return;
	rd_sep(c);
	strbuf_put_ipv4(c->sb, addr);
	strbuf_putc(c->sb, ' ');
	strbuf_put_u64(c->sb, proto);
	size_t n = wire_left(w);
	const uint8_t *bits = wire_bytes(w, n);
	for (size_t i = 0; i < n; i++) {
		for (unsigned j = 0; j < 8; j++) {
			if (bits[i] & (0x80u >> j)) {
				strbuf_putc(c->sb, ' ');
				strbuf_put_u64(c->sb, i * 8 + j);
			}
		}
	}
}

void rd_print_hip(struct rdctx *c)
{
	struct wire *w = &c->w;
	size_t hit_len = wire_u8(w);
	unsigned alg = wire_u8(w);
	size_t pk_len = wire_u16(w);
	const uint8_t *hit = wire_bytes(w, hit_len);
	const uint8_t *pk = wire_bytes(w, pk_len);
	if (w->err)
		return;
	rd_sep(c);
	strbuf_put_u64(c->sb, alg);
	strbuf_putc(c->sb, ' ');
	strbuf_put_hex(c->sb, hit, hit_len);
	strbuf_putc(c->sb, ' ');
	strbuf_put_base64(c->sb, pk, pk_len);
	while (wire_left(w) > 0 && !w->err)
		rd_name(c); /* rendezvous servers */
}

void rd_print_ipseckey(struct rdctx *c)
{
	struct wire *w = &c->w;
	unsigned precedence = wire_u8(w);
	unsigned gw_type = wire_u8(w);
	unsigned alg = wire_u8(w);
	if (w->err)
		return;
	rd_sep(c);
	strbuf_put_u64(c->sb, precedence);
	strbuf_putc(c->sb, ' ');
	strbuf_put_u64(c->sb, gw_type);
	strbuf_putc(c->sb, ' ');
	strbuf_put_u64(c->sb, alg);
	rd_gateway(c, gw_type);
	size_t n = wire_left(w);
	const uint8_t *key = wire_bytes(w, n);
	if (n) {
		rd_sep(c);
		strbuf_put_base64(c->sb, key, n);
	}
}

void rd_print_amtrelay(struct rdctx *c)
{
	struct wire *w = &c->w;
	unsigned precedence = wire_u8(w);
	unsigned b = wire_u8(w);
	if (w->err)
		return;
	rd_sep(c);
	strbuf_put_u64(c->sb, precedence);
	strbuf_putc(c->sb, ' ');
	strbuf_putc(c->sb, (char)('0' + (b >> 7))); /* discovery optional */
	strbuf_putc(c->sb, ' ');
	strbuf_put_u64(c->sb, b & 0x7f);            /* relay type */
	rd_gateway(c, b & 0x7f);
}
