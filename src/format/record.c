/* record: what both formats share: status names and the escaped sensor. */
#include <string.h>

#include "dns/rdata.h"
#include "format/jsonw.h"
#include "format/record.h"
#include "util/ipfmt.h"

const char *exchange_status_name(enum exchange_status s)
{
	switch (s) {
	case ST_ANSWERED: return "answered";
	case ST_UNANSWERED: return "unanswered";
	default: return "response_only";
	}
}

const struct strbuf *format_sensor_json(struct format_ctx *f)
{
	if (f->sensor_text.len == 0 && f->sensor) {
		strbuf_reserve(&f->sensor_text, 1); /* never a NULL buffer, even for "" */
		json_escape(&f->sensor_text, f->sensor, strlen(f->sensor));
	}
	return &f->sensor_text;
}

void format_ctx_free(struct format_ctx *f)
{
	strbuf_free(&f->escape);
	strbuf_free(&f->sensor_text);
	strbuf_free(&f->flat.text);
	memset(&f->flat, 0, sizeof f->flat);
}

const struct dns_msg *exchange_question_source(const struct exchange *x)
{
	if (x->query && dns_question(x->query))
		return x->query;
	return x->response ? x->response : x->query;
}

void format_put_ip(struct strbuf *sb, const uint8_t *a, uint8_t family)
{
	strbuf_putc(sb, '"');
	strbuf_put_ip(sb, a, family);
	strbuf_putc(sb, '"');
}

void format_put_rdata(struct format_ctx *f, struct strbuf *sb, const struct dns_msg *m,
		      const struct dns_rr *rr)
{
	size_t b = sb->len;
	if (dns_rdata_print(sb, m->wire, m->len, rr, 0) != DNS_OK) {
		f->stats->rdata_malformed++;
		json_escape_from(sb, b, &f->escape);
	} else if (!dns_rdata_is_address(rr)) { /* an address needs no escaping */
		json_escape_from(sb, b, &f->escape);
	}
}

void format_put_elapsed(struct strbuf *sb, const struct exchange *x)
{
	if (x->qleg && x->rleg)
		strbuf_put_i64(sb, x->rleg->ts_ns - x->qleg->ts_ns);
	else
		strbuf_puts(sb, "null");
}
