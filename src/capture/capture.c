/* capture: libpcap file and live sources, the inputs read one after the
 * other, and each file's timestamp precision. */
#include "capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <dirent.h>
#include <limits.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/if_packet.h>
#endif

#include "format/timefmt.h"
#include "util/clock.h"

#define CAPTURE_MAX_SEC (INT64_MAX / 1000000000 / 2) /* about the year 2116 */

/* Sub-second digits of a capture, from its first n bytes: the pcap magic,
 * or the first pcapng interface's if_tsresol option (default microseconds).
 * *need: 0 when these bytes decide, else how many would (more than n). */
static int file_ts_digits(const uint8_t *h, size_t n, size_t *need)
{
	*need = 0;
	if (n < 4) {
		*need = 4;
		return 6;
	}
	uint32_t le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	uint32_t be = (uint32_t)h[3] | (uint32_t)h[2] << 8 | (uint32_t)h[1] << 16 | (uint32_t)h[0] << 24;
	if (le == 0xa1b23c4d || be == 0xa1b23c4d)
		return 9;
	if (le != 0x0a0d0d0a)
		return 6;
	if (n < 12) {
		*need = 12;
		return 6;
	}
	int big = h[8] == 0x1a; /* byte-order magic 0x1A2B3C4D as written */
#define U32(p) (big ? ((uint32_t)(p)[0] << 24 | (uint32_t)(p)[1] << 16 | (uint32_t)(p)[2] << 8 | (p)[3]) \
		    : ((uint32_t)(p)[3] << 24 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[1] << 8 | (p)[0]))
#define U16(p) (big ? (uint32_t)((p)[0] << 8 | (p)[1]) : (uint32_t)((p)[1] << 8 | (p)[0]))
	size_t off = 0;
	int blocks = 0;
	for (; blocks < 16 && off + 12 <= n; blocks++) {
		uint32_t type = U32(h + off), len = U32(h + off + 4);
		if (len < 12)
			break;
		if (len > n - off) {
			*need = off + len;
			return 6;
		}
		if (type == 1) { /* Interface Description Block */
			size_t o = off + 16, end = off + len - 4;
			while (o + 4 <= end) {
				uint32_t code = U16(h + o), olen = U16(h + o + 2);
				if (code == 0 || o + 4 + olen > end)
					break;
				if (code == 9 && olen >= 1) {
					uint8_t r = h[o + 4];
					if (r & 0x80)
						return 9; /* a power of two: show all we have */
					return r > 9 ? 9 : r;
				}
				o += 4 + ((olen + 3) & ~3u);
			}
			return 6;
		}
		off += len;
	}
	if (blocks < 16 && off + 12 > n)
		*need = off + 12;
	return 6;
#undef U32
#undef U16
}

int capture_open_stream(struct capture *c, FILE *fp, const char *name, char *err)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof *c);
	c->name = name;
	c->plain_fd = -1;
	uint8_t head[4096];
	long start = ftell(fp);
	if (start >= 0) {
		size_t n = fread(head, 1, sizeof head, fp), need;
		c->ts_digits = file_ts_digits(head, n, &need);
		if (fseek(fp, start, SEEK_SET) < 0)
			start = -1;
		clearerr(fp);
	}
	if (start < 0) {
		/* Not seekable: learn the precision from the timestamps instead. */
		c->ts_digits = 6;
		c->digits_guessed = 1;
	}
	c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!c->pcap) {
		snprintf(err, CAPTURE_ERRLEN, "%s: not a capture file pdnslog can read (%s)", name, perr);
		if (fp != stdin)
			fclose(fp);
		return -1;
	}
	c->linktype = pcap_datalink(c->pcap);
	return 0;
}

