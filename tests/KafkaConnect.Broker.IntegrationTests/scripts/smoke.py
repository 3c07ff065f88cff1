#!/usr/bin/python3
"""Produce a few messages and consume them back through a consumer group.

    smoke.py kafka-python BOOTSTRAP TOPIC COUNT
    smoke.py confluent    BOOTSTRAP TOPIC COUNT

kafka-python negotiates its api_version against the broker (no api_version given); the negotiated version is
reported. The topic is auto-created by the first produce.
"""
import argparse
import time

from kc_common import emit, fail, log, require, run


def kafka_python(args):
    require("kafka")
    from kafka import KafkaConsumer, KafkaProducer

    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", client_id="it-smoke-kp")
    sent = [b"kafka-python-%d" % i for i in range(args.count)]
    for i, value in enumerate(sent):
        producer.send(args.topic, key=b"key-%d" % i, value=value, headers=[("h", b"v%d" % i)]).get(timeout=30)
    producer.close()
    api_version = producer.config["api_version"]

    consumer = KafkaConsumer(args.topic, bootstrap_servers=args.bootstrap, group_id="smoke-kp",
                             auto_offset_reset="earliest", enable_auto_commit=True,
                             client_id="it-smoke-kp-consumer", consumer_timeout_ms=20000)
    received = []
    headers_ok = True
    for record in consumer:
        received.append(record.value)
        index = int(record.key.decode()[4:])
        headers_ok = headers_ok and list(record.headers) == [("h", b"v%d" % index)]
        if len(received) == len(sent):
            break
    consumer.close()
    return api_version, sent, received, headers_ok


def confluent(args):
    require("confluent_kafka")
    from confluent_kafka import Consumer, Producer

    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "client.id": "it-smoke-ck"})
    sent = [b"confluent-%d" % i for i in range(args.count)]
    errors = []
    for i, value in enumerate(sent):
        producer.produce(args.topic, key=b"key-%d" % i, value=value, headers=[("h", b"v%d" % i)],
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
    if producer.flush(30):
        fail("confluent producer could not deliver everything")
    if errors:
        fail("delivery errors: %r" % errors)

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "smoke-ck",
                         "auto.offset.reset": "earliest", "client.id": "it-smoke-ck-consumer"})
    consumer.subscribe([args.topic])
    received = []
    headers_ok = True
    deadline = time.monotonic() + 30
    while len(received) < len(sent) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            fail("consume error: %s" % msg.error())
        received.append(msg.value())
        index = int(msg.key().decode()[4:])
        headers_ok = headers_ok and msg.headers() == [("h", b"v%d" % index)]
    consumer.close()
    return None, sent, received, headers_ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("client", choices=["kafka-python", "confluent"])
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    api_version, sent, received, headers_ok = (kafka_python if args.client == "kafka-python" else confluent)(args)
    result = {"client": args.client, "sent": len(sent), "received": len(received), "headersOk": headers_ok,
              "apiVersion": list(api_version) if api_version else None}
    log("smoke: %r", result)
    if sorted(received) != sorted(sent):
        fail("received %d of %d messages (or wrong contents)" % (len(received), len(sent)), result)
    if not headers_ok:
        fail("headers did not round-trip", result)
    emit(result)


if __name__ == "__main__":
    run(main)
