using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.SpoolDir;

/// <summary>
/// Seed 004's SpoolDir walk-through on a kconnect process: its spooldir_source.json posted with its own curl command,
/// CSV files becoming records, finished and malformed files moved; and a kill -9 in the middle of a file.
/// </summary>
public sealed partial class SpoolDirSeedTests(ITestOutputHelper output)
{
    // Seed 004's file as printed, comments included; only /home/ubuntu is replaced by the test's directory.
    private const string SeedJson = """
        {
          "name" : "csv_spooldir_source",
          "config" : {
            "tasks.max" : "3",
            "connector.class" : "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector",
            "input.path" : "/home/ubuntu/spool-test-dir",
            "input.file.pattern" : "/\.*\\.csv",
            "error.path" : "/home/ubuntu/spooldir-test-dir/error",
            "finished.path" : "/home/ubuntu/spooldir-test-dir/finished",
            "empty.poll.wait.ms" : 30000, # 모니터링 주기
            "halt.on.error" : "false", # 파싱 오류 시 중지 여부
            "topic" : "spooldir-topic",
            "csv.first.row.as.header" : "true",
            "schema.generation.enabled" : "true"
          }
        }
        """;

    [GeneratedRegex(@"^Struct\{id=(\d+),payload=row-\1\}$")]
    private static partial Regex IdField();

    [GeneratedRegex(@"[ \t]*#[^\n]*")]
    private static partial Regex Comment();

