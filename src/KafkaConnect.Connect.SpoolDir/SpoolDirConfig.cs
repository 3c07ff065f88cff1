using System.Text;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>Which of jcustenborder's SpoolDir connectors a definition is for; each adds its own settings.</summary>
internal enum SpoolDirFormat
{
    Csv,
    Json,
    LineDelimited,
    SchemaLessJson,
}

/// <summary>
/// The SpoolDir connectors' settings, by jcustenborder's names and defaults, declared once: parsing, REST validation
/// (including the rules across settings) and the docs table all come from <see cref="Definition"/>.
/// </summary>
public static class SpoolDirConfig
{
    public const string Topic = "topic";
    public const string BatchSize = "batch.size";
    public const string EmptyPollWaitMs = "empty.poll.wait.ms";
    public const string CleanupPolicy = "cleanup.policy";
    public const string InputPath = "input.path";
    public const string FinishedPath = "finished.path";
    public const string ErrorPath = "error.path";
    public const string InputFilePattern = "input.file.pattern";
    public const string HaltOnError = "halt.on.error";
    public const string FileMinimumAgeMs = "file.minimum.age.ms";
    public const string ProcessingFileExtension = "processing.file.extension";
    public const string TimestampMode = "timestamp.mode";
    public const string FilesSortAttributes = "files.sort.attributes";
    public const string TaskIndex = "task.index";
    public const string TaskCount = "task.count";
    public const string TaskPartitioner = "task.partitioner";
    public const string InputPathWalkRecursively = "input.path.walk.recursively";
    public const string CleanupPolicyMaintainRelativePath = "cleanup.policy.maintain.relative.path";
    public const string FileBufferSizeBytes = "file.buffer.size.bytes";

    public const string KeySchema = "key.schema";
    public const string ValueSchema = "value.schema";
    public const string SchemaGenerationEnabled = "schema.generation.enabled";
    public const string SchemaGenerationKeyFields = "schema.generation.key.fields";
    public const string SchemaGenerationKeyName = "schema.generation.key.name";
    public const string SchemaGenerationValueName = "schema.generation.value.name";
    public const string ParserTimestampTimezone = "parser.timestamp.timezone";
    public const string ParserTimestampDateFormats = "parser.timestamp.date.formats";
    public const string TimestampField = "timestamp.field";

    public const string CsvSkipLines = "csv.skip.lines";
    public const string CsvSeparatorChar = "csv.separator.char";
    public const string CsvQuoteChar = "csv.quote.char";
    public const string CsvEscapeChar = "csv.escape.char";
    public const string CsvStrictQuotes = "csv.strict.quotes";
    public const string CsvIgnoreLeadingWhitespace = "csv.ignore.leading.whitespace";
    public const string CsvIgnoreQuotations = "csv.ignore.quotations";
    public const string CsvKeepCarriageReturn = "csv.keep.carriage.return";
    public const string CsvVerifyReader = "csv.verify.reader";
    public const string CsvNullFieldIndicator = "csv.null.field.indicator";
    public const string CsvFirstRowAsHeader = "csv.first.row.as.header";
    public const string CsvFileCharset = "csv.file.charset";
    public const string CsvCaseSensitiveFieldNames = "csv.case.sensitive.field.names";
    public const string CsvRfc4180ParserEnabled = "csv.rfc.4180.parser.enabled";

    public const string FileCharset = "file.charset";

    private const string General = "General";
    private const string FileSystem = "File System";
    private const string Timestamps = "Timestamps";
    private const string SchemaGroup = "Schema";
    private const string SchemaGeneration = "Schema Generation";
    private const string CsvParsing = "CSV Parsing";

