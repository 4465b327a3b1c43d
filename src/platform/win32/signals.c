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

void platform_stdio_init(void)
{
	win32_pcap_hooks();
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
}

void platform_start(atomic_int *stop, atomic_int *reopen, atomic_int *stats)
{
	stop_flag = stop;
	WSADATA wsa;
	WSAStartup(MAKEWORD(2, 2), &wsa);
	SetConsoleCtrlHandler(on_console, TRUE);
}

int platform_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	return pthread_create(t, NULL, fn, arg);
}
