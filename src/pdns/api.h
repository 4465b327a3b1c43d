/* api: the passive DNS store over HTTP (-pdns_api ADDR:PORT), read-only.
 *
 * GET /query/NAME and GET /rdata/VALUE answer with the matching facts as
 * COF lines (application/x-ndjson, one JSON object a line, most recently
 * seen first), as CIRCL's passive DNS server does: NAME exact or
 * "*.example.com" for every name under example.com, and an IP address
 * given to /query/ looked up as rdata (CIRCL's convention).  Parameters:
 * rrtype, since, until (as `pdnslog query` takes them), limit (default
 * 1000, at most 10000).  No fact: 200 with an empty body.  Bad requests get a 4xx
 * with a one-line reason, a query slower than the time bound or a store
 * busy beyond its bound a 503; nothing is ever answered in part.
 *
 * libmicrohttpd's threads serve it; each query borrows one of a few read
 * connections to the store (PDNS_STORE_READ), opened at start.  What one
 * client can cost is bounded: request size (414/431), connections,
 * per-query time (sqlite's progress handler), bytes per answer and bytes
 * of answers waiting to be sent. */
#ifndef PDNSLOG_PDNS_API_H
#define PDNSLOG_PDNS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDNS_API_DEFAULT_LIMIT 1000
#define PDNS_API_MAX_LIMIT 10000
#define PDNS_API_DEFAULT_TIMEOUT_NS (2LL * 1000000000)
#define PDNS_API_DEFAULT_SUFFIX_LABELS 2

struct pdns_api_config {
	const char *addr;          /* "127.0.0.1:8081", "[::1]:8081", ":8081" */
	const char *db;            /* the store (-pdns_db) */
	int64_t timeout_ns;        /* per query; past it 503 */
	unsigned suffix_labels;    /* "*.x.y" needs at least this many labels after "*." */
	bool debug;                /* libmicrohttpd's messages on stderr */
};

struct pdns_api;

/* Open the store's read connections, bind and serve.  NULL with a one-line
 * message in err (bad address, port taken, not a store). */
struct pdns_api *pdns_api_start(const struct pdns_api_config *cfg, char *err, size_t errlen);
/* Stop serving (a query running ends first), close the store, free. */
void pdns_api_stop(struct pdns_api *a);

struct pdns_api_counts {
	uint64_t requests;   /* requests answered by the API (not those libmicrohttpd refused itself) */
	uint64_t errors;     /* of them, answered 4xx or 5xx */
	uint64_t timeouts;   /* queries stopped at the time bound (503) */
	uint64_t busy;       /* 503: no store connection free in time, or too many bytes waiting */
};
void pdns_api_get_counts(struct pdns_api *a, struct pdns_api_counts *c);

/* `pdnslog serve -pdns_db FILE -pdns_api ADDR:PORT`: the API alone, until
 * SIGINT or SIGTERM (exit 0); argv[0] is "serve".  2 for a usage error, 1
 * when the store cannot be opened or the address bound. */
int pdns_serve_main(int argc, char **argv);

#endif
