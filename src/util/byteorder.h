/* byteorder: network (big-endian) numbers read from packet bytes the caller
 * has already bounds-checked. */
#ifndef PDNSLOG_BYTEORDER_H
#define PDNSLOG_BYTEORDER_H

#include <stdint.h>

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif
