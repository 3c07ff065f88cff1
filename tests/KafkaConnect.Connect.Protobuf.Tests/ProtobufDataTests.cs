using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Tests.Shared;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Protobuf.Tests;

public sealed class ProtobufDataTests
{
    internal static readonly Schema OrderSchema = TestRecords.OrderSchema;

    internal static Struct Order() => TestRecords.Order();

    private static readonly ProtobufData Data = new(new ProtobufDataConfig());

    internal const string OrderProto = """
        syntax = "proto3";
        package com.example;

        import "confluent/meta.proto";
        import "confluent/type/decimal.proto";
        import "google/protobuf/timestamp.proto";

        message Order {
          int32 id = 1;
          string name = 2;
          .confluent.type.Decimal amount = 3 [(confluent.field_meta) = {
            params: [
              {
                key: "scale",
                value: "2"
              }
            ]
          }];
          .google.protobuf.Timestamp created = 4;
          repeated string tags = 5;
          bool ok = 6;
        }

        """;

    [Fact]
    public void Struct_schema_becomes_a_proto3_message_with_Confluents_types()
    {
        Assert.Equal(OrderProto.ReplaceLineEndings("\n"), Data.FromConnectSchema(OrderSchema));
    }

    // Field numbers in order, proto3 defaults left out, Decimal as {value, precision, scale}, Timestamp as
    // {seconds, nanos}, strings unpacked: computed by hand from the encoding rules.
    [Fact]
    public void Struct_value_encodes_to_the_expected_bytes_and_back()
    {
        var message = ProtoSchemaParser.Parse(OrderProto).Messages[0];
        var writer = ProtoWriter.Rent();
        Data.Write(writer, Data.Plan(message, OrderSchema), Order());
        var bytes = writer.Written.ToArray();
        ProtoWriter.Return(writer);
        Assert.Equal("082a1a080a0204d210041802220c08a5facdac061080eba5c3022a01612a01623001", Convert.ToHexString(bytes).ToLowerInvariant());
        // proto3 has no null string: the unset name reads back as "" (as Confluent's converter reads it).
        Assert.Equal(Order().Put("name", ""), Data.Read(bytes, Data.Plan(message, OrderSchema)));
    }

    [Fact]
    public void Registered_message_reads_as_Confluent_maps_it()
    {
        var schema = Data.ToConnectSchema(ProtoSchemaParser.Parse(OrderProto).Messages[0], version: 2);
        Assert.Equal("Order", schema.Name);
        Assert.Equal(2, schema.Version);
        Assert.All(schema.Fields, f => Assert.True(f.Schema.IsOptional));
        Assert.Equal("3", schema.GetField("amount")!.Schema.Parameters["io.confluent.connect.protobuf.Tag"]);
        Assert.Equal(ConnectDecimal.LogicalName, schema.GetField("amount")!.Schema.Name);
        Assert.Equal("2", schema.GetField("amount")!.Schema.Parameters["scale"]);
        Assert.Equal(Timestamp.LogicalName, schema.GetField("created")!.Schema.Name);
        Assert.Equal(SchemaType.Array, schema.GetField("tags")!.Schema.Type);
    }

    [Fact]
    public void Unset_scalars_read_as_proto3_defaults_and_unset_messages_as_null()
    {
        var message = ProtoSchemaParser.Parse(OrderProto).Messages[0];
        var schema = Data.ToConnectSchema(message);
        var value = Data.Read([], Data.Plan(message, schema));
        Assert.Equal(0, value.Get("id"));
        Assert.Equal("", value.Get("name"));
        Assert.Null(value.Get("amount"));
        Assert.Equal(new List<object?>(), value.Get("tags"));
        Assert.Equal(false, value.Get("ok"));
    }

    [Fact]
    public void Int8_and_int16_carry_connect_type_and_come_back_as_such()
    {
        var schema = SchemaBuilder.Struct().Name("S").Field("b", Schema.Int8Schema).Field("s", Schema.Int16Schema).Build();
        var text = Data.FromConnectSchema(schema);
        Assert.Contains("key: \"connect.type\",\n        value: \"int8\"", text, StringComparison.Ordinal);
        var back = Data.ToConnectSchema(ProtoSchemaParser.Parse(text).Messages[0]);
        Assert.Equal(SchemaType.Int8, back.GetField("b")!.Schema.Type);
        Assert.Equal(SchemaType.Int16, back.GetField("s")!.Schema.Type);
    }

