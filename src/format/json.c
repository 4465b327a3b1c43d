/* json: one JSON line per exchange with everything both messages hold.
 * The schema is documented in docs/json-format.md. */
#include "dns/edns.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "format/jsonw.h"
#include "format/record.h"
#include "format/timefmt.h"
#include "util/ipfmt.h"

static void put_addr(struct jsonw *j, const uint8_t *a, uint8_t family)
{
	jsonw_raw_begin(j);
	if (family == 6)
		strbuf_put_ipv6(j->sb, a);
	else
		strbuf_put_ipv4(j->sb, a);
	jsonw_raw_end(j);
}

static void put_name(struct jsonw *j, const struct dns_msg *m, size_t pos)
{
	size_t b = jsonw_str_begin(j);
	dns_name_print_at(j->sb, m->wire, m->len, pos, 0);
	jsonw_str_end(j, b);
}

/* Mnemonics are plain ASCII: no escaping to check for. */
static void put_type(struct jsonw *j, uint16_t type)
{
	jsonw_raw_begin(j);
	dns_type_print(j->sb, type);
	jsonw_raw_end(j);
}

static void put_class(struct jsonw *j, uint16_t rclass)
{
	jsonw_raw_begin(j);
	dns_class_print(j->sb, rclass);
	jsonw_raw_end(j);
}

static void put_flags(struct jsonw *j, const struct dns_msg *m)
{
	jsonw_object_open(j);
	jsonw_key(j, "qr"); jsonw_bool(j, dns_qr(m));
	jsonw_key(j, "aa"); jsonw_bool(j, dns_aa(m));
	jsonw_key(j, "tc"); jsonw_bool(j, dns_tc(m));
	jsonw_key(j, "rd"); jsonw_bool(j, dns_rd(m));
	jsonw_key(j, "ra"); jsonw_bool(j, dns_ra(m));
	jsonw_key(j, "z"); jsonw_bool(j, dns_z(m));
	jsonw_key(j, "ad"); jsonw_bool(j, dns_ad(m));
	jsonw_key(j, "cd"); jsonw_bool(j, dns_cd(m));
	jsonw_object_close(j);
}

static void put_hex(struct jsonw *j, const uint8_t *p, size_t n)
{
	jsonw_raw_begin(j);
	strbuf_put_hex(j->sb, p, n);
	jsonw_raw_end(j);
}

/* Client subnet (RFC 7871 6): family, prefixes and the address, zero-padded. */
static void put_ecs(struct jsonw *j, const struct edns_option *o)
{
	if (o->len < 4) {
		jsonw_key(j, "hex");
		put_hex(j, o->data, o->len);
		return;
	}
	uint16_t family = (uint16_t)(o->data[0] << 8 | o->data[1]);
	jsonw_key(j, "family"); jsonw_uint(j, family);
	jsonw_key(j, "source_prefix"); jsonw_uint(j, o->data[2]);
	jsonw_key(j, "scope_prefix"); jsonw_uint(j, o->data[3]);
	uint8_t a[16] = { 0 };
	size_t alen = (size_t)o->len - 4;
	if ((family == 1 && alen <= 4) || (family == 2 && alen <= 16)) {
		memcpy(a, o->data + 4, alen);
		jsonw_key(j, "address");
		put_addr(j, a, family == 2 ? 6 : 4);
	} else {
		jsonw_key(j, "hex");
		put_hex(j, o->data + 4, alen);
	}
}

