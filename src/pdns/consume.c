/* consume: -kafka_consume, COF lines from a Kafka topic into the store (see
 * consume.h for the promise).
 *
 * One thread: librdkafka's high-level consumer is polled, each message's
 * lines are parsed and upserted into the open transaction, and a batch is
 * committed at BATCH_FACTS facts or BATCH_NS after it began, with every
 * partition's next offset beside its facts.  The rebalance callback runs in
 * this thread too (inside rd_kafka_consumer_poll), so it can commit the
 * open batch before partitions go and read the store's offsets before they
 * come. */
#include "pdns/consume.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "cli/options.h"
#include "daemon/sandbox.h"
#include "pdns/cofline.h"
#include "pdns/store.h"
#include "platform/platform.h"
#include "sink/kafkaconf.h"
#include "stats/stats.h"
#include "util/clock.h"
#include "util/strbuf.h"

/* A batch: at most this many facts, and at most this long from its first
 * message to its commit. */
#define BATCH_FACTS 10000
#define BATCH_NS 1000000000LL
/* The longest COF line taken (a 64 KiB rdata written as \# hex, escaped,
 * fits); a longer one is a bad line. */
#define LINE_MAX_BYTES (1u << 20)
/* Bad lines are counted; the first and then one in this many are said. */
#define BAD_SAY_EVERY 1000
/* Partition numbers above this are refused (a broker gone mad, not a
 * topic: Kafka tops out far below). */
#define PARTITION_MAX 1000000

static atomic_int stop_requested, flush_requested, stats_requested;

/* What is known of one partition of the topic. */
struct part {
	int64_t next;   /* offset after the last message in the store or the open batch */
	bool pending;   /* next moved in the open batch */
	bool owned;     /* assigned to this consumer now */
};

struct consumer {
	const struct options *o;
	rd_kafka_t *rk;
	struct pdns_store *store;
	struct part *parts;        /* indexed by partition number */
	size_t nparts;
	bool in_batch;             /* a store transaction is open */
	size_t batch_facts;
	int64_t batch_started;
	bool failed;               /* the store or Kafka failed: stop, commit nothing */
	uint64_t messages, facts, bad;
	char *scratch;             /* cof_line_parse's, grown to the longest line */
	size_t scratch_len;
	rd_kafka_resp_err_t last_error; /* the last consumer error said, not repeated */
	atomic_bool group_stale;   /* a commit to the group failed: send them all again */
	int64_t group_retry_at;    /* not before this (monotonic ns) */
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pdnslog: kafka_consume: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The store's key of a partition's next offset. */
static void meta_key(char *key, size_t len, const char *topic, int32_t partition)
{
	snprintf(key, len, "kafka:%s:%d", topic, (int)partition);
}

static struct part *part_of(struct consumer *c, int32_t partition)
{
	if (partition < 0 || partition > PARTITION_MAX)
		return NULL;
	if ((size_t)partition >= c->nparts) {
		size_t n = (size_t)partition + 1 > c->nparts * 2 ? (size_t)partition + 1 : c->nparts * 2;
		struct part *p = realloc(c->parts, n * sizeof *p);
		if (!p)
			return NULL;
		memset(p + c->nparts, 0, (n - c->nparts) * sizeof *p);
		c->parts = p;
		c->nparts = n;
	}
	return &c->parts[partition];
}

static void fail(struct consumer *c, const char *what, const char *err)
{
	say("%s: %s (nothing of the open batch is kept; the next start takes it up again)", what, err);
	c->failed = true;
}

/* The group's offsets follow the store's, for lag monitors: every owned
 * partition's, as the store has them.  sync: waited for, and tried again
 * while a rebalance is in progress (at the end).  A failure is harmless (the
 * store's offsets are the truth): the next try sends them all. */
static void commit_group(struct consumer *c, bool sync)
{
	const char *topic = c->o->kafka_topic;
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
	if (!list)
		return;
	for (size_t i = 0; i < c->nparts; i++)
		if (c->parts[i].owned && c->parts[i].next > 0)
			rd_kafka_topic_partition_list_add(list, topic, (int32_t)i)->offset = c->parts[i].next;
	c->group_stale = false;
	for (int tries = 0; list->cnt > 0; tries++) {
		rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, list, sync ? 0 : 1);
		bool rebalancing = e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
				   e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION;
		if (!e || !sync || !rebalancing || tries == 20) {
			if (e && c->o->debug)
				say("debug: committing offsets to the group: %s (the store has them)",
				    rd_kafka_err2str(e));
			break;
		}
		/* In a rebalance: let it finish (a message read meanwhile is not
		 * stored; its offset is not committed either). */
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 250);
		if (m)
			rd_kafka_message_destroy(m);
	}
	rd_kafka_topic_partition_list_destroy(list);
}

