using System.Net;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>
/// What differs between the two builds of kconnect this suite runs against (scripts/test.sh runs it on
/// <c>dotnet kconnect.dll</c>, then on the native executable with KCONNECT_EXE): a .NET assembly in plugin.path.
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
}
