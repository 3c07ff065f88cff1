using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>
/// The tutorials of ../shared/seeds (001: connect-standalone with file source and sink; 002: the same plus the
/// REST calls it shows), with their files as written except host paths, bootstrap and listener ports.
/// </summary>
public sealed class SeedTutorialTests(ITestOutputHelper output)
{
    private static string Envelope(string payload) => $"{{\"schema\":{{\"type\":\"string\",\"optional\":false}},\"payload\":\"{payload}\"}}";

    private static readonly TimeSpan s_sinkWait = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Tutorial001_FileSourceToTopicToFileSink_SurvivesRestartWithoutDuplicates()
    {
        await using var worker = new WorkerProcess(output);
        // 001 runs against a separate broker, so its worker file keeps bootstrap.servers (with our port).
        var brokerPort = ChildProcess.FreePort();
        var brokerServers = $"127.0.0.1:{brokerPort}";
        await using var broker = ChildProcess.Start(worker.Dir, ["broker", "--listen", brokerServers, "--data-dir", worker.PathOf("broker")]);
        try
        {
            var listening = broker.WhenLogged($"listening on {brokerServers}");
            Assert.True(await Task.WhenAny(listening, Task.Delay(30_000)) == listening, "broker did not start:\n" + broker.Tail(40));

            var dataDir = worker.PathOf("connectorfile");
            Directory.CreateDirectory(dataDir);
            var workerFile = worker.WriteFile("connect-standalone.properties", $"""
                bootstrap.servers={brokerServers}
                key.converter=org.apache.kafka.connect.json.JsonConverter
                value.converter=org.apache.kafka.connect.json.JsonConverter
                key.converter.schemas.enable=true
                value.converter.schemas.enable=true
                internal.key.converter=org.apache.kafka.connect.json.JsonConverter
                internal.value.converter=org.apache.kafka.connect.json.JsonConverter
                internal.key.converter.schemas.enable=false
                internal.value.converter.schemas.enable=false
                offset.storage.file.filename={worker.PathOf("connect.offsets")}
                offset.flush.interval.ms=10000
                listeners=http://127.0.0.1:{worker.RestPort}
                """);
            var sourceFile = worker.WriteFile("connect-source.properties", $"""
                name=local-file-source
                connector.class=FileStreamSourceConnector
                tasks.max=1
                file={dataDir}/test.txt
                topic=connect-test
                """);
            var sinkFile = worker.WriteFile("connect-sink.properties", $"""
                name=local-file-sink
                connector.class=FileStreamSinkConnector
                tasks.max=1
                file={dataDir}/test.sink.txt
                topics=connect-test
                """);
            var input = Path.Combine(dataDir, "test.txt");
            var sink = Path.Combine(dataDir, "test.sink.txt");

            await worker.StartAsync(workerFile, sourceFile, sinkFile);
            await worker.WaitForStateAsync("local-file-source", "RUNNING");
            await worker.WaitForStateAsync("local-file-sink", "RUNNING");

            // echo "aaa" >> test.txt ... as the tutorial does, with the worker running.
            foreach (var line in new[] { "aaa", "bbb", "ccc" })
            {
                await File.AppendAllTextAsync(input, line + "\n");
            }
            await WaitForSinkAsync(worker, sink, ["aaa", "bbb", "ccc"]);
            await AssertTopicAsync(brokerServers, ["aaa", "bbb", "ccc"]);

            // Lines appended later arrive.
            await File.AppendAllTextAsync(input, "ddd\n");
            await WaitForSinkAsync(worker, sink, ["aaa", "bbb", "ccc", "ddd"]);

            // Restart (graceful), with lines written while the worker is down and after it is back.
            await worker.StopAsync();
            await File.AppendAllTextAsync(input, "eee\nfff\n");
            await worker.StartAsync(workerFile, sourceFile, sinkFile);
            await File.AppendAllTextAsync(input, "ggg\n");
            string[] all = ["aaa", "bbb", "ccc", "ddd", "eee", "fff", "ggg"];
            await WaitForSinkAsync(worker, sink, all);
            await AssertTopicAsync(brokerServers, all);

            // Nothing more trickles in afterwards (a late duplicate would show up here).
            await worker.StopAsync();
            Assert.Equal(all, await File.ReadAllLinesAsync(sink));
            await AssertTopicAsync(brokerServers, all);
        }
        finally
        {
            output.WriteLine("--- broker ---");
            output.WriteLine(broker.Tail(100));
        }
    }

