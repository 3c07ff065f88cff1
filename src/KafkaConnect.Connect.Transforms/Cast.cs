using System.Globalization;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Casts top-level fields (<c>f1:int32,f2:string</c>) or the whole key/value (<c>int64</c>) to a primitive type.</summary>
public abstract class Cast : KeyOrValueTransformation
{
    public const string SpecConfig = "spec";
    private const string Purpose = "cast types";
    private const string WholeValue = "\0whole";

    private static readonly SchemaType[] s_inputTypes =
        [SchemaType.Int8, SchemaType.Int16, SchemaType.Int32, SchemaType.Int64, SchemaType.Float32, SchemaType.Float64, SchemaType.Boolean, SchemaType.String, SchemaType.Bytes];

    private static readonly SchemaType[] s_outputTypes =
        [SchemaType.Int8, SchemaType.Int16, SchemaType.Int32, SchemaType.Int64, SchemaType.Float32, SchemaType.Float64, SchemaType.Boolean, SchemaType.String];

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(SpecConfig, ConfigType.List, ConfigDef.NoDefaultValue, ConfigDef.LambdaValidator.With(
                static (_, value) =>
                {
                    if (value is not IReadOnlyList<string> { Count: > 0 } list)
                    {
                        throw new ConfigException("Must specify at least one field to cast.");
                    }
                    ParseFieldTypes(list);
                },
                "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>"),
            Importance.High,
            "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. "
            + "A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. "
            + "Note that binary fields can only be cast to string.")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private readonly SchemaCache _schemaCache = new();
    private Dictionary<string, SchemaType> _casts = [];
    private SchemaType? _wholeValueType;
    private bool _replaceNullWithDefault = true;

