using KafkaConnect.Client.Groups;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Protocol;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>
/// Encodes and decodes the member metadata and assignments of the <c>connect</c> group protocol, byte-compatible
/// with Apache Kafka Connect workers. All integers are big-endian; strings are int16-length UTF-8; arrays are
/// int32-counted. Version 0 (eager) carries no allocation, no revocations and no delay; versions 1 and 2 share
/// one layout (2 only adds session keys elsewhere).
/// </summary>
public static class ConnectProtocol
{
    public const short V0 = 0;
    public const short V1 = 1;
    public const short V2 = 2;

    /// <summary>Task id that stands for the connector instance itself in an assignment entry.</summary>
    public const int ConnectorTask = -1;

    /// <summary>The sub-protocols a worker offers in JoinGroup, most preferred first.</summary>
    public static IReadOnlyList<GroupProtocol> JoinProtocols(ConnectProtocolCompatibility c, WorkerMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var eager = new GroupProtocol(ConnectProtocolCompatibilities.ProtocolName(ConnectProtocolCompatibility.Eager),
            SerializeMetadata(metadata, V0));
        var compatible = new GroupProtocol(ConnectProtocolCompatibilities.ProtocolName(ConnectProtocolCompatibility.Compatible),
            SerializeMetadata(metadata, V1));
        return c switch
        {
            ConnectProtocolCompatibility.Eager => [eager],
            ConnectProtocolCompatibility.Compatible => [compatible, eager],
            ConnectProtocolCompatibility.Sessioned =>
            [
                new GroupProtocol(ConnectProtocolCompatibilities.ProtocolName(ConnectProtocolCompatibility.Sessioned),
                    SerializeMetadata(metadata, V2)),
                compatible,
                eager,
            ],
            _ => throw new ArgumentOutOfRangeException(nameof(c), c, "Unknown Connect protocol compatibility."),
        };
    }

    /// <summary>
    /// Version 0: version, url, config offset. Versions 1 and 2 append the current allocation as nullable bytes
    /// holding an assignment of the same version (null when <see cref="WorkerMetadata.Allocation"/> is null).
    /// Apache embeds the worker's last assignment there (error, leader, leader URL, config offset, revocations and
    /// delay as received; connectors and tasks augmented to all it runs): so does this, from
    /// <see cref="WorkerMetadata.LastAssignment"/>. Leaders read only the connectors and tasks, so without a last
    /// assignment the other fields are written as neutral values (no error, empty leader, offset -1, nothing revoked).
    /// </summary>
    public static byte[] SerializeMetadata(WorkerMetadata metadata, short version)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckWritableVersion(version);
        using var w = new ProtocolWriter(128);
        w.WriteInt16(version);
        w.WriteString(metadata.Url);
        w.WriteInt64(metadata.ConfigOffset);
        if (version >= V1)
        {
            w.WriteNullableBytes(metadata.Allocation is null
                ? null
                : SerializeAssignment(metadata.LastAssignment is { } last
                    ? last with { Version = version, Assigned = metadata.Allocation }
                    : new ConnectAssignment(version, ConnectAssignment.NoError, "", "", -1, metadata.Allocation, WorkerAllocation.Empty, 0)));
        }
        return w.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads metadata of any version: a version above 2 is read with the newest known layout, and a missing
    /// trailing allocation reads as null (as Apache tolerates). Bytes after the known fields are ignored.
    /// </summary>
    public static WorkerMetadata DeserializeMetadata(ReadOnlySpan<byte> bytes, out short version)
    {
        var r = new ProtocolReader(bytes.ToArray());
        version = ReadVersion(ref r, "metadata");
        var url = r.ReadString();
        var configOffset = r.ReadInt64();
        WorkerAllocation? allocation = null;
        if (!r.End)
        {
            var embedded = r.ReadNullableBytes();
            if (embedded is not null) allocation = DeserializeAssignment(embedded).Assigned;
        }
        return new WorkerMetadata(url, configOffset, allocation);
    }

