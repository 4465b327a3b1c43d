/* file: the stdout and -logfile sinks: appends of whole batches to a file
 * descriptor, each batch's records counted written or lost, and the
 * -logfile's own rotation by size (sink_set_rotation).  Writers rotate under
 * the sink's lock, which costs two renames and an open at most; deleting and
 * compressing old backups is the "mill" thread's job, started at setup (the
 * sandbox allows no new threads later) and woken after each rotation. */
#include "stats/progress.h"
#include "sink/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "platform/platform.h"

#define STAMP_LEN 23        /* 2006-01-02T15-04-05.000 */
#define NAME_MAX_LEN 1024   /* backup names, with ".gz" */
#define COLLISION_TRIES 1000 /* later milliseconds tried when a backup name is taken */
#define COPY_CHUNK (64u << 10)

/* Kinds of rotation failure, each reported once on stderr. */
enum { FAIL_RENAME = 1, FAIL_OPEN = 2, FAIL_SCAN = 4, FAIL_DELETE = 8, FAIL_COMPRESS = 16 };

struct sink_rotator {
	struct sink_rotation cfg;
	int dirfd;          /* the file's directory, opened at setup */
	char *base;         /* the file's name in it */
	char *prefix;       /* base without its extension, and "-" */
	const char *ext;    /* the extension, with its dot, or "" (points into base) */
	size_t prefix_len, ext_len;
	int64_t last_ms;    /* the newest backup name made: names only go forward */
	bool displaced;     /* fd writes to a renamed file: rename back failed */
	unsigned reported;  /* FAIL_* already on stderr (under the sink's lock) */
	/* The mill. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	struct sink *owner;
	bool has_thread, work, stop;
	int64_t settled_ms; /* backups named after this may still be in use: left alone */
};

static int sink_init(struct sink *s, const char *name, int fd, int owns)
{
	s->name = name;
	s->fd = fd;
	s->owns_fd = owns;
	s->records = 0;
	s->lost = 0;
	s->errors = 0;
	s->reported = 0;
	s->gone = false;
	s->on_gone = NULL;
	s->on_gone_arg = NULL;
	s->size = 0;
	s->rot = NULL;
	return pthread_mutex_init(&s->lock, NULL) == 0 ? 0 : -1;
}

/* The log file, opened for appending: by path (dirfd PLATFORM_CWD) or,
 * with rotation, by name in the folder opened at setup. */
static int open_log(int dirfd, const char *name)
{
	return platform_open_append(dirfd, name);
}

static uint64_t file_size(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

int sink_open_stdout(struct sink *s)
{
	return sink_init(s, "stdout", STDOUT_FILENO, 0);
}

int sink_open_file(struct sink *s, const char *path)
{
	int fd = open_log(PLATFORM_CWD, path);
	if (fd < 0)
		return -1;
	if (sink_init(s, path, fd, 1) < 0) {
		close(fd);
		return -1;
	}
	s->size = file_size(fd);
	return 0;
}

void sink_on_reader_gone(struct sink *s, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&s->lock);
	s->on_gone = fn;
	s->on_gone_arg = arg;
	pthread_mutex_unlock(&s->lock);
}

/* Write n bytes under the lock; returns how many were written (n unless a
 * write failed). */
static size_t write_all(struct sink *s, const char *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(s->fd, p + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (platform_reader_gone(errno) && !s->owns_fd) {
				/* Standard output's reader is gone: what filters
				 * do is stop writing, quietly. */
				s->gone = true;
				if (s->on_gone)
					s->on_gone(s->on_gone_arg);
				return done;
			}
			s->errors++;
			if (!s->reported) {
				progress_eprintf("pdnslog: writing to %s: %s\n", s->name, strerror(errno));
				s->reported = 1;
			}
			return done;
		}
		done += (size_t)w;
	}
	return done;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;
	for (const char *end = p + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		lines++;
	return lines;
}

/* Count a rotation failure; the first of each kind goes to stderr.  The
 * caller holds the sink's lock. */
static void rot_fail(struct sink *s, unsigned kind, const char *what, const char *name, int err)
{
	s->errors++;
	if (s->rot->reported & kind)
		return;
	s->rot->reported |= kind;
	progress_eprintf("pdnslog: rotating %s: %s %s: %s (further such errors only counted)\n",
		s->name, what, name, strerror(err));
}

