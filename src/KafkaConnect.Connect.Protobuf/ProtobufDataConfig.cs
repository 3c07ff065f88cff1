using KafkaConnect.Connect.Configuration;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>The mapping settings of Confluent's ProtobufDataConfig and AbstractDataConfig (same keys and defaults).</summary>
public sealed class ProtobufDataConfig
{
    public const string EnhancedSchemaSupportConfig = "enhanced.protobuf.schema.support";
    public const string ScrubInvalidNamesConfig = "scrub.invalid.names";
    public const string IntForEnumsConfig = "int.for.enums";
    public const string OptionalForNullablesConfig = "optional.for.nullables";
    public const string OptionalForProto2Config = "optional.for.proto2";
    public const string WrapperForNullablesConfig = "wrapper.for.nullables";
    public const string WrapperForRawPrimitivesConfig = "wrapper.for.raw.primitives";
    public const string GenerateStructForNullsConfig = "generate.struct.for.nulls";
    public const string GenerateIndexForUnionsConfig = "generate.index.for.unions";
    public const string FlattenUnionsConfig = "flatten.unions";
    public const string GeneralizedSumTypeSupportConfig = "generalized.sum.type.support";
    public const string IgnoreDefaultForNullablesConfig = "ignore.default.for.nullables";
    public const string SchemasCacheSizeConfig = "schemas.cache.config";
    public const string SkipKnownTypesConfig = "skip.known.types";

    /// <summary>Defines the keys on <paramref name="def"/>, skipping any the shared registry settings already define.</summary>
    public static ConfigDef AddTo(ConfigDef def)
    {
        ArgumentNullException.ThrowIfNull(def);
        Define(def, EnhancedSchemaSupportConfig, false, "Use full names for messages and enums and keep package names.");
        Define(def, ScrubInvalidNamesConfig, false, "Whether to scrub invalid names by replacing invalid characters with valid ones.");
        Define(def, IntForEnumsConfig, false, "Whether to represent enums as integers.");
        Define(def, OptionalForNullablesConfig, false, "Whether nullable fields should be specified with an optional label.");
        Define(def, OptionalForProto2Config, true, "Whether proto2 optionals are supported.");
        Define(def, WrapperForNullablesConfig, false, "Whether nullable fields should use primitive wrapper messages.");
        Define(def, WrapperForRawPrimitivesConfig, true, "Whether a wrapper message should be interpreted as a raw primitive at the root level.");
        Define(def, GenerateStructForNullsConfig, false, "Whether to generate a default struct for null messages.");
        Define(def, GenerateIndexForUnionsConfig, true, "Whether to suffix union names with an underscore and index.");
        Define(def, FlattenUnionsConfig, false, "Whether to flatten unions (oneofs).");
        Define(def, GeneralizedSumTypeSupportConfig, false, "Whether to map oneofs and enums to Connect's generalized union and enum parameters.");
        Define(def, IgnoreDefaultForNullablesConfig, false, "Whether to ignore the default for a nullable field when its value is null.");
        Define(def, SkipKnownTypesConfig, true, "Whether to leave known types (google/protobuf, google/type, confluent) out of the registered references.");
        if (!def.ConfigKeys.ContainsKey(SchemasCacheSizeConfig))
        {
            def.Define(SchemasCacheSizeConfig, ConfigType.Int, 1000, Importance.Low, "Size of the converted schemas cache.");
        }
        return def;
    }

    internal ProtobufDataConfig(AbstractConfig config)
    {
        EnhancedSchemaSupport = config.GetBoolean(EnhancedSchemaSupportConfig);
        ScrubInvalidNames = config.GetBoolean(ScrubInvalidNamesConfig);
        IntForEnums = config.GetBoolean(IntForEnumsConfig);
        OptionalForNullables = config.GetBoolean(OptionalForNullablesConfig);
        WrapperForNullables = config.GetBoolean(WrapperForNullablesConfig);
        WrapperForRawPrimitives = config.GetBoolean(WrapperForRawPrimitivesConfig);
        GenerateStructForNulls = config.GetBoolean(GenerateStructForNullsConfig);
        GenerateIndexForUnions = config.GetBoolean(GenerateIndexForUnionsConfig);
        FlattenUnions = config.GetBoolean(FlattenUnionsConfig);
        GeneralizedSumTypeSupport = config.GetBoolean(GeneralizedSumTypeSupportConfig);
        IgnoreDefaultForNullables = config.GetBoolean(IgnoreDefaultForNullablesConfig);
        SkipKnownTypes = config.GetBoolean(SkipKnownTypesConfig);
        SchemasCacheSize = config.GetInt(SchemasCacheSizeConfig);
    }

    /// <summary>Defaults, for tests and the mapping on its own.</summary>
    internal ProtobufDataConfig()
    {
    }

    public bool EnhancedSchemaSupport { get; init; }

    public bool ScrubInvalidNames { get; init; }

    public bool IntForEnums { get; init; }

    public bool OptionalForNullables { get; init; }

    public bool WrapperForNullables { get; init; }

    public bool WrapperForRawPrimitives { get; init; } = true;

    public bool GenerateStructForNulls { get; init; }

    public bool GenerateIndexForUnions { get; init; } = true;

    public bool FlattenUnions { get; init; }

    public bool GeneralizedSumTypeSupport { get; init; }

    public bool IgnoreDefaultForNullables { get; init; }

    public bool SkipKnownTypes { get; init; } = true;

    public int SchemasCacheSize { get; init; } = 1000;

    private static void Define(ConfigDef def, string name, bool defaultValue, string doc)
    {
        if (!def.ConfigKeys.ContainsKey(name))
        {
            def.Define(name, ConfigType.Boolean, defaultValue, Importance.Low, doc);
        }
    }
}
