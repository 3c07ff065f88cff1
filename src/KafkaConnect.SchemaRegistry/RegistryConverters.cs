namespace KafkaConnect.SchemaRegistry;

/// <summary>
/// Which converter settings need a Schema Registry and have none: a host (the standalone worker on its embedded broker)
/// starts one for them and fills in the URL.
/// </summary>
public static class RegistryConverters
{
    /// <summary>Confluent's converter classes that talk to a registry (their Java names, as in worker and connector files).</summary>
    public static IReadOnlySet<string> ClassNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "io.confluent.connect.avro.AvroConverter",
        "io.confluent.connect.json.JsonSchemaConverter",
        "io.confluent.connect.protobuf.ProtobufConverter",
    };

    /// <summary>
    /// The converter prefixes (<c>key.converter</c>, <c>value.converter</c>) of <paramref name="config"/> set to a registry
    /// converter without <c>&lt;prefix&gt;.schema.registry.url</c>.
    /// </summary>
    public static IReadOnlyList<string> PrefixesWithoutUrl(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new List<string>();
        foreach (var prefix in (string[])["key.converter", "value.converter"])
        {
            if (config.TryGetValue(prefix, out var cls) && ClassNames.Contains(cls.Trim())
                && (!config.TryGetValue(prefix + ".schema.registry.url", out var url) || string.IsNullOrWhiteSpace(url)))
            {
                result.Add(prefix);
            }
        }
        return result;
    }
}
