/* store: the passive DNS database in SQLite (see store.h).
 *
 * The file carries application_id 'pdns' and its schema version in
 * user_version, so a file that is not ours is refused instead of written
 * into.  One table of facts:
 *   rrname      as first seen (case kept)
 *   rrname_rev  its labels reversed and lower-cased, each followed by a dot:
 *               "www.Example.com" is "com.example.www."; the key of exact
 *               lookups, and of suffix queries as a range: everything under
 *               example.com is "com.example." < rrname_rev < "com.example/"
 *   rdata       as written ("10 mx.example.com"), exact in the unique key
 *   rdata_key   what an rdata query matches, lower-cased: the name of a
 *               CNAME/NS/PTR/DNAME, the exchange of an MX, the target of an
 *               SRV/SVCB/HTTPS, the address of an A/AAAA; else all the rdata
 * UNIQUE(rrname_rev, rrtype, rdata) is the upsert key (names compare without
 * regard to ASCII case, as DNS does) and the index of name queries.
 * A small meta table keeps integers (the Kafka feeder's offsets).
 *
 * Every statement is prepared once and bound: nothing from a query or a
 * fact is ever pasted into SQL.  A store opened for reading is opened
 * read-only by SQLite (and query_only), so the query command and the HTTP
 * API cannot write whatever they are asked. */
#include "pdns/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <sqlite3.h>

#include "util/ipfmt.h"
#include "util/strbuf.h"

#define STORE_APP_ID 0x70646e73 /* "pdns" */
#define STORE_VERSION 1
#define STORE_BUSY_MS 10000     /* another writer or a checkpoint holds the lock */
#define STORE_NAME_MAX 2048     /* a presentation name, escapes and all */
/* The writer's page cache: the indexes' pages a batch touches stay in
 * memory from one batch to the next (SQLite's default is 2 MiB). */
#define STORE_CACHE_KIB "65536"

/* Q_SUFFIX_RECENT: a suffix with very many names under it (*.com) is
 * answered by walking time_last's index down from the latest until limit
 * facts matched, instead of sorting every name under it; Q_SUFFIX_SIZE says
 * which, counting the range's index entries up to SUFFIX_BIG. */
enum { Q_EXACT, Q_SUFFIX, Q_SUFFIX_RECENT, Q_RDATA, Q_SUFFIX_SIZE,
       Q_CLIENTS_EXACT, Q_CLIENTS_SUFFIX, Q_CLIENTS_OF, Q_COUNT };
#define Q_FIRST_CLIENTS Q_CLIENTS_EXACT /* these are prepared when first asked */
#define SUFFIX_BIG 20000

struct pdns_store {
	sqlite3 *db;
	enum pdns_store_mode mode;
	sqlite3_stmt *begin, *commit, *upsert, *client_upsert, *meta_set, *meta_get;
	sqlite3_stmt *query[Q_COUNT];
	char path[1024];
};

static const char schema[] =
	"CREATE TABLE facts("
	" rrname TEXT NOT NULL,"
	" rrname_rev TEXT NOT NULL,"
	" rrtype INTEGER NOT NULL,"
	" rdata TEXT NOT NULL,"
	" rdata_key TEXT NOT NULL,"
	" bailiwick TEXT,"
	" time_first INTEGER NOT NULL,"
	" time_last INTEGER NOT NULL,"
	" count INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX facts_name ON facts(rrname_rev, rrtype, rdata);"
	"CREATE INDEX facts_rdata ON facts(rdata_key);"
	"CREATE INDEX facts_last ON facts(time_last);"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";

/* -pdns_clients: who asked.  Made when a store is opened for writing (it
 * came after version 1's first files, which gain it so). */
static const char clients_schema[] =
	"CREATE TABLE IF NOT EXISTS clients("
	" client TEXT NOT NULL,"
	" rrname TEXT NOT NULL,"
	" rrname_rev TEXT NOT NULL,"
	" rrtype INTEGER NOT NULL,"
	" time_first INTEGER NOT NULL,"
	" time_last INTEGER NOT NULL,"
	" count INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS clients_name ON clients(rrname_rev, rrtype, client);"
	"CREATE INDEX IF NOT EXISTS clients_client ON clients(client);";

