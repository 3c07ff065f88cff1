using System.Globalization;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>
/// Finds the files one task reads: names matching input.file.pattern (whole name), old enough, without a processing
/// flag, and — with several tasks — assigned to this task by the hash of their name; in files.sort.attributes order.
/// Also moves or deletes them when done.
/// </summary>
internal sealed class InputFiles(SpoolDirSettings settings, TimeProvider time, ILogger log)
{
    private readonly Queue<FileInfo> _queue = new();

    /// <summary>The next file to read, or false when none is waiting.</summary>
    public bool TryNext(out FileInfo file)
    {
        if (_queue.Count == 0)
        {
            foreach (var candidate in List())
            {
                _queue.Enqueue(candidate);
            }
        }
        while (_queue.TryDequeue(out file!))
        {
            // Listed a while ago: another worker may have taken or finished it since.
            file.Refresh();
            if (file.Exists && !File.Exists(ProcessingFlag(file)))
            {
                return true;
            }
        }
        file = null!;
        return false;
    }

    /// <summary>The files this task would read now, in order.</summary>
    public List<FileInfo> List()
    {
        var directory = new DirectoryInfo(settings.InputPath);
        if (!directory.Exists)
        {
            return [];
        }
        var now = time.GetUtcNow();
        var files = directory
            .EnumerateFiles("*", settings.WalkRecursively ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => Matches(f)
                && !f.Name.EndsWith(settings.ProcessingExtension, StringComparison.Ordinal)
                && IsMine(f.Name)
                && !File.Exists(ProcessingFlag(f))
                && now - new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero) >= settings.MinimumFileAge)
            .ToList();
        files.Sort(Compare);
        return files;
    }

    /// <summary>
    /// The pattern matches the whole file name, as Java's; or, ours only, "/" and the path below input.path, so a
    /// path-like pattern such as seed 004's <c>/.*\.csv</c> reads what its author meant instead of nothing.
    /// </summary>
    public bool Matches(FileInfo file)
    {
        if (settings.FilePattern.IsMatch(file.Name))
        {
            return true;
        }
        var relative = Path.GetRelativePath(settings.InputPath, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
        return settings.FilePattern.IsMatch("/" + relative);
    }

    public string ProcessingFlag(FileInfo file) => file.FullName + settings.ProcessingExtension;

    /// <summary>The processing flags of this task's files left by a process that died while reading them.</summary>
    public void RemoveStaleFlags()
    {
        var directory = new DirectoryInfo(settings.InputPath);
        if (!directory.Exists)
        {
            return;
        }
        var search = settings.WalkRecursively ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        foreach (var flag in directory.EnumerateFiles("*" + settings.ProcessingExtension, search))
        {
            var name = flag.Name[..^settings.ProcessingExtension.Length];
            // Only this task reads a file it owns, so a flag on one is its own, from before a crash or kill.
            if (Matches(new FileInfo(flag.FullName[..^settings.ProcessingExtension.Length])) && IsMine(name))
            {
                log.LogInformation("Removing the processing flag {Flag} left from an earlier run; the file is read again from its committed offset",
                    flag.FullName);
                flag.Delete();
            }
        }
    }

    /// <summary>Where a file's relative subdirectory is kept when input.path is walked recursively.</summary>
    public string? RelativeDirectory(FileInfo file)
    {
        var relative = Path.GetRelativePath(settings.InputPath, file.DirectoryName!);
        return relative == "." ? null : relative;
    }

    /// <summary>Applies cleanup.policy to a file whose records are all in Kafka.</summary>
    public void Finish(FileInfo file)
    {
        switch (settings.Cleanup)
        {
            case "DELETE":
                log.LogInformation("Deleting {File}: all its records are in Kafka", file.FullName);
                file.Delete();
                break;
            case "MOVE":
                MoveTo(file, settings.FinishedPath!);
                break;
            case "MOVEBYDATE":
                MoveTo(file, Path.Combine(settings.FinishedPath!,
                    file.LastWriteTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
                break;
            default:
                return;
        }
        RemoveEmptyDirectory(file);
    }

    /// <summary>Moves a file that failed to parse to error.path.</summary>
    public void Fail(FileInfo file)
    {
        MoveTo(file, settings.ErrorPath);
        RemoveEmptyDirectory(file);
    }

    private void MoveTo(FileInfo file, string directory)
    {
        var relative = RelativeDirectory(file);
        var target = relative is null ? directory : Path.Combine(directory, relative);
        Directory.CreateDirectory(target);
        var destination = Path.Combine(target, file.Name);
        log.LogInformation("Moving {File} to {Destination}", file.FullName, destination);
        file.MoveTo(destination, overwrite: true);
    }

    private void RemoveEmptyDirectory(FileInfo file)
    {
        var directory = Path.GetDirectoryName(file.FullName.TrimEnd(Path.DirectorySeparatorChar));
        if (!settings.WalkRecursively || settings.KeepSubdirectories)
        {
            return;
        }
        var root = Path.TrimEndingDirectorySeparator(settings.InputPath);
        while (directory is not null && directory.Length > root.Length && directory.StartsWith(root, StringComparison.Ordinal)
            && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
            directory = Path.GetDirectoryName(directory);
        }
    }

    private bool IsMine(string name) => settings.TaskCount == 1 || Owner(name, settings.TaskCount) == settings.TaskIndex;

    /// <summary>
    /// The task that owns a file name: Adler-32 of the name's UTF-16LE code units (Guava's hashUnencodedChars), made
    /// non-negative, modulo the task count, so Java and .NET tasks split a directory the same way.
    /// </summary>
    internal static int Owner(string name, int taskCount)
    {
        const uint mod = 65521;
        uint a = 1, b = 0;
        foreach (var c in name)
        {
            a = (a + (uint)(c & 0xFF)) % mod;
            b = (b + a) % mod;
            a = (a + (uint)(c >> 8)) % mod;
            b = (b + a) % mod;
        }
        var hash = unchecked((int)((b << 16) | a));
        // Java's Math.abs(Integer.MIN_VALUE) stays negative; Adler-32 values never reach it (b < 65521).
        return Math.Abs(hash) % taskCount;
    }

    private int Compare(FileInfo x, FileInfo y)
    {
        foreach (var attribute in settings.SortAttributes)
        {
            var result = attribute switch
            {
                "NameAsc" => string.CompareOrdinal(x.Name, y.Name),
                "NameDesc" => string.CompareOrdinal(y.Name, x.Name),
                "LengthAsc" => x.Length.CompareTo(y.Length),
                "LengthDesc" => y.Length.CompareTo(x.Length),
                "LastModifiedAsc" => x.LastWriteTimeUtc.CompareTo(y.LastWriteTimeUtc),
                "LastModifiedDesc" => y.LastWriteTimeUtc.CompareTo(x.LastWriteTimeUtc),
                _ => 0,
            };
            if (result != 0)
            {
                return result;
            }
        }
        return 0;
    }
}

/// <summary>
/// The headers jcustenborder's connectors put on every record, describing its file. Made once per file; each record
/// gets the shared (immutable) headers plus its own file.offset.
/// </summary>
internal sealed class FileHeaders
{
    private readonly IHeader[] _before;
    private readonly IHeader[] _after;

    public FileHeaders(FileInfo file, string? relativeDirectory)
    {
        var model = new ConnectHeaders();
        model.AddString("file.name", file.Name);
        model.AddString("file.name.without.extension", Path.GetFileNameWithoutExtension(file.Name));
        model.AddString("file.path", file.FullName);
        model.AddString("file.parent.dir.name", file.Directory?.Name);
        model.AddLong("file.length", file.Length);
        _before = [.. model];
        model.Clear();
        model.AddTimestamp("file.last.modified", new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
        if (relativeDirectory is not null)
        {
            model.AddString("file.relative.path", relativeDirectory);
        }
        _after = [.. model];
    }

    public ConnectHeaders For(long offset)
    {
        var headers = new List<IHeader>(_before.Length + 1 + _after.Length);
        headers.AddRange(_before);
        headers.Add(new ConnectHeader("file.offset", Schema.Int64Schema, offset));
        headers.AddRange(_after);
        return new ConnectHeaders(headers);
    }
}
