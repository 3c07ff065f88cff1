using System.Collections;
using System.Numerics;

namespace KafkaConnect.Connect.Avro.Codec;

/// <summary>
/// Writes one Connect value in Avro binary. A tree of encoders is compiled once per (Connect schema, Avro writer schema)
/// and walked per record: Connect values go straight to bytes, with no intermediate Avro objects.
/// </summary>
internal abstract class Encoder
{
    public abstract void Write(AvroOutput output, object value);

    /// <summary>Builds the encoder tree; the Avro schema is the writer schema (ours, or the registry's latest).</summary>
    /// <exception cref="DataException">The Connect schema cannot be written with that Avro schema.</exception>
    public static Encoder Build(AvroData data, Schema schema, AvroSchema avro) => new Builder(data).Build(schema, avro);

    private sealed class Builder(AvroData data)
    {
        public Encoder Build(Schema schema, AvroSchema avro)
        {
            if (AvroData.IsUnionSchema(schema))
            {
                return BuildUnionStruct(schema, avro);
            }
            if (avro.Type == AvroType.Union)
            {
                // An optional Connect value: [null, T] or [T, null]; the member is the one that fits the schema.
                var nullIndex = -1;
                var memberIndex = -1;
                for (var i = 0; i < avro.Branches.Count; i++)
                {
                    var branch = avro.Branches[i];
                    if (branch.Type == AvroType.Null)
                    {
                        nullIndex = nullIndex < 0 ? i : nullIndex;
                    }
                    else if (memberIndex < 0 && Fits(schema, branch))
                    {
                        memberIndex = i;
                    }
                }
                if (memberIndex < 0)
                {
                    throw new DataException($"No member of the Avro union {avro} fits {schema}");
                }
                return new NullableEncoder(nullIndex, memberIndex, Build(schema, avro.Branches[memberIndex]));
            }
            if (!Fits(schema, avro))
            {
                throw new DataException($"Cannot write {schema} as Avro {avro}");
            }
            switch (schema.Name)
            {
                case ConnectDecimal.LogicalName:
                    return new DecimalEncoder(schema, avro.Type == AvroType.Fixed ? avro.FixedSize : -1);
                case Date.LogicalName:
                    return new DateEncoder(schema);
                case Time.LogicalName:
                    return new TimeEncoder(schema);
                case Timestamp.LogicalName:
                    return new TimestampEncoder(schema);
            }
            switch (schema.Type)
            {
                case SchemaType.Int8: return PrimitiveEncoder.Int8;
                case SchemaType.Int16: return PrimitiveEncoder.Int16;
                case SchemaType.Int32: return PrimitiveEncoder.Int32;
                case SchemaType.Int64: return PrimitiveEncoder.Int64;
                case SchemaType.Float32: return PrimitiveEncoder.Float32;
                case SchemaType.Float64: return PrimitiveEncoder.Float64;
                case SchemaType.Boolean: return PrimitiveEncoder.Boolean;
                case SchemaType.String: return avro.Type == AvroType.Enum ? new EnumEncoder(avro) : PrimitiveEncoder.String;
                case SchemaType.Bytes: return avro.Type == AvroType.Fixed ? new FixedEncoder(avro.FixedSize) : PrimitiveEncoder.Bytes;
                case SchemaType.Array: return new ArrayEncoder(Build(schema.ValueSchema!, avro.ItemSchema!));
                case SchemaType.Map:
                    if (avro.Type == AvroType.Map)
                    {
                        return new StringMapEncoder(Build(schema.ValueSchema!, avro.ItemSchema!));
                    }
                    var entry = avro.ItemSchema!;
                    var key = entry.GetField(AvroData.KeyField) ?? throw new DataException($"Map entry record {entry.FullName} has no key field");
                    var value = entry.GetField(AvroData.ValueField) ?? throw new DataException($"Map entry record {entry.FullName} has no value field");
                    return new EntryMapEncoder(Build(schema.KeySchema!, key.Schema), Build(schema.ValueSchema!, value.Schema), key.Position == 0,
                        schema.KeySchema!.IsOptional, schema.ValueSchema!.IsOptional);
                case SchemaType.Struct:
                    return BuildStruct(schema, avro);
                default:
                    throw new DataException("Unknown schema type: " + schema.Type);
            }
        }

