using System.Collections;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>
/// Converts a timestamp field (or the whole key/value) between string (SimpleDateFormat pattern, UTC), unix
/// (epoch number in <c>unix.precision</c>), and the Connect Date, Time and Timestamp logical types.
/// </summary>
public abstract class TimestampConverter : KeyOrValueTransformation
{
    public const string FieldConfig = "field";
    public const string TargetTypeConfig = "target.type";
    public const string FormatConfig = "format";
    public const string UnixPrecisionConfig = "unix.precision";
    private const string Purpose = "converting timestamp formats";
    private const string TypeString = "string";
    private const string TypeUnix = "unix";
    private const string TypeDate = "Date";
    private const string TypeTime = "Time";
    private const string TypeTimestamp = "Timestamp";

    private static readonly Schema s_optionalDate = Data.Date.Builder().Optional().Build();
    private static readonly Schema s_optionalTime = Data.Time.Builder().Optional().Build();
    private static readonly Schema s_optionalTimestamp = Data.Timestamp.Builder().Optional().Build();

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(FieldConfig, ConfigType.String, "", Importance.High, "The field containing the timestamp, or empty if the entire value is a timestamp")
        .Define(TargetTypeConfig, ConfigType.String, ConfigDef.NoDefaultValue,
            ConfigDef.ValidString.In(TypeString, TypeUnix, TypeDate, TypeTime, TypeTimestamp), Importance.High,
            "The desired timestamp representation: string, unix, Date, Time, or Timestamp")
        .Define(FormatConfig, ConfigType.String, "", Importance.Medium,
            "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.")
        .Define(UnixPrecisionConfig, ConfigType.String, "milliseconds",
            ConfigDef.ValidString.In("nanoseconds", "microseconds", "milliseconds", "seconds"), Importance.Low,
            "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output "
            + "when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions "
            + "from, and to, values with sub-millisecond components.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private readonly SchemaCache _schemaCache = new();
    private string _field = "";
    private string _type = TypeTimestamp;
    private JavaDateFormat? _format;
    private string _unixPrecision = "milliseconds";
    private bool _replaceNullWithDefault = true;

    private protected TimestampConverter()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _field = config.GetString(FieldConfig)!;
        _type = config.GetString(TargetTypeConfig)!;
        var pattern = config.GetString(FormatConfig)!;
        _unixPrecision = config.GetString(UnixPrecisionConfig)!;
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
        if (_type == TypeString && string.IsNullOrWhiteSpace(pattern))
        {
            throw new ConfigException("TimestampConverter requires format option to be specified when using string timestamps");
        }
        _format = string.IsNullOrWhiteSpace(pattern)
            ? null
            : JavaDateFormat.Create(pattern, _ => new ConfigException("TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: " + pattern));
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var schema = OperatingSchema(record);
        var value = OperatingValue(record);
        if (schema is null)
        {
            if (value is null || _field.Length == 0)
            {
                return NewRecord(record, null, Convert(value, null));
            }
            var map = Requirements.RequireMap(value, Purpose);
            var updated = Requirements.CopyMap(map);
            updated[_field] = Convert(Requirements.Get(map, _field), null);
            return NewRecord(record, null, updated);
        }
        if (_field.Length == 0)
        {
            return NewRecord(record, TargetSchema(schema.IsOptional), Convert(value, TypeFromSchema(schema)));
        }
        var input = Requirements.RequireStructOrNull(value, Purpose);
        var updatedSchema = _schemaCache.GetOrAdd(schema, this, static (s, self) => self.BuildSchema(s));
        return NewRecord(record, updatedSchema, ConvertStruct(input, updatedSchema));
    }

    private Schema BuildSchema(Schema schema)
    {
        var builder = SchemaUtil.CopySchemaBasics(schema, SchemaBuilder.Struct());
        foreach (var field in schema.Fields)
        {
            builder.Field(field.Name, field.Name == _field ? TargetSchema(field.Schema.IsOptional) : field.Schema);
        }
        if (schema.IsOptional)
        {
            builder.Optional();
        }
        if (schema.DefaultValue is Struct defaultValue)
        {
            builder.DefaultValue(ConvertStruct(defaultValue, builder.Build()));
        }
        return builder.Build();
    }

    private Struct? ConvertStruct(Struct? value, Schema updatedSchema)
    {
        if (value is null)
        {
            return null;
        }
        var output = new Struct(updatedSchema);
        foreach (var field in value.Schema.Fields)
        {
            var fieldValue = FieldValue(value, field, _replaceNullWithDefault);
            output.Put(field.Name, field.Name == _field ? Convert(fieldValue, TypeFromSchema(field.Schema)) : fieldValue);
        }
        return output;
    }

