using KafkaConnect.Broker.Configuration;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Security;

/// <summary>
/// One SASL connection's authentication, as Kafka's server authenticator runs it: ApiVersions and SaslHandshake
/// until a mechanism is chosen, then SaslAuthenticate until the mechanism completes; anything else before that ends
/// the connection. Once authenticated, a session bounded by connections.max.reauth.ms (or the credential's own
/// expiry) accepts only a re-authentication after it has expired (KIP-368).
/// </summary>
internal sealed class SaslSession
{
    public enum Phase
    {
        Handshake,
        Authenticate,
        Authenticated,
        Failed,
    }

    private readonly BrokerListener _listener;
    private readonly ScramCredentialStore _scram;
    private readonly Func<long> _nowMs;
    private readonly long _maxReauthMs;
    private ISaslMechanismServer? _server;
    private string? _badReauthMessage;

    public SaslSession(BrokerListener listener, ScramCredentialStore scram, Func<long> nowMs, long maxReauthMs)
    {
        _listener = listener;
        _scram = scram;
        _nowMs = nowMs;
        _maxReauthMs = maxReauthMs;
    }

    public Phase State { get; private set; } = Phase.Handshake;

    /// <summary>The mechanism of the current (or last completed) exchange.</summary>
    public string? Mechanism { get; private set; }

    /// <summary>The authenticated user; kept through re-authentications, which must not change it.</summary>
    public string? Principal { get; private set; }

    /// <summary>When the session ends, in Unix milliseconds; null when it never does.</summary>
    public long? ExpiresAtMs { get; private set; }

    /// <summary>Whether a handshake was v0 (Kafka's legacy raw tokens follow, which this broker does not take).</summary>
    public bool LegacyHandshake { get; private set; }

    private bool Reauthenticating => Principal is not null;

    /// <summary>Kafka's message for a mechanism that failed on bad credentials, naming no detail.</summary>
    public static string InvalidCredentials(string mechanism, bool reauthentication = false) =>
        $"Authentication failed during {(reauthentication ? "re-authentication" : "authentication")} due to invalid credentials with SASL mechanism {mechanism}";

    /// <summary>Null when the request may be handled now; otherwise why the connection must close.</summary>
    public string? Refuse(ApiKey key)
    {
        switch (State)
        {
            case Phase.Handshake when Principal is null:
                return key is ApiKey.ApiVersions or ApiKey.SaslHandshake ? null : $"Unexpected Kafka request of type {key} during SASL handshake.";
            case Phase.Handshake:
            case Phase.Authenticated:
                if (ExpiresAtMs is { } expires && _nowMs() >= expires && key is not (ApiKey.SaslHandshake or ApiKey.SaslAuthenticate))
                    return $"the SASL session of {Principal} expired (connections.max.reauth.ms={_listener.MaxReauthMs(Mechanism!, _maxReauthMs)}) and the client sent {key} instead of re-authenticating.";
                return null;
            case Phase.Authenticate:
                if (key == ApiKey.SaslAuthenticate) return null;
                return LegacyHandshake
                    ? $"legacy SASL (raw tokens after a SaslHandshake v0) is not supported; the client must use SaslHandshake v1 and SaslAuthenticate (got {key})."
                    : $"Unexpected Kafka request of type {key} during SASL authentication.";
            default:
                return "SASL authentication already failed on this connection.";
        }
    }

    /// <summary>SaslHandshake: chooses the mechanism. An unsupported one answers the enabled list and ends the connection.</summary>
    public (ErrorCode Error, IReadOnlyList<string> Mechanisms) Handshake(string mechanism, short version)
    {
        if (State is Phase.Authenticate or Phase.Failed)
        {
            State = Phase.Failed;
            return (ErrorCode.IllegalSaslState, _listener.SaslMechanisms);
        }
        if (!_listener.SaslMechanisms.Contains(mechanism, StringComparer.Ordinal))
        {
            State = Phase.Failed;
            return (ErrorCode.UnsupportedSaslMechanism, _listener.SaslMechanisms);
        }
        _badReauthMessage = Reauthenticating && mechanism != Mechanism
            ? $"SASL mechanism '{mechanism}' requested by client is not supported for re-authentication of mechanism '{Mechanism}'"
            : null;
        Mechanism = mechanism;
        LegacyHandshake = version == 0;
        _server = mechanism switch
        {
            "PLAIN" => new PlainServer(_listener.PlainUsers),
            "SCRAM-SHA-256" => new ScramMechanismServer(ScramMechanism.Sha256, _scram),
            "SCRAM-SHA-512" => new ScramMechanismServer(ScramMechanism.Sha512, _scram),
            _ => new OAuthBearerServer(_listener.OAuthOptions, _nowMs),
        };
        State = Phase.Authenticate;
        return (ErrorCode.None, _listener.SaslMechanisms);
    }

    /// <summary>One SaslAuthenticate round. Throws <see cref="SaslFailure"/> (and the session is failed) when authentication fails.</summary>
    public (byte[] Challenge, long SessionLifetimeMs) Authenticate(byte[] token)
    {
        if (State != Phase.Authenticate || _server is null)
        {
            State = Phase.Failed;
            throw new SaslFailure("SaslAuthenticate before a SaslHandshake chose a mechanism", "SaslAuthenticate without a SaslHandshake");
        }
        try
        {
            if (_badReauthMessage is not null) throw new SaslFailure(_badReauthMessage);
            var challenge = _server.Evaluate(token);
            if (!_server.IsComplete) return (challenge, 0);
            if (Reauthenticating && _server.Principal != Principal)
                throw new SaslFailure($"Cannot change principals during re-authentication from User:{Principal}: User:{_server.Principal}");
            Principal = _server.Principal;
            var now = _nowMs();
            var maxReauthMs = _listener.MaxReauthMs(Mechanism!, _maxReauthMs);
            long? lifetime = maxReauthMs > 0 ? maxReauthMs : null;
            if (_server.CredentialExpiresAtMs is { } credentialExpires)
                lifetime = Math.Max(0, Math.Min(lifetime ?? long.MaxValue, credentialExpires - now));
            ExpiresAtMs = lifetime is { } l ? now + l : null;
            State = Phase.Authenticated;
            _server = null;
            return (challenge, lifetime ?? 0);
        }
        catch (SaslFailure)
        {
            State = Phase.Failed;
            throw;
        }
    }
}
