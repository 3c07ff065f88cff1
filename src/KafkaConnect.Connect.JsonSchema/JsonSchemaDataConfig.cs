using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Json;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>
/// The mapping settings of Confluent's JsonSchemaDataConfig and AbstractDataConfig (same keys and defaults), plus
/// the serializer's <c>json.*</c> keys that the converter reads.
/// </summary>
public sealed class JsonSchemaDataConfig
{
    public const string ObjectAdditionalPropertiesConfig = "object.additional.properties";
    public const string UseOptionalForNonRequiredConfig = "use.optional.for.nonrequired";
    public const string IgnoreModernDialectsConfig = "ignore.modern.dialects";
    public const string DecimalFormatConfig = "decimal.format";
    public const string FlattenSingletonUnionsConfig = "flatten.singleton.unions";
    public const string PreserveAdditionalPropertiesConfig = "preserve.additional.properties";
    public const string GeneralizedSumTypeSupportConfig = "generalized.sum.type.support";
    public const string IgnoreDefaultForNullablesConfig = "ignore.default.for.nullables";
    public const string SchemasCacheSizeConfig = "schemas.cache.config";
    public const int SchemasCacheSizeDefault = 1000;
    public const string FailInvalidSchemaConfig = "json.fail.invalid.schema";
    public const string FailUnknownPropertiesConfig = "json.fail.unknown.properties";

    /// <summary>Defines the keys on <paramref name="def"/>, skipping any the shared registry settings already define.</summary>
    public static ConfigDef AddTo(ConfigDef def)
    {
        ArgumentNullException.ThrowIfNull(def);
        DefineIfAbsent(def, ObjectAdditionalPropertiesConfig, ConfigType.Boolean, true, Importance.Medium,
            "Whether to allow additional properties for object schemas.");
        DefineIfAbsent(def, UseOptionalForNonRequiredConfig, ConfigType.Boolean, false, Importance.Medium,
            "Whether to set non-required properties to be optional.");
        DefineIfAbsent(def, IgnoreModernDialectsConfig, ConfigType.Boolean, false, Importance.Low,
            "Whether to ignore modern dialects of JSON Schema after draft 7, in which case draft 7 will be used.");
        if (!def.ConfigKeys.ContainsKey(DecimalFormatConfig))
        {
            def.Define(DecimalFormatConfig, ConfigType.String, "BASE64", ConfigDef.ValidString.InIgnoringCase("BASE64", "NUMERIC"),
                Importance.Low, "Controls which format this converter will serialize decimals in: 'BASE64' (default) or 'NUMERIC' (case insensitive).");
        }
        DefineIfAbsent(def, FlattenSingletonUnionsConfig, ConfigType.Boolean, true, Importance.Low, "Whether to flatten singleton unions.");
        DefineIfAbsent(def, PreserveAdditionalPropertiesConfig, ConfigType.Boolean, false, Importance.Medium,
            "Keep undeclared JSON properties (not supported here: must stay false).");
        DefineIfAbsent(def, GeneralizedSumTypeSupportConfig, ConfigType.Boolean, false, Importance.Medium,
            "Whether to map oneOf and enums to Connect's generalized union and enum parameters.");
        DefineIfAbsent(def, IgnoreDefaultForNullablesConfig, ConfigType.Boolean, false, Importance.Low,
            "Whether to write null instead of the default value for an optional field that is null.");
        DefineIfAbsent(def, SchemasCacheSizeConfig, ConfigType.Int, SchemasCacheSizeDefault, Importance.Low, "Size of the converted schemas cache.");
        DefineIfAbsent(def, FailInvalidSchemaConfig, ConfigType.Boolean, false, Importance.Medium,
            "Whether to fail serialization and deserialization when the payload is not valid for the schema.");
        DefineIfAbsent(def, FailUnknownPropertiesConfig, ConfigType.Boolean, true, Importance.Low,
            "Accepted for compatibility; applies to Java types only, so it has no effect on Connect data.");
        return def;
    }

    internal JsonSchemaDataConfig(AbstractConfig config)
    {
        AllowAdditionalProperties = config.GetBoolean(ObjectAdditionalPropertiesConfig);
        UseOptionalForNonRequired = config.GetBoolean(UseOptionalForNonRequiredConfig);
        DecimalFormat = config.GetString(DecimalFormatConfig)!.Equals("NUMERIC", StringComparison.OrdinalIgnoreCase)
            ? DecimalFormat.Numeric
            : DecimalFormat.Base64;
        FlattenSingletonUnions = config.GetBoolean(FlattenSingletonUnionsConfig);
        GeneralizedSumTypeSupport = config.GetBoolean(GeneralizedSumTypeSupportConfig);
        IgnoreDefaultForNullables = config.GetBoolean(IgnoreDefaultForNullablesConfig);
        SchemasCacheSize = config.GetInt(SchemasCacheSizeConfig);
        FailInvalidSchema = config.GetBoolean(FailInvalidSchemaConfig);
        if (config.GetBoolean(PreserveAdditionalPropertiesConfig))
        {
            throw new Errors.ConfigException(PreserveAdditionalPropertiesConfig + "=true is not supported (it needs Connect's variant type)");
        }
    }

    /// <summary>Defaults, for tests and the data mapping on its own.</summary>
    internal JsonSchemaDataConfig()
    {
    }

    public bool AllowAdditionalProperties { get; init; } = true;

    public bool UseOptionalForNonRequired { get; init; }

    public DecimalFormat DecimalFormat { get; init; } = DecimalFormat.Base64;

    public bool FlattenSingletonUnions { get; init; } = true;

    public bool GeneralizedSumTypeSupport { get; init; }

    public bool IgnoreDefaultForNullables { get; init; }

    public int SchemasCacheSize { get; init; } = SchemasCacheSizeDefault;

    public bool FailInvalidSchema { get; init; }

    private static void DefineIfAbsent(ConfigDef def, string name, ConfigType type, object defaultValue, Importance importance, string doc)
    {
        if (!def.ConfigKeys.ContainsKey(name))
        {
            def.Define(name, type, defaultValue, importance, doc);
        }
    }
}
