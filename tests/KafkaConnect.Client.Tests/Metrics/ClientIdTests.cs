using System.Text.RegularExpressions;
using KafkaConnect.Client.Admin;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Client.Producer;
using KafkaConnect.Client.Tests.Producer;

namespace KafkaConnect.Client.Tests.Metrics;

public sealed class ClientIdTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public ClientIdTests(BrokerFixture broker) => _broker = broker;

    private static int Sequence(string id) => int.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Clients_without_a_client_id_get_apache_default_names_and_are_measured_under_them()
    {
        using var collector = new MetricsCollector();
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = _broker.BootstrapServers };
        var group = "metrics-ids-" + Guid.NewGuid().ToString("N")[..8];

        await using var producer = new KafkaProducer(config);
        await using var producer2 = new KafkaProducer(config);
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>(config) { ["group.id"] = group });
        await using var loner = new KafkaConsumer(config);
        await using var admin = new KafkaAdminClient(config);

        Assert.Matches(new Regex("^producer-[0-9]+$"), producer.ClientId);
        // A process-wide sequence: the next producer gets the next number.
        Assert.True(Sequence(producer2.ClientId) > Sequence(producer.ClientId), $"{producer.ClientId} then {producer2.ClientId}");
        Assert.Matches(new Regex($"^consumer-{group}-[0-9]+$"), consumer.ClientId);
        Assert.Matches(new Regex("^consumer-[0-9]+$"), loner.ClientId);
        Assert.Matches(new Regex("^adminclient-[0-9]+$"), admin.ClientId);

        await admin.ListTopicsAsync();
        var s = collector.Collect();
        Assert.Contains(s, x => x.Name == "kafka_producer_producer_metrics_record_send_total" && x.Label("client_id") == producer.ClientId);
        Assert.Contains(s, x => x.Name == "kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total" && x.Label("client_id") == consumer.ClientId);
        Assert.Contains(s, x => x.Name == "kafka_consumer_consumer_coordinator_metrics_assigned_partitions" && x.Label("client_id") == loner.ClientId);
        var adminSeries = s.Where(x => x.Label("client_id") == admin.ClientId).ToList();
        Assert.True(adminSeries.Value("kafka_admin_client_admin_client_metrics_request_total") >= 2);
        Assert.True(adminSeries.Value("kafka_admin_client_admin_client_metrics_response_total") >= 2);
        Assert.True(adminSeries.Value("kafka_admin_client_admin_client_metrics_incoming_byte_total") > 0);
        Assert.InRange(adminSeries.Value("kafka_admin_client_admin_client_metrics_connection_count"), 1, 2);
        // Network counters, their rates and the connection count: nothing of a producer's or consumer's.
        Assert.Equal(9, adminSeries.Count);
        Assert.True(adminSeries.Value("kafka_admin_client_admin_client_metrics_request_rate") > 0);

        await admin.DisposeAsync();
        var after = collector.Collect();
        Assert.DoesNotContain(after, x => x.Label("client_id") == admin.ClientId);
        Assert.Equal(0, after.Where(x => x.Label("client_id") == producer.ClientId).ToList().Value("kafka_producer_producer_metrics_record_send_total"));
    }

    [Fact]
    public async Task A_given_client_id_is_kept()
    {
        await using var producer = new KafkaProducer(ProducerTestSupport.Config(_broker.BootstrapServers, ("client.id", "connector-producer-sink-0")));
        Assert.Equal("connector-producer-sink-0", producer.ClientId);
    }
}
