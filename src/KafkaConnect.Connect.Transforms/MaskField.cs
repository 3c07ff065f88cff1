using System.Collections;
using System.Globalization;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Replaces fields with the type's "empty" value (0, false, "", empty list/map) or a configured replacement.</summary>
public abstract class MaskField : KeyOrValueTransformation
{
    public const string FieldsConfig = "fields";
    public const string ReplacementConfig = "replacement";
    private const string Purpose = "mask fields";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(FieldsConfig, ConfigType.List, ConfigDef.NoDefaultValue, NonEmptyListValidator.Instance, Importance.High, "Names of fields to mask.")
        .Define(ReplacementConfig, ConfigType.String, null, ConfigDef.LambdaValidator.With(
                // Null (unset) is allowed; an empty string is not.
                static (name, value) =>
                {
                    if (value is string { Length: 0 })
                    {
                        throw new ConfigException(name, value, "String may not be empty");
                    }
                },
                "non-empty string"), Importance.Low,
            "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).")
        .Define(TransformsInfo.ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Medium, TransformsInfo.ReplaceNullWithDefaultDoc);

    private HashSet<string> _fields = [];
    private string? _replacement;
    private bool _replaceNullWithDefault = true;

    private protected MaskField()
    {
    }

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _fields = new HashSet<string>(config.GetList(FieldsConfig)!, StringComparer.Ordinal);
        _replacement = config.GetString(ReplacementConfig);
        _replaceNullWithDefault = config.GetBoolean(TransformsInfo.ReplaceNullWithDefault);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        if (OperatingSchema(record) is null)
        {
            var map = Requirements.RequireMap(OperatingValue(record), Purpose);
            var updated = Requirements.CopyMap(map);
            foreach (var field in _fields)
            {
                updated[field] = Masked(Requirements.Get(map, field));
            }
            return NewRecord(record, null, updated);
        }
        var input = Requirements.RequireStruct(OperatingValue(record), Purpose);
        var output = new Struct(input.Schema);
        foreach (var field in input.Schema.Fields)
        {
            var original = FieldValue(input, field, _replaceNullWithDefault);
            output.Put(field, _fields.Contains(field.Name) ? Masked(original) : original);
        }
        return NewRecord(record, input.Schema, output);
    }

    private object? Masked(object? value) => value switch
    {
        null => null,
        _ when _replacement is null => MaskWithEmpty(value),
        _ => MaskWithReplacement(value, _replacement),
    };

    private static object MaskWithEmpty(object value) => value switch
    {
        bool => false,
        sbyte => (sbyte)0,
        short => (short)0,
        int => 0,
        long => 0L,
        float => 0f,
        double => 0d,
        decimal => 0m,
        System.Numerics.BigInteger => System.Numerics.BigInteger.Zero,
        DateTimeOffset => DateTimeOffset.UnixEpoch,
        DateTime => DateTime.UnixEpoch,
        DateOnly => DateOnly.FromDateTime(DateTime.UnixEpoch),
        TimeOnly => TimeOnly.MinValue,
        string => "",
        IList => new List<object?>(),
        IDictionary => new Dictionary<object, object?>(),
        _ => throw new DataException("Cannot mask value of type: " + value.GetType()),
    };

    private static object MaskWithReplacement(object value, string replacement)
    {
        if (value is not (sbyte or short or int or long or float or double or string or decimal or System.Numerics.BigInteger))
        {
            throw new DataException("Cannot mask value of type " + value.GetType() + " with custom replacement.");
        }
        try
        {
            return value switch
            {
                sbyte => Values.ConvertToByte(null, replacement)!.Value,
                short => Values.ConvertToShort(null, replacement)!.Value,
                int => Values.ConvertToInteger(null, replacement)!.Value,
                long => Values.ConvertToLong(null, replacement)!.Value,
                float => Values.ConvertToFloat(null, replacement)!.Value,
                double => Values.ConvertToDouble(null, replacement)!.Value,
                decimal => decimal.Parse(replacement, NumberStyles.Float, CultureInfo.InvariantCulture),
                System.Numerics.BigInteger => System.Numerics.BigInteger.Parse(replacement, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                _ => replacement,
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or DataException)
        {
            throw new DataException("Unable to convert " + replacement + " (" + typeof(string) + ") to number", e);
        }
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.MaskField$Key")]
    public sealed class Key : MaskField
    {
        public override bool OperatesOnKey => true;
    }

    [ConnectPlugin("org.apache.kafka.connect.transforms.MaskField$Value")]
    public sealed class Value : MaskField
    {
        public override bool OperatesOnKey => false;
    }
}
