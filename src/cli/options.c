/* options: pdnslog's flags (gopassivedns's names), their defaults and their
 * checks.  A bad flag or value ends the program here with status 2. */
#include "cli/options.h"

#include <dlfcn.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/flags.h"
#include "decode/ipfrag.h"
#include "decode/tcpstream.h"
#include "pair/table.h"
#include "sink/syslog.h"
#include "stats/metrics.h"
#include "stats/statsd.h"


static void die_usage(const char *msg)
{
	fprintf(stderr, "pdnslog: %s\nRun 'pdnslog -h' for the list of flags.\n", msg);
	exit(EXIT_USAGE);
}

/* "-ports 53,5353,5355" (ranges like 5300-5310 allowed). */
static int parse_ports(const char *s, struct portset *ps)
{
	portset_clear(ps);
	while (*s) {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;
		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s)
				return -1;
		}
		if (lo < 1 || hi > 65535 || lo > hi)
			return -1;
		for (long p = lo; p <= hi; p++)
			portset_add(ps, (uint16_t)p);
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

/* The UDP tunnels' ports: each list ('' for none) replaces that tunnel's
 * standard ports; a port may belong to one tunnel only. */
static void parse_tunnel_ports(struct options *o)
{
	const struct { const char *flag, *list; enum udp_tunnel kind; } lists[] = {
		{ "vxlan_ports", o->vxlan_ports, TUNNEL_VXLAN },
		{ "geneve_ports", o->geneve_ports, TUNNEL_GENEVE },
		{ "gtpu_ports", o->gtpu_ports, TUNNEL_GTPU },
		{ "greudp_ports", o->greudp_ports, TUNNEL_GRE_UDP },
	};
	memset(o->tunnels.kind, 0, sizeof o->tunnels.kind);
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		struct portset ps;
		char msg[200];
		if (parse_ports(lists[i].list, &ps) < 0) {
			snprintf(msg, sizeof msg, "-%s must be a comma-separated list of ports "
				 "(1-65535), or '' for none", lists[i].flag);
			die_usage(msg);
		}
		for (unsigned p = 1; p <= 65535; p++) {
			if (ps.bits[p >> 3] == 0) {
				p |= 7; /* none of these eight */
				continue;
			}
			if (!portset_has(&ps, (uint16_t)p))
				continue;
			if (o->tunnels.kind[p] != TUNNEL_NONE) {
				snprintf(msg, sizeof msg, "-%s: port %u is already a %s port", lists[i].flag,
					 p, tunnel_kind_name(o->tunnels.kind[p]));
				die_usage(msg);
			}
			o->tunnels.kind[p] = (uint8_t)lists[i].kind;
		}
	}
}