        private StructEncoder BuildStruct(Schema schema, AvroSchema avro)
        {
            var fields = new StructEncoder.Slot[avro.Fields.Count];
            var byAvroName = new Dictionary<string, Field>(StringComparer.Ordinal);
            foreach (var field in schema.Fields)
            {
                byAvroName[data.ScrubName(field.Name)] = field;
            }
            var matched = 0;
            foreach (var avroField in avro.Fields)
            {
                if (byAvroName.TryGetValue(avroField.Name, out var field))
                {
                    fields[avroField.Position] = new StructEncoder.Slot(field, Build(field.Schema, avroField.Schema), field.Schema.IsOptional);
                    matched++;
                }
                else if (avroField.HasDefault)
                {
                    // A writer schema (the subject's latest) with a field the record lacks: its default, as Avro's record builder fills it.
                    fields[avroField.Position] = new StructEncoder.Slot(null, new ConstantEncoder(DefaultEncoding.Encode(avroField.Schema, avroField.Default)), false);
                }
                else
                {
                    throw new DataException($"Avro field {avroField.Name} of {avro.FullName} has no Connect field in {schema} and no default");
                }
            }
            if (matched != schema.Fields.Count)
            {
                throw new DataException($"Connect schema {schema} has fields that Avro record {avro.FullName} lacks");
            }
            return new StructEncoder(schema, fields, data.Options.IgnoreDefaultForNullables);
        }

        private Encoder BuildUnionStruct(Schema schema, AvroSchema avro)
        {
            if (avro.Type != AvroType.Union)
            {
                throw new DataException($"Connect union {schema} needs an Avro union, not {avro}");
            }
            var nullIndex = avro.Branches.ToList().FindIndex(b => b.Type == AvroType.Null);
            var members = new List<(Field, int, Encoder)>();
            foreach (var field in schema.Fields)
            {
                var index = -1;
                for (var i = 0; i < avro.Branches.Count; i++)
                {
                    var branch = avro.Branches[i];
                    if (branch.Type != AvroType.Null && Fits(field.Schema, branch) && data.UnionMemberFieldName(branch, i) == data.UnionMemberFieldName(field.Schema, i))
                    {
                        index = i;
                        break;
                    }
                }
                if (index < 0)
                {
                    throw new DataException($"Union member {field.Name} has no branch in {avro}");
                }
                members.Add((field, index, Build(AvroData.NonOptional(field.Schema), avro.Branches[index])));
            }
            return new UnionStructEncoder(members.ToArray(), nullIndex, data.Options.IgnoreDefaultForNullables);
        }

        // Whether a (non-union) Avro schema can hold values of the Connect schema.
        private static bool Fits(Schema schema, AvroSchema avro)
        {
            if (AvroData.IsUnionSchema(schema))
            {
                return avro.Type == AvroType.Union;
            }
            return schema.Type switch
            {
                SchemaType.Int8 or SchemaType.Int16 or SchemaType.Int32 => avro.Type == AvroType.Int,
                SchemaType.Int64 => avro.Type == AvroType.Long,
                SchemaType.Float32 => avro.Type == AvroType.Float,
                SchemaType.Float64 => avro.Type == AvroType.Double,
                SchemaType.Boolean => avro.Type == AvroType.Boolean,
                SchemaType.String => avro.Type is AvroType.String or AvroType.Enum,
                SchemaType.Bytes => avro.Type is AvroType.Bytes or AvroType.Fixed,
                SchemaType.Array => avro.Type == AvroType.Array && !IsEntryArray(avro),
                SchemaType.Map => avro.Type == AvroType.Map || IsEntryArray(avro),
                SchemaType.Struct => avro.Type == AvroType.Record,
                _ => false,
            };
        }

        private static bool IsEntryArray(AvroSchema avro) =>
            avro.Type == AvroType.Array && avro.ItemSchema!.Type == AvroType.Record
            && ((avro.ItemSchema.Namespace == AvroData.Namespace && avro.ItemSchema.Name == AvroData.MapEntryTypeName)
                || avro.ItemSchema.GetStringProp(AvroData.ConnectInternalTypeName) == AvroData.MapEntryTypeName);
    }

    internal static DataException NullForRequired() => new("Found null value for non-optional schema");

    internal static DataException WrongType(string expected, object value) =>
        new($"Invalid type for {expected}: {value.GetType()}");
}

internal sealed class NullableEncoder(int nullIndex, int memberIndex, Encoder member) : Encoder
{
    public override void Write(AvroOutput output, object value)
    {
        output.WriteInt(memberIndex);
        member.Write(output, value);
    }

    /// <summary>Writes the null branch; callers check for null before calling <see cref="Write"/>.</summary>
    public void WriteNull(AvroOutput output) =>
        output.WriteInt(nullIndex >= 0 ? nullIndex : throw NullForRequired());

