/* options: pdnslog's flags (gopassivedns's names), their defaults and their
 * checks.  A bad flag or value ends the program here with status 2. */
#include "cli/options.h"

#include <limits.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags.h"
#include "decode/ipfrag.h"
#include "decode/tcpstream.h"
#include "pair/table.h"
#include "platform/platform.h"
#include "sink/fluentd.h"
#include "sink/syslog.h"
#include "pdns/api.h"
#include "stats/metrics.h"
#include "stats/statsd.h"


/* "-ports 53,5353,5355" (ranges like 5300-5310 allowed); "" is no port. */
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

/* The checks of single values (struct flag's check), run on every value
 * from wherever it comes: NULL, or why it is refused. */
static const char *check_format(const char *v)
{
	return strcmp(v, "flat") == 0 || strcmp(v, "json") == 0 || strcmp(v, "cof") == 0
		? NULL : "must be flat, json or cof";
}

static const char *check_cof_sections(const char *v)
{
	return strcmp(v, "answer") == 0 || strcmp(v, "all") == 0 ? NULL : "must be answer or all";
}

static const char *check_ports(const char *v)
{
	static struct portset ps;
	if (!*v)
		return "must list at least one port, e.g. 53 (it is empty)";
	return parse_ports(v, &ps) == 0 ? NULL
		: "must be a comma-separated list of ports (1-65535), e.g. 53,5353";
}

static const char *check_tunnel_ports(const char *v)
{
	static struct portset ps;
	return parse_ports(v, &ps) == 0 ? NULL
		: "must be a comma-separated list of ports (1-65535), or '' for none";
}

static const char *check_gc_age(const char *v)
{
	int64_t ns;
	return parse_duration(v, &ns) == 0 && ns == 0
		? "must not be 0 (how long a query waits for its response, e.g. 1m; its sign is ignored)"
		: NULL;
}

static const char *check_metrics(const char *v)
{
	return metrics_addr_valid(v) ? NULL
		: "must be ADDR:PORT (e.g. 127.0.0.1:9153, [::1]:9153 or :9153)";
}

static const char *check_pdns_api(const char *v)
{
	return !*v || metrics_addr_valid(v) ? NULL
		: "must be ADDR:PORT (e.g. 127.0.0.1:8081, [::1]:8081 or :8081)";
}

static const char *check_syslog_facility(const char *v)
{
	return !*v || syslog_parse_facility(v) >= 0 ? NULL
		: "must be kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, "
		  "ftp or local0..local7 (or empty for no syslog)";
}

static const char *check_syslog_priority(const char *v)
{
	return syslog_parse_severity(v) >= 0 ? NULL
		: "must be emerg, alert, crit, err, warning, notice, info or debug";
}

static const char *check_kafka_brokers(const char *v)
{
	return *v ? NULL : "must list at least one HOST:PORT (it is empty)";
}

static const char *check_kafka_key(const char *v)
{
	enum kafka_key k;
	return kafka_key_parse(v, &k) ? NULL : "must be client, server, qname or none";
}

static const char *check_kafka_avro_schema(const char *v)
{
	enum avro_record_schema s;
	return avro_record_schema_parse(v, &s) ? NULL : "must be gopassivedns or pdnslog";
}

static const char *check_fluentd_socket(const char *v)
{
	static char why[300];
	struct fluentd_address a;
	return !*v || fluentd_parse_address(v, &a, why, sizeof why) == 0 ? NULL : why;
}

static const char *check_not_empty(const char *v)
{
	return *v ? NULL : "must not be empty";
}

static const char *check_kafka_opt(const char *v)
{
	static char why[300];
	const char *eq = strchr(v, '=');
	if (eq && eq != v)
		return NULL;
	snprintf(why, sizeof why, "\"%.200s\": expected key=value", v);
	return why;
}

/* What the checks below need to name where a value came from. */
struct checker {
	struct flag *table;
	char *err;
	size_t errlen;
};

/* A usage error about flag name's value, the message starting with where
 * that value came from ("-fanout", "environment PDNS_FANOUT: -fanout",
 * "FILE:LINE: fanout"), then a space and why (no space before a ':').
 * Returns -1. */
static int bad(struct checker *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct checker *c, const char *name, const char *fmt, ...)
{
	char where[512], why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s%s%s", flags_origin(flags_find(c->table, name), where, sizeof where),
		 why[0] == ':' ? "" : " ", why);
	return -1;
}

/* The UDP tunnels' ports: each list ('' for none) replaces that tunnel's
 * standard ports; a port may belong to one tunnel only. */
