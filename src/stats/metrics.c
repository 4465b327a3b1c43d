/* metrics: Prometheus exposition of the counters, served by libmicrohttpd. */
#include "stats/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct metrics_server {
	struct MHD_Daemon *daemon;
	struct stats_board *board;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct metrics_server *m = cls;
	(void)version; (void)upload; (void)upload_len; (void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	int found = strcmp(url, "/metrics") == 0 || strcmp(url, "/") == 0;
	struct strbuf sb;
	strbuf_init(&sb);
	if (found) {
		struct stats s;
		pthread_mutex_lock(&m->board->lock);
		s = m->board->stats;
		pthread_mutex_unlock(&m->board->lock);
		stats_print_prometheus(&sb, &s, m->board->sensor);
	} else {
		strbuf_puts(&sb, "not found: the metrics are at /metrics\n");
	}
	if (sb.overflow) {
		strbuf_free(&sb);
		return MHD_NO;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(sb.len, sb.p, MHD_RESPMEM_MUST_COPY);
	strbuf_free(&sb);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	enum MHD_Result ret = MHD_queue_response(conn, found ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

static int metrics_parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(text, ':');
	if (!colon || colon - text >= (long)sizeof host)
		return -1;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -1;
	size_t hl = (size_t)(colon - text);
	memcpy(host, text, hl);
	host[hl] = 0;
	memset(ss, 0, sizeof *ss);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = 0;
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof *a;
		return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*len = sizeof *a;
	if (hl == 0) {
		a->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

bool metrics_addr_valid(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;
	return metrics_parse_addr(text, &ss, &len) == 0;
}

int metrics_sockaddr(const char *text, struct sockaddr_storage *ss)
{
	socklen_t len;
	return metrics_parse_addr(text, ss, &len);
}

struct metrics_server *metrics_start(const char *addr, struct stats_board *board,
				     char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (metrics_parse_addr(addr, &ss, &len) < 0) {
		snprintf(err, errlen, "-metrics %s: not ADDR:PORT (e.g. 127.0.0.1:9153 or [::1]:9153)", addr);
		return NULL;
	}
	struct metrics_server *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "-metrics: out of memory");
		return NULL;
	}
	m->board = board;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, m,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				     MHD_OPTION_END);
	if (!m->daemon) {
		snprintf(err, errlen, "-metrics %s: cannot listen there", addr);
		free(m);
		return NULL;
	}
	return m;
}

void metrics_stop(struct metrics_server *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	free(m);
}
