/* worker: one packet pipeline: decode -> DNS -> pairing -> format -> sinks.
 *
 * A worker owns all of its state (decoder, exchange table, counters, output
 * buffer), so several can run side by side without locks. */
#ifndef PDNSLOG_WORKER_H
#define PDNSLOG_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "decode/tcpstream.h"
#include "format/avro.h"
#include "format/record.h"
#include "pair/table.h"
#include "pdns/cof.h"
#include "pdns/fact.h"
#include "sink/fluentd.h"
#include "sink/kafka.h"
#include "sink/sink.h"
#include "sink/syslog.h"
#include "stats/stats.h"

enum output_format { FORMAT_FLAT, FORMAT_JSON, FORMAT_COF };

struct worker_config {
	int linktype;            /* of the first frames; each frame says its own */
	const struct portset *ports;
	const struct tunnel_ports *tunnels; /* NULL: no UDP tunnels */
	struct pair_config pair;
	struct tcp_config tcp;
	struct frag_config frag;
	int64_t gc_interval_ns;  /* how often aged state is swept (capture clock) */
	enum output_format format;
	const char *sensor;
	struct sink **sinks;   /* NULL-terminated */
	struct kafka_sink *kafka; /* or NULL: one message per record */
	enum kafka_key kafka_key;
	bool kafka_avro;            /* Kafka messages in Avro (format/avro.h), not text */
	enum avro_record_schema kafka_avro_schema;
	bool memuse_log;            /* -assembly_memuse_log (decode/tcplog.h) */
	struct syslog_sink *syslog; /* or NULL: one message per record */
	struct fluentd_sink *fluentd; /* or NULL: each batch copied to its queue */
	const char *level;          /* the flat record's "level" */
	struct cof_config cof;      /* aggregation (pdns/cof.h): with FORMAT_COF or pdns */
	struct pdns_writer *pdns;   /* -pdns_db's writer thread (pdns/writer.h), or NULL:
				     * every aggregated fact is also given to it */
	bool pdns_clients;          /* -pdns_clients: (client, question) rows too (with pdns) */
	/* Handover requests from the capture thread (worker_sync_poll), or
	 * NULL for a worker that runs in the capture thread itself. */
	const _Atomic unsigned *sync_req;
};

/* Facts for the store, copied until the next flush (pdns_writer_put takes
 * them in batches). */
#define WORKER_PDNS_BATCH 256
struct pdns_batch {
	struct pdns_fact facts[WORKER_PDNS_BATCH]; /* text as offsets into text until put */
	size_t n;
	struct strbuf text;
	int64_t since;  /* capture time a packet first found it not empty, or 0 */
};

struct worker {
	struct worker_config cfg;
	struct decoder decoder;
	struct pair_table *pairs;
	struct tcp_table *tcp;
	struct frag_table *frags;
	int64_t next_sweep;      /* capture time of the next sweep; 0 before the first packet */
	struct stats stats;
	struct format_ctx fmt;
	struct strbuf out;
	size_t out_records;       /* records (lines) in out */
	struct kafka_batch *kafka_batch; /* out's records given to Kafka, or NULL */
	struct strbuf kafka_key;  /* the message key of the exchange being written */
	struct avro_enc *avro;    /* with cfg.kafka_avro: this worker's encoder */
	int id;                   /* in the order workers were made, for diagnostics */
	int64_t next_memuse;      /* capture time of the next -assembly_memuse_log line */
	struct dns_rr *rrs_q, *rrs_r; /* DNS_MAX_RRS each: parse space for both legs */
	struct cof_table *cof;    /* FORMAT_COF or cfg.pdns: the facts seen, or NULL */
	struct pdns_batch *pdns_batch; /* with cfg.pdns */
	struct cof_table *clients; /* with cfg.pdns_clients: who asked what, or NULL */
	struct strbuf client_text; /* the client's address, for clients */
	const _Atomic unsigned *sync_req; /* cfg.sync_req with cfg.pdns, else NULL */
	_Atomic unsigned sync_done;       /* the last request done */
};

int worker_init(struct worker *w, const struct worker_config *cfg);
/* One frame of the given link type (DLT_*): caplen bytes captured of
 * wirelen on the wire. */
void worker_packet(struct worker *w, int linktype, int64_t ts_ns, int ts_digits,
		   const uint8_t *frame, size_t caplen, size_t wirelen);
/* Emit everything pending and flush the output buffer to the sinks. */
void worker_finish(struct worker *w);
/* Nothing more to read for now (an empty queue, a quiet input): the facts
 * batched for the store go to its writer.  Besides, a batch goes when it
 * is full or a second (capture clock) after its first fact: the store and
 * its API see a fact within about a second, however quiet the traffic. */
void worker_idle(struct worker *w);
/* -pdns_db: every fact and client row seen so far, emitted and handed to
 * the store's writer (SIGHUP: the store then holds everything seen).  The
 * worker's own thread calls it: worker_sync_poll() does when the capture
 * thread asked (worker_sync_ask) and it is a worker of another thread. */
void worker_handover(struct worker *w);
/* The capture thread asks workers of other threads for a handover through
 * cfg.sync_req (shared by them all): ++*sync_req, then each has done it when
 * worker_sync_done(w, *sync_req).  Their thread calls worker_sync_poll
 * between packets and at least every 10 ms while idle. */
static inline void worker_sync_poll(struct worker *w)
{
	if (w->sync_req) {
		unsigned r = atomic_load_explicit(w->sync_req, memory_order_acquire);
		if (r != atomic_load_explicit(&w->sync_done, memory_order_relaxed)) {
			worker_handover(w);
			atomic_store_explicit(&w->sync_done, r, memory_order_release);
		}
	}
}
static inline bool worker_sync_done(struct worker *w, unsigned req)
{
	return atomic_load_explicit(&w->sync_done, memory_order_acquire) == req;
}
void worker_destroy(struct worker *w);

#endif
