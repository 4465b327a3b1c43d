/* Unit tests: name decompression against the three safety rules, and presentation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "dns/name.h"
#include "format/jsonw.h"

static int unpack(const uint8_t *msg, size_t len, size_t pos, char *text, size_t *next)
{
	uint8_t name[DNS_NAME_MAX];
	int n = dns_name_unpack(msg, len, pos, name, next);
	if (n > 0 && text) {
		struct strbuf sb;
		strbuf_init(&sb);
		dns_name_print(&sb, name);
		memcpy(text, sb.p, sb.len);
		text[sb.len] = 0;
		strbuf_free(&sb);
	}
	return n;
}

static void plain_name(void **state)
{
	const uint8_t msg[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	char text[1100];
	size_t next;
	assert_int_equal(unpack(msg, sizeof msg, 0, text, &next), 17);
	assert_string_equal(text, "www.example.com");
	assert_int_equal(next, 17);
}

static void root_name(void **state)
{
	const uint8_t msg[] = { 0 };
	char text[16];
	size_t next;
	assert_int_equal(unpack(msg, 1, 0, text, &next), 1);
	assert_string_equal(text, ".");
	assert_int_equal(next, 1);
}

static void backward_pointer(void **state)
{
	/* "example.com" at 0, then "www" + pointer to 0 at 13. */
	const uint8_t msg[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
				3, 'w', 'w', 'w', 0xC0, 0 };
	char text[1100];
	size_t next;
	assert_int_equal(unpack(msg, sizeof msg, 13, text, &next), 17);
	assert_string_equal(text, "www.example.com");
	assert_int_equal(next, sizeof msg); /* just past the pointer */
}

static void self_pointer(void **state)
{
	const uint8_t msg[] = { 0, 0, 0xC0, 2 };
	assert_int_equal(unpack(msg, sizeof msg, 2, NULL, NULL), DNS_EPOINTER);
}

static void forward_pointer(void **state)
{
	const uint8_t msg[] = { 0xC0, 2, 1, 'a', 0 };
	assert_int_equal(unpack(msg, sizeof msg, 0, NULL, NULL), DNS_EPOINTER);
}

static void pointer_loop(void **state)
{
	/* 0: label "a", then pointer back to 0: a.a.a.a... must stop. */
	const uint8_t msg[] = { 1, 'a', 0xC0, 0 };
	int n = unpack(msg, sizeof msg, 2, NULL, NULL);
	assert_true(n == DNS_EPOINTER || n == DNS_ENAMELEN);
	/* Two pointers pointing at each other. */
	const uint8_t loop2[] = { 0xC0, 2, 0xC0, 0 };
	assert_int_equal(unpack(loop2, sizeof loop2, 2, NULL, NULL), DNS_EPOINTER);
}

static void pointer_past_end(void **state)
{
	const uint8_t msg[] = { 0, 0, 0, 0, 0xC0 };
	assert_int_equal(unpack(msg, sizeof msg, 4, NULL, NULL), DNS_ESHORT);
	const uint8_t msg2[] = { 5, 'a', 'b' };
	assert_int_equal(unpack(msg2, sizeof msg2, 0, NULL, NULL), DNS_ESHORT);
	const uint8_t msg3[] = { 1, 'a' }; /* no terminating label */
	assert_int_equal(unpack(msg3, sizeof msg3, 0, NULL, NULL), DNS_ESHORT);
}

static void label_too_long(void **state)
{
	uint8_t msg[70] = { 64 };
	memset(msg + 1, 'a', 64);
	assert_int_equal(unpack(msg, 66, 0, NULL, NULL), DNS_ELABEL);
	uint8_t ext[] = { 0x40, 0 }; /* extended label type 01 */
	assert_int_equal(unpack(ext, sizeof ext, 0, NULL, NULL), DNS_ELABEL);
}

