using System.Runtime.InteropServices;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Cli;

internal static class Program
{
    private const string Usage = """
        usage: kconnect <command> [options]

        commands:
          broker [server.properties] [--listen HOST:PORT] [--data-dir DIR] [--config KEY=VALUE]... [--add-scram SPEC]...
              Runs the single-node Kafka broker. Settings use Kafka's server.properties keys; flags override the file.
              --add-scram 'SCRAM-SHA-512=[name=alice,password=alice-secret]' stores a SCRAM user before listening.
          standalone worker.properties [connector.properties|connector.json ...]
              Runs a standalone Kafka Connect worker (as connect-standalone.sh). Without bootstrap.servers in the
              worker file an embedded broker starts on 127.0.0.1:9092 (embedded.broker.listeners/.data.dir).
          distributed connect-distributed.properties
              Runs a worker of a Kafka Connect cluster (as connect-distributed.sh): workers with the same group.id share
              connectors, tasks, offsets and statuses through Kafka's group protocol and three compacted topics.
          schema-registry [schema-registry.properties]
              Runs a Schema Registry speaking Confluent's REST API (default http://127.0.0.1:8081), storing schemas in the
              compacted topic kafkastore.topic (_schemas) on kafkastore.bootstrap.servers; Confluent's keys.
          docs config
              Prints the configuration reference (docs/configuration.md).
          docs schema-registry
              Prints the schema-registry.properties keys table (docs/schema-registry.md).
          completion bash
              Prints a bash completion script: source <(kconnect completion bash)
          --version
              Prints kconnect's version and the Apache Kafka Connect version its REST API and formats follow.
        """;

    private const string BashCompletion = """
        # kconnect bash completion: source <(kconnect completion bash)
        _kconnect() {
          local cur=${COMP_WORDS[COMP_CWORD]}
          if [ "$COMP_CWORD" -eq 1 ]; then
            COMPREPLY=($(compgen -W "broker standalone distributed schema-registry docs completion --version --help" -- "$cur"))
            return
          fi
          case "${COMP_WORDS[1]}" in
            docs) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "config schema-registry" -- "$cur")) ;;
            completion) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "bash" -- "$cur")) ;;
            broker)
              case "$cur" in
                --*) COMPREPLY=($(compgen -W "--listen --data-dir --config --add-scram" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -f -- "$cur")) ;;
              esac ;;
            *) COMPREPLY=($(compgen -f -- "$cur")) ;;
          esac
        }
        complete -o filenames -F _kconnect kconnect

        """;

    private static async Task<int> Main(string[] args)
    {
        // kconnect runs in .NET's globalization-invariant mode; where a user turns it off (the SQL Server driver needs
        // ICU: DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false), numbers and dates must still format as they do here, not
        // by the machine's locale.
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.Out.WriteLine(VersionText());
            return 0;
        }
        try
        {
            return args[0] switch
            {
                "broker" => await BrokerCommand.RunAsync(args[1..]).ConfigureAwait(false),
                "standalone" => await StandaloneCommand.RunAsync(args[1..]).ConfigureAwait(false),
                "distributed" => await DistributedCommand.RunAsync(args[1..]).ConfigureAwait(false),
                "schema-registry" => await SchemaRegistryCommand.RunAsync(args[1..]).ConfigureAwait(false),
                "docs" when args.Length == 2 && args[1] == "config" => PrintConfigDocs(),
                "docs" when args.Length == 2 && args[1] == "schema-registry" => PrintRegistryDocs(),
                "completion" when args.Length == 2 && args[1] == "bash" => Print(BashCompletion),
                _ => Fail($"unknown command '{args[0]}'.\n{Usage}"),
            };
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }
    }

    /// <summary>kconnect's own version (with the commit it was built from) and the Apache Kafka Connect version it follows.</summary>
    internal static string VersionText()
    {
        var version = typeof(Program).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        var build = System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? ".NET " + Environment.Version : "native";
        return $"kconnect {version} (Apache Kafka Connect {Connect.Runtime.Herder.HerderBase.ApacheVersion} compatible; {build}, {RuntimeInformation.RuntimeIdentifier})";
    }

    private static int Print(string text)
    {
        Console.Out.Write(text);
        return 0;
    }

    private static int PrintConfigDocs()
    {
        Console.Out.Write(ConfigDocs.Markdown());
        return 0;
    }

    private static int PrintRegistryDocs()
    {
        Console.Out.Write(KafkaConnect.SchemaRegistry.SchemaRegistryOptions.MarkdownTable());
        return 0;
    }

    internal static int Fail(string message)
    {
        Console.Error.WriteLine($"kconnect: {message}");
        return 2;
    }
}

internal static class BrokerCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        var scramUsers = new List<(string User, KafkaConnect.Security.ScramCredential Credential)>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a)
            {
                case "--listen":
                    overrides["listeners"] = "PLAINTEXT://" + Value();
                    break;
                case "--data-dir":
                    overrides["log.dirs"] = Value();
                    break;
                case "--add-scram":
                    scramUsers.Add(KafkaConnect.Broker.Security.AddScramOption.Parse(Value()));
                    break;
                case "--config":
                    var kv = Value();
                    var eq = kv.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) throw new ArgumentException($"--config expects KEY=VALUE, got '{kv}'.");
                    overrides[kv[..eq]] = kv[(eq + 1)..];
                    break;
                default:
                    if (a.StartsWith('-')) throw new ArgumentException($"unknown option '{a}'.");
                    if (!File.Exists(a)) throw new ArgumentException($"properties file '{a}' does not exist.");
                    foreach (var (k, v) in JavaProperties.Load(a)) props[k] = v;
                    break;
            }
        }
        foreach (var (k, v) in overrides) props[k] = v;
        var config = BrokerConfig.Create(props);

        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            }));
        var log = loggers.CreateLogger("kconnect");
        foreach (var k in config.UnknownKeys) log.LogWarning("ignoring setting {Key}: not used by this broker", k);

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });

        KafkaBroker started;
        try
        {
            started = await KafkaBroker.StartAsync(config, loggers, initialScram: scramUsers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            return Program.Fail($"cannot start the broker: {ex.Message} Is another broker running with the same data directory or listener?");
        }
        await using var broker = started;
        BrokerMetricsEndpoint? metrics = null;
        if (config.MetricsListener is { } metricsListener)
        {
            try
            {
                metrics = await BrokerMetricsEndpoint.StartAsync(metricsListener).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                return Program.Fail($"cannot serve metrics at {BrokerConfig.MetricsListenerConfig}={metricsListener}: {ex.Message}");
            }
        }
        await using var metricsEndpoint = metrics;
        Console.Out.WriteLine($"kconnect broker listening on {broker.BootstrapServers} (cluster {broker.ClusterId}, data in {Path.GetFullPath(config.DataDirectory)})");
        if (metrics is not null) Console.Out.WriteLine($"kconnect broker metrics at {metrics.Url}");
        Console.Out.Flush();
        await stop.Task.ConfigureAwait(false);
        log.LogInformation("shutting down");
        return 0;
    }
}
