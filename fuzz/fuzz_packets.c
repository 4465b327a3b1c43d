/* fuzz_packets: libFuzzer target for the whole packet path: link layer, IP,
 * fragment and TCP reassembly, pairing and output, driven by a sequence of
 * packets.
 *
 * Input: one byte choosing the link type (its low 6 bits) and the output
 * (bit 7: -format json; bit 6: -format cof with a -pdns_db store and
 * -pdns_clients, the last byte's low bit choosing -cof_sections all), then
 * packets, each a 2-byte big-endian length, one byte of time step
 * (milliseconds) and the frame.  The tables get small caps so eviction and
 * expiry run too.  The store is one SQLite file for the whole run, in
 * $TMPDIR (or /tmp), deleted at exit. */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdns/writer.h"
#include "pipeline/worker.h"

static struct pdns_writer *store;
static char store_path[512];

static void store_remove(void)
{
	pdns_writer_stop(store);
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		char p[600];
		snprintf(p, sizeof p, "%s%s", store_path, suffixes[i]);
		unlink(p);
	}
}

/* The -pdns_db writer every COF input feeds, started on first use. */
static struct pdns_writer *fuzz_store(void)
{
	if (store)
		return store;
	const char *dir = getenv("TMPDIR");
	snprintf(store_path, sizeof store_path, "%s/pdnslog-fuzz-%ld.db", dir && *dir ? dir : "/tmp",
		 (long)getpid());
	char err[512];
	if (!(store = pdns_writer_start(store_path, err, sizeof err))) {
		fprintf(stderr, "fuzz_packets: %s\n", err);
		abort();
	}
	atexit(store_remove);
	return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Indexed by the first byte (mod the count): keep the order, seeds.py
	 * maps capture link types onto it. */
	static const int linktypes[] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, 276, DLT_NULL,
					 DLT_LOOP, DLT_FDDI, 228, 229, 9, 50, 104, 105, 109,
					 117, 127, 192, 197, 226, 239 };
	static struct portset ports;
	static struct tunnel_ports tunnels;
	static struct sink devnull;
	static struct sink *sinks[2];
	if (!sinks[0]) {
		portset_clear(&ports);
		portset_add(&ports, 53);
		portset_add(&ports, 5353);
		tunnel_ports_default(&tunnels);
		if (sink_open_file(&devnull, "/dev/null") < 0)
			abort();
		sinks[0] = &devnull;
	}
	if (size < 1)
		return 0;
	bool cof = data[0] & 0x40;
	struct worker_config cfg = {
		.linktype = linktypes[(data[0] & 0x3F) % (sizeof linktypes / sizeof linktypes[0])],
		.ports = &ports,
		.tunnels = &tunnels,
		.pair = { .max_pending = 8, .max_held_bytes = 4096, .gc_age_ns = 2000000000 },
		.tcp = { .max_streams = 4, .stream_bytes = 1, .max_bytes = 300000, .idle_ns = 2000000000 },
		.frag = { .max_datagrams = 4, .max_bytes = 100000, .timeout_ns = 2000000000 },
		.gc_interval_ns = 1000000000,
		.format = cof ? FORMAT_COF : (data[0] & 0x80) ? FORMAT_JSON : FORMAT_FLAT,
		.sensor = "fuzz",
		.sinks = sinks,
		.cof = { .max_entries = 4, .interval_ns = 1000000000, .all_sections = data[size - 1] & 1 },
		.pdns = cof ? fuzz_store() : NULL,
		.pdns_clients = cof,
	};
	static struct worker w;
	if (worker_init(&w, &cfg) < 0)
		abort();
	int64_t ts = 1700000000000000000LL;
	size_t off = 1;
	while (off + 3 <= size) {
		size_t len = (size_t)(data[off] << 8 | data[off + 1]);
		ts += (int64_t)data[off + 2] * 1000000;
		off += 3;
		if (len > size - off)
			len = size - off;
		/* A copy of exactly the frame's size, so reading past it is caught. */
		uint8_t *frame = malloc(len ? len : 1);
		memcpy(frame, data + off, len);
		worker_packet(&w, cfg.linktype, ts, 9, frame, len, len);
		free(frame);
		off += len;
	}
	worker_finish(&w);
	worker_destroy(&w);
	return 0;
}
