using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using Sylvan.Data.Csv;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>Reads one file's records in order; <see cref="Position"/> counts the records read so far.</summary>
internal abstract class RecordReader : IDisposable
{
    /// <summary>Records read (and, on resume, skipped) so far: the offset stored with the last one.</summary>
    public long Position { get; protected set; }

    /// <summary>The next record's key and value; false at the end of the file.</summary>
    /// <exception cref="DataException">The file is malformed at this record.</exception>
    public abstract bool TryRead(out SchemaAndValue? key, out SchemaAndValue value);

    /// <summary>Skips the records a previous run already delivered.</summary>
    public void Skip(long records)
    {
        while (Position < records && TryRead(out _, out _))
        {
        }
    }

    public abstract void Dispose();

    /// <summary>The file's bytes, gunzipped when its name ends in .gz (as the Java connector does).</summary>
    protected static Stream Open(FileInfo file, int bufferSize)
    {
        Stream stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            bufferSize, FileOptions.SequentialScan);
        return file.Extension.Equals(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>Fills key and value structs from named field texts, in value-schema order.</summary>
    protected static (SchemaAndValue Key, SchemaAndValue Value) Build(Schema keySchema, Schema valueSchema, ValueParser parser,
        Func<string, (bool Present, string? Text)> lookup, long position)
    {
        var value = new Struct(valueSchema);
        var key = new Struct(keySchema);
        foreach (var field in valueSchema.Fields)
        {
            var (present, text) = lookup(field.Name);
            object? parsed;
            try
            {
                parsed = present ? parser.Parse(field.Schema, text) : field.Schema.IsOptional
                    ? field.Schema.DefaultValue
                    : throw new DataException("the field is required but the record has no value for it");
                value.Put(field, parsed);
            }
            catch (Exception e) when (e is FormatException or OverflowException or DataException or ArgumentException)
            {
                throw new DataException($"Record {position + 1}, field '{field.Name}': {e.Message}", e);
            }
            var keyField = keySchema.GetField(field.Name);
            if (keyField is not null)
            {
                key.Put(keyField, parsed);
            }
        }
        return (new SchemaAndValue(keySchema, key), new SchemaAndValue(valueSchema, value));
    }
}

/// <summary>CSV rows as structs of value.schema, the key holding key.schema's fields of the same names.</summary>
internal sealed class CsvRecordReader : RecordReader
{
    private readonly CsvSettings _csv;
    private readonly ValueParser _parser;
    private readonly TextReader _text;
    private readonly CsvDataReader _reader;
    private readonly Dictionary<string, int> _columns;
    private readonly Schema _keySchema;
    private readonly Schema _valueSchema;

    public CsvRecordReader(SpoolDirSettings settings, FileInfo file)
    {
        _csv = settings.Csv!;
        _parser = new ValueParser(settings.DateFormats, settings.TimeZone);
        _text = new StreamReader(Open(file, settings.BufferSize), settings.Charset, detectEncodingFromByteOrderMarks: true);
        for (var i = 0; i < _csv.SkipLines && _text.ReadLine() is not null; i++)
        {
        }
        _reader = CsvDataReader.Create(_text, new CsvDataReaderOptions
        {
            HasHeaders = false,
            Delimiter = _csv.Separator,
            Quote = _csv.IgnoreQuotations ? '\0' : _csv.Quote,
            Escape = _csv.Escape,
            OwnsReader = false,
        });
        var comparer = _csv.CaseSensitiveFieldNames ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        _columns = new Dictionary<string, int>(comparer);
        if (_csv.FirstRowAsHeader && _reader.Read())
        {
            for (var i = 0; i < _reader.RowFieldCount; i++)
            {
                _columns.TryAdd(_reader.GetString(i).Trim(), i);
            }
        }
        else if (settings.ValueSchema is not null)
        {
            var index = 0;
            foreach (var field in settings.ValueSchema.Fields)
            {
                _columns[field.Name] = index++;
            }
        }
        (_keySchema, _valueSchema) = settings.ValueSchema is not null && settings.KeySchema is not null
            ? (settings.KeySchema, settings.ValueSchema)
            : SchemaGenerator.Generate(settings, _columns.OrderBy(c => c.Value).Select(c => c.Key));
    }

    /// <summary>The column names of a file: its header row, or column01, column02 … after the first row's width.</summary>
    internal static List<string> ColumnNames(SpoolDirSettings settings, FileInfo file)
    {
        using var reader = new CsvRecordReader(settings, file);
        if (settings.Csv!.FirstRowAsHeader)
        {
            return [.. reader._columns.OrderBy(c => c.Value).Select(c => c.Key)];
        }
        return reader._reader.Read()
            ? [.. Enumerable.Range(1, reader._reader.RowFieldCount).Select(i => "column" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture))]
            : [];
    }

    public override bool TryRead(out SchemaAndValue? key, out SchemaAndValue value)
    {
        key = null;
        value = SchemaAndValue.Null;
        bool read;
        try
        {
            read = _reader.Read();
        }
        catch (CsvFormatException e)
        {
            throw new DataException($"Record {Position + 1}: malformed CSV: {e.Message}", e);
        }
        if (!read)
        {
            return false;
        }
        var count = _reader.RowFieldCount;
        if (count == 1 && _reader.GetFieldSpan(0).IsEmpty)
        {
            // A blank line, skipped as the Java connector's reader does.
            return TryRead(out key, out value);
        }
        var expected = _columns.Count == 0 ? 0 : _columns.Values.Max() + 1;
        if (count < expected)
        {
            throw new DataException($"Record {Position + 1}: {count} columns where the {(_csv.FirstRowAsHeader ? "header" : "value.schema")} has {expected}");
        }
        var position = Position;
        var (k, v) = Build(_keySchema, _valueSchema, _parser, name => _columns.TryGetValue(name, out var i) ? (true, Field(i)) : (false, null), position);
        Position++;
        key = k;
        value = v;
        return true;
    }

