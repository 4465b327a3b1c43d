/* capture: packets in, from a capture file, standard input or an interface.
 *
 * A thin layer over libpcap.  Timestamps are always read at nanosecond
 * precision; ts_digits says how many sub-second digits the source really has
 * (6 for classic microsecond pcap, 9 for nanosecond pcap, as the pcapng
 * interface's if_tsresol says), so records show the capture's precision. */
#ifndef PDNSLOG_CAPTURE_H
#define PDNSLOG_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CAPTURE_ERRLEN 512
/* libpcap reads a file through stdio, one fread for each packet header and
 * one for its bytes.  With stdio's default buffer (4 KiB) that is a read()
 * every 30 packets.  64 KiB makes it one every 500; much larger buffers were
 * slower on the benchmark (each refill pushes the pairing table out of L2). */
#define CAPTURE_FILE_BUFFER (64u << 10)
#define CAPTURE_POLL_MS 100  /* live: the longest wait for packets before timers and signals are looked at */

/* True only for frames the capture's filter surely accepts. */
typedef bool capture_accepts_fn(const void *ctx, const uint8_t *frame, uint32_t caplen);

struct capture {
	pcap_t *pcap;
	int linktype;
	int ts_digits;
	int digits_guessed;   /* stdin: precision learned from the timestamps */
	int live;
	int fd;               /* live: what poll() waits on */
	const char *name;
	char *iobuf;          /* a file's stdio buffer (see CAPTURE_FILE_BUFFER) */
	/* A file's filter, run here rather than inside libpcap so that
	 * `accepts` can spare the interpreter the packets it surely passes. */
	struct bpf_program filter;
	int filtering;
	capture_accepts_fn *accepts;
	const void *accepts_ctx;
};

/* Open a capture file, or standard input for "-".  Returns 0, or -1 with a
 * message in err. */
int capture_open_file(struct capture *c, const char *path, char *err);
/* Read a capture from an open stream (closed by capture_close, or on
 * failure); name is used in messages. */
int capture_open_stream(struct capture *c, FILE *fp, const char *name, char *err);
/* Open an interface for live capture. */
int capture_open_live(struct capture *c, const char *dev, int snaplen, int promisc,
		      int buffer_mb, char *err);
/* Linux: join the live capture's packet socket to PACKET_FANOUT group
 * `group` in hash mode with kernel defragmentation, so that every packet of a
 * flow, both ways and fragments included, reaches the same member of the
 * group.  Returns 0, or -1 with a message (other systems: always -1). */
int capture_join_fanout(struct capture *c, int group, char *err);

/* Compile and install a BPF filter.  Returns 0, or -1 with a message. */
int capture_set_filter(struct capture *c, const char *expr, char *err);
/* Files: frames `accepts` says yes to skip the filter (a live capture's
 * filter runs in the kernel, where this does not matter). */
void capture_set_accepts(struct capture *c, capture_accepts_fn *accepts, const void *ctx);

/* Next packet: 1 and the packet, 0 when a live capture has none for now
 * (after waiting at most CAPTURE_POLL_MS or until a signal), -2 at the end of the
 * file, -1 on an error (message in err; a truncated file ends this way). */
int capture_next(struct capture *c, int64_t *ts_ns, const uint8_t **data,
		 uint32_t *caplen, uint32_t *wirelen, char *err);

void capture_close(struct capture *c);

#endif
