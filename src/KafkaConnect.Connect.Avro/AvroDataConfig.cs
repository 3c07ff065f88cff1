using KafkaConnect.Connect.Configuration;

namespace KafkaConnect.Connect.Avro;

/// <summary>
/// The schema-mapping settings of Confluent's AvroData (<c>AvroDataConfig</c> and <c>AbstractDataConfig</c>): keys and
/// defaults as Confluent's, read by <see cref="AvroConverter"/> from the same map as the registry settings.
/// </summary>
public sealed record AvroDataOptions
{
    public const string ConnectMetaDataConfig = "connect.meta.data";
    public const string EnhancedAvroSchemaSupportConfig = "enhanced.avro.schema.support";
    public const string ScrubInvalidNamesConfig = "scrub.invalid.names";
    public const string DiscardTypeDocDefaultConfig = "discard.type.doc.default";
    public const string AllowOptionalMapKeysConfig = "allow.optional.map.keys";
    public const string FlattenSingletonUnionsConfig = "flatten.singleton.unions";
    public const string GeneralizedSumTypeSupportConfig = "generalized.sum.type.support";
    public const string IgnoreDefaultForNullablesConfig = "ignore.default.for.nullables";
    public const string SchemasCacheSizeConfig = "schemas.cache.config";

    /// <summary>Add connect.name/version/doc/parameters/default/type properties to the Avro schema and read them back.</summary>
    public bool ConnectMetaData { get; init; } = true;

    /// <summary>Keep Avro enums (symbols as parameters) and package names in union member names.</summary>
    public bool EnhancedSchemaSupport { get; init; }

    /// <summary>Replace characters Avro names cannot hold with '_' (after URL-encoding), instead of failing.</summary>
    public bool ScrubInvalidNames { get; init; }

    /// <summary>Keep only field doc and default (Confluent's deprecated mode).</summary>
    public bool DiscardTypeDocDefault { get; init; }

    /// <summary>Optional string keys still map to an Avro map (otherwise an array of key/value records).</summary>
    public bool AllowOptionalMapKeys { get; init; }

    /// <summary>A union with one member reads as that member.</summary>
    public bool FlattenSingletonUnions { get; init; } = true;

    /// <summary>Enums and unions as the format-neutral <c>org.apache.kafka.connect.data.Enum/Union</c> parameters.</summary>
    public bool GeneralizedSumTypeSupport { get; init; }

    /// <summary>Write a null field as null even when its schema has a default.</summary>
    public bool IgnoreDefaultForNullables { get; init; }

    /// <summary>Entries in each converted-schema cache (at least 1).</summary>
    public int SchemaCacheSize { get; init; } = 1000;

    /// <summary>Adds the keys to <paramref name="def"/> (Confluent's order, types, defaults and importance).</summary>
    public static ConfigDef AddTo(ConfigDef def)
    {
        ArgumentNullException.ThrowIfNull(def);
        return def
            .Define(GeneralizedSumTypeSupportConfig, ConfigType.Boolean, false, Importance.Medium,
                "Toggle for enabling/disabling generalized sum type support: interoperability of enum/union with other schema formats")
            .Define(IgnoreDefaultForNullablesConfig, ConfigType.Boolean, false, Importance.Medium,
                "Whether to ignore the default for nullable fields when the value is null")
            .Define(SchemasCacheSizeConfig, ConfigType.Int, 1000, Importance.Low, "Size of the converted schemas cache")
            .Define(EnhancedAvroSchemaSupportConfig, ConfigType.Boolean, false, Importance.Medium,
                "Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package Name awareness")
            .Define(ScrubInvalidNamesConfig, ConfigType.Boolean, false, Importance.Medium,
                "Whether to scrub invalid names by replacing invalid characters with valid ones")
            .Define(ConnectMetaDataConfig, ConfigType.Boolean, true, Importance.Low,
                "Toggle for enabling/disabling connect converter to add its meta data to the output schema or not")
            .Define(DiscardTypeDocDefaultConfig, ConfigType.Boolean, false, Importance.Low,
                "Only Avro field doc and default will be retained during conversion of Avro and Connect schema.")
            .Define(AllowOptionalMapKeysConfig, ConfigType.Boolean, false, Importance.Low,
                "Allow optional string map key when converting from Connect Schema to Avro Schema.")
            .Define(FlattenSingletonUnionsConfig, ConfigType.Boolean, true, Importance.Low, "Whether to flatten singleton unions");
    }

    /// <summary>Reads the keys from a config built on a definition that went through <see cref="AddTo"/>.</summary>
    public static AvroDataOptions From(AbstractConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new AvroDataOptions
        {
            ConnectMetaData = config.GetBoolean(ConnectMetaDataConfig),
            EnhancedSchemaSupport = config.GetBoolean(EnhancedAvroSchemaSupportConfig),
            ScrubInvalidNames = config.GetBoolean(ScrubInvalidNamesConfig),
            DiscardTypeDocDefault = config.GetBoolean(DiscardTypeDocDefaultConfig),
            AllowOptionalMapKeys = config.GetBoolean(AllowOptionalMapKeysConfig),
            FlattenSingletonUnions = config.GetBoolean(FlattenSingletonUnionsConfig),
            GeneralizedSumTypeSupport = config.GetBoolean(GeneralizedSumTypeSupportConfig),
            IgnoreDefaultForNullables = config.GetBoolean(IgnoreDefaultForNullablesConfig),
            SchemaCacheSize = Math.Max(1, config.GetInt(SchemasCacheSizeConfig)),
        };
    }
}
