/* query: `pdnslog query`, the command line's questions to the store. */
#ifndef PDNSLOG_PDNS_QUERY_H
#define PDNSLOG_PDNS_QUERY_H

#include <stdint.h>

/* argv[0] is "query".  Returns the exit status: 0 facts found, 1 none
 * (as grep), 2 a usage error or a file that is no store. */
int pdns_query_main(int argc, char **argv);

/* A time as the query flags take it: seconds since the epoch, RFC 3339
 * (2026-12-01T00:00:00Z, or a date alone), or a duration ago (24h, 7d,
 * 90m) counted back from now.  0 with *t, or -1. */
int pdns_parse_time(const char *s, int64_t now, int64_t *t);

#endif
