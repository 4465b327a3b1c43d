/* json: one JSON line per exchange with everything both messages hold.
 * The schema is documented in docs/json-format.md. */
#include "dns/edns.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "format/jsonw.h"
#include "format/record.h"
#include "format/timefmt.h"
#include "util/ipfmt.h"

static void put_addr_value(struct jsonw *j, const uint8_t *a, uint8_t family)
{
	jsonw_raw_begin(j);
	strbuf_put_ip(j->sb, a, family);
	jsonw_raw_end(j);
}

/* Flags as a fixed object: the eight header bits by name. */
static void put_flags(struct strbuf *sb, const struct dns_msg *m)
{
	strbuf_puts(sb, dns_qr(m) ? "{\"qr\":true" : "{\"qr\":false");
	strbuf_puts(sb, dns_aa(m) ? ",\"aa\":true" : ",\"aa\":false");
	strbuf_puts(sb, dns_tc(m) ? ",\"tc\":true" : ",\"tc\":false");
	strbuf_puts(sb, dns_rd(m) ? ",\"rd\":true" : ",\"rd\":false");
	strbuf_puts(sb, dns_ra(m) ? ",\"ra\":true" : ",\"ra\":false");
	strbuf_puts(sb, dns_z(m) ? ",\"z\":true" : ",\"z\":false");
	strbuf_puts(sb, dns_ad(m) ? ",\"ad\":true" : ",\"ad\":false");
	strbuf_puts(sb, dns_cd(m) ? ",\"cd\":true}" : ",\"cd\":false}");
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
		put_addr_value(j, a, family == 2 ? 6 : 4);
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

/* Owner names already written in this message: most records' owners are a
 * bare compression pointer to one of a few names (the question's above all),
 * and the same name gives the same text, which is copied instead. */
#define NAMES_SEEN 4
struct names_seen {
	uint32_t at[NAMES_SEEN];    /* where the name's labels start in the message */
	uint32_t text[NAMES_SEEN];  /* where its escaped text is in sb */
	uint32_t len[NAMES_SEEN];
	unsigned n;
};

static void put_owner(struct strbuf *sb, struct format_ctx *f, const struct dns_msg *m,
		      size_t pos, struct names_seen *seen)
{
	/* The text is that of the labels at `key`: here, or where a bare
	 * pointer here points (a valid pointer points backwards). */
	size_t key = pos;
	if (pos + 1 < m->len && (m->wire[pos] & 0xC0) == 0xC0) {
		key = (size_t)(m->wire[pos] & 0x3F) << 8 | m->wire[pos + 1];
		if (key >= pos)
			key = SIZE_MAX;
	}
	for (unsigned i = 0; key != SIZE_MAX && i < seen->n && i < NAMES_SEEN; i++) {
		if (seen->at[i] == key && strbuf_reserve(sb, seen->len[i])) {
			memcpy(sb->p + sb->len, sb->p + seen->text[i], seen->len[i]);
			sb->len += seen->len[i];
			return;
		}
	}
	size_t b = sb->len;
	dns_name_print_at(sb, m->wire, m->len, pos, DNS_NAME_JSON, NULL);
	if (key != SIZE_MAX && !sb->overflow && sb->len > b && sb->len <= UINT32_MAX) {
		unsigned slot = seen->n++ % NAMES_SEEN;
		seen->at[slot] = (uint32_t)key;
		seen->text[slot] = (uint32_t)b;
		seen->len[slot] = (uint32_t)(sb->len - b);
	}
}

/* The records are the bulk of every line, so they are written as literal
 * fragments around their values rather than token by token through jsonw. */
static void put_section(struct strbuf *sb, struct format_ctx *f, const struct dns_msg *m,
			int section, struct names_seen *seen)
{
	strbuf_putc(sb, '[');
	bool first = true;
	for (size_t i = 0; i < m->nrrs; i++) {
		const struct dns_rr *rr = &m->rrs[i];
		if (rr->section != section || (int)i == m->opt)
			continue;
		strbuf_puts(sb, first ? "{\"name\":\"" : ",{\"name\":\"");
		first = false;
		put_owner(sb, f, m, rr->name, seen);
		strbuf_puts(sb, "\",\"type\":\"");
		dns_type_print(sb, rr->type);
		strbuf_puts(sb, "\",\"class\":\"");
		dns_class_print(sb, rr->rclass);
		if (section != DNS_QD) {
			strbuf_puts(sb, "\",\"ttl\":");
			strbuf_put_u64(sb, rr->ttl);
			strbuf_puts(sb, ",\"data\":\"");
			format_put_rdata(f, sb, m, rr);
		}
		strbuf_puts(sb, "\"}");
	}
	strbuf_putc(sb, ']');
}

static void put_message(struct strbuf *sb, struct format_ctx *f, const struct leg *leg,
			const struct dns_msg *m, struct names_seen *seen)
{
	strbuf_puts(sb, "{\"tstamp\":\"");
	format_rfc3339(sb, leg->ts_ns, leg->ts_digits);
	strbuf_puts(sb, "\",\"bytes\":");
	strbuf_put_u64(sb, m->len);
	strbuf_puts(sb, ",\"opcode\":\"");
	dns_opcode_print(sb, (uint8_t)dns_opcode(m));
	strbuf_puts(sb, "\",\"rcode\":\"");
	dns_rcode_print(sb, (uint16_t)dns_rcode(m));
	strbuf_puts(sb, "\",\"rcode_value\":");
	strbuf_put_u64(sb, dns_rcode(m));
	strbuf_puts(sb, ",\"flags\":");
	put_flags(sb, m);
	strbuf_puts(sb, ",\"questions\":");
	put_section(sb, f, m, DNS_QD, seen);
	if (dns_qr(m) || m->parsed[DNS_AN] || m->parsed[DNS_NS]) {
		strbuf_puts(sb, ",\"answer\":");
		put_section(sb, f, m, DNS_AN, seen);
		strbuf_puts(sb, ",\"authority\":");
		put_section(sb, f, m, DNS_NS, seen);
	}
	strbuf_puts(sb, ",\"additional\":");
	put_section(sb, f, m, DNS_AR, seen);
	if (m->opt >= 0) {
		struct jsonw j;
		jsonw_init(&j, sb, &f->escape);
		strbuf_puts(sb, ",\"edns\":");
		put_edns(&j, m);
	}
	if (m->error != DNS_OK) {
		strbuf_puts(sb, ",\"malformed\":\"");
		json_escape(sb, dns_strerror(m->error), strlen(dns_strerror(m->error)));
		strbuf_putc(sb, '"');
	}
	if (leg->shortened)
		strbuf_puts(sb, ",\"shortened\":true");
	strbuf_putc(sb, '}');
}

/* The wrappings the query came in (the response's, when there is no query),
 * outermost first: ,"encap":[{"type":"vxlan","vni":4242,"src":...},...] */
static void put_encap(struct strbuf *sb, const struct encap *e)
{
	strbuf_puts(sb, ",\"encap\":[");
	for (uint32_t i = 0; i < e->n; i++) {
		const struct encap_layer *l = &e->layer[i];
		strbuf_puts(sb, i ? ",{\"type\":\"" : "{\"type\":\"");
		strbuf_puts(sb, encap_type_name(l->type));
		strbuf_putc(sb, '"');
		if (l->type == ENCAP_ERSPAN) {
			strbuf_puts(sb, ",\"version\":");
			strbuf_put_u64(sb, l->version);
		}
		if (l->has_id) {
			strbuf_puts(sb, ",\"");
			strbuf_puts(sb, encap_id_name(l->type));
			strbuf_puts(sb, "\":");
			strbuf_put_u64(sb, l->id);
		}
		if (l->family) {
			strbuf_puts(sb, ",\"src\":");
			format_put_ip(sb, l->src, l->family);
			strbuf_puts(sb, ",\"dst\":");
			format_put_ip(sb, l->dst, l->family);
		}
		strbuf_putc(sb, '}');
	}
	strbuf_putc(sb, ']');
}

/* The response's question is mostly the query's, byte for byte: then its
 * text is the query's too, and the response starts with it already seen. */
static void seed_from_query(struct names_seen *rseen, const struct names_seen *qseen,
			    const struct dns_msg *q, const struct dns_msg *r)
{
	size_t n = dns_name_inplace_len(q->wire, q->len, DNS_HEADER_LEN);
	if (n == 0 || r->len < DNS_HEADER_LEN + n ||
	    memcmp(q->wire + DNS_HEADER_LEN, r->wire + DNS_HEADER_LEN, n) != 0)
		return;
	for (unsigned i = 0; i < qseen->n && i < NAMES_SEEN; i++) {
		if (qseen->at[i] == DNS_HEADER_LEN) {
			rseen->at[0] = DNS_HEADER_LEN;
			rseen->text[0] = qseen->text[i];
			rseen->len[0] = qseen->len[i];
			rseen->n = 1;
			return;
		}
	}
}

size_t format_json(struct format_ctx *f, struct strbuf *sb, const struct exchange *x)
{
	struct names_seen qseen = { .n = 0 }, rseen = { .n = 0 };
	size_t mark = sb->len;
	strbuf_puts(sb, "{\"status\":\"");
	strbuf_puts(sb, exchange_status_name(x->status));
	strbuf_puts(sb, "\",\"sensor\":\"");
	const struct strbuf *sensor = format_sensor_json(f);
	strbuf_putn(sb, sensor->p, sensor->len);
	strbuf_puts(sb, x->key->proto == 6 ? "\",\"protocol\":\"tcp\",\"client\":"
					   : "\",\"protocol\":\"udp\",\"client\":");
	format_put_ip(sb, x->key->client, x->key->family);
	strbuf_puts(sb, ",\"client_port\":");
	strbuf_put_u64(sb, x->key->cport);
	strbuf_puts(sb, ",\"server\":");
	format_put_ip(sb, x->key->server, x->key->family);
	strbuf_puts(sb, ",\"server_port\":");
	strbuf_put_u64(sb, x->key->sport);
	strbuf_puts(sb, ",\"id\":");
	strbuf_put_u64(sb, x->key->id);
	const struct encap *encap = x->qleg ? x->qleg->encap : x->rleg ? x->rleg->encap : NULL;
	if (encap)
		put_encap(sb, encap);
	strbuf_puts(sb, ",\"elapsed\":");
	format_put_elapsed(sb, x);
	strbuf_puts(sb, ",\"query\":");
	if (x->query)
		put_message(sb, f, x->qleg, x->query, &qseen);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, ",\"response\":");
	if (x->query && x->response)
		seed_from_query(&rseen, &qseen, x->query, x->response);
	if (x->response)
		put_message(sb, f, x->rleg, x->response, &rseen);
	else
		strbuf_puts(sb, "null");
	strbuf_puts(sb, "}\n");
	if (sb->overflow) {
		sb->len = mark;
		sb->overflow = false;
		f->stats->record_overflow++;
		return 0;
	}
	return 1;
}
