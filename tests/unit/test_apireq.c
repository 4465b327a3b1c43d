/* Unit tests: the HTTP API's request checks (pdns/apireq.c): paths,
 * percent-encoding, UTF-8, names in the store's spelling, wildcards, the
 * parameters and their ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "pdns/api.h"
#include "pdns/apireq.h"

static struct api_request r;
static char err[600];

static int path(const char *p)
{
	err[0] = 0;
	return api_request_path(&r, p, 2, err, sizeof err);
}

static void names(void **state)
{
	assert_int_equal(path("/query/www.example.com"), 0);
	assert_string_equal(r.q.name, "www.example.com");
	assert_null(r.q.rdata);
	assert_true(r.q.limit == PDNS_API_DEFAULT_LIMIT);
	/* The store's spelling: lower case, no final dot, escapes as printed. */
	assert_int_equal(path("/query/WWW.Example.COM."), 0);
	assert_string_equal(r.q.name, "www.example.com");
	assert_int_equal(path("/query/a%20b.example"), 0);
	assert_string_equal(r.q.name, "a\\032b.example");
	assert_int_equal(path("/query/caf%C3%A9.example"), 0);
	assert_string_equal(r.q.name, "caf\\195\\169.example");
	assert_int_equal(path("/query/%5C065.example"), 0); /* \065 is 'A' */
	assert_string_equal(r.q.name, "a.example");
	assert_int_equal(path("/query/a%5C.b.example"), 0); /* an escaped dot stays one label */
	assert_string_equal(r.q.name, "a\\.b.example");
	assert_int_equal(path("/query/."), 0);
	assert_string_equal(r.q.name, ".");
	/* Wildcards: a suffix of two labels at least (the flag's default). */
	assert_int_equal(path("/query/*.Example.com"), 0);
	assert_string_equal(r.q.name, "*.example.com");
	assert_int_equal(path("/query/*.com"), 400);
	assert_non_null(strstr(err, "at least 2 labels"));
	assert_int_equal(api_request_path(&r, "/query/*.com", 1, err, sizeof err), 0);
	assert_string_equal(r.q.name, "*.com");
	assert_int_equal(path("/query/*"), 400);
	assert_int_equal(path("/query/*."), 400);
	assert_int_equal(path("/query/*.."), 400);
	assert_int_equal(path("/query/%2A.%2E"), 400);
	/* Sizes in wire terms: 63-octet labels, 255-octet names. */
	char p[2048] = "/query/", label[64];
	memset(label, 'a', 63);
	label[63] = 0;
	strcat(p, label);
	assert_int_equal(path(p), 0);
	strcat(p, "a");
	assert_int_equal(path(p), 400);
	assert_non_null(strstr(err, "63"));
	strcpy(p, "/query/");
	for (int i = 0; i < 4; i++) /* 4 * 64 + 1 = 257 octets */
		strcat(strcat(p, label), ".");
	assert_int_equal(path(p), 400);
	assert_non_null(strstr(err, "255"));
	strcpy(p, "/query/");
	for (int i = 0; i < 3; i++)
		strcat(strcat(p, label), ".");
	strcat(p, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi"); /* 61: 253 + root */
	assert_int_equal(path(p), 0);
	strcpy(p, "/query/");
	for (int i = 0; i < 300; i++)
		strcat(p, "a.");
	assert_int_equal(path(p), 400);
	/* \DDD counts one octet. */
	strcpy(p, "/query/");
	for (int i = 0; i < 63; i++)
		strcat(p, "%5C255");
	assert_int_equal(path(p), 0);
	assert_int_equal(path("/query/a..b"), 400);
	assert_int_equal(path("/query/.a"), 400);
	assert_int_equal(path("/query/a%5C"), 400);
	assert_int_equal(path("/query/%5C25"), 400);
	assert_int_equal(path("/query/%5C256"), 400);
}

