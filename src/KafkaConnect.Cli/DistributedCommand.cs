using System.Diagnostics;
using System.Runtime.InteropServices;
using KafkaConnect.Connect.Rest;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Distributed;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Cli;

/// <summary>
/// <c>kconnect distributed connect-distributed.properties</c>, like Apache's connect-distributed.sh: a worker that
/// joins the Connect cluster named by <c>group.id</c> on the Kafka cluster at <c>bootstrap.servers</c>.
/// </summary>
internal static class DistributedCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var started = Stopwatch.GetTimestamp();
        if (args.Length != 1)
        {
            throw new ArgumentException("usage: kconnect distributed connect-distributed.properties");
        }
        if (!File.Exists(args[0]))
        {
            throw new ArgumentException($"file '{args[0]}' does not exist.");
        }
        var (loggers, logLevels) = WorkerHost.CreateLogging();
        using var disposeLoggers = loggers;
        var log = loggers.CreateLogger("kconnect");

        WorkerConfig config;
        RestServerOptions restOptions;
        try
        {
            var props = WorkerHost.LoadWorkerProperties(args[0], loggers);
            config = WorkerConfig.Distributed(props);
            // Key stores and the basic-auth files are read now: a mistake there stops the worker before it joins the group.
            restOptions = RestServerOptions.FromWorkerConfig(config.Originals()) with
            {
                LoggerFactory = loggers, LogLevels = logLevels, KafkaClientConfig = config.ClientConfig(WorkerConfig.WorkerClientPrefix),
            };
        }
        catch (Connect.Errors.ConfigException ex)
        {
            return Program.Fail($"invalid worker configuration {args[0]}: {ex.Message}");
        }
        var eos = config.GetString(DistributedConfig.ExactlyOnceSourceSupport) ?? "disabled";
        if (!eos.Equals("disabled", StringComparison.OrdinalIgnoreCase))
        {
            return Program.Fail($"invalid worker configuration {args[0]}: exactly.once.source.support={eos} is not supported yet: kconnect's "
                + "client has no transactions, so it cannot write source records and their offsets atomically. Remove the setting "
                + "(or set it to 'disabled'); source connectors then deliver at least once.");
        }
        foreach (var warning in config.Warnings)
        {
            log.LogWarning("{Warning}", warning);
        }

        var configMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });

        // Side by side: scanning plugins, asking Kafka for its cluster id and binding the REST listeners. The listeners
        // answer GET / as soon as the herder exists, and 503 (health: "starting") until it has read the internal topics.
        var pluginsTask = Task.Run(() => PluginRegistry.Create(config.GetList(WorkerConfig.PluginPath), loggers.CreateLogger("KafkaConnect.Connect.Runtime.Plugins")));
        var clusterTask = WorkerHost.CheckClusterAsync(config);
        var herderCreated = new TaskCompletionSource<IHerder>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var rest = new ConnectRestServer();
        var restStart = rest.StartAsync(herderCreated.Task, restOptions);
        var (clusterId, clusterProblem) = await clusterTask.ConfigureAwait(false);
        var clusterMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (clusterProblem is not null)
        {
            await restStart.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return Program.Fail(clusterProblem);
        }
        if (clusterId is null)
        {
            await restStart.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return Program.Fail($"cannot reach Kafka at bootstrap.servers={config.BootstrapServersValue} within 5 s. Start the broker (e.g. `kconnect broker`) "
                + "or fix bootstrap.servers in " + args[0] + ".");
        }
        var plugins = await pluginsTask.ConfigureAwait(false);
        Connect.Configuration.ConfigDef.ClassResolver = WorkerHost.ClassResolver(plugins);

        var status = new StatusStore(config.WorkerId());
        var groupId = config.GetString(DistributedConfig.GroupId)!;
        var stores = DistributedStores.Create(config, loggers);
        var worker = new Worker(config, plugins, stores.Offsets, status, loggers);
        await using var herder = new DistributedHerder(worker, clusterId, stores.Configs, stores.Statuses, loggers)
        {
            InterWorkerHandler = restOptions.CreateInterWorkerHandler(),
        };
        herder.LoggerLevelChanged = (ns, level) =>
        {
            if (LogLevelRegistry.TryParseLevel(level, out var parsed))
            {
                logLevels.SetLevel(ns, parsed);
                log.LogInformation("Logger {Namespace} set to {Level} for the whole cluster", ns, level);
            }
        };
        // Reading the topics needs no URL; joining the group does, so the join waits for the listeners.
        var loading = herder.LoadAsync();
        try
        {
            await restStart.ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await loading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return Program.Fail($"cannot start the REST server (listeners={string.Join(",", restOptions.Listeners)}): {ex.Message} "
                + "Is another worker running on this port? Set listeners in " + args[0] + ".");
        }
        var restMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        status.WorkerId = config.WorkerId(rest.Addresses.Count > 0 ? rest.Addresses[0].Port : null);
        herderCreated.SetResult(herder);
        try
        {
            await herder.StartAsync(rest.AdvertisedUrl.ToString().TrimEnd('/'), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Connect.Errors.ConfigException ex)
        {
            // E.g. an internal topic that exists but is not compacted: nothing was written.
            return Program.Fail($"cannot start the distributed worker: {ex.Message}");
        }
        var readyMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        log.LogInformation("REST server listening at {Urls}, advertising {Url}; worker id {WorkerId}; group {Group}; ready {Ms} ms after start",
            string.Join(", ", rest.Addresses), rest.AdvertisedUrl, status.WorkerId, groupId, readyMs);
        // One line that says where start-up time goes (runtime start before Main, then side-by-side steps from Main).
        log.LogInformation("start-up: runtime {Runtime} ms before Main; from Main: config+logging {Config} ms, Kafka cluster id {Cluster} ms, REST listening {Rest} ms, internal topics read {Ready} ms",
            (long)(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds - readyMs, (long)configMs, (long)clusterMs, (long)restMs, readyMs);
        _ = herder.FirstAssignment.ContinueWith(
            _ => log.LogInformation("first assignment applied {Ms} ms after start", (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds),
            TaskScheduler.Default);

        await stop.Task.ConfigureAwait(false);
        log.LogInformation("Kafka Connect stopping: handing this worker's connectors and tasks to the others");
        return 0;
    }
}
