/* Unit tests: message parsing, malformed messages parsed as far as they go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dns/message.h"

static struct dns_rr rrs[DNS_MAX_RRS];

/* Response to "example.com A": one A record with a compressed owner, an OPT
 * with extended rcode bits 1 (BADVERS = 16 when the header says 0). */
static const uint8_t response[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	0xC0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1,
	0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, 0,
};

static void well_formed(void **state)
{
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, response, sizeof response, rrs, DNS_MAX_RRS), DNS_OK);
	assert_int_equal(m.id, 0x1234);
	assert_true(dns_qr(&m));
	assert_true(dns_rd(&m));
	assert_true(dns_ra(&m));
	assert_false(dns_aa(&m));
	assert_int_equal(m.nrrs, 3);
	assert_int_equal(m.parsed[0], 1);
	assert_int_equal(m.parsed[1], 1);
	assert_int_equal(m.parsed[3], 1);
	assert_int_equal(m.rrs[1].type, 1);
	assert_int_equal(m.rrs[1].ttl, 3600);
	assert_int_equal(m.rrs[1].rdlen, 4);
	assert_int_equal(m.opt, 2);
	assert_int_equal(m.edns_udp, 1232);
	assert_int_equal(m.edns_flags, 0x8000);
	assert_int_equal(dns_rcode(&m), 16); /* BADVERS: 1 << 4 | 0 */
	assert_int_equal(m.trailing, 0);
}

static void truncated_everywhere(void **state)
{
	/* Every prefix parses without reading past its end, and stops with an error. */
	for (size_t len = 0; len < sizeof response; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, response, len);
		struct dns_msg m;
		int rc = dns_msg_parse(&m, copy, len, rrs, DNS_MAX_RRS);
		assert_true(rc < 0);
		if (len >= 29)
			assert_int_equal(m.parsed[0], 1); /* the question survives */
		free(copy);
	}
}

static void rdlength_past_end(void **state)
{
	uint8_t bad[sizeof response];
	memcpy(bad, response, sizeof bad);
	bad[39] = 0x40; /* A record's rdlength 0x0040 */
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, bad, sizeof bad, rrs, DNS_MAX_RRS), DNS_ERDLEN);
	assert_int_equal(m.parsed[0], 1);
	assert_int_equal(m.parsed[1], 0);
}

static void counts_larger_than_message(void **state)
{
	uint8_t bad[sizeof response];
	memcpy(bad, response, sizeof bad);
	bad[6] = 0xFF; /* ancount 65281 */
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, bad, sizeof bad, rrs, DNS_MAX_RRS), DNS_ECOUNT);
	assert_int_equal(m.parsed[1], 2); /* the A and the OPT, read as answers */
	/* 65535 questions in a header-only message. */
	uint8_t hdr[12] = { 0, 1, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(dns_msg_parse(&m, hdr, sizeof hdr, rrs, DNS_MAX_RRS), DNS_ECOUNT);
	assert_int_equal(m.nrrs, 0);
}

static void empty_and_short(void **state)
{
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, response, 0, rrs, DNS_MAX_RRS), DNS_ESHORT);
	assert_int_equal(dns_msg_parse(&m, response, 11, rrs, DNS_MAX_RRS), DNS_ESHORT);
	assert_int_equal(m.nrrs, 0);
}

static void trailing_bytes(void **state)
{
	uint8_t padded[sizeof response + 5];
	memcpy(padded, response, sizeof response);
	memset(padded + sizeof response, 0, 5);
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, padded, sizeof padded, rrs, DNS_MAX_RRS), DNS_OK);
	assert_int_equal(m.trailing, 5);
}

static void opt_in_answer_is_flagged(void **state)
{
	uint8_t bad[sizeof response];
	memcpy(bad, response, sizeof bad);
	bad[7] = 2;  /* ancount 2 */
	bad[11] = 0; /* arcount 0: the OPT is now an answer */
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, bad, sizeof bad, rrs, DNS_MAX_RRS), DNS_EOPT);
	assert_int_equal(m.opt, -1);
	assert_int_equal(m.parsed[1], 2);
}

static void most_records_fit(void **state)
{
	/* The largest message of minimal records: 65535 bytes of root-owned
	 * empty records fits in DNS_MAX_RRS entries. */
	size_t n = (DNS_MSG_MAX - 12) / 11;
	size_t len = 12 + n * 11;
	uint8_t *msg = calloc(1, len);
	msg[2] = 0x80;
	msg[6] = (uint8_t)(n >> 8);
	msg[7] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *r = msg + 12 + i * 11;
		r[2] = 1;  /* type A */
		r[4] = 1;  /* class IN */
	}
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, msg, len, rrs, DNS_MAX_RRS), DNS_OK);
	assert_int_equal(m.parsed[1], n);
	free(msg);
}

static void ttls_as_sent(void **state)
{
	/* Three A records of one RRset (owner "a", then two pointers to it with
	 * different case) with TTLs 300, 0x80000001 and 100, and one of another
	 * set (owner "b") with 0xFFFFFFFF: a witness reports each TTL as it was
	 * on the wire, neither RFC 2181's lowest of the set nor the top bit as 0. */
	static const uint8_t msg[] = {
		0, 1, 0x81, 0x80, 0, 0, 0, 4, 0, 0, 0, 0,
		1, 'a', 0, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 1, 1, 1, 1,
		0xC0, 12, 0, 1, 0, 1, 0x80, 0, 0, 1, 0, 4, 1, 1, 1, 2,
		1, 'A', 0, 0, 1, 0, 1, 0, 0, 0, 100, 0, 4, 1, 1, 1, 3,
		1, 'b', 0, 0, 1, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 4, 1, 1, 1, 4,
	};
	struct dns_msg m;
	assert_int_equal(dns_msg_parse(&m, msg, sizeof msg, rrs, DNS_MAX_RRS), DNS_OK);
	assert_int_equal(m.rrs[0].ttl, 300);
	assert_int_equal(m.rrs[1].ttl, 0x80000001u);
	assert_int_equal(m.rrs[2].ttl, 100);
	assert_int_equal(m.rrs[3].ttl, 0xFFFFFFFFu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(well_formed),
		cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(rdlength_past_end),
		cmocka_unit_test(counts_larger_than_message),
		cmocka_unit_test(empty_and_short),
		cmocka_unit_test(trailing_bytes),
		cmocka_unit_test(opt_in_answer_is_flagged),
		cmocka_unit_test(most_records_fit),
		cmocka_unit_test(ttls_as_sent),
	};
	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
