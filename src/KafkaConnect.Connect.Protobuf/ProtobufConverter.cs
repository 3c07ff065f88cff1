using System.Collections.Concurrent;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.SchemaRegistry;
using KafkaConnect.Connect.Storage;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// Confluent's <c>io.confluent.connect.protobuf.ProtobufConverter</c>: records are a magic byte 0, the 4-byte
/// schema id, the message-index list and the protobuf binary message; the schema is the .proto text Confluent's
/// ProtobufData derives from the Connect schema, registered as type PROTOBUF. Thread-safe once configured.
/// </summary>
[ConnectPlugin("io.confluent.connect.protobuf.ProtobufConverter")]
public sealed class ProtobufConverter : IConverter, IVersioned, IDisposable
{
    private readonly ISchemaRegistryClient? _injectedClient;
    private RegistrySession? _session;
    private ProtobufData _data = new(new ProtobufDataConfig());
    private BoundedCache<Schema, WriteEntry> _bySchema = new(1000);
    private BoundedCache<(int Id, string Topic, string Path), ReadEntry> _byId = new(1000);

    public ProtobufConverter()
    {
    }

    /// <summary>Uses this client instead of one built from <c>schema.registry.url</c>.</summary>
    public ProtobufConverter(ISchemaRegistryClient client)
    {
        _injectedClient = client;
    }

    public string Version() => "1.0";

    public ConfigDef Config() => Definition();

    internal static ConfigDef Definition() => ProtobufDataConfig.AddTo(RegistryConverterConfig.AddTo(new ConfigDef()));

    /// <exception cref="ConfigException">A setting is missing or invalid (<c>schema.registry.url</c> is required).</exception>
    public void Configure(IReadOnlyDictionary<string, string> configs, bool isKey)
    {
        var config = new RegistryConverterConfig(Definition(), configs);
        _data = new ProtobufData(new ProtobufDataConfig(config));
        _session = new RegistrySession(_injectedClient ?? config.CreateClient(), config, isKey);
        _bySchema = new BoundedCache<Schema, WriteEntry>(_data.Config.SchemasCacheSize);
        _byId = new BoundedCache<(int, string, string), ReadEntry>(_data.Config.SchemasCacheSize);
    }

    public byte[]? FromConnectData(string topic, IHeaders? headers, Schema? schema, object? value)
    {
        if (value is null)
        {
            return null;
        }
        if (schema is null)
        {
            throw new DataException($"Converting Kafka Connect data to byte[] failed for topic {topic}: ProtobufConverter needs a schema, and this value has none");
        }
        var session = Session();
        var entry = EntryFor(schema);
        var id = IdFor(session, topic, entry);
        var writer = ProtoWriter.Rent();
        try
        {
            // Header and message index first, then the message itself.
            Span<byte> header = stackalloc byte[WireFormat.HeaderSize + 10];
            WireFormat.WriteHeader(header, id);
            var indexLength = MessageIndexes.Write(header[WireFormat.HeaderSize..], entry.Indexes);
            writer.WriteRaw(header[..(WireFormat.HeaderSize + indexLength)]);
            var message = entry.Primitive is { } holder
                ? new Struct(holder).Put(ProtobufData.WrapperValueField, value)
                : value as Struct ?? throw new DataException($"ProtobufConverter expects a Struct for schema {schema.Name}, not {value.GetType().Name}");
            _data.Write(writer, entry.Plan, message);
            return writer.Written.ToArray();
        }
        finally
        {
            ProtoWriter.Return(writer);
        }
    }

    public SchemaAndValue ToConnectData(string topic, IHeaders? headers, byte[]? value) =>
        value is null ? SchemaAndValue.Null : Read(topic, value);

    // Values never point into the input (strings are decoded, bytes copied), so the borrowed buffer is safe.
    public SchemaAndValue ToConnectDataBorrowed(string topic, IHeaders? headers, ReadOnlyMemory<byte>? value) =>
        value is { } bytes ? Read(topic, bytes) : SchemaAndValue.Null;

    public void Dispose() => _session?.Client.Dispose();

    /// <summary>The .proto text registered for a Connect schema.</summary>
    public string ProtoSchemaFor(Schema schema) => _data.FromConnectSchema(schema);

    private SchemaAndValue Read(string topic, ReadOnlyMemory<byte> bytes)
    {
        var session = Session();
        var id = WireFormat.ReadHeader(bytes.Span, topic);
        var consumed = MessageIndexes.Read(bytes.Span[WireFormat.HeaderSize..], out var indexes);
        var path = indexes is [0] ? "0" : string.Join('.', indexes);
        var entry = _byId.GetOrAdd((id, topic, path), static (key, state) => state.Converter.Load(key.Id, key.Topic, state.Indexes, state.Session),
            (Converter: this, Indexes: indexes, Session: session));
        var payload = bytes.Span[(WireFormat.HeaderSize + consumed)..];
        try
        {
            var read = _data.Read(payload, entry.Plan);
            return new SchemaAndValue(entry.Schema, entry.Primitive ? read.Get(ProtobufData.WrapperValueField) : read);
        }
        catch (DataException e)
        {
            throw new DataException($"Converting byte[] to Kafka Connect data failed for topic {topic} (schema id {id}, message {entry.MessageName}): {e.Message}", e);
        }
    }

