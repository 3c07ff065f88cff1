using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KafkaConnect.Security;

/// <summary>A TLS setting is wrong; <see cref="Key"/> names it (without any prefix such as <c>producer.</c>).</summary>
public sealed class SecurityConfigException : Exception
{
    public SecurityConfigException(string key, string message, Exception? inner = null) : base($"{key}: {message}", inner) => Key = key;

    public string Key { get; }
}

/// <summary>A certificate with its private key and the rest of its chain.</summary>
public sealed record KeyMaterial(X509Certificate2 Certificate, X509Certificate2Collection Chain);

/// <summary>
/// Loads Kafka's key and trust stores: JKS (Java's own format, Kafka's default type), PKCS12 and PEM, from a file or
/// (PEM) inline in the config. Errors name the config key and say what is wrong, never the password.
/// </summary>
public static class KeyStores
{
    private const uint JksMagic = 0xFEEDFEED;
    private const uint JceksMagic = 0xCECECECE;

    /// <summary>The certificates of a trust store (every certificate entry, and the chains of key entries, as Java trusts).</summary>
    public static X509Certificate2Collection LoadTrustStore(string type, string path, string? password, string prefix = "ssl.truststore.")
    {
        var bytes = ReadFile(path, prefix + "location");
        switch (type.ToUpperInvariant())
        {
            case "JKS":
                return Jks(bytes, path, password, prefix, keyPassword: null, wantKeys: false).Trusted;
            case "PKCS12":
            case "P12":
                try
                {
                    return X509CertificateLoader.LoadPkcs12Collection(bytes, password, X509KeyStorageFlags.DefaultKeySet);
                }
                catch (CryptographicException ex)
                {
                    throw new SecurityConfigException(prefix + "password", $"cannot open the PKCS12 trust store {path}: wrong password, or not a PKCS12 file ({ex.Message})", ex);
                }
            case "PEM":
                return PemCertificates(Encoding.UTF8.GetString(bytes), prefix + "location", path);
            default:
                throw new SecurityConfigException(prefix + "type", $"'{type}' is not a supported store type; use JKS, PKCS12 or PEM.");
        }
    }

    /// <summary>Certificates given inline (<c>ssl.truststore.certificates</c>): one or more PEM blocks.</summary>
    public static X509Certificate2Collection PemCertificates(string pem, string key, string? path = null)
    {
        var result = new X509Certificate2Collection();
        try
        {
            result.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new SecurityConfigException(key, $"{Where(path)}holds a malformed PEM certificate ({ex.Message})", ex);
        }
        return result.Count > 0 ? result : throw new SecurityConfigException(key, $"{Where(path)}holds no '-----BEGIN CERTIFICATE-----' block.");
    }

    /// <summary>The private key entry of a key store (the first one, as Java's key manager picks when there is one).</summary>
    public static KeyMaterial LoadKeyStore(string type, string path, string? password, string? keyPassword, string prefix = "ssl.keystore.")
    {
        var bytes = ReadFile(path, prefix + "location");
        switch (type.ToUpperInvariant())
        {
            case "JKS":
                var jks = Jks(bytes, path, password, prefix, keyPassword ?? password, wantKeys: true);
                return jks.Key ?? throw new SecurityConfigException(prefix + "location", $"the JKS key store {path} holds no private key entry.");
            case "PKCS12":
            case "P12":
                X509Certificate2Collection all;
                try
                {
                    all = X509CertificateLoader.LoadPkcs12Collection(bytes, password, X509KeyStorageFlags.Exportable);
                }
                catch (CryptographicException ex)
                {
                    throw new SecurityConfigException(prefix + "password", $"cannot open the PKCS12 key store {path}: wrong password, or not a PKCS12 file ({ex.Message})", ex);
                }
                var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                    ?? throw new SecurityConfigException(prefix + "location", $"the PKCS12 key store {path} holds no private key.");
                var chain = new X509Certificate2Collection();
                foreach (var c in all) if (!ReferenceEquals(c, leaf)) chain.Add(c);
                return new KeyMaterial(leaf, chain);
            case "PEM":
                var text = Encoding.UTF8.GetString(bytes);
                return Pem(text, text, keyPassword, prefix + "location", prefix + "location", path);
            default:
                throw new SecurityConfigException(prefix + "type", $"'{type}' is not a supported store type; use JKS, PKCS12 or PEM.");
        }
    }

