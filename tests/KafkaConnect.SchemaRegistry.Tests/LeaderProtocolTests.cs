using System.Text;
using KafkaConnect.SchemaRegistry.Leader;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>The group protocol's JSON and leader choice, as Confluent's SchemaRegistryProtocol and SchemaRegistryCoordinator.</summary>
public sealed class LeaderProtocolTests
{
    [Fact]
    public void Protocol_IsConfluents_SmallestEligibleUrlLeads()
    {
        var identity = new RegistryIdentity("h1", 8081, "http", true, Topic: "_schemas");
        Assert.Equal("""{"version":1,"host":"h1","port":8081,"master_eligibility":true,"scheme":"http","leader":false,"kafkastore.topic":"_schemas"}""",
            Encoding.UTF8.GetString(identity.ToJson()));
        // What Confluent's Jackson mapper writes (no topic, fields in any order) reads back as the same instance.
        var confluent = RegistryIdentity.FromJson("""{"port":8082,"host":"h2","master_eligibility":false,"version":1,"scheme":"https","leader":true}"""u8);
        Assert.Equal(("https://h2:8082", false, true, null), (confluent.Url, confluent.LeaderEligibility, confluent.IsLeader, confluent.Topic));

        var members = new List<(string, RegistryIdentity)>
        {
            ("m-b", new RegistryIdentity("b", 1, "http", true)),
            ("m-a", new RegistryIdentity("a", 1, "http", false)),
            ("m-c", new RegistryIdentity("c", 1, "http", true, IsLeader: true)),
        };
        var chosen = LeaderProtocol.Choose(members, sticky: false);
        Assert.Equal((LeaderAssignment.NoError, "m-b"), (chosen.Error, chosen.LeaderMemberId));
        Assert.Equal("""{"version":1,"error":0,"master":"m-b","master_identity":{"version":1,"host":"b","port":1,"master_eligibility":true,"scheme":"http","leader":false}}""",
            Encoding.UTF8.GetString(chosen.ToJson()));
        Assert.Equal("m-c", LeaderProtocol.Choose(members, sticky: true).LeaderMemberId);
        var none = LeaderProtocol.Choose([("m-a", new RegistryIdentity("a", 1, "http", false))], sticky: false);
        Assert.Equal("""{"version":1,"error":0}""", Encoding.UTF8.GetString(none.ToJson()));
        Assert.Equal(LeaderAssignment.DuplicateUrls, LeaderProtocol.Choose([("x", new RegistryIdentity("a", 1, "http", true)), ("y", new RegistryIdentity("a", 1, "http", true))], false).Error);

        // Confluent's own test input: unknown fields and a null identity are fine.
        var parsed = LeaderAssignment.FromJson("""{"error":0,"master":"master","master_identity":null,"unknown_property":null,"version":1}"""u8);
        Assert.Equal((LeaderAssignment.NoError, "master", (RegistryIdentity?)null), (parsed.Error, parsed.LeaderMemberId, parsed.Leader));
    }
}
