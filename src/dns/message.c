/* message: in-place parse of a DNS message into an index of its entries. */
#include "dns/message.h"

#include "dns/name.h"
#include "dns/wire.h"

/* The parse stops here: this error is the message's. */
static int stop(struct dns_msg *m, int code, size_t at)
{
	m->error = code;
	m->error_at = at;
	return code;
}

/* A flaw that does not stop the parse: kept unless something worse comes. */
static void flag(struct dns_msg *m, int code, size_t at)
{
	if (m->error == DNS_OK) {
		m->error = code;
		m->error_at = at;
	}
}

/* Record the OPT pseudo-record's fields (RFC 6891 6.1.2). */
static void take_opt(struct dns_msg *m, const struct dns_rr *rr, size_t index)
{
	if (rr->section != DNS_AR || m->opt >= 0 || m->wire[rr->name] != 0) {
		flag(m, DNS_EOPT, rr->name);
		return;
	}
	m->opt = (int)index;
	m->edns_udp = rr->rclass;
	m->edns_rcode_hi = (uint8_t)(rr->ttl >> 24);
	m->edns_version = (uint8_t)(rr->ttl >> 16);
	m->edns_flags = (uint16_t)rr->ttl;
}

/* Owner names point again and again at the same few places (the question's
 * name above all).  What a compression target expands to depends on nothing
 * but the target, so each is walked once per message and remembered here. */
#define NAME_MEMO 4
struct name_memo {
	size_t target[NAME_MEMO];
	int len[NAME_MEMO];  /* its expanded length, or 0: slot unused */
	unsigned next;
};

static void memo_add(struct name_memo *memo, size_t target, int len)
{
	memo->target[memo->next] = target;
	memo->len[memo->next] = len;
	memo->next = (memo->next + 1) % NAME_MEMO;
}

/* dns_name_unpack(wire, len, pos, NULL, next), with the memo.  A name walked
 * here is remembered too: the question's is what later owners point at. */
static int skip_name(const uint8_t *wire, size_t len, size_t pos, size_t *next,
		     struct name_memo *memo)
{
	size_t at = pos, n = 0;
	for (;;) {
		if (at >= len || n >= DNS_NAME_MAX)
			break;
		uint8_t b = wire[at];
		if ((b & 0xC0) == 0xC0) {
			if (at + 1 >= len)
				break;
			size_t target = (size_t)(b & 0x3F) << 8 | wire[at + 1];
			if (target >= pos)
				break;
			int tlen = 0;
			for (unsigned i = 0; i < NAME_MEMO; i++)
				if (memo->len[i] > 0 && memo->target[i] == target)
					tlen = memo->len[i];
			if (tlen == 0) {
				tlen = dns_name_unpack(wire, len, target, NULL, NULL);
				if (tlen < 0)
					break;
				memo_add(memo, target, tlen);
			}
			if (n + (size_t)tlen > DNS_NAME_MAX)
				break;
			if (n)
				memo_add(memo, pos, (int)n + tlen);
			*next = at + 2;
			return (int)n + tlen;
		}
		if (b & 0xC0 || at + 1 + b > len || n + 1 + b > DNS_NAME_MAX)
			break;
		n += 1 + (size_t)b;
		at += 1 + (size_t)b;
		if (b == 0) {
			memo_add(memo, pos, (int)n);
			*next = at;
			return (int)n;
		}
	}
	/* Something is wrong: the full walk says exactly what. */
	return dns_name_unpack(wire, len, pos, NULL, next);
}

int dns_msg_parse(struct dns_msg *m, const uint8_t *wire, size_t len,
		  struct dns_rr *rrs, size_t cap)
{
	struct name_memo memo = { .next = 0 };
	struct wire w;
	wire_init(&w, wire, 0, len);

	m->wire = wire;
	m->len = len;
	m->rrs = rrs;
	m->nrrs = 0;
	m->opt = -1;
	m->edns_udp = 0;
	m->edns_version = m->edns_rcode_hi = 0;
	m->edns_flags = 0;
	m->trailing = 0;
	m->error = DNS_OK;
	m->error_at = 0;
	for (int s = 0; s < 4; s++)
		m->count[s] = m->parsed[s] = 0;

	m->id = wire_u16(&w);
	m->flags = wire_u16(&w);
	for (int s = 0; s < 4; s++)
		m->count[s] = wire_u16(&w);
	if (w.err)
		return stop(m, DNS_ESHORT, 0);

	for (int s = DNS_QD; s <= DNS_AR; s++) {
		for (unsigned i = 0; i < m->count[s]; i++) {
			size_t at = w.pos;
			if (at == len)
				return stop(m, DNS_ECOUNT, at);
			if (m->nrrs == cap)
				return stop(m, DNS_ECOUNT, at);
			size_t next;
			int n = skip_name(wire, len, at, &next, &memo);
			if (n < 0)
				return stop(m, n, at);
			w.pos = next;
			struct dns_rr *rr = &rrs[m->nrrs];
			rr->name = (uint32_t)at;
			rr->section = (uint8_t)s;
			rr->type = wire_u16(&w);
			rr->rclass = wire_u16(&w);
			rr->ttl = 0;
			rr->rdlen = 0;
			rr->rdata = (uint32_t)w.pos;
			if (s != DNS_QD) {
				rr->ttl = wire_u32(&w);
				rr->rdlen = wire_u16(&w);
				rr->rdata = (uint32_t)w.pos;
				if (!w.err && wire_left(&w) < rr->rdlen)
					return stop(m, DNS_ERDLEN, at);
				wire_skip(&w, rr->rdlen);
			}
			if (w.err)
				return stop(m, DNS_ESHORT, at);
			m->nrrs++;
			m->parsed[s]++;
			if (rr->type == DNS_TYPE_OPT && s != DNS_QD)
				take_opt(m, rr, m->nrrs - 1);
		}
	}
	m->trailing = len - w.pos;
	return m->error;
}

