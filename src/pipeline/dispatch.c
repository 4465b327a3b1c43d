/* dispatch: worker threads fed through per-worker rings of packet copies. */
#include "pipeline/dispatch.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "util/keyhash.h"

#define SKIP UINT32_MAX /* a record header that says: continue at the ring's start */

struct record {
	uint32_t len;
	uint16_t linktype; /* files of several link types may follow one another */
	uint8_t ts_digits;
	uint8_t cut;     /* the capture kept less than the wire had (the decoder
			  * needs only that, not the wire length itself) */
	int64_t ts_ns;
};
/* Records start on 16-byte boundaries, so a header of 16 bytes always fits
 * in what is left at the ring's end, where a SKIP header may have to go. */
_Static_assert(sizeof(struct record) == 16, "a record header is 16 bytes");

struct lane {
	struct dispatch *d;
	struct worker worker;
	pthread_t thread;
	bool started;               /* the thread runs and must be joined */
	uint8_t *ring;
	size_t size;                /* a power of two */
	_Atomic size_t head;        /* written by the capture thread */
	_Atomic size_t tail;        /* written by the worker */
	_Atomic int sleeping;       /* the worker waits on `wake` */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct stats snapshot;      /* the worker's counters, copied under lock */
};

struct dispatch {
	int n;                      /* lanes set up (all of them, or up to a failure) */
	bool lossless;
	_Atomic int done;
	struct keyhash hash;
	struct stats stats;         /* the capture thread's: queue_drops */
	struct lane *lanes;
};

static size_t record_size(size_t len)
{
	return (sizeof(struct record) + len + 15) & ~(size_t)15;
}

static void publish(struct lane *l)
{
	pthread_mutex_lock(&l->lock);
	l->snapshot = l->worker.stats;
	pthread_mutex_unlock(&l->lock);
}

static void *run(void *arg)
{
	struct lane *l = arg;
	size_t mask = l->size - 1;
	unsigned since_snapshot = 0;
	for (;;) {
		worker_sync_poll(&l->worker);
		size_t tail = atomic_load_explicit(&l->tail, memory_order_relaxed);
		size_t head = atomic_load_explicit(&l->head, memory_order_acquire);
		if (tail == head) {
			if (atomic_load(&l->d->done) &&
			    atomic_load_explicit(&l->head, memory_order_acquire) == tail)
				break;
			worker_idle(&l->worker);
			pthread_mutex_lock(&l->lock);
			l->snapshot = l->worker.stats;
			atomic_store(&l->sleeping, 1);
			if (atomic_load_explicit(&l->head, memory_order_acquire) == tail &&
			    !atomic_load(&l->d->done)) {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_nsec += 10000000;
				if (until.tv_nsec >= 1000000000) {
					until.tv_sec++;
					until.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&l->wake, &l->lock, &until);
			}
			atomic_store(&l->sleeping, 0);
			pthread_mutex_unlock(&l->lock);
			continue;
		}
		struct record r;
		memcpy(&r, l->ring + (tail & mask), sizeof r);
		if (r.len == SKIP) {
			tail += l->size - (tail & mask);
		} else {
			worker_packet(&l->worker, r.linktype, r.ts_ns, r.ts_digits,
				      l->ring + (tail & mask) + sizeof r, r.len, r.len + r.cut);
			tail += record_size(r.len);
			if (++since_snapshot == DISPATCH_SNAPSHOT_EVERY) {
				publish(l);
				since_snapshot = 0;
			}
		}
		atomic_store_explicit(&l->tail, tail, memory_order_release);
	}
	worker_finish(&l->worker);
	return NULL;
}

struct dispatch *dispatch_create(int n, const struct worker_config *cfg, bool lossless)
{
	struct dispatch *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->lanes = calloc((size_t)n, sizeof *d->lanes);
	if (!d->lanes) {
		free(d);
		return NULL;
	}
	d->lossless = lossless;
	keyhash_init(&d->hash);
	for (int i = 0; i < n; i++) {
		struct lane *l = &d->lanes[i];
		l->d = d;
		l->size = DISPATCH_RING_BYTES;
		pthread_mutex_init(&l->lock, NULL);
		pthread_cond_init(&l->wake, NULL);
		d->n = i + 1;
		l->ring = malloc(l->size);
		if (!l->ring || worker_init(&l->worker, cfg) < 0 ||
		    pthread_create(&l->thread, NULL, run, l) != 0) {
			dispatch_destroy(d);
			return NULL;
		}
		l->started = true;
	}
	return d;
}

