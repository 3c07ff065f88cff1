using System.Globalization;
using System.Net;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Configuration;

/// <summary>Kafka's four security protocols: whether a listener runs TLS, SASL, both or neither.</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

/// <summary>
/// One entry of <c>listeners</c>: where it binds, what it advertises, and how its connections are secured (its TLS
/// material loaded and its SASL mechanisms checked once, at start-up, so mistakes are config errors naming the key).
/// </summary>
public sealed class BrokerListener
{
    /// <summary>SASL mechanisms this broker implements.</summary>
    public static readonly IReadOnlyList<string> SupportedMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"];

    private BrokerListener(string name, SecurityProtocol protocol, string host, int port)
    {
        Name = name;
        Protocol = protocol;
        Host = host;
        Port = port;
        AdvertisedHost = host;
        AdvertisedPort = port;
    }

    public string Name { get; }
    public SecurityProtocol Protocol { get; }
    public string Host { get; }
    public int Port { get; }
    public string AdvertisedHost { get; private set; }
    public int AdvertisedPort { get; internal set; }

    /// <summary>TLS material for SSL and SASL_SSL listeners.</summary>
    public TlsSettings? Tls { get; private set; }

    /// <summary>Enabled SASL mechanisms for SASL_PLAINTEXT and SASL_SSL listeners, in configured order; empty otherwise.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; private set; } = [];

    /// <summary>PLAIN's users and passwords (the JAAS options user_NAME="password").</summary>
    public IReadOnlyDictionary<string, string> PlainUsers { get; private set; } = new Dictionary<string, string>();

    /// <summary>Per-mechanism overrides of connections.max.reauth.ms (listener.name.NAME.MECHANISM.connections.max.reauth.ms).</summary>
    public IReadOnlyDictionary<string, long> MaxReauthMsByMechanism { get; private set; } = new Dictionary<string, long>();

    /// <summary>The session bound for a mechanism on this listener: its own override, else the broker's value.</summary>
    public long MaxReauthMs(string mechanism, long brokerDefault) => MaxReauthMsByMechanism.TryGetValue(mechanism, out var ms) ? ms : brokerDefault;

    /// <summary>OAUTHBEARER's JAAS options (unsecuredValidator*).</summary>
    public IReadOnlyDictionary<string, string> OAuthOptions { get; private set; } = new Dictionary<string, string>();

    public bool UsesTls => Protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
    public bool UsesSasl => Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;

    /// <summary>The prefix of this listener's own keys: listener.name. and its name in lower case, as Kafka.</summary>
    public string KeyPrefix => "listener.name." + Name.ToLowerInvariant() + ".";

    public IPEndPoint EndPoint()
    {
        var host = Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : Host;
        if (!IPAddress.TryParse(host, out var address))
            throw new ArgumentException($"listeners: '{Host}' of listener {Name} is not an IP address.");
        return new IPEndPoint(address, Port);
    }

    public static string ProtocolName(SecurityProtocol p) => p switch
    {
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        SecurityProtocol.SaslSsl => "SASL_SSL",
        _ => "PLAINTEXT",
    };

    private static bool TryParseProtocol(string text, out SecurityProtocol protocol)
    {
        protocol = text.ToUpperInvariant() switch
        {
            "PLAINTEXT" => SecurityProtocol.Plaintext,
            "SSL" => SecurityProtocol.Ssl,
            "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
            "SASL_SSL" => SecurityProtocol.SaslSsl,
            _ => (SecurityProtocol)(-1),
        };
        return protocol >= 0;
    }

