/* posix/system: randomness, aligned memory, the terminal,
 * the user, the host, PF_RING (platform.h); the profiler is in profiler.c. */
#include "platform/platform.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

bool platform_random(void *buf, size_t n)
{
	return getrandom(buf, n, 0) == (ssize_t)n;
}

void *platform_aligned_alloc(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

void platform_aligned_free(void *p)
{
	free(p);
}

unsigned platform_terminal_width(int fd)
{
	struct winsize ws;
	return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

void platform_describe_user(char *buf, size_t len)
{
	snprintf(buf, len, "uid %u gid %u", (unsigned)getuid(), (unsigned)getgid());
}

time_t platform_timegm(struct tm *tm)
{
	return timegm(tm);
}

long platform_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n;
}

int platform_hostname(char *buf, size_t len)
{
	return gethostname(buf, len);
}

const char *platform_pcap_origin(void)
{
	return NULL;
}

bool platform_pcap_has_pfring(void)
{
	/* PF_RING's libpcap captures through PF_RING by itself; what -pfring
	 * checks is that this is the libpcap pdnslog was linked with. */
	return dlsym(RTLD_DEFAULT, "pfring_open") != NULL;
}
