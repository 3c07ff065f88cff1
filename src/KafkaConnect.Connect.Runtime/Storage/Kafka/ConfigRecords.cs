using System.Text.Json;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Worker;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>
/// Keys and values of the config topic exactly as Apache Kafka Connect 3.9 writes them: keys are plain strings,
/// values JsonConverter JSON without schemas, fields in Apache's schema order.
/// </summary>
public static class ConfigRecords
{
    public const string ConnectorPrefix = "connector-";
    public const string TaskPrefix = "task-";
    public const string CommitPrefix = "commit-";
    public const string TargetStatePrefix = "target-state-";
    public const string RestartPrefix = "restart-connector-";
    public const string SessionKeyKey = "session-key";

    /// <summary>Written by Apache workers with exactly-once source support; read but not used here.</summary>
    public const string TaskCountPrefix = "tasks-fencing-";

    /// <summary>Cluster-wide logger levels (KIP-976); read but not used here.</summary>
    public const string LoggerClusterPrefix = "logger-cluster-";

    public static string ConnectorKey(string connector) => ConnectorPrefix + connector;

    public static string TaskKey(ConnectorTaskId id) => $"{TaskPrefix}{id.Connector}-{id.Task}";

    public static string CommitKey(string connector) => CommitPrefix + connector;

    public static string TargetStateKey(string connector) => TargetStatePrefix + connector;

    public static string RestartKey(string connector) => RestartPrefix + connector;

    /// <summary><c>{"properties":{...}}</c> for connector and task configs, entries in the dictionary's order.</summary>
    public static byte[] Properties(IReadOnlyDictionary<string, string> properties)
    {
        var json = new JsonText().Raw("{\"properties\":{"u8);
        var first = true;
        foreach (var (key, value) in properties)
        {
            if (!first)
            {
                json.Byte((byte)',');
            }
            first = false;
            json.Str(key).Byte((byte)':').Str(value);
        }
        return json.Raw("}}"u8).ToArray();
    }

    public static byte[] Commit(int tasks) => new JsonText().Raw("{\"tasks\":"u8).Long(tasks).Byte((byte)'}').ToArray();

    /// <summary>Apache 3.9 writes STOPPED as <c>"state":"PAUSED"</c> for workers that predate STOPPED, and the real state in <c>state.v2</c>.</summary>
    public static byte[] TargetState(TargetState state) => new JsonText()
        .Raw("{\"state\":"u8).Str(state == Worker.TargetState.Stopped ? "PAUSED" : Name(state))
        .Raw(",\"state.v2\":"u8).Str(Name(state))
        .Byte((byte)'}').ToArray();

    public static byte[] SessionKey(SessionKey key) => new JsonText()
        .Raw("{\"key\":"u8).Str(Convert.ToBase64String(key.Key))
        .Raw(",\"algorithm\":"u8).Str(key.Algorithm)
        .Raw(",\"creation-timestamp\":"u8).Long(key.CreationTimestamp)
        .Byte((byte)'}').ToArray();

    public static string LoggerClusterKey(string loggerNamespace) => LoggerClusterPrefix + loggerNamespace;

    public static byte[] LoggerLevel(string level) => new JsonText().Raw("{\"level\":"u8).Str(level).Byte((byte)'}').ToArray();

    public static byte[] Restart(RestartRequest request) => new JsonText()
        .Raw("{\"include-tasks\":"u8).Bool(request.IncludeTasks)
        .Raw(",\"only-failed\":"u8).Bool(request.OnlyFailed)
        .Byte((byte)'}').ToArray();

    public static string Name(TargetState state) => state switch
    {
        Worker.TargetState.Started => "STARTED",
        Worker.TargetState.Paused => "PAUSED",
        Worker.TargetState.Stopped => "STOPPED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static TargetState? ParseTargetState(string? name) => name switch
    {
        "STARTED" => Worker.TargetState.Started,
        "PAUSED" => Worker.TargetState.Paused,
        "STOPPED" => Worker.TargetState.Stopped,
        _ => null,
    };

    /// <summary>
    /// The <c>task-&lt;connector&gt;-&lt;n&gt;</c> key's task id (the connector name may contain '-'); null when malformed.
    /// </summary>
    internal static ConnectorTaskId? ParseTaskKey(string key, string prefix)
    {
        var rest = key[prefix.Length..];
        var dash = rest.LastIndexOf('-');
        if (dash < 0 || !int.TryParse(rest.AsSpan(dash + 1), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out var task))
        {
            return null;
        }
        return new ConnectorTaskId(rest[..dash], task);
    }

    /// <summary>A JSON object of strings as a map; null values are left out, other scalars keep their JSON text.</summary>
    internal static Dictionary<string, string>? ReadStringMap(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.String:
                    map[p.Name] = p.Value.GetString()!;
                    break;
                default:
                    map[p.Name] = p.Value.GetRawText();
                    break;
            }
        }
        return map;
    }

    /// <summary>An integral JSON number as int (Apache accepts Integer or Long here).</summary>
    internal static int? ReadInt(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v)
            && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? (int)l : null;
}
