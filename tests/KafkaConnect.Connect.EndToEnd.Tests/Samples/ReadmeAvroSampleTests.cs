using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaConnect.Client.Consumer;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Samples;

/// <summary>
/// The README's "Try it" Avro block as written: from a directory two below a copy of <c>config/</c>, kconnect standalone
/// with <c>../../config/connect-standalone.properties</c> and the four <c>avro-*.properties</c> files unchanged, lines of
/// orders.txt through the registry the worker starts into the topic orders (Avro), the SQLite table orders, back out
/// into sqlite-orders and orders.sink.txt.
/// </summary>
/// <remarks>
/// The worker file is copied byte for byte and only has lines appended (the last value of a key wins, as in Java):
/// its fixed REST port 8083, embedded broker 127.0.0.1:9092 and the shared /tmp/kconnect/broker and /tmp/connect.offsets
/// would collide with other workers and keep state between runs. The registry needs no such line: it takes 8081 only
/// when that is free and a free port otherwise, so the test reads its URL from the worker's log and runs alongside
/// anything else on 8081 (one case holds 8081 itself to prove that).
/// </remarks>
public sealed partial class ReadmeAvroSampleTests(ITestOutputHelper output)
{
    private static readonly string[] s_connectorFiles =
        ["avro-file-source.properties", "avro-jdbc-sink.properties", "avro-jdbc-source.properties", "avro-file-sink.properties"];

    private static readonly string[] s_lines = ["order 1: 2 apples", "order 2: 1 pear"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_readme_avro_block_runs_the_four_samples_through_the_registry_into_sqlite_and_back_out(bool with8081Taken)
    {
        using var holder = with8081Taken ? Hold8081() : null;
        var root = Path.Combine(Path.GetTempPath(), "kconnect-e2e", $"samples-{Guid.NewGuid():N}");
        var config = Directory.CreateDirectory(Path.Combine(root, "config")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(root, ".data", "avro")).FullName;
        var restUrl = $"http://127.0.0.1:{ChildProcess.FreePort()}";
        var brokerServers = $"127.0.0.1:{ChildProcess.FreePort()}";
        var samples = Path.Combine(RepositoryRoot(), "config");
        foreach (var file in s_connectorFiles)
        {
            File.Copy(Path.Combine(samples, file), Path.Combine(config, file));
        }
        await File.WriteAllTextAsync(Path.Combine(config, "connect-standalone.properties"),
            await File.ReadAllTextAsync(Path.Combine(samples, "connect-standalone.properties")) + $"""

            # Appended by the test: private ports and state.
            listeners={restUrl}
            embedded.broker.listeners={brokerServers}
            embedded.broker.data.dir={Path.Combine(root, "broker")}
            offset.storage.file.filename={Path.Combine(root, "connect.offsets")}

            """);

        // echo 'order 1: 2 apples' > orders.txt; kconnect standalone ../../config/... &; echo 'order 2: 1 pear' >> orders.txt
        var orders = Path.Combine(work, "orders.txt");
        await File.WriteAllTextAsync(orders, s_lines[0] + "\n");
        var worker = ChildProcess.Start(work,
            ["standalone", "../../config/connect-standalone.properties", .. s_connectorFiles.Select(f => "../../config/" + f)]);
        try
        {
            await RestReady.WaitAsync(worker, restUrl, "worker", TimeSpan.FromSeconds(60));
            await File.AppendAllTextAsync(orders, s_lines[1] + "\n");
            var registryUrl = RegistryUrl(worker);
            if (with8081Taken)
            {
                Assert.NotEqual(8081, new Uri(registryUrl).Port);
            }

            // cat orders.sink.txt: the rows of the table, read back by the JDBC source, as Struct text.
            var sink = Path.Combine(work, "orders.sink.txt");
            string[] expected = [.. s_lines.Select((line, offset) => $"Struct{{__connect_topic=orders,__connect_partition=0,__connect_offset={offset},line={line}}}")];
            await Eventually.WaitAsync(async () => File.Exists(sink) && (await File.ReadAllLinesAsync(sink)).Length >= expected.Length,
                TimeSpan.FromSeconds(90),
                () => $"{sink} has [{(File.Exists(sink) ? string.Join(" | ", File.ReadAllLines(sink)) : "no file")}]:{Environment.NewLine}{worker.Tail(80)}",
                pollMs: 250);
            Assert.Equal(expected, await File.ReadAllLinesAsync(sink));

            // curl -s localhost:8081/subjects
            using var http = new HttpClient { BaseAddress = new Uri(registryUrl), Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal(["orders-value", "sqlite-orders-value"], (await http.GetFromJsonAsync<string[]>("/subjects"))!);

            // Avro in both topics: magic byte 0 and the id registered under the topic's subject; orders holds {"line": ...}.
            var ordersId = await LatestIdAsync(http, "orders-value");
            var inOrders = await ReadValuesAsync(brokerServers, "orders", s_lines.Length);
            Assert.Equal(s_lines.Select(line => AvroRecord(ordersId, line)), inOrders);
            var sqliteOrdersId = await LatestIdAsync(http, "sqlite-orders-value");
            foreach (var value in await ReadValuesAsync(brokerServers, "sqlite-orders", s_lines.Length))
            {
                Assert.Equal(0, value[0]);
                Assert.Equal(sqliteOrdersId, BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1)));
            }

            // sqlite3 orders.db 'select * from orders'
            Assert.Equal(s_lines.Select((line, offset) => $"orders|0|{offset}|{line}"), ReadTable(Path.Combine(work, "orders.db")));

            worker.Terminate();
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the worker ignored SIGTERM:" + Environment.NewLine + worker.Tail(40));
            Assert.True(worker.ExitCode == 0, $"the worker exited with {worker.ExitCode}:{Environment.NewLine}{worker.Tail(40)}");
        }
        finally
        {
            await worker.DisposeAsync();
            output.WriteLine($"--- worker (dir {work}) ---");
            output.WriteLine(worker.Tail(300));
            if (Environment.GetEnvironmentVariable("KCONNECT_E2E_KEEP") != "1")
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    // Null when something else has 8081 already: the worker has to move aside just the same.
    private static TcpListener? Hold8081()
    {
        var listener = new TcpListener(IPAddress.Loopback, 8081);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Dispose();
            return null;
        }
    }

    // The worker logs where its registry went: 8081 when free, another port otherwise.
    private static string RegistryUrl(ChildProcess worker)
    {
        var match = RegistryLine().Match(worker.Output);
        Assert.True(match.Success, "the worker did not say where its Schema Registry listens:" + Environment.NewLine + worker.Tail(60));
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"using the Schema Registry started on the embedded broker at (http://\S+)")]
    private static partial Regex RegistryLine();

