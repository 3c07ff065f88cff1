using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Headers;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Transforms;

/// <summary>
/// Base of the bundled transformations. One non-generic class serves both source and sink pipelines (the
/// worker discovers only closed, non-generic plugin types); <see cref="Apply{TRecord}"/> is the shared logic.
/// </summary>
public abstract class TransformationBase : ITransformation<SourceRecord>, ITransformation<SinkRecord>, IVersioned
{
    public abstract void Configure(IReadOnlyDictionary<string, string> configs);

    public abstract ConfigDef Config();

    public virtual void Close()
    {
    }

    public virtual string Version() => TransformsInfo.Version;

    public SourceRecord? Apply(SourceRecord record) => Apply<SourceRecord>(record);

    public SinkRecord? Apply(SinkRecord record) => Apply<SinkRecord>(record);

    /// <summary>Transforms any record type; returns the input to pass it through, or null to drop it.</summary>
    public abstract TRecord? Apply<TRecord>(TRecord record)
        where TRecord : ConnectRecord<TRecord>;
}

/// <summary>
/// A transformation with Apache's <c>$Key</c>/<c>$Value</c> variants: the nested <c>Key</c> and <c>Value</c>
/// classes only choose which half of the record is read and replaced.
/// </summary>
public abstract class KeyOrValueTransformation : TransformationBase
{
    private protected KeyOrValueTransformation()
    {
    }

    /// <summary>True for the <c>$Key</c> variant.</summary>
    public abstract bool OperatesOnKey { get; }

    private protected Schema? OperatingSchema<TRecord>(TRecord record)
        where TRecord : ConnectRecord<TRecord> => OperatesOnKey ? record.KeySchema : record.ValueSchema;

    private protected object? OperatingValue<TRecord>(TRecord record)
        where TRecord : ConnectRecord<TRecord> => OperatesOnKey ? record.Key : record.Value;

    private protected TRecord NewRecord<TRecord>(TRecord record, Schema? updatedSchema, object? updatedValue)
        where TRecord : ConnectRecord<TRecord> =>
        OperatesOnKey
            ? record.NewRecord(record.Topic, record.KafkaPartition, updatedSchema, updatedValue, record.ValueSchema, record.Value, record.Timestamp)
            : record.NewRecord(record.Topic, record.KafkaPartition, record.KeySchema, record.Key, updatedSchema, updatedValue, record.Timestamp);

    private protected TRecord NewRecord<TRecord>(TRecord record, Schema? updatedSchema, object? updatedValue, IEnumerable<IHeader> headers)
        where TRecord : ConnectRecord<TRecord> =>
        OperatesOnKey
            ? record.NewRecord(record.Topic, record.KafkaPartition, updatedSchema, updatedValue, record.ValueSchema, record.Value, record.Timestamp, headers)
            : record.NewRecord(record.Topic, record.KafkaPartition, record.KeySchema, record.Key, updatedSchema, updatedValue, record.Timestamp, headers);

    /// <summary>Field value honouring <c>replace.null.with.default</c>.</summary>
    private protected static object? FieldValue(Struct value, Data.Field field, bool replaceNullWithDefault) =>
        replaceNullWithDefault ? value.Get(field) : value.GetWithoutDefault(field.Name);
}

/// <summary>Base of the bundled predicates; serves source and sink pipelines alike.</summary>
public abstract class PredicateBase : IPredicate<SourceRecord>, IPredicate<SinkRecord>, IVersioned
{
    public abstract void Configure(IReadOnlyDictionary<string, string> configs);

    public abstract ConfigDef Config();

    public virtual void Close()
    {
    }

    public virtual string Version() => TransformsInfo.Version;

    public bool Test(SourceRecord record) => Test<SourceRecord>(record);

    public bool Test(SinkRecord record) => Test<SinkRecord>(record);

    public abstract bool Test<TRecord>(TRecord record)
        where TRecord : ConnectRecord<TRecord>;
}

internal static class TransformsInfo
{
    // The Apache Kafka release whose transformation behaviour this assembly reproduces.
    public const string Version = "3.9.0";

    public const string ReplaceNullWithDefault = "replace.null.with.default";

    public const string ReplaceNullWithDefaultDoc =
        "Whether to replace fields that have a default value and that are null to the default value. When set to true, "
        + "the default value is used, otherwise null is used.";
}
