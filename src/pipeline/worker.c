/* worker: glue of the packet pipeline for one thread. */
#include "pipeline/worker.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/tcplog.h"
#include "dns/message.h"
#include "dns/name.h"
#include "pdns/cofline.h"
#include "pdns/writer.h"
#include "util/ipfmt.h"

#define OUT_FLUSH_AT (32u << 10) /* a batch: one write to each output, records counted per batch */

/* The batch to every output.  A record counts in records_written once, if
 * any output took it: the file sinks write a batch whole or a first part of
 * it, so the longest part any wrote is written; syslog adds what it sent of
 * the rest; Kafka, whose deliveries come later, what it delivers of what is
 * still missing (kafka_batch_done). */
static void flush_out(struct worker *w)
{
	if (w->out.len == 0)
		return;
	size_t n = w->out_records, reached = 0;
	for (struct sink **s = w->cfg.sinks; *s; s++) {
		size_t got = sink_write(*s, w->out.p, w->out.len, n);
		if (got > reached)
			reached = got;
	}
	if (w->cfg.syslog)
		reached += syslog_sink_write_from(w->cfg.syslog, w->out.p, w->out.len, reached);
	w->stats.records_written += reached;
	if (w->kafka_batch) {
		kafka_batch_done(w->cfg.kafka, w->kafka_batch, n - reached);
		w->kafka_batch = NULL;
	}
	/* Fluentd's deliveries come later too; beside Kafka, which counts the
	 * missing ones it delivers, it counts none (a record both deliver
	 * would be counted twice). */
	if (w->cfg.fluentd)
		fluentd_write(w->cfg.fluentd, w->out.p, w->out.len, n, w->cfg.kafka ? 0 : n - reached);
	strbuf_reset(&w->out);
	w->out_records = 0;
}

/* -pdns_db: the batch of facts goes to the store's writer thread, which
 * copies them (their text points into the batch until then). */
static void pdns_put(struct worker *w)
{
	struct pdns_batch *b = w->pdns_batch;
	if (!b || b->n == 0)
		return;
	for (size_t i = 0; i < b->n; i++) {
		struct pdns_fact *f = &b->facts[i];
		f->rrname = b->text.p + (uintptr_t)f->rrname;
		f->rdata = b->text.p + (uintptr_t)f->rdata;
		if (f->bailiwick)
			f->bailiwick = b->text.p + ((uintptr_t)f->bailiwick - 1);
	}
	pdns_writer_put(w->cfg.pdns, b->facts, b->n);
	b->n = 0;
	b->since = 0;
	strbuf_reset(&b->text);
}

/* Copy a fact's text into the batch, kept as offsets (the buffer may move
 * as it grows); bailiwick as offset + 1, 0 being none. */
static void pdns_add(struct worker *w, const struct pdns_fact *f)
{
	struct pdns_batch *b = w->pdns_batch;
	struct strbuf *t = &b->text;
	struct pdns_fact c = *f;
	c.rrname = (const char *)(uintptr_t)t->len;
	strbuf_putn(t, f->rrname, strlen(f->rrname) + 1);
	c.rdata = (const char *)(uintptr_t)t->len;
	strbuf_putn(t, f->rdata, strlen(f->rdata) + 1);
	if (f->bailiwick) {
		c.bailiwick = (const char *)(uintptr_t)(t->len + 1);
		strbuf_putn(t, f->bailiwick, strlen(f->bailiwick) + 1);
	}
	if (t->overflow) { /* out of memory: what is there goes now */
		t->overflow = false;
		t->len = (size_t)(uintptr_t)c.rrname;
		pdns_put(w);
		pdns_writer_put(w->cfg.pdns, f, 1);
		return;
	}
	b->facts[b->n++] = c;
	if (b->n == WORKER_PDNS_BATCH)
		pdns_put(w);
}

static void parse_leg(struct worker *w, struct dns_msg *m, const struct leg *leg,
		      struct dns_rr *rrs)
{
	int rc = dns_msg_parse(m, leg->wire, leg->len, rrs, DNS_MAX_RRS);
	if (rc != DNS_OK) {
		w->stats.dns_malformed++;
		w->stats.dns_error[-rc]++;
	}
	if (m->trailing)
		w->stats.dns_trailing++;
}

