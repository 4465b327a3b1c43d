/* win32/kafka_none: the Windows build has no Kafka and no Avro (librdkafka
 * and avro-c are not built for Windows here): stand-ins for sink/kafka.c
 * and format/avro.c.  -kafka_brokers and -kafka_topic are refused before
 * anything starts (features.c), so none of these is called with a sink;
 * the parsers take the values the flag checks run at startup. */
#include <stdio.h>
#include <string.h>

#include "format/avro.h"
#include "sink/kafka.h"

struct kafka_sink *kafka_open(const struct kafka_config *cfg, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog has no Kafka support");
	return NULL;
}

struct kafka_batch *kafka_batch_new(void)
{
	return NULL;
}

void kafka_batch_done(struct kafka_sink *k, struct kafka_batch *b, uint64_t missed)
{
}

void kafka_produce(struct kafka_sink *k, struct kafka_batch *b, const char *key, size_t keylen,
		   const char *value, size_t len)
{
}

void kafka_produce_stats(struct kafka_sink *k, const char *value, size_t len)
{
}

void kafka_get_counters(const struct kafka_sink *k, struct kafka_counters *c)
{
	memset(c, 0, sizeof *c);
}

void kafka_close(struct kafka_sink *k, int64_t timeout_ns, struct kafka_counters *final)
{
	memset(final, 0, sizeof *final);
}

bool kafka_key_parse(const char *s, enum kafka_key *key)
{
	static const char *const names[] = { "client", "server", "qname", "none" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*key = (enum kafka_key)i;
			return true;
		}
	return false;
}

bool avro_record_schema_parse(const char *name, enum avro_record_schema *out)
{
	*out = strcmp(name, "pdnslog") == 0 ? AVRO_RECORD_PDNSLOG : AVRO_RECORD_GOPASSIVEDNS;
	return strcmp(name, "pdnslog") == 0 || strcmp(name, "gopassivedns") == 0;
}

struct avro_enc *avro_enc_new(enum avro_record_schema which, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build of pdnslog has no Avro support");
	return NULL;
}

void avro_enc_free(struct avro_enc *e)
{
}

size_t avro_enc_exchange(struct avro_enc *e, struct format_ctx *f, const struct exchange *x,
			 avro_message_fn emit, void *ctx)
{
	return 0;
}