/* count is summed but never past SQLite's largest integer (it would turn
 * into a float). */
static const char upsert_sql[] =
	"INSERT INTO facts(rrname, rrname_rev, rrtype, rdata, rdata_key, bailiwick,"
	" time_first, time_last, count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	" ON CONFLICT(rrname_rev, rrtype, rdata) DO UPDATE SET"
	" time_first = min(time_first, excluded.time_first),"
	" time_last = max(time_last, excluded.time_last),"
	" count = CASE WHEN count > 9223372036854775807 - excluded.count"
	" THEN 9223372036854775807 ELSE count + excluded.count END,"
	" bailiwick = coalesce(bailiwick, excluded.bailiwick)";

static const char client_upsert_sql[] =
	"INSERT INTO clients(client, rrname, rrname_rev, rrtype, time_first, time_last, count)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT(rrname_rev, rrtype, client) DO UPDATE SET"
	" time_first = min(time_first, excluded.time_first),"
	" time_last = max(time_last, excluded.time_last),"
	" count = CASE WHEN count > 9223372036854775807 - excluded.count"
	" THEN 9223372036854775807 ELSE count + excluded.count END";

#define QUERY_COLS "SELECT rrname, rrtype, rdata, bailiwick, time_first, time_last, count FROM facts"
#define CLIENT_COLS "SELECT rrname, rrtype, client, NULL, time_first, time_last, count FROM clients"
/* ?2 rrtype or 0, ?3 since or 0, ?4 until or 0, ?5 limit */
#define QUERY_TAIL \
	" AND (?2 = 0 OR rrtype = ?2) AND (?3 = 0 OR time_last >= ?3)" \
	" AND (?4 = 0 OR time_first <= ?4) ORDER BY time_last DESC LIMIT ?5"
static const char *const query_sql[Q_COUNT] = {
	[Q_EXACT] = QUERY_COLS " WHERE rrname_rev = ?1" QUERY_TAIL,
	[Q_SUFFIX] = QUERY_COLS " WHERE rrname_rev > ?1 AND rrname_rev < ?6" QUERY_TAIL,
	[Q_SUFFIX_RECENT] = (QUERY_COLS " INDEXED BY facts_last WHERE rrname_rev > ?1 AND rrname_rev < ?6"
			     QUERY_TAIL),
	[Q_SUFFIX_SIZE] = ("SELECT count(*) FROM (SELECT 1 FROM facts WHERE rrname_rev > ?1 AND"
			   " rrname_rev < ?2 LIMIT ?3)"),
	[Q_RDATA] = QUERY_COLS " WHERE rdata_key = ?1" QUERY_TAIL,
	[Q_CLIENTS_EXACT] = CLIENT_COLS " WHERE rrname_rev = ?1" QUERY_TAIL,
	[Q_CLIENTS_SUFFIX] = CLIENT_COLS " WHERE rrname_rev > ?1 AND rrname_rev < ?6" QUERY_TAIL,
	[Q_CLIENTS_OF] = CLIENT_COLS " WHERE client = ?1" QUERY_TAIL,
};

static int db_fail(struct pdns_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return -1;
}

/* "www.Example.com" -> "com.example.www."; the root ("" or ".") -> ".".
 * A backslash escapes the next byte (\. is no separator) and \DDD is kept
 * as written.  Returns the length, or -1 when out is too small. */
