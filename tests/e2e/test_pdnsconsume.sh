#!/bin/sh
# End-to-end: -kafka_consume, the central passive DNS store fed from Kafka,
# against the real Apache Kafka broker of tests/kafka (see
# tests/e2e/pdns_consume.py): exactly once into the store across SIGKILLs,
# bad lines counted and skipped.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 600 /usr/bin/python3 "$top/tests/e2e/pdns_consume.py" "${PDNSLOG:-$top/build/pdnslog}"
