using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Distributed.Protocol;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Protocol;

namespace KafkaConnect.Connect.Runtime.Tests.Distributed.Protocol;

public sealed class ConnectProtocolTests
{
    private static ConnectorTaskId T(string connector, int task) => new(connector, task);

    private static WorkerAllocation Alloc(string[] connectors, params ConnectorTaskId[] tasks) => new(connectors, tasks);

    // ---- metadata ----

    [Fact]
    public void MetadataV0GoldenBytes()
    {
        byte[] expected =
        [
            0x00, 0x00,                                     // version 0
            0x00, 0x02, (byte)'w', (byte)'1',               // url "w1"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, // config offset 258
        ];
        // v0 never carries the allocation, even when there is one.
        var bytes = ConnectProtocol.SerializeMetadata(new WorkerMetadata("w1", 258, Alloc(["c1"])), 0);
        Assert.Equal(expected, bytes);

        var read = ConnectProtocol.DeserializeMetadata(bytes, out var version);
        Assert.Equal(0, version);
        Assert.Equal(new WorkerMetadata("w1", 258, null), read);
    }

    [Fact]
    public void MetadataV1GoldenBytesEmbedAllocationAsAssignment()
    {
        byte[] expected =
        [
            0x00, 0x01,                                     // version 1
            0x00, 0x02, (byte)'w', (byte)'1',               // url "w1"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, // config offset 5
            0x00, 0x00, 0x00, 0x38,                         // allocation: 56 bytes follow
            0x00, 0x01,                                     //   version 1
            0x00, 0x00,                                     //   error NO_ERROR
            0x00, 0x00,                                     //   leader ""
            0x00, 0x00,                                     //   leader url ""
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, //   config offset -1
            0x00, 0x00, 0x00, 0x02,                         //   assignment: 2 connectors
            0x00, 0x02, (byte)'c', (byte)'1',               //     connector "c1"
            0x00, 0x00, 0x00, 0x02,                         //     2 ids
            0xFF, 0xFF, 0xFF, 0xFF,                         //       -1: the connector itself
            0x00, 0x00, 0x00, 0x00,                         //       task 0
            0x00, 0x02, (byte)'c', (byte)'2',               //     connector "c2"
            0x00, 0x00, 0x00, 0x01,                         //     1 id
            0x00, 0x00, 0x00, 0x01,                         //       task 1
            0x00, 0x00, 0x00, 0x00,                         //   revoked: empty
            0x00, 0x00, 0x00, 0x00,                         //   delay 0
        ];
        var metadata = new WorkerMetadata("w1", 5, Alloc(["c1"], T("c1", 0), T("c2", 1)));
        var bytes = ConnectProtocol.SerializeMetadata(metadata, 1);
        Assert.Equal(expected, bytes);

        var read = ConnectProtocol.DeserializeMetadata(bytes, out var version);
        Assert.Equal(1, version);
        Assert.Equal(metadata, read);
    }

    [Fact]
    public void MetadataV2GoldenBytesWithoutAllocation()
    {
        byte[] expected =
        [
            0x00, 0x02,                                     // version 2
            0x00, 0x02, (byte)'w', (byte)'2',               // url "w2"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // config offset 0
            0xFF, 0xFF, 0xFF, 0xFF,                         // allocation null
        ];
        var bytes = ConnectProtocol.SerializeMetadata(new WorkerMetadata("w2", 0, null), 2);
        Assert.Equal(expected, bytes);
        var read = ConnectProtocol.DeserializeMetadata(bytes, out var version);
        Assert.Equal(2, version);
        Assert.Null(read.Allocation);
    }

    [Fact]
    public void MetadataV2EmbedsAVersion2AssignmentAndKeepsAnEmptyAllocationDistinctFromNull()
    {
        var bytes = ConnectProtocol.SerializeMetadata(new WorkerMetadata("w", 1, WorkerAllocation.Empty), 2);
        Assert.Equal(0x02, bytes[18]); // embedded header (after version, url "w", offset, length): the metadata's own version
        var read = ConnectProtocol.DeserializeMetadata(bytes, out _);
        Assert.NotNull(read.Allocation);
        Assert.True(read.Allocation.IsEmpty);
    }

