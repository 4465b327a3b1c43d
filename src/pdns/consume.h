/* consume: -kafka_consume, the central passive DNS store fed from Kafka.
 *
 * Sensors send COF lines (-format cof) to a Kafka topic; this mode reads
 * them as a member of a consumer group (-kafka_group) and upserts them into
 * the store (-pdns_db) in batched transactions.  Each partition's next
 * offset is written into the store in the same transaction as the facts
 * read before it, and partitions are read from those offsets when they are
 * assigned: the store, not the group's committed offsets, says what was
 * taken in, so a crash at any moment neither loses nor counts twice a
 * message (exactly once into the store; one consumer process per store).
 * The group's offsets are committed after each store commit too, for lag
 * monitors. */
#ifndef PDNSLOG_PDNS_CONSUME_H
#define PDNSLOG_PDNS_CONSUME_H

struct options;

/* The whole mode, from the parsed options to the exit status: 0 after a
 * SIGINT/SIGTERM stop with everything committed, 1 when the store or
 * Kafka failed, 2 for a usage error (a bad -kafka_opt). */
int pdns_consume_main(const struct options *o);

#endif
