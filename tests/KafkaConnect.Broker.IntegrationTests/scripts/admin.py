#!/usr/bin/python3
"""Topic administration with kafka-python's KafkaAdminClient.

    admin.py create-topic BOOTSTRAP TOPIC PARTITIONS [key=value ...]

Creates the topic (replication factor 1) with the given topic configs and waits until metadata shows all
partitions.
"""
import argparse
import time

from kc_common import emit, fail, log, parse_configs, require, run

require("kafka")
from kafka import KafkaConsumer  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402


def create_topic(args):
    configs = parse_configs(args.configs)
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="it-admin",
                             request_timeout_ms=30000)
    try:
        response = admin.create_topics(
            [NewTopic(name=args.topic, num_partitions=args.partitions, replication_factor=1,
                      topic_configs=configs)],
            timeout_ms=30000)
        # topic_errors entries are (name, code) in v0 and (name, code, message) from v1.
        for entry in response.topic_errors:
            if entry[1] != 0:
                fail("CreateTopics(%s) returned error code %d: %s"
                     % (entry[0], entry[1], entry[2] if len(entry) > 2 else ""))
    finally:
        admin.close()

    deadline = time.monotonic() + 30
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, client_id="it-admin-meta")
    try:
        while True:
            partitions = consumer.partitions_for_topic(args.topic)
            if partitions is not None and len(partitions) == args.partitions:
                break
            if time.monotonic() > deadline:
                fail("metadata for %s shows partitions %r, expected %d"
                     % (args.topic, partitions, args.partitions))
            time.sleep(0.2)
            consumer.topics()  # forces a metadata refresh
    finally:
        consumer.close()
    log("created %s with %d partitions, configs %r", args.topic, args.partitions, configs)
    emit({"topic": args.topic, "partitions": args.partitions, "configs": configs})


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-topic")
    create.add_argument("bootstrap")
    create.add_argument("topic")
    create.add_argument("partitions", type=int)
    create.add_argument("configs", nargs="*")
    args = parser.parse_args()
    if args.command == "create-topic":
        create_topic(args)


if __name__ == "__main__":
    run(main)
