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
};

/* Facts for the store, copied until the next flush (pdns_writer_put takes
 * them in batches). */
#define WORKER_PDNS_BATCH 256
struct pdns_batch {
	struct pdns_fact facts[WORKER_PDNS_BATCH]; /* text as offsets into text until put */
	size_t n;
	struct strbuf text;
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
};

int worker_init(struct worker *w, const struct worker_config *cfg);
/* One frame of the given link type (DLT_*): caplen bytes captured of
 * wirelen on the wire. */
void worker_packet(struct worker *w, int linktype, int64_t ts_ns, int ts_digits,
		   const uint8_t *frame, size_t caplen, size_t wirelen);
/* Emit everything pending and flush the output buffer to the sinks. */
void worker_finish(struct worker *w);
void worker_destroy(struct worker *w);

#endif
