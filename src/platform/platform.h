/* platform: the few things pdnslog does differently on each system, behind
 * one small interface.  src/platform/posix/ (Linux) and src/platform/win32/
 * (Windows, built with mingw-w64) each implement all of it; the Makefile
 * picks the folder, so no file outside them asks which system it is built
 * for.  Whole features a system lacks (Kafka, seccomp, -pcap_dir, ...) are
 * left out the same way: the Windows build compiles stand-ins from
 * src/platform/win32/ instead of their files (WIN_EXCLUDE in the Makefile),
 * and platform_refuse() turns their flags down before anything starts. */
#ifndef PDNSLOG_PLATFORM_H
#define PDNSLOG_PLATFORM_H

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

struct options;

/* ---- start and stop (signals.c) ---- */

/* First of all, before a line is written or libpcap called: standard
 * streams as pdnslog writes them (Windows: binary, so that every line ends
 * in \n), and on Windows the choice of libpcap DLL (win32/pcapload.c). */
void platform_stdio_init(void);

/* Once the flags are read: sockets, and the stop requests.  POSIX: SIGINT
 * and SIGTERM set *stop, SIGHUP *reopen, SIGUSR1 *stats, SIGPIPE ignored.
 * Windows: Ctrl-C, Ctrl-Break, closing the console, logoff and shutdown set
 * *stop (and wait for the process to finish, as Windows allows, so that
 * everything is flushed); started by the Service Control Manager, its stop
 * and shutdown requests do (win32/service.c). */
void platform_start(atomic_int *stop, atomic_int *reopen, atomic_int *stats);
/* The end of main, with its exit status (a Windows service reports it to
 * the Service Control Manager); returns it. */
int platform_finish(int status);
/* A thread that takes no signals (they are for the main thread). */
int platform_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

/* ---- flags a build cannot honour (features.c) ---- */

/* NULL, or the flag (without '-') and why this build refuses it: a usage
 * error (exit status 2), said in one line before anything starts. */
const char *platform_refuse(const struct options *o, const char **why);

/* ---- files (files.c) ---- */

/* An input named on the command line, opened for reading (a FIFO without
 * waiting for its writer); -1 with errno. */
int platform_open_input(const char *path);
/* A regular file's descriptor, made blocking again after that. */
void platform_input_blocking(int fd);
/* Up to n bytes at offset off, the file position unchanged. */
ssize_t platform_pread(int fd, void *buf, size_t n, uint64_t off);
/* Enough descriptors for n inputs open at once; the limit there is. */
void platform_raise_fd_limit(size_t n);
unsigned long long platform_fd_limit(void);

/* ---- live capture (files.c) ---- */

/* After pcap_activate: non-blocking, and what to wait on; 0, or -1 with a
 * message in perr (PCAP_ERRBUF_SIZE). */
int platform_live_setup(pcap_t *p, int *fd, char *perr);
/* Wait up to ms for packets (a stop request may end it early). */
void platform_live_wait(pcap_t *p, int fd, int ms);

/* ---- files in a directory (dirfiles.c): -logfile and its rotation ---- */

/* The directory the log and its backups are opened, renamed and deleted
 * in: POSIX keeps it open (rotation goes on after -chroot), Windows keeps
 * its path.  PLATFORM_CWD: names are paths, as given. */
#define PLATFORM_CWD (-100)
/* path's directory (malloc'd; "." when it names none) and, in *base, its
 * last part (pointing into path); NULL with errno. */
char *platform_path_split(const char *path, const char **base);
int platform_dir_open(const char *path);          /* -1 with errno */
void platform_dir_close(int dir);
/* For appending, created 0644 (Windows: shared for reading, writing and
 * deleting, so that it can be renamed while open). */
int platform_open_append(int dir, const char *name);
/* For reading; for writing, created with mode or emptied: neither follows
 * a symbolic link.  -1 with errno. */
int platform_open_read(int dir, const char *name);
int platform_open_create(int dir, const char *name, int mode);
int platform_rename(int dir, const char *from, const char *to); /* -1 with errno */
int platform_unlink(int dir, const char *name);                 /* -1 with errno */
/* Unless name is surely not there. */
bool platform_exists(int dir, const char *name);
/* Each name in the directory to fn; 0, or -1 with errno. */
int platform_dir_list(int dir, void (*fn)(void *ctx, const char *name), void *ctx);
/* A write failed with err because standard output's reader went away. */
bool platform_reader_gone(int err);

/* ---- UDP (net.c): statsd ---- */

/* A UDP socket, not blocking, connected to host:port (a numeric port): the
 * first of host's addresses that takes it (UDP's connect() only picks the
 * peer; a v6 address without a v6 route fails here).  The socket, or -1
 * with why (whylen bytes). */
intptr_t platform_udp_connect(const char *host, const char *port, char *why, size_t whylen);
/* One datagram, never waiting: 0, or -1 with why (ECONNREFUSED: an ICMP
 * from the last datagram, nobody listens). */
int platform_udp_send(intptr_t s, const void *p, size_t n, char *why, size_t whylen);
void platform_udp_close(intptr_t s);

/* ---- the rest (system.c) ---- */

/* n random bytes for hash keys; false when the system gave none. */
bool platform_random(void *buf, size_t n);
/* Memory aligned to align (a power of two, dividing n); freed only by
 * platform_aligned_free. */
void *platform_aligned_alloc(size_t align, size_t n);
void platform_aligned_free(void *p);
/* The width of the terminal on fd, 0 if unknown. */
unsigned platform_terminal_width(int fd);
/* -cpuprofile (gperftools): false when it cannot start. */
bool platform_profiler_start(const char *path);
void platform_profiler_stop(void);
/* -debug: who pdnslog runs as ("uid 0 gid 0"). */
void platform_describe_user(char *buf, size_t len);
/* timegm(): struct tm in UTC to seconds since 1970. */
time_t platform_timegm(struct tm *tm);
/* Processors online (at least 1); the host's name, 0 or -1. */
long platform_cpu_count(void);
int platform_hostname(char *buf, size_t len);
/* Where libpcap was loaded from, for -debug; NULL: linked as usual. */
const char *platform_pcap_origin(void);
/* -pfring: is this libpcap PF_RING's? */
bool platform_pcap_has_pfring(void);

#endif
