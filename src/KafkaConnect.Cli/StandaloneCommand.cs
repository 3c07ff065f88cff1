using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using KafkaConnect.Broker;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.Broker.Metrics;
using KafkaConnect.Client.Admin;
using KafkaConnect.Connect.Rest;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Storage;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Cli;

/// <summary>
/// <c>kconnect standalone worker.properties connector1.properties [connector2 ...]</c>, like Apache's
/// connect-standalone.sh. Without bootstrap.servers the project's broker runs in-process.
/// </summary>
internal static class StandaloneCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var started = Stopwatch.GetTimestamp();
        // Where start-up time goes, logged once REST is up (issue 4's start-up bar).
        var steps = new List<string>();
        var lastStep = started;
        void Step(string name)
        {
            var now = Stopwatch.GetTimestamp();
            steps.Add(name + " " + (long)Stopwatch.GetElapsedTime(lastStep, now).TotalMilliseconds + " ms");
            lastStep = now;
        }
        if (args.Length < 1)
        {
            throw new ArgumentException("usage: kconnect standalone worker.properties [connector1.properties|.json ...]");
        }
        foreach (var file in args)
        {
            if (!File.Exists(file))
            {
                throw new ArgumentException($"file '{file}' does not exist.");
            }
        }
        var connectorConfigs = args.Skip(1).Select(LoadConnectorConfig).ToList();

        var (loggers, logLevels) = WorkerHost.CreateLogging();
        using var disposeLoggers = loggers;
        var log = loggers.CreateLogger("kconnect");
        Step("config+logging");

        WorkerConfig config;
        Dictionary<string, string> workerProps;
        RestServerOptions restOptions;
        try
        {
            workerProps = WorkerHost.LoadWorkerProperties(args[0], loggers);
            config = new WorkerConfig(workerProps);
            // Key stores and the basic-auth files are read now: a mistake there stops the worker before it starts anything.
            restOptions = RestServerOptions.FromWorkerConfig(config.Originals()) with { LoggerFactory = loggers, LogLevels = logLevels };
        }
        catch (Connect.Errors.ConfigException ex)
        {
            return Program.Fail($"invalid worker configuration {args[0]}: {ex.Message}");
        }
        foreach (var warning in config.Warnings)
        {
            log.LogWarning("{Warning}", warning);
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });

        // Plugin scanning (reflection over our assemblies) needs nothing from Kafka: overlap it with the broker start.
        var pluginPath = config.GetList(WorkerConfig.PluginPath);
        var pluginsTask = Task.Run(() => PluginRegistry.Create(pluginPath, loggers.CreateLogger("KafkaConnect.Connect.Runtime.Plugins")));
        KafkaBroker? broker = null;
        EmbeddedSchemaRegistry? registry = null;
        try
        {
            string? clusterId = null;
            if (!config.HasBootstrapServers)
            {
                var listen = config.GetString(WorkerConfig.EmbeddedBrokerListeners)!;
                var dataDir = config.GetString(WorkerConfig.EmbeddedBrokerDataDir)!;
                try
                {
                    broker = await KafkaBroker.StartAsync(BrokerConfig.Create(new Dictionary<string, string>
                    {
                        ["listeners"] = "PLAINTEXT://" + listen,
                        ["log.dirs"] = dataDir,
                        // As in the server.properties Kafka ships: the only groups here are this worker's sink tasks, and a
                        // 3 s wait before their first assignment would only delay the first records.
                        ["group.initial.rebalance.delay.ms"] = "0",
                    }), loggers).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
                {
                    // Typically a second kconnect on the same machine: say which keys separate them instead of a stack trace.
                    return Program.Fail($"cannot start the embedded broker: {ex.Message} Is another kconnect running? Stop it, or give this worker "
                        + $"its own {WorkerConfig.EmbeddedBrokerDataDir} and {WorkerConfig.EmbeddedBrokerListeners} (or a bootstrap.servers).");
                }
                workerProps[WorkerConfig.BootstrapServers] = broker.BootstrapServers;
                config = new WorkerConfig(workerProps);
                log.LogInformation("no bootstrap.servers: started the embedded broker on {Servers} (data in {Dir})", broker.BootstrapServers, Path.GetFullPath(dataDir));
                Step("embedded broker");
                registry = new EmbeddedSchemaRegistry(broker.BootstrapServers, loggers, log);
                try
                {
                    if (await registry.StartForAsync(workerProps, connectorConfigs, CancellationToken.None).ConfigureAwait(false))
                    {
                        config = new WorkerConfig(workerProps);
                        Step("schema registry");
                    }
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or Client.KafkaException or Client.Log.KafkaLogException)
                {
                    return Program.Fail($"cannot start the Schema Registry a converter needs: {ex.Message} Set schema.registry.url on the converter instead.");
                }
                // Connectors created over REST later get the same registry, started when one of them first needs it.
                RegistryConverterConfig.FallbackUrl = registry.Url;
                // In-process: no need for an admin client round trip to learn the cluster id.
                clusterId = broker.ClusterId;
            }

            if (clusterId is null)
            {
                var (id, problem) = await WorkerHost.CheckClusterAsync(config).ConfigureAwait(false);
                if (problem is not null) return Program.Fail(problem);
                clusterId = id;
            }
            if (clusterId is null)
            {
                return Program.Fail($"cannot reach Kafka at bootstrap.servers={config.BootstrapServersValue} within 5 s. Start the broker (e.g. `kconnect broker`), "
                    + "fix bootstrap.servers in " + args[0] + ", or remove bootstrap.servers to run the embedded broker.");
            }

            Step("cluster check");
            var plugins = await pluginsTask.ConfigureAwait(false);
            Connect.Configuration.ConfigDef.ClassResolver = WorkerHost.ClassResolver(plugins);
            var listeners = config.GetList(WorkerConfig.Listeners)!;
            var status = new StatusStore(config.WorkerId());
            var offsets = new FileOffsetBackingStore(config.GetString(WorkerConfig.OffsetStorageFileFilename)!);
            var worker = new Worker(config, plugins, offsets, status, loggers);
            await using var herder = new StandaloneHerder(worker, clusterId, loggers);
            Step("plugins+worker");
            herder.Start();
            Step("herder");

            await using var rest = new ConnectRestServer();
            try
            {
                // The final config: with the embedded broker, bootstrap.servers is known only now.
                await rest.StartAsync(herder, restOptions with
                {
                    KafkaClientConfig = config.ClientConfig(WorkerConfig.WorkerClientPrefix),
                    ExtraMeters = broker is null ? [] : [BrokerMetrics.MeterName],
                })
                    .ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                return Program.Fail($"cannot start the REST server (listeners={string.Join(",", restOptions.Listeners)}): {ex.Message} "
                    + "Is another worker running on this port? Set listeners in " + args[0] + ".");
            }
            status.WorkerId = config.WorkerId(rest.Addresses.Count > 0 ? rest.Addresses[0].Port : null);
            Step("REST");
            log.LogInformation("REST server listening at {Urls}, advertising {Url}; worker id {WorkerId}; ready {Ms} ms after start",
                string.Join(", ", rest.Addresses), rest.AdvertisedUrl, status.WorkerId,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            log.LogInformation("start-up steps: {Steps} (runtime start to Main {Main} ms)", string.Join(", ", steps),
                (long)(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds - (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            foreach (var (name, connector) in connectorConfigs)
            {
                try
                {
                    // Secrets are masked and ${provider:path:key} references are shown as written, never resolved.
                    log.LogInformation("Connector {Connector} configuration: {Config}", name, FormatMasked(SecretMasker.Mask(connector)));
                    var (_, info) = await herder.PutConnectorConfigAsync(name, connector, allowReplace: false).ConfigureAwait(false);
                    log.LogInformation("Created connector {Connector} ({Type}, {Tasks} tasks)", info.Name, info.Type, info.Tasks.Count);
                }
                catch (Exception ex) when (ex is Connect.Errors.ConnectException)
                {
                    log.LogError("Failed to create connector {Connector}: {Message}", name, ex.Message);
                    return 1;
                }
            }

            await stop.Task.ConfigureAwait(false);
            // One line of runtime figures for operators and benchmarks (the JVM's GC log has no cheaper equivalent here).
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            log.LogInformation("Kafka Connect stopping; runtime: {Alloc} MB allocated, GCs gen0/1/2 {G0}/{G1}/{G2}, GC pauses {Pause} ms in total, heap {Heap} MB, peak working set {Peak} MB",
                GC.GetTotalAllocatedBytes() >> 20, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                (long)GC.GetTotalPauseDuration().TotalMilliseconds, gc.HeapSizeBytes >> 20, Process.GetCurrentProcess().PeakWorkingSet64 >> 20);
        }
        finally
        {
            if (registry is not null)
            {
                RegistryConverterConfig.FallbackUrl = null;
                await registry.DisposeAsync().ConfigureAwait(false);
            }
            if (broker is not null)
            {
                await broker.DisposeAsync().ConfigureAwait(false);
            }
        }
        log.LogInformation("Kafka Connect stopped");
        return 0;
    }

    private static string FormatMasked(IReadOnlyDictionary<string, string> config) =>
        "{" + string.Join(", ", config.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)) + "}";

    /// <summary>A connector file: Java properties, or JSON <c>{"name":..,"config":{..}}</c> / a flat JSON object.</summary>
    internal static (string Name, Dictionary<string, string> Config) LoadConnectorConfig(string path)
    {
        var text = File.ReadAllText(path);
        Dictionary<string, string> config;
        if (text.TrimStart().StartsWith('{'))
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var source = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : root;
            config = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in source.EnumerateObject())
            {
                config[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            if (root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            {
                config.TryAdd(ConnectorConfig.Name, n.GetString()!);
            }
        }
        else
        {
            config = JavaProperties.Parse(text);
        }
        if (!config.TryGetValue(ConnectorConfig.Name, out var name) || name.Trim().Length == 0)
        {
            throw new ArgumentException($"connector configuration {path} has no 'name'.");
        }
        return (name.Trim(), config);
    }
}