    internal static void WriteMaybeNull(AvroOutput output, Encoder encoder, object? value, bool optional)
    {
        if (value is not null)
        {
            encoder.Write(output, value);
        }
        else if (optional && encoder is NullableEncoder nullable)
        {
            nullable.WriteNull(output);
        }
        else if (encoder is UnionStructEncoder union)
        {
            union.WriteNull(output);
        }
        else
        {
            throw NullForRequired();
        }
    }
}

/// <summary>Primitives: one class, the write step as a static lambda (exact CLR types, as Connect's validation demands).</summary>
internal sealed class PrimitiveEncoder(Action<AvroOutput, object> write) : Encoder
{
    public static readonly PrimitiveEncoder Int8 = new((o, v) => o.WriteInt(v is sbyte x ? x : throw WrongType("INT8", v)));
    public static readonly PrimitiveEncoder Int16 = new((o, v) => o.WriteInt(v is short x ? x : throw WrongType("INT16", v)));
    public static readonly PrimitiveEncoder Int32 = new((o, v) => o.WriteInt(v is int x ? x : throw WrongType("INT32", v)));
    public static readonly PrimitiveEncoder Int64 = new((o, v) => o.WriteLong(v is long x ? x : throw WrongType("INT64", v)));
    public static readonly PrimitiveEncoder Float32 = new((o, v) => o.WriteFloat(v is float x ? x : throw WrongType("FLOAT32", v)));
    public static readonly PrimitiveEncoder Float64 = new((o, v) => o.WriteDouble(v is double x ? x : throw WrongType("FLOAT64", v)));
    public static readonly PrimitiveEncoder Boolean = new((o, v) => o.WriteBoolean(v is bool x ? x : throw WrongType("BOOLEAN", v)));
    public static readonly PrimitiveEncoder String = new((o, v) => o.WriteString(v as string ?? throw WrongType("STRING", v)));
    public static readonly PrimitiveEncoder Bytes = new((o, v) => o.WriteBytes(BytesOf(v)));

    public override void Write(AvroOutput output, object value) => write(output, value);

    internal static ReadOnlySpan<byte> BytesOf(object value) => value switch
    {
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory.Span,
        Memory<byte> memory => memory.Span,
        ArraySegment<byte> segment => segment,
        _ => throw WrongType("BYTES", value),
    };
}

internal sealed class EnumEncoder(AvroSchema avro) : Encoder
{
    private readonly Dictionary<string, int> _ordinals = avro.Symbols.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i, StringComparer.Ordinal);

    public override void Write(AvroOutput output, object value)
    {
        var symbol = value as string ?? throw WrongType("STRING", value);
        output.WriteInt(_ordinals.TryGetValue(symbol, out var ordinal)
            ? ordinal
            : throw new DataException($"\"{symbol}\" is not a symbol of enum {avro.FullName}"));
    }
}

internal sealed class FixedEncoder(int size) : Encoder
{
    public override void Write(AvroOutput output, object value)
    {
        var bytes = PrimitiveEncoder.BytesOf(value);
        output.WriteFixed(bytes.Length == size ? bytes : throw new DataException($"Fixed value of {bytes.Length} bytes for a fixed of size {size}"));
    }
}

/// <summary>Decimal → unscaled big-endian two's complement, minimal length (as Java's BigInteger.toByteArray), or sign-padded to a fixed's size.</summary>
internal sealed class DecimalEncoder(Schema schema, int fixedSize) : Encoder
{
    private readonly int _scale = ConnectDecimal.ScaleOf(schema);

    public override void Write(AvroOutput output, object value)
    {
        if (value is not decimal d)
        {
            throw WrongType("Decimal", value);
        }
        if (d.Scale != _scale)
        {
            // Same check as Decimal.FromLogical: never drop or invent digits silently.
            ConnectDecimal.FromLogical(schema, d);
        }
        Span<byte> bytes = stackalloc byte[13];
        var length = Unscaled(d, bytes);
        var minimal = bytes[(13 - length)..];
        if (fixedSize < 0)
        {
            output.WriteBytes(minimal);
            return;
        }
        if (length > fixedSize)
        {
            throw new DataException($"Unscaled value byte array length {length} is greater than fixed size {fixedSize}");
        }
        var target = output.Reserve(fixedSize);
        target[..(fixedSize - length)].Fill((minimal[0] & 0x80) != 0 ? (byte)0xFF : (byte)0);
        minimal.CopyTo(target[(fixedSize - length)..]);
    }

