"""python3-confluent-kafka's Protobuf serdes as the outside producer and reader of the Protobuf pipeline test.

  pipeline_peer.py produce PROTO_DIR GEN_DIR BOOTSTRAP REGISTRY TOPIC RECORDS_JSONL
      compiles PROTO_DIR/shop/order.proto with protoc, produces each line (protobuf JSON of shop.Order) with
      ProtobufSerializer; prints {"sent": N}
  pipeline_peer.py produce-descriptors ...
      the same, the schemas registered as the serializer sends them (base64 FileDescriptorProtos)
  pipeline_peer.py consume GEN_DIR BOOTSTRAP REGISTRY TOPIC COUNT
      fetches TOPIC-value's latest schema and its references from the registry, compiles them with protoc, reads
      COUNT records with ProtobufDeserializer; prints one JSON object (MessageToDict, field names kept) a line

Debian's confluent-kafka 1.7.0 registers every file as a base64 FileDescriptorProto; our registry takes .proto text
(as Confluent's does too), so the client below registers the source text of the same file instead. The subjects,
references, framing and encoding stay the serializer's own.
"""
import base64
import importlib
import json
import os
import re
import subprocess
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2
from google.protobuf.json_format import MessageToDict, ParseDict

SYSTEM_INCLUDE = '/usr/include'
# Imports a registry knows without references (confluent/*, google/type/*, as Confluent's): a client brings its own.
KNOWN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'proto')


class TextRegisteringClient(SchemaRegistryClient):
    """Registers and looks up the .proto text of the file a base64 descriptor names."""

    def __init__(self, conf, include_dirs):
        super().__init__(conf)
        self._include_dirs = include_dirs

    def _as_text(self, schema):
        name = descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(schema.schema_str)).name
        for directory in self._include_dirs:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path) as f:
                    return Schema(f.read(), 'PROTOBUF', schema.references)
        raise FileNotFoundError(name)

    def register_schema(self, subject_name, schema):
        return super().register_schema(subject_name, self._as_text(schema))

    def lookup_schema(self, subject_name, schema):
        return super().lookup_schema(subject_name, self._as_text(schema))


def protoc(include_dirs, out_dir, files):
    args = ['protoc'] + ['-I' + d for d in include_dirs] + ['--python_out', out_dir] + files
    subprocess.run(args, check=True)


def produce(as_text, proto_dir, gen_dir, bootstrap, registry, topic, records_file):
    includes = [proto_dir, SYSTEM_INCLUDE]
    client = TextRegisteringClient({'url': registry}, includes) if as_text else SchemaRegistryClient({'url': registry})
    protoc(includes, gen_dir, ['shop/order.proto', 'confluent/meta.proto', 'confluent/type/decimal.proto', 'google/type/date.proto',
                                'google/type/timeofday.proto'])
    sys.path.insert(0, gen_dir)
    order = importlib.import_module('shop.order_pb2').Order
    serializer = ProtobufSerializer(order, client, {'auto.register.schemas': True})
    producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all'})
    failures = []
    sent = 0
    with open(records_file) as f:
        for line in f:
            if not line.strip():
                continue
            value = serializer(ParseDict(json.loads(line), order()), SerializationContext(topic, MessageField.VALUE))
            producer.produce(topic, value=value, on_delivery=lambda err, _: err and failures.append(str(err)))
            sent += 1
    remaining = producer.flush(60)
    if remaining or failures:
        sys.exit('not delivered: %d pending, errors %s' % (remaining, failures))
    print(json.dumps({'sent': sent}))


def write_schema(client, src_dir, name, schema):
    """Writes a registered schema and, recursively, its references as files for protoc; returns their names."""
    names = [name]
    for ref in schema.references:
        # 1.7.0 hands a fetched schema's references over as the registry's JSON objects.
        ref_name, subject, version = ref['name'], ref['subject'], ref['version']
        # protoc and the Python runtime already have google/protobuf/*; the rest comes from the registry.
        if not ref_name.startswith('google/protobuf/'):
            names += write_schema(client, src_dir, ref_name, client.get_version(subject, version).schema)
    path = os.path.join(src_dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(schema.schema_str)
    return names


def latest_schema(client, subject):
    """The subject's latest schema, waiting for the converter to register it with the source's first record."""
    deadline = time.time() + 60
    while True:
        try:
            return client.get_latest_version(subject).schema
        except SchemaRegistryError as e:
            if e.error_code != 40401 or time.time() > deadline:
                raise
            time.sleep(0.2)


def consume(gen_dir, bootstrap, registry, topic, count):
    client = SchemaRegistryClient({'url': registry})
    src_dir = os.path.join(gen_dir, 'registered')
    files = write_schema(client, src_dir, 'registered_value.proto', latest_schema(client, topic + '-value'))
    known = set()
    for name in files:
        with open(os.path.join(src_dir, name)) as f:
            for imported in re.findall(r'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"', f.read(), re.M):
                if imported not in files and (imported.startswith('confluent/') or imported.startswith('google/type/')):
                    known.add(imported)
    protoc([src_dir, KNOWN_DIR, SYSTEM_INCLUDE], gen_dir, sorted(set(files) | known))
    sys.path.insert(0, gen_dir)
    module = importlib.import_module('registered_value_pb2')
    # The converter writes one top-level message: message index [0].
    deserializer = ProtobufDeserializer(getattr(module, next(iter(module.DESCRIPTOR.message_types_by_name))))
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'python-reader-%d' % time.time_ns(),
                         'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    consumer.subscribe([topic])
    read = 0
    deadline = time.time() + 60
    while read < count and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                continue
            sys.exit('consume failed: %s' % msg.error())
        value = deserializer(msg.value(), SerializationContext(topic, MessageField.VALUE))
        print(json.dumps(MessageToDict(value, preserving_proto_field_name=True, including_default_value_fields=True),
                         separators=(',', ':')))
        read += 1
    consumer.close()
    if read < count:
        sys.exit('read %d of %d records from %s' % (read, count, topic))


def main():
    mode = sys.argv[1]
    if mode in ('produce', 'produce-descriptors'):
        produce(mode == 'produce', *sys.argv[2:8])
    elif mode == 'consume':
        consume(*sys.argv[2:6], int(sys.argv[6]))
    else:
        sys.exit('unknown mode ' + mode)


if __name__ == '__main__':
    main()
