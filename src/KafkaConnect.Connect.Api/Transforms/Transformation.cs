using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Connectors;

namespace KafkaConnect.Connect.Transforms;

/// <summary>
/// A single message transformation (SMT): a lightweight, stateless per-record change applied in the
/// connector's pipeline (after a source task, before a sink task). Configuration is string-valued.
/// </summary>
/// <typeparam name="TRecord">SourceRecord or SinkRecord; generic implementations serve both.</typeparam>
public interface ITransformation<TRecord>
    where TRecord : ConnectRecord<TRecord>
{
    void Configure(IReadOnlyDictionary<string, string> configs);

    /// <summary>
    /// Returns the changed record (make copies with <c>NewRecord</c>; never mutate the input, other than its
    /// headers), the same record to pass it through, or null to drop it. Called on the task thread.
    /// </summary>
    TRecord? Apply(TRecord record);

    ConfigDef Config();

    /// <summary>Releases resources; the worker calls it when the connector stops.</summary>
    void Close();
}

/// <summary>
/// A condition that decides whether a transformation applies to a record (configured with
/// <c>transforms.x.predicate</c>, optionally negated).
/// </summary>
public interface IPredicate<TRecord>
    where TRecord : ConnectRecord<TRecord>
{
    void Configure(IReadOnlyDictionary<string, string> configs);

    bool Test(TRecord record);

    ConfigDef Config();

    void Close();
}
