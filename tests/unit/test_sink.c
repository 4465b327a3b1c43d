/* Unit tests: the -logfile sink's rotation by size, and the records a sink
 * counts written and lost.  Numbered lines go through a rotating sink in a
 * temporary directory; the backups (oldest first) and the current file, read
 * back, must hold every line once, whole, in order, with batches never split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "sink/sink.h"

#define MAX_BYTES 10240
#define THREADS 2
#define BIG_LINES 300 /* one batch of these is bigger than MAX_BYTES */

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	/* tmpfs when there is one: creating files on a disk can take a
	 * millisecond each, and the tests make some thousands. */
	strcpy(f->dir, "/dev/shm/pdnslog-sink-XXXXXX");
	if (!mkdtemp(f->dir)) {
		strcpy(f->dir, "/tmp/pdnslog-sink-XXXXXX");
		if (!mkdtemp(f->dir))
			return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/pdns.log", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Batches of lines "t<thread> b<batch> i<index>/<count> s<seq> <padding>". */
struct writer {
	struct sink *sink;
	int tid, batches, big_at; /* big_at: which batch is the oversized one, or -1 */
	int lines;                /* lines written */
};

static size_t make_batch(char *buf, int tid, int b, int k, int *seq)
{
	size_t n = 0;
	for (int i = 0; i < k; i++) {
		int pad = 5 + (*seq * 7 + b) % 40;
		n += (size_t)sprintf(buf + n, "t%d b%d i%d/%d s%d %.*s\n", tid, b, i, k, (*seq)++, pad,
				     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	}
	return n;
}

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	char *buf = malloc(BIG_LINES * 100);
	int seq = 0;
	for (int b = 0; b < w->batches; b++) {
		int k = b == w->big_at ? BIG_LINES : 1 + (b * 7 + w->tid) % 13;
		size_t n = make_batch(buf, w->tid, b, k, &seq);
		sink_write(w->sink, buf, n, (size_t)k);
	}
	w->lines = seq;
	free(buf);
	return NULL;
}

static void run_writers(struct sink *s, int nthreads, int batches, int big_at, int *lines)
{
	pthread_t th[THREADS];
	struct writer w[THREADS];
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct writer){ .sink = s, .tid = i, .batches = batches, .big_at = i == 0 ? big_at : -1 };
		assert_int_equal(pthread_create(&th[i], NULL, writer_run, &w[i]), 0);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		lines[i] = w[i].lines;
	}
}

static int sort_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in the directory, sorted; backups are those matching the pattern. */
struct names {
	char *v[4096];
	int n;
};

static void list_dir(const char *dir, struct names *all, struct names *backups)
{
	regex_t re;
	assert_int_equal(regcomp(&re, "^pdns-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}"
				 "\\.[0-9]{3}\\.log(\\.gz)?$", REG_EXTENDED | REG_NOSUB), 0);
	all->n = backups->n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		assert_true(all->n < 4096);
		all->v[all->n++] = strdup(de->d_name);
		if (regexec(&re, de->d_name, 0, NULL, 0) == 0)
			backups->v[backups->n++] = strdup(de->d_name);
	}
	closedir(d);
	regfree(&re);
	qsort(all->v, (size_t)all->n, sizeof all->v[0], sort_strings);
	qsort(backups->v, (size_t)backups->n, sizeof backups->v[0], sort_strings); /* by time */
}

static void free_names(struct names *n)
{
	for (int i = 0; i < n->n; i++)
		free(n->v[i]);
	n->n = 0;
}

/* A whole file, decompressed if it is gzip (gzread passes plain files through). */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	gzFile gz = gzopen(path, "rb");
	assert_non_null(gz);
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap);
	int got;
	while ((got = gzread(gz, p + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)got;
		if (n == cap)
			p = realloc(p, cap *= 2);
	}
	assert_int_equal(got, 0);
	gzclose(gz);
	*len = n;
	return p;
}

