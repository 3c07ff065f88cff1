using System.Text.Json;
using KafkaConnect.Connect.Runtime.Herder;

namespace KafkaConnect.Connect.Runtime.Storage.Kafka;

/// <summary>Keys and values of the status topic exactly as Apache Kafka Connect 3.9 writes them.</summary>
public static class StatusRecords
{
    public const string ConnectorPrefix = "status-connector-";
    public const string TaskPrefix = "status-task-";
    public const string TopicPrefix = "status-topic-";
    public const string TopicSeparator = ":connector-";

    public static string ConnectorKey(string connector) => ConnectorPrefix + connector;

    public static string TaskKey(ConnectorTaskId id) => $"{TaskPrefix}{id.Connector}-{id.Task}";

    public static string TopicKey(string connector, string topic) => TopicPrefix + topic + TopicSeparator + connector;

    /// <summary><c>{"state":..,"trace":..,"worker_id":..,"generation":..}</c>; trace is written as null when absent.</summary>
    public static byte[] Status(ConnectorState state, string? trace, string workerId, int generation) => new JsonText()
        .Raw("{\"state\":"u8).Str(Name(state))
        .Raw(",\"trace\":"u8).StrOrNull(trace)
        .Raw(",\"worker_id\":"u8).Str(workerId)
        .Raw(",\"generation\":"u8).Long(generation)
        .Byte((byte)'}').ToArray();

    public static byte[] Topic(TopicStatusEntry status) => new JsonText()
        .Raw("{\"topic\":{\"name\":"u8).Str(status.Topic)
        .Raw(",\"connector\":"u8).Str(status.Connector)
        .Raw(",\"task\":"u8).Long(status.Task)
        .Raw(",\"discoverTimestamp\":"u8).Long(status.DiscoverTimestamp)
        .Raw("}}"u8).ToArray();

    public static string Name(ConnectorState state) => state switch
    {
        ConnectorState.Unassigned => "UNASSIGNED",
        ConnectorState.Running => "RUNNING",
        ConnectorState.Paused => "PAUSED",
        ConnectorState.Stopped => "STOPPED",
        ConnectorState.Failed => "FAILED",
        ConnectorState.Restarting => "RESTARTING",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static ConnectorState? ParseState(string? name) => name switch
    {
        "UNASSIGNED" => ConnectorState.Unassigned,
        "RUNNING" => ConnectorState.Running,
        "PAUSED" => ConnectorState.Paused,
        "STOPPED" => ConnectorState.Stopped,
        "FAILED" => ConnectorState.Failed,
        "RESTARTING" => ConnectorState.Restarting,
        _ => null,
    };

    /// <summary>The state, trace, worker and generation of a connector or task status value; null when malformed.</summary>
    internal static (ConnectorState State, string? Trace, string WorkerId, int Generation)? ParseStatus(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("state", out var s) || s.ValueKind != JsonValueKind.String || ParseState(s.GetString()) is not { } state
            || !value.TryGetProperty("generation", out var g) || g.ValueKind != JsonValueKind.Number || !g.TryGetInt64(out var generation))
        {
            return null;
        }
        var trace = value.TryGetProperty("trace", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var worker = value.TryGetProperty("worker_id", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString()! : "";
        return (state, trace, worker, (int)generation);
    }

    internal static TopicStatusEntry? ParseTopic(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("topic", out var t) || t.ValueKind != JsonValueKind.Object
            || !t.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
            || !t.TryGetProperty("connector", out var connector) || connector.ValueKind != JsonValueKind.String
            || !t.TryGetProperty("task", out var task) || task.ValueKind != JsonValueKind.Number || !task.TryGetInt64(out var taskId)
            || !t.TryGetProperty("discoverTimestamp", out var ts) || ts.ValueKind != JsonValueKind.Number || !ts.TryGetInt64(out var timestamp))
        {
            return null;
        }
        return new TopicStatusEntry(name.GetString()!, connector.GetString()!, (int)taskId, timestamp);
    }
}