/* A warning or debug line (capture_hooks.note). */
static void note(const struct capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct capture *c, const char *fmt, ...)
{
	char line[CAPTURE_ERRLEN + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (c->hooks.note)
		c->hooks.note(c->hooks.ctx, line);
	else
		fprintf(stderr, "pdnslog: %s\n", line);
}

/* Enough descriptors for n inputs open at once and what else runs. */
static void raise_fd_limit(size_t n)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)n + 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int capture_open_files(struct capture *c, const char *const *paths, size_t n,
		       const struct capture_hooks *hooks, bool debug, char *err)
{
	memset(c, 0, sizeof *c);
	c->plain_fd = -1;
	c->debug = debug;
	if (hooks)
		c->hooks = *hooks;
	c->inputs = calloc(n ? n : 1, sizeof *c->inputs);
	if (!c->inputs) {
		snprintf(err, CAPTURE_ERRLEN, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		c->inputs[i].fd = -1;
	c->ninputs = n;
	c->measurable = n > 0;
	raise_fd_limit(n);
	bool have_stdin = false;
	for (size_t i = 0; i < n; i++) {
		struct capture_input *in = &c->inputs[i];
		if (strcmp(paths[i], "-") == 0) {
			if (have_stdin) {
				snprintf(err, CAPTURE_ERRLEN, "standard input ('-') can be read only once");
				goto fail;
			}
			have_stdin = true;
			in->name = "standard input";
			in->fd = 0;
			c->measurable = false;
			continue;
		}
		in->name = paths[i];
		/* Not blocking: opening a FIFO waits for no writer (reading it
		 * waits in poll(), where signals are seen). */
		in->fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		struct stat st;
		if (in->fd < 0 || fstat(in->fd, &st) < 0) {
			if (errno == EMFILE) {
				struct rlimit rl = { 0 };
				getrlimit(RLIMIT_NOFILE, &rl);
				snprintf(err, CAPTURE_ERRLEN, "%s: too many inputs to open at once (%zu; the "
					 "limit of open files, ulimit -n, is %llu)", paths[i], n,
					 (unsigned long long)rl.rlim_cur);
			} else {
				snprintf(err, CAPTURE_ERRLEN, "%s: %s", paths[i], strerror(errno));
			}
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, CAPTURE_ERRLEN, "%s: is a directory (name the capture files in it)", paths[i]);
			goto fail;
		}
		in->regular = S_ISREG(st.st_mode);
		if (in->regular) {
			in->size = (uint64_t)st.st_size;
			c->total_bytes += in->size;
			fcntl(in->fd, F_SETFL, fcntl(in->fd, F_GETFL) & ~O_NONBLOCK);
		} else {
			c->measurable = false;
		}
	}
	return 0;
fail:
	capture_close(c);
	return -1;
}

/* Leave the input being read. */
static void close_input(struct capture *c, bool report)
{
	if (report && c->debug)
		note(c, "debug: %s: done, %llu packets read, %llu more dropped by the filter", c->name, (unsigned long long)c->in_packets,
			(unsigned long long)(c->filtered - c->in_filtered));
	if (c->in_packets) {
		c->have_prev = true;
		c->prev_last_ts = c->last_ts;
		c->prev_name = c->name;
	}
	if (c->pcap)
		pcap_close(c->pcap); /* closes the stream, so its buffer can go */
	c->pcap = NULL;
	free(c->iobuf);
	c->iobuf = NULL;
	if (c->filtering)
		pcap_freecode(&c->filter);
	c->filtering = 0;
	c->accepts = NULL;
	c->reader = NULL;
	c->plain_fd = -1;
}

static void dir_follow_next(struct capture *c);
static int dir_open_next(struct capture *c, char *err);

/* Open one input for reading: its stream, its precision, libpcap on it,
 * then the `opened` hook.  0, or -1 with a message (or c->stopped set). */
static int open_input(struct capture *c, struct capture_input *in, char *err)
{
	int fd = in->fd;
	in->fd = -1; /* the stream's now */
	c->name = in->name;
	c->compression = COMPRESSION_NONE;
	c->digits_guessed = 0;
	c->in_packets = 0;
	c->in_pos = 0;
	c->in_filtered = c->filtered;
	uint8_t head[INPUT_HEAD_MAX];
	const uint8_t *h = head;
	size_t n = 0, need = 0;
	FILE *fp;
	if (in->regular && !in->follow) {
		ssize_t got = pread(fd, head, sizeof head, 0);
		if (got < 0) {
			snprintf(err, CAPTURE_ERRLEN, "%s: %s", in->name, strerror(errno));
			close(fd);
			return -1;
		}
		n = (size_t)got;
	}
	if (in->regular && !in->follow && decompress_detect(head, n) == COMPRESSION_NONE) {
		/* A plain file, read as it always was. */
		if (!(fp = input_open_plain(fd, &c->iobuf))) {
			snprintf(err, CAPTURE_ERRLEN, "%s: %s", in->name, strerror(errno));
			close(fd);
			return -1;
		}
		c->plain_fd = fd;
		c->ts_digits = file_ts_digits(head, n, &need);
	} else {
		c->iobuf = malloc(CAPTURE_FILE_BUFFER);
		if (in->follow)
			dir_follow_next(c);
		fp = input_open_reader(fd, !in->regular, in->name, c->hooks.idle, c->hooks.ctx,
				       c->iobuf, CAPTURE_FILE_BUFFER, &c->compression, &c->reader,
				       err, CAPTURE_ERRLEN);
		if (!fp) {
			free(c->iobuf);
			c->iobuf = NULL;
			return -1;
		}
		/* The precision from the first bytes, as few as decide it: a
		 * pipe's writer may not have written more yet. */
		size_t want = 4;
		for (;;) {
			n = input_peek(c->reader, want, &h);
			c->ts_digits = file_ts_digits(h, n, &need);
			if (need == 0 || need > INPUT_HEAD_MAX || n < want)
				break;
			want = need;
		}
		if (need) {
			c->ts_digits = 6;
			c->digits_guessed = 1; /* learn it from the timestamps */
		}
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	c->pcap = n ? pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr) : NULL;
	if (!c->pcap) {
		const char *why = c->reader ? input_check(c->reader) : NULL;
		if (c->reader && input_stopped(c->reader))
			c->stopped = true;
		else if (why)
			snprintf(err, CAPTURE_ERRLEN, "%s", why);
		else if (n == 0)
			snprintf(err, CAPTURE_ERRLEN, "%s: empty%s, not a capture file", in->name,
				 c->compression ? " once decompressed" : "");
		else
			snprintf(err, CAPTURE_ERRLEN, "%s: not a capture file pdnslog can read (%s)", in->name, perr);
		fclose(fp);
		free(c->iobuf);
		c->iobuf = NULL;
		c->reader = NULL;
		c->plain_fd = -1;
		return -1;
	}
	c->linktype = pcap_datalink(c->pcap);
	if (c->debug)
		note(c, "debug: reading %s (%zu of %zu%s%s)", in->name, c->cur, c->ninputs,
			c->compression ? ", " : "", c->compression ? decompress_name(c->compression) : "");
	if (c->hooks.opened && c->hooks.opened(c->hooks.ctx, c, err) < 0) {
		close_input(c, false);
		return -1;
	}
	return 0;
}

/* What is read next: the next input given, in order.  The one place that
 * decides it (a directory follower would choose and open its next file
 * here). */
int capture_open_next(struct capture *c, char *err)
{
	if (c->pcap)
		close_input(c, true);
	if (c->dir)
		return dir_open_next(c, err);
	if (c->live || c->stopped || c->cur >= c->ninputs)
		return 0;
	if (c->cur > 0)
		c->done_bytes += c->inputs[c->cur - 1].size;
	struct capture_input *in = &c->inputs[c->cur++];
	if (open_input(c, in, err) == 0)
		return 1;
	return c->stopped ? 0 : -1;
}

int capture_open_live(struct capture *c, const char *dev, int snaplen, int promisc,
		      int buffer_mb, char *err)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof *c);
	c->name = dev;
	c->live = 1;
	c->plain_fd = -1;
	c->pcap = pcap_create(dev, perr);
	if (!c->pcap) {
		snprintf(err, CAPTURE_ERRLEN, "%s: %s", dev, perr);
		return -1;
	}
	pcap_set_snaplen(c->pcap, snaplen);
	pcap_set_promisc(c->pcap, promisc);
	pcap_set_timeout(c->pcap, 100);
	if (buffer_mb > 0)
		pcap_set_buffer_size(c->pcap, buffer_mb << 20);
	if (pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0)
		c->ts_digits = 9;
	else
		c->ts_digits = 6;
	int rc = pcap_activate(c->pcap);
	if (rc < 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: %s", dev,
			 rc == PCAP_ERROR ? pcap_geterr(c->pcap) : pcap_statustostr(rc));
		pcap_close(c->pcap);
		c->pcap = NULL;
		return -1;
	}
	if (pcap_get_tstamp_precision(c->pcap) != PCAP_TSTAMP_PRECISION_NANO)
		c->ts_digits = 6;
	/* Non-blocking, with our own poll(): a blocked read would not see
	 * signals or timers while no traffic comes (TPACKET_V3 waits for a
	 * block to fill or its timer, and an empty block has no timer). */
	if (pcap_setnonblock(c->pcap, 1, perr) < 0 || (c->fd = pcap_get_selectable_fd(c->pcap)) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: cannot poll the capture: %s", dev, perr);
		pcap_close(c->pcap);
		c->pcap = NULL;
		return -1;
	}
	c->linktype = pcap_datalink(c->pcap);
	return 0;
}

