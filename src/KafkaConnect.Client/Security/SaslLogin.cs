using System.Text;
using KafkaConnect.Client.Config;
using KafkaConnect.Security;

namespace KafkaConnect.Client.Security;

/// <summary>Authentication with a broker failed; retrying with the same settings will not help.</summary>
public sealed class KafkaAuthenticationException : Exception
{
    public KafkaAuthenticationException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A configured SASL login: the mechanism and, for each connection, a fresh exchange with the broker.</summary>
internal abstract class SaslLogin
{
    public const string PlainModule = "org.apache.kafka.common.security.plain.PlainLoginModule";
    public const string ScramModule = "org.apache.kafka.common.security.scram.ScramLoginModule";
    public const string OAuthModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

    public abstract string Mechanism { get; }

    public abstract SaslExchange Start();

    /// <summary>Class and mechanism only: credentials never reach a log through this.</summary>
    public override string ToString() => Mechanism;

    /// <summary>The login for sasl.mechanism and sasl.jaas.config; errors name the key.</summary>
    public static SaslLogin From(ConfigValues c, TimeProvider time)
    {
        var mechanism = c.GetString("sasl.mechanism").Trim();
        if (mechanism == "GSSAPI")
            throw new ConfigException("sasl.mechanism", "GSSAPI (Kerberos, Kafka's default mechanism) is not supported; set PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.");
        if (c.GetString("sasl.client.callback.handler.class").Length > 0)
            throw new ConfigException("sasl.client.callback.handler.class", "custom Java callback handlers cannot run here; remove the setting.");
        var jaasText = c.GetString("sasl.jaas.config");
        if (jaasText.Length == 0)
            throw new ConfigException("sasl.jaas.config", $"is required for SASL mechanism {mechanism} (for example {ExampleFor(mechanism)}).");
        JaasLoginModule module;
        try
        {
            module = JaasConfig.ParseSingle(jaasText);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigException("sasl.jaas.config", ex.Message);
        }
        string Option(string name) => module.Options.TryGetValue(name, out var v) && v.Length > 0
            ? v
            : throw new ConfigException("sasl.jaas.config", $"{module.ClassName} needs the option {name}=\"...\" for {mechanism}.");
        void Expect(string className)
        {
            if (module.ClassName != className)
                throw new ConfigException("sasl.jaas.config", $"sasl.mechanism={mechanism} needs {className}, not {module.ClassName}.");
        }
        switch (mechanism)
        {
            case "PLAIN":
                Expect(PlainModule);
                return new PlainLogin(Option("username"), Option("password"));
            case "SCRAM-SHA-256":
            case "SCRAM-SHA-512":
                Expect(ScramModule);
                Scram.TryParse(mechanism, out var scram);
                var extensions = module.Options.TryGetValue("tokenauth", out var tokenAuth) && tokenAuth.Equals("true", StringComparison.OrdinalIgnoreCase)
                    ? new Dictionary<string, string> { ["tokenauth"] = "true" }
                    : null;
                return new ScramLogin(scram, Option("username"), Option("password"), extensions);
            case "OAUTHBEARER":
                Expect(OAuthModule);
                return new OAuthBearerLogin(OAuthTokenSource.From(c, module, time), OAuthTokenSource.Extensions(module));
            default:
                throw new ConfigException("sasl.mechanism", $"'{mechanism}' is not supported; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.");
        }
    }

    private static string ExampleFor(string mechanism) => mechanism switch
    {
        "PLAIN" => PlainModule + " required username=\"...\" password=\"...\";",
        "OAUTHBEARER" => OAuthModule + " required;",
        _ => ScramModule + " required username=\"...\" password=\"...\";",
    };
}

/// <summary>One authentication: the client's first message, then a reply to each server message until done.</summary>
internal abstract class SaslExchange
{
    public abstract ValueTask<byte[]> FirstAsync(CancellationToken cancellationToken);

    /// <summary>The reply to the server's message, or null when the exchange is complete on the client's side.</summary>
    public abstract byte[]? Next(byte[] serverMessage);
}

/// <summary>RFC 4616: one message, authzid NUL username NUL password; the server's empty reply ends it.</summary>
internal sealed class PlainLogin(string username, string password) : SaslLogin
{
    public override string Mechanism => "PLAIN";

    public override SaslExchange Start() => new Exchange(username, password);

    private sealed class Exchange(string username, string password) : SaslExchange
    {
        public override ValueTask<byte[]> FirstAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(Encoding.UTF8.GetBytes("\0" + username + "\0" + password));

        public override byte[]? Next(byte[] serverMessage) => null;
    }
}

internal sealed class ScramLogin(ScramMechanism mechanism, string username, string password, IReadOnlyDictionary<string, string>? extensions) : SaslLogin
{
    public override string Mechanism => mechanism.Name();

    public override SaslExchange Start() => new Exchange(new ScramClient(mechanism, username, password, extensions));

    private sealed class Exchange(ScramClient client) : SaslExchange
    {
        private int _step;

        public override ValueTask<byte[]> FirstAsync(CancellationToken cancellationToken) => ValueTask.FromResult(client.FirstMessage());

        public override byte[]? Next(byte[] serverMessage)
        {
            try
            {
                if (_step++ == 0) return client.FinalMessage(serverMessage);
                client.VerifyServerFinal(serverMessage);
                return null;
            }
            catch (ScramException ex)
            {
                throw new KafkaAuthenticationException(ex.Message, ex);
            }
        }
    }
}

/// <summary>
/// RFC 7628 as Kafka uses it (KIP-255): <c>n,,\x01auth=Bearer &lt;token&gt;\x01[ext=value\x01]*\x01</c>. A server that refuses the
/// token answers with a JSON error, which the client acknowledges with a lone \x01 before the server fails the exchange.
/// </summary>
internal sealed class OAuthBearerLogin(OAuthTokenSource tokens, IReadOnlyDictionary<string, string> extensions) : SaslLogin
{
    public override string Mechanism => "OAUTHBEARER";

    public override SaslExchange Start() => new Exchange(tokens, extensions);

    private sealed class Exchange(OAuthTokenSource tokens, IReadOnlyDictionary<string, string> extensions) : SaslExchange
    {
        public override async ValueTask<byte[]> FirstAsync(CancellationToken cancellationToken)
        {
            var token = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            var sb = new StringBuilder("n,,\u0001auth=Bearer ").Append(token).Append('\u0001');
            foreach (var (k, v) in extensions) sb.Append(k).Append('=').Append(v).Append('\u0001');
            return Encoding.UTF8.GetBytes(sb.Append('\u0001').ToString());
        }

        public override byte[]? Next(byte[] serverMessage) => serverMessage.Length == 0 ? null : [0x01];
    }
}