    private ReadEntry Load(int id, string topic, int[] indexes, RegistrySession session)
    {
        var registered = session.Fetch(id, topic, RegistrySchema.Protobuf);
        var file = ProtoSchemaParser.Parse(registered.Schema, session.ResolveReferences(registered));
        var message = MessageIndexes.MessageAt(file, indexes);
        var version = session.VersionOf(topic, message.FullName, registered);
        var schema = _data.ToConnectSchema(message, version);
        // A wrapper read as a raw primitive (wrapper.for.raw.primitives) goes through a one-field holder struct.
        var primitive = schema.Type != SchemaType.Struct;
        var planned = primitive ? SchemaBuilder.Struct().Field(ProtobufData.WrapperValueField, schema).Build() : schema;
        return new ReadEntry(schema, _data.Plan(message, planned), message.FullName, primitive);
    }

    private WriteEntry EntryFor(Schema schema) =>
        _bySchema.GetOrAdd(schema, static (s, state) =>
        {
            if (s.Type != SchemaType.Struct)
            {
                // A top-level primitive is written as its google.protobuf wrapper message, as Confluent does.
                var (wrapper, index) = ProtobufData.WrapperFor(s);
                var file = ProtoSchemaParser.Parse(KnownProtos.ReferenceSource(KnownProtos.Wrappers)!);
                var holder = SchemaBuilder.Struct().Field(ProtobufData.WrapperValueField, s).Build();
                return new WriteEntry(new RegistrySchema(KnownProtos.ReferenceSource(KnownProtos.Wrappers)!, RegistrySchema.Protobuf),
                    "google.protobuf." + wrapper, state.Data.Plan(file.Messages[index], holder), [index], holder);
            }
            var text = state.Data.FromConnectSchema(s, out var imports);
            var message = ProtoSchemaParser.Parse(text).Messages[0];
            var references = state.Data.Config.SkipKnownTypes ? [] : state.Converter.RegisterImports(imports);
            return new WriteEntry(new RegistrySchema(text, RegistrySchema.Protobuf, references), message.FullName, state.Data.Plan(message, s), [0], null)
            {
                Imports = imports,
            };
        }, (Data: _data, Converter: this));

    // skip.known.types=false: each import is registered under its own name as subject (Confluent's default
    // reference subject name strategy) and referenced by that name, as Confluent's serializer does.
    private List<SchemaReference> RegisterImports(IReadOnlyList<string> imports)
    {
        var session = Session();
        var references = new List<SchemaReference>();
        foreach (var import in imports)
        {
            var schema = new RegistrySchema(KnownProtos.ReferenceSource(import)!, RegistrySchema.Protobuf);
            try
            {
                var version = session.RegisterOrLookup(import, schema);
                references.Add(new SchemaReference(import, import, version));
            }
            catch (SchemaRegistryException e)
            {
                throw new DataException($"Registering the import {import} as a schema reference failed: {e.Message}", e);
            }
        }
        return references;
    }

    private RegistrySession Session() =>
        _session ?? throw new InvalidOperationException("ProtobufConverter is not configured: call Configure first");

    // Confluent's registry knows the known types' files without references (skip.known.types relies on it). A registry
    // that refuses such an import (42201) gets them once as references instead, and the schema is registered again.
    private int IdFor(RegistrySession session, string topic, WriteEntry entry)
    {
        try
        {
            return session.IdFor(topic, entry.RecordName, entry.Registered, entry.IdsBySubject);
        }
        catch (DataException e) when (e.InnerException is SchemaRegistryException { ErrorCode: 42201 } && entry.Registered.References.Count == 0
            && entry.Imports.Count > 0 && _data.Config.SkipKnownTypes)
        {
            entry.Registered = entry.Registered with { References = RegisterImports(entry.Imports) };
            return session.IdFor(topic, entry.RecordName, entry.Registered, entry.IdsBySubject);
        }
    }

    private sealed record WriteEntry(RegistrySchema Registered, string RecordName, ProtobufData.MessagePlan Plan, int[] Indexes, Schema? Primitive)
    {
        public RegistrySchema Registered { get; set; } = Registered;

        public IReadOnlyList<string> Imports { get; init; } = [];

        public ConcurrentDictionary<string, int> IdsBySubject { get; } = new(StringComparer.Ordinal);
    }

    private sealed record ReadEntry(Schema Schema, ProtobufData.MessagePlan Plan, string MessageName, bool Primitive);
}
