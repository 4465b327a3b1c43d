/* posix/files: capture inputs and live capture waits on POSIX (platform.h). */
#include "platform/platform.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

int platform_open_input(const char *path)
{
	/* Not blocking: opening a FIFO waits for no writer (reading it waits
	 * in poll(), where signals are seen). */
	return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

void platform_input_blocking(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
}

ssize_t platform_pread(int fd, void *buf, size_t n, uint64_t off)
{
	return pread(fd, buf, n, (off_t)off);
}

void platform_raise_fd_limit(size_t n)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)n + 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

unsigned long long platform_fd_limit(void)
{
	struct rlimit rl = { 0 };
	getrlimit(RLIMIT_NOFILE, &rl);
	return (unsigned long long)rl.rlim_cur;
}

int platform_live_setup(pcap_t *p, int *fd, char *perr)
{
	/* Non-blocking, with our own poll(): a blocked read would not see
	 * signals or timers while no traffic comes (TPACKET_V3 waits for a
	 * block to fill or its timer, and an empty block has no timer). */
	if (pcap_setnonblock(p, 1, perr) < 0 || (*fd = pcap_get_selectable_fd(p)) < 0)
		return -1;
	return 0;
}

void platform_live_wait(pcap_t *p, int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	poll(&pfd, 1, ms); /* a signal ends it early: fine */
}
