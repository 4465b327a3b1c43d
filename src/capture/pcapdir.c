/* pcapdir: -pcap_dir, following a directory of capture files as tcpdump
 * -G/-C (or dumpcap, dnscap, netsniff-ng) writes them: the files in the
 * order written, the newest read up to its end as it grows (inotify), the
 * position kept in -pcap_state (see capture.h).  POSIX (Linux) only: the
 * Windows build has a stand-in that refuses it. */
#include "capture/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/clock.h"

struct dir_seen {
	char *name;
	ino_t ino;
};

struct capture_dir {
	char *path;
	int dfd, ifd;             /* the directory; its inotify watch (or -1) */
	char *state, *state_tmp;  /* -pcap_state and its temporary, or NULL */
	const char *state_base;   /* its name, when it is in the directory */
	int done_mode;            /* 0 nothing, 1 delete, 2 move to done_dir */
	char *done_dir;
	struct dir_seen *seen;    /* files read (or skipped) already */
	size_t nseen, capseen;
	struct capture_input in;  /* the file being read */
	char cur[NAME_MAX + 1];   /* its name ("" before the first) */
	char paths[2][PATH_MAX];  /* its path and the previous file's, for messages */
	char *path_buf;
	ino_t cur_ino;
	int64_t cur_mtime;
	int cur_fd;               /* its descriptor (the stream's), -1 once closed */
	bool open;                /* being read, not finished */
	bool newer;               /* a newer file was seen: the next end is the end */
	bool scan_due;            /* inotify said something: look again */
	int64_t last_scan;
	char finished[NAME_MAX + 1]; /* the last file read to its end */
	/* Restart: the file to take up, and everything up to it is done. */
	bool have_floor;
	char floor_name[NAME_MAX + 1];
	ino_t floor_ino;
	int64_t floor_mtime;
	uint64_t floor_pos;
};

/* Names in order with the numbers in them compared as numbers (dns.pcap9
 * before dns.pcap10). */
static int natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *x = a, *y = b;
			while (*x == '0')
				x++;
			while (*y == '0')
				y++;
			size_t lx = 0, ly = 0;
			while (x[lx] >= '0' && x[lx] <= '9')
				lx++;
			while (y[ly] >= '0' && y[ly] <= '9')
				ly++;
			if (lx != ly)
				return lx < ly ? -1 : 1;
			int r = memcmp(x, y, lx);
			if (r)
				return r;
			a = x + lx;
			b = y + ly;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int keycmp(int64_t ma, const char *na, int64_t mb, const char *nb)
{
	if (ma != mb)
		return ma < mb ? -1 : 1;
	return natcmp(na, nb);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static bool dir_seen(const struct capture_dir *d, const char *name, ino_t ino)
{
	for (size_t i = 0; i < d->nseen; i++)
		if (d->seen[i].ino == ino && strcmp(d->seen[i].name, name) == 0)
			return true;
	return false;
}

static void dir_mark(struct capture_dir *d, const char *name, ino_t ino)
{
	if (dir_seen(d, name, ino))
		return;
	if (d->nseen == d->capseen) {
		size_t n = d->capseen ? d->capseen * 2 : 64;
		struct dir_seen *v = realloc(d->seen, n * sizeof *v);
		if (!v)
			return;
		d->seen = v;
		d->capseen = n;
	}
	char *copy = strdup(name);
	if (copy)
		d->seen[d->nseen++] = (struct dir_seen){ copy, ino };
}

/* Read what inotify says: anything is reason to look at the directory. */
static void dir_drain(struct capture_dir *d)
{
	if (d->ifd < 0) {
		d->scan_due = true;
		return;
	}
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(d->ifd, buf, sizeof buf) > 0)
		d->scan_due = true;
}

/* Names that writers give a file until it is finished and renamed
 * (name.tmp, name.part): reading one would read its data twice. */
