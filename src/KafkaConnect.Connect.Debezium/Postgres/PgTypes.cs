using System.Globalization;
using System.Numerics;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDate = KafkaConnect.Connect.Data.Date;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;
using ConnectTime = KafkaConnect.Connect.Data.Time;
using ConnectTimestamp = KafkaConnect.Connect.Data.Timestamp;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// How one column's values become Connect values: the field schema (Debezium's semantic type for the PostgreSQL type
/// and the decimal/time modes), a parser of PostgreSQL's text output (pgoutput sends text, and the snapshot reads
/// the same text, so both phases share one conversion), and the value a required field gets when the server sent
/// none (the non-key columns of a key-only before image), as Debezium fills them.
/// </summary>
internal sealed record ColumnType(Schema Schema, Func<string, object> Parse, object Fallback);

/// <summary>Maps PostgreSQL types (by OID and type modifier) to <see cref="ColumnType"/>s.</summary>
internal static class PgTypes
{
    public const uint Bool = 16;
    public const uint Bytea = 17;
    public const uint Char = 18;
    public const uint Name = 19;
    public const uint Int8 = 20;
    public const uint Int2 = 21;
    public const uint Int4 = 23;
    public const uint Text = 25;
    public const uint Oid = 26;
    public const uint Json = 114;
    public const uint Float4 = 700;
    public const uint Float8 = 701;
    public const uint Bpchar = 1042;
    public const uint Varchar = 1043;
    public const uint Date = 1082;
    public const uint Time = 1083;
    public const uint Timestamp = 1114;
    public const uint Timestamptz = 1184;
    public const uint Numeric = 1700;
    public const uint Uuid = 2950;
    public const uint Jsonb = 3802;
    public const uint Xml = 142;
    public const uint Cidr = 650;
    public const uint Macaddr8 = 774;
    public const uint Money = 790;
    public const uint Macaddr = 829;
    public const uint Inet = 869;
    public const uint Interval = 1186;
    public const uint Timetz = 1266;

    public const string JsonName = "io.debezium.data.Json";
    public const string UuidName = "io.debezium.data.Uuid";
    public const string VariableScaleDecimalName = "io.debezium.data.VariableScaleDecimal";
    public const string DateName = "io.debezium.time.Date";
    public const string TimeName = "io.debezium.time.Time";
    public const string MicroTimeName = "io.debezium.time.MicroTime";
    public const string TimestampName = "io.debezium.time.Timestamp";
    public const string MicroTimestampName = "io.debezium.time.MicroTimestamp";
    public const string ZonedTimestampName = "io.debezium.time.ZonedTimestamp";
    public const string ZonedTimeName = "io.debezium.time.ZonedTime";
    public const string MicroDurationName = "io.debezium.time.MicroDuration";
    public const string IntervalName = "io.debezium.time.Interval";
    public const string XmlName = "io.debezium.data.Xml";
    public const string LtreeName = "io.debezium.data.Ltree";

    /// <summary>The parameter Debezium adds to Decimal schemas with the column's declared precision.</summary>
    public const string DecimalPrecisionParameter = "connect.decimal.precision";

