/* input: one capture input as the stdio stream libpcap reads.
 *
 * A regular file that is not compressed goes to libpcap as it always did:
 * fdopen() and a CAPTURE_FILE_BUFFER stdio buffer, nothing in between (the
 * path `make bench` times).  Anything else -- standard input, a pipe or FIFO,
 * a compressed file -- is read through fopencookie(), whose read function
 *   - waits for data with poll(), at most CAPTURE_POLL_MS at a time, so that
 *     a signal or a quiet pipe never leaves pdnslog blocked in read();
 *   - calls the idle hook while it waits (each timeout, each signal, and
 *     before each wait once CAPTURE_POLL_MS has passed since the last call),
 *     where the main loop does its housekeeping, and which can ask to stop:
 *     the stream then ends (EOF) as if the input had;
 *   - decompresses (decompress.h), the format known from the first bytes. */
#ifndef PDNSLOG_INPUT_H
#define PDNSLOG_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/decompress.h"

/* Called while an input waits for data; true asks to stop reading. */
typedef bool capture_idle_fn(void *ctx);

struct input_reader;

/* The plain path: fd (a regular file, not compressed) as a stream with a
 * buffer of its own (*iobuf, to free after fclose; NULL if none could be
 * had).  NULL with errno on failure; fd is then still open. */
FILE *input_open_plain(int fd, char **iobuf);

/* The cookie path.  fd is closed by fclose() unless it is standard input;
 * pollable: wait with poll() (pipes, FIFOs, terminals, sockets; not regular
 * files, which are always readable).  name is for messages (kept, not
 * copied).  The first bytes are read at once, to recognise a compression:
 * *kind says which.  Returns the stream (reading *reader), or NULL with a
 * message in err (errlen bytes); fd is closed in both cases unless it is 0. */
FILE *input_open_reader(int fd, bool pollable, const char *name, capture_idle_fn *idle,
			void *idle_ctx, char *iobuf, size_t iobuf_size, enum compression *kind,
			struct input_reader **reader, char *err, size_t errlen);

/* Following a file that is still being written (-pcap_dir): at its end
 * (read() gives 0) the reader asks at_end what to do: INPUT_END, the input
 * ends; INPUT_RETRY, read again at once; INPUT_WAIT, wait up to
 * CAPTURE_POLL_MS for wait_fd (an inotify descriptor; -1: just wait) to
 * be readable, run the idle hook (which can ask to stop), then read again.
 * r NULL: for the next reader input_open_reader() opens, from its first
 * byte. */
enum input_at_end { INPUT_END, INPUT_RETRY, INPUT_WAIT };
typedef enum input_at_end input_at_end_fn(void *ctx);
void input_follow(struct input_reader *r, input_at_end_fn *at_end, void *ctx, int wait_fd);

/* The first bytes of the plain (decompressed) stream, without using them
 * up: tries to have at least want of them (at most INPUT_HEAD_MAX), fewer at
 * the end of the input, on an error or when asked to stop.  Only before the
 * stream is read. */
#define INPUT_HEAD_MAX 4096
size_t input_peek(struct input_reader *r, size_t want, const uint8_t **head);

/* Bytes read from the descriptor so far (compressed ones for a compressed
 * input). */
uint64_t input_bytes_read(const struct input_reader *r);
/* The idle hook asked to stop: the stream ended because of that. */
bool input_stopped(const struct input_reader *r);
/* What went wrong reading ("NAME: xz data is corrupt (...)"), or NULL. */
const char *input_error(const struct input_reader *r);
/* libpcap found no capture, or a broken one, in a compressed file: was the
 * compressed data corrupt?  Decompresses on (at most INPUT_CHECK_MAX bytes;
 * a file only, never a pipe, whose writer may be slow) and returns what
 * input_error() then says. */
#define INPUT_CHECK_MAX (4u << 20)
const char *input_check(struct input_reader *r);

#endif
