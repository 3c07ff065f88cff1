using KafkaConnect.Schemas.Avro;

namespace KafkaConnect.Schemas.Tests;

/// <summary>The Avro model directly: Java Avro's parsing rules and messages, its Schema.toString() text, SchemaCompatibility.</summary>
public sealed class AvroSchemaTests
{
    private static AvroSchema Parse(string text) => AvroSchemaParser.Parse(text, [], validateDefaults: true);

    [Fact]
    public void Written_as_java_avros_to_string()
    {
        var s = Parse("""
            { "namespace": "a.b", "name": "R", "type": "record", "doc": "d", "aliases": ["a.b.Old", "c.Older"],
              "fields": [
                { "type": "string", "name": "s", "default": "x", "doc": "fd", "order": "descending", "aliases": ["t"], "extra": 1 },
                { "name": "e", "type": { "symbols": ["A","B"], "type": "enum", "name": "E", "default": "A" } },
                { "name": "e2", "type": "E" },
                { "name": "o", "type": { "type": "record", "name": "O", "namespace": "c", "fields": [ { "name": "back", "type": ["null", "a.b.E"] } ] } },
                { "name": "m", "type": { "type": "map", "values": { "type": "long", "logicalType": "timestamp-millis" } } },
                { "name": "f", "type": { "type": "fixed", "size": 16, "name": "F" } },
                { "name": "d", "type": "double", "default": 1e2 }
              ] }
            """);
        Assert.Equal("""{"type":"record","name":"R","namespace":"a.b","doc":"d","fields":[{"name":"s","type":"string","doc":"fd","default":"x","order":"descending","aliases":["t"],"extra":1},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}},{"name":"e2","type":"E"},{"name":"o","type":{"type":"record","name":"O","namespace":"c","fields":[{"name":"back","type":["null","a.b.E"]}]}},{"name":"m","type":{"type":"map","values":{"type":"long","logicalType":"timestamp-millis"}}},{"name":"f","type":{"type":"fixed","name":"F","size":16}},{"name":"d","type":"double","default":100.0}],"aliases":["Old","c.Older"]}""",
            AvroSchemaWriter.Write(s));
        Assert.Equal("\"int\"", AvroSchemaWriter.Write(Parse("""{"type":"int"}""")));
        Assert.Equal("""{"type":"error","name":"Oops","fields":[]}""", AvroSchemaWriter.Write(Parse("""{"type":"error","name":"Oops","fields":[]}""")));
    }

    [Fact]
    public void Types_from_references_are_written_as_names()
    {
        var root = AvroSchemaParser.Parse("""{"type":"record","name":"R","namespace":"x","fields":[{"name":"a","type":"x.A"},{"name":"b","type":"A"}]}""",
            ["""{"type":"enum","name":"A","namespace":"x","symbols":["Q"]}""", """{"type":"enum","name":"A","namespace":"x","symbols":["Q"]}"""],
            validateDefaults: true, out var known);
        Assert.Equal(["x.A"], known);
        Assert.Equal("""{"type":"record","name":"R","namespace":"x","fields":[{"name":"a","type":"A"},{"name":"b","type":"A"}]}""", AvroSchemaWriter.Write(root, known));
    }

    [Theory]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}""", "Duplicate field a in record R")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["X"]}}]}""", "Can't redefine: R")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"],"default":"B"}""", "The Enum Default: B is not in the enum symbol set: [A]")]
    [InlineData("""{"type":"record","name":"1R","fields":[]}""", "Illegal initial character: 1R")]
    [InlineData("""{"type":"array"}""", "Array has no items type")]
    [InlineData("""["int","int"]""", "Duplicate in union:int")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"u","type":["null","int"],"default":1}]}""", "Invalid default for field u")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"x","type":"Missing"}]}""", "\"Missing\" is not a defined name")]
    [InlineData("not json", "")]
    public void Invalid_schemas_are_refused_with_javas_messages(string schema, string message) =>
        Assert.Contains(message, Assert.Throws<SchemaParseException>(() => Parse(schema)).Message, StringComparison.Ordinal);

    [Fact]
    public void Defaults_are_validated_only_when_asked()
    {
        const string text = """{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":[1.23]}]}""";
        Assert.True(AvroSchemaParser.Parse(text).Fields[0].HasDefault);
        Assert.Throws<SchemaParseException>(() => Parse(text));
    }

    [Fact]
    public void Compatibility_messages_carry_javas_paths_and_types()
    {
        var old = Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"u","type":["int","string"]},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}]}""");
        var neu = Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"u","type":["int"]},{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"n","type":"long"}]}""");
        Assert.Equal(
        [
            "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the %s schema does not match with the %s schema', additionalInfo:'reader type: INT not compatible with writer type: STRING'}",
            "{errorType:'MISSING_UNION_BRANCH', description:'The %s schema is missing a type inside a union field at path '/fields/1/type/1' in the %s schema', additionalInfo:'reader union lacking writer type: STRING'}",
            "{errorType:'MISSING_ENUM_SYMBOLS', description:'The %s schema is missing enum symbols '[B, C]' at path '/fields/2/type/symbols' in the %s schema', additionalInfo:'[B, C]'}",
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'n' at path '/fields/3' in the %s schema has no default value and is missing in the %s schema', additionalInfo:'n'}",
        ], AvroCompatibility.Check(neu, old));
    }

    [Fact]
    public void The_same_primitive_mismatch_is_reported_at_each_place()
    {
        var old = Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"string"}]}""");
        var neu = Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}""");
        Assert.Equal(2, AvroCompatibility.Check(neu, old).Count);
    }

    [Fact]
    public void Recursive_types_are_checked()
    {
        var list = """{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}""";
        var wider = """{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"],"default":null}]}""";
        Assert.Empty(AvroCompatibility.Check(Parse(wider), Parse(list)));
        Assert.NotEmpty(AvroCompatibility.Check(Parse(list), Parse(wider)));
    }

    [Theory]
    [InlineData("\"long\"", "\"int\"", true)]
    [InlineData("\"int\"", "\"long\"", false)]
    [InlineData("\"bytes\"", "\"string\"", true)]
    [InlineData("[\"null\",\"string\"]", "\"string\"", true)]
    [InlineData("\"string\"", "[\"null\",\"string\"]", false)]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", true)]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", false)]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"Other","fields":[{"name":"a","type":"int"}]}""", false)]
    [InlineData("""{"type":"record","name":"R","aliases":["Other"],"fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"Other","fields":[{"name":"a","type":"int"}]}""", true)]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","B"]}""", """{"type":"enum","name":"E","symbols":["A"]}""", true)]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"]}""", """{"type":"enum","name":"E","symbols":["A","B"]}""", false)]
    [InlineData("""{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}""", """{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}""", true)]
    public void Schema_resolution_follows_avros_rules(string reader, string writer, bool compatible) =>
        Assert.Equal(compatible, AvroCompatibility.CanRead(AvroSchemaParser.Parse(reader), AvroSchemaParser.Parse(writer)));

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1e7, "1.0E7")]
    [InlineData(0.001, "0.001")]
    [InlineData(1.5e-4, "1.5E-4")]
    [InlineData(-123.25, "-123.25")]
    public void Numbers_are_written_as_javas_double_to_string(double value, string expected)
    {
        var sb = new System.Text.StringBuilder();
        AvroSchemaWriter.WriteJson(sb, System.Text.Json.Nodes.JsonValue.Create(value));
        Assert.Equal(expected, sb.ToString());
    }
}
