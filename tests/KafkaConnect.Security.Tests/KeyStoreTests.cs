using System.Security.Cryptography.X509Certificates;

namespace KafkaConnect.Security.Tests;

/// <summary>Stores made by openssl and Java's keytool, opened as Kafka's ssl.* settings name them.</summary>
public sealed class KeyStoreTests
{
    [Theory]
    [InlineData("JKS")]
    [InlineData("PKCS12")]
    public async Task Key_store_made_by_keytool_or_openssl_yields_the_server_key_and_chain(string type)
    {
        var pki = await TestPki.SharedAsync();
        var key = KeyStores.LoadKeyStore(type, type == "JKS" ? pki.ServerJks : pki.ServerP12, TestPki.Password, null);
        Assert.True(key.Certificate.HasPrivateKey);
        Assert.Equal("CN=localhost", key.Certificate.Subject);
        Assert.Contains(key.Chain.Cast<X509Certificate2>(), c => c.Subject == "CN=Test CA");
        using var rsa = key.Certificate.GetRSAPrivateKey();
        Assert.NotNull(rsa);
        byte[] data = [1, 2, 3];
        var signature = rsa.SignData(data, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var pub = key.Certificate.GetRSAPublicKey()!;
        Assert.True(pub.VerifyData(data, signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1));
    }

    [Theory]
    [InlineData("JKS")]
    [InlineData("PKCS12")]
    [InlineData("PEM")]
    public async Task Trust_store_holds_the_ca(string type)
    {
        var pki = await TestPki.SharedAsync();
        var path = type switch { "JKS" => pki.TrustJks, "PKCS12" => pki.TrustP12, _ => pki.CaCert };
        var trusted = KeyStores.LoadTrustStore(type, path, type == "PEM" ? null : TestPki.Password);
        Assert.Contains(trusted.Cast<X509Certificate2>(), c => c.Subject == "CN=Test CA");
    }

    [Fact]
    public async Task Jks_trust_store_without_a_password_is_read_without_the_integrity_check_as_java_does()
    {
        var pki = await TestPki.SharedAsync();
        Assert.Single(KeyStores.LoadTrustStore("JKS", pki.TrustJks, null));
    }

    [Fact]
    public async Task Wrong_trust_store_password_names_the_password_key()
    {
        var pki = await TestPki.SharedAsync();
        var jks = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadTrustStore("JKS", pki.TrustJks, "wrong"));
        Assert.Equal("ssl.truststore.password", jks.Key);
        Assert.Contains("wrong password", jks.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong\"", jks.Message, StringComparison.Ordinal);
        var p12 = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadTrustStore("PKCS12", pki.TrustP12, "wrong"));
        Assert.Equal("ssl.truststore.password", p12.Key);
    }

    [Fact]
    public async Task Wrong_key_password_in_a_jks_names_ssl_key_password()
    {
        var pki = await TestPki.SharedAsync();
        var ex = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadKeyStore("JKS", pki.ServerJks, TestPki.Password, "not-the-key-password"));
        Assert.Equal("ssl.key.password", ex.Key);
    }

    [Fact]
    public async Task A_file_that_is_not_a_jks_store_says_what_it_is()
    {
        var pki = await TestPki.SharedAsync();
        var p12 = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadKeyStore("JKS", pki.ServerP12, TestPki.Password, null));
        Assert.Equal("ssl.keystore.location", p12.Key);
        Assert.Contains("PKCS12", p12.Message, StringComparison.Ordinal);
        var pem = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadTrustStore("JKS", pki.CaCert, TestPki.Password));
        Assert.Contains("PEM", pem.Message, StringComparison.Ordinal);
        var junk = Path.Combine(pki.Dir, "junk-" + Guid.NewGuid().ToString("N") + ".jks");
        File.WriteAllText(junk, "this is not a keystore at all, just text");
        var text = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadTrustStore("JKS", junk, TestPki.Password));
        Assert.Contains("not a JKS key store", text.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_names_the_location_key()
    {
        var ex = Assert.Throws<SecurityConfigException>(() => KeyStores.LoadKeyStore("PKCS12", "/nonexistent/ks.p12", "x", null));
        Assert.Equal("ssl.keystore.location", ex.Key);
        Assert.Contains("/nonexistent/ks.p12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pem_key_store_in_one_file_and_encrypted_inline_key_with_ssl_key_password()
    {
        var pki = await TestPki.SharedAsync();
        var file = KeyStores.LoadKeyStore("PEM", pki.ServerKeyAndChainPem, null, null);
        Assert.True(file.Certificate.HasPrivateKey);
        Assert.Single(file.Chain);
        var inline = KeyStores.Pem(File.ReadAllText(pki.ServerCert), File.ReadAllText(pki.ServerKeyEncrypted), TestPki.Password,
            "ssl.keystore.certificate.chain", "ssl.keystore.key");
        Assert.True(inline.Certificate.HasPrivateKey);
        var wrong = Assert.Throws<SecurityConfigException>(() => KeyStores.Pem(File.ReadAllText(pki.ServerCert), File.ReadAllText(pki.ServerKeyEncrypted),
            "wrong", "ssl.keystore.certificate.chain", "ssl.keystore.key"));
        Assert.Equal("ssl.keystore.key", wrong.Key);
        var mismatched = Assert.Throws<SecurityConfigException>(() => KeyStores.Pem(File.ReadAllText(pki.ServerCert), File.ReadAllText(pki.ClientKey),
            null, "ssl.keystore.certificate.chain", "ssl.keystore.key"));
        Assert.Equal("ssl.keystore.key", mismatched.Key);
    }
}
