/* win32/signals: Windows' console control events as stop requests
 * (platform.h).  Ctrl-C and Ctrl-Break stop pdnslog as SIGINT does on
 * Linux: the read loop ends, every worker writes what waits, exit 0.
 * Closing the console window, logoff and shutdown end the process once
 * the handler returns, so the handler waits for main to finish instead
 * (Windows gives it a few seconds).  There is no SIGHUP or SIGUSR1 here:
 * -logfile is not reopened by a signal, and stats records come with
 * -stats_interval.  Also: standard streams in binary mode (records end in
 * \n, never \r\n; platform_stdio_init) and Winsock started. */
#include "platform/platform.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <winsock2.h>
#include <windows.h>

#include "platform/win32/win32.h"

static atomic_int *stop_flag;

static BOOL WINAPI on_console(DWORD event)
{
	*stop_flag = 1;
	win32_input_stop();
	if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
		return TRUE;
	/* Close, logoff, shutdown: returning ends the process at once. */
	Sleep(20000);
	return TRUE;
}

/* A service (or any process started without them) has no standard
 * streams: descriptors 0, 1 and 2 are free, and the first files opened
 * would take them, standard input's number among them.  They are given
 * NUL instead, in order. */
static void stream_or_nul(FILE *f, const char *mode)
{
	int fd = _fileno(f);
	if (fd < 0 || _get_osfhandle(fd) == -1)
		freopen("NUL", mode, f);
}

void platform_stdio_init(void)
{
	win32_pcap_hooks();
	stream_or_nul(stdin, "rb");
	stream_or_nul(stdout, "wb");
	stream_or_nul(stderr, "wb");
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
}

void platform_start(atomic_int *stop, atomic_int *reopen, atomic_int *stats)
{
	stop_flag = stop;
	WSADATA wsa;
	WSAStartup(MAKEWORD(2, 2), &wsa);
	/* A service stops on the SCM's request alone (service.c): console
	 * events (a user's logoff) are not for it. */
	if (!win32_service_start(stop))
		SetConsoleCtrlHandler(on_console, TRUE);
}

int platform_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	return pthread_create(t, NULL, fn, arg);
}