static void put_option(struct jsonw *j, const struct edns_option *o)
{
	jsonw_object_open(j);
	jsonw_key(j, "code");
	jsonw_uint(j, o->code);
	const char *name = edns_option_name(o->code);
	if (name) {
		jsonw_key(j, "name");
		jsonw_str(j, name);
	}
	switch (o->code) {
	case EDNS_ECS:
		put_ecs(j, o);
		break;
	case EDNS_COOKIE:
		if (o->len >= 8) {
			jsonw_key(j, "client");
			put_hex(j, o->data, 8);
			if (o->len > 8) {
				jsonw_key(j, "server");
				put_hex(j, o->data + 8, (size_t)o->len - 8);
			}
		} else {
			jsonw_key(j, "hex");
			put_hex(j, o->data, o->len);
		}
		break;
	case EDNS_EDE:
		if (o->len >= 2) {
			uint16_t info = (uint16_t)(o->data[0] << 8 | o->data[1]);
			jsonw_key(j, "info_code");
			jsonw_uint(j, info);
			const char *purpose = edns_ede_name(info);
			if (purpose) {
				jsonw_key(j, "purpose");
				jsonw_str(j, purpose);
			}
			jsonw_key(j, "text");
			jsonw_strn(j, (const char *)o->data + 2, (size_t)o->len - 2);
		} else {
			jsonw_key(j, "hex");
			put_hex(j, o->data, o->len);
		}
		break;
	case EDNS_KEEPALIVE:
		if (o->len == 2) {
			jsonw_key(j, "timeout_ms");
			jsonw_uint(j, (uint64_t)(o->data[0] << 8 | o->data[1]) * 100);
		} else if (o->len != 0) {
			jsonw_key(j, "hex");
			put_hex(j, o->data, o->len);
		}
		break;
	case EDNS_PADDING:
		jsonw_key(j, "length");
		jsonw_uint(j, o->len);
		break;
	case EDNS_EXPIRE:
		if (o->len == 4) {
			jsonw_key(j, "expire");
			jsonw_uint(j, (uint32_t)o->data[0] << 24 | (uint32_t)o->data[1] << 16 |
				   (uint32_t)o->data[2] << 8 | o->data[3]);
		} else if (o->len != 0) {
			jsonw_key(j, "hex");
			put_hex(j, o->data, o->len);
		}
		break;
	case EDNS_DAU: case EDNS_DHU: case EDNS_N3U:
		jsonw_key(j, "algorithms");
		jsonw_array_open(j);
		for (size_t i = 0; i < o->len; i++)
			jsonw_uint(j, o->data[i]);
		jsonw_array_close(j);
		break;
	case EDNS_KEYTAG:
		jsonw_key(j, "tags");
		jsonw_array_open(j);
		for (size_t i = 0; i + 1 < o->len; i += 2)
			jsonw_uint(j, (uint64_t)(o->data[i] << 8 | o->data[i + 1]));
		jsonw_array_close(j);
		break;
	case EDNS_NSID: {
		jsonw_key(j, "hex");
		put_hex(j, o->data, o->len);
		jsonw_key(j, "text");
		jsonw_strn(j, (const char *)o->data, o->len);
		break;
	}
	default:
		jsonw_key(j, "hex");
		put_hex(j, o->data, o->len);
	}
	jsonw_object_close(j);
}

static void put_edns(struct jsonw *j, const struct dns_msg *m)
{
	const struct dns_rr *opt = &m->rrs[m->opt];
	jsonw_object_open(j);
	jsonw_key(j, "udp_size"); jsonw_uint(j, m->edns_udp);
	jsonw_key(j, "version"); jsonw_uint(j, m->edns_version);
	jsonw_key(j, "do"); jsonw_bool(j, m->edns_flags & 0x8000);
	jsonw_key(j, "ext_rcode"); jsonw_uint(j, m->edns_rcode_hi);
	jsonw_key(j, "options");
	jsonw_array_open(j);
	struct edns_iter it;
	struct edns_option o;
	edns_iter_init(&it, m->wire + opt->rdata, opt->rdlen);
	while (edns_next(&it, &o))
		put_option(j, &o);
	jsonw_array_close(j);
	if (it.err) {
		jsonw_key(j, "malformed");
		jsonw_bool(j, true);
	}
	jsonw_object_close(j);
}

static void put_section(struct jsonw *j, struct format_ctx *f, const struct dns_msg *m,
			int section)
{
	jsonw_array_open(j);
	for (size_t i = 0; i < m->nrrs; i++) {
		const struct dns_rr *rr = &m->rrs[i];
		if (rr->section != section || (int)i == m->opt)
			continue;
		jsonw_object_open(j);
		jsonw_key(j, "name");
		put_name(j, m, rr->name);
		jsonw_key(j, "type");
		put_type(j, rr->type);
		jsonw_key(j, "class");
		put_class(j, rr->rclass);
		if (section != DNS_QD) {
			jsonw_key(j, "ttl");
			jsonw_uint(j, rr->ttl);
			jsonw_key(j, "data");
			size_t b = jsonw_str_begin(j);
			if (dns_rdata_print(j->sb, m->wire, m->len, rr, 0) != DNS_OK)
				f->stats->rdata_malformed++;
			jsonw_str_end(j, b);
		}
		jsonw_object_close(j);
	}
	jsonw_array_close(j);
}