/* The Kafka message key of an exchange: the same for each of its records. */
static void kafka_key_of(struct strbuf *sb, enum kafka_key kind, const struct exchange *x)
{
	strbuf_reset(sb);
	if (kind == KAFKA_KEY_CLIENT || kind == KAFKA_KEY_SERVER) {
		strbuf_put_ip(sb, kind == KAFKA_KEY_CLIENT ? x->key->client : x->key->server, x->key->family);
	} else if (kind == KAFKA_KEY_QNAME) {
		const struct dns_msg *m = exchange_question_source(x);
		const struct dns_rr *q = m ? dns_question(m) : NULL;
		if (q)
			dns_name_print_at(sb, m->wire, m->len, q->name, 0, NULL);
	}
}

/* -kafka_avro: each Avro-encoded record becomes one message, keyed. */
struct avro_out {
	struct worker *w;
	const char *key;
	size_t keylen;
};

static void produce_avro(void *ctx, const uint8_t *msg, size_t len)
{
	struct avro_out *o = ctx;
	kafka_produce(o->w->cfg.kafka, o->w->kafka_batch, o->key, o->keylen, (const char *)msg, len);
}

/* Each record written since `start` (a line) becomes one Kafka message:
 * the line, or with -kafka_avro the record in Avro. */
static void produce_records(struct worker *w, const struct exchange *x, size_t start)
{
	if (w->out.overflow)
		return;
	if (!w->kafka_batch)
		w->kafka_batch = kafka_batch_new();
	kafka_key_of(&w->kafka_key, w->cfg.kafka_key, x);
	const char *key = w->kafka_key.overflow || w->cfg.kafka_key == KAFKA_KEY_NONE ? NULL : w->kafka_key.p;
	size_t keylen = key ? w->kafka_key.len : 0;
	if (w->avro) {
		struct avro_out o = { w, key, keylen };
		avro_enc_exchange(w->avro, &w->fmt, x, produce_avro, &o);
		return;
	}
	const char *p = w->out.p + start, *end = w->out.p + w->out.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		kafka_produce(w->cfg.kafka, w->kafka_batch, key, keylen, p, n);
		p += n + 1;
	}
}

/* An aggregated fact (pdns/cof.h): a COF line with -format cof, and to the
 * store with -pdns_db.  Kafka messages of COF lines are keyed by rrname,
 * so every line of a fact goes to one partition, in order. */
static void emit_fact(void *ctx, const struct pdns_fact *f)
{
	struct worker *w = ctx;
	if (w->cfg.pdns)
		pdns_add(w, f);
	if (w->cfg.format != FORMAT_COF)
		return;
	size_t start = w->out.len;
	cof_line_write(&w->out, f);
	if (w->out.overflow) {
		w->stats.record_overflow++;
		w->out.overflow = false;
		w->out.len = start;
		return;
	}
	w->stats.records_built++;
	w->out_records++;
	if (w->cfg.kafka) {
		if (!w->kafka_batch)
			w->kafka_batch = kafka_batch_new();
		bool keyed = w->cfg.kafka_key != KAFKA_KEY_NONE;
		kafka_produce(w->cfg.kafka, w->kafka_batch, keyed ? f->rrname : NULL,
			      keyed ? strlen(f->rrname) : 0, w->out.p + start, w->out.len - start - 1);
	}
	if (w->out.len >= OUT_FLUSH_AT)
		flush_out(w);
}

/* -pdns_clients: a client row goes to the store alone. */
static void emit_client(void *ctx, const struct pdns_fact *f)
{
	pdns_add(ctx, f);
}

static void emit(void *ctx, const struct flow_key *key, const struct leg *query,
		 const struct leg *response)
{
	struct worker *w = ctx;
	struct dns_msg qm, rm;
	struct exchange x = { .key = key, .qleg = query, .rleg = response };
	if (query) {
		parse_leg(w, &qm, query, w->rrs_q);
		x.query = &qm;
	}
	if (response) {
		parse_leg(w, &rm, response, w->rrs_r);
		x.response = &rm;
	}
	x.status = query && response ? ST_ANSWERED : query ? ST_UNANSWERED : ST_RESPONSE_ONLY;
	if (w->cof && response)
		cof_response(w->cof, &rm, response->ts_ns);
	if (w->clients && response) {
		strbuf_reset(&w->client_text);
		strbuf_put_ip(&w->client_text, key->client, key->family);
		strbuf_putc(&w->client_text, 0);
		cof_client(w->clients, exchange_question_source(&x), w->client_text.p, response->ts_ns);
	}
	if (w->cfg.format == FORMAT_COF)
		return;
	size_t start = w->out.len;
	size_t n = w->cfg.format == FORMAT_JSON ? format_json(&w->fmt, &w->out, &x)
						 : format_flat(&w->fmt, &w->out, &x);
	w->stats.records_built += n;
	w->out_records += n;
	if (w->cfg.kafka && n)
		produce_records(w, &x, start);
	if (w->out.len >= OUT_FLUSH_AT)
		flush_out(w);
}

