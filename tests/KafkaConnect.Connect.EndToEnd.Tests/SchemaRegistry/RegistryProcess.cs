using System.Diagnostics;
using System.Net;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary><c>kconnect schema-registry</c> as a real process on a free loopback port, storing schemas in a broker's <c>_schemas</c> topic.</summary>
internal sealed class RegistryProcess : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _file;
    private ChildProcess? _run;

    public RegistryProcess(string dir, string bootstrapServers, int? port = null)
    {
        _dir = dir;
        Port = port ?? ChildProcess.FreePort();
        _file = Path.Combine(dir, $"schema-registry-{Port}.properties");
        File.WriteAllText(_file, $"""
            listeners=http://127.0.0.1:{Port}
            kafkastore.bootstrap.servers={bootstrapServers}
            kafkastore.topic=_schemas
            schema.compatibility.level=backward
            """);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public ChildProcess Current => _run ?? throw new InvalidOperationException("The registry never started.");

    /// <summary>Starts the registry and waits until <c>GET /subjects</c> answers 200.</summary>
    public async Task StartAsync()
    {
        _run = ChildProcess.Start(_dir, ["schema-registry", _file]);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(45))
        {
            if (_run.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"schema-registry exited with {_run.ExitCode}:{Environment.NewLine}{_run.Tail(60)}");
            }
            try
            {
                using var response = await probe.GetAsync($"{Url}/subjects");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"schema-registry not ready within 45s:{Environment.NewLine}{_run.Tail(60)}");
    }

    /// <summary>Stops the registry (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        Current.Terminate();
        if (!await Current.WaitForExitAsync(TimeSpan.FromSeconds(30)))
        {
            await Current.KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }
}
