/* kafka: the Kafka sink on librdkafka (see kafka.h for what it promises). */
#include "sink/kafka.h"
#include "sink/kafkaconf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "util/clock.h"
#include "stats/progress.h"

struct kafka_sink {
	rd_kafka_t *rk;
	rd_kafka_topic_t *topic, *stats_topic;
	pthread_t poller;
	bool poller_started;
	atomic_bool stop;
	bool debug;
	long long queue_max;
	/* Per kind (records, stats records): every queued message ends in
	 * one of the last four. */
	struct {
		atomic_uint_fast64_t queued, delivered, failed, dropped, undelivered;
	} c[2];
	atomic_uint_fast64_t alone;
	atomic_bool down_reported, failure_reported, drop_reported;
	atomic_int last_error;  /* the last other error said, not repeated */
};

enum { RECORDS, STATS };

/* A batch's state: BATCH_DONE once the worker said how many of its records
 * no other output took; the low bits count, before that, the deliveries
 * seen, and after it, how many deliveries may still count in `alone`. */
#define BATCH_DONE (UINT64_C(1) << 63)

struct kafka_batch {
	atomic_uint_fast64_t refs; /* the worker's, and one per queued message */
	atomic_uint_fast64_t state;
};

/* The message opaque of stats records; a record's is its batch (or NULL). */
static char stats_tag;

struct kafka_batch *kafka_batch_new(void)
{
	struct kafka_batch *b = malloc(sizeof *b);
	if (b) {
		atomic_init(&b->refs, 1);
		atomic_init(&b->state, 0);
	}
	return b;
}

static void batch_release(struct kafka_batch *b)
{
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
		free(b);
}

/* One of the batch's records was delivered. */
static void batch_delivered(struct kafka_sink *k, struct kafka_batch *b)
{
	uint_fast64_t s = atomic_load(&b->state);
	for (;;) {
		if (!(s & BATCH_DONE)) {
			if (atomic_compare_exchange_weak(&b->state, &s, s + 1))
				return;
		} else if ((s & ~BATCH_DONE) == 0) {
			return;
		} else if (atomic_compare_exchange_weak(&b->state, &s, s - 1)) {
			atomic_fetch_add_explicit(&k->alone, 1, memory_order_relaxed);
			return;
		}
	}
}

void kafka_batch_done(struct kafka_sink *k, struct kafka_batch *b, uint64_t missed)
{
	if (!b)
		return;
	if (missed >= BATCH_DONE)
		missed = BATCH_DONE - 1;
	uint_fast64_t s = atomic_load(&b->state), credit;
	do
		credit = s < missed ? s : missed; /* deliveries already seen */
	while (!atomic_compare_exchange_weak(&b->state, &s, BATCH_DONE | (missed - credit)));
	atomic_fetch_add_explicit(&k->alone, credit, memory_order_relaxed);
	batch_release(b);
}

/* librdkafka's worker threads call these. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka_sink *k = opaque;
	int kind = m->_private == &stats_tag ? STATS : RECORDS;
	struct kafka_batch *b = kind == RECORDS ? m->_private : NULL;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		atomic_fetch_add_explicit(&k->c[kind].delivered, 1, memory_order_relaxed);
		if (b)
			batch_delivered(k, b);
		if (atomic_exchange(&k->down_reported, false))
			progress_eprintf("pdnslog: kafka: a broker answers again; delivering\n");
	} else if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
		   m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
		atomic_fetch_add_explicit(&k->c[kind].undelivered, 1, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&k->c[kind].failed, 1, memory_order_relaxed);
		if (!atomic_exchange(&k->failure_reported, true))
			progress_eprintf("pdnslog: kafka: delivery failed: %s (counted in %s; "
				"further failures only counted)\n", rd_kafka_err2str(m->err),
				kind == STATS ? "kafka_stats_lost" : "kafka_failed");
	}
	if (b)
		batch_release(b);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka_sink *k = opaque;
	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		char why[512];
		rd_kafka_fatal_error(rk, why, sizeof why);
		progress_eprintf("pdnslog: kafka: fatal: %s\n", why);
		return;
	}
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
	    err == RD_KAFKA_RESP_ERR__RESOLVE) {
		if (!atomic_exchange(&k->down_reported, true))
			progress_eprintf("pdnslog: kafka: %s; records wait in the queue (at most %lld) "
				"until a broker answers\n", reason, k->queue_max);
		return;
	}
	/* Anything else (authentication, TLS, a broker's refusal) is said
	 * once, until a different error comes. */
	if (atomic_exchange(&k->last_error, err) != err || k->debug)
		progress_eprintf("pdnslog: kafka: %s\n", reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct kafka_sink *k = rd_kafka_opaque(rk);
	if (k->debug)
		progress_eprintf("pdnslog: kafka: %s: %s\n", fac, buf);
}

