using System.Collections;

namespace KafkaConnect.Connect.Avro.Codec;

/// <summary>
/// Schemaless Connect values (a null schema) as Confluent writes them: the self-referencing record
/// <c>io.confluent.connect.avro.Anything</c> with one optional field per kind (boolean, bytes, double, float, int, long,
/// string, array of Anything, map as an array of Anything key/value entries); the one set holds the value.
/// </summary>
internal static class Anything
{
    public const string FullName = AvroData.Namespace + ".Anything";

    /// <summary>The schema text Confluent's AvroData registers (Avro's Java Schema.toString() of its ANYTHING_SCHEMA).</summary>
    public const string SchemaJson =
        """{"type":"record","name":"Anything","namespace":"io.confluent.connect.avro","fields":[{"name":"boolean","type":["null","boolean"],"default":null},{"name":"bytes","type":["null","bytes"],"default":null},{"name":"double","type":["null","double"],"default":null},{"name":"float","type":["null","float"],"default":null},{"name":"int","type":["null","int"],"default":null},{"name":"long","type":["null","long"],"default":null},{"name":"string","type":["null","string"],"default":null},{"name":"array","type":["null",{"type":"array","items":"Anything"}],"default":null},{"name":"map","type":["null",{"type":"array","items":{"type":"record","name":"MapEntry","fields":[{"name":"key","type":"Anything"},{"name":"value","type":"Anything"}]}}],"default":null}]}""";

    // Field positions in the record.
    private const int BooleanField = 0, BytesField = 1, DoubleField = 2, FloatField = 3, IntField = 4, LongField = 5, StringField = 6, ArrayField = 7, MapField = 8, FieldCount = 9;

    public static bool IsAnything(AvroSchema schema) =>
        schema.Type == AvroType.Record && schema.FullName == FullName && AvroSchemaWriter.Write(schema) == SchemaJson;

    public static Encoder Encoder { get; } = new AnythingEncoder();

    public static Decoder Decoder { get; } = new AnythingDecoder();

    private sealed class AnythingEncoder : Encoder
    {
        public override void Write(AvroOutput output, object value) => WriteValue(output, value);

        // Which field holds the value, by its CLR type (Confluent's schemaless Java types; int8/int16 widen to int).
        private static void WriteValue(AvroOutput output, object? value)
        {
            var field = value switch
            {
                null => -1,
                bool => BooleanField,
                double => DoubleField,
                float => FloatField,
                sbyte or short or int => IntField,
                long => LongField,
                string => StringField,
                IList and not byte[] => ArrayField,
                IDictionary => MapField,
                _ => throw new DataException($"Unknown type for schemaless data: {value.GetType()}"),
            };
            for (var i = 0; i < FieldCount; i++)
            {
                if (i != field)
                {
                    output.WriteInt(0);
                    continue;
                }
                output.WriteInt(1);
                switch (value)
                {
                    case bool b: output.WriteBoolean(b); break;
                    case double d: output.WriteDouble(d); break;
                    case float f: output.WriteFloat(f); break;
                    case sbyte v: output.WriteInt(v); break;
                    case short v: output.WriteInt(v); break;
                    case int v: output.WriteInt(v); break;
                    case long v: output.WriteLong(v); break;
                    case string s: output.WriteString(s); break;
                    case IList list:
                        if (list.Count > 0)
                        {
                            output.WriteLong(list.Count);
                            foreach (var element in list)
                            {
                                WriteValue(output, element);
                            }
                        }
                        output.WriteByte(0);
                        break;
                    case IDictionary map:
                        if (map.Count > 0)
                        {
                            output.WriteLong(map.Count);
                            foreach (DictionaryEntry entry in map)
                            {
                                WriteValue(output, entry.Key);
                                WriteValue(output, entry.Value);
                            }
                        }
                        output.WriteByte(0);
                        break;
                }
            }
        }
    }

    private sealed class AnythingDecoder : Decoder
    {
        public override object? Read(ref AvroInput input) => ReadValue(ref input, 0);

        // Every field is read (they all take bytes); the first one set wins, in the record's order, as in Confluent's reader.
        private static object? ReadValue(ref AvroInput input, int depth)
        {
            if (depth > 200)
            {
                throw Malformed("schemaless value nested more than 200 deep");
            }
            object? result = null;
            for (var i = 0; i < FieldCount; i++)
            {
                var branch = input.ReadLong();
                if (branch == 0)
                {
                    continue;
                }
                if (branch != 1)
                {
                    throw Malformed($"union branch {branch} of 2");
                }
                object value = i switch
                {
                    BooleanField => input.ReadBoolean(),
                    BytesField => input.ReadLengthPrefixed().ToArray(),
                    DoubleField => input.ReadDouble(),
                    FloatField => input.ReadFloat(),
                    IntField => input.ReadInt(),
                    LongField => input.ReadLong(),
                    StringField => input.ReadString(),
                    ArrayField => ReadList(ref input, depth),
                    _ => ReadMap(ref input, depth),
                };
                result ??= value;
            }
            return result;
        }

        private static List<object?> ReadList(ref AvroInput input, int depth)
        {
            var list = new List<object?>();
            for (var count = input.ReadBlockCount(); count != 0; count = input.ReadBlockCount())
            {
                ArrayDecoder.GuardCount(count, ref input);
                for (var i = 0L; i < count; i++)
                {
                    list.Add(ReadValue(ref input, depth + 1));
                }
            }
            return list;
        }

        private static Dictionary<object, object?> ReadMap(ref AvroInput input, int depth)
        {
            var map = new Dictionary<object, object?>();
            for (var count = input.ReadBlockCount(); count != 0; count = input.ReadBlockCount())
            {
                ArrayDecoder.GuardCount(count, ref input);
                for (var i = 0L; i < count; i++)
                {
                    var key = ReadValue(ref input, depth + 1) ?? throw new DataException("Null map key: Connect maps cannot hold one");
                    map[key] = ReadValue(ref input, depth + 1);
                }
            }
            return map;
        }
    }
}
