using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// Tails a file (or reads standard input) and turns each complete line into a <see cref="SourceRecord"/>
/// with a string value. Lines end with <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>; a line without its
/// terminator yet is held back until the terminator arrives.
/// </summary>
/// <remarks>
/// Records carry source partition <c>{"filename": file}</c> and source offset <c>{"position": n}</c>, the byte
/// position just after the line, so a restarted task continues after the last committed line. The file is
/// expected to grow only: like Apache's task this one keeps its read position when the file shrinks or is
/// rewritten in place, and reads whatever lies beyond that position once the file has grown past it again.
/// </remarks>
public sealed class FileStreamSourceTask : SourceTask
{
    public const string FilenameField = "filename";
    public const string PositionField = "position";

    private const int InitialBufferSize = 4096;
    private static readonly TimeSpan s_defaultPollWait = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _pollWait;
    private readonly Func<Stream> _openStdin;
    private readonly bool _ownsStdin;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopped = new();

    private string? _filename;
    private string _topic = string.Empty;
    private int _batchSize = FileStreamSourceConnector.DefaultTaskBatchSize;
    private IReadOnlyDictionary<string, object?> _partition = new Dictionary<string, object?>();

    private SafeFileHandle? _file;
    private long _readPosition;
    private bool _missingLogged;
    private bool _truncationLogged;

    private Stream? _stdin;
    private byte[]? _stdinChunk;
    private Task<int>? _pendingStdinRead;
    private bool _stdinEnded;

    // Unconsumed bytes are _buffer[_start.._end]; _streamOffset is the file position of _buffer[_start].
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private long? _streamOffset;
    // Wakes an idle poll as soon as the file changes (inotify on Linux) instead of after the whole idle wait;
    // without a watcher (unsupported file system, inotify limits) polling alone still finds new lines.
    private FileSystemWatcher? _watcher;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FileStreamSourceTask()
        : this(TimeProvider.System, s_defaultPollWait)
    {
    }

    /// <param name="time">Clock for record timestamps and the idle wait.</param>
    /// <param name="pollWait">How long a poll waits when there is nothing new, before returning null.</param>
    /// <param name="openStdin">Replaces standard input, for tests.</param>
    internal FileStreamSourceTask(TimeProvider time, TimeSpan pollWait, Func<Stream>? openStdin = null, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _pollWait = pollWait;
        _openStdin = openStdin ?? Console.OpenStandardInput;
        _ownsStdin = openStdin is not null;
        _log = log ?? FileConnectors.LoggerFactory.CreateLogger<FileStreamSourceTask>();
    }

    private string LogName => _filename ?? "stdin";