    private protected Cast()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _casts = ParseFieldTypes(config.GetList(SpecConfig)!);
        _wholeValueType = _casts.TryGetValue(WholeValue, out var whole) ? whole : null;
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var value = OperatingValue(record);
        if (value is null)
        {
            return record;
        }
        var schema = OperatingSchema(record);
        if (schema is null)
        {
            if (_wholeValueType is { } wholeType)
            {
                return NewRecord(record, null, CastValue(null, value, wholeType));
            }
            var map = Requirements.RequireMap(value, Purpose);
            var updated = Requirements.CopyMap(map);
            foreach (var (field, type) in _casts)
            {
                updated[field] = CastValue(null, Requirements.Get(map, field), type);
            }
            return NewRecord(record, null, updated);
        }
        var updatedSchema = _schemaCache.GetOrAdd(schema, this, static (s, self) => self.BuildSchema(s));
        if (_wholeValueType is { } whole)
        {
            return NewRecord(record, updatedSchema, CastValue(schema, value, whole));
        }
        var input = Requirements.RequireStruct(value, Purpose);
        var output = new Struct(updatedSchema);
        foreach (var field in input.Schema.Fields)
        {
            var original = FieldValue(input, field, _replaceNullWithDefault);
            var cast = _casts.TryGetValue(field.Name, out var target) ? CastValue(field.Schema, original, target) : original;
            output.Put(updatedSchema.Fields[field.Index], cast);
        }
        return NewRecord(record, updatedSchema, output);
    }

    private Schema BuildSchema(Schema schema)
    {
        SchemaBuilder builder;
        if (_wholeValueType is { } whole)
        {
            builder = SchemaUtil.CopySchemaBasics(schema, new SchemaBuilder(whole));
        }
        else
        {
            builder = SchemaUtil.CopySchemaBasics(schema, SchemaBuilder.Struct());
            foreach (var field in schema.Fields)
            {
                if (_casts.TryGetValue(field.Name, out var target))
                {
                    var fieldBuilder = new SchemaBuilder(target);
                    if (field.Schema.IsOptional)
                    {
                        fieldBuilder.Optional();
                    }
                    if (field.Schema.DefaultValue is { } fieldDefault)
                    {
                        fieldBuilder.DefaultValue(CastValue(field.Schema, fieldDefault, target));
                    }
                    builder.Field(field.Name, fieldBuilder.Build());
                }
                else
                {
                    builder.Field(field.Name, field.Schema);
                }
            }
        }
        if (schema.IsOptional)
        {
            builder.Optional();
        }
        if (schema.DefaultValue is { } schemaDefault)
        {
            builder.DefaultValue(CastValue(schema, schemaDefault, builder.Type));
        }
        return builder.Build();
    }

    internal static Dictionary<string, SchemaType> ParseFieldTypes(IReadOnlyList<string> mappings)
    {
        var result = new Dictionary<string, SchemaType>(StringComparer.Ordinal);
        var whole = false;
        foreach (var mapping in mappings)
        {
            var parts = ReplaceField.SplitLikeJava(mapping, ':');
            if (parts.Length > 2)
            {
                throw new ConfigException(ReplaceField.RenamesConfig, mappings, "Invalid rename mapping: " + mapping);
            }
            if (parts.Length <= 1)
            {
                result[WholeValue] = ValidOutput(ParseType(parts.Length == 0 ? "" : parts[0]));
                whole = true;
            }
            else
            {
                result[parts[0].Trim()] = ValidOutput(ParseType(parts[1]));
            }
        }
        if (whole && mappings.Count > 1)
        {
            throw new ConfigException("Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec");
        }
        return result;
    }

    private static SchemaType ParseType(string text)
    {
        var trimmed = text.Trim();
        return trimmed.ToUpperInvariant() switch
        {
            "INT8" => SchemaType.Int8,
            "INT16" => SchemaType.Int16,
            "INT32" => SchemaType.Int32,
            "INT64" => SchemaType.Int64,
            "FLOAT32" => SchemaType.Float32,
            "FLOAT64" => SchemaType.Float64,
            "BOOLEAN" => SchemaType.Boolean,
            "STRING" => SchemaType.String,
            "BYTES" => SchemaType.Bytes,
            "ARRAY" => SchemaType.Array,
            "MAP" => SchemaType.Map,
            "STRUCT" => SchemaType.Struct,
            _ => throw new ConfigException("Invalid type found in casting spec: " + trimmed),
        };
    }

    private static string TypeList(SchemaType[] types) => "[" + string.Join(", ", types.Select(t => t.GetName().ToUpperInvariant())) + "]";

    private static SchemaType ValidOutput(SchemaType type) =>
        Array.IndexOf(s_outputTypes, type) >= 0
            ? type
            : throw new ConfigException("Cast transformation does not support casting to " + type.GetName().ToUpperInvariant()
                + "; supported types are " + TypeList(s_outputTypes));

    private static SchemaType? InferType(object value) => value switch
    {
        sbyte => SchemaType.Int8,
        short => SchemaType.Int16,
        int => SchemaType.Int32,
        long => SchemaType.Int64,
        float => SchemaType.Float32,
        double => SchemaType.Float64,
        bool => SchemaType.Boolean,
        string => SchemaType.String,
        byte[] => SchemaType.Bytes,
        System.Collections.IList => SchemaType.Array,
        System.Collections.IDictionary => SchemaType.Map,
        Struct => SchemaType.Struct,
        _ => null,
    };

    internal static object? CastValue(Schema? schema, object? value, SchemaType target)
    {
        if (value is null)
        {
            return null;
        }
        var inferred = schema?.Type ?? InferType(value)
            ?? throw new DataException("Cast transformation was passed a value of type " + value.GetType() + " which is not supported by Connect's data API");
        if (Array.IndexOf(s_inputTypes, inferred) < 0)
        {
            throw new DataException("Cast transformation does not support casting from " + inferred.GetName().ToUpperInvariant()
                + "; supported types are " + TypeList(s_inputTypes));
        }
        if (schema?.Name is not null && target != SchemaType.String)
        {
            value = EncodeLogical(schema, value);
        }
        try
        {
            return target switch
            {
                SchemaType.Int8 => value switch
                {
                    bool b => (sbyte)(b ? 1 : 0),
                    string s => sbyte.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    _ => unchecked((sbyte)ToLong(value)),
                },
                SchemaType.Int16 => value switch
                {
                    bool b => (short)(b ? 1 : 0),
                    string s => short.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    _ => unchecked((short)ToLong(value)),
                },
                SchemaType.Int32 => value switch
                {
                    bool b => b ? 1 : 0,
                    string s => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    _ => unchecked((int)ToLong(value)),
                },
                SchemaType.Int64 => value switch
                {
                    bool b => b ? 1L : 0L,
                    string s => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    _ => ToLong(value),
                },
                SchemaType.Float32 => value switch
                {
                    bool b => b ? 1f : 0f,
                    string s => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                    _ => (float)ToDouble(value),
                },
                SchemaType.Float64 => value switch
                {
                    bool b => b ? 1d : 0d,
                    string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                    _ => ToDouble(value),
                },
                SchemaType.Boolean => value switch
                {
                    bool b => b,
                    // Java's Boolean.parseBoolean: "true" in any case, anything else is false.
                    string s => s.Equals("true", StringComparison.OrdinalIgnoreCase),
                    _ => ToLong(value) != 0L,
                },
                SchemaType.String => CastToString(value),
                _ => throw new DataException(target.GetName().ToUpperInvariant() + " is not supported in the Cast transformation."),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new DataException("Value (" + value + ") was out of range for requested data type", e);
        }
    }

    private static object EncodeLogical(Schema schema, object value) => schema.Name switch
    {
        Data.Date.LogicalName when value is DateOnly d => Data.Date.FromLogical(schema, d),
        Data.Date.LogicalName when value is DateTime dt => Data.Date.FromLogical(schema, dt),
        Data.Time.LogicalName when value is TimeOnly t => Data.Time.FromLogical(schema, t),
        Data.Time.LogicalName when value is TimeSpan ts => Data.Time.FromLogical(schema, ts),
        Data.Timestamp.LogicalName when value is DateTimeOffset dto => Data.Timestamp.FromLogical(schema, dto),
        Data.Timestamp.LogicalName when value is DateTime dt => Data.Timestamp.FromLogical(schema, dt),
        _ => value,
    };

    private static long ToLong(object value) => value switch
    {
        sbyte v => v,
        short v => v,
        int v => v,
        long v => v,
        float v => (long)v,
        double v => (long)v,
        decimal v => (long)decimal.Truncate(v),
        _ => throw new DataException("Unexpected type in Cast transformation: " + value.GetType()),
    };

    private static double ToDouble(object value) => value switch
    {
        sbyte v => v,
        short v => v,
        int v => v,
        long v => v,
        float v => v,
        double v => v,
        decimal v => (double)v,
        _ => throw new DataException("Unexpected type in Cast transformation: " + value.GetType()),
    };

    private static string CastToString(object value) => value switch
    {
        byte[] bytes => Convert.ToBase64String(bytes),
        bool b => b ? "true" : "false",
        // Java's Float/Double.toString keep a ".0" on integral values.
        float f => JavaFloatString(f),
        double d => JavaDoubleString(d),
        DateTimeOffset or DateTime or DateOnly or TimeOnly => Values.ConvertToString(null, value) ?? "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string JavaDoubleString(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(d) && !s.Contains('.') && !s.Contains('E') ? s + ".0" : s.Replace("E+", "E", StringComparison.Ordinal);
    }

    private static string JavaFloatString(float f)
    {
        var s = f.ToString("R", CultureInfo.InvariantCulture);
        return float.IsFinite(f) && !s.Contains('.') && !s.Contains('E') ? s + ".0" : s.Replace("E+", "E", StringComparison.Ordinal);
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.Cast$Key")]
    public sealed class Key : Cast
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.Cast$Value")]
    public sealed class Value : Cast
    {
        public override bool OperatesOnKey => false;
    }
}
