"""python3-confluent-kafka's ProtobufSerializer / ProtobufDeserializer as a peer of our ProtobufConverter.

  protobuf_peer.py read  GEN_DIR MODULE MESSAGE HEX           -> the message as JSON (MessageToDict, field names kept)
  protobuf_peer.py write GEN_DIR MODULE MESSAGE URL TOPIC PROTO_FILE JSON -> hex of the serializer's bytes

Confluent's Python serializer registers base64 FileDescriptorProtos; our registry stores .proto text, so the client
below registers the .proto file's text for the main schema instead (the framing and encoding stay the serializer's).
"""
import importlib
import json
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf.json_format import MessageToDict, ParseDict


class TextRegisteringClient(SchemaRegistryClient):
    def __init__(self, conf, proto_text):
        super().__init__(conf)
        self._proto_text = proto_text

    def register_schema(self, subject_name, schema):
        return super().register_schema(subject_name, Schema(self._proto_text, 'PROTOBUF', schema.references))


def message_class(gen_dir, module, message):
    sys.path.insert(0, gen_dir)
    return getattr(importlib.import_module(module), message)


def main():
    mode, gen_dir, module, message = sys.argv[1:5]
    cls = message_class(gen_dir, module, message)
    if mode == 'read':
        value = ProtobufDeserializer(cls)(bytes.fromhex(sys.argv[5]), SerializationContext('t', MessageField.VALUE))
        print(json.dumps(MessageToDict(value, preserving_proto_field_name=True), separators=(',', ':')))
    else:
        url, topic, proto_file, spec = sys.argv[5:9]
        with open(proto_file) as f:
            client = TextRegisteringClient({'url': url}, f.read())
        serializer = ProtobufSerializer(cls, client, {'auto.register.schemas': True})
        value = ParseDict(json.loads(spec), cls())
        print(serializer(value, SerializationContext(topic, MessageField.VALUE)).hex())


if __name__ == '__main__':
    main()
