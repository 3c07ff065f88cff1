using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>
/// Reads the files of input.path one after another into the topic. The source partition is the file name and the
/// offset the number of records delivered from it (<c>{"fileName": …}</c> → <c>{"offset": n}</c>, as the Java
/// connector stores them), so a restart resumes inside a file. Unlike the Java connector, a file is moved, deleted or
/// sent to error.path only once Kafka has acknowledged every record read from it, so a crash never loses its tail.
/// </summary>
public abstract class SpoolDirSourceTask : SourceTask
{
    internal const string FileNameKey = "fileName";
    internal const string OffsetKey = "offset";
    // Ours, beside Java's "offset": a later file of the same name (a daily export) is not taken for the finished one.
    internal const string LengthKey = "file.length";
    internal const string LastModifiedKey = "file.last.modified";

    private readonly Lock _lock = new();
    // Poll and the worker's offset committer both finish files; one at a time.
    private readonly Lock _cleanupLock = new();
    private readonly Dictionary<string, OpenFile> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<(string, long, long)> _done = [];
    private ILogger _log = SpoolDirConnectors.LoggerFactory.CreateLogger<SpoolDirSourceTask>();
    private SpoolDirSettings? _settings;
    private InputFiles? _files;
    private OpenFile? _current;
    private Exception? _halt;
    private int _emptyPolls;

    internal abstract SpoolDirFormat Format { get; }

    /// <summary>The clock for file ages and empty-poll waits; tests replace it.</summary>
    internal TimeProvider Time { get; set; } = TimeProvider.System;

