using System.Diagnostics;
using System.Text;

namespace KafkaConnect.Broker.IntegrationTests.Infrastructure;

internal sealed record ProcessResult(string FileName, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Human-readable account of the run for assertion messages; long streams are trimmed to their tails.</summary>
    public string Describe(int maxChars = 4000) =>
        $"$ {FileName} {string.Join(' ', Arguments)}{Environment.NewLine}" +
        $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1}s{Environment.NewLine}" +
        $"--- stdout ---{Environment.NewLine}{Tail(StandardOutput, maxChars)}{Environment.NewLine}" +
        $"--- stderr ---{Environment.NewLine}{Tail(StandardError, maxChars)}";

    internal static string Tail(string text, int maxChars) =>
        text.Length <= maxChars ? text : "…" + text[^maxChars..];
}

/// <summary>Runs client tools (kcat, python) to completion with a hard timeout.</summary>
internal static class ProcessRunner
{
    public static Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? standardInputFile = null) =>
        RunAsync(fileName, arguments, timeout, standardInputFile, started: null);

    /// <summary>
    /// Starts the process and returns it running; <paramref name="started"/> lets callers act while it runs
    /// (e.g. kill the broker mid-stream). The returned task completes when the process exits.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? standardInputFile,
        Action<Process>? started)
    {
        var args = arguments.ToList();
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInputFile is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Python buffers stdout when piped; progress lines must arrive promptly.
        psi.Environment["PYTHONUNBUFFERED"] = "1";

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{fileName}': {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        started?.Invoke(process);

        if (standardInputFile is not null)
        {
            await using (var input = File.OpenRead(standardInputFile))
            {
                try
                {
                    await input.CopyToAsync(process.StandardInput.BaseStream);
                }
                catch (IOException)
                {
                    // The child exited early; its exit code and stderr tell why.
                }
            }

            process.StandardInput.Close();
        }

        using var cts = new CancellationTokenSource(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            await process.WaitForExitAsync();
        }

        // WaitForExitAsync also waits for the redirected streams to reach EOF.
        stopwatch.Stop();
        var exitCode = timedOut ? -1 : process.ExitCode;
        if (timedOut)
        {
            lock (stderr)
            {
                stderr.AppendLine($"[test harness] killed after timeout of {timeout.TotalSeconds:F0}s");
            }
        }

        string outText;
        string errText;
        lock (stdout)
        {
            outText = stdout.ToString();
        }

        lock (stderr)
        {
            errText = stderr.ToString();
        }

        return new ProcessResult(fileName, args, exitCode, outText, errText, stopwatch.Elapsed);
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (sb)
        {
            sb.AppendLine(line);
        }
    }
}
