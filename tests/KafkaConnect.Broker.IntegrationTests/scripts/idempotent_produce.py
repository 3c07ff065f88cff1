#!/usr/bin/python3
"""confluent-kafka idempotent producer (enable.idempotence=true, acks=all) sending COUNT messages.

    idempotent_produce.py BOOTSTRAP TOPIC COUNT --partitions P

Checks that every message is delivered once, that the high watermarks sum to COUNT and that reading the
topic back yields each id exactly once.
"""
import argparse
import time

from kc_common import emit, fail, log, require, run

require("confluent_kafka")
from confluent_kafka import Producer  # noqa: E402

from verify_acked import read_all  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("count", type=int)
    parser.add_argument("--partitions", type=int, required=True)
    args = parser.parse_args()

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "client.id": "it-idempotent",
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 10,
        "message.timeout.ms": 120000,
        "queue.buffering.max.messages": 200000,
    })
    stats = {"delivered": 0, "failed": 0, "errors": {}}

    def on_delivery(err, msg):
        if err is not None:
            stats["failed"] += 1
            stats["errors"][err.name()] = stats["errors"].get(err.name(), 0) + 1
        else:
            stats["delivered"] += 1

    started = time.monotonic()
    for i in range(args.count):
        while True:
            try:
                producer.produce(args.topic, key=b"k%d" % (i % 1000), value=b"id:%d" % i,
                                 on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        if i % 1000 == 0:
            producer.poll(0)
    remaining = producer.flush(120)
    produce_seconds = time.monotonic() - started

    stored, highs = read_all(args.bootstrap, args.topic, args.partitions)
    ids = set()
    duplicates = 0
    for partition in stored.values():
        for value in partition.values():
            ident = int(value.decode("ascii")[3:])
            if ident in ids:
                duplicates += 1
            ids.add(ident)
    result = {
        "delivered": stats["delivered"],
        "failed": stats["failed"],
        "errors": stats["errors"],
        "undelivered": remaining,
        "highWatermarkSum": sum(highs.values()),
        "stored": sum(len(p) for p in stored.values()),
        "distinct": len(ids),
        "duplicates": duplicates,
        "produceSeconds": round(produce_seconds, 2),
    }
    log("idempotent: %r", result)
    if (stats["delivered"] != args.count or remaining or result["highWatermarkSum"] != args.count
            or len(ids) != args.count or duplicates or ids != set(range(args.count))):
        fail("expected exactly %d stored messages" % args.count, result)
    emit(result)


if __name__ == "__main__":
    run(main)