    /// <summary>
    /// A key and its certificate chain in PEM (<c>ssl.keystore.key</c> and <c>ssl.keystore.certificate.chain</c>); the key may
    /// be an encrypted PKCS#8 key, opened with <c>ssl.key.password</c>.
    /// </summary>
    public static KeyMaterial Pem(string chainPem, string keyPem, string? keyPassword, string chainKey, string keyKey, string? path = null)
    {
        var certs = PemCertificates(chainPem, chainKey, path);
        var leaf = certs[0];
        try
        {
            var withKey = keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromEncryptedPem(leaf.ExportCertificatePem(), keyPem, keyPassword ?? throw new SecurityConfigException("ssl.key.password", "is required: the PEM private key is encrypted."))
                : X509Certificate2.CreateFromPem(leaf.ExportCertificatePem(), keyPem);
            var chain = new X509Certificate2Collection();
            for (var i = 1; i < certs.Count; i++) chain.Add(certs[i]);
            return new KeyMaterial(Ephemeral(withKey), chain);
        }
        catch (CryptographicException ex)
        {
            throw new SecurityConfigException(keyKey, $"{Where(path)}holds no private key that matches the certificate, or it cannot be decrypted with ssl.key.password ({ex.Message})", ex);
        }
        catch (ArgumentException ex)
        {
            throw new SecurityConfigException(keyKey, $"{Where(path)}holds no usable PEM private key ({ex.Message})", ex);
        }
    }

    private static string Where(string? path) => path is null ? "" : $"{path} ";

    // SslStream on some platforms cannot use a key that lives only in memory; a PKCS12 round trip gives it a usable handle.
    private static X509Certificate2 Ephemeral(X509Certificate2 cert) =>
        X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

