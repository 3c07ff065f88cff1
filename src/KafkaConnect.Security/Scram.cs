using System.Security.Cryptography;
using System.Text;

namespace KafkaConnect.Security;

/// <summary>The two SCRAM mechanisms Kafka supports (RFC 5802 with SHA-256 or SHA-512, RFC 7677).</summary>
public enum ScramMechanism
{
    Sha256,
    Sha512,
}

/// <summary>
/// What a server keeps of a SCRAM password (RFC 5802 section 3): never the password, only the salt, the iteration count
/// and the two keys derived from the salted password.
/// </summary>
public sealed record ScramCredential(ScramMechanism Mechanism, byte[] Salt, byte[] StoredKey, byte[] ServerKey, int Iterations);

/// <summary>Authentication failed; the message is safe to show to the peer (it names no secret).</summary>
public sealed class ScramException : Exception
{
    public ScramException(string message) : base(message) { }
}

/// <summary>The SCRAM arithmetic both sides share, with Kafka's names and limits.</summary>
public static class Scram
{
    /// <summary>Kafka refuses fewer iterations than this for both mechanisms (ScramMechanism.minIterations).</summary>
    public const int MinIterations = 4096;

    /// <summary>Kafka refuses more than this in AlterUserScramCredentials.</summary>
    public const int MaxIterations = 16384;

    public static string Name(this ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";

    /// <summary>The mechanism's number in AlterUserScramCredentials and DescribeUserScramCredentials (1 = SHA-256, 2 = SHA-512).</summary>
    public static byte Type(this ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? (byte)1 : (byte)2;

    public static bool TryParse(string name, out ScramMechanism mechanism)
    {
        switch (name)
        {
            case "SCRAM-SHA-256":
                mechanism = ScramMechanism.Sha256;
                return true;
            case "SCRAM-SHA-512":
                mechanism = ScramMechanism.Sha512;
                return true;
            default:
                mechanism = default;
                return false;
        }
    }

    public static bool TryFromType(byte type, out ScramMechanism mechanism)
    {
        mechanism = type == 2 ? ScramMechanism.Sha512 : ScramMechanism.Sha256;
        return type is 1 or 2;
    }

    private static HashAlgorithmName Hash(ScramMechanism m) => m == ScramMechanism.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;

    internal static byte[] Hmac(ScramMechanism m, byte[] key, byte[] data) =>
        m == ScramMechanism.Sha256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    internal static byte[] H(ScramMechanism m, byte[] data) => m == ScramMechanism.Sha256 ? SHA256.HashData(data) : SHA512.HashData(data);

    /// <summary>Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. Kafka applies no SASLprep.</summary>
    public static byte[] SaltedPassword(ScramMechanism mechanism, string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, Hash(mechanism), mechanism == ScramMechanism.Sha256 ? 32 : 64);

    /// <summary>The stored credential for a salted password (what AlterUserScramCredentials carries).</summary>
    public static ScramCredential FromSaltedPassword(ScramMechanism mechanism, byte[] salt, byte[] saltedPassword, int iterations)
    {
        var clientKey = Hmac(mechanism, saltedPassword, "Client Key"u8.ToArray());
        var serverKey = Hmac(mechanism, saltedPassword, "Server Key"u8.ToArray());
        return new ScramCredential(mechanism, salt, H(mechanism, clientKey), serverKey, iterations);
    }

    /// <summary>A new credential for a password, with a random salt unless one is given.</summary>
    public static ScramCredential CreateCredential(ScramMechanism mechanism, string password, int iterations, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(32);
        return FromSaltedPassword(mechanism, salt, SaltedPassword(mechanism, password, salt, iterations), iterations);
    }

    /// <summary>A client nonce: printable, without ','.</summary>
    internal static string Nonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    // saslname of RFC 5802: ',' and '=' escaped.
    internal static string EscapeName(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    internal static string? UnescapeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '=')
            {
                sb.Append(name[i]);
                continue;
            }
            var escape = i + 3 <= name.Length ? name.Substring(i, 3) : "";
            if (escape == "=2C") sb.Append(',');
            else if (escape == "=3D") sb.Append('=');
            else return null; // a bare '=' is not allowed in a saslname
            i += 2;
        }
        return sb.ToString();
    }

