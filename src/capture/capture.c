/* capture: libpcap file and live sources, the inputs read one after the
 * other, and each file's timestamp precision. */
#include "capture/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/timefmt.h"
#include "platform/platform.h"
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
	capture_start(c, NULL, false);
	c->name = name;
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
void capture_note(const struct capture *c, const char *fmt, ...)
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

void capture_start(struct capture *c, const struct capture_hooks *hooks, bool debug)
{
	memset(c, 0, sizeof *c);
	c->plain_fd = -1;
	c->debug = debug;
	if (hooks)
		c->hooks = *hooks;
}

int capture_open_files(struct capture *c, const char *const *paths, size_t n,
		       const struct capture_hooks *hooks, bool debug, char *err)
{
	capture_start(c, hooks, debug);
	c->inputs = calloc(n ? n : 1, sizeof *c->inputs);
	if (!c->inputs) {
		snprintf(err, CAPTURE_ERRLEN, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		c->inputs[i].fd = -1;
	c->ninputs = n;
	c->measurable = n > 0;
	platform_raise_fd_limit(n);
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
		in->fd = platform_open_input(paths[i]);
		struct stat st;
		if (in->fd < 0 || fstat(in->fd, &st) < 0) {
			if (errno == EMFILE) {
				snprintf(err, CAPTURE_ERRLEN, "%s: too many inputs to open at once (%zu; the "
					 "limit of open files, ulimit -n, is %llu)", paths[i], n,
					 platform_fd_limit());
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
			platform_input_blocking(in->fd);
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
		capture_note(c, "debug: %s: done, %llu packets read, %llu more dropped by the filter", c->name, (unsigned long long)c->in_packets,
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

/* Open one input for reading: its stream, its precision, libpcap on it,
 * then the `opened` hook.  0, or -1 with a message (or c->stopped set). */
int capture_open_input(struct capture *c, struct capture_input *in, char *err)
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
		ssize_t got = platform_pread(fd, head, sizeof head, 0);
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
			capture_dir_follow_next(c);
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
		capture_note(c, "debug: reading %s (%zu of %zu%s%s)", in->name, c->cur, c->ninputs,
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
		return capture_dir_open_next(c, err);
	if (c->live || c->stopped || c->cur >= c->ninputs)
		return 0;
	if (c->cur > 0)
		c->done_bytes += c->inputs[c->cur - 1].size;
	struct capture_input *in = &c->inputs[c->cur++];
	if (capture_open_input(c, in, err) == 0)
		return 1;
	return c->stopped ? 0 : -1;
}

int capture_open_live(struct capture *c, const char *dev, int snaplen, int promisc,
		      int buffer_mb, char *err)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	capture_start(c, NULL, false);
	c->name = dev;
	c->live = 1;
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
	/* Non-blocking, with a wait of our own (platform_live_wait) that
	 * signals and timers can end. */
	if (platform_live_setup(c->pcap, &c->fd, perr) < 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: cannot poll the capture: %s", dev, perr);
		pcap_close(c->pcap);
		c->pcap = NULL;
		return -1;
	}
	c->linktype = pcap_datalink(c->pcap);
	return 0;
}

int capture_list_devices(FILE *out, char *err)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, perr) < 0 || !all) {
		snprintf(err, CAPTURE_ERRLEN, "no interfaces to capture on%s%s%s", *perr ? " (" : "",
			 perr, *perr ? ")" : " (or no permission to see them)");
		return -1;
	}
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		fprintf(out, "%d.%s", i, d->name);
		if (d->description)
			fprintf(out, " (%s)", d->description);
		fprintf(out, " [%s%s%s]", d->flags & PCAP_IF_UP ? "Up" : "Down",
			d->flags & PCAP_IF_RUNNING ? ", Running" : "",
			d->flags & PCAP_IF_LOOPBACK ? ", Loopback" : "");
		fputc('\n', out);
	}
	pcap_freealldevs(all);
	return 0;
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
		capture_note(c, "%s: starts (%s) before %s ended (%s): read in the order given all the same, "
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
				capture_note(c, "%s", err);
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
				platform_live_wait(c->pcap, c->fd, CAPTURE_POLL_MS);
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
			capture_note(c, "%s", err);
			continue;
		}
		return -1;
	}
}

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
	capture_dir_free(c);
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
