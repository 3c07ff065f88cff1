using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Logical type for a calendar date: Int32 days since 1970-01-01 (negative before). In-memory value:
/// <c>DateOnly</c>; a <c>DateTime</c> at midnight UTC is accepted too.
/// </summary>
public static class Date
{
    public const string LogicalName = "org.apache.kafka.connect.data.Date";

    private static readonly int s_epochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    public static SchemaBuilder Builder() => SchemaBuilder.Int32().Name(LogicalName).Version(1);

    public static readonly Schema Schema = Builder().Build();

    public static int FromLogical(Schema schema, DateOnly value)
    {
        CheckSchema(schema);
        return value.DayNumber - s_epochDayNumber;
    }

    /// <summary>Accepts only midnight (UTC for Utc/Unspecified kinds) because the type carries no time of day.</summary>
    public static int FromLogical(Schema schema, DateTime value)
    {
        CheckSchema(schema);
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        if (utc.TimeOfDay != TimeSpan.Zero)
        {
            throw new DataException("Kafka Connect Date type should not have any time fields set to non-zero values.");
        }
        return DateOnly.FromDateTime(utc).DayNumber - s_epochDayNumber;
    }

    public static DateOnly ToLogical(Schema schema, int value)
    {
        CheckSchema(schema);
        var dayNumber = (long)s_epochDayNumber + value;
        if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber)
        {
            throw new DataException($"Date value {value} days since epoch is outside the supported range");
        }
        return DateOnly.FromDayNumber((int)dayNumber);
    }

    internal static int FromLogicalObject(Schema schema, object value) => value switch
    {
        DateOnly d => FromLogical(schema, d),
        DateTime dt => FromLogical(schema, dt),
        _ => throw new DataException($"Date values must be DateOnly or DateTime, not {value.GetType().Name}"),
    };

    private static void CheckSchema(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Name != LogicalName)
        {
            throw new DataException("Requested conversion of Date object but the schema does not match.");
        }
    }
}
