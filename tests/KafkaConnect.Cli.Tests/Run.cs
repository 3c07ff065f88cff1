using System.Diagnostics;
using System.Text;

namespace KafkaConnect.Cli.Tests;

/// <summary>Runs a program to completion, or starts one to stop later; output is kept for failure messages.</summary>
internal sealed class Run : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private Run(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    public static Run Start(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        var process = new Process { StartInfo = psi };
        var run = new Run(process);
        process.OutputDataReceived += (_, e) => run.Append(e.Data);
        process.ErrorDataReceived += (_, e) => run.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Runs to completion within <paramref name="timeout"/>; fails the test with the output when it does not.</summary>
    public static async Task<Run> CompleteAsync(string program, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? env = null)
    {
        var run = Start(program, args, workingDirectory, env);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await run._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            run._process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', args)} did not finish within {timeout}:\n{run.Output}");
        }
        run._process.WaitForExit(); // drains the output handlers
        return run;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