static int parse_tunnel_ports(struct options *o, struct checker *c)
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
		if (parse_ports(lists[i].list, &ps) < 0) /* checked as read; the defaults are good */
			return bad(c, lists[i].flag, "%s", check_tunnel_ports(lists[i].list));
		for (unsigned p = 1; p <= 65535; p++) {
			if (ps.bits[p >> 3] == 0) {
				p |= 7; /* none of these eight */
				continue;
			}
			if (!portset_has(&ps, (uint16_t)p))
				continue;
			if (o->tunnels.kind[p] != TUNNEL_NONE)
				return bad(c, lists[i].flag, ": port %u is already a %s port", p,
					   tunnel_kind_name(o->tunnels.kind[p]));
			o->tunnels.kind[p] = (uint8_t)lists[i].kind;
		}
	}
	return 0;
}

static void options_defaults(struct options *o)
{
	*o = (struct options){
		.format = "flat", .ports = "53", .vxlan_ports = "4789,8472", .geneve_ports = "6081",
		.gtpu_ports = "2152", .greudp_ports = "4754", .stats_interval = 60LL * 1000000000,
		.gc_age = -60LL * 1000000000, .gc_interval = 180LL * 1000000000,
		.max_pending = PAIR_DEFAULT_MAX_PENDING, .snaplen = 65535, .promisc = true, .sandbox = true, .progress = true, .fanout = 1,
		.tcp_max_streams = TCP_DEFAULT_MAX_STREAMS, .tcp_stream_kb = TCP_DEFAULT_STREAM_BYTES >> 10,
		.tcp_max_mb = TCP_DEFAULT_MAX_BYTES >> 20,
		.frag_max_datagrams = FRAG_DEFAULT_MAX_DATAGRAMS, .frag_max_mb = FRAG_DEFAULT_MAX_BYTES >> 20,
		.frag_timeout = FRAG_DEFAULT_TIMEOUT_NS,
		.cof_interval = COF_DEFAULT_INTERVAL_NS, .cof_max_entries = COF_DEFAULT_MAX_ENTRIES,
		.cof_sections = "answer",
		.pdns_api_timeout = PDNS_API_DEFAULT_TIMEOUT_NS, .pdns_api_suffix_labels = PDNS_API_DEFAULT_SUFFIX_LABELS,
		.kafka_key_name = "client", .kafka_queue = KAFKA_DEFAULT_QUEUE, .kafka_group = "pdnslog-store",
		.kafka_flush_timeout = 10LL * 1000000000,
		.fluentd_queue = FLUENTD_DEFAULT_QUEUE, .fluentd_ack = true,
		.fluentd_ack_timeout = 60LL * 1000000000, .fluentd_flush_timeout = 10LL * 1000000000,
		.syslog_priority = "info", .syslog_socket = SYSLOG_DEFAULT_PATH,
		.statsd_prefix = STATSD_DEFAULT_PREFIX, .statsd_interval = 5,
		.log_max_backups = 3, .log_max_age = 28,
	};
	long ncpu = platform_cpu_count();
	o->numprocs = ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu;
}

static const char *check_pcap_done(const char *v)
{
	if (!*v || strcmp(v, "delete") == 0 || (strncmp(v, "move:", 5) == 0 && v[5]))
		return NULL;
	return "must be delete or move:DIR";
}

/* The flags, writing into o: name, kind, value, default and help for -h,
 * gopassivedns's variable, then what values are allowed (see struct flag;
 * an int's range is shown by -h).  Durations' ranges: 0 is "not negative",
 * 1 (ns) "positive". */
