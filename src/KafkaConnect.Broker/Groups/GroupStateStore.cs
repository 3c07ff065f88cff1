using System.Security.Cryptography;
using System.Text;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Broker.Groups;

/// <summary>One member of a stable group as it is kept across broker restarts.</summary>
internal sealed record MemberSnapshot(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int SessionTimeoutMs, int RebalanceTimeoutMs, IReadOnlyList<GroupProtocol> Protocols, byte[] Assignment);

/// <summary>A stable group's generation, protocol, leader and members with their assignments.</summary>
internal sealed record GroupSnapshot(string GroupId, int GenerationId, string? ProtocolType, string? ProtocolName, string? LeaderId,
    IReadOnlyList<MemberSnapshot> Members);

/// <summary>
/// The membership of stable groups, kept across broker restarts as Kafka keeps it in <c>__consumer_offsets</c>: members
/// that heartbeat to the restarted broker with their id and generation carry on without a rebalance; those that do not
/// come back are expired after their session timeout as usual.
/// </summary>
/// <remarks>
/// One file per group (<c>__consumer_offsets/groups/&lt;SHA-256 of the id&gt;.group</c>), replaced through a temporary
/// file and a rename when a generation becomes stable, deleted when the group empties or is deleted. Not fsync'd: this
/// is soft state, and losing it costs one rebalance, never an offset. A file that does not read back is ignored.
/// Layout: 8-byte magic, CRC-32C of the rest, then the snapshot written by <see cref="BinaryWriter"/>.
/// </remarks>
internal sealed class GroupStateStore
{
    public const string DirectoryName = "groups";
    private const string Extension = ".group";
    private static ReadOnlySpan<byte> Magic => "KCGRPS01"u8;

    private readonly string _directory;

    public GroupStateStore(string offsetsDirectory)
    {
        _directory = Path.Combine(offsetsDirectory, DirectoryName);
        Directory.CreateDirectory(_directory);
        foreach (var tmp in Directory.EnumerateFiles(_directory, "*.tmp")) File.Delete(tmp);
    }

    /// <summary>Every group saved before the last stop that still reads back.</summary>
    public List<GroupSnapshot> Load()
    {
        var groups = new List<GroupSnapshot>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            if (TryRead(file, out var snapshot)) groups.Add(snapshot);
        }
        return groups;
    }

    public void Save(GroupSnapshot snapshot)
    {
        var path = PathOf(snapshot.GroupId);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, Encode(snapshot));
        File.Move(tmp, path, overwrite: true);
    }

    public void Delete(string groupId) => File.Delete(PathOf(groupId));

    private string PathOf(string groupId) =>
        Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(groupId))) + Extension);

    internal static byte[] Encode(GroupSnapshot s)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s.GroupId);
            w.Write(s.GenerationId);
            WriteNullable(w, s.ProtocolType);
            WriteNullable(w, s.ProtocolName);
            WriteNullable(w, s.LeaderId);
            w.Write(s.Members.Count);
            foreach (var m in s.Members)
            {
                w.Write(m.MemberId);
                WriteNullable(w, m.GroupInstanceId);
                w.Write(m.ClientId);
                w.Write(m.ClientHost);
                w.Write(m.SessionTimeoutMs);
                w.Write(m.RebalanceTimeoutMs);
                w.Write(m.Protocols.Count);
                foreach (var p in m.Protocols)
                {
                    w.Write(p.Name);
                    WriteBytes(w, p.Metadata);
                }
                WriteBytes(w, m.Assignment);
            }
        }
        var payload = body.GetBuffer().AsSpan(0, (int)body.Length);
        var file = new byte[Magic.Length + 4 + payload.Length];
        Magic.CopyTo(file);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(Magic.Length), Crc32C.Compute(payload));
        payload.CopyTo(file.AsSpan(Magic.Length + 4));
        return file;
    }

    internal static bool TryDecode(byte[] file, out GroupSnapshot snapshot)
    {
        snapshot = null!;
        if (file.Length < Magic.Length + 4 || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return false;
        var payload = file.AsSpan(Magic.Length + 4);
        if (Crc32C.Compute(payload) != System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(Magic.Length))) return false;
        try
        {
            using var r = new BinaryReader(new MemoryStream(file, Magic.Length + 4, payload.Length), Encoding.UTF8);
            var groupId = r.ReadString();
            var generation = r.ReadInt32();
            var protocolType = ReadNullable(r);
            var protocolName = ReadNullable(r);
            var leader = ReadNullable(r);
            var count = r.ReadInt32();
            if (count < 0 || count > payload.Length) return false;
            var members = new List<MemberSnapshot>(count);
            for (var i = 0; i < count; i++)
            {
                var memberId = r.ReadString();
                var instanceId = ReadNullable(r);
                var clientId = r.ReadString();
                var clientHost = r.ReadString();
                var session = r.ReadInt32();
                var rebalance = r.ReadInt32();
                var protocolCount = r.ReadInt32();
                if (protocolCount < 0 || protocolCount > payload.Length) return false;
                var protocols = new List<GroupProtocol>(protocolCount);
                for (var j = 0; j < protocolCount; j++) protocols.Add(new GroupProtocol(r.ReadString(), ReadBytes(r)));
                members.Add(new MemberSnapshot(memberId, instanceId, clientId, clientHost, session, rebalance, protocols, ReadBytes(r)));
            }
            snapshot = new GroupSnapshot(groupId, generation, protocolType, protocolName, leader, members);
            return r.BaseStream.Position == r.BaseStream.Length;
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool TryRead(string path, out GroupSnapshot snapshot)
    {
        snapshot = null!;
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return false;
        }
        return TryDecode(file, out snapshot);
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteBytes(BinaryWriter w, byte[] value)
    {
        w.Write(value.Length);
        w.Write(value);
    }

    private static byte[] ReadBytes(BinaryReader r)
    {
        var length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position) throw new FormatException("bad length");
        return r.ReadBytes(length);
    }
}