static int reverse_name(const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	if (n && name[n - 1] == '.' && !(n >= 2 && name[n - 2] == '\\'))
		n--; /* the final dot */
	if (n == 0) {
		if (cap < 2)
			return -1;
		memcpy(out, ".", 2);
		return 1;
	}
	if (n + 2 > cap)
		return -1;
	/* Label boundaries left to right, then copied right to left. */
	size_t o = 0, end = n;
	while (1) {
		/* find the start of the last label in name[0..end) */
		size_t start = 0;
		for (size_t i = 0; i < end; i++) {
			if (name[i] == '\\') {
				i++;
				continue;
			}
			if (name[i] == '.')
				start = i + 1;
		}
		for (size_t i = start; i < end; i++) {
			char c = name[i];
			out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
		out[o++] = '.';
		if (start == 0)
			break;
		end = start - 1;
	}
	out[o] = 0;
	return (int)o;
}

/* What an rdata query matches (see the top of the file), lower-cased. */
static int rdata_key(uint16_t rrtype, const char *rdata, char *out, size_t cap)
{
	const char *p = rdata;
	int skip = 0; /* fields before the name */
	switch (rrtype) {
	case 15: case 18: case 21: case 36: /* MX, AFSDB, RT, KX */
	case 64: case 65:                   /* SVCB, HTTPS: priority target params */
		skip = 1;
		break;
	case 33: /* SRV: priority weight port target */
		skip = 3;
		break;
	}
	for (int i = 0; i < skip; i++) {
		const char *sp = strchr(p, ' ');
		if (!sp) {
			p = rdata; /* not shaped as expected: the whole of it */
			break;
		}
		p = sp + 1;
	}
	size_t n = skip ? strcspn(p, " ") : strlen(p);
	if (n > 1 && p[n - 1] == '.' && p[n - 2] != '\\' && (skip || rrtype == 5 || rrtype == 2 ||
							     rrtype == 12 || rrtype == 39))
		n--; /* a name's final dot */
	if (n + 1 > cap)
		n = cap - 1; /* long rdata: its start is the key */
	for (size_t i = 0; i < n; i++)
		out[i] = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
	out[n] = 0;
	return (int)n;
}

static int exec(struct pdns_store *s, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, sql[0] == 'C' ? "creating the tables" : "setting up", err, errlen);
	return 0;
}

