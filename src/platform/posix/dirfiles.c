/* posix/dirfiles: the log's directory by an open descriptor, the *at()
 * calls on it (platform.h). */
#include "platform/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int at(int dir)
{
	return dir == PLATFORM_CWD ? AT_FDCWD : dir;
}

char *platform_path_split(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!slash)
		return strdup(".");
	size_t n = (size_t)(slash - path) + (slash == path); /* "/x": "/" */
	char *dir = malloc(n + 1);
	if (dir) {
		memcpy(dir, path, n);
		dir[n] = 0;
	}
	return dir;
}

int platform_dir_open(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void platform_dir_close(int dir)
{
	if (dir >= 0)
		close(dir);
}

int platform_open_append(int dir, const char *name)
{
	return openat(at(dir), name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int platform_open_read(int dir, const char *name)
{
	return openat(at(dir), name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

int platform_open_create(int dir, const char *name, int mode)
{
	return openat(at(dir), name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
}

int platform_rename(int dir, const char *from, const char *to)
{
	return renameat(at(dir), from, at(dir), to);
}

int platform_unlink(int dir, const char *name)
{
	return unlinkat(at(dir), name, 0);
}

bool platform_exists(int dir, const char *name)
{
	struct stat st;
	return fstatat(at(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

int platform_dir_list(int dir, void (*fn)(void *ctx, const char *name), void *ctx)
{
	/* By a duplicate of the directory opened at setup: no open for reading
	 * needed, and closedir closes only the duplicate. */
	int fd = dup(at(dir));
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	rewinddir(d); /* the offset is shared with every earlier duplicate */
	struct dirent *de;
	while ((de = readdir(d)))
		fn(ctx, de->d_name);
	closedir(d);
	return 0;
}

bool platform_reader_gone(int err)
{
	return err == EPIPE;
}
