using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KafkaConnect.Client.Config;
using KafkaConnect.Security;

namespace KafkaConnect.Client.Security;

/// <summary>
/// Where an OAUTHBEARER client gets its token: an unsecured JWT made here (Kafka's default login handler, for tests and
/// development), or the OAuth client-credentials grant against <c>sasl.oauthbearer.token.endpoint.url</c> (KIP-768), or a
/// token read from a <c>file:</c> URL. Tokens are reused until <c>sasl.login.refresh.window.factor</c> of their lifetime
/// has passed, so connections opened together share one token request.
/// </summary>
internal abstract class OAuthTokenSource
{
    private readonly TimeProvider _time;
    private readonly double _refreshFactor;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private (string Token, long FetchedMs, long ExpiresMs)? _current;

    protected OAuthTokenSource(TimeProvider time, double refreshFactor)
    {
        _time = time;
        _refreshFactor = refreshFactor;
    }

    protected long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = NowMs;
            if (_current is { } c && now < c.FetchedMs + (long)((c.ExpiresMs - c.FetchedMs) * _refreshFactor)) return c.Token;
            var (token, expiresMs) = await FetchAsync(cancellationToken).ConfigureAwait(false);
            _current = (token, now, expiresMs);
            return token;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A token and when it expires (epoch ms).</summary>
    protected abstract Task<(string Token, long ExpiresMs)> FetchAsync(CancellationToken cancellationToken);

    public static OAuthTokenSource From(ConfigValues c, JaasLoginModule module, TimeProvider time)
    {
        var refresh = c.GetDouble("sasl.login.refresh.window.factor");
        var url = c.GetString("sasl.oauthbearer.token.endpoint.url");
        var handler = c.GetString("sasl.login.callback.handler.class");
        if (url.Length == 0)
        {
            if (handler.Length > 0 && handler.EndsWith(".OAuthBearerLoginCallbackHandler", StringComparison.Ordinal))
                throw new ConfigException("sasl.oauthbearer.token.endpoint.url", $"is required with {handler}.");
            return new Unsecured(module, time, refresh);
        }
        if (handler.Length > 0 && !handler.EndsWith(".OAuthBearerLoginCallbackHandler", StringComparison.Ordinal))
            throw new ConfigException("sasl.login.callback.handler.class", $"'{handler}' cannot run here; use Kafka's OAuthBearerLoginCallbackHandler or leave it unset.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            throw new ConfigException("sasl.oauthbearer.token.endpoint.url", $"'{url}' is not an http(s) or file URL.");
        var subClaim = c.GetString("sasl.oauthbearer.sub.claim.name");
        if (uri.Scheme == "file") return new FromFile(uri.LocalPath, subClaim, time, refresh);
        string Option(string name) => module.Options.TryGetValue(name, out var v) && v.Length > 0
            ? v
            : throw new ConfigException("sasl.jaas.config", $"{module.ClassName} needs the option {name}=\"...\" for the client-credentials grant.");
        return new ClientCredentials(uri, Option("clientId"), Option("clientSecret"), module.Options.GetValueOrDefault("scope"),
            c.GetBool("sasl.oauthbearer.header.urlencode"), subClaim,
            TimeSpan.FromMilliseconds(c.GetLong("sasl.login.retry.backoff.ms")), TimeSpan.FromMilliseconds(c.GetLong("sasl.login.retry.backoff.max.ms")),
            c.GetString("sasl.login.connect.timeout.ms") is { Length: > 0 } ct ? TimeSpan.FromMilliseconds(int.Parse(ct, CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(10),
            c.GetString("sasl.login.read.timeout.ms") is { Length: > 0 } rt ? TimeSpan.FromMilliseconds(int.Parse(rt, CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(30),
            time, refresh);
    }

    /// <summary>SASL extensions from the JAAS options (unsecuredLoginExtension_x and extension_x, as Kafka's handlers read them).</summary>
    public static IReadOnlyDictionary<string, string> Extensions(JaasLoginModule module)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in module.Options)
        {
            foreach (var prefix in new[] { "unsecuredLoginExtension_", "extension_" })
            {
                if (!k.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var name = k[prefix.Length..];
                if (name == "auth" || name.Length == 0 || !name.All(char.IsAsciiLetter))
                    throw new ConfigException("sasl.jaas.config", $"'{name}' is not a valid SASL extension name (letters only, not 'auth').");
                result[name] = v;
            }
        }
        return result;
    }

    private static string Base64Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The payload of a JWT (no signature check: the broker validates the token).</summary>
    private static JsonElement Payload(string token, string source)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) throw new KafkaAuthenticationException($"The token from {source} is not a JWT (header.payload.signature).");
        var p = parts[1].Replace('-', '+').Replace('_', '/');
        p = p.PadRight(p.Length + (4 - p.Length % 4) % 4, '=');
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(p));
            return doc.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new KafkaAuthenticationException($"The token from {source} has a payload that is not base64url JSON.", ex);
        }
    }

