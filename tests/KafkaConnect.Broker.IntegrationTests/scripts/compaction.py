#!/usr/bin/python3
"""Log compaction check with kafka-python.

    compaction.py produce BOOTSTRAP TOPIC --keys K --rounds R
    compaction.py wait    BOOTSTRAP TOPIC --keys K --rounds R [--timeout S]

produce writes R rounds of updates for keys key-0..key-(K-1), value "key-<k>:round-<r>", one flushed batch
per round. wait polls until reading the topic from its start shows exactly one record per key holding the
final round's value. Each poll first appends a "__tick" record: the active segment is never cleaned, so new
appends (with a small segment.ms) are what roll the updates into cleanable segments. Ticks are ignored by the
check. A key whose final value is missing is data loss and fails at once.
"""
import argparse
import time

from kc_common import emit, fail, log, require, run

require("kafka")
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

TICK = b"__tick"


def produce(args):
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=0,
                             client_id="it-compaction-producer")
    for r in range(args.rounds):
        futures = [producer.send(args.topic, key=b"key-%d" % k, value=b"key-%d:round-%d" % (k, r), partition=0)
                   for k in range(args.keys)]
        producer.flush(30)
        for f in futures:
            f.get(timeout=30)
    producer.close()
    emit({"produced": args.keys * args.rounds})


def read_topic(bootstrap, topic):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             client_id="it-compaction-reader", consumer_timeout_ms=1000)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    start = consumer.position(tp)
    end = consumer.end_offsets([tp])[tp]
    records = []
    deadline = time.monotonic() + 60
    while consumer.position(tp) < end:
        if time.monotonic() > deadline:
            fail("reading %s stalled at %d of %d" % (topic, consumer.position(tp), end))
        for batch in consumer.poll(timeout_ms=500).values():
            for record in batch:
                if record.offset < end:
                    records.append((record.offset, record.key, record.value))
    consumer.close()
    return start, end, records


def evaluate(args, records):
    per_key = {}
    last_value = {}
    previous_offset = -1
    for offset, key, value in records:
        if offset <= previous_offset:
            fail("offsets not increasing: %d after %d" % (offset, previous_offset))
        previous_offset = offset
        if key == TICK:
            continue
        per_key[key] = per_key.get(key, 0) + 1
        last_value[key] = value
    final = args.rounds - 1
    lost = []
    for k in range(args.keys):
        key = b"key-%d" % k
        if last_value.get(key) != b"key-%d:round-%d" % (k, final):
            lost.append("%s -> %r" % (key.decode(), last_value.get(key)))
    if lost:
        fail("latest values missing after compaction (data loss): " + ", ".join(lost[:10]))
    unknown = [key for key in per_key if not key.startswith(b"key-")]
    if unknown or len(per_key) != args.keys:
        fail("unexpected keys in topic: %r" % unknown[:10])
    surplus = sum(count - 1 for count in per_key.values())
    return surplus


def wait(args):
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", client_id="it-compaction-ticker")
    deadline = time.monotonic() + args.timeout
    polls = 0
    while True:
        polls += 1
        producer.send(args.topic, key=TICK, value=b"%d" % polls, partition=0).get(timeout=30)
        start, end, records = read_topic(args.bootstrap, args.topic)
        surplus = evaluate(args, records)
        log("poll %d: log %d..%d, %d records read, %d superseded records remain", polls, start, end,
            len(records), surplus)
        if surplus == 0:
            break
        if time.monotonic() > deadline:
            fail("still %d superseded records after %ds (log %d..%d, %d records)"
                 % (surplus, args.timeout, start, end, len(records)),
                 {"polls": polls, "surplus": surplus, "records": len(records)})
        time.sleep(0.5)
    producer.close()
    emit({"polls": polls, "logStart": start, "logEnd": end, "records": len(records),
          "keyRecords": sum(1 for r in records if r[1] != TICK)})


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("produce", "wait"):
        p = sub.add_parser(name)
        p.add_argument("bootstrap")
        p.add_argument("topic")
        p.add_argument("--keys", type=int, required=True)
        p.add_argument("--rounds", type=int, required=True)
        p.add_argument("--timeout", type=int, default=90)
    args = parser.parse_args()
    {"produce": produce, "wait": wait}[args.command](args)


if __name__ == "__main__":
    run(main)