    private static readonly int s_epochDay = new DateOnly(1970, 1, 1).DayNumber;
    private static readonly string[] s_timestampFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF"];
    private static readonly string[] s_timestamptzFormats = ["yyyy-MM-dd HH:mm:sszz", "yyyy-MM-dd HH:mm:ss.FFFFFFzz", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFzzz"];
    private static readonly string[] s_timeFormats = ["HH:mm:ss", "HH:mm:ss.FFFFFF"];

    private static readonly Schema s_variableScaleDecimal = VariableScaleDecimalBuilder().Build();
    private static readonly Schema s_optionalVariableScaleDecimal = VariableScaleDecimalBuilder().Optional().Build();

    /// <summary>Debezium's VariableScaleDecimal (numeric columns without a declared precision in precise mode).</summary>
    public static Schema VariableScaleDecimal(bool optional) => optional ? s_optionalVariableScaleDecimal : s_variableScaleDecimal;

    private static SchemaBuilder VariableScaleDecimalBuilder() =>
        SchemaBuilder.Struct().Name(VariableScaleDecimalName).Version(1).Doc("Variable scaled decimal")
            .Field("scale", Schema.Int32Schema)
            .Field("value", Schema.BytesSchema);

    /// <summary>The column's mapping, or null for a type this connector does not capture (the column is left out, as
    /// Debezium does for unknown types).</summary>
    public static ColumnType? Map(uint oid, int typeModifier, bool optional, PostgresSettings settings, TypeRegistry types)
    {
        var decimals = settings.Decimals;
        var times = settings.Times;
        switch (oid)
        {
            case Bool:
                return Make(SchemaBuilder.Bool(), optional, t => t == "t", false);
            case Int2:
                return Make(SchemaBuilder.Int16(), optional, t => short.Parse(t, CultureInfo.InvariantCulture), (short)0);
            case Int4:
                return Make(SchemaBuilder.Int32(), optional, t => int.Parse(t, CultureInfo.InvariantCulture), 0);
            case Int8:
            case Oid:
                return Make(SchemaBuilder.Int64(), optional, t => long.Parse(t, CultureInfo.InvariantCulture), 0L);
            case Float4:
                return Make(SchemaBuilder.Float32(), optional, t => float.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture), 0f);
            case Float8:
                return Make(SchemaBuilder.Float64(), optional, ParseDouble, 0d);
            case Text:
            case Varchar:
            case Bpchar:
            case Char:
            case Name:
                return Make(SchemaBuilder.String(), optional, t => t, "");
            case Json:
            case Jsonb:
                return Make(SchemaBuilder.String().Name(JsonName).Version(1), optional, t => t, "");
            case Uuid:
                return Make(SchemaBuilder.String().Name(UuidName).Version(1), optional, t => t, "");
            case Bytea:
                return Make(SchemaBuilder.Bytes(), optional, ParseBytea, System.Array.Empty<byte>());
            case Numeric:
                return MapNumeric(typeModifier, optional, decimals);
            case Date:
                return times == TimePrecision.Connect
                    ? Make(ConnectDate.Builder(), optional, t => ParseDate(t), new DateOnly(1970, 1, 1))
                    : Make(SchemaBuilder.Int32().Name(DateName).Version(1), optional, t => ParseDate(t).DayNumber - s_epochDay, 0);
            case Time:
                return MapTime(Precision(typeModifier), optional, times);
            case Timestamp:
                return MapTimestamp(Precision(typeModifier), optional, times);
            case Timestamptz:
                var width = Precision(typeModifier);
                return Make(SchemaBuilder.String().Name(ZonedTimestampName).Version(1), optional, t => ZonedTimestamp(t, width),
                    "1970-01-01T00:00:00Z");
            case Interval:
                return settings.Intervals == IntervalHandling.String
                    ? Make(SchemaBuilder.String().Name(IntervalName).Version(1), optional, t => PgInterval.Parse(t).ToIsoString(), "P0Y0M0DT0H0M0S")
                    : Make(SchemaBuilder.Int64().Name(MicroDurationName).Version(1), optional, t => PgInterval.Parse(t).ToMicros(), 0L);
            case Money:
                return MapMoney(optional, decimals);
            case Inet:
            case Cidr:
            case Macaddr:
            case Macaddr8:
                return Make(SchemaBuilder.String(), optional, t => t, "");
            case Xml:
                return Make(SchemaBuilder.String().Name(XmlName).Version(1), optional, t => t, "");
            case Timetz:
                return Make(SchemaBuilder.String().Name(ZonedTimeName).Version(1), optional, ZonedTime, "00:00:00Z");
            default:
                return types.TryGet(oid, out var type) ? MapCatalogType(type, typeModifier, optional, settings, types) : null;
        }
    }

    /// <summary>Types without a fixed OID: enums, domains (as their base type), citext, ltree and one-dimensional arrays.</summary>
    private static ColumnType? MapCatalogType(PgTypeInfo type, int typeModifier, bool optional, PostgresSettings settings, TypeRegistry types)
    {
        switch (type.Kind)
        {
            case 'e':
                return Make(EnumBuilder(type), optional, t => t, "");
            case 'd':
                return Map(type.BaseType, typeModifier >= 0 ? typeModifier : type.BaseTypeModifier, optional, settings, types);
        }
        switch (type.Name)
        {
            case "citext":
                return Make(SchemaBuilder.String(), optional, t => t, "");
            case "ltree":
                return Make(SchemaBuilder.String().Name(LtreeName).Version(1), optional, t => t, "");
        }
        if (type.Category != 'A' || type.Element == 0 || !types.TryGet(type.Element, out var element))
        {
            return null;
        }
        // As Debezium: enum elements are required, other elements optional; arrays of money, name, interval, xml and
        // domains are not mapped.
        ColumnType? elementType = element.Kind switch
        {
            'e' => new ColumnType(EnumBuilder(element).Build(), t => t, ""),
            'd' => null,
            _ => element.Oid is Money or Name or Interval or Xml ? null : Map(element.Oid, typeModifier, optional: true, settings, types),
        };
        if (elementType is null)
        {
            return null;
        }
        return Make(SchemaBuilder.Array(elementType.Schema), optional, t => PgArray.Parse(t, elementType.Parse), new List<object?>());
    }

    private static SchemaBuilder EnumBuilder(PgTypeInfo type) =>
        SchemaBuilder.String().Name(ChangeEventSchemas.EnumName).Version(1).Parameter("allowed", string.Join(",", type.EnumLabels));

