using KafkaConnect.Broker.Configuration;
using KafkaConnect.Network;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

/// <summary>What a handler knows about the request it answers.</summary>
internal sealed class RequestContext
{
    public RequestContext(BrokerState broker, ConnectionContext connection, ApiKey apiKey, short apiVersion, int correlationId, string? clientId)
    {
        Broker = broker;
        Connection = connection;
        ApiKey = apiKey;
        ApiVersion = apiVersion;
        CorrelationId = correlationId;
        ClientId = clientId;
    }

    public BrokerState Broker { get; }
    public ConnectionContext Connection { get; }

    /// <summary>The listener the request arrived on: its advertised address is the one to give out (as Kafka).</summary>
    public BrokerListener Listener => Broker.Config.Listener(Connection.ListenerName);
    public ApiKey ApiKey { get; }
    public short ApiVersion { get; }
    public int CorrelationId { get; }
    public string? ClientId { get; }

    /// <summary>Pooled buffers the response points into; disposed once the response is encoded.</summary>
    public List<IDisposable>? Resources { get; set; }
}

/// <summary>
/// One API key's handler. Each lives in its own file (Handlers/NN_Name.cs) and states there which versions it
/// serves; the dispatcher advertises exactly those in ApiVersions.
/// </summary>
internal abstract class ApiHandler
{
    public abstract ApiKey Key { get; }
    public abstract short MinVersion { get; }
    public abstract short MaxVersion { get; }

    /// <summary>Parses the request body synchronously (the frame is only valid during the call chain).</summary>
    public abstract IKafkaMessage ParseRequest(ref ProtocolReader reader, short version);

    /// <summary>Returns the response, or null when none is due (produce with acks=0).</summary>
    public abstract ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken);
}

internal abstract class ApiHandler<TRequest, TResponse> : ApiHandler
    where TRequest : class, IKafkaMessage, new()
    where TResponse : class, IKafkaMessage
{
    public sealed override IKafkaMessage ParseRequest(ref ProtocolReader reader, short version)
    {
        var request = new TRequest();
        request.Read(ref reader, version);
        return request;
    }

    public sealed override ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken)
    {
        var pending = Handle(context, (TRequest)request, cancellationToken);
        if (pending.IsCompletedSuccessfully) return new ValueTask<IKafkaMessage?>(pending.Result);
        return Await(pending);

        static async ValueTask<IKafkaMessage?> Await(ValueTask<TResponse?> p) => await p.ConfigureAwait(false);
    }

    protected abstract ValueTask<TResponse?> Handle(RequestContext context, TRequest request, CancellationToken cancellationToken);
}

/// <summary>Handlers that answer at once.</summary>
internal abstract class SyncApiHandler<TRequest, TResponse> : ApiHandler<TRequest, TResponse>
    where TRequest : class, IKafkaMessage, new()
    where TResponse : class, IKafkaMessage
{
    protected sealed override ValueTask<TResponse?> Handle(RequestContext context, TRequest request, CancellationToken cancellationToken)
        => new(Handle(context, request));

    protected abstract TResponse Handle(RequestContext context, TRequest request);
}