/* One whole DNS message: a UDP payload or a message framed from a TCP stream. */
static void dns_message(struct worker *w, const struct packet *pkt)
{
	if (pkt->len < DNS_HEADER_LEN) {
		w->stats.dns_too_short++;
		return;
	}
	w->stats.dns_messages++;
	if (pkt->truncated)
		w->stats.dns_truncated_capture++;
	const uint8_t *p = pkt->payload;
	bool is_response = p[2] & 0x80;
	if (is_response)
		w->stats.dns_responses++;
	else
		w->stats.dns_queries++;
	struct flow_key key;
	pair_key_from_packet(&key, pkt, is_response, (uint16_t)(p[0] << 8 | p[1]));
	struct leg leg = { .wire = p, .len = pkt->len, .ts_ns = pkt->ts_ns,
			   .ts_digits = pkt->ts_digits,
			   .encap = pkt->encap && pkt->encap->n ? pkt->encap : NULL };
	pair_message(w->pairs, &key, is_response, &leg);
}

static void on_tcp_message(void *ctx, const struct packet *pkt, const uint8_t *msg, size_t len)
{
	dns_message(ctx, pkt);
}

/* A transport payload on a DNS port. */
static void deliver(void *ctx, const struct packet *pkt)
{
	struct worker *w = ctx;
	if (pkt->proto == PKT_TCP)
		tcp_segment(w->tcp, pkt);
	else
		dns_message(w, pkt);
}

int worker_init(struct worker *w, const struct worker_config *cfg)
{
	memset(w, 0, sizeof *w);
	w->cfg = *cfg;
	w->decoder = (struct decoder){ .linktype = cfg->linktype, .ports = cfg->ports,
				       .tunnels = cfg->tunnels, .stats = &w->stats,
				       .deliver = deliver, .ctx = w };
	w->fmt.sensor = cfg->sensor;
	w->fmt.level = cfg->level;
	w->fmt.stats = &w->stats;
	strbuf_init(&w->fmt.escape);
	strbuf_init(&w->fmt.sensor_text);
	strbuf_init(&w->out);
	strbuf_init(&w->kafka_key);
	strbuf_init(&w->client_text);
	w->rrs_q = malloc(sizeof(struct dns_rr) * DNS_MAX_RRS);
	w->rrs_r = malloc(sizeof(struct dns_rr) * DNS_MAX_RRS);
	w->pairs = pair_create(&cfg->pair, emit, w, &w->stats);
	w->tcp = tcp_create(&cfg->tcp, on_tcp_message, w, &w->stats);
	w->frags = frag_create(&cfg->frag, &w->stats);
	w->decoder.frags = w->frags;
	bool aggregate = cfg->format == FORMAT_COF || cfg->pdns;
	if (aggregate) {
		struct cof_config cc = cfg->cof;
		cc.sensor = cfg->sensor;
		cc.count_malformed = cfg->format == FORMAT_COF; /* else the format counts them */
		w->cof = cof_create(&cc, emit_fact, w, &w->stats);
	}
	if (cfg->pdns && cfg->pdns_clients) {
		struct cof_config cc = cfg->cof;
		cc.sensor = cfg->sensor;
		cc.count_malformed = false;
		cc.clients = true;
		w->clients = cof_create(&cc, emit_client, w, &w->stats);
	}
	if (cfg->pdns && (w->pdns_batch = calloc(1, sizeof *w->pdns_batch)))
		strbuf_init(&w->pdns_batch->text);
	if (cfg->pdns && cfg->sync_req) {
		w->sync_req = cfg->sync_req;
		atomic_store(&w->sync_done, atomic_load(cfg->sync_req));
	}
	if (cfg->kafka && cfg->kafka_avro) {
		char err[256];
		if (!(w->avro = avro_enc_new(cfg->kafka_avro_schema, err, sizeof err)))
			fprintf(stderr, "pdnslog: %s\n", err);
	}
	static atomic_int next_id;
	w->id = atomic_fetch_add(&next_id, 1);
	if (!w->rrs_q || !w->rrs_r || !w->pairs || !w->tcp || !w->frags ||
	    (cfg->kafka && cfg->kafka_avro && !w->avro) || (aggregate && !w->cof) ||
	    (cfg->pdns && !w->pdns_batch) || (cfg->pdns && cfg->pdns_clients && !w->clients)) {
		worker_destroy(w);
		return -1;
	}
	return 0;
}

