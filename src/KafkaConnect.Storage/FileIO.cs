using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace KafkaConnect.Storage;

internal static class FileIO
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

    public static void DeleteIfExists(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