    public override string Version() => FileConnectors.Version;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var config = FileStreamSourceConnector.Parse(props);
        var filename = config.GetString(FileStreamSourceConnector.FileConfig);
        _filename = string.IsNullOrEmpty(filename) ? null : filename;
        _topic = config.GetString(FileStreamSourceConnector.TopicConfig)!;
        _batchSize = config.GetInt(FileStreamSourceConnector.TaskBatchSizeConfig);
        _partition = new Dictionary<string, object?>(1) { [FilenameField] = _filename };
        if (_filename is null)
        {
            // Positions in stdin mean nothing after a restart, so records carry a null position.
            _stdin = _openStdin();
            _stdinChunk = new byte[InitialBufferSize];
            _streamOffset = null;
        }
        else
        {
            StartWatching(_filename);
        }
    }

    private void StartWatching(string filename)
    {
        try
        {
            var full = Path.GetFullPath(filename);
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            _log.LogDebug("Not watching {File} for changes ({Message}); polling every {Wait} ms", filename, ex.Message, _pollWait.TotalMilliseconds);
        }
    }

    private void OnFileEvent(object? sender, FileSystemEventArgs e) => Volatile.Read(ref _changed).TrySetResult();

    public override async ValueTask<IReadOnlyList<SourceRecord>?> PollAsync(CancellationToken cancellationToken)
    {
        if (_stopped.IsCancellationRequested)
        {
            return null;
        }
        try
        {
            if (_filename is null)
            {
                return await PollStdinAsync(cancellationToken).ConfigureAwait(false);
            }
            // Re-arm before reading, so a write that lands after the read finds nothing still wakes the idle wait.
            if (Volatile.Read(ref _changed).Task.IsCompleted)
            {
                Volatile.Write(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            if (_file is null && !TryOpenFile())
            {
                await IdleAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            var records = ReadFileLines();
            if (records is not null)
            {
                return records;
            }
            CheckForTruncation();
            await IdleAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ObjectDisposedException) when (_stopped.IsCancellationRequested)
        {
            // Stop closed the file under us; the worker is shutting the task down anyway.
            return null;
        }
    }

    /// <summary>Flags the stop and closes the file; safe to call while a poll is running.</summary>
    public override void Stop()
    {
        lock (_gate)
        {
            if (_stopped.IsCancellationRequested)
            {
                return;
            }
            _stopped.Cancel();
            _watcher?.Dispose();
            // The SafeHandle's ref count lets a concurrent read finish before the descriptor really closes.
            _file?.Dispose();
            // Standard input stays open (it is not ours); an injected stream is.
            if (_ownsStdin)
            {
                _stdin?.Dispose();
            }
        }
    }

    /// <summary>Reads a stored position, accepting any integral type an offset converter may have produced.</summary>
    internal static bool TryGetPosition(object? value, out long position)
    {
        switch (value)
        {
            case long l: position = l; return true;
            case int i: position = i; return true;
            case short s: position = s; return true;
            case sbyte b: position = b; return true;
            default: position = 0; return false;
        }
    }

    private bool TryOpenFile()
    {
        SafeFileHandle handle;
        try
        {
            // Share everything: the writer keeps appending and may rotate or delete the file while we hold it.
            handle = System.IO.File.OpenHandle(_filename!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            if (!_missingLogged)
            {
                _log.LogWarning("Couldn't find file {File} for FileStreamSourceTask, waiting for it to be created", _filename);
                _missingLogged = true;
            }
            else
            {
                _log.LogDebug("File {File} still does not exist", _filename);
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException($"Error while trying to open file {_filename}", e);
        }

        long position;
        try
        {
            position = StoredPosition();
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        lock (_gate)
        {
            if (_stopped.IsCancellationRequested)
            {
                handle.Dispose();
                return false;
            }
            _file = handle;
        }
        // A stored position beyond the end is kept (as Apache's skip does): reading resumes once the file grows.
        _readPosition = position;
        _streamOffset = position;
        _start = _end = 0;
        _log.LogDebug("Opened {File} for reading at position {Position}", _filename, position);
        return true;
    }

    private long StoredPosition()
    {
        var offset = Context.OffsetStorageReader.Offset(_partition);
        if (offset is null || !offset.TryGetValue(PositionField, out var stored) || stored is null)
        {
            return 0;
        }
        if (!TryGetPosition(stored, out var position))
        {
            throw new ConnectException("Offset position is the incorrect type");
        }
        if (position < 0)
        {
            throw new ConnectException($"Offset position {position} for {_filename} is negative");
        }
        _log.LogDebug("Found previous offset, resuming {File} at position {Position}", _filename, position);
        return position;
    }

    private List<SourceRecord>? ReadFileLines()
    {
        List<SourceRecord>? records = null;
        while (true)
        {
            if (ExtractLines(ref records))
            {
                return records;
            }
            PrepareForRead();
            var read = RandomAccess.Read(_file!, _buffer.AsSpan(_end), _readPosition);
            if (read <= 0)
            {
                return records;
            }
            _end += read;
            _readPosition += read;
        }
    }

    private async ValueTask<IReadOnlyList<SourceRecord>?> PollStdinAsync(CancellationToken cancellationToken)
    {
        List<SourceRecord>? records = null;
        while (true)
        {
            if (ExtractLines(ref records))
            {
                return records;
            }
            if (_stdinEnded)
            {
                break;
            }
            // At most one read is in flight; when a poll times out the read carries over to the next poll.
            _pendingStdinRead ??= _stdin!.ReadAsync(_stdinChunk!, 0, _stdinChunk!.Length, _stopped.Token);
            if (!_pendingStdinRead.IsCompleted)
            {
                if (records is not null)
                {
                    return records;
                }
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
                try
                {
                    await _pendingStdinRead.WaitAsync(_pollWait, _time, linked.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return null;
                }
                catch (OperationCanceledException) when (linked.IsCancellationRequested)
                {
                    return null;
                }
            }
            int read;
            try
            {
                read = await _pendingStdinRead.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                _pendingStdinRead = null;
            }
            if (read <= 0)
            {
                _log.LogDebug("Reached the end of standard input");
                _stdinEnded = true;
                break;
            }
            PrepareForRead(read);
            _stdinChunk.AsSpan(0, read).CopyTo(_buffer.AsSpan(_end));
            _end += read;
        }
        if (records is null)
        {
            await IdleAsync(cancellationToken).ConfigureAwait(false);
        }
        return records;
    }

    /// <summary>Moves complete lines from the buffer into <paramref name="records"/>; true once the batch is full.</summary>
    private bool ExtractLines(ref List<SourceRecord>? records)
    {
        while (TryExtractLine(out var line))
        {
            records ??= new List<SourceRecord>(Math.Min(_batchSize, 256));
            records.Add(new SourceRecord(
                _partition,
                new PositionOffset(PositionField, _streamOffset),
                _topic,
                kafkaPartition: null,
                keySchema: null,
                key: null,
                Schema.StringSchema,
                line,
                _time.GetUtcNow().ToUnixTimeMilliseconds()));
            if (records.Count >= _batchSize)
            {
                return true;
            }
        }
        return false;
    }

    private bool TryExtractLine(out string line)
    {
        // '\r' and '\n' never occur inside a multi-byte UTF-8 sequence, so splitting bytes is safe.
        var pending = _buffer.AsSpan(_start, _end - _start);
        var at = pending.IndexOfAny((byte)'\n', (byte)'\r');
        if (at < 0)
        {
            line = string.Empty;
            return false;
        }
        int terminator;
        if (pending[at] == '\n')
        {
            terminator = 1;
        }
        else if (at + 1 < pending.Length)
        {
            terminator = pending[at + 1] == '\n' ? 2 : 1;
        }
        else
        {
            // A trailing '\r' may be the first half of "\r\n": wait for the next byte.
            line = string.Empty;
            return false;
        }
        line = Encoding.UTF8.GetString(pending[..at]);
        _start += at + terminator;
        _streamOffset += at + terminator;
        return true;
    }

    /// <summary>Makes room for at least <paramref name="minimum"/> more bytes after the unconsumed ones.</summary>
    private void PrepareForRead(int minimum = 1)
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            _start = 0;
            _end = pending;
        }
        if (_buffer.Length - _end < minimum)
        {
            // Only reached when one line is longer than the buffer (reads otherwise fit after compaction).
            var grown = new byte[Math.Max(_buffer.Length * 2, _end + minimum)];
            _buffer.AsSpan(0, _end).CopyTo(grown);
            _buffer = grown;
            _log.LogDebug("Increased the line buffer for {File} to {Size} bytes", LogName, grown.Length);
        }
    }

    private void CheckForTruncation()
    {
        var length = RandomAccess.GetLength(_file!);
        if (length >= _readPosition)
        {
            _truncationLogged = false;
            return;
        }
        if (!_truncationLogged)
        {
            _log.LogWarning(
                "File {File} is now {Length} bytes, shorter than the read position {Position}: it was truncated or "
                + "rewritten. Reading continues from position {Position} once the file grows past it; to re-read it "
                + "from the start, reset the connector's offsets",
                _filename, length, _readPosition, _readPosition);
            _truncationLogged = true;
        }
    }

    private async ValueTask IdleAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
        // Ends on a file change, after the idle wait, or at once when stopping; none of these is an error, so nothing
        // is thrown (an idle task would otherwise throw a TimeoutException every second).
        var wait = _watcher is null
            ? Task.Delay(_pollWait, _time, linked.Token)
            : Volatile.Read(ref _changed).Task.WaitAsync(_pollWait, _time, linked.Token);
        await wait.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
