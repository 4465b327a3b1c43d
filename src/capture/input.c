/* input: capture inputs as stdio streams: plain files through stdio alone,
 * everything else through a cookie that polls, calls the idle hook and
 * decompresses (see input.h). */
#include "capture/input.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "util/clock.h"

struct input_reader {
	int fd;
	bool pollable;
	const char *name;
	capture_idle_fn *idle;
	void *idle_ctx;
	int64_t last_idle;      /* monotonic ns of the last idle call */
	bool stopped;
	bool failed;
	char err[CAPTURE_ERRLEN];
	uint64_t raw_bytes;     /* read from fd */
	/* The first raw bytes, read to recognise a compression, then handed
	 * out again (to the decoder, or as they are). */
	uint8_t magic[DECOMPRESS_MAGIC_LEN];
	size_t magic_len, magic_pos;
	struct decompressor *dz; /* NULL: not compressed */
	/* The first plain bytes, peeked at before libpcap reads them. */
	uint8_t head[INPUT_HEAD_MAX];
	size_t head_len, head_pos;
	input_at_end_fn *at_end; /* following a growing file, or NULL */
	void *at_end_ctx;
	int wait_fd;
};

FILE *input_open_plain(int fd, char **iobuf)
{
	*iobuf = NULL;
	FILE *fp = fdopen(fd, "rb");
	if (!fp)
		return NULL;
	/* Before any other use of the stream, as setvbuf() requires.  Without
	 * the memory the file is read all the same, through stdio's own buffer. */
	char *buf = malloc(CAPTURE_FILE_BUFFER);
	if (buf && setvbuf(fp, buf, _IOFBF, CAPTURE_FILE_BUFFER) != 0) {
		free(buf);
		buf = NULL;
	}
	*iobuf = buf;
	return fp;
}

static void fail(struct input_reader *r, const char *what, const char *detail)
{
	if (!r->failed)
		snprintf(r->err, sizeof r->err, "%s: %s%s%s", r->name, what, detail ? ": " : "",
			 detail ? detail : "");
	r->failed = true;
}

/* The main loop's housekeeping; true when it asks to stop. */
static bool idle(struct input_reader *r)
{
	r->last_idle = monotonic_ns();
	if (r->idle && r->idle(r->idle_ctx))
		r->stopped = true;
	return r->stopped;
}

/* Up to n bytes from the descriptor: waiting in poll(), never in read(), so
 * signals and the idle hook are seen while the input is quiet.  0 at its
 * end or when asked to stop; -1 on an error. */
static ssize_t fd_read(struct input_reader *r, uint8_t *buf, size_t n)
{
	bool waited = false;
	for (;;) {
		if (r->stopped)
			return 0;
		if (r->pollable) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
			int rc = poll(&pfd, 1, waited ? CAPTURE_POLL_MS : 0);
			if (rc == 0 || (rc < 0 && errno == EINTR)) {
				/* Nothing yet: housekeeping on a signal, after
				 * each timeout, and before waiting if it is due. */
				if ((rc < 0 || waited ||
				     monotonic_ns() - r->last_idle >= CAPTURE_POLL_MS * 1000000LL) && idle(r))
					return 0;
				waited = true;
				continue;
			}
			if (rc < 0) {
				fail(r, "cannot wait for input", strerror(errno));
				return -1;
			}
		}
		ssize_t got = read(r->fd, buf, n);
		if (got == 0 && r->at_end) {
			enum input_at_end what = r->at_end(r->at_end_ctx);
			if (what == INPUT_END)
				return 0;
			if (what == INPUT_WAIT) {
				struct pollfd pfd = { .fd = r->wait_fd, .events = POLLIN };
				poll(&pfd, r->wait_fd >= 0, CAPTURE_POLL_MS);
				if (idle(r))
					return 0;
			}
			continue;
		}
		if (got >= 0) {
			r->raw_bytes += (uint64_t)got;
			return got;
		}
		if (errno == EINTR) {
			if (idle(r))
				return 0;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) { /* a non-blocking descriptor */
			waited = true;
			if (!r->pollable)
				r->pollable = true;
			continue;
		}
		fail(r, "read error", strerror(errno));
		return -1;
	}
}

/* The raw bytes: the ones read to recognise the format first. */
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
	return fd_read(r, buf, n);
}

