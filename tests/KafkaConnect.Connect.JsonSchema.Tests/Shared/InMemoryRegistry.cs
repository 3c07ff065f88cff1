using System.Collections.Concurrent;
using KafkaConnect.Connect.SchemaRegistry;

namespace KafkaConnect.Connect.Tests.Shared;

/// <summary>
/// Registry semantics without HTTP, for unit tests of the mappings (ids shared across subjects for equal schemas,
/// versions per subject, Confluent's error codes). The interop tests run against the real registry server.
/// </summary>
internal sealed class InMemoryRegistry : ISchemaRegistryClient
{
    private readonly ConcurrentDictionary<int, RegistrySchema> _byId = new();
    private readonly ConcurrentDictionary<string, List<(int Id, RegistrySchema Schema)>> _subjects = new();
    private readonly Lock _lock = new();

    public int Calls { get; private set; }

    /// <summary>
    /// Refuse Protobuf schemas that import files other than google/protobuf/* without references (42201), as a registry
    /// without Confluent's built-in known types does.
    /// </summary>
    public bool RejectUnreferencedImports { get; init; }

    public int Register(string subject, RegistrySchema schema, bool normalize = false)
    {
        lock (_lock)
        {
            Calls++;
            if (RejectUnreferencedImports && schema.References.Count == 0 && System.Text.RegularExpressions.Regex.IsMatch(schema.Schema, "import \"(?!google/protobuf/)"))
            {
                throw new SchemaRegistryException(422, 42201, "Invalid schema: an import without a reference");
            }
            var versions = _subjects.GetOrAdd(subject, _ => []);
            var existing = versions.FindIndex(v => v.Schema.Equals(schema));
            if (existing >= 0)
            {
                return versions[existing].Id;
            }
            var id = _byId.FirstOrDefault(p => p.Value.Equals(schema)).Key;
            if (id == 0)
            {
                id = _byId.Count + 1;
                _byId[id] = schema;
            }
            versions.Add((id, schema));
            return id;
        }
    }

    public RegisteredSchema Lookup(string subject, RegistrySchema schema, bool normalize = false)
    {
        lock (_lock)
        {
            Calls++;
            if (!_subjects.TryGetValue(subject, out var versions))
            {
                throw new SchemaRegistryException(404, SchemaRegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
            }
            var index = versions.FindIndex(v => v.Schema.Equals(schema));
            return index < 0
                ? throw new SchemaRegistryException(404, SchemaRegistryException.SchemaNotFound, "Schema not found")
                : new RegisteredSchema(subject, versions[index].Id, index + 1, schema);
        }
    }

    public RegistrySchema GetById(int id)
    {
        Calls++;
        return _byId.TryGetValue(id, out var schema)
            ? schema
            : throw new SchemaRegistryException(404, SchemaRegistryException.SchemaNotFound, $"Schema {id} not found");
    }

    public RegisteredSchema GetLatest(string subject) => GetVersion(subject, -1);

    public RegisteredSchema GetVersion(string subject, int version)
    {
        lock (_lock)
        {
            Calls++;
            if (!_subjects.TryGetValue(subject, out var versions) || versions.Count == 0)
            {
                throw new SchemaRegistryException(404, SchemaRegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
            }
            var index = version == -1 ? versions.Count - 1 : version - 1;
            return index < 0 || index >= versions.Count
                ? throw new SchemaRegistryException(404, SchemaRegistryException.VersionNotFound, "Version not found.")
                : new RegisteredSchema(subject, versions[index].Id, index + 1, versions[index].Schema);
        }
    }

    public bool TestCompatibility(string subject, RegistrySchema schema, string version = "latest") => true;

    public void Dispose()
    {
    }
}
