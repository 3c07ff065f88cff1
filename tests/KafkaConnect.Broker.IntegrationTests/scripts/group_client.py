#!/usr/bin/python3
"""Consumer-group scenarios with kafka-python (api_version auto-negotiated).

    group_client.py produce   BOOTSTRAP TOPIC --start N --count N --partitions P
    group_client.py rebalance BOOTSTRAP TOPIC GROUP --partitions P --limits L1,L2,L3
    group_client.py resume    BOOTSTRAP TOPIC GROUP --partitions P

Message i has key "k<i>", value "n:<i>" and goes to partition i % P, so ids are dense per partition.

rebalance: consumer A joins alone (phase 1, processes up to L1 records), consumer B joins and the test waits
for a 2+2 split (phase 2, up to L2 in total), B commits and leaves and A must take all partitions (phase 3, up
to L3). Each processed record is committed individually, so the committed offsets name exactly what was
processed; records fetched beyond a phase limit are not processed and the consumer seeks back to them.

resume: a fresh member of the same group consumes up to the end offsets; reports the first offset it saw
per partition so the test can compare it with the offsets committed before the broker restart.
"""
import argparse
import threading
import time
import traceback

from kc_common import emit, fail, log, require, run

require("kafka")
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.errors import KafkaError  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

PER_PARTITION_PER_POLL = 10

CONSUMER_SETTINGS = dict(
    enable_auto_commit=False,
    auto_offset_reset="earliest",
    session_timeout_ms=10000,
    heartbeat_interval_ms=500,
    max_poll_records=50,
    request_timeout_ms=30000,
)


def parse_id(value):
    text = value.decode("ascii")
    if not text.startswith("n:"):
        raise ValueError("unexpected value %r" % text)
    return int(text[2:])


def produce(args):
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=5,
                             client_id="it-group-producer")
    futures = []
    for i in range(args.start, args.start + args.count):
        futures.append(producer.send(args.topic, key=b"k%d" % i, value=b"n:%d" % i,
                                     partition=i % args.partitions))
    producer.flush(60)
    errors = 0
    for f in futures:
        try:
            f.get(timeout=60)
        except KafkaError as exc:
            errors += 1
            log("send failed: %r", exc)
    api_version = producer.config["api_version"]
    producer.close()
    result = {"produced": args.count - errors, "errors": errors, "apiVersion": list(api_version)}
    if errors:
        fail("%d sends failed" % errors, result)
    emit(result)


class Member(threading.Thread):
    """A group member polling in its own thread; kafka-python consumers are not thread-safe."""

    def __init__(self, name, args, shared):
        super().__init__(name=name, daemon=True)
        self.label = name
        self.args = args
        self.shared = shared
        self.stop_requested = threading.Event()
        self.stopped = threading.Event()
        self.assignment = []
        self.error = None
        self.commit_failures = 0
        self.committed = {}

    def run(self):
        consumer = None
        try:
            consumer = KafkaConsumer(bootstrap_servers=self.args.bootstrap, group_id=self.args.group,
                                     client_id="it-" + self.label, **CONSUMER_SETTINGS)
            consumer.subscribe([self.args.topic])
            while not self.stop_requested.is_set():
                batches = consumer.poll(timeout_ms=100)
                self.assignment = sorted(tp.partition for tp in consumer.assignment())
                for tp, records in batches.items():
                    self.process(consumer, tp, records)
                with self.shared["lock"]:
                    idle = len(self.shared["consumed"]) >= self.shared["limit"]
                if idle:
                    time.sleep(0.05)  # avoid a fetch/seek-back spin while the phase limit holds
            # Leave cleanly: commit what was processed, then close (sends LeaveGroup).
            for p in self.assignment:
                tp = TopicPartition(self.args.topic, p)
                committed = consumer.committed(tp)
                if committed is not None:
                    self.committed[p] = committed
        except Exception as exc:  # reported through the RESULT line
            self.error = repr(exc)
            log("%s failed: %r", self.label, exc)
            traceback.print_exc()
        finally:
            if consumer is not None:
                try:
                    consumer.close(autocommit=False)
                except Exception as exc:
                    log("%s close failed: %r", self.label, exc)
            self.stopped.set()

    def process(self, consumer, tp, records):
        for index, record in enumerate(records):
            with self.shared["lock"]:
                # A few records per partition per poll spread commits over every partition.
                allowed = index < PER_PARTITION_PER_POLL and len(self.shared["consumed"]) < self.shared["limit"]
                if allowed:
                    self.shared["consumed"].append(parse_id(record.value))
            if not allowed:
                # Not processed: rewind so this record is fetched again (next poll, or once the limit rises).
                consumer.seek(tp, record.offset)
                return
            try:
                consumer.commit({tp: OffsetAndMetadata(record.offset + 1, "")})
            except KafkaError as exc:
                # At-least-once: the record will be redelivered to the partition's next owner.
                self.commit_failures += 1
                log("%s commit failed at %s@%d: %r", self.label, tp, record.offset, exc)
                return


