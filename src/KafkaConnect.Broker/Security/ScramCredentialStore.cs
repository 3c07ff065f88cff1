using System.Globalization;
using System.Text;
using KafkaConnect.Security;
using KafkaConnect.Storage;

namespace KafkaConnect.Broker.Security;

/// <summary>
/// The SCRAM credentials of this broker's users (salt, iterations and the derived keys, never a password), kept in
/// <c>scram-credentials</c> in the data directory. Every change replaces the file atomically and durably before it
/// is acknowledged, so a restart, or a crash, keeps what AlterUserScramCredentials answered.
/// </summary>
internal sealed class ScramCredentialStore
{
    public const string FileName = "scram-credentials";
    private const string Header = "# KafkaConnect.NET SCRAM credentials v1: user mechanism iterations salt stored-key server-key";

    private readonly string _path;
    private readonly object _lock = new();
    private Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> _users;

    private ScramCredentialStore(string path, Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        _path = path;
        _users = users;
    }

    public static ScramCredentialStore Open(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var users = new Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>(StringComparer.Ordinal);
        if (!File.Exists(path)) return new ScramCredentialStore(path, users);
        var lineNo = 0;
        foreach (var line in File.ReadAllLines(path))
        {
            lineNo++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split(' ');
            try
            {
                if (f.Length != 6 || !Scram.TryParse(f[1], out var mechanism)) throw new FormatException("expected 6 fields");
                var credential = new ScramCredential(mechanism, Convert.FromBase64String(f[3]), Convert.FromBase64String(f[4]),
                    Convert.FromBase64String(f[5]), int.Parse(f[2], NumberStyles.None, CultureInfo.InvariantCulture));
                var user = Uri.UnescapeDataString(f[0]);
                if (!users.TryGetValue(user, out var byMechanism)) users[user] = byMechanism = new();
                byMechanism[mechanism] = credential;
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"{path} line {lineNo} is damaged ({ex.Message}); restore it or delete the line and set that user's credential again.", ex);
            }
        }
        return new ScramCredentialStore(path, users);
    }

    public ScramCredential? Get(string user, ScramMechanism mechanism)
    {
        lock (_lock) return _users.TryGetValue(user, out var m) && m.TryGetValue(mechanism, out var c) ? c : null;
    }

    /// <summary>Users with at least one credential, sorted.</summary>
    public IReadOnlyList<string> Users()
    {
        lock (_lock) return _users.Keys.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A user's mechanisms and iteration counts (what DescribeUserScramCredentials shows), empty when unknown.</summary>
    public IReadOnlyList<(ScramMechanism Mechanism, int Iterations)> Describe(string user)
    {
        lock (_lock)
        {
            return _users.TryGetValue(user, out var m)
                ? m.Values.OrderBy(c => c.Mechanism).Select(c => (c.Mechanism, c.Iterations)).ToList()
                : [];
        }
    }

    /// <summary>Applies deletions then upserts, and stores the result durably before returning.</summary>
    public void Apply(IEnumerable<(string User, ScramMechanism Mechanism)> deletions, IEnumerable<(string User, ScramCredential Credential)> upserts)
    {
        lock (_lock)
        {
            var next = _users.ToDictionary(u => u.Key, u => new Dictionary<ScramMechanism, ScramCredential>(u.Value), StringComparer.Ordinal);
            foreach (var (user, mechanism) in deletions)
            {
                if (next.TryGetValue(user, out var m) && m.Remove(mechanism) && m.Count == 0) next.Remove(user);
            }
            foreach (var (user, credential) in upserts)
            {
                if (!next.TryGetValue(user, out var m)) next[user] = m = new();
                m[credential.Mechanism] = credential;
            }
            Write(next);
            _users = next;
        }
    }

    private void Write(Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var (user, byMechanism) in users.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            foreach (var c in byMechanism.Values.OrderBy(c => c.Mechanism))
            {
                sb.Append(Uri.EscapeDataString(user)).Append(' ').Append(c.Mechanism.Name()).Append(' ')
                    .Append(c.Iterations.ToString(CultureInfo.InvariantCulture)).Append(' ')
                    .Append(Convert.ToBase64String(c.Salt)).Append(' ')
                    .Append(Convert.ToBase64String(c.StoredKey)).Append(' ')
                    .Append(Convert.ToBase64String(c.ServerKey)).Append('\n');
            }
        }
        DurableFile.ReplaceAtomically(_path, Encoding.UTF8.GetBytes(sb.ToString()));
    }
}