int capture_join_fanout(struct capture *c, int group, char *err)
{
#ifdef PACKET_FANOUT
	/* The kernel's fanout hash is symmetric (the flow dissector's
	 * symmetric keys), and DEFRAG hashes a fragmented datagram whole. */
	uint32_t arg = (uint32_t)(group & 0xFFFF) |
		       (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
	if (setsockopt(pcap_fileno(c->pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: cannot join packet fanout group %d: %s", c->name,
			 group & 0xFFFF, strerror(errno));
		return -1;
	}
	return 0;
#else
	snprintf(err, CAPTURE_ERRLEN, "%s: -fanout needs Linux's PACKET_FANOUT", c->name);
	return -1;
#endif
}

int capture_set_filter(struct capture *c, const char *expr, char *err)
{
	struct bpf_program prog;
	if (pcap_compile(c->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "bad -bpf filter '%s': %s", expr, pcap_geterr(c->pcap));
		return -1;
	}
	if (!c->live) {
		if (c->filtering)
			pcap_freecode(&c->filter);
		c->filter = prog;
		c->filtering = 1;
		return 0;
	}
	int rc = pcap_setfilter(c->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, CAPTURE_ERRLEN, "cannot install -bpf filter: %s", pcap_geterr(c->pcap));
		return -1;
	}
	return 0;
}

void capture_set_accepts(struct capture *c, capture_accepts_fn *accepts, const void *ctx)
{
	c->accepts = accepts;
	c->accepts_ctx = ctx;
}

/* What pcap_next_ex() does with a file's installed filter. */
static bool filter_passes(const struct capture *c, const struct pcap_pkthdr *h, const u_char *d)
{
	if (!c->filtering || (c->accepts && c->accepts(c->accepts_ctx, d, h->caplen)))
		return true;
	return pcap_offline_filter(&c->filter, h, d) != 0;
}

/* Packets come back in the order the inputs were given: one that starts
 * before its predecessor ended is read all the same, and said once. */
static void warn_order(const struct capture *c, int64_t ts)
{
	struct strbuf a, b;
	strbuf_init(&a);
	strbuf_init(&b);
	format_rfc3339(&a, ts, 6);
	format_rfc3339(&b, c->prev_last_ts, 6);
	strbuf_putc(&a, 0);
	strbuf_putc(&b, 0);
	if (!a.overflow && !b.overflow)
		note(c, "%s: starts (%s) before %s ended (%s): read in the order given all the same, "
		     "exchanges across the two may not pair", c->name, a.p, c->prev_name, b.p);
	strbuf_free(&a);
	strbuf_free(&b);
}

int capture_next(struct capture *c, int64_t *ts_ns, const uint8_t **data,
		 uint32_t *caplen, uint32_t *wirelen, char *err)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;
	for (;;) {
		if (!c->pcap) {
			if (c->ended)
				return -2;
			rc = capture_open_next(c, err);
			if (rc == 1)
				continue;
			if (rc < 0 && c->dir) { /* said, and the next file follows */
				note(c, "%s", err);
				continue;
			}
			return rc == 0 ? -2 : -1;
		}
		for (;;) {
			rc = pcap_next_ex(c->pcap, &h, &d);
			if (rc == 1) {
				c->in_pos++;
				if (c->skip) { /* read before a restart */
					c->skip--;
					continue;
				}
			}
			if (rc != 1 || filter_passes(c, h, d))
				break;
			c->filtered++;
		}
		if (rc == 1) {
			/* Nanosecond precision was asked for: tv_usec holds nanoseconds.
			 * A timestamp from before 1970 or after 2115 is clamped into
			 * that range, so times and their differences always fit in
			 * 64-bit nanoseconds (a pcapng file can claim any 64-bit time). */
			int64_t sec = (int64_t)h->ts.tv_sec;
			if (sec > CAPTURE_MAX_SEC)
				sec = CAPTURE_MAX_SEC;
			else if (sec < 0)
				sec = 0;
			int64_t ts = sec * 1000000000 + (int64_t)h->ts.tv_usec;
			if (c->digits_guessed && c->ts_digits < 9 && h->ts.tv_usec % 1000)
				c->ts_digits = 9;
			if (c->in_packets++ == 0 && c->have_prev && ts < c->prev_last_ts)
				warn_order(c, ts);
			c->last_ts = ts;
			*ts_ns = ts;
			*data = d;
			*caplen = h->caplen;
			*wirelen = h->len;
			return 1;
		}
		if (rc == 0) {
			if (c->live) {
				struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
				poll(&pfd, 1, CAPTURE_POLL_MS); /* a signal ends it early: fine */
			}
			return 0;
		}
		if (c->live) {
			c->ended = 1;
			if (rc == PCAP_ERROR_BREAK)
				return -2;
			snprintf(err, CAPTURE_ERRLEN, "%s: %s", c->name, pcap_geterr(c->pcap));
			return -1;
		}
		/* This input is over: at its end, cut short by a stop (a partial
		 * last packet is no error then), or by an error. */
		if (c->reader && input_stopped(c->reader))
			c->stopped = true;
		if (rc == PCAP_ERROR_BREAK || c->stopped) {
			close_input(c, true);
			continue;
		}
		const char *why = c->reader ? input_check(c->reader) : NULL;
		if (why)
			snprintf(err, CAPTURE_ERRLEN, "%s", why);
		else
			snprintf(err, CAPTURE_ERRLEN, "%s: %s", c->name, pcap_geterr(c->pcap));
		close_input(c, true);
		if (c->dir) {
			note(c, "%s", err);
			continue;
		}
		return -1;
	}
}

