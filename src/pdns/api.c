/* api: the store's HTTP query API on libmicrohttpd (see api.h).
 *
 * Threads: libmicrohttpd's pool of API_THREADS, each answering its
 * connections in turn; a query runs in the thread whose connection asked,
 * on one of API_STORES read connections borrowed from a pool (a mutex and
 * a condition variable; no connection free within API_STORE_WAIT_NS: 503).
 * An answer is built whole before it is sent, so its status is known
 * (a query stopped at the time bound is a 503, never half an answer), and
 * its size is bounded: at most PDNS_API_MAX_LIMIT facts and API_ANSWER_MAX
 * bytes (past that the most recent facts that fit), and all answers built
 * and not yet sent at most API_HELD_MAX bytes (past that 503). */
#include "pdns/api.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdns/apireq.h"
#include "pdns/cofline.h"
#include "pdns/store.h"
#include "stats/metrics.h"
#include "util/clock.h"
#include "util/strbuf.h"

#define API_THREADS 8
#define API_STORES 4
#define API_STORE_WAIT_NS (1000LL * 1000000)
#define API_CONNECTIONS 512
#define API_PER_IP 256
/* A connection's memory: the request line and headers must fit in it, past
 * it libmicrohttpd answers 414 (URI) or 431 (headers) itself. */
#define API_CONNECTION_MEMORY (32u << 10)
#define API_IDLE_SECONDS 10
#define API_ANSWER_MAX (8u << 20)
#define API_HELD_MAX (64u << 20)

struct api_store {
	struct pdns_store *store;
	sqlite3 *db;                /* its SQLite handle, for the time bound; or NULL */
	_Atomic int64_t deadline;   /* monotonic ns; INT64_MAX while idle */
	_Atomic bool timed_out;
	bool in_use;
};

struct pdns_api {
	struct pdns_api_config cfg;
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct api_store stores[API_STORES];
	int nstores;
	_Atomic uint64_t requests, errors, timeouts, busy, failures;
	_Atomic size_t held;        /* bytes of answers built, not yet sent */
};

/* The time bound.  store.h hides SQLite, and its query runs as one
 * statement that can scan long before it hands out a fact (a suffix query
 * sorted by time_last), so the bound is SQLite's progress handler, set on
 * the store's own handle.  The handle is learnt as the store opens it: an
 * auto-extension (SQLite calls it for every connection opened in the
 * process) records it for the thread that asked, while pdns_api_start
 * opens its connections; any other thread's connections are left alone. */
static _Thread_local sqlite3 **capture_into;

static int capture_db(sqlite3 *db, char **errmsg, const struct sqlite3_api_routines *routines)
{
	(void)errmsg; (void)routines;
	if (capture_into)
		*capture_into = db;
	return SQLITE_OK;
}

static int on_progress(void *arg)
{
	struct api_store *s = arg;
	if (monotonic_ns() <= s->deadline)
		return 0;
	s->timed_out = true;
	return 1; /* SQLite stops the statement: SQLITE_INTERRUPT */
}

static struct api_store *store_borrow(struct pdns_api *a)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += API_STORE_WAIT_NS % 1000000000;
	until.tv_sec += API_STORE_WAIT_NS / 1000000000 + until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	struct api_store *got = NULL;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		for (int i = 0; i < a->nstores && !got; i++)
			if (!a->stores[i].in_use)
				got = &a->stores[i];
		if (got || pthread_cond_timedwait(&a->freed, &a->lock, &until) != 0)
			break;
	}
	if (!got) { /* timed out: one last look */
		for (int i = 0; i < a->nstores && !got; i++)
			if (!a->stores[i].in_use)
				got = &a->stores[i];
	}
	if (got)
		got->in_use = true;
	pthread_mutex_unlock(&a->lock);
	return got;
}

static void store_return(struct pdns_api *a, struct api_store *s)
{
	s->deadline = INT64_MAX;
	pthread_mutex_lock(&a->lock);
	s->in_use = false;
	pthread_cond_signal(&a->freed);
	pthread_mutex_unlock(&a->lock);
}

/* An answer's bytes while libmicrohttpd sends them. */
struct held {
	struct pdns_api *api;
	char *p;
	size_t bytes;
};

static void held_free(void *arg)
{
	struct held *h = arg;
	h->api->held -= h->bytes;
	free(h->p);
	free(h);
}

