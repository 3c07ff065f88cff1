using System.Collections.Concurrent;
using KafkaConnect.Connect.Avro.Codec;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Connect.Storage;
using KafkaConnect.Schemas;

namespace KafkaConnect.Connect.Avro;

/// <summary>
/// Confluent's Avro converter (<c>io.confluent.connect.avro.AvroConverter</c>): Connect data ↔ the registry's wire
/// format (magic byte 0, 4-byte big-endian schema id, Avro binary), schemas mapped as Confluent's AvroData maps them and
/// registered, looked up or taken as the subject's latest as its keys say. Thread-safe once configured.
/// </summary>
/// <remarks>
/// Hot paths take no lock: the last schema seen (by reference) is checked first, then lock-free dictionaries by
/// reference, by value and by id; only a miss converts a schema or calls the registry. Values are encoded and decoded
/// directly between Connect objects and bytes (no Avro object model in between); see docs/converters.md.
/// </remarks>
[ConnectPlugin("io.confluent.connect.avro.AvroConverter")]
public sealed class AvroConverter : IConverter, IVersioned, IDisposable
{
    private static readonly ConfigDef s_configDef = AvroDataOptions.AddTo(RegistryConverterConfig.AddTo(new ConfigDef()))
        .Define("avro.reflection.allow.null", ConfigType.Boolean, false, Importance.Medium,
            "Accepted for compatibility; applies to Java reflection-based serializers only, not to Connect data.")
        .Define("avro.use.logical.type.converters", ConfigType.Boolean, false, Importance.Medium,
            "Accepted for compatibility; Connect's Decimal, Date, Time and Timestamp are always converted.")
        .Define("avro.remove.java.properties", ConfigType.Boolean, false, Importance.Low,
            "Accepted for compatibility; schemas made from Connect schemas carry no avro.java.string properties.");

    private RegistryConverterConfig? _config;
    private ISchemaRegistryClient? _client;
    private readonly bool _clientGiven;
    private AvroData _avroData = new(new AvroDataOptions());
    private bool _isKey;
    private SubjectNameStrategy _strategy;
    private int _cacheSize = 1000;

    private volatile WriteEntry? _lastWrite;
    private WriteEntry? _anything;
    private ConcurrentDictionary<Schema, WriteEntry> _writeByReference = new(ReferenceEqualityComparer.Instance);
    private ConcurrentDictionary<Schema, WriteEntry> _writeByValue = new();
    private volatile ReadEntry? _lastRead;
    private ConcurrentDictionary<int, ReadEntry> _readById = new();

    public AvroConverter()
    {
    }

    /// <summary>With a client of the caller's (tests, or sharing one client between key and value converters).</summary>
    public AvroConverter(ISchemaRegistryClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _clientGiven = true;
    }

    public string Version() => "1.0";

    public ConfigDef Config() => new(s_configDef);