static void *poll_loop(void *arg)
{
	struct kafka_sink *k = arg;
	while (!atomic_load(&k->stop))
		rd_kafka_poll(k->rk, 100);
	return NULL;
}

static rd_kafka_conf_t *make_conf(struct kafka_sink *k, const struct kafka_config *cfg,
				  char *err, size_t errlen)
{
	char queue[32];
	snprintf(queue, sizeof queue, "%lld", cfg->queue_max);
	/* Ours first, so that -kafka_opt can change any of them. */
	const char *const defaults[][2] = {
		{ "bootstrap.servers", cfg->brokers },
		{ "client.id", "pdnslog" },
		{ "enable.idempotence", "true" },
		{ "compression.codec", "lz4" },
		{ "linger.ms", "20" },
		{ "queue.buffering.max.messages", queue },
	};
	rd_kafka_conf_t *conf = kafka_conf_make(defaults, sizeof defaults / sizeof defaults[0],
						cfg->opts, cfg->nopts, NULL, err, errlen);
	if (!conf)
		return NULL;
	rd_kafka_conf_set_opaque(conf, k);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_log_cb(conf, on_log);
	return conf;
}

struct kafka_sink *kafka_open(const struct kafka_config *cfg, char *err, size_t errlen)
{
	struct kafka_sink *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "kafka: out of memory");
		return NULL;
	}
	k->debug = cfg->debug;
	k->queue_max = cfg->queue_max;
	rd_kafka_conf_t *conf = make_conf(k, cfg, err, errlen);
	if (!conf) {
		free(k);
		return NULL;
	}
	char why[512];
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
	if (!k->rk) {
		snprintf(err, errlen, "kafka: %s", why);
		rd_kafka_conf_destroy(conf);
		free(k);
		return NULL;
	}
	k->topic = rd_kafka_topic_new(k->rk, cfg->topic, NULL);
	if (cfg->stats_topic)
		k->stats_topic = rd_kafka_topic_new(k->rk, cfg->stats_topic, NULL);
	if (!k->topic || (cfg->stats_topic && !k->stats_topic)) {
		snprintf(err, errlen, "kafka: topic: %s", rd_kafka_err2str(rd_kafka_last_error()));
		goto fail;
	}
	k->poller_started = pthread_create(&k->poller, NULL, poll_loop, k) == 0;
	if (!k->poller_started) {
		snprintf(err, errlen, "kafka: cannot start the delivery report thread");
		goto fail;
	}
	return k;
fail:
	if (k->stats_topic)
		rd_kafka_topic_destroy(k->stats_topic);
	if (k->topic)
		rd_kafka_topic_destroy(k->topic);
	rd_kafka_destroy(k->rk);
	free(k);
	return NULL;
}

