// SaslAuthenticate (key 36), v0-2 (KIP-152): one round of the mechanism chosen by SaslHandshake. A failure answers
// SASL_AUTHENTICATION_FAILED with Kafka's message and closes the connection. v1+ carries the session lifetime
// (connections.max.reauth.ms, or the token's expiry for OAUTHBEARER) so the client re-authenticates in time (KIP-368).
using KafkaConnect.Broker.Security;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Broker.Handlers;

internal sealed class SaslAuthenticateHandler : SyncApiHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>
{
    public override ApiKey Key => ApiKey.SaslAuthenticate;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override SaslAuthenticateResponse Handle(RequestContext context, SaslAuthenticateRequest request)
    {
        var connection = context.Connection;
        if (connection.State is not SaslSession session)
            return new SaslAuthenticateResponse { ErrorCode = (short)ErrorCode.IllegalSaslState, ErrorMessage = "This listener does not use SASL." };
        var logger = context.Broker.Loggers.CreateLogger("KafkaConnect.Broker.Sasl");
        try
        {
            var (challenge, lifetime) = session.Authenticate(request.AuthBytes);
            if (session.State == SaslSession.Phase.Authenticated)
            {
                connection.ProcessSequentially = false;
                logger.LogDebug("connection {Id} from {Host} on listener {Listener} authenticated as {Principal} with {Mechanism}",
                    connection.Id, connection.RemoteHost, connection.ListenerName, session.Principal, session.Mechanism);
            }
            return new SaslAuthenticateResponse { ErrorMessage = null, AuthBytes = challenge, SessionLifetimeMs = lifetime };
        }
        catch (SaslFailure failure)
        {
            logger.LogInformation("closing connection {Id} from {Host} on listener {Listener}: SASL {Mechanism} authentication failed: {Reason}",
                connection.Id, connection.RemoteHost, connection.ListenerName, session.Mechanism, failure.Detail);
            connection.CloseAfterResponse();
            return new SaslAuthenticateResponse { ErrorCode = (short)ErrorCode.SaslAuthenticationFailed, ErrorMessage = failure.Message };
        }
    }
}
