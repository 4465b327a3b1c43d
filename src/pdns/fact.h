/* fact: one passive DNS fact, the unit of the Common Output Format.
 *
 * A fact is a (rrname, rrtype, rdata) triple seen in responses, with the
 * capture times of the first and last response that carried it and how many
 * did (draft-dulaunoy-dnsop-passive-dns-cof-13).  Aggregation (cof.c), the
 * COF line codec (cofline.c), the store (store.c), its writer thread
 * (writer.c), queries (query.c), the HTTP API (api.c) and the Kafka feeder
 * (consume.c) all pass facts in this one shape.
 *
 * Text fields are presentation format exactly as the flat record writes
 * them ("q" and "a"), NOT JSON-escaped: names without the final dot, rdata
 * as dns_rdata_print() makes it.  They point into the caller's memory and
 * are NUL-terminated. */
#ifndef PDNSLOG_PDNS_FACT_H
#define PDNSLOG_PDNS_FACT_H

#include <stdbool.h>
#include <stdint.h>

struct pdns_fact {
	const char *rrname;     /* owner name of the record */
	const char *rdata;
	const char *bailiwick;  /* zone the answering server spoke for, or NULL */
	const char *sensor_id;  /* -name of the sensor that saw it, or NULL */
	int64_t time_first;     /* seconds since the epoch (capture clock) */
	int64_t time_last;
	uint64_t count;         /* responses that carried the record */
	uint16_t rrtype;
	bool client;            /* -pdns_clients: a client row, rrname and rrtype
				 * the question, rdata the client's address */
};

#endif
