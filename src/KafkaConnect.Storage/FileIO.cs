using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Storage;

internal static partial class FileIO
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string CleanedSuffix = ".cleaned";
    public const string TempSuffix = ".tmp";

    public static string SegmentPrefix(string directory, long baseOffset)
        => Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture));

    public static bool TryParseBaseOffset(string fileName, out long baseOffset)
    {
        baseOffset = 0;
        var name = Path.GetFileNameWithoutExtension(fileName);
        return name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    public static SafeFileHandle OpenReadWrite(string path, FileMode mode = FileMode.OpenOrCreate)
        => File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Positional read that only stops short at end of file.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> so that a crash leaves either the old or the new file.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var tmp = path + TempSuffix;
        using (var h = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(h, content, 0);
            RandomAccess.FlushToDisk(h);
        }
        File.Move(tmp, path, overwrite: true);
        FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static void DeleteIfExists(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Makes renames and file creations in a directory durable (Linux); a no-op elsewhere.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        const int ORdOnly = 0, ODirectory = 0x10000;
        var fd = Open(directory, ORdOnly | ODirectory);
        if (fd < 0) return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