/* The worker for a frame: a hash of its IP address pair, in either order. */
static int lane_of(const struct dispatch *d, int linktype, const uint8_t *frame, size_t len)
{
	size_t iplen;
	const uint8_t *ip = link_find_ip(linktype, frame, len, &iplen, NULL);
	uint8_t pair[32] = { 0 };
	if (ip && iplen >= 20 && ip[0] >> 4 == 4) {
		int lo = memcmp(ip + 12, ip + 16, 4) <= 0;
		memcpy(pair, ip + (lo ? 12 : 16), 4);
		memcpy(pair + 16, ip + (lo ? 16 : 12), 4);
	} else if (ip && iplen >= 40 && ip[0] >> 4 == 6) {
		int lo = memcmp(ip + 8, ip + 24, 16) <= 0;
		memcpy(pair, ip + (lo ? 8 : 24), 16);
		memcpy(pair + 16, ip + (lo ? 24 : 8), 16);
	} else {
		return 0;
	}
	return (int)(keyhash(&d->hash, pair, sizeof pair) % (uint64_t)d->n);
}

void dispatch_packet(struct dispatch *d, int linktype, int64_t ts_ns, int ts_digits,
		     const uint8_t *frame, size_t caplen, size_t wirelen)
{
	struct lane *l = &d->lanes[lane_of(d, linktype, frame, caplen)];
	size_t mask = l->size - 1;
	size_t need = record_size(caplen);
	if (need > l->size / 2) {
		d->stats.queue_drops++; /* larger than any frame libpcap gives */
		return;
	}
	size_t head = atomic_load_explicit(&l->head, memory_order_relaxed);
	size_t to_end = l->size - (head & mask);
	size_t want = to_end < need ? to_end + need : need;
	while (l->size - (head - atomic_load_explicit(&l->tail, memory_order_acquire)) < want) {
		if (!d->lossless) {
			d->stats.queue_drops++;
			return;
		}
		struct timespec pause = { 0, 20000 };
		nanosleep(&pause, NULL);
	}
	if (to_end < need) {
		struct record skip = { .len = SKIP };
		memcpy(l->ring + (head & mask), &skip, sizeof skip);
		head += to_end;
	}
	struct record r = { .len = (uint32_t)caplen, .linktype = (uint16_t)linktype,
			    .ts_digits = (uint8_t)ts_digits, .cut = wirelen > caplen, .ts_ns = ts_ns };
	memcpy(l->ring + (head & mask), &r, sizeof r);
	memcpy(l->ring + (head & mask) + sizeof r, frame, caplen);
	atomic_store_explicit(&l->head, head + need, memory_order_release);
	if (atomic_load(&l->sleeping)) {
		pthread_mutex_lock(&l->lock);
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
	}
}

void dispatch_finish(struct dispatch *d)
{
	atomic_store(&d->done, 1);
	for (int i = 0; i < d->n; i++) {
		struct lane *l = &d->lanes[i];
		pthread_mutex_lock(&l->lock);
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->thread, NULL);
		l->started = false;
	}
}

bool dispatch_synced(struct dispatch *d, unsigned req)
{
	for (int i = 0; i < d->n; i++)
		if (!worker_sync_done(&d->lanes[i].worker, req))
			return false;
	return true;
}

void dispatch_stats(struct dispatch *d, struct stats *sum)
{
	stats_add(sum, &d->stats);
	for (int i = 0; i < d->n; i++) {
		struct lane *l = &d->lanes[i];
		if (!l->started) {
			stats_add(sum, &l->worker.stats); /* joined: exact */
			continue;
		}
		pthread_mutex_lock(&l->lock);
		stats_add(sum, &l->snapshot);
		pthread_mutex_unlock(&l->lock);
	}
}

void dispatch_destroy(struct dispatch *d)
{
	if (!d)
		return;
	atomic_store(&d->done, 1);
	for (int i = 0; i < d->n; i++) {
		struct lane *l = &d->lanes[i];
		if (l->started) {
			pthread_mutex_lock(&l->lock);
			pthread_cond_signal(&l->wake);
			pthread_mutex_unlock(&l->lock);
			pthread_join(l->thread, NULL);
		}
		worker_destroy(&l->worker);
		free(l->ring);
		pthread_mutex_destroy(&l->lock);
		pthread_cond_destroy(&l->wake);
	}
	free(d->lanes);
	free(d);
}
