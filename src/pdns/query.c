/* query: `pdnslog query -pdns_db FILE [NAME | -rdata VALUE] ...`.
 *
 * Opens the store read-only, asks one question and writes the facts (or,
 * with -clients and -client, the client rows) most recently seen first: COF JSON lines (cof_line_write) when standard output
 * is a pipe or a file, an aligned table on a terminal; -json and -table
 * choose.  Exit status as grep's: 0 found, 1 nothing found, 2 trouble. */
#include "pdns/query.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/flags.h"
#include "dns/rrtype.h"
#include "pdns/cofline.h"
#include "pdns/store.h"
#include "util/strbuf.h"

#define QUERY_DEFAULT_LIMIT 100
#define QUERY_MAX_LIMIT 100000000LL

static const char usage[] =
	"usage: pdnslog query -pdns_db FILE [NAME | -rdata VALUE | -clients NAME | -client ADDR]\n"
	"                     [-rrtype TYPE] [-since TIME] [-until TIME] [-limit N] [-json | -table]\n"
	"  NAME           an exact name (www.example.com), or *.example.com for every name under it\n"
	"  -rdata VALUE   facts whose data is VALUE: an address, or the name in CNAME, NS, PTR,\n"
	"                 DNAME, MX, SRV, SVCB or HTTPS data (any case), or the whole rdata\n"
	"  -clients       the clients that asked for NAME (or *.suffix) instead of its facts\n"
	"  -client ADDR   what the client at ADDR asked (both need pdnslog -pdns_clients)\n"
	"  -rrtype TYPE   only this type (A, AAAA, TYPE65, 28, ...)\n"
	"  -since TIME    only facts last seen at or after TIME; -until TIME: first seen at or\n"
	"                 before TIME.  TIME: seconds since the epoch, RFC 3339\n"
	"                 (2026-12-01T00:00:00Z, or 2026-12-01), or a duration ago (24h, 7d, 90m)\n"
	"  -limit N       at most N facts, most recently seen first (default 100)\n"
	"  -json          COF JSON lines (the default when standard output is not a terminal)\n"
	"  -table         an aligned table (the default on a terminal)\n"
	"  -pdns_db FILE  the store pdnslog -pdns_db wrote [$PDNS_PDNS_DB]\n"
	"Exit status: 0 facts found, 1 none found, 2 a usage error or no store.\n";

static int usage_error(const char *fmt, const char *a)
{
	fprintf(stderr, "pdnslog query: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n(pdnslog query -h for help)\n");
	return 2;
}

/* Days since the epoch of a proleptic Gregorian date (no libc zone). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at *p into *v; advances. */
static int digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

static int parse_rfc3339(const char *s, int64_t *t)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	int64_t off = 0;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
		    digits(&p, 2, &sec) < 0 || h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				; /* fractions of a second: the store keeps seconds */
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		} else if (*p) {
			return -1;
		} /* no zone: UTC */
		if (*p)
			return -1;
	}
	*t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

int pdns_parse_time(const char *s, int64_t now, int64_t *t)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return -1;
	if (strspn(s, "0123456789") == n) {
		if (n > 12)
			return -1;
		*t = strtoll(s, NULL, 10);
		return 0;
	}
	if (n >= 10 && isdigit((unsigned char)s[0]) && s[4] == '-')
		return parse_rfc3339(s, t);
	/* A duration ago: Go's (24h, 90m, 1h30m), or whole days (7d). */
	int64_t ns;
	if (s[n - 1] == 'd' && n > 1 && strspn(s, "0123456789") == n - 1 && n - 1 <= 6) {
		*t = now - strtoll(s, NULL, 10) * 86400;
		return 0;
	}
	if (s[0] != '-' && parse_duration(s, &ns) == 0) {
		*t = now - ns / 1000000000;
		return 0;
	}
	return -1;
}

/* The facts as they come, kept for the table (which needs every width
 * first) or written at once as COF lines. */
