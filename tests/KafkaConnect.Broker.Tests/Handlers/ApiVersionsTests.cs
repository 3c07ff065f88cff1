using System.Buffers.Binary;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Tests.Handlers;

public sealed class ApiVersionsTests : HandlerTestBase
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Lists_every_handler_with_its_range(short version)
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "test", ClientSoftwareVersion = "1.0" };
        var response = await Broker.SendAsync<ApiVersionsResponse>(ApiKey.ApiVersions, version, request);

        Assert.Equal(ErrorCode.None, (ErrorCode)response.ErrorCode);
        var expected = HandlerRegistry.Create().OrderBy(h => (int)h.Key).Select(h => ((short)h.Key, h.MinVersion, h.MaxVersion)).ToList();
        var actual = response.ApiKeys.Select(k => (k.ApiKey, k.MinVersion, k.MaxVersion)).ToList();
        Assert.Equal(expected, actual);
        Assert.Contains(actual, k => k == ((short)ApiKey.Produce, 3, 11));
        Assert.Contains(actual, k => k == ((short)ApiKey.ApiVersions, 0, 4));
    }

    [Fact]
    public void Advertised_ranges_are_within_what_the_codecs_can_read_and_write()
    {
        foreach (var h in HandlerRegistry.Create())
        {
            Assert.True(ApiMessages.TryGetVersionRange(h.Key, out var lowest, out var highest), h.Key.ToString());
            Assert.InRange(h.MinVersion, lowest, highest);
            Assert.InRange(h.MaxVersion, h.MinVersion, highest);
        }
    }

    [Fact]
    public void Every_handler_key_is_registered_once()
    {
        var keys = HandlerRegistry.Create().Select(h => h.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(30, keys.Count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(127)]
    public async Task Too_new_version_gets_a_v0_answer_with_unsupported_version_and_the_list(short version)
    {
        // The body is in a format we do not know; the broker must not try to parse it.
        using var w = new ProtocolWriter();
        w.WriteInt16((short)ApiKey.ApiVersions);
        w.WriteInt16(version);
        w.WriteInt32(4242);
        w.WriteNullableString("future-client");
        w.WriteUnsignedVarInt(0);
        w.WriteRaw([0xde, 0xad, 0xbe, 0xef]);
        var bytes = await BrokerHarness.Raw(Broker.Dispatcher.HandleAsync(w.WrittenSpan.ToArray(), Broker.Connection, CancellationToken.None));

        Assert.NotNull(bytes);
        var response = BrokerHarness.Decode<ApiVersionsResponse>(bytes, ApiKey.ApiVersions, 0, 4242);
        Assert.Equal(ErrorCode.UnsupportedVersion, (ErrorCode)response.ErrorCode);
        Assert.Equal(30, response.ApiKeys.Count);
        var av = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions);
        Assert.Equal(4, av.MaxVersion);
    }

    [Theory]
    [InlineData(17, 2)]   // SaslHandshake above our range
    [InlineData(99, 0)]   // not an API key at all
    [InlineData(-1, 0)]
    [InlineData(0, 2)]    // Produce below our range (old message format)
    [InlineData(0, 12)]   // Produce above our range
    [InlineData(1, 13)]   // Fetch by topic id is not offered
    [InlineData(3, 13)]
    public async Task Unknown_key_or_unsupported_version_of_another_api_closes_the_connection(short key, short version)
    {
        using var w = new ProtocolWriter();
        w.WriteInt16(key);
        w.WriteInt16(version);
        w.WriteInt32(7);
        w.WriteNullableString("c");
        var frame = w.WrittenSpan.ToArray();
        await Assert.ThrowsAsync<ProtocolException>(async () => await Broker.Dispatcher.HandleAsync(frame, Broker.Connection, CancellationToken.None));
    }

    [Fact]
    public async Task Truncated_request_body_is_a_protocol_error()
    {
        var frame = Broker.Frame(ApiKey.Metadata, 1, new MetadataRequest { Topics = [new() { Name = "abc" }] });
        var cut = frame.AsSpan(0, frame.Length - 2).ToArray();
        await Assert.ThrowsAsync<ProtocolException>(async () => await Broker.Dispatcher.HandleAsync(cut, Broker.Connection, CancellationToken.None));
    }

    [Fact]
    public async Task Response_carries_the_request_correlation_id_and_a_flexible_header_when_due()
    {
        var frame = Broker.Frame(ApiKey.Metadata, 9, new MetadataRequest { Topics = [] });
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), 0x0badf00d);
        var bytes = await BrokerHarness.Raw(Broker.Dispatcher.HandleAsync(frame, Broker.Connection, CancellationToken.None));
        Assert.NotNull(bytes);
        Assert.Equal(0x0badf00d, BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal(0, bytes[4]); // empty tagged fields of response header v1
        var response = BrokerHarness.Decode<MetadataResponse>(bytes, ApiKey.Metadata, 9, 0x0badf00d);
        Assert.Empty(response.Topics);
    }
}
