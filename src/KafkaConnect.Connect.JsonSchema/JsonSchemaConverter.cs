using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>
/// Confluent's <c>io.confluent.connect.json.JsonSchemaConverter</c>: records are a magic byte 0, the 4-byte
/// schema id and the JSON text; the schema is the JSON Schema Confluent's JsonSchemaData derives from the Connect
/// schema, registered as type JSON. Thread-safe once configured.
/// </summary>
[ConnectPlugin("io.confluent.connect.json.JsonSchemaConverter")]
public sealed class JsonSchemaConverter : IConverter, IVersioned, IDisposable
{
    private readonly ISchemaRegistryClient? _injectedClient;
    private RegistrySession? _session;
    private JsonSchemaData _data = new(new JsonSchemaDataConfig());
    private BoundedCache<Schema, WriteEntry> _bySchema = new(JsonSchemaDataConfig.SchemasCacheSizeDefault);
    private BoundedCache<(int Id, string Topic), ReadEntry> _byId = new(JsonSchemaDataConfig.SchemasCacheSizeDefault);

    public JsonSchemaConverter()
    {
    }

    /// <summary>Uses this client instead of one built from <c>schema.registry.url</c> (as Confluent's test constructor).</summary>
    public JsonSchemaConverter(ISchemaRegistryClient client)
    {
        _injectedClient = client;
    }

    public string Version() => "1.0";

    public ConfigDef Config() => Definition();

    internal static ConfigDef Definition() => JsonSchemaDataConfig.AddTo(RegistryConverterConfig.AddTo(new ConfigDef()));

    /// <exception cref="ConfigException">A setting is missing or invalid (<c>schema.registry.url</c> is required).</exception>
    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
        var config = new RegistryConverterConfig(Definition(), configs);
        var dataConfig = new JsonSchemaDataConfig(config);
        _session = new RegistrySession(_injectedClient ?? config.CreateClient(), config, isKey);
        _data = new JsonSchemaData(dataConfig);
        _bySchema = new BoundedCache<Schema, WriteEntry>(dataConfig.SchemasCacheSize);
        _byId = new BoundedCache<(int, string), ReadEntry>(dataConfig.SchemasCacheSize);
    }

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        if (schema is null)
        {
            if (value is null)
            {
                return null;
            }
            throw new DataException($"Converting Kafka Connect data to byte[] failed for topic {topic}: JsonSchemaConverter needs a schema, and this value has none");
        }
        var session = Session();
        var entry = EntryFor(schema);
        var json = _data.WriteValue(schema, value);
        if (json is null)
        {
            return null;
        }
        if (_data.Config.FailInvalidSchema)
        {
            Validate(entry.Validator, json, topic);
        }
        var id = session.IdFor(topic, entry.Title, entry.Registered, entry.IdsBySubject);
        var framed = new byte[WireFormat.HeaderSize + json.Length];
        WireFormat.WriteHeader(framed, id);
        json.CopyTo(framed.AsSpan(WireFormat.HeaderSize));
        return framed;
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value) =>
        value is null ? SchemaAndValue.Null : Read(topic, value);

    // Values never point into the input (strings are decoded, bytes copied), so the borrowed buffer is safe.
    public SchemaAndValue ToConnectDataBorrowed(string topic, IHeaders? headers, ReadOnlyMemory<byte>? value) =>
        value is { } bytes ? Read(topic, bytes) : SchemaAndValue.Null;

    public void Dispose() => _session?.Client.Dispose();

    /// <summary>The JSON Schema text registered for a Connect schema.</summary>
    public string JsonSchemaFor(Schema schema) => _data.FromConnectSchema(schema).ToString();

    private SchemaAndValue Read(string topic, ReadOnlyMemory<byte> bytes)
    {
        var session = Session();
        var id = WireFormat.ReadHeader(bytes.Span, topic);
        var entry = _byId.GetOrAdd((id, topic), static (key, state) => state.Converter.Load(key.Id, key.Topic, state.Session), (Converter: this, Session: session));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes[WireFormat.HeaderSize..]);
        }
        catch (JsonException e)
        {
            throw new DataException($"Converting byte[] to Kafka Connect data failed due to serialization error of topic {topic}: the payload is not JSON: {e.Message}", e);
        }
        using (document)
        {
            if (_data.Config.FailInvalidSchema)
            {
                Validate(entry.Validator, document.RootElement, topic);
            }
            try
            {
                return new SchemaAndValue(entry.Schema, _data.ToConnectData(entry.Schema, document.RootElement));
            }
            catch (DataException e)
            {
                throw new DataException($"Converting byte[] to Kafka Connect data failed for topic {topic} (schema id {id}): {e.Message}", e);
            }
        }
    }

    private ReadEntry Load(int id, string topic, RegistrySession session)
    {
        var registered = session.Fetch(id, topic, RegistrySchema.Json);
        var references = session.ResolveReferences(registered);
        var title = TitleOf(registered.Schema);
        var version = session.VersionOf(topic, title, registered);
        var schema = _data.ToConnectSchema(registered.Schema, references, version);
        return new ReadEntry(schema, new Lazy<global::Json.Schema.JsonSchema>(() => JsonSchemaValidation.Build(registered.Schema, references)));
    }

    private WriteEntry EntryFor(Schema schema) =>
        _bySchema.GetOrAdd(schema, static (s, data) =>
        {
            var text = data.FromConnectSchema(s).ToString();
            return new WriteEntry(new RegistrySchema(text, RegistrySchema.Json), s.Name,
                new Lazy<global::Json.Schema.JsonSchema>(() => JsonSchemaValidation.Build(text, null)));
        }, _data);

    private static void Validate(Lazy<global::Json.Schema.JsonSchema> validator, byte[] json, string topic)
    {
        using var document = JsonDocument.Parse(json);
        Validate(validator, document.RootElement, topic);
    }

    private static void Validate(Lazy<global::Json.Schema.JsonSchema> validator, JsonElement json, string topic)
    {
        if (JsonSchemaValidation.FirstError(validator.Value, json) is { } error)
        {
            throw new DataException($"Validation error for topic {topic}: the JSON payload does not match its schema: {error}");
        }
    }

    private static string? TitleOf(string schemaText)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaText);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String
                ? title.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private RegistrySession Session() =>
        _session ?? throw new InvalidOperationException("JsonSchemaConverter is not configured: call Configure first");

    private sealed record WriteEntry(RegistrySchema Registered, string? Title, Lazy<global::Json.Schema.JsonSchema> Validator)
    {
        public ConcurrentDictionary<string, int> IdsBySubject { get; } = new(StringComparer.Ordinal);
    }

    private sealed record ReadEntry(Schema Schema, Lazy<global::Json.Schema.JsonSchema> Validator);
}
