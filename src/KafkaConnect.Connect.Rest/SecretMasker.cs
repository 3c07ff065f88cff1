namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Decides which configuration values are secrets and hides them. REST responses and the runtime's logging
/// share this one rule so a secret never leaks through either.
/// </summary>
public static class SecretMasker
{
    /// <summary>What a hidden value is replaced with (the same text Apache Kafka prints for passwords).</summary>
    public const string HiddenValue = "[hidden]";

    private static readonly string[] s_secretSegments =
        ["password", "passwd", "pwd", "secret", "token", "credential", "credentials", "apikey"];

    // A trailing segment that describes a secret rather than holding it ("token.endpoint.url",
    // "basic.auth.credentials.source", "password.file") keeps the value visible.
    private static readonly string[] s_descriptorSegments =
        ["url", "uri", "endpoint", "source", "class", "type", "enable", "enabled", "location", "path", "file",
         "ms", "mode", "provider", "algorithm", "format", "size", "expiry", "header", "name", "id"];

    private static readonly string[] s_converterKeys = ["key.converter", "value.converter", "header.converter"];

    /// <summary>True when <paramref name="key"/> names a setting whose value must not be shown.</summary>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || IsConverterKey(key))
        {
            return false;
        }
        // sasl.jaas.config embeds the password in its value.
        if (key.EndsWith("sasl.jaas.config", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var span = key.AsSpan();
        ReadOnlySpan<char> last = default;
        var secret = false;
        var lastIsSecret = false;
        while (!span.IsEmpty)
        {
            var sep = span.IndexOfAny('.', '_', '-');
            var segment = sep < 0 ? span : span[..sep];
            span = sep < 0 ? default : span[(sep + 1)..];
            last = segment;
            lastIsSecret = IsSecretSegment(segment);
            secret |= lastIsSecret;
        }
        // "ssl.key", "private_key", "api.key": the key itself; "key.ignore"/"pk.mode" never end with one.
        var endsWithKey = key.Length > 4 && last.Equals("key", StringComparison.OrdinalIgnoreCase);
        if (endsWithKey || lastIsSecret)
        {
            return true;
        }
        return secret && !IsDescriptor(last);
    }

    /// <summary>The value to show for <paramref name="key"/>: itself, or <see cref="HiddenValue"/> for a secret
    /// that is not a config-provider reference such as <c>${file:/path:key}</c>.</summary>
    public static string? MaskValue(string key, string? value)
    {
        if (value is null || !IsSecretKey(key) || IsProviderReference(value))
        {
            return value;
        }
        return HiddenValue;
    }

    /// <summary>A copy of <paramref name="config"/> with secret values hidden; the same instance when nothing is secret.</summary>
    public static IReadOnlyDictionary<string, string> Mask(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Dictionary<string, string>? masked = null;
        foreach (var (key, value) in config)
        {
            var shown = MaskValue(key, value);
            if (!ReferenceEquals(shown, value))
            {
                masked ??= new Dictionary<string, string>(config, StringComparer.Ordinal);
                masked[key] = shown!;
            }
        }
        return masked ?? config;
    }

    /// <summary>True for values made only of config-provider references, which name a secret without holding it.</summary>
    public static bool IsProviderReference(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var v = value.AsSpan().Trim();
        return v.StartsWith("${", StringComparison.Ordinal) && v.EndsWith("}") && v.IndexOf(':') > 2;
    }

    private static bool IsConverterKey(string key)
    {
        foreach (var converter in s_converterKeys)
        {
            if (key.Equals(converter, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsSecretSegment(ReadOnlySpan<char> segment)
    {
        foreach (var s in s_secretSegments)
        {
            if (segment.Equals(s, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsDescriptor(ReadOnlySpan<char> segment)
    {
        foreach (var s in s_descriptorSegments)
        {
            if (segment.Equals(s, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