    [Fact]
    public async Task Tutorial002_WorkerFileAndRestCalls()
    {
        await using var worker = new WorkerProcess(output);
        // 002's standalone worker with the embedded broker; connector paths relative to the worker's directory.
        var workerFile = worker.ClassicWorkerFile();
        var sourceFile = worker.WriteFile("connect-file-source.properties", """
            name=local-file-source
            connector.class=FileStreamSource
            tasks.max=1
            file=test.txt
            topic=connect-test
            """);
        await worker.StartAsync(workerFile, sourceFile);
        var http = worker.Http;

        // curl -X POST -H "Content-Type: application/json" --data '{"name": "local-file-sink", ...}' http://localhost:8083/connectors
        using (var created = await http.PostAsync("/connectors", Json("""{"name": "local-file-sink", "config": {"connector.class":"FileStreamSinkConnector", "tasks.max":"1", "file":"test.sink.txt", "topics":"connect-test" }}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            // Apache (Jersey) answers an absolute URI; a relative one is valid HTTP too.
            Assert.EndsWith("/connectors/local-file-sink", created.Headers.Location?.OriginalString);
            using var info = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            Assert.Equal("local-file-sink", info.RootElement.GetProperty("name").GetString());
            Assert.Equal("sink", info.RootElement.GetProperty("type").GetString());
        }
        await worker.WaitForStateAsync("local-file-sink", "RUNNING");
        await File.AppendAllTextAsync(worker.PathOf("test.txt"), "aaa\nbbb\n");
        await WaitForSinkAsync(worker, worker.PathOf("test.sink.txt"), ["aaa", "bbb"]);
        await AssertTopicAsync(worker.BrokerServers, ["aaa", "bbb"]);

        // curl -X PUT ... --data '{"connector.class":"FileStreamSinkConnector","file":"test.sink.txt","tasks.max":"2",...}' .../local-file-sink/config
        using (var put = await http.PutAsync("/connectors/local-file-sink/config", Json("""{"connector.class":"FileStreamSinkConnector","file":"test.sink.txt","tasks.max":"2","topics":"connect-test","name":"local-file-sink"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            using var info = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
            Assert.Equal("2", info.RootElement.GetProperty("config").GetProperty("tasks.max").GetString());
        }
        await worker.WaitForStateAsync("local-file-sink", "RUNNING", expectedTasks: 2);

        // curl -X POST .../restart; curl -X POST .../tasks/0/restart
        using (var r = await http.PostAsync("/connectors/local-file-sink/restart", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }
        using (var r = await http.PostAsync("/connectors/local-file-sink/tasks/0/restart", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }
        await worker.WaitForStateAsync("local-file-sink", "RUNNING", expectedTasks: 2);

        // pause / resume
        using (var r = await http.PutAsync("/connectors/local-file-sink/pause", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }
        await worker.WaitForStateAsync("local-file-sink", "PAUSED", expectedTasks: 2);
        using (var r = await http.PutAsync("/connectors/local-file-sink/resume", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }
        await worker.WaitForStateAsync("local-file-sink", "RUNNING", expectedTasks: 2);

        await File.AppendAllTextAsync(worker.PathOf("test.txt"), "ccc\n");
        await WaitForSinkAsync(worker, worker.PathOf("test.sink.txt"), ["aaa", "bbb", "ccc"]);

        // curl localhost:8083/connectors/local-file-sink | jq ; curl -X DELETE ...
        using (var r = await http.GetAsync("/connectors/local-file-sink"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        using (var r = await http.DeleteAsync("/connectors/local-file-sink"))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }
        using (var r = await http.GetAsync("/connectors/local-file-sink"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        await worker.StopAsync();
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static async Task WaitForSinkAsync(WorkerProcess worker, string sink, string[] expected) =>
        await Eventually.WaitAsync(
            async () => File.Exists(sink) && (await File.ReadAllLinesAsync(sink)).Length >= expected.Length,
            s_sinkWait,
            () => $"sink {sink} has [{(File.Exists(sink) ? string.Join(",", File.ReadAllLines(sink)) : "no file")}], want [{string.Join(",", expected)}]:{Environment.NewLine}{worker.Current.Tail(40)}",
            pollMs: 200).ContinueWith(async t =>
            {
                await t;
                Assert.Equal(expected, await File.ReadAllLinesAsync(sink));
            }).Unwrap();

    /// <summary>The topic read with kcat is exactly Apache's JsonConverter envelope of each line, byte for byte.</summary>
    internal static async Task AssertTopicAsync(string servers, string[] lines)
    {
        var expected = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => Envelope(l) + "\n")));
        byte[]? actual = null;
        await Eventually.WaitAsync(async () =>
        {
            actual = await Kcat.ConsumeValuesAsync(servers, "connect-test");
            return actual is not null && actual.Length >= expected.Length;
        }, TimeSpan.FromSeconds(30), () => $"topic holds {(actual is null ? "nothing" : Encoding.UTF8.GetString(actual))}");
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual!));
        Assert.Equal(expected, actual);
    }
}
