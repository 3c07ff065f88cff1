#!/usr/bin/python3
"""Checks that every acknowledged message (from acked_produce.py's ACKFILE) is stored where it was acked.

    verify_acked.py BOOTSTRAP TOPIC ACKFILE --partitions P

Reads every partition from its start offset to the high watermark with a confluent-kafka consumer (manual
assignment, no group), then checks each acked (partition, offset, id) and that acked ids are in increasing
order by offset within each partition.
"""
import argparse
import time

from kc_common import emit, fail, log, require, run

require("confluent_kafka")
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition  # noqa: E402


def read_all(bootstrap, topic, partitions, timeout=120):
    """Returns {partition: {offset: value_bytes}} for everything up to the high watermarks."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "it-verify",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "client.id": "it-verify",
    })
    stored = {p: {} for p in range(partitions)}
    highs = {}
    for p in range(partitions):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
        highs[p] = high
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    done = {p for p, high in highs.items() if high == 0}
    deadline = time.monotonic() + timeout
    while len(done) < partitions:
        if time.monotonic() > deadline:
            fail("reading back timed out; partitions done %r of %d, high watermarks %r"
                 % (sorted(done), partitions, highs))
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                if msg.offset() >= highs[msg.partition()]:
                    done.add(msg.partition())
                continue
            fail("consume error: %s" % msg.error())
        stored[msg.partition()][msg.offset()] = msg.value()
        if msg.offset() + 1 >= highs[msg.partition()]:
            done.add(msg.partition())
    consumer.close()
    return stored, highs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("ackfile")
    parser.add_argument("--partitions", type=int, required=True)
    args = parser.parse_args()

    acks = []
    with open(args.ackfile) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue  # a torn final line from the killed writer
            acks.append(tuple(int(x) for x in parts))

    stored, highs = read_all(args.bootstrap, args.topic, args.partitions)
    problems = []
    missing = mismatched = out_of_order = 0
    last_id = {}
    for partition, offset, ident in sorted(acks):
        value = stored.get(partition, {}).get(offset)
        expected = b"id:%d" % ident
        if value is None:
            missing += 1
            if len(problems) < 10:
                problems.append("id %d acked at %d@%d is missing" % (ident, partition, offset))
        elif value != expected:
            mismatched += 1
            if len(problems) < 10:
                problems.append("%d@%d holds %r, acked %r" % (partition, offset, value, expected))
        if partition in last_id and ident <= last_id[partition]:
            out_of_order += 1
            if len(problems) < 10:
                problems.append("id %d at %d@%d follows id %d" % (ident, partition, offset, last_id[partition]))
        last_id[partition] = ident

    result = {
        "acked": len(acks),
        "stored": sum(len(v) for v in stored.values()),
        "highWatermarks": {str(p): h for p, h in highs.items()},
        "missing": missing,
        "mismatched": mismatched,
        "outOfOrder": out_of_order,
        "problems": problems,
    }
    log("verify: %r", result)
    if missing or mismatched or out_of_order:
        fail("acknowledged messages lost or misplaced: " + "; ".join(problems), result)
    emit(result)


if __name__ == "__main__":
    run(main)
