/* fuzz_cofline: libFuzzer target for the COF line parser (pdns/cofline.c),
 * which reads lines from other machines (-kafka_consume).
 *
 * The input is one line.  When it parses, the fact must hold what the
 * parser promises (NUL-terminated strings inside the scratch, valid UTF-8,
 * time_first <= time_last), and writing it with cof_line_write and parsing
 * that again must give the same fact back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdns/cofline.h"

#define MAX_LINE 70000

static void check_string(const char *s, const char *scratch, size_t cap)
{
	if (!s)
		return;
	if (s < scratch || s >= scratch + cap)
		abort();
	size_t n = strnlen(s, (size_t)(scratch + cap - s));
	if (s + n == scratch + cap)
		abort(); /* no NUL inside the scratch */
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (len == 0 || c > 0xF4 || i + len > n)
			abort();
		for (size_t k = 1; k < len; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				abort();
		i += len;
	}
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char scratch[MAX_LINE + 4];
	static struct strbuf sb;
	char err[256];
	if (size > MAX_LINE)
		return 0;
	/* The line in a buffer of its own size: ASan sees a read past it. */
	char *line = malloc(size ? size : 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	struct pdns_fact f;
	/* The scratch the header promises is enough: the line's length + 4. */
	int rc = cof_line_parse(line, size, &f, scratch, size + 4, err, sizeof err);
	if (rc == 0) {
		check_string(f.rrname, scratch, size + 4);
		check_string(f.rdata, scratch, size + 4);
		check_string(f.bailiwick, scratch, size + 4);
		check_string(f.sensor_id, scratch, size + 4);
		if (!f.rrname || !f.rdata || f.time_first > f.time_last || f.time_first < 0)
			abort();
		strbuf_reset(&sb);
		cof_line_write(&sb, &f);
		/* 0x7F and control bytes come back as \u00XX: the line written
		 * may be longer than the one read. */
		struct pdns_fact g;
		char *scratch2 = malloc(sb.len + 4);
		if (!scratch2 || sb.overflow ||
		    cof_line_parse(sb.p, sb.len, &g, scratch2, sb.len + 4, err, sizeof err) != 0)
			abort();
		if (!same(f.rrname, g.rrname) || !same(f.rdata, g.rdata) || !same(f.bailiwick, g.bailiwick) ||
		    !same(f.sensor_id, g.sensor_id) || f.rrtype != g.rrtype || f.time_first != g.time_first ||
		    f.time_last != g.time_last || f.count != g.count)
			abort();
		free(scratch2);
	} else if (!memchr(err, 0, sizeof err) || !err[0]) {
		abort(); /* every refusal says why */
	}
	free(line);
	return 0;
}
