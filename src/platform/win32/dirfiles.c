/* win32/dirfiles: the log's directory by its path (platform.h).  The log
 * is opened shared for reading, writing and deleting (FILE_SHARE_DELETE):
 * Windows then lets rotation rename it while it is open, as POSIX does;
 * FILE_APPEND_DATA puts every write at the end. */
#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

#define DIRS_MAX 8
static char *dirs[DIRS_MAX];

static void set_errno(DWORD e)
{
	errno = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? ENOENT
		: e == ERROR_ACCESS_DENIED ? EACCES : e == ERROR_SHARING_VIOLATION ? EBUSY
		: e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS ? EEXIST
		: e == ERROR_FILENAME_EXCED_RANGE ? ENAMETOOLONG : EIO;
}

/* dir\name, or name itself for PLATFORM_CWD; NULL (ENAMETOOLONG) if it
 * does not fit. */
static const char *join(int dir, const char *name, char *buf, size_t len)
{
	if (dir == PLATFORM_CWD)
		return name;
	const char *d = dir >= 0 && dir < DIRS_MAX && dirs[dir] ? dirs[dir] : ".";
	size_t n = strlen(d);
	const char *sep = n && (d[n - 1] == '\\' || d[n - 1] == '/' || d[n - 1] == ':') ? "" : "\\";
	if ((size_t)snprintf(buf, len, "%s%s%s", d, sep, name) >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

char *platform_path_split(const char *path, const char **base)
{
	const char *cut = NULL;
	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/' || *p == ':')
			cut = p;
	*base = cut ? cut + 1 : path;
	if (!cut)
		return strdup(".");
	/* Keep a root's separator ("\x", "C:\x") and a drive's colon ("C:x"). */
	bool root = *cut == ':' || cut == path || (cut == path + 2 && path[1] == ':');
	size_t n = (size_t)(cut - path) + root;
	char *dir = malloc(n + 1);
	if (dir) {
		memcpy(dir, path, n);
		dir[n] = 0;
	}
	return dir;
}

int platform_dir_open(const char *path)
{
	DWORD a = GetFileAttributesA(path);
	if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY)) {
		if (a == INVALID_FILE_ATTRIBUTES)
			set_errno(GetLastError());
		else
			errno = ENOTDIR;
		return -1;
	}
	for (int i = 0; i < DIRS_MAX; i++) {
		if (!dirs[i]) {
			if (!(dirs[i] = strdup(path)))
				return -1;
			return i;
		}
	}
	errno = EMFILE;
	return -1;
}

void platform_dir_close(int dir)
{
	if (dir >= 0 && dir < DIRS_MAX) {
		free(dirs[dir]);
		dirs[dir] = NULL;
	}
}

static int open_shared(int dir, const char *name, DWORD access, DWORD how, DWORD flags)
{
	char buf[MAX_PATH * 2];
	const char *path = join(dir, name, buf, sizeof buf);
	if (!path)
		return -1;
	HANDLE h = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       how, FILE_ATTRIBUTE_NORMAL | flags, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		set_errno(GetLastError());
		return -1;
	}
	int fd = _open_osfhandle((intptr_t)h, _O_BINARY | (access & FILE_APPEND_DATA ? _O_APPEND : 0) |
				 (access & GENERIC_READ ? _O_RDONLY : 0));
	if (fd < 0)
		CloseHandle(h);
	return fd;
}

int platform_open_append(int dir, const char *name)
{
	return open_shared(dir, name, FILE_APPEND_DATA | SYNCHRONIZE, OPEN_ALWAYS, 0);
}

int platform_open_read(int dir, const char *name)
{
	return open_shared(dir, name, GENERIC_READ, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT);
}

int platform_open_create(int dir, const char *name, int mode)
{
	return open_shared(dir, name, GENERIC_WRITE, CREATE_ALWAYS, FILE_FLAG_OPEN_REPARSE_POINT);
}

int platform_rename(int dir, const char *from, const char *to)
{
	char a[MAX_PATH * 2], b[MAX_PATH * 2];
	const char *pa = join(dir, from, a, sizeof a), *pb = join(dir, to, b, sizeof b);
	if (!pa || !pb)
		return -1;
	if (!MoveFileExA(pa, pb, MOVEFILE_REPLACE_EXISTING)) {
		set_errno(GetLastError());
		return -1;
	}
	return 0;
}

int platform_unlink(int dir, const char *name)
{
	char buf[MAX_PATH * 2];
	const char *path = join(dir, name, buf, sizeof buf);
	if (!path)
		return -1;
	if (!DeleteFileA(path)) {
		set_errno(GetLastError());
		return -1;
	}
	return 0;
}

bool platform_exists(int dir, const char *name)
{
	char buf[MAX_PATH * 2];
	const char *path = join(dir, name, buf, sizeof buf);
	if (!path)
		return true;
	if (GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES)
		return true;
	DWORD e = GetLastError();
	return e != ERROR_FILE_NOT_FOUND && e != ERROR_PATH_NOT_FOUND;
}

int platform_dir_list(int dir, void (*fn)(void *ctx, const char *name), void *ctx)
{
	char buf[MAX_PATH * 2];
	const char *pattern = join(dir == PLATFORM_CWD ? -1 : dir, "*", buf, sizeof buf);
	if (!pattern)
		return -1;
	WIN32_FIND_DATAA fd;
	HANDLE h = FindFirstFileA(pattern, &fd);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		if (e == ERROR_FILE_NOT_FOUND)
			return 0;
		set_errno(e);
		return -1;
	}
	do
		fn(ctx, fd.cFileName);
	while (FindNextFileA(h, &fd));
	FindClose(h);
	return 0;
}

bool platform_reader_gone(int err)
{
	/* A pipe whose reader closed: EPIPE, or EINVAL (ERROR_NO_DATA). */
	return err == EPIPE || err == EINVAL;
}
