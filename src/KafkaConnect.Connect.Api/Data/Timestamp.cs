using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Data;

/// <summary>
/// Logical type for an instant: Int64 milliseconds since the Unix epoch, UTC. In-memory value:
/// <c>DateTimeOffset</c>; a <c>DateTime</c> is accepted too (Unspecified kind is taken as UTC).
/// </summary>
public static class Timestamp
{
    public const string LogicalName = "org.apache.kafka.connect.data.Timestamp";

    public static SchemaBuilder Builder() => SchemaBuilder.Int64().Name(LogicalName).Version(1);

    public static readonly Schema Schema = Builder().Build();

    public static long FromLogical(Schema schema, DateTimeOffset value)
    {
        CheckSchema(schema);
        return value.ToUnixTimeMilliseconds();
    }

    public static long FromLogical(Schema schema, DateTime value)
    {
        CheckSchema(schema);
        return AsOffset(value).ToUnixTimeMilliseconds();
    }

    public static DateTimeOffset ToLogical(Schema schema, long value)
    {
        CheckSchema(schema);
        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(value);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new DataException($"Timestamp value {value} is outside the supported range", e);
        }
    }

    internal static DateTimeOffset AsOffset(DateTime value) =>
        value.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))
            : new DateTimeOffset(value.ToUniversalTime());

    internal static long FromLogicalObject(Schema schema, object value) => value switch
    {
        DateTimeOffset dto => FromLogical(schema, dto),
        DateTime dt => FromLogical(schema, dt),
        _ => throw new DataException($"Timestamp values must be DateTimeOffset or DateTime, not {value.GetType().Name}"),
    };

    private static void CheckSchema(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Name != LogicalName)
        {
            throw new DataException("Requested conversion of Timestamp object but the schema does not match.");
        }
    }
}
