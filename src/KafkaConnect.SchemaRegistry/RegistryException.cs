namespace KafkaConnect.SchemaRegistry;

/// <summary>
/// An answer in Confluent's error shape: the HTTP status and the <c>error_code</c>/<c>message</c> body. The codes and
/// message texts are Confluent Schema Registry's (rest/exceptions/Errors.java), so clients that match on them work.
/// </summary>
public sealed class RegistryException : Exception
{
    public RegistryException(int status, int errorCode, string message, Exception? inner = null) : base(message, inner)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public int Status { get; }

    public int ErrorCode { get; }

    internal static RegistryException SubjectNotFound(string subject) => new(404, 40401, $"Subject '{subject}' not found.");

    internal static RegistryException VersionNotFound(int version) => new(404, 40402, $"Version {version} not found.");

    internal static RegistryException SchemaNotFound() => new(404, 40403, "Schema not found");

    internal static RegistryException SchemaNotFound(int id) => new(404, 40403, $"Schema {id} not found");

    internal static RegistryException SubjectSoftDeleted(string subject) =>
        new(404, 40404, $"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently");

    internal static RegistryException SubjectNotSoftDeleted(string subject) =>
        new(404, 40405, $"Subject '{subject}' was not deleted first before being permanently deleted");

    internal static RegistryException VersionSoftDeleted(string subject, int version) =>
        new(404, 40406, $"Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently");

    internal static RegistryException VersionNotSoftDeleted(string subject, int version) =>
        new(404, 40407, $"Subject '{subject}' Version {version} was not deleted first before being permanently deleted");

    internal static RegistryException SubjectConfigNotConfigured(string subject) =>
        new(404, 40408, $"Subject '{subject}' does not have subject-level compatibility configured");

    internal static RegistryException SubjectModeNotConfigured(string subject) =>
        new(404, 40409, $"Subject '{subject}' does not have subject-level mode configured");

    // Confluent answered error_code 409 for years; releases from December 2025 on say 40901 (see docs/schema-registry.md).
    internal static RegistryException Incompatible(string subject, IReadOnlyList<string> details) =>
        new(409, 409, $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", details)}]");

    internal static RegistryException InvalidSchema(string message) => new(422, 42201, message);

    internal static RegistryException InvalidVersion(string version) =>
        new(422, 42202, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");

    internal static RegistryException InvalidCompatibility() =>
        new(422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");

    internal static RegistryException InvalidMode() => new(422, 42204, "Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.");

    internal static RegistryException NotPermitted(string message) => new(422, 42205, message);

    internal static RegistryException ReferenceExists(string key) => new(422, 42206, $"One or more references exist to the schema {key}.");

    internal static RegistryException ReadOnly(string subject) => NotPermitted($"Subject {subject} in context . is in read-only mode");

    internal static RegistryException Store(string message, Exception? inner = null) => new(500, 50001, message, inner);

    internal static RegistryException Timeout(string message, Exception? inner = null) => new(500, 50002, message, inner);

    // Confluent's texts name the operation ("register schema", "update config", …); ours add why.
    internal static RegistryException Forwarding(string operation, string detail, Exception? inner = null) =>
        new(500, 50003, $"Error while forwarding {operation} request to the leader: {detail}", inner);

    internal static RegistryException UnknownLeader(string message, string? detail) =>
        new(500, 50004, detail is null ? message : message + " " + detail);
}
