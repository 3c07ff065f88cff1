// @kafkajs/confluent-schema-registry (its own Avro, JSON Schema and Protobuf through avsc, ajv and protobufjs) against a
// registry URL; prints what it saw as one JSON object.
//   node registry_client.mjs <tests/js directory (its node_modules)> <registry-url> <subject prefix>
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [jsDir, url, prefix] = process.argv.slice(2);
const require = createRequire(join(jsDir, 'package.json'));
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const registry = new SchemaRegistry({ host: url });
const out = {};

const avro = '{"type":"record","name":"JsPeer","namespace":"peer","fields":[{"name":"f1","type":"string"},{"name":"n","type":"long","default":0}]}';
const { id } = await registry.register({ type: SchemaType.AVRO, schema: avro }, { subject: `${prefix}-avro` });
out.avroId = id;
out.latestId = await registry.getLatestSchemaId(`${prefix}-avro`);
out.byVersion = await registry.getRegistryId(`${prefix}-avro`, 1);
out.bySchema = await registry.getRegistryIdBySchema(`${prefix}-avro`, { type: SchemaType.AVRO, schema: avro });
const encoded = await registry.encode(id, { f1: 'hello', n: 42 });
out.header = [...encoded.subarray(0, 5)];
out.decoded = await registry.decode(encoded);
try {
  // This client insists on named Avro types, so the incompatible schema is a record whose f1 became an int.
  const incompatible = '{"type":"record","name":"JsPeer","namespace":"peer","fields":[{"name":"f1","type":"int"}]}';
  await registry.register({ type: SchemaType.AVRO, schema: incompatible }, { subject: `${prefix}-avro` });
  out.conflict = null;
} catch (e) {
  out.conflict = e.message;
}

const json = '{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}';
const jsonId = (await registry.register({ type: SchemaType.JSON, schema: json }, { subject: `${prefix}-json` })).id;
out.jsonDecoded = await registry.decode(await registry.encode(jsonId, { a: 'x' }));

const proto = 'syntax = "proto3";\npackage peer;\nmessage Greeting { string text = 1; int32 times = 2; }';
const protoId = (await registry.register({ type: SchemaType.PROTOBUF, schema: proto }, { subject: `${prefix}-proto` })).id;
const protoDecoded = await registry.decode(await registry.encode(protoId, { text: 'hi', times: 3 }));
out.protoDecoded = { text: protoDecoded.text, times: protoDecoded.times };

console.log(JSON.stringify(out));
