/* capture: libpcap file and live sources, and the file's timestamp precision. */
#include "capture/capture.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/if_packet.h>
#endif

#define CAPTURE_MAX_SEC (INT64_MAX / 1000000000 / 2) /* about the year 2116 */

/* Sub-second digits of a capture file, from its header: the pcap magic, or
 * the first pcapng interface's if_tsresol option (default microseconds). */
static int file_ts_digits(const uint8_t *h, size_t n)
{
	if (n < 4)
		return 6;
	uint32_t le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	uint32_t be = (uint32_t)h[3] | (uint32_t)h[2] << 8 | (uint32_t)h[1] << 16 | (uint32_t)h[0] << 24;
	if (le == 0xa1b23c4d || be == 0xa1b23c4d)
		return 9;
	if (le != 0x0a0d0d0a || n < 12)
		return 6;
	int big = h[8] == 0x1a; /* byte-order magic 0x1A2B3C4D as written */
#define U32(p) (big ? ((uint32_t)(p)[0] << 24 | (uint32_t)(p)[1] << 16 | (uint32_t)(p)[2] << 8 | (p)[3]) \
		    : ((uint32_t)(p)[3] << 24 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[1] << 8 | (p)[0]))
#define U16(p) (big ? (uint32_t)((p)[0] << 8 | (p)[1]) : (uint32_t)((p)[1] << 8 | (p)[0]))
	size_t off = 0;
	for (int blocks = 0; blocks < 16 && off + 12 <= n; blocks++) {
		uint32_t type = U32(h + off), len = U32(h + off + 4);
		if (len < 12 || len > n - off)
			break;
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
	return 6;
#undef U32
#undef U16
}

int capture_open_stream(struct capture *c, FILE *fp, const char *name, char *err)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof *c);
	c->name = name;
	uint8_t head[4096];
	long start = ftell(fp);
	if (start >= 0) {
		size_t n = fread(head, 1, sizeof head, fp);
		c->ts_digits = file_ts_digits(head, n);
		if (fseek(fp, start, SEEK_SET) < 0)
			start = -1;
		clearerr(fp);
	}
	if (start < 0) {
		/* A pipe: learn the precision from the timestamps instead. */
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

int capture_open_file(struct capture *c, const char *path, char *err)
{
	if (strcmp(path, "-") == 0)
		return capture_open_stream(c, stdin, "standard input", err);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		memset(c, 0, sizeof *c);
		snprintf(err, CAPTURE_ERRLEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Before any other use of the stream, as setvbuf() requires.  Without
	 * the memory the file is read all the same, through stdio's own buffer. */
	char *iobuf = malloc(CAPTURE_FILE_BUFFER);
	if (iobuf && setvbuf(fp, iobuf, _IOFBF, CAPTURE_FILE_BUFFER) != 0) {
		free(iobuf);
		iobuf = NULL;
	}
	int rc = capture_open_stream(c, fp, path, err);
	if (rc < 0)
		free(iobuf); /* the stream is closed */
	else
		c->iobuf = iobuf;
	return rc;
}

int capture_open_live(struct capture *c, const char *dev, int snaplen, int promisc,
		      int buffer_mb, char *err)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof *c);
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

int capture_next(struct capture *c, int64_t *ts_ns, const uint8_t **data,
		 uint32_t *caplen, uint32_t *wirelen, char *err)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;
	do
		rc = pcap_next_ex(c->pcap, &h, &d);
	while (rc == 1 && !filter_passes(c, h, d));
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
		*ts_ns = sec * 1000000000 + (int64_t)h->ts.tv_usec;
		if (c->digits_guessed && c->ts_digits < 9 && h->ts.tv_usec % 1000)
			c->ts_digits = 9;
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
	if (rc == PCAP_ERROR_BREAK)
		return -2;
	snprintf(err, CAPTURE_ERRLEN, "%s: %s", c->name, pcap_geterr(c->pcap));
	return -1;
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap); /* closes a file's stream, so its buffer can go */
	c->pcap = NULL;
	free(c->iobuf);
	c->iobuf = NULL;
	if (c->filtering)
		pcap_freecode(&c->filter);
	c->filtering = 0;
}
