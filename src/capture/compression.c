/* compression: which compression a capture file has, by its first bytes,
 * and its name; apart from the decoders (decompress.c) so that a build
 * without them still recognises, and names, what it cannot read. */
#include "capture/decompress.h"

#include <string.h>

enum compression decompress_detect(const uint8_t *h, size_t n)
{
	if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8)
		return COMPRESSION_GZIP;
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
		return COMPRESSION_XZ;
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return COMPRESSION_ZSTD;
	if (n >= 4 && memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9')
		return COMPRESSION_BZIP2;
	if (n >= 4 && memcmp(h, "\x04\x22\x4d\x18", 4) == 0)
		return COMPRESSION_LZ4;
	return COMPRESSION_NONE;
}

const char *decompress_name(enum compression kind)
{
	switch (kind) {
	case COMPRESSION_GZIP: return "gzip";
	case COMPRESSION_XZ: return "xz";
	case COMPRESSION_ZSTD: return "zstd";
	case COMPRESSION_BZIP2: return "bzip2";
	case COMPRESSION_LZ4: return "lz4";
	case COMPRESSION_NONE: break;
	}
	return "none";
}
