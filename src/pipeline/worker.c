/* worker: glue of the packet pipeline for one thread. */
#include "pipeline/worker.h"

#include <stdlib.h>
#include <string.h>

#include "dns/message.h"
#include "dns/name.h"
#include "util/ipfmt.h"

#define OUT_FLUSH_AT (32u << 10) /* batches the sinks write without copying */

static void flush_out(struct worker *w)
{
	if (w->out.len == 0)
		return;
	for (struct sink **s = w->cfg.sinks; *s; s++)
		sink_write(*s, w->out.p, w->out.len);
	if (w->cfg.syslog)
		syslog_sink_write(w->cfg.syslog, w->out.p, w->out.len);
	strbuf_reset(&w->out);
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

/* Each record written since `start` (a line) becomes one Kafka message. */
static void produce_records(struct worker *w, const struct exchange *x, size_t start)
{
	if (w->out.overflow)
		return;
	kafka_key_of(&w->kafka_key, w->cfg.kafka_key, x);
	const char *key = w->kafka_key.overflow || w->cfg.kafka_key == KAFKA_KEY_NONE ? NULL : w->kafka_key.p;
	size_t keylen = key ? w->kafka_key.len : 0;
	const char *p = w->out.p + start, *end = w->out.p + w->out.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		kafka_produce(w->cfg.kafka, key, keylen, p, n);
		p += n + 1;
	}
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
	size_t start = w->out.len;
	size_t n = w->cfg.format == FORMAT_JSON ? format_json(&w->fmt, &w->out, &x)
						 : format_flat(&w->fmt, &w->out, &x);
	w->stats.records_written += n;
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
	w->rrs_q = malloc(sizeof(struct dns_rr) * DNS_MAX_RRS);
	w->rrs_r = malloc(sizeof(struct dns_rr) * DNS_MAX_RRS);
	w->pairs = pair_create(&cfg->pair, emit, w, &w->stats);
	w->tcp = tcp_create(&cfg->tcp, on_tcp_message, w, &w->stats);
	w->frags = frag_create(&cfg->frag, &w->stats);
	w->decoder.frags = w->frags;
	if (!w->rrs_q || !w->rrs_r || !w->pairs || !w->tcp || !w->frags) {
		worker_destroy(w);
		return -1;
	}
	return 0;
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
}

void worker_finish(struct worker *w)
{
	frag_flush(w->frags);
	tcp_flush(w->tcp);
	pair_flush(w->pairs);
	flush_out(w);
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
	w->pairs = NULL;
	w->rrs_q = w->rrs_r = NULL;
}
