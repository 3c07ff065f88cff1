using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using static KafkaConnect.Connect.Avro.Tests.ConverterFixture;
using AvroSchemaModel = Avro.Schema;

namespace KafkaConnect.Connect.Avro.Tests;

/// <summary>
/// The main proof: Confluent's own .NET serdes (Confluent.SchemaRegistry.Serdes.Avro with Apache.Avro's GenericRecord)
/// as oracles. What their AvroSerializer writes our converter reads field for field, logical types included; what our
/// converter writes their AvroDeserializer reads. Both talk to the same registry over HTTP.
/// </summary>
public sealed class ConfluentInteropTests : IDisposable
{
    private const string OrderSchema = """
        {"type":"record","name":"Order","namespace":"interop","doc":"an order","fields":[
          {"name":"id","type":"long"},
          {"name":"name","type":"string"},
          {"name":"qty","type":"int","default":1},
          {"name":"price","type":"double"},
          {"name":"ratio","type":"float"},
          {"name":"paid","type":"boolean"},
          {"name":"raw","type":"bytes"},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
          {"name":"created","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"at","type":{"type":"int","logicalType":"time-millis"}},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"seen","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
          {"name":"cost","type":["null",{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}],"default":null},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"attrs","type":{"type":"map","values":"long"}},
          {"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
          {"name":"choice","type":["null","int","string"],"default":null},
          {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
          {"name":"inner","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}}]}
        """;

    private readonly TestRegistry _registry = TestRegistry.Start();
    private readonly CachedSchemaRegistryClient _confluentClient;

