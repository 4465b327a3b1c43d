/* writer: the thread that upserts facts into the store (see writer.h).
 *
 * Two byte buffers of WRITER_BUF_BYTES: workers copy facts into the one
 * being filled; the thread swaps it for the other, empty one and upserts what
 * it took without holding the lock, so a worker waits only when the buffer
 * it fills is full while the thread still works through the other.  A
 * transaction spans such buffers until the queue is empty or WRITER_BATCH
 * facts were upserted, then commits: one fsync-free WAL commit per batch
 * instead of one per fact.  Sequence numbers tell a flush when everything
 * put before it was committed. */
#include "pdns/writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdns/store.h"
#include "stats/progress.h"

#define WRITER_BUF_BYTES (4u << 20) /* each of the two buffers */
#define WRITER_BATCH 10000          /* facts per transaction at most */

/* A fact copied into a buffer: this header, then rrname, rdata and the
 * bailiwick (when there is one), each with its NUL; padded to 8 bytes. */
struct entry {
	int64_t time_first, time_last;
	uint64_t count;
	uint32_t size;
	uint16_t rrtype;
	uint8_t has_bailiwick;
	uint8_t client;   /* a -pdns_clients row */
};

struct buf {
	char *p;
	size_t len;   /* bytes used */
	size_t n;     /* facts in it */
};

struct pdns_writer {
	struct pdns_store *store;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;    /* the thread waits: facts queued, a flush, or stop */
	pthread_cond_t space;   /* workers wait: the buffer they fill was taken */
	pthread_cond_t done;    /* flushes wait: done_seq moved */
	struct buf fill, drain; /* drain: the thread's alone while it works */
	uint64_t put_seq;       /* facts put so far */
	uint64_t done_seq;      /* of those, committed (or failed) */
	bool stop;
	struct pdns_writer_counts counts;
	char said[512];         /* the last error said, not said again in a row */
};

static size_t entry_size(const struct pdns_fact *f)
{
	size_t n = sizeof(struct entry) + strlen(f->rrname) + 1 + strlen(f->rdata) + 1 +
		   (f->bailiwick ? strlen(f->bailiwick) + 1 : 0);
	return (n + 7) & ~(size_t)7;
}

/* Say an error once, not again while it repeats.  Called with mu held or
 * from the thread (said is only touched under mu). */
static void say(struct pdns_writer *w, const char *msg)
{
	if (strcmp(w->said, msg) == 0)
		return;
	snprintf(w->said, sizeof w->said, "%s", msg);
	progress_eprintf("pdnslog: -pdns_db: %s\n", msg);
}

/* The thread's open transaction. */
struct txn {
	bool open;
	size_t facts;     /* upserted in it */
};

static void txn_begin(struct pdns_writer *w, struct txn *t)
{
	char err[512];
	if (pdns_store_begin(w->store, err, sizeof err) == 0) {
		t->open = true;
		return;
	}
	pthread_mutex_lock(&w->mu);
	say(w, err);
	pthread_mutex_unlock(&w->mu);
}

static void txn_commit(struct pdns_writer *w, struct txn *t)
{
	char err[512];
	int rc = pdns_store_commit(w->store, err, sizeof err);
	pthread_mutex_lock(&w->mu);
	if (rc == 0) {
		w->counts.facts += t->facts;
		w->counts.commits++;
	} else {
		w->counts.errors += t->facts;
		say(w, err);
	}
	pthread_mutex_unlock(&w->mu);
	t->open = false;
	t->facts = 0;
}

/* Upsert every fact of b, committing every WRITER_BATCH facts. */
static void upsert_all(struct pdns_writer *w, const struct buf *b, struct txn *t)
{
	char err[512];
	uint64_t failed = 0;
	for (size_t off = 0; off < b->len;) {
		const struct entry *e = (const struct entry *)(b->p + off);
		const char *text = (const char *)(e + 1);
		struct pdns_fact f = { .rrname = text, .rrtype = e->rrtype, .time_first = e->time_first,
				       .time_last = e->time_last, .count = e->count, .client = e->client };
		f.rdata = text + strlen(text) + 1;
		if (e->has_bailiwick)
			f.bailiwick = f.rdata + strlen(f.rdata) + 1;
		off += e->size;
		if (!t->open)
			txn_begin(w, t);
		if (t->open && pdns_store_upsert(w->store, &f, err, sizeof err) == 0) {
			if (++t->facts >= WRITER_BATCH)
				txn_commit(w, t);
			continue;
		}
		failed++;
		if (t->open) {
			pthread_mutex_lock(&w->mu);
			say(w, err);
			pthread_mutex_unlock(&w->mu);
		}
	}
	pthread_mutex_lock(&w->mu);
	w->counts.errors += failed;
	pthread_mutex_unlock(&w->mu);
}

