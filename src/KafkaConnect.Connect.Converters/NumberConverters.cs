using System.Buffers.Binary;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Converters;

/// <summary>
/// Base of the fixed-width converters: the value is stored in the byte format of Kafka's own serializers
/// (big-endian two's complement / IEEE 754), null stays null. Usable as key, value and header converter.
/// </summary>
public abstract class NumberConverter<T> : IConverter, IHeaderConverter, IVersioned
    where T : struct
{
    private static readonly ConfigDef s_config = new ConfigDef()
        .Define("converter.type", ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.ValidString.In("key", "value", "header"),
            Importance.Low, "How this converter will be used.");

    private readonly string _typeName;
    private readonly int _size;

    private protected NumberConverter(string typeName, Schema schema, int size)
    {
        _typeName = typeName;
        Schema = schema;
        _size = size;
    }

    /// <summary>The optional schema every deserialized value carries.</summary>
    public Schema Schema { get; }

    public string Version() => "1.0";

    public ConfigDef Config() => s_config;

    public void Configure(IReadOnlyDictionary<string, string> configs) => _ = new AbstractConfig(s_config, configs);

    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
        ArgumentNullException.ThrowIfNull(configs);
        Configure(new Dictionary<string, string>(configs, StringComparer.Ordinal) { ["converter.type"] = isKey ? "key" : "value" });
    }

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        if (value is null)
        {
            return null;
        }
        if (value is not T typed)
        {
            throw new DataException($"Failed to serialize to {_typeName} (was {value.GetType().FullName})");
        }
        var bytes = new byte[_size];
        Write(bytes, typed);
        return bytes;
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value)
    {
        if (value is null)
        {
            return new SchemaAndValue(Schema, null);
        }
        if (value.Length != _size)
        {
            throw new DataException($"Failed to deserialize {_typeName}: size of data received is {value.Length}, not {_size}");
        }
        return new SchemaAndValue(Schema, Read(value));
    }

    public SchemaAndValue ToConnectHeader(string topic, string headerKey, byte[]? value) => ToConnectData(topic, null, value);

    public byte[]? FromConnectHeader(string topic, string headerKey, Schema? schema, object? value) =>
        FromConnectData(topic, null, schema, value);

    public void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    private protected abstract void Write(Span<byte> destination, T value);

    private protected abstract T Read(ReadOnlySpan<byte> source);
}

/// <summary><c>org.apache.kafka.connect.converters.ShortConverter</c>: int16, 2 bytes big-endian.</summary>
public sealed class ShortConverter() : NumberConverter<short>("short", Data.Schema.OptionalInt16Schema, 2)
{
    private protected override void Write(Span<byte> destination, short value) => BinaryPrimitives.WriteInt16BigEndian(destination, value);

    private protected override short Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt16BigEndian(source);
}

/// <summary><c>org.apache.kafka.connect.converters.IntegerConverter</c>: int32, 4 bytes big-endian.</summary>
public sealed class IntegerConverter() : NumberConverter<int>("integer", Data.Schema.OptionalInt32Schema, 4)
{
    private protected override void Write(Span<byte> destination, int value) => BinaryPrimitives.WriteInt32BigEndian(destination, value);

    private protected override int Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt32BigEndian(source);
}

/// <summary><c>org.apache.kafka.connect.converters.LongConverter</c>: int64, 8 bytes big-endian.</summary>
public sealed class LongConverter() : NumberConverter<long>("long", Data.Schema.OptionalInt64Schema, 8)
{
    private protected override void Write(Span<byte> destination, long value) => BinaryPrimitives.WriteInt64BigEndian(destination, value);

    private protected override long Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt64BigEndian(source);
}

/// <summary><c>org.apache.kafka.connect.converters.FloatConverter</c>: float32, IEEE 754 big-endian.</summary>
public sealed class FloatConverter() : NumberConverter<float>("float", Data.Schema.OptionalFloat32Schema, 4)
{
    private protected override void Write(Span<byte> destination, float value) => BinaryPrimitives.WriteSingleBigEndian(destination, value);

    private protected override float Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadSingleBigEndian(source);
}

/// <summary><c>org.apache.kafka.connect.converters.DoubleConverter</c>: float64, IEEE 754 big-endian.</summary>
public sealed class DoubleConverter() : NumberConverter<double>("double", Data.Schema.OptionalFloat64Schema, 8)
{
    private protected override void Write(Span<byte> destination, double value) => BinaryPrimitives.WriteDoubleBigEndian(destination, value);

    private protected override double Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadDoubleBigEndian(source);
}

/// <summary><c>org.apache.kafka.connect.converters.BooleanConverter</c>: one byte, 0x01 true / 0x00 false.</summary>
public sealed class BooleanConverter() : NumberConverter<bool>("boolean", Data.Schema.OptionalBooleanSchema, 1)
{
    private protected override void Write(Span<byte> destination, bool value) => destination[0] = value ? (byte)1 : (byte)0;

    private protected override bool Read(ReadOnlySpan<byte> source) => source[0] switch
    {
        0 => false,
        1 => true,
        var b => throw new DataException($"Failed to deserialize boolean: unexpected byte 0x{b:X2}"),
    };
}
