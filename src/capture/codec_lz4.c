/* codec_lz4: lz4 through liblz4's frame API (codec.h). */
#include "capture/codec.h"

#include <lz4frame.h>
#include <stdio.h>

static void *start(void)
{
	LZ4F_dctx *l;
	return LZ4F_isError(LZ4F_createDecompressionContext(&l, LZ4F_VERSION)) ? NULL : l;
}

static void end(void *dec)
{
	LZ4F_freeDecompressionContext(dec);
}

static int restart(void **dec)
{
	return 0; /* it goes on to the next frame by itself */
}

static enum codec_step step(void *dec, bool in_eof, const uint8_t *in, size_t avail, size_t *used,
			    uint8_t *out, size_t room, size_t *made, char *err, size_t errlen)
{
	size_t dst = room, src = avail;
	size_t rc = LZ4F_decompress(dec, out, &dst, in, &src, NULL);
	*used = src;
	*made = dst;
	if (LZ4F_isError(rc)) {
		snprintf(err, errlen, "lz4 data is corrupt (liblz4: %s)", LZ4F_getErrorName(rc));
		return CODEC_ERROR;
	}
	return rc == 0 ? CODEC_END : CODEC_MORE; /* 0: a frame ended, all of it given */
}

const struct codec codec_lz4 = { COMPRESSION_LZ4, start, end, restart, step };