    private static byte[] ReadFile(string path, string key)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new SecurityConfigException(key, $"cannot read {path}: {ex.Message}", ex);
        }
    }

    private sealed record JksContents(X509Certificate2Collection Trusted, KeyMaterial? Key);

    // Java's JKS layout (sun.security.provider.JavaKeyStore): magic FEEDFEED, version, entry count, entries (1 = private
    // key with its chain, 2 = trusted certificate), then SHA-1 over (password as UTF-16BE, "Mighty Aphrodite", all before).
    private static JksContents Jks(byte[] data, string path, string? password, string prefix, string? keyPassword, bool wantKeys)
    {
        var kind = wantKeys ? "key store" : "trust store";
        if (data.Length < 12 + 20 || BinaryPrimitives.ReadUInt32BigEndian(data) is var magic && magic != JksMagic)
        {
            var what = data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data) == JceksMagic ? "a JCEKS store (convert it to PKCS12 with keytool -importkeystore)"
                : data.Length >= 2 && data[0] == 0x30 ? "not JKS (it looks like PKCS12: set " + prefix + "type=PKCS12)"
                : data.AsSpan().IndexOf("-----BEGIN"u8) >= 0 ? "not JKS (it holds PEM: set " + prefix + "type=PEM)"
                : "not a JKS key store";
            throw new SecurityConfigException(prefix + "location", $"the {kind} {path} is {what}.");
        }
        if (password is not null)
        {
            var pw = Encoding.BigEndianUnicode.GetBytes(password);
            var body = data.AsSpan(0, data.Length - 20);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha.AppendData(pw);
            sha.AppendData("Mighty Aphrodite"u8);
            sha.AppendData(body);
            if (!sha.GetHashAndReset().AsSpan().SequenceEqual(data.AsSpan(data.Length - 20)))
                throw new SecurityConfigException(prefix + "password", $"wrong password for the JKS {kind} {path} (its integrity check fails).");
        }
        var r = new JksReader(data, data.Length - 20, path, prefix + "location");
        r.U32();
        var version = r.U32();
        if (version is not (1 or 2)) throw new SecurityConfigException(prefix + "location", $"the JKS {kind} {path} has unknown version {version}.");
        var count = r.U32();
        var trusted = new X509Certificate2Collection();
        KeyMaterial? key = null;
        for (var i = 0; i < count; i++)
        {
            var tag = r.U32();
            var alias = r.Utf();
            r.Skip(8); // creation date
            if (tag == 1)
            {
                var encrypted = r.Bytes((int)r.U32());
                var chainLength = (int)r.U32();
                var chain = new X509Certificate2Collection();
                for (var c = 0; c < chainLength; c++) chain.Add(r.Certificate(version));
                foreach (var c in chain) trusted.Add(c);
                if (wantKeys && key is null && chain.Count > 0)
                {
                    var pkcs8 = RecoverKey(encrypted, keyPassword, alias, path);
                    var leaf = WithKey(chain[0], pkcs8, alias, path);
                    var rest = new X509Certificate2Collection();
                    for (var c = 1; c < chain.Count; c++) rest.Add(chain[c]);
                    key = new KeyMaterial(leaf, rest);
                }
            }
            else if (tag == 2)
            {
                trusted.Add(r.Certificate(version));
            }
            else
            {
                throw new SecurityConfigException(prefix + "location", $"the JKS {kind} {path} has an entry of unknown kind {tag} ('{alias}').");
            }
        }
        return new JksContents(trusted, key);
    }

    // The key protector of JKS (sun.security.provider.KeyProtector): salt(20) | key XOR SHA-1 keystream | SHA-1 check.
    private static byte[] RecoverKey(byte[] encryptedPrivateKeyInfo, string? password, string alias, string path)
    {
        if (password is null) throw new SecurityConfigException("ssl.keystore.password", $"is required to open the private key '{alias}' in {path}.");
        byte[] blob;
        try
        {
            var reader = new AsnReader(encryptedPrivateKeyInfo, AsnEncodingRules.BER);
            var seq = reader.ReadSequence();
            var algorithm = seq.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            if (oid != "1.3.6.1.4.1.42.2.17.1.1")
                throw new SecurityConfigException("ssl.keystore.location", $"the private key '{alias}' in {path} is protected with {oid}, not Java's JKS key protector.");
            blob = seq.ReadOctetString();
        }
        catch (AsnContentException ex)
        {
            throw new SecurityConfigException("ssl.keystore.location", $"the private key '{alias}' in {path} is malformed ({ex.Message}).", ex);
        }
        if (blob.Length < 40) throw new SecurityConfigException("ssl.keystore.location", $"the private key '{alias}' in {path} is truncated.");
        var pw = Encoding.BigEndianUnicode.GetBytes(password);
        var salt = blob.AsSpan(0, 20);
        var encrypted = blob.AsSpan(20, blob.Length - 40);
        var check = blob.AsSpan(blob.Length - 20);
        var plain = new byte[encrypted.Length];
        var digest = salt.ToArray();
        for (var at = 0; at < plain.Length; at += 20)
        {
            digest = SHA1.HashData([.. pw, .. digest]);
            for (var i = 0; i < 20 && at + i < plain.Length; i++) plain[at + i] = (byte)(encrypted[at + i] ^ digest[i]);
        }
        if (!SHA1.HashData([.. pw, .. plain]).AsSpan().SequenceEqual(check))
            throw new SecurityConfigException("ssl.key.password", $"cannot recover the private key '{alias}' in {path}: wrong key password (ssl.key.password, or ssl.keystore.password when it is not set).");
        return plain;
    }

    private static X509Certificate2 WithKey(X509Certificate2 cert, byte[] pkcs8, string alias, string path)
    {
        try
        {
            X509Certificate2 withKey;
            switch (cert.PublicKey.Oid.Value)
            {
                case "1.2.840.113549.1.1.1": // RSA
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                        withKey = cert.CopyWithPrivateKey(rsa);
                    }
                    break;
                case "1.2.840.10045.2.1": // EC
                    using (var ec = ECDsa.Create())
                    {
                        ec.ImportPkcs8PrivateKey(pkcs8, out _);
                        withKey = cert.CopyWithPrivateKey(ec);
                    }
                    break;
                default:
                    throw new SecurityConfigException("ssl.keystore.location", $"the private key '{alias}' in {path} is of a kind not supported here ({cert.PublicKey.Oid.FriendlyName}); use RSA or EC.");
            }
            return Ephemeral(withKey);
        }
        catch (CryptographicException ex)
        {
            throw new SecurityConfigException("ssl.keystore.location", $"the private key '{alias}' in {path} does not match its certificate or is malformed ({ex.Message}).", ex);
        }
    }

    private ref struct JksReader(byte[] data, int end, string path, string key)
    {
        private int _pos;

        private readonly SecurityConfigException Truncated() => new(key, $"{path} is truncated or not a JKS key store.");

        public uint U32()
        {
            if (_pos + 4 > end) throw Truncated();
            var v = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_pos));
            _pos += 4;
            return v;
        }

        public void Skip(int n)
        {
            if (_pos + n > end) throw Truncated();
            _pos += n;
        }

        public byte[] Bytes(int n)
        {
            if (n < 0 || _pos + n > end) throw Truncated();
            var b = data.AsSpan(_pos, n).ToArray();
            _pos += n;
            return b;
        }

        // Java's modified UTF-8 with a 2-byte length; aliases are plain text in practice.
        public string Utf()
        {
            if (_pos + 2 > end) throw Truncated();
            var n = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(_pos));
            _pos += 2;
            return Encoding.UTF8.GetString(Bytes(n));
        }

        public X509Certificate2 Certificate(uint version)
        {
            if (version == 2)
            {
                var type = Utf();
                if (type != "X.509") throw new SecurityConfigException(key, $"{path} holds a certificate of type {type}, not X.509.");
            }
            var der = Bytes((int)U32());
            try
            {
                return X509CertificateLoader.LoadCertificate(der);
            }
            catch (CryptographicException ex)
            {
                throw new SecurityConfigException(key, $"{path} holds a malformed certificate ({ex.Message}).", ex);
            }
        }
    }
}