    /// <summary>
    /// Reads listeners, listener.security.protocol.map and advertised.listeners, then each listener's TLS and SASL
    /// settings. <paramref name="get"/> returns a key's value or default (null when unset).
    /// </summary>
    internal static IReadOnlyList<BrokerListener> ParseAll(Func<string, string?> get)
    {
        var map = new Dictionary<string, SecurityProtocol>(StringComparer.Ordinal);
        foreach (var pair in Split(get("listener.security.protocol.map")))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !TryParseProtocol(pair[(colon + 1)..].Trim(), out var p))
                throw new ArgumentException($"listener.security.protocol.map: expected NAME:PROTOCOL with PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got '{pair}'.");
            if (!map.TryAdd(pair[..colon].Trim().ToUpperInvariant(), p))
                throw new ArgumentException($"listener.security.protocol.map: listener name '{pair[..colon]}' is mapped twice.");
        }

        var listeners = new List<BrokerListener>();
        foreach (var entry in Split(get("listeners")))
        {
            var (name, host, port) = ParseEntry(entry, "listeners");
            name ??= "PLAINTEXT";
            if (!map.TryGetValue(name, out var protocol))
                throw new ArgumentException($"listeners: listener name '{name}' has no security protocol; add {name}:PROTOCOL to listener.security.protocol.map (known names: {string.Join(", ", map.Keys)}).");
            if (listeners.Any(l => l.Name == name))
                throw new ArgumentException($"listeners: listener name '{name}' is used twice; each listener needs its own name.");
            if (port != 0 && listeners.Any(l => l.Port == port))
                throw new ArgumentException($"listeners: port {port} is used by two listeners.");
            listeners.Add(new BrokerListener(name, protocol, host, port));
        }
        if (listeners.Count == 0) throw new ArgumentException("listeners: at least one listener is required.");

        var advertised = Split(get("advertised.listeners")).ToList();
        foreach (var entry in advertised)
        {
            var (name, host, port) = ParseEntry(entry, "advertised.listeners");
            // A bare host:port (as older configs of ours wrote) stands for the first listener.
            var listener = name is null ? listeners[0] : listeners.FirstOrDefault(l => l.Name == name)
                ?? throw new ArgumentException($"advertised.listeners: '{name}' is not one of the listeners ({string.Join(", ", listeners.Select(l => l.Name))}).");
            listener.AdvertisedHost = host;
            listener.AdvertisedPort = port;
        }

        foreach (var l in listeners) l.LoadSecurity(get);
        return listeners;
    }

    private void LoadSecurity(Func<string, string?> get)
    {
        // The listener's own key wins over the broker-wide one (Kafka's listener.name.NAME.KEY), and errors name the
        // key that was actually used.
        string? Own(string key) => get(KeyPrefix + key) is { Length: > 0 } v ? v : null;
        string? Get(string key) => Own(key) ?? get(key);
        string KeyName(string key) => Own(key) is not null ? KeyPrefix + key : key;
        try
        {
            if (UsesTls)
            {
                Tls = TlsSettings.Load(key => Own(key) ?? get(key), server: true,
                    key => Own(key) is not null || (key.EndsWith('.') && HasOwnKeyStartingWith(get, key)) ? KeyPrefix + key : key);
            }
            if (!UsesSasl) return;
            var mechanisms = Split(Get("sasl.enabled.mechanisms")).Select(m => m.ToUpperInvariant()).Distinct().ToList();
            var mechanismsKey = KeyName("sasl.enabled.mechanisms");
            if (mechanisms.Count == 0) throw new ArgumentException($"{mechanismsKey}: a {ProtocolName(Protocol)} listener ({Name}) needs at least one SASL mechanism.");
            foreach (var m in mechanisms)
            {
                if (m == "GSSAPI")
                    throw new ArgumentException($"{mechanismsKey}: GSSAPI (Kerberos) is not supported by this broker; enable {string.Join(", ", SupportedMechanisms)} instead (listener {Name}).");
                if (!SupportedMechanisms.Contains(m))
                    throw new ArgumentException($"{mechanismsKey}: unknown SASL mechanism '{m}'; supported: {string.Join(", ", SupportedMechanisms)}.");
            }
            SaslMechanisms = mechanisms;
            var reauth = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var m in mechanisms)
            {
                var key = KeyPrefix + m.ToLowerInvariant() + ".connections.max.reauth.ms";
                if (get(key) is not { Length: > 0 } text) continue;
                reauth[m] = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                    ? ms
                    : throw new ArgumentException($"{key}: expected a whole number >= 0, got '{text}'.");
            }
            MaxReauthMsByMechanism = reauth;
            if (mechanisms.Contains("PLAIN"))
            {
                var (module, key) = Jaas(get, "plain");
                if (module is null)
                    throw new ArgumentException($"{KeyPrefix}plain.sasl.jaas.config: PLAIN is enabled on listener {Name} but no JAAS config names its users; set it (or sasl.jaas.config) to org.apache.kafka.common.security.plain.PlainLoginModule required user_NAME=\"password\";");
                if (!module.ClassName.EndsWith("PlainLoginModule", StringComparison.Ordinal))
                    throw new ArgumentException($"{key}: PLAIN needs org.apache.kafka.common.security.plain.PlainLoginModule, got {module.ClassName}.");
                PlainUsers = module.Options.Where(o => o.Key.StartsWith("user_", StringComparison.Ordinal) && o.Key.Length > 5)
                    .ToDictionary(o => o.Key[5..], o => o.Value, StringComparer.Ordinal);
            }
            if (mechanisms.Contains("OAUTHBEARER"))
            {
                var (module, key) = Jaas(get, "oauthbearer");
                OAuthOptions = module?.Options ?? new Dictionary<string, string>();
                if (OAuthOptions.TryGetValue("unsecuredValidatorAllowableClockSkewMs", out var skew)
                    && (!int.TryParse(skew, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                    throw new ArgumentException($"{key}: unsecuredValidatorAllowableClockSkewMs must be a non-negative number of milliseconds, got '{skew}'.");
            }
        }
        catch (SecurityConfigException ex)
        {
            // Start-up reports configuration mistakes as ArgumentException; the message already starts with the key.
            throw new ArgumentException(ex.Message, ex);
        }
    }

    // The JAAS login module for a mechanism: listener.name.NAME.MECHANISM.sasl.jaas.config, else sasl.jaas.config.
    private (JaasLoginModule? Module, string Key) Jaas(Func<string, string?> get, string mechanism)
    {
        var key = KeyPrefix + mechanism + ".sasl.jaas.config";
        var text = get(key);
        if (string.IsNullOrWhiteSpace(text))
        {
            key = "sasl.jaas.config";
            text = get(key);
        }
        if (string.IsNullOrWhiteSpace(text)) return (null, key);
        try
        {
            return (JaasConfig.ParseSingle(text), key);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{key}: {ex.Message}", ex);
        }
    }

    private bool HasOwnKeyStartingWith(Func<string, string?> get, string prefix) =>
        new[] { "location", "password", "type", "key", "certificate.chain", "certificates" }.Any(k => get(KeyPrefix + prefix + k) is { Length: > 0 });

    /// <summary>"NAME://host:port", "host:port" or ":port"; the name is null when not given.</summary>
    internal static (string? Name, string Host, int Port) ParseEntry(string entry, string key)
    {
        string? name = null;
        var body = entry;
        var scheme = entry.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            name = entry[..scheme].Trim().ToUpperInvariant();
            body = entry[(scheme + 3)..];
        }
        var colon = body.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(body[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new ArgumentException($"{key}: expected host:port, got '{entry}'.");
        var host = body[..colon].Trim('[', ']');
        if (host.Length == 0) host = "127.0.0.1";
        return (name, host, port);
    }

    private static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
