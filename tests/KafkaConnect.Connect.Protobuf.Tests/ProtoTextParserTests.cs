using KafkaConnect.Connect.Errors;
using KafkaConnect.Schemas.Protobuf;

namespace KafkaConnect.Connect.Protobuf.Tests;

public sealed class ProtoTextParserTests
{
    [Fact]
    public void Reads_past_what_it_does_not_need_and_resolves_names_by_scope()
    {
        const string text = """
            // A leading comment.
            syntax = "proto3";
            package a.b;
            option java_package = "x.y"; /* a block
               comment */
            import public "google/protobuf/timestamp.proto";

            message Outer {
              option deprecated = true;
              reserved 4, 6 to 8;
              reserved "gone";
              message Inner { Kind kind = 1; }
              enum Kind { option allow_alias = true; A = 0; B = 1 [deprecated = true]; C = 1; }
              Inner inner = 1 [deprecated = true, json_name = "in"];
              .a.b.Other other = 2;
              google.protobuf.Timestamp at = 3;
              repeated Outer.Kind kinds = 5 [packed = true];
              optional int32 maybe = 9;
              oneof choice { string s = 10; Other o = 11; }
              map<int32, Other> byId = 12;
            }
            message Other { }
            enum Top { T = 0; }
            service S { rpc Do (Outer) returns (Other); }
            extend Outer { }
            """;
        var file = ProtoSchemaParser.Parse(text);
        var outer = file.Messages[0];
        Assert.Equal("a.b.Outer", outer.FullName);
        Assert.Equal(["inner", "other", "at", "kinds", "maybe", "s", "o", "byId"], outer.Fields.Select(f => f.Name));
        Assert.Equal("a.b.Outer.Inner", outer.ByNumber[1].TypeName);
        Assert.Equal("a.b.Outer.Kind", outer.Nested[0].Fields[0].TypeName); // found one scope out
        Assert.Equal(ProtoType.Enum, outer.ByNumber[5].Type);
        Assert.Equal("google.protobuf.Timestamp", outer.ByNumber[3].TypeName);
        Assert.Equal(["choice", "_maybe"], outer.Oneofs.Select(o => o.Name)); // synthetic oneofs after the real ones
        Assert.Equal(1, outer.ByNumber[9].OneofIndex);
        Assert.Equal(0, outer.ByNumber[11].OneofIndex);
        var map = outer.ByNumber[12];
        Assert.True(map.Repeated);
        Assert.Equal("a.b.Outer.ByIdEntry", map.TypeName);
        Assert.True(map.MessageType!.IsMapEntry);
        Assert.Equal([("A", 0), ("B", 1), ("C", 1)], outer.Enums[0].Values);
        Assert.Equal(2, file.Messages.Count);
    }

    [Fact]
    public void Errors_name_the_line()
    {
        var e = Assert.Throws<DataException>(() => ProtoSchemaParser.Parse("syntax = \"proto3\";\nmessage M {\n  Missing m = 1;\n}"));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("Missing", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataException>(() => ProtoSchemaParser.Parse("syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n"));
    }
}
