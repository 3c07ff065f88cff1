using System.Collections;
using System.Globalization;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// Connect values to and from protobuf's binary encoding, by a plan that pairs each Connect field with its
/// descriptor once per schema (no dynamic messages: a Struct is written straight to bytes and read straight back).
/// Semantics are Confluent's: proto3 scalars equal to their default are not written; unset scalars, repeated
/// fields and maps read back as their defaults, unset messages as null.
/// </summary>
internal sealed partial class ProtobufData
{
    internal sealed class MessagePlan
    {
        public required ProtoMessage Message { get; init; }

        public required Schema Schema { get; init; }

        public Slot[] Slots { get; set; } = [];

        /// <summary>Proto field number to (slot, union member or -1).</summary>
        public Dictionary<int, (int Slot, int Member)> ByNumber { get; } = [];

        /// <summary>(slot, member) by ascending field number: protobuf serializers write fields in that order.</summary>
        public (int Slot, int Member)[] WriteOrder { get; set; } = [];
    }

    internal sealed class Slot
    {
        public required Field Field { get; init; }

        /// <summary>The element schema for arrays, else the field's schema.</summary>
        public required Schema ValueSchema { get; init; }

        public ProtoField? Proto { get; init; }

        public Slot[]? Members { get; init; }

        public MessagePlan? Nested { get; init; }

        public Slot? MapKey { get; init; }

        public Slot? MapValue { get; init; }

        public bool Presence => Proto is { } p && (p.Proto3Optional || p.OneofIndex >= 0 || p.Type == ProtoType.Message);
    }

    /// <summary>Pairs a Connect struct schema with a message, recursively.</summary>
    public MessagePlan Plan(ProtoMessage message, Schema schema)
    {
        if (schema.Type != SchemaType.Struct)
        {
            throw new DataException($"Message {message.FullName} needs a struct schema, not {schema.Type}");
        }
        var plan = new MessagePlan { Message = message, Schema = schema };
        var byName = message.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var slots = new Slot[schema.Fields.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var field = schema.Fields[i];
            if (IsUnion(field.Schema))
            {
                var members = new Slot[field.Schema.Fields.Count];
                for (var m = 0; m < members.Length; m++)
                {
                    var member = field.Schema.Fields[m];
                    members[m] = MakeSlot(member, byName.GetValueOrDefault(Scrub(member.Name)));
                    if (members[m].Proto is { } p)
                    {
                        plan.ByNumber[p.Number] = (i, m);
                    }
                }
                slots[i] = new Slot { Field = field, ValueSchema = field.Schema, Members = members };
            }
            else
            {
                slots[i] = MakeSlot(field, byName.GetValueOrDefault(Scrub(field.Name)));
                if (slots[i].Proto is { } p)
                {
                    plan.ByNumber[p.Number] = (i, -1);
                }
            }
        }
        plan.Slots = slots;
        plan.WriteOrder = [.. plan.ByNumber.OrderBy(p => p.Key).Select(p => p.Value)];
        return plan;
    }

    private Slot MakeSlot(Field field, ProtoField? proto)
    {
        var schema = field.Schema;
        var valueSchema = schema.Type == SchemaType.Array ? schema.ValueSchema! : schema;
        if (proto is null || proto.Type != ProtoType.Message || IsLogical(valueSchema) || valueSchema.Type != SchemaType.Struct && valueSchema.Type != SchemaType.Map)
        {
            return new Slot { Field = field, ValueSchema = valueSchema, Proto = proto };
        }
        if (valueSchema.Type == SchemaType.Map)
        {
            var entry = proto.MessageType!;
            return new Slot
            {
                Field = field,
                ValueSchema = valueSchema,
                Proto = proto,
                MapKey = MakeSlot(new Field("key", 0, valueSchema.KeySchema!), entry.Fields[0]),
                MapValue = MakeSlot(new Field("value", 1, valueSchema.ValueSchema!), entry.Fields[1]),
            };
        }
        return new Slot { Field = field, ValueSchema = valueSchema, Proto = proto, Nested = Plan(proto.MessageType!, valueSchema) };
    }