static bool is_gzip(const char *dir, const char *name)
{
	char path[512];
	unsigned char magic[2] = { 0 };
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(magic, 1, 2, fp);
	fclose(fp);
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* Reads files in order and checks the lines in them. */
struct checker {
	int next[THREADS];   /* next sequence number per thread; -1 until the first (tail mode) */
	bool tail;           /* older lines were deleted: threads may start anywhere */
	int open_t, open_b, open_i, open_k; /* the batch being read, open_k 0 if none */
	int oversized;       /* files bigger than MAX_BYTES (each a single batch) */
	int files;
};

static void check_file(struct checker *c, const char *dir, const char *name, uint64_t max)
{
	size_t len;
	char *p = slurp(dir, name, &len);
	c->files++;
	if (len)
		assert_int_equal(p[len - 1], '\n'); /* no line split at the end */
	int batches = 0;
	for (char *line = p; line < p + len;) {
		char *nl = memchr(line, '\n', (size_t)(p + len - line));
		*nl = '\0';
		int t, b, i, k, seq;
		if (sscanf(line, "t%d b%d i%d/%d s%d ", &t, &b, &i, &k, &seq) != 5)
			fail_msg("%s: malformed line \"%s\"", name, line);
		assert_true(t >= 0 && t < THREADS);
		if (c->open_k) { /* the rest of a batch, contiguous */
			assert_int_equal(t, c->open_t);
			assert_int_equal(b, c->open_b);
			assert_int_equal(i, c->open_i);
		} else {
			if (i != 0)
				fail_msg("%s: batch t%d b%d starts at line %d", name, t, b, i);
			c->open_t = t, c->open_b = b, c->open_k = k;
			batches++;
		}
		if (c->next[t] < 0)
			c->next[t] = seq;
		if (seq != c->next[t])
			fail_msg("%s: thread %d: line s%d where s%d was due", name, t, seq, c->next[t]);
		c->next[t]++;
		c->open_i = i + 1;
		if (c->open_i == c->open_k)
			c->open_k = 0;
		line = nl + 1;
	}
	if (c->open_k)
		fail_msg("%s: batch t%d b%d split across files", name, c->open_t, c->open_b);
	if (len > max) {
		assert_int_equal(batches, 1);
		c->oversized++;
	}
	free(p);
}

static void checker_init(struct checker *c, bool tail)
{
	memset(c, 0, sizeof *c);
	c->tail = tail;
	for (int i = 0; i < THREADS; i++)
		c->next[i] = tail ? -1 : 0;
}

/* Every backup (oldest first) then the current file. */
static void check_all(struct checker *c, const char *dir, struct names *backups, uint64_t max)
{
	struct names all;
	list_dir(dir, &all, backups);
	for (int i = 0; i < backups->n; i++)
		check_file(c, dir, backups->v[i], max);
	check_file(c, dir, "pdns.log", max);
	free_names(&all);
}

static void no_loss_two_threads(void **state)
{
	struct fixture *f = *state;
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = MAX_BYTES };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	int lines[THREADS];
	run_writers(&s, THREADS, 500, 250, lines);
	sink_close(&s);
	assert_int_equal(s.errors, 0);

	struct checker c;
	struct names backups;
	checker_init(&c, false);
	check_all(&c, f->dir, &backups, MAX_BYTES);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(c.next[i], lines[i]);
	assert_true(backups.n >= 20);
	assert_int_equal(c.oversized, 1); /* the big batch alone */
	free_names(&backups);
}

/* One-line batches each over the file's limit: a rotation per batch,
 * hundreds in a few milliseconds, all under distinct names. */