static void produce(struct kafka_sink *k, rd_kafka_topic_t *topic, int kind, void *opaque,
		    const char *key, size_t keylen, const char *value, size_t len)
{
	struct kafka_batch *b = kind == RECORDS ? opaque : NULL;
	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	if (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)value, len,
			     key, keylen, opaque) == 0) {
		atomic_fetch_add_explicit(&k->c[kind].queued, 1, memory_order_relaxed);
		return;
	}
	if (b)
		batch_release(b); /* no delivery report will come */
	atomic_fetch_add_explicit(&k->c[kind].dropped, 1, memory_order_relaxed);
	if (!atomic_exchange(&k->drop_reported, true))
		progress_eprintf("pdnslog: kafka: a %s was dropped: %s (counted in %s; "
			"further drops only counted)\n", kind == STATS ? "stats record" : "record",
			rd_kafka_err2str(rd_kafka_last_error()),
			kind == STATS ? "kafka_stats_lost" : "kafka_dropped");
}

void kafka_produce(struct kafka_sink *k, struct kafka_batch *b, const char *key, size_t keylen,
		   const char *value, size_t len)
{
	produce(k, k->topic, RECORDS, b, key, keylen, value, len);
}

void kafka_produce_stats(struct kafka_sink *k, const char *value, size_t len)
{
	if (k->stats_topic)
		produce(k, k->stats_topic, STATS, &stats_tag, NULL, 0, value, len);
}

static uint64_t load(atomic_uint_fast64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void kafka_get_counters(const struct kafka_sink *k, struct kafka_counters *c)
{
	struct kafka_sink *m = (struct kafka_sink *)k;
	c->delivered = load(&m->c[RECORDS].delivered);
	c->failed = load(&m->c[RECORDS].failed);
	c->dropped = load(&m->c[RECORDS].dropped);
	c->undelivered = load(&m->c[RECORDS].undelivered);
	c->stats_delivered = load(&m->c[STATS].delivered);
	c->stats_lost = load(&m->c[STATS].failed) + load(&m->c[STATS].dropped) +
			load(&m->c[STATS].undelivered);
	c->alone = load(&m->alone);
}

/* Messages of a kind whose delivery report came. */
static uint64_t accounted(struct kafka_sink *k, int kind)
{
	return atomic_load(&k->c[kind].delivered) + atomic_load(&k->c[kind].failed) +
	       atomic_load(&k->c[kind].undelivered);
}

static bool reports_pending(struct kafka_sink *k)
{
	return accounted(k, RECORDS) < atomic_load(&k->c[RECORDS].queued) ||
	       accounted(k, STATS) < atomic_load(&k->c[STATS].queued);
}

void kafka_close(struct kafka_sink *k, int64_t timeout_ns, struct kafka_counters *final)
{
	atomic_store(&k->stop, true);
	if (k->poller_started)
		pthread_join(k->poller, NULL);
	int timeout_ms = (int)(timeout_ns / 1000000 > 3600000 ? 3600000 : timeout_ns / 1000000);
	rd_kafka_flush(k->rk, timeout_ms);
	/* What is still queued or in flight will not be waited for: purged,
	 * its delivery reports (served by poll) count it undelivered. */
	rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	int64_t give_up = monotonic_ns() + 5000000000LL;
	while (reports_pending(k) && monotonic_ns() < give_up)
		rd_kafka_poll(k->rk, 50);
	for (int kind = RECORDS; kind <= STATS; kind++) {
		uint64_t seen = accounted(k, kind), queued = atomic_load(&k->c[kind].queued);
		if (seen < queued) /* reports that never came: not delivered as far as we know */
			atomic_fetch_add(&k->c[kind].undelivered, queued - seen);
	}
	kafka_get_counters(k, final);
	if (k->stats_topic)
		rd_kafka_topic_destroy(k->stats_topic);
	rd_kafka_topic_destroy(k->topic);
	rd_kafka_destroy(k->rk);
	free(k);
}

bool kafka_key_parse(const char *s, enum kafka_key *key)
{
	static const char *const names[] = { "client", "server", "qname", "none" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return *key = (enum kafka_key)i, true;
	return false;
}
