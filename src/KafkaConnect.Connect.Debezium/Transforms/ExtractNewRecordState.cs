using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Debezium.Transforms;

/// <summary>
/// Debezium's "unwrap" transformation: a change event's envelope becomes the row state it describes (<c>after</c> for
/// creates, updates and snapshot reads), so sinks that expect flat rows (the JDBC sink's upsert) can consume a CDC
/// topic. Deletes and tombstones follow <c>delete.tombstone.handling.mode</c> (or the legacy <c>drop.tombstones</c> and
/// <c>delete.handling.mode</c>); truncate events are dropped; records that are not envelopes pass through untouched.
/// </summary>
[ConnectPlugin("io.debezium.transforms.ExtractNewRecordState")]
public sealed class ExtractNewRecordState : TransformationBase
{
    public const string DeleteTombstoneHandlingMode = "delete.tombstone.handling.mode";
    public const string DropTombstones = "drop.tombstones";
    public const string DeleteHandlingMode = "delete.handling.mode";
    public const string RouteByField = "route.by.field";
    public const string AddFields = "add.fields";
    public const string AddFieldsPrefix = "add.fields.prefix";
    public const string AddHeaders = "add.headers";
    public const string AddHeadersPrefix = "add.headers.prefix";
    public const string ReplaceNullWithDefault = "replace.null.with.default";

    /// <summary>The field rewrite modes add to every value: "true" on deletes, "false" otherwise.</summary>
    public const string DeletedField = "__deleted";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(DeleteTombstoneHandlingMode, ConfigType.String, "tombstone",
            ConfigDef.ValidString.InIgnoringCase("drop", "tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone"), Importance.Medium,
            "What becomes of delete events and of the tombstones after them. drop: both are removed. tombstone (the default): "
            + "a delete becomes a record with a null value (and the row's value schema); tombstones are removed. rewrite: a "
            + "delete becomes its before image with __deleted=\"true\", every other event gets __deleted=\"false\"; tombstones "
            + "are removed. rewrite-with-tombstone: as rewrite, but tombstones are kept. delete-to-tombstone: a delete becomes "
            + "a tombstone (null value and value schema); the connector's own tombstones are removed. Takes precedence over "
            + "the legacy drop.tombstones and delete.handling.mode.")
        .Define(DropTombstones, ConfigType.Boolean, true, Importance.Low,
            "Legacy (used only when delete.tombstone.handling.mode is not set): whether tombstones are removed.")
        .Define(DeleteHandlingMode, ConfigType.String, "drop", ConfigDef.ValidString.InIgnoringCase("drop", "rewrite", "none"), Importance.Low,
            "Legacy (used only when delete.tombstone.handling.mode is not set): drop removes delete events, none turns them "
            + "into records with a null value, rewrite as delete.tombstone.handling.mode=rewrite.")
        .Define(RouteByField, ConfigType.String, "", Importance.Low,
            "A field of the row whose value replaces the topic name (the before image's for deletes); empty or null keeps the topic.")
        .Define(AddFields, ConfigType.List, "", Importance.Low,
            "Envelope fields to append to the value, each named by the prefix and the field (struct_field when qualified): "
            + "op,table,lsn,source.ts_ms gives __op, __table, __lsn and __source_ts_ms. Unqualified names are looked up in "
            + "source, except op, ts_ms, ts_us, ts_ns (the envelope's) and id, total_order, data_collection_order "
            + "(transaction's). field:NAME names the new field prefix+NAME. Fields the event lacks are left out.")
        .Define(AddFieldsPrefix, ConfigType.String, "__", Importance.Low, "Prefix of the fields add.fields appends.")
        .Define(AddHeaders, ConfigType.List, "", Importance.Low,
            "Envelope fields to add as headers, named as add.fields names fields. Tombstones get only the op header, as \"d\".")
        .Define(AddHeadersPrefix, ConfigType.String, "__", Importance.Low, "Prefix of the headers add.headers adds.")
        .Define(ReplaceNullWithDefault, ConfigType.Boolean, true, Importance.Low,
            "In the rewrite modes, whether null field values are replaced by the field's default when the value is rebuilt.");

    // Keyed by the envelope schema: it fixes both the row schema and which added fields exist. 64 is Debezium's bound.
    private SchemaCache _schemas = new(64);
    private DeleteAction _deleteAction = DeleteAction.NullValue;
    private bool _keepTombstones;
    private bool _rewrite;
    private bool _replaceNullWithDefault = true;
    private string? _routeByField;
    private FieldReference[] _addFields = [];
    private FieldReference[] _addHeaders = [];

    /// <summary>What a delete event becomes.</summary>
    private enum DeleteAction
    {
        Drop,

        /// <summary>A record with the row's value schema and a null value: the JDBC sink's delete.</summary>
        NullValue,

        /// <summary>A true tombstone: value and value schema null.</summary>
        Tombstone,

