namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>
/// A client of a Confluent-compatible Schema Registry, for converters. Synchronous because converters are: a call
/// reaches the network only on a cache miss. Thread-safe; caches are read without a lock.
/// </summary>
/// <remarks>
/// Errors the registry answers with throw <see cref="SchemaRegistryException"/> (a data error); a registry that
/// cannot be reached after the configured retries throws <see cref="Errors.RetriableException"/>, so the worker's
/// retry and tolerance rules apply and nothing past the record is committed.
/// </remarks>
public interface ISchemaRegistryClient : IDisposable
{
    /// <summary>Registers <paramref name="schema"/> under <paramref name="subject"/> (or finds it registered) and returns its id.</summary>
    int Register(string subject, RegistrySchema schema, bool normalize = false);

    /// <summary>Finds <paramref name="schema"/> among the versions of <paramref name="subject"/>; 40403 when it is not there.</summary>
    RegisteredSchema Lookup(string subject, RegistrySchema schema, bool normalize = false);

    /// <summary>The schema with this global id.</summary>
    RegistrySchema GetById(int id);

    /// <summary>The latest version of <paramref name="subject"/>, cached for <c>latest.cache.ttl.sec</c>.</summary>
    RegisteredSchema GetLatest(string subject);

    /// <summary>One version of <paramref name="subject"/>.</summary>
    RegisteredSchema GetVersion(string subject, int version);

    /// <summary>Whether <paramref name="schema"/> is compatible with version <paramref name="version"/> ("latest" or a number) under the subject's rules.</summary>
    bool TestCompatibility(string subject, RegistrySchema schema, string version = "latest");
}