void options_parse(struct options *o, int argc, char **argv)
{
	*o = (struct options){
		.format = "flat", .ports = "53", .vxlan_ports = "4789,8472", .geneve_ports = "6081",
		.gtpu_ports = "2152", .greudp_ports = "4754", .stats_interval = 60LL * 1000000000,
		.gc_age = -60LL * 1000000000, .gc_interval = 180LL * 1000000000,
		.max_pending = PAIR_DEFAULT_MAX_PENDING, .snaplen = 65535, .promisc = true, .sandbox = true, .fanout = 1,
		.tcp_max_streams = TCP_DEFAULT_MAX_STREAMS, .tcp_stream_kb = TCP_DEFAULT_STREAM_BYTES >> 10,
		.tcp_max_mb = TCP_DEFAULT_MAX_BYTES >> 20,
		.frag_max_datagrams = FRAG_DEFAULT_MAX_DATAGRAMS, .frag_max_mb = FRAG_DEFAULT_MAX_BYTES >> 20,
		.frag_timeout = FRAG_DEFAULT_TIMEOUT_NS,
		.kafka_key_name = "client", .kafka_queue = KAFKA_DEFAULT_QUEUE,
		.kafka_flush_timeout = 10LL * 1000000000,
		.syslog_priority = "info", .syslog_socket = SYSLOG_DEFAULT_PATH,
		.statsd_prefix = STATSD_DEFAULT_PREFIX, .statsd_interval = 3,
		.log_max_backups = 3, .log_max_age = 28,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o->numprocs = ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu;

	struct flag table[] = {
		{ "dev", FLAG_STRING, &o->dev, "", "capture live from this interface ('any' for all)" },
		{ "pcap", FLAG_STRING, &o->pcap, "", "read this capture file (pcap or pcapng; '-' for standard input)", "PDNS_PCAP_FILE" },
		{ "bpf", FLAG_STRING, &o->bpf, "the -ports, IP fragments, tunnels, VLAN, MPLS and PPPoE", "BPF filter applied to live capture and files" },
		{ "ports", FLAG_STRING, &o->ports, "53", "ports DNS is recognised on, e.g. 53,5353,5355" },
		{ "vxlan_ports", FLAG_STRING, &o->vxlan_ports, "4789,8472", "UDP destination ports decoded as VXLAN ('' for none)" },
		{ "geneve_ports", FLAG_STRING, &o->geneve_ports, "6081", "UDP destination ports decoded as Geneve ('' for none)" },
		{ "gtpu_ports", FLAG_STRING, &o->gtpu_ports, "2152", "UDP destination ports decoded as GTP-U ('' for none)" },
		{ "greudp_ports", FLAG_STRING, &o->greudp_ports, "4754", "UDP destination ports decoded as GRE over UDP ('' for none)" },
		{ "logfile", FLAG_STRING, &o->logfile, "", "append records to this file", "PDNS_LOG_FILE" },
		{ "logMaxSize", FLAG_INT, &o->log_max_size, "0 (off)", "rotate -logfile before it grows past this many MB (gopassivedns rotated at 100)", "PDNS_LOG_SIZE" },
		{ "logMaxBackups", FLAG_INT, &o->log_max_backups, "3", "with -logMaxSize: rotated files kept (0: all)", "PDNS_LOG_BACKUP" },
		{ "logMaxAge", FLAG_INT, &o->log_max_age, "28", "with -logMaxSize: days a rotated file is kept (0: no limit)", "PDNS_LOG_AGE" },
		{ "logCompress", FLAG_BOOL, &o->log_compress, "false", "with -logMaxSize: gzip rotated files" },
		{ "quiet", FLAG_BOOL, &o->quiet, "false", "do not write records to standard output" },
		{ "debug", FLAG_BOOL, &o->debug, "false", "write diagnostics to standard error" },
		{ "format", FLAG_STRING, &o->format, "flat", "record format: flat (gopassivedns, one line per answer) or json (one line per exchange)" },
		{ "name", FLAG_STRING, &o->name, "host name", "sensor name written into each record" },
		{ "gc_age", FLAG_DURATION, &o->gc_age, "-1m", "how long a query waits for its response (sign ignored)" },
		{ "gc_interval", FLAG_DURATION, &o->gc_interval, "3m", "how often the exchange table is swept" },
		{ "max_pending", FLAG_INT, &o->max_pending, "1000000", "most exchanges waiting at once; past it the oldest is written unanswered" },
		{ "tcp_max_streams", FLAG_INT, &o->tcp_max_streams, "65536", "TCP: connection directions tracked at once; past it the oldest is dropped" },
		{ "tcp_stream_kb", FLAG_INT, &o->tcp_stream_kb, "256", "TCP: KiB buffered per connection direction (at least 128)" },
		{ "tcp_max_mb", FLAG_INT, &o->tcp_max_mb, "64", "TCP: MiB buffered over all connections; past it the oldest is dropped" },
		{ "frag_max_datagrams", FLAG_INT, &o->frag_max_datagrams, "4096", "IP fragments: incomplete datagrams held at once; past it the oldest is dropped" },
		{ "frag_max_mb", FLAG_INT, &o->frag_max_mb, "16", "IP fragments: MiB held over all incomplete datagrams" },
		{ "frag_timeout", FLAG_DURATION, &o->frag_timeout, "30s", "IP fragments: how long an incomplete datagram waits (capture clock)" },
		{ "numprocs", FLAG_INT, &o->numprocs, "cores, at most 8", "packet processing threads (1: all in the capture thread)", "PDNS_THREADS" },
		{ "fanout", FLAG_INT, &o->fanout, "1", "live capture on Linux: this many capture threads in one PACKET_FANOUT group (hash mode), -numprocs shared among them" },
		{ "snaplen", FLAG_INT, &o->snaplen, "65535", "live capture: bytes captured per packet" },
		{ "promisc", FLAG_BOOL, &o->promisc, "true", "live capture: promiscuous mode" },
		{ "buffer_mb", FLAG_INT, &o->buffer_mb, "libpcap's", "live capture: kernel buffer size in MiB" },
		{ "stats_interval", FLAG_DURATION, &o->stats_interval, "60s", "how often a stats record is written (0: only at exit)" },
		{ "stats_file", FLAG_STRING, &o->stats_file, "standard error", "append stats records to this file" },
		{ "metrics", FLAG_STRING, &o->metrics, "", "serve the counters as Prometheus text on ADDR:PORT (/metrics)" },
		{ "syslog_facility", FLAG_STRING, &o->syslog_facility, "", "also send each record to syslog with this facility (daemon, local0..local7, ...)" },
		{ "syslog_priority", FLAG_STRING, &o->syslog_priority, "info", "syslog severity of the records, also written as the flat record's level" },
		{ "syslog_socket", FLAG_STRING, &o->syslog_socket, SYSLOG_DEFAULT_PATH, "the syslog daemon's Unix socket" },
		{ "statsd_host", FLAG_STRING, &o->statsd_host, "", "send the counters to statsd at HOST[:PORT] over UDP (port 8125 by default)" },
		{ "statsd_interval", FLAG_INT, &o->statsd_interval, "3", "seconds between statsd sends" },
		{ "statsd_prefix", FLAG_STRING, &o->statsd_prefix, STATSD_DEFAULT_PREFIX, "prefix of the statsd names (pdnslog.SENSOR to tell sensors apart)" },
		{ "user", FLAG_STRING, &o->user, "", "after opening the capture and log files, run as this user" },
		{ "group", FLAG_STRING, &o->group, "the user's", "and as this group" },
		{ "chroot", FLAG_STRING, &o->chroot_dir, "", "and chrooted to this directory" },
		{ "kafka_brokers", FLAG_STRING, &o->kafka_brokers, "localhost:9092 with -kafka_topic", "send records to these Kafka brokers, host:port,... (turns Kafka on)", "PDNS_KAFKA_PEERS" },
		{ "kafka_topic", FLAG_STRING, &o->kafka_topic, KAFKA_DEFAULT_TOPIC, "Kafka topic for the records (turns Kafka on)" },
		{ "kafka_opt", FLAG_LIST, &o->kafka_opts, "", "a librdkafka property key=value (TLS, SASL, compression, batching ...)" },
		{ "kafka_key", FLAG_STRING, &o->kafka_key_name, "client", "Kafka message key: client, server (IP), qname or none" },
		{ "kafka_queue", FLAG_INT, &o->kafka_queue, "100000", "Kafka: most records waiting for the brokers; past it records are dropped and counted" },
		{ "kafka_stats_topic", FLAG_STRING, &o->kafka_stats_topic, "", "Kafka topic for the stats records too" },
		{ "kafka_flush_timeout", FLAG_DURATION, &o->kafka_flush_timeout, "10s", "Kafka: how long the exit waits for queued records to be delivered" },
		{ "sandbox", FLAG_BOOL, &o->sandbox, "true", "once set up, allow only the system calls pdnslog needs (seccomp; not with -cpuprofile)" },
		{ "cpuprofile", FLAG_STRING, &o->cpuprofile, "", "write a CPU profile of the run to this file (gperftools; read it with google-pprof)", "PDNS_PROFILE_FILE" },
		{ "pfring", FLAG_BOOL, &o->pfring, "false", "capture with PF_RING (needs PF_RING's libpcap)" },
		{ "config", FLAG_STRING, &o->config, "", "read settings from this file of name = value lines (flags and environment beat it)" },
		{ "version", FLAG_BOOL, &o->version, "", "print the version and exit", "" },
		{ "h", FLAG_BOOL, &o->help, "", "list the flags", "" },
		{ "help", FLAG_BOOL, &o->help, "", "list the flags", "" },
		{ 0 },
	};

	/* The file, then the environment, then the flags: the last one wins. */
	char err[512];
	const char *config = getenv("PDNS_CONFIG");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i] + (argv[i][0] == '-') + (argv[i][0] == '-' && argv[i][1] == '-');
		if (strcmp(a, "config") == 0 && i + 1 < argc && a != argv[i])
			config = argv[++i];
		else if (strncmp(a, "config=", 7) == 0 && a != argv[i])
			config = a + 7;
	}
	if (config && *config && flags_parse_file(table, config, err, sizeof err) < 0)
		die_usage(err);
	if (flags_parse_env(table, err, sizeof err) < 0)
		die_usage(err);
	if (flags_parse(table, argc, argv, err, sizeof err) < 0)
		die_usage(err);
	if (o->help) {
		flags_usage(table, stdout);
		exit(0);
	}
	if (o->version) {
		printf("pdnslog %s (%s)\n", PDNSLOG_VERSION, pcap_lib_version());
		exit(0);
	}
	if (!o->dev == !o->pcap)
		die_usage(o->dev ? "-dev and -pcap cannot be used together" : "give -pcap FILE or -dev IFACE");
	o->kafka = o->kafka_brokers || o->kafka_topic;
	if (o->kafka) {
		if (!o->kafka_brokers || !*o->kafka_brokers)
			o->kafka_brokers = "localhost:9092";
		if (!o->kafka_topic || !*o->kafka_topic)
			o->kafka_topic = KAFKA_DEFAULT_TOPIC;
	}
	if (!kafka_key_parse(o->kafka_key_name, &o->kafka_key))
		die_usage("-kafka_key must be client, server, qname or none");
	if (o->kafka_queue < 1 || o->kafka_queue > 10000000)
		die_usage("-kafka_queue must be between 1 and 10000000");
	if (o->kafka_flush_timeout < 0)
		die_usage("-kafka_flush_timeout must not be negative");
	if (!o->kafka && (o->kafka_opts.n || o->kafka_stats_topic))
		die_usage("-kafka_opt and -kafka_stats_topic need -kafka_brokers or -kafka_topic");
	/* PF_RING's libpcap captures through PF_RING by itself; what -pfring
	 * checks is that this is the libpcap pdnslog was linked with. */
	if (o->pfring && !dlsym(RTLD_DEFAULT, "pfring_open")) {
		char msg[512];
		snprintf(msg, sizeof msg, "-pfring: this build's libpcap (%s) has no PF_RING; build pdnslog "
			 "against PF_RING's libpcap (make PCAP_CFLAGS=... PCAP_LIBS=..., see the README)",
			 pcap_lib_version());
		die_usage(msg);
	}

	if (strcmp(o->format, "flat") == 0)
		o->output = FORMAT_FLAT;
	else if (strcmp(o->format, "json") == 0)
		o->output = FORMAT_JSON;
	else
		die_usage("-format must be flat or json");
	if (parse_ports(o->ports, &o->portset) < 0)
		die_usage("-ports must be a comma-separated list of ports (1-65535), e.g. 53,5353");
	parse_tunnel_ports(o);
	if (o->max_pending < 1 || o->max_pending > 100000000)
		die_usage("-max_pending must be between 1 and 100000000");
	if (o->numprocs < 1 || o->numprocs > 64)
		die_usage("-numprocs must be between 1 and 64");
	if (o->fanout < 1 || o->fanout > 64)
		die_usage("-fanout must be between 1 and 64");
	if (o->fanout > 1 && !o->dev)
		die_usage("-fanout needs live capture (-dev)");
	if (o->snaplen < 64 || o->snaplen > 262144)
		die_usage("-snaplen must be between 64 and 262144");
	if (o->tcp_max_streams < 1 || o->tcp_stream_kb < 1 || o->tcp_max_mb < 1 ||
	    o->tcp_stream_kb > (1 << 20) || o->tcp_max_mb > (1 << 20))
		die_usage("-tcp_max_streams, -tcp_stream_kb and -tcp_max_mb must be positive");
	if (o->frag_max_datagrams < 1 || o->frag_max_mb < 1 || o->frag_max_mb > (1 << 20) || o->frag_timeout <= 0)
		die_usage("-frag_max_datagrams, -frag_max_mb and -frag_timeout must be positive");
	struct sockaddr_storage metrics_addr;
	socklen_t metrics_len;
	if (o->metrics && metrics_parse_addr(o->metrics, &metrics_addr, &metrics_len) < 0)
		die_usage("-metrics must be ADDR:PORT (e.g. 127.0.0.1:9153, [::1]:9153 or :9153)");
	o->syslog_fac = -1;
	if (o->syslog_facility && *o->syslog_facility &&
	    (o->syslog_fac = syslog_parse_facility(o->syslog_facility)) < 0)
		die_usage("-syslog_facility must be kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp or local0..local7");
	if ((o->syslog_sev = syslog_parse_severity(o->syslog_priority)) < 0)
		die_usage("-syslog_priority must be emerg, alert, crit, err, warning, notice, info or debug");
	if (o->log_max_size < 0 || o->log_max_size > 1048576 || o->log_max_backups < 0 ||
	    o->log_max_backups > 100000 || o->log_max_age < 0 || o->log_max_age > 100000)
		die_usage("-logMaxSize (0 to 1048576 MB), -logMaxBackups and -logMaxAge must not be negative");
	if (o->log_max_size && !o->logfile)
		die_usage("-logMaxSize needs -logfile");
	if (o->statsd_interval < 1 || o->statsd_interval > 86400)
		die_usage("-statsd_interval must be between 1 and 86400 seconds");
	if (o->gc_interval <= 0)
		die_usage("-gc_interval must be a positive duration");
	if (o->gc_age < 0)
		o->gc_age = -o->gc_age; /* gopassivedns wrote it negative */

	if (!o->name) {
		if (gethostname(o->host, sizeof o->host) < 0)
			strcpy(o->host, "unknown");
		o->host[sizeof o->host - 1] = 0;
		o->name = o->host;
	}
}

