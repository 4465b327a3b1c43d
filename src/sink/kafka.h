/* kafka: the Kafka sink (librdkafka): one message per record.
 *
 * Independent of the other sinks: producing never blocks.  librdkafka's
 * local queue is bounded (-kafka_queue messages); a record that does not fit
 * is dropped and counted.  Delivery reports are counted by a poller thread.
 * Every record handed to kafka_produce() ends in exactly one counter:
 * delivered, failed (librdkafka gave up on it), dropped (not queued) or
 * undelivered (still queued when the exit's flush timed out).  Stats records
 * (kafka_produce_stats) are counted apart: delivered, or lost for any of
 * those reasons.
 *
 * Records come in a worker's batches (struct kafka_batch), which also go to
 * the other outputs; once the batch was written to those, the worker says
 * how many of its records reached none of them, and the first that many
 * deliveries of the batch's records count in `alone`: the Kafka share of
 * records_written (records that reached at least one output). */
#ifndef PDNSLOG_KAFKA_H
#define PDNSLOG_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KAFKA_MAX_OPTS 64
#define KAFKA_DEFAULT_TOPIC "pdnslog"
#define KAFKA_DEFAULT_QUEUE 100000

enum kafka_key { KAFKA_KEY_CLIENT, KAFKA_KEY_SERVER, KAFKA_KEY_QNAME, KAFKA_KEY_NONE };

struct kafka_config {
	const char *brokers;     /* host:port,... */
	const char *topic;       /* records */
	const char *stats_topic; /* stats records too, or NULL */
	const char *const *opts; /* "key=value" librdkafka properties, applied last */
	size_t nopts;
	long long queue_max;     /* messages waiting in librdkafka at most */
	bool debug;              /* librdkafka's log lines on stderr */
};

struct kafka_counters {
	uint64_t delivered, failed, dropped, undelivered; /* records */
	uint64_t stats_delivered, stats_lost;              /* stats records */
	uint64_t alone; /* records delivered that reached no other output */
};

struct kafka_sink;
struct kafka_batch;

/* Configure and start the producer.  A bad property or value: NULL with a
 * message in err (a usage error).  An unreachable broker is no error: records
 * wait in the queue until one answers. */
struct kafka_sink *kafka_open(const struct kafka_config *cfg, char *err, size_t errlen);
/* A worker's new batch of records (NULL when out of memory: its records are
 * then never counted in `alone`). */
struct kafka_batch *kafka_batch_new(void);
/* The batch was written to the other outputs: `missed` of its records reached
 * none of them.  The batch is the sink's from then on (freed by it). */
void kafka_batch_done(struct kafka_sink *k, struct kafka_batch *b, uint64_t missed);
/* Queue one record of batch b (value without its newline); key may be NULL.
 * Thread-safe. */
void kafka_produce(struct kafka_sink *k, struct kafka_batch *b, const char *key, size_t keylen,
		   const char *value, size_t len);
/* Queue one stats record on the stats topic, if there is one. */
void kafka_produce_stats(struct kafka_sink *k, const char *value, size_t len);
void kafka_get_counters(const struct kafka_sink *k, struct kafka_counters *c);
/* Wait up to timeout_ns for everything queued to be delivered; what is left
 * is counted undelivered.  Then stop and free.  Returns the final counters. */
void kafka_close(struct kafka_sink *k, int64_t timeout_ns, struct kafka_counters *final);

bool kafka_key_parse(const char *s, enum kafka_key *key);

#endif
