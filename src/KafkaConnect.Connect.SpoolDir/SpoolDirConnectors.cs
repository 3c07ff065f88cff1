using System.Reflection;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Sources;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.SpoolDir;

/// <summary>Logging and version shared by the SpoolDir plugins.</summary>
internal static class SpoolDirConnectors
{
    public static ILoggerFactory LoggerFactory => Util.ConnectLogging.LoggerFactory;

    public static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var version = typeof(SpoolDirConnectors).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

/// <summary>Schemas made from field names when key.schema and value.schema are not given: every field an optional string.</summary>
internal static class SchemaGenerator
{
    public static (Schema Key, Schema Value) Generate(SpoolDirSettings settings, IEnumerable<string> fieldNames)
    {
        var names = fieldNames.Distinct(StringComparer.Ordinal).ToList();
        var value = SchemaBuilder.Struct().Name(settings.ValueSchemaName);
        foreach (var name in names)
        {
            value.Field(name, Schema.OptionalStringSchema);
        }
        var key = SchemaBuilder.Struct().Name(settings.KeySchemaName);
        foreach (var name in settings.KeyFields.Where(names.Contains))
        {
            key.Field(name, Schema.OptionalStringSchema);
        }
        return (key.Build(), value.Build());
    }
}

/// <summary>
/// The SpoolDir connectors: jcustenborder's file-spooling sources. Every task gets the whole configuration plus its
/// index and the task count, and takes the files whose name hashes to it.
/// </summary>
public abstract class SpoolDirSourceConnector : SourceConnector
{
    private readonly ILogger _log = SpoolDirConnectors.LoggerFactory.CreateLogger<SpoolDirSourceConnector>();
    private Dictionary<string, string> _props = [];

    internal abstract SpoolDirFormat Format { get; }

    public override string Version() => SpoolDirConnectors.Version;

    public override ConfigDef Config() => SpoolDirConfig.Definition(Format);

    public override void Start(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = new SpoolDirSettings(Format, props);
        _props = new Dictionary<string, string>(props, StringComparer.Ordinal);
        if (settings.SchemaGenerationEnabled && (settings.KeySchema is null || settings.ValueSchema is null))
        {
            GenerateSchemas(settings);
        }
    }

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(int maxTasks)
    {
        var configs = new List<IReadOnlyDictionary<string, string>>(maxTasks);
        for (var i = 0; i < maxTasks; i++)
        {
            configs.Add(new Dictionary<string, string>(_props, StringComparer.Ordinal)
            {
                [SpoolDirConfig.TaskIndex] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [SpoolDirConfig.TaskCount] = maxTasks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        return configs;
    }

    public override void Stop()
    {
    }

    /// <summary>Checks each setting, then the rules between them (the finished.path a MOVE needs, schemas, timestamp.field).</summary>
    public override Config Validate(IReadOnlyDictionary<string, string> connectorConfigs)
    {
        var result = base.Validate(connectorConfigs);
        if (result.ConfigValues.Any(v => v.ErrorMessages.Count > 0))
        {
            return result;
        }
        try
        {
            _ = new SpoolDirSettings(Format, connectorConfigs);
        }
        catch (ConfigException e)
        {
            var target = result.ConfigValues.FirstOrDefault(v => v.Name == e.ConfigName) ?? result.ConfigValues.First();
            target.AddErrorMessage(e.Message);
        }
        return result;
    }

    /// <summary>
    /// As the Java connector: the schemas of up to five files must agree and go to the tasks. With no file yet we do
    /// not fail as Java does: each task then makes the schema from each file it reads (docs/connectors/spooldir.md).
    /// </summary>
    private void GenerateSchemas(SpoolDirSettings settings)
    {
        var files = new InputFiles(settings, TimeProvider.System, _log).List().Take(5).ToList();
        if (files.Count == 0)
        {
            _log.LogInformation("No input file to make the schemas from yet; each file's schema is made from it when it is read");
            return;
        }
        var generated = new Dictionary<string, (Schema Key, Schema Value, List<string> Files)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var names = Format == SpoolDirFormat.Csv ? CsvRecordReader.ColumnNames(settings, file) : JsonRecordReader.FieldNames(settings, file);
            var (key, value) = SchemaGenerator.Generate(settings, names);
            var text = SchemaJson.Write(value);
            if (!generated.TryGetValue(text, out var entry))
            {
                generated[text] = entry = (key, value, []);
            }
            entry.Files.Add(file.FullName);
        }
        if (generated.Count > 1)
        {
            throw new DataException("More than one schema was found for the input pattern:\n" + string.Join("\n",
                generated.Select(g => $"Schema: {g.Key}\n  " + string.Join("\n  ", g.Value.Files))));
        }
        var (keySchema, valueSchema, _) = generated.Values.Single();
        _props[SpoolDirConfig.KeySchema] = SchemaJson.Write(keySchema);
        _props[SpoolDirConfig.ValueSchema] = SchemaJson.Write(valueSchema);
        _log.LogInformation("Setting {Key} to {KeySchema} and {Value} to {ValueSchema}", SpoolDirConfig.KeySchema,
            _props[SpoolDirConfig.KeySchema], SpoolDirConfig.ValueSchema, _props[SpoolDirConfig.ValueSchema]);
    }
}

/// <summary>CSV files, one record per row, as structs (<c>com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector</c>).</summary>
[ConnectPlugin("com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector")]
public sealed class SpoolDirCsvSourceConnector : SpoolDirSourceConnector
{
    internal override SpoolDirFormat Format => SpoolDirFormat.Csv;

    public override Type TaskClass => typeof(SpoolDirCsvSourceTask);
}

/// <summary>Files of JSON objects, one record per object, as structs.</summary>
[ConnectPlugin("com.github.jcustenborder.kafka.connect.spooldir.SpoolDirJsonSourceConnector")]
public sealed class SpoolDirJsonSourceConnector : SpoolDirSourceConnector
{
    internal override SpoolDirFormat Format => SpoolDirFormat.Json;

    public override Type TaskClass => typeof(SpoolDirJsonSourceTask);
}

/// <summary>Text files, one string record per line.</summary>
[ConnectPlugin("com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceConnector")]
public sealed class SpoolDirLineDelimitedSourceConnector : SpoolDirSourceConnector
{
    internal override SpoolDirFormat Format => SpoolDirFormat.LineDelimited;

    public override Type TaskClass => typeof(SpoolDirLineDelimitedSourceTask);
}

/// <summary>Files of JSON values, each passed on as its JSON text in a string record.</summary>
[ConnectPlugin("com.github.jcustenborder.kafka.connect.spooldir.SpoolDirSchemaLessJsonSourceConnector")]
public sealed class SpoolDirSchemaLessJsonSourceConnector : SpoolDirSourceConnector
{
    internal override SpoolDirFormat Format => SpoolDirFormat.SchemaLessJson;

    public override Type TaskClass => typeof(SpoolDirSchemaLessJsonSourceTask);
}
