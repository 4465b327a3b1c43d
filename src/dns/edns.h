/* edns: the options of an OPT record (RFC 6891 6.1.2) and their names. */
#ifndef PDNSLOG_EDNS_H
#define PDNSLOG_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum edns_option_code {
	EDNS_LLQ = 1, EDNS_UL = 2, EDNS_NSID = 3, EDNS_DAU = 5, EDNS_DHU = 6,
	EDNS_N3U = 7, EDNS_ECS = 8, EDNS_EXPIRE = 9, EDNS_COOKIE = 10,
	EDNS_KEEPALIVE = 11, EDNS_PADDING = 12, EDNS_CHAIN = 13, EDNS_KEYTAG = 14,
	EDNS_EDE = 15, EDNS_CLIENT_TAG = 16, EDNS_SERVER_TAG = 17,
	EDNS_REPORT_CHANNEL = 18, EDNS_ZONEVERSION = 19,
};

/* Iterates the options of an OPT rdata; each option is bounded by it. */
struct edns_iter {
	const uint8_t *p;
	size_t left;
	bool err;        /* an option ran past the rdata */
};

struct edns_option {
	uint16_t code;
	uint16_t len;
	const uint8_t *data;
};

void edns_iter_init(struct edns_iter *it, const uint8_t *rdata, size_t rdlen);
/* Next option, false at the end or on error (it->err then set). */
bool edns_next(struct edns_iter *it, struct edns_option *opt);

/* Registry mnemonic ("NSID", "ECS", "COOKIE", ...) or NULL. */
const char *edns_option_name(uint16_t code);
/* Text of an extended DNS error info-code (RFC 8914 4), or NULL. */
const char *edns_ede_name(uint16_t info);

#endif
