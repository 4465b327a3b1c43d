/* posix/signals: signals as stop, reopen and stats requests (platform.h).
 * SIGINT/SIGTERM: stop and flush; SIGHUP: reopen -logfile (logrotate);
 * SIGUSR1: a stats record now.  Blocking calls go on after the handler
 * (SA_RESTART): the waits for input are poll()s, which a signal always
 * ends. */
#include "platform/platform.h"

#include <signal.h>

static atomic_int *stop_flag, *reopen_flag, *stats_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		*reopen_flag = 1;
	else if (sig == SIGUSR1)
		*stats_flag = 1;
	else
		*stop_flag = 1;
}

void platform_stdio_init(void)
{
}

void platform_start(atomic_int *stop, atomic_int *reopen, atomic_int *stats)
{
	stop_flag = stop;
	reopen_flag = reopen;
	stats_flag = stats;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int platform_finish(int status)
{
	return status;
}

int platform_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