    public ConfluentInteropTests()
    {
        _confluentClient = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.Url });
    }

    public void Dispose()
    {
        _confluentClient.Dispose();
        _registry.Dispose();
    }

    [Fact]
    public async Task What_confluents_serializer_writes_our_converter_reads_field_for_field()
    {
        var avroSchema = (RecordSchema)AvroSchemaModel.Parse(OrderSchema);
        var record = new GenericRecord(avroSchema);
        record.Add("id", 1234567890123L);
        record.Add("name", "Zoë");
        record.Add("qty", 7);
        record.Add("price", 19.99);
        record.Add("ratio", 0.25f);
        record.Add("paid", true);
        record.Add("raw", new byte[] { 1, 2, 3 });
        record.Add("amount", new AvroDecimal(-1234.56m));
        record.Add("created", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123).UtcDateTime);
        record.Add("day", new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc));
        record.Add("at", new TimeSpan(0, 13, 14, 15, 16));
        record.Add("note", null);
        record.Add("seen", new DateTime(2020, 5, 6, 7, 8, 9, 10, DateTimeKind.Utc));
        record.Add("cost", new AvroDecimal(0.0001m));
        record.Add("tags", new object[] { "a", "b" });
        record.Add("attrs", new Dictionary<string, object> { ["k"] = 5L });
        record.Add("color", new GenericEnum((EnumSchema)avroSchema["color"].Schema, "GREEN"));
        record.Add("choice", "picked");
        record.Add("hash", new GenericFixed((FixedSchema)avroSchema["hash"].Schema, [9, 8, 7, 6]));
        var inner = new GenericRecord((RecordSchema)avroSchema["inner"].Schema);
        inner.Add("x", 42);
        record.Add("inner", inner);

        var serializer = new AvroSerializer<GenericRecord>(_confluentClient);
        var bytes = await serializer.SerializeAsync(record, new SerializationContext(MessageComponentType.Value, "orders"));

        using var converter = Converter(_registry.Url);
        var (schema, value) = converter.ToConnectData("orders", null, bytes);
        var s = Assert.IsType<Struct>(value);
        Assert.Equal("interop.Order", schema!.Name);
        Assert.Equal(1, schema.Version);
        Assert.Equal("an order", schema.Parameters["io.confluent.connect.avro.record.doc"]);
        Assert.Equal(1234567890123L, s.Get("id"));
        Assert.Equal("Zoë", s.Get("name"));
        Assert.Equal(7, s.Get("qty"));
        Assert.Equal(1, schema.GetField("qty")!.Schema.DefaultValue);
        Assert.Equal(19.99, s.Get("price"));
        Assert.Equal(0.25f, s.Get("ratio"));
        Assert.Equal(true, s.Get("paid"));
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])s.Get("raw")!);
        Assert.Equal(-1234.56m, s.Get("amount"));
        Assert.Equal(ConnectDecimal.LogicalName, schema.GetField("amount")!.Schema.Name);
        Assert.Equal("10", schema.GetField("amount")!.Schema.Parameters["connect.decimal.precision"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), s.Get("created"));
        Assert.Equal(new DateOnly(2024, 2, 29), s.Get("day"));
        Assert.Equal(new TimeOnly(13, 14, 15, 16), s.Get("at"));
        Assert.Null(s.Get("note"));
        Assert.True(schema.GetField("note")!.Schema.IsOptional);
        Assert.Equal(new DateTimeOffset(2020, 5, 6, 7, 8, 9, 10, TimeSpan.Zero), s.Get("seen"));
        Assert.Equal(KafkaConnect.Connect.Data.Timestamp.LogicalName, schema.GetField("seen")!.Schema.Name);
        Assert.True(schema.GetField("seen")!.Schema.IsOptional);
        Assert.Equal(0.0001m, s.Get("cost"));
        Assert.Equal(new List<object?> { "a", "b" }, (List<object?>)s.Get("tags")!);
        Assert.Equal(5L, ((IDictionary<object, object?>)s.Get("attrs")!)["k"]);
        Assert.Equal("GREEN", s.Get("color"));
        Assert.Equal("interop.Color", schema.GetField("color")!.Schema.Parameters["io.confluent.connect.avro.Enum"]);
        var choice = Assert.IsType<Struct>(s.Get("choice"));
        Assert.Equal("io.confluent.connect.avro.Union", choice.Schema.Name);
        Assert.Equal("picked", choice.Get("string"));
        Assert.Null(choice.Get("int"));
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, (byte[])s.Get("hash")!);
        Assert.Equal("4", schema.GetField("hash")!.Schema.Parameters["connect.fixed.size"]);
        Assert.Equal(42, ((Struct)s.Get("inner")!).Get("x"));
    }

    [Fact]
    public async Task What_our_converter_writes_confluents_deserializer_reads_field_for_field()
    {
        using var converter = Converter(_registry.Url);
        var value = Everything();
        var bytes = converter.FromConnectData("everything", null, value.Schema, value)!;

        var deserializer = new AvroDeserializer<GenericRecord>(_confluentClient);
        var record = await deserializer.DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, "everything"));
        Assert.Equal("com.example.Everything", record.Schema.Fullname);
        Assert.Equal(-8, record["i8"]);
        Assert.Equal(1600, record["i16"]);
        Assert.Equal(-320000, record["i32"]);
        Assert.Equal(long.MaxValue, record["i64"]);
        Assert.Equal(1.25f, record["f32"]);
        Assert.Equal(-2.5e300, record["f64"]);
        Assert.Equal(true, record["flag"]);
        Assert.Equal("héllo, wörld — ✓", record["text"]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, (byte[])record["raw"]);
        Assert.Equal(-12345.67m, (decimal)(AvroDecimal)record["amount"]);
        Assert.Equal(79228162514264337593543950335m, (decimal)(AvroDecimal)record["big"]);
        Assert.Equal(new DateTime(1969, 7, 20), ((DateTime)record["day"]).Date);
        Assert.Equal(new TimeSpan(0, 23, 59, 59, 999), record["at"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123).UtcDateTime, ((DateTime)record["created"]).ToUniversalTime());
        Assert.Equal("a note", record["note"]);
        Assert.Null(record["missing"]);
        Assert.Equal(42, record["withDefault"]);
        Assert.Equal(new object[] { "a", "b", "" }, (object[])record["tags"]);
        var scores = (IDictionary<string, object>)record["scores"];
        Assert.Equal(1.5, scores["x"]);
        Assert.Null(scores["y"]);
        var byId = ((object[])record["byId"]).Cast<GenericRecord>().ToDictionary(e => (int)e["key"], e => (string)e["value"]);
        Assert.Equal(new Dictionary<int, string> { [1] = "one", [-2] = "minus two" }, byId);
        var inner = (GenericRecord)record["inner"];
        Assert.Equal(7, inner["x"]);
        Assert.Null(inner["y"]);
        Assert.Null(record["maybeInner"]);
    }

    [Fact]
    public async Task A_record_read_from_confluent_and_written_back_by_us_reads_the_same_in_confluents_deserializer()
    {
        var avroSchema = (RecordSchema)AvroSchemaModel.Parse("""
            {"type":"record","name":"Reading","namespace":"iot","fields":[
              {"name":"sensor","type":"string"},
              {"name":"value","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":3}},
              {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"unit","type":["null","string"],"default":null}]}
            """);
        var record = new GenericRecord(avroSchema);
        record.Add("sensor", "t-1");
        record.Add("value", new AvroDecimal(21.125m));
        record.Add("at", new DateTime(2025, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        record.Add("unit", "C");
        var confluentBytes = await new AvroSerializer<GenericRecord>(_confluentClient)
            .SerializeAsync(record, new SerializationContext(MessageComponentType.Value, "readings"));

        using var converter = Converter(_registry.Url);
        var read = converter.ToConnectData("readings", null, confluentBytes);
        var ourBytes = converter.FromConnectData("readings-copy", null, read.Schema, read.Value)!;

        var again = await new AvroDeserializer<GenericRecord>(_confluentClient)
            .DeserializeAsync(ourBytes, false, new SerializationContext(MessageComponentType.Value, "readings-copy"));
        Assert.Equal("iot.Reading", again.Schema.Fullname);
        Assert.Equal("t-1", again["sensor"]);
        Assert.Equal(21.125m, (decimal)(AvroDecimal)again["value"]);
        Assert.Equal(new DateTime(2025, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc), ((DateTime)again["at"]).ToUniversalTime());
        Assert.Equal("C", again["unit"]);
    }

    [Fact]
    public async Task Schemaless_values_we_write_are_confluents_anything_records()
    {
        using var converter = Converter(_registry.Url);
        var bytes = converter.FromConnectData("loose", null, null, new List<object?> { 1L, "two" })!;
        var record = await new AvroDeserializer<GenericRecord>(_confluentClient)
            .DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, "loose"));
        Assert.Equal("io.confluent.connect.avro.Anything", record.Schema.Fullname);
        var items = ((object[])record["array"]).Cast<GenericRecord>().ToList();
        Assert.Equal(1L, items[0]["long"]);
        Assert.Equal("two", items[1]["string"]);
        Assert.Null(record["string"]);
    }

    [Fact]
    public async Task Primitive_keys_pass_both_ways_under_the_key_subject()
    {
        var keyBytes = await new AvroSerializer<string>(_confluentClient)
            .SerializeAsync("order-17", new SerializationContext(MessageComponentType.Key, "keyed"));
        using var keys = Converter(_registry.Url, isKey: true);
        var key = keys.ToConnectData("keyed", null, keyBytes);
        Assert.Equal(KafkaConnect.Connect.Data.SchemaType.String, key.Schema!.Type);
        Assert.Equal("order-17", key.Value);

        var ours = keys.FromConnectData("keyed", null, KafkaConnect.Connect.Data.Schema.Int64Schema, 99L)!;
        var back = await new AvroDeserializer<long>(_confluentClient)
            .DeserializeAsync(ours, false, new SerializationContext(MessageComponentType.Key, "keyed"));
        Assert.Equal(99L, back);
        var subjects = await _confluentClient.GetAllSubjectsAsync();
        Assert.Equal(["keyed-key"], subjects);
    }

    [Theory]
    [InlineData("enhanced.avro.schema.support")]
    [InlineData("generalized.sum.type.support")]
    public async Task Enums_and_unions_survive_a_trip_through_connect_in_enhanced_and_generalized_modes(string mode)
    {
        var avroSchema = (RecordSchema)AvroSchemaModel.Parse("""
            {"type":"record","name":"Pick","namespace":"sum","fields":[
              {"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
              {"name":"choice","type":["null","int","string"],"default":null}]}
            """);
        var record = new GenericRecord(avroSchema);
        record.Add("color", new GenericEnum((EnumSchema)avroSchema["color"].Schema, "BLUE"));
        record.Add("choice", 12);
        var bytes = await new AvroSerializer<GenericRecord>(_confluentClient)
            .SerializeAsync(record, new SerializationContext(MessageComponentType.Value, "picks"));

        using var converter = Converter(_registry.Url, false, (mode, "true"));
        var read = converter.ToConnectData("picks", null, bytes);
        var ours = converter.FromConnectData("picks-copy", null, read.Schema, read.Value)!;
        var written = AvroSchemaParser.Parse(_registry.SchemaById(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(1))));
        Assert.Equal(AvroType.Enum, written.GetField("color")!.Schema.Type);
        Assert.Equal(["RED", "GREEN", "BLUE"], written.GetField("color")!.Schema.Symbols);
        Assert.Equal(["null", "int", "string"], written.GetField("choice")!.Schema.Branches.Select(b => AvroSchema.TypeName(b.Type)));

        var again = await new AvroDeserializer<GenericRecord>(_confluentClient)
            .DeserializeAsync(ours, false, new SerializationContext(MessageComponentType.Value, "picks-copy"));
        Assert.Equal("BLUE", ((GenericEnum)again["color"]).Value);
        Assert.Equal(12, again["choice"]);
    }
}
