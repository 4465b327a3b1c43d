/* codec_gzip: gzip through zlib's inflate (codec.h). */
#include "capture/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

static void *start(void)
{
	z_stream *z = calloc(1, sizeof *z);
	if (z && inflateInit2(z, 16 + MAX_WBITS) != Z_OK) { /* gzip only */
		free(z);
		z = NULL;
	}
	return z;
}

static void end(void *dec)
{
	inflateEnd(dec);
	free(dec);
}

static int restart(void **dec)
{
	return inflateReset(*dec) == Z_OK ? 0 : -1;
}

static enum codec_step step(void *dec, bool in_eof, const uint8_t *in, size_t avail, size_t *used,
			    uint8_t *out, size_t room, size_t *made, char *err, size_t errlen)
{
	z_stream *z = dec;
	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)avail;
	z->next_out = out;
	z->avail_out = (uInt)room;
	int rc = inflate(z, Z_NO_FLUSH);
	*used = avail - z->avail_in;
	*made = room - z->avail_out;
	if (rc == Z_STREAM_END)
		return CODEC_END;
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return CODEC_MORE;
	snprintf(err, errlen, "gzip data is corrupt (zlib: %s)",
		 rc == Z_MEM_ERROR ? "out of memory" : z->msg ? z->msg : zError(rc));
	return CODEC_ERROR;
}

const struct codec codec_gzip = { COMPRESSION_GZIP, start, end, restart, step };