static void encoding(void **state)
{
	assert_int_equal(path("/query/a%"), 400);
	assert_int_equal(path("/query/a%2"), 400);
	assert_int_equal(path("/query/a%zz"), 400);
	assert_non_null(strstr(err, "percent"));
	assert_int_equal(path("/query/a%00b"), 400);
	assert_non_null(strstr(err, "NUL"));
	assert_int_equal(path("/query/a%01b"), 400);
	assert_int_equal(path("/query/a%7Fb"), 400);
	assert_int_equal(path("/query/a%C2%85b"), 400);  /* C1 control NEL */
	assert_int_equal(path("/query/%FF"), 400);
	assert_non_null(strstr(err, "UTF-8"));
	assert_int_equal(path("/query/%C0%80"), 400);    /* overlong NUL */
	assert_int_equal(path("/query/%E0%80%AF"), 400); /* overlong '/' */
	assert_int_equal(path("/query/%ED%A0%80"), 400); /* a surrogate */
	assert_int_equal(path("/query/%F4%90%80%80"), 400); /* past U+10FFFF */
	assert_int_equal(path("/query/%E2%82"), 400);    /* cut short */
	assert_int_equal(path("/query/%F0%9F%98%80.example"), 0);
	assert_int_equal(path("/query/"), 400);
	assert_int_equal(path("/rdata/"), 400);
	assert_int_equal(path("/"), 404);
	assert_int_equal(path("/queryx/a"), 404);
	assert_int_equal(path("/QUERY/a"), 404);
}

static void rdata(void **state)
{
	assert_int_equal(path("/rdata/192.0.2.1"), 0);
	assert_string_equal(r.q.rdata, "192.0.2.1");
	assert_null(r.q.name);
	assert_int_equal(path("/rdata/2001:DB8:0:0::1"), 0);
	assert_string_equal(r.q.rdata, "2001:db8::1");
	assert_int_equal(path("/rdata/www.example.com."), 0);
	assert_string_equal(r.q.rdata, "www.example.com");
	assert_int_equal(path("/rdata/10%20mail.example.com"), 0);
	assert_string_equal(r.q.rdata, "10 mail.example.com");
	/* CIRCL: an address given to /query/ is looked up in the rdata. */
	assert_int_equal(path("/query/192.0.2.1"), 0);
	assert_string_equal(r.q.rdata, "192.0.2.1");
	assert_null(r.q.name);
	assert_int_equal(path("/query/::ffff:192.0.2.1"), 0);
	assert_string_equal(r.q.rdata, "::ffff:192.0.2.1");
}

static int param(const char *k, const char *v)
{
	err[0] = 0;
	return api_request_param(&r, k, v, err, sizeof err);
}

static void params(void **state)
{
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("rrtype", "aaaa"), 0);
	assert_int_equal(r.q.rrtype, 28);
	assert_int_equal(param("rrtype", "A"), 400); /* twice */
	assert_int_equal(param("limit", "10000"), 0);
	assert_true(r.q.limit == 10000);
	assert_int_equal(param("since", "1700000000"), 0);
	assert_true(r.q.since == 1700000000);
	assert_int_equal(param("until", "2026-12-01T00:00:00Z"), 0);
	assert_true(r.q.until == 1796083200);
	assert_int_equal(api_request_finish(&r, err, sizeof err), 0);

	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("rrtype", "TYPE65"), 0);
	assert_int_equal(r.q.rrtype, 65);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("rrtype", "ANY"), 0);
	assert_int_equal(r.q.rrtype, 0);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("rrtype", "BOGUS"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("rrtype", NULL), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("limit", "0"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("limit", "10001"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("limit", "99999999999999999999999"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("limit", "-1"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("limit", "%31%30"), 0); /* percent-encoded too */
	assert_true(r.q.limit == 10);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("since", "-5"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("since", "yesterday"), 400);
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("bogus", "1"), 400);
	assert_non_null(strstr(err, "unknown parameter \"bogus\""));
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("x\x01y", "1"), 400);
	assert_null(strchr(err, '\x01')); /* never echoed raw */
	assert_int_equal(path("/query/example.com"), 0);
	assert_int_equal(param("since", "200"), 0);
	assert_int_equal(param("until", "100"), 0);
	assert_int_equal(api_request_finish(&r, err, sizeof err), 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(encoding),
		cmocka_unit_test(rdata),
		cmocka_unit_test(params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