        /// <summary>The before image with <c>__deleted="true"</c>.</summary>
        Rewrite,
    }

    public override ConfigDef Config() => s_config;

    public override string Version() => PostgresConnector.PluginVersion;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        // The current key wins; the legacy pair counts only in configs that set one of them and not the current key
        // (Debezium 2.x read them the same way; Debezium 3 ignores them).
        if (configs.ContainsKey(DeleteTombstoneHandlingMode) || !(configs.ContainsKey(DropTombstones) || configs.ContainsKey(DeleteHandlingMode)))
        {
            (_deleteAction, _keepTombstones) = config.GetString(DeleteTombstoneHandlingMode)!.Trim().ToLowerInvariant() switch
            {
                "drop" => (DeleteAction.Drop, false),
                "rewrite" => (DeleteAction.Rewrite, false),
                "rewrite-with-tombstone" => (DeleteAction.Rewrite, true),
                "delete-to-tombstone" => (DeleteAction.Tombstone, false),
                _ => (DeleteAction.NullValue, false),
            };
        }
        else
        {
            _deleteAction = config.GetString(DeleteHandlingMode)!.Trim().ToLowerInvariant() switch
            {
                "rewrite" => DeleteAction.Rewrite,
                "none" => DeleteAction.NullValue,
                _ => DeleteAction.Drop,
            };
            _keepTombstones = !config.GetBoolean(DropTombstones);
        }
        _rewrite = _deleteAction == DeleteAction.Rewrite;
        _replaceNullWithDefault = config.GetBoolean(ReplaceNullWithDefault);
        _routeByField = config.GetString(RouteByField) is { Length: > 0 } route ? route : null;
        _addFields = FieldReference.Parse(AddFields, config.GetList(AddFields), config.GetString(AddFieldsPrefix) ?? "");
        _addHeaders = FieldReference.Parse(AddHeaders, config.GetList(AddHeaders), config.GetString(AddHeadersPrefix) ?? "");
        _schemas = new SchemaCache(64);
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        if (record.Value is null)
        {
            AddTombstoneHeaders(record);
            return _keepTombstones ? record : null;
        }
        if (record.Value is not Struct envelope || record.ValueSchema?.Name is not { } name
            || !name.EndsWith(".Envelope", StringComparison.Ordinal))
        {
            return record;
        }
        AddEnvelopeHeaders(record, envelope);
        var rowField = envelope.Schema.GetField("after");
        var after = rowField is null ? null : envelope.GetWithoutDefault("after") as Struct;
        var before = envelope.Schema.GetField("before") is null ? null : envelope.GetWithoutDefault("before") as Struct;
        if (after is null && before is null)
        {
            // A truncate (op t) carries no row: Debezium drops it whatever the mode.
            return null;
        }
        TRecord result;
        if (after is not null)
        {
            var value = Widen(envelope, after, deleted: "false");
            result = NewValue(record, value.Schema, value);
        }
        else
        {
            switch (_deleteAction)
            {
                case DeleteAction.Drop:
                    return null;
                case DeleteAction.NullValue:
                    result = NewValue(record, rowField!.Schema, null);
                    break;
                case DeleteAction.Tombstone:
                    result = NewValue(record, null, null);
                    break;
                default:
                    var value = Widen(envelope, before!, deleted: "true");
                    result = NewValue(record, value.Schema, value);
                    break;
            }
        }
        if (_routeByField is not null)
        {
            // Deletes route by the before image, as Debezium does, whatever they became.
            var row = after is not null ? (Struct)result.Value! : before!;
            if (row.GetString(_routeByField) is { } topic && !string.IsNullOrWhiteSpace(topic))
            {
                result = result.NewRecord(topic, result.KafkaPartition, result.KeySchema, result.Key, result.ValueSchema, result.Value,
                    result.Timestamp);
            }
        }
        return result;
    }

    private static TRecord NewValue<TRecord>(TRecord record, Schema? schema, object? value)
        where TRecord : ConnectRecord<TRecord> =>
        record.NewRecord(record.Topic, record.KafkaPartition, record.KeySchema, record.Key, schema, value, record.Timestamp);

    /// <summary>
    /// The row, or (with <c>__deleted</c> in the rewrite modes, or <c>add.fields</c>) a copy with those fields appended.
    /// Like Debezium, a widened value schema is no longer optional, an unwidened one is the envelope's row schema.
    /// </summary>
    private Struct Widen(Struct envelope, Struct row, string deleted)
    {
        if (!_rewrite && _addFields.Length == 0)
        {
            return row;
        }
        var schema = _schemas.GetOrAdd(envelope.Schema, (Self: this, Row: row.Schema),
            static (envelopeSchema, state) => state.Self.BuildWidenedSchema(envelopeSchema, state.Row));
        var widened = new Struct(schema);
        var fields = row.Schema.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            // Debezium fills defaults only where its rewrite step (an InsertField) rebuilds the row.
            widened.Put(schema.Fields[i], _rewrite && _replaceNullWithDefault ? row.Get(fields[i]) : row.GetWithoutDefault(fields[i].Name));
        }
        if (_rewrite)
        {
            widened.Put(DeletedField, deleted);
        }
        foreach (var reference in _addFields)
        {
            if (schema.GetField(reference.NewName) is not null)
            {
                widened.Put(reference.NewName, reference.Value(envelope));
            }
        }
        return widened;
    }

    private Schema BuildWidenedSchema(Schema envelopeSchema, Schema rowSchema)
    {
        var builder = CopyBasics(rowSchema);
        if (_rewrite)
        {
            builder.Field(DeletedField, Schema.OptionalStringSchema);
        }
        foreach (var reference in _addFields)
        {
            if (reference.Schema(envelopeSchema) is { } fieldSchema)
            {
                builder.Field(reference.NewName, fieldSchema);
            }
        }
        return builder.Build();
    }

    /// <summary>A schema's basics (Apache's copySchemaBasics) and its fields, without its optionality or default.</summary>
    private static SchemaBuilder CopyBasics(Schema schema)
    {
        var builder = SchemaUtil.CopySchemaBasics(schema);
        foreach (var field in schema.Fields)
        {
            builder.Field(field.Name, field.Schema);
        }
        return builder;
    }

    private void AddEnvelopeHeaders<TRecord>(TRecord record, Struct envelope)
        where TRecord : ConnectRecord<TRecord>
    {
        foreach (var reference in _addHeaders)
        {
            if (reference.Schema(envelope.Schema) is { } schema)
            {
                record.Headers.Add(reference.NewName, reference.Value(envelope), schema);
            }
        }
    }

    private void AddTombstoneHeaders<TRecord>(TRecord record)
        where TRecord : ConnectRecord<TRecord>
    {
        foreach (var reference in _addHeaders)
        {
            // A tombstone has no envelope; Debezium still marks it as the delete it follows.
            if (reference.Parent is null && reference.Field == "op")
            {
                record.Headers.AddString(reference.NewName, "d");
            }
        }
    }

    /// <summary>One entry of <c>add.fields</c> or <c>add.headers</c>: <c>[struct.]field[:name]</c>.</summary>
    private sealed class FieldReference
    {
        private FieldReference(string? parent, string field, string newName)
        {
            Parent = parent;
            Field = field;
            NewName = newName;
        }

        /// <summary>The envelope's struct holding the field (source, transaction), or null for the envelope itself.</summary>
        public string? Parent { get; }

        public string Field { get; }

        public string NewName { get; }

        public static FieldReference[] Parse(string key, IReadOnlyList<string>? entries, string prefix) =>
            entries is null ? [] : [.. entries.Where(e => e.Trim().Length > 0).Select(e => Parse(key, e.Trim(), prefix))];

        private static FieldReference Parse(string key, string entry, string prefix)
        {
            var parts = entry.Split(':');
            var path = parts[0].Split('.');
            if (parts.Length > 2 || path.Length > 2 || path.Any(p => p.Length == 0) || (parts.Length == 2 && parts[1].Length == 0))
            {
                throw new ConfigException(key, entry, "Expected [struct.]field[:new_name], such as op, source.ts_ms or ts_ms:EVENT_TS");
            }
            var field = path[^1];
            var parent = path.Length == 2 ? path[0] : field switch
            {
                "op" or "ts_ms" or "ts_us" or "ts_ns" => null,
                "id" or "total_order" or "data_collection_order" => "transaction",
                _ => "source",
            };
            var newName = prefix + (parts.Length == 2 ? parts[1] : path.Length == 2 ? parent + "_" + field : field);
            return new FieldReference(parent, field, newName);
        }

        /// <summary>
        /// The optional schema of the field in this envelope, or null when the event has no such field. A field missing
        /// from its struct is looked for at the top of the envelope, where another transformation may have put it.
        /// </summary>
        public Schema? Schema(Schema envelopeSchema)
        {
            var parentSchema = Parent is null ? envelopeSchema : envelopeSchema.GetField(Parent)?.Schema;
            var field = parentSchema?.GetField(Field) ?? envelopeSchema.GetField(Field);
            return field is null ? null : CopyBasics(field.Schema).Optional().Build();
        }

        public object? Value(Struct envelope)
        {
            var parent = Parent is null ? envelope
                : envelope.Schema.GetField(Parent) is null ? null
                : envelope.GetWithoutDefault(Parent) as Struct;
            if (parent is null)
            {
                // An optional block the event lacks (transaction during a snapshot).
                return null;
            }
            return parent.Schema.GetField(Field) is not null ? parent.GetWithoutDefault(Field)
                : envelope.Schema.GetField(Field) is not null ? envelope.GetWithoutDefault(Field)
                : null;
        }
    }
}