static void same_millisecond(void **state)
{
	struct fixture *f = *state;
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = 10 };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	char buf[128];
	int seq = 0;
	for (int b = 0; b < 200; b++)
		sink_write(&s, buf, make_batch(buf, 0, b, 1, &seq), 1);
	sink_close(&s);
	assert_int_equal(s.errors, 0);

	struct checker c;
	struct names backups;
	checker_init(&c, false);
	check_all(&c, f->dir, &backups, 10);
	assert_int_equal(c.next[0], 200);
	assert_int_equal(backups.n, 199);
	assert_int_equal(c.oversized, 200); /* every line is longer than 10 bytes */
	free_names(&backups);
}

static void backup_name_at(char *out, size_t outlen, int64_t ms, const char *ext)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
	snprintf(out, outlen, "pdns-%s.%03d%s", stamp, (int)(ms % 1000), ext);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Names already taken (by another run), plain or compressed, are skipped.
 * The taken names cover 100 ms from a moment ahead, and the rotation waits
 * for that moment: it lands among them however slowly they were made. */
static void taken_names_skipped(void **state)
{
	struct fixture *f = *state;
	int64_t start = wall_ms() + 300;
	char name[128], last[128];
	for (int i = 0; i < 100; i++) {
		backup_name_at(name, sizeof name, start + i, i % 3 ? ".log" : ".log.gz");
		write_file(f->dir, name, "fake\n");
	}
	backup_name_at(last, sizeof last, start + 99, ".log");
	int64_t wait = start - wall_ms();
	if (wait > 0)
		nanosleep(&(struct timespec){ .tv_sec = wait / 1000, .tv_nsec = wait % 1000 * 1000000 }, NULL);
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = 20 };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	char buf[256];
	int seq = 0;
	for (int b = 0; b < 2; b++)
		sink_write(&s, buf, make_batch(buf, 0, b, 1, &seq), 1);
	sink_close(&s);
	assert_int_equal(s.errors, 0);

	struct names all, backups;
	list_dir(f->dir, &all, &backups);
	assert_int_equal(backups.n, 101);
	int ours = 0;
	for (int i = 0; i < backups.n; i++) {
		size_t len;
		char *p = slurp(f->dir, backups.v[i], &len);
		if (len != 5 || memcmp(p, "fake\n", 5)) {
			ours++;
			assert_true(strcmp(backups.v[i], last) > 0); /* pushed past every taken name */
			assert_memory_equal(p, "t0 b0 i0/1 s0 ", 14);
		}
		free(p);
	}
	assert_int_equal(ours, 1);
	free_names(&all);
	free_names(&backups);
}

/* With max_backups, only the newest stay; what is left is the tail of the
 * lines, whole. */
static void prune_max_backups(void **state)
{
	struct fixture *f = *state;
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = MAX_BYTES, .max_backups = 3 };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	int lines[THREADS];
	run_writers(&s, 1, 600, -1, lines);
	sink_close(&s);
	assert_int_equal(s.errors, 0);

	struct checker c;
	struct names backups;
	checker_init(&c, true);
	check_all(&c, f->dir, &backups, MAX_BYTES);
	assert_int_equal(backups.n, 3);
	assert_int_equal(c.next[0], lines[0]); /* the tail reaches the last line */
	free_names(&backups);
}

/* max_age deletes backups whose name says they are older, and nothing that
 * is not a backup of this file. */
static void prune_max_age(void **state)
{
	struct fixture *f = *state;
	char recent[128];
	backup_name_at(recent, sizeof recent, wall_ms() - 86400 * 1000, ".log");
	const char *old[] = { "pdns-2001-01-01T00-00-00.000.log", "pdns-2001-01-02T00-00-00.000.log.gz" };
	const char *other[] = { recent, "pdns-notadate.log", "other.txt",
				"pdns-2001-01-01T00-00-00.000.txt", "dns-2001-01-01T00-00-00.000.log" };
	for (size_t i = 0; i < 2; i++)
		write_file(f->dir, old[i], "old\n");
	for (size_t i = 0; i < 5; i++)
		write_file(f->dir, other[i], "keep\n");

	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = MAX_BYTES, .max_age_days = 7 };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	int lines[THREADS];
	run_writers(&s, 1, 100, -1, lines);
	sink_close(&s);
	assert_int_equal(s.errors, 0);

	struct names all, backups;
	list_dir(f->dir, &all, &backups);
	for (size_t i = 0; i < 2; i++)
		assert_null(bsearch(&old[i], all.v, (size_t)all.n, sizeof all.v[0], sort_strings));
	for (size_t i = 0; i < 5; i++)
		assert_non_null(bsearch(&other[i], all.v, (size_t)all.n, sizeof all.v[0], sort_strings));
	assert_true(backups.n >= 3); /* the recent fake and ours */
	free_names(&all);
	free_names(&backups);
}

