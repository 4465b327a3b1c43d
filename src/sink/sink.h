/* sink: where finished records go.  Each sink takes whole lines, buffers
 * them, and writes them out; a failed write is counted, never fatal.  A file
 * sink can also rotate itself by size, as gopassivedns did (-logMaxSize,
 * -logMaxBackups, -logMaxAge): see sink_set_rotation. */
#ifndef PDNSLOG_SINK_H
#define PDNSLOG_SINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SINK_BUFFER (256u << 10)
#define SINK_DIRECT (32u << 10) /* batches this big are written without a copy */

struct sink_rotator;

struct sink {
	const char *name;   /* for messages: "stdout" or the file path (reopened by it) */
	pthread_mutex_t lock; /* workers share sinks: one batch of whole lines at a time */
	int fd;
	int owns_fd;
	char *buf;
	size_t len;
	uint64_t errors;    /* failed writes, renames, opens, deletions, compressions */
	int reported;       /* a write error was already reported on stderr */
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
/* Queue n bytes (one or more whole lines); safe from several threads. */
void sink_write(struct sink *s, const char *p, size_t n);
int sink_flush(struct sink *s);
/* Close and open the file again (logrotate's SIGHUP): what is buffered goes
 * to the old file first, so no line is lost or split.  Returns 0 or -1 (the
 * old file is kept, the error reported and counted). */
int sink_reopen(struct sink *s);
/* Flush, finish the backups' deletion and compression, close. */
void sink_close(struct sink *s);

#endif