/* librdkafka's word on a commit to the group. */
static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
		      void *opaque)
{
	struct consumer *c = opaque;
	bool failed = err && err != RD_KAFKA_RESP_ERR__NO_OFFSET;
	for (int i = 0; offsets && i < offsets->cnt; i++)
		failed |= offsets->elems[i].err != 0;
	if (failed)
		c->group_stale = true;
}

/* Commit the open batch: the facts and each partition's next offset in one
 * store transaction, then the same offsets to the group. */
static int flush(struct consumer *c)
{
	char err[512], key[320];
	if (c->failed)
		return -1;
	if (!c->in_batch)
		return 0;
	const char *topic = c->o->kafka_topic;
	size_t n = 0;
	for (size_t i = 0; i < c->nparts; i++) {
		if (!c->parts[i].pending)
			continue;
		meta_key(key, sizeof key, topic, (int32_t)i);
		if (pdns_store_meta_set(c->store, key, c->parts[i].next, err, sizeof err) < 0) {
			fail(c, "store", err);
			return -1;
		}
		n++;
	}
	if (pdns_store_commit(c->store, err, sizeof err) < 0) {
		fail(c, "store commit", err);
		return -1;
	}
	c->in_batch = false;
	c->batch_facts = 0;
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)n);
	for (size_t i = 0; i < c->nparts; i++) {
		if (!c->parts[i].pending)
			continue;
		c->parts[i].pending = false;
		if (list)
			rd_kafka_topic_partition_list_add(list, topic, (int32_t)i)->offset = c->parts[i].next;
	}
	if (list) {
		rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, list, 1);
		if (e) {
			c->group_stale = true;
			if (c->o->debug)
				say("debug: committing offsets to the group: %s (the store has them)",
				    rd_kafka_err2str(e));
		}
		rd_kafka_topic_partition_list_destroy(list);
	}
	return 0;
}

/* Append s to buf (cap bytes, used so far); once it does not fit, "..."
 * ends the text and later calls add nothing. */
static void append(char *buf, size_t *used, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (*used + n + 4 <= cap) {
		memcpy(buf + *used, s, n + 1);
		*used += n;
	} else if (*used + 4 <= cap) {
		memcpy(buf + *used, "...", 4);
		*used = cap;
	}
}

/* Partitions come: each is read from the offset kept in the store, or,
 * when the store has none, from the group's committed offset (else the
 * earliest: auto.offset.reset).  Partitions go: what was read from them is
 * committed first. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t why,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct consumer *c = opaque;
	bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	rd_kafka_error_t *error = NULL;
	if (why == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		char line[1024], err[512], key[320], one[80];
		size_t used = 0;
		line[0] = 0;
		for (int i = 0; i < parts->cnt && !c->failed; i++) {
			rd_kafka_topic_partition_t *tp = &parts->elems[i];
			int64_t next;
			meta_key(key, sizeof key, tp->topic, tp->partition);
			int rc = pdns_store_meta_get(c->store, key, &next, err, sizeof err);
			struct part *p = part_of(c, tp->partition);
			if (rc < 0 || !p) {
				fail(c, "reading the partition offsets from the store", rc < 0 ? err : "out of memory");
				break;
			}
			p->pending = false;
			p->owned = true;
			if (rc == 0) {
				p->next = tp->offset = next;
				snprintf(one, sizeof one, "%s%d from %lld", i ? ", " : "", (int)tp->partition,
					 (long long)next);
			} else {
				snprintf(one, sizeof one, "%s%d from the group's offset", i ? ", " : "",
					 (int)tp->partition);
			}
			append(line, &used, sizeof line, one);
		}
		if (c->failed) {
			stop_requested = 1;
			error = cooperative ? rd_kafka_incremental_unassign(rk, parts) : NULL;
			if (!cooperative)
				rd_kafka_assign(rk, NULL);
		} else {
			say("topic %s: assigned partition%s %s", c->o->kafka_topic, parts->cnt == 1 ? "" : "s",
			    parts->cnt ? line : "none");
			if (cooperative)
				error = rd_kafka_incremental_assign(rk, parts);
			else
				rd_kafka_assign(rk, parts);
		}
	} else {
		/* Revoked or lost: the open batch holds these partitions' messages,
		 * and this store alone records them, so it is committed. */
		flush(c);
		for (int i = 0; i < parts->cnt; i++) {
			struct part *p = part_of(c, parts->elems[i].partition);
			if (p)
				p->owned = false;
		}
		if (cooperative)
			error = rd_kafka_incremental_unassign(rk, parts);
		else
			rd_kafka_assign(rk, NULL);
		if (c->o->debug)
			say("debug: topic %s: %d partition%s revoked", c->o->kafka_topic, parts->cnt,
			    parts->cnt == 1 ? "" : "s");
	}
	if (error) {
		say("rebalance: %s", rd_kafka_error_string(error));
		rd_kafka_error_destroy(error);
	}
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct consumer *c = rd_kafka_opaque(rk);
	if (c->o->debug)
		fprintf(stderr, "pdnslog: kafka: %s: %s\n", fac, buf);
}

