/* flat: the gopassivedns record, one JSON line per answer record.
 *
 * Fields and their order are gopassivedns's (query_id, rcode, q, qtype, a,
 * atype, ttl, dst, src, tstamp, elapsed, sport, level, bytes, protocol,
 * truncated, aa, rd, ra) plus status and sensor.  What gopassivedns got wrong
 * is fixed: src/sport are always the client, tstamp is the query's capture
 * time in RFC 3339 UTC, elapsed is in nanoseconds and null when unpaired. */
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "format/jsonw.h"
#include "format/record.h"
#include "format/timefmt.h"
#include "util/ipfmt.h"

static void put_ip(struct strbuf *sb, const uint8_t *a, uint8_t family)
{
	strbuf_putc(sb, '"');
	if (family == 6)
		strbuf_put_ipv6(sb, a);
	else
		strbuf_put_ipv4(sb, a);
	strbuf_putc(sb, '"');
}

/* The question logged: the query's, else the response's. */
static const struct dns_msg *question_source(const struct exchange *x)
{
	if (x->query && dns_question(x->query))
		return x->query;
	return x->response ? x->response : x->query;
}

size_t format_flat(struct format_ctx *f, struct strbuf *sb, const struct exchange *x)
{
	const struct dns_msg *qm = question_source(x);
	const struct dns_msg *r = x->response;
	const struct dns_rr *q = dns_question(qm);
	struct jsonw j;

	/* Head: query_id, rcode, q, qtype. */
	struct strbuf *head = &f->scratch;
	strbuf_reset(head);
	jsonw_init(&j, head, &f->escape);
	strbuf_puts(head, "{\"query_id\":");
	strbuf_put_u64(head, x->key->id);
	strbuf_puts(head, ",\"rcode\":");
	if (r)
		strbuf_put_u64(head, dns_rcode(r));
	else
		strbuf_puts(head, "null");
	strbuf_puts(head, ",\"q\":");
	size_t b = jsonw_str_begin(&j);
	if (q)
		dns_name_print_at(head, qm->wire, qm->len, q->name, 0);
	jsonw_str_end(&j, b);
	strbuf_puts(head, ",\"qtype\":\"");
	if (q)
		dns_type_print(head, q->type);
	strbuf_putc(head, '"');
	size_t head_len = head->len;

	/* Tail: dst ... sensor, the same for every answer of the exchange. */
	strbuf_puts(head, ",\"dst\":");
	put_ip(head, x->key->server, x->key->family);
	strbuf_puts(head, ",\"src\":");
	put_ip(head, x->key->client, x->key->family);
	strbuf_puts(head, ",\"tstamp\":\"");
	const struct leg *first = x->qleg ? x->qleg : x->rleg;
	format_rfc3339(head, first->ts_ns, first->ts_digits);
	strbuf_puts(head, "\",\"elapsed\":");
	if (x->qleg && x->rleg)
		strbuf_put_i64(head, x->rleg->ts_ns - x->qleg->ts_ns);
	else
		strbuf_puts(head, "null");
	strbuf_puts(head, ",\"sport\":\"");
	strbuf_put_u64(head, x->key->cport);
	strbuf_puts(head, "\",\"level\":\"\",\"bytes\":");
	strbuf_put_u64(head, r ? r->len : 0);
	strbuf_puts(head, x->key->proto == 6 ? ",\"protocol\":\"tcp\"" : ",\"protocol\":\"udp\"");
	strbuf_puts(head, r && dns_tc(r) ? ",\"truncated\":true" : ",\"truncated\":false");
	strbuf_puts(head, r && dns_aa(r) ? ",\"aa\":true" : ",\"aa\":false");
	bool rd = x->query ? dns_rd(x->query) : dns_rd(r);
	strbuf_puts(head, rd ? ",\"rd\":true" : ",\"rd\":false");
	strbuf_puts(head, r && dns_ra(r) ? ",\"ra\":true" : ",\"ra\":false");
	strbuf_puts(head, ",\"status\":\"");
	strbuf_puts(head, exchange_status_name(x->status));
	strbuf_puts(head, "\",\"sensor\":\"");
	const struct strbuf *sensor = format_sensor_json(f);
	strbuf_putn(head, sensor->p, sensor->len);
	strbuf_puts(head, "\"}\n");
	if (head->overflow) {
		f->stats->record_overflow++;
		return 0;
	}
	const char *tail = head->p + head_len;
	size_t tail_len = head->len - head_len;

	size_t written = 0;
	size_t answers = 0;
	if (r && dns_rcode(r) == 0) {
		for (size_t i = 0; i < r->nrrs; i++) {
			const struct dns_rr *rr = &r->rrs[i];
			if (rr->section != DNS_AN || dns_rr_is_meta(rr))
				continue;
			answers++;
			size_t mark = sb->len;
			strbuf_putn(sb, head->p, head_len);
			strbuf_puts(sb, ",\"a\":");
			jsonw_init(&j, sb, &f->escape);
			b = jsonw_str_begin(&j);
			if (dns_rdata_print(sb, r->wire, r->len, rr, 0) != DNS_OK)
				f->stats->rdata_malformed++;
			jsonw_str_end(&j, b);
			strbuf_puts(sb, ",\"atype\":\"");
			dns_type_print(sb, rr->type);
			strbuf_puts(sb, "\",\"ttl\":");
			strbuf_put_u64(sb, rr->ttl);
			strbuf_putn(sb, tail, tail_len);
			if (sb->overflow) {
				sb->len = mark;
				sb->overflow = false;
				f->stats->record_overflow++;
				continue;
			}
			written++;
		}
	}
	if (answers == 0) {
		/* One record for the exchange: the rcode's name for an error,
		 * empty for NOERROR without answers or no response at all. */
		strbuf_putn(sb, head->p, head_len);
		strbuf_puts(sb, ",\"a\":\"");
		if (r && dns_rcode(r) != 0)
			dns_rcode_print(sb, (uint16_t)dns_rcode(r));
		strbuf_puts(sb, "\",\"atype\":\"\",\"ttl\":0");
		strbuf_putn(sb, tail, tail_len);
		written++;
	}
	return written;
}