static void dir_free(struct capture *c);

void capture_close(struct capture *c)
{
	if (c->live) {
		if (c->pcap)
			pcap_close(c->pcap);
		c->pcap = NULL;
		if (c->filtering)
			pcap_freecode(&c->filter);
		c->filtering = 0;
	} else {
		close_input(c, false);
	}
	for (size_t i = 0; c->inputs && i < c->ninputs; i++)
		if (c->inputs[i].fd > 0)
			close(c->inputs[i].fd);
	free(c->inputs);
	c->inputs = NULL;
	c->ninputs = c->cur = 0;
	dir_free(c);
}

bool capture_progress(const struct capture *c, uint64_t *done, uint64_t *total)
{
	if (!c->measurable || c->live)
		return false;
	uint64_t pos = 0;
	if (c->pcap && c->plain_fd >= 0) {
		off_t o = lseek(c->plain_fd, 0, SEEK_CUR);
		pos = o > 0 ? (uint64_t)o : 0;
	} else if (c->pcap && c->reader) {
		pos = input_bytes_read(c->reader);
	} else if (c->cur > 0) {
		pos = c->inputs[c->cur - 1].size; /* between inputs: the last one is read */
	}
	uint64_t d = c->done_bytes + pos;
	*total = c->total_bytes;
	*done = d < c->total_bytes ? d : c->total_bytes;
	return true;
}