    [Fact]
    public void MetadataV2EmbedsTheLastAssignmentReceived_WithEverythingTheWorkerRunsAsItsAssignedPart()
    {
        // As Apache's WorkerCoordinator.metadata(): the snapshot of the last assignment (leader, URL, offset,
        // revocations and delay as received) whose connectors and tasks were augmented to all the worker runs.
        var last = new ConnectAssignment(2, ConnectAssignment.NoError, "leader-1", "http://l:8083", 17,
            Alloc(["c2"], T("c2", 0)), Alloc([], T("c1", 1)), 3000);
        var running = Alloc(["c1", "c2"], T("c1", 0), T("c2", 0));
        var bytes = ConnectProtocol.SerializeMetadata(new WorkerMetadata("w", 17, running) { LastAssignment = last }, 2);

        var r = new KafkaConnect.Protocol.ProtocolReader(bytes);
        Assert.Equal(2, r.ReadInt16());
        Assert.Equal("w", r.ReadString());
        Assert.Equal(17, r.ReadInt64());
        var embedded = ConnectProtocol.DeserializeAssignment(r.ReadNullableBytes()!);
        Assert.Equal(last with { Assigned = running }, embedded);
        Assert.True(r.End);
        Assert.Equal(new WorkerMetadata("w", 17, running), ConnectProtocol.DeserializeMetadata(bytes, out _));
    }

    [Fact]
    public void MetadataMissingTrailingAllocationReadsAsNull()
    {
        byte[] bytes =
        [
            0x00, 0x01,                                     // version 1
            0x00, 0x01, (byte)'u',                          // url "u"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, // config offset 9; allocation missing
        ];
        var read = ConnectProtocol.DeserializeMetadata(bytes, out var version);
        Assert.Equal(1, version);
        Assert.Equal(new WorkerMetadata("u", 9, null), read);
    }

    [Fact]
    public void MetadataOfAnUnknownHigherVersionIsReadWithTheNewestLayout()
    {
        var allocation = ConnectProtocol.SerializeAssignment(new ConnectAssignment(2, 0, "", "", -1, Alloc(["c"]), WorkerAllocation.Empty, 0));
        byte[] bytes =
        [
            0x00, 0x07,                                     // version 7
            0x00, 0x01, (byte)'u',                          // url "u"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, // config offset 3
            0x00, 0x00, 0x00, (byte)allocation.Length,      // allocation length
            .. allocation,
            0xCA, 0xFE,                                     // a field from the future: ignored
        ];
        var read = ConnectProtocol.DeserializeMetadata(bytes, out var version);
        Assert.Equal(7, version);
        Assert.Equal(new WorkerMetadata("u", 3, Alloc(["c"])), read);
    }

    // ---- assignment ----

    [Fact]
    public void AssignmentV0GoldenBytes()
    {
        byte[] expected =
        [
            0x00, 0x00,                                     // version 0
            0x00, 0x00,                                     // error NO_ERROR
            0x00, 0x01, (byte)'L',                          // leader "L"
            0x00, 0x01, (byte)'u',                          // leader url "u"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, // config offset 7
            0x00, 0x00, 0x00, 0x02,                         // assignment: 2 connectors
            0x00, 0x01, (byte)'a',                          //   connector "a"
            0x00, 0x00, 0x00, 0x02,                         //   2 ids
            0xFF, 0xFF, 0xFF, 0xFF,                         //     the connector
            0x00, 0x00, 0x00, 0x03,                         //     task 3
            0x00, 0x01, (byte)'b',                          //   connector "b"
            0x00, 0x00, 0x00, 0x01,                         //   1 id
            0x00, 0x00, 0x00, 0x00,                         //     task 0
            // v0 has no revoked array and no delay
        ];
        var assignment = new ConnectAssignment(0, ConnectAssignment.NoError, "L", "u", 7,
            Alloc(["a"], T("b", 0), T("a", 3)), Alloc(["x"]), 1234);
        var bytes = ConnectProtocol.SerializeAssignment(assignment);
        // Entries follow each connector's first appearance: the connector list first, then the tasks.
        Assert.Equal(expected, bytes);

        var read = ConnectProtocol.DeserializeAssignment(bytes);
        Assert.Equal(assignment with { Assigned = Alloc(["a"], T("a", 3), T("b", 0)), Revoked = WorkerAllocation.Empty, DelayMs = 0 }, read);
    }

