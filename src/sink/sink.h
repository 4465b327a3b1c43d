/* sink: where finished records go.  Each sink takes whole lines, buffers
 * them, and writes them out; a failed write is counted, never fatal. */
#ifndef PDNSLOG_SINK_H
#define PDNSLOG_SINK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define SINK_BUFFER (256u << 10)
#define SINK_DIRECT (32u << 10) /* batches this big are written without a copy */

struct sink {
	const char *name;   /* for messages: "stdout" or the file path (reopened by it) */
	pthread_mutex_t lock; /* workers share sinks: one batch of whole lines at a time */
	int fd;
	int owns_fd;
	char *buf;
	size_t len;
	uint64_t errors;    /* failed writes */
	int reported;       /* an error was already reported on stderr */
};

/* Standard output, or a file opened for appending (created 0644). Return 0 or -1 with errno. */
int sink_open_stdout(struct sink *s);
int sink_open_file(struct sink *s, const char *path);
/* Queue n bytes (one or more whole lines); safe from several threads. */
void sink_write(struct sink *s, const char *p, size_t n);
int sink_flush(struct sink *s);
/* Close and open the file again (logrotate's SIGHUP): what is buffered goes
 * to the old file first, so no line is lost or split.  Returns 0 or -1 (the
 * old file is kept, the error reported and counted). */
int sink_reopen(struct sink *s);
void sink_close(struct sink *s);

#endif
