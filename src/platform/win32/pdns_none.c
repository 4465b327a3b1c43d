/* win32/pdns_none: the Windows build has no passive DNS store (SQLite,
 * libmicrohttpd and librdkafka are not built for Windows here): stand-ins
 * for pdns/writer.c, api.c, query.c, serve.c and consume.c.  -pdns_db,
 * -pdns_api and -kafka_consume are refused before anything starts
 * (features.c), so the writer and the API are never started; the
 * subcommands say why and exit with status 2.  -format cof (pdns/cof.c)
 * is in the build: it needs none of those libraries. */
#include <stdio.h>
#include <string.h>

#include "pdns/api.h"
#include "pdns/consume.h"
#include "pdns/query.h"
#include "pdns/writer.h"

#define NO_STORE "this build of pdnslog has no passive DNS store (SQLite is not built for Windows)"

struct pdns_writer *pdns_writer_start(const char *path, char *err, size_t errlen)
{
	snprintf(err, errlen, "-pdns_db %s: %s", path, NO_STORE);
	return NULL;
}

void pdns_writer_put(struct pdns_writer *w, const struct pdns_fact *facts, size_t n)
{
}

void pdns_writer_flush(struct pdns_writer *w)
{
}

void pdns_writer_stop(struct pdns_writer *w)
{
}

void pdns_writer_counts(struct pdns_writer *w, struct pdns_writer_counts *c)
{
	memset(c, 0, sizeof *c);
}

struct pdns_api *pdns_api_start(const struct pdns_api_config *cfg, char *err, size_t errlen)
{
	snprintf(err, errlen, "-pdns_api %s: %s", cfg->addr, NO_STORE);
	return NULL;
}

void pdns_api_stop(struct pdns_api *a)
{
}

void pdns_api_get_counts(struct pdns_api *a, struct pdns_api_counts *c)
{
	memset(c, 0, sizeof *c);
}

static int refused(const char *command)
{
	fprintf(stderr, "pdnslog %s: %s\n", command, NO_STORE);
	return 2;
}

int pdns_query_main(int argc, char **argv)
{
	return refused("query");
}

int pdns_serve_main(int argc, char **argv)
{
	return refused("serve");
}

int pdns_consume_main(const struct options *o)
{
	fprintf(stderr, "pdnslog: -kafka_consume: %s\n", NO_STORE);
	return 2;
}