static bool being_written(const char *name)
{
	size_t n = strlen(name);
	return (n > 4 && strcmp(name + n - 4, ".tmp") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".part") == 0);
}

/* The next file to read: the oldest (modification time, then name) of the
 * capture candidates not read yet, other than the one being read; with
 * newer_than >= 0, only one modified at or after that.  0 and its name, or
 * -1 when there is none. */
static int dir_scan(struct capture *c, int64_t newer_than, char *name, ino_t *ino, int64_t *mtime)
{
	struct capture_dir *d = c->dir;
	d->last_scan = monotonic_ns();
	d->scan_due = false;
	int fd = openat(d->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	bool found = false;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.' || strchr(e->d_name, '\n') || being_written(e->d_name) ||
		    (d->state_base && strcmp(e->d_name, d->state_base) == 0))
			continue;
		struct stat st;
		if (fstatat(d->dfd, e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((d->open || newer_than >= 0) && st.st_ino == d->cur_ino && strcmp(e->d_name, d->cur) == 0)
			continue;
		if (dir_seen(d, e->d_name, st.st_ino))
			continue;
		int64_t m = mtime_ns(&st);
		if (d->have_floor && !(st.st_ino == d->floor_ino && strcmp(e->d_name, d->floor_name) == 0) &&
		    keycmp(m, e->d_name, d->floor_mtime, d->floor_name) <= 0) {
			dir_mark(d, e->d_name, st.st_ino); /* read before the restart */
			continue;
		}
		if (newer_than >= 0 && m < newer_than)
			continue;
		if (!found || keycmp(m, e->d_name, *mtime, name) < 0) {
			found = true;
			snprintf(name, NAME_MAX + 1, "%s", e->d_name);
			*ino = st.st_ino;
			*mtime = m;
		}
	}
	closedir(dp);
	return found ? 0 : -1;
}

/* At the end of the file being read: is there more to wait for? */
static enum input_at_end dir_at_end(void *ctx)
{
	struct capture *c = ctx;
	struct capture_dir *d = c->dir;
	if (d->newer)
		return INPUT_END; /* read once more after the newer file was seen: done */
	dir_drain(d);
	if (d->scan_due || monotonic_ns() - d->last_scan > 1000000000LL) {
		struct stat st;
		int64_t since = d->cur_fd >= 0 && fstat(d->cur_fd, &st) == 0 ? mtime_ns(&st) : d->cur_mtime;
		char name[NAME_MAX + 1];
		ino_t ino;
		int64_t m;
		if (dir_scan(c, since, name, &ino, &m) == 0) {
			d->newer = true;
			return INPUT_RETRY; /* what was written before it was */
		}
	}
	return INPUT_WAIT;
}

void capture_dir_follow_next(struct capture *c)
{
	input_follow(NULL, dir_at_end, c, c->dir->ifd);
}

/* The file being read is finished (a newer one exists): remember it, save
 * the position, and delete or move it if asked. */
static void dir_finish(struct capture *c)
{
	struct capture_dir *d = c->dir;
	d->open = false;
	d->cur_fd = -1;
	dir_mark(d, d->cur, d->cur_ino);
	snprintf(d->finished, sizeof d->finished, "%s", d->cur);
	if (d->have_floor) { /* everything before it is marked read */
		d->have_floor = false;
	}
	char err[CAPTURE_ERRLEN];
	if (capture_dir_save(c, err) < 0)
		capture_note(c, "%s", err);
	if (d->done_mode == 1 && unlinkat(d->dfd, d->cur, 0) < 0)
		capture_note(c, "-pcap_done delete: %s/%s: %s", d->path, d->cur, strerror(errno));
	if (d->done_mode == 2) {
		char to[PATH_MAX];
		snprintf(to, sizeof to, "%s/%s", d->done_dir, d->cur);
		if (rename(d->path_buf, to) < 0)
			capture_note(c, "-pcap_done move: %s to %s: %s", d->path_buf, to, strerror(errno));
	}
}

int capture_dir_open_next(struct capture *c, char *err)
{
	struct capture_dir *d = c->dir;
	if (d->open && !c->stopped)
		dir_finish(c);
	for (;;) {
		if (c->stopped)
			return 0;
		char name[NAME_MAX + 1];
		ino_t ino;
		int64_t m;
		dir_drain(d);
		if (dir_scan(c, -1, name, &ino, &m) < 0) {
			/* Nothing new: wait for inotify, a second at most between looks. */
			struct pollfd pfd = { .fd = d->ifd, .events = POLLIN };
			poll(&pfd, d->ifd >= 0, CAPTURE_POLL_MS);
			if (c->hooks.idle && c->hooks.idle(c->hooks.ctx))
				c->stopped = true;
			continue;
		}
		int fd = openat(d->dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || st.st_ino != ino) {
			if (fd >= 0)
				close(fd); /* gone or replaced meanwhile: look again */
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		snprintf(d->cur, sizeof d->cur, "%s", name);
		d->path_buf = d->paths[d->path_buf == d->paths[0]];
		snprintf(d->path_buf, PATH_MAX, "%s/%s", d->path, name);
		d->cur_ino = ino;
		d->cur_mtime = m;
		d->cur_fd = fd;
		d->open = true;
		d->newer = false;
		d->scan_due = true; /* at its first end, look for a newer one at once */
		d->in = (struct capture_input){ .name = d->path_buf, .fd = fd, .regular = true, .follow = true };
		bool resume = d->have_floor && ino == d->floor_ino && strcmp(name, d->floor_name) == 0;
		uint64_t skip = resume ? d->floor_pos : 0;
		c->cur++;
		c->ninputs = c->cur;
		if (capture_open_input(c, &d->in, err) == 0) {
			c->skip = skip;
			c->in_pos = 0;
			if (resume && c->debug)
				capture_note(c, "debug: %s: taken up after %llu packets (-pcap_state)", d->path_buf,
				     (unsigned long long)skip);
			return 1;
		}
		if (c->stopped)
			return 0; /* stopped while the file's header was awaited */
		/* Not a capture (or its link type is not read): said, not retried. */
		d->open = false;
		d->cur_fd = -1;
		dir_mark(d, name, ino);
		return -1;
	}
}

static char *dup_printf(const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + strlen(fmt) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, fmt, a, b);
	return p;
}

/* -pcap_state as written by capture_dir_save. */
static void dir_load_state(struct capture *c)
{
	struct capture_dir *d = c->dir;
	FILE *f = fopen(d->state, "r");
	if (!f)
		return;
	char line[PATH_MAX + 64];
	bool have_file = false;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *v = strchr(line, '=');
		if (!v)
			continue;
		*v++ = 0;
		if (strcmp(line, "file") == 0 && *v && strlen(v) <= NAME_MAX) {
			snprintf(d->floor_name, sizeof d->floor_name, "%s", v);
			have_file = true;
		} else if (strcmp(line, "inode") == 0) {
			d->floor_ino = (ino_t)strtoull(v, NULL, 10);
		} else if (strcmp(line, "mtime_ns") == 0) {
			d->floor_mtime = strtoll(v, NULL, 10);
		} else if (strcmp(line, "packets") == 0) {
			d->floor_pos = strtoull(v, NULL, 10);
		} else if (strcmp(line, "finished") == 0) {
			snprintf(d->finished, sizeof d->finished, "%s", v);
		}
	}
	fclose(f);
	d->have_floor = have_file;
	if (have_file && c->debug)
		capture_note(c, "debug: -pcap_state %s: taking up at %s (inode %llu) after %llu packets", d->state,
		     d->floor_name, (unsigned long long)d->floor_ino, (unsigned long long)d->floor_pos);
}