    public override string Version() => SpoolDirConnectors.Version;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        _settings = new SpoolDirSettings(Format, props);
        _log = SpoolDirConnectors.LoggerFactory.CreateLogger(GetType());
        CheckDirectory(SpoolDirConfig.InputPath, _settings.InputPath);
        CheckDirectory(SpoolDirConfig.ErrorPath, _settings.ErrorPath);
        if (_settings.FinishedPath is not null)
        {
            CheckDirectory(SpoolDirConfig.FinishedPath, _settings.FinishedPath);
        }
        _files = new InputFiles(_settings, Time, _log);
        _files.RemoveStaleFlags();
    }

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        var settings = _settings ?? throw new InvalidOperationException("The task has not been started");
        CleanUpAcknowledged();
        if (_halt is not null)
        {
            throw new ConnectException($"{_halt.Message} ({SpoolDirConfig.HaltOnError}=true, so the task stops)", _halt);
        }
        if (_current is null && !TryOpenNext())
        {
            if (++_emptyPolls > 1)
            {
                await Task.Delay(settings.EmptyPollWait, Time, cancellationToken).ConfigureAwait(false);
            }
            return null;
        }
        _emptyPolls = 0;
        var file = _current!;
        var records = new List<SourceRecord>(Math.Min(settings.BatchSize, 4096));
        bool? failed = null;
        try
        {
            while (records.Count < settings.BatchSize && file.Reader!.TryRead(out var key, out var value))
            {
                records.Add(Record(file, key, value));
            }
            if (records.Count < settings.BatchSize)
            {
                _log.LogInformation("Read {Count} record(s) from {File}", file.Reader!.Position, file.Info.FullName);
                failed = false;
            }
        }
        catch (Exception e) when (e is DataException or IOException)
        {
            _log.LogError(e, "Cannot read {File} past record {Position}; it goes to {ErrorPath} once the records before are in Kafka",
                file.Info.FullName, file.Reader!.Position, settings.ErrorPath);
            failed = true;
            if (settings.HaltOnError)
            {
                _halt = new ConnectException($"Cannot read {file.Info.FullName}: {e.Message}", e);
            }
        }
        lock (_lock)
        {
            // Counted before the file is marked done, so the committer never finishes it with records still unsent.
            file.Outstanding += records.Count;
            if (failed is { } f)
            {
                file.ReadDone = true;
                file.Failed = f;
            }
        }
        if (failed is not null)
        {
            file.Reader?.Dispose();
            _current = null;
        }
        CleanUpAcknowledged();
        return records;
    }

    public override void CommitRecord(SourceRecord record, RecordMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.SourcePartition?.GetValueOrDefault(FileNameKey) is not string name)
        {
            return;
        }
        lock (_lock)
        {
            if (_inFlight.TryGetValue(name, out var file))
            {
                file.Outstanding--;
            }
        }
    }

    /// <summary>After an offset commit: finishes the files whose records are all in Kafka, even while poll waits.</summary>
    public override void Commit()
    {
        if (_files is not null)
        {
            CleanUpAcknowledged();
        }
    }

    public override void Stop()
    {
        if (_current is not null)
        {
            _current.Reader?.Dispose();
            // The flag goes: the next start resumes the file from its committed offset.
            TryDelete(_files!.ProcessingFlag(_current.Info));
            _current = null;
        }
        lock (_lock)
        {
            foreach (var file in _inFlight.Values)
            {
                TryDelete(_files!.ProcessingFlag(file.Info));
            }
            _inFlight.Clear();
        }
    }

    internal abstract RecordReader OpenReader(SpoolDirSettings settings, FileInfo file);

    private bool TryOpenNext()
    {
        var files = _files!;
        while (files.TryNext(out var info))
        {
            var identity = (info.FullName, info.Length, info.LastWriteTimeUtc.Ticks);
            lock (_cleanupLock)
            {
                if (_done.Contains(identity))
                {
                    continue;
                }
            }
            lock (_lock)
            {
                if (_inFlight.ContainsKey(info.Name))
                {
                    continue;
                }
            }
            var flag = files.ProcessingFlag(info);
            try
            {
                using (File.Create(flag))
                {
                }
            }
            catch (IOException e)
            {
                _log.LogWarning(e, "Cannot create the processing flag {Flag}; skipping {File} for now", flag, info.FullName);
                continue;
            }
            var partition = new Dictionary<string, object?> { [FileNameKey] = info.Name };
            var resumeAt = ResumePosition(partition, info);
            RecordReader? reader = null;
            try
            {
                reader = OpenReader(_settings!, info);
                if (resumeAt > 0)
                {
                    _log.LogInformation("Resuming {File} after record {Position}, its committed offset", info.FullName, resumeAt);
                    reader.Skip(resumeAt);
                }
            }
            catch (Exception e) when (e is DataException or IOException)
            {
                reader?.Dispose();
                _log.LogError(e, "Cannot open {File}", info.FullName);
                var failed = new OpenFile(info, null, partition, files.RelativeDirectory(info)) { Failed = true };
                lock (_lock)
                {
                    _inFlight[info.Name] = failed;
                }
                if (_settings!.HaltOnError)
                {
                    _halt = new ConnectException($"Cannot read {info.FullName}: {e.Message}", e);
                    return false;
                }
                continue;
            }
            _log.LogInformation("Reading {File}", info.FullName);
            _current = new OpenFile(info, reader, partition, files.RelativeDirectory(info));
            lock (_lock)
            {
                _inFlight[info.Name] = _current;
            }
            return true;
        }
        return false;
    }

    private long ResumePosition(IReadOnlyDictionary<string, object?> partition, FileInfo info)
    {
        var offset = Context.OffsetStorageReader.Offset(partition);
        if (offset?.GetValueOrDefault(OffsetKey) is not { } stored || !TryLong(stored, out var position) || position <= 0)
        {
            return 0;
        }
        // An offset of an earlier file with the same name (ours record its length and time; Java's do not).
        if (offset.TryGetValue(LengthKey, out var length) && TryLong(length, out var l) && l != info.Length
            || offset.TryGetValue(LastModifiedKey, out var modified) && TryLong(modified, out var m)
                && m != new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds())
        {
            _log.LogInformation("The committed offset of {Name} belongs to an earlier file of that name; reading {File} from the start",
                info.Name, info.FullName);
            return 0;
        }
        return position;
    }

    private static bool TryLong(object? value, out long result)
    {
        switch (value)
        {
            case long l: result = l; return true;
            case int i: result = i; return true;
            case short s: result = s; return true;
            case double d when d == Math.Floor(d): result = (long)d; return true;
            default: result = 0; return false;
        }
    }

    private SourceRecord Record(OpenFile file, SchemaAndValue? key, SchemaAndValue value)
    {
        var settings = _settings!;
        var position = file.Reader!.Position;
        var offset = new Dictionary<string, object?>
        {
            [OffsetKey] = position,
            [LengthKey] = file.Info.Length,
            [LastModifiedKey] = new DateTimeOffset(file.Info.LastWriteTimeUtc).ToUnixTimeMilliseconds(),
        };
        long? timestamp = settings.TimestampMode switch
        {
            "FIELD" => ((DateTimeOffset)((Struct)value.Value!).Get(settings.TimestampField!)!).ToUnixTimeMilliseconds(),
            "FILE_TIME" => new DateTimeOffset(file.Info.LastWriteTimeUtc).ToUnixTimeMilliseconds(),
            _ => null,
        };
        return new SourceRecord(file.Partition, offset, settings.Topic, null, key?.Schema, key?.Value, value.Schema, value.Value,
            timestamp, file.Headers.For(position));
    }

    /// <summary>Finishes (or fails) the files read to the end whose records Kafka has all acknowledged.</summary>
    private void CleanUpAcknowledged()
    {
        lock (_cleanupLock)
        {
            CleanUpAcknowledgedLocked();
        }
    }

    private void CleanUpAcknowledgedLocked()
    {
        List<OpenFile> ready;
        lock (_lock)
        {
            ready = [.. _inFlight.Values.Where(f => (f.ReadDone || f.Failed) && f.Outstanding <= 0)];
            foreach (var file in ready)
            {
                _inFlight.Remove(file.Info.Name);
            }
        }
        foreach (var file in ready)
        {
            // Before the move: FileInfo.MoveTo changes the path it reports.
            var flag = _files!.ProcessingFlag(file.Info);
            var identity = (file.Info.FullName, file.Info.Length, file.Info.LastWriteTimeUtc.Ticks);
            try
            {
                if (file.Failed)
                {
                    _files!.Fail(file.Info);
                }
                else
                {
                    _files!.Finish(file.Info);
                    if (_settings!.Cleanup == "NONE")
                    {
                        _done.Add(identity);
                    }
                }
            }
            catch (IOException e)
            {
                _log.LogError(e, "Cannot clean up {File}", file.Info.FullName);
            }
            finally
            {
                TryDelete(flag);
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            _log.LogWarning(e, "Cannot remove {Path}", path);
        }
    }

    private static void CheckDirectory(string key, string path)
    {
        if (!Directory.Exists(path))
        {
            throw new ConnectException($"Directory for '{key}' '{path}' does not exist");
        }
        var probe = Path.Combine(path, $".permission{Guid.NewGuid():N}.testing");
        try
        {
            using (File.Create(probe))
            {
            }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException($"Directory for '{key}' '{path}' is not writable: {e.Message}", e);
        }
    }

    private sealed class OpenFile(FileInfo info, RecordReader? reader, IReadOnlyDictionary<string, object?> partition, string? relativeDirectory)
    {
        public FileInfo Info { get; } = info;
        /// <summary>Null for a file that could not be opened.</summary>
        public RecordReader? Reader { get; } = reader;
        public IReadOnlyDictionary<string, object?> Partition { get; } = partition;
        public string? RelativeDirectory { get; } = relativeDirectory;
        public FileHeaders Headers { get; } = new(info, relativeDirectory);
        public int Outstanding { get; set; }
        public bool ReadDone { get; set; }
        public bool Failed { get; set; }
    }
}

