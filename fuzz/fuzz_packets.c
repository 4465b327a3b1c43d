/* fuzz_packets: libFuzzer target for the whole packet path: link layer, IP,
 * fragment and TCP reassembly, pairing and output, driven by a sequence of
 * packets.
 *
 * Input: one byte choosing the link type (and, with its top bit, the
 * format), then packets, each a 2-byte
 * big-endian length, one byte of time step (milliseconds) and the frame.
 * The tables get small caps so eviction and expiry run too. */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/worker.h"

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
	struct worker_config cfg = {
		.linktype = linktypes[(data[0] & 0x7F) % (sizeof linktypes / sizeof linktypes[0])],
		.ports = &ports,
		.tunnels = &tunnels,
		.pair = { .max_pending = 8, .max_held_bytes = 4096, .gc_age_ns = 2000000000 },
		.tcp = { .max_streams = 4, .stream_bytes = 1, .max_bytes = 300000, .idle_ns = 2000000000 },
		.frag = { .max_datagrams = 4, .max_bytes = 100000, .timeout_ns = 2000000000 },
		.gc_interval_ns = 1000000000,
		.format = (data[0] & 0x80) ? FORMAT_JSON : FORMAT_FLAT,
		.sensor = "fuzz",
		.sinks = sinks,
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
