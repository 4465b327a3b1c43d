/* Unit tests: the seccomp sandbox refuses what pdnslog never needs once it
 * runs, and allows what it does.  Each case runs in a child process, since a
 * filter cannot be taken off again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/sandbox.h"

/* In the child: the first check that fails gives its line as exit status. */
#define CHECK(cond) do { if (!(cond)) _exit(__LINE__ % 250 + 1); } while (0)
#define REFUSED(call) do { errno = 0; long rc_ = (long)(call); CHECK(rc_ == -1 && errno == EPERM); } while (0)

/* Returns the child's pid. */
static pid_t run_sandboxed(bool read_files, void (*body)(void))
{
	if (!sandbox_available())
		skip();
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		struct sandbox_config cfg = { .read_files = read_files };
		CHECK(sandbox_enter(&cfg, err, sizeof err) == 0);
		body();
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fprintf(stderr, "child killed by signal %d\n", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return pid;
}

static void forbidden_calls(void)
{
	REFUSED(open("/etc/passwd", O_RDONLY));
	REFUSED(open("/etc/passwd", O_RDWR));
	REFUSED(socket(AF_INET, SOCK_DGRAM, 0));
	REFUSED(socket(AF_UNIX, SOCK_STREAM, 0));
	REFUSED(fork());
	char *argv[] = { "/bin/true", NULL };
	REFUSED(execve("/bin/true", argv, NULL));
	void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(x == MAP_FAILED && errno == EPERM);
	void *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(rw != MAP_FAILED);
	REFUSED(mprotect(rw, 4096, PROT_READ | PROT_EXEC));
	REFUSED(unlink("/tmp/pdnslog-sandbox-test-never-there"));
}

static void allowed_calls(void)
{
	/* A write-only open of a new file is what -logfile's reopen does. */
	char path[64];
	snprintf(path, sizeof path, "/tmp/pdnslog-sandbox-%d", (int)getpid());
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "x\n", 2) == 2);
	CHECK(close(fd) == 0);
	void *p = malloc(1 << 20);   /* a big allocation: mmap */
	CHECK(p != NULL);
	memset(p, 1, 1 << 20);
	free(p);
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	CHECK(write(STDERR_FILENO, "", 0) == 0);
}

static void refuses_what_is_not_needed(void **state)
{
	run_sandboxed(false, forbidden_calls);
}

static void allows_what_pdnslog_does(void **state)
{
	pid_t pid = run_sandboxed(false, allowed_calls);
	char path[64];
	snprintf(path, sizeof path, "/tmp/pdnslog-sandbox-%d", (int)pid);
	assert_int_equal(unlink(path), 0); /* the child wrote it */
}

static void read_files_for_promiscuous_capture(void)
{
	int fd = open("/proc/self/stat", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	REFUSED(socket(AF_INET, SOCK_DGRAM, 0));
	REFUSED(fork());
}

static void reading_allowed_only_when_asked(void **state)
{
	run_sandboxed(true, read_files_for_promiscuous_capture);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refuses_what_is_not_needed),
		cmocka_unit_test(allows_what_pdnslog_does),
		cmocka_unit_test(reading_allowed_only_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
