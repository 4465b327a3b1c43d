/* main: pdnslog's entry point: flags, then capture -> worker -> sinks.
 *
 * pdnslog watches DNS on the wire, pairs every query with its response and
 * writes one JSON record per answer (see README.md).  This file only wires
 * the pipeline together; each stage lives in its own folder under src/. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gperftools/profiler.h>
#include <pcap/dlt.h>

#include "capture/capture.h"
#include "daemon/privileges.h"
#include "cli/flags.h"
#include "decode/decode.h"
#include "pipeline/dispatch.h"
#include "pipeline/worker.h"
#include "sink/sink.h"
#include "stats/metrics.h"
#include "stats/stats.h"

#define EXIT_USAGE 2
#define PDNSLOG_VERSION "0.1.0"

struct options {
	const char *dev, *pcap, *bpf, *logfile, *format, *ports, *name;
	const char *kafka_brokers, *kafka_topic, *cpuprofile;
	const char *user, *group, *chroot_dir, *stats_file, *metrics;
	int64_t stats_interval;
	bool quiet, debug, pfring, promisc, help, version;
	int64_t gc_age, gc_interval;
	long long numprocs, max_pending, snaplen, buffer_mb;
	long long tcp_max_streams, tcp_stream_kb, tcp_max_mb;
	long long frag_max_datagrams, frag_max_mb;
	int64_t frag_timeout;
};

static volatile sig_atomic_t stop_requested, reopen_requested, stats_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_requested = 1;
	else if (sig == SIGUSR1)
		stats_requested = 1;
	else
		stop_requested = 1;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* All the counters: the workers' (a snapshot while they run), the
 * kernel's from pcap_stats for a live capture, the sinks' errors. */
static void collect_stats(struct stats *total, struct dispatch *workers, struct worker *w,
			  struct capture *cap, struct sink **sinks)
{
	memset(total, 0, sizeof *total);
	if (workers)
		dispatch_stats(workers, total);
	else
		*total = w->stats;
	struct pcap_stat ps;
	if (cap->live && pcap_stats(cap->pcap, &ps) == 0) {
		total->pcap_received = ps.ps_recv;
		total->pcap_dropped = ps.ps_drop;
		total->pcap_if_dropped = ps.ps_ifdrop;
	}
	for (struct sink **s = sinks; *s; s++)
		total->output_errors += (*s)->errors;
}

static void write_stats(FILE *out, const struct stats *total, const char *sensor)
{
	struct strbuf sb;
	strbuf_init(&sb);
	stats_print_json(&sb, total, sensor);
	if (!sb.overflow) {
		fwrite(sb.p, 1, sb.len, out);
		fflush(out);
	}
	strbuf_free(&sb);
}

static void die_usage(const char *msg)
{
	fprintf(stderr, "pdnslog: %s\nRun 'pdnslog -h' for the list of flags.\n", msg);
	exit(EXIT_USAGE);
}

/* The filter used when -bpf is not given: the DNS ports, plus IP fragments
 * (later fragments carry no ports), also inside one or two VLAN tags on
 * Ethernet, where libpcap needs the "vlan" keyword to look past them. */
