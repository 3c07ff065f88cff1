using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Storage;

/// <summary>
/// The file operations whose failure decides what is durable: positional writes and fsyncs. The storage layer
/// performs them only through this seam, so tests can inject the failures (a failing fsync, a full disk) that
/// cannot be produced on demand. <see cref="OsStorageIO"/> is the real thing.
/// </summary>
public interface IStorageIO
{
    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>; <paramref name="path"/> names the file for errors.</summary>
    void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long offset, string path);

    /// <summary>Forces the file's data to stable storage.</summary>
    void Fsync(SafeFileHandle file, string path);

    /// <summary>Makes file creations, renames and deletions in <paramref name="directory"/> durable.</summary>
    void FsyncDirectory(string directory);
}

/// <summary>The operating system's file I/O.</summary>
public sealed partial class OsStorageIO : IStorageIO
{
    private OsStorageIO()
    {
    }

    public static OsStorageIO Instance { get; } = new();

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long offset, string path) => RandomAccess.Write(file, data, offset);

    public void Fsync(SafeFileHandle file, string path) => RandomAccess.FlushToDisk(file);

    /// <summary>
    /// Linux only (elsewhere a no-op: Windows cannot open a directory for flushing). Throws <see cref="IOException"/>
    /// with the OS error when the directory cannot be opened or synced; EINVAL (a file system that does not sync
    /// directories) is not an error.
    /// </summary>
    public void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        const int ORdOnly = 0, ODirectory = 0x10000, EInval = 22;
        var fd = Open(directory, ORdOnly | ODirectory);
        if (fd < 0) throw Error("open", directory, Marshal.GetLastPInvokeError());
        var rc = Fsync(fd);
        var errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        _ = Close(fd);
        if (rc < 0 && errno != EInval) throw Error("fsync", directory, errno);
    }

    private static IOException Error(string call, string directory, int errno)
        => new($"{call} of directory '{directory}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

/// <summary>Files replaced whole (checkpoints, metadata), the one place that pairs a rename with its directory fsync.</summary>
public static class DurableFile
{
    private const string TempSuffix = ".tmp";

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/>: written to a temporary file, fsynced, renamed
    /// over the target and the directory fsynced, so a crash leaves the old or the new file, and once this returns
    /// the new one survives a crash. Throws <see cref="IOException"/> when any step fails.
    /// </summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content, IStorageIO? io = null)
    {
        io ??= OsStorageIO.Instance;
        var full = Path.GetFullPath(path);
        var tmp = full + TempSuffix;
        using (var h = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            io.Write(h, content, 0, tmp);
            io.Fsync(h, tmp);
        }
        File.Move(tmp, full, overwrite: true);
        io.FsyncDirectory(Path.GetDirectoryName(full)!);
    }
}
