/* rrtype: DNS knowledge as tables: the mnemonics of types, classes, rcodes
 * and opcodes from the IANA DNS parameters registry. */
#ifndef PDNSLOG_RRTYPE_H
#define PDNSLOG_RRTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/* Mnemonic of a registered type ("A", "HTTPS"), or NULL. */
const char *dns_type_name(uint16_t type);
/* Append the mnemonic, or "TYPE<n>" (RFC 3597 5) when it has none. */
void dns_type_print(struct strbuf *sb, uint16_t type);
/* The other way: a mnemonic (any case), "TYPE<n>" or a decimal number,
 * n bytes of s (not NUL-terminated).  0 with *type, or -1. */
int dns_type_parse(const char *s, size_t n, uint16_t *type);

/* "IN", "CH", "HS", "NONE", "ANY", or NULL; print falls back to "CLASS<n>". */
const char *dns_class_name(uint16_t rclass);
void dns_class_print(struct strbuf *sb, uint16_t rclass);

/* Full (extended) rcode mnemonics: "NOERROR", "NXDOMAIN", "BADVERS", ...;
 * print falls back to "RCODE<n>". */
const char *dns_rcode_name(uint16_t rcode);
void dns_rcode_print(struct strbuf *sb, uint16_t rcode);

/* "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE", "DSO"; else "OPCODE<n>". */
const char *dns_opcode_name(uint8_t opcode);
void dns_opcode_print(struct strbuf *sb, uint8_t opcode);

#endif