    private static readonly IValidator s_regex = ConfigDef.LambdaValidator.With((name, value) =>
    {
        try
        {
            _ = new Regex((string?)value ?? string.Empty, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(name, value, "Invalid regular expression: " + e.Message);
        }
    }, "a regular expression that must match a whole file name");

    private static readonly IValidator s_charset = ConfigDef.LambdaValidator.With((name, value) =>
    {
        if (!TryGetEncoding((string?)value, out _))
        {
            throw new ConfigException(name, value, "Unknown character set");
        }
    }, "a character set name such as UTF-8");

    private static readonly IValidator s_timeZone = ConfigDef.LambdaValidator.With((name, value) =>
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById((string?)value ?? string.Empty, out _))
        {
            throw new ConfigException(name, value, "Unknown time zone");
        }
    }, "a time zone id such as UTC or Europe/Berlin");

    private static readonly IValidator s_char = ConfigDef.Range.Between(0, char.MaxValue);

    /// <summary>The full definition for one connector class.</summary>
    internal static ConfigDef Definition(SpoolDirFormat format)
    {
        var def = new ConfigDef()
            .Define(Topic, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "The topic every record goes to.", General)
            .Define(BatchSize, ConfigType.Int, 1000, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Most records one poll returns; a file longer than this is read over several polls.", General)
            .Define(EmptyPollWaitMs, ConfigType.Long, 500L, ConfigDef.Range.Between(1L, long.MaxValue), Importance.Low,
                "How long a task waits before looking for new files again once it found none twice in a row.", General)
            .Define(CleanupPolicy, ConfigType.String, "MOVE", ConfigDef.ValidString.In("NONE", "DELETE", "MOVE", "MOVEBYDATE"),
                Importance.Medium,
                "What happens to a file once all its records are in Kafka: NONE leaves it in place (it is read again after a "
                + "restart), DELETE removes it, MOVE moves it to finished.path, MOVEBYDATE to a yyyy-MM-dd subdirectory of "
                + "finished.path named after the file's last-modified date.", FileSystem)
            .Define(InputPath, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "The directory to read files from. It must exist and be writable by the worker.", FileSystem)
            .Define(FinishedPath, ConfigType.String, string.Empty, null, Importance.High,
                "The directory to move finished files to; required when cleanup.policy is MOVE or MOVEBYDATE. It must "
                + "exist and be writable.", FileSystem)
            .Define(ErrorPath, ConfigType.String, ConfigDef.NoDefaultValue, ConfigDef.NonEmptyString.Instance, Importance.High,
                "The directory to move files that fail to parse to. It must exist and be writable.", FileSystem)
            .Define(InputFilePattern, ConfigType.String, ConfigDef.NoDefaultValue, s_regex, Importance.High,
                "Regular expression a file name must match, as a whole, to be read (Java's Matcher.matches()).", FileSystem)
            .Define(HaltOnError, ConfigType.Boolean, true, null, Importance.High,
                "Whether the task stops when a file fails to parse (true), or moves the file to error.path and goes on "
                + "with the next (false).", FileSystem)
            .Define(FileMinimumAgeMs, ConfigType.Long, 0L, ConfigDef.Range.AtLeast(0L), Importance.Low,
                "How long after its last write a file must wait before it is read.", FileSystem)
            .Define(ProcessingFileExtension, ConfigType.String, ".PROCESSING",
                ConfigDef.LambdaValidator.With((name, value) =>
                {
                    if (value is not string s || !Regex.IsMatch(s, @"^.*\..+$", RegexOptions.CultureInvariant))
                    {
                        throw new ConfigException(name, value, "Must contain a dot followed by at least one character");
                    }
                }, "a suffix such as .PROCESSING"),
                Importance.Low,
                "Suffix of the flag file created beside a file while it is being read; a file with a flag is skipped.",
                FileSystem)
            .Define(TimestampMode, ConfigType.String, "PROCESS_TIME", ConfigDef.ValidString.In("FIELD", "FILE_TIME", "PROCESS_TIME"),
                Importance.Medium,
                "The record timestamp: FIELD reads it from timestamp.field of the value, FILE_TIME is the file's last "
                + "modification, PROCESS_TIME lets the producer set the time the record is sent.", Timestamps)
            .Define(FilesSortAttributes, ConfigType.List, "NameAsc",
                ConfigDef.ValidList.NonEmptyIn("NameAsc", "NameDesc", "LengthAsc", "LengthDesc", "LastModifiedAsc", "LastModifiedDesc"),
                Importance.Low, "The order files are read in, by name, length or last modification.", FileSystem)
            .Define(new ConfigKey(TaskIndex, ConfigType.Int, 0, ConfigDef.Range.AtLeast(0), Importance.Low, string.Empty,
                internalConfig: true))
            .Define(new ConfigKey(TaskCount, ConfigType.Int, 1, ConfigDef.Range.AtLeast(1), Importance.Low, string.Empty,
                internalConfig: true))
            .Define(TaskPartitioner, ConfigType.String, "ByName", ConfigDef.ValidString.In("ByName"), Importance.Medium,
                "How tasks share the files when tasks.max > 1: ByName gives each file to one task by a hash of its name "
                + "(the Java connector's Adler-32, so mixed workers agree).", FileSystem)
            .Define(InputPathWalkRecursively, ConfigType.Boolean, false, null, Importance.Low,
                "Whether files in subdirectories of input.path are read too; their relative directory is the "
                + "file.relative.path header and is kept when they are moved.", FileSystem)
            .Define(CleanupPolicyMaintainRelativePath, ConfigType.Boolean, false, null, Importance.Low,
                "With input.path.walk.recursively, keep the emptied subdirectories of input.path instead of removing them.",
                FileSystem);

        if (format != SpoolDirFormat.SchemaLessJson)
        {
            def.Define(FileBufferSizeBytes, ConfigType.Int, 128 * 1024, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Size of the read buffer.", FileSystem);
        }

        if (format is SpoolDirFormat.Csv or SpoolDirFormat.Json)
        {
            def.Define(KeySchema, ConfigType.String, string.Empty, null, Importance.High,
                    "The key's Connect schema, as JSON (jcustenborder's format: name, type, isOptional, fieldSchemas ...).",
                    SchemaGroup)
                .Define(ValueSchema, ConfigType.String, string.Empty, null, Importance.High,
                    "The value's Connect schema, as JSON in the same format.", SchemaGroup)
                .Define(SchemaGenerationEnabled, ConfigType.Boolean, false, null, Importance.Medium,
                    "Generate the schemas from the first files found when key.schema or value.schema is unset: every "
                    + "field an optional string.", SchemaGeneration)
                .Define(SchemaGenerationKeyFields, ConfigType.List, string.Empty, null, Importance.Medium,
                    "Fields copied into the key when schemas are generated.", SchemaGeneration)
                .Define(SchemaGenerationKeyName, ConfigType.String, "com.github.jcustenborder.kafka.connect.model.Key", null,
                    Importance.Medium, "Schema name given to a generated key.", SchemaGeneration)
                .Define(SchemaGenerationValueName, ConfigType.String, "com.github.jcustenborder.kafka.connect.model.Value", null,
                    Importance.Medium, "Schema name given to a generated value.", SchemaGeneration)
                .Define(ParserTimestampTimezone, ConfigType.String, "UTC", s_timeZone, Importance.Low,
                    "The time zone of dates and times in the files that carry none.", Timestamps)
                .Define(ParserTimestampDateFormats, ConfigType.List, "yyyy-MM-dd'T'HH:mm:ss,yyyy-MM-dd' 'HH:mm:ss", null,
                    Importance.Low,
                    "Java SimpleDateFormat patterns tried in order for Timestamp, Date and Time fields.", Timestamps)
                .Define(TimestampField, ConfigType.String, string.Empty, null, Importance.Medium,
                    "With timestamp.mode=FIELD: the required Timestamp field of the value that becomes the record's "
                    + "timestamp.", Timestamps);
        }

        if (format == SpoolDirFormat.Csv)
        {
            def.Define(CsvSkipLines, ConfigType.Int, 0, ConfigDef.Range.AtLeast(0), Importance.Low,
                    "Lines to skip at the start of each file (before the header).", CsvParsing)
                .Define(CsvSeparatorChar, ConfigType.Int, (int)',', s_char, Importance.Low,
                    "The separator, as a character code (44 is ',', 9 a tab).", CsvParsing)
                .Define(CsvQuoteChar, ConfigType.Int, (int)'"', s_char, Importance.Low,
                    "The quote character, as a character code.", CsvParsing)
                .Define(CsvEscapeChar, ConfigType.Int, (int)'\\', s_char, Importance.Low,
                    "The character that escapes a quote inside a quoted field, as a character code (92 is '\\').",
                    CsvParsing)
                .Define(CsvStrictQuotes, ConfigType.Boolean, false, null, Importance.Low,
                    "Accepted for compatibility; text outside quotes is always kept.", CsvParsing)
                .Define(CsvIgnoreLeadingWhitespace, ConfigType.Boolean, true, null, Importance.Low,
                    "Whether whitespace before a field's value is dropped.", CsvParsing)
                .Define(CsvIgnoreQuotations, ConfigType.Boolean, false, null, Importance.Low,
                    "Whether quotes are ordinary characters.", CsvParsing)
                .Define(CsvKeepCarriageReturn, ConfigType.Boolean, false, null, Importance.Low,
                    "Accepted for compatibility; line ends are \\n or \\r\\n.", CsvParsing)
                .Define(CsvVerifyReader, ConfigType.Boolean, true, null, Importance.Low,
                    "Accepted for compatibility.", CsvParsing)
                .Define(CsvNullFieldIndicator, ConfigType.String, "NEITHER",
                    ConfigDef.ValidString.In("EMPTY_SEPARATORS", "EMPTY_QUOTES", "BOTH", "NEITHER"), Importance.Low,
                    "Which empty fields are null rather than an empty string: EMPTY_SEPARATORS (a,,b), EMPTY_QUOTES "
                    + "(a,\"\",b), BOTH or NEITHER.", CsvParsing)
                .Define(CsvFirstRowAsHeader, ConfigType.Boolean, false, null, Importance.Medium,
                    "Whether the first row names the fields; otherwise columns map to value.schema's fields in order.",
                    CsvParsing)
                .Define(CsvFileCharset, ConfigType.String, "UTF-8", s_charset, Importance.Low,
                    "The files' character set.", CsvParsing)
                .Define(CsvCaseSensitiveFieldNames, ConfigType.Boolean, false, null, Importance.Low,
                    "Whether header names must match schema field names in case.", CsvParsing)
                .Define(CsvRfc4180ParserEnabled, ConfigType.Boolean, false, null, Importance.Low,
                    "Parse strictly by RFC 4180: no escape character other than a doubled quote.", CsvParsing);
        }
        else if (format is SpoolDirFormat.LineDelimited or SpoolDirFormat.SchemaLessJson)
        {
            def.Define(FileCharset, ConfigType.String, "UTF-8", s_charset, Importance.Low, "The files' character set.",
                FileSystem);
        }
        return def;
    }

    internal static bool TryGetEncoding(string? name, out Encoding encoding)
    {
        encoding = Encoding.UTF8;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }
        try
        {
            // No byte order mark on output matters not here; reading detects none either, as Java's readers.
            encoding = Encoding.GetEncoding(name.Trim());
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>One task's or connector's parsed settings; cross-field rules are checked here, once.</summary>
internal sealed class SpoolDirSettings
{
    public SpoolDirSettings(SpoolDirFormat format, IReadOnlyDictionary<string, string> props)
    {
        Format = format;
        var config = new AbstractConfig(SpoolDirConfig.Definition(format), props);
        Topic = config.GetString(SpoolDirConfig.Topic)!;
        BatchSize = config.GetInt(SpoolDirConfig.BatchSize);
        EmptyPollWait = TimeSpan.FromMilliseconds(config.GetLong(SpoolDirConfig.EmptyPollWaitMs));
        Cleanup = config.GetString(SpoolDirConfig.CleanupPolicy)!;
        InputPath = Path.GetFullPath(config.GetString(SpoolDirConfig.InputPath)!);
        ErrorPath = Path.GetFullPath(config.GetString(SpoolDirConfig.ErrorPath)!);
        var finished = config.GetString(SpoolDirConfig.FinishedPath);
        if (Cleanup is "MOVE" or "MOVEBYDATE")
        {
            if (string.IsNullOrWhiteSpace(finished))
            {
                throw new ConfigException(SpoolDirConfig.FinishedPath, finished,
                    $"Required when {SpoolDirConfig.CleanupPolicy} is {Cleanup}");
            }
            FinishedPath = Path.GetFullPath(finished);
        }
        FilePattern = new Regex("^(?:" + config.GetString(SpoolDirConfig.InputFilePattern) + ")$", RegexOptions.CultureInvariant);
        HaltOnError = config.GetBoolean(SpoolDirConfig.HaltOnError);
        MinimumFileAge = TimeSpan.FromMilliseconds(config.GetLong(SpoolDirConfig.FileMinimumAgeMs));
        ProcessingExtension = config.GetString(SpoolDirConfig.ProcessingFileExtension)!;
        TimestampMode = config.GetString(SpoolDirConfig.TimestampMode)!;
        SortAttributes = config.GetList(SpoolDirConfig.FilesSortAttributes)!;
        TaskIndex = config.GetInt(SpoolDirConfig.TaskIndex);
        TaskCount = config.GetInt(SpoolDirConfig.TaskCount);
        WalkRecursively = config.GetBoolean(SpoolDirConfig.InputPathWalkRecursively);
        KeepSubdirectories = config.GetBoolean(SpoolDirConfig.CleanupPolicyMaintainRelativePath);
        BufferSize = format == SpoolDirFormat.SchemaLessJson ? 64 * 1024 : config.GetInt(SpoolDirConfig.FileBufferSizeBytes);

        if (format is SpoolDirFormat.Csv or SpoolDirFormat.Json)
        {
            KeySchema = ReadSchema(config, SpoolDirConfig.KeySchema);
            ValueSchema = ReadSchema(config, SpoolDirConfig.ValueSchema);
            SchemaGenerationEnabled = config.GetBoolean(SpoolDirConfig.SchemaGenerationEnabled);
            KeyFields = config.GetList(SpoolDirConfig.SchemaGenerationKeyFields)!;
            KeySchemaName = config.GetString(SpoolDirConfig.SchemaGenerationKeyName) ?? string.Empty;
            ValueSchemaName = config.GetString(SpoolDirConfig.SchemaGenerationValueName) ?? string.Empty;
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById(config.GetString(SpoolDirConfig.ParserTimestampTimezone)!);
            DateFormats = config.GetList(SpoolDirConfig.ParserTimestampDateFormats)!;
            if (!SchemaGenerationEnabled && (KeySchema is null || ValueSchema is null))
            {
                var missing = KeySchema is null ? SpoolDirConfig.KeySchema : SpoolDirConfig.ValueSchema;
                throw new ConfigException(missing, string.Empty,
                    $"Required when {SpoolDirConfig.SchemaGenerationEnabled} is false (set it, or set "
                    + $"{SpoolDirConfig.SchemaGenerationEnabled}=true to generate the schemas from the files)");
            }
            if (TimestampMode == "FIELD")
            {
                TimestampField = config.GetString(SpoolDirConfig.TimestampField);
                if (string.IsNullOrEmpty(TimestampField))
                {
                    throw new ConfigException(SpoolDirConfig.TimestampField, TimestampField,
                        $"Required when {SpoolDirConfig.TimestampMode} is FIELD");
                }
                var field = ValueSchema?.GetField(TimestampField);
                if (ValueSchema is not null && (field is null || field.Schema.IsOptional || field.Schema.Name != Timestamp.LogicalName))
                {
                    throw new ConfigException(SpoolDirConfig.TimestampField, TimestampField,
                        "Must name a required field of value.schema with the Timestamp logical type "
                        + "(\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"type\":\"INT64\")");
                }
            }
        }
        else if (TimestampMode == "FIELD")
        {
            throw new ConfigException(SpoolDirConfig.TimestampMode, TimestampMode, "FIELD needs a value schema; this connector has none");
        }

        if (format == SpoolDirFormat.Csv)
        {
            Csv = new CsvSettings(config);
            Charset = Encoding(config, SpoolDirConfig.CsvFileCharset);
        }
        else if (format is SpoolDirFormat.LineDelimited or SpoolDirFormat.SchemaLessJson)
        {
            Charset = Encoding(config, SpoolDirConfig.FileCharset);
        }
    }

    public SpoolDirFormat Format { get; }
    public string Topic { get; }
    public int BatchSize { get; }
    public TimeSpan EmptyPollWait { get; }
    public string Cleanup { get; }
    public string InputPath { get; }
    public string ErrorPath { get; }
    public string? FinishedPath { get; }
    public Regex FilePattern { get; }
    public bool HaltOnError { get; }
    public TimeSpan MinimumFileAge { get; }
    public string ProcessingExtension { get; }
    public string TimestampMode { get; }
    public IReadOnlyList<string> SortAttributes { get; }
    public int TaskIndex { get; }
    public int TaskCount { get; }
    public bool WalkRecursively { get; }
    public bool KeepSubdirectories { get; }
    public int BufferSize { get; }
    public Schema? KeySchema { get; }
    public Schema? ValueSchema { get; }
    public bool SchemaGenerationEnabled { get; }
    public IReadOnlyList<string> KeyFields { get; } = [];
    public string KeySchemaName { get; } = string.Empty;
    public string ValueSchemaName { get; } = string.Empty;
    public TimeZoneInfo TimeZone { get; } = TimeZoneInfo.Utc;
    public IReadOnlyList<string> DateFormats { get; } = [];
    public string? TimestampField { get; }
    public CsvSettings? Csv { get; }
    public Encoding Charset { get; } = System.Text.Encoding.UTF8;

    private static Encoding Encoding(AbstractConfig config, string key)
    {
        SpoolDirConfig.TryGetEncoding(config.GetString(key), out var encoding);
        return encoding;
    }

    private static Schema? ReadSchema(AbstractConfig config, string key)
    {
        var text = config.GetString(key);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (!SchemaJson.TryParse(text, out var schema, out var error))
        {
            throw new ConfigException(key, text, "Not a schema: " + error);
        }
        return schema;
    }
}

/// <summary>The csv.* settings.</summary>
internal sealed class CsvSettings(AbstractConfig config)
{
    public int SkipLines { get; } = config.GetInt(SpoolDirConfig.CsvSkipLines);
    public char Separator { get; } = (char)config.GetInt(SpoolDirConfig.CsvSeparatorChar);
    public char Quote { get; } = (char)config.GetInt(SpoolDirConfig.CsvQuoteChar);
    public char Escape { get; } = config.GetBoolean(SpoolDirConfig.CsvRfc4180ParserEnabled)
        ? (char)config.GetInt(SpoolDirConfig.CsvQuoteChar)
        : (char)config.GetInt(SpoolDirConfig.CsvEscapeChar);
    public bool IgnoreLeadingWhitespace { get; } = config.GetBoolean(SpoolDirConfig.CsvIgnoreLeadingWhitespace);
    public bool IgnoreQuotations { get; } = config.GetBoolean(SpoolDirConfig.CsvIgnoreQuotations);
    public string NullFieldIndicator { get; } = config.GetString(SpoolDirConfig.CsvNullFieldIndicator)!;
    public bool FirstRowAsHeader { get; } = config.GetBoolean(SpoolDirConfig.CsvFirstRowAsHeader);
    public bool CaseSensitiveFieldNames { get; } = config.GetBoolean(SpoolDirConfig.CsvCaseSensitiveFieldNames);
}