int capture_dir_save(struct capture *c, char *err)
{
	struct capture_dir *d = c->dir;
	if (!d || !d->state)
		return 0;
	const char *name;
	unsigned long long ino, pos;
	long long mtime;
	if (d->cur[0]) {
		name = d->cur;
		ino = (unsigned long long)d->cur_ino;
		mtime = (long long)d->cur_mtime;
		pos = (unsigned long long)(c->in_pos + c->skip);
	} else if (d->have_floor) { /* nothing read since the start */
		name = d->floor_name;
		ino = (unsigned long long)d->floor_ino;
		mtime = (long long)d->floor_mtime;
		pos = (unsigned long long)d->floor_pos;
	} else {
		return 0;
	}
	char buf[3 * PATH_MAX];
	int n = snprintf(buf, sizeof buf, "file=%s\ninode=%llu\nmtime_ns=%lld\npackets=%llu\nfinished=%s\n",
			 name, ino, mtime, pos, d->finished);
	int fd = open(d->state_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n || fsync(fd) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "-pcap_state %s: %s", d->state_tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (rename(d->state_tmp, d->state) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "-pcap_state %s: %s", d->state, strerror(errno));
		return -1;
	}
	return 0;
}

void capture_dir_free(struct capture *c)
{
	struct capture_dir *d = c->dir;
	if (!d)
		return;
	for (size_t i = 0; i < d->nseen; i++)
		free(d->seen[i].name);
	free(d->seen);
	if (d->dfd >= 0)
		close(d->dfd);
	if (d->ifd >= 0)
		close(d->ifd);
	free(d->path);
	free(d->state);
	free(d->state_tmp);
	free(d->done_dir);
	free(d);
	c->dir = NULL;
}