static void put_message(struct jsonw *j, struct format_ctx *f, const struct leg *leg,
			const struct dns_msg *m)
{
	jsonw_object_open(j);
	jsonw_key(j, "tstamp");
	jsonw_raw_begin(j);
	format_rfc3339(j->sb, leg->ts_ns, leg->ts_digits);
	jsonw_raw_end(j);
	jsonw_key(j, "bytes");
	jsonw_uint(j, m->len);
	jsonw_key(j, "opcode");
	jsonw_raw_begin(j);
	dns_opcode_print(j->sb, (uint8_t)dns_opcode(m));
	jsonw_raw_end(j);
	jsonw_key(j, "rcode");
	jsonw_raw_begin(j);
	dns_rcode_print(j->sb, (uint16_t)dns_rcode(m));
	jsonw_raw_end(j);
	jsonw_key(j, "rcode_value");
	jsonw_uint(j, dns_rcode(m));
	jsonw_key(j, "flags");
	put_flags(j, m);
	jsonw_key(j, "questions");
	put_section(j, f, m, DNS_QD);
	if (dns_qr(m) || m->parsed[DNS_AN] || m->parsed[DNS_NS]) {
		jsonw_key(j, "answer");
		put_section(j, f, m, DNS_AN);
		jsonw_key(j, "authority");
		put_section(j, f, m, DNS_NS);
	}
	jsonw_key(j, "additional");
	put_section(j, f, m, DNS_AR);
	if (m->opt >= 0) {
		jsonw_key(j, "edns");
		put_edns(j, m);
	}
	if (m->error != DNS_OK) {
		jsonw_key(j, "malformed");
		jsonw_str(j, dns_strerror(m->error));
	}
	if (leg->shortened) {
		jsonw_key(j, "shortened");
		jsonw_bool(j, true);
	}
	jsonw_object_close(j);
}

size_t format_json(struct format_ctx *f, struct strbuf *sb, const struct exchange *x)
{
	struct jsonw j;
	size_t mark = sb->len;
	jsonw_init(&j, sb, &f->escape);
	jsonw_object_open(&j);
	jsonw_key(&j, "status");
	jsonw_str(&j, exchange_status_name(x->status));
	jsonw_key(&j, "sensor");
	jsonw_str(&j, f->sensor);
	jsonw_key(&j, "protocol");
	jsonw_str(&j, x->key->proto == 6 ? "tcp" : "udp");
	jsonw_key(&j, "client");
	put_addr(&j, x->key->client, x->key->family);
	jsonw_key(&j, "client_port");
	jsonw_uint(&j, x->key->cport);
	jsonw_key(&j, "server");
	put_addr(&j, x->key->server, x->key->family);
	jsonw_key(&j, "server_port");
	jsonw_uint(&j, x->key->sport);
	jsonw_key(&j, "id");
	jsonw_uint(&j, x->key->id);
	jsonw_key(&j, "elapsed");
	if (x->qleg && x->rleg)
		jsonw_int(&j, x->rleg->ts_ns - x->qleg->ts_ns);
	else
		jsonw_null(&j);
	jsonw_key(&j, "query");
	if (x->query)
		put_message(&j, f, x->qleg, x->query);
	else
		jsonw_null(&j);
	jsonw_key(&j, "response");
	if (x->response)
		put_message(&j, f, x->rleg, x->response);
	else
		jsonw_null(&j);
	jsonw_object_close(&j);
	strbuf_putc(sb, '\n');
	if (sb->overflow) {
		sb->len = mark;
		sb->overflow = false;
		f->stats->record_overflow++;
		return 0;
	}
	return 1;
}