    // "a=1,b=2" into its attributes; a repeated or malformed attribute makes the message invalid.
    internal static Dictionary<char, string>? Attributes(string message)
    {
        var result = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !result.TryAdd(part[0], part[2..])) return null;
        }
        return result;
    }

    internal static byte[] Xor(byte[] a, byte[] b)
    {
        var r = new byte[a.Length];
        for (var i = 0; i < a.Length; i++) r[i] = (byte)(a[i] ^ b[i]);
        return r;
    }
}

/// <summary>
/// The client side of one SCRAM exchange: <see cref="FirstMessage"/>, then <see cref="FinalMessage"/> for the server's
/// first message, then <see cref="VerifyServerFinal"/> - which proves the server knew the credential too.
/// </summary>
public sealed class ScramClient
{
    private readonly ScramMechanism _mechanism;
    private readonly string _password;
    private readonly string _clientNonce;
    private readonly string _firstBare;
    private byte[]? _expectedServerSignature;

    /// <param name="extensions">Kafka's SCRAM extensions (for example tokenauth=true for delegation tokens).</param>
    public ScramClient(ScramMechanism mechanism, string username, string password, IReadOnlyDictionary<string, string>? extensions = null, string? nonce = null)
    {
        _mechanism = mechanism;
        _password = password;
        _clientNonce = nonce ?? Scram.Nonce();
        var bare = new StringBuilder().Append("n=").Append(Scram.EscapeName(username)).Append(",r=").Append(_clientNonce);
        foreach (var (k, v) in extensions ?? new Dictionary<string, string>()) bare.Append(',').Append(k).Append('=').Append(v);
        _firstBare = bare.ToString();
    }

    public byte[] FirstMessage() => Encoding.UTF8.GetBytes("n,," + _firstBare);

    public byte[] FinalMessage(ReadOnlySpan<byte> serverFirstMessage)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstMessage);
        var a = Scram.Attributes(serverFirst);
        if (a is not null && a.TryGetValue('e', out var error)) throw new ScramException($"the server refused: {error}");
        if (a is null || !a.TryGetValue('r', out var nonce) || !a.TryGetValue('s', out var salt64) || !a.TryGetValue('i', out var iter)
            || !int.TryParse(iter, out var iterations) || iterations < 1)
        {
            throw new ScramException("the server's first message is not a SCRAM server-first-message");
        }
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
            throw new ScramException("the server's nonce does not extend the client's");
        if (iterations < Scram.MinIterations)
            throw new ScramException($"the server asks for {iterations} iterations, fewer than the minimum {Scram.MinIterations}");
        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(salt64);
        }
        catch (FormatException)
        {
            throw new ScramException("the server's salt is not base64");
        }
        var withoutProof = "c=biws,r=" + nonce; // biws = base64("n,,"): no channel binding
        var authMessage = Encoding.UTF8.GetBytes(_firstBare + "," + serverFirst + "," + withoutProof);
        var salted = Scram.SaltedPassword(_mechanism, _password, salt, iterations);
        var clientKey = Scram.Hmac(_mechanism, salted, "Client Key"u8.ToArray());
        var storedKey = Scram.H(_mechanism, clientKey);
        var proof = Scram.Xor(clientKey, Scram.Hmac(_mechanism, storedKey, authMessage));
        _expectedServerSignature = Scram.Hmac(_mechanism, Scram.Hmac(_mechanism, salted, "Server Key"u8.ToArray()), authMessage);
        return Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof));
    }

    public void VerifyServerFinal(ReadOnlySpan<byte> serverFinalMessage)
    {
        var a = Scram.Attributes(Encoding.UTF8.GetString(serverFinalMessage));
        if (a is not null && a.TryGetValue('e', out var error)) throw new ScramException($"the server refused: {error}");
        if (_expectedServerSignature is null || a is null || !a.TryGetValue('v', out var v64))
            throw new ScramException("the server's final message is not a SCRAM server-final-message");
        byte[] v;
        try
        {
            v = Convert.FromBase64String(v64);
        }
        catch (FormatException)
        {
            throw new ScramException("the server's signature is not base64");
        }
        if (!CryptographicOperations.FixedTimeEquals(v, _expectedServerSignature))
            throw new ScramException("the server's signature is wrong: it does not know this user's credential");
    }
}

