using System.Buffers;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Runtime.Storage;

/// <summary>
/// Standalone offset store in <c>offset.storage.file.filename</c>. Apache writes this file with Java
/// serialization; kconnect writes readable JSON instead — <c>{"version":1,"offsets":[{"key":...,"value":...}]}</c>
/// where key and value are the serialized JSON themselves — so an Apache offsets file cannot be reused (and vice
/// versa). Every save writes a temporary file next to it, fsyncs it and renames it over the old one, so a crash
/// leaves either the old or the new content; a leftover temporary file is ignored on load.
/// </summary>
public sealed class FileOffsetBackingStore : MemoryOffsetBackingStore
{
    private readonly string _path;
    private readonly SemaphoreSlim _saveLock = new(1, 1);
    private long _savedVersion;

    public FileOffsetBackingStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
    }

    public string FilePath => _path;

    public string TempPath => _path + ".tmp";

    public override void Start()
    {
        if (!File.Exists(_path))
        {
            return;
        }
        var bytes = File.ReadAllBytes(_path);
        if (bytes.Length == 0)
        {
            return;
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var entries = new List<KeyValuePair<byte[], byte[]>>();
            foreach (var e in doc.RootElement.GetProperty("offsets").EnumerateArray())
            {
                var key = Encoding.UTF8.GetBytes(e.GetProperty("key").GetRawText());
                var value = e.GetProperty("value");
                if (value.ValueKind != JsonValueKind.Null)
                {
                    entries.Add(new(key, Encoding.UTF8.GetBytes(value.GetRawText())));
                }
            }
            Load(entries);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ConnectException($"The offsets file {_path} is not a kconnect offsets file (Apache's Java-serialized files cannot be read): {ex.Message}", ex);
        }
    }

    protected override async Task SaveAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> snapshot, long version, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, SkipValidation = false }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartArray("offsets");
            foreach (var (key, value) in snapshot)
            {
                w.WriteStartObject();
                w.WritePropertyName("key");
                w.WriteRawValue(key);
                w.WritePropertyName("value");
                w.WriteRawValue(value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        await _saveLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (version <= _savedVersion)
            {
                return; // a newer snapshot, which includes this change, is already on disk
            }
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            await using (var file = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
            {
                await file.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(TempPath, _path, overwrite: true);
            _savedVersion = version;
        }
        finally
        {
            _saveLock.Release();
        }
    }
}
