"""Drives confluent_kafka's SchemaRegistryClient against a registry URL and prints what it saw, one JSON object."""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

url, subject = sys.argv[1], sys.argv[2]
client = SchemaRegistryClient({"url": url})
record = '{"type":"record","name":"py","fields":[{"name":"f1","type":"string"}]}'
out = {}
out["id"] = client.register_schema(subject, Schema(record, "AVRO"))
out["again"] = client.register_schema(subject, Schema(record, "AVRO"))
out["fetched"] = client.get_schema(out["id"]).schema_str
found = client.lookup_schema(subject, Schema(record, "AVRO"))
out["lookup"] = [found.schema_id, found.subject, found.version]
out["versions"] = client.get_versions(subject)
out["latest"] = client.get_latest_version(subject).version
out["int_compatible"] = client.test_compatibility(subject, Schema('{"type":"int"}', "AVRO"))
try:
    client.register_schema(subject, Schema('{"type":"int"}', "AVRO"))
    out["conflict"] = None
except SchemaRegistryError as e:
    out["conflict"] = [e.http_status_code, e.error_code, e.error_message]
client.set_compatibility(subject_name=subject, level="NONE")
out["level"] = client.get_compatibility(subject)
out["int_id"] = client.register_schema(subject, Schema('{"type":"int"}', "AVRO"))
# This client's permanent delete sends the soft delete first, then ?permanent=true.
out["deleted"] = client.delete_subject(subject, permanent=True)
try:
    client.get_versions(subject)
    out["gone"] = None
except SchemaRegistryError as e:
    out["gone"] = [e.http_status_code, e.error_code]
print(json.dumps(out, separators=(",", ":")))