static void name_limits(void **state)
{
	/* 4 labels of 63 = 256 bytes with length octets, +1 root = 257: too long. */
	uint8_t msg[300];
	size_t o = 0;
	for (int i = 0; i < 4; i++) {
		msg[o++] = 63;
		memset(msg + o, 'x', 63);
		o += 63;
	}
	msg[o++] = 0;
	assert_int_equal(unpack(msg, o, 0, NULL, NULL), DNS_ENAMELEN);
	/* 3 x 63 + 61 = 253 + 1 root + 4 length octets... exactly 255 is fine. */
	o = 0;
	for (int i = 0; i < 3; i++) {
		msg[o++] = 63;
		memset(msg + o, 'x', 63);
		o += 63;
	}
	msg[o++] = 61;
	memset(msg + o, 'y', 61);
	o += 61;
	msg[o++] = 0;
	assert_int_equal(o, 255);
	assert_int_equal(unpack(msg, o, 0, NULL, NULL), 255);
}

static void escapes(void **state)
{
	const uint8_t msg[] = { 6, 'a', '.', 'b', ' ', 0x00, 0xFF, 3, '\\', '"', ';', 0 };
	char text[1100];
	assert_true(unpack(msg, sizeof msg, 0, text, NULL) > 0);
	assert_string_equal(text, "a\\.b\\032\\000\\255.\\\\\\\"\\;");
}

/* DNS_NAME_JSON writes what json_escape() makes of the presentation text,
 * for every byte a label can hold. */
static void json_text(void **state)
{
	struct strbuf plain, escaped, direct;
	strbuf_init(&plain);
	strbuf_init(&escaped);
	strbuf_init(&direct);
	for (unsigned b = 0; b < 256; b++) {
		/* "www", the label {b, 'x', b}, then a pointer back to "www" */
		const uint8_t msg[] = { 3, 'w', 'w', 'w', 0, 3, (uint8_t)b, 'x', (uint8_t)b, 0xC0, 0 };
		for (unsigned fqdn = 0; fqdn <= DNS_NAME_FQDN; fqdn++) {
			strbuf_reset(&plain);
			strbuf_reset(&escaped);
			strbuf_reset(&direct);
			assert_int_equal(dns_name_print_at(&plain, msg, sizeof msg, 5, fqdn, NULL), DNS_OK);
			json_escape(&escaped, plain.p, plain.len);
			assert_int_equal(dns_name_print_at(&direct, msg, sizeof msg, 5,
							   fqdn | DNS_NAME_JSON, NULL), DNS_OK);
			assert_int_equal(direct.len, escaped.len);
			assert_memory_equal(direct.p, escaped.p, escaped.len);
		}
	}
	/* a"b\c: presentation a\"b\\c, in a JSON string a\\\"b\\\\c */
	const uint8_t msg[] = { 5, 'a', '"', 'b', '\\', 'c', 0 };
	strbuf_reset(&direct);
	dns_name_print_at(&direct, msg, sizeof msg, 0, DNS_NAME_JSON, NULL);
	strbuf_putc(&direct, 0);
	assert_string_equal(direct.p, "a\\\\\\\"b\\\\\\\\c");
	strbuf_free(&plain);
	strbuf_free(&escaped);
	strbuf_free(&direct);
}

static void case_insensitive_equal(void **state)
{
	const uint8_t a[] = { 3, 'W', 'w', 'W', 2, 'E', 'x', 0 };
	const uint8_t b[] = { 3, 'w', 'w', 'w', 2, 'e', 'X', 0 };
	const uint8_t c[] = { 3, 'w', 'w', 'w', 0 };
	assert_true(dns_name_equal(a, b));
	assert_false(dns_name_equal(a, c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_name),
		cmocka_unit_test(root_name),
		cmocka_unit_test(backward_pointer),
		cmocka_unit_test(self_pointer),
		cmocka_unit_test(forward_pointer),
		cmocka_unit_test(pointer_loop),
		cmocka_unit_test(pointer_past_end),
		cmocka_unit_test(label_too_long),
		cmocka_unit_test(name_limits),
		cmocka_unit_test(escapes),
		cmocka_unit_test(json_text),
		cmocka_unit_test(case_insensitive_equal),
	};
	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