/* One line of a message: parsed and upserted, or counted bad. */
static void take_line(struct consumer *c, const rd_kafka_message_t *m, const char *line, size_t len)
{
	char why[256];
	struct pdns_fact f;
	int rc = -1;
	if (len > LINE_MAX_BYTES) {
		snprintf(why, sizeof why, "line of %zu bytes, longer than %u", len, LINE_MAX_BYTES);
	} else {
		if (c->scratch_len < len + 4) {
			size_t n = c->scratch_len ? c->scratch_len : 4096;
			while (n < len + 4)
				n *= 2;
			char *s = realloc(c->scratch, n);
			if (!s) {
				fail(c, "reading a line", "out of memory");
				return;
			}
			c->scratch = s;
			c->scratch_len = n;
		}
		rc = cof_line_parse(line, len, &f, c->scratch, c->scratch_len, why, sizeof why);
	}
	if (rc < 0) {
		if (c->bad++ % BAD_SAY_EVERY == 0)
			say("topic %s partition %d offset %lld: bad COF line skipped: %s (%llu bad so far; "
			    "one in %d said)", c->o->kafka_topic, (int)m->partition, (long long)m->offset,
			    why, (unsigned long long)c->bad, BAD_SAY_EVERY);
		return;
	}
	char err[512];
	if (pdns_store_upsert(c->store, &f, err, sizeof err) < 0) {
		fail(c, "store", err);
		return;
	}
	c->facts++;
	c->batch_facts++;
}

static void take_message(struct consumer *c, const rd_kafka_message_t *m)
{
	if (m->err) {
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
			return;
		if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
			char why[512];
			rd_kafka_fatal_error(c->rk, why, sizeof why);
			fail(c, "kafka: fatal", why);
			return;
		}
		/* Brokers down, a topic not there yet: librdkafka goes on trying;
		 * said once until a different error comes. */
		if (m->err != c->last_error || c->o->debug)
			say("kafka: %s", rd_kafka_message_errstr(m));
		c->last_error = m->err;
		return;
	}
	c->last_error = RD_KAFKA_RESP_ERR_NO_ERROR;
	struct part *p = part_of(c, m->partition);
	if (!p) {
		fail(c, "kafka", "a message from an impossible partition number");
		return;
	}
	if (!c->in_batch) {
		char err[512];
		if (pdns_store_begin(c->store, err, sizeof err) < 0) {
			fail(c, "store", err);
			return;
		}
		c->in_batch = true;
		c->batch_started = monotonic_ns();
	}
	c->messages++;
	const char *s = m->payload, *end = s ? s + m->len : s;
	while (s && s < end && !c->failed) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *stop = nl ? nl : end;
		size_t len = (size_t)(stop - s);
		if (len && s[len - 1] == '\r')
			len--;
		if (len)
			take_line(c, m, s, len);
		s = nl ? nl + 1 : end;
	}
	p->next = m->offset + 1;
	p->pending = true;
}

static void write_stats(struct consumer *c, FILE *out)
{
	static struct stats st; /* the other modes' counters stay 0 */
	st.pdns_consume_messages = c->messages;
	st.pdns_consume_facts = c->facts;
	st.pdns_consume_bad = c->bad;
	struct strbuf sb;
	strbuf_init(&sb);
	stats_print_json(&sb, &st, c->o->name);
	if (!sb.overflow) {
		fwrite(sb.p, 1, sb.len, out);
		fflush(out);
	}
	strbuf_free(&sb);
}

/* The consumer's configuration: ours, then -kafka_opt (TLS, SASL, and any
 * of ours: auto.offset.reset=latest, partition.assignment.strategy=...). */