    // Writes the two's complement of the 96-bit unscaled value right-aligned in 13 bytes; returns the minimal length.
    private static int Unscaled(decimal value, Span<byte> destination)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var negative = (bits[3] & int.MinValue) != 0 && magnitude != 0;
        var twos = negative ? ~magnitude + 1 : magnitude;
        for (var i = 12; i >= 0; i--)
        {
            destination[i] = (byte)twos;
            twos >>= 8;
        }
        if (negative)
        {
            destination[0] = 0xFF;
        }
        // Drop leading bytes that only repeat the sign.
        var start = 0;
        while (start < 12 && ((destination[start] == 0 && (destination[start + 1] & 0x80) == 0)
                              || (destination[start] == 0xFF && (destination[start + 1] & 0x80) != 0)))
        {
            start++;
        }
        return 13 - start;
    }

    internal static BigInteger UnscaledForTests(decimal value)
    {
        Span<byte> bytes = stackalloc byte[13];
        var length = Unscaled(value, bytes);
        return new BigInteger(bytes[(13 - length)..], isUnsigned: false, isBigEndian: true);
    }
}

internal sealed class DateEncoder(Schema schema) : Encoder
{
    public override void Write(AvroOutput output, object value) => output.WriteInt(value switch
    {
        DateOnly d => Date.FromLogical(schema, d),
        DateTime dt => Date.FromLogical(schema, dt),
        _ => throw WrongType("Date", value),
    });
}

internal sealed class TimeEncoder(Schema schema) : Encoder
{
    public override void Write(AvroOutput output, object value) => output.WriteInt(value switch
    {
        TimeOnly t => (int)(t.Ticks / TimeSpan.TicksPerMillisecond),
        TimeSpan ts => Time.FromLogical(schema, ts),
        _ => throw WrongType("Time", value),
    });
}

internal sealed class TimestampEncoder(Schema schema) : Encoder
{
    public override void Write(AvroOutput output, object value) => output.WriteLong(value switch
    {
        DateTimeOffset o => o.ToUnixTimeMilliseconds(),
        DateTime dt => Timestamp.FromLogical(schema, dt),
        _ => throw WrongType("Timestamp", value),
    });
}

internal sealed class ArrayEncoder(Encoder item) : Encoder
{
    public override void Write(AvroOutput output, object value)
    {
        var list = value as IList ?? throw WrongType("ARRAY", value);
        if (list.Count > 0)
        {
            output.WriteLong(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                NullableEncoder.WriteMaybeNull(output, item, list[i], true);
            }
        }
        output.WriteByte(0);
    }
}

internal sealed class StringMapEncoder(Encoder value) : Encoder
{
    public override void Write(AvroOutput output, object map)
    {
        var dictionary = map as IDictionary ?? throw WrongType("MAP", map);
        if (dictionary.Count > 0)
        {
            output.WriteLong(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                output.WriteString(entry.Key as string ?? throw WrongType("STRING", entry.Key));
                NullableEncoder.WriteMaybeNull(output, value, entry.Value, true);
            }
        }
        output.WriteByte(0);
    }
}

internal sealed class EntryMapEncoder(Encoder key, Encoder value, bool keyFirst, bool keyOptional, bool valueOptional) : Encoder
{
    public override void Write(AvroOutput output, object map)
    {
        var dictionary = map as IDictionary ?? throw WrongType("MAP", map);
        if (dictionary.Count > 0)
        {
            output.WriteLong(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                if (keyFirst)
                {
                    NullableEncoder.WriteMaybeNull(output, key, entry.Key, keyOptional);
                    NullableEncoder.WriteMaybeNull(output, value, entry.Value, valueOptional);
                }
                else
                {
                    NullableEncoder.WriteMaybeNull(output, value, entry.Value, valueOptional);
                    NullableEncoder.WriteMaybeNull(output, key, entry.Key, keyOptional);
                }
            }
        }
        output.WriteByte(0);
    }
}

internal sealed class StructEncoder(Schema schema, StructEncoder.Slot[] slots, bool ignoreDefaultForNullables) : Encoder
{
    /// <summary>One Avro field: the Connect field it comes from, or none for a default written as is.</summary>
    internal readonly record struct Slot(Field? Field, Encoder Encoder, bool Optional);

