/* message: parse one DNS message (RFC 1035 4.1) in place, without copying.
 *
 * The parser walks the header, every question and every record of every
 * section, and records where each one sits in the caller's buffer.  Names and
 * rdata are decoded only when printed.  A malformed message is parsed as far
 * as it goes: `error` says why it stopped and `nrrs` how far it got. */
#ifndef PDNSLOG_MESSAGE_H
#define PDNSLOG_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/errors.h"

#define DNS_HEADER_LEN 12
#define DNS_MSG_MAX 65535
/* No message can hold more entries than this: a question takes at least
 * 5 bytes and a record at least 11. */
#define DNS_MAX_RRS ((DNS_MSG_MAX - DNS_HEADER_LEN) / 5 + 1)

enum dns_section { DNS_QD = 0, DNS_AN = 1, DNS_NS = 2, DNS_AR = 3 };

enum {
	DNS_TYPE_OPT = 41,
};

/* One question (section DNS_QD: ttl, rdata and rdlen are 0) or one record. */
struct dns_rr {
	uint32_t name;   /* offset of the owner name in the message */
	uint32_t rdata;  /* offset of the rdata */
	uint32_t ttl;
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint8_t section;
};

struct dns_msg {
	const uint8_t *wire; /* the caller's buffer: it must outlive the parse result */
	size_t len;

	uint16_t id;
	uint16_t flags;      /* the 16 header bits after the ID, as on the wire */
	uint16_t count[4];   /* section counts from the header */
	uint16_t parsed[4];  /* entries actually parsed in each section */

	struct dns_rr *rrs;  /* caller's array: questions first, then AN, NS, AR */
	size_t nrrs;

	int opt;             /* index in rrs of the OPT record, or -1 */
	uint16_t edns_udp;   /* OPT fields, valid when opt >= 0 */
	uint8_t edns_version;
	uint8_t edns_rcode_hi; /* upper 8 bits of the extended rcode */
	uint16_t edns_flags;   /* DO is 0x8000 */

	size_t trailing;     /* bytes after the last record (ignored, as resolvers do) */
	int error;           /* DNS_OK or the first malformation met */
	size_t error_at;     /* offset where it was met */
};

/* Header bit accessors. */
static inline bool dns_qr(const struct dns_msg *m) { return m->flags & 0x8000; }
static inline unsigned dns_opcode(const struct dns_msg *m) { return (m->flags >> 11) & 15; }
static inline bool dns_aa(const struct dns_msg *m) { return m->flags & 0x0400; }
static inline bool dns_tc(const struct dns_msg *m) { return m->flags & 0x0200; }
static inline bool dns_rd(const struct dns_msg *m) { return m->flags & 0x0100; }
static inline bool dns_ra(const struct dns_msg *m) { return m->flags & 0x0080; }
static inline bool dns_z(const struct dns_msg *m) { return m->flags & 0x0040; }
static inline bool dns_ad(const struct dns_msg *m) { return m->flags & 0x0020; }
static inline bool dns_cd(const struct dns_msg *m) { return m->flags & 0x0010; }
/* The full rcode: the header's 4 bits extended by EDNS (RFC 6891 6.1.3). */
static inline unsigned dns_rcode(const struct dns_msg *m)
{
	return (unsigned)(m->opt >= 0 ? m->edns_rcode_hi : 0) << 4 | (m->flags & 15);
}

/* Parse wire[0..len) into m, using rrs[0..cap) for the entries.  Returns
 * DNS_OK or a negative DNS_E* code (also left in m->error); what was parsed
 * before the error stays usable.  Fails only with DNS_ESHORT when even the
 * header is missing.  cap >= DNS_MAX_RRS guarantees no entry is left out. */
int dns_msg_parse(struct dns_msg *m, const uint8_t *wire, size_t len,
		  struct dns_rr *rrs, size_t cap);

/* A record that asserts nothing about data: class ANY or NONE with empty
 * rdata, as UPDATE prerequisites and deletions use (RFC 2136 2.4, 2.5). */
static inline bool dns_rr_is_meta(const struct dns_rr *rr)
{
	return (rr->rclass == 255 || rr->rclass == 254) && rr->rdlen == 0;
}

/* The first question, or NULL. */
static inline const struct dns_rr *dns_question(const struct dns_msg *m)
{
	return m->parsed[DNS_QD] ? &m->rrs[0] : NULL;
}

#endif
