/* syslog: one syslog message per record line, on the local daemon's Unix
 * socket, connected at open and again if the daemon restarts (see syslog.h). */
#include "sink/syslog.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/clock.h"
#include "stats/progress.h"

/* A stream socket's message sent in part must be finished, or every later
 * message is misframed: it may wait this long, then the connection goes. */
#define SYSLOG_STREAM_FINISH_MS 1000

/* Connect a datagram socket, or a stream one if the daemon listens on that
 * (syslog-ng's unix-stream).  Non-blocking: a stream daemon with a full
 * backlog fails the connect instead of stalling a worker.  0, or -1 with errno. */
static int syslog_connect(struct syslog_sink *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	static const int types[2] = { SOCK_DGRAM, SOCK_STREAM };
	int e = 0;
	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			s->fd = fd;
			s->type = types[i];
			return 0;
		}
		e = errno;
		close(fd);
		if (e != EPROTOTYPE)
			break;
	}
	errno = e;
	return -1;
}

static void disconnect(struct syslog_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int syslog_sink_open(struct syslog_sink *s, const char *path, int facility, int severity,
		     const char *ident, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (!path)
		path = SYSLOG_DEFAULT_PATH;
	if (!ident)
		ident = SYSLOG_DEFAULT_IDENT;
	if (facility < 0 || facility > 23 || severity < 0 || severity > 7) {
		snprintf(err, errlen, "syslog: facility %d or severity %d out of range", facility, severity);
		return -1;
	}
	if (strlen(path) >= sizeof s->path) {
		snprintf(err, errlen, "syslog: socket path %s: too long", path);
		return -1;
	}
	size_t il = strlen(ident);
	if (il == 0 || il > SYSLOG_IDENT_MAX || strpbrk(ident, " :[]")) {
		snprintf(err, errlen, "syslog: ident \"%s\": 1 to %d characters, no space, ':' or brackets",
			 ident, SYSLOG_IDENT_MAX);
		return -1;
	}
	for (size_t i = 0; i < il; i++) {
		if ((unsigned char)ident[i] < 0x21 || (unsigned char)ident[i] > 0x7e) {
			snprintf(err, errlen, "syslog: ident: printable ASCII only");
			return -1;
		}
	}
	memcpy(s->path, path, strlen(path) + 1);
	memcpy(s->ident, ident, il + 1);
	s->pri = facility * 8 + severity;
	s->pid = getpid();
	s->wait_ms = SYSLOG_WAIT_MS;
	s->header_time = -1;
	if (syslog_connect(s) < 0) {
		snprintf(err, errlen, "syslog: connecting to %s: %s", path, strerror(errno));
		return -1;
	}
	/* localtime_r() reads the zone file on its first call only: make
	 * that now, before the sandbox forbids opening it. */
	struct tm tm;
	time_t t = time(NULL);
	localtime_r(&t, &tm);
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

/* Month names by hand: strftime's %b follows the locale, syslog wants English. */
static void header_refresh(struct syslog_sink *s, time_t now)
{
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;
	if (!localtime_r(&now, &tm))
		memset(&tm, 0, sizeof tm);
	int n = snprintf(s->header, sizeof s->header, "<%d>%s %2d %02d:%02d:%02d %s[%ld]: ", s->pri,
			 months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 s->ident, (long)s->pid);
	s->header_len = n > 0 && (size_t)n < sizeof s->header ? (size_t)n : 0;
	s->header_time = now;
}

static void report(struct syslog_sink *s, int *reported, const char *what, int e)
{
	if (*reported)
		return;
	*reported = 1;
	progress_eprintf("pdnslog: syslog %s: %s: %s (counted from now on, reported once)\n",
		s->path, what, strerror(e));
}

/* Wait up to *budget_ms for the socket to take more; the time spent is taken
 * off the budget.  Returns whether it is worth trying again. */
static int wait_writable(struct syslog_sink *s, int *budget_ms)
{
	if (*budget_ms <= 0)
		return 0;
	int64_t t0 = monotonic_ns();
	struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
	int rc = poll(&pfd, 1, *budget_ms);
	int spent = (int)((monotonic_ns() - t0) / 1000000);
	*budget_ms -= spent > 0 ? spent : 1;
	return rc > 0 || (rc < 0 && errno == EINTR);
}

/* A stream message cut short: send the rest (iov past the first w bytes). */
static int finish_stream(struct syslog_sink *s, struct iovec *iov, int iovcnt, size_t w)
{
	int budget = SYSLOG_STREAM_FINISH_MS;
	for (;;) {
		while (iovcnt > 0 && w >= iov->iov_len) {
			w -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt == 0)
			return 0;
		iov->iov_base = (char *)iov->iov_base + w;
		iov->iov_len -= w;
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
		ssize_t n = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0) {
			w = (size_t)n;
			continue;
		}
		w = 0;
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_writable(s, &budget))
			return -errno;
	}
}

