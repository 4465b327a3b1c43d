/* rdata: record data in presentation format (RFC 1035 5.1, RFC 3597 5 and
 * each type's own RFC), as dig writes it. */
#ifndef PDNSLOG_RDATA_H
#define PDNSLOG_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/message.h"
#include "util/strbuf.h"

/* Keep the trailing dot on names inside rdata ("10 mx.example.com.").
 * Without it names are written as in the flat record: "10 mx.example.com". */
#define DNS_RDATA_FQDN 1u

/* An address record (A or AAAA of class IN, mDNS's cache-flush bit allowed,
 * of its type's length): its text is an address, digits, dots, colons and
 * hex, which JSON takes as it is. */
static inline bool dns_rdata_is_address(const struct dns_rr *rr)
{
	return (rr->rclass & 0x7FFF) == 1 && ((rr->type == 1 && rr->rdlen == 4) ||
					      (rr->type == 28 && rr->rdlen == 16));
}

/* Append the presentation form of rr's rdata, read from msg[0..msglen).
 * Names inside rdata may be compressed pointers into msg.  When the rdata
 * does not fit its type's format (too short, too long, bad name), the RFC 3597
 * form "\# LEN HEX" is appended instead and DNS_ERDATA returned; else DNS_OK. */
int dns_rdata_print(struct strbuf *sb, const uint8_t *msg, size_t msglen,
		    const struct dns_rr *rr, unsigned flags);

#endif
