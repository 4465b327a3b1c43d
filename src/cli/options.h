/* options: pdnslog's command line (see options.c). */
#ifndef PDNSLOG_OPTIONS_H
#define PDNSLOG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/flags.h"
#include "decode/decode.h"
#include "pipeline/worker.h"
#include "sink/kafka.h"

#define PDNSLOG_VERSION "0.1.0"
#define EXIT_USAGE 2

struct options {
	const char *dev, *pcap, *bpf, *logfile, *format, *ports, *name;
	const char *vxlan_ports, *geneve_ports, *gtpu_ports, *greudp_ports;
	const char *kafka_brokers, *kafka_topic, *kafka_stats_topic, *kafka_key_name, *cpuprofile;
	struct flag_list kafka_opts;
	long long kafka_queue;
	int64_t kafka_flush_timeout;
	const char *user, *group, *chroot_dir, *stats_file, *metrics, *config;
	const char *syslog_facility, *syslog_priority, *syslog_socket, *statsd_host, *statsd_prefix;
	long long statsd_interval;
	long long log_max_size, log_max_backups, log_max_age;
	bool log_compress;
	int syslog_fac, syslog_sev;  /* derived; syslog_fac -1: no syslog */
	int64_t stats_interval;
	bool quiet, debug, pfring, promisc, sandbox, help, version;
	int64_t gc_age, gc_interval;
	long long numprocs, fanout, max_pending, snaplen, buffer_mb;
	long long tcp_max_streams, tcp_stream_kb, tcp_max_mb;
	long long frag_max_datagrams, frag_max_mb;
	int64_t frag_timeout;

	/* Derived from the flags. */
	enum output_format output;
	bool kafka;                /* -kafka_brokers or -kafka_topic given */
	enum kafka_key kafka_key;
	struct portset portset;
	struct tunnel_ports tunnels; /* from the -*_ports of the UDP tunnels */
	char host[256];            /* the default -name */
};

/* Parse and check argv; -h and -version exit 0, mistakes exit 2. */
void options_parse(struct options *o, int argc, char **argv);

#endif
