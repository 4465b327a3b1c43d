/* Unit tests: the input layer: compressions recognised by their magic, the
 * decompressor over a source fed a byte at a time (and its truncation
 * error), several inputs read in turn with the progress API, a bad input
 * skipped, an idle hook that stops a quiet pipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/capture.h"
#include "capture/decompress.h"

#define DNS_PCAP "tests/corpus/pcaps/dnscap__dns.pcap"

static void detect(void **state)
{
	assert_int_equal(decompress_detect((const uint8_t *)"\x1f\x8b\x08\0", 4), COMPRESSION_GZIP);
	assert_int_equal(decompress_detect((const uint8_t *)"\xfd" "7zXZ\0", 6), COMPRESSION_XZ);
	assert_int_equal(decompress_detect((const uint8_t *)"\x28\xb5\x2f\xfd", 4), COMPRESSION_ZSTD);
	assert_int_equal(decompress_detect((const uint8_t *)"BZh9", 4), COMPRESSION_BZIP2);
	assert_int_equal(decompress_detect((const uint8_t *)"\x04\x22\x4d\x18", 4), COMPRESSION_LZ4);
	/* pcap, pcapng, too short, "BZh" without a block size */
	assert_int_equal(decompress_detect((const uint8_t *)"\xd4\xc3\xb2\xa1", 4), COMPRESSION_NONE);
	assert_int_equal(decompress_detect((const uint8_t *)"\x0a\x0d\x0d\x0a", 4), COMPRESSION_NONE);
	assert_int_equal(decompress_detect((const uint8_t *)"\x1f\x8b", 2), COMPRESSION_NONE);
	assert_int_equal(decompress_detect((const uint8_t *)"BZhx", 4), COMPRESSION_NONE);
	assert_string_equal(decompress_name(COMPRESSION_LZ4), "lz4");
}

struct trickle {
	const uint8_t *p;
	size_t n, pos;
};

/* One byte a call: every boundary of the decoder's input is crossed. */
static ssize_t one_byte(void *ctx, uint8_t *buf, size_t n)
{
	struct trickle *t = ctx;
	if (t->pos == t->n)
		return 0;
	buf[0] = t->p[t->pos++];
	return 1;
}

static void gzip_trickle(void **state)
{
	uint8_t plain[5000], packed[6000], out[8000];
	for (size_t i = 0; i < sizeof plain; i++)
		plain[i] = (uint8_t)(i * 7 + i / 100);
	z_stream z = { 0 };
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = plain;
	z.avail_in = sizeof plain;
	z.next_out = packed;
	z.avail_out = sizeof packed;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t packed_len = sizeof packed - z.avail_out;
	deflateEnd(&z);

	char err[256] = "";
	for (int cut = 0; cut < 2; cut++) {
		struct trickle t = { packed, packed_len - (cut ? 5 : 0), 0 };
		struct decompressor *d = decompress_open(COMPRESSION_GZIP, one_byte, &t);
		assert_non_null(d);
		size_t got = 0;
		ssize_t n;
		while ((n = decompress_read(d, out + got, 7, err, sizeof err)) > 0)
			got += (size_t)n;
		if (!cut) {
			assert_int_equal(n, 0);
			assert_int_equal(got, sizeof plain);
			assert_memory_equal(out, plain, sizeof plain);
		} else {
			assert_int_equal(n, -1); /* the trailer is cut: truncated */
			assert_string_equal(err, "gzip data ends early (the file is truncated)");
			assert_int_equal(decompress_read(d, out, 7, err, sizeof err), -1);
		}
		decompress_close(d);
	}
}

