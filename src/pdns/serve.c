/* serve: `pdnslog serve`, the HTTP query API on its own.
 *
 * For a store that another process fills (a sensor's -pdns_db, or
 * -kafka_consume on a central host): open it read-only, serve -pdns_api
 * until SIGINT or SIGTERM, exit 0.  Its flags are the API's, read from the
 * command line and the PDNS_* environment (not from -config, whose file
 * holds the capture's settings too); the same seccomp sandbox as the
 * daemon's applies once the API runs. */
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags.h"
#include "cli/options.h"
#include "daemon/sandbox.h"
#include "pdns/api.h"
#include "stats/metrics.h"

static atomic_int serve_stop;

static void on_stop(int sig)
{
	(void)sig;
	serve_stop = 1;
}

static const char *check_addr(const char *v)
{
	return metrics_addr_valid(v) ? NULL
		: "must be ADDR:PORT (e.g. 127.0.0.1:8081, [::1]:8081 or :8081)";
}

/* flags_usage() with serve's own first line. */
static void usage(const struct flag *table)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return;
	flags_usage(table, f);
	fclose(f);
	const char *flags = strchr(text, '\n');
	printf("Usage: pdnslog serve -pdns_db FILE -pdns_api ADDR:PORT [flags]\n"
	       "Serve the passive DNS store read-only over HTTP: GET /query/NAME, GET /rdata/VALUE\n%s",
	       flags ? flags + 1 : "\n");
	free(text);
}

int pdns_serve_main(int argc, char **argv)
{
	const char *db = NULL, *addr = NULL;
	int64_t timeout = PDNS_API_DEFAULT_TIMEOUT_NS;
	long long suffix_labels = PDNS_API_DEFAULT_SUFFIX_LABELS;
	bool sandbox = true, debug = false, help = false;
	struct flag table[] = {
		{ "pdns_db", FLAG_STRING, &db, "", "the passive DNS store (SQLite) to serve, opened read-only" },
		{ "pdns_api", FLAG_STRING, &addr, "", "serve the store's HTTP query API on ADDR:PORT", .check = check_addr },
		{ "pdns_api_timeout", FLAG_DURATION, &timeout, "2s", "-pdns_api: a query running longer is stopped and answered 503 (positive)", .min = 1, .max = LLONG_MAX },
		{ "pdns_api_suffix_labels", FLAG_INT, &suffix_labels, "2", "-pdns_api: the fewest labels a suffix query *.NAME must name (2 refuses *.com)", .min = 1, .max = 127 },
		{ "sandbox", FLAG_BOOL, &sandbox, "true", "once set up, allow only the system calls pdnslog needs (seccomp)" },
		{ "debug", FLAG_BOOL, &debug, "false", "write diagnostics to standard error" },
		{ "h", FLAG_BOOL, &help, "", "list the flags", "" },
		{ "help", FLAG_BOOL, &help, "", "list the flags", "" },
		{ 0 },
	};
	char err[1024];
	if (flags_parse_env(table, err, sizeof err) < 0 || flags_parse(table, argc, argv, err, sizeof err) < 0) {
		fprintf(stderr, "pdnslog serve: %s\n", err);
		return EXIT_USAGE;
	}
	if (help) {
		usage(table);
		return 0;
	}
	if (!db || !*db || !addr || !*addr) {
		fprintf(stderr, "pdnslog serve: give -pdns_db FILE and -pdns_api ADDR:PORT\n");
		return EXIT_USAGE;
	}

	/* SIGINT/SIGTERM stop; they are blocked but while the main thread
	 * waits for them (ppoll), so libmicrohttpd's threads never get them. */
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigset_t stops, waiting;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &waiting);
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGTERM);

	struct pdns_api_config cfg = { .addr = addr, .db = db, .timeout_ns = timeout,
				       .suffix_labels = (unsigned)suffix_labels, .debug = debug };
	struct pdns_api *api = pdns_api_start(&cfg, err, sizeof err);
	if (!api) {
		fprintf(stderr, "pdnslog serve: %s\n", err);
		return 1;
	}
	if (sandbox && sandbox_available()) {
		struct sandbox_config sc = { .pdns_api = true };
		if (sandbox_enter(&sc, err, sizeof err) < 0) {
			fprintf(stderr, "pdnslog serve: %s (-sandbox=false runs without it)\n", err);
			pdns_api_stop(api);
			return 1;
		}
		if (debug)
			fprintf(stderr, "pdnslog: debug: seccomp sandbox installed\n");
	}
	if (debug)
		fprintf(stderr, "pdnslog: debug: serving %s on %s\n", db, addr);
	while (!serve_stop)
		ppoll(NULL, 0, NULL, &waiting);
	struct pdns_api_counts c;
	pdns_api_get_counts(api, &c);
	pdns_api_stop(api);
	if (debug)
		fprintf(stderr, "pdnslog: debug: served %llu requests: %llu errors, %llu timed out, %llu busy\n",
			(unsigned long long)c.requests, (unsigned long long)c.errors,
			(unsigned long long)c.timeouts, (unsigned long long)c.busy);
	return 0;
}
