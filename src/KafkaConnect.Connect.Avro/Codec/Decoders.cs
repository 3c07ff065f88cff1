
namespace KafkaConnect.Connect.Avro.Codec;

/// <summary>
/// Reads one value of an Avro writer schema straight into Connect data (the Connect schema <see cref="AvroData"/> made
/// from that same Avro schema). Compiled once per schema id; results never refer to the input bytes.
/// </summary>
internal abstract class Decoder
{
    public abstract object? Read(ref AvroInput input);

    /// <exception cref="DataException">The Connect schema does not mirror the Avro schema.</exception>
    public static Decoder Build(AvroData data, Schema schema, AvroSchema avro)
    {
        if (avro.Type == AvroType.Union)
        {
            var branches = new Decoder?[avro.Branches.Count];
            if (AvroData.IsUnionSchema(schema))
            {
                // Branch i is the struct field named after it; null branches read as null.
                for (var i = 0; i < branches.Length; i++)
                {
                    var branch = avro.Branches[i];
                    if (branch.Type == AvroType.Null)
                    {
                        continue;
                    }
                    var field = schema.GetField(data.UnionMemberFieldName(branch, i))
                        ?? throw new DataException($"No union member field for branch {i} of {avro}");
                    branches[i] = new UnionMemberDecoder(schema, field, Build(data, field.Schema, branch));
                }
                return new UnionDecoder(branches);
            }
            // Optional value ([null, T] / [T, null]) or a flattened singleton union.
            for (var i = 0; i < branches.Length; i++)
            {
                if (avro.Branches[i].Type != AvroType.Null)
                {
                    branches[i] = Build(data, schema, avro.Branches[i]);
                }
            }
            return new UnionDecoder(branches);
        }
        switch (schema.Name)
        {
            case ConnectDecimal.LogicalName when avro.Type is AvroType.Bytes or AvroType.Fixed:
                return new DecimalDecoder(schema, avro.Type == AvroType.Fixed ? avro.FixedSize : -1);
            case Date.LogicalName when avro.Type == AvroType.Int:
                return new DateDecoder(schema);
            case Time.LogicalName when avro.Type == AvroType.Int:
                return new TimeDecoder(schema);
            case Timestamp.LogicalName when avro.Type == AvroType.Long:
                return new TimestampDecoder(schema);
        }
        switch (avro.Type)
        {
            case AvroType.Boolean: return PrimitiveDecoder.Boolean;
            case AvroType.Int:
                return schema.Type switch
                {
                    SchemaType.Int8 => PrimitiveDecoder.Int8,
                    SchemaType.Int16 => PrimitiveDecoder.Int16,
                    _ => PrimitiveDecoder.Int32,
                };
            case AvroType.Long: return PrimitiveDecoder.Int64;
            case AvroType.Float: return PrimitiveDecoder.Float32;
            case AvroType.Double: return PrimitiveDecoder.Float64;
            case AvroType.String: return PrimitiveDecoder.String;
            case AvroType.Bytes: return PrimitiveDecoder.Bytes;
            case AvroType.Fixed: return new FixedDecoder(avro.FixedSize);
            case AvroType.Enum: return new EnumDecoder([.. avro.Symbols]);
            case AvroType.Array:
                if (schema.Type == SchemaType.Map)
                {
                    var entry = avro.ItemSchema!;
                    var key = entry.GetField(AvroData.KeyField)!;
                    var value = entry.GetField(AvroData.ValueField)!;
                    return new EntryMapDecoder(Build(data, schema.KeySchema!, key.Schema), Build(data, schema.ValueSchema!, value.Schema), key.Position == 0);
                }
                return new ArrayDecoder(Build(data, schema.ValueSchema!, avro.ItemSchema!));
            case AvroType.Map:
                return new StringMapDecoder(Build(data, schema.ValueSchema!, avro.ItemSchema!));
            case AvroType.Record:
            {
                var fields = new (Field Field, Decoder Decoder)[avro.Fields.Count];
                foreach (var avroField in avro.Fields)
                {
                    var field = schema.GetField(avroField.Name) ?? throw new DataException($"No Connect field for Avro field {avroField.Name}");
                    fields[avroField.Position] = (field, Build(data, field.Schema, avroField.Schema));
                }
                return new StructDecoder(schema, fields);
            }
            default:
                throw new DataException($"Cannot read Avro {AvroSchema.TypeName(avro.Type)} data");
        }
    }

    protected static DataException Malformed(string what) => new("Malformed Avro data: " + what);
}

internal sealed class UnionDecoder(Decoder?[] branches) : Decoder
{
    public override object? Read(ref AvroInput input)
    {
        var index = input.ReadLong();
        if ((ulong)index >= (ulong)branches.Length)
        {
            throw Malformed($"union branch {index} of {branches.Length}");
        }
        return branches[index]?.Read(ref input);
    }
}

internal sealed class UnionMemberDecoder(Schema union, Field field, Decoder member) : Decoder
{
    public override object? Read(ref AvroInput input) => new Struct(union).Put(field, member.Read(ref input));
}

internal delegate object? ReadStep(ref AvroInput input);

