// SaslHandshake (key 17), v0-1 (KIP-152): a SASL connection picks its mechanism. An unsupported one is answered with
// UNSUPPORTED_SASL_MECHANISM and the enabled list, then the connection closes, as Kafka does. A listener without SASL
// answers ILLEGAL_SASL_STATE. v0 announces Kafka's legacy raw tokens, which this broker refuses on the next frame.
using KafkaConnect.Broker.Security;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Broker.Handlers;

internal sealed class SaslHandshakeHandler : SyncApiHandler<SaslHandshakeRequest, SaslHandshakeResponse>
{
    public override ApiKey Key => ApiKey.SaslHandshake;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override SaslHandshakeResponse Handle(RequestContext context, SaslHandshakeRequest request)
    {
        if (context.Connection.State is not SaslSession session)
            return new SaslHandshakeResponse { ErrorCode = (short)ErrorCode.IllegalSaslState };
        var (error, mechanisms) = session.Handshake(request.Mechanism, context.ApiVersion);
        // Authentication runs one request at a time, re-authentication included.
        context.Connection.ProcessSequentially = true;
        if (error != ErrorCode.None)
        {
            context.Broker.Loggers.CreateLogger("KafkaConnect.Broker.Sasl").LogInformation(
                "closing connection {Id} from {Host} on listener {Listener}: SASL mechanism {Mechanism} is not enabled (enabled: {Enabled})",
                context.Connection.Id, context.Connection.RemoteHost, context.Connection.ListenerName, request.Mechanism, string.Join(", ", mechanisms));
            context.Connection.CloseAfterResponse();
        }
        var response = new SaslHandshakeResponse { ErrorCode = (short)error };
        response.Mechanisms.AddRange(mechanisms);
        return response;
    }
}
