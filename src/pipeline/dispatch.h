/* dispatch: spread packets over worker threads by a symmetric flow hash.
 *
 * The capture thread hashes each frame's IP address pair (the same both
 * ways, and the same for every fragment and segment of a flow), so both legs
 * of an exchange, all TCP segments and all IP fragments meet in one worker,
 * which owns its tables and needs no locks.  Each worker has a
 * single-producer single-consumer ring of packet copies.  When a ring is
 * full a live capture drops the packet and counts it (queue_drops): capture
 * never waits for output.  Reading a file, the capture thread waits instead,
 * since nothing is lost by slowing down. */
#ifndef PDNSLOG_DISPATCH_H
#define PDNSLOG_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/worker.h"

#define DISPATCH_RING_BYTES (8u << 20) /* per worker */

struct dispatch;

/* Start n workers (threads) with the same configuration.  NULL on failure. */
struct dispatch *dispatch_create(int n, const struct worker_config *cfg, bool lossless);
/* Hand one frame to its worker (copied). */
void dispatch_packet(struct dispatch *d, int linktype, int64_t ts_ns, int ts_digits,
		     const uint8_t *frame, size_t caplen, size_t wirelen);
/* Every worker has done handover request req (worker.h: cfg.sync_req). */
bool dispatch_synced(struct dispatch *d, unsigned req);
/* Let every worker drain its ring, flush its tables and stop. */
void dispatch_finish(struct dispatch *d);
/* Add all counters (workers' and the dispatcher's) into sum: exact after
 * dispatch_finish(); while the workers run, as of their last snapshot
 * (taken every DISPATCH_SNAPSHOT_EVERY packets and whenever a worker idles). */
#define DISPATCH_SNAPSHOT_EVERY 4096
void dispatch_stats(struct dispatch *d, struct stats *sum);
void dispatch_destroy(struct dispatch *d);

#endif