    private static long ExpiryMs(string token, string subClaim, string source)
    {
        var payload = Payload(token, source);
        if (!payload.TryGetProperty(subClaim, out var sub) || sub.ValueKind != JsonValueKind.String || sub.GetString()!.Length == 0)
            throw new KafkaAuthenticationException($"The token from {source} has no '{subClaim}' claim (sasl.oauthbearer.sub.claim.name).");
        if (!payload.TryGetProperty("exp", out var exp) || !exp.TryGetDouble(out var seconds))
            throw new KafkaAuthenticationException($"The token from {source} has no 'exp' claim.");
        return (long)(seconds * 1000);
    }

    // Kafka's OAuthBearerUnsecuredLoginCallbackHandler: a JWT with alg "none", built from the unsecuredLogin* JAAS options.
    private sealed class Unsecured : OAuthTokenSource
    {
        private readonly JaasLoginModule _module;

        public Unsecured(JaasLoginModule module, TimeProvider time, double refresh) : base(time, refresh)
        {
            _module = module;
            var principalClaim = module.Options.GetValueOrDefault("unsecuredLoginPrincipalClaimName", "sub");
            if (!module.Options.ContainsKey("unsecuredLoginStringClaim_" + principalClaim))
                throw new ConfigException("sasl.jaas.config", $"{module.ClassName} needs unsecuredLoginStringClaim_{principalClaim}=\"<principal>\" for an unsecured token (or set sasl.oauthbearer.token.endpoint.url).");
            if (module.Options.TryGetValue("unsecuredLoginLifetimeSeconds", out var life) && !long.TryParse(life, out _))
                throw new ConfigException("sasl.jaas.config", $"unsecuredLoginLifetimeSeconds must be a whole number, got '{life}'.");
        }

