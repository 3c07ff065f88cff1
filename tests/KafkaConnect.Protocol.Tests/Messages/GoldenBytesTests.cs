using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Protocol.Tests.Messages;

/// <summary>Encodings worked out by hand from the protocol guide's wire-format rules.</summary>
public sealed class GoldenBytesTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static byte[] Write(IKafkaMessage m, short version) => MessageRoundTripTests.Write(m, version);

    private static T Read<T>(byte[] bytes, short version) where T : IKafkaMessage, new()
    {
        var m = new T();
        var reader = new ProtocolReader(bytes);
        m.Read(ref reader, version);
        Assert.True(reader.End);
        return m;
    }

    [Fact]
    public void ApiVersionsRequestV3()
    {
        var m = new ApiVersionsRequest { ClientSoftwareName = "kcat", ClientSoftwareVersion = "1.0" };
        // compact strings are length+1 varints; then an empty tagged-field section.
        var expected = Hex("05 6b636174 04 312e30 00");
        Assert.Equal(expected, Write(m, 3));
        var back = Read<ApiVersionsRequest>(expected, 3);
        Assert.Equal("kcat", back.ClientSoftwareName);
        Assert.Equal("1.0", back.ClientSoftwareVersion);
        Assert.Empty(Write(m, 0));
    }

    [Fact]
    public void RequestHeaderV2KeepsClassicClientId()
    {
        var h = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 1, ClientId = "kcat" };
        // ClientId has flexibleVersions "none": an int16-length string even in v2, then tagged fields.
        Assert.Equal(Hex("0012 0003 00000001 0004 6b636174 00"), Write(h, 2));
        Assert.Equal(Hex("0012 0003 00000001 0004 6b636174"), Write(h, 1));
        Assert.Equal(Hex("0012 0003 00000001"), Write(h, 0));
        h.ClientId = null;
        Assert.Equal(Hex("0012 0003 00000001 ffff 00"), Write(h, 2));
        Assert.Null(Read<RequestHeader>(Hex("0012 0003 00000001 ffff 00"), 2).ClientId);
        Assert.Equal("kcat", Read<RequestHeader>(Hex("0012 0003 00000001 0004 6b636174 00"), 2).ClientId);
    }

    [Fact]
    public void ResponseHeaders()
    {
        var h = new ResponseHeader { CorrelationId = 7 };
        Assert.Equal(Hex("00000007"), Write(h, 0));
        Assert.Equal(Hex("00000007 00"), Write(h, 1));
    }

    [Fact]
    public void MetadataRequestV1WithOneTopic()
    {
        var m = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] };
        var expected = Hex("00000001 0001 74");
        Assert.Equal(expected, Write(m, 1));
        Assert.Equal("t", Read<MetadataRequest>(expected, 1).Topics![0].Name);

        // Null topics means "all topics" from v1; v0 cannot express it.
        m.Topics = null;
        Assert.Equal(Hex("ffffffff"), Write(m, 1));
        Assert.Null(Read<MetadataRequest>(Hex("ffffffff"), 1).Topics);
        Assert.Throws<InvalidOperationException>(() => Write(m, 0));
        Assert.Throws<ProtocolException>(() => Read<MetadataRequest>(Hex("ffffffff"), 0));
    }

    [Fact]
    public void CompactNullableStringNullAndEmpty()
    {
        var m = new ProduceRequest { TransactionalId = null, Acks = -1, TimeoutMs = 1000 };
        Assert.Equal(Hex("00 ffff 000003e8 01 00"), Write(m, 9));
        m.TransactionalId = "";
        Assert.Equal(Hex("01 ffff 000003e8 01 00"), Write(m, 9));
        Assert.Null(Read<ProduceRequest>(Hex("00 ffff 000003e8 01 00"), 9).TransactionalId);
        Assert.Equal("", Read<ProduceRequest>(Hex("01 ffff 000003e8 01 00"), 9).TransactionalId);
        // Classic nullable string and array in v3.
        m.TransactionalId = null;
        Assert.Equal(Hex("ffff ffff 000003e8 00000000"), Write(m, 3));
    }

    [Fact]
    public void ProduceRecordsAreSlicesOfTheFrame()
    {
        var frame = Hex("ffff 0001 00007530 00000001 0001 74 00000001 00000000 00000003 aabbcc");
        var m = Read<ProduceRequest>(frame, 3);
        var records = m.TopicData[0].PartitionData[0].Records!.Value;
        Assert.Equal(Hex("aabbcc"), records.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(frame, Write(m, 3));
    }

    [Fact]
    public void TaggedFieldsAreWrittenOnlyWhenNotDefault()
    {
        var m = new ApiVersionsResponse();
        Assert.Equal(Hex("0000 01 00000000 00"), Write(m, 3));
        m.FinalizedFeaturesEpoch = 5;
        m.ZkMigrationReady = true;
        var expected = Hex("0000 01 00000000 02 01 08 0000000000000005 03 01 01");
        Assert.Equal(expected, Write(m, 3));
        var back = Read<ApiVersionsResponse>(expected, 3);
        Assert.Equal(5, back.FinalizedFeaturesEpoch);
        Assert.True(back.ZkMigrationReady);
        // Tagged fields do not exist before the flexible versions.
        Assert.Equal(Hex("0000 00000000 00000000"), Write(m, 1));
        Assert.Equal(-1, Read<ApiVersionsResponse>(Hex("0000 00000000 00000000"), 1).FinalizedFeaturesEpoch);
    }

    [Fact]
    public void UnknownTagsAreSkippedAndBadSizesRejected()
    {
        var withUnknown = Hex("0000 01 00000000 03 01 08 0000000000000005 09 02 aabb 03 01 01");
        var back = Read<ApiVersionsResponse>(withUnknown, 3);
        Assert.Equal(5, back.FinalizedFeaturesEpoch);
        Assert.True(back.ZkMigrationReady);

        var wrongSize = Hex("0000 01 00000000 01 01 09 0000000000000005 ff");
        Assert.Throws<ProtocolException>(() => Read<ApiVersionsResponse>(wrongSize, 3));
    }

    [Fact]
    public void ApiVersionsResponseV0()
    {
        var m = new ApiVersionsResponse { ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }] };
        Assert.Equal(Hex("0000 00000001 0012 0000 0004"), Write(m, 0));
    }

    [Fact]
    public void NullableStructUsesAMarkerByte()
    {
        var m = new ConsumerGroupHeartbeatResponse();
        Assert.Equal(Hex("00000000 0000 00 00 00000000 00000000 ff 00"), Write(m, 0));
        m.Assignment = new ConsumerGroupHeartbeatResponse.AssignmentData();
        var expected = Hex("00000000 0000 00 00 00000000 00000000 01 01 00 00");
        Assert.Equal(expected, Write(m, 0));
        Assert.NotNull(Read<ConsumerGroupHeartbeatResponse>(expected, 0).Assignment);
    }

    [Fact]
    public void ClashingNamesFollowTheDocumentedRule()
    {
        // "Key" is taken by the ApiKey constant, so the spec field becomes KeyValue.
        var m = new FindCoordinatorRequest { KeyValue = "g" };
        Assert.Equal(Hex("0001 67"), Write(m, 0));
        Assert.Equal(ApiKey.FindCoordinator, FindCoordinatorRequest.Key);
    }

    [Fact]
    public void HeaderVersions()
    {
        Assert.Equal(2, ApiMessages.RequestHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(1, ApiMessages.RequestHeaderVersion(ApiKey.ApiVersions, 2));
        Assert.Equal(1, ApiMessages.RequestHeaderVersion(ApiKey.Produce, 8));
        Assert.Equal(2, ApiMessages.RequestHeaderVersion(ApiKey.Produce, 9));
        Assert.Equal(0, ApiMessages.RequestHeaderVersion(ApiKey.ControlledShutdown, 0));
        Assert.Equal(0, ApiMessages.ResponseHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(1, ApiMessages.ResponseHeaderVersion(ApiKey.Metadata, 9));
        Assert.Equal(0, ApiMessages.ResponseHeaderVersion(ApiKey.Metadata, 8));
        Assert.Equal(9, ApiMessages.FlexibleVersion(ApiKey.Produce));
        Assert.Equal((short)0, (short)ApiKey.Produce);
        Assert.Equal((short)18, (short)ApiKey.ApiVersions);
    }
}
