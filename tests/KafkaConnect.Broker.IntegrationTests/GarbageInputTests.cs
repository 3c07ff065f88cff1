using System.Buffers.Binary;
using System.Net.Sockets;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>
/// Hostile bytes on raw sockets. After each case the broker must still be alive and serve a kcat metadata
/// query; frames with impossible sizes must make it drop the connection rather than wait or allocate.
/// </summary>
public sealed class GarbageInputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Broker_survives_garbage_on_the_wire()
    {
        Clients.RequireKcat();
        await using var broker = await BrokerProcess.StartAsync(output, "num.partitions=1", "auto.create.topics.enable=true");
        var random = new Random(20240601);

        var cases = new List<(string Name, byte[] Bytes, bool MustClose)>
        {
            ("random bytes", RandomBytes(random, 64 * 1024), false),
            ("random bytes after a small length", [.. Int32(64), .. RandomBytes(random, 64)], false),
            ("length 0x7fffffff", [.. Int32(int.MaxValue), .. RandomBytes(random, 1024)], true),
            ("negative length", [.. Int32(-1), .. RandomBytes(random, 16)], true),
            ("length int.MinValue", [.. Int32(int.MinValue), .. RandomBytes(random, 16)], true),
            ("zero length frame", [.. Int32(0), .. Int32(0)], false),
            ("frame shorter than a request header", Frame([0, 18]), false),
            ("unknown api key", Frame(RequestHeaderV1(apiKey: 32000, apiVersion: 0, correlationId: 7)), false),
            ("negative api key", Frame(RequestHeaderV1(apiKey: -5, apiVersion: 0, correlationId: 8)), false),
            ("unsupported metadata version", Frame(RequestHeaderV1(apiKey: 3, apiVersion: 999, correlationId: 9)), false),
            ("metadata v1 with 2^31-1 topics", Frame([.. RequestHeaderV1(3, 1, 10), .. Int32(int.MaxValue)]), false),
            ("metadata v1 with a 32767-byte topic name that is not there", Frame([.. RequestHeaderV1(3, 1, 11), .. Int32(1), .. Int16(short.MaxValue), (byte)'x']), false),
            ("metadata v12 with a huge compact array", Frame([.. RequestHeaderV2(3, 12, 12), .. Varint(uint.MaxValue)]), false),
            ("metadata v12 with a malformed varint", Frame([.. RequestHeaderV2(3, 12, 13), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), false),
            ("api versions v3 with a huge client software name", Frame([.. RequestHeaderV2(18, 3, 14), .. Varint((uint)int.MaxValue)]), false),
            ("api versions with a client id longer than the frame", Frame([0, 18, 0, 0, 0, 0, 0, 15, 0x7f, 0xff, (byte)'a']), false),
            ("produce v3 with a 2 GiB record set", Frame([.. RequestHeaderV1(0, 3, 16), .. Int16(-1), .. Int16(1), .. Int32(30000),
                .. Int32(1), .. Int16(1), (byte)'t', .. Int32(1), .. Int32(0), .. Int32(int.MaxValue - 16), .. RandomBytes(random, 61)]), false),
            ("produce v3 with a corrupt record batch", Frame([.. RequestHeaderV1(0, 3, 17), .. Int16(-1), .. Int16(1), .. Int32(30000),
                .. Int32(1), .. Int16(1), (byte)'t', .. Int32(1), .. Int32(0), .. Int32(80), .. RandomBytes(random, 80)]), false),
        };

        foreach (var (name, bytes, mustClose) in cases)
        {
            var closed = await SendAsync(broker, bytes, closeAfterSend: !mustClose);
            if (mustClose)
            {
                Assert.True(closed, $"Case '{name}': the broker kept the connection open");
            }

            await AssertHealthyAsync(broker, name);
        }

        // A frame that never completes must not block other clients while its connection stays open.
        using (var stalled = await ConnectAsync(broker))
        {
            await stalled.GetStream().WriteAsync(Int32(100).Concat(RandomBytes(random, 10)).ToArray());
            await AssertHealthyAsync(broker, "truncated frame held open");
        }

        await AssertHealthyAsync(broker, "truncated frame then disconnect");

        // Connection churn: connect and drop immediately, with and without a partial write.
        for (var i = 0; i < 200; i++)
        {
            using var client = await ConnectAsync(broker);
            if (i % 2 == 0)
            {
                await client.GetStream().WriteAsync(Int32(12));
            }

            client.Client.LingerState = new LingerOption(true, 0); // RST instead of FIN
        }

        await AssertHealthyAsync(broker, "connection churn");
        await AssertApiVersionsAsync(broker);
    }

    private async Task AssertHealthyAsync(BrokerProcess broker, string afterCase)
    {
        broker.AssertAlive($"after '{afterCase}'");
        var result = await ProcessRunner.RunAsync(Clients.RequireKcat(), ["-L", "-J", "-b", broker.BootstrapServers, "-m", "10"], TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, $"kcat -L failed after '{afterCase}':{Environment.NewLine}{result.Describe()}{Environment.NewLine}{broker.LogTail(50)}");
        var metadata = KcatMetadata.Parse(result.StandardOutput);
        Assert.Single(metadata.Brokers);
        output.WriteLine($"ok after '{afterCase}'");
    }

    /// <summary>Sends the bytes; returns whether the broker closed the connection within the timeout.</summary>
    private static async Task<bool> SendAsync(BrokerProcess broker, byte[] bytes, bool closeAfterSend)
    {
        using var client = await ConnectAsync(broker);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(bytes);
        }
        catch (IOException)
        {
            return true; // reset while we were still writing: closed
        }

        if (closeAfterSend)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        // Drain whatever the broker answers until it closes or the timeout passes.
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(s_closeTimeout);
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task<TcpClient> ConnectAsync(BrokerProcess broker)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", broker.Port);
        return client;
    }

    /// <summary>A well-formed ApiVersions v0 still gets a correct answer on a fresh connection.</summary>
    private static async Task AssertApiVersionsAsync(BrokerProcess broker)
    {
        using var client = await ConnectAsync(broker);
        var stream = client.GetStream();
        await stream.WriteAsync(Frame(RequestHeaderV1(apiKey: 18, apiVersion: 0, correlationId: 4242)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sizeBytes = new byte[4];
        await stream.ReadExactlyAsync(sizeBytes, cts.Token);
        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        Assert.InRange(size, 10, 1 << 20);
        var body = new byte[size];
        await stream.ReadExactlyAsync(body, cts.Token);
        Assert.Equal(4242, BinaryPrimitives.ReadInt32BigEndian(body));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(4)));
        var count = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(6));
        Assert.Equal(10 + (count * 6), size);
        var keys = new HashSet<short>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(10 + (i * 6))));
        }

        Assert.Contains((short)18, keys);
        Assert.Contains((short)3, keys);
        Assert.Contains((short)0, keys);
        Assert.Contains((short)1, keys);
    }

    private static byte[] RequestHeaderV1(short apiKey, short apiVersion, int correlationId) =>
        [.. Int16(apiKey), .. Int16(apiVersion), .. Int32(correlationId), .. Int16(2), .. "it"u8];

    // Flexible header: v1 fields plus an empty tagged-field section.
    private static byte[] RequestHeaderV2(short apiKey, short apiVersion, int correlationId) =>
        [.. RequestHeaderV1(apiKey, apiVersion, correlationId), 0];

    private static byte[] Frame(byte[] payload) => [.. Int32(payload.Length), .. payload];

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int16(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
