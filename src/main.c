/* main: pdnslog's entry point: flags, then capture -> worker -> sinks.
 *
 * pdnslog watches DNS on the wire, pairs every query with its response and
 * writes one JSON record per answer (see README.md).  This file only wires
 * the pipeline together; each stage lives in its own folder under src/. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/dnsfilter.h"
#include "cli/options.h"
#include "daemon/privileges.h"
#include "daemon/sandbox.h"
#include "decode/decode.h"
#include "pipeline/dispatch.h"
#include "pdns/api.h"
#include "pdns/consume.h"
#include "pdns/query.h"
#include "pdns/writer.h"
#include "pipeline/worker.h"
#include "platform/platform.h"
#include "sink/fluentd.h"
#include "sink/kafka.h"
#include "sink/sink.h"
#include "sink/syslog.h"
#include "stats/metrics.h"
#include "stats/progress.h"
#include "stats/stats.h"
#include "stats/statsd.h"
#include "stats/summary.h"
#include "util/clock.h"

/* Set by the signal handler (platform_start) and read by every capture
 * thread: lock-free atomics are safe in both roles. */
static atomic_int stop_requested, reopen_requested, stats_requested;

/* One capture and the workers it feeds.  Normally there is one, run by the
 * main thread; with -fanout N there are N, each on its own packet socket of
 * one PACKET_FANOUT group and, but for the first, in a thread of its own. */
#define FANOUT_MAX 64
struct unit {
	struct capture *cap;
	struct dispatch *workers;  /* worker threads, or */
	struct worker *w;          /* the one worker, in the capture thread */
	pthread_t thread;
	bool started;
	int status;
};

static void unit_packet(struct unit *u, int64_t ts, const uint8_t *data, uint32_t caplen,
			uint32_t wirelen)
{
	if (u->workers)
		dispatch_packet(u->workers, u->cap->linktype, ts, u->cap->ts_digits, data, caplen, wirelen);
	else
		worker_packet(u->w, u->cap->linktype, ts, u->cap->ts_digits, data, caplen, wirelen);
}

/* A fanout member's thread: capture until told to stop or the capture fails. */
static void *unit_run(void *arg)
{
	struct unit *u = arg;
	char err[CAPTURE_ERRLEN];
	while (!stop_requested) {
		int64_t ts;
		const uint8_t *data;
		uint32_t caplen, wirelen;
		int rc = capture_next(u->cap, &ts, &data, &caplen, &wirelen, err);
		if (rc == 1) {
			unit_packet(u, ts, data, caplen, wirelen);
		} else if (rc != 0) {
			if (rc == -1) {
				fprintf(stderr, "pdnslog: %s\n", err);
				u->status = 1;
			}
			stop_requested = 1; /* one member failing stops them all */
		}
	}
	return NULL;
}

/* The Kafka sink while it runs; its final counters once it is closed. */
static struct kafka_sink *kafka;
static struct kafka_counters kafka_final;
/* The same for Fluentd. */
static struct fluentd_sink *fluentd;
static struct fluentd_counters fluentd_final;
static struct syslog_sink out_syslog;
static struct syslog_sink *syslog_out; /* &out_syslog with -syslog_facility */
static struct statsd *statsd;          /* with -statsd_host; the main thread's alone */
/* -pdns_db's writer thread while it runs; its final counters once stopped. */
static struct pdns_writer *pdns;
static struct pdns_writer_counts pdns_final;
static struct pdns_api *pdns_api; /* -pdns_api: the store over HTTP */
static _Atomic unsigned pdns_sync;  /* handovers asked of the workers (worker.h) */

/* All the counters: the workers' (a snapshot while they run), the
 * kernel's from pcap_stats for a live capture, the sinks'. */
