using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>The parsers of PostgreSQL's text output that have edge cases the database tests do not reach.</summary>
public sealed class ValueTextTests
{
    [Theory]
    [InlineData("00:00:00", 0L, "P0Y0M0DT0H0M0S")]
    [InlineData("1 mon", 2_629_800_000_000L, "P0Y1M0DT0H0M0S")] // 365.25 / 12 days
    [InlineData("-2 years", -63_115_200_000_000L, "P-2Y0M0DT0H0M0S")]
    [InlineData("3 days -01:30:00", 253_800_000_000L, "P0Y0M3DT-1H-30M0S")]
    [InlineData("100:00:00.000001", 360_000_000_001L, "P0Y0M0DT100H0M0.000001S")]
    public void Intervals_convert_as_debezium(string text, long micros, string iso)
    {
        var interval = PgInterval.Parse(text);
        Assert.Equal(micros, interval.ToMicros());
        Assert.Equal(iso, interval.ToIsoString());
    }

    [Fact]
    public void Arrays_unquote_unescape_and_keep_null_apart_from_the_string_NULL()
    {
        Assert.Equal(["a,b", "x\\y", "q\"", null, "NULL", " s "], PgArray.Parse("""{"a,b","x\\y","q\"",NULL,"NULL"," s "}""", t => t));
        Assert.Empty(PgArray.Parse("{}", t => t));
        Assert.Equal([1, 2], PgArray.Parse("[0:1]={1,2}", t => int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Throws<DataException>(() => PgArray.Parse("{{1,2},{3,4}}", t => t));
    }

    [Theory]
    [InlineData("10:11:12.5+02", "08:11:12.5Z")]
    [InlineData("23:30:00-01", "00:30:00Z")]
    [InlineData("00:15:00+05:30", "18:45:00Z")]
    [InlineData("12:00:00.000100+00", "12:00:00.0001Z")]
    public void Timetz_becomes_utc_zoned_time(string text, string expected) => Assert.Equal(expected, PgTypes.ZonedTime(text));

    [Theory]
    [InlineData("$1,234.50", "1234.50")]
    [InlineData("-$0.01", "-0.01")]
    [InlineData("($5.00)", "-5.00")]
    public void Money_text_becomes_a_scale_2_decimal(string text, string expected) =>
        Assert.Equal(expected, PgTypes.ParseMoney(text).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("42", "42")]
    [InlineData("'-1'::integer", "-1")]
    [InlineData("'it''s'::character varying", "it's")]
    [InlineData("'ok'::\"Mood\"", "ok")]
    [InlineData("true", "true")]
    [InlineData("nextval('s_id_seq'::regclass)", null)]
    [InlineData("now()", null)]
    [InlineData("NULL::text", null)]
    [InlineData("('a'::text || 'b'::text)", null)]
    public void Only_literal_defaults_are_taken(string expression, string? expected)
    {
        Assert.Equal(expected is not null, TableSchema.TryLiteral(expression, out var literal));
        Assert.Equal(expected ?? "", literal);
    }
}
