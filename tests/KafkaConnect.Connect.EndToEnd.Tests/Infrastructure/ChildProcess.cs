using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One run of <c>dotnet kconnect.dll ...</c>: output kept in a bounded buffer (tests dump it on failure), waits for
/// a marker line, SIGTERM and SIGKILL. A new instance per start, so a restart never mixes two runs' output.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int MaxLogLines = 5000;

    private readonly Process _process;
    private readonly Queue<string> _log = new();
    private readonly Stopwatch _clock;
    private readonly List<(string Marker, TaskCompletionSource Seen)> _waiters = [];

    private ChildProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Time from <see cref="Start"/> to now.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <param name="environment">Variables to set for the child besides the inherited ones (e.g. KAFKA_OPTS).</param>
    public static ChildProcess Start(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (program, leading) = KconnectCommand();
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in leading)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process, new Stopwatch());
        process.OutputDataReceived += (_, e) => child.OnLine("out", e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine("err", e.Data);
        child._clock.Start();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child.Append($"[harness] started pid {process.Id}: {psi.FileName} {string.Join(' ', psi.ArgumentList)}");
        return child;
    }

    /// <summary>Completes when a line containing <paramref name="marker"/> is printed (also if printed already).</summary>
    public Task WhenLogged(string marker)
    {
        lock (_log)
        {
            if (_log.Any(l => l.Contains(marker, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((marker, seen));
            return seen.Task;
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Terminate()
    {
        if (!_process.HasExited && SendSignal(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
        Append("[harness] SIGTERM sent");
    }

    /// <summary>SIGKILL: no flush, no offset commit, no broker shutdown.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        Append("[harness] SIGKILL sent");
    }

    public string Output
    {
        get
        {
            lock (_log)
            {
                return string.Join(Environment.NewLine, _log);
            }
        }
    }

    public string Tail(int lines)
    {
        lock (_log)
        {
            return string.Join(Environment.NewLine, _log.Skip(Math.Max(0, _log.Count - lines)));
        }
    }

    public async ValueTask DisposeAsync()
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
            // Never started or already reaped.
        }
        _process.Dispose();
    }

    private void OnLine(string stream, string? line)
    {
        if (line is not null)
        {
            Append($"[{stream}] {line}");
        }
    }

    private void Append(string line)
    {
        List<TaskCompletionSource>? fire = null;
        lock (_log)
        {
            _log.Enqueue($"{_clock.Elapsed.TotalSeconds,8:F3} {line}");
            while (_log.Count > MaxLogLines)
            {
                _log.Dequeue();
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Marker, StringComparison.Ordinal))
                {
                    (fire ??= []).Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }
        fire?.ForEach(t => t.TrySetResult());
    }

    internal static int FreePort() => KafkaConnect.Tests.Common.LoopbackPorts.Next();

    private static string DotnetHost()
    {
        // Set by the dotnet CLI for the processes it starts, the test host included.
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

    /// <summary>kconnect.dll lands next to the tests through the project reference; KCONNECT_DLL overrides.</summary>
    internal static string LocateKconnect()
    {
        var overridePath = Environment.GetEnvironmentVariable("KCONNECT_DLL");
        if (!string.IsNullOrEmpty(overridePath))
        {
            return File.Exists(overridePath) ? overridePath : throw new FileNotFoundException($"KCONNECT_DLL points to a missing file: {overridePath}");
        }
        var local = Path.Combine(AppContext.BaseDirectory, "kconnect.dll");
        return File.Exists(local) ? local : throw new FileNotFoundException($"kconnect.dll not found in {AppContext.BaseDirectory}; build the test project.");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
