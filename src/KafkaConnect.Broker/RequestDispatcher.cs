using System.Diagnostics;
using KafkaConnect.Broker.Handlers;
using KafkaConnect.Broker.Metrics;
using KafkaConnect.Broker.Security;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Broker;

/// <summary>Decodes request headers, routes to the API key's handler and encodes the response with its header.</summary>
internal sealed class RequestDispatcher : IFrameHandler
{
    private readonly BrokerState _broker;
    private readonly ApiHandler?[] _handlers;
    private readonly ILogger _logger;

    public RequestDispatcher(BrokerState broker, IEnumerable<ApiHandler> handlers, ILogger logger)
    {
        _broker = broker;
        _logger = logger;
        var list = handlers.ToList();
        _handlers = new ApiHandler?[list.Max(h => (int)h.Key) + 1];
        foreach (var h in list) _handlers[(int)h.Key] = h;
        Supported = list.OrderBy(h => (int)h.Key).ToList();
        Requests = new RequestCounters(list);
        foreach (var h in list.OfType<ApiVersionsHandler>()) h.Attach(this);
    }

    /// <summary>Requests served by key and version, and their time (RequestMetrics).</summary>
    public RequestCounters Requests { get; }

    /// <summary>The APIs and versions this broker serves, in key order, for ApiVersions.</summary>
    public IReadOnlyList<ApiHandler> Supported { get; }

    public ValueTask<ProtocolWriter?> HandleAsync(ReadOnlyMemory<byte> frame, ConnectionContext connection, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var reader = new ProtocolReader(frame);
        var apiKey = (ApiKey)reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        if (connection.UsesSasl && Gate(connection, apiKey) is { } refusal)
        {
            _logger.LogInformation("closing connection {Id} from {Host} on listener {Listener}: {Reason}",
                connection.Id, connection.RemoteHost, connection.ListenerName, refusal);
            throw new ProtocolException(refusal);
        }
        var handler = (uint)apiKey < (uint)_handlers.Length ? _handlers[(int)apiKey] : null;
        if (handler is null || version < handler.MinVersion || version > handler.MaxVersion)
        {
            if (apiKey == ApiKey.ApiVersions)
            {
                // A client newer than us asks with a version we do not know: answer v0 with our ranges (KIP-511).
                return new ValueTask<ProtocolWriter?>(UnsupportedApiVersions(correlationId));
            }
            throw new ProtocolException(handler is null
                ? $"Unsupported API key {(short)apiKey}."
                : $"Unsupported version {version} of {apiKey} (supported {handler.MinVersion}-{handler.MaxVersion}).");
        }
        Requests.Received(apiKey, version);
        string? clientId = reader.ReadNullableString();
        if (ApiMessages.RequestHeaderVersion(apiKey, version) >= 2) reader.SkipTaggedFields();
        var request = handler.ParseRequest(ref reader, version);
        var context = new RequestContext(_broker, connection, apiKey, version, correlationId, clientId);
        var pending = handler.HandleAsync(context, request, cancellationToken);
        if (pending.IsCompletedSuccessfully) return new ValueTask<ProtocolWriter?>(Encode(context, pending.Result, started));
        return AwaitAndEncode(context, pending, started);
    }

    // A SASL listener's connection answers only ApiVersions and the SASL requests until it has authenticated, and
    // only a re-authentication once its session expired; anything else closes it (as Kafka).
    private string? Gate(ConnectionContext connection, ApiKey apiKey)
    {
        if (connection.State is not SaslSession session)
        {
            session = new SaslSession(_broker.Config.Listener(connection.ListenerName), _broker.Scram, () => _broker.NowMs, _broker.Config.ConnectionsMaxReauthMs);
            connection.State = session;
        }
        return session.Refuse(apiKey);
    }

    private async ValueTask<ProtocolWriter?> AwaitAndEncode(RequestContext context, ValueTask<IKafkaMessage?> pending, long started)
    {
        IKafkaMessage? response;
        try
        {
            response = await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ProtocolException and not OperationCanceledException)
        {
            _logger.LogError(ex, "{Api} v{Version} failed", context.ApiKey, context.ApiVersion);
            throw new ProtocolException($"{context.ApiKey} failed: {ex.Message}");
        }
        return Encode(context, response, started);
    }

    /// <param name="started">When the request arrived (Stopwatch ticks), for RequestMetrics' TotalTimeMs.</param>
    private ProtocolWriter? Encode(RequestContext context, IKafkaMessage? response, long started)
    {
        try
        {
            if (response is null) return null;
            var writer = new ProtocolWriter();
            writer.WriteInt32(context.CorrelationId);
            if (ApiMessages.ResponseHeaderVersion(context.ApiKey, context.ApiVersion) >= 1) writer.WriteEmptyTaggedFields();
            response.Write(writer, context.ApiVersion);
            return writer;
        }
        finally
        {
            if (context.Resources is { } resources)
                foreach (var r in resources) r.Dispose();
            // Timed up to the encoded response: Kafka's TotalTimeMs also covers the socket queues and the send.
            Requests.Completed(context.ApiKey, Stopwatch.GetTimestamp() - started);
        }
    }

    private ProtocolWriter UnsupportedApiVersions(int correlationId)
    {
        var response = Handlers.ApiVersionsHandler.Build(this, ErrorCode.UnsupportedVersion);
        var writer = new ProtocolWriter();
        writer.WriteInt32(correlationId);
        response.Write(writer, 0);
        return writer;
    }
}
