/* flat: the gopassivedns record, one JSON line per answer record.
 *
 * Fields and their order are gopassivedns's (query_id, rcode, q, qtype, a,
 * atype, ttl, dst, src, tstamp, elapsed, sport, level, bytes, protocol,
 * truncated, aa, rd, ra) plus status and sensor.  What gopassivedns got wrong
 * is fixed: src/sport are always the client, tstamp is the query's capture
 * time in RFC 3339 UTC, elapsed is in nanoseconds and null when unpaired. */
#include "dns/name.h"
#include "dns/rrtype.h"
#include "format/jsonw.h"
#include "format/record.h"
#include "format/timefmt.h"

/* Bits of a flat_text key: what the end of a record depends on. */
#define END_TCP 1u
#define END_TC 2u
#define END_AA 4u
#define END_RD 8u
#define END_RA 16u
#define END_STATUS 32u /* times the exchange_status */

static void make_text(struct format_ctx *f, struct strbuf *t, unsigned key)
{
	if (key == FLAT_LEVEL) {
		strbuf_puts(t, "\",\"level\":\"");
		if (f->level) /* NULL when the caller set no level (the fuzzers) */
			strbuf_puts(t, f->level);
		strbuf_puts(t, "\",\"bytes\":");
		return;
	}
	strbuf_puts(t, key & END_TCP ? ",\"protocol\":\"tcp\"" : ",\"protocol\":\"udp\"");
	strbuf_puts(t, key & END_TC ? ",\"truncated\":true" : ",\"truncated\":false");
	strbuf_puts(t, key & END_AA ? ",\"aa\":true" : ",\"aa\":false");
	strbuf_puts(t, key & END_RD ? ",\"rd\":true" : ",\"rd\":false");
	strbuf_puts(t, key & END_RA ? ",\"ra\":true" : ",\"ra\":false");
	strbuf_puts(t, ",\"status\":\"");
	strbuf_puts(t, exchange_status_name((enum exchange_status)(key / END_STATUS)));
	strbuf_puts(t, "\",\"sensor\":\"");
	const struct strbuf *sensor = format_sensor_json(f);
	strbuf_putn(t, sensor->p, sensor->len);
	strbuf_puts(t, "\"}\n");
}

/* Append the text for key, made on first use. */
static void put_made(struct format_ctx *f, struct strbuf *sb, unsigned key)
{
	struct flat_text *ft = &f->flat;
	if (ft->len[key] == 0) {
		size_t at = ft->text.len;
		make_text(f, &ft->text, key);
		if (ft->text.overflow || ft->text.len - at > UINT32_MAX) {
			ft->text.overflow = false;
			ft->text.len = at;
			sb->overflow = true; /* out of memory: the record is dropped, counted */
			return;
		}
		ft->at[key] = (uint32_t)at;
		ft->len[key] = (uint32_t)(ft->text.len - at);
	}
	strbuf_putn(sb, ft->text.p + ft->at[key], ft->len[key]);
}

/* Tail: dst ... sensor, the same for every answer of the exchange. */
static void put_tail(struct format_ctx *f, struct strbuf *sb, const struct exchange *x)
{
	const struct dns_msg *r = x->response;
	strbuf_puts(sb, ",\"dst\":");
	format_put_ip(sb, x->key->server, x->key->family);
	strbuf_puts(sb, ",\"src\":");
	format_put_ip(sb, x->key->client, x->key->family);
	strbuf_puts(sb, ",\"tstamp\":\"");
	const struct leg *first = x->qleg ? x->qleg : x->rleg;
	format_rfc3339(sb, first->ts_ns, first->ts_digits);
	strbuf_puts(sb, "\",\"elapsed\":");
	format_put_elapsed(sb, x);
	strbuf_puts(sb, ",\"sport\":\"");
	strbuf_put_u64(sb, x->key->cport);
	put_made(f, sb, FLAT_LEVEL);
	strbuf_put_u64(sb, r ? r->len : 0);
	bool rd = x->query ? dns_rd(x->query) : dns_rd(r);
	unsigned key = (x->key->proto == 6 ? END_TCP : 0) | (r && dns_tc(r) ? END_TC : 0) |
		       (r && dns_aa(r) ? END_AA : 0) | (rd ? END_RD : 0) |
		       (r && dns_ra(r) ? END_RA : 0) | (unsigned)x->status * END_STATUS;
	put_made(f, sb, key);
}

