using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Security.Tests;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>HTTPS listeners, client certificates, basic authentication, admin.listeners and response headers, in process.</summary>
public sealed class RestSecurityTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kconnect-rest-sec-" + Guid.NewGuid().ToString("N")[..8]);
    private TestPki _pki = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _pki = await TestPki.SharedAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private Dictionary<string, string> Https(string prefix = "", string listeners = "https://127.0.0.1:0") => new()
    {
        ["listeners"] = listeners,
        [prefix + "ssl.keystore.location"] = _pki.ServerJks,
        [prefix + "ssl.keystore.password"] = TestPki.Password,
        [prefix + "ssl.key.password"] = TestPki.Password,
    };

    private async Task<ConnectRestServer> StartAsync(Dictionary<string, string> config, string? kafkaOpts = null, FakeHerder? herder = null)
    {
        var server = new ConnectRestServer();
        _servers.Add(server);
        await server.StartAsync(herder ?? new FakeHerder(), RestServerOptions.FromWorkerConfig(config, kafkaOpts));
        return server;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Requests_forwarded_to_an_https_leader_trust_the_configured_trust_store(bool withTrustStore)
    {
        var leaderHerder = new FakeHerder();
        var leader = await StartAsync(Https(), herder: leaderHerder);
        using (var create = Client())
        {
            using var created = await create.PostAsync(new Uri(leader.Addresses[0], "/connectors"), new StringContent(
                """{"name":"on-leader","config":{"connector.class":"FileStreamSource","topic":"t","file":"/tmp/x"}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var config = Https("listeners.https.");
        if (withTrustStore)
        {
            config["listeners.https.ssl.truststore.location"] = _pki.TrustJks;
            config["listeners.https.ssl.truststore.password"] = TestPki.Password;
        }
        var follower = await StartAsync(config, herder: new FakeHerder { LeaderUrl = leader.AdvertisedUrl.ToString() });
        using var http = Client();
        using var response = await http.GetAsync(new Uri(follower.Addresses[0], "/connectors"));
        var body = await response.Content.ReadAsStringAsync();
        if (withTrustStore)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""["on-leader"]""", body);
        }
        else
        {
            // The system does not trust the test authority, so the follower refuses the leader's certificate.
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("IO Error trying to forward REST request", body, StringComparison.Ordinal);
        }
    }

    // Trusts exactly the test CA, as curl --cacert does; optionally presents the client certificate.
    private HttpClient Client(bool clientCert = false, bool trustCa = true)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(_pki.CaCert);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
        {
            if (!trustCa || cert is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
        };
        if (clientCert)
        {
            handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12FromFile(_pki.ClientP12, TestPki.Password)];
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    [Theory]
    [InlineData("JKS")]
    [InlineData("PKCS12")]
    [InlineData("PEM")]
    public async Task Https_listener_serves_with_each_key_store_type(string type)
    {
        var config = new Dictionary<string, string> { ["listeners"] = "https://127.0.0.1:0", ["ssl.keystore.type"] = type };
        if (type == "PEM")
        {
            config["ssl.keystore.location"] = _pki.ServerKeyAndChainPem;
        }
        else
        {
            config["ssl.keystore.location"] = type == "JKS" ? _pki.ServerJks : _pki.ServerP12;
            config["ssl.keystore.password"] = TestPki.Password;
            config["ssl.key.password"] = TestPki.Password;
        }
        var server = await StartAsync(config);
        Assert.Equal("https", server.Addresses[0].Scheme);
        using var http = Client();
        using var response = await http.GetAsync(new Uri(server.Addresses[0], "/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var untrusting = Client(trustCa: false);
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(server.Addresses[0], "/")));
    }

    [Fact]
    public async Task Mixed_listeners_serve_both_and_advertise_http_unless_told_https()
    {
        var config = Https(listeners: "http://127.0.0.1:0,https://127.0.0.1:0");
        var server = await StartAsync(config);
        Assert.Equal(["http", "https"], server.Addresses.Select(a => a.Scheme));
        using var http = Client();
        foreach (var address in server.Addresses)
        {
            using var response = await http.GetAsync(new Uri(address, "/connectors"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(server.Addresses[0], server.AdvertisedUrl);

        config["rest.advertised.listener"] = "https";
        var advertisingHttps = await StartAsync(config);
        Assert.Equal(advertisingHttps.Addresses[1], advertisingHttps.AdvertisedUrl);

        var httpsOnly = await StartAsync(Https());
        Assert.Equal("https", httpsOnly.AdvertisedUrl.Scheme);
    }

    [Fact]
    public async Task Answers_are_compressed_on_http_listeners_but_never_over_tls()
    {
        // Compressing secrets (connector configs) beside text a request chooses lets an observer of TLS record sizes
        // guess them (BREACH), so only plain-HTTP listeners compress.
        var server = await StartAsync(Https(listeners: "http://127.0.0.1:0,https://127.0.0.1:0"));
        using var http = Client();
        var encodings = new List<string>();
        foreach (var address in server.Addresses)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/connectors?expand=status"));
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            encodings.Add(string.Join(",", response.Content.Headers.ContentEncoding));
        }
        Assert.Equal(["gzip", ""], encodings);
    }

    [Fact]
    public async Task Listeners_https_keys_replace_the_top_level_ssl_keys_entirely()
    {
        // The top-level key store is broken; the prefixed one is used alone.
        var config = Https("listeners.https.");
        config["ssl.keystore.location"] = Path.Combine(_dir, "missing.jks");
        var server = await StartAsync(config);
        using var http = Client();
        using var response = await http.GetAsync(new Uri(server.Addresses[0], "/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // One prefixed key means only prefixed keys count: the top-level key store is not a fallback.
        var partial = Https();
        partial["listeners.https.ssl.enabled.protocols"] = "TLSv1.3";
        var error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(partial, null));
        Assert.Contains("listeners.https.ssl.keystore.location", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_store_mistakes_are_config_errors_naming_the_key()
    {
        var wrongPassword = Https("listeners.https.");
        wrongPassword["listeners.https.ssl.keystore.password"] = "not-the-password";
        var error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(wrongPassword, null));
        Assert.Contains("listeners.https.ssl.keystore", error.Message, StringComparison.Ordinal);

        var notAKeyStore = Https();
        notAKeyStore["ssl.keystore.location"] = _pki.CaCert; // a PEM certificate where a JKS file is expected
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(notAKeyStore, null));
        Assert.Contains("ssl.keystore", error.Message, StringComparison.Ordinal);

        var noKeyStore = new Dictionary<string, string> { ["listeners"] = "https://127.0.0.1:0" };
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(noKeyStore, null));
        Assert.Contains("ssl.keystore.location", error.Message, StringComparison.Ordinal);

        var badClientAuth = Https();
        badClientAuth["ssl.client.authentication"] = "sometimes";
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(badClientAuth, null));
        Assert.Contains("ssl.client.authentication", error.Message, StringComparison.Ordinal);

        var disagreeing = Https();
        disagreeing["ssl.client.auth"] = "none";
        disagreeing["ssl.client.authentication"] = "REQUIRED";
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(disagreeing, null));
        Assert.Contains("ssl.client.auth=none and ssl.client.authentication=REQUIRED disagree", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ssl.client.auth", "required")]
    [InlineData("ssl.client.authentication", "REQUIRED")]
    public async Task Required_client_certificate_refuses_clients_without_one(string key, string value)
    {
        var config = Https();
        config[key] = value;
        config["ssl.truststore.location"] = _pki.TrustJks;
        config["ssl.truststore.password"] = TestPki.Password;
        var server = await StartAsync(config);
        var url = new Uri(server.Addresses[0], "/connectors");

        using var anonymous = Client();
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var refused = await anonymous.GetAsync(url);
            // TLS 1.3 may report the refusal only when the response is read.
            refused.EnsureSuccessStatusCode();
        });

        using var withCert = Client(clientCert: true);
        using var response = await withCert.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Requested_client_certificate_is_optional()
    {
        var config = Https("listeners.https.");
        config["listeners.https.ssl.client.auth"] = "requested";
        config["listeners.https.ssl.truststore.location"] = _pki.TrustJks;
        config["listeners.https.ssl.truststore.password"] = TestPki.Password;
        var server = await StartAsync(config);
        using var anonymous = Client();
        using var response = await anonymous.GetAsync(new Uri(server.Addresses[0], "/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var withCert = Client(clientCert: true);
        using var second = await withCert.GetAsync(new Uri(server.Addresses[0], "/"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    private string WriteJaas(string credentials, string? section = null)
    {
        var credentialsFile = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".properties");
        File.WriteAllText(credentialsFile, credentials);
        var jaas = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".conf");
        File.WriteAllText(jaas, section ?? $$"""
            KafkaConnect {
              org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
              file="{{credentialsFile}}";
            };
            """);
        return jaas;
    }

    private static Dictionary<string, string> BasicAuth(string? jaasSetting = null)
    {
        var config = new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["rest.extension.classes"] = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension",
        };
        if (jaasSetting is not null)
        {
            config["java.security.auth.login.config"] = jaasSetting;
        }
        return config;
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAs(HttpClient http, Uri url, string? user, string? password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task Basic_auth_from_KAFKA_OPTS_refuses_missing_and_wrong_credentials()
    {
        var jaas = WriteJaas("# users\nalice: alice-secret\nbob=bob:pw\n");
        var server = await StartAsync(BasicAuth(), $"-Xmx256m -Djava.security.auth.login.config={jaas} -Dother=1");
        using var http = new HttpClient();
        var url = new Uri(server.Addresses[0], "/connectors");

        var (status, body, response) = await GetAs(http, url, null, null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("User cannot access the resource.", body);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAs(http, url, "alice", "wrong")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAs(http, url, "mallory", "alice-secret")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAs(http, url, "alice", "")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAs(http, url, "alice", "alice-secret")).Status);
        // Only the first colon separates user and password, in the header as in the properties file.
        Assert.Equal(HttpStatusCode.OK, (await GetAs(http, url, "bob", "bob:pw")).Status);
        // Every path is covered, the root and /admin too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAs(http, new Uri(server.Addresses[0], "/"), null, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAs(http, new Uri(server.Addresses[0], "/admin/loggers"), "alice", "x")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAs(http, new Uri(server.Addresses[0], "/admin/loggers"), "alice", "alice-secret")).Status);

        using var malformed = new HttpRequestMessage(HttpMethod.Get, url);
        malformed.Headers.TryAddWithoutValidation("Authorization", "Basic not-base64!");
        using var malformedResponse = await http.SendAsync(malformed);
        Assert.Equal(HttpStatusCode.Unauthorized, malformedResponse.StatusCode);
    }

    [Fact]
    public async Task Signed_internal_requests_skip_basic_auth_and_unsigned_ones_do_not()
    {
        var server = await StartAsync(BasicAuth(WriteJaas("alice: alice-secret\n")));
        using var http = new HttpClient();
        var url = new Uri(server.Addresses[0], "/connectors/c/tasks");

        using var unsigned = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
        using (var response = await http.SendAsync(unsigned))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var signed = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
        signed.Headers.Add(InternalRequestSignature.SignatureHeader, Convert.ToBase64String(new byte[32]));
        signed.Headers.Add(InternalRequestSignature.AlgorithmHeader, "HmacSHA256");
        using (var response = await http.SendAsync(signed))
        {
            // Past authentication, the herder judges the signature (a standalone herder refuses the request itself).
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("standalone mode", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The signature header does not open other paths.
        using var other = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Addresses[0], "/connectors"));
        other.Headers.Add(InternalRequestSignature.SignatureHeader, Convert.ToBase64String(new byte[32]));
        using (var response = await http.SendAsync(other))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Worker_setting_names_the_JAAS_file_and_wins_over_KAFKA_OPTS()
    {
        var jaas = WriteJaas("carol: pw\n");
        var server = await StartAsync(BasicAuth(jaas), "-Djava.security.auth.login.config=/nonexistent/jaas.conf");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await GetAs(http, new Uri(server.Addresses[0], "/"), "carol", "pw")).Status);
    }

    [Theory]
    [InlineData(null, "-Xmx1g -Djava.security.auth.login.config=/a.conf -Dx=1 -Djava.security.auth.login.config=/b.conf", "/b.conf")]
    [InlineData(null, "-Djava.security.auth.login.config==/only.conf", "/only.conf")]
    [InlineData(null, "-Djava.security.auth.login.config=\"/quoted.conf\"", "/quoted.conf")]
    [InlineData("/setting.conf", "-Djava.security.auth.login.config=/opts.conf", "/setting.conf")]
    [InlineData(null, "-Xmx1g", null)]
    [InlineData(null, null, null)]
    public void JAAS_file_is_found_as_the_JVM_would_find_it(string? setting, string? kafkaOpts, string? expected)
    {
        Assert.Equal(expected, BasicAuthenticator.LocateJaasFile(setting, kafkaOpts)?.Path);
    }

    [Theory]
    [InlineData("sufficient", "sufficient", "alice", true)]
    [InlineData("sufficient", "sufficient", "bob", true)]
    [InlineData("sufficient", "sufficient", "carol", false)]
    [InlineData("required", "required", "alice", false)]
    [InlineData("required", "required", "both", true)]
    [InlineData("requisite", "optional", "bob", false)]
    [InlineData("optional", "optional", "bob", true)]
    public async Task Login_modules_combine_by_their_JAAS_control_flags(string firstFlag, string secondFlag, string user, bool allowed)
    {
        string Credentials(string text)
        {
            var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".properties");
            File.WriteAllText(path, text);
            return path;
        }
        var first = Credentials("alice: pw\nboth: pw\n");
        var second = Credentials("bob: pw\nboth: pw\n");
        const string module = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";
        var jaas = WriteJaas("", $"KafkaConnect {{\n {module} {firstFlag} file=\"{first}\";\n {module} {secondFlag} file=\"{second}\";\n}};\n");
        var server = await StartAsync(BasicAuth(jaas));
        using var http = new HttpClient();
        var (status, _, _) = await GetAs(http, new Uri(server.Addresses[0], "/connectors"), user, "pw");
        Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Empty_credentials_file_lets_every_request_in_as_Apache_does()
    {
        var server = await StartAsync(BasicAuth(WriteJaas("# nobody\n")));
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await GetAs(http, new Uri(server.Addresses[0], "/connectors"), null, null)).Status);
    }

    [Fact]
    public void Basic_auth_set_up_mistakes_are_start_up_errors()
    {
        var error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(BasicAuth(), "-Xmx1g"));
        Assert.Contains("java.security.auth.login.config", error.Message, StringComparison.Ordinal);

        var malformed = WriteJaas("", "KafkaConnect {\n org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file=\"/x\"\n};\n");
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(BasicAuth(malformed), null));
        Assert.Contains(malformed, error.Message, StringComparison.Ordinal);
        Assert.Contains("JAAS config entry not terminated by semi-colon", error.Message, StringComparison.Ordinal);

        var otherSection = WriteJaas("", "KafkaServer {\n org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";\n};\n");
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(BasicAuth(otherSection), null));
        Assert.Contains("'KafkaConnect' section", error.Message, StringComparison.Ordinal);

        var ldap = WriteJaas("", "KafkaConnect {\n com.example.LdapLoginModule required url=\"ldap://x\";\n};\n");
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(BasicAuth(ldap), null));
        Assert.Contains("com.example.LdapLoginModule", error.Message, StringComparison.Ordinal);

        var missingCredentials = WriteJaas("", "KafkaConnect {\n org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file=\"/nonexistent/creds\";\n};\n");
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(BasicAuth(missingCredentials), null));
        Assert.Contains("/nonexistent/creds", error.Message, StringComparison.Ordinal);

        var unknown = new Dictionary<string, string> { ["rest.extension.classes"] = "com.example.MyRestExtension" };
        error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(unknown, null));
        Assert.Contains("rest.extension.classes", error.Message, StringComparison.Ordinal);
        Assert.Contains("com.example.MyRestExtension", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_listeners_move_admin_endpoints_off_the_listeners()
    {
        var server = await StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["admin.listeners"] = "http://127.0.0.1:0",
        });
        var admin = Assert.Single(server.AdminAddresses);
        Assert.NotEqual(server.Addresses[0].Port, admin.Port);
        using var http = new HttpClient();
        using (var response = await http.GetAsync(new Uri(admin, "/admin/loggers")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var response = await http.GetAsync(new Uri(server.Addresses[0], "/admin/loggers")))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using (var response = await http.GetAsync(new Uri(admin, "/connectors")))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using (var response = await http.GetAsync(new Uri(server.Addresses[0], "/connectors")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Empty_admin_listeners_turn_admin_off_and_unset_keeps_it_on_the_listeners()
    {
        var off = await StartAsync(new Dictionary<string, string> { ["listeners"] = "http://127.0.0.1:0", ["admin.listeners"] = "" });
        var on = await StartAsync(new Dictionary<string, string> { ["listeners"] = "http://127.0.0.1:0" });
        using var http = new HttpClient();
        using (var response = await http.GetAsync(new Uri(off.Addresses[0], "/admin/loggers")))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using (var response = await http.GetAsync(new Uri(on.Addresses[0], "/admin/loggers")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Empty(on.AdminAddresses);
    }

    [Fact]
    public async Task Https_admin_listener_takes_admin_listeners_https_keys()
    {
        var config = new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["admin.listeners"] = "https://127.0.0.1:0",
            ["admin.listeners.https.ssl.keystore.location"] = _pki.ServerP12,
            ["admin.listeners.https.ssl.keystore.type"] = "PKCS12",
            ["admin.listeners.https.ssl.keystore.password"] = TestPki.Password,
        };
        var server = await StartAsync(config);
        using var http = Client();
        using var response = await http.GetAsync(new Uri(server.AdminAddresses[0], "/admin/loggers"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https", server.AdminAddresses[0].Scheme);
    }

    [Fact]
    public async Task Response_header_rules_apply_to_every_response()
    {
        var server = await StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "http://127.0.0.1:0",
            ["response.http.headers.config"] =
                "set X-Frame-Options: DENY, add Cache-Control: no-store, \"add X-Info: a,b\", addDate Expires: 60000, set X-Trailing: https:",
        });
        using var http = new HttpClient();
        foreach (var path in new[] { "/", "/connectors/missing", "/no/such/path" })
        {
            using var response = await http.GetAsync(new Uri(server.Addresses[0], path));
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Contains("no-store", response.Headers.GetValues("Cache-Control"));
            Assert.Equal("a,b", response.Headers.GetValues("X-Info").Single());
            Assert.Equal("https:", response.Headers.GetValues("X-Trailing").Single());
            var expires = response.Content.Headers.Expires ?? throw new Xunit.Sdk.XunitException("no Expires header");
            Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
        }
    }

    [Theory]
    [InlineData("set X-Frame-Options", "Invalid format of header name and header value pair")]
    [InlineData("X-Frame-Options: DENY", "Invalid header config action: 'X-Frame-Options:'")]
    [InlineData("set", "Invalid format of header config 'set'")]
    [InlineData("put X-Frame-Options: DENY", "Invalid header config action: 'put'. Expected one of [set, add, setDate, addDate]")]
    [InlineData("setDelayed X-A: b", "Invalid header config action: 'setDelayed'")]
    [InlineData("set X Frame: DENY", "Invalid header name 'X Frame'")]
    [InlineData("set Content-Security-Policy: default-src https://a.example", "Invalid format of header name and header value pair")]
    [InlineData("setDate Expires: tomorrow", "milliseconds")]
    public void Invalid_response_header_rules_are_config_errors(string rule, string message)
    {
        var config = new Dictionary<string, string> { ["response.http.headers.config"] = rule };
        var error = Assert.Throws<ConfigException>(() => RestServerOptions.FromWorkerConfig(config, null));
        Assert.Contains("response.http.headers.config", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_listener_stays_on_loopback()
    {
        var options = RestServerOptions.FromWorkerConfig(new Dictionary<string, string>(), null);
        Assert.Equal(["http://127.0.0.1:8083"], options.Listeners);
        Assert.Null(options.AdminListeners);
        Assert.Null(options.Tls);
        Assert.Null(options.Authenticator);
    }
}
