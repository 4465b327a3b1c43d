/* capture: packets in, from capture files, standard input or an interface.
 *
 * A thin layer over libpcap.  Timestamps are always read at nanosecond
 * precision; ts_digits says how many sub-second digits the source really has
 * (6 for classic microsecond pcap, 9 for nanosecond pcap, as the pcapng
 * interface's if_tsresol says), so records show the capture's precision.
 *
 * Files: any number of inputs (paths, "-" for standard input), read one
 * after the other as one capture.  Each is opened before anything is read
 * (a missing file fails at once), then read when its turn comes: its format
 * (pcap, pcapng, compressed by gzip, xz, zstd, bzip2 or lz4: by content, see
 * input.h and decompress.h) and link type are its own, and the `opened` hook
 * installs its filter.  A file that turns out not to be a capture, or ends
 * in an error, is reported (capture_next() returns -1) and the next one
 * follows. */
#ifndef PDNSLOG_CAPTURE_H
#define PDNSLOG_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/decompress.h"
#include "capture/input.h"

#define CAPTURE_ERRLEN 512
/* libpcap reads a file through stdio, one fread for each packet header and
 * one for its bytes.  With stdio's default buffer (4 KiB) that is a read()
 * every 30 packets.  64 KiB makes it one every 500; much larger buffers were
 * slower on the benchmark (each refill pushes the pairing table out of L2). */
#define CAPTURE_FILE_BUFFER (64u << 10)
/* Live capture, pipes, standard input: the longest wait for packets before
 * timers and signals are looked at (the idle hook, or capture_next's 0). */
#define CAPTURE_POLL_MS 100

/* True only for frames the capture's filter surely accepts. */
typedef bool capture_accepts_fn(const void *ctx, const uint8_t *frame, uint32_t caplen);

struct capture;
/* An input was opened (c->name, c->linktype are its own): install its
 * filter.  0, or -1 with a message in err (CAPTURE_ERRLEN) to skip it. */
typedef int capture_opened_fn(void *ctx, struct capture *c, char *err);

struct capture_hooks {
	capture_opened_fn *opened;  /* may be NULL */
	capture_idle_fn *idle;      /* may be NULL (see input.h) */
	/* A line for standard error (a warning, or with debug an input's
	 * start and end), without "pdnslog: " or newline.  NULL: written to
	 * standard error as "pdnslog: LINE". */
	void (*note)(void *ctx, const char *line);
	void *ctx;
};

/* One input named on the command line, opened before any is read. */
struct capture_input {
	const char *name;   /* for messages: the path, or "standard input" */
	int fd;             /* -1 once read */
	bool regular;       /* a regular file (not standard input) */
	uint64_t size;      /* regular files: bytes */
	bool follow;        /* -pcap_dir: a file that may still grow */
};

struct capture_dir;

struct capture {
	pcap_t *pcap;         /* the input being read; NULL between inputs */
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
	uint64_t filtered;    /* files: frames the filter dropped, all inputs */

	/* Files: the inputs in the order given, inputs[cur - 1] being read. */
	struct capture_input *inputs;
	size_t ninputs, cur;
	struct capture_hooks hooks;
	bool debug;           /* per-input progress lines on standard error */
	bool stopped;         /* the idle hook asked to stop: no further input */
	bool ended;           /* live: failed, nothing more */
	enum compression compression;  /* of the input being read */
	struct input_reader *reader;   /* its cookie, or NULL (plain file) */
	int plain_fd;         /* a plain file's descriptor (progress), or -1 */
	uint64_t done_bytes;  /* of the inputs finished */
	uint64_t total_bytes; /* of all inputs, when all are regular files */
	bool measurable;
	uint64_t in_packets;  /* of this input: packets handed out, */
	uint64_t in_filtered; /* frames the filter dropped (at its start: c->filtered) */
	int64_t last_ts;      /* the last packet handed out */
	int64_t prev_last_ts; /* the previous input's last packet */
	const char *prev_name;
	bool have_prev;
	uint64_t in_pos;      /* packets read from this input, filtered or not */
	uint64_t skip;        /* -pcap_dir restart: packets of it to pass over */
	struct capture_dir *dir; /* following a directory, or NULL */
};

