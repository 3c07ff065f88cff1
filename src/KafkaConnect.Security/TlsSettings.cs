using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace KafkaConnect.Security;

/// <summary>One security setting as Kafka names it, for the config specs of the client, the broker and the REST server.</summary>
public sealed record SecuritySetting(string Name, string? Default, string Documentation, bool IsPassword = false, bool IsList = false);

/// <summary>How a server treats client certificates (<c>ssl.client.auth</c>, and Connect's <c>ssl.client.authentication</c>).</summary>
public enum ClientAuth
{
    None,
    Requested,
    Required,
}

/// <summary>
/// Kafka's <c>ssl.*</c> settings, loaded once (stores opened, certificates parsed) so that a mistake is a config error
/// at start-up naming the key, and every connection then reuses the material.
/// </summary>
public sealed class TlsSettings
{
    /// <summary>The ssl.* keys a client takes (and a server, with <see cref="ServerSettings"/> besides), with Kafka's defaults.</summary>
    public static readonly IReadOnlyList<SecuritySetting> Settings =
    [
        new("ssl.protocol", "TLSv1.3", "The TLS version preferred; ssl.enabled.protocols decides what may be negotiated."),
        new("ssl.enabled.protocols", "TLSv1.2,TLSv1.3", "TLS versions that may be negotiated: TLSv1.2, TLSv1.3.", IsList: true),
        new("ssl.cipher.suites", "", "Cipher suites by their IANA names (as Java names them); empty allows the platform's defaults.", IsList: true),
        new("ssl.keystore.type", "JKS", "Format of the key store file: JKS, PKCS12 or PEM."),
        new("ssl.keystore.location", null, "Key store with this side's certificate and private key (needed by servers, and by clients when the server asks for a certificate)."),
        new("ssl.keystore.password", null, "Password of the key store file.", IsPassword: true),
        new("ssl.key.password", null, "Password of the private key in the key store, or of an encrypted PEM key (ssl.keystore.key); defaults to ssl.keystore.password.", IsPassword: true),
        new("ssl.keystore.key", null, "Private key in PEM (PKCS#8), given inline instead of ssl.keystore.location; needs ssl.keystore.type=PEM.", IsPassword: true),
        new("ssl.keystore.certificate.chain", null, "Certificate chain in PEM, given inline with ssl.keystore.key.", IsPassword: true),
        new("ssl.truststore.type", "JKS", "Format of the trust store file: JKS, PKCS12 or PEM."),
        new("ssl.truststore.location", null, "Trust store with the certificates of the authorities to trust; without one the system's trusted authorities are used."),
        new("ssl.truststore.password", null, "Password of the trust store file (optional for JKS: without it the file's integrity is not checked, as in Java).", IsPassword: true),
        new("ssl.truststore.certificates", null, "Trusted certificates in PEM, given inline instead of ssl.truststore.location; needs ssl.truststore.type=PEM.", IsPassword: true),
        new("ssl.endpoint.identification.algorithm", "https", "'https' checks that the server's certificate names the host connected to; empty turns the check off."),
        new("ssl.keymanager.algorithm", "SunX509", "Accepted for compatibility; .NET chooses its own key manager."),
        new("ssl.trustmanager.algorithm", "PKIX", "Accepted for compatibility; certificates are checked with X.509 path validation (PKIX)."),
        new("ssl.secure.random.implementation", null, "Accepted for compatibility; the operating system's random number generator is used."),
        new("ssl.provider", null, "Accepted for compatibility; the operating system's TLS library (OpenSSL on Linux) is used."),
        new("ssl.engine.factory.class", null, "Not supported: a custom Java SSL engine factory cannot run here; setting it is an error."),
    ];

    /// <summary>The setting only a server has.</summary>
    public static readonly IReadOnlyList<SecuritySetting> ServerSettings =
    [
        new("ssl.client.auth", "none", "Whether clients must present a certificate: required, requested or none."),
    ];

    private readonly X509Certificate2Collection? _trusted;
    private readonly SslStreamCertificateContext? _local;
    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _ciphers;

    private TlsSettings(X509Certificate2Collection? trusted, KeyMaterial? key, SslProtocols protocols, CipherSuitesPolicy? ciphers, bool checkHostName, ClientAuth clientAuth)
    {
        _trusted = trusted;
        Key = key;
        _local = key is null ? null : SslStreamCertificateContext.Create(key.Certificate, key.Chain, offline: true);
        _protocols = protocols;
        _ciphers = ciphers;
        CheckHostName = checkHostName;
        ClientAuth = clientAuth;
    }

    /// <summary>This side's certificate and key, when a key store is configured.</summary>
    public KeyMaterial? Key { get; }

    public SslProtocols Protocols => _protocols;

    public bool CheckHostName { get; }

    public ClientAuth ClientAuth { get; }

