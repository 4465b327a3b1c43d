#!/bin/sh
# End-to-end: the Kafka sink against a real Apache Kafka broker on 127.0.0.1
# (tests/kafka: Maven fetches the broker's jars once), read back with kcat and
# kafka-python (tests/e2e/kafka_sink.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 900 /usr/bin/python3 "$top/tests/e2e/kafka_sink.py" "${PDNSLOG:-$top/build/pdnslog}"
