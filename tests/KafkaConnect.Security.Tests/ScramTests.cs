using System.Text;

namespace KafkaConnect.Security.Tests;

/// <summary>SCRAM against the published test vector of RFC 7677 and against itself, with the failures a server must catch.</summary>
public sealed class ScramTests
{
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    [Fact]
    public void Client_produces_the_rfc7677_messages()
    {
        var client = new ScramClient(ScramMechanism.Sha256, "user", "pencil", nonce: ClientNonce);
        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Encoding.UTF8.GetString(client.FirstMessage()));
        var final = client.FinalMessage(Encoding.UTF8.GetBytes(ServerFirst));
        Assert.Equal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", Encoding.UTF8.GetString(final));
        client.VerifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="u8);
        Assert.Throws<ScramException>(() => client.VerifyServerFinal("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="u8));
    }

    [Fact]
    public void Server_verifies_the_rfc7677_proof_from_a_stored_credential()
    {
        var credential = Scram.CreateCredential(ScramMechanism.Sha256, "pencil", 4096, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="));
        var server = new ScramServer(ScramMechanism.Sha256, name => name == "user" ? credential : null, nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        Assert.Equal(ServerFirst, Encoding.UTF8.GetString(server.ServerFirst("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"u8)));
        var final = server.ServerFinal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="u8);
        Assert.Equal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Encoding.UTF8.GetString(final));
        Assert.Equal("user", server.Username);
    }

    [Theory]
    [InlineData(ScramMechanism.Sha256)]
    [InlineData(ScramMechanism.Sha512)]
    public void Client_and_server_agree_and_a_wrong_password_fails(ScramMechanism mechanism)
    {
        var credential = Scram.CreateCredential(mechanism, "alice-secret", 4096);
        ScramCredential? Lookup(string name) => name == "al,i=ce" ? credential : null;

        var client = new ScramClient(mechanism, "al,i=ce", "alice-secret");
        var server = new ScramServer(mechanism, Lookup);
        var final = server.ServerFinal(client.FinalMessage(server.ServerFirst(client.FirstMessage())));
        client.VerifyServerFinal(final);
        Assert.Equal("al,i=ce", server.Username);

        var wrong = new ScramClient(mechanism, "al,i=ce", "wrong");
        var server2 = new ScramServer(mechanism, Lookup);
        var ex = Assert.Throws<ScramException>(() => server2.ServerFinal(wrong.FinalMessage(server2.ServerFirst(wrong.FirstMessage()))));
        Assert.Contains("Invalid user credentials", ex.Message, StringComparison.Ordinal);
        Assert.Null(server2.Username);

        var unknown = new ScramClient(mechanism, "bob", "x");
        Assert.Throws<ScramException>(() => new ScramServer(mechanism, Lookup).ServerFirst(unknown.FirstMessage()));
    }

    [Fact]
    public void Credential_from_the_salted_password_matches_the_one_from_the_password()
    {
        var salt = new byte[] { 1, 2, 3, 4 };
        var direct = Scram.CreateCredential(ScramMechanism.Sha512, "pw", 8192, salt);
        var viaSalted = Scram.FromSaltedPassword(ScramMechanism.Sha512, salt, Scram.SaltedPassword(ScramMechanism.Sha512, "pw", salt, 8192), 8192);
        Assert.Equal(direct.StoredKey, viaSalted.StoredKey);
        Assert.Equal(direct.ServerKey, viaSalted.ServerKey);
        Assert.Equal(64, direct.StoredKey.Length);
    }

    [Fact]
    public void Client_refuses_a_server_that_weakens_the_exchange()
    {
        var client = new ScramClient(ScramMechanism.Sha256, "user", "pencil", nonce: ClientNonce);
        client.FirstMessage();
        Assert.Contains("nonce", Assert.Throws<ScramException>(() => client.FinalMessage("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"u8)).Message, StringComparison.Ordinal);
        Assert.Contains("iterations", Assert.Throws<ScramException>(() => client.FinalMessage("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1"u8)).Message, StringComparison.Ordinal);
        Assert.Contains("refused", Assert.Throws<ScramException>(() => client.FinalMessage("e=unknown-user"u8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_refuses_malformed_and_replayed_messages()
    {
        var credential = Scram.CreateCredential(ScramMechanism.Sha256, "pw", 4096);
        var server = new ScramServer(ScramMechanism.Sha256, _ => credential);
        Assert.Throws<ScramException>(() => server.ServerFirst("garbage"u8));
        Assert.Throws<ScramException>(() => server.ServerFinal("c=biws,r=x,p=AAAA"u8));
        var client = new ScramClient(ScramMechanism.Sha256, "u", "pw");
        server.ServerFirst(client.FirstMessage());
        Assert.Contains("nonce", Assert.Throws<ScramException>(() => server.ServerFinal("c=biws,r=other,p=AAAA"u8)).Message, StringComparison.Ordinal);
    }
}