/// <summary>
/// The server side of one SCRAM exchange: <see cref="ServerFirst"/> for the client's first message, then
/// <see cref="ServerFinal"/> for its final message; <see cref="Username"/> is set once the proof checks out.
/// </summary>
public sealed class ScramServer
{
    private readonly ScramMechanism _mechanism;
    private readonly Func<string, ScramCredential?> _credentials;
    private readonly string _serverNonce;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private string? _user;
    private ScramCredential? _credential;

    public ScramServer(ScramMechanism mechanism, Func<string, ScramCredential?> credentials, string? nonce = null)
    {
        _mechanism = mechanism;
        _credentials = credentials;
        _serverNonce = nonce ?? Scram.Nonce();
    }

    /// <summary>The authenticated user, once <see cref="ServerFinal"/> succeeded.</summary>
    public string? Username { get; private set; }

    /// <summary>The extensions the client sent in its first message (Kafka's tokenauth, for example).</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; private set; } = new Dictionary<string, string>();

    public byte[] ServerFirst(ReadOnlySpan<byte> clientFirstMessage)
    {
        var text = Encoding.UTF8.GetString(clientFirstMessage);
        // gs2-header: "n,," (no channel binding) or "y,,"; an authzid, if given, must name the same user (as Kafka).
        var parts = text.Split(',', 3);
        if (parts.Length < 3 || parts[0] is not ("n" or "y")) throw new ScramException("Invalid SCRAM client first message: unsupported channel binding");
        _clientFirstBare = parts[2];
        var attributes = _clientFirstBare.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
            throw new ScramException("Invalid SCRAM client first message");
        _user = Scram.UnescapeName(attributes[0][2..]) ?? throw new ScramException("Invalid SCRAM user name");
        var authzid = parts[1].StartsWith("a=", StringComparison.Ordinal) ? Scram.UnescapeName(parts[1][2..]) : null;
        if (authzid is not null && authzid != _user) throw new ScramException("Authentication failed: Client requested an authorization id that is different from username");
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ext in attributes.Skip(2))
        {
            var eq = ext.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) extensions[ext[..eq]] = ext[(eq + 1)..];
        }
        Extensions = extensions;
        _credential = _credentials(_user);
        if (_credential is null || _credential.Mechanism != _mechanism) throw new ScramException("Authentication failed: Invalid user credentials");
        _nonce = attributes[1][2..] + _serverNonce;
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    public byte[] ServerFinal(ReadOnlySpan<byte> clientFinalMessage)
    {
        if (_credential is null || _serverFirst is null) throw new ScramException("SCRAM client final message before the first message");
        var text = Encoding.UTF8.GetString(clientFinalMessage);
        var proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        var a = proofAt < 0 ? null : Scram.Attributes(text);
        if (a is null || !a.TryGetValue('r', out var nonce) || !a.TryGetValue('p', out var proof64)) throw new ScramException("Invalid SCRAM client final message");
        // As Kafka's server, the client's nonce need only end with ours: librdkafka sends its own nonce again in front
        // of the combined one (and signs what it sent, so the proof still covers it).
        if (!nonce.EndsWith(_nonce!, StringComparison.Ordinal)) throw new ScramException("Invalid SCRAM client final message: nonce mismatch");
        var withoutProof = text[..proofAt];
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + _serverFirst + "," + withoutProof);
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(proof64);
        }
        catch (FormatException)
        {
            throw new ScramException("Invalid SCRAM client final message: proof is not base64");
        }
        var signature = Scram.Hmac(_mechanism, _credential.StoredKey, authMessage);
        if (proof.Length != signature.Length) throw new ScramException("Authentication failed: Invalid client final message");
        var clientKey = Scram.Xor(proof, signature);
        if (!CryptographicOperations.FixedTimeEquals(Scram.H(_mechanism, clientKey), _credential.StoredKey))
            throw new ScramException("Authentication failed: Invalid user credentials");
        Username = _user;
        return Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(Scram.Hmac(_mechanism, _credential.ServerKey, authMessage)));
    }
}