    [Fact]
    public void Maps_use_proto3_map_syntax_where_it_allows_and_entry_messages_elsewhere()
    {
        var value = SchemaBuilder.Struct().Name("V").Field("x", Schema.Int32Schema).Build();
        var schema = SchemaBuilder.Struct().Name("M")
            .Field("plain", SchemaBuilder.Map(Schema.StringSchema, value).Build())
            .Field("bytesKeyed", SchemaBuilder.Map(Schema.BytesSchema, Schema.StringSchema).Build())
            .Build();
        var text = Data.FromConnectSchema(schema);
        Assert.Contains("  map<string, V> plain = 1;\n", text, StringComparison.Ordinal);
        Assert.Contains("  repeated ConnectDefault2Entry bytesKeyed = 2;\n", text, StringComparison.Ordinal);
        Assert.Contains("  message ConnectDefault2Entry {\n    bytes key = 1;\n    string value = 2;\n  }\n", text, StringComparison.Ordinal);
        var parsed = Data.ToConnectSchema(ProtoSchemaParser.Parse(text).Messages[0]);
        Assert.Equal(SchemaType.Map, parsed.GetField("plain")!.Schema.Type);
        Assert.Equal(SchemaType.Struct, parsed.GetField("plain")!.Schema.ValueSchema!.Type);
        Assert.Equal(SchemaType.Map, parsed.GetField("bytesKeyed")!.Schema.Type);
    }

    private const string RichProto = """
        syntax = "proto3";
        package shop;

        import "google/type/date.proto";
        import "google/type/timeofday.proto";
        import "google/protobuf/wrappers.proto";

        message Basket {
          map<string, int64> counts = 1;
          Item first = 2;
          repeated Item items = 3;
          Colour colour = 4;
          oneof contact {
            string email = 5;
            sint32 phone = 6;
          }
          google.type.Date day = 7;
          google.type.TimeOfDay at = 8;
          google.protobuf.StringValue note = 9;
          repeated sint64 deltas = 10;
          optional fixed32 code = 11;

          message Item {
            string sku = 1;
            double price = 2;
          }
          enum Colour {
            RED = 0;
            BLUE = 1;
          }
        }
        """;

    [Fact]
    public void Maps_nested_messages_enums_oneofs_and_logical_types_round_trip()
    {
        var message = ProtoSchemaParser.Parse(RichProto).Messages[0];
        var schema = Data.ToConnectSchema(message);
        Assert.Equal("contact_0", schema.Fields[0].Name);
        Assert.Equal("io.confluent.connect.protobuf.Union.contact", schema.Fields[0].Schema.Name);
        Assert.Equal("counts", schema.GetField("counts")!.Schema.Name);
        Assert.Equal("1", schema.GetField("colour")!.Schema.Parameters["io.confluent.connect.protobuf.Enum.BLUE"]);
        Assert.Equal(SchemaType.Struct, schema.GetField("note")!.Schema.Type);

        var item = schema.GetField("first")!.Schema;
        var union = new Struct(schema.Fields[0].Schema).Put("phone", -3);
        var value = new Struct(schema)
            .Put("contact_0", union)
            .Put("counts", new Dictionary<object, object?> { ["x"] = 2L, ["y"] = 0L })
            .Put("first", new Struct(item).Put("sku", "A1").Put("price", 9.5))
            .Put("items", new List<object?> { new Struct(schema.GetField("items")!.Schema.ValueSchema!).Put("sku", "B2").Put("price", 0.0) })
            .Put("colour", "BLUE")
            .Put("day", new DateOnly(2024, 2, 29))
            .Put("at", new TimeOnly(13, 14, 15, 16))
            .Put("note", new Struct(schema.GetField("note")!.Schema).Put("value", "hi"))
            .Put("deltas", new List<object?> { -1L, 300L })
            .Put("code", 4000000000L);
        var plan = Data.Plan(message, schema);
        var writer = ProtoWriter.Rent();
        Data.Write(writer, plan, value);
        var bytes = writer.Written.ToArray();
        ProtoWriter.Return(writer);
        Assert.Equal(value, Data.Read(bytes, plan));
    }

    [Fact]
    public void Truncated_or_corrupt_bytes_are_DataExceptions()
    {
        var message = ProtoSchemaParser.Parse(OrderProto).Messages[0];
        var plan = Data.Plan(message, OrderSchema);
        var bytes = Convert.FromHexString("082a1a080a0204d210041802220c08a5facdac061080eba5c3022a01612a01623001");
        var e = Assert.Throws<DataException>(() => Data.Read(bytes.AsSpan(0, 16), plan));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => Data.Read([0x0D, 1, 2, 3, 4], plan)); // field 1 as fixed32: wrong wire type
    }

    [Fact]
    public void Schema_text_that_does_not_parse_is_a_DataException_with_the_place()
    {
        var e = Assert.Throws<DataException>(() => ProtoSchemaParser.Parse("syntax = \"proto3\"; message M { int32 a = ; }"));
        Assert.Contains("Invalid Protobuf schema", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => ProtoSchemaParser.Parse("syntax = \"proto3\"; import \"other.proto\"; message M { Other a = 1; }"));
    }
}
