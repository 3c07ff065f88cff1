using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Logical type for a time of day: Int32 milliseconds since midnight, 0 to 86,399,999. In-memory value:
/// <c>TimeOnly</c>; a <c>TimeSpan</c> within one day is accepted too. Sub-millisecond precision is truncated.
/// </summary>
public static class Time
{
    public const string LogicalName = "org.apache.kafka.connect.data.Time";

    private const int MillisPerDay = 24 * 60 * 60 * 1000;

    public static SchemaBuilder Builder() => SchemaBuilder.Int32().Name(LogicalName).Version(1);

    public static readonly Schema Schema = Builder().Build();

    public static int FromLogical(Schema schema, TimeOnly value)
    {
        CheckSchema(schema);
        return (int)(value.Ticks / TimeSpan.TicksPerMillisecond);
    }

    public static int FromLogical(Schema schema, TimeSpan value)
    {
        CheckSchema(schema);
        if (value < TimeSpan.Zero || value >= TimeSpan.FromDays(1))
        {
            throw new DataException("Kafka Connect Time type should not have any date fields set to non-zero values.");
        }
        return (int)(value.Ticks / TimeSpan.TicksPerMillisecond);
    }

    public static TimeOnly ToLogical(Schema schema, int value)
    {
        CheckSchema(schema);
        if (value is < 0 or >= MillisPerDay)
        {
            throw new DataException("Time values must use number of milliseconds greater than 0 and less than 86400000");
        }
        return new TimeOnly(value * TimeSpan.TicksPerMillisecond);
    }

    internal static int FromLogicalObject(Schema schema, object value) => value switch
    {
        TimeOnly t => FromLogical(schema, t),
        TimeSpan ts => FromLogical(schema, ts),
        _ => throw new DataException($"Time values must be TimeOnly or TimeSpan, not {value.GetType().Name}"),
    };

    private static void CheckSchema(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Name != LogicalName)
        {
            throw new DataException("Requested conversion of Time object but the schema does not match.");
        }
    }
}
