using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sinks;

namespace KafkaConnect.Connect.Jdbc.Sink;

/// <summary>Where a column's value comes from in a record.</summary>
internal enum ValueSource
{
    KafkaTopic,
    KafkaPartition,
    KafkaOffset,
    /// <summary>The whole (primitive) key.</summary>
    Key,
    KeyField,
    ValueField,
}

internal sealed record ShapeColumn(string Name, Schema Schema, bool IsPrimaryKey, ValueSource Source, Field? Field);

/// <summary>
/// The key and value columns for one (key schema, value schema) pair under the pk.mode/pk.fields/fields.whitelist
/// rules; computed once per schema pair and compared by reference to detect schema changes.
/// </summary>
internal sealed class RecordShape
{
    public const string DefaultKafkaTopic = "__connect_topic";
    public const string DefaultKafkaPartition = "__connect_partition";
    public const string DefaultKafkaOffset = "__connect_offset";
    public const string DefaultKeyField = "__connect_key";

    private RecordShape(List<ShapeColumn> keys, List<ShapeColumn> values)
    {
        KeyColumns = keys;
        ValueColumns = values;
        KeyNames = keys.ConvertAll(c => c.Name);
        ValueNames = values.ConvertAll(c => c.Name);
        All = [.. keys, .. values];
    }

    public IReadOnlyList<ShapeColumn> KeyColumns { get; }
    public IReadOnlyList<ShapeColumn> ValueColumns { get; }
    public IReadOnlyList<string> KeyNames { get; }
    public IReadOnlyList<string> ValueNames { get; }
    public IReadOnlyList<ShapeColumn> All { get; }

    public static RecordShape Build(JdbcSinkConfig config, string table, Schema? keySchema, Schema? valueSchema)
    {
        var keys = new List<ShapeColumn>();
        var pkFields = config.PkFieldsValue;
        switch (config.PkModeValue)
        {
            case PrimaryKeyMode.Kafka:
                if (pkFields.Count != 0 && pkFields.Count != 3)
                {
                    throw new ConnectException("pk.mode=kafka needs exactly 3 pk.fields (topic, partition, offset) or none for the defaults");
                }
                keys.Add(new ShapeColumn(pkFields.Count == 3 ? pkFields[0] : DefaultKafkaTopic, Schema.StringSchema, true, ValueSource.KafkaTopic, null));
                keys.Add(new ShapeColumn(pkFields.Count == 3 ? pkFields[1] : DefaultKafkaPartition, Schema.Int32Schema, true, ValueSource.KafkaPartition, null));
                keys.Add(new ShapeColumn(pkFields.Count == 3 ? pkFields[2] : DefaultKafkaOffset, Schema.Int64Schema, true, ValueSource.KafkaOffset, null));
                break;
            case PrimaryKeyMode.RecordKey:
                if (keySchema is null)
                {
                    throw new ConnectException($"Table {table}: pk.mode=record_key needs records with a key schema");
                }
                if (keySchema.Type == SchemaType.Struct)
                {
                    foreach (var field in keySchema.Fields)
                    {
                        if (pkFields.Count == 0 || Contains(pkFields, field.Name))
                        {
                            keys.Add(new ShapeColumn(field.Name, field.Schema, true, ValueSource.KeyField, field));
                        }
                    }
                    foreach (var name in pkFields)
                    {
                        if (keySchema.GetField(name) is null)
                        {
                            throw new ConnectException($"Table {table}: pk.fields entry '{name}' is not a field of the record key");
                        }
                    }
                }
                else
                {
                    if (pkFields.Count > 1)
                    {
                        throw new ConnectException($"Table {table}: a primitive record key needs at most one pk.fields name");
                    }
                    keys.Add(new ShapeColumn(pkFields.Count == 1 ? pkFields[0] : DefaultKeyField, keySchema, true, ValueSource.Key, null));
                }
                break;
            case PrimaryKeyMode.RecordValue:
                if (valueSchema is null || valueSchema.Type != SchemaType.Struct)
                {
                    throw new ConnectException($"Table {table}: pk.mode=record_value needs struct record values with a schema");
                }
                foreach (var field in valueSchema.Fields)
                {
                    if (pkFields.Count == 0 || Contains(pkFields, field.Name))
                    {
                        keys.Add(new ShapeColumn(field.Name, field.Schema, true, ValueSource.ValueField, field));
                    }
                }
                foreach (var name in pkFields)
                {
                    if (valueSchema.GetField(name) is null)
                    {
                        throw new ConnectException($"Table {table}: pk.fields entry '{name}' is not a field of the record value");
                    }
                }
                break;
        }
        var values = new List<ShapeColumn>();
        if (valueSchema is not null)
        {
            if (valueSchema.Type != SchemaType.Struct)
            {
                throw new ConnectException($"Table {table}: record values must be structs with a schema (got {valueSchema.Type}); use auto.schema=true for schemaless JSON");
            }
            foreach (var field in valueSchema.Fields)
            {
                if (config.Whitelist.Count > 0 && !config.Whitelist.Contains(field.Name))
                {
                    continue;
                }
                if (keys.Exists(k => k.Name == field.Name))
                {
                    continue;
                }
                values.Add(new ShapeColumn(field.Name, field.Schema, false, ValueSource.ValueField, field));
            }
        }
        if (keys.Count == 0 && values.Count == 0)
        {
            throw new ConnectException($"Table {table}: no columns to write (check pk.mode, pk.fields and fields.whitelist)");
        }
        return new RecordShape(keys, values);
    }

    /// <summary>Copies the record's column values, bound for the driver, into <paramref name="row"/> (keys first).</summary>
    public void Extract(SinkRecord record, Func<Schema, object?, object> bind, object[] row, bool keysOnly)
    {
        var count = keysOnly ? KeyColumns.Count : All.Count;
        for (var i = 0; i < count; i++)
        {
            var c = All[i];
            object? value = c.Source switch
            {
                ValueSource.KafkaTopic => record.Topic,
                ValueSource.KafkaPartition => record.KafkaPartition ?? 0,
                ValueSource.KafkaOffset => record.KafkaOffset,
                ValueSource.Key => record.Key,
                ValueSource.KeyField => (record.Key as Struct ?? throw new DataException($"Record key is not a struct at offset {record.KafkaOffset}")).Get(c.Field!),
                _ => (record.Value as Struct ?? throw new DataException($"Record value is not a struct at offset {record.KafkaOffset}")).Get(c.Field!),
            };
            row[i] = bind(c.Schema, value);
        }
    }

    private static bool Contains(IReadOnlyList<string> list, string name)
    {
        foreach (var s in list)
        {
            if (s == name)
            {
                return true;
            }
        }
        return false;
    }
}
