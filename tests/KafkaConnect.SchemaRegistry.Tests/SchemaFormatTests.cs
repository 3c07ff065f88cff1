using KafkaConnect.SchemaRegistry.Schemas;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>The registry's side of the formats: errors answered as 42201 details, canonical text, the Protobuf diff (the parsers' own tests are KafkaConnect.Schemas.Tests').</summary>
public sealed class SchemaFormatTests
{
    private static ParsedSchema Parse(string type, string text) => ParsedSchema.Parse(type, text, []);

    private static string ParseError(string type, string text) =>
        Assert.Throws<RegistryException>(() => Parse(type, text)).Message;

    [Fact]
    public void Avro_CanonicalIsJavaAvrosToString()
    {
        // Java Avro's rendering itself is KafkaConnect.Schemas' (its tests); here, that the registry stores it.
        var s = Parse("AVRO", """{ "namespace": "a.b", "name": "R", "type": "record", "fields": [ { "type": "string", "name": "s" } ] }""");
        Assert.Equal("""{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"s","type":"string"}]}""", s.Canonical);
    }

    [Theory]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}""", "Duplicate field a in record R")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"u","type":["null","int"],"default":1}]}""", "Invalid default for field u")]
    public void Avro_InvalidSchemas(string schema, string message)
    {
        var error = ParseError("AVRO", schema);
        Assert.StartsWith("Invalid schema of type AVRO, details: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Avro_MessagesNameTheSides()
    {
        // The checks and their messages are KafkaConnect.Schemas' (its tests); here, the registry's "new"/"old" wording.
        var old = Parse("AVRO", """{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""");
        var neu = Parse("AVRO", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        Assert.Equal(
            "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: INT not compatible with writer type: STRING'}",
            Assert.Single(neu.ReadsFrom(old).Select(m => ParsedSchema.FormatSides(m, "new", "old"))));
    }

    [Theory]
    [InlineData("syntax = \"proto3\";\nmessage M {\n  strin a = 1;\n}", "3: \"strin\" is not defined.")]
    [InlineData("syntax = \"proto3\";\nimport \"other.proto\";\nmessage M { int32 a = 1; }", "Import \"other.proto\" was not found")]
    public void Protobuf_InvalidSchemas(string schema, string message)
    {
        var error = ParseError("PROTOBUF", schema);
        Assert.StartsWith("Invalid schema of type PROTOBUF, details: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Protobuf_ResolvesScopesMapsOneofsAndWellKnownTypes()
    {
        var text = """
            syntax = "proto3";
            package shop.v1;
            import "google/protobuf/timestamp.proto";
            option java_package = "x.y";
            /* an order */
            message Order {
              message Line { string sku = 1; int32 qty = 2 [deprecated = true]; }
              enum State { STATE_UNSPECIFIED = 0; PAID = 1; }
              repeated Line lines = 1;
              State state = 2;
              map<string, Line> by_sku = 3;
              google.protobuf.Timestamp at = 4;
              oneof payment { string card = 5; string iban = 6; }
              reserved 9, 10 to 12;
            }
            service Orders { rpc Get (Order) returns (Order) { option idempotency_level = NO_SIDE_EFFECTS; } }
            """;
        var schema = Parse("PROTOBUF", text);
        Assert.Equal(text.Trim(), schema.Canonical);
        // State is an enum: changing it to int32 stays in the varint group; the Line message cannot become a string.
        var enumToInt = Parse("PROTOBUF", text.Replace("State state = 2;", "int32 state = 2;", StringComparison.Ordinal));
        Assert.Empty(enumToInt.ReadsFrom(schema));
        var lineToString = Parse("PROTOBUF", text.Replace("repeated Line lines = 1;", "repeated string lines = 1;", StringComparison.Ordinal));
        Assert.Contains("FIELD_KIND_CHANGED", Assert.Single(lineToString.ReadsFrom(schema)), StringComparison.Ordinal);
        var mapValue = Parse("PROTOBUF", text.Replace("map<string, Line> by_sku = 3;", "map<string, int64> by_sku = 3;", StringComparison.Ordinal));
        Assert.NotEmpty(mapValue.ReadsFrom(schema));
        var oneofRemoved = Parse("PROTOBUF", text.Replace(" string iban = 6;", "", StringComparison.Ordinal));
        Assert.Equal("{errorType:\"ONEOF_FIELD_REMOVED\", description:\"The %s schema is missing a oneof field at path '#/Order/6' in the %s schema\"}",
            Assert.Single(oneofRemoved.ReadsFrom(schema)));
        var nestedChanged = Parse("PROTOBUF", text.Replace("string sku = 1;", "int64 sku = 1;", StringComparison.Ordinal));
        Assert.Contains(nestedChanged.ReadsFrom(schema), m => m.Contains("FIELD_SCALAR_KIND_CHANGED", StringComparison.Ordinal));
    }
}