static rd_kafka_conf_t *make_conf(struct consumer *c, char *err, size_t errlen)
{
	const struct options *o = c->o;
	const char *const defaults[][2] = {
		{ "bootstrap.servers", o->kafka_brokers },
		{ "group.id", o->kafka_group },
		{ "client.id", "pdnslog-consume" },
		{ "enable.auto.commit", "false" },     /* committed after the store's commit */
		{ "enable.auto.offset.store", "false" },
		{ "auto.offset.reset", "earliest" },
	};
	/* linger.ms is -kafka_flush_freq's, a producer's property. */
	rd_kafka_conf_t *conf = kafka_conf_make(defaults, sizeof defaults / sizeof defaults[0],
						o->kafka_opts.v, o->kafka_opts.n,
						"linger.ms", err, errlen);
	if (!conf)
		return NULL;
	rd_kafka_conf_set_opaque(conf, c);
	rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
	rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
	rd_kafka_conf_set_log_cb(conf, on_log);
	return conf;
}

int pdns_consume_main(const struct options *o)
{
	static struct consumer c;
	char err[512];
	c.o = o;

	/* SIGINT/SIGTERM: stop; SIGHUP: commit the open batch; SIGUSR1: stats. */
	platform_start(&stop_requested, &flush_requested, &stats_requested);

	FILE *stats_out = stderr;
	if (o->stats_file && !(stats_out = fopen(o->stats_file, "a"))) {
		fprintf(stderr, "pdnslog: -stats_file %s: %s\n", o->stats_file, strerror(errno));
		return 1;
	}
	if (!(c.store = pdns_store_open(o->pdns_db, PDNS_STORE_WRITE, err, sizeof err))) {
		fprintf(stderr, "pdnslog: -pdns_db: %s\n", err); /* err names the file */
		return 1;
	}
	rd_kafka_conf_t *conf = make_conf(&c, err, sizeof err);
	if (!conf) {
		fprintf(stderr, "pdnslog: %s\n", err);
		pdns_store_close(c.store);
		return 2; /* a bad -kafka_opt */
	}
	char why[512];
	if (!(c.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why))) {
		fprintf(stderr, "pdnslog: kafka: %s\n", why);
		rd_kafka_conf_destroy(conf);
		pdns_store_close(c.store);
		return 2;
	}
	rd_kafka_poll_set_consumer(c.rk);
	rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(topics, o->kafka_topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t e = rd_kafka_subscribe(c.rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (e) {
		fprintf(stderr, "pdnslog: kafka: subscribing to %s: %s\n", o->kafka_topic, rd_kafka_err2str(e));
		rd_kafka_destroy(c.rk);
		pdns_store_close(c.store);
		return 1;
	}
	say("reading topic %s from %s as group %s into %s", o->kafka_topic, o->kafka_brokers,
	    o->kafka_group, o->pdns_db);
	/* The store's files and librdkafka are open: from here on the system
	 * calls of a Kafka client and an SQLite writer, nothing more. */
	if (o->sandbox && sandbox_available()) {
		struct sandbox_config sc = { .kafka = true, .pdns_db = true };
		if (sandbox_enter(&sc, err, sizeof err) < 0) {
			fprintf(stderr, "pdnslog: %s (-sandbox=false runs without it)\n", err);
			rd_kafka_destroy(c.rk);
			pdns_store_close(c.store);
			return 1;
		}
		if (o->debug)
			fprintf(stderr, "pdnslog: debug: seccomp sandbox installed\n");
	}

	int64_t next_stats = o->stats_interval > 0 ? monotonic_ns() + o->stats_interval : INT64_MAX;
	while (!stop_requested && !c.failed) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c.rk, 100);
		if (m) {
			take_message(&c, m);
			rd_kafka_message_destroy(m);
		}
		int64_t now = monotonic_ns();
		if (c.in_batch && (c.batch_facts >= BATCH_FACTS || now - c.batch_started >= BATCH_NS ||
				   flush_requested))
			flush(&c);
		if (c.group_stale && !c.in_batch && !c.failed && now >= c.group_retry_at) {
			commit_group(&c, false);
			c.group_retry_at = now + 1000000000LL;
		}
		flush_requested = 0;
		if (stats_requested || now >= next_stats) {
			stats_requested = 0;
			write_stats(&c, stats_out);
			if (o->stats_interval > 0)
				next_stats = now + o->stats_interval;
		}
	}
	/* The last batch, the group's offsets waited for, then the group is
	 * left (its revoke callback finds nothing more to commit). */
	if (flush(&c) == 0)
		commit_group(&c, true);
	rd_kafka_consumer_close(c.rk);
	rd_kafka_destroy(c.rk);
	pdns_store_close(c.store); /* a batch left open by a failure is rolled back */
	write_stats(&c, stats_out);
	if (stats_out != stderr)
		fclose(stats_out);
	free(c.scratch);
	free(c.parts);
	return c.failed ? 1 : 0;
}
