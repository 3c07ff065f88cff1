using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>The real kcat with any arguments (a test that needs it fails when it is missing; scripts/test.sh installs it).</summary>
internal static class KcatCli
{
    public static async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunAsync(IEnumerable<string> args, byte[]? stdin = null, int timeoutSeconds = 30)
    {
        var psi = new ProcessStartInfo("kcat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"kcat is required by this test and could not be started ({e.Message}); scripts/test.sh installs it (apt-get install kcat).");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var buffer = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(buffer);
            if (stdin is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new Xunit.Sdk.XunitException($"kcat {string.Join(' ', psi.ArgumentList)} did not finish within {timeoutSeconds}s: {await stderr}");
            }
            await copy;
            return (process.ExitCode, buffer.ToArray(), await stderr);
        }
    }

    /// <summary><c>kcat -C -b servers -t topic -e -q -f format</c>; throws with kcat's stderr when it fails.</summary>
    public static async Task<string> ConsumeAsync(string servers, string topic, string format)
    {
        var (code, stdout, stderr) = await RunAsync(["-C", "-b", servers, "-t", topic, "-e", "-q", "-f", format]);
        if (code != 0)
        {
            throw new Xunit.Sdk.XunitException($"kcat -C -t {topic} exited {code}: {stderr}");
        }
        return Encoding.UTF8.GetString(stdout);
    }

    /// <summary>Records of a topic as (key, value, partition), keys and values as text ("" for null).</summary>
    public static async Task<List<(string Key, string Value, int Partition)>> RecordsAsync(string servers, string topic)
    {
        // Unit and record separators: JSON text never holds raw control characters.
        var text = await ConsumeAsync(servers, topic, "%k\u001f%s\u001f%p\u001e");
        var records = new List<(string, string, int)>();
        foreach (var r in text.Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = r.Split('\u001f');
            records.Add((parts[0], parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return records;
    }
}

/// <summary>Appends numbered lines to a file in the background (a source's input while workers come and go).</summary>
internal sealed class LineWriter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _written;

    public LineWriter(string path, string prefix, int linesPerTick = 20, int tickMs = 20)
    {
        Prefix = prefix;
        _loop = Task.Run(async () =>
        {
            await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var sb = new StringBuilder();
            while (!_stop.IsCancellationRequested)
            {
                sb.Clear();
                var start = _written;
                for (var n = start; n < start + linesPerTick; n++)
                {
                    sb.Append(Line(prefix, n)).Append('\n');
                }
                await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
                await stream.FlushAsync();
                Volatile.Write(ref _written, start + linesPerTick);
                try
                {
                    await Task.Delay(tickMs, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public string Prefix { get; }

    public int Written => Volatile.Read(ref _written);

    public static string Line(string prefix, int n) => $"{prefix}-{n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}";

    public IEnumerable<string> Expected => Enumerable.Range(0, Written).Select(n => Line(Prefix, n));

    /// <summary>Stops writing; returns how many lines were written.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Written;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _stop.Dispose();
    }
}

internal static class SinkFile
{
    /// <summary>The complete lines of a file being written (a trailing partial line is left out).</summary>
    public static string[] CompleteLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        {
            text = reader.ReadToEnd();
        }
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }

    /// <summary>Missing lines and duplicate count of <paramref name="actual"/> against <paramref name="expected"/>.</summary>
    public static (List<string> Missing, int Duplicates, List<string> Unexpected) Compare(IEnumerable<string> expected, IEnumerable<string> actual)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in actual)
        {
            counts[line] = counts.GetValueOrDefault(line) + 1;
        }
        var expectedSet = expected.ToHashSet(StringComparer.Ordinal);
        var missing = expectedSet.Where(e => !counts.ContainsKey(e)).Order(StringComparer.Ordinal).ToList();
        var duplicates = counts.Values.Where(c => c > 1).Sum(c => c - 1);
        var unexpected = counts.Keys.Where(k => !expectedSet.Contains(k)).Order(StringComparer.Ordinal).ToList();
        return (missing, duplicates, unexpected);
    }
}