static void *writer_run(void *arg)
{
	struct pdns_writer *w = arg;
	struct txn t = { .open = false };
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->fill.n == 0 && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->fill.n == 0)
			break; /* stop, and nothing left */
		struct buf swap = w->drain;
		w->drain = w->fill;
		w->fill = swap;
		uint64_t taken_seq = w->put_seq;
		pthread_cond_broadcast(&w->space);
		pthread_mutex_unlock(&w->mu);

		upsert_all(w, &w->drain, &t);
		w->drain.len = w->drain.n = 0;

		pthread_mutex_lock(&w->mu);
		if (t.open && w->fill.n == 0) {
			/* The queue is empty: the batch ends here. */
			pthread_mutex_unlock(&w->mu);
			txn_commit(w, &t);
			pthread_mutex_lock(&w->mu);
		}
		if (!t.open) {
			w->done_seq = taken_seq;
			pthread_cond_broadcast(&w->done);
		}
	}
	w->done_seq = w->put_seq;
	pthread_cond_broadcast(&w->done);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct pdns_writer *pdns_writer_start(const char *path, char *err, size_t errlen)
{
	struct pdns_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->fill.p = malloc(WRITER_BUF_BYTES)) || !(w->drain.p = malloc(WRITER_BUF_BYTES))) {
		snprintf(err, errlen, "-pdns_db: out of memory");
		goto fail;
	}
	/* Opened here, before the sandbox: the database, its -wal and -shm. */
	if (!(w->store = pdns_store_open(path, PDNS_STORE_WRITE, err, errlen)))
		goto fail;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->space, NULL);
	pthread_cond_init(&w->done, NULL);
	/* Signals are for the main thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, writer_run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "-pdns_db: cannot start the writer thread");
		pdns_store_close(w->store);
		goto fail;
	}
	return w;
fail:
	if (w) {
		free(w->fill.p);
		free(w->drain.p);
	}
	free(w);
	return NULL;
}

void pdns_writer_put(struct pdns_writer *w, const struct pdns_fact *facts, size_t n)
{
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < n; i++) {
		const struct pdns_fact *f = &facts[i];
		size_t size = entry_size(f);
		if (size > WRITER_BUF_BYTES) { /* cannot happen with facts from packets */
			w->counts.errors++;
			say(w, "a fact larger than the writer's buffer was not stored");
			continue;
		}
		while (w->fill.len + size > WRITER_BUF_BYTES) {
			pthread_cond_signal(&w->work);
			pthread_cond_wait(&w->space, &w->mu);
		}
		struct entry *e = (struct entry *)(w->fill.p + w->fill.len);
		*e = (struct entry){ .time_first = f->time_first, .time_last = f->time_last,
				     .count = f->count, .size = (uint32_t)size, .rrtype = f->rrtype,
				     .has_bailiwick = f->bailiwick != NULL, .client = f->client };
		char *t = (char *)(e + 1);
		size_t a = strlen(f->rrname) + 1, b = strlen(f->rdata) + 1;
		memcpy(t, f->rrname, a);
		memcpy(t + a, f->rdata, b);
		if (f->bailiwick)
			memcpy(t + a + b, f->bailiwick, strlen(f->bailiwick) + 1);
		w->fill.len += size;
		w->fill.n++;
		w->put_seq++;
	}
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

void pdns_writer_flush(struct pdns_writer *w)
{
	pthread_mutex_lock(&w->mu);
	uint64_t target = w->put_seq;
	pthread_cond_signal(&w->work);
	while (w->done_seq < target)
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void pdns_writer_stop(struct pdns_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pdns_store_close(w->store);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->space);
	pthread_cond_destroy(&w->done);
	free(w->fill.p);
	free(w->drain.p);
	free(w);
}

void pdns_writer_counts(struct pdns_writer *w, struct pdns_writer_counts *c)
{
	pthread_mutex_lock(&w->mu);
	*c = w->counts;
	pthread_mutex_unlock(&w->mu);
}
