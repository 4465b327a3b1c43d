/* Unit tests: what gopassivedns's last flags become in pdnslog's options
 * (-kafka_avro, -kafka_avro_schema, -kafka_flush_freq, -assembly_debug_log,
 * -assembly_memuse_log) and its -statsd_interval default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"

static char err[1024];

/* options_load on "pdnslog -pcap x.pcap ARGS...", no PDNS_* around. */
static int load(struct options *o, const char *const *args)
{
	char *argv[32] = { "pdnslog", "-pcap", "x.pcap" };
	int argc = 3;
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return options_load(o, argc, argv, err, sizeof err);
}

static void defaults(void **state)
{
	static struct options o;
	const char *none[] = { NULL };
	assert_int_equal(load(&o, none), 0);
	assert_int_equal(o.statsd_interval, 5); /* gopassivedns's */
	assert_false(o.kafka_avro);
	assert_false(o.assembly_debug_log);
	assert_false(o.assembly_memuse_log);
	assert_int_equal(o.kafka_opts.n, 0);
}

static void avro_flags(void **state)
{
	static struct options o;
	const char *gp[] = { "-kafka_topic", "t", "-kafka_avro", NULL };
	assert_int_equal(load(&o, gp), 0);
	assert_true(o.kafka_avro);
	assert_int_equal(o.kafka_avro_schema, AVRO_RECORD_GOPASSIVEDNS);
	const char *pd[] = { "-kafka_topic", "t", "-kafka_avro=true", "-kafka_avro_schema", "pdnslog", NULL };
	assert_int_equal(load(&o, pd), 0);
	assert_int_equal(o.kafka_avro_schema, AVRO_RECORD_PDNSLOG);
	const char *json[] = { "-kafka_topic", "t", "-kafka_avro", "-format", "json", NULL };
	assert_int_equal(load(&o, json), -1);
	assert_non_null(strstr(err, "-kafka_avro"));
	const char *alone[] = { "-kafka_avro_schema", "pdnslog", NULL };
	assert_int_equal(load(&o, alone), -1);
	assert_non_null(strstr(err, "-kafka_avro_schema needs -kafka_avro"));
}

/* -kafka_flush_freq: linger.ms, before the -kafka_opt properties. */
static void flush_freq(void **state)
{
	static struct options o;
	const char *a[] = { "-kafka_brokers", "k:9092", "-kafka_flush_freq", "1000", "-kafka_opt", "acks=1", NULL };
	assert_int_equal(load(&o, a), 0);
	assert_int_equal(o.kafka_opts.n, 2);
	assert_string_equal(o.kafka_opts.v[0], "linger.ms=1000");
	assert_string_equal(o.kafka_opts.v[1], "acks=1");
	const char *nokafka[] = { "-kafka_flush_freq", "1000", NULL };
	assert_int_equal(load(&o, nokafka), 0); /* gopassivedns's default config: no Kafka, no error */
	assert_int_equal(o.kafka_opts.n, 0);
	const char *big[] = { "-kafka_topic", "t", "-kafka_flush_freq", "900001", NULL };
	assert_int_equal(load(&o, big), -1);
}

static void assembly_flags(void **state)
{
	static struct options o;
	const char *a[] = { "-assembly_debug_log", "-assembly_memuse_log=true", NULL };
	assert_int_equal(load(&o, a), 0);
	assert_true(o.assembly_debug_log);
	assert_true(o.assembly_memuse_log);
}

int main(void)
{
	for (char **e = environ; *e;) /* nothing from the environment */
		if (strncmp(*e, "PDNS_", 5) == 0) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)strcspn(*e, "="), *e);
			unsetenv(name);
		} else {
			e++;
		}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(avro_flags),
		cmocka_unit_test(flush_freq),
		cmocka_unit_test(assembly_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
