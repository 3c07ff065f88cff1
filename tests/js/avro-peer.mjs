// A second, independent Avro + Schema Registry implementation for the test suite: kafkajs moves the records and
// @kafkajs/confluent-schema-registry (Avro through avsc) frames and parses them.
//   node avro-peer.mjs produce <brokers> <registry-url> <topic> <schema-file> <records.jsonl>
//     registers the schema under <topic>-value and sends one record per line (keys: none)
//   node avro-peer.mjs consume <brokers> <registry-url> <topic> <count>
//     reads <count> records from the beginning and prints each decoded value as one JSON line
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const [mode, brokers, registryUrl, topic, ...rest] = process.argv.slice(2);
if (!mode || !brokers || !registryUrl || !topic) {
  console.error('usage: avro-peer.mjs produce|consume <brokers> <registry-url> <topic> ...');
  process.exit(2);
}
const kafka = new Kafka({ clientId: 'avro-peer', brokers: brokers.split(','), logLevel: logLevel.ERROR });
const registry = new SchemaRegistry({ host: registryUrl });

// Bytes as base64 and longs as numbers, so the test can compare field by field.
const plain = (_, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('base64') : typeof v === 'bigint' ? Number(v) : v);

if (mode === 'produce') {
  const [schemaFile, recordsFile] = rest;
  const schema = readFileSync(schemaFile, 'utf8');
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topic}-value` });
  // JSON has no bytes: a string given for a bytes field (e.g. a decimal's unscaled value) is base64.
  const bytesFields = JSON.parse(schema).fields
    .filter(f => [f.type].flat().some(t => t === 'bytes' || (t && t.type === 'bytes')))
    .map(f => f.name);
  const values = readFileSync(recordsFile, 'utf8').split('\n').filter(l => l.trim().length > 0).map(l => JSON.parse(l))
    .map(v => { for (const f of bytesFields) if (typeof v[f] === 'string') v[f] = Buffer.from(v[f], 'base64'); return v; });
  const messages = [];
  for (const v of values) messages.push({ value: await registry.encode(id, v) });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();
  console.log(JSON.stringify({ id, sent: messages.length }));
} else if (mode === 'consume') {
  const count = Number(rest[0]);
  const consumer = kafka.consumer({ groupId: `avro-peer-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const timer = setTimeout(() => { console.error(`timed out after ${seen} of ${count} records`); process.exit(1); }, 60000);
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const value = await registry.decode(message.value);
          console.log(JSON.stringify(value, plain));
          if (++seen === count) resolve();
        } catch (e) { reject(e); }
      },
    });
  });
  clearTimeout(timer);
  await consumer.disconnect();
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
