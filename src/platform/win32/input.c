/* win32/input: capture inputs as stdio streams on Windows (input.h), in
 * place of capture/input.c, which needs fopencookie() and poll().
 *
 * A regular file that is not compressed goes to libpcap as on Linux
 * (input_open_plain).  Standard input and pipes go through a pump: a thread
 * copies the input into a pipe of pdnslog's own, which libpcap reads, and
 * keeps the first bytes for input_peek().  A stop request (Ctrl-C:
 * win32_input_stop) closes that pipe, so the stream ends at once, as the
 * poll() of a quiet pipe lets it end on Linux.  Unlike Linux, the idle hook
 * is not called while libpcap waits for a quiet pipe: housekeeping (stats
 * records) runs between packets only.  The pump decompresses what it
 * recognises by the first bytes and this build has a decoder for: gzip
 * (zlib); the other formats are refused with one line.  A reader lives
 * until the process ends (one for standard input, one for each compressed
 * file). */
#include "capture/input.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <io.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "platform/win32/win32.h"

#define PUMP_CHUNK (64u << 10)

struct input_reader {
	int fd;                 /* the input */
	int out;                /* our pipe's writing end, -1 once closed */
	const char *name;
	pthread_mutex_t mu;     /* head, head_done, raw_bytes, failed, err */
	pthread_cond_t cv;
	pthread_mutex_t out_mu; /* out: the pump's writes, and the close */
	uint8_t head[INPUT_HEAD_MAX];
	size_t head_len;
	bool head_done;         /* the input ended before head was full */
	_Atomic uint64_t raw_bytes;
	/* The first raw bytes, to recognise a compression, handed out again. */
	uint8_t magic[DECOMPRESS_MAGIC_LEN];
	size_t magic_len, magic_pos;
	enum compression kind;
	bool kind_known;
	struct decompressor *dz;
	atomic_bool stopped;
	bool failed;
	char err[CAPTURE_ERRLEN];
	pthread_t thread;
};

static pthread_mutex_t pumps_mu = PTHREAD_MUTEX_INITIALIZER;
static struct input_reader *pumping; /* the reader whose pump runs, or NULL */
static atomic_bool stop_all;

FILE *input_open_plain(int fd, char **iobuf)
{
	*iobuf = NULL;
	FILE *fp = _fdopen(fd, "rb");
	if (!fp)
		return NULL;
	char *buf = malloc(CAPTURE_FILE_BUFFER);
	if (buf && setvbuf(fp, buf, _IOFBF, CAPTURE_FILE_BUFFER) != 0) {
		free(buf);
		buf = NULL;
	}
	*iobuf = buf;
	return fp;
}

static void close_out(struct input_reader *r)
{
	pthread_mutex_lock(&r->out_mu);
	if (r->out >= 0)
		_close(r->out);
	r->out = -1;
	pthread_mutex_unlock(&r->out_mu);
}

void win32_input_stop(void)
{
	stop_all = true;
	pthread_mutex_lock(&pumps_mu);
	struct input_reader *r = pumping;
	if (r) {
		r->stopped = true;
		pthread_mutex_lock(&r->mu);
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		close_out(r);
	}
	pthread_mutex_unlock(&pumps_mu);
}

static void fail(struct input_reader *r, const char *what)
{
	pthread_mutex_lock(&r->mu);
	if (!r->failed && !r->stopped) {
		snprintf(r->err, sizeof r->err, "%s: %s", r->name, what);
		r->failed = true;
	}
	pthread_mutex_unlock(&r->mu);
}

