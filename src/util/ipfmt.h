/* ipfmt: IP addresses as text, fast (see ipfmt.c). */
#ifndef PDNSLOG_IPFMT_H
#define PDNSLOG_IPFMT_H

#include <stdint.h>

#include "util/strbuf.h"

void strbuf_put_ipv4(struct strbuf *sb, const uint8_t *a);
void strbuf_put_ipv6(struct strbuf *sb, const uint8_t *a);

#endif
