using System.Globalization;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Security;

/// <summary>
/// Parses Kafka's <c>--add-scram</c> syntax (from <c>kafka-storage format</c>):
/// <c>SCRAM-SHA-512=[name=alice,password=alice-secret]</c>, optionally with <c>iterations=N</c>, or with
/// <c>salt=BASE64,saltedpassword=BASE64</c> instead of the password. Values may be quoted with ".
/// </summary>
public static class AddScramOption
{
    public static (string User, ScramCredential Credential) Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !text.EndsWith(']') || text.Length < eq + 3 || text[eq + 1] != '[')
            throw new ArgumentException($"--add-scram: expected MECHANISM=[name=USER,password=PASSWORD], got '{text}'.");
        var mechanismName = text[..eq].Trim();
        if (!Scram.TryParse(mechanismName, out var mechanism))
            throw new ArgumentException($"--add-scram: '{mechanismName}' is not a SCRAM mechanism; use SCRAM-SHA-256 or SCRAM-SHA-512.");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text[(eq + 2)..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var e = part.IndexOf('=', StringComparison.Ordinal);
            if (e <= 0) throw new ArgumentException($"--add-scram: expected key=value, got '{part}'.");
            var value = part[(e + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            if (!fields.TryAdd(part[..e].Trim().ToLowerInvariant(), value))
                throw new ArgumentException($"--add-scram: '{part[..e]}' is given twice.");
        }
        foreach (var key in fields.Keys)
        {
            if (key is not ("name" or "password" or "iterations" or "salt" or "saltedpassword"))
                throw new ArgumentException($"--add-scram: unknown field '{key}'; use name, password, iterations, salt, saltedpassword.");
        }
        if (!fields.TryGetValue("name", out var user) || user.Length == 0) throw new ArgumentException("--add-scram: name=USER is required.");
        var iterations = Scram.MinIterations;
        if (fields.TryGetValue("iterations", out var it)
            && (!int.TryParse(it, NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < Scram.MinIterations || iterations > Scram.MaxIterations))
            throw new ArgumentException($"--add-scram: iterations must be between {Scram.MinIterations} and {Scram.MaxIterations}, got '{it}'.");
        byte[]? salt = fields.TryGetValue("salt", out var s) ? Base64("salt", s) : null;
        if (fields.TryGetValue("saltedpassword", out var sp))
        {
            if (fields.ContainsKey("password")) throw new ArgumentException("--add-scram: give password or saltedpassword, not both.");
            if (salt is null) throw new ArgumentException("--add-scram: saltedpassword needs salt.");
            return (user, Scram.FromSaltedPassword(mechanism, salt, Base64("saltedpassword", sp), iterations));
        }
        if (!fields.TryGetValue("password", out var password) || password.Length == 0)
            throw new ArgumentException("--add-scram: password=PASSWORD is required.");
        return (user, Scram.CreateCredential(mechanism, password, iterations, salt));
    }

    private static byte[] Base64(string key, string value)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--add-scram: {key} must be base64.");
        }
    }
}
