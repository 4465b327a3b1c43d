/* writer: the thread that puts facts into the store, off the packet path.
 *
 * Workers hand it facts (copied into its queue); it upserts them in batched
 * transactions (a batch ends when the queue is empty or at a size bound),
 * commits on pdns_writer_flush() (SIGHUP) and at stop.  A full queue makes
 * pdns_writer_put() wait: nothing is dropped, the capture's own drop
 * counters show if that slows a live capture down. */
#ifndef PDNSLOG_PDNS_WRITER_H
#define PDNSLOG_PDNS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "pdns/fact.h"

struct pdns_writer;

struct pdns_writer *pdns_writer_start(const char *path, char *err, size_t errlen);
/* Thread-safe: any worker may call it. */
void pdns_writer_put(struct pdns_writer *w, const struct pdns_fact *facts, size_t n);
/* Commit everything put so far before returning. */
void pdns_writer_flush(struct pdns_writer *w);
/* Drain, commit, close, free. */
void pdns_writer_stop(struct pdns_writer *w);

struct pdns_writer_counts {
	uint64_t facts;     /* upserted */
	uint64_t commits;   /* transactions committed */
	uint64_t errors;    /* facts whose upsert or commit failed (each said once on stderr) */
};
void pdns_writer_counts(struct pdns_writer *w, struct pdns_writer_counts *c);

#endif
