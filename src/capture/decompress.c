/* decompress: the compressed capture formats' streaming decoders behind
 * one interface (see decompress.h).  This file only moves bytes between
 * the source and a decoder (codec.h; each library's calls are in a
 * codec_*.c of its own); no format is decoded here. */
#include "capture/decompress.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/codec.h"

#define IN_SIZE (64u << 10) /* compressed bytes asked of the source at once */

struct decompressor {
	const struct codec *codec;
	enum compression kind;
	decompress_source_fn *source;
	void *ctx;
	uint8_t *in;
	size_t in_pos, in_len;
	bool in_eof;       /* the source said 0 */
	bool member_end;   /* a member (frame, stream) just ended; another may follow */
	int state;         /* 0 decoding, 1 ended (read gives 0), -1 failed (-1) */
	void *dec;         /* the codec's decoder */
};

static const struct codec *codec_of(enum compression kind)
{
	for (const struct codec *const *c = decompress_codecs; *c; c++)
		if ((*c)->kind == kind)
			return *c;
	return NULL;
}

bool decompress_supported(enum compression kind)
{
	return codec_of(kind) != NULL;
}

struct decompressor *decompress_open(enum compression kind, decompress_source_fn *source, void *ctx)
{
	const struct codec *codec = codec_of(kind);
	struct decompressor *d = codec ? calloc(1, sizeof *d) : NULL;
	if (!d)
		return NULL;
	d->codec = codec;
	d->kind = kind;
	d->source = source;
	d->ctx = ctx;
	d->in = malloc(IN_SIZE);
	if (!d->in || !(d->dec = codec->start())) {
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
	if (d->dec)
		d->codec->end(d->dec);
	free(d->in);
	free(d);
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
			if (d->codec->restart(&d->dec) < 0) {
				snprintf(err, errlen, "%s: out of memory", decompress_name(d->kind));
				d->state = -1;
				return -1;
			}
			d->member_end = false;
		}
		size_t used = 0, made = 0;
		enum codec_step s = d->codec->step(d->dec, d->in_eof, d->in + d->in_pos, avail, &used, buf,
						   n > UINT_MAX ? UINT_MAX : n, &made, err, errlen);
		d->in_pos += used;
		if (s == CODEC_ERROR) {
			d->state = -1;
			return -1;
		}
		if (s == CODEC_END)
			d->member_end = true;
		if (made)
			return (ssize_t)made;
		if (s == CODEC_END || used)
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
