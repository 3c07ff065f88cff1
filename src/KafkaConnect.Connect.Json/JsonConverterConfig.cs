using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Json;

/// <summary>How <see cref="JsonConverter"/> writes Decimal values.</summary>
public enum DecimalFormat
{
    /// <summary>Base64 of the unscaled two's complement bytes (Kafka's default).</summary>
    Base64,

    /// <summary>A JSON number, e.g. 12.50.</summary>
    Numeric,
}

/// <summary>Settings of <see cref="JsonConverter"/>; the keys and defaults are Apache Kafka's.</summary>
public sealed class JsonConverterConfig : AbstractConfig
{
    public const string TypeConfig = "converter.type";
    public const string SchemasEnableConfig = "schemas.enable";
    public const bool SchemasEnableDefault = true;
    public const string SchemasCacheSizeConfig = "schemas.cache.size";
    public const int SchemasCacheSizeDefault = 1000;
    public const string DecimalFormatConfig = "decimal.format";
    public const string DecimalFormatDefault = "BASE64";
    public const string ReplaceNullWithDefaultConfig = "replace.null.with.default";
    public const bool ReplaceNullWithDefaultDefault = true;

    private static readonly ConfigDef s_definition = new ConfigDef()
        .Define(TypeConfig, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.ValidString.In("key", "value", "header"),
            Importance.Low, "How this converter will be used.")
        .Define(SchemasEnableConfig, ConfigType.Boolean, SchemasEnableDefault, null, Importance.High,
            "Include schemas within each of the serialized values and keys.", "Schemas", 0, Width.Medium, "Enable Schemas")
        .Define(SchemasCacheSizeConfig, ConfigType.Int, SchemasCacheSizeDefault, null, Importance.High,
            "The maximum number of schemas that can be cached in this converter instance.", "Schemas", 1, Width.Medium,
            "Schema Cache Size")
        .Define(DecimalFormatConfig, ConfigType.String, DecimalFormatDefault, ConfigDef.ValidString.InIgnoringCase("BASE64", "NUMERIC"),
            Importance.Low,
            "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
            "Serialization", 0, Width.Medium, "Decimal Format")
        .Define(ReplaceNullWithDefaultConfig, ConfigType.Boolean, ReplaceNullWithDefaultDefault, null, Importance.Low,
            "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
            "Serialization", 1, Width.Medium, "Replace null with default");

    /// <exception cref="ConfigException">A setting is missing or invalid.</exception>
    public JsonConverterConfig(IReadOnlyDictionary<string, string> props)
        : base(s_definition, props)
    {
        SchemasEnabled = GetBoolean(SchemasEnableConfig);
        SchemaCacheSize = GetInt(SchemasCacheSizeConfig);
        DecimalFormat = GetString(DecimalFormatConfig)!.Equals("NUMERIC", StringComparison.OrdinalIgnoreCase)
            ? DecimalFormat.Numeric
            : DecimalFormat.Base64;
        ReplaceNullWithDefault = GetBoolean(ReplaceNullWithDefaultConfig);
        Type = GetString(TypeConfig)!.ToUpperInvariant() switch
        {
            "KEY" => Storage.ConverterType.Key,
            "HEADER" => Storage.ConverterType.Header,
            _ => Storage.ConverterType.Value,
        };
    }

    public static ConfigDef ConfigDef => s_definition;

    public Storage.ConverterType Type { get; }

    public bool SchemasEnabled { get; }

    public int SchemaCacheSize { get; }

    public DecimalFormat DecimalFormat { get; }

    public bool ReplaceNullWithDefault { get; }
}
