/* stats: the counters that say what was seen and what was thrown away.
 *
 * One struct per worker, plain integers, no atomics: each worker owns its
 * own and the totals are summed when reported.  Every drop has a counter. */
#ifndef PDNSLOG_STATS_H
#define PDNSLOG_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/errors.h"
#include "util/strbuf.h"

/* X-list of counters: name, then what it counts.  One place to add one. */
#define STATS_COUNTERS(X) \
	X(pcap_received, "packets the kernel passed to the capture (pcap_stats; live only)") \
	X(pcap_dropped, "packets the kernel dropped for lack of buffer space (pcap_stats; live only)") \
	X(pcap_if_dropped, "packets the interface or driver dropped (pcap_stats; live only)") \
	X(packets, "packets read from the capture (files: before the filter; live: what the kernel's filter passed)") \
	X(packets_filtered, "of the packets, those the filter dropped (files only: a live capture's kernel filter does not count them)") \
	X(bytes, "bytes of packet data read") \
	X(queue_drops, "packets dropped because their worker's queue was full (live capture)") \
	X(link_unknown, "frames whose link-layer payload is not IP") \
	X(link_short, "frames too short for their link header") \
	X(ip_bad, "IP headers that are malformed or lie about their length") \
	X(ip_truncated, "IP packets cut short by the capture length") \
	X(ip_other, "IP packets carrying neither UDP nor TCP") \
	X(ip_fragments, "IP fragments received") \
	X(encap_too_deep, "packets wrapped deeper than the decoder follows (12 layers: tags, labels, tunnels, IP-in-IP)") \
	X(encap_vlan, "VLAN tags (802.1Q, 802.1ad) decoded") \
	X(encap_mpls, "MPLS labels decoded") \
	X(encap_pppoe, "PPPoE session headers decoded") \
	X(encap_ip, "IP-in-IP headers decoded (IPv4 or IPv6 inside IPv4 or IPv6)") \
	X(encap_gre, "GRE headers decoded") \
	X(encap_pptp, "PPTP enhanced GRE headers decoded") \
	X(encap_erspan, "ERSPAN headers decoded (types I, II and III)") \
	X(encap_vxlan, "VXLAN headers decoded") \
	X(encap_geneve, "Geneve headers decoded") \
	X(encap_gtpu, "GTP-U headers decoded (user data)") \
	X(encap_gre_udp, "GRE over UDP headers decoded") \
	X(encap_short, "wrapping headers cut short or inconsistent (not decoded further)") \
	X(encap_unknown, "wrappings carrying what pdnslog does not decode (GRE, Geneve or PPP protocol, MPLS payload, PPPoE discovery)") \
	X(gtpu_no_data, "GTP-U messages carrying no user data (echo, error indication, end marker)") \
	X(frag_reassembled, "IP datagrams reassembled from fragments") \
	X(frag_duplicates, "IP fragments ignored as exact repeats") \
	X(frag_overlaps, "IP datagrams discarded for overlapping fragments") \
	X(frag_timeouts, "IP datagrams discarded incomplete after the fragment timeout") \
	X(frag_evicted, "IP datagrams discarded to stay under the fragment caps") \
	X(frag_bad, "IP fragments that are malformed (bad offset, too big)") \
	X(udp_bad, "UDP headers that are malformed") \
	X(udp_long, "UDP headers whose length claims more than the IP packet holds (decoded as far as the bytes go)") \
	X(not_dns_port, "UDP/TCP packets on no DNS port nor tunnel port (BPF let them through)") \
	X(tcp_segments, "TCP segments on a DNS port") \
	X(tcp_messages, "DNS messages reassembled from TCP streams") \
	X(tcp_retransmits, "TCP segments whose data was already seen (first data wins)") \
	X(tcp_out_of_order, "TCP segments that arrived ahead of a hole and waited") \
	X(tcp_gaps, "holes in TCP streams given up on (data missing from the capture)") \
	X(tcp_gap_bytes, "bytes skipped while resynchronising on a length prefix") \
	X(tcp_bad_length, "TCP length prefixes too small to hold a DNS header") \
	X(tcp_limit_drops, "TCP stream state dropped to stay under the per-stream byte cap") \
	X(tcp_evicted, "TCP streams dropped, oldest first, to stay under the stream or byte caps") \
	X(tcp_expired, "idle TCP streams expired (-gc_age)") \
	X(tcp_incomplete, "partial DNS messages lost when their stream ended or expired") \
	X(dns_messages, "DNS messages decoded (complete or not)") \
	X(dns_queries, "DNS queries") \
	X(dns_responses, "DNS responses") \
	X(dns_malformed, "DNS messages that are malformed (logged as far as parsed)") \
	X(dns_truncated_capture, "DNS messages cut short by the capture length") \
	X(dns_trailing, "DNS messages with bytes after the last record") \
	X(dns_too_short, "payloads too short for a DNS header (not logged)") \
	X(rdata_malformed, "records whose rdata did not fit its type (logged as \\#)") \
	X(pair_answered, "exchanges written with both query and response") \
	X(pair_unanswered, "queries written without a response") \
	X(pair_response_only, "responses written without a query") \
	X(pair_duplicate_queries, "queries dropped as repeats of a pending one") \
	X(pair_evicted, "pending entries written early because the table was full") \
	X(pair_held_full, "responses written at once because the held-response cap was hit") \
	X(cof_facts, "distinct facts (rrname, rrtype, rdata) entered in the aggregation table (-format cof, -pdns_db)") \
	X(cof_records, "aggregated facts written: COF lines with -format cof, each also given to the -pdns_db store (with another format: given to the store only)") \
	X(cof_evicted, "facts evicted, least recently seen first, to stay under -cof_max_entries (each written out first with its count so far)") \
	X(cof_too_big, "records not aggregated: their rrname and rdata text is longer than a fact's entry holds (dropped)") \
	X(pdns_clients_facts, "distinct (client, question name, type) entered in the -pdns_clients table") \
	X(pdns_clients_records, "client rows given to the -pdns_db store (-pdns_clients)") \
	X(pdns_clients_evicted, "client rows evicted, least recently seen first, to stay under -cof_max_entries (each given to the store first)") \
	X(pdns_clients_too_big, "responses not counted in the -pdns_clients table: the question name is longer than an entry holds (dropped)") \
	X(records_built, "output records built, whatever became of them (with -quiet and no output: the work done)") \
	X(records_written, "records that reached at least one output (written whole, sent or delivered)") \
	X(record_overflow, "records too large to build (dropped)") \
	X(output_errors, "failed writes to standard output or -logfile (a closed standard output is no error: stdout_lost)") \
	X(stdout_records, "records written whole to standard output") \
	X(stdout_lost, "records not written to standard output: a failed write, or its reader closed it") \
	X(logfile_records, "records written whole to -logfile") \
	X(logfile_lost, "records not written to -logfile: a failed write") \
	X(syslog_records, "records sent to syslog, one message each") \
	X(syslog_dropped, "syslog messages dropped: the daemon's queue stayed full, or too big for a datagram") \
	X(syslog_errors, "syslog messages that could not be sent (no daemon listening, other errors)") \
	X(statsd_errors, "statsd datagrams that could not be sent") \
	X(kafka_delivered, "records the Kafka brokers acknowledged") \
	X(kafka_failed, "records librdkafka gave up on (delivery report with an error)") \
	X(kafka_dropped, "records not queued for Kafka: librdkafka's queue (-kafka_queue) was full, or the message was refused") \
	X(kafka_undelivered, "records still queued for Kafka when the exit's flush timed out (-kafka_flush_timeout)") \
	X(kafka_stats_delivered, "stats records the Kafka brokers acknowledged (-kafka_stats_topic)") \
	X(kafka_stats_lost, "stats records not delivered to -kafka_stats_topic (failed, dropped or undelivered)") \
	X(kafka_avro_errors, "records not sent to Kafka because Avro encoding failed (-kafka_avro)") \
	X(fluentd_delivered, "records the Fluentd server acknowledged (with -fluentd_ack=false: written to its socket)") \
	X(fluentd_retried, "records sent to Fluentd again: not acknowledged before their connection ended or -fluentd_ack_timeout passed (the server may have them twice)") \
	X(fluentd_dropped, "records not queued for Fluentd: its queue (-fluentd_queue) was full") \
	X(fluentd_undelivered, "records still queued or unacknowledged for Fluentd when the exit's wait ended (-fluentd_flush_timeout)") \
	X(fluentd_errors, "Fluentd connections that failed or were lost, and acks that did not come in time") \
	X(pdns_db_facts, "facts upserted into the -pdns_db store (committed)") \
	X(pdns_db_commits, "transactions committed to the -pdns_db store") \
	X(pdns_db_errors, "facts not stored in -pdns_db: their upsert or its transaction's commit failed") \
	X(pdns_consume_messages, "-kafka_consume: Kafka messages read into the store") \
	X(pdns_consume_facts, "-kafka_consume: COF facts upserted into the store") \
	X(pdns_consume_bad, "-kafka_consume: lines that are not a COF fact, skipped (malformed, no rdata, ...)") \
	X(pdns_api_requests, "-pdns_api: HTTP requests answered (those libmicrohttpd refused itself, 414 and 431, not counted)") \
	X(pdns_api_errors, "-pdns_api: requests answered with an error, 4xx or 5xx (bad names, unknown paths, methods, timeouts, busy)") \
	X(pdns_api_timeouts, "-pdns_api: queries stopped at -pdns_api_timeout (answered 503)") \
	X(pdns_api_busy, "-pdns_api: requests answered 503 because every store connection stayed taken, or too many answer bytes waited to be sent")

