using KafkaConnect.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Storage;

/// <summary>
/// A directory of partition logs that fails as a whole, as an entry of Kafka's log.dirs does. After a failed fsync
/// the kernel may have dropped dirty pages it had accepted, and a later fsync that succeeds says nothing about them
/// ("fsyncgate"); retrying would move the flushed offset past lost data. So the first failed fsync takes the
/// directory offline for good: its logs refuse appends, reads and further flushes, nothing written after the last
/// good flush is acknowledged, and a restart recovers each log from what is on disk.
/// </summary>
public sealed class LogDirectory
{
    private readonly ILogger _logger;
    private string? _offlineReason;

    public LogDirectory(string path, IStorageIO? io = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        IO = io ?? OsStorageIO.Instance;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Path { get; }
    public IStorageIO IO { get; }
    public bool IsOffline => Volatile.Read(ref _offlineReason) is not null;
    /// <summary>Why the directory went offline; null while it is online.</summary>
    public string? OfflineReason => Volatile.Read(ref _offlineReason);

    internal void ThrowIfOffline()
    {
        if (Volatile.Read(ref _offlineReason) is { } reason) throw OfflineError(reason);
    }

    internal StorageException OfflineError(string reason)
        => new(ErrorCode.KafkaStorageError, $"Log directory '{Path}' is offline: {reason}");

    /// <summary>A positional write; a failure (e.g. a full disk) fails this operation only, as nothing of it was published.</summary>
    internal void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long offset, string path)
    {
        ThrowIfOffline();
        try
        {
            IO.Write(file, data, offset, path);
        }
        catch (IOException ex)
        {
            throw new StorageException(ErrorCode.KafkaStorageError, $"Write to '{path}' failed: {ex.Message}", ex);
        }
    }

    internal void Fsync(SafeFileHandle file, string path)
    {
        ThrowIfOffline();
        try
        {
            IO.Fsync(file, path);
        }
        catch (IOException ex)
        {
            throw GoOffline($"fsync of '{path}'", ex);
        }
    }

    internal void FsyncDirectory(string directory)
    {
        ThrowIfOffline();
        try
        {
            IO.FsyncDirectory(directory);
        }
        catch (IOException ex)
        {
            throw GoOffline($"fsync of directory '{directory}'", ex);
        }
    }

    /// <summary><see cref="DurableFile.ReplaceAtomically"/>; a failure takes the directory offline (the file's state is unknown).</summary>
    internal void ReplaceAtomically(string path, ReadOnlySpan<byte> content)
    {
        ThrowIfOffline();
        try
        {
            DurableFile.ReplaceAtomically(path, content, IO);
        }
        catch (IOException ex)
        {
            throw GoOffline($"replacing '{path}'", ex);
        }
    }

    private StorageException GoOffline(string operation, IOException ex)
    {
        var reason = $"{operation} failed: {ex.Message}";
        if (Interlocked.CompareExchange(ref _offlineReason, reason, null) is null)
        {
            _logger.LogError(ex,
                "Log directory {Directory} is offline: {Operation} failed ({OsError}). Producers get KAFKA_STORAGE_ERROR for its partitions and nothing written after the last successful flush is acknowledged; restart the broker to recover from what is on disk.",
                Path, operation, ex.Message);
        }
        return OfflineError(Volatile.Read(ref _offlineReason)!);
    }
}