    private Schema TargetSchema(bool optional) => _type switch
    {
        TypeString => optional ? Schema.OptionalStringSchema : Schema.StringSchema,
        TypeUnix => optional ? Schema.OptionalInt64Schema : Schema.Int64Schema,
        TypeDate => optional ? s_optionalDate : Data.Date.Schema,
        TypeTime => optional ? s_optionalTime : Data.Time.Schema,
        _ => optional ? s_optionalTimestamp : Data.Timestamp.Schema,
    };

    private static string TypeFromSchema(Schema schema) => schema.Name switch
    {
        Data.Timestamp.LogicalName => TypeTimestamp,
        Data.Date.LogicalName => TypeDate,
        Data.Time.LogicalName => TypeTime,
        _ when schema.Type == SchemaType.String => TypeString,
        _ when schema.Type == SchemaType.Int64 => TypeUnix,
        _ => throw new ConnectException("Schema " + schema + " does not correspond to a known timestamp type format"),
    };

    private static string InferType(object value) => value switch
    {
        DateTimeOffset or DateTime => TypeTimestamp,
        DateOnly => TypeDate,
        TimeOnly => TypeTime,
        long => TypeUnix,
        string => TypeString,
        _ => throw new DataException("TimestampConverter does not support " + value.GetType() + " objects as timestamps"),
    };

    private object? Convert(object? value, string? sourceType)
    {
        if (value is null)
        {
            return null;
        }
        var raw = ToRaw(value, sourceType ?? InferType(value));
        return ToTarget(raw);
    }

    // The common intermediate form is a UTC instant with millisecond precision (java.util.Date in Apache).
    private DateTimeOffset ToRaw(object value, string sourceType)
    {
        switch (sourceType)
        {
            case TypeString:
                if (value is not string text)
                {
                    throw new DataException("Expected string timestamp to be a String, but found " + value.GetType());
                }
                if (_format is null || !_format.TryParse(text, out var parsed))
                {
                    throw new DataException($"Could not parse timestamp: value ({text}) does not match pattern ({_format?.Pattern})");
                }
                return parsed;
            case TypeUnix:
                if (value is not long unix)
                {
                    throw new DataException("Expected Unix timestamp to be a Long, but found " + value.GetType());
                }
                var millis = _unixPrecision switch
                {
                    "seconds" => unix * 1000,
                    "microseconds" => unix / 1000,
                    "nanoseconds" => unix / 1_000_000,
                    _ => unix,
                };
                return DateTimeOffset.FromUnixTimeMilliseconds(millis);
            case TypeDate:
                return value switch
                {
                    DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
                    DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
                    DateTimeOffset dto => dto,
                    _ => throw new DataException("Expected Date to be a java.util.Date, but found " + value.GetType()),
                };
            case TypeTime:
                return value switch
                {
                    TimeOnly t => DateTimeOffset.UnixEpoch + t.ToTimeSpan(),
                    TimeSpan ts => DateTimeOffset.UnixEpoch + ts,
                    DateTimeOffset dto => dto,
                    _ => throw new DataException("Expected Time to be a java.util.Date, but found " + value.GetType()),
                };
            default:
                return value switch
                {
                    DateTimeOffset dto => dto,
                    DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt),
                    _ => throw new DataException("Expected Timestamp to be a java.util.Date, but found " + value.GetType()),
                };
        }
    }

    private object ToTarget(DateTimeOffset raw)
    {
        var utc = raw.ToUniversalTime();
        switch (_type)
        {
            case TypeString:
                return _format!.Format(utc);
            case TypeUnix:
                var millis = utc.ToUnixTimeMilliseconds();
                return _unixPrecision switch
                {
                    "seconds" => millis / 1000, // truncates like TimeUnit.toSeconds
                    "microseconds" => millis * 1000,
                    "nanoseconds" => millis * 1_000_000,
                    _ => millis,
                };
            case TypeDate:
                return DateOnly.FromDateTime(utc.UtcDateTime);
            case TypeTime:
                return TimeOnly.FromTimeSpan(TimeSpan.FromMilliseconds(Math.Floor(utc.TimeOfDay.TotalMilliseconds)));
            default:
                return DateTimeOffset.FromUnixTimeMilliseconds(utc.ToUnixTimeMilliseconds());
        }
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.TimestampConverter$Key")]
    public sealed class Key : TimestampConverter
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.TimestampConverter$Value")]
    public sealed class Value : TimestampConverter
    {
        public override bool OperatesOnKey => false;
    }
}