    /// <exception cref="ConfigException">A setting is invalid; <c>schema.registry.url</c> is required.</exception>
    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var config = new RegistryConverterConfig(s_configDef, configs);
        var options = AvroDataOptions.From(config);
        _config = config;
        _isKey = isKey;
        _strategy = config.SubjectNameStrategyFor(isKey);
        _avroData = new AvroData(options);
        _cacheSize = options.SchemaCacheSize;
        if (!_clientGiven)
        {
            _client?.Dispose();
            _client = config.CreateClient();
        }
        _lastWrite = null;
        _anything = null;
        _lastRead = null;
        _writeByReference = new(ReferenceEqualityComparer.Instance);
        _writeByValue = new();
        _readById = new();
    }

    /// <summary>Closes the registry client this converter made (a client handed in stays the caller's).</summary>
    public void Dispose()
    {
        if (!_clientGiven)
        {
            _client?.Dispose();
        }
    }

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (value is null)
        {
            if (schema is not null && !schema.IsOptional)
            {
                throw new DataException($"Failed to serialize Avro data from topic {topic}: Found null value for non-optional schema");
            }
            return null;
        }
        _ = _config ?? throw new InvalidOperationException("AvroConverter is not configured");
        try
        {
            var binding = Binding(schema is null ? AnythingEntry() : WriteEntryFor(schema), topic);
            var output = AvroOutput.Rent();
            try
            {
                WireFormat.WriteHeader(output.Reserve(WireFormat.HeaderSize), binding.Id);
                binding.Encoder.Write(output, value);
                return output.ToArray();
            }
            finally
            {
                AvroOutput.Return(output);
            }
        }
        catch (RetriableException e)
        {
            throw new RetriableException($"Failed to serialize Avro data from topic {topic}: {e.Message}", e);
        }
        catch (DataException e)
        {
            throw new DataException($"Failed to serialize Avro data from topic {topic}: {e.Message}", e);
        }
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value) =>
        ToConnectDataBorrowed(topic, headers, value is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(value));

    /// <summary>Decodes straight from the fetched bytes: the result holds no reference to them.</summary>
    public SchemaAndValue ToConnectDataBorrowed(string topic, IHeaders? headers, ReadOnlyMemory<byte>? value)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (value is null)
        {
            return SchemaAndValue.Null;
        }
        _ = _config ?? throw new InvalidOperationException("AvroConverter is not configured");
        var span = value.Value.Span;
        var id = WireFormat.ReadHeader(span, topic);
        try
        {
            var binding = BindingFor(ReadEntryFor(id), topic);
            var input = new AvroInput(span[WireFormat.HeaderSize..]);
            return new SchemaAndValue(binding.Schema, binding.Decoder.Read(ref input));
        }
        catch (RetriableException e)
        {
            throw new RetriableException($"Failed to deserialize data for topic {topic} to Avro: {e.Message}", e);
        }
        catch (SchemaRegistryException e) when (e.ErrorCode == SchemaRegistryException.SchemaNotFound)
        {
            throw new DataException($"Failed to deserialize data for topic {topic} to Avro: schema id {id} is not in the registry ({e.ErrorCode} {e.Message})", e);
        }
        catch (DataException e)
        {
            throw new DataException($"Failed to deserialize data for topic {topic} to Avro (schema id {id}): {e.Message}", e);
        }
    }

    /// <summary>The Avro schema this converter makes for <paramref name="schema"/> (cached), e.g. to pre-register it.</summary>
    public AvroSchema AvroSchemaFor(Schema schema) => WriteEntryFor(schema).Avro;

    // Schemaless values are written with Confluent's Anything record.
    private WriteEntry AnythingEntry() =>
        _anything ??= new WriteEntry(null, AvroSchemaParser.Parse(Anything.SchemaJson), new RegistrySchema(Anything.SchemaJson), Anything.Encoder, _cacheSize);

    private WriteEntry WriteEntryFor(Schema schema)
    {
        var last = _lastWrite;
        if (last is not null && ReferenceEquals(last.Schema, schema))
        {
            return last;
        }
        if (!_writeByReference.TryGetValue(schema, out var entry))
        {
            // An equal schema built anew per record (as some connectors do) still converts once.
            if (!_writeByValue.TryGetValue(schema, out entry))
            {
                var avro = _avroData.FromConnectSchema(schema);
                entry = new WriteEntry(schema, avro, new RegistrySchema(AvroSchemaWriter.Write(avro)), Encoder.Build(_avroData, schema, avro), _cacheSize);
                AddBounded(_writeByValue, schema, entry);
            }
            AddBounded(_writeByReference, schema, entry);
        }
        _lastWrite = entry;
        return entry;
    }

    private SubjectBinding Binding(WriteEntry entry, string topic) =>
        entry.ByTopic.GetOrAdd(topic, (this, entry), static (topic, state) =>
        {
            var (converter, entry) = state;
            var subject = converter._strategy.SubjectFor(topic, converter._isKey, entry.Avro.IsNamed ? entry.Avro.FullName : null);
            return converter.Resolve(entry, topic, subject, converter._config!);
        });

    // Confluent's order: auto-register, else the subject's latest version, else look the schema up.
    private SubjectBinding Resolve(WriteEntry entry, string topic, string subject, RegistryConverterConfig config)
    {
        var client = _client!;
        if (config.AutoRegisterSchemas)
        {
            return new SubjectBinding(topic, client.Register(subject, entry.Registry, config.NormalizeSchemas), entry.Encoder);
        }
        if (config.UseLatestVersion)
        {
            var latest = client.GetLatest(subject);
            if (latest.Schema.SchemaType != RegistrySchema.Avro)
            {
                throw new DataException($"The latest schema of subject {subject} is {latest.Schema.SchemaType}, not AVRO");
            }
            var latestAvro = ParseWithReferences(latest.Schema);
            // Confluent's check: the latest schema must be able to read what the record's own schema writes.
            if (config.LatestCompatibilityStrict && entry.Schema is not null && !AvroCompatibility.CanRead(latestAvro, entry.Avro))
            {
                throw new DataException($"Incompatible schema: the latest schema of subject {subject} (id {latest.Id}, version {latest.Version}) cannot read data written with the record's schema {entry.Registry.Schema}; set latest.compatibility.strict=false to use it anyway");
            }
            Encoder encoder;
            try
            {
                encoder = entry.Schema is null
                    ? (Anything.IsAnything(latestAvro) ? Anything.Encoder : throw new DataException("the latest schema is not Confluent's schemaless Anything record"))
                    : Encoder.Build(_avroData, entry.Schema, latestAvro);
            }
            catch (DataException e)
            {
                throw new DataException($"Cannot write {entry.Schema} with the latest schema of subject {subject} (id {latest.Id}): {e.Message}", e);
            }
            return new SubjectBinding(topic, latest.Id, encoder);
        }
        return new SubjectBinding(topic, client.Lookup(subject, entry.Registry, config.NormalizeSchemas).Id, entry.Encoder);
    }

    private ReadEntry ReadEntryFor(int id)
    {
        var last = _lastRead;
        if (last is not null && last.Id == id)
        {
            return last;
        }
        if (!_readById.TryGetValue(id, out var entry))
        {
            var registrySchema = _client!.GetById(id);
            if (registrySchema.SchemaType != RegistrySchema.Avro)
            {
                throw new DataException($"Schema id {id} is a {registrySchema.SchemaType} schema, not AVRO");
            }
            entry = new ReadEntry(id, ParseWithReferences(registrySchema), registrySchema, _cacheSize);
            AddBounded(_readById, id, entry);
        }
        _lastRead = entry;
        return entry;
    }

    private ReadBinding BindingFor(ReadEntry entry, string topic) =>
        entry.ByTopic.GetOrAdd(topic, (this, entry), static (topic, state) => state.Item1.BindReader(state.entry, topic));

    // As Confluent's converter: the Connect schema's version is the writer schema's version under the subject.
    private ReadBinding BindReader(ReadEntry entry, string topic)
    {
        var subject = _strategy.SubjectFor(topic, _isKey, entry.Avro.IsNamed ? entry.Avro.FullName : null);
        int version;
        try
        {
            version = _client!.Lookup(subject, entry.Registry).Version;
        }
        catch (SchemaRegistryException e)
        {
            throw new DataException($"Error retrieving Avro {(_isKey ? "key" : "value")} schema version for id {entry.Id} under subject {subject}: {e.Message}", e);
        }
        if (Anything.IsAnything(entry.Avro))
        {
            return new ReadBinding(topic, null, Anything.Decoder);
        }
        var schema = _avroData.ToConnectSchema(entry.Avro, version);
        return new ReadBinding(topic, schema, Decoder.Build(_avroData, schema, entry.Avro));
    }

    private AvroSchema ParseWithReferences(RegistrySchema schema)
    {
        try
        {
            if (schema.References.Count == 0)
            {
                return AvroSchemaParser.Parse(schema.Schema);
            }
            var referenced = new List<string>();
            CollectReferences(schema, referenced, new HashSet<(string, int)>());
            return AvroSchemaParser.Parse(schema.Schema, referenced);
        }
        catch (SchemaParseException e)
        {
            throw new AvroSchemaException("Invalid Avro schema: " + e.Message, e);
        }
    }

    // Referenced schemas, dependencies first, each once.
    private void CollectReferences(RegistrySchema schema, List<string> into, HashSet<(string, int)> seen)
    {
        foreach (var reference in schema.References)
        {
            if (seen.Add((reference.Subject, reference.Version)))
            {
                var registered = _client!.GetVersion(reference.Subject, reference.Version);
                CollectReferences(registered.Schema, into, seen);
                into.Add(registered.Schema.Schema);
            }
        }
    }

    // Confluent bounds its caches by schemas.cache.config with LRU eviction; starting over when full keeps reads lock-free.
    private void AddBounded<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, TValue entry)
        where TKey : notnull
    {
        if (cache.Count >= _cacheSize)
        {
            cache.Clear();
        }
        cache[key] = entry;
    }

    internal int WriteCacheCount => _writeByValue.Count;

    private sealed class WriteEntry(Schema? schema, AvroSchema avro, RegistrySchema registry, Encoder encoder, int cacheSize)
    {
        public Schema? Schema { get; } = schema;

        public AvroSchema Avro { get; } = avro;

        public RegistrySchema Registry { get; } = registry;

        public Encoder Encoder { get; } = encoder;

        public PerTopic<SubjectBinding> ByTopic { get; } = new(cacheSize);
    }

    private sealed record SubjectBinding(string Topic, int Id, Encoder Encoder);

    private sealed class ReadEntry(int id, AvroSchema avro, RegistrySchema registry, int cacheSize)
    {
        public int Id { get; } = id;

        public AvroSchema Avro { get; } = avro;

        public RegistrySchema Registry { get; } = registry;

        public PerTopic<ReadBinding> ByTopic { get; } = new(cacheSize);
    }

    private sealed record ReadBinding(string Topic, Schema? Schema, Decoder Decoder);
}

/// <summary>
/// What one cached schema resolves to per topic (its id under the topic's subject, or its Connect schema with that
/// subject's version): the last topic is checked first, by reference, so the steady state neither locks nor allocates.
/// </summary>
internal sealed class PerTopic<T>(int limit)
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _byTopic = new(StringComparer.Ordinal);
    private volatile Slot? _last;

    public T GetOrAdd<TState>(string topic, TState state, Func<string, TState, T> create)
    {
        var last = _last;
        if (last is not null && (ReferenceEquals(last.Topic, topic) || last.Topic == topic))
        {
            return last.Value;
        }
        if (!_byTopic.TryGetValue(topic, out var value))
        {
            value = create(topic, state);
            if (_byTopic.Count < limit)
            {
                _byTopic[topic] = value;
            }
        }
        _last = new Slot(topic, value);
        return value;
    }

    private sealed record Slot(string Topic, T Value);
}
