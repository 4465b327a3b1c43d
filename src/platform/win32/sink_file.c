/* win32/sink_file: standard output and -logfile on Windows (sink.h), in
 * place of sink/file.c.  The same batches, locking and counters; the files
 * are binary (records end in \n), opened for appending (FILE_APPEND_DATA:
 * each batch lands at the end, even with another writer) and shared for
 * reading, writing and deleting, so that other programs can read the log
 * while pdnslog writes it, and rename or delete it as on Linux.  No
 * built-in rotation (sink/file.c's is POSIX): -logMaxSize is refused
 * (features.c); sink_reopen() reopens by name. */
#include "sink/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

#include "stats/progress.h"

static int sink_init(struct sink *s, const char *name, int fd, int owns)
{
	memset(s, 0, sizeof *s);
	s->name = name;
	s->fd = fd;
	s->owns_fd = owns;
	return pthread_mutex_init(&s->lock, NULL) == 0 ? 0 : -1;
}

static int open_log(const char *path)
{
	HANDLE h = CreateFileA(path, FILE_APPEND_DATA | SYNCHRONIZE,
			       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_ALWAYS,
			       FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		errno = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? ENOENT
			: e == ERROR_ACCESS_DENIED ? EACCES : e == ERROR_SHARING_VIOLATION ? EBUSY : EIO;
		return -1;
	}
	int fd = _open_osfhandle((intptr_t)h, _O_APPEND | _O_BINARY);
	if (fd < 0)
		CloseHandle(h);
	return fd;
}

static uint64_t file_size(int fd)
{
	long long n = _filelengthi64(fd);
	return n > 0 ? (uint64_t)n : 0;
}

int sink_open_stdout(struct sink *s)
{
	return sink_init(s, "stdout", _fileno(stdout), 0);
}

int sink_open_file(struct sink *s, const char *path)
{
	int fd = open_log(path);
	if (fd < 0)
		return -1;
	if (sink_init(s, path, fd, 1) < 0) {
		_close(fd);
		return -1;
	}
	s->size = file_size(fd);
	return 0;
}

int sink_set_rotation(struct sink *s, const struct sink_rotation *r)
{
	errno = ENOSYS; /* -logMaxSize is refused first (features.c) */
	return -1;
}

void sink_on_reader_gone(struct sink *s, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&s->lock);
	s->on_gone = fn;
	s->on_gone_arg = arg;
	pthread_mutex_unlock(&s->lock);
}

/* Write n bytes under the lock; returns how many were written. */
static size_t write_all(struct sink *s, const char *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t k = n - done > (1u << 30) ? (1u << 30) : n - done;
		int w = _write(s->fd, p + done, (unsigned)k);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EPIPE || errno == EINVAL) && !s->owns_fd) {
				/* Standard output's reader is gone (a closed pipe
				 * is EPIPE or EINVAL here): stop writing, quietly. */
				s->gone = true;
				if (s->on_gone)
					s->on_gone(s->on_gone_arg);
				return done;
			}
			s->errors++;
			if (!s->reported) {
				progress_eprintf("pdnslog: writing to %s: %s\n", s->name, strerror(errno));
				s->reported = 1;
			}
			return done;
		}
		done += (size_t)w;
	}
	return done;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;
	for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
		lines++;
	return lines;
}

size_t sink_write(struct sink *s, const char *p, size_t n, size_t records)
{
	size_t done = 0;
	pthread_mutex_lock(&s->lock);
	if (!s->gone) {
		s->size += n;
		size_t wrote = write_all(s, p, n);
		done = wrote == n ? records : count_lines(p, wrote);
		if (done > records)
			done = records;
	}
	s->records += done;
	s->lost += records - done;
	pthread_mutex_unlock(&s->lock);
	return done;
}

int sink_reopen(struct sink *s)
{
	if (!s->owns_fd)
		return 0;
	pthread_mutex_lock(&s->lock);
	int fd = open_log(s->name);
	if (fd < 0) {
		s->errors++;
		progress_eprintf("pdnslog: reopening %s: %s (still writing to the old file)\n",
			s->name, strerror(errno));
	} else {
		_close(s->fd);
		s->fd = fd;
		s->size = file_size(fd);
	}
	pthread_mutex_unlock(&s->lock);
	return fd < 0 ? -1 : 0;
}

void sink_close(struct sink *s)
{
	if (s->owns_fd && _close(s->fd) < 0) {
		s->errors++;
		progress_eprintf("pdnslog: closing %s: %s\n", s->name, strerror(errno));
	}
	pthread_mutex_destroy(&s->lock);
}