/* The same from the mill, which does not hold the lock. */
static void mill_fail(struct sink *s, unsigned kind, const char *what, const char *name, int err)
{
	pthread_mutex_lock(&s->lock);
	rot_fail(s, kind, what, name, err);
	pthread_mutex_unlock(&s->lock);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int backup_format(const struct sink_rotator *r, int64_t ms, char *out, size_t outlen)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	if (ms < 0 || !gmtime_r(&sec, &tm))
		return -1;
	int n = snprintf(out, outlen, "%s%04d-%02d-%02dT%02d-%02d-%02d.%03d%s", r->prefix,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)(ms % 1000), r->ext);
	return n > 0 && (size_t)n + 3 < outlen ? 0 : -1; /* room left for ".gz" */
}

static bool name_taken(int dirfd, const char *name)
{
	return platform_exists(dirfd, name);
}

/* A free backup name for now: two rotations in one millisecond (or a name
 * left by an earlier run) push the time forward a millisecond. */
static int backup_name(struct sink_rotator *r, char *out, size_t outlen)
{
	int64_t ms = now_ms();
	if (ms <= r->last_ms)
		ms = r->last_ms + 1;
	for (int i = 0; i < COLLISION_TRIES; i++, ms++) {
		if (backup_format(r, ms, out, outlen) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		size_t n = strlen(out);
		bool taken = name_taken(r->dirfd, out);
		memcpy(out + n, ".gz", 4);
		taken = taken || name_taken(r->dirfd, out);
		out[n] = '\0';
		if (!taken) {
			r->last_ms = ms;
			return 0;
		}
	}
	errno = EEXIST;
	return -1;
}

static void mill_kick(struct sink_rotator *r, bool settle)
{
	pthread_mutex_lock(&r->mu);
	if (settle)
		r->settled_ms = r->last_ms;
	r->work = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* Under the sink's lock, between batches.  On any failure the old file
 * stays (under its name if at all possible) and the size count restarts, so
 * the next try comes after another max_bytes rather than at every batch. */
static void rotate(struct sink *s)
{
	struct sink_rotator *r = s->rot;
	char name[NAME_MAX_LEN];
	if (backup_name(r, name, sizeof name) < 0) {
		rot_fail(s, FAIL_RENAME, "naming a backup of", r->base, errno);
		s->size = 0;
		return;
	}
	if (!r->displaced && platform_rename(r->dirfd, r->base, name) < 0) {
		rot_fail(s, FAIL_RENAME, "renaming to", name, errno);
		s->size = 0;
		return;
	}
	int fd = open_log(r->dirfd, r->base);
	if (fd < 0) {
		int err = errno;
		/* The mill leaves this name alone (it is past settled_ms). */
		if (!r->displaced && platform_rename(r->dirfd, name, r->base) < 0)
			r->displaced = true;
		rot_fail(s, FAIL_OPEN, "opening a new", r->base, err);
		s->size = 0;
		return;
	}
	close(s->fd);
	s->fd = fd;
	s->size = file_size(fd);
	r->displaced = false;
	if (r->has_thread)
		mill_kick(r, true);
}

size_t sink_write(struct sink *s, const char *p, size_t n, size_t records)
{
	size_t done = 0;
	pthread_mutex_lock(&s->lock);
	if (!s->gone) {
		if (s->rot && s->size > 0 && s->size + n > s->rot->cfg.max_bytes)
			rotate(s);
		s->size += n;
		size_t wrote = write_all(s, p, n);
		/* Only a failure costs a look at the bytes: which lines went whole. */
		done = wrote == n ? records : count_lines(p, wrote);
		if (done > records)
			done = records;
	}
	s->records += done;
	s->lost += records - done;
	pthread_mutex_unlock(&s->lock);
	return done;
}

int sink_reopen(struct sink *s)
{
	if (!s->owns_fd)
		return 0;
	pthread_mutex_lock(&s->lock);
	/* With rotation, by the directory opened at setup, as rotation does. */
	struct sink_rotator *r = s->rot;
	int fd = r ? open_log(r->dirfd, r->base) : open_log(PLATFORM_CWD, s->name);
	if (fd < 0) {
		s->errors++;
		progress_eprintf("pdnslog: reopening %s: %s (still writing to the old file)\n",
			s->name, strerror(errno));
	} else {
		close(s->fd);
		s->fd = fd;
		s->size = file_size(fd);
		if (r && r->displaced) {
			r->displaced = false;
			if (r->has_thread)
				mill_kick(r, true);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return fd < 0 ? -1 : 0;
}

/* The mill: deleting and compressing backups. */

struct backup {
	char *name;
	int64_t ms;
	bool gz;
};

static int digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* The time in a backup's name, or -1 if the name is not one of ours. */
static int64_t backup_time(const struct sink_rotator *r, const char *name, bool *gz)
{
	size_t n = strlen(name), stem = r->prefix_len + STAMP_LEN + r->ext_len;
	*gz = n == stem + 3 && memcmp(name + stem, ".gz", 3) == 0;
	if ((n != stem && !*gz) || memcmp(name, r->prefix, r->prefix_len) != 0 ||
	    memcmp(name + r->prefix_len + STAMP_LEN, r->ext, r->ext_len) != 0)
		return -1;
	const char *t = name + r->prefix_len;
	if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != '-' || t[16] != '-' || t[19] != '.')
		return -1;
	int year = digits(t, 4), mon = digits(t + 5, 2), day = digits(t + 8, 2);
	int hour = digits(t + 11, 2), min = digits(t + 14, 2), sec = digits(t + 17, 2);
	int ms = digits(t + 20, 3);
	if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 60 || ms < 0)
		return -1;
	struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
			 .tm_hour = hour, .tm_min = min, .tm_sec = sec };
	time_t when = platform_timegm(&tm);
	return when < 0 ? -1 : (int64_t)when * 1000 + ms;
}

static int newest_first(const void *a, const void *b)
{
	const struct backup *x = a, *y = b;
	if (x->ms != y->ms)
		return x->ms > y->ms ? -1 : 1;
	return (int)x->gz - (int)y->gz;
}

/* scan_backups' list as the directory is read. */
struct scan {
	const struct sink_rotator *r;
	int64_t settled;
	struct backup *v;
	size_t len, cap;
	int rc;
};

static void scan_one(void *ctx, const char *name)
{
	struct scan *sc = ctx;
	struct backup b;
	if (sc->rc < 0)
		return;
	b.ms = backup_time(sc->r, name, &b.gz);
	if (b.ms < 0 || b.ms > sc->settled)
		return;
	if (sc->len == sc->cap) {
		size_t ncap = sc->cap ? 2 * sc->cap : 16;
		struct backup *nv = realloc(sc->v, ncap * sizeof *nv);
		if (!nv) {
			sc->rc = -1;
			return;
		}
		sc->v = nv;
		sc->cap = ncap;
	}
	if (!(b.name = strdup(name))) {
		sc->rc = -1;
		return;
	}
	sc->v[sc->len++] = b;
}

/* Our backups in the directory, newest first; *n of them, or -1. */
static int scan_backups(struct sink *s, int64_t settled, struct backup **out, size_t *n)
{
	struct sink_rotator *r = s->rot;
	struct scan sc = { .r = r, .settled = settled };
	if (platform_dir_list(r->dirfd, scan_one, &sc) < 0) {
		mill_fail(s, FAIL_SCAN, "listing the directory of", r->base, errno);
		free(sc.v);
		return -1;
	}
	struct backup *v = sc.v;
	size_t len = sc.len;
	int rc = sc.rc;
	if (rc < 0) {
		mill_fail(s, FAIL_SCAN, "listing the directory of", r->base, ENOMEM);
		for (size_t i = 0; i < len; i++)
			free(v[i].name);
		free(v);
		return -1;
	}
	if (len)
		qsort(v, len, sizeof *v, newest_first);
	*out = v;
	*n = len;
	return 0;
}

/* <name> to <name>.gz; the original goes only once the copy is complete. */
static void compress_backup(struct sink *s, const char *name)
{
	struct sink_rotator *r = s->rot;
	char gzname[NAME_MAX_LEN];
	snprintf(gzname, sizeof gzname, "%s.gz", name);
	int in = platform_open_read(r->dirfd, name);
	if (in < 0) {
		if (errno != ENOENT)
			mill_fail(s, FAIL_COMPRESS, "reading", name, errno);
		return;
	}
	struct stat st;
	mode_t mode = fstat(in, &st) == 0 ? (st.st_mode & 0777) : 0644;
	int out = platform_open_create(r->dirfd, gzname, (int)mode);
	if (out < 0) {
		mill_fail(s, FAIL_COMPRESS, "creating", gzname, errno);
		close(in);
		return;
	}
	gzFile gz = gzdopen(out, "wb");
	if (!gz) {
		close(out);
		close(in);
		platform_unlink(r->dirfd, gzname);
		mill_fail(s, FAIL_COMPRESS, "compressing", name, ENOMEM);
		return;
	}
	gzbuffer(gz, COPY_CHUNK);
	char buf[COPY_CHUNK];
	int err = 0;
	for (;;) {
		ssize_t got = read(in, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = errno;
			break;
		}
		if (got == 0)
			break;
		if (gzwrite(gz, buf, (unsigned)got) != (int)got) {
			err = errno ? errno : EIO;
			break;
		}
	}
	errno = 0;
	if (gzclose(gz) != Z_OK && !err)
		err = errno ? errno : EIO;
	close(in);
	if (err) {
		platform_unlink(r->dirfd, gzname);
		mill_fail(s, FAIL_COMPRESS, "compressing", name, err);
	} else if (platform_unlink(r->dirfd, name) < 0 && errno != ENOENT) {
		mill_fail(s, FAIL_DELETE, "deleting", name, errno);
	}
}

/* One pass: delete what is too old or too many, then compress the rest.  A
 * backup and its .gz (a compression cut short) count as one. */
static void mill_once(struct sink *s, int64_t settled)
{
	struct sink_rotator *r = s->rot;
	struct backup *v;
	size_t n;
	if (scan_backups(s, settled, &v, &n) < 0)
		return;
	int64_t cutoff = r->cfg.max_age_days ? now_ms() - (int64_t)r->cfg.max_age_days * 86400000 : INT64_MIN;
	unsigned kept = 0;
	bool drop = false;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || v[i].ms != v[i - 1].ms) {
			drop = v[i].ms < cutoff || (r->cfg.max_backups && kept >= r->cfg.max_backups);
			kept += !drop;
		}
		if (drop) {
			if (platform_unlink(r->dirfd, v[i].name) < 0 && errno != ENOENT)
				mill_fail(s, FAIL_DELETE, "deleting", v[i].name, errno);
		} else if (r->cfg.compress && !v[i].gz) {
			compress_backup(s, v[i].name);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static void *mill_run(void *arg)
{
	struct sink_rotator *r = arg;
	struct sink *s = r->owner;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		if (r->work) {
			r->work = false;
			int64_t settled = r->settled_ms;
			pthread_mutex_unlock(&r->mu);
			mill_once(s, settled);
			pthread_mutex_lock(&r->mu);
			continue;
		}
		if (r->stop)
			break;
		pthread_cond_wait(&r->cv, &r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void rotator_free(struct sink_rotator *r)
{
	platform_dir_close(r->dirfd);
	free(r->base);
	free(r->prefix);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

int sink_set_rotation(struct sink *s, const struct sink_rotation *cfg)
{
	if (!s->owns_fd || s->rot) {
		errno = EINVAL;
		return -1;
	}
	if (cfg->max_bytes == 0)
		return 0;
	struct sink_rotator *r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->cfg = *cfg;
	r->dirfd = -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	const char *base;
	char *dir = platform_path_split(s->name, &base);
	r->base = strdup(base);
	const char *dot = r->base ? strrchr(r->base, '.') : NULL;
	r->ext = dot ? dot : "";
	r->ext_len = strlen(r->ext);
	r->prefix_len = strlen(base) - r->ext_len + 1;
	r->prefix = malloc(r->prefix_len + 1);
	if (!dir || !r->base || !r->prefix || !*base) {
		free(dir);
		rotator_free(r);
		errno = *base ? ENOMEM : EINVAL;
		return -1;
	}
	memcpy(r->prefix, base, r->prefix_len - 1);
	memcpy(r->prefix + r->prefix_len - 1, "-", 2);
	r->dirfd = platform_dir_open(dir);
	int err = errno;
	free(dir);
	if (r->dirfd < 0) {
		rotator_free(r);
		errno = err;
		return -1;
	}
	r->settled_ms = now_ms(); /* backups from earlier runs are the mill's too */
	r->owner = s;
	if (cfg->compress || cfg->max_backups || cfg->max_age_days) {
		/* Signals are for the main thread.  The mill waits for a first
		 * kick, given once the sink has r. */
		err = platform_thread_create(&r->thread, mill_run, r);
		if (err) {
			rotator_free(r);
			errno = err;
			return -1;
		}
		r->has_thread = true;
	}
	pthread_mutex_lock(&s->lock);
	s->rot = r;
	pthread_mutex_unlock(&s->lock);
	if (r->has_thread)
		mill_kick(r, false);
	return 0;
}

void sink_close(struct sink *s)
{
	struct sink_rotator *r = s->rot;
	if (r && r->has_thread) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
	}
	if (s->owns_fd && close(s->fd) < 0) {
		s->errors++;
		progress_eprintf("pdnslog: closing %s: %s\n", s->name, strerror(errno));
	}
	if (r)
		rotator_free(r);
	s->rot = NULL;
	pthread_mutex_destroy(&s->lock);
}
