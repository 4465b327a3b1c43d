/* sandbox: once pdnslog is set up, a seccomp filter (libseccomp) lets it
 * make only the system calls its steady state needs: reading packets,
 * writing records, memory, time, threads waiting on each other, and reopening
 * -logfile for writing.  Everything else (exec, fork, new sockets, opening a
 * file for reading, executable memory, ptrace, ...) fails with EPERM, in every
 * thread.  A process that an attacker took over through a parser bug can then
 * do little but what pdnslog already does. */
#ifndef PDNSLOG_SANDBOX_H
#define PDNSLOG_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct sandbox_config {
	bool metrics;    /* the -metrics HTTP thread runs: accept and talk on its socket */
	bool pdns_api;   /* the -pdns_api HTTP threads run (the same), reading the store
			  * through connections opened before */
	bool syslog;     /* the syslog sink: sends, and reconnects to the daemon's socket */
	bool statsd;     /* statsd datagrams on a connected UDP socket */
	bool rotate;     /* -logMaxSize: rename, list and delete in the log's folder */
	bool rotate_compress; /* and read rotated files to gzip them */
	bool kafka;      /* librdkafka runs: it connects to brokers (resolving their
			  * names, which reads /etc files), starts a thread per
			  * broker it learns of, and wakes them through pipes */
	bool fluentd;    /* the -fluentd_socket sink: connects (and reconnects) a
			  * Unix or TCP stream socket, sends, reads acks */
	bool pcap_dir;   /* -pcap_dir: list it, open its files read-only, inotify,
			  * write and rename the state file, delete or move files */
	bool pdns_db;    /* the -pdns_db writer (SQLite, files opened before): truncate
			  * the database at checkpoints, delete the -wal and -shm
			  * files when it closes */
	bool read_files; /* open files for reading too: libpcap reads a promiscuous
			  * interface's drop counters from /sys at every pcap_stats() */
};

/* Whether this build can install the filter: not on other systems than
 * Linux, and not under a sanitizer (whose runtime forks, execs and ptraces
 * to report). */
bool sandbox_available(void);

/* Install the filter in every thread of the process.  Returns 0, or -1 with
 * a message in err (nothing is installed then). */
int sandbox_enter(const struct sandbox_config *cfg, char *err, size_t errlen);

#endif