static void collect_stats(struct stats *total, struct unit *units, int nunits,
			  struct sink **sinks)
{
	memset(total, 0, sizeof *total);
	for (int i = 0; i < nunits; i++) {
		struct unit *u = &units[i];
		if (u->workers)
			dispatch_stats(u->workers, total);
		else if (u->w)
			stats_add(total, &u->w->stats);
		/* Files: frames read before the filter, and the ones it dropped
		 * (a live capture's kernel filter does not say). */
		total->packets += u->cap->filtered;
		total->packets_filtered += u->cap->filtered;
		struct pcap_stat ps;
		if (u->cap->live && pcap_stats(u->cap->pcap, &ps) == 0) {
			total->pcap_received += ps.ps_recv;
			total->pcap_dropped += ps.ps_drop;
			/* The interface's own drops are the same counter for
			 * every member of a fanout group. */
			total->pcap_if_dropped = ps.ps_ifdrop;
		}
	}
	for (struct sink **s = sinks; *s; s++) {
		total->output_errors += (*s)->errors;
		bool out = !(*s)->owns_fd; /* standard output */
		*(out ? &total->stdout_records : &total->logfile_records) += (*s)->records;
		*(out ? &total->stdout_lost : &total->logfile_lost) += (*s)->lost;
	}
	if (syslog_out)
		syslog_sink_counters(syslog_out, &total->syslog_records, &total->syslog_dropped,
				     &total->syslog_errors);
	if (statsd)
		total->statsd_errors = statsd->errors;
	struct kafka_counters kc = kafka_final;
	if (kafka)
		kafka_get_counters(kafka, &kc);
	total->kafka_delivered = kc.delivered;
	total->kafka_failed = kc.failed;
	total->kafka_dropped = kc.dropped;
	total->kafka_undelivered = kc.undelivered;
	total->kafka_stats_delivered = kc.stats_delivered;
	total->kafka_stats_lost = kc.stats_lost;
	total->records_written += kc.alone; /* delivered records no other output took */
	struct fluentd_counters fc = fluentd_final;
	if (fluentd)
		fluentd_get_counters(fluentd, &fc);
	total->fluentd_delivered = fc.delivered;
	total->fluentd_retried = fc.retried;
	total->fluentd_dropped = fc.dropped;
	total->fluentd_undelivered = fc.undelivered;
	total->fluentd_errors = fc.errors;
	total->records_written += fc.alone;
	struct pdns_writer_counts pc = pdns_final;
	if (pdns)
		pdns_writer_counts(pdns, &pc);
	total->pdns_db_facts = pc.facts;
	total->pdns_db_commits = pc.commits;
	total->pdns_db_errors = pc.errors;
	if (pdns_api) {
		struct pdns_api_counts ac;
		pdns_api_get_counts(pdns_api, &ac);
		total->pdns_api_requests = ac.requests;
		total->pdns_api_errors = ac.errors;
		total->pdns_api_timeouts = ac.timeouts;
		total->pdns_api_busy = ac.busy;
	}
}

/* Standard output's reader closed it (`pdnslog ... | head`), said by a
 * worker's write.  As other filters do: when it was the only output, stop
 * at once, quietly (SIGTERM's way: everything read is still flushed); else
 * go on with the others and say so once. */
static char stdout_others[64]; /* the other outputs, "" when none */

static void stdout_gone(void *arg)
{
	if (!*stdout_others)
		stop_requested = 1;
	else
		progress_eprintf("pdnslog: standard output closed by its reader; records go on to %s only\n",
			stdout_others);
}

/* A stats record to out (unless NULL) and to the Kafka stats topic. */
static void write_stats(FILE *out, const struct stats *total, const char *sensor)
{
	struct strbuf sb;
	strbuf_init(&sb);
	stats_print_json(&sb, total, sensor);
	if (!sb.overflow) {
		if (out) {
			if (out == stderr)
				progress_clear();
			fwrite(sb.p, 1, sb.len, out);
			fflush(out);
		}
		if (kafka)
			kafka_produce_stats(kafka, sb.p, sb.len - 1);
	}
	strbuf_free(&sb);
}

static size_t per_worker(size_t total, size_t workers)
{
	size_t each = total / workers;
	return each ? each : 1;
}