/* Compressed backups, made while two threads write, hold every line. */
static void compress_backups(void **state)
{
	struct fixture *f = *state;
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = MAX_BYTES, .compress = true };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	int lines[THREADS];
	run_writers(&s, THREADS, 300, 100, lines);
	sink_close(&s); /* waits for the last compression */
	assert_int_equal(s.errors, 0);

	struct checker c;
	struct names backups;
	checker_init(&c, false);
	check_all(&c, f->dir, &backups, UINT64_MAX); /* sizes: compressed, not comparable */
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(c.next[i], lines[i]);
	assert_true(backups.n >= 10);
	for (int i = 0; i < backups.n; i++) {
		size_t n = strlen(backups.v[i]);
		assert_string_equal(backups.v[i] + n - 3, ".gz"); /* no uncompressed one left */
		assert_true(is_gzip(f->dir, backups.v[i]));
	}
	free_names(&backups);
}

/* logrotate moves the file and sends SIGHUP: rotation goes on in the new one. */
static void reopen_with_rotation(void **state)
{
	struct fixture *f = *state;
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = MAX_BYTES, .max_backups = 0 };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	char buf[4096];
	int seq = 0, b = 0;
	for (; b < 20; b++)
		sink_write(&s, buf, make_batch(buf, 0, b, 3, &seq), 3);
	char moved[128];
	snprintf(moved, sizeof moved, "%s/pdns.log.1", f->dir);
	assert_int_equal(rename(f->path, moved), 0);
	assert_int_equal(sink_reopen(&s), 0);
	for (; b < 600; b++)
		sink_write(&s, buf, make_batch(buf, 0, b, 3, &seq), 3);
	sink_close(&s);
	assert_int_equal(s.errors, 0);

	struct checker c;
	struct names backups;
	checker_init(&c, false);
	check_file(&c, f->dir, "pdns.log.1", MAX_BYTES);
	assert_int_equal(c.files, 1);
	check_all(&c, f->dir, &backups, MAX_BYTES);
	assert_int_equal(c.next[0], seq);
	assert_int_equal(c.oversized, 0);
	assert_true(backups.n >= 5);
	free_names(&backups);
}

/* A file already over the limit at start is rotated before the first batch;
 * its size is taken from the file, not assumed 0. */
static void existing_file_counts(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "pdns.log", "t1 b0 i0/1 s0 from an earlier run: with the next batch, over the limit\n");
	struct sink s;
	assert_int_equal(sink_open_file(&s, f->path), 0);
	struct sink_rotation r = { .max_bytes = 80 };
	assert_int_equal(sink_set_rotation(&s, &r), 0);
	char buf[256];
	int seq = 0;
	sink_write(&s, buf, make_batch(buf, 0, 0, 1, &seq), 1);
	sink_close(&s);

	struct checker c;
	struct names backups;
	checker_init(&c, false);
	check_all(&c, f->dir, &backups, 80);
	assert_int_equal(backups.n, 1);
	assert_int_equal(c.next[0], 1);
	assert_int_equal(c.next[1], 1);
	free_names(&backups);
}

