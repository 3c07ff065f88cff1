using System.Collections.Concurrent;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>
/// What the JSON Schema and Protobuf converters do with the registry the same way: the id to write under (register, latest or lookup, per <c>auto.register.schemas</c> and
/// <c>use.latest.version</c>), the schema behind an id read, and the text of the schemas it references.
/// </summary>
public sealed class RegistrySession
{
    private readonly RegistryConverterConfig _config;
    private readonly bool _isKey;

    public RegistrySession(ISchemaRegistryClient client, RegistryConverterConfig config, bool isKey)
    {
        Client = client;
        _config = config;
        _isKey = isKey;
    }

    public ISchemaRegistryClient Client { get; }

    public string SubjectFor(string topic, string? recordName) =>
        _config.SubjectNameStrategyFor(_isKey).SubjectFor(topic, _isKey, recordName);

    /// <summary>The schema id a record with this schema is written under; <paramref name="idsBySubject"/> is the schema's own cache.</summary>
    /// <exception cref="DataException">The registry refused the schema or does not have it.</exception>
    /// <exception cref="RetriableException">The registry could not be reached.</exception>
    public int IdFor(string topic, string? recordName, RegistrySchema schema, ConcurrentDictionary<string, int> idsBySubject)
    {
        var subject = SubjectFor(topic, recordName);
        if (idsBySubject.TryGetValue(subject, out var id))
        {
            return id;
        }
        try
        {
            id = _config.AutoRegisterSchemas ? Client.Register(subject, schema, _config.NormalizeSchemas)
                : _config.UseLatestVersion ? LatestId(subject, schema)
                : Client.Lookup(subject, schema, _config.NormalizeSchemas).Id;
        }
        catch (SchemaRegistryException e)
        {
            throw new DataException(
                $"Converting Kafka Connect data to byte[] failed due to serialization error of topic {topic}: {(_config.AutoRegisterSchemas ? "registering" : "looking up")} the schema under subject {subject} failed: {e.Message}",
                e);
        }
        idsBySubject[subject] = id;
        return id;
    }

    // use.latest.version: write under the subject's latest id; latest.compatibility.strict asks the registry first
    // whether that latest schema can read records of ours.
    private int LatestId(string subject, RegistrySchema schema)
    {
        var latest = Client.GetLatest(subject);
        if (_config.LatestCompatibilityStrict && !latest.Schema.Equals(schema) && !Client.TestCompatibility(subject, schema))
        {
            throw new DataException(
                $"The latest schema of subject {subject} (version {latest.Version}, id {latest.Id}) is not compatible with the record's schema (latest.compatibility.strict=true)");
        }
        return latest.Id;
    }

    /// <summary>The version of a schema under a subject, registering it first when <c>auto.register.schemas</c> is on.</summary>
    public int RegisterOrLookup(string subject, RegistrySchema schema)
    {
        if (_config.AutoRegisterSchemas)
        {
            Client.Register(subject, schema, _config.NormalizeSchemas);
        }
        return Client.Lookup(subject, schema, _config.NormalizeSchemas).Version;
    }

    /// <summary>The registered schema behind an id, of the type this converter reads.</summary>
    public RegistrySchema Fetch(int id, string topic, string schemaType)
    {
        RegistrySchema schema;
        try
        {
            schema = Client.GetById(id);
        }
        catch (SchemaRegistryException e)
        {
            throw new DataException($"Failed to deserialize data for topic {topic}: schema id {id} could not be read from the registry: {e.Message}", e);
        }
        if (!string.Equals(schema.SchemaType, schemaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new DataException(
                $"Failed to deserialize data for topic {topic}: schema id {id} is a {schema.SchemaType} schema, not {schemaType} (was it written by another converter?)");
        }
        return schema;
    }

    /// <summary>The text of every schema <paramref name="schema"/> references, directly or not, by reference name.</summary>
    public Dictionary<string, string> ResolveReferences(RegistrySchema schema)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<SchemaReference>(schema.References);
        while (pending.Count > 0)
        {
            var reference = pending.Pop();
            if (resolved.ContainsKey(reference.Name))
            {
                continue;
            }
            var target = Client.GetVersion(reference.Subject, reference.Version).Schema;
            resolved[reference.Name] = target.Schema;
            foreach (var next in target.References)
            {
                pending.Push(next);
            }
        }
        return resolved;
    }

    /// <summary>The version of the schema under the record's subject, or null when it is not registered there.</summary>
    public int? VersionOf(string topic, string? recordName, RegistrySchema schema)
    {
        try
        {
            return Client.Lookup(SubjectFor(topic, recordName), schema).Version;
        }
        catch (DataException)
        {
            return null;
        }
    }
}
