using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

// Shared with KafkaConnect.Broker.Tests (linked there), so both layers inject faults the same way.
namespace KafkaConnect.Storage.Testing;

/// <summary>
/// Real file I/O with faults a test switches on per path. A failing fsync or a full disk cannot be produced on demand
/// on this machine, so they are injected at the storage seam instead; everything else reaches the real OS.
/// </summary>
internal sealed class FaultyStorageIO : IStorageIO
{
    private readonly object _gate = new();
    private readonly List<string> _syncedDirectories = [];
    private ManualResetEventSlim? _hold;
    private int _fsyncs;

    /// <summary>Paths whose fsync fails with EIO, as a failing disk reports it.</summary>
    public Func<string, bool>? FailFsync { get; set; }
    /// <summary>Paths whose writes fail with ENOSPC.</summary>
    public Func<string, bool>? FailWrite { get; set; }
    /// <summary>Paths whose fsync blocks until <see cref="ReleaseFsyncs"/>; each one entering releases <see cref="HeldFsyncs"/>.</summary>
    public Func<string, bool>? HoldFsync { get; set; }
    public SemaphoreSlim HeldFsyncs { get; } = new(0);
    public int FsyncCount => Volatile.Read(ref _fsyncs);

    public IReadOnlyList<string> SyncedDirectories
    {
        get
        {
            lock (_gate) return [.. _syncedDirectories];
        }
    }

    public void HoldFsyncs(Func<string, bool> which)
    {
        Volatile.Write(ref _hold, new ManualResetEventSlim(false));
        HoldFsync = which;
    }

    public void ReleaseFsyncs()
    {
        HoldFsync = null;
        Interlocked.Exchange(ref _hold, null)?.Set();
    }

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long offset, string path)
    {
        if (FailWrite?.Invoke(path) == true) throw new IOException("No space left on device");
        OsStorageIO.Instance.Write(file, data, offset, path);
    }

    public void Fsync(SafeFileHandle file, string path)
    {
        if (HoldFsync?.Invoke(path) == true && Volatile.Read(ref _hold) is { } hold)
        {
            HeldFsyncs.Release();
            hold.Wait(TimeSpan.FromSeconds(30));
        }
        if (FailFsync?.Invoke(path) == true) throw new IOException("Input/output error");
        Interlocked.Increment(ref _fsyncs);
        OsStorageIO.Instance.Fsync(file, path);
    }

    public void FsyncDirectory(string directory)
    {
        if (FailFsync?.Invoke(directory) == true) throw new IOException("Input/output error");
        lock (_gate) _syncedDirectories.Add(Path.GetFullPath(directory));
        OsStorageIO.Instance.FsyncDirectory(directory);
    }
}

internal sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);

/// <summary>Keeps what was logged so a test can check what an operator would read.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries) return [.. _entries];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add(new LogEntry(logLevel, formatter(state, exception), exception));
    }
}
