using KafkaConnect.Client.Consumer;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Config;
using KafkaConnect.Connect.Runtime.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Transforms;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>One configured transformation with its optional (possibly negated) predicate.</summary>
public sealed class TransformationStage<TRecord>(string alias, ITransformation<TRecord> transformation, IPredicate<TRecord>? predicate, bool negate)
    where TRecord : ConnectRecord<TRecord>
{
    public string Alias { get; } = alias;

    public ITransformation<TRecord> Transformation { get; } = transformation;

    public IPredicate<TRecord>? Predicate { get; } = predicate;

    public bool Negate { get; } = negate;

    /// <summary>Applies the transformation when there is no predicate or the predicate's answer differs from negate.</summary>
    public TRecord? Apply(TRecord record) =>
        Predicate is null || Predicate.Test(record) != Negate ? Transformation.Apply(record) : record;

    public void Close()
    {
        Transformation.Close();
        Predicate?.Close();
    }
}

/// <summary>
/// The connector's <c>transforms</c>, applied in the configured order (Apache's TransformationChain). A stage that
/// returns null drops the record; a stage that throws goes through the error handler (retry, tolerance, DLQ).
/// </summary>
public sealed class TransformationChain<TRecord> : IDisposable
    where TRecord : ConnectRecord<TRecord>
{
    private readonly TransformationStage<TRecord>[] _stages;

    public TransformationChain(IReadOnlyList<TransformationStage<TRecord>> stages)
    {
        _stages = [.. stages];
    }

    public static TransformationChain<TRecord> Empty { get; } = new([]);

    public IReadOnlyList<TransformationStage<TRecord>> Stages => _stages;

    public bool IsEmpty => _stages.Length == 0;

    /// <summary>Applies every stage without error handling (exceptions propagate); null when a stage dropped it.</summary>
    public TRecord? Apply(TRecord record)
    {
        TRecord? current = record;
        foreach (var stage in _stages)
        {
            current = stage.Apply(current);
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    /// <summary>
    /// Applies every stage through <paramref name="errors"/>. Ok=false: a stage failed and it was tolerated (skip the
    /// record); Ok=true with a null record: a stage dropped it.
    /// </summary>
    public ValueTask<(bool Ok, TRecord? Record)> ApplyAsync(TRecord record, RetryWithToleranceOperator errors, ConnectorTaskId task,
        ConsumeResult? consumed, CancellationToken ct)
    {
        // The first attempt of every stage runs here, synchronously; only a failure goes through the error handler's
        // retry and tolerance path (which continues exactly as if the attempt had been made there).
        var current = record;
        for (var i = 0; i < _stages.Length; i++)
        {
            TRecord? next;
            try
            {
                next = _stages[i].Apply(current);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ContinueAfterFailureAsync(i, current, ex, record, errors, task, consumed, ct);
            }
            if (next is null)
            {
                return ValueTask.FromResult<(bool, TRecord?)>((true, null));
            }
            current = next;
        }
        return ValueTask.FromResult<(bool, TRecord?)>((true, current));
    }

    private async ValueTask<(bool Ok, TRecord? Record)> ContinueAfterFailureAsync(int failedStage, TRecord input, Exception error, TRecord original,
        RetryWithToleranceOperator errors, ConnectorTaskId task, ConsumeResult? consumed, CancellationToken ct)
    {
        TRecord? current = input;
        for (var i = failedStage; i < _stages.Length && current is not null; i++)
        {
            var stage = _stages[i];
            bool ok;
            (ok, current) = await errors.ResumeAsync(static s => s.Stage.Apply(s.Input), (Stage: stage, Input: current), i == failedStage ? error : null,
                Stage.TRANSFORMATION, stage.Transformation.GetType(), task, consumed, original as SourceRecord, ct).ConfigureAwait(false);
            if (!ok)
            {
                return (false, null);
            }
        }
        return (true, current);
    }

    public void Dispose()
    {
        foreach (var stage in _stages)
        {
            try
            {
                stage.Close();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Apache logs and carries on; a failing Close must not stop the task's shutdown.
                _ = ex;
            }
        }
    }

    /// <summary>
    /// Builds the chain from a (resolved) connector configuration: each alias of <c>transforms</c> is created from
    /// <c>transforms.{alias}.type</c> and configured with its <c>transforms.{alias}.*</c> settings; a
    /// <c>transforms.{alias}.predicate</c> names an alias of <c>predicates</c> configured likewise.
    /// </summary>
    public static TransformationChain<TRecord> Create(PluginRegistry plugins, IReadOnlyDictionary<string, string> config)
    {
        var aliases = ConnectorConfig.Aliases(config, ConnectorConfig.Transforms);
        if (aliases.Count == 0)
        {
            return Empty;
        }
        var stages = new List<TransformationStage<TRecord>>(aliases.Count);
        try
        {
            foreach (var alias in aliases)
            {
                var prefix = ConnectorConfig.Transforms + "." + alias + ".";
                var typeKey = prefix + "type";
                var className = config.GetValueOrDefault(typeKey)?.Trim();
                if (string.IsNullOrEmpty(className))
                {
                    throw new ConfigException(typeKey, null, "Missing required configuration \"" + typeKey + "\" which has no default value.");
                }
                var transformation = plugins.NewInstance<ITransformation<TRecord>>(typeKey, className);
                transformation.Configure(ConnectorConfig.WithPrefix(config, prefix));
                IPredicate<TRecord>? predicate = null;
                var negate = false;
                if (config.TryGetValue(prefix + "predicate", out var predicateAlias) && predicateAlias.Trim().Length > 0)
                {
                    predicate = CreatePredicate(plugins, config, predicateAlias.Trim());
                    negate = config.TryGetValue(prefix + "negate", out var n) && n.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
                }
                stages.Add(new TransformationStage<TRecord>(alias, transformation, predicate, negate));
            }
        }
        catch
        {
            new TransformationChain<TRecord>(stages).Dispose();
            throw;
        }
        return new TransformationChain<TRecord>(stages);
    }

    private static IPredicate<TRecord> CreatePredicate(PluginRegistry plugins, IReadOnlyDictionary<string, string> config, string alias)
    {
        var prefix = ConnectorConfig.Predicates + "." + alias + ".";
        var typeKey = prefix + "type";
        var className = config.GetValueOrDefault(typeKey)?.Trim();
        if (string.IsNullOrEmpty(className))
        {
            throw new ConfigException(typeKey, null, "Missing required configuration \"" + typeKey + "\" which has no default value.");
        }
        var predicate = plugins.NewInstance<IPredicate<TRecord>>(typeKey, className);
        predicate.Configure(ConnectorConfig.WithPrefix(config, prefix));
        return predicate;
    }
}