/* One message: 0, or -errno (-EPIPE for a stream message left half sent, which
 * also drops the connection: its framing is lost). */
static int send_one(struct syslog_sink *s, const char *msg, size_t len)
{
	struct iovec iov[3] = {
		{ s->header, s->header_len }, { (void *)msg, len }, { "\n", 1 },
	};
	int stream = s->type == SOCK_STREAM;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = stream ? 3 : 2 };
	size_t total = s->header_len + len + (size_t)stream;
	ssize_t w;
	do
		w = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w < total && finish_stream(s, iov, 3, (size_t)w) < 0) {
		disconnect(s);
		return -EPIPE;
	}
	return 0;
}

/* One message; returns whether it was sent. */
static int deliver(struct syslog_sink *s, const char *msg, size_t len, int *budget_ms)
{
	int reconnected = 0;
	for (;;) {
		if (s->fd < 0) {
			/* The daemon is away: try again once a second, not per line. */
			int64_t now = monotonic_ns();
			if (now < s->retry_at) {
				s->errors++;
				return 0;
			}
			if (syslog_connect(s) < 0) {
				s->retry_at = now + SYSLOG_RETRY_NS;
				s->errors++;
				report(s, &s->reported_error, "reconnecting", errno);
				return 0;
			}
			reconnected = 1;
		}
		int rc = send_one(s, msg, len);
		if (rc == 0) {
			s->sent++;
			return 1;
		}
		if ((rc == -EAGAIN || rc == -EWOULDBLOCK) && wait_writable(s, budget_ms))
			continue;
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ENOBUFS || rc == -EMSGSIZE) {
			s->dropped++;
			report(s, &s->reported_drop, rc == -EMSGSIZE ? "message too long, dropped"
					: "queue full, messages dropped", -rc);
			return 0;
		}
		/* The daemon restarted: its new socket is a new peer.  Once. */
		if (!reconnected && (rc == -ECONNREFUSED || rc == -ENOTCONN || rc == -ECONNRESET ||
				     rc == -EPIPE)) {
			disconnect(s);
			s->retry_at = 0;
			continue;
		}
		if (rc == -ECONNREFUSED || rc == -ENOTCONN || rc == -ECONNRESET || rc == -EPIPE) {
			disconnect(s);
			s->retry_at = monotonic_ns() + SYSLOG_RETRY_NS;
		}
		s->errors++;
		report(s, &s->reported_error, "sending", -rc);
		return 0;
	}
}

size_t syslog_sink_write(struct syslog_sink *s, const char *lines, size_t n)
{
	return syslog_sink_write_from(s, lines, n, 0);
}

size_t syslog_sink_write_from(struct syslog_sink *s, const char *lines, size_t n, size_t from)
{
	pthread_mutex_lock(&s->lock);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != s->header_time)
		header_refresh(s, ts.tv_sec);
	int budget_ms = s->wait_ms;
	size_t line = 0, sent = 0;
	const char *p = lines, *end = lines + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && deliver(s, p, len, &budget_ms) && line >= from)
			sent++;
		line++;
		if (!nl)
			break; /* a last line without its '\n': sent all the same */
		p = nl + 1;
	}
	pthread_mutex_unlock(&s->lock);
	return sent;
}

void syslog_sink_counters(struct syslog_sink *s, uint64_t *sent, uint64_t *dropped,
			  uint64_t *errors)
{
	pthread_mutex_lock(&s->lock);
	*sent = s->sent;
	*dropped = s->dropped;
	*errors = s->errors;
	pthread_mutex_unlock(&s->lock);
}

void syslog_sink_close(struct syslog_sink *s)
{
	disconnect(s);
	pthread_mutex_destroy(&s->lock);
}