        protected override Task<(string Token, long ExpiresMs)> FetchAsync(CancellationToken cancellationToken)
        {
            var nowMs = NowMs;
            var lifetime = long.Parse(_module.Options.GetValueOrDefault("unsecuredLoginLifetimeSeconds", "3600"), CultureInfo.InvariantCulture);
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("iat", nowMs / 1000.0);
                json.WriteNumber("exp", nowMs / 1000.0 + lifetime);
                foreach (var (k, v) in _module.Options)
                {
                    if (k.StartsWith("unsecuredLoginStringClaim_", StringComparison.Ordinal))
                    {
                        json.WriteString(k["unsecuredLoginStringClaim_".Length..], v);
                    }
                    else if (k.StartsWith("unsecuredLoginNumberClaim_", StringComparison.Ordinal))
                    {
                        json.WriteNumber(k["unsecuredLoginNumberClaim_".Length..], double.Parse(v, CultureInfo.InvariantCulture));
                    }
                    else if (k.StartsWith("unsecuredLoginListClaim_", StringComparison.Ordinal))
                    {
                        // Kafka's syntax: the first character is the separator, e.g. ",read,write".
                        json.WriteStartArray(k["unsecuredLoginListClaim_".Length..]);
                        if (v.Length > 0)
                        {
                            foreach (var item in v[1..].Split(v[0], StringSplitOptions.RemoveEmptyEntries)) json.WriteStringValue(item);
                        }
                        json.WriteEndArray();
                    }
                }
                json.WriteEndObject();
            }
            var token = Base64Url("{\"alg\":\"none\"}") + "." + Base64Url(Encoding.UTF8.GetString(stream.ToArray())) + ".";
            return Task.FromResult((token, nowMs + lifetime * 1000));
        }
    }

    private sealed class FromFile(string path, string subClaim, TimeProvider time, double refresh) : OAuthTokenSource(time, refresh)
    {
        protected override async Task<(string Token, long ExpiresMs)> FetchAsync(CancellationToken cancellationToken)
        {
            string token;
            try
            {
                token = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
            }
            catch (IOException ex)
            {
                throw new KafkaAuthenticationException($"Cannot read the OAuth token file {path} (sasl.oauthbearer.token.endpoint.url): {ex.Message}", ex);
            }
            return (token, ExpiryMs(token, subClaim, path));
        }
    }

    private sealed class ClientCredentials : OAuthTokenSource
    {
        private readonly Uri _endpoint;
        private readonly string _authorization;
        private readonly string? _scope;
        private readonly string _subClaim;
        private readonly TimeSpan _backoff;
        private readonly TimeSpan _backoffMax;
        private readonly TimeSpan _readTimeout;
        private readonly HttpClient _http;

        public ClientCredentials(Uri endpoint, string clientId, string clientSecret, string? scope, bool urlEncode, string subClaim,
            TimeSpan backoff, TimeSpan backoffMax, TimeSpan connectTimeout, TimeSpan readTimeout, TimeProvider time, double refresh) : base(time, refresh)
        {
            _endpoint = endpoint;
            if (urlEncode)
            {
                clientId = Uri.EscapeDataString(clientId);
                clientSecret = Uri.EscapeDataString(clientSecret);
            }
            _authorization = Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + clientSecret));
            _scope = scope;
            _subClaim = subClaim;
            _backoff = backoff;
            _backoffMax = backoffMax;
            _readTimeout = readTimeout;
            _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = connectTimeout }) { Timeout = Timeout.InfiniteTimeSpan };
        }

        protected override async Task<(string Token, long ExpiresMs)> FetchAsync(CancellationToken cancellationToken)
        {
            var source = $"the token endpoint {_endpoint}";
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await RequestAsync(source, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    var wait = TimeSpan.FromMilliseconds(_backoff.TotalMilliseconds * Math.Pow(2, attempt));
                    if (wait > _backoffMax) throw new KafkaAuthenticationException($"Cannot get an OAuth token from {source}: {ex.Message}", ex);
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<(string, long)> RequestAsync(string source, CancellationToken cancellationToken)
        {
            var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
            if (!string.IsNullOrEmpty(_scope)) form.Add(new("scope", _scope));
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _authorization);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_readTimeout);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if ((int)response.StatusCode is >= 500 or 429)
                throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}");
            if (!response.IsSuccessStatusCode)
                throw new KafkaAuthenticationException($"{source} refused the client credentials: {(int)response.StatusCode} {Truncate(body)}");
            string? token;
            try
            {
                using var doc = JsonDocument.Parse(body);
                token = doc.RootElement.TryGetProperty("access_token", out var t) ? t.GetString() : null;
            }
            catch (JsonException ex)
            {
                throw new KafkaAuthenticationException($"{source} answered something that is not JSON: {Truncate(body)}", ex);
            }
            if (string.IsNullOrEmpty(token)) throw new KafkaAuthenticationException($"{source} answered without an access_token.");
            return (token, ExpiryMs(token, _subClaim, source));
        }

        private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "...";
    }
}