    // Debezium's money schema: a Decimal of scale 2 (money.fraction.digits), float64 or string, per decimal.handling.mode.
    private static ColumnType MapMoney(bool optional, DecimalHandling decimals) => decimals switch
    {
        DecimalHandling.Double => Make(SchemaBuilder.Float64(), optional, t => (double)ParseMoney(t), 0d),
        DecimalHandling.String => Make(SchemaBuilder.String(), optional, t => ParseMoney(t).ToString(CultureInfo.InvariantCulture), "0.00"),
        _ => Make(ConnectDecimal.Builder(2), optional, t => ParseMoney(t), 0.00m),
    };

    /// <summary>money's text output (lc_monetary's format, e.g. <c>$1,234.56</c> or <c>-$1,234.56</c>) as a scale-2 decimal.</summary>
    internal static decimal ParseMoney(string text)
    {
        var negative = text.Contains('-', StringComparison.Ordinal) || text.Contains('(', StringComparison.Ordinal);
        var digits = new string([.. text.Where(c => char.IsAsciiDigit(c) || c == '.')]);
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new DataException($"Unsupported money value '{text}' (set lc_monetary to a locale with '.' as the decimal point)");
        }
        value = decimal.Round(value, 2, MidpointRounding.AwayFromZero);
        return decimal.Add(negative ? -value : value, 0.00m);
    }

    /// <summary>timetz's text (e.g. <c>10:11:12.5+02</c>) as Debezium's ZonedTime: the time in UTC, ISO-8601 with the
    /// fraction digits needed and <c>Z</c>, e.g. <c>08:11:12.5Z</c>.</summary>
    internal static string ZonedTime(string text)
    {
        var sign = text.LastIndexOfAny(['+', '-']);
        if (sign <= 0)
        {
            throw new DataException($"Unsupported timetz value '{text}'");
        }
        var micros = ParseTimeMicros(text[..sign]);
        var zone = text[(sign + 1)..].Split(':');
        var offsetSeconds = 0;
        for (var i = 0; i < zone.Length; i++)
        {
            offsetSeconds += int.Parse(zone[i], CultureInfo.InvariantCulture) * (i == 0 ? 3600 : i == 1 ? 60 : 1);
        }
        var utc = (micros - (text[sign] == '-' ? -offsetSeconds : offsetSeconds) * 1_000_000L) % 86_400_000_000L;
        if (utc < 0)
        {
            utc += 86_400_000_000L;
        }
        var time = TimeOnly.FromTimeSpan(TimeSpan.FromTicks(utc * 10));
        var fraction = (utc % 1_000_000).ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0');
        return time.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + "Z";
    }

    private static ColumnType Make(SchemaBuilder builder, bool optional, Func<string, object> parse, object fallback) =>
        new((optional ? builder.Optional() : builder).Build(), parse, fallback);

    // Time types without a declared precision keep microseconds.
    private static int Precision(int typeModifier) => typeModifier < 0 ? 6 : typeModifier;

    private static ColumnType MapNumeric(int typeModifier, bool optional, DecimalHandling decimals)
    {
        var variable = typeModifier < 0;
        var precision = variable ? 0 : ((typeModifier - 4) >> 16) & 0xFFFF;
        var scale = variable ? 0 : (typeModifier - 4) & 0xFFFF;
        switch (decimals)
        {
            case DecimalHandling.Double:
                return Make(SchemaBuilder.Float64(), optional, ParseDouble, 0d);
            case DecimalHandling.String:
                return Make(SchemaBuilder.String(), optional, t => t, "0");
            default:
                if (variable)
                {
                    return new ColumnType(VariableScaleDecimal(optional), t => VariableScaleValue(t, optional), VariableScaleZero(optional));
                }
                var builder = ConnectDecimal.Builder(scale).Parameter(DecimalPrecisionParameter, precision.ToString(CultureInfo.InvariantCulture));
                return Make(builder, optional, t => ToDecimal(t, scale), new decimal(0, 0, 0, false, (byte)scale));
        }
    }

    private static ColumnType MapTime(int precision, bool optional, TimePrecision times)
    {
        if (times == TimePrecision.Connect)
        {
            return Make(ConnectTime.Builder(), optional, t => TimeOnly.FromTimeSpan(TimeSpan.FromTicks(Math.Min(ParseTimeMicros(t) * 10, TimeSpan.TicksPerDay - 1))), TimeOnly.MinValue);
        }
        if (times == TimePrecision.Adaptive && precision <= 3)
        {
            return Make(SchemaBuilder.Int32().Name(TimeName).Version(1), optional, t => (int)(ParseTimeMicros(t) / 1000), 0);
        }
        return Make(SchemaBuilder.Int64().Name(MicroTimeName).Version(1), optional, t => ParseTimeMicros(t), 0L);
    }

    private static ColumnType MapTimestamp(int precision, bool optional, TimePrecision times)
    {
        if (times == TimePrecision.Connect)
        {
            return Make(ConnectTimestamp.Builder(), optional, t => new DateTimeOffset(ParseTimestamp(t), TimeSpan.Zero), DateTimeOffset.UnixEpoch);
        }
        if (precision <= 3)
        {
            return Make(SchemaBuilder.Int64().Name(TimestampName).Version(1), optional,
                t => (ParseTimestamp(t) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond, 0L);
        }
        return Make(SchemaBuilder.Int64().Name(MicroTimestampName).Version(1), optional,
            t => (ParseTimestamp(t) - DateTime.UnixEpoch).Ticks / 10, 0L);
    }

    private static object ParseDouble(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static byte[] ParseBytea(string text)
    {
        // bytea_output=hex, PostgreSQL's default since 9.0.
        if (!text.StartsWith("\\x", StringComparison.Ordinal))
        {
            throw new DataException("bytea value is not in hex format (set bytea_output=hex)");
        }
        return Convert.FromHexString(text.AsSpan(2));
    }

    private static DateOnly ParseDate(string text)
    {
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new DataException($"Unsupported date value '{text}' (infinite and BC dates are not supported yet)");
        }
        return date;
    }

    private static long ParseTimeMicros(string text)
    {
        // PostgreSQL allows 24:00:00, one past the last time of day.
        if (text.StartsWith("24:00:00", StringComparison.Ordinal))
        {
            return 86_400_000_000L;
        }
        if (!TimeOnly.TryParseExact(text, s_timeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            throw new DataException($"Unsupported time value '{text}'");
        }
        return time.Ticks / 10;
    }

    private static DateTime ParseTimestamp(string text)
    {
        if (!DateTime.TryParseExact(text, s_timestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            throw new DataException($"Unsupported timestamp value '{text}' (infinite and BC timestamps are not supported yet)");
        }
        return value;
    }

    /// <summary>ISO-8601 in UTC with exactly <paramref name="width"/> fraction digits (none for 0), as Debezium's
    /// ZonedTimestamp formats a column of that precision.</summary>
    internal static string ZonedTimestamp(string text, int width)
    {
        if (!DateTimeOffset.TryParseExact(text, s_timestamptzFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw new DataException($"Unsupported timestamptz value '{text}' (infinite and BC timestamps are not supported yet)");
        }
        var utc = value.UtcDateTime;
        var head = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (width <= 0)
        {
            return head + "Z";
        }
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture);
        return head + "." + (width <= 7 ? fraction[..width] : fraction.PadRight(width, '0')) + "Z";
    }

    /// <summary>The unscaled digits and scale of a numeric's text, keeping trailing zeros as PostgreSQL printed them.</summary>
    internal static (BigInteger Unscaled, int Scale) ParseUnscaled(string text)
    {
        if (text is "NaN" or "Infinity" or "-Infinity")
        {
            throw new DataException($"Numeric value {text} cannot be represented in precise decimal mode; use decimal.handling.mode=double or string");
        }
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? text : string.Concat(text.AsSpan(0, dot), text.AsSpan(dot + 1));
        var scale = dot < 0 ? 0 : text.Length - dot - 1;
        return (BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), scale);
    }

    private static decimal ToDecimal(string text, int scale)
    {
        var (unscaled, actual) = ParseUnscaled(text);
        if (actual < scale)
        {
            unscaled *= BigInteger.Pow(10, scale - actual);
        }
        else if (actual > scale)
        {
            unscaled /= BigInteger.Pow(10, actual - scale);
        }
        var magnitude = BigInteger.Abs(unscaled);
        if (scale > 28 || magnitude > (BigInteger.One << 96) - 1)
        {
            throw new DataException($"Numeric value {text} exceeds the range this connector's Decimal supports (96 bits, scale 28); use decimal.handling.mode=string");
        }
        return new decimal((int)(uint)(magnitude & uint.MaxValue), (int)(uint)((magnitude >> 32) & uint.MaxValue),
            (int)(uint)((magnitude >> 64) & uint.MaxValue), unscaled.Sign < 0, (byte)scale);
    }

    private static Struct VariableScaleValue(string text, bool optional)
    {
        var (unscaled, scale) = ParseUnscaled(text);
        return new Struct(VariableScaleDecimal(optional)).Put("scale", scale).Put("value", ConnectDecimal.FromUnscaled(unscaled));
    }

    private static Struct VariableScaleZero(bool optional) =>
        new Struct(VariableScaleDecimal(optional)).Put("scale", 0).Put("value", new byte[] { 0 });
}