    private static async Task<int> LatestIdAsync(HttpClient http, string subject)
    {
        using var latest = JsonDocument.Parse(await http.GetStringAsync($"/subjects/{subject}/versions/latest"));
        return latest.RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>Confluent's framing of the Avro record {"line": line}: magic 0, the id, then the string (zigzag length, UTF-8).</summary>
    private static byte[] AvroRecord(int id, string line)
    {
        var text = Encoding.UTF8.GetBytes(line);
        var header = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), id);
        var bytes = new List<byte>(header);
        for (var n = (ulong)text.Length << 1; ; n >>= 7)
        {
            if (n < 0x80)
            {
                bytes.Add((byte)n);
                break;
            }
            bytes.Add((byte)(n | 0x80));
        }
        bytes.AddRange(text);
        return [.. bytes];
    }

    private static async Task<List<byte[]>> ReadValuesAsync(string servers, string topic, int count)
    {
        await using var consumer = new KafkaConsumer(new Dictionary<string, string> { ["bootstrap.servers"] = servers });
        // The client's, not Connect's type of the same name in an enclosing namespace.
        var partition = new global::KafkaConnect.Client.Consumer.TopicPartition(topic, 0);
        consumer.Assign([partition]);
        await consumer.SeekToBeginningAsync([partition]);
        var values = new List<byte[]>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            values.AddRange((await consumer.PollAsync(TimeSpan.FromMilliseconds(500))).Select(r => r.Value!.Value.ToArray()));
        }
        return values;
    }

    private static List<string> ReadTable(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT * FROM orders ORDER BY __connect_offset";
        using var reader = select.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)));
        }
        return rows;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no KafkaConnect.slnx above {AppContext.BaseDirectory}");
    }
}
