using System.Diagnostics;

namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>Runs an outside peer (node, python) to completion and hands back its standard output lines.</summary>
internal static class PeerProcess
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="args"/>; a start failure, a timeout or a non-zero exit fails
    /// the test with the peer's standard error and <paramref name="hint"/> (what installs the peer).
    /// </summary>
    public static async Task<string[]> RunAsync(string program, string workingDirectory, IReadOnlyList<string> args, string hint,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        var what = $"{Path.GetFileName(program)} {string.Join(' ', args.Take(2).Select(Path.GetFileName))}";
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new Xunit.Sdk.XunitException($"{program} could not be started ({hint})");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{program} could not be started: {e.Message} ({hint})");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(s_timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"{what} did not finish in {s_timeout.TotalSeconds:F0} s: {await stderr}");
            }
            if (process.ExitCode != 0)
            {
                throw new Xunit.Sdk.XunitException($"{what} exited with {process.ExitCode} ({hint}): {await stderr}");
            }
            return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}
