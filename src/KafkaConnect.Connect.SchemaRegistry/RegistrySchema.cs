using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>A schema reference as the registry stores it: the name the schema imports it by, and where it is registered.</summary>
public sealed record SchemaReference(string Name, string Subject, int Version);

/// <summary>
/// A schema as sent to and returned by a Confluent-compatible registry: its text, its type (AVRO, JSON or PROTOBUF)
/// and the schemas it references.
/// </summary>
public sealed record RegistrySchema(string Schema, string SchemaType = RegistrySchema.Avro, IReadOnlyList<SchemaReference>? References = null)
{
    public const string Avro = "AVRO";
    public const string Json = "JSON";
    public const string Protobuf = "PROTOBUF";

    public IReadOnlyList<SchemaReference> References { get; init; } = References ?? [];

    /// <summary>A string that identifies the schema with its type and references, for cache keys.</summary>
    internal string Identity()
    {
        if (References.Count == 0)
        {
            return SchemaType + "\n" + Schema;
        }
        var refs = string.Join("\n", References.Select(r => $"{r.Name}\t{r.Subject}\t{r.Version}"));
        return SchemaType + "\n" + refs + "\n\n" + Schema;
    }

    public bool Equals(RegistrySchema? other) =>
        other is not null && Schema == other.Schema && SchemaType == other.SchemaType && References.SequenceEqual(other.References);

    public override int GetHashCode() => HashCode.Combine(Schema, SchemaType, References.Count);
}

/// <summary>A schema registered under a subject: its global id and its version there.</summary>
public sealed record RegisteredSchema(string Subject, int Id, int Version, RegistrySchema Schema);

/// <summary>
/// The registry answered with an error (Confluent's <c>{"error_code":…,"message":…}</c>), e.g. 40403 schema not found
/// or 409 incompatible. A data error: the record it was for cannot be converted.
/// </summary>
public sealed class SchemaRegistryException : DataException
{
    public SchemaRegistryException(int statusCode, int errorCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int StatusCode { get; }

    /// <summary>Confluent's error code, e.g. 40401 subject not found, 40403 schema not found, 409 incompatible, 42201 invalid schema.</summary>
    public int ErrorCode { get; }

    public const int SubjectNotFound = 40401;
    public const int VersionNotFound = 40402;
    public const int SchemaNotFound = 40403;
}
