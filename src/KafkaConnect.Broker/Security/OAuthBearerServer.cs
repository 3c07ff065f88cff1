using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KafkaConnect.Broker.Security;

/// <summary>
/// SASL/OAUTHBEARER (RFC 7628) with Kafka's unsecured-JWT validator (KIP-255), meant for tests: the token must be an
/// unsigned JWT (alg "none") with a principal claim, an expiry in the future and, when configured, the required scopes.
/// A refused token is answered with the JSON error as the challenge; the client acknowledges with 0x01 and only then
/// does authentication fail, as the RFC describes.
/// </summary>
internal sealed class OAuthBearerServer : ISaslMechanismServer
{
    private readonly string _principalClaim;
    private readonly string[] _requiredScope;
    private readonly long _clockSkewMs;
    private readonly Func<long> _nowMs;
    private string? _error;

    public OAuthBearerServer(IReadOnlyDictionary<string, string> options, Func<long> nowMs)
    {
        _principalClaim = options.TryGetValue("unsecuredValidatorPrincipalClaimName", out var p) && p.Trim().Length > 0 ? p.Trim() : "sub";
        _requiredScope = options.TryGetValue("unsecuredValidatorRequiredScope", out var s)
            ? s.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        _clockSkewMs = options.TryGetValue("unsecuredValidatorAllowableClockSkewMs", out var k) ? long.Parse(k, CultureInfo.InvariantCulture) : 0;
        _nowMs = nowMs;
    }

    public bool IsComplete { get; private set; }
    public string? Principal { get; private set; }
    public long? CredentialExpiresAtMs { get; private set; }

    public byte[] Evaluate(byte[] response)
    {
        if (response is [0x01] && _error is not null) throw new SaslFailure(_error);
        _error = null;
        var (authzid, token) = ParseInitialResponse(Encoding.UTF8.GetString(response));
        var refusal = Validate(token, out var principal, out var expiresAtMs);
        if (refusal is not null)
        {
            _error = "{\"status\":\"" + refusal.Value.Status + "\"" + (refusal.Value.Scope is { } scope ? ",\"scope\":\"" + scope + "\"" : "") + "}";
            return Encoding.UTF8.GetBytes(_error);
        }
        if (authzid.Length > 0 && authzid != principal)
            throw new SaslFailure($"Authentication failed: Client requested an authorization id ({authzid}) that is different from the token's principal name ({principal})");
        Principal = principal;
        CredentialExpiresAtMs = expiresAtMs;
        IsComplete = true;
        return [];
    }

    // gs2-header "n,a=authzid," or "n,,", then 0x01-separated key=value pairs with auth=Bearer TOKEN, ending 0x01 0x01.
    private static (string Authzid, string Token) ParseInitialResponse(string message)
    {
        var invalid = new SaslFailure(SaslSession.InvalidCredentials("OAUTHBEARER"), "Invalid OAUTHBEARER client first message");
        var parts = message.Split('\u0001');
        if (parts.Length < 3 || parts[^1].Length != 0 || parts[^2].Length != 0) throw invalid;
        var header = parts[0].Split(',');
        if (header.Length != 3 || header[0] != "n" || header[2].Length != 0) throw invalid;
        var authzid = header[1].StartsWith("a=", StringComparison.Ordinal) ? header[1][2..] : header[1].Length == 0 ? "" : throw invalid;
        string? token = null;
        foreach (var kv in parts[1..^2])
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw invalid;
            if (kv[..eq] == "auth")
            {
                var value = kv[(eq + 1)..];
                if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) throw invalid;
                token = value[7..].Trim();
            }
        }
        return (authzid, token ?? throw invalid);
    }

    private (string Status, string? Scope)? Validate(string token, out string principal, out long expiresAtMs)
    {
        principal = "";
        expiresAtMs = 0;
        var segments = token.Split('.');
        if (segments.Length != 3 || segments[2].Length != 0) return ("invalid_token", null);
        try
        {
            using var header = JsonDocument.Parse(Base64Url(segments[0]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "none")
                return ("invalid_token", null);
            using var payload = JsonDocument.Parse(Base64Url(segments[1]));
            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object) return ("invalid_token", null);
            if (!claims.TryGetProperty(_principalClaim, out var sub) || sub.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(sub.GetString()))
                return ("invalid_token", null);
            if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number) return ("invalid_token", null);
            var now = _nowMs();
            expiresAtMs = (long)(exp.GetDouble() * 1000);
            if (now - _clockSkewMs >= expiresAtMs) return ("invalid_token", null);
            if (claims.TryGetProperty("iat", out var iat) && iat.ValueKind == JsonValueKind.Number && (long)(iat.GetDouble() * 1000) > now + _clockSkewMs)
                return ("invalid_token", null);
            if (_requiredScope.Length > 0)
            {
                var scopes = new HashSet<string>(StringComparer.Ordinal);
                if (claims.TryGetProperty("scope", out var scope))
                {
                    if (scope.ValueKind == JsonValueKind.String) scopes.UnionWith(scope.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    else if (scope.ValueKind == JsonValueKind.Array)
                        foreach (var e in scope.EnumerateArray())
                            if (e.ValueKind == JsonValueKind.String) scopes.Add(e.GetString()!);
                }
                if (!_requiredScope.All(scopes.Contains)) return ("insufficient_scope", string.Join(' ', _requiredScope));
            }
            principal = sub.GetString()!;
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return ("invalid_token", null);
        }
    }

    private static byte[] Base64Url(string s)
    {
        var b64 = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '='));
    }
}