/// <summary>Primitives: one class, the read step as a static lambda.</summary>
internal sealed class PrimitiveDecoder(ReadStep read) : Decoder
{
    public static readonly PrimitiveDecoder Boolean = new((ref AvroInput i) => i.ReadBoolean());
    public static readonly PrimitiveDecoder Int8 = new((ref AvroInput i) => (sbyte)i.ReadInt()); // Confluent truncates as Integer.byteValue()
    public static readonly PrimitiveDecoder Int16 = new((ref AvroInput i) => (short)i.ReadInt());
    public static readonly PrimitiveDecoder Int32 = new((ref AvroInput i) => i.ReadInt());
    public static readonly PrimitiveDecoder Int64 = new((ref AvroInput i) => i.ReadLong());
    public static readonly PrimitiveDecoder Float32 = new((ref AvroInput i) => i.ReadFloat());
    public static readonly PrimitiveDecoder Float64 = new((ref AvroInput i) => i.ReadDouble());
    public static readonly PrimitiveDecoder String = new((ref AvroInput i) => i.ReadString());
    public static readonly PrimitiveDecoder Bytes = new((ref AvroInput i) => i.ReadLengthPrefixed().ToArray());

    public override object? Read(ref AvroInput input) => read(ref input);
}

internal sealed class FixedDecoder(int size) : Decoder
{
    public override object? Read(ref AvroInput input) => input.ReadSpan(size).ToArray();
}

internal sealed class EnumDecoder(string[] symbols) : Decoder
{
    public override object? Read(ref AvroInput input)
    {
        var index = input.ReadInt();
        return (uint)index < (uint)symbols.Length ? symbols[index] : throw Malformed($"enum index {index} of {symbols.Length}");
    }
}

internal sealed class DecimalDecoder(Schema schema, int fixedSize) : Decoder
{
    private readonly int _scale = ConnectDecimal.ScaleOf(schema);

    public override object? Read(ref AvroInput input)
    {
        var bytes = fixedSize < 0 ? input.ReadLengthPrefixed() : input.ReadSpan(fixedSize);
        // Up to 12 bytes fit System.Decimal's 96-bit magnitude (except -2^95, left to the general path).
        if (bytes.Length is > 0 and <= 12 && _scale is >= 0 and <= 28)
        {
            var negative = (bytes[0] & 0x80) != 0;
            UInt128 twos = negative ? UInt128.MaxValue : UInt128.Zero;
            foreach (var b in bytes)
            {
                twos = (twos << 8) | b;
            }
            var magnitude = negative ? ~twos + 1 : twos;
            if (magnitude >> 96 == 0)
            {
                return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)_scale);
            }
        }
        return ConnectDecimal.ToLogical(schema, bytes.ToArray());
    }
}

internal sealed class DateDecoder(Schema schema) : Decoder
{
    public override object? Read(ref AvroInput input) => Date.ToLogical(schema, input.ReadInt());
}

internal sealed class TimeDecoder(Schema schema) : Decoder
{
    public override object? Read(ref AvroInput input) => Time.ToLogical(schema, input.ReadInt());
}

internal sealed class TimestampDecoder(Schema schema) : Decoder
{
    public override object? Read(ref AvroInput input) => Timestamp.ToLogical(schema, input.ReadLong());
}

internal sealed class ArrayDecoder(Decoder item) : Decoder
{
    public override object? Read(ref AvroInput input)
    {
        var result = new List<object?>();
        for (var count = input.ReadBlockCount(); count != 0; count = input.ReadBlockCount())
        {
            GuardCount(count, ref input);
            for (var i = 0L; i < count; i++)
            {
                result.Add(item.Read(ref input));
            }
        }
        return result;
    }

    // Every item takes at least one byte except nulls, so a count far beyond the input is malformed, not a huge list.
    internal static void GuardCount(long count, ref AvroInput input)
    {
        if (count > input.Remaining + 1_000_000L)
        {
            throw Malformed($"block of {count} items with {input.Remaining} bytes left");
        }
    }
}

internal sealed class StringMapDecoder(Decoder value) : Decoder
{
    public override object? Read(ref AvroInput input)
    {
        var result = new Dictionary<object, object?>();
        for (var count = input.ReadBlockCount(); count != 0; count = input.ReadBlockCount())
        {
            ArrayDecoder.GuardCount(count, ref input);
            for (var i = 0L; i < count; i++)
            {
                var key = input.ReadString();
                result[key] = value.Read(ref input);
            }
        }
        return result;
    }
}

internal sealed class EntryMapDecoder(Decoder key, Decoder value, bool keyFirst) : Decoder
{
    public override object? Read(ref AvroInput input)
    {
        var result = new Dictionary<object, object?>();
        for (var count = input.ReadBlockCount(); count != 0; count = input.ReadBlockCount())
        {
            ArrayDecoder.GuardCount(count, ref input);
            for (var i = 0L; i < count; i++)
            {
                object? k;
                object? v;
                if (keyFirst)
                {
                    k = key.Read(ref input);
                    v = value.Read(ref input);
                }
                else
                {
                    v = value.Read(ref input);
                    k = key.Read(ref input);
                }
                result[k ?? throw new DataException("Null map key: Connect maps cannot hold one")] = v;
            }
        }
        return result;
    }
}

internal sealed class StructDecoder(Schema schema, (Field Field, Decoder Decoder)[] fields) : Decoder
{
    public override object? Read(ref AvroInput input)
    {
        var result = new Struct(schema);
        foreach (var (field, decoder) in fields)
        {
            result.Put(field, decoder.Read(ref input));
        }
        return result;
    }
}
