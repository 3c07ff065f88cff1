using KafkaConnect.Client.Config;
using KafkaConnect.Security;

namespace KafkaConnect.Client.Security;

/// <summary>Kafka's security.protocol values.</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

/// <summary>
/// How a client secures its connections: TLS settings (stores loaded once) and a SASL login, as security.protocol,
/// ssl.* and sasl.* say. Built from the parsed config so every mistake is a ConfigException naming its key.
/// </summary>
public sealed class ClientSecurity
{
    public static ClientSecurity Plaintext { get; } = new(SecurityProtocol.Plaintext, null, null);

    private ClientSecurity(SecurityProtocol protocol, TlsSettings? tls, SaslLogin? sasl)
    {
        Protocol = protocol;
        Tls = tls;
        Sasl = sasl;
    }

    public SecurityProtocol Protocol { get; }

    public TlsSettings? Tls { get; }

    internal SaslLogin? Sasl { get; }

    /// <summary>The SASL mechanism in use, if any.</summary>
    public string? SaslMechanism => Sasl?.Mechanism;

    /// <summary>Protocol and mechanism; no credential ever appears here.</summary>
    public override string ToString() => Sasl is null ? Protocol.ToString() : $"{Protocol} ({Sasl.Mechanism})";

    public static ClientSecurity From(ConfigValues c, TimeProvider? time = null)
    {
        var protocol = c.GetString("security.protocol").ToUpperInvariant() switch
        {
            "PLAINTEXT" => SecurityProtocol.Plaintext,
            "SSL" => SecurityProtocol.Ssl,
            "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
            "SASL_SSL" => SecurityProtocol.SaslSsl,
            var other => throw new ConfigException("security.protocol", $"must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got '{other}'."),
        };
        if (protocol == SecurityProtocol.Plaintext) return Plaintext;
        TlsSettings? tls = null;
        if (protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl)
        {
            try
            {
                tls = TlsSettings.Load(key => Raw(c, key), server: false);
            }
            catch (SecurityConfigException ex)
            {
                throw new ConfigException(ex.Key, ex.Message[(ex.Key.Length + 2)..]);
            }
        }
        var sasl = protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl ? SaslLogin.From(c, time ?? TimeProvider.System) : null;
        return new ClientSecurity(protocol, tls, sasl);
    }

    private static string? Raw(ConfigValues c, string key)
    {
        var setting = TlsSettings.Settings.FirstOrDefault(s => s.Name == key);
        if (setting is null) return null;
        var value = setting.IsList ? string.Join(",", c.GetList(key)) : c.GetString(key);
        // "" is how the spec says "not set" for keys Kafka leaves null; ssl.endpoint.identification.algorithm keeps its
        // empty value, which turns the host name check off.
        return value.Length == 0 && key != "ssl.endpoint.identification.algorithm" ? null : value;
    }

    /// <summary>The client's config keys for security, Kafka's names and defaults (ssl.* from the shared TLS settings).</summary>
    internal static IEnumerable<ConfigKey> Keys()
    {
        yield return new("security.protocol", ConfigType.String, "PLAINTEXT", "Protocol used to talk to brokers: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
            ConfigSpec.OneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"));
        yield return new("sasl.mechanism", ConfigType.String, "GSSAPI", "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER. Kafka's default GSSAPI (Kerberos) is not supported, so set it whenever SASL is used.");
        yield return new("sasl.jaas.config", ConfigType.Password, "", "The login module and its options in JAAS syntax, e.g. org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"alice-secret\";");
        yield return new("sasl.login.refresh.window.factor", ConfigType.Double, "0.8", "OAUTHBEARER: a token is replaced once this fraction of its lifetime has passed.",
            v => (double)v is < 0.5 or > 1.0 ? $"must be between 0.5 and 1.0, got {v}." : null);
        yield return new("sasl.oauthbearer.token.endpoint.url", ConfigType.String, "", "OAUTHBEARER: the OAuth token endpoint for the client-credentials grant (clientId, clientSecret and scope come from the JAAS options), or a file: URL holding a token.");
        yield return new("sasl.oauthbearer.sub.claim.name", ConfigType.String, "sub", "OAUTHBEARER: the claim that names the principal in a token.");
        yield return new("sasl.oauthbearer.scope.claim.name", ConfigType.String, "scope", "OAUTHBEARER: the claim that holds the token's scopes.");
        yield return new("sasl.oauthbearer.header.urlencode", ConfigType.Boolean, "false", "OAUTHBEARER: URL-encode the client id and secret in the token request's Authorization header (RFC 6749).");
        yield return new("sasl.login.callback.handler.class", ConfigType.Class, "", "Only Kafka's OAuthBearerLoginCallbackHandler is understood (it means the client-credentials grant); other Java classes cannot run here.");
        yield return new("sasl.login.connect.timeout.ms", ConfigType.String, "", "OAUTHBEARER: connect timeout of the token request (10 s when unset).");
        yield return new("sasl.login.read.timeout.ms", ConfigType.String, "", "OAUTHBEARER: read timeout of the token request (30 s when unset).");
        yield return new("sasl.login.retry.backoff.ms", ConfigType.Long, "100", "OAUTHBEARER: first wait before retrying a failed token request.");
        yield return new("sasl.login.retry.backoff.max.ms", ConfigType.Long, "10000", "OAUTHBEARER: token requests are retried, doubling the wait, until it would exceed this.");
        yield return new("sasl.client.callback.handler.class", ConfigType.Class, "", "Not supported (a Java class); setting it is an error.");
        // Accepted so existing files load; they have no effect here.
        foreach (var name in new[]
        {
            "sasl.kerberos.service.name", "sasl.kerberos.kinit.cmd", "sasl.kerberos.ticket.renew.window.factor", "sasl.kerberos.ticket.renew.jitter",
            "sasl.kerberos.min.time.before.relogin", "sasl.login.refresh.window.jitter", "sasl.login.refresh.min.period.seconds",
            "sasl.login.refresh.buffer.seconds", "sasl.login.class", "sasl.oauthbearer.jwks.endpoint.url", "sasl.oauthbearer.jwks.endpoint.refresh.ms",
            "sasl.oauthbearer.jwks.endpoint.retry.backoff.ms", "sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms", "sasl.oauthbearer.clock.skew.seconds",
            "sasl.oauthbearer.expected.audience", "sasl.oauthbearer.expected.issuer",
        })
        {
            yield return new(name, ConfigType.String, "", "Accepted for compatibility with Kafka's clients; no effect here (Kerberos and broker-side token validation settings).");
        }
        foreach (var s in TlsSettings.Settings)
        {
            yield return new(s.Name, s.IsPassword ? ConfigType.Password : s.IsList ? ConfigType.List : ConfigType.String, s.Default ?? "", s.Documentation);
        }
    }
}
