using System.Runtime.InteropServices;
using KafkaConnect.Broker.Configuration;
using KafkaConnect.SchemaRegistry;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Cli;

/// <summary><c>kconnect schema-registry [schema-registry.properties]</c>: Confluent's schema-registry-start with its keys.</summary>
internal static class SchemaRegistryCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in args)
        {
            if (a.StartsWith('-'))
            {
                throw new ArgumentException($"unknown option '{a}'.");
            }
            if (!File.Exists(a))
            {
                throw new ArgumentException($"properties file '{a}' does not exist.");
            }
            foreach (var (k, v) in JavaProperties.Load(a))
            {
                props[k] = v;
            }
        }
        var options = SchemaRegistryOptions.FromProperties(props);

        var (loggerFactory, _) = WorkerHost.CreateLogging();
        using var loggers = loggerFactory as IDisposable;
        var log = loggerFactory.CreateLogger("kconnect");
        foreach (var k in options.UnknownKeys)
        {
            log.LogWarning("ignoring setting {Key}: not used by this schema registry", k);
        }

        using var stopping = new CancellationTokenSource();
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            stop.TrySetResult();
            stopping.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        SchemaRegistryServer started;
        try
        {
            started = await SchemaRegistryServer.StartAsync(options, loggerFactory, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or KafkaConnect.Client.KafkaException
            or KafkaConnect.Client.KafkaConnectionException or KafkaConnect.Client.Log.KafkaLogException or TimeoutException)
        {
            return Program.Fail($"cannot start the schema registry: {ex.Message}");
        }
        await using var registry = started;
        Console.Out.WriteLine($"kconnect schema-registry listening on {string.Join(", ", registry.Urls)} (store {options.Topic} on {options.BootstrapServers})");
        Console.Out.Flush();
        await stop.Task.ConfigureAwait(false);
        log.LogInformation("shutting down");
        return 0;
    }
}
