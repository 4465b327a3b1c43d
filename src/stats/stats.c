/* stats: reporting of the counters as a JSON stats record. */
#include "stats/stats.h"

#include "format/jsonw.h"

void stats_print_json(struct strbuf *sb, const struct stats *s, const char *sensor)
{
	struct jsonw j;
	jsonw_init(&j, sb, NULL);
	jsonw_object_open(&j);
	jsonw_key(&j, "type");
	jsonw_str(&j, "stats");
	if (sensor) {
		jsonw_key(&j, "sensor");
		jsonw_str(&j, sensor);
	}
#define STATS_JSON(name, doc) jsonw_key(&j, #name); jsonw_uint(&j, s->name);
	STATS_COUNTERS(STATS_JSON)
#undef STATS_JSON
	jsonw_key(&j, "dns_errors");
	jsonw_object_open(&j);
	for (int code = DNS_ESHORT; code >= DNS_EOPT; code--) {
		jsonw_key_str(&j, dns_strerror(code));
		jsonw_uint(&j, s->dns_error[-code]);
	}
	jsonw_object_close(&j);
	jsonw_key(&j, "pending");
	jsonw_uint(&j, s->pending);
	jsonw_key(&j, "pending_peak");
	jsonw_uint(&j, s->pending_peak);
	jsonw_object_close(&j);
	strbuf_putc(sb, '\n');
}

void stats_add(struct stats *a, const struct stats *b)
{
#define STATS_ADD(name, doc) a->name += b->name;
	STATS_COUNTERS(STATS_ADD)
#undef STATS_ADD
	for (int i = 0; i <= -DNS_EOPT; i++)
		a->dns_error[i] += b->dns_error[i];
	a->pending += b->pending;
	a->pending_peak += b->pending_peak;
	if (b->other_port_votes > a->other_port_votes) {
		a->other_port = b->other_port;
		a->other_port_votes = b->other_port_votes;
	}
}
