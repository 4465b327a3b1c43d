/* keyhash: SipHash-1-3 (Aumasson and Bernstein) for keys that are whole words. */
#include "util/keyhash.h"

#include <string.h>
#include <time.h>

#include "platform/platform.h"

void keyhash_init(struct keyhash *kh)
{
	if (platform_random(kh->k, sizeof kh->k))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	kh->k[0] = (uint64_t)(uintptr_t)kh ^ 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_nsec;
	kh->k[1] = (uint64_t)ts.tv_sec * 0x632be59bd9b4e019ULL;
}

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND() do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
} while (0)

uint64_t keyhash(const struct keyhash *kh, const void *data, size_t len)
{
	uint64_t v0 = kh->k[0] ^ 0x736f6d6570736575ULL;
	uint64_t v1 = kh->k[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = kh->k[0] ^ 0x6c7967656e657261ULL;
	uint64_t v3 = kh->k[1] ^ 0x7465646279746573ULL;
	const uint8_t *p = data;
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t m;
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND();
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	v3 ^= b;
	SIPROUND();
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND();
	SIPROUND();
	SIPROUND();
	return v0 ^ v1 ^ v2 ^ v3;
}
