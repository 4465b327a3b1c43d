/* codec_zstd: zstd through libzstd's streaming API (codec.h). */
#include "capture/codec.h"

#include <stdio.h>
#include <zstd.h>

static void *start(void)
{
	return ZSTD_createDCtx();
}

static void end(void *dec)
{
	ZSTD_freeDCtx(dec);
}

static int restart(void **dec)
{
	return 0; /* it goes on to the next frame by itself */
}

static enum codec_step step(void *dec, bool in_eof, const uint8_t *in, size_t avail, size_t *used,
			    uint8_t *out, size_t room, size_t *made, char *err, size_t errlen)
{
	ZSTD_inBuffer ib = { in, avail, 0 };
	ZSTD_outBuffer ob = { out, room, 0 };
	size_t rc = ZSTD_decompressStream(dec, &ob, &ib);
	*used = ib.pos;
	*made = ob.pos;
	if (ZSTD_isError(rc)) {
		snprintf(err, errlen, "zstd data is corrupt (libzstd: %s)", ZSTD_getErrorName(rc));
		return CODEC_ERROR;
	}
	return rc == 0 ? CODEC_END : CODEC_MORE; /* 0: a frame ended, all of it given */
}

const struct codec codec_zstd = { COMPRESSION_ZSTD, start, end, restart, step };
