using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace KafkaConnect.Connect.Json;

/// <summary>
/// Minimal compact JSON byte writer that reproduces Jackson's default output exactly: only control
/// characters, '"' and '\' are escaped (non-ASCII is written as raw UTF-8), and numbers use Java's
/// formatting. Utf8JsonWriter cannot be configured to escape that little, hence this writer.
/// One instance per thread, reused; the buffer is rented from the shared pool.
/// </summary>
internal sealed class JsonOutput
{
    private const int MaxRetainedBytes = 1 << 20;
    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    [ThreadStatic]
    private static JsonOutput? t_cached;

    private byte[] _buffer;
    private int _length;

    private JsonOutput()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(1024);
    }

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Takes the thread's writer (or a fresh one when it is in use further up the stack).</summary>
    public static JsonOutput Rent()
    {
        var output = t_cached ?? new JsonOutput();
        t_cached = null;
        output._length = 0;
        return output;
    }

    public static void Return(JsonOutput output)
    {
        if (output._buffer.Length > MaxRetainedBytes)
        {
            ArrayPool<byte>.Shared.Return(output._buffer);
            output._buffer = ArrayPool<byte>.Shared.Rent(1024);
        }
        t_cached = output;
    }

    public byte[] ToArray() => Written.ToArray();

    public void WriteByte(byte value)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }
        _buffer[_length++] = value;
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteNull() => WriteRaw("null"u8);

    public void WriteBoolean(bool value) => WriteRaw(value ? "true"u8 : "false"u8);

    public void WriteInt64(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var written);
        _length += written;
    }

    public void WriteDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            // Jackson quotes non-numeric numbers by default (QUOTE_NON_NUMERIC_NUMBERS).
            WriteNonFinite(double.IsNaN(value), value > 0);
            return;
        }
        Span<char> chars = stackalloc char[32];
        value.TryFormat(chars, out var n, "R", CultureInfo.InvariantCulture);
        WriteJavaFloating(chars[..n]);
    }

    public void WriteSingle(float value)
    {
        if (!float.IsFinite(value))
        {
            WriteNonFinite(float.IsNaN(value), value > 0);
            return;
        }
        Span<char> chars = stackalloc char[32];
        value.TryFormat(chars, out var n, "R", CultureInfo.InvariantCulture);
        WriteJavaFloating(chars[..n]);
    }

    /// <summary>Writes a decimal as Java's BigDecimal.toString() does (Jackson's default for big decimals).</summary>
    public void WriteDecimal(decimal value)
    {
        Span<char> text = stackalloc char[40];
        value.TryFormat(text, out var n, default, CultureInfo.InvariantCulture);
        text = text[..n];
        var negative = text[0] == '-';
        Span<char> digits = stackalloc char[40];
        var count = 0;
        var scale = 0;
        var afterPoint = false;
        foreach (var c in text)
        {
            if (c == '.')
            {
                afterPoint = true;
            }
            else if (c != '-')
            {
                if (count > 0 || c != '0')
                {
                    digits[count++] = c;
                }
                if (afterPoint)
                {
                    scale++;
                }
            }
        }
        if (count == 0)
        {
            digits[count++] = '0';
        }
        var unscaled = digits[..count];
        var adjusted = -scale + (count - 1);
        if (negative)
        {
            WriteByte((byte)'-');
        }
        if (adjusted >= -6)
        {
            if (scale == 0)
            {
                WriteAscii(unscaled);
            }
            else if (count > scale)
            {
                WriteAscii(unscaled[..(count - scale)]);
                WriteByte((byte)'.');
                WriteAscii(unscaled[(count - scale)..]);
            }
            else
            {
                WriteRaw("0."u8);
                for (var i = 0; i < scale - count; i++)
                {
                    WriteByte((byte)'0');
                }
                WriteAscii(unscaled);
            }
            return;
        }
        WriteByte((byte)unscaled[0]);
        if (count > 1)
        {
            WriteByte((byte)'.');
            WriteAscii(unscaled[1..]);
        }
        WriteByte((byte)'E');
        WriteInt64(adjusted);
    }

    public void WriteBase64String(ReadOnlySpan<byte> bytes)
    {
        var size = Base64.GetMaxEncodedToUtf8Length(bytes.Length);
        Ensure(size + 2);
        _buffer[_length++] = (byte)'"';
        Base64.EncodeToUtf8(bytes, _buffer.AsSpan(_length), out _, out var written);
        _length += written;
        _buffer[_length++] = (byte)'"';
    }

    /// <summary>Writes a quoted, escaped string.</summary>
    public void WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(max + 2);
        _buffer[_length++] = (byte)'"';
        var start = _length;
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(start));
        var span = _buffer.AsSpan(start, written);
        var escapeAt = IndexOfEscape(span);
        if (escapeAt < 0)
        {
            _length += written;
        }
        else
        {
            // Rare: re-encode the tail with escapes from a copy.
            var tail = span[escapeAt..].ToArray();
            _length = start + escapeAt;
            WriteEscaped(tail);
        }
        WriteByte((byte)'"');
    }

    /// <summary>Writes an already UTF-8 encoded string (e.g. a cached field name), quoted and escaped.</summary>
    public void WriteUtf8String(ReadOnlySpan<byte> utf8)
    {
        WriteByte((byte)'"');
        if (IndexOfEscape(utf8) < 0)
        {
            WriteRaw(utf8);
        }
        else
        {
            WriteEscaped(utf8);
        }
        WriteByte((byte)'"');
    }

    private static int IndexOfEscape(ReadOnlySpan<byte> span)
    {
        for (var i = 0; i < span.Length; i++)
        {
            var b = span[i];
            if (b < 0x20 || b == (byte)'"' || b == (byte)'\\')
            {
                return i;
            }
        }
        return -1;
    }

    private void WriteEscaped(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            switch (b)
            {
                case (byte)'"':
                    WriteRaw("\\\""u8);
                    break;
                case (byte)'\\':
                    WriteRaw("\\\\"u8);
                    break;
                case (byte)'\n':
                    WriteRaw("\\n"u8);
                    break;
                case (byte)'\r':
                    WriteRaw("\\r"u8);
                    break;
                case (byte)'\t':
                    WriteRaw("\\t"u8);
                    break;
                case (byte)'\b':
                    WriteRaw("\\b"u8);
                    break;
                case (byte)'\f':
                    WriteRaw("\\f"u8);
                    break;
                default:
                    if (b < 0x20)
                    {
                        WriteRaw("\\u00"u8);
                        WriteByte(Hex[b >> 4]);
                        WriteByte(Hex[b & 0xF]);
                    }
                    else
                    {
                        WriteByte(b);
                    }
                    break;
            }
        }
    }

    private void WriteNonFinite(bool nan, bool positive) =>
        WriteRaw(nan ? "\"NaN\""u8 : positive ? "\"Infinity\""u8 : "\"-Infinity\""u8);

    private void WriteAscii(ReadOnlySpan<char> chars)
    {
        Ensure(chars.Length);
        foreach (var c in chars)
        {
            _buffer[_length++] = (byte)c;
        }
    }

    // Re-renders .NET's shortest round-trip text the way Java's Double/Float.toString does: plain notation
    // with at least one fraction digit for 1e-3 <= |v| < 1e7, otherwise d.dddE[-]n.
    private void WriteJavaFloating(ReadOnlySpan<char> text)
    {
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }
        var exponentAt = text.IndexOfAny('E', 'e');
        var exponent = 0;
        var mantissa = text;
        if (exponentAt >= 0)
        {
            exponent = int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = text[..exponentAt];
        }
        Span<char> digits = stackalloc char[32];
        var count = 0;
        var pointAt = mantissa.IndexOf('.');
        var integerDigits = pointAt < 0 ? mantissa.Length : pointAt;
        var leadingZeros = 0;
        foreach (var c in mantissa)
        {
            if (c == '.')
            {
                continue;
            }
            if (count == 0 && c == '0')
            {
                leadingZeros++;
                continue;
            }
            digits[count++] = c;
        }
        while (count > 1 && digits[count - 1] == '0')
        {
            count--;
        }
        if (negative)
        {
            WriteByte((byte)'-');
        }
        if (count == 0)
        {
            WriteRaw("0.0"u8);
            return;
        }
        // Value = 0.d1d2... x 10^pointPosition.
        var pointPosition = integerDigits - leadingZeros + exponent;
        var decimalExponent = pointPosition - 1;
        var ds = digits[..count];
        if (decimalExponent is >= -3 and < 7)
        {
            if (pointPosition <= 0)
            {
                WriteRaw("0."u8);
                for (var i = 0; i < -pointPosition; i++)
                {
                    WriteByte((byte)'0');
                }
                WriteAscii(ds);
            }
            else if (pointPosition >= count)
            {
                WriteAscii(ds);
                for (var i = count; i < pointPosition; i++)
                {
                    WriteByte((byte)'0');
                }
                WriteRaw(".0"u8);
            }
            else
            {
                WriteAscii(ds[..pointPosition]);
                WriteByte((byte)'.');
                WriteAscii(ds[pointPosition..]);
            }
            return;
        }
        WriteByte((byte)ds[0]);
        WriteByte((byte)'.');
        if (count > 1)
        {
            WriteAscii(ds[1..]);
        }
        else
        {
            WriteByte((byte)'0');
        }
        WriteByte((byte)'E');
        WriteInt64(decimalExponent);
    }

    private void Ensure(int extra)
    {
        if (_buffer.Length - _length < extra)
        {
            Grow(extra);
        }
    }

    private void Grow(int extra)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