static void debugf(const struct options *o, const char *fmt, const char *arg)
{
	if (o->debug) {
		progress_clear();
		fprintf(stderr, "pdnslog: debug: ");
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
}

/* What the read loop looks after besides packets, and what each input
 * needs when it opens. */
struct loop {
	const struct options *o;
	bool running;              /* set up: housekeeping may run */
	struct capture *cap;
	struct unit *units;
	int nunits;
	struct sink **sinks;
	struct sink *logfile;      /* or NULL */
	FILE **stats_out;
	struct stats_board *board;
	struct metrics_server *metrics;
	int64_t next_stats, next_statsd, statsd_every;
	/* Each input's filter (setup_input) */
	int inputs_opened;
	bool usage_error;          /* the first input's filter is a usage error */
	const char *active_filter; /* the live capture's, for the fanout members */
	char filter[8192];
	struct dnsfilter dnsfilter;
};

/* SIGHUP with -pdns_db: every worker hands over what it has seen (the
 * one in this thread at once; those in threads of their own when they
 * see the request, between packets or within 10 ms when idle), then the
 * writer commits it all.  A worker stuck on a blocked output is waited for
 * 2 s at most; what it held goes with the next commit. */
static void pdns_commit_all(struct unit *units, int nunits)
{
	unsigned req = atomic_fetch_add(&pdns_sync, 1) + 1;
	for (int i = 0; i < nunits; i++)
		if (units[i].w)
			worker_handover(units[i].w);
	for (int tries = 0; tries < 2000; tries++) {
		bool all = true;
		for (int i = 0; i < nunits; i++)
			if (units[i].workers && !dispatch_synced(units[i].workers, req))
				all = false;
		if (all)
			break;
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	pdns_writer_flush(pdns);
}

/* Housekeeping: a stop asked for, logs to reopen (SIGHUP), stats records
 * (SIGUSR1, -stats_interval), the metrics board, statsd, the progress line.
 * The read loop runs it every 1024 packets, on each signal and each live
 * timeout; an input waiting for data (a quiet pipe) runs it as its idle
 * hook, every CAPTURE_POLL_MS and on each signal.  True: stop reading. */
static bool housekeeping(struct loop *l)
{
	if (stop_requested)
		return true;
	if (!l->running)
		return false; /* signals wait until the loop runs */
	const struct options *o = l->o;
	for (int i = 0; i < l->nunits; i++)
		if (l->units[i].w)
			worker_idle(l->units[i].w); /* the store sees its facts within a second */
	if (reopen_requested) {
		reopen_requested = 0;
		if (l->logfile)
			sink_reopen(l->logfile);
		if (pdns)
			pdns_commit_all(l->units, l->nunits);
		/* -stats_file too: logrotate moves it with the log. */
		FILE *f = o->stats_file ? fopen(o->stats_file, "a") : NULL;
		if (f) {
			fclose(*l->stats_out);
			*l->stats_out = f;
		} else if (o->stats_file) {
			progress_eprintf("pdnslog: reopening -stats_file %s: %s (still writing to the old file)\n",
				o->stats_file, strerror(errno));
		}
	}
	struct stats now;
	collect_stats(&now, l->units, l->nunits, l->sinks);
	if (l->metrics)
		stats_board_publish(l->board, &now);
	progress_tick(l->cap, &now);
	if (statsd && monotonic_ns() >= l->next_statsd) {
		statsd_send(statsd, &now);
		l->next_statsd = monotonic_ns() + l->statsd_every;
	}
	if (stats_requested || monotonic_ns() >= l->next_stats) {
		stats_requested = 0;
		write_stats(*l->stats_out, &now, o->name);
		char err[CAPTURE_ERRLEN];
		if (capture_dir_save(l->cap, err) < 0)
			progress_eprintf("pdnslog: %s\n", err);
		if (o->stats_interval > 0)
			l->next_stats = monotonic_ns() + o->stats_interval;
	}
	return stop_requested;
}

static bool on_idle(void *ctx)
{
	return housekeeping(ctx);
}

static void on_note(void *ctx, const char *line)
{
	progress_eprintf("pdnslog: %s\n", line);
}

/* An input opens (each file in turn, or the interface): its link type must
 * be one pdnslog decodes, and its filter is built for that link type. */
static int setup_input(void *ctx, struct capture *c, char *err)
{
	struct loop *l = ctx;
	const struct options *o = l->o;
	bool first = l->inputs_opened++ == 0;
	if (!decode_linktype_supported(c->linktype)) {
		const char *name = pcap_datalink_val_to_name(c->linktype);
		snprintf(err, CAPTURE_ERRLEN, "%s: unsupported link type %s (%d)", c->name,
			 name ? name : "unknown", c->linktype);
		return -1;
	}
	const char *expr = o->bpf;
	if (!expr) {
		l->dnsfilter = (struct dnsfilter){ .linktype = c->linktype, .ports = &o->portset };
		if (!dnsfilter_expr(l->filter, sizeof l->filter, &o->portset, &o->tunnels, c->linktype)) {
			snprintf(err, CAPTURE_ERRLEN, "the default filter for -ports %s is too long; give -bpf",
				 o->ports);
			l->usage_error = first;
			return -1;
		}
		capture_set_accepts(c, dnsfilter_accepts, &l->dnsfilter);
		expr = l->filter;
	}
	debugf(o, "filter: %s", *expr ? expr : "none (every frame goes to the decoder)");
	l->active_filter = expr;
	if (*expr && capture_set_filter(c, expr, err) < 0) {
		if (o->bpf) {
			l->usage_error = first; /* a bad -bpf is a usage error */
			return -1;
		}
		/* libpcap's filter language does not know this link type's
		 * headers (NFLOG, ERF, ...): every frame goes to the decoder. */
		debugf(o, "the default filter does not compile for this link type, "
		       "every frame is decoded: %s", err);
		l->active_filter = "";
	}
	debugf(o, "link type %s", pcap_datalink_val_to_name(c->linktype));
	return 0;
}

int main(int argc, char **argv)
{
	static struct options o;
	platform_stdio_init();
	if (argc > 1 && strcmp(argv[1], "query") == 0)
		return pdns_query_main(argc - 1, argv + 1); /* pdnslog query: the store's questions */
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return pdns_serve_main(argc - 1, argv + 1); /* pdnslog serve: the HTTP API alone */
	options_parse(&o, argc, argv);
	if (o.kafka_consume)
		return pdns_consume_main(&o); /* the central store's feeder, no capture */
	char err[CAPTURE_ERRLEN];
	if (o.list_devices) {
		if (capture_list_devices(stdout, err) == 0)
			return 0;
		fprintf(stderr, "pdnslog: %s\n", err);
		return 1;
	}

	/* SIGINT/SIGTERM (Ctrl-C): stop and flush; SIGHUP: reopen -logfile
	 * (logrotate); SIGUSR1: a stats record now.  From the start, so that a
	 * signal while an input is opened (standard input waiting for its
	 * writer) is seen. */
	platform_start(&stop_requested, &reopen_requested, &stats_requested);

	/* The inputs: every file is opened now (a missing one fails before
	 * anything is read), then read in turn; the first that can be read
	 * gives the first link type.  One that cannot is said and skipped (exit
	 * status 1 at the end), but a -bpf that does not compile is a usage
	 * error. */
	static struct loop loop;
	loop.o = &o;
	struct capture cap;
	int rc, input_status = 0;
	if (o.dev) {
		if (capture_open_live(&cap, o.dev, (int)o.snaplen, o.promisc, (int)o.buffer_mb, err) < 0) {
			fprintf(stderr, "pdnslog: %s\n", err);
			return 1;
		}
		if (setup_input(&loop, &cap, err) < 0) {
			fprintf(stderr, "pdnslog: %s\n", err);
			capture_close(&cap);
			return loop.usage_error ? 2 : 1;
		}
	} else {
		struct capture_hooks hooks = { .opened = setup_input, .idle = on_idle, .note = on_note,
					       .ctx = &loop };
		if (o.pcap_dir ? capture_open_dir(&cap, o.pcap_dir, o.pcap_state, o.pcap_done, &hooks, o.debug, err) < 0
			       : capture_open_files(&cap, o.inputs, o.ninputs, &hooks, o.debug, err) < 0) {
			fprintf(stderr, "pdnslog: %s\n", err);
			return 1;
		}
		while ((rc = capture_open_next(&cap, err)) < 0) {
			fprintf(stderr, "pdnslog: %s\n", err);
			if (loop.usage_error) {
				capture_close(&cap);
				return 2;
			}
			if (!o.pcap_dir) /* a followed directory's files are said and skipped */
				input_status = 1;
		}
		if (rc == 0 && input_status) { /* nothing could be read */
			capture_close(&cap);
			return 1;
		}
		if (rc == 0)
			cap.linktype = DLT_EN10MB; /* stopped before the first input: nothing will be read */
	}

	/* -fanout N: N packet sockets on the interface in one fanout group,
	 * the kernel handing each flow to one of them. */
	static struct unit units[FANOUT_MAX];
	static struct capture fanout_caps[FANOUT_MAX];
	int nunits = 1;
	units[0].cap = &cap;
	if (o.fanout > 1) {
		int group = (int)(getpid() & 0xFFFF);
		if (capture_join_fanout(&cap, group, err) < 0) {
			fprintf(stderr, "pdnslog: %s\n", err);
			return 1;
		}
		for (; nunits < o.fanout; nunits++) {
			struct capture *c = &fanout_caps[nunits];
			if (capture_open_live(c, o.dev, (int)o.snaplen, o.promisc, (int)o.buffer_mb, err) < 0 ||
			    capture_join_fanout(c, group, err) < 0 ||
			    (*loop.active_filter && capture_set_filter(c, loop.active_filter, err) < 0)) {
				fprintf(stderr, "pdnslog: %s\n", err);
				return 1;
			}
			units[nunits].cap = c;
		}
		if (o.debug)
			fprintf(stderr, "pdnslog: debug: fanout: %d packet sockets in group %d\n",
				nunits, group);
	}

	/* Outputs that can fail are opened first: little to undo yet. */
	if (o.statsd_host && *o.statsd_host &&
	    !(statsd = statsd_open(o.statsd_host, o.statsd_prefix, err, sizeof err))) {
		fprintf(stderr, "pdnslog: %s\n", err);
		capture_close(&cap);
		return 2;
	}

	if (o.syslog_fac >= 0) {
		if (syslog_sink_open(&out_syslog, o.syslog_socket, o.syslog_fac, o.syslog_sev, NULL,
				     err, sizeof err) < 0) {
			fprintf(stderr, "pdnslog: %s\n", err);
			statsd_close(statsd);
			capture_close(&cap);
			return 1;
		}
		syslog_out = &out_syslog;
	}
	if (o.kafka) {
		struct kafka_config kc = {
			.brokers = o.kafka_brokers, .topic = o.kafka_topic,
			.stats_topic = o.kafka_stats_topic, .opts = o.kafka_opts.v,
			.nopts = o.kafka_opts.n, .queue_max = o.kafka_queue, .debug = o.debug,
		};
		if (!(kafka = kafka_open(&kc, err, sizeof err))) {
			fprintf(stderr, "pdnslog: %s\n", err);
			statsd_close(statsd);
			if (syslog_out)
				syslog_sink_close(syslog_out);
			capture_close(&cap);
			return 2; /* a bad -kafka_opt is a usage error */
		}
		debugf(&o, "kafka: records to topic %s", o.kafka_topic);
		if (o.kafka_avro)
			debugf(&o, "kafka: records as Avro single objects, writer schema %s",
			       o.kafka_avro_schema == AVRO_RECORD_PDNSLOG ? "pdnslog (docs/pdnslog-record.avsc)"
			       : "gopassivedns (docs/gopassivedns-dnslogentry.avsc)");
	}
	if (o.fluentd) {
		struct fluentd_config fc = {
			.address = o.fluentd_socket, .tag = o.fluentd_tag, .queue_max = o.fluentd_queue,
			.ack = o.fluentd_ack, .ack_timeout_ns = o.fluentd_ack_timeout, .debug = o.debug,
		};
		debugf(&o, "fluentd: records to %s", o.fluentd_socket);
		if (!(fluentd = fluentd_open(&fc, err, sizeof err))) {
			fprintf(stderr, "pdnslog: %s\n", err);
			statsd_close(statsd);
			if (syslog_out)
				syslog_sink_close(syslog_out);
			if (kafka)
				kafka_close(kafka, 0, &kafka_final);
			capture_close(&cap);
			return 1; /* the host's name does not resolve */
		}
	}

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
		struct sink_rotation rot = {
			.max_bytes = (uint64_t)o.log_max_size << 20, .max_backups = (unsigned)o.log_max_backups,
			.max_age_days = (unsigned)o.log_max_age, .compress = o.log_compress,
		};
		if (o.log_max_size && sink_set_rotation(&out_file, &rot) < 0) {
			fprintf(stderr, "pdnslog: -logMaxSize: %s: %s\n", o.logfile, strerror(errno));
			return 1;
		}
		sinks[nsinks++] = &out_file;
	}
	if (!o.quiet) {
		const char *others[4] = { o.logfile ? "-logfile" : NULL, syslog_out ? "syslog" : NULL,
					  kafka ? "Kafka" : NULL, fluentd ? "Fluentd" : NULL };
		for (int i = 0, n = 0; i < 4; i++) {
			if (!others[i])
				continue;
			strcat(stdout_others, n++ ? ", " : "");
			strcat(stdout_others, others[i]);
		}
		sink_on_reader_gone(&out_stdout, stdout_gone, NULL);
	}

	static struct stats_board board;
	struct metrics_server *metrics = NULL;
	stats_board_init(&board, o.name);
	if (o.metrics && !(metrics = metrics_start(o.metrics, &board, err, sizeof err))) {
		fprintf(stderr, "pdnslog: %s\n", err);
		return 2;
	}

	/* -pdns_db: the store is opened (created) now, like the log files. */
	if (o.pdns_db && *o.pdns_db && !(pdns = pdns_writer_start(o.pdns_db, err, sizeof err))) {
		fprintf(stderr, "pdnslog: %s\n", err);
		return 1;
	}
	/* -pdns_api: the store the writer created, read over HTTP. */
	if (o.pdns_api) {
		struct pdns_api_config ac = { .addr = o.pdns_api, .db = o.pdns_db,
					      .timeout_ns = o.pdns_api_timeout,
					      .suffix_labels = (unsigned)o.pdns_api_suffix_labels, .debug = o.debug };
		if (!(pdns_api = pdns_api_start(&ac, err, sizeof err))) {
			fprintf(stderr, "pdnslog: %s\n", err);
			return 1;
		}
	}

	/* The capture and the log files are open: root is no longer needed. */
	if ((o.user || o.group || o.chroot_dir) &&
	    privileges_drop(o.user, o.group, o.chroot_dir, err, sizeof err) < 0) {
		fprintf(stderr, "pdnslog: %s\n", err);
		return 1;
	}
	if (o.debug) {
		char who[128];
		platform_describe_user(who, sizeof who);
		fprintf(stderr, "pdnslog: debug: running as %s\n", who);
		if (platform_pcap_origin())
			fprintf(stderr, "pdnslog: debug: libpcap: %s\n", platform_pcap_origin());
	}

	/* With several workers the caps are shared out, so the totals hold.
	 * With -fanout each capture gets its share of -numprocs workers. */
	int per_unit = nunits > 1 ? (o.numprocs / nunits > 0 ? (int)o.numprocs / nunits : 1) : (int)o.numprocs;
	size_t share = (size_t)per_unit * (size_t)nunits;
	struct worker_config wc = {
		.linktype = cap.linktype, .ports = &o.portset, .tunnels = &o.tunnels, .format = o.output,
		.sensor = o.name, .sinks = sinks, .kafka = kafka, .kafka_key = o.kafka_key,
		.kafka_avro = o.kafka_avro, .kafka_avro_schema = o.kafka_avro_schema,
		.memuse_log = o.assembly_memuse_log,
		.syslog = syslog_out, .level = syslog_out ? syslog_severity_name(o.syslog_sev) : "",
		.fluentd = fluentd,
		.pair = { .max_pending = per_worker((size_t)o.max_pending, share),
			  .max_held_bytes = per_worker(PAIR_DEFAULT_HELD_BYTES, share),
			  .gc_age_ns = o.gc_age },
		.tcp = { .max_streams = per_worker((size_t)o.tcp_max_streams, share),
			 .stream_bytes = (size_t)o.tcp_stream_kb << 10,
			 .max_bytes = per_worker((size_t)o.tcp_max_mb << 20, share), .idle_ns = o.gc_age,
			 .debug_log = o.assembly_debug_log },
		.frag = { .max_datagrams = per_worker((size_t)o.frag_max_datagrams, share),
			  .max_bytes = per_worker((size_t)o.frag_max_mb << 20, share),
			  .timeout_ns = o.frag_timeout },
		.gc_interval_ns = o.gc_interval,
		.pdns = pdns,
		.pdns_clients = o.pdns_clients,
		.sync_req = &pdns_sync,
		.cof = { .max_entries = per_worker((size_t)o.cof_max_entries, share),
			 .interval_ns = o.cof_interval, .all_sections = strcmp(o.cof_sections, "all") == 0 },
	};
	/* One worker runs in the capture thread; more get threads of their
	 * own, and so does every worker of a fanout member, whose counters the
	 * main thread reads while it runs. */
	static struct worker w;
	for (int i = 0; i < nunits; i++) {
		struct unit *u = &units[i];
		if (per_unit > 1 || nunits > 1)
			u->workers = dispatch_create(per_unit, &wc, !cap.live);
		else if (worker_init(&w, &wc) == 0)
			u->w = &w;
		if (!u->workers && !u->w) {
			fprintf(stderr, "pdnslog: cannot start the workers: out of memory or threads\n");
			return 1;
		}
	}
	for (int i = 1; i < nunits; i++) {
		/* Signals are for the main thread. */
		units[i].started = platform_thread_create(&units[i].thread, unit_run, &units[i]) == 0;
		if (!units[i].started) {
			fprintf(stderr, "pdnslog: cannot start the capture threads\n");
			stop_requested = 1;
			break;
		}
	}

	if (o.cpuprofile && !platform_profiler_start(o.cpuprofile)) {
		fprintf(stderr, "pdnslog: -cpuprofile %s: cannot start the profiler\n", o.cpuprofile);
		return 1;
	}

	/* A terminal on standard error: a progress line (not over records on
	 * the same terminal) and, at the end, a summary for the stats record. */
	bool interactive = isatty(STDERR_FILENO);
	progress_open(o.progress && interactive && (o.quiet || !isatty(STDOUT_FILENO)));

	/* Everything is open and every thread runs: from here on the process
	 * needs only a few system calls.  The profiler's timer signals and file
	 * are not among them. */
	if (o.sandbox && !o.cpuprofile && sandbox_available()) {
		tzset(); /* gmtime_r() reads the zone file once: before, not after */
		struct sandbox_config sc = { .metrics = metrics != NULL, .pdns_api = pdns_api != NULL,
					     .kafka = kafka != NULL,
					     .syslog = syslog_out != NULL, .statsd = statsd != NULL,
					     .fluentd = fluentd != NULL, .pdns_db = pdns != NULL,
					     .rotate = o.log_max_size > 0,
					     .rotate_compress = o.log_max_size > 0 && o.log_compress,
					     .read_files = cap.live && o.promisc,
					     .pcap_dir = o.pcap_dir != NULL };
		if (sandbox_enter(&sc, err, sizeof err) < 0) {
			fprintf(stderr, "pdnslog: %s (-sandbox=false runs without it)\n", err);
			return 1;
		}
		if (o.debug)
			fprintf(stderr, "pdnslog: debug: seccomp sandbox installed\n");
	} else if (o.debug) {
		fprintf(stderr, "pdnslog: debug: no seccomp sandbox (%s)\n",
			!o.sandbox ? "-sandbox=false" : o.cpuprofile ? "-cpuprofile" : "sanitizer build, or no seccomp here");
	}
	loop.cap = &cap;
	loop.units = units;
	loop.nunits = nunits;
	loop.sinks = sinks;
	loop.logfile = o.logfile ? &out_file : NULL;
	loop.stats_out = &stats_out;
	loop.board = &board;
	loop.metrics = metrics;
	loop.next_stats = o.stats_interval > 0 ? monotonic_ns() + o.stats_interval : INT64_MAX;
	loop.statsd_every = o.statsd_interval * 1000000000LL;
	loop.next_statsd = statsd ? monotonic_ns() + loop.statsd_every : INT64_MAX;
	loop.running = true;
	unsigned long polls = 0;

	int status = input_status;
	for (;;) {
		int64_t ts;
		const uint8_t *data;
		uint32_t caplen, wirelen;
		if (stop_requested)
			break;
		/* On each signal, every 1024 packets and on every live timeout. */
		if (reopen_requested || stats_requested || (++polls & 1023) == 0)
			housekeeping(&loop);
		rc = capture_next(&cap, &ts, &data, &caplen, &wirelen, err);
		if (rc == 1) {
			unit_packet(&units[0], ts, data, caplen, wirelen);
			continue;
		}
		if (rc == 0) {
			polls |= 1023; /* a live timeout: look at the clock next time */
			continue;
		}
		if (rc == -1) {
			/* This input failed; the next one follows. */
			progress_eprintf("pdnslog: %s\n", err);
			status = 1;
			continue;
		}
		break;
	}
	progress_close();
	/* Every capture stops, then every worker writes what still waits. */
	stop_requested = 1;
	for (int i = 1; i < nunits; i++) {
		if (units[i].started)
			pthread_join(units[i].thread, NULL);
		if (units[i].status)
			status = units[i].status;
	}
	for (int i = 0; i < nunits; i++) {
		if (units[i].workers)
			dispatch_finish(units[i].workers);
		else
			worker_finish(units[i].w);
	}
	/* The workers handed over their last facts: commit them, close. */
	if (pdns) {
		pdns_writer_flush(pdns);
		pdns_writer_counts(pdns, &pdns_final);
		pdns_writer_stop(pdns);
		pdns = NULL;
		if (pdns_final.errors) {
			fprintf(stderr, "pdnslog: -pdns_db %s: %llu facts not stored\n", o.pdns_db,
				(unsigned long long)pdns_final.errors);
			status = 1;
		}
	}
	if (o.cpuprofile)
		platform_profiler_stop();

	/* A failed write is an error; a closed standard output is not. */
	uint64_t output_errors = 0;
	for (int i = 0; i < nsinks; i++)
		output_errors += sinks[i]->errors;
	if (output_errors)
		status = 1;
	struct stats total;
	if (kafka) {
		/* The stats topic gets the counters as they stand; the brokers'
		 * last acknowledgements are in the final line on stats_out. */
		collect_stats(&total, units, nunits, sinks);
		write_stats(NULL, &total, o.name);
		kafka_close(kafka, o.kafka_flush_timeout, &kafka_final);
		kafka = NULL;
		uint64_t lost = kafka_final.failed + kafka_final.dropped + kafka_final.undelivered +
				kafka_final.stats_lost;
		if (lost) {
			fprintf(stderr, "pdnslog: kafka: %llu messages not delivered (failed %llu, "
				"dropped %llu, undelivered %llu, stats records %llu)\n", (unsigned long long)lost,
				(unsigned long long)kafka_final.failed, (unsigned long long)kafka_final.dropped,
				(unsigned long long)kafka_final.undelivered,
				(unsigned long long)kafka_final.stats_lost);
			status = 1;
		}
	}
	if (fluentd) {
		fluentd_close(fluentd, o.fluentd_flush_timeout, &fluentd_final);
		fluentd = NULL;
		uint64_t lost = fluentd_final.dropped + fluentd_final.undelivered;
		if (lost) {
			fprintf(stderr, "pdnslog: fluentd: %llu records not delivered (dropped %llu, "
				"undelivered %llu)\n", (unsigned long long)lost,
				(unsigned long long)fluentd_final.dropped,
				(unsigned long long)fluentd_final.undelivered);
			status = 1;
		}
	}
	collect_stats(&total, units, nunits, sinks);
	/* Before the stats record, which scripts take as the last line. */
	char why[512];
	if (stats_explain_silence(&total, o.ports, why, sizeof why))
		fprintf(stderr, "pdnslog: %s\n", why);
	/* On a terminal a summary instead; the record still goes to -stats_file. */
	write_stats(interactive && stats_out == stderr ? NULL : stats_out, &total, o.name);
	if (interactive) {
		struct strbuf sb;
		strbuf_init(&sb);
		stats_summary(&sb, &total, progress_elapsed_ns(), o.stats_file);
		fwrite(sb.p, 1, sb.len, stderr);
		strbuf_free(&sb);
	}
	if (statsd) {
		statsd_send(statsd, &total);
		statsd_close(statsd);
	}
	if (syslog_out) {
		if (total.syslog_errors)
			status = 1;
		syslog_sink_close(syslog_out);
	}
	metrics_stop(metrics);
	pdns_api_stop(pdns_api);
	for (int i = 0; i < nsinks; i++)
		sink_close(sinks[i]);
	/* -pcap_state: the position, once every record is out. */
	if (capture_dir_save(&cap, err) < 0) {
		fprintf(stderr, "pdnslog: %s\n", err);
		status = 1;
	}
	for (int i = 0; i < nunits; i++) {
		if (units[i].workers)
			dispatch_destroy(units[i].workers);
		else
			worker_destroy(units[i].w);
		capture_close(units[i].cap);
	}
	return platform_finish(status);
}
