using System.Text.Json;

namespace KafkaConnect.Broker.IntegrationTests.Infrastructure;

/// <summary>
/// Locates the real Kafka clients the tests drive. A missing client fails the test with the Debian package
/// to install: these tests exist to prove compatibility, so silently skipping them would hide regressions.
/// </summary>
internal static class Clients
{
    // The pyenv python3 on PATH lacks the Kafka modules; the Debian interpreter has them.
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> s_kcat = new(FindKcat);
    private static readonly Dictionary<string, bool> s_modules = [];

    public static string ScriptsDirectory => Path.Combine(AppContext.BaseDirectory, "scripts");

    public static string RequireKcat() =>
        s_kcat.Value ?? throw new Xunit.Sdk.XunitException(
            "kcat is not installed (looked for /usr/bin/kcat and kcat on PATH). Install it with: apt-get install -y kcat");

    public static void RequireKafkaPython() => RequirePythonModule("kafka", "python3-kafka");

    public static void RequireConfluentKafka() => RequirePythonModule("confluent_kafka", "python3-confluent-kafka");

    public static Task<ProcessResult> KcatAsync(TimeSpan timeout, params string[] arguments) =>
        ProcessRunner.RunAsync(RequireKcat(), arguments, timeout);

    /// <summary>Runs scripts/<paramref name="script"/> and returns the process result without judging it.</summary>
    public static Task<ProcessResult> RunScriptRawAsync(string script, TimeSpan timeout, params string[] arguments) =>
        ProcessRunner.RunAsync(Python, ScriptArguments(script, arguments), timeout);

    /// <summary>Runs a script that must succeed and returns its RESULT JSON line.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        var result = await RunScriptRawAsync(script, timeout, arguments);
        Assert.True(result.Succeeded, $"{script} failed:{Environment.NewLine}{result.Describe()}");
        return ParseResult(result);
    }

    public static IEnumerable<string> ScriptArguments(string script, IEnumerable<string> arguments)
    {
        var path = Path.Combine(ScriptsDirectory, script);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Test script missing from the output directory: {path}");
        }

        return [path, .. arguments];
    }

    /// <summary>Scripts print exactly one line "RESULT {json}"; everything else is diagnostics.</summary>
    public static JsonElement ParseResult(ProcessResult result)
    {
        const string Marker = "RESULT ";
        string? json = null;
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                json = line[Marker.Length..].TrimEnd('\r');
            }
        }

        if (json is null)
        {
            throw new Xunit.Sdk.XunitException($"No RESULT line in script output:{Environment.NewLine}{result.Describe()}");
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static void RequirePythonModule(string module, string debianPackage)
    {
        if (!File.Exists(Python))
        {
            throw new Xunit.Sdk.XunitException(
                $"{Python} is missing. Install it with: apt-get install -y python3 {debianPackage}");
        }

        bool present;
        lock (s_modules)
        {
            if (!s_modules.TryGetValue(module, out present))
            {
                var probe = ProcessRunner.RunAsync(Python, ["-c", $"import {module}"], TimeSpan.FromSeconds(60))
                    .GetAwaiter().GetResult();
                present = probe.Succeeded;
                s_modules[module] = present;
            }
        }

        if (!present)
        {
            throw new Xunit.Sdk.XunitException(
                $"Python module '{module}' is not importable by {Python}. Install it with: apt-get install -y {debianPackage}");
        }
    }

    private static string? FindKcat()
    {
        if (File.Exists("/usr/bin/kcat"))
        {
            return "/usr/bin/kcat";
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "kcat");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
