#!/bin/sh
# End-to-end: -kafka_avro against a real Apache Kafka broker on 127.0.0.1 (the
# one tests/e2e/test_kafka.sh starts: tests/kafka/broker.py), every message
# decoded by Apache's python3-avro and held to the JSON log
# (tests/e2e/avro_kafka.py says what is checked).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 900 /usr/bin/python3 "$top/tests/e2e/avro_kafka.py" "${PDNSLOG:-$top/build/pdnslog}"
