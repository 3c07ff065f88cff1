using System.Text.Json;

namespace KafkaConnect.SchemaRegistry.Leader;

/// <summary>
/// What a registry instance tells the group about itself (Confluent's SchemaRegistryIdentity): the URL others forward
/// writes to, whether it may lead, and whether it leads now (read by sticky election). <see cref="Topic"/> is ours
/// only; Confluent's instances ignore unknown fields, and ours use it to refuse a leader that writes another topic.
/// </summary>
internal sealed record RegistryIdentity(string Host, int Port, string Scheme, bool LeaderEligibility, bool IsLeader = false, string? Topic = null)
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public string Url => $"{Scheme}://{Host}:{Port}";

    /// <summary>Confluent's identity equality: what it advertises, not whether it leads now.</summary>
    public bool SameInstance(RegistryIdentity other) =>
        Version == other.Version && Host == other.Host && Port == other.Port && Scheme == other.Scheme && LeaderEligibility == other.LeaderEligibility;

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("version", Version);
        w.WriteString("host", Host);
        w.WriteNumber("port", Port);
        w.WriteBoolean("master_eligibility", LeaderEligibility);
        w.WriteString("scheme", Scheme);
        w.WriteBoolean("leader", IsLeader);
        if (Topic is not null)
        {
            w.WriteString("kafkastore.topic", Topic);
        }
        w.WriteEndObject();
    }

    internal static RegistryIdentity Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a registry identity is a JSON object");
        }
        string? Str(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        bool Flag(string name, bool dflt) => e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.True || (v.ValueKind != JsonValueKind.False && dflt) : dflt;
        var port = e.TryGetProperty("port", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : throw new FormatException("identity without a port");
        return new RegistryIdentity(Str("host") ?? throw new FormatException("identity without a host"), port, Str("scheme") ?? "http",
            Flag("master_eligibility", false), Flag("leader", false), Str("kafkastore.topic"))
        {
            Version = e.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : CurrentVersion,
        };
    }

    public byte[] ToJson() => LeaderProtocol.Json(Write);

    public static RegistryIdentity FromJson(ReadOnlySpan<byte> json) => LeaderProtocol.Parse(json, Read);

    public override string ToString() => $"{Url} (eligible {LeaderEligibility}{(IsLeader ? ", leader" : "")})";
}

/// <summary>The group leader's answer, the same for every member (Confluent's SchemaRegistryProtocol.Assignment).</summary>
internal sealed record LeaderAssignment(short Error, string? LeaderMemberId, RegistryIdentity? Leader)
{
    public const short NoError = 0;

    /// <summary>Two members advertise one URL, so forwarding could not tell them apart.</summary>
    public const short DuplicateUrls = 1;

    public byte[] ToJson() => LeaderProtocol.Json(w =>
    {
        // As Jackson with NON_EMPTY writes it: no leader means no "master" and no "master_identity".
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteNumber("error", Error);
        if (LeaderMemberId is not null)
        {
            w.WriteString("master", LeaderMemberId);
        }
        if (Leader is not null)
        {
            w.WritePropertyName("master_identity");
            Leader.Write(w);
        }
        w.WriteEndObject();
    });

    public static LeaderAssignment FromJson(ReadOnlySpan<byte> json) => LeaderProtocol.Parse(json, e =>
    {
        var error = e.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Number ? err.GetInt16() : NoError;
        var member = e.TryGetProperty("master", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var identity = e.TryGetProperty("master_identity", out var i) && i.ValueKind == JsonValueKind.Object ? RegistryIdentity.Read(i) : null;
        return new LeaderAssignment(error, member, identity);
    });
}

/// <summary>The registry group's protocol type, protocol name and leader choice, as Confluent's SchemaRegistryCoordinator.</summary>
internal static class LeaderProtocol
{
    public const string ProtocolType = "sr";
    public const string ProtocolName = "v0";

    internal static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }
        return buffer.WrittenSpan.ToArray();
    }

    internal static T Parse<T>(ReadOnlySpan<byte> json, Func<JsonElement, T> read)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        return read(doc.RootElement);
    }

    /// <summary>
    /// Picks the leader: the eligible member with the smallest URL (ordinal string order, as Java's compareTo); with
    /// sticky election an eligible member that says it leads keeps leading unless two say so. Every member gets the
    /// same assignment; members sharing a URL make it carry <see cref="LeaderAssignment.DuplicateUrls"/>.
    /// </summary>
    public static LeaderAssignment Choose(IReadOnlyList<(string MemberId, RegistryIdentity Identity)> members, bool sticky)
    {
        string? leaderId = null;
        RegistryIdentity? leader = null;
        string? stickyId = null;
        RegistryIdentity? stickyLeader = null;
        var claimants = 0;
        var urls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, identity) in members)
        {
            urls.Add(identity.Url);
            if (!identity.LeaderEligibility)
            {
                continue;
            }
            if (leader is null || string.CompareOrdinal(identity.Url, leader.Url) < 0)
            {
                (leaderId, leader) = (id, identity);
            }
            if (sticky && identity.IsLeader && claimants++ == 0)
            {
                (stickyId, stickyLeader) = (id, identity);
            }
        }
        if (claimants == 1)
        {
            (leaderId, leader) = (stickyId, stickyLeader);
        }
        var error = urls.Count != members.Count ? LeaderAssignment.DuplicateUrls : LeaderAssignment.NoError;
        return new LeaderAssignment(error, leaderId, leader);
    }
}
