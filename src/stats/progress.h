/* progress: the one-line progress display on standard error while a capture
 * file is read, when standard error is a terminal.
 *
 *   pdnslog  42.1%  812k pkt/s  1.23M records  0:12 elapsed  0:17 left  big.pcap
 *
 * Two layers.  The first only formats: it takes the numbers and the time
 * (an injected clock) and writes text into a buffer, so unit tests check the
 * percent, rates, times, the throttling and the erase sequence.  The second
 * owns the line on standard error for main: it draws at most
 * PROGRESS_INTERVAL_NS apart and erases the line before anything else is
 * written there (progress_clear, progress_eprintf), so lines never mix. */
#ifndef PDNSLOG_PROGRESS_H
#define PDNSLOG_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_INTERVAL_NS 250000000LL /* at most 4 lines a second */
#define PROGRESS_ETA_AFTER_NS 1000000000LL /* no estimate before a second */
#define PROGRESS_WIDTH 80                /* columns when the terminal does not say */

/* What one line shows. */
struct progress_numbers {
	uint64_t done, total;     /* bytes of the input read, and in all */
	uint64_t packets;         /* packets read */
	uint64_t records;         /* records written */
	const char *label;        /* the file being read, or NULL */
};

struct progress {
	int64_t start_ns;         /* the clock at progress_init */
	int64_t last_ns;          /* the last line drawn (start_ns before any) */
	unsigned width;           /* terminal columns: lines keep under them */
	bool plain;               /* no escape sequences: erase with spaces */
	size_t shown;             /* columns of the line on screen, 0 for none */
};

/* --- Formatting: text into buf (always NUL-terminated when len > 0);
 * each returns the length written. */

/* A count in 3 significant digits: 999, 1.23k, 12.3k, 123k, 1.23M, ... G, T. */
size_t progress_count(char *buf, size_t len, double v);
/* A duration: 0:05, 12:34, 1:02:03 (hours uncapped); negative as 0:00. */
size_t progress_duration(char *buf, size_t len, int64_t ns);
/* The line's text, without the cursor movements, cut to width - 1 columns
 * (the label gives way first; its unprintable bytes show as '?'). */
size_t progress_line(char *buf, size_t len, const struct progress_numbers *n,
		     int64_t elapsed_ns, unsigned width);

/* --- The line's life, on an injected clock. */

/* width 0: PROGRESS_WIDTH.  plain: the terminal knows no escapes (TERM=dumb). */
void progress_init(struct progress *p, int64_t now_ns, unsigned width, bool plain);
/* The bytes that (re)draw the line now ("\r" LINE "\033[K", or the line
 * padded with spaces over the last one when plain), or 0 and nothing when
 * the last line was drawn less than PROGRESS_INTERVAL_NS ago (and for the
 * first PROGRESS_INTERVAL_NS, so a short run draws nothing). */
size_t progress_draw(struct progress *p, char *buf, size_t len, int64_t now_ns,
		     const struct progress_numbers *n);
/* The bytes that erase the line on screen ("\r\033[K", or "\r", spaces,
 * "\r" when plain), leaving the cursor at its start; 0 when none is shown. */
size_t progress_erase(struct progress *p, char *buf, size_t len);

/* --- Standard error's line, for main.  Draws only from the thread that
 * calls progress_tick; progress_clear and progress_eprintf from any. */

struct capture;
struct stats;

/* Before the sandbox (it asks the terminal its width): show a progress line
 * from now on when `show` (main: -progress, standard error a terminal,
 * records not on that terminal).  Starts the run's clock either way. */
void progress_open(bool show);
/* From the read loop, as often as is cheap: draws when due and the input is
 * a file (capture_progress says how far it is). */
void progress_tick(const struct capture *c, const struct stats *now);
/* Erase the line if one is drawn: call it before writing anything else to
 * standard error (the next tick draws it again). */
void progress_clear(void);
/* progress_clear, then fprintf to standard error, as one step. */
void progress_eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Erase the line for good: no more are drawn. */
void progress_close(void);
/* Nanoseconds since progress_open. */
int64_t progress_elapsed_ns(void);

#endif