    [Fact]
    public void AssignmentV1GoldenBytes()
    {
        byte[] expected =
        [
            0x00, 0x01,                                     // version 1
            0x00, 0x00,                                     // error NO_ERROR
            0x00, 0x02, (byte)'w', (byte)'1',               // leader "w1"
            0x00, 0x03, (byte)'h', (byte)':', (byte)'1',    // leader url "h:1"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A, // config offset 42
            0x00, 0x00, 0x00, 0x01,                         // assignment: 1 connector
            0x00, 0x02, (byte)'c', (byte)'2',               //   connector "c2"
            0x00, 0x00, 0x00, 0x01,                         //   1 id
            0x00, 0x00, 0x00, 0x03,                         //     task 3
            0x00, 0x00, 0x00, 0x01,                         // revoked: 1 connector
            0x00, 0x02, (byte)'c', (byte)'1',               //   connector "c1"
            0x00, 0x00, 0x00, 0x01,                         //   1 id
            0xFF, 0xFF, 0xFF, 0xFF,                         //     the connector
            0x00, 0x00, 0x0B, 0xB8,                         // delay 3000 ms
        ];
        var assignment = new ConnectAssignment(1, ConnectAssignment.NoError, "w1", "h:1", 42,
            Alloc([], T("c2", 3)), Alloc(["c1"]), 3000);
        var bytes = ConnectProtocol.SerializeAssignment(assignment);
        Assert.Equal(expected, bytes);
        Assert.Equal(assignment, ConnectProtocol.DeserializeAssignment(bytes));
    }

    [Fact]
    public void AssignmentV2GoldenBytesForAConfigMismatch()
    {
        byte[] expected =
        [
            0x00, 0x02,                                     // version 2
            0x00, 0x01,                                     // error CONFIG_MISMATCH
            0x00, 0x01, (byte)'L',                          // leader "L"
            0x00, 0x00,                                     // leader url ""
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A, // config offset 10
            0x00, 0x00, 0x00, 0x00,                         // assignment: empty
            0x00, 0x00, 0x00, 0x00,                         // revoked: empty
            0x00, 0x00, 0x00, 0x00,                         // delay 0
        ];
        var assignment = new ConnectAssignment(2, ConnectAssignment.ConfigMismatch, "L", "", 10,
            WorkerAllocation.Empty, WorkerAllocation.Empty, 0);
        var bytes = ConnectProtocol.SerializeAssignment(assignment);
        Assert.Equal(expected, bytes);
        var read = ConnectProtocol.DeserializeAssignment(bytes);
        Assert.Equal(assignment, read);
        Assert.True(read.Failed);
    }

    [Fact]
    public void AssignmentRoundTripsInEveryVersion()
    {
        var assigned = Alloc(["a", "b"], T("a", 0), T("a", 1), T("c", 5));
        var revoked = Alloc(["d"], T("d", 0), T("e", 2));
        foreach (short version in (short[])[1, 2])
        {
            var assignment = new ConnectAssignment(version, 0, "leader-é", "http://w:8083", long.MaxValue, assigned, revoked, int.MaxValue);
            Assert.Equal(assignment, ConnectProtocol.DeserializeAssignment(ConnectProtocol.SerializeAssignment(assignment)));
        }
        var eager = new ConnectAssignment(0, 0, "l", "u", 0, assigned, WorkerAllocation.Empty, 0);
        Assert.Equal(eager, ConnectProtocol.DeserializeAssignment(ConnectProtocol.SerializeAssignment(eager)));
    }

