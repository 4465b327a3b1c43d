/* decompress: compressed capture files, recognised by their content.
 *
 * gzip (zlib), xz (liblzma), zstd (libzstd), bzip2 (libbz2) and lz4 (liblz4's
 * frame API), each through its own library's streaming decoder, behind one
 * small interface: the compressed bytes are pulled from a source function as
 * the decoder needs them, the plain bytes come out of decompress_read().
 * Streams made of several members or frames one after the other (pigz,
 * pbzip2, `cat a.gz b.gz`, zstd -T) are read whole, as the tools read them.
 *
 * Not libwandio (libtrace's reader, which does the same): it opens by name
 * and reads with its own blocking read()s, optionally in a thread of its
 * own, so a quiet pipe could neither be poll()ed nor the idle hook run
 * (input.h), and its thread would be one more for the sandbox. */
#ifndef PDNSLOG_DECOMPRESS_H
#define PDNSLOG_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum compression {
	COMPRESSION_NONE,
	COMPRESSION_GZIP,
	COMPRESSION_XZ,
	COMPRESSION_ZSTD,
	COMPRESSION_BZIP2,
	COMPRESSION_LZ4,
};

/* Bytes enough to recognise every format by its magic. */
#define DECOMPRESS_MAGIC_LEN 6

/* The format whose magic head (n bytes, the first of the file) starts with;
 * COMPRESSION_NONE for anything else, a capture file among them. */
enum compression decompress_detect(const uint8_t *head, size_t n);
/* "gzip", "xz", ...; "none". */
const char *decompress_name(enum compression kind);
/* This build has a decoder for kind (the Windows build: gzip only). */
bool decompress_supported(enum compression kind);

/* Where the compressed bytes come from: up to n into buf; the count, 0 at
 * the end, -1 on an error (which the source reports itself). */
typedef ssize_t decompress_source_fn(void *ctx, uint8_t *buf, size_t n);

struct decompressor;

/* A decoder for kind reading from source.  NULL when out of memory. */
struct decompressor *decompress_open(enum compression kind, decompress_source_fn *source, void *ctx);
/* Up to n plain bytes: the count (> 0), 0 at the end of the compressed
 * data, -1 on an error: a message in err (corrupt data, a truncated file)
 * unless the source failed, which leaves err alone.  After 0 or -1 every
 * further call returns the same. */
ssize_t decompress_read(struct decompressor *d, void *buf, size_t n, char *err, size_t errlen);
void decompress_close(struct decompressor *d);

#endif
