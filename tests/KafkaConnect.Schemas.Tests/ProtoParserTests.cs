using KafkaConnect.Schemas.Protobuf;

namespace KafkaConnect.Schemas.Tests;

/// <summary>The .proto parser directly: protoc's checks and messages, scoping, imports from references and the known types.</summary>
public sealed class ProtoParserTests
{
    private static readonly Dictionary<string, string> s_none = [];

    private static ProtoFile Parse(string text, IReadOnlyDictionary<string, string>? references = null, bool undefinedWellKnown = false) =>
        new ProtoParser(references ?? s_none, undefinedWellKnown: undefinedWellKnown).Parse(text);

    [Theory]
    [InlineData("syntax = \"proto3\";\nmessage M {\n  strin a = 1;\n}", "3: \"strin\" is not defined.")]
    [InlineData("syntax = \"proto3\";\nmessage M { int32 a = 1; int32 b = 1; }", "Field number 1 has already been used in \"M\" by field \"a\".")]
    [InlineData("syntax = \"proto3\";\npackage p;\nmessage M { int32 a = 1; string a = 2; }", "3: \"a\" is already defined in \"p.M\".")]
    [InlineData("syntax = \"proto3\";\nmessage M { required int32 a = 1; }", "Required fields are not allowed in proto3.")]
    [InlineData("syntax = \"proto3\";\nmessage M { int32 a = 1 }", "Expected \";\", found \"}\"")]
    [InlineData("syntax = \"proto3\";\nmessage M { int32 a = 0; }", "Expected field number, found \"0\"")]
    [InlineData("syntax = \"proto3\";\nenum E { }", "Enums must contain at least one value: E")]
    [InlineData("syntax = \"proto3\";\nmesage M { }", "Expected top-level statement")]
    [InlineData("syntax = \"proto3\";\nimport \"other.proto\";\nmessage M { int32 a = 1; }", "Import \"other.proto\" was not found")]
    [InlineData("syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n", "Reached end of input in message definition")]
    public void Invalid_schemas_are_refused_with_protocs_messages(string schema, string message)
    {
        var e = Assert.Throws<SchemaParseException>(() => Parse(schema));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_carry_the_line()
    {
        var e = Assert.Throws<SchemaParseException>(() => Parse("syntax = \"proto3\";\nmessage M {\n  Missing m = 1;\n}"));
        Assert.Equal(3, e.Line);
        Assert.Equal("\"Missing\" is not defined.", e.Reason);
    }

    [Fact]
    public void Resolves_scopes_maps_oneofs_and_labels()
    {
        var file = Parse("""
            syntax = "proto3";
            package shop.v1;
            import "google/protobuf/timestamp.proto";
            message Order {
              repeated Line lines = 1;
              Order.State state = 2;
              map<string, Line> by_sku = 3;
              .google.protobuf.Timestamp at = 4;
              oneof payment { string card = 5; bytes token = 6; }
              optional int64 total = 7;
              enum State { NEW = 0; }
            }
            message Line { string sku = 1; }
            """);
        var order = file.Messages[0];
        Assert.Equal("shop.v1.Order", order.FullName);
        Assert.Equal(("repeated", true, "shop.v1.Line"), (order.ByNumber[1].Label, order.ByNumber[1].Repeated, order.ByNumber[1].TypeName));
        Assert.Equal("shop.v1.Order.State", order.ByNumber[2].TypeName);
        Assert.Equal(ProtoType.Enum, order.ByNumber[2].Type);
        var map = order.ByNumber[3];
        Assert.Equal((null, true), (map.Label, map.Repeated));
        Assert.True(map.MessageType!.IsMapEntry);
        Assert.Equal(ProtoType.String, map.MessageType.ByNumber[1].Type);
        Assert.Equal("google.protobuf.Timestamp", order.ByNumber[4].MessageType!.FullName); // the known type's built-in text
        Assert.True(order.ByNumber[5].InOneof);
        Assert.False(order.ByNumber[7].InOneof); // proto3 optional: a synthetic oneof
        Assert.Equal(["payment", "_total"], order.Oneofs.Select(o => o.Name));
    }

    [Fact]
    public void Imports_come_from_references_and_undefined_well_known_types_only_when_allowed()
    {
        var references = new Dictionary<string, string> { ["common.proto"] = "syntax = \"proto3\"; package c; message Id { string v = 1; }" };
        var file = Parse("syntax = \"proto3\"; import \"common.proto\"; message M { c.Id id = 1; }", references);
        Assert.Equal("c.Id", file.Messages[0].ByNumber[1].MessageType!.FullName);

        const string any = "syntax = \"proto3\"; import \"google/protobuf/any.proto\"; message M { google.protobuf.Any a = 1; }";
        Assert.Throws<SchemaParseException>(() => Parse(any));
        var lenient = Parse(any, undefinedWellKnown: true).Messages[0].ByNumber[1];
        Assert.Equal((ProtoType.Message, "google.protobuf.Any"), (lenient.Type, lenient.TypeName));
        Assert.Null(lenient.MessageType);
    }
}