const char *capture_current_name(const struct capture *c, size_t *index, size_t *count)
{
	if (index)
		*index = c->live || !c->ninputs ? 1 : c->cur;
	if (count)
		*count = c->live || !c->ninputs ? 1 : c->ninputs;
	return c->name;
}

/* ---- -pcap_dir: following a directory of capture files ---- */

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

/* The next file to read: the oldest (modification time, then name) of the
 * capture candidates not read yet, other than the one being read; with
 * newer_than >= 0, only one modified at or after that.  0 and its name, or
 * -1 when there is none. */
/* Names that writers give a file until it is finished and renamed
 * (name.tmp, name.part): reading one would read its data twice. */
static bool being_written(const char *name)
{
	size_t n = strlen(name);
	return (n > 4 && strcmp(name + n - 4, ".tmp") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".part") == 0);
}

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

static void dir_follow_next(struct capture *c)
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
		note(c, "%s", err);
	if (d->done_mode == 1 && unlinkat(d->dfd, d->cur, 0) < 0)
		note(c, "-pcap_done delete: %s/%s: %s", d->path, d->cur, strerror(errno));
	if (d->done_mode == 2) {
		char to[PATH_MAX];
		snprintf(to, sizeof to, "%s/%s", d->done_dir, d->cur);
		if (rename(d->path_buf, to) < 0)
			note(c, "-pcap_done move: %s to %s: %s", d->path_buf, to, strerror(errno));
	}
}

static int dir_open_next(struct capture *c, char *err)
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
		if (open_input(c, &d->in, err) == 0) {
			c->skip = skip;
			c->in_pos = 0;
			if (resume && c->debug)
				note(c, "debug: %s: taken up after %llu packets (-pcap_state)", d->path_buf,
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
		note(c, "debug: -pcap_state %s: taking up at %s (inode %llu) after %llu packets", d->state,
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

static void dir_free(struct capture *c)
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
	memset(c, 0, sizeof *c);
	c->plain_fd = -1;
	c->debug = debug;
	if (hooks)
		c->hooks = *hooks;
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
		note(c, "-pcap_dir %s: no inotify (%s): looking at it every second", dir, strerror(errno));
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
	dir_free(c);
	return -1;
}
