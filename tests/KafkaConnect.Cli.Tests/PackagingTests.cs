using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace KafkaConnect.Cli.Tests;

/// <summary>
/// What users install: kconnect as a .NET tool from the package the build makes, run in a fresh directory on the
/// README's main job; the version and completion commands.
/// </summary>
public sealed partial class PackagingTests : IDisposable
{
    private static readonly TimeSpan s_step = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("kconnect-packaging-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    internal static string Kconnect => Path.Combine(AppContext.BaseDirectory, "kconnect.dll");

    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("KafkaConnect.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    [GeneratedRegex(@"^kconnect (?<version>\d+\.\d+\.\d+)(\+[0-9a-f]+)? \(Apache Kafka Connect 3\.9\.0 compatible; [^)]+\)$")]
    private static partial Regex VersionLine();

    private static async Task<string> VersionOfAsync(string program, params string[] leading)
    {
        var run = await Run.CompleteAsync(program, [.. leading, "--version"], Path.GetTempPath(), s_step);
        Assert.True(run.ExitCode == 0, run.Output);
        var line = run.Output.Trim();
        var match = VersionLine().Match(line);
        Assert.True(match.Success, "unexpected version line: " + line);
        return match.Groups["version"].Value;
    }

    [Fact]
    public async Task Version_names_kconnect_and_the_Apache_version_it_follows()
    {
        var version = await VersionOfAsync(Dotnet, Kconnect);
        Assert.Equal(System.Reflection.AssemblyName.GetAssemblyName(Kconnect).Version!.ToString(3), version);
    }

    [Fact]
    public async Task Bash_completion_is_a_valid_script_that_completes_the_commands()
    {
        var script = await Run.CompleteAsync(Dotnet, [Kconnect, "completion", "bash"], _dir, s_step);
        Assert.Equal(0, script.ExitCode);
        var file = Path.Combine(_dir, "kconnect.bash");
        await File.WriteAllTextAsync(file, script.Output);
        // Completing "kconnect st" and "kconnect docs " as bash would, through the function the script registers.
        var probe = await Run.CompleteAsync("bash", ["-c", $$"""
            set -e
            source '{{file}}'
            complete -p kconnect
            COMP_WORDS=(kconnect st); COMP_CWORD=1; _kconnect; echo "first: ${COMPREPLY[*]}"
            COMP_WORDS=(kconnect docs ''); COMP_CWORD=2; _kconnect; echo "docs: ${COMPREPLY[*]}"
            """], _dir, s_step);
        Assert.True(probe.ExitCode == 0, probe.Output);
        Assert.Contains("complete -o filenames -F _kconnect kconnect", probe.Output, StringComparison.Ordinal);
        Assert.Contains("first: standalone", probe.Output, StringComparison.Ordinal);
        Assert.Contains("docs: config schema-registry", probe.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tool_package_installs_into_a_fresh_directory_and_runs_the_main_job()
    {
        var packages = Path.Combine(_dir, "packages");
        var pack = await Run.CompleteAsync(Dotnet, ["pack", Path.Combine(RepoRoot, "src", "KafkaConnect.Cli"), "-c", "Release", "--no-build", "-o", packages, "-nologo"],
            RepoRoot, s_step);
        Assert.True(pack.ExitCode == 0, pack.Output);
        var package = Assert.Single(Directory.GetFiles(packages, "kconnect.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["kconnect.".Length..];

        // A private package cache: a kconnect of the same version cached by an earlier run must not stand in for this one.
        var tools = Path.Combine(_dir, "tools");
        var install = await Run.CompleteAsync(Dotnet,
            ["tool", "install", "kconnect", "--tool-path", tools, "--add-source", packages, "--version", version, "--ignore-failed-sources"],
            _dir, s_step, new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-cache") });
        Assert.True(install.ExitCode == 0, install.Output);
        var kconnect = Path.Combine(tools, "kconnect");
        Assert.Equal(version, await VersionOfAsync(kconnect));

        await RunMainJobAsync(kconnect);
    }

    /// <summary>
    /// The README's main job (scripts/run.sh): config/connect-standalone.properties with the file source and sink, in a
    /// directory holding test.txt. Only the REST port, the broker's address and the offsets file are moved, so the test
    /// runs beside other workers.
    /// </summary>
    private async Task RunMainJobAsync(string kconnect)
    {
        var work = Directory.CreateDirectory(Path.Combine(_dir, "demo")).FullName;
        await File.WriteAllTextAsync(Path.Combine(work, "test.txt"), "hello\nfrom\nkafkaconnect.net\n");
        var config = Path.Combine(RepoRoot, "config");
        var worker = string.Join('\n', (await File.ReadAllLinesAsync(Path.Combine(config, "connect-standalone.properties")))
            .Where(l => !l.StartsWith("listeners=", StringComparison.Ordinal) && !l.StartsWith("offset.storage.file.filename=", StringComparison.Ordinal)));
        var workerFile = Path.Combine(work, "connect-standalone.properties");
        await File.WriteAllTextAsync(workerFile, worker + $"""

            listeners=http://127.0.0.1:{FreePort()}
            offset.storage.file.filename={Path.Combine(work, "connect.offsets")}
            embedded.broker.listeners=127.0.0.1:{FreePort()}
            embedded.broker.data.dir={Path.Combine(work, "broker")}
            """);
        await using var job = Run.Start(kconnect,
            ["standalone", workerFile, Path.Combine(config, "connect-file-source.properties"), Path.Combine(config, "connect-file-sink.properties")], work);
        var sink = Path.Combine(work, "test.sink.txt");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!(File.Exists(sink) && File.ReadAllText(sink) == "hello\nfrom\nkafkaconnect.net\n"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the main job did not copy test.txt to test.sink.txt:\n" + job.Output);
            await Task.Delay(200);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