    [Fact]
    public void AssignmentMissingTrailingFieldsReadsDefaults()
    {
        byte[] header =
        [
            0x00, 0x01,                                     // version 1
            0x00, 0x00,                                     // error
            0x00, 0x01, (byte)'L',                          // leader "L"
            0x00, 0x01, (byte)'u',                          // leader url "u"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // config offset 1
        ];
        var bare = ConnectProtocol.DeserializeAssignment(header);
        Assert.Equal(new ConnectAssignment(1, 0, "L", "u", 1, WorkerAllocation.Empty, WorkerAllocation.Empty, 0), bare);

        byte[] withAssigned =
        [
            .. header,
            0x00, 0x00, 0x00, 0x01,                         // assignment: 1 connector
            0x00, 0x01, (byte)'c',                          //   "c"
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, //   task 4; revoked and delay missing
        ];
        var read = ConnectProtocol.DeserializeAssignment(withAssigned);
        Assert.Equal(Alloc([], T("c", 4)), read.Assigned);
        Assert.Equal(WorkerAllocation.Empty, read.Revoked);
        Assert.Equal(0, read.DelayMs);
    }

    [Fact]
    public void NullArraysReadAsEmpty()
    {
        byte[] bytes =
        [
            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // version 1, error 0, leader "", leader url ""
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // config offset 0
            0xFF, 0xFF, 0xFF, 0xFF,                         // assignment null
            0xFF, 0xFF, 0xFF, 0xFF,                         // revoked null
            0x00, 0x00, 0x00, 0x64,                         // delay 100
        ];
        var read = ConnectProtocol.DeserializeAssignment(bytes);
        Assert.True(read.Assigned.IsEmpty);
        Assert.True(read.Revoked.IsEmpty);
        Assert.Equal(100, read.DelayMs);
    }

    [Fact]
    public void AssignmentOfAnUnknownHigherVersionIsReadWithTheNewestLayout()
    {
        var bytes = ConnectProtocol.SerializeAssignment(new ConnectAssignment(2, 0, "L", "u", 3, Alloc(["c"]), Alloc([], T("d", 1)), 9));
        bytes[1] = 0x05;
        var read = ConnectProtocol.DeserializeAssignment([.. bytes, 0x01, 0x02, 0x03]);
        Assert.Equal(new ConnectAssignment(5, 0, "L", "u", 3, Alloc(["c"]), Alloc([], T("d", 1)), 9), read);
    }

    [Fact]
    public void V1AssignmentStartsWithTheV0Fields()
    {
        // A v1 assignment starts with exactly the v0 fields, which is what lets eager workers read it.
        var assigned = Alloc(["a"], T("a", 0));
        var v0 = ConnectProtocol.SerializeAssignment(new ConnectAssignment(0, 0, "L", "u", 3, assigned, WorkerAllocation.Empty, 0));
        var v1 = ConnectProtocol.SerializeAssignment(new ConnectAssignment(1, 0, "L", "u", 3, assigned, Alloc(["b"]), 5));
        Assert.Equal(v0[2..], v1[2..v0.Length]);
    }