/* -assembly_memuse_log: the reassembly tables' memory, one line. */
static void memuse_line(struct worker *w)
{
	struct tcp_memuse m;
	tcp_memuse(w->tcp, &m);
	m.frag_datagrams = frag_datagrams(w->frags);
	m.frag_bytes = frag_bytes(w->frags);
	m.max_frag_datagrams = w->cfg.frag.max_datagrams;
	m.max_frag_bytes = w->cfg.frag.max_bytes;
	tcplog_memuse(w->id, &m);
}

void worker_packet(struct worker *w, int linktype, int64_t ts_ns, int ts_digits,
		   const uint8_t *frame, size_t caplen, size_t wirelen)
{
	w->decoder.linktype = linktype;
	if (ts_ns >= w->next_sweep) {
		if (w->next_sweep) {
			tcp_expire(w->tcp, ts_ns);
			pair_expire(w->pairs, ts_ns);
		}
		w->next_sweep = w->cfg.gc_interval_ns > INT64_MAX - ts_ns ? INT64_MAX
									  : ts_ns + w->cfg.gc_interval_ns;
	}
	decode_frame(&w->decoder, ts_ns, ts_digits, frame, caplen, wirelen);
	if (w->cof)
		cof_expire(w->cof, ts_ns);
	if (w->clients)
		cof_expire(w->clients, ts_ns);
	if (w->pdns_batch && w->pdns_batch->n) {
		if (!w->pdns_batch->since)
			w->pdns_batch->since = ts_ns;
		else if (ts_ns - w->pdns_batch->since >= 1000000000LL)
			pdns_put(w);
	}
	if (w->cfg.memuse_log && ts_ns >= w->next_memuse) {
		if (w->next_memuse)
			memuse_line(w);
		w->next_memuse = ts_ns + TCP_MEMUSE_INTERVAL_NS;
	}
}

void worker_finish(struct worker *w)
{
	if (w->cfg.memuse_log)
		memuse_line(w); /* what the input left in the tables */
	frag_flush(w->frags);
	tcp_flush(w->tcp);
	pair_flush(w->pairs);
	if (w->cof)
		cof_flush(w->cof);
	if (w->clients)
		cof_flush(w->clients);
	pdns_put(w);
	flush_out(w);
}

void worker_idle(struct worker *w)
{
	pdns_put(w);
}

void worker_handover(struct worker *w)
{
	if (!w->cfg.pdns)
		return;
	cof_flush(w->cof);
	if (w->clients)
		cof_flush(w->clients);
	pdns_put(w);
	flush_out(w); /* -format cof: the lines of what was just emitted */
}


void worker_destroy(struct worker *w)
{
	pair_destroy(w->pairs);
	tcp_destroy(w->tcp);
	frag_destroy(w->frags);
	w->tcp = NULL;
	w->frags = NULL;
	free(w->rrs_q);
	free(w->rrs_r);
	format_ctx_free(&w->fmt);
	strbuf_free(&w->out);
	strbuf_free(&w->kafka_key);
	avro_enc_free(w->avro);
	w->avro = NULL;
	cof_destroy(w->cof);
	w->cof = NULL;
	cof_destroy(w->clients);
	w->clients = NULL;
	strbuf_free(&w->client_text);
	if (w->pdns_batch)
		strbuf_free(&w->pdns_batch->text);
	free(w->pdns_batch);
	w->pdns_batch = NULL;
	w->pairs = NULL;
	w->rrs_q = w->rrs_r = NULL;
}