    [Fact]
    public async Task Seed004_the_posted_json_runs_once_its_comments_are_removed_and_files_move_when_done()
    {
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile(offsetFlushMs: 1000);
        var home = worker.PathOf("home");
        var input = Path.Combine(home, "spool-test-dir");
        var finished = Path.Combine(home, "spooldir-test-dir", "finished");
        var error = Path.Combine(home, "spooldir-test-dir", "error");
        foreach (var dir in new[] { input, finished, error })
        {
            Directory.CreateDirectory(dir);
        }
        // In place before the connector starts: with empty.poll.wait.ms=30000 an idle task looks again only every 30 s.
        Drop(input, "users1.csv", "id,name,city\n1,ann,Seoul\n2,bob,\"Busan, South\"\n3,cho,Incheon\n");
        Drop(input, "broken.csv", "id,name,city\n4,dan,Daegu\n5,eve\n6,fay,Ulsan\n");
        var json = worker.WriteFile("spooldir_source.json", SeedJson.Replace("/home/ubuntu", home, StringComparison.Ordinal));
        await worker.StartAsync(workerFile);

        // The seed's command, unchanged: its '#' comments are not JSON, and the error says where.
        var (status, body) = await CurlAsync(worker.Dir, "-X", "POST", "-H", "Content-Type : application/json",
            $"{worker.RestUrl}/connectors", "--data", "@spooldir_source.json");
        Assert.Equal(400, status);
        var message = JsonDocument.Parse(body).RootElement.GetProperty("message").GetString()!;
        Assert.Contains("at line 1, column ", message, StringComparison.Ordinal);
        Assert.Contains("(near '# 모니터링 주기", message, StringComparison.Ordinal);

        File.WriteAllText(json, Comment().Replace(File.ReadAllText(json), string.Empty));
        (status, body) = await CurlAsync(worker.Dir, "-X", "POST", "-H", "Content-Type : application/json",
            $"{worker.RestUrl}/connectors", "--data", "@spooldir_source.json");
        Assert.True(status == 201, body);
        await worker.WaitForStateAsync("csv_spooldir_source", "RUNNING", expectedTasks: 3);

        string[] values = [];
        await Eventually.WaitAsync(async () =>
        {
            values = await Kcat.ConsumeLinesAsync(worker.BrokerServers, "spooldir-topic");
            return values.Length >= 4;
        }, TimeSpan.FromSeconds(60), () => $"{values.Length} records in spooldir-topic:\n{worker.Current.Tail(60)}");

        // Every row of users1.csv, and broken.csv's row before its short one; JsonConverter with the generated schema.
        var rows = values.Select(v => JsonDocument.Parse(v).RootElement).ToList();
        Assert.All(rows, r => Assert.Equal("com.github.jcustenborder.kafka.connect.model.Value", r.GetProperty("schema").GetProperty("name").GetString()));
        var byId = rows.Select(r => r.GetProperty("payload")).ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal(["1", "2", "3", "4"], byId.Keys.Order());
        Assert.Equal("Busan, South", byId["2"].GetProperty("city").GetString());
        Assert.Equal(["city", "id", "name"], rows[0].GetProperty("schema").GetProperty("fields").EnumerateArray()
            .Select(f => f.GetProperty("field").GetString()).Order());

        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(Path.Combine(finished, "users1.csv")) && File.Exists(Path.Combine(error, "broken.csv"))),
            TimeSpan.FromSeconds(60), () => $"files not moved: input has {string.Join(", ", Directory.GetFiles(input).Select(Path.GetFileName))}\n{worker.Current.Tail(60)}");
        Assert.Empty(Directory.GetFiles(input));
        // halt.on.error=false: the malformed file did not stop anything.
        await worker.WaitForStateAsync("csv_spooldir_source", "RUNNING", expectedTasks: 3);
        await worker.StopAsync();
    }

    [Fact]
    public async Task Kill9_in_the_middle_of_a_file_loses_no_row()
    {
        const int rows = 300_000;
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile(offsetFlushMs: 500);
        var input = worker.PathOf("in");
        var finished = worker.PathOf("finished");
        var error = worker.PathOf("error");
        foreach (var dir in new[] { input, finished, error })
        {
            Directory.CreateDirectory(dir);
        }
        var csv = new StringBuilder("id,payload\n");
        for (var i = 1; i <= rows; i++)
        {
            csv.Append(i).Append(",row-").Append(i).Append('\n');
        }
        Drop(input, "big.csv", csv.ToString());
        var connector = worker.WriteFile("spooldir.properties", $"""
            name=spool
            connector.class=com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector
            tasks.max=1
            topic=spool
            input.path={input}
            finished.path={finished}
            error.path={error}
            input.file.pattern=.*\\.csv
            csv.first.row.as.header=true
            schema.generation.enabled=true
            batch.size=500
            value.converter=org.apache.kafka.connect.storage.StringConverter
            """);
        await worker.StartAsync(workerFile, connector);

        // Kill once an offset inside the file is committed, while the file is still being read.
        var offsets = worker.PathOf("connect.offsets");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(offsets) && new FileInfo(offsets).Length > 0),
            TimeSpan.FromSeconds(60), () => "no offset committed:\n" + worker.Current.Tail(40), pollMs: 20);
        await worker.KillAsync();
        Assert.True(File.Exists(Path.Combine(input, "big.csv")), "the file was finished before the kill; the test needs a larger file");

        await worker.StartAsync(workerFile, connector);
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(Path.Combine(finished, "big.csv"))),
            TimeSpan.FromSeconds(120), () => "big.csv not finished after the restart:\n" + worker.Current.Tail(40));

        var values = await Kcat.ConsumeLinesAsync(worker.BrokerServers, "spool");
        var seen = new HashSet<int>();
        foreach (var value in values)
        {
            // StringConverter prints the Struct: Struct{id=17,payload=row-17}.
            var match = IdField().Match(value);
            Assert.True(match.Success, $"unexpected record '{value}'");
            seen.Add(int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
        }
        var missing = Enumerable.Range(1, rows).Where(i => !seen.Contains(i)).Take(10).ToList();
        Assert.True(missing.Count == 0, $"rows lost: {string.Join(", ", missing)} … ({values.Length} records for {rows} rows)");
        output.WriteLine($"{values.Length} records for {rows} rows ({values.Length - rows} delivered twice after the kill)");
        await worker.StopAsync();
    }

    /// <summary>Writes a file beside the directory and moves it in, so a task never sees it half written.</summary>
    private static void Drop(string directory, string name, string content)
    {
        var staging = Path.Combine(Path.GetDirectoryName(directory)!, name + ".staging");
        File.WriteAllText(staging, content);
        File.Move(staging, Path.Combine(directory, name));
    }

    private static async Task<(int Status, string Body)> CurlAsync(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var arg in new[] { "-s", "-w", "\n%{http_code}" }.Concat(args))
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("curl did not start (scripts/test.sh installs it)");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"curl exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        var split = stdout.LastIndexOf('\n');
        return (int.Parse(stdout[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture), stdout[..split]);
    }
}
