/* codec_bzip2: bzip2 through libbz2 (codec.h). */
#include "capture/codec.h"

#include <bzlib.h>
#include <stdio.h>
#include <stdlib.h>

static void *start(void)
{
	bz_stream *b = calloc(1, sizeof *b);
	if (b && BZ2_bzDecompressInit(b, 0, 0) != BZ_OK) {
		free(b);
		b = NULL;
	}
	return b;
}

static void end(void *dec)
{
	BZ2_bzDecompressEnd(dec);
	free(dec);
}

static int restart(void **dec)
{
	end(*dec);
	return (*dec = start()) ? 0 : -1;
}

static enum codec_step step(void *dec, bool in_eof, const uint8_t *in, size_t avail, size_t *used,
			    uint8_t *out, size_t room, size_t *made, char *err, size_t errlen)
{
	bz_stream *b = dec;
	b->next_in = (char *)in;
	b->avail_in = (unsigned)avail;
	b->next_out = (char *)out;
	b->avail_out = (unsigned)room;
	int rc = BZ2_bzDecompress(b);
	*used = avail - b->avail_in;
	*made = room - b->avail_out;
	if (rc == BZ_STREAM_END)
		return CODEC_END;
	if (rc == BZ_OK)
		return CODEC_MORE;
	snprintf(err, errlen, "bzip2 data is corrupt (libbz2: %s)",
		 rc == BZ_MEM_ERROR ? "out of memory" :
		 rc == BZ_DATA_ERROR_MAGIC ? "not bzip2 data" :
		 rc == BZ_DATA_ERROR ? "data error" : "error");
	return CODEC_ERROR;
}

const struct codec codec_bzip2 = { COMPRESSION_BZIP2, start, end, restart, step };
