/* kafkaconf: pdnslog's defaults, then -kafka_opt, into a librdkafka
 * configuration (see kafkaconf.h). */
#include "sink/kafkaconf.h"

#include <stdio.h>
#include <string.h>

static int set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err, size_t errlen)
{
	char why[512];
	if (rd_kafka_conf_set(conf, name, value, why, sizeof why) == RD_KAFKA_CONF_OK)
		return 0;
	snprintf(err, errlen, "kafka: %s", why);
	return -1;
}

rd_kafka_conf_t *kafka_conf_make(const char *const (*defaults)[2], size_t ndefaults,
				 const char *const *opts, size_t nopts, const char *skip,
				 char *err, size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	for (size_t i = 0; i < ndefaults; i++)
		if (set(conf, defaults[i][0], defaults[i][1], err, errlen) < 0)
			goto fail;
	for (size_t i = 0; i < nopts; i++) {
		const char *opt = opts[i], *eq = strchr(opt, '=');
		char name[256];
		if (!eq || eq == opt || (size_t)(eq - opt) >= sizeof name) {
			snprintf(err, errlen, "-kafka_opt \"%s\": expected key=value", opt);
			goto fail;
		}
		memcpy(name, opt, (size_t)(eq - opt));
		name[eq - opt] = 0;
		if (skip && strcmp(name, skip) == 0)
			continue;
		if (set(conf, name, eq + 1, err, errlen) < 0)
			goto fail;
	}
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}
