using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace KafkaConnect.Broker.IntegrationTests.Infrastructure;

/// <summary>
/// A `kconnect broker` child process on a free loopback port and a private data directory. It can be stopped
/// cleanly (SIGTERM) or crashed (SIGKILL) and started again on the same port and data directory. Its output is
/// kept in a bounded buffer and written to the test output on dispose (xunit shows it for failed tests).
/// </summary>
internal sealed partial class BrokerProcess : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int MaxLogLines = 4000;
    private const int LogLinesOnDispose = 400;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(45);

    private readonly ITestOutputHelper _output;
    private readonly IReadOnlyList<string> _configs;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly Queue<string> _log = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Process? _process;
    private int _generation;

    private BrokerProcess(ITestOutputHelper output, IReadOnlyList<string> configs, IReadOnlyList<string>? extraArgs = null, int? port = null)
    {
        _output = output;
        _configs = configs;
        _extraArgs = extraArgs ?? [];
        Port = port ?? FreePort();
        DataDir = Path.Combine(Path.GetTempPath(), "kconnect-it", $"{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(DataDir);
    }

    public int Port { get; }

    public string DataDir { get; }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Broker not started.");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a broker; <paramref name="configs"/> are "key=value" broker settings passed with --config.</summary>
    public static Task<BrokerProcess> StartAsync(ITestOutputHelper output, params string[] configs) =>
        StartNewAsync(new BrokerProcess(output, configs));

    /// <summary>
    /// Starts a broker whose first listener is on <paramref name="port"/> (give every listener in the configs, first the one on
    /// this port), with further command-line arguments such as --add-scram.
    /// </summary>
    public static Task<BrokerProcess> StartAsync(ITestOutputHelper output, int port, IReadOnlyList<string> extraArgs, params string[] configs) =>
        StartNewAsync(new BrokerProcess(output, configs, extraArgs, port));

    private static async Task<BrokerProcess> StartNewAsync(BrokerProcess broker)
    {
        try
        {
            await broker.StartAsync();
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return broker;
    }

    /// <summary>Starts (again) on the same port and data directory.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Broker is already running.");
        }

        // After a crash the port can briefly remain unavailable; retry only for that reason.
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await TryStartOnceAsync();
            if (outcome is null)
            {
                return;
            }

            if (attempt < 20 && outcome.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await Task.Delay(500);
                continue;
            }

            throw new Xunit.Sdk.XunitException($"Broker did not become ready: {outcome}{Environment.NewLine}{LogTail(200)}");
        }
    }

    /// <summary>Clean shutdown with SIGTERM; fails the test if the broker does not exit in time.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("Broker not started.");
        if (process.HasExited)
        {
            return process.ExitCode;
        }

        if (SendSignal(process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new Xunit.Sdk.XunitException(
                $"Broker ignored SIGTERM for {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:F0}s and was killed.{Environment.NewLine}{LogTail(100)}");
        }

        Log($"[harness] broker exited after SIGTERM with code {process.ExitCode}");
        return process.ExitCode;
    }

    /// <summary>Crash: SIGKILL, no chance to flush or close anything.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Broker not started.");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Log("[harness] broker killed with SIGKILL");
    }

    /// <summary>Stops (SIGTERM, or SIGKILL when <paramref name="crash"/>) and starts again on the same data.</summary>
    public async Task RestartAsync(bool crash)
    {
        if (crash)
        {
            await KillAsync();
        }
        else
        {
            await StopAsync();
        }

        await StartAsync();
    }

    /// <summary>Throws with the broker log if the process has died.</summary>
    public void AssertAlive(string context)
    {
        if (_process is null || _process.HasExited)
        {
            var code = _process?.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never started";
            throw new Xunit.Sdk.XunitException($"Broker died ({context}); exit code {code}.{Environment.NewLine}{LogTail(200)}");
        }
    }

    public string LogTail(int lines)
    {
        lock (_log)
        {
            var skip = Math.Max(0, _log.Count - lines);
            return string.Join(Environment.NewLine, _log.Skip(skip));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }

        try
        {
            _output.WriteLine($"--- broker {BootstrapServers}, data dir {DataDir}, last {LogLinesOnDispose} log lines ---");
            _output.WriteLine(LogTail(LogLinesOnDispose));
        }
        catch (InvalidOperationException)
        {
            // No active test to write to.
        }

        if (Environment.GetEnvironmentVariable("KCONNECT_IT_KEEP_DATA") != "1")
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Returns null once ready, otherwise why it failed.</summary>
    private async Task<string?> TryStartOnceAsync()
    {
        var generation = ++_generation;
        var ready = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var readyMarker = $"listening on {BootstrapServers}";

        var (program, leading) = KconnectCommand();
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = DataDir,
        };
        foreach (var a in leading)
        {
            psi.ArgumentList.Add(a);
        }
        psi.ArgumentList.Add("broker");
        psi.ArgumentList.Add("--listen");
        psi.ArgumentList.Add(BootstrapServers);
        psi.ArgumentList.Add("--data-dir");
        psi.ArgumentList.Add(DataDir);
        foreach (var config in _configs)
        {
            psi.ArgumentList.Add("--config");
            psi.ArgumentList.Add(config);
        }
        foreach (var arg in _extraArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Log($"[{generation}:out] {e.Data}");
            if (e.Data.Contains(readyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult(null);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Log($"[{generation}:err] {e.Data}");
            }
        };
        process.Exited += (_, _) => ready.TrySetResult($"process exited with code {SafeExitCode(process)} before printing '{readyMarker}'");

        Log($"[harness] starting generation {generation}: {psi.FileName} {string.Join(' ', psi.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;

        var winner = await Task.WhenAny(ready.Task, Task.Delay(s_startTimeout));
        if (winner != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return $"no '{readyMarker}' line within {s_startTimeout.TotalSeconds:F0}s";
        }

        var failure = await ready.Task;
        if (failure is not null)
        {
            // Let the stream readers drain so the log holds the reason.
            await process.WaitForExitAsync();
            return failure + Environment.NewLine + LogTail(50);
        }

        return null;
    }

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Enqueue($"{_clock.Elapsed.TotalSeconds,8:F3} {line}");
            while (_log.Count > MaxLogLines)
            {
                _log.Dequeue();
            }
        }
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return int.MinValue;
        }
    }

    internal static int FreePort() => KafkaConnect.Tests.Common.LoopbackPorts.Next();

    internal static string DotnetHost()
    {
        // Set by the dotnet CLI for the processes it starts (the test host included).
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    /// <summary>
    /// How to start kconnect: KCONNECT_EXE names a native build (the ahead-of-time compiled executable) run as it is;
    /// otherwise <c>dotnet kconnect.dll</c>.
    /// </summary>
    internal static (string Program, string[] LeadingArgs) KconnectCommand()
    {
        var exe = Environment.GetEnvironmentVariable("KCONNECT_EXE");
        if (!string.IsNullOrEmpty(exe))
        {
            return File.Exists(exe) ? (exe, []) : throw new FileNotFoundException($"KCONNECT_EXE points to a missing file: {exe}");
        }
        return (DotnetHost(), [LocateKconnect()]);
    }

    /// <summary>kconnect.dll is copied next to the tests by the project reference; fall back to the CLI's bin folder.</summary>
    internal static string LocateKconnect()
    {
        var overridePath = Environment.GetEnvironmentVariable("KCONNECT_DLL");
        if (!string.IsNullOrEmpty(overridePath))
        {
            return File.Exists(overridePath)
                ? overridePath
                : throw new FileNotFoundException($"KCONNECT_DLL points to a missing file: {overridePath}");
        }

        var local = Path.Combine(AppContext.BaseDirectory, "kconnect.dll");
        if (File.Exists(local))
        {
            return local;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
            {
                var candidate = Path.Combine(dir.FullName, "src", "KafkaConnect.Cli", "bin", configuration, "net10.0", "kconnect.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                throw new FileNotFoundException($"kconnect.dll not found next to the tests nor at {candidate}; build src/KafkaConnect.Cli.");
            }
        }

        throw new FileNotFoundException($"kconnect.dll not found in {AppContext.BaseDirectory} and the repository root could not be located.");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
