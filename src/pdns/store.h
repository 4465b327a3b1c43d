/* store: the passive DNS database, an SQLite file of facts.
 *
 * One row per (rrname, rrtype, rdata); with -pdns_clients also one per
 * (client, question name, question type) in a table of clients.  Upserts keep the earliest
 * time_first, the latest time_last and the summed count, and the bailiwick
 * once one is known.  Suffix queries ("*.example.com") use a reversed-name
 * column and its index; rdata queries their own index.  The file is in WAL
 * mode, so one writer and any number of readers (query, the HTTP API) work
 * at once.  Writes are batched in transactions by the caller: begin, many
 * upserts, commit; what was committed survives a crash (SQLite's promise). */
#ifndef PDNSLOG_PDNS_STORE_H
#define PDNSLOG_PDNS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdns/fact.h"

struct pdns_store;

enum pdns_store_mode { PDNS_STORE_READ, PDNS_STORE_WRITE /* creates the file and schema */ };

/* NULL with a one-line reason in err when the file cannot be opened or is
 * not a pdnslog store. */
struct pdns_store *pdns_store_open(const char *path, enum pdns_store_mode mode,
				   char *err, size_t errlen);
void pdns_store_close(struct pdns_store *s);

/* Writing: 0 or -1 with the reason in err. */
int pdns_store_begin(struct pdns_store *s, char *err, size_t errlen);
int pdns_store_upsert(struct pdns_store *s, const struct pdns_fact *f, char *err, size_t errlen);
int pdns_store_commit(struct pdns_store *s, char *err, size_t errlen);
/* Small integers kept in the same transaction as the facts (the Kafka
 * feeder keeps its partition offsets here).  get: 0 and *value, or 1 when
 * the key was never set, or -1. */
int pdns_store_meta_set(struct pdns_store *s, const char *key, int64_t value, char *err, size_t errlen);
int pdns_store_meta_get(struct pdns_store *s, const char *key, int64_t *value, char *err, size_t errlen);

/* Reading.  Exactly one of name, rdata and client is set.  name: an exact
 * name, or "*.suffix" for every name under suffix (not suffix itself);
 * with clients, the client rows of that question name instead of facts.
 * client: the client rows of that address (any spelling).  Client rows
 * come as facts with .client set and the address as rdata.  rrtype 0:
 * any.  since/until (seconds; 0: open) keep facts whose [time_first,
 * time_last] meets the window.  Facts come most recently seen first, at
 * most limit of them (limit 0 is refused). */
struct pdns_query {
	const char *name;
	const char *rdata;
	const char *client;
	bool clients;
	uint16_t rrtype;
	int64_t since, until;
	uint64_t limit;
};
/* An IPv4 or IPv6 address in any spelling as pdnslog writes it (and the
 * store keeps it) into out: its length, or -1 when text is no address or
 * out is too small. */
int pdns_addr_canonical(const char *text, char *out, size_t cap);
/* Called for each fact; its strings live until the callback returns.
 * Return non-zero to stop early. */
typedef int (*pdns_fact_fn)(void *ctx, const struct pdns_fact *f);
/* Number of facts given to fn, or -1 with the reason in err. */
int64_t pdns_store_query(struct pdns_store *s, const struct pdns_query *q,
			 pdns_fact_fn fn, void *ctx, char *err, size_t errlen);

#endif
