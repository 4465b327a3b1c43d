/* win32/system: randomness, aligned memory, the console, the user
 * (platform.h), the host; no profiler and no PF_RING on Windows. */
#include "platform/platform.h"

#include <io.h>
#include <malloc.h>
#include <stdlib.h>
#include <windows.h>
#include <bcrypt.h>

bool platform_random(void *buf, size_t n)
{
	return BCryptGenRandom(NULL, buf, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}

void *platform_aligned_alloc(size_t align, size_t n)
{
	return _aligned_malloc(n, align);
}

void platform_aligned_free(void *p)
{
	_aligned_free(p);
}

unsigned platform_terminal_width(int fd)
{
	CONSOLE_SCREEN_BUFFER_INFO info;
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	if (h == INVALID_HANDLE_VALUE || !GetConsoleScreenBufferInfo(h, &info))
		return 0;
	return (unsigned)(info.srWindow.Right - info.srWindow.Left + 1);
}

bool platform_profiler_start(const char *path)
{
	return false; /* -cpuprofile is refused first (features.c) */
}

void platform_profiler_stop(void)
{
}

void platform_describe_user(char *buf, size_t len)
{
	char name[256];
	DWORD n = sizeof name;
	snprintf(buf, len, "Windows user %s", GetUserNameA(name, &n) ? name : "(unknown)");
}

time_t platform_timegm(struct tm *tm)
{
	return _mkgmtime(tm);
}

long platform_cpu_count(void)
{
	SYSTEM_INFO si;
	GetSystemInfo(&si);
	return si.dwNumberOfProcessors < 1 ? 1 : (long)si.dwNumberOfProcessors;
}

int platform_hostname(char *buf, size_t len)
{
	/* What gopassivedns's os.Hostname() gave on Windows. */
	DWORD n = (DWORD)len;
	return GetComputerNameExA(ComputerNameDnsHostname, buf, &n) ? 0 : -1;
}

bool platform_pcap_has_pfring(void)
{
	return false;
}
