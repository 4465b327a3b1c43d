/* board: the latest totals, published by the capture thread for -metrics
 * to read, and the Prometheus text made of them (see metrics.h); apart
 * from the HTTP server so that every build has them. */
#include "stats/metrics.h"

#include <string.h>

void stats_board_init(struct stats_board *b, const char *sensor)
{
	pthread_mutex_init(&b->lock, NULL);
	memset(&b->stats, 0, sizeof b->stats);
	b->sensor = sensor;
}

void stats_board_publish(struct stats_board *b, const struct stats *s)
{
	pthread_mutex_lock(&b->lock);
	b->stats = *s;
	pthread_mutex_unlock(&b->lock);
}

static void metric(struct strbuf *sb, const char *name, const char *type, const char *help,
		   const char *sensor, uint64_t v)
{
	strbuf_printf(sb, "# HELP pdnslog_%s %s\n# TYPE pdnslog_%s %s\n", name, help, name, type);
	strbuf_printf(sb, "pdnslog_%s{sensor=\"%s\"} %llu\n", name, sensor, (unsigned long long)v);
}

void stats_print_prometheus(struct strbuf *sb, const struct stats *s, const char *sensor)
{
#define PROM(name, doc) metric(sb, #name "_total", "counter", doc, sensor, s->name);
	STATS_COUNTERS(PROM)
#undef PROM
	strbuf_puts(sb, "# HELP pdnslog_dns_errors_total DNS messages that are malformed, by kind\n"
			"# TYPE pdnslog_dns_errors_total counter\n");
	for (int code = DNS_ESHORT; code >= DNS_EOPT; code--)
		strbuf_printf(sb, "pdnslog_dns_errors_total{sensor=\"%s\",kind=\"%s\"} %llu\n", sensor,
			      dns_strerror(code), (unsigned long long)s->dns_error[-code]);
	metric(sb, "pending", "gauge", "exchanges waiting for their other half", sensor, s->pending);
}