struct out {
	bool table;
	struct strbuf sb;        /* COF lines, or the table's cells */
	size_t *cells;           /* table: six offsets into sb per row */
	size_t rows, cap;
	size_t width[6];
	bool oom;
	bool clients;            /* client rows: the last column is the client */
};

static void put_time(struct strbuf *sb, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];
	if (gmtime_r(&tt, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm))
		strbuf_puts(sb, buf);
	else
		strbuf_put_i64(sb, t);
}

static int on_fact(void *ctx, const struct pdns_fact *f)
{
	struct out *o = ctx;
	if (!o->table) {
		cof_line_write(&o->sb, f);
		if (o->sb.len >= 1 << 16) {
			fwrite(o->sb.p, 1, o->sb.len, stdout);
			strbuf_reset(&o->sb);
		}
		return 0;
	}
	if (o->rows == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		size_t *c = realloc(o->cells, cap * 6 * sizeof *c);
		if (!c) {
			o->oom = true;
			return 1;
		}
		o->cells = c;
		o->cap = cap;
	}
	size_t *c = o->cells + o->rows * 6;
	for (int i = 0; i < 6; i++) {
		c[i] = o->sb.len;
		switch (i) {
		case 0: put_time(&o->sb, f->time_last); break;
		case 1: put_time(&o->sb, f->time_first); break;
		case 2: strbuf_put_u64(&o->sb, f->count); break;
		case 3: dns_type_print(&o->sb, f->rrtype); break;
		case 4: strbuf_puts(&o->sb, f->rrname); break;
		case 5: strbuf_puts(&o->sb, f->rdata); break;
		}
		size_t w = o->sb.len - c[i];
		strbuf_putc(&o->sb, 0);
		if (w > o->width[i])
			o->width[i] = w;
	}
	if (o->sb.overflow) {
		o->oom = true;
		return 1;
	}
	o->rows++;
	return 0;
}

