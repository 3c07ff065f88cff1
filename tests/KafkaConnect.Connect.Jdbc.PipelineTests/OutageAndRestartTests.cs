using System.Text;
using KafkaConnect.Client.Consumer;

namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>A database outage in mid-stream is retried without loss; a worker restart resumes from stored offsets.</summary>
public sealed class OutageAndRestartTests : IClassFixture<BrokerFixture>, IDisposable
{
    private const string ValueSchema =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}],\"optional\":false,\"name\":\"row\"}";

    private readonly BrokerFixture _broker;
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-jdbc-pipeline").FullName;
    private readonly List<string> _mariaTables = [];
    private readonly List<string> _pgTables = [];
    private readonly List<string> _pgDatabases = [];

    public OutageAndRestartTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    public void Dispose()
    {
        _mariaTables.ForEach(Db.DropMaria);
        _pgTables.ForEach(Db.DropPg);
        foreach (var db in _pgDatabases)
        {
            try
            {
                // FORCE only ends connections to this test's own database.
                Db.Exec(() => Db.OpenPg(), $"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
            }
            catch (System.Data.Common.DbException)
            {
            }
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IEnumerable<(byte[]? Key, byte[]? Value)> Rows(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            yield return (null, Encoding.UTF8.GetBytes($"{{\"schema\":{ValueSchema},\"payload\":{{\"id\":{i},\"name\":\"n{i}\"}}}}"));
        }
    }

    [Fact]
    public async Task SinkDatabaseRefusesConnections_MidStream_RetriedAndNothingLost()
    {
        // A database of our own, so refusing connections and ending sessions touches no other test.
        var database = Harness.Unique("kcpipe").ToLowerInvariant();
        _pgDatabases.Add(database);
        Db.Exec(() => Db.OpenPg(), $"CREATE DATABASE \"{database}\"");
        var ado = Db.PgDatabase(database);
        var topic = Harness.Unique("outage");

        await Harness.ProduceAsync(_broker.BootstrapServers, topic, Rows(0, 100));
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect.offsets"));
        var sink = DatabendTutorialPipelineTests.SinkConfig("sink-" + topic, topic);
        sink["connection.url"] = $"jdbc:postgresql://127.0.0.1:55432/{database}?user=postgres";
        sink["batch.size"] = "50";
        sink["connection.attempts"] = "2";
        sink["connection.backoff.ms"] = "100";
        sink["max.retries"] = "1000";
        sink["retry.backoff.ms"] = "200";
        sink.Remove("errors.tolerance");
        await herder.PutConnectorConfigAsync("sink-" + topic, sink, allowReplace: false);
        await DatabendTutorialPipelineTests.WaitCountAsync(herder, topic, 100, ado);

        Db.Exec(() => Db.OpenPg(), $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false");
        Db.Exec(() => Db.OpenPg(),
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()");
        await Harness.ProduceAsync(_broker.BootstrapServers, topic, Rows(100, 100));
        // Long enough for several failed writes and retries.
        await Task.Delay(3000);
        await Harness.AssertRunningAsync(herder, "sink-" + topic);

        Db.Exec(() => Db.OpenPg(), $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        await DatabendTutorialPipelineTests.WaitCountAsync(herder, topic, 200, ado);
        var ids = Db.Rows(() => Db.OpenPg(ado), $"SELECT MIN(id), MAX(id), COUNT(DISTINCT id) FROM \"{topic}\"")[0];
        Assert.Equal([0, 199, 200L], ids);
    }

    [Fact]
    public async Task WorkerRestart_ResumesFromStoredOffsets_NoLossNoDuplicates()
    {
        var table = Harness.Unique("restart");
        _mariaTables.Add(table);
        _pgTables.Add(table);
        Db.Exec(Db.OpenMaria, $"CREATE TABLE `{table}` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL)");
        InsertMaria(table, 0, 50);
        var offsets = Path.Combine(_dir, "restart.offsets");
        var source = DatabendTutorialPipelineTests.SourceConfig("src-" + table, table, "incrementing");
        var sink = DatabendTutorialPipelineTests.SinkConfig("sink-" + table, table);
        sink["batch.size"] = "20";

        await using (var herder = Harness.NewHerder(_broker.BootstrapServers, offsets))
        {
            await herder.PutConnectorConfigAsync("src-" + table, source, allowReplace: false);
            await herder.PutConnectorConfigAsync("sink-" + table, sink, allowReplace: false);
            await DatabendTutorialPipelineTests.WaitCountAsync(herder, table, 50);
        }
        Assert.Contains("\"incrementing\":50", File.ReadAllText(offsets), StringComparison.Ordinal);

        // Written while the worker is down.
        InsertMaria(table, 50, 50);
        await using (var herder = Harness.NewHerder(_broker.BootstrapServers, offsets))
        {
            await herder.PutConnectorConfigAsync("src-" + table, source, allowReplace: false);
            await herder.PutConnectorConfigAsync("sink-" + table, sink, allowReplace: false);
            await DatabendTutorialPipelineTests.WaitCountAsync(herder, table, 100);
            InsertMaria(table, 100, 10);
            await DatabendTutorialPipelineTests.WaitCountAsync(herder, table, 110);
        }
        var ends = Db.Rows(() => Db.OpenPg(), $"SELECT name FROM \"{table}\" WHERE id IN (1, 110) ORDER BY id").ConvertAll(r => (string?)r[0]);
        Assert.Equal(["n0", "n109"], ends);
        // The source re-emitted nothing: the topic holds each row exactly once.
        var ids = await ReadTopicIdsAsync(table, 110);
        Assert.Equal(110, ids.Count);
        Assert.Equal(110, ids.Distinct().Count());
    }

    private static void InsertMaria(string table, int from, int count)
    {
        var values = string.Join(",", Enumerable.Range(from, count).Select(i => $"('n{i}')"));
        Db.Exec(Db.OpenMaria, $"INSERT INTO `{table}` (name) VALUES {values}");
    }

    private async Task<List<int>> ReadTopicIdsAsync(string topic, int expected)
    {
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = _broker.BootstrapServers,
            ["group.id"] = "reader-" + Guid.NewGuid().ToString("N"),
            ["auto.offset.reset"] = "earliest",
        });
        consumer.Subscribe([topic]);
        var ids = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        // Read past the expected count for a moment so that duplicates would show.
        var settle = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < settle)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(500)))
            {
                using var doc = System.Text.Json.JsonDocument.Parse(r.Value!.Value);
                ids.Add(doc.RootElement.GetProperty("payload").GetProperty("id").GetInt32());
            }
            if (ids.Count >= expected && settle == DateTime.MaxValue)
            {
                settle = DateTime.UtcNow.AddSeconds(2);
            }
        }
        return ids;
    }
}
