/* options: pdnslog's command line (see options.c). */
#ifndef PDNSLOG_OPTIONS_H
#define PDNSLOG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/flags.h"
#include "decode/decode.h"
#include "format/avro.h"
#include "pipeline/worker.h"
#include "sink/kafka.h"

#define PDNSLOG_VERSION "0.1.0"
#define EXIT_USAGE 2

struct options {
	const char *dev, *pcap, *bpf, *logfile, *format, *ports, *name;
	/* The capture files: -pcap (repeatable), then the arguments after the
	 * flags, in that order ("-": standard input); pcap is the first. */
	struct flag_list pcaps;
	/* -pcap_dir: follow a directory instead (pcap_state, pcap_done or NULL) */
	const char *pcap_dir, *pcap_state, *pcap_done;
	const char **inputs;
	size_t ninputs;
	const char *vxlan_ports, *geneve_ports, *gtpu_ports, *greudp_ports;
	const char *kafka_brokers, *kafka_topic, *kafka_stats_topic, *kafka_key_name, *cpuprofile;
	struct flag_list kafka_opts;
	bool kafka_avro;           /* -kafka_avro: messages in Avro (format/avro.h) */
	const char *kafka_avro_schema_name;
	enum avro_record_schema kafka_avro_schema; /* derived */
	long long kafka_flush_freq; /* gopassivedns's; as linger.ms when given */
	bool assembly_debug_log, assembly_memuse_log; /* decode/tcplog.h */
	long long kafka_queue;
	int64_t kafka_flush_timeout;
	const char *fluentd_socket, *fluentd_tag; /* -fluentd_socket: PATH or tcp://HOST[:PORT] */
	long long fluentd_queue;
	bool fluentd_ack;
	int64_t fluentd_ack_timeout, fluentd_flush_timeout;
	const char *user, *group, *chroot_dir, *stats_file, *metrics, *config;
	const char *syslog_facility, *syslog_priority, *syslog_socket, *statsd_host, *statsd_prefix;
	long long statsd_interval;
	long long log_max_size, log_max_backups, log_max_age;
	bool log_compress;
	int syslog_fac, syslog_sev;  /* derived; syslog_fac -1: no syslog */
	int64_t stats_interval;
	bool progress;             /* -progress: a progress line on a terminal */
	bool quiet, debug, pfring, promisc, sandbox, help, version;
	bool list_devices;         /* -list_devices, -D: print them, exit */
	bool sandbox_given;        /* -sandbox set by a flag, the environment or a file */
	int64_t gc_age, gc_interval;
	long long numprocs, fanout, max_pending, snaplen, buffer_mb;
	long long tcp_max_streams, tcp_stream_kb, tcp_max_mb;
	long long frag_max_datagrams, frag_max_mb;
	int64_t frag_timeout;
	int64_t cof_interval;       /* -format cof, -pdns_db: pdns/cof.h */
	long long cof_max_entries;
	const char *cof_sections;   /* answer or all */
	/* -kafka_consume: Kafka into the store instead of capturing (pdns/consume.h) */
	bool kafka_consume;
	const char *kafka_group, *pdns_db;
	bool pdns_clients;          /* -pdns_clients: the store's client table too */
	/* -pdns_api: the store's HTTP query API (pdns/api.h), or NULL */
	const char *pdns_api;
	int64_t pdns_api_timeout;
	long long pdns_api_suffix_labels;

	/* Derived from the flags. */
	enum output_format output;
	bool kafka;                /* -kafka_brokers or -kafka_topic given */
	bool fluentd;              /* a -fluentd_socket that is not empty */
	char fluentd_tag_buf[300]; /* the default -fluentd_tag: "<name>.service" */
	enum kafka_key kafka_key;
	struct portset portset;
	struct tunnel_ports tunnels; /* from the -*_ports of the UDP tunnels */
	char host[256];            /* the default -name */
};

/* Parse and check the -config file (or $PDNS_CONFIG), the environment and
 * argv; -h and -version exit 0, mistakes exit 2 with one line on stderr. */
void options_parse(struct options *o, int argc, char **argv);
/* The same without exiting: 0 (with o->help or o->version set, nothing
 * else is checked), or -1 with the one-line message in err. */
int options_load(struct options *o, int argc, char **argv, char *err, size_t errlen);

#endif
