/* file: the stdout and -logfile sinks: buffered appends to a file descriptor. */
#include "sink/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sink_init(struct sink *s, const char *name, int fd, int owns)
{
	s->name = name;
	s->fd = fd;
	s->owns_fd = owns;
	s->len = 0;
	s->errors = 0;
	s->reported = 0;
	s->buf = malloc(SINK_BUFFER);
	pthread_mutex_init(&s->lock, NULL);
	return s->buf ? 0 : -1;
}

int sink_open_stdout(struct sink *s)
{
	return sink_init(s, "stdout", STDOUT_FILENO, 0);
}

int sink_open_file(struct sink *s, const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (sink_init(s, path, fd, 1) < 0) {
		close(fd);
		return -1;
	}
	return 0;
}

static int write_all(struct sink *s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->errors++;
			if (!s->reported) {
				fprintf(stderr, "pdnslog: writing to %s: %s\n", s->name, strerror(errno));
				s->reported = 1;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sink_flush(struct sink *s)
{
	int rc = write_all(s, s->buf, s->len);
	s->len = 0;
	return rc;
}

void sink_write(struct sink *s, const char *p, size_t n)
{
	pthread_mutex_lock(&s->lock);
	if (SINK_BUFFER - s->len < n)
		sink_flush(s);
	/* A batch of half the buffer or more gains nothing from the copy. */
	if (n >= SINK_DIRECT && s->len == 0)
		write_all(s, p, n);
	else {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
	}
	pthread_mutex_unlock(&s->lock);
}

int sink_reopen(struct sink *s)
{
	if (!s->owns_fd)
		return 0;
	pthread_mutex_lock(&s->lock);
	sink_flush(s);
	int fd = open(s->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		s->errors++;
		fprintf(stderr, "pdnslog: reopening %s: %s (still writing to the old file)\n",
			s->name, strerror(errno));
	} else {
		close(s->fd);
		s->fd = fd;
	}
	pthread_mutex_unlock(&s->lock);
	return fd < 0 ? -1 : 0;
}

void sink_close(struct sink *s)
{
	sink_flush(s);
	if (s->owns_fd && close(s->fd) < 0) {
		s->errors++;
		fprintf(stderr, "pdnslog: closing %s: %s\n", s->name, strerror(errno));
	}
	free(s->buf);
	s->buf = NULL;
	pthread_mutex_destroy(&s->lock);
}