def wait_for(description, predicate, timeout, members):
    deadline = time.monotonic() + timeout
    while not predicate():
        for member in members:
            if member.error:
                fail("%s while waiting for %s: %s" % (member.label, description, member.error))
        if time.monotonic() > deadline:
            fail("timed out after %ds waiting for %s; assignments %s"
                 % (timeout, description, {m.label: m.assignment for m in members}))
        time.sleep(0.05)


def rebalance(args):
    limits = [int(x) for x in args.limits.split(",")]
    if len(limits) != 3:
        fail("--limits needs three values")
    all_partitions = list(range(args.partitions))
    shared = {"lock": threading.Lock(), "consumed": [], "limit": limits[0]}
    half = args.partitions // 2

    a = Member("a", args, shared)
    a.start()
    wait_for("consumer a to own every partition", lambda: a.assignment == all_partitions, 60, [a])
    wait_for("phase 1 processing", lambda: len(shared["consumed"]) >= limits[0], 60, [a])

    b = Member("b", args, shared)
    with shared["lock"]:
        shared["limit"] = limits[1]
    b.start()
    wait_for("a 2+2 split", lambda: len(a.assignment) == half and len(b.assignment) == half
             and sorted(a.assignment + b.assignment) == all_partitions, 90, [a, b])
    split = {"a": list(a.assignment), "b": list(b.assignment)}
    log("split: %r", split)
    wait_for("phase 2 processing", lambda: len(shared["consumed"]) >= limits[1], 60, [a, b])

    b.stop_requested.set()
    if not b.stopped.wait(60):
        fail("consumer b did not close")
    if b.error:
        fail("consumer b: " + b.error)
    with shared["lock"]:
        shared["limit"] = limits[2]
    wait_for("consumer a to take over every partition", lambda: a.assignment == all_partitions, 90, [a])
    after_leave = list(a.assignment)
    wait_for("phase 3 processing", lambda: len(shared["consumed"]) >= limits[2], 60, [a])
    a.stop_requested.set()
    if not a.stopped.wait(60):
        fail("consumer a did not close")
    if a.error:
        fail("consumer a: " + a.error)

    emit({
        "split": split,
        "afterLeave": after_leave,
        "consumed": shared["consumed"],
        "committed": {str(p): off for p, off in a.committed.items()},
        "commitFailures": a.commit_failures + b.commit_failures,
    })


def resume(args):
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                             client_id="it-resume", **CONSUMER_SETTINGS)
    consumer.subscribe([args.topic])
    deadline = time.monotonic() + 90
    first_offsets = {}
    consumed = []
    end_offsets = None
    while True:
        batches = consumer.poll(timeout_ms=200)
        for tp, records in batches.items():
            for record in records:
                first_offsets.setdefault(tp.partition, record.offset)
                consumed.append(parse_id(record.value))
        assignment = consumer.assignment()
        if len(assignment) == args.partitions:
            if end_offsets is None:
                end_offsets = consumer.end_offsets(list(assignment))
            if all(consumer.position(tp) >= end for tp, end in end_offsets.items()):
                break
        if time.monotonic() > deadline:
            fail("resume did not reach the end offsets within 90s; assignment %r, consumed %d"
                 % (sorted(tp.partition for tp in assignment), len(consumed)))
    consumer.commit()
    consumer.close(autocommit=False)
    emit({
        "firstOffsets": {str(p): off for p, off in first_offsets.items()},
        "endOffsets": {str(tp.partition): off for tp, off in end_offsets.items()},
        "consumed": consumed,
    })


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("produce")
    p.add_argument("bootstrap")
    p.add_argument("topic")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--partitions", type=int, required=True)
    r = sub.add_parser("rebalance")
    r.add_argument("bootstrap")
    r.add_argument("topic")
    r.add_argument("group")
    r.add_argument("--partitions", type=int, required=True)
    r.add_argument("--limits", required=True)
    s = sub.add_parser("resume")
    s.add_argument("bootstrap")
    s.add_argument("topic")
    s.add_argument("group")
    s.add_argument("--partitions", type=int, required=True)
    args = parser.parse_args()
    {"produce": produce, "rebalance": rebalance, "resume": resume}[args.command](args)


if __name__ == "__main__":
    run(main)
