/* cof: aggregation of responses into passive DNS facts, per worker.
 *
 * Each record of a response's answer section (with COF_ALL_SECTIONS also
 * authority and additional, OPT and TSIG left out) is a fact keyed by
 * (rrname, rrtype, rdata).  The table counts the responses that carried it
 * (once per response however often it is repeated there) and their capture
 * times, and hands facts to the emit callback:
 *   - when a fact is first seen (count 1);
 *   - then at most once per interval (capture clock), with what was seen
 *     since its previous emission;
 *   - when it is evicted (the table is full: the least recently seen goes);
 *   - at cof_flush() (exit) for every fact with unemitted sightings.
 * Every emission carries the count since the previous emission of that fact
 * and the first/last capture time of those responses, so a consumer that sums
 * counts and takes the min of time_first and the max of time_last gets the
 * exact totals, whatever the interval and evictions.
 *
 * Memory is bounded: at most max_entries entries of 256 bytes, allocated in
 * chunks as the table fills, whose text (rrname, rdata) is kept in the entry
 * when it fits COF_INLINE bytes; longer text (DNSKEY, RRSIG, long TXT: up to
 * COF_TEXT_MAX) is allocated for its fact, all of it together at most
 * COF_BIG_PER_ENTRY bytes per entry of the capacity: past that the least
 * recently seen facts are evicted to make room.  A fact whose text is longer
 * than COF_TEXT_MAX is refused and counted (cof_too_big).  The hash is keyed
 * (keyhash.h): names come from whoever sends packets.
 *
 * rrname and bailiwick are written in lower case (resolvers randomise the
 * case of the names they ask, RFC draft "0x20", and answers echo it: one
 * fact, not one per spelling); rdata is written as it came. */
#ifndef PDNSLOG_PDNS_COF_H
#define PDNSLOG_PDNS_COF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/message.h"
#include "pdns/fact.h"
#include "stats/stats.h"

#define COF_DEFAULT_MAX_ENTRIES 1000000
#define COF_DEFAULT_INTERVAL_NS (3600LL * 1000000000)
/* rrname, rdata and their two NULs: kept in the entry up to COF_INLINE
 * bytes (A, AAAA, CNAME, NS, MX, PTR and most others), allocated up to
 * COF_TEXT_MAX (a 4096-bit DNSKEY, a CERT, TXT of a few KiB), refused past. */
#define COF_INLINE 144
#define COF_TEXT_MAX 16384
#define COF_BIG_PER_ENTRY 64
#define COF_BIG_MIN (1u << 20)  /* the long text's budget is at least this */

struct cof_config {
	size_t max_entries;
	int64_t interval_ns;      /* positive */
	bool all_sections;        /* authority and additional too */
	bool count_malformed;     /* count rdata_malformed (when no other format does) */
	const char *sensor;       /* each fact's sensor_id, or NULL */
	bool clients;             /* a table of clients (cof_client), counted in pdns_clients_* */
};

/* f and its strings are valid only during the call. */
typedef void (*cof_emit_fn)(void *ctx, const struct pdns_fact *f);

struct cof_table;

struct cof_table *cof_create(const struct cof_config *cfg, cof_emit_fn emit, void *ctx,
			     struct stats *stats);
void cof_destroy(struct cof_table *t);

/* One response (parsed as far as it goes), captured at ts_ns. */
void cof_response(struct cof_table *t, const struct dns_msg *r, int64_t ts_ns);
/* -pdns_clients: one sighting of (question name, question type, client)
 * for a response to client; emitted like facts, with the client's address
 * as rdata and .client set.  q holds the question (the query, or the
 * response when there was none); nothing when it has none. */
void cof_client(struct cof_table *t, const struct dns_msg *q, const char *client, int64_t ts_ns);
/* Emit the facts whose interval has ended at now_ns with sightings unemitted.
 * Cheap when nothing is due: call it for every packet. */
void cof_expire(struct cof_table *t, int64_t now_ns);
/* Emit every fact with sightings unemitted (end of input). */
void cof_flush(struct cof_table *t);
size_t cof_entries(const struct cof_table *t);

#endif
