using System.Globalization;
using KafkaConnect.Connect.Data;
using DataException = KafkaConnect.Connect.Errors.DataException;
using SchemaType = KafkaConnect.Connect.Data.SchemaType;

namespace KafkaConnect.Connect.Jdbc.Sink;

/// <summary>
/// auto.schema conversions from schemaless JSON values to a column's Connect type. Dates and timestamps
/// accept integers (days / epoch millis) or "yyyy-MM-dd" / "yyyy-MM-dd HH:mm:ss" strings (read in db.timezone).
/// </summary>
internal static class AutoSchemaValues
{
    private static readonly string[] s_dateTimeFormats =
        ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    public static object? Coerce(Schema schema, object raw, TimeZoneInfo zone)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (schema.Name)
        {
            case Date.LogicalName:
                return raw switch
                {
                    string s => DateOnly.FromDateTime(ParseWallClock(s)),
                    _ when IsInteger(raw) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + Convert.ToInt32(raw, inv)),
                    _ => throw new DataException($"expected days since epoch or a yyyy-MM-dd string, got {raw.GetType().Name}"),
                };
            case Timestamp.LogicalName:
                return raw switch
                {
                    string s => ToInstant(ParseWallClock(s), zone),
                    _ when IsInteger(raw) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(raw, inv)),
                    _ => throw new DataException($"expected epoch milliseconds or a yyyy-MM-dd HH:mm:ss string, got {raw.GetType().Name}"),
                };
            case Time.LogicalName:
                return raw switch
                {
                    string s => TimeOnly.Parse(s, inv),
                    _ when IsInteger(raw) => TimeOnly.FromTimeSpan(TimeSpan.FromMilliseconds(Convert.ToInt64(raw, inv))),
                    _ => throw new DataException($"expected milliseconds of day or a HH:mm:ss string, got {raw.GetType().Name}"),
                };
            case Data.Decimal.LogicalName:
                return Dialects.DatabaseDialect.WithScale(raw is string ds ? decimal.Parse(ds, NumberStyles.Float, inv) : Convert.ToDecimal(raw, inv), Data.Decimal.ScaleOf(schema));
        }
        return schema.Type switch
        {
            SchemaType.Int8 => Convert.ToSByte(Integral(raw), inv),
            SchemaType.Int16 => Convert.ToInt16(Integral(raw), inv),
            SchemaType.Int32 => Convert.ToInt32(Integral(raw), inv),
            SchemaType.Int64 => Convert.ToInt64(Integral(raw), inv),
            SchemaType.Float32 => Convert.ToSingle(raw, inv),
            SchemaType.Float64 => Convert.ToDouble(raw, inv),
            SchemaType.Boolean => raw switch
            {
                bool b => b,
                string s => bool.Parse(s),
                _ when IsInteger(raw) => Convert.ToInt64(raw, inv) != 0,
                _ => throw new DataException($"expected a boolean, got {raw.GetType().Name}"),
            },
            SchemaType.String => raw as string ?? (raw is IConvertible ? Convert.ToString(raw, inv)
                : throw new DataException($"expected a string, got {raw.GetType().Name}")),
            SchemaType.Bytes => raw switch
            {
                byte[] bytes => bytes,
                string s => Convert.FromBase64String(s),
                _ => throw new DataException($"expected base64 bytes, got {raw.GetType().Name}"),
            },
            _ => throw new DataException($"unsupported column type {schema.Type}"),
        };
    }

    private static object Integral(object raw) => raw switch
    {
        double d when d != Math.Floor(d) => throw new DataException($"{d.ToString(CultureInfo.InvariantCulture)} is not an integer"),
        float f when f != MathF.Floor(f) => throw new DataException($"{f.ToString(CultureInfo.InvariantCulture)} is not an integer"),
        decimal m when m != decimal.Floor(m) => throw new DataException($"{m.ToString(CultureInfo.InvariantCulture)} is not an integer"),
        string s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
        // MySQL's BOOLEAN is TINYINT(1) and SQLite stores booleans as INTEGER: JSON true/false must land there.
        bool b => b ? 1L : 0L,
        _ => raw,
    };

    private static bool IsInteger(object raw) => raw is sbyte or byte or short or ushort or int or uint or long or ulong;

    private static DateTime ParseWallClock(string s)
    {
        if (DateTime.TryParseExact(s.Trim(), s_dateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
        {
            return dt;
        }
        throw new DataException($"'{s}' is not yyyy-MM-dd or yyyy-MM-dd HH:mm:ss");
    }

    private static DateTimeOffset ToInstant(DateTime wall, TimeZoneInfo zone) =>
        new(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), zone.GetUtcOffset(wall));
}