static void default_filter(char *out, size_t len, const char *ports, int linktype)
{
	char port_expr[1024] = "";
	size_t n = 0;
	for (const char *p = ports; *p;) {
		size_t span = strcspn(p, ",");
		n += (size_t)snprintf(port_expr + n, sizeof port_expr - n, "%sport%s %.*s",
				      n ? " or " : "", memchr(p, '-', span) ? "range" : "",
				      (int)span, p);
		if (n >= sizeof port_expr) {
			snprintf(port_expr, sizeof port_expr, "udp or tcp");
			break;
		}
		p += span + (p[span] == ',');
	}
	char x[1300];
	snprintf(x, sizeof x, "(%s or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] = 44))", port_expr);
	if (linktype == DLT_EN10MB)
		snprintf(out, len, "%s or (vlan and (%s or (vlan and %s)))", x, x, x);
	else
		snprintf(out, len, "%s", x);
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

static size_t per_worker(size_t total, size_t workers)
{
	size_t each = total / workers;
	return each ? each : 1;
}

static void debugf(const struct options *o, const char *fmt, const char *arg)
{
	if (o->debug) {
		fprintf(stderr, "pdnslog: debug: ");
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
}

int main(int argc, char **argv)
{
	struct options o = {
		.format = "flat", .ports = "53", .stats_interval = 60LL * 1000000000,
		.gc_age = -60LL * 1000000000, .gc_interval = 180LL * 1000000000,
		.max_pending = PAIR_DEFAULT_MAX_PENDING, .snaplen = 65535, .promisc = true,
		.tcp_max_streams = TCP_DEFAULT_MAX_STREAMS, .tcp_stream_kb = TCP_DEFAULT_STREAM_BYTES >> 10,
		.tcp_max_mb = TCP_DEFAULT_MAX_BYTES >> 20,
		.frag_max_datagrams = FRAG_DEFAULT_MAX_DATAGRAMS, .frag_max_mb = FRAG_DEFAULT_MAX_BYTES >> 20,
		.frag_timeout = FRAG_DEFAULT_TIMEOUT_NS,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.numprocs = ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu;

	struct flag table[] = {
		{ "dev", FLAG_STRING, &o.dev, "", "capture live from this interface ('any' for all)" },
		{ "pcap", FLAG_STRING, &o.pcap, "", "read this capture file (pcap or pcapng; '-' for standard input)" },
		{ "bpf", FLAG_STRING, &o.bpf, "the -ports, IP fragments, inside VLAN tags too", "BPF filter applied to live capture and files" },
		{ "ports", FLAG_STRING, &o.ports, "53", "ports DNS is recognised on, e.g. 53,5353,5355" },
		{ "logfile", FLAG_STRING, &o.logfile, "", "append records to this file" },
		{ "quiet", FLAG_BOOL, &o.quiet, "false", "do not write records to standard output" },
		{ "debug", FLAG_BOOL, &o.debug, "false", "write diagnostics to standard error" },
		{ "format", FLAG_STRING, &o.format, "flat", "record format: flat (gopassivedns, one line per answer) or json (one line per exchange)" },
		{ "name", FLAG_STRING, &o.name, "host name", "sensor name written into each record" },
		{ "gc_age", FLAG_DURATION, &o.gc_age, "-1m", "how long a query waits for its response (sign ignored)" },
		{ "gc_interval", FLAG_DURATION, &o.gc_interval, "3m", "how often the exchange table is swept" },
		{ "max_pending", FLAG_INT, &o.max_pending, "1000000", "most exchanges waiting at once; past it the oldest is written unanswered" },
		{ "tcp_max_streams", FLAG_INT, &o.tcp_max_streams, "65536", "TCP: connection directions tracked at once; past it the oldest is dropped" },
		{ "tcp_stream_kb", FLAG_INT, &o.tcp_stream_kb, "256", "TCP: KiB buffered per connection direction (at least 128)" },
		{ "tcp_max_mb", FLAG_INT, &o.tcp_max_mb, "64", "TCP: MiB buffered over all connections; past it the oldest is dropped" },
		{ "frag_max_datagrams", FLAG_INT, &o.frag_max_datagrams, "4096", "IP fragments: incomplete datagrams held at once; past it the oldest is dropped" },
		{ "frag_max_mb", FLAG_INT, &o.frag_max_mb, "16", "IP fragments: MiB held over all incomplete datagrams" },
		{ "frag_timeout", FLAG_DURATION, &o.frag_timeout, "30s", "IP fragments: how long an incomplete datagram waits (capture clock)" },
		{ "numprocs", FLAG_INT, &o.numprocs, "cores, at most 8", "packet processing threads (1: all in the capture thread)" },
		{ "snaplen", FLAG_INT, &o.snaplen, "65535", "live capture: bytes captured per packet" },
		{ "promisc", FLAG_BOOL, &o.promisc, "true", "live capture: promiscuous mode" },
		{ "buffer_mb", FLAG_INT, &o.buffer_mb, "libpcap's", "live capture: kernel buffer size in MiB" },
		{ "stats_interval", FLAG_DURATION, &o.stats_interval, "60s", "how often a stats record is written (0: only at exit)" },
		{ "stats_file", FLAG_STRING, &o.stats_file, "standard error", "append stats records to this file" },
		{ "metrics", FLAG_STRING, &o.metrics, "", "serve the counters as Prometheus text on ADDR:PORT (/metrics)" },
		{ "user", FLAG_STRING, &o.user, "", "after opening the capture and log files, run as this user" },
		{ "group", FLAG_STRING, &o.group, "the user's", "and as this group" },
		{ "chroot", FLAG_STRING, &o.chroot_dir, "", "and chrooted to this directory" },
		{ "kafka_brokers", FLAG_STRING, &o.kafka_brokers, "", "Kafka brokers (not in this version)" },
		{ "kafka_topic", FLAG_STRING, &o.kafka_topic, "", "Kafka topic (not in this version)" },
		{ "cpuprofile", FLAG_STRING, &o.cpuprofile, "", "write a CPU profile of the run to this file (gperftools; read it with google-pprof)" },
		{ "pfring", FLAG_BOOL, &o.pfring, "false", "capture with PF_RING (needs PF_RING's libpcap)" },
		{ "version", FLAG_BOOL, &o.version, "", "print the version and exit" },
		{ "h", FLAG_BOOL, &o.help, "", "list the flags" },
		{ "help", FLAG_BOOL, &o.help, "", "list the flags" },
		{ 0 },
	};

	char err[CAPTURE_ERRLEN];
	if (flags_parse(table, argc, argv, err, sizeof err) < 0)
		die_usage(err);
	if (o.help) {
		flags_usage(table, stdout);
		return 0;
	}
	if (o.version) {
		printf("pdnslog %s (%s)\n", PDNSLOG_VERSION, pcap_lib_version());
		return 0;
	}
	if (!o.dev == !o.pcap)
		die_usage(o.dev ? "-dev and -pcap cannot be used together" : "give -pcap FILE or -dev IFACE");
	if (o.kafka_brokers || o.kafka_topic)
		die_usage("Kafka output is not available in this version");
	if (o.pfring)
		die_usage("-pfring needs pdnslog built against PF_RING's libpcap; this build uses the system libpcap");

	enum output_format format;
	if (strcmp(o.format, "flat") == 0)
		format = FORMAT_FLAT;
	else if (strcmp(o.format, "json") == 0)
		format = FORMAT_JSON;
	else
		die_usage("-format must be flat or json");
	static struct portset ports;
	if (parse_ports(o.ports, &ports) < 0)
		die_usage("-ports must be a comma-separated list of ports (1-65535), e.g. 53,5353");
	if (o.max_pending < 1 || o.max_pending > 100000000)
		die_usage("-max_pending must be between 1 and 100000000");
	if (o.numprocs < 1 || o.numprocs > 64)
		die_usage("-numprocs must be between 1 and 64");
	if (o.snaplen < 64 || o.snaplen > 262144)
		die_usage("-snaplen must be between 64 and 262144");
	if (o.tcp_max_streams < 1 || o.tcp_stream_kb < 1 || o.tcp_max_mb < 1 ||
	    o.tcp_stream_kb > (1 << 20) || o.tcp_max_mb > (1 << 20))
		die_usage("-tcp_max_streams, -tcp_stream_kb and -tcp_max_mb must be positive");
	if (o.frag_max_datagrams < 1 || o.frag_max_mb < 1 || o.frag_max_mb > (1 << 20) || o.frag_timeout <= 0)
		die_usage("-frag_max_datagrams, -frag_max_mb and -frag_timeout must be positive");
	if (o.gc_interval <= 0)
		die_usage("-gc_interval must be a positive duration");
	int64_t gc_age = o.gc_age < 0 ? -o.gc_age : o.gc_age;

	char host[256];
	if (!o.name) {
		if (gethostname(host, sizeof host) < 0)
			strcpy(host, "unknown");
		host[sizeof host - 1] = 0;
		o.name = host;
	}

	struct capture cap;
	int rc = o.pcap ? capture_open_file(&cap, o.pcap, err)
			: capture_open_live(&cap, o.dev, (int)o.snaplen, o.promisc, (int)o.buffer_mb, err);
	if (rc < 0) {
		fprintf(stderr, "pdnslog: %s\n", err);
		return 1;
	}
	if (!decode_linktype_supported(cap.linktype)) {
		const char *name = pcap_datalink_val_to_name(cap.linktype);
		fprintf(stderr, "pdnslog: %s: unsupported link type %s (%d)\n",
			cap.name, name ? name : "unknown", cap.linktype);
		capture_close(&cap);
		return 1;
	}
	char filter[4096];
	if (!o.bpf) {
		default_filter(filter, sizeof filter, o.ports, cap.linktype);
		o.bpf = filter;
	}
	debugf(&o, "filter: %s", o.bpf);
	if (*o.bpf && capture_set_filter(&cap, o.bpf, err) < 0) {
		fprintf(stderr, "pdnslog: %s\n", err);
		capture_close(&cap);
		return EXIT_USAGE;
	}
	debugf(&o, "link type %s", pcap_datalink_val_to_name(cap.linktype));

	FILE *stats_out = stderr;
	if (o.stats_file && !(stats_out = fopen(o.stats_file, "a"))) {
		fprintf(stderr, "pdnslog: -stats_file %s: %s\n", o.stats_file, strerror(errno));
		return 1;
	}
	struct sink out_stdout, out_file;
	struct sink *sinks[3] = { 0 };
	int nsinks = 0;
	if (!o.quiet) {
		if (sink_open_stdout(&out_stdout) < 0) {
			fprintf(stderr, "pdnslog: out of memory\n");
			return 1;
		}
		sinks[nsinks++] = &out_stdout;
	}
	if (o.logfile) {
		if (sink_open_file(&out_file, o.logfile) < 0) {
			fprintf(stderr, "pdnslog: -logfile %s: %s\n", o.logfile, strerror(errno));
			return 1;
		}
		sinks[nsinks++] = &out_file;
	}

	static struct stats_board board;
	struct metrics_server *metrics = NULL;
	stats_board_init(&board, o.name);
	if (o.metrics && !(metrics = metrics_start(o.metrics, &board, err, sizeof err))) {
		fprintf(stderr, "pdnslog: %s\n", err);
		return 2;
	}

	/* The capture and the log files are open: root is no longer needed. */
	if ((o.user || o.group || o.chroot_dir) &&
	    privileges_drop(o.user, o.group, o.chroot_dir, err, sizeof err) < 0) {
		fprintf(stderr, "pdnslog: %s\n", err);
		return 1;
	}
	if (o.debug) {
		fprintf(stderr, "pdnslog: debug: running as uid %u gid %u\n",
			(unsigned)getuid(), (unsigned)getgid());
	}

	/* With several workers the caps are shared out, so the totals hold. */
	size_t share = (size_t)o.numprocs;
	struct worker_config wc = {
		.linktype = cap.linktype, .ports = &ports, .format = format,
		.sensor = o.name, .sinks = sinks,
		.pair = { .max_pending = per_worker((size_t)o.max_pending, share),
			  .max_held_bytes = per_worker(PAIR_DEFAULT_HELD_BYTES, share),
			  .gc_age_ns = gc_age },
		.tcp = { .max_streams = per_worker((size_t)o.tcp_max_streams, share),
			 .stream_bytes = (size_t)o.tcp_stream_kb << 10,
			 .max_bytes = per_worker((size_t)o.tcp_max_mb << 20, share), .idle_ns = gc_age },
		.frag = { .max_datagrams = per_worker((size_t)o.frag_max_datagrams, share),
			  .max_bytes = per_worker((size_t)o.frag_max_mb << 20, share),
			  .timeout_ns = o.frag_timeout },
		.gc_interval_ns = o.gc_interval,
	};
	/* One worker runs in this thread; more get threads of their own. */
	static struct worker w;
	struct dispatch *workers = NULL;
	if (o.numprocs > 1)
		workers = dispatch_create((int)o.numprocs, &wc, !cap.live);
	if (o.numprocs > 1 ? !workers : worker_init(&w, &wc) < 0) {
		fprintf(stderr, "pdnslog: cannot start the workers: out of memory or threads\n");
		return 1;
	}

	if (o.cpuprofile && !ProfilerStart(o.cpuprofile)) {
		fprintf(stderr, "pdnslog: -cpuprofile %s: cannot start the profiler\n", o.cpuprofile);
		return 1;
	}

	/* SIGINT/SIGTERM: stop and flush; SIGHUP: reopen -logfile (logrotate);
	 * SIGUSR1: a stats record now. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int64_t next_stats = o.stats_interval > 0 ? monotonic_ns() + o.stats_interval : INT64_MAX;
	unsigned long polls = 0;

	int status = 0;
	for (;;) {
		int64_t ts;
		const uint8_t *data;
		uint32_t caplen, wirelen;
		if (stop_requested)
			break;
		if (reopen_requested) {
			reopen_requested = 0;
			if (o.logfile)
				sink_reopen(&out_file);
		}
		/* Every 1024 packets, and on every live timeout: the metrics
		 * board is refreshed and the stats clock read. */
		if (stats_requested || (++polls & 1023) == 0) {
			struct stats now;
			collect_stats(&now, workers, &w, &cap, sinks);
			if (metrics)
				stats_board_publish(&board, &now);
			if (stats_requested || monotonic_ns() >= next_stats) {
				stats_requested = 0;
				write_stats(stats_out, &now, o.name);
				if (o.stats_interval > 0)
					next_stats = monotonic_ns() + o.stats_interval;
			}
		}
		rc = capture_next(&cap, &ts, &data, &caplen, &wirelen, err);
		if (rc == 1) {
			if (workers)
				dispatch_packet(workers, ts, cap.ts_digits, data, caplen);
			else
				worker_packet(&w, ts, cap.ts_digits, data, caplen);
			continue;
		}
		if (rc == 0) {
			polls |= 1023; /* a live timeout: look at the clock next time */
			continue;
		}
		if (rc == -1) {
			fprintf(stderr, "pdnslog: %s\n", err);
			status = 1;
		}
		break;
	}
	if (workers)
		dispatch_finish(workers);
	else
		worker_finish(&w);
	if (o.cpuprofile)
		ProfilerStop();

	uint64_t output_errors = 0;
	for (int i = 0; i < nsinks; i++) {
		sink_flush(sinks[i]);
		output_errors += sinks[i]->errors;
	}
	if (output_errors)
		status = 1;
	struct stats total;
	collect_stats(&total, workers, &w, &cap, sinks);
	write_stats(stats_out, &total, o.name);
	metrics_stop(metrics);
	for (int i = 0; i < nsinks; i++)
		sink_close(sinks[i]);
	if (workers)
		dispatch_destroy(workers);
	else
		worker_destroy(&w);
	capture_close(&cap);
	return status;
}
