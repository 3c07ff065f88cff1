using KafkaConnect.Broker.Security;
using KafkaConnect.Broker.Tests.Handlers;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Tests.Security;

/// <summary>AlterUserScramCredentials and DescribeUserScramCredentials with Kafka's rules, and the durable store behind them.</summary>
public sealed class ScramCredentialTests : HandlerTestBase
{
    private static readonly byte[] Salt = [9, 8, 7, 6, 5, 4, 3, 2];

    private Task<AlterUserScramCredentialsResponse> AlterAsync(AlterUserScramCredentialsRequest request) =>
        Broker.SendAsync<AlterUserScramCredentialsResponse>(ApiKey.AlterUserScramCredentials, 0, request);

    private Task<DescribeUserScramCredentialsResponse> DescribeAsync(params string[]? users) =>
        Broker.SendAsync<DescribeUserScramCredentialsResponse>(ApiKey.DescribeUserScramCredentials, 0, new DescribeUserScramCredentialsRequest
        {
            Users = users?.Select(u => new DescribeUserScramCredentialsRequest.UserName { Name = u }).ToList(),
        });

    [Fact]
    public async Task Credentials_survive_a_restart_and_describe_shows_mechanisms_and_iterations_only()
    {
        var alter = await AlterAsync(new AlterUserScramCredentialsRequest
        {
            Upsertions =
            [
                SaslTests.Upsert("alice", ScramMechanism.Sha256, "a", 4096, Salt),
                SaslTests.Upsert("alice", ScramMechanism.Sha512, "a", 8192, Salt),
                SaslTests.Upsert("bob", ScramMechanism.Sha512, "b", 16384, Salt),
            ],
        });
        Assert.All(alter.Results, r => Assert.Equal(0, r.ErrorCode));
        Assert.Equal(["alice", "bob"], alter.Results.Select(r => r.User));

        await Broker.RestartAsync();

        var all = await DescribeAsync(null);
        Assert.Equal(["alice", "bob"], all.Results.Select(r => r.User));
        var alice = all.Results[0];
        Assert.Equal([(1, 4096), (2, 8192)], alice.CredentialInfos.Select(i => ((int)i.Mechanism, i.Iterations)));
        Assert.NotNull(Broker.State.Scram.Get("bob", ScramMechanism.Sha512));
        var expected = Scram.FromSaltedPassword(ScramMechanism.Sha512, Salt, Scram.SaltedPassword(ScramMechanism.Sha512, "b", Salt, 16384), 16384);
        Assert.Equal(expected.StoredKey, Broker.State.Scram.Get("bob", ScramMechanism.Sha512)!.StoredKey);

        // A deletion is durable too.
        var delete = await AlterAsync(new AlterUserScramCredentialsRequest
        {
            Deletions = [new AlterUserScramCredentialsRequest.ScramCredentialDeletion { Name = "bob", Mechanism = 2 }],
        });
        Assert.Equal(0, Assert.Single(delete.Results).ErrorCode);
        await Broker.RestartAsync();
        Assert.Equal(["alice"], (await DescribeAsync(null)).Results.Select(r => r.User));
        Assert.DoesNotContain("\"b\"", await File.ReadAllTextAsync(Path.Combine(Broker.DataDir, ScramCredentialStore.FileName)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4095, ErrorCode.UnacceptableCredential)]
    [InlineData(16385, ErrorCode.UnacceptableCredential)]
    [InlineData(4096, ErrorCode.None)]
    public async Task Iterations_outside_4096_to_16384_are_unacceptable(int iterations, ErrorCode expected)
    {
        var alter = await AlterAsync(new AlterUserScramCredentialsRequest { Upsertions = [SaslTests.Upsert("u", ScramMechanism.Sha256, "p", iterations, Salt)] });
        Assert.Equal((short)expected, Assert.Single(alter.Results).ErrorCode);
        Assert.Equal(expected == ErrorCode.None, Broker.State.Scram.Get("u", ScramMechanism.Sha256) is not null);
    }

    [Fact]
    public async Task Kafkas_errors_for_an_unknown_mechanism_a_duplicate_and_a_missing_credential()
    {
        var unknown = SaslTests.Upsert("m", ScramMechanism.Sha256, "p", 4096, Salt);
        unknown.Mechanism = 3;
        var alter = await AlterAsync(new AlterUserScramCredentialsRequest
        {
            Upsertions = [unknown, SaslTests.Upsert("d", ScramMechanism.Sha256, "p", 4096, Salt), SaslTests.Upsert("d", ScramMechanism.Sha256, "q", 4096, Salt),
                SaslTests.Upsert("ok", ScramMechanism.Sha256, "p", 4096, Salt)],
            Deletions = [new AlterUserScramCredentialsRequest.ScramCredentialDeletion { Name = "ghost", Mechanism = 1 }],
        });
        var byUser = alter.Results.ToDictionary(r => r.User, r => (ErrorCode)r.ErrorCode);
        Assert.Equal(ErrorCode.UnsupportedSaslMechanism, byUser["m"]);
        Assert.Equal(ErrorCode.DuplicateResource, byUser["d"]);
        Assert.Equal(ErrorCode.ResourceNotFound, byUser["ghost"]);
        Assert.Equal(ErrorCode.None, byUser["ok"]);
        Assert.Null(Broker.State.Scram.Get("d", ScramMechanism.Sha256));

        var describe = await DescribeAsync("ok", "nobody", "ok");
        var results = describe.Results.ToDictionary(r => r.User, r => (ErrorCode)r.ErrorCode);
        Assert.Equal(ErrorCode.DuplicateResource, results["ok"]);
        Assert.Equal(ErrorCode.ResourceNotFound, results["nobody"]);
    }

    [Theory]
    [InlineData("SCRAM-SHA-512=[name=alice,password=alice-secret]", "alice", ScramMechanism.Sha512, 4096)]
    [InlineData("SCRAM-SHA-256=[name=\"bob\",password=\"b,c\"]", null, ScramMechanism.Sha256, 4096)]
    [InlineData("SCRAM-SHA-256=[name=carol,iterations=8192,password=x]", "carol", ScramMechanism.Sha256, 8192)]
    public void The_add_scram_option_takes_kafkas_syntax(string text, string? user, ScramMechanism mechanism, int iterations)
    {
        if (user is null)
        {
            // A comma inside a quoted value is not supported by Kafka's syntax either: it splits the field.
            Assert.Throws<ArgumentException>(() => AddScramOption.Parse(text));
            return;
        }
        var (name, credential) = AddScramOption.Parse(text);
        Assert.Equal(user, name);
        Assert.Equal(mechanism, credential.Mechanism);
        Assert.Equal(iterations, credential.Iterations);
    }

    [Theory]
    [InlineData("SCRAM-SHA-1=[name=a,password=b]", "SCRAM-SHA-1")]
    [InlineData("SCRAM-SHA-256=[password=b]", "name=USER")]
    [InlineData("SCRAM-SHA-256=[name=a,password=b,iterations=100]", "iterations")]
    [InlineData("SCRAM-SHA-256=name=a", "expected")]
    public void A_bad_add_scram_option_says_what_is_wrong(string text, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => AddScramOption.Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