struct stats {
#define STATS_FIELD(name, doc) uint64_t name;
	STATS_COUNTERS(STATS_FIELD)
#undef STATS_FIELD
	uint64_t dns_error[-DNS_EOPT + 1]; /* malformed messages by kind */
	uint64_t pending;                  /* gauge: pending entries now */
	uint64_t pending_peak;
	/* Of the packets on no DNS port, the (lower) port seen most often:
	 * a majority vote, enough to say what a silent run saw instead. */
	uint16_t other_port;
	uint64_t other_port_votes;
};

/* Count one packet on no DNS port (not_dns_port) and vote for its port. */
static inline void stats_other_port(struct stats *s, uint16_t sport, uint16_t dport)
{
	uint16_t port = sport < dport ? sport : dport;
	s->not_dns_port++;
	if (s->other_port_votes == 0)
		s->other_port = port;
	if (s->other_port == port)
		s->other_port_votes++;
	else
		s->other_port_votes--;
}

/* Why a run that read packets wrote no record, from the counters: one line
 * ("no DNS logged: ...") in out, or false when there is nothing to say
 * (no packet, or records were built).  ports is the -ports text. */
bool stats_explain_silence(const struct stats *s, const char *ports, char *out, size_t len);

/* Append the counters as one JSON object: {"type":"stats",...}. */
void stats_print_json(struct strbuf *sb, const struct stats *s, const char *sensor);
/* Add b's counters into a (gauges too). */
void stats_add(struct stats *a, const struct stats *b);

#endif
