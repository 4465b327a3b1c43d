/* clock: the monotonic clock in nanoseconds, for intervals and deadlines
 * (never for record times, which come from the capture). */
#ifndef PDNSLOG_CLOCK_H
#define PDNSLOG_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