/* Append sb[from, from + n) to sb itself (the first record is the template
 * for the others). */
static void copy_within(struct strbuf *sb, size_t from, size_t n)
{
	if (!strbuf_reserve(sb, n))
		return;
	memcpy(sb->p + sb->len, sb->p + from, n);
	sb->len += n;
}

/* The fields that differ between the records of one exchange. */
static void put_answer(struct format_ctx *f, struct strbuf *sb, const struct dns_msg *r,
		       const struct dns_rr *rr)
{
	strbuf_puts(sb, ",\"a\":\"");
	format_put_rdata(f, sb, r, rr);
	strbuf_puts(sb, "\",\"atype\":\"");
	dns_type_print(sb, rr->type);
	strbuf_puts(sb, "\",\"ttl\":");
	strbuf_put_u64(sb, rr->ttl);
}

/* The first record is written whole; the others copy its head (query_id ..
 * qtype) and tail (dst .. sensor) around their own answer fields. */
size_t format_flat(struct format_ctx *f, struct strbuf *sb, const struct exchange *x)
{
	const struct dns_msg *qm = exchange_question_source(x);
	const struct dns_msg *r = x->response;
	const struct dns_rr *q = dns_question(qm);
	size_t start = sb->len;

	strbuf_puts(sb, "{\"query_id\":");
	strbuf_put_u64(sb, x->key->id);
	strbuf_puts(sb, ",\"rcode\":");
	if (r)
		strbuf_put_u64(sb, dns_rcode(r));
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, ",\"q\":\"");
	if (q)
		dns_name_print_at(sb, qm->wire, qm->len, q->name, DNS_NAME_JSON, NULL);
	strbuf_puts(sb, "\",\"qtype\":\"");
	if (q)
		dns_type_print(sb, q->type);
	strbuf_putc(sb, '"');
	size_t head_len = sb->len - start;

	size_t tail = 0, tail_len = 0; /* where the first record's tail is */
	size_t written = 0;
	for (size_t i = 0; r && dns_rcode(r) == 0 && i < r->nrrs; i++) {
		const struct dns_rr *rr = &r->rrs[i];
		if (rr->section != DNS_AN || dns_rr_is_meta(rr))
			continue;
		size_t mark = sb->len;
		if (written)
			copy_within(sb, start, head_len);
		put_answer(f, sb, r, rr);
		if (written) {
			copy_within(sb, tail, tail_len);
		} else {
			tail = sb->len;
			put_tail(f, sb, x);
			tail_len = sb->len - tail;
		}
		if (sb->overflow) {
			/* Too big to write: the first record takes the exchange
			 * with it (the others are built from it); a later one
			 * goes alone. */
			f->stats->record_overflow++;
			sb->overflow = false;
			sb->len = written ? mark : start;
			if (!written)
				return 0;
			continue;
		}
		written++;
	}
	if (written == 0 && sb->len == start + head_len) {
		/* One record for the exchange: the rcode's name for an error,
		 * empty for NOERROR without answers or no response at all. */
		strbuf_puts(sb, ",\"a\":\"");
		if (r && dns_rcode(r) != 0)
			dns_rcode_print(sb, (uint16_t)dns_rcode(r));
		strbuf_puts(sb, "\",\"atype\":\"\",\"ttl\":0");
		put_tail(f, sb, x);
		if (sb->overflow) {
			f->stats->record_overflow++;
			sb->overflow = false;
			sb->len = start;
			return 0;
		}
		written++;
	}
	return written;
}
