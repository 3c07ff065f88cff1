using KafkaConnect.Protocol;
using KafkaConnect.Storage.Testing;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Storage.Tests;

/// <summary>
/// What a failed fsync or a failed write does to the logs. The faults are injected through <see cref="IStorageIO"/>
/// because a disk that fails fsync (or fills up) on demand cannot be had on this machine.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly FaultyStorageIO _io = new();
    private readonly CapturingLogger _logger = new();

    public void Dispose() => _tmp.Dispose();

    private LogDirectory NewLogDirectory() => new(_tmp.Path, _io, _logger);

    private static bool IsSegment(string path) => path.EndsWith(".log", StringComparison.Ordinal);

    private static void AssertStorageError(StorageException ex)
        => Assert.True(ex.ErrorCode == ErrorCode.KafkaStorageError, $"expected KafkaStorageError, got {ex.ErrorCode} ({ex.Message})");

    [Fact]
    public void A_failed_fsync_takes_the_directory_offline_and_the_flushed_offset_never_moves_past_it()
    {
        var dir = NewLogDirectory();
        using var log = PartitionLog.Open(_tmp.Partition("a-0"), LogConfig.Default, TimeProvider.System, dir);
        log.Append(Batches.Simple(2, 1));
        log.Flush();
        Assert.Equal(2, log.FlushedOffset);
        log.Append(Batches.Simple(3, 1));

        _io.FailFsync = IsSegment;
        AssertStorageError(Assert.Throws<StorageException>(log.Flush));
        Assert.True(dir.IsOffline);
        Assert.Equal(2, log.FlushedOffset);

        // The disk answers again, but a later fsync cannot vouch for pages the failed one may have dropped.
        _io.FailFsync = null;
        var fsyncsBefore = _io.FsyncCount;
        log.Flush();
        Assert.False(log.FlushIfDue());
        Assert.Equal(2, log.FlushedOffset);
        Assert.Equal(fsyncsBefore, _io.FsyncCount);
        AssertStorageError(Assert.Throws<StorageException>(() => log.Append(Batches.Simple(1, 1))));
        AssertStorageError(Assert.Throws<StorageException>(() => log.ReadBytes(0)));
        Assert.Equal(5, log.LogEndOffset);
    }

    [Fact]
    public void Every_log_in_the_offline_directory_refuses_appends_and_the_reason_is_logged_once()
    {
        var dir = NewLogDirectory();
        using var a = PartitionLog.Open(_tmp.Partition("a-0"), LogConfig.Default, TimeProvider.System, dir);
        using var b = PartitionLog.Open(_tmp.Partition("b-0"), LogConfig.Default, TimeProvider.System, dir);
        a.Append(Batches.Simple(1, 1));
        b.Append(Batches.Simple(1, 1));
        _io.FailFsync = path => path.Contains("a-0", StringComparison.Ordinal) && IsSegment(path);
        Assert.Throws<StorageException>(a.Flush);

        AssertStorageError(Assert.Throws<StorageException>(() => b.Append(Batches.Simple(1, 1))));
        b.Flush(); // does nothing: b's unflushed record stays unacknowledged
        Assert.Equal(0, b.FlushedOffset);
        Assert.Equal(0, b.EnforceRetention());

        var error = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(_tmp.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Input/output error", error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.Exception);
        Assert.Contains("Input/output error", dir.OfflineReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flush_waiters_fail_with_a_storage_error_and_later_waiters_are_not_acknowledged_either()
    {
        var dir = NewLogDirectory();
        using var log = PartitionLog.Open(_tmp.Partition(), LogConfig.Default, TimeProvider.System, dir);
        await using var flusher = new LogFlusher(1);
        var first = log.Append(Batches.Simple(2, 1));
        _io.FailFsync = IsSegment;
        var ex = await Assert.ThrowsAsync<StorageException>(() => flusher.WaitFlushedAsync(log, first.LastOffset).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        AssertStorageError(ex);

        _io.FailFsync = null;
        // Written before the failure, never flushed since: it must not be reported durable now.
        ex = await Assert.ThrowsAsync<StorageException>(() => flusher.WaitFlushedAsync(log, first.LastOffset).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        AssertStorageError(ex);
        Assert.Contains("offline", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, log.FlushedOffset);
    }

    [Fact]
    public void After_a_failed_fsync_close_leaves_no_clean_shutdown_marker_and_reopening_recovers_what_is_on_disk()
    {
        var path = _tmp.Partition();
        var log = PartitionLog.Open(path, LogConfig.Default, TimeProvider.System, NewLogDirectory());
        log.Append(Batches.Simple(2, 1, "a"));
        log.Flush();
        log.Append(Batches.Simple(1, 1, "b"));
        _io.FailFsync = IsSegment;
        Assert.Throws<StorageException>(log.Flush);
        log.Dispose();
        Assert.False(File.Exists(Path.Combine(path, ".clean_shutdown")));

        // A restart: a fresh directory object on the real OS.
        using var reopened = PartitionLog.Open(path, LogConfig.Default, TimeProvider.System);
        Assert.False(reopened.LogDirectory.IsOffline);
        Assert.Equal(["va-0", "va-1", "vb-0"], reopened.ReadAll().Select(r => r.Value));
        Assert.Equal(3, reopened.Append(Batches.Simple(1, 1)).FirstOffset);
    }

    [Fact]
    public void A_failed_write_fails_that_append_only_and_the_next_one_follows_on()
    {
        var dir = NewLogDirectory();
        using var log = PartitionLog.Open(_tmp.Partition(), LogConfig.Default, TimeProvider.System, dir);
        log.Append(Batches.Simple(2, 1, "a"));
        _io.FailWrite = IsSegment;
        var ex = Assert.Throws<StorageException>(() => log.Append(Batches.Simple(3, 1, "lost")));
        AssertStorageError(ex);
        Assert.Contains("No space left on device", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, log.LogEndOffset);
        Assert.False(dir.IsOffline);

        _io.FailWrite = null;
        Assert.Equal(2, log.Append(Batches.Simple(1, 1, "b")).FirstOffset);
        log.Flush();
        Assert.Equal(3, log.FlushedOffset);
        Assert.Equal(["va-0", "va-1", "vb-0"], log.ReadAll().Select(r => r.Value));
    }

    [Fact]
    public void Creating_a_partition_makes_its_directory_entry_durable()
    {
        var path = _tmp.Partition("new-0");
        using var log = PartitionLog.Open(path, LogConfig.Default, TimeProvider.System, NewLogDirectory());
        var synced = _io.SyncedDirectories;
        Assert.Contains(Path.GetFullPath(_tmp.Path), synced);
        Assert.Contains(Path.GetFullPath(path), synced);
    }

    [Fact]
    public async Task Reading_a_deleted_log_fails_instead_of_spinning()
    {
        var log = PartitionLog.Open(_tmp.Partition(), LogConfig.Default, TimeProvider.System);
        log.Append(Batches.Simple(2, 1));
        log.Delete();
        // Before the fix this looped for ever on segments that could no longer be acquired.
        var read = Task.Run(() => log.ReadBytes(0));
        var ex = await Assert.ThrowsAsync<StorageException>(() => read.WaitAsync(TimeSpan.FromSeconds(30)));
        AssertStorageError(ex);
    }

    [Fact]
    public void Directory_fsync_reports_a_directory_it_cannot_open_on_linux()
    {
        var missing = Path.Combine(_tmp.Path, "missing");
        if (!OperatingSystem.IsLinux())
        {
            OsStorageIO.Instance.FsyncDirectory(missing); // a no-op elsewhere
            return;
        }
        var ex = Assert.Throws<IOException>(() => OsStorageIO.Instance.FsyncDirectory(missing));
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", ex.Message, StringComparison.Ordinal);
    }
}