/// <summary>The task of <see cref="SpoolDirCsvSourceConnector"/>.</summary>
public sealed class SpoolDirCsvSourceTask : SpoolDirSourceTask
{
    internal override SpoolDirFormat Format => SpoolDirFormat.Csv;

    internal override RecordReader OpenReader(SpoolDirSettings settings, FileInfo file) => new CsvRecordReader(settings, file);
}

/// <summary>The task of <see cref="SpoolDirJsonSourceConnector"/>.</summary>
public sealed class SpoolDirJsonSourceTask : SpoolDirSourceTask
{
    internal override SpoolDirFormat Format => SpoolDirFormat.Json;

    internal override RecordReader OpenReader(SpoolDirSettings settings, FileInfo file) => new JsonRecordReader(settings, file);
}

/// <summary>The task of <see cref="SpoolDirLineDelimitedSourceConnector"/>.</summary>
public sealed class SpoolDirLineDelimitedSourceTask : SpoolDirSourceTask
{
    internal override SpoolDirFormat Format => SpoolDirFormat.LineDelimited;

    internal override RecordReader OpenReader(SpoolDirSettings settings, FileInfo file) => new LineRecordReader(settings, file);
}

/// <summary>The task of <see cref="SpoolDirSchemaLessJsonSourceConnector"/>.</summary>
public sealed class SpoolDirSchemaLessJsonSourceTask : SpoolDirSourceTask
{
    internal override SpoolDirFormat Format => SpoolDirFormat.SchemaLessJson;

    internal override RecordReader OpenReader(SpoolDirSettings settings, FileInfo file) => new SchemaLessJsonRecordReader(settings, file);
}
