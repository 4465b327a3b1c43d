/* win32/codecs: the decoders the Windows build has (codec.h): gzip, with
 * mingw-w64's zlib (libz-mingw-w64-dev); liblzma, libzstd, libbz2 and
 * liblz4 are not built for Windows here. */
#include "capture/codec.h"

const struct codec *const decompress_codecs[] = { &codec_gzip, NULL };
