/* win32/files: capture inputs and live capture waits on Windows
 * (platform.h).  Files are opened in binary mode, shared for reading and
 * writing (what _open does), so a capture being written can be read. */
#include "platform/platform.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <windows.h>

int platform_open_input(const char *path)
{
	return _open(path, _O_RDONLY | _O_BINARY | _O_NOINHERIT);
}

void platform_input_blocking(int fd)
{
}

ssize_t platform_pread(int fd, void *buf, size_t n, uint64_t off)
{
	long long at = _lseeki64(fd, 0, SEEK_CUR);
	if (at < 0 || _lseeki64(fd, (long long)off, SEEK_SET) < 0)
		return -1;
	int got = _read(fd, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
	_lseeki64(fd, at, SEEK_SET);
	return got;
}

void platform_raise_fd_limit(size_t n)
{
	/* The C runtime's own table: 512 by default, up to 8192. */
	if (n + 64 > 512)
		_setmaxstdio(n + 64 > 8192 ? 8192 : (int)(n + 64));
}

unsigned long long platform_fd_limit(void)
{
	return (unsigned long long)_getmaxstdio();
}

int platform_live_setup(pcap_t *p, int *fd, char *perr)
{
	/* Npcap: wait on the capture's event instead of a descriptor. */
	*fd = -1;
	return pcap_setnonblock(p, 1, perr) < 0 ? -1 : 0;
}

void platform_live_wait(pcap_t *p, int fd, int ms)
{
	HANDLE h = pcap_getevent(p);
	if (h)
		WaitForSingleObject(h, (DWORD)ms);
	else
		Sleep((DWORD)ms);
}
