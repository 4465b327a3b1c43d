/* fuzz_dns: libFuzzer target for the DNS message parser and both formats.
 *
 * The input is one DNS message.  It is parsed, its TTLs normalised, and
 * written in the flat and json formats as a response alone and as both sides
 * of an exchange; every record must come out as one line of valid UTF-8
 * without raw control characters (names and rdata are escaped to ASCII; free
 * text such as an EDE's EXTRA-TEXT may hold UTF-8). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/message.h"
#include "format/record.h"

static void check_output(const struct strbuf *sb)
{
	const unsigned char *p = (const unsigned char *)sb->p;
	for (size_t i = 0; i < sb->len;) {
		unsigned char c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\n')
				abort();
			i++;
			continue;
		}
		size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (n == 0 || c > 0xF4 || i + n > sb->len)
			abort();
		for (size_t k = 1; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				abort();
		i += n;
	}
	if (sb->len && sb->p[sb->len - 1] != '\n')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_rr *rrs;
	static struct stats stats;
	static struct format_ctx fmt = { .sensor = "fuzz", .stats = &stats };
	static struct strbuf out;
	if (!rrs)
		rrs = malloc(sizeof *rrs * DNS_MAX_RRS);
	if (size > DNS_MSG_MAX)
		return 0;

	struct dns_msg m;
	dns_msg_parse(&m, data, size, rrs, DNS_MAX_RRS);
	struct flow_key key = { .family = 6, .proto = 17, .cport = 5353, .sport = 53, .id = m.id };
	struct leg leg = { .wire = data, .len = size, .ts_ns = 1700000000123456789LL, .ts_digits = 9 };
	struct exchange alone = { .key = &key, .rleg = &leg, .response = &m, .status = ST_RESPONSE_ONLY };
	struct exchange both = { .key = &key, .qleg = &leg, .rleg = &leg, .query = &m, .response = &m,
				 .status = ST_ANSWERED };
	strbuf_reset(&out);
	format_flat(&fmt, &out, &alone);
	format_json(&fmt, &out, &alone);
	format_flat(&fmt, &out, &both);
	format_json(&fmt, &out, &both);
	check_output(&out);
	return 0;
}