static int pragma_int(struct pdns_store *s, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int prepare(struct pdns_store *s, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_fail(s, "preparing a statement", err, errlen);
	return 0;
}

/* Is this file ours, of our version?  A new empty file in write mode gets
 * the schema. */
static int check_schema(struct pdns_store *s, char *err, size_t errlen)
{
	int64_t app = 0, version = 0, tables = 0;
	if (pragma_int(s, "PRAGMA application_id", &app) < 0) {
		int code = sqlite3_errcode(s->db);
		if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
			snprintf(err, errlen, "%s: not a pdnslog store (not an SQLite database)", s->path);
		else
			db_fail(s, "reading its header", err, errlen);
		return -1;
	}
	if (pragma_int(s, "PRAGMA user_version", &version) < 0 ||
	    pragma_int(s, "SELECT count(*) FROM sqlite_schema", &tables) < 0)
		return db_fail(s, "reading its schema", err, errlen);
	if (app == 0 && tables == 0 && version == 0) {
		if (s->mode == PDNS_STORE_READ) {
			snprintf(err, errlen, "%s: not a pdnslog store (an empty database: nothing was stored "
				 "in it yet)", s->path);
			return -1;
		}
		char sql[sizeof schema + 200];
		snprintf(sql, sizeof sql, "BEGIN; %s PRAGMA application_id = %d; PRAGMA user_version = %d; COMMIT;",
			 schema, STORE_APP_ID, STORE_VERSION);
		if (exec(s, sql, err, errlen) < 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		return 0;
	}
	if (app != STORE_APP_ID) {
		snprintf(err, errlen, "%s: not a pdnslog store (an SQLite database of something else)", s->path);
		return -1;
	}
	if (version != STORE_VERSION) {
		snprintf(err, errlen, "%s: a pdnslog store of version %lld; this pdnslog reads version %d",
			 s->path, (long long)version, STORE_VERSION);
		return -1;
	}
	return 0;
}

struct pdns_store *pdns_store_open(const char *path, enum pdns_store_mode mode,
				   char *err, size_t errlen)
{
	struct stat st;
	if (mode == PDNS_STORE_READ && stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (mode == PDNS_STORE_READ && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a pdnslog store (not a regular file)", path);
		return NULL;
	}
	struct pdns_store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->mode = mode;
	snprintf(s->path, sizeof s->path, "%s", path);
	int flags = mode == PDNS_STORE_READ ? SQLITE_OPEN_READONLY
					    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (s->db)
			db_fail(s, "cannot open", err, errlen);
		else
			snprintf(err, errlen, "%s: cannot open: out of memory", path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 0);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* Temporary tables and sorts in memory: no files opened later (the
	 * sandbox allows none), and no code, extensions or triggers run. */
	if (exec(s, "PRAGMA temp_store = MEMORY; PRAGMA trusted_schema = OFF", err, errlen) < 0)
		goto fail;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	if (check_schema(s, err, errlen) < 0)
		goto fail;
	if (mode == PDNS_STORE_WRITE) {
		/* WAL: readers (query, the API) never wait for the writer, and a
		 * crash keeps what was committed; NORMAL: no fsync per commit
		 * (a power cut may lose the last commits, never consistency). */
		sqlite3_stmt *jm;
		const unsigned char *mode_now = NULL;
		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &jm, NULL) == SQLITE_OK &&
		    sqlite3_step(jm) == SQLITE_ROW)
			mode_now = sqlite3_column_text(jm, 0);
		bool wal = mode_now && strcmp((const char *)mode_now, "wal") == 0;
		sqlite3_finalize(jm);
		if (!wal) {
			db_fail(s, "cannot switch to WAL mode", err, errlen);
			goto fail;
		}
		/* A first write transaction opens the -wal and -shm files
		 * now, before the sandbox (which lets no file be opened). */
		if (exec(s, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -" STORE_CACHE_KIB
			 "; BEGIN IMMEDIATE; COMMIT", err, errlen) < 0 ||
		    prepare(s, "BEGIN IMMEDIATE", &s->begin, err, errlen) < 0 ||
		    prepare(s, "COMMIT", &s->commit, err, errlen) < 0 ||
		    prepare(s, upsert_sql, &s->upsert, err, errlen) < 0 ||
		    exec(s, clients_schema, err, errlen) < 0 ||
		    prepare(s, client_upsert_sql, &s->client_upsert, err, errlen) < 0 ||
		    prepare(s, "INSERT INTO meta(key, value) VALUES(?1, ?2)"
			    " ON CONFLICT(key) DO UPDATE SET value = excluded.value", &s->meta_set, err, errlen) < 0)
			goto fail;
	} else if (exec(s, "PRAGMA query_only = ON", err, errlen) < 0) {
		goto fail;
	}
	if (prepare(s, "SELECT value FROM meta WHERE key = ?1", &s->meta_get, err, errlen) < 0)
		goto fail;
	for (int i = 0; i < Q_FIRST_CLIENTS; i++)
		if (prepare(s, query_sql[i], &s->query[i], err, errlen) < 0)
			goto fail;
	return s;
fail:
	pdns_store_close(s);
	return NULL;
}

void pdns_store_close(struct pdns_store *s)
{
	if (!s)
		return;
	sqlite3_stmt *all[] = { s->begin, s->commit, s->upsert, s->client_upsert, s->meta_set, s->meta_get };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->query[i]);
	if (s->db && s->mode == PDNS_STORE_WRITE && sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(s->db);
	free(s);
}

/* Step a statement that returns no rows, and reset it for the next use. */
static int run(struct pdns_store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	int ret = rc == SQLITE_DONE ? 0 : db_fail(s, what, err, errlen);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static int writable(struct pdns_store *s, char *err, size_t errlen)
{
	if (s->mode == PDNS_STORE_WRITE)
		return 0;
	snprintf(err, errlen, "%s: opened read-only", s->path);
	return -1;
}

int pdns_store_begin(struct pdns_store *s, char *err, size_t errlen)
{
	if (writable(s, err, errlen) < 0)
		return -1;
	return run(s, s->begin, "beginning a transaction", err, errlen);
}

int pdns_store_commit(struct pdns_store *s, char *err, size_t errlen)
{
	if (writable(s, err, errlen) < 0)
		return -1;
	if (run(s, s->commit, "committing", err, errlen) == 0)
		return 0;
	/* A failed COMMIT may leave the transaction open: end it, so the
	 * next batch starts clean. */
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int pdns_store_upsert(struct pdns_store *s, const struct pdns_fact *f, char *err, size_t errlen)
{
	char rev[STORE_NAME_MAX], key[STORE_NAME_MAX];
	if (writable(s, err, errlen) < 0)
		return -1;
	if (!f->rrname || !f->rdata || f->time_first > f->time_last ||
	    f->count > (uint64_t)INT64_MAX) {
		snprintf(err, errlen, "%s: a malformed fact (no name or rdata, time_first after time_last, "
			 "or a count past 2^63)", s->path);
		return -1;
	}
	int rn = reverse_name(f->rrname, rev, sizeof rev);
	if (rn < 0) {
		snprintf(err, errlen, "%s: a name longer than %d bytes: %.60s...", s->path, STORE_NAME_MAX,
			 f->rrname);
		return -1;
	}
	if (f->client) {
		sqlite3_stmt *st = s->client_upsert;
		sqlite3_bind_text(st, 1, f->rdata, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->rrname, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rev, rn, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, f->rrtype);
		sqlite3_bind_int64(st, 5, f->time_first);
		sqlite3_bind_int64(st, 6, f->time_last);
		sqlite3_bind_int64(st, 7, (int64_t)f->count);
		return run(s, st, "storing a client row", err, errlen);
	}
	int kn = rdata_key(f->rrtype, f->rdata, key, sizeof key);
	sqlite3_stmt *st = s->upsert;
	sqlite3_bind_text(st, 1, f->rrname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev, rn, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->rrtype);
	sqlite3_bind_text(st, 4, f->rdata, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, key, kn, SQLITE_STATIC);
	if (f->bailiwick && *f->bailiwick)
		sqlite3_bind_text(st, 6, f->bailiwick, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, f->time_first);
	sqlite3_bind_int64(st, 8, f->time_last);
	sqlite3_bind_int64(st, 9, (int64_t)f->count);
	return run(s, st, "storing a fact", err, errlen);
}

int pdns_store_meta_set(struct pdns_store *s, const char *key, int64_t value, char *err, size_t errlen)
{
	if (writable(s, err, errlen) < 0)
		return -1;
	sqlite3_bind_text(s->meta_set, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->meta_set, 2, value);
	return run(s, s->meta_set, "storing a meta value", err, errlen);
}

int pdns_store_meta_get(struct pdns_store *s, const char *key, int64_t *value, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->meta_get;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), ret;
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int64(st, 0);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? 1 : db_fail(s, "reading a meta value", err, errlen);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int pdns_addr_canonical(const char *text, char *out, size_t cap)
{
	uint8_t a[16];
	int v4 = inet_pton(AF_INET, text, a) == 1;
	if (!v4 && inet_pton(AF_INET6, text, a) != 1)
		return -1;
	struct strbuf sb;
	strbuf_init(&sb);
	if (v4)
		strbuf_put_ipv4(&sb, a);
	else
		strbuf_put_ipv6(&sb, a);
	int n = !sb.overflow && sb.len < cap ? (int)sb.len : -1;
	if (n >= 0) {
		memcpy(out, sb.p, sb.len);
		out[n] = 0;
	}
	strbuf_free(&sb);
	return n;
}

int64_t pdns_store_query(struct pdns_store *s, const struct pdns_query *q,
			 pdns_fact_fn fn, void *ctx, char *err, size_t errlen)
{
	char key[STORE_NAME_MAX], hi[STORE_NAME_MAX];
	if (!!q->name + !!q->rdata + !!q->client != 1 || (q->clients && q->rdata)) {
		snprintf(err, errlen, "a query is by name, by rdata or by client (one of them; "
			 "client rows by name or client)");
		return -1;
	}
	if (q->limit == 0) {
		snprintf(err, errlen, "a query's limit must be at least 1");
		return -1;
	}
	int which, kn;
	bool clients = q->clients || q->client;
	const char *v = q->name ? q->name : q->rdata;
	if (q->client) {
		/* As pdnslog writes addresses, whatever way this one is spelt. */
		kn = pdns_addr_canonical(q->client, key, sizeof key);
		if (kn < 0) {
			snprintf(err, errlen, "\"%.60s\": a client is an IPv4 or IPv6 address", q->client);
			return -1;
		}
		which = Q_CLIENTS_OF;
	} else if (q->rdata) {
		which = Q_RDATA;
		size_t n = strlen(v);
		if (n + 1 > sizeof key) {
			snprintf(err, errlen, "an rdata value longer than %zu bytes", sizeof key - 1);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			key[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : v[i];
		if (n > 1 && key[n - 1] == '.' && key[n - 2] != '\\')
			n--; /* a name's final dot: stored without it */
		key[n] = 0;
		kn = (int)n;
	} else {
		bool suffix = v[0] == '*' && v[1] == '.';
		which = suffix ? Q_SUFFIX : Q_EXACT;
		if (suffix && (!v[2] || strcmp(v + 2, ".") == 0)) {
			snprintf(err, errlen, "\"%s\": a wildcard needs a name under which to look (*.example.com)", v);
			return -1;
		}
		kn = reverse_name(suffix ? v + 2 : v, key, sizeof key);
		if (kn < 0) {
			snprintf(err, errlen, "a name longer than %d bytes", STORE_NAME_MAX);
			return -1;
		}
		if (suffix) {
			/* key ends in '.', and '/' follows '.': every name that
			 * starts with key sorts below hi. */
			memcpy(hi, key, (size_t)kn + 1);
			hi[kn - 1] = '/';
		}
		if (clients)
			which = suffix ? Q_CLIENTS_SUFFIX : Q_CLIENTS_EXACT;
		if (suffix && !clients) {
			sqlite3_stmt *c = s->query[Q_SUFFIX_SIZE];
			sqlite3_bind_text(c, 1, key, kn, SQLITE_STATIC);
			sqlite3_bind_text(c, 2, hi, kn, SQLITE_STATIC);
			sqlite3_bind_int(c, 3, SUFFIX_BIG);
			int rc = sqlite3_step(c);
			int64_t size = rc == SQLITE_ROW ? sqlite3_column_int64(c, 0) : 0;
			sqlite3_reset(c);
			sqlite3_clear_bindings(c);
			if (rc != SQLITE_ROW)
				return db_fail(s, "querying", err, errlen);
			if (size >= SUFFIX_BIG)
				which = Q_SUFFIX_RECENT;
		}
	}
	if (!s->query[which] &&
	    sqlite3_prepare_v3(s->db, query_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &s->query[which],
			       NULL) != SQLITE_OK)
		return db_fail(s, "querying client rows (a store written by an older pdnslog has none)",
			       err, errlen);
	sqlite3_stmt *st = s->query[which];
	sqlite3_bind_text(st, 1, key, kn, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, q->rrtype);
	sqlite3_bind_int64(st, 3, q->since);
	sqlite3_bind_int64(st, 4, q->until);
	sqlite3_bind_int64(st, 5, q->limit > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)q->limit);
	if (which == Q_SUFFIX || which == Q_SUFFIX_RECENT || which == Q_CLIENTS_SUFFIX)
		sqlite3_bind_text(st, 6, hi, kn, SQLITE_STATIC);
	int64_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pdns_fact f = {
			.rrname = (const char *)sqlite3_column_text(st, 0),
			.rrtype = (uint16_t)sqlite3_column_int(st, 1),
			.rdata = (const char *)sqlite3_column_text(st, 2),
			.bailiwick = (const char *)sqlite3_column_text(st, 3),
			.time_first = sqlite3_column_int64(st, 4),
			.time_last = sqlite3_column_int64(st, 5),
			.count = (uint64_t)sqlite3_column_int64(st, 6),
			.client = clients,
		};
		if (!f.rrname || !f.rdata)
			continue; /* NOT NULL columns: only a damaged file */
		n++;
		if (fn(ctx, &f))
			break;
	}
	int64_t ret = n;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_fail(s, "querying", err, errlen);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}
