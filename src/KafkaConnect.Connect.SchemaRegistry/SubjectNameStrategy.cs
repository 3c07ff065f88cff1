using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>How the subject a schema is registered under is named (Confluent's subject name strategies).</summary>
public enum SubjectNameStrategy
{
    /// <summary><c>io.confluent.kafka.serializers.subject.TopicNameStrategy</c>: <c>{topic}-key</c> or <c>{topic}-value</c>.</summary>
    Topic,

    /// <summary><c>io.confluent.kafka.serializers.subject.RecordNameStrategy</c>: the record's fully-qualified name.</summary>
    Record,

    /// <summary><c>io.confluent.kafka.serializers.subject.TopicRecordNameStrategy</c>: <c>{topic}-{record name}</c>.</summary>
    TopicRecord,
}

/// <summary>Parsing and applying <see cref="SubjectNameStrategy"/>.</summary>
public static class SubjectNameStrategies
{
    public const string TopicNameStrategyClass = "io.confluent.kafka.serializers.subject.TopicNameStrategy";
    public const string RecordNameStrategyClass = "io.confluent.kafka.serializers.subject.RecordNameStrategy";
    public const string TopicRecordNameStrategyClass = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy";

    /// <summary>The Java class names (and their simple names), as users' configurations give them.</summary>
    public static bool TryParse(string? name, out SubjectNameStrategy strategy)
    {
        var simple = name?.Trim() ?? string.Empty;
        var dot = simple.LastIndexOf('.');
        if (dot >= 0)
        {
            simple = simple[(dot + 1)..];
        }
        (var ok, strategy) = simple switch
        {
            "TopicNameStrategy" => (true, SubjectNameStrategy.Topic),
            "RecordNameStrategy" => (true, SubjectNameStrategy.Record),
            "TopicRecordNameStrategy" => (true, SubjectNameStrategy.TopicRecord),
            _ => (false, SubjectNameStrategy.Topic),
        };
        return ok;
    }

    /// <summary>The subject for a key or value schema of <paramref name="topic"/>.</summary>
    /// <param name="recordFullName">The schema's fully-qualified record name; the record strategies need it.</param>
    /// <exception cref="DataException">A record strategy and a schema without a name (e.g. a primitive).</exception>
    public static string SubjectFor(this SubjectNameStrategy strategy, string topic, bool isKey, string? recordFullName) => strategy switch
    {
        SubjectNameStrategy.Topic => topic + (isKey ? "-key" : "-value"),
        SubjectNameStrategy.Record => recordFullName ?? throw NoRecordName(strategy),
        _ => topic + "-" + (recordFullName ?? throw NoRecordName(strategy)),
    };

    private static DataException NoRecordName(SubjectNameStrategy strategy) =>
        new($"{(strategy == SubjectNameStrategy.Record ? "RecordNameStrategy" : "TopicRecordNameStrategy")} needs a named schema (a record or message), and this one has no name; use TopicNameStrategy for primitive keys or values");
}
