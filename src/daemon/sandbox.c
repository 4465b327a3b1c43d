/* sandbox: the seccomp allow-list of pdnslog's steady state (see sandbox.h). */
#include "daemon/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <seccomp.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif

bool sandbox_available(void)
{
#ifdef SANITIZED
	return false;
#else
	return true;
#endif
}

/* Allowed whatever their arguments. */
static const int always[] = {
	/* reading packets and writing records.  Every capture file is opened
	 * before the filter is installed (capture_open_files); reading them in
	 * turn, plain or compressed, takes read, pread64, poll (pipes and
	 * compressed files wait in it), lseek (progress), fcntl (fdopen), close
	 * and memory, nothing more. */
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(pwrite64), SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(close), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(select), SCMP_SYS(pselect6),
	/* live capture: the packet socket's ring and counters */
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	/* memory (mmap and mprotect below, without PROT_EXEC) */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* threads waiting on each other, time */
	SCMP_SYS(futex), SCMP_SYS(sched_yield), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(getrandom),
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	/* signals (SIGHUP, SIGUSR1, SIGTERM) and leaving */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill), SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

/* The -metrics and -pdns_api threads (libmicrohttpd): listening socket, connections. */
static const int http[] = {
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
	SCMP_SYS(shutdown), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(eventfd2), SCMP_SYS(pipe2), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
};

/* The Kafka producer (librdkafka) talking to its brokers. */
static const int kafka[] = {
	SCMP_SYS(connect), SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(shutdown),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(pipe2), SCMP_SYS(eventfd2),
	SCMP_SYS(bind), SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(prctl),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(getrlimit), SCMP_SYS(prlimit64),
};

static int allow_all(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sandbox_enter(const struct sandbox_config *cfg, char *err, size_t errlen)
{
	if (!sandbox_available()) {
		snprintf(err, errlen, "the sandbox is not available in a sanitizer build");
		return -1;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx) {
		snprintf(err, errlen, "sandbox: cannot set up a seccomp filter");
		return -1;
	}
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = allow_all(ctx, always, sizeof always / sizeof always[0]);
	if (rc == 0 && (cfg->metrics || cfg->pdns_api))
		rc = allow_all(ctx, http, sizeof http / sizeof http[0]);
	if (rc == 0 && cfg->kafka)
		rc = allow_all(ctx, kafka, sizeof kafka / sizeof kafka[0]);
	if (rc == 0 && cfg->rotate)
		rc = allow_all(ctx, (const int[]){ SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
						   SCMP_SYS(unlinkat), SCMP_SYS(getdents64) }, 5);
	if (rc == 0 && (cfg->syslog || cfg->statsd || cfg->fluentd))
		rc = allow_all(ctx, (const int[]){ SCMP_SYS(sendto), SCMP_SYS(sendmsg) }, 2);
	if (rc == 0 && (cfg->syslog || cfg->fluentd) && !cfg->kafka)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0);
	if (rc == 0 && (cfg->syslog || cfg->fluentd) && !cfg->kafka)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	/* Fluentd over TCP: its address was resolved before. */
	for (int fam = 0; rc == 0 && cfg->fluentd && !cfg->kafka && fam < 2; fam++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (int[]){ AF_INET, AF_INET6 }[fam]));
	/* Sockets of the internet and local families only; threads, never
	 * processes (clone3 hides its flags from the filter: glibc falls back
	 * to clone when it is missing). */
	for (int fam = 0; rc == 0 && cfg->kafka && fam < 4; fam++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (int[]){ AF_INET, AF_INET6, AF_UNIX, AF_NETLINK }[fam]));
	if (rc == 0 && cfg->kafka)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (rc == 0 && cfg->kafka)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* -pdns_db: SQLite reads and writes with pread64/pwrite64, locks with
	 * fcntl and maps the -shm file (all allowed above); a checkpoint
	 * truncates the database, closing deletes the -wal and -shm files.
	 * (Its directory sync after a checkpoint opens the folder: refused,
	 * which SQLite takes as a file system that cannot, and goes on.) */
	if (rc == 0 && cfg->pdns_db)
		rc = allow_all(ctx, (const int[]){ SCMP_SYS(ftruncate), SCMP_SYS(unlink),
						   SCMP_SYS(unlinkat) }, 3);
	/* Memory, never executable: no code can be brought in. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* -pcap_dir: its files are opened as they come, read-only (below). */
	if (rc == 0 && cfg->pcap_dir)
		rc = allow_all(ctx, (const int[]){ SCMP_SYS(getdents64), SCMP_SYS(inotify_init1),
						   SCMP_SYS(inotify_add_watch), SCMP_SYS(inotify_rm_watch),
						   SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
						   SCMP_SYS(unlink), SCMP_SYS(unlinkat) }, 9);
	if (rc == 0 && cfg->pcap_dir && !cfg->read_files && !cfg->kafka && !cfg->rotate_compress)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY));
	if (rc == 0 && cfg->pcap_dir && !cfg->read_files && !cfg->kafka && !cfg->rotate_compress)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY));
	/* Files only for writing (-logfile is reopened on SIGHUP), unless
	 * libpcap must read its counters. */
	bool read_files = cfg->read_files || cfg->kafka || cfg->rotate_compress;
	if (rc == 0 && read_files)
		rc = allow_all(ctx, (const int[]){ SCMP_SYS(openat), SCMP_SYS(open) }, 2);
	if (rc == 0 && !read_files)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY));
	if (rc == 0 && !read_files)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY));
	/* stdio asks whether a stream is a terminal. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: cannot install the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