/* Terminal text: control bytes of a name or rdata shown as '?'. */
static void put_cell(const char *s, size_t width, bool last)
{
	size_t n = 0;
	for (; *s; s++, n++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
	if (!last)
		printf("%*s", (int)(width - n + 2), "");
}

static void print_table(struct out *o)
{
	const char *const head[6] = { "last seen (UTC)", "first seen (UTC)", "count", "type", "name",
				      o->clients ? "client" : "data" };
	for (int i = 0; i < 6; i++)
		if (strlen(head[i]) > o->width[i])
			o->width[i] = strlen(head[i]);
	for (int i = 0; i < 6; i++)
		put_cell(head[i], o->width[i], i == 5);
	putchar('\n');
	for (size_t r = 0; r < o->rows; r++) {
		for (int i = 0; i < 6; i++) {
			const char *cell = o->sb.p + o->cells[r * 6 + i];
			if (i == 2) /* counts to the right */
				printf("%*s  ", (int)o->width[i], cell);
			else
				put_cell(cell, o->width[i], i == 5);
		}
		putchar('\n');
	}
}

int pdns_query_main(int argc, char **argv)
{
	const char *db = getenv("PDNS_PDNS_DB"), *rdata = NULL, *rrtype = NULL, *since = NULL,
		   *until = NULL, *name = NULL, *client = NULL;
	long long limit = QUERY_DEFAULT_LIMIT;
	bool json = false, table = false, help = false, clients = false;
	struct flag flags[] = {
		{ "pdns_db", FLAG_STRING, &db, "", "" },
		{ "rdata", FLAG_STRING, &rdata, "", "" },
		{ "rrtype", FLAG_STRING, &rrtype, "", "" },
		{ "clients", FLAG_BOOL, &clients, "", "" },
		{ "client", FLAG_STRING, &client, "", "" },
		{ "since", FLAG_STRING, &since, "", "" },
		{ "until", FLAG_STRING, &until, "", "" },
		{ "limit", FLAG_INT, &limit, "", "", .min = 1, .max = QUERY_MAX_LIMIT },
		{ "json", FLAG_BOOL, &json, "", "" },
		{ "table", FLAG_BOOL, &table, "", "" },
		{ "h", FLAG_BOOL, &help, "", "" },
		{ "help", FLAG_BOOL, &help, "", "" },
		{ 0 },
	};
	/* Flags before and after the name: parse, take the name, go on. */
	char err[1024];
	for (int at = 0; at < argc;) {
		int first;
		if (flags_parse_args(flags, argc - at, argv + at, &first, err, sizeof err) < 0)
			return usage_error("%s", err);
		at += first;
		if (at >= argc)
			break;
		if (name)
			return usage_error("one name at a time (\"%s\" is a second one)", argv[at]);
		name = argv[at];
	}
	if (help) {
		fputs(usage, stdout);
		return 0;
	}
	if (!db || !*db)
		return usage_error("%s", "-pdns_db FILE is needed (or $PDNS_PDNS_DB)");
	if (rdata && !*rdata)
		return usage_error("%s", "-rdata must not be empty");
	if (client && !*client)
		return usage_error("%s", "-client must not be empty");
	if (name && rdata)
		return usage_error("give a NAME or -rdata, not both (\"%s\")", name);
	if (client && (name || rdata))
		return usage_error("give -client ADDR alone, without a NAME or -rdata (\"%s\")", client);
	if (clients && (rdata || client))
		return usage_error("%s", "-clients takes a NAME (or *.suffix), not -rdata or -client");
	if (!name && !rdata && !client)
		return usage_error("%s", clients ? "-clients needs a NAME (or *.suffix)"
					     : "give a NAME (or *.suffix), -rdata VALUE or -client ADDR");
	if (name && !*name)
		return usage_error("%s", "the name is empty");
	if (json && table)
		return usage_error("%s", "-json or -table, not both");
	struct pdns_query q = { .name = name, .rdata = rdata, .client = client, .clients = clients,
				.limit = (uint64_t)limit };
	if (rrtype && (dns_type_parse(rrtype, strlen(rrtype), &q.rrtype) < 0 || q.rrtype == 0))
		return usage_error("-rrtype \"%s\" is no type (a mnemonic such as AAAA, TYPE65 or a number)",
				   rrtype);
	int64_t now = (int64_t)time(NULL);
	if (since && pdns_parse_time(since, now, &q.since) < 0)
		return usage_error("-since \"%s\": give seconds since the epoch, RFC 3339 "
				   "(2026-12-01T00:00:00Z) or a duration ago (24h, 7d)", since);
	if (until && pdns_parse_time(until, now, &q.until) < 0)
		return usage_error("-until \"%s\": give seconds since the epoch, RFC 3339 "
				   "(2026-12-01T00:00:00Z) or a duration ago (24h, 7d)", until);
	/* 0 means open in the store's query: a window from the epoch itself
	 * is open anyway. */
	if (since && until && q.since > q.until)
		return usage_error("-since is after -until (%s)", since);

	struct pdns_store *s = pdns_store_open(db, PDNS_STORE_READ, err, sizeof err);
	if (!s) {
		fprintf(stderr, "pdnslog query: %s\n", err);
		return 2;
	}
	struct out o = { .table = table || (!json && isatty(STDOUT_FILENO)), .clients = clients || client };
	strbuf_init(&o.sb);
	int64_t n = pdns_store_query(s, &q, on_fact, &o, err, sizeof err);
	int status = n > 0 ? 0 : 1;
	if (n < 0) {
		fprintf(stderr, "pdnslog query: %s\n", err);
		status = 2;
	} else if (o.oom) {
		fprintf(stderr, "pdnslog query: out of memory for the table (use -json or a lower -limit)\n");
		status = 2;
	} else if (o.table) {
		if (o.rows)
			print_table(&o);
	} else {
		fwrite(o.sb.p, 1, o.sb.len, stdout);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pdnslog query: writing to standard output failed\n");
		status = 2;
	}
	pdns_store_close(s);
	strbuf_free(&o.sb);
	free(o.cells);
	return status;
}