static void read_all(struct capture *c, size_t *packets, int *errors)
{
	char err[CAPTURE_ERRLEN];
	int64_t ts;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint64_t last = 0, done, total;
	int rc;
	while ((rc = capture_next(c, &ts, &data, &caplen, &wirelen, err)) != -2) {
		if (rc == 1)
			(*packets)++;
		else if (rc == -1)
			(*errors)++;
		assert_true(capture_progress(c, &done, &total));
		assert_true(done >= last && done <= total);
		last = done;
	}
	assert_true(capture_progress(c, &done, &total));
	assert_true(done == total);
}

static int notes;
static char last_note[CAPTURE_ERRLEN + 256];
static void note(void *ctx, const char *line)
{
	notes++;
	snprintf(last_note, sizeof last_note, "%s", line);
}

static void inputs_in_turn(void **state)
{
	char dir[] = "/tmp/pdnslog-unit-XXXXXX", gz[64], bad[64];
	assert_non_null(mkdtemp(dir));
	snprintf(gz, sizeof gz, "%s/dns.pcap.gz", dir);
	snprintf(bad, sizeof bad, "%s/bad.pcap", dir);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "gzip -c %s >%s && echo not a capture >%s", DNS_PCAP, gz, bad);
	assert_int_equal(system(cmd), 0);

	const char *paths[] = { DNS_PCAP, bad, gz };
	struct capture c;
	char err[CAPTURE_ERRLEN];
	struct capture_hooks hooks = { .note = note };
	assert_int_equal(capture_open_files(&c, paths, 3, &hooks, false, err), 0);
	size_t index, count;
	capture_current_name(&c, &index, &count);
	assert_int_equal(count, 3);
	size_t packets = 0;
	int errors = 0;
	read_all(&c, &packets, &errors);
	assert_int_equal(packets, 2 * 133); /* no filter installed: every frame */
	assert_int_equal(errors, 1);        /* bad.pcap */
	assert_int_equal(notes, 1);         /* the third starts before the first ended */
	assert_non_null(strstr(last_note, "dns.pcap.gz: starts (2016-10-20T15:23:01.075993Z) before "));
	assert_string_equal(capture_current_name(&c, &index, &count), gz);
	assert_int_equal(index, 3);
	capture_close(&c);

	/* A missing file fails at once. */
	const char *missing[] = { DNS_PCAP, "/nonexistent/x.pcap" };
	assert_int_equal(capture_open_files(&c, missing, 2, NULL, false, err), -1);
	assert_string_equal(err, "/nonexistent/x.pcap: No such file or directory");
	/* Standard input twice. */
	const char *twice[] = { "-", "-" };
	assert_int_equal(capture_open_files(&c, twice, 2, NULL, false, err), -1);

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static int idle_calls;
static bool stop_third(void *ctx)
{
	return ++idle_calls >= 3;
}

/* A pipe that stays quiet after the file header: the idle hook is called
 * every CAPTURE_POLL_MS, and when it asks to stop the input just ends. */
static void idle_stops_a_quiet_pipe(void **state)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	static const uint8_t header[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
					    0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	assert_int_equal(write(fds[1], header, sizeof header), (ssize_t)sizeof header);
	int saved = dup(0);
	assert_int_equal(dup2(fds[0], 0), 0);
	close(fds[0]);
	const char *paths[] = { "-" };
	struct capture_hooks hooks = { .idle = stop_third };
	struct capture c;
	char err[CAPTURE_ERRLEN];
	assert_int_equal(capture_open_files(&c, paths, 1, &hooks, false, err), 0);
	uint64_t done, total;
	assert_false(capture_progress(&c, &done, &total)); /* standard input */
	int64_t ts;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	assert_int_equal(capture_next(&c, &ts, &data, &caplen, &wirelen, err), -2);
	assert_int_equal(idle_calls, 3);
	assert_int_equal(c.linktype, 1);
	capture_close(&c);
	dup2(saved, 0);
	close(saved);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect),
		cmocka_unit_test(gzip_trickle),
		cmocka_unit_test(inputs_in_turn),
		cmocka_unit_test(idle_stops_a_quiet_pipe),
	};
	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
