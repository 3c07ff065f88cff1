namespace KafkaConnect.Schemas.Protobuf;

/// <summary>
/// The imports Confluent's registry and converter know without references (Confluent's "known types"): the
/// definitions below are those of confluent/meta.proto, confluent/type/decimal.proto and googleapis'
/// google/type/date.proto and timeofday.proto (and, below, google/protobuf's timestamp, wrappers, duration and empty).
/// </summary>
public static class KnownProtos
{
    public const string Meta = "confluent/meta.proto";
    public const string Decimal = "confluent/type/decimal.proto";
    public const string Date = "google/type/date.proto";
    public const string TimeOfDay = "google/type/timeofday.proto";
    public const string Timestamp = "google/protobuf/timestamp.proto";
    public const string Wrappers = "google/protobuf/wrappers.proto";

    public static readonly IReadOnlyDictionary<string, string> Sources = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Meta] = """
            syntax = "proto3";
            package confluent;

            import "google/protobuf/descriptor.proto";

            message Meta {
              string doc = 1;
              map<string, string> params = 2;
              repeated string tags = 3;
            }

            extend google.protobuf.FieldOptions {
              Meta field_meta = 1088;
            }
            """,
        [Decimal] = """
            syntax = "proto3";
            package confluent.type;

            message Decimal {
              bytes value = 1;
              uint32 precision = 2;
              int32 scale = 3;
            }
            """,
        [Date] = """
            syntax = "proto3";
            package google.type;

            message Date {
              int32 year = 1;
              int32 month = 2;
              int32 day = 3;
            }
            """,
        [TimeOfDay] = """
            syntax = "proto3";
            package google.type;

            message TimeOfDay {
              int32 hours = 1;
              int32 minutes = 2;
              int32 seconds = 3;
              int32 nanos = 4;
            }
            """,
    };

    /// <summary>
    /// The text registered for a known import when <c>skip.known.types=false</c> asks for references: the files above
    /// plus google/protobuf/timestamp.proto and wrappers.proto (descriptor.proto, which meta.proto imports, every
    /// Protobuf registry has built in).
    /// </summary>
    public static string? ReferenceSource(string import) => Sources.GetValueOrDefault(import) ?? import switch
    {
        Timestamp => """
            syntax = "proto3";
            package google.protobuf;

            message Timestamp {
              int64 seconds = 1;
              int32 nanos = 2;
            }
            """,
        Wrappers => """
            syntax = "proto3";
            package google.protobuf;

            message DoubleValue { double value = 1; }
            message FloatValue { float value = 1; }
            message Int64Value { int64 value = 1; }
            message UInt64Value { uint64 value = 1; }
            message Int32Value { int32 value = 1; }
            message UInt32Value { uint32 value = 1; }
            message BoolValue { bool value = 1; }
            message StringValue { string value = 1; }
            message BytesValue { bytes value = 1; }
            """,
        "google/protobuf/duration.proto" => """
            syntax = "proto3";
            package google.protobuf;

            message Duration {
              int64 seconds = 1;
              int32 nanos = 2;
            }
            """,
        "google/protobuf/empty.proto" => """
            syntax = "proto3";
            package google.protobuf;

            message Empty {
            }
            """,
        _ => null,
    };

    /// <summary>Whether an import is one of the known types (skip.known.types leaves them out of the references).</summary>
    public static bool IsKnown(string import) =>
        import.StartsWith("google/protobuf/", StringComparison.Ordinal)
        || import.StartsWith("google/type/", StringComparison.Ordinal)
        || import.StartsWith("confluent/", StringComparison.Ordinal);
}
