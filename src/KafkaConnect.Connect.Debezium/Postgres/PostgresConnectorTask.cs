using System.Threading.Channels;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Util;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// Runs the <see cref="ChangeEventSource"/> in the background and hands its events to the worker in batches. After the
/// worker commits offsets (<see cref="Commit"/>) it reads the committed offset back and lets the slot confirm the
/// position that offset covers, so a restart, even after a crash, finds every change it has not delivered for good.
/// </summary>
public sealed class PostgresConnectorTask : SourceTask
{
    private readonly ILogger _log = ConnectLogging.LoggerFactory.CreateLogger<PostgresConnectorTask>();
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private PostgresSettings? _settings;
    private Channel<SourceRecord>? _queue;
    private ChangeEventSource? _source;
    private Task? _run;
    private int _closed;

    public PostgresConnectorTask()
        : this(TimeProvider.System)
    {
    }

    internal PostgresConnectorTask(TimeProvider time) => _time = time;

    public override string Version() => PostgresConnector.PluginVersion;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        PostgresSettings settings;
        try
        {
            settings = new PostgresSettings(props);
        }
        catch (ConfigException e)
        {
            throw new ConfigException("Couldn't start PostgresConnectorTask due to configuration error", e);
        }
        _settings = settings;
        var stored = PostgresOffset.From(Context.OffsetStorageReader.Offset(settings.SourcePartition));
        _log.LogInformation("Starting PostgreSQL change capture of {Host}:{Port}/{Db} as {Prefix}, slot {Slot}; stored offset: {Offset}",
            settings.Hostname, settings.Port, settings.DbName, settings.TopicPrefix, settings.SlotName,
            stored is null ? "none" : string.Join(", ", stored.ToMap().Select(kv => kv.Key + "=" + kv.Value)));
        _queue = Channel.CreateBounded<SourceRecord>(new BoundedChannelOptions(settings.MaxQueueSize)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _source = new ChangeEventSource(settings, PostgresConnector.PluginVersion, _queue.Writer, _time, _log);
        var token = _stop.Token;
        _run = Task.Run(() => _source.RunAsync(stored, token), token);
    }

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        var queue = _queue ?? throw new InvalidOperationException("The task has not been started");
        var settings = _settings!;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        linked.CancelAfter(settings.PollInterval);
        try
        {
            if (!await queue.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
            {
                // The source ended: with an error (rethrown by Completion), or after an initial_only snapshot.
                await queue.Reader.Completion.ConfigureAwait(false);
                await Task.Delay(settings.PollInterval, _time, cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException or InvalidOperationException or TimeoutException)
        {
            throw new ConnectException("PostgreSQL change capture failed: " + e.Message, e);
        }
        var batch = new List<SourceRecord>(Math.Min(settings.MaxBatchSize, 256));
        while (batch.Count < settings.MaxBatchSize && queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }
        return batch;
    }

    /// <summary>Offsets were committed: the position they cover may be confirmed to the server.</summary>
    public override void Commit()
    {
        var settings = _settings;
        var source = _source;
        if (settings is null || source is null)
        {
            return;
        }
        // The committed offset, not the last one handed out: only what the worker stored may be released.
        var committed = PostgresOffset.From(Context.OffsetStorageReader.Offset(settings.SourcePartition));
        if (committed?.FlushLsn is { } lsn)
        {
            source.Confirm(lsn);
        }
    }

    public override void Stop()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }
        _stop.Cancel();
        try
        {
            _run?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException e)
        {
            _log.LogDebug(e, "The change event source ended with an error");
        }
        _source?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
