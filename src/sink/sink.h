/* sink: where finished records go.  Each sink takes batches of whole lines
 * (a worker's output buffer) and writes each at once: the workers batch, so
 * the sink keeps no buffer of its own and knows, per batch, how many records
 * reached the file.  A failed write is counted, never fatal.  A file sink can
 * also rotate itself by size, as gopassivedns did (-logMaxSize,
 * -logMaxBackups, -logMaxAge): see sink_set_rotation. */
#ifndef PDNSLOG_SINK_H
#define PDNSLOG_SINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sink_rotator;

struct sink {
	const char *name;   /* for messages: "stdout" or the file path (reopened by it) */
	pthread_mutex_t lock; /* workers share sinks: one batch of whole lines at a time */
	int fd;
	int owns_fd;        /* 0: standard output */
	/* Counters, written under the lock, read without it (collect_stats). */
	_Atomic uint64_t records; /* records written whole */
	_Atomic uint64_t lost;    /* records not written: failed writes, reader gone */
	_Atomic uint64_t errors;  /* failed writes, renames, opens, deletions, compressions */
	int reported;       /* a write error was already reported on stderr */
	bool gone;          /* standard output's reader closed it (EPIPE): not written to again */
	void (*on_gone)(void *); /* called once then, from the writer's thread */
	void *on_gone_arg;
	uint64_t size;      /* the file's size at open plus every byte queued since */
	struct sink_rotator *rot; /* NULL unless sink_set_rotation */
};

/* Size-based rotation of a file sink, lumberjack's scheme: when a batch would
 * take the file past max_bytes (and the file is not empty), the file is
 * renamed <name-without-ext>-<UTC 2006-01-02T15-04-05.000><ext> in the same
 * directory and a new one is opened under the original name.  Rotation falls
 * between batches: a line is never split across files, and a batch larger
 * than max_bytes fills a fresh file on its own.  Backups beyond max_backups
 * (the oldest by the time in their name) or older than max_age_days are
 * deleted; with compress they become <backup>.gz.  0 means no limit. */
struct sink_rotation {
	uint64_t max_bytes;     /* 0: no rotation at all */
	unsigned max_backups;
	unsigned max_age_days;
	bool compress;
};

/* Standard output, or a file opened for appending (created 0644). Return 0 or -1 with errno. */
int sink_open_stdout(struct sink *s);
int sink_open_file(struct sink *s, const char *path);
/* Turn rotation on for a sink from sink_open_file; call it once, before the
 * chroot and the sandbox: it opens the file's directory (kept open: rotation
 * works by it) and, when there are backups to delete or compress, starts the
 * thread that does that off the writers' path (it also tidies the backups
 * already there at once).  Returns 0 or -1 with errno (EINVAL: not a file
 * sink, or called twice); the sink works on without rotation then. */
int sink_set_rotation(struct sink *s, const struct sink_rotation *r);
/* Standard output only: when its reader goes away (a write fails with EPIPE,
 * as `pdnslog ... | head` does), call fn(arg) once, from the writing thread
 * and under the sink's lock.  That is no error (not in errors, nothing said
 * on stderr): from then on the sink writes nothing and counts every record
 * handed to it in lost. */
void sink_on_reader_gone(struct sink *s, void (*fn)(void *), void *arg);
/* Write n bytes holding `records` whole lines, at once (or not at all: the
 * stdout whose reader is gone); safe from several threads, a batch never
 * interleaved with another.  Returns how many of the records were written
 * whole: all of them, or on a failed write those before it (a line cut by
 * the failure counts as lost). */
size_t sink_write(struct sink *s, const char *p, size_t n, size_t records);
/* Close and open the file again (logrotate's SIGHUP): every batch before goes
 * to the old file, every one after to the new, so no line is lost or split.
 * Returns 0 or -1 (the old file is kept, the error reported and counted). */
int sink_reopen(struct sink *s);
/* Finish the backups' deletion and compression, close. */
void sink_close(struct sink *s);

#endif
