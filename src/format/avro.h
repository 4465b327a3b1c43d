/* avro: the flat record in Avro, single-object encoded, for Kafka (-kafka_avro).
 *
 * Each message is the Avro single-object encoding of one flat record (one
 * answer of one exchange, exactly the records format_flat() writes, in its
 * order): the two bytes C3 01, the writer schema's CRC-64-AVRO fingerprint
 * (8 bytes, little-endian), then the record in Avro binary.  The encoding is
 * avro-c's (Debian's libavro): one generic record value per encoder, its
 * fields set for each record (strings lent, not copied), written by one
 * memory writer into a buffer that only ever grows.
 *
 * Two writer schemas, both shipped in docs/:
 *   gopassivedns  DnsLogEntry exactly as gopassivedns publishes it
 *                 (docs/gopassivedns-dnslogentry.avsc): no nulls, so what is
 *                 null in the JSON record is a number there (rcode and
 *                 elapsed -1), and status and sensor are left out;
 *   pdnslog       pdnslog's own (docs/pdnslog-record.avsc): rcode and elapsed
 *                 nullable, plus status and sensor.
 * A field's value comes from its name, its type from the schema (int or
 * long, a union with null for a nullable one), so both go through one path.
 *
 * The fingerprint is computed here: avro-c 1.11 has no Rabin fingerprint, so
 * the schema's Parsing Canonical Form is written from avro-c's parsed schema
 * and its CRC-64-AVRO taken as the Avro specification defines them. */
#ifndef PDNSLOG_AVRO_H
#define PDNSLOG_AVRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/record.h"
#include "util/strbuf.h"

enum avro_record_schema { AVRO_RECORD_GOPASSIVEDNS, AVRO_RECORD_PDNSLOG };

#define AVRO_SINGLE_OBJECT_HEADER 10 /* C3 01 and the 8-byte fingerprint */

/* -kafka_avro_schema NAME: "gopassivedns" or "pdnslog". */
bool avro_record_schema_parse(const char *name, enum avro_record_schema *out);
/* The schema's JSON text, the same bytes as its docs/ file. */
const char *avro_record_schema_json(enum avro_record_schema which);

/* CRC-64-AVRO (the Avro specification's Rabin fingerprint) of n bytes. */
uint64_t avro_crc64(const void *p, size_t n);
/* The Parsing Canonical Form of a schema given as JSON text, appended to
 * out; -1 with avro-c's message in err when it does not parse. */
int avro_canonical_form(const char *json, size_t len, struct strbuf *out, char *err, size_t errlen);

struct avro_enc;

/* An encoder for one worker (not thread-safe; one per thread).  NULL with
 * the reason in err when the schema does not parse or has a field pdnslog
 * cannot fill. */
struct avro_enc *avro_enc_new(enum avro_record_schema which, char *err, size_t errlen);
void avro_enc_free(struct avro_enc *e);
/* The writer schema's fingerprint, as a number (little-endian in messages). */
uint64_t avro_enc_fingerprint(const struct avro_enc *e);

/* One message, lent to the callback for the call. */
typedef void (*avro_message_fn)(void *ctx, const uint8_t *msg, size_t len);

/* Encode the exchange's flat records, one message each, in format_flat()'s
 * order; f gives the sensor, the level and the counters.  Returns the
 * records encoded; one that cannot be encoded is counted in
 * f->stats->kafka_avro_errors and not sent (the first is said on stderr). */
size_t avro_enc_exchange(struct avro_enc *e, struct format_ctx *f, const struct exchange *x,
			 avro_message_fn fn, void *ctx);

#endif
