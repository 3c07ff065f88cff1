using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests;

/// <summary>
/// Many connections sending large requests at once must not grow the broker's memory past what
/// <c>queued.max.request.bytes</c> and <c>socket.request.max.bytes</c> allow, and the broker must keep serving others.
/// </summary>
public sealed class MemoryBoundTests(ITestOutputHelper output)
{
    private const int QueuedMaxBytes = 32 << 20;
    private const int MaxFrameBytes = 16 << 20;
    private const int FrameBytes = 12 << 20;
    private const int Senders = 100;
    private const int FramesPerSender = 2;

    // The stated bound over the idle broker's RSS: the queued-request limit plus one frame past it (a reservation is
    // granted while under the limit, and each frame is held once, in the buffer its handler gets), plus 128 MiB for the
    // runtime's own growth under load (GC heaps, the paused connections' first reads, sockets). Without a bound on frames
    // being read, 100 senders of 12 MiB frames made the broker hold over 1.3 GiB.
    private const long BoundOverIdle = QueuedMaxBytes + MaxFrameBytes + (128L << 20);

    [Fact]
    public async Task Hundred_connections_of_12_MiB_requests_stay_within_the_stated_memory_bound_and_others_are_served()
    {
        var kcat = Clients.RequireKcat();
        await using var broker = await BrokerProcess.StartAsync(output,
            $"queued.max.request.bytes={QueuedMaxBytes}", $"socket.request.max.bytes={MaxFrameBytes}", "max.connections=1000",
            "num.partitions=1", "auto.create.topics.enable=true");
        await KcatMetadataAsync(kcat, broker, "before the load");
        var idle = Rss(broker.ProcessId);
        output.WriteLine($"idle RSS {idle >> 20} MiB; bound {(idle + BoundOverIdle) >> 20} MiB");

        using var stop = new CancellationTokenSource();
        long peak = idle;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(broker.ProcessId));
                await Task.Delay(20);
            }
        });

        var sent = 0L;
        var clock = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            var frame = LargeFrame(i);
            for (var f = 0; f < FramesPerSender; f++)
            {
                using var client = new TcpClient { NoDelay = true };
                await client.ConnectAsync("127.0.0.1", broker.Port);
                try
                {
                    await client.GetStream().WriteAsync(frame).AsTask().WaitAsync(TimeSpan.FromSeconds(120));
                    Interlocked.Add(ref sent, frame.Length);
                }
                catch (IOException)
                {
                    // The broker may refuse the request once it has read it; the bytes reached it all the same.
                }
            }
        })).ToList();

        // While the senders push 2.4 GB through it, other clients are still answered.
        while (!senders.TrueForAll(t => t.IsCompleted))
        {
            await KcatMetadataAsync(kcat, broker, "during the load");
            await Task.WhenAny(Task.WhenAll(senders), Task.Delay(500));
        }
        await Task.WhenAll(senders);
        await stop.CancelAsync();
        await sampler;
        output.WriteLine($"{Interlocked.Read(ref sent) >> 20} MiB sent by {Senders} connections in {clock.ElapsedMilliseconds} ms; " +
            $"peak RSS {peak >> 20} MiB ({(peak - idle) >> 20} MiB over idle)");

        Assert.True(peak - idle <= BoundOverIdle,
            $"peak RSS {peak >> 20} MiB is {(peak - idle) >> 20} MiB over idle; the bound is {BoundOverIdle >> 20} MiB");
        broker.AssertAlive("after the load");
        await KcatMetadataAsync(kcat, broker, "after the load");
        var topic = "after-load";
        using var input = new TempDirectory();
        var line = Path.Combine(input.Path, "line.txt");
        await File.WriteAllTextAsync(line, "still here\n");
        var produced = await ProcessRunner.RunAsync(kcat, ["-P", "-b", broker.BootstrapServers, "-t", topic], TimeSpan.FromSeconds(30), line, null);
        Assert.True(produced.Succeeded, produced.Describe());
        var consumed = await ProcessRunner.RunAsync(kcat, ["-C", "-b", broker.BootstrapServers, "-t", topic, "-o", "beginning", "-c", "1", "-e"], TimeSpan.FromSeconds(30));
        Assert.True(consumed.Succeeded, consumed.Describe());
        Assert.Contains("still here", consumed.StandardOutput, StringComparison.Ordinal);
    }

    private async Task KcatMetadataAsync(string kcat, BrokerProcess broker, string when)
    {
        var result = await ProcessRunner.RunAsync(kcat, ["-L", "-b", broker.BootstrapServers, "-m", "20"], TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, $"kcat -L failed {when}:{Environment.NewLine}{result.Describe()}{Environment.NewLine}{broker.LogTail(30)}");
    }

    /// <summary>An ApiVersions v0 request padded to 12 MiB: a legal frame size that the broker must read whole.</summary>
    private static byte[] LargeFrame(int correlationId)
    {
        var frame = new byte[4 + FrameBytes];
        BinaryPrimitives.WriteInt32BigEndian(frame, FrameBytes);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), 18);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 0);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), correlationId);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
        return frame;
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }
}