#define NFLAGS 96
#define ANY LLONG_MAX
static void options_table(struct options *o, struct flag table[NFLAGS])
{
	const struct flag t[] = {
		{ "dev", FLAG_STRING, &o->dev, "", "capture live from this interface ('any' for all)" },
		{ "pcap", FLAG_LIST, &o->pcaps, "", "read this capture file (pcap or pcapng, plain or compressed by gzip, xz, zstd, bzip2 or lz4; '-' for standard input); capture files may also follow the flags, all read in order as one capture", "PDNS_PCAP_FILE" },
		{ "pcap_dir", FLAG_STRING, &o->pcap_dir, "", "follow this directory of capture files (tcpdump -G/-C, dumpcap ring buffers): read them in the order written, then each new one as it appears, the newest up to its end as it grows; not with -pcap, -dev or file arguments" },
		{ "pcap_state", FLAG_STRING, &o->pcap_state, "", "-pcap_dir: keep the position here (file, inode, packets read), to take it up at the next start" },
		{ "pcap_done", FLAG_STRING, &o->pcap_done, "", "-pcap_dir: once a file is read and a newer one exists, 'delete' it or 'move:DIR' it", .check = check_pcap_done },
		{ "bpf", FLAG_STRING, &o->bpf, "the -ports, IP fragments, tunnels, VLAN, MPLS and PPPoE", "BPF filter applied to live capture and files ('' for none)" },
		{ "ports", FLAG_STRING, &o->ports, "53", "ports DNS is recognised on, e.g. 53,5353,5355 or 5300-5310", .check = check_ports },
		{ "vxlan_ports", FLAG_STRING, &o->vxlan_ports, "4789,8472", "UDP destination ports decoded as VXLAN ('' for none)", .check = check_tunnel_ports },
		{ "geneve_ports", FLAG_STRING, &o->geneve_ports, "6081", "UDP destination ports decoded as Geneve ('' for none)", .check = check_tunnel_ports },
		{ "gtpu_ports", FLAG_STRING, &o->gtpu_ports, "2152", "UDP destination ports decoded as GTP-U ('' for none)", .check = check_tunnel_ports },
		{ "greudp_ports", FLAG_STRING, &o->greudp_ports, "4754", "UDP destination ports decoded as GRE over UDP ('' for none)", .check = check_tunnel_ports },
		{ "logfile", FLAG_STRING, &o->logfile, "", "append records to this file", "PDNS_LOG_FILE" },
		{ "logMaxSize", FLAG_INT, &o->log_max_size, "0 (off)", "rotate -logfile before it grows past this many MB (gopassivedns rotated at 100)", "PDNS_LOG_SIZE", .min = 0, .max = 1048576 },
		{ "logMaxBackups", FLAG_INT, &o->log_max_backups, "3", "with -logMaxSize: rotated files kept (0: all)", "PDNS_LOG_BACKUP", .min = 0, .max = 100000 },
		{ "logMaxAge", FLAG_INT, &o->log_max_age, "28", "with -logMaxSize: days a rotated file is kept (0: no limit)", "PDNS_LOG_AGE", .min = 0, .max = 100000 },
		{ "logCompress", FLAG_BOOL, &o->log_compress, "false", "with -logMaxSize: gzip rotated files" },
		{ "quiet", FLAG_BOOL, &o->quiet, "false", "do not write records to standard output" },
		{ "debug", FLAG_BOOL, &o->debug, "false", "write diagnostics to standard error" },
		{ "format", FLAG_STRING, &o->format, "flat", "record format: flat (gopassivedns, one line per answer), json (one line per exchange) or cof (passive DNS facts aggregated over -cof_interval, one Common Output Format line each)", .check = check_format },
		{ "cof_interval", FLAG_DURATION, &o->cof_interval, "1h", "-format cof, -pdns_db: a fact is written when first seen, then at most once per this long (capture clock) with what was seen since (positive)", .min = 1, .max = ANY },
		{ "cof_max_entries", FLAG_INT, &o->cof_max_entries, "1000000", "-format cof, -pdns_db: most facts held at once (about 320 bytes each at most), shared out among the workers; past it the least recently seen is written and forgotten", .min = 1, .max = 100000000 },
		{ "cof_sections", FLAG_STRING, &o->cof_sections, "answer", "-format cof, -pdns_db: the facts of the answer section, or of all sections (authority and additional too; OPT and TSIG never)", .check = check_cof_sections },
		{ "name", FLAG_STRING, &o->name, "host name", "sensor name written into each record" },
		{ "gc_age", FLAG_DURATION, &o->gc_age, "-1m", "how long a query waits for its response, and an idle TCP stream is kept (sign ignored; not 0)", .check = check_gc_age },
		{ "gc_interval", FLAG_DURATION, &o->gc_interval, "3m", "how often the exchange table is swept (positive)", .min = 1, .max = ANY },
		{ "max_pending", FLAG_INT, &o->max_pending, "1000000", "most exchanges waiting at once; past it the oldest is written unanswered", .min = 1, .max = 100000000 },
		{ "tcp_max_streams", FLAG_INT, &o->tcp_max_streams, "65536", "TCP: connection directions tracked at once; past it the oldest is dropped", .min = 1, .max = ANY },
		{ "tcp_stream_kb", FLAG_INT, &o->tcp_stream_kb, "256", "TCP: KiB buffered per connection direction (two messages of 64 KiB must fit)", .min = 128, .max = 1048576 },
		{ "tcp_max_mb", FLAG_INT, &o->tcp_max_mb, "64", "TCP: MiB buffered over all connections; past it the oldest is dropped", .min = 1, .max = 1048576 },
		{ "frag_max_datagrams", FLAG_INT, &o->frag_max_datagrams, "4096", "IP fragments: incomplete datagrams held at once; past it the oldest is dropped", .min = 1, .max = ANY },
		{ "frag_max_mb", FLAG_INT, &o->frag_max_mb, "16", "IP fragments: MiB held over all incomplete datagrams", .min = 1, .max = 1048576 },
		{ "frag_timeout", FLAG_DURATION, &o->frag_timeout, "30s", "IP fragments: how long an incomplete datagram waits (capture clock; positive)", .min = 1, .max = ANY },
		{ "numprocs", FLAG_INT, &o->numprocs, "cores, at most 8", "packet processing threads (1: all in the capture thread)", "PDNS_THREADS", .min = 1, .max = 64 },
		{ "fanout", FLAG_INT, &o->fanout, "1", "live capture on Linux: this many capture threads in one PACKET_FANOUT group (hash mode), -numprocs shared among them", .min = 1, .max = 64 },
		{ "snaplen", FLAG_INT, &o->snaplen, "65535", "live capture: bytes captured per packet", .min = 64, .max = 262144 },
		{ "promisc", FLAG_BOOL, &o->promisc, "true", "live capture: promiscuous mode" },
		{ "buffer_mb", FLAG_INT, &o->buffer_mb, "0 (libpcap's)", "live capture: kernel buffer size in MiB", .min = 0, .max = 2047 },
		{ "stats_interval", FLAG_DURATION, &o->stats_interval, "60s", "how often a stats record is written (0: only at exit; not negative)", .min = 0, .max = ANY },
		{ "stats_file", FLAG_STRING, &o->stats_file, "standard error", "append stats records to this file" },
		{ "progress", FLAG_BOOL, &o->progress, "true", "a progress line on standard error when it is a terminal and the input a file" },
		{ "metrics", FLAG_STRING, &o->metrics, "", "serve the counters as Prometheus text on ADDR:PORT (/metrics)", .check = check_metrics },
		{ "syslog_facility", FLAG_STRING, &o->syslog_facility, "", "also send each record to syslog with this facility (daemon, local0..local7, ...; any case)", .check = check_syslog_facility },
		{ "syslog_priority", FLAG_STRING, &o->syslog_priority, "info", "syslog severity of the records (emerg .. debug; any case), also written as the flat record's level", .check = check_syslog_priority },
		{ "syslog_socket", FLAG_STRING, &o->syslog_socket, SYSLOG_DEFAULT_PATH, "the syslog daemon's Unix socket" },
		{ "statsd_host", FLAG_STRING, &o->statsd_host, "", "send the counters to statsd at HOST[:PORT] over UDP (port 8125 by default)" },
		{ "statsd_interval", FLAG_INT, &o->statsd_interval, "5", "seconds between statsd sends", .min = 1, .max = 86400 },
		{ "statsd_prefix", FLAG_STRING, &o->statsd_prefix, STATSD_DEFAULT_PREFIX, "prefix of the statsd names (pdnslog.SENSOR to tell sensors apart)" },
		{ "user", FLAG_STRING, &o->user, "", "after opening the capture and log files, run as this user" },
		{ "group", FLAG_STRING, &o->group, "the user's", "and as this group" },
		{ "chroot", FLAG_STRING, &o->chroot_dir, "", "and chrooted to this directory" },
		{ "kafka_brokers", FLAG_STRING, &o->kafka_brokers, "localhost:9092 with -kafka_topic", "send records to these Kafka brokers, host:port,... (turns Kafka on)", "PDNS_KAFKA_PEERS", .check = check_kafka_brokers },
		{ "kafka_topic", FLAG_STRING, &o->kafka_topic, KAFKA_DEFAULT_TOPIC, "Kafka topic for the records (turns Kafka on)" },
		{ "kafka_opt", FLAG_LIST, &o->kafka_opts, "", "a librdkafka property key=value (TLS, SASL, compression, batching ...)", .check = check_kafka_opt },
		{ "kafka_key", FLAG_STRING, &o->kafka_key_name, "client", "Kafka message key: client, server (IP), qname or none", .check = check_kafka_key },
		{ "kafka_queue", FLAG_INT, &o->kafka_queue, "100000", "Kafka: most records waiting for the brokers; past it records are dropped and counted", .min = 1, .max = 10000000 },
		{ "kafka_stats_topic", FLAG_STRING, &o->kafka_stats_topic, "", "Kafka topic for the stats records too" },
		{ "kafka_flush_timeout", FLAG_DURATION, &o->kafka_flush_timeout, "10s", "Kafka: how long the exit waits for queued records to be delivered (not negative)", .min = 0, .max = ANY },
		{ "kafka_avro", FLAG_BOOL, &o->kafka_avro, "false", "Kafka messages in Avro single-object encoding (C3 01, schema fingerprint, record), one per flat record" },
		{ "kafka_avro_schema", FLAG_STRING, &o->kafka_avro_schema_name, "gopassivedns", "with -kafka_avro: the writer schema, gopassivedns (its DnsLogEntry) or pdnslog (nullable rcode and elapsed, status, sensor)", .check = check_kafka_avro_schema },
		{ "kafka_flush_freq", FLAG_INT, &o->kafka_flush_freq, "20", "Kafka: milliseconds a record may wait to be sent in a batch (librdkafka's linger.ms; gopassivedns's flag)", .min = 0, .max = 900000 },
		{ "kafka_consume", FLAG_BOOL, &o->kafka_consume, "false", "capture nothing: read COF lines (-format cof) from -kafka_topic on -kafka_brokers into the -pdns_db store, exactly once, until SIGINT or SIGTERM" },
		{ "kafka_group", FLAG_STRING, &o->kafka_group, "pdnslog-store", "-kafka_consume: the Kafka consumer group (one per store)", .check = check_not_empty },
		{ "pdns_db", FLAG_STRING, &o->pdns_db, "", "the passive DNS database: an SQLite file of COF facts (created if missing)" },
		{ "pdns_clients", FLAG_BOOL, &o->pdns_clients, "false", "-pdns_db: keep also who asked: a row per (client address, question name, type) with first/last time and count of the responses it received. Personal data: off by default" },
		{ "pdns_api", FLAG_STRING, &o->pdns_api, "", "serve the -pdns_db store read-only over HTTP on ADDR:PORT: GET /query/NAME, GET /rdata/VALUE answer COF lines (also `pdnslog serve`)", .check = check_pdns_api },
		{ "pdns_api_timeout", FLAG_DURATION, &o->pdns_api_timeout, "2s", "-pdns_api: a query running longer is stopped and answered 503 (positive)", .min = 1, .max = ANY },
		{ "pdns_api_suffix_labels", FLAG_INT, &o->pdns_api_suffix_labels, "2", "-pdns_api: the fewest labels a suffix query *.NAME must name (2 refuses *.com)", .min = 1, .max = 127 },
		{ "fluentd_socket", FLAG_STRING, &o->fluentd_socket, "", "send records to Fluentd (Forward protocol) at this Unix socket path, unix://PATH or tcp://HOST[:PORT] (port 24224 by default)", .check = check_fluentd_socket },
		{ "fluentd_tag", FLAG_STRING, &o->fluentd_tag, "<-name>.service", "Fluentd: the tag of the records", .check = check_not_empty },
		{ "fluentd_queue", FLAG_INT, &o->fluentd_queue, "100000", "Fluentd: most records queued or waiting for their ack; past it records are dropped and counted", .min = 1, .max = 10000000 },
		{ "fluentd_ack", FLAG_BOOL, &o->fluentd_ack, "true", "Fluentd: ask the server to acknowledge each batch (chunk option) and send again what it did not (at-least-once); false: a batch written to the socket counts delivered" },
		{ "fluentd_ack_timeout", FLAG_DURATION, &o->fluentd_ack_timeout, "60s", "Fluentd: no ack after this long: reconnect and send again what was not acknowledged (positive)", .min = 1, .max = ANY },
		{ "fluentd_flush_timeout", FLAG_DURATION, &o->fluentd_flush_timeout, "10s", "Fluentd: how long the exit waits for queued records to be delivered (not negative)", .min = 0, .max = ANY },
		{ "assembly_debug_log", FLAG_BOOL, &o->assembly_debug_log, "false", "a line on standard error for each TCP segment: flow, sequence, length, what reassembly did with it" },
		{ "assembly_memuse_log", FLAG_BOOL, &o->assembly_memuse_log, "false", "a line on standard error with each worker's TCP and IP reassembly memory, every 10 s of capture time and at the end" },
		{ "sandbox", FLAG_BOOL, &o->sandbox, "true", "once set up, allow only the system calls pdnslog needs (seccomp; not with -cpuprofile)" },
		{ "cpuprofile", FLAG_STRING, &o->cpuprofile, "", "write a CPU profile of the run to this file (gperftools; read it with google-pprof)", "PDNS_PROFILE_FILE" },
		{ "pfring", FLAG_BOOL, &o->pfring, "false", "capture with PF_RING (needs PF_RING's libpcap)" },
		{ "config", FLAG_STRING, &o->config, "", "read settings from this file of name = value lines (flags and environment beat it)" },
		{ "list_devices", FLAG_BOOL, &o->list_devices, "", "print the interfaces -dev can capture on and exit (as tcpdump -D)", "" },
		{ "D", FLAG_BOOL, &o->list_devices, "", "the same as -list_devices", "" },
		{ "version", FLAG_BOOL, &o->version, "", "print the version and exit", "" },
		{ "h", FLAG_BOOL, &o->help, "", "list the flags", "" },
		{ "help", FLAG_BOOL, &o->help, "", "list the flags", "" },
		{ 0 },
	};
	_Static_assert(sizeof t / sizeof t[0] <= NFLAGS, "NFLAGS too small");
	memcpy(table, t, sizeof t);
}