    // ---- malformed input ----

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "empty", [] },
        { "half a version", [0x00] },
        { "negative version", [0xFF, 0xFF, 0x00, 0x00] },
        { "truncated leader", [0x00, 0x01, 0x00, 0x00, 0x00, 0x05, (byte)'a'] },
        { "null leader", [0x00, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00] },
        { "invalid utf-8", [0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0xC3, 0x00, 0x00] },
        { "truncated offset", [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] },
        { "huge array", [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF] },
        { "negative array", [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFE] },
        {
            "null task list", [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
                0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'c', 0xFF, 0xFF, 0xFF, 0xFF]
        },
        {
            "task id -2", [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
                0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'c', 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFE]
        },
        {
            "half a delay", [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedAssignmentThrowsProtocolException(string what, byte[] bytes)
    {
        var e = Assert.Throws<ProtocolException>(() => ConnectProtocol.DeserializeAssignment(bytes));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
    }

    [Fact]
    public void MalformedMetadataThrowsProtocolException()
    {
        Assert.Throws<ProtocolException>(() => ConnectProtocol.DeserializeMetadata([], out _));
        Assert.Throws<ProtocolException>(() => ConnectProtocol.DeserializeMetadata([0x80, 0x00, 0x00, 0x00], out _));
        // allocation length says 10 bytes but 2 follow
        Assert.Throws<ProtocolException>(() => ConnectProtocol.DeserializeMetadata(
            [0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x01], out _));
        // the embedded allocation itself is truncated
        Assert.Throws<ProtocolException>(() => ConnectProtocol.DeserializeMetadata(
            [0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01], out _));
    }

    [Fact]
    public void EveryTruncationEitherParsesOrThrowsProtocolException()
    {
        var metadata = ConnectProtocol.SerializeMetadata(new WorkerMetadata("http://w:8083", 77, Alloc(["a"], T("a", 0), T("b", 2))), 2);
        var assignment = ConnectProtocol.SerializeAssignment(new ConnectAssignment(2, 0, "w", "u", 1,
            Alloc(["a"], T("a", 0)), Alloc(["b"], T("b", 1)), 10));
        for (var n = 0; n < metadata.Length; n++)
        {
            var e = Record.Exception(() => ConnectProtocol.DeserializeMetadata(metadata.AsSpan(0, n), out _));
            Assert.True(e is null or ProtocolException, $"metadata prefix {n}: {e}");
        }
        for (var n = 0; n < assignment.Length; n++)
        {
            var e = Record.Exception(() => ConnectProtocol.DeserializeAssignment(assignment.AsSpan(0, n)));
            Assert.True(e is null or ProtocolException, $"assignment prefix {n}: {e}");
        }
    }

    [Fact]
    public void WritingAnUnknownVersionIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConnectProtocol.SerializeMetadata(new WorkerMetadata("u", 0, null), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConnectProtocol.SerializeAssignment(
            new ConnectAssignment(-1, 0, "", "", 0, WorkerAllocation.Empty, WorkerAllocation.Empty, 0)));
    }

    // ---- JoinGroup protocols and compatibility modes ----

    [Fact]
    public void JoinProtocolsAreOfferedInPreferenceOrder()
    {
        var metadata = new WorkerMetadata("u", 4, Alloc(["c"]));
        string[] Names(ConnectProtocolCompatibility c) => [.. ConnectProtocol.JoinProtocols(c, metadata).Select(p => p.Name)];
        Assert.Equal(["sessioned", "compatible", "default"], Names(ConnectProtocolCompatibility.Sessioned));
        Assert.Equal(["compatible", "default"], Names(ConnectProtocolCompatibility.Compatible));
        Assert.Equal(["default"], Names(ConnectProtocolCompatibility.Eager));

        var sessioned = ConnectProtocol.JoinProtocols(ConnectProtocolCompatibility.Sessioned, metadata);
        short[] versions = [2, 1, 0];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ConnectProtocol.SerializeMetadata(metadata, versions[i]), sessioned[i].Metadata);
            var read = ConnectProtocol.DeserializeMetadata(sessioned[i].Metadata, out var version);
            Assert.Equal(versions[i], version);
            Assert.Equal(version == 0 ? metadata with { Allocation = null } : metadata, read);
        }
    }

    [Theory]
    [InlineData("eager", ConnectProtocolCompatibility.Eager, "default", 0)]
    [InlineData("COMPATIBLE", ConnectProtocolCompatibility.Compatible, "compatible", 1)]
    [InlineData("Sessioned", ConnectProtocolCompatibility.Sessioned, "sessioned", 2)]
    public void CompatibilityModes(string config, ConnectProtocolCompatibility mode, string protocol, short version)
    {
        Assert.Equal(mode, ConnectProtocolCompatibilities.Parse(config));
        Assert.Equal(protocol, ConnectProtocolCompatibilities.ProtocolName(mode));
        Assert.Equal(version, ConnectProtocolCompatibilities.Version(mode));
        Assert.Equal(mode, ConnectProtocolCompatibilities.FromProtocolName(protocol));
        Assert.Equal(mode, ConnectProtocolCompatibilities.FromProtocolName(protocol.ToUpperInvariant()));
    }

    [Fact]
    public void UnknownModesAreRejected()
    {
        var e = Assert.Throws<ConfigException>(() => ConnectProtocolCompatibilities.Parse("default"));
        Assert.Contains("connect.protocol", e.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => ConnectProtocolCompatibilities.Parse(""));
        Assert.Throws<ArgumentException>(() => ConnectProtocolCompatibilities.FromProtocolName("eager"));
    }
}
