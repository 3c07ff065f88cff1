using System.Security.Cryptography;
using System.Text;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Security;

/// <summary>Authentication failed; the message is what the client is told (Kafka's wording, never a secret).</summary>
internal sealed class SaslFailure : Exception
{
    public SaslFailure(string message, string? detail = null) : base(message) => Detail = detail ?? message;

    /// <summary>Why, for the broker's log (may say more than the client is told).</summary>
    public string Detail { get; }
}

/// <summary>The server side of one SASL exchange.</summary>
internal interface ISaslMechanismServer
{
    /// <summary>Takes the client's next message and returns the challenge; throws <see cref="SaslFailure"/> when it fails.</summary>
    byte[] Evaluate(byte[] response);

    bool IsComplete { get; }

    /// <summary>The authenticated user, once complete.</summary>
    string? Principal { get; }

    /// <summary>When the credential itself expires (an OAuth token), in Unix milliseconds.</summary>
    long? CredentialExpiresAtMs { get; }
}

/// <summary>SASL/PLAIN (RFC 4616) against the users of the listener's PlainLoginModule JAAS options.</summary>
internal sealed class PlainServer : ISaslMechanismServer
{
    private readonly IReadOnlyDictionary<string, string> _users;

    public PlainServer(IReadOnlyDictionary<string, string> users) => _users = users;

    public bool IsComplete { get; private set; }
    public string? Principal { get; private set; }
    public long? CredentialExpiresAtMs => null;

    public byte[] Evaluate(byte[] response)
    {
        // authzid NUL authcid NUL passwd
        var parts = Encoding.UTF8.GetString(response).Split('\0');
        if (parts.Length != 3)
            throw new SaslFailure(SaslSession.InvalidCredentials("PLAIN"), $"Invalid SASL/PLAIN response: expected 3 tokens, got {parts.Length}");
        var (authzid, user, password) = (parts[0], parts[1], parts[2]);
        if (user.Length == 0) throw new SaslFailure("Authentication failed: username not specified");
        if (password.Length == 0) throw new SaslFailure("Authentication failed: password not specified");
        // Compared as hashes so neither the password's length nor where it differs shows in the time taken, and an
        // unknown user costs the same as a wrong password.
        var known = _users.TryGetValue(user, out var expected);
        var match = CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(password)), SHA256.HashData(Encoding.UTF8.GetBytes(expected ?? "")));
        if (!known || !match)
            throw new SaslFailure("Authentication failed: Invalid username or password", known ? $"wrong password for user '{user}'" : $"unknown user '{user}'");
        if (authzid.Length > 0 && authzid != user)
            throw new SaslFailure("Authentication failed: Client requested an authorization id that is different from username");
        Principal = user;
        IsComplete = true;
        return [];
    }
}

/// <summary>SCRAM-SHA-256/512 against the broker's stored credentials (two round trips).</summary>
internal sealed class ScramMechanismServer : ISaslMechanismServer
{
    private readonly ScramMechanism _mechanism;
    private readonly ScramServer _server;
    private int _step;

    public ScramMechanismServer(ScramMechanism mechanism, ScramCredentialStore store)
    {
        _mechanism = mechanism;
        _server = new ScramServer(mechanism, user => store.Get(user, mechanism));
    }

    public bool IsComplete { get; private set; }
    public string? Principal { get; private set; }
    public long? CredentialExpiresAtMs => null;

    public byte[] Evaluate(byte[] response)
    {
        try
        {
            switch (_step++)
            {
                case 0:
                    var first = _server.ServerFirst(response);
                    // Delegation tokens (tokenauth=true) are not kept by this broker.
                    if (_server.Extensions.TryGetValue("tokenauth", out var token) && token.Equals("true", StringComparison.OrdinalIgnoreCase))
                        throw new ScramException("delegation tokens are not supported");
                    return first;
                case 1:
                    var final = _server.ServerFinal(response);
                    Principal = _server.Username;
                    IsComplete = true;
                    return final;
                default:
                    throw new ScramException("SCRAM exchange already complete");
            }
        }
        catch (ScramException ex)
        {
            // As Kafka: the reason (an unknown user, say) stays on the server; the client learns only that it failed.
            throw new SaslFailure(SaslSession.InvalidCredentials(_mechanism.Name()), ex.Message);
        }
    }
}
