/* metrics: the stats counters as Prometheus text on -metrics ADDR:PORT.
 *
 * The HTTP side is libmicrohttpd's (its own thread).  It never touches the
 * workers: the capture thread publishes a copy of the totals on a board
 * (stats_board) as it goes, and each scrape reads the latest copy. */
#ifndef PDNSLOG_METRICS_H
#define PDNSLOG_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "stats/stats.h"

struct stats_board {
	pthread_mutex_t lock;
	struct stats stats;
	const char *sensor;
};

void stats_board_init(struct stats_board *b, const char *sensor);
void stats_board_publish(struct stats_board *b, const struct stats *s);

/* Append the counters in the Prometheus text exposition format. */
void stats_print_prometheus(struct strbuf *sb, const struct stats *s, const char *sensor);

/* "host:port", "[v6]:port" or ":port": an address metrics_start takes. */
bool metrics_addr_valid(const char *text);
/* The same, as a socket address: 0, or -1 when it is not one. */
struct sockaddr_storage;
int metrics_sockaddr(const char *text, struct sockaddr_storage *ss);

struct metrics_server;

/* Serve GET /metrics on addr ("127.0.0.1:9153", "[::1]:9153", ":9153").
 * NULL with a message in err when the address is bad or cannot be bound. */
struct metrics_server *metrics_start(const char *addr, struct stats_board *board,
				     char *err, size_t errlen);
void metrics_stop(struct metrics_server *m);

#endif
