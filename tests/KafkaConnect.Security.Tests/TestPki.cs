using System.Diagnostics;

namespace KafkaConnect.Security.Tests;

/// <summary>
/// Certificates made for a test by the real tools users make them with: openssl (a CA, a server certificate for
/// 127.0.0.1 and localhost, a client certificate, and a second CA nobody trusts) and Java's keytool (JKS stores).
/// Shared with other test projects by linking this file. Every store's password is <see cref="Password"/>.
/// </summary>
public sealed class TestPki
{
    public const string Password = "store-secret";

    private TestPki(string dir) => Dir = dir;

    public string Dir { get; }

    public string CaCert => Path.Combine(Dir, "ca.pem");
    public string ServerCert => Path.Combine(Dir, "server.pem");
    public string ServerKey => Path.Combine(Dir, "server.key");
    /// <summary>The server key encrypted (PKCS#8) with <see cref="Password"/>.</summary>
    public string ServerKeyEncrypted => Path.Combine(Dir, "server-enc.key");
    /// <summary>Key and certificate chain in one PEM file (ssl.keystore.type=PEM).</summary>
    public string ServerKeyAndChainPem => Path.Combine(Dir, "server-keystore.pem");
    public string ServerP12 => Path.Combine(Dir, "server.p12");
    public string ServerJks => Path.Combine(Dir, "server.jks");
    public string ClientCert => Path.Combine(Dir, "client.pem");
    public string ClientKey => Path.Combine(Dir, "client.key");
    public string ClientP12 => Path.Combine(Dir, "client.p12");
    public string ClientJks => Path.Combine(Dir, "client.jks");
    public string TrustJks => Path.Combine(Dir, "truststore.jks");
    public string TrustP12 => Path.Combine(Dir, "truststore.p12");
    /// <summary>A CA that signed nothing here: trusting only it means distrusting the server.</summary>
    public string OtherCaCert => Path.Combine(Dir, "other-ca.pem");
    public string OtherTrustJks => Path.Combine(Dir, "other-truststore.jks");
    /// <summary>A certificate for another host name (wrong.example), signed by the CA.</summary>
    public string WrongHostCert => Path.Combine(Dir, "wronghost.pem");
    public string WrongHostKey => Path.Combine(Dir, "wronghost.key");

    private static readonly SemaphoreSlim s_lock = new(1, 1);
    private static TestPki? s_shared;

    /// <summary>One set per test run (making keys takes a few seconds); tests must not change the files.</summary>
    public static async Task<TestPki> SharedAsync()
    {
        await s_lock.WaitAsync();
        try
        {
            return s_shared ??= await CreateAsync(Path.Combine(Path.GetTempPath(), "kconnect-pki-" + Guid.NewGuid().ToString("N")[..8]));
        }
        finally
        {
            s_lock.Release();
        }
    }

    public static async Task<TestPki> CreateAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        var pki = new TestPki(dir);
        var pw = "pass:" + Password;
        async Task Openssl(params string[] args) => await RunAsync("openssl", dir, args);
        async Task Keytool(params string[] args) => await RunAsync("keytool", dir, args);

        await Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA", "-keyout", "ca.key", "-out", "ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        await Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA", "-keyout", "other-ca.key", "-out", "other-ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        await Leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth");
        await Leaf("client", "/CN=client", "extendedKeyUsage=clientAuth");
        await Leaf("wronghost", "/CN=wrong.example", "subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth");
        await Openssl("pkcs8", "-topk8", "-in", "server.key", "-out", "server-enc.key", "-passout", pw, "-v2", "aes-256-cbc");
        await File.WriteAllTextAsync(pki.ServerKeyAndChainPem,
            await File.ReadAllTextAsync(pki.ServerKey) + await File.ReadAllTextAsync(pki.ServerCert) + await File.ReadAllTextAsync(pki.CaCert));
        foreach (var name in new[] { "server", "client" })
        {
            await Openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-certfile", "ca.pem", "-name", name, "-out", name + ".p12", "-passout", pw);
            await Keytool("-importkeystore", "-srckeystore", name + ".p12", "-srcstoretype", "PKCS12", "-srcstorepass", Password,
                "-destkeystore", name + ".jks", "-deststoretype", "JKS", "-deststorepass", Password, "-destkeypass", Password, "-noprompt");
        }
        await Keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.jks", "-storetype", "JKS", "-storepass", Password, "-noprompt");
        await Keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12", "-storetype", "PKCS12", "-storepass", Password, "-noprompt");
        await Keytool("-importcert", "-alias", "other", "-file", "other-ca.pem", "-keystore", "other-truststore.jks", "-storetype", "JKS", "-storepass", Password, "-noprompt");
        return pki;

        async Task Leaf(string name, string subject, string extensions)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name + ".ext"), extensions + "\n");
            await Openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key", "-out", name + ".csr");
            await Openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", name + ".ext", "-out", name + ".pem");
        }
    }

    private static async Task RunAsync(string tool, string dir, string[] args)
    {
        var psi = new ProcessStartInfo(tool) { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{tool} is needed to make the test certificates and is not installed (scripts/test.sh installs it).", ex);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
