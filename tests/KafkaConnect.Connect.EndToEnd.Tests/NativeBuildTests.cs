using System.Net;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>
/// What differs between the two builds of kconnect this suite runs against (scripts/test.sh runs it on
/// <c>dotnet kconnect.dll</c>, then on the native executable with KCONNECT_EXE): a .NET assembly in plugin.path, and the
/// SQL Server driver.
/// </summary>
public sealed class NativeBuildTests(ITestOutputHelper output)
{
    private static bool Native => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KCONNECT_EXE"));

    [Fact]
    public async Task A_dotnet_assembly_in_plugin_path_is_loaded_under_the_JIT_and_refused_by_name_in_the_native_build_and_the_worker_runs_on()
    {
        await using var worker = new WorkerProcess(output);
        var pluginDir = Directory.CreateDirectory(worker.PathOf(Path.Combine("plugins", "acme"))).FullName;
        // Not a real assembly: the JIT build tries to load it and skips it; the native build never tries.
        await File.WriteAllTextAsync(Path.Combine(pluginDir, "Acme.Plugin.dll"), "not an assembly");
        await worker.StartAsync(worker.ClassicWorkerFile(extra: $"plugin.path={worker.PathOf("plugins")}\n"));

        if (Native)
        {
            await Eventually.WaitAsync(() => Task.FromResult(worker.Current.Output.Contains("native kconnect executable cannot load", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10), () => "no error names the plugin.path entry the native build cannot load:\n" + worker.Current.Tail(40));
            var line = worker.Current.Output.Split('\n').First(l => l.Contains("native kconnect executable cannot load", StringComparison.Ordinal));
            Assert.Contains(pluginDir, line, StringComparison.Ordinal);
            Assert.Contains("dotnet kconnect.dll", line, StringComparison.Ordinal);
        }
        else
        {
            await Eventually.WaitAsync(() => Task.FromResult(worker.Current.Output.Contains("Skipping", StringComparison.Ordinal)
                    && worker.Current.Output.Contains("Acme.Plugin.dll", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10), () => "the JIT build never tried (and skipped) the bad assembly:\n" + worker.Current.Tail(40));
            Assert.DoesNotContain("native kconnect executable", worker.Current.Output, StringComparison.Ordinal);
        }

        // Either way the built-in plugins are there and the worker serves.
        using var plugins = await worker.Http.GetAsync("/connector-plugins");
        Assert.Equal(HttpStatusCode.OK, plugins.StatusCode);
        using var doc = JsonDocument.Parse(await plugins.Content.ReadAsStringAsync());
        Assert.Contains(doc.RootElement.EnumerateArray(), p => p.GetProperty("class").GetString() == "org.apache.kafka.connect.file.FileStreamSourceConnector");
        await worker.StopAsync();
    }

    [Fact]
    public async Task A_SQL_Server_sink_fails_with_an_error_that_says_what_to_run_and_the_worker_runs_on()
    {
        await using var worker = new WorkerProcess(output);
        await worker.StartAsync(worker.ClassicWorkerFile());
        using (var created = await worker.Http.PostAsync("/connectors", new StringContent(
            """{"name":"mssql-sink","config":{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","topics":"orders","connection.url":"jdbc:sqlserver://127.0.0.1:1;databaseName=shop;loginTimeout=2","connection.user":"sa","connection.password":"pw","connection.attempts":"1","auto.create":"true"}}""",
            System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        // The sink connects on its first record.
        await Kcat.ProduceLinesAsync(worker.BrokerServers, "orders",
            """{"schema":{"type":"struct","name":"orders","optional":false,"fields":[{"field":"id","type":"int32","optional":false}]},"payload":{"id":1}}""");
        // Native: the driver is not in the build. JIT: the driver is there but needs ICU, which kconnect runs without.
        var expected = Native ? "built without the SQL Server driver" : "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false";
        var trace = "";
        await Eventually.WaitAsync(async () =>
        {
            using var response = await worker.Http.GetAsync("/connectors/mssql-sink/status");
            var body = await response.Content.ReadAsStringAsync();
            trace = body;
            return body.Contains(expected, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), () => $"no status names '{expected}': {trace}\n" + worker.Current.Tail(40));
        Assert.Contains("FAILED", trace, StringComparison.Ordinal);

        using var root = await worker.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        await worker.StopAsync();
    }
}
