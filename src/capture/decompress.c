/* decompress: gzip, xz, zstd, bzip2 and lz4 through their own libraries'
 * streaming decoders (see decompress.h).  This file only moves bytes
 * between the source and each library; no format is decoded here. */
#include "capture/decompress.h"

#include <bzlib.h>
#include <limits.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define IN_SIZE (64u << 10) /* compressed bytes asked of the source at once */

struct decompressor {
	enum compression kind;
	decompress_source_fn *source;
	void *ctx;
	uint8_t *in;
	size_t in_pos, in_len;
	bool in_eof;       /* the source said 0 */
	bool member_end;   /* a member (frame, stream) just ended; another may follow */
	int state;         /* 0 decoding, 1 ended (read gives 0), -1 failed (-1) */
	union {
		z_stream z;
		lzma_stream x;
		ZSTD_DCtx *zs;
		bz_stream b;
		LZ4F_dctx *l;
	} u;
};

/* Set up (again) the library's decoder.  0, or -1 when out of memory. */
static int decoder_start(struct decompressor *d)
{
	switch (d->kind) {
	case COMPRESSION_GZIP:
		memset(&d->u.z, 0, sizeof d->u.z);
		return inflateInit2(&d->u.z, 16 + MAX_WBITS) == Z_OK ? 0 : -1; /* gzip only */
	case COMPRESSION_XZ:
		d->u.x = (lzma_stream)LZMA_STREAM_INIT;
		return lzma_stream_decoder(&d->u.x, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK ? 0 : -1;
	case COMPRESSION_ZSTD:
		d->u.zs = ZSTD_createDCtx();
		return d->u.zs ? 0 : -1;
	case COMPRESSION_BZIP2:
		memset(&d->u.b, 0, sizeof d->u.b);
		return BZ2_bzDecompressInit(&d->u.b, 0, 0) == BZ_OK ? 0 : -1;
	case COMPRESSION_LZ4:
		return LZ4F_isError(LZ4F_createDecompressionContext(&d->u.l, LZ4F_VERSION)) ? -1 : 0;
	case COMPRESSION_NONE:
		break;
	}
	return -1;
}

static void decoder_end(struct decompressor *d)
{
	switch (d->kind) {
	case COMPRESSION_GZIP: inflateEnd(&d->u.z); break;
	case COMPRESSION_XZ: lzma_end(&d->u.x); break;
	case COMPRESSION_ZSTD: ZSTD_freeDCtx(d->u.zs); break;
	case COMPRESSION_BZIP2: BZ2_bzDecompressEnd(&d->u.b); break;
	case COMPRESSION_LZ4: LZ4F_freeDecompressionContext(d->u.l); break;
	case COMPRESSION_NONE: break;
	}
}

/* Ready for the next member after one ended. */
static int decoder_restart(struct decompressor *d)
{
	switch (d->kind) {
	case COMPRESSION_GZIP:
		return inflateReset(&d->u.z) == Z_OK ? 0 : -1;
	case COMPRESSION_ZSTD: /* both go on to the next frame by themselves */
	case COMPRESSION_LZ4:
		return 0;
	case COMPRESSION_XZ:  /* LZMA_CONCATENATED: it ends only at the very end */
	case COMPRESSION_BZIP2:
		decoder_end(d);
		return decoder_start(d);
	case COMPRESSION_NONE:
		break;
	}
	return -1;
}

struct decompressor *decompress_open(enum compression kind, decompress_source_fn *source, void *ctx)
{
	struct decompressor *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->kind = kind;
	d->source = source;
	d->ctx = ctx;
	d->in = malloc(IN_SIZE);
	if (!d->in || decoder_start(d) < 0) {
		free(d->in);
		free(d);
		return NULL;
	}
	return d;
}

void decompress_close(struct decompressor *d)
{
	if (!d)
		return;
	decoder_end(d);
	free(d->in);
	free(d);
}

enum step { STEP_MORE, STEP_END, STEP_ERROR };

/* One call of the library: from in (avail bytes) into out (room bytes);
 * *used and *made say how many it took and gave. */
static enum step step(struct decompressor *d, const uint8_t *in, size_t avail, size_t *used,
		      uint8_t *out, size_t room, size_t *made, char *err, size_t errlen)
{
	if (room > UINT_MAX)
		room = UINT_MAX;
	switch (d->kind) {
	case COMPRESSION_GZIP: {
		z_stream *z = &d->u.z;
		z->next_in = (Bytef *)in;
		z->avail_in = (uInt)avail;
		z->next_out = out;
		z->avail_out = (uInt)room;
		int rc = inflate(z, Z_NO_FLUSH);
		*used = avail - z->avail_in;
		*made = room - z->avail_out;
		if (rc == Z_STREAM_END)
			return STEP_END;
		if (rc == Z_OK || rc == Z_BUF_ERROR)
			return STEP_MORE;
		snprintf(err, errlen, "gzip data is corrupt (zlib: %s)",
			 rc == Z_MEM_ERROR ? "out of memory" : z->msg ? z->msg : zError(rc));
		return STEP_ERROR;
	}
	case COMPRESSION_XZ: {
		lzma_stream *x = &d->u.x;
		x->next_in = in;
		x->avail_in = avail;
		x->next_out = out;
		x->avail_out = room;
		/* All the input left is given: at its end, FINISH says so. */
		lzma_ret rc = lzma_code(x, d->in_eof ? LZMA_FINISH : LZMA_RUN);
		*used = avail - x->avail_in;
		*made = room - x->avail_out;
		if (rc == LZMA_STREAM_END)
			return STEP_END;
		if (rc == LZMA_OK || rc == LZMA_BUF_ERROR)
			return STEP_MORE;
		snprintf(err, errlen, "xz data is corrupt (liblzma: %s)",
			 rc == LZMA_MEM_ERROR || rc == LZMA_MEMLIMIT_ERROR ? "out of memory" :
			 rc == LZMA_FORMAT_ERROR ? "not in the xz format" :
			 rc == LZMA_OPTIONS_ERROR ? "unsupported options" :
			 rc == LZMA_DATA_ERROR ? "data error" : "error");
		return STEP_ERROR;
	}
	case COMPRESSION_ZSTD: {
		ZSTD_inBuffer ib = { in, avail, 0 };
		ZSTD_outBuffer ob = { out, room, 0 };
		size_t rc = ZSTD_decompressStream(d->u.zs, &ob, &ib);
		*used = ib.pos;
		*made = ob.pos;
		if (ZSTD_isError(rc)) {
			snprintf(err, errlen, "zstd data is corrupt (libzstd: %s)", ZSTD_getErrorName(rc));
			return STEP_ERROR;
		}
		return rc == 0 ? STEP_END : STEP_MORE; /* 0: a frame ended, all of it given */
	}
	case COMPRESSION_BZIP2: {
		bz_stream *b = &d->u.b;
		b->next_in = (char *)in;
		b->avail_in = (unsigned)avail;
		b->next_out = (char *)out;
		b->avail_out = (unsigned)room;
		int rc = BZ2_bzDecompress(b);
		*used = avail - b->avail_in;
		*made = room - b->avail_out;
		if (rc == BZ_STREAM_END)
			return STEP_END;
		if (rc == BZ_OK)
			return STEP_MORE;
		snprintf(err, errlen, "bzip2 data is corrupt (libbz2: %s)",
			 rc == BZ_MEM_ERROR ? "out of memory" :
			 rc == BZ_DATA_ERROR_MAGIC ? "not bzip2 data" :
			 rc == BZ_DATA_ERROR ? "data error" : "error");
		return STEP_ERROR;
	}
	case COMPRESSION_LZ4: {
		size_t dst = room, src = avail;
		size_t rc = LZ4F_decompress(d->u.l, out, &dst, in, &src, NULL);
		*used = src;
		*made = dst;
		if (LZ4F_isError(rc)) {
			snprintf(err, errlen, "lz4 data is corrupt (liblz4: %s)", LZ4F_getErrorName(rc));
			return STEP_ERROR;
		}
		return rc == 0 ? STEP_END : STEP_MORE; /* 0: a frame ended, all of it given */
	}
	case COMPRESSION_NONE:
		break;
	}
	snprintf(err, errlen, "no decoder");
	return STEP_ERROR;
}

/* More compressed bytes after the ones not yet taken.  0, or -1 when the
 * source failed. */
static int refill(struct decompressor *d)
{
	if (d->in_pos > 0) {
		memmove(d->in, d->in + d->in_pos, d->in_len - d->in_pos);
		d->in_len -= d->in_pos;
		d->in_pos = 0;
	}
	ssize_t got = d->source(d->ctx, d->in + d->in_len, IN_SIZE - d->in_len);
	if (got < 0)
		return -1;
	if (got == 0)
		d->in_eof = true;
	d->in_len += (size_t)got;
	return 0;
}

ssize_t decompress_read(struct decompressor *d, void *buf, size_t n, char *err, size_t errlen)
{
	if (d->state)
		return d->state > 0 ? 0 : -1;
	if (n == 0)
		return 0;
	for (;;) {
		if (d->in_pos == d->in_len && !d->in_eof && refill(d) < 0) {
			d->state = -1;
			return -1;
		}
		size_t avail = d->in_len - d->in_pos;
		if (d->member_end) {
			if (avail == 0) {
				if (d->in_eof) {
					d->state = 1;
					return 0;
				}
				continue;
			}
			/* More follows: the next member (or garbage, which the
			 * decoder will call corrupt). */
			if (decoder_restart(d) < 0) {
				snprintf(err, errlen, "%s: out of memory", decompress_name(d->kind));
				d->state = -1;
				return -1;
			}
			d->member_end = false;
		}
		size_t used = 0, made = 0;
		enum step s = step(d, d->in + d->in_pos, avail, &used, buf, n, &made, err, errlen);
		d->in_pos += used;
		if (s == STEP_ERROR) {
			d->state = -1;
			return -1;
		}
		if (s == STEP_END)
			d->member_end = true;
		if (made)
			return (ssize_t)made;
		if (s == STEP_END || used)
			continue;
		/* Nothing taken, nothing given. */
		if (d->in_eof) {
			snprintf(err, errlen, "%s data ends early (the file is truncated)",
				 decompress_name(d->kind));
			d->state = -1;
			return -1;
		}
		if (d->in_len - d->in_pos == IN_SIZE) {
			snprintf(err, errlen, "%s: the decoder takes no input", decompress_name(d->kind));
			d->state = -1;
			return -1;
		}
		if (refill(d) < 0) {
			d->state = -1;
			return -1;
		}
	}
}