    /// <summary>
    /// Reads and loads the ssl.* settings through <paramref name="get"/> (which returns null for a key not set, and
    /// applies any prefix such as <c>listener.name.ssl.</c> or <c>listeners.https.</c> itself). <paramref name="keyName"/>
    /// turns a key into the name an error should show.
    /// </summary>
    public static TlsSettings Load(Func<string, string?> get, bool server, Func<string, string>? keyName = null)
    {
        keyName ??= k => k;
        string? Get(string key)
        {
            var v = get(key);
            return string.IsNullOrWhiteSpace(v) ? (TlsSettingDefaults.TryGetValue(key, out var d) ? d : null) : v.Trim();
        }
        SecurityConfigException Error(string key, string message, Exception? inner = null) => new(keyName(key), message, inner);
        try
        {
            if (Get("ssl.engine.factory.class") is { } factory)
                throw Error("ssl.engine.factory.class", $"'{factory}' is a Java class; custom SSL engine factories are not supported. Remove the setting.");

            var protocols = SslProtocols.None;
            foreach (var p in Split(Get("ssl.enabled.protocols")))
            {
                protocols |= p switch
                {
                    "TLSv1.2" => SslProtocols.Tls12,
                    "TLSv1.3" => SslProtocols.Tls13,
                    "TLSv1" or "TLSv1.1" or "SSLv3" => throw Error("ssl.enabled.protocols", $"{p} is insecure and not supported; use TLSv1.2 and TLSv1.3."),
                    _ => throw Error("ssl.enabled.protocols", $"'{p}' is not a TLS version; use TLSv1.2, TLSv1.3."),
                };
            }
            if (protocols == SslProtocols.None) throw Error("ssl.enabled.protocols", "must name at least one of TLSv1.2, TLSv1.3.");

            CipherSuitesPolicy? ciphers = null;
            var suites = Split(Get("ssl.cipher.suites")).ToList();
            if (suites.Count > 0)
            {
                var parsed = new List<TlsCipherSuite>();
                foreach (var s in suites)
                {
                    parsed.Add(Enum.TryParse<TlsCipherSuite>(s, ignoreCase: false, out var suite) && !int.TryParse(s, out _)
                        ? suite
                        : throw Error("ssl.cipher.suites", $"'{s}' is not a cipher suite name (use IANA names such as TLS_AES_128_GCM_SHA256)."));
                }
                if (OperatingSystem.IsWindows()) throw Error("ssl.cipher.suites", "cannot be set on Windows; remove it.");
                ciphers = new CipherSuitesPolicy(parsed);
            }

            var trustType = Get("ssl.truststore.type")!;
            X509Certificate2Collection? trusted = null;
            if (Get("ssl.truststore.location") is { } trustPath)
            {
                if (Get("ssl.truststore.certificates") is not null)
                    throw Error("ssl.truststore.certificates", "cannot be set together with ssl.truststore.location; use one of them.");
                trusted = KeyStores.LoadTrustStore(trustType, trustPath, get("ssl.truststore.password"), keyName("ssl.truststore."));
            }
            else if (Get("ssl.truststore.certificates") is { } trustPem)
            {
                if (!trustType.Equals("PEM", StringComparison.OrdinalIgnoreCase))
                    throw Error("ssl.truststore.type", $"must be PEM when ssl.truststore.certificates is set, is '{trustType}'.");
                trusted = KeyStores.PemCertificates(trustPem, keyName("ssl.truststore.certificates"));
            }

            var keyType = Get("ssl.keystore.type")!;
            KeyMaterial? key = null;
            var keyPassword = get("ssl.key.password");
            if (Get("ssl.keystore.location") is { } keyPath)
            {
                if (Get("ssl.keystore.key") is not null)
                    throw Error("ssl.keystore.key", "cannot be set together with ssl.keystore.location; use one of them.");
                key = KeyStores.LoadKeyStore(keyType, keyPath, get("ssl.keystore.password"), keyPassword, keyName("ssl.keystore."));
            }
            else if (Get("ssl.keystore.key") is { } keyPem)
            {
                if (!keyType.Equals("PEM", StringComparison.OrdinalIgnoreCase))
                    throw Error("ssl.keystore.type", $"must be PEM when ssl.keystore.key is set, is '{keyType}'.");
                var chain = Get("ssl.keystore.certificate.chain") ?? throw Error("ssl.keystore.certificate.chain", "is required with ssl.keystore.key.");
                key = KeyStores.Pem(chain, keyPem, keyPassword, keyName("ssl.keystore.certificate.chain"), keyName("ssl.keystore.key"));
            }
            else if (Get("ssl.keystore.certificate.chain") is not null)
            {
                throw Error("ssl.keystore.key", "is required with ssl.keystore.certificate.chain.");
            }

            var clientAuth = ClientAuth.None;
            if (server)
            {
                if (key is null) throw Error("ssl.keystore.location", "is required: a TLS server needs a certificate and its private key (or set ssl.keystore.key and ssl.keystore.certificate.chain).");
                clientAuth = (Get("ssl.client.auth") ?? "none").ToLowerInvariant() switch
                {
                    "none" => ClientAuth.None,
                    "requested" => ClientAuth.Requested,
                    "required" => ClientAuth.Required,
                    var other => throw Error("ssl.client.auth", $"must be one of required, requested, none, got '{other}'."),
                };
            }
            var algorithm = get("ssl.endpoint.identification.algorithm");
            var checkHost = algorithm is null ? true : algorithm.Trim().Length > 0;
            if (checkHost && algorithm is not null && !algorithm.Trim().Equals("https", StringComparison.OrdinalIgnoreCase))
                throw Error("ssl.endpoint.identification.algorithm", $"must be 'https' or empty, got '{algorithm}'.");
            return new TlsSettings(trusted, key, protocols, ciphers, checkHost, clientAuth);
        }
        catch (SecurityConfigException ex) when (!ex.Key.Equals(keyName(ex.Key), StringComparison.Ordinal) && !ex.Key.StartsWith(keyName(""), StringComparison.Ordinal))
        {
            throw new SecurityConfigException(keyName(ex.Key), ex.Message[(ex.Key.Length + 2)..], ex.InnerException);
        }
    }

