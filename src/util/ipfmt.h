/* ipfmt: IP addresses as text, fast (see ipfmt.c). */
#ifndef PDNSLOG_IPFMT_H
#define PDNSLOG_IPFMT_H

#include <stdint.h>

#include "util/strbuf.h"

void strbuf_put_ipv4(struct strbuf *sb, const uint8_t *a);
void strbuf_put_ipv6(struct strbuf *sb, const uint8_t *a);

/* A packet's address: family 6 takes 16 bytes, anything else 4. */
static inline void strbuf_put_ip(struct strbuf *sb, const uint8_t *a, uint8_t family)
{
	if (family == 6)
		strbuf_put_ipv6(sb, a);
	else
		strbuf_put_ipv4(sb, a);
}

#endif