    // ---- Connect -> bytes ----

    public void Write(ProtoWriter w, MessagePlan plan, Struct value)
    {
        if (!value.Schema.Equals(plan.Schema))
        {
            throw new DataException("Mismatching schema.");
        }
        foreach (var (slotIndex, memberIndex) in plan.WriteOrder)
        {
            var slot = plan.Slots[slotIndex];
            var fieldValue = _config.IgnoreDefaultForNullables ? value.GetWithoutDefault(slot.Field.Name) : value.Get(slot.Field);
            if (memberIndex >= 0 && fieldValue is Struct union)
            {
                slot = slot.Members![memberIndex];
                fieldValue = union.Get(slot.Field);
            }
            if (fieldValue is not null)
            {
                WriteField(w, slot, fieldValue);
            }
        }
    }

    private void WriteField(ProtoWriter w, Slot slot, object value)
    {
        var proto = slot.Proto!;
        try
        {
            if (slot.MapKey is not null)
            {
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    w.WriteTag(proto.Number, WireType.LengthDelimited);
                    var start = w.BeginLengthDelimited();
                    WriteSingle(w, slot.MapKey, entry.Key!, true);
                    if (entry.Value is not null)
                    {
                        WriteSingle(w, slot.MapValue!, entry.Value, true);
                    }
                    w.EndLengthDelimited(start);
                }
                return;
            }
            if (proto.Repeated)
            {
                var list = (IList)value;
                if (list.Count == 0)
                {
                    return;
                }
                if (proto.Packable)
                {
                    w.WriteTag(proto.Number, WireType.LengthDelimited);
                    var start = w.BeginLengthDelimited();
                    foreach (var element in list)
                    {
                        WriteScalar(w, proto, element ?? throw new DataException("A repeated field cannot hold null"));
                    }
                    w.EndLengthDelimited(start);
                    return;
                }
                foreach (var element in list)
                {
                    WriteSingle(w, slot, element ?? throw new DataException("A repeated field cannot hold null"), true);
                }
                return;
            }
            WriteSingle(w, slot, value, slot.Presence);
        }
        catch (InvalidCastException e)
        {
            throw new DataException($"Field {slot.Field.Name}: invalid type {value.GetType().Name} for protobuf {proto.Type.ToString().ToLowerInvariant()}", e);
        }
    }

    private void WriteSingle(ProtoWriter w, Slot slot, object value, bool presence)
    {
        var proto = slot.Proto!;
        if (proto.Type != ProtoType.Message)
        {
            if (!presence && IsDefault(proto, value))
            {
                return;
            }
            w.WriteTag(proto.Number, WireTypeOf(proto.Type));
            WriteScalar(w, proto, value);
            return;
        }
        w.WriteTag(proto.Number, WireType.LengthDelimited);
        var start = w.BeginLengthDelimited();
        if (slot.Nested is { } nested)
        {
            Write(w, nested, (Struct)value);
        }
        else
        {
            WriteMessageValue(w, proto.MessageType!, slot.ValueSchema, value);
        }
        w.EndLengthDelimited(start);
    }

    // Logical types and wrappers: messages whose fields we know.
    private static void WriteMessageValue(ProtoWriter w, ProtoMessage type, Schema schema, object value)
    {
        switch (type.FullName)
        {
            case DecimalType:
                var scale = ConnectDecimal.ScaleOf(schema);
                var d = Rescale((decimal)value, scale);
                if (d.Scale != scale)
                {
                    throw new DataException($"Decimal value {d} has scale {d.Scale} but the schema requires scale {scale}");
                }
                Span<byte> unscaled = stackalloc byte[16];
                var length = DecimalCodec.Unscaled(d, unscaled, out var precision);
                w.WriteTag(1, WireType.LengthDelimited);
                w.WriteBytes(unscaled[..length]);
                w.WriteTag(2, WireType.Varint);
                w.WriteVarint(precision);
                if (d.Scale != 0)
                {
                    w.WriteTag(3, WireType.Varint);
                    w.WriteVarint((ulong)(long)d.Scale);
                }
                return;
            case DateType:
                var date = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + value switch
                {
                    DateOnly dateOnly => Date.FromLogical(schema, dateOnly),
                    DateTime dateTime => Date.FromLogical(schema, dateTime),
                    _ => throw new InvalidCastException(),
                });
                WriteInt32Field(w, 1, date.Year);
                WriteInt32Field(w, 2, date.Month);
                WriteInt32Field(w, 3, date.Day);
                return;
            case TimeType:
                var millisOfDay = value switch
                {
                    TimeOnly time => Time.FromLogical(schema, time),
                    TimeSpan span => Time.FromLogical(schema, span),
                    _ => throw new InvalidCastException(),
                };
                WriteInt32Field(w, 1, millisOfDay / 3_600_000);
                WriteInt32Field(w, 2, millisOfDay / 60_000 % 60);
                WriteInt32Field(w, 3, millisOfDay / 1000 % 60);
                WriteInt32Field(w, 4, millisOfDay % 1000 * 1_000_000);
                return;
            case TimestampType:
                var millis = value switch
                {
                    DateTimeOffset instant => Timestamp.FromLogical(schema, instant),
                    DateTime dateTime => Timestamp.FromLogical(schema, dateTime),
                    _ => throw new InvalidCastException(),
                };
                var seconds = Math.DivRem(millis, 1000, out var rest);
                if (rest < 0)
                {
                    seconds--;
                    rest += 1000;
                }
                if (seconds != 0)
                {
                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint((ulong)seconds);
                }
                WriteInt32Field(w, 2, (int)rest * 1_000_000);
                return;
            default:
                // A wrapper (google.protobuf.*Value): the value in field 1, left out when it is the default.
                var inner = type.Fields[0];
                if (!IsDefault(inner, value))
                {
                    w.WriteTag(1, WireTypeOf(inner.Type));
                    WriteScalar(w, inner, value);
                }
                return;
        }
    }

    private static void WriteInt32Field(ProtoWriter w, int number, int value)
    {
        if (value != 0)
        {
            w.WriteTag(number, WireType.Varint);
            w.WriteVarint((ulong)(long)value);
        }
    }

    private static WireType WireTypeOf(ProtoType type) => type switch
    {
        ProtoType.Double or ProtoType.Fixed64 or ProtoType.SFixed64 => WireType.Fixed64,
        ProtoType.Float or ProtoType.Fixed32 or ProtoType.SFixed32 => WireType.Fixed32,
        ProtoType.String or ProtoType.Bytes or ProtoType.Message => WireType.LengthDelimited,
        _ => WireType.Varint,
    };

    private static void WriteScalar(ProtoWriter w, ProtoField proto, object value)
    {
        switch (proto.Type)
        {
            case ProtoType.Int32: w.WriteVarint((ulong)(long)ToInt32(value)); break;
            case ProtoType.SInt32: var s32 = ToInt32(value); w.WriteVarint((uint)((s32 << 1) ^ (s32 >> 31))); break;
            case ProtoType.SFixed32: w.WriteFixed32((uint)ToInt32(value)); break;
            case ProtoType.UInt32: w.WriteVarint((uint)ToInt64(value)); break;
            case ProtoType.Fixed32: w.WriteFixed32((uint)ToInt64(value)); break;
            case ProtoType.Int64 or ProtoType.UInt64: w.WriteVarint((ulong)ToInt64(value)); break;
            case ProtoType.SInt64: var s64 = ToInt64(value); w.WriteVarint((ulong)((s64 << 1) ^ (s64 >> 63))); break;
            case ProtoType.Fixed64 or ProtoType.SFixed64: w.WriteFixed64((ulong)ToInt64(value)); break;
            case ProtoType.Float: w.WriteFixed32(BitConverter.SingleToUInt32Bits((float)value)); break;
            case ProtoType.Double: w.WriteFixed64(BitConverter.DoubleToUInt64Bits((double)value)); break;
            case ProtoType.Bool: w.WriteVarint((bool)value ? 1UL : 0UL); break;
            case ProtoType.String: w.WriteString((string)value); break;
            case ProtoType.Bytes: w.WriteBytes(value is ReadOnlyMemory<byte> memory ? memory.Span : (byte[])value); break;
            case ProtoType.Enum: w.WriteVarint((ulong)(long)EnumNumber(proto, value)); break;
            default: throw new DataException($"Unsupported protobuf type {proto.Type}");
        }
    }

    private static int ToInt32(object value) => value switch
    {
        int i => i,
        short s => s,
        sbyte b => b,
        _ => throw new InvalidCastException(),
    };

    private static long ToInt64(object value) => value switch
    {
        long l => l,
        int i => i,
        _ => throw new InvalidCastException(),
    };

    private static int EnumNumber(ProtoField proto, object value)
    {
        if (value is int number)
        {
            return number;
        }
        var symbol = (string)value;
        foreach (var (name, n) in proto.EnumType!.Values)
        {
            if (name == symbol)
            {
                return n;
            }
        }
        throw new DataException($"'{symbol}' is not a symbol of enum {proto.EnumType.FullName}");
    }

    private static bool IsDefault(ProtoField proto, object value) => proto.Type switch
    {
        ProtoType.Float => BitConverter.SingleToUInt32Bits((float)value) == 0,
        ProtoType.Double => BitConverter.DoubleToUInt64Bits((double)value) == 0,
        ProtoType.Bool => !(bool)value,
        ProtoType.String => ((string)value).Length == 0,
        ProtoType.Bytes => value is byte[] { Length: 0 } || value is ReadOnlyMemory<byte> { Length: 0 },
        ProtoType.Enum => EnumNumber(proto, value) == 0,
        ProtoType.Int32 or ProtoType.SInt32 or ProtoType.SFixed32 => ToInt32(value) == 0,
        _ => ToInt64(value) == 0,
    };

    // A decimal with fewer fraction digits than the schema's scale gains trailing zeros (adding a zero of that scale does it exactly).
    private static decimal Rescale(decimal value, int scale) =>
        value.Scale < scale && scale <= 28 ? value + new decimal(0, 0, 0, false, (byte)scale) : value;

    // ---- bytes -> Connect ----

    public Struct Read(ReadOnlySpan<byte> data, MessagePlan plan)
    {
        var values = new object?[plan.Slots.Length];
        var reader = new ProtoReader(data);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            if (!plan.ByNumber.TryGetValue(number, out var target))
            {
                reader.Skip(wireType);
                continue;
            }
            var slot = plan.Slots[target.Slot];
            if (target.Member >= 0)
            {
                var member = slot.Members![target.Member];
                var union = new Struct(slot.Field.Schema);
                union.Put(member.Field, ReadValue(ref reader, member, wireType, null));
                values[target.Slot] = union;
            }
            else
            {
                values[target.Slot] = ReadValue(ref reader, slot, wireType, values[target.Slot]);
            }
        }
        var result = new Struct(plan.Schema);
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i] ?? DefaultFor(plan.Slots[i]);
            if (value is not null)
            {
                result.Put(plan.Slots[i].Field, value);
            }
        }
        return result;
    }

    // Unset proto3 scalars, repeated fields and maps read as their defaults; messages and explicit-presence fields as null.
    private object? DefaultFor(Slot slot)
    {
        if (slot.Proto is not { } proto || slot.Members is not null || proto.Proto3Optional || proto.OneofIndex >= 0)
        {
            return null;
        }
        if (slot.MapKey is not null)
        {
            return new Dictionary<object, object?>();
        }
        if (proto.Repeated)
        {
            return new List<object?>();
        }
        return proto.Type switch
        {
            ProtoType.Message => _config.GenerateStructForNulls && slot.Nested is { } nested ? Read([], nested) : null,
            ProtoType.Enum => Convert(slot, proto, 0),
            ProtoType.String => "",
            ProtoType.Bytes => Array.Empty<byte>(),
            ProtoType.Bool => false,
            ProtoType.Float => 0f,
            ProtoType.Double => 0d,
            _ => Convert(slot, proto, 0L),
        };
    }

    private object? ReadValue(ref ProtoReader reader, Slot slot, WireType wireType, object? existing)
    {
        var proto = slot.Proto!;
        if (slot.MapKey is not null)
        {
            var map = existing as Dictionary<object, object?> ?? [];
            var entry = new ProtoReader(reader.ReadBytes());
            object? key = null, value = null;
            while (entry.TryReadTag(out var number, out var entryWire))
            {
                if (number == 1)
                {
                    key = ReadValue(ref entry, slot.MapKey, entryWire, null);
                }
                else if (number == 2)
                {
                    value = ReadValue(ref entry, slot.MapValue!, entryWire, null);
                }
                else
                {
                    entry.Skip(entryWire);
                }
            }
            map[key ?? DefaultFor(slot.MapKey) ?? ""] = value ?? DefaultFor(slot.MapValue!);
            return map;
        }
        if (proto.Repeated)
        {
            var list = existing as List<object?> ?? [];
            if (wireType == WireType.LengthDelimited && proto.Packable)
            {
                var packed = new ProtoReader(reader.ReadBytes());
                while (!packed.AtEnd)
                {
                    list.Add(ReadSingle(ref packed, slot, WireTypeOf(proto.Type)));
                }
            }
            else
            {
                list.Add(ReadSingle(ref reader, slot, wireType));
            }
            return list;
        }
        return ReadSingle(ref reader, slot, wireType);
    }

    private object? ReadSingle(ref ProtoReader reader, Slot slot, WireType wireType)
    {
        var proto = slot.Proto!;
        var expected = WireTypeOf(proto.Type);
        if (wireType != expected)
        {
            throw new DataException($"Invalid protobuf data: field {proto.Name} ({proto.Number}) has wire type {(int)wireType}, expected {(int)expected}");
        }
        switch (proto.Type)
        {
            case ProtoType.Message:
                var bytes = reader.ReadBytes();
                return slot.Nested is { } nested ? Read(bytes, nested) : ReadMessageValue(bytes, proto.MessageType!, slot.ValueSchema);
            case ProtoType.String:
                return reader.ReadString();
            case ProtoType.Bytes:
                return reader.ReadBytes().ToArray();
            case ProtoType.Float:
                return BitConverter.UInt32BitsToSingle(reader.ReadFixed32());
            case ProtoType.Double:
                return BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
            case ProtoType.Bool:
                return reader.ReadVarint() != 0;
            default:
                return Convert(slot, proto, ReadInteger(ref reader, proto.Type));
        }
    }

    private static long ReadInteger(ref ProtoReader reader, ProtoType type)
    {
        switch (type)
        {
            case ProtoType.Int32 or ProtoType.Enum: return (int)reader.ReadVarint();
            case ProtoType.UInt32: return (uint)reader.ReadVarint();
            case ProtoType.SInt32: var z32 = (uint)reader.ReadVarint(); return (int)(z32 >> 1) ^ -(int)(z32 & 1);
            case ProtoType.SInt64: var z64 = reader.ReadVarint(); return (long)(z64 >> 1) ^ -(long)(z64 & 1);
            case ProtoType.Fixed32: return reader.ReadFixed32();
            case ProtoType.SFixed32: return (int)reader.ReadFixed32();
            case ProtoType.Fixed64 or ProtoType.SFixed64: return (long)reader.ReadFixed64();
            default: return (long)reader.ReadVarint();
        }
    }

    // An integer from the wire as the Connect type of the slot.
    private static object Convert(Slot slot, ProtoField proto, long value)
    {
        if (proto.Type == ProtoType.Enum && slot.ValueSchema.Type == SchemaType.String)
        {
            return proto.EnumType!.NameOf((int)value) ?? value.ToString(CultureInfo.InvariantCulture);
        }
        return slot.ValueSchema.Type switch
        {
            // Boxed per arm: a switch over mixed integer types would otherwise widen them all to long.
            SchemaType.Int8 => (object)(sbyte)value,
            SchemaType.Int16 => (object)(short)value,
            SchemaType.Int32 => (object)(int)value,
            SchemaType.Int64 => (object)value,
            _ => throw new DataException($"Field {proto.Name}: a protobuf {proto.Type.ToString().ToLowerInvariant()} cannot be read as {slot.ValueSchema.Type}"),
        };
    }

    private static object? ReadMessageValue(ReadOnlySpan<byte> data, ProtoMessage type, Schema schema)
    {
        var reader = new ProtoReader(data);
        switch (type.FullName)
        {
            case DecimalType:
            {
                ReadOnlySpan<byte> unscaled = [];
                var scale = 0;
                while (reader.TryReadTag(out var number, out var wire))
                {
                    if (number == 1 && wire == WireType.LengthDelimited)
                    {
                        unscaled = reader.ReadBytes();
                    }
                    else if (number == 3 && wire == WireType.Varint)
                    {
                        scale = (int)reader.ReadVarint();
                    }
                    else
                    {
                        reader.Skip(wire);
                    }
                }
                return Rescale(DecimalCodec.FromUnscaled(unscaled, scale), ConnectDecimal.ScaleOf(schema));
            }
            case DateType:
            {
                var parts = ReadInt32Fields(ref reader, 3);
                try
                {
                    return new DateOnly(parts[0], parts[1], parts[2]);
                }
                catch (ArgumentOutOfRangeException e)
                {
                    throw new DataException($"Invalid google.type.Date {parts[0]}-{parts[1]}-{parts[2]}", e);
                }
            }
            case TimeType:
            {
                var parts = ReadInt32Fields(ref reader, 4);
                return Time.ToLogical(schema, (parts[0] * 3_600_000) + (parts[1] * 60_000) + (parts[2] * 1000) + (parts[3] / 1_000_000));
            }
            case TimestampType:
            {
                long seconds = 0;
                var nanos = 0;
                while (reader.TryReadTag(out var number, out var wire))
                {
                    if (number == 1 && wire == WireType.Varint)
                    {
                        seconds = (long)reader.ReadVarint();
                    }
                    else if (number == 2 && wire == WireType.Varint)
                    {
                        nanos = (int)reader.ReadVarint();
                    }
                    else
                    {
                        reader.Skip(wire);
                    }
                }
                return Timestamp.ToLogical(schema, (seconds * 1000) + (nanos / 1_000_000));
            }
            default:
            {
                var inner = type.Fields[0];
                var slot = new Slot { Field = new Field("value", 0, schema), ValueSchema = schema, Proto = inner };
                object? value = null;
                while (reader.TryReadTag(out var number, out var wire))
                {
                    if (number == inner.Number)
                    {
                        value = ReadSingleStatic(ref reader, slot, wire);
                    }
                    else
                    {
                        reader.Skip(wire);
                    }
                }
                return value ?? (inner.Type switch
                {
                    ProtoType.String => "",
                    ProtoType.Bytes => Array.Empty<byte>(),
                    ProtoType.Bool => false,
                    ProtoType.Float => 0f,
                    ProtoType.Double => 0d,
                    _ => Convert(slot, inner, 0),
                });
            }
        }
    }

    private static object ReadSingleStatic(ref ProtoReader reader, Slot slot, WireType wire) => slot.Proto!.Type switch
    {
        ProtoType.String => reader.ReadString(),
        ProtoType.Bytes => reader.ReadBytes().ToArray(),
        ProtoType.Float => BitConverter.UInt32BitsToSingle(reader.ReadFixed32()),
        ProtoType.Double => BitConverter.UInt64BitsToDouble(reader.ReadFixed64()),
        ProtoType.Bool => reader.ReadVarint() != 0,
        _ => wire == WireTypeOf(slot.Proto.Type) ? Convert(slot, slot.Proto, ReadInteger(ref reader, slot.Proto.Type)) : throw new DataException("Invalid protobuf data: wrong wire type in a wrapper"),
    };

    private static int[] ReadInt32Fields(ref ProtoReader reader, int count)
    {
        var parts = new int[count];
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number >= 1 && number <= count && wire == WireType.Varint)
            {
                parts[number - 1] = (int)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return parts;
    }
}