    public override void Write(AvroOutput output, object value)
    {
        var s = value as Struct ?? throw WrongType("STRUCT", value);
        if (!ReferenceEquals(s.Schema, schema) && !s.Schema.Equals(schema))
        {
            throw new DataException("Mismatching struct schema");
        }
        foreach (var slot in slots)
        {
            if (slot.Field is null)
            {
                slot.Encoder.Write(output, s);
                continue;
            }
            var fieldValue = ignoreDefaultForNullables ? s.GetWithoutDefault(slot.Field.Name) : s.Get(slot.Field);
            NullableEncoder.WriteMaybeNull(output, slot.Encoder, fieldValue, slot.Optional);
        }
    }
}

/// <summary>A Connect union (<c>io.confluent.connect.avro.Union</c> struct): the first member set picks the Avro branch.</summary>
internal sealed class UnionStructEncoder((Field Field, int Branch, Encoder Encoder)[] members, int nullIndex, bool ignoreDefaultForNullables) : Encoder
{
    public override void Write(AvroOutput output, object value)
    {
        var s = value as Struct ?? throw WrongType("STRUCT", value);
        foreach (var (field, branch, encoder) in members)
        {
            var member = ignoreDefaultForNullables ? s.GetWithoutDefault(field.Name) : s.Get(field);
            if (member is not null)
            {
                output.WriteInt(branch);
                encoder.Write(output, member);
                return;
            }
        }
        WriteNull(output);
    }

    public void WriteNull(AvroOutput output) => output.WriteInt(nullIndex >= 0 ? nullIndex : throw NullForRequired());
}

/// <summary>Bytes fixed when the encoder tree is built (an Avro field default); the value is ignored.</summary>
internal sealed class ConstantEncoder(byte[] bytes) : Encoder
{
    public override void Write(AvroOutput output, object value) => output.WriteFixed(bytes);
}

/// <summary>Avro binary of a JSON default value (the specification's default encoding: a union's default is its first branch's).</summary>
internal static class DefaultEncoding
{
    public static byte[] Encode(AvroSchema schema, System.Text.Json.Nodes.JsonNode? value)
    {
        var output = new AvroOutput();
        Write(output, schema, value);
        return output.ToArray();
    }

    private static void Write(AvroOutput output, AvroSchema schema, System.Text.Json.Nodes.JsonNode? value)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                break;
            case AvroType.Boolean:
                output.WriteBoolean(value!.GetValue<bool>());
                break;
            case AvroType.Int:
                output.WriteInt(checked((int)Number(value)));
                break;
            case AvroType.Long:
                output.WriteLong(value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<long>(out var l) ? l : checked((long)Number(value)));
                break;
            case AvroType.Float:
                output.WriteFloat((float)Number(value));
                break;
            case AvroType.Double:
                output.WriteDouble(Number(value));
                break;
            case AvroType.String:
                output.WriteString(value!.GetValue<string>());
                break;
            case AvroType.Bytes:
                output.WriteBytes(System.Text.Encoding.Latin1.GetBytes(value!.GetValue<string>()));
                break;
            case AvroType.Fixed:
                output.WriteFixed(System.Text.Encoding.Latin1.GetBytes(value!.GetValue<string>()));
                break;
            case AvroType.Enum:
                output.WriteInt(schema.Symbols.ToList().IndexOf(value!.GetValue<string>()) is var index and >= 0 ? index : throw new DataException($"Default {value} is not a symbol of {schema.FullName}"));
                break;
            case AvroType.Array:
                var items = value!.AsArray();
                if (items.Count > 0)
                {
                    output.WriteLong(items.Count);
                    foreach (var item in items)
                    {
                        Write(output, schema.ItemSchema!, item);
                    }
                }
                output.WriteByte(0);
                break;
            case AvroType.Map:
                var entries = value!.AsObject();
                if (entries.Count > 0)
                {
                    output.WriteLong(entries.Count);
                    foreach (var (key, item) in entries)
                    {
                        output.WriteString(key);
                        Write(output, schema.ItemSchema!, item);
                    }
                }
                output.WriteByte(0);
                break;
            case AvroType.Record:
                var obj = value!.AsObject();
                foreach (var field in schema.Fields)
                {
                    Write(output, field.Schema, obj.TryGetPropertyValue(field.Name, out var fieldValue) ? fieldValue
                        : field.HasDefault ? field.Default : throw new DataException($"Default for {schema.FullName} lacks field {field.Name}"));
                }
                break;
            case AvroType.Union:
                output.WriteInt(0);
                Write(output, schema.Branches[0], value);
                break;
        }
    }

    private static double Number(System.Text.Json.Nodes.JsonNode? value) =>
        value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? d : throw new DataException($"Default {value?.ToJsonString() ?? "null"} is not a number");
}