static void rotation_needs_a_file(void **state)
{
	struct fixture *f = *state;
	struct sink s;
	struct sink_rotation r = { .max_bytes = 100 };
	assert_int_equal(sink_open_stdout(&s), 0);
	assert_int_equal(sink_set_rotation(&s, &r), -1);
	assert_int_equal(errno, EINVAL);
	sink_close(&s);
	/* max_bytes 0: no rotation, nothing started */
	struct sink_rotation off = { .max_bytes = 0, .compress = true };
	assert_int_equal(sink_open_file(&s, f->path), 0);
	assert_int_equal(sink_set_rotation(&s, &off), 0);
	assert_null(s.rot);
	sink_close(&s);
}

static int gone_calls;
static void on_gone(void *arg)
{
	gone_calls++;
	*(int *)arg = 1;
}

/* Records per batch: written, or lost by a failed write (/dev/full), or
 * lost because standard output's reader went away (EPIPE: no error, the
 * callback once, nothing written after). */
static void counts_records(void **state)
{
	char buf[4096];
	int seq = 0;
	struct sink s;
	assert_int_equal(sink_open_file(&s, "/dev/full"), 0);
	assert_int_equal(sink_write(&s, buf, make_batch(buf, 0, 0, 3, &seq), 3), 0);
	assert_int_equal(sink_write(&s, buf, make_batch(buf, 0, 1, 2, &seq), 2), 0);
	assert_int_equal(s.records, 0);
	assert_int_equal(s.lost, 5);
	assert_int_equal(s.errors, 2);
	sink_close(&s);

	int fds[2];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(sink_open_stdout(&s), 0);
	s.fd = fds[1]; /* standard output, as far as the sink knows */
	int gone = 0;
	sink_on_reader_gone(&s, on_gone, &gone);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	assert_int_equal(sink_write(&s, buf, make_batch(buf, 0, 2, 4, &seq), 4), 4);
	close(fds[0]);
	assert_int_equal(sink_write(&s, buf, make_batch(buf, 0, 3, 3, &seq), 3), 0);
	assert_int_equal(sink_write(&s, buf, make_batch(buf, 0, 4, 2, &seq), 2), 0);
	signal(SIGPIPE, old);
	assert_int_equal(gone, 1);
	assert_int_equal(gone_calls, 1);
	assert_int_equal(s.records, 4);
	assert_int_equal(s.lost, 5);
	assert_int_equal(s.errors, 0);
	sink_close(&s);
	close(fds[1]);
}

/* A write cut short (the file size limit): the lines written whole count,
 * the one cut and the rest are lost.  In a child, for the limit. */
static void counts_partial_write(void **state)
{
	struct fixture *f = *state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { 1000, 1000 };
		setrlimit(RLIMIT_FSIZE, &rl);
		struct sink s;
		char buf[8192];
		int seq = 0;
		if (sink_open_file(&s, f->path) < 0)
			_exit(10);
		size_t n = make_batch(buf, 0, 0, 60, &seq);
		size_t whole = 0;
		for (size_t i = 0; i < 1000 && i < n; i++)
			whole += buf[i] == '\n';
		size_t got = sink_write(&s, buf, n, 60);
		int ok = n > 1000 && got == whole && s.records == whole && s.lost == 60 - whole &&
			 s.errors == 1;
		sink_close(&s);
		_exit(ok ? 0 : 11);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(no_loss_two_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(same_millisecond, setup, teardown),
		cmocka_unit_test_setup_teardown(taken_names_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(prune_max_backups, setup, teardown),
		cmocka_unit_test_setup_teardown(prune_max_age, setup, teardown),
		cmocka_unit_test_setup_teardown(compress_backups, setup, teardown),
		cmocka_unit_test_setup_teardown(reopen_with_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(existing_file_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(rotation_needs_a_file, setup, teardown),
		cmocka_unit_test(counts_records),
		cmocka_unit_test_setup_teardown(counts_partial_write, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
