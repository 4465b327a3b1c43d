/* keyhash: keyed hashing of flow keys for the tables that hold per-flow state.
 *
 * Flow keys (addresses, ports, IDs) are chosen by whoever sends packets, so
 * the tables hash them with SipHash-1-3 under a random key: nobody outside
 * can aim many flows at one bucket. */
#ifndef PDNSLOG_KEYHASH_H
#define PDNSLOG_KEYHASH_H

#include <stddef.h>
#include <stdint.h>

struct keyhash {
	uint64_t k[2];
};

/* A fresh random key (getrandom; a weaker mix of address and time if that fails). */
void keyhash_init(struct keyhash *kh);

/* SipHash-1-3 of len bytes (a multiple of 8) under the key. */
uint64_t keyhash(const struct keyhash *kh, const void *data, size_t len);

#endif
