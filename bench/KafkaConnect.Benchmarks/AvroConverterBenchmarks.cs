using System.Buffers.Binary;
using Avro.Generic;
using Avro.IO;
using BenchmarkDotNet.Attributes;
using KafkaConnect.Connect.Avro;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Json;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Schemas.Avro;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// AvroConverter beside JsonConverter (schemas.enable=true) on one 10-field struct with a decimal, a timestamp, an
/// optional string and an array, Connect → bytes and bytes → Connect; and, for the codec choice, the same record through
/// Apache.Avro's GenericRecord with GenericDatumWriter/Reader. Schema ids are registered in the set-up: only cache hits
/// are measured, as in a running connector.
/// </summary>
[MemoryDiagnoser]
public class AvroConverterBenchmarks
{
    private const int SchemaId = 1;

    private Schema _schema = Schema.StringSchema;
    private Struct _value = null!;
    private AvroConverter _avro = null!;
    private JsonConverter _json = null!;
    private byte[] _avroBytes = [];
    private byte[] _jsonBytes = [];
    private ReadOnlyMemory<byte> _avroInBatch;
    private Avro.RecordSchema _apacheSchema = null!;
    private GenericDatumWriter<GenericRecord> _apacheWriter = null!;
    private GenericDatumReader<GenericRecord> _apacheReader = null!;

    [GlobalSetup]
    public void Setup()
    {
        _schema = BenchOrder.Schema;
        _value = BenchOrder.Value();

        var schemaText = AvroSchemaWriter.Write(new AvroData(new AvroDataOptions()).FromConnectSchema(_schema));
        _avro = new AvroConverter(new PreRegistered(new RegistrySchema(schemaText)));
        _avro.Configure(new Dictionary<string, string> { ["schema.registry.url"] = "http://127.0.0.1:1" }, isKey: false);
        _json = new JsonConverter();
        _json.Configure(new Dictionary<string, string> { ["schemas.enable"] = "true" }, isKey: false);
        _avroBytes = _avro.FromConnectData("bench", null, _schema, _value)!;
        _avro.ToConnectData("bench", null, _avroBytes);
        _jsonBytes = _json.FromConnectData("bench", null, _schema, _value)!;
        var buffer = new byte[_avroBytes.Length + 64];
        _avroBytes.CopyTo(buffer, 32);
        _avroInBatch = buffer.AsMemory(32, _avroBytes.Length);

        _apacheSchema = (Avro.RecordSchema)Avro.Schema.Parse(schemaText);
        _apacheWriter = new GenericDatumWriter<GenericRecord>(_apacheSchema);
        _apacheReader = new GenericDatumReader<GenericRecord>(_apacheSchema, _apacheSchema);
        if (!ApacheToBytes().AsSpan().SequenceEqual(_avroBytes))
        {
            throw new InvalidOperationException("Apache.Avro and our codec disagree on the bytes");
        }
    }

    [Benchmark]
    [Work(1)]
    public byte[] AvroToBytes() => _avro.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? AvroFromBytes() => _avro.ToConnectDataBorrowed("bench", null, _avroInBatch).Value;

    [Benchmark]
    [Work(1)]
    public byte[] JsonToBytes() => _json.FromConnectData("bench", null, _schema, _value)!;

    [Benchmark]
    [Work(1)]
    public object? JsonFromBytes() => _json.ToConnectData("bench", null, _jsonBytes).Value;

    /// <summary>The alternative codec: Connect → GenericRecord → GenericDatumWriter, with the same header.</summary>
    [Benchmark]
    [Work(1)]
    public byte[] ApacheToBytes()
    {
        var record = new GenericRecord(_apacheSchema);
        record.Add("id", _value.Get("id"));
        record.Add("customer", _value.Get("customer"));
        record.Add("quantity", _value.Get("quantity"));
        record.Add("price", _value.Get("price"));
        record.Add("discount", _value.Get("discount"));
        record.Add("paid", _value.Get("paid"));
        record.Add("created", ((DateTimeOffset)_value.Get("created")!).UtcDateTime);
        record.Add("amount", new Avro.AvroDecimal((decimal)_value.Get("amount")!));
        record.Add("note", _value.Get("note"));
        record.Add("tags", ((List<object?>)_value.Get("tags")!).ToArray());
        using var stream = new MemoryStream(64);
        Span<byte> header = stackalloc byte[5];
        BinaryPrimitives.WriteInt32BigEndian(header[1..], SchemaId);
        stream.Write(header);
        _apacheWriter.Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>The alternative codec: GenericDatumReader → GenericRecord → Connect.</summary>
    [Benchmark]
    [Work(1)]
    public object? ApacheFromBytes()
    {
        using var stream = new MemoryStream(_avroBytes, 5, _avroBytes.Length - 5, writable: false);
        var record = _apacheReader.Read(null!, new BinaryDecoder(stream));
        return new Struct(_schema)
            .Put("id", record["id"])
            .Put("customer", record["customer"])
            .Put("quantity", record["quantity"])
            .Put("price", record["price"])
            .Put("discount", record["discount"])
            .Put("paid", record["paid"])
            .Put("created", new DateTimeOffset((DateTime)record["created"]))
            .Put("amount", (decimal)(Avro.AvroDecimal)record["amount"])
            .Put("note", record["note"])
            .Put("tags", new List<object?>((object[])record["tags"]));
    }

    /// <summary>Answers as a registry that already holds the schema under id 1; measured calls never reach it.</summary>
    private sealed class PreRegistered(RegistrySchema schema) : ISchemaRegistryClient
    {
        public int Register(string subject, RegistrySchema s, bool normalize = false) => SchemaId;

        public RegisteredSchema Lookup(string subject, RegistrySchema s, bool normalize = false) => new(subject, SchemaId, 1, schema);

        public RegistrySchema GetById(int id) => schema;

        public RegisteredSchema GetLatest(string subject) => new(subject, SchemaId, 1, schema);

        public RegisteredSchema GetVersion(string subject, int version) => new(subject, SchemaId, 1, schema);

        public bool TestCompatibility(string subject, RegistrySchema s, string version = "latest") => true;

        public void Dispose()
        {
        }
    }
}
