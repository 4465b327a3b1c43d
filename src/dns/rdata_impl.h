/* rdata_impl: what the rdata printer's files share and nothing else includes.
 *
 * A printer reads one record's rdata through `w`, a cursor bounded to exactly
 * [rdata, rdata + rdlen) of the message, and appends text to `sb`.  A printer
 * reports "this rdata does not fit the format" by setting w.err (every wire_*
 * read does it on a short read); dns_rdata_print then rolls the text back and
 * writes the RFC 3597 generic form instead. */
#ifndef PDNSLOG_RDATA_IMPL_H
#define PDNSLOG_RDATA_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/wire.h"
#include "util/strbuf.h"

struct rdctx {
	struct strbuf *sb;
	const uint8_t *msg;   /* the whole message: names may point anywhere before */
	size_t msglen;
	struct wire w;        /* base = msg, bounded to the rdata */
	size_t start;         /* sb->len when this rdata's text began */
	unsigned flags;       /* DNS_RDATA_* */
};

static inline void rd_fail(struct rdctx *c)
{
	c->w.err = true;
}

/* A space between fields: none before the first. */
static inline void rd_sep(struct rdctx *c)
{
	if (c->sb->len > c->start)
		strbuf_putc(c->sb, ' ');
}

/* Text helpers (rdata_text.c); addresses are in util/ipfmt.h. */
/* Bytes of a character-string: \" and \\ escaped, bytes outside 0x20-0x7e as \DDD. */
void rd_put_escaped(struct strbuf *sb, const uint8_t *p, size_t n);
/* The same between double quotes. */
void rd_put_quoted(struct strbuf *sb, const uint8_t *p, size_t n);
/* RRSIG time: YYYYMMDDHHmmSS in UTC for seconds since 1970 (no wrap-around). */
void rd_put_sigtime(struct strbuf *sb, uint32_t t);
/* A type mnemonic inside rdata (bitmaps, RRSIG type covered), as dnspython
 * 2.3 spells it: TYPEnnn for the registered types it does not know. */
void rd_put_type(struct strbuf *sb, uint16_t type);
/* Base32hex as NSEC3 writes it, with the '=' padding dnspython keeps. */
void rd_put_base32hex(struct strbuf *sb, const uint8_t *p, size_t n);

/* Field readers: each reads from the cursor and appends with a leading
 * separator.  On malformed input they set w.err and the text is discarded. */
void rd_name(struct rdctx *c);          /* a possibly compressed domain name */
void rd_bitmap(struct rdctx *c);        /* NSEC/NSEC3/CSYNC windows, to the end */
void rd_gateway(struct rdctx *c, unsigned type); /* IPSECKEY/AMTRELAY gateway */

/* Custom printers (rdata_misc.c, rdata_svcb.c). */
void rd_print_ch_a(struct rdctx *c);
void rd_print_loc(struct rdctx *c);
void rd_print_apl(struct rdctx *c);
void rd_print_wks(struct rdctx *c);
void rd_print_hip(struct rdctx *c);
void rd_print_ipseckey(struct rdctx *c);
void rd_print_amtrelay(struct rdctx *c);
void rd_print_svcb(struct rdctx *c);

#endif