/* -pcap_dir: follow a directory of capture files (tcpdump -G/-C, dumpcap
 * ring buffers, ...): the files in the order written (modification time,
 * ties by name with numbers compared as numbers), as one capture, then the
 * new ones as they appear (inotify).  The newest file is read to its end,
 * then waited on (the idle hook runs) until it grows or a newer one
 * appears.  A file that is not a capture is said and skipped.  state
 * (-pcap_state, or NULL): where the position is kept (capture_dir_save) and
 * taken up at start.  done (-pcap_done, or NULL): "delete" or "move:DIR2",
 * for each file once read and a newer one exists.  Returns 0, or -1 with a
 * message in err. */
int capture_open_dir(struct capture *c, const char *dir, const char *state, const char *done,
		     const struct capture_hooks *hooks, bool debug, char *err);
/* -pcap_state: write the position (the file being read or last read, its
 * inode and modification time, the packets read from it) to a temporary
 * file renamed over the state file.  Does nothing without -pcap_dir or
 * -pcap_state.  0, or -1 with a message in err. */
int capture_dir_save(struct capture *c, char *err);

/* Open the inputs (paths; "-" is standard input, at most once) for reading
 * in turn; none is read yet.  Fails at once (-1, a message in err) when one
 * cannot be opened or is a directory.  debug: a line on standard error as
 * each input starts and ends. */
int capture_open_files(struct capture *c, const char *const *paths, size_t n,
		       const struct capture_hooks *hooks, bool debug, char *err);
/* Move to the next input: 1 when one is open and ready, 0 when there is
 * none left (or a stop was asked for), -1 when the next one failed (message
 * in err; call again for the one after).  capture_next() does this by
 * itself; call it first to know the first input's link type. */
int capture_open_next(struct capture *c, char *err);
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

/* -list_devices: the interfaces libpcap can capture on, one a line as
 * tcpdump -D prints them ("1.eth0 (description) [Up, Running]"), to out.
 * 0, or -1 with a message in err when there are none or libpcap cannot
 * look (on Windows: Npcap is not installed). */
int capture_list_devices(FILE *out, char *err);

/* Compile and install a BPF filter on the input being read.  Returns 0, or
 * -1 with a message. */
int capture_set_filter(struct capture *c, const char *expr, char *err);
/* Files: frames `accepts` says yes to skip the filter (a live capture's
 * filter runs in the kernel, where this does not matter). */
void capture_set_accepts(struct capture *c, capture_accepts_fn *accepts, const void *ctx);

/* Next packet: 1 and the packet, 0 when a live capture has none for now
 * (after waiting at most CAPTURE_POLL_MS or until a signal), -2 at the end
 * of the last input (or when the idle hook asked to stop), -1 on an error
 * in the input being read (message in err; a truncated or corrupt file ends
 * this way): the next call goes on with the next input. */
int capture_next(struct capture *c, int64_t *ts_ns, const uint8_t **data,
		 uint32_t *caplen, uint32_t *wirelen, char *err);

void capture_close(struct capture *c);

/* Progress through the input files, for a progress display: bytes read so
 * far and in all (of the files as stored: compressed bytes for compressed
 * files; "read" runs up to one stdio buffer ahead of the packets handed
 * out).  False when there is nothing to measure: standard input among the
 * inputs, a pipe, live capture.  Call it from the thread that calls
 * capture_next() (main's housekeeping, which the idle hook also runs); it
 * costs at most one lseek(). */
bool capture_progress(const struct capture *c, uint64_t *done, uint64_t *total);
/* The input being read ("standard input" for "-", the interface for live
 * capture), and which one it is of how many (index from 1; either pointer
 * may be NULL).  Between inputs, the last one opened. */
const char *capture_current_name(const struct capture *c, size_t *index, size_t *count);

#endif