/* The capture files: the -pcap values, then the arguments after the flags
 * (which count as -pcap on the command line, over a file's or the
 * environment's).  Standard input at most once. */
static int capture_files(struct options *o, struct flag *table, int argc, char **argv, int first,
			 char *err, size_t errlen)
{
	struct flag *pcap = flags_find(table, "pcap");
	if (first < argc && pcap->source < FLAG_FROM_ARGS) {
		o->pcaps.n = 0;
		pcap->source = FLAG_FROM_ARGS;
	}
	size_t n = o->pcaps.n + (size_t)(argc - first);
	static const char **kept; /* the last call's list, reachable */
	free(kept);
	o->inputs = kept = calloc(n + 1, sizeof *o->inputs);
	if (!o->inputs)
		return snprintf(err, errlen, "out of memory"), -1;
	int stdin_seen = 0;
	for (size_t i = 0; i < n; i++) {
		const char *f = i < o->pcaps.n ? o->pcaps.v[i] : argv[first + (int)(i - o->pcaps.n)];
		if (i >= o->pcaps.n && f[0] == '-' && f[1]) /* "-" alone is standard input */
			return snprintf(err, errlen, "flags go before the capture files: \"%s\" follows \"%s\" "
					"(a file named so: ./%s)", f, argv[first], f), -1;
		if (!*f)
			return snprintf(err, errlen, "-pcap: an empty file name"), -1;
		if (strcmp(f, "-") == 0 && stdin_seen++)
			return snprintf(err, errlen, "-pcap: standard input ('-') can be read only once"), -1;
		o->inputs[o->ninputs++] = f;
	}
	o->pcap = o->ninputs ? o->inputs[0] : NULL;
	return 0;
}

