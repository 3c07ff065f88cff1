#!/usr/bin/python3
"""confluent-kafka producer that records every acknowledged message.

    acked_produce.py BOOTSTRAP TOPIC COUNT ACKFILE --partitions P [--rate N] [--idempotent]

Message i (key "k<i>", value "id:<i>") goes to partition i % P. Each successful delivery report appends
"<partition> <offset> <id>" to ACKFILE and flushes it, so the file survives this process being killed. With
acks=all and one request in flight per connection, acknowledged messages must survive a broker crash, at the
offsets reported, in send order per partition.
"""
import argparse
import time

from kc_common import emit, fail, log, require, run

require("confluent_kafka")
from confluent_kafka import KafkaError, Producer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("count", type=int)
    parser.add_argument("ackfile")
    parser.add_argument("--partitions", type=int, required=True)
    parser.add_argument("--rate", type=int, default=0, help="messages per second, 0 = unthrottled")
    parser.add_argument("--idempotent", action="store_true")
    args = parser.parse_args()

    config = {
        "bootstrap.servers": args.bootstrap,
        "client.id": "it-acked-producer",
        "acks": "all",
        "linger.ms": 5,
        "message.timeout.ms": 90000,
        "retry.backoff.ms": 200,
        "reconnect.backoff.max.ms": 1000,
        "queue.buffering.max.messages": 200000,
    }
    if args.idempotent:
        config["enable.idempotence"] = True
    else:
        config["max.in.flight.requests.per.connection"] = 1
    producer = Producer(config)

    stats = {"acked": 0, "failed": 0, "errors": {}}
    out = open(args.ackfile, "w", buffering=1)

    def on_delivery(err, msg):
        if err is not None:
            stats["failed"] += 1
            name = err.name()
            stats["errors"][name] = stats["errors"].get(name, 0) + 1
            return
        out.write("%d %d %s\n" % (msg.partition(), msg.offset(), msg.value().decode("ascii")[3:]))
        stats["acked"] += 1

    started = time.monotonic()
    for i in range(args.count):
        if args.rate:
            ahead = i / args.rate - (time.monotonic() - started)
            if ahead > 0:
                producer.poll(ahead)
        while True:
            try:
                producer.produce(args.topic, key=b"k%d" % i, value=b"id:%d" % i,
                                 partition=i % args.partitions, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    remaining = producer.flush(120)
    out.close()
    result = {"produced": args.count, "acked": stats["acked"], "failed": stats["failed"],
              "errors": stats["errors"], "undelivered": remaining,
              "seconds": round(time.monotonic() - started, 2)}
    log("producer done: %r", result)
    if remaining:
        fail("%d messages still undelivered after flush" % remaining, result)
    emit(result)


if __name__ == "__main__":
    run(main)
