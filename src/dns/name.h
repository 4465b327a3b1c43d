/* name: domain names on the wire (RFC 1035 3.1, 4.1.4) and in presentation format.
 *
 * Decompression follows the three rules that make it safe on hostile input:
 * labels at most 63 bytes, names at most 255 bytes, and every compression
 * pointer pointing strictly before itself (so no loop can be built that does
 * not also grow the name past 255). */
#ifndef PDNSLOG_NAME_H
#define PDNSLOG_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "dns/errors.h"
#include "util/strbuf.h"

#define DNS_NAME_MAX 255 /* wire length, root label included */
#define DNS_LABEL_MAX 63

/* Decompress the name at msg[pos] into `out` (uncompressed wire form, at most
 * DNS_NAME_MAX bytes).  *next receives the offset just past the name's bytes at
 * pos (past the first pointer, if any).  Returns its wire length (>= 1) or a
 * negative DNS_E* code.  `out` may be NULL to only validate and skip. */
int dns_name_unpack(const uint8_t *msg, size_t msglen, size_t pos,
		    uint8_t *out, size_t *next);

/* Append an uncompressed wire name in presentation format: labels joined by
 * '.', no trailing dot (the root is "."), bytes outside printable ASCII as
 * \DDD and the specials . ; \ " ( ) @ $ and space escaped with '\'. */
void dns_name_print(struct strbuf *sb, const uint8_t *name);

/* dns_name_print_at() flags. */
#define DNS_NAME_FQDN 1u /* keep the trailing dot */
/* The text as it goes between the quotes of a JSON string: what
 * json_escape() would make of the presentation format, written in one go.
 * Presentation text is printable ASCII, so only its backslashes and quotes
 * change (each gets a backslash before it). */
#define DNS_NAME_JSON 2u

/* Decompress the name at msg[pos] and print it (dns_name_print style when
 * flags is 0); *next (if not NULL) as for dns_name_unpack().  Returns the
 * DNS_E* code; on error prints nothing. */
int dns_name_print_at(struct strbuf *sb, const uint8_t *msg, size_t msglen,
		      size_t pos, unsigned flags, size_t *next);

/* The wire length (root included) of the name at msg[pos] when it is
 * written out in place: labels only, no compression pointer, within msglen
 * and DNS_NAME_MAX.  0 otherwise.  For byte-wise comparisons of names. */
size_t dns_name_inplace_len(const uint8_t *msg, size_t msglen, size_t pos);

/* Case-insensitive equality of two uncompressed wire names. */
int dns_name_equal(const uint8_t *a, const uint8_t *b);

#endif
