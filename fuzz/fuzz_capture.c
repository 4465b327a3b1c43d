/* fuzz_capture: libFuzzer target for reading capture files: the input is
 * a whole pcap or pcapng file, read through libpcap as pdnslog reads one
 * (nanosecond timestamps, the precision sniffed from the header) and decoded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "pipeline/worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct portset ports;
	static struct sink devnull;
	static struct sink *sinks[2];
	if (!sinks[0]) {
		portset_clear(&ports);
		portset_add(&ports, 53);
		if (sink_open_file(&devnull, "/dev/null") < 0)
			abort();
		sinks[0] = &devnull;
	}
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	struct capture cap;
	char err[CAPTURE_ERRLEN];
	if (capture_open_stream(&cap, fp, "fuzz", err) < 0)
		return 0; /* closed fp */
	if (decode_linktype_supported(cap.linktype)) {
		struct worker_config cfg = {
			.linktype = cap.linktype, .ports = &ports,
			.pair = { .max_pending = 64, .max_held_bytes = 65536, .gc_age_ns = 60000000000LL },
			.tcp = { .max_streams = 16, .stream_bytes = 1, .max_bytes = 1 << 20, .idle_ns = 60000000000LL },
			.frag = { .max_datagrams = 16, .max_bytes = 1 << 20, .timeout_ns = 30000000000LL },
			.gc_interval_ns = 10000000000LL, .format = FORMAT_JSON, .sensor = "fuzz", .sinks = sinks,
		};
		static struct worker w;
		if (worker_init(&w, &cfg) < 0)
			abort();
		int64_t ts;
		const uint8_t *pkt;
		uint32_t caplen, wirelen;
		while (capture_next(&cap, &ts, &pkt, &caplen, &wirelen, err) == 1)
			worker_packet(&w, cap.linktype, ts, cap.ts_digits, pkt, caplen, wirelen);
		worker_finish(&w);
		worker_destroy(&w);
	}
	capture_close(&cap);
	return 0;
}
