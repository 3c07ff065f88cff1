using System.Data.Common;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Util;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Jdbc.Sink;

/// <summary>
/// Writes each Put batch in one transaction. Database errors are retried max.retries times by throwing
/// <see cref="RetriableException"/> (after asking the worker to wait retry.backoff.ms); the connection is
/// re-opened for the retry, and since the failed transaction rolled back, nothing is lost or half-written.
/// </summary>
public sealed class JdbcSinkTask : SinkTask
{
    internal const string VersionString = "10.7.4-kc";

    private readonly ILogger _log = ConnectLogging.LoggerFactory.CreateLogger<JdbcSinkTask>();
    private JdbcSinkConfig? _config;
    private JdbcDbWriter? _writer;
    private int _remainingRetries;

    public override string Version() => VersionString;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        _config = new JdbcSinkConfig(props);
        var reporter = TryGetReporter();
        _writer = new JdbcDbWriter(_config, _config.ConnectionInfo(),
            reporter is null ? null : (record, error) => reporter.ReportAsync(record, error).GetAwaiter().GetResult());
        _remainingRetries = _config.MaxRetriesValue;
        // Not the URL: it may hold a password.
        _log.LogInformation("JDBC sink task started: insert.mode={InsertMode}, pk.mode={PkMode}, batch.size={BatchSize}, max.retries={MaxRetries}",
            props.GetValueOrDefault(JdbcSinkConfig.InsertModeConfig, "insert"), props.GetValueOrDefault(JdbcSinkConfig.PkMode, "none"),
            _config.BatchSizeValue, _config.MaxRetriesValue);
    }

    private IErrantRecordReporter? TryGetReporter()
    {
        try
        {
            return Context.ErrantRecordReporter;
        }
        catch (InvalidOperationException)
        {
            return null; // started without a context (tests)
        }
    }

    public override void Put(IReadOnlyCollection<SinkRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }
        var writer = _writer ?? throw new InvalidOperationException("The task has not been started");
        var config = _config!;
        try
        {
            writer.Write(records);
            _remainingRetries = config.MaxRetriesValue;
        }
        catch (Exception e) when (IsTransient(e))
        {
            writer.Reset();
            _log.LogWarning(e, "Writing {Count} records failed; {Left} of {Max} retries left", records.Count, _remainingRetries, config.MaxRetriesValue);
            if (_remainingRetries <= 0)
            {
                throw new ConnectException($"Writing {records.Count} records failed after {config.MaxRetriesValue} retries: {e.Message}", e);
            }
            _remainingRetries--;
            try
            {
                Context.Timeout(config.RetryBackoff);
            }
            catch (InvalidOperationException)
            {
                // no context (tests): the caller decides when to retry
            }
            throw new RetriableException($"Writing {records.Count} records failed ({_remainingRetries} retries left): {e.Message}", e);
        }
        catch
        {
            writer.Reset();
            throw;
        }
    }

    private static bool IsTransient(Exception e)
    {
        for (var ex = e; ex is not null; ex = ex.InnerException)
        {
            if (ex is DbException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        // A connection broken mid-command surfaces as InvalidOperationException in some drivers.
        return e is InvalidOperationException && e.Message.Contains("connection", StringComparison.OrdinalIgnoreCase);
    }

    public override void Stop()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