static enum MHD_Result send_text(struct pdns_api *a, struct MHD_Connection *conn, unsigned status,
				 const char *text, const char *header, const char *value)
{
	if (status >= 400)
		a->errors++;
	char line[1200];
	int n = snprintf(line, sizeof line, "%s\n", text);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n;
	struct MHD_Response *r = MHD_create_response_from_buffer(len, line, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	if (header)
		MHD_add_response_header(r, header, value);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The facts as COF lines, while they fit. */
struct collect {
	struct strbuf sb;
	struct api_store *store;
	uint64_t facts;
};

static int on_fact(void *arg, const struct pdns_fact *f)
{
	struct collect *c = arg;
	size_t mark = c->sb.len;
	cof_line_write(&c->sb, f);
	if (c->sb.overflow || c->sb.len > API_ANSWER_MAX) {
		c->sb.len = mark; /* the answer ends with the last whole line */
		c->sb.overflow = false;
		return 1;
	}
	c->facts++;
	/* Between facts the progress handler may not run: look at the clock. */
	if ((c->facts & 63) == 0 && monotonic_ns() > c->store->deadline) {
		c->store->timed_out = true;
		return 1;
	}
	return 0;
}

struct params {
	struct api_request *req;
	int status;
	char *err;
	size_t errlen;
};

static enum MHD_Result on_param(void *arg, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct params *p = arg;
	(void)kind;
	p->status = api_request_param(p->req, key, value, p->err, p->errlen);
	return p->status ? MHD_NO : MHD_YES;
}

/* libmicrohttpd leaves the URL and its parameters as they came (see
 * no_unescape): apireq decodes and checks them itself. */
static size_t no_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls; (void)conn;
	return strlen(s);
}

/* A raw NUL byte in the request line would end the URL libmicrohttpd
 * hands over early ("/query/a<NUL>b.example" read as "/query/a").  The URI
 * log callback sees the request line as it was split: the URI, then the
 * NUL that was the space before "HTTP/1.x".  When the URI's string ends
 * anywhere else, the request is marked and answered 400. */
static int nul_in_uri;

static void *check_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls; (void)conn;
	const char *end = uri + strlen(uri) + 1;
	return strncmp(end, "HTTP/", 5) == 0 ? NULL : &nul_in_uri;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct pdns_api *a = cls;
	static int started;
	(void)version; (void)upload; (void)upload_len;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		/* At once, before any body is read (libmicrohttpd then closes). */
		a->requests++;
		return send_text(a, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "method not allowed: the API is read-only (GET, HEAD)", "Allow", "GET, HEAD");
	}
	if (*state == &nul_in_uri) {
		a->requests++;
		*state = &started;
		return send_text(a, conn, MHD_HTTP_BAD_REQUEST,
				 "a NUL byte (or stray spaces) in the request line", NULL, NULL);
	}
	/* The first call comes with the headers; answering from the second,
	 * once the request is read whole, keeps the connection alive. */
	if (!*state) {
		*state = &started;
		return MHD_YES;
	}
	a->requests++;
	static _Thread_local struct api_request req; /* 8 KiB: off the stack */
	char err[600];
	int status = api_request_path(&req, url, a->cfg.suffix_labels, err, sizeof err);
	if (status == 0) {
		struct params p = { &req, 0, err, sizeof err };
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_param, &p);
		status = p.status ? p.status : api_request_finish(&req, err, sizeof err);
	}
	if (status)
		return send_text(a, conn, (unsigned)status, err, NULL, NULL);

	if (a->held > API_HELD_MAX) {
		a->busy++;
		return send_text(a, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				 "busy: too many answers waiting to be sent; try again", "Retry-After", "1");
	}
	struct api_store *s = store_borrow(a);
	if (!s) {
		a->busy++;
		return send_text(a, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				 "busy: every store connection is taken; try again", "Retry-After", "1");
	}
	struct collect c = { .store = s };
	strbuf_init(&c.sb);
	s->timed_out = false;
	int64_t now = monotonic_ns();
	s->deadline = a->cfg.timeout_ns > INT64_MAX - now ? INT64_MAX : now + a->cfg.timeout_ns;
	char why[300];
	int64_t n = pdns_store_query(s->store, &req.q, on_fact, &c, why, sizeof why);
	bool timed_out = s->timed_out;
	store_return(a, s);
	if (timed_out || n < 0) {
		strbuf_free(&c.sb);
		if (timed_out) {
			a->timeouts++;
			snprintf(err, sizeof err, "the query took longer than %lld ms and was stopped: narrow it "
				 "(rrtype, since, until, a longer suffix) or lower limit",
				 (long long)(a->cfg.timeout_ns / 1000000));
			return send_text(a, conn, MHD_HTTP_SERVICE_UNAVAILABLE, err, NULL, NULL);
		}
		if (strstr(why, "busy") || strstr(why, "locked")) {
			a->busy++;
			return send_text(a, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					 "busy: the store is locked by another process; try again", "Retry-After", "1");
		}
		/* The reason names the file: for the operator, not the client.
		 * Said the 1st, 2nd, 4th, 8th ... time. */
		uint64_t k = ++a->failures;
		if ((k & (k - 1)) == 0)
			fprintf(stderr, "pdnslog: -pdns_api: %s (%llu so far)\n", why, (unsigned long long)k);
		return send_text(a, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "the store failed to answer (the server's log says why)", NULL, NULL);
	}

	struct MHD_Response *r;
	if (c.sb.len == 0) {
		strbuf_free(&c.sb);
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else {
		struct held *h = malloc(sizeof *h);
		if (!h) {
			strbuf_free(&c.sb);
			return MHD_NO;
		}
		*h = (struct held){ a, c.sb.p, c.sb.cap };
		a->held += h->bytes;
		r = MHD_create_response_from_buffer_with_free_callback_cls(c.sb.len, c.sb.p, held_free, h);
		if (!r)
			held_free(h);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/x-ndjson");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct pdns_api *a = cls;
	if (!a->cfg.debug)
		return; /* hostile clients would fill the log */
	fprintf(stderr, "pdnslog: -pdns_api: ");
	vfprintf(stderr, fmt, ap);
}

static void close_stores(struct pdns_api *a)
{
	for (int i = 0; i < a->nstores; i++)
		pdns_store_close(a->stores[i].store);
	a->nstores = 0;
}

static int warm_up(void *ctx, const struct pdns_fact *f)
{
	(void)ctx; (void)f;
	return 1;
}

struct pdns_api *pdns_api_start(const struct pdns_api_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	if (metrics_sockaddr(cfg->addr, &ss) < 0) {
		snprintf(err, errlen, "-pdns_api %s: not ADDR:PORT (e.g. 127.0.0.1:8081 or [::1]:8081)", cfg->addr);
		return NULL;
	}
	struct pdns_api *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "-pdns_api: out of memory");
		return NULL;
	}
	a->cfg = *cfg;
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->freed, &ca);
	pthread_condattr_destroy(&ca);

	/* The read connections, each asked one query now: SQLite opens the
	 * write-ahead log and its index at the first read, and the sandbox
	 * (entered later) lets no file be opened for reading. */
	sqlite3_auto_extension((void (*)(void))capture_db);
	for (int i = 0; i < API_STORES; i++) {
		struct api_store *s = &a->stores[i];
		char why[300];
		s->deadline = INT64_MAX;
		capture_into = &s->db;
		s->store = pdns_store_open(cfg->db, PDNS_STORE_READ, why, sizeof why);
		capture_into = NULL;
		if (!s->store) {
			snprintf(err, errlen, "-pdns_api: %s", why);
			break;
		}
		a->nstores++;
		if (s->db) {
			sqlite3_progress_handler(s->db, 1000, on_progress, s);
			/* A lock held by a writer: wait no longer than a query may run. */
			int64_t ms = cfg->timeout_ns / 1000000;
			sqlite3_busy_timeout(s->db, ms < 1 ? 1 : ms > 60000 ? 60000 : (int)ms);
		}
		struct pdns_query q = { .name = "warm-up.invalid", .limit = 1 };
		if (pdns_store_query(s->store, &q, warm_up, NULL, why, sizeof why) < 0) {
			snprintf(err, errlen, "-pdns_api: %s", why);
			break;
		}
	}
	sqlite3_cancel_auto_extension((void (*)(void))capture_db);
	if (a->nstores < API_STORES) {
		close_stores(a);
		free(a);
		return NULL;
	}
	if (cfg->debug && !a->stores[0].db)
		fprintf(stderr, "pdnslog: debug: -pdns_api: the store's SQLite handle is unknown: "
			"queries are timed between facts only\n");

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	a->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, a,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)API_THREADS,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)API_CONNECTIONS,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)API_PER_IP,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)API_CONNECTION_MEMORY,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_IDLE_SECONDS,
				     MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				     MHD_OPTION_URI_LOG_CALLBACK, check_uri, NULL,
				     MHD_OPTION_END);
	if (!a->daemon) {
		snprintf(err, errlen, "-pdns_api %s: cannot listen there", cfg->addr);
		close_stores(a);
		free(a);
		return NULL;
	}
	return a;
}

void pdns_api_stop(struct pdns_api *a)
{
	if (!a)
		return;
	MHD_stop_daemon(a->daemon);
	close_stores(a);
	pthread_cond_destroy(&a->freed);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void pdns_api_get_counts(struct pdns_api *a, struct pdns_api_counts *c)
{
	c->requests = a->requests;
	c->errors = a->errors;
	c->timeouts = a->timeouts;
	c->busy = a->busy;
}
