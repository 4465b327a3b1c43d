/* kafkaconf: a librdkafka configuration from pdnslog's defaults and the
 * user's -kafka_opt properties, shared by the producer (kafka.c) and the
 * store's consumer (pdns/consume.c) so both read -kafka_opt the same way. */
#ifndef PDNSLOG_KAFKACONF_H
#define PDNSLOG_KAFKACONF_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

/* A new configuration holding defaults[0..ndefaults) and then each
 * "key=value" of opts (applied last, so they can change any default),
 * leaving out the property named skip (NULL: none).  NULL with the reason
 * in err for a malformed option or a property librdkafka refuses. */
rd_kafka_conf_t *kafka_conf_make(const char *const (*defaults)[2], size_t ndefaults,
				 const char *const *opts, size_t nopts, const char *skip,
				 char *err, size_t errlen);

#endif
