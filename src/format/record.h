/* record: one DNS exchange as the formats see it, and the formats.
 *
 * flat.c writes the gopassivedns record (one line per answer), json.c one
 * line per exchange with everything in it (docs/json-format.md). */
#ifndef PDNSLOG_RECORD_H
#define PDNSLOG_RECORD_H

#include "dns/message.h"
#include "pair/table.h"
#include "stats/stats.h"
#include "util/strbuf.h"

enum exchange_status { ST_ANSWERED, ST_UNANSWERED, ST_RESPONSE_ONLY };

struct exchange {
	const struct flow_key *key;
	const struct leg *qleg, *rleg;           /* NULL when that side is missing */
	const struct dns_msg *query, *response;  /* parsed legs, NULL likewise */
	enum exchange_status status;
};

/* flat.c's text that is the same in many records, made once per context:
 * for each protocol, flag and status combination, everything after "bytes"'s
 * value; and, at FLAT_LEVEL, the "level" key and value up to "bytes"'s. */
#define FLAT_ENDS (32 * 3)
#define FLAT_LEVEL FLAT_ENDS
struct flat_text {
	struct strbuf text;
	uint32_t at[FLAT_ENDS + 1], len[FLAT_ENDS + 1]; /* len 0: not made yet */
};

struct format_ctx {
	const char *sensor;   /* -name, already JSON-escaped-safe text */
	const char *level;    /* flat "level": the syslog priority's name with -syslog_facility, else "" */
	struct stats *stats;
	struct strbuf escape;  /* room for escaping text in place, kept between records */
	struct strbuf sensor_text; /* the sensor as a JSON string body, made once */
	struct flat_text flat;
};

/* Free what the formats made in f (f itself is the caller's). */
void format_ctx_free(struct format_ctx *f);

/* Append the exchange's records, each ending in '\n'; returns how many. */
size_t format_flat(struct format_ctx *f, struct strbuf *sb, const struct exchange *x);
size_t format_json(struct format_ctx *f, struct strbuf *sb, const struct exchange *x);

const char *exchange_status_name(enum exchange_status s);
/* The message whose question an exchange is logged under: the query's,
 * else the response's (NULL only when neither leg was parsed). */
const struct dns_msg *exchange_question_source(const struct exchange *x);

/* Fields both formats write the same way: an address as a JSON string, and
 * the response time in nanoseconds (null when the exchange is unpaired). */
void format_put_ip(struct strbuf *sb, const uint8_t *a, uint8_t family);
void format_put_elapsed(struct strbuf *sb, const struct exchange *x);
/* A record's data in presentation format as the body of a JSON string;
 * rdata that does not fit its type is written generically and counted
 * (rdata_malformed). */
void format_put_rdata(struct format_ctx *f, struct strbuf *sb, const struct dns_msg *m,
		      const struct dns_rr *rr);

/* The sensor name escaped for a JSON string, kept in f after the first call. */
const struct strbuf *format_sensor_json(struct format_ctx *f);

#endif