/* The raw bytes: the magic ones first. */
static ssize_t raw_read(void *ctx, uint8_t *buf, size_t n)
{
	struct input_reader *r = ctx;
	if (r->magic_pos < r->magic_len) {
		size_t k = r->magic_len - r->magic_pos;
		if (k > n)
			k = n;
		memcpy(buf, r->magic + r->magic_pos, k);
		r->magic_pos += k;
		return (ssize_t)k;
	}
	int got = _read(r->fd, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
	if (got > 0)
		r->raw_bytes += (uint64_t)got;
	else if (got < 0) {
		char why[CAPTURE_ERRLEN];
		snprintf(why, sizeof why, "read error: %s", strerror(errno));
		fail(r, why);
	}
	return got;
}

static void *pump(void *arg)
{
	struct input_reader *r = arg;
	static uint8_t buf[PUMP_CHUNK];
	/* The format, from the first bytes. */
	while (r->magic_len < sizeof r->magic) {
		int got = _read(r->fd, r->magic + r->magic_len, (unsigned)(sizeof r->magic - r->magic_len));
		if (got <= 0)
			break;
		r->raw_bytes += (uint64_t)got;
		r->magic_len += (size_t)got;
	}
	enum compression kind = decompress_detect(r->magic, r->magic_len);
	if (kind != COMPRESSION_NONE && decompress_supported(kind) &&
	    !(r->dz = decompress_open(kind, raw_read, r)))
		fail(r, "out of memory");
	pthread_mutex_lock(&r->mu);
	r->kind = kind;
	r->kind_known = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	bool go = !r->failed && (kind == COMPRESSION_NONE || r->dz);
	while (go) {
		char why[CAPTURE_ERRLEN] = "";
		ssize_t got = r->dz ? decompress_read(r->dz, buf, sizeof buf, why, sizeof why)
				    : raw_read(r, buf, sizeof buf);
		if (got < 0 && *why)
			fail(r, why);
		pthread_mutex_lock(&r->mu);
		if (got > 0) {
			size_t k = sizeof r->head - r->head_len;
			if (k > (size_t)got)
				k = (size_t)got;
			memcpy(r->head + r->head_len, buf, k);
			r->head_len += k;
		} else {
			r->head_done = true;
		}
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (got <= 0)
			break;
		pthread_mutex_lock(&r->out_mu);
		for (ssize_t done = 0; go && done < got;) {
			int w = r->out >= 0 ? _write(r->out, buf + done, (unsigned)(got - done)) : -1;
			go = w > 0;
			done += go ? w : 0;
		}
		pthread_mutex_unlock(&r->out_mu);
		/* !go: stopped, or libpcap is done with the stream */
	}
	pthread_mutex_lock(&r->mu);
	r->head_done = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	close_out(r);
	if (r->fd > 0)
		_close(r->fd);
	return NULL;
}

void input_follow(struct input_reader *r, input_at_end_fn *at_end, void *ctx, int wait_fd)
{
	/* -pcap_dir is refused on Windows (platform/win32/features.c). */
}

FILE *input_open_reader(int fd, bool pollable, const char *name, capture_idle_fn *idle_fn,
			void *idle_ctx, char *iobuf, size_t iobuf_size, enum compression *kind,
			struct input_reader **reader, char *err, size_t errlen)
{
	*kind = COMPRESSION_NONE;
	*reader = NULL;
	int p[2] = { -1, -1 };
	struct input_reader *r = calloc(1, sizeof *r);
	if (!r || _pipe(p, PUMP_CHUNK, _O_BINARY | _O_NOINHERIT) < 0) {
		snprintf(err, errlen, "%s: %s", name, r ? strerror(errno) : "out of memory");
		free(r);
		if (fd > 0)
			_close(fd);
		return NULL;
	}
	r->fd = fd;
	r->out = p[1];
	r->name = name;
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->out_mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	FILE *fp = _fdopen(p[0], "rb");
	pthread_mutex_lock(&pumps_mu);
	r->stopped = stop_all;
	bool started = fp && !r->stopped && pthread_create(&r->thread, NULL, pump, r) == 0;
	if (started) {
		pthread_detach(r->thread);
		pumping = r;
	}
	pthread_mutex_unlock(&pumps_mu);
	if (!started && fp && r->stopped) {
		/* A stop came first: the stream ends at once, as on Linux. */
		close_out(r);
		if (fd > 0)
			_close(fd);
		*reader = r;
		return fp;
	}
	if (!started) {
		snprintf(err, errlen, "%s: cannot start reading", name);
		if (fp)
			fclose(fp);
		else
			_close(p[0]);
		_close(p[1]);
		if (fd > 0)
			_close(fd);
		return NULL; /* r is left: a stop may still look at it */
	}
	pthread_mutex_lock(&r->mu);
	while (!r->kind_known && !r->stopped)
		pthread_cond_wait(&r->cv, &r->mu);
	*kind = r->kind;
	pthread_mutex_unlock(&r->mu);
	if (*kind != COMPRESSION_NONE && !decompress_supported(*kind)) {
		snprintf(err, errlen, "%s: %s-compressed, and this build of pdnslog reads only gzip of the "
			 "compressed formats (decompress it first)", name, decompress_name(*kind));
		r->stopped = true;
		close_out(r);
		fclose(fp);
		return NULL;
	}
	if (iobuf)
		setvbuf(fp, iobuf, _IOFBF, iobuf_size);
	*reader = r;
	return fp;
}

size_t input_peek(struct input_reader *r, size_t want, const uint8_t **head)
{
	if (want > sizeof r->head)
		want = sizeof r->head;
	pthread_mutex_lock(&r->mu);
	while (r->head_len < want && !r->head_done && !r->stopped)
		pthread_cond_wait(&r->cv, &r->mu);
	size_t n = r->head_len;
	pthread_mutex_unlock(&r->mu);
	*head = r->head;
	return n;
}

uint64_t input_bytes_read(const struct input_reader *r)
{
	return r->raw_bytes;
}

bool input_stopped(const struct input_reader *r)
{
	return r->stopped;
}

const char *input_error(const struct input_reader *r)
{
	pthread_mutex_lock((pthread_mutex_t *)&r->mu);
	bool failed = r->failed;
	pthread_mutex_unlock((pthread_mutex_t *)&r->mu);
	return failed ? r->err : NULL;
}

const char *input_check(struct input_reader *r)
{
	return input_error(r);
}