/* The plain bytes, decompressed if need be: 0 at the end or when asked to
 * stop, -1 on an error (in r->err). */
static ssize_t plain_read(struct input_reader *r, uint8_t *buf, size_t n)
{
	if (!r->dz)
		return r->stopped ? 0 : raw_read(r, buf, n);
	char why[CAPTURE_ERRLEN] = "";
	ssize_t got = decompress_read(r->dz, buf, n, why, sizeof why);
	if (got >= 0 || r->stopped)
		return r->stopped && got < 0 ? 0 : got; /* a stop cuts the stream short: not an error */
	if (*why)
		fail(r, why, NULL);
	return -1;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t n)
{
	struct input_reader *r = cookie;
	if (r->head_pos < r->head_len) {
		size_t k = r->head_len - r->head_pos;
		if (k > n)
			k = n;
		memcpy(buf, r->head + r->head_pos, k);
		r->head_pos += k;
		return (ssize_t)k;
	}
	ssize_t got = plain_read(r, (uint8_t *)buf, n);
	if (got < 0)
		errno = EIO;
	return got;
}

static int cookie_close(void *cookie)
{
	struct input_reader *r = cookie;
	decompress_close(r->dz);
	if (r->fd > 0)
		close(r->fd);
	free(r);
	return 0;
}

/* input_follow(NULL, ...): for the next reader opened, from its first byte. */
struct follow {
	input_at_end_fn *at_end;
	void *ctx;
	int wait_fd;
};
static struct follow follow_next;

void input_follow(struct input_reader *r, input_at_end_fn *at_end, void *ctx, int wait_fd)
{
	if (!r) {
		follow_next = (struct follow){ at_end, ctx, wait_fd };
		return;
	}
	r->at_end = at_end;
	r->at_end_ctx = ctx;
	r->wait_fd = wait_fd;
}

FILE *input_open_reader(int fd, bool pollable, const char *name, capture_idle_fn *idle_fn,
			void *idle_ctx, char *iobuf, size_t iobuf_size, enum compression *kind,
			struct input_reader **reader, char *err, size_t errlen)
{
	*kind = COMPRESSION_NONE;
	*reader = NULL;
	struct input_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", name);
		if (fd > 0)
			close(fd);
		return NULL;
	}
	r->fd = fd;
	r->pollable = pollable;
	r->name = name;
	r->idle = idle_fn;
	r->idle_ctx = idle_ctx;
	r->last_idle = monotonic_ns();
	r->wait_fd = -1;
	if (follow_next.at_end) {
		input_follow(r, follow_next.at_end, follow_next.ctx, follow_next.wait_fd);
		follow_next.at_end = NULL;
	}
	while (r->magic_len < sizeof r->magic) {
		ssize_t got = fd_read(r, r->magic + r->magic_len, sizeof r->magic - r->magic_len);
		if (got <= 0)
			break;
		r->magic_len += (size_t)got;
	}
	*kind = decompress_detect(r->magic, r->magic_len);
	if (*kind != COMPRESSION_NONE && !(r->dz = decompress_open(*kind, raw_read, r)))
		fail(r, "out of memory", NULL);
	static const cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	FILE *fp = r->failed ? NULL : fopencookie(r, "rb", io);
	if (!fp) {
		if (!r->failed)
			fail(r, "out of memory", NULL);
		snprintf(err, errlen, "%s", r->err);
		cookie_close(r);
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
	while (r->head_pos == 0 && r->head_len < want) {
		ssize_t got = plain_read(r, r->head + r->head_len, sizeof r->head - r->head_len);
		if (got <= 0)
			break;
		r->head_len += (size_t)got;
	}
	*head = r->head + r->head_pos;
	return r->head_len - r->head_pos;
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
	return r->failed ? r->err : NULL;
}

const char *input_check(struct input_reader *r)
{
	if (r->dz && !r->failed && !r->stopped && !r->pollable) {
		static uint8_t scratch[64 << 10];
		for (size_t n = 0; n < INPUT_CHECK_MAX;) {
			ssize_t got = plain_read(r, scratch, sizeof scratch);
			if (got <= 0)
				break;
			n += (size_t)got;
		}
	}
	return input_error(r);
}
