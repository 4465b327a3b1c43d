/* codecs: the decoders the Linux build has: all five (codec.h). */
#include "capture/codec.h"

const struct codec *const decompress_codecs[] = {
	&codec_gzip, &codec_xz, &codec_zstd, &codec_bzip2, &codec_lz4, NULL,
};
