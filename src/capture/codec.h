/* codec: one compression format's streaming decoder as decompress.c drives
 * it.  Each library's calls live in a file of their own (codec_gzip.c,
 * codec_xz.c, ...) so that a build links the ones it has: codecs.c lists
 * them (on Windows, src/platform/win32/codecs.c: gzip only). */
#ifndef PDNSLOG_CODEC_H
#define PDNSLOG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/decompress.h"

enum codec_step { CODEC_MORE, CODEC_END, CODEC_ERROR };

struct codec {
	enum compression kind;
	/* A new decoder, or NULL when out of memory. */
	void *(*start)(void);
	void (*end)(void *dec);
	/* Ready for the next member after one ended (*dec may be replaced):
	 * 0, or -1 when out of memory. */
	int (*restart)(void **dec);
	/* One call of the library: from in (avail bytes; in_eof: they are the
	 * last) into out (room bytes, at most UINT_MAX); *used and *made say
	 * how many it took and gave.  CODEC_END: a member ended. */
	enum codec_step (*step)(void *dec, bool in_eof, const uint8_t *in, size_t avail, size_t *used,
				uint8_t *out, size_t room, size_t *made, char *err, size_t errlen);
};

extern const struct codec codec_gzip, codec_xz, codec_zstd, codec_bzip2, codec_lz4;
/* The codecs of this build, NULL-terminated (codecs.c). */
extern const struct codec *const decompress_codecs[];

#endif