    /// <summary>Writes the layout of <see cref="ConnectAssignment.Version"/>; version 0 drops revocations and delay.</summary>
    public static byte[] SerializeAssignment(ConnectAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        CheckWritableVersion(assignment.Version);
        using var w = new ProtocolWriter(256);
        w.WriteInt16(assignment.Version);
        w.WriteInt16(assignment.Error);
        w.WriteString(assignment.Leader);
        w.WriteString(assignment.LeaderUrl);
        w.WriteInt64(assignment.ConfigOffset);
        WriteAllocation(w, assignment.Assigned);
        if (assignment.Version >= V1)
        {
            WriteAllocation(w, assignment.Revoked);
            w.WriteInt32(assignment.DelayMs);
        }
        return w.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads an assignment of any version. The assignment and revoked arrays may be null or missing (both read
    /// as empty) and a missing delay reads as 0, so version 0 payloads decode with the same code.
    /// </summary>
    public static ConnectAssignment DeserializeAssignment(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtocolReader(bytes.ToArray());
        var version = ReadVersion(ref r, "assignment");
        var error = r.ReadInt16();
        var leader = r.ReadString();
        var leaderUrl = r.ReadString();
        var configOffset = r.ReadInt64();
        var assigned = r.End ? WorkerAllocation.Empty : ReadAllocation(ref r);
        var revoked = r.End ? WorkerAllocation.Empty : ReadAllocation(ref r);
        var delay = r.End ? 0 : r.ReadInt32();
        return new ConnectAssignment(version, error, leader, leaderUrl, configOffset, assigned, revoked, delay);
    }

    private static void CheckWritableVersion(short version)
    {
        if (version is < V0 or > V2)
            throw new ArgumentOutOfRangeException(nameof(version), version, "Connect protocol versions 0 to 2 can be written.");
    }

    private static short ReadVersion(ref ProtocolReader r, string what)
    {
        var version = r.ReadInt16();
        if (version < V0) throw new ProtocolException($"Unsupported Connect protocol {what} version {version}.");
        return version;
    }

    // Entries group ids by connector: each connector once, its own instance as task -1 first, then its tasks
    // in the order given, which is how Apache lays them out.
    private static void WriteAllocation(ProtocolWriter w, WorkerAllocation allocation)
    {
        var entries = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        List<int> Entry(string connector)
        {
            if (!entries.TryGetValue(connector, out var ids))
            {
                entries[connector] = ids = [];
                order.Add(connector);
            }
            return ids;
        }
        foreach (var connector in allocation.Connectors.Distinct(StringComparer.Ordinal)) Entry(connector).Add(ConnectorTask);
        foreach (var task in allocation.Tasks) Entry(task.Connector).Add(task.Task);

        w.WriteArrayLength(order.Count);
        foreach (var connector in order)
        {
            w.WriteString(connector);
            var ids = entries[connector];
            w.WriteArrayLength(ids.Count);
            foreach (var id in ids) w.WriteInt32(id);
        }
    }

    private static WorkerAllocation ReadAllocation(ref ProtocolReader r)
    {
        var count = ReadArrayLength(ref r, nullable: true);
        if (count < 0) return WorkerAllocation.Empty;
        var connectors = new List<string>();
        var tasks = new List<ConnectorTaskId>();
        for (var i = 0; i < count; i++)
        {
            var connector = r.ReadString();
            var ids = ReadArrayLength(ref r, nullable: false);
            for (var j = 0; j < ids; j++)
            {
                var id = r.ReadInt32();
                if (id == ConnectorTask) connectors.Add(connector);
                else if (id < 0) throw new ProtocolException($"Invalid task id {id} for connector '{connector}'.");
                else tasks.Add(new ConnectorTaskId(connector, id));
            }
        }
        return new WorkerAllocation(connectors, tasks);
    }

    private static int ReadArrayLength(ref ProtocolReader r, bool nullable)
    {
        var count = r.ReadInt32();
        if (count < 0)
        {
            if (nullable && count == -1) return -1;
            throw new ProtocolException($"Invalid array length {count}.");
        }
        // Every element takes at least one byte; this stops a corrupt count from allocating before failing.
        if (count > r.Remaining)
            throw new ProtocolException($"Array of {count} elements does not fit in the {r.Remaining} bytes left.");
        return count;
    }
}
