using System.Buffers;
using System.Globalization;
using System.Text;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// Builds the compact JSON Apache's JsonConverter (Jackson) writes for the internal topics, byte for byte: no
/// whitespace, only '"', '\' and control characters escaped (short forms for \b \t \n \f \r, else \u00XX with
/// upper-case hex), everything else as raw UTF-8. Utf8JsonWriter escapes more than that even when relaxed.
/// </summary>
internal sealed class JsonText
{
    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;
    private readonly ArrayBufferWriter<byte> _out = new(128);

    public JsonText Raw(ReadOnlySpan<byte> ascii)
    {
        _out.Write(ascii);
        return this;
    }

    public JsonText Str(string value)
    {
        Byte((byte)'"');
        var utf8 = Encoding.UTF8.GetBytes(value);
        foreach (var b in utf8)
        {
            switch (b)
            {
                case (byte)'"': Raw("\\\""u8); break;
                case (byte)'\\': Raw("\\\\"u8); break;
                case (byte)'\b': Raw("\\b"u8); break;
                case (byte)'\t': Raw("\\t"u8); break;
                case (byte)'\n': Raw("\\n"u8); break;
                case (byte)'\f': Raw("\\f"u8); break;
                case (byte)'\r': Raw("\\r"u8); break;
                default:
                    if (b < 0x20)
                    {
                        Raw("\\u00"u8).Byte(Hex[b >> 4]).Byte(Hex[b & 0xF]);
                    }
                    else
                    {
                        Byte(b);
                    }
                    break;
            }
        }
        return Byte((byte)'"');
    }

    /// <summary>A quoted string, or null.</summary>
    public JsonText StrOrNull(string? value) => value is null ? Raw("null"u8) : Str(value);

    public JsonText Long(long value) => Raw(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    public JsonText Bool(bool value) => Raw(value ? "true"u8 : "false"u8);

    public JsonText Byte(byte value)
    {
        _out.GetSpan(1)[0] = value;
        _out.Advance(1);
        return this;
    }

    public byte[] ToArray() => _out.WrittenSpan.ToArray();
}
