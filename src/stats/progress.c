/* progress: the progress line on standard error (see progress.h). */
#include "stats/progress.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "platform/platform.h"
#include "stats/stats.h"
#include "util/clock.h"

/* snprintf's result as a length: what fitted, never more than len - 1. */
static size_t fitted(int n, size_t len)
{
	if (n < 0 || len == 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

size_t progress_count(char *buf, size_t len, double v)
{
	static const char units[] = "kMGTPE";
	if (v < 0)
		v = 0;
	if (v < 999.5)
		return fitted(snprintf(buf, len, "%.0f", v), len);
	for (const char *u = units; *u; u++) {
		v /= 1000;
		if (v < 9.995)
			return fitted(snprintf(buf, len, "%.2f%c", v, *u), len);
		if (v < 99.95)
			return fitted(snprintf(buf, len, "%.1f%c", v, *u), len);
		if (v < 999.5 || !u[1])
			return fitted(snprintf(buf, len, "%.0f%c", v, *u), len);
	}
	return 0; /* not reached */
}

size_t progress_duration(char *buf, size_t len, int64_t ns)
{
	int64_t s = ns > 0 ? ns / 1000000000 : 0;
	if (s < 3600)
		return fitted(snprintf(buf, len, "%d:%02d", (int)(s / 60), (int)(s % 60)), len);
	return fitted(snprintf(buf, len, "%lld:%02d:%02d", (long long)(s / 3600), (int)(s / 60 % 60),
			       (int)(s % 60)), len);
}

size_t progress_line(char *buf, size_t len, const struct progress_numbers *n,
		     int64_t elapsed_ns, unsigned width)
{
	if (len == 0)
		return 0;
	char pct[16] = "?", rate[16] = "0", records[16], elapsed[32], left[32] = "--:--";
	if (n->total) {
		uint64_t done = n->done < n->total ? n->done : n->total;
		/* Rounded down, so 100.0% only when it is all read. */
		double p = (double)done * 1000.0 / (double)n->total;
		snprintf(pct, sizeof pct, "%.1f%%", (double)(uint64_t)p / 10.0);
		if (done > 0 && elapsed_ns >= PROGRESS_ETA_AFTER_NS)
			progress_duration(left, sizeof left,
					  (int64_t)((double)elapsed_ns * (double)(n->total - done) / (double)done));
	}
	if (elapsed_ns > 0)
		progress_count(rate, sizeof rate, (double)n->packets * 1e9 / (double)elapsed_ns);
	progress_count(records, sizeof records, (double)n->records);
	progress_duration(elapsed, sizeof elapsed, elapsed_ns);
	size_t max = (width ? width : PROGRESS_WIDTH) - 1; /* the last column would wrap */
	if (max > len - 1)
		max = len - 1;
	char line[256];
	size_t k = fitted(snprintf(line, sizeof line, "pdnslog %6s  %s pkt/s  %s records  %s elapsed  %s left",
				   pct, rate, records, elapsed, left), sizeof line);
	/* The label, its last part only (a path's file name), printable. */
	const char *label = n->label;
	if (label && *label) {
		const char *slash = strrchr(label, '/');
		if (slash && slash[1])
			label = slash + 1;
		if (k + 2 < sizeof line - 1) {
			line[k++] = ' ';
			line[k++] = ' ';
			for (; *label && k < sizeof line - 1; label++)
				line[k++] = *label >= 0x20 && *label < 0x7f ? *label : '?';
		}
	}
	if (k > max)
		k = max;
	memcpy(buf, line, k);
	buf[k] = '\0';
	return k;
}

void progress_init(struct progress *p, int64_t now_ns, unsigned width, bool plain)
{
	*p = (struct progress){ .start_ns = now_ns, .last_ns = now_ns,
				.width = width ? width : PROGRESS_WIDTH, .plain = plain };
}

size_t progress_draw(struct progress *p, char *buf, size_t len, int64_t now_ns,
		     const struct progress_numbers *n)
{
	if (now_ns - p->last_ns < PROGRESS_INTERVAL_NS || len < 8)
		return 0;
	char line[256];
	size_t k = progress_line(line, sizeof line, n, now_ns - p->start_ns, p->width);
	size_t pad = p->plain && p->shown > k ? p->shown - k : 0;
	size_t need = 1 + k + (p->plain ? pad : 3);
	if (need >= len)
		return 0;
	size_t o = 0;
	buf[o++] = '\r';
	memcpy(buf + o, line, k);
	o += k;
	if (p->plain) {
		memset(buf + o, ' ', pad);
		o += pad;
	} else {
		memcpy(buf + o, "\033[K", 3); /* clear what a longer line left */
		o += 3;
	}
	buf[o] = '\0';
	p->last_ns = now_ns;
	p->shown = k ? k : 1; /* even an empty line counts as drawn */
	return o;
}

size_t progress_erase(struct progress *p, char *buf, size_t len)
{
	if (!p->shown || len == 0)
		return 0;
	size_t need = p->plain ? p->shown + 2 : 4;
	if (need >= len)
		return 0;
	size_t o = 0;
	buf[o++] = '\r';
	if (p->plain) {
		memset(buf + o, ' ', p->shown);
		o += p->shown;
		buf[o++] = '\r';
	} else {
		memcpy(buf + o, "\033[K", 3);
		o += 3;
	}
	buf[o] = '\0';
	p->shown = 0;
	return o;
}

/* --- Standard error's line.  `line` is drawn from the main loop's thread;
 * the lock keeps a draw and another thread's erase-and-write apart.
 * `drawn` lets progress_clear() skip the lock when nothing is on screen. */
static struct progress line;
static pthread_mutex_t line_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool showing, drawn;
static int64_t run_start;

void progress_open(bool show)
{
	run_start = monotonic_ns();
	if (!show || !isatty(STDERR_FILENO))
		return;
	unsigned width = platform_terminal_width(STDERR_FILENO);
	const char *term = getenv("TERM");
	progress_init(&line, run_start, width, !term || !*term || strcmp(term, "dumb") == 0);
	showing = true;
}

static void put(const char *buf, size_t n)
{
	if (n) {
		fwrite(buf, 1, n, stderr);
		fflush(stderr);
	}
}

void progress_tick(const struct capture *c, const struct stats *now)
{
	if (!showing)
		return;
	int64_t t = monotonic_ns();
	if (t - line.last_ns < PROGRESS_INTERVAL_NS)
		return; /* before the lseek capture_progress costs */
	struct progress_numbers n = { .packets = now->packets, .records = now->records_built };
	if (!capture_progress(c, &n.done, &n.total))
		return;
	size_t index = 1, count = 1;
	const char *name = capture_current_name(c, &index, &count);
	char label[300];
	if (count > 1 && name) {
		snprintf(label, sizeof label, "%s (%zu/%zu)", name, index, count);
		n.label = label;
	} else {
		n.label = name;
	}
	char buf[512];
	pthread_mutex_lock(&line_lock);
	size_t k = progress_draw(&line, buf, sizeof buf, t, &n);
	put(buf, k);
	if (k)
		drawn = true;
	pthread_mutex_unlock(&line_lock);
}

/* Callers go on to report strerror(errno): it is kept. */
static void clear_locked(void)
{
	int saved = errno;
	char buf[512];
	put(buf, progress_erase(&line, buf, sizeof buf));
	drawn = false;
	errno = saved;
}

void progress_clear(void)
{
	if (!drawn)
		return;
	pthread_mutex_lock(&line_lock);
	clear_locked();
	pthread_mutex_unlock(&line_lock);
}

void progress_eprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&line_lock);
	if (drawn)
		clear_locked();
	vfprintf(stderr, fmt, ap);
	pthread_mutex_unlock(&line_lock);
	va_end(ap);
}

void progress_close(void)
{
	pthread_mutex_lock(&line_lock);
	showing = false;
	if (drawn)
		clear_locked();
	pthread_mutex_unlock(&line_lock);
}

int64_t progress_elapsed_ns(void)
{
	return monotonic_ns() - run_start;
}
