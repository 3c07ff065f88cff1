#!/usr/bin/python3
"""Produce COUNT messages and consume them back with confluent-kafka over a secured listener.

    secure_roundtrip.py BOOTSTRAP TOPIC COUNT [key=value ...]

The key=value pairs are librdkafka settings (security.protocol, sasl.*, ssl.*). The RESULT line carries the
messages received, or the error the client reported (an authentication failure must surface as an error, not as
a hang): {"received": N, "error": "..."}.
"""
import sys
import time

from kc_common import emit, fail, log, parse_configs, require, run


def main():
    if len(sys.argv) < 4:
        fail("usage: secure_roundtrip.py BOOTSTRAP TOPIC COUNT [key=value ...]")
    bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    security = parse_configs(sys.argv[4:])
    require("confluent_kafka")
    from confluent_kafka import Consumer, KafkaException, Producer

    errors = []

    def on_error(err):
        log("client error: %s", err)
        errors.append(str(err))

    common = dict(security)
    common["bootstrap.servers"] = bootstrap
    common["error_cb"] = on_error
    producer = Producer(dict(common, **{"acks": "all", "client.id": "it-secure-producer", "message.timeout.ms": 20000}))
    delivered = []
    for i in range(count):
        producer.produce(topic, value=b"secure-%d" % i,
                         on_delivery=lambda err, msg: delivered.append(err) if err else delivered.append(None))
    deadline = time.time() + 30
    while len(delivered) < count and time.time() < deadline and not errors:
        producer.poll(0.2)
    producer.flush(5)
    failed = [str(e) for e in delivered if e is not None]
    if errors or failed or len(delivered) < count:
        emit({"received": 0, "error": "; ".join(errors + failed) or "delivery timed out"})
        return

    consumer = Consumer(dict(common, **{"group.id": "it-secure-" + topic, "auto.offset.reset": "earliest",
                                        "client.id": "it-secure-consumer"}))
    consumer.subscribe([topic])
    received = []
    deadline = time.time() + 40
    while len(received) < count and time.time() < deadline and not errors:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            errors.append(str(msg.error()))
            break
        received.append(msg.value().decode())
    consumer.close()
    result = {"received": len(received)}
    if errors:
        result["error"] = "; ".join(errors)
    emit(result)


run(main)
