/* codec_xz: xz through liblzma (codec.h). */
#include "capture/codec.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>

static void *start(void)
{
	lzma_stream *x = malloc(sizeof *x);
	if (x) {
		*x = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
			free(x);
			x = NULL;
		}
	}
	return x;
}

static void end(void *dec)
{
	lzma_end(dec);
	free(dec);
}

/* LZMA_CONCATENATED: it ends only at the very end; anything after is new. */
static int restart(void **dec)
{
	end(*dec);
	return (*dec = start()) ? 0 : -1;
}

static enum codec_step step(void *dec, bool in_eof, const uint8_t *in, size_t avail, size_t *used,
			    uint8_t *out, size_t room, size_t *made, char *err, size_t errlen)
{
	lzma_stream *x = dec;
	x->next_in = in;
	x->avail_in = avail;
	x->next_out = out;
	x->avail_out = room;
	/* All the input left is given: at its end, FINISH says so. */
	lzma_ret rc = lzma_code(x, in_eof ? LZMA_FINISH : LZMA_RUN);
	*used = avail - x->avail_in;
	*made = room - x->avail_out;
	if (rc == LZMA_STREAM_END)
		return CODEC_END;
	if (rc == LZMA_OK || rc == LZMA_BUF_ERROR)
		return CODEC_MORE;
	snprintf(err, errlen, "xz data is corrupt (liblzma: %s)",
		 rc == LZMA_MEM_ERROR || rc == LZMA_MEMLIMIT_ERROR ? "out of memory" :
		 rc == LZMA_FORMAT_ERROR ? "not in the xz format" :
		 rc == LZMA_OPTIONS_ERROR ? "unsupported options" :
		 rc == LZMA_DATA_ERROR ? "data error" : "error");
	return CODEC_ERROR;
}

const struct codec codec_xz = { COMPRESSION_XZ, start, end, restart, step };