/* Of -dev and -pcap, set both: the stronger source wins (a -pcap flag over
 * a config file's dev = eth0); from the same source it is an error. */
static int one_input(struct options *o, struct checker *c)
{
	struct flag *dev = flags_find(c->table, "dev"), *pcap = flags_find(c->table, "pcap");
	if (!o->dev == !o->pcap) {
		if (!o->dev)
			return snprintf(c->err, c->errlen, "give -pcap FILE or -dev IFACE"), -1;
		if (dev->source == pcap->source)
			return bad(c, "dev", "and %spcap cannot be used together",
				   dev->source == FLAG_FROM_FILE ? "" : "-");
		if (dev->source > pcap->source)
			o->pcap = NULL;
		else
			o->dev = NULL;
	}
	return 0;
}

int options_load(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	struct flag table[NFLAGS];
	struct checker c = { table, err, errlen };
	options_defaults(o);
	options_table(o, table);

	/* The file, then the environment, then the flags: the last one wins. */
	const char *config = getenv("PDNS_CONFIG"), *config_env = config;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i] + (argv[i][0] == '-') + (argv[i][0] == '-' && argv[i][1] == '-');
		if (strcmp(a, "config") == 0 && i + 1 < argc && a != argv[i])
			config = argv[++i];
		else if (strncmp(a, "config=", 7) == 0 && a != argv[i])
			config = a + 7;
	}
	if (config && *config && flags_parse_file(table, config, err, errlen) < 0) {
		if (config == config_env && strncmp(err, "-config ", 8) == 0) {
			char why[512];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "environment PDNS_CONFIG: %s", why);
		}
		return -1;
	}
	if (flags_parse_env(table, err, errlen) < 0)
		return -1;
	int first_arg;
	if (flags_parse_args(table, argc, argv, &first_arg, err, errlen) < 0 ||
	    capture_files(o, table, argc, argv, first_arg, err, errlen) < 0)
		return -1;
	if (o->help || o->version || o->list_devices)
		return 0;

	/* Each value was checked as it was read (struct flag's min, max and
	 * check); what is left is how they go together. */
	if (o->pcap_dir && !*o->pcap_dir)
		o->pcap_dir = NULL;
	if (o->pcap_state && !*o->pcap_state)
		o->pcap_state = NULL;
	if (o->pcap_done && !*o->pcap_done)
		o->pcap_done = NULL;
	if (!o->pcap_dir && o->pcap_state)
		return bad(&c, "pcap_state", "needs -pcap_dir");
	if (!o->pcap_dir && o->pcap_done)
		return bad(&c, "pcap_done", "needs -pcap_dir");
	if (o->kafka_consume) {
		/* Kafka into the store: no capture. */
		const char *input = o->dev ? "dev" : o->pcap_dir ? "pcap_dir" : o->pcap ? "pcap" : NULL;
		if (input)
			return bad(&c, input, "cannot be used with -kafka_consume (it reads Kafka, not captures)");
		if (!o->pdns_db || !*o->pdns_db)
			return bad(&c, "kafka_consume", "needs -pdns_db FILE, the store to write into");
		if (o->kafka_avro || o->kafka_stats_topic)
			return bad(&c, o->kafka_avro ? "kafka_avro" : "kafka_stats_topic",
				   "cannot be used with -kafka_consume (it reads COF lines, sends nothing)");
		if (o->kafka_topic && o->kafka_topic[0] == '^')
			return bad(&c, "kafka_topic", "must name one topic with -kafka_consume, not a pattern");
		/* What only a capture writes, or what the consumer does not do:
		 * refused, never ignored. */
		static const char *const capture_only[] = { "logfile", "syslog_facility", "fluentd_socket",
							     "metrics", "statsd_host", "user", "group", "chroot",
							     "format", "cpuprofile" };
		for (size_t i = 0; i < sizeof capture_only / sizeof capture_only[0]; i++)
			if (flags_find(table, capture_only[i])->source)
				return bad(&c, capture_only[i], "cannot be used with -kafka_consume (it writes the "
					   "-pdns_db store and its stats records, nothing else)");
	} else if (flags_find(table, "kafka_group")->source) {
		return bad(&c, "kafka_group", "needs -kafka_consume");
	}
	if (o->pcap_dir) {
		if (o->pcap || o->dev)
			return bad(&c, "pcap_dir", "cannot be used with %s", o->dev ? "-dev" : "-pcap or capture files");
	} else if (!o->kafka_consume && one_input(o, &c) < 0) {
		return -1;
	}
	if (!o->pcap)
		o->ninputs = 0; /* -dev won */
	struct flag *fanout = flags_find(table, "fanout"), *pcap = flags_find(table, "pcap");
	if (o->fanout > 1 && !o->dev) {
		/* A config file's fanout for the service does not stop -pcap. */
		if (fanout->source >= pcap->source)
			return bad(&c, "fanout", "needs live capture (-dev)");
		o->fanout = 1;
	}
	o->kafka = o->kafka_brokers || o->kafka_topic || o->kafka_consume;
	if (o->kafka) {
		if (!o->kafka_brokers)
			o->kafka_brokers = "localhost:9092";
		if (!o->kafka_topic || !*o->kafka_topic)
			o->kafka_topic = KAFKA_DEFAULT_TOPIC;
	}
	if (!o->kafka && o->kafka_opts.n)
		return bad(&c, "kafka_opt", "needs -kafka_brokers or -kafka_topic");
	if (!o->kafka && o->kafka_stats_topic)
		return bad(&c, "kafka_stats_topic", "needs -kafka_brokers or -kafka_topic");
	if (o->kafka_avro && !o->kafka)
		return bad(&c, "kafka_avro", "needs -kafka_brokers or -kafka_topic");
	if (o->kafka_avro && strcmp(o->format, "flat") != 0)
		return bad(&c, "kafka_avro", "encodes the flat record: it cannot go with -format %s", o->format);
	if (o->kafka_avro_schema_name && !o->kafka_avro)
		return bad(&c, "kafka_avro_schema", "needs -kafka_avro");
	if (o->kafka_avro_schema_name)
		avro_record_schema_parse(o->kafka_avro_schema_name, &o->kafka_avro_schema);
	/* gopassivedns's -kafka_flush_freq (ms): librdkafka's linger.ms,
	 * before the -kafka_opt properties, which may still change it. */
	if (o->kafka && flags_find(table, "kafka_flush_freq")->source) {
		static char linger[40];
		if (o->kafka_opts.n == FLAG_LIST_MAX)
			return bad(&c, "kafka_opt", "is given too often (at most %d, with -kafka_flush_freq)",
				   FLAG_LIST_MAX - 1);
		snprintf(linger, sizeof linger, "linger.ms=%lld", o->kafka_flush_freq);
		memmove(o->kafka_opts.v + 1, o->kafka_opts.v, o->kafka_opts.n * sizeof o->kafka_opts.v[0]);
		o->kafka_opts.v[0] = linger;
		o->kafka_opts.n++;
	}
	if (o->pfring && !platform_pcap_has_pfring())
		return bad(&c, "pfring", ": this build's libpcap (%s) has no PF_RING; build pdnslog against "
			   "PF_RING's libpcap (make PCAP_CFLAGS=... PCAP_LIBS=..., see the README)",
			   pcap_lib_version());
	if (o->log_max_size && !o->logfile)
		return bad(&c, "logMaxSize", "needs -logfile");
	if (o->pdns_api && !*o->pdns_api)
		o->pdns_api = NULL;
	if (o->pdns_clients && (!o->pdns_db || !*o->pdns_db))
		return bad(&c, "pdns_clients", "needs -pdns_db FILE, the store to keep the clients in");
	if (o->pdns_clients && o->kafka_consume)
		return bad(&c, "pdns_clients", "cannot be used with -kafka_consume: COF lines carry no clients");
	if (o->pdns_api && (!o->pdns_db || !*o->pdns_db))
		return bad(&c, "pdns_api", "needs -pdns_db FILE, the store to serve");
	if (o->pdns_api && o->kafka_consume)
		return bad(&c, "pdns_api", "cannot be used with -kafka_consume: run `pdnslog serve` beside it");

	/* What the rest of pdnslog uses, from values already checked. */
	o->output = strcmp(o->format, "json") == 0 ? FORMAT_JSON
		    : strcmp(o->format, "cof") == 0 ? FORMAT_COF : FORMAT_FLAT;
	kafka_key_parse(o->kafka_key_name, &o->kafka_key);
	parse_ports(o->ports, &o->portset);
	if (parse_tunnel_ports(o, &c) < 0)
		return -1;
	o->syslog_fac = o->syslog_facility && *o->syslog_facility ? syslog_parse_facility(o->syslog_facility) : -1;
	o->syslog_sev = syslog_parse_severity(o->syslog_priority);
	if (o->gc_age < 0)
		o->gc_age = -o->gc_age; /* gopassivedns wrote it negative */

	if (!o->name) {
		if (platform_hostname(o->host, sizeof o->host) < 0)
			strcpy(o->host, "unknown");
		o->host[sizeof o->host - 1] = 0;
		o->name = o->host;
	}
	/* gopassivedns: an empty -fluentd_socket is no Fluentd; its tag was
	 * the sensor name and ".service". */
	o->fluentd = o->fluentd_socket && *o->fluentd_socket;
	if (!o->fluentd_tag) {
		snprintf(o->fluentd_tag_buf, sizeof o->fluentd_tag_buf, "%.250s%s", o->name,
			 FLUENTD_TAG_SUFFIX);
		o->fluentd_tag = o->fluentd_tag_buf;
	}
	/* What this build cannot do (the Windows build: no Kafka, seccomp, ...). */
	o->sandbox_given = flags_find(table, "sandbox")->source != 0;
	const char *why, *refused = platform_refuse(o, &why);
	if (refused)
		return bad(&c, refused, ": %s", why);
	return 0;
}

void options_parse(struct options *o, int argc, char **argv)
{
	char err[1024];
	if (options_load(o, argc, argv, err, sizeof err) < 0) {
		fprintf(stderr, "pdnslog: %s\n", err);
		exit(EXIT_USAGE);
	}
	if (o->help) {
		struct options scratch;
		struct flag table[NFLAGS];
		options_defaults(&scratch);
		options_table(&scratch, table);
		flags_usage(table, stdout);
		exit(0);
	}
	if (o->version) {
		printf("pdnslog %s (%s)\n", PDNSLOG_VERSION, pcap_lib_version());
		exit(0);
	}
}
