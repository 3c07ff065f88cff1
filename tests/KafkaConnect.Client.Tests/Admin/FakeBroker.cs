using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Tests.Admin;

/// <summary>
/// A scripted broker for error paths the real broker cannot produce on demand (leader moves, controller
/// changes). It answers ApiVersions itself and hands every other request to <see cref="Handler"/>.
/// </summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public FakeBroker(Func<ApiKey, short, IKafkaMessage, IKafkaMessage> handler, params ApiKey[] keys)
    {
        Handler = handler;
        Keys = keys;
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public Func<ApiKey, short, IKafkaMessage, IKafkaMessage> Handler { get; }
    public IReadOnlyList<ApiKey> Keys { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string BootstrapServers => $"127.0.0.1:{Port}";
    public ConcurrentQueue<ApiKey> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var lengthBytes = new byte[4];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(lengthBytes, _stop.Token);
                var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(lengthBytes)];
                await stream.ReadExactlyAsync(frame, _stop.Token);
                var response = Answer(frame, out var correlationId, out var key, out var version);
                using var w = new ProtocolWriter(1024);
                var at = w.Reserve(4);
                w.WriteInt32(correlationId);
                if (ApiMessages.ResponseHeaderVersion(key, version) >= 1) w.WriteUnsignedVarInt(0);
                response.Write(w, version);
                w.PatchInt32(at, w.Position - 4);
                await stream.WriteAsync(w.WrittenMemory, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or EndOfStreamException or SocketException)
        {
        }
    }

    private IKafkaMessage Answer(byte[] frame, out int correlationId, out ApiKey key, out short version)
    {
        var r = new ProtocolReader(frame);
        key = (ApiKey)r.ReadInt16();
        version = r.ReadInt16();
        correlationId = r.ReadInt32();
        r.ReadNullableString();
        if (ApiMessages.RequestHeaderVersion(key, version) >= 2) r.SkipTaggedFields();
        var request = ApiMessages.CreateRequest(key);
        request.Read(ref r, version);
        if (key == ApiKey.ApiVersions)
        {
            var versions = new ApiVersionsResponse();
            foreach (var k in Keys.Append(ApiKey.ApiVersions))
            {
                ApiMessages.TryGetVersionRange(k, out var lo, out var hi);
                versions.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)k, MinVersion = lo, MaxVersion = hi });
            }
            return versions;
        }
        Requests.Enqueue(key);
        return Handler(key, version, request);
    }

    /// <summary>Metadata naming this broker as node <paramref name="nodeId"/>, controller and leader of every partition asked for.</summary>
    public MetadataResponse Metadata(MetadataRequest request, int nodeId, int partitions)
    {
        var response = new MetadataResponse { ClusterId = "fake", ControllerId = nodeId };
        response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = nodeId, Host = "127.0.0.1", Port = Port });
        foreach (var t in request.Topics ?? [])
        {
            var topic = new MetadataResponse.MetadataResponseTopic { Name = t.Name, TopicId = new Uuid(1, 2) };
            for (var p = 0; p < partitions; p++)
                topic.Partitions.Add(new MetadataResponse.MetadataResponsePartition { PartitionIndex = p, LeaderId = nodeId, LeaderEpoch = 0, ReplicaNodes = [nodeId], IsrNodes = [nodeId] });
            response.Topics.Add(topic);
        }
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