    private static readonly Dictionary<string, string> TlsSettingDefaults = Settings.Concat(ServerSettings)
        .Where(s => s.Default is not null).ToDictionary(s => s.Name, s => s.Default!, StringComparer.Ordinal);

    private static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs the TLS handshake as a client over <paramref name="inner"/>; a rejected certificate fails with the reason.</summary>
    public async Task<SslStream> AuthenticateAsClientAsync(Stream inner, string host, CancellationToken cancellationToken)
    {
        string? rejection = null;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = _protocols,
            CipherSuitesPolicy = _ciphers,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateContext = _local,
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                rejection = CheckPeer(cert, errors, CheckHostName, $"the server {host}");
                return rejection is null;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException(rejection ?? $"TLS handshake with {host} failed: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs the TLS handshake as a server over <paramref name="inner"/>, asking for a client certificate as ssl.client.auth says.</summary>
    public async Task<SslStream> AuthenticateAsServerAsync(Stream inner, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        string? rejection = null;
        try
        {
            await ssl.AuthenticateAsServerAsync(ServerOptions(r => rejection = r), cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException(rejection ?? $"TLS handshake failed: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Options for a TLS server (the broker's listener; Kestrel takes the same pieces).</summary>
    public SslServerAuthenticationOptions ServerOptions(Action<string>? onReject = null) => new()
    {
        ServerCertificateContext = _local ?? throw new InvalidOperationException("A TLS server needs a key store."),
        EnabledSslProtocols = _protocols,
        CipherSuitesPolicy = _ciphers,
        ClientCertificateRequired = ClientAuth != ClientAuth.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, cert, _, errors) =>
        {
            var reason = ValidateClientCertificate(cert, errors);
            if (reason is not null) onReject?.Invoke(reason);
            return reason is null;
        },
    };

    /// <summary>Null when a server's certificate is acceptable for <paramref name="host"/> (trust store, host name check), else why not; for TLS clients that run their own handshake, such as HTTP clients.</summary>
    public string? ValidateServerCertificate(X509Certificate? cert, SslPolicyErrors errors, string host) =>
        CheckPeer(cert, errors, CheckHostName, $"the server {host}");

    /// <summary>Null when the client's certificate (or its absence) is acceptable under ssl.client.auth, else why not.</summary>
    public string? ValidateClientCertificate(X509Certificate? cert, SslPolicyErrors errors)
    {
        if (cert is null) return ClientAuth == ClientAuth.Required ? "the client presented no certificate and ssl.client.auth=required" : null;
        // Client certificates name no host; only the chain counts.
        return CheckPeer(cert, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, checkHostName: false, "the client");
    }

    // With a trust store, the chain must end at one of its certificates (and the system's authorities are not trusted, as
    // in Java); without one, the platform's verdict stands.
    private string? CheckPeer(X509Certificate? cert, SslPolicyErrors errors, bool checkHostName, string who)
    {
        if (cert is null) return $"{who} presented no certificate";
        if (checkHostName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"the certificate of {who} does not name that host (subject '{cert.Subject}'); fix the certificate's SAN or set ssl.endpoint.identification.algorithm= to skip the check";
        if (_trusted is null)
        {
            return errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                ? $"the certificate of {who} (subject '{cert.Subject}', issuer '{cert.Issuer}') is not trusted by the system; set ssl.truststore.location to the authority that signed it"
                : null;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        chain.ChainPolicy.ExtraStore.AddRange(_trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var peer = cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
        if (chain.Build(peer)) return null;
        // A trust store that holds the peer's own (self-signed or leaf) certificate trusts it, as Java's trust manager does.
        foreach (var t in _trusted)
        {
            if (t.RawDataMemory.Span.SequenceEqual(peer.RawDataMemory.Span)) return null;
        }
        var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"the certificate of {who} (subject '{cert.Subject}', issuer '{cert.Issuer}') is not trusted by the configured trust store: {status}";
    }
}