int capture_open_dir(struct capture *c, const char *dir, const char *state, const char *done,
		     const struct capture_hooks *hooks, bool debug, char *err)
{
	capture_start(c, hooks, debug);
	struct capture_dir *d = c->dir = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, CAPTURE_ERRLEN, "out of memory");
		return -1;
	}
	d->dfd = d->ifd = d->cur_fd = -1;
	d->path = strdup(dir);
	d->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat dst;
	if (!d->path || d->dfd < 0 || fstat(d->dfd, &dst) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "-pcap_dir %s: %s", dir, strerror(errno));
		goto fail;
	}
	d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->ifd < 0 || inotify_add_watch(d->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		/* Without inotify: the directory is looked at every second. */
		capture_note(c, "-pcap_dir %s: no inotify (%s): looking at it every second", dir, strerror(errno));
		if (d->ifd >= 0)
			close(d->ifd);
		d->ifd = -1;
	}
	if (done && strcmp(done, "delete") == 0) {
		d->done_mode = 1;
	} else if (done && strncmp(done, "move:", 5) == 0) {
		d->done_mode = 2;
		d->done_dir = strdup(done + 5);
		struct stat st;
		if (!d->done_dir || stat(done + 5, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, CAPTURE_ERRLEN, "-pcap_done %s: %s", done,
				 d->done_dir && errno ? strerror(errno) : "not a directory");
			goto fail;
		}
	}
	if (state) {
		const char *slash = strrchr(state, '/');
		const char *base = slash ? slash + 1 : state;
		char *sdir = slash ? strndup(state, (size_t)(slash - state + (slash == state))) : strdup(".");
		d->state = strdup(state);
		d->state_tmp = sdir ? dup_printf("%s/.%s.tmp", sdir, base) : NULL;
		struct stat sst;
		if (sdir && stat(sdir, &sst) == 0 && sst.st_dev == dst.st_dev && sst.st_ino == dst.st_ino)
			d->state_base = d->state + (base - state);
		free(sdir);
		if (!d->state || !d->state_tmp || !*base) {
			snprintf(err, CAPTURE_ERRLEN, "-pcap_state %s: not a file name", state);
			goto fail;
		}
		dir_load_state(c);
	}
	d->scan_due = true;
	return 0;
fail:
	capture_dir_free(c);
	return -1;
}