    private string? Field(int index)
    {
        var text = _reader.GetString(index);
        if (_csv.IgnoreLeadingWhitespace)
        {
            text = text.TrimStart();
        }
        return text.Length == 0 && _csv.NullFieldIndicator != "NEITHER" ? null : text;
    }

    public override void Dispose()
    {
        _reader.Dispose();
        _text.Dispose();
    }
}

/// <summary>Each line a string value, without key.</summary>
internal sealed class LineRecordReader(SpoolDirSettings settings, FileInfo file) : RecordReader
{
    private readonly StreamReader _text = new(Open(file, settings.BufferSize), settings.Charset, detectEncodingFromByteOrderMarks: true);

    public override bool TryRead(out SchemaAndValue? key, out SchemaAndValue value)
    {
        key = null;
        var line = _text.ReadLine();
        if (line is null)
        {
            value = SchemaAndValue.Null;
            return false;
        }
        Position++;
        value = new SchemaAndValue(Schema.StringSchema, line);
        return true;
    }

    public override void Dispose() => _text.Dispose();
}

/// <summary>
/// The JSON values of a file, one after another (newline-delimited or simply concatenated), read as a stream so a large
/// file is never held whole.
/// </summary>
internal abstract class JsonValuesReader(Stream stream) : RecordReader
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;
    private bool _final;
    private bool _sawStart;

    public sealed override bool TryRead(out SchemaAndValue? key, out SchemaAndValue value)
    {
        key = null;
        value = SchemaAndValue.Null;
        using var document = NextDocument();
        if (document is null)
        {
            return false;
        }
        (key, value) = Convert(document.RootElement);
        Position++;
        return true;
    }

    /// <summary>One JSON value as a record's key and value.</summary>
    protected abstract (SchemaAndValue? Key, SchemaAndValue Value) Convert(JsonElement root);

    /// <summary>The next JSON value, or null at the end of the input.</summary>
    protected JsonDocument? NextDocument()
    {
        while (true)
        {
            if (_final && _buffer.AsSpan(_start, _end - _start).Trim(" \t\r\n"u8).IsEmpty)
            {
                return null;
            }
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final,
                new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip }));
            try
            {
                if (JsonDocument.TryParseValue(ref reader, out var document))
                {
                    _start += (int)reader.BytesConsumed;
                    return document;
                }
            }
            catch (JsonException e)
            {
                throw new DataException($"Record {Position + 1}: malformed JSON: {e.Message}", e);
            }
            if (_final)
            {
                throw new DataException($"Record {Position + 1}: the file ends inside a JSON value");
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _final = true;
        }
        _end += read;
        if (!_sawStart && _end - _start >= 3)
        {
            // A UTF-8 byte order mark, which the JSON reader does not accept.
            _sawStart = true;
            if (_buffer.AsSpan(_start, 3).SequenceEqual("\uFEFF"u8))
            {
                _start += 3;
            }
        }
    }

    public override void Dispose()
    {
        stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>JSON objects as structs of value.schema; field values are read from their text.</summary>
internal sealed class JsonRecordReader(SpoolDirSettings settings, FileInfo file)
    : JsonValuesReader(Open(file, settings.BufferSize))
{
    private readonly ValueParser _parser = new(settings.DateFormats, settings.TimeZone);
    private (Schema Key, Schema Value)? _schemas = settings.ValueSchema is not null && settings.KeySchema is not null
        ? (settings.KeySchema, settings.ValueSchema)
        : null;

    /// <summary>The field names of the file's first JSON object.</summary>
    internal static List<string> FieldNames(SpoolDirSettings settings, FileInfo file)
    {
        using var reader = new JsonRecordReader(settings, file);
        while (reader.NextDocument() is { } document)
        {
            using (document)
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return [.. document.RootElement.EnumerateObject().Select(p => p.Name)];
                }
            }
        }
        return [];
    }

    protected override (SchemaAndValue? Key, SchemaAndValue Value) Convert(JsonElement root)
    {
        var (keySchema, valueSchema) = _schemas ??= SchemaGenerator.Generate(settings,
            root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(p => p.Name) : []);
        var (k, v) = Build(keySchema, valueSchema, _parser, name =>
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
            {
                return (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out _), null);
            }
            return (true, element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText());
        }, Position);
        return (k, v);
    }
}

/// <summary>Each JSON value of the file as compact JSON text in a string value, without key.</summary>
internal sealed class SchemaLessJsonRecordReader(SpoolDirSettings settings, FileInfo file)
    : JsonValuesReader(Open(file, settings.BufferSize))
{
    // Jackson, which the Java connector writes with, escapes only what JSON requires.
    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly MemoryStream _output = new();

    protected override (SchemaAndValue? Key, SchemaAndValue Value) Convert(JsonElement root)
    {
        _output.SetLength(0);
        using (var writer = new Utf8JsonWriter(_output, s_compact))
        {
            root.WriteTo(writer);
        }
        return (null, new SchemaAndValue(Schema.StringSchema, Encoding.UTF8.GetString(_output.GetBuffer(), 0, (int)_output.Length)));
    }
}
