using System.Collections;
using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sinks;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Files;

/// <summary>
/// Appends each record's value, in its string form, plus a line separator to a file (or standard output).
/// <see cref="SinkTask.Put"/> hands each batch to the OS (like Apache's PrintStream) so lines show up at once;
/// <see cref="Flush"/> fsyncs the file, and the worker commits consumer offsets only after it returns (the default
/// <see cref="SinkTask.PreCommit"/>), so a commit never runs ahead of what is on disk.
/// </summary>
public sealed class FileStreamSinkTask : SinkTask
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Func<Stream> _openStdout;
    private readonly bool _ownsStdout;
    private readonly ILogger _log;

    private string? _filename;
    private FileStream? _file;
    private StreamWriter? _writer;

    public FileStreamSinkTask()
        : this(null)
    {
    }

    /// <param name="openStdout">Replaces standard output, for tests.</param>
    internal FileStreamSinkTask(Func<Stream>? openStdout, ILogger? log = null)
    {
        _openStdout = openStdout ?? Console.OpenStandardOutput;
        _ownsStdout = openStdout is not null;
        _log = log ?? FileConnectors.LoggerFactory.CreateLogger<FileStreamSinkTask>();
    }

    private string LogName => _filename ?? "stdout";

    public override string Version() => FileConnectors.Version;

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var filename = new AbstractConfig(FileStreamSinkConnector.ConfigDefinition, props).GetString(FileStreamSinkConnector.FileConfig);
        _filename = string.IsNullOrEmpty(filename) ? null : filename;
        if (_filename is null)
        {
            _writer = new StreamWriter(_openStdout(), s_utf8, bufferSize: 16 * 1024, leaveOpen: !_ownsStdout);
            return;
        }
        try
        {
            _file = new FileStream(_filename, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException($"Couldn't find or create file '{_filename}' for FileStreamSinkTask", e);
        }
        _writer = new StreamWriter(_file, s_utf8, bufferSize: 64 * 1024);
    }

    public override void Put(IReadOnlyCollection<SinkRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var writer = Writer;
        foreach (var record in records)
        {
            if (_log.IsEnabled(LogLevel.Trace))
            {
                _log.LogTrace("Writing line to {Destination}: {Value}", LogName, record.Value);
            }
            AppendValue(writer, record.Value);
            writer.WriteLine();
        }
        if (records.Count == 0)
        {
            return;
        }
        // One write syscall per batch (the writer's 64 KiB buffer), no fsync: that waits for Flush.
        try
        {
            writer.Flush();
        }
        catch (IOException e)
        {
            throw new ConnectException($"Failed to write to {LogName}", e);
        }
    }

    /// <summary>Writes out anything still buffered and, for a file, forces it to disk.</summary>
    /// <exception cref="ConnectException">The write failed; the worker then does not commit offsets.</exception>
    public override void Flush(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> currentOffsets)
    {
        _log.LogTrace("Flushing output stream for {Destination}", LogName);
        try
        {
            Writer.Flush();
            _file?.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw new ConnectException($"Failed to flush {LogName}", e);
        }
    }

    public override void Stop()
    {
        var writer = _writer;
        _writer = null;
        if (writer is null)
        {
            return;
        }
        try
        {
            writer.Flush();
            _file?.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            _log.LogError(e, "Failed to flush {Destination} while stopping", LogName);
        }
        finally
        {
            writer.Dispose();
            _file = null;
        }
    }

    private StreamWriter Writer => _writer ?? throw new InvalidOperationException("The task is not started");

    /// <summary>
    /// Writes a value the way Java's <c>String.valueOf</c> prints it, which is what Apache's task writes:
    /// "null" for null, "[a, b]" for lists, "{k=v, ...}" for maps and Struct's own ToString for structs.
    /// </summary>
    internal static void AppendValue(TextWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.Write("null");
                break;
            case string s:
                writer.Write(s);
                break;
            case Struct or bool or float or double or byte[] or DateOnly or TimeOnly or DateTimeOffset or DateTime:
                // Struct prints as Struct{...}; the rest as Connect's text forms (bytes in Base64, dates in ISO-8601).
                writer.Write(value is Struct ? value.ToString() : Values.ConvertToString(null, value));
                break;
            case IFormattable formattable:
                writer.Write(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IDictionary map:
                writer.Write('{');
                var first = true;
                foreach (DictionaryEntry entry in map)
                {
                    if (!first)
                    {
                        writer.Write(", ");
                    }
                    first = false;
                    AppendValue(writer, entry.Key);
                    writer.Write('=');
                    AppendValue(writer, entry.Value);
                }
                writer.Write('}');
                break;
            case IList list:
                writer.Write('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        writer.Write(", ");
                    }
                    AppendValue(writer, list[i]);
                }
                writer.Write(']');
                break;
            default:
                writer.Write(value.ToString());
                break;
        }
    }
}
