/* Unit tests: the object pool and the keyed hash the flow tables share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/ipfmt.h"
#include "util/keyhash.h"
#include "util/pool.h"
#include "util/strbuf.h"

static void pool_recycles(void **state)
{
	struct pool p;
	pool_init(&p, 40, 4);
	void *objs[10];
	for (int i = 0; i < 10; i++) {
		objs[i] = pool_get(&p);
		assert_non_null(objs[i]);
		memset(objs[i], 0xAB, 40); /* the whole object is usable */
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
		assert_int_equal((uintptr_t)objs[i] % _Alignof(max_align_t), 0);
	}
	pool_put(&p, objs[3]);
	assert_ptr_equal(pool_get(&p), objs[3]); /* the freed one comes back first */
	pool_destroy(&p);
}

static void keyhash_keyed_and_spread(void **state)
{
	struct keyhash a, b;
	keyhash_init(&a);
	keyhash_init(&b);
	uint64_t key[5] = { 1, 2, 3, 4, 5 };
	assert_true(keyhash(&a, key, sizeof key) == keyhash(&a, key, sizeof key));
	assert_true(keyhash(&a, key, sizeof key) != keyhash(&b, key, sizeof key));
	/* Keys differing in one bit land in 1024 buckets about evenly. */
	unsigned counts[1024] = { 0 };
	for (uint64_t i = 0; i < 65536; i++) {
		key[4] = i;
		counts[keyhash(&a, key, sizeof key) & 1023]++;
	}
	for (int i = 0; i < 1024; i++)
		assert_true(counts[i] > 20 && counts[i] < 120);
}

/* The address printers against glibc's inet_ntop, on edge cases and random
 * addresses with many zero words. */
static void ip_text_matches_inet_ntop(void **state)
{
	static const char *const cases[] = {
		"::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4",
		"2001:db8::1", "2001:db8:0:1:1:1:1:1", "fe80::1:2", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
		"0:0:1::", "::ffff:0:1.2.3.4", "1::ffff:1.2.3.4",
	};
	struct strbuf sb;
	strbuf_init(&sb);
	char want[INET6_ADDRSTRLEN];
	uint8_t a[16];
	srand(7);
	for (int i = 0; i < 20000; i++) {
		if (i < (int)(sizeof cases / sizeof cases[0])) {
			assert_int_equal(inet_pton(AF_INET6, cases[i], a), 1);
		} else {
			for (int k = 0; k < 16; k += 2) {
				int r = rand() % 4;
				a[k] = r == 0 ? (uint8_t)rand() : 0;
				a[k + 1] = r <= 1 ? (uint8_t)rand() : 0;
			}
		}
		strbuf_reset(&sb);
		strbuf_put_ipv6(&sb, a);
		strbuf_putc(&sb, 0);
		inet_ntop(AF_INET6, a, want, sizeof want);
		assert_string_equal(sb.p, want);
		strbuf_reset(&sb);
		strbuf_put_ipv4(&sb, a);
		strbuf_putc(&sb, 0);
		inet_ntop(AF_INET, a, want, sizeof want);
		assert_string_equal(sb.p, want);
	}
	strbuf_free(&sb);
}

static void numbers_match_printf(void **state)
{
	struct strbuf sb;
	strbuf_init(&sb);
	char want[32];
	uint64_t v = 0;
	for (int i = 0; i < 200000; i++) {
		v = i < 1000 ? (uint64_t)i : i < 1100 ? UINT64_MAX - (uint64_t)(i - 1000)
			: v * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t shown = i >= 1100 ? v >> (i % 64) : v;
		strbuf_reset(&sb);
		strbuf_put_u64(&sb, shown);
		strbuf_putc(&sb, 0);
		snprintf(want, sizeof want, "%llu", (unsigned long long)shown);
		assert_string_equal(sb.p, want);
	}
	/* Each side of every power of ten and of the 32-bit limit. */
	uint64_t edges[64];
	size_t nedges = 0;
	for (uint64_t p = 1; p <= 1000000000000000000ULL; p *= 10) {
		edges[nedges++] = p - 1;
		edges[nedges++] = p;
	}
	edges[nedges++] = UINT32_MAX;
	edges[nedges++] = (uint64_t)UINT32_MAX + 1;
	for (size_t i = 0; i < nedges; i++) {
		strbuf_reset(&sb);
		strbuf_put_u64(&sb, edges[i]);
		strbuf_putc(&sb, 0);
		snprintf(want, sizeof want, "%llu", (unsigned long long)edges[i]);
		assert_string_equal(sb.p, want);
	}
	strbuf_reset(&sb);
	strbuf_put_i64(&sb, INT64_MIN);
	strbuf_putc(&sb, 0);
	assert_string_equal(sb.p, "-9223372036854775808");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pool_recycles),
		cmocka_unit_test(keyhash_keyed_and_spread),
		cmocka_unit_test(ip_text_matches_inet_ntop),
		cmocka_unit_test(numbers_match_printf),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
