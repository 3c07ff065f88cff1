using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

namespace KafkaConnect.Connect.EndToEnd.Tests.Metrics;

/// <summary>
/// A real Prometheus server (Debian package <c>prometheus</c>) on a free loopback port, scraping one target every
/// second from a temporary configuration and data directory. Missing binary = a failing test, never a skip.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _log = new();
    private readonly string _dir;

    private PrometheusServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

    public static async Task<PrometheusServer> StartAsync(Uri target)
    {
        var binary = Locate() ?? throw new Xunit.Sdk.XunitException(
            "The prometheus binary is not installed (this test needs a real Prometheus server): apt-get install -y prometheus");
        var dir = Directory.CreateTempSubdirectory("kconnect-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: kconnect
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var port = ChildProcess.FreePort();
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = psi };
        var server = new PrometheusServer(process, dir, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.WaitAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"prometheus exited with {process.ExitCode}:{Environment.NewLine}{server.Tail()}");
            }
            try
            {
                using var ready = await server.Http.GetAsync(new Uri("/-/ready", UriKind.Relative));
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => "prometheus did not become ready:" + Environment.NewLine + server.Tail());
        return server;
    }

    /// <summary>The value of the single series an instant query returns; null while there is none.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() != 1)
        {
            return null;
        }
        // "value": [ <unix time>, "<value as string>" ]
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Prometheus' own view of the target (up, last error), for failure messages.</summary>
    public async Task<string> TargetsAsync() => await Http.GetStringAsync(new Uri("/api/v1/targets", UriKind.Relative));

    public string Tail()
    {
        lock (_log)
        {
            return string.Join(Environment.NewLine, _log);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.Enqueue(line);
            if (_log.Count > 200)
            {
                _log.Dequeue();
            }
        }
    }

    private static string? Locate()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, "prometheus");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
